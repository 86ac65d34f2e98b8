"""Reading a scene's YAML safely, keeping the line of every field.

Only PyYAML's `SafeLoader` is used (no Python tags, no code). Its one change is
that `1e-3` reads as a number, as in YAML 1.2 and JSON, rather than as the string
`'1e-3'` of YAML 1.1. Composing the node tree first gives each field path the line
it was written on; duplicate keys (which YAML silently collapses) are errors.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ._errors import Path, format_path

MAX_BYTES = 1_000_000
"""Scene files larger than this are refused before parsing."""
MAX_NODES = 10_000
"""YAML values, counted while composing and again with aliases expanded (guards
against huge lists and alias bombs); a full scene holds a few hundred."""


class YamlProblem(Exception):
    """A YAML-level problem: `line` (1-based or None) and `message`."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


class SafeLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that also reads `1e-3` and `1E+5` as floats, and stops
    composing once it has built `MAX_NODES` nodes (so a huge flow list is refused
    after a fraction of the file, not after building it all)."""

    _nodes = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML's hook
        self._nodes += 1
        if self._nodes > MAX_NODES:
            mark = self.peek_event().start_mark
            raise YamlProblem(
                mark.line + 1,
                f"the YAML holds more than {MAX_NODES:,} values; scene files are "
                f"limited to {MAX_NODES:,}",
            )
        return super().compose_node(parent, index)


SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _mark_line(error: yaml.YAMLError, text: str) -> int | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if _at_end(error) and getattr(error, "context_mark", None) is not None:
        mark = error.context_mark  # where the unclosed thing starts
    if mark is not None:
        return mark.line + 1
    position = getattr(error, "position", None)  # ReaderError
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1
    return None


def _at_end(error: yaml.YAMLError) -> bool:
    return "<stream end>" in (getattr(error, "problem", None) or "")


def _describe(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.reader.ReaderError):
        char = error.character
        code = char if isinstance(char, int) else ord(char[:1] or "\0")
        return (
            f"a control character U+{code:04X} is not allowed in a scene file "
            "(not even in a comment)"
        )
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if isinstance(error, yaml.constructor.ConstructorError):
        if "could not determine a constructor" in problem:
            tag = problem.rsplit(" ", 1)[-1].strip("'")
            tag = tag.replace("tag:yaml.org,2002:", "!!")
            return f"YAML tags such as {tag} are not allowed in scene files"
    if isinstance(error, yaml.composer.ComposerError) and "another document" in problem:
        return "a second YAML document starts here; a scene file holds one"
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None)
    column = f" (column {mark.column + 1})" if mark is not None else ""
    if _at_end(error) and context:  # reported at the line where it starts
        what = context.removeprefix("while parsing ").removeprefix("a ")
        expected = problem.split(", but")[0]
        return f"invalid YAML: the {what} that starts here is never closed ({expected})"
    if "'\\t'" in problem:
        return f"invalid YAML: a tab character; indent with spaces{column}"
    return f"invalid YAML: {problem}" + (f" {context}" if context else "") + column


def parse(text: str) -> tuple[Any, dict[Path, int], list[YamlProblem]]:
    """Parse one YAML document.

    Returns:
        `(data, lines, problems)`: the plain data, the 1-based line of every field
        path, and the non-fatal problems found (duplicate keys).

    Raises:
        YamlProblem: if the text is not one valid YAML document of sane size.
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlProblem(
            None,
            f"the file is {size:,} bytes; scene files are limited to "
            f"{MAX_BYTES:,} bytes",
        )
    loader = None
    try:
        loader = SafeLoader(text)  # checks every character: inside the handling
        # One parse: compose the node tree, check its size and record its lines,
        # and only then construct the data (so an alias bomb is never expanded).
        node = loader.get_single_node()
        lines: dict[Path, int] = {}
        problems: list[YamlProblem] = []
        data = None
        if node is not None:
            _walk(node, (), lines, problems, {})
            data = loader.construct_document(node)
    except yaml.YAMLError as error:
        raise YamlProblem(_mark_line(error, text), _describe(error)) from None
    except RecursionError:
        raise YamlProblem(None, "the YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines, problems


def _count(node: yaml.Node, memo: dict[int, int]) -> int:
    """Values under `node` with aliases expanded (memoized per node object)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0  # a recursive alias counts once; the loader rejects it later
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(_count(k, memo) + _count(v, memo) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(_count(v, memo) for v in node.value)
        else:
            total = 1
        memo[key] = total
    return memo[key]


def _walk(
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    problems: list[YamlProblem],
    memo: dict[int, int],
) -> None:
    if not path:
        total = _count(node, memo)
        if total > MAX_NODES:
            raise YamlProblem(
                None,
                f"the YAML expands to {total:,} values (aliases included); "
                f"scene files are limited to {MAX_NODES:,}",
            )
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    YamlProblem(key_node.start_mark.line + 1, "keys must be names")
                )
                continue
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key == "<<":  # merge key: its fields are checked where they land
                continue
            if key in seen:
                where = format_path((*path, key))
                problems.append(
                    YamlProblem(
                        line,
                        f"{where}: duplicate key '{key}' (first on line {seen[key]})",
                    )
                )
                continue
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, problems, memo)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines, problems, memo)
