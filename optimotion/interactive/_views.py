"""The explorer's two views, drawn by `render`'s own pieces so that they look as
in the video: the contour view is `render`'s contour panel (its static map once;
its trails, heads and arrows for the paths shown, so `fade`, `trail` and
`arrows` apply), the loss view takes `render`'s `loss_scale` rule.

The loss view's limits stay put across recomputes: they change only when the new
curves leave them or fill too little of them, so most clicks redraw just the
moving artists (a blit), not the Axes and their tick labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..render import ContourPanel, tracks_loss_scale

FILL = 0.2
"""Refit the loss limits when the curves fill less than this fraction of them."""
HEADROOM = 0.15
"""Refitted limits leave this fraction of the span free on each side, so that
the next clicks' curves mostly fit too."""


class ContourView:
    """Filled contours and marked points (static); the contour panel's trails,
    heads (and arrows) of the paths shown, and the start marker (animated).

    The paths' artists are made again when the tracks or the paths shown change
    (a recompute, a legend click): hidden paths are not in them at all."""

    def __init__(self, ax, prepared, spec, theme) -> None:
        ContourPanel(ax, prepared._replace(starts=()), spec, theme).draw_surface()
        self.ax, self.spec, self.theme = ax, spec, theme
        self.prepared = prepared
        (self.start,) = ax.plot(
            [], [], marker="o", markersize=11, markerfacecolor="none",
            markeredgecolor=theme.foreground, markeredgewidth=1.4, zorder=3,
            linestyle="none", animated=True,
        )  # fmt: skip
        self.panel: ContourPanel | None = None
        self.shown: tuple[int, ...] = ()
        self.drawn: list = []
        self.set_tracks(prepared, [True] * len(prepared.tracks))

    def set_tracks(self, prepared, visible: Sequence[bool]) -> None:
        """Draw the tracks of `prepared` whose `visible` is True (its marked
        points stay the first `prepared`'s: those are in the static map)."""
        shown = tuple(i for i, v in enumerate(visible) if v)
        if prepared.tracks is self.prepared.tracks and shown == self.shown:
            return
        self.prepared, self.shown = prepared, shown
        if self.panel is not None:
            for artist in self.panel.moving:
                artist.remove()
        self.panel, self.drawn = None, []
        if not shown:
            return
        new = {old: i for i, old in enumerate(shown)}
        part = prepared._replace(
            tracks=tuple(prepared.tracks[i] for i in shown),
            order=tuple(new[i] for i in prepared.order if i in new),
            buried=tuple(new[i] for i in prepared.buried if i in new),
            particles=(),
        )
        self.panel = ContourPanel(self.ax, part, self.spec, self.theme)
        self.panel.draw_paths()

    @property
    def moving(self) -> list:
        return [self.start, *self.drawn]

    def update(self, t: int, start) -> None:
        self.start.set_data([start[0]], [start[1]])
        self.drawn = [] if self.panel is None else self.panel.update(t)

    def trail_xy(self, i: int) -> np.ndarray | None:
        """The trail drawn for track `i` (an (n, 2) polyline); None if hidden."""
        if i not in self.shown or self.panel is None:
            return None
        return self.panel.trails.shown[self.shown.index(i)]


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
    """Loss curves, heads and a step cursor in one Axes, on the scale the
    video's loss panel would choose (`spec.loss_scale`)."""

    def __init__(self, ax, prepared, spec, theme) -> None:
        self.ax, self.surface, self.setting = ax, prepared.surface, spec.loss_scale
        colors = [t.color for t in prepared.tracks]
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
        self.scale = None
        self.losses: list[np.ndarray] = []

    @property
    def moving(self) -> list:
        return [self.cursor, *self.lines, *self.heads]

    def set_data(self, tracks, steps: int) -> bool:
        """New curves of `tracks` over steps 0..`steps`; returns True when the
        Axes changed (limits or scale) and the figure must be redrawn."""
        ax = self.ax
        changed = ax.get_xlim() != (0.0, float(max(steps, 1)))
        if changed:
            ax.set_xlim(0, max(steps, 1))
        tight = tracks_loss_scale(tracks, self.surface, self.setting, pad=0.0)
        old, shift = self.scale, tight.shift
        log = tight.kind == "log"
        keep = (
            old is not None
            and (old.kind, old.shift, old.linthresh)
            == (tight.kind, shift, tight.linthresh)
            and _fills(np.array([tight.lo, tight.hi]), log, ax.get_ylim())
        )
        if not keep:
            scale = tracks_loss_scale(tracks, self.surface, self.setting, HEADROOM)
            self.scale = scale
            if log:  # below the floor (converged to rounding): on the floor
                ax.set_yscale("log", nonpositive="clip")
            elif scale.kind == "symlog":
                ax.set_yscale("symlog", linthresh=scale.linthresh)
            else:
                ax.set_yscale("linear")
            ax.set_ylim(scale.lo, scale.hi)
            ax.set_ylabel("f(x, y) − f*" if shift else "f(x, y)")
            changed = True
        floor = ax.get_ylim()[0]
        self.losses = [
            np.maximum(t.loss - shift, floor) if log else t.loss - shift for t in tracks
        ]
        return bool(changed)

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
