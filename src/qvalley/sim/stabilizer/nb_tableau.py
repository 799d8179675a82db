"""Numba kernels of the stabilizer tableau (Aaronson and Gottesman, PRA 70, 052328).

The tableau is kept by columns: row j of ``X`` (and of ``Z``) packs the x (z) bits of
qubit j in all n destabilizer rows (words 0..W-1, 64 rows a word), then in all n stabilizer
rows (words W..2W-1); ``SR`` holds the stabilizers' signs (destabilizer signs never decide
an outcome and are not kept). A gate touches only its qubits' columns, so it costs a few
word operations per 64 rows; it is applied as the linear map and sign function of
:mod:`.clifford`, evaluated on whole columns in one branch-free sweep. Kernels index the
two arrays directly and take scalars rather than array views: a view costs a reference
count, which at a hundred thousand gates is more than the words themselves.

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

from .rows import (AUX0, AUX1, AUX2, CLEN, COFF, CVAL, GATE, K, KIND,  # noqa: E402
                   MEASURE, NOISE, Q0, RESET)

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
    ``s0`` on, or an empty array (no signs). Outputs equal to their input are not touched;
    an output that is its input XOR unchanged ones is updated in place; the rest go
    through ``tmp``. Gates of three and four qubits take this path; one- and two-qubit
    gates have their own sweeps (:func:`apply_1q`, :func:`apply_2q`)."""
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


@njit(inline='always', **_OPTS)
def all_if(bits, i):
    """All ones if bit ``i`` of ``bits`` is set, else zero: a mask for branch-free words."""
    return ALL if (bits >> i) & 1 else np.uint64(0)


@njit(**_OPTS)
def apply_1q(CX, CZ, R, s0, q, m0, m1, fx, fz, fxz):
    """:func:`apply_map` for one qubit, in one branch-free sweep over its two columns: the
    linear map x' = x.m0, z' = x.m1 (masks over x: bit 0, z: bit 1) and the sign function
    x fx ^ z fz ^ xz fxz (all-ones or zero words) on the rows from word ``s0`` on. Scalars
    only: a call makes no array views (whose reference counts cost more than the words)."""
    ax, az = all_if(m0, 0), all_if(m0, 1)
    bx, bz = all_if(m1, 0), all_if(m1, 1)
    W = CX.shape[1]
    Rs = R.size
    if m0 == 1 and m1 == 2:  # a Pauli: signs only
        for w in range(Rs):
            x = CX[q, s0 + w]
            z = CZ[q, s0 + w]
            R[w] ^= (x & fx) ^ (z & fz) ^ (x & z & fxz)
        return
    for w in range(s0):
        x = CX[q, w]
        z = CZ[q, w]
        CX[q, w] = (x & ax) ^ (z & az)
        CZ[q, w] = (x & bx) ^ (z & bz)
    for w in range(s0, s0 + Rs):
        x = CX[q, w]
        z = CZ[q, w]
        R[w - s0] ^= (x & fx) ^ (z & fz) ^ (x & z & fxz)
        CX[q, w] = (x & ax) ^ (z & az)
        CZ[q, w] = (x & bx) ^ (z & bz)
    for w in range(s0 + Rs, W):
        x = CX[q, w]
        z = CZ[q, w]
        CX[q, w] = (x & ax) ^ (z & az)
        CZ[q, w] = (x & bx) ^ (z & bz)


@njit(inline='always', **_OPTS)
def select_xor(v0, v1, v2, v3, k0, k1, k2, k3):
    return (v0 & k0) ^ (v1 & k1) ^ (v2 & k2) ^ (v3 & k3)


@njit(**_OPTS)
def apply_2q(CX, CZ, R, s0, a, b, m0, m1, m2, m3, anf):
    """:func:`apply_map` for two qubits in one branch-free sweep over the tableau: inputs
    x_a, z_a, x_b, z_b (variables 0..3), each output the XOR its mask m0..m3 selects, the
    sign the XOR of the monomials set in ``anf`` (bit t: the product of the variables in
    t), on the rows from word ``s0`` on."""
    a0, a1, a2, a3 = all_if(m0, 0), all_if(m0, 1), all_if(m0, 2), all_if(m0, 3)
    b0, b1, b2, b3 = all_if(m1, 0), all_if(m1, 1), all_if(m1, 2), all_if(m1, 3)
    c0, c1, c2, c3 = all_if(m2, 0), all_if(m2, 1), all_if(m2, 2), all_if(m2, 3)
    d0, d1, d2, d3 = all_if(m3, 0), all_if(m3, 1), all_if(m3, 2), all_if(m3, 3)
    f1, f2, f3, f4 = all_if(anf, 1), all_if(anf, 2), all_if(anf, 3), all_if(anf, 4)
    f5, f6, f7, f8 = all_if(anf, 5), all_if(anf, 6), all_if(anf, 7), all_if(anf, 8)
    f9, f10, f11, f12 = all_if(anf, 9), all_if(anf, 10), all_if(anf, 11), all_if(anf, 12)
    f13, f14, f15 = all_if(anf, 13), all_if(anf, 14), all_if(anf, 15)
    W = CX.shape[1]
    Rs = R.size
    for w in range(W):
        v0, v1, v2, v3 = CX[a, w], CZ[a, w], CX[b, w], CZ[b, w]
        if w >= s0 and w < s0 + Rs:
            p01 = v0 & v1
            p02 = v0 & v2
            p12 = v1 & v2
            p03 = v0 & v3
            p13 = v1 & v3
            p23 = v2 & v3
            R[w - s0] ^= ((v0 & f1) ^ (v1 & f2) ^ (p01 & f3) ^ (v2 & f4) ^ (p02 & f5)
                          ^ (p12 & f6) ^ (p01 & v2 & f7) ^ (v3 & f8) ^ (p03 & f9)
                          ^ (p13 & f10) ^ (p01 & v3 & f11) ^ (p23 & f12)
                          ^ (p02 & v3 & f13) ^ (p12 & v3 & f14) ^ (p01 & p23 & f15))
        CX[a, w] = select_xor(v0, v1, v2, v3, a0, a1, a2, a3)
        CZ[a, w] = select_xor(v0, v1, v2, v3, b0, b1, b2, b3)
        CX[b, w] = select_xor(v0, v1, v2, v3, c0, c1, c2, c3)
        CZ[b, w] = select_xor(v0, v1, v2, v3, d0, d1, d2, d3)


@njit(inline='always', **_OPTS)
def sign_flags_1q(ipool, off, count):
    """(fx, fz, fxz) of a one-qubit map's sign monomials."""
    fx = fz = fxz = np.uint64(0)
    for t in range(count):
        mono = ipool[off + t]
        if mono == 1:
            fx = ALL
        elif mono == 2:
            fz = ALL
        else:
            fxz = ALL
    return fx, fz, fxz


@njit(inline='always', **_OPTS)
def anf_bits(ipool, off, count):
    """The set of a map's sign monomials as bits (bit t: monomial t)."""
    anf = 0
    for t in range(count):
        anf |= 1 << ipool[off + t]
    return anf


@njit(**_OPTS)
def apply_pauli(X, Z, SR, qs, k, bits):
    """Sign changes from applying the Pauli ``bits`` (x_j at 2j, z_j at 2j + 1) to the
    state: stabilizers that anticommute with it flip sign."""
    W = SR.size
    for j in range(k):
        if (bits >> (2 * j)) & 1:       # X part: anticommutes with rows holding z
            for w in range(W):
                SR[w] ^= Z[qs[j], W + w]
        if (bits >> (2 * j + 1)) & 1:   # Z part: with rows holding x
            for w in range(W):
                SR[w] ^= X[qs[j], W + w]


@njit(**_OPTS)
def product_sign(X, Z, SR, mask, n):
    """(exponent of i mod 4) of the product of the stabilizer rows in ``mask``, relative to
    the Hermitian Pauli with the rows' XOR as bits."""
    W = SR.size
    e = 0
    for w in range(W):
        e += 2 * popcount(SR[w] & mask[w])
    for j in range(n):
        xj = X[j]
        zj = Z[j]
        xz = 0
        px = 0
        pz = 0
        cross = 0
        carry = np.uint64(0)
        for w in range(W):
            m = mask[w]
            x = xj[W + w] & m
            z = zj[W + w] & m
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


@njit(inline='always', **_OPTS)
def _mul_rows(xj, zj, W, ms, lo, hi, plus_x, plus_z, minus_x, minus_z, px, pz):
    """The stabilizer words (from ``W``) of column j of the rows in ``ms`` multiplied by
    row p's Pauli there (x = ``px``, z = ``pz``): count +1 where a row holds the Pauli
    (plus_x, plus_z) and -1 where it holds (minus_x, minus_z) in the two-bit counters
    lo/hi, then flip the bits. Branch free over the words (the case is fixed per column),
    so it vectorizes."""
    ax = ALL if plus_x else np.uint64(0)
    az = ALL if plus_z else np.uint64(0)
    bx = ALL if minus_x else np.uint64(0)
    bz = ALL if minus_z else np.uint64(0)
    fx = ALL if px else np.uint64(0)
    fz = ALL if pz else np.uint64(0)
    for w in range(W):
        m = ms[w]
        x2 = xj[W + w]
        z2 = zj[W + w]
        plus = ~(x2 ^ ax) & ~(z2 ^ az) & m
        minus = ~(x2 ^ bx) & ~(z2 ^ bz) & m
        l = lo[w]
        c = l & plus            # +1
        l ^= plus
        b = ~l & minus          # -1 (borrow)
        lo[w] = l ^ minus
        hi[w] ^= c ^ b
        xj[W + w] = x2 ^ (m & fx)
        zj[W + w] = z2 ^ (m & fz)


@njit(**_OPTS)
def measure(X, Z, SR, a, n, rng, lo, hi, ms, md):
    """Measure qubit ``a`` in Z; returns (outcome, 1 if it was random else 0). ``lo``,
    ``hi``, ``ms``, ``md``: scratch words (the per-row phase counters, the rows to
    multiply)."""
    W = SR.size
    p = -1
    for w in range(W):
        x = X[a, W + w]
        if x:
            t = 0
            while not (x >> np.uint64(t)) & np.uint64(1):
                t += 1
            p = w * 64 + t
            break
    if p < 0:  # deterministic: the stabilizers whose destabilizer anticommutes with Z_a
        for w in range(W):
            md[w] = X[a, w]
        e = product_sign(X, Z, SR, md, n)
        return (e >> 1) & 1, 0
    outcome = np.int64(next_u64(rng) >> np.uint64(63))
    pw = p >> 6
    pb = np.uint64(p & 63)
    one = np.uint64(1)
    for w in range(W):
        ms[w] = X[a, W + w]
        md[w] = X[a, w]
        lo[w] = 0
        hi[w] = 0
    ms[pw] &= ~(one << pb)
    for j in range(n):
        px = (X[j, W + pw] >> pb) & one
        pz = (Z[j, W + pw] >> pb) & one
        if px == 0 and pz == 0:
            continue
        xj = X[j]
        zj = Z[j]
        # row p's Pauli on qubit j times each anticommuting row's: the phase is +i or -i
        # where the row holds one of two Paulis (plus, minus); counted per row in lo/hi
        if px and pz:      # Y * P: +1 on Z, -1 on X
            _mul_rows(xj, zj, W, ms, lo, hi, 0, 1, 1, 0, True, True)
        elif px:           # X * P: +1 on Y, -1 on Z
            _mul_rows(xj, zj, W, ms, lo, hi, 1, 1, 0, 1, True, False)
        else:              # Z * P: +1 on X, -1 on Y
            _mul_rows(xj, zj, W, ms, lo, hi, 1, 0, 1, 1, False, True)
        if px:
            for w in range(W):
                xj[w] ^= md[w]
        if pz:
            for w in range(W):
                zj[w] ^= md[w]
    rp = (SR[pw] >> pb) & one
    for w in range(W):
        m = ms[w]
        SR[w] ^= (hi[w] & m) ^ (m if rp else np.uint64(0))
    keep = ~(one << pb)
    for j in range(n):  # destabilizer p := old row p; row p := (-1)**outcome Z_a
        sx = X[j, W + pw]
        sz = Z[j, W + pw]
        X[j, pw] = (X[j, pw] & keep) | (sx & (one << pb))
        Z[j, pw] = (Z[j, pw] & keep) | (sz & (one << pb))
        X[j, W + pw] = sx & keep
        Z[j, W + pw] = (sz & keep) | ((one << pb) if j == a else np.uint64(0))
    SR[pw] = (SR[pw] & keep) | (np.uint64(outcome) << pb)
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
    tmp = np.empty((2 * 4 + 1, 2 * W), dtype=np.uint64)
    scratch = np.empty((4, W), dtype=np.uint64)
    lo, hi, ms, md = scratch[0], scratch[1], scratch[2], scratch[3]
    for i in range(ops.shape[0]):
        kind = ops[i, KIND]
        ok = holds(ops, i, ipool, classical)
        ref_applied[i] = 1 if ok else 0
        if not ok:
            continue
        k = ops[i, K]
        q = ops[i, Q0]
        if kind == GATE:
            moff = ops[i, AUX0]
            if k == 1:
                fx, fz, fxz = sign_flags_1q(ipool, ops[i, AUX1], ops[i, AUX2])
                apply_1q(X, Z, SR, W, q, ipool[moff], ipool[moff + 1], fx, fz, fxz)
            elif k == 2:
                apply_2q(X, Z, SR, W, q, ops[i, Q0 + 1], ipool[moff], ipool[moff + 1],
                         ipool[moff + 2], ipool[moff + 3],
                         anf_bits(ipool, ops[i, AUX1], ops[i, AUX2]))
            else:
                apply_map(X, Z, SR, W, ops[i, Q0:Q0 + k], k, ipool[moff:moff + 2 * k],
                          ipool[ops[i, AUX1]:ops[i, AUX1] + ops[i, AUX2]], tmp)
            continue
        qs = ops[i, Q0:Q0 + k]
        if kind == MEASURE:
            out, _ = measure(X, Z, SR, q, n, rng, lo, hi, ms, md)
            ref_out[i] = out
            read = out
            off = ops[i, AUX1]
            if noisy and off >= 0:
                flip = fpool[off] if out else fpool[off + 1]  # P(0|1) / P(1|0)
                if uniform(rng) < flip:
                    read = 1 - out
            classical[ops[i, AUX0]] = read
        elif kind == RESET:
            out, _ = measure(X, Z, SR, qs[0], n, rng, lo, hi, ms, md)
            if out:
                apply_pauli(X, Z, SR, qs, 1, 1)  # X
        elif kind == NOISE and noisy:
            t = pick(fpool, ops[i, AUX0], ops[i, AUX1], uniform(rng))
            if t:
                apply_pauli(X, Z, SR, qs, k, t)


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
