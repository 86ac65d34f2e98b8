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
import secrets
from collections.abc import Iterator
from typing import IO, Any


def temp_path(path: pathlib.Path, *, directory: bool = False) -> pathlib.Path:
    """A fresh file (or folder) next to `path`, named `.STEM.RANDOM.part.EXT` so
    that it keeps the extension (ffmpeg reads it), with the usual permissions
    (0666 or 0777 less the umask, as `open` would give)."""
    for _ in range(100):
        name = path.parent / f".{path.stem}.{secrets.token_hex(4)}.part{path.suffix}"
        try:
            if directory:
                os.mkdir(name, 0o777)
            else:
                os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return name
    raise FileExistsError(f"no free temporary name next to {os.fspath(path)!r}")


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
