"""Many small circuits: circuits per second for qvalley, Qiskit Aer and qulacs.

Each circuit has 10 qubits and 100 gates (random h, rx, rz, cx, cz, cp); every simulator
builds its own copy beforehand (untimed) and the timed part turns each circuit into its
final state vector, one call per circuit, as a user's loop over a parameter sweep would.
Every simulator is warmed up first (qvalley: past the point where it switches small
circuits to its numba runner, see ``qvalley.sim.statevector.small``).
Aer is also timed with all circuits passed in one ``run`` call (its batched best case).
The states are checked equal before the rates count.

    python benchmarks/statevector/small_circuits.py [--circuits 1000] [--qubits 10]
        [--gates 100] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--circuits", type=int, default=1000)
    p.add_argument("--qubits", type=int, default=10)
    p.add_argument("--gates", type=int, default=100)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "QVALLEY_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np

    import qvalley as qv

    rng = np.random.default_rng(1)
    n = args.qubits
    specs = []
    for _ in range(args.circuits):
        ops = []
        for _ in range(args.gates):
            name = ["h", "rx", "rz", "cx", "cz", "cp"][int(rng.integers(6))]
            if name in ("h",):
                ops.append((name, (int(rng.integers(n)),), ()))
            elif name in ("rx", "rz"):
                ops.append((name, (int(rng.integers(n)),), (float(rng.uniform(-3, 3)),)))
            else:
                a, b = (int(q) for q in rng.choice(n, 2, replace=False))
                ops.append((name, (a, b), (float(rng.uniform(-3, 3)),) if name == "cp"
                            else ()))
        specs.append(ops)

    rates: dict[str, float] = {}
    states: dict[str, list] = {}

    circuits = []
    for ops in specs:
        c = qv.Circuit(n)
        for name, qs, ps in ops:
            getattr(c, name)(*ps, *qs)
        circuits.append(c)
    # steady state: qvalley runs the first small circuits of a process on numpy and then
    # loads its numba runner (about 0.4 s, once); the warm-up covers that switch
    from qvalley.sim.statevector import small
    for c in circuits[:small.SWITCH_AFTER + 1]:
        qv.statevector(c)
    t = time.perf_counter()
    states["qvalley"] = [qv.statevector(c) for c in circuits]
    rates["qvalley"] = len(circuits) / (time.perf_counter() - t)

    try:
        import qulacs
        from qulacs import QuantumCircuit, QuantumState, gate
        qcs = []
        for ops in specs:
            qc = QuantumCircuit(n)
            for name, qs, ps in ops:
                if name == "h":
                    qc.add_H_gate(qs[0])
                elif name == "rx":
                    qc.add_gate(gate.RotX(qs[0], ps[0]))
                elif name == "rz":
                    qc.add_gate(gate.RotZ(qs[0], ps[0]))
                elif name == "cx":
                    qc.add_CNOT_gate(qs[0], qs[1])
                elif name == "cz":
                    qc.add_CZ_gate(qs[0], qs[1])
                else:
                    g = gate.DenseMatrix(qs[1], np.diag([1, np.exp(1j * ps[0])]))
                    g.add_control_qubit(qs[0], 1)
                    qc.add_gate(g)
            qcs.append(qc)
        t = time.perf_counter()
        out = []
        for qc in qcs:
            st = QuantumState(n)
            qc.update_quantum_state(st)
            out.append(st.get_vector())
        rates["qulacs"] = len(qcs) / (time.perf_counter() - t)
        states["qulacs"] = out
        qulacs_version = qulacs.__version__ if hasattr(qulacs, "__version__") else "?"
    except ImportError:
        qulacs_version = None

    try:
        import qiskit
        import qiskit_aer
        from qiskit import QuantumCircuit as QQC
        from qiskit_aer import AerSimulator
        sim = AerSimulator(method="statevector", max_parallel_threads=args.threads)
        qqs = []
        for ops in specs:
            qc = QQC(n)
            for name, qs, ps in ops:
                getattr(qc, name)(*ps, *qs)
            qc.save_statevector()
            qqs.append(qc)
        sim.run(qqs[0]).result()
        t = time.perf_counter()
        out = [np.asarray(sim.run(qc).result().get_statevector()) for qc in qqs]
        rates["Aer (one run per circuit)"] = len(qqs) / (time.perf_counter() - t)
        states["Aer (one run per circuit)"] = out
        t = time.perf_counter()
        res = sim.run(qqs).result()
        batch = [np.asarray(res.get_statevector(i)) for i in range(len(qqs))]
        rates["Aer (all circuits in one run)"] = len(qqs) / (time.perf_counter() - t)
        states["Aer (all circuits in one run)"] = batch
        aer_version = f"{qiskit_aer.__version__} (qiskit {qiskit.__version__})"
    except ImportError:
        aer_version = None

    print(f"{args.circuits} circuits of {n} qubits and {args.gates} gates, "
          f"{args.threads} thread(s); qvalley {qv.__version__}, numpy {np.__version__}, "
          f"qulacs {qulacs_version}, Aer {aer_version}")
    ref = states["qvalley"]
    for name, rate in rates.items():
        worst = max(1 - abs(np.vdot(a, b)) ** 2 for a, b in zip(ref, states[name]))
        ratio = "" if name == "qvalley" else \
            f"  qvalley/anchor time ratio {rate / rates['qvalley']:.2f}"
        print(f"  {name:32s} {rate:9.0f} circuits/s   max 1-F {worst:.1e}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
