"""Lesson 2: entanglement.

Two qubits in a Bell state (|00> + |11>) / sqrt(2) cannot be described qubit by qubit:
each one alone is a fair coin, yet the two always agree. A GHZ state extends this to
many qubits. Entanglement is the resource behind teleportation, superdense coding and
most quantum speed-ups.

Run it:  python docs/learn/en/02_entanglement.py
"""
import qvalley as qv
from qvalley.algorithms import bell_state, ghz_state, superdense_coding

bell = bell_state("phi+")
print(bell)
res = qv.run(bell.copy().measure_all(), shots=1000, seed=2)
print("Bell pair counts:", res.counts)           # only '00' and '11'
assert set(res.counts) == {"00", "11"}

# Each qubit alone is maximally mixed: its Bloch vector has length 0.
obs_z0 = qv.expectation(bell, "IZ")
obs_zz = qv.expectation(bell, "ZZ")
print(f"<Z on qubit 0> = {obs_z0:.3f} (random alone), <Z Z> = {obs_zz:.3f} (always agree)")
assert abs(obs_z0) < 1e-12 and abs(obs_zz - 1) < 1e-12

# GHZ on 6 qubits: 000000 or 111111, nothing else.
ghz = qv.run(ghz_state(6).measure_all(), shots=500, seed=3)
print("GHZ counts:", ghz.counts)
assert set(ghz.counts) == {"000000", "111111"}

# Superdense coding: two classical bits sent with one qubit of a shared Bell pair.
for message in ("00", "01", "10", "11"):
    got = superdense_coding(message).decoded
    print(f"sent {message}, received {got}")
    assert got == message
