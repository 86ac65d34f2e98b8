"""`Trajectory`: the NumPy record of one optimizer's path, converted once from JAX.

NumPy only: reading a trajectory (from the cache, for a render, for a CSV) never
imports JAX. `optimotion.Trajectory` and `optimotion.dynamics.Trajectory` are this
class."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from collections.abc import Iterator, Mapping

import numpy as np

from ._atomic import atomic_open


@dataclasses.dataclass(frozen=True, eq=False)
class Trajectory:
    """One optimizer's path on a surface, as NumPy arrays.

    Attributes:
        xy: positions, shape (steps + 1, 2); `xy[0]` is the start.
        loss: the (noise-free) surface value at each position, shape (steps + 1,).
        grad: the (noise-free) surface gradient at each position, shape (steps + 1, 2).
        step_length: `|xy[t + 1] - xy[t]|`, shape (steps,).
        state: per-step optimizer state worth drawing, each (steps + 1, 2), e.g.
            `momentum_buffer`, `exp_avg`, `exp_avg_sq`; row t is the state after t
            updates (row 0 is the initial state).
        diverged_at: the first step index t whose position is non-finite or far
            outside the window, else None; rows from there on are NaN.
        lr: the learning rate used at each step, shape (steps,).
        grad_used: the gradient the optimizer was given at each step (the
            estimator's, e.g. a minibatch gradient; equal to `grad[:-1]` without
            noise), shape (steps, 2).
    """

    xy: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    step_length: np.ndarray
    state: Mapping[str, np.ndarray]
    diverged_at: int | None
    lr: np.ndarray
    grad_used: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.grad_used is None:  # exact gradients
            object.__setattr__(self, "grad_used", self.grad[:-1])

    @property
    def steps(self) -> int:
        return len(self.xy) - 1

    def head(self, steps: int) -> Trajectory:
        """The first `steps` updates: what a run of `steps` steps would have given."""
        if not 0 <= steps <= self.steps:
            raise ValueError(f"`head`: steps must be in [0, {self.steps}], got {steps}")
        n, diverged = steps + 1, self.diverged_at
        if diverged is not None and diverged > steps:
            diverged = None
        return Trajectory(
            xy=self.xy[:n],
            loss=self.loss[:n],
            grad=self.grad[:n],
            step_length=self.step_length[:steps],
            state={k: v[:n] for k, v in self.state.items()},
            diverged_at=diverged
            if diverged is not None and diverged <= steps
            else None,
            lr=self.lr[:steps],
            grad_used=self.grad_used[:steps],
        )

    def to_numpy(self) -> np.ndarray:
        """One table, shape (steps + 1, 7): step, x, y, loss, grad_x, grad_y,
        step_length (NaN on the last row, which has no step after it)."""
        n = len(self.xy)
        step_length = np.append(self.step_length, np.nan)
        return np.column_stack(
            [np.arange(n), self.xy, self.loss, self.grad, step_length]
        )

    COLUMNS = ("step", "x", "y", "loss", "grad_x", "grad_y", "step_length")

    def csv_rows(self) -> Iterator[list[int | str]]:
        """The rows of `to_csv` under `COLUMNS`: the step as an int, the floats as
        their `repr` (they read back exactly). The one CSV form of a path:
        `optimotion export` writes these rows too, after its own columns."""
        for row in self.to_numpy():
            yield [int(row[0]), *(repr(float(v)) for v in row[1:])]

    def to_csv(self, path: str | os.PathLike) -> None:
        """Write `to_numpy()` with a header row; floats round-trip exactly (repr)."""
        with atomic_open(path, newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(self.COLUMNS)
            writer.writerows(self.csv_rows())

    def to_dict(self) -> dict:
        """JSON-ready dict; non-finite values become None."""

        def clean(a: np.ndarray) -> list:
            return np.where(np.isfinite(a), a, None).tolist()

        return {
            "steps": self.steps,
            "diverged_at": self.diverged_at,
            "xy": clean(self.xy),
            "loss": clean(self.loss),
            "grad": clean(self.grad),
            "step_length": clean(self.step_length),
            "lr": clean(self.lr),
            "grad_used": clean(self.grad_used),
            "state": {k: clean(v) for k, v in self.state.items()},
        }

    def to_json(self, path: str | os.PathLike) -> None:
        with atomic_open(path, encoding="utf-8") as f:
            json.dump(self.to_dict(), f)
