"""The ensemble views: `cloud`, `distribution` and `survival`.

What they draw (an ensemble stores only `keep` full paths, so per-frame clouds
are of the kept particles; the statistics are over all n):
- `cloud`: the kept particles as a translucent scatter on the contour map at the
  current step, each with a thin trail of its last `trail` steps (default
  `CLOUD_TRAIL`), and the exit circle when the ensemble has an exit radius.
- `distribution`: the histogram of log‖x_t − center‖ over the kept particles, a
  solid line (the ensemble's colour) at the mean over all n particles, and a
  dashed dark line at the theory's mean where one was given
  (`render.particles(ensemble, theory=...)`).
- `survival`: the fraction of all n particles not yet escaped against the step,
  revealed up to the current step.
"""

from __future__ import annotations

import numpy as np

from ._contour import ContourPanel
from ._curves import CurvePanel, Scale
from ._panels import BasePanel

CLOUD_TRAIL = 20
"""Steps of trail behind each particle of the `cloud` view when `trail` is unset."""

CLOUD_ALPHA = 0.55
TRAIL_ALPHA = 0.22
DOT_SIZE = 3.2  # points
BINS = 40


class CloudPanel(ContourPanel):
    """The kept particles of every ensemble, moving on the contour map."""

    view = "cloud"

    def draw_static(self) -> None:
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Circle

        self.draw_surface()
        ax, theme = self.ax, self.theme
        self.clouds = self.prepared.clouds()
        self.trail = self.spec.trail or CLOUD_TRAIL
        self.trails, self.dots = [], []
        for track, record in self.clouds:
            if record.exit_radius is not None:
                ax.add_patch(
                    Circle(
                        record.center, record.exit_radius, fill=False,
                        edgecolor=theme.foreground, linewidth=0.9,
                        linestyle=(0, (4, 3)), alpha=0.7, zorder=3,
                    )
                )  # fmt: skip
            lines = LineCollection(
                [], colors=track.color, linewidths=0.45, alpha=TRAIL_ALPHA, zorder=4
            )
            ax.add_collection(self.animate(lines), autolim=False)
            self.trails.append(lines)
        for track, record in self.clouds:  # every cloud's dots above every trail
            dots = ax.scatter(
                record.paths[:, 0, 0], record.paths[:, 0, 1], s=DOT_SIZE**2,
                color=track.color, alpha=CLOUD_ALPHA, linewidths=0, zorder=5,
            )  # fmt: skip
            self.dots.append(self.animate(dots))

    def update(self, t: int) -> list:
        for (_, record), lines, dots in zip(
            self.clouds, self.trails, self.dots, strict=True
        ):
            t_here = min(t, record.steps)
            lo = max(0, t_here - self.trail)
            lines.set_segments(list(record.paths[:, lo : t_here + 1]))
            dots.set_offsets(record.paths[:, t_here])
        return [*self.trails, *self.dots]


class DistributionPanel(BasePanel):
    """The histogram of log‖x_t − center‖ of the kept particles at step t."""

    view = "distribution"

    def draw_static(self) -> None:
        from matplotlib.lines import Line2D

        ax, theme = self.ax, self.theme
        self.style_axes()
        self.clouds = self.prepared.clouds()
        logs = []
        for _, record in self.clouds:
            distance = np.linalg.norm(record.paths - np.asarray(record.center), axis=-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                logs.append(np.log(distance))  # (keep, steps + 1)
        finite = np.concatenate([v[np.isfinite(v)] for v in logs])
        lo, hi = (-1.0, 1.0) if finite.size == 0 else np.percentile(finite, (0.5, 99.5))
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
        self.edges = np.linspace(lo, hi, BINS + 1)
        width = self.edges[1] - self.edges[0]
        self.density = []  # per cloud: (steps + 1, BINS) fraction of kept per unit
        for v in logs:
            keep = v.shape[0]
            counts = np.stack(
                [np.histogram(col[np.isfinite(col)], self.edges)[0] for col in v.T]
            )
            self.density.append(counts / (keep * width))
        peaks = np.concatenate([d.max(axis=1) for d in self.density])
        top = float(np.percentile(peaks, 90)) if peaks.size else 1.0
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1.15 * top if top > 0 else 1.0)
        if self.square and {"contour", "surface3d", "cloud"} & set(self.spec.views):
            ax.set_box_aspect(1.0)
        ax.set_xlabel("log ‖x − center‖")
        ax.set_ylabel("density (kept particles)")
        ax.set_title("distance from the center")
        ax.grid(True, color=theme.grid, linewidth=0.7)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        handles = [Line2D([], [], color=theme.foreground, linewidth=1.6)]
        labels = ["mean, all particles"]
        if any(record.theory is not None for _, record in self.clouds):
            handles.append(
                Line2D([], [], color=theme.foreground, linewidth=1.2, linestyle="--")
            )
            labels.append("theory")
        ax.legend(handles, labels, loc="upper left", fontsize="small", frameon=False)
        self.bars, self.means, self.theories = [], [], []
        for track, _ in self.clouds:
            bars = ax.stairs(
                np.zeros(BINS), self.edges, fill=True, color=track.color, alpha=0.35
            )
            self.bars.append(self.animate(bars))
        for track, record in self.clouds:
            style = {"color": track.color, "linewidth": 1.6}
            self.means.append(self.animate(ax.axvline(np.nan, **style)))
            if record.theory is not None:  # dark, to show over its own mean line
                theory = ax.axvline(
                    np.nan, color=theme.foreground, linewidth=1.2,
                    linestyle=(0, (4, 3)),
                )  # fmt: skip
                self.theories.append(self.animate(theory))
            else:
                self.theories.append(None)

    def update(self, t: int) -> list:
        for (_, record), density, bars, mean, theory in zip(
            self.clouds, self.density, self.bars, self.means, self.theories,
            strict=True,
        ):  # fmt: skip
            t_here = min(t, record.steps)
            bars.set_data(density[t_here])
            m = record.mean_log_distance[t_here]
            mean.set_xdata([m, m])
            mean.set_visible(bool(np.isfinite(m)))
            if theory is not None:
                value = record.theory[t_here]
                theory.set_xdata([value, value])
                theory.set_visible(bool(np.isfinite(value)))
        shown = [a for a in self.theories if a is not None]
        return [*self.bars, *self.means, *shown]


class SurvivalPanel(CurvePanel):
    """The fraction of particles not yet escaped, against the step."""

    view = "survival"
    title = "not yet escaped"
    ylabel = "fraction of particles"

    def __init__(self, ax, prepared, spec, theme) -> None:
        super().__init__(ax, prepared, spec, theme)
        steps = prepared.steps
        pairs = prepared.clouds()
        # The curve is the ensemble's, not the sample path's: never cut short.
        self.tracks = tuple(t._replace(last=steps, diverged_at=None) for t, _ in pairs)
        self.survival = {t.label: r.survival for t, r in pairs}

    def series(self, track):
        values = self.survival[track.label]
        return np.arange(len(values)), values

    def on_map(self, track):
        return np.ones(len(self.survival[track.label]), bool)

    def choose_scale(self, finite, shown):
        return Scale("linear", 0.0, -0.03, 1.03)

    def draw_order(self):
        return tuple(range(len(self.tracks)))  # its own tracks: the ensembles
