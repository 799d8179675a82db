"""The OpenQASM programs in examples/: valid OpenQASM 2.0 for Qiskit as well as for
qvalley, and both read them as the same circuit."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qvalley as qv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOOD = sorted(p.name for p in EXAMPLES.glob("*.qasm") if p.name != "bad.qasm")


def test_the_examples_the_readme_and_issue_name_exist():
    for name in ("ghz.qasm", "bell.qasm", "teleport.qasm", "qft4.qasm", "grover2.qasm",
                 "adder.qasm", "ansatz.qasm", "bad.qasm"):
        assert (EXAMPLES / name).is_file(), name


@pytest.mark.parametrize("name", GOOD)
def test_example_loads_in_qiskit(name):
    qasm2 = pytest.importorskip("qiskit.qasm2")
    circuit = qasm2.loads((EXAMPLES / name).read_text())
    assert circuit.num_qubits == qv.load_qasm(EXAMPLES / name).num_qubits


def test_bad_example_is_rejected_by_qiskit_too():
    qasm2 = pytest.importorskip("qiskit.qasm2")
    with pytest.raises(qasm2.QASM2ParseError, match="'cs'"):
        qasm2.loads((EXAMPLES / "bad.qasm").read_text())


@pytest.mark.parametrize("name", [n for n in GOOD if n != "teleport.qasm"])
def test_example_state_matches_qiskit(name):
    """Same state as Qiskit's reading of the file (measurements removed), up to a global
    phase, which OpenQASM 2 leaves undefined."""
    pytest.importorskip("qiskit")
    from qiskit import qasm2
    from qiskit.quantum_info import Statevector
    theirs = qasm2.loads((EXAMPLES / name).read_text())
    theirs.remove_final_measurements(inplace=True)
    expected = Statevector(theirs).data
    ours = qv.statevector(qv.load_qasm(EXAMPLES / name))
    assert abs(np.vdot(expected, ours)) == pytest.approx(1.0, abs=1e-10)
