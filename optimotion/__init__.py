"""optimotion: how optimizers move on loss surfaces.

The trajectory API: `run` and `race` compute exact, reproducible float64 paths of
the optimizers in `optimotion.optimizers` on the surfaces in `optimotion.surfaces`;
`optimotion.render` turns them into animations.

Submodules are imported on first use (PEP 562), so `import optimotion` and the
command line's `--help` stay fast: jax and matplotlib load only when needed.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from . import noise, optimizers, render, scene, surfaces
    from ._trajectory import Trajectory
    from .dynamics import (
        Ensemble,
        Tuned,
        ensemble,
        ensemble_race,
        race,
        run,
        tune,
    )  # fmt: skip
    from .interactive import animate, explore, plot

try:
    __version__ = version("optimotion")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

_SUBMODULES = {
    "analysis", "noise", "optimizers", "render", "scene", "surfaces", "dynamics",
    "interactive",
}  # fmt: skip
_FROM_DYNAMICS = {
    "Ensemble", "Tuned", "ensemble", "ensemble_race", "race", "run",
    "tune",
}  # fmt: skip
_FROM_INTERACTIVE = {"animate", "explore", "plot"}

__all__ = [
    "Ensemble",
    "Trajectory",
    "Tuned",
    "analysis",
    "animate",
    "ensemble",
    "ensemble_race",
    "explore",
    "noise",
    "optimizers",
    "plot",
    "race",
    "render",
    "run",
    "scene",
    "surfaces",
    "tune",
]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "Trajectory":  # NumPy only: no JAX import
        return importlib.import_module("._trajectory", __name__).Trajectory
    if name in _FROM_DYNAMICS:
        return getattr(importlib.import_module(".dynamics", __name__), name)
    if name in _FROM_INTERACTIVE:
        return getattr(importlib.import_module(".interactive", __name__), name)
    raise AttributeError(f"module 'optimotion' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
