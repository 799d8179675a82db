"""Exact noisy simulation: the density matrix as a real Pauli vector of 2n bits.

The n-qubit density matrix is held as its Pauli coefficients ``c[x + (z << n)] =
Tr(P_(x,z) rho)`` (:mod:`.pauli`): a real vector of 4**n entries in which qubit q is bit q
(its X part) and bit q + n (its Z part), as in the vectorised matrix. A gate or channel on
k qubits is its real Pauli transfer matrix (4**k square) on those 2k bits: an ordinary
(real, non-unitary) gate to the state-vector planner, so the density matrix runs on the
same fusion and cache-blocked numba passes as a state vector, in real arithmetic on half
the memory of the complex matrix. A depolarizing channel is a diagonal and a Clifford gate
a signed permutation, so a CZ or CX with its error is one multiply an entry (the passes'
sparse kernel); one-qubit channel parts are 4x4 blocks that fuse with the gates around
them; unitaries on 4 or more qubits go through the matrix basis (:class:`Wide`). Qubits
join when a gate first touches them (:func:`density_vector`). The outcome distribution
is a Walsh-Hadamard transform of 2**n coefficients; the matrix, when asked for, one
tiled transform (:mod:`.nb_pauli`). Measured: BENCHMARKS.md, noise, fourth round.

Measurements must be final and nothing may be classically conditioned (refused with a
clear error naming the trajectories backend, which takes both); resets are channels. The
outcome distribution is the diagonal of rho, and readout errors apply to it exactly (a
2x2 confusion per measured bit) before shots are drawn.
"""
from __future__ import annotations

import numpy as np

from ...circuit import Circuit
from ...errors import BackendError, CircuitError
from ..memory import empty, require_statevector, zeros
from ..statevector import engine as sv
from . import pauli


def active_qubits(circuit: Circuit) -> list[int]:
    """The qubits a gate or a measurement touches: the others stay |0> and are not
    simulated (a compiled circuit names every qubit of its device)."""
    return sorted({q for ins in circuit.data if ins.kind in ("gate", "unitary", "measure")
                   for q in ins.qubits})


def final_measurements(circuit: Circuit) -> set[int]:
    """Positions of the final measurements: unconditioned, and nothing later acts on
    their qubit, writes their clbit or reads it in a condition."""
    final: set[int] = set()
    touched_q: set[int] = set()
    touched_c: set[int] = set()
    data = circuit.data
    for i in range(len(data) - 1, -1, -1):
        ins = data[i]
        if ins.kind == "barrier":
            continue
        if ins.kind == "measure" and ins.condition is None and \
                ins.qubits[0] not in touched_q and ins.clbits[0] not in touched_c:
            final.add(i)
        touched_q.update(ins.qubits)
        touched_c.update(ins.clbits)
        if ins.condition is not None:
            touched_c.update(ins.condition.clbits)
    return final


def is_static(circuit: Circuit) -> bool:
    """Whether the density-matrix backend takes ``circuit``: no classical conditions and
    every measurement final (resets are channels: fine)."""
    final = final_measurements(circuit)
    return all(ins.condition is None and (ins.kind != "measure" or i in final)
               for i, ins in enumerate(circuit.data))


def reset_channel(model, qubit: int):
    """Reset to |0> (Kraus |0><0|, |0><1|), then the model's error for "reset" if any."""
    from ...noise import reset_error
    channel = reset_error(1.0)
    err = model.error_for("reset", (qubit,)) if model is not None else None
    return channel if err is None else channel.compose(err)


def gate_error(model, ins):
    """The model's channel after gate ``ins``, or None; looked up by display name: a gate
    under extra controls (mcx, ...) is not the table gate."""
    return model.error_for(ins.display_name, tuple(ins.qubits)) if model is not None \
        else None


def gate_matrix(ins, i: int) -> np.ndarray:
    if ins.is_parameterized:
        raise CircuitError(f"gate {ins.display_name} at position {i} has unbound "
                           "parameters; bind them with assign_parameters() first")
    return np.ascontiguousarray(ins.full_matrix())


def events(circuit: Circuit, model, used: list[int]
           ) -> tuple[list[tuple[tuple[int, ...], np.ndarray | None, object]],
                      list[tuple[int, int]]]:
    """The circuit as (simulated qubits, matrix or None, channel or None) per gate or
    reset (circuit qubit used[i] is simulated qubit i; channels are looked up by the
    circuit's own qubits; a reset is no matrix and the reset channel), and the final
    measurements as (simulated qubit, clbit) pairs. Mid-circuit measurements and classical
    conditions are refused with BackendError (the trajectories backend takes them)."""
    where = {q: i for i, q in enumerate(used)}
    out: list = []
    terminal: list[tuple[int, int]] = []
    final = final_measurements(circuit)
    for i, ins in enumerate(circuit.data):
        kind = ins.kind
        if kind == "barrier":
            continue
        if ins.condition is not None:
            raise BackendError(f"{ins.display_name} at position {i} is classically "
                               "conditioned; the density_matrix backend simulates circuits "
                               "whose measurements are all final: use "
                               "backend='trajectories'")
        if kind == "measure":
            if i not in final:
                raise BackendError(f"measure at position {i} is followed by operations on "
                                   "its qubit or clbit; the density_matrix backend "
                                   "simulates circuits whose measurements are all final: "
                                   "use backend='trajectories'")
            terminal.append((ins.qubits[0], ins.clbits[0]))
            continue
        if kind == "reset":
            if ins.qubits[0] in where:  # a qubit nothing else touches stays |0>
                out.append(((where[ins.qubits[0]],), None,
                            reset_channel(model, ins.qubits[0])))
            continue
        if kind not in ("gate", "unitary"):
            raise BackendError(f"{kind} at position {i} cannot be simulated by the "
                               "density_matrix backend (only gates, resets and final "
                               "measurements)")
        qs = tuple(where[q] for q in ins.qubits)
        out.append((qs, gate_matrix(ins, i), gate_error(model, ins)))
    return out, [(where[q], c) for q, c in terminal]


WIDE_GATE = 4  # gates on this many qubits or more: applied in the matrix basis (below)


class Wide:
    """A unitary on ``WIDE_GATE`` or more qubits: its PTM (4**k square) would be too large,
    so it is applied to a complex copy in the matrix basis (:func:`_apply_wide`)."""

    __slots__ = ("matrix", "qubits")

    def __init__(self, matrix: np.ndarray, qubits: tuple[int, ...]):
        self.matrix = matrix
        self.qubits = qubits


SWAP_REAL = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=np.float64)


def _items(evs: list, n: int, cache: dict) -> list:
    """Planner items on 2n bits (qubit q: bits q and q + n) for the events ``evs``, each a
    real PTM: the gate's, times the multi-qubit parts of its channel (a depolarizing
    channel is a diagonal: a Clifford gate with it stays a signed permutation); the
    one-qubit parts of a channel follow as 4x4 PTMs of their own, which fuse with the
    next gates on their qubit. A swap without a channel is two relabellings (free).
    ``cache``: PTMs of channels, by id (a model hands out the same channel objects)."""
    from ...circuit.gates import GATES
    swap = GATES["swap"].matrix()
    items: list = []

    def ptm(ch):
        key = id(ch)
        if key not in cache:
            cache[key] = (ch, pauli.from_channel(ch))
        return cache[key][1]

    def bits(qs):
        return tuple(qs) + tuple(q + n for q in qs)

    for qs, u, channel in evs:
        k = len(qs)
        if u is not None and channel is None and k == 2 and np.array_equal(u, swap):
            items.append((SWAP_REAL, (qs[0], qs[1]), (), 0))
            items.append((SWAP_REAL, (qs[0] + n, qs[1] + n), (), 0))
            continue
        r = None
        if u is not None:
            if k >= WIDE_GATE:
                items.append(Wide(u, qs))
            else:
                r = pauli.from_unitary(u)
        later: list = []
        if channel is not None:
            if channel.num_qubits == 1 and k > 1:  # a one-qubit error on each qubit
                later = [(ptm(channel), (q,)) for q in qs]
            else:
                for part, local in channel.leaves():
                    if part.is_identity():
                        continue
                    pq = tuple(qs[i] for i in local)
                    if local == tuple(range(k)) and not later and (r is not None or
                                                                    u is None):
                        r = ptm(part) if r is None else ptm(part) @ r
                    else:
                        later.append((ptm(part), pq))
        if r is not None:
            items.append((r, bits(qs), (), 0))
        items.extend((m, bits(pq), (), 0) for m, pq in later)
    return items


def _run(vec: np.ndarray, n: int, items: list, threads: int | None) -> None:
    """Apply ``items`` (planner items and :class:`Wide` gates) on 2n bits to ``vec``."""
    batch: list = []
    for item in items:
        if isinstance(item, Wide):
            _run_batch(vec, n, batch, threads)
            batch = []
            _apply_wide(vec, n, item, threads)
        else:
            batch.append(item)
    _run_batch(vec, n, batch, threads)


def _run_batch(vec: np.ndarray, n: int, items: list, threads: int | None) -> None:
    """Planner items on 2n bits: cache-blocked numba passes when the state is large
    enough, else numpy one item at a time."""
    if not items:
        return
    from ..statevector import backend
    m = 2 * n
    if backend.use_planner(m):
        from ..statevector import planner
        plan = planner.plan(m, items, vec.dtype)
        planner.execute(plan, vec, backend.thread_count(threads))
        return
    from ..statevector import kernels
    for matrix, qubits, _, _ in items:
        kernels.apply_matrix(vec, m, matrix, qubits)


def _apply_wide(vec: np.ndarray, n: int, gate: Wide, threads: int | None) -> None:
    """A wide unitary on the Pauli vector: its qubits taken to the matrix basis on a
    complex copy (the other qubits stay Pauli: the maps act on different bits), U on
    their row bits and conj(U) on their column bits, and back."""
    qs = gate.qubits
    w = empty(vec.size, np.complex128)
    w[:] = vec
    items = [(pauli.TO_MATRIX, (q, q + n), (), 0) for q in qs]
    items.append((gate.matrix, qs, (), 0))
    items.append((np.ascontiguousarray(gate.matrix.conj()), tuple(q + n for q in qs), (), 0))
    items.extend((pauli.FROM_MATRIX, (q, q + n), (), 0) for q in qs)
    _run_batch(w, n, items, threads)
    vec[:] = w.real


GROW_TO_ALL = 2  # within this many qubits of the whole, a growing run takes them all


def density_vector(circuit: Circuit, model=None, *, used: list[int] | None = None,
                   threads: int | None = None
                   ) -> tuple[np.ndarray, list[tuple[int, int]], list[int]]:
    """The final density matrix of the ``used`` qubits (all by default) as its Pauli
    vector (:mod:`.pauli`), the final measurements as (simulated qubit, clbit), and
    ``order``: simulated qubit i is ``used[order[i]]``.

    Qubits join the simulation when a gate first touches them (until then each is a
    |0><0| factor): the state grows by embedding, ``rho -> rho x |0><0|``, so a circuit
    that brings qubits in one by one (a GHZ chain) spends most gates on a density matrix
    a fraction of the final size. Within ``GROW_TO_ALL`` qubits of the whole, the run
    takes every remaining qubit at once (each growth costs a pass of its own)."""
    used = list(range(circuit.num_qubits)) if used is None else used
    n = len(used)
    require_statevector(2 * n, copies=1.5, what="a density matrix")
    evs, terminal = events(circuit, model, used)
    order: list[int] = []
    seen: set[int] = set()
    segments: list[tuple[int, list]] = []  # (qubits simulated, events)
    for qs, u, channel in evs:
        fresh = [q for q in qs if q not in seen]
        if fresh or not segments:
            for q in fresh:
                seen.add(q)
                order.append(q)
            size = len(order)
            if size >= n - GROW_TO_ALL:
                size = n
            if not segments or size > segments[-1][0]:
                segments.append((size, []))
        segments[-1][1].append((qs, u, channel))
    for q in range(n):
        if q not in seen:
            order.append(q)
    pos = {q: i for i, q in enumerate(order)}
    cache: dict = {}
    runs = []
    for size, part in segments:
        moved = [(tuple(pos[q] for q in qs), u, ch) for qs, u, ch in part]
        runs.append((size, _items(moved, size, cache)))
    vec = np.ones(1, dtype=np.float64)
    k = 0
    for size, items in runs:
        vec = pauli.grow(vec, k, size, zeros)
        k = size
        _run(vec, k, items, threads)
    vec = pauli.grow(vec, k, n, zeros)
    return vec, [(pos[q], c) for q, c in terminal], order


def expectations(circuit: Circuit, model, observables: list, *,
                 threads: int | None = None) -> np.ndarray:
    """``Tr(rho O)`` for each observable (``qv.Observable`` on the circuit's qubits) of the
    circuit's final density matrix: each Pauli term ``w P`` adds ``w c_P``, one entry of
    the Pauli vector (the matrix is never formed)."""
    vec, _, order = density_vector(circuit, model, threads=threads)
    n = circuit.num_qubits
    out = np.zeros(len(observables), dtype=np.complex128)
    for k, obs in enumerate(observables):
        xs, zs, cs = obs.masks()  # cs includes i per Y (term = cs X^x Z^z, Y = i X Z)
        xm = np.zeros_like(xs)
        zm = np.zeros_like(zs)
        ny = np.zeros_like(xs)
        for i, q in enumerate(order):  # circuit qubit q is simulated qubit i
            bx, bz = (xs >> q) & 1, (zs >> q) & 1
            xm |= bx << i
            zm |= bz << i
            ny += bx & bz
        weights = cs * (-1j) ** (ny % 4)
        out[k] = np.sum(weights * vec[xm + (zm << n)])
    return out


def to_matrix_vector(vec: np.ndarray, n: int, threads: int | None = None) -> np.ndarray:
    """The vectorised density matrix ``v[i + (j << n)] = rho[i, j]`` (complex) of a Pauli
    vector: numpy's per-qubit change of basis (``pauli.TO_MATRIX``) for small states, the
    numba transform of :mod:`.nb_pauli` from ``PLAN_MIN_QUBITS`` bits up."""
    from ..statevector import backend
    out = empty(vec.size, np.complex128)
    if not backend.use_planner(2 * n):
        out[:] = vec
        _run_batch(out, n, [(pauli.TO_MATRIX, (q, q + n), (), 0) for q in range(n)],
                   threads)
        return out
    import numba

    from . import nb_pauli
    count = backend.thread_count(threads)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))
        nb_pauli.to_matrix(vec, n, out, count)
    finally:
        numba.set_num_threads(previous)
    return out


def density_matrix(circuit: Circuit, model=None, *, threads: int | None = None) -> np.ndarray:
    """The final density matrix (2**n x 2**n, complex128), final measurements dropped.
    Memory at the peak: the Pauli vector (8 bytes an entry) and the matrix (16)."""
    pvec, _, order = density_vector(circuit, model, threads=threads)
    n = circuit.num_qubits
    pvec = in_circuit_order(pvec, n, order)
    vec = to_matrix_vector(pvec, n, threads)
    del pvec
    d = 1 << n
    return vec.reshape(d, d).T  # v[i + (j << n)] = rho[i, j]


def in_circuit_order(vec: np.ndarray, n: int, order: list[int]) -> np.ndarray:
    """The Pauli vector with simulated qubit i moved to circuit qubit ``order[i]`` (its X
    bit to bit ``order[i]``, its Z bit to ``order[i] + n``); ``vec`` itself when the
    orders agree."""
    if order == list(range(n)):
        return vec
    m = 2 * n
    perm = [0] * m  # tensor axis a is bit m - 1 - a
    for i, q in enumerate(order):
        perm[m - 1 - q] = m - 1 - i
        perm[m - 1 - (q + n)] = m - 1 - (i + n)
    out = empty(vec.size, vec.dtype)
    out.reshape((2,) * m)[...] = vec.reshape((2,) * m).transpose(perm)
    return out


def outcome_distribution(circuit: Circuit, model=None, *, threads: int | None = None
                         ) -> tuple[np.ndarray, int]:
    """P(classical register = k) for k < 2**m over the circuit's m clbits, readout errors
    included, and m. Clbits no measurement writes read 0."""
    used = active_qubits(circuit)
    vec, terminal, order = density_vector(circuit, model, used=used, threads=threads)
    n = len(used)
    probs = np.clip(pauli.probabilities(vec, n), 0.0, None)
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
        err = model.readout_for(used[order[q]]) if model is not None else None
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
