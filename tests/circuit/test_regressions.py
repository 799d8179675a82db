"""Regression tests for bugs found by exercising the circuit API with unusual inputs.

Each test names the behaviour that was wrong before its fix.
"""
from __future__ import annotations

import math
import tracemalloc
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import qvalley as qv
from qvalley import Circuit, CircuitError, Parameter


# -- index arguments ---------------------------------------------------------------------------

def test_zero_dimensional_integer_arrays_are_indices():
    # was: TypeError "iteration over a 0-d array" from every builder method
    c = Circuit(3, 1)
    c.h(np.array(1)).cx(np.array(0), np.array(2)).measure(np.array(1), np.array(0))
    c.barrier(np.array(2)).reset(np.array(1))
    c.unitary(np.eye(2), np.array(2)).mcx(np.array(0), 1)
    assert [ins.qubits for ins in c.data] == [(1,), (0, 2), (1,), (2,), (1,), (2,), (0, 1)]
    assert c.data[2].clbits == (0,)


@pytest.mark.parametrize("bad", [np.array(True), np.array(1.0), np.True_])
def test_zero_dimensional_non_integers_are_refused_cleanly(bad):
    for build in (lambda c: c.h(bad), lambda c: c.barrier(bad), lambda c: c.measure(0, bad),
                  lambda c: c.unitary(np.eye(2), bad), lambda c: c.mcx(bad, 1)):
        with pytest.raises(CircuitError):
            build(Circuit(2, 1))


# -- parameter values --------------------------------------------------------------------------

@pytest.mark.parametrize("value", [Fraction(1, 2), Decimal("0.5"), np.array(0.5),
                                   np.float32(0.5), np.int8(1) / 2])
def test_real_numbers_of_any_type_are_angles(value):
    # was: "parameter must be a real number ..., got Fraction(1, 2)" (a real number)
    c = Circuit(1).rx(value, 0)
    assert c.data[0].params == (0.5,)
    assert type(c.data[0].params[0]) is float


def test_number_like_objects_with_float_are_angles():
    class Angle:  # e.g. a sympy number such as pi/2
        def __float__(self):
            return math.pi / 2

    assert Circuit(1).rz(Angle(), 0).data[0].params == (math.pi / 2,)


@pytest.mark.parametrize("value", [1j, 0.5 + 0j, np.complex128(0.5), np.array(0.5 + 0j)])
def test_complex_angles_are_refused_saying_complex(value):
    with pytest.raises(CircuitError, match="complex"):
        Circuit(1).rx(value, 0)
    theta = Parameter("theta")
    with pytest.raises(CircuitError, match="complex"):
        Circuit(1).rx(theta, 0).assign_parameters({theta: value})


def test_huge_integer_angle_is_refused_not_overflowerror():
    # was: OverflowError "int too large to convert to float"
    with pytest.raises(CircuitError, match="finite"):
        Circuit(1).rx(10 ** 400, 0)
    theta = Parameter("theta")
    with pytest.raises(CircuitError, match="finite"):
        Circuit(1).rx(theta, 0).assign_parameters({theta: 10 ** 400})


def test_binding_accepts_fraction_decimal_and_zero_d_arrays():
    theta = Parameter("theta")
    c = Circuit(1).rx(2 * theta, 0)
    for value in (Fraction(1, 4), Decimal("0.25"), np.array(0.25)):
        assert c.assign_parameters({theta: value}).data[0].params == (0.5,)
    assert c.assign_parameters(np.array([0.25])).data[0].params == (0.5,)


def test_parameter_arithmetic_with_fraction_and_decimal():
    theta = Parameter("theta")
    assert (theta + Fraction(1, 2)).bind({theta: 1}) == 1.5
    assert (Decimal("0.5") * theta).bind({theta: 3}) == 1.5
    with pytest.raises(CircuitError, match="complex"):
        theta + 1j


def test_positional_binding_order_is_deterministic_for_repeated_names():
    # was: parameters of the same name were ordered by a random uuid, so a positional bind
    # gave each a value at random; ties now go by first use in the circuit
    for _ in range(20):
        a1, a2 = Parameter("a"), Parameter("a")
        c = Circuit(1).rx(a2, 0).ry(a1, 0)
        assert c.parameters == (a2, a1)
        bound = c.assign_parameters([1.0, 2.0])
        assert [ins.params for ins in bound.data] == [(1.0,), (2.0,)]


def test_deep_parameter_expressions():
    # was: RecursionError once a sum had ~1000 terms (every walk over the tree recursed)
    import copy
    import pickle
    theta = Parameter("theta")
    expr = theta
    for i in range(5000):
        expr = expr + theta * i
    assert expr.parameters == {theta}
    assert expr.bind({theta: 2.0}) == 2.0 * (1 + sum(range(5000)))
    assert str(expr).startswith("theta + theta * 0 + theta * 1.0 + theta * 2.0")
    c = Circuit(1).rx(expr, 0)
    assert c.parameters == (theta,)
    assert c.assign_parameters({theta: 1e-7}).data[0].params[0] == pytest.approx(1.2497501)
    assert pickle.loads(pickle.dumps(expr)) == expr
    assert copy.deepcopy(c) == c
    assert hash(pickle.loads(pickle.dumps(expr))) == hash(expr)
    assert expr != expr + 1


def test_negative_constants_print_unambiguously():
    theta = Parameter("theta")
    assert str((-2.0) ** theta) == "(-2.0)^theta"
    assert str(theta ** -1) == "theta^(-1.0)"
    assert str(-(theta ** 2)) == "-theta^2.0"


# -- builders ------------------------------------------------------------------------------------

def test_empty_ctrl_state_string_with_no_controls():
    # was: ValueError "invalid literal for int() with base 2: ''"
    assert Circuit(1).mcx([], 0, ctrl_state="").data[0].name == "x"


def test_mc_takes_a_single_parameter_without_a_list():
    # was: TypeError "object of type 'float' has no len()"
    c = Circuit(3).mc("rx", [0, 1], [2], 0.5)
    assert c.data[0].params == (0.5,)
    with pytest.raises(CircuitError):
        Circuit(3).mc("u", [0], [1], 0.5)


def test_measure_all_on_zero_qubits_is_a_no_op():
    # was: CircuitError "creg meas needs a positive size, got 0"
    c = Circuit(0).measure_all()
    assert len(c) == 0 and c.num_clbits == 0


def test_float16_unitary_uses_a_half_precision_tolerance():
    # was: refused (tolerance 1e-5, but float16 rounding is ~1e-3)
    h16 = (np.array([[1, 1], [1, -1]]) / math.sqrt(2)).astype(np.float16)
    c = Circuit(1).unitary(h16, 0)
    np.testing.assert_allclose(c.data[0].matrix @ c.data[0].matrix.conj().T, np.eye(2),
                               atol=1e-14)
    with pytest.raises(CircuitError, match="not unitary"):
        Circuit(1).unitary(np.array([[1, 0.1], [0, 1]], dtype=np.float16), 0)


# -- huge clbit indices --------------------------------------------------------------------------

def test_huge_clbit_index_is_refused():
    # was: measure(0, 10**9) made a circuit of 10**9 clbits; depth() and run() then
    # allocated gigabytes (run was killed by the OOM killer)
    with pytest.raises(CircuitError, match="classical bits"):
        Circuit(1).measure(0, 10 ** 9)
    with pytest.raises(CircuitError, match="classical bits"):
        Circuit(1, 10 ** 9)
    with pytest.raises(CircuitError, match="classical bits"):
        Circuit(1).add_creg("big", 10 ** 9)
    with pytest.raises(CircuitError, match="classical bits"):
        Circuit(2).compose(Circuit(1, 1).measure(0, 0), clbits=[10 ** 9])


def test_depth_does_not_allocate_per_wire():
    c = Circuit(10 ** 7, 1 << 20).h(5).cx(5, 9_999_999).measure(5, (1 << 20) - 1)
    tracemalloc.start()
    try:
        assert c.depth() == 3
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


# -- compose -------------------------------------------------------------------------------------

@pytest.mark.parametrize("clbits", [[True], [1.0], [-1], ["0"]])
def test_compose_refuses_bad_clbit_indices(clbits):
    # was: accepted, giving instructions such as "measure q[0] -> c[True]"
    with pytest.raises(CircuitError):
        Circuit(2).compose(Circuit(1, 1).measure(0, 0), clbits=clbits)


def test_compose_refuses_duplicate_clbits():
    # was: two measurements silently merged into one clbit (Qiskit refuses too)
    other = Circuit(2, 2).measure([0, 1], [0, 1])
    with pytest.raises(CircuitError, match="repeat"):
        Circuit(2).compose(other, clbits=[0, 0])


def test_compose_inside_if_test_is_conditioned():
    # was: compose(inplace=True) inside an if_test block added unconditioned gates
    c = Circuit(2, 1)
    with c.if_test(0, 1):
        c.compose(Circuit(2).h(0).cx(0, 1), inplace=True)
    assert all(ins.condition is not None and ins.condition.value == 1 for ins in c.data)
    assert qv.statevector(c)[0] == 1  # clbit 0 reads 0, so nothing happens


def test_compose_of_conditioned_circuit_inside_if_test_is_refused():
    inner = Circuit(1, 1)
    with inner.if_test(0, 1):
        inner.x(0)
    c = Circuit(1, 1)
    with c.if_test(0, 0):
        with pytest.raises(CircuitError, match="one condition"):
            c.compose(inner, inplace=True)


def test_c_if_after_compose_conditions_only_the_composed_part():
    # was: c_if after compose conditioned earlier instructions too (the copy forgot what
    # the last call added, or the in-place compose did not update it)
    for inplace in (False, True):
        c = Circuit(2, 1).x(0)
        c = c.compose(Circuit(2).h(1), inplace=inplace).c_if(0, 1)
        assert c.data[0].condition is None
        assert c.data[1].condition is not None


def test_c_if_on_a_copy_conditions_the_last_call_only():
    c = Circuit(2, 1).x(0).h(1)
    d = c.copy().c_if(0, 1)
    assert d.data[0].condition is None and d.data[1].condition is not None
    assert c.data[1].condition is None  # the original is untouched


def test_c_if_after_inverse_is_refused():
    # was: conditioned every instruction of the inverse
    with pytest.raises(CircuitError):
        Circuit(2, 1).x(0).h(1).inverse().c_if(0, 1)


# -- conditions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [[True], [1.5], True, np.True_, [np.float64(0)], []])
def test_condition_targets_must_be_clbit_indices(target):
    # was: [1.5] read as clbit 1, True as clbit 1, np.True_ a TypeError, [] always true
    c = Circuit(1, 2)
    with pytest.raises(CircuitError):
        with c.if_test(target, 0):
            c.x(0)
    with pytest.raises(CircuitError):
        Circuit(1, 2).x(0).c_if(target, 0)


def test_c_if_inside_if_test_is_refused():
    # was: c_if silently replaced the block's condition
    c = Circuit(2, 1)
    with c.if_test(0, 1):
        with pytest.raises(CircuitError, match="one condition"):
            c.h(1).c_if(0, 0)


def test_compose_into_a_smaller_circuit_says_so():
    # was: "qubit index 1 out of range: the circuit has 1 qubits (0..0)"
    with pytest.raises(CircuitError, match="other circuit has 2 qubits"):
        Circuit(1).compose(Circuit(2).cx(0, 1))
    with pytest.raises(CircuitError, match="other circuit has 2 qubits"):
        Circuit(1) + Circuit(2)
    # placed explicitly it is still refused: qubit 1 does not exist
    with pytest.raises(CircuitError, match="out of range"):
        Circuit(1).compose(Circuit(2).cx(0, 1), qubits=[0, 1])
