"""The trajectory cache: a scene rendered again with the same dynamics is not
raced again (the lecturer's loop: change colours, size or views, render again).

An entry is keyed on the scene's dynamics (`scene_key`): every field of the
validated scene but `render:`, `title:` and the optimizers' `color:`, as the
scene gave them, with optimotion's and JAX's versions (read from the installed
packages' metadata: computing a key imports no JAX) and the version of the noise
draws (`STREAMS`). It holds the trajectories as
one `.npz` (no pickles) and, once a render has drawn them, what the render draws
of the surface (`render.SurfaceData`: its grid and critical points), so that a
render from the cache builds neither the surface nor the optimizers, and imports
no JAX. A corrupt or unreadable entry is ignored and written again.

Where: `$OPTIMOTION_CACHE_DIR`, else `$XDG_CACHE_HOME/optimotion`, else
`~/.cache/optimotion`. `OPTIMOTION_CACHE=off` (or `0`, `no`) disables it; so does
`optimotion render --no-cache`. An optimizer or surface registered from Python is
keyed by its name and numbers, not its code: after editing such code, render with
`--no-cache` (or delete the folder).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pathlib
from collections.abc import Callable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ._atomic import replacing
from ._trajectory import Trajectory

if TYPE_CHECKING:  # pragma: no cover
    from .render import SurfaceData
    from .scene import Scene

_OFF = {"0", "off", "no", "false"}


def folder() -> pathlib.Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get("OPTIMOTION_CACHE", "").strip().lower() in _OFF:
        return None
    explicit = os.environ.get("OPTIMOTION_CACHE_DIR")
    if explicit:
        return pathlib.Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(base) / "optimotion"


STREAMS = 2
"""The version of the noise streams, raised whenever a draw changes (every noisy
path moves), so the cache never serves paths drawn the old way. 1:
`jax.random.normal(fold_in(key, t))` (two threefry blocks a step); 2: normals from
the bits of `fold_in(key, t)` itself (`dynamics/_estimators.py: _normal`)."""


@functools.cache
def versions() -> tuple[str, str, int]:
    """optimotion's and JAX's versions, from the installed packages' metadata, and
    the noise streams' (`STREAMS`)."""

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:  # pragma: no cover - a source tree
            return "0.0.0"

    return installed("optimotion"), installed("jax"), STREAMS


def key(*parts: Any) -> str:
    """A hex digest of the parts' reprs, with the versions that shape the paths."""
    digest = hashlib.sha256(repr(versions()).encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(part.tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()[:32]


VISUAL_FIELDS = frozenset({"render", "title"})
"""Scene fields that change a render but not its trajectories (nor does an
optimizer's `color`)."""


def scene_key(scene: Scene) -> str:
    """The key of a validated scene's dynamics: its fields as given (an optimizer
    that sets `noise: null` differs from one that leaves it out), without
    `VISUAL_FIELDS` and the optimizers' colours."""
    dynamics = scene.model_dump(exclude=set(VISUAL_FIELDS), exclude_unset=True)
    for entry in dynamics.get("optimizers", ()):
        entry.pop("color", None)
    return key(dynamics)


class Entry(NamedTuple):
    """A cache entry: `{label: Trajectory}`, and the surface as drawn (None until
    a render stored it)."""

    traces: dict[str, Trajectory]
    surface: SurfaceData | None


def load(digest: str, *, enabled: bool = True) -> Entry | None:
    """The entry `digest`, or None (caching off, no such entry, or a corrupt one)."""
    base = folder() if enabled else None
    return None if base is None else _load(base / f"{digest}.npz")


def store(
    digest: str,
    traces: Mapping[str, Trajectory],
    surface: SurfaceData | None = None,
    *,
    enabled: bool = True,
) -> None:
    """Write the entry `digest` (replacing it); a read-only or full cache folder
    costs a recomputation next time, nothing else."""
    base = folder() if enabled else None
    if base is None:
        return
    try:
        base.mkdir(parents=True, exist_ok=True)
        _store(base / f"{digest}.npz", traces, surface)
    except OSError:
        pass


def trajectories(
    digest: str, compute: Callable[[], Mapping[str, Any]], *, enabled: bool = True
) -> dict[str, Trajectory]:
    """`{label: Trajectory}` from the cache entry `digest`, or from `compute()`
    (then stored)."""
    entry = load(digest, enabled=enabled)
    if entry is not None:
        return entry.traces
    result = dict(compute())
    store(digest, result, enabled=enabled)
    return result


_SURFACE_ARRAYS = ("X", "Y", "Z")


def _store(
    path: pathlib.Path, paths: Mapping[str, Any], surface: SurfaceData | None
) -> None:
    arrays: dict[str, np.ndarray] = {"labels": np.array(list(paths), dtype=str)}
    for i, t in enumerate(paths.values()):
        arrays[f"{i}.xy"] = t.xy
        arrays[f"{i}.loss"] = t.loss
        arrays[f"{i}.grad"] = t.grad
        arrays[f"{i}.grad_used"] = t.grad_used
        arrays[f"{i}.step_length"] = t.step_length
        arrays[f"{i}.lr"] = t.lr
        arrays[f"{i}.diverged_at"] = np.array(
            -1 if t.diverged_at is None else t.diverged_at
        )
        for name, value in t.state.items():
            arrays[f"{i}.state.{name}"] = value
    if surface is not None:
        fields = surface._asdict()
        for name in _SURFACE_ARRAYS:
            arrays[f"surface.{name}"] = fields.pop(name)
        arrays["surface.fields"] = np.array(json.dumps(fields))
    with replacing(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)


def _load(path: pathlib.Path) -> Entry | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            out = {}
            for i, label in enumerate(data["labels"].tolist()):
                prefix = f"{i}.state."
                diverged = int(data[f"{i}.diverged_at"])
                out[label] = Trajectory(
                    xy=data[f"{i}.xy"],
                    loss=data[f"{i}.loss"],
                    grad=data[f"{i}.grad"],
                    step_length=data[f"{i}.step_length"],
                    state={
                        k.removeprefix(prefix): data[k]
                        for k in data.files
                        if k.startswith(prefix)
                    },
                    diverged_at=None if diverged < 0 else diverged,
                    lr=data[f"{i}.lr"],
                    grad_used=data[f"{i}.grad_used"],
                )
            surface = _surface(data) if "surface.fields" in data.files else None
            return Entry(out, surface)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a corrupt entry is recomputed and rewritten
        return None


def _surface(data: Any) -> SurfaceData:
    """The `SurfaceData` `_store` wrote: the grid as arrays, the rest as JSON
    (floats round-trip exactly; tuples come back from lists)."""
    from .render import SurfaceData  # noqa: PLC0415

    fields = json.loads(str(data["surface.fields"]))
    (x0, x1), (y0, y1) = fields.pop("window")
    critical = tuple((x, y, kind) for x, y, kind in fields.pop("critical"))
    values = tuple(fields.pop("critical_values"))
    arrays = {name: data[f"surface.{name}"] for name in _SURFACE_ARRAYS}
    for array in arrays.values():
        array.setflags(write=False)
    return SurfaceData(
        **fields, **arrays, window=((x0, x1), (y0, y1)), critical=critical,
        critical_values=values,
    )  # fmt: skip
