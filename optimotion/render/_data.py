"""What the panels draw, as plain NumPy: picklable for worker processes, and free of
optimotion's own types so a worker never imports the dynamics (or jax)."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._particles import ENSEMBLE_VIEWS, Particles, is_ensemble, particles, sample_path
from ._spec import RenderSpec
from ._theme import assign_colors, get_theme

if TYPE_CHECKING:
    from ..dynamics import Trajectory
    from ..surfaces import Surface

GRID = 241
"""Contour grid resolution; the 3-D view uses every fifth row and column."""

LEVELS = 26


class Track(NamedTuple):
    """One trajectory, ready to draw.

    Attributes:
        label: legend label as given.
        legend: the legend text, with the learning rate (and divergence).
        color: '#RRGGBB'.
        xy: (T + 1, 2) positions.
        loss: (T + 1,) surface values.
        grad: (T + 1, 2) gradients.
        step: (T + 1, 2) the next step `xy[t + 1] - xy[t]` (the last row repeats
            the last step).
        step_length: (T,) `|xy[t + 1] - xy[t]|`.
        last: the last index with a finite position (T unless diverged).
        diverged_at: the first non-finite index, or None.
    """

    label: str
    legend: str
    color: str
    xy: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    step: np.ndarray
    step_length: np.ndarray
    last: int
    diverged_at: int | None


class SurfaceData(NamedTuple):
    """The surface on a grid, with its marked points.

    Attributes:
        name, formula, latex, display_name: as on the `Surface`.
        window: `((xmin, xmax), (ymin, ymax))`.
        X, Y, Z: (GRID, GRID) grid; Z has NaN where f is not finite.
        f_min: the lowest value known (grid or critical points).
        eps: the offset of the log levels: `log(f - f_min + eps)`.
        log: whether levels (and the 3-D height) are log-spaced.
        critical: `((x, y, kind), ...)` inside the window.
    """

    name: str
    formula: str
    latex: str
    window: tuple[tuple[float, float], tuple[float, float]]
    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    f_min: float
    eps: float
    log: bool
    critical: tuple[tuple[float, float, str], ...]
    display_name: str = ""

    def height(self, values: np.ndarray) -> np.ndarray:
        """The drawn height of f values: `log10(f - f_min + eps)` on log surfaces."""
        values = np.asarray(values, dtype=np.float64)
        if not self.log:
            return values
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.log10(np.maximum(values - self.f_min, 0.0) + self.eps)

    def levels(self, n: int = LEVELS) -> np.ndarray:
        """Contour levels on the drawn height."""
        finite = self.Z[np.isfinite(self.Z)]
        hi = float(self.height(np.array([finite.max()]))[0])
        lo = float(self.height(np.array([self.f_min]))[0])
        if not hi > lo:
            hi = lo + 1.0
        return np.linspace(lo, hi, n)


class Prepared(NamedTuple):
    """Everything a `Renderer` needs, with no reference to optimotion types."""

    surface: SurfaceData
    tracks: tuple[Track, ...]
    steps: int
    starts: tuple[tuple[float, float], ...]
    particles: tuple[Particles | None, ...] = ()
    """Per track, its ensemble (None for a trajectory); empty: no ensembles."""

    def clouds(self) -> list[tuple[Track, Particles]]:
        """`(track, particles)` of every ensemble, in legend order."""
        if not self.particles:
            return []
        pairs = zip(self.tracks, self.particles, strict=True)
        return [(t, p) for t, p in pairs if p is not None]


def _lr_text(lr: np.ndarray) -> str:
    lr = np.asarray(lr, dtype=np.float64)
    lr = lr[np.isfinite(lr)]
    if lr.size == 0:
        return ""
    first, last = float(lr[0]), float(lr[-1])
    if np.allclose(lr, first, rtol=1e-9, atol=0.0):
        return f"lr={first:.3g}"
    return f"lr={first:.3g}→{last:.3g}"


def _track(label: str, color: str, traj: Trajectory) -> Track:
    xy = np.asarray(traj.xy, dtype=np.float64).reshape(-1, 2)
    n = len(xy)
    loss = np.asarray(traj.loss, dtype=np.float64).reshape(n)
    grad = np.asarray(traj.grad, dtype=np.float64).reshape(n, 2)
    finite = np.all(np.isfinite(xy), axis=1)
    bad = np.flatnonzero(~finite)
    diverged_at = traj.diverged_at
    if diverged_at is None and bad.size:
        diverged_at = int(bad[0])
    last = n - 1 if diverged_at is None else max(int(diverged_at) - 1, 0)
    step = np.diff(xy, axis=0)
    step_length = np.asarray(traj.step_length, dtype=np.float64).reshape(n - 1)
    step = np.vstack([step, step[-1:]]) if len(step) else np.zeros((1, 2))
    legend = label
    lr = _lr_text(traj.lr)
    if lr:
        legend += f" ({lr})"
    if diverged_at is not None:
        legend += f", diverged at {diverged_at}"
    return Track(
        label=label,
        legend=legend,
        color=color,
        xy=xy,
        loss=loss,
        grad=grad,
        step=step,
        step_length=step_length,
        last=last,
        diverged_at=None if diverged_at is None else int(diverged_at),
    )


def _critical_points(surface: Surface) -> list[tuple[float, float, str, float]]:
    """`(x, y, kind, value)` from `surface.critical_points()` when the surface has
    it, else from its `minima` and `saddles` metadata."""
    if hasattr(surface, "critical_points"):
        return [
            (float(p.x), float(p.y), str(p.kind), float(p.value))
            for p in surface.critical_points()
        ]
    marked = [(x, y, "minimum") for x, y in surface.minima]
    marked += [(x, y, "saddle") for x, y in surface.saddles]
    return [(float(x), float(y), kind, float(surface(x, y))) for x, y, kind in marked]


@functools.lru_cache(maxsize=8)
def surface_data(surface: Surface, n: int = GRID) -> SurfaceData:
    """Evaluate `surface` on an n x n grid over its window, with its critical
    points (cached per surface: `preload` computes it ahead of a render)."""
    X, Y, Z = surface.grid(n)
    Z = np.where(np.isfinite(Z), Z, np.nan).astype(np.float64)
    if not np.isfinite(Z).any():
        raise ValueError(
            f"`render`: surface {surface.name!r} is not finite anywhere in its "
            f"window {surface.window!r}"
        )
    (x0, x1), (y0, y1) = surface.window
    critical = [
        p for p in _critical_points(surface) if x0 <= p[0] <= x1 and y0 <= p[1] <= y1
    ]
    f_min = float(np.nanmin(Z))
    for _, _, kind, value in critical:
        if kind == "minimum" and math.isfinite(value):
            f_min = min(f_min, value)
    eps = 1.0
    if surface.log_contours:
        above = Z[np.isfinite(Z)] - f_min
        positive = above[above > 0]
        # Levels start near the lowest percent of the window: finer would only
        # resolve a dot around the minimum.
        eps = float(np.percentile(positive, 1.0)) if positive.size else 1.0
        eps = max(eps, 1e-12 * max(1.0, float(positive.max(initial=1.0))))
    window = tuple(tuple(float(v) for v in w) for w in surface.window)
    X, Y = np.array(X, dtype=np.float64), np.array(Y, dtype=np.float64)
    for array in (X, Y, Z):
        array.setflags(write=False)  # shared by every render of this surface
    return SurfaceData(
        name=surface.name,
        display_name=surface.display_name,
        formula=surface.formula,
        latex=surface.latex,
        window=window,
        X=X,
        Y=Y,
        Z=Z,
        f_min=f_min,
        eps=eps,
        log=bool(surface.log_contours),
        critical=tuple((x, y, kind) for x, y, kind, _ in critical),
    )


def prepare(
    traces: Mapping[str, Trajectory], surface: Surface, spec: RenderSpec
) -> Prepared:
    """Check the traces and turn them, with the surface, into plain arrays."""
    if not traces:
        raise ValueError("`render`: traces must hold at least one trajectory, got {}")
    labels = list(traces)
    for label in labels:
        if not isinstance(label, str):
            raise TypeError(
                f"`render`: trace labels must be str, got {label!r} of type "
                f"{type(label)}"
            )
    colors = assign_colors(labels, get_theme(spec.theme), spec.colors)
    records = [
        particles(traces[lab]) if is_ensemble(traces[lab]) else None for lab in labels
    ]
    tracks = tuple(
        _track(lab, colors[lab], traces[lab])
        if record is None
        else _ensemble_track(lab, colors[lab], record, surface)
        for lab, record in zip(labels, records, strict=True)
    )
    _check_ensemble_views(spec, labels, records)
    steps = max(len(t.xy) - 1 for t in tracks)
    starts: list[tuple[float, float]] = []
    for t in tracks:
        start = (round(float(t.xy[0, 0]), 9), round(float(t.xy[0, 1]), 9))
        if start not in starts and all(np.isfinite(start)):
            starts.append(start)
    return Prepared(
        surface=surface_data(surface),
        tracks=tracks,
        steps=steps,
        starts=tuple(starts),
        particles=tuple(records) if any(r is not None for r in records) else (),
    )


def _ensemble_track(label: str, color: str, record: Particles, surface) -> Track:
    """An ensemble's sample path (its first kept particle) as a track; the legend
    says how many particles the ensemble ran."""
    track = _track(label, color, sample_path(record, surface))
    legend = f"{label} (n={record.n:,}"
    lr = _lr_text(record.lr)
    legend += f", {lr})" if lr else ")"
    return track._replace(legend=legend)


def _check_ensemble_views(spec: RenderSpec, labels, records) -> None:
    wanted = [v for v in spec.views if v in ENSEMBLE_VIEWS]
    if wanted and all(r is None for r in records):
        raise ValueError(
            f"`render`: view {wanted[0]!r} draws ensembles (optimotion.ensemble), "
            "got only trajectories"
        )
    if "survival" in wanted:
        for label, record in zip(labels, records, strict=True):
            if record is not None and record.survival is None:
                raise ValueError(
                    f"`render`: view 'survival' needs an exit radius; ensemble "
                    f"{label!r} was run without exit_radius"
                )
