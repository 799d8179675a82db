"""Lesson 4: Grover's search.

To find one marked item among N, trying items one by one takes N/2 tries on average.
Grover's algorithm amplifies the marked item's amplitude: after about (pi/4) sqrt(N)
iterations of "oracle then diffuser" a measurement returns it with high probability.
The success probability after k iterations is sin^2((2k + 1) theta), sin(theta) = 1/sqrt(N).

Run it:  python docs/learn/en/04_grover.py
"""
import math

from qvalley.algorithms import grover, optimal_iterations

n = 5                                    # N = 32 items
marked = 0b10110
k = optimal_iterations(n)
print(f"N = {2 ** n}, optimal iterations = {k} (about pi/4 * sqrt(N) = "
      f"{math.pi / 4 * math.sqrt(2 ** n):.2f})")
for iterations in range(0, k + 3):
    r = grover(n, lambda x: x == marked, iterations=iterations, shots=10, seed=1)
    theta = math.asin(1 / math.sqrt(2 ** n))
    formula = math.sin((2 * iterations + 1) * theta) ** 2
    print(f"{iterations} iterations: P(success) = {r.success_probability:.4f} "
          f"(formula {formula:.4f})")
    assert abs(r.success_probability - formula) < 1e-9
best = grover(n, lambda x: x == marked, shots=1000, seed=2)
print("most frequent answer:", best.best, "= marked", format(marked, "05b"))
assert best.best == format(marked, "05b")
