"""The explorer's state, without a figure: the settings, the computed race and the
playback clock, and the transitions the explorer's events make.

Every recompute calls one compiled program: the start point, the learning rates,
the noise level and the seed are traced arguments of `optimotion.race`, and the
scan always runs `max_steps` (the steps setting shows a prefix), so after the
first compile nothing recompiles. This module imports no matplotlib: it can be
driven and tested alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scene import MAX_STEPS
from ._save import current_scene, scene_data

if TYPE_CHECKING:  # pragma: no cover
    from ..dynamics import Trajectory
    from ..optimizers import Optimizer
    from ..render import RenderSpec
    from ..surfaces import Surface


class ExplorerState:
    """The settings of an explored race, the race they give, and the step shown.

    Attributes:
        surface: the surface.
        base: `{label: Optimizer}` as given (the learning rates of `lrs` replace
            theirs).
        labels: the optimizers' labels, in legend order.
        start: the current start point `(x, y)`.
        steps: the steps shown, at most `max_steps`.
        max_steps: the steps computed by every recompute.
        lrs: `{label: lr}` (None for a scheduled learning rate, or 0: not set).
        sigma: the noise level σ: the `sigma` of `noise`, or of Gaussian gradient
            noise when `noise` is None.
        noise: the estimator σ drives (e.g. a scene's `noise:`), or None for
            Gaussian noise; one without a number `sigma` is left as it is.
        own_noise: `{label: estimator or None}` of optimizers with noise of their
            own, which σ leaves alone.
        seed: the noise seed.
        spec: the look (`RenderSpec`): its frame clock paces playback.
        scene: the scene dict the race came from (None: made in Python).
        hidden: labels hidden (by a legend click).
        t: the step shown.
        frame: the playback frame (an index into `plan()`).
        playing: whether playback advances `t`.
        log_time: whether playback spends more frames on early steps.
        full: `{label: Trajectory}` of `max_steps` updates.
        traces: `{label: Trajectory}` of `steps` updates: the prefix shown.
        recomputes: how many times the race was computed.

    Examples:
        >>> from optimotion import optimizers, surfaces
        >>> state = ExplorerState(
        ...     surfaces.get("double_well"), {"GD": optimizers.sgd(lr=0.1)},
        ...     start=(0.5, 1.0), steps=20,
        ... )
        >>> state.restart_from((-0.5, 1.0))
        >>> state.t, state.playing, state.recomputes
        (0, True, 2)
        >>> state.set_steps(5)  # a prefix of the 40 steps computed
        >>> state.traces["GD"].steps, state.t, state.playing, state.recomputes
        (5, 5, False, 2)
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
        noise: Any = None,
        own_noise: Mapping[str, Any] | None = None,
    ) -> None:
        from ..render import RenderSpec

        if not optimizers:
            raise ValueError("`explore`: needs at least one optimizer, got none")
        self.surface, self.base = surface, dict(optimizers)
        self.labels = list(self.base)
        self.lrs = {  # None: no learning rate to set (a schedule, or lr 0)
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
        if not 1 <= self.steps <= self.max_steps:
            raise ValueError(
                f"`explore`: steps must be in [1, max_steps={self.max_steps}], got "
                f"{self.steps}"
            )
        self.seed, self.sigma = int(seed), float(sigma)
        self.noise, self.own_noise = noise, dict(own_noise or {})
        self.spec = RenderSpec() if spec is None else spec
        self.scene = scene
        self.log_time = self.spec.log_time is True  # 'auto': off while exploring
        self.hidden: set[str] = set()
        self.t, self.frame, self.playing = self.steps, 0, False
        self.recomputes = 0
        self._plan: tuple[tuple[int, bool], np.ndarray] | None = None
        self.compute()

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

    def noises(self) -> dict[str, Any]:
        """`{label: estimator or None}`: the noise at σ for every optimizer
        without noise of its own (only σ changes: no recompile)."""
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

    def compute(self) -> None:
        """One call of the compiled race: always `max_steps`, always with a noise
        model (σ = 0 adds exact zeros), so the program never changes."""
        from ..dynamics import race

        self.full: dict[str, Trajectory] = race(
            self.surface, self.optimizers(), self.start, self.max_steps,
            seed=self.seed, noise=self.noises(),
        )  # fmt: skip
        self.recomputes += 1
        self._cut()

    def _cut(self) -> None:
        self.traces = {k: v.head(self.steps) for k, v in self.full.items()}

    # -- transitions ---------------------------------------------------------------

    def _show_all(self) -> None:
        """After new settings: paused on the whole path."""
        self.playing, self.t, self.frame = False, self.steps, 0

    def restart_from(self, xy: tuple[float, float]) -> None:
        """Restart every optimizer from `xy`, and replay from step 0."""
        self.start = (float(xy[0]), float(xy[1]))
        self.compute()
        self.replay()

    def set_lr(self, label: str, lr: float) -> None:
        """Set one optimizer's learning rate and recompute.

        Raises:
            ValueError: `label` has no numeric learning rate (`lrs` holds None).
        """
        if self.lrs.get(label) is None:
            raise ValueError(f"`explore`: {label!r} has no numeric learning rate")
        self.lrs[label] = float(lr)
        self.compute()
        self._show_all()

    def set_noise(self, sigma: float) -> None:
        """Set the gradient-noise level σ (negative: 0) and recompute."""
        self.sigma = max(0.0, float(sigma))
        self.compute()
        self._show_all()

    def set_steps(self, steps: int) -> None:
        """Show the first `steps` updates, clipped to [1, `max_steps`] (computed
        already: no recompute)."""
        self.steps = int(min(max(steps, 1), self.max_steps))
        self._cut()
        self._show_all()

    def toggle(self, label: str) -> None:
        """Hide or show one optimizer.

        Raises:
            ValueError: `label` is not one of `labels`.
        """
        if label not in self.labels:
            raise ValueError(
                f"`explore`: no optimizer {label!r}; the labels are {self.labels}"
            )
        self.hidden ^= {label}

    def plan(self) -> np.ndarray:
        """The step shown by each playback frame (`render`'s frame clock), made
        again only when the steps or the time mode change."""
        from ..render import frame_plan

        key = (self.steps, self.log_time)
        if self._plan is None or self._plan[0] != key:
            spec = dataclasses.replace(self.spec, log_time=self.log_time)
            self._plan = (key, frame_plan(spec, self.steps).steps)
        return self._plan[1]

    def replay(self) -> None:
        """From step 0, playing."""
        self.frame, self.t, self.playing = 0, 0, True

    def step(self, delta: int) -> None:
        """Pause and move `delta` steps (within 0 .. `steps`)."""
        self.playing = False
        self.t = int(min(max(self.t + delta, 0), self.steps))
        self.frame = int(np.searchsorted(self.plan(), self.t))

    def tick(self) -> bool:
        """One playback frame: advance `t` along `plan()`; returns whether it
        moved (at the last frame playback stops)."""
        if not self.playing:
            return False
        plan = self.plan()
        self.frame += 1
        if self.frame >= len(plan):
            self.playing = False
            return False
        self.t = int(plan[self.frame])
        return True

    def toggle_log_time(self) -> None:
        """Switch playback between linear and log time, at the same step."""
        self.log_time = not self.log_time
        self.frame = int(np.searchsorted(self.plan(), self.t))

    # -- saving ------------------------------------------------------------------

    def scene_dict(self) -> dict[str, Any]:
        """The current setup as a scene: a dict of YAML-ready values.

        Raises:
            ValueError: a setup made in Python that no scene can describe (see
                `scene_data`).
        """
        if self.scene is not None:
            base = self.scene
        else:
            base = scene_data(self.surface, self.base, self.spec.colors)
        return current_scene(
            base, self.labels, start=self.start, steps=self.steps, seed=self.seed,
            sigma=self.sigma, lrs=self.lrs, log_time=self.log_time,
        )  # fmt: skip


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
