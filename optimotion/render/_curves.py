"""The `loss` and `speed` views: a value against the step, with a cursor at the
current step. The speed's y axis is logarithmic when the values are positive and
span more than two decades; the loss panel's scale is chosen by `loss_scale`. The
limits are fixed from the whole run so nothing rescales."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._data import SurfaceData, Track
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


LATE_STEPS = 0.1
"""`loss_scale`: the steps after this share of the run are 'late'."""

PLATEAU_RATIO = 20.0
"""`loss_scale`: symlog when the whole run spans this many times the late range."""

GAP_DECADES = 12
"""The log scale of f − f* shows at most this many decades below the largest gap:
runs that converge to machine precision lie on the floor."""


class Scale(NamedTuple):
    """A y scale for the loss panel.

    Attributes:
        kind: `linear`, `log` or `symlog`.
        shift: subtracted from f before plotting (f* for the log of f − f*).
        lo, hi: the y limits (of f − shift).
        linthresh: the linear half-width of `symlog` around 0.
    """

    kind: str
    shift: float
    lo: float
    hi: float
    linthresh: float = 1.0


def loss_scale(
    values: np.ndarray,
    late: np.ndarray,
    f_min: float | None,
    setting: str = "auto",
    pad: float = 0.05,
) -> Scale:
    """The loss panel's scale, from the finite loss values shown on the map.

    `auto` picks, in this order:

    1. `log` of f − f* when the minimum f* is known, no value is below it
       (beyond rounding) and the positive gaps span more than `LOG_SPAN`: the
       approach to the minimum, decade by decade, for every run.
    2. `log` of f when every value is positive and they span more than
       `LOG_SPAN` (f* unknown).
    3. `symlog` around 0 when the `late` values (after the first `LATE_STEPS`
       of the run) lie within `PLATEAU_RATIO` times less than the whole range and
       near zero (|late| at most 3 times their range): a plateau near 0 after a
       big early drop, which a linear axis squashes into a line. Its linear
       half-width is the late range.
    4. `linear` otherwise.

    `log` asked for without a known f* plots f (positive values only, else
    linear); `symlog` asked for uses the late range (or 1) as its half-width.

    Examples:
        >>> slide = -0.25 + np.geomspace(0.25, 1e-6, 50)
        >>> drop = np.r_[np.linspace(10, 0, 10), np.zeros(40), slide]
        >>> loss_scale(drop, drop[10:], None).kind  # a plateau at 0, then -0.25
        'symlog'
        >>> loss_scale(drop, drop[10:], -0.25)[:2]  # f* known: log of f - f*
        ('log', -0.25)
        >>> loss_scale(np.array([3.0, 2.0, 1.0]), np.array([1.0]), None).kind
        'linear'
    """
    values = values[np.isfinite(values)]
    late = late[np.isfinite(late)]
    if values.size == 0:
        return Scale("linear", 0.0, -1.0, 1.0)
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo
    if setting in ("auto", "log") and f_min is not None:
        gap = values - f_min
        tol = 1e-6 * max(1.0, abs(f_min))  # rounding below f* (float32 runs)
        positive = gap[gap > 0]
        if (
            (gap >= -tol).all()
            and positive.size
            and (setting == "log" or positive.max() / positive.min() > LOG_SPAN)
        ):
            top = float(positive.max())
            floor = max(float(positive.min()), top * 10.0**-GAP_DECADES)
            return _log_scale(floor, top, pad, shift=f_min)
    if setting in ("auto", "log"):
        positive = values[values > 0]
        if (values > 0).all() and (
            setting == "log" or positive.max() / positive.min() > LOG_SPAN
        ):
            return _log_scale(float(positive.min()), float(positive.max()), pad)
    late_span = float(late.max() - late.min()) if late.size else 0.0
    near_zero = late.size and float(np.abs(late).max()) <= 3 * late_span
    if setting == "symlog" or (
        setting == "auto"
        and late_span > 0
        and span > PLATEAU_RATIO * late_span
        and near_zero
    ):
        width = late_span if late_span > 0 else 1.0
        margin = pad * (_symlog(hi, width) - _symlog(lo, width))
        return Scale(
            "symlog", 0.0, _symlog_inv(_symlog(lo, width) - margin, width),
            _symlog_inv(_symlog(hi, width) + margin, width), width,
        )  # fmt: skip
    margin = pad * span if span > 0 else max(abs(hi), 1.0) * 0.1
    return Scale("linear", 0.0, lo - margin, hi + margin)


def tracks_loss_scale(
    tracks: Sequence[Track],
    surface: SurfaceData,
    setting: str = "auto",
    pad: float = 0.05,
) -> Scale:
    """The loss panel's `loss_scale` for `tracks` (`Track`s) on `surface` (a
    `SurfaceData`): only the values of points on the map count (all finite ones
    if none is), the late ones after `LATE_STEPS` of the longest run, f* when a
    marked minimum gives it. The video's loss panel and the explorer's loss view
    both ask this."""
    steps = max(len(track.loss) - 1 for track in tracks)
    values = np.concatenate([track.loss for track in tracks])
    index = np.concatenate([np.arange(len(track.loss)) for track in tracks])
    shown = np.concatenate([_inside(track.xy, surface.window) for track in tracks])
    finite = np.isfinite(values)
    if not (finite & shown).any():
        shown = finite
    late = shown & finite & (index >= np.ceil(LATE_STEPS * steps))
    return loss_scale(
        values[finite & shown],
        values[late],
        surface.f_min if surface.f_min_known else None,
        setting,
        pad,
    )


def _log_scale(lo: float, hi: float, pad: float, shift: float = 0.0) -> Scale:
    a, b = np.log10(lo), np.log10(hi)
    margin = pad * (b - a) if b > a else 0.5
    return Scale("log", shift, 10 ** (a - margin), 10 ** (b + margin))


def _symlog(v: float, width: float) -> float:
    """matplotlib's symlog transform (base 10, linscale 1), up to a factor."""
    a = abs(v)
    out = a / width if a <= width else 1.0 + np.log10(a / width)
    return float(np.copysign(out, v))


def _symlog_inv(u: float, width: float) -> float:
    a = abs(u)
    out = a * width if a <= 1.0 else width * 10.0 ** (a - 1.0)
    return float(np.copysign(out, u))


class CurvePanel(BasePanel):
    """Shared drawing of one curve per track over steps 0..T."""

    title = ""
    ylabel = ""

    def series(self, track) -> tuple[np.ndarray, np.ndarray]:
        """`(steps, values)` of a track; index i is drawn once the head reaches
        `steps[i]`."""
        raise NotImplementedError

    gap_label = ""

    def choose_scale(self, finite: np.ndarray, shown: np.ndarray) -> Scale:
        """The y scale of the finite shown values (`shown`: the mask over every
        track's series, concatenated)."""
        log, lo, hi = curve_limits(finite, pad=0.05)
        return Scale("log" if log else "linear", 0.0, lo, hi)

    def draw_order(self) -> tuple[int, ...]:
        """The order its tracks are drawn in, bottom to top (`Prepared.order`)."""
        return self.prepared.order

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
            shown = np.isfinite(values)
            finite = values[shown]
        self.scale = self.choose_scale(finite, shown)
        self.log = self.scale.kind == "log"
        if self.scale.kind == "log":
            ax.set_yscale("log", nonpositive="clip")
        elif self.scale.kind == "symlog":
            ax.set_yscale("symlog", linthresh=self.scale.linthresh)
        if self.scale.shift or self.scale.kind == "log":
            # f - f* below the floor (converged to rounding) lies on the floor
            shift, floor = self.scale.shift, self.scale.lo
            self.data = [
                (x, np.maximum(v - shift, floor) if self.log else v - shift)
                for x, v in self.data
            ]
        if finite.size:
            ax.set_ylim(self.scale.lo, self.scale.hi)
        if self.square and {"contour", "surface3d", "cloud"} & set(self.spec.views):
            ax.set_box_aspect(1.0)  # as square as the maps beside it
        steps = self.prepared.steps
        ax.set_xlim(0, max(steps, 1))
        ax.set_xlabel("step")
        ax.set_ylabel(self.ylabel if not self.scale.shift else self.gap_label)
        ax.set_title(self.title)
        ax.grid(True, color=theme.grid, linewidth=0.7)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self.cursor = self.animate(
            ax.axvline(0, color=theme.muted, linewidth=1.0, linestyle=(0, (4, 3)))
        )
        order = self.draw_order()
        self.lines = Trails(
            self.tracks, fade=False, width=LINE_WIDTH * 0.8, order=order,
            casing=theme.background,
        )  # fmt: skip
        ax.add_collection(self.animate(self.lines.collection), autolim=False)
        self.heads = Heads(
            self.tracks, theme, size=5.5, offset_transform=ax.transData, order=order
        )
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
    gap_label = "f(x, y) − f*"

    def choose_scale(self, finite, shown):
        return tracks_loss_scale(
            self.tracks, self.prepared.surface, self.spec.loss_scale
        )

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
