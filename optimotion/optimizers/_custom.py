"""A user's optimizer by name: `register`, and the state wrapper it shares with
`from_optax`.

Both add an `Entry` to the registry, so that `get`, `rebuild` (inside the
dynamics' one compiled program), scenes, the CLI and the explorer find them as
they find the built-ins.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .._lazy import jax, jnp
from . import _registry
from ._base import Optimizer


class WrappedState:
    """The state of a registered or optax optimizer whose own state is not a
    NamedTuple of arrays (an optax `chain`'s tuple, a bare array, `()`).

    A pytree of `step` and the optimizer's own state `inner`. Like a NamedTuple,
    `_fields` and iteration give the fields worth drawing: `step` only, as the
    inner state's shape is the optimizer's own business.
    """

    _fields = ("step",)

    def __init__(self, step: jax.Array, inner: Any):
        _register_pytree()
        self.step = step  # shape (), int32: updates taken
        self.inner = inner  # the optimizer's own state

    def __iter__(self) -> Any:
        return iter((self.step,))

    def __repr__(self) -> str:
        return f"WrappedState(step={self.step!r}, inner={self.inner!r})"

    def tree_flatten(self) -> tuple[tuple[Any, Any], None]:
        return (self.step, self.inner), None

    @classmethod
    def tree_unflatten(cls, aux: None, children: tuple[Any, Any]) -> WrappedState:
        del aux
        return cls(*children)


@functools.cache
def _register_pytree() -> None:
    """Make `WrappedState` a pytree, once, when the first one is made (not at
    import: importing the optimizers does not import JAX, see `optimotion._lazy`)."""
    jax.tree_util.register_pytree_node_class(WrappedState)


def _plain(state: Any) -> bool:
    """A NamedTuple whose fields are arrays or None: used as it is."""
    return (
        isinstance(state, tuple)
        and hasattr(state, "_fields")
        and all(value is None or isinstance(value, jax.Array) for value in state)
    )


def wrap(name: str, built: Any, hyperparams: dict[str, Any]) -> Optimizer:
    """An `Optimizer` from what a factory returned: an `Optimizer`, anything with
    `init` and `update` (an `optax.GradientTransformation`), or a pair."""
    if hasattr(built, "init") and hasattr(built, "update"):
        inner_init, inner_update = built.init, built.update
    elif isinstance(built, tuple) and len(built) == 2 and all(map(callable, built)):
        inner_init, inner_update = built
    else:
        raise TypeError(
            f"`{name}`: the factory must return an (init, update) pair or an object "
            f"with init and update methods, got {built!r} of type {type(built)}"
        )

    def init(params: jax.typing.ArrayLike) -> Any:
        state = inner_init(jnp.asarray(params))
        if _plain(state):
            return state
        return WrappedState(jnp.zeros((), jnp.int32), state)

    def update(grads: jax.Array, state: Any, params: jax.Array) -> tuple[Any, Any]:
        if not isinstance(state, WrappedState):
            return inner_update(grads, state, params)
        updates, inner = inner_update(grads, state.inner, params)
        return updates, WrappedState(state.step + 1, inner)

    return Optimizer(init, update, name, dict(hyperparams))


def _check_color(api: str, color: str | None) -> None:
    if color is None:
        return
    from matplotlib import colors  # noqa: PLC0415 - only when a colour is given

    if not isinstance(color, str) or not colors.is_color_like(color):
        raise ValueError(
            f"`{api}`: color must be a matplotlib colour ('crimson', '#d55e00'), "
            f"got {color!r}"
        )


def register(
    name: str,
    factory: Callable[..., Any],
    *,
    display_name: str | None = None,
    color: str | None = None,
    rebuild: Callable[..., Any] | None = None,
    overwrite: bool = False,
) -> Callable[..., Optimizer]:
    """Add a user's optimizer under `name`, for `get`, scenes, the CLI and races.

    `factory(**hyperparams)` returns the optimizer: an `(init, update)` pair with
    `update(grads, state, params) -> (updates, state)` and the new parameters
    `params + updates` (optax's shape; an `optax.GradientTransformation` or an
    `Optimizer` also works). Every parameter needs a default, and `lr` is one of
    them: each step's learning rate is recorded and shown in the legend.

    Inside the dynamics' compiled program the factory is called again with the
    numbers as traced arrays (so a new `lr` reuses the program); bools, strings
    and None stay Python values. A factory that checks its numbers with Python
    comparisons can pass an unchecked `rebuild` of the same signature for that.

    Args:
        name: the registry key, lowercase letters, digits and `_`.
        factory: builds the optimizer from its hyperparameters; it may raise
            ValueError or TypeError on bad values (scenes report them at the field).
        display_name: the default legend label (default: `name`).
        color: a default trail colour, any matplotlib colour.
        rebuild: an unchecked factory for traced values (default: `factory`).
        overwrite: replace an optimizer registered under `name` before (JAX's
            compiled programs are then cleared, so none built from the old code
            is reused).

    Returns:
        The validating factory: `register(...)(lr=0.1)` is `get(name, lr=0.1)`.

    Raises:
        ValueError: on a bad or taken name, a parameter without a default, no
            `lr`, or a bad colour.
        TypeError: if `factory` is not callable.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> def sign_descent(lr=0.1):
        ...     def init(params):
        ...         return ()
        ...     def update(grads, state, params):
        ...         return -lr * jnp.sign(grads), state
        ...     return init, update
        >>> _ = optimizers.register("sign_descent", sign_descent, overwrite=True)
        >>> opt = optimizers.get("sign_descent", lr=0.5)
        >>> params = jnp.array([1.0, -2.0])
        >>> updates, _ = opt.update(2 * params, opt.init(params), params)
        >>> (params + updates).tolist()
        [0.5, -1.5]
    """
    api = "optimizers.register"
    _registry.check_name(name, api)
    if not callable(factory):
        raise TypeError(
            f"`{api}`: factory must be callable, got {factory!r} of type "
            f"{type(factory)}"
        )
    signature = inspect.signature(factory)
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise ValueError(
                f"`{api}`: the factory's parameters must be named, got *{param.name}"
            )
        if param.default is inspect.Parameter.empty:
            raise ValueError(
                f"`{api}`: every parameter of the factory needs a default (scenes "
                f"and `get` fill in the rest), {param.name!r} has none"
            )
    if "lr" not in signature.parameters:
        raise ValueError(
            f"`{api}`: the factory must take an `lr` (the learning rate recorded "
            f"at each step), got parameters {list(signature.parameters)}"
        )
    _check_color(api, color)
    if display_name is not None and (
        not isinstance(display_name, str) or not display_name
    ):
        raise ValueError(
            f"`{api}`: display_name must be a non-empty str, got {display_name!r}"
        )
    unchecked = factory if rebuild is None else rebuild

    def validated(*args: Any, **kwargs: Any) -> Optimizer:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        hyperparams = dict(bound.arguments)
        return wrap(name, factory(**hyperparams), hyperparams)

    validated.__name__ = validated.__qualname__ = name
    validated.__doc__ = factory.__doc__
    validated.__signature__ = signature  # type: ignore[attr-defined]
    _registry.add(
        _registry.Entry(
            name,
            display_name or name,
            validated,
            lambda hyperparams: wrap(name, unchecked(**hyperparams), hyperparams),
            color,
            "registered",
        ),
        overwrite=overwrite,
    )
    return validated
