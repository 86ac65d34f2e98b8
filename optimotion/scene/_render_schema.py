"""The `render:` section of a scene: the settings of `optimotion.render.RenderSpec`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import pydantic
from pydantic import Field

from ..render import (
    LOSS_SCALES,
    MARKERS,
    SETTINGS,
    THEMES,
    VIEWS,
    Camera,
    RenderSpec,
    output_problem,
    scene_output_problem,
)
from ._base import Flag, Model, Number, Whole, fail
from ._optimizer_schema import _factory_error

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


class _RenderBase(Model):
    """How the animation looks and where it is written.

    The settings are `optimotion.render.SETTINGS` (their defaults, ranges and
    descriptions), each with its YAML type (`_TYPES`), plus `output`.
    """

    @pydantic.field_validator("log_time", mode="before", check_fields=False)
    @classmethod
    def _log_time(cls, value: object) -> object:
        if not (isinstance(value, bool) or value == "auto"):
            fail(f"expected true, false or 'auto', got {value!r}")
        return value

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> _RenderBase:
        try:  # whatever else `RenderSpec` rejects is reported here, at its field
            spec = self.checked_spec()
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
        settings = {name: getattr(self, name) for name in _TYPES}
        settings["camera"] = self.camera.to_camera()
        return RenderSpec(
            **settings, title=title, colors=dict(colors) or None, notes=notes
        )


_Side = Annotated[Whole, Field(ge=SETTINGS["size"].low, le=SETTINGS["size"].high)]
_TYPES: dict[str, Any] = {  # each setting's YAML type; ranges and docs from SETTINGS
    "views": list[View],
    "layout": tuple[Whole, Whole] | None,
    "size": tuple[_Side, _Side],
    "dpi": Whole,
    "fps": Whole,
    "duration": Number | None,
    "steps_per_frame": Whole | None,
    "hold": Number,
    "trail": Whole | None,
    "fade": Flag,
    "log_time": Flag | Literal["auto"],
    "markers": Markers,
    "loss_scale": LossScale,
    "theme": Theme,
    "step_counter": Flag,
    "arrows": Flag,
    "camera": CameraSettings,
}
if set(_TYPES) != {n for n, s in SETTINGS.items() if s.scene}:  # pragma: no cover
    raise ImportError("`_TYPES` must give a YAML type to each scene render setting")


_OUTPUT = (
    str | None,
    Field(
        None,
        min_length=1,
        description="Output file, relative to the current directory; the format "
        "follows the extension: .gif, .mp4, .webm (animations), .png, .svg, .pdf "
        "(a still of the last frame), .html (a self-contained browser player), or a "
        "folder ending in '/' for PNG frames. "
        "Default: the scene file's name with .mp4. "
        "`optimotion render -o` overrides it.",
    ),
)


def _field(name: str) -> Any:
    """`(type, Field)` of the setting `name`: default, range and description from
    `optimotion.render.SETTINGS`."""
    setting = SETTINGS[name]
    bounds = {"ge": setting.low, "le": setting.high, "gt": setting.above}
    extra: dict[str, Any] = {k: v for k, v in bounds.items() if v is not None}
    default = setting.default
    if name == "size":
        extra = {}  # on each side, in `_Side`
    elif name == "views":
        default = list(default)
        extra.update(min_length=1, max_length=len(VIEWS))
    elif name == "camera":
        default = CameraSettings()
    return _TYPES[name], Field(default, description=setting.doc, **extra)


RenderSettings = pydantic.create_model(
    "RenderSettings",
    __base__=_RenderBase,
    __doc__=_RenderBase.__doc__,
    __module__=__name__,
    **{name: _field(name) for name in SETTINGS if name in _TYPES},
    output=_OUTPUT,
)
