"""`from_expression`: a user's formula in x and y as a `Surface`, by a whitelist parser.

The text is parsed by Python's `ast` and never evaluated as Python (no `eval`,
`exec` or `compile` of it). A walk of the syntax tree accepts only numbers, the names
x, y, pi and e, unary + and -, binary + - * / **, and one-argument calls of a fixed
set of functions; it builds a small tree of `Node`s that is evaluated with `jax.numpy`
(the surface), with NumPy (constant exponents, checked before use) and printed back
as plain text and as matplotlib mathtext.
"""

from __future__ import annotations

import ast
import math
import numbers
from collections.abc import Callable

import numpy as np

from .._lazy import jax, jnp
from .._suggest import did_you_mean
from ._formula import (
    CONSTANTS,
    FUNCTIONS,
    VARIABLES,
    Binary,
    Call,
    Name,
    Node,
    Num,
    Unary,
    evaluate,
    to_latex,
    to_text,
    uses_variables,
)
from ._surface import Surface, Window, check_window

MAX_LENGTH = 500
"""Longest accepted expression, in characters."""
MAX_DEPTH = 100
"""Deepest accepted nesting of the syntax tree: x + y is depth 2, and so is a flat
chain x + y - 1 + ... or x * y / 2 * ...; -(-(x)) is depth 3."""
MAX_EXPONENT = 100
"""Largest accepted |exponent| where the exponent is a constant."""

_API = "from_expression"
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.UAdd: "+", ast.USub: "-"}
_OTHER_OPERATORS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}
_SYNTAX_NAMES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Lambda: "lambda",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional expression",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.NamedExpr: "assignment",
    ast.Starred: "starred argument",
    ast.Slice: "slice",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


def _fail(message: str) -> ValueError:
    return ValueError(f"`{_API}`: {message}")


def _close(word: str, choices: tuple[str, ...]) -> str:
    return did_you_mean(word, choices)


class _Parser:
    """Syntax tree to `Node`s, rejecting everything off the whitelist."""

    def __init__(self, text: str):
        self.text = text

    def segment(self, node: ast.AST) -> str:
        piece = ast.get_source_segment(self.text, node) or type(node).__name__
        return piece if len(piece) <= 40 else piece[:37] + "..."

    def parse(self, node: ast.AST, depth: int = 1) -> Node:
        if depth > MAX_DEPTH:
            raise _fail(
                f"expression is nested more than {MAX_DEPTH} levels deep, "
                f"at {self.segment(node)!r}"
            )
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            op = self.operator(node.op, node)
            return Unary(op, self.parse(node.operand, depth + 1))
        if isinstance(node, ast.BinOp):
            op = self.operator(node.op, node)
            # A chain written flat, a + b - c or a * b / c, is not nesting.
            group = _group(node.op)
            flat = isinstance(node.left, ast.BinOp) and group == _group(node.left.op)
            flat = flat and group != 0
            left = self.parse(node.left, depth if flat else depth + 1)
            right = self.parse(node.right, depth + 1)
            if op == "**":
                self.check_exponent(right, node.right)
            return Binary(op, left, right)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        what = _SYNTAX_NAMES.get(type(node), "syntax")
        raise _fail(f"{what} {self.segment(node)!r} is not allowed")

    def constant(self, node: ast.Constant) -> Num:
        value, text = node.value, self.segment(node)
        if isinstance(value, str | bytes):
            raise _fail(f"string {text} is not allowed")
        if isinstance(value, complex):
            raise _fail(f"complex number {text!r} is not allowed")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(f"constant {text!r} is not allowed")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise _fail(f"number {text!r} is not finite in float64")
        if isinstance(value, int) and abs(value) < 2**53:
            return Num(number, str(value))
        return Num(number, repr(number))

    def name(self, node: ast.Name) -> Name:
        if node.id in VARIABLES or node.id in CONSTANTS:
            return Name(node.id)
        if node.id in FUNCTIONS:
            raise _fail(f"function {node.id!r} must be called, as in '{node.id}(x)'")
        allowed = tuple(sorted((*VARIABLES, *CONSTANTS)))
        raise _fail(
            f"unknown name {node.id!r}, expected one of {', '.join(allowed)}"
            + _close(node.id, allowed)
        )

    def operator(self, op: ast.AST, node: ast.AST) -> str:
        symbol = _BINARY.get(type(op)) or _UNARY.get(type(op))
        if symbol is not None:
            return symbol
        symbol = _OTHER_OPERATORS.get(type(op), type(op).__name__)
        hint = "; use '**' for powers" if symbol == "^" else ""
        raise _fail(
            f"operator {symbol!r} in {self.segment(node)!r} is not allowed, "
            f"expected one of + - * / **{hint}"
        )

    def call(self, node: ast.Call, depth: int) -> Call:
        text = self.segment(node)
        if isinstance(node.func, ast.Attribute):
            raise _fail(f"attribute access {self.segment(node.func)!r} is not allowed")
        if not isinstance(node.func, ast.Name):
            raise _fail(f"call of {self.segment(node.func)!r} is not allowed")
        name = node.func.id
        if name in (*VARIABLES, *CONSTANTS):
            raise _fail(f"{name!r} is not a function, in {text!r}")
        if name not in FUNCTIONS:
            allowed = tuple(sorted(FUNCTIONS))
            raise _fail(
                f"unknown function {name!r}, expected one of {', '.join(allowed)}"
                + _close(name, allowed)
            )
        if node.keywords:
            keyword = node.keywords[0]
            raise _fail(
                f"keyword argument {self.segment(keyword)!r} in {text!r} is not allowed"
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _fail(f"starred argument {self.segment(arg)!r} is not allowed")
        if len(node.args) != 1:
            raise _fail(
                f"{name!r} takes exactly 1 argument, got {len(node.args)} in {text!r}"
            )
        return Call(name, self.parse(node.args[0], depth + 1))

    def check_exponent(self, exponent: Node, node: ast.AST) -> None:
        if uses_variables(exponent):
            return
        with np.errstate(all="ignore"):
            value = float(evaluate(exponent, None, None, np))
        if math.isnan(value):
            raise _fail(f"exponent {self.segment(node)!r} is not a number")
        if not abs(value) <= MAX_EXPONENT:
            raise _fail(
                f"exponent {self.segment(node)!r} is too large: constant exponents "
                f"must be at most {MAX_EXPONENT} in absolute value, got {value:g}"
            )


def _group(op: ast.AST) -> int:
    """Operators that chain flat: 1 for + and -, 2 for * and /, 0 for the rest."""
    if isinstance(op, ast.Add | ast.Sub):
        return 1
    return 2 if isinstance(op, ast.Mult | ast.Div) else 0


def from_expression(
    expr: str,
    *,
    window: Window,
    start: tuple[float, float] | None = None,
    name: str = "expression",
    log_contours: bool = False,
) -> Surface:
    r"""A `Surface` from a formula in x and y, parsed by a whitelist (never `eval`).

    The grammar is Python's expression syntax restricted to: numbers; the names
    `x`, `y`, `pi` and `e`; unary `+ -`; binary `+ - * / **`; and one-argument
    calls of `sin cos tan arctan sinh cosh tanh exp log sqrt abs` (NumPy names,
    evaluated by `jax.numpy`; `log` is the natural logarithm). A constant exponent
    must be at most 100 in absolute value; an integer one is evaluated exactly
    (`x**2` is x·x, with a gradient for negative x).

    Args:
        expr: the formula, at most 500 characters, e.g. `"x**2 - y**2 + 0.1*x**4"`.
        window: the plotting window `((xmin, xmax), (ymin, ymax))`, finite, with
            xmin < xmax and ymin < ymax.
        start: the default start point; it must lie in the window. Default: the
            point at 80% of the x range and 65% of the y range, off the centre and
            off the diagonals, where symmetric surfaces have their critical points.
        name: the surface's name.
        log_contours: whether contours read best on log-spaced levels.

    Returns:
        A `Surface` whose `formula` is the normalized text (it parses back to the
        same surface) and whose `latex` is matplotlib mathtext. `minima` and
        `saddles` are empty: `critical_points()` finds them.

    Raises:
        TypeError: if `expr` or `name` is not a str, or a bound is not a number.
        ValueError: if `expr` is empty, too long, not valid syntax, nested more
            than 100 deep, or uses anything off the whitelist (the message quotes
            the offending piece); if the window or start is invalid; or if f or its
            gradient is not finite at the start.

    Examples:
        >>> from optimotion import surfaces
        >>> s = surfaces.from_expression(
        ...     "x**2 - y**2 + 0.1*x**4", window=((-2, 2), (-2, 2))
        ... )
        >>> s.formula, s.latex, s.start
        ('x**2 - y**2 + 0.1*x**4', 'x^{2} - y^{2} + 0.1 x^{4}', (1.2, 0.6))
        >>> round(float(s(1.0, 2.0)), 6)
        -2.9
        >>> surfaces.from_expression("x.__class__", window=((-1, 1), (-1, 1)))
        Traceback (most recent call last):
        ...
        ValueError: `from_expression`: attribute access 'x.__class__' is not allowed
    """
    if not isinstance(expr, str):
        raise TypeError(
            f"`{_API}`: expr must be a str, got {expr!r} of type {type(expr)}"
        )
    if not isinstance(name, str) or not name:
        raise TypeError(f"`{_API}`: name must be a non-empty str, got {name!r}")
    if len(expr) > MAX_LENGTH:
        raise _fail(
            f"expression is {len(expr)} characters long, at most {MAX_LENGTH} "
            "are allowed"
        )
    text = expr.strip()
    if not text:
        raise _fail("expression is empty")
    window = check_window(window, _API)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        column = f" at column {error.offset}" if error.offset else ""
        raise _fail(f"invalid syntax in {text!r}{column}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise _fail(f"invalid syntax in {text!r}: {error}") from None
    root = _Parser(text).parse(tree.body)
    start = _check_start(start, window)

    def fn(x: jax.Array, y: jax.Array) -> jax.Array:
        x, y = jnp.asarray(x), jnp.asarray(y)
        value = jnp.asarray(evaluate(root, x, y), jnp.result_type(x, y, float))
        return jnp.broadcast_to(value, jnp.broadcast_shapes(x.shape, y.shape))

    formula = to_text(root)
    _check_finite(fn, formula, start)
    return Surface(
        name=name,
        fn=fn,
        formula=formula,
        latex=to_latex(root),
        window=window,
        start=start,
        log_contours=bool(log_contours),
    )


def _check_start(start: object, window: Window) -> tuple[float, float]:
    (x0, x1), (y0, y1) = window
    if start is None:
        cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
        return (cx + 0.6 * hw, cy + 0.3 * hh)
    try:
        sx, sy = start  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"`{_API}`: start must be (x, y), got {start!r}") from None
    for field, value in (("start x", sx), ("start y", sy)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"`{_API}`: {field} must be a number, "
                f"got {value!r} of type {type(value)}"
            )
    sx, sy = float(sx), float(sy)
    if not (x0 <= sx <= x1 and y0 <= sy <= y1):
        raise _fail(f"start ({sx!r}, {sy!r}) is outside the window {window!r}")
    return (sx, sy)


def _check_finite(fn: Callable, formula: str, start: tuple[float, float]) -> None:
    def loss(p):
        return fn(p[0], p[1])

    with jax.enable_x64(True):
        value, grad = jax.value_and_grad(loss)(jnp.asarray(start, jnp.float64))
    value, (gx, gy) = float(value), (float(g) for g in grad)
    if not all(math.isfinite(v) for v in (value, gx, gy)):
        raise _fail(
            f"{formula!r} is not finite at the start {start!r}: f = {value!r}, "
            f"gradient = ({gx!r}, {gy!r}); pick a start (or window) "
            "where it is"
        )
