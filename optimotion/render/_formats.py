"""Output formats: one registry (matplotlib's `writers.register` is the model) where
each format declares how it is written and its own limits, and the rules on where an
output may go.

`output_problem(output, spec)` is the one check of an output against a
`RenderSpec`: scene validation reports it at its field, `render()` raises it before
any work. `destination_problem(output, ...)` checks the file system (the folder
exists and is writable, the names fit, nothing is overwritten that the render did
not create) and is asked by `render()` and the command line before any work.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import pathlib
import stat
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

from ._particles import ENSEMBLE_VIEWS

if TYPE_CHECKING:  # pragma: no cover
    from ._spec import RenderSpec

Kind = Literal["movie", "frames", "still", "player"]
Problem = tuple[str, str]
"""`(field, message)`: the `render.FIELD` at fault and what is wrong."""

FRAMES = "/"
"""The registry key of a folder of PNG frames (an output ending in '/')."""

TEMP_EXTRA = len(".") + len(".12345678.part")
"""Characters a temporary name adds to the output's name (`_atomic.temp_path`)."""

MANIFEST = ".optimotion-frames"
"""The file a frames folder's render leaves beside its `frame_*.png`: only frames
listed there are ever replaced by a later render."""


class OutputError(ValueError):
    """An output that cannot be written (format, limits or destination): bad input,
    found before any work."""


@dataclasses.dataclass(frozen=True)
class OutputFormat:
    """One output format.

    Attributes:
        suffix: the extension (`.gif`), or `FRAMES` for a folder of PNG frames.
        kind: `movie` (frames into a `sink`), `frames` (a folder of PNGs, also a
            sink), `still` (the last frame, `savefig`), `player` (the HTML player).
        description: a few words for messages and docs.
        limits: `limits(spec) -> (field, message) | None`, what this format cannot
            do with `spec`.
        sink: `sink(path, exact_colors) -> Sink` for movies and frames folders.
    """

    suffix: str
    kind: Kind
    description: str
    limits: Callable[[RenderSpec], Problem | None] = lambda spec: None
    sink: Callable[..., object] | None = None


_REGISTRY: dict[str, OutputFormat] = {}


def register(fmt: OutputFormat) -> OutputFormat:
    """Add (or replace) a format, keyed by its suffix; returns it."""
    _REGISTRY[fmt.suffix] = fmt
    return fmt


def formats() -> Iterator[OutputFormat]:
    """Every registered format, in registration order."""
    return iter(tuple(_REGISTRY.values()))


def suffixes(kind: Kind | None = None) -> tuple[str, ...]:
    """The registered file extensions (of one kind)."""
    return tuple(
        f.suffix
        for f in _REGISTRY.values()
        if f.suffix != FRAMES and (kind is None or f.kind == kind)
    )


def names_frames_folder(output: str | os.PathLike) -> bool:
    """Whether `output` asks for a folder of PNG frames: it ends in a separator."""
    return os.fspath(output).endswith(("/", os.sep))


def format_of(output: str | os.PathLike) -> OutputFormat:
    """The format of `output` by its extension (or trailing '/').

    Raises:
        OutputError: no registered format has this extension.
    """
    if names_frames_folder(output):
        return _REGISTRY[FRAMES]
    text = os.fspath(output)
    ext = os.path.splitext(text)[1].lower()
    if ext in _REGISTRY:
        return _REGISTRY[ext]
    if not ext and os.path.isdir(text):
        raise OutputError(
            f"{_show(text)} is a folder; to write PNG frames into a folder, end the "
            "output with '/'"
        )
    got = f"'{ext}'" if ext else "no extension"
    raise OutputError(
        f"unknown output format {got} in {_show(text)}; expected one of: "
        f"{', '.join(suffixes())}, or a folder ending in '/'"
    )


def output_problem(output: str | os.PathLike, spec: RenderSpec) -> Problem | None:
    """`(field, message)` saying why `output` cannot be written for `spec`, or None:
    an unusable name (empty, NUL), an unknown format, or the format's limits."""
    text = os.fspath(output)
    if not text:
        return "output", "must not be empty"
    if "\0" in text:
        return "output", f"must not contain a NUL character, got {_show(text)}"
    try:
        fmt = format_of(text)
    except OutputError as error:
        return "output", str(error)
    return fmt.limits(spec)


def check_output(output: str | os.PathLike, spec: RenderSpec) -> OutputFormat:
    """The format of `output`; raises `OutputError` with `output_problem`'s
    message if there is one."""
    problem = output_problem(output, spec)
    if problem is not None:
        field, message = problem
        raise OutputError(f"`render`: {field}: {message}")
    return format_of(output)


# --- where an output may go ----------------------------------------------------


def scene_output_problem(output: str) -> str | None:
    """Why a scene file may not name `output`, or None.

    An output named inside a scene is relative and stays inside the folder the
    render runs from: no absolute path or drive, no `..`, no NUL or control
    character. (`destination_problem(..., inside=...)` also follows links.)
    """
    if "\0" in output:
        return f"must not contain a NUL character, got {_show(output)}"
    if any(ord(c) < 32 or ord(c) == 127 for c in output):
        return f"must not contain control characters, got {_show(output)}"
    pure = pathlib.PurePosixPath(output.replace("\\", "/"))
    windows = pathlib.PureWindowsPath(output)
    if pure.is_absolute() or windows.drive or windows.root or output.startswith("~"):
        return (
            f"must be a relative path inside the folder the render runs from, got "
            f"{_show(output)}; use `optimotion render -o` to write elsewhere"
        )
    if ".." in pure.parts:
        return (
            f"must stay inside the folder the render runs from ('..' is not "
            f"allowed), got {_show(output)}; use `optimotion render -o` to write "
            "elsewhere"
        )
    return None


def destination_problem(
    output: str | os.PathLike,
    *,
    inside: str | os.PathLike | None = None,
    force: bool = True,
) -> str | None:
    """Why `output` cannot be written here and now, or None; checked before any
    work.

    Args:
        output: the output path.
        inside: a folder the output must stay inside once links are followed (a
            scene's own output: the folder the render runs from), or None.
        force: whether an existing file may be replaced (a scene's own output needs
            `--force`; the command line's `-o` may replace a file).
    """
    text = os.fspath(output)
    folder_out = names_frames_folder(text)
    path = pathlib.Path(text)
    parent_text = os.fspath(path.parent) or "."
    if not os.path.isdir(parent_text):
        return f"folder {_plain(parent_text)}/ does not exist"
    if inside is not None:
        root = os.path.realpath(inside)
        real = os.path.realpath(text)
        if os.path.commonpath([root, real]) != root:
            return (
                f"{_show(text)} leads outside the folder the render runs from "
                f"(to {_show(real)}); use `optimotion render -o` to write elsewhere"
            )
    problem = _name_problem(path, parent_text, folder_out)
    if problem:
        return problem
    if not _writable(parent_text):
        return f"folder {_plain(parent_text)}/ is not writable"
    if os.path.lexists(text):
        try:
            mode = os.stat(text).st_mode
        except OSError:
            return f"{_show(text)} is a broken link"
        if folder_out:
            if not stat.S_ISDIR(mode):
                return f"{_show(text)} is not a folder"
            return _frames_folder_problem(path)
        if stat.S_ISDIR(mode):
            return (
                f"{_show(text)} is a folder; to write PNG frames into a folder, end "
                "the output with '/'"
            )
        if not stat.S_ISREG(mode):
            return f"{_show(text)} is not a regular file"
        if not force:
            return (
                f"{_show(text)} exists; use --force to overwrite it, or -o to "
                "write elsewhere"
            )
    return None


def _name_problem(path: pathlib.Path, parent: str, folder_out: bool) -> str | None:
    """The final and temporary names must fit the file system's name limit."""
    try:
        limit = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    name = path.name
    longest = len(os.fsencode(name)) + TEMP_EXTRA
    if longest > limit:
        return (
            f"the file name {_show(name)} is {len(os.fsencode(name))} bytes long; "
            f"with its temporary name it must fit in {limit}, so at most "
            f"{limit - TEMP_EXTRA}"
        )
    return None


def _writable(folder: str) -> bool:
    """Whether a file can be created in `folder` (tried, not guessed from the mode
    bits: root ignores them, a read-only mount does not)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return False
        return True  # e.g. a full disk: the write itself will say so
    return True


def _frames_folder_problem(folder: pathlib.Path) -> str | None:
    """An existing frames folder: its `frame_*.png` are replaced only if a render
    wrote them (listed in its `MANIFEST`)."""
    ours = set(read_manifest(folder))
    foreign = sorted(p.name for p in folder.glob("frame_*.png") if p.name not in ours)
    if foreign:
        return (
            f"folder {_plain(os.fspath(folder))}/ holds {len(foreign)} "
            f"frame_*.png file(s) that optimotion did not write (e.g. "
            f"{foreign[0]}); remove them or choose another folder"
        )
    return None


def read_manifest(folder: pathlib.Path) -> list[str]:
    """The frame names a previous render wrote into `folder` (none if unreadable)."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [
        name
        for name in text.splitlines()
        if name.startswith("frame_") and name.endswith(".png") and "/" not in name
    ]


def _plain(text: str, limit: int = 80) -> str:
    """`text` with control characters escaped, cut short, unquoted."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")


def _show(text: str, limit: int = 80) -> str:
    """`text` quoted, escaped and cut short, for a one-line message."""
    shown = repr(text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


# --- the formats -----------------------------------------------------------------

_VIDEO = "(.mp4, .webm or .gif)"


def _even(spec: RenderSpec, ext: str) -> Problem | None:
    w, h = spec.size
    if w % 2 or h % 2:
        even = [w + w % 2, h + h % 2]
        return (
            "size",
            f"{ext} needs even pixel sizes (yuv420p), got [{w}, {h}]; use {even}",
        )
    return None


def _gif_limits(spec: RenderSpec) -> Problem | None:
    from ._gif import fps_problem

    problem = fps_problem(spec.fps)
    return ("fps", problem) if problem else None


def _html_limits(spec: RenderSpec) -> Problem | None:
    if "surface3d" in spec.views and spec.camera.moves:
        return "camera", (
            "the .html player draws a fixed 3-D view; a moving camera (orbit or "
            f"keyframes) needs a video {_VIDEO}"
        )
    if spec.arrows:
        return "arrows", (
            f"the .html player does not draw arrows; use a video {_VIDEO} or set "
            "arrows to false"
        )
    shown = [v for v in spec.views if v in ENSEMBLE_VIEWS]
    if shown:
        return "views", (
            f"the .html player cannot show the {shown[0]!r} view; render ensembles "
            f"to a video {_VIDEO}, PNG frames or a still"
        )
    return None


def _gif_sink(path, exact_colors=()):
    from ._gif import GifSink
    from ._sinks import ThreadedSink

    return ThreadedSink(GifSink(path, exact_colors))


def _ffmpeg_sink(path, exact_colors=()):
    from ._sinks import FFmpegSink

    return FFmpegSink(path)


def _frames_sink(path, exact_colors=()):
    from ._sinks import PngFolderSink, ThreadedSink

    return ThreadedSink(PngFolderSink(path))


register(OutputFormat(".gif", "movie", "animated GIF", _gif_limits, _gif_sink))
register(
    OutputFormat(
        ".mp4", "movie", "H.264 video", lambda s: _even(s, ".mp4"), _ffmpeg_sink
    )
)
register(
    OutputFormat(
        ".webm", "movie", "VP9 video", lambda s: _even(s, ".webm"), _ffmpeg_sink
    )
)
register(OutputFormat(".pdf", "still", "the last frame, vector"))
register(OutputFormat(".png", "still", "the last frame"))
register(OutputFormat(".svg", "still", "the last frame, vector"))
register(
    OutputFormat(".html", "player", "a self-contained browser player", _html_limits)
)
register(OutputFormat(FRAMES, "frames", "a folder of PNG frames", sink=_frames_sink))
