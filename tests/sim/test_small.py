"""The small-circuit runner (one numba call per circuit) against independent references.

The reference is plain numpy written here: each instruction's full matrix (from
``Instruction.full_matrix``, controls and control values included) is applied to the
state by index arithmetic (:func:`apply_reference`, checked against ``np.kron``). Circuits
are random over every gate of the table, with ``ctrl @``-style controls and control
values, user unitaries, barriers and final measurements, on 3 to 11 qubits (every qubit
position, so the low-bit and the vectorised paths of each kernel both run).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

numba = pytest.importorskip("numba")

import qvalley as qv  # noqa: E402
from qvalley.circuit import Parameter  # noqa: E402
from qvalley.circuit.gates import GATES  # noqa: E402
from qvalley.sim.statevector import engine, small  # noqa: E402

SEED = 77
ATOL = 1e-12


def apply_reference(state: np.ndarray, matrix: np.ndarray, qubits) -> np.ndarray:
    """``matrix`` (little-endian in ``qubits``) applied to ``state`` by gathering."""
    n = int(math.log2(state.size))
    k = len(qubits)
    x = np.arange(state.size)
    local = np.zeros(state.size, dtype=np.int64)
    for j, q in enumerate(qubits):
        local |= ((x >> q) & 1) << j
    rest = x & ~sum(1 << q for q in qubits)
    out = np.zeros_like(state)
    for r in range(1 << k):
        y = rest.copy()
        for j, q in enumerate(qubits):
            y |= ((r >> j) & 1) << q
        np.add.at(out, y, matrix[r, local] * state)
    assert n >= k
    return out


def reference_state(circuit: qv.Circuit, initial=None) -> np.ndarray:
    psi = np.zeros(1 << circuit.num_qubits, dtype=complex)
    psi[0] = 1
    if initial is not None:
        psi = np.array(initial, dtype=complex)
    for ins in circuit.data:
        if ins.kind in ("gate", "unitary"):
            psi = apply_reference(psi, ins.full_matrix(), ins.qubits)
    return psi


def test_reference_matches_kron():
    rng = np.random.default_rng(SEED)
    a, b = (rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2)) for _ in range(2))
    psi = rng.normal(size=8) + 1j * rng.normal(size=8)
    # qubit 0 least significant: a on qubit 0, b on qubit 2
    full = np.kron(b, np.kron(np.eye(2), a))
    got = apply_reference(apply_reference(psi, a, [0]), b, [2])
    np.testing.assert_allclose(got, full @ psi, atol=1e-12)
    two = np.kron(b, a)  # a on qubit 1, b on qubit 2: matrix little-endian in (1, 2)
    np.testing.assert_allclose(apply_reference(psi, two, [1, 2]),
                               np.kron(b, np.kron(a, np.eye(2))) @ psi, atol=1e-12)


def random_circuit(rng, n: int, count: int) -> qv.Circuit:
    c = qv.Circuit(n)
    names = sorted(g for g in GATES if GATES[g].num_qubits <= n)
    for i in range(count):
        name = names[int(rng.integers(len(names)))]
        spec = GATES[name]
        params = [float(x) for x in rng.uniform(-4, 4, spec.num_params)]
        extra = int(rng.integers(3)) if spec.num_qubits < n and rng.random() < 0.15 else 0
        extra = min(extra, n - spec.num_qubits)
        qs = [int(q) for q in rng.choice(n, spec.num_qubits + extra, replace=False)]
        if extra:
            c.mc(name, qs[:extra], qs[extra:], params, int(rng.integers(1 << extra)))
        else:
            c.append(name, qs, params)
        if rng.random() < 0.05:
            k = int(rng.integers(1, min(3, n - 1) + 1))
            u = _haar(rng, 1 << k)
            where = [int(q) for q in rng.choice(n, k + 1, replace=False)]
            if rng.random() < 0.5:
                c.unitary(u, where[:k])
            else:
                c.mc(u, where[k:], where[:k], ctrl_state=int(rng.integers(2)))
        if rng.random() < 0.03:
            c.barrier()
    return c


def _haar(rng, dim):
    z = rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


def runner_state(circuit, initial=None):
    done = small.final_state(circuit, initial)
    assert done is not None
    return done[0]


@pytest.mark.parametrize("n", [3, 4, 5, 7, 9, 11])
def test_random_circuits_match_reference(n):
    rng = np.random.default_rng(SEED + n)
    for _ in range(6 if n < 9 else 3):
        c = random_circuit(rng, n, 60)
        np.testing.assert_allclose(runner_state(c), reference_state(c), atol=ATOL)


def test_every_gate_on_every_position():
    """Each table gate on qubits spread over the low (scalar) and high (vectorised) bits,
    with and without an extra control of either value."""
    rng = np.random.default_rng(SEED)
    n = 7
    for name, spec in sorted(GATES.items()):
        k = spec.num_qubits
        for first in range(n - k + 1):
            qs = [(first + 2 * j) % n for j in range(k)]
            if len(set(qs)) < k:
                qs = list(range(first, first + k))
            params = [float(x) for x in rng.uniform(-4, 4, spec.num_params)]
            c = qv.Circuit(n)
            for q in range(n):
                c.ry(0.3 + 0.2 * q, q)
            c.append(name, qs, params)
            free = [q for q in range(n) if q not in qs]
            for value in (0, 1):
                c.mc(name, [free[first % len(free)]], qs, params, ctrl_state=value)
            np.testing.assert_allclose(runner_state(c), reference_state(c), atol=ATOL,
                                       err_msg=f"{name} on {qs}")


def test_agrees_with_numpy_engine_and_api(monkeypatch):
    rng = np.random.default_rng(SEED + 1)
    c = random_circuit(rng, 10, 120)
    monkeypatch.setenv("QVALLEY_ENGINE", "numpy")
    ref = qv.statevector(c)
    monkeypatch.delenv("QVALLEY_ENGINE")
    monkeypatch.setattr(small, "_seen", small.SWITCH_AFTER)
    small.runner()
    got = qv.statevector(c)
    np.testing.assert_allclose(got, ref, atol=ATOL)
    single = qv.statevector(c, precision="single")
    assert single.dtype == np.complex64
    np.testing.assert_allclose(single, ref, atol=2e-6)


def test_initial_state_and_final_measurements():
    rng = np.random.default_rng(SEED + 2)
    c = random_circuit(rng, 6, 40)
    start = rng.normal(size=64) + 1j * rng.normal(size=64)
    start /= np.linalg.norm(start)
    np.testing.assert_allclose(runner_state(c, start), reference_state(c, start), atol=ATOL)
    c.measure_all()
    state, terminal = small.final_state(c)
    assert sorted(terminal) == [(q, q) for q in range(6)]
    np.testing.assert_allclose(state, reference_state(c), atol=ATOL)
    with pytest.raises(qv.CircuitError, match="normalised"):
        small.final_state(c, 2 * start)


def test_run_samples_like_the_general_engine():
    c = qv.Circuit(5, 5).h(0).cx(0, 1).ry(0.7, 2).cx(2, 3).rx(1.1, 4)
    c.measure([0, 1, 2, 3, 4], [4, 3, 2, 1, 0])
    program, _ = engine.prepare(c, active_only=True)
    ref = engine.sample(program, 2000, np.random.default_rng(5))
    state, terminal = small.final_state(c)
    got = np.zeros((2000, 5), dtype=np.uint8)
    engine.fill_terminal(got, state, terminal, np.random.default_rng(5))
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("build", [
    lambda c: c.h(0).measure(0, 0).x(1),            # a gate after a measurement
    lambda c: c.h(0).reset(0),                       # a reset
    lambda c: c.h(0).measure(0, 0).measure(0, 1),    # the same qubit measured twice
    lambda c: c.h(0).measure(0, 0).measure(1, 0),    # the same clbit written twice
    lambda c: c.rx(Parameter("a"), 0),               # an unbound parameter
])
def test_other_circuits_go_to_the_general_engine(build):
    c = qv.Circuit(3, 2)
    build(c)
    assert small.encode(c) is None


def test_conditions_go_to_the_general_engine():
    c = qv.Circuit(3, 1).h(0).measure(0, 0)
    with c.if_test("c", 1):
        c.x(1)
    assert small.encode(c) is None
    c = qv.Circuit(3, 1)
    with c.if_test("c", 0):
        c.x(1)
    assert small.encode(c) is None


def test_bound_parameters_run():
    a = Parameter("a")
    c = qv.Circuit(3).rx(a, 0).cp(2 * a, 0, 1).u(a, a, 0.5, 2)
    bound = c.assign_parameters({a: 0.37})
    np.testing.assert_allclose(runner_state(bound), reference_state(bound), atol=ATOL)


def test_when_the_runner_is_used(monkeypatch):
    monkeypatch.setattr(small, "_runner", None)
    monkeypatch.setattr(small, "_seen", 0)
    monkeypatch.setenv("QVALLEY_ENGINE", "numpy")
    assert not small.wanted(10)
    monkeypatch.delenv("QVALLEY_ENGINE")
    assert not small.wanted(2) and not small.wanted(small.MAX_QUBITS + 1)
    assert small.wanted(10)  # numba is loaded in this process (importorskip above)
    import sys
    monkeypatch.delitem(sys.modules, "numba")
    monkeypatch.setattr(small, "_seen", 0)
    assert not small.wanted(10)  # a fresh process: numpy first ...
    monkeypatch.setattr(small, "_seen", small.SWITCH_AFTER)
    assert small.wanted(10)      # ... numba after SWITCH_AFTER small circuits


def test_entries_of_the_gate_table_are_its_matrices():
    rng = np.random.default_rng(SEED)
    with_entries = [g for g in GATES.values() if g.entries_fn is not None]
    assert {"rx", "ry", "rz", "p", "u", "u3", "u2", "r", "gpi"} <= {g.name for g in with_entries}
    for g in with_entries:
        params = rng.uniform(-4, 4, g.num_params)
        flat = g.entries_fn(*params)
        assert all(isinstance(x, (int, float, complex)) for x in flat)
        np.testing.assert_array_equal(np.array(flat, dtype=complex).reshape(g.matrix(*params).shape),
                                      g.matrix(*params))
