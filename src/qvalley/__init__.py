"""qvalley: write a quantum circuit once, simulate it exactly, compile it for IonQ and IBM.

>>> import qvalley as qv
>>> c = qv.Circuit(3)
>>> c = c.h(0).cx(0, 1).cx(1, 2).measure_all()
>>> res = qv.run(c, shots=1000, seed=7)
>>> sorted(res.counts)
['000', '111']
"""
from .circuit import Circuit, Instruction, Parameter, ParameterExpression, Register
from .errors import (BackendError, CircuitError, CompileError, QasmError, QValleyError,
                     ResourceError)
from .sim import Result, probabilities, run, statevector

__version__ = "0.1.0"


def load_qasm(source, *, include_path=None):
    """Read an OpenQASM 2.0 program from a path or from source text; returns a Circuit."""
    from .qasm import load_qasm as _load
    return _load(source, include_path=include_path)


def dump_qasm(circuit, version: int = 2) -> str:
    """Write ``circuit`` as OpenQASM text (``version`` 2 or 3)."""
    from .qasm import dump_qasm as _dump
    return _dump(circuit, version=version)


__all__ = ["Circuit", "Instruction", "Parameter", "ParameterExpression", "Register",
           "QValleyError", "CircuitError", "QasmError", "CompileError", "ResourceError",
           "BackendError", "statevector", "probabilities", "run", "Result", "load_qasm",
           "dump_qasm", "__version__"]
