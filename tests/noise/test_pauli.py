"""The density matrix's Pauli representation and its real kernels, against plain numpy.

References written here from the definitions: ``c_P = Tr(P rho)`` with explicit Pauli
strings, ``R[s, t] = 2**-k Tr(P_s E(P_t))`` from Kraus operators, ``rho = 2**-n sum c_P P``,
and dense real matrices applied with numpy to compare the numba kernels (dense 4x4,
sparse 2**k on any bits, diagonal) on real states.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import qvalley as qv
from qvalley import noise
from qvalley.circuit import GATES
from qvalley.sim.density import engine as dm
from qvalley.sim.density import pauli
from qvalley.sim.statevector import kernels, planner

SEED = 11
SINGLE = {(0, 0): np.eye(2), (1, 0): np.array([[0, 1], [1, 0]]),
          (0, 1): np.diag([1, -1]), (1, 1): np.array([[0, -1j], [1j, 0]])}


def string(x: int, z: int, n: int) -> np.ndarray:
    m = np.eye(1)
    for q in range(n):
        m = np.kron(SINGLE[(x >> q) & 1, (z >> q) & 1], m)
    return m


def pauli_vector(rho: np.ndarray) -> np.ndarray:
    n = rho.shape[0].bit_length() - 1
    d = 1 << n
    return np.array([np.trace(string(t % d, t // d, n) @ rho).real for t in range(d * d)])


def random_rho(rng, n):
    d = 1 << n
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


def ptm_reference(kraus, k):
    d = 1 << k
    out = np.zeros((d * d, d * d))
    for s, t in itertools.product(range(d * d), repeat=2):
        ps, pt = string(s % d, s // d, k), string(t % d, t // d, k)
        out[s, t] = sum(np.trace(ps @ kk @ pt @ kk.conj().T) for kk in kraus).real / d
    return out


@pytest.mark.parametrize("name", ["h", "sx", "t", "cx", "cz", "swap", "ecr", "rzz", "ccx"])
def test_transfer_matrices_of_gates(name):
    g = GATES[name]
    u = g.matrix(*([0.7] * g.num_params))
    r = pauli.from_unitary(u)
    np.testing.assert_allclose(r, ptm_reference([u], g.num_qubits), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(r @ r.T, np.eye(len(r)), rtol=1e-12, atol=1e-13)  # unitary: orthogonal
    if name in ("h", "sx", "cx", "cz", "swap", "ecr"):  # Clifford: a signed permutation
        assert all(np.count_nonzero(row) == 1 for row in r)


@pytest.mark.parametrize("ch", [noise.depolarizing(0.1), noise.depolarizing(0.05, 2),
                                noise.amplitude_damping(0.3),
                                noise.thermal_relaxation(50, 30, 4),
                                noise.reset_error(0.2, 0.1)], ids=lambda c: c.name)
def test_transfer_matrices_of_channels(ch):
    r = pauli.from_channel(ch)
    np.testing.assert_allclose(r, ptm_reference(ch.kraus, ch.num_qubits), rtol=1e-12, atol=1e-13)
    assert r[0, 0] == pytest.approx(1) and not np.any(r[0, 1:])  # trace preserving
    if ch.depolarizing is not None:  # identity kept, every other string scaled by 1 - p
        np.testing.assert_allclose(r, np.diag([1] + [1 - ch.depolarizing] * (len(r) - 1)),
                                   atol=1e-15)


def test_vector_readouts_match_the_definitions():
    rng = np.random.default_rng(SEED)
    for n in (1, 2, 4):
        rho = random_rho(rng, n)
        c = pauli_vector(rho)
        np.testing.assert_allclose(pauli.probabilities(c, n), np.diag(rho).real, rtol=1e-12, atol=1e-14)
        want = rho.T.ravel()  # v[i + (j << n)] = rho[i, j]
        np.testing.assert_allclose(dm.to_matrix_vector(c, n), want, rtol=1e-12, atol=1e-14)
        # growth: rho x |0><0| on two more qubits
        grown = pauli.grow(c, n, n + 2, lambda k, dt: np.zeros(k, dt))
        zero = np.zeros((4, 4))
        zero[0, 0] = 1
        np.testing.assert_allclose(grown, pauli_vector(np.kron(zero, rho)), rtol=1e-12, atol=1e-14)


def test_numba_to_matrix_from_7_qubits(monkeypatch):
    """The tiled transform (numba) against the numpy change of basis, 7 qubits (14 bits)."""
    rng = np.random.default_rng(SEED)
    c = rng.normal(size=4 ** 7)
    numba_out = dm.to_matrix_vector(c, 7, threads=2)
    monkeypatch.setenv("QVALLEY_ENGINE", "numpy")
    np.testing.assert_allclose(numba_out, dm.to_matrix_vector(c, 7), rtol=1e-12, atol=1e-15)


def dense_apply(state, m, bits, nbits):
    out = state.astype(np.float64).copy()
    kernels.apply_matrix(out, nbits, m, bits)
    return out


@pytest.mark.parametrize("bits", [(0, 6, 7, 8), (1, 2, 9, 13), (6, 7, 8, 9), (3, 12, 5, 15),
                                  (0, 1, 2, 3, 4, 5), (10, 2, 14)])
def test_sparse_kernel_on_real_states(bits):
    """The planner's sparse kernel on a 16-bit real state (one chunk) and, gathered, on
    18 bits, for Clifford (one entry a row) and random sparse matrices, targets low and
    high, against numpy."""
    rng = np.random.default_rng(SEED + len(bits))
    k = len(bits)
    if k == 4:
        r = pauli.from_unitary(GATES["cx"].matrix()) * 0.9
    else:
        r = rng.normal(size=(1 << k, 1 << k)) * (rng.random((1 << k, 1 << k)) < 0.2)
        r[3] = 0  # a row without entries
    for nbits in (16, 18):
        state = rng.normal(size=1 << nbits)
        plan = planner.plan(nbits, [(r, bits, (), 0)], np.float64)
        assert "dense" in str(plan)
        got = state.copy()
        planner.execute(plan, got, 2)
        np.testing.assert_allclose(got, dense_apply(state, r, bits, nbits), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("bits", [(0, 8), (1, 9), (3, 12), (6, 14), (13, 2), (16, 17)])
def test_dense_and_diagonal_kernels_on_real_states(bits):
    rng = np.random.default_rng(SEED)
    nbits = 18
    state = rng.normal(size=1 << nbits)
    m = rng.normal(size=(4, 4))
    diag = np.diag(rng.normal(size=4))
    items = [(m, bits, (), 0), (diag, (bits[1], 7), (), 0)]
    plan = planner.plan(nbits, items, np.float64)
    got = state.copy()
    planner.execute(plan, got, 2)
    want = dense_apply(state, m, bits, nbits)
    want = dense_apply(want, diag, items[1][1], nbits)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_wide_gates_go_through_the_matrix_basis():
    """A 4-qubit unitary (PTM too large) and a 5-qubit one, with one-qubit errors after
    them, on 6 qubits (the planner) and 3 + 4 (numpy), against U rho U^dagger."""
    rng = np.random.default_rng(SEED)
    for n, qs in ((6, [4, 0, 2, 5]), (6, [1, 2, 3, 4, 5]), (4, [3, 1, 0, 2])):
        a = rng.normal(size=(1 << len(qs),) * 2) + 1j * rng.normal(size=(1 << len(qs),) * 2)
        u, _ = np.linalg.qr(a)
        c = qv.Circuit(n)
        for q in range(n):
            c.ry(0.3 + q, q)
        c.unitary(u, qs)
        m = qv.NoiseModel()
        m.add_all_qubit_error(noise.amplitude_damping(0.1), ["ry"])
        rho = qv.density_matrix(c, noise=m)
        before = qv.Circuit(n)
        for q in range(n):
            before.ry(0.3 + q, q)
        r0 = qv.density_matrix(before, noise=m)
        from qvalley.compile.decompose import embed
        full = embed(u, qs, n)
        np.testing.assert_allclose(rho, full @ r0 @ full.conj().T, rtol=1e-12, atol=1e-12)
