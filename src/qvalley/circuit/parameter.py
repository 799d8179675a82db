"""Symbolic gate parameters: :class:`Parameter` and the expressions built from it.

A circuit can hold angles that are not yet known (``theta``, ``2*theta + pi/4``) and be
bound later to numbers. Expressions are small immutable trees so they can be printed back
to OpenQASM, compared, and evaluated without any computer-algebra dependency.

>>> theta = Parameter("theta")
>>> expr = 2 * theta + 1
>>> expr.bind({theta: 0.5})
2.0
"""
from __future__ import annotations

import math
import uuid
from typing import Mapping, Union

from ..errors import CircuitError

ParameterValue = Union[float, "ParameterExpression"]

_FUNCTIONS = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "ln": math.log,
    "sqrt": math.sqrt,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
}

_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": lambda a, b: a ** b,
}

# Precedence used only when printing, so the text parses back to the same tree.
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "^": 4}


class ParameterExpression:
    """An immutable expression over :class:`Parameter` symbols.

    Nodes are ``("const", value)``, ``("param", Parameter)``, ``("neg", a)``,
    ``("binop", op, a, b)`` and ``("func", name, a)``.
    """

    __slots__ = ("_node", "_parameters")

    def __init__(self, node: tuple) -> None:
        self._node = node
        self._parameters = _collect(node)

    # -- introspection ------------------------------------------------------------------
    @property
    def parameters(self) -> frozenset["Parameter"]:
        """The free symbols of this expression."""
        return self._parameters

    def is_numeric(self) -> bool:
        return not self._parameters

    # -- binding ------------------------------------------------------------------------
    def bind(self, values: Mapping["Parameter", float]) -> ParameterValue:
        """Substitute ``values``; returns a float once no free symbol is left."""
        node = _substitute(self._node, values)
        if _collect(node):
            return ParameterExpression(node)
        return _evaluate(node)

    def __float__(self) -> float:
        if self._parameters:
            names = ", ".join(sorted(p.name for p in self._parameters))
            raise CircuitError(f"expression {self} has unbound parameters: {names}")
        return _evaluate(self._node)

    # -- arithmetic ---------------------------------------------------------------------
    def _binop(self, op: str, other, reverse: bool = False) -> "ParameterExpression":
        other_node = _as_node(other)
        if other_node is None:
            return NotImplemented
        a, b = (other_node, self._node) if reverse else (self._node, other_node)
        return ParameterExpression(("binop", op, a, b))

    def __add__(self, other): return self._binop("+", other)
    def __radd__(self, other): return self._binop("+", other, True)
    def __sub__(self, other): return self._binop("-", other)
    def __rsub__(self, other): return self._binop("-", other, True)
    def __mul__(self, other): return self._binop("*", other)
    def __rmul__(self, other): return self._binop("*", other, True)
    def __truediv__(self, other): return self._binop("/", other)
    def __rtruediv__(self, other): return self._binop("/", other, True)
    def __pow__(self, other): return self._binop("^", other)
    def __rpow__(self, other): return self._binop("^", other, True)
    def __neg__(self): return ParameterExpression(("neg", self._node))
    def __pos__(self): return self

    def sin(self): return ParameterExpression(("func", "sin", self._node))
    def cos(self): return ParameterExpression(("func", "cos", self._node))
    def tan(self): return ParameterExpression(("func", "tan", self._node))
    def exp(self): return ParameterExpression(("func", "exp", self._node))
    def log(self): return ParameterExpression(("func", "ln", self._node))
    def sqrt(self): return ParameterExpression(("func", "sqrt", self._node))

    # -- comparison and printing --------------------------------------------------------
    def __eq__(self, other) -> bool:
        if isinstance(other, ParameterExpression):
            return self._node == other._node
        if isinstance(other, (int, float)) and not self._parameters:
            return _evaluate(self._node) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._node)

    def __str__(self) -> str:
        return _format(self._node)

    def __repr__(self) -> str:
        return f"ParameterExpression({self})"


class Parameter(ParameterExpression):
    """A named symbol. Two parameters are the same only if they are the same object
    (or copies of it), even when their names agree, as in Qiskit.

    >>> theta = Parameter("θ")
    >>> theta.name
    'θ'
    """

    __slots__ = ("name", "_uuid")

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise CircuitError("a Parameter needs a non-empty string name")
        self.name = name
        self._uuid = uuid.uuid4()
        super().__init__(("param", self))

    def __eq__(self, other) -> bool:
        return isinstance(other, Parameter) and other._uuid == self._uuid

    def __hash__(self) -> int:
        return hash(self._uuid)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Parameter({self.name!r})"

    def __reduce__(self):
        return (_rebuild_parameter, (self.name, self._uuid))


def _rebuild_parameter(name: str, uid: uuid.UUID) -> Parameter:
    p = Parameter(name)
    p._uuid = uid
    return p


def _as_node(value) -> tuple | None:
    if isinstance(value, ParameterExpression):
        return value._node
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return ("const", float(value))
    try:
        import numpy as np
        if isinstance(value, np.number) and np.isrealobj(value):
            return ("const", float(value))
    except ImportError:  # pragma: no cover
        pass
    return None


def _collect(node: tuple) -> frozenset:
    kind = node[0]
    if kind == "const":
        return frozenset()
    if kind == "param":
        return frozenset((node[1],))
    if kind == "neg" or kind == "func":
        return _collect(node[-1])
    return _collect(node[2]) | _collect(node[3])


def _substitute(node: tuple, values: Mapping) -> tuple:
    kind = node[0]
    if kind == "const":
        return node
    if kind == "param":
        if node[1] in values:
            sub = _as_node(values[node[1]])
            if sub is None:
                raise CircuitError(f"value for parameter {node[1].name} must be a real number "
                                   f"or a parameter expression, got {values[node[1]]!r}")
            return sub
        return node
    if kind == "neg":
        return ("neg", _substitute(node[1], values))
    if kind == "func":
        return ("func", node[1], _substitute(node[2], values))
    return ("binop", node[1], _substitute(node[2], values), _substitute(node[3], values))


def _evaluate(node: tuple) -> float:
    kind = node[0]
    try:
        if kind == "const":
            return node[1]
        if kind == "neg":
            return -_evaluate(node[1])
        if kind == "func":
            return float(_FUNCTIONS[node[1]](_evaluate(node[2])))
        if kind == "binop":
            result = _BINARY[node[1]](_evaluate(node[2]), _evaluate(node[3]))
            if isinstance(result, complex):
                raise ValueError("complex result")
            return float(result)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise CircuitError(f"cannot evaluate {_format(node)}: {exc}") from None
    raise CircuitError(f"unbound parameter {node[1].name}")


def _format(node: tuple, parent_prec: int = 0, right: bool = False) -> str:
    kind = node[0]
    if kind == "const":
        return format_number(node[1])
    if kind == "param":
        return node[1].name
    if kind == "func":
        return f"{node[1]}({_format(node[2])})"
    if kind == "neg":
        text = "-" + _format(node[1], _PRECEDENCE["neg"])
        prec = _PRECEDENCE["neg"]
    else:
        op = node[1]
        prec = _PRECEDENCE[op]
        if op == "^":  # right-associative
            text = f"{_format(node[2], prec + 1)}^{_format(node[3], prec)}"
        else:
            text = f"{_format(node[2], prec)} {op} {_format(node[3], prec + 1)}"
    if prec < parent_prec:
        return f"({text})"
    return text


def format_number(value: float) -> str:
    """Shortest text that reads back to exactly ``value`` (multiples of pi kept readable)."""
    if value == 0:
        return "0"
    for num, den in ((1, 1), (1, 2), (1, 4), (1, 8), (3, 4), (3, 2), (2, 1)):
        for sign in (1, -1):
            if value == sign * math.pi * num / den:
                text = "pi" if num == 1 else f"{num}*pi"
                if den != 1:
                    text += f"/{den}"
                return ("-" if sign < 0 else "") + text
    text = repr(float(value))
    if text in ("inf", "-inf", "nan"):
        return text
    return text


def check_finite(value: ParameterValue, where: str) -> ParameterValue:
    """Return ``value`` as a float (or keep it symbolic); refuse NaN and infinities."""
    if isinstance(value, ParameterExpression):
        if value.is_numeric():
            value = float(value)
        else:
            return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            import numpy as np
            if isinstance(value, np.number) and np.isrealobj(value):
                value = float(value)
            else:
                raise TypeError
        except TypeError:
            raise CircuitError(f"{where}: parameter must be a real number or a Parameter, "
                               f"got {value!r}") from None
    value = float(value)
    if not math.isfinite(value):
        raise CircuitError(f"{where}: parameter is {value}; angles must be finite numbers")
    return value
