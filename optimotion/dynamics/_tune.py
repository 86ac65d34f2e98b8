"""`tune`: each optimizer's learning rate chosen from a log-spaced grid, in one
compiled program (the race's scan, vmapped over the grid).

The criterion is stated once: an optimizer gets the learning rate whose path ends
lowest (the loss at the last step); learning rates within `tol` of that lowest
final loss tie, and the tie goes to the one that first came within `tol` of it
(the fastest). A path that diverges is disqualified, and so, with
`stay_in_window` (as scenes tune), is one that leaves the plotted window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..optimizers import Optimizer
from ..surfaces import Surface
from ._run import _check_start, _check_steps, _simulate, estimators_for, path_key
from ._step import split, traced

DEFAULT_GRID = tuple(float(v) for v in np.logspace(-4, 1, 49))
"""49 learning rates from 1e-4 to 10, eight a decade."""

TOL = 1e-6


@dataclasses.dataclass(frozen=True)
class Tuned:
    """One optimizer's search.

    Attributes:
        lr: the chosen learning rate (None if every one diverged).
        grid: the learning rates tried, (L,).
        final_loss: the loss at the last step for each, (L,); NaN if diverged.
        steps_to_tol: the first step within `tol` of the best final loss, or -1,
            (L,).
    """

    lr: float | None
    grid: np.ndarray
    final_loss: np.ndarray
    steps_to_tol: np.ndarray

    def table(self) -> list[tuple[float, float, int]]:
        """`(lr, final loss, steps to tolerance)` rows."""
        return [
            (float(lr), float(f), int(s))
            for lr, f, s in zip(
                self.grid, self.final_loss, self.steps_to_tol, strict=True
            )
        ]


def _swept(x0, hparams, estimators, key, *, surface, specs, steps):
    """Final losses and loss curves of every optimizer for every grid lr."""
    records, final, _ = _simulate(
        x0, hparams, estimators, key, surface=surface, specs=specs, steps=steps
    )
    (x0, x1), (y0, y1) = surface.window
    return tuple(
        (
            jnp.concatenate([r.loss, f[0]]),
            jnp.isnan(r.xy[-1, 0]),
            ~jnp.all(
                (r.xy[:, 0] >= x0)
                & (r.xy[:, 0] <= x1)
                & (r.xy[:, 1] >= y0)
                & (r.xy[:, 1] <= y1)
            ),
        )  # fmt: skip
        for r, f in zip(records, final, strict=True)
    )


def _lr_axes(hparams: dict) -> dict:
    return {k: (0 if k == "lr" else None) for k in hparams}


_compiled: dict = {}


def tune(
    surface: Surface,
    optimizers_by_label: Mapping[str, Optimizer],
    x0: jax.typing.ArrayLike,
    steps: int,
    *,
    grid: Sequence[float] = DEFAULT_GRID,
    seed: int = 0,
    noise: Any = None,
    tol: float = TOL,
    stay_in_window: bool = False,
) -> dict[str, Tuned]:
    """Choose each optimizer's learning rate on a grid, all in one program.

    Args:
        surface, optimizers_by_label, x0, steps, seed, noise: as for `race`; each
            optimizer's `lr` must be a number (it is replaced by the grid's).
        grid: the learning rates to try (default: 49 from 1e-4 to 10).
        tol: losses within `tol` (absolute) of the best final loss tie.
        stay_in_window: disqualify paths that leave the surface's window (for
            animations, and for surfaces unbounded below such as saddles).

    Returns:
        `{label: Tuned}`; `Tuned.lr` is the choice.

    Raises:
        ValueError: on an empty or non-positive grid, an optimizer without a
            numeric `lr`, or what `race` refuses.

    Examples:
        >>> import optimotion
        >>> from optimotion import optimizers, surfaces
        >>> tuned = optimotion.tune(
        ...     surfaces.get("long_valley"), {"SGD": optimizers.sgd(lr=0.1)},
        ...     (-4.0, 1.0), 100, grid=(0.01, 0.1, 0.5, 0.9, 1.1))
        >>> tuned["SGD"].lr  # 1.1 diverges (|1 - 2 lr| > 1 across the valley)
        0.9
    """
    values = np.asarray(grid, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"`tune`: grid must be a non-empty list of numbers, got {grid!r}"
        )
    if np.any(values <= 0):
        raise ValueError(f"`tune`: grid learning rates must be > 0, got {grid!r}")
    for label, opt in optimizers_by_label.items():
        lr = opt.hyperparams.get("lr")
        if isinstance(lr, bool) or not isinstance(lr, int | float):
            raise ValueError(
                f"`tune`: {label!r} needs a numeric lr to replace, got {lr!r}"
            )
    start = _check_start(x0)
    steps = _check_steps(steps)
    labels = list(optimizers_by_label)
    estimators = estimators_for(labels, noise, surface, "tune")
    with jax.enable_x64(True):
        key = path_key(seed, "tune")
        specs, hparams = zip(
            *(split(o) for o in optimizers_by_label.values()), strict=True
        )
        hparams = tuple({**hp, "lr": jnp.asarray(values)} for hp in hparams)
        axes = tuple(_lr_axes(hp) for hp in hparams)
        cache_key = (surface, tuple(specs), steps, axes.__repr__())
        if cache_key not in _compiled:
            swept = jax.vmap(
                lambda h, x, e, k: _swept(
                    x, h, e, k, surface=surface, specs=tuple(specs), steps=steps
                ),
                in_axes=(axes, None, None, None),
            )
            _compiled[cache_key] = jax.jit(swept)
        out = jax.device_get(
            _compiled[cache_key](
                hparams,
                jnp.asarray(start, jnp.float64),
                tuple(traced(e) for e in estimators),
                key,
            )
        )
    return {
        label: _choose(values, curves, diverged | (left & stay_in_window), tol)
        for label, (curves, diverged, left) in zip(labels, out, strict=True)
    }


def _choose(grid: np.ndarray, curves: np.ndarray, diverged: np.ndarray, tol: float):
    curves = np.asarray(curves, dtype=np.float64)  # (L, steps + 1)
    final = np.where(np.asarray(diverged), np.nan, curves[:, -1])
    ok = np.isfinite(final)
    if not ok.any():
        return Tuned(None, grid, final, np.full(len(grid), -1))
    best = np.nanmin(final)
    close = np.where(np.isfinite(curves), curves, np.inf) <= best + tol
    reach = np.where(close.any(axis=1), close.argmax(axis=1), -1)
    reach = np.where(ok, reach, -1)
    ties = np.flatnonzero(ok & (final <= best + tol))
    choice = ties[np.argmin(reach[ties])]  # the earliest; argmin keeps the smaller lr
    return Tuned(float(grid[choice]), grid, final, reach)
