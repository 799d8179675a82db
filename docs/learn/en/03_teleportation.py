"""Lesson 3: teleportation, measurement in the middle of a circuit, and feed-forward.

Alice holds a qubit in an unknown state and shares a Bell pair with Bob. She entangles
her qubit with her half of the pair, measures both, and sends Bob the two bits. Bob
applies X and/or Z depending on the bits, and his qubit is now in the original state.
Nothing travels faster than light: without the two bits, Bob's qubit is random.

Run it:  python docs/learn/en/03_teleportation.py
"""
import qvalley as qv
from qvalley.algorithms import teleportation

result = teleportation(theta=1.1, phi=0.4, shots=2000, seed=7)
print(result.circuit)
print("counts (c2 = Bob's check, c1 c0 = Alice's bits):", result.counts)
# After undoing the state on Bob's qubit, every shot reads 0 there: it arrived intact.
print(f"fraction of shots where Bob has the state: {result.fidelity_check:.3f}")
assert result.fidelity_check == 1.0
# Alice's bits are uniformly random: they carry no information about the state alone.
alice = {}
for key, v in result.counts.items():
    alice[key[1:]] = alice.get(key[1:], 0) + v
print("Alice's two bits:", alice)
assert all(abs(v - 500) < 120 for v in alice.values())

# The same protocol on a noisy machine: how well would IBM Heron do?
noisy = qv.run(result.circuit, shots=2000, seed=1, noise="ibm-heron-r2")
ok = sum(v for k, v in noisy.counts.items() if k[0] == "0") / 2000
print(f"with ibm-heron-r2 noise: {ok:.3f} of shots succeed")
assert 0.8 < ok <= 1.0
