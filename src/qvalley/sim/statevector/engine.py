"""Exact state-vector execution of a circuit: final states and measurement samples.

How shots are produced (never a silently wrong answer):

* Measurements that nothing depends on afterwards (terminal measurements) are taken out of
  the circuit and sampled from the final state in one pass: ``O(2**n + shots)``.
* When the rest still holds measurements, resets or classically conditioned operations,
  the engine branches: at each such measurement the shots of the current branch are split
  between the two outcomes by a binomial draw with the Born probability, and each outcome
  continues on its own collapsed copy of the state (depth first, so only the states along
  one path are kept; if a copy does not fit in memory the branch is recomputed from the
  start instead). The work is bounded by the number of distinct branches, never by the
  number of shots.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...circuit import Circuit
from ...circuit.instruction import Condition
from ...errors import CircuitError
from ..memory import available_bytes, require_statevector
from . import kernels

_ZERO = 1e-13  # outcome probabilities below this are treated as impossible
IDLE = -1      # target of a measure of a qubit that is not simulated: it is |0>, reads 0


@dataclass
class Op:
    """A prepared operation: ``kind`` in gate | measure | reset; matrices precomputed."""

    kind: str
    targets: tuple[int, ...]
    controls: tuple[int, ...] = ()
    ctrl_state: int = 0
    matrix: np.ndarray | None = None
    clbit: int = -1
    condition: Condition | None = None


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
        if instr.is_parameterized:
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
        for i in range(len(data) - 1, -1, -1):
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
        if ins.kind == "measure":
            dynamic = True
            ops.append(Op("measure", qs, clbit=ins.clbits[0], condition=ins.condition))
        elif ins.kind == "reset":
            dynamic = True
            ops.append(Op("reset", qs, condition=ins.condition))
        else:
            k = ins.num_ctrl
            ops.append(Op("gate", qs[k:], qs[:k], ins.ctrl_state, ins.base_matrix(),
                          condition=ins.condition))
    return Program(len(used), circuit.num_clbits, ops, terminal, dynamic), used


def initial_state(num_qubits: int, state: np.ndarray | None = None) -> np.ndarray:
    """|0...0>, or a validated copy of a user-supplied normalised state."""
    require_statevector(num_qubits)
    dim = 1 << num_qubits
    if state is None:
        psi = np.zeros(dim, dtype=np.complex128)
        psi[0] = 1
        return psi
    psi = np.array(state, dtype=np.complex128).ravel()
    if psi.shape != (dim,):
        raise CircuitError(f"initial state must have 2^{num_qubits} = {dim} amplitudes, got "
                           f"{np.asarray(state).size}")
    if not np.all(np.isfinite(psi)):
        raise CircuitError("initial state holds NaN or infinite amplitudes")
    norm = float(np.vdot(psi, psi).real)
    if abs(norm - 1) > 1e-8:
        raise CircuitError(f"initial state must be normalised, its norm^2 is {norm:.6g}")
    return psi


def apply_op(state: np.ndarray, n: int, op: Op) -> None:
    kernels.apply_matrix(state, n, op.matrix, op.targets, op.controls, op.ctrl_state)


def _p1(psi: np.ndarray, n: int, q: int) -> float:
    return 0.0 if q == IDLE else kernels.probability_of_one(psi, n, q)


def _collapse(psi: np.ndarray, n: int, q: int, outcome: int, probability: float) -> None:
    if q != IDLE:
        kernels.collapse(psi, n, q, outcome, probability)


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
                state: np.ndarray | None = None) -> np.ndarray:
    """Run the program once. Measurements and resets inside it pick outcomes with ``rng``;
    without an ``rng`` a random outcome is an error (the state would not be defined)."""
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
                   rng: np.random.Generator) -> np.ndarray:
    """Draw ``shots`` basis indices from ``probabilities`` (O(2**n + shots log 2**n))."""
    cdf = np.cumsum(probabilities)
    total = cdf[-1]
    draws = rng.random(shots) * total
    idx = np.searchsorted(cdf, draws, side="right")
    return np.minimum(idx, len(cdf) - 1)


def sample(program: Program, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Measurement records of ``shots`` runs: a (shots, num_clbits) uint8 array, row order
    random (each row is one shot)."""
    n, m = program.num_qubits, program.num_clbits
    records = np.zeros((shots, m), dtype=np.uint8)
    if shots == 0:
        return records
    if not program.dynamic:
        psi = final_state(program, None)
        _fill_terminal(records, psi, program, rng)
        return records
    filled = 0
    for psi, count, classical in _branches(program, shots, rng):
        rows = records[filled:filled + count]
        for c in range(m):
            rows[:, c] = (classical >> c) & 1
        _fill_terminal(rows, psi, program, rng)
        filled += count
    assert filled == shots
    return records[rng.permutation(shots)]


def _fill_terminal(rows: np.ndarray, psi: np.ndarray, program: Program,
                   rng: np.random.Generator) -> None:
    if not program.terminal:
        return
    probs = np.abs(psi) ** 2
    idx = sample_indices(probs, rows.shape[0], rng)
    for q, c in program.terminal:
        rows[:, c] = 0 if q == IDLE else (idx >> q) & 1


def _branches(program: Program, shots: int, rng: np.random.Generator):
    """Depth-first walk of the measurement tree; yields (state, shots, classical bits)."""
    n = program.num_qubits
    state_bytes = 16 << n
    # stack entries: (op index, state or None, shots, classical, outcome path); the path
    # is a linked list (op index, outcome, parent) so extending it costs O(1)
    stack = [(0, initial_state(n), shots, 0, None)]
    while stack:
        start, psi, count, classical, path = stack.pop()
        if psi is None:  # recompute this branch from the beginning
            psi, classical = _replay(program, start, path)

        def choose(i: int, op: Op, p1: float, psi: np.ndarray, classical: int) -> int:
            nonlocal count, path
            ones = 0 if p1 < _ZERO else count if p1 > 1 - _ZERO else \
                int(rng.binomial(count, p1))
            zeros = count - ones
            if ones and zeros:
                # the outcome-1 branch waits on the stack with its own copy, or, when a
                # copy would not fit in memory, with the path to recompute it
                other, other_classical = None, classical
                if state_bytes * (len(stack) + 3) < available_bytes():
                    other = psi.copy()
                    _collapse(other, n, op.targets[0], 1, p1)
                    other_classical = _after(op, other, n, classical, 1)
                stack.append((i + 1, other, ones, other_classical, (i, 1, path)))
                count = zeros
            outcome = 0 if zeros else 1
            path = (i, outcome, path)
            return outcome

        classical = _walk(program, psi, start, len(program.ops), classical, choose)
        yield psi, count, classical


def _replay(program: Program, stop: int, path) -> tuple[np.ndarray, int]:
    """Recompute the state of a branch whose outcomes up to op ``stop`` are on ``path``."""
    forced: dict[int, int] = {}
    while path is not None:
        index, outcome, path = path
        forced[index] = outcome
    psi = initial_state(program.num_qubits)
    classical = _walk(program, psi, 0, stop, 0, lambda i, *_: forced[i])
    return psi, classical
