OPENQASM 2.0;
include "qelib1.inc";
// Grover search over 2 qubits for the marked item |11>. With four items one
// iteration is exact: every shot reads 11.
qreg q[2];
creg c[2];
h q;                 // uniform superposition
cz q[0], q[1];       // oracle: flip the phase of |11>
h q;                 // diffusion: 2|s><s| - I
x q;
cz q[0], q[1];
x q;
h q;
measure q -> c;
