"""Textbook algorithms built from qvalley's public API only: each function returns the
circuits it runs and a result a learner can inspect.

>>> from qvalley import algorithms
>>> algorithms.bernstein_vazirani("1011").secret
'1011'
"""
from .chemistry import h2_hamiltonian, vqe_h2
from .fourier import inverse_qft, phase_estimation, qft
from .grover import grover, optimal_iterations
from .oracles import bernstein_vazirani, deutsch_jozsa, simon
from .protocols import superdense_coding, teleportation
from .qaoa import qaoa_maxcut
from .shor import factor, order_finding
from .states import bell_state, ghz_state
from .volume import quantum_volume

__all__ = ["bell_state", "ghz_state", "teleportation", "superdense_coding",
           "deutsch_jozsa", "bernstein_vazirani", "simon", "grover", "optimal_iterations",
           "qft", "inverse_qft", "phase_estimation", "order_finding", "factor",
           "h2_hamiltonian", "vqe_h2", "qaoa_maxcut", "quantum_volume"]
