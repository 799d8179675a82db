"""The Circuit model: builders, validation, parameters, transformations, metrics."""
from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest

import qvalley as qv
from qvalley import Circuit, CircuitError, Parameter, ParameterExpression
from qvalley.circuit import GATES, Instruction, Register
from qvalley.circuit.gates import lookup

SEED = 1234
ATOL = 1e-12

X = np.array([[0, 1], [1, 0]], dtype=complex)


# -- helpers (independent of qvalley's own matrix code) ---------------------------------------

def embed(m, qubits, n):
    """Full 2**n matrix of ``m`` (little-endian in ``qubits``) on n qubits."""
    dim = 2 ** n
    k = len(qubits)
    out = np.zeros((dim, dim), dtype=complex)
    for col in range(dim):
        sub_in = sum(((col >> q) & 1) << j for j, q in enumerate(qubits))
        rest = col
        for q in qubits:
            rest &= ~(1 << q)
        for sub_out in range(2 ** k):
            row = rest
            for j, q in enumerate(qubits):
                row |= ((sub_out >> j) & 1) << q
            out[row, col] += m[sub_out, sub_in]
    return out


def controlled_reference(u, controls, targets, n, ctrl_state):
    """Sum over control values: U on the targets when control i reads bit i of
    ``ctrl_state``, identity otherwise."""
    dim = 2 ** n
    out = np.zeros((dim, dim), dtype=complex)
    u_full = embed(u, targets, n)
    for col in range(dim):
        fire = all(((col >> c) & 1) == ((ctrl_state >> i) & 1) for i, c in enumerate(controls))
        out[:, col] = u_full[:, col] if fire else np.eye(dim)[:, col]
    return out


def circuit_unitary(c: Circuit) -> np.ndarray:
    """Columns are qvalley.statevector of each basis state."""
    n = c.num_qubits
    cols = []
    for j in range(2 ** n):
        e = np.zeros(2 ** n, dtype=complex)
        e[j] = 1
        cols.append(qv.statevector(c, initial_state=e))
    return np.array(cols).T


def random_gate_circuit(rng, n, length, *, names=None, params_range=math.pi):
    """A random unitary circuit over the table's gates on n qubits."""
    names = names or [g for g in sorted(GATES) if GATES[g].num_qubits <= n]
    c = Circuit(n)
    for _ in range(length):
        g = GATES[names[rng.integers(len(names))]]
        qs = [int(q) for q in rng.choice(n, g.num_qubits, replace=False)]
        ps = [float(p) for p in rng.uniform(-params_range, params_range, g.num_params)]
        getattr(c, g.name)(*ps, *qs)
    return c


# -- construction ----------------------------------------------------------------------------

def test_empty_circuit():
    c = Circuit(3)
    assert (c.num_qubits, c.num_clbits, len(c), c.size(), c.depth()) == (3, 0, 0, 0, 0)
    assert c.count_ops() == {}
    assert [r.name for r in c.qregs] == ["q"] and c.cregs == ()
    c2 = Circuit(2, 3)
    assert c2.num_clbits == 3 and c2.cregs[0] == Register("c", 0, 3)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True, None])
def test_constructor_refuses_bad_sizes(bad):
    with pytest.raises(CircuitError, match="num_qubits must be a non-negative int"):
        Circuit(bad)
    with pytest.raises(CircuitError, match="num_clbits must be a non-negative int"):
        Circuit(1, bad)


# -- builder methods -------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(GATES))
def test_every_gate_has_a_builder_params_first_then_qubits(name):
    gate = GATES[name]
    n = gate.num_qubits + 1
    rng = np.random.default_rng([SEED, sorted(GATES).index(name)])
    params = [float(p) for p in rng.uniform(-3, 3, gate.num_params)]
    qubits = [int(q) for q in rng.permutation(n)[:gate.num_qubits]]
    c = Circuit(n)
    method = getattr(c, name)
    # the signature lists the parameters, then the qubits
    sig = list(inspect.signature(method).parameters)
    assert len(sig) == gate.num_params + gate.num_qubits
    out = method(*params, *qubits)
    assert out is c, "builders return the circuit for chaining"
    (ins,) = c.data
    assert (ins.kind, ins.name, ins.qubits) == ("gate", name, tuple(qubits))
    assert ins.params == pytest.approx(tuple(params), abs=0)
    assert all(type(p) is float for p in ins.params)
    # and the state it makes is the gate's matrix on those qubits
    np.testing.assert_allclose(circuit_unitary(c), embed(gate.matrix(*params), qubits, n),
                               atol=1e-12)


def test_builder_argument_order_is_controls_then_target():
    c = Circuit(3).cp(0.3, 2, 0).ccx(2, 1, 0).u(0.1, 0.2, 0.3, 1).crx(0.5, 0, 2)
    assert [(i.name, i.params, i.qubits) for i in c] == [
        ("cp", (0.3,), (2, 0)), ("ccx", (), (2, 1, 0)), ("u", (0.1, 0.2, 0.3), (1,)),
        ("crx", (0.5,), (0, 2))]
    # cx(1, 0) on |q1=1> flips qubit 0: |10> -> |11>
    psi = qv.statevector(Circuit(2).x(1).cx(1, 0))
    np.testing.assert_allclose(psi, [0, 0, 0, 1], atol=ATOL)


def test_numpy_ints_and_floats_are_accepted():
    c = Circuit(2).rx(np.float32(0.5), np.int64(1)).cp(np.float64(0.25), np.int32(0), 1)
    assert c.data[0].qubits == (1,) and type(c.data[0].qubits[0]) is int
    assert c.data[0].params[0] == pytest.approx(0.5)
    assert c.data[1].params == (0.25,)


def test_broadcasting():
    c = Circuit(4).h(range(3))
    assert [i.qubits for i in c] == [(0,), (1,), (2,)]
    c = Circuit(4).cx([0, 1], [2, 3])
    assert [i.qubits for i in c] == [(0, 2), (1, 3)]
    c = Circuit(4).cx(0, [1, 2, 3])
    assert [i.qubits for i in c] == [(0, 1), (0, 2), (0, 3)]
    c = Circuit(3).rz(0.5, [2, 0])
    assert [(i.params, i.qubits) for i in c] == [((0.5,), (2,)), ((0.5,), (0,))]
    c = Circuit(4)
    reg = c.add_qreg("a", 2)
    c.x(reg)
    assert [i.qubits for i in c] == [(4,), (5,)]
    c = Circuit(3).h(np.array([0, 2]))
    assert [i.qubits for i in c] == [(0,), (2,)]
    with pytest.raises(CircuitError, match=r"cx: qubit lists of different lengths \[2, 3\]"):
        Circuit(5).cx([0, 1], [2, 3, 4])
    # an empty list appends nothing
    assert len(Circuit(2).h([])) == 0


def test_aliases_build_the_canonical_gate():
    c = Circuit(3)
    c.cnot(0, 1).toffoli(0, 1, 2).fredkin(0, 1, 2).phase(0.2, 0).cphase(0.3, 0, 1)
    c.i(2).U(0.1, 0.2, 0.3, 0).CX(1, 0)
    assert [i.name for i in c] == ["cx", "ccx", "cswap", "p", "cp", "id", "u", "cx"]
    assert Circuit(1).append("phase", [0], [0.4]).data[0].name == "p"
    assert Circuit(2).append("cnot", [0, 1]).data[0].name == "cx"


def test_append_by_name_and_instruction():
    c = Circuit(2)
    c.append("rx", [1], [0.5])
    c.append(Instruction("gate", "cnot", (0, 1)))
    c.append(Instruction("measure", "measure", (1,), clbits=(3,)))
    assert [(i.name, i.qubits) for i in c] == [("rx", (1,)), ("cx", (0, 1)),
                                               ("measure", (1,))]
    assert c.num_clbits == 4
    with pytest.raises(CircuitError, match="gate cx with 0 controls acts on 2 qubits, got 1"):
        c.append(Instruction("gate", "cx", (0,)))
    with pytest.raises(CircuitError, match="rx takes 1 parameters, got 0"):
        c.append(Instruction("gate", "rx", (0,)))
    with pytest.raises(CircuitError, match="out of range"):
        c.append(Instruction("gate", "x", (5,)))
    with pytest.raises(CircuitError, match=r"gate rx at position 3: parameter is nan"):
        c.append(Instruction("gate", "rx", (0,), (float("nan"),)))
    with pytest.raises(CircuitError, match="unknown gate 'nope'"):
        c.append("nope", [0])


# -- validation ------------------------------------------------------------------------------

def test_qubit_out_of_range_and_negative():
    with pytest.raises(CircuitError, match=r"qubit index 3 out of range: the circuit has 3 "
                                           r"qubits \(0\.\.2\)"):
        Circuit(3).h(3)
    with pytest.raises(CircuitError, match=r"qubit index -1 out of range"):
        Circuit(3).x(-1)
    with pytest.raises(CircuitError, match="the circuit has no qubits"):
        Circuit(0).x(0)
    with pytest.raises(CircuitError, match=r"qubit index 7 out of range"):
        Circuit(3).cx(0, [1, 7])
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(2).unitary(np.eye(2), [2])
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(2).measure(2, 0)
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(2).reset(5)
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(2).barrier(0, 9)


@pytest.mark.parametrize("bad", [1.0, "0", None, True, np.bool_(True)])
def test_qubit_must_be_an_int(bad):
    with pytest.raises(CircuitError, match="qubit index must be an int"):
        Circuit(3).x(bad)


def test_repeated_qubits():
    with pytest.raises(CircuitError, match=r"qubits \[1, 1\] repeat an index"):
        Circuit(3).cx(1, 1)
    with pytest.raises(CircuitError, match="repeat an index"):
        Circuit(3).ccx(0, 2, 0)
    with pytest.raises(CircuitError, match="repeat an index"):
        Circuit(3).unitary(np.eye(4), [1, 1])
    with pytest.raises(CircuitError, match="repeat an index"):
        Circuit(3).mcx([0, 1], 1)


def test_failed_call_appends_nothing():
    c = Circuit(3).h(0)
    before = list(c.data)
    for bad in (lambda: c.cx(0, 0), lambda: c.rx(float("nan"), 1), lambda: c.x(9),
                lambda: c.unitary(np.ones((2, 2)), 0)):
        with pytest.raises(CircuitError):
            bad()
        assert c.data == before


@pytest.mark.parametrize("call, message", [
    (lambda c: c.rx(0), r"rx\(\) takes 1 parameter\(s\) then 1 qubit\(s\) \(theta, qubit\), "
                        r"got 1 arguments"),
    (lambda c: c.x(0, 1), r"x\(\) takes 0 parameter\(s\) then 1 qubit\(s\)"),
    (lambda c: c.cx(0), r"cx\(\) takes 0 parameter\(s\) then 2 qubit\(s\) "
                        r"\(control, target\), got 1"),
    (lambda c: c.u(0.1, 0.2, 0), r"u\(\) takes 3 parameter\(s\) then 1 qubit\(s\)"),
    (lambda c: c.ccx(0, 1), r"ccx\(\) takes 0 parameter\(s\) then 3 qubit\(s\) "
                            r"\(control1, control2, target\)"),
    (lambda c: c.append("rx", [0], []), r"gate rx takes 1 parameters \(theta\), got 0"),
    (lambda c: c.append("cx", [0]), r"cx acts on 2 qubits, got 1"),
])
def test_wrong_argument_counts(call, message):
    with pytest.raises(CircuitError, match=message):
        call(Circuit(3))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), np.nan,
                                   np.float32("inf")])
def test_non_finite_angles_name_gate_and_position(value):
    c = Circuit(2).h(0).x(1)
    with pytest.raises(CircuitError, match=r"gate rx at position 2: parameter is (nan|inf|-inf)"
                                           r"; angles must be finite"):
        c.rx(value, 0)
    with pytest.raises(CircuitError, match=r"gate u at position 2: .*finite"):
        c.u(0.1, value, 0.3, 0)
    with pytest.raises(CircuitError, match=r"gate cp at position 2: .*finite"):
        c.cp(value, 0, 1)
    with pytest.raises(CircuitError, match=r"gate cp at position 2: .*finite"):
        c.mcp(value, [0], 1)
    with pytest.raises(CircuitError, match=r"gate p at position 2: .*finite"):
        Circuit(3).h(0).x(1).mcp(value, [0, 1], 2)
    assert len(c) == 2


@pytest.mark.parametrize("value", ["0.5", 1j, None, [0.5]])
def test_non_numeric_angles(value):
    with pytest.raises(CircuitError, match="gate rx at position 0: parameter must be a real "
                                           "number or a Parameter"):
        Circuit(1).rx(value, 0)


# -- unitary() -------------------------------------------------------------------------------

def haar_unitary(rng, dim):
    z = (rng.normal(size=(dim, dim)) + 1j * rng.normal(size=(dim, dim))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    return q * (np.diagonal(r) / np.abs(np.diagonal(r)))


def test_unitary_is_little_endian_in_its_qubits():
    rng = np.random.default_rng(SEED)
    u = haar_unitary(rng, 4)
    c = Circuit(3).unitary(u, [2, 0], label="mine")
    (ins,) = c.data
    assert (ins.kind, ins.qubits, ins.label) == ("unitary", (2, 0), "mine")
    np.testing.assert_allclose(circuit_unitary(c), embed(u, [2, 0], 3), atol=1e-12)
    # a single int works for one qubit
    c1 = Circuit(2).unitary(X, 1)
    np.testing.assert_allclose(qv.statevector(c1), [0, 0, 1, 0], atol=ATOL)


def test_unitary_not_unitary_reports_deviation():
    m = np.array([[1, 0], [0, 1.1]])
    with pytest.raises(CircuitError, match=r"not unitary: max \|U†U - I\| = 0\.21 > tolerance "
                                           r"1e-08"):
        Circuit(1).unitary(m, 0)
    with pytest.raises(CircuitError, match=r"max \|U†U - I\| = 1 > tolerance"):
        Circuit(1).unitary(np.ones((2, 2)) / math.sqrt(2) * np.array([[1, 1], [1, 1]]), 0)


@pytest.mark.parametrize("shape, message", [
    ((4, 4), r"a matrix on 1 qubit\(s\) must be 2x2, got 4x4"),
    ((2, 3), r"must be square, got shape \(2, 3\)"),
    ((2,), r"must be square, got shape \(2,\)"),
    ((2, 2, 2), r"must be square"),
])
def test_unitary_wrong_shape(shape, message):
    with pytest.raises(CircuitError, match=message):
        Circuit(2).unitary(np.zeros(shape), [0])


def test_unitary_bad_entries():
    with pytest.raises(CircuitError, match="NaN or infinite"):
        Circuit(1).unitary(np.array([[np.nan, 0], [0, 1]]), 0)
    with pytest.raises(CircuitError, match="must hold numbers"):
        Circuit(1).unitary([["a", "b"], ["c", "d"]], 0)


def test_unitary_tolerance_depends_on_dtype():
    rng = np.random.default_rng(SEED)
    u = haar_unitary(rng, 4)
    noise = 3e-7 * rng.normal(size=(4, 4))
    # float32/complex64 rounding (~1e-7) must pass the single precision tolerance (1e-5)...
    c = Circuit(2).unitary(u.astype(np.complex64), [0, 1])
    c.unitary((u + noise).astype(np.complex64), [0, 1])
    # ...and the stored matrix is complex128 and unitary to double precision
    for ins in c:
        assert ins.matrix.dtype == np.complex128
        np.testing.assert_allclose(ins.matrix.conj().T @ ins.matrix, np.eye(4), atol=1e-13)
    # the same deviation in double precision is refused (tolerance 1e-8)
    with pytest.raises(CircuitError, match=r"tolerance 1e-08"):
        Circuit(2).unitary(u + noise, [0, 1])
    # float32 beyond 1e-5 is refused too, and the message says so
    with pytest.raises(CircuitError, match=r"tolerance 1e-05"):
        Circuit(2).unitary((u + 1e-3 * rng.normal(size=(4, 4))).astype(np.complex64), [0, 1])
    # atol= loosens it explicitly
    Circuit(2).unitary(u + noise, [0, 1], atol=1e-5)
    # real float32 input
    h32 = (np.array([[1, 1], [1, -1]]) / math.sqrt(2)).astype(np.float32)
    psi = qv.statevector(Circuit(1).unitary(h32, 0))
    np.testing.assert_allclose(psi, [2 ** -0.5, 2 ** -0.5], atol=1e-15)
    assert abs(np.vdot(psi, psi) - 1) < 1e-15


def test_unitary_of_the_input_list_is_not_aliased():
    m = np.eye(2, dtype=complex)
    c = Circuit(1).unitary(m, 0)
    m[0, 0] = 5
    np.testing.assert_allclose(c.data[0].matrix, np.eye(2), atol=ATOL)


# -- parameters ------------------------------------------------------------------------------

def test_parameter_expressions():
    t, p = Parameter("t"), Parameter("p")
    e = 2 * t + p / 4 - 1
    assert e.parameters == frozenset({t, p})
    assert e.bind({t: 0.5, p: 2.0}) == pytest.approx(0.5)
    partial = e.bind({t: 1.0})
    assert isinstance(partial, ParameterExpression) and partial.parameters == {p}
    assert partial.bind({p: 4}) == pytest.approx(2.0)
    assert (-t).bind({t: 3}) == -3
    assert (t ** 2).bind({t: 3}) == 9
    assert (2 ** t).bind({t: 3}) == 8
    assert t.sin().bind({t: math.pi / 2}) == pytest.approx(1)
    assert t.cos().bind({t: 0}) == 1
    assert t.exp().bind({t: 1}) == pytest.approx(math.e)
    assert t.sqrt().bind({t: 9}) == 3
    assert t.log().bind({t: math.e}) == pytest.approx(1)
    assert (1 - t).bind({t: 3}) == -2 and (6 / t).bind({t: 3}) == 2
    assert str(2 * t + 1) == "2.0 * t + 1.0"
    assert str((t + 1) * 2) == "(t + 1.0) * 2.0"
    assert str(t * math.pi) == "t * pi"
    assert str(-(t + p)) == "-(t + p)"
    with pytest.raises(CircuitError, match="unbound parameters: t"):
        float(t + 1)
    with pytest.raises(CircuitError, match="cannot evaluate"):
        (1 / t).bind({t: 0})
    with pytest.raises(CircuitError, match="non-empty string"):
        Parameter("")


def test_parameters_are_compared_by_identity():
    a, b = Parameter("t"), Parameter("t")
    assert a != b and a == a
    assert len({a, b}) == 2
    assert 2 * a + 1 == 2 * a + 1
    assert 2 * a + 1 != 2 * b + 1


def test_assign_parameters_by_object_name_and_list():
    a, b = Parameter("a"), Parameter("b")
    c = Circuit(2).rx(b, 0).ry(2 * a + 1, 1).cp(a - b, 0, 1)
    assert c.parameters == (a, b)          # sorted by name
    assert c.num_parameters == 2
    by_obj = c.assign_parameters({a: 0.25, b: -0.5})
    by_name = c.assign_parameters({"a": 0.25, "b": -0.5})
    by_list = c.assign_parameters([0.25, -0.5])
    by_array = c.assign_parameters(np.array([0.25, -0.5]))
    want = Circuit(2).rx(-0.5, 0).ry(1.5, 1).cp(0.75, 0, 1)
    for bound in (by_obj, by_name, by_list, by_array):
        assert bound == want
        assert bound.parameters == ()
        assert all(type(p) is float for ins in bound for p in ins.params)
    # the original keeps its parameters; inplace binds the circuit itself
    assert c.parameters == (a, b)
    out = c.assign_parameters([0.25, -0.5], inplace=True)
    assert out is c and c == want
    assert c.bind is not None and Circuit.bind is Circuit.assign_parameters


def test_assign_parameters_partial_and_to_expressions():
    a, b, t = Parameter("a"), Parameter("b"), Parameter("t")
    c = Circuit(1).rx(a + b, 0)
    half = c.assign_parameters({a: 1.0})
    assert half.parameters == (b,)
    with pytest.raises(CircuitError, match=r"gate rx at position 0 has unbound parameters "
                                           r"\(b\)"):
        qv.statevector(half)
    full = half.assign_parameters({b: 2.0})
    assert full.data[0].params == (3.0,)
    renamed = c.assign_parameters({a: 2 * t, b: t})
    assert renamed.parameters == (t,)
    assert renamed.assign_parameters([1.0]).data[0].params == (3.0,)


def test_assign_parameters_errors():
    a, b = Parameter("a"), Parameter("b")
    c = Circuit(2).h(0).rx(a, 0).ry(b, 1)
    with pytest.raises(CircuitError, match="no parameter named 'z'"):
        c.assign_parameters({"z": 1.0})
    with pytest.raises(CircuitError, match="has no parameter"):
        c.assign_parameters({Parameter("a"): 1.0})   # same name, different symbol
    assert c.assign_parameters({"z": 1.0, "a": 0.5}, strict=False).parameters == (b,)
    with pytest.raises(CircuitError, match=r"1 values given for 2 parameters \(a, b\)"):
        c.assign_parameters([1.0])
    with pytest.raises(CircuitError, match="must be a real number"):
        c.assign_parameters({a: "x", b: 1.0})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -np.inf, np.float32("nan")])
def test_assign_non_finite_names_gate_and_position(value):
    a, b = Parameter("a"), Parameter("b")
    c = Circuit(2).h(0).rx(a, 0).cx(0, 1).ry(2 * b, 1)
    with pytest.raises(CircuitError, match=r"gate ry at position 3: parameter b bound to "
                                           r"(nan|inf|-inf)"):
        c.assign_parameters({a: 0.5, b: value})
    with pytest.raises(CircuitError, match=r"gate rx at position 1: parameter a"):
        c.assign_parameters([value, 0.5])
    with pytest.raises(CircuitError, match=r"gate rx at position 1"):
        c.assign_parameters({"a": value, "b": 0.5})


def test_assign_overflowing_expression_names_gate_and_position():
    t = Parameter("t")
    c = Circuit(1).h(0).rz(t * 1e300, 0).rx(t.exp(), 0)
    with pytest.raises(CircuitError, match=r"gate rz at position 1, parameter 0: parameter is "
                                           r"inf"):
        c.assign_parameters([1e10])
    c2 = Circuit(1).h(0).rx(t.exp(), 0)
    with pytest.raises(CircuitError, match=r"gate rx at position 1"):
        c2.assign_parameters([1000.0])


def test_assign_ambiguous_name_is_refused():
    a1, a2 = Parameter("a"), Parameter("a")
    c = Circuit(1).rx(a1, 0).ry(a2, 0)
    assert len(c.parameters) == 2
    with pytest.raises(CircuitError, match="ambiguous"):
        c.assign_parameters({"a": 0.5})
    assert c.assign_parameters({a1: 0.5, a2: 0.25}).parameters == ()


def test_parameterized_circuit_simulates_after_binding():
    t = Parameter("t")
    c = Circuit(1).ry(t, 0)
    rng = np.random.default_rng(SEED)
    for v in rng.uniform(-math.pi, math.pi, 3):
        psi = qv.statevector(c.assign_parameters([v]))
        np.testing.assert_allclose(psi, [math.cos(v / 2), math.sin(v / 2)], atol=ATOL)


# -- inverse ---------------------------------------------------------------------------------

def test_inverse_of_random_circuits_is_the_adjoint():
    rng = np.random.default_rng(SEED)
    for _ in range(6):
        c = random_gate_circuit(rng, 4, 25)
        c.barrier()
        c.unitary(haar_unitary(rng, 4), [int(q) for q in rng.choice(4, 2, replace=False)])
        c.mc("ry", [0, 3], 1, [0.7], ctrl_state=1)
        c.mc(haar_unitary(rng, 2), [2], 0, ctrl_state=0)
        inv = c.inverse()
        u, v = circuit_unitary(c), circuit_unitary(inv)
        np.testing.assert_allclose(v, u.conj().T, atol=1e-10)
        np.testing.assert_allclose(circuit_unitary(c.compose(inv)), np.eye(16), atol=1e-10)


def test_inverse_structure():
    c = Circuit(2, name="k").s(0).rx(0.5, 1).barrier().cx(0, 1).unitary(X, 0, label="L")
    inv = c.inverse()
    assert inv.name == "k_dg"
    assert [i.name for i in inv] == ["unitary", "cx", "barrier", "rx", "sdg"]
    assert inv[3].params == (-0.5,)
    assert inv[0].label == "L_dg"
    assert c.inverse().inverse() == c


def test_inverse_of_parameterized_circuit():
    t = Parameter("t")
    c = Circuit(2).rx(t, 0).u(t, 2 * t, 0.3, 1).xx_plus_yy(t, 0.2, 0, 1)
    inv = c.inverse()
    assert inv.parameters == (t,)
    for v in (0.3, -1.2):
        u = circuit_unitary(c.assign_parameters([v]))
        w = circuit_unitary(inv.assign_parameters([v]))
        np.testing.assert_allclose(w @ u, np.eye(4), atol=1e-12)


def test_inverse_refuses_non_unitary_operations():
    with pytest.raises(CircuitError, match=r"cannot invert measure .*only unitary"):
        Circuit(1, 1).h(0).measure(0, 0).inverse()
    with pytest.raises(CircuitError, match="cannot invert reset"):
        Circuit(1).reset(0).inverse()
    c = Circuit(1, 1)
    c.x(0).c_if(0, 1)
    with pytest.raises(CircuitError, match="cannot invert the conditioned x"):
        c.inverse()


# -- compose ---------------------------------------------------------------------------------

def test_compose_with_qubit_map_and_front():
    a = Circuit(3).h(0)
    b = Circuit(2).cx(0, 1).rz(0.3, 1)
    ab = a.compose(b, qubits=[2, 0])
    assert [(i.name, i.qubits) for i in ab] == [("h", (0,)), ("cx", (2, 0)), ("rz", (0,))]
    assert len(a) == 1, "compose is not in place by default"
    ba = a.compose(b, qubits=[1, 2], front=True)
    assert [(i.name, i.qubits) for i in ba] == [("cx", (1, 2)), ("rz", (2,)), ("h", (0,))]
    same = a.compose(b, inplace=True)
    assert same is a and len(a) == 3
    rng = np.random.default_rng(SEED)
    x = random_gate_circuit(rng, 3, 12)
    y = random_gate_circuit(rng, 2, 8)
    qmap = [2, 0]
    want = embed(circuit_unitary(y), qmap, 3) @ circuit_unitary(x)
    np.testing.assert_allclose(circuit_unitary(x.compose(y, qmap)), want, atol=1e-11)
    want_front = circuit_unitary(x) @ embed(circuit_unitary(y), qmap, 3)
    np.testing.assert_allclose(circuit_unitary(x.compose(y, qmap, front=True)), want_front,
                               atol=1e-11)
    np.testing.assert_allclose(circuit_unitary(x + x), circuit_unitary(x) @ circuit_unitary(x),
                               atol=1e-11)


def test_compose_clbits_and_conditions():
    a = Circuit(2, 2)
    b = Circuit(1, 1).measure(0, 0)
    b.x(0).c_if(0, 1)
    ab = a.compose(b, qubits=[1], clbits=[1])
    assert ab[0].clbits == (1,) and ab[0].qubits == (1,)
    assert ab[1].condition.clbits == (1,) and ab[1].condition.value == 1
    grown = Circuit(1).compose(Circuit(1, 1).measure(0, 0), clbits=[4])
    assert grown.num_clbits == 5


def test_compose_errors():
    with pytest.raises(CircuitError, match=r"compose\(\): 1 qubits given for a circuit of 2"):
        Circuit(3).compose(Circuit(2), qubits=[0])
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(1).compose(Circuit(2))
    with pytest.raises(CircuitError, match="repeat"):
        Circuit(3).compose(Circuit(2), qubits=[1, 1])
    with pytest.raises(CircuitError, match="takes a Circuit"):
        Circuit(1).compose("h q[0];")
    with pytest.raises(CircuitError, match=r"1 clbits given for a circuit of 2"):
        Circuit(1, 1).compose(Circuit(1, 2), clbits=[0])


# -- metrics cross-checked with Qiskit ------------------------------------------------------

def _random_pair(rng, n, length, qiskit_gate):
    from qiskit import QuantumCircuit

    c = Circuit(n, n)
    qc = QuantumCircuit(n, n)
    names = [g for g in sorted(GATES) if GATES[g].num_qubits <= n]
    for _ in range(length):
        r = rng.random()
        if r < 0.08:
            q, b = int(rng.integers(n)), int(rng.integers(n))
            c.measure(q, b)
            qc.measure(q, b)
        elif r < 0.12:
            q = int(rng.integers(n))
            c.reset(q)
            qc.reset(q)
        elif r < 0.16:
            qs = [int(q) for q in rng.choice(n, int(rng.integers(1, n + 1)), replace=False)]
            c.barrier(qs)
            qc.barrier(qs)
        else:
            g = GATES[names[rng.integers(len(names))]]
            qs = [int(q) for q in rng.choice(n, g.num_qubits, replace=False)]
            ps = [float(p) for p in rng.uniform(-3, 3, g.num_params)]
            getattr(c, g.name)(*ps, *qs)
            qc.append(qiskit_gate(g.name, ps), qs)
    return c, qc


def test_depth_size_count_ops_match_qiskit(qiskit_gate):
    rng = np.random.default_rng(SEED)
    for trial in range(40):
        n = int(rng.integers(1, 7))
        c, qc = _random_pair(rng, n, int(rng.integers(0, 40)), qiskit_gate)
        assert c.depth() == qc.depth(), trial
        assert c.size() == qc.size(), trial
        want: dict[str, int] = {}
        for ins in c:
            key = ins.name if ins.kind != "gate" else qiskit_gate(ins.name, ins.params).name
            want[key] = want.get(key, 0) + 1
        assert want == dict(qc.count_ops()), trial
        ours = c.count_ops()
        assert sum(ours.values()) == len(c)
        assert list(ours.values()) == sorted(ours.values(), reverse=True)
    # measure_all's barrier is not counted in depth or size, but is in count_ops
    m = Circuit(3).h(0).measure_all()
    assert (m.depth(), m.size(), m.count_ops()["barrier"]) == (2, 4, 1)


def test_depth_counts_classical_wires_and_conditions():
    c = Circuit(2, 1).h(0).measure(0, 0).measure(1, 0)
    assert c.depth() == 3      # both measurements write clbit 0
    d = Circuit(2, 1).h(0).measure(0, 0)
    d.x(1).c_if(0, 1)
    assert d.depth() == 3      # the condition reads clbit 0 after the measurement
    e = Circuit(3).h(0).h(1).h(2).cx(0, 1)
    assert e.depth() == 2


# -- equality and copies ---------------------------------------------------------------------

def test_equality_and_copy():
    a = Circuit(2).h(0).rx(0.5, 1).cx(0, 1)
    b = Circuit(2).h(0).rx(0.5, 1).cx(0, 1)
    assert a == b
    assert a != Circuit(2).h(0).rx(0.5000001, 1).cx(0, 1)
    assert a != Circuit(2).h(0).rx(0.5, 1).cx(1, 0)
    assert a != Circuit(3).h(0).rx(0.5, 1).cx(0, 1)
    assert a != Circuit(2, 1).h(0).rx(0.5, 1).cx(0, 1)
    assert a != Circuit(2).h(0).rx(0.5, 1)
    assert a != "circuit"
    u = Circuit(1).unitary(X, 0)
    assert u == Circuit(1).unitary(X, 0)
    assert u != Circuit(1).unitary(-X, 0)
    cond1 = Circuit(1, 1)
    cond1.x(0).c_if(0, 1)
    cond2 = Circuit(1, 1)
    cond2.x(0).c_if(0, 0)
    assert cond1 != cond2 and cond1 != Circuit(1, 1).x(0)
    cp = a.copy("other")
    assert cp == a and cp is not a and cp.name == "other"
    cp.x(0)
    assert len(a) == 3 and len(cp) == 4
    cp.add_creg("r", 2)
    assert a.num_clbits == 0
    with pytest.raises(TypeError):
        hash(a)


# -- multi-controlled gates ------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_mcx_all_ctrl_states(k):
    n = k + 1
    rng = np.random.default_rng([SEED, k])
    order = [int(q) for q in rng.permutation(n)]
    controls, target = order[:k], order[k]
    states = range(2 ** k) if k <= 3 else [0, 5, 15]
    for state in states:
        c = Circuit(n).mcx(controls, target, ctrl_state=state)
        want = controlled_reference(X, controls, [target], n, state)
        np.testing.assert_allclose(circuit_unitary(c), want, atol=ATOL)
        bits = format(state, f"0{k}b")
        c2 = Circuit(n).mcx(controls, target, ctrl_state=bits)
        np.testing.assert_allclose(circuit_unitary(c2), want, atol=ATOL)


def test_mc_uses_named_gates_for_closed_controls():
    c = Circuit(5)
    c.mcx([0], 1).mcx([0, 1], 2).mcx([0, 1, 2], 3).mcx([0, 1, 2, 3], 4)
    c.mc("z", [3], 0).mc("p", [1], 2, [0.3]).mc("swap", [0], [1, 2]).mc("sx", [0, 1, 2], 3)
    c.mcp(0.4, [0], 1).mcrx(0.1, [0], 1).mcry(0.2, [0], 1).mcrz(0.3, [0], 1)
    c.mcx([0, 1], 2, ctrl_state="11")
    assert [i.name for i in c] == ["cx", "ccx", "c3x", "c4x", "cz", "cp", "cswap", "c3sx",
                                   "cp", "crx", "cry", "crz", "ccx"]
    assert all(i.num_ctrl == 0 for i in c)
    open_ctrl = Circuit(3).mcx([0, 1], 2, ctrl_state=1)
    (ins,) = open_ctrl.data
    assert (ins.name, ins.num_ctrl, ins.ctrl_state, ins.qubits) == ("x", 2, 1, (0, 1, 2))
    assert open_ctrl.count_ops() == {"mcx": 1}
    big = Circuit(7).mcx(range(6), 6)
    assert (big[0].name, big[0].num_ctrl) == ("x", 6)


def test_mc_gates_against_reference():
    rng = np.random.default_rng(SEED)
    cases = [("rx", 1, 2), ("u", 1, 3), ("swap", 2, 1), ("rzz", 2, 2), ("h", 1, 3),
             ("cx", 2, 1), ("xx_plus_yy", 2, 1), ("s", 1, 2), ("iswap", 2, 2)]
    for name, nt, k in cases:
        gate = GATES[name]
        n = nt + k + 1
        order = [int(q) for q in rng.permutation(n)]
        controls, targets = order[:k], order[k:k + nt]
        params = [float(p) for p in rng.uniform(-3, 3, gate.num_params)]
        for state in (int(rng.integers(2 ** k)), 2 ** k - 1):
            c = Circuit(n).mc(name, controls, targets, params, ctrl_state=state)
            want = controlled_reference(gate.matrix(*params), controls, targets, n, state)
            np.testing.assert_allclose(circuit_unitary(c), want, atol=1e-12,
                                       err_msg=f"{name} {controls} {targets} {state}")
            inv = c.inverse()
            np.testing.assert_allclose(circuit_unitary(inv), want.conj().T, atol=1e-12)
    u = haar_unitary(rng, 4)
    c = Circuit(4).mc(u, [3, 1], [0, 2], ctrl_state="01")   # control 3 = 1, control 1 = 0
    want = controlled_reference(u, [3, 1], [0, 2], 4, 0b01)
    np.testing.assert_allclose(circuit_unitary(c), want, atol=1e-12)


def test_mc_errors():
    with pytest.raises(CircuitError, match=r"ctrl_state '101' must be 2 characters"):
        Circuit(3).mcx([0, 1], 2, ctrl_state="101")
    with pytest.raises(CircuitError, match=r"ctrl_state '1a' must be 2 characters"):
        Circuit(3).mcx([0, 1], 2, ctrl_state="1a")
    with pytest.raises(CircuitError, match=r"ctrl_state 4 must be an int in \[0, 3\]"):
        Circuit(3).mcx([0, 1], 2, ctrl_state=4)
    with pytest.raises(CircuitError, match=r"ctrl_state -1 must be"):
        Circuit(3).mcx([0, 1], 2, ctrl_state=-1)
    with pytest.raises(CircuitError, match="gate swap acts on 2 qubits, got 1 targets"):
        Circuit(3).mc("swap", [0], [1])
    with pytest.raises(CircuitError, match="gate rx takes 1 parameters, got 0"):
        Circuit(3).mc("rx", [0], [1])
    with pytest.raises(CircuitError, match="not unitary"):
        Circuit(3).mc(np.ones((2, 2)), [0], [1])
    with pytest.raises(CircuitError, match="2x2"):
        Circuit(3).mc(np.eye(4), [0], [1])
    with pytest.raises(CircuitError, match="unknown gate"):
        Circuit(3).mc("nope", [0], [1])


# -- measurement, reset, barrier, classical bits ---------------------------------------------

def test_measure_and_growing_clbits():
    c = Circuit(3)
    c.measure(0, 0)
    assert c.num_clbits == 1
    c.measure([1, 2], [4, 2])
    assert c.num_clbits == 5 and c.cregs == (Register("c", 0, 5),)
    assert [(i.qubits, i.clbits) for i in c] == [((0,), (0,)), ((1,), (4,)), ((2,), (2,))]
    with pytest.raises(CircuitError, match="clbit index must be a non-negative int"):
        c.measure(0, -1)
    with pytest.raises(CircuitError, match="clbit index must be a non-negative int"):
        c.measure(0, 1.0)
    with pytest.raises(CircuitError, match="different lengths"):
        c.measure([0, 1], [0])
    # past a register that is not "c", a new register holds the extra bits
    d = Circuit(2)
    d.add_creg("a", 2)
    d.measure(1, 3)
    assert d.cregs == (Register("a", 0, 2), Register("c", 2, 2))


def test_measure_all_registers():
    c = Circuit(3, 1).measure_all()
    assert [r.name for r in c.cregs] == ["c", "meas"]
    assert c.cregs[1] == Register("meas", 1, 3)
    assert [i.kind for i in c] == ["barrier", "measure", "measure", "measure"]
    assert [i.clbits for i in c][1:] == [(1,), (2,), (3,)]
    assert c[0].qubits == (0, 1, 2)
    c.measure_all()
    assert [r.name for r in c.cregs] == ["c", "meas", "meas1"]
    d = Circuit(2, 2).measure_all(add_register=False)
    assert d.num_clbits == 2 and [i.clbits for i in d][1:] == [(0,), (1,)]
    with pytest.raises(CircuitError, match=r"needs 3 clbits, the circuit has 1"):
        Circuit(3, 1).measure_all(add_register=False)


def test_reset_and_barrier():
    c = Circuit(3).reset([0, 2]).barrier().barrier(1).barrier([0, 1], 2)
    assert [(i.kind, i.qubits) for i in c] == [("reset", (0,)), ("reset", (2,)),
                                               ("barrier", (0, 1, 2)), ("barrier", (1,)),
                                               ("barrier", (0, 1, 2))]
    assert c.size() == 2 and c.depth() == 1


def test_registers():
    c = Circuit(2)
    a = c.add_qreg("anc", 3)
    r = c.add_creg("r", 2)
    assert (c.num_qubits, c.num_clbits) == (5, 2)
    assert list(a) == [2, 3, 4] and a[0] == 2 and a[-1] == 4 and 3 in a and 1 not in a
    assert c.qreg("anc") is a or c.qreg("anc") == a
    assert c.creg("r") == r
    with pytest.raises(CircuitError, match="already exists"):
        c.add_creg("anc", 1)
    with pytest.raises(CircuitError, match="positive size"):
        c.add_qreg("z", 0)
    with pytest.raises(CircuitError, match="no classical register named 'zz'"):
        c.creg("zz")
    with pytest.raises(CircuitError, match=r"index 3 out of range for register anc\[3\]"):
        a[3]


def test_if_test_and_c_if():
    c = Circuit(2, 1)
    r = c.add_creg("r", 2)
    c.measure(0, 0)
    with c.if_test("r", 2) as same:
        assert same is c
        c.x(0).cx(0, 1)
        c.barrier()
    with c.if_test(0, 1):
        c.reset(1)
    with c.if_test((r, 1)):
        c.h(1)
    with c.if_test([0, 2], 3):
        c.measure(1, 1)
    c.z(1)
    conds = [i.condition for i in c]
    assert conds[0] is None and conds[-1] is None
    assert conds[1] == conds[2] and conds[1].clbits == (1, 2) and conds[1].value == 2
    assert conds[1].register == "r"
    assert conds[3] is None, "barriers carry no condition"
    assert conds[4].clbits == (0,) and conds[4].value == 1 and conds[4].register is None
    assert conds[5].register == "r" and conds[5].value == 1
    assert conds[6].clbits == (0, 2) and conds[6].value == 3

    d = Circuit(2, 2).measure(0, 0)
    d.x(1).c_if(0, 1)
    d.h([0, 1]).c_if("c", 3)
    assert d[1].condition.clbits == (0,)
    assert d[2].condition == d[3].condition and d[2].condition.value == 3
    assert d[0].condition is None


def test_condition_errors():
    c = Circuit(1, 2)
    with pytest.raises(CircuitError, match="does not fit in 2 bits"):
        with c.if_test("c", 4):
            c.x(0)
    with pytest.raises(CircuitError, match="non-negative int"):
        c.if_test("c", -1).__enter__()
    with pytest.raises(CircuitError, match="no classical register named 'zz'"):
        c.if_test("zz", 1).__enter__()
    with pytest.raises(CircuitError, match="out of range"):
        c.if_test(5, 1).__enter__()
    with pytest.raises(CircuitError, match="needs an instruction before it"):
        Circuit(1, 1).c_if(0, 1)
    assert len(c) == 0


def test_nested_if_test_is_refused():
    """A nested block must not silently drop the outer condition."""
    c = Circuit(1, 2)
    with c.if_test(0, 1):
        with pytest.raises(CircuitError, match="nested"):
            with c.if_test(1, 1):
                c.x(0)
        c.h(0)
    assert len(c) == 1 and c[0].condition.clbits == (0,)


def test_condition_holds():
    from qvalley.circuit import Condition
    cond = Condition((3, 1), 0b10)      # clbit 3 must read 0, clbit 1 must read 1
    assert cond.holds(0b0010)
    assert not cond.holds(0b1010)
    assert not cond.holds(0)
    assert cond.holds(0b0110)


def test_repr_and_display_names():
    c = Circuit(2, name="bell").h(0).cx(0, 1)
    assert repr(c) == "Circuit('bell', 2 qubits, 0 clbits, 2 instructions)"
    assert re.fullmatch(r"Instruction\(cx q\[0\], q\[1\]\)", repr(c[1]))
    lookup("cx")
