"""The OpenQASM 2.0 reader on invalid programs: each error's file, line, column and message."""
from __future__ import annotations

from pathlib import Path

import pytest

import qvalley as qv
from qvalley.errors import QasmError
from qvalley.qasm import load_qasm

H = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'   # two lines: programs below start on line 3

# (program, line, column, phrase the message must contain)
CASES = {
    "missing header": ("qreg q[1];\n", 1, 1, "expected the header 'OPENQASM 2.0;'"),
    "empty program": ("// nothing here\n", 2, 1, "found an empty program"),
    "header not first": ("qreg q[1];\nOPENQASM 2.0;", 1, 1, "expected the header"),
    "wrong version": ("OPENQASM 4.0;\nqubit q;", 1, 10, "unsupported OpenQASM version 4.0"),
    "second header": (H + "OPENQASM 2.0;", 3, 1, "may appear only once"),
    "missing semicolon": (H + "qreg q[2]\nh q[0];", 3, 10, "expected ';'"),
    "missing semicolon after gate": (H + "qreg q[2];\nh q[0]\ncx q[0], q[1];", 4, 7,
                                     "expected ';' after the arguments of 'h', found 'cx'"),
    "missing semicolon at end": (H + "qreg q[2];\nh q[0]", 4, 7, "found end of file"),
    "unknown gate": (H + "qreg q[2];\ncs q[0], q[1];", 4, 1, "unknown gate 'cs'"),
    "unknown gate hint table": (H + "qreg q[2];\ncs q[0], q[1];", 4, 1, "not in qelib1.inc"),
    "unknown gate typo": (H + "qreg q[2];\n  hh q[0];", 4, 3, "did you mean 'h'?"),
    "missing include": ("OPENQASM 2.0;\nqreg q[1];\nh q[0];", 3, 1,
                        'add include "qelib1.inc"'),
    "too many qubits": (H + "qreg q[3];\ncx q[0], q[1], q[2];", 4, 1,
                        "'cx' takes 2 quantum arguments, but got 3"),
    "too few qubits": (H + "qreg q[3];\nccx q[0], q[1];", 4, 1,
                       "'ccx' takes 3 quantum arguments, but got 2"),
    "too many params": (H + "qreg q[1];\nrx(1, 2) q[0];", 4, 1,
                        "'rx' takes 1 parameter, but got 2"),
    "missing params": (H + "qreg q[1];\nu3(1, 2) q[0];", 4, 1,
                       "'u3' takes 3 parameters, but got 2"),
    "params on a fixed gate": (H + "qreg q[1];\nh(0.5) q[0];", 4, 1,
                               "'h' takes 0 parameters, but got 1"),
    "undeclared register": (H + "qreg q[1];\nh r[0];", 4, 3, "undeclared quantum register 'r'"),
    "classical register as qubit": (H + "qreg q[1];\ncreg c[1];\nx c[0];", 5, 3,
                                    "'c' is a classical register"),
    "index out of range": (H + "qreg q[2];\nh q[5];", 4, 5,
                           "index 5 out of range for qreg q[2]"),
    "index out of range second arg": (H + "qreg q[2];\ncx q[0],\n   q[2];", 5, 6,
                                      "index 2 out of range"),
    "broadcast size mismatch": (H + "qreg a[2];\nqreg b[3];\ncx a, b;", 5, 7,
                                "different sizes"),
    "duplicate qubit": (H + "qreg q[2];\ncx q[0], q[0];", 4, 10, "duplicate qubit argument"),
    "duplicate qubit broadcast": (H + "qreg q[2];\ncx q, q;", 4, 7, "uses qubit q[0] twice"),
    "redefinition": (H + "gate g a { x a; }\ngate g a { y a; }", 4, 6,
                     "gate 'g' is already defined"),
    "redefine qelib1 gate": (H + "gate h a { x a; }", 3, 6, "already defined (in qelib1.inc)"),
    "redefine builtin": (H + "gate U(a,b,c) q { }", 3, 6, "'U' is a keyword"),
    "duplicate register": (H + "qreg q[2];\ncreg q[1];", 4, 6, "already declared"),
    "zero-size register": (H + "qreg q[0];", 3, 8, "needs a positive size"),
    "bad expression": (H + "qreg q[1];\nrz(1 +) q[0];", 4, 7, "expected an expression"),
    "unknown identifier": (H + "qreg q[1];\nrz(theta) q[0];", 4, 4,
                           "unknown identifier 'theta'"),
    "division by zero": (H + "qreg q[1];\nrz(1/0) q[0];", 4, 5, "division by zero"),
    "division by zero slow path": (H + "qreg q[1];\nrz(((1)/(2-2))) q[0];", 4, 8,
                                   "division by zero"),
    "ln of zero": (H + "qreg q[1];\nrz(2 * ln(0)) q[0];", 4, 8, "ln(0.0) is not defined"),
    "sqrt of negative": (H + "qreg q[1];\nrz(sqrt(-1)) q[0];", 4, 4, "sqrt(-1.0)"),
    "overflow": (H + "qreg q[1];\nrz(exp(1000)) q[0];", 4, 4, "overflows"),
    "complex power": (H + "qreg q[1];\nrz((-8)^(1/3)) q[0];", 4, 8, "not a real number"),
    "infinite literal": (H + "qreg q[1];\nrz(1e999) q[0];", 4, 4, "too large"),
    "error at gate application": (H + "qreg q[1];\ngate g(t) a { rz(1/t) a; }\n  g(0) q[0];",
                                  5, 3, "in the body of gate 'g'"),
    "unterminated gate body": (H + "qreg q[1];\ngate g a {\n  h a;\n", 4, 10,
                               "unterminated body of gate 'g'"),
    "statement inside gate body": (H + "gate g a {\n  h a;\nqreg q[1];", 5, 1,
                                   "'qreg' is not allowed in a gate body"),
    "measure inside gate body": (H + "gate g a { measure a -> c[0]; }", 3, 12,
                                 "'measure' is not allowed in a gate body"),
    "indexed qubit in gate body": (H + "gate g a { h a[0]; }", 3, 15, "cannot be indexed"),
    "unknown qubit in gate body": (H + "gate g a { cx a, b; }", 3, 18,
                                   "'b' is not a qubit argument of gate 'g'"),
    "unknown parameter in gate body": (H + "gate g(t) a { rz(s) a; }", 3, 18,
                                       "unknown parameter 's' in the body of gate 'g'"),
    "gate calling itself": (H + "gate g a { g a; }", 3, 12, "cannot call itself"),
    "gate using a later gate": (H + "gate g a { k a; }\ngate k a { x a; }", 3, 12,
                                "unknown gate 'k'"),
    "duplicate qubit in body": (H + "gate g a, b { cx a, a; }", 3, 21,
                                "uses 'a' twice"),
    "duplicate formal": (H + "gate g(t, t) a { }", 3, 11, "declared twice"),
    "gate without qubits": (H + "gate g(t) { }", 3, 11, "needs at least one qubit"),
    "include missing": (H + 'include "nope.inc";', 3, 9, "include file 'nope.inc' not found"),
    "include without quotes": (H + "include nope.inc;", 3, 9, "expected a file name"),
    "measure size mismatch": (H + "qreg q[2];\ncreg c[3];\nmeasure q -> c;", 5, 9,
                              "two registers of the same size"),
    "measure qubit into register": (H + "qreg q[2];\ncreg c[2];\nmeasure q[0] -> c;", 5, 9,
                                    "a qubit and a bit"),
    "measure into a qreg": (H + "qreg q[2];\nqreg r[2];\nmeasure q[0] -> r[0];", 5, 17,
                            "'r' is a quantum register"),
    "measure without arrow": (H + "qreg q[1];\ncreg c[1];\nmeasure q[0] c[0];", 5, 14,
                              "expected '->'"),
    "if on a qreg": (H + "qreg q[1];\nif (q == 1) x q[0];", 4, 5, "'q' is a quantum register"),
    "if on a bit": (H + "qreg q[1];\ncreg c[2];\nif (c[0] == 1) x q[0];", 5, 6,
                    "compares a whole classical register"),
    "if value too large": (H + "qreg q[1];\ncreg c[2];\nif (c == 4) x q[0];", 5, 10,
                           "does not fit in creg c[2]"),
    "if barrier": (H + "qreg q[1];\ncreg c[1];\nif (c == 1) barrier q;", 5, 13,
                   "barrier cannot be conditioned"),
    "unterminated comment": (H + "qreg q[1];\n/* never closed\nx q[0];", 4, 1,
                             "unterminated comment"),
    "unterminated string": (H + 'include "qelib1.inc\n;', 3, 9, "unterminated string"),
    "unexpected character": (H + "qreg q[1];\nx q[0] @;", 4, 8, "unexpected character '@'"),
    "register as statement": (H + "qreg q[1];\nq[0];", 4, 1, "found the register 'q'"),
    "number as statement": (H + "qreg q[1];\n3;", 4, 1, "expected a statement"),
    "keyword as register": (H + "qreg gate[1];", 3, 6, "'gate' is a keyword"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_position_and_message(name):
    source, line, column, phrase = CASES[name]
    with pytest.raises(QasmError) as info:
        load_qasm(source)
    err = info.value
    assert phrase in err.message, err.message
    assert (err.file, err.line, err.column) == ("<input>", line, column), str(err)
    assert str(err).startswith(f"<input>:{line}:{column}: ")


def test_error_deep_in_a_large_program_has_the_right_line():
    body = "".join(f"h q[{i % 7}];\ncx q[{i % 7}], q[{(i + 1) % 7}];\n" for i in range(5000))
    src = H + "qreg q[7];\n" + body + "  cx q[1], q[9];\n" + body
    with pytest.raises(QasmError) as info:
        load_qasm(src)
    assert (info.value.line, info.value.column) == (4 + 10000, 14)


def test_error_in_a_file_names_the_file(tmp_path: Path):
    path = tmp_path / "bad.qasm"
    path.write_text(H + "qreg q[2];\n\n    cs q[0], q[1];\n")
    with pytest.raises(QasmError) as info:
        load_qasm(path)
    assert info.value.file == str(path)
    assert str(info.value).startswith(f"{path}:5:5: unknown gate 'cs'")


def test_error_in_an_included_file_names_that_file(tmp_path: Path):
    (tmp_path / "lib.inc").write_text("gate ok a { x a; }\n\ngate bad a { y b; }\n")
    path = tmp_path / "main.qasm"
    path.write_text(H + 'include "lib.inc";\n')
    with pytest.raises(QasmError) as info:
        load_qasm(path)
    assert info.value.file == str(tmp_path / "lib.inc")
    assert (info.value.line, info.value.column) == (3, 16)
    assert "'b' is not a qubit argument" in info.value.message


def test_include_cycle(tmp_path: Path):
    (tmp_path / "a.inc").write_text('include "b.inc";\n')
    (tmp_path / "b.inc").write_text('include "a.inc";\n')
    with pytest.raises(QasmError, match="include cycle"):
        load_qasm(H + 'include "a.inc";', include_path=tmp_path)


def test_missing_file():
    with pytest.raises(QasmError) as info:
        load_qasm("no_such_file.qasm")
    assert "no such file" in info.value.message
    assert info.value.file == "no_such_file.qasm"
    with pytest.raises(QasmError, match="no such file"):
        load_qasm(Path("missing") / "x.qasm")


def test_errors_are_qvalley_errors_and_value_errors():
    with pytest.raises(qv.QValleyError):
        load_qasm(H + "qreg q[1];\nfoo q[0];")
    with pytest.raises(ValueError):
        load_qasm(H + "qreg q[1];\nfoo q[0];")


def test_simulating_an_opaque_gate_is_a_circuit_error():
    c = load_qasm(H + "qreg q[1];\nopaque secret q;\nsecret q[0];")
    with pytest.raises(qv.CircuitError, match="secret"):
        qv.statevector(c)
    with pytest.raises(qv.CircuitError):
        qv.run(c, shots=10, seed=1)
