"""From a validated `Scene` to the objects the library takes."""

from __future__ import annotations

import math
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from ..dynamics import Ensemble, Trajectory
    from ..optimizers import Optimizer
    from ..render import RenderSpec
    from ..surfaces import Surface
    from ._schema import Scene


class BuiltScene(NamedTuple):
    """A scene as library objects.

    Attributes:
        surface: the `Surface`.
        optimizers: `{label: Optimizer}` in the scene's order.
        starts: the start points; each races all the optimizers.
        steps: optimizer steps.
        seed: the noise seed.
        noise: the scene's `noise:` estimator, or None (exact gradients).
        spec: the `RenderSpec`, its colours keyed by path label.
        output: the output path from the scene, or None.
        own_noise: `{label: estimator or None}` of the optimizers whose entry sets
            its own `noise:` (None: exact gradients), in place of `noise`.
        auto: the labels of optimizers whose learning rate is `auto`.
        grid: the learning rates `auto` searches.
        ensemble: the scene's `ensemble:` settings, or None: each optimizer then
            runs as particles (`ensembles()`), and `render` draws them.
        scene: the validated `Scene` this was built from (its dynamics key the
            trajectory cache), or None: nothing is cached. Set it to None when
            replacing a field that changes the paths.
    """

    surface: Surface
    optimizers: Mapping[str, Optimizer]
    starts: tuple[tuple[float, float], ...]
    steps: int
    seed: int
    noise: Any
    spec: RenderSpec
    output: str | None
    own_noise: Mapping[str, Any] = {}
    auto: tuple[str, ...] = ()
    grid: tuple[float, ...] = ()
    ensemble: Any = None
    scene: Scene | None = None

    def noises(self) -> dict[str, Any]:
        """`{label: estimator or None}`: the noise each optimizer sees."""
        return {
            label: self.own_noise.get(label, self.noise) for label in self.optimizers
        }

    def entries(self) -> list[tuple[str, str, tuple[float, float]]]:
        """`(path label, optimizer label, start)` of every path, in legend order."""
        return _entries(self.optimizers, self.starts)

    def race(self, *, cache: bool = True) -> dict[str, Trajectory]:
        """Every optimizer from every start: `{path label: Trajectory}`, one
        compiled `optimotion.race` per start. With `cache` (and a `scene`), paths
        computed before for the same dynamics come from the trajectory cache
        (`optimotion._cache`: the user's cache folder; `OPTIMOTION_CACHE=off`
        disables it)."""
        from .. import _cache  # noqa: PLC0415

        if self.scene is None:
            return self._race()
        digest = _cache.scene_key(self.scene)
        return _cache.trajectories(digest, self._race, enabled=cache)

    def tune(self, labels: Sequence[str] | None = None) -> dict[str, Any]:
        """`optimotion.tune`'s `{label: Tuned}` for `labels` (default: the `lr:
        auto` ones), from the first start, with the scene's grid, seed and each
        optimizer's own noise, inside the window."""
        from ..dynamics import tune  # noqa: PLC0415

        labels = self.auto if labels is None else tuple(labels)
        noises = self.noises()  # each optimizer tuned with the noise it races with
        return tune(
            self.surface,
            {label: self.optimizers[label] for label in labels},
            self.starts[0],
            self.steps,
            grid=self.grid,
            seed=self.seed,
            noise={label: noises[label] for label in labels},
            stay_in_window=True,
        )

    def tuned(self) -> BuiltScene:
        """This scene with every `lr: auto` replaced by `optimotion.tune`'s choice
        (`tune`); unchanged when nothing is `auto`."""
        if not self.auto:
            return self
        from ..optimizers import rebuild  # noqa: PLC0415

        chosen = self.tune()
        optimizers = dict(self.optimizers)
        for label, result in chosen.items():
            if result.lr is None:
                raise ValueError(
                    f"optimizers: {label}: lr: auto: every learning rate from "
                    f"{self.grid[0]:g} to {self.grid[-1]:g} diverged"
                )
            optimizers[label] = rebuild(optimizers[label], {"lr": result.lr})
        return self._replace(optimizers=optimizers, auto=())

    def _race(self) -> dict[str, Trajectory]:
        from ..dynamics import race  # noqa: PLC0415

        if self.auto:
            return self.tuned()._race()
        by_start = {
            start: race(
                self.surface,
                dict(self.optimizers),
                start,
                self.steps,
                seed=self.seed,
                noise=self.noises() if self.own_noise else self.noise,
            )
            for start in self.starts
        }
        return {path: by_start[start][label] for path, label, start in self.entries()}

    def ensembles(self) -> dict[str, Ensemble]:
        """Every optimizer as an ensemble (`optimotion.ensemble_race`, one
        compiled program): `{label: Ensemble}`. Needs an `ensemble:` section."""
        from ..dynamics import ensemble_race  # noqa: PLC0415

        settings = self.ensemble
        if self.auto:
            return self.tuned().ensembles()
        if settings is None:
            raise ValueError(
                "`BuiltScene.ensembles`: the scene has no ensemble section"
            )
        return ensemble_race(
            self.surface,
            dict(self.optimizers),
            self.starts[0],
            self.steps,
            n=settings.n,
            noise=self.noises() if self.own_noise else self.noise,
            seed=self.seed,
            spread=settings.spread,
            keep=settings.kept(),
            exit_radius=settings.exit_radius,
            center=None if settings.center is None else tuple(settings.center),
        )

    def traces(self, *, cache: bool = True) -> Mapping[str, Any]:
        """What `render` draws: the race (`cache` as there), or with an
        `ensemble:` section each ensemble with its saddle theory
        (`render.particles`)."""
        if self.ensemble is None:
            return self.race(cache=cache)
        from ..analysis import fit_window, theory, theory_curve  # noqa: PLC0415
        from ..render import particles  # noqa: PLC0415

        traces, noises = {}, self.noises()
        for label, ens in self.ensembles().items():
            model = theory(self.surface, noises[label], ens.center)
            curve = None
            if model is not None:
                anchor, _ = fit_window(ens.alive)  # where `optimotion study` fits
                curve = theory_curve(ens.mean_log_distance, ens.lr, model, anchor)
            traces[label] = particles(ens, theory=curve)
        return traces

    def render(
        self,
        output: str | os.PathLike,
        *,
        progress: bool | None = None,
        status: Callable[[str], object] | None = None,
        cache: bool = True,
    ) -> pathlib.Path:
        """Race and render to `output`: `render_scene(self.scene, output,
        built=self, ...)` (`status` and `cache` as there); returns the path."""
        from ._pipeline import render_scene  # noqa: PLC0415

        return render_scene(
            self.scene, output, built=self, progress=progress, status=status,
            cache=cache,
        )  # fmt: skip


def _entries(labels, starts) -> list[tuple[str, str, tuple[float, float]]]:
    """Every (path label, optimizer label, start): with several starts, the path
    label says where it began, `SGD from (1, 0.001)`."""
    return [
        (label if len(starts) == 1 else f"{label} from ({x:g}, {y:g})", label, (x, y))
        for x, y in starts
        for label in labels
    ]


def render_spec(scene: Scene) -> RenderSpec:
    """The `RenderSpec` of a validated scene (`Scene.spec()` keeps it): its
    `render:` settings, title, each path's colour (the scene's, else a registered
    optimizer's own) and legend note (whether lr was tuned, what noise the path
    had: "SGD (lr=0.0316, tuned, batch 8)"). Builds no surface and no optimizer;
    only a scene with noise builds its gradient estimators, to name them."""
    from .. import optimizers  # noqa: PLC0415

    labels = scene.labels()
    # Path labels name the start only when there are several, so the surface's
    # default start (one) never shows: a placeholder stands for it.
    entries = _entries(labels, scene.starts() or [(math.nan, math.nan)])
    noises = _noises(scene, labels)[2]
    auto = {label for label, o in zip(labels, scene.optimizers, strict=True)
            if o.auto_lr}  # fmt: skip
    notes = {}
    if auto or any(n is not None for n in noises.values()):
        from ..noise import describe  # noqa: PLC0415

        notes = {
            path: ", ".join(
                (["tuned"] if label in auto else [])
                + ([describe(noises[label])] if noises[label] is not None else [])
            )
            for path, label, _ in entries
            if label in auto or noises[label] is not None
        }
    color = {
        label: o.color or optimizers.color(o.name)
        for label, o in zip(labels, scene.optimizers, strict=True)
    }
    colors = {
        path: color[label] for path, label, _ in entries if color[label] is not None
    }
    return scene.render.to_spec(scene.title, colors, notes or None)


def _noises(scene: Scene, labels: list[str]) -> tuple[Any, dict, dict]:
    """`(shared, own, noises)`: the scene's `noise:` estimator, `{label:
    estimator}` of the entries with their own `noise:`, and the noise each
    optimizer sees (built once per scene: `spec()` and `build()` share them)."""
    return scene._once("_noises", lambda: _build_noises(scene, labels))


def _build_noises(scene: Scene, labels: list[str]) -> tuple[Any, dict, dict]:
    from ._noise_schema import build_noise  # noqa: PLC0415

    shared = build_noise(scene.noise)
    own = {}
    for label, entry in zip(labels, scene.optimizers, strict=True):
        overrides, estimator = entry.own_noise()
        if overrides:
            own[label] = estimator
    return shared, own, {label: own.get(label, shared) for label in labels}


def build(scene: Scene) -> BuiltScene:
    """The `BuiltScene` of a validated `Scene`: its surface, the optimizers its
    validation built, and its `spec()`."""
    from .. import surfaces  # noqa: PLC0415
    from ._schema import ExpressionSurface  # noqa: PLC0415

    starts = scene.starts()
    if isinstance(scene.surface, ExpressionSurface):
        surface = scene.surface.build(start=starts[0] if starts else None)
    else:
        surface = surfaces.get(scene.surface)
    starts = tuple((float(x), float(y)) for x, y in starts or [surface.start])
    labels = scene.labels()
    shared, own, _ = _noises(scene, labels)
    return BuiltScene(
        surface=surface,
        optimizers={
            label: entry.build()
            for label, entry in zip(labels, scene.optimizers, strict=True)
        },
        starts=starts,
        steps=scene.steps,
        seed=scene.seed,
        noise=shared,
        spec=scene.spec(),
        output=scene.render.output,
        own_noise=own,
        auto=tuple(
            label
            for label, entry in zip(labels, scene.optimizers, strict=True)
            if entry.auto_lr
        ),
        grid=scene.tune.grid(),
        ensemble=scene.ensemble,
        scene=scene,
    )
