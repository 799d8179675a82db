"""Observables against Qiskit's SparsePauliOp (an independent implementation of the same
label convention) and against plain matrix algebra."""
from __future__ import annotations

import numpy as np
import pytest

import qvalley as qv

LETTERS = "IXYZ"


def qiskit_matrix(pairs):
    quantum_info = pytest.importorskip("qiskit.quantum_info")
    return quantum_info.SparsePauliOp.from_list(pairs).to_matrix()


def random_pairs(rng, n, count):
    return [("".join(rng.choice(list(LETTERS), n)), complex(rng.normal(), rng.normal()))
            for _ in range(count)]


def test_labels_read_as_in_qiskit():
    obs = qv.Observable("XI")                   # X on qubit 1
    x = np.array([[0, 1], [1, 0]])
    np.testing.assert_allclose(obs.matrix(), np.kron(x, np.eye(2)))
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 4):
        pairs = random_pairs(rng, n, 6)
        np.testing.assert_allclose(qv.Observable.from_list(pairs).matrix(),
                                   qiskit_matrix(pairs), atol=1e-12)


def test_arithmetic_matches_matrices():
    rng = np.random.default_rng(4)
    a = qv.Observable.from_list(random_pairs(rng, 3, 5))
    b = qv.Observable.from_dict(dict(random_pairs(rng, 3, 4)))
    A, B = a.matrix(), b.matrix()
    np.testing.assert_allclose((a + b).matrix(), A + B, atol=1e-12)
    np.testing.assert_allclose((a - 2 * b).matrix(), A - 2 * B, atol=1e-12)
    np.testing.assert_allclose((a / 4).matrix(), A / 4, atol=1e-12)
    np.testing.assert_allclose(a.compose(b).matrix(), A @ B, atol=1e-12)
    np.testing.assert_allclose((a @ qv.Observable("XZ")).matrix(),
                               np.kron(A, qv.Observable("XZ").matrix()), atol=1e-12)
    np.testing.assert_allclose(a.adjoint().matrix(), A.conj().T, atol=1e-12)
    np.testing.assert_allclose((a + 1.5).matrix(), A + 1.5 * np.eye(8), atol=1e-12)
    assert (a - a).simplify().to_list() == [("III", 0j)]
    assert a + b == b + a
    sparse = qv.Observable.from_sparse_list([("ZX", [0, 3], 2.0), ("Y", [2], 1.0)], 4)
    assert sparse.to_list() == [("XIIZ", 2 + 0j), ("IYII", 1 + 0j)]


def test_pauli_masks_give_the_matrix():
    rng = np.random.default_rng(5)
    pairs = random_pairs(rng, 4, 8)
    obs = qv.Observable.from_list(pairs)
    xs, zs, cs = obs.masks()
    dim = 16
    m = np.zeros((dim, dim), dtype=complex)
    for x, z, c in zip(xs, zs, cs):
        for i in range(dim):
            m[i ^ x, i] += c * (-1) ** bin(i & z).count("1")
    np.testing.assert_allclose(m, qiskit_matrix(pairs), atol=1e-12)


@pytest.mark.parametrize("bad, match", [
    (("XQ", 1.0), "not one of"), (("", 1.0), "empty"), (("X", float("nan")), "finite"),
    (("X", "a"), "number"), ((3, 1.0), "string"),
])
def test_bad_terms_are_refused(bad, match):
    with pytest.raises(qv.CircuitError, match=match):
        qv.Observable.from_list([bad])


def test_mixed_lengths_and_sizes_are_refused():
    with pytest.raises(qv.CircuitError, match="one letter per qubit"):
        qv.Observable.from_list([("XX", 1.0), ("X", 1.0)])
    with pytest.raises(qv.CircuitError, match="cannot be added"):
        qv.Observable("X") + qv.Observable("XX")
    with pytest.raises(qv.CircuitError, match="circuit has 3"):
        qv.expectation(qv.Circuit(3).h(0), "XX")
    with pytest.raises(qv.CircuitError, match="appears twice"):
        qv.Observable.from_sparse_list([("XZ", [1, 1], 1.0)], 2)
