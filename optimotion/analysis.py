r"""Measuring ensembles: growth rates, their theory at a saddle, and escapes.

Near a saddle with unstable curvature a (the Hessian's eigenvalue −a < 0 at the
centre) and curvature noise of strength σ, SGD multiplies the unstable coordinate
by 1 + a·η_t + s_t·ξ each step (ξ ~ N(0, 1), s_t = σ√η_t for noise per unit time,
`sde=True`, else σ·η_t). The mean log distance therefore grows per step by

.. math:: g_t = \mathbb{E}\log\lvert 1 + a\eta_t + s_t\xi\rvert,

which is a·η − σ²η/2 to first order in η: per unit time (time τ = Σ η) the growth
rate is a − σ²/2 (the seed's effective rate), and noise of σ > √(2a) traps the
particles at the saddle. `step_growth` evaluates g_t exactly (a Poisson mixture of
digamma values, the log-moment of a non-central χ²₁), `fit_growth` measures the
rate from an ensemble, with its standard error.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "Escapes",
    "Fit",
    "Theory",
    "escapes",
    "expected_log_abs",
    "fit_growth",
    "fit_window",
    "step_growth",
    "theory",
    "theory_curve",
    "unstable_rate",
]

_EULER_GAMMA = 0.5772156649015329
_ASYMPTOTIC = 30.0
_DOUBLE_FACTORIAL = {1: 1, 2: 3, 3: 15, 4: 105}  # (2k − 1)!!


def expected_log_abs(mu: Any) -> np.ndarray:
    r"""E log|μ + ξ| for ξ ~ N(0, 1), elementwise.

    (μ + ξ)² is non-central χ²₁ with non-centrality λ = μ², a Poisson(λ/2) mixture
    of central χ²_{1+2j}, and E log χ²_ν = log 2 + ψ(ν/2), so

    .. math:: \mathbb{E}\log\lvert\mu+\xi\rvert = \tfrac12\Big(\log 2 +
        \sum_j e^{-\lambda/2}\tfrac{(\lambda/2)^j}{j!}\,\psi(\tfrac12 + j)\Big),
        \quad \psi(\tfrac12 + j) = -\gamma - 2\log 2 + \sum_{k=1}^{j}\tfrac{2}{2k-1}.

    For |μ| > `_ASYMPTOTIC` the series log|μ| − Σ_k (2k − 1)!! / (2k μ^{2k}),
    k = 1..4, is used; the two agree to 1e-10 where they meet.

    Examples:
        >>> round(float(expected_log_abs(0.0)), 7)  # −(γ + log 2) / 2
        -0.6351814
    """
    mu = np.abs(np.asarray(mu, dtype=np.float64))
    out = np.empty_like(mu)
    big = mu > _ASYMPTOTIC
    m = mu[big]
    out[big] = np.log(m) - sum(
        _DOUBLE_FACTORIAL[k] / (2 * k * m ** (2 * k)) for k in range(1, 5)
    )
    small = mu[~big]
    if small.size:
        half = small**2 / 2  # λ / 2, at most 450
        j_max = int(half.max() + 12 * math.sqrt(half.max()) + 30)
        j = np.arange(j_max + 1)
        psi = (
            -_EULER_GAMMA
            - 2 * math.log(2)
            + np.concatenate([[0.0], np.cumsum(2.0 / (2 * j[1:] - 1))])
        )
        log_fact = np.concatenate([[0.0], np.cumsum(np.log(j[1:]))])
        log_half = np.log(np.where(half > 0, half, 1.0))[:, None]
        log_w = -half[:, None] + j[None] * log_half - log_fact[None]
        log_w[half == 0, 1:] = -np.inf  # at mu = 0 all the weight is on j = 0
        out[~big] = 0.5 * (math.log(2) + np.exp(log_w) @ psi)
    return out


def step_growth(a: float, sigma: float, lr: Any, *, sde: bool) -> np.ndarray:
    """g_t = E log|1 + a·η_t + s_t·ξ| per step, s_t = σ√η_t (`sde`) or σ·η_t.

    Args:
        a: the unstable curvature (minus the Hessian's negative eigenvalue).
        sigma: the curvature noise σ along the unstable direction, >= 0.
        lr: the learning rate of each step, (steps,).
        sde: whether the noise is per unit time (`noise.curvature(..., sde=True)`).

    Examples:
        >>> step_growth(2.0, 0.0, [0.01], sde=True).round(6).tolist()  # log 1.02
        [0.019803]
    """
    lr = np.asarray(lr, dtype=np.float64).reshape(-1)
    m = np.abs(1.0 + a * lr)
    s = sigma * (np.sqrt(lr) if sde else lr)
    out = np.log(m)
    noisy = s > 0
    out[noisy] = np.log(s[noisy]) + expected_log_abs(m[noisy] / s[noisy])
    return out


class Theory(NamedTuple):
    """The linear theory of a saddle under curvature noise.

    Attributes:
        a: the unstable curvature at the centre.
        sigma: the curvature noise σ (0 without it).
        sde: whether σ is per unit time (the rate a − σ²/2 then holds for small η).
    """

    a: float
    sigma: float
    sde: bool

    @property
    def rate(self) -> float:
        """The continuum growth rate per unit time, a − σ²/2 (σ per unit time)."""
        return self.a - (self.sigma**2 / 2 if self.sde else 0.0)


def unstable_rate(surface: Any, center: Any) -> float | None:
    """a = −λ_min of the Hessian of `surface` at `center`, or None if the Hessian
    has no negative eigenvalue there (not a saddle or maximum)."""
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        point = jnp.asarray(center, dtype=jnp.float64)
        hessian = np.asarray(jax.hessian(surface.loss)(point), dtype=np.float64)
    lowest = float(np.linalg.eigvalsh((hessian + hessian.T) / 2)[0])
    return -lowest if lowest < 0 else None


def theory(surface: Any, noise: Any, center: Any) -> Theory | None:
    """The saddle theory for an ensemble, or None where it does not apply.

    It applies when `center` is a saddle (or maximum) and the noise is none,
    additive (`gaussian`: it does not change the asymptotic rate), curvature
    noise centred there (`curvature`), or a chain of those; per-coordinate σ pairs
    take the component of the unstable direction.
    """
    from . import noise as estimators

    a = unstable_rate(surface, center)
    if a is None:
        return None
    parts = () if noise is None else getattr(noise, "estimators", (noise,))
    variance, sde = 0.0, None
    for part in parts:
        if isinstance(part, estimators.Gaussian):
            continue
        if not isinstance(part, estimators.Curvature):
            return None
        if not np.allclose(part.center, center, atol=1e-9):
            return None
        if sde is not None and part.sde != sde:
            return None
        sde = bool(part.sde)
        sigma = np.asarray(part.sigma, dtype=np.float64).reshape(-1)
        if sigma.size == 2:
            sigma = sigma[[_unstable_axis(surface, center)]]
        variance += float(sigma[0]) ** 2
    return Theory(a=a, sigma=math.sqrt(variance), sde=bool(sde))


def _unstable_axis(surface: Any, center: Any) -> int:
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        hessian = np.asarray(
            jax.hessian(surface.loss)(jnp.asarray(center, dtype=jnp.float64))
        )
    _, vectors = np.linalg.eigh((hessian + hessian.T) / 2)
    return int(np.argmax(np.abs(vectors[:, 0])))


def theory_curve(
    mean_log_distance: Any, lr: Any, model: Theory, anchor: int
) -> np.ndarray:
    """The predicted mean log distance per step: the measured value at `anchor`
    plus the summed `step_growth` after it; NaN before `anchor`."""
    mean = np.asarray(mean_log_distance, dtype=np.float64)
    growth = step_growth(model.a, model.sigma, lr, sde=model.sde)
    curve = np.full(len(mean), np.nan)
    curve[anchor:] = mean[anchor] + np.concatenate([[0.0], np.cumsum(growth[anchor:])])
    return curve


class Fit(NamedTuple):
    """A growth rate of the mean log distance per unit time.

    Attributes:
        rate: the least-squares slope of mean log‖x − center‖ against τ = Σ η
            over steps `lo..hi`.
        stderr: its standard error: the slope is the mean over particles of each
            particle's own slope, whose spread is measured on the kept paths.
        lo, hi: the steps fitted (inclusive).
        intercept: the line's value at τ = 0.
    """

    rate: float
    stderr: float
    lo: int
    hi: int
    intercept: float


def fit_growth(
    mean_log_distance: Any,
    lr: Any,
    paths: Any,
    center: Any,
    alive: Any,
    *,
    lo: int | None = None,
    hi: int | None = None,
) -> Fit:
    """Fit the growth rate of the mean log distance over steps `lo..hi`.

    Args:
        mean_log_distance: (steps + 1,) over all living particles.
        lr: (steps,) the learning rates; time is τ_t = Σ_{s<t} η_s.
        paths: (keep, steps + 1, 2) kept paths, for the standard error.
        center: the point distances are measured from.
        alive: (steps + 1,) how many particles the mean is over at each step
            (`Ensemble.alive`).
        lo, hi: the steps fitted; default `fit_window(alive)`: the second half of
            the steps before the first divergence.

    Raises:
        ValueError: fewer than two steps to fit, or no time elapsed.
    """
    mean = np.asarray(mean_log_distance, dtype=np.float64)
    steps = len(mean) - 1
    alive = np.asarray(alive)
    if alive.shape != mean.shape:
        raise ValueError(
            f"`fit_growth`: alive must have shape {mean.shape}, got {alive.shape}"
        )
    window = fit_window(alive)
    lo = window[0] if lo is None else lo
    hi = window[1] if hi is None else hi
    if not 0 <= lo < hi <= steps:
        raise ValueError(f"`fit_growth`: need 0 <= lo < hi <= {steps}, got {lo}, {hi}")
    tau = np.concatenate([[0.0], np.cumsum(np.asarray(lr, dtype=np.float64))])
    t = tau[lo : hi + 1]
    if not t[-1] > t[0]:
        raise ValueError("`fit_growth`: no time elapses between lo and hi (lr = 0)")
    weights = (t - t.mean()) / ((t - t.mean()) ** 2).sum()  # slope = weights @ y
    rate = float(weights @ mean[lo : hi + 1])
    intercept = float(mean[lo : hi + 1].mean() - rate * t.mean())
    distance = np.linalg.norm(np.asarray(paths)[:, lo : hi + 1] - center, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = np.log(distance) @ weights
    slopes = slopes[np.isfinite(slopes)]
    count = int(alive[hi])
    stderr = (
        float(slopes.std(ddof=1) / math.sqrt(count)) if len(slopes) > 1 else math.nan
    )
    return Fit(rate=rate, stderr=stderr, lo=lo, hi=hi, intercept=intercept)


def fit_window(alive: Any) -> tuple[int, int]:
    """`(lo, hi)`: the steps the growth rate is fitted over: the second half of
    the steps before the first particle diverges (the mean over the survivors
    would lose the fastest-growing particles), at least steps 0..2.

    Examples:
        >>> fit_window([5, 5, 5, 5, 5, 5, 5])
        (3, 6)
        >>> fit_window([5, 5, 5, 5, 5, 4, 4])
        (2, 4)
    """
    alive = np.asarray(alive)
    lost = np.flatnonzero(alive < alive[0])
    hi = len(alive) - 1 if lost.size == 0 else max(int(lost[0]) - 1, 2)
    hi = min(hi, len(alive) - 1)
    return hi // 2, hi


class Escapes(NamedTuple):
    """Attributes:
    fraction: the fraction of particles escaped by the last step.
    median_step: the median escape step over all particles (None when fewer than
        half escaped: the median is then later than the last step).
    """

    fraction: float
    median_step: float | None


def escapes(exit_step: Any) -> Escapes:
    """The escape summary of `Ensemble.exit_step` (-1: not escaped).

    Examples:
        >>> escapes([3, -1, 5, 7])
        Escapes(fraction=0.75, median_step=6.0)
        >>> escapes([3, -1, -1, 7])
        Escapes(fraction=0.5, median_step=None)
    """
    steps = np.asarray(exit_step, dtype=np.float64)
    escaped = steps >= 0
    fraction = float(escaped.mean())
    times = np.where(escaped, steps, np.inf)
    median = float(np.median(times)) if fraction > 0.5 else None
    return Escapes(fraction=fraction, median_step=median)
