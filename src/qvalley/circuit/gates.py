"""The gate library: one definition per gate, and the single source of truth for it.

Every consumer (the circuit builder methods, the simulators, the OpenQASM reader and
writer, the compiler and the tests) reads :data:`GATES`. A :class:`GateDef` holds the name,
the number of qubits and parameters, the matrix, the inverse, the OpenQASM spellings and a
decomposition into other gates of the table.

Conventions (as Qiskit and OpenQASM 3's stdgates.inc):

* Matrices are little-endian in the gate's own qubit list: the first qubit argument is the
  least significant bit of the matrix index. ``cx(control, target)`` is therefore
  ``[[1,0,0,0],[0,0,0,1],[0,0,1,0],[0,1,0,0]]``.
* Controls come before targets. A controlled gate names its ``base`` gate and number of
  controls, so a simulator may act on the controlled subspace only.
* ``U(θ, φ, λ) = [[cos θ/2, -e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]``
  (OpenQASM 3's definition; OpenQASM 2's differs only by a global phase, which no
  OpenQASM 2 program can observe).

>>> GATES["cx"].matrix().real.astype(int).tolist()
[[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from ..errors import CircuitError

PI = math.pi
_SQ2 = 1 / math.sqrt(2)

# A decomposition step: (gate name, parameter values, indices into the gate's qubits).
Step = tuple[str, tuple, tuple[int, ...]]


@dataclass(frozen=True)
class GateDef:
    """Everything qvalley knows about one gate.

    ``inverse`` maps parameters to ``(name, parameters)`` of the inverse gate when the table
    has one; otherwise the inverse is the reversed, inverted ``definition``.
    ``definition`` decomposes the gate into other table gates exactly (global phase
    included: tests check the product of the steps against the matrix).
    """

    name: str
    num_qubits: int
    params: tuple[str, ...]
    matrix_fn: Callable[..., np.ndarray] = field(repr=False)
    doc: str
    inverse: Callable[..., tuple[str, tuple]] | None = field(default=None, repr=False)
    definition: Callable[..., list[Step]] | None = field(default=None, repr=False)
    controls: int = 0
    base: str | None = None
    qasm2: str | None = None          # name in qelib1.inc, None if not there
    qasm3: str | None = None          # name in stdgates.inc, None if not there
    aliases: tuple[str, ...] = ()
    diagonal: bool = False
    clifford: bool = False

    @property
    def num_params(self) -> int:
        return len(self.params)

    def matrix(self, *params: float) -> np.ndarray:
        """The unitary as a complex128 array of shape (2**k, 2**k)."""
        if len(params) != len(self.params):
            raise CircuitError(f"gate {self.name} takes {self.num_params} parameters, "
                               f"got {len(params)}")
        return self.matrix_fn(*map(float, params))

    @property
    def entries_fn(self) -> Callable[..., tuple] | None:
        """The matrix as its entries, row-major, in a tuple of Python numbers, for the
        gates defined that way (the parameterised one-qubit gates and a few others), else
        None."""
        return getattr(self.matrix_fn, "entries", None)

    def base_params(self, params: Sequence) -> tuple:
        """Parameters of the ``base`` gate of a controlled gate (the same ones)."""
        return tuple(params)


# -- matrix helpers -------------------------------------------------------------------------

def _m(rows) -> np.ndarray:
    return np.array(rows, dtype=np.complex128)


def controlled(base: np.ndarray, num_ctrl: int) -> np.ndarray:
    """Matrix of ``base`` controlled on ``num_ctrl`` qubits placed first (lowest bits)."""
    dim_t = base.shape[0]
    dim_c = 1 << num_ctrl
    out = np.eye(dim_c * dim_t, dtype=np.complex128)
    idx = np.arange(dim_t) * dim_c + (dim_c - 1)
    out[np.ix_(idx, idx)] = base
    return out


class _Entries:
    """A matrix function defined by the entries of its matrix, row-major, as a tuple of
    Python numbers: calling it gives the complex128 array; ``entries(*params)`` gives the
    numbers themselves, which is what a caller packing many small matrices into one array
    wants (the small-circuit simulator: building an array per gate would cost more than
    simulating the gate)."""

    __slots__ = ("entries",)

    def __init__(self, entries: Callable[..., tuple]) -> None:
        self.entries = entries

    def __call__(self, *params: float) -> np.ndarray:
        flat = self.entries(*params)
        dim = math.isqrt(len(flat))
        return np.array(flat, dtype=np.complex128).reshape(dim, dim)


@_Entries
def _u(theta: float, phi: float, lam: float) -> tuple:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return (c, -cmath.exp(1j * lam) * s,
            cmath.exp(1j * phi) * s, cmath.exp(1j * (phi + lam)) * c)


@_Entries
def _u2(phi: float, lam: float) -> tuple:
    return _u.entries(PI / 2, phi, lam)


@_Entries
def _rx(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return (c, -1j * s, -1j * s, c)


@_Entries
def _ry(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return (c, -s, s, c)


@_Entries
def _rz(t):
    return (cmath.exp(-0.5j * t), 0, 0, cmath.exp(0.5j * t))


@_Entries
def _p(lam):
    return (1, 0, 0, cmath.exp(1j * lam))


@_Entries
def _r(theta, phi):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return (c, -1j * cmath.exp(-1j * phi) * s, -1j * cmath.exp(1j * phi) * s, c)


_X = _m([[0, 1], [1, 0]])
_Y = _m([[0, -1j], [1j, 0]])
_Z = _m([[1, 0], [0, -1]])
_H = _m([[_SQ2, _SQ2], [_SQ2, -_SQ2]])
_S = _m([[1, 0], [0, 1j]])
_T = _m([[1, 0], [0, cmath.exp(0.25j * PI)]])
_SX = 0.5 * _m([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]])
_SWAP = _m([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]])


def _pauli_rotation(pauli_hi: np.ndarray, pauli_lo: np.ndarray, theta: float) -> np.ndarray:
    """exp(-i θ/2 P_hi ⊗ P_lo), with P_lo on the first (least significant) qubit."""
    pp = np.kron(pauli_hi, pauli_lo)
    return math.cos(theta / 2) * np.eye(4, dtype=np.complex128) - 1j * math.sin(theta / 2) * pp


@_Entries
def _xx_plus_yy(theta, beta):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return (1, 0, 0, 0,
            0, c, -1j * s * cmath.exp(-1j * beta), 0,
            0, -1j * s * cmath.exp(1j * beta), c, 0,
            0, 0, 0, 1)


@_Entries
def _xx_minus_yy(theta, beta):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return (c, 0, 0, -1j * s * cmath.exp(-1j * beta),
            0, 1, 0, 0,
            0, 0, 1, 0,
            -1j * s * cmath.exp(1j * beta), 0, 0, c)


def _ecr():
    return _SQ2 * _m([[0, 1, 0, 1j], [1, 0, -1j, 0], [0, 1j, 0, 1], [-1j, 0, 1, 0]])


@_Entries
def _sigma(phase: float) -> tuple:
    """cos(2πφ) X + sin(2πφ) Y: the equatorial Pauli axis at ``phase`` turns (IonQ)."""
    e = cmath.exp(2j * PI * phase)
    return (0, e.conjugate(), e, 0)


def _gpi2(phase: float) -> np.ndarray:
    return _SQ2 * (np.eye(2, dtype=np.complex128) - 1j * _sigma(phase))


def _ms(phi0: float, phi1: float, theta: float) -> np.ndarray:
    """exp(-i πθ σ(φ0) ⊗ σ(φ1)), σ(φ0) on the first (least significant) qubit; turns."""
    pp = np.kron(_sigma(phi1), _sigma(phi0))
    return math.cos(PI * theta) * np.eye(4, dtype=np.complex128) - \
        1j * math.sin(PI * theta) * pp


def _from_definition(name: str) -> Callable[..., np.ndarray]:
    """Matrix computed as the exact product of a gate's definition (for gates that are
    defined by their circuit, such as the relative-phase Toffolis)."""
    def build(*params):
        gate = GATES[name]
        dim = 1 << gate.num_qubits
        total = np.eye(dim, dtype=np.complex128)
        for step_name, step_params, step_qubits in gate.definition(*params):
            step = GATES[step_name].matrix(*step_params)
            total = embed(step, step_qubits, gate.num_qubits) @ total
        return total
    return build


def embed(matrix: np.ndarray, qubits: Sequence[int], num_qubits: int) -> np.ndarray:
    """Full 2**n matrix of ``matrix`` acting on ``qubits`` (little-endian) of n qubits."""
    k = len(qubits)
    tensor = matrix.reshape((2,) * (2 * k))
    full = np.eye(1 << num_qubits, dtype=np.complex128).reshape((2,) * (2 * num_qubits))
    # axes of the full operator's output indices: qubit q is axis num_qubits-1-q
    out_axes = [num_qubits - 1 - q for q in reversed(qubits)]
    moved = np.tensordot(tensor, full, axes=(list(range(k, 2 * k)), out_axes))
    moved = np.moveaxis(moved, list(range(k)), out_axes)
    return moved.reshape(1 << num_qubits, 1 << num_qubits)


# -- inverse helpers ------------------------------------------------------------------------

def _negate(name):
    return lambda *p: (name, tuple(-x for x in p))


def _named(name):
    return lambda *p: (name, ())


# -- the table ------------------------------------------------------------------------------

def _defs() -> list[GateDef]:
    d: list[GateDef] = []

    def add(name, nq, params, matrix_fn, doc, inverse="self", **kw):
        if inverse == "self":
            inverse = (lambda n: (lambda *p: (n, tuple(p))))(name)
        d.append(GateDef(name, nq, tuple(params), matrix_fn, doc, inverse, **kw))

    # one-qubit, fixed
    add("id", 1, (), lambda: np.eye(2, dtype=np.complex128), "Identity (idle).",
        qasm2="id", qasm3="id", aliases=("i",), diagonal=True, clifford=True)
    add("x", 1, (), lambda: _X.copy(), "Pauli X (bit flip).", qasm2="x", qasm3="x",
        clifford=True)
    add("y", 1, (), lambda: _Y.copy(), "Pauli Y.", qasm2="y", qasm3="y", clifford=True)
    add("z", 1, (), lambda: _Z.copy(), "Pauli Z (phase flip).", qasm2="z", qasm3="z",
        diagonal=True, clifford=True)
    add("h", 1, (), lambda: _H.copy(), "Hadamard.", qasm2="h", qasm3="h", clifford=True)
    add("s", 1, (), lambda: _S.copy(), "S = sqrt(Z).", inverse=_named("sdg"), qasm2="s",
        qasm3="s", diagonal=True, clifford=True)
    add("sdg", 1, (), lambda: _S.conj().T, "S dagger.", inverse=_named("s"), qasm2="sdg",
        qasm3="sdg", diagonal=True, clifford=True)
    add("t", 1, (), lambda: _T.copy(), "T = sqrt(S).", inverse=_named("tdg"), qasm2="t",
        qasm3="t", diagonal=True)
    add("tdg", 1, (), lambda: _T.conj().T, "T dagger.", inverse=_named("t"), qasm2="tdg",
        qasm3="tdg", diagonal=True)
    add("sx", 1, (), lambda: _SX.copy(), "sqrt(X).", inverse=_named("sxdg"), qasm2="sx",
        qasm3="sx", clifford=True)
    add("sxdg", 1, (), lambda: _SX.conj().T, "sqrt(X) dagger.", inverse=_named("sx"),
        qasm2="sxdg", clifford=True)
    # one-qubit, parameterised
    add("rx", 1, ("theta",), _rx, "Rotation exp(-i θ/2 X).", inverse=_negate("rx"),
        qasm2="rx", qasm3="rx")
    add("ry", 1, ("theta",), _ry, "Rotation exp(-i θ/2 Y).", inverse=_negate("ry"),
        qasm2="ry", qasm3="ry")
    add("rz", 1, ("phi",), _rz, "Rotation exp(-i φ/2 Z).", inverse=_negate("rz"),
        qasm2="rz", qasm3="rz", diagonal=True)
    add("p", 1, ("lambda",), _p, "Phase gate diag(1, e^{iλ}).", inverse=_negate("p"),
        qasm2="p", qasm3="p", aliases=("phase",), diagonal=True)
    add("u1", 1, ("lambda",), _p, "Phase gate diag(1, e^{iλ}) (legacy name of p).",
        inverse=_negate("u1"), qasm2="u1", qasm3="u1", diagonal=True)
    add("u2", 1, ("phi", "lambda"), _u2,
        "U(π/2, φ, λ).", inverse=lambda phi, lam: ("u3", (-PI / 2, -lam, -phi)),
        qasm2="u2", qasm3="u2")
    add("u3", 1, ("theta", "phi", "lambda"), _u, "Generic rotation U(θ, φ, λ).",
        inverse=lambda t, phi, lam: ("u3", (-t, -lam, -phi)), qasm2="u3", qasm3="u3")
    add("u", 1, ("theta", "phi", "lambda"), _u, "Generic rotation U(θ, φ, λ) (OpenQASM 3 U).",
        inverse=lambda t, phi, lam: ("u", (-t, -lam, -phi)), qasm2="u", qasm3="U",
        aliases=("U",))
    add("u0", 1, ("gamma",), lambda g: np.eye(2, dtype=np.complex128),
        "Idle for γ single-qubit gate lengths (identity).", qasm2="u0", diagonal=True)
    add("r", 1, ("theta", "phi"), _r, "Rotation by θ about cos φ X + sin φ Y.",
        inverse=lambda t, phi: ("r", (-t, phi)),
        definition=lambda t, phi: [("u3", (t, phi - PI / 2, -phi + PI / 2), (0,))])

    # two-qubit controlled
    add("cx", 2, (), lambda: controlled(_X, 1), "Controlled X (CNOT).", qasm2="cx",
        qasm3="cx", aliases=("CX", "cnot"), controls=1, base="x", clifford=True)
    add("cy", 2, (), lambda: controlled(_Y, 1), "Controlled Y.", qasm2="cy", qasm3="cy",
        controls=1, base="y", clifford=True)
    add("cz", 2, (), lambda: controlled(_Z, 1), "Controlled Z.", qasm2="cz", qasm3="cz",
        controls=1, base="z", diagonal=True, clifford=True)
    add("ch", 2, (), lambda: controlled(_H, 1), "Controlled Hadamard.", qasm2="ch",
        qasm3="ch", controls=1, base="h")
    add("cs", 2, (), lambda: controlled(_S, 1), "Controlled S.", inverse=_named("csdg"),
        controls=1, base="s", diagonal=True,
        definition=lambda: [("cp", (PI / 2,), (0, 1))])
    add("csdg", 2, (), lambda: controlled(_S.conj().T, 1), "Controlled S dagger.",
        inverse=_named("cs"), controls=1, base="sdg", diagonal=True,
        definition=lambda: [("cp", (-PI / 2,), (0, 1))])
    add("csx", 2, (), lambda: controlled(_SX, 1), "Controlled sqrt(X).", inverse=None,
        qasm2="csx", controls=1, base="sx",
        definition=lambda: [("h", (), (1,)), ("cp", (PI / 2,), (0, 1)), ("h", (), (1,))])
    add("crx", 2, ("theta",), lambda t: controlled(_rx(t), 1), "Controlled RX.",
        inverse=_negate("crx"), qasm2="crx", qasm3="crx", controls=1, base="rx")
    add("cry", 2, ("theta",), lambda t: controlled(_ry(t), 1), "Controlled RY.",
        inverse=_negate("cry"), qasm2="cry", qasm3="cry", controls=1, base="ry")
    add("crz", 2, ("theta",), lambda t: controlled(_rz(t), 1), "Controlled RZ.",
        inverse=_negate("crz"), qasm2="crz", qasm3="crz", controls=1, base="rz",
        diagonal=True)
    add("cp", 2, ("lambda",), lambda lam: controlled(_p(lam), 1), "Controlled phase.",
        inverse=_negate("cp"), qasm2="cp", qasm3="cp", aliases=("cphase",), controls=1,
        base="p", diagonal=True)
    add("cu1", 2, ("lambda",), lambda lam: controlled(_p(lam), 1),
        "Controlled phase (legacy name of cp).", inverse=_negate("cu1"), qasm2="cu1",
        qasm3=None, controls=1, base="u1", diagonal=True)
    add("cu3", 2, ("theta", "phi", "lambda"), lambda t, phi, lam: controlled(_u(t, phi, lam), 1),
        "Controlled U3 (no global phase).", inverse=lambda t, phi, lam: ("cu3", (-t, -lam, -phi)),
        qasm2="cu3", controls=1, base="u3")
    add("cu", 2, ("theta", "phi", "lambda", "gamma"),
        lambda t, phi, lam, g: controlled(cmath.exp(1j * g) * _u(t, phi, lam), 1),
        "Controlled e^{iγ} U(θ, φ, λ).",
        inverse=lambda t, phi, lam, g: ("cu", (-t, -lam, -phi, -g)), qasm2="cu", qasm3="cu")
    # two-qubit others
    add("swap", 2, (), lambda: _SWAP.copy(), "Swap.", qasm2="swap", qasm3="swap",
        clifford=True)
    add("iswap", 2, (), lambda: _m([[1, 0, 0, 0], [0, 0, 1j, 0], [0, 1j, 0, 0], [0, 0, 0, 1]]),
        "iSWAP: swap with phase i on |01> and |10>.", inverse=None, clifford=True,
        definition=lambda: [("s", (), (0,)), ("s", (), (1,)), ("h", (), (0,)),
                            ("cx", (), (0, 1)), ("cx", (), (1, 0)), ("h", (), (1,))])
    add("dcx", 2, (), lambda: _SWAP @ controlled(_X, 1) @ _SWAP @ controlled(_X, 1),
        "Double CNOT: cx(a, b) then cx(b, a).", inverse=None, clifford=True,
        definition=lambda: [("cx", (), (0, 1)), ("cx", (), (1, 0))])
    add("ecr", 2, (), _ecr, "Echoed cross-resonance (IBM native).", clifford=True,
        definition=lambda: [("rzx", (PI / 4,), (0, 1)), ("x", (), (0,)),
                            ("rzx", (-PI / 4,), (0, 1))])
    # IonQ native gates: angles in turns (1 turn = 2π), as IonQ's API writes them
    # (docs.ionq.com, "native gates"; the operators as in qiskit-ionq's ionq_gates.py)
    add("gpi", 1, ("phi",), _sigma,
        "IonQ GPI(φ): π rotation about cos(2πφ) X + sin(2πφ) Y (φ in turns).",
        definition=lambda phi: [("rz", (-2 * PI * phi,), (0,)), ("x", (), (0,)),
                                ("rz", (2 * PI * phi,), (0,))])
    add("gpi2", 1, ("phi",), _gpi2,
        "IonQ GPI2(φ): π/2 rotation about cos(2πφ) X + sin(2πφ) Y (φ in turns).",
        inverse=lambda phi: ("gpi2", (phi + 0.5,)),
        definition=lambda phi: [("rz", (-2 * PI * phi,), (0,)), ("rx", (PI / 2,), (0,)),
                                ("rz", (2 * PI * phi,), (0,))])
    add("ms", 2, ("phi0", "phi1", "theta"), _ms,
        "IonQ Mølmer-Sørensen exp(-i πθ σ(φ0)⊗σ(φ1)) (turns; θ = 0.25 fully entangling).",
        inverse=lambda p0, p1, t: ("ms", (p0, p1, -t)),
        definition=lambda p0, p1, t: [
            ("rz", (-2 * PI * p0,), (0,)), ("rz", (-2 * PI * p1,), (1,)),
            ("rxx", (2 * PI * t,), (0, 1)),
            ("rz", (2 * PI * p0,), (0,)), ("rz", (2 * PI * p1,), (1,))])
    add("zz", 2, ("theta",), lambda t: _pauli_rotation(_Z, _Z, 2 * PI * t),
        "IonQ ZZ(θ) = exp(-i πθ Z⊗Z) = RZZ(2πθ) (θ in turns).", inverse=_negate("zz"),
        diagonal=True, definition=lambda t: [("rzz", (2 * PI * t,), (0, 1))])
    add("rxx", 2, ("theta",), lambda t: _pauli_rotation(_X, _X, t), "exp(-i θ/2 X⊗X).",
        inverse=_negate("rxx"), qasm2="rxx")
    add("ryy", 2, ("theta",), lambda t: _pauli_rotation(_Y, _Y, t), "exp(-i θ/2 Y⊗Y).",
        inverse=_negate("ryy"),
        definition=lambda t: [("rx", (PI / 2,), (0,)), ("rx", (PI / 2,), (1,)),
                              ("cx", (), (0, 1)), ("rz", (t,), (1,)), ("cx", (), (0, 1)),
                              ("rx", (-PI / 2,), (0,)), ("rx", (-PI / 2,), (1,))])
    add("rzz", 2, ("theta",), lambda t: _pauli_rotation(_Z, _Z, t), "exp(-i θ/2 Z⊗Z).",
        inverse=_negate("rzz"), qasm2="rzz", diagonal=True)
    add("rzx", 2, ("theta",), lambda t: _pauli_rotation(_X, _Z, t),
        "exp(-i θ/2 Z⊗X): Z on the first qubit, X on the second.", inverse=_negate("rzx"),
        definition=lambda t: [("h", (), (1,)), ("cx", (), (0, 1)), ("rz", (t,), (1,)),
                              ("cx", (), (0, 1)), ("h", (), (1,))])
    add("xx_plus_yy", 2, ("theta", "beta"), _xx_plus_yy,
        "exp(-i θ/4 (XX+YY)) conjugated by RZ(β) on the first qubit.",
        inverse=lambda t, b: ("xx_plus_yy", (-t, b)),
        definition=lambda t, b: [("rz", (b,), (0,)), ("rxx", (t / 2,), (0, 1)),
                                 ("ryy", (t / 2,), (0, 1)), ("rz", (-b,), (0,))])
    add("xx_minus_yy", 2, ("theta", "beta"), _xx_minus_yy,
        "exp(-i θ/4 (XX-YY)) conjugated by RZ(β) on the second qubit.",
        inverse=lambda t, b: ("xx_minus_yy", (-t, b)),
        definition=lambda t, b: [("rz", (-b,), (1,)), ("rxx", (t / 2,), (0, 1)),
                                 ("ryy", (-t / 2,), (0, 1)), ("rz", (b,), (1,))])

    # three or more qubits
    add("ccx", 3, (), lambda: controlled(_X, 2), "Toffoli (doubly controlled X).",
        qasm2="ccx", qasm3="ccx", aliases=("toffoli",), controls=2, base="x")
    add("ccz", 3, (), lambda: controlled(_Z, 2), "Doubly controlled Z.", controls=2,
        base="z", diagonal=True,
        definition=lambda: [("h", (), (2,)), ("ccx", (), (0, 1, 2)), ("h", (), (2,))])
    add("cswap", 3, (), lambda: controlled(_SWAP, 1), "Controlled swap (Fredkin).",
        qasm2="cswap", qasm3="cswap", aliases=("fredkin",), controls=1, base="swap")
    add("rccx", 3, (), _from_definition("rccx"), "Toffoli up to relative phases (Margolus).",
        qasm2="rccx",
        definition=lambda: [("u2", (0.0, PI), (2,)), ("u1", (PI / 4,), (2,)),
                            ("cx", (), (1, 2)), ("u1", (-PI / 4,), (2,)),
                            ("cx", (), (0, 2)), ("u1", (PI / 4,), (2,)),
                            ("cx", (), (1, 2)), ("u1", (-PI / 4,), (2,)),
                            ("u2", (0.0, PI), (2,))])
    add("c3x", 4, (), lambda: controlled(_X, 3), "Triply controlled X.", qasm2="c3x",
        aliases=("cccx",), controls=3, base="x")
    add("c3sx", 4, (), lambda: controlled(_SX, 3), "Triply controlled sqrt(X).",
        inverse=None, qasm2="c3sqrtx", aliases=("c3sqrtx", "cccsqrtx"), controls=3, base="sx",
        definition=_c3sx_definition)
    add("rc3x", 4, (), _from_definition("rc3x"), "Triply controlled X up to relative phases.",
        inverse=None, qasm2="rc3x", aliases=("rcccx",), definition=_rc3x_definition)
    add("c4x", 5, (), lambda: controlled(_X, 4), "Quadruply controlled X.", qasm2="c4x",
        aliases=("ccccx",), controls=4, base="x")
    return d


def _c3sx_definition() -> list[Step]:
    """Three-control sqrt(X) from controlled phases of ±π/8 (Barenco et al. 1995, Lemma 7.1)."""
    steps: list[Step] = []

    def cp_h(lam, c):
        steps.extend([("h", (), (3,)), ("cp", (lam,), (c, 3)), ("h", (), (3,))])

    a, b, c = 0, 1, 2
    cp_h(PI / 8, a)
    steps.append(("cx", (), (a, b)))
    cp_h(-PI / 8, b)
    steps.append(("cx", (), (a, b)))
    cp_h(PI / 8, b)
    steps.append(("cx", (), (b, c)))
    cp_h(-PI / 8, c)
    steps.append(("cx", (), (a, c)))
    cp_h(PI / 8, c)
    steps.append(("cx", (), (b, c)))
    cp_h(-PI / 8, c)
    steps.append(("cx", (), (a, c)))
    cp_h(PI / 8, c)
    return steps


def _rc3x_definition() -> list[Step]:
    """Relative-phase triply controlled X (Maslov 2016), the circuit of qelib1.inc."""
    h = lambda: ("u2", (0.0, PI), (3,))           # noqa: E731
    t = lambda s: ("u1", (s * PI / 4,), (3,))      # noqa: E731
    cx = lambda c: ("cx", (), (c, 3))             # noqa: E731
    return [h(), t(1), cx(2), t(-1), h(), cx(0), t(1), cx(1), t(-1), cx(0), t(1), cx(1),
            t(-1), h(), t(1), cx(2), t(-1), h()]


GATES: dict[str, GateDef] = {}
ALIASES: dict[str, str] = {}
for _g in _defs():
    GATES[_g.name] = _g
for _g in GATES.values():
    for _a in _g.aliases:
        ALIASES[_a] = _g.name


def lookup(name: str) -> GateDef:
    """The definition of gate ``name`` (aliases accepted); CircuitError if unknown."""
    gate = GATES.get(name)
    if gate is None:
        canonical = ALIASES.get(name)
        if canonical is None:
            raise CircuitError(f"unknown gate {name!r}")
        gate = GATES[canonical]
    return gate


def inverse_steps(name: str, params: Sequence) -> list[Step]:
    """The inverse of gate ``name`` as steps on its own qubits (0..k-1)."""
    gate = lookup(name)
    if gate.inverse is not None:
        inv_name, inv_params = gate.inverse(*params)
        return [(inv_name, tuple(inv_params), tuple(range(gate.num_qubits)))]
    if gate.definition is None:  # pragma: no cover - every gate has one or the other
        raise CircuitError(f"gate {name} has no inverse")
    steps: list[Step] = []
    for step_name, step_params, step_qubits in reversed(gate.definition(*params)):
        for inv_name, inv_params, inv_qubits in inverse_steps(step_name, step_params):
            steps.append((inv_name, inv_params, tuple(step_qubits[q] for q in inv_qubits)))
    return steps
