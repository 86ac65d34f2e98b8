r"""Gradient estimators: the gradient an optimizer sees, made from the surface.

An estimator is a pair of methods, `init(surface, params) -> state` and
`gradient(state, key, step, lr, surface, params, grad) -> (g, state)`, in the shape
of an optimizer: `grad` is the exact ∇f(params) (or, inside a `chain`, the estimate
so far), `key` is the path's PRNG key (the estimator folds in `step` itself, so an
epoch's permutation can be drawn from the same key at every step of the epoch),
`lr` is the learning rate the optimizer uses at this step. The optimizers never see
the estimator: the dynamics hands them `g`.

The shipped estimators are frozen dataclasses registered as JAX pytrees: their
numbers (`sigma`, `radius`, `center`, ...) are traced, so a new value reuses the
compiled program; their sizes and flags (`batch_size`, `sde`) are static. Any
other object with `init` and `gradient` works too; it is then a static argument
of the compiled program (it must be hashable, and a new one compiles again).

Keys: the path's key is `jax.random.key(seed)` (an ensemble's particle i uses
`fold_in(key(seed), i)`); step t's draws come from `fold_in(key, t)`, and the
k-th estimator of a chain uses `fold_in(key, k)` in place of `key`. Optimizers of
one race that have equal estimators therefore see the same noise (common random
numbers). A pair of normals is made from the 64 bits of the step key itself (one
threefry block per step, see `_normal`).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any, ClassVar, Protocol

import jax
import jax.numpy as jnp

from ..surfaces import Surface


class GradientEstimator(Protocol):
    """What the dynamics asks of an estimator."""

    def init(self, surface: Surface, params: jax.Array) -> Any:
        """The estimator's state at the start (a pytree; `()` if it has none)."""
        ...

    def gradient(
        self,
        state: Any,
        key: jax.Array,
        step: jax.Array,
        lr: jax.Array,
        surface: Surface,
        params: jax.Array,
        grad: jax.Array,
    ) -> tuple[jax.Array, Any]:
        """`(g, new_state)`: the gradient the optimizer uses at `step`."""
        ...


def _static(default: Any = dataclasses.MISSING) -> Any:
    return dataclasses.field(default=default, metadata={"static": True})


def _estimator(cls: type) -> type:
    """A frozen dataclass registered as a pytree (numbers traced, `_static`
    fields part of the compiled program's shape)."""
    cls = dataclasses.dataclass(frozen=True)(cls)
    return jax.tree_util.register_dataclass(cls)


def _step_key(key: jax.Array, step: jax.Array) -> jax.Array:
    return jax.random.fold_in(key, step)


# A change of the draws moves every noisy path: raise `optimotion._cache.STREAMS`.
DRAWS = jnp.float32
"""The precision random draws are made in. On a CPU a float64 normal costs about
five float32 ones (the inverse error function in double precision), and the
draws dominate an ensemble's step; a float32 normal is an exact sample of a
normal rounded to 24 bits, far finer than any effect noise is used to show. The
paths themselves stay float64."""


def _normal(key: jax.Array, shape: tuple[int, ...], dtype: Any) -> jax.Array:
    """Standard normals drawn in float32 and widened to `dtype` (see DRAWS).

    Up to as many normals as the key has 32-bit words (two for the default
    threefry key) are made from the key's own bits: a step key
    `fold_in(key, t)` is already one threefry2x32 block of (key, t), 64 random
    bits, so hashing it again (`jax.random.normal(step_key)`) would cost a
    second block for nothing. Each word goes through `jax.random.normal`'s own
    transform: its top 23 bits make u uniform on [-1, 1) (clipped to
    nextafter(-1, 0)), and ξ = √2 erf⁻¹(u). Larger shapes hash the key as
    `jax.random.normal` does.
    """
    size = math.prod(shape)
    words = jax.random.key_data(key).ravel()
    if size > words.size:
        return jax.random.normal(key, shape, DRAWS).astype(dtype)
    mantissa = (words[:size] >> 9) | jnp.uint32(0x3F800000)  # [1, 2) as float32
    unit = jax.lax.bitcast_convert_type(mantissa, DRAWS) - 1.0  # [0, 1)
    low = jnp.nextafter(jnp.asarray(-1.0, DRAWS), jnp.asarray(0.0, DRAWS))
    u = jnp.maximum(low, unit * (1.0 - low) + low)
    xi = jnp.asarray(math.sqrt(2.0), DRAWS) * jax.lax.erf_inv(u)
    return xi.reshape(shape).astype(dtype)


def _sde_scale(sigma: jax.Array, lr: jax.Array, sde: bool) -> jax.Array:
    """sigma, or sigma / √lr (0 where lr is 0) for noise per unit time."""
    if not sde:
        return sigma
    return jnp.where(lr > 0, sigma / jnp.sqrt(jnp.where(lr > 0, lr, 1.0)), 0.0)


# --- perturbations: added to the gradient they are given --------------------------


@_estimator
class Gaussian:
    r"""Additive Gaussian gradient noise.

    .. math::
        \tilde g = g + s\,\xi,\quad \xi \sim N(0, I),\quad
        s = \sigma \text{ or, with } sde,\ s = \sigma / \sqrt{\alpha_t}
    """

    sigma: jax.Array
    sde: bool = _static(False)
    role: ClassVar[str] = "perturbation"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return ()

    def gradient(self, state, key, step, lr, surface, params, grad):
        del surface, params
        xi = _normal(_step_key(key, step), grad.shape, grad.dtype)
        return grad + _sde_scale(jnp.asarray(self.sigma), lr, self.sde) * xi, state


@_estimator
class Curvature:
    r"""Attractive (multiplicative) noise: random curvature around `center`.

    .. math::
        \tilde g = g + s\,\xi \odot (x - c),\quad \xi \sim N(0, I)
    """

    sigma: jax.Array
    center: jax.Array
    sde: bool = _static(False)
    role: ClassVar[str] = "perturbation"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return ()

    def gradient(self, state, key, step, lr, surface, params, grad):
        del surface
        xi = _normal(_step_key(key, step), grad.shape, grad.dtype)
        scale = _sde_scale(jnp.asarray(self.sigma), lr, self.sde)
        return grad + scale * xi * (params - jnp.asarray(self.center)), state


@_estimator
class HeavyTailed:
    r"""Student-t gradient noise with `df` degrees of freedom.

    .. math:: \tilde g = g + \sigma\,\xi,\quad \xi_j \sim t_{df}
    """

    sigma: jax.Array
    df: jax.Array
    role: ClassVar[str] = "perturbation"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return ()

    def gradient(self, state, key, step, lr, surface, params, grad):
        del surface, params
        df = jnp.asarray(self.df).astype(DRAWS)
        xi = jax.random.t(_step_key(key, step), df, grad.shape, DRAWS)
        xi = xi.astype(grad.dtype)
        return grad + self.sigma * xi, state


@_estimator
class Perturbed:
    r"""Perturbed gradient descent (Jin et al. 2017): a kick where the gradient
    is small.

    When ‖∇f(x)‖ ≤ `threshold` (the exact gradient) and at least `wait` steps
    have passed since the last kick, the point is kicked by ξ drawn uniformly from
    the disc of radius `radius`, given to the optimizer as a gradient term:

    .. math:: \tilde g = g - \xi / \alpha_t
    """

    radius: jax.Array
    threshold: jax.Array
    wait: jax.Array
    role: ClassVar[str] = "perturbation"

    def init(self, surface: Surface, params: jax.Array) -> jax.Array:
        return -jnp.asarray(self.wait, jnp.int32)  # the step of the last kick

    def gradient(self, state, key, step, lr, surface, params, grad):
        exact = jax.grad(surface.loss)(params)
        kick = (jnp.linalg.norm(exact) <= self.threshold) & (step - state >= self.wait)
        direction_key, radius_key = jax.random.split(_step_key(key, step))
        z = _normal(direction_key, grad.shape, grad.dtype)
        u = jax.random.uniform(radius_key, (), DRAWS).astype(grad.dtype)
        xi = self.radius * u ** (1.0 / grad.size) * z / jnp.linalg.norm(z)
        safe_lr = jnp.where(lr > 0, lr, 1.0)
        g = jnp.where(kick & (lr > 0), grad - xi / safe_lr, grad)
        return g, jnp.where(kick, step.astype(jnp.int32), state)


# --- sources: make the gradient from the surface ----------------------------------


@_estimator
class Shaking:
    r"""The surface shaken: translated by δ ~ N(0, σ²I) at every step.

    .. math:: \tilde g = \nabla f(x - \delta)
    """

    sigma: jax.Array
    role: ClassVar[str] = "source"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return ()

    def gradient(self, state, key, step, lr, surface, params, grad):
        delta = self.sigma * _normal(_step_key(key, step), params.shape, params.dtype)
        return jax.grad(surface.loss)(params - delta), state


_EPOCH = 0x45504F43  # fold-in tag of the epoch permutations ("EPOC")


def _batch(key: jax.Array, step: jax.Array, n: int, size: int) -> jax.Array:
    """The indices of step's minibatch: without replacement within an epoch of
    n // size batches, reshuffled each epoch (the last n % size examples of an
    epoch's permutation are left out, as with `drop_last=True`)."""
    per_epoch = n // size
    epoch, slot = step // per_epoch, step % per_epoch
    order = jax.random.permutation(
        jax.random.fold_in(jax.random.fold_in(key, _EPOCH), epoch), n
    )
    return jax.lax.dynamic_slice(order, (slot * size,), (size,))


def _batch_grad(surface: Surface, params: jax.Array, index: jax.Array) -> jax.Array:
    return jax.grad(surface.batch_loss)(params, index)


@_estimator
class Minibatch:
    r"""The gradient of the mean loss over a minibatch B of a finite sum.

    .. math:: \tilde g = \frac{1}{|B|}\sum_{i \in B} \nabla \ell(x; z_i)
    """

    batch_size: int = _static()
    role: ClassVar[str] = "source"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return ()

    def gradient(self, state, key, step, lr, surface, params, grad):
        index = _batch(key, step, surface.n_examples, self.batch_size)
        return _batch_grad(surface, params, index), state


@_estimator
class SVRG:
    r"""Stochastic variance-reduced gradient (Johnson & Zhang 2013).

    Every `every` steps the current point becomes the landmark x̃ and μ = ∇f(x̃)
    its full gradient; each step then uses

    .. math:: \tilde g = \nabla f_B(x) - \nabla f_B(\tilde x) + \mu
    """

    batch_size: int = _static()
    every: jax.Array = 1
    role: ClassVar[str] = "source"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return (params, jnp.zeros_like(params))

    def gradient(self, state, key, step, lr, surface, params, grad):
        renew = step % self.every == 0
        landmark = jnp.where(renew, params, state[0])
        mu = jnp.where(renew, jax.grad(surface.loss)(params), state[1])
        index = _batch(key, step, surface.n_examples, self.batch_size)
        g = (
            _batch_grad(surface, params, index)
            - _batch_grad(surface, landmark, index)
            + mu
        )
        return g, (landmark, mu)


@_estimator
class Chain:
    """Estimators applied in order: a source (or the exact gradient), then
    perturbations, each given the gradient so far."""

    estimators: tuple
    role: ClassVar[str] = "chain"

    def init(self, surface: Surface, params: jax.Array) -> tuple:
        return tuple(e.init(surface, params) for e in self.estimators)

    def gradient(self, state, key, step, lr, surface, params, grad):
        states = []
        for k, (e, s) in enumerate(zip(self.estimators, state, strict=True)):
            grad, s = e.gradient(
                s, jax.random.fold_in(key, k), step, lr, surface, params, grad
            )
            states.append(s)
        return grad, tuple(states)


# --- factories: validated eagerly -------------------------------------------------


def _number(api: str, name: str, value: Any, *, low: float, strict: bool = False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"`{api}`: {name} must be a number, got {value!r} of type {type(value)}"
        )
    value = float(value)
    ok = math.isfinite(value) and (value > low if strict else value >= low)
    if not ok:
        bound = f"> {low:g}" if strict else f">= {low:g}"
        raise ValueError(f"`{api}`: {name} must be finite and {bound}, got {value!r}")
    return value


def _sigma(api: str, sigma: Any) -> float | tuple[float, float]:
    if isinstance(sigma, tuple | list):
        if len(sigma) != 2:
            raise ValueError(
                f"`{api}`: sigma must be a number or a pair (sx, sy), got {sigma!r}"
            )
        return tuple(  # type: ignore[return-value]
            _number(api, f"sigma[{i}]", s, low=0.0) for i, s in enumerate(sigma)
        )
    return _number(api, "sigma", sigma, low=0.0)


def _whole(api: str, name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{api}`: {name} must be an integer, got {value!r} of type {type(value)}"
        )
    if value < low:
        raise ValueError(f"`{api}`: {name} must be >= {low}, got {value!r}")
    return int(value)


def _bool(api: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"`{api}`: {name} must be True or False, got {value!r}")
    return value


def gaussian(sigma: float | tuple[float, float], sde: bool = False) -> Gaussian:
    r"""Additive Gaussian gradient noise: g̃ = ∇f(x) + s·ξ, ξ ~ N(0, I).

    With `sde=False`, s = `sigma` (per coordinate; a pair `(sx, sy)` gives each
    axis its own). With `sde=True`, s = sigma / √lr, so that a step of SGD,
    x ← x − lr·g̃, is the Euler–Maruyama step of dx = −∇f dt + sigma dW with
    dt = lr (the seed's diffusive τ dV term): the noise per unit time no longer
    depends on the learning rate.

    Args:
        sigma: the standard deviation, a number >= 0 or a pair of them.
        sde: scale the noise as a diffusion (see above).

    Returns:
        A `Gaussian` estimator for `run(..., noise=...)`.

    Raises:
        ValueError: if sigma is negative or not finite.
        TypeError: if sigma is not a number (or pair) or sde not a bool.

    Examples:
        >>> from optimotion import noise
        >>> noise.gaussian(0.1)
        Gaussian(sigma=0.1, sde=False)
        >>> noise.gaussian(-1)
        Traceback (most recent call last):
        ...
        ValueError: `gaussian`: sigma must be finite and >= 0, got -1.0
    """
    return Gaussian(sigma=_sigma("gaussian", sigma), sde=_bool("gaussian", "sde", sde))


def shaking(sigma: float) -> Shaking:
    r"""Shake the surface: translate it by δ ~ N(0, sigma² I) at every step, so
    the optimizer sees g̃ = ∇f(x − δ) (the seed documents' noisy double well:
    sigma 1 lingers on the ridge, sigma 2 is trapped at the saddle).

    Args:
        sigma: the standard deviation of the translation, >= 0.

    Raises:
        ValueError: if sigma is negative or not finite.

    Examples:
        >>> from optimotion import noise
        >>> noise.shaking(1.0)
        Shaking(sigma=1.0)
    """
    return Shaking(sigma=_number("shaking", "sigma", sigma, low=0.0))


def curvature(
    sigma: float | tuple[float, float],
    center: tuple[float, float] = (0.0, 0.0),
    sde: bool = False,
) -> Curvature:
    r"""Attractive, multiplicative noise: g̃ = ∇f(x) + s·ξ ⊙ (x − center).

    Random curvature around `center` (the seed's σ x dW term): the noise
    vanishes at the centre and grows with the distance from it. With `sde=True`,
    s = sigma / √lr, so SGD near the saddle x² − y² multiplies y by
    1 + 2 lr + sigma √lr ξ a step, whose mean log growth rate per unit time is
    about a − sigma²/2 with a = 2: strong enough noise (sigma > 2) makes the
    saddle attractive.

    Args:
        sigma: the noise scale, a number >= 0 or a pair `(sx, sy)`.
        center: the point where the noise vanishes (the saddle).
        sde: scale as a diffusion (s = sigma / √lr).

    Raises:
        ValueError: if sigma is negative or center not a finite point.

    Examples:
        >>> from optimotion import noise
        >>> noise.curvature(2.0, sde=True)
        Curvature(sigma=2.0, center=(0.0, 0.0), sde=True)
    """
    if not isinstance(center, tuple | list) or len(center) != 2:
        raise ValueError(f"`curvature`: center must be a point (x, y), got {center!r}")
    point = tuple(
        _number("curvature", f"center[{i}]", c, low=-math.inf)
        for i, c in enumerate(center)
    )
    return Curvature(
        sigma=_sigma("curvature", sigma),
        center=point,
        sde=_bool("curvature", "sde", sde),
    )


def heavy_tailed(sigma: float, df: float) -> HeavyTailed:
    r"""Student-t gradient noise: g̃ = ∇f(x) + sigma·ξ, ξ_j ~ t(df).

    Small `df` gives heavy tails (df ≤ 2: infinite variance; df = 1: Cauchy);
    df → ∞ is `gaussian(sigma)`.

    Raises:
        ValueError: if sigma < 0 or df <= 0.

    Examples:
        >>> from optimotion import noise
        >>> noise.heavy_tailed(0.1, df=3)
        HeavyTailed(sigma=0.1, df=3.0)
    """
    return HeavyTailed(
        sigma=_number("heavy_tailed", "sigma", sigma, low=0.0),
        df=_number("heavy_tailed", "df", df, low=0.0, strict=True),
    )


def minibatch(batch_size: int) -> Minibatch:
    r"""Minibatch gradients of a finite-sum surface (`noisy_moons`, `tanh_net`,
    `linear_regression`, or `surfaces.finite_sum`).

    Each step uses the gradient of the mean loss over `batch_size` examples,
    drawn without replacement within an epoch: an epoch is a fresh permutation
    of the N examples cut into N // batch_size batches (the rest is left out,
    as with `drop_last=True`). `batch_size` = N is exactly full-batch gradient
    descent.

    Raises:
        ValueError: if batch_size < 1 (and, when raced, if it exceeds N or the
            surface is not a finite sum).

    Examples:
        >>> from optimotion import noise
        >>> noise.minibatch(8)
        Minibatch(batch_size=8)
    """
    return Minibatch(batch_size=_whole("minibatch", "batch_size", batch_size, 1))


def svrg(batch_size: int, every: int) -> SVRG:
    r"""SVRG (Johnson & Zhang 2013) on a finite-sum surface.

    Every `every` steps the current point becomes the landmark x̃ and its full
    gradient μ is computed; each step uses ∇f_B(x) − ∇f_B(x̃) + μ on a minibatch B
    of `batch_size` examples (drawn as in `minibatch`). The estimate is unbiased
    and its variance vanishes as x and x̃ approach the minimum, so constant-lr
    SGD's noise floor disappears.

    Raises:
        ValueError: if batch_size < 1 or every < 1.

    Examples:
        >>> from optimotion import noise
        >>> noise.svrg(4, every=50)
        SVRG(batch_size=4, every=50)
    """
    return SVRG(
        batch_size=_whole("svrg", "batch_size", batch_size, 1),
        every=_whole("svrg", "every", every, 1),
    )


def perturbed(radius: float, threshold: float, wait: int = 10) -> Perturbed:
    r"""Perturbed gradient descent (Jin et al. 2017).

    When ‖∇f(x)‖ ≤ `threshold` and at least `wait` steps have passed since the
    last kick, the point is kicked by ξ uniform in the disc of `radius`, passed
    to the optimizer as the gradient term −ξ / lr (for SGD, x ← x − lr∇f + ξ).
    Gradient descent started exactly on a saddle stays there; perturbed GD
    leaves.

    Raises:
        ValueError: if radius <= 0, threshold < 0 or wait < 0.

    Examples:
        >>> from optimotion import noise
        >>> noise.perturbed(0.1, threshold=1e-3, wait=20)
        Perturbed(radius=0.1, threshold=0.001, wait=20)
    """
    return Perturbed(
        radius=_number("perturbed", "radius", radius, low=0.0, strict=True),
        threshold=_number("perturbed", "threshold", threshold, low=0.0),
        wait=_whole("perturbed", "wait", wait, 0),
    )


def chain(*estimators: Any) -> Chain:
    """Compose estimators: at most one source (`shaking`, `minibatch`, `svrg`),
    first, then any perturbations (`gaussian`, `curvature`, `heavy_tailed`,
    `perturbed`), each adding to the gradient made so far. E.g.
    `chain(minibatch(8), perturbed(0.1, 1e-3))` is perturbed SGD.

    Raises:
        ValueError: on two sources, a source after a perturbation, or nothing.

    Examples:
        >>> from optimotion import noise
        >>> noise.chain(noise.minibatch(1), noise.svrg(1, every=10))
        Traceback (most recent call last):
        ...
        ValueError: `chain`: `svrg` is a gradient source and `minibatch` already makes the gradient; a chain takes at most one source (shaking, minibatch, svrg), first
    """  # noqa: E501
    flat: list[Any] = []
    for e in estimators:
        flat.extend(e.estimators if isinstance(e, Chain) else [e])
    if not flat:
        raise ValueError("`chain`: needs at least one estimator")
    for i, e in enumerate(flat):
        if not hasattr(e, "gradient") or not hasattr(e, "init"):
            raise TypeError(
                f"`chain`: estimators must have `init` and `gradient`, got {e!r}"
            )
        if getattr(e, "role", None) == "source" and i > 0:
            before = _kind(flat[i - 1])
            reason = (
                f"`{before}` already makes the gradient"
                if getattr(flat[i - 1], "role", None) == "source"
                else f"it must come before `{before}`"
            )
            raise ValueError(
                f"`chain`: `{_kind(e)}` is a gradient source and {reason}; a chain "
                "takes at most one source (shaking, minibatch, svrg), first"
            )
    return Chain(estimators=tuple(flat))


def _kind(estimator: Any) -> str:
    return _KINDS.get(type(estimator), type(estimator).__name__)


_KINDS = {
    Gaussian: "gaussian",
    Shaking: "shaking",
    Curvature: "curvature",
    HeavyTailed: "heavy_tailed",
    Minibatch: "minibatch",
    SVRG: "svrg",
    Perturbed: "perturbed",
    Chain: "chain",
}


def parts(estimator: Any) -> tuple:
    """The estimators of a chain, or `(estimator,)`."""
    return estimator.estimators if isinstance(estimator, Chain) else (estimator,)


def check(estimator: Any, surface: Surface, api: str) -> None:
    """Refuse an estimator the surface cannot serve, before compiling."""
    if not hasattr(estimator, "gradient") or not hasattr(estimator, "init"):
        raise TypeError(
            f"`{api}`: noise must be a gradient estimator with `init` and "
            f"`gradient` (see optimotion.noise), got {estimator!r}"
        )
    for e in parts(estimator):
        if isinstance(e, Minibatch | SVRG):
            n = surface.n_examples
            if n is None:
                raise ValueError(
                    f"`{api}`: `{_kind(e)}` needs a finite-sum surface (noisy_moons, "
                    f"tanh_net, linear_regression, or surfaces.finite_sum); "
                    f"{surface.name!r} is a closed-form surface"
                )
            if e.batch_size > n:
                raise ValueError(
                    f"`{api}`: `{_kind(e)}`: batch_size must be in [1, {n}] (the "
                    f"surface's {n} examples), got {e.batch_size}"
                )


def describe(estimator: Any) -> str:
    """A short legend text: `batch 8`, `σ=0.1`, `SVRG batch 4 every 50`, ..."""

    def one(e: Any) -> str:
        if isinstance(e, Minibatch):
            return f"batch {e.batch_size}"
        if isinstance(e, SVRG):
            return f"SVRG batch {e.batch_size}, every {e.every}"
        if isinstance(e, Perturbed):
            return f"kicks r={_g(e.radius)}"
        if isinstance(e, Shaking):
            return f"shaken σ={_g(e.sigma)}"
        if isinstance(e, Curvature):
            return f"curvature σ={_g(e.sigma)}"
        if isinstance(e, HeavyTailed):
            return f"t({_g(e.df)}) σ={_g(e.sigma)}"
        if isinstance(e, Gaussian):
            return f"σ={_g(e.sigma)}"
        return type(e).__name__

    return ", ".join(one(e) for e in parts(estimator))


def _g(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_g(v) for v in value) + ")"
    return f"{float(value):g}"
