"""Small circuits in one numba call: thousands of circuits a second.

A 10-qubit circuit of 100 gates is 100 operations of a microsecond or less each; through
the general engine each one also pays the engine's preparation and a numpy call (about
10 us a gate together). Here a circuit made of gates (and final measurements) is turned
straight from its instructions into two flat arrays (:func:`encode`: an int64 program and
a pool of matrix entries; matrices of fixed gates are computed once per process) and run
by :func:`.nb_small.run_program` in one call.

Importing numba and loading the compiled runner takes about half a second, more than a
few hundred small circuits cost on numpy, so this path starts once numba is already
loaded in the process (a large simulation or a compilation ran) or once the process has
run :data:`SWITCH_AFTER` small circuits; a single ``qvalley run`` stays numba-free.
``QVALLEY_ENGINE=numpy`` keeps everything on numpy.

The matrices come from the gate table (:data:`~qvalley.circuit.gates.GATES`), controlled
gates act on their controlled subspace through the table's ``base``, as in the engine.
"""
from __future__ import annotations

import os
import sys
import threading

import numpy as np

from ...circuit import Circuit
from ...circuit.gates import GATES
from ...errors import CircuitError
from . import backend, engine

SWITCH_AFTER = 200   # small circuits run on numpy before numba is loaded for the rest
MAX_QUBITS = backend.PLAN_MIN_QUBITS - 1
MIN_QUBITS = 3       # the runner walks blocks of 8 amplitudes (smaller states: numpy)

DENSE, DIAG, XGATE, SWAP = 0, 1, 2, 3  # record kinds of nb_small (no numba import here)
_X = np.array([[0, 1], [1, 0]], dtype=np.complex128)
_SWAP = np.eye(4, dtype=np.complex128)[[0, 2, 1, 3]]

_seen = 0                     # small circuits run on numpy so far
_runner = None                # nb_small.run_program once loaded
_records: dict[tuple, tuple | None] = {}  # (name, qubits, controls, ctrl_state) -> record
RECORDS_KEPT = 100_000
_fixed: list[complex] = []    # entries of the fixed matrices, one copy per gate
_fixed_at: dict[str, int] = {}  # gate name -> its offset in _fixed
_fixed_array = np.zeros(1, dtype=np.complex128)
_lock = threading.Lock()
_OFFSETS: list[bytes] = []  # int64 bytes of 0, 1, 2, ... (filled when the runner loads)


def wanted(num_qubits: int) -> bool:
    """Whether a gate-only circuit on ``num_qubits`` qubits takes this path now."""
    global _seen
    if not MIN_QUBITS <= num_qubits <= MAX_QUBITS:
        return False
    if _runner is not None:
        return True
    forced = os.environ.get("QVALLEY_ENGINE", "").strip().lower()
    if forced in ("numpy", "numba"):  # numba: the planner runs (tests pick engines)
        return False
    _seen += 1
    if "numba" not in sys.modules and _seen <= SWITCH_AFTER:
        return False
    return backend.numba_available()


def runner():
    global _runner
    if _runner is None:
        from . import nb_small
        _OFFSETS.extend(i.to_bytes(8, sys.byteorder, signed=True) for i in range(1 << 12))
        nb_small.warm_up()
        _runner = nb_small.run_program
    return _runner


def _classify(matrix: np.ndarray) -> int:
    """Record kind of a matrix."""
    d = matrix.shape[0]
    if d == 2 and np.array_equal(matrix, _X):
        return XGATE
    if d == 4 and np.array_equal(matrix, _SWAP):
        return SWAP
    if np.count_nonzero(matrix - np.diag(np.diagonal(matrix))) == 0:
        return DIAG
    return DENSE


def _fixed_offset(base) -> tuple[int, int]:
    """Kind and (negative) offset in the fixed pool of a gate without parameters."""
    with _lock:
        at = _fixed_at.get(base.name)
        if at is None:
            at = _fixed_at[base.name] = len(_fixed)
            _fixed.extend(base.matrix().ravel().tolist())
    return _classify(base.matrix()), -1 - at


def _gate_record(ins) -> tuple | None:
    """``(words, entries_fn, matrix_fn)`` of a table gate on its qubits, ``words`` packed
    as int64 bytes. A gate without parameters has its whole record in ``words`` (offset
    included) and no functions; one with parameters has the words after the offset, and
    the functions that give its matrix from them (``entries_fn`` when the table defines
    the matrix by its entries)."""
    spec = GATES.get(ins.name)
    if spec is None:
        return None
    qs, k, ctrl_state = ins.qubits, ins.num_ctrl, ins.ctrl_state
    base, own = spec, 0
    if spec.controls and spec.base is not None:
        # act on the controlled subspace only (the table guarantees that the gate is its
        # base gate controlled on its first qubits)
        base, own = GATES[spec.base], spec.controls
        ctrl_state |= ((1 << own) - 1) << k
        k += own
    if base.num_params:
        code = DIAG if base.diagonal else DENSE
        return _pack(_head(code, qs, k, ctrl_state)), base.entries_fn, base.matrix_fn
    code, offset = _fixed_offset(base)
    return _pack((offset,) + _head(code, qs, k, ctrl_state)), None, None


def _pack(words: tuple[int, ...]) -> bytes:
    return np.array(words, dtype=np.int64).tobytes()


def _offset(i: int) -> bytes:
    """``i`` as the bytes of one int64 word (from a table for the common sizes)."""
    if i < len(_OFFSETS):
        return _OFFSETS[i]
    return i.to_bytes(8, sys.byteorder, signed=True)


def _head(code: int, qs: tuple[int, ...], k: int, ctrl_state: int) -> tuple[int, ...]:
    """Record words after the offset: the first ``k`` of ``qs`` are controls that must
    read the bits of ``ctrl_state``."""
    cmask = cval = 0
    for i in range(k):
        bit = 1 << qs[i]
        cmask |= bit
        if (ctrl_state >> i) & 1:
            cval |= bit
    return (code, len(qs) - k, cmask, cval) + tuple(qs[k:])


def _fixed_pool() -> np.ndarray:
    global _fixed_array
    with _lock:
        if _fixed_array.size != max(len(_fixed), 1):
            _fixed_array = np.array(_fixed, dtype=np.complex128)
        return _fixed_array


def encode(circuit: Circuit):
    """``(program, pool, fixed, terminal)`` for a circuit of gates, barriers and final
    measurements (``terminal``: (qubit, clbit) pairs), or None when it holds anything
    else (a mid-circuit measurement, a reset, a condition, an unbound parameter), which
    the general engine handles. ``pool`` holds the matrices of this circuit's
    parameterised gates and unitaries, ``fixed`` those of gates without parameters."""
    words: list[bytes] = []  # records as int64 bytes, joined once at the end
    flat: list[complex] = []
    terminal: list[tuple[int, int]] = []
    records = _records
    if len(records) > RECORDS_KEPT:
        records.clear()
    try:
        for ins in circuit.data:
            kind = ins.kind
            if kind == "gate" and ins.condition is None and not terminal:
                key = (ins.name, ins.qubits, ins.num_ctrl, ins.ctrl_state)
                rec = records.get(key)
                if rec is None:
                    rec = records[key] = _gate_record(ins)
                    if rec is None:
                        return None
                head, entries, matrix = rec
                if matrix is None:
                    words.append(head)
                    continue
                words.append(_offset(len(flat)))
                words.append(head)
                # parameters are floats or expressions (Circuit checks them); an unbound
                # expression raises below and the general engine reports it
                if entries is not None:
                    flat += entries(*ins.params)
                else:
                    flat += matrix(*map(float, ins.params)).ravel().tolist()
                continue
            if kind == "barrier":
                continue
            if ins.condition is not None:
                return None
            if kind == "measure":
                q, c = ins.qubits[0], ins.clbits[0]
                if any(q == t or c == b for t, b in terminal):
                    return None  # measured twice: the first one is not a final measurement
                terminal.append((q, c))
                continue
            if kind != "unitary" or terminal:
                return None  # reset, opaque, or an operation after a measurement
            words.append(_offset(len(flat)))
            words.append(_pack(_head(_classify(ins.matrix), ins.qubits, ins.num_ctrl,
                                     ins.ctrl_state)))
            flat += ins.matrix.ravel().tolist()
    except (CircuitError, TypeError, ValueError):
        return None
    program = np.frombuffer(bytearray().join(words), dtype=np.int64)
    pool = np.array(flat, dtype=np.complex128) if flat else _fixed_array[:1]
    return program, pool, _fixed_pool(), terminal


def final_state(circuit: Circuit, initial: np.ndarray | None = None):
    """``(state, terminal)`` after the circuit's gates (complex128), or None when the
    circuit is not for this path (see :func:`encode`)."""
    encoded = encode(circuit)
    if encoded is None:
        return None
    program, pool, fixed, terminal = encoded
    n = circuit.num_qubits
    if initial is None:  # at most 2**11 amplitudes: no memory check needed
        state = np.zeros(1 << n, dtype=np.complex128)
        state[0] = 1
    else:
        state = engine.initial_state(n, initial, np.complex128, copies=1.0)
    runner()(state, n, program, pool, fixed)
    return state, terminal
