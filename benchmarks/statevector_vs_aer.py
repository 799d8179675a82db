"""Side-by-side state-vector timing: qvalley's numpy engine vs Qiskit Aer.

Same circuits, same process, median of repeats; prints seconds and the ratio
qvalley / Aer (below 1 means qvalley is faster). Aer runs with both cores
(max_parallel_threads=0), complex128, statevector method, no sampling.

    python benchmarks/statevector_vs_aer.py [--sizes 16,20,22] [--repeat 3]
"""
from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np

import qvalley as qv


def qft(n: int) -> qv.Circuit:
    c = qv.Circuit(n)
    for j in range(n - 1, -1, -1):
        c.h(j)
        for k in range(j - 1, -1, -1):
            c.cp(math.pi / 2 ** (j - k), k, j)
    for j in range(n // 2):
        c.swap(j, n - 1 - j)
    return c


def layered(n: int, depth: int = 20, seed: int = 1) -> qv.Circuit:
    rng = np.random.default_rng(seed)
    c = qv.Circuit(n)
    for layer in range(depth):
        for q in range(n):
            c.u(*rng.uniform(-math.pi, math.pi, 3), q)
        for q in range(layer % 2, n - 1, 2):
            c.cx(q, q + 1)
    return c


def to_qiskit(c: qv.Circuit):
    from qiskit import QuantumCircuit
    qc = QuantumCircuit(c.num_qubits)
    for ins in c:
        getattr(qc, ins.name)(*ins.params, *ins.qubits)
    return qc


def time_it(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16,20,22")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import qiskit
    import qiskit_aer
    from qiskit_aer import AerSimulator
    sim = AerSimulator(method="statevector", max_parallel_threads=0)
    print(f"qvalley {qv.__version__}, numpy {np.__version__}, qiskit {qiskit.__version__}, "
          f"qiskit-aer {qiskit_aer.__version__}")
    print(f"{'circuit':<14}{'gates':>7}{'qvalley s':>11}{'Aer s':>9}{'ratio':>8}")
    for n in [int(s) for s in args.sizes.split(",")]:
        for name, circ in (("qft", qft(n)), ("layered-d20", layered(n))):
            qc = to_qiskit(circ)
            qc.save_statevector()
            ours = time_it(lambda: qv.statevector(circ), args.repeat)
            theirs = time_it(lambda: sim.run(qc).result(), args.repeat)
            # same answer, or the timing means nothing
            a = qv.statevector(circ)
            b = np.asarray(sim.run(qc).result().get_statevector())
            assert abs(abs(np.vdot(a, b)) - 1) < 1e-9, "results differ"
            print(f"{name + ' ' + str(n):<14}{len(circ):>7}{ours:>11.3f}{theirs:>9.3f}"
                  f"{ours / theirs:>8.2f}")


if __name__ == "__main__":
    main()
