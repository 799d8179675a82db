"""Stabilizer sampling: qvalley against stim and Qiskit Aer's stabilizer method.

Circuits (the same gates on every side): GHZ on ``--qubits`` qubits, and a random
Clifford circuit of ``--depth`` layers (a random one-qubit Clifford on every qubit from
h, s, sdg, sx, x, y, z, then cx on a random pairing of all qubits), every qubit measured
at the end. Timed: ``--shots`` measurement records from a built circuit object, including
each simulator's compilation of it (stim: ``compile_sampler``; building the circuits gate
by gate in Python is not timed, and is printed for qvalley). Aer's stabilizer method simulates
each shot on its own, so it runs ``--aer-shots`` shots and its time is scaled to
``--shots`` (said in the output). Checked: GHZ records are all-0 or all-1 on every side;
for the random circuit, the fraction of qubits whose outcome is fixed agrees.

    python benchmarks/stabilizer/vs_stim.py [--qubits 1000] [--depth 100] [--shots 10000]
        [--aer-shots 5] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qubits", type=int, default=1000)
    p.add_argument("--depth", type=int, default=100)
    p.add_argument("--shots", type=int, default=10000)
    p.add_argument("--aer-shots", type=int, default=5)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    os.environ["QVALLEY_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import stim

    import qvalley as qv

    n = args.qubits
    rng = np.random.default_rng(7)
    one = ["h", "s", "sdg", "sx", "x", "y", "z"]
    stim_name = {"h": "H", "s": "S", "sdg": "S_DAG", "sx": "SQRT_X", "x": "X", "y": "Y",
                 "z": "Z", "cx": "CX"}
    ghz = [("h", (0,))] + [("cx", (q, q + 1)) for q in range(n - 1)]
    rand = []
    for _ in range(args.depth):
        for q in range(n):
            rand.append((one[int(rng.integers(len(one)))], (q,)))
        perm = rng.permutation(n)
        for i in range(0, n - 1, 2):
            rand.append(("cx", (int(perm[i]), int(perm[i + 1]))))

    def ours(gates):
        c = qv.Circuit(n)
        for g, qs in gates:
            c.append(g, list(qs))
        c.measure_all()
        return c

    def theirs(gates):
        c = stim.Circuit()
        for g, qs in gates:
            c.append(stim_name[g], list(qs))
        c.append("M", list(range(n)))
        return c

    def aer(gates):
        from qiskit import QuantumCircuit
        c = QuantumCircuit(n, n)
        for g, qs in gates:
            getattr(c, g)(*qs)
        c.measure(range(n), range(n))
        return c

    try:
        from qiskit_aer import AerSimulator
        import qiskit_aer
        aer_sim = AerSimulator(method="stabilizer", max_parallel_threads=args.threads)
        aer_version = qiskit_aer.__version__
    except ImportError:
        aer_sim, aer_version = None, "not installed"
    print(f"qvalley {qv.__version__}, stim {stim.__version__}, Aer {aer_version}; "
          f"{n} qubits, {args.shots} shots, median of {args.repeat}")
    qv.run(ours(ghz[:20]), shots=100, seed=1, backend="stabilizer")  # warm-up: numba cache
    print(f"{'circuit':<16} {'qvalley s':>10} {'stim s':>9} {'qv/stim':>8} "
          f"{'Aer s (scaled)':>15} {'qv/Aer':>8}  check")
    for name, gates in (("ghz", ghz), (f"random d{args.depth}", rand)):
        tq, ts = [], []
        t = time.perf_counter()
        c = ours(gates)
        build = time.perf_counter() - t
        sc = theirs(gates)
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = qv.run(c, shots=args.shots, seed=1, backend="stabilizer")
            tq.append(time.perf_counter() - t)
            t = time.perf_counter()
            samples = sc.compile_sampler().sample(args.shots)
            ts.append(time.perf_counter() - t)
        mem = res.memory
        ours_bits = np.array([[ch == "1" for ch in row[::-1]] for row in mem[:200]])
        fixed_q = float(np.mean(np.all(ours_bits == ours_bits[0], axis=0)))
        fixed_s = float(np.mean(np.all(samples[:200] == samples[0], axis=0)))
        check = f"fixed qubits {fixed_q:.3f} vs {fixed_s:.3f}"
        if name == "ghz":
            ok = set(res.counts) <= {"0" * n, "1" * n} and \
                all(row.all() or not row.any() for row in samples)
            check = "ok" if ok else "MISMATCH"
        a_txt, ratio_a = "-", "-"
        if aer_sim is not None:
            qc = aer(gates)
            t = time.perf_counter()
            aer_sim.run(qc, shots=args.aer_shots, seed_simulator=1).result()
            ta = (time.perf_counter() - t) * args.shots / args.aer_shots
            a_txt, ratio_a = f"{ta:.1f}", f"{np.median(tq) / ta:.5f}"
        print(f"{name:<16} {np.median(tq):>10.3f} {np.median(ts):>9.3f} "
              f"{np.median(tq) / np.median(ts):>8.2f} {a_txt:>15} {ratio_a:>8}  {check} "
              f"(circuit build {build:.3f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
