"""The OpenQASM writer: a :class:`~qvalley.circuit.Circuit` out as OpenQASM 2.0 or 3 text.

The output declares one register per circuit register (same names unless a name is not a
valid identifier or collides with a gate), spells table gates with their qelib1.inc
(version 2) or stdgates.inc (version 3) names, and emits a ``gate`` definition, once and
before first use, for every table gate those libraries lack, built from the table's own
exact definitions. Multi-controlled gates and arbitrary unitaries have no OpenQASM 2
spelling; they are rewritten by :mod:`qvalley.compile.decompose` (version 3 writes
multi-controlled table gates with ``ctrl @`` / ``negctrl @`` modifiers instead).

Numbers are printed so that they read back to exactly the same float (multiples of pi
are kept readable: ``pi/2``). Reading the text back with :func:`qvalley.load_qasm` gives
an equivalent circuit: the same registers and conditions, and the same state up to a
global phase.
"""
from __future__ import annotations

import math
import re

from ..circuit.circuit import Circuit
from ..circuit.gates import GATES, GateDef, lookup
from ..circuit.instruction import Condition, Instruction
from ..circuit.parameter import Parameter, ParameterExpression, format_number
from ..errors import CircuitError, QasmError
from .qelib1 import qelib1_names

_IDENTIFIER = re.compile(r"[a-z][A-Za-z0-9_]*")

_QASM2_KEYWORDS = frozenset({
    "OPENQASM", "include", "qreg", "creg", "gate", "opaque", "measure", "reset",
    "barrier", "if", "pi", "sin", "cos", "tan", "exp", "ln", "sqrt", "U", "CX"})
_QASM3_KEYWORDS = frozenset({
    "OPENQASM", "include", "qreg", "creg", "qubit", "bit", "int", "uint", "float",
    "angle", "bool", "complex", "duration", "stretch", "array", "const", "mutable",
    "readonly", "input", "output", "gate", "def", "defcal", "defcalgrammar", "cal",
    "extern", "opaque", "return", "measure", "reset", "barrier", "delay", "box", "let",
    "if", "else", "for", "while", "in", "break", "continue", "end", "switch", "case",
    "default", "ctrl", "negctrl", "inv", "pow", "gphase", "true", "false", "pi", "tau",
    "euler", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "exp", "log", "sqrt",
    "ceiling", "floor", "mod", "popcount", "rotl", "rotr", "sizeof", "durationof",
    "void", "U", "CX", "dt", "ns", "us", "ms", "s"})
#: Gates of OpenQASM 3's stdgates.inc.
STDGATES = frozenset({"p", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "rx", "ry",
                      "rz", "cx", "cy", "cz", "cp", "crx", "cry", "crz", "ch", "swap",
                      "ccx", "cswap", "cu", "CX", "phase", "cphase", "id", "u1", "u2",
                      "u3"})

_V3_FUNCTIONS = {"ln": "log", "asin": "arcsin", "acos": "arccos", "atan": "arctan"}

# Precedence of printed expressions: + - (1) < * / (2) < unary - (3) < ^ (4) < atoms (5).
_ATOM, _POWER, _UNARY, _PRODUCT, _SUM = 5, 4, 3, 2, 1
_EIGHTHS_OF_PI = 8 / math.pi


def _number(value: float) -> tuple[str, int]:
    """Exact text of a float and its precedence (``pi/2`` is a product, ``-1.5`` unary)."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        text = str(int(value))                   # 2.0 -> 2: the same float when read back
        return text, (_UNARY if value < 0 else _ATOM)
    eighths = value * _EIGHTHS_OF_PI
    if abs(eighths - round(eighths)) < 1e-6:     # maybe a multiple of pi/8: pi/2, -3*pi/4
        text = format_number(value)
    else:
        text = repr(value)
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"        # 1e-05 -> 1.0e-05, a real in QASM 2
    if "*" in text or "/" in text:
        return text, _PRODUCT
    if text.startswith("-"):
        return text, _UNARY
    return text, _ATOM


def _expression(node: tuple, v3: bool) -> tuple[str, int]:
    """Text and precedence of a :class:`ParameterExpression` tree node.

    Iterative (post-order with an explicit stack) so that expressions of thousands of
    terms do not hit Python's recursion limit."""
    done: list[tuple[str, int]] = []
    todo: list[tuple[tuple, bool]] = [(node, False)]
    while todo:
        current, expanded = todo.pop()
        kind = current[0]
        if kind == "const":
            done.append(_number(current[1]))
        elif kind == "param":
            done.append((current[1].name, _ATOM))
        elif not expanded:
            todo.append((current, True))
            children = current[2:] if kind == "binop" else current[-1:]
            for child in reversed(children):
                todo.append((child, False))
        elif kind == "func":
            name = _V3_FUNCTIONS.get(current[1], current[1]) if v3 else current[1]
            done.append((f"{name}({done.pop()[0]})", _ATOM))
        elif kind == "neg":
            text, prec = done.pop()
            done.append(("-" + (text if prec > _UNARY else f"({text})"), _UNARY))
        else:
            right, rp = done.pop()
            left, lp = done.pop()
            op = current[1]
            if op in "+-":
                need_l, need_r, prec = _SUM, _PRODUCT, _SUM
            elif op in "*/":
                need_l, need_r, prec = _PRODUCT, _POWER, _PRODUCT
            else:
                need_l, need_r, prec = _ATOM, _POWER, _POWER
                op = "**" if v3 else "^"
            left = left if lp >= need_l else f"({left})"
            right = right if rp >= need_r else f"({right})"
            sep = "" if prec == _POWER else " "
            done.append((f"{left}{sep}{op}{sep}{right}", prec))
    return done[0]


class _Writer:
    """Builds the text of one circuit; see :func:`dump_qasm`."""

    def __init__(self, circuit: Circuit, version: int) -> None:
        self.circuit = circuit
        self.v3 = version == 3
        self.library = STDGATES if self.v3 else qelib1_names()
        self.keywords = _QASM3_KEYWORDS if self.v3 else _QASM2_KEYWORDS
        self.defs: list[str] = []               # gate definitions, dependencies first
        self.defined: dict[str, str] = {}       # table gate -> name used in the text
        self.defining: set[str] = set()
        self.inline: set[str] = set()           # gates whose definition needs numbers
        self.opaque: dict[str, tuple[int, int]] = {}
        self.inputs: dict[str, Parameter] = {}
        self.body: list[str] = []
        self.seen: dict[tuple, list[str]] = {}  # lines already written for a plain gate
        opaque_names = {i.name for i in circuit.data if i.kind == "opaque"}
        self.reserved = (set(self.keywords) | set(self.library) | set(GATES) | opaque_names)
        self.qnames = self._register_names(circuit.qregs)
        self.cnames = self._register_names(circuit.cregs)
        self.qubit = [f"{self.qnames[r.name]}[{i}]" for r in circuit.qregs
                      for i in range(r.size)]
        self.clbit = [f"{self.cnames[r.name]}[{i}]" for r in circuit.cregs
                      for i in range(r.size)]

    def _register_names(self, regs) -> dict[str, str]:
        names: dict[str, str] = {}
        for reg in regs:
            name = reg.name
            if not _IDENTIFIER.fullmatch(name) or name in self.reserved:
                base = re.sub(r"[^A-Za-z0-9_]", "_", name)
                if not base or not base[0].islower() or not base[0].isalpha():
                    base = "r_" + base
                name, k = base, 1
                while name in self.reserved:
                    name = f"{base}_{k}"
                    k += 1
            self.reserved.add(name)
            names[reg.name] = name
        return names

    # -- the whole text ----------------------------------------------------------------------
    def text(self) -> str:
        for instr in self.circuit.data:
            self._instruction(instr)
        out = ["OPENQASM 3.0;", 'include "stdgates.inc";'] if self.v3 else \
            ["OPENQASM 2.0;", 'include "qelib1.inc";']
        for name, param in sorted(self.inputs.items()):
            out.append(f"input float[64] {name};")
        for name, (np_, nq) in self.opaque.items():
            params = f"({', '.join(f'p{i}' for i in range(np_))})" if np_ else ""
            out.append(f"opaque {name}{params} {', '.join(f'q{i}' for i in range(nq))};")
        out.extend(self.defs)
        for reg in self.circuit.qregs:
            name = self.qnames[reg.name]
            out.append(f"qubit[{reg.size}] {name};" if self.v3 else f"qreg {name}[{reg.size}];")
        for reg in self.circuit.cregs:
            name = self.cnames[reg.name]
            out.append(f"bit[{reg.size}] {name};" if self.v3 else f"creg {name}[{reg.size}];")
        out.extend(self.body)
        return "\n".join(out) + "\n"

    # -- instructions ------------------------------------------------------------------------
    def _instruction(self, instr: Instruction, depth: int = 0) -> None:
        if instr.kind == "gate" and not instr.num_ctrl and instr.condition is None:
            key = (instr.name, instr.params, instr.qubits)   # generated circuits repeat
            lines = self.seen.get(key)
            if lines is None:
                lines = self.seen[key] = self._operation(instr, depth)
            self.body.extend(lines)
            return
        lines = self._operation(instr, depth)
        if not lines:
            return
        cond = instr.condition
        if cond is None or instr.kind == "barrier":
            self.body.extend(lines)
            return
        test = self._condition(cond)
        if self.v3:
            self.body.append(f"if ({test}) {{")
            self.body.extend("  " + line for line in lines)
            self.body.append("}")
        else:
            self.body.extend(f"if({test}) {line}" for line in lines)

    def _operation(self, instr: Instruction, depth: int) -> list[str]:
        kind = instr.kind
        qs = [self.qubit[q] for q in instr.qubits]
        if kind == "gate" and not instr.num_ctrl:
            return self._gate(instr.name, self._params(instr), qs, exact=False)
        if kind == "gate" and self.v3:
            return [self._controlled(instr, qs)]
        if kind in ("gate", "unitary"):
            return self._decomposed(instr, depth)
        if kind == "measure":
            q, c = qs[0], self.clbit[instr.clbits[0]]
            return [f"{c} = measure {q};" if self.v3 else f"measure {q} -> {c};"]
        if kind == "reset":
            return [f"reset {qs[0]};"]
        if kind == "barrier":
            return [f"barrier {self._barrier_args(instr.qubits)};"] if qs else []
        if kind == "opaque":
            return [self._opaque(instr, qs)]
        raise CircuitError(f"cannot write a {kind!r} instruction ({instr!r}) to OpenQASM")

    def _params(self, instr: Instruction) -> list[str]:
        out = []
        for p in instr.params:
            if isinstance(p, ParameterExpression) and not p.is_numeric():
                if not self.v3:
                    names = ", ".join(sorted(x.name for x in p.parameters))
                    raise CircuitError(
                        f"{instr.display_name} on qubits {list(instr.qubits)} has unbound "
                        f"parameters ({names}): bind parameters before exporting to "
                        "OpenQASM 2 (circuit.assign_parameters), or export OpenQASM 3")
                for x in p.parameters:
                    self._input(x)
            out.append(self._value(p))
        return out

    def _value(self, p) -> str:
        if isinstance(p, ParameterExpression):
            if p.is_numeric():
                return _number(float(p))[0]
            return _expression(p._node, self.v3)[0]
        value = float(p)
        if not math.isfinite(value):
            raise CircuitError(f"parameter {value} is not finite and cannot be written")
        return _number(value)[0]

    def _input(self, param: Parameter) -> None:
        name = param.name
        if not _IDENTIFIER.fullmatch(name) or name in self.keywords or name in self.reserved \
                and name not in self.inputs:
            raise CircuitError(f"parameter name {name!r} is not a valid OpenQASM 3 "
                               "identifier here (or collides with a gate or register name); "
                               "rename the Parameter")
        old = self.inputs.get(name)
        if old is not None and old != param:
            raise CircuitError(f"two different parameters are both named {name!r}; rename "
                               "one before exporting")
        self.inputs[name] = param
        self.reserved.add(name)

    def _gate(self, name: str, params: list[str], qs: list[str], exact: bool) -> list[str]:
        """Lines applying table gate ``name`` (params already as text) to ``qs``."""
        spec = lookup(name)
        spelled = self._spelling(spec.name, params, exact)
        if spelled is None:                       # only a numeric expansion exists
            values = [_parse_back(p) for p in params]
            lines: list[str] = []
            for step, step_params, step_qubits in spec.definition(*values):
                lines.extend(self._gate(step, [self._value(v) for v in step_params],
                                        [qs[i] for i in step_qubits], exact))
            return lines
        text, params = spelled
        args = f"({', '.join(params)})" if params else ""
        return [f"{text}{args} {', '.join(qs)};"]

    def _spelling(self, name: str, params: list[str], exact: bool):
        """(name as written, parameter texts) for table gate ``name``; defines it first if
        the library lacks it; None if it can only be expanded with numeric parameters."""
        spec = GATES[name]
        if self.v3 and exact and name in ("u3", "u2", "u"):
            # stdgates' u2 and u3 carry a global phase that the table's do not; U is exact,
            # which matters under ctrl @ and inside definitions that may be controlled.
            return "U", (["pi/2"] + params if name == "u2" else params)
        native = spec.qasm3 if self.v3 else spec.qasm2
        if native is not None:
            return native, params
        if name in self.inline:
            return None
        if name not in self.defined:
            self._define(spec)
            if name in self.inline:
                return None
        return self.defined[name], params

    def _define(self, spec: GateDef) -> None:
        """Append ``gate name(params) q0, q1 { ... }`` for a table gate to the definitions."""
        if spec.name in self.defining:  # pragma: no cover - the table has no cycles
            raise CircuitError(f"gate {spec.name} is defined in terms of itself")
        self.defining.add(spec.name)
        try:
            # OpenQASM 3 names carry their position: some importers (qiskit-qasm3-import
            # 0.6) bind gate parameters in sorted-name order instead of declared order.
            names = [f"p{i}_{p}" if self.v3 else p for i, p in enumerate(spec.params)]
            formals = [Parameter(p) for p in names]
            qnames = [f"q{i}" for i in range(spec.num_qubits)]
            try:
                lines = self._definition_body(spec, formals, qnames)
            except (CircuitError, TypeError, ValueError, ArithmeticError):
                self.inline.add(spec.name)   # the definition needs numbers: expand in place
                return
        finally:
            self.defining.discard(spec.name)
        params = f"({', '.join(names)})" if names else ""
        self.defs.append(f"gate {spec.name}{params} {', '.join(qnames)} {{ "
                         + " ".join(lines) + " }")
        self.defined[spec.name] = spec.name

    def _definition_body(self, spec: GateDef, formals: list[Parameter],
                         qnames: list[str]) -> list[str]:
        ptext = [self._value(p) for p in formals]
        if self.v3:
            special = _V3_BODIES.get(spec.name)
            if special is not None:
                steps = special(*formals)
            elif spec.base is not None and spec.controls:
                mod = "ctrl" if spec.controls == 1 else f"ctrl({spec.controls})"
                spelled = self._spelling(spec.base, ptext, exact=True)
                if spelled is None:  # pragma: no cover - bases are all stdgates gates
                    raise CircuitError(f"cannot write the base of {spec.name}")
                text, params = spelled
                args = f"({', '.join(params)})" if params else ""
                return [f"{mod} @ {text}{args} {', '.join(qnames)};"]
            else:
                steps = spec.definition(*formals) if spec.definition else None
        else:
            steps = spec.definition(*formals) if spec.definition else None
        if steps is None:
            raise CircuitError(f"gate {spec.name} has no definition to write")
        lines: list[str] = []
        for step, step_params, step_qubits in steps:
            if isinstance(step, str) and step.startswith("@"):
                lines.append(step[1:].format(*qnames) + ";")
                continue
            lines.extend(self._gate(step, [self._value(v) for v in step_params],
                                    [qnames[i] for i in step_qubits], exact=True))
        return lines

    def _controlled(self, instr: Instruction, qs: list[str]) -> str:
        """OpenQASM 3 ``ctrl``/``negctrl`` modifiers for a multi-controlled table gate."""
        mods: list[str] = []
        k, state = instr.num_ctrl, instr.ctrl_state
        i = 0
        while i < k:
            bit = (state >> i) & 1
            j = i
            while j < k and ((state >> j) & 1) == bit:
                j += 1
            word = "ctrl" if bit else "negctrl"
            mods.append(word if j - i == 1 else f"{word}({j - i})")
            i = j
        spelled = self._spelling(lookup(instr.name).name, self._params(instr), exact=True)
        if spelled is None:  # pragma: no cover - every table gate has a v3 spelling
            raise CircuitError(f"cannot write a controlled {instr.name} to OpenQASM 3")
        text, params = spelled
        args = f"({', '.join(params)})" if params else ""
        return f"{' @ '.join(mods)} @ {text}{args} {', '.join(qs)};"

    def _decomposed(self, instr: Instruction, depth: int) -> list[str]:
        what = "a unitary matrix" if instr.kind == "unitary" else \
            f"a {instr.num_ctrl}-controlled {instr.name}"
        if depth > 2:
            raise CircuitError(f"cannot write {what} to OpenQASM: its decomposition does "
                               "not reach library gates")
        try:
            from ..compile.decompose import decompose_instruction
        except ImportError as exc:
            raise CircuitError(f"writing {what} to OpenQASM needs "
                               f"qvalley.compile.decompose, which is not available ({exc})"
                               ) from None
        lines: list[str] = []
        for step in decompose_instruction(instr.replace(condition=None)):
            lines.extend(self._operation(step, depth + 1))
        return lines

    def _opaque(self, instr: Instruction, qs: list[str]) -> str:
        if self.v3:
            raise CircuitError(f"opaque gate {instr.name!r} has no OpenQASM 3 spelling; "
                               "export it as OpenQASM 2 (version=2)")
        name = instr.name
        if not _IDENTIFIER.fullmatch(name) or name in self.keywords or name in GATES \
                or name in self.library:
            raise CircuitError(f"opaque gate name {name!r} is not a valid OpenQASM 2 "
                               "identifier or collides with a library gate")
        shape = (len(instr.params), len(instr.qubits))
        old = self.opaque.setdefault(name, shape)
        if old != shape:
            raise CircuitError(f"opaque gate {name!r} is used with {shape[0]} parameters on "
                               f"{shape[1]} qubits and with {old[0]} on {old[1]}")
        params = self._params(instr)
        args = f"({', '.join(params)})" if params else ""
        return f"{name}{args} {', '.join(qs)};"

    def _barrier_args(self, qubits: tuple[int, ...]) -> str:
        out: list[str] = []
        i = 0
        regs = self.circuit.qregs
        while i < len(qubits):
            for reg in regs:
                if qubits[i] == reg.start and \
                        qubits[i:i + reg.size] == tuple(range(reg.start, reg.start + reg.size)):
                    out.append(self.qnames[reg.name])
                    i += reg.size
                    break
            else:
                out.append(self.qubit[qubits[i]])
                i += 1
        return ", ".join(out) if self.v3 else ",".join(out)

    def _condition(self, cond: Condition) -> str:
        for reg in self.circuit.cregs:
            if tuple(reg) == tuple(cond.clbits):
                name = self.cnames[reg.name]
                value = _decimal(cond.value)
                return f"{name} == {value}" if self.v3 else f"{name}=={value}"
        if self.v3:
            terms = []
            for i, bit in enumerate(cond.clbits):
                terms.append(("" if (cond.value >> i) & 1 else "!") + self.clbit[bit])
            return " && ".join(terms)
        bits = ", ".join(self.clbit[b] for b in cond.clbits)
        raise CircuitError(f"a condition on the classical bits [{bits}] (not a whole "
                           "register) cannot be written in OpenQASM 2, whose 'if' tests a "
                           "whole register; condition on a register, or export OpenQASM 3")


def _decimal(value: int) -> str:
    """Decimal text of a non-negative int of any size (str() refuses more than 4300 digits;
    a condition on a register of more than 14,000 bits can need more)."""
    chunk = 10 ** 4000
    if value < chunk:
        return str(value)
    parts = []
    while value:
        value, part = divmod(value, chunk)
        parts.append(str(part).zfill(4000))
    return "".join(reversed(parts)).lstrip("0")


def _parse_back(text: str) -> float:
    """The float a parameter text stands for (used only for numeric expansion)."""
    from .expressions import parse_expression
    from .lexer import Lexer, Source
    node = parse_expression(Lexer(Source(text)))
    if node[0] != "const":  # pragma: no cover - symbolic inline expansion is refused
        raise CircuitError(f"cannot expand a gate with symbolic parameter {text}")
    return node[1]


# OpenQASM 3 bodies for table gates that stdgates.inc lacks and whose table definition
# is missing or not the best spelling; '@...' entries are literal lines over q0, q1, ...
_V3_BODIES = {
    "sxdg": lambda: [("@inv @ sx {0}", (), ())],
    "u0": lambda gamma: [("@U(0, 0, 0) {0}", (), ())],
    "rxx": lambda t: [("h", (), (0,)), ("h", (), (1,)), ("cx", (), (0, 1)),
                      ("rz", (t,), (1,)), ("cx", (), (0, 1)), ("h", (), (1,)),
                      ("h", (), (0,))],
    "rzz": lambda t: [("cx", (), (0, 1)), ("rz", (t,), (1,)), ("cx", (), (0, 1))],
}


def dump_qasm(circuit: Circuit, version: int = 2) -> str:
    """Write ``circuit`` as OpenQASM text, ``version`` 2 (OpenQASM 2.0, qelib1.inc) or 3
    (OpenQASM 3.0, stdgates.inc).

    Raises :class:`~qvalley.errors.CircuitError` for what the chosen version cannot
    express: unbound parameters (version 2), a condition on bits that are not a whole
    register (version 2), opaque gates (version 3).
    """
    if not isinstance(circuit, Circuit):
        raise CircuitError(f"dump_qasm() takes a Circuit, got {type(circuit).__name__}")
    if isinstance(version, bool) or version not in (2, 3, 2.0, 3.0, "2", "3", "2.0", "3.0"):
        raise QasmError(f"unsupported OpenQASM version {version!r}: use 2 or 3",
                        file="dump_qasm")
    return _Writer(circuit, int(float(version))).text()
