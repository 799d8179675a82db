"""Every gate of the table against an independent textbook definition.

The reference matrices below are typed in from Nielsen & Chuang and from Qiskit's
documented matrices (little-endian: the first qubit argument is the least significant bit
of the row/column index). They are built from scratch here, with ``np.kron`` and explicit
entries, and never from qvalley's own helpers, so a slip in ``gates.py`` cannot hide.

``test_textbook_covers_the_table`` makes a new gate without a textbook entry fail.
"""
from __future__ import annotations

import cmath
import itertools
import math

import numpy as np
import pytest

from qvalley import CircuitError
from qvalley.circuit.gates import ALIASES, GATES, inverse_steps, lookup

ATOL = 1e-12
SEED = 20240611

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
H = np.array([[1, 1], [1, -1]], dtype=complex) / math.sqrt(2)
S = np.array([[1, 0], [0, 1j]], dtype=complex)
T = np.array([[1, 0], [0, (1 + 1j) / math.sqrt(2)]], dtype=complex)
SX = np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]], dtype=complex) / 2
P0 = np.array([[1, 0], [0, 0]], dtype=complex)   # |0><0|
P1 = np.array([[0, 0], [0, 1]], dtype=complex)   # |1><1|
# SWAP on two qubits, written out (it is the same in either endianness)
SWAP = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=complex)


def e(x: float) -> complex:
    return cmath.exp(1j * x)


def kron(*ms):
    """Kronecker product; the LAST factor acts on qubit 0 (little-endian)."""
    out = np.eye(1, dtype=complex)
    for m in ms:
        out = np.kron(out, m)
    return out


def ctrl(u: np.ndarray, num_ctrl: int) -> np.ndarray:
    """Textbook controlled-U: controls are qubits 0..num_ctrl-1 (the low bits), U acts on
    the qubits above them: |1..1><1..1|_c (x) U + (I - |1..1><1..1|_c) (x) I."""
    dim_c = 2 ** num_ctrl
    proj = np.zeros((dim_c, dim_c), dtype=complex)
    proj[-1, -1] = 1
    return kron(u, proj) + kron(np.eye(u.shape[0]), np.eye(dim_c) - proj)


def U(theta, phi, lam):
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return np.array([[c, -e(lam) * s], [e(phi) * s, e(phi + lam) * c]])


def RX(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -1j * s], [-1j * s, c]])


def RY(t):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, -s], [s, c]], dtype=complex)


def RZ(t):
    return np.array([[e(-t / 2), 0], [0, e(t / 2)]])


def P(lam):
    return np.array([[1, 0], [0, e(lam)]])


def two_qubit_rotation(t, kind):
    c, s = math.cos(t / 2), math.sin(t / 2)
    if kind == "xx":   # Qiskit RXXGate
        return np.array([[c, 0, 0, -1j * s], [0, c, -1j * s, 0],
                         [0, -1j * s, c, 0], [-1j * s, 0, 0, c]])
    if kind == "yy":   # Qiskit RYYGate
        return np.array([[c, 0, 0, 1j * s], [0, c, -1j * s, 0],
                         [0, -1j * s, c, 0], [1j * s, 0, 0, c]])
    if kind == "zz":   # Qiskit RZZGate
        return np.diag([e(-t / 2), e(t / 2), e(t / 2), e(-t / 2)])
    if kind == "zx":   # Qiskit RZXGate: Z on qubit 0, X on qubit 1
        return np.array([[c, 0, -1j * s, 0], [0, c, 0, 1j * s],
                         [-1j * s, 0, c, 0], [0, 1j * s, 0, c]])
    raise AssertionError(kind)


def xx_plus_yy(t, b):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[1, 0, 0, 0], [0, c, -1j * s * e(-b), 0],
                     [0, -1j * s * e(b), c, 0], [0, 0, 0, 1]])


def xx_minus_yy(t, b):
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[c, 0, 0, -1j * s * e(-b)], [0, 1, 0, 0],
                     [0, 0, 1, 0], [-1j * s * e(b), 0, 0, c]])


def cu(t, phi, lam, g):
    """Qiskit CUGate, control = qubit 0, written entry by entry."""
    c, s = math.cos(t / 2), math.sin(t / 2)
    return np.array([[1, 0, 0, 0],
                     [0, e(g) * c, 0, -e(g + lam) * s],
                     [0, 0, 1, 0],
                     [0, e(g + phi) * s, 0, e(g + phi + lam) * c]])


def sparse(dim, entries):
    """Identity of size ``dim`` with the listed (row, col): value entries overriding it;
    a row named in ``entries`` is cleared first."""
    m = np.eye(dim, dtype=complex)
    for (r, _c) in entries:
        m[r, :] = 0
    for (r, c), v in entries.items():
        m[r, c] = v
    return m


# Margolus relative-phase Toffoli (Qiskit RCCXGate): |011> -> i|111>, |111> -> -i|011>,
# |101> -> -|101>  (index bits: q2 q1 q0).
RCCX = sparse(8, {(3, 7): -1j, (7, 3): 1j, (5, 5): -1})
# Maslov's relative-phase 3-controlled X (Qiskit RC3XGate), bits q3 q2 q1 q0.
RC3X = sparse(16, {(3, 3): 1j, (11, 11): -1j, (7, 15): 1, (15, 7): -1})
ECR = np.array([[0, 1, 0, 1j], [1, 0, -1j, 0], [0, 1j, 0, 1], [-1j, 0, 1, 0]]) / math.sqrt(2)
ISWAP = np.array([[1, 0, 0, 0], [0, 0, 1j, 0], [0, 1j, 0, 0], [0, 0, 0, 1]])
DCX = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=complex)

def ionq_ms(phi0, phi1, theta):
    """IonQ's MS matrix as its documentation writes it (big-endian: the first target is
    the left tensor factor), turned little-endian."""
    c, s = math.cos(math.pi * theta), math.sin(math.pi * theta)
    big = np.array([[c, 0, 0, -1j * s * e(-2 * math.pi * (phi0 + phi1))],
                    [0, c, -1j * s * e(-2 * math.pi * (phi0 - phi1)), 0],
                    [0, -1j * s * e(2 * math.pi * (phi0 - phi1)), c, 0],
                    [-1j * s * e(2 * math.pi * (phi0 + phi1)), 0, 0, c]])
    return SWAP @ big @ SWAP


TEXTBOOK = {
    "id": lambda: I2,
    "x": lambda: X,
    "y": lambda: Y,
    "z": lambda: Z,
    "h": lambda: H,
    "s": lambda: S,
    "sdg": lambda: np.diag([1, -1j]),
    "t": lambda: T,
    "tdg": lambda: np.diag([1, (1 - 1j) / math.sqrt(2)]),
    "sx": lambda: SX,
    "sxdg": lambda: np.array([[1 - 1j, 1 + 1j], [1 + 1j, 1 - 1j]]) / 2,
    "rx": RX,
    "ry": RY,
    "rz": RZ,
    "p": P,
    "u1": P,
    "u2": lambda phi, lam: np.array([[1, -e(lam)], [e(phi), e(phi + lam)]]) / math.sqrt(2),
    "u3": U,
    "u": U,
    "u0": lambda g: I2,
    "r": lambda t, phi: np.array(
        [[math.cos(t / 2), -1j * e(-phi) * math.sin(t / 2)],
         [-1j * e(phi) * math.sin(t / 2), math.cos(t / 2)]]),
    "cx": lambda: np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]]),
    "cy": lambda: np.array([[1, 0, 0, 0], [0, 0, 0, -1j], [0, 0, 1, 0], [0, 1j, 0, 0]]),
    "cz": lambda: np.diag([1, 1, 1, -1]),
    "ch": lambda: ctrl(H, 1),
    "cs": lambda: np.diag([1, 1, 1, 1j]),
    "csdg": lambda: np.diag([1, 1, 1, -1j]),
    "csx": lambda: ctrl(SX, 1),
    "crx": lambda t: ctrl(RX(t), 1),
    "cry": lambda t: ctrl(RY(t), 1),
    "crz": lambda t: np.diag([1, e(-t / 2), 1, e(t / 2)]),
    "cp": lambda lam: np.diag([1, 1, 1, e(lam)]),
    "cu1": lambda lam: np.diag([1, 1, 1, e(lam)]),
    "cu3": lambda t, phi, lam: ctrl(U(t, phi, lam), 1),
    "cu": cu,
    "swap": lambda: SWAP,
    "iswap": lambda: ISWAP,
    "dcx": lambda: DCX,
    "ecr": lambda: ECR,
    # IonQ native gates, turns (docs.ionq.com native gates guide)
    "gpi": lambda phi: np.array([[0, e(-2 * math.pi * phi)], [e(2 * math.pi * phi), 0]]),
    "gpi2": lambda phi: np.array([[1, -1j * e(-2 * math.pi * phi)],
                                  [-1j * e(2 * math.pi * phi), 1]]) / math.sqrt(2),
    "ms": ionq_ms,
    "zz": lambda t: np.diag([e(-math.pi * t), e(math.pi * t), e(math.pi * t),
                             e(-math.pi * t)]),
    "rxx": lambda t: two_qubit_rotation(t, "xx"),
    "ryy": lambda t: two_qubit_rotation(t, "yy"),
    "rzz": lambda t: two_qubit_rotation(t, "zz"),
    "rzx": lambda t: two_qubit_rotation(t, "zx"),
    "xx_plus_yy": xx_plus_yy,
    "xx_minus_yy": xx_minus_yy,
    "ccx": lambda: ctrl(X, 2),
    "ccz": lambda: np.diag([1, 1, 1, 1, 1, 1, 1, -1]),
    "cswap": lambda: ctrl(SWAP, 1),
    "rccx": lambda: RCCX,
    "c3x": lambda: ctrl(X, 3),
    "c3sx": lambda: ctrl(SX, 3),
    "rc3x": lambda: RC3X,
    "c4x": lambda: ctrl(X, 4),
}

# Number of qubits and of parameters each gate must have (Qiskit / OpenQASM signatures).
SIGNATURE = {name: (int(round(math.log2(np.asarray(
    fn(*([0.3] * fn.__code__.co_argcount))).shape[0]))), fn.__code__.co_argcount)
    for name, fn in TEXTBOOK.items()}

# Gate names of qelib1.inc (OpenQASM 2, as shipped by Qiskit) and of OpenQASM 3's
# stdgates.inc (plus the built-in U).
QELIB1 = {"u3", "u2", "u1", "cx", "id", "u0", "u", "p", "x", "y", "z", "h", "s", "sdg",
          "t", "tdg", "rx", "ry", "rz", "sx", "sxdg", "cz", "cy", "swap", "ch", "ccx",
          "cswap", "crx", "cry", "crz", "cu1", "cp", "cu3", "csx", "cu", "rxx", "rzz",
          "rccx", "rc3x", "c3x", "c3sqrtx", "c4x"}
STDGATES = {"p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry", "rz", "cx",
            "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap", "ccx", "cswap", "cu", "CX",
            "phase", "cphase", "id", "u1", "u2", "u3", "U"}

ALL = sorted(GATES)


def random_params(rng, k, count=4):
    """Several parameter tuples: generic random angles (including large ones) and a few
    special values."""
    out = [tuple(rng.uniform(-2 * math.pi, 2 * math.pi, k)) for _ in range(count)]
    if k:
        out.append(tuple(rng.uniform(-40, 40, k)))
        out.append((0.0,) * k)
        out.append((math.pi,) * k)
    else:
        out = [()]
    return out


def params_for(name):
    rng = np.random.default_rng([SEED, ALL.index(name)])
    return random_params(rng, GATES[name].num_params)


def embed(m, qubits, n):
    """Full matrix on n qubits (independent of qvalley): permute the kron ordering."""
    k = len(qubits)
    rest = [q for q in range(n) if q not in qubits]
    # big = m (x) I_rest, with m's qubits as the low bits: bit j of big's index is qubit
    # order[j] of the circuit
    order = list(qubits) + rest
    big = np.kron(np.eye(2 ** (n - k)), m)
    dim = 2 ** n
    perm = np.zeros(dim, dtype=int)   # perm[circuit index] = big index
    for idx in range(dim):
        b = 0
        for j, q in enumerate(order):
            b |= ((idx >> q) & 1) << j
        perm[idx] = b
    return big[np.ix_(perm, perm)]


def product(steps, n):
    total = np.eye(2 ** n, dtype=complex)
    for name, params, qubits in steps:
        total = embed(GATES[name].matrix(*params), qubits, n) @ total
    return total


# -- the table is covered -------------------------------------------------------------------

def test_textbook_covers_the_table():
    missing = set(GATES) - set(TEXTBOOK)
    extra = set(TEXTBOOK) - set(GATES)
    assert not missing, f"gates without a textbook definition in this test: {sorted(missing)}"
    assert not extra, f"textbook entries for gates the table lacks: {sorted(extra)}"


def test_embed_helper_is_little_endian():
    # the helper of this test itself: cx(0, 2) on 3 qubits flips bit 2 when bit 0 is set
    m = embed(TEXTBOOK["cx"](), [0, 2], 3)
    for idx in range(8):
        out = idx ^ 4 if idx & 1 else idx
        assert m[out, idx] == 1
    assert np.allclose(embed(X, [1], 2), np.kron(X, I2))


# -- each gate ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_signature(name):
    gate = GATES[name]
    assert gate.name == name
    assert (gate.num_qubits, gate.num_params) == SIGNATURE[name]
    assert len(gate.params) == gate.num_params


@pytest.mark.parametrize("name", ALL)
def test_matrix_matches_textbook(name):
    gate = GATES[name]
    for params in params_for(name):
        got = gate.matrix(*params)
        want = np.asarray(TEXTBOOK[name](*params), dtype=complex)
        assert got.dtype == np.complex128
        assert got.shape == (2 ** gate.num_qubits,) * 2
        np.testing.assert_allclose(got, want, rtol=0, atol=ATOL,
                                   err_msg=f"{name}{params}")


@pytest.mark.parametrize("name", ALL)
def test_matrix_is_unitary(name):
    gate = GATES[name]
    for params in params_for(name):
        m = gate.matrix(*params)
        np.testing.assert_allclose(m.conj().T @ m, np.eye(m.shape[0]), rtol=0, atol=ATOL)
        np.testing.assert_allclose(m @ m.conj().T, np.eye(m.shape[0]), rtol=0, atol=ATOL)


@pytest.mark.parametrize("name", ALL)
def test_inverse_steps_multiply_to_identity(name):
    gate = GATES[name]
    n = gate.num_qubits
    for params in params_for(name):
        steps = inverse_steps(name, params)
        for step_name, _, step_qubits in steps:
            assert step_name in GATES
            assert all(0 <= q < n for q in step_qubits)
        inv = product(steps, n)
        m = gate.matrix(*params)
        # exact inverse: phase included, so compare with the identity, not up to phase
        np.testing.assert_allclose(inv @ m, np.eye(2 ** n), rtol=0, atol=1e-11)
        np.testing.assert_allclose(m @ inv, np.eye(2 ** n), rtol=0, atol=1e-11)


@pytest.mark.parametrize("name", ALL)
def test_inverse_of_inverse_is_the_gate(name):
    gate = GATES[name]
    n = gate.num_qubits
    params = params_for(name)[0]
    # the inverse of a product of steps is the reversed product of their inverses
    inv = inverse_steps(name, params)
    twice = []
    for n1, p1, q1 in reversed(inv):
        twice += [(n2, p2, tuple(q1[q] for q in q2)) for n2, p2, q2 in inverse_steps(n1, p1)]
    np.testing.assert_allclose(product(twice, n), gate.matrix(*params), rtol=0, atol=1e-11)


DEFINED = [name for name in ALL if GATES[name].definition is not None]


def test_some_gates_have_definitions():
    # the gates whose inverse is not in the table must be defined by a circuit
    for name in ALL:
        gate = GATES[name]
        assert gate.inverse is not None or gate.definition is not None, name
    assert {"rccx", "rc3x", "c3sx", "iswap", "ecr", "csx"} <= set(DEFINED)


@pytest.mark.parametrize("name", DEFINED)
def test_definition_equals_matrix_exactly(name):
    gate = GATES[name]
    n = gate.num_qubits
    for params in params_for(name):
        steps = gate.definition(*params)
        assert steps, name
        for step_name, step_params, step_qubits in steps:
            step = GATES[step_name]
            assert step_name != name
            assert len(step_params) == step.num_params
            assert len(step_qubits) == step.num_qubits
            assert len(set(step_qubits)) == len(step_qubits)
            assert all(0 <= q < n for q in step_qubits)
        want = np.asarray(TEXTBOOK[name](*params), dtype=complex)
        np.testing.assert_allclose(product(steps, n), want, rtol=0, atol=1e-11,
                                   err_msg=f"{name}{params}: definition differs (phase "
                                           "included)")


@pytest.mark.parametrize("name", ALL)
def test_against_qiskit_operator(name, qiskit_gate):
    from qiskit.quantum_info import Operator

    gate = GATES[name]
    for params in params_for(name):
        want = Operator(qiskit_gate(name, params)).data
        np.testing.assert_allclose(gate.matrix(*params), want, rtol=0, atol=1e-11,
                                   err_msg=f"{name}{params} differs from Qiskit")


@pytest.mark.parametrize("name", ALL)
def test_controlled_gates_name_their_base(name):
    gate = GATES[name]
    if not gate.controls:
        assert gate.base is None
        return
    base = GATES[gate.base]
    assert base.num_qubits + gate.controls == gate.num_qubits
    assert base.num_params == gate.num_params
    for params in params_for(name):
        want = ctrl(np.asarray(TEXTBOOK[gate.base](*params), dtype=complex), gate.controls)
        np.testing.assert_allclose(gate.matrix(*params), want, rtol=0, atol=ATOL)


@pytest.mark.parametrize("name", ALL)
def test_diagonal_flag(name):
    gate = GATES[name]
    rng = np.random.default_rng(SEED)
    params = tuple(rng.uniform(0.1, 3.0, gate.num_params))
    m = gate.matrix(*params)
    is_diag = not np.any(np.abs(m - np.diag(np.diag(m))) > 1e-14)
    assert gate.diagonal == is_diag


def _paulis(n):
    for labels in itertools.product([I2, X, Y, Z], repeat=n):
        yield kron(*labels)


def _is_clifford(m):
    n = int(round(math.log2(m.shape[0])))
    paulis = list(_paulis(n))
    for q in range(n):
        for gen in (X, Z):
            image = m @ embed(gen, [q], n) @ m.conj().T
            if not any(abs(abs(np.vdot(p, image)) - 2 ** n) < 1e-9 for p in paulis):
                return False
    return True


@pytest.mark.parametrize("name", [n for n in ALL if GATES[n].num_qubits <= 3])
def test_clifford_flag(name):
    gate = GATES[name]
    if gate.num_params:
        assert not gate.clifford, f"{name} is parameterised, not Clifford for all angles"
        return
    assert gate.clifford == _is_clifford(gate.matrix()), name


def test_qasm_names():
    qasm2 = {g.qasm2 for g in GATES.values() if g.qasm2}
    assert qasm2 == QELIB1, (sorted(qasm2 - QELIB1), sorted(QELIB1 - qasm2))
    qasm3 = {g.qasm3 for g in GATES.values() if g.qasm3}
    assert qasm3 <= STDGATES, sorted(qasm3 - STDGATES)
    # every stdgates.inc gate is reachable by its name (directly or by alias)
    for name in STDGATES:
        lookup(name)
    for name in QELIB1:
        lookup(name)


def test_aliases():
    for alias, name in ALIASES.items():
        assert lookup(alias) is GATES[name]
        assert alias not in GATES
    for alias in ("cnot", "toffoli", "fredkin", "CX", "U", "phase", "cphase", "i",
                  "c3sqrtx", "cccx", "ccccx"):
        assert alias in ALIASES
    assert lookup("cnot").name == "cx"
    assert lookup("toffoli").name == "ccx"
    assert lookup("U").name == "u"


def test_unknown_gate_and_wrong_parameter_count():
    with pytest.raises(CircuitError, match="unknown gate 'nope'"):
        lookup("nope")
    with pytest.raises(CircuitError, match="rx takes 1 parameters, got 2"):
        GATES["rx"].matrix(0.1, 0.2)
    with pytest.raises(CircuitError, match="x takes 0 parameters, got 1"):
        GATES["x"].matrix(0.1)


def test_matrix_is_a_fresh_copy():
    # mutating a returned matrix must not corrupt the table
    for name in ("x", "h", "s", "swap", "cx"):
        m = GATES[name].matrix()
        m[...] = 7
        np.testing.assert_allclose(GATES[name].matrix(), TEXTBOOK[name](), atol=ATOL)


@pytest.mark.parametrize("pair", [("p", "u1"), ("u3", "u"), ("cp", "cu1")])
def test_legacy_names_agree(pair):
    a, b = pair
    rng = np.random.default_rng(SEED)
    for _ in range(3):
        params = tuple(rng.uniform(-7, 7, GATES[a].num_params))
        np.testing.assert_allclose(GATES[a].matrix(*params), GATES[b].matrix(*params),
                                   atol=ATOL)


def test_textbook_identities():
    """Relations between gates that hold exactly (phase included)."""
    t = 0.731
    g = {n: GATES[n] for n in ALL}
    np.testing.assert_allclose(g["rx"].matrix(t), g["u3"].matrix(t, -math.pi / 2, math.pi / 2),
                               atol=ATOL)
    np.testing.assert_allclose(g["ry"].matrix(t), g["u3"].matrix(t, 0, 0), atol=ATOL)
    np.testing.assert_allclose(g["h"].matrix(), g["u2"].matrix(0, math.pi), atol=ATOL)
    np.testing.assert_allclose(g["sx"].matrix() @ g["sx"].matrix(), X, atol=ATOL)
    np.testing.assert_allclose(g["s"].matrix() @ g["s"].matrix(), Z, atol=ATOL)
    np.testing.assert_allclose(g["t"].matrix() @ g["t"].matrix(), S, atol=ATOL)
    np.testing.assert_allclose(g["rz"].matrix(t), e(-t / 2) * g["p"].matrix(t), atol=ATOL)
    np.testing.assert_allclose(g["r"].matrix(t, 0), g["rx"].matrix(t), atol=ATOL)
    np.testing.assert_allclose(g["r"].matrix(t, math.pi / 2), g["ry"].matrix(t), atol=ATOL)
    np.testing.assert_allclose(g["cu"].matrix(t, 0.2, 0.3, 0.0), g["cu3"].matrix(t, 0.2, 0.3),
                               atol=ATOL)
    # X on qubit 0 of the little-endian 2-qubit space is kron(I, X)
    cx = g["cx"].matrix()
    np.testing.assert_allclose(cx @ np.array([0, 1, 0, 0]), [0, 0, 0, 1], atol=ATOL)
