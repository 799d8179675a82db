"""The OpenQASM 3 reader: programs written for these tests (every feature the issue
lists) against the same circuits built in Python, against Qiskit's OpenQASM 3 importer
where it reads them, against exact distributions for dynamic circuits, and refusals that
name line and column."""
from __future__ import annotations

import math

import numpy as np
import pytest

import qvalley as qv

HEAD = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'


def same_state(a, b, atol=1e-10):
    """Equal up to a global phase (OpenQASM 3 programs without gphase fix none)."""
    ov = np.vdot(a, b)
    return abs(abs(ov) - 1) < atol and np.allclose(a * (ov / abs(ov)), b, atol=atol)


def test_gates_definitions_modifiers_loops_and_inputs():
    src = HEAD + """
input float[64] theta;
qubit[3] q;
gate mygate(a) x1, x2 { ctrl @ rx(a) x1, x2; inv @ s x2; }
h q;
mygate(theta / 2) q[0], q[1];
negctrl @ x q[2], q[0];
ctrl(2) @ z q[0], q[1], q[2];
pow(2) @ t q[1];
pow(-1) @ sx q[2];
U(0.1, 0.2, 0.3) q[0];
phase(0.4) q[1];
cphase(0.5) q[1], q[2];
for int i in [0:1] { rz(0.1 * (i + 1)) q[i]; }
for uint i in {2, 0} { ry(0.2) q[i]; }
const float phi = pi / 8;
rx(phi) q[2];
"""
    c = qv.load_qasm(src)
    assert [p.name for p in c.parameters] == ["theta"]
    want = qv.Circuit(3).h([0, 1, 2])
    want.crx(0.35, 0, 1).sdg(1)                        # theta = 0.7
    want.mc("x", [2], [0], ctrl_state=0)
    want.mc("z", [0, 1], [2])
    want.t(1).t(1).sxdg(2).u(0.1, 0.2, 0.3, 0).p(0.4, 1).cp(0.5, 1, 2)
    want.rz(0.1, 0).rz(0.2, 1).ry(0.2, 2).ry(0.2, 0).rx(math.pi / 8, 2)
    got = qv.statevector(c.assign_parameters({"theta": 0.7}))
    assert same_state(got, qv.statevector(want))


def test_agrees_with_qiskits_importer():
    qasm3 = pytest.importorskip("qiskit.qasm3")
    pytest.importorskip("qiskit_qasm3_import")
    from qiskit.quantum_info import Statevector
    src = HEAD + """
qubit[3] q;
gate g(a, b) x, y { rx(a) x; cx x, y; rz(b) y; }
h q[0];
g(0.3, 0.8) q[0], q[2];
ctrl @ ry(0.5) q[2], q[1];
inv @ g(0.2, 0.1) q[1], q[0];
swap q[0], q[2];
cu(0.1, 0.2, 0.3, 0.4) q[0], q[1];
"""
    ours = qv.statevector(qv.load_qasm(src))
    theirs = Statevector(qasm3.loads(src)).data
    assert same_state(ours, theirs)


def test_measurement_if_else_and_physical_qubits():
    src = HEAD + """
bit[2] c;
h $0;
c[0] = measure $0;
if (c[0]) { x $2; } else { ry(0.4) $2; }
if (c == 1 && !c[1]) z $2;
c[1] = measure $2;
"""
    c = qv.load_qasm(src)
    assert c.num_qubits == 3
    res = qv.run(c, shots=20000, seed=3)
    # c0 = 1 -> x -> c1 = 1; c0 = 0 -> ry(0.4) -> c1 = 1 with sin^2(0.2)
    p = {"11": 0.5, "00": 0.5 * math.cos(0.2) ** 2, "10": 0.5 * math.sin(0.2) ** 2}
    for key, prob in p.items():
        assert abs(res.counts.get(key, 0) / 20000 - prob) < 5 * math.sqrt(prob / 20000) + 1e-3


def test_subroutines_and_measure_arrows():
    src = HEAD + """
def flip(qubit a, float t) -> bit {
  rx(t) a;
  return measure a;
}
def bell(qubit[2] p) { h p[0]; cx p[0], p[1]; }
qubit[3] q;
bit[3] c;
bell(q[0:1]);
c[2] = flip(q[2], pi);
measure q[0:1] -> c[0:1];
"""
    res = qv.run(qv.load_qasm(src), shots=400, seed=1)
    assert set(res.counts) == {"100", "111"}


def test_while_on_a_measured_bit_is_exact_within_the_bound():
    """Repeat a coin until it reads 1, rotating a target by 0.5 each round: the target
    reads 1 with probability sum_k 2**-k sin^2(k * 0.25)."""
    src = HEAD + """
qubit t;
qubit coin;
bit flag;
bit out;
ry(0.5) t;
h coin;
flag = measure coin;
while (!flag) {
  ry(0.5) t;
  reset coin;
  h coin;
  flag = measure coin;
}
out = measure t;
"""
    c = qv.load_qasm(src, max_loop_iterations=30)
    res = qv.run(c, shots=40000, seed=7)
    p1 = sum(2.0 ** -k * math.sin(k * 0.25) ** 2 for k in range(1, 32))
    got = sum(v for key, v in res.counts.items() if key[0] == "1") / 40000
    assert abs(got - p1) < 5 * math.sqrt(p1 * (1 - p1) / 40000)
    assert all(key[1] == "1" for key in res.counts)   # the loop always ended


def test_round_trip_through_the_writer():
    rng = np.random.default_rng(4)
    names = ["h", "x", "s", "t", "sx", "cx", "cz", "swap", "ccx", "rx", "ry", "rz", "p",
             "u", "crx", "cp", "rzz", "cu"]
    from qvalley.circuit import GATES
    for trial in range(5):
        c = qv.Circuit(4)
        for _ in range(30):
            g = GATES[names[int(rng.integers(len(names)))]]
            qs = [int(x) for x in rng.choice(4, g.num_qubits, replace=False)]
            c.append(g.name, qs, [float(v) for v in rng.uniform(-3, 3, g.num_params)])
        back = qv.load_qasm(qv.dump_qasm(c, version=3))
        assert same_state(qv.statevector(back), qv.statevector(c))


REFUSED = {
    "defcal": ("defcal x $0 { }\n", 3, "defcal"),
    "extern": ("extern f(int) -> int;\n", 3, "extern"),
    "delay": ("qubit q;\ndelay[100ns] q;\n", 4, "delay"),
    "box": ("qubit q;\nbox { x q; }\n", 4, "box"),
    "classical": ("qubit q;\nbit[2] c;\nc[0] = measure q;\nc <<= 1;\n", 6, "measurement"),
    "angle from bits": ("qubit q;\nbit c;\nc = measure q;\nrz(c) q;\n", 6, "measured bits"),
    "unknown gate": ("qubit q;\nfoo q;\n", 4, "unknown gate 'foo'"),
    "syntax": ("qubit q\nx q;\n", 4, "syntax error"),   # where the ';' was expected
    "two flags": ("qubit[2] q;\nbit[2] f;\nf = measure q;\nwhile (f != 0) { f = measure q; }\n",
                  6, "writes 2"),
    "switch": ("qubit q;\nbit c;\nc = measure q;\nswitch (int(c)) { case 0 { x q; } }\n",
               6, "switch"),
    "output": ("output float x;\n", 3, "output"),
    "huge loop": ("qubit q;\nfor int i in [0:100000000] { h q; }\n", 4, "unrolls loops"),
    "same qubit": ("qubit[2] q;\ncx q[0], q[0];\n", 4, "same qubit twice"),
    "out of range": ("qubit[2] q;\nh q[5];\n", 4, "out of range"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_unsupported_features_are_refused_with_line_and_column(case):
    body, line, what = REFUSED[case]
    with pytest.raises(qv.QasmError) as err:
        qv.load_qasm(HEAD + body)
    assert err.value.line == line, str(err.value)
    assert err.value.column is not None
    assert what in str(err.value), str(err.value)


def test_the_cli_reads_openqasm_3(tmp_path, capsys):
    from qvalley import cli
    path = tmp_path / "bell3.qasm"
    path.write_text(HEAD + "qubit[2] q;\nbit[2] c;\nh q[0];\ncx q[0], q[1];\nc = measure q;\n")
    assert cli.main(["run", str(path), "--shots", "100", "--seed", "1", "--json"]) == 0
    import json
    assert set(json.loads(capsys.readouterr().out)["counts"]) == {"00", "11"}
    bad = tmp_path / "bad3.qasm"
    bad.write_text(HEAD + "qubit q;\ndefcal x $0 { }\n")
    assert cli.main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{bad}:4:1:") and "Traceback" not in err, err


def test_gate_and_def_bodies_see_global_constants():
    src = HEAD + """
const float phi = pi / 8;
gate g q { rx(phi) q; }
def f(qubit a) { ry(2 * phi) a; }
qubit[2] q;
g q[0];
f(q[1]);
"""
    c = qv.load_qasm(src)
    assert [ins.params for ins in c.data] == [(math.pi / 8,), (math.pi / 4,)]
