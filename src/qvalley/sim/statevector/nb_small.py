"""Run a whole gate program on a small state in one numba call.

For states of a few thousand amplitudes the work per gate is well under a microsecond, so
what costs is the way there: a Python call, a dispatch and array conversions per gate.
Here the program arrives as flat arrays, built by :mod:`.small`, and one call walks it on
the calling thread. The kernels are this module's own: the planner's (:mod:`.nb_kernels`)
are built for chunked, threaded passes over large states and spend about 0.6 us setting
up each call, as much as a whole gate costs here on 2**10 amplitudes.

The program is a sequence of records of int64 words::

    offset, kind, k, cmask, cval, q_0, ..., q_{k-1}

``kind`` is one of :data:`DENSE` (a 2**k x 2**k matrix, row-major, at ``pool[offset:]``,
or at ``fixed[-1 - offset:]`` when the offset is negative: the matrices of gates without
parameters are kept once per process),
:data:`DIAG` (the same, of which only the diagonal is read), :data:`XGATE` (X on q_0) or
:data:`SWAP` (q_0 with q_1), acting where ``index & cmask == cval``; the matrices are
little-endian in the record's qubits, as everywhere in qvalley.

Uncontrolled one-qubit operations are not applied when they arrive: they are multiplied
into a pending 2x2 matrix per qubit, applied once just before another operation touches
that qubit (or at the end), so a run of rotations on a qubit costs one pass.
"""
from __future__ import annotations

import numpy as np

from .nb_target import configure

configure()  # before the first compilation: vector width for this CPU
from numba import njit  # noqa: E402

from .nb_kernels import _swap_run  # noqa: E402  (exchange of two runs)


DENSE, DIAG, XGATE, SWAP = 0, 1, 2, 3
HEADER = 5  # words before the qubits of a record
RUN_BITS = 3  # runs of 2**3 amplitudes and longer go through the vectorised helpers

_OPTS = dict(cache=True, fastmath=False, nogil=True)


@njit(**_OPTS)
def _spread(g, bits, count):
    """The ``g``-th index with zeros at the (ascending) bit positions ``bits[:count]``."""
    for t in range(count):
        b = bits[t]
        g = ((g >> b) << (b + 1)) | (g & ((1 << b) - 1))
    return g


# The four kernels below walk the amplitudes they change in runs: contiguous stretches of
# 2**L amplitudes, L the lowest of the gate's target and control bits. The run helpers take
# their stretches as separate views, which is what lets LLVM vectorise them (on two views of
# one array made in the same function it does not). When a target or control sits on one
# of the RUN_BITS lowest bits, runs would be short, so the kernels walk aligned blocks of
# 2**RUN_BITS amplitudes instead (runs of the bits above) and, inside a block, the few
# offsets that the low bits allow (a short list made once per gate): scalar, but without
# per-amplitude index arithmetic.

@njit(**_OPTS)
def _pair(x, y, m00, m01, m10, m11):
    for j in range(x.size):
        a = x[j]
        b = y[j]
        x[j] = m00 * a + m01 * b
        y[j] = m10 * a + m11 * b


@njit(**_OPTS)
def _scale(x, d):
    for j in range(x.size):
        x[j] *= d


@njit(**_OPTS)
def _layout(size, fixed, bits, offs):
    """How a gate whose target and control bits are ``fixed`` walks a state of ``size``
    amplitudes: returns ``(count, low, m)``. Runs: ``size >> (count + low)`` of them, of
    ``2**low`` amplitudes, the r-th starting at ``_spread(r << low, bits, count)``, where
    ``bits[:count]`` are the fixed bits at or above RUN_BITS. Inside a run, the gate acts
    at ``offs[:m]`` of each block of 2**RUN_BITS amplitudes; ``m == 2**RUN_BITS`` (all
    offsets) exactly when no fixed bit is below RUN_BITS, and then the runs are what the
    vectorised helpers take."""
    count = 0
    for b in range(RUN_BITS, 63):
        if (fixed >> b) & 1:
            bits[count] = b
            count += 1
        elif (fixed >> b) == 0:
            break
    low = 0
    while (1 << low) < size:
        low += 1
    if count:
        low = bits[0]
    m = 0
    block = 1 << RUN_BITS
    for j in range(block):
        if (j & fixed) == 0:
            offs[m] = j
            m += 1
    return count, low, m


@njit(**_OPTS)
def _dense1(state, q, m00, m01, m10, m11, cmask, cval, bits, offs):
    lo = 1 << q
    count, low, m = _layout(state.size, cmask | lo, bits, offs)
    run = 1 << low
    for r in range(state.size >> (count + low)):
        i = _spread(r << low, bits, count) | cval
        if m == 1 << RUN_BITS:  # no fixed bit below RUN_BITS: whole runs
            _pair(state[i:i + run], state[i + lo:i + lo + run], m00, m01, m10, m11)
            continue
        for blk in range(i, i + run, 1 << RUN_BITS):
            for t in range(m):
                j = blk + offs[t]
                a = state[j]
                b = state[j + lo]
                state[j] = m00 * a + m01 * b
                state[j + lo] = m10 * a + m11 * b


@njit(**_OPTS)
def _diag1(state, q, d0, d1, cmask, cval, bits, offs):
    lo = 1 << q
    count, low, m = _layout(state.size, cmask | lo, bits, offs)
    run = 1 << low
    for r in range(state.size >> (count + low)):
        i = _spread(r << low, bits, count) | cval
        if m == 1 << RUN_BITS:  # no fixed bit below RUN_BITS: whole runs
            if d0 != 1:
                _scale(state[i:i + run], d0)
            _scale(state[i + lo:i + lo + run], d1)
            continue
        for blk in range(i, i + run, 1 << RUN_BITS):
            for t in range(m):
                j = blk + offs[t]
                if d0 != 1:
                    state[j] *= d0
                state[j + lo] *= d1


@njit(**_OPTS)
def _x1(state, q, cmask, cval, bits, offs):
    lo = 1 << q
    count, low, m = _layout(state.size, cmask | lo, bits, offs)
    run = 1 << low
    for r in range(state.size >> (count + low)):
        i = _spread(r << low, bits, count) | cval
        if m == 1 << RUN_BITS:  # no fixed bit below RUN_BITS: whole runs
            _swap_run(state[i:i + run], state[i + lo:i + lo + run])
            continue
        for blk in range(i, i + run, 1 << RUN_BITS):
            for t in range(m):
                j = blk + offs[t]
                a = state[j]
                state[j] = state[j + lo]
                state[j + lo] = a


@njit(**_OPTS)
def _swap(state, q0, q1, cmask, cval, bits, offs):
    b0 = 1 << q0
    b1 = 1 << q1
    count, low, m = _layout(state.size, cmask | b0 | b1, bits, offs)
    run = 1 << low
    for r in range(state.size >> (count + low)):
        i = _spread(r << low, bits, count) | cval | b0
        if m == 1 << RUN_BITS:  # no fixed bit below RUN_BITS: whole runs
            _swap_run(state[i:i + run], state[i ^ b0 ^ b1:(i ^ b0 ^ b1) + run])
            continue
        for blk in range(i, i + run, 1 << RUN_BITS):
            for t in range(m):
                j = blk + offs[t]
                k = j ^ b0 ^ b1
                a = state[j]
                state[j] = state[k]
                state[k] = a


@njit(**_OPTS)
def _offsets(qs):
    """Index offsets of the 2**k local basis states of qubits ``qs``."""
    d = 1 << qs.size
    off = np.zeros(d, dtype=np.int64)
    for j in range(d):
        for t in range(qs.size):
            if (j >> t) & 1:
                off[j] |= 1 << qs[t]
    return off


@njit(**_OPTS)
def _diag(state, pool, off, qs, cmask, cval):
    """Diagonal of a 2**k x 2**k matrix stored at ``pool[off:]``."""
    k = qs.size
    d = 1 << k
    for i in range(state.size):
        if (i & cmask) == cval:
            j = 0
            for t in range(k):
                j |= ((i >> qs[t]) & 1) << t
            state[i] *= pool[off + j * (d + 1)]


@njit(**_OPTS)
def _dense(state, pool, off, qs, cmask, cval):
    """A 2**k x 2**k matrix stored row-major at ``pool[off:]``."""
    k = qs.size
    d = 1 << k
    offs = _offsets(qs)
    tmask = offs[d - 1]
    v = np.empty(d, dtype=state.dtype)
    for i in range(state.size):
        if (i & tmask) == 0 and (i & cmask) == cval:
            for c in range(d):
                v[c] = state[i + offs[c]]
            for r in range(d):
                acc = 0j
                row = off + r * d
                for c in range(d):
                    acc += pool[row + c] * v[c]
                state[i + offs[r]] = acc


@njit(**_OPTS)
def _flush(state, pending, waiting, q, bits, offs):
    if waiting[q]:
        p = pending[q]
        _dense1(state, q, p[0, 0], p[0, 1], p[1, 0], p[1, 1], 0, 0, bits, offs)
        waiting[q] = False


@njit(**_OPTS)
def run_program(state, n, program, pool, fixed):
    """Apply ``program`` (records as in the module docstring) to ``state`` in place."""
    pending = np.empty((n, 2, 2), dtype=state.dtype)
    waiting = np.zeros(n, dtype=np.bool_)
    bits = np.empty(64, dtype=np.int64)
    offs = np.empty(1 << RUN_BITS, dtype=np.int64)
    pc = 0
    end = program.size
    while pc < end:
        off = program[pc]
        kind = program[pc + 1]
        k = program[pc + 2]
        cmask = program[pc + 3]
        cval = program[pc + 4]
        qs = program[pc + HEADER:pc + HEADER + k]
        pc += HEADER + k
        src = pool
        if off < 0:
            src = fixed
            off = -1 - off
        if k == 1 and cmask == 0 and (kind == DENSE or kind == DIAG):
            q = qs[0]
            m00 = src[off]
            m11 = src[off + 3]
            if kind == DENSE:
                m01 = src[off + 1]
                m10 = src[off + 2]
            else:
                m01 = m10 = 0j
            if waiting[q]:
                p = pending[q]
                a00 = m00 * p[0, 0] + m01 * p[1, 0]
                a01 = m00 * p[0, 1] + m01 * p[1, 1]
                a10 = m10 * p[0, 0] + m11 * p[1, 0]
                a11 = m10 * p[0, 1] + m11 * p[1, 1]
                p[0, 0] = a00
                p[0, 1] = a01
                p[1, 0] = a10
                p[1, 1] = a11
            else:
                pending[q, 0, 0] = m00
                pending[q, 0, 1] = m01
                pending[q, 1, 0] = m10
                pending[q, 1, 1] = m11
                waiting[q] = True
            continue
        for j in range(k):
            _flush(state, pending, waiting, qs[j], bits, offs)
        if cmask:
            for q in range(n):
                if (cmask >> q) & 1:
                    _flush(state, pending, waiting, q, bits, offs)
        if kind == XGATE:
            _x1(state, qs[0], cmask, cval, bits, offs)
        elif kind == SWAP:
            _swap(state, qs[0], qs[1], cmask, cval, bits, offs)
        elif kind == DIAG:
            if k == 1:
                _diag1(state, qs[0], src[off], src[off + 3], cmask, cval, bits, offs)
            else:
                _diag(state, src, off, qs, cmask, cval)
        elif k == 1:
            _dense1(state, qs[0], src[off], src[off + 1], src[off + 2], src[off + 3],
                    cmask, cval, bits, offs)
        else:
            _dense(state, src, off, qs, cmask, cval)
    for q in range(n):
        _flush(state, pending, waiting, q, bits, offs)


def warm_up() -> None:
    """Compile (or load from the on-disk cache) the program runner."""
    state = np.zeros(1 << RUN_BITS, dtype=np.complex128)
    state[0] = 1
    program = np.array([0, DENSE, 1, 0, 0, 0, 0, XGATE, 1, 2, 2, 0,
                        4, DIAG, 2, 0, 0, 0, 1, 0, SWAP, 2, 0, 0, 0, 1,
                        20, DENSE, 2, 0, 0, 1, 0, 36, DENSE, 1, 1, 1, 1,
                        40, DIAG, 1, 2, 0, 0], dtype=np.int64)
    pool = np.concatenate([np.eye(2).ravel(), np.eye(4).ravel(), np.eye(4).ravel(),
                           np.eye(2).ravel(), np.eye(2).ravel()]).astype(np.complex128)
    run_program(state, RUN_BITS, program, pool, pool[:4].copy())
    program[0] = -1
    run_program(state, RUN_BITS, program, pool, pool[:4].copy())
