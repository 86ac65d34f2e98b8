"""The panel protocol and what the panels share: trail windows, fading, styles.

A panel owns one Axes. `draw_static()` creates every artist once: the static ones
are drawn into the cached background, the moving ones are `animated` (skipped by
`canvas.draw`) and are returned by `update(t)` after their data is set for step t.
"""

from __future__ import annotations

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

    Without fading, item i is track i's polyline; with fading, the collection holds
    every track's segments, each with its own alpha.
    """

    def __init__(self, tracks, *, fade: bool, width: float = LINE_WIDTH, **kw):
        from matplotlib.collections import LineCollection

        self.tracks, self.fade = tracks, fade
        self.collection = LineCollection(
            [np.zeros((0, 2)) for _ in tracks], colors=[t.color for t in tracks],
            linewidths=width, capstyle="round", joinstyle="round", animated=True,
            **kw,
        )  # fmt: skip

    def set(self, pieces: list[np.ndarray]) -> None:
        """Show `pieces[i]`, an (n, 2) polyline, for track i."""
        if not self.fade:
            self.collection.set_segments(pieces)
            return
        segments, colors = [], []
        for track, points in zip(self.tracks, pieces, strict=True):
            if len(points) > 1:
                segments.append(np.stack([points[:-1], points[1:]], axis=1))
                colors.append(fade_colors(track.color, len(points) - 1))
        if segments:
            self.collection.set_segments(np.concatenate(segments))
            self.collection.set_color(np.concatenate(colors))
        else:
            self.collection.set_segments([])


class Heads:
    """Every track's head as one marker collection: a disc while running, an X
    once diverged (non-finite offsets are not drawn)."""

    def __init__(self, tracks, theme: Theme, *, size: float = HEAD_SIZE, **kw):
        from matplotlib.collections import PathCollection
        from matplotlib.markers import MarkerStyle
        from matplotlib.transforms import IdentityTransform

        def collection(marker: str, scale: float):
            style = MarkerStyle(marker)
            path = style.get_path().transformed(style.get_transform())
            made = PathCollection(
                (path,), sizes=[(size * scale) ** 2],
                offsets=np.zeros((len(tracks), 2)),
                facecolors=[t.color for t in tracks], edgecolors=theme.background,
                linewidths=HEAD_EDGE, animated=True, **kw,
            )  # fmt: skip
            made.set_transform(IdentityTransform())
            return made

        self.tracks = tracks
        self.running = collection("o", 1.0)
        self.crosses = collection("X", 1.25)

    def set(self, points: np.ndarray, dead: np.ndarray) -> None:
        """Heads at `points` (n, 2); `dead` (n,) marks the diverged ones."""
        dead = np.asarray(dead, bool)[:, None]
        self.running.set_offsets(np.where(dead, np.nan, points))
        self.crosses.set_offsets(np.where(dead, points, np.nan))
        self.running.set_visible(not dead.all())  # an invisible artist draws nothing
        self.crosses.set_visible(bool(dead.any()))

    @property
    def artists(self) -> list:
        return [self.running, self.crosses]
