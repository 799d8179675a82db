"""Simulators behind one small interface: statevector(), probabilities(), run()."""
from .api import BACKENDS, probabilities, run, statevector
from .result import Result

__all__ = ["statevector", "probabilities", "run", "Result", "BACKENDS"]
