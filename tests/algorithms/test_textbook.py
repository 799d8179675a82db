"""The textbook algorithms against their known answers and exact formulas: Bell states
against their amplitudes, teleportation and superdense coding deterministic, oracle
algorithms' answers, Grover's success probability against sin^2((2k+1) theta), the QFT
against numpy's FFT, phase estimation's reading, and Shor factoring 15 and 21 through a
quantum order-finding step."""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley import algorithms as A
from qvalley.algorithms.grover import success_probability

S2 = 1 / math.sqrt(2)


@pytest.mark.parametrize("which, amps", [
    ("phi+", [S2, 0, 0, S2]), ("phi-", [S2, 0, 0, -S2]),
    ("psi+", [0, S2, S2, 0]), ("psi-", [0, -S2, S2, 0])])
def test_bell_states(which, amps):
    psi = qv.statevector(A.bell_state(which))
    ov = np.vdot(amps, psi)
    assert abs(abs(ov) - 1) < 1e-12


def test_ghz_and_bad_inputs():
    psi = qv.statevector(A.ghz_state(5))
    assert abs(psi[0]) ** 2 == pytest.approx(0.5) and abs(psi[31]) ** 2 == pytest.approx(0.5)
    with pytest.raises(qv.CircuitError):
        A.ghz_state(1)
    with pytest.raises(qv.CircuitError):
        A.bell_state("phi")
    with pytest.raises(qv.CircuitError):
        A.superdense_coding("2")


def test_teleportation_and_superdense_coding():
    for theta, phi in ((1.1, 0.4), (2.5, -1.0), (0.3, 2.2)):
        t = A.teleportation(theta, phi, shots=1000, seed=3)
        assert t.fidelity_check == 1.0
        alice = {k[1:] for k in t.counts}
        assert alice == {"00", "01", "10", "11"}   # every correction is exercised
    for m in ("00", "01", "10", "11"):
        r = A.superdense_coding(m)
        assert r.decoded == m and set(r.counts) == {m}     # deterministic


@pytest.mark.parametrize("n", [1, 3, 5])
def test_deutsch_jozsa(n):
    for seed in range(4):
        assert A.deutsch_jozsa(n, "constant", seed=seed).answer == "constant"
        assert A.deutsch_jozsa(n, "balanced", seed=seed).answer == "balanced"


@pytest.mark.parametrize("secret", ["1", "101", "0110", "11111", "1000000"])
def test_bernstein_vazirani(secret):
    r = A.bernstein_vazirani(secret)
    assert r.secret == secret and set(r.counts) == {secret}


@pytest.mark.parametrize("secret", ["11", "101", "0110", "1001"])
def test_simon(secret):
    r = A.simon(secret, seed=5)
    assert r.answer == secret
    s = int(secret, 2)
    assert all(bin(int(y, 2) & s).count("1") % 2 == 0 for y in r.equations)


@pytest.mark.parametrize("n, marked", [(3, [5]), (4, [3, 12]), (5, [7]), (6, [0, 1, 40])])
def test_grover_matches_the_formula(n, marked):
    r = A.grover(n, lambda x: x in marked, shots=2000, seed=2)
    assert r.iterations == A.optimal_iterations(n, len(marked))
    assert r.success_probability == pytest.approx(success_probability(n, len(marked),
                                                                      r.iterations), abs=1e-9)
    hits = sum(v for k, v in r.counts.items() if int(k, 2) in marked) / 2000
    p = r.success_probability
    assert abs(hits - p) < 5 * math.sqrt(p * (1 - p) / 2000) + 1e-3
    for k in (0, 1, 2):
        r2 = A.grover(n, lambda x: x in marked, iterations=k, shots=10, seed=1)
        assert r2.success_probability == pytest.approx(success_probability(n, len(marked), k),
                                                       abs=1e-9)


def test_grover_with_a_circuit_oracle():
    oracle = qv.Circuit(3).x(1).h(2).ccx(0, 1, 2).h(2).x(1)   # marks x = 0b101
    r = A.grover(3, oracle, seed=4)
    assert r.best == "101" and r.success_probability > 0.9


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_qft_is_the_discrete_fourier_transform(n):
    rng = np.random.default_rng(n)
    psi = rng.normal(size=1 << n) + 1j * rng.normal(size=1 << n)
    psi /= np.linalg.norm(psi)
    got = qv.statevector(A.qft(n), initial_state=psi)
    np.testing.assert_allclose(got, np.fft.ifft(psi) * math.sqrt(1 << n), atol=1e-12)
    back = qv.statevector(A.inverse_qft(n), initial_state=got)
    np.testing.assert_allclose(back, psi, atol=1e-12)


def test_phase_estimation_reads_exact_phases():
    for phi, bits in ((0.3125, 5), (0.75, 2), (0.0625, 4)):
        U = np.diag([1, np.exp(2j * np.pi * phi)])
        r = A.phase_estimation(U, qv.Circuit(1).x(0), bits, seed=1)
        assert r.phase == phi and len(r.counts) == 1


def test_shor_factors_15_and_21_through_order_finding():
    r = A.order_finding(7, 15, seed=3)
    assert r.order == 4
    f15 = A.factor(15, a=7, seed=1)
    assert f15.factors == (3, 5) and f15.attempts[-1][1] == 4
    f21 = A.factor(21, a=2, seed=1)
    assert f21.factors == (3, 7) and f21.attempts[-1][1] == 6   # order of 2 mod 21
    assert A.factor(15, seed=11).factors == (3, 5)              # whatever a is drawn
    with pytest.raises(qv.CircuitError, match="share the factor"):
        A.order_finding(3, 15)
