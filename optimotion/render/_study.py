"""The figures of `optimotion study`: ensemble statistics as PNG and SVG plots.

Plain NumPy in (`StudySeries`), files out; matplotlib stays inside render.
"""

from __future__ import annotations

import pathlib
from typing import NamedTuple

import numpy as np

from .._atomic import replacing
from ._layout import rc_context
from ._theme import assign_colors, get_theme

SIZE = (7.0, 4.2)  # inches
DPI = 120


class StudySeries(NamedTuple):
    """One ensemble's measurements, ready to plot.

    Attributes:
        label: the optimizer's label.
        tau: (steps + 1,) time Σ lr at each step.
        mean_log_distance, std_log_distance: (steps + 1,) over all particles.
        fit: `(rate, intercept, lo, hi)` of the fitted line, or None.
        theory: (steps + 1,) the predicted mean log distance (NaN where none), or
            None.
        theory_label: the legend text of the theory curve.
        survival: (steps + 1,) fraction not yet escaped, or None.
        final_log_distance: log‖x_T − center‖ of every finite particle.
        exit_steps: the escape step of every escaped particle.
    """

    label: str
    tau: np.ndarray
    mean_log_distance: np.ndarray
    std_log_distance: np.ndarray
    fit: tuple[float, float, int, int] | None
    theory: np.ndarray | None
    theory_label: str
    survival: np.ndarray | None
    final_log_distance: np.ndarray
    exit_steps: np.ndarray | None


def study_plots(
    series: list[StudySeries], folder: str | pathlib.Path, *, theme: str = "light"
) -> list[pathlib.Path]:
    """Write `log_distance`, `survival`, `final_distribution` and `escape_times`
    as .png and .svg into `folder` (the last two only with escapes); returns the
    paths written."""
    folder = pathlib.Path(folder)
    look = get_theme(theme)
    colors = assign_colors([s.label for s in series], look, None)
    plots = [("log_distance", _log_distance), ("final_distribution", _final)]
    if all(s.survival is not None for s in series):
        plots[1:1] = [("survival", _survival)]
        plots.append(("escape_times", _escapes))
    written = []
    with rc_context(look):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        for name, draw in plots:
            fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            ax.grid(True, color=look.grid, linewidth=0.7)
            ax.set_axisbelow(True)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            draw(ax, series, colors, look)
            ax.legend(frameon=False, fontsize="small")
            for suffix in (".png", ".svg"):
                path = folder / f"{name}{suffix}"
                with replacing(path) as tmp:
                    fig.savefig(tmp, format=suffix[1:], facecolor=look.background)
                written.append(path)
    return written


def _log_distance(ax, series, colors, theme) -> None:
    for s in series:
        color = colors[s.label]
        finite = np.isfinite(s.mean_log_distance)
        tau, mean, std = (
            s.tau[finite],
            s.mean_log_distance[finite],
            s.std_log_distance[finite],
        )
        ax.fill_between(tau, mean - std, mean + std, color=color, alpha=0.15, lw=0)
        ax.plot(tau, mean, color=color, lw=1.8, label=f"{s.label}: mean ± sd")
        if s.fit is not None:
            rate, intercept, lo, hi = s.fit
            t = s.tau[[lo, hi]]
            ax.plot(
                t, intercept + rate * t, color=theme.foreground, lw=1.2,
                linestyle=(0, (5, 3)), label=f"fit: {rate:.3g} per unit time",
            )  # fmt: skip
        if s.theory is not None:
            shown = np.isfinite(s.theory)
            ax.plot(
                s.tau[shown], s.theory[shown], color=theme.foreground, lw=1.2,
                linestyle=(0, (1, 2)), label=s.theory_label,
            )  # fmt: skip
    ax.set_xlabel("time  τ = Σ lr")
    ax.set_ylabel("log ‖x − center‖")
    ax.set_title("distance from the center")


def _survival(ax, series, colors, theme) -> None:
    for s in series:
        ax.plot(np.arange(len(s.survival)), s.survival, color=colors[s.label], lw=1.8,
                label=s.label)  # fmt: skip
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("step")
    ax.set_ylabel("fraction not yet escaped")
    ax.set_title("survival")


def _hist(ax, series, colors, values_of, *, integer: bool = False) -> None:
    """Step histograms, each normalised by its own count (shown in the legend)."""
    values = [values_of(s) for s in series]
    data = np.concatenate([v for v in values if v is not None and v.size] or [[0.0]])
    edges = np.histogram_bin_edges(data, bins=50)
    if integer:  # whole bins of whole steps: no aliasing stripes
        lo, hi = int(data.min()), int(data.max())
        width = max(1, -(-(hi - lo + 1) // 50))
        edges = np.arange(lo, hi + width + 1, width) - 0.5
    for s, v in zip(series, values, strict=True):
        if v is None or not v.size:
            continue
        counts, _ = np.histogram(v, edges)
        ax.stairs(counts / len(v), edges, color=colors[s.label], fill=True, alpha=0.3)
        ax.stairs(counts / len(v), edges, color=colors[s.label], lw=1.4,
                  label=f"{s.label} ({len(v):,})")  # fmt: skip
    ax.set_ylabel("fraction of particles")


def _final(ax, series, colors, theme) -> None:
    _hist(ax, series, colors, lambda s: s.final_log_distance)
    ax.set_xlabel("log ‖x_T − center‖ at the last step")
    ax.set_title("final distribution (particles not diverged)")


def _escapes(ax, series, colors, theme) -> None:
    _hist(ax, series, colors, lambda s: s.exit_steps, integer=True)
    ax.set_ylabel("fraction of the escaped particles")
    ax.set_xlabel("escape step")
    ax.set_title("escape times (escaped particles)")
