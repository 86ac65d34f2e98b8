"""The formula tree behind `from_expression`: its nodes, values and printed forms.

A formula is a tree of `Num`, `Name`, `Unary`, `Binary` and `Call` nodes (NamedTuples).
`evaluate` computes it with `jax.numpy` (the surface) or NumPy (constant exponents);
`to_text` prints it back in the accepted syntax, `to_latex` as matplotlib mathtext.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .._lazy import jnp

VARIABLES = ("x", "y")
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS = (
    "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh", "exp", "log", "sqrt", "abs",
)  # fmt: skip
"""The functions a formula may call: the same names in `jax.numpy` and NumPy."""


class Num(NamedTuple):
    value: float
    text: str  # as printed


class Name(NamedTuple):
    name: str  # x, y, pi or e


class Unary(NamedTuple):
    op: str  # + or -
    operand: Node


class Binary(NamedTuple):
    op: str  # + - * / **
    left: Node
    right: Node


class Call(NamedTuple):
    function: str
    argument: Node


Node = Num | Name | Unary | Binary | Call


def uses_variables(node: Node) -> bool:
    if isinstance(node, Name):
        return node.name in VARIABLES
    if isinstance(node, Num):
        return False
    return any(uses_variables(child) for child in node[1:])


def _integer(value: float) -> int | None:
    return int(value) if value == int(value) else None


def evaluate(node: Node, x: Any, y: Any, xp: Any = jnp) -> Any:
    """The value of `node` at (x, y), with `xp` = `jax.numpy` or NumPy."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        return {"x": x, "y": y}.get(node.name, CONSTANTS.get(node.name))
    if isinstance(node, Unary):
        operand = evaluate(node.operand, x, y, xp)
        return -operand if node.op == "-" else operand
    if isinstance(node, Call):
        return getattr(xp, node.function)(evaluate(node.argument, x, y, xp))
    left = evaluate(node.left, x, y, xp)
    if node.op == "**" and not uses_variables(node.right):
        # A constant exponent: an integer one becomes integer_pow (exact, and a
        # gradient with no log of a negative base).
        with np.errstate(all="ignore"):
            k = float(evaluate(node.right, None, None, np))
        n = _integer(k)
        return xp.power(left, n if n is not None else k)
    right = evaluate(node.right, x, y, xp)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if node.op == "/":
        return xp.divide(left, right)
    return xp.power(left, right)


# Printing. Precedence as in Python: + - (1), * / (2), unary (3), ** (4), atoms (5).
def _precedence(node: Node) -> int:
    if isinstance(node, Binary):
        return {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}[node.op]
    return 3 if isinstance(node, Unary) else 5


def to_text(node: Node) -> str:
    """Plain text in the accepted syntax: `x**2 - y**2 + 0.1*x**4`."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Call):
        return f"{node.function}({to_text(node.argument)})"
    if isinstance(node, Unary):
        return node.op + _wrap(to_text(node.operand), _precedence(node.operand) < 3)
    p, lp, rp = _precedence(node), _precedence(node.left), _precedence(node.right)
    if node.op == "**":
        left = _wrap(to_text(node.left), lp <= 4)
        return f"{left}**{_wrap(to_text(node.right), rp < 3)}"
    left = _wrap(to_text(node.left), lp < p)
    right = _wrap(to_text(node.right), rp <= p)
    spaced = f" {node.op} " if p == 1 else node.op
    return f"{left}{spaced}{right}"


def _wrap(text: str, parens: bool, left: str = "(", right: str = ")") -> str:
    return f"{left}{text}{right}" if parens else text


_LATEXFUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "arctan": r"\arctan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "exp": r"\exp",
    "log": r"\ln",
}


def _latex_number(node: Num) -> str:
    mantissa, _, exponent = node.text.partition("e")
    mantissa = mantissa.removesuffix(".0")
    if not exponent:
        return mantissa
    power = f"10^{{{int(exponent)}}}"
    return power if float(mantissa) == 1 else rf"{mantissa} \times {power}"


def to_latex(node: Node) -> str:
    """Matplotlib mathtext (without the enclosing `$`)."""
    if isinstance(node, Num):
        return _latex_number(node)
    if isinstance(node, Name):
        return r"\pi" if node.name == "pi" else node.name
    if isinstance(node, Call):
        inner = to_latex(node.argument)
        if node.function == "sqrt":
            return rf"\sqrt{{{inner}}}"
        if node.function == "abs":
            return rf"\left|{inner}\right|"
        return rf"{_LATEXFUNCTIONS[node.function]}\left({inner}\right)"
    if isinstance(node, Unary):
        return node.op + _paren(to_latex(node.operand), _precedence(node.operand) < 2)
    lp, rp = _precedence(node.left), _precedence(node.right)
    left, right = to_latex(node.left), to_latex(node.right)
    if node.op == "/":
        return rf"\frac{{{left}}}{{{right}}}"
    if node.op == "**":
        scientific = isinstance(node.left, Num) and "e" in node.left.text
        return f"{_paren(left, lp < 5 or scientific)}^{{{right}}}"
    if node.op == "*":
        left, right = _paren(left, lp < 2), _paren(right, rp < 2 or rp == 3)
        # 3x, 2\pi x, x y (math mode drops the space); a dot before a number.
        dot = right[:1].isdigit() or right[:1] == "."
        return f"{left} \\cdot {right}" if dot else f"{left} {right}"
    return f"{left} {node.op} {_paren(right, rp == 3 or (node.op == '-' and rp == 1))}"


def _paren(text: str, parens: bool) -> str:
    return _wrap(text, parens, r"\left(", r"\right)")
