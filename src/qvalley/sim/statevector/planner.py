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
5. **Let memory drift.** Copying a permuted buffer back piece by piece costs as much as
   the copy in; instead a gathered pass writes its low buffer bits back in buffer order
   (runs of ``2**RUN_BITS`` amplitudes) and its other lanes to their circuit positions
   where it can. Memory then holds some bits out of circuit order: the planner tracks
   which memory bit holds which bit (``Pass.where``) and the next passes read from there.
   The last pass writes its chunks in circuit order when its lanes hold every stray bit
   (it takes them as spare lanes when it has room), else passes without gates put the
   strays home. Measured here on quantum volume, n = 20 complex64: 63 -> 58 ms.

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
    """One sweep over the state: ``lanes`` (sorted circuit-side bits) and the blocks it
    applies.

    Memory may hold the bits in another order than the circuit's (see step 5 of the module
    docstring): ``src[i]`` is the memory bit that buffer bit ``i`` is read from, ``dst[i]``
    the one it is written back to, and buffer bit ``i`` holds lane ``order[i]``.
    """

    lanes: tuple[int, ...] | None   # None: one wide block applied on its own (numpy)
    blocks: list[Block]
    order: tuple[int, ...] | None = None  # buffer bit i holds lane order[i] (None: sorted)
    src: tuple[int, ...] | None = None    # memory bit read into buffer bit i (None: order)
    dst: tuple[int, ...] | None = None    # memory bit buffer bit i is written to (None: src)
    where: tuple[int, ...] | None = None  # memory bit of each circuit-side bit, at the start
    permuted: bool = False  # the buffer holds the lanes out of memory order (low targets up)
    restores: bool = False  # a pass with no blocks that puts bits back in circuit order
    closes: bool = False    # the last pass: writes its chunks back in circuit order
    ops: np.ndarray = field(repr=False, default=None)
    pool: np.ndarray = field(repr=False, default=None)
    copy: tuple = field(repr=False, default=None)   # layout(): how chunks are copied

    def __post_init__(self):
        if self.order is None and self.lanes is not None:
            self.order = tuple(sorted(self.lanes))
        if self.src is None and self.order is not None:
            self.src = self.order
        if self.dst is None:
            self.dst = self.src

    @property
    def in_place(self) -> bool:
        ident = tuple(range(len(self.lanes))) if self.lanes is not None else None
        return self.lanes is not None and self.src == ident and self.dst == ident


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
        from . import nb_target
        if nb_target._chosen is not None:
            lines.append(f"  kernels compiled with {nb_target._chosen}")
        for i, p in enumerate(self.passes):
            if p.lanes is None:
                b = p.blocks[0]
                lines.append(f"  pass {i}: one {b.kind} block on {len(b.qubits)} qubits, "
                             "applied on its own (wider than a pass takes)")
                continue
            where = "in place" if p.in_place else (
                "gathered, low targets moved up" if p.permuted else "gathered")
            if p.restores:
                where = "no gates: puts the bits back in circuit order"
            elif p.closes:
                where += ", written back in circuit order"
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
    or 4 up). The same bits suit real states (the density matrix's Pauli vector; on
    layered circuits also keeping bit 0 free, or no bit, was 15% and 20% slower). None
    when the lanes are too few to spare them."""
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
    for item in gates:
        count += 1
        matrix, targets, controls, ctrl_state = item
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
    phys = list(range(n))  # circuit-side bit -> memory bit, changed by permuted passes
    for b in blocks:  # wide blocks split the list; each part is scheduled on its own
        if _too_wide(b, L):
            passes.extend(_schedule_run(run, n, L, phys))
            passes.append(Pass(None, [b], where=tuple(phys)))
            run = []
        else:
            run.append(b)
    passes.extend(_schedule_run(run, n, L, phys))
    passes.extend(_restore(passes, phys, n, L))
    return passes


def _schedule_run(blocks: list[Block], n: int, L: int, phys: list[int]) -> list[Pass]:
    """Passes for ``blocks``; ``phys`` (circuit-side bit -> memory bit) is updated for the
    passes that write their chunks back in buffer order."""
    if not blocks:
        return []
    if L >= n:  # one chunk, worked on in place: low targets run on the low-bit kernels
        # (phys is the identity: no pass gathers)
        return [Pass(tuple(range(n)), blocks, where=tuple(range(n)))]
    slow = slow_bits(L)
    passes = []
    remaining = blocks
    while remaining:
        inv = [0] * n  # memory bit -> circuit-side bit
        for q, m in enumerate(phys):
            inv[m] = q
        base = {inv[m] for m in range(base_lanes(L))}
        # buffer bit 0 is fast: the lane at memory bit 0 (always a lane) may be a target
        low = {inv[m] for m in range(max(slow) - len(slow) + 1)} if slow else set()
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
        passes.append(_arrange(taken, lanes, targets, phys, L, slow))
        # a permuted pass writes its buffer back in buffer order: runs of 2**8 and more
        # contiguous amplitudes instead of small pieces; memory then holds the lanes in
        # that order, which the next passes read from (and the last pass undoes)
        for q, m in zip(passes[-1].order, passes[-1].dst):
            phys[q] = m
        remaining = left
    return passes


def _arrange(blocks: list[Block], lanes: set[int], targets: set[int], phys: list[int],
             L: int, slow: tuple[int, ...]) -> Pass:
    """The pass of ``blocks`` on ``lanes`` (padded to ``L`` with the lowest memory bits),
    with its buffer order and the memory bits it reads from and writes to."""
    n = len(phys)
    inv = [0] * n
    for q, m in enumerate(phys):
        inv[m] = q
    lanes = set(lanes)
    for m in range(n):  # a pass on memory bits 0..L-1 works in place
        if len(lanes) >= L:
            break
        lanes.add(inv[m])
    by_memory = tuple(sorted(lanes, key=phys.__getitem__))
    order = _buffer_order(by_memory, targets, slow, phys)
    src = tuple(phys[q] for q in order)
    return Pass(tuple(sorted(lanes)), blocks, order, src, _write_back(order, src),
                tuple(phys), permuted=order != by_memory)


def _write_back(order: tuple[int, ...], src: tuple[int, ...]) -> tuple[int, ...]:
    """Where a gathered pass writes buffer bit ``i`` back: the low memory bits in buffer
    order (the copy moves runs of ``2**RUN_BITS`` amplitudes, never small pieces), and
    above them each lane to its circuit position when that is one of the pass's memory
    bits (free at run granularity, and the layout returns to the circuit's order)."""
    slots = sorted(src)
    if slots == list(range(len(src))) and src == tuple(slots):
        return src  # in place: no copy at all
    low = 0
    while low < min(RUN_BITS, len(slots)) and slots[low] == low:
        low += 1
    dst = list(slots[:low]) + [None] * (len(slots) - low)
    taken = set(slots[:low])
    for i in range(low, len(order)):
        if order[i] in slots and order[i] not in taken:
            dst[i] = order[i]
            taken.add(order[i])
    rest = iter(m for m in slots if m not in taken)
    return tuple(m if m is not None else next(rest) for m in dst)


def _restore(passes: list[Pass], phys: list[int], n: int, L: int) -> list[Pass]:
    """Put every bit back at its circuit position: the last pass writes its chunks in
    circuit order when its lanes hold every misplaced bit (the usual case, no extra
    traffic); otherwise passes without gates move the misplaced bits home, ``L - 1`` or
    more per pass."""
    misplaced = {q for q in range(n) if phys[q] != q}
    if not misplaced:
        return []
    last = passes[-1] if passes else None
    if last is not None and last.lanes is not None and not misplaced <= set(last.lanes):
        # the last pass can often take the misplaced bits as its spare lanes
        where = list(last.where)
        inv = {m: q for q, m in enumerate(where)}
        targets = set().union(*(_needs(b) for b in last.blocks))
        astray = {q for q in range(n) if where[q] != q}  # before the last pass
        need = {inv[m] for m in range(base_lanes(L))} | targets | astray
        if len(need) <= L:
            passes[-1] = last = _arrange(last.blocks, need, targets, where, L,
                                         slow_bits(L))
    if last is not None and last.lanes is not None and \
            {q for q in range(n) if last.where[q] != q} <= set(last.lanes):
        last.dst = last.order  # buffer bit i goes to the circuit position of its lane
        last.closes = True
        for q in last.order:
            phys[q] = q
        return []
    out = []
    while misplaced:
        chosen = _restore_group(phys, misplaced, L)
        inv = {m: q for q, m in enumerate(phys)}
        lanes = list(chosen)
        for m in range(n):  # pad with the lowest memory bits (long contiguous runs)
            if len(lanes) >= L:
                break
            if inv[m] not in chosen:
                lanes.append(inv[m])
        by_memory = tuple(sorted(lanes, key=phys.__getitem__))
        slots = {phys[q] for q in by_memory}
        home = {q: q for q in by_memory if q in slots}
        free = sorted(slots - set(home.values()))
        for q in by_memory:
            if q not in home:
                home[q] = free.pop(0)
        src = tuple(phys[q] for q in by_memory)
        dst = tuple(home[q] for q in by_memory)
        where = tuple(phys)
        for q in by_memory:
            phys[q] = home[q]
        out.append(Pass(tuple(sorted(lanes)), [], by_memory, src, dst, where,
                        restores=True))
        misplaced = {q for q in range(n) if phys[q] != q}
    return out


def _restore_group(phys: list[int], misplaced: set[int], L: int) -> set[int]:
    """Misplaced bits one pass can move home: whole cycles of the permutation while they
    fit in ``L`` lanes, else ``L`` consecutive members of one cycle (``L - 1`` of them
    land home)."""
    inv = {m: q for q, m in enumerate(phys)}
    cycles, seen = [], set()
    for q in sorted(misplaced):
        if q in seen:
            continue
        cycle = [q]
        seen.add(q)
        nxt = inv[q]  # the bit now sitting where q belongs
        while nxt != q:
            cycle.append(nxt)
            seen.add(nxt)
            nxt = inv[nxt]
        cycles.append(cycle)
    chosen: set[int] = set()
    for cycle in sorted(cycles, key=len):
        if len(chosen) + len(cycle) <= L:
            chosen |= set(cycle)
    if not chosen:
        chosen = set(cycles[0][:L])
    return chosen


def _buffer_order(lanes: tuple[int, ...], targets: set[int], slow: tuple[int, ...],
                  phys: list[int]) -> tuple[int, ...]:
    """Lanes in buffer-bit order: memory order (``lanes`` is sorted by memory bit), except
    that a target on a slow bit is exchanged with a non-target above the slow bits (the
    scheduler leaves enough of them): the one whose circuit position is that memory bit if
    it is there (the layout drifts less), else the lowest."""
    order = list(lanes)
    moved = False
    for i in slow:
        if order[i] in targets:
            free = [j for j in range(max(slow) + 1, len(order)) if order[j] not in targets]
            home = phys[lanes[i]]  # memory bit of buffer bit i, once written back
            j = next((j for j in free if order[j] == home), free[0])
            order[i], order[j] = order[j], order[i]
            moved = True
    if moved:  # the copy moves small pieces anyway: bring strays home on the other bits
        for i in slow:
            home = phys[lanes[i]]
            if order[i] != home and order[i] not in targets:
                j = next((j for j in range(max(slow) + 1, len(order))
                          if order[j] == home and home not in targets), None)
                if j is not None:
                    order[i], order[j] = order[j], order[i]
    return tuple(order)


def layout(p: Pass, n: int) -> tuple:
    """How :func:`.nb_pass.run_pass` copies a chunk of ``p`` to its buffer and back:
    (chunk_mask, size, inplace, then :func:`copy_pattern` inward and outward)."""
    lanes = tuple(sorted(p.src))  # the memory bits of the lanes
    lane_mask = sum(1 << m for m in lanes)
    chunk_mask = ((1 << n) - 1) & ~lane_mask
    return (chunk_mask, 1 << len(lanes), p.in_place) + copy_pattern(lanes, p.src) + \
        copy_pattern(lanes, p.dst)


def copy_pattern(lanes: tuple[int, ...], order: tuple[int, ...]) -> tuple:
    """Buffer bit ``i`` <-> memory bit ``order[i]`` (``lanes``: the same bits, sorted), as
    (run, piece, run_src, run_dst, inner) for :func:`.nb_pass.run_pass`."""
    L = len(lanes)
    bit = {m: i for i, m in enumerate(order)}
    lane_mask = sum(1 << m for m in lanes)
    r = 0
    while r < L and lanes[r] == r:
        r += 1
    same = 0  # low buffer bits that are the same memory bits
    while same < r and order[same] == same:
        same += 1
    ident = same == r
    if not ident:
        r = same if same >= RUN_BITS else min(r, RUN_BITS)
        ident = same == r
    run_mask = lane_mask & ~((1 << r) - 1)
    high = [m for m in lanes if run_mask >> m & 1]
    runs = 1 << len(high)
    run_src = np.zeros(runs, dtype=np.int64)
    run_dst = np.zeros(runs, dtype=np.int64)
    for j, m in enumerate(high):
        step = 1 << j
        run_src[step:2 * step] = run_src[:step] + (1 << m)
        run_dst[step:2 * step] = run_dst[:step] + (1 << bit[m])
    # the low bits that stay in place move together: pieces of 2**k amplitudes
    k = 0
    while k < r and order[k] == k:
        k += 1
    if ident:
        inner = np.zeros(0, dtype=np.int64)
    else:
        inner = np.zeros(1 << (r - k), dtype=np.int64)
        for m in range(k, r):
            step = 1 << (m - k)
            inner[step:2 * step] = inner[:step] + (1 << bit[m])
    return 1 << r, 1 << k, run_src, run_dst, inner


def encode(p: Pass, n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """The pass as the rows and pool that :func:`.nb_pass.run_pass` reads."""
    from . import nb_pass as K  # numba is imported only when a plan is executed

    bit = {q: i for i, q in enumerate(p.order)}
    mem = p.where or tuple(range(n))  # memory bit of a bit outside the lanes
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
                hcm |= 1 << mem[c]
                hcv |= v << mem[c]
        r[K.HCM], r[K.HCV], r[K.LCM], r[K.LCV] = hcm, hcv, lcm, lcv
        r[K.K] = len(b.qubits)
        data = None
        if b.kind == DIAG:
            r[K.KIND] = K.DIAG
            for j, q in enumerate(b.qubits):
                r[K.POS + j] = bit[q] if q in bit else -(mem[q] + 1)
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
            elif dtype.kind == "f":  # the Pauli vector: its nonzero entries
                r[K.KIND] = K.SPARSE
                m = sparse_rows(m)
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


def sparse_rows(m: np.ndarray) -> np.ndarray:
    """A real matrix as the ``SPARSE`` kernel's pool entries: the count of nonzeros of
    each row, then (column, value) pairs row by row."""
    rows, cols = np.nonzero(m)
    out = np.empty(m.shape[0] + 2 * rows.size)
    out[:m.shape[0]] = np.bincount(rows, minlength=m.shape[0])
    out[m.shape[0]::2] = cols
    out[m.shape[0] + 1::2] = m[rows, cols]
    return out


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
                _apply_wide(state, n, p.blocks[0], p.where)
                continue
            chunks = 1 << (n - len(p.lanes))
            parts = 1 if n < SERIAL_BELOW or threads == 1 else min(chunks, 64)
            K.run_pass(state, p.ops, p.pool, parts, *p.copy)
    finally:
        numba.set_num_threads(previous)


def _apply_wide(state: np.ndarray, n: int, b: Block, where: tuple[int, ...]) -> None:
    """A block wider than a pass takes (a unitary on many qubits), with the numpy kernel,
    on the memory bits (``where``) that hold its qubits."""
    from . import kernels
    controls = tuple(where[c] for c in b.controls)
    ctrl_state = sum(v << i for i, v in enumerate(b.controls.values()))
    matrix = np.diag(b.data) if b.kind == DIAG else b.data
    kernels.apply_matrix(state, n, matrix, tuple(where[q] for q in b.qubits), controls,
                         ctrl_state)
