"""Lesson 6: Shor's algorithm factors 15 and 21.

Factoring N reduces to finding the order r of a random a modulo N (the least r with
a^r = 1 mod N). A quantum computer finds r by phase estimation of "multiply by a mod N",
whose eigenvalues have phases s/r; continued fractions turn a measured phase into r,
and if r is even, gcd(a^(r/2) +- 1, N) are factors of N.

Run it:  python docs/learn/en/06_shor.py
"""
from qvalley.algorithms import factor, order_finding

of = order_finding(7, 15, seed=3)
print("order finding for a = 7, N = 15; the most frequent readings:")
for value, fraction, r in of.readings[:4]:
    print(f"  measured {value:>3} -> phase {fraction} -> candidate order {r}")
print("order of 7 mod 15:", of.order)
assert of.order == 4 and pow(7, 4, 15) == 1

for N, a in ((15, 7), (21, 2)):
    result = factor(N, a=a, seed=1)
    print(f"N = {N}: factors {result.factors}; steps: {result.attempts}")
    p, q = result.factors
    assert p * q == N and 1 < p < N
