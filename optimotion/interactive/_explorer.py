"""`explore`: a matplotlib window where the race reacts to clicks, sliders and keys.

Every interaction calls one compiled program: the start point, the learning rates,
the noise level and the seed are traced arguments of `optimotion.race`, and the
scan always runs `max_steps` (the steps slider shows a prefix), so after the first
compile nothing recompiles. Playback blits the moving artists over a cached
background (matplotlib's blitting recipe); a change of settings redraws the figure.
"""

from __future__ import annotations

import dataclasses
import math
import os
import pathlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scene import MAX_STEPS, write_scene
from ._save import current_scene, free_stem, save_view, scene_data
from ._views import ContourView, LossView, make_legend, make_sliders

if TYPE_CHECKING:  # pragma: no cover
    from ..optimizers import Optimizer
    from ..render import RenderSpec
    from ..surfaces import Surface

HELP = (
    "click: restart from there   space: play/pause   \u2190/\u2192: step   "
    "r: replay   l: log time   s: save PNG + scene   legend: hide/show"
)
NON_INTERACTIVE = (
    "agg", "pdf", "ps", "svg", "pgf", "cairo", "template",
    "module://matplotlib_inline.backend_inline",  # Jupyter's default: still images
)  # fmt: skip


class NoDisplayError(RuntimeError):
    """`Explorer.show` needs an interactive matplotlib backend."""


class Explorer:
    """An interactive race: a contour view, a loss view, sliders and keys.

    Attributes:
        fig: the matplotlib Figure (made by pyplot, on its current backend).
        ax: the contour Axes; `loss_ax` the loss Axes.
        surface: the surface.
        labels: the optimizers' labels, in legend order.
        start: the current start point `(x, y)`.
        steps: the steps shown (the steps slider), at most `max_steps`.
        max_steps: the steps computed by every recompute.
        lrs: `{label: lr}` (None for a scheduled learning rate: no slider).
        sigma: the noise level σ (noise slider): the `sigma` of `noise`, or of
            Gaussian gradient noise when `noise` is None.
        noise: the estimator the slider drives (e.g. a scene's `noise:`), or None
            for Gaussian noise; one without a number `sigma` is left as it is.
        own_noise: `{label: estimator or None}` of optimizers with noise of their
            own, which the slider leaves alone.
        seed: the noise seed.
        t: the step on screen.
        playing: whether the timer advances `t`.
        log_time: whether playback spends more frames on early steps.
        hidden: labels hidden by a legend click.
        traces: `{label: Trajectory}` of `steps` updates, as on screen.
        sliders: `{label: Slider}` of the learning rates, plus `"noise"` and
            `"steps"`.
        recomputes: how many times the race was computed.
        redraws: frames drawn (full draws and blits).
    """

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
        from ..render import RenderSpec

        if not optimizers:
            raise ValueError("`explore`: needs at least one optimizer, got none")
        self.surface, self.base = surface, dict(optimizers)
        self.labels = list(self.base)
        self.lrs = {  # None: no log-scale slider (a schedule, or lr 0)
            label: float(lr) if isinstance(lr, int | float) and lr > 0 else None
            for label, lr in (
                (k, o.hyperparams.get("lr")) for k, o in optimizers.items()
            )
        }
        self.start = (float(start[0]), float(start[1]))
        self.steps = int(steps)
        if max_steps is None:  # room to grow, within what a scene may hold
            max_steps = max(self.steps, min(2 * self.steps, MAX_STEPS))
        self.max_steps = int(max_steps)
        self._plan: tuple[tuple[int, bool], np.ndarray] | None = None
        if not 1 <= self.steps <= self.max_steps:
            raise ValueError(
                f"`explore`: steps must be in [1, max_steps={self.max_steps}], got "
                f"{self.steps}"
            )
        self.seed, self.sigma = int(seed), float(sigma)
        self.noise, self.own_noise = noise, dict(own_noise or {})
        self.spec = RenderSpec() if spec is None else spec
        self.log_time = self.spec.log_time is True  # 'auto': off while exploring
        self.scene, self.source = scene, source
        self.hidden: set[str] = set()
        self.t, self.playing, self._frame = self.steps, False, 0
        self.recomputes = self.redraws = 0
        self._layers: list = []
        self._compute()
        self._build()

    # -- the computation ---------------------------------------------------------

    def optimizers(self) -> dict[str, Optimizer]:
        """`{label: Optimizer}` with the current learning rates."""
        from .. import optimizers

        return {
            label: opt
            if self.lrs[label] is None
            else optimizers.rebuild(opt, {"lr": self.lrs[label]})
            for label, opt in self.base.items()
        }

    def _compute(self) -> None:
        """One call of the compiled race: always `max_steps`, always with a noise
        model (σ = 0 adds exact zeros), so the program never changes."""
        from ..dynamics import race

        self.full = race(
            self.surface, self.optimizers(), self.start, self.max_steps,
            seed=self.seed, noise=self.noises(),
        )  # fmt: skip
        self.recomputes += 1
        self._cut()

    def noises(self) -> dict[str, Any]:
        """`{label: estimator or None}`: the slider's noise at σ for every
        optimizer without noise of its own (only σ changes: no recompile)."""
        from .. import noise

        if self.noise is None:
            shared = noise.gaussian(self.sigma)
        else:
            shared = with_sigma(self.noise, self.sigma)
        return {label: self.own_noise.get(label, shared) for label in self.labels}

    def notes(self) -> dict[str, str]:
        """`{label: legend text}` of the noise each path has (none for Gaussian
        noise at σ = 0, the slider's resting place)."""
        from ..noise import describe

        quiet = self.noise is None and self.sigma == 0
        return {
            label: describe(estimator)
            for label, estimator in self.noises().items()
            if estimator is not None and (label in self.own_noise or not quiet)
        }

    def _cut(self) -> None:
        from ..render import track

        self.traces = {k: v.head(self.steps) for k, v in self.full.items()}
        if hasattr(self, "prepared"):
            notes = self.notes()
            tracks = tuple(
                track(t.label, t.color, self.traces[t.label], notes.get(t.label, ""))
                for t in self.prepared.tracks
            )
            self.prepared = self.prepared._replace(tracks=tracks, steps=self.steps)

    # -- the figure --------------------------------------------------------------

    def _build(self) -> None:
        import matplotlib.pyplot as plt

        from ..render import get_theme, prepare, rc_context, surface_title

        theme = self.theme = get_theme(self.spec.theme)
        self.prepared = prepare(
            self.traces,
            self.surface,
            dataclasses.replace(self.spec, notes=self.notes() or None),
        )
        with rc_context(theme):
            fig = self.fig = plt.figure(figsize=(12.0, 7.6), facecolor=theme.background)
            self.ax = fig.add_axes((0.05, 0.35, 0.52, 0.58))
            self.contour = ContourView(self.ax, self.prepared, self.spec, theme)
            self.ax.set_title(
                surface_title(self.prepared.surface)[1], fontsize="medium"
            )
            self.loss_ax = fig.add_axes((0.65, 0.62, 0.32, 0.30))
            colors = [t.color for t in self.prepared.tracks]
            self.loss = LossView(self.loss_ax, colors, theme)
            self.loss.set_data(self._losses(), self.steps)
            self.counter = fig.text(
                0.97, 0.96, "", ha="right", va="baseline", fontsize=11,
                color=theme.foreground, animated=True,
            )  # fmt: skip
            self._legend()
            self._sliders()
            self.status = fig.text(0.65, 0.08, "", fontsize=9, color=theme.muted)
            fig.text(0.02, 0.015, HELP, fontsize=8.5, color=theme.muted)
        for artist in self._controls():
            artist.set_animated(True)
        canvas = fig.canvas
        manager = getattr(canvas, "manager", None)
        if getattr(manager, "key_press_handler_id", None) is not None:
            canvas.mpl_disconnect(manager.key_press_handler_id)  # s, l, r, arrows
        canvas.mpl_connect("draw_event", self._on_draw)
        canvas.mpl_connect("button_press_event", self._on_press)
        canvas.mpl_connect("pick_event", self._on_pick)
        canvas.mpl_connect("key_press_event", self._on_key)
        self.timer = canvas.new_timer(interval=max(1, round(1000 / self.spec.fps)))
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

    def _losses(self) -> list[np.ndarray]:
        return [self.traces[label].loss for label in self.labels]

    # -- drawing ----------------------------------------------------------------

    def _update_artists(self) -> None:
        visible = [label not in self.hidden for label in self.labels]
        self.contour.tracks = self.prepared.tracks
        self.contour.update(self.t, visible, self.start)
        self.loss.update(self.t, visible)
        self.counter.set_text(f"step {self.t} / {self.steps}")

    def _draw_moving(self) -> None:
        for artist in [*self.contour.moving, *self.loss.moving, self.counter]:
            if artist.axes is not None:
                artist.axes.draw_artist(artist)
            else:
                self.fig.draw_artist(artist)
        self.redraws += 1

    def _groups(self) -> list[list]:
        """What changes with the settings, in layers over the static figure: the
        sliders and status line, the legend, the loss Axes. All are animated, so
        a full draw leaves them out (the base layer); each group drawn over the
        layer below it makes the next layer, and the last is the background."""
        sliders = [slider.ax for slider in self.sliders.values()]
        return [[self.status, *sliders], [self.legend], [self.loss_ax]]

    def _controls(self) -> list:
        return [artist for group in self._groups() for artist in group]

    def _on_draw(self, event) -> None:
        self._layers = [self.fig.canvas.copy_from_bbox(self.fig.bbox)]
        self._draw_layers(0)
        self._draw_moving()

    def _draw_layers(self, first: int) -> None:
        """Redraw the groups from `first` on over the layer below them."""
        canvas = self.fig.canvas
        canvas.restore_region(self._layers[first])
        del self._layers[first + 1 :]
        for group in self._groups()[first:]:
            for artist in group:
                self.fig.draw_artist(artist)
            self._layers.append(canvas.copy_from_bbox(self.fig.bbox))

    def redraw(self, *, layer: int | None = None, full: bool = False) -> None:
        """Show step `t`: blit the moving artists over the background, after
        redrawing the groups from `layer` on (0 sliders, 1 legend, 2 loss Axes;
        None: none); with `full` (or nothing cached), draw the whole figure."""
        self._update_artists()
        canvas = self.fig.canvas
        if full or not self._layers:
            canvas.draw_idle()
            return
        if layer is None:
            canvas.restore_region(self._layers[-1])
        else:
            self._draw_layers(layer)
        self._draw_moving()
        canvas.blit(self.fig.bbox)

    def _changed(self, *, layer: int | None = None, replay: bool = False) -> None:
        """After new settings: show the whole path (or replay it from step 0),
        redrawing the layers from `layer` on, or from the first whose artists
        changed (the legend's text, the loss view's limits)."""
        self.pause()
        self.t = 0 if replay else self.steps
        self._frame = 0
        for text, track in zip(
            self.legend.get_texts(), self.prepared.tracks, strict=True
        ):
            if text.get_text() != track.legend:
                text.set_text(track.legend)
                layer = 1 if layer is None else min(layer, 1)
        if self.loss.set_data(self._losses(), self.steps):
            layer = 2 if layer is None else layer
        self.redraw(layer=layer)
        if replay:
            self.play()

    # -- actions (what the events call) ------------------------------------------

    def restart_from(self, xy: tuple[float, float]) -> None:
        """Restart every optimizer from `xy` and replay the race from step 0."""
        self.start = (float(xy[0]), float(xy[1]))
        self._compute()
        self._changed(replay=True)

    def set_lr(self, label: str, lr: float) -> None:
        """Set one optimizer's learning rate and recompute."""
        if self.lrs.get(label) is None:
            raise ValueError(f"`explore`: {label!r} has no numeric learning rate")
        self.lrs[label] = float(lr)
        self.sliders[label].valtext.set_text(f"{lr:.3g}")
        self._compute()
        self._changed(layer=0)

    def set_noise(self, sigma: float) -> None:
        """Set the gradient-noise level σ and recompute."""
        self.sigma = max(0.0, float(sigma))
        self._compute()
        self._changed(layer=0)

    def set_steps(self, steps: int) -> None:
        """Show the first `steps` updates (computed already: no recompute)."""
        self.steps = int(min(max(steps, 1), self.max_steps))
        self._cut()
        self._changed(layer=0)

    def toggle(self, label: str) -> None:
        """Hide or show one optimizer."""
        self.hidden ^= {label}
        i = self.labels.index(label)
        alpha = 0.3 if label in self.hidden else 1.0
        self.legend.get_lines()[i].set_alpha(alpha)
        self.legend.get_texts()[i].set_alpha(alpha)
        self.redraw(layer=1)

    def plan(self) -> np.ndarray:
        """The step shown by each playback frame (`render`'s frame clock), made
        again only when the steps or the time mode change."""
        from ..render import frame_plan

        key = (self.steps, self.log_time)
        if self._plan is None or self._plan[0] != key:
            spec = dataclasses.replace(self.spec, log_time=self.log_time)
            self._plan = (key, frame_plan(spec, self.steps).steps)
        return self._plan[1]

    def play(self) -> None:
        self.playing = True
        self.timer.start()

    def pause(self) -> None:
        self.playing = False
        self.timer.stop()

    def replay(self) -> None:
        """From step 0, playing."""
        self._frame, self.t = 0, 0
        self.redraw()
        self.play()

    def step(self, delta: int) -> None:
        """Pause and move `delta` steps."""
        self.pause()
        self.t = int(min(max(self.t + delta, 0), self.steps))
        self._frame = int(np.searchsorted(self.plan(), self.t))
        self.redraw()

    def _tick(self) -> None:
        if not self.playing:
            return
        plan = self.plan()
        self._frame += 1
        if self._frame >= len(plan):
            self.pause()
            return
        self.t = int(plan[self._frame])
        self.redraw()

    def toggle_log_time(self) -> None:
        """Switch playback between linear and log time."""
        self.log_time = not self.log_time
        self._frame = int(np.searchsorted(self.plan(), self.t))
        self.status.set_text(f"log time {'on' if self.log_time else 'off'}")
        self.redraw(layer=0)

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
        key = event.key
        if key == " ":
            if self.playing:
                self.pause()
            elif self.t >= self.steps:
                self.replay()
            else:
                self.play()
        elif key in ("left", "right"):
            self.step(-1 if key == "left" else 1)
        elif key == "r":
            self.replay()
        elif key == "l":
            self.toggle_log_time()
        elif key == "s":
            try:
                png, yaml = self.save()
            except ValueError as error:  # pydantic's ValidationError is one
                first = (str(error).splitlines() or [""])[0]
                self.status.set_text(f"not saved: {first}"[:120])
            else:
                self.status.set_text(f"saved {png.name} and {yaml.name}")
            self.redraw(full=True)

    # -- saving -----------------------------------------------------------------

    def scene_dict(self) -> dict[str, Any]:
        """The current setup as a scene: a dict of YAML-ready values."""
        if self.scene is not None:
            base = self.scene
        else:
            base = scene_data(self.surface, self.base, self.spec.colors)
        return current_scene(
            base, self.labels, start=self.start, steps=self.steps, seed=self.seed,
            sigma=self.sigma, lrs=self.lrs, log_time=self.log_time,
        )  # fmt: skip

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
            self.fig, png, [self.ax, self.loss_ax, self.legend],
            animated=[*self._controls(), self.counter],
            facecolor=self.theme.background,
        )  # fmt: skip
        self._layers = []  # savefig drew over the canvas buffer
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


def with_sigma(estimator: Any, sigma: float) -> Any:
    """`estimator` with its number `sigma` (in a chain: the first part's that
    has one) set to `sigma`; without one it is returned as it is."""
    from ..noise import Chain

    parts = list(getattr(estimator, "estimators", (estimator,)))
    for i, part in enumerate(parts):
        if isinstance(getattr(part, "sigma", None), int | float):
            parts[i] = dataclasses.replace(part, sigma=float(sigma))
            break
    return Chain(tuple(parts)) if isinstance(estimator, Chain) else parts[0]
