"""What the panels draw, as plain NumPy: picklable for worker processes. A `Track`
holds its `Trajectory` (NumPy only), so a worker never imports the dynamics (or
jax)."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .._trajectory import Trajectory
from ._particles import ENSEMBLE_VIEWS, Particles, is_ensemble, particles, sample_path
from ._spec import RenderSpec, moves_early
from ._theme import assign_colors, get_theme

if TYPE_CHECKING:
    from ..surfaces import Surface

GRID = 241
"""Contour grid resolution; the 3-D view uses every fifth row and column."""

LEVELS = 26


class Track(NamedTuple):
    """One trajectory as drawn: the `Trajectory` with its drawing style.

    Attributes:
        label: legend label as given.
        legend: the legend text, with the learning rate (and divergence).
        color: '#RRGGBB'.
        path: the `Trajectory`, its arrays float64 (`xy`, `loss`, `grad` and
            `step_length` read through to it).
        step: (T + 1, 2) the next step `xy[t + 1] - xy[t]` (the last row repeats
            the last step).
        last: the last index with a finite position (T unless diverged).
        diverged_at: the path's `diverged_at`, else its first non-finite row, or
            None.
    """

    label: str
    legend: str
    color: str
    path: Trajectory
    step: np.ndarray
    last: int
    diverged_at: int | None

    @property
    def xy(self) -> np.ndarray:
        """(T + 1, 2) positions."""
        return self.path.xy

    @property
    def loss(self) -> np.ndarray:
        """(T + 1,) surface values."""
        return self.path.loss

    @property
    def grad(self) -> np.ndarray:
        """(T + 1, 2) gradients."""
        return self.path.grad

    @property
    def step_length(self) -> np.ndarray:
        """(T,) `|xy[t + 1] - xy[t]|`."""
        return self.path.step_length


class SurfaceData(NamedTuple):
    """The surface on a grid, with its marked points.

    Attributes:
        name, formula, latex, display_name: as on the `Surface`.
        window: `((xmin, xmax), (ymin, ymax))`.
        X, Y, Z: (GRID, GRID) grid; Z has NaN where f is not finite or its
            magnitude is over `MAX_DRAWN`.
        f_min: the lowest value known (grid or critical points).
        eps: the offset of the log levels: `log(f - f_min + eps)`.
        log: whether levels (and the 3-D height) are log-spaced.
        critical: `((x, y, kind), ...)` inside the window.
        critical_values: f at each of `critical`.
        f_min_known: whether `f_min` is the value of a marked minimum (not only
            the lowest grid value).
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
    critical_values: tuple[float, ...] = ()
    f_min_known: bool = False

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
    critical: tuple[tuple[float, float, str], ...] = ()
    """The critical points marked on the contour view (`marked_points`)."""
    order: tuple[int, ...] = ()
    """Drawing order of the tracks, bottom to top (`draw_order`)."""
    early: bool = False
    """Whether the paths move mostly early (`moves_early`): `log_time: auto`."""
    buried: tuple[int, ...] = ()
    """Tracks whose path is mostly covered by paths drawn over them (`buried`):
    the map panels draw them wider, as a band around the line above."""
    particles: tuple[Particles | None, ...] = ()
    """Per track, its ensemble (None for a trajectory); empty: no ensembles."""

    def clouds(self) -> list[tuple[Track, Particles]]:
        """`(track, particles)` of every ensemble, in legend order."""
        if not self.particles:
            return []
        pairs = zip(self.tracks, self.particles, strict=True)
        return [(t, p) for t, p in pairs if p is not None]


def _inside(xy: np.ndarray, window) -> np.ndarray:
    (x0, x1), (y0, y1) = window
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(invalid="ignore"):
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def path_length_on_map(track: Track, window) -> float:
    """Length of a track's path over the steps whose both ends are in `window`."""
    inside = _inside(track.xy, window)
    both = inside[:-1] & inside[1:]
    lengths = np.linalg.norm(np.diff(track.xy, axis=0), axis=1)
    return float(np.sum(lengths[both & np.isfinite(lengths)]))


def draw_order(tracks, window) -> tuple[int, ...]:
    """Track indices bottom to top: the longest path on the map first, so that a
    short path is drawn over a long one that covers the same ground (a slow SGD
    under a Nesterov that sweeps past it would vanish); ties keep the scene's
    order.

    Examples:
        >>> import numpy as np
        >>> from optimotion import Trajectory
        >>> def line(xy):
        ...     xy = np.asarray(xy, dtype=float)
        ...     n = len(xy) - 1
        ...     return Trajectory(xy, xy[:, 0], xy, np.ones(n), {}, None, np.ones(n))
        >>> short, long = track("", "", line([[0, 0], [1, 0]])), track(
        ...     "", "", line([[0, 0], [3, 0]]))
        >>> draw_order([short, long], ((-5, 5), (-5, 5)))
        (1, 0)
    """
    lengths = [path_length_on_map(t, window) for t in tracks]
    return tuple(sorted(range(len(tracks)), key=lambda i: (-lengths[i], i)))


def _lr_text(lr: np.ndarray) -> str:
    lr = np.asarray(lr, dtype=np.float64)
    lr = lr[np.isfinite(lr)]
    if lr.size == 0:
        return ""
    first, last = float(lr[0]), float(lr[-1])
    if np.allclose(lr, first, rtol=1e-9, atol=0.0):
        return f"lr={first:.3g}"
    return f"lr={first:.3g}→{last:.3g}"


def track(label: str, color: str, traj: Trajectory, note: str = "") -> Track:
    """One trajectory as the plain arrays a panel draws: its legend (label, the
    learning rate's range, `note`, where it diverged), colour, path, loss,
    gradient and step lengths."""
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
    path = Trajectory(  # the same arrays, as float64 of the documented shapes
        xy=xy,
        loss=loss,
        grad=grad,
        step_length=step_length,
        state=dict(traj.state),
        diverged_at=traj.diverged_at,
        lr=np.asarray(traj.lr),
        grad_used=traj.grad_used,
    )
    legend = label
    details = ", ".join(part for part in (_lr_text(traj.lr), note) if part)
    if details:
        legend += f" ({details})"
    if diverged_at is not None:
        legend += f", diverged at {diverged_at}"
    return Track(
        label=label,
        legend=legend,
        color=color,
        path=path,
        step=step,
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


MAX_DRAWN = 1e200
"""Larger |f| is drawn like a non-finite value (a gap in the contours): matplotlib
extends filled contours with levels at ±1e250, so levels near the float64 limit
(`exp(800 x)` on [-1, 1]) cannot be drawn."""


def surface_data(surface: Surface | SurfaceData, n: int = GRID) -> SurfaceData:
    """Evaluate `surface` on an n x n grid over its window, with its critical
    points (cached per surface: `preload` computes it ahead of a render). A
    `SurfaceData` (e.g. from the trajectory cache) is returned as it is."""
    if isinstance(surface, SurfaceData):
        return surface
    return _surface_data(surface, n)


@functools.lru_cache(maxsize=8)
def _surface_data(surface: Surface, n: int) -> SurfaceData:
    X, Y, Z = surface.grid(n)
    Z = np.asarray(Z, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        Z = np.where(np.abs(Z) <= MAX_DRAWN, Z, np.nan)
    if not np.isfinite(Z).any():
        raise ValueError(
            f"`render`: surface {surface.name!r} is not finite anywhere in its "
            f"window {surface.window!r}"
        )
    (x0, x1), (y0, y1) = surface.window
    critical = [
        p for p in _critical_points(surface) if x0 <= p[0] <= x1 and y0 <= p[1] <= y1
    ]
    f_min = grid_min = float(np.nanmin(Z))
    for _, _, kind, value in critical:
        if kind == "minimum" and math.isfinite(value):
            f_min = min(f_min, value)
    f_min_known = (
        any(kind == "minimum" and value == f_min for _, _, kind, value in critical)
        and f_min <= grid_min
    )
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
        critical_values=tuple(value for *_, value in critical),
        f_min_known=f_min_known,
    )


MARKER_CAP = 24
"""With `markers: auto`, a surface with more critical points than this in its
window marks only its global minima and the `MARKER_NEAR` points nearest to the
paths."""

MARKER_NEAR = 6


def marked_points(
    surface: SurfaceData,
    tracks,
    markers: str = "auto",
    cap: int = MARKER_CAP,
    near: int = MARKER_NEAR,
) -> tuple[tuple[float, float, str], ...]:
    """The critical points to mark: `all`; `minima` (every minimum); `none`; or
    `auto`: all of them up to `cap`, else the global minima (within 1e-9 of the
    lowest value) and the `near` others nearest to the paths (distance in
    window-relative units to the nearest finite point of any path), in the
    surface's order.

    Examples:
        >>> import numpy as np
        >>> grid = np.zeros((2, 2))
        >>> points = tuple((float(i), 0.0, "minimum") for i in range(5))
        >>> data = SurfaceData("s", "", "", ((0, 10), (0, 10)), grid, grid, grid,
        ...                    0.0, 1.0, False, points, "", (0.0, 1, 1, 1, 1), True)
        >>> from optimotion import Trajectory
        >>> xy, none = np.array([[4.0, 0.0]]), np.zeros(0)
        >>> path = track("", "", Trajectory(xy, xy[:, 0], xy, none, {}, None, none))
        >>> [p[0] for p in marked_points(data, [path], "auto", cap=3, near=2)]
        [0.0, 3.0, 4.0]
    """
    points = surface.critical
    if markers == "none":
        return ()
    if markers == "minima":
        return tuple(p for p in points if p[2] == "minimum")
    if markers == "all" or len(points) <= cap:
        return tuple(points)
    values = np.asarray(surface.critical_values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    lowest = finite.min() if finite.size else np.inf
    tol = 1e-9 * max(1.0, abs(lowest))
    glob = {
        i for i, p in enumerate(points)
        if p[2] == "minimum" and values[i] <= lowest + tol
    }  # fmt: skip
    (x0, x1), (y0, y1) = surface.window
    scale = np.array([x1 - x0, y1 - y0])
    path = np.vstack([t.xy[: t.last + 1] for t in tracks]) / scale
    path = path[np.all(np.isfinite(path), axis=1)]
    where = np.array([p[:2] for p in points]) / scale
    if len(path):
        distance = np.array(
            [np.min(np.linalg.norm(path - w, axis=1)) for w in where]
        )  # fmt: skip
    else:
        distance = np.zeros(len(points))
    others = [int(i) for i in np.argsort(distance, kind="stable") if i not in glob]
    keep = glob | set(others[:near])
    return tuple(p for i, p in enumerate(points) if i in keep)


BURIED_GRID = 160
"""Cells across the window when `buried` rasterizes the paths."""

BURIED_SHARE = 0.5
"""A track is buried when this share of its cells is covered from above."""


def _cells(track: Track, window, n: int = BURIED_GRID) -> set[int]:
    """The cells (of an n x n grid over `window`) that a track's path crosses."""
    (x0, x1), (y0, y1) = window
    xy = track.xy[: track.last + 1]
    u = (xy - np.array([x0, y0])) / np.array([x1 - x0, y1 - y0]) * n
    ok = np.all(np.isfinite(u), axis=1)
    u = u[ok]
    if len(u) == 0:
        return set()
    if len(u) > 1:  # sample each segment at least once a cell
        parts = np.maximum(np.ceil(np.abs(np.diff(u, axis=0)).max(axis=1)), 1)
        parts = np.minimum(parts, 4 * n).astype(np.int64)
        start = np.repeat(u[:-1], parts, axis=0)
        delta = np.repeat(np.diff(u, axis=0) / parts[:, None], parts, axis=0)
        offset = np.arange(parts.sum()) - np.repeat(np.cumsum(parts) - parts, parts)
        u = np.vstack([start + delta * offset[:, None], u[-1:]])
    cell = np.floor(u).astype(np.int64)
    inside = np.all((cell >= 0) & (cell < n), axis=1)
    return set((cell[inside, 0] * n + cell[inside, 1]).tolist())


def buried(tracks, order, window) -> tuple[int, ...]:
    """The tracks whose path would vanish under the paths drawn over them: at
    least `BURIED_SHARE` of the cells it crosses (on a `BURIED_GRID` grid over the
    window, about a line width on screen) are crossed by a track above it in
    `order`. Two optimizers that take the same route (Adagrad and RMSProp in the
    long valley) are the usual case."""
    cells = {i: _cells(tracks[i], window) for i in order}
    out = []
    for rank, i in enumerate(order):
        mine = cells[i]
        if not mine:
            continue
        above = set().union(*(cells[j] for j in order[rank + 1 :]))
        if len(mine & above) >= BURIED_SHARE * len(mine):
            out.append(i)
    return tuple(sorted(out))


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
    notes = spec.notes or {}
    records = [
        particles(traces[lab]) if is_ensemble(traces[lab]) else None for lab in labels
    ]
    tracks = tuple(
        track(lab, colors[lab], traces[lab], notes.get(lab, ""))
        if record is None
        else _ensemble_track(lab, colors[lab], record, surface, notes.get(lab, ""))
        for lab, record in zip(labels, records, strict=True)
    )
    _check_ensemble_views(spec, labels, records)
    steps = max(len(t.xy) - 1 for t in tracks)
    starts: list[tuple[float, float]] = []
    for t in tracks:
        start = (round(float(t.xy[0, 0]), 9), round(float(t.xy[0, 1]), 9))
        if start not in starts and all(np.isfinite(start)):
            starts.append(start)
    data = surface_data(surface)
    order = draw_order(tracks, data.window)
    return Prepared(
        surface=data,
        tracks=tracks,
        steps=steps,
        starts=tuple(starts),
        critical=marked_points(data, tracks, spec.markers),
        order=order,
        buried=buried(tracks, order, data.window),
        early=moves_early([t.step_length[: t.last] for t in tracks]),
        particles=tuple(records) if any(r is not None for r in records) else (),
    )


def _ensemble_track(
    label: str, color: str, record: Particles, surface, note: str = ""
) -> Track:
    """An ensemble's sample path (its first kept particle) as a track; the legend
    says how many particles the ensemble ran (and its noise)."""
    sample = track(label, color, sample_path(record, surface))
    details = ", ".join(p for p in (f"n={record.n:,}", _lr_text(record.lr), note) if p)
    return sample._replace(legend=f"{label} ({details})")


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
