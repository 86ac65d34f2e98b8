"""Output files appear whole or not at all: written under a temporary name in the
output's own folder (so the final rename is atomic) and renamed when complete."""

from __future__ import annotations

import os
import pathlib
import tempfile


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
