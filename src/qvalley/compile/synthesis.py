"""Gate synthesis: any 2-qubit block in the fewest entanglers, any 1-qubit gate in the
fewest native pulses.

Two qubits (KAK, see :func:`.decompose.kak_parts`): a block with Weyl coordinates
(a, b, c) costs 0 CX when it is a product, 1 when it is CX-like, 2 when a coordinate is
zero, 3 otherwise. On a target with a partial entangler (IBM Heron's RZZ(θ), IonQ's
partial MS and ZZ) a block with one live coordinate that is not CX-like (rzz, cp, crz,
the gates of QAOA and QFT) costs one partial gate instead of 2 CX.

One qubit, with RZ free (IBM does it in software, IonQ as a phase frame):

* IBM (rz, sx, x): ``U(θ, φ, λ) = RZ(φ+π) SX RZ(θ+π) SX RZ(λ)`` up to phase, or one SX
  when θ = π/2, an X when θ = π, RZ alone when θ = 0 (the forms of Qiskit's ZSX basis).
* IonQ (gpi, gpi2, rz): ``U(θ, φ, λ)`` is two GPI2 and a trailing RZ (``RX(π/2) = GPI2(0)``
  and RZ pushed through, ``rz(a); gpi2(p) == gpi2(p - a/2π); rz(a)``), one GPI2 when
  θ = π/2, one GPI when θ = π.

Every form is checked against the matrix it stands for (up to global phase) before it
is returned, so a wrong special case can only cost pulses, never correctness.
"""
from __future__ import annotations

import math

import numpy as np

from ..circuit.gates import GATES
from ..errors import CompileError
from . import decompose as D
from ..targets.ionq_json import turns
from .ops import Op

PI = math.pi
_EPS = 1e-10

Step = tuple[str, tuple, tuple[int, ...]]  # (table gate, params, qubits)


def _equal_up_to_phase(a: np.ndarray, b: np.ndarray, tol: float = 1e-9) -> bool:
    k = np.vdot(b.ravel(), a.ravel())
    return abs(abs(k) - a.shape[0]) < tol * a.shape[0] and \
        np.allclose(a, b * (k / abs(k)), atol=1e-8)


# One-qubit forms are checked with Python complex numbers: on 2x2 matrices that is a
# few times faster than numpy's per-call overhead, and translation checks every gate.
_FIXED_2X2: dict[str, tuple] = {}


def _entries_2x2(name: str, params: tuple) -> tuple:
    spec = GATES[name]
    if spec.entries_fn is not None:
        return spec.entries_fn(*params)
    if not params:
        fixed = _FIXED_2X2.get(name)
        if fixed is None:
            fixed = _FIXED_2X2[name] = tuple(spec.matrix().ravel().tolist())
        return fixed
    return tuple(spec.matrix(*params).ravel().tolist())


def _product_2x2(steps: list[Step]) -> tuple:
    """Entries (row-major) of the product of one-qubit steps in time order."""
    a, b, c, d = 1, 0, 0, 1
    for name, params, _ in steps:
        e, f, g, h = _entries_2x2(name, params)
        a, b, c, d = e * a + f * c, e * b + f * d, g * a + h * c, g * b + h * d
    return a, b, c, d


def _equal_up_to_phase_2x2(got, want, tol: float = 1e-9) -> bool:
    """:func:`_equal_up_to_phase` for entries of 2x2 matrices (same tolerances)."""
    k = sum(y.conjugate() * x for x, y in zip(got, want))
    if not abs(abs(k) - 2) < tol * 2:
        return False
    phase = k / abs(k)
    return all(abs(x - y * phase) <= 1e-8 + 1e-5 * abs(y * phase)
               for x, y in zip(got, want))


def _near(x: float, y: float) -> bool:
    return abs(D._wrap_angle(x - y)) < _EPS


def one_qubit_ibm(mat: np.ndarray, q: int) -> list[Step]:
    """``mat`` as rz, sx, x on qubit ``q`` (time order), fewest sx/x first."""
    theta, phi, lam, _ = D.zyz_angles(mat)
    forms: list[list[Step]] = []
    if abs(theta) < _EPS:
        forms.append([("rz", (D._wrap_angle(phi + lam),), (q,))])
    if abs(theta - PI / 2) < _EPS:
        forms.append([("rz", (D._wrap_angle(lam - PI / 2),), (q,)), ("sx", (), (q,)),
                      ("rz", (D._wrap_angle(phi + PI / 2),), (q,))])
    if abs(theta - PI) < _EPS:
        forms.append([("rz", (D._wrap_angle(lam),), (q,)), ("x", (), (q,)),
                      ("rz", (D._wrap_angle(phi),), (q,))])
        forms.append([("x", (), (q,)), ("rz", (D._wrap_angle(phi - lam),), (q,))])
    forms.append([("rz", (D._wrap_angle(lam),), (q,)), ("sx", (), (q,)),
                  ("rz", (D._wrap_angle(theta + PI),), (q,)), ("sx", (), (q,)),
                  ("rz", (D._wrap_angle(phi + PI),), (q,))])
    return _first_exact(forms, mat)


def one_qubit_ionq(mat: np.ndarray, q: int) -> list[Step]:
    """``mat`` as gpi/gpi2 pulses and a trailing virtual rz on qubit ``q`` (time order)."""
    theta, phi, lam, _ = D.zyz_angles(mat)
    per_rad = 1 / (2 * PI)  # turns per radian
    forms: list[list[Step]] = []
    if abs(theta) < _EPS:
        forms.append([("rz", (D._wrap_angle(phi + lam),), (q,))])
    for half, name in ((PI / 2, "gpi2"), (PI, "gpi")):
        if abs(theta - half) < _EPS:
            p = turns((PI / 2 - lam) * per_rad)
            forms.append([(name, (p,), (q,)), ("rz", (D._wrap_angle(phi + lam),), (q,))])
    a = lam
    b = lam + theta + PI
    forms.append([("gpi2", (turns(-a * per_rad),), (q,)),
                  ("gpi2", (turns(-b * per_rad),), (q,)),
                  ("rz", (D._wrap_angle(lam + theta + phi + 2 * PI),), (q,))])
    return _first_exact(forms, mat)


def _first_exact(forms: list[list[Step]], mat: np.ndarray) -> list[Step]:
    target = mat.ravel().tolist()
    for steps in forms:
        steps = [s for s in steps if not (s[0] == "rz" and abs(s[1][0]) < 1e-13)]
        if _equal_up_to_phase_2x2(_product_2x2(steps), target):
            return steps
    raise CompileError("one-qubit synthesis failed to reproduce a gate (a bug: please "
                       "report the circuit)")  # pragma: no cover


# -- two qubits --------------------------------------------------------------------------

def two_qubit_ops(mat: np.ndarray, q0: int, q1: int, *, partial: bool) -> list[Op]:
    """Ops for a 4x4 unitary on (q0, q1): CX-based with the fewest CX, or, when
    ``partial`` and the block has one live non-CX-like coordinate, one ``rzz``."""
    parts = None
    if D._tensor_factor(mat) is None:  # entangling: one KAK serves both forms
        parts = D.kak_parts(mat)
    return ops_from_parts(mat, q0, q1, parts, partial)


def block_parts_many(mats: list[np.ndarray]) -> list:
    """For each 4x4 unitary its :func:`.decompose.kak_parts`, or None when it is a
    product of one-qubit gates, all computed together (:func:`.decompose.kak_parts_many`:
    about 20 us a block instead of 110 one by one); :func:`ops_from_parts` builds the ops
    of those worth building."""
    if not mats:
        return []
    stack = np.array(mats)
    entangling = np.nonzero(D.product_rank_many(stack) > 1e-12)[0]
    parts: list = [None] * len(mats)
    for i, p in zip(entangling, D.kak_parts_many(stack[entangling])):
        parts[i] = p
    return parts


def entanglers(parts, partial: bool) -> int:
    """How many entanglers :func:`ops_from_parts` uses for a block with these ``parts``,
    read off its Weyl coordinates with the same rules and tolerances (with ``partial``
    a lower bound: the one-``rzz`` form is checked when built and may fall back to 2 CX).
    Lets a caller skip building ops it will not keep."""
    if parts is None:
        return 0
    reduced = [c - round(c / (PI / 2)) * PI / 2 for c in parts[1]]
    if partial:
        live = [r for r in reduced if abs(r) > 1e-12]
        if len(live) == 1 and abs(abs(live[0]) - PI / 4) >= 1e-9:
            return 1
    live = [r for r in reduced if abs(r) > 1e-13]
    if len(live) == 1:
        return 1 if abs(abs(live[0]) - PI / 4) <= 1e-13 else 2
    return len(live)


def ops_from_parts(mat: np.ndarray, q0: int, q1: int, parts, partial: bool) -> list[Op]:
    """The ops of :func:`two_qubit_ops` from ``parts`` (:func:`.decompose.kak_parts` of an
    entangling ``mat``, None for a product)."""
    if parts is not None and partial:
        ops = _single_interaction(mat, q0, q1, parts)
        if ops is not None:
            return ops
    steps, _ = D._kak(mat, q0, q1, parts)
    out: list[Op] = []
    for op in steps:
        if op[0] == "u":
            out.append(Op("u", (op[3],), np.asarray(op[1], dtype=np.complex128)))
        elif op[0] == "x":  # ("x", (control,), target): a CX
            out.append(Op("cx", (op[1][0], op[2])))
        else:  # pragma: no cover - _kak emits only these
            raise CompileError(f"unexpected synthesis op {op[0]}")
    return out


def _single_interaction(mat: np.ndarray, q0: int, q1: int, parts) -> list[Op] | None:
    """One ``rzz`` and local gates for an entangling ``mat`` (``parts``: its
    :func:`.decompose.kak_parts`) with one live Weyl coordinate, else None."""
    fr, coords, fl = parts
    reduced, paulis = [], []
    for coord, pauli in zip(coords, D._PAULIS):
        shift = round(coord / (PI / 2))
        reduced.append(coord - shift * PI / 2)
        if shift % 2:
            paulis.append(pauli)
    live = [i for i in range(3) if abs(reduced[i]) > 1e-12]
    if len(live) != 1 or abs(abs(reduced[live[0]]) - PI / 4) < 1e-9:
        return None
    (axis,) = live
    v = reduced[axis]
    # exp(i v P P) = (R x R)^dagger exp(i v Z Z) (R x R) with R mapping P to Z
    to_z = {0: GATES["h"].matrix(), 1: GATES["rx"].matrix(PI / 2), 2: np.eye(2)}[axis]
    before = [fr[1], fr[0]]
    after = [fl[1], fl[0]]
    for p in paulis:  # local Paulis of the reduction, on both qubits
        before = [p @ m for m in before]
    ops = [Op("u", (q0,), to_z @ before[0]), Op("u", (q1,), to_z @ before[1]),
           Op("rzz", (q0, q1), theta=-2 * v),
           Op("u", (q0,), after[0] @ to_z.conj().T), Op("u", (q1,), after[1] @ to_z.conj().T)]
    got = ops_unitary(ops, q0, q1)
    if not _equal_up_to_phase(got, mat, 1e-8):
        return None  # keep the CX form (never a wrong answer)
    return ops


def ops_unitary(ops: list[Op], q0: int, q1: int) -> np.ndarray:
    """The 4x4 product of ops acting on (q0, q1), q0 the low bit."""
    m = np.eye(4, dtype=np.complex128)
    for op in ops:
        if op.name == "u":
            g = D.kron2(_I2, op.matrix) if op.qubits[0] == q0 else D.kron2(op.matrix, _I2)
        else:
            g = op.unitary()
            if op.qubits[0] != q0:
                g = _SWAP @ g @ _SWAP
        m = g @ m
    return m


_I2 = np.eye(2, dtype=np.complex128)
_SWAP = GATES["swap"].matrix()
