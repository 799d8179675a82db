"""QAOA for MaxCut on small graphs, optimised with scipy.

The cost observable is C = sum_{(i,j) in E} (1 - Z_i Z_j) / 2 (the cut size); p layers
of exp(-i gamma C) (an RZZ per edge) and exp(-i beta sum X) (an RX per qubit) act on
|+...+>, and (gamma, beta) maximise <C>, evaluated exactly on qvalley's sweep engine with
gradients by adjoint differentiation.

>>> from qvalley.algorithms import qaoa_maxcut
>>> r = qaoa_maxcut([(0, 1), (1, 2), (2, 0)], layers=1, seed=1)
>>> r.best_cut, r.max_cut
(2, 2)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import qvalley as qv


def maxcut_observable(edges, num_nodes: int) -> qv.Observable:
    terms = [("I" * num_nodes, 0.5 * len(edges))]
    for i, j in edges:
        chars = ["I"] * num_nodes
        chars[num_nodes - 1 - i] = chars[num_nodes - 1 - j] = "Z"
        terms.append(("".join(chars), -0.5))
    return qv.Observable(terms, num_nodes)


def qaoa_circuit(edges, num_nodes: int, layers: int) -> qv.Circuit:
    """The QAOA ansatz with parameters g0..g{p-1}, b0..b{p-1}."""
    gammas = [qv.Parameter(f"g{k}") for k in range(layers)]
    betas = [qv.Parameter(f"b{k}") for k in range(layers)]
    c = qv.Circuit(num_nodes).h(range(num_nodes))
    for k in range(layers):
        for i, j in edges:
            c.rzz(-gammas[k], i, j)   # exp(-i gamma (1 - ZZ)/2) up to a phase
        for q in range(num_nodes):
            c.rx(2 * betas[k], q)
    return c


def cut_size(bits: str, edges) -> int:
    """Edges cut by the assignment ``bits`` (a count key: node 0 is the last character)."""
    n = len(bits)
    side = [int(bits[n - 1 - q]) for q in range(n)]
    return sum(side[i] != side[j] for i, j in edges)


@dataclass
class QAOAResult:
    circuit: qv.Circuit        # bound to the optimal parameters, measured
    parameters: np.ndarray     # gammas then betas
    expected_cut: float
    counts: dict
    best_cut: int              # the best cut among the sampled assignments
    max_cut: int               # by brute force
    random_cut: float          # expected cut of a uniformly random assignment


def qaoa_maxcut(edges, layers: int = 2, shots: int = 1000, seed: int | None = None,
                restarts: int = 4) -> QAOAResult:
    """MaxCut on the graph ``edges`` (pairs of node indices) by QAOA with ``layers``."""
    from scipy.optimize import minimize
    edges = [tuple(map(int, e)) for e in edges]
    if not edges:
        raise qv.CircuitError("the graph needs at least one edge")
    n = max(max(e) for e in edges) + 1
    C = maxcut_observable(edges, n)
    ansatz = qaoa_circuit(edges, n, layers)
    names = [p.name for p in ansatz.parameters]            # b0.., g0.. (sorted by name)
    order = [names.index(f"g{k}") for k in range(layers)] + \
        [names.index(f"b{k}") for k in range(layers)]

    def to_values(x):
        v = np.empty(2 * layers)
        v[order] = x
        return v

    def cost(x):
        return -float(qv.expectation(ansatz, C, to_values(x)))

    def grad(x):
        return -qv.gradient(ansatz, C, to_values(x))[order]

    rng = np.random.default_rng(seed)
    best = None
    for _ in range(restarts):
        x0 = rng.uniform(0, np.pi, 2 * layers)
        res = minimize(cost, x0, jac=grad, method="BFGS")
        if best is None or res.fun < best.fun:
            best = res
    values = to_values(best.x)
    bound = ansatz.assign_parameters(list(values)).measure_all()
    counts = qv.run(bound, shots=shots, seed=seed).counts
    best_cut = max(cut_size(k, edges) for k in counts)
    max_cut = max(cut_size(format(x, f"0{n}b"), edges) for x in range(1 << n))
    return QAOAResult(bound, best.x, -float(best.fun), counts, best_cut, max_cut,
                      len(edges) / 2)
