"""Simulators behind one small interface: statevector(), density_matrix(),
probabilities(), run()."""
from .api import BACKENDS, density_matrix, probabilities, run, stabilizer_state, statevector
from .expectation import Estimate, expectation
from .gradients import gradient
from .result import Result

__all__ = ["statevector", "density_matrix", "probabilities", "run", "stabilizer_state",
           "expectation", "gradient", "Estimate", "Result", "BACKENDS"]
