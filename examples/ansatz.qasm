OPENQASM 2.0;
include "qelib1.inc";
// Two layers of a small variational ansatz, written as a user-defined gate with
// parameters; the angles use pi, unary minus, ^ and the built-in functions.
gate layer(theta, phi) a, b
{
  ry(theta) a;
  ry(-theta / 2) b;
  cx a, b;
  rz(phi) b;
  u3(sqrt(2) * theta, -phi, cos(theta) ^ 2) a;
}
qreg q[3];
creg c[3];
layer(pi / 3, pi / 4) q[0], q[1];
layer(2 * pi / 5, -ln(2)) q[1], q[2];
cx q[0], q[2];       // exp(-i t/2 Z⊗Z) with t = exp(-1)
rz(exp(-1)) q[2];
cx q[0], q[2];
measure q -> c;
