"""SABRE's routing loop in numba: the part of compilation that grows with circuit size.

:mod:`.routing` describes the algorithm and turns circuits into the flat arrays used
here; this module only walks them. One call routes a whole circuit from one layout and
returns what happened as *events* (an op index ``i >= 0`` when op ``i`` runs, ``-1 - e``
when the swap on undirected edge ``e`` is inserted), the final layout, the swap count and
the two-qubit depth, so the caller can rebuild the routed circuit in one linear walk, or
just compare trials without rebuilding anything.

Why numba: a pure-Python loop cost 5 s for QFT 20 on a 156-qubit device at level 2
(twenty trials, each routed seven times), Qiskit's Rust SABRE 0.09 s. The data here are
small int arrays, so the compiled loop needs no Python objects at all.
"""
from __future__ import annotations

import numpy as np

from ..sim.statevector.nb_target import configure

configure()  # the first numba compile of a process fixes the CPU features for all of qvalley
from numba import njit  # noqa: E402

EXTENDED = 20
EXTENDED_WEIGHT = 0.5
DECAY = 0.001
DECAY_RESET = 5


@njit(cache=True, nogil=True)
def route(q0, q1, succ_ptr, succ, npred_init, layout, dist, nbr_ptr, nbr, edge_of,
          valve, seed, emit):
    """Route ops ``i`` on virtual qubits ``q0[i]``, ``q1[i]`` (``q1[i] < 0``: the op
    needs no adjacency) from ``layout`` (virtual -> physical).

    ``succ[succ_ptr[i]:succ_ptr[i + 1]]`` are op i's successors in the dependency graph,
    ``npred_init[i]`` its number of predecessors; ``dist`` the device's distance matrix,
    ``nbr[nbr_ptr[p]:nbr_ptr[p + 1]]`` the neighbours of physical qubit p and
    ``edge_of[p, r]`` the index of undirected edge (p, r). ``valve``: swaps without
    progress before the nearest front gate is walked along a shortest path.

    Returns (events, count, final layout, swaps, two-qubit depth); swaps is ``-1 - i``
    when op ``i`` joins qubits that no path of the device connects."""
    np.random.seed(seed)
    n_ops = q0.size
    n_phys = dist.shape[0]
    npred = npred_init.copy()
    l2p = layout.copy()
    p2l = np.full(n_phys, -1, np.int64)
    for v in range(l2p.size):
        p2l[l2p[v]] = v
    events = np.empty(n_ops + 16, np.int64) if emit else np.empty(1, np.int64)
    count = 0
    front = np.empty(n_ops, np.int64)
    nxt = np.empty(n_ops, np.int64)
    nf = 0
    for i in range(n_ops):
        if npred[i] == 0:
            front[nf] = i
            nf += 1
    # decay per physical qubit, valid where decay_epoch == epoch (else 1): a reset is a
    # new epoch, not a write over every qubit of the device
    decay = np.ones(n_phys)
    decay_epoch = np.zeros(n_phys, np.int64)
    epoch = 0
    level = np.zeros(n_phys, np.int64)  # two-qubit depth per physical qubit
    depth = 0
    swaps = 0
    since_progress = 0
    since_reset = 0
    # extended set: pending predecessor counts, valid where stamp == the current step
    pend = np.zeros(n_ops, np.int64)
    stamp = np.full(n_ops, -1, np.int64)
    queue = np.empty(n_ops, np.int64)
    ext = np.empty(EXTENDED, np.int64)
    # gates of the front and extended sets by the physical qubits they touch (linked
    # lists, valid where node_stamp == the current step): a candidate swap changes only
    # the distances of the gates on its two qubits
    gate_pa = np.empty(n_ops + EXTENDED, np.int64)
    gate_pb = np.empty(n_ops + EXTENDED, np.int64)
    node_gate = np.empty(2 * (n_ops + EXTENDED), np.int64)
    node_next = np.empty(2 * (n_ops + EXTENDED), np.int64)
    first_node = np.full(n_phys, -1, np.int64)
    node_stamp = np.full(n_phys, -1, np.int64)
    n_edges = max(1, nbr.size // 2)  # every undirected edge is listed from both ends
    cand_u = np.empty(n_edges, np.int64)
    cand_v = np.empty(n_edges, np.int64)
    seen_edge = np.full(n_edges, -1, np.int64)
    step = 0
    ne = 0
    ext_stale = True
    while nf > 0:
        progressed = False
        nn = 0
        for k in range(nf):
            i = front[k]
            a = q0[i]
            b = q1[i]
            if b < 0 or dist[l2p[a], l2p[b]] == 1:
                if emit:
                    events, count = _record(events, count, i)
                if b >= 0:
                    pa = l2p[a]
                    pb = l2p[b]
                    d = max(level[pa], level[pb]) + 1
                    level[pa] = d
                    level[pb] = d
                    if d > depth:
                        depth = d
                progressed = True
                for s in range(succ_ptr[i], succ_ptr[i + 1]):
                    j = succ[s]
                    npred[j] -= 1
                    if npred[j] == 0:
                        nxt[nn] = j
                        nn += 1
            else:
                nxt[nn] = i
                nn += 1
        front, nxt = nxt, front
        nf = nn
        if progressed:
            since_progress = 0
            ext_stale = True
            epoch += 1
            continue
        if nf == 0:
            break
        step += 1
        if since_progress > valve:
            # release valve: walk the first front gate's qubits together
            i = front[0]
            u = l2p[q0[i]]
            target = l2p[q1[i]]
            if dist[u, target] >= n_phys:  # no path: the coupling map is disconnected
                return events, count, l2p, -1 - i, depth
            while dist[u, target] > 1:
                best = -1
                for t in range(nbr_ptr[u], nbr_ptr[u + 1]):
                    w = nbr[t]
                    if best < 0 or dist[w, target] < dist[best, target]:
                        best = w
                if emit:
                    events, count = _record(events, count, -1 - edge_of[u, best])
                depth = _do_swap(u, best, l2p, p2l, level, depth)
                swaps += 1
                u = best
            since_progress = 0
            ext_stale = True
            continue
        # the extended set: the next EXTENDED routed ops reachable from the front (the
        # same until the front changes, so not walked again after a swap that ran nothing)
        head = 0
        tail = 0
        if ext_stale:
            ne = 0
            ext_stale = False
            for k in range(nf):
                stamp[front[k]] = step
                pend[front[k]] = 0
                queue[tail] = front[k]
                tail += 1
        while head < tail and ne < EXTENDED:
            i = queue[head]
            head += 1
            for s in range(succ_ptr[i], succ_ptr[i + 1]):
                j = succ[s]
                if stamp[j] != step:
                    stamp[j] = step
                    pend[j] = npred[j]
                if pend[j] <= 0:
                    continue  # already queued
                pend[j] -= 1
                if pend[j] == 0:
                    queue[tail] = j
                    tail += 1
                    if q1[j] >= 0 and ne < EXTENDED:
                        ext[ne] = j
                        ne += 1
        # candidate swaps: edges touching a front gate's qubit
        nc = 0
        for k in range(nf):
            i = front[k]
            for side in range(2):
                p = l2p[q0[i]] if side == 0 else l2p[q1[i]]
                for t in range(nbr_ptr[p], nbr_ptr[p + 1]):
                    r = nbr[t]
                    e = edge_of[p, r]
                    if seen_edge[e] == step:
                        continue
                    seen_edge[e] = step
                    cand_u[nc] = min(p, r)
                    cand_v[nc] = max(p, r)
                    nc += 1
        # distances now, and the lists of gates per physical qubit
        base_f = 0
        base_e = 0
        nodes = 0
        for k in range(nf + ne):
            i = front[k] if k < nf else ext[k - nf]
            pa = l2p[q0[i]]
            pb = l2p[q1[i]]
            gate_pa[k] = pa
            gate_pb[k] = pb
            if k < nf:
                base_f += dist[pa, pb]
            else:
                base_e += dist[pa, pb]
            for side in range(2):
                p = pa if side == 0 else pb
                if node_stamp[p] != step:
                    node_stamp[p] = step
                    first_node[p] = -1
                node_gate[nodes] = k
                node_next[nodes] = first_node[p]
                first_node[p] = nodes
                nodes += 1
        best_u = -1
        best_v = -1
        best_h = np.inf
        best_tie = np.inf
        for c in range(nc):
            u = cand_u[c]
            v = cand_v[c]
            # the scores sum integer distances, so the change computed here gives exactly
            # the totals a full recount would
            d_f = 0
            d_e = 0
            for side in range(2):
                p = u if side == 0 else v
                if node_stamp[p] != step:
                    continue
                node = first_node[p]
                while node >= 0:
                    k = node_gate[node]
                    node = node_next[node]
                    pa = gate_pa[k]
                    pb = gate_pb[k]
                    if side == 1 and (pa == u or pb == u):
                        continue  # on both qubits of the swap: counted with u
                    diff = dist[_moved(pa, u, v), _moved(pb, u, v)] - dist[pa, pb]
                    if k < nf:
                        d_f += diff
                    else:
                        d_e += diff
            h = (base_f + d_f) / nf
            if ne > 0:
                h += EXTENDED_WEIGHT * (base_e + d_e) / ne
            h *= max(decay[u] if decay_epoch[u] == epoch else 1.0,
                     decay[v] if decay_epoch[v] == epoch else 1.0)
            tie = np.random.random()
            if h < best_h or (h == best_h and tie < best_tie):
                best_h = h
                best_tie = tie
                best_u = u
                best_v = v
        if emit:
            events, count = _record(events, count, -1 - edge_of[best_u, best_v])
        depth = _do_swap(best_u, best_v, l2p, p2l, level, depth)
        swaps += 1
        since_progress += 1
        since_reset += 1
        for p in (best_u, best_v):
            if decay_epoch[p] != epoch:
                decay_epoch[p] = epoch
                decay[p] = 1.0
            decay[p] += DECAY
        if since_reset >= DECAY_RESET:
            epoch += 1
            since_reset = 0
    return events, count, l2p, swaps, depth


@njit(cache=True, nogil=True)
def layout_trial(fq0, fq1, fsucc_ptr, fsucc, fnpred, bq0, bq1, bsucc_ptr, bsucc, bnpred,
                 layout, dist, nbr_ptr, nbr, edge_of, valve, seeds, iterations):
    """One layout trial in one call: ``iterations`` forward-backward routing runs, each
    starting from where the last one ended (seeds ``seeds[2k]``, ``seeds[2k + 1]``),
    then a forward run with ``seeds[-1]`` that is scored. Returns (layout the scored run
    starts from, its swaps, its two-qubit depth); swaps as :func:`route` gives them."""
    for k in range(iterations):
        _, _, end, swaps, _ = route(fq0, fq1, fsucc_ptr, fsucc, fnpred, layout, dist,
                                    nbr_ptr, nbr, edge_of, valve, seeds[2 * k], False)
        if swaps < 0:
            return layout, swaps, 0
        _, _, layout, swaps, _ = route(bq0, bq1, bsucc_ptr, bsucc, bnpred, end, dist,
                                       nbr_ptr, nbr, edge_of, valve, seeds[2 * k + 1],
                                       False)
        if swaps < 0:
            return layout, swaps, 0
    _, _, _, swaps, depth = route(fq0, fq1, fsucc_ptr, fsucc, fnpred, layout, dist,
                                  nbr_ptr, nbr, edge_of, valve, seeds[-1], False)
    return layout, swaps, depth


@njit(cache=True, nogil=True, inline="always")
def _moved(p, u, v):
    if p == u:
        return v
    if p == v:
        return u
    return p


@njit(cache=True, nogil=True)
def _do_swap(u, v, l2p, p2l, level, depth):
    a = p2l[u]
    b = p2l[v]
    if a >= 0:
        l2p[a] = v
    if b >= 0:
        l2p[b] = u
    p2l[u] = b
    p2l[v] = a
    d = max(level[u], level[v]) + 1  # a swap is two-qubit depth too
    level[u] = d
    level[v] = d
    return max(depth, d)


@njit(cache=True, nogil=True)
def _record(events, count, event):
    """Append ``event``, doubling the array when full; returns (events, count)."""
    if count == events.size:
        out = np.empty(2 * events.size, np.int64)
        out[:events.size] = events
        events = out
    events[count] = event
    return events, count + 1
