"""Golden and property tests of the text drawer (``draw_text``, ``Circuit.__str__``).

The golden strings pin the layout down to the character: a change to them is a change
users see in ``print(circuit)`` and ``qvalley draw``, so it should be deliberate.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit import GATES, Instruction
from qvalley.viz import draw_text, format_param

BELL = """\
q_0: ─H──■──M────
         │  ║
q_1: ────⊕──╫──M─
            ║  ║
c: 2/═══════╩══╩═
            0  1"""

GHZ = """\
   q_0: ─H──■─────░──M───────
            │     ░  ║
   q_1: ────⊕──■──░──╫──M────
               │  ░  ║  ║
   q_2: ───────⊕──░──╫──╫──M─
                     ║  ║  ║
meas: 3/═════════════╩══╩══╩═
                     0  1  2"""

GHZ_ASCII = """\
   q_0: -H--*-----#--M-------
            |     #  |
   q_1: ----X--*--#--+--M----
               |  #  |  |
   q_2: -------X--#--+--+--M-
                     |  |  |
meas: 3/=============+==+==+=
                     0  1  2"""

MIXED = """\
  q[0]: ─RX(theta)───░───■────────────────■───────
                     ░   │                │
  q[1]: ──RY(π/2)────░───■──V─────H───────┼─────x─
                     ░   │        ║       │     │
  q[2]: ─RZ(-3π/4)───░───■────────╫─────P(π/2)──┼─
                         │        ║             │
anc[0]: ──P(0.25)───|0>──⊕──M─────╫─────────────x─
                            ║     ║
   c: 2/════════════════════╩═════■═══════════════
                            0  if c==1"""

MIXED_ASCII = """\
  q[0]: -RX(theta)----#---*-----------------*-------
                      #   |                 |
  q[1]: --RY(pi/2)----#---*--V-----H--------+-----x-
                      #   |        |        |     |
  q[2]: -RZ(-3pi/4)---#---*--------+-----P(pi/2)--+-
                          |        |              |
anc[0]: --P(0.25)----|0>--X--M-----+--------------x-
                             |     |
   c: 2/=====================+=====*================
                             0  if c==1"""

FOLDED = """\
q_0: ─H──■─────H─────■─────H─────■─»
         │           │           │
q_1: ────⊕──RZ(0.1)──⊕──RZ(0.2)──⊕─»

q_0: «────H─────■─────H─────■─────H────»
                │           │
q_1: «─RZ(0.3)──⊕──RZ(0.4)──⊕──RZ(0.5)─»

q_0: «─■─────H─────■─────H─────■─»
       │           │           │
q_1: «─⊕──RZ(0.6)──⊕──RZ(0.7)──⊕─»

q_0: «────H─────■─────H─────■────H───»
                │           │
q_1: «─RZ(0.8)──⊕──RZ(0.9)──⊕──RZ(1)─»

q_0: «─■─────H─────■──────────
       │           │
q_1: «─⊕──RZ(1.1)──⊕──RZ(1.2)─"""

MULTI = """\
q_0: ─■──■──x──────■────────#2──RZZ(0.5)─
      │  │  │      │        │      │
q_1: ─⊕──■──x──────┼────────┼──────┼─────
      │  │  │      │        │      │
q_2: ─○──■──■──U(π,0,π,0)──ECR──RZZ(0.5)─"""


def bell() -> qv.Circuit:
    c = qv.Circuit(2).h(0).cx(0, 1)
    return c.measure(0, 0).measure(1, 1)


def ghz() -> qv.Circuit:
    return qv.Circuit(3).h(0).cx(0, 1).cx(1, 2).measure_all()


def mixed() -> qv.Circuit:
    """Registers, a symbolic parameter, π fractions, barrier, reset, a multi-controlled
    gate, a labelled unitary, a mid-circuit measurement and a condition."""
    theta = qv.Parameter("theta")
    c = qv.Circuit()
    c.add_qreg("q", 3)
    c.add_qreg("anc", 1)
    c.add_creg("c", 2)
    c.rx(theta, 0).ry(math.pi / 2, 1).rz(-3 * math.pi / 4, 2).p(0.25, 3)
    c.barrier(0, 1, 2)
    c.reset(3)
    c.mcx([0, 1, 2], 3)
    c.unitary(np.array([[0, 1], [1, 0]]), [1], label="V")
    c.measure(3, 0)
    with c.if_test("c", 1):
        c.h(1)
    return c.cp(math.pi / 2, 0, 2).swap(1, 3)


def long_circuit() -> qv.Circuit:
    c = qv.Circuit(2)
    for i in range(12):
        c.h(0).cx(0, 1).rz(0.1 * (i + 1), 1)
    return c


# -- golden drawings ---------------------------------------------------------------------------

def test_bell_golden():
    assert draw_text(bell()) == BELL


def test_ghz_measure_all_golden():
    assert draw_text(ghz()) == GHZ
    assert draw_text(ghz(), ascii=True) == GHZ_ASCII


def test_mixed_golden():
    assert draw_text(mixed()) == MIXED
    assert draw_text(mixed(), ascii=True) == MIXED_ASCII


def test_fold_golden():
    assert draw_text(long_circuit(), fold=40) == FOLDED


def test_multi_qubit_gates_golden():
    """Open controls, ccz as three dots, cswap, cu (control + U label), an asymmetric
    two-qubit gate (label on its first qubit, #2 on the second), a symmetric one."""
    c = qv.Circuit(3).mcx([0, 2], 1, ctrl_state="01").ccz(0, 1, 2).cswap(2, 0, 1)
    c.cu(math.pi, 0, math.pi, 0, 0, 2).ecr(2, 0).rzz(0.5, 2, 0)
    assert draw_text(c) == MULTI


# -- behaviour --------------------------------------------------------------------------------

def test_str_and_draw_use_the_text_drawer():
    c = ghz()
    assert str(c) == draw_text(c) == c.draw()
    assert c.draw(ascii=True, fold=-1) == draw_text(c, ascii=True, fold=-1)


def test_output_is_deterministic():
    assert draw_text(mixed()) == draw_text(mixed())


def test_ascii_mode_is_pure_ascii():
    for circuit in (bell(), ghz(), mixed(), long_circuit()):
        draw_text(circuit, ascii=True, fold=30).encode("ascii")


def test_folding_respects_the_width():
    text = draw_text(long_circuit(), fold=40)
    assert max(len(line) for line in text.splitlines()) <= 40
    assert text.count("«") == 4 * 2      # 4 continuation pages, 2 wires each


def test_no_folding_with_minus_one():
    text = draw_text(long_circuit(), fold=-1)
    assert "»" not in text and "«" not in text
    assert len(text.splitlines()) == 3        # q_0, gap, q_1
    assert draw_text(long_circuit(), fold=None) == text


def test_a_column_wider_than_fold_gets_its_own_page():
    c = qv.Circuit(1).h(0).u(0.123456, 1.5, 2.5, 0).x(0)
    text = draw_text(c, fold=10)
    assert "U(0.12346,1.5,2.5)" in text
    pages = text.split("\n\n")
    assert len(pages) == 3


def test_gates_on_disjoint_qubits_share_a_column():
    text = draw_text(qv.Circuit(3).h(0).x(1).cx(0, 2).y(1))
    lines = text.splitlines()
    assert lines[0].index("H") == lines[2].index("X")
    # cx spans qubit 1, so y(1) cannot share its column: it comes after
    assert lines[2].index("Y") > lines[0].index("■")


def test_connector_crosses_intermediate_wires():
    lines = draw_text(qv.Circuit(3).cx(0, 2)).splitlines()
    col = lines[0].index("■")
    assert [lines[r][col] for r in range(5)] == ["■", "│", "┼", "│", "⊕"]


def test_single_bit_condition_names_the_bit():
    c = qv.Circuit(1, 2).measure(0, 1).x(0).c_if(1, 1)
    assert "if c[1]==1" in draw_text(c)


def test_several_classical_registers():
    c = qv.Circuit(2)
    c.add_creg("a", 1)
    c.add_creg("b", 2)
    c.measure(0, 2)
    text = draw_text(c)
    assert "a: 1/" in text and "b: 2/" in text
    lines = text.splitlines()
    col = lines[0].index("M")
    assert lines[4][col] == "╬"      # crosses register a on its way to b
    assert lines[6][col] == "╩"
    assert lines[7][col] == "1"      # bit 1 of register b


def test_parameters_print_compactly():
    assert format_param(math.pi / 2) == "π/2"
    assert format_param(-3 * math.pi / 4) == "-3π/4"
    assert format_param(2 * math.pi) == "2π"
    assert format_param(math.pi) == "π"
    assert format_param(-math.pi) == "-π"
    assert format_param(math.pi / 2, ascii=True) == "pi/2"
    assert format_param(0.5) == "0.5"
    assert format_param(0.0) == "0"
    assert format_param(-0.0) == "0"
    assert format_param(1 / 3) == "0.33333"
    assert format_param(1e-7) == "1e-07"
    theta = qv.Parameter("theta")
    assert format_param(theta) == "theta"
    assert format_param(2 * theta + 1) == "2*theta+1"
    assert format_param(theta + math.pi / 2) == "theta+π/2"
    assert format_param(theta + math.pi / 2, ascii=True) == "theta+pi/2"


@pytest.mark.parametrize("name", sorted(GATES))
def test_every_gate_of_the_table_draws(name):
    spec = GATES[name]
    c = qv.Circuit(spec.num_qubits + 1)
    params = [0.25 * (i + 1) for i in range(spec.num_params)]
    c.append(name, list(range(1, spec.num_qubits + 1)), params)
    text = draw_text(c)
    assert text.startswith("q_0: ")
    assert len(text.splitlines()) == 2 * (spec.num_qubits + 1) - 1
    if spec.num_params and name != "cu":
        assert "0.25" in text
    draw_text(c, ascii=True).encode("ascii")


def test_opaque_instruction_draws_by_name():
    c = qv.Circuit(2)
    c.append(Instruction("opaque", "mygate", (1, 0), (0.5,)))
    lines = draw_text(c).splitlines()
    assert "mygate(0.5)" in lines[2] and "#2" in lines[0]


def test_empty_circuits():
    assert draw_text(qv.Circuit(0)) == ""
    assert draw_text(qv.Circuit(2)) == "q_0: ───\n\nq_1: ───"
    assert draw_text(qv.Circuit(1, 1)) == "q_0: ───\n\nc: 1/═══"
