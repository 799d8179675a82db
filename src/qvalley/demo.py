"""``qvalley demo``: a short tour for a newcomer, in the terminal, in a few seconds.

Four stops, each printing the circuit, what ran and what it means: a Bell pair (two
qubits that always agree), a GHZ state (five), Grover's search finding a marked item
among eight with one question, and the same small circuit compiled for every preset
machine (IonQ's trapped ions, IBM's superconducting chips): two-qubit gates, depth and
how faithful a noisy run from the published calibration is.
"""
from __future__ import annotations

from typing import Callable

import qvalley as qv


def _bar(p: float, width: int = 30) -> str:
    return "█" * max(1, round(p * width)) if p > 0 else ""


def _counts(counts: dict, out: Callable[[str], None], total: int | None = None) -> None:
    total = total or sum(counts.values())
    for key, v in sorted(counts.items()):
        out(f"    {key}  {v:>5}  {v / total:6.1%}  {_bar(v / total)}")


def run_demo(out: Callable[[str], None] = print, seed: int = 7) -> None:
    out("qvalley demo: four small programs, simulated exactly on this computer\n")

    out("1. A Bell pair: H puts qubit 0 in superposition, CX copies it onto qubit 1.")
    bell = qv.Circuit(2).h(0).cx(0, 1)
    for line in str(bell).splitlines():
        out("    " + line)
    res = qv.run(bell.copy().measure_all(), shots=1000, seed=seed)
    out("   1000 measurements: only 00 and 11 appear, about half each. The qubits are")
    out("   entangled: each result is random, but the two always agree.")
    _counts(res.counts, out)

    out("\n2. A GHZ state: the same agreement across five qubits (H, then a CX chain).")
    ghz = qv.Circuit(5).h(0)
    for q in range(4):
        ghz.cx(q, q + 1)
    _counts(qv.run(ghz.copy().measure_all(), shots=1000, seed=seed).counts, out)

    out("\n3. Grover's search: find the marked item 101 among 8. Trying items one by one")
    out("   takes 4.5 tries on average; two Grover iterations find it with probability")
    out("   94.5% from a single run.")
    from .algorithms import grover
    g = grover(3, lambda x: x == 0b101, shots=1000, seed=seed)
    out(f"   {g.iterations} iterations, exact success probability "
        f"{g.success_probability:.1%}; the three most frequent of 1000 runs:")
    top = dict(sorted(g.counts.items(), key=lambda kv: -kv[1])[:3])
    _counts(top, out, total=1000)
    out("    ... (the other outcomes are rarer still)")

    out("\n4. Where to run it: the Bell pair plus a third qubit, compiled for each machine")
    out("   (native gates, real connectivity), then simulated with that machine's")
    out("   published noise. Fidelity 1 is perfect.")
    c = qv.Circuit(3).h(0).cx(0, 1).cx(1, 2).measure_all()
    from .compile.report import estimate
    from .sim.density.engine import noisy_fidelity
    from .targets import get_target, targets
    out(f"    {'machine':<16} {'2q gates':>8} {'depth':>6} {'noisy fidelity':>15}")
    for t in (get_target(x.name) for x in targets()):
        compiled = qv.compile(c, t, seed=0)
        row = estimate(compiled, t).as_dict()
        fid = noisy_fidelity(c, compiled, qv.NoiseModel.from_target(t)) \
            if t.calibration is not None else None
        fid_text = "n/a" if fid is None else f"{fid:.4f}"
        out(f"    {t.name:<16} {row['two_qubit']:>8} {row['depth']:>6} "
            f"{fid_text:>15}")
    out("\nNext: qvalley run examples/teleport.qasm, qvalley compare examples/ghz.qasm,")
    out("and the lessons in docs/learn/ (English and Korean).")
