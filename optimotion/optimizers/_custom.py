"""A user's optimizer by name: `register`, and optax's through `from_optax`.

Both add an `Entry` to the registry, so that `get`, `rebuild` (inside the
dynamics' one compiled program), scenes, the CLI and the explorer find them as
they find the built-ins.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from . import _registry
from ._base import Optimizer
from ._checks import choice_error, keywords


@jax.tree_util.register_pytree_node_class
class WrappedState:
    """The state of a registered or optax optimizer whose own state is not a
    NamedTuple of arrays (an optax `chain`'s tuple, a bare array, `()`).

    A pytree of `step` and the optimizer's own state `inner`. Like a NamedTuple,
    `_fields` and iteration give the fields worth drawing: `step` only, as the
    inner state's shape is the optimizer's own business.
    """

    _fields = ("step",)

    def __init__(self, step: jax.Array, inner: Any):
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
        overwrite: replace an optimizer registered under `name` before (a
            compiled program of the old one may still be reused in this process).

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


# --- optax ---------------------------------------------------------------------------

INSTALL = "pip install optimotion[optax]"


def _optax(api: str) -> Any:
    try:
        import optax  # noqa: PLC0415 - optional
    except ImportError:
        raise ImportError(f"`{api}` needs optax: {INSTALL}") from None
    return optax


@functools.cache
def _optax_functions() -> dict[str, Callable[..., Any]]:
    """optax's optimizers by name: its functions with a `learning_rate` parameter
    (`lion`, `adabelief`, ...), and `optax.contrib`'s as `contrib.NAME`."""
    optax = _optax("optimizers.optax_names")  # a cached miss re-raises below
    found: dict[str, Callable[..., Any]] = {}
    modules = [("", optax)]
    try:
        from optax import contrib  # noqa: PLC0415

        modules.append(("contrib.", contrib))
    except ImportError:  # an old optax
        pass
    for prefix, module in modules:
        for attr in getattr(module, "__all__", dir(module)):
            with warnings.catch_warnings():  # deprecated aliases warn on access
                warnings.simplefilter("ignore")
                fn = getattr(module, attr, None)
            if not inspect.isfunction(fn) or attr.startswith("_"):
                continue
            try:
                params = inspect.signature(fn).parameters
            except (TypeError, ValueError):
                continue
            if "learning_rate" in params:
                found[prefix + attr] = fn
    return found


def optax_names() -> dict[str, Callable[..., Any]]:
    """optax's optimizers by name: its functions with a `learning_rate` parameter
    (`lion`, `adabelief`, ...), and `optax.contrib`'s as `contrib.NAME`.

    Raises:
        ImportError: without optax (`pip install optimotion[optax]`).
    """
    return dict(_optax_functions())


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | str | numbers.Real)


def _optax_entry(function: str) -> _registry.Entry:
    """The registry entry `optax.FUNCTION`: its parameters, `learning_rate` named
    `lr` (required); numbers traced under jit."""
    name = f"optax.{function}"
    choices = optax_names()
    if function not in choices:
        raise ValueError(
            choice_error("optimizers.get", "optax optimizer", function, choices)
        )
    fn = choices[function]
    params = {
        ("lr" if p.name == "learning_rate" else p.name): p
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    signature = inspect.Signature(
        [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, default=p.default)
            for key, p in params.items()
        ]
    )

    # Integers (`memory_size`, `ns_steps`) shape the program: they travel as text,
    # which the dynamics keeps static, and become integers again here.
    whole = {k for k, p in params.items() if type(p.default) is int and p.name != "lr"}

    def to_optax(hyperparams: dict[str, Any]) -> dict[str, Any]:
        return {
            params[k].name: int(v) if k in whole else v for k, v in hyperparams.items()
        }

    def validated(**kwargs: Any) -> Optimizer:
        keywords(name, "parameter", params, kwargs)
        if "lr" not in kwargs:
            raise ValueError(f"`{name}`: the learning rate (lr) is required")
        for key, value in kwargs.items():
            default = params[key].default
            if isinstance(default, bool) and not isinstance(value, bool):
                raise TypeError(
                    f"`{name}`: {key} must be a bool, got {value!r} of type "
                    f"{type(value)}"
                )
            if key in whole and not (
                isinstance(value, numbers.Integral) and not isinstance(value, bool)
            ):
                raise TypeError(
                    f"`{name}`: {key} must be an integer, got {value!r} of type "
                    f"{type(value)}"
                )
            if key == "lr" or (
                isinstance(default, numbers.Real) and not isinstance(default, bool)
            ):
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    raise TypeError(
                        f"`{name}`: {key} must be a number, got {value!r} of type "
                        f"{type(value)}"
                    )
                if not math.isfinite(value):
                    raise ValueError(f"`{name}`: {key} must be finite, got {value!r}")
        hyperparams = {
            key: kwargs.get(key, p.default)
            for key, p in params.items()
            if key in kwargs or _scalar(p.default)
        }
        hyperparams = {
            k: str(v) if k in whole else tuple(v) if isinstance(v, list) else v
            for k, v in hyperparams.items()
        }
        return wrap(name, fn(**to_optax(hyperparams)), hyperparams)

    validated.__signature__ = signature  # type: ignore[attr-defined]
    validated.__name__ = validated.__qualname__ = name
    validated.__doc__ = fn.__doc__
    return _registry.Entry(
        name,
        _optax_label(function),
        validated,
        lambda hyperparams: wrap(name, fn(**to_optax(hyperparams)), hyperparams),
        None,
        "optax",
    )


_OPTAX_LABELS = {
    "adabelief": "AdaBelief",
    "adafactor": "Adafactor",
    "lamb": "LAMB",
    "lars": "LARS",
    "lion": "Lion",
    "novograd": "NovoGrad",
    "sm3": "SM3",
    "yogi": "Yogi",
}


def _optax_label(function: str) -> str:
    """`lion` -> "Lion"; a torch name gets "(optax)": `adam` -> "adam (optax)"."""
    label = _OPTAX_LABELS.get(function, function)
    builtins = {_registry.nice_name(n).lower() for n in _registry.names("built-in")}
    return f"{label} (optax)" if label.lower() in builtins else label


_TRANSFORMS: dict[str, Any] = {}
"""token -> an `optax.GradientTransformation` given to `from_optax` (the token is a
static hyperparameter, so each transformation compiles its own program)."""
_COUNT = itertools.count(1)


def from_optax(
    tx: Any,
    *,
    name: str = "optax",
    label: str | None = None,
    lr: float | None = None,
    **hyperparams: Any,
) -> Optimizer:
    """Any optax optimizer, to race, render and explore like a built-in one.

    Two forms:

    - `from_optax(optax.lion, learning_rate=1e-3, b1=0.9)`: an optax function and
      its keyword arguments, checked against its signature. Its numbers are
      traced, so another learning rate or beta reuses the compiled program, and
      the optimizer is `optimizers.get("optax.lion", learning_rate=1e-3, ...)`,
      as a scene's `{optax: lion, learning_rate: 0.001, b1: 0.9}` builds it.
    - `from_optax(tx)`: a built `optax.GradientTransformation` (a `chain`, a
      schedule-free wrapper, anything), registered under `name`; each such `tx`
      compiles its own program.

    Args:
        tx: an optax function (`optax.lion`) or a `GradientTransformation`.
        name: the registry name of a built `tx` (the function's form is always
            named `optax.FUNCTION`).
        label: the default legend label (default: the name).
        lr: for a built `tx`, the learning rate to record and show (optax's
            own is not visible from outside; default: none shown).
        **hyperparams: the function's keyword arguments (function form only).

    Returns:
        An `Optimizer`; `hyperparams["lr"]` is the learning rate.

    Raises:
        ImportError: without optax (`pip install optimotion[optax]`).
        ValueError, TypeError: on an unknown function or parameter, or a bad value.

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> from optimotion import optimizers
        >>> opt = optimizers.from_optax(optax.lion, learning_rate=0.1, weight_decay=0.0)
        >>> opt.name, opt.hyperparams["lr"], opt.hyperparams["b1"]
        ('optax.lion', 0.1, 0.9)
        >>> params = jnp.array([1.0, -2.0])
        >>> updates, _ = opt.update(2 * params, opt.init(params), params)
        >>> [round(v, 6) for v in (params + updates).tolist()]  # lr along the sign
        [0.9, -1.9]
    """
    api = "optimizers.from_optax"
    optax = _optax(api)
    if not isinstance(tx, optax.GradientTransformation) and callable(tx):
        function = next((k for k, v in optax_names().items() if v is tx), None)
        if function is None:
            raise ValueError(
                f"`{api}`: {getattr(tx, '__name__', tx)!r} is not one of optax's "
                "optimizers (a function with a learning_rate); pass a built "
                "GradientTransformation instead"
            )
        if "learning_rate" in hyperparams:
            hyperparams["lr"] = hyperparams.pop("learning_rate")
        opt = _registry.get(f"optax.{function}", **hyperparams)
        if label is not None:
            found = _registry.entry(opt.name)
            _registry._REGISTRY[opt.name] = found._replace(display_name=label)
        return opt
    if hyperparams:
        raise ValueError(
            f"`{api}`: keyword arguments {sorted(hyperparams)} are for an optax "
            "function (from_optax(optax.lion, learning_rate=...)); a built "
            "transformation takes none"
        )
    if not isinstance(tx, optax.GradientTransformation):
        raise TypeError(
            f"`{api}`: tx must be an optax.GradientTransformation or an optax "
            f"function, got {tx!r} of type {type(tx)}"
        )
    _registry.check_name(name, api)
    if lr is not None and (
        isinstance(lr, bool) or not isinstance(lr, numbers.Real) or lr < 0
    ):
        raise ValueError(f"`{api}`: lr must be a number >= 0, got {lr!r}")
    token = f"{name}#{next(_COUNT)}"
    _TRANSFORMS[token] = tx

    def rebuild(hyperparams: dict[str, Any]) -> Optimizer:
        return wrap(name, _TRANSFORMS[hyperparams["transform"]], hyperparams)

    def factory(lr: float = math.nan, transform: str = token) -> Optimizer:
        return rebuild({"lr": lr, "transform": transform})

    old = _registry._REGISTRY.get(name)
    if old is not None and old.kind != "optax":
        raise ValueError(
            f"`{api}`: {name!r} is already a {old.kind} optimizer; pass another name"
        )
    _registry._REGISTRY[name] = _registry.Entry(
        name, label or name, factory, rebuild, None, "optax"
    )
    return factory(math.nan if lr is None else float(lr), token)
