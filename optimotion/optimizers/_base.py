"""The optimizer protocol: a pair of pure functions in a NamedTuple (optax's shape)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol, TypeAlias

from .._lazy import jax, jnp

Params: TypeAlias = "jax.Array"
"""Parameters are one array of shape (2,): the point (x, y)."""


class InitFn(Protocol):
    def __call__(self, params: Params) -> NamedTuple: ...


class UpdateFn(Protocol):
    def __call__(
        self, grads: Params, state: NamedTuple, params: Params
    ) -> tuple[Params, NamedTuple]: ...


class Optimizer(NamedTuple):
    """A pure optimizer: `init(params) -> state`, `update(grads, state, params) ->
    (updates, state)`; the new parameters are `params + updates`.

    `name` is the registry key and `hyperparams` every hyperparameter it was built
    with, defaults filled in (numbers, tuples of numbers, schedules and boolean
    flags), so that the dynamics can pass the numbers as traced arguments of one
    compiled program (`optimizers.rebuild`).
    """

    init: InitFn
    update: UpdateFn
    name: str
    hyperparams: Mapping[str, Any]


Builder = Callable[..., Optimizer]


def build(name: str, transform: Callable[..., Any], hyperparams: Mapping) -> Optimizer:
    """An `Optimizer` from `transform(**hyperparams) -> (init, update)`, unvalidated."""
    init, update = transform(**hyperparams)
    return Optimizer(init, update, name, dict(hyperparams))


def variant(
    factory: Builder,
    name: str,
    builder: Callable[[str, dict[str, Any]], Optimizer],
    **defaults: Any,
) -> Builder:
    """`factory` under another registry `name` and with other `defaults`.

    A `functools.partial` that keeps a real signature (for `help`, the registry's
    `defaults` and doctests) and names its errors and its optimizer `name`:
    `builder(name, hyperparams)` validates and builds.
    """
    signature = inspect.signature(factory)
    signature = signature.replace(
        parameters=[
            p.replace(default=defaults.get(p.name, p.default))
            for p in signature.parameters.values()
        ]
    )

    @functools.wraps(factory)
    def wrapper(*args: Any, **kwargs: Any) -> Optimizer:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return builder(name, dict(bound.arguments))

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    return wrapper


def cast(dtype: Any, *values: Any) -> tuple[jax.Array, ...]:
    """Hyperparameters as arrays of the parameters' dtype, so that float32 stays
    float32 even when a schedule or a traced value is float64."""
    return tuple(jnp.asarray(v, dtype) for v in values)
