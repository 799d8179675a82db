"""A circuit's drawing as a list of shapes, before any plotting library sees it.

Layout and rendering are split so that the layout (which column an operation goes in,
where its boxes, dots, targets and connectors sit) is plain data that tests compare with
golden values exactly, while :mod:`.mpl` only paints it. Columns follow the text drawer's
rule: operations on disjoint wires share a column (as soon as possible, in program order),
and an operation owns every wire between its first and last one.

Shapes (``kind``, then coordinates in units of columns ``x`` and wires ``y``; qubit q is
wire q from the top, classical registers follow):

* ``("wire", y, label, classical)``; ``("box", x, y0, y1, label)``;
  ``("dot", x, y, filled)`` (a control: filled on 1, open on 0);
  ``("target", x, y)`` (an X under control); ``("swap", x, y)``;
  ``("line", x, y0, y1, double)``; ``("measure", x, y)``; ``("barrier", x, y0, y1)``;
  ``("text", x, y, text)`` (bit indices, conditions).

>>> import qvalley as qv
>>> scene(qv.Circuit(2).h(0).cx(0, 1))[2:]
[('box', 0, 0, 0, 'H'), ('line', 1, 0, 1, False), ('dot', 1, 0, True), ('target', 1, 1)]
"""
from __future__ import annotations

from ..circuit import Circuit
from ..circuit.gates import GATES
from .text import format_param


def _label(name: str, params) -> str:
    """Gate names of up to two letters in capitals (H, RZ), longer ones as written."""
    text = name.upper() if len(name) <= 2 else name
    if params:
        text += "(" + ", ".join(format_param(p) for p in params) + ")"
    return text


def scene(circuit: Circuit) -> list[tuple]:
    """The shapes of ``circuit`` (see the module docstring)."""
    nq = circuit.num_qubits
    out: list[tuple] = []
    creg_row = {}
    for k, reg in enumerate(circuit.cregs):
        for b in reg:
            creg_row[b] = (nq + k, reg.name, b - reg.start)
    for q in range(nq):
        out.append(("wire", q, f"q_{q}", False))
    for k, reg in enumerate(circuit.cregs):
        out.append(("wire", nq + k, f"{reg.name}: {reg.size}", True))
    level: dict[int, int] = {}
    for ins in circuit.data:
        rows = set(ins.qubits)
        rows |= {creg_row[b][0] for b in ins.clbits}
        if ins.condition is not None:
            rows |= {creg_row[b][0] for b in ins.condition.clbits}
        if not rows:
            rows = set(range(nq))
        lo, hi = min(rows), max(rows)
        x = max((level.get(r, 0) for r in range(lo, hi + 1)), default=0)
        for r in range(lo, hi + 1):
            level[r] = x + 1
        out += _shapes(ins, x, creg_row)
    return out


def _shapes(ins, x: int, creg_row: dict) -> list[tuple]:
    shapes: list[tuple] = []
    if ins.kind == "barrier":
        return [("barrier", x, min(ins.qubits), max(ins.qubits))]
    if ins.kind == "measure":
        q = ins.qubits[0]
        row, reg, bit = creg_row[ins.clbits[0]]
        return [("line", x, q, row, True), ("measure", x, q), ("text", x, row, str(bit))]
    if ins.kind == "reset":
        return [("box", x, ins.qubits[0], ins.qubits[0], "|0>")]
    ctrls = list(ins.qubits[:ins.num_ctrl])
    targets = list(ins.qubits[ins.num_ctrl:])
    name = ins.name
    spec = GATES.get(name) if ins.kind == "gate" else None
    if spec is not None and spec.controls and spec.base:   # cx, ccx, crz ...: own controls
        ctrls += targets[:spec.controls]
        targets = targets[spec.controls:]
        name = spec.base
    span = ctrls + targets
    if ins.condition is not None:
        row = creg_row[ins.condition.clbits[0]][0]
        span = span + [row]
        shapes.append(("line", x, min(ins.qubits), row, True))
        shapes.append(("text", x, row, f"=={ins.condition.value}"))
    if len(span) > 1:
        shapes.append(("line", x, min(ctrls + targets), max(ctrls + targets), False))
    state = ins.ctrl_state
    for k, c in enumerate(ins.qubits[:ins.num_ctrl]):
        shapes.append(("dot", x, c, bool((state >> k) & 1)))
    for c in ctrls[ins.num_ctrl:]:
        shapes.append(("dot", x, c, True))
    if name == "x" and ctrls:
        shapes.append(("target", x, targets[0]))
    elif name == "swap":
        shapes += [("swap", x, t) for t in targets]
    elif name == "z" and ctrls:
        shapes.append(("dot", x, targets[0], True))
    else:
        label = (ins.label or "U") if ins.kind == "unitary" else _label(name, ins.params)
        shapes.append(("box", x, min(targets), max(targets), label))
    return shapes
