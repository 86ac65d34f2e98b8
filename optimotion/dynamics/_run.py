"""`run` and `race`: optimizers on a surface, as one `jax.jit` + `lax.scan` program.

The compiled program takes the start point, the optimizers' numeric hyperparameters,
the noise model's numbers and the seed as traced arguments, so a new start, a new
learning rate or a new seed reuses the compiled program; only a new surface, a new set
of optimizer kinds (and their boolean flags) or a new step count compiles again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import optimizers
from ..optimizers import Optimizer
from ..surfaces import Surface
from ._noise import Noise
from ._trajectory import Trajectory

MAX_STEPS = 1_000_000
BOUND_FACTOR = 100.0
"""A path has diverged once it leaves the window grown by this many window spans."""


class Record(NamedTuple):
    """What one scan step reports for one optimizer (blackjax's `Info`)."""

    xy: jax.Array  # position after the step, NaN once diverged
    loss: jax.Array  # f before the step
    grad: jax.Array  # exact ∇f before the step
    lr: jax.Array  # learning rate used by the step
    state: dict[str, jax.Array]  # vector state after the step


def _split(optimizer: Optimizer) -> tuple[tuple, dict]:
    """(static part, traced part) of an optimizer's hyperparameters."""
    static, traced = [], {}
    for key, value in sorted(optimizer.hyperparams.items()):
        if isinstance(value, bool | str) or value is None:
            static.append((key, value))
        else:
            traced[key] = jax.tree.map(lambda v: jnp.asarray(v, jnp.float64), value)
    return (optimizer.name, tuple(static)), traced


def _vector_fields(state: Any) -> tuple[str, ...]:
    """The state fields worth drawing: NamedTuple fields shaped like the parameters."""
    return tuple(
        name
        for name, value in zip(state._fields, state, strict=True)
        if value is not None and jnp.shape(value) == (2,)
    )


def _bounds(surface: Surface) -> tuple[float, float, float, float]:
    (x0, x1), (y0, y1) = surface.window
    span = max(x1 - x0, y1 - y0) * BOUND_FACTOR
    return (x0 - span, x1 + span, y0 - span, y1 + span)


def _simulate(x0, hparams, noise, key, *, surface, specs, steps):
    """The compiled program: all optimizers, `steps` updates, one scan."""
    loss = surface.loss
    value_and_grad = jax.value_and_grad(loss)
    xmin, xmax, ymin, ymax = _bounds(surface)
    opts = [
        optimizers.rebuild(name, {**dict(static), **traced})
        for (name, static), traced in zip(specs, hparams, strict=True)
    ]
    states = tuple(opt.init(x0) for opt in opts)
    fields = tuple(_vector_fields(s) for s in states)
    carry = (tuple(x0 for _ in opts), states, tuple(jnp.array(True) for _ in opts))

    def step(carry, t):
        params, states, alive = carry
        key_t = jax.random.fold_in(key, t)  # the same noise for every optimizer
        out_params, out_states, out_alive, records = [], [], [], []
        for i, opt in enumerate(opts):
            p, s, a = params[i], states[i], alive[i]
            f, g = value_and_grad(p)
            g_used = g if noise is None else noise.gradient(key_t, loss, p, g)
            updates, s_new = opt.update(g_used, s, p)
            p_new = p + updates
            inside = (
                (p_new[0] >= xmin) & (p_new[0] <= xmax)
                & (p_new[1] >= ymin) & (p_new[1] <= ymax)
            )  # fmt: skip
            ok = a & jnp.all(jnp.isfinite(p_new)) & inside
            p_next = jnp.where(ok, p_new, p)
            s_next = jax.tree.map(functools.partial(jnp.where, ok), s_new, s)
            nan = jnp.full_like(p, jnp.nan)
            records.append(
                Record(
                    xy=jnp.where(ok, p_new, nan),
                    loss=f,
                    grad=g,
                    lr=optimizers.learning_rate(opt.hyperparams["lr"], t),
                    state={
                        name: jnp.where(ok, getattr(s_new, name), nan)
                        for name in fields[i]
                    },
                )
            )
            out_params.append(p_next)
            out_states.append(s_next)
            out_alive.append(ok)
        return (tuple(out_params), tuple(out_states), tuple(out_alive)), tuple(records)

    (last, _, _), records = jax.lax.scan(step, carry, jnp.arange(steps))
    final = tuple(jax.vmap(value_and_grad)(r.xy[-1:]) for r in records)
    initial = tuple(
        {name: getattr(s, name) for name in f}
        for s, f in zip(states, fields, strict=True)
    )
    return records, final, initial


_compiled = jax.jit(_simulate, static_argnames=("surface", "specs", "steps"))


def race(
    surface: Surface,
    optimizers_by_label: Mapping[str, Optimizer],
    x0: jax.typing.ArrayLike,
    steps: int,
    *,
    seed: int = 0,
    noise: Noise | None = None,
) -> dict[str, Trajectory]:
    """Run several optimizers from one start in one compiled program.

    Every optimizer sees the same noise sequence (common random numbers), so
    `race(...)[label]` equals `run(...)` of that optimizer alone with the same seed.

    Args:
        surface: the loss surface.
        optimizers_by_label: `{label: optimizer}`, in legend order.
        x0: the start point `(x, y)`.
        steps: the number of updates, >= 1.
        seed: the random seed for the noise model (ignored without noise).
        noise: a noise model such as `optimotion.noise.gaussian(0.1)`, or None for
            exact gradients.

    Returns:
        `{label: Trajectory}` in float64, in the order given.

    Raises:
        ValueError: on an empty race, a bad start point or step count.

    Examples:
        >>> import optimotion
        >>> from optimotion import optimizers, surfaces
        >>> paths = optimotion.race(
        ...     surfaces.get("saddle"),
        ...     {"SGD": optimizers.sgd(lr=0.1), "Adam": optimizers.adam(lr=0.1)},
        ...     x0=(1.0, 0.0),
        ...     steps=3,
        ... )
        >>> paths["SGD"].xy[:, 0].round(4).tolist()  # x shrinks by 1 - 2 lr a step
        [1.0, 0.8, 0.64, 0.512]
    """
    if not optimizers_by_label:
        raise ValueError("`race`: needs at least one optimizer, got none")
    for label, opt in optimizers_by_label.items():
        if not isinstance(opt, Optimizer):
            raise TypeError(
                f"`race`: {label!r} must be an Optimizer (from optimotion.optimizers), "
                f"got {opt!r} of type {type(opt)}"
            )
    start = _check_start(x0)
    steps = _check_steps(steps)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`race`: seed must be an integer >= 0, got {seed!r}")
    labels = list(optimizers_by_label)
    with jax.enable_x64(True):
        specs, hparams = zip(
            *(_split(o) for o in optimizers_by_label.values()), strict=True
        )
        noise = (
            None
            if noise is None
            else jax.tree.map(lambda v: jnp.asarray(v, jnp.float64), noise)
        )
        records, final, initial = jax.device_get(
            _compiled(
                jnp.asarray(start, jnp.float64),
                hparams,
                noise,
                jax.random.key(seed),
                surface=surface,
                specs=tuple(specs),
                steps=steps,
            )
        )
    return {
        label: _trajectory(start, rec, fin, ini)
        for label, rec, fin, ini in zip(labels, records, final, initial, strict=True)
    }


def run(
    surface: Surface,
    optimizer: Optimizer,
    x0: jax.typing.ArrayLike,
    steps: int,
    *,
    seed: int = 0,
    noise: Noise | None = None,
) -> Trajectory:
    """Run one optimizer on a surface: `race` with a single entrant.

    Examples:
        >>> import optimotion
        >>> from optimotion import optimizers, surfaces
        >>> path = optimotion.run(
        ...     surfaces.get("booth"), optimizers.adam(lr=0.1), (0.0, 0.0), 500
        ... )
        >>> path.xy[-1].round(3).tolist()
        [1.0, 3.0]
    """
    return race(
        surface, {optimizer.name: optimizer}, x0, steps, seed=seed, noise=noise
    )[optimizer.name]


def _check_start(x0: jax.typing.ArrayLike) -> np.ndarray:
    try:
        start = np.asarray(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`run`: x0 must be a point (x, y), got {x0!r}") from None
    if start.shape != (2,) or not np.all(np.isfinite(start)):
        raise ValueError(f"`run`: x0 must be a finite point (x, y), got {x0!r}")
    return start


def _check_steps(steps: int) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TypeError(f"`run`: steps must be an integer, got {steps!r}")
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"`run`: steps must be in [1, {MAX_STEPS}], got {steps!r}")
    return int(steps)


def _trajectory(start, record: Record, final, initial) -> Trajectory:
    final_loss, final_grad = final
    xy = np.vstack([start[None], record.xy])
    loss = np.append(record.loss, final_loss)
    grad = np.vstack([record.grad, final_grad])
    bad = np.flatnonzero(np.isnan(xy[:, 0]))
    diverged_at = int(bad[0]) if bad.size else None
    if diverged_at is not None:  # the exact values after divergence are meaningless
        loss[diverged_at:] = np.nan
        grad[diverged_at:] = np.nan
    state = {
        name: np.vstack([np.asarray(initial[name])[None], record.state[name]])
        for name in record.state
    }
    step_length = np.linalg.norm(np.diff(xy, axis=0), axis=1)
    return Trajectory(
        xy=xy,
        loss=loss,
        grad=grad,
        step_length=step_length,
        state=state,
        diverged_at=diverged_at,
        lr=np.asarray(record.lr, dtype=np.float64),
    )
