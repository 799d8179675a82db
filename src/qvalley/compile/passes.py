"""The compiler's passes, each exact (up to global phase), and the PassManager.

* :func:`unroll`: every gate to one-qubit gates and CX (multi-controlled gates by the
  ancilla-free constructions of :mod:`.decompose`).
* :func:`merge_1q`: runs of one-qubit gates on a qubit multiplied into one.
* :func:`consolidate`: maximal runs of gates on a pair of qubits collected into a 4x4
  block and resynthesised (KAK) when that needs fewer two-qubit gates; routing's swaps
  are absorbed the same way.
* :func:`cancel_2q`: a two-qubit gate followed by its inverse on the same qubits, with
  nothing between them on those qubits, is dropped.
* :func:`translate`: ops to the target's native gates (see :mod:`.native` and
  :mod:`.synthesis`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..circuit.circuit import Circuit
from ..circuit.gates import GATES
from ..circuit.instruction import Instruction
from ..targets import Target
from ..targets.ionq_json import fold_frames
from . import native, synthesis
from .decompose import unroll_to
from .ops import Op, from_circuit

_ONE_QUBIT = frozenset(n for n, g in GATES.items() if g.num_qubits == 1 and not g.controls)


def unroll(circuit: Circuit) -> list[Op]:
    return from_circuit(unroll_to(circuit, _ONE_QUBIT | {"cx"}))


def merge_1q(ops: list[Op]) -> list[Op]:
    out: list[Op] = []
    pending: dict[int, np.ndarray] = {}

    def flush(qubits):
        for q in qubits:
            m = pending.pop(q, None)
            if m is not None and not _is_identity(m):
                out.append(Op("u", (q,), m))

    for op in ops:
        if op.name == "u":
            q = op.qubits[0]
            pending[q] = op.matrix if q not in pending else op.matrix @ pending[q]
            continue
        flush(op.qubits)
        out.append(op)
    flush(sorted(pending))
    return out


def _is_identity(m: np.ndarray) -> bool:
    return abs(m[0, 1]) < 1e-12 and abs(m[1, 0]) < 1e-12 and abs(m[0, 0] - m[1, 1]) < 1e-12


def cancel_2q(ops: list[Op]) -> list[Op]:
    """Drop adjacent inverse pairs: cx.cx, swap.swap, rzz(a).rzz(-a) on the same qubits."""
    out: list[Op | None] = []
    last: dict[int, int] = {}
    for op in ops:
        if op.name in ("cx", "swap", "rzz"):
            i = last.get(op.qubits[0])
            if i is not None and last.get(op.qubits[1]) == i and out[i] is not None:
                prev = out[i]
                if _inverse_pair(prev, op):
                    out[i] = None
                    for q in op.qubits:
                        last.pop(q, None)
                    continue
        out.append(op)
        for q in op.qubits:
            last[q] = len(out) - 1
    return [op for op in out if op is not None]


def _inverse_pair(a: Op, b: Op) -> bool:
    if a.name != b.name:
        return False
    if a.name == "cx":
        return a.qubits == b.qubits
    if a.name == "swap":
        return set(a.qubits) == set(b.qubits)
    return set(a.qubits) == set(b.qubits) and abs(a.theta + b.theta) < 1e-12


def consolidate(ops: list[Op], *, partial: bool, memo: dict | None = None) -> list[Op]:
    """Collect two-qubit blocks and resynthesise each when it gets cheaper.

    The blocks of the whole list are collected first and their KAK decompositions computed
    together (:func:`.synthesis.block_parts_many`); new ops are built only for blocks that
    get cheaper. ``memo`` (a dict kept by the caller across passes over the same circuit)
    remembers, for the core of each block seen (from its first to its last two-qubit
    gate, the part that fixes how many entanglers it needs), the count resynthesis
    reached; a block whose core is known not to get cheaper is kept without a
    decomposition. Later passes meet mostly such blocks: the ones the earlier passes
    already resynthesised."""
    out: list = []  # ops, and ints: indices of blocks whose ops come later
    jobs: list[tuple[tuple[int, int], list[Op]]] = []
    blocks: dict[int, list] = {}  # qubit -> open block [pair, ops]
    pending: dict[int, list[Op]] = {}  # one-qubit ops not yet in a block

    def close(q):
        blk = blocks.get(q)
        if blk is None:
            return
        pair, bops = blk
        for p in pair:
            blocks.pop(p, None)
        out.append(len(jobs))
        jobs.append((pair, bops))

    def flush(q):
        out.extend(pending.pop(q, []))

    for op in ops:
        if op.name == "u":
            q = op.qubits[0]
            if q in blocks:
                blocks[q][1].append(op)
            else:
                pending.setdefault(q, []).append(op)
            continue
        if op.name in ("cx", "rzz", "swap"):
            a, b = op.qubits
            blk = blocks.get(a)
            if blk is not None and blk is blocks.get(b):
                blk[1].append(op)
                continue
            close(a)
            close(b)
            new = [(a, b), pending.pop(a, []) + pending.pop(b, []) + [op]]
            blocks[a] = blocks[b] = new
            continue
        for q in op.qubits:
            close(q)
            flush(q)
        out.append(op)
    for q in sorted(blocks):
        close(q)
    for q in sorted(pending):
        flush(q)
    done = _resynthesise_all(jobs, partial, memo)
    result: list[Op] = []
    for item in out:
        if type(item) is int:
            result.extend(done[item])
        else:
            result.append(item)
    return result


def _resynthesise_all(jobs: list[tuple[tuple[int, int], list[Op]]], partial: bool,
                      memo: dict | None) -> list[list[Op]]:
    """The ops of each block: resynthesised when that has fewer entanglers (or absorbs a
    swap at no cost), else as they were (swaps lowered to 3 CX)."""
    done: list = [None] * len(jobs)
    todo: list[tuple[int, int, bool]] = []  # (block, entanglers before, holds a swap)
    keys: list = [None] * len(jobs)
    for j, (pair, bops) in enumerate(jobs):
        before = sum(3 if o.name == "swap" else 1 for o in bops if o.two_qubit)
        if before <= 1:  # one entangler and local gates: nothing fewer exists
            done[j] = bops
            continue
        swaps = any(o.name == "swap" for o in bops)
        if memo is not None:
            keys[j] = _core_key(pair[0], bops)
            known = memo.get(keys[j])
            if known is not None and known >= before and not swaps:
                done[j] = bops
                continue
        todo.append((j, before, swaps))
    mats = [synthesis.ops_unitary(jobs[j][1], *jobs[j][0]) for j, _, _ in todo]
    for (j, before, swaps), mat, parts in zip(todo, mats, synthesis.block_parts_many(mats)):
        (q0, q1), bops = jobs[j]
        after = synthesis.entanglers(parts, partial)  # read off the coordinates
        if after < before or swaps:  # only then are the new ops worth building
            new = synthesis.ops_from_parts(mat, q0, q1, parts, partial)
            after = sum(1 for o in new if o.two_qubit)
            if memo is not None and after:
                memo[_core_key(q0, new)] = after
            if after < before or (after == before and swaps):
                done[j] = new
        if memo is not None:
            memo[keys[j]] = after
        if done[j] is None:
            done[j] = _lower_swaps(bops)
    return done


def _core_key(q0: int, bops: list[Op]) -> tuple:
    """The ops of a block from its first to its last two-qubit gate, in the block's own
    frame (qubit ``q0`` or the other one): equal keys, equal cores, so the same number
    of entanglers (local gates before and after do not change it)."""
    two = [i for i, o in enumerate(bops) if o.two_qubit]
    key = []
    for o in bops[two[0]:two[-1] + 1]:
        if o.name == "u":
            key.append((o.qubits[0] == q0, o.matrix.tobytes()))
        elif o.name == "cx":
            key.append(("cx", o.qubits[0] == q0))
        elif o.name == "rzz":
            key.append(("rzz", o.theta))
        else:
            key.append((o.name,))
    return tuple(key)


def _lower_swaps(ops: list[Op]) -> list[Op]:
    out = []
    for op in ops:
        if op.name == "swap":
            a, b = op.qubits
            out += [Op("cx", (a, b)), Op("cx", (b, a)), Op("cx", (a, b))]
        else:
            out.append(op)
    return out


def translate(ops: list[Op], target: Target) -> list[Instruction]:
    """Native instructions for ``ops`` (on physical qubits)."""
    lowered: list[Op] = []
    for op in _lower_swaps(ops):
        if op.name == "cx":
            lowered += native.lower_cx(op.qubits[0], op.qubits[1], target)
        elif op.name == "rzz":
            lowered += native.lower_rzz(op.qubits[0], op.qubits[1], op.theta, target)
        else:
            lowered.append(op)
    lowered = merge_1q(lowered)
    ionq = "gpi2" in target.basis
    one = synthesis.one_qubit_ionq if ionq else synthesis.one_qubit_ibm
    out: list[Instruction] = []
    for op in lowered:
        if op.name == "u":
            for name, params, qubits in one(op.matrix, op.qubits[0]):
                out.append(Instruction("gate", name, qubits, tuple(float(p) for p in params)))
        elif op.name == "n2":
            out.append(op.instr)
        else:
            out.append(op.instr)
    if ionq:
        out = fold_frames(out)
    return out


@dataclass
class PassManager:
    """Passes run in order on the compiler's op list; ``log`` records (pass, two-qubit
    count after it)."""

    passes: list[tuple[str, Callable[[list[Op]], list[Op]]]] = field(default_factory=list)
    log: list[tuple[str, int]] = field(default_factory=list)

    def append(self, name: str, fn: Callable[[list[Op]], list[Op]]) -> "PassManager":
        self.passes.append((name, fn))
        return self

    def run(self, ops: list[Op]) -> list[Op]:
        from .ops import two_qubit_count
        for name, fn in self.passes:
            ops = fn(ops)
            self.log.append((name, two_qubit_count(ops)))
        return ops
