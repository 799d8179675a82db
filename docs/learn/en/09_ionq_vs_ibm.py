"""Lesson 9: running on IonQ or IBM: compile, compare, simulate the noise.

Real machines speak their own gates: IonQ's trapped ions use GPi, GPi2 and the
Molmer-Sorensen (MS) or ZZ gate, with every qubit connected to every other; IBM's
superconducting chips use SX, RZ, X and ECR or CZ between neighbours on a heavy-hex
lattice. qvalley compiles one circuit for each, counts what it costs, and simulates it
with the machine's published error rates before any hardware time is spent.

Run it:  python docs/learn/en/09_ionq_vs_ibm.py
"""
import qvalley as qv
from qvalley.sim.density.engine import noisy_fidelity

c = qv.Circuit(4).h(0)
for q in range(3):
    c.cx(q, q + 1)
c.measure_all()
print(f"{'machine':<14} {'native gates':<34} {'2q':>3} {'depth':>6} {'fidelity':>9}")
for name in ("ionq-aria-1", "ionq-forte-1", "ibm-eagle-r3", "ibm-heron-r2"):
    native = qv.compile(c, name, seed=0)
    ops = {k: v for k, v in native.count_ops().items() if k not in ("measure", "barrier")}
    two = sum(v for k, v in ops.items() if k in ("ms", "zz", "ecr", "cz"))
    fid = noisy_fidelity(c, native, qv.NoiseModel.from_target(name))
    print(f"{name:<14} {str(ops):<34} {two:>3} {native.depth():>6} {fid:>9.4f}")
    assert two >= 3 and 0.7 < fid <= 1
print("\nThe same circuit, ideal and on each machine (counts of 1000 shots):")
ideal = qv.run(c, shots=1000, seed=1)
print("  ideal        ", dict(sorted(ideal.counts.items())))
for name in ("ionq-forte-1", "ibm-heron-r2"):
    res = qv.run(qv.compile(c, name, seed=0), shots=1000, seed=1, noise=name)
    good = res.counts.get("0000", 0) + res.counts.get("1111", 0)
    print(f"  {name:<13} 0000 or 1111 in {good} of 1000 shots")
    assert good > 800
