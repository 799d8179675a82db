"""Noise channels, models and the density-matrix simulator against formulas and Aer.

References: closed-form results (T1 decay of |1>, dephasing of |+>, the depolarized Bell
pair), a plain numpy density-matrix simulator written here (full matrices, Kraus sums),
and Qiskit Aer's density_matrix method with the same noise built on its side from the
same numbers (fidelity of the two density matrices >= 1 - 1e-9).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley import noise
from qvalley.circuit import GATES
from qvalley.compile.decompose import embed

SEED = 5


def cptp_defect(ch) -> float:
    d = 1 << ch.num_qubits
    return float(np.max(np.abs(sum(k.conj().T @ k for k in ch.kraus) - np.eye(d))))


CHANNELS = [
    noise.depolarizing(0.0), noise.depolarizing(0.2), noise.depolarizing(4 / 3),
    noise.depolarizing(0.05, 2), noise.depolarizing(16 / 15, 2),
    noise.amplitude_damping(0.3), noise.phase_damping(0.4), noise.pauli(0.1, 0.2, 0.05),
    noise.thermal_relaxation(100e-6, 80e-6, 1e-6), noise.thermal_relaxation(50, 100, 7),
    noise.thermal_relaxation(50, 20, 7, excited_population=0.1), noise.reset_error(0.2, 0.1),
]


@pytest.mark.parametrize("ch", CHANNELS, ids=lambda c: c.name)
def test_every_channel_is_cptp(ch):
    assert cptp_defect(ch) < 1e-12
    # the superoperator preserves the trace of any density matrix
    rng = np.random.default_rng(SEED)
    d = 1 << ch.num_qubits
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = a @ a.conj().T
    rho /= np.trace(rho)
    out = sum(k @ rho @ k.conj().T for k in ch.kraus)
    assert abs(np.trace(out) - 1) < 1e-12
    vec = ch.superop() @ rho.T.reshape(-1)  # column-major vec: rho[i, j] at i + j d
    np.testing.assert_allclose(vec.reshape(d, d).T, out, atol=1e-12)


@pytest.mark.parametrize("make, message", [
    (lambda: noise.depolarizing(1.5), "depolarizing p"),
    (lambda: noise.depolarizing(float("nan")), "depolarizing p"),
    (lambda: noise.amplitude_damping(-0.1), "probability"),
    (lambda: noise.pauli(0.5, 0.4, 0.3), "add up"),
    (lambda: noise.thermal_relaxation(10, 30, 1), "exceeds 2 T1"),
    (lambda: noise.thermal_relaxation(10, 5, -1), "time"),
    (lambda: noise.kraus([np.eye(2), np.eye(2)]), "not trace preserving"),
    (lambda: noise.kraus([np.eye(3)]), "size 2"),
    (lambda: noise.readout(1.2, 0.0), "probability"),
])
def test_bad_channels_are_refused(make, message):
    with pytest.raises(qv.NoiseError, match=message):
        make()


def test_t1_decay_of_one_and_dephasing_of_plus():
    t1, t2, t = 50e-6, 30e-6, 20e-6
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.thermal_relaxation(t1, t2, t), "id")
    c = qv.Circuit(1).x(0).id(0)
    rho = qv.density_matrix(c, noise=m)
    assert abs(rho[1, 1].real - math.exp(-t / t1)) < 1e-12
    c = qv.Circuit(1).h(0).id(0)
    rho = qv.density_matrix(c, noise=m)
    assert abs(abs(rho[0, 1]) - 0.5 * math.exp(-t / t2)) < 1e-12
    assert abs(rho[0, 0].real - (1 - 0.5 * math.exp(-t / t1))) < 1e-12


def test_depolarized_ghz_fidelity():
    p = 0.03
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(p, 2), "cx")
    n = 4
    c = qv.Circuit(n).h(0)
    for q in range(n - 1):
        c.cx(q, q + 1)
    rho = qv.density_matrix(c, noise=m)
    ghz = np.zeros(1 << n)
    ghz[0] = ghz[-1] = 1 / math.sqrt(2)
    fid = float(np.real(ghz @ rho @ ghz))
    # each depolarizing keeps the state with weight (1 - p), and its fully mixed part on a
    # pair still overlaps the GHZ state; the exact value comes from the numpy reference
    ref = reference_rho(c, m)
    assert abs(fid - float(np.real(ghz @ ref @ ghz))) < 1e-12
    assert (1 - p) ** (n - 1) < fid < 1
    # closed form for the Bell pair: F = (1 - p) + p / 4 (the mixed part overlaps 1/4)
    bell = qv.density_matrix(qv.Circuit(2).h(0).cx(0, 1), noise=m)
    phi = np.array([1, 0, 0, 1]) / math.sqrt(2)
    assert abs(float(np.real(phi @ bell @ phi)) - (1 - p + p / 4)) < 1e-14
    # and for GHZ 3 with one depolarized pair after the last cx, the first cx ideal:
    # F = (1 - p) + p * (1/4) * (overlap of I/4 on qubits 1, 2 with GHZ) = 1 - p + p / 8
    m3 = qv.NoiseModel()
    m3.add_quantum_error(noise.depolarizing(p, 2), "cx", [1, 2])
    ghz3 = qv.density_matrix(qv.Circuit(3).h(0).cx(0, 1).cx(1, 2), noise=m3)
    g3 = np.zeros(8)
    g3[0] = g3[7] = 1 / math.sqrt(2)
    assert abs(float(np.real(g3 @ ghz3 @ g3)) - (1 - p + p / 8)) < 1e-14


def reference_rho(circuit, model) -> np.ndarray:
    """Plain numpy: full matrices and Kraus sums, gate by gate."""
    n = circuit.num_qubits
    rho = np.zeros((1 << n, 1 << n), dtype=complex)
    rho[0, 0] = 1
    for ins in circuit.data:
        if ins.kind not in ("gate", "unitary"):
            continue
        u = embed(ins.full_matrix(), ins.qubits, n)
        rho = u @ rho @ u.conj().T
        ch = model.error_for(ins.name, tuple(ins.qubits)) if model else None
        if ch is None:
            continue
        groups = [(q,) for q in ins.qubits] if ch.num_qubits == 1 else [tuple(ins.qubits)]
        for qs in groups:
            ks = [embed(k, qs, n) for k in ch.kraus]
            rho = sum(k @ rho @ k.conj().T for k in ks)
    return rho


def random_noisy(rng, n, count):
    one = ["h", "x", "sx", "rx", "ry", "rz", "u", "t"]
    two = ["cx", "cz", "rzz", "swap", "cp"]
    c = qv.Circuit(n)
    for _ in range(count):
        if n > 1 and rng.random() < 0.4:
            g = two[int(rng.integers(len(two)))]
            qs = [int(q) for q in rng.choice(n, 2, replace=False)]
        else:
            g = one[int(rng.integers(len(one)))]
            qs = [int(rng.integers(n))]
        c.append(g, qs, [float(x) for x in rng.uniform(-3, 3, GATES[g].num_params)])
    return c


def custom_model():
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.01), ["h", "x", "sx", "t"])
    m.add_all_qubit_error(noise.thermal_relaxation(60.0, 40.0, 1.5), ["rx", "ry", "u"])
    m.add_all_qubit_error(noise.amplitude_damping(0.02).compose(noise.phase_damping(0.03)),
                          ["rz"])
    m.add_all_qubit_error(noise.depolarizing(0.05, 2), ["cx", "cz"])
    m.add_all_qubit_error(noise.pauli(0.01, 0.02, 0.03), ["rzz", "swap", "cp"])
    m.add_quantum_error(noise.depolarizing(0.2, 2), "cx", [0, 1])
    m.add_readout_error(noise.readout(0.03, 0.01))
    return m


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_density_matrix_matches_numpy_reference(n):
    rng = np.random.default_rng(SEED + n)
    m = custom_model()
    for _ in range(3):
        c = random_noisy(rng, n, 30)
        np.testing.assert_allclose(qv.density_matrix(c, noise=m), reference_rho(c, m),
                                   atol=1e-12)


def test_density_matrix_on_the_planner_matches(monkeypatch):
    """n = 6: a 12-qubit vector, so the numba planner runs (fusing gates and channels)."""
    rng = np.random.default_rng(SEED)
    m = custom_model()
    c = random_noisy(rng, 6, 60)
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), reference_rho(c, m),
                               atol=1e-11)


def test_gathered_passes_with_depolarizing_blocks_match():
    """n = 8: a 16-qubit vector, more than a pass's lanes, so the planner gathers chunks;
    two-qubit depolarizing channels run as blocks inside those passes."""
    rng = np.random.default_rng(SEED + 8)
    m = custom_model()
    c = random_noisy(rng, 8, 40)
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), reference_rho(c, m),
                               atol=1e-11)


def test_wide_depolarizing_channels_on_the_planner():
    """Depolarizing channels on 3 qubits (6 bits: a block inside a pass) and on 4 (8 bits:
    wider than a pass takes, applied to the whole state on its own)."""
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.2, 3), ["ccx"])
    m.add_all_qubit_error(noise.depolarizing(0.3, 4), ["c3x"])
    m.add_all_qubit_error(noise.depolarizing(0.05, 2), ["cx"])
    c = qv.Circuit(8)
    for q in range(8):
        c.h(q) if q % 2 else c.ry(0.3 * q, q)
    c.ccx(0, 5, 7).cx(7, 2).append("c3x", [1, 3, 6, 2]).ccx(2, 4, 0)
    c.append("c3x", [7, 6, 5, 4])
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), reference_rho(c, m),
                               atol=1e-12)


@pytest.mark.parametrize("p, repeats", [(0.3, 200), (0.7, 3), (16 / 15, 2), (1.0, 1)])
def test_strong_and_long_depolarizing_chains(p, repeats):
    """Strong and long chains of depolarizing channels (diagonal transfer matrices folded
    into the cx's signed permutation): 200 channels of p = 0.3 shrink the coherences to
    0.7**200 ~ 1e-31, p = 16/15 is the fully depolarizing end; all match the reference."""
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(p, 2), ["cx"])
    m.add_all_qubit_error(noise.amplitude_damping(0.1), ["ry"])
    c = qv.Circuit(3).ry(0.7, 0).ry(1.9, 2)
    for i in range(repeats):
        c.cx(i % 3, (i + 1) % 3).ry(0.3 * i, i % 3)
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), reference_rho(c, m),
                               atol=1e-12)


def test_qubits_join_in_first_touch_order():
    """Qubits are simulated in the order gates first touch them; the density matrix,
    per-qubit readout errors and the clbit map come back in the circuit's order."""
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.1, 2), ["cx"])
    m.add_all_qubit_error(noise.thermal_relaxation(50, 30, 4), ["h", "ry"])
    for q, (a, b) in enumerate([(0.01, 0.02), (0.1, 0.0), (0.0, 0.3), (0.05, 0.05)]):
        m.add_readout_error(noise.readout(a, b), [q])
    c = qv.Circuit(4, 4).h(3).cx(3, 1).ry(0.4, 0).cx(1, 0).ry(1.1, 2).cx(0, 2)
    rho = reference_rho(c, m)
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), rho, atol=1e-13)
    for q, cb in [(2, 0), (0, 1), (3, 2), (1, 3)]:
        c.measure(q, cb)
    from qvalley.sim.density import engine as dm
    dist, _ = dm.outcome_distribution(c, m)
    probs = np.real(np.diag(rho))
    want = np.zeros(16)
    flips = {q: m.readout_for(q).matrix for q in range(4)}  # [true, read]
    for x in range(16):
        for y in range(16):
            w = probs[x]
            for q in range(4):
                w *= flips[q][(x >> q) & 1, (y >> q) & 1]
            k = sum(((y >> q) & 1) << cb for q, cb in [(2, 0), (0, 1), (3, 2), (1, 3)])
            want[k] += w
    np.testing.assert_allclose(dist, want, atol=1e-13)


def test_target_models_run_part_by_part():
    """A from_target model's gate errors are depolarizing then per-qubit relaxation: the
    simulator applies the parts; the whole channel's Kraus sum is the reference."""
    m = qv.NoiseModel.from_target("ibm-heron-r2")
    ch = m.error_for("cz", (0, 1))
    leaves = ch.leaves()
    assert leaves[0][0].depolarizing is not None and leaves[0][1] == (0, 1)
    assert {qs for _, qs in leaves[1:]} == {(0,), (1,)}
    assert all(leaf.num_qubits == 1 for leaf, _ in leaves[1:])
    c = qv.Circuit(3).sx(0).rz(0.4, 1).cz(0, 1).sx(2).cz(1, 2).x(0).cz(2, 0)
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), reference_rho(c, m),
                               atol=1e-13)


def test_outcome_distribution_and_readout():
    m = qv.NoiseModel()
    m.add_readout_error(noise.readout(0.1, 0.05))
    m.add_readout_error(noise.readout(0.0, 0.2), [1])
    c = qv.Circuit(2, 3).x(0).measure(0, 2).measure(1, 0)
    from qvalley.sim.density import engine as dm
    dist, bits = dm.outcome_distribution(c, m)
    assert bits == 3
    # clbit 2 holds qubit 0 (a 1 read as 0 w.p. 0.1), clbit 0 qubit 1 (a 0 read as 1 w.p. 0.2)
    want = np.zeros(8)
    for b2, p2 in ((1, 0.9), (0, 0.1)):
        for b0, p0 in ((0, 0.8), (1, 0.2)):
            want[(b2 << 2) | b0] += p2 * p0
    np.testing.assert_allclose(dist, want, atol=1e-14)
    res = qv.run(c, shots=20000, seed=3, noise=m)
    assert res.backend == "density_matrix"
    for key, p in (("100", 0.72), ("101", 0.18), ("000", 0.08), ("001", 0.02)):
        assert abs(res.counts.get(key, 0) / 20000 - p) < 5 * math.sqrt(p * (1 - p) / 20000)


def test_presets_and_errors():
    for name in ("ionq-aria-1", "ionq-forte-1", "ibm-eagle-r3", "ibm-heron-r2"):
        m = qv.NoiseModel.from_target(name)
        assert not m.is_ideal
        assert m.error_for("rz", (0,)) is None  # virtual
        two = m.error_for("cx", (0, 1))
        assert two is not None and two.num_qubits == 2
    # IonQ: depolarizing with IonQ's published rates
    forte = qv.NoiseModel.from_target("ionq-forte-1")
    ch = forte.error_for("cx", (0, 1))
    assert abs((1 - ch.average_gate_fidelity()) - 0.0049493 * 3 / 4) < 1e-12
    # IBM: the total average gate error equals the calibration's (Aer's recipe)
    heron = qv.get_target("ibm-heron-r2")
    m = qv.NoiseModel.from_target(heron)
    assert abs(1 - m.error_for("cz", (0, 1)).average_gate_fidelity() -
               heron.calibration.error_2q) < 1e-12
    assert abs(1 - m.error_for("sx", (3,)).average_gate_fidelity() -
               heron.calibration.error_1q) < 1e-12
    c = qv.Circuit(15).h(0).cx(0, 14).measure_all()
    with pytest.raises(qv.BackendError, match="up to 14"):
        qv.run(c, noise="ionq-forte-1", backend="density_matrix")
    c = qv.Circuit(2, 1).h(0).measure(0, 0).x(1).measure_all()
    with pytest.raises(qv.BackendError, match="all final"):
        qv.run(c, backend="density_matrix")
    with pytest.raises(qv.NoiseError):
        qv.NoiseModel().add_all_qubit_error(noise.depolarizing(0.1), "nosuchgate")


def test_against_aer_density_matrix():
    pytest.importorskip("qiskit_aer")
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    from qiskit_aer import noise as an
    rng = np.random.default_rng(SEED)
    m = qv.NoiseModel()
    am = an.NoiseModel()
    spec = [
        (noise.depolarizing(0.02), an.depolarizing_error(0.02, 1), ["h", "sx", "x"]),
        (noise.thermal_relaxation(60.0, 40.0, 1.5), an.thermal_relaxation_error(60.0, 40.0, 1.5),
         ["rx", "ry"]),
        (noise.amplitude_damping(0.05), an.amplitude_damping_error(0.05), ["rz"]),
        (noise.pauli(0.01, 0.02, 0.03),
         an.pauli_error([("X", 0.01), ("Y", 0.02), ("Z", 0.03), ("I", 0.94)]), ["t"]),
        (noise.depolarizing(0.04, 2), an.depolarizing_error(0.04, 2), ["cx", "cz"]),
    ]
    for ours, theirs, gates in spec:
        m.add_all_qubit_error(ours, gates)
        am.add_all_qubit_quantum_error(theirs, gates)
    sim = AerSimulator(method="density_matrix", noise_model=am)
    one = ["h", "x", "sx", "rx", "ry", "rz", "t"]
    for n in (2, 3, 4):
        c = qv.Circuit(n)
        for _ in range(25):
            if rng.random() < 0.4:
                g = ["cx", "cz"][int(rng.integers(2))]
                c.append(g, [int(q) for q in rng.choice(n, 2, replace=False)])
            else:
                g = one[int(rng.integers(len(one)))]
                c.append(g, [int(rng.integers(n))],
                         [float(x) for x in rng.uniform(-3, 3, GATES[g].num_params)])
        qc = QuantumCircuit(n)
        for ins in c.data:
            qc.append(_qiskit_gate(ins), list(ins.qubits))
        qc.save_density_matrix()
        theirs = np.asarray(sim.run(qc, basis_gates=am.basis_gates + ["save_density_matrix"])
                            .result().data()["density_matrix"])
        ours = qv.density_matrix(c, noise=m)
        # fidelity of two density matrices, via their square roots
        w, v = np.linalg.eigh(ours)
        root = v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.conj().T
        lam = np.linalg.eigvalsh(root @ theirs @ root)
        fid = float(np.sum(np.sqrt(np.clip(lam, 0, None))) ** 2)
        assert fid >= 1 - 1e-9, (n, fid)
        np.testing.assert_allclose(ours, theirs, atol=1e-10)


def _qiskit_gate(ins):
    from qiskit.circuit import library as L
    table = {"h": L.HGate, "x": L.XGate, "sx": L.SXGate, "rx": L.RXGate, "ry": L.RYGate,
             "rz": L.RZGate, "t": L.TGate, "cx": L.CXGate, "cz": L.CZGate}
    return table[ins.name](*ins.params)


def test_cli_noise(capsys):
    from qvalley.cli import main
    assert main(["run", "examples/ghz.qasm", "--shots", "500", "--seed", "2", "--noise",
                 "ionq-forte-1", "--json"]) == 0
    import json
    out = json.loads(capsys.readouterr().out)
    assert out["backend"] == "density_matrix" and sum(out["counts"].values()) == 500
    assert main(["run", "examples/ghz.qasm", "--noise", "nosuch"]) == 2
    assert "unknown target" in capsys.readouterr().err
    assert main(["run", "examples/ghz.qasm", "--noise", "ionq-forte-1", "--backend",
                 "statevector"]) != 0


def test_only_active_qubits_are_simulated_and_errors_keep_their_qubits():
    from qvalley.sim.density import engine as dm
    wide = qv.Circuit(30, 2).h(17).cx(17, 3).measure(17, 0).measure(3, 1)
    narrow = qv.Circuit(2, 2).h(1).cx(1, 0).measure(1, 0).measure(0, 1)
    mw, mn = qv.NoiseModel(), qv.NoiseModel()
    mw.add_quantum_error(noise.depolarizing(0.3, 2), "cx", [17, 3])
    mn.add_quantum_error(noise.depolarizing(0.3, 2), "cx", [1, 0])
    mw.add_readout_error(noise.readout(0.1, 0.0), [3])
    mn.add_readout_error(noise.readout(0.1, 0.0), [0])
    dw, _ = dm.outcome_distribution(wide, mw)
    dn, _ = dm.outcome_distribution(narrow, mn)
    np.testing.assert_allclose(dw, dn, atol=1e-14)
    assert qv.run(wide, shots=100, seed=1, noise=mw).backend == "density_matrix"
    nat = qv.compile(qv.Circuit(3).h(0).cx(0, 1).cx(1, 2).measure_all(), "ibm-heron-r2")
    counts = qv.run(nat, shots=2000, seed=4, noise="ibm-heron-r2").counts
    assert counts.get("000", 0) + counts.get("111", 0) > 1800


def test_compare_reports_noisy_fidelity(capsys):
    import json
    from qvalley.cli import main
    assert main(["compare", "examples/ghz.qasm", "--targets", "ionq-forte-1,ibm-heron-r2",
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    for r in rows:
        assert 0.9 < r["noisy_fidelity"] < 1.0
    from qvalley.sim.density.engine import hellinger_fidelity
    p = np.array([0.5, 0.5, 0, 0])
    assert abs(hellinger_fidelity(p, p) - 1) < 1e-15
    assert abs(hellinger_fidelity(p, np.array([0, 0, 0.5, 0.5]))) < 1e-15


def _agree(counts, dist, shots, bits):
    """Every outcome's frequency within 5 standard errors of the exact probability."""
    for k in range(1 << bits):
        p = dist[k]
        got = counts.get(format(k, f"0{bits}b"), 0) / shots
        assert abs(got - p) <= 5 * math.sqrt(max(p * (1 - p), 1e-12) / shots) + 1e-9, (k, got, p)


@pytest.mark.parametrize("preset", ["ibm-heron-r2", "ionq-aria-1"])
def test_trajectories_agree_with_the_density_matrix(preset, monkeypatch):
    from qvalley.sim.density import engine as dm
    rng = np.random.default_rng(SEED)
    c = random_noisy(rng, 4, 25)
    c.measure_all()
    m = qv.NoiseModel.from_target(preset)
    m.add_all_qubit_error(noise.amplitude_damping(0.05), ["t"])  # state-dependent choices
    m.add_readout_error(noise.readout(0.05, 0.02))
    dist, bits = dm.outcome_distribution(c, m)
    shots = 20000
    res = qv.run(c, shots=shots, seed=8, noise=m, backend="trajectories")
    assert res.backend == "trajectories" and sum(res.counts.values()) == shots
    assert 1 <= res.details["branches"] < shots
    _agree(res.counts, dist, shots, bits)
    # with no memory to spare, waiting branches are replayed from their history instead
    from qvalley.sim.density import trajectories as tr
    monkeypatch.setattr(tr, "available_bytes", lambda: 0)
    again = qv.run(c, shots=shots, seed=8, noise=m, backend="trajectories")
    _agree(again.counts, dist, shots, bits)
    errs = again.standard_errors()
    assert all(0 <= e < 0.01 for e in errs.values())


def test_auto_picks_the_backend():
    n = 13
    c = qv.Circuit(n).h(0)
    for q in range(n - 1):
        c.cx(q, q + 1)
    c.measure_all()
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.01, 2), "cx")
    res = qv.run(c, shots=500, seed=1, noise=m)  # Clifford with Pauli noise
    assert res.backend == "stabilizer"
    assert res.counts.get("0" * n, 0) + res.counts.get("1" * n, 0) > 350
    c = qv.Circuit(n).h(0).t(0).tdg(0)          # not Clifford as written
    for q in range(n - 1):
        c.cx(q, q + 1)
    c.measure_all()
    res = qv.run(c, shots=500, seed=1, noise=m)
    assert res.backend == "trajectories"
    assert res.counts.get("0" * n, 0) + res.counts.get("1" * n, 0) > 350
    m.add_all_qubit_error(noise.amplitude_damping(0.01), "h")  # not a Pauli channel
    assert qv.run(c, shots=10, seed=1, noise=m).backend == "trajectories"
    small = qv.run(qv.Circuit(2).h(0).cx(0, 1).measure_all(), shots=10, seed=1, noise=m)
    assert small.backend == "density_matrix"


def test_gates_under_extra_controls_are_not_the_table_gate():
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.5), "x")
    c = qv.Circuit(3).h(0).h(1)
    c.mc("x", [0, 1], [2], ctrl_state=1)     # stays 'x' with two controls: no x error
    np.testing.assert_allclose(qv.density_matrix(c, noise=m), qv.density_matrix(c),
                               atol=1e-14)
    c.x(2)                                    # the table gate gets it
    assert np.max(np.abs(qv.density_matrix(c, noise=m) - qv.density_matrix(c))) > 0.01


def reference_dynamic(circuit, model) -> dict[int, float]:
    """Plain numpy with classical branches: {register value: probability}. Every
    measurement (mid-circuit or final) projects and records what the noisy readout
    reads; resets are the Kraus pair |0><0|, |0><1|; conditions are checked per branch."""
    n = circuit.num_qubits
    rho = np.zeros((1 << n, 1 << n), dtype=complex)
    rho[0, 0] = 1
    branches = {0: rho}
    p0 = np.array([[1, 0], [0, 0]], dtype=complex)
    p1 = np.array([[0, 0], [0, 1]], dtype=complex)
    for ins in circuit.data:
        if ins.kind == "barrier":
            continue
        new = {}
        for reg, r in branches.items():
            if ins.condition is not None and not ins.condition.holds(reg):
                new[reg] = new.get(reg, 0) + r
                continue
            if ins.kind == "measure":
                q, c = ins.qubits[0], ins.clbits[0]
                err = model.readout_for(q) if model else None
                conf = err.matrix if err is not None else np.eye(2)
                for o, proj in ((0, p0), (1, p1)):
                    e = embed(proj, (q,), n)
                    part = e @ r @ e
                    for read in (0, 1):
                        key = (reg & ~(1 << c)) | (read << c)
                        new[key] = new.get(key, 0) + conf[o, read] * part
                continue
            if ins.kind == "reset":
                ks = [embed(np.array(k, dtype=complex), ins.qubits, n)
                      for k in ([[1, 0], [0, 0]], [[0, 1], [0, 0]])]
                r = sum(k @ r @ k.conj().T for k in ks)
                ch = model.error_for("reset", tuple(ins.qubits)) if model else None
                if ch is not None:  # the model's reset error follows it
                    ks = [embed(k, tuple(ins.qubits), n) for k in ch.kraus]
                    r = sum(k @ r @ k.conj().T for k in ks)
                new[reg] = new.get(reg, 0) + r
                continue
            u = embed(ins.full_matrix(), ins.qubits, n)
            r = u @ r @ u.conj().T
            ch = model.error_for(ins.name, tuple(ins.qubits)) if model else None
            if ch is not None:
                groups = [(q,) for q in ins.qubits] if ch.num_qubits == 1 \
                    else [tuple(ins.qubits)]
                for qs in groups:
                    ks = [embed(k, qs, n) for k in ch.kraus]
                    r = sum(k @ r @ k.conj().T for k in ks)
            new[reg] = new.get(reg, 0) + r
        branches = new
    return {reg: float(np.real(np.trace(r))) for reg, r in branches.items()}


def _assert_counts_match(counts: dict[str, int], exact: dict[int, float], shots: int,
                         m: int) -> None:
    """Every outcome's count within 5 standard deviations (+2 shots) of the exact mean."""
    for key in set(counts) | {format(k, f"0{m}b") for k in exact}:
        p = exact.get(int(key, 2), 0.0)
        got = counts.get(key, 0)
        assert abs(got - shots * p) <= 5 * math.sqrt(shots * p * (1 - p)) + 2, (key, got, p)


def test_resets_are_channels_in_the_density_matrix():
    m = custom_model()
    c = qv.Circuit(3, 3).h(0).cx(0, 1).ry(0.8, 2).reset(0).cx(2, 0).reset(1).h(1)
    c.cx(1, 2).measure(0, 0).measure(1, 1).measure(2, 2)
    from qvalley.sim.density import engine as dm
    dist, _ = dm.outcome_distribution(c, m)
    exact = reference_dynamic(c, m)
    np.testing.assert_allclose(dist, [exact.get(k, 0.0) for k in range(8)], atol=1e-13)
    assert qv.run(c, shots=10, seed=1, noise=m).backend == "density_matrix"


def test_reset_errors_follow_resets_on_every_backend():
    """An error attached to 'reset' (as Qiskit's noise models allow) acts after each
    reset: the density matrix exactly, trajectories and the stabilizer within 5 sigma."""
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.pauli(0.15, 0.05, 0.1), "reset")
    m.add_all_qubit_error(noise.depolarizing(0.05, 2), "cx")
    c = qv.Circuit(2, 3).h(0).cx(0, 1).reset(0).measure(1, 2).reset(1).cx(0, 1)
    c.measure(0, 0).measure(1, 1)
    exact = reference_dynamic(c, m)
    probs = np.array([exact.get(k, 0.0) for k in range(8)])
    quiet = qv.NoiseModel()
    quiet.add_all_qubit_error(noise.depolarizing(0.05, 2), "cx")
    without = reference_dynamic(c, quiet)
    assert sum(abs(probs[k] - without.get(k, 0.0)) for k in range(8)) > 0.2  # visible
    c_static = qv.Circuit(2, 2).h(0).cx(0, 1).reset(0).cx(0, 1).measure(0, 0).measure(1, 1)
    from qvalley.sim.density import engine as dm
    dist, _ = dm.outcome_distribution(c_static, m)
    want = reference_dynamic(c_static, m)
    np.testing.assert_allclose(dist, [want.get(k, 0.0) for k in range(4)], atol=1e-13)
    for backend in ("trajectories", "stabilizer"):
        res = qv.run(c, shots=8000, seed=4, noise=m, backend=backend)
        for k in range(8):
            got = res.counts.get(format(k, "03b"), 0)
            sd = math.sqrt(8000 * probs[k] * (1 - probs[k]))
            assert abs(got - 8000 * probs[k]) <= 5 * sd + 2, (backend, k, got, probs[k])
    with pytest.raises(qv.NoiseError, match="add_readout_error"):
        m.add_all_qubit_error(noise.depolarizing(0.1), "measure")
    m.add_all_qubit_error(noise.depolarizing(0.1), "mcx")  # a multi-controlled x's name


def test_trajectories_take_mid_circuit_measurements_resets_and_conditions():
    """Teleportation with noise and readout errors on the measured qubits, then a reset
    and a conditioned gate on a reused qubit: counts agree with the exact branching
    reference; auto picks trajectories; the density matrix refuses with a clear error."""
    m = qv.NoiseModel()
    m.add_all_qubit_error(noise.depolarizing(0.05, 2), ["cx"])
    m.add_all_qubit_error(noise.amplitude_damping(0.1), ["h", "ry"])
    m.add_readout_error(noise.readout(0.04, 0.02), [0])
    m.add_readout_error(noise.readout(0.0, 0.08), [1])
    c = qv.Circuit(3, 4).ry(1.1, 0).h(1).cx(1, 2).cx(0, 1).h(0)
    c.measure(0, 0).measure(1, 1)
    c.x(2).c_if(1, 1)
    c.z(2).c_if(0, 1)
    c.reset(0).h(0).measure(0, 3)
    c.ry(0.4, 0).c_if(3, 1)
    c.measure(2, 2)
    exact = reference_dynamic(c, m)
    shots = 20000
    res = qv.run(c, shots=shots, seed=11, noise=m)
    assert res.backend == "trajectories"
    _assert_counts_match(res.counts, exact, shots, 4)
    with pytest.raises(qv.BackendError, match="trajectories"):
        qv.run(c, shots=10, noise=m, backend="density_matrix")
