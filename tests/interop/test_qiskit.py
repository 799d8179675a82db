"""The Qiskit bridge against Qiskit itself: circuits both ways compared as operators and
states (global phase included), the backend under Qiskit's own BackendSamplerV2 /
BackendEstimatorV2, and the native primitives against StatevectorSampler /
StatevectorEstimator on random circuits."""
from __future__ import annotations

import math

import numpy as np
import pytest

qiskit = pytest.importorskip("qiskit")
from qiskit import QuantumCircuit, transpile  # noqa: E402
from qiskit.circuit import ClassicalRegister, Parameter, QuantumRegister  # noqa: E402
from qiskit.circuit.library import get_standard_gate_name_mapping  # noqa: E402
from qiskit.circuit.random import random_circuit  # noqa: E402
from qiskit.primitives import (BackendEstimatorV2, BackendSamplerV2,  # noqa: E402
                               StatevectorEstimator, StatevectorSampler)
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector  # noqa: E402

import qvalley as qv  # noqa: E402
from qvalley.circuit.gates import GATES  # noqa: E402
from qvalley.interop.qiskit import (EstimatorV2, QValleyBackend, SamplerV2,  # noqa: E402
                                    from_qiskit, to_qiskit)

SHARED = sorted(n for n in get_standard_gate_name_mapping()
                if n in GATES and n not in ("measure", "reset", "delay", "global_phase"))


@pytest.mark.parametrize("name", SHARED)
def test_every_shared_gate_converts_to_the_same_operator(name):
    proto = get_standard_gate_name_mapping()[name]
    params = [0.31 * (k + 1) - 0.2 for k in range(len(proto.params))]
    gate = type(proto)(*params) if params else proto
    qc = QuantumCircuit(gate.num_qubits)
    qc.append(gate, list(range(gate.num_qubits))[::-1])   # reversed qubits: order matters
    ours = from_qiskit(qc)
    assert ours.data[0].name == name
    np.testing.assert_allclose(qv.statevector(ours), Statevector(qc).data, atol=1e-12)
    back = to_qiskit(ours)
    assert Operator(back).equiv(Operator(qc)) and np.allclose(Operator(back).data,
                                                              Operator(qc).data)


@pytest.mark.parametrize("seed", range(8))
def test_random_qiskit_circuits_give_the_same_state(seed):
    qc = random_circuit(5, 6, max_operands=3, seed=seed)
    qc.global_phase = 0.1 * seed
    ours = from_qiskit(qc)
    np.testing.assert_allclose(qv.statevector(ours), Statevector(qc).data, atol=1e-10)
    np.testing.assert_allclose(Statevector(to_qiskit(ours)).data, Statevector(qc).data,
                               atol=1e-10)


def test_parameters_expressions_registers_and_ionq_gates():
    a, b = Parameter("a"), Parameter("b")
    qc = QuantumCircuit(QuantumRegister(2, "r"), QuantumRegister(1, "s"),
                        ClassicalRegister(2, "m"))
    qc.rx(2 * a + 0.5, 0)
    qc.crz(b, 0, 2)
    qc.rzz(a * b, 1, 2)
    qc.ry(a.sin(), 1)
    qc.mcx([0, 1], 2, ctrl_state="01")
    ours = from_qiskit(qc)
    assert [r.name for r in ours.qregs] == ["r", "s"] and ours.cregs[0].name == "m"
    assert [p.name for p in ours.parameters] == ["a", "b"]
    bound_q = qc.assign_parameters({a: 0.7, b: -0.3})
    bound_o = ours.assign_parameters({"a": 0.7, "b": -0.3})
    np.testing.assert_allclose(qv.statevector(bound_o), Statevector(bound_q).data,
                               atol=1e-12)
    back = to_qiskit(ours)
    pa = {p.name: p for p in back.parameters}
    np.testing.assert_allclose(Statevector(back.assign_parameters(
        {pa["a"]: 0.7, pa["b"]: -0.3})).data, Statevector(bound_q).data, atol=1e-12)
    ionq = qv.Circuit(2).gpi(0.1, 0).gpi2(0.3, 1).ms(0.1, 0.2, 0.25, 0, 1).zz(0.3, 0, 1)
    np.testing.assert_allclose(Statevector(to_qiskit(ionq)).data, qv.statevector(ionq),
                               atol=1e-12)
    t = transpile(to_qiskit(ionq), basis_gates=["rz", "sx", "cx"])  # Qiskit can use them
    assert Operator(t).equiv(Operator(to_qiskit(ionq)))


def test_conditions_both_ways():
    qc = QuantumCircuit(QuantumRegister(3, "q"), ClassicalRegister(1, "a"),
                        ClassicalRegister(1, "b"), ClassicalRegister(1, "out"))
    qc.ry(1.1, 0)
    qc.h(1)
    qc.cx(1, 2)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure(0, 0)
    qc.measure(1, 1)
    with qc.if_test((qc.clbits[1], 1)):
        qc.x(2)
    with qc.if_test((qc.cregs[0], 1)):
        qc.z(2)
    qc.ry(-1.1, 2)
    qc.measure(2, 2)
    ours = from_qiskit(qc)
    res = qv.run(ours, shots=2000, seed=4)
    assert all(key[0] == "0" for key in res.counts)   # teleported state undone: out = 0
    back = to_qiskit(ours)
    counts = QValleyBackend().run(back, shots=500, seed_simulator=2).result().get_counts()
    assert all(key.split()[0] == "0" for key in counts)
    with pytest.raises(qv.CircuitError, match="else branch"):
        q2 = QuantumCircuit(1, 1)
        q2.measure(0, 0)
        with q2.if_test((q2.clbits[0], 1)) as orelse:
            q2.x(0)
        with orelse:
            q2.h(0)
        from_qiskit(q2)


def test_backend_runs_under_qiskits_backend_primitives():
    backend = QValleyBackend()
    qc = random_circuit(4, 5, max_operands=2, seed=3, measure=True)
    t = transpile(qc, backend, optimization_level=0)
    counts = backend.run(t, shots=4000, seed_simulator=1).result().get_counts()
    probs = Statevector(qc.remove_final_measurements(inplace=False)).probabilities_dict()
    for key, p in probs.items():
        got = counts.get(key.replace(" ", ""), 0) / 4000
        assert abs(got - p) <= 5 * math.sqrt(p * (1 - p) / 4000) + 1e-3, key
    res = backend.run(t, shots=10, seed_simulator=5, memory=True).result()
    assert len(res.get_memory()) == 10
    assert backend.run(t, shots=50, seed_simulator=5).result().get_counts() == \
        backend.run(t, shots=50, seed_simulator=5).result().get_counts()
    with pytest.raises(ValueError, match="unknown option"):
        backend.run(t, shot=10)
    sampler = BackendSamplerV2(backend=backend)
    qm = QuantumCircuit(2)
    qm.h(0)
    qm.cx(0, 1)
    qm.measure_all()
    got = sampler.run([qm], shots=300).result()[0].data.meas.get_counts()
    assert set(got) == {"00", "11"}
    a = Parameter("a")
    q2 = QuantumCircuit(2)
    q2.ry(a, 0)
    q2.cx(0, 1)
    op = SparsePauliOp.from_list([("ZZ", 1.0), ("XX", 0.5)])
    est = BackendEstimatorV2(backend=backend, options={"default_precision": 0.01})
    evs = est.run([(q2, op, [[0.3], [1.0]])]).result()[0].data.evs
    exact = StatevectorEstimator().run([(q2, op, [[0.3], [1.0]])]).result()[0].data.evs
    assert np.all(np.abs(evs - exact) < 0.06)


def _random_parametric(seed):
    rng = np.random.default_rng(seed)
    ps = [Parameter(f"t{k}") for k in range(4)]
    qc = QuantumCircuit(4)
    for _ in range(16):
        q = [int(x) for x in rng.choice(4, 2, replace=False)]
        r = rng.random()
        p = ps[int(rng.integers(4))]
        if r < 0.3:
            qc.ry(p, q[0])
        elif r < 0.5:
            qc.rz(2 * p, q[0])
        elif r < 0.7:
            qc.cx(q[0], q[1])
        elif r < 0.85:
            qc.crx(p, q[0], q[1])
        else:
            qc.h(q[0])
    return qc, ps


@pytest.mark.parametrize("seed", range(3))
def test_native_estimator_matches_qiskits_reference(seed):
    qc, ps = _random_parametric(seed)
    rng = np.random.default_rng(seed)
    obs = [[SparsePauliOp.from_list([("ZZII", 1.0), ("IXIY", -0.5)])],
           [SparsePauliOp.from_list([("XIIX", 0.3), ("IIIZ", 1.0)])]]        # (2, 1)
    values = rng.uniform(-3, 3, size=(1, 5, qc.num_parameters))          # (1, 5)
    ours = EstimatorV2().run([(qc, obs, values)]).result()[0].data
    ref = StatevectorEstimator().run([(qc, obs, values)]).result()[0].data
    assert ours.evs.shape == ref.evs.shape == (2, 5)
    np.testing.assert_allclose(ours.evs, ref.evs, atol=1e-10)
    assert np.all(ours.stds == 0)
    noisy = EstimatorV2(seed=1).run([(qc, obs, values)], precision=0.05).result()[0].data
    assert np.all(noisy.stds == 0.05) and np.max(np.abs(noisy.evs - ref.evs)) < 0.3
    shot = EstimatorV2(seed=2, options={"shots_per_precision": True}).run(
        [(qc, obs, values)], precision=0.02).result()[0].data
    assert np.all(np.abs(shot.evs - ref.evs) <= 5 * shot.stds + 1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_native_sampler_matches_qiskits_reference(seed):
    qc, ps = _random_parametric(seed)
    qc.measure_all()
    values = np.random.default_rng(seed).uniform(-3, 3, size=(3, qc.num_parameters))
    shots = 4000
    ours = SamplerV2(seed=seed).run([(qc, values)], shots=shots).result()[0].data.meas
    assert ours.shape == (3,) and ours.num_shots == shots and ours.num_bits == 4
    for k in range(3):
        bound = qc.assign_parameters(values[k]).remove_final_measurements(inplace=False)
        probs = Statevector(bound).probabilities_dict()
        counts = ours.get_counts(k)
        for key, p in probs.items():
            got = counts.get(key, 0) / shots
            assert abs(got - p) <= 5 * math.sqrt(p * (1 - p) / shots) + 1e-3, (k, key)
    ref = StatevectorSampler(seed=1).run([(qc, values)], shots=10).result()[0].data
    assert sorted(vars(ref)) == sorted(vars(
        SamplerV2().run([(qc, values)], shots=10).result()[0].data))  # same register names


def test_initialize_and_library_circuits_convert():
    from qiskit.circuit.library import QFTGate
    qc = QuantumCircuit(3)
    qc.initialize([0.6, 0, 0, 0.8j], [0, 2])
    qc.append(QFTGate(3), [0, 1, 2])
    qc.h(1)
    ours = from_qiskit(qc)
    np.testing.assert_allclose(qv.statevector(ours, seed=1), Statevector(qc).data,
                               atol=1e-10)


def test_global_phase_gates_keep_their_phase():
    from qiskit.circuit.library import GlobalPhaseGate
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.append(GlobalPhaseGate(0.7), [])
    np.testing.assert_allclose(qv.statevector(from_qiskit(qc)), Statevector(qc).data,
                               atol=1e-12)
