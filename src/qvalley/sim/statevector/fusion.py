"""Gate fusion: neighbouring gates multiplied into fewer, cheaper blocks.

The engine's prepared operations arrive here as :class:`Block` objects of four kinds:

* ``dense``: a matrix on ``qubits`` (little-endian), optionally controlled;
* ``diag``: a diagonal table on ``qubits`` (little-endian), optionally controlled;
* ``x``: a Pauli X on one qubit (cx, ccx, mcx are this with controls);
* ``swap``: an exchange of two qubits, optionally controlled.

:func:`fuse` walks the blocks in order and merges a block into earlier ones when the
result is no more expensive than the parts (arithmetic per amplitude: a dense block on k
qubits costs ``2**k``, a diagonal 1) and stays narrow (dense up to ``dense_width``
qubits, diagonals up to ``diag_width``). A block may only move forward past blocks that
touch none of its qubits, so the product is always exact; the result never differs from
applying the gates one by one by more than rounding (tested against plain numpy).

Plain swaps never reach here: the planner turns them into a relabelling of qubits.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...circuit.gates import GATES

DENSE, DIAG, XGATE, SWAP = "dense", "diag", "x", "swap"


@dataclass
class Block:
    """One operation: ``kind`` on ``qubits``, where ``controls`` (qubit -> required value)
    hold. ``data`` is the matrix (dense), the diagonal (diag) or None."""

    kind: str
    qubits: tuple[int, ...]
    data: np.ndarray | None = None
    controls: dict[int, int] = field(default_factory=dict)
    gates: int = 1  # how many circuit gates it stands for

    @property
    def support(self) -> set[int]:
        return set(self.qubits) | set(self.controls)

    @property
    def cost(self) -> float:
        """Arithmetic per amplitude, relative (what fusion minimises)."""
        share = 0.5 ** len(self.controls)
        if self.kind == DENSE:
            return (1 << len(self.qubits)) * share
        if self.kind == DIAG:
            return 1.0 * share
        return 0.5 * share


def from_gate(matrix: np.ndarray, targets: tuple[int, ...], controls: tuple[int, ...],
              ctrl_state: int, diag_width: int) -> Block:
    """The cheapest block kind for ``matrix`` on ``targets`` controlled by ``controls``
    (control i must read bit i of ``ctrl_state``)."""
    ctl = {c: (ctrl_state >> i) & 1 for i, c in enumerate(controls)}
    k = len(targets)
    off_diag = matrix[~np.eye(matrix.shape[0], dtype=bool)]
    if not np.any(off_diag):
        d = np.ascontiguousarray(np.diagonal(matrix), dtype=np.complex128)
        if ctl and k + len(ctl) <= 4:
            # fold small controls into the table: cz, cp, crz, ccz become plain diagonals
            return Block(DIAG, *_fold_controls(d, targets, ctl))
        return Block(DIAG, tuple(targets), d, ctl)
    if k == 1 and matrix[0, 0] == 0 and matrix[1, 1] == 0 and matrix[0, 1] == 1 \
            and matrix[1, 0] == 1:
        return Block(XGATE, tuple(targets), None, ctl)
    if k == 2 and np.array_equal(matrix, SWAP_MATRIX):
        return Block(SWAP, tuple(targets), None, ctl)
    if ctl and k + len(ctl) <= 2:
        qubits, full = _expand_controls(matrix, targets, ctl)
        return Block(DENSE, qubits, full)
    return Block(DENSE, tuple(targets), np.ascontiguousarray(matrix, dtype=np.complex128),
                 ctl)


SWAP_MATRIX = GATES["swap"].matrix()


def _fold_controls(d: np.ndarray, targets, ctl: dict[int, int]):
    qubits = tuple(targets) + tuple(ctl)
    k = len(targets)
    table = np.ones(1 << len(qubits), dtype=np.complex128)
    want = 0
    for i, c in enumerate(ctl):
        want |= ctl[c] << (k + i)
    idx = np.arange(1 << k) | want
    table[idx] = d
    return qubits, table


def _expand_controls(matrix: np.ndarray, targets, ctl: dict[int, int]):
    qubits = tuple(targets) + tuple(ctl)
    k = len(targets)
    dim = 1 << len(qubits)
    full = np.eye(dim, dtype=np.complex128)
    want = 0
    for i, c in enumerate(ctl):
        want |= ctl[c] << (k + i)
    idx = np.arange(1 << k) | want
    full[np.ix_(idx, idx)] = matrix
    return qubits, full


# -- embedding in a wider set of qubits -----------------------------------------------------------

def expand_matrix(matrix: np.ndarray, qubits: tuple[int, ...],
                  onto: tuple[int, ...]) -> np.ndarray:
    """``matrix`` on ``qubits`` as a matrix on ``onto`` (a superset; little-endian)."""
    if qubits == onto:
        return matrix
    u = len(onto)
    k = len(qubits)
    # tensor axes: big-endian, so qubit onto[j] is axis u-1-j (output) and 2u-1-j (input)
    t = np.eye(1 << u, dtype=np.complex128).reshape((2,) * (2 * u))
    g = matrix.reshape((2,) * (2 * k))
    pos = [onto.index(q) for q in qubits]
    out_axes = [u - 1 - p for p in reversed(pos)]
    moved = np.tensordot(g, t, axes=(list(range(k, 2 * k)), out_axes))
    moved = np.moveaxis(moved, list(range(k)), out_axes)
    return moved.reshape(1 << u, 1 << u)


def expand_diagonal(table: np.ndarray, qubits: tuple[int, ...],
                    onto: tuple[int, ...]) -> np.ndarray:
    """A diagonal on ``qubits`` as a diagonal on ``onto`` (a superset; little-endian)."""
    if qubits == onto:
        return table
    idx = np.arange(1 << len(onto))
    sub = np.zeros_like(idx)
    for j, q in enumerate(qubits):
        sub |= ((idx >> onto.index(q)) & 1) << j
    return table[sub]


def _as_dense(b: Block, onto: tuple[int, ...]) -> np.ndarray:
    if b.kind == DENSE:
        return expand_matrix(b.data, b.qubits, onto)
    if b.kind == DIAG:
        return np.diag(expand_diagonal(b.data, b.qubits, onto))
    if b.kind == XGATE:
        return expand_matrix(np.array([[0, 1], [1, 0]], dtype=complex), b.qubits, onto)
    return expand_matrix(SWAP_MATRIX, b.qubits, onto)


# -- the pass -------------------------------------------------------------------------------------

def _merge(parts: list[Block], dense_width: int, diag_width: int) -> Block | None:
    """One block equal to applying ``parts`` in order, or None if it would be too wide
    or more expensive than the parts."""
    if any(p.controls for p in parts):
        return None
    union = tuple(sorted(set().union(*(p.qubits for p in parts))))
    gates = sum(p.gates for p in parts)
    if all(p.kind == DIAG for p in parts):
        if len(union) > diag_width:
            return None
        table = np.ones(1 << len(union), dtype=np.complex128)
        for p in parts:
            table = table * expand_diagonal(p.data, p.qubits, union)
        return Block(DIAG, union, table, {}, gates)
    if len(union) > dense_width:
        return None
    merged_cost = float(1 << len(union))
    if merged_cost > sum(p.cost for p in parts) + 1e-9:
        return None
    m = np.eye(1 << len(union), dtype=np.complex128)
    for p in parts:
        m = _as_dense(p, union) @ m
    return Block(DENSE, union, m, {}, gates)


def fuse(blocks: list[Block], dense_width: int = 2, diag_width: int = 10) -> list[Block]:
    """Merge neighbouring blocks (see the module docstring); the order of the result is
    an order in which applying the blocks gives the same state."""
    out: list[Block | None] = []
    last: dict[int, int] = {}  # qubit -> index in out of the latest block touching it
    for b in blocks:
        sup = b.support
        cands = sorted({last[q] for q in sup if q in last})
        # a candidate can move forward to here only if it is the latest on all its qubits
        movable = [c for c in cands if all(last.get(q) == c for q in out[c].support)]
        merged = None
        if movable and not b.controls:
            for choice in ([movable] if len(movable) == 1 else
                           [movable] + [[c] for c in reversed(movable)]):
                merged = _merge([out[c] for c in choice] + [b], dense_width, diag_width)
                if merged is not None:
                    for c in choice:
                        out[c] = None
                    break
        new = merged if merged is not None else b
        out.append(new)
        for q in new.support:
            last[q] = len(out) - 1
    return [b for b in out if b is not None]
