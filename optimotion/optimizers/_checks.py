"""Eager validation shared by the optimizer and schedule factories.

Messages read "`adam`: betas[1] must be in [0, 1), got 1.2": the API in backticks,
the field, the rule, the value. A `Check` collects every bad value of one call and
raises them together, so a user fixes them all in one run; a wrong *type* raises
`TypeError` at once.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from .._suggest import did_you_mean


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class Check:
    """Collects the value errors of one factory call; `done()` raises them."""

    def __init__(self, api: str):
        self.api = api
        self.errors: list[str] = []

    def number(self, field: str, value: Any) -> bool:
        """True when `value` is a finite real number (TypeError if not a number)."""
        if not _is_number(value):
            raise TypeError(
                f"`{self.api}`: {field} must be a number, "
                f"got {value!r} of type {type(value)}"
            )
        if not math.isfinite(value):
            self.errors.append(f"{field} must be finite, got {value!r}")
            return False
        return True

    def at_least(self, field: str, value: Any, low: float = 0.0) -> None:
        if self.number(field, value) and not value >= low:
            self.errors.append(f"{field} must be >= {low:g}, got {value!r}")

    def pair(self, field: str, value: Any) -> None:
        """`value` is a pair (tuple or list) of numbers (TypeError if not)."""
        if (
            not isinstance(value, tuple | list)
            or len(value) != 2
            or not all(_is_number(v) for v in value)
        ):
            raise TypeError(
                f"`{self.api}`: {field} must be a pair of numbers, "
                f"got {value!r} of type {type(value)}"
            )

    def within(
        self, field: str, value: Any, low: float, high: float, *, open_high: bool
    ) -> None:
        """`value` in [low, high) (`open_high`) or [low, high]."""
        if not self.number(field, value):
            return
        inside = low <= value < high if open_high else low <= value <= high
        if not inside:
            bracket = ")" if open_high else "]"
            self.errors.append(
                f"{field} must be in [{low:g}, {high:g}{bracket}, got {value!r}"
            )

    def integer(self, field: str, value: Any, low: int = 1) -> None:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(
                f"`{self.api}`: {field} must be an integer, "
                f"got {value!r} of type {type(value)}"
            )
        if value < low:
            self.errors.append(f"{field} must be >= {low}, got {value!r}")

    def flag(self, field: str, value: Any) -> None:
        if not isinstance(value, bool):
            raise TypeError(
                f"`{self.api}`: {field} must be a bool, "
                f"got {value!r} of type {type(value)}"
            )

    def fail(self, message: str) -> None:
        self.errors.append(message)

    def done(self) -> None:
        if self.errors:
            raise ValueError(f"`{self.api}`: " + "; ".join(self.errors))


def choice_error(api: str, what: str, value: str, allowed: Iterable[str]) -> str:
    """ "`api`: unknown what 'x', expected one of a, b, c; did you mean 'y'?"."""
    allowed = sorted(allowed)
    message = f"`{api}`: unknown {what} {value!r}, expected one of {', '.join(allowed)}"
    return message + did_you_mean(str(value), allowed)


def keywords(
    api: str, what: str, accepted: Iterable[str], given: Iterable[str]
) -> None:
    """Raise ValueError on the first keyword in `given` that is not `accepted`."""
    accepted = list(accepted)
    for key in given:
        if key not in accepted:
            raise ValueError(choice_error(api, what, key, accepted))
