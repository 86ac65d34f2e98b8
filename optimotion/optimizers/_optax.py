"""Any optax optimizer as an `Optimizer`: `from_optax`, and `optax.NAME` registry
entries (made on first use) for scenes' `{optax: NAME, learning_rate: ...}`."""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

from . import _registry
from ._base import Optimizer
from ._checks import choice_error, keywords
from ._custom import wrap


def _optax(api: str) -> Any:
    """optax, imported on first use (it adds ~0.3 s to a cold start)."""
    import optax  # noqa: PLC0415 - lazy

    return optax


@functools.cache
def _optax_functions() -> dict[str, Callable[..., Any]]:
    """optax's optimizers by name: its functions with a `learning_rate` parameter
    (`lion`, `adabelief`, ...), and `optax.contrib`'s as `contrib.NAME`."""
    optax = _optax("optimizers.optax_names")
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
    """
    return dict(_optax_functions())


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | str | numbers.Real)


def optax_entry(function: str) -> _registry.Entry:
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
