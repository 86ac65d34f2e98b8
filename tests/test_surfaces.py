"""The shipped surfaces, their metadata, the registry and `critical_points`."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from matplotlib.mathtext import MathTextParser

import optimotion
from optimotion import optimizers, surfaces
from optimotion.surfaces import CriticalPoint, Surface, _catalog

NAMES = (
    "beale",
    "booth",
    "double_well",
    "goldstein_price",
    "himmelblau",
    "linear_regression",
    "long_valley",
    "monkey_saddle",
    "noisy_moons",
    "rastrigin",
    "rosenbrock",
    "saddle",
    "six_hump_camel",
    "tanh_net",
)

# Known minima and their values, from the literature (closed forms where they exist;
# Himmelblau's and the camel's to the published digits, hence `tol`).
KNOWN_MINIMA = {
    "beale": [((3.0, 0.5), 0.0)],
    "booth": [((1.0, 3.0), 0.0)],
    "double_well": [((1.0, 0.0), 0.0), ((-1.0, 0.0), 0.0)],
    "goldstein_price": [
        ((0.0, -1.0), 3.0),
        ((-0.6, -0.4), 30.0),
        ((1.8, 0.2), 84.0),
        ((1.2, 0.8), 840.0),
    ],
    "himmelblau": [
        ((3.0, 2.0), 0.0),
        ((-2.805118, 3.131312), 0.0),
        ((-3.779310, -3.283186), 0.0),
        ((3.584428, -1.848126), 0.0),
    ],
    "long_valley": [((0.0, 0.0), 0.0)],
    "monkey_saddle": [],
    "rastrigin": [((0.0, 0.0), 0.0)],
    "rosenbrock": [((1.0, 1.0), 0.0)],
    "saddle": [],
    "linear_regression": [],  # checked against least squares below
    "noisy_moons": [],
    "tanh_net": [],
    "six_hump_camel": [
        ((0.0898, -0.7126), -1.0316),
        ((-0.0898, 0.7126), -1.0316),
        ((1.7036, -0.7961), -0.2155),
        ((-1.7036, 0.7961), -0.2155),
        ((1.6071, 0.5687), 2.1043),
        ((-1.6071, -0.5687), 2.1043),
    ],
}
TOL = {"himmelblau": 1e-6, "six_hump_camel": 1e-4}

# How many critical points of each kind lie in each default window. Rastrigin's by
# hand: in 1-D, x^2 - 10 cos(2 pi x) has minima near the 11 integers -5..5 and
# maxima near the 10 half-integers ±0.5..±4.5 inside [-5.12, 5.12]; in 2-D the
# products give 11^2 minima, 10^2 maxima and 2*11*10 saddles.
COUNTS = {
    "beale": {"minimum": 1, "saddle": 2},
    "booth": {"minimum": 1},
    "double_well": {"minimum": 2, "saddle": 1},
    "goldstein_price": {"minimum": 4, "saddle": 4, "maximum": 1},
    "himmelblau": {"minimum": 4, "saddle": 4, "maximum": 1},
    "long_valley": {"minimum": 1},
    "monkey_saddle": {"degenerate": 1},
    "rastrigin": {"minimum": 121, "saddle": 220, "maximum": 100},
    "rosenbrock": {"minimum": 1},
    "saddle": {"saddle": 1},
    "six_hump_camel": {"minimum": 6, "saddle": 7, "maximum": 2},
    "linear_regression": {"minimum": 1},
    "noisy_moons": {"minimum": 1},
    "tanh_net": {"minimum": 2, "saddle": 1},
}
FINITE_SUMS = ("linear_regression", "noisy_moons", "tanh_net")
CLOSED_FORM = tuple(n for n in NAMES if n not in FINITE_SUMS)


@functools.cache
def _found(name):
    """`critical_points()` of a shipped surface, computed once per test session."""
    return surfaces.get(name).critical_points()


def _nearest(points, xy):
    return min(points, key=lambda p: math.hypot(p.x - xy[0], p.y - xy[1]))


def _span(surface):
    (x0, x1), (y0, y1) = surface.window
    return max(x1 - x0, y1 - y0)


def test_names_and_get():
    assert surfaces.names() == NAMES
    for name in NAMES:
        surface = surfaces.get(name)
        assert isinstance(surface, Surface)
        assert surface.name == name
        assert surfaces.get(name) is surface


def test_get_unknown_name_lists_names_and_suggests():
    with pytest.raises(ValueError) as info:
        surfaces.get("rosenbrok")
    assert str(info.value) == (
        "`surfaces.get`: unknown surface 'rosenbrok', expected one of "
        + ", ".join(NAMES)
        + "; did you mean 'rosenbrock'?"
    )
    with pytest.raises(ValueError, match=r"expected one of beale, .*tanh_net$"):
        surfaces.get("zzz")
    with pytest.raises(TypeError, match="`surfaces.get`: name must be a str, got 3"):
        surfaces.get(3)


def test_register(monkeypatch):
    monkeypatch.setattr(_catalog, "_REGISTRY", dict(_catalog._REGISTRY))
    bowl = surfaces.from_expression(
        "x**2 + y**2", window=((-1, 1), (-1, 1)), name="bowl"
    )
    assert surfaces.register(bowl) is bowl
    assert surfaces.get("bowl") is bowl
    assert "bowl" in surfaces.names()
    with pytest.raises(ValueError) as info:
        surfaces.register(bowl)
    assert str(info.value) == (
        "`surfaces.register`: a surface named 'bowl' is already registered; "
        "pass overwrite=True to replace it"
    )
    other = surfaces.from_expression("x**2", window=((-1, 1), (-1, 1)), name="bowl")
    assert surfaces.register(other, overwrite=True) is surfaces.get("bowl")
    with pytest.raises(TypeError, match="surface must be a Surface"):
        surfaces.register("bowl")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name, x64):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.window
    rng = np.random.default_rng(0)
    points = np.column_stack([rng.uniform(x0, x1, 6), rng.uniform(y0, y1, 6)])
    grad = jax.jit(jax.grad(surface.loss))
    h = 1e-6 * _span(surface)
    for p in points:
        f = float(surface.loss(p))
        fd = [
            (float(surface.loss(p + h * e)) - float(surface.loss(p - h * e))) / (2 * h)
            for e in np.eye(2)
        ]
        got = np.asarray(grad(jnp.asarray(p)))
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-7 * (1 + abs(f)))


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_metadata_is_consistent(name):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.window
    assert x0 < x1 and y0 < y1
    inside = [surface.start, *surface.minima, *surface.saddles]
    for x, y in inside:
        assert x0 <= x <= x1 and y0 <= y <= y1, (x, y)
    assert surface.start not in surface.minima
    known = [c for xy, _ in KNOWN_MINIMA[name] for c in xy]
    listed = [c for xy in surface.minima for c in xy]
    assert listed == pytest.approx(known, abs=TOL.get(name, 1e-12))
    # The LaTeX renders in matplotlib's mathtext.
    MathTextParser("path").parse(f"${surface.latex}$")


@pytest.mark.parametrize("name", CLOSED_FORM)
def test_formula_is_the_function(name, x64):
    """Each plain-text formula parses (`from_expression`) to the same function."""
    surface = surfaces.get(name)
    parsed = surfaces.from_expression(
        surface.formula, window=surface.window, start=surface.start
    )
    assert parsed.formula == surface.formula
    X, Y, Z = surface.grid(25)
    np.testing.assert_allclose(parsed(X, Y), Z, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_known_minima_are_classified_minima(name, x64):
    surface = surfaces.get(name)
    found = _found(name)
    for xy, value in KNOWN_MINIMA[name]:
        point = _nearest(found, xy)
        tol = TOL.get(name, 1e-9)
        assert (point.x, point.y) == pytest.approx(xy, abs=tol)
        assert point.kind == "minimum"
        assert point.value == pytest.approx(value, abs=tol)
        assert float(surface(*xy)) == pytest.approx(value, abs=max(tol, 1e-6))


@pytest.mark.parametrize("name", NAMES)
def test_listed_saddles_are_found_and_classified(name, x64):
    surface = surfaces.get(name)
    found = _found(name)
    expected = "degenerate" if name == "monkey_saddle" else "saddle"
    grad = jax.grad(surface.loss)
    for xy in surface.saddles:
        point = _nearest(found, xy)
        assert (point.x, point.y) == pytest.approx(xy, abs=1e-9)
        assert point.kind == expected
        assert np.linalg.norm(grad(jnp.asarray(xy))) < 1e-8
        assert point.value == pytest.approx(float(surface(*xy)), abs=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_critical_point_counts(name):
    found = _found(name)
    counts: dict[str, int] = {}
    for point in found:
        counts[point.kind] = counts.get(point.kind, 0) + 1
    assert counts == COUNTS[name]


@pytest.mark.parametrize("name", NAMES)
def test_critical_points_are_deduplicated_sorted_and_typed(name):
    surface = surfaces.get(name)
    found = _found(name)
    assert found == surface.critical_points()  # deterministic
    assert all(isinstance(p, CriticalPoint) for p in found)
    assert all(type(v) is float for p in found for v in (p.x, p.y, p.value))
    assert list(found) == sorted(found, key=lambda p: (p.x, p.y))
    xy = np.array([(p.x, p.y) for p in found])
    distances = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distances, np.inf)
    assert distances.min() > 1e-3 * _span(surface)


def test_simple_saddles_exactly():
    assert surfaces.get("saddle").critical_points() == (
        CriticalPoint(0.0, 0.0, 0.0, "saddle"),
    )
    (origin,) = surfaces.get("monkey_saddle").critical_points()
    assert origin.kind == "degenerate"
    assert (origin.x, origin.y, origin.value) == pytest.approx((0, 0, 0), abs=1e-12)


def test_double_well():
    low, middle, high = surfaces.get("double_well").critical_points()
    assert low == pytest.approx((-1.0, 0.0, 0.0, "minimum"), abs=1e-12)
    assert middle == pytest.approx((0.0, 0.0, 0.25, "saddle"), abs=1e-12)
    assert high == pytest.approx((1.0, 0.0, 0.0, "minimum"), abs=1e-12)


def test_double_well_shaken_averages_to_a_minimum_at_the_saddle(x64):
    """Averaged over translations δ ~ N(0, s²), f_xx at the saddle is 3s² - 1."""
    f_xx = jax.jit(jax.vmap(jax.grad(jax.grad(surfaces.get("double_well").fn, 0), 0)))
    nodes, weights = np.polynomial.hermite_e.hermegauss(20)
    weights = weights / weights.sum()
    for s, curvature in [(0.0, -1.0), (1 / math.sqrt(3), 0.0), (1.0, 2.0), (2.0, 11.0)]:
        at = jnp.asarray(s * nodes)
        shaken = float(np.dot(weights, f_xx(at, jnp.zeros_like(at))))
        assert shaken == pytest.approx(curvature, abs=1e-9)


def test_himmelblau_maximum():
    found = _found("himmelblau")
    (top,) = [p for p in found if p.kind == "maximum"]
    # The published local maximum: f(-0.270845, -0.923039) = 181.617.
    assert (top.x, top.y) == pytest.approx((-0.270845, -0.923039), abs=1e-6)
    assert top.value == pytest.approx(181.617, abs=1e-3)
    saddles = [c for p in found if p.kind == "saddle" for c in (p.x, p.y)]
    published = [
        *(-3.073026, -0.081353),
        *(-0.127961, -1.953715),
        *(0.086678, 2.884255),
        *(3.385154, 0.073852),
    ]
    assert saddles == pytest.approx(published, abs=1e-6)


def test_goldstein_price_rational_critical_points():
    found = _found("goldstein_price")
    table = [(round(p.x, 9), round(p.y, 9), round(p.value, 6), p.kind) for p in found]
    assert table == [
        (-0.6, -0.4, 30.0, "minimum"),
        (-0.4, -0.6, 35.0, "saddle"),
        (0.0, -1.0, 3.0, "minimum"),
        (0.6, 0.4, 990.0, "saddle"),
        (0.8, 0.2, 1155.0, "maximum"),
        (1.2, -0.2, 99.0, "saddle"),
        (1.2, 0.8, 840.0, "minimum"),
        (1.4, 0.6, 980.0, "saddle"),
        (1.8, 0.2, 84.0, "minimum"),
    ]


def test_critical_points_in_another_window():
    saddle = surfaces.get("saddle")
    assert saddle.critical_points(((0.5, 1.0), (0.5, 1.0))) == ()
    # The window's edge counts as inside.
    assert saddle.critical_points(((0, 1), (0, 1))) == (
        CriticalPoint(0.0, 0.0, 0.0, "saddle"),
    )
    # Rastrigin around its global basin: 3x3 minima, 2x2 maxima, 2*3*2 saddles.
    near = surfaces.get("rastrigin").critical_points(((-1.2, 1.2), (-1.2, 1.2)))
    kinds = [p.kind for p in near]
    assert (kinds.count("minimum"), kinds.count("maximum")) == (9, 4)
    assert kinds.count("saddle") == 12


@pytest.mark.parametrize(
    ("window", "error", "message"),
    [
        (
            ((1, 0), (0, 1)),
            ValueError,
            "`Surface.critical_points`: window needs xmin < xmax, got (1.0, 0.0)",
        ),
        (
            ((0, 1), (2, 2)),
            ValueError,
            "`Surface.critical_points`: window needs ymin < ymax, got (2.0, 2.0)",
        ),
        (
            ((0, float("inf")), (0, 1)),
            ValueError,
            "`Surface.critical_points`: window xmax must be finite, got inf",
        ),
        (
            (0, 1),
            ValueError,
            "`Surface.critical_points`: window must be ((xmin, xmax), (ymin, ymax)), "
            "got (0, 1)",
        ),
        (
            ((0, "1"), (0, 1)),
            TypeError,
            "`Surface.critical_points`: window xmax must be a number, "
            "got '1' of type <class 'str'>",
        ),
    ],
)
def test_critical_points_window_is_validated(window, error, message):
    with pytest.raises(error) as info:
        surfaces.get("saddle").critical_points(window)
    assert str(info.value) == message


def test_surfaces_are_elementwise_and_keep_float32():
    for name in NAMES:
        surface = surfaces.get(name)
        xy = jnp.asarray([surface.start, surface.start], jnp.float32)
        values = surface.loss(xy)  # a batch of points, as `loss` sees it
        assert values.shape == (2,)
        assert values.dtype == jnp.float32
        assert values[1] == pytest.approx(float(surface(*surface.start)), rel=1e-5)


def test_python_numbers_evaluate_in_float64():
    # Issue 11: beale(3, 0.5) in a notebook equals what run/race/grid compute.
    beale = surfaces.get("beale")
    value = beale(1.0, 1.5)
    assert value.dtype == jnp.float64
    path = optimotion.run(beale, optimizers.sgd(lr=0.0), (1.0, 1.5), 1)
    assert float(value) == path.loss[0]
    assert not jax.config.jax_enable_x64  # the global configuration is untouched


def test_linear_regression_minimum_is_least_squares():
    surface = surfaces.get("linear_regression")
    a, t = surface.data
    w, b = np.linalg.lstsq(np.column_stack([a, np.ones_like(a)]), t, rcond=None)[0]
    assert surface.minima[0] == pytest.approx((w, b), abs=1e-12)
    (point,) = _found("linear_regression")
    assert (point.x, point.y) == pytest.approx((w, b), abs=1e-9)
    assert point.value == pytest.approx(np.mean((w * a + b - t) ** 2), rel=1e-12)


def test_finite_sums_are_the_mean_of_their_examples(x64):
    # The surface equals a NumPy mean of the per-example losses, written out here.
    rng = np.random.default_rng(3)
    losses = {
        "linear_regression": lambda w, b, a, t: (w * a + b - t) ** 2,
        "noisy_moons": lambda w1, w2, a, b, s: np.log1p(np.exp(-s * (w1 * a + w2 * b))),
        "tanh_net": lambda w1, w2, u, t: (w2 * np.tanh(w1 * u) - t) ** 2,
    }
    for name, loss in losses.items():
        surface = surfaces.get(name)
        (x0, x1), (y0, y1) = surface.window
        for x, y in zip(rng.uniform(x0, x1, 4), rng.uniform(y0, y1, 4), strict=True):
            expected = np.mean(loss(x, y, *surface.data))
            assert float(surface(x, y)) == pytest.approx(expected, rel=1e-12)
            index = np.array([0, 2, 5])
            batch = np.mean(loss(x, y, *(d[index] for d in surface.data)))
            got = surface.batch_loss(jnp.array([x, y]), jnp.asarray(index))
            assert float(got) == pytest.approx(batch, rel=1e-12)


def test_tanh_net_has_a_real_saddle_at_the_origin(x64):
    # f(w1, w2) = mean (w2 tanh(w1 u) - t)^2: at 0 the Hessian is [[0, -2m], [-2m, 0]]
    # with m = mean(u t), so its eigenvalues are ±2|m| and the minima come in a
    # symmetric pair ±w*.
    surface = surfaces.get("tanh_net")
    u, t = surface.data
    m = np.mean(u * t)
    hessian = np.asarray(jax.hessian(surface.loss)(jnp.zeros(2)))
    np.testing.assert_allclose(hessian, [[0, -2 * m], [-2 * m, 0]], atol=1e-12)
    found = _found("tanh_net")
    assert [p.kind for p in found] == ["minimum", "saddle", "minimum"]
    assert (found[0].x, found[0].y) == pytest.approx((-found[2].x, -found[2].y))
    assert surface.minima[0] == pytest.approx((found[2].x, found[2].y), abs=1e-9)


def test_noisy_moons_minimum_has_zero_numpy_gradient():
    surface = surfaces.get("noisy_moons")
    a, b, s = surface.data
    w = np.array(surface.minima[0])
    margin = s * (w[0] * a + w[1] * b)
    weight = -s / (1 + np.exp(margin))
    grad = np.array([np.mean(weight * a), np.mean(weight * b)])
    assert np.abs(grad).max() < 1e-12


def test_display_names_are_what_titles_show():
    shown = {name: surfaces.get(name).display_name for name in NAMES}
    assert shown == {
        "beale": "Beale", "booth": "Booth", "double_well": "Double well",
        "goldstein_price": "Goldstein–Price", "himmelblau": "Himmelblau",
        "long_valley": "Long valley", "monkey_saddle": "Monkey saddle",
        "rastrigin": "Rastrigin", "rosenbrock": "Rosenbrock", "saddle": "Saddle",
        "six_hump_camel": "Six-hump camel", "linear_regression": "Linear regression",
        "noisy_moons": "Noisy moons (logistic regression)",
        "tanh_net": "Two-weight tanh network",
    }  # fmt: skip
    own = Surface("my_bowl", lambda x, y: x**2 + y**2, "x**2 + y**2", "x^2 + y^2",
                  ((-1, 1), (-1, 1)), (0.5, 0.5))  # fmt: skip
    assert own.display_name == "My bowl"  # the default, from the name


def test_the_contour_title_and_the_starter_scene_use_the_display_name():
    from optimotion import optimizers, race
    from optimotion.render import RenderSpec, final_frame
    from optimotion.scene._files import starter_scene

    surface = surfaces.get("goldstein_price")
    traces = race(surface, {"SGD": optimizers.sgd(lr=1e-5)}, surface.start, 3)
    with final_frame(traces, surface, RenderSpec(size=(640, 480))) as renderer:
        (title,) = [ax.get_title() for ax in renderer.fig.axes if ax.get_title()]
    assert title.split(":")[0] == "Goldstein–Price"  # the formula, if it fits
    assert "title: Optimizers on the Goldstein–Price surface\n" in starter_scene(
        "goldstein_price"
    )
