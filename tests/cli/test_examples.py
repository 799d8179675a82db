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


def _width(name):
    return qv.load_qasm(EXAMPLES / name).num_qubits


@pytest.mark.parametrize("name", [n for n in GOOD if n != "teleport.qasm" and _width(n) <= 20])
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


@pytest.mark.parametrize("name", [n for n in GOOD if _width(n) > 20])
def test_wide_example_stabilizers_match_qiskit(name):
    """Examples too wide for a state vector are Clifford: our stabilizer generators have
    expectation +1 on Qiskit's stabilizer state of the same file, and Qiskit's on ours."""
    pytest.importorskip("qiskit")
    from qiskit import qasm2
    from qiskit.quantum_info import Pauli, StabilizerState
    theirs = qasm2.loads((EXAMPLES / name).read_text())
    theirs.remove_final_measurements(inplace=True)
    their_state = StabilizerState(theirs)
    ours = qv.stabilizer_state(qv.load_qasm(EXAMPLES / name))
    rng = np.random.default_rng(5)
    our_gens = ours.stabilizers()
    for k in rng.choice(len(our_gens), 12, replace=False):
        label = our_gens[k]
        sign = -1.0 if label[0] == "-" else 1.0
        # both label the first character as the highest qubit
        assert sign * their_state.expectation_value(Pauli(label[1:])) == 1.0, label
    their_gens = their_state.clifford.to_labels(mode="S")
    for k in rng.choice(len(their_gens), 12, replace=False):
        label = their_gens[k]
        sign = -1.0 if label[0] == "-" else 1.0
        assert sign * ours.expectation(label.lstrip("+-")) == 1.0, label
