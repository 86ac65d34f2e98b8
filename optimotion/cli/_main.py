"""`main`: parse, run the command, map failures to exit codes; the signals that
interrupt a command; `entry_point`, the `optimotion` program."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from ._base import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError
from ._parser import build_parser


def _load_plugins(plugins: Sequence[str]) -> None:
    """Import each `--plugin` module (a name on sys.path or the working folder, or
    a `.py` file), so the optimizers it registers can be used by name."""
    import importlib  # noqa: PLC0415
    import importlib.util  # noqa: PLC0415

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
        from ..scene import SceneError  # noqa: PLC0415 - loaded by any scene command

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
