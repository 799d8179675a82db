"""Lesson 5: the quantum Fourier transform and phase estimation.

The QFT is the discrete Fourier transform applied to a state's amplitudes, built from
Hadamards and controlled phases: n qubits need O(n^2) gates instead of O(n 2^n)
operations classically. Phase estimation uses it to read the phase phi of an
eigenvalue e^{2 pi i phi} of a unitary into a register of counting qubits.

Run it:  python docs/learn/en/05_qft_phase_estimation.py
"""
import numpy as np

import qvalley as qv
from qvalley.algorithms import phase_estimation, qft

n = 3
print(qft(n))
rng = np.random.default_rng(0)
psi = rng.normal(size=8) + 1j * rng.normal(size=8)
psi /= np.linalg.norm(psi)
out = qv.statevector(qft(n), initial_state=psi)
assert np.allclose(out, np.fft.ifft(psi) * np.sqrt(8))
print("the QFT of a random state equals numpy's inverse FFT (scaled): checked")

# Phase estimation of the T gate's phase on |1>: e^{i pi/4} = e^{2 pi i * 1/8}.
T = np.diag([1, np.exp(1j * np.pi / 4)])
r = phase_estimation(T, qv.Circuit(1).x(0), bits=3, seed=1)
print("counts:", r.counts, "-> phase", r.phase)
assert r.phase == 1 / 8
# A phase that needs more bits: 0.3125 = 5/16 read exactly with 4 bits.
r = phase_estimation(np.diag([1, np.exp(2j * np.pi * 0.3125)]), qv.Circuit(1).x(0), 4)
print("phase 0.3125 read as", r.phase)
assert r.phase == 0.3125
