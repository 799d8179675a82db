"""What a machine can execute: native gates, connectivity, calibration figures.

A :class:`Target` is plain data. The compiler reads ``basis`` and ``edges``; the noise
models and ``qvalley compare`` read the :class:`Calibration`. Targets are built in Python,
taken from the presets (:func:`qvalley.targets.get_target`) or loaded from JSON
(:meth:`Target.from_json`, the same fields as :meth:`Target.to_dict`).

>>> t = Target("line-3", 3, basis=("cx", "rz", "sx", "x"), edges=[(0, 1), (1, 2)])
>>> t.connected(1, 0), t.connected(0, 2)
(True, False)
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..circuit.gates import GATES
from ..errors import TargetError


@dataclass(frozen=True)
class Calibration:
    """Typical error rates and times of a machine, with where they come from.

    Errors are average gate infidelities (as IBM reports ``gate_error`` and IonQ its
    fidelities); ``readout_error`` is the mean of P(1|0) and P(0|1), with the two given
    separately when known. Times in seconds; None where no public source gives one (a
    figure nobody published is not silently taken as zero).
    """

    error_1q: float
    error_2q: float
    readout_error: float | None
    t1: float | None = None
    t2: float | None = None
    time_1q: float | None = None
    time_2q: float | None = None
    time_readout: float | None = None
    readout_p01: float | None = None  # P(0 | prepared 1)
    readout_p10: float | None = None  # P(1 | prepared 0)
    source: str = ""

    def __post_init__(self):
        for name in ("error_1q", "error_2q", "readout_error", "readout_p01", "readout_p10"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and 0 <= v <= 1):
                raise TargetError(f"calibration {name} must be a probability in [0, 1], "
                                  f"got {v!r}")
        for name in ("t1", "t2", "time_1q", "time_2q", "time_readout"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and math.isfinite(v)
                                      and v >= 0):
                raise TargetError(f"calibration {name} must be a non-negative number of "
                                  f"seconds, got {v!r}")
        if self.t1 is not None and self.t2 is not None and self.t2 > 2 * self.t1:
            raise TargetError(f"calibration T2 = {self.t2} s exceeds 2 T1 = {2 * self.t1} s, "
                              "which no physical qubit allows")


@dataclass(frozen=True)
class Target:
    """A machine: ``num_qubits`` qubits, native ``basis`` gates (names of the gate
    table), ``edges`` the qubit pairs a two-qubit gate may act on (None: all pairs), and
    whether the two-qubit gate is ``directed`` (it runs only as listed, like IBM Eagle's
    ECR; the other direction costs single-qubit gates)."""

    name: str
    num_qubits: int
    basis: tuple[str, ...]
    edges: tuple[tuple[int, int], ...] | None = None
    directed: bool = False
    calibration: Calibration | None = None
    virtual: tuple[str, ...] = ("rz",)  # gates done in software (phase frame): no time, no error
    description: str = ""
    _pairs: frozenset = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.num_qubits, int) or isinstance(self.num_qubits, bool) or \
                self.num_qubits < 1:
            raise TargetError(f"target {self.name!r}: num_qubits must be a positive integer, "
                              f"got {self.num_qubits!r}")
        basis = tuple(self.basis)
        unknown = [g for g in basis if g not in GATES]
        if unknown:
            raise TargetError(f"target {self.name!r}: basis gates {unknown} are not in the "
                              "gate table (qvalley.circuit.gates.GATES)")
        if not any(GATES[g].num_qubits == 2 for g in basis) and self.num_qubits > 1:
            raise TargetError(f"target {self.name!r}: the basis {list(basis)} has no "
                              "two-qubit gate, so no entangling circuit can run on it")
        object.__setattr__(self, "basis", basis)
        object.__setattr__(self, "virtual", tuple(self.virtual))
        if self.edges is not None:
            edges = []
            for e in self.edges:
                if len(e) != 2 or not all(isinstance(q, int) and 0 <= q < self.num_qubits
                                          for q in e) or e[0] == e[1]:
                    raise TargetError(f"target {self.name!r}: edge {e!r} must be two "
                                      f"different qubits in 0..{self.num_qubits - 1}")
                edges.append((int(e[0]), int(e[1])))
            object.__setattr__(self, "edges", tuple(edges))
            pairs = set(edges) if self.directed else \
                {p for a, b in edges for p in ((a, b), (b, a))}
            object.__setattr__(self, "_pairs", frozenset(pairs))

    @property
    def all_to_all(self) -> bool:
        return self.edges is None

    @property
    def two_qubit_gates(self) -> tuple[str, ...]:
        return tuple(g for g in self.basis if GATES[g].num_qubits == 2)

    def connected(self, a: int, b: int, *, either_way: bool = True) -> bool:
        """Whether a two-qubit gate may act on (a, b); with ``either_way`` a directed
        edge counts in both directions (the reverse costs only single-qubit gates)."""
        if self.edges is None:
            return a != b and 0 <= a < self.num_qubits and 0 <= b < self.num_qubits
        return (a, b) in self._pairs or (either_way and (b, a) in self._pairs)

    def undirected_edges(self) -> list[tuple[int, int]]:
        if self.edges is None:
            n = self.num_qubits
            return [(a, b) for a in range(n) for b in range(a + 1, n)]
        return sorted({(min(a, b), max(a, b)) for a, b in self.edges})

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "num_qubits": self.num_qubits,
                               "basis": list(self.basis), "directed": self.directed,
                               "virtual": list(self.virtual), "description": self.description}
        out["edges"] = None if self.edges is None else [list(e) for e in self.edges]
        out["calibration"] = None if self.calibration is None else asdict(self.calibration)
        return out

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "target") -> "Target":
        if not isinstance(data, dict):
            raise TargetError(f"{where}: a target is a JSON object, got {type(data).__name__}")
        known = {"name", "num_qubits", "basis", "edges", "directed", "calibration",
                 "virtual", "description"}
        extra = sorted(set(data) - known)
        if extra:
            raise TargetError(f"{where}: unknown fields {extra}; a target has {sorted(known)}")
        for need in ("name", "num_qubits", "basis"):
            if need not in data:
                raise TargetError(f"{where}: missing field {need!r}")
        cal = data.get("calibration")
        if cal is not None:
            if not isinstance(cal, dict):
                raise TargetError(f"{where}: calibration must be an object")
            fields = set(Calibration.__dataclass_fields__)
            bad = sorted(set(cal) - fields)
            if bad:
                raise TargetError(f"{where}: unknown calibration fields {bad}; "
                                  f"known: {sorted(fields)}")
            try:
                cal = Calibration(**cal)
            except TypeError as exc:
                raise TargetError(f"{where}: calibration: {exc}") from None
        edges = data.get("edges")
        if edges is not None:
            if not isinstance(edges, list):
                raise TargetError(f"{where}: edges must be a list of [a, b] pairs or null")
            edges = [tuple(e) if isinstance(e, list) else e for e in edges]
        if not isinstance(data["basis"], list) or not all(isinstance(g, str)
                                                          for g in data["basis"]):
            raise TargetError(f"{where}: basis must be a list of gate names")
        return cls(str(data["name"]), data["num_qubits"], tuple(data["basis"]), edges,
                   bool(data.get("directed", False)), cal,
                   tuple(data.get("virtual", ("rz",))), str(data.get("description", "")))

    @classmethod
    def from_json(cls, source: str | Path) -> "Target":
        """A target from a JSON file path or JSON text."""
        text, where = str(source), "target JSON"
        path = Path(text) if not text.lstrip().startswith("{") else None
        if path is not None:
            try:
                text, where = path.read_text(), str(path)
            except OSError as exc:
                raise TargetError(f"cannot read target file {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TargetError(f"{where}: not valid JSON (line {exc.lineno}, column "
                              f"{exc.colno}: {exc.msg})") from None
        return cls.from_dict(data, where)


def edges_from(pairs: Iterable[Iterable[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(a), int(b)) for a, b in pairs)
