"""`from_expression`: the whitelist parser, its rejections, printing and the surface."""

import builtins
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from matplotlib.mathtext import MathTextParser

from optimotion.surfaces import Surface, from_expression

WINDOW = ((-2.0, 2.0), (-2.0, 2.0))

# (expression, x, y, value by hand / by the math module)
ACCEPTED = [
    ("x**2 - y**2 + 0.1*x**4", 1.0, 2.0, 1 - 4 + 0.1),
    ("x*y", 3.0, -2.0, -6.0),
    ("-x**2", 3.0, 0.0, -9.0),  # ** binds tighter than unary minus
    ("(-x)**2", 3.0, 0.0, 9.0),
    ("2**3**2", 0.0, 0.0, 512.0),  # ** is right-associative
    ("x/y/2", 8.0, 2.0, 2.0),  # / is left-associative
    ("1 + 2*x - y/4", 0.5, 2.0, 1.5),
    ("x**-1 + y**0.5", 4.0, 9.0, 3.25),
    ("+x - -y", 1.0, 2.0, 3.0),
    ("pi*x + e*y", 1.0, 1.0, math.pi + math.e),
    (
        "sin(x) + cos(y) + tan(x*y)",
        0.3,
        0.7,
        math.sin(0.3) + math.cos(0.7) + math.tan(0.21),
    ),
    ("arctan(x) + sinh(y)", 0.5, -1.5, math.atan(0.5) + math.sinh(-1.5)),
    ("cosh(x)*tanh(y)", 1.2, 0.4, math.cosh(1.2) * math.tanh(0.4)),
    ("exp(-(x**2 + y**2))", 1.0, 1.0, math.exp(-2)),
    ("log(1 + x**2) + sqrt(y)", 2.0, 0.25, math.log(5) + 0.5),
    ("abs(x) + abs(y)", -1.5, -0.25, 1.75),
    ("1e-3*x + 2.5E2*y", 1000.0, 0.01, 3.5),
    ("0x10*x + 1_000*y", 1.0, 0.001, 17.0),
    ("20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", 0.0, 0.0, 0.0),
    ("3", 1.0, 1.0, 3.0),
    ("  x   +y  ", 1.0, 2.0, 3.0),
    ("(x - 1)**2 + 100*(y - x**2)**2", -1.2, 1.0, 4.84 + 100 * 0.44**2),
]

# (expression, the exact message after "`from_expression`: ")
REJECTED = [
    ("x.__class__", "attribute access 'x.__class__' is not allowed"),
    ("x.__class__.__bases__[0]", "subscript 'x.__class__.__bases__[0]' is not"),
    ("sin.__call__(x)", "attribute access 'sin.__call__' is not allowed"),
    ("z", "unknown name 'z', expected one of e, pi, x, y"),
    ("X**2", "unknown name 'X', expected one of e, pi, x, y; did you mean 'x'?"),
    ("__import__('os')", "unknown function '__import__', expected one of abs,"),
    ("foo(x)", "unknown function 'foo', expected one of abs, arctan, cos, cosh,"),
    (
        "atan(x)",
        "unknown function 'atan', expected one of abs, arctan, cos, cosh, "
        "exp, log, sin, sinh, sqrt, tan, tanh; did you mean 'tan'?",
    ),
    ("sin(x=1)", "keyword argument 'x=1' in 'sin(x=1)' is not allowed"),
    ("sin(**x)", "keyword argument '**x' in 'sin(**x)' is not allowed"),
    ("sin(*x)", "starred argument '*x' is not allowed"),
    ("sin(x, y)", "'sin' takes exactly 1 argument, got 2 in 'sin(x, y)'"),
    ("sin", "function 'sin' must be called, as in 'sin(x)'"),
    ("pi(x)", "'pi' is not a function, in 'pi(x)'"),
    ("exp(x)(y)", "call of 'exp(x)' is not allowed"),
    ("x[0]", "subscript 'x[0]' is not allowed"),
    ("lambda: 1", "lambda 'lambda: 1' is not allowed"),
    ("(lambda: x)()", "call of 'lambda: x' is not allowed"),
    ("x < y", "comparison 'x < y' is not allowed"),
    ("x and y", "boolean operator 'x and y' is not allowed"),
    ("x if y else 1", "conditional expression 'x if y else 1' is not allowed"),
    ("(x, y)", "tuple '(x, y)' is not allowed"),
    ("[x]", "list '[x]' is not allowed"),
    ("[t for t in x]", "comprehension '[t for t in x]' is not allowed"),
    ("(z := 1)", "assignment 'z := 1' is not allowed"),
    ("'abc'", "string 'abc' is not allowed"),
    ("x + 'a'", "string 'a' is not allowed"),
    ("f'{x}'", "f-string \"f'{x}'\" is not allowed"),
    ("True", "constant 'True' is not allowed"),
    ("None*x", "constant 'None' is not allowed"),
    ("1j*x", "complex number '1j' is not allowed"),
    (
        "x^2",
        "operator '^' in 'x^2' is not allowed, expected one of + - * / **; "
        "use '**' for powers",
    ),
    ("x // y", "operator '//' in 'x // y' is not allowed, expected one of + - * / **"),
    ("x % 2", "operator '%' in 'x % 2' is not allowed"),
    ("x @ y", "operator '@' in 'x @ y' is not allowed"),
    ("~x", "operator '~' in '~x' is not allowed"),
    ("not x", "operator 'not' in 'not x' is not allowed"),
    (
        "x**101",
        "exponent '101' is too large: constant exponents must be at most 100 "
        "in absolute value, got 101",
    ),
    ("x**-101", "exponent '-101' is too large"),
    (
        "9**9**9",
        "exponent '9**9' is too large: constant exponents must be at most "
        "100 in absolute value, got 3.8742e+08",
    ),
    ("x**(2*60)", "exponent '2*60' is too large"),
    ("x**log(-1)", "exponent 'log(-1)' is not a number"),
    ("x**(10**400)", "exponent '400' is too large"),  # the inner one, first
    ("1e999*x", "number '1e999' is not finite in float64"),
    ("x +", "invalid syntax in 'x +'"),
    ("import os", "invalid syntax in 'import os'"),
    ("x; y", "invalid syntax in 'x; y'"),
    ("", "expression is empty"),
    ("   ", "expression is empty"),
    ("x" + " + x" * 125, "expression is 501 characters long, at most 500 are allowed"),
    (
        "-(" * 101 + "x" + ")" * 101,
        "expression is nested more than 100 levels deep, at '-(x)'",
    ),
]


def _message(expr):
    with pytest.raises(ValueError) as info:
        from_expression(expr, window=WINDOW)
    return str(info.value)


@pytest.mark.parametrize(("expr", "x", "y", "expected"), ACCEPTED)
def test_accepted_expressions_have_the_right_values(expr, x, y, expected, x64):
    surface = from_expression(expr, window=WINDOW, start=(0.5, 0.5))
    assert isinstance(surface, Surface)
    value = surface(x, y)
    assert value.dtype == jnp.float64
    assert float(value) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # The normalized formula parses back to the same formula and the same value.
    again = from_expression(surface.formula, window=WINDOW, start=(0.5, 0.5))
    assert again.formula == surface.formula
    assert float(again(x, y)) == float(value)
    MathTextParser("path").parse(f"${surface.latex}$")


def test_at_least_fifteen_rejections():
    assert len(REJECTED) >= 15


@pytest.mark.parametrize(("expr", "message"), REJECTED)
def test_rejections_name_the_offending_piece(expr, message):
    assert _message(expr).startswith(f"`from_expression`: {message}")


def test_limits_are_inclusive():
    long = ("x" + " + x" * 124).ljust(500)  # a flat sum of 125 terms
    assert len(long) == 500
    assert float(from_expression(long, window=WINDOW)(1.0, 0.0)) == 125.0
    long = ("x" + "*x/x" * 124).ljust(500)  # a flat product
    assert float(from_expression(long, window=WINDOW)(2.0, 0.0)) == 2.0
    from_expression("-(" * 99 + "x" + ")" * 99, window=WINDOW)  # depth 100
    from_expression("x**100 + y**-100 + x**(2*50)", window=WINDOW)


@pytest.mark.parametrize(
    ("expr", "formula", "latex"),
    [
        ("x**2-y**2+0.1*x**4", "x**2 - y**2 + 0.1*x**4", "x^{2} - y^{2} + 0.1 x^{4}"),
        ("(x)*((y))", "x*y", "x y"),
        ("x*-y", "x*-y", r"x \left(-y\right)"),
        ("x - (y - 1)", "x - (y - 1)", r"x - \left(y - 1\right)"),
        ("-(x + y)", "-(x + y)", r"-\left(x + y\right)"),
        ("(x**2)**3", "(x**2)**3", r"\left(x^{2}\right)^{3}"),
        ("x**y**2", "x**y**2", "x^{y^{2}}"),
        ("x/(y + 3)", "x/(y + 3)", r"\frac{x}{y + 3}"),
        ("2*pi*x", "2*pi*x", r"2 \pi x"),
        ("x*2", "x*2", r"x \cdot 2"),
        ("sqrt(x**2 + y**2)", "sqrt(x**2 + y**2)", r"\sqrt{x^{2} + y^{2}}"),
        ("abs(x)", "abs(x)", r"\left|x\right|"),
        ("log(x)*exp(y)", "log(x)*exp(y)", r"\ln\left(x\right) \exp\left(y\right)"),
        ("arctan(y)", "arctan(y)", r"\arctan\left(y\right)"),
        ("1e-05*x + 0x10", "1e-05*x + 16", "10^{-5} x + 16"),
        ("2.5e-3*x", "0.0025*x", "0.0025 x"),
        ("e**x", "e**x", "e^{x}"),
    ],
)
def test_formula_and_latex(expr, formula, latex):
    surface = from_expression(expr, window=WINDOW, start=(1.0, 1.0))
    assert (surface.formula, surface.latex) == (formula, latex)
    MathTextParser("path").parse(f"${surface.latex}$")


def test_surface_fields_and_default_start():
    surface = from_expression("x**2 - y**2", window=((0, 10), (-1, 3)), name="hyp")
    assert surface.name == "hyp"
    assert surface.window == ((0.0, 10.0), (-1.0, 3.0))
    assert surface.start == (8.0, 1.6)  # 80% of the x range, 65% of the y range
    assert (surface.minima, surface.saddles, surface.log_contours) == ((), (), False)
    assert from_expression("x", window=WINDOW, log_contours=True).log_contours
    assert from_expression("x", window=WINDOW, start=(-2, 2)).start == (-2.0, 2.0)


def test_gradient_under_jit_matches_the_derivative(x64):
    surface = from_expression("x**2*sin(y) + exp(x*y)/3", window=WINDOW)
    grad = jax.jit(jax.grad(surface.loss))
    for x, y in [(0.5, -1.0), (-1.5, 0.25), (1.0, 2.0)]:
        expected = [
            2 * x * math.sin(y) + y * math.exp(x * y) / 3,
            x**2 * math.cos(y) + x * math.exp(x * y) / 3,
        ]
        np.testing.assert_allclose(grad(jnp.asarray([x, y])), expected, rtol=1e-13)
    # Integer powers are exact powers: the gradient of x**2 at x < 0 is finite.
    square = from_expression("x**2 + y**3", window=WINDOW)
    np.testing.assert_allclose(
        jax.grad(square.loss)(jnp.asarray([-3.0, -2.0])), [-6.0, 12.0], rtol=1e-15
    )


def test_grid_and_critical_points_of_a_parsed_surface():
    surface = from_expression("x**2 - y**2 + 0.1*x**4", window=WINDOW)
    X, Y, Z = surface.grid(5)
    assert Z.shape == (5, 5) and Z.dtype == np.float64
    np.testing.assert_allclose(Z, X**2 - Y**2 + 0.1 * X**4, rtol=1e-15)
    (origin,) = surface.critical_points()
    assert (origin.x, origin.y, origin.value, origin.kind) == (0.0, 0.0, 0.0, "saddle")
    # A constant still fills the grid.
    assert (
        from_expression("pi", window=WINDOW).grid(3)[2].tolist() == [[math.pi] * 3] * 3
    )


def test_float32_inputs_give_float32():
    surface = from_expression("sin(x)*y + 0.5", window=WINDOW)
    value = surface(jnp.ones(3, jnp.float32), jnp.ones(3, jnp.float32))
    assert value.dtype == jnp.float32 and value.shape == (3,)


def test_never_calls_eval_or_exec(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    surface = from_expression("sin(x) + y**2", window=WINDOW)
    assert float(surface(0.0, 3.0)) == 9.0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"window": ((2, -2), (-2, 2))},
            ValueError,
            "`from_expression`: window needs xmin < xmax, got (2.0, -2.0)",
        ),
        (
            {"window": ((-2, 2), (float("nan"), 2))},
            ValueError,
            "`from_expression`: window ymin must be finite, got nan",
        ),
        (
            {"window": (-2, 2)},
            ValueError,
            "`from_expression`: window must be ((xmin, xmax), (ymin, ymax)), "
            "got (-2, 2)",
        ),
        (
            {"window": WINDOW, "start": (3.0, 0.0)},
            ValueError,
            "`from_expression`: start (3.0, 0.0) is outside the window "
            "((-2.0, 2.0), (-2.0, 2.0))",
        ),
        (
            {"window": WINDOW, "start": (1.0,)},
            ValueError,
            "`from_expression`: start must be (x, y), got (1.0,)",
        ),
        (
            {"window": WINDOW, "start": (1.0, "0")},
            TypeError,
            "`from_expression`: start y must be a number, "
            "got '0' of type <class 'str'>",
        ),
        (
            {"window": WINDOW, "name": ""},
            TypeError,
            "`from_expression`: name must be a non-empty str, got ''",
        ),
    ],
)
def test_window_start_and_name_are_validated(kwargs, error, message):
    with pytest.raises(error) as info:
        from_expression("x + y", **kwargs)
    assert str(info.value) == message


def test_expression_must_be_a_string():
    with pytest.raises(TypeError) as info:
        from_expression(3, window=WINDOW)
    assert str(info.value) == (
        "`from_expression`: expr must be a str, got 3 of type <class 'int'>"
    )


def test_not_finite_at_the_start():
    with pytest.raises(ValueError) as info:
        from_expression("sqrt(x - 5)", window=WINDOW)
    assert str(info.value) == (
        "`from_expression`: 'sqrt(x - 5)' is not finite at the start (1.2, 0.6): "
        "f = nan, gradient = (nan, 0.0); pick a start (or window) where it is"
    )
    with pytest.raises(ValueError, match=r"'1/x' is not finite at the start \(0.0, "):
        from_expression("1/x", window=WINDOW, start=(0.0, 1.0))
    # Elsewhere in the window non-finite values are fine (a plot shows a gap).
    assert from_expression("log(x)", window=WINDOW).start == (1.2, 0.6)


def test_critical_points_of_parsed_surfaces():
    # sin(3x) cos(3y) on [-2, 2]^2, by hand: extrema where cos 3x = sin 3y = 0
    # (x in {±pi/6, ±pi/2}, y in {0, ±pi/3}: 12, half of them minima), saddles
    # where sin 3x = cos 3y = 0 (x in {0, ±pi/3}, y in {±pi/6, ±pi/2}: 12).
    found = from_expression("sin(3*x)*cos(3*y)", window=WINDOW).critical_points()
    kinds = [p.kind for p in found]
    assert (kinds.count("minimum"), kinds.count("maximum")) == (6, 6)
    assert kinds.count("saddle") == 12 and len(found) == 24
    for p in found:
        if p.kind == "saddle":
            assert math.sin(3 * p.x) == pytest.approx(0, abs=1e-12)
            assert math.cos(3 * p.y) == pytest.approx(0, abs=1e-12)
        else:
            assert abs(p.value) == pytest.approx(1, abs=1e-12)
    # The underflowed tails of a narrow bump are a plateau, not critical points.
    bump = from_expression("exp(-10*(x**2 + y**2))", window=((-5, 5), (-5, 5)))
    assert bump.critical_points() == ((0.0, 0.0, 1.0, "maximum"),)
    # A quartic direction: a degenerate minimum, located to about 1e-7.
    (flat,) = from_expression("x**2 + y**4", window=WINDOW).critical_points()
    assert flat.kind == "degenerate"
    assert (flat.x, flat.y) == pytest.approx((0, 0), abs=1e-6)
    assert from_expression("x + y", window=WINDOW).critical_points() == ()
