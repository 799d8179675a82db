"""Noise: channels (Kraus operators, checked CPTP), readout errors and noise models.

>>> import qvalley as qv
>>> model = qv.NoiseModel.from_target("ionq-forte-1")
>>> ch = qv.noise.thermal_relaxation(t1=100e-6, t2=80e-6, time=50e-9)
"""
from .channels import (Channel, ReadoutError, amplitude_damping, depolarizing, kraus,
                       pauli, pauli_twirl, phase_damping, readout, reset_error,
                       thermal_relaxation)
from .model import NoiseModel

__all__ = ["Channel", "ReadoutError", "NoiseModel", "amplitude_damping", "depolarizing",
           "kraus", "pauli", "pauli_twirl", "phase_damping", "readout", "reset_error",
           "thermal_relaxation"]
