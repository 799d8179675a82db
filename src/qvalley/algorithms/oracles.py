"""Oracle algorithms: Deutsch-Jozsa, Bernstein-Vazirani and Simon, each with its oracle
built as a circuit from the problem's description.

>>> from qvalley.algorithms import deutsch_jozsa
>>> deutsch_jozsa(3, "balanced", seed=2).answer
'balanced'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import qvalley as qv


def _bits(text: str, what: str) -> str:
    if not isinstance(text, str) or not text or set(text) - {"0", "1"}:
        raise qv.CircuitError(f"{what} must be a string of 0s and 1s, got {text!r}")
    return text


@dataclass
class OracleResult:
    circuit: qv.Circuit
    counts: dict
    answer: str


def deutsch_jozsa(n: int, kind: str = "balanced", seed: int | None = None) -> OracleResult:
    """Decide with one query whether f: {0,1}^n -> {0,1} is constant or balanced. The
    oracle: constant (f = 0 or 1) or balanced (f(x) = a.x xor b for a random nonzero a).
    Reading all zeros means constant."""
    if kind not in ("constant", "balanced"):
        raise qv.CircuitError("kind is 'constant' or 'balanced'")
    rng = np.random.default_rng(seed)
    c = qv.Circuit(n + 1, n)
    c.x(n).h(range(n + 1))
    b = int(rng.integers(2))
    if kind == "balanced":
        a = int(rng.integers(1, 1 << n))
        for q in range(n):
            if (a >> q) & 1:
                c.cx(q, n)
    if b:
        c.x(n)
    c.h(range(n)).measure(range(n), range(n))
    counts = qv.run(c, shots=100, seed=seed).counts
    answer = "constant" if set(counts) == {"0" * n} else "balanced"
    return OracleResult(c, counts, answer)


@dataclass
class BernsteinVazirani(OracleResult):
    secret: str


def bernstein_vazirani(secret: str, seed: int | None = 1) -> BernsteinVazirani:
    """Find s from one query of f(x) = s.x mod 2 (``secret`` read as count keys are: the
    first character is the highest bit).

    >>> bernstein_vazirani("0110").counts
    {'0110': 32}
    """
    s = _bits(secret, "secret")
    n = len(s)
    c = qv.Circuit(n + 1, n)
    c.x(n).h(range(n + 1))
    for q in range(n):
        if s[n - 1 - q] == "1":
            c.cx(q, n)
    c.h(range(n)).measure(range(n), range(n))
    counts = qv.run(c, shots=32, seed=seed).counts
    found = max(counts, key=counts.get)
    return BernsteinVazirani(c, counts, found, found)


@dataclass
class Simon(OracleResult):
    equations: list[str]   # measured y with y.s = 0


def simon(secret: str, seed: int | None = 1, shots: int = 64) -> Simon:
    """Find s != 0 with f(x) = f(x xor s) (a 2-to-1 oracle built from s): each run gives
    a y with y.s = 0 mod 2; Gaussian elimination over GF(2) of enough ys gives s.

    >>> simon("110", seed=4).answer
    '110'
    """
    s = _bits(secret, "secret")
    n = len(s)
    sv = int(s, 2)
    if sv == 0:
        raise qv.CircuitError("Simon's secret must be nonzero")
    c = qv.Circuit(2 * n, n)
    c.h(range(n))
    for q in range(n):           # copy x into the output register
        c.cx(q, n + q)
    pivot = sv.bit_length() - 1  # f(x) = x xor (x_pivot * s): f(x) = f(x xor s)
    for q in range(n):
        if (sv >> q) & 1:
            c.cx(pivot, n + q)
    c.h(range(n)).measure(range(n), range(n))
    counts = qv.run(c, shots=shots, seed=seed).counts
    ys = [int(k, 2) for k in counts if int(k, 2)]
    found = _null_vector(ys, n)
    answer = format(found, f"0{n}b") if found else "?"
    return Simon(c, counts, answer, [format(y, f"0{n}b") for y in ys])


def _null_vector(rows: list[int], n: int) -> int:
    """The nonzero s with y.s = 0 for every y (when the ys span an (n-1)-dim space)."""
    basis: dict[int, int] = {}
    for y in rows:
        for bit in reversed(range(n)):
            if not (y >> bit) & 1:
                continue
            if bit in basis:
                y ^= basis[bit]
            else:
                basis[bit] = y
                break
    for s in range(1, 1 << n):
        if all(bin(y & s).count("1") % 2 == 0 for y in basis.values()):
            return s
    return 0
