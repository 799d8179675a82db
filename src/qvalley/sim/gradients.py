"""Exact gradients of expectation values with respect to circuit parameters.

``method="adjoint"`` (the default without shots) differentiates on the state vector by
the adjoint method: one forward and one backward pass per binding whatever the number of
parameters (:meth:`~qvalley.sim.statevector.sweep.SweepProgram.gradients`).

``method="parameter_shift"`` evaluates the expectation at shifted gate parameters, which
is what hardware can do, so it also works from shots and under noise. Each gate parameter
v is shifted on its own and the chain rule through its expression gives the parameters'
gradients. The shifts follow the general parameter-shift rule (Wierichs, Izaac, Wang and
Lin, Quantum 6, 677 (2022)): when the expectation depends on v through frequencies
``omega, 2 omega, ..., R omega`` (read off the gate's Fourier series: the differences of
its matrix's frequencies), ``dE/dv = omega sum_{m=1}^{2R} E(v + x_m / omega) (-1)**(m-1) /
(4 R sin(x_m / 2)**2)`` with ``x_m = (2m - 1) pi / (2R)``; rotations (R = 1) give the
familiar ``(E(v + pi/2) - E(v - pi/2)) / 2``, controlled rotations R = 2.
"""
from __future__ import annotations

import math

import numpy as np

from ..circuit import Circuit
from ..circuit.fourier import gate_series
from ..circuit.parameter import ParameterExpression, evaluate_many
from ..errors import BackendError, CircuitError
from .expectation import Estimate, _observables, _values, expectation


def gradient(circuit: Circuit | str, observable, parameter_values=None, *,
             method: str | None = None, shots: int | None = None, seed: int | None = None,
             noise=None, threads: int | None = None):
    """d<O>/d(parameter) for one Hermitian observable: an array of shape
    ``(..., num_parameters)`` (the bindings' shape, then one entry per parameter in
    ``circuit.parameters`` order). With ``shots`` (or ``noise``) the parameter-shift
    rule runs the shifted circuits and the result is an :class:`~.expectation.Estimate`
    (gradient and its standard error) when ``shots`` is given.

    >>> import qvalley as qv
    >>> t = qv.Parameter("t")
    >>> c = qv.Circuit(1).rx(t, 0)
    >>> g = qv.gradient(c, "Z", [0.5])          # d cos(t) / dt = -sin(t)
    >>> round(float(g[0]), 6)
    -0.479426
    """
    from .api import _as_circuit, _noise_model
    from .statevector import backend
    circuit = _as_circuit(circuit)
    obs, shape = _observables(observable, circuit.num_qubits)
    if shape != ():
        raise CircuitError("gradient takes one observable; call it once per observable")
    obs = obs[0]
    if not obs.is_hermitian():
        raise CircuitError("gradients need a Hermitian observable (real coefficients)")
    values = _values(circuit, parameter_values)
    P = values.shape[-1] if values.ndim > 1 or values.size else 0
    bind_shape = values.shape[:-1] if values.ndim else ()
    flat = values.reshape(-1, P) if P else np.zeros((1, 0))
    model = _noise_model(noise)
    if method is None:
        method = "parameter_shift" if shots is not None or model is not None else "adjoint"
    if method == "adjoint":
        if shots is not None or model is not None:
            raise BackendError("the adjoint method is exact on the state vector; use "
                               "method='parameter_shift' with shots or noise")
        from .statevector.sweep import program_for
        if circuit.num_qubits > 20:
            raise BackendError(f"adjoint gradients run up to 20 qubits here, the circuit "
                               f"has {circuit.num_qubits}; use method='parameter_shift'")
        _, grads = program_for(circuit).gradients(flat, obs, backend.thread_count(threads))
        return grads.reshape(bind_shape + (P,))
    if method != "parameter_shift":
        raise BackendError(f"unknown gradient method {method!r}: use 'adjoint' or "
                           "'parameter_shift'")
    grads, errors = _parameter_shift(circuit, obs, flat, shots, seed, model, threads)
    grads = grads.reshape(bind_shape + (P,))
    if shots is None:
        return grads
    return Estimate(grads, errors.reshape(bind_shape + (P,)))


def shift_rule(name: str, which: int, controlled: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """(shifts, coefficients) of the general parameter-shift rule for parameter ``which``
    of table gate ``name`` (under extra controls when ``controlled``: the identity block
    adds frequency 0): dE/dv = sum_m coefficients[m] E(v + shifts[m])."""
    series = gate_series(name)
    f = np.unique(np.round(series.freqs[:, which], 12))
    if controlled:
        f = np.unique(np.append(f, 0.0))
    diffs = np.unique(np.round(np.abs(f[:, None] - f[None, :]).ravel(), 12))
    diffs = diffs[diffs > 0]
    if diffs.size == 0:
        return np.zeros(0), np.zeros(0)
    omega = float(diffs[0])
    R = int(round(diffs[-1] / omega))
    if not np.allclose(diffs / omega, np.round(diffs / omega), atol=1e-9):
        raise CircuitError(f"gate {name}: its frequencies are not equidistant; no shift "
                           "rule")  # pragma: no cover - none in the table
    m = np.arange(1, 2 * R + 1)
    x = (2 * m - 1) * math.pi / (2 * R)
    coef = omega * (-1.0) ** (m - 1) / (4 * R * np.sin(x / 2) ** 2)
    return x / omega, coef


def _parameter_shift(circuit: Circuit, obs, values: np.ndarray, shots, seed, model,
                     threads) -> tuple[np.ndarray, np.ndarray]:
    """(gradients, standard errors), each (bindings, P)."""
    params = circuit.parameters
    B, P = len(values), len(params)
    grads = np.zeros((B, P))
    var = np.zeros((B, P))
    rng = np.random.default_rng(seed)
    # every (instruction, parameter slot) whose expression holds a circuit parameter
    slots = [(i, a) for i, ins in enumerate(circuit.data) if ins.kind == "gate"
             for a, e in enumerate(ins.params)
             if isinstance(e, ParameterExpression) and e.parameters]
    for b in range(B):
        columns = {p: values[b:b + 1, j] for j, p in enumerate(params)}
        numeric = [[float(evaluate_many(e, columns)[0]) if isinstance(e, ParameterExpression)
                    else e for e in ins.params] for ins in circuit.data]
        base = _rebuilt(circuit, numeric)
        for i, a in slots:
            ins = circuit.data[i]
            shifts, coefs = shift_rule(ins.name, a, controlled=ins.num_ctrl > 0)
            if shifts.size == 0:
                continue
            total, total_var = 0.0, 0.0
            for s, w in zip(shifts, coefs):
                moved = list(numeric[i])
                moved[a] += s
                c = base.copy()   # the bound circuit with this one gate parameter shifted
                c._data[i] = base.data[i].replace(params=tuple(moved))  # noqa: SLF001
                if shots is None:
                    e = expectation(c, obs, noise=model, threads=threads)
                    total += w * e
                else:
                    est = expectation(c, obs, shots=shots, seed=int(rng.integers(2 ** 62)),
                                      noise=model)
                    total += w * est.value
                    total_var += (w * est.std_error) ** 2
            e = ins.params[a]
            for j, p in enumerate(params):
                if p in e.parameters:
                    d = float(evaluate_many(e, columns, wrt=p)[1][0])
                    grads[b, j] += d * total
                    var[b, j] += (d * d) * total_var
    return grads, np.sqrt(var)


def _rebuilt(circuit: Circuit, params: list[list]) -> Circuit:
    """``circuit`` with every instruction's parameters replaced by numbers."""
    c = circuit.copy()
    c._data = [ins.replace(params=tuple(p)) if ins.params else ins  # noqa: SLF001
               for ins, p in zip(circuit.data, params)]
    return c
