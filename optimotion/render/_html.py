"""`render` to `.html`: one self-contained page that plays the race in a browser.

The static part of the figure (contours, critical points, axes, titles: whatever
the video's cached background holds) is drawn once by the same `Layout` as the
video and embedded as one base64 PNG. The moving part is data: each panel's series
as delta-encoded integers, quantized to a twentieth of a pixel, plus the exact
data-to-pixel map of its Axes taken from matplotlib's transforms. A small script
draws trails, heads and cursors on a `<canvas>` over the image at the screen's
pixel ratio. Nothing is fetched at view time. For viewers that run no script
(a sanitized preview, a notebook shown on a website), the last frame is embedded
too, in the same layout, over the stage; the script removes it when it starts.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
import pathlib
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .._atomic import atomic_open
from ._data import Prepared, prepare
from ._layout import Layout, rc_context
from ._panels import FADE_TAIL_ALPHA, HEAD_EDGE, HEAD_SIZE, LINE_WIDTH
from ._player_assets import CSS, JS
from ._spec import RenderSpec, frame_plan
from ._theme import get_theme

if TYPE_CHECKING:
    from ..dynamics import Trajectory
    from ..surfaces import Surface

PIXEL_PRECISION = 0.05
"""Largest quantization step of the embedded series, in (CSS) pixels."""

IMAGE_SCALE = 2
"""The background PNG has this many pixels per CSS pixel (sharp on HiDPI screens
and when zoomed in)."""

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)


class _PlayerLayout(Layout):
    """The video's layout, minus the optimizers' legend entries: the page has its
    own clickable legend."""

    track_entries = False


def _to_points(n: float, dpi: float) -> float:
    return n * dpi / 72.0


def _affine(ax, height: int) -> list[float]:
    """`[sx, bx, sy, by]`: pixel = (sx u + bx, sy v + by) in page pixels (y down),
    where (u, v) are the Axes' coordinates after its scale (log10 on a log axis)."""
    trans = ax.transLimits + ax.transAxes  # affine, after transScale
    (x0, y0), (x1, y1) = trans.transform([[0.0, 0.0], [1.0, 1.0]])
    return [x1 - x0, x0, -(y1 - y0), height - y0]


def _clip(ax, height: int) -> list[float]:
    box = ax.get_window_extent()
    return [box.x0, height - box.y1, box.width, box.height]


def _encode(values: np.ndarray, scale: float) -> tuple[float, list[int]]:
    """`(q, deltas)`: values ~ q * cumsum(deltas), with |error| * |scale| <=
    PIXEL_PRECISION / 2 pixels; q is a power of ten."""
    q = 10.0 ** math.floor(math.log10(PIXEL_PRECISION / max(abs(scale), 1e-300)))
    ints = np.rint(np.asarray(values, dtype=np.float64) / q)
    ints = np.where(np.isfinite(ints), ints, 0).astype(np.int64)
    return q, np.diff(ints, prepend=0).tolist()


def _series(track_index: int, u, v, first: int, mapping: list[float]) -> dict:
    """One polyline, delta-encoded, up to its last finite point; the non-finite
    points before it are `gaps` (the line breaks there, as matplotlib's does)."""
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    finite = np.isfinite(u) & np.isfinite(v)
    n = int(np.flatnonzero(finite)[-1]) + 1 if finite.any() else 0
    qu, du = _encode(u[:n], mapping[0])
    qv, dv = _encode(v[:n], mapping[2])
    series = {"track": track_index, "first": first}
    series.update(qu=qu, u=du, qv=qv, v=dv)
    gaps = np.flatnonzero(~finite[:n])
    if gaps.size:
        series["gaps"] = gaps.tolist()
    return series


def _projected(panel, height: int) -> list[dict]:
    """Series of a fixed-camera 3-D panel, projected to page pixels (gaps outside
    the window, as `axlim_clip` hides them)."""
    from mpl_toolkits.mplot3d import proj3d

    ax, out = panel.ax, []
    (x0, x1), (y0, y1) = panel.prepared.surface.window
    for i, (track, z) in enumerate(zip(panel.tracks, panel.heights, strict=True)):
        xy = track.xy[: track.last + 1]
        zz = z[: track.last + 1]
        px, py, _ = proj3d.proj_transform(xy[:, 0], xy[:, 1], zz, ax.get_proj())
        disp = ax.transData.transform(np.column_stack([px, py]))
        outside = (xy[:, 0] < x0) | (xy[:, 0] > x1) | (xy[:, 1] < y0) | (xy[:, 1] > y1)
        u = np.where(outside, np.nan, disp[:, 0])
        v = np.where(outside, np.nan, height - disp[:, 1])
        out.append(_series(i, u, v, 0, [1.0, 0.0, 1.0, 0.0]))
    return out


def _panel_data(panel, dpi: float, height: int, theme) -> dict:
    ax, view = panel.ax, panel.view
    head_radius = _to_points(HEAD_SIZE, dpi) / 2
    if view == "contour":
        mapping = _affine(ax, height)
        series = [
            _series(i, t.xy[: t.last + 1, 0], t.xy[: t.last + 1, 1], 0, mapping)
            for i, t in enumerate(panel.tracks)
        ]
        return {
            "kind": "trail", "map": mapping, "clip": _clip(ax, height),
            "series": series, "lineWidth": _to_points(LINE_WIDTH, dpi),
            "headRadius": head_radius, "cursor": None,
        }  # fmt: skip
    if view == "surface3d":
        return {
            "kind": "trail", "map": [1.0, 0.0, 1.0, 0.0],
            "clip": _clip(ax, height), "series": _projected(panel, height),
            "lineWidth": _to_points(LINE_WIDTH, dpi), "headRadius": head_radius,
            "cursor": None,
        }  # fmt: skip
    # the curve panels: (step, value), value in log10 on a log axis
    mapping = _affine(ax, height)
    series = []
    for i, (track, (x, values)) in enumerate(
        zip(panel.tracks, panel.data, strict=True)
    ):
        values = np.asarray(values, dtype=np.float64)
        if panel.log:  # values at or below the axis floor sit on it, as in a video
            values = np.log10(np.maximum(values, ax.get_ylim()[0]))
        n = min(len(x), max(track.last + 1 - int(x[0]), 0))
        series.append(_series(i, x[:n], values[:n], int(x[0]), mapping))
    return {
        "kind": "curve", "map": mapping, "clip": _clip(ax, height), "series": series,
        "lineWidth": _to_points(LINE_WIDTH * 0.8, dpi),
        "headRadius": _to_points(5.5, dpi) / 2,
        "cursor": {
            "color": theme.muted, "width": _to_points(1.0, dpi),
            "dash": [_to_points(4.0, dpi), _to_points(3.0, dpi)],
        },
    }  # fmt: skip


def _counter_data(layout: Layout, height: int) -> dict | None:
    counter = layout.counter
    if counter is None:
        return None
    renderer = layout.canvas.get_renderer()
    box = counter.get_window_extent(renderer)
    descent = max(  # matplotlib lays a line out with at least the descent of "lp"
        renderer.get_text_width_height_descent(
            text, counter.get_fontproperties(), ismath=False
        )[2]
        for text in (counter.get_text(), "lp")
    )
    return {
        "x": box.x1,
        "y": height - (box.y0 + descent),
        "size": counter.get_fontsize() * layout.fig.dpi / 72.0,
        "family": '"DejaVu Sans", Verdana, sans-serif',
        "color": layout.theme.foreground,
    }


def _check(spec: RenderSpec) -> None:
    if "surface3d" in spec.views and spec.camera.moves:
        raise ValueError(
            "`render`: the .html player draws a fixed 3-D view; a moving camera "
            "(orbit or keyframes) needs a video (.mp4, .webm or .gif)"
        )
    if spec.arrows:
        raise ValueError(
            "`render`: the .html player does not draw `arrows`; use a video (.mp4, "
            ".webm or .gif) or set arrows to false"
        )


def _background_png(layout: Layout, scale: int) -> bytes:
    """The figure without its animated artists, at `scale` pixels per pixel, as a
    256-colour PNG (median cut, no dithering: each channel within a few levels of
    the Agg buffer, at well under half the size of an RGB PNG)."""
    fig = layout.fig
    dpi = fig.dpi
    fig.set_dpi(dpi * scale)
    try:
        layout.canvas.draw()  # animated artists (trails, heads, counter) are skipped
        rgb = np.asarray(layout.canvas.buffer_rgba())[..., :3].copy()
    finally:
        fig.set_dpi(dpi)
    return _png(rgb)


def _final_png(layout: Layout, step: int) -> bytes:
    """The last frame in the player's layout, at one pixel per pixel: the static
    part with every panel's moving artists at `step` drawn over it."""
    layout.canvas.draw()
    for panel in layout.panels:
        panel.set_view(1.0)
        for artist in panel.update(step):
            panel.ax.draw_artist(artist)
    if layout.counter is not None:
        layout.counter.set_text(str(step))
        layout.fig.draw_artist(layout.counter)
    return _png(np.asarray(layout.canvas.buffer_rgba())[..., :3].copy())


def _png(rgb: np.ndarray) -> bytes:
    from PIL import Image

    image = Image.fromarray(rgb).quantize(
        256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def player_data(prepared: Prepared, spec: RenderSpec) -> tuple[bytes, dict]:
    """`(background PNG, player JSON data)` of a prepared race."""
    png, _, data = _player_parts(prepared, spec, final=False)
    return png, data


def _player_parts(
    prepared: Prepared, spec: RenderSpec, *, final: bool
) -> tuple[bytes, bytes | None, dict]:
    """The background PNG, the last frame's PNG (if `final`) and the JSON data."""
    _check(spec)
    theme = get_theme(spec.theme)
    width, height = spec.size
    with rc_context(theme):
        layout = _PlayerLayout(prepared, spec, theme)
        try:
            layout.canvas.draw()  # settles 3-D projections and text extents
            panels = [_panel_data(p, spec.dpi, height, theme) for p in layout.panels]
            counter = _counter_data(layout, height)
            png = _background_png(layout, IMAGE_SCALE)
            last = _final_png(layout, prepared.steps) if final else None
        finally:
            layout.fig.clear()
    plan = frame_plan(spec, prepared.steps)
    data = {
        "size": [width, height],
        "steps": prepared.steps,
        "fps": spec.fps,
        "frames": plan.steps.tolist(),
        "hold": plan.hold,
        "trail": spec.trail,
        "fade": spec.fade,
        "fadeTail": FADE_TAIL_ALPHA,
        "background": theme.background,
        "headEdge": _to_points(HEAD_EDGE, spec.dpi),
        "counter": counter,
        "panels": panels,
        "tracks": [
            {
                "label": t.label,
                "legend": t.legend,
                "color": t.color,
                "last": t.last,
                "diverged": t.diverged_at,
            }
            for t in prepared.tracks
        ],
    }
    return png, last, data


def _json_for_script(data: dict) -> str:
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def player_html(
    traces: Mapping[str, Trajectory],
    surface: Surface,
    spec: RenderSpec | None = None,
    *,
    full_page: bool = True,
) -> str:
    """The HTML player of a race: a whole page, or a fragment for a notebook.

    Args:
        traces: `{legend label: Trajectory}`.
        surface: the surface they ran on.
        spec: what to draw (default `RenderSpec()`); the player supports every
            view with a fixed camera, but not `arrows`.
        full_page: a complete `<!doctype html>` document; False gives a `<div>`
            with its style and script, for Jupyter's `_repr_html_`.

    Returns:
        The HTML text: it needs no network and no other file.

    Raises:
        ValueError: a moving 3-D camera, `arrows`, or bad traces.
    """
    spec = RenderSpec() if spec is None else spec
    prepared = prepare(traces, surface, spec)
    png, last, data = _player_parts(prepared, spec, final=True)
    return _page(prepared, spec, png, last, data, full_page=full_page)


def _page(
    prepared, spec, png: bytes, last: bytes, data: dict, *, full_page: bool
) -> str:
    theme = get_theme(spec.theme)
    uid = "omp-" + uuid.uuid4().hex[:12]
    width, _ = spec.size
    title = spec.title or f"optimotion: {prepared.surface.display_name}"
    legend = "".join(
        f'<button type="button" class="omp-item" data-track="{i}" '
        f'aria-pressed="true" title="show or hide {html.escape(t.label)}">'
        f'<span class="omp-swatch" style="background:{t.color}"></span>'
        f"{html.escape(t.legend)}</button>"
        for i, t in enumerate(prepared.tracks)
    )
    speeds = "".join(
        f'<option value="{s:g}"{" selected" if s == 1.0 else ""}>{s:g}×</option>'
        for s in SPEEDS
    )
    image = base64.b64encode(png).decode("ascii")
    fallback = base64.b64encode(last).decode("ascii")
    steps = prepared.steps
    style = (
        f"#{uid}{{--omp-bg:{theme.background};--omp-fg:{theme.foreground};"
        f"--omp-muted:{theme.muted};max-width:{width}px}}"
    )
    body = (
        f'<div class="omp" id="{uid}" tabindex="0">'
        f'<div class="omp-stage"><img class="omp-bg" width="{width}" '
        f'alt="{html.escape(title)}" src="data:image/png;base64,{image}">'
        f'<canvas class="omp-fg"></canvas>'
        f'<img class="omp-final" width="{width}" alt="{html.escape(title)}: the '
        f'last frame" src="data:image/png;base64,{fallback}"></div>'
        f'<div class="omp-bar"><button type="button" class="omp-play" '
        f'aria-label="Play">\u25b6</button>'
        f'<input class="omp-scrub" type="range" min="0" max="{steps}" value="0" '
        f'step="1" aria-label="step">'
        f'<span class="omp-step">step 0 / {steps}</span>'
        f'<label>speed <select class="omp-speed">{speeds}</select></label>'
        f'<label><input type="checkbox" class="omp-loop" checked> loop</label></div>'
        f'<div class="omp-legend">{legend}</div></div>'
        f'<script type="application/json" id="{uid}-data">'
        f"{_json_for_script(data)}</script>"
        f"<style>{CSS}{style}</style>"
        f"<script>{JS.replace('ROOT_ID', json.dumps(uid))}</script>"
    )
    if not full_page:
        return body
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f"<style>html,body{{margin:0;background:{theme.background}}}</style>"
        f"</head><body>{body}</body></html>\n"
    )


def write_html(
    traces: Mapping[str, Trajectory],
    surface: Surface,
    spec: RenderSpec,
    output: str | os.PathLike,
) -> pathlib.Path:
    """Write `player_html(...)` to `output` atomically (temporary file + rename)."""
    path = pathlib.Path(output)
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"`render`: the folder of {os.fspath(output)!r} does not exist"
        )
    text = player_html(traces, surface, spec)
    with atomic_open(path, encoding="utf-8") as f:
        f.write(text)
    return path
