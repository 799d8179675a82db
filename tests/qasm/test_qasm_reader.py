"""The OpenQASM 2.0 reader on valid programs: every statement of the language."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit import GATES, Condition, Instruction
from qvalley.qasm import load_qasm
from qvalley.qasm.qelib1 import qelib1_gates

from qasm_helpers import HEADER, assert_same_state


def test_every_qelib1_gate_binds_to_its_table_gate():
    rng = np.random.default_rng(11)
    lines, expected = [], qv.Circuit(5)
    for name, target in sorted(qelib1_gates().items()):
        spec = GATES[target]
        params = [float(x) for x in rng.uniform(-3, 3, spec.num_params)]
        qubits = [int(q) for q in rng.permutation(5)[:spec.num_qubits]]
        ptext = f"({', '.join(repr(p) for p in params)})" if params else ""
        lines.append(f"{name}{ptext} " + ", ".join(f"q[{q}]" for q in qubits) + ";")
        expected.append(target, qubits, params)
    c = load_qasm(HEADER + "qreg q[5];\n" + "\n".join(lines))
    assert len(c) == len(expected) == len(qelib1_gates())
    assert c == expected
    for got, want in zip(c, expected):
        assert got.params == want.params  # exact floats, not merely close


def test_builtins_work_without_qelib1():
    c = load_qasm("OPENQASM 2.0;\nqreg q[2];\nU(pi/2, 0, pi) q[0];\nCX q[0], q[1];")
    assert [i.name for i in c] == ["u", "cx"]
    assert c[0].params == (math.pi / 2, 0.0, math.pi)
    bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    assert_same_state(c, bell)


def test_registers_are_laid_out_in_declaration_order():
    c = load_qasm(HEADER + "qreg a[2];\ncreg m[1];\nqreg b[3];\ncreg n[2];\n"
                  "x a[1];\nx b[0];\nmeasure b[2] -> n[1];\nmeasure a[0] -> m[0];")
    assert [(r.name, r.start, r.size) for r in c.qregs] == [("a", 0, 2), ("b", 2, 3)]
    assert [(r.name, r.start, r.size) for r in c.cregs] == [("m", 0, 1), ("n", 1, 2)]
    assert c.num_qubits == 5 and c.num_clbits == 3
    assert [i.qubits for i in c] == [(1,), (2,), (4,), (0,)]
    assert [i.clbits for i in c][2:] == [(2,), (0,)]


def test_broadcasting_over_registers():
    c = load_qasm(HEADER + "qreg a[3];\nqreg b[3];\ncreg c[3];\n"
                  "h a;\ncx a, b;\ncx a[0], b;\nrz(0.5) b;\nmeasure a -> c;\nreset b;\n"
                  "barrier a, b[1];")
    ops = [(i.name, i.qubits) for i in c]
    assert ops[:3] == [("h", (0,)), ("h", (1,)), ("h", (2,))]
    assert ops[3:6] == [("cx", (0, 3)), ("cx", (1, 4)), ("cx", (2, 5))]
    assert ops[6:9] == [("cx", (0, 3)), ("cx", (0, 4)), ("cx", (0, 5))]
    assert ops[9:12] == [("rz", (3,)), ("rz", (4,)), ("rz", (5,))]
    assert [(i.kind, i.qubits, i.clbits) for i in c][12:15] == \
        [("measure", (q,), (q,)) for q in range(3)]
    assert ops[15:18] == [("reset", (3,)), ("reset", (4,)), ("reset", (5,))]
    assert ops[18] == ("barrier", (0, 1, 2, 4))


def test_if_conditions_on_the_whole_register():
    c = load_qasm(HEADER + "qreg q[2];\ncreg a[1];\ncreg c[2];\nmeasure q[0] -> c[0];\n"
                  "if (c == 3) x q[1];\nif(c==1) measure q[1] -> a[0];\nif (a==0) reset q;\n"
                  "if (c==2) cx q[0], q[1];")
    cond_c3 = Condition((1, 2), 3, "c")
    assert c[1].condition == cond_c3 and c[1].name == "x"
    assert c[2].kind == "measure" and c[2].condition == Condition((1, 2), 1, "c")
    assert [i.condition for i in c[3:5]] == [Condition((0,), 0, "a")] * 2
    assert c[5].condition.value == 2


def test_measure_reset_barrier():
    c = load_qasm(HEADER + "qreg q[3];\ncreg c[3];\nx q[0];\nbarrier q;\nreset q[1];\n"
                  "measure q[0] -> c[2];\nbarrier q[0], q[2], q[0];")
    assert [i.kind for i in c] == ["gate", "barrier", "reset", "measure", "barrier"]
    assert c[1].qubits == (0, 1, 2)
    assert c[3].qubits == (0,) and c[3].clbits == (2,)
    assert c[4].qubits == (0, 2)
    res = qv.run(c, shots=20, seed=3)
    assert res.counts == {"100": 20}


def test_user_gates_with_parameters_and_nesting():
    src = HEADER + """
qreg q[3];
gate rot(theta, phi) a { rz(phi) a; ry(theta/2) a; rz(-phi) a; }
gate pair(t) a, b { rot(t, t^2) a; cx a, b; rot(-t, 2*t) b; }
gate trio(x, y) a, b, c { pair(x + y) a, b; barrier a, c; pair(x*y) b, c; ccx a, b, c; }
trio(0.3, -1.1) q[2], q[0], q[1];
pair(pi/3) q[1], q[2];
"""
    c = load_qasm(src)
    want = qv.Circuit(3)

    def rot(theta, phi, a):
        want.rz(phi, a).ry(theta / 2, a).rz(-phi, a)

    def pair(t, a, b):
        rot(t, t ** 2, a)
        want.cx(a, b)
        rot(-t, 2 * t, b)

    pair(0.3 + -1.1, 2, 0)
    want.barrier(2, 1)
    pair(0.3 * -1.1, 0, 1)
    want.ccx(2, 0, 1)
    pair(math.pi / 3, 1, 2)
    assert [i.name for i in c] == [i.name for i in want]
    assert c == want
    assert_same_state(c, want)


def test_user_gate_broadcast_and_condition():
    c = load_qasm(HEADER + "qreg a[2];\nqreg b[2];\ncreg c[1];\n"
                  "gate g(t) x, y { h x; crz(t) x, y; }\ng(0.25) a, b;\nif (c==1) g(1) a[0], b[1];")
    assert [(i.name, i.qubits) for i in c] == [("h", (0,)), ("crz", (0, 2)), ("h", (1,)),
                                               ("crz", (1, 3)), ("h", (0,)), ("crz", (0, 3))]
    assert all(i.condition == Condition((0,), 1, "c") for i in c[4:])
    assert c[1].params == (0.25,)


def test_gate_with_empty_body_and_empty_params():
    c = load_qasm(HEADER + "qreg q[1];\ngate nothing() a { }\nnothing q[0];\nnothing() q[0];")
    assert len(c) == 0


def test_opaque_gates_are_kept_and_refused_by_the_simulator():
    c = load_qasm(HEADER + "qreg q[2];\nopaque magic(a, b) x, y;\nopaque tick q;\n"
                  "gate wrap(t) u, v { magic(t, 2*t) v, u; h u; }\n"
                  "magic(0.5, pi) q[0], q[1];\ntick q;\nwrap(1) q[0], q[1];")
    assert c[0] == Instruction("opaque", "magic", (0, 1), (0.5, math.pi))
    assert [(i.kind, i.name, i.qubits) for i in c[1:3]] == [("opaque", "tick", (0,)),
                                                            ("opaque", "tick", (1,))]
    assert c[3] == Instruction("opaque", "magic", (1, 0), (1.0, 2.0))
    with pytest.raises(qv.CircuitError, match="opaque"):
        qv.statevector(c)


@pytest.mark.parametrize("expr, value", [
    ("pi", math.pi),
    ("-pi/2", -math.pi / 2),
    ("2^3^2", 512.0),                      # ^ is right-associative
    ("-2^2", -4.0),                        # unary minus binds looser than ^
    ("2^-1", 0.5),
    ("(1+2)*3-4/8", 8.5),
    ("1 - 2 - 3", -4.0),
    ("8/2/2", 2.0),
    ("+3", 3.0),
    ("- -1", 1.0),
    ("1.5e-3", 1.5e-3),
    ("2E2", 200.0),
    (".5", 0.5),
    ("5.", 5.0),
    ("sin(pi/6)", math.sin(math.pi / 6)),
    ("cos(0)+tan(0.3)", 1 + math.tan(0.3)),
    ("exp(1)", math.e),
    ("ln(exp(2))", math.log(math.exp(2))),
    ("sqrt(2)*sqrt(2)", math.sqrt(2) * math.sqrt(2)),
    ("((((0.25))))", 0.25),                # deeper than the fast path's one level
    ("sin(cos(sqrt(4)))", math.sin(math.cos(2.0))),
    ("2*pi - pi/4", 2 * math.pi - math.pi / 4),
])
def test_expressions(expr, value):
    c = load_qasm(HEADER + f"qreg q[1];\nrz({expr}) q[0];\nrz(\n  {expr}\n) q[0];")
    assert c[0].params == (value,)
    assert c[1].params == (value,)


def test_expressions_with_gate_parameters():
    c = load_qasm(HEADER + "qreg q[1];\n"
                  "gate g(a, b) x { rz(a^b^2) x; rz(-a^2) x; rz(ln(b)*sqrt(a)/exp(a)) x; }\n"
                  "g(2, 3) q[0];")
    assert [i.params[0] for i in c] == [2.0 ** 9, -4.0,
                                        math.log(3) * math.sqrt(2) / math.exp(2)]


def test_comments_whitespace_and_newlines():
    src = """// a leading comment
OPENQASM 2.0; /* block comment ; with a semicolon */
include "qelib1.inc"; // trailing comment; with a semicolon
qreg
  q [ 2 ] ;
/* multi
   line ; comment */ h q[0];
cx q[0] ,
   q[1] ; // done
// c;omment h q[1];
u3 ( pi / 2 , 0 ,
 pi ) q [ 1 ] ;;
"""
    c = load_qasm(src)
    assert [(i.name, i.qubits) for i in c] == [("h", (0,)), ("cx", (0, 1)), ("u3", (1,))]
    assert c[2].params == (math.pi / 2, 0.0, math.pi)


def test_statements_may_follow_a_gate_body_on_the_same_line():
    c = load_qasm(HEADER + "qreg q[2]; gate g a { h a; x a; } g q[0]; g q[1]; gate k a { z a; }")
    assert [(i.name, i.qubits) for i in c] == [("h", (0,)), ("x", (0,)), ("h", (1,)),
                                               ("x", (1,))]


def test_program_without_trailing_newline_and_trailing_comment():
    c = load_qasm(HEADER + "qreg q[1]; x q[0]; // end")
    assert len(c) == 1
    c = load_qasm(HEADER + "qreg q[1]; x q[0];")
    assert len(c) == 1


def test_user_definition_may_replace_an_alias_binding():
    c = load_qasm(HEADER + "qreg q[4];\ngate cccx a, b, c, d { x d; }\ncccx q[0], q[1], q[2], q[3];")
    assert [i.name for i in c] == ["x"]
    c = load_qasm(HEADER + "qreg q[4];\ncccx q[0], q[1], q[2], q[3];")
    assert [i.name for i in c] == ["c3x"]


def test_qiskit_style_definitions_of_non_qelib1_gates_are_inlined():
    src = HEADER + """gate rzx(param0) q0,q1 { h q1; cx q0,q1; rz(param0) q1; cx q0,q1; h q1; }
gate ecr q0,q1 { rzx(pi/4) q0,q1; x q0; rzx(-pi/4) q0,q1; }
qreg q[2];
h q[0];
ecr q[0],q[1];
"""
    c = load_qasm(src)
    want = qv.Circuit(2).h(0).ecr(0, 1)
    assert_same_state(c, want)
    assert "ecr" not in c.count_ops()


def test_include_a_user_library(tmp_path: Path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "mygates.inc").write_text("gate bell a, b { h a; cx a, b; }\n"
                                     'include "more.inc";\n')
    (lib / "more.inc").write_text("gate flip a { x a; }\n")
    main = lib / "prog.qasm"
    main.write_text(HEADER + 'include "mygates.inc";\nqreg q[2];\nbell q[0], q[1];\nflip q[1];\n')
    c = load_qasm(main)                       # found next to the including file
    assert [i.name for i in c] == ["h", "cx", "x"]
    assert c.name == "prog"
    text = main.read_text()
    c2 = load_qasm(text, include_path=[str(lib)])  # text: found through include_path
    assert c2 == c
    c3 = load_qasm(str(main))
    assert c3 == c


def test_qelib1_included_twice_is_harmless():
    c = load_qasm(HEADER + 'include "qelib1.inc";\nqreg q[1];\nh q[0];')
    assert len(c) == 1


def test_identical_statements_give_equal_instructions():
    c = load_qasm(HEADER + "qreg q[2];\n" + "cx q[0],q[1];\n" * 5 + "rz(0.5) q[1];\n" * 3)
    assert len(c) == 8
    assert all(i == Instruction("gate", "cx", (0, 1)) for i in c[:5])
    assert all(i.params == (0.5,) for i in c[5:])


def test_source_detection_and_bytes():
    text = HEADER + "qreg q[1];\nx q[0];\n"
    assert load_qasm(text.encode()) == load_qasm(text)
    assert qv.load_qasm(text) == load_qasm(text)   # the top-level forwarder
    assert load_qasm('OPENQASM 2.0; qreg q[1];').num_qubits == 1


def test_loaded_circuit_simulates_like_the_builder_circuit():
    src = HEADER + """qreg q[3];
creg c[3];
h q[0];
cx q[0], q[1];
cu3(0.3, 0.2, 0.1) q[1], q[2];
rxx(0.7) q[0], q[2];
c3sqrtx q[0], q[1], q[2], q[0];
"""
    with pytest.raises(qv.QasmError):
        load_qasm(src)  # c3sqrtx needs 4 distinct qubits
    src = src.replace("c3sqrtx q[0], q[1], q[2], q[0];", "rccx q[2], q[0], q[1];")
    want = qv.Circuit(3).h(0).cx(0, 1).cu3(0.3, 0.2, 0.1, 1, 2).rxx(0.7, 0, 2).rccx(2, 0, 1)
    assert_same_state(load_qasm(src), want)


def test_file_with_byte_order_mark_and_crlf(tmp_path: Path):
    path = tmp_path / "bom.qasm"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "qreg q[1];\r\nx q[0];\r\n").encode())
    c = load_qasm(path)
    assert [i.name for i in c] == ["x"]


def test_alias_defined_before_the_include_is_kept():
    c = load_qasm('OPENQASM 2.0;\ngate cccx a, b, c, d { CX a, d; }\ninclude "qelib1.inc";\n'
                  "qreg q[4];\ncccx q[0], q[1], q[2], q[3];\nc3x q[0], q[1], q[2], q[3];")
    assert [i.name for i in c] == ["cx", "c3x"]


def test_c_if_after_loading_conditions_only_new_instructions():
    c = load_qasm(HEADER + "qreg q[1];\ncreg c[1];\nh q[0];")
    with pytest.raises(qv.CircuitError):
        c.c_if("c", 1)
    c.x(0).c_if("c", 1)
    assert c[0].condition is None and c[1].condition == Condition((0,), 1, "c")


def test_program_may_define_gates_added_after_the_original_qelib1():
    """Programs written against the 2017 qelib1.inc define their own ``cu`` (QASMBench's
    ipea_n2 does); Qiskit's extended header also has a 4-parameter ``cu``. The program's
    definition wins, and statements after it use it."""
    import numpy as np
    import qvalley as qv
    src = """OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
gate cu c,t { cu1(pi/2) c,t; }
x q[0];
x q[1];
cu q[0],q[1];
"""
    c = qv.load_qasm(src)
    expected = np.zeros(4, dtype=complex)
    expected[3] = 1j
    assert np.allclose(qv.statevector(c), expected)


def test_program_may_not_redefine_an_original_qelib1_gate():
    import qvalley as qv
    src = 'OPENQASM 2.0;\ninclude "qelib1.inc";\ngate h a { x a; }\n'
    with pytest.raises(qv.QasmError) as err:
        qv.load_qasm(src)
    assert (err.value.line, err.value.column) == (3, 6)
    assert "already defined" in err.value.message
