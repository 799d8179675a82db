"""OpenQASM 3 reader: the reference grammar's AST turned into a :class:`Circuit`.

Parsing uses the ``openqasm3`` package (the language's reference ANTLR grammar and AST,
maintained with the specification): OpenQASM 3 is a large language whose grammar changes
with the spec, and a parser of our own would drift from it. This module walks the AST.

Read: ``qubit``/``bit`` declarations (and ``qreg``/``creg``), physical qubits (``$n``),
``include "stdgates.inc"``, ``U`` and ``gphase``, gate definitions (expanded where used),
gate modifiers ``ctrl @``, ``negctrl @`` (with counts), ``inv @``, ``pow(k) @`` (integer
powers repeat the gate, others take the matrix power), measurement (``c = measure q;``,
``measure q -> c;``), ``reset``, ``barrier``, ``if``/``else`` on bits and registers
(conjunctions of bit tests and register comparisons; an ``else`` where its negation is
a condition), ``for`` loops over constant ranges and sets (unrolled), ``while`` on
measured bits (unrolled up to ``max_loop_iterations`` times, each pass conditioned on the
loop's condition, so it is exact whenever the loop ends within that many passes),
``input float`` parameters (as :class:`Parameter`), ``const`` and classical variables
whose values are known when the program is read, and ``def`` subroutines (inlined;
``return measure ...`` and ``return`` of a bit register written by a measurement).

Refused, with line and column: ``defcal``/``cal``, ``extern``, ``delay``/``box`` and
durations, classical computation on measured values (``c <<= 1``, an angle read from
bits), ``switch``, ``break``/``continue``, and anything else the circuit model cannot
hold exactly.
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass, field

import numpy as np

from ..circuit import Circuit, Parameter, ParameterExpression
from ..circuit.gates import GATES, embed
from ..circuit.instruction import Condition, Instruction
from ..errors import CircuitError, QasmError

MAX_LOOP_ITERATIONS = 64
MAX_UNROLLED = 1_000_000   # iterations of one for loop
_CONSTANTS = {"pi": math.pi, "π": math.pi, "tau": 2 * math.pi, "τ": 2 * math.pi,
              "euler": math.e, "ℇ": math.e}
_FUNCS = {"sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp", "ln": "log",
          "sqrt": "sqrt", "arcsin": None, "arccos": None, "arctan": None}
# stdgates.inc: every table gate with an OpenQASM 3 name, and the file's aliases
_STD = {**{spec.qasm3: name for name, spec in GATES.items() if spec.qasm3},
        "phase": "p", "cphase": "cp", "CX": "cx"}


def _parse(text: str, file: str):
    """The reference AST of ``text``; syntax errors become QasmErrors with position."""
    try:
        from antlr4 import CommonTokenStream, InputStream
        from antlr4.error.ErrorListener import ErrorListener
        from openqasm3._antlr.qasm3Lexer import qasm3Lexer
        from openqasm3._antlr.qasm3Parser import qasm3Parser
        from openqasm3.parser import QASMNodeVisitor
    except ImportError:  # pragma: no cover - a core dependency
        raise QasmError("reading OpenQASM 3 needs the openqasm3 parser: pip install "
                        "'openqasm3[parser]'", file=file) from None

    class Raise(ErrorListener):
        def syntaxError(self, recognizer, symbol, line, column, msg, exc):
            raise QasmError(f"syntax error: {msg}", file=file, line=line, column=column + 1)

    lexer = qasm3Lexer(InputStream(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(Raise())
    parser = qasm3Parser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(Raise())
    tree = parser.program()
    try:
        return QASMNodeVisitor().visitProgram(tree)
    except QasmError:
        raise
    except Exception as exc:  # noqa: BLE001 - the visitor's own checks
        raise QasmError(f"cannot read this program: {exc}", file=file) from None


@dataclass
class _Gate:
    params: list[str]
    qubits: list[str]
    body: list


@dataclass
class _Def:
    args: list            # openqasm3 argument nodes
    body: list
    returns: object


@dataclass
class _Scope:
    values: dict = field(default_factory=dict)    # classical names -> numbers / params
    qubits: dict = field(default_factory=dict)    # names -> list of qubit indices
    bits: dict = field(default_factory=dict)      # names -> list of clbit indices


class _Reader:
    def __init__(self, file: str, max_loop_iterations: int):
        self.file = file
        self.max_loops = max_loop_iterations
        self.circuit = Circuit()
        self.gates: dict[str, _Gate] = {}
        self.defs: dict[str, _Def] = {}
        self.params: dict[str, Parameter] = {}
        self.globals: dict = {}  # constants and inputs: what gate and def bodies may read
        self.physical: dict[int, int] = {}
        self.std = False
        self.scope = _Scope()
        self.condition: Condition | None = None
        self.out: list[Instruction] | None = None  # a gate body being expanded

    # -- errors -----------------------------------------------------------------------
    def error(self, node, message: str):
        span = getattr(node, "span", None)
        raise QasmError(message, file=self.file, line=span.start_line if span else None,
                        column=span.start_column + 1 if span else None)

    # -- program ----------------------------------------------------------------------
    def program(self, prog) -> Circuit:
        self._prescan_physical(prog)
        for st in prog.statements:
            self.statement(st)
        return self.circuit

    def _prescan_physical(self, prog) -> None:
        import openqasm3.ast as A
        found: set[int] = set()

        def walk(node):
            if isinstance(node, (A.CalibrationDefinition, A.CalibrationStatement)):
                return  # refused when reached, with its position
            if isinstance(node, A.Identifier) and node.name.startswith("$"):
                found.add(int(node.name[1:]))
            if isinstance(node, A.QASMNode):
                for v in vars(node).values():
                    if isinstance(v, list):
                        for x in v:
                            walk(x)
                    else:
                        walk(v)
        walk(prog)
        if found:
            n = max(found) + 1
            self.circuit.add_qreg("q", n)
            self.physical = {k: k for k in range(n)}

    def statement(self, st) -> None:
        kind = type(st).__name__
        handler = getattr(self, f"_st_{kind}", None)
        if handler is None:
            what = {"CalibrationDefinition": "defcal", "CalibrationStatement": "cal",
                    "CalibrationGrammarDeclaration": "defcalgrammar",
                    "ExternDeclaration": "extern", "DelayInstruction": "delay",
                    "Box": "box", "SwitchStatement": "switch", "BreakStatement": "break",
                    "ContinueStatement": "continue", "EndStatement": "end",
                    "AliasStatement": "let (aliases)", "Pragma": None}.get(kind, kind)
            if kind == "Pragma":
                return
            self.error(st, f"'{what}' is not supported: qvalley reads the circuit part of "
                       "OpenQASM 3 (gates, measurement, control flow on measured bits)")
        handler(st)

    # -- declarations -----------------------------------------------------------------
    def _st_Include(self, st) -> None:
        if st.filename == "stdgates.inc":
            self.std = True
            return
        self.error(st, f"include \"{st.filename}\": only stdgates.inc is built in; inline "
                   "other files' gate definitions")

    def _size(self, node, default=1) -> int:
        if node is None:
            return default
        v = self.value(node)
        if not isinstance(v, (int, np.integer)) or v < 1:
            self.error(node, f"a register size must be a positive integer, got {v!r}")
        return int(v)

    def _st_QubitDeclaration(self, st) -> None:
        if self.physical:
            self.error(st, "a program uses either physical qubits ($n) or declared ones")
        name = st.qubit.name
        n = self._size(st.size)
        if name in self.scope.qubits or name in self.scope.bits:
            self.error(st, f"'{name}' is already declared")
        reg = self.circuit.add_qreg(name, n)
        self.scope.qubits[name] = list(reg)

    def _st_ClassicalDeclaration(self, st) -> None:
        import openqasm3.ast as A
        name = st.identifier.name
        if isinstance(st.type, A.BitType):
            n = self._size(st.type.size)
            taken = {r.name for r in self.circuit.qregs + self.circuit.cregs}
            reg = self.circuit.add_creg(self._fresh(name) if name in taken else name, n)
            self.scope.bits[name] = list(reg)
            if st.init_expression is not None:
                init = st.init_expression
                if isinstance(init, A.QuantumMeasurement):
                    self._measure(init.qubit, self.scope.bits[name], st)
                    return
                v = self.value(init)
                if v != 0:
                    self.error(init, "a bit register may start at 0 only (set bits with x "
                               "and a measurement instead)")
            return
        if st.init_expression is None:
            self.scope.values[name] = None  # declared, unknown until assigned
            return
        self.scope.values[name] = self._typed(st.type, self.value(st.init_expression))

    def _st_ConstantDeclaration(self, st) -> None:
        value = self._typed(st.type, self.value(st.init_expression))
        self.scope.values[st.identifier.name] = value
        self.globals[st.identifier.name] = value  # gate and def bodies see constants

    def _typed(self, type_node, v):
        import openqasm3.ast as A
        if isinstance(type_node, (A.IntType, A.UintType)) and not isinstance(
                v, ParameterExpression):
            return int(v)
        if isinstance(type_node, A.BoolType):
            return bool(v)
        return v

    def _st_IODeclaration(self, st) -> None:
        import openqasm3.ast as A
        if st.io_identifier.name != "input":
            self.error(st, "'output' declarations are not supported (every bit is read)")
        if not isinstance(st.type, (A.FloatType, A.AngleType)):
            self.error(st, "only 'input float' (or angle) parameters are supported")
        name = st.identifier.name
        self.params[name] = Parameter(name)
        self.scope.values[name] = self.globals[name] = self.params[name]

    def _st_QuantumGateDefinition(self, st) -> None:
        self.gates[st.name.name] = _Gate([a.name for a in st.arguments],
                                         [q.name for q in st.qubits], list(st.body))

    def _st_SubroutineDefinition(self, st) -> None:
        self.defs[st.name.name] = _Def(list(st.arguments), list(st.body), st.return_type)

    # -- classical --------------------------------------------------------------------
    def _st_ClassicalAssignment(self, st) -> None:
        import openqasm3.ast as A
        target = st.lvalue
        name = target.name.name if isinstance(target, A.IndexedIdentifier) else target.name
        rhs = st.rvalue
        if name in self.scope.bits:
            bits = self.bit_operand(target)
            if isinstance(rhs, A.QuantumMeasurement):
                self._measure(rhs.qubit, bits, st)
                return
            if isinstance(rhs, A.FunctionCall) and rhs.name.name in self.defs:
                self._call(rhs, bits)
                return
            self.error(st, "bits can be assigned measurement results only (classical "
                       "computation on measured bits cannot be simulated as a circuit)")
        if name not in self.scope.values:
            self.error(target, f"'{name}' is not declared")
        op = st.op.name
        value = self.value(rhs)
        old = self.scope.values[name]
        if op != "=" and old is None:
            self.error(st, f"'{name}' has no value yet")
        ops = {"+=": lambda: old + value, "-=": lambda: old - value,
               "*=": lambda: old * value, "/=": lambda: old / value,
               "<<=": lambda: old << value, ">>=": lambda: old >> value,
               "=": lambda: value}
        if op not in ops:
            self.error(st, f"assignment {op} is not supported")
        self.scope.values[name] = ops[op]()

    def _st_ExpressionStatement(self, st) -> None:
        import openqasm3.ast as A
        e = st.expression
        if isinstance(e, A.FunctionCall) and e.name.name in self.defs:
            self._call(e, None)
            return
        self.error(st, "an expression statement has no effect on the circuit")

    # -- quantum ----------------------------------------------------------------------
    def _st_QuantumMeasurementStatement(self, st) -> None:
        if st.target is None:
            n = len(self.qubit_operand(st.measure.qubit))
            reg = self.circuit.add_creg(self._fresh("discarded"), n)
            self._measure(st.measure.qubit, list(reg), st)
            return
        self._measure(st.measure.qubit, self.bit_operand(st.target), st)

    def _fresh(self, base: str) -> str:
        names = {r.name for r in self.circuit.qregs + self.circuit.cregs}
        k = 1
        while f"{base}{k}" in names:
            k += 1
        return f"{base}{k}"

    def _measure(self, qnode, bits: list[int], st) -> None:
        qs = self.qubit_operand(qnode)
        if len(qs) != len(bits):
            self.error(st, f"measuring {len(qs)} qubits into {len(bits)} bits")
        for q, b in zip(qs, bits):
            self.emit(Instruction("measure", "measure", (q,), clbits=(b,)), st)

    def _st_QuantumReset(self, st) -> None:
        for q in self.qubit_operand(st.qubits):
            self.emit(Instruction("reset", "reset", (q,)), st)

    def _st_QuantumBarrier(self, st) -> None:
        qs = [q for node in st.qubits for q in self.qubit_operand(node)]
        self.emit(Instruction("barrier", "barrier", tuple(qs or range(
            self.circuit.num_qubits))), st)

    def _st_QuantumPhase(self, st) -> None:
        if st.modifiers:
            self.error(st, "modifiers on gphase are not supported")
        phase = self.value(st.argument)
        if isinstance(phase, ParameterExpression):
            self.error(st, "gphase with a parameter is not supported")
        qs = [q for node in st.qubits for q in self.qubit_operand(node)] or [0]
        if self.circuit.num_qubits:
            self.emit(Instruction("unitary", "unitary", (qs[0],),
                                  matrix=cmath.exp(1j * float(phase)) * np.eye(2),
                                  label="gphase"), st)

    def _st_QuantumGate(self, st) -> None:
        name = st.name.name
        params = [self.value(a) for a in st.arguments]
        counts = []
        for mod in st.modifiers:
            if mod.modifier.name in ("ctrl", "negctrl"):
                k = 1 if mod.argument is None else self.value(mod.argument)
                if not isinstance(k, (int, np.integer)) or k < 1:
                    self.error(st, f"a control count must be a positive integer, got {k!r}")
                counts.append(int(k))
        nctrl = sum(counts)
        operands = [self.qubit_operand(q) for q in st.qubits]
        widths = {len(o) for o in operands if len(o) != 1}
        if len(widths) > 1:
            self.error(st, "registers of different sizes in one gate call")
        count = widths.pop() if widths else 1
        if len(operands) <= nctrl:
            self.error(st, f"{len(operands)} qubit operands for {nctrl} controls and a gate")
        for k in range(count):
            qs = [o[k] if len(o) > 1 else o[0] for o in operands]
            if len(set(qs)) != len(qs):
                self.error(st, f"gate {name} is given the same qubit twice")
            controls, targets = qs[:nctrl], qs[nctrl:]
            body = self.gate_body(name, params, targets, st)
            # the modifier nearest the gate applies first; controls are taken from the
            # operands just before the targets outwards
            end = len(controls)
            for mod in reversed(st.modifiers):
                kind = mod.modifier.name
                if kind in ("ctrl", "negctrl"):
                    k = 1 if mod.argument is None else int(self.value(mod.argument))
                    body = self._controlled(body, controls[end - k:end], kind == "ctrl", st)
                    end -= k
                else:
                    body = self.modify(mod, body, st)
            for ins in body:
                self.emit(ins, st)

    def gate_body(self, name: str, params: list, qs: list[int], st) -> list[Instruction]:
        """The instructions of gate ``name`` on qubits ``qs`` (not yet emitted)."""
        if name == "U":
            return [Instruction("gate", "u", tuple(qs), tuple(params))]
        if name in self.gates:
            g = self.gates[name]
            if len(g.params) != len(params) or len(g.qubits) != len(qs):
                self.error(st, f"gate {name} takes {len(g.params)} parameters and "
                           f"{len(g.qubits)} qubits")
            saved_scope, saved_out, saved_cond = self.scope, self.out, self.condition
            self.scope = _Scope(values={**self.globals, **dict(zip(g.params, params))},
                                qubits={q: [x] for q, x in zip(g.qubits, qs)})
            self.out, self.condition = [], None
            try:
                for inner in g.body:
                    self.statement(inner)
                return self.out
            finally:
                self.scope, self.out, self.condition = saved_scope, saved_out, saved_cond
        ours = _STD.get(name) if self.std else None
        if ours is None:
            hint = "" if self.std else " (include \"stdgates.inc\" for the standard gates)"
            self.error(st, f"unknown gate '{name}'{hint}")
        spec = GATES[ours]
        if spec.num_params != len(params) or spec.num_qubits != len(qs):
            self.error(st, f"gate {name} takes {spec.num_params} parameters and "
                       f"{spec.num_qubits} qubits, got {len(params)} and {len(qs)}")
        return [Instruction("gate", ours, tuple(qs), tuple(params))]

    def modify(self, mod, body: list[Instruction], st) -> list[Instruction]:
        kind = mod.modifier.name
        if kind == "inv":
            return self._inverse(body, st)
        if kind == "pow":
            k = self.value(mod.argument)
            if isinstance(k, ParameterExpression):
                self.error(st, "pow(k) @ with a parameter is not supported")
            if float(k) == int(k):
                k = int(k)
                base = body if k >= 0 else self._inverse(body, st)
                return [ins for _ in range(abs(k)) for ins in base]
            qs = sorted({q for ins in body for q in ins.qubits})
            u = np.eye(1 << len(qs), dtype=np.complex128)
            for ins in body:
                if ins.kind in ("gate", "unitary"):
                    u = embed(ins.full_matrix(), [qs.index(q) for q in ins.qubits],
                              len(qs)) @ u
            w, v = np.linalg.eig(u)
            m = (v * w ** float(k)) @ np.linalg.inv(v)
            return [Instruction("unitary", "unitary", tuple(qs), matrix=m,
                                label=f"pow({k})")]
        self.error(st, f"unknown modifier {kind}")  # pragma: no cover - the grammar's four

    def _inverse(self, body: list[Instruction], st) -> list[Instruction]:
        c = Circuit(max([q for ins in body for q in ins.qubits] + [0]) + 1)
        c._data = list(body)  # noqa: SLF001 - the same instructions
        try:
            return list(c.inverse().data)
        except CircuitError as exc:
            self.error(st, f"inv @: {exc}")

    def _controlled(self, body, ctrls: list[int], positive: bool, st):
        """``body`` under controls ``ctrls`` (all 1 for ctrl @, all 0 for negctrl @); a
        phase becomes a phase on the controlled subspace, as the spec says."""
        count = len(ctrls)
        state = (1 << count) - 1 if positive else 0
        out = []
        for ins in body:
            if ins.kind == "barrier":
                continue
            if ins.kind not in ("gate", "unitary"):
                self.error(st, f"ctrl @ on a gate that holds a {ins.kind}")
            out.append(ins.replace(qubits=tuple(ctrls) + ins.qubits,
                                   num_ctrl=ins.num_ctrl + count,
                                   ctrl_state=state | (ins.ctrl_state << count)))
        return out

    # -- control flow -----------------------------------------------------------------
    def _st_BranchingStatement(self, st) -> None:
        cond = self.condition_of(st.condition)
        self._block(st.if_block, cond, st)
        if st.else_block:
            neg = self.negate(cond, st)
            self._block(st.else_block, neg, st)

    def _block(self, statements, cond, st) -> None:
        saved = self.condition
        self.condition = self.combine(saved, cond, st)
        try:
            for inner in statements:
                self.statement(inner)
        finally:
            self.condition = saved

    def _st_ForInLoop(self, st) -> None:
        import openqasm3.ast as A
        it = st.set_declaration
        if isinstance(it, A.RangeDefinition):
            start = self.value(it.start) if it.start is not None else 0
            end = self.value(it.end)
            step = self.value(it.step) if it.step is not None else 1
            if step == 0:
                self.error(it, "a range step of 0")
            values = range(start, end + (1 if step > 0 else -1), step)
            if len(values) > MAX_UNROLLED:
                self.error(it, f"a for loop of {len(values)} iterations: qvalley unrolls "
                           f"loops, up to {MAX_UNROLLED}")
        elif isinstance(it, A.DiscreteSet):
            values = [self.value(v) for v in it.values]
        else:
            self.error(st, "for loops run over constant ranges or sets")
        name = st.identifier.name
        saved = self.scope.values.get(name, _MISSING)
        for v in values:
            self.scope.values[name] = v
            for inner in st.block:
                self.statement(inner)
        if saved is _MISSING:
            self.scope.values.pop(name, None)
        else:
            self.scope.values[name] = saved

    def _st_WhileLoop(self, st) -> None:
        try:
            always = self.value(st.while_condition)
        except QasmError:
            always = None
        if isinstance(always, (bool, int, np.integer)):  # a classical loop on constants
            count = 0
            while self.value(st.while_condition):
                count += 1
                if count > 10_000:
                    self.error(st, "this while loop does not end")
                for inner in st.block:
                    self.statement(inner)
            return
        conds = self.condition_set(st.while_condition)
        watched = {b for cond in conds for b in cond.clbits}
        for iteration in range(self.max_loops):
            for cond in conds:  # mutually exclusive: at most one copy runs per value
                start = len(self.circuit.data)
                self._block(st.block, cond, st)
                if iteration == 0:
                    self._check_loop_body(self.circuit.data[start:], watched, st)

    def _check_loop_body(self, body, watched: set, st) -> None:
        """Unrolling is exact when nothing in a pass follows a write of the condition's
        bits (what follows would see the new value); and a condition no pass writes
        would loop for ever."""
        writes = [ins for ins in body if ins.kind == "measure" and set(ins.clbits) & watched]
        if not writes:
            self.error(st, "the loop's body never writes its condition's bits: it would "
                       "never end")
        if len(writes) > 1:
            self.error(st, f"the loop body writes {len(writes)} of its condition's bits; "
                       "qvalley unrolls while loops with each operation conditioned on "
                       "the loop's condition, which is exact when the body writes one "
                       "condition bit, as its last operation (loop on one flag bit)")
        if body[-1] is not writes[0]:
            self.error(st, "the loop body writes its condition's bit before its last "
                       "operation; qvalley unrolls while loops, which is exact only when "
                       "the condition's bit is written last")

    # -- subroutines ------------------------------------------------------------------
    def _call(self, call, target_bits) -> None:
        import openqasm3.ast as A
        d = self.defs[call.name.name]
        if len(call.arguments) != len(d.args):
            self.error(call, f"{call.name.name} takes {len(d.args)} arguments")
        scope = _Scope(values=dict(self.globals))
        for arg, given in zip(d.args, call.arguments):
            if isinstance(arg, A.QuantumArgument):
                scope.qubits[arg.name.name] = self.qubit_operand(given)
            else:
                scope.values[arg.name.name] = self.value(given)
        saved = self.scope
        self.scope = scope
        try:
            for inner in d.body:
                if isinstance(inner, A.ReturnStatement):
                    self._return(inner, target_bits)
                    break
                if isinstance(inner, A.ClassicalDeclaration) and target_bits is not None \
                        and isinstance(inner.type, A.BitType) and self._returned(d) == \
                        inner.identifier.name:
                    # the returned register is the caller's target: measure straight in
                    scope.bits[inner.identifier.name] = target_bits
                    continue
                self.statement(inner)
        finally:
            self.scope = saved

    def _returned(self, d) -> str | None:
        import openqasm3.ast as A
        for inner in d.body:
            if isinstance(inner, A.ReturnStatement) and isinstance(inner.expression,
                                                                  A.Identifier):
                return inner.expression.name
        return None

    def _return(self, st, target_bits) -> None:
        import openqasm3.ast as A
        e = st.expression
        if e is None:
            return
        if isinstance(e, A.QuantumMeasurement):
            if target_bits is None:
                self.error(st, "the returned measurement must be assigned to bits")
            self._measure(e.qubit, target_bits, st)
            return
        if isinstance(e, A.Identifier) and e.name in self.scope.bits:
            return  # measured straight into the caller's bits
        self.error(st, "subroutines may return a measurement or bits written by one")

    # -- emitting ---------------------------------------------------------------------
    def emit(self, ins: Instruction, st) -> None:
        if self.condition is not None:
            if ins.kind == "barrier":
                return
            ins = ins.replace(condition=self.condition)
        if self.out is not None:  # inside a gate body: collected, emitted by the call
            self.out.append(ins)
            return
        try:
            self.circuit.append(ins)
        except CircuitError as exc:
            self.error(st, str(exc))

    # -- conditions -------------------------------------------------------------------
    def condition_of(self, e) -> Condition:
        conds = self.condition_set(e)
        if len(conds) != 1:
            self.error(e, "this condition holds for several register values; write it as "
                       "an equality (c == 3), a bit test, or && of those")
        return conds[0]

    def condition_set(self, e) -> list[Condition]:
        """The condition as a list of mutually exclusive equalities on clbits."""
        import openqasm3.ast as A
        if isinstance(e, A.BinaryExpression) and e.op.name in ("&&", "&"):
            a, b = self.condition_set(e.lhs), self.condition_set(e.rhs)
            return [self.combine(x, y, e) for x in a for y in b]
        if isinstance(e, A.UnaryExpression) and e.op.name == "!":
            inner = self.condition_set(e.expression)
            if len(inner) == 1 and len(inner[0].clbits) == 1:
                return [self.negate(inner[0], e)]
            bits = inner[0].clbits
            taken = {c.value for c in inner}
            return [Condition(bits, v) for v in range(1 << len(bits)) if v not in taken]
        if isinstance(e, A.BinaryExpression) and e.op.name in ("==", "!="):
            lhs, rhs = e.lhs, e.rhs
            bits = self.bits_of(lhs)
            if bits is None:
                bits, rhs = self.bits_of(rhs), lhs
            if bits is None:
                self.error(e, "a condition compares measured bits with a constant")
            v = int(self.value(rhs))
            if v < 0 or v >= 1 << len(bits):
                self.error(e, f"{v} does not fit in {len(bits)} bits")
            if e.op.name == "==":
                return [Condition(tuple(bits), v)]
            return [Condition(tuple(bits), w) for w in range(1 << len(bits)) if w != v]
        bits = self.bits_of(e)
        if bits is not None:
            if len(bits) == 1:
                return [Condition(tuple(bits), 1)]
            return [Condition(tuple(bits), w) for w in range(1, 1 << len(bits))]
        self.error(e, "conditions test measured bits (c[0], c == 3, !c[1], &&)")

    def bits_of(self, e) -> list[int] | None:
        import openqasm3.ast as A
        if isinstance(e, A.Cast):
            return self.bits_of(e.argument)
        if isinstance(e, A.Identifier) and e.name in self.scope.bits:
            return list(self.scope.bits[e.name])
        if isinstance(e, A.IndexExpression) and isinstance(e.collection, A.Identifier) and \
                e.collection.name in self.scope.bits:
            reg = self.scope.bits[e.collection.name]
            return self._select(reg, e.index, e)
        return None

    def combine(self, a: Condition | None, b: Condition | None, st) -> Condition | None:
        if a is None:
            return b
        if b is None:
            return a
        bits = list(a.clbits)
        value = a.value
        for k, bit in enumerate(b.clbits):
            want = (b.value >> k) & 1
            if bit in bits:
                if (value >> bits.index(bit)) & 1 != want:
                    self.error(st, "this condition can never hold (a bit tested both ways)")
                continue
            value |= want << len(bits)
            bits.append(bit)
        return Condition(tuple(bits), value)

    def negate(self, cond: Condition, st) -> Condition:
        if len(cond.clbits) != 1:
            self.error(st, "an else branch needs a single-bit condition (its negation is "
                       "not one equality); write the opposite if instead")
        return Condition(cond.clbits, 1 - cond.value)

    # -- operands and values ----------------------------------------------------------
    def qubit_operand(self, node) -> list[int]:
        import openqasm3.ast as A
        if isinstance(node, A.Identifier):
            if node.name.startswith("$"):
                return [int(node.name[1:])]
            if node.name not in self.scope.qubits:
                self.error(node, f"'{node.name}' is not a qubit or qubit register here")
            return list(self.scope.qubits[node.name])
        if isinstance(node, A.IndexedIdentifier):
            name = node.name.name
            if name not in self.scope.qubits:
                self.error(node, f"'{name}' is not a qubit register here")
            out = list(self.scope.qubits[name])
            for index in node.indices:
                out = self._select(out, index, node)
            return out
        if isinstance(node, A.IndexExpression) and isinstance(node.collection, A.Identifier):
            name = node.collection.name
            if name not in self.scope.qubits:
                self.error(node, f"'{name}' is not a qubit register here")
            return self._select(list(self.scope.qubits[name]), node.index, node)
        self.error(node, "expected qubits")

    def bit_operand(self, node) -> list[int]:
        import openqasm3.ast as A
        if isinstance(node, A.Identifier):
            if node.name not in self.scope.bits:
                self.error(node, f"'{node.name}' is not a bit register")
            return list(self.scope.bits[node.name])
        name = node.name.name
        if name not in self.scope.bits:
            self.error(node, f"'{name}' is not a bit register")
        out = list(self.scope.bits[name])
        for index in node.indices:
            out = self._select(out, index, node)
        return out

    def _select(self, items: list, index, node) -> list:
        import openqasm3.ast as A
        parts = index if isinstance(index, list) else [index]
        if isinstance(index, A.DiscreteSet):
            parts = [index]
        out = []
        for part in parts:
            if isinstance(part, A.RangeDefinition):
                start = self.value(part.start) if part.start is not None else 0
                end = self.value(part.end) if part.end is not None else len(items) - 1
                step = self.value(part.step) if part.step is not None else 1
                idx = list(range(start, end + (1 if step > 0 else -1), step))
            elif isinstance(part, A.DiscreteSet):
                idx = [self.value(v) for v in part.values]
            else:
                idx = [self.value(part)]
            for i in idx:
                if not isinstance(i, (int, np.integer)):
                    self.error(node, f"an index must be an integer, got {i!r}")
                if not -len(items) <= i < len(items):
                    self.error(node, f"index {i} is out of range for {len(items)} elements")
                out.append(items[i])
        return out

    def value(self, e):
        import openqasm3.ast as A
        if isinstance(e, A.IntegerLiteral):
            return int(e.value)
        if isinstance(e, A.FloatLiteral):
            return float(e.value)
        if isinstance(e, A.BooleanLiteral):
            return bool(e.value)
        if isinstance(e, A.BitstringLiteral):
            return int(e.value)
        if isinstance(e, A.DurationLiteral):
            self.error(e, "durations are not supported")
        if isinstance(e, A.Identifier):
            if e.name in self.scope.values:
                v = self.scope.values[e.name]
                if v is None:
                    self.error(e, f"'{e.name}' has no value when the program is read")
                return v
            if e.name in _CONSTANTS:
                return _CONSTANTS[e.name]
            if e.name in self.scope.bits:
                self.error(e, f"'{e.name}' holds measured bits: its value is not known "
                           "when the program is read (only conditions may test it)")
            self.error(e, f"'{e.name}' is not defined")
        if isinstance(e, A.UnaryExpression):
            v = self.value(e.expression)
            op = e.op.name
            if op == "-":
                return -v
            if op == "!":
                return not v
            if op == "~":
                return ~v
        if isinstance(e, A.BinaryExpression):
            a, b = self.value(e.lhs), self.value(e.rhs)
            op = e.op.name
            table = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                     "/": lambda: a / b if isinstance(a, (float, ParameterExpression)) or
                     isinstance(b, (float, ParameterExpression)) or a % b else a // b,
                     "%": lambda: a % b, "**": lambda: a ** b, "<<": lambda: a << b,
                     ">>": lambda: a >> b, "&": lambda: a & b, "|": lambda: a | b,
                     "^": lambda: a ^ b, "==": lambda: a == b, "!=": lambda: a != b,
                     "<": lambda: a < b, ">": lambda: a > b, "<=": lambda: a <= b,
                     ">=": lambda: a >= b, "logical_and": lambda: a and b,
                     "logical_or": lambda: a or b}
            names = {"&&": "logical_and", "||": "logical_or"}
            fn = table.get(names.get(op, op))
            if fn is None:
                self.error(e, f"operator {op} is not supported here")
            try:
                return fn()
            except (TypeError, ZeroDivisionError) as exc:
                self.error(e, f"cannot evaluate: {exc}")
        if isinstance(e, A.FunctionCall):
            name = e.name.name
            args = [self.value(a) for a in e.arguments]
            if name in _FUNCS and len(args) == 1:
                x = args[0]
                if isinstance(x, ParameterExpression):
                    if _FUNCS[name] is None:
                        self.error(e, f"{name} of a parameter is not supported")
                    return getattr(x, _FUNCS[name])()
                fn = {"arcsin": math.asin, "arccos": math.acos, "arctan": math.atan,
                      "ln": math.log}.get(name, getattr(math, name, None))
                return fn(x)
            self.error(e, f"function {name} is not supported in expressions")
        if isinstance(e, A.Cast):
            v = self.value(e.argument)
            if isinstance(e.type, (A.IntType, A.UintType)):
                return int(v)
            if isinstance(e.type, A.BoolType):
                return bool(v)
            return float(v) if not isinstance(v, ParameterExpression) else v
        if isinstance(e, A.IndexExpression):
            v = self.value(e.collection)
            idx = self.value(e.index[0]) if isinstance(e.index, list) else self.value(e.index)
            if isinstance(v, int):
                return (v >> idx) & 1
            self.error(e, "indexing this value is not supported")
        if isinstance(e, A.QuantumMeasurement):
            self.error(e, "a measurement here is not supported")
        self.error(e, f"{type(e).__name__} is not supported in expressions")


_MISSING = object()


def read_qasm3(text: str, file: str = "<input>",
               max_loop_iterations: int = MAX_LOOP_ITERATIONS) -> Circuit:
    """The Circuit of OpenQASM 3 source ``text`` (see the module docstring)."""
    prog = _parse(text, file)
    return _Reader(file, max_loop_iterations).program(prog)
