"""`explore`: open a scene (or a surface with optimizers) in the explorer."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._explorer import Explorer
from ._inputs import SceneLike

if TYPE_CHECKING:  # pragma: no cover
    from ..optimizers import Optimizer
    from ..render import RenderSpec
    from ..surfaces import Surface


def explore(
    what: SceneLike | Surface,
    optimizers: Mapping[str, Optimizer] | None = None,
    start: tuple[float, float] | None = None,
    steps: int | None = None,
    *,
    seed: int = 0,
    sigma: float = 0.0,
    spec: RenderSpec | None = None,
    max_steps: int | None = None,
    overrides: Sequence[str] = (),
) -> Explorer:
    """Open a race in an interactive matplotlib figure.

    Click the contour view to restart every optimizer from that point; drag the
    sliders (each learning rate on a log scale, the noise level, the steps); keys:
    space play/pause, left/right one step, r replay, l log time, s save a PNG and a
    scene YAML that `optimotion render` reproduces; click a legend entry to hide or
    show that optimizer. Nothing recompiles after the first computation.

    In a script call `.show()`; in Jupyter use `%matplotlib widget` (ipympl) and
    the figure appears inline.

    Args:
        what: a scene (a YAML path, `Scene` or `BuiltScene`; its first start point
            is used), or a `Surface` with `optimizers`.
        optimizers: `{label: Optimizer}` (with a surface).
        start: the start point (default: the scene's, else the surface's).
        steps: the steps shown (default: the scene's, else 200).
        seed: the noise seed (scenes bring their own).
        sigma: the initial Gaussian gradient-noise level (scenes bring their own).
        spec: the look (theme, colours, fps); default: the scene's.
        max_steps: the steps computed each time (default: twice `steps`); the
            steps slider ranges up to it.
        overrides: `KEY=VALUE` patches for a scene file, as `--set` (with a path).

    Returns:
        The `Explorer`.

    Raises:
        SceneError: a scene file with problems.
        TypeError: `what` is neither a scene nor a surface with optimizers.
    """
    from ..scene import BuiltScene, Scene, keep_exact, load_scene
    from ..surfaces import Surface

    source = None
    scene_dict = None
    if isinstance(what, str | os.PathLike):
        source, what = what, load_scene(what, overrides)
    if isinstance(what, Scene):
        scene_dict = keep_exact(
            what, what.model_dump(mode="json", exclude_defaults=True)
        )  # `noise: null` entries (exact gradients) stay in a saved scene
        what = what.build()
    if isinstance(what, BuiltScene):
        if optimizers is not None:
            raise TypeError("`explore`: a scene brings its own optimizers")
        first = what.starts[0]
        if spec is None:  # colours are keyed by path label: take the first start's
            given = what.spec.colors or {}
            colors = {
                label: given[path]
                for path, label, at in what.entries()
                if at == first and path in given
            }
            spec = dataclasses.replace(what.spec, colors=colors or None)
        level = _sigma_of(what.noise)
        return Explorer(
            what.surface, what.optimizers, start or first, steps or what.steps,
            seed=what.seed, sigma=sigma if level is None else level,
            spec=spec, max_steps=max_steps, scene=scene_dict, source=source,
            noise=what.noise, own_noise=what.own_noise,
        )  # fmt: skip
    if not isinstance(what, Surface) or optimizers is None:
        raise TypeError(
            "`explore`: expected a scene (a YAML path, Scene or BuiltScene) or a "
            f"Surface with {{label: Optimizer}}, got {what!r} of type {type(what)}"
        )
    return Explorer(
        what, optimizers, start or what.start, steps or 200, seed=seed, sigma=sigma,
        spec=spec, max_steps=max_steps,
    )  # fmt: skip


def _sigma_of(estimator: Any) -> float | None:
    """The number `sigma` of an estimator (or of a chain's first part with one)
    that the explorer's slider drives; None if it has none."""
    for part in getattr(estimator, "estimators", (estimator,)):
        if isinstance(getattr(part, "sigma", None), int | float):
            return float(part.sigma)
    return None
