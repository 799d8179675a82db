"""Noisy runs on state vectors: quantum trajectories, shots that share a history share work.

A channel with Kraus operators K_i applied to a pure state psi gives K_i psi / |K_i psi|
with probability |K_i psi|**2; averaging over these choices is the density matrix, so each
shot is an exact sample of the noisy outcome distribution. The shots are not simulated one
by one: they start as one group with one state, and at each channel the group's shots are
split among the Kraus choices by a multinomial draw with those probabilities (the same for
every shot of a group: they share the state). A branch that no shot takes is never
simulated, and at the error rates of real machines most shots stay in the branch with no
error, so a run costs a handful of state-vector simulations, not one per shot.
Channels whose Kraus operators are all multiples of unitaries (depolarizing, Pauli) have
probabilities that do not depend on the state, and their branches need no trial products.

Branches are walked depth first: the current one continues, the others wait with a copy of
their state while the memory budget allows, otherwise with their history (the Kraus
choices so far), from which they are replayed without drawing anything. Measurements must
be final, as for the density matrix; each branch's shots are sampled from its final state,
readout errors flip bits shot by shot, and the records are shuffled so that memory order
carries no trace of the grouping.
"""
from __future__ import annotations

import numpy as np

from ...circuit import Circuit
from ..memory import available_bytes, require_statevector
from ..statevector import engine as sv
from ..statevector import kernels
from .engine import active_qubits, events


def _kraus_plan(channel):
    """(Kraus operators, their probabilities when every one is a multiple of a unitary
    (then the same for every state), else None)."""
    ks = list(channel.kraus)
    probs = []
    for k in ks:
        kk = k.conj().T @ k
        p = float(np.real(kk[0, 0]))
        if not np.allclose(kk, p * np.eye(k.shape[0]), atol=1e-12):
            return ks, None
        probs.append(p)
    return ks, np.array(probs) / sum(probs)


def _steps(circuit: Circuit, model, used: list[int]):
    """("u", op) for a gate, ("k", (Kraus, fixed probabilities), qubits) for a channel on
    one group of qubits (a one-qubit channel after a k-qubit gate is k steps)."""
    evs, terminal = events(circuit, model, used)
    plans: dict[int, tuple] = {}
    steps: list[tuple] = []
    for qs, u, channel in evs:
        steps.append(("u", sv.Op("gate", qs, matrix=u)))
        if channel is None:
            continue
        plan = plans.setdefault(id(channel), _kraus_plan(channel))
        groups = [(q,) for q in qs] if channel.num_qubits == 1 else [qs]
        steps += [("k", plan, g) for g in groups]
    return steps, terminal


def _branch(psi, n, plan, qs):
    """Probabilities of the Kraus choices on ``psi``: fixed ones, or tr(K rho K^dagger)
    with rho the reduced density matrix of ``qs`` (one pass over the state, no trial
    products)."""
    ks, fixed = plan
    if fixed is not None:
        return fixed
    k = len(qs)
    t = psi.reshape((2,) * n)
    lead = [n - 1 - q for q in reversed(qs)]  # row index: bit of qs[0] lowest
    rest = [a for a in range(n) if a not in lead]
    m = np.transpose(t, lead + rest).reshape(1 << k, -1)
    rho = m @ m.conj().T
    probs = np.array([max(np.real(np.trace(kr @ rho @ kr.conj().T)), 0.0) for kr in ks])
    return probs / probs.sum()


def _choose(psi, n, plan, qs, i, p, in_place=False):
    """The state after Kraus choice ``i`` (probability ``p``), normalised."""
    phi = psi if in_place else psi.copy()
    kernels.apply_matrix(phi, n, plan[0][i], qs)
    phi *= 1 / np.sqrt(p)
    return phi


def _replay(n, steps, history: dict[int, int], upto: int) -> np.ndarray:
    """The state before step ``upto`` of the branch whose Kraus choices are ``history``."""
    psi = sv.initial_state(n, None, copies=1.0)
    for s in range(upto):
        kind, *rest = steps[s]
        if kind == "u":
            sv.apply_op(psi, n, rest[0])
            continue
        plan, qs = rest
        kernels.apply_matrix(psi, n, plan[0][history[s]], qs)
        psi /= np.sqrt(np.vdot(psi, psi).real)
    return psi


def sample(circuit: Circuit, model, shots: int, rng: np.random.Generator
           ) -> tuple[np.ndarray, int]:
    """(records (shots, num_clbits), number of branches simulated)."""
    used = active_qubits(circuit)
    n = len(used)
    require_statevector(n)
    steps, terminal = _steps(circuit, model, used)
    state_bytes = 16 << n
    budget = max(available_bytes() // 4, 4 * state_bytes)
    records = np.zeros((shots, circuit.num_clbits), dtype=np.uint8)
    filled = 0
    branches = 0
    # waiting branches: (next step, state or None, history {step: choice}, shots)
    stack: list = [(0, sv.initial_state(n, None, copies=2.0), {}, shots)]
    held = state_bytes
    while stack:
        step, psi, history, count = stack.pop()
        if psi is None:
            psi = _replay(n, steps, history, step)
        else:
            held -= state_bytes
        branches += 1
        while step < len(steps):
            kind, *rest = steps[step]
            step += 1
            if kind == "u":
                sv.apply_op(psi, n, rest[0])
                continue
            plan, qs = rest
            probs = _branch(psi, n, plan, qs)
            split = rng.multinomial(count, probs)
            keep = int(np.argmax(split))
            for i in np.nonzero(split)[0]:
                if i == keep:
                    continue
                entry = dict(history)
                entry[step - 1] = int(i)
                if held + state_bytes <= budget:
                    other = _choose(psi, n, plan, qs, int(i), probs[i])
                    stack.append((step, other, entry, int(split[i])))
                    held += state_bytes
                else:
                    stack.append((step, None, entry, int(split[i])))
            psi = _choose(psi, n, plan, qs, keep, probs[keep], in_place=True)
            history = dict(history)
            history[step - 1] = keep
            count = int(split[keep])
        filled = _fill(records, filled, psi, terminal, count, rng)
    _readout(records, model, used, terminal, rng)
    rng.shuffle(records, axis=0)
    return records, branches


def _fill(records, filled, psi, terminal, count, rng) -> int:
    if count == 0:
        return filled
    idx = sv.sample_indices(np.abs(psi) ** 2, count, rng)
    for q, c in terminal:
        records[filled:filled + count, c] = (idx >> q) & 1
    return filled + count


def _readout(records, model, used, terminal, rng) -> None:
    if model is None:
        return
    for q, c in terminal:
        err = model.readout_for(used[q])
        if err is None:
            continue
        bits = records[:, c]
        draw = rng.random(bits.size)
        flip = np.where(bits == 1, draw < err.p01, draw < err.p10)
        records[:, c] = bits ^ flip
