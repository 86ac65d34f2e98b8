"""The trajectory cache: a scene rendered again with the same dynamics is not
raced again (the lecturer's loop: change colours, size or views, render again).

An entry is keyed on everything the paths depend on: optimotion's and JAX's
versions, the version of the noise streams (`dynamics.estimators.STREAMS`), the
surface (name, formula, window and, for a finite sum, its data), each optimizer's
name and hyperparameters, the starts, steps, seed and the gradient
estimators (all by their value-based `repr`). It holds the trajectories as one
`.npz` (no pickles). A corrupt or unreadable entry is ignored and written again.

Where: `$OPTIMOTION_CACHE_DIR`, else `$XDG_CACHE_HOME/optimotion`, else
`~/.cache/optimotion`. `OPTIMOTION_CACHE=off` (or `0`, `no`) disables it; so does
`optimotion render --no-cache`. An optimizer or surface registered from Python is
keyed by its name and numbers, not its code: after editing such code, render with
`--no-cache` (or delete the folder).
"""

from __future__ import annotations

import hashlib
import os
import pathlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._atomic import replacing

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


def key(*parts: Any) -> str:
    """A hex digest of the parts' reprs, with the versions that shape the paths."""
    import jax  # noqa: PLC0415

    from . import __version__  # noqa: PLC0415
    from .dynamics import estimators  # noqa: PLC0415

    versions = (__version__, jax.__version__, estimators.STREAMS)
    digest = hashlib.sha256(repr(versions).encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(part.tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()[:32]


def surface_parts(surface: Any) -> tuple:
    data = () if surface.data is None else tuple(surface.data)
    return (surface.name, surface.formula, surface.window, *data)


def trajectories(
    digest: str, compute: Callable[[], Mapping[str, Any]], *, enabled: bool = True
) -> dict[str, Any]:
    """`{label: Trajectory}` from the cache entry `digest`, or from `compute()`
    (then stored)."""
    base = folder() if enabled else None
    if base is None:
        return dict(compute())
    path = base / f"{digest}.npz"
    cached = _load(path)
    if cached is not None:
        return cached
    result = dict(compute())
    try:
        base.mkdir(parents=True, exist_ok=True)
        _store(path, result)
    except OSError:  # a read-only or full cache folder costs a recomputation only
        pass
    return result


def _store(path: pathlib.Path, paths: Mapping[str, Any]) -> None:
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
    with replacing(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)


def _load(path: pathlib.Path) -> dict[str, Any] | None:
    from .dynamics import Trajectory  # noqa: PLC0415

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
            return out
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a corrupt entry is recomputed and rewritten
        return None
