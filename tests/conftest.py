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
    return getattr(library, QISKIT_CLASS_NAMES[name])(*params)


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
