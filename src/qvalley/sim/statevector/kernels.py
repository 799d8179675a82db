"""numpy kernels that apply one operation to a state vector in place.

The state is a flat complex128 array of length 2**n; qubit q is bit q of the index
(little-endian), so in the C-ordered tensor view of shape (2,)*n qubit q is axis n-1-q.
The gate kernels also take a batch of states (a C-contiguous array of shape (r, 2**n), or
its flat view) and apply the operation to every row: the dynamic-circuit engine keeps one
row per distinct branch.
These kernels are vectorised (no Python loop over amplitudes); the numba engine of a later
issue replaces them where speed matters and is tested against them.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def apply_matrix(state: np.ndarray, num_qubits: int, matrix: np.ndarray,
                 targets: Sequence[int], controls: Sequence[int] = (),
                 ctrl_state: int | None = None) -> None:
    """Apply ``matrix`` (little-endian in ``targets``) to ``state`` in place, only on the
    subspace where control i has value bit i of ``ctrl_state`` (all ones by default)."""
    n = num_qubits
    # a leading batch axis (of size 1 for a single state): qubit q is axis n - q
    psi = state.reshape((-1,) + (2,) * n)
    if controls:
        if ctrl_state is None:
            ctrl_state = (1 << len(controls)) - 1
        index: list = [slice(None)] * (n + 1)
        for i, c in enumerate(controls):
            index[n - c] = (ctrl_state >> i) & 1
        index_t = tuple(index)
        sub = psi[index_t]
        removed = sorted(n - c for c in controls)
        axis_of = {}
        for t in targets:
            ax = n - t
            axis_of[t] = ax - sum(1 for r in removed if r < ax)
        if len(targets) == 1:
            _apply_1q_axis(sub, matrix, axis_of[targets[0]])
            return
        new = _apply_dense(sub, matrix, [axis_of[t] for t in targets])
        psi[index_t] = new
        return
    k = len(targets)
    if k == 1 and n >= 1:
        _apply_1q(state, n, matrix, targets[0])
        return
    if _is_diagonal(matrix):
        apply_diagonal(state, n, np.diagonal(matrix).copy(), targets)
        return
    new = _apply_dense(psi, matrix, [n - t for t in targets])
    psi[...] = new


def _is_diagonal(matrix: np.ndarray) -> bool:
    return not np.any(matrix[~np.eye(matrix.shape[0], dtype=bool)])


def _apply_dense(psi: np.ndarray, matrix: np.ndarray, axes: Sequence[int]) -> np.ndarray:
    """Contract ``matrix`` with tensor ``psi``; ``axes[j]`` is the axis of the gate's
    j-th qubit. Returns a new array in the same axis order."""
    k = len(axes)
    tensor = matrix.reshape((2,) * (2 * k))
    # the gate tensor's input axes k..2k-1 are its qubits k-1..0 (big-endian order)
    in_axes = [axes[j] for j in reversed(range(k))]
    out = np.tensordot(tensor, psi, axes=(list(range(k, 2 * k)), in_axes))
    return np.moveaxis(out, list(range(k)), in_axes)


def _apply_1q(state: np.ndarray, n: int, m: np.ndarray, q: int) -> None:
    view = state.reshape(-1, 2, 1 << q)
    dense = (m[0, 1] != 0 or m[1, 0] != 0) and (m[0, 0] != 0 or m[1, 1] != 0)
    if dense and q >= 3:  # measured: a batched 2x2 matmul wins once the inner stride is long
        view[...] = np.matmul(m, view)
        return
    _apply_1q_axis(view, m, 1)


def _apply_1q_axis(arr: np.ndarray, m: np.ndarray, axis: int) -> None:
    """Apply a 2x2 matrix along ``axis`` of a (possibly strided) view, in place."""
    i0: list = [slice(None)] * arr.ndim
    i1 = list(i0)
    # slices, not ints: an int index of a 1-d view gives a scalar copy, and writes to it
    # would be lost
    i0[axis], i1[axis] = slice(0, 1), slice(1, 2)
    x0, x1 = arr[tuple(i0)], arr[tuple(i1)]
    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    if b == 0 and c == 0:
        if a != 1:
            x0 *= a
        if d != 1:
            x1 *= d
        return
    tmp = x0.copy()
    if a == 0 and d == 0:
        x0[...] = x1 if b == 1 else b * x1
        x1[...] = tmp if c == 1 else c * tmp
        return
    x0 *= a
    x0 += b * x1
    x1 *= d
    x1 += c * tmp


def apply_diagonal(state: np.ndarray, n: int, diag: np.ndarray,
                   targets: Sequence[int]) -> None:
    """Multiply by a diagonal operator (``diag`` little-endian in ``targets``)."""
    k = len(targets)
    d = diag.reshape((2,) * k)
    psi_axes = [n - t for t in reversed(targets)]  # axis j of d lives on psi_axes[j]
    order = np.argsort(psi_axes)
    d = d.transpose(order)
    shape = [1] * (n + 1)
    for ax in psi_axes:
        shape[ax] = 2
    state.reshape((-1,) + (2,) * n)[...] *= d.reshape(shape)


def probability_of_one(state: np.ndarray, n: int, q: int) -> float:
    """Probability that measuring qubit ``q`` gives 1."""
    view = state.reshape(1 << (n - 1 - q), 2, 1 << q)
    ones = view[:, 1, :]
    return float(np.vdot(ones, ones).real)


def collapse(state: np.ndarray, n: int, q: int, outcome: int, probability: float) -> None:
    """Project qubit ``q`` onto ``outcome`` (which had ``probability``) and renormalise."""
    view = state.reshape(1 << (n - 1 - q), 2, 1 << q)
    view[:, 1 - outcome, :] = 0
    view[:, outcome, :] *= 1 / np.sqrt(probability)


def flip(state: np.ndarray, n: int, q: int) -> None:
    """Apply X to qubit ``q`` (used by reset after a |1> outcome)."""
    view = state.reshape(1 << (n - 1 - q), 2, 1 << q)
    tmp = view[:, 0, :].copy()
    view[:, 0, :] = view[:, 1, :]
    view[:, 1, :] = tmp


# -- prepared kernels ------------------------------------------------------------------------

def plan(num_qubits: int, matrix: np.ndarray, targets: Sequence[int],
         controls: Sequence[int] = (), ctrl_state: int | None = None):
    """A function ``f(state)`` that does what :func:`apply_matrix` does with these
    arguments, with the work that does not depend on the state done once here.

    One-qubit gates and singly controlled one-qubit gates (the bulk of most circuits) get
    views with few axes, so that numpy's per-call overhead stays small on small states: a
    gate on one of the four lowest qubits is one matrix product with ``kron(m, I)``, a
    diagonal one a broadcast multiply, a controlled X a swap of two views.
    """
    n = num_qubits
    targets, controls = tuple(targets), tuple(controls)
    m = matrix
    if len(targets) == 1 and len(controls) <= 1 and n >= 1:
        q = targets[0]
        a, b, c, d = m.ravel().tolist()  # Python complex numbers compare fast
        diagonal = b == 0 and c == 0
        if not controls:
            lo = 1 << q
            if diagonal:
                if a == 1:
                    return lambda st: _scale(st.reshape(-1, 2, lo)[:, 1, :], d)
                pattern = np.array([[a], [d]])
                return lambda st: _scale(st.reshape(-1, 2, lo), pattern)
            if q <= 3:
                # kron(m, I)^T, built by broadcasting (np.kron costs ~100 us a call)
                kt = (m.T[:, None, :, None] * _EYES[q][None, :, None, :]).reshape(2 * lo,
                                                                                 2 * lo)

                def small(st: np.ndarray) -> None:
                    v = st.reshape(-1, 2 * lo)
                    v[...] = v @ kt
                return small
            return lambda st: _apply_1q(st, n, m, q)
        (ctl,) = controls
        value = 1 if ctrl_state is None else ctrl_state & 1
        hi_q, lo_q = max(ctl, q), min(ctl, q)
        shape = (-1, 2, 1 << (hi_q - lo_q - 1), 2, 1 << lo_q)
        if ctl > q:
            pick0, pick1 = (slice(None), value, slice(None), 0), (slice(None), value,
                                                                  slice(None), 1)
        else:
            pick0, pick1 = (slice(None), 0, slice(None), value), (slice(None), 1,
                                                                  slice(None), value)
        swap = a == 0 and d == 0 and b == 1 and c == 1

        def controlled(st: np.ndarray) -> None:
            v = st.reshape(shape)
            x0, x1 = v[pick0], v[pick1]
            if swap:
                tmp = x0.copy()
                x0[...] = x1
                x1[...] = tmp
            elif diagonal:
                if a != 1:
                    x0 *= a
                if d != 1:
                    x1 *= d
            else:
                tmp = x0.copy()
                x0 *= a
                x0 += b * x1
                x1 *= d
                x1 += c * tmp
        return controlled
    return lambda st: apply_matrix(st, n, m, targets, controls, ctrl_state)


_EYES = [np.eye(1 << q) for q in range(4)]


def _scale(view: np.ndarray, factor) -> None:
    view *= factor


# -- batches of states (one row per branch of a dynamic circuit) ------------------------------

def _halves(rows: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Views of the amplitudes with qubit ``q`` = 0 and = 1, shape (r, 2**(n-1-q), 2**q)."""
    view = rows.reshape(rows.shape[0], -1, 2, 1 << q)
    return view[:, :, 0, :], view[:, :, 1, :]


def row_probability_of_one(rows: np.ndarray, q: int) -> np.ndarray:
    """P(qubit ``q`` = 1) for each row of a (r, 2**n) batch."""
    _, ones = _halves(rows, q)
    return np.einsum("rij,rij->r", ones.conj(), ones).real


def _half_norms(rows: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    zeros, ones = _halves(rows, q)
    return (np.einsum("rij,rij->r", zeros.conj(), zeros).real,
            np.einsum("rij,rij->r", ones.conj(), ones).real)


def row_collapse(rows: np.ndarray, q: int, outcome: int, reset: bool = False) -> None:
    """Project every row onto qubit ``q`` = ``outcome`` and renormalise (by the norm of
    what is kept, measured, so that rounding errors never accumulate); with ``reset``, then
    set the qubit to 0."""
    zeros, ones = _halves(rows, q)
    keep, drop = (ones, zeros) if outcome else (zeros, ones)
    kept = np.einsum("rij,rij->r", keep.conj(), keep).real
    keep *= (1 / np.sqrt(kept))[:, None, None]
    if reset and outcome:
        zeros[...] = ones
        ones[...] = 0
    else:
        drop[...] = 0


def row_is_product(rows: np.ndarray, q: int, atol: float = 1e-11) -> np.ndarray:
    """Whether qubit ``q`` is unentangled from the others in each row: the amplitudes with
    q = 1 are a multiple of those with q = 0 (to ``atol`` in amplitude, for a unit row)."""
    zeros, ones = _halves(rows, q)
    n0, n1 = _half_norms(rows, q)
    overlap = np.einsum("rij,rij->r", zeros.conj(), ones)
    # Cauchy-Schwarz: n0 n1 - |<0|1>|^2 is 0 exactly for a product; a clear gap settles
    # it cheaply, otherwise the residual is measured directly (no cancellation)
    candidate = n0 * n1 - np.abs(overlap) ** 2 <= 1e-9 * np.maximum(n0 * n1, 1e-300)
    out = np.zeros(rows.shape[0], dtype=bool)
    for j in np.nonzero(candidate)[0]:
        if n0[j] >= n1[j]:
            residual = ones[j] - (overlap[j] / n0[j]) * zeros[j]
        else:
            residual = zeros[j] - (overlap[j].conjugate() / n1[j]) * ones[j]
        out[j] = np.vdot(residual, residual).real <= atol * atol
    return out


def row_reset_product(rows: np.ndarray, q: int) -> None:
    """Reset qubit ``q`` of rows in which it is unentangled: |φ>|rest> becomes |0>|rest>
    (normalised), the same state whichever outcome a measurement would have given."""
    zeros, ones = _halves(rows, q)
    n0, n1 = _half_norms(rows, q)
    for j in range(rows.shape[0]):
        if n0[j] >= n1[j]:
            zeros[j] *= 1 / np.sqrt(n0[j])
        else:
            np.multiply(ones[j], 1 / np.sqrt(n1[j]), out=zeros[j])
        ones[j] = 0
