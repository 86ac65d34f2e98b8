"""Gradient noise models: how a stochastic gradient is made from the exact one.

A noise model is a NamedTuple (so its numbers are traced through `jax.jit`) with one
method, `gradient(key, loss, params, grad) -> noisy_grad`. The optimizers never see
it: the dynamics hands them whatever gradient the noise model returns, so new models
(surface shaking, curvature noise, minibatches of a finite sum) slot in here alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

import jax

Loss = Callable[[jax.Array], jax.Array]


class Noise(Protocol):
    def gradient(
        self, key: jax.Array, loss: Loss, params: jax.Array, grad: jax.Array
    ) -> jax.Array:
        """The stochastic gradient at `params`, given the exact `grad` there."""
        ...


class Gaussian(NamedTuple):
    """Additive isotropic Gaussian gradient noise: g̃ = ∇f(x) + σ ξ, ξ ~ N(0, I)."""

    sigma: jax.typing.ArrayLike

    def gradient(
        self, key: jax.Array, loss: Loss, params: jax.Array, grad: jax.Array
    ) -> jax.Array:
        del loss, params
        return grad + self.sigma * jax.random.normal(key, grad.shape, grad.dtype)


def gaussian(sigma: float) -> Gaussian:
    """Additive Gaussian gradient noise with standard deviation `sigma` per coordinate.

    Args:
        sigma: the noise standard deviation, a finite number >= 0.

    Returns:
        A `Gaussian` noise model for `optimotion.run(..., noise=...)`.

    Raises:
        ValueError: if `sigma` is negative or not finite.

    Examples:
        >>> import optimotion
        >>> optimotion.noise.gaussian(0.1)
        Gaussian(sigma=0.1)
    """
    if isinstance(sigma, bool) or not isinstance(sigma, int | float):
        raise TypeError(f"`gaussian`: sigma must be a number, got {sigma!r}")
    if not (0.0 <= sigma < float("inf")):
        raise ValueError(f"`gaussian`: sigma must be finite and >= 0, got {sigma!r}")
    return Gaussian(sigma=float(sigma))


__all__ = ["Gaussian", "Noise", "gaussian"]
