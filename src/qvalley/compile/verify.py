"""Checking a compiled circuit against its source by simulation, through the layouts.

A compiled circuit lives on all of a device's qubits (127 or 156), far too many to
simulate; only the qubits it touches matter. :func:`active_circuit` keeps those, and
:func:`equivalent` compares final states: circuit qubit ``v`` of the source must end on
device qubit ``layout.final[v]`` and every other touched qubit must end in |0>.
"""
from __future__ import annotations

import numpy as np

from ..circuit.circuit import Circuit


def active_circuit(compiled: Circuit) -> tuple[Circuit, dict[int, int]]:
    """The compiled circuit on the device qubits it uses (layout included), renumbered
    0..k-1 in increasing order; returns it and the map device qubit -> new index."""
    used = set(compiled.layout.initial) | set(compiled.layout.final)
    for ins in compiled.data:
        used.update(ins.qubits)
    index = {p: i for i, p in enumerate(sorted(used))}
    out = Circuit(len(index), compiled.num_clbits)
    for ins in compiled.data:
        out.append(ins.replace(qubits=tuple(index[q] for q in ins.qubits)))
    return out, index


def expected_state(source: Circuit, compiled: Circuit) -> np.ndarray:
    """The source's final state laid out as the compiled circuit's active qubits hold it."""
    from ..sim import statevector
    active, index = active_circuit(compiled)
    psi = statevector(source.remove_final_measurements()
                      if hasattr(source, "remove_final_measurements") else source)
    n, k = source.num_qubits, active.num_qubits
    idx = np.arange(2 ** n)
    out_idx = np.zeros(2 ** n, dtype=np.int64)
    for v in range(n):
        out_idx |= ((idx >> v) & 1) << index[compiled.layout.final[v]]
    out = np.zeros(2 ** k, dtype=np.complex128)
    out[out_idx] = psi
    return out


def equivalent(source: Circuit, compiled: Circuit, tol: float = 1e-8) -> bool:
    """Whether ``compiled`` prepares the source's state (up to global phase) from |0...0>."""
    from ..sim import statevector
    active, _ = active_circuit(compiled)
    got = statevector(active)
    want = expected_state(source, compiled)
    return abs(abs(np.vdot(want, got)) - 1) < tol
