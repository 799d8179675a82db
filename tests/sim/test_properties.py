"""Hypothesis properties of circuits and the state-vector simulator.

derandomize=True makes every run draw the same examples (a fixed seed), deadline=None
because the first call of a test pays for imports, max_examples is modest to stay fast.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qvalley as qv
from qvalley import Circuit
from qvalley.circuit import GATES

PROPS = settings(deadline=None, max_examples=40, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NAMES = sorted(GATES)
angles = st.floats(min_value=-4 * math.pi, max_value=4 * math.pi, allow_nan=False,
                   allow_infinity=False)


def haar_unitary(seed, dim):
    rng = np.random.default_rng(seed)
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


@st.composite
def circuits(draw, min_qubits=1, max_qubits=5, max_ops=20):
    n = draw(st.integers(min_qubits, max_qubits))
    c = Circuit(n)
    for _ in range(draw(st.integers(0, max_ops))):
        kind = draw(st.sampled_from(["gate"] * 6 + ["unitary", "mc"]))
        if kind == "gate":
            name = draw(st.sampled_from([g for g in NAMES if GATES[g].num_qubits <= n]))
            g = GATES[name]
            qs = draw(st.permutations(range(n)))[:g.num_qubits]
            ps = [draw(angles) for _ in range(g.num_params)]
            getattr(c, name)(*ps, *qs)
        elif kind == "unitary":
            k = draw(st.integers(1, min(3, n)))
            qs = draw(st.permutations(range(n)))[:k]
            c.unitary(haar_unitary(draw(st.integers(0, 2 ** 32 - 1)), 2 ** k), qs)
        elif n >= 2:
            k = draw(st.integers(1, n - 1))
            qs = draw(st.permutations(range(n)))
            base = draw(st.sampled_from(["x", "ry", "u", "h", "sx", "p"]))
            ps = [draw(angles) for _ in range(GATES[base].num_params)]
            c.mc(base, qs[:k], qs[k], ps, ctrl_state=draw(st.integers(0, 2 ** k - 1)))
    return c


def random_state(seed, n):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n)
    return v / np.linalg.norm(v)


seeds = st.integers(0, 2 ** 32 - 1)


@PROPS
@given(circuits(), seeds)
def test_norm_is_preserved(c, seed):
    psi = qv.statevector(c)
    assert abs(np.linalg.norm(psi) - 1) < 1e-12
    phi = qv.statevector(c, initial_state=random_state(seed, c.num_qubits))
    assert abs(np.linalg.norm(phi) - 1) < 1e-12


@PROPS
@given(circuits(), seeds)
def test_circuit_then_inverse_is_identity(c, seed):
    psi = random_state(seed, c.num_qubits)
    out = qv.statevector(c.compose(c.inverse()), initial_state=psi)
    np.testing.assert_allclose(out, psi, rtol=0, atol=1e-10)   # phase included
    out = qv.statevector(c.inverse().compose(c), initial_state=psi)
    np.testing.assert_allclose(out, psi, rtol=0, atol=1e-10)


@PROPS
@given(circuits(max_ops=12))
def test_inverse_twice_is_the_circuit(c):
    twice = c.inverse().inverse()
    np.testing.assert_allclose(qv.statevector(twice), qv.statevector(c), rtol=0, atol=1e-10)


@PROPS
@given(circuits(), st.data())
def test_probabilities_sum_to_one_and_marginalise(c, data):
    p = qv.probabilities(c)
    assert p.shape == (2 ** c.num_qubits,)
    assert np.all(p >= 0)
    assert abs(p.sum() - 1) < 1e-12
    n = c.num_qubits
    qubits = data.draw(st.permutations(range(n)))[:data.draw(st.integers(1, n))]
    marg = qv.probabilities(c, qubits)
    assert abs(marg.sum() - 1) < 1e-12
    want = np.zeros(2 ** len(qubits))
    for idx, pr in enumerate(p):
        want[sum(((idx >> q) & 1) << j for j, q in enumerate(qubits))] += pr
    np.testing.assert_allclose(marg, want, rtol=0, atol=1e-12)


SHOTS = 20_000


@settings(deadline=None, max_examples=15, derandomize=True)
@given(circuits(max_qubits=4, max_ops=12), st.integers(0, 2 ** 31 - 1))
def test_sampling_matches_probabilities(c, seed):
    """Counts of run() against the exact probabilities: one-sample TVD bound
    E[TVD] <= sqrt(K/N)/2 plus McDiarmid's sqrt(ln(1/delta)/(2N)) at delta = 1e-6."""
    p = qv.probabilities(c)
    m = c.copy()
    m.measure_all()
    res = qv.run(m, shots=SHOTS, seed=seed)
    n = c.num_qubits
    emp = np.zeros(2 ** n)
    for key, v in res.counts.items():
        emp[int(key, 2)] = v / SHOTS
    k = int(np.count_nonzero(p > 1e-15))
    bound = 0.5 * math.sqrt(k / SHOTS) + math.sqrt(math.log(1e6) / (2 * SHOTS))
    assert 0.5 * np.abs(emp - p).sum() < bound
    # an outcome of probability zero never shows up
    assert np.all(emp[p < 1e-15] == 0)


@PROPS
@given(circuits(max_ops=10), seeds)
def test_statevector_is_linear(c, seed):
    """The simulated map is linear: U(a x + b y) = a U x + b U y."""
    n = c.num_qubits
    x, y = random_state(seed, n), random_state(seed + 1, n)
    a, b = 0.6, 0.8j
    z = a * x + b * y
    z = z / np.linalg.norm(z)
    ux = qv.statevector(c, initial_state=x)
    uy = qv.statevector(c, initial_state=y)
    uz = qv.statevector(c, initial_state=z)
    np.testing.assert_allclose(uz * np.linalg.norm(a * x + b * y), a * ux + b * uy,
                               rtol=0, atol=1e-10)
