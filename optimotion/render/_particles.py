"""`Particles`: what render draws of an ensemble, as plain NumPy.

render never imports the dynamics: an `optimotion.Ensemble` is read by its
attributes (duck-typed) into this record, which the `cloud`, `distribution` and
`survival` views draw. The `contour`, `surface3d`, `loss` and `speed` views draw an
ensemble's first kept particle (`paths[0]`) as its sample path.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._trajectory import Trajectory

ENSEMBLE_VIEWS = ("cloud", "distribution", "survival")
"""The views that need ensembles (`optimotion.ensemble`)."""


class Particles(NamedTuple):
    """An ensemble as render draws it.

    Attributes:
        paths: the kept particles' positions, (keep, steps + 1, 2).
        n: how many particles the ensemble ran (the statistics are over all n).
        mean_log_distance: mean of log‖x_t − center‖ over all n, (steps + 1,).
        std_log_distance: its standard deviation over particles, (steps + 1,).
        survival: the fraction not yet escaped per step, (steps + 1,), or None
            without an exit radius.
        center: the point distances are measured from, (x, y).
        exit_radius: the escape radius, or None.
        lr: the learning rate at each step, (steps,).
        theory: the predicted mean log distance per step, (steps + 1,) with NaN
            where there is no prediction (before its anchor), or None.
    """

    paths: np.ndarray
    n: int
    mean_log_distance: np.ndarray
    std_log_distance: np.ndarray
    survival: np.ndarray | None
    center: tuple[float, float]
    exit_radius: float | None
    lr: np.ndarray
    theory: np.ndarray | None = None

    @property
    def steps(self) -> int:
        return self.paths.shape[1] - 1


def is_ensemble(value: Any) -> bool:
    """Whether `value` is an ensemble (an `Ensemble` or `Particles`), read by its
    attributes: render does not import the dynamics."""
    return isinstance(value, Particles) or (
        hasattr(value, "paths") and hasattr(value, "mean_log_distance")
    )


def particles(ensemble: Any, *, theory: Any = None) -> Particles:
    """The render record of an `optimotion.Ensemble` (or a `Particles`, returned
    with `theory` set if given).

    Args:
        ensemble: an `Ensemble` (its `paths`, `final`, `mean_log_distance`,
            `std_log_distance`, `exit_step`, `center`, `exit_radius`, `lr`).
        theory: the predicted mean log‖x − center‖ per step, (steps + 1,), NaN
            where undefined (e.g. `optimotion.analysis.theory_curve`); drawn by
            the `distribution` view.

    Raises:
        ValueError: an ensemble that kept no path, or a `theory` of the wrong
            length.
    """
    if isinstance(ensemble, Particles):
        record = ensemble
    else:
        paths = np.asarray(ensemble.paths, dtype=np.float64)
        exits = ensemble.exit_step
        survival = None if exits is None else np.asarray(ensemble.survival())
        record = Particles(
            paths=paths,
            n=len(ensemble.final),
            mean_log_distance=np.asarray(ensemble.mean_log_distance, np.float64),
            std_log_distance=np.asarray(ensemble.std_log_distance, np.float64),
            survival=survival,
            center=(float(ensemble.center[0]), float(ensemble.center[1])),
            exit_radius=ensemble.exit_radius,
            lr=np.asarray(ensemble.lr, np.float64),
        )
    if record.paths.ndim != 3 or record.paths.shape[0] == 0:
        raise ValueError(
            "`render`: an ensemble must keep at least one path to be drawn "
            f"(keep >= 1), got paths of shape {record.paths.shape}"
        )
    if theory is not None:
        theory = np.asarray(theory, dtype=np.float64)
        if theory.shape != (record.steps + 1,):
            raise ValueError(
                f"`particles`: theory must have shape ({record.steps + 1},), got "
                f"{theory.shape}"
            )
        record = record._replace(theory=theory)
    return record


def sample_path(record: Particles, surface: Any) -> Trajectory:
    """`paths[0]` of an ensemble as a `Trajectory`, with f and a
    central-difference ∇f (no optimizer state)."""
    xy = record.paths[0]
    finite = np.all(np.isfinite(xy), axis=1)
    bad = np.flatnonzero(~finite)
    safe = np.where(finite[:, None], xy, 0.0)

    def f(points: np.ndarray) -> np.ndarray:
        return np.asarray(surface(points[:, 0], points[:, 1]), dtype=np.float64)

    (x0, x1), (y0, y1) = surface.window
    h = 1e-6 * max(x1 - x0, y1 - y0)
    grad = np.stack(
        [
            (f(safe + [h, 0.0]) - f(safe - [h, 0.0])) / (2 * h),
            (f(safe + [0.0, h]) - f(safe - [0.0, h])) / (2 * h),
        ],
        axis=1,
    )
    loss = np.where(finite, f(safe), np.nan)
    grad = np.where(finite[:, None], grad, np.nan)
    return Trajectory(
        xy=xy,
        loss=loss,
        grad=grad,
        step_length=np.linalg.norm(np.diff(xy, axis=0), axis=1),
        state={},
        diverged_at=int(bad[0]) if bad.size else None,
        lr=record.lr,
    )
