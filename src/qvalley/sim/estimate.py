"""Expectation values estimated from shots, as on hardware.

The terms of every observable are split into groups that commute qubit by qubit (greedy,
largest coefficients first); each group is measured once per binding: the circuit without
its final measurements, a basis change per qubit (H for X, S^dagger then H for Y), and a
measurement of the qubits the group touches, ``shots`` times (through :func:`qvalley.run`,
so noise and readout errors apply as in any run). Each shot gives the group's value
``sum_t c_t (-1)**(parity of its Z bits)``; the estimate is their mean and its standard
error ``sqrt(var / shots)``; groups add, as do their variances (they are measured on
independent shots). The identity term needs no shots.
"""
from __future__ import annotations

import numpy as np

from ..circuit import Circuit
from ..errors import BackendError
from ..observables.observable import Observable, parity


def _groups(obs: Observable) -> list[list[tuple[str, complex]]]:
    """Qubit-wise commuting groups of the non-identity terms."""
    groups: list[tuple[dict, list]] = []  # (letter per position, terms)
    terms = sorted((t for t in obs.simplify().to_list() if set(t[0]) != {"I"}),
                   key=lambda t: -abs(t[1]))
    for label, c in terms:
        for letters, members in groups:
            if all(ch == "I" or letters.get(i, ch) == ch for i, ch in enumerate(label)):
                for i, ch in enumerate(label):
                    if ch != "I":
                        letters[i] = ch
                members.append((label, c))
                break
        else:
            groups.append(({i: ch for i, ch in enumerate(label) if ch != "I"},
                           [(label, c)]))
    return [members for _, members in groups]


def _measured(circuit: Circuit, letters: dict[int, str]) -> tuple[Circuit, list[int]]:
    """The circuit (final measurements dropped) rotated into the group's basis and
    measuring its qubits into fresh clbits; returns it and the measured qubits, in order."""
    n = circuit.num_qubits
    data = list(circuit.data)
    while data and data[-1].kind in ("measure", "barrier"):
        data.pop()
    c = circuit.copy()
    c._data = data  # noqa: SLF001 - the same instructions, final measurements dropped
    qubits = sorted(n - 1 - pos for pos in letters)
    start = c.num_clbits
    for q in qubits:
        letter = letters[n - 1 - q]
        if letter == "X":
            c.h(q)
        elif letter == "Y":
            c.sdg(q).h(q)
    for j, q in enumerate(qubits):
        c.measure(q, start + j)
    return c, qubits


def estimate(circuit: Circuit, observables: list[Observable], values: np.ndarray,
             shots: int, seed, model) -> tuple[np.ndarray, np.ndarray]:
    """(values, standard errors), each (bindings, observables)."""
    from .api import run
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 2:
        raise BackendError(f"shots must be an int of at least 2 for an estimate, got "
                           f"{shots!r}")
    rng = np.random.default_rng(seed)
    B, K = len(values), len(observables)
    evs = np.zeros((B, K))
    var = np.zeros((B, K))
    for b, v in enumerate(values):
        bound = circuit.assign_parameters(list(v)) if circuit.num_parameters else circuit
        for k, obs in enumerate(observables):
            if not obs.is_hermitian():
                raise BackendError("shot estimates need a Hermitian observable (real "
                                   "coefficients)")
            for label, c in obs.simplify().to_list():
                if set(label) == {"I"}:
                    evs[b, k] += c.real
            for members in _groups(obs):
                letters: dict[int, str] = {}
                for label, _ in members:
                    letters.update({i: ch for i, ch in enumerate(label) if ch != "I"})
                c, qubits = _measured(bound, letters)
                res = run(c, shots=int(shots), seed=int(rng.integers(2 ** 62)), noise=model)
                first = c.num_clbits - len(qubits)
                # per distinct outcome: the group's value
                keys = list(res.counts)
                counts = np.array([res.counts[key] for key in keys], dtype=np.float64)
                bits = np.array([int(key[::-1][first:][::-1] or "0", 2) for key in keys],
                                dtype=np.int64)  # bit j: qubit qubits[j]
                value = np.zeros(len(keys))
                n = circuit.num_qubits
                for label, coef in members:
                    mask = 0
                    for j, q in enumerate(qubits):
                        if label[n - 1 - q] != "I":
                            mask |= 1 << j
                    value += coef.real * (1 - 2 * parity(bits & mask))
                mean = float(np.sum(counts * value) / shots)
                second = float(np.sum(counts * value ** 2) / shots)
                evs[b, k] += mean
                var[b, k] += max(second - mean * mean, 0.0) * shots / (shots - 1) / shots
    return evs, np.sqrt(var)
