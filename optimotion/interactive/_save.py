"""The explorer's `s` key: the current setup as a scene file that `optimotion
render` reproduces exactly, next to a PNG of the current view."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._atomic import replacing
from ..scene import optimizer_entry

if TYPE_CHECKING:  # pragma: no cover
    from ..optimizers import Optimizer
    from ..surfaces import Surface


def scene_data(
    surface: Surface,
    optimizers: Mapping[str, Optimizer],
    colors: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """A scene dict (as `Scene.model_dump(mode="json")` would give) for a setup
    made in Python rather than loaded from a file.

    Raises:
        ValueError: the surface is neither registered under its name nor made by
            `surfaces.from_expression`, or an optimizer's `lr` is a schedule.
    """
    from .. import surfaces

    try:
        registered = surfaces.get(surface.name)
    except ValueError:
        registered = None
    if registered is not None and registered.formula == surface.formula:
        surface_entry: Any = surface.name
    else:
        try:
            again = surfaces.from_expression(surface.formula, window=surface.window)
        except (TypeError, ValueError):
            again = None
        if again is None or again.formula != surface.formula:
            raise ValueError(
                f"`explore`: cannot save surface {surface.name!r} as a scene: it is "
                "neither a registered surface nor a `surfaces.from_expression` formula"
            )
        (x0, x1), (y0, y1) = surface.window
        surface_entry = {
            "expr": surface.formula, "window": {"x": [x0, x1], "y": [y0, y1]},
        }  # fmt: skip
    entries = []
    for label, opt in optimizers.items():
        for key, value in opt.hyperparams.items():
            if hasattr(value, "_fields"):  # a schedule NamedTuple
                raise ValueError(
                    f"`explore`: cannot save {label!r}: its {key} is a schedule; "
                    "start the explorer from a scene file to save schedules"
                )
        entry = optimizer_entry(opt, label)
        if colors and colors.get(label):
            entry["color"] = colors[label]
        entries.append(entry)
    return {"surface": surface_entry, "optimizers": entries}


EXTENSIONS = (".png", ".yaml")
"""What `Explorer.save` writes next to each other, as `STEM.png` and `STEM.yaml`."""


def free_stem(folder: str | os.PathLike, base: str) -> pathlib.Path:
    """`folder/base-001`, or the first number for which neither `.png` nor `.yaml`
    exists."""
    folder = pathlib.Path(folder)
    for n in range(1, 10_000):
        stem = folder / f"{base}-{n:03d}"
        if not any(stem.with_name(stem.name + ext).exists() for ext in EXTENSIONS):
            return stem
    raise FileExistsError(f"`explore`: no free name {base}-NNN left in {folder}")


def current_scene(
    base: Mapping[str, Any],
    labels: list[str],
    *,
    start: tuple[float, float],
    steps: int,
    seed: int,
    sigma: float,
    lrs: Mapping[str, float | None],
    log_time: bool,
) -> dict[str, Any]:
    """`base` (a scene dict) with the explorer's current settings: one start, the
    steps, seed and noise, the numeric learning rates and the time mode; no
    `render.output`, so `optimotion render` names the output after the file."""
    data = {k: v for k, v in base.items() if k not in ("start", "noise")}
    data["optimizers"] = [dict(entry) for entry in base["optimizers"]]
    data.update(start=[float(start[0]), float(start[1])], steps=steps, seed=seed)
    if base.get("noise") is not None:  # the scene's noise, at the slider's sigma
        data["noise"] = _with_sigma(base["noise"], sigma)
    elif sigma > 0:
        data["noise"] = {"kind": "gaussian", "sigma": float(sigma)}
    for entry, label in zip(data["optimizers"], labels, strict=True):
        if lrs[label] is not None:  # an optax entry names it as optax does
            entry["learning_rate" if "optax" in entry else "lr"] = float(lrs[label])
    render = {k: v for k, v in dict(base.get("render", {})).items() if k != "output"}
    render.pop("log_time", None)
    if log_time:
        render["log_time"] = True
    data.pop("render", None)
    if render:
        data["render"] = render
    order = ("title", "surface", "start", "steps", "seed", "noise", "optimizers")
    return {k: data[k] for k in (*order, *data) if k in data}


def _with_sigma(noise: Any, sigma: float) -> Any:
    """A scene's `noise:` (a mapping, or a list of them) with the number `sigma`
    the explorer's slider drives (in a list: the first one) set to `sigma`."""
    items = [dict(item) for item in (noise if isinstance(noise, list) else [noise])]
    for item in items:
        if isinstance(item.get("sigma"), int | float) and not isinstance(
            item["sigma"], bool
        ):
            item["sigma"] = float(sigma)
            break
    return items if isinstance(noise, list) else items[0]


def save_view(fig, path, parts, *, animated, facecolor: str) -> None:
    """Save the region of `fig` around `parts` (Axes, legends) as a PNG, the
    `animated` artists included (a figure never draws animated artists, not
    even when saving, so they are made ordinary for the while)."""
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    boxes = [
        part.get_tightbbox(renderer)
        if hasattr(part, "get_tightbbox")
        else part.get_window_extent(renderer)
        for part in parts
    ]
    box = Bbox.union(boxes).padded(6).transformed(fig.dpi_scale_trans.inverted())
    for artist in animated:
        artist.set_animated(False)
    try:
        with replacing(path) as tmp:
            fig.savefig(tmp, format="png", bbox_inches=box, facecolor=facecolor)
    finally:
        for artist in animated:
            artist.set_animated(True)
