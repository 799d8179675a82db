"""The PennyLane device against PennyLane's own default.qubit (an independent
simulator): states, measurements, shots, adjoint Jacobians, and a QNode trained to the
known ground energy of a small Hamiltonian."""
from __future__ import annotations

import math

import numpy as np
import pytest

qml = pytest.importorskip("pennylane")
from pennylane import numpy as pnp  # noqa: E402

from qvalley.interop.pennylane import GATE_MAP  # noqa: E402


def _apply(name, wires, params):
    getattr(qml, name)(*params, wires=wires)


def _random_ops(rng, n, count):
    ops = []
    names = sorted(GATE_MAP)
    for _ in range(count):
        name = names[int(rng.integers(len(names)))]
        op_class = getattr(qml, name)
        k = op_class.num_wires if isinstance(op_class.num_wires, int) else 1
        if k > n:
            continue
        wires = [int(w) for w in rng.choice(n, k, replace=False)]
        params = [float(x) for x in rng.uniform(-3, 3, GATE_MAP[name][1])]
        ops.append((name, wires, params))
    return ops


@pytest.mark.parametrize("seed", range(4))
def test_states_and_measurements_match_default_qubit(seed):
    rng = np.random.default_rng(seed)
    n = 4
    ops = _random_ops(rng, n, 30)
    m = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))[0]

    def circuit():
        for q in range(n):
            qml.Hadamard(q)
        for name, wires, params in ops:
            _apply(name, wires, params)
        qml.QubitUnitary(m, wires=[3, 1])
        qml.Rot(0.3, -0.7, 1.1, wires=2)          # decomposed by the device
        qml.MultiRZ(0.4, wires=[0, 2, 3])
        return (qml.state(), qml.probs(wires=[2, 0]),
                qml.expval(qml.PauliZ(0) @ qml.PauliY(3) + 0.3 * qml.PauliX(1)),
                qml.var(qml.PauliX(2)), qml.expval(qml.Hermitian(m, wires=[0, 1])))

    ours = qml.QNode(circuit, qml.device("qvalley.statevector", wires=n))()
    ref = qml.QNode(circuit, qml.device("default.qubit", wires=n))()
    for a, b in zip(ours, ref):
        np.testing.assert_allclose(a, b, atol=1e-10)


def test_wire_labels_and_shots():
    dev = qml.device("qvalley.statevector", wires=["a", "b", "c"], seed=3)

    @qml.set_shots(4000)
    @qml.qnode(dev)
    def ghz():
        qml.Hadamard("a")
        qml.CNOT(["a", "c"])
        qml.CNOT(["c", "b"])
        return qml.counts(), qml.expval(qml.PauliZ("a") @ qml.PauliZ("b"))

    counts, zz = ghz()
    assert set(counts) == {"000", "111"} and sum(counts.values()) == 4000
    assert abs(counts["000"] - 2000) < 5 * math.sqrt(1000)
    assert zz == 1.0


def test_adjoint_jacobians_match_default_qubit():
    rng = np.random.default_rng(7)
    n = 3
    x = pnp.array(rng.uniform(-2, 2, 6), requires_grad=True)

    def circuit(x):
        qml.RX(x[0], 0)
        qml.Rot(x[1], x[2], x[3], wires=1)
        qml.CNOT([0, 1])
        qml.CRY(x[4], wires=[1, 2])
        qml.IsingZZ(2 * x[5], wires=[0, 2])
        qml.U3(x[0], x[1], 0.3, wires=2)
        return (qml.expval(qml.PauliZ(0) @ qml.PauliX(2) + 0.5 * qml.PauliY(1)),
                qml.expval(qml.PauliX(1)))

    def stacked(device, **kw):
        node = qml.QNode(circuit, device, **kw)
        return lambda x: pnp.stack(node(x))

    ours = qml.jacobian(stacked(qml.device("qvalley.statevector", wires=n),
                                diff_method="adjoint"))(x)
    ref = qml.jacobian(stacked(qml.device("default.qubit", wires=n)))(x)
    np.testing.assert_allclose(ours, ref, atol=1e-10)
    shift = qml.jacobian(stacked(qml.device("qvalley.statevector", wires=n),
                                 diff_method="parameter-shift"))(x)
    np.testing.assert_allclose(shift, ref, atol=1e-10)


def test_a_qnode_trains_to_the_known_ground_energy():
    """H = Z0 Z1 + 0.5 X0 has ground energy -sqrt(1.25); a two-layer RY ansatz reaches it
    by gradient descent on adjoint gradients from the qvalley device."""
    dev = qml.device("qvalley.statevector", wires=2)
    H = qml.PauliZ(0) @ qml.PauliZ(1) + 0.5 * qml.PauliX(0)

    @qml.qnode(dev, diff_method="adjoint")
    def energy(w):
        qml.RY(w[0], 0)
        qml.RY(w[1], 1)
        qml.CNOT([0, 1])
        qml.RY(w[2], 0)
        qml.RY(w[3], 1)
        return qml.expval(H)

    w = pnp.array([0.1, 0.2, -0.1, 0.3], requires_grad=True)
    opt = qml.GradientDescentOptimizer(stepsize=0.3)
    for _ in range(200):
        w = opt.step(energy, w)
    assert abs(float(energy(w)) + math.sqrt(1.25)) < 1e-4
