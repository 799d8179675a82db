OPENQASM 2.0;
include "qelib1.inc";
// Three-qubit GHZ state (|000> + |111>)/sqrt(2), then every qubit measured:
// about half the shots read 000 and half 111, never anything else.
//   qvalley run examples/ghz.qasm --shots 1000
qreg q[3];
creg c[3];
h q[0];
cx q[0], q[1];
cx q[1], q[2];
barrier q;
measure q -> c;
