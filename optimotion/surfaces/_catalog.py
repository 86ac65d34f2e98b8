"""The shipped surfaces, and the registry that names them.

Every `formula` is written in the syntax `from_expression` accepts, so a shipped
surface can be rebuilt from its own text. Minima list the global minimum (or minima)
first; saddles are those inside the window. Coordinates not given in closed form are
the float64 roots found by `Surface.critical_points`.
"""

from __future__ import annotations

from .._lazy import jax, jnp
from .._suggest import did_you_mean
from ._finite_sum import shipped as _finite_sums
from ._surface import Surface


def _saddle(x: jax.Array, y: jax.Array) -> jax.Array:
    return x**2 - y**2


def _monkey_saddle(x: jax.Array, y: jax.Array) -> jax.Array:
    return x**3 - 3 * x * y**2


def _beale(x: jax.Array, y: jax.Array) -> jax.Array:
    return (
        (1.5 - x + x * y) ** 2
        + (2.25 - x + x * y**2) ** 2
        + (2.625 - x + x * y**3) ** 2
    )


def _rosenbrock(x: jax.Array, y: jax.Array) -> jax.Array:
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _himmelblau(x: jax.Array, y: jax.Array) -> jax.Array:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _booth(x: jax.Array, y: jax.Array) -> jax.Array:
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


def _long_valley(x: jax.Array, y: jax.Array) -> jax.Array:
    return 0.01 * x**2 + y**2


def _rastrigin(x: jax.Array, y: jax.Array) -> jax.Array:
    two_pi = 2 * jnp.pi
    return 20 + x**2 - 10 * jnp.cos(two_pi * x) + y**2 - 10 * jnp.cos(two_pi * y)


def _six_hump_camel(x: jax.Array, y: jax.Array) -> jax.Array:
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (4 * y**2 - 4) * y**2


def _goldstein_price(x: jax.Array, y: jax.Array) -> jax.Array:
    a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    b = 30 + (2 * x - 3 * y) ** 2 * (
        18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    )
    return a * b


def _double_well(x: jax.Array, y: jax.Array) -> jax.Array:
    return 0.25 * (x**2 - 1) ** 2 + 0.5 * y**2


# Rastrigin's 1-D critical point between the basins at 0 and 1: 2x + 20π sin(2πx) = 0.
_RASTRIGIN_RIDGE = 0.5025460365546747

SURFACES: tuple[Surface, ...] = (
    Surface(
        name="saddle",
        display_name="Saddle",
        fn=_saddle,
        formula="x**2 - y**2",
        latex=r"x^2 - y^2",
        window=((-1.5, 1.5), (-1.5, 1.5)),
        # On the attracting axis, a hair off it: the path stalls at the saddle,
        # then leaves along y (the famous 3-D saddle animation).
        start=(1.0, 0.001),
        saddles=((0.0, 0.0),),
    ),
    Surface(
        name="monkey_saddle",
        display_name="Monkey saddle",
        fn=_monkey_saddle,
        formula="x**3 - 3*x*y**2",
        latex=r"x^3 - 3xy^2",
        window=((-1.5, 1.5), (-1.5, 1.5)),
        # Slides towards the flat origin, then leaves down the valley at 60 degrees.
        start=(1.2, 0.05),
        saddles=((0.0, 0.0),),  # degenerate: the Hessian vanishes there
    ),
    Surface(
        name="beale",
        display_name="Beale",
        fn=_beale,
        formula=(
            "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2"
        ),
        latex=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        window=((-4.5, 4.5), (-4.5, 4.5)),
        start=(1.0, 1.5),  # the benchmark race's start
        minima=((3.0, 0.5),),
        saddles=((0.0, 1.0), (0.10053793732415828, -2.644513585023126)),
        log_contours=True,
    ),
    Surface(
        name="rosenbrock",
        display_name="Rosenbrock",
        fn=_rosenbrock,
        formula="(1 - x)**2 + 100*(y - x**2)**2",
        latex=r"(1 - x)^2 + 100\,(y - x^2)^2",
        window=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.2, 1.0),  # Rosenbrock's (1960) classic start
        minima=((1.0, 1.0),),
        log_contours=True,
    ),
    Surface(
        name="himmelblau",
        display_name="Himmelblau",
        fn=_himmelblau,
        formula="(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
        latex=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        window=((-5.0, 5.0), (-5.0, 5.0)),
        # Just off the local maximum at (-0.2708, -0.9230): optimizers roll off it
        # into different basins.
        start=(-0.8, -0.6),
        minima=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644036),
        ),
        saddles=(
            (0.08667750455539634, 2.8842547011747763),
            (-3.0730257507643897, -0.08135304428796751),
            (3.3851541836070207, 0.07385187983774928),
            (-0.12796134673068005, -1.9537149802445766),
        ),
        log_contours=True,
    ),
    Surface(
        name="booth",
        display_name="Booth",
        fn=_booth,
        formula="(x + 2*y - 7)**2 + (2*x + y - 5)**2",
        latex=r"(x + 2y - 7)^2 + (2x + y - 5)^2",
        window=((-10.0, 10.0), (-10.0, 10.0)),
        # Mostly along the flat direction (1, -1), a little along the steep (1, 1).
        start=(-8.0, 8.0),
        minima=((1.0, 3.0),),
    ),
    Surface(
        name="long_valley",
        display_name="Long valley",
        fn=_long_valley,
        formula="0.01*x**2 + y**2",
        latex=r"0.01\,x^2 + y^2",
        # Curvatures 0.02 along the valley and 2 across it (condition number 100):
        # with lr in (0.5, 1), gradient descent zigzags across the valley while it
        # creeps along it by a factor 1 - 0.02 lr per step.
        window=((-10.0, 10.0), (-4.0, 4.0)),
        start=(-9.0, 3.0),
        minima=((0.0, 0.0),),
    ),
    Surface(
        name="rastrigin",
        display_name="Rastrigin",
        fn=_rastrigin,
        formula="20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
        latex=r"20 + x^2 - 10\cos(2\pi x) + y^2 - 10\cos(2\pi y)",
        window=((-5.12, 5.12), (-5.12, 5.12)),
        start=(3.3, -2.7),
        # The global minimum and the four saddles around its basin; the whole
        # lattice (121 minima, 220 saddles, 100 maxima) is `critical_points()`.
        minima=((0.0, 0.0),),
        saddles=(
            (_RASTRIGIN_RIDGE, 0.0),
            (-_RASTRIGIN_RIDGE, 0.0),
            (0.0, _RASTRIGIN_RIDGE),
            (0.0, -_RASTRIGIN_RIDGE),
        ),
    ),
    Surface(
        name="six_hump_camel",
        display_name="Six-hump camel",
        fn=_six_hump_camel,
        formula="(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (4*y**2 - 4)*y**2",
        latex=r"(4 - 2.1x^2 + \frac{x^4}{3})\,x^2 + xy + (4y^2 - 4)\,y^2",
        window=((-2.0, 2.0), (-1.0, 1.0)),
        # Beside a local maximum, between the basins of a local and a global minimum.
        start=(-1.2, 0.0),
        minima=(
            (0.08984201310031806, -0.7126564030207396),
            (-0.08984201310031806, 0.7126564030207396),
            (1.7036067149699807, -0.7960835686726251),
            (-1.7036067149699807, 0.7960835686726251),
            (1.6071047529201974, 0.5686514548841314),
            (-1.6071047529201974, -0.5686514548841314),
        ),
        saddles=(
            (0.0, 0.0),
            (1.1092053368047865, -0.7682680925095399),
            (-1.1092053368047865, 0.7682680925095399),
            (1.2960702671671092, 0.6050843880386585),
            (-1.2960702671671092, -0.6050843880386585),
            (1.6380679841897787, 0.2286740690443941),
            (-1.6380679841897787, -0.2286740690443941),
        ),
    ),
    Surface(
        name="goldstein_price",
        display_name="Goldstein–Price",
        fn=_goldstein_price,
        formula=(
            "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
            "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))"
        ),
        latex=(
            r"[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)]"
            r"\,[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)]"
        ),
        window=((-2.0, 2.0), (-2.0, 2.0)),
        start=(-0.5, 1.0),
        minima=((0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8)),
        saddles=((-0.4, -0.6), (0.6, 0.4), (1.2, -0.2), (1.4, 0.6)),
        log_contours=True,
    ),
    Surface(
        name="double_well",
        display_name="Double well",
        fn=_double_well,
        formula="0.25*(x**2 - 1)**2 + 0.5*y**2",
        latex=r"\frac{1}{4}(x^2 - 1)^2 + \frac{1}{2}y^2",
        window=((-2.0, 2.0), (-2.0, 2.0)),
        # Down the ridge x = 0 towards the saddle, a hair to its right: plain GD
        # turns off into the right well. Shaking the surface (translating it by
        # δ ~ N(0, s² I) each step, the seed document's example) averages it to
        # x⁴/4 + (3s² - 1) x²/2 + y²/2 + const: for s > 1/√3 the saddle is the
        # averaged surface's minimum, gently at s = 1 (curvature 2 across the
        # ridge against -1 unshaken) and firmly at s = 2 (curvature 11).
        start=(0.1, 1.8),
        minima=((1.0, 0.0), (-1.0, 0.0)),
        saddles=((0.0, 0.0),),
    ),
)

SURFACES += _finite_sums()

_REGISTRY: dict[str, Surface] = {surface.name: surface for surface in SURFACES}


def names() -> tuple[str, ...]:
    """The registered surface names, sorted.

    Examples:
        >>> from optimotion import surfaces
        >>> surfaces.names()[:4]
        ('beale', 'booth', 'double_well', 'goldstein_price')
    """
    return tuple(sorted(_REGISTRY))


def get(name: str) -> Surface:
    """The surface registered as `name`.

    Args:
        name: a name from `names()`.

    Returns:
        The `Surface` (the same object on every call).

    Raises:
        TypeError: if `name` is not a string.
        ValueError: if no surface has that name; the message lists the names and
            the closest match.

    Examples:
        >>> from optimotion import surfaces
        >>> surfaces.get("beale").minima
        ((3.0, 0.5),)
        >>> surfaces.get("bael")
        Traceback (most recent call last):
        ...
        ValueError: `surfaces.get`: unknown surface 'bael', expected one of beale, booth, double_well, goldstein_price, himmelblau, linear_regression, long_valley, monkey_saddle, noisy_moons, rastrigin, rosenbrock, saddle, six_hump_camel, tanh_net; did you mean 'beale'?
    """  # noqa: E501
    if not isinstance(name, str):
        raise TypeError(
            f"`surfaces.get`: name must be a str, got {name!r} of type {type(name)}"
        )
    try:
        return _REGISTRY[name]
    except KeyError:
        allowed = names()
        message = (
            f"`surfaces.get`: unknown surface {name!r}, "
            f"expected one of {', '.join(allowed)}"
        )
        raise ValueError(message + did_you_mean(name, allowed)) from None


def register(surface: Surface, *, overwrite: bool = False) -> Surface:
    """Add `surface` to the registry under `surface.name`, so `get` finds it.

    Args:
        surface: the surface, e.g. from `from_expression(..., name="bowl")`.
        overwrite: replace a surface already registered under that name.

    Returns:
        `surface`, so that `register` can wrap a definition.

    Raises:
        TypeError: if `surface` is not a `Surface`.
        ValueError: if the name is empty or taken and `overwrite` is false.

    Examples:
        >>> from optimotion import surfaces
        >>> surfaces.register(surfaces.get("beale"))
        Traceback (most recent call last):
        ...
        ValueError: `surfaces.register`: a surface named 'beale' is already registered; pass overwrite=True to replace it

        A new one: `surfaces.register(surfaces.from_expression("x**2 + y**2",
        window=((-1, 1), (-1, 1)), name="bowl"))`, then `surfaces.get("bowl")`.
    """  # noqa: E501
    if not isinstance(surface, Surface):
        raise TypeError(
            f"`surfaces.register`: surface must be a Surface, "
            f"got {surface!r} of type {type(surface)}"
        )
    if not isinstance(surface.name, str) or not surface.name:
        raise ValueError(
            f"`surfaces.register`: name must be a non-empty str, got {surface.name!r}"
        )
    if surface.name in _REGISTRY and not overwrite:
        raise ValueError(
            f"`surfaces.register`: a surface named {surface.name!r} is already "
            "registered; pass overwrite=True to replace it"
        )
    _REGISTRY[surface.name] = surface
    return surface
