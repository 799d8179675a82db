"""Native Qiskit V2 primitives on qvalley: ``SamplerV2`` and ``EstimatorV2``.

They take the PUBs Qiskit's do (``(circuit, parameter_values, shots)`` and ``(circuit,
observables, parameter_values, precision)``), with the same broadcasting and the same
result containers (``BitArray`` per classical register, ``evs`` / ``stds``), so that code
written for ``StatevectorSampler`` / ``StatevectorEstimator`` or Aer's primitives runs
unchanged. The difference is inside: a PUB's circuit is converted once and every binding
runs in qvalley's engines; the Estimator evaluates all bindings and observables of a PUB
in one sweep (:func:`qvalley.expectation`), exactly; with ``precision > 0`` it adds
normal noise of that standard deviation, as ``StatevectorEstimator`` does, or, with
``shots_per_precision=True``, estimates from ``ceil(1 / precision**2)`` shots per group
of commuting terms, which is what hardware would do.

>>> from qiskit import QuantumCircuit
>>> from qvalley.interop.qiskit import EstimatorV2
>>> qc = QuantumCircuit(2)
>>> _ = qc.h(0); _ = qc.cx(0, 1)
>>> round(float(EstimatorV2().run([(qc, "ZZ")]).result()[0].data.evs), 12)
1.0
"""
from __future__ import annotations

import math

import numpy as np
from qiskit.primitives import BaseEstimatorV2, BaseSamplerV2
from qiskit.primitives.containers import (BitArray, DataBin, PrimitiveResult, PubResult,
                                          SamplerPubResult)
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.primitives.primitive_job import PrimitiveJob

from ..observables import Observable
from .qiskit_convert import from_qiskit


def _values_for(pub, circuit) -> np.ndarray:
    """The PUB's bindings as (*shape, P), last axis in ``circuit.parameters`` order."""
    params = circuit.parameters
    shape = pub.parameter_values.shape
    if not params:
        return np.zeros(shape + (0,))
    by_name = {p.name: p for p in pub.circuit.parameters}
    order = [by_name[p.name] for p in params]
    return np.asarray(pub.parameter_values.as_array(order), dtype=np.float64)


class _Primitive:
    """What both primitives share: a seed and options, and a job that runs the coerced
    PUBs one by one with one random generator (so a seed fixes the whole job)."""

    def __init__(self, seed: int | None, options: dict | None):
        self._seed = seed
        self._options = dict(options or {})

    def _submit(self, pubs) -> PrimitiveJob:
        job = PrimitiveJob(self._run, pubs)
        job._submit()
        return job

    def _run(self, pubs) -> PrimitiveResult:
        rng = np.random.default_rng(self._seed)
        return PrimitiveResult([self._run_pub(pub, rng) for pub in pubs],
                               metadata={"version": 2})


class SamplerV2(_Primitive, BaseSamplerV2):
    """Samples measurement outcomes on qvalley (``qvalley.run`` per binding; noise with
    ``options={"noise": model_or_target}``)."""

    def __init__(self, *, default_shots: int = 1024, seed: int | None = None,
                 options: dict | None = None):
        super().__init__(seed, options)
        self._default_shots = default_shots

    @property
    def default_shots(self) -> int:
        return self._default_shots

    def run(self, pubs, *, shots: int | None = None) -> PrimitiveJob:
        shots = self._default_shots if shots is None else shots
        return self._submit([SamplerPub.coerce(pub, shots) for pub in pubs])

    def _run_pub(self, pub, rng) -> SamplerPubResult:
        import qvalley
        circuit = from_qiskit(pub.circuit)
        values = _values_for(pub, circuit)
        shape = pub.parameter_values.shape
        cregs = [(r.name, list(r)) for r in circuit.cregs]
        arrays = {name: np.zeros(shape + (pub.shots, len(bits)), dtype=bool)
                  for name, bits in cregs}
        for index in np.ndindex(*shape):
            bound = circuit.assign_parameters(list(values[index])) if circuit.num_parameters \
                else circuit
            res = qvalley.run(bound, shots=pub.shots, seed=int(rng.integers(2 ** 62)),
                              noise=self._options.get("noise"))
            m = circuit.num_clbits
            text = "".join(res.memory).encode("ascii")
            bits = (np.frombuffer(text, dtype=np.uint8).reshape(pub.shots, m) - 48)[:, ::-1]
            for name, idx in cregs:
                arrays[name][index] = bits[:, idx].astype(bool)
        meas = {name: BitArray.from_bool_array(arrays[name], order="little")
                for name, _ in cregs}
        return SamplerPubResult(DataBin(**meas, shape=shape),
                                metadata={"shots": pub.shots,
                                          "circuit_metadata": pub.circuit.metadata})


class EstimatorV2(_Primitive, BaseEstimatorV2):
    """Exact expectation values on qvalley's sweep engine (see the module docstring).
    ``options``: ``noise`` (exact density matrix, or shots when estimating),
    ``shots_per_precision`` (estimate from shots instead of adding noise)."""

    def __init__(self, *, default_precision: float = 0.0, seed: int | None = None,
                 options: dict | None = None):
        super().__init__(seed, options)
        self._default_precision = default_precision

    @property
    def default_precision(self) -> float:
        return self._default_precision

    def run(self, pubs, *, precision: float | None = None) -> PrimitiveJob:
        precision = self._default_precision if precision is None else precision
        return self._submit([EstimatorPub.coerce(pub, precision) for pub in pubs])

    def _run_pub(self, pub, rng) -> PubResult:
        import qvalley
        circuit = from_qiskit(pub.circuit)
        n = circuit.num_qubits
        values = _values_for(pub, circuit)
        obs_shape = pub.observables.shape
        listed = pub.observables.ravel().tolist() if obs_shape else \
            [pub.observables.tolist()]
        flat = [Observable([(label, coef) for label, coef in o.items()], n) if o else
                Observable.identity(n, 0.0) for o in listed]
        observables = np.empty(len(flat), dtype=object)
        observables[:] = flat
        observables = observables.reshape(obs_shape)
        shape = np.broadcast_shapes(obs_shape, pub.parameter_values.shape)
        precision = pub.precision
        noise = self._options.get("noise")
        if precision and self._options.get("shots_per_precision"):
            shots = max(2, math.ceil(1 / precision ** 2))
            est = qvalley.expectation(circuit, observables.tolist() if obs_shape else flat[0],
                                      values, shots=shots, noise=noise,
                                      seed=int(rng.integers(2 ** 62)))
            evs = np.broadcast_to(est.value, shape).astype(float)
            stds = np.broadcast_to(est.std_error, shape).astype(float)
        else:
            evs = qvalley.expectation(circuit, observables.tolist() if obs_shape else flat[0],
                                      values, noise=noise)
            evs = np.broadcast_to(np.real_if_close(evs), shape).astype(float)
            stds = np.zeros(shape)
            if precision:
                evs = rng.normal(evs, precision)
                stds = np.full(shape, float(precision))
        return PubResult(DataBin(evs=evs, stds=stds, shape=shape),
                         metadata={"target_precision": precision,
                                   "circuit_metadata": pub.circuit.metadata})
