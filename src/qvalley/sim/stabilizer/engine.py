"""Stabilizer runs: one tableau pass for a reference, then every shot as a Pauli frame.

:func:`sample` runs the circuit once on the tableau (:mod:`.nb_tableau`), noiseless, for
a reference record, then draws all shots at once with the frame sampler
(:mod:`.nb_frames`), Pauli noise and readout errors included: the tableau work is paid
once, whatever the number of shots. A circuit with classical conditions on anything but
Pauli gates cannot be sampled by frames (the shot's Clifford would differ from the
reference's); it runs a tableau per shot instead, exactly.

:class:`StabilizerState` is the final state of a measurement-free Clifford circuit, for
expectation values of Pauli strings and its stabilizer generators.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ...circuit import Circuit
from ...errors import BackendError, ResourceError
from ..memory import available_bytes, format_bytes
from ..statevector.backend import thread_count
from . import program as P
from .rows import K, Q0


def _seed(rng: np.random.Generator) -> np.ndarray:
    return np.array([int(rng.integers(0, 2 ** 63))], dtype=np.uint64)


def _check_memory(n: int, shots: int, clbits: int) -> None:
    words = max((n + 63) >> 6, 1)
    swords = max((shots + 63) >> 6, 1)
    need = 4 * n * words * 8 + 2 * n * swords * 8 + clbits * swords * 8 + shots * clbits
    if need > available_bytes():
        raise ResourceError(f"a stabilizer run of {n} qubits and {shots} shots needs about "
                            f"{format_bytes(need)} but {format_bytes(available_bytes())} "
                            "is available; run fewer shots per call")


def sample(circuit: Circuit, model, shots: int, rng: np.random.Generator,
           program: P.Program | None = None) -> tuple[np.ndarray, dict]:
    """(records (shots, num_clbits) uint8, details: active_qubits, method ("frames" or
    "tableau per shot")); ``program``: the circuit's program with ``model``, when the
    caller has built it already."""
    from . import nb_tableau as T
    prog = P.build(circuit, model) if program is None else program
    n, m = prog.num_qubits, circuit.num_clbits
    _check_memory(n, shots, m)
    out = np.zeros((shots, m), dtype=np.uint8)
    state = _seed(rng)
    if not prog.frames_ok:
        T.run_shots(prog.ops, prog.ipool, prog.fpool, n, m, shots, state, out)
        return out, {"active_qubits": n, "method": "tableau per shot"}
    from . import nb_frames as F
    X, Z, SR = T.initial(n)
    ref_out = np.zeros(prog.rows, dtype=np.uint8)
    ref_applied = np.zeros(prog.rows, dtype=np.uint8)
    classical = np.zeros(max(m, 1), dtype=np.uint8)
    T.run(prog.ops, prog.ipool, prog.fpool, X, Z, SR, n, classical, state, False, ref_out,
          ref_applied)
    chunks = frame_chunks(shots)
    seeds = [_seed(rng) for _ in chunks]

    def frames(i: int) -> None:
        lo, hi = chunks[i]
        F.sample(prog.ops, prog.ipool, prog.fpool, n, m, hi - lo, ref_out, ref_applied,
                 seeds[i], out[lo:hi])

    workers = min(thread_count(), len(chunks))
    if workers > 1:  # the kernel releases the GIL
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(frames, range(len(chunks))))
    else:
        for i in range(len(chunks)):
            frames(i)
    return out, {"active_qubits": n, "method": "frames"}


FRAME_CHUNK = 8192  # shots a frame batch: its frames (2 n words a 64 shots) stay in cache


def frame_chunks(shots: int) -> list[tuple[int, int]]:
    """The shot ranges sampled as separate frame batches (each with its own seed, drawn in
    order): a batch holds at most FRAME_CHUNK shots, and 2048 shots or more are split in
    two at least so that two cores share them. They depend on ``shots`` alone, so a seed
    gives the same records on any machine."""
    words = (shots + 63) >> 6
    count = -(-shots // FRAME_CHUNK)
    if shots >= 2048:
        count = max(count, 2)
    size = -(-words // count) * 64
    return [(lo, min(lo + size, shots)) for lo in range(0, shots, size)]


_LETTERS = {"I": (0, 0), "X": (1, 0), "Y": (1, 1), "Z": (0, 1)}


class StabilizerState:
    """The state of a Clifford circuit without measurements, as a stabilizer tableau.

    >>> import qvalley as qv
    >>> st = qv.stabilizer_state(qv.Circuit(3).h(0).cx(0, 1).cx(1, 2))
    >>> st.expectation("ZZI"), st.expectation("XXX"), st.expectation("ZII")
    (1.0, 1.0, 0.0)
    >>> st.stabilizers()
    ['+XXX', '+IZZ', '+ZZI']
    """

    def __init__(self, circuit: Circuit):
        from . import nb_tableau as T
        for i, ins in enumerate(circuit.data):
            if ins.kind not in ("gate", "unitary", "barrier") and not (
                    ins.kind == "measure" and i in _final(circuit)):
                raise BackendError(f"{ins.kind} at position {i}: a stabilizer state is "
                                   "the state of a circuit of gates (final measurements "
                                   "are dropped); sample it with qv.run(..., "
                                   "backend='stabilizer')")
            if ins.condition is not None:
                raise BackendError(f"{ins.display_name} at position {i} is classically "
                                   "conditioned; a stabilizer state has no classical bits")
        gates = circuit.copy_empty()
        for ins in circuit.data:
            if ins.kind in ("gate", "unitary"):
                gates._data.append(ins)
        n = circuit.num_qubits
        self.num_qubits = n
        prog = P.build(gates, None)
        # every qubit is simulated here (expectation values name them all)
        X, Z, SR = T.initial(n)
        used = np.array(prog.used + [0], dtype=np.int64)
        ops = prog.ops.copy()
        for j in range(4):  # back from simulated qubits to the circuit's
            has = ops[:, K] > j
            ops[has, Q0 + j] = used[ops[has, Q0 + j]]
        T.run(ops, prog.ipool, prog.fpool, X, Z, SR, n, np.zeros(1, dtype=np.uint8),
              np.zeros(1, dtype=np.uint64), False, np.zeros(len(ops), dtype=np.uint8),
              np.zeros(len(ops), dtype=np.uint8))
        self._X, self._Z, self._SR = X, Z, SR  # destabilizer words, then stabilizer words

    def _parse(self, pauli) -> tuple[np.ndarray, np.ndarray, int]:
        """(x bits, z bits, exponent of i) of ``pauli``: a label as Qiskit writes it
        (qubit 0 last, an optional sign or phase first: "-XZ", "iYY"), or a dict
        {qubit: "X"}."""
        n = self.num_qubits
        x = np.zeros(n, dtype=np.uint8)
        z = np.zeros(n, dtype=np.uint8)
        phase = 0
        if isinstance(pauli, dict):
            items = pauli.items()
        elif isinstance(pauli, str):
            label = pauli.strip()
            for prefix, e in (("-i", 3), ("+i", 1), ("-", 2), ("+", 0), ("i", 1)):
                if label.startswith(prefix) and len(label) > len(prefix):
                    label, phase = label[len(prefix):], e
                    break
            if len(label) != n:
                raise BackendError(f"Pauli label {pauli!r} has {len(label)} letters; the "
                                   f"state has {n} qubits (qubit 0 is the last letter)")
            items = ((n - 1 - i, ch) for i, ch in enumerate(label))
        else:
            raise BackendError(f"a Pauli is a label such as 'XZI' or a dict {{qubit: 'X'}}, "
                               f"got {type(pauli).__name__}")
        for q, ch in items:
            letter = str(ch).upper()
            if letter not in _LETTERS:
                raise BackendError(f"{ch!r} in {pauli!r} is not one of I, X, Y, Z")
            if not isinstance(q, (int, np.integer)) or not 0 <= q < n:
                raise BackendError(f"qubit {q!r} in {pauli!r} is outside 0..{n - 1}")
            x[q], z[q] = _LETTERS[letter]
        return x, z, phase

    def expectation(self, pauli) -> complex | float:
        """<psi|P|psi>: +-1 when +-P stabilizes the state, 0 otherwise (times the label's
        phase, so "iXX" can give +-1j)."""
        from . import nb_tableau as T
        x, z, phase = self._parse(pauli)
        X, Z, SR = self._X, self._Z, self._SR
        W = SR.size
        SX, SZ, DX, DZ = X[:, W:], Z[:, W:], X[:, :W], Z[:, :W]
        n = self.num_qubits
        anti_s = np.zeros(W, dtype=np.uint64)
        anti_d = np.zeros(W, dtype=np.uint64)
        for j in np.nonzero(x | z)[0]:
            if z[j]:
                anti_s ^= SX[j]
                anti_d ^= DX[j]
            if x[j]:
                anti_s ^= SZ[j]
                anti_d ^= DZ[j]
        if np.any(anti_s):
            return 0.0
        # P = +-(product of the stabilizers whose destabilizer anticommutes with P)
        e = int(T.product_sign(X, Z, SR, anti_d, n))
        value = (1j) ** ((e + phase) % 4)
        return float(value.real) if value.imag == 0 else complex(value)

    def stabilizers(self) -> list[str]:
        """The n stabilizer generators as signed labels (qubit 0 last)."""
        SR = self._SR
        SX, SZ = self._X[:, SR.size:], self._Z[:, SR.size:]
        n = self.num_qubits
        out = []
        for i in range(n):
            w, b = i >> 6, np.uint64(i & 63)
            sign = "-" if (SR[w] >> b) & np.uint64(1) else "+"
            letters = []
            for j in range(n - 1, -1, -1):
                xb = int((SX[j, w] >> b) & np.uint64(1))
                zb = int((SZ[j, w] >> b) & np.uint64(1))
                letters.append("IXZY"[xb + 2 * zb])
            out.append(sign + "".join(letters))
        return out


def _final(circuit: Circuit) -> set[int]:
    from ..density.engine import final_measurements
    return final_measurements(circuit)
