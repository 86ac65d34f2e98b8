"""`RenderSpec` and `Camera`: what to draw and how, checked eagerly; the frame plan."""

from __future__ import annotations

import dataclasses
import math
import textwrap
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from .._suggest import did_you_mean
from ._theme import THEMES as _THEMES

VIEW_DESCRIPTIONS = {
    "contour": "filled contours with critical points, trails and heads",
    "surface3d": "the shaded surface in 3-D with the trails lifted onto it",
    "loss": "loss against step, a cursor at the current step",
    "speed": "step length |x_t+1 - x_t| against step (slow-down near saddles)",
    "cloud": "ensembles: the kept particles as a moving scatter with thin trails",
    "distribution": "ensembles: histogram of log|x - center| per frame, theory line",
    "survival": "ensembles: fraction of particles not yet escaped against step",
}
"""Each view's one-line description (`optimotion list views`)."""

VIEWS = tuple(VIEW_DESCRIPTIONS)
"""The panels a render can show, in any combination (the last three draw
ensembles)."""

THEMES = tuple(sorted(_THEMES))
"""The colour themes: `dark` and `light`."""

MARKERS = ("auto", "all", "minima", "none")
"""The `markers` settings: which critical points the contour view marks."""

LOSS_SCALES = ("auto", "linear", "log", "symlog")
"""The `loss_scale` settings of the loss panel's y axis (`loss_scale`)."""

ORBIT_DEGREES = 120.0
"""How far an orbiting camera turns in azimuth over the motion frames."""

_DEFAULT_DURATION = 5.0


def _suggest(value: object, allowed: tuple[str, ...]) -> str:
    return did_you_mean(str(value), allowed)


def _fail(field: str, message: str) -> ValueError:
    return ValueError(f"`RenderSpec`: {field} {message}")


@dataclasses.dataclass(frozen=True)
class Camera:
    """The 3-D camera of the `surface3d` view.

    Attributes:
        elev: elevation in degrees.
        azim: azimuth in degrees.
        orbit: turn the camera slowly (by `ORBIT_DEGREES` of azimuth) over the
            motion; the held last frame keeps the final view.
        keyframes: `((fraction, elev, azim), ...)` with fractions in [0, 1] of the
            motion, increasing; the view is interpolated linearly between them and
            held outside them. Overrides `orbit`.
    """

    elev: float = 30.0
    azim: float = -60.0
    orbit: bool = False
    keyframes: tuple[tuple[float, float, float], ...] = ()

    def __post_init__(self) -> None:
        for name in ("elev", "azim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(
                    f"`Camera`: {name} must be a number, got {value!r} of type "
                    f"{type(value)}"
                )
            if not math.isfinite(value):
                raise ValueError(f"`Camera`: {name} must be finite, got {value!r}")
        keys = tuple(tuple(float(v) for v in k) for k in self.keyframes)
        for i, key in enumerate(keys):
            if len(key) != 3 or not all(math.isfinite(v) for v in key):
                raise ValueError(
                    f"`Camera`: keyframes[{i}] must be (fraction, elev, azim), got "
                    f"{self.keyframes[i]!r}"
                )
            if not 0.0 <= key[0] <= 1.0:
                raise ValueError(
                    f"`Camera`: keyframes[{i}] fraction must be in [0, 1], got "
                    f"{key[0]!r}"
                )
            if i and key[0] <= keys[i - 1][0]:
                raise ValueError(
                    f"`Camera`: keyframes fractions must increase, got {key[0]!r} "
                    f"after {keys[i - 1][0]!r}"
                )
        object.__setattr__(self, "keyframes", keys)

    @property
    def moves(self) -> bool:
        """Whether the view changes during the animation."""
        if self.keyframes:
            return len({k[1:] for k in self.keyframes}) > 1
        return self.orbit

    def view(self, fraction: float) -> tuple[float, float]:
        """`(elev, azim)` at `fraction` in [0, 1] of the motion."""
        if self.keyframes:
            fracs = [k[0] for k in self.keyframes]
            elev = float(np.interp(fraction, fracs, [k[1] for k in self.keyframes]))
            azim = float(np.interp(fraction, fracs, [k[2] for k in self.keyframes]))
            return elev, azim
        if self.orbit:
            return self.elev, self.azim + ORBIT_DEGREES * fraction
        return self.elev, self.azim


MIN_SIDE, MAX_SIDE = 16, 3840
"""The accepted range of either side of `RenderSpec.size`, in pixels."""

MAX_STEPS_PER_FRAME = 100_000
"""Upper bound on `RenderSpec.steps_per_frame` and `RenderSpec.trail`."""


class Setting(NamedTuple):
    """One `RenderSpec` field as documented and checked: the one definition that
    `RenderSpec` checks against and the scene's `render:` section is made from.

    Attributes:
        default: the default value.
        doc: one-line description.
        kind: `int`, `number`, `flag`, `choice` (one of `choices`) or `other`
            (checked by `RenderSpec` itself).
        low, high: the accepted range, inclusive (None: unbounded).
        above: an exclusive lower bound, in place of `low`.
        choices: the accepted values of a `choice`, or of each of `views`.
        unit: appended to the range in messages (`s`, `pixels`).
        scene: whether a scene's `render:` section sets it (`title`, `colors` and
            `notes` come from elsewhere in a scene).
    """

    default: object
    doc: str
    kind: str = "other"
    low: float | None = None
    high: float | None = None
    above: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str = ""
    scene: bool = True

    def range_text(self) -> str:
        """`[low, high] unit`, or `(above, high]`."""
        low = (
            f"({_text(self.above)}" if self.above is not None else f"[{_text(self.low)}"
        )
        high = "inf)" if self.high is None else f"{_text(self.high)}]"
        return f"{low}, {high}" + (f" {self.unit}" if self.unit else "")

    def problem(self, value: object) -> str | None:
        """Why `value` is refused, or None; `other` settings are checked by
        `RenderSpec` itself."""
        if value is None and self.default is None:
            return None
        if self.kind == "choice":
            if value in self.choices:
                return None
            return (
                f"must be one of {self.choices}, got {value!r}"
                f"{_suggest(value, self.choices)}"
            )
        if self.kind == "flag":
            if isinstance(value, bool | np.bool_):
                return None
            return f"must be True or False, got {value!r}"
        if self.kind not in ("int", "number"):
            return None
        number = _is_int(value) if self.kind == "int" else _is_number(value)
        if (
            number
            and (self.low is None or value >= self.low)
            and (self.above is None or value > self.above)
            and (self.high is None or value <= self.high)
        ):
            return None
        what = "an integer" if self.kind == "int" else "a number"
        optional = " or None" if self.default is None else ""
        return f"must be {what} in {self.range_text()}{optional}, got {value!r}"


def _text(bound: float) -> str:
    if float(bound).is_integer():
        return f"{int(bound):,}" if abs(bound) >= 10_000 else f"{int(bound)}"
    return f"{bound:g}"


def _views_doc() -> str:
    described = ", ".join(f"`{v}` ({text})" for v, text in VIEW_DESCRIPTIONS.items())
    return f"Panels side by side, all advancing together: {described}."


SETTINGS: dict[str, Setting] = {
    "views": Setting(("contour",), _views_doc(), choices=VIEWS),
    "layout": Setting(None, "`[rows, cols]` grid of the panels (default: one row)."),
    "size": Setting(
        (800, 600),
        f"`[width, height]` of the frames in pixels, each in [{MIN_SIDE}, {MAX_SIDE}].",
        low=MIN_SIDE,
        high=MAX_SIDE,
        unit="pixels",
    ),
    "dpi": Setting(
        100,
        "Dots per inch: text and lines are sized in points, so a larger dpi makes "
        "them larger at the same pixel size.",
        "int",
        low=20,
        high=600,
    ),
    "fps": Setting(30, "Frames per second.", "int", low=1, high=120),
    "duration": Setting(
        None,
        f"Seconds of motion (default {_DEFAULT_DURATION:g}); exclusive with "
        "`steps_per_frame`.",
        "number",
        above=0,
        high=3600,
        unit="s",
    ),
    "steps_per_frame": Setting(
        None,
        "Optimizer steps advanced per frame; exclusive with `duration`.",
        "int",
        low=1,
        high=MAX_STEPS_PER_FRAME,
    ),
    "hold": Setting(
        1.0, "Seconds the last frame is held.", "number", low=0, high=600, unit="s"
    ),
    "trail": Setting(
        None,
        "Visible tail of each path in steps (default: all of it).",
        "int",
        low=1,
        high=MAX_STEPS_PER_FRAME,
    ),
    "fade": Setting(False, "Trails fade towards their tail.", "flag"),
    "log_time": Setting(
        "auto",
        "Spend more frames on early steps: one step a frame at first, then "
        "geometrically faster (`frame_plan`). `auto`: when the paths cover, on "
        "average, half their length in the first 10 % of the steps (`moves_early`).",
    ),
    "markers": Setting(
        "auto",
        "Critical points marked on the contour view: `all`, `minima`, `none`, or "
        "`auto`: all up to 24, else the global minima and the points nearest to the "
        "paths (`marked_points`).",
        "choice",
        choices=MARKERS,
    ),
    "loss_scale": Setting(
        "auto",
        "The loss panel's y axis: `linear`, `log` (of f - f* when the minimum f* is "
        "known, else of f), `symlog`, or `auto`: chosen from the data (`loss_scale`).",
        "choice",
        choices=LOSS_SCALES,
    ),
    "theme": Setting("light", "`light` or `dark`.", "choice", choices=THEMES),
    "step_counter": Setting(True, "Show 'step t / T' at the top right.", "flag"),
    "arrows": Setting(
        False,
        "Contour view: draw -∇f and each optimizer's next step at its head.",
        "flag",
    ),
    "camera": Setting(Camera(), "The 3-D camera of the `surface3d` view."),
    "title": Setting(None, "Figure title, or None.", scene=False),
    "colors": Setting(None, "`{label: colour}` overrides of the palette.", scene=False),
    "notes": Setting(
        None,
        "`{label: text}` added to a path's legend after its learning rate, e.g. the "
        'noise it had: `{"SGD": "batch 8"}` gives "SGD (lr=0.1, batch 8)".',
        scene=False,
    ),
}
"""Every `RenderSpec` field: default, description and accepted values, in the
order a scene's `render:` section lists them."""


def _default(name: str):
    return dataclasses.field(default=SETTINGS[name].default)


@dataclasses.dataclass(frozen=True)
class RenderSpec:
    """How to turn trajectories into frames.

    Every field is described, with its default and accepted values, in `SETTINGS`
    (the "Attributes" below are made from it); a scene's `render:` section is the
    same settings.
    """

    views: tuple[str, ...] = _default("views")
    size: tuple[int, int] = _default("size")
    fps: int = _default("fps")
    duration: float | None = _default("duration")
    steps_per_frame: int | None = _default("steps_per_frame")
    hold: float = _default("hold")
    trail: int | None = _default("trail")
    fade: bool = _default("fade")
    log_time: bool | str = _default("log_time")
    theme: str = _default("theme")
    title: str | None = _default("title")
    step_counter: bool = _default("step_counter")
    arrows: bool = _default("arrows")
    camera: Camera = _default("camera")
    colors: Mapping[str, str] | None = _default("colors")
    notes: Mapping[str, str] | None = _default("notes")
    layout: tuple[int, int] | None = _default("layout")
    dpi: int = _default("dpi")
    markers: str = _default("markers")
    loss_scale: str = _default("loss_scale")

    def __post_init__(self) -> None:
        views = (self.views,) if isinstance(self.views, str) else tuple(self.views)
        object.__setattr__(self, "views", views)
        if not views:
            raise _fail("views", f"must name at least one of {VIEWS}, got ()")
        for view in views:
            if view not in VIEWS:
                raise _fail(
                    "views",
                    f"has unknown view {view!r}; expected one of "
                    f"{tuple(sorted(VIEWS))}{_suggest(view, VIEWS)}",
                )
        for i, view in enumerate(views):
            if view in views[:i]:
                raise _fail("views", f"lists {view!r} twice")
        size, setting = tuple(self.size), SETTINGS["size"]
        if len(size) != 2 or not all(_is_int(v) for v in size):
            raise _fail("size", f"must be (width, height) in pixels, got {self.size!r}")
        if not all(setting.low <= v <= setting.high for v in size):
            raise _fail("size", f"must be in {setting.range_text()}, got {size!r}")
        object.__setattr__(self, "size", (int(size[0]), int(size[1])))
        if self.duration is not None and self.steps_per_frame is not None:
            raise _fail(
                "steps_per_frame",
                "must not be given with duration (give one of them), got "
                f"duration={self.duration!r}, steps_per_frame={self.steps_per_frame!r}",
            )
        for name, setting in SETTINGS.items():
            problem = setting.problem(getattr(self, name))
            if problem:
                raise _fail(name, problem)
        if not (isinstance(self.log_time, bool) or self.log_time == "auto"):
            raise _fail(
                "log_time", f"must be True, False or 'auto', got {self.log_time!r}"
            )
        if self.title is not None and not isinstance(self.title, str):
            raise TypeError(
                f"`RenderSpec`: title must be a str or None, got {self.title!r} of "
                f"type {type(self.title)}"
            )
        if not isinstance(self.camera, Camera):
            raise TypeError(
                f"`RenderSpec`: camera must be a Camera, got {self.camera!r} of type "
                f"{type(self.camera)}"
            )
        if self.colors is not None:
            object.__setattr__(self, "colors", dict(self.colors))
        if self.notes is not None:
            object.__setattr__(self, "notes", dict(self.notes))
        if self.layout is not None:
            layout = tuple(self.layout)
            if len(layout) != 2 or not all(_is_int(v) and v >= 1 for v in layout):
                raise _fail("layout", f"must be (rows, cols) >= 1, got {self.layout!r}")
            rows, cols = layout
            if rows * cols < len(views):
                raise _fail(
                    "layout",
                    f"{layout!r} has {rows * cols} cells for {len(views)} views "
                    f"{views!r}",
                )
            if (rows - 1) * cols >= len(views) or (cols - 1) * rows >= len(views):
                n = len(views)
                raise _fail(
                    "layout",
                    f"{layout!r} leaves an empty row or column for {n} "
                    f"view{'s' * (n != 1)}",
                )
            object.__setattr__(self, "layout", (int(layout[0]), int(layout[1])))

    @property
    def grid(self) -> tuple[int, int]:
        """`(rows, cols)` of the panel grid."""
        return self.layout or (1, len(self.views))


def _attributes_doc() -> str:
    lines = ["", "    Attributes:"]
    for name, setting in SETTINGS.items():
        lines += textwrap.wrap(
            f"{name}: {setting.doc}",
            width=84,
            initial_indent=" " * 8,
            subsequent_indent=" " * 12,
        )
    return "\n".join(lines) + "\n"


if {f.name for f in dataclasses.fields(RenderSpec)} != set(
    SETTINGS
):  # pragma: no cover
    raise ImportError(
        "`RenderSpec`'s fields and `SETTINGS` must name the same settings"
    )
RenderSpec.__doc__ = (RenderSpec.__doc__ or "").rstrip() + "\n" + _attributes_doc()


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


class FramePlan(NamedTuple):
    """Which optimizer step each frame shows.

    Attributes:
        steps: the step index shown by each motion frame, non-decreasing, from 0 to
            the last step.
        hold: how many extra frames repeat the last one.
    """

    steps: np.ndarray
    hold: int

    @property
    def total(self) -> int:
        """Frames in a video (motion plus hold)."""
        return len(self.steps) + self.hold


EARLY_STEPS = 0.1
"""`moves_early`: within this share of the steps, ..."""

EARLY_LENGTH = 0.5
"""... the paths cover at least this share of their length: log time pays."""


def moves_early(step_lengths) -> bool:
    """Whether most of the motion happens early, so that `log_time: auto` turns
    log time on: averaged over the paths, each path's cumulative length (finite
    steps only) at step `ceil(EARLY_STEPS * T)` is at least `EARLY_LENGTH` of its
    total. Paths that do not move are left out; with none left, False.

    Args:
        step_lengths: one (T_i,) array of step lengths per path.

    Examples:
        >>> moves_early([np.r_[np.ones(5), np.zeros(95)]])  # all in 5 of 100
        True
        >>> moves_early([np.ones(100)])  # steady: 10 % by step 10
        False
        >>> moves_early([np.r_[np.ones(10), np.zeros(90)], np.ones(100)])
        True
    """
    shares = []
    for lengths in step_lengths:
        lengths = np.asarray(lengths, dtype=np.float64)
        lengths = np.where(np.isfinite(lengths), lengths, 0.0)
        total = lengths.sum()
        if not total > 0:
            continue
        early = math.ceil(EARLY_STEPS * len(lengths))
        shares.append(lengths[:early].sum() / total)
    return bool(shares) and float(np.mean(shares)) >= EARLY_LENGTH


def frame_plan(spec: RenderSpec, n_steps: int, *, early: bool = False) -> FramePlan:
    """The frame clock: the step shown by each frame, from the timing settings.

    With `duration` (default 5 s), `n = max(2, round(duration * fps))` motion frames
    show steps `round(k * T / (n - 1))`, `k = 0..n-1`, for `T = n_steps`. With
    `steps_per_frame = s`, `n = ceil(T / s) + 1` frames show `min(k * s, T)`. With
    `log_time` (True, or `"auto"` and `early`, from `moves_early`; and
    `T >= n - 1`) frame k shows `max(round(expm1(u log1p(T))), k)`,
    `u = k / (n - 1)`: one step a frame at first, then geometrically faster.
    `hold` adds `round(hold * fps)` frames.

    Examples:
        >>> plan = frame_plan(RenderSpec(duration=0.2, fps=30, hold=0.1), 12)
        >>> plan.steps.tolist(), plan.hold, plan.total
        ([0, 2, 5, 7, 10, 12], 3, 9)
        >>> frame_plan(RenderSpec(steps_per_frame=5, hold=0), 12).steps.tolist()
        [0, 5, 10, 12]
        >>> spec = RenderSpec(duration=0.2, fps=30)  # log_time: auto
        >>> frame_plan(spec, 12, early=True).steps.tolist()
        [0, 1, 2, 4, 7, 12]
    """
    if n_steps < 0:
        raise ValueError(f"`frame_plan`: n_steps must be >= 0, got {n_steps!r}")
    if spec.steps_per_frame is not None:
        n = math.ceil(n_steps / spec.steps_per_frame) + 1
    else:
        duration = _DEFAULT_DURATION if spec.duration is None else spec.duration
        n = max(2, round(duration * spec.fps))
    if n_steps == 0:
        n = 1
    k = np.arange(n)
    u = k / max(n - 1, 1)
    log_time = early if spec.log_time == "auto" else spec.log_time
    if log_time is True and n_steps >= n - 1 and n > 1:
        steps = np.maximum(np.rint(np.expm1(u * np.log1p(n_steps))), k)
    elif spec.steps_per_frame is not None:
        steps = np.minimum(k * spec.steps_per_frame, n_steps)
    else:
        steps = np.rint(u * n_steps)
    steps = np.minimum(steps.astype(np.int64), n_steps)
    steps[-1] = n_steps
    return FramePlan(steps=steps, hold=round(spec.hold * spec.fps))


def gif_durations_ms(fps: int, n_frames: int, *, start: int = 0) -> list[int]:
    """GIF frame durations: multiples of 10 ms whose running sum tracks `k / fps`,
    for frames `start .. start + n_frames - 1`.

    GIF stores delays in hundredths of a second, so 30 fps (33.3 ms) cannot be
    stored as such; rounding the cumulative time instead of each delay gives
    30, 40, 30, 30, 40, 30, ... ms: exactly 30 frames a second on average.

    Examples:
        >>> gif_durations_ms(30, 6)
        [30, 40, 30, 30, 40, 30]
        >>> gif_durations_ms(25, 3)
        [40, 40, 40]
    """
    edges = [round(k * 100 / fps) * 10 for k in range(start, start + n_frames + 1)]
    return [b - a for a, b in zip(edges[:-1], edges[1:], strict=True)]
