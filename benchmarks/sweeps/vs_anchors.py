"""Parameter sweeps and gradients: qvalley against Qiskit Aer, PennyLane lightning, qulacs.

The circuit: ``--qubits`` qubits, ``--layers`` layers of RY on every qubit, RZ on every
qubit, then a CX chain (2 x qubits x layers parameters: 60 for the defaults); the
observable: a transverse-field Ising Hamiltonian, sum Z_i Z_{i+1} + 0.5 sum X_i. Timed:
exact expectation values for ``--bindings`` random parameter sets (the same values on
every side, checked equal to 1e-9), from a built circuit object (building it is not timed):

* qvalley: ``qv.expectation(c, H, values)``, one call;
* Aer: ``qiskit_aer.primitives.EstimatorV2().run([(qc, H, values)])``, one PUB;
* lightning: a QNode on ``lightning.qubit`` with the values broadcast (``--lightning``
  bindings, scaled to the total, said in the output);
* qulacs: one ParametricQuantumCircuit, ``set_parameter`` and
  ``update_quantum_state`` per binding, ``Observable.get_expectation_value``.

Then the full gradient at one binding (median of ``--repeat``): qvalley ``qv.gradient``
(adjoint), qulacs ``backprop``, lightning ``diff_method="adjoint"``, and Qiskit: Aer's
EstimatorV2 on the 2 x 60 parameter-shift bindings in one PUB.

    python benchmarks/sweeps/vs_anchors.py [--bindings 10000] [--lightning 1000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qubits", type=int, default=10)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--bindings", type=int, default=10000)
    p.add_argument("--lightning", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    os.environ["QVALLEY_NUM_THREADS"] = str(args.threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np

    import qvalley as qv

    n, L, B = args.qubits, args.layers, args.bindings
    P = 2 * n * L
    rng = np.random.default_rng(5)
    values = rng.uniform(0, 2 * np.pi, size=(B, P))
    zz = [("I" * (n - 2 - i) + "ZZ" + "I" * i, 1.0) for i in range(n - 1)]
    xs = [("I" * (n - 1 - i) + "X" + "I" * i, 0.5) for i in range(n)]
    terms = zz + xs

    # parameter k of layer l: RY on qubit q is 2nl + q, RZ on qubit q is 2nl + n + q
    names = [f"t{k:03d}" for k in range(P)]
    ps = [qv.Parameter(s) for s in names]
    c = qv.Circuit(n)
    for layer in range(L):
        for q in range(n):
            c.ry(ps[2 * n * layer + q], q)
        for q in range(n):
            c.rz(ps[2 * n * layer + n + q], q)
        for q in range(n - 1):
            c.cx(q, q + 1)
    H = qv.Observable.from_list(terms)
    assert [p.name for p in c.parameters] == names

    versions = [f"qvalley {qv.__version__}"]
    rows = []

    def record(name, seconds, count, check):
        rows.append((name, seconds, count / seconds, check))
        print(f"{name:<34} {seconds:>8.3f} s  {count / seconds:>10.0f} evaluations/s  {check}",
              flush=True)

    qv.expectation(c, H, values[:4])  # compile / load the numba kernels
    t = time.perf_counter()
    ours = qv.expectation(c, H, values)
    record("qvalley expectation", time.perf_counter() - t, B, "reference")

    try:
        import qiskit
        import qiskit_aer
        from qiskit.circuit import Parameter, QuantumCircuit
        from qiskit.quantum_info import SparsePauliOp
        from qiskit_aer.primitives import EstimatorV2
        versions += [f"qiskit {qiskit.__version__}", f"Aer {qiskit_aer.__version__}"]
        qps = [Parameter(s) for s in names]
        qc = QuantumCircuit(n)
        for layer in range(L):
            for q in range(n):
                qc.ry(qps[2 * n * layer + q], q)
            for q in range(n):
                qc.rz(qps[2 * n * layer + n + q], q)
            for q in range(n - 1):
                qc.cx(q, q + 1)
        assert [str(x) for x in qc.parameters] == names
        op = SparsePauliOp.from_list(terms)
        est = EstimatorV2(options={"backend_options": {"max_parallel_threads": args.threads}})
        est.run([(qc, op, values[:4])]).result()
        t = time.perf_counter()
        evs = est.run([(qc, op, values)]).result()[0].data.evs
        dt = time.perf_counter() - t
        record("Aer EstimatorV2", dt, B, f"max diff {np.max(np.abs(evs - ours)):.1e}")
    except ImportError:
        qc = None
        print("qiskit-aer not installed: skipped")

    try:
        import pennylane as qml
        versions.append(f"PennyLane {qml.__version__}")
        dev = qml.device("lightning.qubit", wires=n)
        pl_ops = [qml.PauliZ(i) @ qml.PauliZ(i + 1) for i in range(n - 1)] + \
            [qml.PauliX(i) for i in range(n)]
        pl_h = qml.Hamiltonian([1.0] * (n - 1) + [0.5] * n, pl_ops)

        def ansatz(theta):
            for layer in range(L):
                for q in range(n):
                    qml.RY(theta[..., 2 * n * layer + q], wires=q)
                for q in range(n):
                    qml.RZ(theta[..., 2 * n * layer + n + q], wires=q)
                for q in range(n - 1):
                    qml.CNOT(wires=[q, q + 1])
            return qml.expval(pl_h)

        node = qml.QNode(ansatz, dev)
        m = min(args.lightning, B)
        node(values[:2])
        t = time.perf_counter()
        got = np.asarray(node(values[:m]))
        dt = (time.perf_counter() - t) * B / m
        record(f"lightning (broadcast, {m} scaled)", dt, B,
               f"max diff {np.max(np.abs(got - ours[:m])):.1e}")
    except ImportError:
        qml = None
        print("pennylane-lightning not installed: skipped")

    try:
        import qulacs
        from qulacs import Observable as QObs, ParametricQuantumCircuit, QuantumState
        versions.append(f"qulacs {qulacs.__version__}" if hasattr(qulacs, "__version__")
                        else "qulacs")
        pc = ParametricQuantumCircuit(n)
        # qulacs: RY(theta) = exp(+i theta/2 Y); our ry(t) = exp(-i t/2 Y): negate
        for layer in range(L):
            for q in range(n):
                pc.add_parametric_RY_gate(q, 0.0)
            for q in range(n):
                pc.add_parametric_RZ_gate(q, 0.0)
            for q in range(n - 1):
                pc.add_CNOT_gate(q, q + 1)
        qo = QObs(n)
        for label, coef in terms:
            qo.add_operator(coef, " ".join(f"{ch} {n - 1 - i}" for i, ch in enumerate(label)
                                           if ch != "I"))
        state = QuantumState(n)
        got = np.empty(B)
        t = time.perf_counter()
        for b in range(B):
            for k in range(P):
                pc.set_parameter(k, -values[b, k])
            state.set_zero_state()
            pc.update_quantum_state(state)
            got[b] = qo.get_expectation_value(state).real
        record("qulacs (loop)", time.perf_counter() - t, B,
               f"max diff {np.max(np.abs(got - ours)):.1e}")
    except ImportError:
        qulacs = None
        print("qulacs not installed: skipped")

    # -- gradients at one binding ---------------------------------------------------------
    v = values[0]
    print("\nfull gradient, one binding, 60 parameters (median of "
          f"{args.repeat}):")
    ref = qv.gradient(c, H, v)

    def timed(fn):
        fn()
        ts = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            out = fn()
            ts.append(time.perf_counter() - t)
        return float(np.median(ts)), out

    grads = []
    dt, _ = timed(lambda: qv.gradient(c, H, v))
    grads.append(("qvalley adjoint", dt, "reference"))
    if qulacs is not None:
        def qulacs_grad():
            for k in range(P):
                pc.set_parameter(k, -v[k])
            return -np.array(pc.backprop(qo))
        dt, g = timed(qulacs_grad)
        grads.append(("qulacs backprop", dt, f"max diff {np.max(np.abs(g - ref)):.1e}"))
    if qml is not None:
        import pennylane.numpy as pnp
        adj = qml.QNode(ansatz, dev, diff_method="adjoint")
        theta = pnp.array(v, requires_grad=True)
        dt, g = timed(lambda: qml.grad(adj)(theta))
        grads.append(("lightning adjoint", dt, f"max diff {np.max(np.abs(g - ref)):.1e}"))
    if qc is not None:
        shifts = np.concatenate([v + np.pi / 2 * np.eye(P), v - np.pi / 2 * np.eye(P)])

        def qiskit_grad():
            e = est.run([(qc, op, shifts)]).result()[0].data.evs
            return (e[:P] - e[P:]) / 2
        dt, g = timed(qiskit_grad)
        grads.append(("Aer EstimatorV2 parameter shift", dt,
                      f"max diff {np.max(np.abs(g - ref)):.1e}"))
    for name, dt, check in grads:
        print(f"{name:<34} {dt * 1e3:>8.2f} ms  {check}")
    print("\n" + ", ".join(versions) + f"; {n} qubits, {P} parameters, {B} bindings, "
          f"{args.threads} threads")
    base = rows[0][1]
    print("ratios (time / qvalley): " + ", ".join(f"{r[0]} {r[1] / base:.1f}" for r in rows[1:]))
    gbase = grads[0][1]
    print("gradient ratios (time / qvalley): " +
          ", ".join(f"{g[0]} {g[1] / gbase:.1f}" for g in grads[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
