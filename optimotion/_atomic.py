"""Output files appear whole or not at all: written under a temporary name in the
output's own folder (so the final rename is atomic) and renamed when complete.

Every file optimotion writes goes through here: animations (the sinks keep a
`temp_path` open across frames), stills, the HTML player, scene files, exports and
the gallery's index.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile
from collections.abc import Iterator
from typing import IO, Any


def temp_path(path: pathlib.Path, *, directory: bool = False) -> pathlib.Path:
    """A fresh name next to `path` that keeps its extension (ffmpeg reads it)."""
    prefix = f".{path.stem}."
    suffix = f".part{path.suffix}"
    umask = os.umask(0o022)  # mkstemp makes 0600 files; outputs get the usual mode
    os.umask(umask)
    if directory:
        made = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=path.parent))
        made.chmod(0o777 & ~umask)
        return made
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    os.close(fd)
    os.chmod(name, 0o666 & ~umask)
    return pathlib.Path(name)


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[pathlib.Path]:
    """Yields a temporary path next to `path`; renamed to `path` when the block
    completes, removed if it raises (Ctrl-C included)."""
    path = pathlib.Path(path)
    tmp = temp_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, **kwargs: Any) -> Iterator[IO[Any]]:
    """`open(path, "w", **kwargs)` on a temporary file, renamed to `path` when the
    block completes, removed if it raises."""
    with replacing(path) as tmp, open(tmp, "w", **kwargs) as f:
        yield f
