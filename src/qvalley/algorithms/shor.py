"""Shor's factoring: quantum order finding and its classical post-processing.

The order r of a modulo N (the least r with a^r = 1 mod N) is read by phase estimation of
the modular multiplication U|y> = |a y mod N>, built here as a permutation matrix on
ceil(log2 N) qubits and raised to the powers 2^j classically (the textbook circuit; a
device would use modular-arithmetic circuits instead); the measured phase s/r is turned
into r by continued fractions, and gcd(a^(r/2) +- 1, N) gives the factors.

>>> from qvalley.algorithms import factor
>>> sorted(factor(15, seed=1).factors)
[3, 5]
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

import qvalley as qv

from .fourier import inverse_qft


def _multiplier(a: int, N: int, m: int) -> np.ndarray:
    """|y> -> |a y mod N> for y < N, identity above (a permutation on 2^m states)."""
    d = 1 << m
    U = np.zeros((d, d))
    for y in range(d):
        U[(a * y) % N if y < N else y, y] = 1
    return U


@dataclass
class OrderFinding:
    circuit: qv.Circuit
    counts: dict
    order: int | None     # the order found (checked: a^r = 1 mod N), or None
    readings: list        # (measured value, phase fraction, candidate r) per outcome


def order_finding(a: int, N: int, shots: int = 200, seed: int | None = None,
                  counting_qubits: int | None = None) -> OrderFinding:
    """The order of ``a`` modulo ``N`` from one phase-estimation run of ``shots`` shots:
    each outcome's phase, expanded in continued fractions with denominators below N, gives
    a candidate r; the least candidate with a^r = 1 mod N is returned.

    >>> order_finding(2, 15, seed=1).order
    4
    """
    if math.gcd(a, N) != 1:
        raise qv.CircuitError(f"{a} and {N} share the factor {math.gcd(a, N)}: no order")
    m = max(1, math.ceil(math.log2(N)))
    t = counting_qubits or 2 * m
    c = qv.Circuit(t + m, t)
    c.x(t)                      # |1> in the work register
    c.h(range(t))
    for j in range(t):
        c.mc(_multiplier(pow(a, 1 << j, N), N, m), [j], list(range(t, t + m)))
    c.compose(inverse_qft(t), qubits=list(range(t)), inplace=True)
    c.measure(range(t), range(t))
    counts = qv.run(c, shots=shots, seed=seed).counts
    readings = []
    found = None
    for key, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
        value = int(key, 2)
        frac = Fraction(value, 1 << t).limit_denominator(N - 1)
        r = frac.denominator
        readings.append((value, frac, r))
        for k in range(1, N):   # a multiple of the denominator when s and r share factors
            rr = r * k
            if rr >= N:
                break
            if pow(a, rr, N) == 1 and (found is None or rr < found):
                found = rr
                break
    return OrderFinding(c, counts, found, readings)


@dataclass
class Factoring:
    N: int
    factors: tuple | None
    attempts: list = field(default_factory=list)   # (a, order, outcome) per try


def factor(N: int, seed: int | None = None, max_tries: int = 10, a: int | None = None
           ) -> Factoring:
    """Factor ``N`` (odd, not a prime power) by Shor's algorithm: pick a random a (or
    ``a`` first), find its order r quantumly, and if r is even and a^(r/2) != -1 mod N,
    gcd(a^(r/2) +- 1, N) are factors; otherwise try another a."""
    if N < 4 or N % 2 == 0:
        if N >= 4:
            return Factoring(N, (2, N // 2), [("even", None, "2 divides N")])
        raise qv.CircuitError(f"factor() takes a composite odd N >= 9, got {N}")
    for k in range(2, int(math.log2(N)) + 1):
        root = round(N ** (1 / k))
        if root ** k == N:
            return Factoring(N, (root, N // root), [("prime power", None, f"{root}^{k}")])
    rng = np.random.default_rng(seed)
    attempts = []
    first = a
    for _ in range(max_tries):
        a = first if first is not None else int(rng.integers(2, N - 1))
        first = None
        g = math.gcd(a, N)
        if g > 1:  # a lucky guess: no quantum step needed
            attempts.append((a, None, f"gcd({a}, {N}) = {g}"))
            return Factoring(N, tuple(sorted((g, N // g))), attempts)
        of = order_finding(a, N, seed=int(rng.integers(2 ** 31)))
        r = of.order
        if r is None or r % 2:
            attempts.append((a, r, "order odd or not found"))
            continue
        h = pow(a, r // 2, N)
        if h == N - 1:
            attempts.append((a, r, "a^(r/2) = -1 mod N"))
            continue
        p = math.gcd(h - 1, N)
        q = math.gcd(h + 1, N)
        for f in (p, q):
            if 1 < f < N:
                attempts.append((a, r, f"gcd({h} -+ 1, {N})"))
                return Factoring(N, tuple(sorted((f, N // f))), attempts)
        attempts.append((a, r, "trivial factors"))
    return Factoring(N, None, attempts)
