"""`render`, `validate` and `gallery`: scenes to animations, and the checks made
before any work (the budget, where the output goes)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from .._suggest import did_you_mean
from ._base import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, _scene_file


class _Status:
    """`render`'s stage line on a terminal: what it is doing from the start
    (loading, compiling, drawing; the progress bar then takes the line over), and
    a one-line summary left at the end. Nothing when stderr is not a terminal.
    As a context manager, it clears its line if the command fails."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, stage: str) -> None:
        self._write(f"{stage} …")

    def __enter__(self) -> _Status:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self._write("")

    def _write(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"\r\x1b[K{text}")
            sys.stderr.flush()

    def finish(self, output: str, frames: int) -> None:
        """Replace the stage line by `beale.gif: 241 kB, 150 frames, 2.7 s`; on
        stdout, instead of the bare path, when that is a terminal too."""
        if os.path.isdir(output):
            size = sum(e.stat().st_size for e in os.scandir(output) if e.is_file())
        else:
            size = os.path.getsize(output)
        amount = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"
        seconds = time.perf_counter() - self.start
        self._write("")
        counted = f"{frames} frame" + ("s" if frames != 1 else "")
        summary = f"{output}: {amount}, {counted}, {seconds:.1f} s"
        if sys.stdout.isatty():
            print(summary)
        else:
            print(summary, file=sys.stderr)
            print(output)


def _cmd_render(args: argparse.Namespace) -> int:
    from ..render import destination_problem, format_of, output_problem  # noqa: PLC0415
    from ..scene import load_scene, low_res, render_scene  # noqa: PLC0415

    with _Status(not args.quiet and sys.stderr.isatty()) as status:
        status(f"loading {args.scene}")
        file = _scene_file(args.scene)
        scene = load_scene(file, args.overrides)
        if args.low_res:
            scene = low_res(scene)
        if not args.no_limits:
            _check_budget(args.scene, scene)
        stem = os.path.splitext(os.path.basename(args.scene))[0]
        output, where, inside, force = _render_output(args, scene, stem)
        problem = output_problem(output, scene.spec())
        if problem:
            field, message = problem
            raise UsageError(f"{where}: render.{field}: {message}")
        problem = destination_problem(output, inside=inside, force=force)
        if problem:
            raise UsageError(f"{where}: {problem}")
        render_scene(
            scene, output, fmt=format_of(output), status=status,
            progress=False if args.quiet else None, cache=not args.no_cache,
            compilation_cache=True,
        )  # fmt: skip
        if status.enabled:
            still = os.path.splitext(output)[1].lower() in (".png", ".svg", ".pdf")
            status.finish(output, 1 if still else scene.frames())
        elif not args.quiet:
            print(output)
    return EXIT_OK


def _render_output(args, scene, stem: str) -> tuple[str, str, str | None, bool]:
    """`(output, where it came from, folder it must stay in, may it replace a
    file)`: `-o` goes anywhere and replaces; a scene's own output (from the file
    or a `--set`) stays inside the current folder and replaces only with --force;
    the default (SCENE's name with .mp4, in the current folder) replaces."""
    if args.output:
        return args.output, f"-o {_echo(args.output)}", None, True
    if scene.render.output:
        output = scene.render.output
        where = f"{_echo(args.scene)}: render.output {_echo(output)}"
        for override in reversed(args.overrides):
            key = override.partition("=")[0].replace(" ", "")
            if key in ("render.output", "render"):
                where = f"--set {_echo(override)}"
                break
        return output, where, os.getcwd(), args.force
    output = f"{stem}.mp4"
    return output, f"default output {_echo(output)}", None, True


def _echo(text: str, limit: int = 80) -> str:
    """User text for a one-line message: control characters escaped, cut short."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")


def _check_budget(source: str, scene) -> None:
    """Refuse a scene whose estimated work is over the budget (`--no-limits`
    lifts it)."""
    from ..scene import Issue, SceneError  # noqa: PLC0415

    problem = scene.work().problem()
    if problem:
        raise SceneError([Issue(source, None, "", problem + "; or pass --no-limits")])


def _cmd_validate(args: argparse.Namespace) -> int:
    from ..scene import SceneError, load_scene  # noqa: PLC0415

    status = EXIT_OK
    for path in args.scenes:  # each file reported on its own
        try:
            scene = load_scene(_scene_file(path), args.overrides)
            if not args.no_limits:
                _check_budget(path, scene)
        except SceneError as error:
            print(error, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"{_echo(path, 200)}: ok ({scene.summary()}; {scene.work()})")
    return status


def _gallery_scenes(folder: str | None, names: Sequence[str]) -> list[str]:
    import pathlib  # noqa: PLC0415

    from ..scene import gallery_folder  # noqa: PLC0415

    where = gallery_folder() if folder is None else pathlib.Path(folder)
    files = {p.stem: str(p) for p in sorted(where.glob("*.yaml"))}
    if not files:
        raise UsageError(f"no *.yaml scenes in {folder}; pass --scenes DIR")
    for name in names:
        if name not in files:
            hint = did_you_mean(name, files, lead=" — ") or (
                f"; expected one of: {', '.join(files)}"
            )
            raise UsageError(f"no scene {name!r} in {where}{hint}")
    return [files[name] for name in dict.fromkeys(names)] or list(files.values())


def _cmd_gallery(args: argparse.Namespace) -> int:
    from ..scene import SceneError, load_scene, render_gallery  # noqa: PLC0415

    files = _gallery_scenes(args.scenes, args.names)
    problems = []
    for file in files:  # one validation pass before any rendering
        try:
            _check_budget(file, load_scene(file))
        except SceneError as error:
            problems.append(str(error))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {args.jobs}")
    results = render_gallery(files, args.output, jobs=args.jobs, low_res=args.low_res)
    for r in results:
        outcome = r.output if r.error is None else f"FAILED: {r.error}"
        print(f"{r.scene}: {outcome} ({r.seconds:.1f} s)")
    print(os.path.join(args.output, "index.html"))
    failed = sum(r.error is not None for r in results)
    if failed:
        print(
            f"optimotion gallery: {failed} of {len(results)} scenes failed",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK
