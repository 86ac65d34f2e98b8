"""What the command line writes besides animations: starter scenes, exports, schema."""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_open
from ._base import MAX_SIDE, MIN_SIDE
from ._noise_schema import keep_exact

if TYPE_CHECKING:  # pragma: no cover
    from .._trajectory import Trajectory
    from ._build import BuiltScene
    from ._schema import Scene

SCHEMA_COMMENT = "# yaml-language-server: $schema=./scene.schema.json"
"""First line of the gallery files: editors (VS Code's YAML extension and others)
validate and autocomplete against the schema next to them."""

LOW_RES_WIDTH = 400
LOW_RES_FPS = 12


def write_scene(
    path: str | os.PathLike, data: Mapping[str, Any], note: str = ""
) -> None:
    """Write `data` as a scene file (atomically), `note` as a comment above it.

    The text is validated as `load_scene` will read it, so what is written loads
    back to the same `Scene`.

    Raises:
        SceneError: `data` is not a valid scene (nothing is written).
    """
    import yaml

    from ._load import parse_scene

    text = yaml.safe_dump(
        dict(data), sort_keys=False, default_flow_style=None, allow_unicode=True
    )
    parse_scene(text, source=os.fspath(path))
    header = "".join(f"# {line}\n" for line in note.splitlines())
    with atomic_open(path, encoding="utf-8") as f:
        f.write(header + text)


def schema_json() -> str:
    """The JSON Schema of scene files, as pretty JSON text."""
    from ._schema import Scene  # noqa: PLC0415

    return json.dumps(Scene.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def low_res(scene: Scene) -> Scene:
    """`scene` as a quick small render (`render --low-res`): at most
    `LOW_RES_WIDTH` pixels wide (dpi scaled alike, so the layout keeps its
    proportions), at most `LOW_RES_FPS` frames a second.

    A copy of the validated scene, not a second load or validation: the three
    fields keep their rules by construction (an even size inside [`MIN_SIDE`,
    `MAX_SIDE`], dpi in [20, the scene's], fps in [1, the scene's]), and fewer
    frames break no rule elsewhere.
    """
    size, dpi, fps = _low_res_settings(scene)
    render = scene.render.model_copy(update={"size": size, "dpi": dpi, "fps": fps})
    return scene.model_copy(update={"render": render})


def low_res_overrides(scene: Scene) -> list[str]:
    """`low_res(scene)`'s changes as `--set` overrides, to add to others."""
    (width, height), dpi, fps = _low_res_settings(scene)
    return [
        f"render.size=[{width}, {height}]",
        f"render.dpi={dpi}",
        f"render.fps={fps}",
    ]


def _low_res_settings(scene: Scene) -> tuple[tuple[int, int], int, int]:
    """`(size, dpi, fps)` of the low-resolution render of `scene`."""
    width, height = scene.render.size
    scale = min(1.0, LOW_RES_WIDTH / width)

    def side(v: int) -> int:
        return min(MAX_SIDE, max(MIN_SIDE, 2 * round(v * scale / 2)))

    dpi = max(20, round(scene.render.dpi * scale))
    fps = min(scene.render.fps, LOW_RES_FPS)
    return (side(width), side(height)), dpi, fps


def _number(value: float) -> str:
    """A short YAML number: 0.05, 1e-05, 3."""
    return f"{value:.3g}" if value != int(value) or abs(value) >= 1e6 else f"{value:g}"


def _starter_grid(surface: Any) -> str:
    """A `tune:` line when the default grid (1e-4 to 10) cannot hold a good rate
    for plain gradient descent: a step of `lr ∇f` at the start should span from
    1e-4 of the window to 10 windows, whole decades, eight rates a decade."""
    import jax  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    with jax.enable_x64(True):
        grad = np.asarray(jax.grad(surface.loss)(np.asarray(surface.start)))
    size = float(np.linalg.norm(grad))
    (x0, x1), (y0, y1) = surface.window
    if not math.isfinite(size) or size == 0:
        return ""
    reference = max(x1 - x0, y1 - y0) / size  # one step crosses the window
    low = min(-4, math.floor(math.log10(reference * 1e-4)))
    high = max(1, math.ceil(math.log10(reference * 10)))
    if (low, high) == (-4, 1):
        return ""
    return f"tune: {{min: 1e{low}, max: 1e{high}, points: {8 * (high - low) + 1}}}\n"


def starter_scene(name: str) -> str:
    """A scene file for surface `name` with its window's start, racing four classic
    optimizers whose learning rates `lr: auto` chooses (a fair race)."""
    from .. import surfaces  # noqa: PLC0415

    surface = surfaces.get(name)
    x, y = surface.start
    tune = _starter_grid(surface)
    return f"""\
{SCHEMA_COMMENT}
# A starter scene: edit it, then `optimotion render {name}.yaml`.
# Every field: `optimotion schema`; names: `optimotion list`. `lr: auto` picks
# each learning rate by a grid search before the race (`optimotion tune
# {name}.yaml` prints the table and can write the chosen numbers in).
title: Optimizers on the {surface.display_name} surface
surface: {name}   # {surface.formula}
start: [{_number(x)}, {_number(y)}]
steps: 300
seed: 0
optimizers:
  - {{name: sgd, lr: auto}}
  - {{name: momentum, lr: auto, momentum: 0.9}}
  - {{name: rmsprop, lr: auto}}
  - {{name: adam, lr: auto}}
{tune}render:
  views: [contour, loss]
  size: [960, 540]
  fps: 30
  duration: 6
  hold: 1
  theme: light
  output: {name}.mp4
"""


EXPORT_COLUMNS = ("path", "optimizer", "start_x", "start_y")


def export(
    scene: Scene,
    built: BuiltScene,
    paths: Mapping[str, Trajectory],
    output: str | os.PathLike,
) -> None:
    """Write `built.race()`'s trajectories to `output`.

    `.csv`: one row per path and step, the columns `EXPORT_COLUMNS` then
    `Trajectory.COLUMNS`, floats written exactly (repr). `.json`: the validated scene
    and, per path, its optimizer, start and `Trajectory.to_dict()`.
    """
    info = {
        path: (built.optimizers[label].name, start)
        for path, label, start in built.entries()
    }
    kind = os.path.splitext(os.fspath(output))[1].lower()
    first = next(iter(paths.values()))
    if kind == ".csv":

        def write(f: Any) -> None:
            writer = csv.writer(f)
            writer.writerow((*EXPORT_COLUMNS, *first.COLUMNS))
            for label, path in paths.items():
                name, start = info[label]
                head = (label, name, *(repr(float(v)) for v in start))
                writer.writerows((*head, *row) for row in path.csv_rows())

    elif kind == ".json":

        def write(f: Any) -> None:
            data = {
                "scene": keep_exact(
                    scene, scene.model_dump(mode="json", exclude_none=True)
                ),
                "paths": {
                    label: {
                        "optimizer": info[label][0],
                        "start": list(info[label][1]),
                        **path.to_dict(),
                    }
                    for label, path in paths.items()
                },
            }
            json.dump(data, f, allow_nan=False)
            f.write("\n")

    else:
        raise ValueError(f"unknown export format {kind!r}; expected .csv or .json")
    with atomic_open(output, newline="", encoding="utf-8") as f:
        write(f)


def tuned_scene(scene: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """`(data, results)`: the scene's data with tuned learning rates, and
    `{label: Tuned}`. Optimizers with `lr: auto` are tuned; if none is, every
    optimizer with a numeric lr is."""
    built = scene.build()
    labels = scene.labels()
    entries = dict(zip(labels, scene.optimizers, strict=True))
    chosen = [label for label, e in entries.items() if e.auto_lr] or [
        label
        for label, e in entries.items()
        if isinstance(getattr(e, "lr", None), int | float)
        or (getattr(e, "lr", None) is None and "lr" in type(e).model_fields)
    ]
    results = built.tune(chosen)
    data = scene.model_dump(mode="json", exclude_defaults=True)
    for i, label in enumerate(labels):
        if label in results and results[label].lr is not None:
            data["optimizers"][i]["lr"] = float(f"{results[label].lr:.6g}")
    return data, results
