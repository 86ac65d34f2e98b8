"""Optimizers by name: one `Entry` per optimizer, added by one call.

`get`, `names`, `defaults`, `rebuild`, `nice_name` and `color` read the same
table. The built-in optimizers are added at the bottom of this module; a user's
through `register`, and optax's through `from_optax`.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from . import (
    _adadelta,
    _adagrad,
    _adam,
    _adamax,
    _asgd,
    _nadam,
    _radam,
    _rmsprop,
    _rprop,
    _sgd,
)
from ._base import Builder, Optimizer, build
from ._checks import choice_error, keywords


class Entry(NamedTuple):
    """One optimizer of the registry."""

    name: str
    display_name: str  # the default legend label: "RMSProp"
    factory: Builder  # validates, then builds; its signature lists the defaults
    rebuild: Callable[[dict[str, Any]], Optimizer]  # every hyperparameter, unchecked
    color: str | None = None  # the default trail colour (None: the theme's)
    kind: str = "built-in"  # "built-in", "registered" or "optax"


OPTAX_PREFIX = "optax."
"""The registry names of optax's optimizers start with this: `optax.lion`."""

_REGISTRY: dict[str, Entry] = {}
"""name -> `Entry`."""
_BUILT_IN_DONE = False


def add(entry: Entry, *, overwrite: bool = False) -> None:
    """Add `entry` under its name (a built-in is never replaced)."""
    old = _REGISTRY.get(entry.name)
    if old is not None and old.kind == "built-in" and _BUILT_IN_DONE:
        raise ValueError(
            f"`optimizers.register`: {entry.name!r} is a built-in optimizer and "
            "cannot be replaced; pick another name"
        )
    if old is not None and not overwrite:
        raise ValueError(
            f"`optimizers.register`: an optimizer named {entry.name!r} is already "
            "registered; pass overwrite=True to replace it"
        )
    _REGISTRY[entry.name] = entry
    if old is not None and old != entry:  # the compiled races are keyed by name
        import jax  # noqa: PLC0415

        jax.clear_caches()


def _builtin(
    name: str, display_name: str, factory: Builder, transform: Callable[..., Any]
) -> None:
    """Add a built-in: its validating factory and its unvalidated transform."""
    add(
        Entry(
            name,
            display_name,
            factory,
            lambda hyperparams: build(name, transform, hyperparams),
        )
    )


def entry(name: str, api: str = "optimizers.get") -> Entry:
    """The entry of `name` (ValueError with did-you-mean if unknown); optax's
    optimizers, `optax.NAME`, are added on first use."""
    if name not in _REGISTRY:
        load_entry_points()
    if (
        name not in _REGISTRY
        and isinstance(name, str)
        and name.startswith(OPTAX_PREFIX)
    ):
        from ._optax import optax_entry  # noqa: PLC0415 - optax is optional

        _REGISTRY[name] = optax_entry(name.removeprefix(OPTAX_PREFIX))
    if name not in _REGISTRY:
        raise ValueError(choice_error(api, "optimizer", name, names()))
    return _REGISTRY[name]


def nice_name(name: str) -> str:
    """`"rmsprop"` -> `"RMSProp"`: the default label of an optimizer."""
    found = _REGISTRY.get(name)
    return found.display_name if found else name.title()


def color(name: str) -> str | None:
    """The default colour of optimizer `name`, if it was registered with one."""
    found = _REGISTRY.get(name)
    return found.color if found else None


def names(kind: str | None = None) -> tuple[str, ...]:
    """The optimizer names, sorted; only those of `kind` ("built-in",
    "registered", "optax": `from_optax` transformations) if given. optax's own
    optimizers are `optax_names()`, each usable as `"optax.NAME"`.

    Examples:
        >>> from optimotion import optimizers
        >>> optimizers.names("built-in")
        ('adadelta', 'adagrad', 'adam', 'adamax', 'adamw', 'asgd', 'momentum', 'nadam', 'nesterov', 'radam', 'rmsprop', 'rprop', 'sgd')
    """  # noqa: E501
    if kind != "built-in":
        load_entry_points()
    return tuple(
        sorted(
            n
            for n, e in _REGISTRY.items()
            if kind in (None, e.kind) and not n.startswith(OPTAX_PREFIX)
        )
    )


ENTRY_POINTS = "optimotion.optimizers"
"""The entry-point group of installed packages' optimizers."""
_entry_points_loaded = False


def load_entry_points() -> None:
    """Load the `optimotion.optimizers` entry points once: each names a module that
    calls `register` when imported, or a factory, registered under the entry
    point's name. A plugin that fails to load is reported with a warning."""
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points  # noqa: PLC0415

    for point in entry_points(group=ENTRY_POINTS):
        try:
            loaded = point.load()
            if callable(loaded) and point.name not in _REGISTRY:
                from ._custom import register  # noqa: PLC0415

                register(point.name, loaded)
        except Exception as error:  # noqa: BLE001 - one broken plugin, not all
            warnings.warn(
                f"optimotion: the {ENTRY_POINTS} entry point {point.name!r} "
                f"({point.value}) failed to load: {type(error).__name__}: {error}",
                RuntimeWarning,
                stacklevel=2,
            )


def defaults(name: str) -> dict[str, Any]:
    """Every hyperparameter of optimizer `name` with its default (torch's).

    Raises:
        ValueError: on an unknown name.

    Examples:
        >>> from optimotion import optimizers
        >>> optimizers.defaults("adam")
        {'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.0, 'amsgrad': False, 'decoupled_weight_decay': False}
    """  # noqa: E501
    factory = entry(name, "optimizers.defaults").factory
    return {p.name: p.default for p in inspect.signature(factory).parameters.values()}


def get(name: str, **hyperparams: Any) -> Optimizer:
    """Build optimizer `name` with `hyperparams` (the rest at torch's defaults).

    Args:
        name: one of `names()`.
        **hyperparams: hyperparameters named as in `torch.optim` (see
            `defaults(name)`); `lr` may be a number or a schedule.

    Returns:
        The validated `Optimizer`; its `hyperparams` hold every hyperparameter.

    Raises:
        ValueError: on an unknown name or hyperparameter, or an invalid value.
        TypeError: on a value of the wrong type.

    Examples:
        >>> from optimotion import optimizers
        >>> opt = optimizers.get("adam", lr=0.1)
        >>> opt.name, opt.hyperparams["lr"], opt.hyperparams["betas"]
        ('adam', 0.1, (0.9, 0.999))
        >>> optimizers.get("adma")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: `optimizers.get`: unknown optimizer 'adma', expected one of adadelta, adagrad, ..., sgd...; did you mean 'adam'?
        >>> optimizers.get("adam", betas=(0.9, 1.2))
        Traceback (most recent call last):
        ...
        ValueError: `adam`: betas[1] must be in [0, 1), got 1.2
    """  # noqa: E501
    factory = entry(name, "optimizers.get").factory
    keywords(name, "hyperparameter", defaults(name), hyperparams)
    return factory(**hyperparams)


def rebuild(
    optimizer_or_name: Optimizer | str, hyperparams: Mapping[str, Any]
) -> Optimizer:
    """Build an optimizer again with other hyperparameters, without validation.

    For use inside `jax.jit`, where the numbers are traced values that cannot be
    checked: compile one program whose hyperparameters are arguments, so a new
    learning rate reuses it. The boolean flags (`nesterov`, `centered`, `amsgrad`)
    shape the program and must be Python bools. Validate first with `get`.

    Args:
        optimizer_or_name: an `Optimizer`, whose hyperparameters are the base, or a
            name, whose defaults are.
        hyperparams: the hyperparameters to replace (numbers, traced arrays or
            schedules with such leaves).

    Returns:
        The `Optimizer`, its `hyperparams` holding every hyperparameter.

    Raises:
        ValueError: on an unknown name or hyperparameter name (names are static).

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> @jax.jit
        ... def first_step(lr, params):
        ...     opt = optimizers.rebuild("sgd", {"lr": lr})
        ...     updates, _ = opt.update(2 * params, opt.init(params), params)
        ...     return params + updates
        >>> first_step(0.25, jnp.array([1.0, -2.0])).tolist()
        [0.5, -1.0]
    """
    if isinstance(optimizer_or_name, Optimizer):
        name, base = optimizer_or_name.name, optimizer_or_name.hyperparams
    else:
        name, base = optimizer_or_name, None
    found = entry(name, "optimizers.rebuild")
    base = defaults(name) if base is None else base
    keywords(name, "hyperparameter", base, hyperparams)
    return found.rebuild({**base, **hyperparams})


_NAME = re.compile(r"[a-z][a-z0-9_]*")
"""Names given to `register` and `from_optax`: `sign_descent` (a dot is kept for
optax's own, `optax.lion`)."""


def check_name(name: Any, api: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(
            f"`{api}`: the name must be lowercase letters, digits and '_' (a "
            f"letter first), got {name!r}"
        )


_builtin("sgd", "SGD", _sgd.sgd, _sgd._transform)
_builtin("momentum", "Momentum", _sgd.momentum, _sgd._transform)
_builtin("nesterov", "Nesterov", _sgd.nesterov, _sgd._transform)
_builtin("adagrad", "Adagrad", _adagrad.adagrad, _adagrad._transform)
_builtin("rmsprop", "RMSProp", _rmsprop.rmsprop, _rmsprop._transform)
_builtin("adam", "Adam", _adam.adam, _adam._transform)
_builtin("adamw", "AdamW", _adam.adamw, _adam._transform)
_builtin("adadelta", "Adadelta", _adadelta.adadelta, _adadelta._transform)
_builtin("adamax", "Adamax", _adamax.adamax, _adamax._transform)
_builtin("nadam", "NAdam", _nadam.nadam, _nadam._transform)
_builtin("radam", "RAdam", _radam.radam, _radam._transform)
_builtin("rprop", "Rprop", _rprop.rprop, _rprop._transform)
_builtin("asgd", "ASGD", _asgd.asgd, _asgd._transform)
_BUILT_IN_DONE = True
