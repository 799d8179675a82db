"""The planner: a circuit's gates turned into a few cache-blocked passes over the state.

Steps (each exact; the plan never changes a result beyond rounding):

1. **Relabel swaps.** A plain ``swap`` moves no amplitude until the end: the planner
   keeps a map from circuit qubits to memory bits and exchanges two entries. The map is
   undone at the end by swaps of memory bits, which land in the last passes, where
   they cost no extra traffic.
2. **Fuse** (:mod:`.fusion`): runs of gates become dense blocks of at most 2 qubits or
   diagonals of at most 10, whichever costs less time (1-qubit gates wait for the next
   2-qubit block on their qubit).
3. **Schedule into passes.** A pass picks ``L`` *lanes* (memory bits whose amplitudes fit
   in a core's cache together: ``2**L`` amplitudes, always including the lowest ``R``
   bits so that a chunk is made of long contiguous runs) and takes, in circuit order,
   every block whose targets are lanes, skipping any block that depends on one it had to
   leave out. Controls and diagonal qubits need no lane. Each pass is one read and one
   write of the state (see :mod:`.nb_pass`).
4. **Order the buffer.** Dense kernels on buffer bits 1..5 cannot fill vector registers
   (measured 3 to 6 times slower), so a pass leaves room for five non-target lanes and
   its chunks are copied in and out with those lanes on bits 1..5 (``Pass.order``); the
   copy moves pieces of ``2**k`` amplitudes, ``k`` the lowest bit that moves.

The same split between lane (local) and other (global) qubits is what a distributed
simulator needs: a pass touches other qubits only through controls and diagonals, which
are known per chunk, so a chunk could live on another machine.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .fusion import DENSE, DIAG, SWAP, SWAP_MATRIX, XGATE, Block, from_gate, fuse

DENSE_WIDTH = 2
DIAG_WIDTH = 10
LANE_BYTES = 1 << 19   # a chunk of 512 KiB: measured fastest here (cache blocking)
RUN_BITS = 8           # lowest lanes, always kept: chunks are runs of 2**8 amplitudes
SLOW_BITS = (1, 2, 3, 4, 5)  # buffer bits kept free of dense targets (slow kernels there)
SERIAL_BELOW = 14      # states with fewer qubits run on the calling thread


@dataclass
class Pass:
    """One sweep over the state: ``lanes`` (sorted memory bits) and the blocks it applies."""

    lanes: tuple[int, ...] | None   # None: one wide block applied on its own (numpy)
    blocks: list[Block]
    order: tuple[int, ...] | None = None  # buffer bit i holds lane order[i] (None: sorted)
    ops: np.ndarray = field(repr=False, default=None)
    pool: np.ndarray = field(repr=False, default=None)
    copy: tuple = field(repr=False, default=None)   # layout(): how chunks are copied

    def __post_init__(self):
        if self.order is None and self.lanes is not None:
            self.order = tuple(sorted(self.lanes))

    @property
    def in_place(self) -> bool:
        return self.lanes is not None and self.order == tuple(range(len(self.lanes)))

    @property
    def permuted(self) -> bool:
        """The buffer holds the lanes out of memory order (low targets moved up)."""
        return self.lanes is not None and self.order != tuple(sorted(self.lanes))


@dataclass
class Plan:
    """What the engine will do: passes over memory and what each holds."""

    num_qubits: int
    dtype: np.dtype
    passes: list[Pass]
    gates: int           # circuit gates planned
    relabelled: int      # swaps turned into relabelling
    lane_count: int

    @property
    def blocks(self) -> int:
        return sum(len(p.blocks) for p in self.passes)

    def kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.passes:
            for b in p.blocks:
                key = b.kind if b.kind != DENSE else f"dense{len(b.qubits)}"
                out[key] = out.get(key, 0) + 1
        return out

    @property
    def state_bytes(self) -> int:
        return (1 << self.num_qubits) * self.dtype.itemsize

    def __str__(self) -> str:
        mib = self.state_bytes / 2 ** 20
        kinds = ", ".join(f"{v} {k}" for k, v in sorted(self.kinds().items()))
        lines = [
            f"plan for {self.num_qubits} qubits, {self.dtype.name} "
            f"({mib:.4g} MiB state): {self.gates} gates -> {self.blocks} blocks "
            f"({kinds or 'none'}) in {len(self.passes)} passes over memory",
            f"  floor: {len(self.passes)} x (read + write {mib:.4g} MiB) = "
            f"{2 * mib * len(self.passes):.4g} MiB of memory traffic; "
            f"{self.relabelled} swaps relabelled; chunks of 2^{self.lane_count} amplitudes",
        ]
        for i, p in enumerate(self.passes):
            if p.lanes is None:
                b = p.blocks[0]
                lines.append(f"  pass {i}: one {b.kind} block on {len(b.qubits)} qubits, "
                             "applied on its own (wider than a pass takes)")
                continue
            where = "in place" if p.in_place else (
                "gathered, low targets moved up" if p.permuted else "gathered")
            lanes = _ranges(p.lanes)
            lines.append(f"  pass {i}: {len(p.blocks)} blocks, lanes {lanes} ({where})")
        return "\n".join(lines)


def _ranges(bits) -> str:
    out, start, prev = [], None, None
    for b in bits:
        if start is None:
            start = prev = b
        elif b == prev + 1:
            prev = b
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = b
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ",".join(out)


MAX_TARGETS = 6        # widest dense block a pass applies (wider ones run on their own)


def lane_count(num_qubits: int, dtype: np.dtype) -> int:
    """How many lanes a pass has: a chunk of ``LANE_BYTES`` (all qubits if fewer)."""
    lanes = max(1, int(np.log2(max(LANE_BYTES // np.dtype(dtype).itemsize, 2))))
    return min(num_qubits, lanes)


def slow_bits(L: int) -> tuple[int, ...]:
    """The buffer bits a gathered pass keeps free of dense targets: dense kernels on
    bits 2 and 3 do not vectorise (measured here 3 to 5 times slower than on bits 0, 1
    or 4 up). None when the lanes are too few to spare them."""
    return SLOW_BITS if L >= MAX_TARGETS + 2 + max(SLOW_BITS) else ()


def base_lanes(L: int) -> int:
    """The lowest bits every pass keeps as lanes (runs of 2**this amplitudes), leaving
    room for the widest block's targets."""
    return min(RUN_BITS, max(0, L - MAX_TARGETS))


def plan(num_qubits: int, gates, dtype=np.complex128) -> Plan:
    """Plan ``gates``: an iterable of (matrix, targets, controls, ctrl_state) on qubits
    ``0..num_qubits-1``, applied in order."""
    dtype = np.dtype(dtype)
    n = num_qubits
    where = list(range(n))        # circuit qubit -> memory bit
    blocks: list[Block] = []
    count = relabelled = 0
    for matrix, targets, controls, ctrl_state in gates:
        count += 1
        if not controls and len(targets) == 2 and matrix[0, 0] == 1 and \
                np.array_equal(matrix, SWAP_MATRIX):
            a, b = targets
            where[a], where[b] = where[b], where[a]
            relabelled += 1
            continue
        blocks.append(from_gate(matrix, tuple(where[t] for t in targets),
                                tuple(where[c] for c in controls), ctrl_state, DIAG_WIDTH))
    blocks = fuse(blocks, DENSE_WIDTH, DIAG_WIDTH)
    blocks.extend(_unrelabel(where))
    L = lane_count(n, dtype)
    passes = _schedule(blocks, n, L)
    for p in passes:
        if p.lanes is not None:
            p.ops, p.pool = encode(p, n, dtype)
            p.copy = layout(p, n)
    return Plan(n, dtype, passes, count, relabelled, L)


def _unrelabel(where: list[int]) -> list[Block]:
    """Swaps of memory bits that put circuit qubit q back at bit q."""
    holder = {bit: q for q, bit in enumerate(where)}  # memory bit -> circuit qubit
    out = []
    for q in range(len(where)):
        bit = where[q]
        if bit == q:
            continue
        other = holder[q]  # the circuit qubit now at bit q
        out.append(Block(SWAP, (q, bit)))
        where[q], where[other] = q, bit
        holder[q], holder[bit] = q, other
    return out


def _needs(b: Block) -> set[int]:
    """Memory bits that must be lanes for ``b``: its targets, unless it is a diagonal."""
    return set() if b.kind == DIAG else set(b.qubits)


def _too_wide(b: Block, L: int) -> bool:
    """A block no pass can take: more targets than free lanes, or a table too large."""
    from .nb_pass import MAX_DIAG
    if b.kind == DIAG:
        return len(b.qubits) > MAX_DIAG
    return len(b.qubits) > min(MAX_TARGETS, L - base_lanes(L))


def _schedule(blocks: list[Block], n: int, L: int) -> list[Pass]:
    passes: list[Pass] = []
    run: list[Block] = []
    for b in blocks:  # wide blocks split the list; each part is scheduled on its own
        if _too_wide(b, L):
            passes.extend(_schedule_run(run, n, L))
            passes.append(Pass(None, [b]))
            run = []
        else:
            run.append(b)
    passes.extend(_schedule_run(run, n, L))
    return passes


def _schedule_run(blocks: list[Block], n: int, L: int) -> list[Pass]:
    if not blocks:
        return []
    if L >= n:  # one chunk, worked on in place: low targets run on the low-bit kernels
        return [Pass(tuple(range(n)), blocks)]
    base = set(range(base_lanes(L)))
    slow = slow_bits(L)
    low = set(range(max(slow) - len(slow) + 1)) if slow else set()  # lanes 0, 1: fast
    passes = []
    remaining = blocks
    while remaining:
        lanes = set(base)
        targets: set[int] = set()
        blocked: set[int] = set()
        taken: list[Block] = []
        left: list[Block] = []
        for i, b in enumerate(remaining):
            sup = b.support
            if len(blocked) >= n:
                left.extend(remaining[i:])
                break
            if sup & blocked:
                left.append(b)
                blocked |= sup
                continue
            need = _needs(b)
            # room for the slow bits: as many non-target lanes above the fast low ones
            if len(lanes | need) <= L and \
                    len((targets | need) - low) <= L - len(low) - len(slow):
                lanes |= need
                targets |= need
                taken.append(b)
            else:
                left.append(b)
                blocked |= sup
        if not taken:  # cannot happen (the first block always fits), but never loop
            raise RuntimeError("planner made no progress")
        # pad with the lowest free bits: a pass on bits 0..L-1 works in place
        for q in range(n):
            if len(lanes) >= L:
                break
            lanes.add(q)
        lanes_sorted = tuple(sorted(lanes))
        passes.append(Pass(lanes_sorted, taken, _buffer_order(lanes_sorted, targets, slow)))
        remaining = left
    return passes


def _buffer_order(lanes: tuple[int, ...], targets: set[int],
                  slow: tuple[int, ...]) -> tuple[int, ...]:
    """Lanes in buffer-bit order: memory order, except that a target on a slow bit is
    exchanged with the lowest non-target above the slow bits (the scheduler leaves
    enough of them)."""
    order = list(lanes)
    for i in slow:
        if order[i] in targets:
            j = next(j for j in range(max(slow) + 1, len(order))
                     if order[j] not in targets)
            order[i], order[j] = order[j], order[i]
    return tuple(order)


def layout(p: Pass, n: int) -> tuple:
    """How :func:`.nb_pass.run_pass` copies a chunk of ``p`` to its buffer and back:
    (chunk_mask, size, run, piece, run_src, run_dst, inner, inplace)."""
    L = len(p.lanes)
    bit = {q: i for i, q in enumerate(p.order)}
    lane_mask = sum(1 << q for q in p.lanes)
    chunk_mask = ((1 << n) - 1) & ~lane_mask
    r = 0
    while r < L and p.lanes[r] == r:
        r += 1
    ident = p.order[:r] == tuple(range(r))
    if not ident:
        r = min(r, RUN_BITS)
    run_mask = lane_mask & ~((1 << r) - 1)
    high = [q for q in p.lanes if run_mask >> q & 1]
    runs = 1 << len(high)
    run_src = np.zeros(runs, dtype=np.int64)
    run_dst = np.zeros(runs, dtype=np.int64)
    for j, q in enumerate(high):
        step = 1 << j
        run_src[step:2 * step] = run_src[:step] + (1 << q)
        run_dst[step:2 * step] = run_dst[:step] + (1 << bit[q])
    # the low bits that stay in place move together: pieces of 2**k amplitudes
    k = 0
    while k < r and p.order[k] == k:
        k += 1
    if ident:
        inner = np.zeros(0, dtype=np.int64)
    else:
        inner = np.zeros(1 << (r - k), dtype=np.int64)
        for q in range(k, r):
            step = 1 << (q - k)
            inner[step:2 * step] = inner[:step] + (1 << bit[q])
    return chunk_mask, 1 << L, 1 << r, 1 << k, run_src, run_dst, inner, p.in_place


def encode(p: Pass, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """The pass as the rows and pool that :func:`.nb_pass.run_pass` reads."""
    from . import nb_pass as K  # numba is imported only when a plan is executed

    bit = {q: i for i, q in enumerate(p.order)}
    rows = np.zeros((len(p.blocks), K.WIDTH), dtype=np.int64)
    pool: list[np.ndarray] = []
    offset = 0
    for r, b in zip(rows, p.blocks):
        hcm = hcv = lcm = lcv = 0
        for c, v in b.controls.items():
            if c in bit:
                lcm |= 1 << bit[c]
                lcv |= v << bit[c]
            else:
                hcm |= 1 << c
                hcv |= v << c
        r[K.HCM], r[K.HCV], r[K.LCM], r[K.LCV] = hcm, hcv, lcm, lcv
        r[K.K] = len(b.qubits)
        data = None
        if b.kind == DIAG:
            r[K.KIND] = K.DIAG
            for j, q in enumerate(b.qubits):
                r[K.POS + j] = bit[q] if q in bit else -(q + 1)
            data = b.data
        elif b.kind == XGATE:
            r[K.KIND] = K.XGATE
            r[K.POS] = bit[b.qubits[0]]
        elif b.kind == SWAP:
            r[K.KIND] = K.SWAP
            r[K.POS], r[K.POS + 1] = sorted(bit[q] for q in b.qubits)
        else:
            pos = [bit[q] for q in b.qubits]
            m = b.data
            if len(pos) == 1:
                r[K.KIND] = K.DENSE1
            elif len(pos) == 2:
                r[K.KIND] = K.DENSE2
                if pos[0] > pos[1]:  # the kernel wants sorted positions
                    m = m.reshape(2, 2, 2, 2).transpose(1, 0, 3, 2).reshape(4, 4)
                    pos = pos[::-1]
            else:
                r[K.KIND] = K.DENSEK
            r[K.POS:K.POS + len(pos)] = pos
            data = m
        if data is not None:
            flat = np.ascontiguousarray(data, dtype=dtype).ravel()
            r[K.OFF] = offset
            offset += flat.size
            pool.append(flat)
    pool_arr = np.concatenate(pool) if pool else np.zeros(1, dtype=dtype)
    return rows, pool_arr


def execute(plan: Plan, state: np.ndarray, threads: int) -> None:
    """Apply ``plan`` to ``state`` (of the plan's dtype and size) in place."""
    from . import nb_pass as K

    import numba
    n = plan.num_qubits
    previous = numba.get_num_threads()
    threads = max(1, min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        numba.set_num_threads(threads)
        for p in plan.passes:
            if p.lanes is None:
                _apply_wide(state, n, p.blocks[0])
                continue
            chunks = 1 << (n - len(p.lanes))
            parts = 1 if n < SERIAL_BELOW or threads == 1 else min(chunks, 64)
            K.run_pass(state, p.ops, p.pool, parts, *p.copy)
    finally:
        numba.set_num_threads(previous)


def _apply_wide(state: np.ndarray, n: int, b: Block) -> None:
    """A block wider than a pass takes (a unitary on many qubits), with the numpy kernel."""
    from . import kernels
    controls = tuple(b.controls)
    ctrl_state = sum(v << i for i, v in enumerate(b.controls.values()))
    matrix = np.diag(b.data) if b.kind == DIAG else b.data
    kernels.apply_matrix(state, n, matrix, b.qubits, controls, ctrl_state)
