"""Regression tests for bugs found by exercising the simulator with unusual inputs.

Each test names the behaviour that was wrong before its fix. Timing bounds are generous
(10x or more above what the fixed code needs) and far below what the old code took.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

import qvalley as qv
from qvalley import Circuit, CircuitError
from qvalley.sim.result import records_to_strings


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


# -- count keys of many classical bits ----------------------------------------------------------

def test_wide_count_keys_are_fast_and_right():
    # was: 4 s for 3 shots of 300,000 bits (np.unique over a structured row dtype with a
    # field per bit), and 10**9 bits got the process killed by the OOM killer
    c = Circuit(2).x(0).measure(0, 300_000).measure(1, 3)
    res, seconds = _timed(lambda: qv.run(c, shots=3, seed=1))
    key = "1" + "0" * 300_000
    assert res.counts == {key: 3} and res.memory == [key] * 3
    assert seconds < 1.0


def test_wide_records_to_strings_matches_a_plain_reference():
    rng = np.random.default_rng(5)
    records = rng.integers(0, 2, size=(500, 130), dtype=np.uint8)
    records[250:] = records[:250]  # repeated rows
    counts, memory = records_to_strings(records)
    want = ["".join(str(b) for b in row[::-1]) for row in records]
    assert memory == want
    assert counts == {k: want.count(k) for k in sorted(set(want))}
    assert list(counts) == sorted(counts)


# -- dynamic circuits: no work per shot -------------------------------------------------------------

def test_measure_and_reset_rounds_do_not_branch_per_shot():
    # was: every shot became its own branch (10,000 copies of the state); 20 qubits x 1
    # round did not finish in 10 minutes
    n, rounds, shots = 14, 3, 10_000
    c = Circuit(n)
    for r in range(rounds):
        c.h(range(n)).measure(range(n), [r * n + q for q in range(n)]).reset(range(n))
    res, seconds = _timed(lambda: qv.run(c, shots=shots, seed=3))
    assert seconds < 20
    bits = np.array([[int(ch) for ch in key[::-1]] for key in res.memory])
    assert bits.shape == (shots, n * rounds)
    # every bit is a fair coin, independent of the others
    assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 0.025)
    corr = np.corrcoef(bits.T) - np.eye(n * rounds)
    assert np.max(np.abs(corr)) < 0.06


def test_a_thousand_mid_circuit_measurements():
    # was: 28 s for 1000 shots (a branch per shot, each walking the remaining operations)
    c = Circuit(1, 10)
    for i in range(1000):
        c.h(0).measure(0, i % 10)
    res, seconds = _timed(lambda: qv.run(c, shots=2000, seed=4))
    assert seconds < 10
    assert len(res.counts) > 820  # 1024 equally likely keys: 879 expected
    bits = np.array([[int(ch) for ch in key] for key in res.memory])
    assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 0.05)


# The next four guard the shortcuts that made the two tests above fast: shots sharing one
# state, a reset that needs no branching, rows merging again, groups when memory is short.

def test_reset_of_an_entangled_qubit_keeps_the_correlation():
    # the measurement is followed by a reset, but the qubit is entangled: both outcomes
    # must still be followed separately
    c = Circuit(2, 3).h(0).cx(0, 1).measure(0, 0).reset(0).measure(1, 1)
    c.h(0).measure(0, 2)  # the reset qubit is reused: a fresh fair coin
    res = qv.run(c, shots=4000, seed=2)
    assert set(res.counts) == {"000", "011", "100", "111"}
    for key in res.counts:
        assert res.counts[key] / 4000 == pytest.approx(0.25, abs=0.03)


def test_condition_on_a_measurement_absorbed_by_a_reset():
    c = Circuit(2, 2).h(0).measure(0, 0).reset(0)
    with c.if_test(0, 1):
        c.x(1)
    c.measure(1, 1)
    res = qv.run(c, shots=4000, seed=6)
    assert set(res.counts) == {"00", "11"}
    assert res.counts["11"] / 4000 == pytest.approx(0.5, abs=0.03)


def test_partly_entangled_qubit_then_reset():
    # P(1) = sin^2(0.3) and the qubit is partly entangled: the statistics of the other
    # qubit after the reset follow the Born rule
    c = Circuit(2, 2).ry(0.6, 0).cry(1.2, 0, 1).measure(0, 0).reset(0).measure(1, 1)
    res = qv.run(c, shots=20_000, seed=8)
    p1 = math.sin(0.3) ** 2
    want = {"00": 1 - p1, "01": p1 * math.cos(0.6) ** 2, "11": p1 * math.sin(0.6) ** 2}
    for key, prob in want.items():
        assert res.counts.get(key, 0) / 20_000 == pytest.approx(prob, abs=0.01)
    assert "10" not in res.counts


def test_results_do_not_depend_on_memory(monkeypatch):
    """Shots split into groups (when rows do not fit) give the same records, shot for
    shot, as one batch."""
    from qvalley.sim.statevector import engine

    c = Circuit(3, 4).h(0).cx(0, 1).measure(0, 0).reset(0).h(0).measure(0, 1)
    with c.if_test(1, 1):
        c.ry(0.7, 2)
    c.h(1).measure(1, 2).cx(2, 0).measure(2, 3)
    together = qv.run(c, shots=3000, seed=21)
    monkeypatch.setattr(engine, "available_bytes", lambda: 0)
    grouped = qv.run(c, shots=3000, seed=21)
    assert grouped.memory == together.memory
    assert len(together.counts) >= 8


# -- statevector inputs ----------------------------------------------------------------------------

def test_single_precision_initial_state_is_accepted():
    # was: refused with "its norm^2 is 1" (complex64 rounding is ~1e-8 > tolerance 1e-8)
    init = np.array([0.6, 0.8], dtype=np.complex64)
    psi = qv.statevector(Circuit(1).x(0), initial_state=init)
    assert np.vdot(psi, psi).real == pytest.approx(1, abs=1e-15)
    np.testing.assert_allclose(psi, [0.8, 0.6], atol=1e-7)
    with pytest.raises(CircuitError, match="normalised"):
        qv.statevector(Circuit(1), initial_state=np.array([0.6, 0.81], dtype=np.complex64))


@pytest.mark.parametrize("bad", [{0: 1}, [[1, 0], [0]], "ab", object()])
def test_unreadable_initial_state_is_a_circuit_error(bad):
    # was: TypeError "must be real number, not dict"
    with pytest.raises(CircuitError, match="initial state"):
        qv.statevector(Circuit(1), initial_state=bad)


def test_probabilities_of_one_qubit_given_as_an_int():
    # was: TypeError "'int' object is not iterable"
    c = Circuit(2).ry(0.5, 1)
    np.testing.assert_allclose(qv.probabilities(c, qubits=1),
                               qv.probabilities(c, qubits=[1]), atol=0)
    np.testing.assert_allclose(qv.probabilities(c, qubits=np.int64(1)),
                               [math.cos(0.25) ** 2, math.sin(0.25) ** 2], atol=1e-15)
