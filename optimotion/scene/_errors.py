"""`SceneError` and the one-line messages it carries, one per problem found."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from .. import _suggest

Path = tuple[str | int, ...]
"""A field path such as `("optimizers", 2, "name")`."""


def format_path(path: Path) -> str:
    """`("optimizers", 2, "name")` -> `"optimizers[2].name"`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`" — did you mean 'adam'?"` for the closest choice, or `""` if none is close."""
    return _suggest.did_you_mean(word, choices, lead=" — ")


def one_of(choices: Iterable[str]) -> str:
    """`"one of: 'a', 'b', 'c'"`, sorted."""
    return "one of: " + ", ".join(f"'{c}'" for c in sorted(choices))


def show(value: object, limit: int = 40) -> str:
    """A value as the user wrote it in YAML, cut short if long."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


MAX_ECHO = 80
"""Longest piece of user text (a key, a value, an override) echoed in a message."""
MAX_LINE = 400
"""Longest message line."""


def clean(text: str, limit: int = MAX_LINE) -> str:
    """`text` made safe for one message line: control characters (a newline that
    could forge a second line, an escape sequence) shown escaped, and cut short."""
    if text.isprintable() and len(text) <= limit:
        return text
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 3] + "..."


@dataclasses.dataclass(frozen=True)
class Issue:
    """One problem in a scene: where it is and what is wrong.

    Attributes:
        file: the scene file as the user named it.
        line: the 1-based YAML line, or None where no line applies.
        path: the field path (`optimizers[2].name`), or `""` for the whole file.
        message: what was expected, with a suggestion where one is close.
        override: the `--set KEY=VALUE` that supplied the value, if one did.
    """

    file: str
    line: int | None
    path: str
    message: str
    override: str | None = None

    def __str__(self) -> str:
        file = clean(self.file, MAX_ECHO * 2)
        if self.override is not None:
            where = f"{file} (--set {clean(self.override, MAX_ECHO)})"
        elif self.line is not None:
            where = f"{file}:{self.line}"
        else:
            where = file
        path = clean(self.path, MAX_ECHO)
        return clean(
            f"{where}: {path}: {self.message}" if path else f"{where}: {self.message}"
        )


class SceneError(ValueError):
    """A scene file or its overrides are invalid.

    `str(error)` is one line per problem, `FILE:LINE: field.path: message`, and
    `error.issues` holds them as `Issue` objects. Every problem found in the one
    validation pass is reported, not only the first.
    """

    def __init__(self, issues: Sequence[Issue]):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    def __reduce__(self):  # rebuilt from the issues, e.g. across processes
        return type(self), (self.issues,)
