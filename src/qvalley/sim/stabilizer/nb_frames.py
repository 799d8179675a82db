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

from .nb_tableau import (ALL, AUX0, AUX1, AUX2, AUX3, CLEN, COFF, CVAL, GATE, K, KIND,
                         MEASURE, NOISE, Q0, RESET, apply_map, next_u64, pick, uniform)
from numba import njit  # noqa: E402  (nb_tableau configured the target)

_OPTS = dict(cache=True, nogil=True, boundscheck=False)


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
        qs = ops[i, Q0:Q0 + k]
        conditioned = ops[i, COFF] >= 0
        if conditioned:
            _condition(ops, i, ipool, rec, H)
        if kind == GATE:
            if not conditioned:
                masks = ipool[ops[i, AUX0]:ops[i, AUX0] + 2 * k]
                monos = ipool[ops[i, AUX1]:ops[i, AUX1] + ops[i, AUX2]]
                apply_map(FX, FZ, none, 0, qs, k, masks, monos, tmp)
                continue
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
