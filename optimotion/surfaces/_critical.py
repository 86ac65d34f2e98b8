"""Critical points: multi-start Newton on the gradient, with the Hessian by autodiff.

From a grid of seeds over the window, every seed takes damped Newton steps on the
gradient field, all seeds at once. The derivatives (value, gradient, Hessian) come from
one small compiled program per surface (`jax.vmap` of forward-over-reverse autodiff,
float64); the Newton arithmetic on the 2x2 systems is plain NumPy. The points where the
gradient has vanished are deduplicated and classified by the Hessian's eigenvalues.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

SEEDS = 48
"""Seeds per axis of the starting grid (48 x 48 = 2304 starts)."""
ITERATIONS = 100
"""Most Newton steps per seed. Newton converges quadratically at a nondegenerate point;
at the monkey saddle's origin it halves the distance each step, so about 60 steps take
a seed from the window to 1e-16."""
MAX_STEP = 0.2
"""Longest Newton step, as a fraction of the window's larger span."""
DEGENERATE_RTOL = 1e-6
"""An eigenvalue at most this times the Hessian scale counts as zero."""


@functools.partial(jax.jit, static_argnums=0)
def _derivatives(fn: Callable, points: jax.Array) -> jax.Array:
    """Rows `(f, f_x, f_y, f_xx, f_xy, f_yy)` of `fn` at each row of `points`."""

    def loss(p):
        return fn(p[0], p[1])

    value_and_grad = jax.value_and_grad(loss)

    def one(p):
        # Hessian columns H e_i = d/dt ∇f(p + t e_i): forward over reverse mode.
        basis = jnp.eye(2, dtype=p.dtype)
        (f, g), (_, h) = jax.vmap(lambda v: jax.jvp(value_and_grad, (p,), (v,)))(basis)
        return jnp.stack(
            [f[0], g[0, 0], g[0, 1], h[0, 0], 0.5 * (h[0, 1] + h[1, 0]), h[1, 1]]
        )

    return jax.vmap(one)(points)


def _evaluate(fn: Callable, points: np.ndarray) -> tuple[np.ndarray, ...]:
    with jax.enable_x64(True):
        rows = np.asarray(_derivatives(fn, jnp.asarray(points, jnp.float64)))
    return tuple(rows.T)


def _eigenvalues(a, b, c):
    """Eigenvalues (ascending) of the symmetric matrices [[a, b], [b, c]]."""
    mean, radius = 0.5 * (a + c), np.hypot(0.5 * (a - c), b)
    return mean - radius, mean + radius


def find(
    fn: Callable, window: tuple[tuple[float, float], tuple[float, float]]
) -> list[tuple[float, float, float, str]]:
    """`(x, y, value, kind)` of the critical points of `fn` in `window`, by x then y.

    Newton's step solves H d = ∇f. A Hessian can be singular (at a degenerate point, or
    along the way), so the step is Levenberg-Marquardt's, (H² + μI) d = H ∇f, with μ a
    1e-24 fraction of the squared largest eigenvalue of H: Newton's step wherever H is
    invertible, and finite where it is not. Steps are capped at `MAX_STEP` of the span.
    A seed has converged when its last step is below 1e-8 of the span and its gradient
    below 1e-8 of the surface's (the 90th percentile over the seeds). Points where H is
    exactly zero are plateaus (a constant, or an exponential's underflowed tail), not
    isolated critical points, and are dropped.
    """
    (x0, x1), (y0, y1) = window
    span = max(x1 - x0, y1 - y0)
    # Seeds at cell centres, so that no seed sits exactly on a symmetry axis.
    xs = x0 + (np.arange(SEEDS) + 0.5) * (x1 - x0) / SEEDS
    ys = y0 + (np.arange(SEEDS) + 0.5) * (y1 - y0) / SEEDS
    p = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    last = np.full(len(p), np.inf)  # length of each seed's latest Newton step

    with np.errstate(all="ignore"):
        for i in range(ITERATIONS + 1):
            f, gx, gy, a, b, c = _evaluate(fn, p)
            lo, hi = _eigenvalues(a, b, c)
            curvature = np.maximum(np.abs(lo), np.abs(hi))
            gnorm = np.hypot(gx, gy)
            if i == 0:  # the surface's scales, over the seeds
                scale = _positive(np.nanmedian(curvature))
                gscale = _positive(np.nanpercentile(gnorm, 90))
            elif i == ITERATIONS or np.all((last <= 1e-15 * span) | np.isinf(last)):
                break
            # In units of the curvature (no under- or overflow): H = k Ĥ, ∇f = k ĝ.
            k = np.where(curvature > 0, curvature, np.nan)
            a, b, c, gx, gy = a / k, b / k, c / k, gx / k, gy / k
            hg_x, hg_y = a * gx + b * gy, b * gx + c * gy
            m11, m12, m22 = a * a + b * b + 1e-24, b * (a + c), b * b + c * c + 1e-24
            det = m11 * m22 - m12 * m12
            d = np.stack([m22 * hg_x - m12 * hg_y, m11 * hg_y - m12 * hg_x], 1)
            d = d / det[:, None]
            last = np.hypot(d[:, 0], d[:, 1])
            last = np.where(np.isfinite(last), last, np.inf)
            d = d * np.minimum(1.0, MAX_STEP * span / last)[:, None]
            p = p - np.where(np.isfinite(d), d, 0.0)

    slack = 1e-9 * span
    ok = (
        np.all(np.isfinite(p), axis=1)
        & np.isfinite(f)
        & np.isfinite(lo)
        & np.isfinite(hi)
        & (gnorm <= 1e-8 * gscale)
        & (last <= 1e-8 * span)
        & (curvature > 0)
        & (p[:, 0] >= x0 - slack)
        & (p[:, 0] <= x1 + slack)
        & (p[:, 1] >= y0 - slack)
        & (p[:, 1] <= y1 + slack)
    )
    index = np.flatnonzero(ok)
    index = index[np.argsort(gnorm[index], kind="stable")]
    tol = 1e-6 * span
    kept: list[int] = []
    for i in index:  # best converged first; drop anything within `tol` of a kept one
        if not kept or np.min(np.hypot(*(p[kept] - p[i]).T)) > tol:
            kept.append(i)

    points = []
    for i in kept:
        zero = DEGENERATE_RTOL * max(scale, abs(lo[i]), abs(hi[i]))
        if min(abs(lo[i]), abs(hi[i])) <= zero:
            kind = "degenerate"
        elif lo[i] > 0:
            kind = "minimum"
        elif hi[i] < 0:
            kind = "maximum"
        else:
            kind = "saddle"
        points.append((float(p[i, 0]), float(p[i, 1]), float(f[i]), kind))
    points.sort(key=lambda t: (t[0], t[1]))
    return points


def _positive(value: float) -> float:
    return float(value) if np.isfinite(value) and value > 0 else 1.0
