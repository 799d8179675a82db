"""Exact noisy simulation: the density matrix as a state vector of 2n qubits.

The n-qubit density matrix rho is held as the vector ``v[i + (j << n)] = rho[i, j]``, a
state of 2n "qubits": qubit q of the circuit is bit q (rows) and bit q + n (columns). A
gate U on qubits qs is U on qs and conj(U) on qs + n (``U rho U^dagger``); a channel with
Kraus operators K is the 4**k x 4**k matrix ``sum kron(conj(K), K)`` on (qs, qs + n).
Those are ordinary (non-unitary) gates to the state-vector engine, so the density matrix
runs on the same planner, fusion and cache-blocked numba passes as a state vector.
A depolarizing channel on two or more qubits is neither a dense 16x16 block (compute
bound) nor a pass of its own but a ``depol`` block inside the passes: its factor (1 - p)
is carried outside the state, so it only adds to each group's diagonal
(:func:`_items`). Qubits join when a gate first touches them (:func:`density_vector`).
Measured (BENCHMARKS.md, noise, second round): 3.4 to 5.7 times faster than Aer's
density_matrix method at 10 to 14 qubits (14 on GHZ 12 when memory is reused), compute
bound on circuits that keep every qubit busy.

Measurements must be final and nothing may be classically conditioned (refused with a
clear error naming the trajectories backend, which takes both); resets are channels. The
outcome distribution is the diagonal of rho, and readout errors apply to it exactly (a
2x2 confusion per measured bit) before shots are drawn.
"""
from __future__ import annotations

import numpy as np

from ...circuit import Circuit
from ...errors import BackendError, CircuitError
from ..memory import require_statevector, zeros
from ..statevector import engine as sv


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


DEFER_FLOOR = 1e-30  # carried scale below which depolarizing channels scale explicitly


def _items(evs: list, n: int, scale: float) -> tuple[list, float]:
    """Planner items on 2n qubits for the events ``evs`` (U on the row qubits, conj(U)
    on the column qubits, then the channel), and ``scale`` times the factor the run must
    start from.

    A channel made of depolarizing and one-qubit parts (every model ``from_target``
    builds) is applied part by part: one-qubit parts as 4x4 superoperators, which fuse
    with the gates around them, and depolarizing ones as ``depol`` blocks. A depolarizing
    channel is ``keep * rho + (p / d) I x Tr(rho)``; the factor ``keep`` is the same for
    every entry, so it is carried outside (``rho = s * sigma``) and the block only adds
    ``p / (d keep)`` times each group's trace to its diagonal: the run starts from
    ``s = prod(keep)`` instead of 1 (the map is linear). Below ``DEFER_FLOOR``, or when
    ``p > 1/2``, a block scales its entries itself."""
    from ..statevector.fusion import DEPOL, DIAG, Block
    items: list = []
    for qs, u, channel in evs:
        d = np.diagonal(u) if u is not None else None
        if u is None:  # a reset: its channel only
            pass
        elif len(qs) > 1 and not np.any(u - np.diag(d)):
            # a diagonal gate (cz, cp, rzz) is one table on its row and column bits
            table = np.ascontiguousarray(np.kron(d.conj(), d))
            items.append(Block(DIAG, qs + tuple(q + n for q in qs), table))
        else:
            items.append((u, qs, (), 0))
            items.append((np.ascontiguousarray(u.conj()), tuple(q + n for q in qs), (), 0))
        if channel is None:
            continue
        leaves = channel.leaves()
        if not all(c.depolarizing is not None or c.num_qubits == 1 for c, _ in leaves):
            leaves = [(channel, tuple(range(channel.num_qubits)))]
        # a one-qubit channel after a wider gate acts on each of its qubits
        for group in ([(q,) for q in qs] if channel.num_qubits == 1 else [qs]):
            for part, local in leaves:
                pq = tuple(group[i] for i in local)
                if part.depolarizing is not None and len(pq) > 1:
                    if part.depolarizing == 0:
                        continue
                    p = part.depolarizing
                    d = 1 << len(pq)
                    keep = 1.0 - p
                    if keep >= 0.5 and scale * keep >= DEFER_FLOOR:
                        scale *= keep
                        data = np.array([p / (d * keep), 1.0], dtype=np.complex128)
                    else:
                        data = np.array([p / d, keep], dtype=np.complex128)
                    items.append(Block(DEPOL, pq + tuple(q + n for q in pq), data))
                elif not part.is_identity():
                    items.extend(channel_items(part, pq, n))
    return items, scale


def _run(vec: np.ndarray, n: int, items: list, threads: int | None) -> None:
    """Apply planner ``items`` on 2n qubits to ``vec``: cache-blocked numba passes when
    the state is large enough, else numpy one item at a time."""
    from ..statevector import backend
    m = 2 * n
    if backend.use_planner(m):
        from ..statevector import planner
        plan = planner.plan(m, items, vec.dtype)
        planner.execute(plan, vec, backend.thread_count(threads))
        return
    from ..statevector import kernels
    for item in items:
        if isinstance(item, tuple):
            kernels.apply_matrix(vec, m, item[0], item[1])
        elif item.kind == "diag":
            kernels.apply_diagonal(vec, m, item.data, item.qubits)
        else:
            _depolarize(vec, item.qubits, complex(item.data[0]), complex(item.data[1]))


def _depolarize(vec: np.ndarray, bits: tuple[int, ...], a: complex, keep: complex) -> None:
    """The ``depol`` block in numpy (small states): each group of entries differing in
    ``bits`` (k row bits, then k column bits) scaled by ``keep``, its diagonal raised by
    ``a`` times its trace."""
    k = len(bits) // 2
    d = 1 << k
    diag = np.array([sum((((t >> j) & 1) << bits[j]) | (((t >> j) & 1) << bits[k + j])
                         for j in range(k)) for t in range(d)], dtype=np.int64)
    rest = np.arange(vec.size)
    mask = sum(1 << b for b in bits)
    base = rest[(rest & mask) == 0]
    where = base[:, None] + diag[None, :]
    trace = vec[where].sum(axis=1)
    if keep != 1:
        vec *= keep
    vec[where] += a * trace[:, None]


def channel_items(channel, qubits: tuple[int, ...], n: int) -> list:
    """Planner items of ``channel`` after a gate on ``qubits`` (a one-qubit channel on
    each): its superoperator as a gate on (qubits, qubits + n)."""
    s = np.ascontiguousarray(channel.superop())
    if channel.num_qubits == 1:
        return [(s, (q, q + n), (), 0) for q in qubits]
    return [(s, tuple(qubits) + tuple(q + n for q in qubits), (), 0)]


GROW_TO_ALL = 2  # within this many qubits of the whole, a growing run takes them all


def density_vector(circuit: Circuit, model=None, *, used: list[int] | None = None,
                   threads: int | None = None
                   ) -> tuple[np.ndarray, list[tuple[int, int]], list[int]]:
    """The vectorised final density matrix of the ``used`` qubits (all by default), the
    final measurements as (simulated qubit, clbit), and ``order``: simulated qubit i is
    ``used[order[i]]``.

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
    scale = 1.0
    runs = []
    for size, part in segments:
        moved = [(tuple(pos[q] for q in qs), u, ch) for qs, u, ch in part]
        items, scale = _items(moved, size, scale)
        runs.append((size, items))
    vec = np.full(1, scale, dtype=np.complex128)
    k = 0
    for size, items in runs:
        vec = _grow(vec, k, size)
        k = size
        _run(vec, k, items, threads)
    vec = _grow(vec, k, n)
    return vec, [(pos[q], c) for q, c in terminal], order


def _grow(vec: np.ndarray, k: int, size: int) -> np.ndarray:
    """The vectorised density matrix of k qubits, tensored with |0><0| on qubits
    k..size-1 (``v[i + (j << n)] = rho[i, j]``: rows and columns both gain high zeros)."""
    if size == k:
        return vec
    out = zeros(1 << (2 * size), vec.dtype)
    d, big = 1 << k, 1 << size
    out.reshape(big, big)[:d, :d] = vec.reshape(d, d)
    return out


def density_matrix(circuit: Circuit, model=None, *, threads: int | None = None) -> np.ndarray:
    """The final density matrix (2**n x 2**n, complex128), final measurements dropped."""
    vec, _, order = density_vector(circuit, model, threads=threads)
    n = circuit.num_qubits
    d = 1 << n
    rho = vec.reshape(d, d).T  # rho[i, j], simulated qubit order
    if order == list(range(n)):
        return rho
    # axis a of a (2,)*n index is qubit n - 1 - a: put simulated qubit i at order[i]
    t = rho.reshape((2,) * (2 * n))
    perm_axis = [0] * n
    for i, q in enumerate(order):
        perm_axis[n - 1 - q] = n - 1 - i
    t = t.transpose(perm_axis + [n + a for a in perm_axis])
    return np.ascontiguousarray(t.reshape(d, d))


def outcome_distribution(circuit: Circuit, model=None, *, threads: int | None = None
                         ) -> tuple[np.ndarray, int]:
    """P(classical register = k) for k < 2**m over the circuit's m clbits, readout errors
    included, and m. Clbits no measurement writes read 0."""
    used = active_qubits(circuit)
    vec, terminal, order = density_vector(circuit, model, used=used, threads=threads)
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
