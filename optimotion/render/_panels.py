"""The panel protocol and what the panels share: trail windows, fading, styles.

A panel owns one Axes. `draw_static()` creates every artist once: the static ones
are drawn into the cached background, the moving ones are `animated` (skipped by
`canvas.draw`) and are returned by `update(t)` after their data is set for step t.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ._data import Prepared, Track
from ._spec import RenderSpec
from ._theme import Theme

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

LINE_WIDTH = 2.0  # points
HEAD_SIZE = 7.5  # points
HEAD_EDGE = 1.1  # points
FADE_TAIL_ALPHA = 0.08
CASING = 1.4  # points: how much wider a trail's casing is than the trail
BAND = 2.2  # points: how much of a buried trail shows beside the one over it
DODGE = 0.9  # heads closer than this fraction of their diameter are moved apart
ANCHOR_CLEAR = 0.4  # a head sits this much of its radius off a minimum's marker
DODGE_MAX = 32  # more heads than this are drawn where they are (a crowd, not a race)

CRITICAL_STYLE = {
    # kind: (marker, size in points, label)
    "minimum": ("*", 15.0, "minimum"),
    "maximum": ("^", 9.0, "maximum"),
    "saddle": ("X", 10.0, "saddle"),
    "degenerate": ("D", 7.0, "degenerate point"),
}


class Panel(Protocol):
    """One view in one Axes, advanced by the shared frame clock."""

    view: str
    ax: Axes
    moves_view: bool

    def draw_static(self) -> None:
        """Create the static and the (animated) moving artists."""

    def view_key(self, fraction: float) -> Hashable:
        """What the cached background depends on at `fraction` of the motion."""

    def set_view(self, fraction: float) -> None:
        """Move the camera (3-D) to its view at `fraction`."""

    def update(self, t: int) -> list[Artist]:
        """Set the moving artists to step t and return them in drawing order."""


class BasePanel:
    """Shared state and defaults: a fixed view, tracks, the spec and the theme."""

    view = ""
    moves_view = False
    square = True
    """Whether the layout gives this panel a square cell (curve panels beside
    the maps match their shape; in a wide cell they fill it)."""

    def __init__(
        self, ax: Axes, prepared: Prepared, spec: RenderSpec, theme: Theme
    ) -> None:
        self.ax = ax
        self.prepared = prepared
        self.tracks = prepared.tracks
        self.spec = spec
        self.theme = theme
        self.moving: list[Artist] = []

    def view_key(self, fraction: float) -> Hashable:
        return None

    def set_view(self, fraction: float) -> None:
        pass

    def animate(self, artist: Artist) -> Artist:
        artist.set_animated(True)
        self.moving.append(artist)
        return artist

    def style_axes(self) -> None:
        ax = self.ax
        ax.set_facecolor(self.theme.background)
        ax.tick_params(colors=self.theme.muted, which="both")
        for spine in ax.spines.values():
            spine.set_color(self.theme.muted)


def head_index(track: Track, t: int) -> int:
    """The index drawn as the head at step t: the last finite one up to t."""
    return min(t, track.last)


def trail_window(track: Track, t: int, trail: int | None) -> tuple[int, int]:
    """`(lo, hi)`: the trail shows rows `lo .. hi` (inclusive) at step t."""
    hi = head_index(track, t)
    lo = 0 if trail is None else max(0, hi - trail)
    return lo, hi


def clip_to_window(xy: np.ndarray, window) -> tuple[np.ndarray, np.ndarray]:
    """A path as drawn in a window: `(trail, heads)`, both (n, 2).

    `trail` keeps the points inside; a point just outside becomes the point where
    the segment from (or to) its inside neighbour crosses the window's edge, and
    the points beyond are NaN: a path that leaves is drawn up to the edge, not to
    its last point inside. `heads[t]` is where the head is drawn at step t: the
    point itself inside, else the edge point where the path last left (NaN if
    it never was inside).

    Examples:
        >>> xy = np.array([[0.0, 0.0], [0.5, 0.0], [2.0, 0.0], [4.0, 0.0]])
        >>> trail, heads = clip_to_window(xy, ((-1, 1), (-1, 1)))
        >>> trail.tolist()
        [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [nan, nan]]
        >>> heads[-1].tolist()
        [1.0, 0.0]
    """
    (x0, x1), (y0, y1) = window
    lo, hi = np.array([x0, y0], float), np.array([x1, y1], float)
    xy = np.asarray(xy, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = np.all((xy >= lo) & (xy <= hi), axis=1)

    def edge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Where the segment from `a` (inside) towards `b` leaves the window."""
        d = b - a
        with np.errstate(invalid="ignore", divide="ignore"):
            room = np.where(d > 0, (hi - a) / d, np.where(d < 0, (lo - a) / d, np.inf))
        s = float(np.clip(np.nanmin(room), 0.0, 1.0))
        return a + s * d if np.all(np.isfinite(b)) else a

    trail = np.where(inside[:, None], xy, np.nan)
    heads = trail.copy()
    last_edge = np.full(2, np.nan)
    for i in np.flatnonzero(~inside):
        if i > 0 and inside[i - 1]:
            trail[i] = last_edge = edge(xy[i - 1], xy[i])
        elif i + 1 < len(xy) and inside[i + 1]:
            trail[i] = edge(xy[i + 1], xy[i])
        heads[i] = last_edge if i == 0 or not inside[i - 1] else trail[i]
    return trail, heads


def diverged(track: Track, t: int) -> bool:
    return track.diverged_at is not None and t >= track.diverged_at


def fade_colors(color: str, n_segments: int) -> np.ndarray:
    """(n, 4) RGBA for n segments from the tail (faint) to the head (opaque)."""
    from matplotlib import colors as mcolors

    rgba = np.empty((n_segments, 4))
    rgba[:, :3] = mcolors.to_rgb(color)
    rgba[:, 3] = np.linspace(FADE_TAIL_ALPHA, 1.0, n_segments) if n_segments else []
    return rgba


class Trails:
    """Every track's trail as one `LineCollection` (one draw call a frame).

    Tracks are drawn in `order` (bottom to top; `Prepared.order` puts the longest
    paths at the bottom, so a short path is never buried under a long one that
    shares its line). With `casing` (a colour, normally the background) each
    trail is drawn over its own slightly wider casing, so a trail crossing or
    running along another stays a separate line. Tracks in `wide` (those
    `Prepared.buried` under others) are `CASING + BAND` wider: a coloured band on
    each side of the line that covers them. With fading, the collection
    holds every track's segments, each with its own alpha.
    """

    def __init__(
        self,
        tracks,
        *,
        fade: bool,
        width: float = LINE_WIDTH,
        order=None,
        casing: str | None = None,
        wide=(),
        **kw,
    ):
        from matplotlib.collections import LineCollection

        self.tracks, self.fade, self.casing = tracks, fade, casing
        self.order = list(range(len(tracks)) if order is None else order)
        self.widths = [
            width + (CASING + BAND if i in wide else 0.0) for i in range(len(tracks))
        ]
        colors, widths = [], []
        for i in self.order:
            if casing is not None:
                colors.append(casing)
                widths.append(self.widths[i] + CASING)
            colors.append(tracks[i].color)
            widths.append(self.widths[i])
        self.collection = LineCollection(
            [np.zeros((0, 2)) for _ in colors], colors=colors, linewidths=widths,
            capstyle="round", joinstyle="round", animated=True, **kw,
        )  # fmt: skip

    def set(self, pieces: list[np.ndarray]) -> None:
        """Show `pieces[i]`, an (n, 2) polyline, for track i."""
        self.shown = pieces
        if not self.fade:
            lines = []
            for i in self.order:
                lines += [pieces[i]] * (2 if self.casing is not None else 1)
            self.collection.set_segments(lines)
            return
        segments, colors, widths = [], [], []
        for i in self.order:
            track, points = self.tracks[i], pieces[i]
            if len(points) < 2:
                continue
            pairs = np.stack([points[:-1], points[1:]], axis=1)
            n = len(pairs)
            if self.casing is not None:
                segments.append(pairs)
                colors.append(fade_colors(self.casing, n))
                widths.append(np.full(n, self.widths[i] + CASING))
            segments.append(pairs)
            colors.append(fade_colors(track.color, n))
            widths.append(np.full(n, self.widths[i]))
        if segments:
            self.collection.set_segments(np.concatenate(segments))
            self.collection.set_color(np.concatenate(colors))
            self.collection.set_linewidth(np.concatenate(widths))
        else:
            self.collection.set_segments([])


def dodge(
    points: np.ndarray,
    distance: float,
    fixed: np.ndarray | None = None,
    fixed_distance: float | None = None,
    rounds: int = 12,
) -> np.ndarray:
    """Screen positions (n, 2) moved apart until no two finite ones are closer than
    `distance` (pixels): each too-close pair is pushed apart symmetrically along
    the line between them (coincident points along a direction fixed by their
    indices), so heads that converge to one point form a small ring around it
    instead of a stack where only the top one shows. `fixed` points (m, 2) do not
    move and push a point that comes closer than `fixed_distance` (default
    `distance`) all the way out (a marked minimum stays visible among the heads
    gathered round it). Points
    already far enough apart do not move; the shift is continuous in the input.

    Examples:
        >>> dodge(np.array([[0.0, 0.0], [0.0, 0.0], [50.0, 0.0]]), 10.0).round(3)
        array([[ 2.5 ,  4.33],
               [-2.5 , -4.33],
               [50.  ,  0.  ]])
        >>> dodge(np.array([[3.0, 0.0]]), 10.0, fixed=np.zeros((1, 2)))
        array([[10.,  0.]])
    """
    out = np.array(points, dtype=np.float64)
    live = np.flatnonzero(np.all(np.isfinite(out), axis=1))
    fixed = np.zeros((0, 2)) if fixed is None else np.asarray(fixed, np.float64)
    fixed = fixed[np.all(np.isfinite(fixed), axis=1)]
    far = distance if fixed_distance is None else fixed_distance
    if not 1 <= len(live) <= DODGE_MAX:
        return out
    both = np.vstack([out[live], fixed])
    gaps = np.hypot(*(out[live][:, None] - both[None, :]).transpose(2, 0, 1))
    gaps[np.arange(len(live)), np.arange(len(live))] = np.inf
    need = np.r_[np.full(len(live), distance), np.full(len(fixed), far)]
    if (gaps >= need - 1e-9).all():
        return out  # the usual case: nothing to move
    # Plain floats: a handful of points, where NumPy's per-call cost dominates.
    n, pts = len(out), [list(map(float, out[i])) for i in live]
    anchors = [tuple(map(float, f)) for f in fixed]
    index = [int(i) for i in live]
    limit, far_limit = distance - 1e-9, far - 1e-9
    for _ in range(rounds):
        moved = False
        for a in range(len(pts)):
            p = pts[a]
            for b in range(a + 1, len(pts)):
                q = pts[b]
                dx, dy = p[0] - q[0], p[1] - q[1]
                dist = math.hypot(dx, dy)
                if dist >= limit:
                    continue
                if dist < 1e-6:  # coincident: part along an angle from the indices
                    angle = math.pi * (index[a] + index[b]) / n
                    dx, dy = math.cos(angle), math.sin(angle)
                    half = distance / 2
                else:
                    half = (distance - dist) / 2 / dist
                p[0] += half * dx
                p[1] += half * dy
                q[0] -= half * dx
                q[1] -= half * dy
                moved = True
            for fx, fy in anchors:
                dx, dy = p[0] - fx, p[1] - fy
                dist = math.hypot(dx, dy)
                if dist >= far_limit:
                    continue
                if dist < 1e-6:
                    angle = 2 * math.pi * index[a] / n
                    dx, dy, step = math.cos(angle), math.sin(angle), far
                else:
                    step = (far - dist) / dist
                p[0] += step * dx
                p[1] += step * dy
                moved = True
        if not moved:
            break
    out[live] = pts
    return out


class Heads:
    """Every track's head as one marker collection: a disc while running, an X
    once diverged (non-finite offsets are not drawn).

    Drawn in `order` like `Trails`; heads closer than `DODGE` of their diameter on
    screen are moved apart (`dodge`), so converged heads stay visible side by
    side.
    """

    def __init__(
        self, tracks, theme: Theme, *, size: float = HEAD_SIZE, order=None, **kw
    ):
        from matplotlib.collections import PathCollection
        from matplotlib.markers import MarkerStyle
        from matplotlib.transforms import IdentityTransform

        self.order = np.asarray(
            list(range(len(tracks)) if order is None else order), dtype=np.int64
        )
        ordered = [tracks[i] for i in self.order]

        def collection(marker: str, scale: float):
            style = MarkerStyle(marker)
            path = style.get_path().transformed(style.get_transform())
            made = PathCollection(
                (path,), sizes=[(size * scale) ** 2],
                offsets=np.zeros((len(tracks), 2)),
                facecolors=[t.color for t in ordered], edgecolors=theme.background,
                linewidths=HEAD_EDGE, animated=True, **kw,
            )  # fmt: skip
            made.set_transform(IdentityTransform())
            return made

        self.tracks, self.size = tracks, size
        self.running = collection("o", 1.0)
        self.crosses = collection("X", 1.25)

    anchors: np.ndarray | None = None
    """Points (m, 2), in the heads' data coordinates, that heads are kept off
    (`dodge`'s `fixed`): the contour view's minima ..."""
    anchor_size: float = 0.0
    """... drawn this large (points): a head's centre stays `ANCHOR_CLEAR` of
    its radius outside the marker's radius."""

    def set(self, points: np.ndarray, dead: np.ndarray) -> None:
        """Heads at `points` (n, 2); `dead` (n,) marks the diverged ones."""
        self.points = np.asarray(points, dtype=np.float64)  # in track order
        points = self.points[self.order]
        dead = np.asarray(dead, bool)[self.order][:, None]
        to_screen = self.running.get_offset_transform()
        with np.errstate(invalid="ignore"):
            screen = to_screen.transform(points)
        distance = DODGE * self.size * self.running.figure.dpi / 72
        fixed = None if self.anchors is None else to_screen.transform(self.anchors)
        clear = (self.anchor_size + ANCHOR_CLEAR * self.size) / 2
        moved = dodge(screen, distance, fixed, clear * self.running.figure.dpi / 72)
        if not np.array_equal(moved, screen, equal_nan=True):
            points = to_screen.inverted().transform(moved)
        self.running.set_offsets(np.where(dead, np.nan, points))
        self.crosses.set_offsets(np.where(dead, points, np.nan))
        self.running.set_visible(not dead.all())  # an invisible artist draws nothing
        self.crosses.set_visible(bool(dead.any()))

    def drawn(self, collection=None) -> np.ndarray:
        """The drawn (dodged) offsets of `collection` (default: the running
        heads), in track order."""
        offsets = (collection or self.running).get_offsets()
        out = np.empty_like(offsets)
        out[self.order] = offsets
        return out

    @property
    def artists(self) -> list:
        return [self.running, self.crosses]
