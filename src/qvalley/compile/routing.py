"""Layout and routing on a coupling map: SABRE (Li, Ding and Xie, ASPLOS 2019).

Routing walks the circuit's dependency graph. Gates of the front layer whose qubits are
neighbours run; when none can, the SWAP on an edge next to a front gate that most reduces

    H = mean distance of the front layer + 0.5 * mean distance of the next 20 two-qubit
        gates (the extended set), times a decay that discourages reusing a qubit

is inserted. After many swaps without progress a "release valve" routes the nearest
front gate along a shortest path, so routing always ends.

Layout: first a swap-free placement is searched for (the circuit's interaction graph
inside the coupling map, bounded backtracking: :func:`perfect_layout`); failing that, each
trial starts from a connected region of the device (a breadth-first walk
from a random qubit) with the circuit's qubits placed on it at random, plus one start that
lays the circuit's qubits along a walk of the device (:func:`_walk_layout`); each runs routing
forward and backward over the circuit a few times, each run starting from where the last
one ended (the layout "learns" the circuit); the trial with the fewest swaps, then the
lowest depth, wins; the few best are built and resynthesised, and the compiler keeps the
one with the fewest two-qubit gates after that. Trials are seeded, so a seed gives one
answer.

The routing loop itself runs in numba (:mod:`.nb_sabre`) on flat arrays; this module
builds them and rebuilds circuits from what the loop did.
"""
from __future__ import annotations

from collections import deque
from functools import lru_cache

import numpy as np

from ..errors import CompileError
from ..targets import Target
from .ops import Op


@lru_cache(maxsize=16)
def distances(target: Target) -> np.ndarray:
    """All-pairs shortest path lengths on the (undirected) coupling map (cached per
    target: 156 breadth-first walks)."""
    n = target.num_qubits
    nbrs = neighbours(target)
    dist = np.full((n, n), n + 1, dtype=np.int64)
    for s in range(n):
        dist[s, s] = 0
        queue = deque([s])
        while queue:
            u = queue.popleft()
            for v in nbrs[u]:
                if dist[s, v] > dist[s, u] + 1:
                    dist[s, v] = dist[s, u] + 1
                    queue.append(v)
    return dist


@lru_cache(maxsize=16)
def neighbours(target: Target) -> list[list[int]]:
    out: list[set[int]] = [set() for _ in range(target.num_qubits)]
    for a, b in target.undirected_edges():
        out[a].add(b)
        out[b].add(a)
    return [sorted(s) for s in out]


class _Graph:
    """Dependencies between ops through shared qubits and clbits."""

    def __init__(self, ops: list[Op]):
        self.ops = ops
        self.succ: list[list[int]] = [[] for _ in ops]
        self.npred = [0] * len(ops)
        last: dict = {}
        for i, op in enumerate(ops):
            keys = [("q", q) for q in op.qubits]
            if op.instr is not None:
                keys += [("c", c) for c in op.instr.clbits]
                if op.instr.condition is not None:
                    keys += [("c", c) for c in op.instr.condition.clbits]
            preds = {last[k] for k in keys if k in last}
            for p in preds:
                self.succ[p].append(i)
            self.npred[i] = len(preds)
            for k in keys:
                last[k] = i


def _routed(op: Op) -> bool:
    """Whether the op needs its qubits adjacent (two-qubit gates; not barriers)."""
    if op.instr is not None and op.instr.kind == "barrier":
        return False
    return len(op.qubits) == 2


class _Flat:
    """A circuit as the arrays :func:`.nb_sabre.route` walks: per op its two virtual
    qubits (the second -1 when it needs no adjacency) and its successors (CSR)."""

    def __init__(self, ops: list[Op]):
        for op in ops:
            if len(op.qubits) > 2 and not (op.instr is not None and
                                           op.instr.kind == "barrier"):
                raise CompileError(f"routing: {op.instr.name if op.instr else op.name} "
                                   f"acts on {len(op.qubits)} qubits; unroll it first")
        graph = _Graph(ops)
        self.ops = ops
        n = len(ops)
        self.q0 = np.array([op.qubits[0] if op.qubits else 0 for op in ops] or [0],
                           dtype=np.int64)[:n]
        self.q1 = np.array([op.qubits[1] if _routed(op) else -1 for op in ops] or [0],
                           dtype=np.int64)[:n]
        counts = np.array([len(s) for s in graph.succ] or [0], dtype=np.int64)[:n]
        self.succ_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=self.succ_ptr[1:])
        self.succ = np.array([j for s in graph.succ for j in s] or [0], dtype=np.int64)
        self.npred = np.array(graph.npred or [0], dtype=np.int64)[:n]

    def reversed(self) -> "_Flat":
        return _Flat(self.ops[::-1])


@lru_cache(maxsize=16)
def _device(target: Target):
    """The target as arrays: distances, neighbours (CSR), edge index of (p, r), edges,
    and the release-valve threshold."""
    dist = distances(target)
    nbrs = neighbours(target)
    n = target.num_qubits
    nbr_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(x) for x in nbrs], out=nbr_ptr[1:])
    nbr = np.array([r for x in nbrs for r in x] or [0], dtype=np.int64)
    edges = sorted({(min(a, b), max(a, b)) for a, b in target.undirected_edges()})
    edge_of = np.full((n, n), -1, dtype=np.int64)
    for e, (a, b) in enumerate(edges):
        edge_of[a, b] = edge_of[b, a] = e
    valve = 10 * max(4, len(edges) // 10)
    return dist, nbr_ptr, nbr, edge_of, edges, valve


def _route_flat(flat: _Flat, layout, target: Target, seed: int, emit: bool):
    """(routed ops or [], final layout, swaps, two-qubit depth) of one routing run."""
    from . import nb_sabre
    dist, nbr_ptr, nbr, edge_of, edges, valve = _device(target)
    events, count, final, swaps, depth = nb_sabre.route(
        flat.q0, flat.q1, flat.succ_ptr, flat.succ, flat.npred,
        np.asarray(layout, dtype=np.int64), dist, nbr_ptr, nbr, edge_of, valve, seed, emit)
    if swaps < 0:
        op = flat.ops[-1 - swaps]
        a, b = (int(final[q]) for q in op.qubits)
        raise CompileError(f"{target.name}: device qubits {a} and {b} are not connected by "
                           "any path of the coupling map, so a two-qubit gate cannot join "
                           "them; give the target a connected coupling map")
    out: list[Op] = []
    if emit:
        l2p = list(layout)
        p2l = {p: v for v, p in enumerate(l2p)}
        ops = flat.ops
        for e in events[:count].tolist():
            if e >= 0:
                out.append(_mapped(ops[e], l2p))
            else:
                u, v = edges[-1 - e]
                _swap(u, v, l2p, p2l, out, True)
    return out, [int(p) for p in final], int(swaps), int(depth)


def _swap(u, v, l2p, p2l, out, emit):
    a, b = p2l.get(u), p2l.get(v)
    if a is not None:
        l2p[a] = v
    if b is not None:
        l2p[b] = u
    p2l.pop(u, None)
    p2l.pop(v, None)
    if a is not None:
        p2l[v] = a
    if b is not None:
        p2l[u] = b
    if emit:
        out.append(Op("swap", (u, v)))


def _mapped(op: Op, l2p: list[int]) -> Op:
    qubits = tuple(l2p[q] for q in op.qubits)
    instr = None
    if op.instr is not None:
        instr = op.instr.replace(qubits=qubits)
    return Op(op.name, qubits, op.matrix, op.theta, instr)


def choose_layout(ops: list[Op], num_virtual: int, target: Target, *, trials: int,
                  iterations: int, seed: int | None, score=None
                  ) -> tuple[list[int], list[Op], list[int]]:
    """The best of ``trials`` SABRE layouts: (initial layout, routed ops, final layout).

    Every trial is routed in numba and ranked by (swaps, two-qubit depth) without building
    its circuit; the best ``SCORED`` are built, and ``score(routed ops)`` (when given)
    ranks those: the compiler passes one that resynthesises first, so swaps that blocks
    absorb are free (scoring every trial was measured: 4x the time, no fewer gates)."""
    if num_virtual > target.num_qubits:
        raise CompileError(f"the circuit has {num_virtual} qubits but {target.name} has "
                           f"{target.num_qubits}")
    nbrs = neighbours(target)
    rng = np.random.default_rng(seed)
    forward = _Flat(ops)
    perfect = perfect_layout(ops, num_virtual, target)
    if perfect is not None:
        routed, final, _, _ = _route_flat(forward, perfect, target, 0, True)
        if score is not None:
            routed, _ = score(routed)
        return perfect, routed, final
    backward = forward.reversed()
    plans = []  # every trial's start and seeds, drawn in order: threads do not change them
    for t in range(max(1, trials)):
        layout = _region_layout(num_virtual, nbrs, rng)
        plans.append((t, layout, [_seed(rng) for _ in range(2 * iterations + 1)]))
    walk = _walk_layout(ops, num_virtual, nbrs)  # one more start, not random
    plans.append((len(plans), walk, [_seed(rng) for _ in range(2 * iterations + 1)]))

    from . import nb_sabre
    dist, nbr_ptr, nbr, edge_of, _, valve = _device(target)
    f, b = forward, backward

    def trial(plan):
        t, layout, seeds = plan
        start, swaps, depth = nb_sabre.layout_trial(
            f.q0, f.q1, f.succ_ptr, f.succ, f.npred, b.q0, b.q1, b.succ_ptr, b.succ,
            b.npred, np.asarray(layout, dtype=np.int64), dist, nbr_ptr, nbr, edge_of,
            valve, np.asarray(seeds, dtype=np.int64), iterations)
        if swaps < 0:  # a disconnected coupling map: the runs one by one say where
            for k in range(iterations):
                _, end, _, _ = _route_flat(forward, layout, target, seeds[2 * k], False)
                _, layout, _, _ = _route_flat(backward, end, target, seeds[2 * k + 1],
                                              False)
            _route_flat(forward, layout, target, seeds[-1], False)
        return (swaps, depth, t), [int(p) for p in start], seeds[-1]

    workers = min(len(plans), _threads())
    if workers > 1:  # the numba loop releases the GIL: trials run side by side
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(workers) as pool:
            ranked = list(pool.map(trial, plans))
    else:
        ranked = [trial(p) for p in plans]
    ranked.sort(key=lambda r: r[0])
    best = None
    for (swaps, depth, _), layout, run_seed in ranked[:SCORED if score is not None else 1]:
        routed, final, _, _ = _route_flat(forward, layout, target, run_seed, True)
        key = score(routed) if score is not None else (routed, (swaps, depth))
        routed, rank = key
        if best is None or rank < best[0]:
            best = (rank, layout, routed, final)
    _, layout, routed, final = best
    return layout, routed, final


def perfect_layout(ops: list[Op], num_virtual: int, target: Target,
                   max_steps: int = 20000) -> list[int] | None:
    """A layout on which every two-qubit op of ``ops`` already acts on coupled qubits (no
    swap at all), found by a bounded backtracking search for the circuit's interaction
    graph inside the coupling map (as Qiskit's VF2Layout does before SABRE); None when
    there is none or the search runs out of ``max_steps``."""
    nbrs = neighbours(target)
    adj, order = _interaction_order(ops, num_virtual)
    if not any(adj):
        return None
    deg = [len(nbrs[p]) for p in range(target.num_qubits)]
    if max(len(a) for a in adj) > max(deg):
        return None
    # place virtual qubits in breadth-first order from the busiest, so each new one has a
    # placed neighbour (its candidates are then few); idle qubits take what is left
    order = [v for v in order if adj[v]]
    place: dict[int, int] = {}
    used: set[int] = set()
    steps = 0

    def candidates(v):
        placed = [place[w] for w in adj[v] if w in place]
        if not placed:
            return [p for p in range(target.num_qubits) if p not in used and
                    deg[p] >= len(adj[v])]
        pool = set(nbrs[placed[0]])
        for p in placed[1:]:
            pool &= set(nbrs[p])
        return sorted(p for p in pool if p not in used and deg[p] >= len(adj[v]))

    def search(i):
        nonlocal steps
        if i == len(order):
            return True
        v = order[i]
        for p in candidates(v):
            steps += 1
            if steps > max_steps:
                return False
            place[v] = p
            used.add(p)
            if search(i + 1):
                return True
            del place[v]
            used.discard(p)
        return False

    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, len(order) + 100))
    try:
        found = search(0)
    finally:
        sys.setrecursionlimit(limit)
    if not found:
        return None
    free = iter(p for p in range(target.num_qubits) if p not in used)
    return [place[v] if v in place else next(free) for v in range(num_virtual)]


SCORED = 4  # trials resynthesised to pick the winner (the rest ranked by swaps, depth)


def _threads() -> int:
    """Threads for layout trials: ``QVALLEY_NUM_THREADS`` or every core."""
    from ..sim.statevector.backend import thread_count
    return thread_count()


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(2 ** 31))


def trivial_route(ops: list[Op], num_virtual: int, target: Target, seed: int | None):
    """Layout 0..n-1, then routing (optimisation level 0)."""
    layout = list(range(num_virtual))
    routed, final, _, _ = _route_flat(_Flat(ops), layout, target,
                                      _seed(np.random.default_rng(seed)), True)
    return layout, routed, final


def _interaction_order(ops: list[Op], num_virtual: int) -> tuple[list[set[int]], list[int]]:
    """The circuit's interaction graph (``adj[v]``: qubits v shares a two-qubit op with)
    and every qubit in breadth-first order over it, each component from its busiest
    qubit, busier neighbours first."""
    adj: list[set[int]] = [set() for _ in range(num_virtual)]
    for op in ops:
        if _routed(op):
            a, b = op.qubits
            adj[a].add(b)
            adj[b].add(a)
    order: list[int] = []
    seen: set[int] = set()
    for root in sorted(range(num_virtual), key=lambda v: -len(adj[v])):
        if root in seen:
            continue
        seen.add(root)
        queue = deque([root])
        while queue:
            v = queue.popleft()
            order.append(v)
            for w in sorted(adj[v], key=lambda w: -len(adj[w])):
                if w not in seen:
                    seen.add(w)
                    queue.append(w)
    return adj, order


def _walk_layout(ops: list[Op], num_virtual: int, nbrs: list[list[int]]) -> list[int]:
    """Circuit qubits in breadth-first order of their interactions (from the busiest),
    placed along a depth-first walk of the device from its first qubit: neighbours in the
    circuit land near each other, so long chains (GHZ, ripple adders) start with few gaps
    where random starts begin with many."""
    _, order = _interaction_order(ops, num_virtual)
    walk: list[int] = []
    visited: set[int] = set()
    for start in range(len(nbrs)):
        stack = [start]
        while stack:
            p = stack.pop()
            if p in visited:
                continue
            visited.add(p)
            walk.append(p)
            stack.extend(sorted((r for r in nbrs[p] if r not in visited), reverse=True))
    layout = [0] * num_virtual
    for v, p in zip(order, walk):
        layout[v] = p
    return layout


def _region_layout(n: int, nbrs: list[list[int]], rng: np.random.Generator) -> list[int]:
    start = int(rng.integers(len(nbrs)))
    region, seen = [], {start}
    queue = deque([start])
    while queue and len(region) < n:
        u = queue.popleft()
        region.append(u)
        for v in nbrs[u]:
            if v not in seen:
                seen.add(v)
                queue.append(v)
    if len(region) < n:  # a small component: fill from the rest of the device
        rest = [p for p in range(len(nbrs)) if p not in set(region)]
        region += rest[:n - len(region)]
    return [int(p) for p in rng.permutation(region)]


def _depth2q(ops: list[Op]) -> int:
    level: dict[int, int] = {}
    depth = 0
    for op in ops:
        if op.name in ("u",):
            continue
        d = max((level.get(q, 0) for q in op.qubits), default=0) + (1 if op.two_qubit else 0)
        for q in op.qubits:
            level[q] = d
        depth = max(depth, d)
    return depth
