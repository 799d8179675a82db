"""The cache-blocked pass: many gates applied to one cache-sized chunk of the state at a time.

A *pass* names a set of ``L`` physical qubits, its *lanes* (they always include the lowest
few qubits, so that a chunk is made of contiguous runs). The state splits into
``2**(n - L)`` chunks: the amplitudes that share the values of every other qubit. Each
thread takes chunks one after the other, copies a chunk into a buffer of ``2**L``
amplitudes that stays in its core's cache (or works on it in place when the lanes are the
lowest ``L`` qubits), applies every operation of the pass to it, and copies it back. So a
pass costs one read and one write of the state however many gates it holds: gates cost
arithmetic, not memory traffic.

Inside the buffer, lane ``order[i]`` is bit ``i``: the planner keeps the lowest buffer bits
free of dense targets (a gate on a low bit cannot use whole vector registers: measured
here 3 to 5 times slower), so a gathered chunk may be a permutation of its runs.
Operations name their targets by buffer bit. Controls on qubits outside the lanes are the same for a whole chunk: they are checked
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
* ``SPARSE`` (real states: the density matrix's Pauli vector): a 2**k matrix on k = 3..6
  buffer bits given by its nonzero entries (pool: 2**k row counts as floats, then
  (column, value) pairs row by row); the entries of 64 neighbouring groups are taken at
  once (contiguous runs when every target is bit 6 or above, else through an index
  table), so the multiply-adds run along rows of 64. A Clifford gate with a Pauli
  channel has one entry a row: a multiply an entry.

Real states (float64) take ``DENSE1``, ``DENSE2``, ``DIAG``, ``XGATE``, ``SWAP`` and
``SPARSE``, uncontrolled (the Pauli vector has no controls); the kernels pick their real
forms at compile time (``np.iscomplexobj``).

Every kind takes local controls (``lcm``/``lcv``, buffer bits).

Preconditions are the planner's (:mod:`.planner`); nothing is checked here.
"""
from __future__ import annotations

import numpy as np

from .nb_target import configure

configure()  # before the first compilation: vector width for this CPU
from numba import njit, prange  # noqa: E402

from .nb_kernels import _run1  # noqa: E402  (two dense runs, real states)

DENSE1, DENSE2, DENSEK, DIAG, XGATE, SWAP, SPARSE = 1, 2, 3, 4, 5, 6, 7
# columns of an operation row
KIND, K, HCM, HCV, LCM, LCV, OFF, POS = 0, 1, 2, 3, 4, 5, 6, 7
MAX_DIAG = 12
WIDTH = POS + MAX_DIAG
INNER = 6  # diagonal: buffer bits below this index a small pattern table
BLOCK = 1 << INNER
DIAG_PATTERNS = 128  # diagonal: patterns built once per chunk when this many or fewer

_OPTS = dict(cache=True, fastmath={'contract'}, nogil=True, boundscheck=False)


@njit(**_OPTS)
def _pair_real(v0, v1, a, b):
    """Dense 1-qubit gate on two separate runs (float views, re and im interleaved) in
    real arithmetic (``a``, ``b``: the matrix's real and imaginary parts), which LLVM
    fuses into multiply-adds."""
    a00, a01, a10, a11 = a[0], a[1], a[2], a[3]
    b00, b01, b10, b11 = b[0], b[1], b[2], b[3]
    for j in range(v0.size // 2):
        r = 2 * j
        i = r + 1
        x0r, x0i, x1r, x1i = v0[r], v0[i], v1[r], v1[i]
        v0[r] = a00 * x0r - b00 * x0i + a01 * x1r - b01 * x1i
        v0[i] = a00 * x0i + b00 * x0r + a01 * x1i + b01 * x1r
        v1[r] = a10 * x0r - b10 * x0i + a11 * x1r - b11 * x1i
        v1[i] = a10 * x0i + b10 * x0r + a11 * x1i + b11 * x1r


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
    """Dense 2-qubit gate whose lower bit ``p`` is 2 or 3 (compiled in; complex form: the
    real form does not vectorise there either); the higher bit's halves arrive as two
    separate runs ``lo``, ``hi``."""
    d = 1 << p

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
def _low_quad_real(p):
    """Dense 2-qubit gate whose lower bit ``p`` is low (compiled in), in real arithmetic
    on float views of the higher bit's halves ``lo``, ``hi`` (``a``, ``b``: the matrix's
    real and imaginary parts). Measured here (complex64, Gamp/s per core): bit 0 3.0,
    bit 1 1.6, bits 4, 5 2.3 and 2.7; bits 2 and 3 do not vectorise in any form tried
    (0.5): the planner keeps dense targets off them."""
    d = 1 << p
    D = 2 * d  # float stride of bit p

    @njit(**_OPTS)
    def quad(lo, hi, a, b):
        a00, a01, a02, a03, a10, a11, a12, a13 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
        a20, a21, a22, a23 = a[8], a[9], a[10], a[11]
        a30, a31, a32, a33 = a[12], a[13], a[14], a[15]
        b00, b01, b02, b03, b10, b11, b12, b13 = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
        b20, b21, b22, b23 = b[8], b[9], b[10], b[11]
        b30, b31, b32, b33 = b[12], b[13], b[14], b[15]
        for g in range(lo.size // (2 * D)):
            base = g * 2 * D
            for s in range(d):
                r = base + 2 * s
                i = r + 1
                x0r, x0i, x1r, x1i = lo[r], lo[i], lo[r + D], lo[i + D]
                x2r, x2i, x3r, x3i = hi[r], hi[i], hi[r + D], hi[i + D]
                lo[r] = (a00 * x0r - b00 * x0i + a01 * x1r - b01 * x1i
                         + a02 * x2r - b02 * x2i + a03 * x3r - b03 * x3i)
                lo[i] = (a00 * x0i + b00 * x0r + a01 * x1i + b01 * x1r
                         + a02 * x2i + b02 * x2r + a03 * x3i + b03 * x3r)
                lo[r + D] = (a10 * x0r - b10 * x0i + a11 * x1r - b11 * x1i
                             + a12 * x2r - b12 * x2i + a13 * x3r - b13 * x3i)
                lo[i + D] = (a10 * x0i + b10 * x0r + a11 * x1i + b11 * x1r
                             + a12 * x2i + b12 * x2r + a13 * x3i + b13 * x3r)
                hi[r] = (a20 * x0r - b20 * x0i + a21 * x1r - b21 * x1i
                         + a22 * x2r - b22 * x2i + a23 * x3r - b23 * x3i)
                hi[i] = (a20 * x0i + b20 * x0r + a21 * x1i + b21 * x1r
                         + a22 * x2i + b22 * x2r + a23 * x3i + b23 * x3r)
                hi[r + D] = (a30 * x0r - b30 * x0i + a31 * x1r - b31 * x1i
                             + a32 * x2r - b32 * x2i + a33 * x3r - b33 * x3i)
                hi[i + D] = (a30 * x0i + b30 * x0r + a31 * x1i + b31 * x1r
                             + a32 * x2i + b32 * x2r + a33 * x3i + b33 * x3r)
    return quad


_quad0 = _low_quad(0)
_quad1 = _low_quad(1)
_quad2 = _low_quad(2)
_quad3 = _low_quad(3)
_rquad0 = _low_quad_real(0)
_rquad1 = _low_quad_real(1)
_rquad4 = _low_quad_real(4)
_rquad5 = _low_quad_real(5)
_rquad6 = _low_quad_real(6)
_rquad7 = _low_quad_real(7)
SPLIT = 256  # dense 2-qubit: lower strides from here up run as four views


@njit(**_OPTS)
def _dense1(x, m, p, lcm, lcv):
    m00 = m[0]
    m01 = m[1]
    m10 = m[2]
    m11 = m[3]
    n = x.size
    h = np.int64(1) << p
    if lcm == 0 and (h >= 16 or n >= 64):  # else (controls, a tiny state): plain loop
        if h >= 16 and not np.iscomplexobj(x):
            for b in range(0, n, 2 * h):
                _run1(x[b:b + h], x[b + h:b + 2 * h], m.reshape(2, 2))
        elif h >= 16:
            f = x.view(m.real.dtype)
            a = m.real.copy()
            c = m.imag.copy()
            g = 2 * h
            for b in range(0, 2 * n, 2 * g):
                _pair_real(f[b:b + g], f[b + g:b + 2 * g], a, c)
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
def _quad(v0, v1, v2, v3, a, b):
    """The four runs of a 2-qubit gate as float views (re, im interleaved); ``a`` and
    ``b`` are the matrix's real and imaginary parts. Written in real arithmetic so that
    LLVM emits fused multiply-adds (numba's complex products are not contracted):
    measured here 20 to 25% faster than the complex form."""
    a00, a01, a02, a03, a10, a11, a12, a13 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
    a20, a21, a22, a23, a30, a31, a32, a33 = a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]
    b00, b01, b02, b03, b10, b11, b12, b13 = b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
    b20, b21, b22, b23, b30, b31, b32, b33 = b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
    for j in range(v0.size // 2):
        r = 2 * j
        i = r + 1
        x0r, x0i, x1r, x1i = v0[r], v0[i], v1[r], v1[i]
        x2r, x2i, x3r, x3i = v2[r], v2[i], v3[r], v3[i]
        v0[r] = (a00 * x0r - b00 * x0i + a01 * x1r - b01 * x1i
                 + a02 * x2r - b02 * x2i + a03 * x3r - b03 * x3i)
        v0[i] = (a00 * x0i + b00 * x0r + a01 * x1i + b01 * x1r
                 + a02 * x2i + b02 * x2r + a03 * x3i + b03 * x3r)
        v1[r] = (a10 * x0r - b10 * x0i + a11 * x1r - b11 * x1i
                 + a12 * x2r - b12 * x2i + a13 * x3r - b13 * x3i)
        v1[i] = (a10 * x0i + b10 * x0r + a11 * x1i + b11 * x1r
                 + a12 * x2i + b12 * x2r + a13 * x3i + b13 * x3r)
        v2[r] = (a20 * x0r - b20 * x0i + a21 * x1r - b21 * x1i
                 + a22 * x2r - b22 * x2i + a23 * x3r - b23 * x3i)
        v2[i] = (a20 * x0i + b20 * x0r + a21 * x1i + b21 * x1r
                 + a22 * x2i + b22 * x2r + a23 * x3i + b23 * x3r)
        v3[r] = (a30 * x0r - b30 * x0i + a31 * x1r - b31 * x1i
                 + a32 * x2r - b32 * x2i + a33 * x3r - b33 * x3i)
        v3[i] = (a30 * x0i + b30 * x0r + a31 * x1i + b31 * x1r
                 + a32 * x2i + b32 * x2r + a33 * x3i + b33 * x3r)


@njit(**_OPTS)
def _quad_runs(x, m, h0, h1):
    """Dense 2-qubit gate on a real state, both strides at least 8: the inner loop runs
    along contiguous entries (vectorised). Inline rather than nb_kernels._run2 on four
    views: a call per group of runs measured 1.5x (stride 64) to 3x (stride 8) slower."""
    m00, m01, m02, m03 = m[0], m[1], m[2], m[3]
    m10, m11, m12, m13 = m[4], m[5], m[6], m[7]
    m20, m21, m22, m23 = m[8], m[9], m[10], m[11]
    m30, m31, m32, m33 = m[12], m[13], m[14], m[15]
    for b1 in range(0, x.size, 2 * h1):
        for b0 in range(b1, b1 + h1, 2 * h0):
            v0 = x[b0:b0 + h0]
            v1 = x[b0 + h0:b0 + 2 * h0]
            v2 = x[b0 + h1:b0 + h1 + h0]
            v3 = x[b0 + h1 + h0:b0 + h1 + 2 * h0]
            for j in range(h0):
                a0 = v0[j]
                a1 = v1[j]
                a2 = v2[j]
                a3 = v3[j]
                v0[j] = m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3
                v1[j] = m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3
                v2[j] = m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3
                v3[j] = m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3


@njit(**_OPTS)
def _sparse_gathered(x, k, offs, fixed, counts, cols, vals, tmp):
    """``SPARSE`` with a target among the lowest 6 bits: the groups taken together are
    the 2**r (r <= 6) that differ in the lowest r non-target bits (index table ``jo``),
    gathered into ``tmp`` rows and scattered back from a row of their own (measured here
    about 4 times faster than one group at a time)."""
    d = offs.size
    bits = 0
    while (np.int64(1) << (bits + 1)) <= x.size:
        bits += 1
    r = min(6, bits - k)
    R = np.int64(1) << r
    jo = np.empty(R, dtype=np.int64)
    spread = np.int64(0)
    b = 0
    taken = 0
    while taken < r:
        if not (fixed >> b) & 1:
            spread |= np.int64(1) << b
            taken += 1
        b += 1
    for j in range(R):
        jo[j] = _deposit(j, spread)
    mask = fixed | spread
    bases = x.size >> (k + r)
    res = tmp[d * 64:d * 64 + R]
    g = np.int64(0)
    for _ in range(bases):
        for t in range(d):
            src = x[g + offs[t]:]
            keep = tmp[t * 64:t * 64 + R]
            for j in range(R):
                keep[j] = src[jo[j]]
        e = 0
        for t in range(d):
            c = counts[t]
            for j in range(R):
                res[j] = 0.0
            for f in range(e, e + c):
                v = vals[f]
                src = tmp[cols[f] * 64:cols[f] * 64 + R]
                for j in range(R):
                    res[j] += v * src[j]
            e += c
            out = x[g + offs[t]:]
            for j in range(R):
                out[jo[j]] = res[j]
        g = ((g | mask) + 1) & ~mask


@njit(**_OPTS)
def _sparse(x, pool, off, pos, tmp):
    """The ``SPARSE`` kernel (see the module docstring); ``tmp`` holds (2**k + 1) x 64
    entries."""
    k = pos.size
    d = 1 << k
    offs = np.zeros(d, dtype=np.int64)
    fixed = np.int64(0)
    low = 63
    for j in range(k):
        fixed |= np.int64(1) << pos[j]
        low = min(low, pos[j])
    for t in range(d):
        o = np.int64(0)
        for j in range(k):
            if (t >> j) & 1:
                o |= np.int64(1) << pos[j]
        offs[t] = o
    counts = np.empty(d, dtype=np.int64)
    total = 0
    for t in range(d):
        counts[t] = np.int64(pool[off + t].real)
        total += counts[t]
    cols = np.empty(total, dtype=np.int64)
    vals = np.empty(total, dtype=x.dtype)
    for e in range(total):
        cols[e] = np.int64(pool[off + d + 2 * e].real)
        vals[e] = pool[off + d + 2 * e + 1]
    if low < 6:
        _sparse_gathered(x, k, offs, fixed, counts, cols, vals, tmp)
        return
    run = np.int64(64)
    mask = fixed | (run - 1)
    bases = x.size >> (k + 6)
    g = np.int64(0)
    for _ in range(bases):  # views, not indices: LLVM then vectorises (measured 3x)
        for t in range(d):
            src = x[g + offs[t]:g + offs[t] + run]
            keep = tmp[t * 64:t * 64 + run]
            for j in range(run):
                keep[j] = src[j]
        e = 0
        for t in range(d):
            out = x[g + offs[t]:g + offs[t] + run]
            c = counts[t]
            if c == 0:
                for j in range(run):
                    out[j] = 0.0
                continue
            v = vals[e]
            src = tmp[cols[e] * 64:cols[e] * 64 + run]
            for j in range(run):
                out[j] = v * src[j]
            for f in range(e + 1, e + c):
                v = vals[f]
                src = tmp[cols[f] * 64:cols[f] * 64 + run]
                for j in range(run):
                    out[j] += v * src[j]
            e += c
        g = ((g | mask) + 1) & ~mask


@njit(**_OPTS)
def _dense2(x, m, p0, p1, lcm, lcv):
    """``m`` is 4x4 (flat, row-major) little-endian in (p0, p1), p0 < p1."""
    n = x.size
    h0 = np.int64(1) << p0
    h1 = np.int64(1) << p1
    if lcm == 0 and not np.iscomplexobj(x):
        if h0 >= 8:
            _quad_runs(x, m, h0, h1)
            return
        if h1 >= 64 and h1 >= 2 * h0:
            for b1 in range(0, n, 2 * h1):
                lo = x[b1:b1 + h1]
                hi = x[b1 + h1:b1 + 2 * h1]
                if h0 == 1:
                    _quad0(lo, hi, m)
                elif h0 == 2:
                    _quad1(lo, hi, m)
                else:
                    _quad2(lo, hi, m)
            return
    if lcm == 0 and h0 >= SPLIT and np.iscomplexobj(x):
        f = x.view(m.real.dtype)
        a = m.real.copy()
        b = m.imag.copy()
        g0 = 2 * h0  # float offsets
        g1 = 2 * h1
        for b1 in range(0, 2 * n, 2 * g1):
            for b0 in range(b1, b1 + g1, 2 * g0):
                _quad(f[b0:b0 + g0], f[b0 + g0:b0 + 2 * g0], f[b0 + g1:b0 + g1 + g0],
                      f[b0 + g1 + g0:b0 + g1 + 2 * g0], a, b)
        return
    if lcm == 0 and h0 < SPLIT and h1 >= 2 * h0 and h1 >= 64 and np.iscomplexobj(x):
        if h0 == 4 or h0 == 8:
            for b1 in range(0, n, 2 * h1):
                lo = x[b1:b1 + h1]
                hi = x[b1 + h1:b1 + 2 * h1]
                if h0 == 4:
                    _quad2(lo, hi, m)
                else:
                    _quad3(lo, hi, m)
            return
        f = x.view(m.real.dtype)
        a = m.real.copy()
        b = m.imag.copy()
        g1 = 2 * h1
        for b1 in range(0, 2 * n, 2 * g1):
            lo = f[b1:b1 + g1]
            hi = f[b1 + g1:b1 + 2 * g1]
            if h0 == 1:
                _rquad0(lo, hi, a, b)
            elif h0 == 2:
                _rquad1(lo, hi, a, b)
            elif h0 == 16:
                _rquad4(lo, hi, a, b)
            elif h0 == 32:
                _rquad5(lo, hi, a, b)
            elif h0 == 64:
                _rquad6(lo, hi, a, b)
            else:
                _rquad7(lo, hi, a, b)
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
def _diag(x, table, row, cbase, lcm, lcv, lo_tab, hi_tab, pr, pi):
    """Multiply by a diagonal table; its qubit j is ``row[POS + j]`` (buffer bit, or
    -(physical qubit + 1) outside the lanes).

    The buffer is walked in blocks of ``2**INNER`` amplitudes; a block's slice of the
    table is a *pattern* picked by the block's bits above ``INNER``. When those bits are
    few (``DIAG_PATTERNS``), every pattern is built once per chunk and the walk is a plain
    multiply; otherwise a pattern is rebuilt when the block's bits change. The multiply is
    written in real arithmetic on a float view: LLVM fuses and vectorises it (measured
    here 3x numba's complex product)."""
    k = row[K]
    n = x.size
    inner = min(n, 1 << INNER)
    hi_fixed = 0
    lo_bits = np.empty(k, dtype=np.int64)
    khi = 0
    for j in range(k):
        p = row[POS + j]
        lo_bits[j] = -1
        if p < 0:
            q = -p - 1
            hi_fixed |= ((cbase >> q) & 1) << j
        else:
            lo_bits[j] = p
            if p >= INNER:
                khi += 1
    for i in range(inner):
        t = 0
        for j in range(k):
            p = lo_bits[j]
            if p >= 0 and p < INNER and (i >> p) & 1:
                t |= np.int64(1) << j
        lo_tab[i] = t
    outer = n // inner
    cached = lcm == 0 and (1 << khi) <= pr.shape[0]
    for b in range(outer):  # hi_tab[b]: table bits of block b (cached: the pattern's index)
        t = hi_fixed
        v = 0
        c = 0
        i = b * inner
        for j in range(k):
            p = lo_bits[j]
            if p >= INNER:
                if (i >> p) & 1:
                    t |= np.int64(1) << j
                    v |= np.int64(1) << c
                c += 1
        hi_tab[b] = v if cached else t
    if cached:
        for v in range(1 << khi):
            t = hi_fixed
            c = 0
            for j in range(k):
                if lo_bits[j] >= INNER:
                    if (v >> c) & 1:
                        t |= np.int64(1) << j
                    c += 1
            for i in range(inner):
                z = table[t | lo_tab[i]]
                pr[v, i] = z.real
                pi[v, i] = z.imag
        if not np.iscomplexobj(x):
            for b in range(outer):
                v = hi_tab[b]
                o = b * inner
                for i in range(inner):
                    x[o + i] *= pr[v, i]
            return
        f = x.view(pr.dtype)
        if inner == BLOCK:
            _scale_blocks(f, hi_tab, pr, pi, outer)
            return
        for b in range(outer):
            v = hi_tab[b]
            o = 2 * b * inner
            for i in range(inner):
                xr = f[o + 2 * i]
                xi = f[o + 2 * i + 1]
                f[o + 2 * i] = xr * pr[v, i] - xi * pi[v, i]
                f[o + 2 * i + 1] = xr * pi[v, i] + xi * pr[v, i]
        return
    if lcm == 0 and not np.iscomplexobj(x):
        for b in range(outer):
            h = hi_tab[b]
            o = b * inner
            for i in range(inner):
                x[o + i] *= table[h | lo_tab[i]]
        return
    if lcm == 0:
        f = x.view(pr.dtype)
        current = np.int64(-1)
        for b in range(outer):
            h = hi_tab[b]
            if h != current:
                for i in range(inner):
                    z = table[h | lo_tab[i]]
                    pr[0, i] = z.real
                    pi[0, i] = z.imag
                current = h
            if inner == BLOCK:
                _scale_block(f, 2 * BLOCK * b, pr, pi)
            else:
                o = 2 * b * inner
                for i in range(inner):
                    xr = f[o + 2 * i]
                    xi = f[o + 2 * i + 1]
                    f[o + 2 * i] = xr * pr[0, i] - xi * pi[0, i]
                    f[o + 2 * i + 1] = xr * pi[0, i] + xi * pr[0, i]
        return
    for b in range(outer):
        h = hi_tab[b]
        base = b * inner
        for i in range(inner):
            if ((base + i) & lcm) == lcv:
                x[base + i] *= table[h | lo_tab[i]]


@njit(**_OPTS)
def _scale_blocks(f, which, pr, pi, outer):
    """Block ``b`` of ``BLOCK`` amplitudes (float view ``f``) times pattern ``which[b]``;
    the fixed block length lets LLVM unroll and vectorise the real-form product."""
    for b in range(outer):
        v = which[b]
        o = 2 * BLOCK * b
        for i in range(BLOCK):
            xr = f[o + 2 * i]
            xi = f[o + 2 * i + 1]
            f[o + 2 * i] = xr * pr[v, i] - xi * pi[v, i]
            f[o + 2 * i + 1] = xr * pi[v, i] + xi * pr[v, i]


@njit(**_OPTS)
def _scale_block(f, o, pr, pi):
    """One block of ``BLOCK`` amplitudes from float offset ``o`` times pattern 0."""
    for i in range(BLOCK):
        xr = f[o + 2 * i]
        xi = f[o + 2 * i + 1]
        f[o + 2 * i] = xr * pr[0, i] - xi * pi[0, i]
        f[o + 2 * i + 1] = xr * pi[0, i] + xi * pr[0, i]


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
def _apply_ops(x, ops, pool, cbase, tmp, lo_tab, hi_tab, pr, pi, sp):
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
            _diag(x, pool[off:off + (1 << row[K])], row, cbase, lcm, lcv, lo_tab, hi_tab,
                  pr, pi)
        elif kind == XGATE:
            _xgate(x, row[POS], lcm, lcv)
        elif kind == SWAP:
            _swap(x, row[POS], row[POS + 1], lcm, lcv)
        elif kind == SPARSE:
            _sparse(x, pool, off, row[POS:POS + row[K]], sp)


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


@njit(inline='always', **_OPTS)
def _move(dst, d, src, s, piece):
    """``dst[d:d + piece] = src[s:s + piece]``; pieces of 2 and 4 as fixed-size copies
    (measured here: a quarter less time for a reordered chunk than the general loop)."""
    if piece == 2:
        dst[d] = src[s]
        dst[d + 1] = src[s + 1]
    elif piece == 4:
        for j in range(4):
            dst[d + j] = src[s + j]
    else:
        for j in range(piece):
            dst[d + j] = src[s + j]


@njit(**_OPTS)
def _transfer(state, buf, cbase, run_src, run_dst, inner, run, piece, inward):
    """Copy the chunk at ``cbase`` into ``buf`` (``inward``) or back (see :func:`run_pass`)."""
    for u in range(run_src.size):
        src = cbase | run_src[u]
        dst = run_dst[u]
        if inner.size == 0:
            if inward:
                _copy(buf[dst:dst + run], state[src:src + run])
            else:
                _copy(state[src:src + run], buf[dst:dst + run])
            continue
        for i in range(inner.size):
            if inward:
                _move(buf, dst + inner[i], state, src + i * piece, piece)
            else:
                _move(state, src + i * piece, buf, dst + inner[i], piece)


@njit(parallel=True, **_OPTS)
def run_pass(state, ops, pool, parts, chunk_mask, size, inplace,
             run_i, piece_i, src_i, dst_i, inner_i, run_o, piece_o, src_o, dst_o, inner_o):
    """Apply ``ops`` to every chunk of ``state`` (the planner's layout, :func:`.planner.layout`).

    A chunk is the ``size`` amplitudes whose bits outside the lanes equal those of
    ``deposit(c, chunk_mask)``. It is read as runs of ``run_i`` contiguous amplitudes: run
    ``u`` starts at ``src_i[u]`` (relative to the chunk's base) and goes to buffer offset
    ``dst_i[u]``; its piece ``j`` (``piece_i`` contiguous amplitudes) to ``dst_i[u] +
    inner_i[j]`` (``inner_i`` empty: the run is copied whole). It is written back the same
    way with the ``_o`` pattern (the planner may write a chunk back in another bit order
    than it was read in). ``inplace``: the lanes are the lowest bits in order; no copy at
    all. ``parts`` is how many work items the chunks are dealt into (1: all on this thread).
    """
    chunks = state.size // size
    for t in prange(parts):
        lo = np.int64(t) * chunks // parts
        hi = (np.int64(t) + 1) * chunks // parts
        tmp = np.empty(64, dtype=state.dtype)
        lo_tab = np.empty(1 << INNER, dtype=np.int64)
        hi_tab = np.empty(max(size >> INNER, 1), dtype=np.int64)
        pr = np.empty((DIAG_PATTERNS, 1 << INNER), dtype=tmp.real.dtype)
        pi = np.empty((DIAG_PATTERNS, 1 << INNER), dtype=tmp.real.dtype)
        buf = np.empty(0 if inplace else size, dtype=state.dtype)
        sp = np.empty(65 * 64, dtype=state.dtype)
        for c in range(lo, hi):
            cbase = _deposit(c, chunk_mask)
            if inplace:
                _apply_ops(state[c * size:(c + 1) * size], ops, pool, cbase, tmp, lo_tab,
                           hi_tab, pr, pi, sp)
                continue
            _transfer(state, buf, cbase, src_i, dst_i, inner_i, run_i, piece_i, True)
            _apply_ops(buf, ops, pool, cbase, tmp, lo_tab, hi_tab, pr, pi, sp)
            _transfer(state, buf, cbase, src_o, dst_o, inner_o, run_o, piece_o, False)
