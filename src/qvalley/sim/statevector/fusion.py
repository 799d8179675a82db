"""Gate fusion: neighbouring gates multiplied into fewer, cheaper blocks.

The engine's prepared operations arrive here as :class:`Block` objects of these kinds:

* ``dense``: a matrix on ``qubits`` (little-endian), optionally controlled;
* ``diag``: a diagonal table on ``qubits`` (little-endian), optionally controlled;
* ``x``: a Pauli X on one qubit (cx, ccx, mcx are this with controls);
* ``swap``: an exchange of two qubits, optionally controlled;

:func:`fuse` walks the blocks in order and merges a block into earlier ones when the
result is cheaper than the parts (time per amplitude, measured: a dense block on k qubits
costs ``2**(k-1)``, a diagonal 1; diagonals merge whenever they stay narrow) and stays narrow (dense up to ``dense_width``
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
        """Time per amplitude, relative to a dense 1-qubit gate (what fusion minimises).
        Measured here on the in-cache kernels: a diagonal costs about as much as a dense
        1-qubit gate, a dense 2-qubit gate about twice (each added qubit doubles it)."""
        share = 0.5 ** len(self.controls)
        if self.kind == DENSE:
            return (1 << (len(self.qubits) - 1)) * share
        if self.kind == DIAG:
            return 1.0 * share
        return 0.5 * share


def from_gate(matrix: np.ndarray, targets: tuple[int, ...], controls: tuple[int, ...],
              ctrl_state: int, diag_width: int) -> Block:
    """The cheapest block kind for ``matrix`` on ``targets`` controlled by ``controls``
    (control i must read bit i of ``ctrl_state``)."""
    ctl = {c: (ctrl_state >> i) & 1 for i, c in enumerate(controls)}
    k = len(targets)
    # real matrices (the density matrix's Pauli transfer matrices) stay real
    dtype = np.float64 if matrix.dtype == np.float64 else np.complex128
    if k == 1:  # the common case, without array temporaries
        m01, m10 = complex(matrix[0, 1]), complex(matrix[1, 0])
        if not ctl and (m01 != 0 or m10 != 0) and not (
                m01 == 1 and m10 == 1 and matrix[0, 0] == 0 and matrix[1, 1] == 0):
            return Block(DENSE, tuple(targets), np.asarray(matrix, dtype=dtype))
        diagonal = m01 == 0 and m10 == 0
    elif matrix[0, 1] != 0 or matrix[1, 0] != 0:  # a quick answer for most dense gates
        diagonal = False
    else:
        diagonal = np.count_nonzero(matrix - np.diag(np.diagonal(matrix))) == 0
    if diagonal:
        d = np.ascontiguousarray(np.diagonal(matrix), dtype=dtype)
        if ctl and k + len(ctl) <= 4:
            # fold small controls into the table: cz, cp, crz, ccz become plain diagonals
            return Block(DIAG, *_fold_controls(d, targets, ctl))
        return Block(DIAG, tuple(targets), d, ctl)
    if k == 1 and matrix[0, 0] == 0 and matrix[1, 1] == 0 and matrix[0, 1] == 1 \
            and matrix[1, 0] == 1:
        return Block(XGATE, tuple(targets), None, ctl)
    if k == 2 and matrix[0, 0] == 1 and np.array_equal(matrix, SWAP_MATRIX):
        return Block(SWAP, tuple(targets), None, ctl)
    if ctl and k + len(ctl) <= 2:
        qubits, full = _expand_controls(matrix, targets, ctl)
        return Block(DENSE, qubits, full)
    return Block(DENSE, tuple(targets), np.ascontiguousarray(matrix, dtype=dtype), ctl)


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
    if u == 2:  # the common cases, without the general tensor shuffle
        if k == 1:
            out = np.zeros((4, 4), dtype=matrix.dtype)
            if qubits[0] == onto[0]:  # the low bit of the 4x4 index
                out[:2, :2] = matrix
                out[2:, 2:] = matrix
            else:
                out[0::2, 0::2] = matrix
                out[1::2, 1::2] = matrix
            return out
        if qubits == onto[::-1]:
            return matrix.reshape(2, 2, 2, 2).transpose(1, 0, 3, 2).reshape(4, 4)
    # tensor axes: big-endian, so qubit onto[j] is axis u-1-j (output) and 2u-1-j (input)
    t = np.eye(1 << u, dtype=matrix.dtype).reshape((2,) * (2 * u))
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
    if len(onto) == 2:  # the common cases (cz, cp, rz next to a 2-qubit block)
        if len(qubits) == 2:
            return table.reshape(2, 2).T.ravel()
        return np.tile(table, 2) if qubits[0] == onto[0] else np.repeat(table, 2)
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
    qubits: set[int] = set()
    all_diag = True
    for p in parts:
        if p.controls:
            return None
        qubits.update(p.qubits)
        all_diag = all_diag and p.kind == DIAG
    if len(qubits) > (diag_width if all_diag else dense_width):  # the usual answer
        return None
    union = tuple(sorted(qubits))
    gates = sum(p.gates for p in parts)
    if all_diag:
        table = expand_diagonal(parts[0].data, parts[0].qubits, union)
        for p in parts[1:]:
            table = table * expand_diagonal(p.data, p.qubits, union)
        return Block(DIAG, union, table, {}, gates)
    merged_cost = float(1 << (len(union) - 1))
    if merged_cost > sum(p.cost for p in parts) - 1e-9:  # strictly cheaper, or keep apart
        return None
    m = _as_dense(parts[0], union)
    for p in parts[1:]:
        if p.kind == DIAG:  # a diagonal scales rows: no matrix product
            m = expand_diagonal(p.data, p.qubits, union)[:, None] * m
        else:
            m = _as_dense(p, union) @ m
    return Block(DENSE, union, m, {}, gates)


def fuse(blocks: list[Block], dense_width: int = 2, diag_width: int = 10) -> list[Block]:
    """Merge neighbouring blocks (see the module docstring); the order of the result is
    an order in which applying the blocks gives the same state.

    1-qubit dense blocks wait (multiplied together) until the next block on their qubit:
    a 2-qubit block then takes them in when that is cheaper than keeping them apart (a
    cz between layers of rotations becomes one dense 2-qubit block, as in qsim's fuser);
    otherwise they go in first. Waiting moves a block only past blocks on other qubits."""
    out: list[Block | None] = []
    last: dict[int, int] = {}  # qubit -> index in out of the latest block touching it
    pending: dict[int, Block] = {}  # qubit -> 1-qubit dense block not yet placed

    def add(b: Block) -> None:
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

    for b in blocks:
        if b.kind == DENSE and len(b.qubits) == 1 and not b.controls:
            q = b.qubits[0]
            if q in pending:
                b = Block(DENSE, (q,), b.data @ pending[q].data, {}, pending[q].gates + b.gates)
            pending[q] = b
            continue
        waiting = [pending[q] for q in sorted(b.support) if q in pending]
        if waiting and not b.controls and len(b.qubits) <= dense_width \
                and set(b.support) <= set(b.qubits):
            absorbed = _merge(waiting + [b], dense_width, diag_width)
            if absorbed is not None:
                for w in waiting:
                    del pending[w.qubits[0]]
                b = absorbed
        for q in sorted(b.support):
            if q in pending:
                add(pending.pop(q))
        add(b)
    for q in sorted(pending):
        add(pending[q])
    return [b for b in out if b is not None]
