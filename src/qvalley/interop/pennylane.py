"""A PennyLane device on qvalley's state-vector engine (extra ``qvalley[pennylane]``).

``qml.device("qvalley.statevector", wires=n)`` (registered through PennyLane's
``pennylane.plugins`` entry point) runs a QNode's tapes on qvalley: the gates qvalley
shares with PennyLane map one to one (every other operation is decomposed into them by
the device's preprocessing), the final state comes from :func:`qvalley.statevector`, and
PennyLane's own measurement processes read it (``expval``, ``var``, ``probs``,
``state``, and with shots ``sample`` and ``counts``). Gradients: ``diff_method="adjoint"``
(or ``"best"``) computes the whole Jacobian of expectation values of Pauli sums by
qvalley's adjoint differentiation (:func:`qvalley.gradient`), one forward and one
backward pass per tape; ``parameter-shift`` and finite differences work as on any device.

PennyLane orders a state with its first wire most significant; the device maps wire k of
n to qvalley qubit n - 1 - k, so qvalley's amplitudes are PennyLane's, index for index.

>>> import pennylane as qml
>>> dev = qml.device("qvalley.statevector", wires=2)
>>> @qml.qnode(dev)
... def bell():
...     qml.Hadamard(0)
...     qml.CNOT([0, 1])
...     return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))
>>> round(float(bell()), 12)
1.0
"""
from __future__ import annotations

import cmath
from dataclasses import replace

import numpy as np
import pennylane as qml
from pennylane.devices import Device, ExecutionConfig
from pennylane.devices.preprocess import (decompose, validate_device_wires,
                                          validate_measurements)
from pennylane.devices.qubit import measure, measure_with_samples
from pennylane.measurements import ExpectationMP
from pennylane.transforms import broadcast_expand, defer_measurements

import qvalley

# PennyLane operation -> (qvalley gate, number of parameters); wires in PennyLane's order
# are the gate's qubits in qvalley's order (controls first, as both libraries write them)
GATE_MAP = {
    "Identity": ("id", 0), "PauliX": ("x", 0), "PauliY": ("y", 0), "PauliZ": ("z", 0),
    "Hadamard": ("h", 0), "S": ("s", 0), "T": ("t", 0), "SX": ("sx", 0),
    "CNOT": ("cx", 0), "CZ": ("cz", 0), "CY": ("cy", 0), "SWAP": ("swap", 0),
    "ISWAP": ("iswap", 0), "Toffoli": ("ccx", 0), "CSWAP": ("cswap", 0),
    "RX": ("rx", 1), "RY": ("ry", 1), "RZ": ("rz", 1), "PhaseShift": ("p", 1),
    "ControlledPhaseShift": ("cp", 1), "CRX": ("crx", 1), "CRY": ("cry", 1),
    "CRZ": ("crz", 1), "IsingXX": ("rxx", 1), "IsingYY": ("ryy", 1),
    "IsingZZ": ("rzz", 1), "U3": ("u", 3),
}
OTHER = {"QubitUnitary", "GlobalPhase"}


def _supported(op) -> bool:
    return op.name in GATE_MAP or op.name in OTHER


def _circuit(tape, wires, symbols: dict | None = None) -> qvalley.Circuit:
    """The tape's operations as a qvalley Circuit on ``wires`` (wire k -> qubit n-1-k);
    ``symbols`` maps tape parameter indices to qvalley Parameters (for gradients)."""
    n = len(wires)
    index = {w: n - 1 - k for k, w in enumerate(wires)}
    c = qvalley.Circuit(n)
    k = 0
    for op in tape.operations:
        qs = [index[w] for w in op.wires]
        values = []
        for d in op.data:
            values.append(symbols[k] if symbols is not None and k in symbols else d)
            k += 1
        if op.name in GATE_MAP:
            name, count = GATE_MAP[op.name]
            params = [v if isinstance(v, qvalley.ParameterExpression) else
                      float(np.real(qml.math.toarray(v))) for v in values[:count]]
            c.append(name, qs, params)
        elif op.name == "QubitUnitary":
            m = np.asarray(qml.math.toarray(op.data[0]), dtype=np.complex128)
            c.unitary(m, qs[::-1])          # PennyLane's first wire is the high bit
        elif op.name == "GlobalPhase":
            phase = float(np.real(qml.math.toarray(op.data[0])))
            c.unitary(cmath.exp(-1j * phase) * np.eye(2), [0])
        else:  # pragma: no cover - preprocessing decomposed everything else
            raise qml.DeviceError(f"{op.name} reached the qvalley device undecomposed")
    return c


def _pauli_observable(obs, wires) -> qvalley.Observable | None:
    """A PennyLane observable as a qvalley Pauli sum, or None when it is not one."""
    try:
        sentence = qml.pauli.pauli_sentence(obs)
    except (ValueError, TypeError, AttributeError, qml.operation.TermsUndefinedError):
        return None
    n = len(wires)
    pos = {w: k for k, w in enumerate(wires)}   # wire k is label position k (high first)
    terms = []
    for word, coeff in sentence.items():
        letters = ["I"] * n
        for w, letter in word.items():
            letters[pos[w]] = letter
        terms.append(("".join(letters), complex(qml.math.toarray(coeff))))
    return qvalley.Observable(terms, n) if terms else qvalley.Observable.identity(n, 0)


class QValleyDevice(Device):
    """``qvalley.statevector``: see the module docstring."""

    name = "qvalley.statevector"

    def __init__(self, wires=None, shots=None, seed=None):
        super().__init__(wires=wires, shots=shots)
        self._rng = np.random.default_rng(seed)

    # -- preprocessing ------------------------------------------------------------------
    def preprocess_transforms(self, execution_config: ExecutionConfig | None = None):
        program = qml.CompilePipeline()
        program.add_transform(validate_device_wires, wires=self.wires, name=self.name)
        program.add_transform(defer_measurements, allow_postselect=False)
        program.add_transform(decompose, stopping_condition=_supported,
                              skip_initial_state_prep=False, name=self.name)
        program.add_transform(validate_measurements, name=self.name)
        program.add_transform(broadcast_expand)
        return program

    def setup_execution_config(self, config: ExecutionConfig | None = None,
                               circuit=None) -> ExecutionConfig:
        config = config or ExecutionConfig()
        if config.gradient_method in ("best", "adjoint"):
            config = replace(config, gradient_method="adjoint", use_device_gradient=True,
                             grad_on_execution=False)
        return config

    # -- running ------------------------------------------------------------------------
    def _wire_order(self, tape):
        return self.wires if self.wires is not None else tape.wires

    def execute(self, circuits, execution_config: ExecutionConfig | None = None):
        if isinstance(circuits, qml.tape.QuantumScript):
            return self._run(circuits)
        return tuple(self._run(t) for t in circuits)

    def _run(self, tape):
        wires = self._wire_order(tape)
        n = len(wires)
        (tape,), _ = qml.map_wires(tape, {w: k for k, w in enumerate(wires)})  # k: axis k
        state = qvalley.statevector(_circuit(tape, range(n))) if n else \
            np.ones(1, dtype=np.complex128)
        state = state.reshape((2,) * n)
        if not tape.shots:
            res = tuple(measure(mp, state) for mp in tape.measurements)
        else:
            res = tuple(measure_with_samples(tape.measurements, state, tape.shots,
                                             rng=self._rng))
        return res[0] if len(res) == 1 else res

    # -- derivatives --------------------------------------------------------------------
    def supports_derivatives(self, execution_config: ExecutionConfig | None = None,
                             circuit=None) -> bool:
        if execution_config is None:
            return True
        if execution_config.gradient_method not in ("adjoint", "best"):
            return False
        if circuit is None:
            return True
        if circuit.shots:
            return False
        wires = self._wire_order(circuit)
        return all(isinstance(m, ExpectationMP) and m.obs is not None and
                   _pauli_observable(m.obs, wires) is not None and
                   qvalley.Observable(_pauli_observable(m.obs, wires)).is_hermitian()
                   for m in circuit.measurements)

    def compute_derivatives(self, circuits, execution_config: ExecutionConfig | None = None):
        if isinstance(circuits, qml.tape.QuantumScript):
            return self._jacobian(circuits)
        return tuple(self._jacobian(t) for t in circuits)

    def execute_and_compute_derivatives(self, circuits, execution_config=None):
        return self.execute(circuits, execution_config), \
            self.compute_derivatives(circuits, execution_config)

    def _jacobian(self, tape):
        wires = self._wire_order(tape)
        trainable = list(tape.trainable_params)
        num_op_params = sum(len(op.data) for op in tape.operations)
        if any(k >= num_op_params for k in trainable):
            raise qml.DeviceError("the qvalley device differentiates gate parameters only "
                                  "(not observable coefficients); use parameter-shift")
        symbols = {k: qvalley.Parameter(f"p{k:06d}") for k in trainable}
        circuit = _circuit(tape, wires, symbols)
        order = [f"p{k:06d}" for k in trainable]
        assert [p.name for p in circuit.parameters] == order
        values = np.array([float(np.real(qml.math.toarray(tape.get_parameters(
            trainable_only=False)[k]))) for k in trainable])
        jac = []
        for m in tape.measurements:
            obs = _pauli_observable(m.obs, wires)
            jac.append(np.asarray(qvalley.gradient(circuit, obs, values)) if trainable
                       else np.zeros(0))
        # PennyLane's layout: per measurement, a tuple with one entry per parameter (a
        # bare entry when there is one parameter); a bare measurement when there is one
        per = [tuple(np.array(x) for x in j) if len(trainable) != 1 else np.array(j[0])
               for j in jac]
        return per[0] if len(per) == 1 else tuple(per)
