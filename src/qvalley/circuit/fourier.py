"""Every parameterised gate of the table as a short Fourier series in its parameters.

The matrix of a table gate is a trigonometric polynomial in its angles: ``rx(t)`` is
``cos(t/2) I - i sin(t/2) X``, ``u(θ, φ, λ)`` has eight terms, IonQ's ``gpi(φ)`` goes as
``e^{±2πiφ}`` (its angle is in turns). So ``M(v) = sum_t C_t exp(i f_t . v)`` with a few
frequency vectors ``f_t``: the matrix at any parameter values, and its derivatives
(``dM/dv_a = sum_t i f_ta C_t exp(i f_t . v)``), are a few multiply-adds, which is what
the sweep and gradient kernels compute per binding without any per-gate Python code.

The series is read off the gate table itself (one source of truth): the matrix is sampled
on a grid over one period of every parameter (4π for angles, 2 for turns: 8 points each,
enough for every frequency up to 3/2 of the base one), transformed by an FFT, and checked
against the table at random points to 1e-12. A gate whose matrix is not such a series
(none in the table today) gets no series, and callers build its matrix per value.

>>> import numpy as np
>>> s = gate_series("rx")
>>> np.allclose(s.matrices(np.array([[0.3]]))[0], GATES["rx"].matrix(0.3))
True
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .gates import GATES

SAMPLES = 8
PERIODS = (4 * math.pi, 2.0)  # angles (half-angle gates), turns (IonQ's phases)
CHECK_ATOL = 1e-12


@dataclass(frozen=True)
class Series:
    """``M(v) = sum_t coeffs[t] exp(i freqs[t] . v)`` for parameter vectors v."""

    freqs: np.ndarray    # (T, p) float
    coeffs: np.ndarray   # (T, d, d) complex

    @property
    def dim(self) -> int:
        return self.coeffs.shape[1]

    def matrices(self, values: np.ndarray) -> np.ndarray:
        """(B, d, d) matrices for ``values`` (B, p)."""
        phases = np.exp(1j * (values @ self.freqs.T))            # (B, T)
        flat = phases @ self.coeffs.reshape(len(self.freqs), -1)
        return flat.reshape(len(values), self.dim, self.dim)


def _fit(matrix_fn, periods: tuple[float, ...]) -> Series | None:
    p = len(periods)
    grid = [np.arange(SAMPLES) * (T / SAMPLES) for T in periods]
    first = np.asarray(matrix_fn(*[g[0] for g in grid]))
    d = first.shape[0]
    samples = np.empty((SAMPLES,) * p + (d, d), dtype=np.complex128)
    for idx in itertools.product(range(SAMPLES), repeat=p):
        samples[idx] = matrix_fn(*[grid[a][i] for a, i in enumerate(idx)])
    spectrum = np.fft.fftn(samples, axes=tuple(range(p))) / SAMPLES ** p
    freqs, coeffs = [], []
    for idx in itertools.product(range(SAMPLES), repeat=p):
        c = spectrum[idx]
        if np.max(np.abs(c)) <= 1e-14:
            continue
        ks = [i if i <= SAMPLES // 2 else i - SAMPLES for i in idx]
        freqs.append([2 * math.pi * k / T for k, T in zip(ks, periods)])
        coeffs.append(c)
    series = Series(np.array(freqs, dtype=np.float64).reshape(-1, p),
                    np.array(coeffs, dtype=np.complex128).reshape(-1, d, d))
    rng = np.random.default_rng(1)
    points = rng.uniform(-7.0, 7.0, size=(6, p))
    got = series.matrices(points)
    for v, m in zip(points, got):
        if np.max(np.abs(m - matrix_fn(*v))) > CHECK_ATOL:
            return None
    return series


@lru_cache(maxsize=None)
def gate_series(name: str) -> Series | None:
    """The series of table gate ``name`` (its own matrix, controls included as the table
    defines them), or None when it has no parameters or no such series."""
    spec = GATES[name]
    if not spec.num_params:
        return None
    for combo in itertools.product(PERIODS, repeat=spec.num_params):
        series = _fit(spec.matrix, combo)
        if series is not None:
            return series
    return None
