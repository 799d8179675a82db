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
choices so far), from which they are replayed without drawing anything.

Mid-circuit measurements, resets and classical conditions work as on hardware: a
measurement splits a group's shots by outcome and by what the (noisy) readout records,
each branch keeps its classical register, and a condition is evaluated per branch (all its
shots share the register). Final measurements are sampled from each branch's final state,
readout errors flip those bits shot by shot, and the records are shuffled so that memory
order carries no trace of the grouping.
"""
from __future__ import annotations

import numpy as np

from ...circuit import Circuit
from ..memory import available_bytes, require_statevector
from ..statevector import engine as sv
from ..statevector import kernels
from ...errors import BackendError
from .engine import active_qubits, final_measurements, gate_error, gate_matrix


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
    """The circuit as steps, each ending with its condition (or None):
    ("u", op, cond) a gate; ("k", (Kraus, fixed probabilities), qubits, cond) a channel on
    one group of qubits (a one-qubit channel after a k-qubit gate is k steps, and a
    conditioned gate's channel has its condition); ("m", qubit, clbit, readout matrix or
    None, cond) a mid-circuit measurement; ("r", qubit, cond) a reset. Also the final
    measurements as (simulated qubit, clbit)."""
    where = {q: i for i, q in enumerate(used)}
    final = final_measurements(circuit)
    plans: dict[int, tuple] = {}
    steps: list[tuple] = []
    terminal: list[tuple[int, int]] = []

    def channel_steps(channel, qs, cond):
        plan = plans.setdefault(id(channel), _kraus_plan(channel))
        groups = [(q,) for q in qs] if channel.num_qubits == 1 else [qs]
        steps.extend(("k", plan, g, cond) for g in groups)

    for i, ins in enumerate(circuit.data):
        kind, cond = ins.kind, ins.condition
        if kind == "barrier":
            continue
        if kind == "measure":
            if i in final:
                terminal.append((where[ins.qubits[0]], ins.clbits[0]))
                continue
            err = model.readout_for(ins.qubits[0]) if model is not None else None
            steps.append(("m", where[ins.qubits[0]], ins.clbits[0],
                          err.matrix if err is not None else None, cond))
            continue
        if kind == "reset":
            if ins.qubits[0] not in where:
                continue  # a qubit nothing else touches stays |0>
            q = where[ins.qubits[0]]
            steps.append(("r", q, cond))
            err = model.error_for("reset", (ins.qubits[0],)) if model is not None else None
            if err is not None:
                channel_steps(err, (q,), cond)
            continue
        if kind not in ("gate", "unitary"):
            raise BackendError(f"{kind} at position {i} cannot be simulated by the "
                               "trajectories backend")
        qs = tuple(where[q] for q in ins.qubits)
        steps.append(("u", sv.Op("gate", qs, matrix=gate_matrix(ins, i)), cond))
        channel = gate_error(model, ins)
        if channel is not None:
            channel_steps(channel, qs, cond)
    return steps, terminal


def _probabilities(psi, n, step) -> np.ndarray:
    """The probabilities of a branching step's choices on ``psi``: Kraus choices; for a
    measurement (outcome o, recorded r) as index 2 o + r; for a reset the outcome."""
    kind = step[0]
    if kind == "k":
        return _branch(psi, n, step[1], step[2])
    p1 = min(max(kernels.probability_of_one(psi, n, step[1]), 0.0), 1.0)
    outcome = np.array([1.0 - p1, p1])
    if kind == "r":
        return outcome
    confusion = step[3] if step[3] is not None else np.eye(2)
    return (outcome[:, None] * confusion).reshape(4)


def _apply(psi, n, step, choice: int, probs: np.ndarray, classical: int) -> int:
    """Take ``choice`` of a branching step on ``psi`` in place (``probs``: the step's
    probabilities on ``psi``); returns the classical register after it."""
    kind = step[0]
    if kind == "k":
        kernels.apply_matrix(psi, n, step[1][0][choice], step[2])
        psi *= 1 / np.sqrt(probs[choice])
        return classical
    q = step[1]
    if kind == "m":
        outcome = choice >> 1
        p_outcome = probs[2 * outcome] + probs[2 * outcome + 1]
    else:
        outcome = choice
        p_outcome = probs[outcome]
    kernels.collapse(psi, n, q, outcome, p_outcome)
    if kind == "r":
        if outcome:
            kernels.flip(psi, n, q)
        return classical
    clbit = step[2]
    return (classical & ~(1 << clbit)) | ((choice & 1) << clbit)


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


def _replay(n, steps, history: dict[int, int], upto: int) -> tuple[np.ndarray, int]:
    """(state, classical register) before step ``upto`` of the branch whose choices are
    ``history``."""
    psi = sv.initial_state(n, None, copies=1.0)
    classical = 0
    for s in range(upto):
        step = steps[s]
        if step[-1] is not None and not step[-1].holds(classical):
            continue
        if step[0] == "u":
            sv.apply_op(psi, n, step[1])
            continue
        choice = history[s]
        classical = _apply(psi, n, step, choice, _probabilities(psi, n, step), classical)
    return psi, classical


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
    # waiting branches: (next step, state or None, history {step: choice}, shots, register)
    stack: list = [(0, sv.initial_state(n, None, copies=2.0), {}, shots, 0)]
    held = state_bytes
    while stack:
        step, psi, history, count, classical = stack.pop()
        if psi is None:
            psi, classical = _replay(n, steps, history, step)
        else:
            held -= state_bytes
        branches += 1
        while step < len(steps):
            st = steps[step]
            step += 1
            if st[-1] is not None and not st[-1].holds(classical):
                continue
            if st[0] == "u":
                sv.apply_op(psi, n, st[1])
                continue
            probs = _probabilities(psi, n, st)
            split = rng.multinomial(count, probs / probs.sum())
            keep = int(np.argmax(split))
            for i in np.nonzero(split)[0]:
                if i == keep:
                    continue
                entry = dict(history)
                entry[step - 1] = int(i)
                if held + state_bytes <= budget:
                    other = psi.copy()
                    reg = _apply(other, n, st, int(i), probs, classical)
                    stack.append((step, other, entry, int(split[i]), reg))
                    held += state_bytes
                else:
                    stack.append((step, None, entry, int(split[i]), None))
            classical = _apply(psi, n, st, keep, probs, classical)
            history = dict(history)
            history[step - 1] = keep
            count = int(split[keep])
        filled = _fill(records, filled, psi, terminal, count, classical, rng)
    _readout(records, model, used, terminal, rng)
    rng.shuffle(records, axis=0)
    return records, branches


def _fill(records, filled, psi, terminal, count, classical, rng) -> int:
    if count == 0:
        return filled
    for c in range(records.shape[1]):  # what mid-circuit measurements recorded
        records[filled:filled + count, c] = (classical >> c) & 1
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
