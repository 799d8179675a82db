"""Cross-checks against Qiskit (test-only oracle): its OpenQASM 2 reader must read the same
programs to the same states as ours, and must accept what our writer produces."""
from __future__ import annotations

import numpy as np
import pytest

import qvalley as qv
from qvalley.circuit import GATES
from qvalley.qasm import dump_qasm, load_qasm

from qasm_helpers import HEADER, assert_same_state, qiskit_state, random_table_circuit

qasm2 = pytest.importorskip("qiskit.qasm2")


def qiskit_load(text: str):
    return qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)


PROGRAMS = {
    "all qelib1 gates": HEADER + """qreg q[5];
u3(0.1,0.2,0.3) q[0]; u2(0.4,0.5) q[1]; u1(0.6) q[2]; cx q[0],q[1]; id q[3]; u0(1) q[4];
u(0.7,0.8,0.9) q[3]; p(1.1) q[4]; x q[0]; y q[1]; z q[2]; h q[3]; h q[4]; s q[0]; sdg q[1];
t q[2]; tdg q[3]; rx(1.2) q[4]; ry(1.3) q[0]; rz(1.4) q[1]; sx q[2]; sxdg q[3]; cz q[4],q[0];
cy q[1],q[2]; swap q[3],q[4]; ch q[0],q[2]; ccx q[1],q[3],q[4]; cswap q[2],q[0],q[1];
crx(1.5) q[3],q[2]; cry(1.6) q[4],q[3]; crz(1.7) q[0],q[4]; cu1(1.8) q[1],q[0];
cp(1.9) q[2],q[1]; cu3(2.0,2.1,2.2) q[3],q[0]; csx q[4],q[1]; cu(2.3,2.4,2.5,2.6) q[0],q[3];
rxx(2.7) q[1],q[4]; rzz(2.8) q[2],q[3]; rccx q[0],q[1],q[2]; rc3x q[4],q[3],q[2],q[1];
c3x q[0],q[2],q[4],q[1]; c3sqrtx q[1],q[3],q[0],q[2]; c4x q[4],q[3],q[2],q[1],q[0];
""",
    "user gates and expressions": HEADER + """qreg a[2];
qreg b[2];
gate rot(theta, phi) x { rz(phi) x; ry(theta/2 + phi^2) x; rz(-phi) x; }
gate ent(t) x, y { rot(t, -t) x; cx x, y; rot(2*t, ln(3)) y; barrier x, y; cu1(sqrt(t)) x, y; }
gate big(s) x, y, z { ent(s) x, y; ent(s^2) y, z; ccx x, z, y; }
h a;
ent(0.3) a, b;
big(sin(pi/7)) a[0], b[1], a[1];
rot(-2^-1, exp(0.2)) b;
U(1, 2, 3) a[1];
CX b[0], a[0];
""",
    "broadcast and comments": HEADER + """// a comment
qreg q[3]; qreg r[3];
h q; cx q, r; cx q[0], r; rz(pi/3) r;
cu3(0.5, -0.5, 0.25) q, r;
swap q[2], r[0];
""",
    "qiskit style definitions": HEADER + """
gate rzx(param0) q0,q1 { h q1; cx q0,q1; rz(param0) q1; cx q0,q1; h q1; }
gate ecr q0,q1 { rzx(pi/4) q0,q1; x q0; rzx(-pi/4) q0,q1; }
gate iswap q0,q1 { s q0; s q1; h q0; cx q0,q1; cx q1,q0; h q1; }
qreg q[3];
h q[0]; ry(0.4) q[1]; ecr q[0],q[1]; iswap q[1],q[2]; rzx(0.3) q[2],q[0];
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_reader_agrees_with_qiskit(name):
    text = PROGRAMS[name]
    ours = qv.statevector(load_qasm(text))
    theirs = qiskit_state(qiskit_load(text))
    assert_same_state(ours, theirs)


@pytest.mark.parametrize("seed", range(20))
def test_qiskit_reads_our_output_to_the_same_state(seed):
    rng = np.random.default_rng(77 + seed)
    c = random_table_circuit(rng, int(rng.integers(2, 7)), 30)
    text = dump_qasm(c)
    assert_same_state(qiskit_state(qiskit_load(text)), qv.statevector(c))


def test_qiskit_reads_each_table_gate_from_our_output():
    rng = np.random.default_rng(9)
    for name, spec in GATES.items():
        n = spec.num_qubits
        c = qv.Circuit(n)
        for q in range(n):
            c.u(*rng.uniform(-3, 3, 3), q)
        params = [float(x) for x in rng.uniform(-3, 3, spec.num_params)]
        if name == "u0":  # a number of idle periods: Qiskit accepts only integers
            params = [2.0]
        c.append(name, [int(q) for q in rng.permutation(n)], params)
        assert_same_state(qiskit_state(qiskit_load(dump_qasm(c))), qv.statevector(c))


def test_qiskit_reads_registers_and_measurements_from_our_output():
    c = qv.Circuit()
    c.add_qreg("data", 2)
    c.add_qreg("anc", 1)
    c.add_creg("out", 2)
    c.h(0).cx(0, 1).cx(1, 2).measure(0, 0).measure(2, 1)
    with c.if_test("out", 3):
        c.x(2)
    qc = qiskit_load(dump_qasm(c))
    assert [r.name for r in qc.qregs] == ["data", "anc"]
    assert [(r.name, r.size) for r in qc.cregs] == [("out", 2)]
    assert qc.count_ops()["measure"] == 2


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("seed", range(5))
def test_version_3_output_is_valid_and_equivalent(seed):
    importer = pytest.importorskip("qiskit_qasm3_import")
    rng = np.random.default_rng(500 + seed)
    c = random_table_circuit(rng, int(rng.integers(2, 6)), 30)
    c.mcx([0], 1, ctrl_state=0)
    c.mc("ry", [1, 0], [c.num_qubits - 1] if c.num_qubits > 2 else [1], [0.3]) \
        if c.num_qubits > 2 else None
    text = dump_qasm(c, 3)
    assert_same_state(qiskit_state(importer.parse(text)), qv.statevector(c))


def test_version_3_output_parses_with_the_reference_parser():
    openqasm3 = pytest.importorskip("openqasm3")
    rng = np.random.default_rng(8)
    c = random_table_circuit(rng, 5, 80)
    c.add_creg("c", 2)
    c.measure(0, 0)
    with c.if_test("c", 1):
        c.x(1)
    with c.if_test([0, 1], 2):
        c.ecr(1, 2)
    c.mcx([0, 1, 2], 3, ctrl_state=5)
    c.reset(2)
    c.barrier()
    program = openqasm3.parse(dump_qasm(c, 3))
    assert len(program.statements) > 80


def test_qiskit_reads_decomposed_unitaries_and_controlled_gates():
    pytest.importorskip("qvalley.compile.decompose")
    rng = np.random.default_rng(31)
    c = qv.Circuit(4)
    for q in range(4):
        c.u(*rng.uniform(-3, 3, 3), q)
    c.mcx([0, 1, 2], 3, ctrl_state=2)
    c.mc("rz", [3, 1], [0], [0.4], ctrl_state=1)
    z = rng.normal(size=(8, 8)) + 1j * rng.normal(size=(8, 8))
    c.unitary(np.linalg.qr(z)[0], [2, 0, 3])
    assert_same_state(qiskit_state(qiskit_load(dump_qasm(c))), qv.statevector(c))
    importer = pytest.importorskip("qiskit_qasm3_import")
    assert_same_state(qiskit_state(importer.parse(dump_qasm(c, 3))), qv.statevector(c))
