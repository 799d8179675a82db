"""Exact rewriting of one instruction into the gates of OpenQASM 2's ``qelib1.inc``.

OpenQASM 2 cannot spell an arbitrary matrix, a gate with many controls, or the gates of
the table that qelib1.inc lacks (iswap, ecr, cs, ...). :func:`decompose_instruction`
rewrites one such instruction into table gates whose ``GateDef.qasm2`` is set (u3, u1,
cx, cu1, cu3, ccx, c3x, c4x, rccx, ...), on the same qubits, with no ancilla, exactly up
to a global phase which :func:`decompose_instruction_with_phase` reports::

    product of the emitted gates == exp(1j * phase) * instr.full_matrix()

:func:`unroll_to` applies the same rewriting to a whole circuit, for every instruction
whose name is not in an allowed set, and can lower qelib1's composite gates further (to
u3 and cx at the bottom); it is the first step of the compiler's unroll pass.

Methods (every one is exact; the tests compare full matrices to 1e-9):

* one-qubit matrix: ZYZ Euler angles, one ``u3`` (or ``u1`` when diagonal).
* two-qubit matrix: KAK / Cartan decomposition in the magic basis (Kraus and Cirac, PRA
  63, 062309 (2001)): U = (A1 x B1) exp(i(a XX + b YY + c ZZ)) (A2 x B2), the symmetric
  unitary's real eigenvectors taken from a Cayley transform so repeated eigenvalues are
  safe. The middle factor costs 3 CX (Vatan and Williams, PRA 69, 032315 (2004)), or
  2, 1 or 0 CX when its coordinates allow (one of them a multiple of pi/2; (pi/4, 0, 0)
  up to those; none): at most 3 CX and 8 u3.
* n >= 3 qubits: quantum Shannon decomposition (Shende, Bullock and Markov, IEEE TCAD 25,
  1000 (2006)): a cosine-sine decomposition built from numpy SVDs (each part of the
  spectrum taken from the block where it is well conditioned), demultiplexing by an
  eigendecomposition, and uniformly controlled rotations as Gray-code CX ladders
  (Mottonen et al., PRL 93, 130502 (2004)). CX count c(n) = 4 c(n-1) + 3 * 2^(n-1),
  c(2) = 3: 24 for 3 qubits, 120 for 4, 528 for 5 (Shende et al. reach 20 and 100 with
  optimisations not done here). Shortcuts: a top qubit that is not entangled, and a
  block-diagonal (controlled) or block-anti-diagonal matrix skip the cosine-sine step.
* controlled one-qubit gate with k controls: cu3/cu1 (+ u1 on the control for the
  phase) for k = 1; a gate A X A^dagger (Z, Y, H, ...) as A . C^k X . A^dagger; otherwise
  the special-unitary part by Vale et al. (IEEE TCAD 43 (2024), arXiv:2302.06377): four
  multi-controlled X on the two halves of the controls, each half lending its qubits to
  the other (linear size), and the determinant phase as a multi-controlled phase on the
  controls (a recursion: quadratic size, as in Qiskit's ``synth_mcx_noaux_v24``).
* multi-controlled X: cx, ccx, c3x, c4x for 1 to 4 controls; more controls with
  borrowed ("dirty") qubits by Barenco et al. (PRA 52, 3457 (1995)) Lemma 7.2, a Toffoli
  V-chain whose inner Toffolis are the relative-phase rccx (Maslov, PRA 93, 022311
  (2016)), or Lemma 7.3, two halves around one borrowed qubit; with nothing to borrow
  (the instruction's own qubits only), the Vale et al. construction for X = i (-iX).
  CX after lowering qelib1's macros: 84, 140, 228, 348 for 5 to 8 controls.
* controlled multi-qubit gate: the base gate is decomposed into one-qubit gates and CX
  (table definitions or the synthesis above) and every gate gets the controls (the
  conjugating CX of swap, rzz, rxx stay uncontrolled); the base's global phase becomes
  a multi-controlled phase on the controls. Up to 5 qubits in all, the Shannon
  decomposition of the whole (block-diagonal) matrix is tried too and the one with
  fewer CX kept.
* table gate without a qelib1 spelling: its ``GateDef.definition``, recursively (this
  path also works with unbound parameters).
"""
from __future__ import annotations

import cmath
import math
from typing import Iterable, Sequence

import numpy as np

from ..circuit.circuit import Circuit
from ..circuit.gates import GATES, GateDef, embed, lookup
from ..circuit.instruction import Instruction
from ..circuit.parameter import ParameterExpression
from ..errors import CompileError

PI = math.pi
_TINY = 1e-14          # below this an angle or a matrix entry is treated as zero

#: Canonical names of the table gates that OpenQASM 2's qelib1.inc can spell.
QASM2_GATES: frozenset[str] = frozenset(name for name, g in GATES.items() if g.qasm2)

Step = tuple[str, tuple, tuple[int, ...]]   # (table gate name, parameters, qubits)

_I2 = np.eye(2, dtype=np.complex128)


def kron2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.kron(a, b)`` for two 2x2 matrices, in one multiply (np.kron costs ten times
    more, and the compiler builds thousands of these)."""
    return (a[:, None, :, None] * b[None, :, None, :]).reshape(4, 4)
_X = np.array([[0, 1], [1, 0]], dtype=np.complex128)
_Y = np.array([[0, -1j], [1j, 0]], dtype=np.complex128)
_Z = np.array([[1, 0], [0, -1]], dtype=np.complex128)
_H = np.array([[1, 1], [1, -1]], dtype=np.complex128) / math.sqrt(2)
_PAULIS = (_X, _Y, _Z)

# A table gate with a given base and number of controls that qelib1.inc spells directly.
_NAMED_CONTROLLED = {("x", 1): "cx", ("x", 2): "ccx", ("x", 3): "c3x", ("x", 4): "c4x",
                     ("y", 1): "cy", ("z", 1): "cz", ("h", 1): "ch", ("p", 1): "cp",
                     ("u1", 1): "cu1", ("rx", 1): "crx", ("ry", 1): "cry",
                     ("rz", 1): "crz", ("sx", 1): "csx", ("u3", 1): "cu3",
                     ("swap", 1): "cswap", ("sx", 3): "c3sx"}


# =========================================================================================
# public API
# =========================================================================================

def decompose_instruction(instr: Instruction) -> list[Instruction]:
    """Rewrite ``instr`` into qelib1.inc gates on the same qubits (exact up to a global
    phase; see :func:`decompose_instruction_with_phase`).

    An instruction OpenQASM 2 can already spell (a qelib1 gate without extra controls),
    and any measure, reset, barrier or opaque, comes back unchanged as ``[instr]``.
    Every emitted instruction is of kind ``"gate"``, has ``num_ctrl == 0``, names a gate
    whose ``GateDef.qasm2`` is set and keeps ``instr.condition``.
    """
    return decompose_instruction_with_phase(instr)[0]


def decompose_instruction_with_phase(instr: Instruction) -> tuple[list[Instruction], float]:
    """Like :func:`decompose_instruction`, also returning the global phase ``phase``
    such that the product of the emitted gates equals ``exp(1j*phase) *
    instr.full_matrix()``.

    Raises :class:`~qvalley.CompileError` for a gate with extra controls and unbound
    parameters that has no qelib1 spelling (bind the parameters first).
    """
    if instr.kind not in ("gate", "unitary"):
        return [instr], 0.0
    steps, phase = _decompose(instr)
    return _wrap(steps, instr), _wrap_angle(phase)


def synthesize_unitary(matrix: np.ndarray) -> tuple[list[Instruction], float]:
    """Exact circuit of u3/u1/cx gates for a unitary on qubits ``0..n-1`` (little-endian,
    as :meth:`Circuit.unitary`): ZYZ for 1 qubit, KAK for 2, quantum Shannon
    decomposition beyond. Returns ``(instructions, phase)`` with the product of the
    instructions equal to ``exp(1j*phase) * matrix``."""
    from ..circuit.circuit import checked_unitary
    mat = np.asarray(matrix)
    n = int(round(math.log2(mat.shape[0]))) if mat.ndim == 2 and mat.shape[0] else -1
    if n < 1:
        raise CompileError(f"synthesize_unitary: expected a 2^n x 2^n matrix, got shape "
                           f"{mat.shape}")
    mat = checked_unitary(mat, n, None)
    instr = Instruction("unitary", "unitary", tuple(range(n)), matrix=mat)
    return decompose_instruction_with_phase(instr)


def unroll_to(circuit: Circuit, allowed: Iterable[str]) -> Circuit:
    """A copy of ``circuit`` in which every gate whose name is not in ``allowed`` is
    rewritten, exactly up to a global phase (see :func:`unroll_to_with_phase`).

    Each such instruction goes through :func:`decompose_instruction`; then any emitted
    qelib1 gate still not allowed is lowered further by its qelib1.inc definition (ccx to
    cx and one-qubit gates, cu3 to cx and u3, and so on) and one-qubit gates become
    ``u3`` (or ``u``) when that is allowed. The bottom of this lowering is ``u3`` and
    ``cx``: a gate that cannot be lowered toward ``allowed`` is left as it is (choosing a
    native basis is the basis translator's job). ``allowed`` holds table names; a
    ``unitary`` instruction is kept only if ``"unitary"`` is allowed, a controlled gate
    only if its display name (``mcx``, ...) is. Measurements, resets, barriers and
    classical conditions are kept; the replacements of a conditioned instruction all
    carry its condition.
    """
    return unroll_to_with_phase(circuit, allowed)[0]


def unroll_to_with_phase(circuit: Circuit, allowed: Iterable[str]
                         ) -> tuple[Circuit, float | ParameterExpression]:
    """:func:`unroll_to`, also returning the global phase accumulated by the unconditioned
    instructions: ``unitary(result) == exp(1j*phase) * unitary(circuit)`` for a circuit
    without measurements. The phase is a ParameterExpression when an unbound ``rz``
    became ``u3`` (``u3(0, 0, t) == exp(i t/2) rz(t)``). (A conditioned instruction's
    replacement is exact up to a phase that is global within the classical branch where
    it runs, hence unobservable, and not counted.)"""
    allowed_set = _canonical_names(allowed)
    out = circuit.copy_empty()
    total = 0.0
    for instr in circuit.data:
        if not instr.is_unitary or _is_allowed(instr, allowed_set):
            out.append(instr)
            continue
        steps, phase = _decompose(instr)
        lowered: list[Step] = []
        for step in steps:
            phase = _add_phase(phase, _lower(step, allowed_set, lowered))
        for new in _wrap(lowered, instr):
            out.append(new)
        if instr.condition is None:
            total = _add_phase(total, phase)
    if isinstance(total, ParameterExpression):
        return out, (float(total) if total.is_numeric() else total)
    return out, _wrap_angle(total)


# =========================================================================================
# dispatch
# =========================================================================================

def _decompose(instr: Instruction) -> tuple[list[Step], float]:
    """Steps (time order) and phase for one unitary instruction."""
    qubits = tuple(instr.qubits)
    if instr.kind == "gate":
        gate = lookup(instr.name)
        params = tuple(instr.params)
        if instr.num_ctrl == 0:
            if gate.qasm2 is not None:
                return [(gate.name, params, qubits)], 0.0
            if gate.definition is not None:
                return _expand_definition(gate, params, qubits), 0.0
            base_ops, base_phase = _gate_ops(gate.name, params, qubits)
            return _emit_uncontrolled(base_ops, base_phase, qubits)
        # flatten a controlled table gate (cx with 2 more controls is x with 3)
        k, ctrl_state, base, base_params = _flatten(gate, params, instr.num_ctrl,
                                                   instr.ctrl_state)
        named = _named_controlled(base, k)
        if named is not None:
            return _with_ctrl_state(qubits[:k], k, ctrl_state,
                                    [(named[0], base_params + named[1], qubits)]), 0.0
        if any(isinstance(p, ParameterExpression) and not p.is_numeric()
               for p in base_params):
            raise CompileError(
                f"cannot decompose {instr.display_name} with {k} controls on qubits "
                f"{list(qubits)}: it has unbound parameters and OpenQASM 2 has no spelling "
                "for it; bind the parameters first (assign_parameters)")
        base_params = tuple(float(p) for p in base_params)
        base_gate = GATES[base]
        if base_gate.num_qubits == 1:
            target = ("u", base_gate.matrix(*base_params))
        else:
            target = ("gate", base, base_params)
        return _controlled(target, qubits, k, ctrl_state)
    # a user matrix
    mat = np.asarray(instr.matrix, dtype=np.complex128)
    k = instr.num_ctrl
    ntarget = len(qubits) - k
    if k == 0:
        if ntarget == 1:
            out = _Out()
            out.one_qubit(mat, qubits[0])
            return out.steps, out.phase
        ops, phase = _synth(mat, qubits)
        return _emit_uncontrolled(ops, phase, qubits)
    target = ("u", mat) if ntarget == 1 else ("matrix", mat)
    return _controlled(target, qubits, k, instr.ctrl_state)


def _flatten(gate: GateDef, params: tuple, num_ctrl: int, ctrl_state: int):
    """(controls, ctrl_state, base name, base params) of a gate with extra controls."""
    k, state = num_ctrl, ctrl_state
    name = gate.name
    while GATES[name].controls and GATES[name].base is not None:
        g = GATES[name]
        state |= ((1 << g.controls) - 1) << k
        k += g.controls
        name = lookup(g.base).name
    return k, state, name, tuple(params)


def _named_controlled(base: str, k: int) -> tuple[str, tuple] | None:
    named = _NAMED_CONTROLLED.get((base, k))
    if named is not None:
        return named, ()
    if base == "u" and k == 1:
        return "cu", (0.0,)
    return None


def _with_ctrl_state(controls: Sequence[int], k: int, ctrl_state: int,
                     steps: list[Step]) -> list[Step]:
    flips = [controls[i] for i in range(k) if not (ctrl_state >> i) & 1]
    pre = [("x", (), (q,)) for q in flips]
    return pre + steps + pre


def _controlled(target, qubits: tuple[int, ...], k: int,
                ctrl_state: int) -> tuple[list[Step], float]:
    """Steps for ``target`` (("u", 2x2) | ("gate", name, params) | ("matrix", M)) on
    ``qubits[k:]`` controlled by ``qubits[:k]`` with ``ctrl_state``."""
    controls, targets = list(qubits[:k]), list(qubits[k:])
    out = _Out()
    if target[0] == "u":
        _mc1q(out, target[1], controls, targets[0], [])
        return _with_ctrl_state(controls, k, ctrl_state, out.steps), out.phase
    if target[0] == "gate":
        pre, core, phase = _conjugated_ops(target[1], target[2], tuple(targets))
        base = GATES[target[1]].matrix(*target[2])
    else:
        base = target[1]
        pre, (core, phase) = [], _synth(base, tuple(targets))
    core, phase = _merge_1q(core, phase)
    # product(core) = e^{i phase} core', so C(core') = C(e^{-i phase}) C(core)
    ops = pre + [_add_controls(op, controls) for op in core]
    if abs(_wrap_angle(phase)) > _TINY:
        ops.append(("u", _phase_gate(-phase), tuple(controls[:-1]), controls[-1]))
    ops += _inverse_ops(pre)
    for op in ops:
        _emit_op(out, op, qubits)
    steps = _with_ctrl_state(controls, k, ctrl_state, out.steps)
    if len(qubits) <= _FULL_SYNTH_MAX_QUBITS:
        # a controlled matrix is block diagonal: the Shannon decomposition of the whole
        # matrix is often cheaper than controlling every gate of the base's circuit
        # (the controls go on the top qubits, where the decomposition splits first)
        n = len(qubits)
        full = Instruction("unitary", "unitary", tuple(range(n)), matrix=base, num_ctrl=k,
                           ctrl_state=ctrl_state).full_matrix()
        position = [n - k + j for j in range(k)] + [j - k for j in range(k, n)]
        full = embed(full, position, n)
        ops_full, phase_full = _synth(full, tuple(targets + controls))
        alt_steps, alt_phase = _emit_uncontrolled(ops_full, phase_full, qubits)
        if _cx_cost(alt_steps) < _cx_cost(steps):
            return alt_steps, alt_phase
    return steps, out.phase


_FULL_SYNTH_MAX_QUBITS = 5

# CX count of each emitted gate once lowered by its qelib1.inc definition
_CX_COST = {"cx": 1, "cy": 1, "cz": 1, "ch": 1, "swap": 3, "ccx": 6, "c3x": 14, "c4x": 52,
            "rccx": 3, "rc3x": 6, "c3sx": 20, "cswap": 8, "cu1": 2, "cp": 2, "cu3": 2,
            "cu": 2, "crx": 2, "cry": 2, "crz": 2, "csx": 2, "rzz": 2, "rxx": 2}


def _cx_cost(steps: list[Step]) -> int:
    return sum(_CX_COST.get(name, 0) for name, _, _ in steps)


def _conjugated_ops(name: str, params: tuple, qubits: tuple[int, ...]):
    """(pre, core, phase) with gate == pre^-1 . core . pre (core up to e^{i phase}): when
    controlled, only the core needs the controls (swap = cx . cx . cx, rzz = cx rz cx)."""
    if name == "swap":
        a, b = qubits
        return [("x", (b,), a)], [("x", (a,), b)], 0.0
    if name in ("rzz", "rxx"):
        a, b = qubits
        pre = [("u", _H, (), a), ("u", _H, (), b)] if name == "rxx" else []
        pre = pre + [("x", (a,), b)]
        return pre, [("u", _rz(float(params[0])), (), b)], 0.0
    core, phase = _gate_ops(name, params, qubits)
    return [], core, phase


def _inverse_ops(ops: list) -> list:
    return [("u", op[1].conj().T, op[2], op[3]) if op[0] == "u" else op
            for op in reversed(ops)]


def _emit_uncontrolled(ops: list, phase: float,
                       qubits: Sequence[int]) -> tuple[list[Step], float]:
    ops, phase = _merge_1q(ops, phase)
    out = _Out()
    out.phase = phase
    for op in ops:
        _emit_op(out, op, qubits)
    return out.steps, out.phase


def _expand_definition(gate: GateDef, params: tuple, qubits: tuple[int, ...]) -> list[Step]:
    """A table gate's definition, expanded until every gate has a qelib1 spelling
    (definitions are exact, global phase included, and work on symbolic parameters)."""
    steps: list[Step] = []
    for name, sub_params, sub_qubits in gate.definition(*params):
        sub = lookup(name)
        mapped = tuple(qubits[q] for q in sub_qubits)
        if sub.qasm2 is not None:
            steps.append((sub.name, tuple(sub_params), mapped))
        else:
            steps.extend(_expand_definition(sub, tuple(sub_params), mapped))
    return steps


def _wrap(steps: list[Step], like: Instruction) -> list[Instruction]:
    return [Instruction("gate", name, qubits, tuple(_clean_param(p) for p in params),
                        condition=like.condition)
            for name, params, qubits in steps]


def _clean_param(p):
    if isinstance(p, ParameterExpression):
        return float(p) if p.is_numeric() else p
    return float(p)


# =========================================================================================
# internal operations: ("u", 2x2 matrix, controls, target) and ("x", controls, target)
# =========================================================================================

def _gate_ops(name: str, params: tuple, qubits: tuple[int, ...]) -> tuple[list, float]:
    """A table gate (numeric parameters) as internal operations: one-qubit matrices with
    controls and multi-controlled X. Returns (ops, phase), product(ops) = e^{i phase} G."""
    gate = GATES[name]
    if gate.num_qubits == 1:
        return [("u", gate.matrix(*params), (), qubits[0])], 0.0
    if gate.controls and gate.base is not None:
        c = gate.controls
        ops, phase = _gate_ops(lookup(gate.base).name, params, qubits[c:])
        ops = [_add_controls(op, qubits[:c]) for op in ops]
        if abs(_wrap_angle(phase)) > _TINY:
            ops.append(("u", _phase_gate(-phase), tuple(qubits[:c - 1]), qubits[c - 1]))
        return ops, 0.0
    if name == "cu":
        theta, phi, lam, gamma = (float(p) for p in params)
        mat = cmath.exp(1j * gamma) * GATES["u"].matrix(theta, phi, lam)
        return [("u", mat, (qubits[0],), qubits[1])], 0.0
    if name == "swap":
        a, b = qubits
        return [("x", (a,), b), ("x", (b,), a), ("x", (a,), b)], 0.0
    if name == "rzz":
        a, b = qubits
        return [("x", (a,), b), ("u", GATES["rz"].matrix(params[0]), (), b),
                ("x", (a,), b)], 0.0
    if name == "rxx":
        a, b = qubits
        h = [("u", _H, (), a), ("u", _H, (), b)]
        return h + [("x", (a,), b), ("u", GATES["rz"].matrix(params[0]), (), b),
                    ("x", (a,), b)] + h, 0.0
    if gate.definition is not None:
        ops, phase = [], 0.0
        for sub_name, sub_params, sub_qubits in gate.definition(*params):
            sub_ops, sub_phase = _gate_ops(lookup(sub_name).name,
                                           tuple(float(p) for p in sub_params),
                                           tuple(qubits[q] for q in sub_qubits))
            ops.extend(sub_ops)
            phase += sub_phase
        return ops, phase
    return _synth(gate.matrix(*params), qubits)


def _add_controls(op, controls: Sequence[int]):
    if op[0] == "u":
        return ("u", op[1], tuple(controls) + tuple(op[2]), op[3])
    return ("x", tuple(controls) + tuple(op[1]), op[2])


def _op_qubits(op) -> tuple[int, ...]:
    if op[0] == "u":
        return tuple(op[2]) + (op[3],)
    return tuple(op[1]) + (op[2],)


def _merge_1q(ops: list, phase: float) -> tuple[list, float]:
    """Fuse runs of uncontrolled one-qubit operations on the same qubit and drop those
    that are a pure phase (folded into ``phase``)."""
    pending: dict[int, np.ndarray] = {}
    out: list = []

    def flush(q: int) -> None:
        nonlocal phase
        mat = pending.pop(q)
        if _is_scalar(mat):
            phase -= cmath.phase(mat[0, 0])
        else:
            out.append(("u", mat, (), q))

    for op in ops:
        if op[0] == "u" and not op[2]:
            q = op[3]
            pending[q] = op[1] @ pending[q] if q in pending else op[1]
            continue
        for q in _op_qubits(op):
            if q in pending:
                flush(q)
        out.append(op)
    for q in list(pending):
        flush(q)
    return out, phase


def _emit_op(out: "_Out", op, qubits: Sequence[int]) -> None:
    used = set(_op_qubits(op))
    free = [q for q in qubits if q not in used]
    if op[0] == "u":
        _mc1q(out, op[1], list(op[2]), op[3], free)
    else:
        out.steps.extend(_mcx(list(op[1]), op[2], free))


# =========================================================================================
# emission of final gates
# =========================================================================================

class _Out:
    """Collects emitted qelib1 steps and the global phase they carry
    (product of steps == e^{i phase} * what was asked)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.phase = 0.0

    def one_qubit(self, mat: np.ndarray, q: int) -> None:
        """An uncontrolled one-qubit matrix: u1 if diagonal, u3 otherwise, nothing if a
        pure phase."""
        if abs(mat[0, 1]) <= _TINY and abs(mat[1, 0]) <= _TINY:
            alpha = cmath.phase(mat[0, 0])
            lam = _wrap_angle(cmath.phase(mat[1, 1]) - alpha)
            if abs(lam) > _TINY:
                self.steps.append(("u1", (lam,), (q,)))
            self.phase -= alpha
            return
        theta, phi, lam, alpha = zyz_angles(mat)
        self.steps.append(("u3", (theta, phi, lam), (q,)))
        self.phase -= alpha


def zyz_angles(mat: np.ndarray) -> tuple[float, float, float, float]:
    """Angles ``(theta, phi, lam, alpha)`` with ``mat == exp(1j*alpha) * U(theta, phi,
    lam)`` for a 2x2 unitary (``U`` as the table's u3; theta in [0, pi])."""
    det = mat[0, 0] * mat[1, 1] - mat[0, 1] * mat[1, 0]
    delta = cmath.phase(det) / 2
    v = mat * cmath.exp(-1j * delta)                      # in SU(2): [[a, -b*], [b, a*]]
    a = (v[0, 0] + v[1, 1].conjugate()) / 2
    b = (v[1, 0] - v[0, 1].conjugate()) / 2
    theta = 2 * math.atan2(abs(b), abs(a))
    arg_a = cmath.phase(a) if abs(a) > _TINY else 0.0
    arg_b = cmath.phase(b) if abs(b) > _TINY else 0.0
    phi = _wrap_angle(arg_b - arg_a)
    lam = _wrap_angle(-arg_a - arg_b)
    # U(theta, phi, lam) = e^{i(phi+lam)/2} v with phi + lam = -2 arg(a) modulo 4 pi
    # (U is 2 pi periodic in phi and lam separately), so mat = e^{i(delta + arg a)} U
    alpha = delta + arg_a
    return theta, phi, lam, _wrap_angle(alpha)


def _wrap_angle(x: float) -> float:
    """x reduced to (-pi, pi]."""
    y = math.fmod(x, 2 * PI)
    if y > PI:
        y -= 2 * PI
    elif y <= -PI:
        y += 2 * PI
    return y


def _is_scalar(mat: np.ndarray) -> bool:
    return (abs(mat[0, 1]) <= _TINY and abs(mat[1, 0]) <= _TINY
            and abs(mat[0, 0] - mat[1, 1]) <= _TINY)


def _phase_gate(lam: float) -> np.ndarray:
    return np.array([[1, 0], [0, cmath.exp(1j * lam)]], dtype=np.complex128)


def _rz(t: float) -> np.ndarray:
    return np.array([[cmath.exp(-0.5j * t), 0], [0, cmath.exp(0.5j * t)]],
                    dtype=np.complex128)


def _rx(t: float) -> np.ndarray:
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -1j * s], [-1j * s, c]], dtype=np.complex128)


def _ry(t: float) -> np.ndarray:
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -s], [s, c]], dtype=np.complex128)


# =========================================================================================
# multi-controlled one-qubit gates
# =========================================================================================

def _mc1q(out: _Out, mat: np.ndarray, controls: list[int], target: int,
          free: list[int]) -> None:
    """Emit ``mat`` on ``target`` controlled (on 1) by ``controls``; ``free`` qubits may
    be borrowed in any state and are given back unchanged. Exact (no global phase)."""
    k = len(controls)
    if k == 0:
        out.one_qubit(mat, target)
        return
    if _is_scalar(mat):                       # a phase on the controls only
        beta = cmath.phase(mat[0, 0])
        if abs(_wrap_angle(beta)) > _TINY:
            _mc1q(out, _phase_gate(beta), controls[:-1], controls[-1], free + [target])
        return
    if np.allclose(mat, _X, rtol=0, atol=_TINY):
        out.steps.extend(_mcx(controls, target, free))
        return
    conj = _x_conjugator(mat)
    if conj is not None:                      # mat = A X A^dagger: A . C^k X . A^dagger
        out.one_qubit(conj.conj().T, target)
        out.steps.extend(_mcx(controls, target, free))
        out.one_qubit(conj, target)
        return
    if k == 1:
        c = controls[0]
        if abs(mat[0, 1]) <= _TINY and abs(mat[1, 0]) <= _TINY:
            beta = cmath.phase(mat[0, 0])
            lam = _wrap_angle(cmath.phase(mat[1, 1]) - beta)
            if abs(lam) > _TINY:
                out.steps.append(("cu1", (lam,), (c, target)))
        else:
            theta, phi, lam, beta = zyz_angles(mat)
            out.steps.append(("cu3", (theta, phi, lam), (c, target)))
        if abs(_wrap_angle(beta)) > _TINY:
            out.steps.append(("u1", (_wrap_angle(beta),), (c,)))
        return
    det = mat[0, 0] * mat[1, 1] - mat[0, 1] * mat[1, 0]
    delta = cmath.phase(det) / 2
    _mcsu2(out, mat * cmath.exp(-1j * delta), controls, target, free)
    if abs(_wrap_angle(delta)) > _TINY:        # C^k(e^{i delta}): a phase on the controls
        _mc1q(out, _phase_gate(delta), controls[:-1], controls[-1], free + [target])


def _x_conjugator(mat: np.ndarray) -> np.ndarray | None:
    """A with mat == A X A^dagger when mat has eigenvalues +1 and -1 (Z, Y, H, ...)."""
    det = mat[0, 0] * mat[1, 1] - mat[0, 1] * mat[1, 0]
    if abs(mat[0, 0] + mat[1, 1]) > 1e-12 or abs(det + 1) > 1e-12:
        return None
    herm = (mat + mat.conj().T) / 2                     # Hermitian with eigenvalues -1, 1
    _, vecs = np.linalg.eigh(herm)                      # columns: eigenvalue -1, then +1
    diag_to_x = _H[:, ::-1]                             # X = H diag(1,-1) H; reorder
    return vecs @ diag_to_x.conj().T


def _bloch(mat: np.ndarray) -> tuple[float, np.ndarray]:
    """(b, n) with mat == cos(b) I - i sin(b) n.sigma for mat in SU(2), b in [0, pi]."""
    cos_b = float(np.clip(np.real(np.trace(mat)) / 2, -1, 1))
    sn = np.array([np.real(1j * np.trace(mat @ p) / 2) for p in _PAULIS])
    norm = float(np.linalg.norm(sn))
    b = math.atan2(norm, cos_b)
    n = sn / norm if norm > 1e-15 else np.array([0.0, 0.0, 1.0])
    return b, n


def _rotation_to(v: np.ndarray) -> np.ndarray:
    """An SU(2) matrix R with R X R^dagger == v.sigma (v a unit vector)."""
    x = np.array([1.0, 0.0, 0.0])
    axis = np.cross(x, v)
    s = float(np.linalg.norm(axis))
    omega = math.atan2(s, float(v[0]))
    if s < 1e-15:
        return _I2.copy() if v[0] > 0 else -1j * _Z
    axis = axis / s
    gen = sum(a * p for a, p in zip(axis, _PAULIS))
    return math.cos(omega / 2) * _I2 - 1j * math.sin(omega / 2) * gen


def _mcsu2(out: _Out, w: np.ndarray, controls: list[int], target: int,
           free: list[int]) -> None:
    """Emit C^k(W) for W in SU(2) (Vale et al. 2024): with V = sqrt(W) = (m.s)(p.s),
    C^k W = [M1 P2]^2 where M1 applies m.sigma when the first half of the controls is
    set and P2 applies p.sigma when the second half is; each is a multi-controlled X
    between one-qubit rotations, the other half of the controls lent as dirty qubits."""
    k = len(controls)
    if k == 1:
        _mc1q(out, w, controls, target, free)
        return
    b, n = _bloch(w)
    if b < _TINY:
        return
    a = b / 2
    x = np.array([1.0, 0.0, 0.0])
    p = x - np.dot(x, n) * n
    if np.linalg.norm(p) < 0.5:
        y = np.array([0.0, 1.0, 0.0])
        p = y - np.dot(y, n) * n
    p = p / np.linalg.norm(p)
    m = math.cos(a) * p - math.sin(a) * np.cross(p, n)
    rp, rm = _rotation_to(p), _rotation_to(m)
    k1 = (k + 1) // 2
    c1, c2 = controls[:k1], controls[k1:]
    x1 = _mcx(c1, target, c2 + free)
    x2 = _mcx(c2, target, c1 + free)
    out.one_qubit(rp.conj().T, target)
    out.steps.extend(x2)
    out.one_qubit(rm.conj().T @ rp, target)
    out.steps.extend(x1)
    out.one_qubit(rp.conj().T @ rm, target)
    out.steps.extend(x2)
    out.one_qubit(rm.conj().T @ rp, target)
    out.steps.extend(x1)
    out.one_qubit(rm, target)


# =========================================================================================
# multi-controlled X
# =========================================================================================

def _mcx(controls: list[int], target: int, free: list[int]) -> list[Step]:
    """Steps of an exact multi-controlled X; ``free`` qubits may be borrowed dirty."""
    k = len(controls)
    if k == 0:
        return [("x", (), (target,))]
    if k == 1:
        return [("cx", (), (controls[0], target))]
    if k == 2:
        return [("ccx", (), (controls[0], controls[1], target))]
    if k == 3:
        return [("c3x", (), (*controls, target))]
    if k == 4 and not free:
        return [("c4x", (), (*controls, target))]
    if len(free) >= k - 2:
        return _mcx_vchain(controls, target, free, relative=False)
    if free:
        return _mcx_split(controls, target, free)
    out = _Out()                                # no qubit to borrow
    _mc1q_general_x(out, controls, target)
    assert abs(_wrap_angle(out.phase)) < 1e-9, "mcx emitted an unexpected phase"
    return out.steps


def _mc1q_general_x(out: _Out, controls: list[int], target: int) -> None:
    """C^k X with nothing to borrow: X = i (-iX); C^k(-iX) by :func:`_mcsu2` (its halves
    borrow each other) and C^k(i) as a multi-controlled phase on the controls."""
    _mcsu2(out, -1j * _X, controls, target, [])
    _mc1q(out, _phase_gate(PI / 2), controls[:-1], controls[-1], [target])


def _mcx_relative(controls: list[int], target: int, helpers: list[int]) -> list[Step]:
    """D . C^k X for some diagonal D on the qubits it touches (a relative-phase MCX),
    cheaper than the exact one; only valid where it is later undone by its inverse
    (the reversed list: every gate used is self-inverse)."""
    k = len(controls)
    if k == 1:
        return [("cx", (), (controls[0], target))]
    if k == 2:
        return [("rccx", (), (controls[0], controls[1], target))]
    if len(helpers) >= k - 2:
        return _mcx_vchain(controls, target, helpers, relative=True)
    return _mcx(controls, target, helpers)


def _mcx_vchain(controls: list[int], target: int, anc: list[int],
                relative: bool) -> list[Step]:
    """Barenco et al. 1995, Lemma 7.2: C^m X with m-2 borrowed qubits as 4(m-2)
    Toffolis, T B T B. The inner block B is undone by its second copy, so its Toffolis
    may be relative-phase ones (rccx); the two that hit the target are exact unless
    ``relative``."""
    m = len(controls)
    a = anc[:m - 2]
    chain = [a[j] for j in range(m - 2)] + [target]      # target of T_j is chain[j]

    def t_gate(j: int) -> tuple[int, int, int]:
        if j == 0:
            return controls[0], controls[1], chain[0]
        return controls[j + 1], chain[j - 1], chain[j]

    inner = ([("rccx", (), t_gate(j)) for j in range(m - 3, 0, -1)]
             + [("rccx", (), t_gate(0))]
             + [("rccx", (), t_gate(j)) for j in range(1, m - 2)])
    top = ("rccx" if relative else "ccx", (), t_gate(m - 2))
    return [top] + inner + [top] + inner


def _mcx_split(controls: list[int], target: int, free: list[int]) -> list[Step]:
    """Barenco et al. 1995, Lemma 7.3 (Corollary 7.4): C^k X with one borrowed qubit a,
    as A B A^-1 B with A = C^{k1}X(first half -> a) (relative phase allowed: it does
    not touch the target) and B = C^{k-k1+1}X(second half, a -> target)."""
    k = len(controls)
    a, rest = free[0], free[1:]
    k1 = (k + 1) // 2
    c1, c2 = controls[:k1], controls[k1:]
    first = _mcx_relative(c1, a, c2 + rest)
    second = _mcx(c2 + [a], target, c1 + rest)
    return first + second + first[::-1] + second


# =========================================================================================
# unitary synthesis
# =========================================================================================

def _synth(mat: np.ndarray, qubits: tuple[int, ...]) -> tuple[list, float]:
    n = len(qubits)
    if n == 1:
        return [("u", mat, (), qubits[0])], 0.0
    if n == 2:
        return _kak(mat, qubits[0], qubits[1])
    return _qsd(mat, qubits)


# -- two qubits: KAK ----------------------------------------------------------------------

_MAGIC = np.array([[1, 1j, 0, 0], [0, 0, 1j, 1], [0, 0, 1j, -1], [1, -1j, 0, 0]],
                  dtype=np.complex128) / math.sqrt(2)
# eigenphases of exp(i(a XX + b YY + c ZZ)) * e^{ig} in the magic basis: _KAK_SIGNS @ (a,b,c,g)
_KAK_SIGNS = np.array([[1, -1, 1, 1], [-1, 1, 1, 1], [1, 1, -1, 1], [-1, -1, -1, 1]],
                      dtype=float)


def _kak(mat: np.ndarray, q0: int, q1: int, parts=None) -> tuple[list, float]:
    """Two-qubit synthesis: U = (A1 x B1) exp(i(a XX + b YY + c ZZ)) (A2 x B2) up to a
    phase, the middle factor as 3 CX (Vatan and Williams 2004, Fig. 6). ``parts``:
    :func:`kak_parts` of ``mat`` when the caller has them (``mat`` is then entangling)."""
    if parts is None:
        factors = _tensor_factor(mat)
        if factors is not None:
            ops = [("u", factors[1], (), q0), ("u", factors[0], (), q1)]
            return ops, _relative_phase(ops, mat, q0, q1)
        parts = kak_parts(mat)
    fr, coords, fl = parts
    ops = [("u", fr[1], (), q0), ("u", fr[0], (), q1)]
    ops += _canonical_ops(coords, q0, q1)
    ops += [("u", fl[1], (), q0), ("u", fl[0], (), q1)]
    ops, _ = _merge_1q(ops, 0.0)
    return ops, _relative_phase(ops, mat, q0, q1)


def kak_parts(mat: np.ndarray):
    """``(right, coords, left)`` with ``mat`` equal, up to a global phase, to
    ``kron(*left) @ exp(i(a XX + b YY + c ZZ)) @ kron(*right)``; ``right`` and ``left``
    are (second-qubit, first-qubit) pairs of 2x2 unitaries and coords = (a, b, c)."""
    up = _MAGIC.conj().T @ mat @ _MAGIC
    up = up / np.linalg.det(up) ** 0.25
    sym = up.T @ up
    pmat = _real_orthogonal_eigvecs(sym)
    if np.linalg.det(pmat) < 0:
        pmat[:, 0] = -pmat[:, 0]
    d = np.diag(pmat.T @ sym @ pmat)
    theta = np.angle(d) / 2
    k1 = up @ pmat @ np.diag(np.exp(-1j * theta))
    if np.real(np.linalg.det(k1)) < 0:
        theta[0] += PI
        k1[:, 0] = -k1[:, 0]
    k1 = np.real(k1)
    left = _MAGIC @ k1 @ _MAGIC.conj().T                 # applied last
    right = _MAGIC @ pmat.T @ _MAGIC.conj().T            # applied first
    coords = np.linalg.solve(_KAK_SIGNS, theta)[:3]
    return _tensor_factor(right, force=True), coords, _tensor_factor(left, force=True)


def kak_parts_many(mats: np.ndarray) -> list:
    """:func:`kak_parts` of each of a stack of 4x4 unitaries (shape (n, 4, 4)), computed
    with numpy's stacked linear algebra: the same steps, one call each for the whole stack
    instead of one per matrix (whose fixed cost is most of a 4x4 decomposition)."""
    mats = np.asarray(mats, dtype=np.complex128)
    if mats.shape[0] == 0:
        return []
    up = _MAGIC.conj().T @ mats @ _MAGIC
    up = up / (np.linalg.det(up) ** 0.25)[:, None, None]
    sym = np.swapaxes(up, 1, 2) @ up
    pmat = _real_orthogonal_eigvecs_many(sym)
    pmat[np.linalg.det(pmat) < 0, :, 0] *= -1
    d = np.einsum("nij,nik,nkj->nj", pmat, sym, pmat)
    theta = np.angle(d) / 2
    k1 = (up @ pmat) * np.exp(-1j * theta)[:, None, :]
    flip = np.real(np.linalg.det(k1)) < 0
    theta[flip, 0] += PI
    k1[flip, :, 0] *= -1
    k1 = np.real(k1)
    left = _MAGIC @ k1 @ _MAGIC.conj().T                         # applied last
    right = _MAGIC @ np.swapaxes(pmat, 1, 2) @ _MAGIC.conj().T   # applied first
    coords = np.linalg.solve(_KAK_SIGNS, theta.T).T[:, :3]
    rb, ra = _tensor_factor_many(right)
    lb, la = _tensor_factor_many(left)
    return [((rb[i], ra[i]), coords[i], (lb[i], la[i])) for i in range(mats.shape[0])]


def _tensor_factor_many(mats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_tensor_factor` with ``force`` of a stack of 4x4 matrices: stacks (B, A)."""
    n = mats.shape[0]
    r = mats.reshape(n, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(n, 4, 4)
    u, s, vh = np.linalg.svd(r)
    root = np.sqrt(s[:, 0])[:, None, None]
    bm = root * u[:, :, 0].reshape(n, 2, 2)
    am = root * vh[:, 0].reshape(n, 2, 2)
    scale = np.sqrt(np.abs(am[:, 0, 0] * am[:, 1, 1] - am[:, 0, 1] * am[:, 1, 0]))
    return bm * scale[:, None, None], am / scale[:, None, None]


def product_rank_many(mats: np.ndarray) -> np.ndarray:
    """Second singular value of each 4x4's operator-Schmidt matrix: 0 (to rounding) exactly
    when the matrix is a tensor product of one-qubit matrices."""
    n = mats.shape[0]
    r = mats.reshape(n, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(n, 4, 4)
    return np.linalg.svd(r, compute_uv=False)[:, 1]


def _canonical_ops(coords: np.ndarray, q0: int, q1: int) -> list:
    """exp(i(a XX + b YY + c ZZ)) up to a phase with as few CX as its coordinates need:
    each coordinate is moved into (-pi/4, pi/4] (the remainder is a local Pauli,
    exp(i pi/2 XX) = i XX); none left is 0 CX, one at +-pi/4 is 1 CX, two are 2 CX
    (CX exp(i(a X0 + c Z1)) CX = exp(i(a XX + c ZZ))), three use Vatan and Williams'
    3-CX circuit."""
    ops: list = []
    reduced = []
    for coord, pauli in zip(coords, _PAULIS):
        shift = round(coord / (PI / 2))
        reduced.append(coord - shift * PI / 2)
        if shift % 2:
            ops += [("u", pauli, (), q0), ("u", pauli, (), q1)]
    a, b, c = reduced
    live = [i for i in range(3) if abs(reduced[i]) > 1e-13]
    if not live:
        return ops
    if len(live) == 3:
        return ops + [("u", _rz(-PI / 2), (), q0), ("x", (q0,), q1),
                      ("u", _rz(-2 * c - PI / 2), (), q1), ("u", _ry(2 * a + PI / 2), (), q0),
                      ("x", (q1,), q0), ("u", _ry(-2 * b - PI / 2), (), q0),
                      ("x", (q0,), q1), ("u", _rz(PI / 2), (), q1)]
    # bring the live coordinates to the XX and ZZ slots by a local Clifford R x R
    if len(live) == 2:
        dead = ({0, 1, 2} - set(live)).pop()
        # dead YY: (a, c) already in place; dead ZZ: YY -> ZZ by Rx(pi/2); dead XX: YY -> XX
        conj = {1: _I2, 2: _rx(PI / 2), 0: _rz(PI / 2)}[dead]
        xx, zz = {1: (a, c), 2: (a, b), 0: (b, c)}[dead]
        core = [("x", (q0,), q1), ("u", _rx(-2 * xx), (), q0), ("u", _rz(-2 * zz), (), q1),
                ("x", (q0,), q1)]
    else:
        (only,) = live
        value = reduced[only]
        conj = {0: _I2, 1: _rz(PI / 2), 2: _ry(PI / 2)}[only]
        if abs(abs(value) - PI / 4) > 1e-13:
            core = [("x", (q0,), q1), ("u", _rx(-2 * value), (), q0), ("x", (q0,), q1)]
        else:
            # exp(i pi/4 XX) = H0 exp(i pi/4 Z0 X1) H0, and exp(i pi/4 Z0 X1) is CX(0->1)
            # followed by exp(i pi/4 Z0) exp(i pi/4 X1) (up to phase); X0 flips the sign
            flip = [("u", _X, (), q0)] if value < 0 else []
            core = ([("u", _H, (), q0)] + flip + [("x", (q0,), q1), ("u", _rz(-PI / 2), (), q0),
                                                  ("u", _rx(-PI / 2), (), q1)]
                    + flip + [("u", _H, (), q0)])
    return (ops + [("u", conj.conj().T, (), q0), ("u", conj.conj().T, (), q1)] + core
            + [("u", conj, (), q0), ("u", conj, (), q1)])


def _tensor_factor(mat: np.ndarray, force: bool = False):
    """(B, A) with mat == kron(B, A) (B on the second qubit), both unitary, or None
    when mat is not a product (always returns with ``force``)."""
    r = mat.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4)
    u, s, vh = np.linalg.svd(r)
    if not force and s[1] > 1e-12:
        return None
    bm = math.sqrt(s[0]) * u[:, 0].reshape(2, 2)
    am = math.sqrt(s[0]) * vh[0].reshape(2, 2)
    scale = math.sqrt(abs(am[0, 0] * am[1, 1] - am[0, 1] * am[1, 0]))
    return bm * scale, am / scale


def _relative_phase(ops: list, mat: np.ndarray, q0: int, q1: int) -> float:
    """phase with product(ops) == e^{i phase} mat, checked (a 4x4 product: cheap)."""
    local = {q0: 0, q1: 1}
    prod = np.eye(4, dtype=np.complex128)
    for op in ops:
        if op[0] == "u":
            full = kron2(_I2, op[1]) if local[op[3]] == 0 else kron2(op[1], _I2)
        else:
            full = _CX01 if local[op[1][0]] == 0 else _CX10
        prod = full @ prod
    overlap = np.trace(mat.conj().T @ prod) / 4
    if abs(abs(overlap) - 1) > 1e-9:
        raise CompileError("internal error: two-qubit synthesis lost accuracy "
                           f"(overlap {abs(overlap):.3g}); please report this matrix")
    return cmath.phase(overlap)


_CX01 = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]],
                 dtype=np.complex128)             # control qubit 0, target qubit 1
_CX10 = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]],
                 dtype=np.complex128)             # control qubit 1, target qubit 0


# -- eigenvectors of unitary matrices -----------------------------------------------------

def _cayley_hermitian(mat: np.ndarray) -> np.ndarray:
    """A Hermitian matrix with the eigenvectors of the unitary ``mat`` and an injective
    map of its eigenvalues (Cayley transform about a point in the widest gap of the
    spectrum), so that eigh gives orthonormal eigenvectors even for repeated
    eigenvalues, where np.linalg.eig does not."""
    angles = np.sort(np.angle(np.linalg.eigvals(mat)))
    gaps = np.diff(np.concatenate([angles, [angles[0] + 2 * PI]]))
    i = int(np.argmax(gaps))
    centre = angles[i] + gaps[i] / 2                     # farthest from every eigenvalue
    w = mat * cmath.exp(-1j * (centre - PI))             # moves that point to -1
    eye = np.eye(mat.shape[0], dtype=np.complex128)
    herm = 1j * (eye - w) @ np.linalg.inv(eye + w)
    return (herm + herm.conj().T) / 2


def _cayley_hermitian_many(mats: np.ndarray) -> np.ndarray:
    """:func:`_cayley_hermitian` of each matrix of a stack."""
    angles = np.sort(np.angle(np.linalg.eigvals(mats)), axis=1)
    gaps = np.diff(np.concatenate([angles, angles[:, :1] + 2 * PI], axis=1), axis=1)
    widest = np.argmax(gaps, axis=1)
    rows = np.arange(mats.shape[0])
    centre = angles[rows, widest] + gaps[rows, widest] / 2
    w = mats * np.exp(-1j * (centre - PI))[:, None, None]
    eye = np.eye(mats.shape[1], dtype=np.complex128)
    herm = 1j * (eye - w) @ np.linalg.inv(eye + w)
    return (herm + np.conj(np.swapaxes(herm, 1, 2))) / 2


def _real_orthogonal_eigvecs_many(syms: np.ndarray) -> np.ndarray:
    """:func:`_real_orthogonal_eigvecs` of each matrix of a stack."""
    _, vecs = np.linalg.eigh(np.real(_cayley_hermitian_many(syms)))
    return vecs


def _unitary_eigvecs(mat: np.ndarray) -> np.ndarray:
    _, vecs = np.linalg.eigh(_cayley_hermitian(mat))
    return vecs


def _real_orthogonal_eigvecs(sym: np.ndarray) -> np.ndarray:
    """Real orthogonal eigenvectors of a symmetric unitary (its Cayley transform is real
    symmetric)."""
    _, vecs = np.linalg.eigh(np.real(_cayley_hermitian(sym)))
    return vecs


# -- three or more qubits: quantum Shannon decomposition ----------------------------------

def _qsd(mat: np.ndarray, qubits: tuple[int, ...]) -> tuple[list, float]:
    """Shende, Bullock and Markov 2006: U = (L0 + L1)(CS)(R0 + R1) on the top qubit, each
    block-diagonal factor demultiplexed into two (n-1)-qubit unitaries around a
    uniformly controlled Rz, the CS factor a uniformly controlled Ry."""
    if len(qubits) <= 2:
        return _synth(mat, qubits)
    low, top = qubits[:-1], qubits[-1]
    h = mat.shape[0] // 2
    ops: list = []
    phase = 0.0
    # shortcuts for structured matrices: the top qubit unentangled, or a multiplexor
    top_factor = _split_top(mat)
    if top_factor is not None:
        ops, phase = _qsd(top_factor[1], low)
        return ops + [("u", top_factor[0], (), top)], phase
    off = max(np.max(np.abs(mat[:h, h:])), np.max(np.abs(mat[h:, :h])))
    diag = max(np.max(np.abs(mat[:h, :h])), np.max(np.abs(mat[h:, h:])))
    if off <= 1e-13 or diag <= 1e-13:
        if off <= 1e-13:
            a0, a1 = mat[:h, :h], mat[h:, h:]
        else:                                         # X on top after diag(U10, U01)
            a0, a1 = mat[h:, :h], mat[:h, h:]
        v, delta, w = _demultiplex(_polar(a0), _polar(a1))
        ops, phase = _qsd(w, low)
        ops += _uniformly_controlled("z", -2 * delta, low, top)
        sub_ops, sub_phase = _qsd(v, low)
        ops += sub_ops
        if off > 1e-13:
            ops.append(("u", _X, (), top))
        return _merge_1q(ops, phase + sub_phase)
    l0, l1, theta, r0, r1 = _csd(mat)
    for a0, a1, middle in ((r0, r1, ("y", 2 * theta)), (l0, l1, None)):
        v, delta, w = _demultiplex(a0, a1)
        sub_ops, sub_phase = _qsd(w, low)
        ops += sub_ops
        phase += sub_phase
        ops += _uniformly_controlled("z", -2 * delta, low, top)
        sub_ops, sub_phase = _qsd(v, low)
        ops += sub_ops
        phase += sub_phase
        if middle is not None:
            ops += _uniformly_controlled(middle[0], middle[1], low, top)
    return _merge_1q(ops, phase)


def _split_top(mat: np.ndarray):
    """(A, V) with mat == kron(A, V), A on the top qubit, or None."""
    h = mat.shape[0] // 2
    r = mat.reshape(2, h, 2, h).transpose(0, 2, 1, 3).reshape(4, h * h)
    u, s, vh = np.linalg.svd(r, full_matrices=False)
    if s[1] > 1e-13 * h:
        return None
    a = math.sqrt(s[0]) * u[:, 0].reshape(2, 2)
    v = math.sqrt(s[0]) * vh[0].reshape(h, h)
    scale = math.sqrt(abs(a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]))
    return _polar(a / scale), _polar(v * scale)


def _csd(mat: np.ndarray):
    """Cosine-sine decomposition of a 2h x 2h unitary by numpy SVDs:
    mat = diag(L0, L1) [[C, -S], [S, C]] diag(R0, R1), C = cos(theta), S = sin(theta).

    The basis of the right factor comes from the SVD of the upper-left block where the
    cosines are small and from the SVD of the lower-left block where the sines are
    small, so that clustered near-zero singular values cannot spoil it; the two ranges
    are split at a gap of the cosines."""
    h = mat.shape[0] // 2
    u00, u01, u10, u11 = mat[:h, :h], mat[:h, h:], mat[h:, :h], mat[h:, h:]
    l0, c, r0 = np.linalg.svd(u00)
    c = np.clip(c, 0.0, 1.0)
    p = _csd_split(c)
    z = u10 @ r0.conj().T
    # indices p..h-1: sines large, columns of z are s_j * (column j of L1)
    zq = z[:, p:]
    sq = np.linalg.norm(zq, axis=0)
    l1q = zq / np.where(sq > 0, sq, 1)
    cq = c[p:]
    if p:
        xq, sp, yh = np.linalg.svd(z[:, :p], full_matrices=False)
        r0p = yh @ r0[:p]
        sp = np.clip(sp, 0.0, 1.0)
        cp = np.sqrt(np.clip(1 - sp ** 2, 0.0, 1.0))
        l0p = (u00 @ r0p.conj().T) / cp
        l1p = xq
    else:
        r0p = np.zeros((0, h), dtype=np.complex128)
        sp = cp = np.zeros(0)
        l0p = l1p = np.zeros((h, 0), dtype=np.complex128)
    cos = np.concatenate([cp, cq])
    sin = np.concatenate([sp, sq])
    r0 = _polar(np.vstack([r0p, r0[p:]]))
    l0 = _orthonormalize(np.hstack([l0p, l0[:, p:]]), np.argsort(-cos, kind="stable"))
    l1 = _orthonormalize(np.hstack([l1p, l1q]), np.argsort(-sin, kind="stable"))
    r1 = np.empty((h, h), dtype=np.complex128)
    top = l1.conj().T @ u11
    bottom = -(l0.conj().T @ u01)
    for j in range(h):
        r1[j] = top[j] / cos[j] if cos[j] >= sin[j] else bottom[j] / sin[j]
    r1 = _polar(r1)
    theta = np.arctan2(sin, cos)
    return l0, l1, theta, r0, r1


def _csd_split(c: np.ndarray) -> int:
    """Number of leading (largest) cosines handled through the lower-left block: a
    boundary where both sides stay well conditioned, at the widest gap."""
    h = len(c)
    best, best_gap = None, -1.0
    for i in range(h + 1):
        if i > 0 and c[i - 1] < 0.3:
            continue
        if i < h and c[i] > 0.95:
            continue
        gap = 1.0 if i in (0, h) else c[i - 1] - c[i]
        if gap > best_gap:
            best, best_gap = i, gap
    return best


def _orthonormalize(mat: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Gram-Schmidt (QR) of the columns in ``order`` (the best determined first),
    keeping each column's direction."""
    q, r = np.linalg.qr(mat[:, order])
    d = np.diag(r)
    q = q * np.where(np.abs(d) > 0, d / np.where(np.abs(d) > 0, np.abs(d), 1), 1)
    out = np.empty_like(q)
    out[:, order] = q
    return out


def _polar(mat: np.ndarray) -> np.ndarray:
    """The unitary nearest to ``mat``."""
    w, _, vh = np.linalg.svd(mat)
    return w @ vh


def _demultiplex(a0: np.ndarray, a1: np.ndarray):
    """(V, delta, W) with a0 = V D W, a1 = V D^dagger W, D = diag(e^{i delta})
    (Shende et al. 2006, Theorem 12)."""
    prod = a0 @ a1.conj().T
    v = _unitary_eigvecs(prod)
    eig = np.diag(v.conj().T @ prod @ v)
    delta = np.angle(eig) / 2
    w = np.diag(np.exp(1j * delta)) @ v.conj().T @ a1
    return v, delta, w


def _uniformly_controlled(axis: str, angles: np.ndarray, controls: Sequence[int],
                          target: int) -> list:
    """R_axis(angles[j]) on ``target`` when the controls (little-endian) read j, as
    2^m rotations and 2^m CX in Gray-code order (Mottonen et al. 2004)."""
    rot = _rz if axis == "z" else _ry
    size = len(angles)
    if np.allclose(angles, angles[0], rtol=0, atol=_TINY):
        return [("u", rot(float(angles[0])), (), target)]
    gray = [i ^ (i >> 1) for i in range(size)]
    signs = np.array([[(-1) ** bin(j & g).count("1") for g in gray] for j in range(size)])
    thetas = signs.T @ angles / size
    ops: list = []
    for i in range(size):
        ops.append(("u", rot(float(thetas[i])), (), target))
        flip = gray[i] ^ gray[(i + 1) % size]
        ops.append(("x", (controls[flip.bit_length() - 1],), target))
    return ops


# =========================================================================================
# lowering qelib1 gates further (for unroll_to)
# =========================================================================================

def _canonical_names(allowed: Iterable[str]) -> frozenset[str]:
    names = set()
    for name in allowed:
        try:
            names.add(lookup(name).name)
        except Exception:  # noqa: BLE001 - non-table names (unitary, mcx, ...) kept as given
            names.add(name)
    return frozenset(names)


def _is_allowed(instr: Instruction, allowed: frozenset[str]) -> bool:
    if instr.num_ctrl:
        return instr.display_name in allowed
    return instr.name in allowed


def _lower(step: Step, allowed: frozenset[str], out: list[Step]) -> float:
    """Append ``step`` lowered toward ``allowed`` to ``out``; returns the phase added
    (product == e^{i phase} step)."""
    name, params, qubits = step
    if name in allowed:
        out.append(step)
        return 0.0
    gate = GATES[name]
    symbolic = any(isinstance(p, ParameterExpression) and not p.is_numeric() for p in params)
    if gate.num_qubits == 1:
        if name in ("id", "u0"):
            return 0.0
        one_q = "u3" if "u3" in allowed else "u" if "u" in allowed else None
        if one_q is None:
            out.append(step)
            return 0.0
        if symbolic:
            rule = _SYMBOLIC_U3.get(name)
            if rule is None:
                out.append(step)
                return 0.0
            angles, phase = rule(*params)
            out.append((one_q, angles, qubits))
            return phase
        theta, phi, lam, alpha = zyz_angles(gate.matrix(*params))
        out.append((one_q, (theta, phi, lam), qubits))
        return -alpha
    rule = _LOWERINGS.get(name)
    if rule is None:
        if gate.definition is not None:
            rule = gate.definition
        else:
            out.append(step)
            return 0.0
    phase = 0.0
    for sub_name, sub_params, sub_qubits in rule(*params):
        phase = _add_phase(phase, _lower((lookup(sub_name).name, tuple(sub_params),
                                          tuple(qubits[q] for q in sub_qubits)), allowed, out))
    return phase


def _add_phase(a, b):
    """a + b for phases that may be symbolic, without building ``0 + x`` trees."""
    if not isinstance(b, ParameterExpression) and b == 0:
        return a
    if not isinstance(a, ParameterExpression) and a == 0:
        return b
    return a + b


# one-qubit gates as U(theta, phi, lambda) that also hold for symbolic parameters:
# name -> (angles, phase) with U(angles) == e^{i phase} gate
_SYMBOLIC_U3 = {
    "u3": lambda t, p, l: ((t, p, l), 0.0),
    "u": lambda t, p, l: ((t, p, l), 0.0),
    "u2": lambda p, l: ((PI / 2, p, l), 0.0),
    "p": lambda l: ((0.0, 0.0, l), 0.0),
    "u1": lambda l: ((0.0, 0.0, l), 0.0),
    "rx": lambda t: ((t, -PI / 2, PI / 2), 0.0),
    "ry": lambda t: ((t, 0.0, 0.0), 0.0),
    "rz": lambda t: ((0.0, 0.0, t), t / 2),
}


def _ccx_steps():
    """Toffoli as 6 CX and T gates (Nielsen and Chuang Fig. 4.9; qelib1.inc's ccx)."""
    return [("h", (), (2,)), ("cx", (), (1, 2)), ("tdg", (), (2,)), ("cx", (), (0, 2)),
            ("t", (), (2,)), ("cx", (), (1, 2)), ("tdg", (), (2,)), ("cx", (), (0, 2)),
            ("t", (), (1,)), ("t", (), (2,)), ("h", (), (2,)), ("cx", (), (0, 1)),
            ("t", (), (0,)), ("tdg", (), (1,)), ("cx", (), (0, 1))]


def _c3x_steps():
    """qelib1.inc's c3x: 14 CX and phases of +-pi/8."""
    s: list = [("h", (), (3,))] + [("p", (PI / 8,), (q,)) for q in range(4)]
    # (control, target, sign of the phase after the cx; 0: no phase)
    for c, t, sign in ((0, 1, -1), (0, 1, 0), (1, 2, -1), (0, 2, 1), (1, 2, -1), (0, 2, 0),
                       (2, 3, -1), (1, 3, 1), (2, 3, -1), (0, 3, 1), (2, 3, -1), (1, 3, 1),
                       (2, 3, -1), (0, 3, 0)):
        s.append(("cx", (), (c, t)))
        if sign:
            s.append(("p", (sign * PI / 8,), (t,)))
    s.append(("h", (), (3,)))
    return s


def _c4x_steps():
    """qelib1.inc's c4x: two c3x, a c3sqrtx and two controlled phases."""
    hcp = lambda lam: [("h", (), (4,)), ("cu1", (lam,), (3, 4)), ("h", (), (4,))]  # noqa: E731
    return (hcp(PI / 2) + [("c3x", (), (0, 1, 2, 3))] + hcp(-PI / 2)
            + [("c3x", (), (0, 1, 2, 3)), ("c3sx", (), (0, 1, 2, 4))])


def _cu3_steps(theta, phi, lam):
    """qelib1.inc's cu3 (exact for the table's cu3, which has no global phase)."""
    return [("u1", ((lam + phi) / 2,), (0,)), ("u1", ((lam - phi) / 2,), (1,)),
            ("cx", (), (0, 1)), ("u3", (-theta / 2, 0.0, -(phi + lam) / 2), (1,)),
            ("cx", (), (0, 1)), ("u3", (theta / 2, phi, 0.0), (1,))]


def _cu1_steps(lam):
    return [("u1", (lam / 2,), (0,)), ("cx", (), (0, 1)), ("u1", (-lam / 2,), (1,)),
            ("cx", (), (0, 1)), ("u1", (lam / 2,), (1,))]


_LOWERINGS = {
    "ccx": _ccx_steps,
    "c3x": _c3x_steps,
    "c4x": _c4x_steps,
    "cswap": lambda: [("cx", (), (2, 1)), ("ccx", (), (0, 1, 2)), ("cx", (), (2, 1))],
    "swap": lambda: [("cx", (), (0, 1)), ("cx", (), (1, 0)), ("cx", (), (0, 1))],
    "cy": lambda: [("sdg", (), (1,)), ("cx", (), (0, 1)), ("s", (), (1,))],
    "cz": lambda: [("h", (), (1,)), ("cx", (), (0, 1)), ("h", (), (1,))],
    "ch": lambda: [("s", (), (1,)), ("h", (), (1,)), ("t", (), (1,)), ("cx", (), (0, 1)),
                   ("tdg", (), (1,)), ("h", (), (1,)), ("sdg", (), (1,))],
    "crz": lambda t: [("rz", (t / 2,), (1,)), ("cx", (), (0, 1)), ("rz", (-t / 2,), (1,)),
                      ("cx", (), (0, 1))],
    "cry": lambda t: [("ry", (t / 2,), (1,)), ("cx", (), (0, 1)), ("ry", (-t / 2,), (1,)),
                      ("cx", (), (0, 1))],
    "crx": lambda t: [("u1", (PI / 2,), (1,)), ("cx", (), (0, 1)),
                      ("u3", (-t / 2, 0.0, 0.0), (1,)), ("cx", (), (0, 1)),
                      ("u3", (t / 2, -PI / 2, 0.0), (1,))],
    "cu1": _cu1_steps,
    "cp": _cu1_steps,
    "cu3": _cu3_steps,
    "cu": lambda t, p, l, g: [("u1", (g,), (0,))] + _cu3_steps(t, p, l),
    "rzz": lambda t: [("cx", (), (0, 1)), ("rz", (t,), (1,)), ("cx", (), (0, 1))],
    "rxx": lambda t: [("h", (), (0,)), ("h", (), (1,)), ("cx", (), (0, 1)),
                      ("rz", (t,), (1,)), ("cx", (), (0, 1)), ("h", (), (0,)),
                      ("h", (), (1,))],
}
