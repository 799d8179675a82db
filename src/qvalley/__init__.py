"""qvalley: write a quantum circuit once, simulate it exactly, compile it for IonQ and IBM.

>>> import qvalley as qv
>>> c = qv.Circuit(3)
>>> c = c.h(0).cx(0, 1).cx(1, 2).measure_all()
>>> res = qv.run(c, shots=1000, seed=7)
>>> sorted(res.counts)
['000', '111']
"""
from .circuit import Circuit, Instruction, Parameter, ParameterExpression, Register
from .errors import (BackendError, CircuitError, CompileError, NoiseError, QasmError,
                     QValleyError, ResourceError, TargetError)
from . import noise
from .noise import NoiseModel
from .observables import Observable
from .sim import (Estimate, Result, density_matrix, expectation, gradient, probabilities, run,
                  stabilizer_state, statevector)

__version__ = "0.1.0"


def load_qasm(source, *, include_path=None, max_loop_iterations=None):
    """Read an OpenQASM 2.0 or 3 program from a path or from source text; returns a
    Circuit (see :func:`qvalley.qasm.reader.load_qasm`)."""
    from .qasm import load_qasm as _load
    return _load(source, include_path=include_path, max_loop_iterations=max_loop_iterations)


def compile(circuit, target="ibm-heron-r2", *, optimization_level: int = 2, seed=None):
    """``circuit`` in ``target``'s native gates on its qubits (see
    :func:`qvalley.compile.compiler.compile`); the result carries ``.layout``."""
    from .compile.compiler import compile as _compile
    return _compile(circuit, target, optimization_level=optimization_level, seed=seed)


def targets():
    """The preset machines (IonQ Aria 1 and Forte 1, IBM Eagle r3 and Heron r2)."""
    from .targets import targets as _targets
    return _targets()


def get_target(target):
    """A preset target by name (see :func:`targets`), a target JSON file, or a Target."""
    from .targets import get_target as _get
    return _get(target)


def dump_qasm(circuit, version: int = 2) -> str:
    """Write ``circuit`` as OpenQASM text (``version`` 2 or 3)."""
    from .qasm import dump_qasm as _dump
    return _dump(circuit, version=version)


__all__ = ["Circuit", "Instruction", "Parameter", "ParameterExpression", "Register",
           "QValleyError", "CircuitError", "QasmError", "CompileError", "ResourceError",
           "BackendError", "TargetError", "NoiseError", "noise", "NoiseModel", "targets",
           "get_target", "compile", "statevector", "density_matrix", "probabilities", "run",
           "stabilizer_state", "Result", "load_qasm", "dump_qasm", "Observable",
           "expectation", "gradient", "Estimate", "__version__"]
