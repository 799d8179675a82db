"""What a compiled circuit would cost on its target: counts, depth, time, success odds.

* ``two_qubit``: native two-qubit gates; ``one_qubit``: native one-qubit pulses (virtual
  rz excluded: it takes no time and has no error).
* ``depth``: layers of native gates (virtual rz excluded).
* ``duration``: the longest path through the circuit with the target's gate times
  (one-qubit, two-qubit, readout), each qubit idle until its operands are free; None when
  the target publishes no gate times.
* ``success``: estimated probability that no error happens: ``(1 - e1)^pulses *
  (1 - e2)^(two-qubit gates) * (1 - readout)^(measured qubits)``, from the target's
  calibration figures (the usual first-order estimate; decoherence while idle is not
  counted). Without a published readout figure the readout factor is left out and
  ``readout_known`` is False.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from ..circuit.circuit import Circuit
from ..targets import Target


@dataclass(frozen=True)
class Estimate:
    target: str
    two_qubit: int
    one_qubit: int
    depth: int
    duration: float | None
    success: float | None
    readout_known: bool = True  # False: success leaves readout out (no published figure)

    def as_dict(self) -> dict:
        return asdict(self)


def estimate(compiled: Circuit, target: Target) -> Estimate:
    cal = target.calibration
    virtual = set(target.virtual)
    level: dict[int, int] = {}
    clock: dict[int, float] = {}
    n1 = n2 = 0
    measured: set[int] = set()
    depth = 0
    times_known = cal is not None and cal.time_1q is not None and cal.time_2q is not None
    for ins in compiled.data:
        if ins.kind == "barrier":
            continue
        if ins.kind == "gate" and ins.name in virtual:
            continue
        qs = ins.qubits
        if ins.kind == "measure":
            measured.update(qs)
            t = cal.time_readout if cal is not None and cal.time_readout else 0.0
        elif len(qs) == 2:
            n2 += 1
            t = cal.time_2q if times_known else 0.0
        else:
            n1 += 1
            t = cal.time_1q if times_known else 0.0
        d = max(level.get(q, 0) for q in qs) + 1
        start = max(clock.get(q, 0.0) for q in qs)
        for q in qs:
            level[q] = d
            clock[q] = start + (t or 0.0)
        depth = max(depth, d)
    duration = max(clock.values(), default=0.0) if times_known else None
    success, known = None, True
    if cal is not None:
        known = cal.readout_error is not None or not measured
        ro = cal.readout_error or 0.0
        success = (1 - cal.error_1q) ** n1 * (1 - cal.error_2q) ** n2 * (1 - ro) ** len(measured)
    return Estimate(target.name, n2, n1, depth, duration, success, known)
