"""Shared helpers of the OpenQASM tests (a module with a unique name, imported directly)."""
from __future__ import annotations

import numpy as np

import qvalley as qv
from qvalley.circuit import GATES
from qvalley.circuit.gates import embed

HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def fidelity(a: np.ndarray, b: np.ndarray) -> float:
    """|<a|b>|^2 of two normalised states (1 when equal up to a global phase)."""
    return float(abs(np.vdot(a, b)) ** 2)


def assert_same_state(a, b, tol: float = 1e-10) -> None:
    sa = a if isinstance(a, np.ndarray) else qv.statevector(a)
    sb = b if isinstance(b, np.ndarray) else qv.statevector(b)
    assert sa.shape == sb.shape
    f = fidelity(sa, sb)
    assert f >= 1 - tol, f"fidelity {f}"


def qiskit_state(qc) -> np.ndarray:
    """Statevector of a Qiskit circuit (measurements removed), little-endian like ours."""
    from qiskit.quantum_info import Statevector
    qc = qc.remove_final_measurements(inplace=False)
    return np.asarray(Statevector.from_instruction(qc).data)


def random_table_circuit(rng: np.random.Generator, num_qubits: int, num_gates: int,
                         names=None) -> qv.Circuit:
    """A circuit of random gates drawn from the gate table (random parameters and qubits),
    after a layer of rotations so that the state is generic."""
    names = list(names if names is not None else GATES)
    c = qv.Circuit(num_qubits)
    for q in range(num_qubits):
        c.u(*rng.uniform(-np.pi, np.pi, 3), q)
    candidates = [n for n in names if GATES[n].num_qubits <= num_qubits]
    for _ in range(num_gates):
        spec = GATES[candidates[rng.integers(len(candidates))]]
        qubits = [int(q) for q in rng.permutation(num_qubits)[:spec.num_qubits]]
        params = [float(x) for x in rng.uniform(-2 * np.pi, 2 * np.pi, spec.num_params)]
        if spec.name == "u0":  # a number of idle periods: Qiskit accepts only integers
            params = [float(rng.integers(0, 4))]
        c.append(spec.name, qubits, params)
    return c


def unitary_of_steps(steps, num_qubits: int) -> np.ndarray:
    """Product of (table gate, params, qubits) steps as a matrix on num_qubits."""
    u = np.eye(1 << num_qubits, dtype=np.complex128)
    for name, params, qubits in steps:
        u = embed(GATES[name].matrix(*params), qubits, num_qubits) @ u
    return u
