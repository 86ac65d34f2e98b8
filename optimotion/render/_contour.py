"""The `contour` view: filled contours, critical points, start, trails and heads,
and the optional arrows overlay (−∇f and the next step at each head)."""

from __future__ import annotations

import numpy as np

from ._panels import (
    CRITICAL_STYLE,
    BasePanel,
    Heads,
    Trails,
    clip_to_window,
    diverged,
    trail_window,
)

ARROW_LENGTH = 0.11
"""Arrow length as a fraction of the shorter side of the axes (directions only)."""


def surface_cmap(theme, *, strong: bool = False):
    """The theme's ramp as a colormap; `strong` uses the 3-D ramp (more contrast,
    since shading and a perspective view need it)."""
    from matplotlib.colors import LinearSegmentedColormap

    ramp = theme.ramp3d if strong else theme.ramp
    return LinearSegmentedColormap.from_list(f"optimotion-{theme.name}", ramp)


class ContourPanel(BasePanel):
    """Filled contours of the (log-)height, with the race on top."""

    view = "contour"

    def draw_static(self) -> None:
        self.draw_surface()
        self.draw_paths()

    def draw_paths(self) -> None:
        """The moving part: trails, arrows, heads, and the minima over the
        trails (the explorer draws these again for each new race)."""
        ax, theme, surf = self.ax, self.theme, self.prepared.surface
        order = self.prepared.order
        # a head that leaves the window waits on its edge, where its trail ends
        self.edge_heads = [
            clip_to_window(track.xy, surf.window)[1] for track in self.tracks
        ]
        self.trails = Trails(
            self.tracks, fade=self.spec.fade, zorder=4, order=order,
            casing=theme.background, wide=self.prepared.buried,
        )  # fmt: skip
        ax.add_collection(self.animate(self.trails.collection), autolim=False)
        self.arrows = self._make_arrows() if self.spec.arrows else []
        self.heads = Heads(
            self.tracks, theme, zorder=5, offset_transform=ax.transData, order=order
        )
        for artist in self.heads.artists:
            ax.add_collection(self.animate(artist), autolim=False)
        # The minima again, over the trails (under the heads), from the first
        # step a path comes near one: no path hides a minimum, and heads that
        # converge gather round it (`dodge`).
        minima = [(x, y) for x, y, k in self.prepared.critical if k == "minimum"]
        self.heads.anchors = np.array(minima).reshape(-1, 2)
        marker, size, _ = CRITICAL_STYLE["minimum"]
        self.heads.anchor_size = size
        self.outlines = []
        self._near_minimum = None  # the first step a path is near a minimum
        if minima:
            (line,) = ax.plot(
                *np.array(minima).T, marker=marker, markersize=size,
                color=theme.foreground, markeredgecolor=theme.background,
                markeredgewidth=0.8, linestyle="none", zorder=4.5,
            )  # fmt: skip
            self.outlines.append(self.animate(line))

    def draw_surface(self) -> None:
        """The static map: contours, critical points, starts, limits, labels."""
        ax, theme, surf = self.ax, self.theme, self.prepared.surface
        self.style_axes()
        height = surf.height(surf.Z)
        levels = surf.levels()
        ax.contourf(
            surf.X, surf.Y, height, levels=levels, cmap=surface_cmap(theme),
            extend="both",
        )  # fmt: skip
        ax.contour(
            surf.X, surf.Y, height, levels=levels[1::2], colors=theme.muted,
            linewidths=0.35, alpha=0.45,
        )  # fmt: skip
        for x, y, kind in self.prepared.critical:
            marker, size, _ = CRITICAL_STYLE.get(kind, CRITICAL_STYLE["degenerate"])
            ax.plot(
                x, y, marker=marker, markersize=size, color=theme.foreground,
                markeredgecolor=theme.background, markeredgewidth=0.8, zorder=3,
                linestyle="none",
            )  # fmt: skip
        for x, y in self.prepared.starts:
            ax.plot(
                x, y, marker="o", markersize=11, markerfacecolor="none",
                markeredgecolor=theme.foreground, markeredgewidth=1.4, zorder=3,
                linestyle="none",
            )  # fmt: skip
        (x0, x1), (y0, y1) = surf.window
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("x")
        ax.set_ylabel("y", rotation=0, labelpad=8)

    def _make_arrows(self) -> list:
        ax, n = self.ax, len(self.tracks)
        common = {
            "angles": "xy", "scale_units": "xy", "scale": 1.0, "units": "dots",
            "width": 2.2 * ax.figure.dpi / 72, "headwidth": 3.2, "headlength": 3.6,
            "headaxislength": 3.2, "minlength": 0.0, "zorder": 4,
        }  # fmt: skip
        zeros = np.zeros(n)
        self.grad_arrows = ax.quiver(
            zeros, zeros, zeros, zeros, color=self.theme.foreground, alpha=0.85,
            **common,
        )  # fmt: skip
        self.step_arrows = ax.quiver(
            zeros, zeros, zeros, zeros, color=[t.color for t in self.tracks],
            **common,
        )  # fmt: skip
        return [self.animate(self.grad_arrows), self.animate(self.step_arrows)]

    def _screen_unit(self, vectors: np.ndarray) -> np.ndarray:
        """Vectors rescaled to `ARROW_LENGTH` of the axes on screen, in data units."""
        bbox = self.ax.get_window_extent()
        (x0, x1), (y0, y1) = self.prepared.surface.window
        sx, sy = bbox.width / (x1 - x0), bbox.height / (y1 - y0)  # px per unit
        screen = vectors * np.array([sx, sy])
        norm = np.linalg.norm(screen, axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = np.where(norm > 0, screen / norm, 0.0)
        length = ARROW_LENGTH * min(bbox.width, bbox.height)
        return unit * length / np.array([sx, sy])

    def update(self, t: int) -> list:
        windows = [trail_window(track, t, self.spec.trail) for track in self.tracks]
        self.trails.set(
            [
                tr.xy[lo : hi + 1]
                for tr, (lo, hi) in zip(self.tracks, windows, strict=True)
            ]
        )
        heads = np.array(
            [h[hi] for h, (_, hi) in zip(self.edge_heads, windows, strict=True)]
        )
        dead = np.array([diverged(track, t) for track in self.tracks])
        self.heads.set(heads, dead)
        if self.arrows:
            index = [hi for _, hi in windows]
            grads = np.array(
                [-tr.grad[i] for tr, i in zip(self.tracks, index, strict=True)]
            )
            steps = np.array(
                [tr.step[i] for tr, i in zip(self.tracks, index, strict=True)]
            )
            for quiver, vectors in (
                (self.grad_arrows, grads),
                (self.step_arrows, steps),
            ):
                uv = np.where(dead[:, None], np.nan, self._screen_unit(vectors))
                quiver.set_offsets(heads)
                quiver.set_UVC(uv[:, 0], uv[:, 1])
        outlines = self.outlines if t >= self._first_near() else []
        return [
            self.trails.collection, *outlines, *self.arrows, *self.heads.artists,
        ]  # fmt: skip

    def _first_near(self) -> int:
        """The first step at which a path comes within a marker's size (on
        screen, with the casing) of a marked minimum; past the end if never."""
        if self._near_minimum is None:
            self._near_minimum = self.prepared.steps + 1
            anchors = self.heads.anchors
            if len(anchors):
                reach = (
                    (CRITICAL_STYLE["minimum"][1] / 2 + 4.0) * self.ax.figure.dpi / 72
                )
                marks = self.ax.transData.transform(anchors)
                for track in self.tracks:
                    with np.errstate(invalid="ignore"):
                        xy = self.ax.transData.transform(track.xy)
                        gap = np.linalg.norm(xy[:, None] - marks[None], axis=-1)
                    near = np.flatnonzero((gap < reach).any(axis=1))
                    if near.size:
                        self._near_minimum = min(self._near_minimum, int(near[0]))
        return self._near_minimum
