"""`render` and `still`: the frame loop.

Per frame the cached background is restored (`restore_region` on the Agg canvas)
and only the moving artists are drawn on it; the RGBA buffer then goes straight to
the sink. The background is keyed on the panels' views (matplotlib's
`_blit_cache` rule): it is drawn once for fixed views, and redrawn only for an Axes
whose camera moves, whose frames are spread over worker processes.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import numpy as np

from .._atomic import replacing
from ._data import Prepared, SurfaceData, prepare, surface_data
from ._formats import OutputError, OutputFormat, check_output, destination_problem
from ._layout import _mathtext, make_figure, rc_context
from ._sinks import STILL_FORMATS, NullSink, Sink, saving
from ._spec import FramePlan, RenderSpec, frame_plan
from ._theme import get_theme
from ._workers import FramePool

if TYPE_CHECKING:
    from .._trajectory import Trajectory
    from ..surfaces import Surface

__all__ = [
    "NullSink",
    "Renderer",
    "final_frame",
    "preload",
    "render",
    "render_frames",
    "render_to",
    "still",
]


def preload(surface: Surface | SurfaceData) -> SurfaceData:
    """Do now the part of a render that does not depend on the trajectories:
    import matplotlib's drawing modules, parse the surface's formula for the
    title, and evaluate its grid and critical points (all cached); returns the
    `SurfaceData` (what `render` draws of the surface, and what the trajectory
    cache keeps of it).

    Meant for a thread while the race compiles (`optimotion.scene.render_scene`
    does this): XLA's compiler releases the GIL, so the two overlap.
    """
    data = surface_data(surface)
    import matplotlib.backends.backend_agg  # noqa: F401, PLC0415
    import matplotlib.figure  # noqa: F401, PLC0415

    _mathtext(surface.latex)
    return data


class Renderer:
    """Draws frames of one prepared race; call inside `rc_context(theme)`.

    Attributes:
        layout: the figure, its panels and counter.
        plan: the frame clock (`frame_plan`).
    """

    def __init__(
        self, prepared: Prepared, spec: RenderSpec, plan: FramePlan | None = None
    ) -> None:
        self.prepared, self.spec = prepared, spec
        self.theme = get_theme(spec.theme)
        if plan is None:
            plan = frame_plan(spec, prepared.steps, early=prepared.early)
        self.plan = plan
        self.layout = make_figure(prepared, spec, self.theme)
        self.fig, self.canvas = self.layout.fig, self.layout.canvas
        self.panels = self.layout.panels
        self._moving_views = [p for p in self.panels if p.moves_view]
        self._base = None  # the figure without the moving-view Axes
        self._background = None
        self._background_key: object = object()

    def fraction(self, k: int) -> float:
        """Fraction of the motion at frame k (hold frames: 1)."""
        n = len(self.plan.steps)
        return min(k, n - 1) / max(n - 1, 1)

    def step(self, k: int) -> int:
        """The optimizer step shown by frame k."""
        return int(self.plan.steps[min(k, len(self.plan.steps) - 1)])

    def _restore_background(self, fraction: float) -> None:
        key = tuple(p.view_key(fraction) for p in self.panels)
        if key == self._background_key:
            self.canvas.restore_region(self._background)
            return
        for panel in self.panels:
            panel.set_view(fraction)
        if self._base is None:
            for panel in self._moving_views:
                panel.ax.set_visible(False)
            self.canvas.draw()
            self._base = self.canvas.copy_from_bbox(self.fig.bbox)
            for panel in self._moving_views:
                panel.ax.set_visible(True)
        else:
            self.canvas.restore_region(self._base)
        for panel in self._moving_views:
            self.fig.draw_artist(panel.ax)
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._background_key = key

    def draw(self, k: int) -> np.ndarray:
        """Draw frame k; returns a (height, width, 4) uint8 view of the canvas
        buffer, valid until the next call."""
        fraction, t = self.fraction(k), self.step(k)
        self._restore_background(fraction)
        for panel in self.panels:
            for artist in panel.update(t):
                panel.ax.draw_artist(artist)
        counter = self.layout.counter
        if counter is not None:
            counter.set_text(str(t))
            self.fig.draw_artist(counter)
        return np.asarray(self.canvas.buffer_rgba())

    def draw_final(self) -> None:
        """Put every artist in its final state, not animated: for `savefig`."""
        n = len(self.plan.steps)
        fraction, t = self.fraction(n - 1), self.step(n - 1)
        for panel in self.panels:
            panel.set_view(fraction)
            for artist in panel.update(t):
                artist.set_animated(False)
        counter = self.layout.counter
        if counter is not None:
            counter.set_text(str(t))
            counter.set_animated(False)


def _progress(total: int, progress: bool | None):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else bool(progress)
    return tqdm(
        total=total, disable=not enabled, file=sys.stderr, unit="frame",
        desc="render", leave=False, dynamic_ncols=True,
    )  # fmt: skip


def _exact_colors(prepared: Prepared, spec: RenderSpec) -> list[str]:
    theme = get_theme(spec.theme)
    return [t.color for t in prepared.tracks] + [
        theme.background, theme.foreground, theme.muted, theme.grid,
    ]  # fmt: skip


def _workers(spec: RenderSpec, workers: int | None) -> int:
    """Processes to spread frames over: only a moving 3-D camera needs them."""
    if not ("surface3d" in spec.views and spec.camera.moves):
        return 0
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    return workers if workers > 1 else 0


def render_frames(
    traces: Mapping[str, Trajectory],
    surface: Surface,
    spec: RenderSpec,
    sink: Sink,
    *,
    progress: bool | None = None,
    workers: int | None = None,
) -> FramePlan:
    """Render every frame into `sink` (e.g. a `NullSink`); returns the frame plan.

    Args:
        traces: `{legend label: Trajectory}`.
        surface: the surface the traces ran on.
        spec: what to draw.
        sink: where frames go (`setup`, `grab_frame`, `finish` or `abort`).
        progress: a progress bar on stderr; None: only when stderr is a terminal.
        workers: processes for frames that must be fully redrawn (a moving 3-D
            camera); None: up to 2 (one per core); 0 or 1: this process. Fixed
            views always render here: the encoder uses the other core.
    """
    with _frame_pool(spec, workers) as pool:
        prepared = prepare(traces, surface, spec)
        return _render_prepared(prepared, spec, sink, progress=progress, pool=pool)


@contextlib.contextmanager
def _frame_pool(spec: RenderSpec, workers: int | None):
    """The worker processes, if the spec needs them, spawned first so that their
    imports overlap the preparation; stopped on exit (at once after an error)."""
    n = _workers(spec, workers)
    pool = FramePool(n) if n else None
    try:
        yield pool
    except BaseException:
        if pool is not None:
            pool.close(abort=True)
        raise
    if pool is not None:
        pool.close()


def _render_prepared(prepared, spec, sink, *, progress, pool) -> FramePlan:
    wants_samples = getattr(sink, "wants_samples", False)
    plan = frame_plan(spec, prepared.steps, early=prepared.early)
    n = len(plan.steps)
    with rc_context(get_theme(spec.theme)):
        renderer = None
        if pool is not None:
            pool.start(prepared, spec, n, samples=wants_samples)
            frames = pool.frames()
        else:
            renderer = Renderer(prepared, spec, plan)
            frames = _serial_frames(renderer, wants_samples)
        bar = None
        try:
            samples = next(frames)
            bar = _progress(n, progress)
            with saving(sink, spec.size, spec.fps, samples):
                for k, rgba in enumerate(frames):
                    sink.grab_frame(rgba, 1 + plan.hold if k == n - 1 else 1)
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            frames.close()
            if renderer is not None:
                renderer.fig.clear()
    return plan


def _serial_frames(renderer: Renderer, wants_samples: bool):
    """Yields the palette samples (last and first frame), then every frame."""
    n = len(renderer.plan.steps)
    samples = []
    if wants_samples:
        samples = [renderer.draw(n - 1).copy(), renderer.draw(0).copy()]
    yield samples
    for k in range(n):
        yield samples[1] if samples and k == 0 else renderer.draw(k)


def render(
    traces: Mapping[str, Trajectory],
    surface: Surface,
    spec: RenderSpec,
    output: str | os.PathLike,
    *,
    progress: bool | None = None,
    workers: int | None = None,
) -> pathlib.Path:
    """Render an animation (or a still) of `traces` on `surface` to `output`.

    The format follows the extension: `.gif`, `.mp4` (H.264, yuv420p), `.webm`
    (VP9), a folder of PNG frames (a path ending in '/'), or
    the final frame as `.png`, `.svg` or `.pdf` (see `still`), or `.html` (the
    browser player): the format registry, `optimotion.render.formats()`, says
    which and checks its limits. The file is written to a temporary name in the
    same folder and renamed when complete: an error, Ctrl-C or SIGTERM leaves no
    output.

    Args:
        traces: `{legend label: Trajectory}` (e.g. from `optimotion.race`), or
            ensembles (`optimotion.ensemble_race`, or `render.particles(...)` to
            add a theory curve) for the `cloud`, `distribution` and `survival`
            views; other views draw an ensemble's first kept particle.
        surface: the surface they ran on.
        spec: what to draw and how (`RenderSpec`).
        output: where to write.
        progress: a progress bar on stderr; None: only when stderr is a terminal.
        workers: processes for a moving 3-D camera (None: up to 2).

    Returns:
        The output path.

    Raises:
        OutputError: (a ValueError) an unknown format, a format's limits (odd
            pixel sizes for MP4/WebM, fps > 50 for a GIF, arrows or a moving camera
            for HTML, an ensemble view for HTML), or a destination that cannot be
            written (no such folder, read-only, a name too long, a folder named
            without '/').
        WriteError: (an OSError) the encoder failed (a full disk); nothing is
            installed.
    """
    fmt = check_output(output, spec)  # before any work
    problem = destination_problem(output)
    if problem:
        raise OutputError(f"`render`: output: {problem}")
    return render_to(fmt, traces, surface, spec, output, progress=progress,
                     workers=workers)  # fmt: skip


def render_to(
    fmt: OutputFormat,
    traces: Mapping[str, Trajectory],
    surface: Surface | SurfaceData,
    spec: RenderSpec,
    output: str | os.PathLike,
    *,
    progress: bool | None = None,
    workers: int | None = None,
) -> pathlib.Path:
    """`render` after its checks: `output`'s format `fmt` is what `check_output`
    returned and its destination passed `destination_problem`, so nothing is
    checked twice (`optimotion.scene.render_scene` checks them first, with the
    scene's context in its messages). `surface` may be its `SurfaceData` (from
    `preload`, or the trajectory cache). Arguments otherwise as `render`."""
    path = pathlib.Path(output)
    if fmt.kind == "player":
        from ._html import write_html  # the self-contained browser player

        return write_html(traces, surface, spec, path)
    if fmt.kind == "still":
        return still(traces, surface, spec, path)
    with _frame_pool(spec, workers) as pool:
        prepared = prepare(traces, surface, spec)
        sink = fmt.sink(path, _exact_colors(prepared, spec))
        _render_prepared(prepared, spec, sink, progress=progress, pool=pool)
    return path


def still(
    traces: Mapping[str, Trajectory],
    surface: Surface,
    spec: RenderSpec,
    output: str | os.PathLike,
) -> pathlib.Path:
    """The final state (full trails, final camera) as PNG, SVG or PDF.

    PNG has exactly `spec.size` pixels; SVG and PDF are vector (the filled contours
    too), for printed notes. Written atomically like `render`.
    """
    import matplotlib

    path = pathlib.Path(output)
    fmt = path.suffix.lower()
    if fmt not in STILL_FORMATS:
        raise ValueError(
            f"`still`: output must end in one of {STILL_FORMATS}, got {str(output)!r}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"`still`: the folder of {os.fspath(output)!r} does not exist"
        )
    with final_frame(traces, surface, spec) as renderer:
        try:
            salt = {"svg.hashsalt": SVG_SALT}
            with replacing(path) as tmp, matplotlib.rc_context(salt):
                renderer.fig.savefig(
                    tmp,
                    format=fmt[1:],
                    dpi=spec.dpi,
                    facecolor=renderer.theme.background,
                    metadata=reproducible_metadata(fmt),
                )
        finally:
            renderer.fig.clear()
    return path


def reproducible_metadata(fmt: str) -> dict | None:
    """`savefig` metadata that makes the same figure give the same bytes: SVG and
    PDF carry no date, unless `SOURCE_DATE_EPOCH` is set (then matplotlib writes
    that date)."""
    if fmt not in (".svg", ".pdf") or os.environ.get("SOURCE_DATE_EPOCH"):
        return None
    return {"Date": None} if fmt == ".svg" else {"CreationDate": None}


SVG_SALT = "optimotion"
"""The salt of the ids in an SVG (matplotlib's `svg.hashsalt`; by default random)."""


@contextlib.contextmanager
def final_frame(
    traces: Mapping[str, Trajectory], surface: Surface, spec: RenderSpec
) -> Iterator[Renderer]:
    """The final state (full trails, final camera) drawn as an ordinary figure,
    for `still` and `optimotion.plot`; the theme's rcParams hold inside."""
    prepared = prepare(traces, surface, spec)
    with rc_context(get_theme(spec.theme)):
        renderer = Renderer(prepared, spec)
        renderer.draw_final()
        yield renderer
