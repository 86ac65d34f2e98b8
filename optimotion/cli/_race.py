"""`export`, `tune`, `study` and `explore`: race a scene without rendering an
animation, and write, print or show what the race gives."""

from __future__ import annotations

import argparse
import os

from ._base import EXIT_OK, UsageError, _check_folder, _scene_file


def _cmd_export(args: argparse.Namespace) -> int:
    from ..scene import export, load_scene  # noqa: PLC0415

    if os.path.splitext(args.output)[1].lower() not in (".csv", ".json"):
        raise UsageError(f"-o {args.output}: expected a .csv or .json file")
    _check_folder(args.output)
    scene = load_scene(_scene_file(args.scene), args.overrides)
    built = scene.build()
    export(scene, built, built.race(), args.output)
    print(args.output)
    return EXIT_OK


def _cmd_tune(args: argparse.Namespace) -> int:
    """Tune the scene's `lr: auto` optimizers, or all with a numeric lr if none
    is `auto`; print each one's table; write the tuned scene with `-o`."""
    from ..scene import load_scene, tuned_scene, write_scene  # noqa: PLC0415

    if args.output:
        if os.path.splitext(args.output)[1].lower() not in (".yaml", ".yml"):
            raise UsageError(f"-o {args.output}: expected a .yaml file")
        _check_folder(args.output)
    scene = load_scene(_scene_file(args.scene), args.overrides)
    data, results = tuned_scene(scene)
    for label, result in results.items():
        print(
            f"{label}: lr = "
            + ("none (all diverged)" if result.lr is None else f"{result.lr:.4g}")
        )
        print(f"  {'lr':>10}  {'final loss':>12}  {'steps to tol':>12}")
        for lr, final, reach in result.table():
            mark = " *" if lr == result.lr else ""
            loss = "diverged" if final != final else f"{final:.4g}"
            steps = "" if reach < 0 else str(reach)
            print(f"  {lr:>10.4g}  {loss:>12}  {steps:>12}{mark}")
    if args.output:
        write_scene(args.output, data, note=f"{args.scene}, learning rates tuned")
        print(args.output)
    return EXIT_OK


def _cmd_explore(args: argparse.Namespace) -> int:
    from ..interactive import NoDisplayError, explore  # noqa: PLC0415

    explorer = explore(
        _scene_file(args.scene), overrides=args.overrides, max_steps=args.max_steps
    )
    try:
        explorer.show()
    except NoDisplayError as error:
        raise UsageError(str(error)) from None
    return EXIT_OK


def _cmd_study(args: argparse.Namespace) -> int:
    from ..scene import load_scene  # noqa: PLC0415

    scene = load_scene(_scene_file(args.scene), args.overrides)
    if scene.ensemble is None:
        raise UsageError(
            f"{args.scene}: no `ensemble:` section; study runs ensembles, e.g. "
            "ensemble: {n: 2000, exit_radius: 1}"
        )
    folder = args.output.rstrip("/") or "/"
    _check_folder(folder)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UsageError(f"-o {args.output}: exists and is not a folder")
    os.makedirs(folder, exist_ok=True)
    from ..study import study  # noqa: PLC0415

    result = study(
        scene, folder, name=args.scene, progress=False if args.quiet else None
    )
    if not args.quiet:
        print(result.summary)
    return EXIT_OK
