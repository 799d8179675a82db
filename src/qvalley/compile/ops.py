"""The compiler's working form of a circuit: a flat list of :class:`Op`.

Between unrolling and the final translation every gate is one of

* ``u``: a one-qubit gate, held as its 2x2 matrix (runs of them multiply together);
* ``cx``: CNOT, control first;
* ``rzz``: exp(-i θ/2 Z⊗Z), the partial entangler of targets that have one (IBM Heron's
  fractional RZZ, IonQ's partial MS and ZZ);
* ``swap``: inserted by routing, lowered to 3 ``cx`` (or absorbed by resynthesis);
* ``other``: anything else the circuit holds (measure, reset, barrier, a conditioned
  gate), kept as its :class:`Instruction` and never moved across.

Ops are exact: the product of a list of ops equals the circuit's unitary up to a global
phase, which no measurement can see.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit.circuit import Circuit
from ..circuit.gates import GATES
from ..circuit.instruction import Instruction


@dataclass
class Op:
    name: str                       # u | cx | rzz | swap | other
    qubits: tuple[int, ...]
    matrix: np.ndarray | None = None  # u: 2x2
    theta: float = 0.0               # rzz
    instr: Instruction | None = None  # other

    @property
    def two_qubit(self) -> bool:
        return self.name in ("cx", "rzz", "swap")

    def unitary(self) -> np.ndarray:
        """The op's matrix, little-endian in ``qubits``."""
        if self.name == "u":
            return self.matrix
        if self.name == "cx":
            return GATES["cx"].matrix()
        if self.name == "rzz":
            return GATES["rzz"].matrix(self.theta)
        if self.name == "swap":
            return GATES["swap"].matrix()
        raise ValueError(f"op {self.name} has no matrix")


def from_circuit(circuit: Circuit) -> list[Op]:
    """Ops of a circuit already unrolled to one-qubit gates and cx (see :mod:`.passes`)."""
    out: list[Op] = []
    for ins in circuit.data:
        if ins.kind in ("gate", "unitary") and ins.condition is None and \
                len(ins.qubits) == 1:
            out.append(Op("u", ins.qubits, ins.full_matrix()))
        elif ins.kind == "gate" and ins.condition is None and ins.name == "cx" and \
                not ins.num_ctrl:
            out.append(Op("cx", ins.qubits))
        elif ins.kind == "gate" and ins.condition is None and ins.name == "x" and \
                ins.num_ctrl == 1 and ins.ctrl_state == 1:
            out.append(Op("cx", ins.qubits))
        else:
            out.append(Op("other", ins.qubits, instr=ins))
    return out


def two_qubit_count(ops: list[Op]) -> int:
    return sum(3 if op.name == "swap" else 1 for op in ops if op.two_qubit)
