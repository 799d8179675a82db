"""Batched two-qubit synthesis and the resynthesis memo against the one-at-a-time forms.

References: each decomposition is rebuilt here with plain numpy (``expm`` of the Weyl
generator by eigendecomposition, Kronecker products) and compared with its input up to a
global phase; the batched entangler counts must equal the one-block-at-a-time counts, and
consolidation with the memo must give the same ops as without it.
"""
from __future__ import annotations

import numpy as np
import pytest

from qvalley.circuit.gates import GATES
from qvalley.compile import decompose as D
from qvalley.compile import passes as P
from qvalley.compile import synthesis
from qvalley.compile.ops import Op

SEED = 11
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)


def haar(rng, d):
    z = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


def weyl(a, b, c):
    gen = a * np.kron(X, X) + b * np.kron(Y, Y) + c * np.kron(Z, Z)
    w, v = np.linalg.eigh(gen)
    return v @ np.diag(np.exp(1j * w)) @ v.conj().T


def phase_fidelity(a, b):
    return abs(np.trace(a.conj().T @ b)) / a.shape[0]


def sample_matrices():
    rng = np.random.default_rng(SEED)
    mats = [haar(rng, 4) for _ in range(30)]
    mats += [GATES[g].matrix() for g in ("cx", "cz", "swap", "iswap", "ecr", "dcx")]
    mats += [GATES["rzz"].matrix(0.37), GATES["cp"].matrix(1.1), GATES["rxx"].matrix(-2.0)]
    mats += [np.kron(haar(rng, 2), haar(rng, 2)) @ GATES["cx"].matrix() @
             np.kron(haar(rng, 2), haar(rng, 2)) for _ in range(5)]
    mats += [weyl(np.pi / 4, np.pi / 8, 0.0), weyl(0.3, 0.3, 0.3), weyl(0.2, 0.0, 0.0)]
    return mats


def test_kak_parts_many_rebuilds_every_matrix():
    mats = sample_matrices()
    many = D.kak_parts_many(np.array(mats))
    assert len(many) == len(mats)
    for m, (right, coords, left) in zip(mats, many):
        rebuilt = np.kron(*left) @ weyl(*coords) @ np.kron(*right)
        assert phase_fidelity(rebuilt, m) > 1 - 1e-10
        np.testing.assert_allclose(coords, D.kak_parts(m)[1], atol=1e-9)
    assert D.kak_parts_many(np.zeros((0, 4, 4))) == []


def test_product_rank_many_finds_products():
    rng = np.random.default_rng(SEED)
    products = [np.kron(haar(rng, 2), haar(rng, 2)) for _ in range(4)]
    ranks = D.product_rank_many(np.array(products + [GATES["cx"].matrix()]))
    assert np.all(ranks[:4] < 1e-12) and ranks[4] > 0.5


@pytest.mark.parametrize("partial", [False, True])
def test_batched_parts_give_the_ops_of_one_by_one(partial):
    rng = np.random.default_rng(SEED + 1)
    mats = sample_matrices() + [np.kron(haar(rng, 2), haar(rng, 2))]
    blocks = [(m, 3, 7) if i % 2 else (m, 7, 3) for i, m in enumerate(mats)]
    many = [synthesis.ops_from_parts(m, q0, q1, p, partial) for (m, q0, q1), p in
            zip(blocks, synthesis.block_parts_many(mats))]
    for (m, q0, q1), ops in zip(blocks, many):
        single = synthesis.two_qubit_ops(m, q0, q1, partial=partial)
        assert sum(o.two_qubit for o in ops) == sum(o.two_qubit for o in single)
        assert phase_fidelity(synthesis.ops_unitary(ops, q0, q1), m) > 1 - 1e-10
    assert synthesis.block_parts_many([]) == []


def random_ops(rng, n, count):
    ops = []
    for _ in range(count):
        a, b = (int(q) for q in rng.choice(n, 2, replace=False))
        r = rng.random()
        if r < 0.4:
            ops.append(Op("u", (a,), haar(rng, 2)))
        elif r < 0.8:
            ops.append(Op("cx", (a, b)))
        elif r < 0.9:
            ops.append(Op("rzz", (a, b), theta=float(rng.uniform(-3, 3))))
        else:
            ops.append(Op("swap", (a, b)))
    return ops


def product(ops, n):
    full = np.eye(1 << n, dtype=complex)
    for op in ops:
        full = D.embed(op.unitary(), op.qubits, n) @ full
    return full


@pytest.mark.parametrize("partial", [False, True])
def test_consolidate_with_memo_is_exact_and_no_worse(partial):
    rng = np.random.default_rng(SEED + 2)
    for _ in range(5):
        ops = random_ops(rng, 4, 80)
        memo: dict = {}
        plain = P.merge_1q(P.consolidate(ops, partial=partial))
        first = P.merge_1q(P.consolidate(ops, partial=partial, memo=memo))
        again = P.merge_1q(P.consolidate(first, partial=partial, memo=memo))
        ref = product(ops, 4)
        for got in (plain, first, again):
            assert phase_fidelity(product(got, 4), ref) > 1 - 1e-9
        count = lambda o: sum(3 if x.name == "swap" else 1 for x in o if x.two_qubit)  # noqa
        assert count(first) == count(plain)
        assert count(again) <= count(first)
        assert memo  # cores were remembered


@pytest.mark.parametrize("partial", [False, True])
def test_entanglers_read_off_the_coordinates(partial):
    rng = np.random.default_rng(SEED + 3)
    mats = sample_matrices() + [np.kron(haar(rng, 2), haar(rng, 2))]
    mats += [weyl(a, b, c) for a, b, c in rng.choice([0.0, np.pi / 4, 0.3, -0.2], (40, 3))]
    for m, parts in zip(mats, synthesis.block_parts_many(mats)):
        built = sum(o.two_qubit for o in synthesis.ops_from_parts(m, 0, 1, parts, partial))
        predicted = synthesis.entanglers(parts, partial)
        assert predicted == built if not partial else predicted <= built
