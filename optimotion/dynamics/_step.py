"""One optimizer step on one path: the body shared by races and ensembles.

`race` runs the step of each optimizer inside one `lax.scan`; `ensemble` vmaps the
same step over particles inside its scan. Both use `Path`: an optimizer, its
gradient estimator and the surface's divergence bounds, all fixed at trace time.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .. import optimizers
from ..optimizers import Optimizer
from ..surfaces import Surface

BOUND_FACTOR = 100.0
"""A path has diverged once it leaves the window grown by this many window spans."""


class Record(NamedTuple):
    """What one scan step reports for one path (blackjax's `Info`)."""

    xy: jax.Array  # position after the step, NaN once diverged
    loss: jax.Array  # f before the step
    grad: jax.Array  # exact ∇f before the step
    grad_used: jax.Array  # the gradient the optimizer was given
    lr: jax.Array  # learning rate used by the step
    state: dict[str, jax.Array]  # vector state after the step


class Carry(NamedTuple):
    """A path's state between steps."""

    params: jax.Array
    opt_state: Any
    est_state: Any
    alive: jax.Array


@dataclasses.dataclass(frozen=True)
class Static:
    """An estimator that is not a pytree, passed as a static (hashable) argument."""

    value: Any


jax.tree_util.register_static(Static)


def traced(estimator: Any) -> Any:
    """The estimator as a jit argument: its numbers as float64 arrays, or the
    whole object static when it is not a pytree (a user's plain class)."""
    if estimator is None:
        return None
    leaves, treedef = jax.tree.flatten(estimator)
    if treedef.num_nodes == 1 and leaves == [estimator]:
        return Static(estimator)
    return jax.tree.map(_as_array, estimator)


def _as_array(value: Any) -> jax.Array:
    array = jnp.asarray(value)
    return (
        array.astype(jnp.float64)
        if jnp.issubdtype(array.dtype, jnp.floating)
        else array
    )


def untraced(estimator: Any) -> Any:
    return estimator.value if isinstance(estimator, Static) else estimator


def split(optimizer: Optimizer) -> tuple[tuple, dict]:
    """(static part, traced part) of an optimizer's hyperparameters."""
    static, dynamic = [], {}
    for key, value in sorted(optimizer.hyperparams.items()):
        if isinstance(value, bool | str) or value is None:
            static.append((key, value))
        else:
            dynamic[key] = jax.tree.map(lambda v: jnp.asarray(v, jnp.float64), value)
    return (optimizer.name, tuple(static)), dynamic


def rebuild(spec: tuple, hyperparams: dict) -> Optimizer:
    name, static = spec
    return optimizers.rebuild(name, {**dict(static), **hyperparams})


def vector_fields(state: Any) -> tuple[str, ...]:
    """The state fields worth drawing: NamedTuple fields shaped like the parameters."""
    if not hasattr(state, "_fields"):
        return ()
    return tuple(
        name
        for name, value in zip(state._fields, state, strict=True)
        if value is not None and jnp.shape(value) == (2,)
    )


def bounds(surface: Surface) -> tuple[float, float, float, float]:
    (x0, x1), (y0, y1) = surface.window
    span = max(x1 - x0, y1 - y0) * BOUND_FACTOR
    return (x0 - span, x1 + span, y0 - span, y1 + span)


def learning_rate(optimizer: Optimizer, t: jax.Array) -> jax.Array:
    """The step's learning rate (NaN for an optimizer without `lr`)."""
    lr = optimizer.hyperparams.get("lr", optimizer.hyperparams.get("learning_rate"))
    if lr is None:
        return jnp.asarray(jnp.nan)
    return jnp.asarray(optimizers.learning_rate(lr, t), jnp.float64)


class Path(NamedTuple):
    """An optimizer with its estimator on a surface: `init` and `step`."""

    optimizer: Optimizer
    estimator: Any  # a GradientEstimator or None
    surface: Surface

    def init(self, x0: jax.Array) -> Carry:
        est = self.estimator
        return Carry(
            params=x0,
            opt_state=self.optimizer.init(x0),
            est_state=() if est is None else est.init(self.surface, x0),
            alive=jnp.array(True),
        )

    def fields(self, x0: jax.Array) -> tuple[str, ...]:
        return vector_fields(self.optimizer.init(x0))

    def step(self, carry: Carry, key: jax.Array, t: jax.Array) -> tuple[Carry, Record]:
        p, s, e, alive = carry
        f, g = jax.value_and_grad(self.surface.loss)(p)
        lr = learning_rate(self.optimizer, t)
        if self.estimator is None:
            g_used, e_new = g, e
        else:
            g_used, e_new = self.estimator.gradient(e, key, t, lr, self.surface, p, g)
        updates, s_new = self.optimizer.update(g_used, s, p)
        p_new = p + updates
        xmin, xmax, ymin, ymax = bounds(self.surface)
        inside = (
            (p_new[0] >= xmin) & (p_new[0] <= xmax)
            & (p_new[1] >= ymin) & (p_new[1] <= ymax)
        )  # fmt: skip
        ok = alive & jnp.all(jnp.isfinite(p_new)) & inside
        keep = functools.partial(jnp.where, ok)
        nan = jnp.full_like(p, jnp.nan)
        record = Record(
            xy=keep(p_new, nan),
            loss=f,
            grad=g,
            grad_used=g_used,
            lr=lr,
            state={name: keep(getattr(s_new, name), nan) for name in self.fields(p)},
        )
        carry = Carry(
            params=keep(p_new, p),
            opt_state=jax.tree.map(keep, s_new, s),
            est_state=jax.tree.map(keep, e_new, e),
            alive=ok,
        )
        return carry, record
