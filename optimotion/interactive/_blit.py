"""The explorer's canvas: a full draw once, then blits in layers.

What changes with the settings lies in groups of animated artists over the
static figure (the explorer's: the sliders and status line, the legend, the loss
Axes). A full draw leaves every animated artist out: that is the base layer.
Each group drawn over the layer below it makes the next layer (cached with
`copy_from_bbox`), and the last layer is the background the moving artists are
blitted over (matplotlib's blitting recipe). A change redraws the groups from
the first one that changed, never the static figure.
"""

from __future__ import annotations

from collections.abc import Callable


class Layers:
    """The cached layers of a figure and the frames drawn over them.

    Attributes:
        fig: the Figure.
        groups: returns the groups of animated artists, bottom to top.
        moving: returns the moving (animated) artists, drawn on top each frame.
        cache: the layers' pixels (empty: nothing cached, the next frame is a
            full draw).
        frames: frames drawn (full draws and blits).
    """

    def __init__(
        self, fig, groups: Callable[[], list[list]], moving: Callable[[], list]
    ) -> None:
        self.fig, self.groups, self.moving = fig, groups, moving
        self.cache: list = []
        self.frames = 0
        fig.canvas.mpl_connect("draw_event", self._on_draw)

    def animated(self) -> list:
        """Every artist of every group."""
        return [artist for group in self.groups() for artist in group]

    def forget(self) -> None:
        """Drop the cache (something drew over the canvas, e.g. `savefig`)."""
        self.cache = []

    def _on_draw(self, event) -> None:
        self.cache = [self.fig.canvas.copy_from_bbox(self.fig.bbox)]
        self._draw_groups(0)
        self._draw_moving()

    def _draw_groups(self, first: int) -> None:
        """Redraw the groups from `first` on over the layer below them."""
        canvas = self.fig.canvas
        canvas.restore_region(self.cache[first])
        del self.cache[first + 1 :]
        for group in self.groups()[first:]:
            for artist in group:
                self.fig.draw_artist(artist)
            self.cache.append(canvas.copy_from_bbox(self.fig.bbox))

    def _draw_moving(self) -> None:
        for artist in self.moving():
            if artist.axes is not None:
                artist.axes.draw_artist(artist)
            else:
                self.fig.draw_artist(artist)
        self.frames += 1

    def draw(self, *, layer: int | None = None, full: bool = False) -> None:
        """Blit the moving artists over the background, after redrawing the
        groups from `layer` on (None: none); with `full` (or nothing cached),
        ask for a full draw of the figure."""
        canvas = self.fig.canvas
        if full or not self.cache:
            canvas.draw_idle()
            return
        if layer is None:
            canvas.restore_region(self.cache[-1])
        else:
            self._draw_groups(layer)
        self._draw_moving()
        canvas.blit(self.fig.bbox)
