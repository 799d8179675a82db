"""Mid-circuit measurement, reset and classical conditions: qvalley.run against Aer.

Every circuit is built twice, side by side, with qvalley's builders and with Qiskit's
(``if_test`` blocks for conditions). Aer samples AER_SHOTS shots, qvalley QV_SHOTS, both
with fixed seeds, and the two count distributions must agree:

* Total variation distance. For two independent samples of sizes Na and Nb over K outcomes,
  E[TVD] <= 1/2 sum_i sqrt(p_i (1-p_i) (1/Na + 1/Nb)) <= 1/2 sqrt(K (1/Na + 1/Nb))
  (Cauchy-Schwarz), and by McDiarmid's inequality (one shot moves the TVD by at most 1/N)
  P(TVD > E + t) <= exp(-2 t^2 / (1/Na + 1/Nb)). With delta = 1e-6 the bound is
  ``tvd_bound(K, Na, Nb)`` below: about 0.03 for K = 8 outcomes at Na = 100,000 and
  Nb = 20,000. A wrong branch, a dropped condition or a missing reset moves the TVD by
  0.1 or more.
* A chi-square test of homogeneity on the same counts (cells with expected count < 5
  pooled), failing at p < 1e-6: more sensitive than the TVD bound to a single outcome that is
  off by a few percent.

The seeds are fixed, so the tests are deterministic; the bounds say why the chosen seeds
are not lucky.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

import qvalley as qv
from qvalley import BackendError, Circuit, CircuitError, Parameter, QValleyError

pytest.importorskip("qiskit_aer")

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile  # noqa: E402

QV_SHOTS = 100_000
AER_SHOTS = 20_000
SEED = 4242
DELTA = 1e-6
NUM_RANDOM = 16


# -- statistics -------------------------------------------------------------------------------

def tvd(a: dict, na: int, b: dict, nb: int) -> float:
    keys = set(a) | set(b)
    return 0.5 * sum(abs(a.get(k, 0) / na - b.get(k, 0) / nb) for k in keys)


def tvd_bound(k: int, na: int, nb: int, delta: float = DELTA) -> float:
    """E[TVD] bound plus the McDiarmid deviation at confidence 1 - delta (see module doc)."""
    inv = 1 / na + 1 / nb
    return 0.5 * math.sqrt(k * inv) + math.sqrt(math.log(1 / delta) * inv / 2)


def one_sample_tvd_bound(k: int, n: int, delta: float = DELTA) -> float:
    """Same bound for an empirical distribution against exact probabilities."""
    return 0.5 * math.sqrt(k / n) + math.sqrt(math.log(1 / delta) / (2 * n))


def chi2_homogeneity_pvalue(a: dict, b: dict) -> float:
    from scipy.stats import chi2

    keys = sorted(set(a) | set(b))
    na, nb = sum(a.values()), sum(b.values())
    total = na + nb
    rows, pooled = [], [0, 0]
    for k in keys:
        ca, cb = a.get(k, 0), b.get(k, 0)
        if min(na, nb) * (ca + cb) / total < 5:
            pooled[0] += ca
            pooled[1] += cb
        else:
            rows.append((ca, cb))
    if sum(pooled):
        rows.append(tuple(pooled))
    if len(rows) < 2:
        return 1.0
    stat = 0.0
    for ca, cb in rows:
        col = ca + cb
        for obs, n in ((ca, na), (cb, nb)):
            exp = n * col / total
            stat += (obs - exp) ** 2 / exp
    return float(chi2.sf(stat, len(rows) - 1))


def aer_counts(qc: QuantumCircuit, shots: int = AER_SHOTS, seed: int = SEED) -> dict:
    from qiskit_aer import AerSimulator

    # enable_truncation=False: Aer 0.18's idle-qubit truncation fails to load some circuits
    # with several if_test blocks ("unordered_map::at"); it changes nothing else
    sim = AerSimulator(method="statevector", enable_truncation=False)
    compiled = transpile(qc, sim, optimization_level=0, seed_transpiler=seed)
    result = sim.run(compiled, shots=shots, seed_simulator=seed).result()
    assert result.success, result.status
    raw = result.get_counts()
    # Qiskit separates registers with spaces; qvalley concatenates them
    out: Counter = Counter()
    for key, v in raw.items():
        out[key.replace(" ", "")] += v
    return dict(out)


def assert_same_distribution(c: Circuit, qc: QuantumCircuit, *, seed: int = SEED):
    res = qv.run(c, shots=QV_SHOTS, seed=seed)
    ref = aer_counts(qc, seed=seed)
    assert sum(res.counts.values()) == QV_SHOTS
    assert all(len(k) == c.num_clbits for k in res.counts)
    k = len(set(res.counts) | set(ref))
    d = tvd(res.counts, QV_SHOTS, ref, AER_SHOTS)
    bound = tvd_bound(k, QV_SHOTS, AER_SHOTS)
    assert d < bound, f"TVD {d:.4f} >= {bound:.4f}\nqvalley {res.counts}\naer {ref}"
    p = chi2_homogeneity_pvalue(res.counts, ref)
    assert p > DELTA, f"chi-square p = {p:.3g}\nqvalley {res.counts}\naer {ref}"
    return res, ref


# -- hand-written dynamic circuits ------------------------------------------------------------

def _pair(nq, nc):
    qr, cr = QuantumRegister(nq, "q"), ClassicalRegister(nc, "c")
    return Circuit(nq, nc), QuantumCircuit(qr, cr), cr


def circuit_mid_measure():
    c, qc, cr = _pair(3, 3)
    for g in (c, qc):
        g.h(0)
        g.ry(1.1, 1)
        g.measure(0, 0)
        g.h(0)
        g.cx(0, 2)
        g.cx(1, 0)
        g.measure(1, 1)
        g.rx(0.7, 1)
        g.cx(1, 2)
        g.measure(2, 2)
    return c, qc


def circuit_reset():
    c, qc, cr = _pair(3, 3)
    for g in (c, qc):
        g.h(0)
        g.cx(0, 1)
        g.ry(0.9, 2)
        g.reset(0)           # entangled with qubit 1: the reset decoheres it
        g.h(0)
        g.cx(2, 0)
        g.reset(2)
        g.rx(0.4, 2)
        g.measure([0, 1, 2], [0, 1, 2])
    return c, qc


def circuit_register_conditions():
    c, qc, cr = _pair(4, 3)
    for g in (c, qc):
        g.h(0)
        g.ry(2.0, 1)
        g.measure(0, 0)
        g.measure(1, 1)
    with c.if_test("c", 1):
        c.x(2)
    with qc.if_test((cr, 1)):
        qc.x(2)
    with c.if_test("c", 3):
        c.h(3)
        c.cx(3, 2)
    with qc.if_test((cr, 3)):
        qc.h(3)
        qc.cx(3, 2)
    for g in (c, qc):
        g.measure(2, 2)
    c.measure(3, 0)
    qc.measure(3, 0)
    return c, qc


def circuit_bit_conditions():
    c, qc, cr = _pair(3, 3)
    for g in (c, qc):
        g.h(0)
        g.h(1)
        g.measure(0, 0)
        g.measure(1, 1)
    with c.if_test(0, 1):
        c.x(2)
    with qc.if_test((cr[0], True)):
        qc.x(2)
    with c.if_test(1, 0):
        c.ry(1.3, 2)
    with qc.if_test((cr[1], False)):
        qc.ry(1.3, 2)
    with c.if_test(0, 0):
        c.measure(2, 1)      # a conditioned measurement overwrites bit 1
    with qc.if_test((cr[0], False)):
        qc.measure(2, 1)
    for g in (c, qc):
        g.measure(2, 2)
    return c, qc


def circuit_repeated_measurement():
    c, qc, cr = _pair(2, 4)
    for g in (c, qc):
        g.ry(1.0, 0)
        g.measure(0, 0)
        g.measure(0, 1)      # same outcome as the first
        g.h(0)
        g.measure(0, 2)
        g.cx(0, 1)
        g.measure(1, 3)
    return c, qc


def circuit_same_clbit_twice():
    c, qc, cr = _pair(3, 2)
    for g in (c, qc):
        g.h(0)
        g.ry(0.6, 1)
        g.measure(0, 0)
        g.cx(0, 2)
        g.measure(1, 0)      # overwrites bit 0
        g.measure(2, 1)
    return c, qc


def circuit_several_registers():
    qr = QuantumRegister(3, "q")
    a, b = ClassicalRegister(2, "a"), ClassicalRegister(1, "b")
    qc = QuantumCircuit(qr, a, b)
    c = Circuit(3)
    ra = c.add_creg("a", 2)
    c.add_creg("b", 1)
    for g in (c, qc):
        g.h(0)
        g.ry(0.8, 1)
        g.measure(0, 0)
        g.measure(1, 2)
    with c.if_test(ra, 1):
        c.x(2)
    with qc.if_test((a, 1)):
        qc.x(2)
    with c.if_test("b", 1):
        c.h(2)
    with qc.if_test((b, 1)):
        qc.h(2)
    for g in (c, qc):
        g.measure(2, 1)
    return c, qc


def teleport_pair(theta, phi, lam):
    """Teleport U(theta, phi, lam)|0> from qubit 0 to qubit 2 with feed-forward."""
    qr = QuantumRegister(3, "q")
    m, out = ClassicalRegister(2, "m"), ClassicalRegister(1, "out")
    qc = QuantumCircuit(qr, m, out)
    c = Circuit(3)
    c.add_creg("m", 2)
    c.add_creg("out", 1)
    for g in (c, qc):
        g.u(theta, phi, lam, 0)
        g.h(1)
        g.cx(1, 2)
        g.cx(0, 1)
        g.h(0)
        g.measure(0, 0)
        g.measure(1, 1)
    with c.if_test(1, 1):
        c.x(2)
    with qc.if_test((m[1], True)):
        qc.x(2)
    with c.if_test(0, 1):
        c.z(2)
    with qc.if_test((m[0], True)):
        qc.z(2)
    return c, qc


def circuit_teleport():
    c, qc = teleport_pair(1.2, 0.3, -0.7)
    c.measure(2, 2)
    qc.measure(2, 2)
    return c, qc


def circuit_terminal_only():
    c, qc, cr = _pair(4, 4)
    for g in (c, qc):
        g.h(0)
        g.cx(0, 1)
        g.ry(0.5, 2)
        g.cx(2, 3)
        g.measure([0, 1, 2, 3], [2, 0, 3, 1])
    return c, qc


def circuit_conditioned_reset_and_measure():
    c, qc, cr = _pair(2, 2)
    for g in (c, qc):
        g.h(0)
        g.ry(2.2, 1)
        g.measure(0, 0)
    with c.if_test(0, 1):
        c.reset(1)
    with qc.if_test((cr[0], True)):
        qc.reset(1)
    with c.if_test("c", 0):
        c.measure(1, 1)
    with qc.if_test((cr, 0)):
        qc.measure(1, 1)
    for g in (c, qc):
        g.h(0)
        g.measure(0, 0)
    return c, qc


def circuit_rare_outcome():
    """Mid-circuit outcomes of probability ~1% and ~0.25%: they must not be dropped."""
    c, qc, cr = _pair(3, 3)
    for g in (c, qc):
        g.ry(0.2, 0)                 # P(1) = sin(0.1)^2 ~ 0.00997
        g.measure(0, 0)
        g.ry(0.1, 1)                 # P(1) ~ 0.0025
        g.measure(1, 1)
    with c.if_test(0, 1):
        c.x(2)
    with qc.if_test((cr[0], True)):
        qc.x(2)
    with c.if_test(1, 1):
        c.h(2)
    with qc.if_test((cr[1], True)):
        qc.h(2)
    for g in (c, qc):
        g.measure(2, 2)
    return c, qc


HAND_WRITTEN = {
    "rare_outcome": circuit_rare_outcome,
    "mid_measure": circuit_mid_measure,
    "reset": circuit_reset,
    "register_conditions": circuit_register_conditions,
    "bit_conditions": circuit_bit_conditions,
    "repeated_measurement": circuit_repeated_measurement,
    "same_clbit_twice": circuit_same_clbit_twice,
    "several_registers": circuit_several_registers,
    "teleport": circuit_teleport,
    "terminal_only": circuit_terminal_only,
    "conditioned_reset_and_measure": circuit_conditioned_reset_and_measure,
}


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_hand_written_against_aer(name):
    c, qc = HAND_WRITTEN[name]()
    assert_same_distribution(c, qc)


# -- random dynamic circuits ----------------------------------------------------------------

GATE_POOL = [("h", 0, 1), ("x", 0, 1), ("sx", 0, 1), ("t", 0, 1), ("rx", 1, 1), ("ry", 1, 1),
             ("rz", 1, 1), ("u", 3, 1), ("cx", 0, 2), ("cz", 0, 2), ("cp", 1, 2),
             ("swap", 0, 2), ("ccx", 0, 3), ("rzz", 1, 2)]


def random_dynamic_pair(index):
    rng = np.random.default_rng([SEED, index])
    n = int(rng.integers(2, 5))
    m = int(rng.integers(1, 4))
    c, qc, cr = _pair(n, m)
    for _ in range(int(rng.integers(6, 18))):
        r = rng.random()
        cond = None
        if r < 0.25:
            if rng.random() < 0.5:
                bit = int(rng.integers(m))
                val = int(rng.integers(2))
                cond = ((bit, val), (cr[bit], bool(val)))
            else:
                val = int(rng.integers(2 ** m))
                cond = (("c", val), (cr, val))
        kind = rng.random()
        if kind < 0.2:
            q, b = int(rng.integers(n)), int(rng.integers(m))
            op = lambda g, q=q, b=b: g.measure(q, b)                  # noqa: E731
        elif kind < 0.3:
            q = int(rng.integers(n))
            op = lambda g, q=q: g.reset(q)                            # noqa: E731
        else:
            pool = [p for p in GATE_POOL if p[2] <= n]
            name, np_, nq = pool[int(rng.integers(len(pool)))]
            qs = [int(q) for q in rng.choice(n, nq, replace=False)]
            ps = [float(x) for x in rng.uniform(-3, 3, np_)]
            op = lambda g, name=name, ps=ps, qs=qs: getattr(g, name)(*ps, *qs)  # noqa: E731
        if cond is None:
            op(c)
            op(qc)
        else:
            with c.if_test(*cond[0]):
                op(c)
            with qc.if_test(cond[1]):
                op(qc)
    for g in (c, qc):
        g.measure(list(range(min(n, m))), list(range(min(n, m))))
    return c, qc


@pytest.mark.parametrize("index", range(NUM_RANDOM))
def test_random_dynamic_against_aer(index):
    c, qc = random_dynamic_pair(index)
    assert_same_distribution(c, qc, seed=SEED + index)


def test_random_dynamic_circuits_are_dynamic():
    """The generator really produces mid-circuit measurements, resets and conditions."""
    kinds = Counter()
    for i in range(NUM_RANDOM):
        c, _ = random_dynamic_pair(i)
        for j, ins in enumerate(c):
            if ins.condition is not None:
                kinds["condition"] += 1
            if ins.kind == "reset":
                kinds["reset"] += 1
            if ins.kind == "measure" and any(o.kind != "measure" for o in c.data[j + 1:]):
                kinds["mid-measure"] += 1
    assert kinds["condition"] >= 10 and kinds["reset"] >= 5 and kinds["mid-measure"] >= 10


# -- exact answers ----------------------------------------------------------------------------

def test_teleported_state_is_exact():
    """Whatever the two measurement outcomes, qubit 2 ends in the input state."""
    rng = np.random.default_rng(SEED)
    for trial in range(4):
        theta, phi, lam = (float(x) for x in rng.uniform(-3, 3, 3))
        c, _ = teleport_pair(theta, phi, lam)
        cos, sin = math.cos(theta / 2), math.sin(theta / 2)
        want = np.array([cos, np.exp(1j * phi) * sin])   # U(theta, phi, lam)|0>
        outcomes = set()
        for seed in range(12):
            psi = qv.statevector(c, seed=seed).reshape(2, 2, 2)  # axes: q2, q1, q0
            # qubits 0 and 1 are in a basis state after the measurements
            (i1, i0), = {(a, b) for a in range(2) for b in range(2)
                         if np.linalg.norm(psi[:, a, b]) > 0.5}
            outcomes.add((i1, i0))
            q2 = psi[:, i1, i0]
            assert abs(np.linalg.norm(q2) - 1) < 1e-12
            assert abs(np.vdot(want, q2)) ** 2 > 1 - 1e-12
        assert len(outcomes) >= 3, "the seeds should visit several measurement branches"
    # and the statistics of qubit 2 are those of the input state, for every branch
    c, _ = teleport_pair(1.2, 0.3, -0.7)
    c.measure(2, 2)
    res = qv.run(c, shots=QV_SHOTS, seed=SEED)
    p1 = sum(v for k, v in res.counts.items() if k[0] == "1") / QV_SHOTS
    assert abs(p1 - math.sin(0.6) ** 2) < 4.9 * math.sqrt(0.25 / QV_SHOTS)
    branches = Counter(k[1:] for k in res.memory)
    for b in ("00", "01", "10", "11"):
        assert abs(branches[b] / QV_SHOTS - 0.25) < 4.9 * math.sqrt(0.25 / QV_SHOTS)


def test_reset_gives_zero():
    c = Circuit(3, 3)
    c.h(0).cx(0, 1).x(2).reset([0, 1, 2]).measure([0, 1, 2], [0, 1, 2])
    res = qv.run(c, shots=5000, seed=SEED)
    assert res.counts == {"000": 5000}
    for seed in range(5):
        psi = qv.statevector(Circuit(3).h(0).cx(0, 1).x(2).reset([0, 1, 2]), seed=seed)
        np.testing.assert_allclose(psi, np.eye(8)[0], atol=1e-12)
    # reset of a qubit in |1> is deterministic: no seed needed
    np.testing.assert_allclose(qv.statevector(Circuit(1).x(0).reset(0)), [1, 0], atol=1e-15)


def test_repeated_measurement_agrees_with_itself():
    c, _ = circuit_repeated_measurement()
    res = qv.run(c, shots=20000, seed=SEED)
    for key, v in res.counts.items():
        assert key[-1] == key[-2], key      # c[0] == c[1]
    p1 = sum(v for k, v in res.counts.items() if k[-1] == "1") / 20000
    assert abs(p1 - math.sin(0.5) ** 2) < 4.9 * math.sqrt(0.25 / 20000)


def test_conditions_known_answers():
    # x on q1 only when the first measurement gave 1: the two bits always agree
    c = Circuit(2, 2).h(0).measure(0, 0)
    with c.if_test(0, 1):
        c.x(1)
    c.measure(1, 1)
    res = qv.run(c, shots=4000, seed=SEED)
    assert set(res.counts) == {"00", "11"}
    # a condition on the whole register
    d = Circuit(3, 3).x(0).measure(0, 0).x(1).measure(1, 1)
    with d.if_test("c", 3):
        d.x(2)
    with d.if_test("c", 1):
        d.h(2)
    d.measure(2, 2)
    assert qv.run(d, shots=100, seed=SEED).counts == {"111": 100}
    # c_if on a bit read before anything wrote it (reads 0)
    e = Circuit(1, 2).x(0).c_if(1, 0).measure(0, 0)
    assert qv.run(e, shots=10, seed=1).counts == {"01": 10}


def test_sampling_matches_exact_probabilities():
    """Terminal-only circuits: counts against the exact Born probabilities."""
    rng = np.random.default_rng(SEED)
    c = Circuit(3)
    for q in range(3):
        c.u(*(float(x) for x in rng.uniform(-3, 3, 3)), q)
    c.cx(0, 1).cry(0.7, 1, 2)
    probs = qv.probabilities(c)
    c.measure_all()
    shots = 50_000
    res = qv.run(c, shots=shots, seed=SEED)
    exact = {format(i, "03b"): float(p) for i, p in enumerate(probs) if p > 0}
    d = tvd(res.counts, shots, exact, 1)
    assert d < one_sample_tvd_bound(8, shots), d


# -- result format --------------------------------------------------------------------------

def test_memory_is_consistent_with_counts():
    for name in ("teleport", "terminal_only", "reset", "several_registers"):
        c, _ = HAND_WRITTEN[name]()
        res = qv.run(c, shots=3001, seed=SEED)
        assert res.shots == 3001 and len(res.memory) == 3001
        assert Counter(res.memory) == Counter(res.counts)
        assert res.get_memory() == res.memory and res.get_counts() == res.counts
        assert res.num_clbits == c.num_clbits
        assert all(len(m) == c.num_clbits and set(m) <= {"0", "1"} for m in res.memory)
        assert list(res.counts) == sorted(res.counts)
        assert sum(res.probabilities().values()) == pytest.approx(1)
        assert res.counts[res.most_frequent()] == max(res.counts.values())


def test_memory_order_is_shuffled_not_grouped():
    """Per-shot memory lists shots in the order they were taken, not grouped by branch."""
    c = Circuit(1, 2).h(0).measure(0, 0).h(0).measure(0, 1)
    mem = qv.run(c, shots=2000, seed=SEED).memory
    runs = sum(1 for a, b in zip(mem, mem[1:]) if a != b)
    assert runs > 1000      # four equally likely outcomes: ~1500 changes expected


def test_seed_reproducibility():
    for name in ("teleport", "terminal_only"):
        c, _ = HAND_WRITTEN[name]()
        a = qv.run(c, shots=2000, seed=11)
        b = qv.run(c, shots=2000, seed=11)
        other = qv.run(c, shots=2000, seed=12)
        assert a.memory == b.memory and a.counts == b.counts and a.seed == 11
        assert other.memory != a.memory
        fresh = qv.run(c, shots=500)
        assert isinstance(fresh.seed, int) and fresh.seed >= 0
        assert qv.run(c, shots=500, seed=fresh.seed).memory == fresh.memory
    c = Circuit(2, 2).h(0).measure(0, 0).h(1).measure(1, 1)
    np.testing.assert_array_equal(qv.statevector(Circuit(1, 1).h(0).measure(0, 0).h(0), seed=3),
                                  qv.statevector(Circuit(1, 1).h(0).measure(0, 0).h(0), seed=3))


def test_count_key_format():
    # one register: c[n-1]...c[0]
    c = Circuit(3).x(0).measure_all()
    assert qv.run(c, shots=10, seed=1).counts == {"001": 10}
    c = Circuit(3, 5).x(2).measure(2, 4).measure(0, 1)
    assert qv.run(c, shots=10, seed=1).counts == {"10000": 10}
    # several registers, highest register first, no spaces
    d = Circuit(3)
    d.add_creg("a", 2)
    d.add_creg("b", 3)
    d.x(0).x(2).measure(0, 0).measure(2, 3).measure(1, 4)
    assert qv.run(d, shots=10, seed=1).counts == {"01001": 10}   # b=010, a=01
    e = Circuit(2, 1).x(1).measure(1, 0).measure_all()             # c then meas
    assert qv.run(e, shots=10, seed=1).counts == {"101": 10}       # meas=10, c=1
    # an untouched register still has its zeros in the key
    f = Circuit(1)
    f.add_creg("x", 1)
    f.add_creg("y", 2)
    f.x(0).measure(0, 0)
    assert qv.run(f, shots=3, seed=1).counts == {"001": 3}


def test_count_keys_match_aer_with_registers():
    c, qc = circuit_several_registers()
    res = qv.run(c, shots=5000, seed=SEED)
    ref = aer_counts(qc, shots=5000)
    # every outcome has probability >= 0.037: both see all six, spelled the same way
    assert set(res.counts) == set(ref) == {"000", "011", "100", "101", "110", "111"}


@pytest.mark.parametrize("shots", [0, -1, 1.5, True, "100", None])
def test_shots_validation(shots):
    c = Circuit(1).h(0).measure_all()
    with pytest.raises(BackendError, match="shots must be a positive int"):
        qv.run(c, shots=shots)


@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_seed_validation(seed):
    c = Circuit(1).h(0).measure_all()
    with pytest.raises(BackendError, match="seed must be a non-negative int"):
        qv.run(c, shots=10, seed=seed)


def test_backend_and_input_validation():
    c = Circuit(1).h(0).measure_all()
    with pytest.raises(BackendError, match="unknown backend 'gpu'"):
        qv.run(c, shots=10, backend="gpu")
    with pytest.raises(CircuitError, match="expected a Circuit"):
        qv.run(42)
    assert issubclass(BackendError, QValleyError)
    assert qv.run(c, shots=10, seed=1, backend="statevector").backend == "statevector"
    assert qv.run(c, shots=np.int64(7), seed=np.int64(1)).shots == 7


def test_no_measurement_is_an_error():
    with pytest.raises(CircuitError, match="measures nothing"):
        qv.run(Circuit(2).h(0).cx(0, 1), shots=10)
    with pytest.raises(CircuitError, match="measures nothing"):
        qv.run(Circuit(2, 2).h(0), shots=10)


def test_unbound_parameters_are_an_error():
    t = Parameter("theta")
    c = Circuit(1).h(0).rx(t, 0).measure_all()
    for call in (lambda: qv.run(c, shots=10), lambda: qv.statevector(c),
                 lambda: qv.probabilities(c)):
        with pytest.raises(CircuitError, match=r"gate rx at position 1 has unbound "
                                               r"parameters \(theta\)"):
            call()


def test_statevector_of_random_mid_circuit_measurement():
    c = Circuit(2, 1).h(0).measure(0, 0).cx(0, 1).h(1)
    with pytest.raises(CircuitError, match=r"measure of qubit 0 has a random outcome "
                                           r"\(P\(1\) = 0\.5\).*seed="):
        qv.statevector(c)
    with pytest.raises(CircuitError, match="random outcome"):
        qv.probabilities(c)
    with pytest.raises(CircuitError, match="reset of qubit 0 has a random outcome"):
        qv.statevector(Circuit(1).h(0).reset(0))
    s2 = 1 / math.sqrt(2)
    seen = set()
    for seed in range(20):
        psi = qv.statevector(c, seed=seed)
        assert abs(np.linalg.norm(psi) - 1) < 1e-12
        branch0 = np.array([s2, 0, s2, 0])          # q0 = 0, q1 = |+>
        branch1 = np.array([0, s2, 0, -s2])         # q0 = 1, q1 = |->
        match = [np.allclose(psi, b, atol=1e-12) for b in (branch0, branch1)]
        assert any(match), psi
        seen.add(match.index(True))
    assert seen == {0, 1}
    # a deterministic mid-circuit measurement needs no seed
    d = Circuit(2, 1).x(0).measure(0, 0).cx(0, 1)
    np.testing.assert_allclose(qv.statevector(d), [0, 0, 0, 1], atol=1e-15)
    # final measurements are dropped: no seed needed
    np.testing.assert_allclose(qv.statevector(Circuit(1).h(0).measure_all()),
                               [s2, s2], atol=1e-15)


def test_statevector_trajectory_follows_conditions():
    """With seed=, a conditioned gate after the measurement follows the drawn outcome."""
    c = Circuit(2, 1).h(0).measure(0, 0)
    with c.if_test(0, 1):
        c.x(1)
    for seed in range(10):
        psi = qv.statevector(c, seed=seed)
        assert np.allclose(psi, [1, 0, 0, 0]) or np.allclose(psi, [0, 0, 0, 1])
