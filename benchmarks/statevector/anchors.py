"""State-vector simulation: qvalley against Qiskit Aer, qulacs, qsim and PennyLane lightning.

One script run, one process, the same circuits and the same thread count for every
simulator; prints seconds, the ratio qvalley / anchor (below 1 means qvalley is faster) in
complex128 and complex64, and the memory-bandwidth floor measured in the same run.

    python benchmarks/statevector/anchors.py                       # n = 16,20,24, T = 2, R = 3
    python benchmarks/statevector/anchors.py --sizes 20,24,26 --json out.json --markdown
    python benchmarks/statevector/anchors.py --quick               # n = 12,16, R = 1 (< 1 min)

What is measured and how:

* Circuit families, each built once as a neutral gate list and translated for every
  simulator, so they all get exactly the same gates: ``qft`` (h + cp, final swaps),
  ``layered`` (rx, ry, rz with random angles on every qubit, then a CZ brickwork; depth 20)
  and ``qv`` (quantum volume: n layers of Haar-random SU(4) on random qubit pairs, passed as
  a 4x4 unitary to every simulator).
* Timed: the simulator call that turns a built circuit into a final state (its own
  translation or planning included, circuit construction and copying the state out to
  numpy excluded where the API separates them). Median of ``--repeat`` runs, after one
  untimed warm-up of every simulator and precision on every family at a small size (JIT
  compilation, library loading).
* Checked: at the smallest size every simulator's final state must equal qvalley's
  complex128 state up to a global phase (fidelity >= 1 - 1e-6 in complex128, 1 - 1e-3 in
  complex64), so the timings compare equal work. A failed check is printed and flagged.
* Floor: one read + write pass over a state-sized array (numba ``prange`` with T threads,
  numpy with one thread if numba is missing), seconds per pass for complex128 and complex64
  at each n. qvalley's time is also given in passes (time / pass time) and passes per gate.
* Threads: ``--threads T`` (default 2) sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
  MKL_NUM_THREADS, NUMBA_NUM_THREADS and QVALLEY_NUM_THREADS before anything is imported,
  and is passed explicitly where a simulator takes it (Aer ``max_parallel_threads``, qsim
  ``t``, qvalley ``threads=`` once the engine has that parameter).
* OpenMP wait policy: Aer, qulacs, qsim, lightning and numba's "omp" threading layer each
  bring an OpenMP runtime. With the default (spinning) wait policy, a thread spinning at a
  barrier steals a core from the thread it waits for whenever the machine has more runnable
  threads than cores: on a shared 2-core machine that made Aer and qulacs 10 to 40 times
  slower on a 16-qubit QFT. ``--omp-wait-policy passive`` (the default here) sets
  OMP_WAIT_POLICY=PASSIVE for every simulator alike; ``active`` or ``default`` (leave the
  environment alone) are there to measure an idle machine the other way.
* Memory: sizes are run one simulator at a time and freed in between; a size is skipped
  for a simulator when less than ``--mem-factor`` states fit in the available memory.

Anchor conventions (each translation is checked by the fidelity test above):

* Aer: little-endian like qvalley; ``unitary(M, [a, b])`` means the same matrix.
* qulacs: qubit 0 is the least significant bit like qvalley, ``DenseMatrix([a, b], M)``
  uses targets[0] as the least significant bit of M's index, but ``gate.RX/RY/RZ`` are
  exp(+i θ P / 2) (the opposite sign): the script uses ``RotX/RotY/RotZ``. ``gate.CP`` is a
  completely-positive map, not a controlled phase: cp is a 1-qubit DenseMatrix with a control.
  qulacs's Python state is complex128 only: its single precision is "n/a".
* qsim (qsimcirq) and cirq: big-endian (the first qubit of ``qubit_order`` is the most
  significant bit) and ``MatrixGate`` matrices are big-endian in the listed qubits. qvalley
  qubit q becomes ``LineQubit(n - 1 - q)`` and 2-qubit matrices are listed reversed, which
  gives the same amplitude layout in memory and needs no permutation of the result. cirq
  simulates only the qubits a circuit touches unless ``qubit_order`` is given: it is given.
  complex64 only. cp(λ) is ``CZPowGate(exponent=λ/π)``.
* PennyLane: big-endian wires (wire 0 is the most significant bit of ``qml.state()``) and
  ``QubitUnitary`` matrices big-endian in the listed wires: the same mapping as for cirq.
  lightning.qubit threads through OpenMP (OMP_NUM_THREADS).
"""
from __future__ import annotations

import os
import sys


def _early_option(argv: list[str], name: str, default: str) -> str:
    """An option's value, read from argv before numpy (and its BLAS pool) is imported."""
    value = default
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


if __name__ == "__main__":
    _T = str(int(_early_option(sys.argv[1:], "--threads", "2")))
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                 "NUMBA_NUM_THREADS", "QVALLEY_NUM_THREADS"):
        os.environ[_var] = _T
    _WAIT = _early_option(sys.argv[1:], "--omp-wait-policy", "passive")
    if _WAIT in ("passive", "active"):
        os.environ["OMP_WAIT_POLICY"] = _WAIT.upper()

import argparse  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

DOUBLE, SINGLE = "double", "single"
DTYPES = {DOUBLE: np.complex128, SINGLE: np.complex64}
FIDELITY_TOL = {DOUBLE: 1e-6, SINGLE: 1e-3}
FAMILIES = ("qft", "layered", "qv")
ANCHORS = ("aer", "qulacs", "lightning", "qsim")


# --------------------------------------------------------------------------- circuits

@dataclass
class Spec:
    """A circuit as a neutral gate list: (name, qubits, params); for "unitary" the params
    hold the matrix, little-endian in the listed qubits (qubits[0] least significant)."""

    family: str
    n: int
    ops: list[tuple[str, tuple[int, ...], Any]]

    @property
    def label(self) -> str:
        return f"{self.family} {self.n}"


def qft(n: int) -> Spec:
    ops = []
    for j in range(n - 1, -1, -1):
        ops.append(("h", (j,), ()))
        for k in range(j - 1, -1, -1):
            ops.append(("cp", (k, j), (math.pi / 2 ** (j - k),)))
    for j in range(n // 2):
        ops.append(("swap", (j, n - 1 - j), ()))
    return Spec("qft", n, ops)


def layered(n: int, depth: int = 20, seed: int = 1) -> Spec:
    rng = np.random.default_rng(seed)
    ops = []
    for layer in range(depth):
        for q in range(n):
            for name in ("rx", "ry", "rz"):
                ops.append((name, (q,), (float(rng.uniform(-math.pi, math.pi)),)))
        for q in range(layer % 2, n - 1, 2):
            ops.append(("cz", (q, q + 1), ()))
    return Spec("layered", n, ops)


def haar_su4(rng: np.random.Generator) -> np.ndarray:
    z = (rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))) / math.sqrt(2)
    q, r = np.linalg.qr(z)
    d = np.diagonal(r)
    q = q * (d / np.abs(d))
    return q / np.linalg.det(q) ** 0.25


def quantum_volume(n: int, seed: int = 1) -> Spec:
    rng = np.random.default_rng(seed)
    ops = []
    for _ in range(n):
        perm = rng.permutation(n)
        for k in range(n // 2):
            a, b = int(perm[2 * k]), int(perm[2 * k + 1])
            ops.append(("unitary", (a, b), haar_su4(rng)))
    return Spec("qv", n, ops)


def build(family: str, n: int, depth: int, seed: int) -> Spec:
    if family == "qft":
        return qft(n)
    if family == "layered":
        return layered(n, depth, seed)
    return quantum_volume(n, seed)


FAMILY_TITLE = {"qft": "QFT (with final swaps)", "layered": "random layered rotations + CZ "
                "brickwork", "qv": "quantum volume (random SU(4) on random pairs)"}


# --------------------------------------------------------------------------- simulators

@dataclass
class Simulator:
    """One simulator: ``prepare(spec, precision)`` translates a circuit (untimed) and returns
    ``(run, fetch)``: ``run()`` is the timed call, ``fetch(run())`` the little-endian state."""

    key: str
    name: str
    version: str
    precisions: tuple[str, ...]
    prepare: Callable[[Spec, str], tuple[Callable[[], Any], Callable[[Any], np.ndarray]]]
    notes: str = ""


def dist_version(name: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def sim_qvalley(threads: int) -> Simulator:
    import qvalley as qv
    params = inspect.signature(qv.statevector).parameters
    has_precision, has_threads = "precision" in params, "threads" in params
    extra: dict[str, Any] = {"threads": threads} if has_threads else {}

    def prepare(spec: Spec, precision: str):
        c = qv.Circuit(spec.n)
        for name, qubits, params_ in spec.ops:
            if name == "unitary":
                c.unitary(params_, list(qubits))
            else:
                getattr(c, name)(*params_, *qubits)
        kw = dict(extra)
        if precision == SINGLE:
            kw["precision"] = "single"
        return (lambda: qv.statevector(c, **kw)), np.asarray

    notes = []
    if not has_threads:
        notes.append("no threads= (numpy engine; BLAS threads from OPENBLAS_NUM_THREADS)")
    if not has_precision:
        notes.append("no precision= (single precision n/a)")
    return Simulator("qvalley", "qvalley", qv.__version__,
                     (DOUBLE, SINGLE) if has_precision else (DOUBLE,), prepare,
                     "; ".join(notes))


def sim_aer(threads: int) -> Simulator:
    import qiskit
    import qiskit_aer
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    sims = {p: AerSimulator(method="statevector", precision=p, max_parallel_threads=threads)
            for p in (DOUBLE, SINGLE)}

    def prepare(spec: Spec, precision: str):
        qc = QuantumCircuit(spec.n)
        for name, qubits, params in spec.ops:
            if name == "unitary":
                qc.unitary(params, list(qubits))  # little-endian in the list, as qvalley
            else:
                getattr(qc, name)(*params, *qubits)
        qc.save_statevector()
        sim = sims[precision]
        return (lambda: sim.run(qc).result()), (lambda r: np.asarray(r.get_statevector()))

    return Simulator("aer", "Qiskit Aer", f"{qiskit_aer.__version__} (qiskit "
                     f"{qiskit.__version__})", (DOUBLE, SINGLE), prepare,
                     f"AerSimulator(method='statevector', max_parallel_threads={threads}), "
                     "fusion default, save_statevector")


def sim_qulacs(threads: int) -> Simulator:
    import qulacs
    from qulacs import QuantumCircuit, QuantumState, gate

    def prepare(spec: Spec, precision: str):
        n = spec.n
        circ = QuantumCircuit(n)
        for name, qubits, params in spec.ops:
            if name == "h":
                circ.add_H_gate(qubits[0])
            elif name in ("rx", "ry", "rz"):
                # qulacs RX/RY/RZ are exp(+i θ P/2); RotX/RotY/RotZ are exp(-i θ P/2)
                rot = {"rx": gate.RotX, "ry": gate.RotY, "rz": gate.RotZ}[name]
                circ.add_gate(rot(qubits[0], params[0]))
            elif name == "cz":
                circ.add_CZ_gate(*qubits)
            elif name == "swap":
                circ.add_SWAP_gate(*qubits)
            elif name == "cp":  # gate.CP is a CPTP map: build the controlled phase
                g = gate.DenseMatrix(qubits[1], np.diag([1.0, np.exp(1j * params[0])]))
                g.add_control_qubit(qubits[0], 1)
                circ.add_gate(g)
            elif name == "unitary":  # targets[0] is the least significant bit, as qvalley
                circ.add_dense_matrix_gate(list(qubits), params)
            else:
                raise ValueError(name)

        def run():
            state = QuantumState(n)
            circ.update_quantum_state(state)
            return state

        return run, (lambda s: s.get_vector())

    version = getattr(qulacs, "__version__", None) or dist_version("qulacs")
    return Simulator("qulacs", "qulacs", version, (DOUBLE,), prepare,
                     "QuantumState + QuantumCircuit.update_quantum_state, no optimiser; "
                     "threads from OMP_NUM_THREADS")


def sim_qsim(threads: int) -> Simulator:
    import cirq
    import qsimcirq
    sim = qsimcirq.QSimSimulator(qsim_options={"t": threads})  # "f" left at its default
    fuse = qsimcirq.QSimOptions().max_fused_gate_size

    def prepare(spec: Spec, precision: str):
        n = spec.n
        line = cirq.LineQubit.range(n)

        def q(k: int):  # qvalley qubit k -> cirq qubit, so amplitudes line up little-endian
            return line[n - 1 - k]

        ops = []
        for name, qubits, params in spec.ops:
            if name == "h":
                ops.append(cirq.H(q(qubits[0])))
            elif name in ("rx", "ry", "rz"):
                ops.append(getattr(cirq, name)(params[0]).on(q(qubits[0])))
            elif name == "cz":
                ops.append(cirq.CZ(q(qubits[0]), q(qubits[1])))
            elif name == "swap":
                ops.append(cirq.SWAP(q(qubits[0]), q(qubits[1])))
            elif name == "cp":
                ops.append(cirq.CZPowGate(exponent=params[0] / math.pi)
                           .on(q(qubits[0]), q(qubits[1])))
            elif name == "unitary":  # cirq matrices are big-endian in the listed qubits
                ops.append(cirq.MatrixGate(params).on(*[q(k) for k in reversed(qubits)]))
            else:
                raise ValueError(name)
        circuit = cirq.Circuit(ops)
        return ((lambda: sim.simulate(circuit, qubit_order=line)),
                (lambda r: r.final_state_vector))

    return Simulator("qsim", "qsim (qsimcirq)", f"{qsimcirq.__version__} (cirq "
                     f"{cirq.__version__})", (SINGLE,), prepare,
                     f"QSimSimulator(qsim_options={{'t': {threads}}}), f={fuse} (default)")


def sim_lightning(threads: int) -> Simulator:
    import pennylane as qml
    import pennylane_lightning  # not installed: reported and skipped

    def prepare(spec: Spec, precision: str):
        n = spec.n

        def w(k: int) -> int:  # PennyLane wire 0 is the most significant bit
            return n - 1 - k

        ops = []
        for name, qubits, params in spec.ops:
            if name == "h":
                ops.append(qml.Hadamard(wires=w(qubits[0])))
            elif name in ("rx", "ry", "rz"):
                gate = {"rx": qml.RX, "ry": qml.RY, "rz": qml.RZ}[name]
                ops.append(gate(params[0], wires=w(qubits[0])))
            elif name == "cz":
                ops.append(qml.CZ(wires=[w(k) for k in qubits]))
            elif name == "swap":
                ops.append(qml.SWAP(wires=[w(k) for k in qubits]))
            elif name == "cp":
                ops.append(qml.ControlledPhaseShift(params[0], wires=[w(k) for k in qubits]))
            elif name == "unitary":  # big-endian in the listed wires
                ops.append(qml.QubitUnitary(params, wires=[w(k) for k in reversed(qubits)]))
            else:
                raise ValueError(name)
        tape = qml.tape.QuantumScript(ops, [qml.state()])
        dev = qml.device("lightning.qubit", wires=n, c_dtype=DTYPES[precision])
        return (lambda: qml.execute([tape], dev, diff_method=None)[0]), np.asarray

    version = getattr(pennylane_lightning, "__version__", None) or \
        dist_version("pennylane_lightning")
    return Simulator("lightning", "PennyLane lightning.qubit", f"{version} (pennylane "
                     f"{qml.__version__})", (DOUBLE, SINGLE), prepare,
                     "qml.execute(tape, lightning.qubit, c_dtype), qml.state(); "
                     "threads from OMP_NUM_THREADS")


SIMULATORS = {"qvalley": sim_qvalley, "aer": sim_aer, "qulacs": sim_qulacs,
              "lightning": sim_lightning, "qsim": sim_qsim}


# --------------------------------------------------------------------------- floor

def _numba_pass():
    import numba

    @numba.njit(parallel=True, cache=False)
    def read_write(a, s):  # one read and one write of every element, in place
        for i in numba.prange(a.shape[0]):
            a[i] = a[i] * s

    return numba, read_write


def bandwidth_floor(n: int, threads: int, min_seconds: float = 0.3) -> dict[str, Any]:
    """Seconds per read + write pass over a 2**n state, complex128 and complex64."""
    try:
        numba, kernel = _numba_pass()
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        engine, used = f"numba {numba.__version__}", numba.get_num_threads()

        def one(view):
            kernel(view, view.dtype.type(1.0))
    except ImportError:
        engine, used = f"numpy {np.__version__}", 1

        def one(view):
            np.multiply(view, view.dtype.type(1.0), out=view)

    out: dict[str, Any] = {"engine": engine, "threads": used}
    for precision, real in ((DOUBLE, np.float64), (SINGLE, np.float32)):
        a = np.ones(2 * (1 << n), dtype=real)  # the state's floats, touched once below
        one(a)
        one(a)
        times = []
        t_start = time.perf_counter()
        while len(times) < 5 or (time.perf_counter() - t_start < min_seconds
                                 and len(times) < 200):
            t0 = time.perf_counter()
            one(a)
            times.append(time.perf_counter() - t0)
        sec = statistics.median(times)
        out[precision] = sec
        out[f"{precision}_GBps"] = 2 * a.nbytes / sec / 1e9
        del a
    gc.collect()
    return out


# --------------------------------------------------------------------------- timing

def mem_available() -> int:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 40


def fidelity(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.complex128).ravel()
    b = np.asarray(b, dtype=np.complex128).ravel()
    if a.shape != b.shape:
        return float("nan")
    return float(abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real))


def time_runs(run: Callable[[], Any], repeat: int, max_seconds: float | None):
    """Median seconds of ``repeat`` runs (fewer if one run exceeds ``max_seconds``) and the
    last result; the previous result is freed before each run."""
    times: list[float] = []
    out = None
    for _ in range(repeat):
        out = None
        gc.collect()
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
        if max_seconds is not None and times[-1] > max_seconds:
            break
    return statistics.median(times), times, out


@dataclass
class Row:
    family: str
    n: int
    gates: int
    sim: str
    precision: str
    seconds: float | None = None
    times: list[float] = field(default_factory=list)
    status: str = "ok"          # ok | n/a | not installed | skipped: ... | error: ...
    fidelity: float | None = None
    check: str = ""             # "" (not checked) | pass | FAIL
    requested: int = 0          # repeats asked for; len(times) is fewer after --max-seconds


# --------------------------------------------------------------------------- reporting

def fmt_s(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def infidelity_text(f: float | None) -> str:
    if f is None:
        return ""
    if math.isnan(f):
        return "F=nan"
    return f"1-F={max(1 - f, 0.0):.1e}"


class Results:
    def __init__(self):
        self.rows: list[Row] = []
        self.floor: dict[int, dict[str, Any]] = {}
        self.sims: dict[str, dict[str, Any]] = {}

    def get(self, family, n, sim, precision) -> Row | None:
        for r in self.rows:
            if (r.family, r.n, r.sim, r.precision) == (family, n, sim, precision):
                return r
        return None

    def ratio(self, family, n, sim, precision) -> float | None:
        ours = self.get(family, n, "qvalley", precision)
        theirs = self.get(family, n, sim, precision)
        if not ours or not theirs or ours.seconds is None or theirs.seconds is None:
            return None
        return ours.seconds / theirs.seconds

    def passes(self, family, n, precision) -> tuple[float | None, float | None]:
        r = self.get(family, n, "qvalley", precision)
        fl = self.floor.get(n, {}).get(precision)
        if not r or r.seconds is None or not fl:
            return None, None
        p = r.seconds / fl
        return p, p / r.gates


def cell(r: Row | None) -> str:
    if r is None:
        return "—"
    if r.status != "ok":
        return r.status
    short = "†" if 0 < len(r.times) < r.requested else ""
    return fmt_s(r.seconds) + short + (" !" if r.check == "FAIL" else "")


def print_block(res: Results, family: str, n: int, order: list[tuple[str, str]]) -> None:
    any_row = next((r for r in res.rows if r.family == family and r.n == n), None)
    if any_row is None:
        return
    fl = res.floor.get(n, {})
    print(f"\n{FAMILY_TITLE[family]}, n={n}, {any_row.gates} gates; floor: pass "
          f"{fmt_s(fl.get(DOUBLE, 0) * 1e3)} ms c128, {fmt_s(fl.get(SINGLE, 0) * 1e3)} ms c64")
    print(f"  {'simulator':<28}{'c128 s':>10}{'qv/anchor':>11}{'c64 s':>10}{'qv/anchor':>11}"
          f"   check")
    for sim in dict.fromkeys(s for s, _ in order):
        rd, rs = res.get(family, n, sim, DOUBLE), res.get(family, n, sim, SINGLE)
        checks = " ".join(f"{p}:{r.check} {infidelity_text(r.fidelity)}" for p, r in
                          (("c128", rd), ("c64", rs)) if r is not None and r.check)
        rat_d = "" if sim == "qvalley" else fmt_ratio(res.ratio(family, n, sim, DOUBLE))
        rat_s = "" if sim == "qvalley" else fmt_ratio(res.ratio(family, n, sim, SINGLE))
        print(f"  {res.sims[sim]['name']:<28}{cell(rd) if rd else 'n/a':>10}{rat_d:>11}"
              f"{cell(rs) if rs else 'n/a':>10}{rat_s:>11}   {checks}")
        if sim == "qvalley":
            for p, tag in ((DOUBLE, "c128"), (SINGLE, "c64")):
                passes, per_gate = res.passes(family, n, p)
                if passes is not None:
                    r = res.get(family, n, sim, p)
                    print(f"    {tag}: {passes:.1f} passes over memory, {per_gate:.3g} "
                          f"passes/gate, {r.seconds / r.gates * 1e3:.3g} ms/gate")


def markdown(res: Results, args, sizes: list[int], order: list[tuple[str, str]],
             command: str, env: dict[str, str], sims_ok) -> str:
    lines = [f"    {command}", ""]
    lines.append("; ".join(f"{k} {v}" for k, v in env.items()) + ".")
    lines.append("")
    lines.append(f"Threads: {args.threads} for every simulator. Median of {args.repeat} "
                 "runs after an untimed warm-up. Each cell is seconds, then qvalley / anchor "
                 "in the same precision (below 1: qvalley faster). Every state was checked "
                 "equal to qvalley's up to global phase at n = "
                 f"{min(sizes)}.")
    lines.append("")
    # floor
    lines.append("Memory-bandwidth floor (one read + write pass over the state, "
                 f"{next(iter(res.floor.values()))['engine'] if res.floor else '?'}, "
                 f"{next(iter(res.floor.values()))['threads'] if res.floor else '?'} threads):")
    lines.append("")
    lines.append("| n | complex128 pass ms | complex64 pass ms | GB/s (c128) |")
    lines.append("|---|---|---|---|")
    for n in sizes:
        fl = res.floor.get(n)
        if fl:
            lines.append(f"| {n} | {fl[DOUBLE] * 1e3:.3g} | {fl[SINGLE] * 1e3:.3g} | "
                         f"{fl[DOUBLE + '_GBps']:.1f} |")
    for family in args.families:
        lines.append("")
        gates = {r.n: r.gates for r in res.rows if r.family == family}
        lines.append(f"**{FAMILY_TITLE[family]}** (gates: " +
                     ", ".join(f"{gates[n]} at n={n}" for n in sizes if n in gates) + ")")
        lines.append("")
        head = "| simulator | precision | " + " | ".join(f"n={n} s | qv/anchor" for n in sizes)
        lines.append(head + " |")
        lines.append("|---|---|" + "---|---|" * len(sizes))
        for sim, precision in order:
            cells = []
            for n in sizes:
                r = res.get(family, n, sim, precision)
                rat = "" if sim == "qvalley" else fmt_ratio(res.ratio(family, n, sim, precision))
                cells.append(f"{cell(r)} | {rat}")
            tag = "complex128" if precision == DOUBLE else "complex64"
            info = res.sims[sim]
            name = info["name"] if sim not in sims_ok else \
                f"{info['name']} {info['version'].split()[0]}"
            lines.append(f"| {name} | {tag} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("qvalley against the floor (time / pass time = passes over memory):")
    lines.append("")
    lines.append("| circuit | gates | c128 s | passes | passes/gate | c64 s | passes | "
                 "passes/gate |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for family in args.families:
        for n in sizes:
            rd = res.get(family, n, "qvalley", DOUBLE)
            if rd is None:
                continue
            rs = res.get(family, n, "qvalley", SINGLE)
            pd, gd = res.passes(family, n, DOUBLE)
            ps, gs = res.passes(family, n, SINGLE)
            lines.append(f"| {family} {n} | {rd.gates} | {cell(rd)} | "
                         f"{'—' if pd is None else f'{pd:.0f}'} | "
                         f"{'—' if gd is None else f'{gd:.3g}'} | "
                         f"{cell(rs) if rs else 'n/a'} | {'—' if ps is None else f'{ps:.0f}'}"
                         f" | {'—' if gs is None else f'{gs:.3g}'} |")
    if any(0 < len(r.times) < r.requested for r in res.rows):
        lines.append("")
        lines.append(f"†: fewer than {args.repeat} runs (one run took longer than "
                     f"--max-seconds {args.max_seconds:g}).")
    if any(r.check == "FAIL" for r in res.rows):
        lines.append("")
        lines.append("!: the final state differs from qvalley's (see the check line).")
    lines.append("")
    worst = {}
    for r in res.rows:
        if r.check in ("pass", "FAIL"):
            key = (r.sim, r.precision)
            inf = 1 - r.fidelity if r.fidelity is not None and not math.isnan(r.fidelity) \
                else float("inf")
            worst[key] = max(worst.get(key, 0.0), inf)
    if worst:
        lines.append("Largest infidelity against qvalley complex128 at n = "
                     f"{min(sizes)}: " + ", ".join(
                         f"{res.sims[s]['name']} {'c128' if p == DOUBLE else 'c64'} "
                         f"{max(v, 0.0):.0e}" for (s, p), v in worst.items()) + ".")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main

def versions(res: Results) -> dict[str, str]:
    import numpy
    env = {"python": platform.python_version(), "numpy": numpy.__version__}
    try:
        import numba
        env["numba"] = numba.__version__
    except ImportError:
        env["numba"] = "not installed"
    for key, info in res.sims.items():
        env[info["name"]] = info["version"]
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    env["cpu"] = f"{cpu}, {os.cpu_count()} logical cores, " \
                 f"{mem_available() / 2 ** 30:.0f} GiB available at start"
    env["OMP_WAIT_POLICY"] = os.environ.get("OMP_WAIT_POLICY", "unset")
    env["load average at start"] = load_average()
    return env


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=None, help="comma-separated qubit counts "
                   "(16,20,24,26,28; 28 runs only where memory allows)")
    p.add_argument("--families", default=",".join(FAMILIES),
                   help="comma-separated, from qft,layered,qv")
    p.add_argument("--anchors", default=",".join(ANCHORS),
                   help="comma-separated, from aer,qulacs,lightning,qsim")
    p.add_argument("--precisions", default="double,single")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--omp-wait-policy", choices=("passive", "active", "default"),
                   default="passive", help="OMP_WAIT_POLICY for every simulator")
    p.add_argument("--depth", type=int, default=20, help="layered circuit depth")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--warmup-n", type=int, default=14,
                   help="size of the warm-up circuits (14: large enough for every "
                   "engine path, so no compilation or cache load is timed)")
    p.add_argument("--mem-factor", type=float, default=3.0,
                   help="skip a size unless this many states fit in available memory")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="stop repeating a measurement once one run takes longer than this")
    p.add_argument("--check-all", action="store_true",
                   help="check states at every size, not only the smallest")
    p.add_argument("--quick", action="store_true", help="n=12,16, one repeat: a smoke test")
    p.add_argument("--json", metavar="PATH", help="write every measurement as JSON")
    p.add_argument("--markdown", metavar="PATH", nargs="?", const="-",
                   help="write a Markdown report (to stdout when no PATH)")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.warmup_n = args.sizes or "12,16", 1, 6
    args.sizes = args.sizes or "16,20,24"
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s})
    args.families = [f for f in args.families.split(",") if f]
    args.anchors = [a for a in args.anchors.split(",") if a]
    args.precisions = [p_ for p_ in args.precisions.split(",") if p_]
    bad = [f for f in args.families if f not in FAMILIES] + \
        [a for a in args.anchors if a not in ANCHORS] + \
        [x for x in args.precisions if x not in (DOUBLE, SINGLE)]
    if bad:
        p.error(f"unknown: {', '.join(bad)}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    threads = args.threads
    res = Results()
    command = "python benchmarks/statevector/anchors.py " + " ".join(sys.argv[1:] if argv is
                                                                      None else argv)
    t_total = time.perf_counter()

    sims: dict[str, Simulator] = {}
    for key in ("qvalley", *args.anchors):
        try:
            sims[key] = SIMULATORS[key](threads)
        except ImportError as exc:
            print(f"{key}: not installed ({exc})")
            res.sims[key] = {"name": key, "version": "not installed", "notes": str(exc)}
            continue
        except Exception as exc:  # noqa: BLE001 - a broken anchor is skipped, not fatal
            print(f"{key}: failed to start ({exc!r})")
            res.sims[key] = {"name": key, "version": "error", "notes": repr(exc)}
            continue
        s = sims[key]
        res.sims[key] = {"name": s.name, "version": s.version, "notes": s.notes,
                         "precisions": list(s.precisions)}
    if "qvalley" not in sims:
        print("qvalley is not importable")
        return 2
    # rows: every precision a simulator has, plus "n/a" rows for qvalley and qulacs single
    # precision; a missing anchor gets one "not installed" row
    order = [(k, p) for k in ("qvalley", *args.anchors) for p in (DOUBLE, SINGLE)
             if p in args.precisions and k in res.sims
             and (p in sims[k].precisions or k in ("qvalley", "qulacs") if k in sims
                  else p == args.precisions[0])]
    env = versions(res)
    print("versions: " + "; ".join(f"{k} {v}" for k, v in env.items()))
    print(f"threads {threads} (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}), "
          f"repeat {args.repeat}, sizes {args.sizes}")
    for key, s in sims.items():
        if s.notes:
            print(f"  {s.name}: {s.notes}")

    # warm-up: every simulator, precision and family once at a small size, untimed
    for key, s in sims.items():
        for precision in s.precisions:
            if precision not in args.precisions:
                continue
            for family in args.families:
                spec = build(family, args.warmup_n, args.depth, args.seed)
                try:
                    run, fetch = s.prepare(spec, precision)
                    fetch(run())
                except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                    print(f"  warm-up {s.name} {precision} {family}: {exc!r}")

    smallest = min(args.sizes)
    for n in args.sizes:
        res.floor[n] = bandwidth_floor(n, threads)
        fl = res.floor[n]
        print(f"\nfloor n={n}: {fl[DOUBLE] * 1e3:.3g} ms/pass c128 "
              f"({fl[DOUBLE + '_GBps']:.1f} GB/s), {fl[SINGLE] * 1e3:.3g} ms/pass c64 "
              f"({fl['engine']}, {fl['threads']} threads)")
        for family in args.families:
            spec = build(family, n, args.depth, args.seed)
            gates = len(spec.ops)
            check = args.check_all or n == smallest
            reference = None
            for key, precision in order:
                row = Row(family, n, gates, key, precision, requested=args.repeat)
                res.rows.append(row)
                s = sims.get(key)
                if s is None:
                    row.status = "not installed"
                    continue
                if precision not in s.precisions:
                    row.status = "n/a"
                    continue
                need = args.mem_factor * (1 << n) * np.dtype(DTYPES[precision]).itemsize
                if need > mem_available():
                    row.status = "skipped: memory"
                    continue
                try:
                    run, fetch = s.prepare(spec, precision)
                    row.seconds, row.times, out = time_runs(run, args.repeat,
                                                            args.max_seconds)
                    if check:
                        state = fetch(out)
                        if key == "qvalley" and precision == DOUBLE:
                            reference = np.array(state, dtype=np.complex128, copy=True)
                            row.check, row.fidelity = "ref", 1.0
                        elif reference is not None:
                            row.fidelity = fidelity(reference, state)
                            ok = row.fidelity >= 1 - FIDELITY_TOL[precision]
                            row.check = "pass" if ok else "FAIL"
                        del state
                    del out, run, fetch
                except MemoryError:
                    row.status = "skipped: memory"
                except Exception as exc:  # noqa: BLE001 - one failure must not end the run
                    row.status = f"error: {type(exc).__name__}"
                    print(f"  {s.name} {precision} {spec.label}: {exc!r}")
                gc.collect()
            reference = None
            gc.collect()
            print_block(res, family, n, order)

    failed = [r for r in res.rows if r.check == "FAIL"]
    for r in failed:
        print(f"CHECK FAILED: {r.sim} {r.precision} {r.family} {r.n}: fidelity {r.fidelity}")
    env["load average at end"] = load_average()
    print(f"\ntotal {time.perf_counter() - t_total:.0f} s; load average at start "
          f"{env['load average at start']}, at end {env['load average at end']}")

    if args.markdown:
        text = markdown(res, args, args.sizes, order, command, env, set(sims))
        if args.markdown == "-":
            print("\n" + text)
        else:
            with open(args.markdown, "w") as fh:
                fh.write(text)
            print(f"wrote {args.markdown}")
    if args.json:
        data = {"command": command, "versions": env, "threads": threads,
                "repeat": args.repeat, "sizes": args.sizes, "families": args.families,
                "simulators": res.sims,
                "floor": {str(n): v for n, v in res.floor.items()},
                "rows": [r.__dict__ for r in res.rows]}
        with open(args.json, "w") as fh:
            json.dump(data, fh, indent=1)
        print(f"wrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
