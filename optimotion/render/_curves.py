"""The `loss` and `speed` views: a value against the step, with a cursor at the
current step. The y axis is logarithmic when the values are positive and span more
than two decades; its limits are fixed from the whole run so nothing rescales."""

from __future__ import annotations

import numpy as np

from ._panels import LINE_WIDTH, BasePanel, Heads, Trails, diverged, head_index

LOG_SPAN = 100.0


def curve_limits(values: np.ndarray, pad: float) -> tuple[bool, float, float]:
    """`(log, lo, hi)`: the y scale and limits that show the finite `values`, with
    `pad` of the span free on each side. Log scale when the positive values span
    more than `LOG_SPAN` and the rest are zeros (drawn on the axis floor)."""
    if values.size == 0:
        return False, -1.0, 1.0
    positive = values[values > 0]
    if (
        positive.size
        and (values >= 0).all()
        and positive.max() / positive.min() > LOG_SPAN
    ):
        lo, hi = np.log10(positive.min()), np.log10(positive.max())
        margin = pad * (hi - lo)
        return True, 10 ** (lo - margin), 10 ** (hi + margin)
    lo, hi = float(values.min()), float(values.max())
    margin = pad * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.1
    return False, lo - margin, hi + margin


class CurvePanel(BasePanel):
    """Shared drawing of one curve per track over steps 0..T."""

    title = ""
    ylabel = ""

    def series(self, track) -> tuple[np.ndarray, np.ndarray]:
        """`(steps, values)` of a track; index i is drawn once the head reaches
        `steps[i]`."""
        raise NotImplementedError

    def on_map(self, track) -> np.ndarray:
        """Which values of the series belong to points on the map: only those set
        the limits (a run that leaves the window would squash every other curve)."""
        raise NotImplementedError

    def limits(self, finite: np.ndarray) -> tuple[bool, float, float]:
        """`(log, lo, hi)` of the y axis for the finite values shown."""
        return curve_limits(finite, pad=0.05)

    def draw_static(self) -> None:
        ax, theme = self.ax, self.theme
        self.style_axes()
        self.data = [self.series(track) for track in self.tracks]
        values = np.concatenate([v for _, v in self.data])
        shown = np.concatenate([self.on_map(track) for track in self.tracks])
        finite = values[np.isfinite(values) & shown]
        if finite.size == 0:
            finite = values[np.isfinite(values)]
        self.log, lo, hi = self.limits(finite)
        if self.log:
            ax.set_yscale("log", nonpositive="clip")
        if finite.size:
            ax.set_ylim(lo, hi)
        if {"contour", "surface3d"} & set(self.spec.views):
            ax.set_box_aspect(1.0)  # as square as the maps beside it
        steps = self.prepared.steps
        ax.set_xlim(0, max(steps, 1))
        ax.set_xlabel("step")
        ax.set_ylabel(self.ylabel)
        ax.set_title(self.title)
        ax.grid(True, color=theme.grid, linewidth=0.7)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self.cursor = self.animate(
            ax.axvline(0, color=theme.muted, linewidth=1.0, linestyle=(0, (4, 3)))
        )
        self.lines = Trails(self.tracks, fade=False, width=LINE_WIDTH * 0.8)
        ax.add_collection(self.animate(self.lines.collection), autolim=False)
        self.heads = Heads(self.tracks, theme, size=5.5, offset_transform=ax.transData)
        for artist in self.heads.artists:
            ax.add_collection(self.animate(artist), autolim=False)

    def update(self, t: int) -> list:
        self.cursor.set_xdata([t, t])
        pieces, heads = [], np.full((len(self.tracks), 2), np.nan)
        for i, (track, (x, v)) in enumerate(zip(self.tracks, self.data, strict=True)):
            n = int(np.searchsorted(x, head_index(track, t), side="right"))
            pieces.append(np.column_stack([x[:n], v[:n]]))
            finite = np.flatnonzero(np.isfinite(v[:n]))
            if finite.size:
                heads[i] = (x[finite[-1]], v[finite[-1]])
        self.lines.set(pieces)
        self.heads.set(heads, np.array([diverged(track, t) for track in self.tracks]))
        return [self.cursor, self.lines.collection, *self.heads.artists]


class LossPanel(CurvePanel):
    view = "loss"
    title = "loss"
    ylabel = "f(x, y)"

    def series(self, track):
        return np.arange(len(track.loss)), track.loss

    def on_map(self, track):
        return _inside(track.xy, self.prepared.surface.window)


class SpeedPanel(CurvePanel):
    """Step length |x_{t} - x_{t-1}| at step t: it collapses where ∇f vanishes."""

    view = "speed"
    title = "step length"
    ylabel = "|xₜ − xₜ₋₁|"

    def series(self, track):
        return np.arange(1, len(track.step_length) + 1), track.step_length

    def on_map(self, track):
        inside = _inside(track.xy, self.prepared.surface.window)
        return inside[:-1] & inside[1:]  # both ends of the step


def _inside(xy: np.ndarray, window) -> np.ndarray:
    (x0, x1), (y0, y1) = window
    x, y = xy[:, 0], xy[:, 1]
    with np.errstate(invalid="ignore"):
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
