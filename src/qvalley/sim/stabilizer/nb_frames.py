"""Numba kernel of the Pauli-frame sampler: every shot at once, 64 shots a word.

A shot's state is the reference run's state times a Pauli "frame", and only the frame is
simulated: a Clifford gate maps it by its linear map (signs do not matter: a frame is
defined up to phase), a measurement flips the reference outcome where the frame has X on
the qubit, and a Pauli error multiplies into it. The frames start with a random Z part
on every qubit (Z leaves |0> unchanged, so this changes no shot) and a measured or reset
qubit gets a fresh random Z part; carried through the circuit, these random gauges are
what makes random outcomes random and correlated exactly as in the state (the method of
stim, Gidney, Quantum 5, 497 (2021)). Errors of probability p are placed by geometric
gaps between the shots they hit, so a run costs the expected number of errors, not a
random draw per shot and channel.
"""
from __future__ import annotations

import math

import numpy as np

from .nb_tableau import (ALL, all_if, apply_map, next_u64, pick, select_xor,
                         uniform)
from .rows import (AUX0, AUX1, AUX2, AUX3, CLEN, COFF, CVAL, GATE, K, KIND, MEASURE, NOISE,
                   Q0, RESET)
from numba import njit  # noqa: E402  (nb_tableau configured the target)

_OPTS = dict(cache=True, nogil=True, boundscheck=False)


@njit(inline='always', **_OPTS)
def _xor_col(FX, FZ, q, dz, sq, sz, S):
    """Frame column (q, z if dz else x) ^= column (sq, z if sz else x)."""
    if dz:
        if sz:
            for w in range(S):
                FZ[q, w] ^= FZ[sq, w]
        else:
            for w in range(S):
                FZ[q, w] ^= FX[sq, w]
    else:
        if sz:
            for w in range(S):
                FX[q, w] ^= FZ[sq, w]
        else:
            for w in range(S):
                FX[q, w] ^= FX[sq, w]


@njit(**_OPTS)
def frame_1q(FX, FZ, q, m0, m1):
    """A one-qubit Clifford's linear map on Pauli frames (signs do not matter there): each
    of the six maps of (x, z) as the fewest column operations."""
    S = FX.shape[1]
    if m0 == 1 and m1 == 2:        # a Pauli: frames unchanged
        return
    if m0 == 1:                    # z' = z ^ x (S-like)
        _xor_col(FX, FZ, q, True, q, False, S)
    elif m1 == 2:                  # x' = x ^ z (SX-like)
        _xor_col(FX, FZ, q, False, q, True, S)
    else:
        ax, az = all_if(m0, 0), all_if(m0, 1)
        bx, bz = all_if(m1, 0), all_if(m1, 1)
        for w in range(S):
            x = FX[q, w]
            z = FZ[q, w]
            FX[q, w] = (x & ax) ^ (z & az)
            FZ[q, w] = (x & bx) ^ (z & bz)


@njit(**_OPTS)
def frame_2q(FX, FZ, a, b, m0, m1, m2, m3):
    """A two-qubit Clifford's linear map on Pauli frames: in place, one column XOR per
    source, when every output is its own input plus inputs that do not change (CX, CZ,
    CY's x part...); otherwise all four columns in one branch-free sweep."""
    S = FX.shape[1]
    masks = (m0, m1, m2, m3)
    changed = 0
    for o in range(4):
        if masks[o] != (1 << o):
            changed |= 1 << o
    simple = True
    for o in range(4):
        if (changed >> o) & 1:
            m = masks[o]
            if not (m >> o) & 1 or (m & ~(1 << o)) & changed:
                simple = False
    if simple:
        for o in range(4):
            if (changed >> o) & 1:
                m = masks[o] & ~(1 << o)
                dq = a if o < 2 else b
                for v in range(4):
                    if (m >> v) & 1:
                        _xor_col(FX, FZ, dq, (o & 1) == 1, a if v < 2 else b, (v & 1) == 1,
                                 S)
        return
    a0, a1, a2, a3 = all_if(m0, 0), all_if(m0, 1), all_if(m0, 2), all_if(m0, 3)
    b0, b1, b2, b3 = all_if(m1, 0), all_if(m1, 1), all_if(m1, 2), all_if(m1, 3)
    c0, c1, c2, c3 = all_if(m2, 0), all_if(m2, 1), all_if(m2, 2), all_if(m2, 3)
    d0, d1, d2, d3 = all_if(m3, 0), all_if(m3, 1), all_if(m3, 2), all_if(m3, 3)
    for w in range(S):
        v0, v1, v2, v3 = FX[a, w], FZ[a, w], FX[b, w], FZ[b, w]
        FX[a, w] = select_xor(v0, v1, v2, v3, a0, a1, a2, a3)
        FZ[a, w] = select_xor(v0, v1, v2, v3, b0, b1, b2, b3)
        FX[b, w] = select_xor(v0, v1, v2, v3, c0, c1, c2, c3)
        FZ[b, w] = select_xor(v0, v1, v2, v3, d0, d1, d2, d3)


@njit(**_OPTS)
def _events(dst, p, shots, rng, within):
    """Set bit s of ``dst`` for each shot s hit with probability ``p`` (only shots set in
    ``within``, when it is not empty)."""
    for w in range(dst.size):
        dst[w] = 0
    if p <= 0:
        return
    if p >= 1:
        for s in range(shots):
            dst[s >> 6] |= np.uint64(1) << np.uint64(s & 63)
    else:
        step = math.log1p(-p)
        s = -1
        while True:
            u = uniform(rng)
            s += 1 + int(math.log(1.0 - u) / step)
            if s >= shots:
                break
            dst[s >> 6] |= np.uint64(1) << np.uint64(s & 63)
    if within.size:
        for w in range(dst.size):
            dst[w] &= within[w]


@njit(**_OPTS)
def _condition(ops, i, ipool, rec, H):
    """Words of the shots whose record satisfies row ``i``'s condition."""
    S = H.size
    for w in range(S):
        H[w] = ALL
    off = ops[i, COFF]
    for t in range(ops[i, CLEN]):
        c = ipool[off + t]
        want = (ops[i, CVAL] >> t) & 1
        for w in range(S):
            H[w] &= rec[c, w] if want else ~rec[c, w]


@njit(**_OPTS)
def sample(ops, ipool, fpool, n, num_clbits, shots, ref_out, ref_applied, rng, out):
    """Fill ``out`` (shots, num_clbits) uint8 with the records of every shot."""
    S = max((shots + 63) >> 6, 1)
    FX = np.zeros((n, S), dtype=np.uint64)
    FZ = np.empty((n, S), dtype=np.uint64)
    for q in range(n):
        for w in range(S):
            FZ[q, w] = next_u64(rng)
    rec = np.zeros((max(num_clbits, 1), S), dtype=np.uint64)
    tmp = np.empty((9, S), dtype=np.uint64)
    H = np.empty(S, dtype=np.uint64)
    e0 = np.empty(S, dtype=np.uint64)
    e1 = np.empty(S, dtype=np.uint64)
    none = np.empty(0, dtype=np.uint64)
    for i in range(ops.shape[0]):
        kind = ops[i, KIND]
        k = ops[i, K]
        conditioned = ops[i, COFF] >= 0
        if kind == GATE and not conditioned:  # the common case: no array views made
            moff = ops[i, AUX0]
            if k == 1:
                frame_1q(FX, FZ, ops[i, Q0], ipool[moff], ipool[moff + 1])
            elif k == 2:
                frame_2q(FX, FZ, ops[i, Q0], ops[i, Q0 + 1], ipool[moff], ipool[moff + 1],
                         ipool[moff + 2], ipool[moff + 3])
            else:
                apply_map(FX, FZ, none, 0, ops[i, Q0:Q0 + k], k, ipool[moff:moff + 2 * k],
                          ipool[ops[i, AUX1]:ops[i, AUX1] + ops[i, AUX2]], tmp)
            continue
        qs = ops[i, Q0:Q0 + k]
        if conditioned:
            _condition(ops, i, ipool, rec, H)
        if kind == GATE:
            # a conditioned Pauli: the frame changes where the shot and the reference
            # disagree about applying it
            pauli = ops[i, AUX3]
            flip = ALL if ref_applied[i] else np.uint64(0)
            for j in range(k):
                for w in range(S):
                    d = H[w] ^ flip
                    if (pauli >> (2 * j)) & 1:
                        FX[qs[j], w] ^= d
                    if (pauli >> (2 * j + 1)) & 1:
                        FZ[qs[j], w] ^= d
        elif kind == MEASURE:
            q = qs[0]
            c = ops[i, AUX0]
            base = ALL if ref_out[i] else np.uint64(0)
            off = ops[i, AUX1]
            if off >= 0:
                _events(e1, fpool[off], shots, rng, none)      # P(0 | 1)
                _events(e0, fpool[off + 1], shots, rng, none)  # P(1 | 0)
            for w in range(S):
                true = base ^ FX[q, w]
                bit = true
                if off >= 0:
                    bit ^= (true & e1[w]) | (~true & e0[w])
                rec[c, w] = bit
                FZ[q, w] = next_u64(rng)
        elif kind == RESET:
            q = qs[0]
            for w in range(S):
                FX[q, w] = 0
                FZ[q, w] = next_u64(rng)
        elif kind == NOISE:
            cum0 = fpool[ops[i, AUX0]]
            _events(e0, 1.0 - cum0, shots, rng, H if conditioned else none)
            for w in range(S):
                word = e0[w]
                while word:
                    t0 = 0
                    while not (word >> np.uint64(t0)) & np.uint64(1):
                        t0 += 1
                    word &= word - np.uint64(1)
                    u = cum0 + uniform(rng) * (1.0 - cum0)
                    t = pick(fpool, ops[i, AUX0], ops[i, AUX1], u)
                    if t == 0:
                        t = 1
                    b = np.uint64(1) << np.uint64(t0)
                    for j in range(k):
                        if (t >> (2 * j)) & 1:
                            FX[qs[j], w] ^= b
                        if (t >> (2 * j + 1)) & 1:
                            FZ[qs[j], w] ^= b
    for s in range(shots):
        w = s >> 6
        b = np.uint64(s & 63)
        for c in range(num_clbits):
            out[s, c] = np.uint8((rec[c, w] >> b) & np.uint64(1))
