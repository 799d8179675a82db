"""Weighted sums of Pauli strings, read and written as Qiskit's ``SparsePauliOp`` does.

A label lists one letter per qubit, the **first letter on the highest-numbered qubit**
(``"XI"`` is X on qubit 1, I on qubit 0), matching the little-endian convention of every
state and count key in qvalley. Coefficients are complex; an observable with real
coefficients is Hermitian and its expectation values are real.

Each term is kept as two bit masks, x (X or Y on the qubit) and z (Z or Y), so that a
simulator applies it to a state by index arithmetic, ``P|i> = phase * |i ^ x>``, without
ever building a 2**n x 2**n matrix.

>>> import qvalley as qv
>>> h = qv.Observable.from_list([("ZZ", 1.0), ("XI", 0.5)])
>>> (h + h).simplify().to_list()
[('ZZ', (2+0j)), ('XI', (1+0j))]
>>> qv.Observable({"Z": 2}) @ qv.Observable("X")      # tensor: "Z" on qubit 1
Observable([('ZX', (2+0j))])
"""
from __future__ import annotations

import numbers
from typing import Iterable, Mapping

import numpy as np

from ..errors import CircuitError

_LETTER_BITS = {"I": (0, 0), "X": (1, 0), "Y": (1, 1), "Z": (0, 1)}
_BITS_LETTER = {v: k for k, v in _LETTER_BITS.items()}
# (x, z) product table: P1 P2 = i**e P3 for single-qubit Paulis (I, X, Y, Z as (x, z))
_PRODUCT_PHASE = {
    ((1, 0), (1, 1)): 1, ((1, 1), (1, 0)): 3,   # XY = iZ, YX = -iZ
    ((1, 1), (0, 1)): 1, ((0, 1), (1, 1)): 3,   # YZ = iX, ZY = -iX
    ((0, 1), (1, 0)): 1, ((1, 0), (0, 1)): 3,   # ZX = iY, XZ = -iY
}
SIMPLIFY_ATOL = 1e-12


def _coefficient(value, label: str) -> complex:
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise CircuitError(f"the coefficient of {label!r} must be a number, got {value!r}")
    c = complex(value)
    if not (np.isfinite(c.real) and np.isfinite(c.imag)):
        raise CircuitError(f"the coefficient of {label!r} is {value!r}; coefficients must "
                           "be finite numbers")
    return c


def _label(label, num_qubits: int | None) -> str:
    if not isinstance(label, str):
        raise CircuitError(f"a Pauli label is a string such as 'XZI', got {label!r}")
    text = label.strip().upper()
    if not text:
        raise CircuitError("an empty Pauli label; write 'I' * n for the identity")
    bad = sorted({ch for ch in text if ch not in _LETTER_BITS})
    if bad:
        raise CircuitError(f"{label!r}: {', '.join(map(repr, bad))} is not one of I, X, Y, "
                           "Z (the first letter acts on the highest qubit, as in Qiskit)")
    if num_qubits is not None and len(text) != num_qubits:
        raise CircuitError(f"{label!r} has {len(text)} letters, the observable acts on "
                           f"{num_qubits} qubits; every label needs one letter per qubit")
    return text


def parity(values: np.ndarray) -> np.ndarray:
    """Parity of the set bits of each non-negative int64 (0 or 1)."""
    p = np.asarray(values, dtype=np.int64).copy()
    for shift in (32, 16, 8, 4, 2, 1):
        p ^= p >> shift
    return p & 1


class Observable:
    """A weighted sum of Pauli strings on ``num_qubits`` qubits.

    Build one from a label, a list of ``(label, coefficient)`` pairs, a dict
    ``{label: coefficient}``, or a sparse list ``(letters, qubits, coefficient)`` as
    Qiskit's ``SparsePauliOp.from_sparse_list``. Sums, differences, products with numbers,
    composition (``a.compose(b)``: the operator product ``a b``) and tensor products
    (``a @ b``: ``a`` on the higher qubits) give new observables; :meth:`simplify` merges
    equal labels and drops terms below 1e-12.
    """

    __slots__ = ("_terms", "num_qubits", "_masks")

    def __init__(self, data=None, num_qubits: int | None = None) -> None:
        self._masks = None  # (x, z, coefficient) arrays, made on first use
        if isinstance(data, Observable):
            self._terms = dict(data._terms)
            self.num_qubits = data.num_qubits
            return
        if isinstance(data, str):
            data = [(data, 1.0)]
        elif isinstance(data, Mapping):
            data = list(data.items())
        elif data is None:
            data = []
        elif isinstance(data, Iterable):
            data = list(data)
        else:
            raise CircuitError(f"an Observable is made from a label, a list of (label, "
                               f"coefficient) pairs or a dict, got {type(data).__name__}")
        terms: dict[str, complex] = {}
        n = num_qubits
        for item in data:
            if isinstance(item, str):
                item = (item, 1.0)
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise CircuitError(f"expected a (label, coefficient) pair, got {item!r}")
            label = _label(item[0], n)
            n = len(label)
            terms[label] = terms.get(label, 0j) + _coefficient(item[1], label)
        if n is None:
            raise CircuitError("an Observable needs at least one term, or num_qubits")
        self._terms = terms
        self.num_qubits = int(n)

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def from_list(cls, pairs, num_qubits: int | None = None) -> "Observable":
        """``[("ZZ", 1.0), ("XI", 0.5)]``: labels with their coefficients."""
        return cls(list(pairs), num_qubits)

    @classmethod
    def from_dict(cls, terms: Mapping, num_qubits: int | None = None) -> "Observable":
        return cls(dict(terms), num_qubits)

    @classmethod
    def from_sparse_list(cls, items, num_qubits: int) -> "Observable":
        """``[("ZZ", [0, 3], 1.0), ("X", [2], 0.5)]``: letters on the listed qubits."""
        pairs = []
        for item in items:
            try:
                letters, qubits, coef = item
            except (TypeError, ValueError):
                raise CircuitError(f"expected (letters, qubits, coefficient), got {item!r}") \
                    from None
            qubits = list(qubits)
            if len(letters) != len(qubits):
                raise CircuitError(f"{letters!r} names {len(letters)} Paulis for "
                                   f"{len(qubits)} qubits {qubits}")
            chars = ["I"] * num_qubits
            for ch, q in zip(letters, qubits):
                if not isinstance(q, numbers.Integral) or not 0 <= q < num_qubits:
                    raise CircuitError(f"qubit {q!r} is outside 0..{num_qubits - 1}")
                if chars[num_qubits - 1 - q] != "I":
                    raise CircuitError(f"qubit {q} appears twice in {item!r}")
                chars[num_qubits - 1 - q] = _label(ch, 1)
            pairs.append(("".join(chars), coef))
        return cls(pairs, num_qubits)

    @classmethod
    def identity(cls, num_qubits: int, coefficient: complex = 1.0) -> "Observable":
        return cls([("I" * num_qubits, coefficient)])

    # -- reading ----------------------------------------------------------------------
    def to_list(self) -> list[tuple[str, complex]]:
        return list(self._terms.items())

    @property
    def labels(self) -> list[str]:
        return list(self._terms)

    @property
    def coeffs(self) -> np.ndarray:
        return np.array(list(self._terms.values()), dtype=np.complex128)

    def __len__(self) -> int:
        return len(self._terms)

    def is_hermitian(self, atol: float = 1e-12) -> bool:
        """Whether every coefficient is real (the terms are Hermitian Pauli strings)."""
        return all(abs(c.imag) <= atol for c in self._terms.values())

    def masks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x, z, coefficient) arrays, one entry per term: bit q of x (z) is set where
        the term has X or Y (Z or Y) on qubit q; the coefficient includes the i of every
        Y, so that the term is ``coefficient * X^x Z^z`` with X^x acting after Z^z."""
        if self._masks is not None:
            return self._masks
        n = len(self._terms)
        xs = np.zeros(n, dtype=np.int64)
        zs = np.zeros(n, dtype=np.int64)
        cs = np.zeros(n, dtype=np.complex128)
        for t, (label, c) in enumerate(self._terms.items()):
            x = z = ny = 0
            for pos, ch in enumerate(label):
                q = self.num_qubits - 1 - pos
                bx, bz = _LETTER_BITS[ch]
                x |= bx << q
                z |= bz << q
                ny += bx & bz
            xs[t], zs[t] = x, z
            cs[t] = c * (1j) ** ny  # Y = i X Z
        self._masks = (xs, zs, cs)
        return self._masks

    def matrix(self) -> np.ndarray:
        """The dense 2**n x 2**n matrix (for checks on small observables)."""
        if self.num_qubits > 14:
            raise CircuitError(f"a dense matrix of {self.num_qubits} qubits is too large; "
                               "expectation values never need it")
        dim = 1 << self.num_qubits
        out = np.zeros((dim, dim), dtype=np.complex128)
        idx = np.arange(dim)
        for x, z, c in zip(*self.masks()):
            out[idx ^ x, idx] += c * (1 - 2 * parity(idx & z))
        return out

    # -- arithmetic -------------------------------------------------------------------
    def _check_same(self, other: "Observable") -> None:
        if other.num_qubits != self.num_qubits:
            raise CircuitError(f"observables on {self.num_qubits} and {other.num_qubits} "
                               "qubits cannot be added; use @ for a tensor product")

    def __add__(self, other):
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            other = Observable.identity(self.num_qubits, other)
        if not isinstance(other, Observable):
            return NotImplemented
        self._check_same(other)
        out = Observable(self)
        for label, c in other._terms.items():
            out._terms[label] = out._terms.get(label, 0j) + c
        return out

    __radd__ = __add__

    def __neg__(self) -> "Observable":
        return self * -1

    def __sub__(self, other):
        if isinstance(other, (Observable, numbers.Number)) and not isinstance(other, bool):
            return self + (-other)
        return NotImplemented

    def __rsub__(self, other):
        return (-self) + other

    def __mul__(self, other):
        if isinstance(other, bool) or not isinstance(other, numbers.Number):
            return NotImplemented
        factor = _coefficient(other, "a factor")
        out = Observable(self)
        out._terms = {k: v * factor for k, v in self._terms.items()}
        return out

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, bool) or not isinstance(other, numbers.Number) or other == 0:
            return NotImplemented
        return self * (1 / complex(other))

    def __matmul__(self, other):
        """Tensor product: ``self`` on the high qubits, ``other`` on the low ones (labels
        concatenate, as in Qiskit's ``^``)."""
        if not isinstance(other, Observable):
            return NotImplemented
        return Observable([(a + b, ca * cb) for a, ca in self._terms.items()
                           for b, cb in other._terms.items()])

    tensor = __matmul__

    def compose(self, other: "Observable") -> "Observable":
        """The operator product ``self * other`` (other acts first)."""
        self._check_same(other)
        terms: dict[str, complex] = {}
        for a, ca in self._terms.items():
            for b, cb in other._terms.items():
                phase = 0
                letters = []
                for pa, pb in zip(a, b):
                    ba, bb = _LETTER_BITS[pa], _LETTER_BITS[pb]
                    phase += _PRODUCT_PHASE.get((ba, bb), 0)
                    letters.append(_BITS_LETTER[(ba[0] ^ bb[0], ba[1] ^ bb[1])])
                label = "".join(letters)
                terms[label] = terms.get(label, 0j) + ca * cb * (1j) ** (phase % 4)
        return Observable(list(terms.items()), self.num_qubits)

    def adjoint(self) -> "Observable":
        out = Observable(self)
        out._terms = {k: v.conjugate() for k, v in self._terms.items()}
        return out

    def simplify(self, atol: float = SIMPLIFY_ATOL) -> "Observable":
        """Equal labels merged (they already are) and terms with |coefficient| <= atol
        dropped; the identity with coefficient 0 stands in for an empty sum."""
        kept = [(k, v) for k, v in self._terms.items() if abs(v) > atol]
        if not kept:
            kept = [("I" * self.num_qubits, 0j)]
        return Observable(kept, self.num_qubits)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Observable) or other.num_qubits != self.num_qubits:
            return NotImplemented if not isinstance(other, Observable) else False
        a, b = self.simplify()._terms, other.simplify()._terms
        return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= SIMPLIFY_ATOL for k in a)

    __hash__ = None  # mutable-looking value type: equal observables may differ in order

    def __repr__(self) -> str:
        return f"Observable({self.to_list()!r})"


def as_observable(value, num_qubits: int | None = None) -> Observable:
    """An Observable from what the API accepts: an Observable, a label, a list of pairs,
    a dict, or Qiskit's ``SparsePauliOp`` / ``Pauli``."""
    if isinstance(value, Observable):
        obs = value
    elif hasattr(value, "to_list") and type(value).__name__ == "SparsePauliOp":
        obs = Observable(value.to_list())
    elif type(value).__name__ == "Pauli" and hasattr(value, "to_label"):
        label = value.to_label()
        phase = {"": 1, "-": -1, "i": 1j, "-i": -1j}[label[:len(label) - value.num_qubits]]
        obs = Observable([(label[-value.num_qubits:], phase)])
    else:
        obs = Observable(value)
    if num_qubits is not None and obs.num_qubits != num_qubits:
        raise CircuitError(f"the observable acts on {obs.num_qubits} qubits, the circuit "
                           f"has {num_qubits}; give one letter per circuit qubit")
    return obs
