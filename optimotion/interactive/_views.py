"""The explorer's two views. Their moving artists are the explorer's own (one per
optimizer, so a legend click hides exactly one); the contour's static part is
drawn by `render`'s contour panel, so both look alike.

The loss view's limits stay put across recomputes: they change only when the new
curves leave them or fill too little of them, so most clicks redraw just the
moving artists (a blit), not the Axes and their tick labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..render import curve_limits

FILL = 0.2
"""Refit the loss limits when the curves fill less than this fraction of them."""
HEADROOM = 0.15
"""Refitted limits leave this fraction of the span free on each side, so that
the next clicks' curves mostly fit too."""


class ContourView:
    """Filled contours and critical points (static), trails, heads and the start
    marker (animated)."""

    def __init__(self, ax, prepared, spec, theme) -> None:
        from ..render import HEAD_EDGE, HEAD_SIZE, LINE_WIDTH, ContourPanel

        panel = ContourPanel(ax, prepared._replace(starts=()), spec, theme)
        panel.draw_static()
        for artist in panel.moving:  # ours are per optimizer
            artist.remove()
        self.ax, self.trail = ax, spec.trail
        self.tracks = prepared.tracks
        self.trails = [
            ax.plot([], [], color=t.color, linewidth=LINE_WIDTH, zorder=4,
                    solid_capstyle="round", solid_joinstyle="round",
                    animated=True)[0]
            for t in self.tracks
        ]  # fmt: skip
        self.heads = [
            ax.plot([], [], "o", color=t.color, markersize=HEAD_SIZE, zorder=5,
                    markeredgecolor=theme.background, markeredgewidth=HEAD_EDGE,
                    animated=True)[0]
            for t in self.tracks
        ]  # fmt: skip
        (self.start,) = ax.plot(
            [], [], marker="o", markersize=11, markerfacecolor="none",
            markeredgecolor=theme.foreground, markeredgewidth=1.4, zorder=3,
            linestyle="none", animated=True,
        )  # fmt: skip

    @property
    def moving(self) -> list:
        return [self.start, *self.trails, *self.heads]

    def update(self, t: int, visible: Sequence[bool], start) -> None:
        from ..render import diverged, head_index, trail_window

        self.start.set_data([start[0]], [start[1]])
        for track, trail, head, shown in zip(
            self.tracks, self.trails, self.heads, visible, strict=True
        ):
            lo, hi = trail_window(track, t, self.trail)
            trail.set_data(track.xy[lo : hi + 1, 0], track.xy[lo : hi + 1, 1])
            i = head_index(track, t)
            head.set_data(track.xy[i : i + 1, 0], track.xy[i : i + 1, 1])
            head.set_marker("X" if diverged(track, t) else "o")
            trail.set_visible(shown)
            head.set_visible(shown)


def _fills(values: np.ndarray, log: bool, limits: tuple[float, float]) -> bool:
    """Whether `values` lie inside `limits` and fill at least `FILL` of them."""
    lo, hi = limits
    if log:  # zeros sit on the floor, wherever it is
        values = values[values > 0]
    if values.size == 0 or values.min() < lo or values.max() > hi:
        return False
    if log:
        values, lo, hi = np.log10(values), np.log10(lo), np.log10(hi)
    return (values.max() - values.min()) >= FILL * (hi - lo)


class LossView:
    """Loss curves, heads and a step cursor in one Axes."""

    def __init__(self, ax, colors: Sequence[str], theme) -> None:
        self.ax = ax
        ax.set_facecolor(theme.background)
        ax.tick_params(colors=theme.muted, which="both")
        for side, spine in ax.spines.items():
            spine.set_color(theme.muted)
            spine.set_visible(side in ("left", "bottom"))
        ax.set_title("loss", fontsize="medium")
        ax.set_xlabel("step")
        ax.set_ylabel("f(x, y)")
        ax.grid(True, color=theme.grid, linewidth=0.7)
        ax.set_axisbelow(True)
        self.cursor = ax.axvline(
            0, color=theme.muted, linewidth=1.0, linestyle=(0, (4, 3)), animated=True
        )
        self.lines = [
            ax.plot([], [], color=c, linewidth=1.6, animated=True)[0] for c in colors
        ]
        self.heads = [
            ax.plot([], [], "o", color=c, markersize=5.5, markeredgewidth=1.0,
                    markeredgecolor=theme.background, animated=True)[0]
            for c in colors
        ]  # fmt: skip
        self.log: bool | None = None
        self.losses: list[np.ndarray] = []

    @property
    def moving(self) -> list:
        return [self.cursor, *self.lines, *self.heads]

    def set_data(self, losses: Sequence[np.ndarray], steps: int) -> bool:
        """New curves over steps 0..`steps`; returns True when the Axes changed
        (limits or scale) and the figure must be redrawn."""
        self.losses = [np.asarray(v, dtype=np.float64) for v in losses]
        ax = self.ax
        changed = ax.get_xlim() != (0.0, float(max(steps, 1)))
        if changed:
            ax.set_xlim(0, max(steps, 1))
        values = np.concatenate(self.losses)
        values = values[np.isfinite(values)]
        log, lo, hi = curve_limits(values, pad=HEADROOM)
        if log == self.log and values.size and _fills(values, log, ax.get_ylim()):
            return changed
        self.log = log
        if log:  # zeros sit on the axis floor, as in `render`
            ax.set_yscale("log", nonpositive="clip")
        else:
            ax.set_yscale("linear")
        ax.set_ylim(lo, hi)
        return True

    def update(self, t: int, visible: Sequence[bool]) -> None:
        self.cursor.set_xdata([t, t])
        for loss, line, head, shown in zip(
            self.losses, self.lines, self.heads, visible, strict=True
        ):
            n = min(t + 1, len(loss))
            line.set_data(np.arange(n), loss[:n])
            finite = np.flatnonzero(np.isfinite(loss[:n]))[-1:]
            head.set_data(finite, loss[finite])
            line.set_visible(shown)
            head.set_visible(shown)


LR_DECADES = (-2.0, 1.0)
"""Each learning-rate slider spans lr·10^-2 .. lr·10^1, on a log scale."""


def make_legend(fig, tracks):
    """The figure legend of the optimizers (label and learning rate), at the
    right under the loss view."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=t.color, linewidth=2.5, marker="o", markersize=6)
        for t in tracks
    ]
    return fig.legend(
        handles, [t.legend for t in tracks], loc="upper left",
        bbox_to_anchor=(0.64, 0.52), frameon=False, fontsize=9,
    )  # fmt: skip


def make_sliders(
    fig,
    lrs: dict[str, float],
    colors: dict[str, str],
    theme,
    *,
    sigma: tuple[float, float],
    steps: tuple[int, int],
) -> dict:
    """`{label: Slider}` of log10(lr) for each `lrs` entry (left column), plus
    `noise` (`sigma` = (value, top)) and `steps` (= (value, top)) at the right.

    The sliders never draw themselves (`drawon` False): the explorer redraws
    once per change, only the layers that changed."""
    from matplotlib.widgets import Slider as _Slider

    class Slider(_Slider):
        drawon = False

    sliders: dict[str, Slider] = {}
    height = min(0.035, 0.27 / max(len(lrs), 1))
    for i, (label, lr) in enumerate(lrs.items()):
        value = math.log10(lr)
        slider = Slider(
            fig.add_axes((0.17, 0.27 - (i + 1) * height, 0.3, 0.7 * height)),
            f"{label} lr", value + LR_DECADES[0], value + LR_DECADES[1],
            valinit=value, color=colors[label],
        )  # fmt: skip
        slider.valtext.set_text(f"{lr:.3g}")
        sliders[label] = slider
    sliders["noise"] = Slider(
        fig.add_axes((0.73, 0.22, 0.21, 0.025)), "noise", 0.0, sigma[1],
        valinit=min(sigma[0], sigma[1]), color=theme.muted,
    )  # fmt: skip
    sliders["steps"] = Slider(
        fig.add_axes((0.73, 0.16, 0.21, 0.025)), "steps", 1, steps[1],
        valinit=steps[0], valstep=1, color=theme.muted,
    )  # fmt: skip
    return sliders
