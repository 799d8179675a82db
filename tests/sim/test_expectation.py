"""Expectation values, sweeps and gradients against independent references: dense
matrices from Qiskit's SparsePauliOp, plain numpy states of bound circuits, central finite
differences, and exact formulas; shot estimates within 5 standard errors at fixed seeds."""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley import noise

LETTERS = "IXYZ"


def dense(pairs):
    quantum_info = pytest.importorskip("qiskit.quantum_info")
    return quantum_info.SparsePauliOp.from_list(pairs).to_matrix()


def random_pairs(rng, n, count, real=True):
    return [("".join(rng.choice(list(LETTERS), n)),
             float(rng.normal()) if real else complex(rng.normal(), rng.normal()))
            for _ in range(count)]


def random_parametric(rng, n, depth, params):
    """Gates of every kind the sweep encodes: rotations with affine and non-affine
    expressions, u, controlled rotations, multi-controlled gates, IonQ gates (turns),
    two-qubit rotations, fixed gates and unitaries."""
    c = qv.Circuit(n)
    for _ in range(depth):
        r = rng.random()
        p = params[int(rng.integers(len(params)))]
        q = [int(x) for x in rng.choice(n, min(n, 3), replace=False)]
        if r < 0.15:
            c.rx(2 * p + 0.1, q[0])
        elif r < 0.25:
            c.ry(p.sin() * p, q[0])
        elif r < 0.3:
            c.u(p, 0.3, -p, q[0])
        elif r < 0.38 and n > 1:
            c.crz(p, q[0], q[1])
        elif r < 0.44 and n > 1:
            c.rzz(p / 2, q[0], q[1])
        elif r < 0.5 and n > 1:
            c.ms(p * 0.1, 0.2, 0.25, q[0], q[1])
        elif r < 0.55 and n > 2:
            c.mc("ry", [q[0], q[1]], [q[2]], [p], ctrl_state="10")
        elif r < 0.6 and n > 1:
            c.xx_plus_yy(p, 0.4, q[0], q[1])
        elif r < 0.7:
            c.gpi2(p, q[0])
        elif r < 0.85 and n > 1:
            c.cx(q[0], q[1])
        elif r < 0.9 and n > 1:
            m = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))[0]
            c.unitary(m, [q[0], q[1]])
        else:
            c.h(q[0]).t(q[0])
    return c


def reference(c, values, matrix):
    psi = qv.statevector(c.assign_parameters(list(values)) if c.num_parameters else c)
    return np.vdot(psi, matrix @ psi)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_exact_expectations_match_dense_references(n):
    rng = np.random.default_rng(10 + n)
    params = [qv.Parameter(f"p{i}") for i in range(3)]
    c = random_parametric(rng, n, 8 * n, params)
    pairs = random_pairs(rng, n, 6)
    obs = qv.Observable.from_list(pairs)
    m = dense(pairs)
    values = rng.uniform(-3, 3, size=(4, c.num_parameters))
    got = qv.expectation(c, obs, values)
    assert got.shape == (4,) and got.dtype == np.float64
    for v, g in zip(values, got):
        assert abs(g - reference(c, v, m)) < 1e-10
    # a non-Hermitian observable gives complex values
    cpairs = random_pairs(rng, n, 3, real=False)
    val = qv.expectation(c, qv.Observable.from_list(cpairs), values[0])
    assert abs(val - reference(c, values[0], dense(cpairs))) < 1e-10


def test_broadcasting_follows_qiskit_pubs():
    t = qv.Parameter("t")
    c = qv.Circuit(2).ry(t, 0).cx(0, 1)
    values = np.array([[0.1], [0.7], [1.3]])
    got = qv.expectation(c, [["ZZ"], ["XX"]], values.reshape(1, 3, 1))   # (2,1) x (1,3)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got[0], 1.0, atol=1e-12)                  # ZZ = 1
    np.testing.assert_allclose(got[1], np.sin(values[:, 0]), atol=1e-12)  # XX = sin t
    single = qv.expectation(c, "XX", [0.7])
    assert isinstance(single, float) and abs(single - math.sin(0.7)) < 1e-12
    with pytest.raises(qv.CircuitError, match="do not broadcast"):
        qv.expectation(c, ["ZZ", "XX"], values)                          # (2,) vs (3,)


def test_the_prefix_runs_once_and_wide_circuits_take_the_engine():
    """An 18-qubit circuit (beyond the batched runner) is bound and simulated per binding;
    the values agree with the formula <Z_0> = cos(a) cos(b)."""
    a, b = qv.Parameter("a"), qv.Parameter("b")
    c = qv.Circuit(18)
    for q in range(18):
        c.h(q)
    for q in range(18):
        c.h(q)                       # a parameter-free prefix, identity in total
    c.rx(a, 0).ry(b, 0)
    obs = qv.Observable.from_sparse_list([("Z", [0], 1.0)], 18)
    vals = np.array([[0.3, 0.9], [1.2, -0.4]])
    got = qv.expectation(c, obs, vals)
    np.testing.assert_allclose(got, np.cos(vals[:, 0]) * np.cos(vals[:, 1]), atol=1e-10)


def test_density_matrix_expectations_with_noise():
    rng = np.random.default_rng(3)
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.05), ["h", "rx"])
    m.add_all_qubit_error(noise.amplitude_damping(0.1), ["cx"])
    t = qv.Parameter("t")
    c = qv.Circuit(3).h(0).rx(t, 1).cx(0, 2).cx(1, 2)
    pairs = random_pairs(rng, 3, 5)
    got = qv.expectation(c, qv.Observable.from_list(pairs), [0.8], noise=m)
    rho = qv.density_matrix(c.assign_parameters([0.8]), noise=m)
    assert abs(got - np.trace(rho @ dense(pairs)).real) < 1e-12
    ideal = qv.expectation(c, qv.Observable.from_list(pairs), [0.8])
    assert abs(got - ideal) > 1e-3  # the noise shows
    # qubits joining out of order (simulated order 5, 2, 0, ...), 7 qubits (numba passes)
    c7 = qv.Circuit(7).h(5).cx(5, 2).rx(0.3, 0).cx(2, 6).h(1).cx(0, 4).rx(1.1, 3).cx(4, 3)
    pairs7 = random_pairs(rng, 7, 6)
    got7 = qv.expectation(c7, qv.Observable.from_list(pairs7), noise=m)
    rho7 = qv.density_matrix(c7, noise=m)
    assert abs(got7 - np.trace(rho7 @ dense(pairs7)).real) < 1e-12
    # odd numbers of Y: <Y> of rx(0.8)|0> is -sin(0.8), shrunk by the depolarizing 1 - p
    one = qv.expectation(qv.Circuit(2).rx(0.8, 1), qv.Observable.from_list([("YI", 1.0)]),
                         noise=m)
    assert abs(one + 0.95 * np.sin(0.8)) < 1e-12


def test_shot_estimates_are_within_their_standard_error():
    t = qv.Parameter("t")
    c = qv.Circuit(3).ry(t, 0).cx(0, 1).h(2).s(2)
    pairs = [("ZZI", 1.0), ("IXX", 0.5), ("YII", -0.7), ("IIY", 0.3), ("III", 2.0)]
    obs = qv.Observable.from_list(pairs)
    exact = qv.expectation(c, obs, [0.9])
    est = qv.expectation(c, obs, [0.9], shots=20000, seed=11)
    value, err = est
    assert 0 < err < 0.05
    assert abs(value - exact) < 5 * err
    # the reported standard error is the spread of repeated estimates
    repeats = [qv.expectation(c, obs, [0.9], shots=2000, seed=s) for s in range(40)]
    spread = float(np.std([r.value for r in repeats], ddof=1))
    reported = float(np.mean([r.std_error for r in repeats]))
    assert 0.7 < spread / reported < 1.3, (spread, reported)
    noisy = qv.expectation(c, obs, [0.9], shots=20000, seed=11, noise="ibm-heron-r2")
    assert abs(noisy.value - exact) < 0.2
    arr = qv.expectation(c, [obs, "ZII"], [[0.9], [0.2]], shots=1000, seed=1)
    assert arr.value.shape == (2,) and arr.std_error.shape == (2,)


def finite_difference(c, obs_matrix, v, h=1e-6):
    out = []
    for j in range(len(v)):
        e = np.zeros(len(v))
        e[j] = h
        out.append((reference(c, v + e, obs_matrix) - reference(c, v - e, obs_matrix)).real
                   / (2 * h))
    return np.array(out)


@pytest.mark.parametrize("n", [1, 3, 4])
def test_adjoint_gradients_match_finite_differences(n):
    rng = np.random.default_rng(40 + n)
    params = [qv.Parameter(f"p{i}") for i in range(4)]
    c = random_parametric(rng, n, 10 * n, params)
    pairs = random_pairs(rng, n, 5)
    m = dense(pairs)
    values = rng.uniform(-2, 2, size=(3, c.num_parameters))
    grads = qv.gradient(c, qv.Observable.from_list(pairs), values)
    assert grads.shape == (3, c.num_parameters)
    for v, g in zip(values, grads):
        np.testing.assert_allclose(g, finite_difference(c, m, v), atol=1e-6)


def test_parameter_shift_is_exact_and_works_with_noise_and_shots():
    rng = np.random.default_rng(7)
    params = [qv.Parameter(f"p{i}") for i in range(3)]
    c = random_parametric(rng, 3, 24, params)
    pairs = random_pairs(rng, 3, 4)
    obs = qv.Observable.from_list(pairs)
    v = rng.uniform(-2, 2, size=c.num_parameters)
    adjoint = qv.gradient(c, obs, v)
    shift = qv.gradient(c, obs, v, method="parameter_shift")
    np.testing.assert_allclose(shift, adjoint, atol=1e-10)
    # under noise: against finite differences of the exact density-matrix values
    model = qv.NoiseModel()
    model.add_all_qubit_error(noise.depolarizing(0.03), ["rx", "ry", "gpi2"])
    noisy = qv.gradient(c, obs, v, noise=model)
    fd = []
    for j in range(len(v)):
        e = np.zeros(len(v))
        e[j] = 1e-5
        fd.append((qv.expectation(c, obs, v + e, noise=model)
                   - qv.expectation(c, obs, v - e, noise=model)) / 2e-5)
    np.testing.assert_allclose(noisy, fd, atol=1e-6)
    assert np.max(np.abs(noisy - adjoint)) > 1e-4
    est = qv.gradient(c, obs, v, shots=4000, seed=3)
    assert np.all(np.abs(est.value - adjoint) <= 5 * est.std_error + 1e-9)


def test_shift_rules_of_the_table():
    from qvalley.sim.gradients import shift_rule
    shifts, coefs = shift_rule("rx", 0)
    np.testing.assert_allclose(sorted(shifts % (2 * math.pi)), [math.pi / 2, 3 * math.pi / 2])
    shifts, coefs = shift_rule("rx", 0)
    f = lambda x: math.cos(x + 0.3)  # noqa: E731 - any expectation of rx(x) has this form
    assert abs(sum(w * f(0.7 + s) for s, w in zip(shifts, coefs)) + math.sin(1.0)) < 1e-12
    shifts, coefs = shift_rule("crx", 0)           # frequencies 1/2 and 1: four terms
    assert len(shifts) == 4
    g = lambda x: math.cos(x / 2) + 0.3 * math.sin(x)  # noqa: E731
    dg = -0.5 * math.sin(0.35) + 0.3 * math.cos(0.7)
    assert abs(sum(w * g(0.7 + s) for s, w in zip(shifts, coefs)) - dg) < 1e-12


def test_input_errors():
    t = qv.Parameter("t")
    c = qv.Circuit(2).rx(t, 0)
    with pytest.raises(qv.CircuitError, match="unbound parameters"):
        qv.expectation(c, "ZZ")
    with pytest.raises(qv.CircuitError, match="last axis"):
        qv.expectation(c, "ZZ", [0.1, 0.2])
    with pytest.raises(qv.CircuitError, match="finite"):
        qv.expectation(c, "ZZ", [float("nan")])
    with pytest.raises(qv.CircuitError, match="Hermitian"):
        qv.gradient(c, qv.Observable([("ZZ", 1j)]), [0.1])
    with pytest.raises(qv.CircuitError, match="shots"):
        qv.expectation(qv.Circuit(2).h(0).measure(0, 0).x(1), "ZZ")
    with pytest.raises(qv.BackendError, match="unknown gradient method"):
        qv.gradient(c, "ZZ", [0.1], method="backprop")
    with pytest.raises(qv.CircuitError, match="finite"):
        qv.expectation(qv.Circuit(1).ry(t.log(), 0), "Z", [-1.0])
    with pytest.raises(qv.CircuitError, match="matrix is not an observable"):
        qv.expectation(qv.Circuit(2), np.eye(4))
    with pytest.raises(qv.CircuitError, match="no observables"):
        qv.expectation(qv.Circuit(2), [])


def test_a_sweep_simulates_the_parameter_free_prefix_once(monkeypatch):
    from qvalley.sim import api
    from qvalley.sim.statevector import sweep
    calls = []
    real = api.statevector
    monkeypatch.setattr(api, "statevector", lambda c, **kw: calls.append(1) or real(c, **kw))
    sweep._CACHE.clear()
    t = qv.Parameter("t")
    c = qv.Circuit(4)
    for q in range(4):
        c.h(q).t(q)
    c.cx(0, 1).cx(2, 3).ry(t, 0)
    got = qv.expectation(c, "IIIZ", np.linspace(0, 1, 200).reshape(-1, 1))
    assert len(calls) == 1 and got.shape == (200,)
    ref = [qv.expectation(c.assign_parameters([v]), "IIIZ") for v in (0.0, 1.0)]
    np.testing.assert_allclose(got[[0, -1]], ref, atol=1e-12)
