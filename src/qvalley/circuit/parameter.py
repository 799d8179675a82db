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
import numbers
import uuid
from decimal import Decimal
from typing import Mapping, Union

import numpy as np

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
    ``("binop", op, a, b)`` and ``("func", name, a)``. Trees may be deep (a sum of
    thousands of terms built in a loop), so every walk over them is iterative.
    """

    __slots__ = ("_node", "_parameters", "_hash")

    def __init__(self, node: tuple, parameters: frozenset | None = None) -> None:
        self._node = node
        self._parameters = _collect(node) if parameters is None else parameters
        self._hash = None

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
        try:
            other_node = _as_node(other)
        except TypeError as exc:  # a complex number: say so rather than "unsupported"
            raise CircuitError(f"cannot combine {self} with {other!r}: {exc}") from None
        if other_node is None:
            return NotImplemented
        a, b = (other_node, self._node) if reverse else (self._node, other_node)
        symbols = self._parameters
        if isinstance(other, ParameterExpression):
            symbols = symbols | other._parameters
        return ParameterExpression(("binop", op, a, b), symbols)

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
    def __neg__(self): return ParameterExpression(("neg", self._node), self._parameters)
    def __pos__(self): return self

    def _func(self, name: str) -> "ParameterExpression":
        return ParameterExpression(("func", name, self._node), self._parameters)

    def sin(self): return self._func("sin")
    def cos(self): return self._func("cos")
    def tan(self): return self._func("tan")
    def exp(self): return self._func("exp")
    def log(self): return self._func("ln")
    def sqrt(self): return self._func("sqrt")

    # -- comparison and printing --------------------------------------------------------
    def __eq__(self, other) -> bool:
        if isinstance(other, ParameterExpression):
            return self._parameters == other._parameters and _same(self._node, other._node)
        if isinstance(other, (int, float)) and not self._parameters:
            return _evaluate(self._node) == other
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = _hash(self._node)
        return self._hash

    def __str__(self) -> str:
        return _format(self._node)

    def __repr__(self) -> str:
        return f"ParameterExpression({self})"

    def __reduce__(self):  # flat, so that deep trees pickle and deep-copy
        return (_rebuild_expression, (_postfix(self._node),))


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


def real_value(value) -> float:
    """``value`` as a float if it is a real number: int, float, Fraction, Decimal, a numpy
    real scalar or 0-d array, or a number-like object with ``__float__`` (a sympy number).

    Raises TypeError, whose message says why, for anything else (bools, strings, arrays,
    complex numbers). Integers too large for a float become infinities (callers refuse
    those as not finite).
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"a bool ({value!r}) is not an angle")
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"got the complex number {value!r}; angles must be real")
    if isinstance(value, (numbers.Real, Decimal)):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if not isinstance(value, (str, bytes, np.ndarray)) and hasattr(type(value), "__float__"):
        try:
            return float(value)
        except OverflowError:
            return math.inf
        except (TypeError, ValueError):
            try:
                is_complex = complex(value).imag != 0
            except (TypeError, ValueError):
                is_complex = False
            if is_complex:
                raise TypeError(f"got the complex number {value!r}; angles must be "
                                "real") from None
    raise TypeError(f"expected a real number or a Parameter, got {value!r}")


def _as_node(value) -> tuple | None:
    """The expression node of ``value``; None if it is not a number or an expression
    (TypeError for a complex number)."""
    if isinstance(value, ParameterExpression):
        return value._node
    try:
        return ("const", real_value(value))
    except TypeError as exc:
        if "complex" in str(exc):
            raise
        return None


def _children(node: tuple) -> tuple:
    kind = node[0]
    if kind == "binop":
        return (node[2], node[3])
    if kind in ("neg", "func"):
        return (node[-1],)
    return ()


def _postorder(node: tuple):
    """The nodes of the tree, children before parents (left to right), without recursion."""
    stack = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        kids = _children(current)
        if expanded or not kids:
            yield current
            continue
        stack.append((current, True))
        for kid in reversed(kids):
            stack.append((kid, False))


def _fold(node: tuple, leaf, combine):
    """Evaluate the tree bottom-up: ``leaf(node)`` for constants and parameters,
    ``combine(node, child_results)`` for the others."""
    results: list = []
    for current in _postorder(node):
        kids = len(_children(current))
        if not kids:
            results.append(leaf(current))
        else:
            args = results[-kids:]
            del results[-kids:]
            results.append(combine(current, args))
    return results[0]


def _collect(node: tuple) -> frozenset:
    return frozenset(n[1] for n in _postorder(node) if n[0] == "param")


def _substitute(node: tuple, values: Mapping) -> tuple:
    def leaf(n: tuple) -> tuple:
        if n[0] == "param" and n[1] in values:
            try:
                sub = _as_node(values[n[1]])
            except TypeError as exc:
                raise CircuitError(f"value for parameter {n[1].name}: {exc}") from None
            if sub is None:
                raise CircuitError(f"value for parameter {n[1].name} must be a real number "
                                   f"or a parameter expression, got {values[n[1]]!r}")
            return sub
        return n

    def combine(n: tuple, args: list) -> tuple:
        return n[:-len(args)] + tuple(args)

    return _fold(node, leaf, combine)


def _evaluate(node: tuple) -> float:
    def leaf(n: tuple) -> float:
        if n[0] == "param":
            raise CircuitError(f"unbound parameter {n[1].name}")
        return n[1]

    def combine(n: tuple, args: list) -> float:
        try:
            if n[0] == "neg":
                return -args[0]
            if n[0] == "func":
                return float(_FUNCTIONS[n[1]](args[0]))
            result = _BINARY[n[1]](args[0], args[1])
            if isinstance(result, complex):
                raise ValueError("complex result")
            return float(result)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise CircuitError(f"cannot evaluate {_format(n)}: {exc}") from None

    return _fold(node, leaf, combine)


_ATOM = 10  # precedence of constants, parameters and function calls: never parenthesised


def _format(node: tuple) -> str:
    def leaf(n: tuple) -> tuple[str, int]:
        if n[0] == "param":
            return n[1].name, _ATOM
        text = format_number(n[1])
        # a negative constant reads like a negation: (-2)^t, not -2^t
        return text, _PRECEDENCE["neg"] if text.startswith("-") else _ATOM

    def wrap(part: tuple[str, int], needed: int) -> str:
        return f"({part[0]})" if part[1] < needed else part[0]

    def combine(n: tuple, args: list) -> tuple[str, int]:
        if n[0] == "func":
            return f"{n[1]}({args[0][0]})", _ATOM
        if n[0] == "neg":
            prec = _PRECEDENCE["neg"]
            return "-" + wrap(args[0], prec), prec
        op = n[1]
        prec = _PRECEDENCE[op]
        if op == "^":  # right-associative
            return f"{wrap(args[0], prec + 1)}^{wrap(args[1], prec)}", prec
        return f"{wrap(args[0], prec)} {op} {wrap(args[1], prec + 1)}", prec

    return _fold(node, leaf, combine)[0]


def _postfix(node: tuple) -> list:
    return [n if not _children(n) else n[:-len(_children(n))] for n in _postorder(node)]


def _rebuild_expression(postfix: list) -> "ParameterExpression":
    stack: list = []
    for item in postfix:
        kids = {"binop": 2, "neg": 1, "func": 1}.get(item[0], 0)
        if kids:
            args = tuple(stack[-kids:])
            del stack[-kids:]
            stack.append(item + args)
        else:
            stack.append(item)
    return ParameterExpression(stack[0])


def _same(a: tuple, b: tuple) -> bool:
    """Structural equality of two trees, without recursion."""
    pending = [(a, b)]
    while pending:
        x, y = pending.pop()
        if x is y:
            continue
        if x[0] != y[0]:
            return False
        kx, ky = _children(x), _children(y)
        if x[:len(x) - len(kx)] != y[:len(y) - len(ky)]:
            return False
        pending.extend(zip(kx, ky))
    return True


def _hash(node: tuple) -> int:
    return _fold(node, hash, lambda n, args: hash(n[:-len(args)] + tuple(args)))


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
    try:
        value = real_value(value)
    except TypeError as exc:
        raise CircuitError(f"{where}: parameter must be a real number or a Parameter: "
                           f"{exc}") from None
    if not math.isfinite(value):
        raise CircuitError(f"{where}: parameter is {value}; angles must be finite numbers")
    return value


# -- many values at once (parameter sweeps and gradients) -------------------------------

_NP_FUNCTIONS = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "ln": np.log,
                 "sqrt": np.sqrt, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan}
# derivative of each function at its argument's value a
_NP_DERIVATIVES = {"sin": np.cos, "cos": lambda a: -np.sin(a),
                   "tan": lambda a: 1 / np.cos(a) ** 2, "exp": np.exp, "ln": lambda a: 1 / a,
                   "sqrt": lambda a: 0.5 / np.sqrt(a),
                   "asin": lambda a: 1 / np.sqrt(1 - a * a),
                   "acos": lambda a: -1 / np.sqrt(1 - a * a),
                   "atan": lambda a: 1 / (1 + a * a)}


def evaluate_many(value, columns: Mapping["Parameter", np.ndarray],
                  wrt: "Parameter | None" = None):
    """``value`` (a number or an expression) at many bindings at once: ``columns`` maps
    each parameter to an array of its values (all the same shape). With ``wrt``, returns
    ``(values, derivatives)``, the derivative with respect to ``wrt`` computed exactly
    alongside (forward mode). Invalid points (log of a negative number...) give NaN, which
    callers refuse."""
    shape = np.shape(next(iter(columns.values()))) if columns else ()
    if not isinstance(value, ParameterExpression):
        v = np.full(shape, float(value))
        return (v, np.zeros(shape)) if wrt is not None else v

    def leaf(n: tuple):
        if n[0] == "param":
            if n[1] not in columns:
                raise CircuitError(f"no values given for parameter {n[1].name}")
            v = np.asarray(columns[n[1]], dtype=np.float64)
            return v, (np.ones(shape) if n[1] == wrt else np.zeros(shape))
        return np.full(shape, float(n[1])), np.zeros(shape)

    def combine(n: tuple, args: list):
        (a, da) = args[0]
        if n[0] == "neg":
            return -a, -da
        if n[0] == "func":
            return _NP_FUNCTIONS[n[1]](a), _NP_DERIVATIVES[n[1]](a) * da
        (b, db) = args[1]
        op = n[1]
        if op == "+":
            return a + b, da + db
        if op == "-":
            return a - b, da - db
        if op == "*":
            return a * b, da * b + a * db
        if op == "/":
            return a / b, (da * b - a * db) / (b * b)
        power = a ** b  # "^"
        with np.errstate(divide="ignore", invalid="ignore"):
            dlog = np.where(db != 0, np.log(np.where(a > 0, a, np.nan)), 0.0)
            grad = b * a ** (b - 1) * da + power * dlog * db
        return power, np.where((da == 0) & (db == 0), 0.0, grad)

    with np.errstate(all="ignore"):
        v, dv = _fold(value._node, leaf, combine)
    return (v, dv) if wrt is not None else v


def affine_form(value) -> tuple[dict, float] | None:
    """``({parameter: coefficient}, constant)`` when ``value`` is affine in its
    parameters (``2*theta + pi/4``, ``a - b/2``), else None (``sin(theta)``,
    ``a*b``): sweeps compute affine gate parameters for all bindings as one matrix
    product."""
    if not isinstance(value, ParameterExpression):
        return {}, float(value)

    def leaf(n: tuple):
        if n[0] == "param":
            return {n[1]: 1.0}, 0.0
        return {}, float(n[1])

    def scale(form, k):
        return {p: c * k for p, c in form[0].items()}, form[1] * k

    def combine(n: tuple, args: list):
        if any(a is None for a in args):
            return None
        if n[0] == "neg":
            return scale(args[0], -1.0)
        if n[0] == "func":
            if args[0][0]:
                return None
            return {}, float(_FUNCTIONS[n[1]](args[0][1]))
        (fa, ca), (fb, cb) = args
        op = n[1]
        if op in "+-":
            sign = 1.0 if op == "+" else -1.0
            merged = dict(fa)
            for p, c in fb.items():
                merged[p] = merged.get(p, 0.0) + sign * c
            return merged, ca + sign * cb
        if op == "*":
            if not fa:
                return scale((fb, cb), ca)
            if not fb:
                return scale((fa, ca), cb)
            return None
        if op == "/":
            return scale((fa, ca), 1.0 / cb) if not fb and cb != 0 else None
        if not fa and not fb:  # "^" of constants
            return {}, float(ca ** cb)
        return None

    try:
        return _fold(value._node, leaf, combine)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
