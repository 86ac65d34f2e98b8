"""The `render:` section of a scene: the settings of `optimotion.render.RenderSpec`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Literal

import pydantic
from pydantic import Field

from ..render import (
    LOSS_SCALES,
    MARKERS,
    THEMES,
    VIEWS,
    Camera,
    RenderSpec,
    output_problem,
    scene_output_problem,
)
from ._base import MAX_SIDE, MAX_STEPS, MIN_SIDE, Flag, Model, Number, Whole, fail
from ._optimizer_schema import _factory_error

_DEFAULT = {f.name: f.default for f in dataclasses.fields(RenderSpec)}
_CAMERA = {f.name: f.default for f in dataclasses.fields(Camera)}


View = Literal[VIEWS]
Theme = Literal[THEMES]
Markers = Literal[MARKERS]
LossScale = Literal[LOSS_SCALES]


class Keyframe(Model):
    """One camera keyframe; the view is interpolated linearly between keyframes."""

    at: Annotated[Number, Field(ge=0, le=1)] = Field(
        description="Where in the motion, as a fraction from 0 (start) to 1 (end)."
    )
    elev: Number = Field(description="Camera elevation in degrees.")
    azim: Number = Field(description="Camera azimuth in degrees.")


class CameraSettings(Model):
    """The camera of the `surface3d` view: fixed, orbiting, or keyframed."""

    elev: Number = Field(_CAMERA["elev"], description="Elevation in degrees.")
    azim: Number = Field(_CAMERA["azim"], description="Azimuth in degrees.")
    orbit: Flag = Field(
        _CAMERA["orbit"],
        description="Turn the camera slowly around the surface during the motion "
        "(slower to render: every frame is redrawn).",
    )
    keyframes: list[Keyframe] = Field(
        [],
        max_length=32,
        description="Camera path as `{at, elev, azim}` keyframes with increasing "
        "`at`; overrides `elev`, `azim` and `orbit`.",
    )

    @pydantic.model_validator(mode="after")
    def _increasing(self) -> CameraSettings:
        for i in range(1, len(self.keyframes)):
            before, now = self.keyframes[i - 1].at, self.keyframes[i].at
            if now <= before:
                fail(
                    f"must be > {before:g}, the keyframe before it, got {now:g}",
                    "keyframes",
                    i,
                    "at",
                )
        return self

    def to_camera(self) -> Camera:
        return Camera(
            elev=self.elev,
            azim=self.azim,
            orbit=self.orbit,
            keyframes=tuple((k.at, k.elev, k.azim) for k in self.keyframes),
        )


class RenderSettings(Model):
    """How the animation looks and where it is written."""

    views: list[View] = Field(
        list(_DEFAULT["views"]),
        min_length=1,
        max_length=len(VIEWS),
        description="Panels side by side, all advancing together: `contour` (trails "
        "on filled contours), `surface3d` (trails on the shaded surface), `loss` "
        "(loss against step), `speed` (step length against step), and with an "
        "`ensemble:` section `cloud` (the particles on the contours), "
        "`distribution` (histogram of log distance from the center) and "
        "`survival` (fraction not yet escaped).",
    )
    layout: tuple[Whole, Whole] | None = Field(
        None,
        description="`[rows, cols]` grid for the panels (default: one row).",
    )
    size: tuple[Whole, Whole] = Field(
        _DEFAULT["size"],
        description=f"`[width, height]` of the frames in pixels, each in "
        f"[{MIN_SIDE}, {MAX_SIDE}].",
    )
    dpi: Annotated[Whole, Field(ge=20, le=600)] = Field(
        _DEFAULT["dpi"],
        description="Dots per inch: text is sized in points, so a larger dpi makes "
        "text and lines larger at the same pixel size.",
    )
    fps: Annotated[Whole, Field(ge=1, le=120)] = Field(
        _DEFAULT["fps"], description="Frames per second."
    )
    duration: Annotated[Number, Field(gt=0, le=3600)] | None = Field(
        None,
        description="Seconds of motion (default 5); exclusive with `steps_per_frame`.",
    )
    steps_per_frame: Annotated[Whole, Field(ge=1, le=MAX_STEPS)] | None = Field(
        None,
        description="Optimizer steps advanced per frame; exclusive with `duration`.",
    )
    hold: Annotated[Number, Field(ge=0, le=600)] = Field(
        _DEFAULT["hold"], description="Seconds the last frame is held."
    )
    trail: Annotated[Whole, Field(ge=1, le=MAX_STEPS)] | None = Field(
        None, description="Visible tail of each path in steps (default: all of it)."
    )
    fade: Flag = Field(_DEFAULT["fade"], description="Trails fade towards their tail.")
    log_time: Flag | Literal["auto"] = Field(
        _DEFAULT["log_time"],
        description="Spend more frames on early steps: one step a frame at first, "
        "then geometrically faster. `auto`: when the paths cover, on average, half "
        "their length in the first 10 % of the steps.",
    )
    markers: Markers = Field(
        _DEFAULT["markers"],
        description="Critical points marked on the contour view: `all`, `minima`, "
        "`none`, or `auto`: all up to 24, else the global minima and the points "
        "nearest to the paths.",
    )
    loss_scale: LossScale = Field(
        _DEFAULT["loss_scale"],
        description="The loss panel's y axis: `linear`, `log` (of f - f* when the "
        "minimum f* is known), `symlog`, or `auto`: chosen from the data.",
    )
    theme: Theme = Field(_DEFAULT["theme"], description="`light` or `dark`.")
    step_counter: Flag = Field(
        _DEFAULT["step_counter"], description="Show 'step t / T' at the top right."
    )
    arrows: Flag = Field(
        _DEFAULT["arrows"],
        description="Contour view: draw -∇f and each optimizer's next step at its "
        "head.",
    )
    camera: CameraSettings = Field(
        CameraSettings(), description="The 3-D camera of the `surface3d` view."
    )
    output: str | None = Field(
        None,
        min_length=1,
        description="Output file, relative to the current directory; the format "
        "follows the extension: .gif, .mp4, .webm (animations), .png, .svg, .pdf "
        "(a still of the last frame), .html (a self-contained browser player), or a "
        "folder ending in '/' for PNG frames. "
        "Default: the scene file's name with .mp4. "
        "`optimotion render -o` overrides it.",
    )

    @pydantic.field_validator("views")
    @classmethod
    def _distinct(cls, views: list[str]) -> list[str]:
        for i, view in enumerate(views):
            if view in views[:i]:
                fail(f"'{view}' is listed twice", i)
        return views

    @pydantic.field_validator("log_time", mode="before")
    @classmethod
    def _log_time(cls, value: object) -> object:
        if not (isinstance(value, bool) or value == "auto"):
            fail(f"expected true, false or 'auto', got {value!r}")
        return value

    @pydantic.field_validator("size")
    @classmethod
    def _size(cls, size: tuple[int, int]) -> tuple[int, int]:
        for i, (side, value) in enumerate(zip(("width", "height"), size, strict=True)):
            if not MIN_SIDE <= value <= MAX_SIDE:
                fail(
                    f"{side} must be in [{MIN_SIDE}, {MAX_SIDE}] pixels, got {value}", i
                )
        return size

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> RenderSettings:
        if self.duration is not None and self.steps_per_frame is not None:
            fail("give either duration or steps_per_frame, not both", "steps_per_frame")
        if self.layout is not None:
            rows, cols = self.layout
            n = len(self.views)
            if rows < 1 or cols < 1 or rows * cols < n:
                fail(
                    f"{rows}x{cols} grid has {max(rows * cols, 0)} cells for {n} views",
                    "layout",
                )
            if (rows - 1) * cols >= n or (cols - 1) * rows >= n:
                fail(
                    f"{rows}x{cols} grid leaves an empty row or column for {n} "
                    f"view{'s' * (n != 1)}",
                    "layout",
                )
        try:  # whatever else `RenderSpec` rejects is reported here, at its field
            spec = self._once("_checked", lambda: self.to_spec(None, {}))
        except (ValueError, TypeError) as error:
            _factory_error(error, "RenderSpec", type(self).model_fields)
        if self.output is not None:
            message = scene_output_problem(self.output)
            if message:
                fail(message, "output")
            problem = output_problem(self.output, spec)  # the format's own limits
            if problem:
                fail(problem[1], problem[0])
        return self

    def checked_spec(self) -> RenderSpec:
        """The `RenderSpec` these settings were validated with (no title,
        colours or notes): what the scene's frame count reads, so that it makes
        no other."""
        return self._once("_checked", lambda: self.to_spec(None, {}))

    def to_spec(
        self,
        title: str | None,
        colors: Mapping[str, str],
        notes: Mapping[str, str] | None = None,
    ) -> RenderSpec:
        """The `RenderSpec` of these settings (`Scene.spec()` adds the scene's
        title, colours and legend notes)."""
        return RenderSpec(
            views=tuple(self.views),
            size=self.size,
            fps=self.fps,
            duration=self.duration,
            steps_per_frame=self.steps_per_frame,
            hold=self.hold,
            trail=self.trail,
            fade=self.fade,
            log_time=self.log_time,
            markers=self.markers,
            loss_scale=self.loss_scale,
            theme=self.theme,
            title=title,
            step_counter=self.step_counter,
            arrows=self.arrows,
            camera=self.camera.to_camera(),
            colors=dict(colors) or None,
            layout=self.layout,
            dpi=self.dpi,
            notes=notes,
        )
