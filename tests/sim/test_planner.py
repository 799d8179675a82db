"""The planner, fusion and the cache-blocked numba passes against plain numpy.

References are independent of the code under test: a dense 2**n unitary built with
``np.kron``-free embedding (``gates.embed``) and multiplied onto the state, or the numpy
engine of the foundation. Tolerances: 1e-12 (complex128; a few hundred gates of rounding)
and 2e-5 (complex64). Small lane counts (chunks of 2**5 to 2**7 amplitudes) force gathered
passes, controls and diagonal qubits outside the lanes, wide blocks applied on their own
and the final un-relabelling swaps, all on states small enough to check densely.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit.gates import GATES, embed

pytest.importorskip("numba")

from qvalley.sim.statevector import fusion, planner  # noqa: E402

TOL = {np.complex128: 1e-12, np.complex64: 2e-5}


def haar(rng, dim):
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


def random_state(rng, n):
    psi = rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n)
    return psi / np.linalg.norm(psi)


def random_gates(rng, n, count):
    """(matrix, targets, controls, ctrl_state) of every kernel kind, on random qubits."""
    out = []
    names = ["h", "x", "rz", "p", "cx", "cz", "cp", "swap", "ccx", "cswap", "rzz", "cry",
             "crz", "ch", "u", "t", "y", "iswap", "rxx", "ccz"]
    for _ in range(count):
        r = rng.random()
        if r < 0.6:
            name = names[int(rng.integers(len(names)))]
            g = GATES[name]
            if g.num_qubits > n:
                continue
            qs = [int(q) for q in rng.choice(n, g.num_qubits, replace=False)]
            params = rng.uniform(-math.pi, math.pi, g.num_params)
            out.append((g.matrix(*params), tuple(qs), (), 0))
        elif r < 0.8:
            k = int(rng.integers(1, min(4, n) + 1))
            qs = tuple(int(q) for q in rng.choice(n, k, replace=False))
            if rng.random() < 0.3:
                m = np.diag(np.exp(1j * rng.uniform(0, 2 * np.pi, 2 ** k)))
            else:
                m = haar(rng, 2 ** k)
            out.append((m, qs, (), 0))
        else:  # controlled: dense, diagonal or X, with random control values
            k = 1 + int(rng.random() < 0.3)
            c = int(rng.integers(1, max(2, min(4, n - k) + 1)))
            if c + k > n:
                continue
            qs = [int(q) for q in rng.choice(n, c + k, replace=False)]
            kind = rng.random()
            if kind < 0.3:
                m = np.array([[0, 1], [1, 0]], dtype=complex) if k == 1 else \
                    GATES["swap"].matrix()
            elif kind < 0.6:
                m = np.diag(np.exp(1j * rng.uniform(0, 2 * np.pi, 2 ** k)))
            else:
                m = haar(rng, 2 ** k)
            out.append((m, tuple(qs[c:]), tuple(qs[:c]), int(rng.integers(2 ** c))))
    return out


def dense_reference(n, gates, psi):
    for m, targets, controls, ctrl_state in gates:
        k, c = len(targets), len(controls)
        full = np.eye(2 ** (k + c), dtype=complex)
        want = sum(((ctrl_state >> i) & 1) << i for i in range(c))
        idx = [want | (t << c) for t in range(2 ** k)]
        full[np.ix_(idx, idx)] = m
        psi = embed(full, list(controls) + list(targets), n) @ psi
    return psi


@pytest.fixture
def small_lanes(monkeypatch):
    """Chunks of 2**L amplitudes (L from the test) and runs of 2 amplitudes."""
    def set_lanes(L, dtype=np.complex128):
        monkeypatch.setattr(planner, "LANE_BYTES", (1 << L) * np.dtype(dtype).itemsize)
        monkeypatch.setattr(planner, "RUN_BITS", 1)
    return set_lanes


def run_plan(n, gates, psi, dtype):
    p = planner.plan(n, gates, dtype)
    state = psi.astype(dtype)
    planner.execute(p, state, threads=2)
    return state, p


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
@pytest.mark.parametrize("seed", range(12))
def test_random_gates_match_dense_numpy(small_lanes, seed, dtype):
    rng = np.random.default_rng([7, seed])
    n = int(rng.integers(2, 10))
    L = int(rng.integers(min(n, 3), n + 1)) if seed % 3 else n
    small_lanes(max(L, 1), dtype)
    gates = random_gates(rng, n, 60)
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, dtype)
    want = dense_reference(n, gates, psi)
    assert got.dtype == dtype
    err = np.max(np.abs(got - want))
    assert err < TOL[dtype], f"n={n} L={L}: max error {err:.3g}\n{p}"


@pytest.mark.parametrize("n,L", [(9, 7), (10, 8), (12, 9), (16, 14)])
def test_gathered_passes_on_larger_states(small_lanes, n, L):
    """Several chunks per pass, lanes far apart, threads sharing the chunks."""
    small_lanes(L)
    rng = np.random.default_rng(n * 100 + L)
    gates = random_gates(rng, n, 150)
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, np.complex128)
    assert any(not q.in_place for q in p.passes if q.lanes is not None)
    ref = psi.copy()
    from qvalley.sim.statevector import kernels
    for m, t, c, cs in gates:
        kernels.apply_matrix(ref, n, m, t, c, cs)
    assert np.max(np.abs(got - ref)) < 1e-12


def test_swaps_are_relabelled_and_undone(small_lanes):
    small_lanes(4)
    n = 8
    rng = np.random.default_rng(5)
    swap = GATES["swap"].matrix()
    gates = []
    for _ in range(20):
        a, b = (int(q) for q in rng.choice(n, 2, replace=False))
        gates.append((swap, (a, b), (), 0))
        gates.append((haar(rng, 2), (int(rng.integers(n)),), (), 0))
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, np.complex128)
    assert p.relabelled == 20
    assert np.max(np.abs(got - dense_reference(n, gates, psi))) < 1e-12


def test_wide_blocks_run_on_their_own(small_lanes):
    small_lanes(6)
    n = 9
    rng = np.random.default_rng(11)
    gates = [(haar(rng, 2), (q,), (), 0) for q in range(n)]
    gates.append((haar(rng, 2 ** 7), tuple(int(q) for q in rng.permutation(n)[:7]), (), 0))
    gates.append((np.diag(np.exp(1j * rng.uniform(0, 6, 2 ** 13 // 16))),
                  tuple(range(9)), (), 0))
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, np.complex128)
    assert sum(q.lanes is None for q in p.passes) >= 1
    assert np.max(np.abs(got - dense_reference(n, gates, psi))) < 1e-12


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_dense_kernels_at_every_pair_of_positions(dtype):
    """One chunk in place (12 qubits): every (low, high) position pair of a dense 2-qubit
    gate and every position of a dense 1-qubit gate, each kernel specialisation."""
    n = 12
    rng = np.random.default_rng(21)
    gates = [(haar(rng, 4), (a, b), (), 0) for a in range(n) for b in range(n) if a != b]
    gates += [(haar(rng, 2), (q,), (), 0) for q in range(n)]
    psi = random_state(rng, n)
    from qvalley.sim.statevector import kernels
    for m, t, c, cs in gates:  # one block per gate: no fusion across them
        got, p = run_plan(n, [(m, t, c, cs)], psi, dtype)
        ref = psi.copy()
        kernels.apply_matrix(ref, n, m, t, c, cs)
        assert np.max(np.abs(got - ref)) < 10 * TOL[dtype], f"targets {t}"


@pytest.mark.parametrize("run_bits", [1, 8])
def test_low_targets_are_moved_off_the_slow_bits(small_lanes, monkeypatch, run_bits):
    """With spare lanes, gathered passes put no dense target on a slow buffer bit; the
    permuted copies in and out of the buffer (pieces of 1, 2, 4 or more amplitudes) keep
    the result exact."""
    small_lanes(9)
    monkeypatch.setattr(planner, "RUN_BITS", run_bits)
    monkeypatch.setattr(planner, "MAX_TARGETS", 2)
    monkeypatch.setattr(planner, "SLOW_BITS", (1, 2, 3))
    from qvalley.sim.statevector import nb_pass as K
    n = 12
    rng = np.random.default_rng(8)
    gates = random_gates(rng, n, 200)
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, np.complex128)
    assert sum(q.permuted for q in p.passes) >= 3
    for q in p.passes:
        if q.lanes is None:
            continue
        for row in q.ops:
            if row[K.KIND] in (K.DENSE1, K.DENSE2, K.DENSEK, K.XGATE, K.SWAP):
                pos = set(row[K.POS:K.POS + row[K.K]].tolist())
                assert not pos & {1, 2, 3}, (row, q)
    ref = psi.copy()
    from qvalley.sim.statevector import kernels
    for m, t, c, cs in gates:
        kernels.apply_matrix(ref, n, m, t, c, cs)
    assert np.max(np.abs(got - ref)) < 1e-12


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_diagonals_with_cached_and_rebuilt_patterns(small_lanes, dtype):
    """Diagonals whose qubits above the pattern bits are few (patterns built once per
    chunk) and many (rebuilt as the walk goes), with qubits outside the lanes."""
    small_lanes(14, dtype)
    n = 16
    rng = np.random.default_rng(4)
    gates = []
    for qubits in [(0, 1), (6, 7), (2, 9), tuple(range(3, 13)), tuple(range(6, 16)),
                   (0, 5, 7, 9, 11, 13, 14, 15), (15, 3)]:
        gates.append((haar(rng, 2), (int(rng.integers(n)),), (), 0))
        gates.append((np.diag(np.exp(1j * rng.uniform(0, 6, 2 ** len(qubits)))), qubits,
                      (), 0))
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, dtype)
    ref = psi.copy()
    from qvalley.sim.statevector import kernels
    for m, t, c, cs in gates:
        kernels.apply_matrix(ref, n, m, t, c, cs)
    assert np.max(np.abs(got - ref)) < 10 * TOL[dtype]


def test_rotations_around_a_cz_fuse_into_one_dense_block():
    """Brickwork: the cz and the rotation layers on either side become dense 2-qubit
    blocks (the greedy walk alone would leave the cz as a separate diagonal)."""
    rng = np.random.default_rng(2)
    n = 4
    gates = []
    for layer in range(4):
        gates += [(haar(rng, 2), (q,), (), 0) for q in range(n)]
        gates += [(GATES["cz"].matrix(), (q, q + 1), (), 0) for q in range(layer % 2, n - 1, 2)]
    blocks = [fusion.from_gate(m, t, c, cs, planner.DIAG_WIDTH) for m, t, c, cs in gates]
    fused = fusion.fuse(blocks, planner.DENSE_WIDTH, planner.DIAG_WIDTH)
    assert not any(b.kind == fusion.DIAG for b in fused), [(b.kind, b.qubits) for b in fused]
    assert np.max(np.abs(unitary_of(fused, n) - unitary_of(blocks, n))) < 1e-12


def unitary_of(blocks, n):
    """The 2**n unitary of a list of fusion blocks, applied in order."""
    u = np.eye(2 ** n, dtype=complex)
    for b in blocks:
        if b.kind == fusion.DIAG:
            m = np.diag(b.data)
        elif b.kind == fusion.XGATE:
            m = np.array([[0, 1], [1, 0]], dtype=complex)
        elif b.kind == fusion.SWAP:
            m = GATES["swap"].matrix()
        else:
            m = b.data
        c = len(b.controls)
        k = len(b.qubits)
        full = np.eye(2 ** (k + c), dtype=complex)
        want = sum(v << i for i, v in enumerate(b.controls.values()))
        idx = [want | (t << c) for t in range(2 ** k)]
        full[np.ix_(idx, idx)] = m
        u = embed(full, list(b.controls) + list(b.qubits), n) @ u
    return u


@pytest.mark.parametrize("seed", range(8))
def test_fusion_preserves_the_unitary_and_saves_work(seed):
    rng = np.random.default_rng([3, seed])
    n = 5
    gates = [g for g in random_gates(rng, n, 80)
             if not (len(g[1]) == 2 and not g[2] and np.array_equal(g[0],
                                                                    GATES["swap"].matrix()))]
    blocks = [fusion.from_gate(m, t, c, cs, planner.DIAG_WIDTH) for m, t, c, cs in gates]
    fused = fusion.fuse(blocks, planner.DENSE_WIDTH, planner.DIAG_WIDTH)
    assert np.max(np.abs(unitary_of(fused, n) - unitary_of(blocks, n))) < 1e-12
    assert sum(b.cost for b in fused) <= sum(b.cost for b in blocks) + 1e-9
    assert sum(b.gates for b in fused) == len(blocks)


def test_layered_rotations_fuse_into_few_blocks():
    c = qv.Circuit(4)
    for layer in range(3):
        for q in range(4):
            c.rx(0.1 * q, q).ry(0.2, q).rz(0.3 + layer, q)
        c.cz(0, 1).cz(2, 3)
    psi, plan = qv.statevector(c, explain=True)
    assert plan is not None and plan.blocks <= 6
    assert "passes over memory" in str(plan)


def test_statevector_options_and_errors(monkeypatch):
    c = qv.Circuit(13)
    for q in range(13):
        c.h(q).rz(0.1 * q, q)
    for q in range(12):
        c.cx(q, q + 1)
    monkeypatch.setenv("QVALLEY_ENGINE", "numpy")
    ref = qv.statevector(c)
    monkeypatch.setenv("QVALLEY_ENGINE", "auto")
    for threads in (1, 2):
        np.testing.assert_allclose(qv.statevector(c, threads=threads), ref, atol=1e-12)
    single = qv.statevector(c, precision="single")
    assert single.dtype == np.complex64
    np.testing.assert_allclose(single, ref, atol=2e-6)
    monkeypatch.setenv("QVALLEY_NUM_THREADS", "1")
    np.testing.assert_allclose(qv.statevector(c), ref, atol=1e-12)
    for bad in ({"precision": "half"}, {"threads": 0}, {"threads": 1.5}):
        with pytest.raises(qv.BackendError):
            qv.statevector(c, **bad)
    monkeypatch.setenv("QVALLEY_NUM_THREADS", "many")
    with pytest.raises(qv.BackendError, match="QVALLEY_NUM_THREADS"):
        qv.statevector(c)
    monkeypatch.delenv("QVALLEY_NUM_THREADS")
    monkeypatch.setenv("QVALLEY_ENGINE", "gpu")
    with pytest.raises(qv.BackendError, match="QVALLEY_ENGINE"):
        qv.statevector(c)


def test_dynamic_circuits_report_no_plan():
    c = qv.Circuit(2, 2).h(0).measure(0, 0)
    with c.if_test("c", 1):
        c.x(1)
    psi, plan = qv.statevector(c, seed=1, explain=True)
    assert plan is None and abs(np.vdot(psi, psi) - 1) < 1e-12


def test_small_circuits_do_not_import_numba():
    import subprocess
    import sys
    code = ("import sys, qvalley as qv; c = qv.Circuit(3).h(0).cx(0, 1).cx(1, 2).measure_all();"
            "qv.run(c, shots=10, seed=1); qv.statevector(qv.Circuit(5).h(0));"
            "print('numba' in sys.modules)")
    import os
    env = {k: v for k, v in os.environ.items() if k != "QVALLEY_ENGINE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip() == "False"


def _drifting(monkeypatch, small_lanes):
    """Small chunks with slow bits: gathered passes move low targets up and write their
    chunks back in buffer order, so memory drifts away from the circuit's bit order."""
    small_lanes(9)
    monkeypatch.setattr(planner, "RUN_BITS", 4)
    monkeypatch.setattr(planner, "MAX_TARGETS", 2)
    monkeypatch.setattr(planner, "SLOW_BITS", (1, 2, 3))


@pytest.mark.parametrize("seed", range(4))
def test_drifting_layout_is_tracked_and_undone(small_lanes, monkeypatch, seed):
    """Controls and diagonal qubits outside the lanes, wide blocks applied on their own
    and the last pass all read the memory bits where the layout has put their qubits;
    the state ends in circuit order (the last pass writes it so, or passes without gates
    put it back)."""
    _drifting(monkeypatch, small_lanes)
    n = 12
    rng = np.random.default_rng([31, seed])
    gates = []
    for g in random_gates(rng, n, 160):
        gates.append(g)
        qs = [int(q) for q in rng.permutation(n)[:4]]  # controls and diagonals anywhere
        if rng.random() < 0.5:
            gates.append((haar(rng, 2), (qs[0],), (qs[1], qs[2]), int(rng.integers(4))))
        else:
            gates.append((np.diag(np.exp(1j * rng.uniform(0, 6, 8))), tuple(qs[:3]), (), 0))
    gates.insert(80, (haar(rng, 2 ** 4), (0, 1, 2, 3), (), 0))  # too wide for a pass
    psi = random_state(rng, n)
    got, p = run_plan(n, gates, psi, np.complex128)
    drifted = [q for q in p.passes if q.where != tuple(range(n))]
    assert drifted and any(q.lanes is None for q in drifted)
    assert any(q.closes or q.restores for q in p.passes)
    ref = psi.copy()
    from qvalley.sim.statevector import kernels
    for m, t, c, cs in gates:
        kernels.apply_matrix(ref, n, m, t, c, cs)
    assert np.max(np.abs(got - ref)) < 1e-12, str(p)


@pytest.mark.parametrize("cycle_len", [3, 9, 11])
def test_restore_passes_put_any_layout_back(small_lanes, monkeypatch, cycle_len):
    """A permutation of memory bits with a cycle longer than the lanes takes several
    passes without gates; each leaves the amplitudes exact."""
    _drifting(monkeypatch, small_lanes)
    n, L = 12, 9
    rng = np.random.default_rng(cycle_len)
    cycle = [int(q) for q in rng.permutation(n)[:cycle_len]]
    phys = list(range(n))  # circuit bit -> memory bit
    for a, b in zip(cycle, cycle[1:] + cycle[:1]):
        phys[a] = b
    psi = random_state(rng, n)
    idx = np.arange(2 ** n)
    mem = np.zeros(2 ** n, dtype=np.int64)  # memory index of each circuit index
    for q in range(n):
        mem |= ((idx >> q) & 1) << phys[q]
    state = np.empty_like(psi)
    state[mem] = psi
    passes = planner._restore([], phys, n, L)
    assert phys == list(range(n))
    assert all(q.restores and not q.blocks for q in passes)
    assert len(passes) >= (2 if cycle_len > L else 1)
    plan = planner.Plan(n, np.dtype(np.complex128), passes, 0, 0, L)
    for q in passes:
        q.ops, q.pool = planner.encode(q, n, plan.dtype)
        q.copy = planner.layout(q, n)
    planner.execute(plan, state, threads=2)
    assert np.array_equal(state, psi)
