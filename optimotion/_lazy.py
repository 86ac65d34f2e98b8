"""`jax` and `jax.numpy`, imported on first use.

The surfaces, optimizers and schedules take `jax` and `jnp` from here instead of
importing them: their functions run JAX as before (the first attribute read imports
it, about a second), but importing them does not. So loading and validating a scene
(names, defaults, signatures, windows) and a render whose trajectories come from
the cache (`optimotion.scene.render_scene`) never import JAX.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


class LazyModule:
    """Stands for the module `name`: the first attribute read imports it; each
    attribute is then looked up once and kept."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # introspection (doctest, copy) imports nothing
            raise AttributeError(attr)
        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


if TYPE_CHECKING:  # pragma: no cover
    import jax as jax
    import jax.numpy as jnp
else:
    jax = LazyModule("jax")
    jnp = LazyModule("jax.numpy")
