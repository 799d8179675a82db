"""OpenQASM 2.0 parameter expressions: parsing, constant folding and evaluation.

An expression is a small tuple tree (so gate bodies can be substituted into each other):

* ``("const", value)`` — a folded number;
* ``("param", index)`` — the ``index``-th parameter of the gate being defined;
* ``("neg", a, offset)``, ``("binop", op, a, b, offset)``, ``("func", name, a, offset)``.

Constants are folded while parsing, so at the top level of a program (where there are no
parameters) every expression is a ``const`` as soon as it is read, and an expression that
has no finite real value (``1/0``, ``ln(0)``, ``(-1)^0.5``, ``exp(1000)``) is reported at
the operator or function that produced it.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

from .lexer import Lexer, Token

FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "ln": math.log,
    "sqrt": math.sqrt,
    # not in the 2017 paper; accepted as an extension:
    "asin": math.asin, "acos": math.acos, "atan": math.atan,
}

Node = tuple


class ExpressionError(ValueError):
    """An expression has no finite real value; ``offset`` is where it went wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def _binop(op: str, a: float, b: float, offset: int) -> float:
    try:
        if op == "+":
            value = a + b
        elif op == "-":
            value = a - b
        elif op == "*":
            value = a * b
        elif op == "/":
            value = a / b
        else:
            value = a ** b
    except ZeroDivisionError:
        raise ExpressionError("division by zero" if op == "/" else
                              f"0 raised to the negative power {b!r}", offset) from None
    except OverflowError:
        raise ExpressionError(f"'{op}' overflows: the result is too large", offset) from None
    if isinstance(value, complex):
        raise ExpressionError(f"{a!r}^{b!r} is not a real number", offset)
    if not math.isfinite(value):
        raise ExpressionError(f"'{op}' gives {value}, not a finite number", offset)
    return value


def _func(name: str, a: float, offset: int) -> float:
    try:
        value = FUNCTIONS[name](a)
    except ValueError:
        raise ExpressionError(f"{name}({a!r}) is not defined (math domain error)",
                              offset) from None
    except OverflowError:
        raise ExpressionError(f"{name}({a!r}) overflows: the result is too large",
                              offset) from None
    if not math.isfinite(value):
        raise ExpressionError(f"{name}({a!r}) gives {value}, not a finite number", offset)
    return value


def number_text(text: str) -> str:
    """A numeric literal as an error message shows it (a long one shortened)."""
    if len(text) <= 30:
        return text
    return f"{text[:12]}...{text[-6:]} ({len(text)} characters)"


def make_neg(a: Node, offset: int) -> Node:
    if a[0] == "const":
        return ("const", -a[1])
    return ("neg", a, offset)


def make_binop(op: str, a: Node, b: Node, offset: int) -> Node:
    if a[0] == "const" and b[0] == "const":
        return ("const", _binop(op, a[1], b[1], offset))
    return ("binop", op, a, b, offset)


def make_func(name: str, a: Node, offset: int) -> Node:
    if a[0] == "const":
        return ("const", _func(name, a[1], offset))
    return ("func", name, a, offset)


# -- parsing ---------------------------------------------------------------------------------

def parse_expression(lexer: Lexer, params: Mapping[str, int] | None = None,
                     gate: str | None = None) -> Node:
    """Parse one expression from ``lexer``.

    ``params`` maps the parameter names of the gate being defined (``gate``) to their
    positions; outside a gate body it is None and only numbers, ``pi`` and functions
    may appear. Raises QasmError (through the lexer's source) on bad syntax or values.
    """
    try:
        return _Parser(lexer, params, gate).sum()
    except ExpressionError as exc:
        lexer.error(exc.message, exc.offset)


def parse_expression_list(lexer: Lexer, params: Mapping[str, int] | None = None,
                          gate: str | None = None) -> list[Node]:
    """Parse ``( expr, expr, ... )`` after the opening parenthesis has been consumed,
    through the closing one."""
    out: list[Node] = []
    if lexer.accept_sym(")"):
        return out
    while True:
        out.append(parse_expression(lexer, params, gate))
        if lexer.accept_sym(")"):
            return out
        lexer.expect_sym(",", "between parameters or ')' after them")


# Binary operators: precedence and whether they group to the right. Unary minus (and plus)
# binds tighter than + - * / and looser than ^, so -2^2 is -4 and 2^-1 is 0.5.
_BINARY = {"+": (1, False), "-": (1, False), "*": (2, False), "/": (2, False), "^": (4, True)}
_UNARY = 3


class _Parser:
    """Operator precedence with explicit stacks: + - < * / < unary - < ^ (right).

    Iterative rather than recursive so that nesting depth (parentheses, unary signs, powers,
    function calls) is limited by memory, not by Python's recursion limit: generated files
    hold deep expressions, and a hostile one must get a QasmError, not a RecursionError.
    """

    __slots__ = ("lx", "params", "gate")

    def __init__(self, lexer: Lexer, params: Mapping[str, int] | None, gate: str | None):
        self.lx = lexer
        self.params = params
        self.gate = gate

    def sum(self) -> Node:
        lx = self.lx
        # ops holds ("bin", op, offset), ("neg", offset), ("(", offset) and
        # ("func", name, offset); values holds the operands read so far.
        ops: list[tuple] = []
        values: list[Node] = []
        while True:
            # an operand, after any number of prefix signs and opening groups
            tok = lx.next()
            if tok.kind == "sym" and tok.text in ("-", "+", "("):
                if tok.text == "-":
                    ops.append(("neg", tok.start))
                elif tok.text == "(":
                    ops.append(("(", tok.start))
                continue                        # unary '+' changes nothing
            if tok.kind == "id" and tok.text in FUNCTIONS:
                lx.expect_sym("(", f"after the function name '{tok.text}'")
                ops.append(("func", tok.text, tok.start))
                continue
            values.append(self.atom(tok))
            # then operators and closing parentheses, until the expression ends
            while True:
                tok = lx.peek()
                if tok.kind == "sym" and tok.text in _BINARY:
                    prec, right = _BINARY[tok.text]
                    self._reduce(ops, values, prec, right)
                    lx.next()
                    ops.append(("bin", tok.text, tok.start))
                    break                       # an operand comes next
                self._reduce(ops, values, 0, False)   # everything down to an open group
                if not ops:
                    return values[0]
                group = ops.pop()
                if group[0] == "(":
                    lx.expect_sym(")", "to close '('")
                else:
                    lx.expect_sym(")", f"to close {group[1]}(")
                    values.append(make_func(group[1], values.pop(), group[2]))

    @staticmethod
    def _reduce(ops: list, values: list, prec: int, right: bool) -> None:
        """Apply the pending operators that bind at least as tightly as an incoming binary
        operator of precedence ``prec`` (strictly more tightly if it groups to the right);
        stop at an open group."""
        while ops:
            top = ops[-1]
            kind = top[0]
            if kind == "neg":
                top_prec = _UNARY
            elif kind == "bin":
                top_prec = _BINARY[top[1]][0]
            else:
                return
            if top_prec < prec or (right and top_prec == prec):
                return
            ops.pop()
            if kind == "neg":
                values.append(make_neg(values.pop(), top[1]))
            else:
                b = values.pop()
                values.append(make_binop(top[1], values.pop(), b, top[2]))

    def atom(self, tok: Token) -> Node:
        """A number, pi or a gate parameter (``tok`` already consumed)."""
        lx = self.lx
        kind = tok.kind
        if kind == "int" or kind == "real":
            value = float(tok.text)
            if not math.isfinite(value):
                lx.error(f"the number {number_text(tok.text)} is too large", tok.start)
            return ("const", value)
        if kind == "id":
            name = tok.text
            if name == "pi":
                return ("const", math.pi)
            if self.params is not None and name in self.params:
                return ("param", self.params[name])
            if self.params is None:
                lx.error(f"unknown identifier '{name}' in an expression: only numbers, pi "
                         "and the functions sin, cos, tan, exp, ln, sqrt may appear here",
                         tok.start)
            known = ", ".join(self.params) or "none"
            lx.error(f"unknown parameter '{name}' in the body of gate '{self.gate}' "
                     f"(its parameters: {known})", tok.start)
        lx.error(f"expected an expression (a number, pi, a parameter, a function or '('), "
                 f"found {tok.describe()}", tok.start)


# -- evaluation and substitution -------------------------------------------------------------

def evaluate(node: Node, env: Sequence[float]) -> float:
    """Value of ``node`` with parameter ``i`` set to ``env[i]``; ExpressionError if it has
    no finite real value."""
    try:
        return _evaluate(node, env)       # recursion is fastest for the usual small tree
    except RecursionError:                # a tree deeper than Python's recursion limit
        return _fold(node, lambda n: n[1] if n[0] == "const" else env[n[1]],
                     lambda a, offset: -a, _binop, _func)


def _evaluate(node: Node, env: Sequence[float]) -> float:
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "param":
        return env[node[1]]
    if kind == "neg":
        return -_evaluate(node[1], env)
    if kind == "binop":
        return _binop(node[1], _evaluate(node[2], env), _evaluate(node[3], env), node[4])
    return _func(node[1], _evaluate(node[2], env), node[3])


def substitute(node: Node, args: Sequence[Node]) -> Node:
    """Replace parameter ``i`` by the expression ``args[i]`` (folding constants); used to
    inline a gate's body into the body of a gate that calls it."""
    return _fold(node, lambda n: n if n[0] == "const" else args[n[1]],
                 make_neg, make_binop, make_func)


def _fold(node: Node, leaf: Callable, neg: Callable, binop: Callable, func: Callable):
    """Combine the tree bottom-up: ``leaf`` maps const and param nodes, ``neg(a, offset)``,
    ``binop(op, a, b, offset)`` and ``func(name, a, offset)`` the others. An explicit stack
    instead of recursion, so that any depth works."""
    out: list = []
    todo: list[tuple[Node, bool]] = [(node, False)]
    while todo:
        n, children_done = todo.pop()
        kind = n[0]
        if kind == "const" or kind == "param":
            out.append(leaf(n))
        elif children_done:
            if kind == "neg":
                out.append(neg(out.pop(), n[2]))
            elif kind == "binop":
                b = out.pop()
                out.append(binop(n[1], out.pop(), b, n[4]))
            else:
                out.append(func(n[1], out.pop(), n[3]))
        else:
            todo.append((n, True))
            if kind == "binop":
                todo.append((n[3], False))
                todo.append((n[2], False))
            else:
                todo.append((n[1] if kind == "neg" else n[2], False))
    return out[0]
