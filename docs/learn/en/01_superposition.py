"""Lesson 1: superposition and measurement.

A qubit can be |0>, |1>, or a superposition a|0> + b|1> with |a|^2 + |b|^2 = 1.
Measuring it gives 0 with probability |a|^2 and 1 with probability |b|^2, and the
qubit is then left in the state it reported. The Hadamard gate H turns |0> into an
equal superposition, so a measurement becomes a fair coin.

Run it:  python docs/learn/en/01_superposition.py
"""
import numpy as np

import qvalley as qv

# One qubit, one Hadamard: the state is (|0> + |1>) / sqrt(2).
c = qv.Circuit(1).h(0)
print(c)
psi = qv.statevector(c)
print("amplitudes:", np.round(psi, 4))          # [0.7071, 0.7071]
assert np.allclose(psi, [2 ** -0.5, 2 ** -0.5])

# Measuring 1000 times: about half 0, half 1 (each shot is random).
res = qv.run(c.copy().measure_all(), shots=1000, seed=1)
print("counts:", res.counts)
assert abs(res.counts["0"] - 500) < 80

# A rotation RY(theta) sets the odds: P(1) = sin^2(theta / 2).
for theta in (0.0, np.pi / 3, np.pi / 2, np.pi):
    p1 = qv.probabilities(qv.Circuit(1).ry(theta, 0))[1]
    print(f"theta = {theta:.3f}: P(1) = {p1:.3f}, sin^2(theta/2) = {np.sin(theta / 2) ** 2:.3f}")
    assert abs(p1 - np.sin(theta / 2) ** 2) < 1e-12

# H twice is the identity: the superposition interferes back to |0>.
assert np.allclose(qv.statevector(qv.Circuit(1).h(0).h(0)), [1, 0])
print("H then H gives |0> again: interference, not randomness.")
