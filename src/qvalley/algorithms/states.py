"""Entangled states: the Bell pairs and GHZ states.

>>> import qvalley as qv
>>> from qvalley.algorithms import bell_state
>>> sorted(qv.run(bell_state().measure_all(), shots=100, seed=1).counts)
['00', '11']
"""
from __future__ import annotations

import qvalley as qv

BELL = ("phi+", "phi-", "psi+", "psi-")


def bell_state(which: str = "phi+") -> qv.Circuit:
    """The Bell pair ``which``: phi+ = (|00> + |11>)/sqrt 2, phi-, psi+ = (|01> + |10>)/
    sqrt 2, psi- (H and CX, then X and Z to pick the pair)."""
    if which not in BELL:
        raise qv.CircuitError(f"unknown Bell state {which!r}: one of {', '.join(BELL)}")
    c = qv.Circuit(2).h(0).cx(0, 1)
    if which.startswith("psi"):
        c.x(1)
    if which.endswith("-"):
        c.z(0)
    return c


def ghz_state(num_qubits: int) -> qv.Circuit:
    """(|0...0> + |1...1>)/sqrt 2 on ``num_qubits`` qubits: H, then a CX chain.

    >>> import qvalley as qv
    >>> sorted(qv.run(ghz_state(4).measure_all(), shots=50, seed=2).counts)
    ['0000', '1111']
    """
    if isinstance(num_qubits, bool) or not isinstance(num_qubits, int) or num_qubits < 2:
        raise qv.CircuitError(f"a GHZ state needs at least 2 qubits, got {num_qubits!r}")
    c = qv.Circuit(num_qubits).h(0)
    for q in range(num_qubits - 1):
        c.cx(q, q + 1)
    return c
