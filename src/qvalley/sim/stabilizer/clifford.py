"""What a Clifford gate does to Pauli operators, read off its matrix.

The stabilizer simulator never keeps a list of gate rules: any gate of the table (or a
user unitary) whose matrix conjugates every Pauli string to a Pauli string is Clifford,
rotations by multiples of pi/2 included, and its action is derived here from the matrix,
the single source of truth. A Pauli on k qubits is written with 2k bits, ``x_j`` at
variable ``2j`` and ``z_j`` at ``2j + 1`` (qubit j of the gate), as the Hermitian
``P(x, z) = prod_j i**(x_j z_j) X**x_j Z**z_j`` (so x = z = 1 is Y). Conjugation is

    U P(v) U^dagger = (-1)**f(v) P(L v)

with L linear over GF(2) and f a Boolean function. :class:`CliffordMap` holds L as one
input mask per output variable and f in algebraic normal form (the monomials, each a mask
of variables ANDed together, XORed), which is what the bit-packed kernels evaluate.

>>> m = clifford_map(GATES["h"].matrix())
>>> m.out_masks, m.monomials   # x' = z, z' = x; Y -> -Y
((2, 1), (3,))
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ...circuit.gates import GATES  # noqa: F401  (doctest)

MAX_QUBITS = 4
TOL = 1e-9

_I = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Z = np.array([[1, 0], [0, -1]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_ONE = {(0, 0): _I, (1, 0): _X, (0, 1): _Z, (1, 1): _Y}


@dataclass(frozen=True)
class CliffordMap:
    """A Clifford gate's action on k-qubit Paulis (see the module docstring)."""

    num_qubits: int
    out_masks: tuple[int, ...]   # output variable o = XOR of the inputs in out_masks[o]
    monomials: tuple[int, ...]   # f = XOR over these of AND of their variables
    pauli: int                   # the gate is this Pauli (bits as above), or -1

    @property
    def is_pauli(self) -> bool:
        return self.pauli >= 0


def pauli_matrix(bits: int, k: int) -> np.ndarray:
    """P(v) on k qubits, little-endian (qubit 0 the least significant index bit)."""
    m = np.ones((1, 1), dtype=complex)
    for j in range(k):
        m = np.kron(_ONE[((bits >> (2 * j)) & 1, (bits >> (2 * j + 1)) & 1)], m)
    return m


@lru_cache(maxsize=8)
def _paulis(k: int) -> np.ndarray:
    return np.array([pauli_matrix(v, k) for v in range(4 ** k)])


def decompose_pauli(m: np.ndarray, k: int) -> tuple[int, complex] | None:
    """(v, c) with ``m = c P(v)``, or None when m is not a multiple of a Pauli string."""
    ps = _paulis(k)
    d = 1 << k
    coef = np.einsum("vij,ji->v", ps.conj().transpose(0, 2, 1), m) / d  # Tr(P^dag m) / d
    v = int(np.argmax(np.abs(coef)))
    c = complex(coef[v])
    if not np.allclose(m, c * ps[v], atol=TOL * d):
        return None
    return v, c


def _anf(truth: list[int]) -> tuple[int, ...]:
    """Algebraic normal form of a Boolean function given by its truth table."""
    a = list(truth)
    n = len(a)
    step = 1
    while step < n:
        for i in range(n):
            if i & step:
                a[i] ^= a[i ^ step]
        step <<= 1
    return tuple(i for i in range(n) if a[i])


def clifford_map(matrix: np.ndarray) -> CliffordMap | None:
    """The Clifford action of ``matrix`` (2**k square, k <= MAX_QUBITS), or None when it
    is not a Clifford unitary (some Pauli is not conjugated to a Pauli string)."""
    m = np.asarray(matrix, dtype=complex)
    d = m.shape[0]
    k = d.bit_length() - 1
    if k > MAX_QUBITS or m.shape != (d, d) or d != 1 << k:
        return None
    return _cached(np.round(m, 12).tobytes(), k, m.copy())


_CACHE: dict[tuple[bytes, int], CliffordMap | None] = {}


def _cached(key: bytes, k: int, m: np.ndarray) -> CliffordMap | None:
    hit = _CACHE.get((key, k), False)
    if hit is not False:
        return hit
    result = _derive(m, k)
    if len(_CACHE) > 4096:
        _CACHE.clear()
    _CACHE[(key, k)] = result
    return result


def _derive(u: np.ndarray, k: int) -> CliffordMap | None:
    ps = _paulis(k)
    images: list[int] = []
    signs: list[int] = []
    for v in range(4 ** k):
        found = decompose_pauli(u @ ps[v] @ u.conj().T, k)
        if found is None:
            return None
        w, c = found
        if abs(c.imag) > TOL or abs(abs(c.real) - 1) > TOL:
            return None
        images.append(w)
        signs.append(1 if c.real < 0 else 0)
    # L is linear: read it off the images of single variables, then check every input
    out_masks = []
    for o in range(2 * k):
        mask = 0
        for var in range(2 * k):
            if (images[1 << var] >> o) & 1:
                mask |= 1 << var
        out_masks.append(mask)
    for v in range(4 ** k):
        w = 0
        for o, mask in enumerate(out_masks):
            w |= (bin(v & mask).count("1") & 1) << o
        if w != images[v]:
            return None  # cannot happen for a unitary; refuse rather than guess
    monomials = _anf(signs)
    pauli = -1
    if all(mask == 1 << o for o, mask in enumerate(out_masks)) and \
            all(bin(mono).count("1") == 1 for mono in monomials):
        # P_g Q P_g = (-1)**<g, Q> Q: f's linear terms are g with x and z exchanged
        pauli = 0
        for mono in monomials:
            var = mono.bit_length() - 1
            pauli |= 1 << (var ^ 1)
    return CliffordMap(k, tuple(out_masks), monomials, pauli)


def pauli_channel(channel) -> np.ndarray | None:
    """The probabilities of P(v), v < 4**k, when ``channel`` is a mixture of Pauli
    strings (depolarizing, bit and phase flips, pauli()), else None. A channel is one
    exactly when its process matrix in the Pauli basis is diagonal."""
    k = channel.num_qubits
    if k > MAX_QUBITS:
        return None
    ps = _paulis(k)
    d = 1 << k
    coeffs = np.array([[np.trace(p.conj().T @ kr) / d for p in ps] for kr in channel.kraus])
    chi = coeffs.T @ coeffs.conj()  # chi[P, Q] = sum_k a_kP conj(a_kQ)
    probs = np.real(np.diagonal(chi))
    if np.max(np.abs(chi - np.diag(np.diagonal(chi)))) > 1e-10:
        return None
    probs = np.clip(probs, 0.0, None)
    return probs / probs.sum()
