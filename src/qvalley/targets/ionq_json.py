"""IonQ's circuit JSON (API ``ionq.circuit.v1`` input), both gatesets.

* ``qis``: IonQ's abstract gates, angles in radians (``rotation``): x y z h s si t ti v vi
  rx ry rz, cnot and any gate with ``control``/``controls``, swap, xx yy zz
  (docs.ionq.com, "Writing quantum programs"; names as qiskit-ionq maps them: sdg -> si,
  tdg -> ti, sx -> v, sxdg -> vi, rxx -> xx, ryy -> yy, rzz -> zz).
* ``native``: gpi, gpi2 (``phase``, turns), ms (``phases`` [φ0, φ1], ``angle``, turns)
  or zz (``angle``, turns) (docs.ionq.com, "native gates"). RZ is a phase frame on IonQ
  hardware: :func:`to_ionq_json` folds every rz into the phases of the gates after it
  (``rz(a); gpi(p) == gpi(p - a/2π); rz(a)``); the rz left at the end of each qubit is
  dropped, which the measurement in the Z basis that IonQ makes of every qubit cannot see.

Measurements are implicit (every qubit, at the end): a circuit with mid-circuit
measurement, reset or classical conditions cannot be written in this format (IonQ takes
those as OpenQASM 3), and is refused with that advice.

>>> import qvalley as qv
>>> doc = to_ionq_json(qv.Circuit(2).h(0).cx(0, 1))
>>> doc["gateset"], doc["circuit"][1]
('qis', {'gate': 'cnot', 'control': 0, 'target': 1})
"""
from __future__ import annotations

import json
import math
from typing import Any

from ..circuit.circuit import Circuit
from ..circuit.instruction import Instruction
from ..errors import CompileError

PI = math.pi

_QIS_FIXED = {"x": "x", "y": "y", "z": "z", "h": "h", "s": "s", "sdg": "si", "t": "t",
              "tdg": "ti", "sx": "v", "sxdg": "vi", "swap": "swap"}
_QIS_ROTATION = {"rx": "rx", "ry": "ry", "rz": "rz", "rxx": "xx", "ryy": "yy", "rzz": "zz"}
_FROM_QIS = {v: k for k, v in _QIS_FIXED.items()} | {v: k for k, v in _QIS_ROTATION.items()}
_FROM_QIS["not"] = "x"
_FROM_QIS["cnot"] = "x"
_NATIVE = ("gpi", "gpi2", "ms", "zz")


def to_ionq_json(circuit: Circuit, gateset: str | None = None) -> dict[str, Any]:
    """The ``input`` object of an IonQ job: ``{"gateset", "qubits", "circuit"}``.

    ``gateset`` is ``"native"`` for a circuit compiled for an IonQ target (gpi, gpi2, ms
    or zz, and rz), ``"qis"`` otherwise (gates outside the QIS set are refused: compile
    the circuit first); None picks from the circuit's gates.
    """
    gates = [ins for ins in circuit.data if ins.kind != "barrier"]
    for i, ins in enumerate(gates):
        if ins.kind in ("measure",):
            continue
        if ins.kind != "gate" or ins.condition is not None:
            raise CompileError(
                f"instruction {i} ({ins.kind} {ins.name}): IonQ's circuit JSON has no "
                "mid-circuit measurement, reset, condition or matrix gate; submit the "
                "circuit as OpenQASM 3 (ionq.qasm3.v1) or compile it first")
    _check_final_measurements(gates)
    names = {ins.name for ins in gates if ins.kind == "gate"}
    if gateset is None:
        gateset = "native" if names and names <= set(_NATIVE) | {"rz"} and \
            names & set(_NATIVE) else "qis"
    if gateset == "native":
        body = _native(gates)
    elif gateset == "qis":
        body = _qis(gates)
    else:
        raise CompileError(f"IonQ gateset must be 'qis' or 'native', got {gateset!r}")
    return {"gateset": gateset, "qubits": circuit.num_qubits, "circuit": body}


def _check_final_measurements(gates) -> None:
    measured: set[int] = set()
    for ins in gates:
        if ins.kind == "measure":
            measured.update(ins.qubits)
        elif measured & set(ins.qubits):
            raise CompileError(f"gate {ins.name} acts on qubit(s) "
                               f"{sorted(measured & set(ins.qubits))} after their "
                               "measurement; IonQ's circuit JSON measures only at the end")


def _qis(gates) -> list[dict]:
    out = []
    for ins in gates:
        if ins.kind == "measure":
            continue
        k = ins.num_ctrl
        name = ins.name
        controls = list(ins.qubits[:k])
        targets = list(ins.qubits[k:])
        entry: dict[str, Any]
        if name == "cx" and not k:
            entry = {"gate": "cnot", "control": targets[0], "target": targets[1]}
        elif name in ("ccx", "c3x", "c4x") and not k:
            entry = {"gate": "x", "controls": targets[:-1], "target": targets[-1]}
        elif name == "cz" and not k:
            entry = {"gate": "z", "control": targets[0], "target": targets[1]}
        elif name in _QIS_FIXED:
            entry = {"gate": _QIS_FIXED[name]}
            _put_targets(entry, targets)
        elif name in _QIS_ROTATION:
            entry = {"gate": _QIS_ROTATION[name], "rotation": float(ins.params[0])}
            _put_targets(entry, targets)
        elif name == "p":
            entry = {"gate": "rz", "rotation": float(ins.params[0])}
            _put_targets(entry, targets)
        else:
            raise CompileError(f"gate {ins.display_name} has no IonQ QIS spelling; compile "
                               "the circuit for an IonQ target first (qv.compile(c, "
                               "'ionq-aria-1')) or use gates from the QIS set")
        if controls:
            if len(controls) == 1:
                entry["control"] = controls[0]
            else:
                entry["controls"] = controls
        out.append(entry)
    return out


def _put_targets(entry: dict, targets: list[int]) -> None:
    if len(targets) == 1:
        entry["target"] = targets[0]
    else:
        entry["targets"] = targets


def _native(gates) -> list[dict]:
    out = []
    for ins in gates:
        if ins.kind == "measure":
            continue
        if ins.num_ctrl or ins.name not in _NATIVE + ("rz",):
            raise CompileError(f"gate {ins.display_name} is not an IonQ native gate (gpi, "
                               "gpi2, ms, zz; rz as a phase frame); compile the circuit for "
                               "an IonQ target first")
    for ins in fold_frames(gates):
        q = ins.qubits
        if ins.kind == "measure" or ins.name == "rz":
            continue  # the frames left before the final measurements: not observable
        if ins.name in ("gpi", "gpi2"):
            out.append({"gate": ins.name, "target": q[0], "phase": float(ins.params[0])})
        elif ins.name == "ms":
            out.append({"gate": "ms", "targets": list(q),
                        "phases": [float(ins.params[0]), float(ins.params[1])],
                        "angle": float(ins.params[2])})
        else:
            out.append({"gate": "zz", "targets": list(q), "angle": float(ins.params[0])})
    return out


def fold_frames(instrs: list[Instruction]) -> list[Instruction]:
    """IonQ: every rz moved to the end of its qubit's gates (phase frames): ``rz(a)``
    then ``gpi(p)`` is ``gpi(p - a/2π)`` then ``rz(a)``, the same for gpi2 and each
    qubit's phase of ms; zz commutes with rz. Measurements, resets and conditioned gates
    stop the frame (it is applied there as an explicit rz)."""
    frame: dict[int, float] = {}
    out: list[Instruction] = []
    turn = 1 / (2 * math.pi)

    def settle(q):
        a = frame.pop(q, 0.0)
        if abs(a) > 1e-13:
            out.append(Instruction("gate", "rz", (q,), (a,)))

    for ins in instrs:
        if ins.kind == "gate" and ins.condition is None and not ins.num_ctrl:
            if ins.name == "rz":
                q = ins.qubits[0]
                frame[q] = frame.get(q, 0.0) + ins.params[0]
                continue
            if ins.name in ("gpi", "gpi2"):
                q = ins.qubits[0]
                p = ins.params[0] - frame.get(q, 0.0) * turn
                out.append(ins.replace(params=(turns(p),)))
                continue
            if ins.name == "ms":
                a, b = ins.qubits
                p0 = turns(ins.params[0] - frame.get(a, 0.0) * turn)
                p1 = turns(ins.params[1] - frame.get(b, 0.0) * turn)
                out.append(ins.replace(params=(p0, p1, ins.params[2])))
                continue
            if ins.name == "zz":
                out.append(ins)
                continue
        for q in ins.qubits:
            settle(q)
        out.append(ins)
    for q in sorted(frame):
        settle(q)
    return out


def turns(x: float) -> float:
    """x turns reduced to (-0.5, 0.5]."""
    y = math.fmod(float(x), 1.0)
    if y > 0.5:
        y -= 1.0
    elif y <= -0.5:
        y += 1.0
    return 0.0 if abs(y) < 1e-15 else y


def from_ionq_json(doc: "dict | str") -> Circuit:
    """A circuit from an IonQ ``input`` object (or a job body holding one, or its JSON
    text). Every qubit is measured at the end, as IonQ does."""
    where = "IonQ JSON"
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise CompileError(f"{where}: not valid JSON (line {exc.lineno}, column "
                               f"{exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict):
        raise CompileError(f"{where}: expected an object, got {type(doc).__name__}")
    if "input" in doc and isinstance(doc["input"], dict):
        doc = doc["input"]
    gateset = doc.get("gateset", "qis")
    if gateset not in ("qis", "native"):
        raise CompileError(f"{where}: gateset must be 'qis' or 'native', got {gateset!r}")
    body = doc.get("circuit")
    if not isinstance(body, list):
        raise CompileError(f"{where}: 'circuit' must be a list of gates")
    qubits = doc.get("qubits")
    if qubits is None:
        qubits = 1 + max((q for g in body if isinstance(g, dict) for q in _all_qubits(g)),
                         default=-1)
    if not isinstance(qubits, int) or isinstance(qubits, bool) or qubits < 1:
        raise CompileError(f"{where}: 'qubits' must be a positive integer, got {qubits!r}")
    c = Circuit(qubits)
    for i, g in enumerate(body):
        at = f"{where}: circuit[{i}]"
        if not isinstance(g, dict) or "gate" not in g:
            raise CompileError(f"{at}: each gate is an object with a 'gate' field")
        try:
            _append(c, g, gateset, at)
        except CompileError:
            raise
        except Exception as exc:  # a bad qubit or angle: say where
            raise CompileError(f"{at}: {exc}") from None
    c.measure_all()
    return c


def _all_qubits(g: dict) -> list[int]:
    out = []
    for key in ("target", "control"):
        if isinstance(g.get(key), int):
            out.append(g[key])
    for key in ("targets", "controls"):
        if isinstance(g.get(key), list):
            out += [q for q in g[key] if isinstance(q, int)]
    return out


def _field(g: dict, key: str, at: str):
    if key not in g:
        raise CompileError(f"{at}: gate {g['gate']!r} needs a {key!r} field")
    return g[key]


def _append(c: Circuit, g: dict, gateset: str, at: str) -> None:
    name = g["gate"]
    if gateset == "native":
        if name in ("gpi", "gpi2"):
            c.append(name, [_field(g, "target", at)], [float(_field(g, "phase", at))])
        elif name == "ms":
            phases = _field(g, "phases", at)
            if not (isinstance(phases, list) and len(phases) == 2):
                raise CompileError(f"{at}: ms 'phases' must be [phi0, phi1]")
            c.append("ms", list(_field(g, "targets", at)),
                     [float(phases[0]), float(phases[1]), float(g.get("angle", 0.25))])
        elif name == "zz":
            c.append("zz", list(_field(g, "targets", at)), [float(_field(g, "angle", at))])
        else:
            raise CompileError(f"{at}: {name!r} is not a native gate (gpi, gpi2, ms, zz)")
        return
    if name not in _FROM_QIS:
        raise CompileError(f"{at}: unknown QIS gate {name!r}; known: "
                           f"{', '.join(sorted(_FROM_QIS))}")
    base = _FROM_QIS[name]
    targets = [g["target"]] if "target" in g else list(_field(g, "targets", at))
    controls = [g["control"]] if "control" in g else list(g.get("controls", []))
    params = [float(_field(g, "rotation", at))] if base in _QIS_ROTATION else []
    if controls:
        c.mc(base, controls, targets, params)
    else:
        c.append(base, targets, params)
