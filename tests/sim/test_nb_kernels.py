"""The numba kernels of the state-vector engine against plain numpy references.

References are written here, from nothing in qvalley: ``dense_operator`` builds the full
2**n x 2**n operator of a (controlled) gate by index arithmetic and is itself checked
against ``np.kron`` products and permutation matrices; ``apply_reference`` applies the
same operator to larger states (n > 10, where the kernels split work into several chunks
and threads) by gathering index groups. Both precisions; random states, gates, qubit
positions and orders, controls and control values.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

numba = pytest.importorskip("numba")

from qvalley.sim.statevector import nb_kernels as nk  # noqa: E402

SEED = 2024
DTYPES = [np.complex128, np.complex64]
ATOL = {np.complex128: 1e-12, np.complex64: 1e-5}
BIG_N = (12, 13, 16)   # several chunks; 16 is above PAR_MIN, so threads run too


# -- references -----------------------------------------------------------------------------------

def random_state(rng, n, dtype=np.complex128):
    v = rng.normal(size=2 ** n) + 1j * rng.normal(size=2 ** n)
    return (v / np.linalg.norm(v)).astype(dtype)


def haar_unitary(rng, dim):
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


def dense_operator(u, qubits, n, cmask=0, cval=0):
    """Full operator: ``u`` (little-endian in ``qubits``) where index & cmask == cval,
    identity elsewhere."""
    dim = 2 ** n
    x = np.arange(dim)
    qmask = sum(1 << q for q in qubits)
    local = np.zeros(dim, dtype=np.int64)
    for j, q in enumerate(qubits):
        local |= ((x >> q) & 1) << j
    active = (x & cmask) == cval
    op = np.zeros((dim, dim), dtype=complex)
    op[x[~active], x[~active]] = 1
    xa = x[active]
    for r in range(2 ** len(qubits)):
        y = xa & ~qmask
        for j, q in enumerate(qubits):
            y |= ((r >> j) & 1) << q
        op[y, xa] = u[r, local[active]]
    return op


def apply_reference(psi, u, qubits, cmask=0, cval=0):
    """``dense_operator(...) @ psi`` without the matrix: gather each group of 2**k
    amplitudes, multiply by ``u`` in complex128, scatter."""
    n = int(psi.size).bit_length() - 1
    x = np.arange(2 ** n)
    qmask = sum(1 << q for q in qubits)
    base = x[((x & qmask) == 0) & ((x & cmask) == cval)]
    idx = np.empty((2 ** len(qubits), base.size), dtype=np.int64)
    for r in range(2 ** len(qubits)):
        idx[r] = base
        for j, q in enumerate(qubits):
            if (r >> j) & 1:
                idx[r] |= 1 << q
    out = psi.astype(np.complex128)
    out[idx] = u.astype(np.complex128) @ out[idx]
    return out


def kron_operator(u, qubits, n):
    """The same operator from np.kron and an explicit permutation matrix (no controls)."""
    rest = [q for q in range(n) if q not in qubits]
    order = list(qubits) + rest
    dim = 2 ** n
    p = np.zeros((dim, dim))
    for x in range(dim):
        y = 0
        for j, q in enumerate(order):
            y |= ((x >> q) & 1) << j
        p[y, x] = 1
    return p.T @ np.kron(np.eye(2 ** len(rest)), u) @ p


def random_case(rng, n, k, max_ctrl=3, qubits=None):
    """Random distinct target qubits (random order, unless given) and random controls
    among the other qubits, with random values."""
    perm = [int(q) for q in rng.permutation(n)]
    if qubits is None:
        qubits = perm[:k]
    rest = [q for q in perm if q not in qubits]
    nc = int(rng.integers(0, min(max_ctrl, n - k) + 1))
    controls = rest[:nc]
    cmask = sum(1 << c for c in controls)
    cval = sum(1 << c for c in controls if rng.random() < 0.5)
    return qubits, cmask, cval


def check(got, want, dtype, msg=""):
    np.testing.assert_allclose(got.astype(np.complex128), want, rtol=0, atol=ATOL[dtype],
                               err_msg=msg)


X = np.array([[0, 1], [1, 0]], dtype=complex)
SWAP = np.eye(4)[[0, 2, 1, 3]]


# -- the references themselves ---------------------------------------------------------------

def test_references_agree_with_kron():
    rng = np.random.default_rng(SEED)
    for n in range(1, 6):
        for k in range(1, n + 1):
            qubits = [int(q) for q in rng.permutation(n)[:k]]
            u = haar_unitary(rng, 2 ** k)
            op = dense_operator(u, qubits, n)
            np.testing.assert_allclose(op, kron_operator(u, qubits, n), atol=1e-14)
            psi = random_state(rng, n)
            np.testing.assert_allclose(apply_reference(psi, u, qubits), op @ psi, atol=1e-14)
    # little-endian: x on qubit 1 of 3 is kron(I, X, I); cx control 2 target 0 flips bit 0
    x = np.array([[0, 1], [1, 0]])
    np.testing.assert_array_equal(dense_operator(x, [1], 3),
                                  np.kron(np.eye(2), np.kron(x, np.eye(2))))
    op = dense_operator(x, [0], 3, cmask=4, cval=4)
    for i in range(8):
        assert op[i ^ 1 if i & 4 else i, i] == 1
    # controls with a 0 value act where that bit is 0
    op = dense_operator(x, [0], 2, cmask=2, cval=0)
    np.testing.assert_array_equal(op, np.kron(np.diag([0, 1]), np.eye(2))
                                  + np.kron(np.diag([1, 0]), x))


# -- dense gates ----------------------------------------------------------------------------------

def apply_kernel(which, state, u, qubits, cmask, cval):
    if which == "dense":
        nk.apply_dense(state, u, qubits, cmask, cval)
    elif len(qubits) == 1 and which == "direct":
        nk.apply_1q(state, u, qubits[0], cmask, cval)
    elif len(qubits) == 2 and which == "direct":
        nk.apply_2q(state, u, qubits[0], qubits[1], cmask, cval)
    else:
        nk.apply_kq(state, u, np.array(qubits, dtype=np.int64), cmask, cval)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_dense_against_full_operator(dtype, k):
    rng = np.random.default_rng([SEED, k])
    for trial in range(14):
        n = int(rng.integers(k, 11))
        qubits, cmask, cval = random_case(rng, n, k)
        u = haar_unitary(rng, 2 ** k) if trial % 2 else \
            rng.normal(size=(2 ** k,) * 2) + 1j * rng.normal(size=(2 ** k,) * 2)
        u = u.astype(dtype)
        psi = random_state(rng, n, dtype)
        want = dense_operator(u.astype(complex), qubits, n, cmask, cval) @ psi.astype(complex)
        for which in ("direct", "kq", "dense"):
            got = psi.copy()
            apply_kernel(which, got, u, qubits, cmask, cval)
            check(got, want, dtype, f"{which} n={n} q={qubits} cmask={cmask} cval={cval}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_dense_many_chunks(dtype, k):
    """States large enough to be cut into chunks and run on threads, targets and controls
    anywhere (low targets go by gathered blocks, high ones by contiguous runs)."""
    rng = np.random.default_rng([SEED, 100 + k])
    for n in BIG_N:
        psi = random_state(rng, n, dtype)
        for trial in range(4 if k < 5 else 2):
            fixed = {0: list(range(n - 1, n - 1 - k, -1)),     # the highest qubits
                     1: list(range(k))[::-1]}.get(trial)       # the lowest qubits
            qubits, cmask, cval = random_case(rng, n, k, qubits=fixed)
            u = haar_unitary(rng, 2 ** k).astype(dtype)
            want = apply_reference(psi, u, qubits, cmask, cval)
            got = psi.copy()
            apply_kernel("direct", got, u, qubits, cmask, cval)
            check(got, want, dtype, f"n={n} q={qubits} cmask={cmask} cval={cval}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_and_two_qubit_every_position(dtype):
    n = 13
    rng = np.random.default_rng(SEED + 1)
    psi = random_state(rng, n, dtype)
    u1 = haar_unitary(rng, 2).astype(dtype)
    for q in range(n):
        got = psi.copy()
        nk.apply_1q(got, u1, q, 0, 0)
        check(got, apply_reference(psi, u1, [q]), dtype, f"q={q}")
    u2 = haar_unitary(rng, 4).astype(dtype)
    for q0 in range(n):
        for q1 in (0, 2, 5, 11, 12):
            if q1 == q0:
                continue
            c = (q0 + 3) % n
            cmask, cval = (0, 0) if c in (q1,) else (1 << c, 1 << c)
            got = psi.copy()
            nk.apply_2q(got, u2, q0, q1, cmask, cval)
            check(got, apply_reference(psi, u2, [q0, q1], cmask, cval), dtype,
                  f"q0={q0} q1={q1} cmask={cmask}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_two_qubit_gates_on_every_pair(dtype):
    """Every ordered pair at n=12: both targets inside the contiguous runs, one inside,
    none; without controls and with a control above or below them."""
    n = 12
    rng = np.random.default_rng(SEED + 11)
    psi = random_state(rng, n, dtype)
    u = haar_unitary(rng, 4).astype(dtype)
    for q0 in range(n):
        for q1 in range(n):
            if q0 == q1:
                continue
            c = int(rng.choice([q for q in range(n) if q not in (q0, q1)]))
            for cmask, cval in ((0, 0), (1 << c, 1 << c), (1 << c, 0)):
                got = psi.copy()
                nk.apply_2q(got, u, q0, q1, cmask, cval)
                check(got, apply_reference(psi, u, [q0, q1], cmask, cval), dtype,
                      f"q0={q0} q1={q1} cmask={cmask} cval={cval}")
                got = psi.copy()
                nk.apply_swap(got, q0, q1, cmask, cval)
                np.testing.assert_array_equal(
                    got.astype(complex), apply_reference(psi, SWAP, [q0, q1], cmask, cval))


@pytest.mark.parametrize("dtype", DTYPES)
def test_controlled_one_qubit_gates_and_x_every_position(dtype):
    """Target and one or two controls anywhere at n=12 (controls inside the contiguous
    runs take a select path, targets inside them a strided one), both control values."""
    n = 12
    rng = np.random.default_rng(SEED + 12)
    psi = random_state(rng, n, dtype)
    u = haar_unitary(rng, 2).astype(dtype)
    for t in range(n):
        for c in range(n):
            if c == t:
                continue
            c2 = int(rng.choice([q for q in range(n) if q not in (t, c)]))
            for cmask, cval in ((1 << c, 1 << c), (1 << c, 0),
                                ((1 << c) | (1 << c2), 1 << c2)):
                got = psi.copy()
                nk.apply_1q(got, u, t, cmask, cval)
                check(got, apply_reference(psi, u, [t], cmask, cval), dtype,
                      f"t={t} cmask={cmask} cval={cval}")
                got = psi.copy()
                nk.apply_x(got, t, cmask, cval)
                np.testing.assert_array_equal(got.astype(complex),
                                              apply_reference(psi, X, [t], cmask, cval))


@pytest.mark.parametrize("dtype", DTYPES)
def test_kernels_work_on_a_chunk_view(dtype):
    """A contiguous slice holds the low qubits of a larger state (cache blocking)."""
    rng = np.random.default_rng(SEED + 2)
    psi = random_state(rng, 14, dtype)
    u = haar_unitary(rng, 4).astype(dtype)
    got = psi.copy()
    lo = 3 << 10
    nk.apply_2q(got[lo:lo + 1024], u, 7, 2, 1 << 4, 0)
    want = psi.astype(complex)
    want[lo:lo + 1024] = apply_reference(psi[lo:lo + 1024], u, [7, 2], 1 << 4, 0)
    check(got, want, dtype)


# -- diagonal gates -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_diagonal(dtype):
    rng = np.random.default_rng(SEED + 3)
    for trial in range(40):
        big = trial % 4 == 3
        n = int(rng.choice(BIG_N)) if big else int(rng.integers(1, 11))
        k = int(rng.integers(1, min(n, 10) + 1))
        qubits, cmask, cval = random_case(rng, n, k, max_ctrl=4)
        diag = np.exp(1j * rng.uniform(-3, 3, 2 ** k)) * rng.uniform(0.5, 2, 2 ** k)
        diag = diag.astype(dtype)
        psi = random_state(rng, n, dtype)
        if n <= 10:
            want = dense_operator(np.diag(diag.astype(complex)), qubits, n, cmask, cval) \
                @ psi.astype(complex)
        else:
            want = apply_reference(psi, np.diag(diag), qubits, cmask, cval)
        got = psi.copy()
        nk.apply_diagonal(got, diag, np.array(qubits, dtype=np.int64), cmask, cval)
        check(got, want, dtype, f"n={n} q={qubits} cmask={cmask} cval={cval}")


# -- permutations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_x_and_swap(dtype):
    rng = np.random.default_rng(SEED + 4)
    for trial in range(30):
        n = int(rng.choice(BIG_N)) if trial % 5 == 4 else int(rng.integers(2, 11))
        psi = random_state(rng, n, dtype)
        qubits, cmask, cval = random_case(rng, n, 2)
        got = psi.copy()
        nk.apply_x(got, qubits[0], cmask, cval)
        # permutations move amplitudes exactly
        want = apply_reference(psi, X, qubits[:1], cmask, cval)
        np.testing.assert_array_equal(got.astype(complex), want)
        got = psi.copy()
        nk.apply_swap(got, qubits[0], qubits[1], cmask, cval)
        np.testing.assert_array_equal(got.astype(complex),
                                      apply_reference(psi, SWAP, qubits, cmask, cval))
        if n <= 10:
            op = dense_operator(X, qubits[:1], n, cmask, cval)
            np.testing.assert_array_equal(op @ psi.astype(complex),
                                          apply_reference(psi, X, qubits[:1], cmask, cval))


def test_x_without_controls_is_exact_for_every_qubit():
    psi = np.arange(2 ** 12, dtype=np.complex128)
    for q in range(12):
        got = psi.copy()
        nk.apply_x(got, q, 0, 0)
        np.testing.assert_array_equal(got, psi[np.arange(2 ** 12) ^ (1 << q)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_permutation_with_phases(dtype):
    rng = np.random.default_rng(SEED + 5)
    iswap_perm = np.array([0, 2, 1, 3])
    iswap_phase = np.array([1, 1j, 1j, 1])
    for trial in range(30):
        k = 2 if trial < 5 else int(rng.integers(1, 4))
        n = int(rng.choice(BIG_N)) if trial % 5 == 4 else int(rng.integers(k, 11))
        qubits, cmask, cval = random_case(rng, n, k)
        if trial < 5:
            perm, phases = iswap_perm, iswap_phase
        else:
            perm = rng.permutation(2 ** k)
            phases = np.exp(1j * rng.uniform(-3, 3, 2 ** k))
        u = np.zeros((2 ** k, 2 ** k), dtype=complex)
        u[perm, np.arange(2 ** k)] = phases              # new[perm[j]] = phases[j] old[j]
        psi = random_state(rng, n, dtype)
        got = psi.copy()
        nk.apply_perm_phase(got, perm.astype(np.int64), phases.astype(dtype),
                            np.array(qubits, dtype=np.int64), cmask, cval)
        want = apply_reference(psi, u.astype(dtype), qubits, cmask, cval)
        check(got, want, dtype, f"n={n} q={qubits} perm={perm}")
    # iswap is the textbook matrix
    want = np.array([[1, 0, 0, 0], [0, 0, 1j, 0], [0, 1j, 0, 0], [0, 0, 0, 1]])
    u = np.zeros((4, 4), dtype=complex)
    u[iswap_perm, np.arange(4)] = iswap_phase
    np.testing.assert_array_equal(u, want)


# -- measurement ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_probabilities_and_prob_one(dtype):
    rng = np.random.default_rng(SEED + 6)
    for n in (1, 2, 5, 10, 16):
        psi = random_state(rng, n, dtype) * dtype(1.3)
        ref = np.abs(psi.astype(complex)) ** 2
        out = np.empty(2 ** n)
        assert nk.probabilities(psi, out) is out
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=0)
        assert nk.norm_squared(psi) == pytest.approx(ref.sum(), rel=1e-12)
        x = np.arange(2 ** n)
        for q in range(n):
            assert nk.prob_one(psi, q) == pytest.approx(ref[(x >> q) & 1 == 1].sum(),
                                                        rel=1e-12, abs=1e-300)


def test_sums_do_not_depend_on_thread_count():
    rng = np.random.default_rng(SEED + 7)
    psi = random_state(rng, 17)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = [nk.prob_one(psi, q) for q in (0, 9, 16)] + [nk.norm_squared(psi)]
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = [nk.prob_one(psi, q) for q in (0, 9, 16)] + [nk.norm_squared(psi)]
    finally:
        numba.set_num_threads(threads)
    assert one == many


@pytest.mark.parametrize("dtype", DTYPES)
def test_collapse_and_reset(dtype):
    rng = np.random.default_rng(SEED + 8)
    for n in (1, 3, 8, 13, 16):
        psi = random_state(rng, n, dtype)
        x = np.arange(2 ** n)
        for q in sorted({0, n // 2, n - 1}):
            ones = (x >> q) & 1 == 1
            p1 = float(np.sum(np.abs(psi.astype(complex)[ones]) ** 2))
            for outcome in (0, 1):
                prob = p1 if outcome else 1 - p1
                keep = ones if outcome else ~ones
                want = np.where(keep, psi.astype(complex), 0) / math.sqrt(prob)
                got = psi.copy()
                nk.collapse(got, q, outcome, 1 / math.sqrt(prob))
                check(got, want, dtype, f"collapse n={n} q={q} outcome={outcome}")
                assert nk.norm_squared(got) == pytest.approx(1, abs=10 * ATOL[dtype])
                got = psi.copy()
                nk.reset(got, q, outcome, 1 / math.sqrt(prob))
                if outcome:
                    want = apply_reference(want, X, [q])           # |1> half moved to |0>
                check(got, want, dtype, f"reset n={n} q={q} outcome={outcome}")
                assert nk.norm_squared(got) == pytest.approx(1, abs=10 * ATOL[dtype])
                assert nk.prob_one(got, q) == 0


# -- sampling -------------------------------------------------------------------------------------

def test_sorted_uniforms():
    u = nk.sorted_uniforms(np.random.default_rng(1), 200_000)
    assert u.shape == (200_000,) and np.all(np.diff(u) >= 0)
    assert u[0] >= 0 and u[-1] < 1
    # Kolmogorov-Smirnov distance to the uniform distribution
    ks = np.max(np.abs(u - np.arange(1, u.size + 1) / u.size))
    assert ks < 1.63 / math.sqrt(u.size)    # 1% level
    again = nk.sorted_uniforms(np.random.default_rng(1), 200_000)
    np.testing.assert_array_equal(u, again)
    assert nk.sorted_uniforms(np.random.default_rng(1), 0).shape == (0,)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sampling_matches_inverse_cdf(dtype):
    """The one-pass merge gives the same index as a search in the cumulative sums."""
    rng = np.random.default_rng(SEED + 9)
    for n in (1, 4, 10, 15, 17):
        psi = random_state(rng, n, dtype)
        psi[rng.random(psi.size) < 0.3] = 0           # zero-probability indices too
        u = nk.sorted_uniforms(rng, 5000)
        got = nk.sample_state(psi, u)
        w = np.abs(psi.astype(complex)) ** 2
        cdf = np.cumsum(w)
        want = np.searchsorted(cdf, u * cdf[-1], side="right")
        assert np.mean(got == want) > 0.999          # rounding at block edges may differ
        assert np.all(w[got] > 0)
        assert np.all(np.diff(got) >= 0)
        from_probs = nk.sample_probs(w, u)
        assert np.mean(from_probs == want) > 0.999 and np.all(w[from_probs] > 0)


def test_sampling_distribution_and_edge_cases():
    rng = np.random.default_rng(SEED + 10)
    n = 16
    w = rng.random(2 ** n) ** 8
    w[rng.random(w.size) < 0.5] = 0
    w /= w.sum()
    shots = 400_000
    idx = nk.sample_probs(w, nk.sorted_uniforms(rng, shots))
    counts = np.bincount(idx, minlength=w.size)
    assert counts[w == 0].sum() == 0
    # chi-square on outcomes grouped into 64 bins of about equal probability
    edges = np.searchsorted(np.cumsum(w), np.linspace(0, 1, 65)[1:-1])
    obs = np.add.reduceat(counts, np.r_[0, edges])
    exp = np.add.reduceat(w, np.r_[0, edges]) * shots
    chi2 = float(np.sum((obs - exp) ** 2 / exp))
    assert chi2 < 110                            # 63 degrees of freedom: p < 1e-4
    # a single possible outcome, with u at the very ends
    w = np.zeros(2 ** 15)
    w[12345] = 1
    u = np.array([0.0, 0.5, np.nextafter(1.0, 0)])
    np.testing.assert_array_equal(nk.sample_probs(w, u), [12345] * 3)
    w[12345] = 0
    w[-1] = 0.5
    w[0] = 0.5
    np.testing.assert_array_equal(nk.sample_probs(w, u), [0, w.size - 1, w.size - 1])
    assert nk.sample_probs(w, np.empty(0)).shape == (0,)
    # a Bell state in single precision
    bell = np.zeros(4, dtype=np.complex64)
    bell[0] = bell[3] = np.complex64(1 / math.sqrt(2))
    idx = nk.sample_state(bell, nk.sorted_uniforms(rng, 10_000))
    assert set(np.unique(idx)) == {0, 3} and abs(np.mean(idx == 3) - 0.5) < 0.02


def test_control_mask_and_warm_up():
    assert nk.control_mask([3, 0]) == (9, 9)
    assert nk.control_mask([3, 0], ctrl_state=0b01) == (9, 8)
    assert nk.control_mask([]) == (0, 0)
    nk.warm_up()


def test_runs_far_apart_are_staged():
    """Qubit 25 of a 2**26 complex64 state: its two halves lie 256 MiB apart, which the
    kernels stage through a small buffer (against L1 aliasing). Checked on a sample of
    index groups against numpy on the (2, 2**25) view (full-size references are slow)."""
    n = 26
    half = 2 ** (n - 1)
    rng = np.random.default_rng(SEED + 13)
    psi = np.empty(2 ** n, dtype=np.complex64)
    psi.real = rng.random(2 ** n, dtype=np.float32)
    psi.imag = rng.random(2 ** n, dtype=np.float32)
    cols = np.unique(np.r_[rng.integers(0, half, 20_000), 0, half - 1])

    def rows(x):  # the sampled (bit 25 = 0, bit 25 = 1) pairs
        return x.reshape(2, -1)[:, cols].astype(complex)

    u = haar_unitary(rng, 2).astype(np.complex64)
    got = psi.copy()
    nk.apply_1q(got, u, n - 1, 0, 0)
    np.testing.assert_allclose(rows(got), u @ rows(psi), rtol=0, atol=1e-5)
    got[:] = psi
    nk.apply_1q(got, u, n - 1, 1 << 3, 1 << 3)           # a control, runs still far apart
    on = (cols >> 3) & 1 == 1
    want = rows(psi)
    want[:, on] = u @ want[:, on]
    np.testing.assert_allclose(rows(got), want, rtol=0, atol=1e-5)
    u2 = haar_unitary(rng, 4).astype(np.complex64)
    got[:] = psi
    nk.apply_2q(got, u2, 2, n - 1, 0, 0)                  # a low and the top qubit
    g = cols[(cols >> 2) & 1 == 0]                        # groups: bit 2 and bit 25 zero
    idx = np.stack([g, g | 4, g | half, g | half | 4])   # local index b2 + 2 * b25
    np.testing.assert_allclose(got[idx], u2 @ psi[idx].astype(complex), rtol=0, atol=1e-5)
    got[:] = psi
    nk.apply_x(got, n - 1, 0, 0)
    np.testing.assert_array_equal(rows(got), rows(psi)[::-1])
    got[:] = psi
    nk.apply_swap(got, 1, n - 1, 0, 0)
    g = cols[(cols >> 1) & 1 == 0]
    np.testing.assert_array_equal(got[g | 2], psi[g | half])
    np.testing.assert_array_equal(got[g | half], psi[g | 2])
    np.testing.assert_array_equal(got[g], psi[g])
    got[:] = psi
    nk.reset(got, n - 1, 1, 1.0)
    np.testing.assert_array_equal(rows(got)[0], rows(psi)[1])
    assert not rows(got)[1].any()
