"""From the Pauli vector to the density matrix in one pass (numba).

A Pauli string with bits (x, z) has its nonzero entries on the "diagonal" ``i = j xor x``:
``P[j ^ x, j] = i**|x & z| (-1)**(z . j)``. So for each x the matrix entries
``rho[j ^ x, j] = 2**-n sum_z c[x, z] i**|x & z| (-1)**(z . j)`` are one Walsh-Hadamard
transform over z. A tile of ``TILE`` neighbouring x values is read once (for each z its
coefficients are contiguous), transformed with the tile as the vector lane, and written
as, for each j, one aligned run of ``TILE`` entries of row j: the state is read and the
matrix written once, with ``n 4**n`` additions (against a change of basis per qubit,
which would pass over the matrix several times).
"""
from __future__ import annotations

import numpy as np

from ..statevector.nb_target import configure

configure()
from numba import njit, prange  # noqa: E402

from ..statevector.nb_pass import _popcount  # noqa: E402

TILE = 8
_OPTS = dict(cache=True, fastmath={'contract'}, nogil=True, boundscheck=False)


@njit(parallel=True, **_OPTS)
def to_matrix(vec, n, out, parts):
    """``out[i + (j << n)] = rho[i, j]`` (complex, 4**n, n >= 3) from the Pauli vector
    ``vec`` (``vec[x + (z << n)] = Tr(P_(x,z) rho)``); ``parts``: work items (threads).
    A tile's buffer row z holds the real parts of its ``TILE`` x values, then their
    imaginary parts: the butterflies run over 16 contiguous doubles (two vectors)."""
    d = np.int64(1) << n
    tiles = d // TILE
    scale = 1.0 / d
    # i**k as (re, im), k = popcount(x & z) mod 4; for x = x0 | a (a < TILE):
    # popcount(x0 & z) + popcount(a & z)
    sre = np.array([1.0, 0.0, -1.0, 0.0])
    sim = np.array([0.0, 1.0, 0.0, -1.0])
    low = np.zeros((TILE, TILE), dtype=np.int64)  # low[z & 7, a] = popcount(a & z)
    for zl in range(TILE):
        for a in range(TILE):
            low[zl, a] = _popcount(a & zl)
    for p in prange(parts):
        lo = p * tiles // parts
        hi = (p + 1) * tiles // parts
        buf = np.empty((d, 2 * TILE))
        for t in range(lo, hi):
            x0 = t * TILE
            for z in range(d):
                src = vec[x0 + (z << n):x0 + (z << n) + TILE]
                row = buf[z]
                kb = _popcount(x0 & z)
                lz = low[z & (TILE - 1)]
                for a in range(TILE):
                    k = (kb + lz[a]) & 3
                    row[a] = src[a] * sre[k]
                    row[TILE + a] = src[a] * sim[k]
            h = np.int64(1)
            while 2 * h < d:  # two stages at a time (radix 4)
                for b in range(0, d, 4 * h):
                    for z in range(b, b + h):
                        r0 = buf[z]
                        r1 = buf[z + h]
                        r2 = buf[z + 2 * h]
                        r3 = buf[z + 3 * h]
                        for a in range(2 * TILE):
                            u0 = r0[a] + r1[a]
                            u1 = r0[a] - r1[a]
                            u2 = r2[a] + r3[a]
                            u3 = r2[a] - r3[a]
                            r0[a] = u0 + u2
                            r1[a] = u1 + u3
                            r2[a] = u0 - u2
                            r3[a] = u1 - u3
                h *= 4
            if h < d:
                for z in range(0, h):
                    r0 = buf[z]
                    r1 = buf[z + h]
                    for a in range(2 * TILE):
                        u = r0[a]
                        w = r1[a]
                        r0[a] = u + w
                        r1[a] = u - w
            for j in range(d):
                base = (j << n) + ((j ^ x0) & ~(TILE - 1))
                r = buf[j]
                jl = j & (TILE - 1)
                for a in range(TILE):
                    out[base + (jl ^ a)] = complex(r[a] * scale, r[TILE + a] * scale)
