"""Numba kernels that apply one operation to a state vector in place.

The state is a flat C-contiguous array of 2**n amplitudes, complex128 or complex64; qubit q
is bit q of the index (little-endian). Matrices, diagonals and phases must be passed in the
state's dtype (mixing dtypes would compile a second, slower version of each kernel), qubit
lists as int64 arrays. A kernel takes the number of qubits from ``state.size``, so it works
just as well on a contiguous slice ``state[a:a + 2**m]`` holding the low m qubits of a
larger state: that is how a cache-blocked planner applies a run of low-qubit gates to one
chunk while it is hot.

Controls are a bit mask ``cmask`` and a value ``cval`` (a subset of ``cmask``): an
operation acts only where ``index & cmask == cval``. Kernels enumerate that subspace
directly (the control bits are inserted into the loop index like the target bits), so a
gate with c controls costs 2**-c of the uncontrolled one.

Why it is fast: every kernel walks the state in chunks of ``CHUNK`` index groups dealt to
threads (``prange``; the thread count is whatever ``numba.set_num_threads`` says at the
call); inside a chunk the inner loops run over contiguous amplitudes (the run below the
lowest fixed bit) through array views, so LLVM vectorises them. Qubits with a stride
below ``INSIDE`` do not cut the runs short: their loops work inside the runs, with the
stride compiled in as a literal for 1, 2 and 4; controls there become a select. Dense 1-
and 2-qubit gates keep their matrix in registers; wider gates gather blocks of index
groups and multiply them with loops that vectorise across groups. Diagonals multiply by a
repeating pattern built once per run. Runs a multiple of ``ALIAS_BYTES`` apart are staged
through a small buffer. Reductions are summed per chunk in a fixed order, so results do
not depend on the number of threads. States below ``PAR_MIN`` amplitudes run on the
calling thread (waking threads costs more than the work).

Measured (benchmarks/statevector/kernels.py, 2 threads, 2**24..2**26 amplitudes), in
passes over memory: dense 1-qubit 1.0-1.25 (complex64 on qubits 0..5: about 2, compute
bound), dense 2-qubit 1.1-1.5 with a qubit above 5, about 3 (complex128) to 6 (complex64)
with both on qubits 0..5; diagonals 1.1-1.3; x 1.0, cx 0.5; 3-qubit 7-10, 5-qubit about 25
(compute bound on 2 cores).

Preconditions are not checked here (callers do): qubits distinct and < n, targets not in
``cmask``, ``cval & ~cmask == 0``, matrices of shape (2**k, 2**k).

This module imports numba; only the engine imports it, and only when it is used, so
``import qvalley`` stays free of numba.
"""
from __future__ import annotations

import numpy as np

from .nb_target import configure

configure()  # before the first compilation: vector width for this CPU
from numba import njit, prange, types  # noqa: E402
from numba.extending import overload  # noqa: E402

__all__ = [
    "apply_1q", "apply_2q", "apply_kq", "apply_dense", "apply_diagonal", "apply_x",
    "apply_swap", "apply_perm_phase", "prob_one", "norm_squared", "probabilities",
    "collapse", "reset", "sample_state", "sample_probs", "sorted_uniforms",
    "control_mask", "warm_up", "CHUNK", "PAR_MIN",
]

CHUNK = 1 << 11          # index groups per chunk (the unit of work inside a kernel)
WORK_ITEMS = 256         # chunks are dealt to threads in at most this many slices
PAR_MIN = 1 << 15        # states with fewer amplitudes run serially
INSIDE = 64              # targets with a smaller stride stay inside contiguous runs
LOW = 8                  # qubits 0..2: strides below the width of a vector loop
PIECE = 128              # amplitudes per row of a staging buffer
ALIAS_BYTES = 1 << 28    # runs this far apart are staged through a buffer, one at a time:
#                          on AMD Zen, stores alternating between addresses a multiple of
#                          256 MiB apart thrash the L1 way predictor (measured here: a top-
#                          qubit collapse of a 2**26 complex64 state took 10x a pass)
GROUP_BLOCK = 32         # index groups gathered at once by the wide-gate kernel
SAMPLE_BLOCK = 1 << 13   # amplitudes per block of the sampling prefix sum
SAMPLE_SUB = 64          # amplitudes per sub-block skipped at once while sampling
FOLD_BELOW = 1 << 4      # diagonal: controls on qubits below 4 are folded into the diagonal
FOLD_MAX_BITS = 14       # ... while the folded diagonal has at most 2**14 entries

_OPTS = dict(cache=True, fastmath=False, nogil=True)
_PAR = dict(parallel=True, **_OPTS)


# -- index helpers ------------------------------------------------------------------------------

@njit(**_OPTS)
def _insert_zeros(g, fixed):
    """Spread the bits of ``g`` over the bit positions not set in ``fixed`` (the g-th
    index, in increasing order, whose ``fixed`` bits are all zero)."""
    f = fixed
    while f:
        lo = (f & -f) - 1
        g = (g & lo) | ((g & ~lo) << 1)
        f &= f - 1
    return g


@njit(**_OPTS)
def _popcount(x):
    c = 0
    while x:
        x &= x - 1
        c += 1
    return c


@njit(**_OPTS)
def _plan(size, fixed):
    """Split the indices whose ``fixed`` bits are zero into chunks of contiguous runs.

    Returns (groups, groups per chunk, run length, chunks, step mask): chunk c starts at
    group c * groups_per_chunk and holds groups_per_chunk // run runs of ``run``
    consecutive indices; ``((base | step) + 1) & ~fixed`` moves a run's first index to
    the next run's."""
    groups = size >> _popcount(fixed)
    if fixed:
        run = fixed & -fixed
    else:
        run = groups
    per_chunk = min(groups, CHUNK)
    run = min(run, per_chunk)
    return groups, per_chunk, run, groups // per_chunk, fixed | (run - 1)


@njit(**_OPTS)
def _offsets(qubits):
    """offsets[t] = index offset of the basis state t (little-endian in ``qubits``)."""
    k = qubits.size
    off = np.zeros(1 << k, dtype=np.int64)
    for t in range(1 << k):
        o = 0
        for j in range(k):
            if (t >> j) & 1:
                o |= np.int64(1) << qubits[j]
        off[t] = o
    return off


@njit(**_OPTS)
def _qmask(qubits):
    m = 0
    for j in range(qubits.size):
        m |= np.int64(1) << qubits[j]
    return m


@njit(**_OPTS)
def _real_like(state, x):
    """``x`` as the real scalar type of ``state``'s dtype (float32 for complex64)."""
    tmp = np.empty(1, dtype=state.dtype)
    tmp[0] = x
    return tmp[0].real


def _weight(x):
    """|x|^2 for an amplitude, x itself for a probability (the Python version of the
    overload below, which jitted code uses)."""
    return abs(x) ** 2 if isinstance(x, complex) else x


@overload(_weight, jit_options=dict(cache=True))
def _weight_ov(x):
    """|x|^2 in float64 for an amplitude, x itself for a probability."""
    if isinstance(x, types.Complex):
        def impl(x):
            re = np.float64(x.real)
            im = np.float64(x.imag)
            return re * re + im * im
        return impl

    def impl_real(x):
        return np.float64(x)
    return impl_real


@njit(**_OPTS)
def _wsum(w, start, length):
    """Sum of weights of ``w[start:start + length]`` with four accumulators (a fixed
    order, so the same input always gives the same sum)."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    v = w[start:start + length]
    n4 = length - (length & 3)
    for j in range(0, n4, 4):
        s0 += _weight(v[j])
        s1 += _weight(v[j + 1])
        s2 += _weight(v[j + 2])
        s3 += _weight(v[j + 3])
    for j in range(n4, length):
        s0 += _weight(v[j])
    return (s0 + s1) + (s2 + s3)


# -- dense gates ----------------------------------------------------------------------------------
# Runs of contiguous amplitudes go to small loop functions taking array views (LLVM
# vectorises those best). Targets with a stride below INSIDE stay inside the runs instead
# of cutting them short: their loops take the stride as a literal for strides 1, 2 and 4
# (compiled once each, so they vectorise too) and as a variable from 8 up.

@njit(**_OPTS)
def _run1(v0, v1, m):
    m00 = m[0, 0]
    m01 = m[0, 1]
    m10 = m[1, 0]
    m11 = m[1, 1]
    for j in range(v0.size):
        a0 = v0[j]
        a1 = v1[j]
        v0[j] = m00 * a0 + m01 * a1
        v1[j] = m10 * a0 + m11 * a1


@njit(**_OPTS)
def _run1_in(v, m, D):
    """Pairs (i, i + D) inside blocks of 2D."""
    m00 = m[0, 0]
    m01 = m[0, 1]
    m10 = m[1, 0]
    m11 = m[1, 1]
    for blk in range(0, v.size, 2 * D):
        for u in range(D):
            i = blk + u
            a0 = v[i]
            a1 = v[i + D]
            v[i] = m00 * a0 + m01 * a1
            v[i + D] = m10 * a0 + m11 * a1


@njit(**_OPTS)
def _run1_pred(v0, v1, m, D, cl, cv):
    """One qubit with controls inside the runs: where ``j & cl == cv`` only (a select,
    so the loop vectorises). D = 0: the target is across (halves ``v0``, ``v1``); else
    it is inside ``v0`` with stride D."""
    m00 = m[0, 0]
    m01 = m[0, 1]
    m10 = m[1, 0]
    m11 = m[1, 1]
    if D == 0:
        for j in range(v0.size):
            p = (j & cl) == cv
            a0 = v0[j]
            a1 = v1[j]
            v0[j] = m00 * a0 + m01 * a1 if p else a0
            v1[j] = m10 * a0 + m11 * a1 if p else a1
        return
    for blk in range(0, v0.size, 2 * D):
        for u in range(D):
            i = blk + u
            p = (i & cl) == cv
            a0 = v0[i]
            a1 = v0[i + D]
            v0[i] = m00 * a0 + m01 * a1 if p else a0
            v0[i + D] = m10 * a0 + m11 * a1 if p else a1


@njit(**_OPTS)
def _run2(v0, v1, v2, v3, m):
    m00 = m[0, 0]
    m01 = m[0, 1]
    m02 = m[0, 2]
    m03 = m[0, 3]
    m10 = m[1, 0]
    m11 = m[1, 1]
    m12 = m[1, 2]
    m13 = m[1, 3]
    m20 = m[2, 0]
    m21 = m[2, 1]
    m22 = m[2, 2]
    m23 = m[2, 3]
    m30 = m[3, 0]
    m31 = m[3, 1]
    m32 = m[3, 2]
    m33 = m[3, 3]
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
def _run2_in(v0, v1, m, D0, D1):
    """Groups (i, i + D0, i + D1, i + D0 + D1) of ``v0`` (with D1 = 0: the second qubit's
    halves are the runs ``v0`` and ``v1``), for every i whose D0 and D1 bits are 0."""
    m00 = m[0, 0]
    m01 = m[0, 1]
    m02 = m[0, 2]
    m03 = m[0, 3]
    m10 = m[1, 0]
    m11 = m[1, 1]
    m12 = m[1, 2]
    m13 = m[1, 3]
    m20 = m[2, 0]
    m21 = m[2, 1]
    m22 = m[2, 2]
    m23 = m[2, 3]
    m30 = m[3, 0]
    m31 = m[3, 1]
    m32 = m[3, 2]
    m33 = m[3, 3]
    outer = 2 * D1 if D1 else v0.size
    w0 = v0
    w1 = v1 if D1 == 0 else v0
    for top in range(0, v0.size, outer):
        for blk in range(top, top + max(D1, 1) if D1 else v0.size, 2 * D0):
            for u in range(D0):
                i = blk + u
                a0 = w0[i]
                a1 = w0[i + D0]
                a2 = w1[i + D1]
                a3 = w1[i + D0 + D1]
                w0[i] = m00 * a0 + m01 * a1 + m02 * a2 + m03 * a3
                w0[i + D0] = m10 * a0 + m11 * a1 + m12 * a2 + m13 * a3
                w1[i + D1] = m20 * a0 + m21 * a1 + m22 * a2 + m23 * a3
                w1[i + D0 + D1] = m30 * a0 + m31 * a1 + m32 * a2 + m33 * a3


@njit(**_OPTS)
def _small_run(mode, v0, v1, v2, v3, m, d0, d1, cl, cv):
    """One run (or one staged piece of a run) of a 1- or 2-qubit gate; ``mode``: 1 one
    target across runs (halves v0, v1), 2 one target inside v0, 3 two across (v0..v3),
    4 first inside and second across (v0, v1), 5 both inside v0 (d0 < d1), 6 one target
    with controls ``cl`` (values ``cv``) inside: across (v0, v1) when d0 >= INSIDE.
    Strides 1, 2, 4 are passed as literals, so each gets its own vectorised loop."""
    zero = np.int64(0)   # a variable: literal 0 arguments would compile more versions
    if mode == 1:
        _run1(v0, v1, m)
    elif mode == 3:
        _run2(v0, v1, v2, v3, m)
    elif mode == 2:
        if d0 == 1:
            _run1_in(v0, m, 1)
        elif d0 == 2:
            _run1_in(v0, m, 2)
        elif d0 == 4:
            _run1_in(v0, m, 4)
        else:
            _run1_in(v0, m, d0)
    elif mode == 4 or mode == 5:
        e = zero if mode == 4 else d1
        if d0 == 1:
            _run2_in(v0, v1, m, 1, e)
        elif d0 == 2:
            _run2_in(v0, v1, m, 2, e)
        elif d0 == 4:
            _run2_in(v0, v1, m, 4, e)
        else:
            _run2_in(v0, v1, m, d0, e)
    elif d0 >= INSIDE:
        _run1_pred(v0, v1, m, zero, cl, cv)
    elif d0 == 1:
        _run1_pred(v0, v0, m, 1, cl, cv)
    elif d0 == 2:
        _run1_pred(v0, v0, m, 2, cl, cv)
    elif d0 == 4:
        _run1_pred(v0, v0, m, 4, cl, cv)
    else:
        _run1_pred(v0, v0, m, d0, cl, cv)


@njit(**_OPTS)
def _streams(mode, d0, d1):
    """Offsets of the runs a mode of ``_small_run`` reads and writes."""
    if mode == 3:
        out = np.empty(4, dtype=np.int64)
        out[0] = 0
        out[1] = d0
        out[2] = d1
        out[3] = d0 + d1
        return out
    out = np.empty(2, dtype=np.int64)
    out[0] = 0
    out[1] = d1 if mode == 4 else d0
    if mode == 2 or mode == 5 or (mode == 6 and d0 < INSIDE):
        return out[:1]
    return out


@njit(**_OPTS)
def _small_chunks(state, m, mode, d0, d1, lo, hi, per_chunk, run, fixed, step, cval, cl,
                  cv, soff, staged):
    """Chunks lo..hi-1 of a 1- or 2-qubit gate (modes of ``_small_run``); ``soff`` the
    offsets of its runs. ``staged``: the runs lie a multiple of ALIAS_BYTES apart, so
    they are copied through a small buffer one run at a time (see ALIAS_BYTES)."""
    ns = soff.size
    piece = min(run, PIECE)
    buf = np.empty((4, piece), dtype=state.dtype)
    for c in range(lo, hi):
        base = _insert_zeros(c * per_chunk, fixed)
        for _ in range(per_chunk // run):
            b = base | cval
            if not staged:
                o1 = soff[1] if ns > 1 else 0
                o2 = soff[2] if ns > 2 else 0
                o3 = soff[3] if ns > 3 else 0
                _small_run(mode, state[b:b + run], state[b + o1:b + o1 + run],
                           state[b + o2:b + o2 + run], state[b + o3:b + o3 + run], m, d0, d1,
                           cl, cv)
            else:
                for p in range(0, run, piece):
                    for t in range(ns - 1, -1, -1):   # (the last read is written first)
                        src = state[b + soff[t] + p:b + soff[t] + p + piece]
                        row = buf[t]
                        for j in range(piece):
                            row[j] = src[j]
                    _small_run(mode, buf[0], buf[1], buf[2], buf[3], m, d0, d1, cl, cv)
                    for t in range(ns):
                        dst = state[b + soff[t] + p:b + soff[t] + p + piece]
                        row = buf[t]
                        for j in range(piece):
                            dst[j] = row[j]
            base = ((base | step) + 1) & ~fixed


@njit(**_OPTS)
def _swap_matrix_qubits(m):
    """The 4x4 matrix with its two qubits exchanged."""
    p = np.array([0, 2, 1, 3])
    out = np.empty_like(m)
    for i in range(4):
        for j in range(4):
            out[i, j] = m[p[i], p[j]]
    return out


@njit(**_OPTS)
def _small_plan(size, m, qubits, cmask):
    """How a 1- or 2-qubit gate runs: (mode, matrix, d0, d1, bits fixed in the loop),
    mode 0 when it has to gather groups (a control below an inside target, tiny states)."""
    k = qubits.size
    d0 = np.int64(1) << qubits[0]
    d1 = np.int64(1) << qubits[k - 1]
    if k == 2 and d1 < d0:
        m = _swap_matrix_qubits(m)           # the lower qubit first
        d0, d1 = d1, d0
    if k == 1 and cmask & (INSIDE - 1):
        inside = (d0 | cmask) & (INSIDE - 1)       # controls inside the runs: a select
        fixed = (d0 | cmask) & ~inside
        run = _plan(size, fixed)[2]
        top = inside
        while top & (top - 1):
            top &= top - 1
        if run >= 2 * top and run >= LOW:
            return 6, m, d0, d1, fixed
        return 0, m, d0, d1, fixed | inside
    inside = (d0 | d1) & (INSIDE - 1)
    fixed = (d0 | d1 | cmask) & ~inside
    run = _plan(size, fixed)[2]
    if run < LOW or (inside and run < 2 * (d1 if d1 & inside else d0)):
        return 0, m, d0, d1, fixed | inside
    if k == 1:
        mode = 2 if inside else 1
    elif inside == 0:
        mode = 3
    elif d1 & inside:
        mode = 5
    else:
        mode = 4
    return mode, m, d0, d1, fixed


@njit(**_OPTS)
def _kq_chunk(state, m, off, c, per_chunk, fixed, cval):
    """Groups of one chunk, GROUP_BLOCK at a time: gather into ``buf`` (amplitude t of
    group j at buf[t, j]), multiply with loops over j (they vectorise), scatter back."""
    dim = off.size
    nb_max = min(GROUP_BLOCK, per_chunk)
    buf = np.empty((dim, nb_max), dtype=state.dtype)
    acc = np.empty(nb_max, dtype=state.dtype)
    idx = np.empty(nb_max, dtype=np.int64)
    base = _insert_zeros(c * per_chunk, fixed)
    done = 0
    while done < per_chunk:
        nb = min(nb_max, per_chunk - done)
        for j in range(nb):
            idx[j] = base | cval
            base = ((base | fixed) + 1) & ~fixed
        for t in range(dim):
            o = off[t]
            row = buf[t]
            for j in range(nb):
                row[j] = state[idx[j] + o]
        for r in range(dim):
            for j in range(nb):
                acc[j] = 0
            for t in range(dim):
                coef = m[r, t]
                row = buf[t]
                for j in range(nb):
                    acc[j] += coef * row[j]
            o = off[r]
            for j in range(nb):
                state[idx[j] + o] = acc[j]
        done += nb


@njit(**_OPTS)
def _kq_chunks(state, m, off, lo, hi, per_chunk, fixed, cval):
    for c in range(lo, hi):
        _kq_chunk(state, m, off, c, per_chunk, fixed, cval)


@njit(**_OPTS)
def _slice(t, parts, chunks):
    """Chunks lo..hi-1 of work item ``t`` of ``parts`` (prange's index is unsigned)."""
    t = np.int64(t)
    return t * chunks // parts, (t + 1) * chunks // parts


@njit(**_PAR)
def _dense(state, m, qubits, cmask, cval):
    """Every dense gate. One and two qubits keep the matrix in registers and walk runs of
    contiguous amplitudes; k >= 3 (and the odd 1-2 qubit case, see ``_small_plan``)
    gathers blocks of index groups. (The serial and the threaded path call the same
    chunk loop, so it is compiled once.)"""
    par = state.size >= PAR_MIN
    if qubits.size <= 2:
        mode, m2, d0, d1, fixed = _small_plan(state.size, m, qubits, cmask)
        if mode:
            cl = cmask & ~fixed
            cv = cval & cl
            cval = cval & fixed
            groups, per_chunk, run, chunks, step = _plan(state.size, fixed)
            soff = _streams(mode, d0, d1)
            staged = soff.size > 1 and soff[soff.size - 1] * state.itemsize >= ALIAS_BYTES
            if par and chunks > 1:
                parts = min(chunks, WORK_ITEMS)
                for t in prange(parts):
                    lo, hi = _slice(t, parts, chunks)
                    _small_chunks(state, m2, mode, d0, d1, lo, hi, per_chunk, run, fixed,
                                  step, cval, cl, cv, soff, staged)
            else:
                _small_chunks(state, m2, mode, d0, d1, np.int64(0), chunks, per_chunk, run,
                              fixed, step, cval, cl, cv, soff, staged)
            return
    fixed = _qmask(qubits) | cmask
    groups, per_chunk, run, chunks, step = _plan(state.size, fixed)
    off = _offsets(qubits)
    if par and chunks > 1:
        parts = min(chunks, WORK_ITEMS)
        for t in prange(parts):
            lo, hi = _slice(t, parts, chunks)
            _kq_chunks(state, m, off, lo, hi, per_chunk, fixed, cval)
    else:
        _kq_chunks(state, m, off, np.int64(0), chunks, per_chunk, fixed, cval)


@njit(**_OPTS)
def apply_1q(state, m, q, cmask, cval):
    """Apply the 2x2 matrix ``m`` to qubit ``q`` where ``index & cmask == cval``."""
    _dense(state, m, np.array([q], dtype=np.int64), cmask, cval)


@njit(**_OPTS)
def apply_2q(state, m, q0, q1, cmask, cval):
    """Apply the 4x4 matrix ``m`` (little-endian: ``q0`` is bit 0 of its index) to qubits
    ``q0``, ``q1`` (any order) where ``index & cmask == cval``."""
    _dense(state, m, np.array([q0, q1], dtype=np.int64), cmask, cval)


@njit(**_OPTS)
def apply_kq(state, m, qubits, cmask, cval):
    """Apply the 2**k x 2**k matrix ``m`` (little-endian in ``qubits``: qubits[0] is bit 0
    of its index) to ``qubits`` (int64 array, any order; any k >= 1, meant for 3..5)
    where ``index & cmask == cval``."""
    _dense(state, m, qubits, cmask, cval)


def apply_dense(state: np.ndarray, m: np.ndarray, qubits, cmask: int = 0,
                cval: int = 0) -> None:
    """Python entry point: apply the dense matrix ``m`` (little-endian in ``qubits``)
    with the kernel for its width, converting ``m`` and ``qubits`` as needed."""
    m = np.ascontiguousarray(m, dtype=state.dtype)
    qs = [int(q) for q in qubits]
    if len(qs) == 1:
        apply_1q(state, m, qs[0], int(cmask), int(cval))
    elif len(qs) == 2:
        apply_2q(state, m, qs[0], qs[1], int(cmask), int(cval))
    else:
        apply_kq(state, m, np.array(qs, dtype=np.int64), int(cmask), int(cval))


def control_mask(controls, ctrl_state: int | None = None) -> tuple[int, int]:
    """(cmask, cval) for ``controls`` where control i must read bit i of ``ctrl_state``
    (all ones when None)."""
    cmask = 0
    cval = 0
    for i, c in enumerate(controls):
        cmask |= 1 << int(c)
        if ctrl_state is None or (ctrl_state >> i) & 1:
            cval |= 1 << int(c)
    return cmask, cval


# -- diagonal gates -------------------------------------------------------------------------------

@njit(**_OPTS)
def _fold_low_controls(diag, qubits, cmask, cval):
    """Move controls on qubits below FOLD_BELOW into the diagonal (ones where a control
    does not match), so runs stay long; returns (diag, qubits, cmask, cval)."""
    low = cmask & (FOLD_BELOW - 1)
    nlow = _popcount(low)
    k = qubits.size
    if nlow == 0 or k + nlow > FOLD_MAX_BITS:
        return diag, qubits, cmask, cval
    q2 = np.empty(k + nlow, dtype=np.int64)
    for t in range(k):
        q2[t] = qubits[t]
    want = 0
    j = k
    f = low
    while f:
        bit = f & -f
        p = 0
        while (np.int64(1) << p) != bit:
            p += 1
        q2[j] = p
        if cval & bit:
            want |= np.int64(1) << (j - k)
        j += 1
        f &= f - 1
    dim = 1 << k
    d2 = np.empty(dim << nlow, dtype=diag.dtype)
    for e in range(dim << nlow):
        d2[e] = diag[e - want * dim] if (e >> k) == want else 1
    return d2, q2, cmask & ~low, cval & ~low


@njit(**_OPTS)
def _diag_chunk(state, diag, hi_q, hi_bit, lowtab, c, per_chunk, run, fixed, step, cval):
    period = lowtab.size
    pat = np.empty(period, dtype=state.dtype)
    base = _insert_zeros(c * per_chunk, fixed)
    for _ in range(per_chunk // run):
        b = base | cval
        dh = 0
        for t in range(hi_q.size):
            dh |= ((b >> hi_q[t]) & 1) << hi_bit[t]
        if period == 1:
            s = diag[dh]
            v = state[b:b + run]
            for j in range(run):
                v[j] *= s
        elif period == run:
            v = state[b:b + run]
            for j in range(run):
                v[j] *= diag[dh + lowtab[j]]
        else:
            for j in range(period):
                pat[j] = diag[dh + lowtab[j]]
            for blk in range(b, b + run, period):
                v = state[blk:blk + period]
                for j in range(period):
                    v[j] *= pat[j]
        base = ((base | step) + 1) & ~fixed


@njit(**_OPTS)
def _diag_tables(qubits, run):
    """Targets inside a run of ``run`` amplitudes repeat with a period: lowtab[j] is the
    diagonal index contributed by position j of the period. Targets above the run are
    constant along it: (hi_q[t], hi_bit[t]) = (qubit, its bit in the diagonal index)."""
    lowbits = 0
    nhi = 0
    for t in range(qubits.size):
        if (np.int64(1) << qubits[t]) < run:
            lowbits = max(lowbits, qubits[t] + 1)
        else:
            nhi += 1
    hi_q = np.empty(nhi, dtype=np.int64)
    hi_bit = np.empty(nhi, dtype=np.int64)
    h = 0
    for t in range(qubits.size):
        if (np.int64(1) << qubits[t]) >= run:
            hi_q[h] = qubits[t]
            hi_bit[h] = t
            h += 1
    period = np.int64(1) << lowbits
    if period > 1:
        period = min(max(period, 256), run)  # long blocks: the multiply loop vectorises
    lowtab = np.empty(period, dtype=np.int64)
    for j in range(period):
        e = 0
        for t in range(qubits.size):
            if (np.int64(1) << qubits[t]) < run:
                e |= ((j >> qubits[t]) & 1) << t
        lowtab[j] = e
    return hi_q, hi_bit, lowtab


@njit(**_PAR)
def apply_diagonal(state, diag, qubits, cmask, cval):
    """Multiply by the diagonal operator ``diag`` (length 2**k, little-endian in
    ``qubits``, an int64 array in any order) where ``index & cmask == cval``; one pass."""
    diag, qubits, cmask, cval = _fold_low_controls(diag, qubits, cmask, cval)
    groups, per_chunk, run, chunks, step = _plan(state.size, cmask)
    hi_q, hi_bit, lowtab = _diag_tables(qubits, run)
    if state.size >= PAR_MIN and chunks > 1:
        for c in prange(chunks):
            _diag_chunk(state, diag, hi_q, hi_bit, lowtab, np.int64(c), per_chunk, run, cmask,
                        step, cval)
    else:
        for c in range(chunks):
            _diag_chunk(state, diag, hi_q, hi_bit, lowtab, c, per_chunk, run, cmask, step, cval)


# -- permutations ---------------------------------------------------------------------------------

@njit(**_OPTS)
def _swap_run(v0, v1):
    for j in range(v0.size):
        a = v0[j]
        v0[j] = v1[j]
        v1[j] = a


@njit(**_OPTS)
def _x_low(v, D):
    """X on a qubit of stride D (a literal below 8) inside a run."""
    for blk in range(0, v.size, 2 * D):
        for u in range(D):
            a = v[blk + u]
            v[blk + u] = v[blk + u + D]
            v[blk + u + D] = a


@njit(**_OPTS)
def _x_pred(v, D, cl, cv):
    """X on a qubit of stride D inside a run, where ``index & cl == cv`` (controls inside
    the run); a select, so the loop vectorises."""
    for blk in range(0, v.size, 2 * D):
        for u in range(D):
            i = blk + u
            p = (i & cl) == cv
            a = v[i]
            b = v[i + D]
            v[i] = b if p else a
            v[i + D] = a if p else b


@njit(**_OPTS)
def _swap_pred(v0, v1, cl, cv):
    """Swap v0[j] and v1[j] where ``j & cl == cv`` (controls inside the runs)."""
    for j in range(v0.size):
        p = (j & cl) == cv
        a = v0[j]
        b = v1[j]
        v0[j] = b if p else a
        v1[j] = a if p else b


@njit(**_OPTS)
def _swap_low(v, w, D):
    """SWAP of a low qubit (stride D, a literal below 8) and a high one: ``v`` is a run
    where the high qubit reads 0, ``w`` the run where it reads 1."""
    for blk in range(0, v.size, 2 * D):
        for u in range(D):
            a = v[blk + D + u]
            v[blk + D + u] = w[blk + u]
            w[blk + u] = a


@njit(**_OPTS)
def _perm_runs(state, b, run, off, offp, phases, buf):
    """Permutation with phases on whole runs: copy the 2**k runs out, write them back
    moved and multiplied, PIECE amplitudes at a time."""
    dim = off.size
    piece = buf.shape[1]
    for p in range(0, run, piece):
        for t in range(dim):
            src = state[b + off[t] + p:b + off[t] + p + piece]
            row = buf[t]
            for j in range(piece):
                row[j] = src[j]
        for t in range(dim):
            dst = state[b + offp[t] + p:b + offp[t] + p + piece]
            row = buf[t]
            ph = phases[t]
            for j in range(piece):
                dst[j] = ph * row[j]


@njit(**_OPTS)
def _permute_chunks(state, mode, d0, d1, off, offp, phases, lo, hi, per_chunk, run, fixed,
                    step, cval, cl, cv, staged):
    """Chunks lo..hi-1 of a permutation; ``mode``: 0 swap amplitudes at +d0 and +d1 over runs,
    1 X on a low qubit d1, 2 SWAP of low d0 and high d1, 3 permutation with phases over
    runs, 4 permutation with phases group by group, 5 X on a low qubit d1 where
    ``index & cl == cv``, 6 X on a high qubit d1 where ``index & cl == cv``."""
    for c in range(lo, hi):
        base = _insert_zeros(c * per_chunk, fixed)
        if mode == 4:
            dim = off.size
            tmp = np.empty(dim, dtype=state.dtype)
            for _ in range(per_chunk):
                b = base | cval
                for t in range(dim):
                    tmp[t] = state[b + off[t]]
                for t in range(dim):
                    state[b + offp[t]] = phases[t] * tmp[t]
                base = ((base | fixed) + 1) & ~fixed
            continue
        buf = np.empty((max(off.size, 2), min(run, PIECE)), dtype=state.dtype)
        for _ in range(per_chunk // run):
            b = base | cval
            if staged and (mode == 0 or mode == 2 or mode == 6):
                # two runs a multiple of ALIAS_BYTES apart: one at a time through buf
                o0 = d0 if mode == 0 else 0
                piece = buf.shape[1]
                for p in range(0, run, piece):
                    # read the far run first: the near one is then still hot when written
                    for j in range(piece):
                        buf[1, j] = state[b + d1 + p + j]
                    for j in range(piece):
                        buf[0, j] = state[b + o0 + p + j]
                    if mode == 0:
                        _swap_run(buf[0], buf[1])
                    elif mode == 6:
                        _swap_pred(buf[0], buf[1], cl, cv)
                    elif d0 == 1:
                        _swap_low(buf[0], buf[1], 1)
                    elif d0 == 2:
                        _swap_low(buf[0], buf[1], 2)
                    elif d0 == 4:
                        _swap_low(buf[0], buf[1], 4)
                    else:
                        _swap_low(buf[0], buf[1], d0)
                    for j in range(piece):
                        state[b + o0 + p + j] = buf[0, j]
                    for j in range(piece):
                        state[b + d1 + p + j] = buf[1, j]
            elif mode == 0:
                _swap_run(state[b + d0:b + d0 + run], state[b + d1:b + d1 + run])
            elif mode == 1:
                v = state[b:b + run]
                if d1 == 1:
                    _x_low(v, 1)
                elif d1 == 2:
                    _x_low(v, 2)
                elif d1 == 4:
                    _x_low(v, 4)
                else:
                    _x_low(v, d1)
            elif mode == 2:
                v = state[b:b + run]
                w = state[b + d1:b + d1 + run]
                if d0 == 1:
                    _swap_low(v, w, 1)
                elif d0 == 2:
                    _swap_low(v, w, 2)
                elif d0 == 4:
                    _swap_low(v, w, 4)
                else:
                    _swap_low(v, w, d0)
            elif mode == 5:
                v = state[b:b + run]
                if d1 == 1:
                    _x_pred(v, 1, cl, cv)
                elif d1 == 2:
                    _x_pred(v, 2, cl, cv)
                elif d1 == 4:
                    _x_pred(v, 4, cl, cv)
                else:
                    _x_pred(v, d1, cl, cv)
            elif mode == 6:
                _swap_pred(state[b:b + run], state[b + d1:b + d1 + run], cl, cv)
            else:
                _perm_runs(state, b, run, off, offp, phases, buf)
            base = ((base | step) + 1) & ~fixed


@njit(**_OPTS)
def _permute_plan(state, perm, phases, qubits, cmask, cval, d0, d1):
    """(mode, d0, d1, off, offp, phases, bits fixed in the loop, their values, inside
    control mask, inside control values) for ``_permute_chunk``."""
    if qubits.size:
        off = _offsets(qubits)
        offp = np.empty(off.size, dtype=np.int64)
        for t in range(off.size):
            offp[t] = off[perm[t]]
        fixed = _qmask(qubits) | cmask
        run = _plan(state.size, fixed)[2]
        return (3 if run >= LOW else 4), d0, d1, off, offp, phases, fixed, cval, 0, 0
    if d1 < d0:
        d0, d1 = d1, d0
    fixed = d0 | d1 | cmask
    off = np.empty(2, dtype=np.int64)
    off[0] = d0
    off[1] = d1
    offp = np.empty(2, dtype=np.int64)
    offp[0] = d1
    offp[1] = d0
    ones = np.empty(2, dtype=state.dtype)
    ones[0] = 1
    ones[1] = 1
    inside = fixed & (INSIDE - 1)
    if d0 == 0 and inside:
        # X with its target and/or controls inside the runs (controls by a select)
        run = _plan(state.size, fixed & ~inside)[2]
        top = inside
        while top & (top - 1):
            top &= top - 1
        if run >= 2 * top and run >= LOW:
            cl = cmask & inside
            cv = cval & inside
            if d1 & inside:
                mode = 5 if cl else 1
            else:
                mode = 6
            return mode, d0, d1, off, offp, ones, fixed & ~inside, cval & ~inside, cl, cv
    elif d1 >= INSIDE and 0 < d0 < INSIDE and cmask & (2 * d0 - 1) == 0:
        # SWAP of a low and a high qubit, no control below the low one: d0 inside runs
        run = _plan(state.size, fixed & ~d0)[2]
        if run >= 2 * d0:
            return 2, d0, d1, off, offp, ones, fixed & ~d0, cval, 0, 0
    run = _plan(state.size, fixed)[2]
    if run < LOW:
        return 4, d0, d1, off, offp, ones, fixed, cval, 0, 0   # group by group
    return 0, d0, d1, off, offp, ones, fixed, cval, 0, 0


@njit(**_PAR)
def _permute(state, perm, phases, qubits, cmask, cval, d0, d1):
    """With ``qubits`` empty: swap the amplitudes at index + d0 and index + d1 for every
    index whose d0, d1 and ``cmask`` bits are zero (then ORed with ``cval``); d0 = 0 is X
    on d1. Else the permutation with phases of ``apply_perm_phase``."""
    mode, d0, d1, off, offp, phases, fixed, cval, cl, cv = _permute_plan(
        state, perm, phases, qubits, cmask, cval, d0, d1)
    groups, per_chunk, run, chunks, step = _plan(state.size, fixed)
    staged = (d1 - d0) * state.itemsize >= ALIAS_BYTES and (d1 - d0) & (d1 - d0 - 1) == 0
    if state.size >= PAR_MIN and chunks > 1:
        parts = min(chunks, WORK_ITEMS)
        for t in prange(parts):
            lo, hi = _slice(t, parts, chunks)
            _permute_chunks(state, mode, d0, d1, off, offp, phases, lo, hi, per_chunk, run,
                            fixed, step, cval, cl, cv, staged)
    else:
        _permute_chunks(state, mode, d0, d1, off, offp, phases, np.int64(0), chunks,
                        per_chunk, run, fixed, step, cval, cl, cv, staged)


@njit(**_OPTS)
def apply_x(state, q, cmask, cval):
    """X on qubit ``q`` where ``index & cmask == cval`` (x, cx, ccx, mcx; any control
    values): amplitude swaps, no arithmetic."""
    _permute(state, np.empty(0, dtype=np.int64), np.empty(0, dtype=state.dtype),
             np.empty(0, dtype=np.int64), cmask, cval, np.int64(0), np.int64(1) << q)


@njit(**_OPTS)
def apply_swap(state, q0, q1, cmask, cval):
    """SWAP of qubits ``q0`` and ``q1`` where ``index & cmask == cval`` (swap, cswap):
    touches only the half of the subspace where the two bits differ."""
    _permute(state, np.empty(0, dtype=np.int64), np.empty(0, dtype=state.dtype),
             np.empty(0, dtype=np.int64), cmask, cval, np.int64(1) << q0,
             np.int64(1) << q1)


@njit(**_OPTS)
def apply_perm_phase(state, perm, phases, qubits, cmask, cval):
    """A permutation with phases on ``qubits`` (int64 array, k <= 5, little-endian): the
    amplitude of local basis state j moves to ``perm[j]`` times ``phases[j]``, i.e.
    new[perm[j]] = phases[j] * old[j] (iswap: perm [0, 2, 1, 3], phases [1, 1j, 1j, 1]),
    where ``index & cmask == cval``."""
    _permute(state, perm, phases, qubits, cmask, cval, np.int64(0), np.int64(0))


# -- measurement ----------------------------------------------------------------------------------

@njit(**_OPTS)
def _wsum_bit(w, start, length, bit):
    """Sum of weights of w[start + j], j < length, for the j with ``j & bit`` set (bit is
    a power of two below 8; length a multiple of 8): all weights are read (they share
    cache lines anyway), a 0/1 factor keeps the right ones."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    v = w[start:start + length]
    for j in range(0, length, 4):
        s0 += _weight(v[j]) * ((j & bit) != 0)
        s1 += _weight(v[j + 1]) * (((j + 1) & bit) != 0)
        s2 += _weight(v[j + 2]) * (((j + 2) & bit) != 0)
        s3 += _weight(v[j + 3]) * (((j + 3) & bit) != 0)
    return (s0 + s1) + (s2 + s3)


@njit(**_OPTS)
def _sumsq_chunk(state, c, per_chunk, run, fixed, step, cval, bit):
    base = _insert_zeros(c * per_chunk, fixed)
    s = 0.0
    for _ in range(per_chunk // run):
        if bit:
            s += _wsum_bit(state, base | cval, run, bit)
        else:
            s += _wsum(state, base | cval, run)
        base = ((base | step) + 1) & ~fixed
    return s


@njit(**_PAR)
def _sumsq(state, fixed, cval):
    """Sum of |amplitude|^2 where ``index & fixed == cval``; per-chunk partial sums added
    in chunk order, so the result does not depend on the number of threads."""
    bit = 0
    if fixed == cval and 0 < fixed < LOW and state.size >= LOW:
        bit = fixed                       # one low qubit reading 1: inside the runs
        fixed = 0
        cval = 0
    groups, per_chunk, run, chunks, step = _plan(state.size, fixed)
    parts = np.empty(chunks, dtype=np.float64)
    if state.size >= PAR_MIN and chunks > 1:
        for c in prange(chunks):
            parts[c] = _sumsq_chunk(state, np.int64(c), per_chunk, run, fixed, step, cval,
                                    bit)
    else:
        for c in range(chunks):
            parts[c] = _sumsq_chunk(state, c, per_chunk, run, fixed, step, cval, bit)
    total = 0.0
    for c in range(chunks):
        total += parts[c]
    return total


@njit(**_OPTS)
def prob_one(state, q):
    """Probability (unnormalised: sum of |a|^2) that qubit ``q`` reads 1."""
    d = np.int64(1) << q
    return _sumsq(state, d, d)


@njit(**_OPTS)
def norm_squared(state):
    """Sum of |a|^2 over the state."""
    zero = np.int64(0)  # a variable, so no second compile for literal arguments
    return _sumsq(state, zero, zero)


@njit(**_PAR)
def probabilities(state, out):
    """out[i] = |state[i]|^2 (``out``: float64 array of the state's length); returns out."""
    size = state.size
    per_chunk = min(size, CHUNK)
    chunks = size // per_chunk
    if size >= PAR_MIN:
        for c in prange(chunks):
            lo = np.int64(c) * per_chunk
            v = state[lo:lo + per_chunk]
            o = out[lo:lo + per_chunk]
            for j in range(per_chunk):
                o[j] = _weight(v[j])
    else:
        for j in range(size):
            out[j] = _weight(state[j])
    return out


@njit(**_OPTS)
def _collapse_in(v, keep, scale, move, D):
    """Collapse of a low qubit (stride D, a literal) inside a run; ``keep`` is 0 or D."""
    drop = D - keep
    for blk in range(0, v.size, 2 * D):
        for u in range(D):
            if move:
                v[blk + u] = v[blk + D + u] * scale
                v[blk + D + u] = 0
            else:
                v[blk + keep + u] *= scale
                v[blk + drop + u] = 0


@njit(**_OPTS)
def _collapse_chunk(state, d, keep, drop, scale, c, per_chunk, run, fixed, step, move):
    base = _insert_zeros(c * per_chunk, fixed)
    buf = np.empty(min(run, PIECE), dtype=state.dtype)
    for _ in range(per_chunk // run):
        if fixed == 0:  # the qubit is inside the runs
            v = state[base:base + run]
            if d == 1:
                _collapse_in(v, keep, scale, move, 1)
            elif d == 2:
                _collapse_in(v, keep, scale, move, 2)
            else:
                _collapse_in(v, keep, scale, move, 4)
        else:
            # one run at a time (runs far apart alias on some CPUs, see ALIAS_BYTES)
            vk = state[base + keep:base + keep + run]
            vd = state[base + drop:base + drop + run]
            if move:
                for p in range(0, run, buf.size):
                    for j in range(buf.size):
                        buf[j] = vk[p + j]
                    for j in range(buf.size):
                        vk[p + j] = 0
                    for j in range(buf.size):
                        vd[p + j] = buf[j] * scale
            else:
                for j in range(run):
                    vk[j] *= scale
                for j in range(run):
                    vd[j] = 0
        base = ((base | step) + 1) & ~fixed


@njit(**_PAR)
def _collapse(state, q, outcome, scale, move):
    d = np.int64(1) << q
    keep = d if outcome else 0
    drop = d - keep
    sc = _real_like(state, scale)
    fixed = 0 if d < LOW and state.size >= LOW else d
    groups, per_chunk, run, chunks, step = _plan(state.size, fixed)
    if state.size >= PAR_MIN and chunks > 1:
        for c in prange(chunks):
            _collapse_chunk(state, d, keep, drop, sc, np.int64(c), per_chunk, run, fixed,
                            step, move)
    else:
        for c in range(chunks):
            _collapse_chunk(state, d, keep, drop, sc, c, per_chunk, run, fixed, step, move)


@njit(**_OPTS)
def collapse(state, q, outcome, scale):
    """Project qubit ``q`` onto ``outcome`` and multiply what remains by ``scale`` (pass
    1/sqrt(P(outcome)) to renormalise); one pass."""
    _collapse(state, q, outcome, scale, outcome < 0)  # (a variable: no literal compile)


@njit(**_OPTS)
def reset(state, q, outcome, scale):
    """Reset qubit ``q`` after it was measured as ``outcome``: collapse onto it, scale
    by ``scale`` and, for outcome 1, move the |1> half into the |0> half; one pass."""
    # outcome 1: keep index + 2**q, move it (scaled) to index, zero index + 2**q
    _collapse(state, q, outcome, scale, outcome != 0)


# -- sampling -------------------------------------------------------------------------------------

@njit(**_OPTS)
def _last_positive(w, lo, hi):
    for i in range(hi - 1, lo - 1, -1):
        if _weight(w[i]) > 0:
            return i
    return lo


@njit(**_OPTS)
def _sample_block(w, lo, hi, u, total, acc, s, s_end, out):
    """Assign draws s..s_end-1 (targets u*total in [acc, acc + weight of block)) to indices
    of w[lo:hi]: whole sub-blocks are skipped by their sums, the others walked."""
    sub = min(SAMPLE_SUB, hi - lo)
    i = lo
    while i < hi and s < s_end:
        ss = _wsum(w, i, sub)
        top = acc + ss
        if u[s] * total < top:
            a = acc
            last = i
            for j in range(i, i + sub):
                p = _weight(w[j])
                if p > 0:
                    last = j
                a += p
                while s < s_end and u[s] * total < a:
                    out[s] = j
                    s += 1
            while s < s_end and u[s] * total < top:  # rounding between the two sums
                out[s] = last
                s += 1
        acc = top
        i += sub
    if s < s_end:  # rounding at the end of the block
        last = _last_positive(w, lo, hi)
        for t in range(s, s_end):
            out[t] = last


@njit(**_PAR)
def _sample(w, u):
    size = w.size
    shots = u.size
    out = np.empty(shots, dtype=np.int64)  # (np.zeros would be a parallel loop here)
    for s in range(shots):
        out[s] = 0
    block = min(size, SAMPLE_BLOCK)
    nblocks = size // block
    sums = np.empty(nblocks, dtype=np.float64)
    if size >= PAR_MIN:
        for b in prange(nblocks):
            sums[b] = _wsum(w, np.int64(b) * block, block)
    else:
        for b in range(nblocks):
            sums[b] = _wsum(w, b * block, block)
    start = np.empty(nblocks + 1, dtype=np.float64)
    total = 0.0
    for b in range(nblocks):
        start[b] = total
        total += sums[b]
    start[nblocks] = total
    if shots == 0 or not total > 0:
        return out
    last_b = nblocks - 1
    while last_b > 0 and not sums[last_b] > 0:
        last_b -= 1
    # merge the sorted draws with the block boundaries: block b gets first[b]..first[b+1]-1
    first = np.empty(nblocks + 1, dtype=np.int64)
    s = 0
    for b in range(nblocks):
        first[b] = s
        if b == last_b:
            s = shots
        else:
            while s < shots and u[s] * total < start[b + 1]:
                s += 1
    first[nblocks] = shots
    if size >= PAR_MIN:
        for b in prange(nblocks):
            if first[b] < first[b + 1]:
                lo = np.int64(b) * block
                _sample_block(w, lo, lo + block, u, total, start[b], first[b], first[b + 1],
                              out)
    else:
        for b in range(nblocks):
            if first[b] < first[b + 1]:
                _sample_block(w, b * block, (b + 1) * block, u, total, start[b],
                              first[b], first[b + 1], out)
    return out


@njit(**_OPTS)
def sample_state(state, u):
    """Basis indices for the sorted uniforms ``u`` (float64 in [0, 1)), drawn from
    |state|^2 (normalised by its sum): one read pass for block sums, one merge of draws
    and blocks, one pass over the blocks that hold draws; O(2**n + shots). The result is
    sorted (it follows ``u``); shuffle it if shot order matters. An index of probability 0
    is never returned."""
    return _sample(state, u)


@njit(**_OPTS)
def sample_probs(probs, u):
    """As ``sample_state`` for a float64 array of (unnormalised) probabilities."""
    return _sample(probs, u)


def sorted_uniforms(rng: np.random.Generator, shots: int) -> np.ndarray:
    """``shots`` sorted uniforms on [0, 1) in O(shots): normalised partial sums of
    exponential spacings (they are distributed as sorted independent uniforms)."""
    e = rng.standard_exponential(shots + 1)
    c = np.cumsum(e)
    u = c[:-1] / c[-1]
    return np.minimum(u, np.nextafter(1.0, 0.0), out=u)


# -- compile ahead ------------------------------------------------------------------------------

def warm_up(dtypes=(np.complex128, np.complex64)) -> None:
    """Compile (or load from the on-disk cache) every kernel for the given dtypes."""
    for dt in dtypes:
        dt = np.dtype(dt)
        st = np.zeros(1 << 4, dtype=dt)
        st[0] = 1
        qs = np.array([0, 2, 1], dtype=np.int64)
        apply_1q(st, np.eye(2, dtype=dt), 1, 0, 0)
        apply_2q(st, np.eye(4, dtype=dt), 2, 0, 0, 0)
        apply_kq(st, np.eye(8, dtype=dt), qs, 0, 0)
        apply_diagonal(st, np.ones(8, dtype=dt), qs, 0, 0)
        apply_x(st, 0, 0, 0)
        apply_swap(st, 0, 1, 0, 0)
        apply_perm_phase(st, np.arange(8, dtype=np.int64), np.ones(8, dtype=dt), qs, 0, 0)
        prob_one(st, 0)
        norm_squared(st)
        probabilities(st, np.empty(st.size, dtype=np.float64))
        collapse(st, 0, 0, 1.0)
        reset(st, 0, 0, 1.0)
        u = np.array([0.5])
        sample_state(st, u)
    sample_probs(np.ones(4), np.array([0.5]))
