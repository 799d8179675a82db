"""Quantum volume model circuits (Cross et al., Phys. Rev. A 100, 032328 (2019)).

A model circuit of width = depth = m: m layers, each a random permutation of the qubits
followed by a Haar-random SU(4) on each pair. The heavy outputs are those whose ideal
probability exceeds the median; a device passes at m when it returns heavy outputs
more than 2/3 of the time (the ideal value tends to (1 + ln 2)/2 ~ 0.85).

>>> from qvalley.algorithms import quantum_volume
>>> qv_run = quantum_volume(4, seed=3)
>>> qv_run.ideal_heavy_probability > 2 / 3
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import qvalley as qv


def _haar_su4(rng) -> np.ndarray:
    z = (rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    q = q * (np.diagonal(r) / np.abs(np.diagonal(r)))
    return q / np.linalg.det(q) ** 0.25


def model_circuit(width: int, seed: int | None = None) -> qv.Circuit:
    rng = np.random.default_rng(seed)
    c = qv.Circuit(width)
    for _ in range(width):
        perm = rng.permutation(width)
        for k in range(0, width - 1, 2):
            c.unitary(_haar_su4(rng), [int(perm[k]), int(perm[k + 1])])
    return c


@dataclass
class QuantumVolume:
    circuit: qv.Circuit
    heavy_outputs: set
    ideal_heavy_probability: float
    measured_heavy_fraction: float    # from shots (noise included when given)


def quantum_volume(width: int, shots: int = 1000, seed: int | None = None,
                   noise=None) -> QuantumVolume:
    """One model circuit of ``width``: its heavy outputs, their ideal probability, and the
    heavy fraction of ``shots`` samples. With ``noise`` a target name ("ibm-heron-r2",
    "ionq-forte-1", ...) the circuit is first compiled for that machine and run with its
    noise model, to see how the machine would fare."""
    c = model_circuit(width, seed)
    probs = qv.probabilities(c)
    median = np.median(probs)
    heavy = {format(int(x), f"0{width}b") for x in np.nonzero(probs > median)[0]}
    ideal = float(probs[probs > median].sum())
    run_circuit = c.copy().measure_all()
    if isinstance(noise, str):
        run_circuit = qv.compile(run_circuit, noise, seed=seed)
    res = qv.run(run_circuit, shots=shots, seed=seed, noise=noise)
    frac = sum(v for k, v in res.counts.items() if k in heavy) / shots
    return QuantumVolume(c, heavy, ideal, frac)
