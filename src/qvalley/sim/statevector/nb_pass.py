"""The cache-blocked pass: many gates applied to one cache-sized chunk of the state at a time.

A *pass* names a set of ``L`` physical qubits, its *lanes* (sorted; they always include
the lowest few qubits, so that a chunk is made of contiguous runs). The state splits into
``2**(n - L)`` chunks: the amplitudes that share the values of every other qubit. Each
thread takes chunks one after the other, copies a chunk into a buffer of ``2**L``
amplitudes that stays in its core's cache (or works on it in place when the lanes are the
lowest ``L`` qubits), applies every operation of the pass to it, and copies it back. So a
pass costs one read and one write of the state however many gates it holds: gates cost
arithmetic, not memory traffic.

Inside the buffer qubit ``lanes[i]`` is bit ``i``. Operations name their targets by buffer
bit. Controls on qubits outside the lanes are the same for a whole chunk: they are checked
once per chunk against the chunk's base index (``hcm``/``hcv``, physical bits). A
diagonal may use qubits outside the lanes too: their bits pick a slice of its table.

Operations are rows of an int64 array (columns below); matrices and diagonal tables live
in one pool in the state's dtype. Kernel kinds:

* ``DENSE1``/``DENSE2``: a 2x2 or 4x4 matrix (for ``DENSE2`` positions sorted, the matrix
  permuted to match by the planner), registers only, inner loops over contiguous runs.
* ``DENSEK``: a 2**k matrix on k = 3..6 buffer bits, gathered per index group.
* ``DIAG``: a table over up to ``MAX_DIAG`` qubits (buffer bit ``p >= 0`` or physical
  qubit ``-(q + 1)`` outside the lanes).
* ``XGATE``/``SWAP``: permutations without arithmetic.

Every kind takes local controls (``lcm``/``lcv``, buffer bits).

Preconditions are the planner's (:mod:`.planner`); nothing is checked here.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

DENSE1, DENSE2, DENSEK, DIAG, XGATE, SWAP = 1, 2, 3, 4, 5, 6
# columns of an operation row
KIND, K, HCM, HCV, LCM, LCV, OFF, POS = 0, 1, 2, 3, 4, 5, 6, 7
MAX_DIAG = 12
WIDTH = POS + MAX_DIAG
INNER = 6  # diagonal: buffer bits below this index a small pattern table

_OPTS = dict(cache=True, fastmath={'contract'}, nogil=True, boundscheck=False)


@njit(**_OPTS)
def _pair(v0, v1, m00, m01, m10, m11):
    """The vectorised inner loop: two separate runs (LLVM checks they do not overlap)."""
    for j in range(v0.size):
        a0 = v0[j]
        a1 = v1[j]
        v0[j] = m00 * a0 + m01 * a1
        v1[j] = m10 * a0 + m11 * a1


def _low_pair(p):
    """Dense 1-qubit gate on a low bit ``p`` (stride 1, 2, 4 or 8), with ``p`` compiled
    in. Measured here: bit 0 vectorises best as one loop over pairs, bits 1..3 as blocks
    of 64 amplitudes with a fixed inner shape."""
    d = 1 << p
    if p == 0:
        @njit(**_OPTS)
        def pairs(v, m00, m01, m10, m11):
            for i in range(v.size // 2):
                j = 2 * i
                a0 = v[j]
                a1 = v[j + 1]
                v[j] = m00 * a0 + m01 * a1
                v[j + 1] = m10 * a0 + m11 * a1
        return pairs

    @njit(**_OPTS)
    def blocks(v, m00, m01, m10, m11):
        for g in range(0, v.size, 64):
            w = v[g:g + 64]
            for b in range(0, 64, 2 * d):
                for j in range(d):
                    a0 = w[b + j]
                    a1 = w[b + j + d]
                    w[b + j] = m00 * a0 + m01 * a1
                    w[b + j + d] = m10 * a0 + m11 * a1
    return blocks


def _low_quad(p):
    """Dense 2-qubit gate whose lower bit ``p`` is 0..3 (compiled in); the higher bit's
    halves arrive as two separate runs ``lo``, ``hi``."""
    d = 1 << p

    if p == 0:
        @njit(**_OPTS)
        def quad(lo, hi, m):
            m00, m01, m02, m03 = m[0], m[1], m[2], m[3]
            m10, m11, m12, m13 = m[4], m[5], m[6], m[7]
            m20, m21, m22, m23 = m[8], m[9], m[10], m[11]
            m30, m31, m32, m33 = m[12], m[13], m[14], m[15]
            for i in range(lo.size // 2):
                j = 2 * i
                a0 = lo[j]
                a1 = lo[j + 1]
                a2 = hi[j]
                a3 = hi[j + 1]
                lo[j] = m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3
                lo[j + 1] = m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3
                hi[j] = m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3
                hi[j + 1] = m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3
        return quad

    @njit(**_OPTS)
    def quad_blocks(lo, hi, m):
        m00, m01, m02, m03 = m[0], m[1], m[2], m[3]
        m10, m11, m12, m13 = m[4], m[5], m[6], m[7]
        m20, m21, m22, m23 = m[8], m[9], m[10], m[11]
        m30, m31, m32, m33 = m[12], m[13], m[14], m[15]
        for g in range(0, lo.size, 64):
            u = lo[g:g + 64]
            w = hi[g:g + 64]
            for b in range(0, 64, 2 * d):
                for j in range(b, b + d):
                    a0 = u[j]
                    a1 = u[j + d]
                    a2 = w[j]
                    a3 = w[j + d]
                    u[j] = m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3
                    u[j + d] = m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3
                    w[j] = m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3
                    w[j + d] = m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3
    return quad_blocks


_pair0 = _low_pair(0)
_pair1 = _low_pair(1)
_pair2 = _low_pair(2)
_pair3 = _low_pair(3)
_quad0 = _low_quad(0)
_quad1 = _low_quad(1)
_quad2 = _low_quad(2)
_quad3 = _low_quad(3)
SPLIT = 16  # targets with a stride from here up run as two separate runs


@njit(**_OPTS)
def _dense1(x, m, p, lcm, lcv):
    m00 = m[0]
    m01 = m[1]
    m10 = m[2]
    m11 = m[3]
    n = x.size
    h = np.int64(1) << p
    if lcm == 0 and (h >= SPLIT or n >= 64):  # else (controls, a tiny state): plain loop
        if h >= SPLIT:
            for b in range(0, n, 2 * h):
                _pair(x[b:b + h], x[b + h:b + 2 * h], m00, m01, m10, m11)
        elif h == 1:
            _pair0(x, m00, m01, m10, m11)
        elif h == 2:
            _pair1(x, m00, m01, m10, m11)
        elif h == 4:
            _pair2(x, m00, m01, m10, m11)
        else:
            _pair3(x, m00, m01, m10, m11)
        return
    for b in range(0, n, 2 * h):
        for j in range(b, b + h):
            if (j & lcm) == lcv:
                a0 = x[j]
                a1 = x[j + h]
                x[j] = m00 * a0 + m01 * a1
                x[j + h] = m10 * a0 + m11 * a1


@njit(**_OPTS)
def _quad(v0, v1, v2, v3, m):
    m00, m01, m02, m03 = m[0], m[1], m[2], m[3]
    m10, m11, m12, m13 = m[4], m[5], m[6], m[7]
    m20, m21, m22, m23 = m[8], m[9], m[10], m[11]
    m30, m31, m32, m33 = m[12], m[13], m[14], m[15]
    for j in range(v0.size):
        a0 = v0[j]
        a1 = v1[j]
        a2 = v2[j]
        a3 = v3[j]
        v0[j] = m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3
        v1[j] = m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3
        v2[j] = m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3
        v3[j] = m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3


@njit(**_OPTS)
def _dense2(x, m, p0, p1, lcm, lcv):
    """``m`` is 4x4 (flat, row-major) little-endian in (p0, p1), p0 < p1."""
    n = x.size
    h0 = np.int64(1) << p0
    h1 = np.int64(1) << p1
    if lcm == 0 and h0 >= SPLIT:
        for b1 in range(0, n, 2 * h1):
            for b0 in range(b1, b1 + h1, 2 * h0):
                _quad(x[b0:b0 + h0], x[b0 + h0:b0 + 2 * h0], x[b0 + h1:b0 + h1 + h0],
                      x[b0 + h1 + h0:b0 + h1 + 2 * h0], m)
        return
    if lcm == 0 and h0 < SPLIT and h1 >= (16 if h0 == 1 else 64):
        for b1 in range(0, n, 2 * h1):
            lo = x[b1:b1 + h1]
            hi = x[b1 + h1:b1 + 2 * h1]
            if h0 == 1:
                _quad0(lo, hi, m)
            elif h0 == 2:
                _quad1(lo, hi, m)
            elif h0 == 4:
                _quad2(lo, hi, m)
            else:
                _quad3(lo, hi, m)
        return
    m00, m01, m02, m03 = m[0], m[1], m[2], m[3]
    m10, m11, m12, m13 = m[4], m[5], m[6], m[7]
    m20, m21, m22, m23 = m[8], m[9], m[10], m[11]
    m30, m31, m32, m33 = m[12], m[13], m[14], m[15]
    for b1 in range(0, n, 2 * h1):
        for b0 in range(b1, b1 + h1, 2 * h0):
            for j in range(b0, b0 + h0):
                if (j & lcm) == lcv:
                    a0 = x[j]
                    a1 = x[j + h0]
                    a2 = x[j + h1]
                    a3 = x[j + h0 + h1]
                    x[j] = m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3
                    x[j + h0] = m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3
                    x[j + h1] = m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3
                    x[j + h0 + h1] = m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3


@njit(**_OPTS)
def _densek(x, m, pos, lcm, lcv, tmp):
    """A 2**k matrix (flat, row-major) little-endian in the buffer bits ``pos``."""
    k = pos.size
    d = 1 << k
    off = np.zeros(d, dtype=np.int64)
    fixed = lcm
    for t in range(d):
        o = 0
        for j in range(k):
            if (t >> j) & 1:
                o |= np.int64(1) << pos[j]
        off[t] = o
    for j in range(k):
        fixed |= np.int64(1) << pos[j]
    groups = x.size >> k
    if lcm:
        groups >>= _popcount(lcm)
    g = lcv
    for _ in range(groups):
        for t in range(d):
            tmp[t] = x[g + off[t]]
        for r in range(d):
            acc = tmp[0] * m[r * d]
            for t in range(1, d):
                acc += m[r * d + t] * tmp[t]
            x[g + off[r]] = acc
        g = (((g | fixed) + 1) & ~fixed) | lcv


@njit(**_OPTS)
def _popcount(v):
    c = 0
    while v:
        v &= v - 1
        c += 1
    return c


@njit(**_OPTS)
def _diag(x, table, row, cbase, lcm, lcv, lo_tab, hi_tab):
    """Multiply by a diagonal table; its qubit j is ``row[POS + j]`` (buffer bit, or
    -(physical qubit + 1) outside the lanes)."""
    k = row[K]
    n = x.size
    inner = min(n, 1 << INNER)
    hi_fixed = 0
    lo_bits = np.empty(k, dtype=np.int64)
    for j in range(k):
        p = row[POS + j]
        lo_bits[j] = -1
        if p < 0:
            q = -p - 1
            hi_fixed |= ((cbase >> q) & 1) << j
        else:
            lo_bits[j] = p
    for i in range(inner):
        t = 0
        for j in range(k):
            p = lo_bits[j]
            if p >= 0 and p < INNER and (i >> p) & 1:
                t |= np.int64(1) << j
        lo_tab[i] = t
    outer = n // inner
    for b in range(outer):
        t = hi_fixed
        i = b * inner
        for j in range(k):
            p = lo_bits[j]
            if p >= INNER and (i >> p) & 1:
                t |= np.int64(1) << j
        hi_tab[b] = t
    if lcm == 0:
        pattern = np.empty(inner, dtype=x.dtype)
        current = np.int64(-1)
        for b in range(outer):
            h = hi_tab[b]
            if h != current:
                for i in range(inner):
                    pattern[i] = table[h | lo_tab[i]]
                current = h
            _scale(x[b * inner:(b + 1) * inner], pattern)
        return
    for b in range(outer):
        h = hi_tab[b]
        base = b * inner
        for i in range(inner):
            if ((base + i) & lcm) == lcv:
                x[base + i] *= table[h | lo_tab[i]]


@njit(**_OPTS)
def _scale(v, pattern):
    for i in range(v.size):
        v[i] *= pattern[i]


@njit(**_OPTS)
def _xgate(x, p, lcm, lcv):
    n = x.size
    h = 1 << p
    for b in range(0, n, 2 * h):
        for j in range(b, b + h):
            if (j & lcm) == lcv:
                a = x[j]
                x[j] = x[j + h]
                x[j + h] = a


@njit(**_OPTS)
def _swap(x, p0, p1, lcm, lcv):
    n = x.size
    h0 = 1 << p0
    h1 = 1 << p1
    for b1 in range(0, n, 2 * h1):
        for b0 in range(b1, b1 + h1, 2 * h0):
            for j in range(b0, b0 + h0):
                if (j & lcm) == lcv:
                    a = x[j + h0]
                    x[j + h0] = x[j + h1]
                    x[j + h1] = a


@njit(**_OPTS)
def _apply_ops(x, ops, pool, cbase, tmp, lo_tab, hi_tab):
    for i in range(ops.shape[0]):
        row = ops[i]
        if (cbase & row[HCM]) != row[HCV]:
            continue
        kind = row[KIND]
        off = row[OFF]
        lcm = row[LCM]
        lcv = row[LCV]
        if kind == DENSE1:
            _dense1(x, pool[off:off + 4], row[POS], lcm, lcv)
        elif kind == DENSE2:
            _dense2(x, pool[off:off + 16], row[POS], row[POS + 1], lcm, lcv)
        elif kind == DENSEK:
            k = row[K]
            _densek(x, pool[off:off + (1 << (2 * k))], row[POS:POS + k], lcm, lcv, tmp)
        elif kind == DIAG:
            _diag(x, pool[off:off + (1 << row[K])], row, cbase, lcm, lcv, lo_tab, hi_tab)
        elif kind == XGATE:
            _xgate(x, row[POS], lcm, lcv)
        elif kind == SWAP:
            _swap(x, row[POS], row[POS + 1], lcm, lcv)


@njit(**_OPTS)
def _deposit(v, mask):
    """Spread the low bits of ``v`` over the set bits of ``mask`` (lowest first)."""
    out = 0
    m = mask
    while m:
        low = m & -m
        if v & 1:
            out |= low
        v >>= 1
        m &= m - 1
    return out


@njit(**_OPTS)
def _copy(dst, src):
    for i in range(dst.size):
        dst[i] = src[i]


@njit(parallel=True, **_OPTS)
def run_pass(state, lanes, ops, pool, parts):
    """Apply ``ops`` to every chunk of ``state`` whose free qubits are ``lanes``.

    ``parts`` is how many work items the chunks are dealt into (1: all on this thread).
    """
    n = 0
    while (np.int64(1) << n) < state.size:
        n += 1
    nl = lanes.size
    lane_mask = 0
    for i in range(nl):
        lane_mask |= np.int64(1) << lanes[i]
    full = (np.int64(1) << n) - 1
    chunk_mask = full & ~lane_mask
    inplace = lane_mask == (np.int64(1) << nl) - 1
    # contiguous low lanes: a chunk is made of runs of 2**r amplitudes
    r = 0
    while r < nl and lanes[r] == r:
        r += 1
    run = np.int64(1) << r
    run_mask = lane_mask & ~(run - 1)  # lanes above the runs
    runs = np.int64(1) << (nl - r)
    size = np.int64(1) << nl
    chunks = np.int64(1) << (n - nl)
    for t in prange(parts):
        lo = np.int64(t) * chunks // parts
        hi = (np.int64(t) + 1) * chunks // parts
        tmp = np.empty(64, dtype=state.dtype)
        lo_tab = np.empty(1 << INNER, dtype=np.int64)
        hi_tab = np.empty(max(size >> INNER, 1), dtype=np.int64)
        buf = np.empty(0 if inplace else size, dtype=state.dtype)
        for c in range(lo, hi):
            cbase = _deposit(c, chunk_mask)
            if inplace:
                _apply_ops(state[c * size:(c + 1) * size], ops, pool, cbase, tmp, lo_tab,
                           hi_tab)
                continue
            g = np.int64(0)
            for u in range(runs):
                src = cbase | g
                _copy(buf[u * run:(u + 1) * run], state[src:src + run])
                g = (g - run_mask) & run_mask
            _apply_ops(buf, ops, pool, cbase, tmp, lo_tab, hi_tab)
            g = np.int64(0)
            for u in range(runs):
                dst = cbase | g
                _copy(state[dst:dst + run], buf[u * run:(u + 1) * run])
                g = (g - run_mask) & run_mask
