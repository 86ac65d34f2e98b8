"""The figure: panels on a grid, one legend, the title and the step counter.

The layout is computed once (constrained layout) and then frozen, so the cached
background and every frame agree pixel for pixel. Text is fitted, not clipped:
titles and the legend shrink until they fit their space.
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._contour import ContourPanel
from ._curves import LossPanel, SpeedPanel
from ._data import Prepared, SurfaceData
from ._ensemble_views import CloudPanel, DistributionPanel, SurvivalPanel
from ._grid import grid_cells
from ._panels import CRITICAL_STYLE, HEAD_SIZE, LINE_WIDTH, BasePanel
from ._spec import RenderSpec
from ._surface3d import Surface3DPanel
from ._theme import Theme

if TYPE_CHECKING:
    from matplotlib.text import Text

PANELS = {
    "contour": ContourPanel,
    "surface3d": Surface3DPanel,
    "loss": LossPanel,
    "speed": SpeedPanel,
    "cloud": CloudPanel,
    "distribution": DistributionPanel,
    "survival": SurvivalPanel,
}

MAPS = ("contour", "cloud")
"""The views drawn on the contour map (its title, start and critical points)."""

MIN_FONT = 6.5  # points: nothing is shrunk below this
LEGEND_GROWTH = 1.45  # a side legend's text grows at most this much ...
LEGEND_HEIGHT = 0.8  # ... and up to this share of the panel's height
MIN_SHRINK = 0.75  # nor below this fraction of its own size: then it is cut


def theme_rc(theme: Theme) -> dict:
    """rcParams for a render, applied over matplotlib's defaults (never the user's
    style) inside `matplotlib.rc_context` while building and drawing."""
    return {
        "figure.facecolor": theme.background,
        "axes.facecolor": theme.background,
        "savefig.facecolor": theme.background,
        "savefig.edgecolor": theme.background,
        "text.color": theme.foreground,
        "axes.labelcolor": theme.foreground,
        "axes.titlecolor": theme.foreground,
        "axes.edgecolor": theme.muted,
        "xtick.color": theme.muted,
        "ytick.color": theme.muted,
        "xtick.labelcolor": theme.muted,
        "ytick.labelcolor": theme.muted,
        "font.size": 10.0,
        "axes.titlesize": 11.0,
        "axes.labelsize": 10.0,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "legend.fontsize": 9.0,
        "legend.facecolor": theme.background,
        "legend.edgecolor": theme.grid,
        "legend.framealpha": 1.0,
        "mathtext.fontset": "dejavusans",
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
        "axes.unicode_minus": True,
    }


@contextlib.contextmanager
def rc_context(theme: Theme) -> Iterator[None]:
    """Matplotlib's defaults plus the theme, restored on exit."""
    import matplotlib

    with matplotlib.rc_context():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            matplotlib.rcdefaults()
        matplotlib.rcParams.update(theme_rc(theme))
        yield


class Layout:
    """The built figure.

    Attributes:
        fig, canvas: the `Figure` and its `FigureCanvasAgg`.
        panels: one panel per view, in `spec.views` order.
        counter: the animated step counter text, or None.
        size: `(width, height)` in pixels, exactly `spec.size`.
    """

    def __init__(self, prepared: Prepared, spec: RenderSpec, theme: Theme) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        width, height = spec.size
        self.size = (width, height)
        self.spec, self.theme, self.prepared = spec, theme, prepared
        fig = Figure(figsize=(width / spec.dpi, height / spec.dpi), dpi=spec.dpi)
        self.fig, self.canvas = fig, FigureCanvasAgg(fig)
        got = self.canvas.get_width_height()
        if got != (width, height):  # float rounding of figsize * dpi
            fig.set_size_inches((width + 1e-3) / spec.dpi, (height + 1e-3) / spec.dpi)
            got = self.canvas.get_width_height()
        if got != (width, height):
            raise RuntimeError(f"`render`: canvas is {got}, expected {spec.size}")
        self.panels: list[BasePanel] = []
        cells = grid_cells(spec, fig)
        for view, (cell, square) in zip(spec.views, cells, strict=True):
            projection = "3d" if view == "surface3d" else None
            ax = fig.add_subplot(cell, projection=projection)
            panel = PANELS[view](ax, prepared, spec, theme)
            panel.square = square
            panel.draw_static()
            self.panels.append(panel)
        self._title()
        self._legend()
        self.counter = self._counter()
        self._layout()

    # -- static text ---------------------------------------------------------

    def _panel_title(self) -> None:
        contour = next((p for p in self.panels if p.view in MAPS), None)
        if contour is None:
            return
        name, text = surface_title(self.prepared.surface)
        contour.ax.set_title(text, fontsize="medium", pad=8)
        contour.short_title = name

    def _title(self) -> None:
        self._panel_title()
        title = self.spec.title
        if title is None and not self.spec.step_counter:
            self.title = None
            return
        # A suptitle always exists when the counter does, so the layout reserves
        # its row; an empty title is one figure space.
        self.title = self.fig.suptitle(
            title if title else "\u2007", x=0.015, ha="left", fontsize=13,
            fontweight="bold",
        )  # fmt: skip

    def _counter(self) -> Text | None:
        """The step counter: "step" and "/ T" are static; only the number moves."""
        if not self.spec.step_counter:
            return None
        steps = self.prepared.steps
        style = {"fontsize": 12, "color": self.theme.foreground, "va": "baseline"}
        self._counter_total = self.fig.text(
            0.985, 0.99, f"/ {steps}", ha="right", **style
        )
        self._counter_label = self.fig.text(0.9, 0.99, "step", ha="right", **style)
        return self.fig.text(0.95, 0.99, str(steps), ha="right", animated=True, **style)

    def _place_counter(self, renderer) -> float:
        """Put the counter in the title row; returns its left edge in pixels."""
        y, va = self.title.get_position()[1], self.title.get_va()
        width = self.size[0]
        parts = (self._counter_total, self.counter, self._counter_label)
        for text in parts:
            text.set_y(y)
            text.set_va(va)
        gap = 0.35 * self.counter.get_fontsize() * self.spec.dpi / 72  # a space
        total = self._counter_total.get_window_extent(renderer)
        self.counter.set_text(str(self.prepared.steps))  # the widest number
        self.counter.set_x((total.x0 - gap) / width)
        number = self.counter.get_window_extent(renderer)
        self._counter_label.set_x((number.x0 - gap) / width)
        return self._counter_label.get_window_extent(renderer).x0

    track_entries = True
    """Whether the legend lists the optimizers (the HTML player lists them in
    the page instead, where they toggle)."""

    def _legend(self) -> None:
        from matplotlib.lines import Line2D

        theme = self.theme
        handles, labels = [], []
        for track in self.prepared.tracks if self.track_entries else ():
            handles.append(
                Line2D(
                    [],
                    [],
                    color=track.color,
                    linewidth=LINE_WIDTH,
                    marker="o",
                    markersize=HEAD_SIZE * 0.8,
                    markeredgewidth=0,
                )  # fmt: skip
            )
            labels.append(track.legend)
        if any(p.view in MAPS for p in self.panels):
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    markersize=9,
                    markerfacecolor="none",
                    markeredgecolor=theme.foreground,
                    markeredgewidth=1.4,
                    linestyle="none",
                )  # fmt: skip
            )
            labels.append("start")
            kinds = [k for k in CRITICAL_STYLE if k in {c[2] for c in self._critical}]
            for kind in kinds:
                marker, size, label = CRITICAL_STYLE[kind]
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker=marker,
                        markersize=size * 0.8,
                        color=theme.foreground,
                        linestyle="none",
                    )  # fmt: skip
                )
                labels.append(label)
            if self.spec.arrows:
                for color, label in (
                    (theme.foreground, "−∇f"),
                    (theme.muted, "next step"),
                ):
                    handles.append(
                        Line2D(
                            [],
                            [],
                            marker=r"$\rightarrow$",
                            markersize=13,
                            color=color,
                            linestyle="none",
                        )  # fmt: skip
                    )
                    labels.append(label + " (direction)")
        self._entries = (handles, labels)
        self.legend = None
        self._place_legend(ncol=None)

    @property
    def _critical(self):
        return self.prepared.critical

    def _place_legend(self, ncol: int | None) -> None:
        handles, labels = self._entries
        if self.legend is not None:
            self.legend.remove()
        side = self._side_legend = len(self.panels) == 1
        if side:
            loc, ncol = "outside right upper", 1
        else:
            loc = "outside lower center"
            ncol = ncol or max(1, min(len(labels), math.ceil(len(labels) / 2)))
        self.legend = self.fig.legend(
            handles, labels, loc=loc, ncol=ncol, frameon=False, handlelength=1.6,
            columnspacing=1.4, handletextpad=0.6, borderaxespad=0.2,
        )  # fmt: skip
        self.legend.set_visible(bool(labels))

    # -- layout --------------------------------------------------------------

    def _fill_column(self, renderer) -> None:
        """One panel: the legend fills the column beside it. Its text grows (up
        to `LEGEND_GROWTH` times) while it fits the column's width and
        `LEGEND_HEIGHT` of the panel's height, and it is centred on the panel
        vertically, halfway across the free column."""
        width, height = self.size
        ax = self.panels[0].ax
        ax.apply_aspect()
        panel = ax.get_window_extent(renderer)
        labels = ax.yaxis.get_tightbbox(renderer) if ax.axison else None
        left = max(panel.x1, labels.x1 if labels is not None else panel.x1)
        column = width - left - 0.02 * width
        texts = self.legend.get_texts()
        base = texts[0].get_fontsize() if texts else 9.0
        for _ in range(12):
            box = self.legend.get_window_extent(renderer)
            if box.width > column or box.height > LEGEND_HEIGHT * panel.height:
                break
            if texts[0].get_fontsize() >= LEGEND_GROWTH * base:
                break
            self._legend_scale(1.06)
        box = self.legend.get_window_extent(renderer)
        if box.width > column or box.height > LEGEND_HEIGHT * panel.height:
            self._legend_scale(1 / 1.06)
            box = self.legend.get_window_extent(renderer)
        x = left + 0.01 * width + max(0.0, (column - box.width) / 2)
        self.legend.set_loc("center left")
        self.legend.set_bbox_to_anchor(
            (x / width, (panel.y0 + panel.y1) / 2 / height),
            transform=self.fig.transFigure,
        )

    def _legend_scale(self, factor: float) -> None:
        for text in self.legend.get_texts():
            text.set_fontsize(text.get_fontsize() * factor)
        for handle in self.legend.legend_handles:
            if hasattr(handle, "get_markersize"):
                handle.set_markersize(handle.get_markersize() * factor)

    def _layout(self) -> None:
        fig = self.fig
        renderer = self.canvas.get_renderer()
        width, _ = self.size
        for _ in range(8):  # narrow the bottom legend until it fits the width
            if self.legend.get_window_extent(renderer).width <= 0.98 * width:
                break
            ncol = self.legend._ncols
            if ncol <= 1:
                _shrink(self.legend.get_texts(), 0.92)
                continue
            self._place_legend(ncol=ncol - 1)
        fig.set_layout_engine("constrained", w_pad=0.06, h_pad=0.06)
        fig.get_layout_engine().execute(fig)
        fig.set_layout_engine("none")
        if self._side_legend:
            self._fill_column(renderer)
        if self.counter is not None:
            limit = self._place_counter(renderer) - 0.02 * width
        else:
            limit = 0.985 * width
        if self.title is not None:
            left = self.title.get_window_extent(renderer).x0
            _fit(self.title, limit - left, renderer)
        cols = self.spec.grid[1]
        for panel in self.panels:
            if panel.ax.get_title():
                room = min(
                    1.15 * panel.ax.get_position().width * width, 0.98 * width / cols
                )
                _fit(
                    panel.ax.title, room, renderer, getattr(panel, "short_title", None)
                )
            if hasattr(panel, "after_layout"):
                panel.after_layout(renderer)


def _shrink(texts, factor: float) -> None:
    for text in texts:
        text.set_fontsize(max(MIN_FONT, text.get_fontsize() * factor))


def _fit(text, room: float, renderer, fallback: str | None = None) -> None:
    """Make `text` at most `room` pixels wide: shrink it (not below `MIN_FONT`),
    then try `fallback` at the original size, then cut it with an ellipsis."""

    def width() -> float:
        return text.get_window_extent(renderer).width

    size = text.get_fontsize()
    smallest = max(MIN_FONT, MIN_SHRINK * size)
    while width() > room and text.get_fontsize() > smallest:
        text.set_fontsize(max(smallest, text.get_fontsize() * 0.92))
    if width() <= room:
        return
    if fallback:
        text.set_text(fallback)
        text.set_fontsize(size)
        while width() > room and text.get_fontsize() > smallest:
            text.set_fontsize(max(smallest, text.get_fontsize() * 0.92))
    words = text.get_text()
    while width() > room and len(words) > 1 and "$" not in words:
        words = words[:-1]
        text.set_text(words.rstrip() + "…")


def surface_title(surface: SurfaceData) -> tuple[str, str]:
    """`("Double well", "Double well:  $...$")`: the contour panel's title (the
    surface's display name), the formula in mathtext where matplotlib can parse it."""
    name = surface.display_name or surface.name
    return name, f"{name}:  {_mathtext(surface.latex) or surface.formula}"


@functools.lru_cache(maxsize=32)
def _mathtext(latex: str) -> str | None:
    """`latex` as a matplotlib mathtext string, or None if mathtext cannot parse it."""
    from matplotlib.mathtext import MathTextParser

    text = latex.strip()
    if not text:
        return None
    if not (text.startswith("$") and text.endswith("$")):
        text = f"${text}$"
    try:
        MathTextParser("path").parse(text)
    except (ValueError, RecursionError):  # deep nesting: the plain formula instead
        return None
    return text


def mathtext_problem(text: str) -> str | None:
    """Why matplotlib cannot draw `text` (a title or label with `$...$` math), or
    None: the check a scene's title and labels get at validation."""
    from matplotlib import cbook

    if not cbook.is_math_text(text):
        return None
    from matplotlib.mathtext import MathTextParser

    try:
        MathTextParser("path").parse(text)
    except RecursionError:
        return "its $...$ math is nested too deeply to draw"
    except ValueError as error:
        last = (str(error).strip().splitlines() or [""])[-1]
        last = last.split(": ", 1)[-1].split("  (at char")[0].strip()
        detail = f" ({last[:60]}{'...' * (len(last) > 60)})" if last else ""
        return (
            f"its $...$ math cannot be drawn by matplotlib's mathtext{detail}; "
            "fix it or write a literal dollar as \\$"
        )
    return None


def make_figure(prepared: Prepared, spec: RenderSpec, theme: Theme) -> Layout:
    """Build the figure; call inside `rc_context(theme)`."""
    return Layout(prepared, spec, theme)
