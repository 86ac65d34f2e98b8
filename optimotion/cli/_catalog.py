"""`list`, `new` and `schema`: what optimotion offers (surfaces, optimizers,
views, schedules, gallery scenes), a starter scene, and the scene files' schema."""

from __future__ import annotations

import argparse
import os
import sys

from .._suggest import did_you_mean
from ._base import EXIT_OK, UsageError, _check_folder

_LIST_KINDS = ("surfaces", "optimizers", "views", "schedules", "scenes")


def _cmd_list(args: argparse.Namespace) -> int:
    kinds = [args.what] if args.what else list(_LIST_KINDS)
    for i, kind in enumerate(kinds):
        if len(kinds) > 1:
            print(("\n" if i else "") + f"{kind}:")
        for line in _LISTERS[kind]():
            print(line)
    return EXIT_OK


def _list_surfaces() -> list[str]:
    from .. import surfaces  # noqa: PLC0415

    lines = []
    for name in surfaces.names():
        s = surfaces.get(name)
        (x0, x1), (y0, y1) = s.window
        lines.append(f"  {name:<16} f = {s.formula}")
        lines.append(
            f"  {'':<16} window x [{x0:g}, {x1:g}], y [{y0:g}, {y1:g}]; "
            f"start ({s.start[0]:g}, {s.start[1]:g})"
            + "".join(f"; minimum ({x:g}, {y:g})" for x, y in s.minima[:3])
        )
    lines.append(
        '  or a formula: surface: {expr: "x**2 - y**2", '
        "window: {x: [-2, 2], y: [-2, 2]}}"
    )
    return lines


def _list_optimizers() -> list[str]:
    import inspect  # noqa: PLC0415

    from .. import optimizers  # noqa: PLC0415

    def line(name: str) -> str:
        return f"  {name:<10} {optimizers.nice_name(name):<10} " + ", ".join(
            k if v is inspect.Parameter.empty else f"{k}={v!r}"
            for k, v in optimizers.defaults(name).items()
        )

    lines = [line(name) for name in optimizers.names("built-in")]
    registered = optimizers.names("registered")
    if registered:
        lines += ["  registered with optimotion.optimizers.register"]
        lines += [line(name) for name in registered]
    try:
        optax_names = sorted(optimizers.optax_names())
    except ImportError as error:
        return [*lines, f"optax: not installed ({error})"]
    lines.append(
        "  optax (in a scene: {optax: NAME, learning_rate: 0.01, ...}; in Python: "
        "optimotion.optimizers.from_optax)"
    )
    for name in optax_names:
        defaults = optimizers.defaults(f"optax.{name}")
        lines.append(
            f"  {name:<10} "
            + ", ".join(
                "learning_rate" if k == "lr" else f"{k}={v!r}"
                for k, v in defaults.items()
                if v is None or isinstance(v, bool | int | float | str) or k == "lr"
            )
        )
    return lines


def _list_views() -> list[str]:
    from ..render import VIEW_DESCRIPTIONS  # noqa: PLC0415 - numpy only

    return [f"  {view:<12} {text}" for view, text in VIEW_DESCRIPTIONS.items()]


def _list_schedules() -> list[str]:
    from ..optimizers import schedules  # noqa: PLC0415

    lines = []
    for name in schedules.names():
        defaults = schedules.defaults(name)
        params = ", ".join(
            f"{k}={defaults[k]!r}" if k in defaults else k
            for k in schedules.parameters(name)
        )
        lines.append(f"  {name:<22} {params}")
    lines.append("  in a scene: lr: {schedule: cosine, lr: 0.1, t_max: 300}")
    return lines


def _list_scenes() -> list[str]:
    from ..scene import gallery_description, gallery_names  # noqa: PLC0415

    names = gallery_names()
    width = max(len(name) for name in names)
    lines = [f"  {name:<{width}}  {gallery_description(name)}" for name in names]
    lines.append("  render one by name: optimotion render beale -o beale.gif")
    return lines


_LISTERS = {
    "surfaces": _list_surfaces,
    "optimizers": _list_optimizers,
    "views": _list_views,
    "schedules": _list_schedules,
    "scenes": _list_scenes,
}


def _cmd_new(args: argparse.Namespace) -> int:
    from .. import surfaces  # noqa: PLC0415
    from ..scene import starter_scene  # noqa: PLC0415

    if args.surface not in surfaces.names():
        hint = did_you_mean(args.surface, surfaces.names(), lead=" — ") or (
            "; see `optimotion list surfaces`"
        )
        raise UsageError(f"unknown surface {args.surface!r}{hint}")
    text = starter_scene(args.surface)
    output = args.output or f"{args.surface}.yaml"
    if output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    if os.path.exists(output) and not args.force:
        raise UsageError(f"{output} exists; use --force to overwrite it")
    _write_text(output, text)
    print(output)
    _write_schema_beside(output, force=args.force)
    return EXIT_OK


def _write_schema_beside(scene_file: str, *, force: bool) -> None:
    """The JSON Schema that a starter scene's first line points editors at
    (`./scene.schema.json`), written next to it unless an identical one is there;
    a different one is replaced only with --force."""
    from ..scene import SCHEMA_FILE, schema_path  # noqa: PLC0415

    text = schema_path().read_text(encoding="utf-8")
    beside = os.path.join(os.path.dirname(scene_file), SCHEMA_FILE)
    if os.path.exists(beside):
        with open(beside, encoding="utf-8", errors="replace") as f:
            if f.read() == text:
                return
        if not force:
            print(
                f"optimotion new: {beside} differs from this optimotion's scene "
                "schema; kept (--force replaces it)",
                file=sys.stderr,
            )
            return
    _write_text(beside, text)
    print(beside)


def _cmd_schema(args: argparse.Namespace) -> int:
    from ..scene import schema_json  # noqa: PLC0415

    text = schema_json()
    if args.output:
        _write_text(args.output, text)
        print(args.output)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _write_text(output: str, text: str) -> None:
    from .._atomic import atomic_open  # noqa: PLC0415

    _check_folder(output)
    with atomic_open(output, encoding="utf-8") as f:
        f.write(text)
