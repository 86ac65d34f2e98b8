"""Frame sinks: `setup / grab_frame / finish` (matplotlib's `AbstractMovieWriter`
shape) over a temporary file in the output's folder that is renamed only when the
file is complete, so an error or Ctrl-C never leaves a half-written output."""

from __future__ import annotations

import contextlib
import os
import pathlib
import shutil
import warnings
from collections.abc import Iterator, Sequence
from typing import Protocol

import numpy as np

from .._atomic import temp_path
from ._gif import GifSink, fps_problem

MOVIE_FORMATS = (".gif", ".mp4", ".webm")
STILL_FORMATS = (".pdf", ".png", ".svg")
FORMATS = (*MOVIE_FORMATS, *STILL_FORMATS, ".html")
"""Output extensions: animations, stills of the last frame, the browser player."""


def is_folder(output: str | os.PathLike) -> bool:
    """Whether `output` means a folder of PNG frames: a path ending in a separator,
    or an existing folder."""
    text = os.fspath(output)
    return text.endswith(("/", os.sep)) or os.path.isdir(text)


def output_problem(
    output: str | os.PathLike, size: tuple[int, int], fps: float
) -> tuple[str, str] | None:
    """`(field, message)` saying why `output` cannot be written with frames of
    `size` pixels at `fps`, or None. `render` checks this before any work; scene
    files report it at their `render.FIELD`."""
    if is_folder(output):
        return None
    text = os.fspath(output)
    ext = os.path.splitext(text)[1].lower()
    if ext not in FORMATS:
        got = f"'{ext}'" if ext else "no extension"
        return "output", (
            f"unknown output format {got} in {text!r}; expected one of: "
            f"{', '.join(FORMATS)}, or a folder ending in '/'"
        )
    if ext in (".mp4", ".webm") and (size[0] % 2 or size[1] % 2):
        even = [size[0] + size[0] % 2, size[1] + size[1] % 2]
        return "size", (
            f"{ext} needs even pixel sizes (yuv420p), got {list(size)}; use {even}"
        )
    if ext == ".gif" and fps_problem(fps):
        return "fps", fps_problem(fps)
    return None


H264_CRF = 18
"""x264 constant rate factor (lower is better; imageio's default quality=5 is 25)."""

H264_PRESET = "veryfast"
"""On these flat-coloured frames `veryfast` at crf 18 matched `medium` at crf 20-23
in PSNR (40.3 dB against the RGB frames) with a smaller file, in ~60% of the time."""

VP9_CRF = 32


class Sink(Protocol):
    """Where frames go. `saving(sink, ...)` calls `setup`, then `finish` on success
    or `abort` on any exception (KeyboardInterrupt included)."""

    def setup(
        self, size: tuple[int, int], fps: int, samples: Sequence[np.ndarray] = ()
    ) -> None:
        """Open the output for frames of `size = (width, height)`; `samples` are
        representative frames (a GIF builds its one palette from them)."""

    def grab_frame(self, rgba: np.ndarray, repeat: int = 1) -> None:
        """Append one (height, width, 4) uint8 frame, shown for `repeat` frame times."""

    def finish(self) -> None:
        """Complete the output and move it into place."""

    def abort(self) -> None:
        """Drop the partial output."""


@contextlib.contextmanager
def saving(
    sink: Sink, size: tuple[int, int], fps: int, samples: Sequence[np.ndarray] = ()
) -> Iterator[Sink]:
    """`setup`, yield, then `finish`; `abort` instead if the body raises."""
    try:
        sink.setup(size, fps, samples)
        yield sink
        sink.finish()
    except BaseException:
        sink.abort()
        raise


class NullSink:
    """Counts frames and keeps nothing but the setup arguments and the last frame.

    Attributes:
        size, fps: the `setup` arguments.
        grabs: calls of `grab_frame`.
        frames: frame times written (sum of `repeat`).
        last: a copy of the last frame, or None.
        finished, aborted: how it ended.
    """

    def __init__(self) -> None:
        self.size: tuple[int, int] | None = None
        self.fps: int | None = None
        self.grabs = 0
        self.frames = 0
        self.last: np.ndarray | None = None
        self.finished = False
        self.aborted = False

    def setup(self, size, fps, samples=()) -> None:
        self.size, self.fps = tuple(size), fps

    def grab_frame(self, rgba, repeat=1) -> None:
        self.grabs += 1
        self.frames += repeat
        self.last = np.array(rgba, copy=True)

    def finish(self) -> None:
        self.finished = True

    def abort(self) -> None:
        self.aborted = True


class ThreadedSink:
    """Runs another sink's `grab_frame` on a thread, `depth` frames behind, so a GIF
    is quantized and compressed (Pillow releases the GIL) while the next frame is
    drawn. Each frame is copied once; at most `depth` copies are queued."""

    def __init__(self, inner, depth: int = 3) -> None:
        self.inner = inner
        self.depth = depth
        self.wants_samples = getattr(inner, "wants_samples", False)
        self._thread = None

    def setup(self, size, fps, samples=()) -> None:
        import queue
        import threading

        self.inner.setup(size, fps, samples)
        self._queue = queue.Queue(maxsize=self.depth)
        self._error: BaseException | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or self._stop:
                return
            try:
                self.inner.grab_frame(*item)
            except BaseException as error:  # handed to the caller's thread
                self._error = error
                return

    def _put(self, item) -> None:
        import queue

        while True:
            if self._error is not None:
                raise self._error
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def grab_frame(self, rgba, repeat=1) -> None:
        self._put((np.array(rgba, copy=True), repeat))

    def _join(self) -> None:
        if self._thread is None:
            return
        if self._thread.is_alive():
            try:
                self._put(None)
            except BaseException:
                pass
            self._thread.join()
        self._thread = None

    def finish(self) -> None:
        self._join()
        if self._error is not None:
            raise self._error
        self.inner.finish()

    def abort(self) -> None:
        self._stop = True
        if self._thread is not None:
            while True:  # unblock the queue so the thread sees the stop
                try:
                    self._queue.get_nowait()
                except Exception:
                    break
        self._join()
        self.inner.abort()


def check_output(output: str | os.PathLike, size: tuple[int, int], fps: float) -> None:
    """Raise `ValueError` with `output_problem`'s message, if there is one."""
    problem = output_problem(output, size, fps)
    if problem is not None:
        field, message = problem
        raise ValueError(f"`render`: {field}: {message}")


class FFmpegSink:
    """MP4 (H.264) or WebM (VP9) through imageio-ffmpeg's bundled ffmpeg: RGBA frames
    go straight down the pipe; output yuv420p, sizes must be even (checked, never
    resized: `macro_block_size=1`)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = pathlib.Path(path)
        self._tmp: pathlib.Path | None = None
        self._writer = None

    def setup(self, size, fps, samples=()) -> None:
        import imageio_ffmpeg

        check_output(self.path, size, fps)
        self.size, self.fps = tuple(size), fps
        if self.path.suffix.lower() == ".webm":
            codec = "libvpx-vp9"
            params = ["-crf", str(VP9_CRF), "-b:v", "0", "-deadline", "good"]
            params += ["-cpu-used", "4", "-row-mt", "1"]
        else:
            codec = "libx264"
            params = ["-crf", str(H264_CRF), "-preset", H264_PRESET]
            params += ["-movflags", "+faststart"]
        self._tmp = temp_path(self.path)
        writer = imageio_ffmpeg.write_frames(
            str(self._tmp),
            self.size,
            pix_fmt_in="rgba",
            pix_fmt_out="yuv420p",
            fps=fps,
            quality=None,
            codec=codec,
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=params,
        )
        with warnings.catch_warnings():
            # JAX warns on any fork; this one is subprocess's fork + exec of ffmpeg.
            warnings.filterwarnings(
                "ignore", r"os\.fork\(\) was called", RuntimeWarning
            )
            writer.send(None)  # starts ffmpeg
        self._writer = writer

    def grab_frame(self, rgba, repeat=1) -> None:
        rgba = np.ascontiguousarray(rgba)
        for _ in range(repeat):
            self._writer.send(rgba)

    def finish(self) -> None:
        self._writer.close()
        self._writer = None
        if not self._tmp.exists() or self._tmp.stat().st_size == 0:
            self._tmp.unlink(missing_ok=True)
            raise OSError(f"`render`: ffmpeg wrote no output for {str(self.path)!r}")
        os.replace(self._tmp, self.path)
        self._tmp = None

    def abort(self) -> None:
        if self._writer is not None:
            import logging

            # Closing before the first frame makes imageio-ffmpeg warn that the
            # video is invalid: it is, and it is deleted next.
            logger = logging.getLogger("imageio_ffmpeg")
            level = logger.level
            logger.setLevel(logging.ERROR)
            try:
                self._writer.close()
            finally:
                logger.setLevel(level)
            self._writer = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


class PngFolderSink:
    """`frame_00000.png, ...` in a folder (hold frames included), written to a
    temporary folder next to it and moved in when complete; an existing folder keeps
    its other files but loses its old `frame_*.png`."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = pathlib.Path(path)
        self._tmp: pathlib.Path | None = None

    def setup(self, size, fps, samples=()) -> None:
        self.size, self.fps = tuple(size), fps
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = temp_path(self.path, directory=True)
        self._count = 0

    def grab_frame(self, rgba, repeat=1) -> None:
        from PIL import Image

        first = self._tmp / f"frame_{self._count:05d}.png"
        Image.fromarray(np.asarray(rgba)[..., :3]).save(first, compress_level=3)
        self._count += 1
        for _ in range(repeat - 1):
            shutil.copyfile(first, self._tmp / f"frame_{self._count:05d}.png")
            self._count += 1

    def finish(self) -> None:
        if self.path.is_dir():
            for old in self.path.glob("frame_*.png"):
                old.unlink()
            for new in sorted(self._tmp.iterdir()):
                os.replace(new, self.path / new.name)
            self._tmp.rmdir()
        else:
            os.replace(self._tmp, self.path)
        self._tmp = None

    def abort(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


def sink_for(
    output: str | os.PathLike, exact_colors: Sequence[str] = ()
) -> ThreadedSink | FFmpegSink:
    """The sink for an output path: by extension, or a folder of PNG frames for a
    path ending in a separator or naming an existing folder."""
    text = os.fspath(output)
    path = pathlib.Path(text)
    if is_folder(output):
        return ThreadedSink(PngFolderSink(path))
    suffix = path.suffix.lower()
    if suffix == ".gif":
        return ThreadedSink(GifSink(path, exact_colors))
    if suffix in (".mp4", ".webm"):
        return FFmpegSink(path)
    raise ValueError(
        f"`render`: cannot tell the format of {text!r}; expected a path ending in "
        f"one of {MOVIE_FORMATS + STILL_FORMATS} or a folder ending in '/'"
    )
