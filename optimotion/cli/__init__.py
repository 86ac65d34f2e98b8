"""The `optimotion` command: a thin layer over `optimotion.scene` and the renderer.

`main(argv) -> int` parses, loads, calls the library and maps failures to exit codes:
0 success, 2 bad input (scene files, arguments: one line per problem on stderr),
1 an unexpected failure (one line and a hint to rerun with `--debug`). Only the
standard library is imported here; each command imports what it needs, so `--help`
never pays for jax or matplotlib.

The rooms: `_parser.py` every command's arguments; `_main.py` `main`, the exit
codes' mapping and the signals; the commands, each parse -> library -> print, in
`_render.py` (render, validate, gallery), `_catalog.py` (list, new, schema) and
`_race.py` (export, tune, study, explore); `_base.py` what they share.
"""

from ._base import EXIT_BAD_INPUT as EXIT_BAD_INPUT
from ._base import EXIT_FAILURE as EXIT_FAILURE
from ._base import EXIT_OK as EXIT_OK
from ._base import UsageError as UsageError
from ._main import TERMINATING as TERMINATING
from ._main import Terminated as Terminated
from ._main import entry_point as entry_point
from ._main import main as main
from ._parser import build_parser as build_parser

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILURE",
    "EXIT_OK",
    "TERMINATING",
    "Terminated",
    "UsageError",
    "build_parser",
    "entry_point",
    "main",
]
