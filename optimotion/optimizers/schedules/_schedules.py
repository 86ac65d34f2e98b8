"""Learning-rate schedules: NamedTuple pytrees with `__call__(step) -> lr`.

`step` is the number of updates already taken (0 for the first update), which is
`last_epoch` of a `torch.optim.lr_scheduler` stepped once after every optimizer step.
The formulas are torch's closed forms, written in `jax.numpy` without Python
branches on values, so a schedule whose numbers are traced (inside `jax.jit`) works
unchanged. The classes do not validate (jax rebuilds them from traced leaves); the
lowercase factories in `_factories.py` do.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

from ..._lazy import jax, jnp
from .._checks import Check


def _time(step: jax.typing.ArrayLike) -> jax.Array:
    return jnp.asarray(step, dtype=float)


class Constant(NamedTuple):
    """`constant(lr)`: the same learning rate at every step."""

    lr: float

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        return jnp.full_like(_time(step), self.lr)


class StepDecay(NamedTuple):
    """`step_decay(...)`: `lr * gamma ** floor(step / step_size)` (StepLR)."""

    lr: float
    step_size: int
    gamma: float

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        return self.lr * self.gamma ** jnp.floor_divide(_time(step), self.step_size)


class Exponential(NamedTuple):
    """`exponential(...)`: `lr * gamma ** step` (ExponentialLR)."""

    lr: float
    gamma: float

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        return self.lr * self.gamma ** _time(step)


class InverseTime(NamedTuple):
    """`inverse_time(...)`: `lr / (1 + decay * step)`, 1/t annealing."""

    lr: float
    decay: float

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        return self.lr / (1 + self.decay * _time(step))


def _cosine(lr, eta_min, t_cur, t_i) -> jax.Array:
    return eta_min + (lr - eta_min) * (1 + jnp.cos(jnp.pi * t_cur / t_i)) / 2


class Cosine(NamedTuple):
    """`cosine(...)`: cosine annealing from `lr` to `eta_min` (CosineAnnealingLR)."""

    lr: float
    t_max: int
    eta_min: float

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        return _cosine(self.lr, self.eta_min, _time(step), self.t_max)


class Cyclic(NamedTuple):
    """`cyclic(...)`: a triangular cycle (CyclicLR, mode "triangular")."""

    base_lr: float
    max_lr: float
    step_size_up: int
    step_size_down: int

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        t = _time(step)
        total = self.step_size_up + self.step_size_down
        up_ratio = self.step_size_up / total
        cycle = jnp.floor(1 + t / total)
        x = 1.0 + t / total - cycle  # position in the cycle, in [0, 1)
        scale = jnp.where(x <= up_ratio, x / up_ratio, (x - 1) / (up_ratio - 1))
        return self.base_lr + (self.max_lr - self.base_lr) * scale


class CosineWarmRestarts(NamedTuple):
    """`cosine_warm_restarts(...)`: CosineAnnealingWarmRestarts."""

    lr: float
    t_0: int
    t_mult: int
    eta_min: float

    def __call__(self, step: jax.typing.ArrayLike) -> jax.Array:
        t = _time(step)
        grows = self.t_mult != 1
        mult = jnp.where(grows, self.t_mult, 2.0)  # a safe base when t_mult == 1

        def start(n):  # first step of cycle n: t_0 (mult^n - 1) / (mult - 1)
            return jnp.round(self.t_0 * (mult**n - 1) / (mult - 1))

        n = jnp.floor(jnp.log1p(t / self.t_0 * (mult - 1)) / jnp.log(mult))
        n = n - (t < start(n))  # the logarithm may round across a restart:
        n = n + (t >= start(n + 1))  # put t back in [start(n), start(n + 1))
        t_cur = jnp.where(grows, t - start(n), jnp.mod(t, self.t_0))
        t_i = jnp.where(grows, jnp.round(self.t_0 * mult**n), self.t_0)
        return _cosine(self.lr, self.eta_min, t_cur, t_i)


Schedule = (
    Constant
    | StepDecay
    | Exponential
    | InverseTime
    | Cosine
    | Cyclic
    | CosineWarmRestarts
)
"""Any schedule of this module (usable with `isinstance`)."""


def learning_rate(lr: float | Schedule, step: jax.typing.ArrayLike) -> jax.Array:
    """The learning rate of the update that follows `step` updates.

    Args:
        lr: a number or a schedule.
        step: the number of updates already taken (0 for the first update).

    Returns:
        `lr(step)` for a schedule, else `lr`, as a float array of JAX's default
        float dtype.

    Examples:
        >>> from optimotion.optimizers import learning_rate, schedules
        >>> float(learning_rate(0.5, 7))
        0.5
        >>> float(learning_rate(schedules.inverse_time(1.0, decay=1.0), 3))
        0.25
    """
    if isinstance(lr, Schedule):
        return lr(step)
    return jnp.asarray(lr, dtype=float)


def check_learning_rate(check: Check, lr: float | Schedule) -> None:
    """An optimizer's `lr`: a schedule of this module or a number >= 0."""
    if isinstance(lr, Schedule):
        return
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(
            f"`{check.api}`: lr must be a number or a schedule from "
            f"optimotion.optimizers.schedules, got {lr!r} of type {type(lr)}"
        )
    check.at_least("lr", lr, 0)
