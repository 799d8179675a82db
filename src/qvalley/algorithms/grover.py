"""Grover search with an oracle given as a bit predicate or as a phase-oracle circuit.

>>> from qvalley.algorithms import grover
>>> grover(4, lambda x: x == 11, seed=3).best
'1011'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

import qvalley as qv


def optimal_iterations(num_qubits: int, num_marked: int = 1) -> int:
    """floor(pi / (4 theta)) with sin(theta) = sqrt(M / N): the count that maximises the
    success probability sin^2((2k + 1) theta)."""
    N = 1 << num_qubits
    if not 0 < num_marked <= N:
        raise qv.CircuitError(f"{num_marked} marked items out of {N}")
    theta = math.asin(math.sqrt(num_marked / N))
    return max(0, int(math.floor(math.pi / (4 * theta))))


def success_probability(num_qubits: int, num_marked: int, iterations: int) -> float:
    theta = math.asin(math.sqrt(num_marked / (1 << num_qubits)))
    return math.sin((2 * iterations + 1) * theta) ** 2


def phase_oracle(num_qubits: int, predicate: Callable[[int], bool]) -> qv.Circuit:
    """-1 on every basis state x with predicate(x): a diagonal unitary."""
    diag = np.array([-1.0 if predicate(x) else 1.0 for x in range(1 << num_qubits)])
    return qv.Circuit(num_qubits).unitary(np.diag(diag), list(range(num_qubits)))


def diffuser(num_qubits: int) -> qv.Circuit:
    """2|s><s| - I: H, X on every qubit, multi-controlled Z, X, H."""
    n = num_qubits
    c = qv.Circuit(n).h(range(n)).x(range(n))
    if n == 1:
        c.z(0)
    else:
        c.mc("z", list(range(n - 1)), [n - 1])
    return c.x(range(n)).h(range(n))


@dataclass
class GroverResult:
    circuit: qv.Circuit
    iterations: int
    counts: dict
    best: str
    success_probability: float     # exact, from the state vector
    predicted: float | None        # sin^2((2k+1) theta), when the marked count is known


def grover(num_qubits: int, oracle, iterations: int | None = None, shots: int = 1000,
           seed: int | None = None) -> GroverResult:
    """Search ``num_qubits`` qubits for the items ``oracle`` marks: a predicate on the
    basis index (``lambda x: x == 5``), or a phase-oracle Circuit on those qubits.
    ``iterations`` defaults to the optimal count for the number of marked items."""
    n = num_qubits
    if callable(oracle) and not isinstance(oracle, qv.Circuit):
        marked = [x for x in range(1 << n) if oracle(x)]
        oc = phase_oracle(n, oracle)
    elif isinstance(oracle, qv.Circuit):
        oc = oracle
        psi = qv.statevector(qv.Circuit(n).h(range(n)).compose(oc))
        marked = [x for x in range(1 << n) if psi[x].real < 0]
    else:
        raise qv.CircuitError("the oracle is a predicate on basis indices or a Circuit")
    if not marked:
        raise qv.CircuitError("the oracle marks nothing")
    k = optimal_iterations(n, len(marked)) if iterations is None else int(iterations)
    c = qv.Circuit(n).h(range(n))
    for _ in range(k):
        c.compose(oc, inplace=True)
        c.compose(diffuser(n), inplace=True)
    probs = qv.probabilities(c)
    p = float(sum(probs[x] for x in marked))
    measured = c.copy().measure_all()
    counts = qv.run(measured, shots=shots, seed=seed).counts
    return GroverResult(measured, k, counts, max(counts, key=counts.get), p,
                        success_probability(n, len(marked), k))
