"""The GIF sink: one global palette, delta frames, streamed to disk."""

from __future__ import annotations

import os
import pathlib
import struct
from collections.abc import Sequence

import numpy as np

from .._atomic import temp_path
from ._spec import gif_durations_ms

TRANSPARENT = 255
"""The GIF palette index kept for "unchanged since the last frame"."""

MAX_GIF_FPS = 50
"""GIF delays are multiples of 10 ms and browsers slow delays under 20 ms to 100 ms."""


def fps_problem(fps: float) -> str | None:
    """Why a GIF cannot play at `fps`, or None."""
    if fps <= MAX_GIF_FPS:
        return None
    return f"a GIF plays at most {MAX_GIF_FPS} fps, got {fps}; use .mp4 or .webm"


class GifSink:
    """Animated GIF streamed to disk: one global palette, delta frames.

    The palette (255 colours) is built once from the sample frames by Pillow's
    median cut, with the exact trail colours added, and every frame is mapped to it
    without dithering; index 255 is transparent. Each frame after the first stores
    only the bounding box of the pixels that changed, with unchanged pixels in that
    box transparent, so a mostly static animation stays small. Identical frames are
    merged into one longer delay. Delays are multiples of 10 ms whose running sum
    tracks `k / fps` (`gif_durations_ms`): 30 fps gives 30, 40, 30, ... ms.
    """

    wants_samples = True

    def __init__(
        self, path: str | os.PathLike, exact_colors: Sequence[str] = ()
    ) -> None:
        self.path = pathlib.Path(path)
        self.exact_colors = tuple(exact_colors)
        self._tmp: pathlib.Path | None = None
        self._file = None
        self._pending = None  # [indices, offset, slots] of the frame not yet written

    def setup(self, size, fps, samples=()) -> None:
        from PIL import Image

        problem = fps_problem(fps)
        if problem:
            raise ValueError(f"`render`: fps: {problem}")
        if not samples:
            raise ValueError("`GifSink`: setup needs at least one sample frame")
        self.size, self.fps = tuple(size), fps
        self._palette = _build_palette(samples, self.exact_colors)
        self._palette_image = Image.new("P", (1, 1))
        self._palette_image.putpalette(self._palette.tobytes())
        self._slots = 0
        self._previous: np.ndarray | None = None
        self._tmp = temp_path(self.path)
        self._file = open(self._tmp, "wb")  # noqa: SIM115 - closed in finish/abort
        w, h = self.size
        self._file.write(
            b"GIF89a"
            + struct.pack("<HHBBB", w, h, 0xF7, 0, 0)  # 256-colour global table
            + self._palette.tobytes()
            + b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop forever
        )

    def quantize(self, rgba: np.ndarray) -> np.ndarray:
        """Palette indices (height, width) of an RGBA image, by nearest colour."""
        from PIL import Image

        rgba = np.ascontiguousarray(rgba)
        size = (rgba.shape[1], rgba.shape[0])
        image = Image.frombuffer("RGBA", size, rgba, "raw", "RGBA", 0, 1)
        image = image.convert("RGB").quantize(
            palette=self._palette_image, dither=Image.Dither.NONE
        )
        indices = np.asarray(image)
        # Entry 255 (transparency) repeats entry 0: a pixel mapped there is opaque.
        return np.where(indices == TRANSPARENT, 0, indices).astype(np.uint8)

    def grab_frame(self, rgba, repeat=1) -> None:
        rgba = np.asarray(rgba)
        pixels = np.ascontiguousarray(rgba).view(np.uint32)[..., 0]
        if self._previous is None:
            self._pending = [self.quantize(rgba), (0, 0), repeat]
            self._previous = pixels.copy()
            return
        # Only the pixels that changed since the last frame are quantized and
        # stored, in their bounding box; the others are transparent.
        changed = pixels != self._previous
        rows = np.flatnonzero(changed.any(axis=1))
        if rows.size == 0:
            self._pending[2] += repeat  # the same frame, shown longer
            return
        cols = np.flatnonzero(changed[rows[0] : rows[-1] + 1].any(axis=0))
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        indices = self.quantize(rgba[y0:y1, x0:x1])
        indices = np.where(changed[y0:y1, x0:x1], indices, TRANSPARENT)
        self._flush()
        self._pending = [indices, (int(x0), int(y0)), repeat]
        self._previous[y0:y1, x0:x1] = pixels[y0:y1, x0:x1]

    def _flush(self) -> None:
        if self._pending is None:
            return
        indices, (x, y), slots = self._pending
        self._pending = None
        duration = sum(gif_durations_ms(self.fps, slots, start=self._slots))
        self._slots += slots
        delta = self._slots > slots  # after the first frame: over the last one
        height, width = indices.shape
        self._file.write(
            # graphic control: disposal 1 (keep), transparency flag, delay in 10 ms
            struct.pack("<3sBHBB", b"!\xf9\x04", 4 | delta, duration // 10, 255, 0)
            # image descriptor: position and size, no local colour table
            + struct.pack("<cHHHHB", b",", x, y, width, height, 0)
            + lzw_data(indices)
        )

    def finish(self) -> None:
        self._flush()
        self._file.write(b";")
        self._file.close()
        self._file = None
        os.replace(self._tmp, self.path)
        self._tmp = None

    def abort(self) -> None:
        # Each step survives the one before failing: on a full disk the close
        # flushes and raises ENOSPC again, and the temporary must still go.
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except OSError:
                pass
        if self._tmp is not None:
            try:
                self._tmp.unlink(missing_ok=True)
            except OSError:
                pass
            self._tmp = None


def _build_palette(samples: Sequence[np.ndarray], exact: Sequence[str]) -> np.ndarray:
    """(256, 3) uint8: the exact colours, then a median cut of the samples; entry
    255 stays free for transparency."""
    from matplotlib import colors as mcolors
    from PIL import Image

    exact_rgb = []
    for color in exact:
        rgb = tuple(round(255 * c) for c in mcolors.to_rgb(color))
        if rgb not in exact_rgb:
            exact_rgb.append(rgb)
    exact_rgb = exact_rgb[:128]
    # Every other pixel of every other row: a quarter of the work for the median
    # cut, and thin lines still count (their exact colours are added anyway).
    stacked = np.concatenate([np.asarray(s)[::2, ::2, :3] for s in samples], axis=0)
    stacked = np.ascontiguousarray(stacked, dtype=np.uint8)
    image = Image.fromarray(stacked, "RGB")
    n = 255 - len(exact_rgb)
    quantized = image.quantize(colors=n, method=Image.Quantize.MEDIANCUT)
    cut = np.frombuffer(bytes(quantized.getpalette()[: 3 * n]), np.uint8)
    cut = cut.reshape(-1, 3)
    palette = np.zeros((256, 3), np.uint8)
    palette[: len(exact_rgb)] = np.array(exact_rgb, np.uint8).reshape(-1, 3)
    palette[len(exact_rgb) : len(exact_rgb) + len(cut)] = cut
    # Unused entries (and 255, transparency) repeat the first colour.
    palette[len(exact_rgb) + len(cut) :] = palette[0]
    return palette


def lzw_data(indices: np.ndarray) -> bytes:
    """The LZW-compressed image data of (height, width) palette indices: the code
    size byte, the data sub-blocks and their terminator, as in a GIF frame.

    Pillow compresses (public API: a one-frame GIF of an "L" image, whose values
    are written unchanged) and the image data is cut out of that file.
    """
    import io

    from PIL import Image

    crop = np.ascontiguousarray(indices, dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(crop, "L").save(buffer, "GIF", optimize=False, interlace=False)
    data = buffer.getbuffer()
    flags, pos = data[10], 13
    if flags & 0x80:  # global colour table
        pos += 3 * (2 << (flags & 7))
    while data[pos] == 0x21:  # extension blocks: label, then sub-blocks
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    if data[pos] != 0x2C:
        raise RuntimeError(f"`GifSink`: unexpected GIF block {data[pos]:#x}")
    local = data[pos + 9]
    pos += 10 + (3 * (2 << (local & 7)) if local & 0x80 else 0)
    end = pos + 1  # after the LZW code size byte
    while data[end]:
        end += data[end] + 1
    return bytes(data[pos : end + 1])
