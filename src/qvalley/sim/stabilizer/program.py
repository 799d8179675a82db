"""A circuit as the int64 program the stabilizer kernels run (:mod:`.nb_tableau`).

One row per operation: a Clifford gate (its map from :mod:`.clifford`), a measurement (its
clbit and readout error), a reset, or a Pauli error (cumulative probabilities of the
4**k Pauli strings); each row may carry a classical condition. Only active qubits are
simulated (a compiled circuit names every qubit of its device).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...circuit import Circuit
from ...errors import BackendError, CircuitError
from . import rows as T
from .clifford import clifford_map, pauli_channel


@dataclass
class Program:
    ops: np.ndarray      # (rows, T.WIDTH) int64
    ipool: np.ndarray    # int64: masks, monomials, condition clbits
    fpool: np.ndarray    # float64: readout probabilities, cumulative Pauli probabilities
    num_qubits: int      # simulated (active) qubits
    used: list[int]      # circuit qubit of each simulated qubit
    frames_ok: bool      # every conditioned row is a Pauli gate or a Pauli error

    @property
    def rows(self) -> int:
        return self.ops.shape[0]


def simulated_qubits(circuit: Circuit) -> list[int]:
    return sorted({q for ins in circuit.data if ins.kind in ("gate", "unitary", "measure")
                   for q in ins.qubits})


_BY_GATE: dict[tuple, object] = {}  # (name, params, controls, ctrl_state) -> map or None


def gate_map(ins):
    """The Clifford map of gate instruction ``ins`` or None; table gates are looked up by
    name and parameters (no matrix built for a gate seen before)."""
    if len(ins.qubits) > 4:
        return None
    if ins.kind != "gate":
        return clifford_map(ins.full_matrix())
    key = (ins.name, ins.params, ins.num_ctrl, ins.ctrl_state)
    hit = _BY_GATE.get(key, False)
    if hit is False:
        hit = clifford_map(ins.full_matrix())
        if len(_BY_GATE) > 4096:
            _BY_GATE.clear()
        _BY_GATE[key] = hit
    return hit


def is_clifford(circuit: Circuit) -> bool:
    """Whether every gate of ``circuit`` is Clifford (measurements, resets, barriers and
    conditions allowed); unbound parameters make it not Clifford."""
    for ins in circuit.data:
        if ins.kind in ("gate", "unitary"):
            if ins.is_parameterized or gate_map(ins) is None:
                return False
        elif ins.kind not in ("measure", "reset", "barrier"):
            return False
    return True


def _map(ins, i):
    if ins.is_parameterized:
        raise CircuitError(f"gate {ins.display_name} at position {i} has unbound "
                           "parameters; bind them with assign_parameters() first")
    m = gate_map(ins)
    if m is None and len(ins.qubits) > 4:
        raise BackendError(f"gate {ins.display_name} at position {i} acts on "
                           f"{len(ins.qubits)} qubits; the stabilizer backend takes Clifford "
                           "gates of up to 4 qubits (wider ones are not checked): decompose "
                           "it into Clifford gates, or use backend='statevector'")
    if m is None:
        params = f"({', '.join(f'{float(p):.6g}' for p in ins.params)})" if ins.params \
            else ""
        raise BackendError(f"gate {ins.display_name}{params} at position {i} (qubits "
                           f"{list(ins.qubits)}) is not a Clifford gate; the stabilizer "
                           "backend simulates Clifford circuits only: use "
                           "backend='statevector' (or 'auto')")
    return m


def build(circuit: Circuit, model=None) -> Program:
    """The program of ``circuit`` with the Pauli noise of ``model`` (a channel that is not
    a Pauli mixture is refused: the stabilizer formalism cannot represent it)."""
    # rows name circuit qubits until the end, where they are renumbered to the simulated
    # (active) ones in one numpy step
    # each row is a template (kind, maps, condition) plus its first two qubits: gates
    # repeat few templates, and numpy assembles the rows at the end
    templates: list[list[int]] = []
    tidx: list[int] = []
    q0s: list[int] = []
    q1s: list[int] = []
    fast: dict[tuple, int] = {}     # gate key -> template of an unconditioned gate
    ipool: list[int] = []
    fpool: list[float] = []
    frames_ok = True
    channels: dict[int, int] = {}  # id(channel) -> offset of its cumulative table
    pooled: dict[int, tuple] = {}   # id(map) -> (masks, monomials, count, pauli) in ipool
    keep: list = []                 # the maps pooled (their ids stay valid)

    def row(kind, qs, cond, aux=(0, 0, 0, -1)):
        r = [0] * T.WIDTH
        r[T.KIND], r[T.K] = kind, len(qs)
        r[T.Q0:T.Q0 + len(qs)] = qs
        r[T.AUX0:T.AUX3 + 1] = aux
        if cond is None:
            r[T.COFF] = -1
        else:
            r[T.COFF], r[T.CLEN], r[T.CVAL] = len(ipool), len(cond.clbits), cond.value
            ipool.extend(cond.clbits)
        tidx.append(len(templates))
        templates.append(r)
        q0s.append(r[T.Q0])
        q1s.append(r[T.Q0 + 1])

    def pool(m) -> tuple[int, int, int, int]:
        """(offset of the masks, of the monomials, their count, the Pauli) in ipool."""
        got = pooled.get(id(m))
        if got is None:
            moff = len(ipool)
            ipool.extend(m.out_masks)
            ipool.extend(m.monomials)
            got = pooled[id(m)] = (moff, moff + len(m.out_masks), len(m.monomials), m.pauli)
            keep.append(m)
        return got

    def noise(channel, qs, cond, what):
        if channel.num_qubits == 1 and len(qs) > 1:
            for q in qs:
                noise(channel, (q,), cond, what)
            return
        off = channels.get(id(channel))
        if off is None:
            probs = pauli_channel(channel)
            if probs is None:
                raise BackendError(f"the noise on {what} ({channel.name}) is not a Pauli "
                                   "channel; the stabilizer backend takes Pauli noise "
                                   "(depolarizing, pauli, bit and phase flips, readout "
                                   "errors): use backend='trajectories' or "
                                   "'density_matrix'")
            off = len(fpool)
            cum = np.cumsum(probs)
            cum[-1] = 1.0
            fpool.extend(float(x) for x in cum)
            channels[id(channel)] = off
        if fpool[off] < 1.0:  # an identity channel adds no row
            row(T.NOISE, qs, cond, (off, 4 ** len(qs), 0, -1))

    add_t, add_q0, add_q1 = tidx.append, q0s.append, q1s.append
    for i, ins in enumerate(circuit.data):
        kind, cond = ins.kind, ins.condition
        if kind == "gate" and cond is None and model is None and len(ins.qubits) <= 2:
            # the common case: a template per distinct gate, no per-row Python work
            key = ins.name if not ins.params and not ins.num_ctrl else \
                (ins.name, ins.params, ins.num_ctrl, ins.ctrl_state)
            t = fast.get(key)
            if t is None:
                m = _map(ins, i)
                r = [0] * T.WIDTH
                r[T.KIND], r[T.K], r[T.COFF] = T.GATE, len(ins.qubits), -1
                r[T.AUX0:T.AUX3 + 1] = pool(m)
                t = fast[key] = len(templates)
                templates.append(r)
            qs = ins.qubits
            add_t(t)
            add_q0(qs[0])
            add_q1(qs[-1])
            continue
        if kind == "barrier":
            continue
        if kind in ("gate", "unitary"):
            m = _map(ins, i)
            if cond is not None and not m.is_pauli:
                frames_ok = False
            qs = list(ins.qubits)
            row(T.GATE, qs, cond, pool(m))
            if model is not None:
                err = model.error_for(ins.display_name, tuple(ins.qubits))
                if err is not None:
                    noise(err, qs, cond, f"{ins.display_name} at position {i}")
        elif kind == "measure":
            if cond is not None:
                frames_ok = False
            err = model.readout_for(ins.qubits[0]) if model is not None else None
            roff = -1
            if err is not None and (err.p01 > 0 or err.p10 > 0):
                roff = len(fpool)
                fpool.extend((float(err.p01), float(err.p10)))
            row(T.MEASURE, [ins.qubits[0]], cond, (ins.clbits[0], roff, 0, -1))
        elif kind == "reset":
            if cond is not None:
                frames_ok = False
            q = ins.qubits[0]
            row(T.RESET, [q], cond)
            err = model.error_for("reset", (ins.qubits[0],)) if model is not None else None
            if err is not None:
                noise(err, [q], cond, f"reset at position {i}")
        else:
            raise BackendError(f"{kind} at position {i} cannot be simulated by the "
                               "stabilizer backend")
    table = np.array(templates, dtype=np.int64).reshape(-1, T.WIDTH)
    count = len(tidx)
    ops, used = _assemble(table, np.fromiter(tidx, np.int64, count),
                          np.fromiter(q0s, np.int64, count), np.fromiter(q1s, np.int64, count),
                          circuit.num_qubits)
    return Program(ops, np.array(ipool + [0], dtype=np.int64),
                   np.array(fpool + [0.0], dtype=np.float64), len(used), used, frames_ok)


def _assemble(table: np.ndarray, tid: np.ndarray, q0: np.ndarray, q1: np.ndarray,
              num_qubits: int) -> tuple[np.ndarray, list[int]]:
    """The rows (template ``tid`` with first qubits ``q0``, ``q1``) on simulated qubits:
    those a gate or a measurement touches, numbered in order; a reset (and its error) on
    any other qubit is dropped (the qubit stays |0>). Rows of three or four qubits carry
    the others in their template (each has a template of its own)."""
    k = table[:, T.K]
    touching = (table[:, T.KIND] == T.GATE) | (table[:, T.KIND] == T.MEASURE)
    seen = np.zeros(max(num_qubits, 1), dtype=bool)
    rows_k = k[tid]
    touch = touching[tid]
    seen[q0[touch & (rows_k > 0)]] = True
    seen[q1[touch & (rows_k > 1)]] = True
    for j in (2, 3):
        seen[table[touching & (k > j), T.Q0 + j]] = True
    used = np.flatnonzero(seen)
    lookup = np.full(seen.size, -1, dtype=np.int64)
    lookup[used] = np.arange(used.size)
    tables = table.copy()
    for j in (2, 3):
        has = k > j
        tables[has, T.Q0 + j] = lookup[table[has, T.Q0 + j]]
    ops = tables[tid]
    m0 = np.where(rows_k > 0, lookup[q0], 0)
    m1 = np.where(rows_k > 1, lookup[q1], 0)
    ops[:, T.Q0] = m0
    ops[:, T.Q0 + 1] = m1
    drop = (m0 < 0) | (m1 < 0)
    for j in (2, 3):
        drop |= ((tables[:, T.Q0 + j] < 0) & (k > j))[tid]
    if drop.any():
        ops = ops[~drop]
    return np.ascontiguousarray(ops), [int(q) for q in used]
