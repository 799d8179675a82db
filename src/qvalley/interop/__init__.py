"""Bridges to other toolkits (optional dependencies, imported where used):
:mod:`qvalley.interop.qiskit` (circuits, a BackendV2, Sampler and Estimator primitives)
and the PennyLane device (:mod:`qvalley.interop.pennylane`)."""
