"""Shared pieces of the scene schema: the base model, strict scalars, limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, NoReturn, TypeVar

import pydantic
from pydantic import AllowInfNan, Strict
from pydantic_core import PydanticCustomError

from ..render import MAX_SIDE as MAX_SIDE  # bounds on each side of render.size
from ..render import MIN_SIDE as MIN_SIDE
from ..surfaces import MAX_LENGTH

T = TypeVar("T")

MAX_STEPS = 100_000
"""Most optimizer steps a scene may ask for."""
MAX_FRAMES = 3_000
"""Most frames (motion plus hold) a scene may render."""
MAX_EXPR = MAX_LENGTH
"""Longest formula (characters) a `surface.expr` may be (the parser's limit)."""
MAX_TEXT = 200
"""Longest title or label (characters)."""
MAX_STARTS = 16
"""Most start points a scene may race from."""
MAX_OPTIMIZERS = 16
"""Most optimizers a scene may race."""
MAX_PATHS = 32
"""Most paths (start points times optimizers) a scene may draw."""
MAX_SEED = 2**32 - 1
"""Largest seed (an unsigned 32-bit integer, as numpy's legacy seeds)."""

Number = Annotated[float, Strict(), AllowInfNan(False)]
"""A finite number; YAML `true` or `'3'` are not numbers."""
Whole = Annotated[int, Strict()]
"""An integer; `3.0` is not accepted where a count is meant."""
Flag = Annotated[bool, Strict()]
"""`true` or `false`."""
Point = tuple[Number, Number]
"""A point `[x, y]`."""


class Model(pydantic.BaseModel):
    """Scene models: unknown keys are errors and values never change after loading."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    def _once(self, name: str, make: Callable[[], T]) -> T:
        """`make()`, computed once per model (e.g. the optimizer its validation
        built) and kept beside the fields under `name`: not a field, so never
        compared or dumped."""
        if name not in self.__dict__:
            object.__setattr__(self, name, make())
        return self.__dict__[name]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep=False):
        """pydantic's copy, less what `_once` kept: an updated copy computes it
        again from its own fields (`low_res` copies a scene with a new size)."""
        copied = super().model_copy(update=update, deep=deep)
        for name in [k for k in copied.__dict__ if k.startswith("_")]:
            del copied.__dict__[name]
        return copied


def fail(message: str, *at: str | int) -> NoReturn:
    """Raise a validation error whose message is final, `at` a sub-path of the field."""
    fail_many([(at, message)])


def fail_many(items: list[tuple[tuple[str | int, ...], str]]) -> NoReturn:
    """Raise several problems of one value at once: `[(sub-path, message), ...]`."""
    raise PydanticCustomError(
        "scene", "{message}", {"message": items[0][1], "items": items}
    )


def text(value: str, what: str = "text") -> str:
    """Check a title or label's length, and that its `$...$` math can be drawn."""
    if len(value) > MAX_TEXT:
        fail(f"{what} is {len(value):,} characters long; the limit is {MAX_TEXT}")
    if "$" in value:
        from ..render import mathtext_problem  # noqa: PLC0415

        problem = mathtext_problem(value)
        if problem:
            fail(f"{what} {value!r}: {problem}")
    return value
