"""The OpenQASM 2.0 reader: source text in, :class:`~qvalley.circuit.Circuit` out.

It implements the whole language of Cross et al. (2017, arXiv:1707.03429): the header,
``include``, ``qreg``/``creg``, ``gate`` definitions with parameters (inlined into table
gates when used), ``opaque`` declarations, register broadcasting, ``measure``, ``reset``,
``barrier``, ``if (creg == n)`` and the expression language. Every error is a
:class:`~qvalley.errors.QasmError` naming the file, line and column.

Speed matters because generated files hold millions of gates. The text is cut at every
``;`` and each piece is looked up in a cache of statements already read (generated files
repeat themselves); a piece not seen before is matched against one regular expression for
the common shape ``name(params) a[i], b[j];``; anything else (declarations, ``if``,
comments holding ``;``, gate bodies, errors) goes to a tokenizer and a recursive-descent
parser that starts at that piece and reports exact positions. Validated instructions are
appended to the circuit's list directly; identical statements share one immutable
:class:`~qvalley.circuit.Instruction`.
"""
from __future__ import annotations

import codecs
import difflib
import gc
import math
import os
import re
import stat
from pathlib import Path
from typing import Iterable, NoReturn, Sequence

from ..circuit.circuit import Circuit
from ..circuit.gates import ALIASES, GATES
from ..circuit.instruction import Condition, Instruction
from ..errors import CircuitError, QasmError
from .expressions import (ExpressionError, evaluate, number_text, parse_expression_list,
                          substitute)
from .lexer import Lexer, Source, Token
from .qelib1 import BUILTINS, ORIGINAL_QELIB1, QELIB1_PATH, qelib1_gates

KEYWORDS = frozenset({"OPENQASM", "include", "qreg", "creg", "gate", "opaque", "measure",
                      "reset", "barrier", "if", "pi", "sin", "cos", "tan", "exp", "ln",
                      "sqrt", "U", "CX"})

_ID = r"[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])"    # a whole word: `hq[0]` is not `h q[0]`
_INT = r"(\d{1,18})"   # longer literals (out of range anyway) go to the full parser
_ARG = rf"({_ID})(?:\s*\[\s*{_INT}\s*\])?"
_SKIP = r"[ \t\r\n]*(?://[^\n]*\n[ \t\r\n]*)*"      # blank space, whole-line comments
_IF = rf"(?:if\s*\(\s*({_ID})\s*==\s*{_INT}\s*\)\s*)?"
# A whole piece of text between two ';' that is one simple gate call, maybe conditioned:
# name, optional parameters (one level of parentheses inside), one to three arguments.
_FAST_CALL = re.compile(
    rf"{_SKIP}{_IF}({_ID})\s*(?:\(([^(){{}};]*(?:\([^(){{}};]*\)[^(){{}};]*)*)\))?\s*"
    rf"{_ARG}(?:\s*,\s*{_ARG})?(?:\s*,\s*{_ARG})?\s*")
# ... or one measurement of a qubit into a bit.
_FAST_MEASURE = re.compile(
    rf"{_SKIP}{_IF}measure\s+({_ID})\s*\[\s*{_INT}\s*\]\s*->\s*({_ID})\s*\[\s*{_INT}\s*\]\s*")
_PLAIN_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")

_CACHE_LIMIT = 400_000

#: The most qubits, and the most classical bits, a program may declare in all. The language
#: sets no bound, but a larger register is a typo or an attack: `qreg q[100000000]; h q;`
#: would build 10**8 instructions before anything could say it is too big to simulate.
MAX_BITS = 1 << 20

#: The most operations a program may expand to (gate definitions inlined, registers
#: broadcast), and the most one gate definition may (definitions are inlined when read).
#: A few lines can otherwise ask for more than any machine holds: each gate that calls the
#: one before it twice doubles in size.
MAX_OPERATIONS = 1 << 24
MAX_GATE_OPERATIONS = 1 << 20


def _int(text: str) -> int:
    """Value of a decimal literal of any length (int() refuses more than 4300 digits)."""
    if len(text) <= 4000:
        return int(text)
    value = 0
    for i in range(0, len(text), 4000):
        chunk = text[i:i + 4000]
        value = value * 10 ** len(chunk) + int(chunk)
    return value


def _shown(value: int) -> str:
    """``value`` for an error message (a huge one by its length: str() may refuse it)."""
    if value < 10 ** 30:
        return str(value)
    digits = int((value.bit_length() - 1) * math.log10(2)) + 1
    if value >= 10 ** digits:
        digits += 1
    return f"of {digits} digits"


class _Gate:
    """A gate name known to the reader.

    ``kind`` is ``"table"`` (bound to the table gate ``target``), ``"user"`` (defined in the
    program; ``body`` is its flattened list of table-gate steps) or ``"opaque"``.
    """

    __slots__ = ("name", "kind", "num_params", "num_qubits", "target", "body", "where",
                 "soft")

    def __init__(self, name: str, kind: str, num_params: int, num_qubits: int, *,
                 target: str | None = None, body: tuple = (), where: str = "",
                 soft: bool = False) -> None:
        self.name = name
        self.kind = kind
        self.num_params = num_params
        self.num_qubits = num_qubits
        self.target = target
        self.body = body
        self.where = where
        self.soft = soft  # an alias binding that a program's own definition may replace


def _check_name(lx: Lexer, tok: Token, what: str) -> None:
    """Refuse a keyword, or a name that does not start with a lowercase letter (OpenQASM 2.0
    identifiers are [a-z][A-Za-z0-9_]*; Qiskit refuses others too), as a new name."""
    name = tok.text
    if name in KEYWORDS:
        lx.error(f"'{name}' is a keyword and cannot name a {what}", tok.start)
    if not name[0].islower():
        lx.error(f"'{name}' cannot name a {what}: OpenQASM 2.0 names start with a lowercase "
                 "letter", tok.start)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Reader:
    """State of one load: the circuit being built, registers, gates and caches."""

    def __init__(self, include_path: Sequence[Path]) -> None:
        self.circuit = Circuit()
        self.data = self.circuit._data
        self.qregs: dict[str, tuple[int, int]] = {}    # name -> (start, size)
        self.cregs: dict[str, tuple[int, int]] = {}
        self.gates: dict[str, _Gate] = {}
        for name, target in BUILTINS.items():
            spec = GATES[target]
            self.gates[name] = _Gate(name, "table", spec.num_params, spec.num_qubits,
                                     target=target, where="builtin")
        self.include_path = list(include_path)
        self.including: list[str] = []
        self.qelib1 = False
        self.cache: dict[str, tuple[Instruction, ...]] = {}
        self.param_cache: dict[str, tuple[float, ...]] = {}
        self.conditions: dict[tuple[str, str], Condition] = {}

    # -- driver -----------------------------------------------------------------------------
    def program(self, source: Source) -> Circuit:
        lx = Lexer(source)
        self._header(lx)
        self._run(source, lx.last_end)
        return self.circuit

    def _header(self, lx: Lexer) -> None:
        tok = lx.peek()
        if tok.kind != "id" or tok.text != "OPENQASM":
            found = "an empty program" if tok.kind == "eof" else tok.describe()
            lx.error(f"expected the header 'OPENQASM 2.0;' as the first statement, found "
                     f"{found}", tok.start)
        lx.next()
        ver = lx.next()
        if ver.kind not in ("int", "real"):
            lx.error(f"expected a version number after OPENQASM, found {ver.describe()}",
                     ver.start)
        if float(ver.text) != 2.0:
            lx.error(f"unsupported OpenQASM version {ver.text}: qvalley reads "
                     "OpenQASM 2.0 and 3", ver.start)
        lx.expect_sym(";", "after 'OPENQASM 2.0'")

    def _run(self, source: Source, pos: int) -> None:
        """Read statements of ``source`` from offset ``pos`` to its end (see module doc)."""
        text = source.text
        pieces = text.split(";")
        data = self.data
        extend = data.extend
        append = data.append
        cache = self.cache
        fast = _FAST_CALL.fullmatch
        fast_measure = _FAST_MEASURE.fullmatch
        lexer = Lexer(source)
        start = 0
        for i in range(len(pieces) - 1):
            piece = pieces[i]
            end = start + len(piece)            # offset of the ';' ending this piece
            if start < pos:                     # the slow parser already read past start
                if end < pos:
                    start = end + 1
                    continue
                piece = text[pos:end]
                base = pos
            else:
                base = start
            start = end + 1
            hit = cache.get(piece)
            if hit is not None:
                extend(hit)
                if len(hit) > 1 and len(data) > MAX_OPERATIONS:
                    self._too_many(source, base)
                continue
            m = fast(piece)
            if m is not None:
                instrs = self._fast_call(source, m, base)
            else:
                m = fast_measure(piece)
                instrs = None if m is None else self._fast_measure(m)
            if instrs is not None:
                if len(instrs) == 1:
                    append(instrs[0])
                else:
                    extend(instrs)
                    if len(data) > MAX_OPERATIONS:
                        self._too_many(source, base)
                if len(cache) < _CACHE_LIMIT:
                    cache[piece] = instrs
                continue
            # the slow path: the full parser, statement by statement, until it has read past
            # this ';'. A gate definition ends at '}', so more statements may follow it in
            # the same piece; and a ';' inside a comment may end a piece that holds nothing
            # but that comment up to the end of the text.
            lexer.reset(base)
            first = True
            while True:
                head = lexer.peek()
                if head.kind == "eof":
                    pos = len(text)
                    break
                instrs = self._statement(lexer)
                pos = lexer.last_end
                if instrs:
                    extend(instrs)
                    if len(data) > MAX_OPERATIONS:
                        self._too_many(source, head.start)
                    if first and pos == end + 1 and len(cache) < _CACHE_LIMIT:
                        cache[piece] = tuple(instrs)
                if pos > end:
                    break
                first = False
        # the text after the last ';': blank, comments, or the end of a gate body
        lexer.reset(max(pos, start))
        while lexer.peek().kind != "eof":
            head = lexer.peek()
            instrs = self._statement(lexer)
            if instrs:
                extend(instrs)
                if len(data) > MAX_OPERATIONS:
                    self._too_many(source, head.start)

    def _too_many(self, source: Source, offset: int) -> None:
        """Report the statement at (or after the blank space at) ``offset`` that took the
        program past MAX_OPERATIONS operations."""
        source.error(f"the program grows past {MAX_OPERATIONS} operations here (gate "
                     "definitions inlined, registers broadcast); qvalley reads programs of at "
                     f"most {MAX_OPERATIONS} operations", Lexer(source, offset).peek().start)

    def _fast_call(self, source: Source, m: re.Match, base: int
                   ) -> tuple[Instruction, ...] | None:
        """Instructions of a piece matched by ``_FAST_CALL`` (``base`` is its offset), or
        None when the full parser should read it (a keyword, or a comment inside)."""
        cname, cvalue, name, ptext, a1, i1, a2, i2, a3, i3 = m.groups()
        gate = self.gates.get(name)
        if gate is None:
            return None                     # a keyword (qreg, reset, ...) or an unknown name
        cond = None
        if cname is not None:
            cond = self._fast_condition(cname, cvalue)
            if cond is None:
                return None                 # let the parser report the problem
        if ptext is None:
            params: tuple[float, ...] | None = ()
        else:
            params = self.param_cache.get(ptext)
            if params is None:
                params = self._params(source, ptext, base + m.start(4))
                if params is None:
                    return None
        if gate.kind == "table" and a3 is None and i1 is not None \
                and len(params) == gate.num_params:
            qregs = self.qregs
            reg = qregs.get(a1)
            if reg is not None and int(i1) < reg[1]:
                q1 = reg[0] + int(i1)
                if a2 is None:
                    if gate.num_qubits == 1:
                        return (Instruction("gate", gate.target, (q1,), params, (), cond),)
                elif i2 is not None and gate.num_qubits == 2:
                    reg = qregs.get(a2)
                    if reg is not None and int(i2) < reg[1]:
                        q2 = reg[0] + int(i2)
                        if q1 != q2:
                            return (Instruction("gate", gate.target, (q1, q2), params, (),
                                                cond),)
        # any other case: broadcast, user or opaque gate, or an error to report
        args = [(a1, i1, base + m.start(5), base + m.start(6))]
        if a2 is not None:
            args.append((a2, i2, base + m.start(7), base + m.start(8)))
        if a3 is not None:
            args.append((a3, i3, base + m.start(9), base + m.start(10)))
        return tuple(self._call(source, gate, base + m.start(3), params,
                                [(n, None if j is None else int(j), p, jp)
                                 for n, j, p, jp in args], cond))

    def _fast_measure(self, m: re.Match) -> tuple[Instruction, ...] | None:
        """The measurement of a piece matched by ``_FAST_MEASURE``, or None to let the
        full parser read (and report on) it."""
        cname, cvalue, qname, qindex, bname, bindex = m.groups()
        cond = None
        if cname is not None:
            cond = self._fast_condition(cname, cvalue)
            if cond is None:
                return None
        qreg = self.qregs.get(qname)
        creg = self.cregs.get(bname)
        if qreg is None or creg is None or int(qindex) >= qreg[1] or int(bindex) >= creg[1]:
            return None
        return (Instruction("measure", "measure", (qreg[0] + int(qindex),), (),
                            (creg[0] + int(bindex),), cond),)

    def _fast_condition(self, name: str, value: str) -> Condition | None:
        key = (name, value)
        cond = self.conditions.get(key)
        if cond is None:
            reg = self.cregs.get(name)
            if reg is None or int(value).bit_length() > reg[1]:
                return None
            start, size = reg
            cond = self.conditions[key] = Condition(tuple(range(start, start + size)),
                                                    int(value), name)
        return cond

    def _params(self, source: Source, ptext: str, offset: int) -> tuple[float, ...] | None:
        """Values of a parenthesised parameter list (text without the parentheses), or
        None if it holds a comment (which might hide the real end of the statement)."""
        if "//" in ptext or "/*" in ptext:
            return None
        if _PLAIN_NUMBER.fullmatch(ptext):
            value = float(ptext)
            if not math.isfinite(value):
                source.error(f"the number {number_text(ptext.strip())} is too large", offset)
            values: tuple[float, ...] = (value,)
        else:
            lx = Lexer(source, offset)
            values = tuple(node[1] for node in parse_expression_list(lx))
        self.param_cache[ptext] = values
        return values

    # -- statements (the slow path) -----------------------------------------------------------
    def _statement(self, lx: Lexer) -> list[Instruction] | None:
        """Parse one statement; return the instructions it adds (None for declarations).
        At the end of the text, consume nothing and return None."""
        tok = lx.peek()
        if tok.kind == "eof":
            return None
        if tok.kind == "sym" and tok.text == ";":     # an empty statement: tolerated
            lx.next()
            return None
        if tok.kind != "id":
            lx.error(f"expected a statement (a gate call, qreg, creg, gate, measure, "
                     f"reset, barrier, if, ...), found {tok.describe()}", tok.start)
        word = tok.text
        if word == "OPENQASM":
            lx.error("'OPENQASM' may appear only once, as the first statement of the "
                     "program", tok.start)
        if word == "include":
            self._include(lx)
            return None
        if word in ("qreg", "creg"):
            self._register(lx)
            return None
        if word == "gate":
            self._gate_definition(lx)
            return None
        if word == "opaque":
            self._opaque(lx)
            return None
        if word == "if":
            return self._if(lx)
        return self._operation(lx, None)

    def _operation(self, lx: Lexer, cond: Condition | None) -> list[Instruction]:
        """A quantum operation: gate call, measure, reset, or (unconditioned) barrier."""
        tok = lx.peek()
        word = tok.text
        if word == "measure":
            return self._measure(lx, cond)
        if word == "reset":
            lx.next()
            args = [self._arg(lx)]
            lx.expect_sym(";", "after the argument of reset")
            return [Instruction("reset", "reset", (q,), condition=cond)
                    for (q,) in self._broadcast(lx.source, "reset", args)]
        if word == "barrier":
            if cond is not None:
                lx.error("barrier cannot be conditioned: only a gate call, measure or "
                         "reset may follow 'if (...)'", tok.start)
            lx.next()
            args = self._arg_list(lx)
            lx.expect_sym(";", "after the arguments of barrier")
            qubits: dict[int, None] = {}
            for name, index, offset, ioffset in args:
                for q in self._qubits(lx.source, name, index, offset, ioffset, "barrier"):
                    qubits[q] = None
            return [Instruction("barrier", "barrier", tuple(qubits))]
        if word in KEYWORDS and word not in ("U", "CX"):
            lx.error(f"expected a gate call, measure, reset or barrier, found {word!r}",
                     tok.start)
        return self._gate_call(lx, cond)

    def _gate_call(self, lx: Lexer, cond: Condition | None) -> list[Instruction]:
        tok = lx.next()
        if tok.kind != "id":
            lx.error(f"expected a gate name, found {tok.describe()}", tok.start)
        gate = self.gates.get(tok.text)
        if gate is None:
            self._unknown_gate(lx.source, tok)
        params: tuple[float, ...] = ()
        if lx.accept_sym("("):
            params = tuple(node[1] for node in parse_expression_list(lx))
        args = self._arg_list(lx)
        lx.expect_sym(";", f"after the arguments of '{tok.text}'")
        return self._call(lx.source, gate, tok.start, params, args, cond)

    def _call(self, source: Source, gate: _Gate, offset: int, params: tuple[float, ...],
              args: list, cond: Condition | None) -> list[Instruction]:
        """Apply ``gate`` (arity checked, registers broadcast, user gates inlined)."""
        if len(params) != gate.num_params:
            source.error(f"'{gate.name}' takes {_plural(gate.num_params, 'parameter')}, but "
                         f"got {len(params)}", offset)
        if len(args) != gate.num_qubits:
            source.error(f"'{gate.name}' takes {_plural(gate.num_qubits, 'quantum argument')}"
                         f", but got {len(args)}", offset)
        out: list[Instruction] = []
        rows = self._broadcast(source, gate.name, args)
        if len(self.data) + len(rows) * max(1, len(gate.body)) > MAX_OPERATIONS:
            self._too_many(source, offset)
        for qubits in rows:
            if gate.kind == "table":
                out.append(Instruction("gate", gate.target, qubits, params, condition=cond))
            elif gate.kind == "opaque":
                out.append(Instruction("opaque", gate.name, qubits, params, condition=cond))
            else:
                try:
                    for kind, name, nodes, qidx in gate.body:
                        qs = tuple(qubits[i] for i in qidx)
                        if kind == "barrier":
                            out.append(Instruction("barrier", "barrier", qs))
                            continue
                        values = tuple(evaluate(n, params) for n in nodes)
                        out.append(Instruction(kind, name, qs, values, condition=cond))
                except ExpressionError as exc:
                    source.error(f"in the body of gate '{gate.name}' with these parameters: "
                                 f"{exc.message}", offset)
        return out

    # -- arguments ---------------------------------------------------------------------------
    def _arg(self, lx: Lexer) -> tuple[str, int | None, int, int]:
        """``name`` or ``name[index]`` -> (name, index or None, offset, index offset)."""
        tok = lx.expect_id("a register name")
        if lx.accept_sym("["):
            itok = lx.expect_int("an index")
            lx.expect_sym("]", "after the index")
            return (tok.text, _int(itok.text), tok.start, itok.start)
        return (tok.text, None, tok.start, tok.start)

    def _arg_list(self, lx: Lexer) -> list:
        args = [self._arg(lx)]
        while lx.accept_sym(","):
            args.append(self._arg(lx))
        return args

    def _qubits(self, source: Source, name: str, index: int | None, offset: int,
                ioffset: int, what: str) -> list[int]:
        reg = self.qregs.get(name)
        if reg is None:
            if name in self.cregs:
                source.error(f"'{name}' is a classical register; '{what}' needs a quantum "
                             "register or qubit", offset)
            source.error(f"undeclared quantum register '{name}'{self._reg_hint(name)}",
                         offset)
        start, size = reg
        if index is None:
            return list(range(start, start + size))
        if index >= size:
            source.error(f"index {_shown(index)} out of range for qreg {name}[{size}] "
                         f"(valid: 0..{size - 1})", ioffset)
        return [start + index]

    def _clbits(self, source: Source, name: str, index: int | None, offset: int,
                ioffset: int) -> list[int]:
        reg = self.cregs.get(name)
        if reg is None:
            if name in self.qregs:
                source.error(f"'{name}' is a quantum register; a measurement result goes to "
                             "a classical register", offset)
            source.error(f"undeclared classical register '{name}'{self._reg_hint(name)}",
                         offset)
        start, size = reg
        if index is None:
            return list(range(start, start + size))
        if index >= size:
            source.error(f"index {_shown(index)} out of range for creg {name}[{size}] "
                         f"(valid: 0..{size - 1})", ioffset)
        return [start + index]

    def _reg_hint(self, name: str) -> str:
        close = difflib.get_close_matches(name, list(self.qregs) + list(self.cregs), n=1)
        return f"; did you mean '{close[0]}'?" if close else ""

    def _broadcast(self, source: Source, what: str, args: list) -> list[tuple[int, ...]]:
        """OpenQASM 2 broadcasting: registers of equal size zip, single qubits repeat."""
        resolved = [self._qubits(source, n, i, o, io, what) for n, i, o, io in args]
        size = None
        for (name, index, offset, _), qs in zip(args, resolved):
            if index is None:
                if size is None:
                    size, first = len(qs), name
                elif len(qs) != size:
                    source.error(f"cannot broadcast '{what}' over registers of different "
                                 f"sizes: {first} has {size} qubits, {name} has {len(qs)}",
                                 offset)
        if size is None:
            rows = [tuple(qs[0] for qs in resolved)]
        else:
            rows = [tuple(qs[k] if args[j][1] is None else qs[0]
                          for j, qs in enumerate(resolved)) for k in range(size)]
        if len(args) > 1:
            for row in rows:
                if len(set(row)) != len(row):
                    seen = set()
                    for (name, index, offset, _), q in zip(args, row):
                        if q in seen:
                            source.error(f"duplicate qubit argument: '{what}' uses qubit "
                                         f"{self._qubit_name(q)} twice", offset)
                        seen.add(q)
        return rows

    def _qubit_name(self, q: int) -> str:
        for name, (start, size) in self.qregs.items():
            if start <= q < start + size:
                return f"{name}[{q - start}]"
        return str(q)  # pragma: no cover

    # -- declarations ------------------------------------------------------------------------
    def _register(self, lx: Lexer) -> None:
        kw = lx.next()
        tok = lx.expect_id(f"a register name after '{kw.text}'")
        name = tok.text
        _check_name(lx, tok, "register")
        lx.expect_sym("[", f"after '{kw.text} {name}' (a size in brackets)")
        size_tok = lx.expect_int("the register size")
        lx.expect_sym("]", "after the register size")
        lx.expect_sym(";", f"after '{kw.text} {name}[{size_tok.text}]'")
        size = _int(size_tok.text)
        if size <= 0:
            lx.error(f"register '{name}' needs a positive size, got {size}", size_tok.start)
        have = self.circuit.num_qubits if kw.text == "qreg" else self.circuit.num_clbits
        if have + size > MAX_BITS:
            unit = "qubits" if kw.text == "qreg" else "classical bits"
            before = f" ({have} are declared before it)" if have else ""
            lx.error(f"{kw.text} {name} of {_shown(size)} {unit} is too large: a program may "
                     f"declare at most {MAX_BITS} {unit} in all{before}", size_tok.start)
        if name in self.qregs or name in self.cregs:
            lx.error(f"register '{name}' is already declared", tok.start)
        if kw.text == "qreg":
            reg = self.circuit.add_qreg(name, size)
            self.qregs[name] = (reg.start, reg.size)
        else:
            reg = self.circuit.add_creg(name, size)
            self.cregs[name] = (reg.start, reg.size)

    def _include(self, lx: Lexer) -> None:
        kw = lx.next()
        tok = lx.next()
        if tok.kind != "str":
            lx.error(f"expected a file name in double quotes after 'include', found "
                     f"{tok.describe()}", tok.start)
        lx.expect_sym(";", f"after 'include {tok.text}'")
        name = tok.text[1:-1]
        if name == "qelib1.inc":
            self._bind_qelib1(lx.source, kw.start)
            return
        path = self._find_include(lx.source, name, tok.start)
        key = str(path.resolve())
        if key in self.including:
            lx.error(f"include cycle: '{name}' includes itself", tok.start)
        try:
            data = path.read_bytes()
        except OSError as exc:
            lx.error(f"cannot read include file '{name}': {exc.strerror or exc}", tok.start)
        text = _decode_source(data, str(path))
        self.including.append(key)
        try:
            self._run(Source(text, str(path), str(path.parent)), 0)
        finally:
            self.including.pop()

    def _find_include(self, source: Source, name: str, offset: int) -> Path:
        if not name.strip():
            source.error("include needs a file name; found an empty file name", offset)
        candidates = []
        if os.path.isabs(name):
            candidates.append(Path(name))
        else:
            candidates.append(Path(source.directory or ".") / name)
            candidates.extend(Path(p) / name for p in self.include_path)
        for path in candidates:
            if path.is_file():
                return path
        for path in candidates:
            if path.is_dir():
                source.error(f"include '{name}': {path} is a directory, not a file", offset)
        where = ", ".join(str(p.parent) for p in candidates)
        source.error(f"include file '{name}' not found (looked in: {where}); pass "
                     "include_path= to look elsewhere", offset)

    def _bind_qelib1(self, source: Source, offset: int) -> None:
        if self.qelib1:
            return  # a second include of the standard library changes nothing
        self.qelib1 = True
        for name, target in qelib1_gates().items():
            old = self.gates.get(name)
            soft = name not in ORIGINAL_QELIB1
            if old is not None:
                if soft:
                    continue  # the program defined this alias itself: keep its definition
                source.error(f"include \"qelib1.inc\" redefines gate '{name}' (defined "
                             f"{old.where}); include qelib1.inc before defining gates",
                             offset)
            spec = GATES[target]
            self.gates[name] = _Gate(name, "table", spec.num_params, spec.num_qubits,
                                     target=target, where="in qelib1.inc", soft=soft)

    def _new_gate_name(self, lx: Lexer, tok: Token, what: str) -> str:
        name = tok.text
        _check_name(lx, tok, what)
        old = self.gates.get(name)
        if old is not None:
            if not old.soft:
                lx.error(f"gate '{name}' is already defined ({old.where})", tok.start)
            self.cache.clear()  # statements read so far meant the old gate
        return name

    def _where(self, source: Source, offset: int) -> str:
        line, _ = source.location(offset)
        return f"at {source.file}:{line}"

    def _formals(self, lx: Lexer, what: str) -> tuple[list[str], list[str]]:
        """``(p1, p2) a, b`` of a gate or opaque declaration: parameter and qubit names."""
        params: list[str] = []
        if lx.accept_sym("("):
            if not lx.accept_sym(")"):
                while True:
                    params.append(self._formal(lx, params, "parameter"))
                    if lx.accept_sym(")"):
                        break
                    lx.expect_sym(",", f"between the parameters of {what} or ')' after "
                                       "them")
        tok = lx.peek()
        if tok.kind != "id":
            lx.error(f"{what} needs at least one qubit argument, found {tok.describe()}",
                     tok.start)
        qubits = [self._formal(lx, params, "qubit argument")]
        while lx.accept_sym(","):
            qubits.append(self._formal(lx, params + qubits, "qubit argument"))
        return params, qubits

    def _formal(self, lx: Lexer, taken: list[str], what: str) -> str:
        tok = lx.expect_id(f"a {what} name")
        _check_name(lx, tok, what)
        if tok.text in taken:
            lx.error(f"'{tok.text}' is declared twice in this gate's arguments", tok.start)
        return tok.text

    def _opaque(self, lx: Lexer) -> None:
        kw = lx.next()
        tok = lx.expect_id("a gate name after 'opaque'")
        name = self._new_gate_name(lx, tok, "gate")
        params, qubits = self._formals(lx, f"opaque gate '{name}'")
        lx.expect_sym(";", f"after the declaration of opaque gate '{name}'")
        self.gates[name] = _Gate(name, "opaque", len(params), len(qubits),
                                 where=self._where(lx.source, kw.start))

    def _gate_definition(self, lx: Lexer) -> None:
        kw = lx.next()
        tok = lx.expect_id("a gate name after 'gate'")
        name = self._new_gate_name(lx, tok, "gate")
        params, qubits = self._formals(lx, f"gate '{name}'")
        brace = lx.peek()
        lx.expect_sym("{", f"to open the body of gate '{name}'")
        pmap = {p: i for i, p in enumerate(params)}
        qmap = {q: i for i, q in enumerate(qubits)}
        body: list[tuple] = []
        while True:
            tok = lx.peek()
            if tok.kind == "sym" and tok.text == "}":
                lx.next()
                break
            if tok.kind == "eof":
                lx.error(f"unterminated body of gate '{name}': this '{{' is never closed "
                         "by '}'", brace.start)
            if tok.kind != "id":
                lx.error(f"expected a gate call, barrier or '}}' in the body of gate "
                         f"'{name}', found {tok.describe()}", tok.start)
            if tok.text == "barrier":
                lx.next()
                qidx = self._body_args(lx, name, qmap, "barrier")
                lx.expect_sym(";", "after the arguments of barrier")
                body.append(("barrier", "barrier", (), tuple(dict.fromkeys(qidx))))
                continue
            if tok.text in KEYWORDS and tok.text not in ("U", "CX"):
                lx.error(f"'{tok.text}' is not allowed in a gate body (only gate calls and "
                         f"barrier are); is a '}}' missing to close gate '{name}'?",
                         tok.start)
            lx.next()
            callee = self.gates.get(tok.text)
            if callee is None:
                if tok.text == name:
                    lx.error(f"gate '{name}' cannot call itself: a gate body may use only "
                             "gates defined before it", tok.start)
                self._unknown_gate(lx.source, tok)
            nodes: list = []
            if lx.accept_sym("("):
                nodes = parse_expression_list(lx, pmap, name)
            qidx = self._body_args(lx, name, qmap, tok.text)
            lx.expect_sym(";", f"after the arguments of '{tok.text}'")
            if len(nodes) != callee.num_params:
                lx.error(f"'{callee.name}' takes {_plural(callee.num_params, 'parameter')}, "
                         f"but got {len(nodes)}", tok.start)
            if len(qidx) != callee.num_qubits:
                lx.error(f"'{callee.name}' takes "
                         f"{_plural(callee.num_qubits, 'quantum argument')}, but got "
                         f"{len(qidx)}", tok.start)
            if callee.kind == "table":
                body.append(("gate", callee.target, tuple(nodes), qidx))
            elif callee.kind == "opaque":
                body.append(("opaque", callee.name, tuple(nodes), qidx))
            else:
                if len(body) + len(callee.body) > MAX_GATE_OPERATIONS:
                    lx.error(f"gate '{name}' would expand to more than "
                             f"{MAX_GATE_OPERATIONS} operations (each call of "
                             f"'{callee.name}' adds {len(callee.body)}); qvalley reads gate "
                             f"definitions of at most {MAX_GATE_OPERATIONS} operations",
                             tok.start)
                try:
                    for kind, sub, sub_nodes, sub_q in callee.body:
                        body.append((kind, sub, tuple(substitute(n, nodes) for n in sub_nodes),
                                     tuple(qidx[i] for i in sub_q)))
                except ExpressionError as exc:
                    lx.error(f"in the body of gate '{callee.name}' with these parameters: "
                             f"{exc.message}", tok.start)
        self.gates[name] = _Gate(name, "user", len(params), len(qubits), body=tuple(body),
                                 where=self._where(lx.source, kw.start))

    def _body_args(self, lx: Lexer, gate: str, qmap: dict[str, int],
                   what: str) -> tuple[int, ...]:
        out: list[int] = []
        while True:
            tok = lx.expect_id(f"a qubit argument of gate '{gate}'")
            if tok.text not in qmap:
                known = ", ".join(qmap)
                lx.error(f"'{tok.text}' is not a qubit argument of gate '{gate}' (its qubits: "
                         f"{known})", tok.start)
            nxt = lx.peek()
            if nxt.kind == "sym" and nxt.text == "[":
                lx.error(f"a gate body uses its qubit arguments by name; '{tok.text}[...]' "
                         "cannot be indexed", nxt.start)
            q = qmap[tok.text]
            if q in out and what != "barrier":
                lx.error(f"duplicate qubit argument: '{what}' uses '{tok.text}' twice",
                         tok.start)
            out.append(q)
            if not lx.accept_sym(","):
                return tuple(out)

    # -- measure and if ----------------------------------------------------------------------
    def _measure(self, lx: Lexer, cond: Condition | None) -> list[Instruction]:
        lx.next()
        qname, qindex, qoff, qioff = self._arg(lx)
        lx.expect_sym("->", "between the qubit and the classical bit of measure")
        cname, cindex, coff, cioff = self._arg(lx)
        lx.expect_sym(";", "after measure")
        src = lx.source
        qs = self._qubits(src, qname, qindex, qoff, qioff, "measure")
        cs = self._clbits(src, cname, cindex, coff, cioff)
        if (qindex is None) != (cindex is None) or len(qs) != len(cs):
            src.error(f"measure needs a qubit and a bit, or two registers of the same "
                      f"size: got {len(qs)} qubit(s) and {len(cs)} bit(s)", qoff)
        return [Instruction("measure", "measure", (q,), clbits=(c,), condition=cond)
                for q, c in zip(qs, cs)]

    def _if(self, lx: Lexer) -> list[Instruction]:
        lx.next()
        lx.expect_sym("(", "after 'if'")
        tok = lx.expect_id("a classical register name")
        reg = self.cregs.get(tok.text)
        if reg is None:
            if tok.text in self.qregs:
                lx.error(f"'{tok.text}' is a quantum register; 'if' tests a classical "
                         "register", tok.start)
            lx.error(f"undeclared classical register '{tok.text}'"
                     f"{self._reg_hint(tok.text)}", tok.start)
        nxt = lx.peek()
        if nxt.kind == "sym" and nxt.text == "[":
            lx.error("OpenQASM 2 'if' compares a whole classical register, not one bit",
                     nxt.start)
        lx.expect_sym("==", f"after 'if ({tok.text}'")
        val = lx.expect_int("the value to compare with")
        lx.expect_sym(")", "to close the condition of 'if'")
        value = _int(val.text)
        start, size = reg
        if value.bit_length() > size:
            most = _shown((1 << size) - 1)
            lx.error(f"value {_shown(value)} does not fit in creg {tok.text}[{size}] (at most "
                     f"{most})", val.start)
        cond = Condition(tuple(range(start, start + size)), value, tok.text)
        op = lx.peek()
        if op.kind != "id":
            lx.error(f"expected a gate call, measure or reset after 'if (...)', found "
                     f"{op.describe()}", op.start)
        return self._operation(lx, cond)

    # -- errors ------------------------------------------------------------------------------
    def _unknown_gate(self, source: Source, tok: Token) -> None:
        name = tok.text
        hints = []
        if name in self.qregs or name in self.cregs:
            source.error(f"expected a gate name, found the register '{name}'", tok.start)
        if not self.qelib1 and name in qelib1_gates():
            hints.append('add include "qelib1.inc"; to use the standard gates')
        elif name in GATES or name in ALIASES:
            hints.append(f"'{name}' is not in qelib1.inc: declare it with 'gate {name} ... "
                         "{ ... }' before using it")
        else:
            close = difflib.get_close_matches(name, [g for g in self.gates if g != name], n=1)
            if close:
                hints.append(f"did you mean '{close[0]}'?")
        source.error(f"unknown gate '{name}'" + ("; " + "; ".join(hints) if hints else ""),
                     tok.start)


# -- public entry point ----------------------------------------------------------------------

def _is_source_text(source: str) -> bool:
    return "OPENQASM" in source or "\n" in source or ";" in source or not source.strip()


# Byte order marks, longest first (UTF-32 LE's begins with UTF-16 LE's): a file written by
# Windows PowerShell's `>` is UTF-16 with a mark, and reads as well as UTF-8.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _decode_source(data: bytes, file: str = "<input>") -> str:
    """The text of an OpenQASM file's bytes: UTF-8 (or ASCII), or UTF-16/32 with a byte order
    mark. Anything else is a QasmError at the first byte that cannot be read."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding = name
            break

    def fail(message: str, index: int) -> NoReturn:
        prefix = Source(data[:index].decode(encoding, errors="replace"), file)
        prefix.error(message, len(prefix.text))

    if encoding == "utf-8" and b"\0" in data:
        fail("the text holds a NUL character: it is binary, or UTF-16 without a byte order "
             "mark, not OpenQASM (ASCII or UTF-8)", data.index(b"\0"))
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        what = "UTF-8" if encoding == "utf-8" else encoding.upper()
        fail(f"not {what} text: byte 0x{data[exc.start]:02x} cannot be read here (OpenQASM "
             "files are ASCII or UTF-8; is this a binary file?)", exc.start)


_VERSION3 = re.compile(r"\A(?:\s+|//[^\n]*\n|/\*.*?\*/)*OPENQASM\s+3(?:\.\d+)?\s*;",
                       re.DOTALL)


def _is_version3(text: str) -> bool:
    return bool(_VERSION3.match(text.lstrip("\ufeff")))


def load_qasm(source: str | os.PathLike | bytes,
              include_path: str | os.PathLike | Iterable[str | os.PathLike] | None = None,
              max_loop_iterations: int | None = None) -> Circuit:
    """Read an OpenQASM 2.0 or 3 program and return it as a :class:`Circuit`.

    OpenQASM 3 (a program that starts ``OPENQASM 3;``) is read by
    :mod:`qvalley.qasm.reader3` (which says what is supported); ``while`` loops on
    measured bits are unrolled ``max_loop_iterations`` times (default 64).

    ``source`` is a path to a file (``str`` or ``pathlib.Path``; a regular file or a pipe)
    or the program itself: a string containing ``OPENQASM``, a newline or a ``;`` (or
    nothing but blank space), ``bytes``, or a file object. Files and bytes are UTF-8 (or
    ASCII), or UTF-16/UTF-32 with a byte order mark. Include files are
    looked up next to the including file (the working directory for text), then in
    ``include_path`` (one directory or a list). ``include "qelib1.inc";`` needs no file:
    it binds the standard gates directly.

    Registers are laid out in declaration order: the first ``qreg`` holds qubits
    ``0..n-1``, the next one follows, and likewise for ``creg``.

    Raises :class:`~qvalley.errors.QasmError` (file, line, column and what was expected)
    for any problem, a missing file included.
    """
    if include_path is None:
        paths: list[Path] = []
    elif isinstance(include_path, (str, os.PathLike)):
        paths = [Path(include_path)]
    else:
        paths = [Path(p) for p in include_path]
    if hasattr(source, "read") and not isinstance(source, (str, os.PathLike)):
        source = source.read()     # a file object: what it holds is program text
        if isinstance(source, str):
            source = source.encode("utf-8", errors="surrogateescape")
    if isinstance(source, (bytes, bytearray)):
        src = Source(_decode_source(bytes(source)), "<input>", None)
        name = None
    elif isinstance(source, str) and _is_source_text(source):
        src = Source(source, "<input>", None)
        name = None
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            mode = path.stat().st_mode
        except OSError:
            mode = None
        # a regular file, or a pipe (`qvalley run <(generate)`); not a device such as
        # /dev/zero, which would be read forever
        if mode is None or not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            if mode is None:
                what = "no such file"
            elif stat.S_ISDIR(mode):
                what = "is a directory, not a file"
            else:
                what = "not a regular file"
            raise QasmError(f"cannot open '{path}': {what}", file=str(path))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise QasmError(f"cannot read '{path}': {exc.strerror or exc}",
                            file=str(path)) from None
        src = Source(_decode_source(data, str(source)), str(source), str(path.parent))
        name = path.stem
    else:
        raise QasmError(f"load_qasm() takes a path or OpenQASM text, got "
                        f"{type(source).__name__}")
    if _is_version3(src.text):
        from .reader3 import MAX_LOOP_ITERATIONS, read_qasm3
        circuit = read_qasm3(src.text, src.file, max_loop_iterations or MAX_LOOP_ITERATIONS)
        circuit.name = name
        circuit._last_call = len(circuit)
        return circuit
    reader = _Reader(paths)
    # Millions of small objects and no cycles: the cyclic garbage collector would only
    # rescan them again and again (a third of the time on big files).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        circuit = reader.program(src)
    except CircuitError as exc:  # pragma: no cover - the reader validates first
        raise QasmError(f"invalid circuit: {exc}", file=src.file) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    circuit.name = name
    circuit._last_call = len(circuit)  # no builder call yet: c_if() has nothing to condition
    return circuit


def parse_library(text: str, file: str = "<library>") -> dict[str, _Gate]:
    """Read a file of gate definitions with its bodies (no qelib1 binding) and return the
    gates it defines; used by the tests to check the shipped qelib1.inc."""
    reader = _Reader([])
    reader._run(Source(text, file, None), 0)
    return reader.gates


def qelib1_source() -> str:
    """Text of the shipped qelib1.inc."""
    return QELIB1_PATH.read_text(encoding="utf-8")
