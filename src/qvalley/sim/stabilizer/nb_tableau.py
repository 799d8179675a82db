"""Numba kernels of the stabilizer tableau (Aaronson and Gottesman, PRA 70, 052328).

The tableau is kept by columns: for each qubit j, ``SX[j]`` and ``SZ[j]`` pack the x and z
bits of qubit j in all n stabilizer rows (64 rows a word), ``DX[j]``/``DZ[j]`` the same for
the destabilizers, and ``SR`` the stabilizers' signs (destabilizer signs never decide an
outcome and are not kept). A gate touches only its qubits' columns, so it costs a few
word operations per 64 rows; it is applied as the linear map and sign function of
:mod:`.clifford`, evaluated on whole columns.

A measurement of qubit a follows AG: if some stabilizer p anticommutes with Z_a the
outcome is random, every other row that anticommutes is multiplied by row p, all rows at
once (the phases of the products are counted per row in a two-bit counter held in two
words, one bit-plane each), the destabilizer p takes the old row p and row p becomes
+-Z_a. Otherwise the outcome is the sign of the product of the stabilizers whose
destabilizers anticommute with Z_a, computed column by column: on qubit j the ordered
product of the rows' Paulis has phase i**(sum x z - X Z + 2 sum_{a<b} z_a x_b), the
last sum read from a running parity of z.

:func:`run` executes a whole program (see :mod:`.program`) for one shot; the reference
run of the frame sampler is one call without noise.
"""
from __future__ import annotations

import numpy as np

from ..statevector.nb_target import configure

configure()
from numba import njit  # noqa: E402

from .rows import (AUX0, AUX1, AUX2, AUX3, CLEN, COFF, CVAL, GATE, K, KIND,  # noqa: E402,F401
                   MEASURE, NOISE, Q0, RESET, WIDTH)

_OPTS = dict(cache=True, nogil=True, boundscheck=False)
ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


@njit(**_OPTS)
def next_u64(state):
    """splitmix64: the next 64 random bits from ``state`` (a one-element uint64 array)."""
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(**_OPTS)
def uniform(state):
    """A float in [0, 1) with 53 random bits."""
    return np.float64(next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**_OPTS)
def popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(**_OPTS)
def _bit(col, i):
    return (col[i >> 6] >> np.uint64(i & 63)) & np.uint64(1)


@njit(**_OPTS)
def _set(col, i, v):
    b = np.uint64(1) << np.uint64(i & 63)
    if v:
        col[i >> 6] |= b
    else:
        col[i >> 6] &= ~b


@njit(inline='always', **_OPTS)
def _column(CX, CZ, qs, v):
    return CX[qs[v >> 1]] if (v & 1) == 0 else CZ[qs[v >> 1]]


@njit(**_OPTS)
def apply_map(CX, CZ, R, s0, qs, k, masks, monos, tmp):
    """The Clifford map (masks: 2k output masks; monos: sign monomials) on the columns of
    ``qs`` (of the whole tableau, or of the frames); ``R`` the signs of the rows from word
    ``s0`` on, or an empty array (no signs). Outputs equal to their input are not touched; an output that is
    its input XOR unchanged ones is updated in place; the rest go through ``tmp``."""
    W = CX.shape[1]
    n2 = 2 * k
    changed = 0
    for o in range(n2):
        if masks[o] != (1 << o):
            changed |= 1 << o
    if R.size:  # the sign function reads the inputs before anything changes
        for mono in monos:
            first = -1
            for v in range(n2):
                if (mono >> v) & 1:
                    first = v
                    break
            c0 = _column(CX, CZ, qs, first)
            Ws = R.size
            for w in range(Ws):
                tmp[n2, w] = c0[s0 + w]
            for v in range(first + 1, n2):
                if (mono >> v) & 1:
                    cv = _column(CX, CZ, qs, v)
                    for w in range(Ws):
                        tmp[n2, w] &= cv[s0 + w]
            for w in range(Ws):
                R[w] ^= tmp[n2, w]
    gathered = 0
    for o in range(n2):
        if not (changed >> o) & 1:
            continue
        m = masks[o]
        if (m >> o) & 1 and (m & ~(1 << o)) & changed == 0:
            continue  # in place below
        gathered |= 1 << o
        for w in range(W):
            tmp[o, w] = 0
        for v in range(n2):
            if (m >> v) & 1:
                cv = _column(CX, CZ, qs, v)
                for w in range(W):
                    tmp[o, w] ^= cv[w]
    for o in range(n2):
        if (changed >> o) & 1 and not (gathered >> o) & 1:
            dst = _column(CX, CZ, qs, o)
            m = masks[o] & ~(1 << o)
            for v in range(n2):
                if (m >> v) & 1:
                    cv = _column(CX, CZ, qs, v)
                    for w in range(W):
                        dst[w] ^= cv[w]
    for o in range(n2):
        if (gathered >> o) & 1:
            dst = _column(CX, CZ, qs, o)
            for w in range(W):
                dst[w] = tmp[o, w]


@njit(**_OPTS)
def apply_pauli(SX, SZ, SR, qs, k, bits):
    """Sign changes from applying the Pauli ``bits`` (x_j at 2j, z_j at 2j + 1) to the
    state: rows that anticommute with it flip sign."""
    W = SX.shape[1]
    for j in range(k):
        if (bits >> (2 * j)) & 1:       # X part: anticommutes with rows holding z
            for w in range(W):
                SR[w] ^= SZ[qs[j], w]
        if (bits >> (2 * j + 1)) & 1:   # Z part: with rows holding x
            for w in range(W):
                SR[w] ^= SX[qs[j], w]


@njit(**_OPTS)
def product_sign(SX, SZ, SR, mask, n):
    """(exponent of i mod 4) of the product of the stabilizer rows in ``mask``, relative to
    the Hermitian Pauli with the rows' XOR as bits."""
    W = SX.shape[1]
    e = 0
    for w in range(W):
        e += 2 * popcount(SR[w] & mask[w])
    for j in range(n):
        xj = SX[j]
        zj = SZ[j]
        xz = 0
        px = 0
        pz = 0
        cross = 0
        carry = np.uint64(0)
        for w in range(W):
            m = mask[w]
            x = xj[w] & m
            z = zj[w] & m
            if x == 0 and z == 0:
                continue
            xz += popcount(x & z)
            px ^= popcount(x) & 1
            # exclusive running parity of z over the rows before each row
            p = z
            p ^= p << np.uint64(1)
            p ^= p << np.uint64(2)
            p ^= p << np.uint64(4)
            p ^= p << np.uint64(8)
            p ^= p << np.uint64(16)
            p ^= p << np.uint64(32)
            excl = p ^ z
            if carry:
                excl = ~excl
            cross += popcount(x & excl)
            zc = popcount(z) & 1
            pz ^= zc
            if zc:
                carry ^= np.uint64(1)
        e += xz - px * pz + 2 * cross
    return e & 3


@njit(**_OPTS)
def measure(SX, SZ, SR, DX, DZ, a, n, rng, lo, hi):
    """Measure qubit ``a`` in Z; returns (outcome, 1 if it was random else 0). ``lo``/``hi``:
    scratch words (the per-row phase counters)."""
    W = SX.shape[1]
    p = -1
    for w in range(W):
        if SX[a, w]:
            x = SX[a, w]
            t = 0
            while not (x >> np.uint64(t)) & np.uint64(1):
                t += 1
            p = w * 64 + t
            break
    if p < 0:  # deterministic: the stabilizers whose destabilizer anticommutes with Z_a
        e = product_sign(SX, SZ, SR, DX[a], n)
        return (e >> 1) & 1, 0
    outcome = np.int64(next_u64(rng) >> np.uint64(63))
    ms = SX[a].copy()
    _set(ms, p, 0)
    md = DX[a].copy()
    for w in range(W):
        lo[w] = 0
        hi[w] = 0
    for j in range(n):
        px = _bit(SX[j], p)
        pz = _bit(SZ[j], p)
        if px == 0 and pz == 0:
            continue
        xj = SX[j]
        zj = SZ[j]
        for w in range(W):
            m = ms[w]
            if m == 0:
                continue
            x2 = xj[w]
            z2 = zj[w]
            if px and pz:      # Y * P: +1 on Z, -1 on X
                plus = z2 & ~x2
                minus = x2 & ~z2
            elif px:           # X * P: +1 on Y, -1 on Z
                plus = z2 & x2
                minus = z2 & ~x2
            else:              # Z * P: +1 on X, -1 on Y
                plus = x2 & ~z2
                minus = x2 & z2
            plus &= m
            minus &= m
            c = lo[w] & plus           # +1
            lo[w] ^= plus
            hi[w] ^= c
            b = ~lo[w] & minus         # -1 (borrow)
            lo[w] ^= minus
            hi[w] ^= b
            if px:
                xj[w] ^= m
            if pz:
                zj[w] ^= m
        if px:
            for w in range(W):
                DX[j, w] ^= md[w]
        if pz:
            for w in range(W):
                DZ[j, w] ^= md[w]
    rp = _bit(SR, p)
    for w in range(W):
        m = ms[w]
        SR[w] ^= (hi[w] & m) ^ (m if rp else np.uint64(0))
    for j in range(n):  # destabilizer p := old row p; row p := (-1)**outcome Z_a
        _set(DX[j], p, _bit(SX[j], p))
        _set(DZ[j], p, _bit(SZ[j], p))
        _set(SX[j], p, 0)
        _set(SZ[j], p, 1 if j == a else 0)
    _set(SR, p, outcome)
    return outcome, 1


@njit(**_OPTS)
def holds(ops, i, ipool, classical):
    """Whether row ``i``'s condition holds for the register ``classical`` (a uint8 per
    clbit)."""
    off = ops[i, COFF]
    if off < 0:
        return True
    got = 0
    for t in range(ops[i, CLEN]):
        got |= np.int64(classical[ipool[off + t]]) << t
    return got == ops[i, CVAL]


@njit(**_OPTS)
def pick(fpool, off, count, u):
    """Index of the first cumulative probability above ``u``."""
    for t in range(count):
        if u < fpool[off + t]:
            return t
    return count - 1


@njit(**_OPTS)
def run(ops, ipool, fpool, X, Z, SR, n, classical, rng, noisy, ref_out, ref_applied):
    """Execute the program on the tableau for one shot: gates, measurements (into
    ``classical``, one uint8 per clbit), resets, and, when ``noisy``, Pauli errors and
    readout errors drawn from ``rng``. ``ref_out[i]``/``ref_applied[i]`` receive each
    row's measurement outcome (true value) and whether its condition held. ``X``/``Z``:
    the tableau from :func:`initial` (destabilizer words, then stabilizer words)."""
    W = SR.size
    DX, SX = X[:, :W], X[:, W:]
    DZ, SZ = Z[:, :W], Z[:, W:]
    tmp = np.empty((2 * 4 + 1, 2 * W), dtype=np.uint64)
    lo = np.empty(W, dtype=np.uint64)
    hi = np.empty(W, dtype=np.uint64)
    for i in range(ops.shape[0]):
        kind = ops[i, KIND]
        ok = holds(ops, i, ipool, classical)
        ref_applied[i] = 1 if ok else 0
        if not ok:
            continue
        k = ops[i, K]
        qs = ops[i, Q0:Q0 + k]
        if kind == GATE:
            masks = ipool[ops[i, AUX0]:ops[i, AUX0] + 2 * k]
            monos = ipool[ops[i, AUX1]:ops[i, AUX1] + ops[i, AUX2]]
            apply_map(X, Z, SR, W, qs, k, masks, monos, tmp)
        elif kind == MEASURE:
            out, _ = measure(SX, SZ, SR, DX, DZ, qs[0], n, rng, lo, hi)
            ref_out[i] = out
            read = out
            off = ops[i, AUX1]
            if noisy and off >= 0:
                flip = fpool[off] if out else fpool[off + 1]  # P(0|1) / P(1|0)
                if uniform(rng) < flip:
                    read = 1 - out
            classical[ops[i, AUX0]] = read
        elif kind == RESET:
            out, _ = measure(SX, SZ, SR, DX, DZ, qs[0], n, rng, lo, hi)
            if out:
                apply_pauli(SX, SZ, SR, qs, 1, 1)  # X
        elif kind == NOISE and noisy:
            t = pick(fpool, ops[i, AUX0], ops[i, AUX1], uniform(rng))
            if t:
                apply_pauli(SX, SZ, SR, qs, k, t)


@njit(**_OPTS)
def initial(n):
    """|0...0> as (X, Z, SR): column j of X holds x_j of the n destabilizers (words
    0..W-1: X_i) then of the n stabilizers (words W..2W-1: +Z_i); one gate updates both
    halves in one sweep."""
    W = max((n + 63) >> 6, 1)
    X = np.zeros((n, 2 * W), dtype=np.uint64)
    Z = np.zeros((n, 2 * W), dtype=np.uint64)
    SR = np.zeros(W, dtype=np.uint64)
    for i in range(n):
        _set(Z[i, W:], i, 1)
        _set(X[i, :W], i, 1)
    return X, Z, SR


@njit(**_OPTS)
def run_shots(ops, ipool, fpool, n, num_clbits, shots, rng, out):
    """Every shot on its own tableau (programs the frame sampler cannot take: classical
    conditions on non-Pauli operations); ``out`` (shots, num_clbits) gets the records."""
    m = ops.shape[0]
    ref_out = np.zeros(m, dtype=np.uint8)
    ref_applied = np.zeros(m, dtype=np.uint8)
    for s in range(shots):
        X, Z, SR = initial(n)
        classical = out[s]
        run(ops, ipool, fpool, X, Z, SR, n, classical, rng, True, ref_out, ref_applied)
