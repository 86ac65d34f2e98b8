"""Schedules by name: `get`, `names`, `parameters`, `defaults`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .._checks import choice_error, keywords
from ._factories import (
    constant,
    cosine,
    cosine_warm_restarts,
    cyclic,
    exponential,
    inverse_time,
    step_decay,
)
from ._schedules import Schedule

_FACTORIES: dict[str, Callable[..., Schedule]] = {
    f.__name__: f
    for f in (
        constant,
        step_decay,
        exponential,
        inverse_time,
        cosine,
        cyclic,
        cosine_warm_restarts,
    )
}


def names() -> tuple[str, ...]:
    """The schedule names, sorted.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> schedules.names()[:3]
        ('constant', 'cosine', 'cosine_warm_restarts')
    """
    return tuple(sorted(_FACTORIES))


def _factory(name: str) -> Callable[..., Schedule]:
    if name not in _FACTORIES:
        raise ValueError(choice_error("schedules.get", "schedule", name, _FACTORIES))
    return _FACTORIES[name]


def parameters(name: str) -> tuple[str, ...]:
    """The parameter names of schedule `name`, in signature order.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> schedules.parameters("cosine")
        ('lr', 't_max', 'eta_min')
    """
    return tuple(inspect.signature(_factory(name)).parameters)


def defaults(name: str) -> dict[str, Any]:
    """The parameters of schedule `name` that have a default, with it (as torch).

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> schedules.defaults("step_decay")
        {'gamma': 0.1}
    """
    parameters = inspect.signature(_factory(name)).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not p.empty}


def get(name: str, **kwargs: Any) -> Schedule:
    """Build the schedule `name` from keyword arguments, validated.

    Args:
        name: one of `names()`.
        **kwargs: the schedule's parameters (see `parameters(name)`).

    Returns:
        The schedule, a NamedTuple pytree callable as `schedule(step)`.

    Raises:
        ValueError: on an unknown name or parameter, a missing required parameter,
            or an invalid value.
        TypeError: on a value of the wrong type.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> schedules.get("exponential", lr=1.0, gamma=0.5)
        Exponential(lr=1.0, gamma=0.5)
        >>> schedules.get("cosin", lr=1.0)
        Traceback (most recent call last):
        ...
        ValueError: `schedules.get`: unknown schedule 'cosin', expected one of constant, cosine, cosine_warm_restarts, cyclic, exponential, inverse_time, step_decay; did you mean 'cosine'?
    """  # noqa: E501
    factory = _factory(name)
    keywords(name, "parameter", parameters(name), kwargs)
    optional = defaults(name)
    missing = [k for k in parameters(name) if k not in optional and k not in kwargs]
    if missing:
        raise ValueError(
            f"`{name}`: missing required parameter(s) {', '.join(missing)}"
        )
    return factory(**kwargs)
