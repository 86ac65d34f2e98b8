"""pydantic's validation errors as scene messages: a clean field path and plain words.

pydantic puts union tags into an error's location (`optimizers.2.adam.lr`); walking
the schema's types along the location tells tags from field names, and finds the
model whose keys an unknown key should be compared with.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pydantic

from ._errors import Path, did_you_mean, one_of, show


def _strip(tp: Any) -> tuple[Any, list[Any]]:
    """`tp` without `Annotated` wrappers (and `None` in `X | None`), plus metadata."""
    meta: list[Any] = []
    while True:
        if get_origin(tp) is Annotated:
            tp, *extra = get_args(tp)
            meta.extend(extra)
        elif _is_union(tp):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp, meta
            tp = members[0]
        else:
            return tp, meta


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _tag_of(member: Any) -> set[object]:
    """The tags that select a union member: a `Tag`, or a model's Literal field."""
    base, meta = _strip(member)
    tags = {m.tag for m in meta if isinstance(m, pydantic.Tag)}
    if not tags and isinstance(base, type) and issubclass(base, pydantic.BaseModel):
        for field in base.model_fields.values():
            if get_origin(field.annotation) is Literal:
                tags.update(get_args(field.annotation))
    return tags


def walk(root: type[pydantic.BaseModel], loc: tuple) -> tuple[Path, Any]:
    """`(path, type)`: `loc` without union tags, and the type found at its end."""
    path: list[str | int] = []
    tp: Any = root
    for part in loc:
        tp = _strip(tp)[0] if tp is not None else None
        if _is_union(tp):
            chosen = [m for m in get_args(tp) if part in _tag_of(m)]
        else:  # a one-member discriminated union is the model itself
            chosen = [tp] if part in _tag_of(tp) - set(_model_keys(tp)) else []
        if chosen:  # `part` is a union tag, not a field: skip it
            tp = chosen[0]
            continue
        path.append(part)
        if tp is None or _is_union(tp):
            tp = None
        elif isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = field.annotation if field is not None else None
        elif get_origin(tp) in (list, tuple) and isinstance(part, int):
            args = [a for a in get_args(tp) if a is not Ellipsis]
            tp = args[min(part, len(args) - 1)] if args else None
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            tp = None
    if tp is not None:
        tp, _ = _strip(tp)
    return tuple(path), tp


def _members(tp: Any) -> tuple[Any, ...]:
    """The members of a union type (a lone model for a one-member union)."""
    return get_args(tp) if _is_union(tp) else (tp,) if tp is not None else ()


def _model_keys(tp: Any) -> list[str]:
    tp, _ = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return list(tp.model_fields)
    return []


_UNION_TAG = ("union_tag_invalid", "union_tag_not_found", "optimizer_tag")
"""pydantic's union-tag errors, and the optimizers' own (`_optimizer_tag`)."""

_NUMBER_WORDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def translate(root: type[pydantic.BaseModel], error: Any) -> list[tuple[Path, str]]:
    """One pydantic error dict -> `[(field path, message), ...]`."""
    kind = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        path, _ = walk(root, loc)
        _, parent = walk(root, loc[:-1])
        keys = _model_keys(parent)
        name = loc[-1]
        hint = did_you_mean(name, keys) or (
            f"; expected {one_of(keys)}" if keys else ""
        )
        owner = getattr(parent, "scene_name", None)
        where = f" for `{owner}`" if owner else ""
        return [(path, f"unknown key '{name}'{where}{hint}")]
    path, tp = walk(root, loc)
    if kind in _UNION_TAG and isinstance(value, dict):
        path = (*path, ctx.get("discriminator", "").strip("'"))
    if kind == "scene":  # our own validators: the messages are final
        return [((*path, *at), message) for at, message in ctx["items"]]
    if kind == "missing" and loc:
        parent_path, parent = walk(root, loc[:-1])
        if get_origin(parent) is tuple and isinstance(value, list | tuple):
            want = len([a for a in get_args(parent) if a is not Ellipsis])
            return [(parent_path, f"expected {want} items, got {len(value)}")]
    return [(path, _message(kind, ctx, value, tp, error["msg"]))]


def _message(kind: str, ctx: dict, value: Any, tp: Any, default: str) -> str:
    got = f"got {show(value)}"
    if kind == "missing":
        return "required field is missing"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, {got}"
    if kind == "finite_number":
        return f"expected a finite number, {got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, {got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, {got}"
    if kind == "string_type":
        return f"expected text, {got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = _model_keys(tp)
        fields = f" with keys from: {', '.join(keys)}" if keys else ""
        return f"expected a mapping{fields}, {got}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, {got}"
    if kind in ("too_short", "too_long"):
        return _length(kind, ctx, value)
    if kind in _NUMBER_WORDS:
        limit = next(iter(v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le")))
        shown = (
            f"{limit:,}"
            if isinstance(limit, int) and abs(limit) >= 10_000
            else (f"{limit:g}")
        )
        return f"must be {_NUMBER_WORDS[kind]} {shown}, {got}"
    if kind == "literal_error":
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", ctx.get("expected", ""))
        hint = did_you_mean(value, choices)
        return (
            f"unknown value {show(value)}{hint}"
            if hint
            else (f"expected {one_of(choices)}, {got}")
        )
    if kind in _UNION_TAG:
        key = ctx.get("discriminator", "").strip("'")
        tags = {str(t) for m in _members(tp) for t in _tag_of(m)}
        if "~registered" in tags:  # the optimizers: names registered at run time
            from ..optimizers import names  # noqa: PLC0415

            tags |= set(names("registered"))
        choices = sorted(t for t in tags if not t.startswith("~"))
        if not isinstance(value, dict):
            return f"expected a mapping with a '{key}' key, {got}"
        if key not in value:
            return f"required field is missing; expected {one_of(choices)}"
        tag = value[key]
        what = {"name": "optimizer", "schedule": "schedule", "kind": "noise kind"}
        return f"unknown {what.get(key, key)} {show(tag)}" + (
            did_you_mean(tag, choices) or f"; expected {one_of(choices)}"
        )
    if kind == "string_too_long":
        return f"is {len(value)} characters long; the limit is {ctx['max_length']}"
    if kind == "value_error":
        return str(ctx.get("error", default))
    return default[0].lower() + default[1:] if default else kind


def _length(kind: str, ctx: dict, value: Any) -> str:
    n = len(value) if isinstance(value, typing.Sized) else ctx.get("actual_length")
    if ctx.get("field_type") == "Tuple":
        want = ctx.get("max_length") or ctx.get("min_length")
        if kind == "too_long" or want is None:
            return f"expected {want} items, got {n}"
    if kind == "too_short":
        need = ctx.get("min_length")
        return f"expected at least {need} item{'s' * (need != 1)}, got {n}"
    most = ctx.get("max_length")
    return f"expected at most {most} item{'s' * (most != 1)}, got {n}"
