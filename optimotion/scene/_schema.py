"""`Scene`: the typed form of a scene file. It holds names and numbers only;
`Scene.build()` makes the surface, the optimizers and the `RenderSpec`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Union

import pydantic
from pydantic import AfterValidator, Discriminator, Field, Tag, WithJsonSchema

from .. import surfaces
from ..optimizers import nice_name
from ..render import RenderSpec, frame_plan
from ._base import (
    MAX_EXPR,
    MAX_FRAMES,
    MAX_OPTIMIZERS,
    MAX_PATHS,
    MAX_SEED,
    MAX_STARTS,
    MAX_STEPS,
    Model,
    Number,
    Point,
    Whole,
    fail,
    fail_many,
    text,
)
from ._ensemble_schema import EnsembleSettings, check_scene
from ._errors import did_you_mean, one_of
from ._noise_schema import NoiseSpec, check_surface
from ._optimizer_schema import OptimizerSpec
from ._render_schema import RenderSettings

if TYPE_CHECKING:  # pragma: no cover
    from ._build import BuiltScene
    from ._work import Work


MAX_COORD = 1e15
"""Largest |coordinate| of a window: the grid, the steps and the axis ticks stay
well inside float64 range."""


class Window(Model):
    """The plotted part of the plane."""

    x: tuple[Number, Number] = Field(description="`[xmin, xmax]`.")
    y: tuple[Number, Number] = Field(description="`[ymin, ymax]`.")

    @pydantic.model_validator(mode="after")
    def _ordered(self) -> Window:
        for axis in ("x", "y"):
            low, high = getattr(self, axis)
            if not low < high:
                fail(f"{axis}min must be < {axis}max, got [{low:g}, {high:g}]", axis)
            span = high - low
            if not math.isfinite(span) or max(abs(low), abs(high)) > MAX_COORD:
                fail(
                    f"the window [{low:g}, {high:g}] is too large to draw; keep "
                    f"both ends within ±{MAX_COORD:g}",
                    axis,
                )
            if span < 1e-9 * max(1.0, abs(low), abs(high)):
                fail(
                    f"the window [{low:g}, {high:g}] is too narrow to draw at its "
                    "position (float64 precision)",
                    axis,
                )
        return self

    def to_tuple(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return (self.x, self.y)


class ExpressionSurface(Model):
    """A surface given by a formula in x and y."""

    expr: str = Field(
        description="f(x, y) in Python syntax with numbers, x, y, + - * / ** and "
        "functions such as exp, log, sin, cos, sqrt, abs (see `optimotion list "
        f"surfaces`); at most {MAX_EXPR} characters."
    )
    window: Window = Field(description="The plotted window, `{x: [..], y: [..]}`.")

    @pydantic.field_validator("expr")
    @classmethod
    def _length(cls, expr: str) -> str:
        if len(expr) > MAX_EXPR:
            fail(
                f"the formula is {len(expr):,} characters long; the limit is {MAX_EXPR}"
            )
        return expr

    @pydantic.model_validator(mode="after")
    def _parses(self) -> ExpressionSurface:
        try:
            self.build()
        except (ValueError, TypeError) as error:
            if _NOT_FINITE not in str(error):  # checked at the scene's own start
                fail(_expression_error(error), "expr")
        return self

    def build(self, start: tuple[float, float] | None = None) -> surfaces.Surface:
        return surfaces.from_expression(
            self.expr, window=self.window.to_tuple(), start=start
        )


_NOT_FINITE = "is not finite at the start"


def _expression_error(error: Exception) -> str:
    return str(error).splitlines()[0].removeprefix("`from_expression`: ")


def _known_surface(name: str) -> str:
    if name not in surfaces.names():
        hint = did_you_mean(name, surfaces.names())
        fail(
            f"unknown surface {name!r}"
            + (hint or f"; expected {one_of(surfaces.names())}")
        )
    return name


SurfaceName = Annotated[
    str,
    AfterValidator(_known_surface),
    WithJsonSchema({"type": "string", "enum": list(surfaces.names())}),
]


def _surface_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "~name"
    return "~expr" if isinstance(value, dict | ExpressionSurface) else None


SurfaceSpec = Annotated[
    Union[  # noqa: UP007
        Annotated[SurfaceName, Tag("~name")],
        Annotated[ExpressionSurface, Tag("~expr")],
    ],
    Discriminator(
        _surface_kind,
        custom_error_type="surface_type",
        custom_error_message="expected a surface name (see `optimotion list "
        "surfaces`) or {expr: ..., window: {x: [..], y: [..]}}",
    ),
]


def _start_kind(value: Any) -> str:
    several = isinstance(value, list) and value and isinstance(value[0], list | tuple)
    return "~points" if several else "~point"


StartSpec = Annotated[
    Union[  # noqa: UP007
        Annotated[Point, Tag("~point")],
        Annotated[
            list[Point], Field(min_length=1, max_length=MAX_STARTS), Tag("~points")
        ],
    ],
    Discriminator(_start_kind),
]


MAX_TUNE_POINTS = 200


class TuneSettings(Model):
    """The grid `lr: auto` searches: `points` learning rates, log-spaced from `min`
    to `max`; the criterion is `optimotion.tune`'s (lowest final loss, ties to
    the fastest, divergence disqualifies)."""

    min: Annotated[Number, Field(gt=0)] = Field(1e-4, description="Smallest rate.")
    max: Annotated[Number, Field(gt=0)] = Field(10.0, description="Largest rate.")
    points: Annotated[Whole, Field(ge=2, le=MAX_TUNE_POINTS)] = Field(
        49, description=f"How many rates, at most {MAX_TUNE_POINTS}."
    )

    @pydantic.model_validator(mode="after")
    def _ordered(self) -> TuneSettings:
        if not self.min < self.max:
            fail(f"min must be < max, got {self.min:g} and {self.max:g}", "min")
        return self

    def grid(self) -> tuple[float, ...]:
        import numpy as np  # noqa: PLC0415

        return tuple(float(v) for v in np.geomspace(self.min, self.max, self.points))


class Scene(Model):
    """A scene: a surface, start point(s), optimizers racing on it, and how to render.

    Load one with `optimotion.scene.load_scene(path)`; `build()` turns it into the
    objects that `optimotion.race` and `optimotion.render.render` take.
    """

    model_config = pydantic.ConfigDict(
        title="optimotion scene",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    title: str | None = Field(
        None, description="Title drawn above the panels (default: none)."
    )
    surface: SurfaceSpec = Field(
        description="A shipped surface by name (`saddle`, `beale`, ... see "
        "`optimotion list surfaces`) or a formula `{expr: ..., window: ...}`."
    )
    start: StartSpec | None = Field(
        None,
        description="Start point `[x, y]`, or a list of them `[[x, y], ...]` to race "
        "the same optimizers from each (default: the surface's start).",
    )
    steps: Annotated[Whole, Field(ge=1)] = Field(
        200, description=f"Optimizer steps, at most {MAX_STEPS:,}."
    )
    seed: Annotated[Whole, Field(ge=0, le=MAX_SEED)] = Field(
        0,
        description="Random seed of the noise (optimizers with the same noise "
        f"see the same draws), in [0, {MAX_SEED}].",
    )
    noise: NoiseSpec | None = Field(
        None,
        description="Gradient noise of every optimizer (an entry's own `noise:` "
        "overrides it): `{kind: gaussian, sigma: 0.1}`, `{kind: minibatch, "
        "batch_size: 8}`, ... (kinds: gaussian, shaking, curvature, heavy_tailed, "
        "minibatch, svrg, perturbed), or a list of them, a chain: one source "
        "(shaking, minibatch, svrg) first, then perturbations. Default: exact "
        "gradients.",
    )
    optimizers: list[OptimizerSpec] = Field(
        min_length=1,
        max_length=MAX_OPTIMIZERS,
        description="The racers: `{name: adam, lr: 0.05, label: Adam, color: "
        "crimson}` with torch's hyperparameter names (see `optimotion list "
        "optimizers`).",
    )
    render: RenderSettings = Field(
        RenderSettings(), description="Panels, size, timing, theme and output file."
    )
    tune: TuneSettings = Field(
        TuneSettings(),
        description="The learning-rate grid of optimizers with `lr: auto`.",
    )
    ensemble: EnsembleSettings | None = Field(
        None,
        description="Run each optimizer as n particles, e.g. `{n: 2000, "
        "exit_radius: 1}`: the `cloud`, `distribution` and `survival` views and "
        "`optimotion study` show them (default: one path per optimizer).",
    )

    @pydantic.field_validator("title")
    @classmethod
    def _title(cls, title: str | None) -> str | None:
        return None if title is None else text(title, "the title")

    @pydantic.field_validator("steps")
    @classmethod
    def _steps(cls, steps: int) -> int:
        if steps > MAX_STEPS:
            fail(f"{steps:,} steps is over the limit of {MAX_STEPS:,}")
        return steps

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> Scene:
        self.labels()  # fails on a duplicate label
        starts = self.starts()
        shown = [f"[{x:g}, {y:g}]" for x, y in starts or ()]  # as legends show them
        for i, point in enumerate(shown):
            if point in shown[:i]:
                fail(f"{point} is listed twice", "start", i)
        paths = len(starts or [None]) * len(self.optimizers)
        if paths > MAX_PATHS:
            fail(
                f"{len(starts or [None])} start points x {len(self.optimizers)} "
                f"optimizers is {paths} paths; the limit is {MAX_PATHS}",
                "start",
            )
        window = self.window()
        for i, (x, y) in enumerate(starts or ()):
            (x0, x1), (y0, y1) = window
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                at = ("start", i) if isinstance(self.start, list) else ("start",)
                fail(
                    f"[{x:g}, {y:g}] lies outside the surface's window "
                    f"x [{x0:g}, {x1:g}], y [{y0:g}, {y1:g}]",
                    *at,
                )
        if isinstance(self.surface, ExpressionSurface):  # every start is inside
            for start in starts or [None]:
                try:
                    self.surface.build(start)
                except (ValueError, TypeError) as error:
                    fail(_expression_error(error), "surface", "expr")
        self._check_frames()
        self._check_noise()
        check_scene(self)
        return self

    def _check_noise(self) -> None:
        """Refuse noise the surface cannot serve (minibatch on a closed form)."""
        own = [
            (("optimizers", i, "noise"), o.noise)
            for i, o in enumerate(self.optimizers)
            if o.noise is not None
        ]
        specs = [(("noise",), self.noise)] * (self.noise is not None) + own
        if not specs:
            return
        if isinstance(self.surface, ExpressionSurface):
            surface = self.surface.build((self.starts() or [None])[0])
            shown = "a formula"
        else:
            surface, shown = surfaces.get(self.surface), repr(self.surface)
        problems = [
            problem
            for at, spec in specs
            for problem in check_surface(spec, surface, shown, *at)
        ]
        if problems:
            fail_many(problems)

    def frames(self) -> int:
        """Frames the animation will have (motion plus hold), from `frame_plan`
        (computed once: validation checks it, `work()` and the CLI read it)."""
        return self._once(
            "_frames", lambda: frame_plan(self.render.checked_spec(), self.steps).total
        )

    def spec(self) -> RenderSpec:
        """The `RenderSpec` of this scene: its `render:` settings with the title,
        each path's colour and legend note (made once; `build()` and
        `render_scene` share it). Needs no surface and no optimizer."""
        from ._build import render_spec  # noqa: PLC0415

        return self._once("_spec", lambda: render_spec(self))

    def work(self) -> Work:
        """The estimated work of rendering this scene (`optimotion validate` prints
        it; `render` refuses a scene over the budget unless `--no-limits`)."""
        from ._work import estimate  # noqa: PLC0415

        r = self.render
        camera = r.camera.to_camera()
        starts = len(self.starts() or [None])
        auto = sum(o.auto_lr for o in self.optimizers)
        return estimate(
            tuned=auto * starts * self.tune.points * self.steps,
            frames=self.frames(),
            size=r.size,
            panels=len(r.views),
            moving="surface3d" in r.views and camera.moves,
            paths=len(self.starts() or [None]) * len(self.optimizers),
            steps=self.steps,
            trail=r.trail,
            dpi=r.dpi,
        )

    def summary(self) -> str:
        """One line: `6 optimizers x 1 start, 300 steps, 181 frames`."""
        n, k = len(self.optimizers), len(self.starts() or [None])
        particles = "" if self.ensemble is None else f" x {self.ensemble.n:,} particles"
        return (
            f"{n} optimizer{'s' * (n != 1)} x {k} start{'s' * (k != 1)}{particles}, "
            f"{self.steps:,} steps, {self.frames():,} frames"
        )

    def _check_frames(self) -> None:
        r = self.render
        total = self.frames()
        if total > MAX_FRAMES:
            field = "steps_per_frame" if r.steps_per_frame else "duration"
            fail(
                f"{total:,} frames (motion plus hold) is over the limit of "
                f"{MAX_FRAMES:,}; shorten duration or hold, lower fps, or raise "
                "steps_per_frame",
                "render",
                field,
            )

    def starts(self) -> list[tuple[float, float]] | None:
        """The start points, or None for the surface's default start."""
        if self.start is None:
            return None
        return list(self.start) if isinstance(self.start, list) else [self.start]

    def window(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The surface's plotting window."""
        if isinstance(self.surface, ExpressionSurface):
            return self.surface.window.to_tuple()
        return surfaces.get(self.surface).window

    def labels(self) -> list[str]:
        """Each optimizer's legend label: its `label`, else its nice name, numbered
        (`SGD #1`, `SGD #2`) where several entries would share it."""
        unlabeled = [None if o.label else nice_name(o.name) for o in self.optimizers]
        labels = [
            o.label
            or (f"{n} #{unlabeled[: i + 1].count(n)}" if unlabeled.count(n) > 1 else n)
            for i, (o, n) in enumerate(zip(self.optimizers, unlabeled, strict=True))
        ]
        for i, label in enumerate(labels):
            if label in labels[:i]:
                first = labels.index(label)
                fail(
                    f"label '{label}' is already used by optimizers[{first}]; "
                    "labels must differ",
                    "optimizers",
                    i,
                    "label",
                )
        return labels

    def build(self) -> BuiltScene:
        """The surface, optimizers and `RenderSpec` this scene describes."""
        from ._build import build  # noqa: PLC0415

        return build(self)
