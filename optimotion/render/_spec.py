"""`RenderSpec` and `Camera`: what to draw and how, checked eagerly; the frame plan."""

from __future__ import annotations

import dataclasses
import math
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

MAX_PIXELS = 4096
"""Upper bound on either side of `RenderSpec.size`."""

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


@dataclasses.dataclass(frozen=True)
class RenderSpec:
    """How to turn trajectories into frames.

    Attributes:
        views: panels to show, from `VIEWS`: `contour`, `surface3d`, `loss`,
            `speed`, and for ensembles `cloud`, `distribution`, `survival`.
        size: `(width, height)` of the frames in pixels.
        fps: frames per second.
        duration: seconds of motion; exactly one of `duration` and
            `steps_per_frame` may be given (neither: 5 seconds).
        steps_per_frame: optimizer steps advanced per frame.
        hold: seconds the last frame is held.
        trail: visible tail length in steps (None: the whole path).
        fade: trails fade towards their tail.
        log_time: spend more frames on early steps (one step a frame at first, then
            faster; see `frame_plan`): True, False, or `"auto"`: when the paths
            cover most of their length early (`moves_early`).
        theme: `light` or `dark`.
        title: figure title, or None.
        step_counter: show "step t / T" at the top right.
        arrows: draw the direction of −∇f and of the optimizer's next step at each
            head (contour view).
        camera: the 3-D camera.
        colors: `{label: colour}` overrides of the palette.
        notes: `{label: text}` added to a path's legend after its learning rate,
            e.g. the noise it had: `{"SGD": "batch 8"}` gives "SGD (lr=0.1, batch 8)".
        layout: `(rows, cols)` grid of panels (default: one row).
        dpi: dots per inch: text and lines are sized in points, so a larger dpi makes
            them larger at the same pixel size.
        markers: the critical points marked on the contour view: `all`, `minima`,
            `none`, or `auto` (all of them up to 24, else the global minima and
            the points nearest to the paths; see `marked_points`).
        loss_scale: the loss panel's y axis: `linear`, `log` (of f − f* when the
            surface's minimum f* is known, else of f), `symlog`, or `auto` (chosen
            from the data; see `loss_scale`).
    """

    views: tuple[str, ...] = ("contour",)
    size: tuple[int, int] = (800, 600)
    fps: int = 30
    duration: float | None = None
    steps_per_frame: int | None = None
    hold: float = 1.0
    trail: int | None = None
    fade: bool = False
    log_time: bool | str = "auto"
    theme: str = "light"
    title: str | None = None
    step_counter: bool = True
    arrows: bool = False
    camera: Camera = Camera()
    colors: Mapping[str, str] | None = None
    notes: Mapping[str, str] | None = None
    layout: tuple[int, int] | None = None
    dpi: int = 100
    markers: str = "auto"
    loss_scale: str = "auto"

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
        if len(set(views)) != len(views):
            raise _fail("views", f"must not repeat a view, got {views!r}")
        size = tuple(self.size)
        if len(size) != 2 or not all(_is_int(v) for v in size):
            raise _fail("size", f"must be (width, height) in pixels, got {self.size!r}")
        if not all(16 <= v <= MAX_PIXELS for v in size):
            raise _fail("size", f"must be in [16, {MAX_PIXELS}] pixels, got {size!r}")
        object.__setattr__(self, "size", (int(size[0]), int(size[1])))
        if not _is_int(self.fps) or not 1 <= self.fps <= 120:
            raise _fail("fps", f"must be an integer in [1, 120], got {self.fps!r}")
        if self.duration is not None and self.steps_per_frame is not None:
            raise _fail(
                "duration",
                "and steps_per_frame are exclusive: give one, got "
                f"duration={self.duration!r}, steps_per_frame={self.steps_per_frame!r}",
            )
        if self.duration is not None and not (
            _is_number(self.duration) and 0 < self.duration <= 3600
        ):
            raise _fail("duration", f"must be in (0, 3600] s, got {self.duration!r}")
        if self.steps_per_frame is not None and not (
            _is_int(self.steps_per_frame) and self.steps_per_frame >= 1
        ):
            raise _fail(
                "steps_per_frame",
                f"must be an integer >= 1, got {self.steps_per_frame!r}",
            )
        if not (_is_number(self.hold) and 0 <= self.hold <= 600):
            raise _fail("hold", f"must be in [0, 600] s, got {self.hold!r}")
        if self.trail is not None and not (_is_int(self.trail) and self.trail >= 1):
            raise _fail("trail", f"must be an integer >= 1 or None, got {self.trail!r}")
        if self.theme not in THEMES:
            raise _fail(
                "theme",
                f"must be one of {THEMES}, got {self.theme!r}"
                f"{_suggest(self.theme, THEMES)}",
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
            if layout[0] * layout[1] < len(views):
                raise _fail(
                    "layout",
                    f"{layout!r} has {layout[0] * layout[1]} cells for "
                    f"{len(views)} views {views!r}",
                )
            object.__setattr__(self, "layout", (int(layout[0]), int(layout[1])))
        if not (isinstance(self.log_time, bool) or self.log_time == "auto"):
            raise _fail(
                "log_time", f"must be True, False or 'auto', got {self.log_time!r}"
            )
        if self.loss_scale not in LOSS_SCALES:
            raise _fail(
                "loss_scale",
                f"must be one of {LOSS_SCALES}, got {self.loss_scale!r}"
                f"{_suggest(self.loss_scale, LOSS_SCALES)}",
            )
        if self.markers not in MARKERS:
            raise _fail(
                "markers",
                f"must be one of {MARKERS}, got {self.markers!r}"
                f"{_suggest(self.markers, MARKERS)}",
            )
        if not _is_int(self.dpi) or not 20 <= self.dpi <= 600:
            raise _fail("dpi", f"must be an integer in [20, 600], got {self.dpi!r}")

    @property
    def grid(self) -> tuple[int, int]:
        """`(rows, cols)` of the panel grid."""
        return self.layout or (1, len(self.views))


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
