"""What `plot`, `animate` and `explore` accept: a scene, or trajectories and a
surface; and the `RenderSpec` they draw with."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._suggest import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from .._trajectory import Trajectory
    from ..render import RenderSpec
    from ..scene import BuiltScene
    from ..surfaces import Surface

SceneLike = Any
"""A scene file path, a `Scene` (from `load_scene`) or a `BuiltScene`."""


def built_scene(api: str, scene: SceneLike) -> BuiltScene | None:
    """`scene` as a `BuiltScene`, or None if it is not a scene at all."""
    from ..scene import BuiltScene, Scene, load_scene

    if isinstance(scene, str | os.PathLike):
        scene = load_scene(scene)
    if isinstance(scene, Scene):
        scene = scene.build()
    return scene if isinstance(scene, BuiltScene) else None


def resolve(
    api: str,
    what: SceneLike | Mapping[str, Trajectory] | Trajectory,
    surface: Surface | None,
    spec: RenderSpec | None,
    changes: Mapping[str, Any],
) -> tuple[dict[str, Trajectory], Surface, RenderSpec]:
    """`(traces, surface, spec)` from a scene or from trajectories plus a surface.

    `spec` replaces the scene's (default: the scene's, else `RenderSpec()`);
    `changes` are then applied to it with `dataclasses.replace` (`fps=24`).
    """
    from .._trajectory import Trajectory
    from ..render import RenderSpec

    built = built_scene(api, what)
    if built is not None:
        if surface is not None:
            raise TypeError(
                f"`{api}`: a scene brings its own surface; got surface={surface!r} "
                "as well"
            )
        traces, surface = built.traces(), built.surface
        spec = built.spec if spec is None else spec
    else:
        if isinstance(what, Trajectory):
            what = {"path": what}
        if not isinstance(what, Mapping) or not all(
            isinstance(t, Trajectory) for t in what.values()
        ):
            raise TypeError(
                f"`{api}`: expected a scene (a YAML path, Scene or BuiltScene) or "
                f"{{label: Trajectory}} with a surface, got {what!r} of type "
                f"{type(what)}"
            )
        if surface is None:
            raise TypeError(
                f"`{api}`: trajectories need the surface they ran on: "
                f"`{api}(traces, surface)`"
            )
        traces = dict(what)
        spec = RenderSpec() if spec is None else spec
    if not isinstance(spec, RenderSpec):
        raise TypeError(
            f"`{api}`: spec must be a RenderSpec, got {spec!r} of type {type(spec)}"
        )
    if changes:
        fields = {f.name for f in dataclasses.fields(RenderSpec)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            hint = did_you_mean(unknown[0], fields)
            raise TypeError(
                f"`{api}`: unknown RenderSpec field {unknown[0]!r}; expected one of "
                f"{', '.join(sorted(fields))}{hint}"
            )
        spec = dataclasses.replace(spec, **changes)
    return traces, surface, spec
