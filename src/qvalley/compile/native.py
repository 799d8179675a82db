"""Lowering the compiler's ops to a target's native gates.

CX goes to each native entangler with fixed one-qubit corrections, all Clifford, found by
search and checked by the tests: ``CX(0, 1) = (A1 x A0) T(0, 1) (B1 x B0)`` up to phase,
with B applied first. The words below are the Clifford group's h/s spellings in time
order. ECR on IBM Eagle is directional: when only (t, c) is a device edge the reversed
identity is used (one more layer of one-qubit gates, no extra two-qubit gate).

The partial entangler ``rzz(θ)`` becomes IBM's fractional ``rzz`` (θ folded into
(0, π/2], which is all the hardware accepts: ``rzz(-θ) = X0 rzz(θ) X0``), IonQ Forte's
``zz(θ/2π)`` or IonQ Aria's ``ms(0, 0, θ/2π)`` between Hadamards (``ms(1/2, 0, t)`` for a
negative angle: σ(1/2) = -X).
"""
from __future__ import annotations

import math

import numpy as np

from ..circuit.gates import GATES
from ..errors import CompileError
from ..targets import Target
from .ops import Op

PI = math.pi

# native gate -> (params, before q0, before q1, after q0, after q1)
_CX_VIA: dict[str, tuple] = {
    "cz": ((), [], ["h"], [], ["h"]),
    "ecr": ((), [], [], ["s", "h", "s", "s", "h"], ["s", "h", "s"]),
    "ms": ((0.0, 0.0, 0.25), ["h"], [], ["h", "s", "s", "s"], ["s", "h", "s"]),
    "zz": ((0.25,), [], ["h"], ["s", "s", "s"], ["h", "s", "h", "s"]),
    "rzz": ((PI / 2,), [], ["h"], ["s", "s", "s"], ["h", "s", "h", "s"]),
    "cx": ((), [], [], [], []),
}
# ECR(1, 0) for CX(0, 1): the device lists only the reverse direction
_CX_VIA_REVERSED_ECR = ((), ["h"], ["h"], ["h", "s", "s", "s"], ["s", "h", "s", "s"])


def _word(names: list[str]) -> np.ndarray:
    m = np.eye(2, dtype=np.complex128)
    for n in names:
        m = GATES[n].matrix() @ m
    return m


def entangler(target: Target) -> str:
    """The two-qubit gate CX is lowered to on ``target``."""
    for name in ("cz", "ecr", "cx", "zz", "ms", "rzz"):
        if name in target.basis:
            return name
    raise CompileError(f"target {target.name}: no known way to build CX from its two-qubit "
                       f"gates {list(target.two_qubit_gates)}; supported: cz, ecr, cx, zz, "
                       "ms, rzz")


def partial_entangler(target: Target) -> str | None:
    """The gate a partial ``rzz`` becomes on ``target`` (None: the target has none)."""
    for name in ("rzz", "zz", "ms"):
        if name in target.basis:
            return name
    return None


def lower_cx(control: int, target_qubit: int, target: Target) -> list[Op]:
    name = entangler(target)
    a, b = control, target_qubit
    if name == "ecr" and target.directed and not target.connected(a, b, either_way=False):
        params, b0, b1, a0, a1 = _CX_VIA_REVERSED_ECR
        gate = Op("n2", (b, a), instr=_instr("ecr", (b, a), ()))
    else:
        params, b0, b1, a0, a1 = _CX_VIA[name]
        gate = Op("n2", (a, b), instr=_instr(name, (a, b), params))
    out = []
    for word, q in ((b0, a), (b1, b)):
        if word:
            out.append(Op("u", (q,), _word(word)))
    out.append(gate)
    for word, q in ((a0, a), (a1, b)):
        if word:
            out.append(Op("u", (q,), _word(word)))
    return out


def lower_rzz(q0: int, q1: int, theta: float, target: Target) -> list[Op]:
    name = partial_entangler(target)
    x = GATES["x"].matrix()
    h = GATES["h"].matrix()
    flip = theta < 0
    t = abs(theta)
    if name == "rzz":
        core = [Op("n2", (q0, q1), instr=_instr("rzz", (q0, q1), (t,)))]
    elif name == "zz":
        core = [Op("n2", (q0, q1), instr=_instr("zz", (q0, q1), (t / (2 * PI),)))]
    elif name == "ms":
        phase = 0.5 if flip else 0.0
        flip = False  # the sign went into the MS phase
        ms = Op("n2", (q0, q1), instr=_instr("ms", (q0, q1), (phase, 0.0, t / (2 * PI))))
        return [Op("u", (q0,), h), Op("u", (q1,), h), ms, Op("u", (q0,), h),
                Op("u", (q1,), h)]
    else:
        raise CompileError(f"target {target.name} has no partial entangler")
    if flip:
        return [Op("u", (q0,), x)] + core + [Op("u", (q0,), x)]
    return core


def _instr(name: str, qubits: tuple[int, ...], params: tuple):
    from ..circuit.instruction import Instruction
    return Instruction("gate", name, tuple(qubits), tuple(float(p) for p in params))
