"""`load_scene`: YAML text -> overrides patched in -> one validation -> `Scene`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pydantic

from ._errors import Issue, Path, SceneError, format_path, show
from ._overrides import OverrideProblem, apply, parse_override
from ._schema import Scene
from ._translate import translate
from ._yaml import MAX_BYTES, YamlProblem, parse


def load_scene(path: str | os.PathLike, overrides: Iterable[str] = ()) -> Scene:
    """Read, patch and validate a scene file.

    Args:
        path: the YAML scene file.
        overrides: `KEY=VALUE` strings (`render.fps=24`, `optimizers[0].lr=0.1`)
            applied to the file's data before validation; values are read as YAML.

    Returns:
        The validated `Scene`.

    Raises:
        SceneError: listing every problem found, one line each:
            `FILE:LINE: field.path: message`.

    Examples:
        >>> import pathlib, tempfile
        >>> file = pathlib.Path(tempfile.mkdtemp()) / "scene.yaml"
        >>> _ = file.write_text("surface: saddle\\noptimizers:\\n  - {name: sgd}\\n")
        >>> load_scene(file, ["optimizers[0].lr=0.5"]).optimizers[0].lr
        0.5
    """
    source = os.fspath(path)
    try:
        with open(source, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_BYTES:
                message = (
                    f"the file is {size:,} bytes; scene files are limited to "
                    f"{MAX_BYTES:,} bytes"
                )
                raise SceneError([Issue(source, None, "", message)])
            raw = f.read()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise SceneError([Issue(source, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise SceneError([Issue(source, None, "", "is a folder, not a file")]) from None
    except PermissionError:
        raise SceneError([Issue(source, None, "", "permission denied")]) from None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SceneError(
            [Issue(source, line, "", "not UTF-8 text; save the file as UTF-8")]
        ) from None
    return parse_scene(text, source=source, overrides=overrides)


def parse_scene(
    text: str, *, source: str = "<scene>", overrides: Iterable[str] = ()
) -> Scene:
    """`load_scene` for YAML text; `source` names it in messages."""
    try:
        data, lines, problems = parse(text)
    except YamlProblem as problem:
        raise SceneError([Issue(source, problem.line, "", problem.message)]) from None
    issues = [Issue(source, p.line, "", p.message) for p in problems]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        message = (
            "expected a mapping of scene fields (surface, optimizers, ...), "
            f"got {show(data)}"
        )
        raise SceneError([*issues, Issue(source, 1, "", message)])

    patches: list[tuple[str, Path, Any]] = []
    try:
        for override in overrides:
            patches.append((override, *parse_override(override)))
        data = apply(data, patches)
    except OverrideProblem as problem:
        issue = Issue(source, None, problem.path, problem.message, problem.text)
        raise SceneError([*issues, issue]) from None

    try:
        scene = Scene.model_validate(data)
    except pydantic.ValidationError as error:
        for item in error.errors(include_url=False):
            for path, message in translate(Scene, item):
                issues.append(_locate(source, path, message, lines, patches))
    if issues:
        raise SceneError(_ordered(issues))
    return scene


def _locate(
    source: str,
    path: Path,
    message: str,
    lines: dict[Path, int],
    patches: list[tuple[str, Path, Any]],
) -> Issue:
    """The issue at `path`: from the last override that set it, else the YAML line of
    the deepest part of `path` that the file has."""
    for text, patched, _ in reversed(patches):
        if path[: len(patched)] == patched:
            return Issue(source, None, format_path(path), message, text)
    for depth in range(len(path), -1, -1):
        if path[:depth] in lines:
            return Issue(source, lines[path[:depth]], format_path(path), message)
    return Issue(source, 1, format_path(path), message)


def _ordered(issues: list[Issue]) -> list[Issue]:
    """File order, then overrides; stable, without repeats."""
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (i.override is not None, i.line or 0))
