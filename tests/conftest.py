"""Shared fixtures for the qvalley test suite.

Qiskit is a test-only oracle: it is imported lazily inside the fixtures, so tests that do
not use it (and the other test folders) do not pay for the import.
"""
from __future__ import annotations

import pytest

# qvalley gate name -> name of the qiskit.circuit.library class with the same semantics
# (parameters in the same order). ``u0`` has no Qiskit class: it is the identity.
QISKIT_CLASS_NAMES = {
    "id": "IGate", "x": "XGate", "y": "YGate", "z": "ZGate", "h": "HGate",
    "s": "SGate", "sdg": "SdgGate", "t": "TGate", "tdg": "TdgGate",
    "sx": "SXGate", "sxdg": "SXdgGate",
    "rx": "RXGate", "ry": "RYGate", "rz": "RZGate", "p": "PhaseGate",
    "u1": "U1Gate", "u2": "U2Gate", "u3": "U3Gate", "u": "UGate", "r": "RGate",
    "cx": "CXGate", "cy": "CYGate", "cz": "CZGate", "ch": "CHGate",
    "cs": "CSGate", "csdg": "CSdgGate", "csx": "CSXGate",
    "crx": "CRXGate", "cry": "CRYGate", "crz": "CRZGate",
    "cp": "CPhaseGate", "cu1": "CU1Gate", "cu3": "CU3Gate", "cu": "CUGate",
    "swap": "SwapGate", "iswap": "iSwapGate", "dcx": "DCXGate", "ecr": "ECRGate",
    "rxx": "RXXGate", "ryy": "RYYGate", "rzz": "RZZGate", "rzx": "RZXGate",
    "xx_plus_yy": "XXPlusYYGate", "xx_minus_yy": "XXMinusYYGate",
    "ccx": "CCXGate", "ccz": "CCZGate", "cswap": "CSwapGate", "rccx": "RCCXGate",
    "c3x": "C3XGate", "c3sx": "C3SXGate", "rc3x": "RC3XGate", "c4x": "C4XGate",
}


def make_qiskit_gate(name: str, params=()):
    """The qiskit gate object equivalent to qvalley's gate ``name`` with ``params``."""
    from qiskit.circuit import library

    params = [float(p) for p in params]
    if name == "u0":
        return library.IGate()
    if name in IONQ_NATIVE:
        return _ionq_gate(name, params)
    return getattr(library, QISKIT_CLASS_NAMES[name])(*params)


# IonQ's native gates have no class in Qiskit itself (they live in qiskit-ionq): the oracle
# is a Qiskit circuit of Qiskit's own gates, as qiskit-ionq defines them (ionq_gates.py),
# angles in turns.
IONQ_NATIVE = ("gpi", "gpi2", "ms", "zz")


def _ionq_gate(name: str, params):
    import math

    from qiskit.circuit import QuantumCircuit
    tau = 2 * math.pi
    if name in ("gpi", "gpi2"):
        (phi,) = params
        qc = QuantumCircuit(1, name=name)
        qc.rz(-tau * phi, 0)
        if name == "gpi":
            qc.x(0)
        else:
            qc.rx(math.pi / 2, 0)
        qc.rz(tau * phi, 0)
    elif name == "ms":
        p0, p1, theta = params
        qc = QuantumCircuit(2, name=name)
        qc.rz(-tau * p0, 0)
        qc.rz(-tau * p1, 1)
        qc.rxx(tau * theta, 0, 1)
        qc.rz(tau * p0, 0)
        qc.rz(tau * p1, 1)
    else:
        qc = QuantumCircuit(2, name=name)
        qc.rzz(tau * params[0], 0, 1)
    return qc.to_gate()


@pytest.fixture(scope="session")
def qiskit_gate():
    """``qiskit_gate(name, params)`` -> the equivalent qiskit Gate (skips without qiskit)."""
    pytest.importorskip("qiskit")
    return make_qiskit_gate


@pytest.fixture(scope="session")
def aer_statevector_simulator():
    pytest.importorskip("qiskit_aer")
    from qiskit_aer import AerSimulator
    return AerSimulator(method="statevector")
