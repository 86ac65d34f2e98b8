"""`render_scene`: a validated scene to a file, the one place that orchestrates
it (the CLI's `render`, `BuiltScene.render` and the gallery call it).

    scene ─┬─ the trajectory cache hits: its paths and surface grid ─┐
           └─ build, race (JAX) ‖ preload the surface (a thread) ────┴─ render

Each piece is made once: the `RenderSpec` (`Scene.spec()`), the optimizers (by
the scene's validation), the output check (here, or by the caller that passes
`fmt`), the frame plan (by the renderer). A render served by the cache builds no
surface or optimizer and imports no JAX.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from .. import _cache

if TYPE_CHECKING:  # pragma: no cover
    from ..render import OutputFormat
    from ._build import BuiltScene
    from ._schema import Scene


def render_scene(
    scene: Scene | None,
    output: str | os.PathLike,
    *,
    fmt: OutputFormat | None = None,
    built: BuiltScene | None = None,
    progress: bool | None = None,
    status: Callable[[str], object] | None = None,
    cache: bool = True,
    compilation_cache: bool = False,
) -> pathlib.Path:
    """Render a validated scene to `output`; returns the path.

    With `cache`, the trajectories (and the surface's grid) of a scene whose
    dynamics were rendered before come from the trajectory cache
    (`optimotion._cache`), and a new scene's are stored there. Otherwise the scene
    is built and raced, while a thread prepares what the figure needs of the
    surface (its grid and critical points, matplotlib's imports): XLA's compiler
    releases the GIL, so the two overlap.

    Args:
        scene: the validated `Scene` (None: only `built`, nothing cached).
        output: where to write; the extension picks the format.
        fmt: `output`'s format, when the caller has checked `output` already
            (`render.output_problem`, `render.destination_problem`, as the CLI
            does with its own messages); None: checked here, raising
            `render.OutputError`.
        built: the scene built already (`BuiltScene.render`), else built here
            when the cache cannot serve it.
        progress: a progress bar on stderr; None: only when stderr is a terminal.
        status: told each stage as it starts ("compiling and racing ...",
            "drawing").
        cache: use the trajectory cache (`OPTIMOTION_CACHE=off` also disables it).
        compilation_cache: also turn on JAX's persistent compilation cache in the
            cache folder, so changed dynamics of the same shape skip XLA's compile
            (the CLI's process only: it changes JAX's configuration).
    """
    from ..render import check_output, preload, render_to  # noqa: PLC0415

    spec = built.spec if built is not None else scene.spec()
    if fmt is None:
        fmt = check_output(output, spec)
        _check_destination(output)
    say = status or (lambda stage: None)
    ensemble = (built or scene).ensemble is not None
    digest = None
    if cache and scene is not None and not ensemble:
        digest = _cache.scene_key(scene)
    entry = None if digest is None else _cache.load(digest)
    if entry is not None and entry.surface is not None:
        say("drawing")
        return render_to(fmt, entry.traces, entry.surface, spec, output,
                         progress=progress)  # fmt: skip
    if compilation_cache and cache:
        _compilation_cache()
    if built is None:
        built = scene.build()
    with ThreadPoolExecutor(max_workers=1) as pool:
        static = pool.submit(preload, built.surface)
        if entry is not None:  # paths stored by `BuiltScene.race`, no surface yet
            traces = entry.traces
        else:
            say(_racing(built))
            traces = built.traces(cache=False)
        say("drawing")
        surface = static.result()
    if digest is not None:
        _cache.store(digest, traces, surface)
    # the Surface itself (its grid is cached): an ensemble's sample path evaluates f
    return render_to(fmt, traces, built.surface, spec, output, progress=progress)


def _check_destination(output: str | os.PathLike) -> None:
    from ..render import OutputError, destination_problem  # noqa: PLC0415

    problem = destination_problem(output)
    if problem:
        raise OutputError(f"`render`: output: {problem}")


def _racing(built: BuiltScene) -> str:
    if built.ensemble is None:
        paths = len(built.optimizers) * len(built.starts)
        return f"compiling and racing {paths} paths x {built.steps} steps"
    n = built.ensemble.n * len(built.optimizers)
    return f"compiling and running {n:,} particles x {built.steps} steps"


def _compilation_cache() -> None:
    """JAX's persistent compilation cache in the trajectory cache's folder, so a
    scene whose dynamics changed still skips XLA's compile when the program's
    shape did not."""
    base = _cache.folder()
    if base is None:
        return
    import jax  # noqa: PLC0415

    jax.config.update("jax_compilation_cache_dir", str(base / "xla"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
