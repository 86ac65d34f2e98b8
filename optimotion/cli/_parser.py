"""`build_parser`: every command's arguments, standard library only (`--help`
never pays for jax or matplotlib)."""

from __future__ import annotations

import argparse
import re

from .._suggest import did_you_mean
from ._base import UsageError
from ._catalog import _LIST_KINDS, _cmd_list, _cmd_new, _cmd_schema
from ._race import _cmd_explore, _cmd_export, _cmd_study, _cmd_tune
from ._render import _cmd_gallery, _cmd_render, _cmd_validate

_DESCRIPTION = """\
Animations of optimizers racing on loss surfaces, from one YAML scene file.

  optimotion render beale -o beale.gif       (a gallery scene, by name)
  optimotion new saddle -o saddle.yaml && optimotion render saddle.yaml
  optimotion list scenes

Exit codes: 0 success, 2 bad input (scene, arguments), 1 unexpected failure
(rerun with --debug for the traceback)."""

_SCENE_HELP = "a YAML scene file, or a gallery scene's name (`optimotion list scenes`)"


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
    from .. import __version__  # lazy package attribute: no heavy import

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
