"""The quantum Fourier transform and phase estimation.

``qft(n)`` maps |x> to sum_y e^{2 pi i x y / 2^n} |y> / sqrt(2^n) with qubit 0 the least
significant bit of both x and y (swaps included), so ``qv.statevector`` of it is the
discrete Fourier transform's column: tests compare with numpy's ``ifft``.

>>> import numpy as np, qvalley as qv
>>> from qvalley.algorithms import qft
>>> psi = qv.statevector(qv.Circuit(3).x(0).compose(qft(3)))
>>> bool(np.allclose(psi, np.exp(2j * np.pi * np.arange(8) / 8) / np.sqrt(8)))
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import qvalley as qv


def qft(num_qubits: int, swaps: bool = True) -> qv.Circuit:
    """The QFT on ``num_qubits`` qubits (see the module docstring)."""
    n = num_qubits
    c = qv.Circuit(n)
    for j in reversed(range(n)):
        c.h(j)
        for k in reversed(range(j)):
            c.cp(math.pi / (1 << (j - k)), k, j)
    if swaps:
        for q in range(n // 2):
            c.swap(q, n - 1 - q)
    return c


def inverse_qft(num_qubits: int, swaps: bool = True) -> qv.Circuit:
    return qft(num_qubits, swaps).inverse()


@dataclass
class PhaseEstimate:
    circuit: qv.Circuit
    counts: dict
    phase: float          # the most frequent reading / 2^t
    bits: int


def phase_estimation(unitary: np.ndarray, eigenstate: qv.Circuit | None, bits: int,
                     shots: int = 1000, seed: int | None = None) -> PhaseEstimate:
    """Estimate phi in U|u> = e^{2 pi i phi}|u> to ``bits`` bits: counting qubits
    0..bits-1 in superposition control U^(2^j) on the target register (prepared by
    ``eigenstate``, |0...0> if None), then the inverse QFT and a measurement.

    >>> import numpy as np, qvalley as qv
    >>> phase_estimation(np.diag([1, 1j]), qv.Circuit(1).x(0), bits=3, seed=1).phase
    0.25
    """
    U = np.asarray(unitary, dtype=np.complex128)
    m = int(round(math.log2(U.shape[0])))
    t = bits
    c = qv.Circuit(t + m, t)
    if eigenstate is not None:
        c.compose(eigenstate, qubits=list(range(t, t + m)), inplace=True)
    c.h(range(t))
    power = U
    for j in range(t):
        c.mc(power, [j], list(range(t, t + m)))
        power = power @ power
    c.compose(inverse_qft(t), qubits=list(range(t)), inplace=True)
    c.measure(range(t), range(t))
    counts = qv.run(c, shots=shots, seed=seed).counts
    best = max(counts, key=counts.get)
    return PhaseEstimate(c, counts, int(best, 2) / (1 << t), t)
