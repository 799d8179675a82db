"""Exact noisy simulation: the density matrix as a state vector of 2n qubits.

The n-qubit density matrix rho is held as the vector ``v[i + (j << n)] = rho[i, j]``, a
state of 2n "qubits": qubit q of the circuit is bit q (rows) and bit q + n (columns). A
gate U on qubits qs is U on qs and conj(U) on qs + n (``U rho U^dagger``); a channel with
Kraus operators K is the 4**k x 4**k matrix ``sum kron(conj(K), K)`` on (qs, qs + n).
Those are ordinary (non-unitary) gates to the state-vector engine, so the density matrix
runs on the same planner, fusion and cache-blocked numba passes as a state vector.
A depolarizing channel on two or more qubits is not a dense 16x16 block (compute bound)
but one pass of its own, ``(1 - p) rho + p I/d Tr(rho)`` per group of entries
(:mod:`.nb_density`). Measured (BENCHMARKS.md, noise): 1.7 to 2.6 times faster than Aer's
density_matrix method at 10 to 12 qubits.

Measurements must be final (mid-circuit measurement, reset and classical conditions are
refused with a clear error, not approximated); the outcome distribution is the diagonal
of rho, and readout errors apply to it exactly (a 2x2 confusion per measured bit) before
shots are drawn.
"""
from __future__ import annotations

import numpy as np

from ...circuit import Circuit
from ...errors import BackendError, CircuitError
from ..memory import require_statevector
from ..statevector import engine as sv


def active_qubits(circuit: Circuit) -> list[int]:
    """The qubits a gate or a measurement touches: the others stay |0> and are not
    simulated (a compiled circuit names every qubit of its device)."""
    return sorted({q for ins in circuit.data if ins.kind in ("gate", "unitary", "measure")
                   for q in ins.qubits})


def events(circuit: Circuit, model, used: list[int]
           ) -> tuple[list[tuple[tuple[int, ...], np.ndarray, object]], list[tuple[int, int]]]:
    """The circuit as (simulated qubits, matrix, channel or None) per gate (circuit qubit
    used[i] is simulated qubit i; channels are looked up by the circuit's own qubits), and
    the final measurements as (simulated qubit, clbit) pairs. Anything but gates and final
    measurements is refused with BackendError."""
    where = {q: i for i, q in enumerate(used)}
    out: list = []
    terminal: list[tuple[int, int]] = []
    data = circuit.data
    # a measurement is final when nothing later touches its qubit or its clbit
    final: set[int] = set()
    touched_q: set[int] = set()
    touched_c: set[int] = set()
    for i in range(len(data) - 1, -1, -1):
        ins = data[i]
        if ins.kind == "barrier":
            continue
        if ins.kind == "measure" and ins.condition is None and \
                ins.qubits[0] not in touched_q and ins.clbits[0] not in touched_c:
            final.add(i)
        touched_q.update(ins.qubits)
        touched_c.update(ins.clbits)
    for i, ins in enumerate(data):
        kind = ins.kind
        if kind == "barrier":
            continue
        if ins.condition is not None:
            raise BackendError(f"{ins.display_name} at position {i} is classically "
                               "conditioned; the density_matrix backend simulates circuits "
                               "whose measurements are all final")
        if kind == "measure":
            if i not in final:
                raise BackendError(f"measure at position {i} is followed by operations on "
                                   "its qubit or clbit; the density_matrix backend "
                                   "simulates circuits whose measurements are all final")
            terminal.append((ins.qubits[0], ins.clbits[0]))
            continue
        if kind not in ("gate", "unitary"):
            raise BackendError(f"{kind} at position {i} cannot be simulated by the "
                               "density_matrix backend (only gates and final measurements)")
        if ins.is_parameterized:
            raise CircuitError(f"gate {ins.display_name} at position {i} has unbound "
                               "parameters; bind them with assign_parameters() first")
        qs = tuple(where[q] for q in ins.qubits)
        # by display name: a gate under extra controls (mcx, ...) is not the table gate
        channel = model.error_for(ins.display_name, tuple(ins.qubits)) \
            if model is not None else None
        out.append((qs, np.ascontiguousarray(ins.full_matrix()), channel))
    return out, [(where[q], c) for q, c in terminal]


def _gate_ops(circuit: Circuit, model, used: list[int]
              ) -> tuple[list, list[tuple[int, int]]]:
    """Engine ops on 2n qubits for the circuit's gates (U on the row qubits, conj(U) on
    the column qubits) and their channels: superoperators as gates, and depolarizing
    channels on 2+ qubits as ("depolarize", qubits, p) steps, each one pass of its own."""
    n = len(used)
    evs, terminal = events(circuit, model, used)
    ops: list = []
    for qs, u, channel in evs:
        ops.append(sv.Op("gate", qs, matrix=u))
        ops.append(sv.Op("gate", tuple(q + n for q in qs), matrix=np.ascontiguousarray(u.conj())))
        if channel is None:
            continue
        if channel.depolarizing is not None and channel.num_qubits >= 2:
            # a dense 16x16 superoperator would be compute bound; this is one pass (a
            # one-qubit channel stays a 4x4 block, which fuses with its gate)
            ops.append(("depolarize", qs, channel.depolarizing))
        else:
            ops.extend(channel_ops(channel, qs, n))
    return ops, terminal


def _run(vec: np.ndarray, n: int, ops: list, threads: int | None) -> None:
    """Apply ``ops`` (engine ops on 2n qubits and depolarizing steps) to ``vec``."""
    segment: list = []
    for op in ops + [None]:
        if op is not None and not isinstance(op, tuple):
            segment.append(op)
            continue
        if segment:
            _run_gates(vec, 2 * n, segment, threads)
            segment = []
        if op is not None:
            _depolarize(vec, n, op[1], op[2])


def _run_gates(vec: np.ndarray, m: int, ops: list, threads: int | None) -> None:
    from ..statevector import backend
    if backend.use_planner(m):
        from ..statevector import planner
        plan = planner.plan(m, ((o.matrix, o.targets, (), 0) for o in ops), vec.dtype)
        planner.execute(plan, vec, backend.thread_count(threads))
    else:
        for o in ops:
            sv.apply_op(vec, m, o)


def _depolarize(vec: np.ndarray, n: int, qs: tuple[int, ...], p: float) -> None:
    """(1 - p) rho + p (I / d) x Tr_qs(rho) on the vectorised density matrix, in place."""
    from ..statevector import backend
    k = len(qs)
    d = 1 << k
    row_off = np.array([sum(((r >> j) & 1) << q for j, q in enumerate(qs)) for r in range(d)],
                       dtype=np.int64)
    col_off = row_off << n
    if backend.use_planner(2 * n):  # large: the numba kernel, one pass
        from .nb_density import depolarize
        bits = np.array(sorted(list(qs) + [q + n for q in qs]), dtype=np.int64)
        depolarize(vec, bits, row_off, col_off, float(p))
        return
    rest = np.arange(vec.size)  # small: numpy on the gathered groups
    mask = int(row_off[-1] | col_off[-1])
    base = rest[(rest & mask) == 0]
    diag = base[:, None] + row_off[None, :] + col_off[None, :]
    trace = vec[diag].sum(axis=1)
    vec *= 1 - p
    vec[diag] += (p / d) * trace[:, None]


def channel_ops(channel, qubits: tuple[int, ...], n: int) -> list:
    """Engine ops of ``channel`` after a gate on ``qubits`` (a one-qubit channel on each)."""
    s = np.ascontiguousarray(channel.superop())
    if channel.num_qubits == 1:
        return [sv.Op("gate", (q, q + n), matrix=s) for q in qubits]
    return [sv.Op("gate", tuple(qubits) + tuple(q + n for q in qubits), matrix=s)]


def density_vector(circuit: Circuit, model=None, *, used: list[int] | None = None,
                   threads: int | None = None) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(vectorised final density matrix of the ``used`` qubits (all by default), final
    measurements as (index in ``used``, clbit)) of ``circuit`` under ``model``."""
    used = list(range(circuit.num_qubits)) if used is None else used
    n = len(used)
    require_statevector(2 * n, copies=1.5, what="a density matrix")
    ops, terminal = _gate_ops(circuit, model, used)
    vec = np.zeros(1 << (2 * n), dtype=np.complex128)
    vec[0] = 1
    _run(vec, n, ops, threads)
    return vec, terminal


def density_matrix(circuit: Circuit, model=None, *, threads: int | None = None) -> np.ndarray:
    """The final density matrix (2**n x 2**n, complex128), final measurements dropped."""
    vec, _ = density_vector(circuit, model, threads=threads)
    d = 1 << circuit.num_qubits
    return vec.reshape(d, d).T


def outcome_distribution(circuit: Circuit, model=None, *, threads: int | None = None
                         ) -> tuple[np.ndarray, int]:
    """P(classical register = k) for k < 2**m over the circuit's m clbits, readout errors
    included, and m. Clbits no measurement writes read 0."""
    used = active_qubits(circuit)
    vec, terminal = density_vector(circuit, model, used=used, threads=threads)
    n = len(used)
    d = 1 << n
    probs = np.clip(vec[::d + 1].real, 0.0, None)
    m = circuit.num_clbits
    # marginal over the measured qubits, in clbit order
    tensor = probs.reshape((2,) * n)  # axis a is qubit n - 1 - a
    measured = [q for q, _ in terminal]
    keep_axes = [n - 1 - q for q in measured]
    others = tuple(a for a in range(n) if a not in keep_axes)
    marg = tensor.sum(axis=others) if others else tensor
    remaining = sorted(keep_axes)
    marg = np.transpose(marg, [remaining.index(a) for a in keep_axes])  # axis i: measured[i]
    for i, (q, _) in enumerate(terminal):
        err = model.readout_for(used[q]) if model is not None else None
        if err is not None:
            marg = np.moveaxis(np.tensordot(err.matrix.T, np.moveaxis(marg, i, 0), axes=1),
                               0, i)
    out = np.zeros(1 << m) if m <= 24 else None
    if out is None:
        raise BackendError(f"{m} classical bits: the exact distribution over 2**{m} outcomes "
                           "is too large; measure fewer bits")
    flat = marg.reshape(-1) if terminal else np.ones(1)
    # index of the marginal: measured[0] is the most significant axis
    idx = np.zeros(flat.size, dtype=np.int64)
    k = len(terminal)
    for i, (_, c) in enumerate(terminal):
        bit = (np.arange(flat.size) >> (k - 1 - i)) & 1
        idx |= bit << c
    np.add.at(out, idx, flat)
    total = out.sum()
    return out / total, m


def sample(circuit: Circuit, model, shots: int, rng: np.random.Generator,
           threads: int | None = None) -> np.ndarray:
    """Measurement records (shots, num_clbits) drawn from the exact distribution."""
    dist, m = outcome_distribution(circuit, model, threads=threads)
    idx = sv.sample_indices(dist, shots, rng)
    records = np.zeros((shots, m), dtype=np.uint8)
    for c in range(m):
        records[:, c] = (idx >> c) & 1
    return records


def hellinger_fidelity(p: np.ndarray, q: np.ndarray) -> float:
    """(sum sqrt(p q))**2 of two distributions: 1 when equal (Qiskit's hellinger_fidelity)."""
    return float(np.sum(np.sqrt(np.clip(p, 0, None) * np.clip(q, 0, None))) ** 2)


def noisy_fidelity(circuit: Circuit, compiled: Circuit, model,
                   max_qubits: int = 12) -> float | None:
    """Hellinger fidelity of ``compiled`` run under ``model`` against ``circuit`` run
    ideally, over the measured bits; None when nothing is measured or more than
    ``max_qubits`` qubits are active (the density matrix would take long)."""
    if not any(ins.kind == "measure" for ins in circuit.data):
        return None
    if len(active_qubits(compiled)) > max_qubits or \
            len(active_qubits(circuit)) > max_qubits:
        return None
    ideal, _ = outcome_distribution(circuit, None)
    noisy, _ = outcome_distribution(compiled, model)
    return hellinger_fidelity(ideal, noisy)
