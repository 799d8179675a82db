"""Time qvalley.load_qasm on a generated OpenQASM 2.0 file of many gate lines, and
qiskit.qasm2.loads on the same text for a ratio.

    python benchmarks/qasm_load.py [--gates 1000000] [--qubits 64] [--seed 1] [--unique]

The file mixes the shapes generated circuits are made of: ``h q[i];``,
``cx q[i],q[j];``, ``rz(0.123) q[i];`` and ``u3(pi/2,0.1,-0.2) q[i];``. With --unique
every rz angle is a different random number, so no two rz lines repeat.
"""
from __future__ import annotations

import argparse
import random
import time


def make_program(num_gates: int, num_qubits: int, seed: int, unique: bool) -> str:
    rng = random.Random(seed)
    lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{num_qubits}];",
             f"creg c[{num_qubits}];"]
    for _ in range(num_gates):
        kind = rng.randrange(4)
        i = rng.randrange(num_qubits)
        if kind == 0:
            lines.append(f"h q[{i}];")
        elif kind == 1:
            j = rng.randrange(num_qubits - 1)
            j += j >= i
            lines.append(f"cx q[{i}],q[{j}];")
        elif kind == 2:
            angle = repr(rng.uniform(-3.2, 3.2)) if unique else "0.123"
            lines.append(f"rz({angle}) q[{i}];")
        else:
            lines.append(f"u3(pi/2,0.1,-0.2) q[{i}];")
    lines.append("measure q -> c;")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gates", type=int, default=1_000_000)
    ap.add_argument("--qubits", type=int, default=64)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--unique", action="store_true", help="a new random rz angle per line")
    ap.add_argument("--no-qiskit", action="store_true", help="skip the qiskit timing")
    args = ap.parse_args()

    import qvalley as qv

    text = make_program(args.gates, args.qubits, args.seed, args.unique)
    print(f"program: {args.gates:,} gates on {args.qubits} qubits, {len(text) / 1e6:.1f} MB"
          f"{' (unique rz angles)' if args.unique else ''}")
    t0 = time.perf_counter()
    circuit = qv.load_qasm(text)
    ours = time.perf_counter() - t0
    print(f"qvalley.load_qasm:   {ours:7.2f} s  ({len(circuit):,} instructions)")
    if args.no_qiskit:
        return
    try:
        import qiskit.qasm2
    except ImportError:
        print("qiskit not installed: no ratio")
        return
    t0 = time.perf_counter()
    qc = qiskit.qasm2.loads(text, custom_instructions=qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    theirs = time.perf_counter() - t0
    print(f"qiskit.qasm2.loads:  {theirs:7.2f} s  ({len(qc.data):,} instructions)")
    print(f"ratio qvalley/qiskit: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
