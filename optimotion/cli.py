"""The `optimotion` command: a thin layer over `optimotion.scene` and the renderer.

`main(argv) -> int` parses, loads, calls the library and maps failures to exit codes:
0 success, 2 bad input (scene files, arguments: one line per problem on stderr),
1 an unexpected failure (one line and a hint to rerun with `--debug`). Only the
standard library is imported here; each command imports what it needs, so `--help`
never pays for jax or matplotlib.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import re
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from typing import NoReturn

from ._suggest import did_you_mean

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

_DESCRIPTION = """\
Animations of optimizers racing on loss surfaces, from one YAML scene file.

  optimotion render beale -o beale.gif       (a gallery scene, by name)
  optimotion new saddle -o saddle.yaml && optimotion render saddle.yaml
  optimotion list scenes

Exit codes: 0 success, 2 bad input (scene, arguments), 1 unexpected failure
(rerun with --debug for the traceback)."""


class UsageError(Exception):
    """Bad input that is not a scene problem (arguments, files); exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors raised (not printed and exited), and a
    suggestion for a mistyped choice."""

    def error(self, message: str):  # type: ignore[override]
        match = re.fullmatch(
            r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)", message
        )
        if match:  # the same words on every Python version, and a suggestion
            argument, value, listed = match.groups()
            choices = re.findall(r"[\w-]+", listed)
            hint = did_you_mean(value, choices, lead=" — ")
            message = (
                f"argument {argument}: unknown choice '{value}'; expected one of: "
                f"{', '.join(choices)}{hint}"
            )
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an unexpected failure",
    )
    common.add_argument(
        "--plugin",
        dest="plugins",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE (a module name, or a .py file) first, e.g. one that "
        "calls optimotion.optimizers.register (repeatable)",
    )
    return common


def _load_plugins(plugins: Sequence[str]) -> None:
    """Import each `--plugin` module (a name on sys.path or the working folder, or
    a `.py` file), so the optimizers it registers can be used by name."""
    import importlib  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415
    import os  # noqa: PLC0415

    for plugin in plugins:
        try:
            if plugin.endswith(".py"):
                name = os.path.splitext(os.path.basename(plugin))[0]
                spec = importlib.util.spec_from_file_location(name, plugin)
                if spec is None or spec.loader is None or not os.path.isfile(plugin):
                    raise ImportError(f"no file {plugin}")
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            else:
                if os.getcwd() not in sys.path:
                    sys.path.insert(0, os.getcwd())
                importlib.import_module(plugin)
        except ImportError as error:
            raise UsageError(f"--plugin {plugin}: cannot import it: {error}") from None


def _scene_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scene field before validation, e.g. --set render.fps=24 "
        "--set optimizers[0].lr=0.1 (values are read as YAML; repeatable)",
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `optimotion` (standard library only)."""
    from . import __version__  # lazy package attribute: no heavy import

    parser = _Parser(
        prog="optimotion",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common, scene = _common(), _scene_options()

    def command(name: str, help: str, *parents: argparse.ArgumentParser):
        return commands.add_parser(
            name, help=help, description=help, parents=[common, *parents]
        )

    p = command(
        "render", "render a scene to GIF, MP4, WebM, PNG frames or a still", scene
    )
    p.add_argument("scene", metavar="SCENE", help=_SCENE_HELP)
    p.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file (default: the scene's render.output, else "
        "SCENE's name with .mp4); the extension picks the format",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument(
        "--force",
        action="store_true",
        help="let the scene's own render.output replace an existing file",
    )
    p.add_argument(
        "--no-limits",
        action="store_true",
        help="render even if the estimated work is over the budget",
    )
    p.add_argument(
        "--low-res",
        action="store_true",
        help="a quick small version: at most 400 px wide, at most 12 fps",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="race again even if these dynamics were rendered before (see "
        "OPTIMOTION_CACHE_DIR in the README)",
    )
    p.set_defaults(run=_cmd_render)

    p = command(
        "validate", "check scene files; print every problem, exit 0 or 2", scene
    )
    p.add_argument("scenes", nargs="+", metavar="SCENE", help=_SCENE_HELP)
    p.add_argument(
        "--no-limits",
        action="store_true",
        help="accept scenes whose estimated work is over the budget",
    )
    p.set_defaults(run=_cmd_validate)

    p = command("list", "list surfaces, optimizers, views, schedules or scenes")
    p.add_argument(
        "what",
        nargs="?",
        choices=_LIST_KINDS,
        metavar="WHAT",
        help="one of: " + ", ".join(_LIST_KINDS) + " (default: all)",
    )
    p.set_defaults(run=_cmd_list)

    p = command("new", "write a starter scene for a surface")
    p.add_argument(
        "surface",
        metavar="SURFACE",
        help="a surface name (see `optimotion list surfaces`)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write it (default: SURFACE.yaml; '-' for stdout)",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(run=_cmd_new)

    p = command(
        "gallery", "render the gallery's scenes in parallel, with an index.html"
    )
    p.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="only these scenes (default: all; see `optimotion list scenes`)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default="gallery",
        help="output folder (default: gallery)",
    )
    p.add_argument(
        "--scenes",
        metavar="DIR",
        help="a folder of *.yaml scenes instead of the gallery shipped with optimotion",
    )
    p.add_argument(
        "--low-res",
        action="store_true",
        help="quick small versions (as render --low-res)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: the number of cores)",
    )
    p.set_defaults(run=_cmd_gallery)

    p = command(
        "export",
        "write a scene's trajectories to CSV or JSON, without rendering",
        scene,
    )
    p.add_argument("scene", metavar="SCENE", help=_SCENE_HELP)
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        required=True,
        help="FILE.csv (one row per path and step) or FILE.json",
    )
    p.set_defaults(run=_cmd_export)

    p = command(
        "tune",
        "choose learning rates on a grid (one compiled program) and print the table",
        scene,
    )
    p.add_argument("scene", metavar="SCENE", help=_SCENE_HELP)
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE.yaml",
        help="write the scene with the chosen learning rates",
    )
    p.set_defaults(run=_cmd_tune)

    p = command(
        "explore",
        "open a scene in an interactive window: click to restart, sliders, keys",
        scene,
    )
    p.add_argument("scene", metavar="SCENE", help=_SCENE_HELP)
    p.add_argument(
        "--max-steps",
        type=int,
        metavar="N",
        help="steps computed per interaction (default: twice the scene's)",
    )
    p.set_defaults(run=_cmd_explore)

    p = command(
        "study",
        "run a scene's ensembles; write stats.csv, stats.json and plots",
        scene,
    )
    p.add_argument("scene", metavar="SCENE", help="a YAML scene with `ensemble:`")
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        required=True,
        help="the folder to write into (created if missing, its parent must exist)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.set_defaults(run=_cmd_study)

    p = command("schema", "print (or write) the JSON Schema of scene files")
    p.add_argument("-o", "--output", metavar="FILE", help="write it to FILE")
    p.set_defaults(run=_cmd_schema)
    return parser


_LIST_KINDS = ("surfaces", "optimizers", "views", "schedules", "scenes")
_SCENE_HELP = "a YAML scene file, or a gallery scene's name (`optimotion list scenes`)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0, 1 or 2)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else EXIT_OK
    try:
        _load_plugins(getattr(args, "plugins", ()))
        with _signals_interrupt():
            return args.run(args) or EXIT_OK
    except UsageError as error:
        print(f"optimotion {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as error:
        signum = getattr(error, "signum", signal.SIGINT)
        if signum == signal.SIGINT:
            print("optimotion: interrupted", file=sys.stderr)
        else:
            name = signal.Signals(signum).name
            print(f"optimotion: terminated ({name})", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:  # `optimotion list | head`
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the one place that maps failures
        from .scene import SceneError  # noqa: PLC0415 - loaded by any scene command

        if isinstance(error, SceneError):
            print(error, file=sys.stderr)
            return EXIT_BAD_INPUT
        failure = _known_failure(error)
        if failure is not None:
            code, message = failure
            print(f"optimotion {args.command}: {message}", file=sys.stderr)
            return code
        if args.debug:
            traceback.print_exc()
        else:
            first = (str(error).splitlines() or [""])[0][:300]
            print(
                f"optimotion {args.command}: unexpected {type(error).__name__}: "
                f"{first} (rerun with --debug for the traceback)",
                file=sys.stderr,
            )
        return EXIT_FAILURE


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, like Ctrl-C's
    KeyboardInterrupt: every `finally` and `abort` runs, so no partial output
    (`.part` file or folder) is left. `signum` is the signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


TERMINATING = (signal.SIGTERM, signal.SIGHUP)
"""Signals handled like SIGINT: a closed terminal, `timeout`, a job scheduler."""


@contextlib.contextmanager
def _signals_interrupt():
    """SIGTERM and SIGHUP raise `Terminated` while a command runs (main thread
    only); a second signal during the cleanup is ignored; the previous handlers
    come back after."""
    import threading  # noqa: PLC0415

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        for s in TERMINATING:
            signal.signal(s, signal.SIG_IGN)  # let the cleanup finish
        raise Terminated(signum)

    previous = {s: signal.signal(s, handler) for s in TERMINATING}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def _known_failure(error: BaseException) -> tuple[int, str] | None:
    """`(exit code, one line)` for failures that are not bugs: a bad output (exit
    2) or a write that failed, such as a full disk (exit 1)."""
    import errno  # noqa: PLC0415

    render = sys.modules.get("optimotion.render")  # never imported just for this
    if isinstance(error, getattr(render, "OutputError", ())):
        return EXIT_BAD_INPUT, str(error).removeprefix("`render`: ")
    if isinstance(error, getattr(render, "WriteError", ())):
        return EXIT_FAILURE, str(error).removeprefix("`render`: ")
    disk = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES)
    if isinstance(error, OSError) and error.errno in disk:
        where = f" {error.filename!r}" if error.filename else " the output"
        reason = error.strerror or os.strerror(error.errno)
        return EXIT_FAILURE, f"cannot write{where}: {reason}; nothing was written"
    return None


def entry_point() -> NoReturn:
    """The `optimotion` program (console script and `python -m optimotion`):
    `main`, then exit with its code.

    By then every file is written and closed, so the objects left (jax's and
    matplotlib's, millions after a render) are frozen out of the interpreter's
    final garbage collections: `gc.freeze()` saves about 0.3 s of shutdown.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


# --- commands ------------------------------------------------------------------


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
    from .render import destination_problem, format_of, output_problem  # noqa: PLC0415
    from .scene import load_scene, low_res_overrides, render_scene  # noqa: PLC0415

    with _Status(not args.quiet and sys.stderr.isatty()) as status:
        status(f"loading {args.scene}")
        file = _scene_file(args.scene)
        overrides = list(args.overrides)
        if args.low_res:
            overrides += low_res_overrides(load_scene(file, overrides))
        scene = load_scene(file, overrides)
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
    from .scene import Issue, SceneError  # noqa: PLC0415

    problem = scene.work().problem()
    if problem:
        raise SceneError([Issue(source, None, "", problem + "; or pass --no-limits")])


def _cmd_validate(args: argparse.Namespace) -> int:
    from .scene import SceneError, load_scene  # noqa: PLC0415

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


def _cmd_list(args: argparse.Namespace) -> int:
    kinds = [args.what] if args.what else list(_LIST_KINDS)
    for i, kind in enumerate(kinds):
        if len(kinds) > 1:
            print(("\n" if i else "") + f"{kind}:")
        for line in _LISTERS[kind]():
            print(line)
    return EXIT_OK


def _list_surfaces() -> list[str]:
    from . import surfaces  # noqa: PLC0415

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

    from . import optimizers  # noqa: PLC0415

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
    from .render import VIEW_DESCRIPTIONS  # noqa: PLC0415 - numpy only

    return [f"  {view:<12} {text}" for view, text in VIEW_DESCRIPTIONS.items()]


def _list_schedules() -> list[str]:
    from .optimizers import schedules  # noqa: PLC0415

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
    from .scene import gallery_description, gallery_names  # noqa: PLC0415

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
    from . import surfaces  # noqa: PLC0415
    from .scene import starter_scene  # noqa: PLC0415

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
    from .scene import SCHEMA_FILE, schema_path  # noqa: PLC0415

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


def _scene_file(scene: str) -> str:
    """The file a SCENE argument names: a file of that name if one exists, else
    the gallery scene of that name."""
    looks_like_a_path = scene.endswith((".yaml", ".yml")) or os.sep in scene
    if os.path.exists(scene) or looks_like_a_path or "/" in scene:
        return scene  # a path (load_scene reports one that does not exist)
    from .scene import gallery_names, gallery_path  # noqa: PLC0415

    names = gallery_names()
    if scene in names:
        return str(gallery_path(scene))
    hint = did_you_mean(scene, names, lead=" — ") or "; see `optimotion list scenes`"
    raise UsageError(f"{scene}: no such file or gallery scene{hint}")


def _gallery_scenes(folder: str | None, names: Sequence[str]) -> list[str]:
    import pathlib  # noqa: PLC0415

    from .scene import gallery_folder  # noqa: PLC0415

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
    from .scene import SceneError, load_scene, render_gallery  # noqa: PLC0415

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


def _cmd_export(args: argparse.Namespace) -> int:
    from .scene import export, load_scene  # noqa: PLC0415

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
    from .scene import load_scene, tuned_scene, write_scene  # noqa: PLC0415

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
    from .interactive import NoDisplayError, explore  # noqa: PLC0415

    explorer = explore(
        _scene_file(args.scene), overrides=args.overrides, max_steps=args.max_steps
    )
    try:
        explorer.show()
    except NoDisplayError as error:
        raise UsageError(str(error)) from None
    return EXIT_OK


def _cmd_study(args: argparse.Namespace) -> int:
    from .scene import load_scene  # noqa: PLC0415

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
    from .study import study  # noqa: PLC0415

    result = study(
        scene, folder, name=args.scene, progress=False if args.quiet else None
    )
    if not args.quiet:
        print(result.summary)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    from .scene import schema_json  # noqa: PLC0415

    text = schema_json()
    if args.output:
        _write_text(args.output, text)
        print(args.output)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _check_folder(output: str) -> None:
    """An output in a folder that does not exist is the user's mistake (exit 2),
    found before any work."""
    folder = os.path.dirname(output.rstrip("/")) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"-o {output}: folder {folder}/ does not exist")


def _write_text(output: str, text: str) -> None:
    from ._atomic import atomic_open  # noqa: PLC0415

    _check_folder(output)
    with atomic_open(output, encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":  # pragma: no cover
    entry_point()
