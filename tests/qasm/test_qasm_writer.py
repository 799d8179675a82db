"""The OpenQASM writer: text shape, round trips through the reader, and what it refuses."""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit import GATES, Condition, Instruction, Parameter
from qvalley.errors import CircuitError, QasmError
from qvalley.qasm import dump_qasm, load_qasm

from qasm_helpers import assert_same_state, random_table_circuit

QELIB1_TABLE_GATES = [n for n, g in GATES.items() if g.qasm2]


def _decompose_available() -> bool:
    try:
        import qvalley.compile.decompose  # noqa: F401
    except ImportError:
        return False
    return True


needs_decompose = pytest.mark.skipif(not _decompose_available(),
                                     reason="qvalley.compile.decompose not available yet")


def test_version_2_text():
    c = qv.Circuit(2, 2).h(0).cx(0, 1).rz(math.pi / 2, 1).u3(0.1, -0.2, 1e-5, 0)
    c.measure(0, 0).measure(1, 1)
    text = dump_qasm(c)
    assert text == ('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\n'
                    'cx q[0], q[1];\nrz(pi/2) q[1];\nu3(0.1, -0.2, 1.0e-05) q[0];\n'
                    'measure q[0] -> c[0];\nmeasure q[1] -> c[1];\n')
    assert qv.dump_qasm(c) == text


def test_version_3_text():
    c = qv.Circuit(2, 2).h(0).cx(0, 1).u(0.5, 0, 1, 1).measure(1, 1)
    with c.if_test("c", 2):
        c.x(0)
    text = dump_qasm(c, version=3)
    assert text == ('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nbit[2] c;\nh q[0];\n'
                    'cx q[0], q[1];\nU(0.5, 0, 1) q[1];\nc[1] = measure q[1];\n'
                    'if (c == 2) {\n  x q[0];\n}\n')


def test_unknown_version():
    with pytest.raises(QasmError, match="unsupported OpenQASM version 4"):
        dump_qasm(qv.Circuit(1), version=4)
    with pytest.raises(qv.QValleyError):
        dump_qasm(qv.Circuit(1), version="x")


def test_numbers_are_printed_exactly():
    rng = np.random.default_rng(5)
    values = list(rng.normal(size=30) * 10.0 ** rng.integers(-12, 12, 30))
    values += [math.pi, -math.pi / 4, 3 * math.pi / 4, 1e-300, 1.5e300, 0.1 + 0.2, -0.0, 7.0]
    c = qv.Circuit(1)
    for v in values:
        c.rz(float(v), 0)
    back = load_qasm(dump_qasm(c))
    assert [i.params[0] for i in back] == [float(v) for v in values]


@pytest.mark.parametrize("name", sorted(GATES))
def test_round_trip_of_each_table_gate(name):
    spec = GATES[name]
    rng = np.random.default_rng(sorted(GATES).index(name))
    n = spec.num_qubits + 1
    for _ in range(3):
        c = qv.Circuit(n)
        for q in range(n):
            c.u(*rng.uniform(-np.pi, np.pi, 3), q)
        qubits = [int(q) for q in rng.permutation(n)[:spec.num_qubits]]
        c.append(name, qubits, [float(x) for x in rng.uniform(-7, 7, spec.num_params)])
        for version in (2,):
            back = load_qasm(dump_qasm(c, version))
            assert back.num_qubits == n
            assert_same_state(back, c)
        if spec.qasm2:
            assert load_qasm(dump_qasm(c)) == c   # library gates come back unchanged


@pytest.mark.parametrize("seed", range(25))
def test_round_trip_of_random_circuits_over_the_whole_table(seed):
    rng = np.random.default_rng(1000 + seed)
    c = random_table_circuit(rng, int(rng.integers(1, 7)), 40)
    back = load_qasm(dump_qasm(c))
    assert_same_state(back, c)


@pytest.mark.parametrize("seed", range(10))
def test_round_trip_keeps_registers_conditions_and_measurements(seed):
    rng = np.random.default_rng(seed)
    c = qv.Circuit()
    a = c.add_qreg("a", 2)
    b = c.add_qreg("b", int(rng.integers(1, 4)))
    m = c.add_creg("m", 2)
    flag = c.add_creg("flag", 1)
    n = c.num_qubits
    for _ in range(30):
        r = rng.random()
        q = int(rng.integers(n))
        if r < 0.5:
            name = QELIB1_TABLE_GATES[rng.integers(len(QELIB1_TABLE_GATES))]
            spec = GATES[name]
            if spec.num_qubits > n:
                continue
            qs = [int(x) for x in rng.permutation(n)[:spec.num_qubits]]
            c.append(name, qs, [float(x) for x in rng.uniform(-4, 4, spec.num_params)])
        elif r < 0.6:
            c.measure(q, int(rng.integers(3)))
        elif r < 0.7:
            c.reset(q)
        elif r < 0.8:
            c.barrier(*sorted({int(x) for x in rng.integers(n, size=2)}))
        elif r < 0.9:
            with c.if_test("m", int(rng.integers(4))):
                c.x(q)
        else:
            with c.if_test(flag, 1):
                c.rx(float(rng.uniform(-3, 3)), q)
    back = load_qasm(dump_qasm(c))
    assert [(r.name, r.start, r.size) for r in back.qregs] == \
        [(r.name, r.start, r.size) for r in c.qregs]
    assert [(r.name, r.start, r.size) for r in back.cregs] == \
        [(r.name, r.start, r.size) for r in c.cregs]
    assert back == c
    assert [i.condition for i in back] == [i.condition for i in c]
    assert a.size == 2 and m.size == 2 and b.size >= 1


def test_barrier_over_whole_registers_is_written_by_name():
    c = qv.Circuit()
    c.add_qreg("a", 2)
    c.add_qreg("b", 2)
    c.barrier()
    c.barrier(0, 1, 3)
    text = dump_qasm(c)
    assert "barrier a,b;" in text
    assert "barrier a,b[1];" in text
    assert [i.qubits for i in load_qasm(text)] == [(0, 1, 2, 3), (0, 1, 3)]


def test_definitions_are_emitted_once_and_before_use():
    c = qv.Circuit(3).ecr(0, 1).ecr(1, 2).rzx(0.3, 0, 2).ccz(0, 1, 2).iswap(2, 0)
    text = dump_qasm(c)
    assert text.count("gate rzx(") == 1 and text.count("gate ecr ") == 1
    assert text.index("gate rzx(") < text.index("gate ecr ") < text.index("qreg q[3];")
    assert "gate ccz" in text and "gate iswap" in text
    assert_same_state(load_qasm(text), c)


def test_condition_on_a_one_bit_register_and_on_bits():
    c = qv.Circuit(2)
    c.add_creg("c", 2)
    c.add_creg("f", 1)
    with c.if_test(2, 1):          # clbit 2 is the whole register f
        c.x(0)
    assert "if(f==1) x q[0];" in dump_qasm(c)
    c2 = qv.Circuit(2, 2)
    with c2.if_test(1, 1):         # one bit of a two-bit register
        c2.x(0)
    with pytest.raises(CircuitError, match="whole register"):
        dump_qasm(c2)
    assert "if (c[1]) {" in dump_qasm(c2, 3)
    c3 = qv.Circuit(2, 3)
    with c3.if_test([0, 2], 2):
        c3.x(0)
    assert "if (!c[0] && c[2]) {" in dump_qasm(c3, 3)


def test_unbound_parameters():
    theta = Parameter("theta")
    c = qv.Circuit(1).rx(theta, 0).rz(2 * theta + 1, 0)
    with pytest.raises(CircuitError, match="bind parameters before exporting to OpenQASM 2"):
        dump_qasm(c)
    bound = c.assign_parameters({theta: 0.25})
    assert_same_state(load_qasm(dump_qasm(bound)), bound)
    text = dump_qasm(c, 3)
    assert "input float[64] theta;" in text
    assert "rx(theta) q[0];" in text and "rz(2 * theta + 1) q[0];" in text


def test_symbolic_expression_printing_in_version_3():
    a, b = Parameter("a"), Parameter("b")
    c = qv.Circuit(1).rz((-a) ** 2, 0).rz(-(a ** b), 0).rz((a + b) * (a - b) / 2, 0)
    c.rz(a.log() + b.sqrt() - (a / b).exp(), 0)
    text = dump_qasm(c, 3)
    assert "rz((-a)**2) q[0];" in text
    assert "rz(-a**b) q[0];" in text
    assert "rz((a + b) * (a - b) / 2) q[0];" in text
    assert "rz(log(a) + sqrt(b) - exp(a / b)) q[0];" in text


def test_opaque_instructions_round_trip():
    c = load_qasm('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nopaque magic(a) x, y;\n'
                  "h q[0];\nmagic(0.5) q[1], q[0];\n")
    text = dump_qasm(c)
    assert "opaque magic(p0) q0, q1;" in text and "magic(0.5) q[1], q[0];" in text
    assert load_qasm(text) == c
    with pytest.raises(CircuitError, match="opaque"):
        dump_qasm(c, 3)


def test_register_names_are_made_valid():
    c = qv.Circuit()
    c.add_qreg("Q", 1)
    c.add_qreg("h", 1)
    c.add_creg("my bits", 1)
    c.h(0).cx(0, 1).measure(1, 0)
    text = dump_qasm(c)
    back = load_qasm(text)
    assert [r.name for r in back.qregs] == ["r_Q", "h_1"]
    assert [r.name for r in back.cregs] == ["my_bits"]
    assert_same_state(back, c)


def test_empty_circuit():
    assert dump_qasm(qv.Circuit()) == 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
    assert len(load_qasm(dump_qasm(qv.Circuit()))) == 0


def test_not_a_circuit():
    with pytest.raises(CircuitError):
        dump_qasm("OPENQASM 2.0;")


def test_multi_controlled_gates_in_version_3_use_modifiers():
    c = qv.Circuit(4)
    c.mcx([0, 1, 2], 3, ctrl_state="011")       # controls 0, 1 must be 1, control 2 must be 0
    c.mc("rz", [3, 0], [1], [0.5])
    c.mc("u3", [2], [0], [0.1, 0.2, 0.3], ctrl_state=0)
    text = dump_qasm(c, 3)
    assert "ctrl(2) @ negctrl @ x q[0], q[1], q[2], q[3];" in text
    assert "ctrl(2) @ rz(0.5) q[3], q[0], q[1];" in text
    assert "negctrl @ U(0.1, 0.2, 0.3) q[2], q[0];" in text


@needs_decompose
def test_multi_controlled_and_unitary_in_version_2_are_decomposed():
    rng = np.random.default_rng(3)
    c = qv.Circuit(4)
    for q in range(4):
        c.u(*rng.uniform(-3, 3, 3), q)
    c.mcx([0, 1, 2], 3, ctrl_state="010")
    c.mc("ry", [3, 1], [0], [0.7])
    z = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
    q_, _ = np.linalg.qr(z)
    c.unitary(q_, [2, 0])
    c.mc(np.array([[0, 1], [1, 0]]), [1], [3])
    text = dump_qasm(c)
    assert_same_state(load_qasm(text), c)


@needs_decompose
def test_conditioned_unitary_keeps_its_condition():
    c = qv.Circuit(2, 1)
    c.x(0).measure(0, 0)
    with c.if_test("c", 1):
        c.unitary(np.array([[0, 1], [1, 0]]), [1])
    back = load_qasm(dump_qasm(c))
    assert all(i.condition == Condition((0,), 1, "c") for i in back[2:])
    assert qv.run(back, shots=5, seed=1).counts == qv.run(c, shots=5, seed=1).counts


def test_writer_output_of_instruction_kinds_it_cannot_write():
    c = qv.Circuit(1)
    c._data.append(Instruction("delay", "delay", (0,), (10,)))
    with pytest.raises(CircuitError, match="cannot write"):
        dump_qasm(c)


def _stub_decompose(instr: Instruction) -> list[Instruction]:
    """A stand-in for qvalley.compile.decompose on the two shapes used below."""
    if instr.kind == "unitary":
        assert np.allclose(instr.matrix, [[0, 1], [1, 0]])
        return [Instruction("gate", "x", instr.qubits)]
    assert (instr.name, instr.num_ctrl, instr.ctrl_state) == ("x", 1, 0)
    a, b = instr.qubits
    return [Instruction("gate", "x", (a,)), Instruction("gate", "cx", (a, b)),
            Instruction("gate", "x", (a,))]


def test_writer_hands_unitaries_and_controlled_gates_to_decompose(monkeypatch):
    import sys
    import types
    stub = types.ModuleType("qvalley.compile.decompose")
    stub.decompose_instruction = _stub_decompose
    monkeypatch.setitem(sys.modules, "qvalley.compile.decompose", stub)
    c = qv.Circuit(2, 1)
    c.h(0).measure(0, 0)
    c.mcx([0], 1, ctrl_state=0)
    with c.if_test("c", 1):
        c.unitary(np.array([[0, 1], [1, 0]]), [1])
    text = dump_qasm(c)
    assert "x q[0];\ncx q[0], q[1];\nx q[0];\nif(c==1) x q[1];" in text
    back = load_qasm(text)
    assert back[-1].condition == Condition((0,), 1, "c")
    assert qv.run(back, shots=50, seed=4).counts == qv.run(c, shots=50, seed=4).counts
    assert "if (c == 1) {\n  x q[1];\n}" in dump_qasm(c, 3)
    assert "negctrl @ x q[0], q[1];" in dump_qasm(c, 3)


def test_writer_without_decompose_says_what_is_missing(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "qvalley.compile.decompose", None)  # import fails
    c = qv.Circuit(1).unitary(np.eye(2), [0])
    with pytest.raises(CircuitError, match="qvalley.compile.decompose"):
        dump_qasm(c)


@needs_decompose
@pytest.mark.parametrize("seed", range(6))
def test_random_controlled_gates_and_unitaries_round_trip(seed):
    rng = np.random.default_rng(900 + seed)
    n = 5
    c = qv.Circuit(n)
    for q in range(n):
        c.u(*rng.uniform(-3, 3, 3), q)
    one_qubit = [name for name, g in GATES.items() if g.num_qubits == 1]
    for _ in range(4):
        base = GATES[one_qubit[rng.integers(len(one_qubit))]]
        k = int(rng.integers(1, 4))
        qs = [int(q) for q in rng.permutation(n)[:k + 1]]
        c.mc(base.name, qs[:k], [qs[k]], [float(x) for x in rng.uniform(-3, 3, base.num_params)],
             ctrl_state=int(rng.integers(1 << k)))
        z = rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4))
        c.unitary(np.linalg.qr(z)[0], [int(q) for q in rng.permutation(n)[:2]])
    for version in (2,):
        assert_same_state(load_qasm(dump_qasm(c, version)), c)
