OPENQASM 2.0;
include "qelib1.inc";
// Quantum teleportation with mid-circuit measurement and classical feed-forward.
// q[0] holds a state U|0>; a Bell measurement of q[0], q[1] and two corrections
// conditioned on its outcomes move that state to q[2]. Undoing U on q[2] must then
// give |0>: c2 reads 0 in every shot while c0 and c1 are uniformly random.
qreg q[3];
creg c0[1];
creg c1[1];
creg c2[1];
u3(0.3, 0.2, 0.1) q[0];          // U: the state to teleport
h q[1];                          // Bell pair shared by q[1] and q[2]
cx q[1], q[2];
barrier q;
cx q[0], q[1];                   // Bell measurement of q[0] and q[1]
h q[0];
measure q[0] -> c0[0];
measure q[1] -> c1[0];
if(c1==1) x q[2];                // corrections, applied only when needed
if(c0==1) z q[2];
u3(-0.3, -0.1, -0.2) q[2];       // U^-1: back to |0> if teleportation worked
measure q[2] -> c2[0];
