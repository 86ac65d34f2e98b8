"""An estimate of a scene's work, made at validation: `optimotion validate` prints
it, and `render` refuses a scene over `BUDGET_SECONDS` unless `--no-limits`.

The estimate is a rough model of the time on one core, calibrated on this
project's renders: a blitted frame costs per pixel (drawing the moving artists,
encoding), a moving 3-D camera redraws the whole figure each frame, each frame
draws every visible trail point, and the race costs per step and path.
"""

from __future__ import annotations

from typing import NamedTuple

BUDGET_SECONDS = 20 * 60
"""Most estimated seconds of work a scene may ask for without `--no-limits`."""

PIXEL_SECONDS = 2e-8
"""Per pixel of a blitted frame (restore the background, draw, encode)."""
REDRAW_SECONDS = 1.2e-6
"""Per pixel of a frame fully redrawn (a moving 3-D camera; measured ~19 s a frame
at 3840x3840 px, 600 dpi, four views)."""
POINT_SECONDS = 1e-7
"""Per trail point drawn in one frame."""
STEP_SECONDS = 2e-6
"""Per optimizer step and path of the race (tracing and compiling aside)."""
FIXED_SECONDS = 3.0
"""Imports, compiling the race, the static background."""


class Work(NamedTuple):
    """What a scene asks for, and the estimated seconds it takes.

    Attributes:
        frames: frames written (motion plus hold).
        pixels: pixels per frame.
        panels: views drawn side by side.
        moving: whether a moving 3-D camera redraws every frame.
        paths: paths raced (start points times optimizers).
        steps: optimizer steps per path.
        trail: trail points drawn per path per frame, at most.
        seconds: the estimate.
        tuned: optimizer steps of the `lr: auto` search (paths tuned x grid
            points x steps).
    """

    frames: int
    pixels: int
    panels: int
    moving: bool
    paths: int
    steps: int
    trail: int
    seconds: float
    tuned: int = 0

    def problem(self, budget: float = BUDGET_SECONDS) -> str | None:
        """Why this is too much work for `budget` seconds, or None."""
        if self.seconds <= budget:
            return None
        return (
            f"the estimated work is {_duration(self.seconds)} ({self.describe()}), "
            f"over the budget of {_duration(budget)}; lower size, dpi, fps, "
            "duration, steps or the number of paths"
        )

    def describe(self) -> str:
        """`150 frames x 0.48 Mpx x 1 panel; 6 paths x 300 steps`."""
        camera = ", moving 3-D camera" if self.moving else ""
        return (
            f"{self.frames:,} frames x {self.pixels / 1e6:.2g} Mpx x {self.panels} "
            f"panel{'s' * (self.panels != 1)}{camera}; {self.paths} "
            f"path{'s' * (self.paths != 1)} x {self.steps:,} steps"
            + (f"; lr: auto runs {self.tuned:,} steps" if self.tuned else "")
        )

    def __str__(self) -> str:
        return f"about {_duration(self.seconds)} of work"


def estimate(
    *,
    frames: int,
    size: tuple[int, int],
    panels: int,
    moving: bool,
    paths: int,
    steps: int,
    trail: int | None,
    dpi: int = 100,
    tuned: int = 0,
) -> Work:
    """The `Work` of a render with these numbers (see the module's model)."""
    pixels = int(size[0]) * int(size[1])
    shown = min(trail or steps, steps) + 1
    # Text and lines are sized in points: at a high dpi they cover more pixels.
    ink = max(1.0, dpi / 100.0) ** 0.5
    per_frame = pixels * PIXEL_SECONDS * (1 + 0.25 * (panels - 1)) * ink
    if moving:
        per_frame += pixels * REDRAW_SECONDS
    # Trails grow from nothing to `shown` points: half of it on average.
    per_frame += paths * (shown / 2) * POINT_SECONDS * min(panels, 2)
    seconds = FIXED_SECONDS + frames * per_frame
    seconds += (paths * steps + tuned) * STEP_SECONDS
    return Work(frames, pixels, panels, moving, paths, steps, shown, seconds, tuned)


def _duration(seconds: float) -> str:
    """`4 s`, `12 min`, `15 h`."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
