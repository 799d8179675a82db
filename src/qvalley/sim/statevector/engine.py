"""Exact state-vector execution of a circuit: final states and measurement samples.

How shots are produced (never a silently wrong answer):

* Measurements that nothing depends on afterwards (terminal measurements) are taken out of
  the circuit and sampled from the final state in one pass: ``O(2**n + shots)``.
* When the rest still holds measurements, resets or classically conditioned operations,
  every shot follows its own trajectory, but shots whose quantum states agree share one
  row of a batch of states: a gate is applied once per distinct state, not once per shot.
  At a measurement each shot draws its outcome from the Born probability of its row; a
  row whose shots disagree splits in two, and rows that become equal again (after a
  reset, or a measurement that undoes a superposition) merge. A measurement or reset of a
  qubit that is not entangled with the others, when the qubit is reset before its next use,
  does not split anything: the state after the reset is the same for both outcomes.
  The work is bounded by the number of distinct states, never by the number of shots.
* Randomness is drawn per operation and per shot, so the result of a seed does not depend
  on how the shots were grouped. If the rows do not fit in memory, the shots are split
  into groups that are simulated one after the other from the start.

Gates are prepared once: matrices of repeated gates are computed once, named controlled
gates act on their controlled subspace only, and runs of one-qubit gates on a qubit are
multiplied into one matrix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...circuit import Circuit
from ...circuit.gates import GATES
from ...circuit.instruction import Condition
from ...errors import CircuitError
from ..memory import available_bytes, require_statevector, zeros
from . import backend, kernels

_ZERO = 1e-13  # outcome probabilities below this are treated as impossible
IDLE = -1      # target of a measure of a qubit that is not simulated: it is |0>, reads 0


@dataclass
class Op:
    """A prepared operation: ``kind`` in gate | measure | reset; matrices precomputed.

    A gate acts with ``matrix`` on ``targets`` when ``controls`` have the values of
    ``ctrl_state``. ``absorb`` marks a measurement whose qubit is reset (or never used)
    before anything else acts on it, so its outcome does not shape the rest of the state
    when the qubit is unentangled.
    """

    kind: str
    targets: tuple[int, ...]
    controls: tuple[int, ...] = ()
    ctrl_state: int = 0
    matrix: np.ndarray | None = None
    clbit: int = -1
    condition: Condition | None = None
    absorb: bool = False
    kernel: Callable[[np.ndarray], None] | None = field(default=None, repr=False,
                                                        compare=False)


@dataclass
class Program:
    """A circuit made ready to simulate."""

    num_qubits: int                       # qubits simulated
    num_clbits: int
    ops: list[Op]
    terminal: list[tuple[int, int]]       # (simulated qubit, clbit) measured at the end
    dynamic: bool = field(default=False)  # ops hold measure/reset/conditions


def prepare(circuit: Circuit, *, active_only: bool = False,
            split_terminal: bool = True) -> tuple[Program, list[int]]:
    """Check and translate ``circuit``. Returns the program and, for each simulated qubit,
    the circuit qubit it stands for (all qubits unless ``active_only``)."""
    data = circuit.data
    for i, instr in enumerate(data):
        if instr.kind == "opaque":
            raise CircuitError(f"opaque gate {instr.name!r} at position {i} has no definition, "
                               "so it cannot be simulated; define it with a gate body")
        if instr.params and not all(type(p) is float for p in instr.params) and \
                instr.is_parameterized:
            names = sorted({p.name for e in instr.params if hasattr(e, "parameters")
                            for p in e.parameters})
            raise CircuitError(f"gate {instr.display_name} at position {i} has unbound "
                               f"parameters ({', '.join(names)}); bind them with "
                               "assign_parameters() before simulating")
    if active_only:
        # a qubit that no gate touches stays |0>: measuring it reads 0 and resetting it
        # does nothing, so it is not simulated (measure_all on a wide circuit stays cheap)
        used = sorted({q for ins in data if ins.is_unitary for q in ins.qubits})
    else:
        used = list(range(circuit.num_qubits))
    index = {q: i for i, q in enumerate(used)}

    terminal_idx: set[int] = set()
    if split_terminal:
        touched_q: set[int] = set()
        touched_c: set[int] = set()
        all_qubits = circuit.num_qubits
        for i in range(len(data) - 1, -1, -1):
            if len(touched_q) == all_qubits:
                break  # every qubit is used later: no earlier measurement is terminal
            ins = data[i]
            if ins.kind == "barrier":
                continue
            if ins.kind == "measure" and ins.condition is None:
                q, c = ins.qubits[0], ins.clbits[0]
                if q not in touched_q and c not in touched_c:
                    terminal_idx.add(i)
                    touched_c.add(c)
                    continue
            touched_q.update(ins.qubits)
            touched_c.update(ins.clbits)
            if ins.condition is not None:
                touched_c.update(ins.condition.clbits)

    ops: list[Op] = []
    terminal: list[tuple[int, int]] = []
    dynamic = False
    matrices: dict[tuple, tuple[np.ndarray, int]] = {}  # (name, params) -> base, controls
    planned: dict[tuple, Callable] = {}  # kernels of repeated gates on the same qubits
    pending: dict[int, np.ndarray] = {}  # one-qubit gates waiting on a qubit, multiplied

    def flush(qubits) -> None:
        for q in qubits:
            m = pending.pop(q, None)
            if m is not None:
                ops.append(Op("gate", (q,), matrix=m))

    for i, ins in enumerate(data):
        if ins.kind == "barrier":
            continue
        if ins.kind in ("measure", "reset") and ins.qubits[0] not in index:
            if ins.kind == "reset":
                continue
            if i in terminal_idx:
                terminal.append((IDLE, ins.clbits[0]))
            else:
                dynamic = True
                ops.append(Op("measure", (IDLE,), clbit=ins.clbits[0],
                              condition=ins.condition))
            continue
        qs = tuple(index[q] for q in ins.qubits)
        if i in terminal_idx:
            terminal.append((qs[0], ins.clbits[0]))
            continue
        if ins.condition is not None:
            dynamic = True
        if ins.kind in ("measure", "reset"):
            dynamic = True
            flush(qs)
            ops.append(Op(ins.kind, qs, clbit=ins.clbits[0] if ins.clbits else -1,
                          condition=ins.condition))
            continue
        k = ins.num_ctrl
        ctrl_state = ins.ctrl_state
        if ins.kind == "gate":
            key = (ins.name, ins.params)
            if key not in matrices:
                spec = GATES[ins.name]
                if spec.controls and spec.base is not None:
                    # act on the controlled subspace only (the table guarantees that the
                    # gate is its base gate controlled on its first qubits)
                    matrices[key] = (GATES[spec.base].matrix(*ins.params), spec.controls)
                else:
                    matrices[key] = (spec.matrix(*ins.params), 0)
            matrix, own = matrices[key]
            ctrl_state |= ((1 << own) - 1) << k
            k += own
        else:
            key = None
            matrix = ins.base_matrix()
        if k == 0 and len(qs) == 1 and ins.condition is None:
            q = qs[0]
            pending[q] = matrix if q not in pending else np.dot(matrix, pending[q])
            continue
        flush(qs)
        op = Op("gate", qs[k:], qs[:k], ctrl_state, matrix, condition=ins.condition)
        if key is not None:
            plan_key = (key, qs, ctrl_state)
            if plan_key not in planned:
                planned[plan_key] = kernels.plan(len(used), matrix, qs[k:], qs[:k], ctrl_state)
            op.kernel = planned[plan_key]
        ops.append(op)
    flush(sorted(pending))
    _mark_absorbed(ops, {q for q, _ in terminal if q != IDLE})
    return Program(len(used), circuit.num_clbits, ops, terminal, dynamic), used


def _mark_absorbed(ops: list[Op], measured_at_end: set[int]) -> None:
    """Mark measurements whose qubit is next reset (unconditionally), or never used again."""
    following: dict[int, Op] = {}  # qubit -> next op acting on it
    for op in reversed(ops):
        if op.kind == "measure" and op.targets[0] != IDLE:
            q = op.targets[0]
            nxt = following.get(q)
            op.absorb = (nxt.kind == "reset" and nxt.condition is None) if nxt is not None \
                else q not in measured_at_end
        for q in op.targets + op.controls:
            if q != IDLE:
                following[q] = op


def initial_state(num_qubits: int, state: np.ndarray | None = None,
                  dtype=np.complex128, copies: float = 2.0) -> np.ndarray:
    """|0...0>, or a validated copy of a user-supplied normalised state, in ``dtype``.
    ``copies``: how many states' worth of memory the caller needs (checked first)."""
    dtype = np.dtype(dtype)
    require_statevector(num_qubits, copies=copies, itemsize=dtype.itemsize)
    dim = 1 << num_qubits
    if state is None:
        psi = zeros(dim, dtype)
        psi[0] = 1
        return psi
    try:
        given = np.asarray(state)
        psi = np.array(given, dtype=np.complex128).ravel()
    except (TypeError, ValueError) as exc:
        raise CircuitError(f"initial state must be an array of {dim} amplitudes: "
                           f"{exc}") from None
    if psi.shape != (dim,):
        raise CircuitError(f"initial state must have 2^{num_qubits} = {dim} amplitudes, got "
                           f"{given.size}")
    if not np.all(np.isfinite(psi)):
        raise CircuitError("initial state holds NaN or infinite amplitudes")
    norm = float(np.vdot(psi, psi).real)
    # as for unitaries, the tolerance follows the precision of the input
    tol = {np.float16: 1e-2, np.float32: 1e-5, np.complex64: 1e-5}.get(given.dtype.type, 1e-8)
    if abs(norm - 1) > tol:
        raise CircuitError(f"initial state must be normalised, its norm^2 is {norm:.10g} "
                           f"(tolerance {tol:g})")
    if norm != 1:
        psi /= np.sqrt(norm)
    return psi if dtype == psi.dtype else psi.astype(dtype)


def apply_op(state: np.ndarray, n: int, op: Op) -> None:
    """Apply a gate to a state (or a batch of states), with a kernel prepared on first use."""
    kernel = op.kernel
    if kernel is None:
        kernel = op.kernel = kernels.plan(n, op.matrix, op.targets, op.controls,
                                          op.ctrl_state)
    kernel(state)


def _p1(psi: np.ndarray, n: int, q: int) -> float:
    return 0.0 if q == IDLE else kernels.probability_of_one(psi, n, q)


def _collapse(psi: np.ndarray, n: int, q: int, outcome: int, probability: float) -> None:
    if q != IDLE:  # renormalised by the norm kept, so rounding never accumulates
        kernels.row_collapse(psi[None, :], q, outcome)


# -- walking the operations ----------------------------------------------------------------------

# choose(op index, op, P(1), state, classical bits) -> the outcome of a measure or reset
Chooser = Callable[[int, Op, float, np.ndarray, int], int]


def _walk(program: Program, psi: np.ndarray, start: int, stop: int, classical: int,
          choose: Chooser) -> int:
    """Apply ops ``start..stop-1`` to ``psi`` in place; ``choose`` picks each measurement
    or reset outcome. Returns the classical bits at the end."""
    n = program.num_qubits
    ops = program.ops
    for i in range(start, stop):
        op = ops[i]
        if op.condition is not None and not op.condition.holds(classical):
            continue
        if op.kind == "gate":
            apply_op(psi, n, op)
            continue
        q = op.targets[0]
        p1 = _p1(psi, n, q)
        outcome = choose(i, op, p1, psi, classical)
        _collapse(psi, n, q, outcome, p1 if outcome else 1 - p1)
        classical = _after(op, psi, n, classical, outcome)
    return classical


def _after(op: Op, psi: np.ndarray, n: int, classical: int, outcome: int) -> int:
    """Finish a measure (record the bit) or a reset (flip |1> back to |0>)."""
    if op.kind == "measure":
        return (classical & ~(1 << op.clbit)) | (outcome << op.clbit)
    if outcome:
        kernels.flip(psi, n, op.targets[0])
    return classical


def final_state(program: Program, rng: np.random.Generator | None,
                state: np.ndarray | None = None, *, dtype=np.complex128,
                threads: int | None = None, plan_out: list | None = None) -> np.ndarray:
    """Run the program once. Measurements and resets inside it pick outcomes with ``rng``;
    without an ``rng`` a random outcome is an error (the state would not be defined).

    A program of gates only, on enough qubits, runs through the planner and the numba
    passes (:mod:`.planner`) in ``dtype``; its plan is appended to ``plan_out`` if given.
    Everything else runs on the numpy kernels in complex128 and is cast to ``dtype``.
    """
    dtype = np.dtype(dtype)
    if not program.dynamic and backend.use_planner(program.num_qubits, plan_out is not None):
        return _planned_state(program, state, dtype, threads, plan_out)
    psi = _numpy_state(program, rng, state)
    return psi if dtype == psi.dtype else psi.astype(dtype)


def _planned_state(program: Program, state, dtype: np.dtype, threads: int | None,
                   plan_out: list | None) -> np.ndarray:
    from . import planner
    # refuse an impossible size before planning for it
    require_statevector(program.num_qubits, copies=1.0, itemsize=dtype.itemsize)
    gates = ((op.matrix, op.targets, op.controls, op.ctrl_state) for op in program.ops)
    plan = planner.plan(program.num_qubits, gates, dtype)
    if plan_out is not None:
        plan_out.append(plan)
    # the passes work in place: the state plus chunk buffers, no full-size temporary
    psi = initial_state(program.num_qubits, state, dtype, copies=1.0)
    planner.execute(plan, psi, backend.thread_count(threads))
    return psi


def _numpy_state(program: Program, rng: np.random.Generator | None,
                 state: np.ndarray | None) -> np.ndarray:
    def choose(i: int, op: Op, p1: float, psi: np.ndarray, classical: int) -> int:
        if p1 < _ZERO:
            return 0
        if p1 > 1 - _ZERO:
            return 1
        if rng is None:
            raise CircuitError(
                f"the circuit's {op.kind} of qubit {op.targets[0]} has a random outcome "
                f"(P(1) = {p1:.4g}), so its state is not defined; pass seed= to follow one "
                "random trajectory, or use run() for measurement statistics")
        return int(rng.random() < p1)

    psi = initial_state(program.num_qubits, state)
    _walk(program, psi, 0, len(program.ops), 0, choose)
    return psi


# -- sampling -----------------------------------------------------------------------------------

def sample_indices(probabilities: np.ndarray, shots: int,
                   rng: np.random.Generator, draws: np.ndarray | None = None) -> np.ndarray:
    """Draw ``shots`` basis indices from ``probabilities`` (O(2**n + shots log 2**n));
    ``draws`` supplies the uniform numbers in [0, 1) instead of ``rng``."""
    cdf = np.cumsum(probabilities)
    total = cdf[-1]
    if draws is None:
        draws = rng.random(shots)
    idx = np.searchsorted(cdf, draws * total, side="right")
    return np.minimum(idx, len(cdf) - 1)


def sample(program: Program, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Measurement records of ``shots`` runs: a (shots, num_clbits) uint8 array, one row
    per shot in the order the shots were taken."""
    n, m = program.num_qubits, program.num_clbits
    records = np.zeros((shots, m), dtype=np.uint8)
    if shots == 0:
        return records
    if not program.dynamic:
        require_statevector(n)  # the state, then probabilities and their running sum
        psi = final_state(program, None)
        fill_terminal(records, psi, program.terminal, rng)
        return records
    require_statevector(n)
    rows_cap = max(1, available_bytes() // (3 * (16 << n)))
    start = rng.bit_generator.state
    groups = [np.arange(shots)]
    while groups:
        # every group draws the same random numbers, and each shot uses its own, so the
        # records do not depend on how the shots were grouped
        rng.bit_generator.state = start
        split = _run_group(program, groups.pop(), shots, records, rng, rows_cap)
        groups.extend(split)
    return records


def fill_terminal(rows: np.ndarray, psi: np.ndarray, terminal: list[tuple[int, int]],
                  rng: np.random.Generator, draws: np.ndarray | None = None) -> None:
    """Sample the final measurements ``terminal`` ((qubit, clbit) pairs) of every row
    of ``rows`` from the state ``psi``, in one pass."""
    if not terminal:
        return
    probs = np.abs(psi) ** 2
    idx = sample_indices(probs, rows.shape[0], rng, draws)
    for q, c in terminal:
        rows[:, c] = 0 if q == IDLE else (idx >> q) & 1


class _Batch:
    """The distinct states of a group of shots: ``rows[owner[s]]`` is the state of shot s."""

    def __init__(self, n: int, count: int, rows_cap: int) -> None:
        self.rows = initial_state(n)[None, :]
        self.owner = np.zeros(count, dtype=np.intp)
        self.cap = rows_cap

    def regroup(self, labels: np.ndarray) -> np.ndarray | None:
        """Give each (row, label) pair of the shots its own row. Returns the label of each
        row, or None when that would exceed the memory cap (the caller splits the group)."""
        r = self.rows.shape[0]
        self.source = np.arange(r)  # the row each row comes from
        lo, hi = int(labels.min()), int(labels.max())
        if lo == hi:
            return np.full(r, lo)
        width = hi - lo + 1
        pairs = self.owner * width + (labels - lo)
        present = np.bincount(pairs, minlength=r * width) > 0   # O(shots), no sort
        uniq = np.flatnonzero(present)
        table = np.cumsum(present) - 1
        inverse = table[pairs]
        if len(uniq) > r:
            if len(uniq) > self.cap and len(self.owner) > 1:
                self.owner = inverse.reshape(-1)
                self.split_at = len(uniq) // 2
                return None
            self.source = uniq // width
            self.rows = self.rows[self.source]
        self.owner = inverse.reshape(-1)
        return uniq % width + lo

    def merge_equal_rows(self) -> None:
        """Merge rows that hold the same state (up to a global phase)."""
        rows = self.rows
        r = rows.shape[0]
        if r < 2:
            return
        probe = _probe(rows.shape[1])
        keys = np.round(np.abs(rows @ probe) * 1e8)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        target = np.arange(r)
        for j in np.nonzero(first[inverse] != np.arange(r))[0]:
            ref = rows[first[inverse[j]]]
            overlap = np.vdot(ref, rows[j])
            phase = overlap / abs(overlap) if abs(overlap) > 0.5 else 0
            if phase and np.max(np.abs(rows[j] - phase * ref)) <= 1e-11:
                target[j] = first[inverse[j]]
        if np.all(target == np.arange(r)):
            return
        keep, new_index = np.unique(target, return_inverse=True)
        self.rows = rows[keep]
        self.owner = new_index.reshape(-1)[self.owner]


_PROBES: dict[int, np.ndarray] = {}


def _probe(dim: int) -> np.ndarray:
    """Two fixed random vectors: |<probe, row>| is a fingerprint of a state that ignores
    its global phase."""
    if dim not in _PROBES:
        _PROBES.clear()
        _PROBES[dim] = np.random.default_rng(0x9E3779B9).standard_normal((dim, 2))
    return _PROBES[dim]


def _run_group(program: Program, group: np.ndarray, shots: int, records: np.ndarray,
               rng: np.random.Generator, rows_cap: int) -> list[np.ndarray]:
    """Simulate the shots ``group`` (indices into ``records``), writing their records.
    Returns [] when done, or two smaller groups when the states did not fit."""
    n = program.num_qubits
    batch = _Batch(n, len(group), rows_cap)
    records[group] = 0  # a restarted group may find bits of its previous attempt
    for op in program.ops:
        draws = rng.random(shots)[group] if op.kind != "gate" else None
        active = None  # shots (bool mask) the operation applies to; None: all of them
        if op.condition is not None:
            bits = records[np.ix_(group, op.condition.clbits)]
            want = [(op.condition.value >> i) & 1 for i in range(len(op.condition.clbits))]
            active = np.all(bits == np.array(want, dtype=np.uint8), axis=1)
            if not active.any():
                continue
            if active.all():
                active = None
        if op.kind == "gate":
            if active is None:
                apply_op(batch.rows, n, op)
                continue
            row_labels = batch.regroup(active.astype(np.int8))
            if row_labels is None:
                return _halves(group, batch)
            sel = np.nonzero(row_labels)[0]
            sub = batch.rows[sel]
            apply_op(sub, n, op)
            batch.rows[sel] = sub
            continue
        if _measure_or_reset(op, batch, draws, active, group, records) is False:
            return _halves(group, batch)
    if program.terminal:
        draws = rng.random(shots)[group]
        order = np.argsort(batch.owner, kind="stable")
        bounds = np.searchsorted(batch.owner[order], np.arange(batch.rows.shape[0] + 1))
        for j in range(batch.rows.shape[0]):
            mine = order[bounds[j]:bounds[j + 1]]
            idx = sample_indices(np.abs(batch.rows[j]) ** 2, len(mine), rng, draws[mine])
            for q, c in program.terminal:
                records[group[mine], c] = 0 if q == IDLE else (idx >> q) & 1
    return []


def _halves(group: np.ndarray, batch: _Batch) -> list[np.ndarray]:
    low = batch.owner < batch.split_at
    return [group[~low], group[low]]


# labels of a shot at a measurement or reset
_SKIP, _ZERO_OUT, _ONE_OUT, _RESET_SAME = 0, 1, 2, 3


def _measure_or_reset(op: Op, batch: _Batch, draws: np.ndarray, active: np.ndarray | None,
                      group: np.ndarray, records: np.ndarray) -> bool:
    """Apply a measurement or reset to the shots ``active`` of the batch. Returns False
    when the rows it needs do not fit (the group must be split)."""
    q = op.targets[0]
    if q == IDLE:  # an idle qubit reads 0
        if op.kind == "measure":
            who = group if active is None else group[active]
            records[who, op.clbit] = 0
        return True
    p1_rows = kernels.row_probability_of_one(batch.rows, q)
    p1 = p1_rows[batch.owner]
    ones = np.where(p1 < _ZERO, False, np.where(p1 > 1 - _ZERO, True, draws < p1))
    if op.kind == "measure":
        who = slice(None) if active is None else active
        records[group[who], op.clbit] = ones[who]
    labels = np.where(ones, _ONE_OUT, _ZERO_OUT).astype(np.int8)
    if op.kind == "reset" or op.absorb:
        # an unentangled qubit: the state after the reset is the same for both outcomes
        undecided = (p1_rows >= _ZERO) & (p1_rows <= 1 - _ZERO)
        if undecided.any():
            same = np.zeros(len(p1_rows), dtype=bool)
            rows = batch.rows if undecided.all() else batch.rows[undecided]
            same[undecided] = kernels.row_is_product(rows, q)
            labels[same[batch.owner]] = _RESET_SAME
    if active is not None:
        labels[~active] = _SKIP
    row_labels = batch.regroup(labels)
    if row_labels is None:
        return False
    p1_rows = p1_rows[batch.source]
    reset = op.kind == "reset"
    for label, outcome in ((_ZERO_OUT, 0), (_ONE_OUT, 1), (_RESET_SAME, None)):
        sel = np.nonzero(row_labels == label)[0]
        if not len(sel):
            continue
        if outcome == 0 and not np.any(p1_rows[sel]):
            continue  # the qubit is |0> already (as after a reset): nothing to project
        whole = len(sel) == batch.rows.shape[0]
        sub = batch.rows if whole else batch.rows[sel]
        if outcome is None:
            kernels.row_reset_product(sub, q)
        else:
            kernels.row_collapse(sub, q, outcome, reset=reset or op.absorb)
        if not whole:
            batch.rows[sel] = sub
    batch.merge_equal_rows()
    return True
