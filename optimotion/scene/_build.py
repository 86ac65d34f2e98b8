"""From a validated `Scene` to the objects the library takes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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
        noise: the noise model, or None.
        spec: the `RenderSpec`, its colours keyed by path label.
        output: the output path from the scene, or None.
        ensemble: the scene's `ensemble:` settings, or None: each optimizer then
            runs as particles (`ensembles()`), and `render` draws them.
    """

    surface: Surface
    optimizers: Mapping[str, Optimizer]
    starts: tuple[tuple[float, float], ...]
    steps: int
    seed: int
    noise: Any
    spec: RenderSpec
    output: str | None
    ensemble: Any = None

    def entries(self) -> list[tuple[str, str, tuple[float, float]]]:
        """`(path label, optimizer label, start)` of every path, in legend order."""
        return _entries(self.optimizers, self.starts)

    def race(self) -> dict[str, Trajectory]:
        """Every optimizer from every start: `{path label: Trajectory}`, one
        compiled `optimotion.race` per start."""
        from ..dynamics import race  # noqa: PLC0415

        by_start = {
            start: race(
                self.surface,
                dict(self.optimizers),
                start,
                self.steps,
                seed=self.seed,
                noise=self.noise,
            )
            for start in self.starts
        }
        return {path: by_start[start][label] for path, label, start in self.entries()}

    def ensembles(self) -> dict[str, Ensemble]:
        """Every optimizer as an ensemble (`optimotion.ensemble_race`, one
        compiled program): `{label: Ensemble}`. Needs an `ensemble:` section."""
        from ..dynamics import ensemble_race  # noqa: PLC0415

        settings = self.ensemble
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
            noise=self.noise,
            seed=self.seed,
            spread=settings.spread,
            keep=settings.kept(),
            exit_radius=settings.exit_radius,
            center=None if settings.center is None else tuple(settings.center),
        )

    def traces(self) -> Mapping[str, Any]:
        """What `render` draws: the race, or with an `ensemble:` section each
        ensemble with its saddle theory (`render.particles`)."""
        if self.ensemble is None:
            return self.race()
        from ..analysis import fit_window, theory, theory_curve  # noqa: PLC0415
        from ..render import particles  # noqa: PLC0415

        traces = {}
        for label, ens in self.ensembles().items():
            model = theory(self.surface, self.noise, ens.center)
            curve = None
            if model is not None:
                anchor, _ = fit_window(ens.alive)  # where `optimotion study` fits
                curve = theory_curve(ens.mean_log_distance, ens.lr, model, anchor)
            traces[label] = particles(ens, theory=curve)
        return traces

    def render(self, output: str | os.PathLike, *, progress: bool | None = None):
        """Race and render to `output` (`optimotion.render.render`); returns the
        path. The figure's static part (the surface's grid and critical points, and
        matplotlib's imports) does not depend on the race, so a thread prepares it
        while JAX compiles the race, which releases the GIL."""
        from ..render import preload, render  # noqa: PLC0415

        with ThreadPoolExecutor(max_workers=1) as pool:
            static = pool.submit(preload, self.surface)
            traces = self.traces()
            static.result()
        return render(traces, self.surface, self.spec, output, progress=progress)


def _entries(labels, starts) -> list[tuple[str, str, tuple[float, float]]]:
    """Every (path label, optimizer label, start): with several starts, the path
    label says where it began, `SGD from (1, 0.001)`."""
    return [
        (label if len(starts) == 1 else f"{label} from ({x:g}, {y:g})", label, (x, y))
        for x, y in starts
        for label in labels
    ]


def build(scene: Scene) -> BuiltScene:
    """The `BuiltScene` of a validated `Scene`."""
    from .. import surfaces  # noqa: PLC0415
    from ._schema import ExpressionSurface  # noqa: PLC0415

    starts = scene.starts()
    if isinstance(scene.surface, ExpressionSurface):
        surface = scene.surface.build(start=starts[0] if starts else None)
    else:
        surface = surfaces.get(scene.surface)
    starts = tuple((float(x), float(y)) for x, y in starts or [surface.start])
    labels = scene.labels()
    color = {label: o.color for label, o in zip(labels, scene.optimizers, strict=True)}
    colors = {
        path: color[label]
        for path, label, _ in _entries(labels, starts)
        if color[label] is not None
    }
    return BuiltScene(
        surface=surface,
        optimizers={
            label: entry.build()
            for label, entry in zip(labels, scene.optimizers, strict=True)
        },
        starts=starts,
        steps=scene.steps,
        seed=scene.seed,
        noise=None if scene.noise is None else scene.noise.build(),
        spec=scene.render.to_spec(scene.title, colors),
        output=scene.render.output,
        ensemble=scene.ensemble,
    )
