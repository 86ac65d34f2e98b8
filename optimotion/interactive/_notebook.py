"""Notebook helpers: `plot` (a static Figure of the final state) and `animate` (an
object that plays inline in Jupyter and saves to any format `render` writes)."""

from __future__ import annotations

import base64
import os
import pathlib
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from ._inputs import SceneLike, resolve

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .._trajectory import Trajectory
    from ..render import RenderSpec
    from ..surfaces import Surface

EMBEDS = ("player", "video")


def plot(
    what: SceneLike | Mapping[str, Trajectory] | Trajectory,
    surface: Surface | None = None,
    spec: RenderSpec | None = None,
    **changes: Any,
) -> tuple[Figure, Axes | tuple[Axes, ...]]:
    """A static matplotlib Figure of a race's final state, to add your own artists.

    The figure is the last frame of `render`'s animation (same layout, panels,
    legend and theme), with every artist ordinary (not animated), so `savefig`,
    Jupyter's inline display and further plotting all see the full trails.

    Args:
        what: a scene (a YAML path, `Scene` or `BuiltScene`), or `{label:
            Trajectory}` (or one `Trajectory`) with `surface`.
        surface: the surface the trajectories ran on (not with a scene).
        spec: the `RenderSpec` (default: the scene's, else `RenderSpec()`).
        **changes: `RenderSpec` fields to change, e.g. `views=("contour", "loss")`.

    Returns:
        `(fig, ax)`: the Figure (managed by pyplot, so Jupyter shows it at the end
        of the cell and `plt.show()` opens it) and its Axes, one per view (a tuple
        when there are several, in `views` order).

    Raises:
        TypeError: on inputs that are neither a scene nor trajectories with a
            surface, or an unknown `RenderSpec` field.

    Examples:
        >>> import numpy as np, optimotion
        >>> from optimotion import optimizers, surfaces
        >>> booth = surfaces.get("booth")
        >>> adam = {"Adam": optimizers.adam(lr=0.1)}
        >>> paths = optimotion.race(booth, adam, (0, 0), 50)
        >>> fig, ax = optimotion.plot(paths, booth, size=(640, 480))
        >>> fig.canvas.get_width_height(), [float(v) for v in ax.get_xlim()]
        ((640, 480), [-10.0, 10.0])
    """
    from ..render import final_frame

    traces, surface, spec = resolve("plot", what, surface, spec, changes)
    with final_frame(traces, surface, spec) as renderer:
        pass
    axes = tuple(panel.ax for panel in renderer.panels)
    _adopt(renderer.fig)
    return renderer.fig, axes[0] if len(axes) == 1 else axes


def _adopt(fig: Figure) -> None:
    """Hand a figure made without pyplot to pyplot, so it shows like any other:
    inline at the end of a Jupyter cell, in a window on `plt.show()`."""
    import matplotlib
    import matplotlib.pyplot as plt

    if matplotlib.__version_info__ >= (3, 11):
        plt.figure(fig)  # adopts a figure that pyplot does not manage yet
        return
    from matplotlib import _pylab_helpers  # what `plt.figure(fig)` does in 3.11

    number = max(plt.get_fignums(), default=0) + 1
    backend = plt._get_backend_mod()
    manager = backend.new_figure_manager_given_figure(number, fig)
    _pylab_helpers.Gcf._set_new_active_manager(manager)


class Animation:
    """A race ready to play inline in Jupyter and to save in any format.

    Attributes:
        traces: `{label: Trajectory}`.
        surface: the surface.
        spec: the `RenderSpec`.
        embed: how Jupyter shows it: `player` (the HTML player: scrub bar, speed,
            legend toggles; small) or `video` (an HTML5 `<video>` of the MP4).
    """

    def __init__(
        self,
        traces: Mapping[str, Trajectory],
        surface: Surface,
        spec: RenderSpec,
        embed: Literal["player", "video"] = "player",
    ) -> None:
        if embed not in EMBEDS:
            raise ValueError(f"`animate`: embed must be one of {EMBEDS}, got {embed!r}")
        self.traces, self.surface, self.spec, self.embed = (
            dict(traces), surface, spec, embed,
        )  # fmt: skip
        self._html: str | None = None

    def __repr__(self) -> str:
        labels = ", ".join(self.traces)
        return (
            f"<optimotion Animation of {labels} on {self.surface.name!r}, "
            f"views={self.spec.views}>"
        )

    def save(
        self, output: str | os.PathLike, *, progress: bool | None = None
    ) -> pathlib.Path:
        """Write the animation with `optimotion.render.render`: `.gif`, `.mp4`,
        `.webm`, `.html`, a folder of PNG frames, or a `.png`/`.svg`/`.pdf` still."""
        from ..render import render

        return render(self.traces, self.surface, self.spec, output, progress=progress)

    def to_html(self, *, full_page: bool = False) -> str:
        """The HTML player (a fragment, or a whole page with `full_page`)."""
        from ..render import player_html

        return player_html(self.traces, self.surface, self.spec, full_page=full_page)

    def to_video_html(self) -> str:
        """An HTML5 `<video>` with the MP4 embedded as base64."""
        with tempfile.TemporaryDirectory() as folder:
            path = self.save(pathlib.Path(folder) / "animation.mp4", progress=False)
            data = base64.b64encode(path.read_bytes()).decode("ascii")
        width, height = self.spec.size
        return (
            f'<video width="{width}" height="{height}" controls autoplay loop muted '
            f'playsinline><source type="video/mp4" src="data:video/mp4;base64,{data}">'
            "</video>"
        )

    def _repr_html_(self) -> str:
        if self._html is None:  # Jupyter may ask more than once
            self._html = self.to_html() if self.embed == "player" else (
                self.to_video_html()
            )  # fmt: skip
        return self._html


def animate(
    what: SceneLike | Mapping[str, Trajectory] | Trajectory,
    surface: Surface | None = None,
    spec: RenderSpec | None = None,
    *,
    embed: Literal["player", "video"] = "player",
    **changes: Any,
) -> Animation:
    """An animation of a race that displays inline in Jupyter and saves anywhere.

    Args:
        what: a scene (a YAML path, `Scene` or `BuiltScene`), or `{label:
            Trajectory}` (or one `Trajectory`) with `surface`.
        surface: the surface the trajectories ran on (not with a scene).
        spec: the `RenderSpec` (default: the scene's, else `RenderSpec()`).
        embed: `player` (the HTML player) or `video` (an MP4 in a `<video>`).
        **changes: `RenderSpec` fields to change, e.g. `fps=24, theme="dark"`.

    Returns:
        An `Animation`: Jupyter shows it (`_repr_html_`); `.save(path)` writes any
        format of `optimotion.render.render`. Nothing is drawn until one of them
        is asked for.

    Raises:
        TypeError: on inputs that are neither a scene nor trajectories with a
            surface, or an unknown `RenderSpec` field.
        ValueError: an unknown `embed`.

    Examples:
        >>> import optimotion
        >>> from optimotion import optimizers, surfaces
        >>> booth = surfaces.get("booth")
        >>> paths = optimotion.race(booth, {"SGD": optimizers.sgd(lr=0.05)}, (0, 0), 20)
        >>> anim = optimotion.animate(paths, booth, fps=10)
        >>> anim.spec.fps, "<canvas" in anim._repr_html_()
        (10, True)
    """
    traces, surface, spec = resolve("animate", what, surface, spec, changes)
    return Animation(traces, surface, spec, embed)
