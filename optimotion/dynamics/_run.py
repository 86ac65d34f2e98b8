"""`run` and `race`: optimizers on a surface, as one `jax.jit` + `lax.scan` program.

The compiled program takes the start point, the optimizers' numeric hyperparameters,
the noise model's numbers and the seed as traced arguments, so a new start, a new
learning rate or a new seed reuses the compiled program; only a new surface, a new set
of optimizer kinds (and their boolean flags) or a new step count compiles again.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from .._trajectory import Trajectory
from ..optimizers import Optimizer
from ..surfaces import Surface
from . import _estimators
from ._estimators import GradientEstimator
from ._step import Path, rebuild, split, traced, untraced

Noise = GradientEstimator | Mapping[str, GradientEstimator | None] | None

MAX_STEPS = 1_000_000


def _simulate(x0, hparams, estimators, key, *, surface, specs, steps):
    """The compiled program: all optimizers, `steps` updates, one scan."""
    paths = [
        Path(rebuild(spec, hp), untraced(est), surface)
        for spec, hp, est in zip(specs, hparams, estimators, strict=True)
    ]
    carry = tuple(path.init(x0) for path in paths)

    def step(carry, t):
        out = [path.step(c, key, t) for path, c in zip(paths, carry, strict=True)]
        return tuple(c for c, _ in out), tuple(r for _, r in out)

    value_and_grad = jax.value_and_grad(surface.loss)
    _, records = jax.lax.scan(step, carry, jnp.arange(steps, dtype=jnp.int32))
    final = tuple(jax.vmap(value_and_grad)(r.xy[-1:]) for r in records)
    initial = tuple(
        {name: getattr(c.opt_state, name) for name in path.fields(x0)}
        for path, c in zip(paths, carry, strict=True)
    )
    return records, final, initial


_compiled = jax.jit(_simulate, static_argnames=("surface", "specs", "steps"))


def race(
    surface: Surface,
    optimizers_by_label: Mapping[str, Optimizer],
    x0: jax.typing.ArrayLike,
    steps: int,
    *,
    seed: int | jax.Array = 0,
    noise: Noise = None,
) -> dict[str, Trajectory]:
    """Run several optimizers from one start in one compiled program.

    Optimizers with equal estimators see the same noise sequence (common random
    numbers), so `race(...)[label]` equals `run(...)` of that optimizer alone with
    the same seed and estimator.

    Args:
        surface: the loss surface.
        optimizers_by_label: `{label: optimizer}`, in legend order.
        x0: the start point `(x, y)`.
        steps: the number of updates, >= 1.
        seed: the random seed of the gradient estimators (an int >= 0), or a
            PRNG key such as `Ensemble.key(i)` to replay an ensemble's particle.
        noise: a gradient estimator from `optimotion.noise` (e.g.
            `noise.gaussian(0.1)`, `noise.minibatch(8)`) for every optimizer, or
            `{label: estimator or None}` to give each its own (labels left out get
            exact gradients), or None for exact gradients.

    Returns:
        `{label: Trajectory}` in float64, in the order given.

    Raises:
        ValueError: on an empty race, a bad start point, step count or seed, or an
            estimator the surface cannot serve (`minibatch` on a closed-form
            surface, a batch larger than the dataset).

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
    labels = list(optimizers_by_label)
    estimators = estimators_for(labels, noise, surface, "race")
    with jax.enable_x64(True):
        key = path_key(seed, "race")
        specs, hparams = zip(
            *(split(o) for o in optimizers_by_label.values()), strict=True
        )
        records, final, initial = jax.device_get(
            _compiled(
                jnp.asarray(start, jnp.float64),
                hparams,
                tuple(traced(e) for e in estimators),
                key,
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
    seed: int | jax.Array = 0,
    noise: Noise = None,
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


def estimators_for(labels: list[str], noise: Noise, surface: Surface, api: str) -> list:
    """One estimator (or None) per label, checked against the surface."""
    if isinstance(noise, Mapping):
        unknown = [k for k in noise if k not in labels]
        if unknown:
            raise ValueError(
                f"`{api}`: noise names {unknown[0]!r}, which is not one of the "
                f"labels {labels}"
            )
        estimators = [noise.get(label) for label in labels]
    else:
        estimators = [noise] * len(labels)
    for e in estimators:
        if e is not None:
            _estimators.check(e, surface, api)
    return estimators


def path_key(seed: int | jax.Array, api: str) -> jax.Array:
    """The PRNG key of a path: `jax.random.key(seed)`, or the key itself."""
    if isinstance(seed, jax.Array) and jnp.issubdtype(seed.dtype, jax.dtypes.prng_key):
        if seed.shape != ():
            raise ValueError(f"`{api}`: seed must be one key, got shape {seed.shape}")
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"`{api}`: seed must be an integer >= 0 or a jax.random.key, "
            f"got {seed!r} of type {type(seed)}"
        )
    if not 0 <= seed < 2**63:
        raise ValueError(f"`{api}`: seed must be in [0, 2**63), got {seed!r}")
    return jax.random.key(int(seed))


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


def _trajectory(start, record, final, initial) -> Trajectory:
    final_loss, final_grad = final
    xy = np.vstack([start[None], record.xy])
    loss = np.append(record.loss, final_loss)
    grad = np.vstack([record.grad, final_grad])
    grad_used = np.asarray(record.grad_used, dtype=np.float64)
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
        grad_used=grad_used,
    )
