"""One step of a circuit: an operation on some qubits and clbits, maybe conditioned.

An :class:`Instruction` is small and immutable so that circuits with millions of them stay
cheap to build and to copy. Its ``kind`` says what it is:

* ``"gate"``: a gate of the table (``name`` is its canonical name), optionally with extra
  controls (``num_ctrl`` > 0: the first ``num_ctrl`` qubits control the gate, which acts
  on the rest; ``ctrl_state`` bit i is the value control i must have);
* ``"unitary"``: a user matrix (``matrix``, little-endian in ``qubits``), also controllable;
* ``"measure"``, ``"reset"``, ``"barrier"``;
* ``"opaque"``: a gate declared in OpenQASM without a body; it can be stored and written
  back, not simulated.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..errors import CircuitError
from .gates import controlled, lookup
from .parameter import ParameterExpression, check_finite


@dataclass(frozen=True)
class Register:
    """A named, contiguous range of qubit or clbit indices (``q[0..size-1]``)."""

    name: str
    start: int
    size: int

    def __iter__(self):
        return iter(range(self.start, self.start + self.size))

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> int:
        if not -self.size <= i < self.size:
            raise CircuitError(f"index {i} out of range for register {self.name}[{self.size}]")
        return self.start + (i % self.size)

    def __contains__(self, index: int) -> bool:
        return self.start <= index < self.start + self.size


@dataclass(frozen=True)
class Condition:
    """Run the instruction only if the classical bits ``clbits`` (little-endian) read
    ``value``; ``register`` names the register for OpenQASM 2's ``if (c==k)``."""

    clbits: tuple[int, ...]
    value: int
    register: str | None = None

    def holds(self, classical: int) -> bool:
        """Whether the condition holds for the classical register contents ``classical``
        (bit i of the int is clbit i)."""
        got = 0
        for i, bit in enumerate(self.clbits):
            got |= ((classical >> bit) & 1) << i
        return got == self.value


class Instruction:
    """An operation applied to qubits (and clbits). See the module docstring."""

    __slots__ = ("kind", "name", "qubits", "params", "clbits", "condition", "matrix",
                 "num_ctrl", "ctrl_state", "label")

    def __init__(self, kind: str, name: str, qubits: tuple[int, ...], params: tuple = (),
                 clbits: tuple[int, ...] = (), condition: Condition | None = None,
                 matrix: np.ndarray | None = None, num_ctrl: int = 0,
                 ctrl_state: int | None = None, label: str | None = None) -> None:
        self.kind = kind
        self.name = name
        self.qubits = qubits
        self.params = params
        self.clbits = clbits
        self.condition = condition
        self.matrix = matrix
        self.num_ctrl = num_ctrl
        self.ctrl_state = ((1 << num_ctrl) - 1) if ctrl_state is None else ctrl_state
        self.label = label

    # -- what it is ---------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        """Name used by count_ops and drawings: ``mcx`` for a multi-controlled x."""
        return f"mc{self.name}" if self.num_ctrl else self.name

    @property
    def is_unitary(self) -> bool:
        return self.kind in ("gate", "unitary")

    @property
    def is_parameterized(self) -> bool:
        return any(isinstance(p, ParameterExpression) for p in self.params)

    def base_matrix(self) -> np.ndarray:
        """Matrix of the operation on its target qubits (controls excluded)."""
        if self.kind == "unitary":
            return self.matrix
        if self.kind != "gate":
            raise CircuitError(f"{self.name} has no matrix")
        if self.is_parameterized:
            names = ", ".join(sorted(p.name for e in self.params
                                     if isinstance(e, ParameterExpression)
                                     for p in e.parameters))
            raise CircuitError(f"gate {self.name} on qubits {list(self.qubits)} has unbound "
                               f"parameters ({names}); bind them with assign_parameters()")
        return lookup(self.name).matrix(*self.params)

    def full_matrix(self) -> np.ndarray:
        """Matrix on all of ``qubits`` (little-endian), controls included."""
        base = self.base_matrix()
        if not self.num_ctrl:
            return base
        full = controlled(base, self.num_ctrl)
        return _apply_ctrl_state(full, self.num_ctrl, self.ctrl_state, len(self.qubits))

    # -- transformations ----------------------------------------------------------------
    def replace(self, **changes) -> "Instruction":
        fields = {s: getattr(self, s) for s in self.__slots__}
        fields.update(changes)
        return Instruction(**fields)

    def inverse(self) -> list["Instruction"]:
        """Instructions whose product is the inverse of this one."""
        from .gates import inverse_steps
        if self.condition is not None:
            raise CircuitError(f"cannot invert the conditioned {self.name}")
        if self.kind == "barrier":
            return [self]
        if self.kind == "unitary":
            return [self.replace(matrix=self.matrix.conj().T,
                                 label=None if self.label is None else self.label + "_dg")]
        if self.kind != "gate":
            raise CircuitError(f"cannot invert {self.kind} (on qubits {list(self.qubits)}): "
                               "only unitary operations have an inverse")
        ctrls, targets = self.qubits[:self.num_ctrl], self.qubits[self.num_ctrl:]
        return [self.replace(name=name, params=tuple(params),
                             qubits=ctrls + tuple(targets[q] for q in qubits))
                for name, params, qubits in inverse_steps(self.name, self.params)]

    def bind(self, values: Mapping, where: str) -> "Instruction":
        if not self.is_parameterized:
            return self
        new = []
        for i, p in enumerate(self.params):
            if isinstance(p, ParameterExpression):
                try:
                    p = p.bind(values)
                except CircuitError as exc:  # e.g. exp() overflowing to infinity
                    raise CircuitError(f"{where}, parameter {i}: {exc}") from None
                p = check_finite(p, f"{where}, parameter {i}")
            new.append(p)
        return self.replace(params=tuple(new))

    # -- comparison and printing --------------------------------------------------------
    def __eq__(self, other) -> bool:
        if not isinstance(other, Instruction):
            return NotImplemented
        if (self.kind, self.name, self.qubits, self.clbits, self.condition, self.num_ctrl,
                self.ctrl_state) != (other.kind, other.name, other.qubits, other.clbits,
                                     other.condition, other.num_ctrl, other.ctrl_state):
            return False
        if len(self.params) != len(other.params):
            return False
        for a, b in zip(self.params, other.params):
            if isinstance(a, ParameterExpression) or isinstance(b, ParameterExpression):
                if a != b:
                    return False
            elif not np.isclose(a, b, rtol=0, atol=1e-12):
                return False
        if self.kind == "unitary":
            return np.allclose(self.matrix, other.matrix, atol=1e-12)
        return True

    __hash__ = None  # mutable-looking; compare, do not hash

    def __repr__(self) -> str:
        parts = [self.display_name]
        if self.params:
            parts.append("(" + ", ".join(_fmt(p) for p in self.params) + ")")
        parts.append(" " + ", ".join(f"q[{q}]" for q in self.qubits))
        if self.clbits:
            parts.append(" -> " + ", ".join(f"c[{c}]" for c in self.clbits))
        if self.condition is not None:
            parts.append(f" if {self.condition.register or list(self.condition.clbits)}"
                         f"=={self.condition.value}")
        return "Instruction(" + "".join(parts) + ")"


def _fmt(p) -> str:
    if isinstance(p, ParameterExpression):
        return str(p)
    return f"{p:.6g}"


def _apply_ctrl_state(full: np.ndarray, num_ctrl: int, ctrl_state: int, n: int) -> np.ndarray:
    """Conjugate a fully-controlled matrix by X on the controls whose state is 0."""
    flips = ((1 << num_ctrl) - 1) & ~ctrl_state
    if not flips:
        return full
    perm = np.arange(1 << n) ^ flips
    return full[np.ix_(perm, perm)]


def check_qubits(qubits: Sequence[int], bound: int, what: str = "qubit") -> tuple[int, ...]:
    """Validate indices (ints in range, distinct) and return them as a tuple."""
    out = []
    for q in qubits:
        if isinstance(q, np.ndarray) and q.ndim == 0:  # a numpy 0-d array is a scalar
            q = q[()]
        if isinstance(q, (bool, np.bool_)) or not isinstance(q, (int, np.integer)):
            raise CircuitError(f"{what} index must be an int, got {q!r}")
        q = int(q)
        if not 0 <= q < bound:
            raise CircuitError(f"{what} index {q} out of range: the circuit has {bound} "
                               f"{what}s (0..{bound - 1})" if bound else
                               f"{what} index {q} out of range: the circuit has no {what}s")
        out.append(q)
    if len(set(out)) != len(out):
        raise CircuitError(f"{what}s {out} repeat an index; an operation needs distinct {what}s")
    return tuple(out)
