"""Textbook algorithms built from qvalley's public API only: each function returns the
circuits it runs and a result a learner can inspect.

>>> from qvalley import algorithms
>>> algorithms.bernstein_vazirani("1011").secret
'1011'
"""
from .fourier import inverse_qft, phase_estimation, qft
from .grover import grover, optimal_iterations
from .oracles import bernstein_vazirani, deutsch_jozsa, simon
from .protocols import superdense_coding, teleportation
from .shor import factor, order_finding
from .states import bell_state, ghz_state

__all__ = ["bell_state", "ghz_state", "teleportation", "superdense_coding",
           "deutsch_jozsa", "bernstein_vazirani", "simon", "grover", "optimal_iterations",
           "qft", "inverse_qft", "phase_estimation", "order_finding", "factor"]
