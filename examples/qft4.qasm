OPENQASM 2.0;
include "qelib1.inc";
// Quantum Fourier transform on 4 qubits applied to |0101> (= 5). Every outcome is
// equally likely; the phases carry the information:
//   qvalley statevector examples/qft4.qasm
qreg q[4];
creg c[4];
x q[0];
x q[2];
barrier q;
h q[3];
cu1(pi/2) q[2], q[3];
cu1(pi/4) q[1], q[3];
cu1(pi/8) q[0], q[3];
h q[2];
cu1(pi/2) q[1], q[2];
cu1(pi/4) q[0], q[2];
h q[1];
cu1(pi/2) q[0], q[1];
h q[0];
cx q[0], q[3];       // swap q[0] and q[3], then q[1] and q[2] (three CNOTs each,
cx q[3], q[0];       // as the original qelib1.inc has no swap)
cx q[0], q[3];
cx q[1], q[2];
cx q[2], q[1];
cx q[1], q[2];
measure q -> c;
