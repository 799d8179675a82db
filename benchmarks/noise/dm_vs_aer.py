"""Noisy density-matrix simulation: qvalley against Qiskit Aer's density_matrix method.

The issue's setting: depolarizing 1e-3 after every one-qubit gate, 1e-2 after every
two-qubit gate, readout error 1e-2; a GHZ circuit and a layered circuit (random rotations
and a CZ brickwork, depth 10), the same noise built on both sides. Timed: the final
density matrix of each circuit (Aer: ``save_density_matrix``), both with every core; the
two matrices are checked equal (max |difference| <= 1e-10) before the times count. Each
result is held while the next run starts (as in a user's loop), so a run's first
allocation of its size is fresh memory; later ones reuse freed regions (sim/memory.py).
Then the same circuits measured, ``--shots`` shots: ``qv.run(..., backend=
"density_matrix")`` (no matrix formed: the distribution comes from the Pauli vector)
against Aer's density_matrix method with the measurements; counts compared by Hellinger
fidelity (two samples of the same distribution: near 1 for peaked ones, lower for
spread ones).

Second part: trajectories at ``--trajectory-sizes`` (GHZ, 1000 shots, the same noise):
qvalley's trajectory backend against Aer's statevector method with the noise model (one
trajectory per shot); the two count distributions are compared by Hellinger fidelity.

    python benchmarks/noise/dm_vs_aer.py [--sizes 8,10,12] [--repeat 5] [--threads 2]
        [--trajectory-sizes 14,20] [--shots 1000] [--counts yes|no]
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="8,10,12")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--trajectory-sizes", default="14,20")
    p.add_argument("--counts", choices=["yes", "no"], default="yes",
                   help="also time counts from measured circuits")
    p.add_argument("--shots", type=int, default=1000)
    args = p.parse_args(argv)
    os.environ["QVALLEY_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import qiskit
    import qiskit_aer
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    from qiskit_aer import noise as an

    import qvalley as qv

    one, two = ["h", "rx", "ry", "rz", "x"], ["cx", "cz"]
    model = qv.NoiseModel("issue 5 benchmark")
    model.add_all_qubit_error(qv.noise.depolarizing(1e-3), one)
    model.add_all_qubit_error(qv.noise.depolarizing(1e-2, 2), two)
    model.add_readout_error(qv.noise.readout(1e-2))
    aer_model = an.NoiseModel()
    aer_model.add_all_qubit_quantum_error(an.depolarizing_error(1e-3, 1), one)
    aer_model.add_all_qubit_quantum_error(an.depolarizing_error(1e-2, 2), two)
    aer_model.add_all_qubit_readout_error(an.ReadoutError([[0.99, 0.01], [0.01, 0.99]]))
    sim = AerSimulator(method="density_matrix", noise_model=aer_model,
                       max_parallel_threads=args.threads)

    def circuits(n, rng):
        ghz = qv.Circuit(n).h(0)
        for q in range(n - 1):
            ghz.cx(q, q + 1)
        layered = qv.Circuit(n)
        for d in range(args.depth):
            for q in range(n):
                layered.append(["rx", "ry", "rz"][int(rng.integers(3))], [q],
                               [float(rng.uniform(-3, 3))])
            for q in range(d % 2, n - 1, 2):
                layered.cz(q, q + 1)
        return {"ghz": ghz, f"layered d{args.depth}": layered}

    def to_qiskit(c):
        from qiskit.circuit import library as L
        table = {"h": L.HGate, "x": L.XGate, "rx": L.RXGate, "ry": L.RYGate,
                 "rz": L.RZGate, "cx": L.CXGate, "cz": L.CZGate}
        qc = QuantumCircuit(c.num_qubits)
        for ins in c.data:
            qc.append(table[ins.name](*ins.params), list(ins.qubits))
        qc.save_density_matrix()
        return qc

    print(f"qvalley {qv.__version__} (numpy {np.__version__}), qiskit {qiskit.__version__}, "
          f"Aer {qiskit_aer.__version__}; {args.threads} threads, median of {args.repeat}")
    print(f"{'circuit':<14} {'n':>3} {'qvalley s':>10} {'Aer s':>9} {'qvalley/Aer':>12}  check")
    rng = np.random.default_rng(1)
    qv.density_matrix(circuits(6, rng)["ghz"], noise=model)  # warm-up: numba cache load
    counts_rows: list[str] = []

    def counts_row(name, n, c, qc):
        """qv.run with shots against Aer's density_matrix method with measurements."""
        measured = c.copy()
        measured.measure_all()
        qm = qc.copy()
        qm.data = [d for d in qm.data if d.operation.name != "save_density_matrix"]
        qm.measure_all()
        times_q, times_a = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            ours = qv.run(measured, shots=args.shots, seed=1, noise=model,
                          backend="density_matrix").counts
            times_q.append(time.perf_counter() - t)
            t = time.perf_counter()
            theirs = sim.run(qm, shots=args.shots, seed_simulator=1).result().get_counts()
            times_a.append(time.perf_counter() - t)
        keys = set(ours) | set(theirs)
        fid = sum(math.sqrt(ours.get(k, 0) * theirs.get(k, 0)) for k in keys) ** 2 / \
            args.shots ** 2
        tq, ta = float(np.median(times_q)), float(np.median(times_a))
        return f"{name:<14} {n:>3} {tq:>10.3f} {ta:>9.3f} {tq / ta:>12.3f} {fid:>12.4f}"
    for n in [int(x) for x in args.sizes.split(",")]:
        for name, c in circuits(n, rng).items():
            qc = to_qiskit(c)
            times_q, times_a = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                ours = qv.density_matrix(c, noise=model)
                times_q.append(time.perf_counter() - t)
                t = time.perf_counter()
                theirs = np.asarray(sim.run(qc).result().data()["density_matrix"])
                times_a.append(time.perf_counter() - t)
            diff = max(float(np.max(np.abs(ours[i:i + 256] - theirs[i:i + 256])))
                       for i in range(0, ours.shape[0], 256))  # no 4 GiB temporary at 14
            del ours, theirs
            tq, ta = float(np.median(times_q)), float(np.median(times_a))
            print(f"{name:<14} {n:>3} {tq:>10.3f} {ta:>9.3f} {tq / ta:>12.3f}  "
                  f"{'ok' if diff <= 1e-10 else 'MISMATCH'} (max diff {diff:.1e})", flush=True)
            if args.counts == "yes":
                counts_rows.append(counts_row(name, n, c, qc))
    if counts_rows:
        print(f"\ncounts: the same circuits measured, {args.shots} shots (qvalley: qv.run "
              "backend='density_matrix'; Aer: the density_matrix method with the measurements)")
        print(f"{'circuit':<14} {'n':>3} {'qvalley s':>10} {'Aer s':>9} {'qvalley/Aer':>12} "
              f"{'Hellinger F':>12}")
    for row in counts_rows:
        print(row, flush=True)
    print(f"\ntrajectories, GHZ, {args.shots} shots (qvalley: backend='trajectories'; Aer: "
          "method='statevector' with the noise model)")
    print(f"{'n':>3} {'qvalley s':>10} {'branches':>9} {'Aer s':>9} {'qvalley/Aer':>12} "
          f"{'Hellinger F':>12}")
    traj = AerSimulator(method="statevector", noise_model=aer_model,
                        max_parallel_threads=args.threads)
    for n in [int(x) for x in args.trajectory_sizes.split(",") if x]:
        ghz = qv.Circuit(n).h(0)
        for q in range(n - 1):
            ghz.cx(q, q + 1)
        ghz.measure_all()
        qc = QuantumCircuit(n, n)
        qc.h(0)
        for q in range(n - 1):
            qc.cx(q, q + 1)
        qc.measure(range(n), range(n))
        t = time.perf_counter()
        res = qv.run(ghz, shots=args.shots, seed=1, noise=model, backend="trajectories")
        tq = time.perf_counter() - t
        t = time.perf_counter()
        theirs = traj.run(qc, shots=args.shots, seed_simulator=1).result().get_counts()
        ta = time.perf_counter() - t
        keys = set(res.counts) | set(theirs)
        fid = sum(math.sqrt(res.counts.get(k, 0) * theirs.get(k, 0)) for k in keys) ** 2 / \
            args.shots ** 2
        print(f"{n:>3} {tq:>10.3f} {res.details['branches']:>9} {ta:>9.3f} {tq / ta:>12.3f} "
              f"{fid:>12.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
