"""`--set KEY=VALUE` overrides: a patch on the scene's data, applied before validation.

`KEY` is a field path (`render.fps`, `optimizers[0].lr`, `surface.window.x[1]`) and
`VALUE` is read as YAML (`24`, `0.1`, `[640, 360]`, `{schedule: cosine, lr: 0.1}`),
so an override is validated exactly like the same value written in the file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ._errors import Path, format_path, show
from ._yaml import SafeLoader, YamlProblem

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class OverrideProblem(Exception):
    """A malformed or inapplicable override; `text` is the override as given."""

    def __init__(self, text: str, message: str, path: str = ""):
        self.text = text
        self.message = message
        self.path = path
        super().__init__(message)


def parse_path(key: str) -> Path:
    """`"optimizers[0].lr"` -> `("optimizers", 0, "lr")`."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(key):
        if parts and key[pos] == ".":
            pos += 1
        match = _PART.match(key, pos)
        if match is None or (match.group(2) is not None and not parts):
            raise ValueError(
                f"expected a field path such as render.fps or optimizers[0].lr, "
                f"got {key!r}"
            )
        name, index = match.groups()
        parts.append(name if name is not None else int(index))
        pos = match.end()
    if not parts:
        raise ValueError("expected a field path such as render.fps, got ''")
    return tuple(parts)


def parse_override(text: str) -> tuple[Path, Any]:
    """`"render.fps=24"` -> `(("render", "fps"), 24)`, the value read as YAML."""
    key, sep, value = text.partition("=")
    if not sep:
        raise OverrideProblem(text, f"expected KEY=VALUE, got {text!r}")
    try:
        path = parse_path(key.strip())
    except ValueError as error:
        raise OverrideProblem(text, str(error)) from None
    try:
        parsed = yaml.load(value, Loader=SafeLoader)  # noqa: S506 - a SafeLoader
    except YamlProblem as problem:
        raise OverrideProblem(text, problem.message, format_path(path)) from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise OverrideProblem(
            text, f"the value is not valid YAML: {problem}", format_path(path)
        ) from None
    return path, parsed


def _copy(value: Any) -> Any:
    """A deep copy that also unshares YAML aliases, so a patch changes one place."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def apply(data: dict, overrides: list[tuple[str, Path, Any]]) -> dict:
    """A copy of `data` with each `(text, path, value)` set in order."""
    data = _copy(data)
    for text, path, value in overrides:
        node: Any = data
        for depth, part in enumerate(path[:-1]):
            node = _child(node, part, path[: depth + 1], text, create=path[depth + 1])
        _set(node, path[-1], value, path, text)
    return data


def _child(node: Any, part: str | int, where: Path, text: str, create: str | int):
    _check_container(node, part, where, text)
    if isinstance(part, str):
        if part not in node or node[part] is None:
            node[part] = {} if isinstance(create, str) else []
        return node[part]
    return node[part]


def _set(node: Any, part: str | int, value: Any, path: Path, text: str) -> None:
    _check_container(node, part, path, text)
    node[part] = value


def _check_container(node: Any, part: str | int, where: Path, text: str) -> None:
    parent = format_path(where[:-1]) or "the scene"
    if isinstance(part, str):
        if not isinstance(node, dict):
            raise OverrideProblem(
                text,
                f"cannot set a key inside {parent}: it is {show(node)}, not a mapping",
                format_path(where),
            )
    else:
        if not isinstance(node, list):
            raise OverrideProblem(
                text,
                f"cannot index {parent}: it is {show(node)}, not a list",
                format_path(where),
            )
        if not 0 <= part < len(node):
            raise OverrideProblem(
                text,
                f"index {part} is out of range: {parent} has {len(node)} "
                f"item{'s' if len(node) != 1 else ''}",
                format_path(where),
            )
