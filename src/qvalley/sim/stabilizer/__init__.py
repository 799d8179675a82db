"""Clifford circuits of thousands of qubits: a bit-packed tableau and a Pauli-frame sampler."""
