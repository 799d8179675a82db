"""The numpy kernels of the state-vector engine against a plain dense reference.

The reference builds the full 2**n x 2**n operator in this file: ``np.kron`` of the local
matrix with identities, then an explicit permutation matrix that moves the gate's qubits
into place. Nothing from qvalley is used to build it.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from qvalley.sim.statevector import kernels

SEED = 777
ATOL = 1e-12


def random_state(rng, n):
    v = rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n)
    return v / np.linalg.norm(v)


def haar_unitary(rng, dim):
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


def permutation_matrix(order, n):
    """P with P |x> = |y> where bit j of y is bit order[j] of x (qubit order[j] -> slot j)."""
    dim = 2 ** n
    p = np.zeros((dim, dim))
    for x in range(dim):
        y = 0
        for j, q in enumerate(order):
            y |= ((x >> q) & 1) << j
        p[y, x] = 1
    return p


def local_controlled(m, num_ctrl, ctrl_state):
    """Matrix on (controls..., targets...) little-endian: controls are the low bits.
    sum_v |v><v|_controls (x) (m if v == ctrl_state else I)."""
    dim_c = 2 ** num_ctrl
    dim_t = m.shape[0]
    out = np.zeros((dim_c * dim_t, dim_c * dim_t), dtype=complex)
    for v in range(dim_c):
        proj = np.zeros((dim_c, dim_c))
        proj[v, v] = 1
        out += np.kron(m if v == ctrl_state else np.eye(dim_t), proj)
    return out


def reference_operator(m, targets, controls, ctrl_state, n):
    qubits = list(controls) + list(targets)
    local = local_controlled(m, len(controls), ctrl_state) if controls else m
    rest = [q for q in range(n) if q not in qubits]
    order = qubits + rest                      # slot j holds qubit order[j]
    big = np.kron(np.eye(2 ** len(rest)), local)   # acts on slots 0..k-1
    p = permutation_matrix(order, n)
    return p.T @ big @ p


def test_reference_is_little_endian():
    # x on qubit 1 of 3 qubits flips bit 1 of the index
    x = np.array([[0, 1], [1, 0]])
    op = reference_operator(x, [1], [], 0, 3)
    np.testing.assert_array_equal(op, np.kron(np.eye(2), np.kron(x, np.eye(2))))
    # cx with control 2, target 0
    op = reference_operator(x, [0], [2], 1, 3)
    for i in range(8):
        j = i ^ 1 if i & 4 else i
        assert op[j, i] == 1


def matrices(rng, k):
    """Several kinds of k-qubit matrices, each exercising a different kernel path."""
    dim = 2 ** k
    yield "haar", haar_unitary(rng, dim)
    yield "general", rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))
    yield "diagonal", np.diag(np.exp(1j * rng.uniform(-3, 3, dim)))
    yield "real", rng.normal(size=(dim, dim)).astype(complex)
    perm = rng.permutation(dim)
    yield "permutation", np.eye(dim, dtype=complex)[perm]
    if k == 1:
        yield "x", np.array([[0, 1], [1, 0]], dtype=complex)
        yield "anti-diagonal", np.array([[0, 1j], [-2.0, 0]], dtype=complex)
        yield "phase-only-1", np.diag([1, np.exp(0.3j)])
        yield "phase-only-0", np.diag([np.exp(-0.3j), 1])
        yield "identity", np.eye(2, dtype=complex)
        yield "upper", np.array([[1, 0.5], [0, 1]], dtype=complex)


CASES = [(k, c) for k in (1, 2, 3, 4) for c in (0, 1, 2, 3) if k + c <= 7]


@pytest.mark.parametrize("k, num_ctrl", CASES)
def test_apply_matrix_against_dense_reference(k, num_ctrl):
    rng = np.random.default_rng([SEED, k, num_ctrl])
    for trial in range(6):
        n = int(rng.integers(k + num_ctrl, min(k + num_ctrl + 3, 8) + 1))
        qubits = [int(q) for q in rng.permutation(n)[:k + num_ctrl]]
        controls, targets = qubits[:num_ctrl], qubits[num_ctrl:]
        for kind, m in matrices(rng, k):
            states = [int(rng.integers(2 ** num_ctrl))] if num_ctrl else [None]
            if num_ctrl:
                states.append(None)            # default: all controls 1
            for cs in states:
                psi = random_state(rng, n)
                eff = (2 ** num_ctrl - 1) if cs is None else cs
                want = reference_operator(m, targets, controls, eff, n) @ psi
                got = psi.copy()
                out = kernels.apply_matrix(got, n, m.copy(), targets, controls, cs)
                assert out is None
                np.testing.assert_allclose(
                    got, want, rtol=0, atol=ATOL,
                    err_msg=f"{kind} k={k} n={n} targets={targets} controls={controls} "
                            f"ctrl_state={cs}")


@pytest.mark.parametrize("n", range(1, 9))
def test_single_qubit_every_position(n):
    """Every target position (the 1-qubit kernel has paths that depend on the stride)."""
    rng = np.random.default_rng([SEED, n])
    for q in range(n):
        for kind, m in matrices(rng, 1):
            psi = random_state(rng, n)
            want = reference_operator(m, [q], [], 0, n) @ psi
            got = psi.copy()
            kernels.apply_matrix(got, n, m, [q])
            np.testing.assert_allclose(got, want, rtol=0, atol=ATOL, err_msg=f"{kind} q={q}")


def test_controls_filling_the_register():
    """Controls on every qubit but the target: the controlled sub-array is 1-d."""
    rng = np.random.default_rng(SEED)
    for n in (2, 3, 4):
        for t in range(n):
            controls = [q for q in range(n) if q != t]
            rng.shuffle(controls)
            for kind, m in matrices(rng, 1):
                for cs in range(2 ** (n - 1)):
                    psi = random_state(rng, n)
                    want = reference_operator(m, [t], controls, cs, n) @ psi
                    got = psi.copy()
                    kernels.apply_matrix(got, n, m, [t], controls, cs)
                    np.testing.assert_allclose(got, want, rtol=0, atol=ATOL,
                                               err_msg=f"{kind} t={t} c={controls} s={cs}")


def test_gate_on_all_qubits():
    rng = np.random.default_rng(SEED)
    for n in (1, 2, 3, 4):
        for order in itertools.permutations(range(n)):
            m = haar_unitary(rng, 2 ** n)
            psi = random_state(rng, n)
            want = reference_operator(m, list(order), [], 0, n) @ psi
            got = psi.copy()
            kernels.apply_matrix(got, n, m, list(order))
            np.testing.assert_allclose(got, want, rtol=0, atol=ATOL)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_apply_diagonal(k):
    rng = np.random.default_rng([SEED, 10 + k])
    for _ in range(10):
        n = int(rng.integers(k, 7))
        targets = [int(q) for q in rng.permutation(n)[:k]]
        diag = rng.normal(size=2 ** k) + 1j * rng.normal(size=2 ** k)
        psi = random_state(rng, n)
        want = reference_operator(np.diag(diag), targets, [], 0, n) @ psi
        got = psi.copy()
        kernels.apply_diagonal(got, n, diag, targets)
        np.testing.assert_allclose(got, want, rtol=0, atol=ATOL)


def test_probability_collapse_flip():
    rng = np.random.default_rng(SEED)
    for n in range(1, 7):
        for q in range(n):
            psi = random_state(rng, n)
            ones = np.array([(i >> q) & 1 for i in range(2 ** n)], dtype=bool)
            p1 = float(np.sum(np.abs(psi[ones]) ** 2))
            assert kernels.probability_of_one(psi, n, q) == pytest.approx(p1, abs=1e-14)
            for outcome in (0, 1):
                got = psi.copy()
                prob = p1 if outcome else 1 - p1
                kernels.collapse(got, n, q, outcome, prob)
                keep = ones if outcome else ~ones
                want = np.where(keep, psi, 0) / math.sqrt(prob)
                np.testing.assert_allclose(got, want, rtol=0, atol=ATOL)
                assert np.linalg.norm(got) == pytest.approx(1, abs=1e-12)
            got = psi.copy()
            kernels.flip(got, n, q)
            want = reference_operator(np.array([[0, 1], [1, 0]]), [q], [], 0, n) @ psi
            np.testing.assert_allclose(got, want, rtol=0, atol=0)


def test_kernels_leave_other_amplitudes_bit_exact():
    """Amplitudes outside the controlled subspace are not touched at all."""
    rng = np.random.default_rng(SEED)
    n = 5
    psi = random_state(rng, n)
    got = psi.copy()
    m = haar_unitary(rng, 4)
    kernels.apply_matrix(got, n, m, [4, 1], [0, 2], 0b10)
    untouched = [i for i in range(2 ** n) if not ((i & 1) == 0 and (i >> 2) & 1 == 1)]
    np.testing.assert_array_equal(got[untouched], psi[untouched])
