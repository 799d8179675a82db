"""Teleportation and superdense coding: entanglement used for communication.

>>> from qvalley.algorithms import superdense_coding
>>> superdense_coding("10").decoded
'10'
"""
from __future__ import annotations

from dataclasses import dataclass

import qvalley as qv


@dataclass
class Teleportation:
    circuit: qv.Circuit        # with mid-circuit measurements and feed-forward
    counts: dict               # keys: c[2] (Bob's check) c[1] c[0] (Alice's bits)
    fidelity_check: float      # fraction of shots where undoing the state on Bob's
                               # qubit gives |0>: 1.0 when teleportation worked


def teleportation(theta: float = 1.1, phi: float = 0.4, shots: int = 2000,
                  seed: int | None = 7) -> Teleportation:
    """Teleport u(theta, phi, 0)|0> from qubit 0 to qubit 2: Bell pair on 1, 2, Alice
    measures 0 and 1, Bob applies X if bit 1 and Z if bit 0 (feed-forward), then the state
    is undone on qubit 2 and measured: every shot reads 0 there.

    >>> teleportation(0.7, 1.2, shots=200, seed=1).fidelity_check
    1.0
    """
    c = qv.Circuit(3, 3)
    c.u(theta, phi, 0.0, 0)
    c.h(1).cx(1, 2)
    c.cx(0, 1).h(0)
    c.measure(0, 0).measure(1, 1)
    c.x(2).c_if(1, 1)
    c.z(2).c_if(0, 1)
    c.u(-theta, 0.0, -phi, 2)  # u(theta, phi, 0) undone: u(t, p, l)^-1 = u(-t, -l, -p)
    c.measure(2, 2)
    res = qv.run(c, shots=shots, seed=seed)
    ok = sum(v for k, v in res.counts.items() if k[0] == "0") / shots
    return Teleportation(c, res.counts, ok)


@dataclass
class SuperdenseCoding:
    circuit: qv.Circuit
    message: str
    decoded: str
    counts: dict


def superdense_coding(message: str, seed: int | None = 1) -> SuperdenseCoding:
    """Send two classical bits ``message`` ("00".."11", bit 1 first as in count keys) by
    sending one qubit of a shared Bell pair: Z for the high bit, X for the low bit, then
    the receiver's CX and H read both bits deterministically."""
    if message not in ("00", "01", "10", "11"):
        raise qv.CircuitError(f"a superdense message is two bits such as '10', got "
                              f"{message!r}")
    c = qv.Circuit(2, 2).h(0).cx(0, 1)
    if message[1] == "1":
        c.x(0)
    if message[0] == "1":
        c.z(0)
    c.cx(0, 1).h(0).measure(0, 1).measure(1, 0)
    counts = qv.run(c, shots=64, seed=seed).counts
    decoded = max(counts, key=counts.get)
    return SuperdenseCoding(c, message, decoded, counts)

