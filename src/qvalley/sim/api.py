"""The simulation entry points: :func:`statevector`, :func:`probabilities`, :func:`run`."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

import numpy as np

from ..circuit import Circuit
from ..errors import BackendError, CircuitError, ResourceError
from .memory import available_bytes, format_bytes, require_statevector
from .result import Result, records_to_strings
from .statevector import backend, engine, small

BACKENDS = ("auto", "statevector", "density_matrix", "trajectories", "stabilizer")
STABILIZER_AUTO_QUBITS = 20  # auto: Clifford circuits with more active qubits -> stabilizer
DENSITY_MAX_QUBITS = 14  # a 2**28-entry density matrix (4 GiB): what this machine holds
DENSITY_AUTO_QUBITS = 12  # auto: density matrix up to here (seconds), trajectories above


def _as_circuit(circuit) -> Circuit:
    if isinstance(circuit, Circuit):
        return circuit
    if isinstance(circuit, (str, Path)):
        from ..qasm import load_qasm
        return load_qasm(circuit)
    raise CircuitError(f"expected a Circuit (or an OpenQASM path or text), got "
                       f"{type(circuit).__name__}")


def _rng(seed) -> tuple[np.random.Generator, int]:
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise BackendError(f"seed must be a non-negative int, got {seed!r}")
    return np.random.default_rng(int(seed)), int(seed)


PRECISIONS = {"double": np.complex128, "single": np.complex64}


def _dtype(precision: str):
    if isinstance(precision, str) and precision.lower() in PRECISIONS:
        return np.dtype(PRECISIONS[precision.lower()])
    raise BackendError(f"precision must be 'double' (complex128) or 'single' (complex64), "
                       f"got {precision!r}")


def statevector(circuit: Circuit | str, *, initial_state: Sequence[complex] | None = None,
                seed: int | None = None, precision: str = "double",
                threads: int | None = None, explain: bool = False):
    """The final state as an array of 2**n amplitudes (qubit 0 least significant):
    complex128, or complex64 with ``precision="single"`` (half the memory).

    Final measurements are dropped. A circuit whose state depends on a random measurement
    outcome (mid-circuit measurement or reset of a qubit in superposition) needs ``seed``,
    which picks one trajectory. ``threads`` (default: ``QVALLEY_NUM_THREADS``, else every
    core) is how many threads the numba engine uses. With ``explain=True`` the result is
    ``(state, plan)``: ``print(plan)`` shows the blocks and passes over memory the engine
    made (``plan`` is None when the numpy engine ran, as for dynamic circuits).

    >>> import qvalley as qv
    >>> qv.statevector(qv.Circuit(1).h(0)).round(3)
    array([0.707+0.j, 0.707+0.j])
    """
    circuit = _as_circuit(circuit)
    dtype = _dtype(precision)
    threads = backend.thread_count(threads)
    if not explain and small.wanted(circuit.num_qubits):
        done = small.final_state(circuit, initial_state)
        if done is not None:
            psi = done[0]
            return psi if dtype == psi.dtype else psi.astype(dtype)
    program, _ = engine.prepare(circuit)
    rng = None if seed is None else _rng(seed)[0]
    plans: list | None = [] if explain else None
    psi = engine.final_state(program, rng, initial_state, dtype=dtype, threads=threads,
                             plan_out=plans)
    if explain:
        return psi, (plans[0] if plans else None)
    return psi


def density_matrix(circuit: Circuit | str, noise=None, *, threads: int | None = None
                   ) -> np.ndarray:
    """The final density matrix of ``circuit`` (2**n x 2**n, complex128; qubit 0 the least
    significant bit of row and column indices), under ``noise`` (a NoiseModel or a target)
    when given; final measurements are dropped.

    >>> import qvalley as qv
    >>> rho = qv.density_matrix(qv.Circuit(1).h(0), noise=None)
    >>> rho.real.round(3).tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    circuit = _as_circuit(circuit)
    if circuit.num_qubits > DENSITY_MAX_QUBITS:
        raise ResourceError(f"a density matrix of {circuit.num_qubits} qubits has "
                            f"4**{circuit.num_qubits} entries; qvalley takes up to "
                            f"{DENSITY_MAX_QUBITS} qubits")
    from .density import engine as dm
    return dm.density_matrix(circuit, _noise_model(noise),
                             threads=backend.thread_count(threads))


def _stabilizer_fits(circuit: Circuit, model):
    """auto: the stabilizer runs Clifford circuits with more active qubits than a state
    vector handles quickly (noisy ones above the density matrix's range, when every error
    is a Pauli channel). Returns (program, hint): the stabilizer program when it fits
    (built once, here, and run as it is), else None; the hint, for a Clifford circuit
    whose noise is not Pauli, says how to run it on the stabilizer anyway."""
    from .stabilizer.program import build, is_clifford, simulated_qubits
    limit = STABILIZER_AUTO_QUBITS if model is None else DENSITY_AUTO_QUBITS
    if len(simulated_qubits(circuit)) <= limit or not is_clifford(circuit):
        return None, ""
    try:
        return build(circuit, model), ""
    except BackendError as err:  # some error is not a Pauli channel: trajectories take it
        reason = str(err).split(";")[0]
        return None, (f"The circuit is Clifford, so the stabilizer backend could run it, "
                       f"but {reason}: its Pauli approximation can, with "
                       "noise=model.pauli_twirled() (or qvalley run --noise TARGET "
                       "--twirl)")


def _noise_model(noise):
    """A NoiseModel from what ``run(noise=...)`` accepts, or None for no noise."""
    if noise is None:
        return None
    from ..noise import NoiseModel
    if isinstance(noise, NoiseModel):
        return None if noise.is_ideal else noise
    return NoiseModel.from_target(noise)


def probabilities(circuit: Circuit | str, qubits: Sequence[int] | None = None, *,
                  initial_state: Sequence[complex] | None = None,
                  seed: int | None = None) -> np.ndarray:
    """Probabilities of the basis states: ``|psi|**2`` over all qubits, or the marginal
    distribution of ``qubits`` (``qubits[0]`` is the least significant bit)."""
    circuit = _as_circuit(circuit)
    # the state and, beside it, the probabilities (half its size)
    require_statevector(circuit.num_qubits, copies=1.5)
    probs = np.abs(statevector(circuit, initial_state=initial_state, seed=seed)) ** 2
    if qubits is None:
        return probs
    n = circuit.num_qubits
    qubits = list(qubits) if isinstance(qubits, (list, tuple, range, np.ndarray)) and \
        np.ndim(qubits) else [qubits]
    from ..circuit.instruction import check_qubits
    check_qubits(qubits, n)
    tensor = probs.reshape((2,) * n)
    keep = [n - 1 - q for q in reversed(qubits)]  # big-endian order of the kept axes
    others = tuple(ax for ax in range(n) if ax not in keep)
    marg = tensor.sum(axis=others) if others else tensor
    remaining = sorted(keep)
    marg = np.transpose(marg, [remaining.index(ax) for ax in keep])
    return marg.reshape(-1)


def run(circuit: Circuit | str, shots: int = 1024, seed: int | None = None, *,
        backend: str = "auto", noise=None) -> Result:
    """Run ``circuit`` ``shots`` times and return counts and per-shot memory.

    ``noise``: a :class:`~qvalley.NoiseModel`, or a target (name, JSON file, Target) whose
    model :meth:`~qvalley.NoiseModel.from_target` builds. A noisy run with ``backend=
    "auto"`` simulates the density matrix exactly and draws the shots from its
    distribution, readout errors included, when it has at most 12 active qubits and every
    measurement is final; otherwise it runs trajectories (mid-circuit measurements,
    resets and conditions included). ``backend="stabilizer"`` runs Clifford circuits of
    thousands of qubits (Pauli noise and readout errors included); ``auto`` picks it for
    a Clifford circuit of more than 20 active qubits (noisy: more than 12, when every
    error is a Pauli channel). ``result.backend`` says which ran.

    >>> import qvalley as qv
    >>> c = qv.Circuit(2).h(0).cx(0, 1).measure_all()
    >>> sorted(qv.run(c, shots=100, seed=7).counts)
    ['00', '11']
    """
    circuit = _as_circuit(circuit)
    if backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; available: {', '.join(BACKENDS)}")
    if isinstance(shots, (bool, np.bool_)) or not isinstance(shots, (int, np.integer)) \
            or shots < 1:
        raise BackendError(f"shots must be a positive int, got {shots!r}")
    shots = int(shots)
    if not any(ins.kind == "measure" for ins in reversed(circuit.data)):  # most end so
        raise CircuitError("the circuit measures nothing, so there are no counts; add "
                           "measure()/measure_all(), or use statevector()/probabilities()")
    # per shot: its record (a byte a bit, packed again to compare), the engine's per-shot
    # arrays (random numbers, row of its state, labels) and its entry in memory
    m = circuit.num_clbits
    needed = shots * (m + m // 8 + 80)
    if needed > available_bytes():
        raise ResourceError(f"{shots} shots of {circuit.num_clbits} bits need about "
                            f"{format_bytes(needed)} for their records but "
                            f"{format_bytes(available_bytes())} is available; run fewer shots "
                            "per call")
    rng, used_seed = _rng(seed)
    start = time.perf_counter()
    model = _noise_model(noise)
    if model is not None and backend == "statevector":
        raise BackendError("backend='statevector' simulates without noise; use "
                           "backend='density_matrix', 'trajectories' or 'auto' for a noisy "
                           "run")
    hint, program = "", None
    if backend == "auto":
        program, hint = _stabilizer_fits(circuit, model)
        if program is not None:
            backend = "stabilizer"
    if backend == "stabilizer":
        from .stabilizer import engine as stab
        records, details = stab.sample(circuit, model, shots, rng, program)
        counts, memory = records_to_strings(records)
        return Result(counts, memory, shots, used_seed, "stabilizer", circuit.num_clbits,
                      time.perf_counter() - start, details)
    if backend in ("density_matrix", "trajectories") or model is not None:
        from .density import engine as dm
        active = len(dm.active_qubits(circuit))
        if backend == "auto":  # exact when it fits and every measurement is final
            backend = "density_matrix" if active <= DENSITY_AUTO_QUBITS and \
                dm.is_static(circuit) else "trajectories"
        details: dict = {"active_qubits": active}
        if backend == "density_matrix":
            if active > DENSITY_MAX_QUBITS:
                raise BackendError(f"the density_matrix backend takes up to "
                                   f"{DENSITY_MAX_QUBITS} active qubits, the circuit has "
                                   f"{active}; use backend='trajectories'")
            records = dm.sample(circuit, model, shots, rng)
        else:
            from .density import trajectories
            try:
                records, details["branches"] = trajectories.sample(circuit, model, shots,
                                                                   rng)
            except ResourceError as err:
                if not hint:
                    raise
                raise ResourceError(f"{err}. {hint}") from None
        counts, memory = records_to_strings(records)
        return Result(counts, memory, shots, used_seed, backend, circuit.num_clbits,
                      time.perf_counter() - start, details)
    done = small.final_state(circuit) if small.wanted(circuit.num_qubits) else None
    if done is not None:
        records = np.zeros((shots, circuit.num_clbits), dtype=np.uint8)
        engine.fill_terminal(records, done[0], done[1], rng)
    else:
        program, _ = engine.prepare(circuit, active_only=True)
        records = engine.sample(program, shots, rng)
    counts, memory = records_to_strings(records)
    return Result(counts, memory, shots, used_seed, "statevector", circuit.num_clbits,
                  time.perf_counter() - start)


def stabilizer_state(circuit: Circuit | str):
    """The final state of a Clifford circuit (final measurements dropped) as a stabilizer
    tableau: ``.expectation("XXZ")`` of Pauli strings, ``.stabilizers()``.

    >>> import qvalley as qv
    >>> qv.stabilizer_state(qv.Circuit(2).h(0).cx(0, 1)).expectation("XX")
    1.0
    """
    from .stabilizer.engine import StabilizerState
    return StabilizerState(_as_circuit(circuit))
