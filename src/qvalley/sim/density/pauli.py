"""The density matrix in the Pauli basis: a real vector, real transfer matrices.

Every n-qubit density matrix is ``rho = 2**-n sum_P c_P P`` over the 4**n Pauli strings,
with real coefficients ``c_P = Tr(P rho)``. The density-matrix engine holds the vector c,
``c[x + (z << n)]`` for the string whose qubit q is I, X, Z or Y as its bits
``(x_q, z_q)`` are (0, 0), (1, 0), (0, 1), (1, 1): qubit q is bit q and bit q + n, as in
the vectorised matrix ``v[i + (j << n)] = rho[i, j]``, so the planner's passes run on it
unchanged. A gate or channel on k qubits is its Pauli transfer matrix (PTM)
``R[s, t] = 2**-k Tr(P_s E(P_t))``, real, of size 4**k. Against the complex vectorised
matrix that halves the memory and quarters the arithmetic of a dense block; a Clifford
gate is a signed permutation and a depolarizing channel a diagonal, so a CZ or CX with its
depolarizing error is one multiply per entry (the sparse kernel of :mod:`..statevector.nb_pass`).

Reading out: the outcome probabilities are the Walsh-Hadamard transform of the 2**n
coefficients with no X or Y (:func:`probabilities`); an expectation value of a Pauli
string is one coefficient; the matrix itself is a per-qubit change of basis
(:func:`to_matrix`). The PTM and the Pauli expansion are standard (e.g. Greenbaum,
"Introduction to quantum gate set tomography", arXiv:1509.02921, section 2).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

_I = np.eye(2, dtype=np.complex128)
_X = np.array([[0, 1], [1, 0]], dtype=np.complex128)
_Z = np.array([[1, 0], [0, -1]], dtype=np.complex128)
_Y = np.array([[0, -1j], [1j, 0]], dtype=np.complex128)
_BY_BITS = {(0, 0): _I, (1, 0): _X, (0, 1): _Z, (1, 1): _Y}

CLEAN = 1e-14  # PTM entries this small are rounding (an exact 0 keeps kernels sparse)


@lru_cache(maxsize=8)
def basis(k: int) -> np.ndarray:
    """T (4**k x 4**k, complex): column t is the vectorised Pauli string t on k qubits
    (``t = x + (z << k)``; ``vec(M)[i + (j << k)] = M[i, j]``). ``T^dagger T = 2**k I``."""
    d = 1 << k
    out = np.empty((d * d, d * d), dtype=np.complex128)
    for t in range(d * d):
        x, z = t & (d - 1), t >> k
        m = np.eye(1, dtype=np.complex128)
        for q in range(k):  # qubit 0 is the low bit: rightmost in the Kronecker product
            m = np.kron(_BY_BITS[(x >> q) & 1, (z >> q) & 1], m)
        out[:, t] = m.T.ravel()
    return out


def from_superop(superop: np.ndarray) -> np.ndarray:
    """The PTM of a map given as its superoperator on vectorised matrices (rows, then
    columns, little-endian: ``Channel.superop()``)."""
    k = (superop.shape[0].bit_length() - 1) // 2
    t = basis(k)
    r = ((t.conj().T @ superop @ t) / (1 << k)).real
    r[np.abs(r) < CLEAN] = 0.0
    return np.ascontiguousarray(r)


def from_unitary(u: np.ndarray) -> np.ndarray:
    """The PTM of ``rho -> U rho U^dagger`` (orthogonal; a signed permutation when U is
    Clifford)."""
    return from_superop(np.kron(u.conj(), u))


def from_channel(channel) -> np.ndarray:
    """The PTM of a :class:`qvalley.noise.Channel`."""
    return from_superop(channel.superop())


def grow(vec: np.ndarray, k: int, size: int, zeros) -> np.ndarray:
    """The Pauli vector of k qubits tensored with |0><0| = (I + Z)/2 on qubits k..size-1:
    each new qubit's coefficient is the old one for I and Z, 0 for X and Y. ``zeros``
    allocates the result (``memory.zeros``)."""
    if size == k:
        return vec
    out = zeros(1 << (2 * size), vec.dtype)
    d, extra = 1 << k, 1 << (size - k)
    # index x + (z << size), x = x_low + (x_high << k), z likewise: axes (z_high, z_low,
    # x_high, x_low); the new qubits' x bits stay 0, their z bits take both values
    out.reshape(extra, d, extra, d)[:, :, 0, :] = vec.reshape(d, d)[None]
    return out


def walsh_hadamard(values: np.ndarray) -> np.ndarray:
    """``out[b] = sum_z values[z] (-1)**popcount(b & z)`` (length a power of two)."""
    a = np.array(values, dtype=np.float64)
    h = 1
    while h < a.size:
        v = a.reshape(-1, 2, h)
        lo = v[:, 0, :].copy()
        v[:, 0, :] += v[:, 1, :]
        v[:, 1, :] = lo - v[:, 1, :]
        h *= 2
    return a


def probabilities(vec: np.ndarray, n: int) -> np.ndarray:
    """P(basis state b) for b < 2**n: ``<b|rho|b> = 2**-n sum_z c_(0, z) (-1)**(b.z)``,
    from the 2**n coefficients of strings of I and Z only (x = 0: every 2**n-th entry)."""
    d = 1 << n
    return walsh_hadamard(vec[::d]) / d


# Pauli coefficients (I, X, Z, Y: t = x + 2z) of one qubit -> vectorised entries
# (rho00, rho10, rho01, rho11: s = i + 2j), the 1/2 of rho = (cI I + ...)/2 included
TO_MATRIX = np.array([[1, 0, 1, 0],
                      [0, 1, 0, 1j],
                      [0, 1, 0, -1j],
                      [1, 0, -1, 0]], dtype=np.complex128) / 2
FROM_MATRIX = np.ascontiguousarray(np.linalg.inv(TO_MATRIX))
