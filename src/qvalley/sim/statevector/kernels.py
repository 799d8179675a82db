"""numpy kernels that apply one operation to a state vector in place.

The state is a flat complex128 array of length 2**n; qubit q is bit q of the index
(little-endian), so in the C-ordered tensor view of shape (2,)*n qubit q is axis n-1-q.
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
    psi = state.reshape((2,) * n) if n else state
    if controls:
        if ctrl_state is None:
            ctrl_state = (1 << len(controls)) - 1
        index: list = [slice(None)] * n
        for i, c in enumerate(controls):
            index[n - 1 - c] = (ctrl_state >> i) & 1
        index_t = tuple(index)
        sub = psi[index_t]
        removed = sorted(n - 1 - c for c in controls)
        axis_of = {}
        for t in targets:
            ax = n - 1 - t
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
    new = _apply_dense(psi, matrix, [n - 1 - t for t in targets])
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
    view = state.reshape(1 << (n - 1 - q), 2, 1 << q)
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
    psi_axes = [n - 1 - t for t in reversed(targets)]  # axis j of d lives on psi_axes[j]
    order = np.argsort(psi_axes)
    d = d.transpose(order)
    shape = [1] * n
    for ax in psi_axes:
        shape[ax] = 2
    state.reshape((2,) * n)[...] *= d.reshape(shape)


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
