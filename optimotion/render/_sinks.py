"""Frame sinks: `setup / grab_frame / finish` (matplotlib's `AbstractMovieWriter`
shape) over a temporary file in the output's folder that is renamed only when the
file is complete, so an error, Ctrl-C or SIGTERM never leaves a half-written
output. Which sink an output gets, and its limits, is the format registry's
(`_formats`)."""

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
from ._formats import (
    MANIFEST,
    OutputError,
    check_output,
    format_of,
    read_manifest,
    suffixes,
)

MOVIE_FORMATS = suffixes("movie")
STILL_FORMATS = suffixes("still")
FORMATS = suffixes()
"""Output extensions: animations, stills of the last frame, the browser player
(from the format registry, `optimotion.render.formats`)."""

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


class WriteError(OSError):
    """Writing an output failed (a full disk, an encoder error); nothing was
    installed. `str(error)` is one line."""


def remove_quietly(path: pathlib.Path | None) -> None:
    """Delete a temporary file or folder, ignoring every error: cleanup after a
    failure must not raise a second one (a full disk can fail a close, too)."""
    if path is None:
        return
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


class FFmpegSink:
    """MP4 (H.264) or WebM (VP9) through imageio-ffmpeg's bundled ffmpeg: RGBA frames
    go straight down a pipe; output yuv420p, sizes must be even (checked, never
    resized). ffmpeg's exit status is checked: a failed encode (a full disk)
    raises `WriteError` and installs nothing. Bit-exact flags and no metadata make
    the same frames give the same bytes."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = pathlib.Path(path)
        self._tmp: pathlib.Path | None = None
        self._process = None
        self._log = None

    def command(self, size: tuple[int, int], fps: int, output: str) -> list[str]:
        """The ffmpeg command line writing frames of `size` at `fps` to `output`."""
        import imageio_ffmpeg

        if self.path.suffix.lower() == ".webm":
            codec = ["-vcodec", "libvpx-vp9", "-crf", str(VP9_CRF), "-b:v", "0"]
            codec += ["-deadline", "good", "-cpu-used", "4", "-row-mt", "1"]
        else:
            codec = ["-vcodec", "libx264", "-crf", str(H264_CRF)]
            codec += ["-preset", H264_PRESET, "-movflags", "+faststart"]
        w, h = size
        return [
            imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-nostdin",
            "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{w}x{h}",
            "-pix_fmt", "rgba", "-r", str(fps), "-i", "-", "-an",
            *codec, "-pix_fmt", "yuv420p",
            "-map_metadata", "-1", "-fflags", "+bitexact",
            "-flags:v", "+bitexact", "-v", "error", output,
        ]  # fmt: skip

    def setup(self, size, fps, samples=()) -> None:
        import subprocess
        import tempfile

        from ._spec import RenderSpec

        check_output(self.path, RenderSpec(size=tuple(size), fps=fps))
        self.size, self.fps = tuple(size), fps
        self._tmp = temp_path(self.path)
        self._log = tempfile.TemporaryFile()  # ffmpeg's messages, for the error
        with warnings.catch_warnings():
            # JAX warns on any fork; this one is subprocess's fork + exec of ffmpeg.
            warnings.filterwarnings(
                "ignore", r"os\.fork\(\) was called", RuntimeWarning
            )
            command = self.command(self.size, fps, str(self._tmp))
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                start_new_session=True,  # Ctrl-C reaches us, not ffmpeg
            )

    def grab_frame(self, rgba, repeat=1) -> None:
        rgba = np.ascontiguousarray(rgba)
        try:
            for _ in range(repeat):
                self._process.stdin.write(rgba)
        except (BrokenPipeError, OSError):
            self._process.wait()
            raise self._failure() from None

    def _failure(self) -> WriteError:
        message = ""
        if self._log is not None:
            self._log.seek(0)
            lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
            message = lines[-1].strip() if lines else ""
        code = self._process.returncode
        if code is not None and code < 0:
            import signal

            how = f"killed by {signal.Signals(-code).name}"
        else:
            how = f"exit {code}"
        return WriteError(
            f"`render`: ffmpeg failed writing {str(self.path)!r} ({how})"
            + (f": {message[:200]}" if message else "")
        )

    def finish(self) -> None:
        try:
            self._process.stdin.close()
        except OSError:
            pass
        code = self._process.wait()
        if code != 0:
            raise self._failure()
        if not self._tmp.exists() or self._tmp.stat().st_size == 0:
            raise WriteError(f"`render`: ffmpeg wrote no output for {str(self.path)!r}")
        os.replace(self._tmp, self.path)
        self._tmp = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def abort(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                if process.poll() is None:
                    process.kill()
                process.wait()
                if process.stdin is not None:
                    process.stdin.close()
            except OSError:
                pass
        remove_quietly(self._tmp)
        self._tmp = None
        self._close_log()


class PngFolderSink:
    """`frame_00000.png, ...` in a folder (hold frames included), written to a
    temporary folder next to it and moved in when complete. An existing folder
    keeps its other files; the frames a previous render wrote (listed in its
    `.optimotion-frames` manifest) are replaced, others are never touched
    (`destination_problem` refuses a folder holding foreign frames)."""

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
        names = sorted(p.name for p in self._tmp.iterdir())
        (self._tmp / MANIFEST).write_text(
            "".join(f"{n}\n" for n in names), encoding="utf-8"
        )
        if self.path.is_dir():
            for name in set(read_manifest(self.path)) - set(names):
                (self.path / name).unlink(missing_ok=True)
            for name in [*names, MANIFEST]:
                os.replace(self._tmp / name, self.path / name)
            self._tmp.rmdir()
        else:
            os.replace(self._tmp, self.path)
        self._tmp = None

    def abort(self) -> None:
        remove_quietly(self._tmp)
        self._tmp = None


def sink_for(output: str | os.PathLike, exact_colors: Sequence[str] = ()) -> Sink:
    """The sink of an output path, from the format registry: `.gif`, `.mp4`,
    `.webm`, or a folder of PNG frames for a path ending in '/'."""
    fmt = format_of(output)
    if fmt.sink is None:
        raise OutputError(
            f"`render`: {os.fspath(output)!r} is a {fmt.description}, not written "
            f"frame by frame; expected one of {MOVIE_FORMATS} or a folder ending in "
            "'/'"
        )
    return fmt.sink(pathlib.Path(output), exact_colors)
