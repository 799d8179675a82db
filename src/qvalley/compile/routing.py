"""Layout and routing on a coupling map: SABRE (Li, Ding and Xie, ASPLOS 2019).

Routing walks the circuit's dependency graph. Gates of the front layer whose qubits are
neighbours run; when none can, the SWAP on an edge next to a front gate that most reduces

    H = mean distance of the front layer + 0.5 * mean distance of the next 20 two-qubit
        gates (the extended set), times a decay that discourages reusing a qubit

is inserted. After many swaps without progress a "release valve" routes the nearest
front gate along a shortest path, so routing always ends.

Layout: each trial starts from a connected region of the device (a breadth-first walk
from a random qubit) with the circuit's qubits placed on it at random, then runs routing
forward and backward over the circuit a few times, each run starting from where the last
one ended (the layout "learns" the circuit); the trial with the fewest swaps, then the
lowest depth, wins. Trials are seeded, so a seed gives one answer.
"""
from __future__ import annotations

from collections import deque
from functools import lru_cache

import numpy as np

from ..errors import CompileError
from ..targets import Target
from .ops import Op

EXTENDED = 20
EXTENDED_WEIGHT = 0.5
DECAY = 0.001
DECAY_RESET = 5


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


def route(ops: list[Op], layout: list[int], target: Target, dist: np.ndarray,
          nbrs: list[list[int]], rng: np.random.Generator,
          emit: bool = True) -> tuple[list[Op], list[int], int]:
    """Route ``ops`` (on virtual qubits) from ``layout`` (virtual -> physical). Returns the
    ops on physical qubits with swaps inserted (empty if not ``emit``), the final
    layout, and the number of swaps."""
    for op in ops:
        if len(op.qubits) > 2 and not (op.instr is not None and op.instr.kind == "barrier"):
            raise CompileError(f"routing: {op.instr.name if op.instr else op.name} acts on "
                               f"{len(op.qubits)} qubits; unroll it first")
    graph = _Graph(ops)
    npred = list(graph.npred)
    l2p = list(layout)
    p2l = {p: v for v, p in enumerate(l2p)}
    front = [i for i, k in enumerate(npred) if k == 0]
    out: list[Op] = []
    swaps = 0
    decay = np.ones(target.num_qubits)
    since_progress = 0
    since_reset = 0
    while front:
        progressed = False
        nxt = []
        for i in front:
            op = ops[i]
            if not _routed(op) or dist[l2p[op.qubits[0]], l2p[op.qubits[1]]] == 1:
                if emit:
                    out.append(_mapped(op, l2p))
                progressed = True
                for s in graph.succ[i]:
                    npred[s] -= 1
                    if npred[s] == 0:
                        nxt.append(s)
            else:
                nxt.append(i)
        front = nxt
        if progressed:
            since_progress = 0
            decay[:] = 1.0
            continue
        if not front:
            break
        if since_progress > 10 * max(4, len(target.undirected_edges()) // 10):
            # release valve: walk the first front gate's qubits together
            a, b = ops[front[0]].qubits
            path = _path(l2p[a], l2p[b], dist, nbrs)
            for u, v in zip(path[:-2], path[1:-1]):
                swaps += 1
                _swap(u, v, l2p, p2l, out, emit)
            since_progress = 0
            continue
        extended = _extended(front, graph, npred, ops)
        best, best_score = None, None
        cands = set()
        for i in front:
            for q in ops[i].qubits:
                p = l2p[q]
                for nb in nbrs[p]:
                    cands.add((min(p, nb), max(p, nb)))
        fr = [(l2p[ops[i].qubits[0]], l2p[ops[i].qubits[1]]) for i in front]
        ex = [(l2p[ops[i].qubits[0]], l2p[ops[i].qubits[1]]) for i in extended]
        for u, v in sorted(cands):
            def moved(p):
                return v if p == u else (u if p == v else p)
            h = sum(dist[moved(a), moved(b)] for a, b in fr) / len(fr)
            if ex:
                h += EXTENDED_WEIGHT * sum(dist[moved(a), moved(b)] for a, b in ex) / len(ex)
            h *= max(decay[u], decay[v])
            score = (h, rng.random())
            if best_score is None or score < best_score:
                best, best_score = (u, v), score
        u, v = best
        _swap(u, v, l2p, p2l, out, emit)
        swaps += 1
        since_progress += 1
        since_reset += 1
        decay[u] += DECAY
        decay[v] += DECAY
        if since_reset >= DECAY_RESET:
            decay[:] = 1.0
            since_reset = 0
    return out, l2p, swaps


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


def _path(a: int, b: int, dist: np.ndarray, nbrs: list[list[int]]) -> list[int]:
    path = [a]
    while path[-1] != b:
        u = path[-1]
        path.append(min(nbrs[u], key=lambda w: dist[w, b]))
    return path


def _extended(front: list[int], graph: _Graph, npred: list[int], ops: list[Op]) -> list[int]:
    out: list[int] = []
    seen = set(front)
    queue = deque(front)
    pending = {}
    while queue and len(out) < EXTENDED:
        i = queue.popleft()
        for s in graph.succ[i]:
            if s in seen:
                continue
            left = pending.get(s, npred[s]) - 1
            pending[s] = left
            if left <= 0:
                seen.add(s)
                queue.append(s)
                if _routed(ops[s]):
                    out.append(s)
    return out


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
    ``score(routed ops)`` ranks the trials (default: swaps, then two-qubit depth); the
    compiler passes one that resynthesises first, so swaps that blocks absorb are free."""
    if num_virtual > target.num_qubits:
        raise CompileError(f"the circuit has {num_virtual} qubits but {target.name} has "
                           f"{target.num_qubits}")
    dist = distances(target)
    nbrs = neighbours(target)
    rng = np.random.default_rng(seed)
    backward = ops[::-1]
    best = None
    for _ in range(max(1, trials)):
        layout = _region_layout(num_virtual, nbrs, rng)
        for _ in range(iterations):
            _, end, _ = route(ops, layout, target, dist, nbrs, rng, emit=False)
            _, layout, _ = route(backward, end, target, dist, nbrs, rng, emit=False)
        routed, final, swaps = route(ops, layout, target, dist, nbrs, rng)
        if score is not None:
            routed, key = score(routed)
        else:
            key = (swaps, _depth2q(routed))
        if best is None or key < best[0]:
            best = (key, layout, routed, final)
    _, layout, routed, final = best
    return layout, routed, final


def trivial_route(ops: list[Op], num_virtual: int, target: Target, seed: int | None):
    """Layout 0..n-1, then routing (optimisation level 0)."""
    dist = distances(target)
    nbrs = neighbours(target)
    layout = list(range(num_virtual))
    routed, final, _ = route(ops, layout, target, dist, nbrs, np.random.default_rng(seed))
    return layout, routed, final


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
