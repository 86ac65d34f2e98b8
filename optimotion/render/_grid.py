"""Where the panels go: the grid cells of a figure's views."""

from __future__ import annotations

from ._spec import RenderSpec

HERO_FILL = 0.8
"""With no `layout` given, one row of square panels that would use less than this
share of the frame's height gives way to the hero layout (`grid_cells`)."""

TITLE_ROOM, LEGEND_ROOM = 60, 70
"""Pixels (at 100 dpi) a row of panels loses to the title row and the legend
below, for `grid_cells`' estimate."""


def grid_cells(spec: RenderSpec, fig) -> list[tuple[object, bool]]:
    """`(subplot cell, square)` per view.

    `spec.layout` (rows, cols) is followed as given. Otherwise the panels sit in
    one row, unless that row of square panels would fill less than `HERO_FILL`
    of the height left by the title and legend (three panels at 1280x720 fill
    two thirds): then the first view takes a square cell the full height on the
    left and the others stack on the right, as wide as the rest of the frame
    (curve panels there are not square).
    """
    width, height = spec.size
    n = len(spec.views)
    scale = spec.dpi / 100
    room = height - (TITLE_ROOM + LEGEND_ROOM) * scale
    side = min(width / n, room)
    if spec.layout is not None or n < 3 or side >= HERO_FILL * room:
        rows, cols = spec.grid
        grid = fig.add_gridspec(rows, cols)
        return [(grid[i // cols, i % cols], True) for i in range(n)]
    hero = min(room, 0.62 * width)
    grid = fig.add_gridspec(n - 1, 2, width_ratios=[hero, width - hero])
    return [(grid[:, 0], True)] + [(grid[i, 1], False) for i in range(n - 1)]
