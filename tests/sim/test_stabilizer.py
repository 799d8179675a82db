"""The stabilizer backend against the state-vector simulator, exact formulas and numpy.

References: ``qv.probabilities`` / ``qv.statevector`` (independent engine) for final
distributions and expectation values, a numpy density-matrix reference with classical
branches (tests/noise) for mid-circuit measurements, resets, conditions and Pauli noise,
and closed forms (GHZ and graph-state parities, the uniform support of a stabilizer
state). Sampled counts are compared with 5-sigma bounds at fixed seeds.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

import qvalley as qv
from qvalley import noise
from qvalley.circuit import GATES
from qvalley.sim.stabilizer.clifford import clifford_map, pauli_channel, pauli_matrix

SEED = 17
ONE = ["x", "y", "z", "h", "s", "sdg", "sx", "sxdg", "id"]
TWO = ["cx", "cy", "cz", "swap", "iswap", "dcx", "ecr"]
ROTATIONS = [("rz", (math.pi / 2,)), ("rx", (math.pi,)), ("ry", (-math.pi / 2,)),
             ("u", (math.pi / 2, 0.0, math.pi)), ("p", (math.pi,)), ("rzz", (math.pi / 2,)),
             ("rxx", (-math.pi / 2,)), ("gpi2", (0.25,)), ("ms", (0.0, 0.25, 0.25))]


def random_clifford(rng, n, count, measure_mid=False):
    c = qv.Circuit(n, n)
    for _ in range(count):
        r = rng.random()
        if measure_mid and r < 0.08:
            q = int(rng.integers(n))
            c.measure(q, int(rng.integers(n)))
            continue
        if measure_mid and r < 0.12:
            c.reset(int(rng.integers(n)))
            continue
        if n > 1 and r < 0.45:
            qs = [int(q) for q in rng.choice(n, 2, replace=False)]
            if rng.random() < 0.2:
                name, params = ROTATIONS[int(rng.integers(5, len(ROTATIONS)))]
                if GATES[name].num_qubits == 2:
                    c.append(name, qs, list(params))
                    continue
            c.append(TWO[int(rng.integers(len(TWO)))], qs)
        elif rng.random() < 0.2:
            name, params = ROTATIONS[int(rng.integers(5))]
            c.append(name, [int(rng.integers(n))], list(params))
        else:
            c.append(ONE[int(rng.integers(len(ONE)))], [int(rng.integers(n))])
    return c


def assert_counts_match(counts, probs, shots, width):
    for key in set(counts) | {format(k, f"0{width}b") for k in np.nonzero(probs > 1e-12)[0]}:
        p = float(probs[int(key, 2)])
        got = counts.get(key, 0)
        assert abs(got - shots * p) <= 5 * math.sqrt(shots * p * (1 - p)) + 2, (key, got, p)


# -- the Clifford maps read off matrices ----------------------------------------------------

@pytest.mark.parametrize("name", ONE + TWO)
def test_every_table_clifford_gate_has_a_map_that_conjugates_paulis(name):
    u = GATES[name].matrix()
    k = GATES[name].num_qubits
    m = clifford_map(u)
    assert m is not None
    for v in range(4 ** k):
        w = 0
        for o, mask in enumerate(m.out_masks):
            w |= (bin(v & mask).count("1") & 1) << o
        sign = 0
        for mono in m.monomials:
            sign ^= int(v & mono == mono)
        np.testing.assert_allclose(u @ pauli_matrix(v, k) @ u.conj().T,
                                   (-1) ** sign * pauli_matrix(w, k), atol=1e-12)


def test_non_clifford_gates_have_no_map_and_are_refused_by_name():
    for name, params in [("t", ()), ("rz", (0.3,)), ("ccx", ()), ("ch", ()),
                         ("rx", (math.pi / 4,))]:
        assert clifford_map(GATES[name].matrix(*params)) is None
    c = qv.Circuit(2).h(0).cx(0, 1).t(1).measure_all()
    with pytest.raises(qv.BackendError, match=r"gate t at position 2"):
        qv.run(c, shots=10, backend="stabilizer")
    wide = qv.Circuit(5).h(0).unitary(np.eye(32), range(5)).measure_all()
    with pytest.raises(qv.BackendError, match=r"unitary at position 1 acts on 5 qubits"):
        qv.run(wide, shots=10, backend="stabilizer")
    assert clifford_map(GATES["x"].matrix()).pauli == 1       # x bit of qubit 0
    assert clifford_map(GATES["z"].matrix()).pauli == 2
    assert clifford_map(GATES["y"].matrix()).pauli == 3
    assert clifford_map(GATES["h"].matrix()).pauli == -1


def test_pauli_channels_are_recognised():
    np.testing.assert_allclose(pauli_channel(noise.pauli(0.1, 0.2, 0.05)),
                               [0.65, 0.1, 0.05, 0.2], atol=1e-12)  # I, X, Z, Y
    dep = pauli_channel(noise.depolarizing(0.3, 2))
    np.testing.assert_allclose(dep, [1 - 0.3 * 15 / 16] + [0.3 / 16] * 15, atol=1e-12)
    assert pauli_channel(noise.amplitude_damping(0.1)) is None
    assert pauli_channel(noise.thermal_relaxation(50, 40, 1)) is None


# -- distributions against the state vector ---------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 12])
def test_random_clifford_circuits_match_the_statevector(n):
    rng = np.random.default_rng(SEED + n)
    for trial in range(4):
        c = random_clifford(rng, n, 12 * n)
        exact = qv.probabilities(c)
        st = qv.stabilizer_state(c)
        # the support of a stabilizer state is uniform: every nonzero probability equal
        nz = exact[exact > 1e-12]
        np.testing.assert_allclose(nz, nz[0], rtol=1e-9)
        c.measure_all()
        shots = 4000
        res = qv.run(c, shots=shots, seed=trial, backend="stabilizer")
        assert res.backend == "stabilizer" and res.details["method"] == "frames"
        # measure_all adds a register: its bits are the top n of each key
        top = {}
        for key, v in res.counts.items():
            top[key[:n]] = top.get(key[:n], 0) + v
        assert_counts_match(top, exact, shots, n)
        assert st.num_qubits == n


def test_expectation_values_match_the_statevector():
    rng = np.random.default_rng(SEED)
    for n in (1, 2, 4, 6):
        c = random_clifford(rng, n, 10 * n)
        psi = qv.statevector(c)
        st = qv.stabilizer_state(c)
        for _ in range(30):
            label = "".join("IXYZ"[int(rng.integers(4))] for _ in range(n))
            m = np.ones((1, 1))
            for ch in label:  # the label's first letter is the highest qubit
                m = np.kron(m, {"I": np.eye(2), "X": GATES["x"].matrix(),
                                "Y": GATES["y"].matrix(), "Z": GATES["z"].matrix()}[ch])
            want = np.vdot(psi, m @ psi)
            assert abs(st.expectation(label) - want) < 1e-9
            assert abs(st.expectation("-" + label) + want) < 1e-9
        for g in st.stabilizers():
            assert st.expectation(g) == 1.0


def test_expectation_input_errors():
    st = qv.stabilizer_state(qv.Circuit(2).h(0))
    assert st.expectation({0: "X"}) == 1.0 and st.expectation({1: "Z"}) == 1.0
    with pytest.raises(qv.BackendError, match="2 qubits"):
        st.expectation("XXX")
    with pytest.raises(qv.BackendError, match="not one of"):
        st.expectation("XQ")
    with pytest.raises(qv.BackendError, match="outside"):
        st.expectation({5: "X"})
    with pytest.raises(qv.BackendError, match="not a Clifford"):
        qv.stabilizer_state(qv.Circuit(1).t(0))


# -- mid-circuit measurement, reset, conditions, noise ------------------------------------------

def _reference(c, model=None):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "noise"))
    from test_noise import reference_dynamic
    exact = reference_dynamic(c, model)
    probs = np.zeros(1 << c.num_clbits)
    for k, p in exact.items():
        probs[k] += p
    return probs


@pytest.mark.parametrize("n", [2, 3, 4])
def test_mid_circuit_measurements_and_resets_match_the_reference(n):
    rng = np.random.default_rng(SEED + 10 * n)
    for trial in range(3):
        c = random_clifford(rng, n, 10 * n, measure_mid=True)
        for q in range(n):
            c.measure(q, q)
        probs = _reference(c)
        res = qv.run(c, shots=4000, seed=trial, backend="stabilizer")
        assert_counts_match(res.counts, probs, 4000, n)


@pytest.mark.parametrize("n", [6, 9, 12])
def test_random_dynamic_clifford_circuits_match_the_statevector_in_distribution(n):
    """Up to 12 qubits with mid-circuit measurements and resets: the stabilizer's counts
    and the state-vector engine's (which splits shots between branches by their Born
    probabilities) pass a two-sample chi-square test; a wrong phase or sign anywhere
    moves whole outcomes in or out of the support and fails it by far."""
    rng = np.random.default_rng(SEED + 100 * n)
    shots = 20000
    for trial in range(2):
        c = random_clifford(rng, n, 12 * n, measure_mid=True)
        for q in range(n):
            c.measure(q, q)
        ours = qv.run(c, shots=shots, seed=trial, backend="stabilizer").counts
        theirs = qv.run(c, shots=shots, seed=trial + 50, backend="statevector").counts
        keys = set(ours) | set(theirs)
        chi2 = sum((ours.get(k, 0) - theirs.get(k, 0)) ** 2 / (ours.get(k, 0) + theirs.get(k, 0))
                   for k in keys)
        df = max(len(keys) - 1, 1)
        assert chi2 < df + 5 * math.sqrt(2 * df) + 10, (n, trial, chi2, df)


def test_teleportation_with_pauli_noise_and_readout_runs_on_frames():
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.06, 2), ["cx"])
    m.add_all_qubit_error(noise.pauli(0.02, 0.01, 0.03), ["h", "s"])
    m.add_readout_error(noise.readout(0.05, 0.02), [0])
    m.add_readout_error(noise.readout(0.0, 0.1), [2])
    c = qv.Circuit(3, 3).h(0).s(0).h(1).cx(1, 2).cx(0, 1).h(0)
    c.measure(0, 0).measure(1, 1)
    c.x(2).c_if(1, 1)
    c.z(2).c_if(0, 1)
    c.sdg(2).h(2).measure(2, 2)  # undo the prepared state: ideally always 0
    probs = _reference(c, m)
    res = qv.run(c, shots=20000, seed=3, backend="stabilizer", noise=m)
    assert res.details["method"] == "frames"
    assert_counts_match(res.counts, probs, 20000, 3)


def test_idle_qubits_and_three_qubit_cliffords_are_renumbered():
    """Only touched qubits are simulated: a 3-qubit Clifford unitary on scattered qubits,
    a reset (with its error) on a qubit nothing else touches, an idle qubit measured."""
    h, cx = GATES["h"].matrix(), GATES["cx"].matrix()
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.pauli(0.2, 0.0, 0.0), ["reset"])
    m.add_all_qubit_error(noise.depolarizing(0.1, 1), ["s"])
    c = qv.Circuit(6, 4).h(5).s(5)
    c.unitary(np.kron(h, cx), [5, 0, 3])   # qubits 5 (and 0, 3 as the cx)
    c.reset(4)                              # 4 stays |0>, its error dropped with it
    c.cx(5, 3).measure(5, 0).measure(0, 1).measure(3, 2).measure(1, 3)
    probs = _reference(c, m)
    for model in (None, m):
        res = qv.run(c, shots=6000, seed=2, backend="stabilizer", noise=model)
        assert res.details["active_qubits"] == 4
        assert_counts_match(res.counts, _reference(c, model) if model is None else probs,
                            6000, 4)


def test_conditioned_cliffords_run_a_tableau_per_shot():
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.05), ["h"])
    m.add_readout_error(noise.readout(0.03, 0.04))
    c = qv.Circuit(3, 3).h(0).measure(0, 0)
    c.h(1).c_if(0, 1)
    c.cx(1, 2).measure(1, 1)
    c.reset(0).c_if(1, 0)
    c.h(0).measure(0, 2)
    probs = _reference(c, m)
    res = qv.run(c, shots=6000, seed=5, backend="stabilizer", noise=m)
    assert res.details["method"] == "tableau per shot"
    assert_counts_match(res.counts, probs, 6000, 3)


def test_pauli_twirl_matches_the_closed_forms():
    """Amplitude damping gamma twirls to px = py = gamma/4, pz = (1 - gamma/2 -
    sqrt(1 - gamma))/2; a Pauli channel is its own twirl; the twirl keeps the average gate
    fidelity (it keeps the diagonal of the process matrix) and is always a Pauli channel,
    also for the composite two-qubit errors of a target's model."""
    g = 0.3
    probs = pauli_channel(noise.pauli_twirl(noise.amplitude_damping(g)))  # I, X, Z, Y
    pz = (1 - g / 2 - math.sqrt(1 - g)) / 2
    np.testing.assert_allclose(probs, [1 - g / 2 - pz, g / 4, pz, g / 4], atol=1e-12)
    p = noise.pauli(0.1, 0.02, 0.05)
    np.testing.assert_allclose(pauli_channel(noise.pauli_twirl(p)), pauli_channel(p),
                               atol=1e-14)
    m = qv.NoiseModel.from_target("ibm-heron-r2")
    t = m.pauli_twirled()
    for gate, qubits in (("sx", (0,)), ("cz", (0, 1))):
        ch, tw = m.error_for(gate, qubits), t.error_for(gate, qubits)
        assert pauli_channel(ch) is None and pauli_channel(tw) is not None
        assert tw.average_gate_fidelity() == pytest.approx(ch.average_gate_fidelity(),
                                                           abs=1e-12)
    assert t.readout_for(3) == m.readout_for(3)
    with pytest.raises(qv.NoiseError, match="pauli_twirl takes"):
        noise.pauli_twirl(np.eye(2))


def test_twirled_device_noise_runs_large_clifford_circuits():
    """A machine's model is not Pauli: auto cannot use the stabilizer for a 100-qubit
    Clifford circuit and says how (the twirled model); with it, the stabilizer's counts
    match the exact density matrix of the same twirled model on a small circuit."""
    n = 100
    ghz = qv.Circuit(n).h(0)
    for q in range(n - 1):
        ghz.cx(q, q + 1)
    ghz.measure_all()
    with pytest.raises(qv.ResourceError, match=r"pauli_twirled\(\)"):
        qv.run(ghz, shots=10, noise="ibm-heron-r2")
    twirled = qv.NoiseModel.from_target("ibm-heron-r2").pauli_twirled()
    res = qv.run(ghz, shots=2000, seed=2, noise=twirled)
    assert res.backend == "stabilizer"
    assert 0.2 < (res.counts.get("0" * n, 0) + res.counts.get("1" * n, 0)) / 2000 < 0.95
    small = qv.Circuit(3).h(0).cx(0, 1).sx(2).cz(1, 2).h(1).measure_all()
    from qvalley.sim.density import engine as dm
    dist, _ = dm.outcome_distribution(small, twirled)
    res = qv.run(small, shots=20000, seed=4, noise=twirled, backend="stabilizer")
    assert_counts_match(res.counts, np.asarray(dist), 20000, 3)


def test_non_pauli_noise_is_refused():
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.amplitude_damping(0.1), ["h"])
    with pytest.raises(qv.BackendError, match="not a Pauli channel"):
        qv.run(qv.Circuit(1).h(0).measure_all(), shots=5, backend="stabilizer", noise=m)


# -- large circuits -------------------------------------------------------------------------------

def test_ghz_and_graph_state_parities_at_1000_qubits():
    n = 1000
    ghz = qv.Circuit(n).h(0)
    for q in range(n - 1):
        ghz.cx(q, q + 1)
    ghz.measure_all()
    start = time.perf_counter()
    res = qv.run(ghz, shots=2000, seed=1)
    assert res.backend == "stabilizer"
    assert set(res.counts) <= {"0" * n, "1" * n} and len(res.counts) == 2
    assert abs(res.counts["0" * n] - 1000) < 5 * math.sqrt(500)
    # a ring graph state: X_i Z_{i-1} Z_{i+1} = +1, read by measuring qubit i in X
    g = qv.Circuit(n, n)
    for q in range(n):
        g.h(q)
    for q in range(n):
        g.cz(q, (q + 1) % n)
    for q in range(0, n, 3):  # disjoint checks: qubits 3t in X, their neighbours in Z
        g.h(q)
    g.measure(range(n), range(n))
    rec = np.array(qv.run(g, shots=500, seed=2, backend="stabilizer").memory)
    bits = np.array([[int(ch) for ch in row[::-1]] for row in rec])  # bits[s, clbit]
    for q in range(3, n - 2, 3):  # (qubit 999 is X-measured too: skip qubit 0's check)
        assert np.all(bits[:, q] ^ bits[:, q - 1] ^ bits[:, q + 1] == 0)
    assert 0.2 < bits[:, 1].mean() < 0.8  # a Z-measured qubit of the ring is random
    assert time.perf_counter() - start < 30


def test_auto_picks_the_stabilizer_only_for_large_clifford_circuits():
    small = qv.Circuit(3).h(0).cx(0, 1).measure_all()
    assert qv.run(small, shots=10).backend == "statevector"
    big = qv.Circuit(30).h(0)
    for q in range(29):
        big.cx(q, q + 1)
    big.measure_all()
    assert qv.run(big, shots=10).backend == "stabilizer"
    mid = qv.Circuit(16).h(0)
    for q in range(15):
        mid.cx(q, q + 1)
    mid.measure_all()
    assert qv.run(mid, shots=10).backend == "statevector"
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.01, 2), ["cx"])
    assert qv.run(mid, shots=10, noise=m).backend == "stabilizer"
    m.add_all_qubit_error(noise.amplitude_damping(0.01), ["h"])
    assert qv.run(mid, shots=10, noise=m).backend == "trajectories"


def _multiply(a: str, b: str) -> str:
    """Product of two signed Pauli labels (letters by letter, phases tracked): reference
    for the tableau's phase arithmetic."""
    table = {("X", "Y"): ("Z", 1), ("Y", "Z"): ("X", 1), ("Z", "X"): ("Y", 1),
             ("Y", "X"): ("Z", 3), ("Z", "Y"): ("X", 3), ("X", "Z"): ("Y", 3)}
    e = (2 if a[0] == "-" else 0) + (2 if b[0] == "-" else 0)
    out = []
    for p, q in zip(a[1:], b[1:]):
        if p == "I" or q == "I" or p == q:
            out.append(q if p == "I" else p if q == "I" else "I")
            continue
        r, de = table[(p, q)]
        out.append(r)
        e += de
    assert e % 2 == 0, "commuting generators multiply to a Hermitian Pauli"
    return ("-" if e % 4 == 2 else "+") + "".join(out)


def test_wide_tableaus_keep_phases_across_words():
    """150 qubits (three words of rows): products of many generators have expectation
    +1 (and their negation -1), and every deterministic single- and two-qubit Z parity
    of the state is what every sampled shot shows."""
    rng = np.random.default_rng(SEED + 150)
    n = 150
    c = random_clifford(rng, n, 10 * n)
    st = qv.stabilizer_state(c)
    gens = st.stabilizers()
    for _ in range(20):
        chosen = rng.choice(n, int(rng.integers(2, 60)), replace=False)
        prod = "+" + "I" * n
        for i in chosen:
            prod = _multiply(prod, gens[int(i)])
        assert st.expectation(prod) == 1.0
        assert st.expectation(("+" if prod[0] == "-" else "-") + prod[1:]) == -1.0
    c.measure_all()
    shots = 300
    rec = np.array(qv.run(c, shots=shots, seed=9, backend="stabilizer").memory)
    bits = np.array([[int(ch) for ch in row[::-1]] for row in rec])[:, n:]  # the new register
    fixed = 0
    for a in range(n):
        z = st.expectation({a: "Z"})
        if z != 0:
            fixed += 1
            assert np.all(bits[:, a] == (1 - int(z)) // 2)
        else:
            assert 0.25 < bits[:, a].mean() < 0.75
    pairs = 0
    for _ in range(400):
        a, b = (int(x) for x in rng.choice(n, 2, replace=False))
        zz = st.expectation({a: "Z", b: "Z"})
        if zz != 0 and st.expectation({a: "Z"}) == 0:
            pairs += 1
            assert np.all(bits[:, a] ^ bits[:, b] == (1 - int(zz)) // 2)
    assert fixed + pairs > 0
