"""The `Surface` type: a pure `jax.numpy` function of (x, y) plus its metadata."""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .._lazy import jax, jnp

Window = tuple[tuple[float, float], tuple[float, float]]
"""A plotting window `((xmin, xmax), (ymin, ymax))`."""


class CriticalPoint(NamedTuple):
    """A point where the gradient vanishes, classified by the Hessian's eigenvalues."""

    x: float
    y: float
    value: float
    kind: str  # "minimum", "maximum", "saddle" or "degenerate"


KINDS = ("minimum", "maximum", "saddle", "degenerate")
"""The kinds of `CriticalPoint`, by the signs of the Hessian's eigenvalues λ₁ ≤ λ₂:
both > 0, both < 0, opposite, or one of them zero (relative to the Hessian scale)."""


@dataclasses.dataclass(frozen=True, eq=False)
class Surface:
    """A loss surface f(x, y) with what a plot of it needs to know.

    Attributes:
        name: registry key (`saddle`, `beale`, ...).
        fn: pure `jax.numpy` function `fn(x, y) -> jax.Array`, elementwise in x, y.
        formula: the formula in plain text, for terminals and titles.
        latex: the formula in LaTeX (matplotlib mathtext), for figure titles.
        window: default plotting window `((xmin, xmax), (ymin, ymax))`.
        start: a start point that makes a good animation.
        minima: known global/local minima `((x, y), ...)`.
        saddles: known saddle points `((x, y), ...)` inside `window`.
        log_contours: whether contours read best on log-spaced levels.
        data: for a finite-sum surface f(w) = (1/N) Σᵢ ℓ(w; zᵢ), the dataset as a
            tuple of 1-D NumPy arrays of length N (one per field of zᵢ); else None.
        example_fn: for a finite-sum surface, the per-example loss
            `example_fn(x, y, *z) -> ℓ`, elementwise in x, y and the fields of z.
        display_name: the name in titles and legends ("Goldstein–Price"); by
            default `name` with spaces for underscores, capitalized ("Double well").
    """

    name: str
    fn: Callable[[jax.Array, jax.Array], jax.Array]
    formula: str
    latex: str
    window: Window
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    saddles: tuple[tuple[float, float], ...] = ()
    log_contours: bool = False
    data: tuple[np.ndarray, ...] | None = None
    example_fn: Callable[..., jax.Array] | None = None
    display_name: str = ""

    def __post_init__(self) -> None:
        if not self.display_name:
            words = self.name.replace("_", " ")
            object.__setattr__(self, "display_name", words[:1].upper() + words[1:])

    def __call__(self, x: jax.typing.ArrayLike, y: jax.typing.ArrayLike) -> jax.Array:
        """f(x, y), in float64 for Python numbers and float64 arrays (as `run`,
        `race` and `grid` compute), in float32 for float32 arrays; JAX's global
        configuration is not changed."""
        with jax.enable_x64(True):
            return self.fn(jnp.asarray(x), jnp.asarray(y))

    def loss(self, xy: jax.typing.ArrayLike) -> jax.Array:
        """f at a point given as one array `xy` of shape (2,), as optimizers see it."""
        xy = jnp.asarray(xy)
        return self.fn(xy[..., 0], xy[..., 1])

    @property
    def n_examples(self) -> int | None:
        """N, the number of examples of a finite-sum surface; None otherwise."""
        return None if self.data is None else len(self.data[0])

    def batch_loss(self, xy: jax.Array, index: jax.Array) -> jax.Array:
        """The mean per-example loss over the examples `index` (a finite sum's
        minibatch loss), at the point `xy` of shape (2,)."""
        if self.data is None or self.example_fn is None:
            raise ValueError(f"`{self.name}` is not a finite-sum surface")
        batch = tuple(jnp.asarray(field, xy.dtype)[index] for field in self.data)
        return jnp.mean(self.example_fn(xy[0], xy[1], *batch))

    def grid(
        self, n: int = 200, window: Window | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`(X, Y, Z)` NumPy arrays of shape (n, n) over `window` (default: own)."""
        (x0, x1), (y0, y1) = window or self.window
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        with jax.enable_x64(True):
            Z = np.asarray(jax.jit(self.fn)(jnp.asarray(X), jnp.asarray(Y)))
        return X, Y, Z

    def critical_points(
        self, window: Window | None = None
    ) -> tuple[CriticalPoint, ...]:
        r"""The critical points of f in `window` (default: the surface's), classified.

        Multi-start Newton on ∇f = 0 from a 48 x 48 grid of seeds, with the Hessian
        from autodiff (float64, one compiled program per surface, cached). Points
        closer than 1e-6 of the window's span are one point. With λ₁ ≤ λ₂ the
        Hessian's eigenvalues and s the surface's curvature scale (the median of
        max |λ| over the seeds), a point is

        .. math::
            \begin{align*}
            \text{degenerate} &\text{ if } \min |\lambda_i| \le 10^{-6}
                \max(s, |\lambda_1|, |\lambda_2|), \text{ else} \\
            \text{minimum} &\text{ if } \lambda_1 > 0, \quad
            \text{maximum} \text{ if } \lambda_2 < 0, \quad
            \text{saddle} \text{ otherwise.}
            \end{align*}

        A grid of seeds finds the critical points whose Newton basins it hits: all
        of them on the shipped surfaces (441 on Rastrigin's window), but a point
        with a basin narrower than the seed spacing (1/48 of the window) can be
        missed. Plateaus, where the Hessian is exactly zero (a constant, or an
        exponential's underflowed tail), are not points and are not reported; a
        degenerate point is located only as well as its flatness allows (the
        minimum of x**2 + y**4 to about 1e-7).

        Args:
            window: `((xmin, xmax), (ymin, ymax))` to search; points on its edge
                count as inside.

        Returns:
            The critical points as `CriticalPoint(x, y, value, kind)` with Python
            floats, sorted by x, then y.

        Raises:
            TypeError: if a bound of `window` is not a number.
            ValueError: if `window` is not a finite `((xmin, xmax), (ymin, ymax))`
                with xmin < xmax and ymin < ymax.

        Examples:
            >>> from optimotion import surfaces
            >>> surfaces.get("saddle").critical_points()
            (CriticalPoint(x=0.0, y=0.0, value=0.0, kind='saddle'),)
            >>> [p.kind for p in surfaces.get("double_well").critical_points()]
            ['minimum', 'saddle', 'minimum']
        """
        from ._critical import find

        if window is None:
            window = self.window
        else:
            window = check_window(window, "Surface.critical_points")
        return tuple(CriticalPoint(*point) for point in find(self.fn, window))


def check_window(window: object, api: str) -> Window:
    """`window` as floats, or the error a user should see from `api`."""
    try:
        (x0, x1), (y0, y1) = window  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(
            f"`{api}`: window must be ((xmin, xmax), (ymin, ymax)), got {window!r}"
        ) from None
    bounds = {"xmin": x0, "xmax": x1, "ymin": y0, "ymax": y1}
    for field, value in bounds.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(
                f"`{api}`: window {field} must be a number, "
                f"got {value!r} of type {type(value)}"
            )
        if not math.isfinite(value):
            raise ValueError(f"`{api}`: window {field} must be finite, got {value!r}")
    x0, x1, y0, y1 = (float(v) for v in bounds.values())
    if not x0 < x1:
        raise ValueError(f"`{api}`: window needs xmin < xmax, got ({x0!r}, {x1!r})")
    if not y0 < y1:
        raise ValueError(f"`{api}`: window needs ymin < ymax, got ({y0!r}, {y1!r})")
    return ((x0, x1), (y0, y1))
