"""`explore`: a matplotlib window where the race reacts to clicks, sliders and keys.

The figure layer over an `ExplorerState`: the state holds the settings, the race
and the playback clock; this layer draws them, maps events to the state's
transitions (keys through the `KEYS` table) and redraws what changed: playback
blits the moving artists over cached layers (`Layers`), a change of settings
redraws only the layers that changed.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pathlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scene import write_scene
from ._blit import Layers
from ._keys import HELP, KEYS
from ._save import free_stem, save_view
from ._state import ExplorerState
from ._views import ContourView, LossView, make_legend, make_sliders

if TYPE_CHECKING:  # pragma: no cover
    from ..optimizers import Optimizer
    from ..render import RenderSpec
    from ..surfaces import Surface

NON_INTERACTIVE = (
    "agg", "pdf", "ps", "svg", "pgf", "cairo", "template",
    "module://matplotlib_inline.backend_inline",  # Jupyter's default: still images
)  # fmt: skip


class NoDisplayError(RuntimeError):
    """`Explorer.show` needs an interactive matplotlib backend."""


def _state_attribute(name: str) -> property:
    def get(self: Explorer) -> Any:
        return getattr(self.state, name)

    get.__doc__ = f"The state's `{name}` (`ExplorerState.{name}`)."
    return property(get)


class Explorer:
    """An interactive race: a contour view, a loss view, sliders and keys.

    The settings, the race and the step shown live in `state` (an
    `ExplorerState`); the Explorer shows its attributes (`start`, `steps`,
    `max_steps`, `lrs`, `sigma`, `noise`, `own_noise`, `seed`, `t`, `playing`,
    `log_time`, `hidden`, `traces`, `full`, `recomputes`, `labels`, `surface`,
    `base`, `spec`, `scene`) as its own, read-only: change them through the
    actions (`restart_from`, `set_lr`, ...), which redraw.

    Attributes:
        state: the `ExplorerState`.
        fig: the matplotlib Figure (made by pyplot, on its current backend).
        ax: the contour Axes; `loss_ax` the loss Axes.
        source: the scene file it was opened from, or None.
        prepared: the race as `render` draws it (`render.prepare`).
        sliders: `{label: Slider}` of the learning rates, plus `"noise"` and
            `"steps"`.
        layers: the `Layers` of the canvas (the blitting).
        redraws: frames drawn (full draws and blits).
    """

    surface = _state_attribute("surface")
    base = _state_attribute("base")
    labels = _state_attribute("labels")
    start = _state_attribute("start")
    steps = _state_attribute("steps")
    max_steps = _state_attribute("max_steps")
    lrs = _state_attribute("lrs")
    sigma = _state_attribute("sigma")
    noise = _state_attribute("noise")
    own_noise = _state_attribute("own_noise")
    seed = _state_attribute("seed")
    spec = _state_attribute("spec")
    scene = _state_attribute("scene")
    hidden = _state_attribute("hidden")
    t = _state_attribute("t")
    playing = _state_attribute("playing")
    log_time = _state_attribute("log_time")
    full = _state_attribute("full")
    traces = _state_attribute("traces")
    recomputes = _state_attribute("recomputes")

    def __init__(
        self,
        surface: Surface,
        optimizers: Mapping[str, Optimizer],
        start: tuple[float, float],
        steps: int,
        *,
        seed: int = 0,
        sigma: float = 0.0,
        spec: RenderSpec | None = None,
        max_steps: int | None = None,
        scene: Mapping[str, Any] | None = None,
        source: str | os.PathLike | None = None,
        noise: Any = None,
        own_noise: Mapping[str, Any] | None = None,
    ) -> None:
        self.state = ExplorerState(
            surface, optimizers, start, steps, seed=seed, sigma=sigma, spec=spec,
            max_steps=max_steps, scene=scene, noise=noise, own_noise=own_noise,
        )  # fmt: skip
        self.source = source
        self._build()

    def optimizers(self) -> dict[str, Optimizer]:
        """`{label: Optimizer}` with the current learning rates."""
        return self.state.optimizers()

    def noises(self) -> dict[str, Any]:
        """`{label: estimator or None}` of the current noise (`ExplorerState`)."""
        return self.state.noises()

    def notes(self) -> dict[str, str]:
        """`{label: legend text}` of the noise each path has."""
        return self.state.notes()

    def plan(self) -> np.ndarray:
        """The step shown by each playback frame (`render`'s frame clock)."""
        return self.state.plan()

    def scene_dict(self) -> dict[str, Any]:
        """The current setup as a scene: a dict of YAML-ready values."""
        return self.state.scene_dict()

    # -- the figure --------------------------------------------------------------

    def _build(self) -> None:
        import matplotlib.pyplot as plt

        from ..render import get_theme, rc_context

        state = self.state
        theme = self.theme = get_theme(state.spec.theme)
        self.prepared = self._prepare()
        with rc_context(theme):
            fig = self.fig = plt.figure(figsize=(12.0, 7.6), facecolor=theme.background)
            self.ax = fig.add_axes((0.05, 0.35, 0.52, 0.58))
            self._draw_map()
            self.loss_ax = fig.add_axes((0.65, 0.62, 0.32, 0.30))
            self.loss = LossView(self.loss_ax, self.prepared, state.spec, theme)
            self.loss.set_data(self.prepared.tracks, state.steps)
            self.counter = fig.text(
                0.97, 0.96, "", ha="right", va="baseline", fontsize=11,
                color=theme.foreground, animated=True,
            )  # fmt: skip
            self._legend()
            self._sliders()
            self.status = fig.text(0.65, 0.08, "", fontsize=9, color=theme.muted)
            fig.text(0.02, 0.015, HELP, fontsize=8.5, color=theme.muted)
        self.layers = Layers(fig, self._groups, self._moving)
        for artist in self.layers.animated():
            artist.set_animated(True)
        canvas = fig.canvas
        manager = getattr(canvas, "manager", None)
        if getattr(manager, "key_press_handler_id", None) is not None:
            canvas.mpl_disconnect(manager.key_press_handler_id)  # our keys instead
        canvas.mpl_connect("button_press_event", self._on_press)
        canvas.mpl_connect("pick_event", self._on_pick)
        canvas.mpl_connect("key_press_event", self._on_key)
        self.timer = canvas.new_timer(interval=max(1, round(1000 / state.spec.fps)))
        self.timer.add_callback(self._tick)
        self._update_artists()

    def _legend(self) -> None:
        self.legend = make_legend(self.fig, self.prepared.tracks)
        self._pickable = {}
        for label, line, text in zip(
            self.labels, self.legend.get_lines(), self.legend.get_texts(), strict=True
        ):
            for artist in (line, text):
                artist.set_picker(5)
                self._pickable[artist] = label

    def _sliders(self) -> None:
        colors = {t.label: t.color for t in self.prepared.tracks}
        lrs = {k: v for k, v in self.lrs.items() if v is not None}
        self.sliders = make_sliders(
            self.fig, lrs, colors, self.theme, sigma=(self.sigma, self._sigma_max()),
            steps=(self.steps, self.max_steps),
        )  # fmt: skip
        for label in lrs:
            self.sliders[label].on_changed(
                lambda v, label=label: self.set_lr(label, float(f"{10.0**v:.3g}"))
            )
        self.sliders["noise"].on_changed(self.set_noise)
        self.sliders["steps"].on_changed(lambda v: self.set_steps(int(v)))

    def _sigma_max(self) -> float:
        """The noise slider's top: 4 σ, or |∇f| at the start (noise on the scale
        of the first gradient), rounded to one digit."""
        first = next(iter(self.full.values())).grad[0]
        top = max(4 * self.sigma, float(np.hypot(*first)))
        return float(f"{top:.1g}") if math.isfinite(top) and top > 0 else 1.0

    def _prepare(self):
        """The state's traces as `render` draws them (legends with the noise)."""
        from ..render import prepare

        spec = dataclasses.replace(self.spec, notes=self.notes() or None)
        return prepare(self.traces, self.surface, spec)

    def _draw_map(self) -> None:
        """The contour view: the static map (with the marked points) and the
        paths over it."""
        from ..render import surface_title

        self.contour = ContourView(self.ax, self.prepared, self.spec, self.theme)
        self.ax.set_title(surface_title(self.prepared.surface)[1], fontsize="medium")

    def _retrack(self) -> bool:
        """Prepare the state's new traces. With `markers: auto` the points marked
        depend on the paths: when they change, the map is drawn again, and this
        returns True (the figure needs a full draw)."""
        from ..render import rc_context

        old, self.prepared = self.prepared, self._prepare()
        if self.prepared.critical == old.critical:
            return False
        self.ax.cla()
        with rc_context(self.theme):
            self._draw_map()
        self.layers.forget()
        return True

    # -- drawing ----------------------------------------------------------------

    def _update_artists(self) -> None:
        visible = [label not in self.hidden for label in self.labels]
        self.contour.set_tracks(self.prepared, visible)
        self.contour.update(self.t, self.start)
        self.loss.update(self.t, visible)
        self.counter.set_text(f"step {self.t} / {self.steps}")

    def _groups(self) -> list[list]:
        """The layers over the static figure (`Layers`): 0 the sliders and
        status line, 1 the legend, 2 the loss Axes."""
        sliders = [slider.ax for slider in self.sliders.values()]
        return [[self.status, *sliders], [self.legend], [self.loss_ax]]

    def _moving(self) -> list:
        return [*self.contour.moving, *self.loss.moving, self.counter]

    @property
    def redraws(self) -> int:
        """Frames drawn (full draws and blits)."""
        return self.layers.frames

    def redraw(self, *, layer: int | None = None, full: bool = False) -> None:
        """Show step `t`: blit the moving artists over the background, after
        redrawing the layers from `layer` on (0 sliders, 1 legend, 2 loss Axes;
        None: none); with `full` (or nothing cached), draw the whole figure."""
        self._update_artists()
        self.layers.draw(layer=layer, full=full)

    def _sync_timer(self) -> None:
        if self.playing:
            self.timer.start()
        else:
            self.timer.stop()

    def _changed(self, *, layer: int | None = None) -> None:
        """After new settings (the state moved already): new tracks, redrawing
        the layers from `layer` on, or from the first whose artists changed (the
        legend's text, the loss view's limits)."""
        full = self._retrack()
        for text, track in zip(
            self.legend.get_texts(), self.prepared.tracks, strict=True
        ):
            if text.get_text() != track.legend:
                text.set_text(track.legend)
                layer = 1 if layer is None else min(layer, 1)
        if self.loss.set_data(self.prepared.tracks, self.steps):
            layer = 2 if layer is None else layer
        self._sync_timer()
        self.redraw(layer=layer, full=full)

    # -- actions (what the events call) ------------------------------------------

    def restart_from(self, xy: tuple[float, float]) -> None:
        """Restart every optimizer from `xy` and replay the race from step 0."""
        self.state.restart_from(xy)
        self._changed()

    def set_lr(self, label: str, lr: float) -> None:
        """Set one optimizer's learning rate and recompute."""
        self.state.set_lr(label, lr)
        self.sliders[label].valtext.set_text(f"{lr:.3g}")
        self._changed(layer=0)

    def set_noise(self, sigma: float) -> None:
        """Set the gradient-noise level σ and recompute."""
        self.state.set_noise(sigma)
        self._changed(layer=0)

    def set_steps(self, steps: int) -> None:
        """Show the first `steps` updates (computed already: no recompute)."""
        self.state.set_steps(steps)
        self._changed(layer=0)

    def toggle(self, label: str) -> None:
        """Hide or show one optimizer."""
        self.state.toggle(label)
        i = self.labels.index(label)
        alpha = 0.3 if label in self.hidden else 1.0
        self.legend.get_lines()[i].set_alpha(alpha)
        self.legend.get_texts()[i].set_alpha(alpha)
        self.redraw(layer=1)

    def play(self) -> None:
        self.state.playing = True
        self._sync_timer()

    def pause(self) -> None:
        self.state.playing = False
        self._sync_timer()

    def play_pause(self) -> None:
        """Pause while playing; else play on (replay once at the end)."""
        if self.playing:
            self.pause()
        elif self.t >= self.steps:
            self.replay()
        else:
            self.play()

    def replay(self) -> None:
        """From step 0, playing."""
        self.state.replay()
        self.redraw()
        self._sync_timer()

    def step(self, delta: int) -> None:
        """Pause and move `delta` steps."""
        self.state.step(delta)
        self._sync_timer()
        self.redraw()

    def _tick(self) -> None:
        moved = self.state.tick()
        if moved:
            self.redraw()
        elif not self.playing:
            self._sync_timer()

    def toggle_log_time(self) -> None:
        """Switch playback between linear and log time."""
        self.state.toggle_log_time()
        self.status.set_text(f"log time {'on' if self.log_time else 'off'}")
        self.redraw(layer=0)

    def save_and_report(self) -> None:
        """`save`, and say on the status line what was written (or why not)."""
        try:
            png, yaml = self.save()
        except ValueError as error:  # pydantic's ValidationError is one
            first = (str(error).splitlines() or [""])[0]
            self.status.set_text(f"not saved: {first}"[:120])
        else:
            self.status.set_text(f"saved {png.name} and {yaml.name}")
        self.redraw(full=True)

    # -- events -----------------------------------------------------------------

    def _on_press(self, event) -> None:
        if event.inaxes is not self.ax or event.button != 1:
            return
        toolbar = getattr(self.fig.canvas, "toolbar", None)
        if toolbar is not None and getattr(toolbar, "mode", ""):
            return  # zooming or panning
        self.restart_from((event.xdata, event.ydata))

    def _on_pick(self, event) -> None:
        label = self._pickable.get(event.artist)
        if label is not None:
            self.toggle(label)

    def _on_key(self, event) -> None:
        key = KEYS.get(event.key)
        if key is not None:
            getattr(self, key.action)(*key.args)

    # -- saving -----------------------------------------------------------------

    def save(
        self, stem: str | os.PathLike | None = None
    ) -> tuple[pathlib.Path, pathlib.Path]:
        """Write `STEM.png` (the current view) and `STEM.yaml` (a scene that
        `optimotion render` turns into this race).

        Args:
            stem: the path without extension (default: `NAME-001` in the current
                folder, the first number free, NAME the scene file's or the
                surface's name).

        Returns:
            `(png_path, yaml_path)`.
        """
        if stem is None:
            name = pathlib.Path(self.source).stem if self.source else self.surface.name
            stem = free_stem(".", name)
        stem = pathlib.Path(stem)
        png = stem.with_name(stem.name + ".png")
        yaml = stem.with_name(stem.name + ".yaml")
        origin = f" from {os.fspath(self.source)}" if self.source else ""
        note = (
            f"Saved by `optimotion explore`{origin}.\n"
            f"`optimotion render {yaml.name}` reproduces this race."
        )
        write_scene(yaml, self.scene_dict(), note)
        save_view(
            self.fig, png, [self.ax, self.loss_ax, self.legend, self.counter],
            animated=[*self.layers.animated(), self.counter],
            facecolor=self.theme.background,
        )  # fmt: skip
        self.layers.forget()  # savefig drew over the canvas buffer
        return png, yaml

    def show(self) -> None:
        """Open the window, play, and block until it is closed (scripts, the CLI).

        Raises:
            NoDisplayError: matplotlib's backend cannot open a window (no display
                or GUI toolkit).
        """
        import matplotlib
        import matplotlib.pyplot as plt

        backend = matplotlib.get_backend().lower()
        if backend in NON_INTERACTIVE:
            raise NoDisplayError(
                f"`explore`: matplotlib's backend is {backend!r}, which cannot open a "
                "window; run where there is a display and a GUI toolkit (tkinter, "
                "PyQt), or set MPLBACKEND=TkAgg or QtAgg, or use Jupyter with "
                "`%matplotlib widget` (ipympl)"
            )
        self.replay()
        plt.show(block=True)
