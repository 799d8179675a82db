OPENQASM 2.0;
include "qelib1.inc";
qreg q[2]; cs q[0], q[1];
// Wrong on purpose, to show how errors read: qelib1.inc has no 'cs' gate.
//   qvalley run examples/bad.qasm
