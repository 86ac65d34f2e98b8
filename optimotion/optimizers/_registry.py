"""Optimizers by name: `get`, `names`, `defaults` and `rebuild`."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from . import _adadelta, _adagrad, _adam, _rmsprop, _sgd
from ._base import Builder, Optimizer, build
from ._checks import choice_error, keywords

_REGISTRY: dict[str, tuple[Builder, Callable[..., Any]]] = {
    "sgd": (_sgd.sgd, _sgd._transform),
    "momentum": (_sgd.momentum, _sgd._transform),
    "nesterov": (_sgd.nesterov, _sgd._transform),
    "adagrad": (_adagrad.adagrad, _adagrad._transform),
    "rmsprop": (_rmsprop.rmsprop, _rmsprop._transform),
    "adam": (_adam.adam, _adam._adam_transform),
    "adamw": (_adam.adamw, _adam._adamw_transform),
    "adadelta": (_adadelta.adadelta, _adadelta._transform),
}
"""name -> (validating factory, unvalidated `transform(**hp) -> (init, update)`)."""


NICE_NAMES = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
    "adadelta": "Adadelta",
}
"""The default legend label of each optimizer."""


def nice_name(name: str) -> str:
    """`"rmsprop"` -> `"RMSProp"`: the default label of an optimizer."""
    return NICE_NAMES.get(name, name.title())


def names() -> tuple[str, ...]:
    """The optimizer names, sorted.

    Examples:
        >>> from optimotion import optimizers
        >>> optimizers.names()
        ('adadelta', 'adagrad', 'adam', 'adamw', 'momentum', 'nesterov', 'rmsprop', 'sgd')
    """  # noqa: E501
    return tuple(sorted(_REGISTRY))


def _entry(name: str, api: str) -> tuple[Builder, Callable[..., Any]]:
    if name not in _REGISTRY:
        raise ValueError(choice_error(api, "optimizer", name, _REGISTRY))
    return _REGISTRY[name]


def defaults(name: str) -> dict[str, Any]:
    """Every hyperparameter of optimizer `name` with its default (torch's).

    Raises:
        ValueError: on an unknown name.

    Examples:
        >>> from optimotion import optimizers
        >>> optimizers.defaults("adam")
        {'lr': 0.001, 'betas': (0.9, 0.999), 'eps': 1e-08, 'weight_decay': 0.0, 'amsgrad': False}
    """  # noqa: E501
    factory, _ = _entry(name, "optimizers.defaults")
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
        >>> optimizers.get("adma")
        Traceback (most recent call last):
        ...
        ValueError: `optimizers.get`: unknown optimizer 'adma', expected one of adadelta, adagrad, adam, adamw, momentum, nesterov, rmsprop, sgd; did you mean 'adam'?
        >>> optimizers.get("adam", betas=(0.9, 1.2))
        Traceback (most recent call last):
        ...
        ValueError: `adam`: betas[1] must be in [0, 1), got 1.2
    """  # noqa: E501
    factory, _ = _entry(name, "optimizers.get")
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
    _, transform = _entry(name, "optimizers.rebuild")
    base = defaults(name) if base is None else base
    keywords(name, "hyperparameter", base, hyperparams)
    return build(name, transform, {**base, **hyperparams})
