"""Text drawings of circuits: one line per qubit and one per classical register.

The drawing is what ``print(circuit)`` and ``qvalley draw`` show, so it must read well in a
terminal, be stable enough to golden-test, and degrade to plain ASCII where a terminal has
no Unicode::

    q_0: ──H──■──
              │
    q_1: ─────⊕──

Conventions (close to Qiskit's text drawer, so users of either read both):

* Wires are labelled ``q_0`` (one quantum register) or ``q[0]``, ``anc[1]`` (several);
  a classical register is one double wire labelled with its size (``c: 3/``).
* Operations that touch disjoint wires share a column (as-soon-as-possible layering in
  program order); everything an operation spans (controls, targets, the classical wires it
  writes or reads) belongs to it for that column, so connectors never collide.
* Controls are ``■`` (``○`` for a control on 0), an X target of a controlled gate is ``⊕``,
  a swap is ``x`` on both qubits; single connectors ``│`` join a gate's qubits, double
  connectors ``║`` join a measurement (``M``) or a condition to its classical wire, where the
  bit index or the condition (``if c==1``) is written under the wire.
* A multi-qubit gate whose qubit order matters writes its label on its first qubit and
  ``#2``, ``#3``, ... on the others (as Cirq does); symmetric ones write it on every qubit.
* Angles print compactly: multiples of π as ``π/2``, ``-3π/4``; others with 5 significant
  digits; symbolic parameters by their expression.
* Lines longer than ``fold`` characters fold into pages (``»`` ends a folded line, ``«``
  starts its continuation); ``fold=-1`` never folds.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Sequence

from ..circuit.gates import GATES
from ..circuit.parameter import ParameterExpression

if TYPE_CHECKING:  # pragma: no cover
    from ..circuit import Circuit, Instruction

__all__ = ["draw_text", "format_param"]


@dataclass(frozen=True)
class _Glyphs:
    """The characters of one drawing style."""

    qwire: str
    cwire: str
    qvert: str          # connector between the qubits of one gate
    cvert: str          # connector between a qubit and a classical wire
    qcross: str         # qvert crossing a qubit wire the gate does not touch
    cq_cross: str       # cvert crossing a qubit wire
    cc_cross: str       # cvert crossing a classical wire
    control: str
    open_control: str
    target: str         # target of a controlled X
    swap: str
    measured: str       # where a measurement lands on its classical wire
    cond: str           # where a condition reads its classical wire
    barrier: str
    fold_out: str
    fold_in: str
    pi: str


UNICODE = _Glyphs(qwire="─", cwire="═", qvert="│", cvert="║", qcross="┼", cq_cross="╫",
                  cc_cross="╬", control="■", open_control="○", target="⊕", swap="x",
                  measured="╩", cond="■", barrier="░", fold_out="»", fold_in="«", pi="π")
ASCII = _Glyphs(qwire="-", cwire="=", qvert="|", cvert="|", qcross="+", cq_cross="+",
                cc_cross="+", control="*", open_control="o", target="X", swap="x",
                measured="+", cond="*", barrier="#", fold_out=">", fold_in="<", pi="pi")

# Gates that read the same whatever the order of their qubits: label on every qubit.
_SYMMETRIC = frozenset({"swap", "iswap", "rxx", "ryy", "rzz"})
_WHOLE_FLOAT = re.compile(r"(?<![\w.])(\d+)\.0(?![\w.])")   # "2.0*theta" -> "2*theta"
_LABELS = {"id": "I", "sdg": "Sdg", "tdg": "Tdg", "sxdg": "SXdg", "iswap": "iSWAP",
           "xx_plus_yy": "XX+YY", "xx_minus_yy": "XX-YY"}


# -- parameters --------------------------------------------------------------------------------

def format_param(value, *, ascii: bool = False) -> str:
    """A gate parameter as a short label: ``π/2``, ``-3π/4``, ``0.5``, ``theta+1``.

    Numbers that are a small fraction of π (denominator up to 16) print as that fraction;
    other numbers keep 5 significant digits; symbolic expressions print as written, without
    spaces.
    """
    pi = ASCII.pi if ascii else UNICODE.pi
    if isinstance(value, ParameterExpression):
        text = _WHOLE_FLOAT.sub(r"\1", str(value).replace(" ", ""))
        return text if ascii else re.sub(r"\bpi\b", pi, text)
    v = float(value)
    if v == 0:
        return "0"
    if math.isfinite(v):
        frac = Fraction(v / math.pi).limit_denominator(16)
        if frac != 0 and abs(frac.numerator) <= 64 and \
                abs(float(frac) * math.pi - v) <= 1e-9 * max(1.0, abs(v)):
            num, den = frac.numerator, frac.denominator
            text = {1: pi, -1: "-" + pi}.get(num, f"{num}{pi}")
            return text if den == 1 else f"{text}/{den}"
    return f"{v:.5g}"


def _label(name: str, params: Sequence, ascii: bool) -> str:
    text = _LABELS.get(name, name.upper() if name in GATES else name)
    if params:
        text += "(" + ",".join(format_param(p, ascii=ascii) for p in params) + ")"
    return text


# -- one operation as a drawing element ----------------------------------------------------------

@dataclass
class _Element:
    """What one operation draws in its column. Wires are numbered qubits first, then one
    wire per classical register; ``below[w]`` is text on the line under wire ``w``."""

    cells: dict[int, str] = field(default_factory=dict)
    below: dict[int, str] = field(default_factory=dict)
    qspan: tuple[int, int] | None = None
    cspan: tuple[int, int] | None = None
    barrier_gaps: set[int] = field(default_factory=set)   # gap under wire w holds a barrier

    def wires(self) -> tuple[int, int]:
        ends = list(self.cells)
        for span in (self.qspan, self.cspan):
            if span is not None:
                ends.extend(span)
        return min(ends), max(ends)


class _Layout:
    """Wire numbering and labels for one circuit."""

    def __init__(self, circuit: "Circuit") -> None:
        self.nq = circuit.num_qubits
        self.cregs = list(circuit.cregs)
        self.clbit_wire: dict[int, tuple[int, int, str]] = {}   # clbit -> (wire, index, reg)
        for k, reg in enumerate(self.cregs):
            for i, bit in enumerate(reg):
                self.clbit_wire[bit] = (self.nq + k, i, reg.name)
        qregs = list(circuit.qregs)
        names = [f"q_{i}" for i in range(self.nq)]
        for reg in qregs:
            for i, q in enumerate(reg):
                if q < self.nq:
                    names[q] = f"{reg.name}_{i}" if len(qregs) == 1 else f"{reg.name}[{i}]"
        self.labels = [n + ": " for n in names] + [f"{r.name}: {r.size}/" for r in self.cregs]

    @property
    def num_wires(self) -> int:
        return self.nq + len(self.cregs)


def _gate_element(ins: "Instruction", g: _Glyphs, ascii: bool) -> _Element:
    el = _Element()
    qubits = ins.qubits
    for i in range(ins.num_ctrl):
        el.cells[qubits[i]] = g.control if (ins.ctrl_state >> i) & 1 else g.open_control
    rest = list(qubits[ins.num_ctrl:])
    params = tuple(ins.params)
    if ins.kind == "unitary":
        base, fixed_ctrl = None, 0
        label = ins.label or "Unitary"
    else:
        spec = GATES.get(ins.name)
        base, fixed_ctrl = ins.name, 0
        if spec is not None and ins.name == "cu":          # cu has no base in the table
            base, fixed_ctrl = "u", 1
        elif spec is not None and spec.controls and spec.base:
            base, fixed_ctrl = spec.base, spec.controls
        label = _label(base, params, ascii)
    for q in rest[:fixed_ctrl]:
        el.cells[q] = g.control
    targets = rest[fixed_ctrl:]
    controlled = ins.num_ctrl + fixed_ctrl > 0
    if controlled and base == "x":
        glyphs = [g.target]
    elif controlled and base == "z":
        glyphs = [g.control]
    elif base == "swap":
        glyphs = [g.swap] * len(targets)
    elif len(targets) == 1 or base in _SYMMETRIC:
        glyphs = [label] * len(targets)
    else:
        glyphs = [label] + [f"#{i + 2}" for i in range(len(targets) - 1)]
    for q, text in zip(targets, glyphs * len(targets)):
        el.cells[q] = text
    if len(qubits) > 1:
        el.qspan = (min(qubits), max(qubits))
    return el


def _condition_text(ins: "Instruction", layout: _Layout) -> tuple[list[int], str]:
    """Classical wires a condition reads, and the text written under the last of them."""
    cond = ins.condition
    for k, reg in enumerate(layout.cregs):
        if cond.register == reg.name and tuple(reg) == tuple(cond.clbits):
            return [layout.nq + k], f"if {reg.name}=={cond.value}"
    places = [layout.clbit_wire[b] for b in cond.clbits]
    bits = [f"{reg}[{i}]" for _, i, reg in places]
    what = bits[0] if len(bits) == 1 else "[" + ",".join(bits) + "]"
    return sorted({w for w, _, _ in places}), f"if {what}=={cond.value}"


def _element(ins: "Instruction", layout: _Layout, g: _Glyphs, ascii: bool) -> _Element | None:
    if not ins.qubits and not ins.clbits:
        return None
    if ins.kind == "barrier":
        qs = sorted(ins.qubits)
        present = set(qs)
        return _Element(cells={q: g.barrier for q in qs},
                        barrier_gaps={q for q in qs if q + 1 in present})
    if ins.kind == "measure":
        q, bit = ins.qubits[0], ins.clbits[0]
        wire, index, _ = layout.clbit_wire[bit]
        el = _Element(cells={q: "M", wire: g.measured}, below={wire: str(index)},
                      cspan=(q, wire))
    elif ins.kind == "reset":
        el = _Element(cells={q: "|0>" for q in ins.qubits})
    else:
        el = _gate_element(ins, g, ascii)
    if ins.condition is not None:
        wires, text = _condition_text(ins, layout)
        for w in wires:
            el.cells.setdefault(w, g.cond)
        last = wires[-1]
        el.below[last] = f"{el.below[last]} {text}" if last in el.below else text
        top = max(ins.qubits)
        lo, hi = (top, last) if el.cspan is None else (min(el.cspan[0], top),
                                                      max(el.cspan[1], last))
        el.cspan = (lo, hi)
    return el


# -- columns and pages ------------------------------------------------------------------------

def _place(text: str, width: int, fill: str) -> str:
    """``text`` in a field of ``width`` with its middle character on the field's middle
    (so connectors line up with one-character glyphs)."""
    offset = (width - 1) // 2 - (len(text) - 1) // 2
    return fill * offset + text + fill * (width - offset - len(text))


def _render_column(elements: list[_Element], layout: _Layout, g: _Glyphs) -> list[str]:
    """The column's text on every line (2 lines per wire: the wire, then the gap under it)."""
    nw = layout.num_wires
    wire_text: list[str | None] = [None] * nw
    gap_text: list[str | None] = [None] * nw
    for el in elements:
        for w, text in el.cells.items():
            wire_text[w] = text
        if el.qspan is not None:
            lo, hi = el.qspan
            for w in range(lo, hi + 1):
                if w not in el.cells:
                    wire_text[w] = g.qcross
                if w < hi:
                    gap_text[w] = g.qvert
        if el.cspan is not None:
            lo, hi = el.cspan
            for w in range(lo, hi + 1):
                if w not in el.cells and not (el.qspan and el.qspan[0] <= w <= el.qspan[1]):
                    wire_text[w] = g.cq_cross if w < layout.nq else g.cc_cross
                if w < hi:
                    gap_text[w] = g.cvert
        for w in el.barrier_gaps:
            gap_text[w] = g.barrier
        for w, text in el.below.items():
            gap_text[w] = text
    width = max([1] + [len(t) for t in wire_text + gap_text if t is not None])
    lines = []
    for w in range(nw):
        fill = g.qwire if w < layout.nq else g.cwire
        cell = _place(wire_text[w] or "", width, fill) if wire_text[w] else fill * width
        lines.append(fill + cell + fill)
        gap = _place(gap_text[w], width, " ") if gap_text[w] else " " * width
        lines.append(" " + gap + " ")
    return lines


def _columns(circuit: "Circuit", layout: _Layout, g: _Glyphs, ascii: bool) -> list[list[str]]:
    last = [-1] * layout.num_wires
    columns: list[list[_Element]] = []
    for ins in circuit.data:
        el = _element(ins, layout, g, ascii)
        if el is None:
            continue
        lo, hi = el.wires()
        col = max(last[lo:hi + 1]) + 1
        for w in range(lo, hi + 1):
            last[w] = col
        if col == len(columns):
            columns.append([])
        columns[col].append(el)
    return [_render_column(col, layout, g) for col in columns]


def draw_text(circuit: "Circuit", *, ascii: bool = False, fold: int | None = 80) -> str:
    """Draw ``circuit`` as text and return the drawing (lines joined by newlines).

    ``ascii=True`` uses only ASCII characters. ``fold`` is the largest line width before the
    drawing folds into pages (a column wider than that gets a page to itself); ``-1``
    (any negative number, or None) never folds.
    """
    g = ASCII if ascii else UNICODE
    layout = _Layout(circuit)
    nw = layout.num_wires
    if nw == 0:
        return ""
    label_w = max(len(s) for s in layout.labels)
    labels = [s.rjust(label_w) for s in layout.labels]
    columns = _columns(circuit, layout, g, ascii)
    if not columns:   # no operation: bare wires
        columns = [[(g.qwire if w < layout.nq else g.cwire) * 3 if i % 2 == 0 else "   "
                    for w in range(nw) for i in (0, 1)]]
    pages: list[list[list[str]]] = [[]]
    used = label_w
    for k, col in enumerate(columns):
        w = len(col[0])
        more = 0 if k == len(columns) - 1 else 1        # room for the fold mark
        if fold is not None and fold >= 0 and pages[-1] and used + w + more > fold:
            pages.append([])
            used = label_w + 1                            # the continuation mark
        pages[-1].append(col)
        used += w
    out: list[str] = []
    for p, page in enumerate(pages):
        if p:
            out.append("")
        lines = []
        for row in range(2 * nw):
            is_wire = row % 2 == 0
            head = labels[row // 2] if is_wire else " " * label_w
            if p:
                head += g.fold_in if is_wire else " "
            body = "".join(col[row] for col in page)
            tail = g.fold_out if is_wire and p < len(pages) - 1 else ""
            lines.append((head + body + tail).rstrip())
        while lines and not lines[-1]:
            lines.pop()
        out.extend(lines)
    return "\n".join(out)
