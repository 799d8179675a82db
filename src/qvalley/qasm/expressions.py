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

from .lexer import Lexer

FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp, "ln": math.log,
    "sqrt": math.sqrt,
    # not in the 2017 paper, accepted as Qiskit does:
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


class _Parser:
    """Recursive descent with the usual precedence: + - < * / < unary - < ^ (right)."""

    __slots__ = ("lx", "params", "gate")

    def __init__(self, lexer: Lexer, params: Mapping[str, int] | None, gate: str | None):
        self.lx = lexer
        self.params = params
        self.gate = gate

    def sum(self) -> Node:
        node = self.product()
        while True:
            tok = self.lx.peek()
            if tok.kind == "sym" and tok.text in ("+", "-"):
                self.lx.next()
                node = make_binop(tok.text, node, self.product(), tok.start)
            else:
                return node

    def product(self) -> Node:
        node = self.unary()
        while True:
            tok = self.lx.peek()
            if tok.kind == "sym" and tok.text in ("*", "/"):
                self.lx.next()
                node = make_binop(tok.text, node, self.unary(), tok.start)
            else:
                return node

    def unary(self) -> Node:
        tok = self.lx.peek()
        if tok.kind == "sym" and tok.text == "-":
            self.lx.next()
            return make_neg(self.unary(), tok.start)
        if tok.kind == "sym" and tok.text == "+":
            self.lx.next()
            return self.unary()
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        tok = self.lx.peek()
        if tok.kind == "sym" and tok.text == "^":
            self.lx.next()
            return make_binop("^", base, self.unary(), tok.start)
        return base

    def atom(self) -> Node:
        lx = self.lx
        tok = lx.next()
        kind = tok.kind
        if kind == "int" or kind == "real":
            value = float(tok.text)
            if not math.isfinite(value):
                lx.error(f"the number {tok.text} is too large", tok.start)
            return ("const", value)
        if kind == "id":
            name = tok.text
            if name == "pi":
                return ("const", math.pi)
            if name in FUNCTIONS:
                lx.expect_sym("(", f"after the function name '{name}'")
                arg = self.sum()
                lx.expect_sym(")", f"to close {name}(")
                return make_func(name, arg, tok.start)
            if self.params is not None and name in self.params:
                return ("param", self.params[name])
            if self.params is None:
                lx.error(f"unknown identifier '{name}' in an expression: only numbers, pi "
                         "and the functions sin, cos, tan, exp, ln, sqrt may appear here",
                         tok.start)
            known = ", ".join(self.params) or "none"
            lx.error(f"unknown parameter '{name}' in the body of gate '{self.gate}' "
                     f"(its parameters: {known})", tok.start)
        if kind == "sym" and tok.text == "(":
            node = self.sum()
            lx.expect_sym(")", "to close '('")
            return node
        lx.error(f"expected an expression (a number, pi, a parameter, a function or '('), "
                 f"found {tok.describe()}", tok.start)


# -- evaluation and substitution -------------------------------------------------------------

def evaluate(node: Node, env: Sequence[float]) -> float:
    """Value of ``node`` with parameter ``i`` set to ``env[i]``; ExpressionError if it has
    no finite real value."""
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "param":
        return env[node[1]]
    if kind == "neg":
        return -evaluate(node[1], env)
    if kind == "binop":
        return _binop(node[1], evaluate(node[2], env), evaluate(node[3], env), node[4])
    return _func(node[1], evaluate(node[2], env), node[3])


def substitute(node: Node, args: Sequence[Node]) -> Node:
    """Replace parameter ``i`` by the expression ``args[i]`` (folding constants); used to
    inline a gate's body into the body of a gate that calls it."""
    kind = node[0]
    if kind == "const":
        return node
    if kind == "param":
        return args[node[1]]
    if kind == "neg":
        return make_neg(substitute(node[1], args), node[2])
    if kind == "binop":
        return make_binop(node[1], substitute(node[2], args), substitute(node[3], args),
                          node[4])
    return make_func(node[1], substitute(node[2], args), node[3])
