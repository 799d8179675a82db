"""Compilation: qvalley against Qiskit's transpile(optimization_level=3), side by side.

    python benchmarks/compile/vs_qiskit.py                   # the default suite
    python benchmarks/compile/vs_qiskit.py --max-qubits 20 --markdown

Each circuit is built once with Qiskit's circuit library, written as OpenQASM 2 and read
by qvalley, so both compilers get the same gates. Targets: ``ibm-heron-r2`` (qvalley's
preset; Qiskit gets the same coupling map and basis cz, rz, sx, x, rzz, rx) and
``ionq-forte-1`` (all-to-all; Qiskit gets basis rz, sx, x, rzz so that its two-qubit count
is comparable with qvalley's ZZ count). Reported: two-qubit gates, depth, compile seconds
and the ratios qvalley / Qiskit (below 1: qvalley better). Every qvalley result on up to
12 qubits is checked equivalent to its source by simulation.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time


def suite(max_qubits: int):
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import (QFTGate, QuantumVolume, GroverOperator,
                                        DraperQFTAdder, RGQFTMultiplier, CDKMRippleCarryAdder)
    from qiskit.circuit.random import random_circuit

    def ghz(n):
        qc = QuantumCircuit(n)
        qc.h(0)
        for i in range(n - 1):
            qc.cx(i, i + 1)
        return qc

    def qaoa(n, p=2, seed=0):
        rng = np.random.default_rng(seed)
        qc = QuantumCircuit(n)
        qc.h(range(n))
        edges = [(i, (i + 1) % n) for i in range(n)] + \
            [tuple(int(x) for x in rng.choice(n, 2, replace=False)) for _ in range(n // 2)]
        for _ in range(p):
            for a, b in edges:
                qc.rzz(float(rng.uniform(0, 3)), a, b)
            for q in range(n):
                qc.rx(float(rng.uniform(0, 3)), q)
        return qc

    def qft(n):
        qc = QuantumCircuit(n)
        qc.append(QFTGate(n), range(n))
        return qc

    def grover(n):
        oracle = QuantumCircuit(n)
        oracle.h(n - 1)
        oracle.mcx(list(range(n - 1)), n - 1)
        oracle.h(n - 1)
        qc = QuantumCircuit(n)
        qc.h(range(n))
        qc.compose(GroverOperator(oracle), inplace=True)
        return qc

    out = []
    for n in (5, 10, 20, 40, 80, 150):
        if n <= max_qubits:
            out += [(f"ghz_{n}", ghz(n)), (f"qaoa_{n}", qaoa(n))]
    for n in (5, 10, 20, 50):
        if n <= max_qubits:
            out.append((f"qft_{n}", qft(n)))
    for n in (5, 8, 12, 20):
        if n <= max_qubits:
            out.append((f"qv_{n}", QuantumVolume(n, seed=n)))
    for n in (4, 8, 16):
        if 2 * n + 2 <= max_qubits:
            out.append((f"adder_ripple_{n}", CDKMRippleCarryAdder(n)))
            out.append((f"adder_draper_{n}", DraperQFTAdder(n)))
    for n in (2, 3):
        if 4 * n <= max_qubits:
            out.append((f"multiplier_{n}", RGQFTMultiplier(n)))
    for n in (4, 6):
        if n <= max_qubits:
            out.append((f"grover_{n}", grover(n)))
    for n, d in ((5, 10), (10, 20), (20, 20)):
        if n <= max_qubits:
            out.append((f"random_{n}x{d}", random_circuit(n, d, max_operands=2, seed=n)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-qubits", type=int, default=150)
    ap.add_argument("--targets", default="ibm-heron-r2,ionq-forte-1")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)

    import qiskit
    from qiskit import qasm2, transpile
    from qiskit.transpiler import CouplingMap

    import qvalley as qv
    from qvalley.compile.verify import equivalent
    from qvalley.targets import get_target

    # warm-up, untimed: qvalley loads its compiled routing loop from numba's cache on the
    # first compile of a process (about 0.4 s); Qiskit gets the same courtesy
    from qiskit import QuantumCircuit
    warm = QuantumCircuit(3)
    warm.h(0)
    warm.cx(0, 1)
    warm.cx(1, 2)
    warm.cx(0, 2)
    for tname in args.targets.split(","):
        qv.compile(qv.load_qasm(qasm2.dumps(warm)), get_target(tname), optimization_level=3,
                   seed=1)
    transpile(warm, optimization_level=3, seed_transpiler=1)
    rows = []
    for name, qc in suite(args.max_qubits):
        flat = qc.decompose(reps=3)
        src = qv.load_qasm(qasm2.dumps(flat))
        for tname in args.targets.split(","):
            t = get_target(tname)
            if src.num_qubits > t.num_qubits:
                print(f"{name:<18} {tname:<13} skipped: {src.num_qubits} qubits, the target "
                      f"has {t.num_qubits}", flush=True)
                continue
            if t.all_to_all:
                kw = dict(basis_gates=["rz", "sx", "x", "rzz"])
            else:
                edges = [list(e) for e in t.edges] + [[b, a] for a, b in t.edges]
                kw = dict(coupling_map=CouplingMap(edges),
                          basis_gates=["cz", "rz", "sx", "x", "rzz", "rx"])
            t0 = time.perf_counter()
            ref = transpile(flat, optimization_level=3, seed_transpiler=1, **kw)
            tq = time.perf_counter() - t0
            t0 = time.perf_counter()
            nat = qv.compile(src, t, optimization_level=3, seed=1)
            tv = time.perf_counter() - t0
            ok = equivalent(src, nat) if src.num_qubits <= 12 else None
            row = dict(circuit=name, target=tname, qubits=src.num_qubits,
                       qv_2q=nat.num_nonlocal_gates(), qk_2q=ref.num_nonlocal_gates(),
                       qv_depth=nat.depth(), qk_depth=ref.depth(), qv_s=tv, qk_s=tq, ok=ok)
            rows.append(row)
            r2 = row["qv_2q"] / row["qk_2q"] if row["qk_2q"] else float("nan")
            print(f"{name:<18} {tname:<13} 2q {row['qv_2q']:>6} vs {row['qk_2q']:>6} "
                  f"({r2:.2f})  depth {row['qv_depth']:>6} vs {row['qk_depth']:>6}  "
                  f"time {tv:7.2f} s vs {tq:6.2f} s  {'' if ok is None else 'equivalent' if ok else 'NOT EQUIVALENT'}",
                  flush=True)
    for tname in args.targets.split(","):
        sel = [r for r in rows if r["target"] == tname and r["qk_2q"]]
        if not sel:
            continue
        med = statistics.median(r["qv_2q"] / r["qk_2q"] for r in sel)
        tmed = statistics.median(r["qv_s"] / r["qk_s"] for r in sel)
        print(f"{tname}: median 2q ratio qvalley/Qiskit {med:.2f}, median time ratio "
              f"{tmed:.1f} over {len(sel)} circuits (qiskit {qiskit.__version__}, "
              f"qvalley {qv.__version__})")
    if args.markdown:
        print("\n| circuit | target | qubits | 2q qvalley | 2q Qiskit L3 | ratio | depth qvalley "
              "| depth Qiskit | s qvalley | s Qiskit |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            ratio = r["qv_2q"] / r["qk_2q"] if r["qk_2q"] else float("nan")
            print(f"| {r['circuit']} | {r['target']} | {r['qubits']} | {r['qv_2q']} | "
                  f"{r['qk_2q']} | {ratio:.2f} | {r['qv_depth']} | {r['qk_depth']} | "
                  f"{r['qv_s']:.2f} | {r['qk_s']:.2f} |")
    return 1 if any(r["ok"] is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
