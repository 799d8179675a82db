"""Expectation values of observables: exact on the state vector or density matrix, or
estimated from shots with their standard error, for one binding or whole sweeps.

Shapes broadcast as Qiskit's Estimator PUBs do: ``observables`` may be one observable or
an array of them (nested lists), ``parameter_values`` an array whose last axis lists one
value per circuit parameter (in ``circuit.parameters`` order); the result has the
broadcast shape of the two (without the last axis of the values).

Exact values never build an observable's matrix: a Pauli term ``c X^x Z^z`` is read off
the amplitudes by index arithmetic. Sweeps run through
:class:`~qvalley.sim.statevector.sweep.SweepProgram` (all bindings in one numba call, the
unparameterised prefix simulated once).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit import Circuit
from ..errors import BackendError, CircuitError, ResourceError
from ..observables.observable import Observable, as_observable



@dataclass(frozen=True)
class Estimate:
    """An expectation value estimated from shots: ``value`` and its ``std_error`` (both
    floats, or arrays of the broadcast shape). Unpacks as ``value, std_error``."""

    value: float | np.ndarray
    std_error: float | np.ndarray

    def __iter__(self):
        return iter((self.value, self.std_error))


def _observables(observables, num_qubits: int) -> tuple[list[Observable], tuple]:
    """The observables flattened, and their array shape (() for a single one)."""
    def single(o) -> bool:
        return isinstance(o, (Observable, str, dict)) or type(o).__name__ in (
            "SparsePauliOp", "Pauli") or (isinstance(o, (list, tuple)) and o and
                                         isinstance(o[0], tuple))
    if single(observables):
        return [as_observable(observables, num_qubits)], ()
    if isinstance(observables, np.ndarray) and observables.dtype != object:
        raise CircuitError("a matrix is not an observable here: give Pauli terms "
                           "(qv.Observable.from_list([...]); Qiskit's "
                           "SparsePauliOp.from_operator(matrix) converts a matrix)")
    if isinstance(observables, (list, tuple)) and len(observables) == 0:
        raise CircuitError("no observables given")
    flat_in = np.array(observables, dtype=object)
    if any(isinstance(o, (list, tuple)) and not single(o) for o in flat_in.ravel()):
        # ragged nesting: numpy left lists of different lengths as elements
        raise CircuitError("observables must form a regular array (nested lists of equal "
                           "lengths)")
    return [as_observable(o, num_qubits) for o in flat_in.ravel()], flat_in.shape


def _values(circuit: Circuit, parameter_values) -> np.ndarray:
    from .statevector.sweep import parameters_of
    params = parameters_of(circuit)
    P = len(params)
    if parameter_values is None:
        if P:
            names = ", ".join(p.name for p in params)
            raise CircuitError(f"the circuit has {P} unbound parameters ({names}); pass "
                               "parameter_values (last axis: one value per parameter)")
        return np.zeros((0,))
    arr = np.asarray(parameter_values, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != P:
        names = ", ".join(p.name for p in params) or "none"
        raise CircuitError(f"parameter values of shape {arr.shape} for {P} parameters "
                           f"({names}); the last axis lists one value per parameter")
    if not np.all(np.isfinite(arr)):
        raise CircuitError("parameter values must be finite numbers (NaN or inf given)")
    return arr


def _broadcast(obs_shape: tuple, values: np.ndarray) -> tuple[tuple, tuple]:
    """(result shape, binding shape)."""
    bind_shape = values.shape[:-1] if values.ndim else ()
    try:
        shape = np.broadcast_shapes(obs_shape, bind_shape)
    except ValueError:
        raise CircuitError(f"observables of shape {obs_shape} and parameter bindings of "
                           f"shape {bind_shape} do not broadcast") from None
    return shape, bind_shape


def expectation(circuit: Circuit | str, observables, parameter_values=None, *,
                shots: int | None = None, seed: int | None = None, noise=None,
                threads: int | None = None):
    """<O> for each observable and binding (see the module docstring for shapes).

    Exact (a float, or an array) without ``shots``: on the state vector, or on the density
    matrix when ``noise`` is given. With ``shots``: an :class:`Estimate` (value and
    standard error) from measuring each group of qubit-wise commuting terms ``shots``
    times (noise and readout errors included when ``noise`` is given).

    >>> import qvalley as qv
    >>> c = qv.Circuit(2).h(0).cx(0, 1)
    >>> round(qv.expectation(c, qv.Observable.from_list([("ZZ", 1.0), ("XX", 0.5)])), 12)
    1.5
    """
    from .api import _as_circuit, _noise_model
    from .statevector import backend
    circuit = _as_circuit(circuit)
    obs, obs_shape = _observables(observables, circuit.num_qubits)
    values = _values(circuit, parameter_values)
    shape, bind_shape = _broadcast(obs_shape, values)
    P = values.shape[-1] if values.ndim > 1 or values.size else 0
    flat_values = values.reshape(-1, P) if values.ndim > 1 or P else np.zeros((1, 0))
    model = _noise_model(noise)
    if shots is not None:
        from .estimate import estimate
        ev, sd = estimate(circuit, obs, flat_values, shots, seed, model)
        return Estimate(*(_shaped(a, obs_shape, bind_shape, shape, real=True)
                          for a in (ev, sd)))
    if model is not None:
        table = _density_values(circuit, obs, flat_values, model)
    else:
        table = _statevector_values(circuit, obs, flat_values,
                                    backend.thread_count(threads))
    hermitian = all(o.is_hermitian() for o in obs)
    return _shaped(table, obs_shape, bind_shape, shape, real=hermitian)


def _shaped(table: np.ndarray, obs_shape, bind_shape, shape, real: bool):
    """(bindings, observables) table -> the broadcast result: element ``idx`` pairs the
    binding and the observable at ``idx`` broadcast (right-aligned) into their shapes."""
    b_index = np.broadcast_to(np.arange(max(table.shape[0], 1)).reshape(bind_shape), shape)
    o_index = np.broadcast_to(np.arange(table.shape[1]).reshape(obs_shape), shape)
    out = table[b_index, o_index]
    if real:
        out = out.real.astype(np.float64)
    return float(out) if out.ndim == 0 and real else (complex(out) if out.ndim == 0
                                                       else out)


def _statevector_values(circuit: Circuit, obs: list[Observable], values: np.ndarray,
                        threads: int) -> np.ndarray:
    """(bindings, observables) complex table on the state vector."""
    from .statevector.sweep import MAX_QUBITS, program_for
    if circuit.num_qubits <= MAX_QUBITS:
        return program_for(circuit).expectation_values(values, obs, threads)
    from .api import statevector
    table = np.zeros((len(values), len(obs)), dtype=np.complex128)
    for b, v in enumerate(values):
        bound = circuit.assign_parameters(list(v)) if circuit.num_parameters else circuit
        _check_static(bound)
        psi = statevector(bound, threads=threads)
        for k, o in enumerate(obs):
            table[b, k] = pauli_expectation(psi, o)
    return table


def _check_static(circuit: Circuit) -> None:
    data = [ins for ins in circuit.data if ins.kind != "barrier"]
    while data and data[-1].kind == "measure":
        data.pop()
    for i, ins in enumerate(data):
        if ins.kind not in ("gate", "unitary") or ins.condition is not None:
            raise CircuitError(f"{ins.kind} at position {i}: exact expectation values take "
                               "circuits of gates (final measurements allowed); estimate "
                               "from shots instead (expectation(..., shots=N))")


def pauli_expectation(psi: np.ndarray, obs: Observable) -> complex:
    """<psi|O|psi> term by term (numba for large states)."""
    from .statevector import nb_sweep as K
    xs, zs, cs = obs.masks()
    out = np.zeros(1, dtype=np.complex128)
    K.pauli_terms(np.ascontiguousarray(psi, dtype=np.complex128), xs, zs, cs,
                  np.zeros(len(xs), dtype=np.int64), out)
    return complex(out[0])


def _density_values(circuit: Circuit, obs: list[Observable], values: np.ndarray, model
                    ) -> np.ndarray:
    """(bindings, observables) complex table: each Pauli term's value is one coefficient
    of the density matrix's Pauli vector (no matrix is formed)."""
    from .api import DENSITY_MAX_QUBITS
    from .density import engine as dm
    if circuit.num_qubits > DENSITY_MAX_QUBITS:
        raise ResourceError(f"a density matrix of {circuit.num_qubits} qubits has "
                            f"4**{circuit.num_qubits} entries; qvalley takes up to "
                            f"{DENSITY_MAX_QUBITS} qubits: estimate from shots instead "
                            "(expectation(..., shots=N, noise=...))")
    table = np.zeros((len(values), len(obs)), dtype=np.complex128)
    for b, v in enumerate(values):
        bound = circuit.assign_parameters(list(v)) if circuit.num_parameters else circuit
        try:
            table[b] = dm.expectations(bound, model, obs)
        except BackendError as exc:
            raise BackendError(f"{exc}; estimate from shots instead "
                               "(expectation(..., shots=N, noise=...))") from None
    return table
