"""The `surface3d` view: the shaded surface, with each trail lifted onto f(x, y).

A fixed camera draws the surface once into the cached background and blits the
trails over it; a moving camera (orbit, keyframes) redraws this Axes every frame
(the renderer spreads those frames over worker processes). Trails and heads are
projected to the screen by the camera matrix once per view, with NumPy, and drawn
as plain 2-D collections: they always draw over the surface, as in matplotlib."""

from __future__ import annotations

import numpy as np

from ._contour import surface_cmap
from ._panels import BasePanel, Heads, Trails, clip_to_window, diverged, trail_window

STRIDE = 4
"""A fixed camera draws the mesh once: every 4th grid row and column (241 -> 61)."""

MOVING_STRIDE = 6
"""A moving camera redraws it every frame: every 6th (241 -> 41, 1600 faces)."""

BOX_Z = 0.62
"""Height of the 3-D box relative to its width."""

ZOOM = 0.86
"""The box's zoom: room for the tick labels, which the surface would cover."""

LIFT = 0.012
"""Trails float this fraction of the height range above the surface."""


class Surface3DPanel(BasePanel):
    view = "surface3d"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.camera = self.spec.camera
        self.moves_view = self.camera.moves

    def draw_static(self) -> None:
        from matplotlib.colors import LightSource, Normalize

        ax, theme, surf = self.ax, self.theme, self.prepared.surface
        step = MOVING_STRIDE if self.moves_view else STRIDE
        X, Y = surf.X[::step, ::step], surf.Y[::step, ::step]
        H = surf.height(surf.Z[::step, ::step])
        lo, hi = float(np.nanmin(H)), float(np.nanmax(H))
        if not hi > lo:
            hi = lo + 1.0
        self.z_range = (lo, hi)
        self.lift = LIFT * (hi - lo)
        (x0, x1), (y0, y1) = surf.window
        light = LightSource(azdeg=300, altdeg=40)
        rgb = light.shade(
            np.where(np.isfinite(H), H, lo), cmap=surface_cmap(theme, strong=True),
            norm=Normalize(lo, hi), blend_mode="soft",
            # slopes as drawn: the z range is BOX_Z of the x span on screen
            vert_exag=BOX_Z * (x1 - x0) / (hi - lo),
            dx=float(X[0, 1] - X[0, 0]), dy=float(Y[1, 0] - Y[0, 0]),
        )  # fmt: skip
        ax.plot_surface(
            X, Y, np.where(np.isfinite(H), H, np.nan), facecolors=rgb,
            rstride=1, cstride=1, linewidth=0, antialiased=False, shade=False,
        )  # fmt: skip
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_zlim(lo, hi)
        ax.set_box_aspect((1, 1, BOX_Z), zoom=ZOOM)
        ax.set_xlabel("x", labelpad=2)
        ax.set_ylabel("y", labelpad=2)
        # The height's meaning goes in the title: a z label collides with the
        # next panel.
        ax.set_title(
            "height: log₁₀(f − f* + ε)" if surf.log else "height: f(x, y)",
            fontsize="medium", pad=0,
        )  # fmt: skip
        ax.tick_params(pad=0, colors=theme.muted)  # the rc size: as the 2-D panels
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_pane_color((*_rgb(theme.background), 1.0))
            axis.pane.set_edgecolor(theme.grid)
            axis._axinfo["grid"].update(color=theme.grid, linewidth=0.6)
            axis.line.set_color(theme.muted)
            axis.label.set_color(theme.foreground)
            # a moving camera redraws the tick labels every frame: fewer of them
            axis.set_major_locator(_locator(3 if self.moves_view else 4))
        ax.set_facecolor(theme.background)
        ax.view_init(*self.camera.view(0.0))

        # 2-D artists in the projected plane of this Axes, owned by the figure so
        # that the 3-D machinery never touches them.
        fig = ax.figure
        order = self.prepared.order
        self.trails = Trails(
            self.tracks, fade=self.spec.fade, transform=ax.transData, order=order,
            casing=theme.background, wide=self.prepared.buried,
        )  # fmt: skip
        self.heads = Heads(
            self.tracks, theme, offset_transform=ax.transData, order=order
        )
        for artist in (self.trails.collection, *self.heads.artists):
            artist.set_clip_box(ax.bbox)
            fig.add_artist(self.animate(artist))
        self.clipped = [clip_to_window(t.xy, surf.window) for t in self.tracks]
        self.heights = [
            (self.lifted(t, trail), self.lifted(t, heads))
            for t, (trail, heads) in zip(self.tracks, self.clipped, strict=True)
        ]
        from matplotlib.lines import Line2D

        self.start_marker = Line2D(
            [], [], marker="o", markersize=11, markerfacecolor="none",
            markeredgecolor=theme.foreground, markeredgewidth=1.4,
            linestyle="none", transform=ax.transData,
        )  # fmt: skip
        self.start_marker.set_clip_box(ax.bbox)
        fig.add_artist(self.animate(self.start_marker))
        self._projected_view = None

    def after_layout(self, renderer) -> None:
        """A moving camera redraws this Axes every frame: its title becomes static
        figure text (drawn once into the background) in the same place."""
        if not self.moves_view or not self.ax.get_title():
            return
        title = self.ax.title
        box = title.get_window_extent(renderer)
        width, height = self.ax.figure.bbox.width, self.ax.figure.bbox.height
        self.ax.figure.text(
            (box.x0 + box.x1) / 2 / width, box.y0 / height, title.get_text(),
            ha="center", va="bottom", fontproperties=title.get_fontproperties(),
            color=title.get_color(),
        )  # fmt: skip
        title.set_text("")

    def lifted(self, track, xy: np.ndarray) -> np.ndarray:
        """The drawn height at a track's drawn points `xy` (clipped to the
        window): its (log-)f value plus the lift; at a point moved to the window's
        edge, the surface's height there."""
        lo, hi = self.z_range
        surf = self.prepared.surface
        z = surf.height(track.loss)
        moved = np.any(xy != track.xy, axis=1) & np.all(np.isfinite(xy), axis=1)
        if moved.any():
            z = z.copy()
            z[moved] = _grid_height(surf, xy[moved])
        return np.clip(z + self.lift, lo, hi)

    def view_key(self, fraction: float):
        if not self.moves_view:
            return None
        return tuple(round(v, 6) for v in self.camera.view(fraction))

    def set_view(self, fraction: float) -> None:
        if self.moves_view:
            self.ax.view_init(*self.camera.view(fraction))

    def _project(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each track's lifted path and heads in this Axes' projected 2-D
        coordinates (`clip_to_window`: up to the window's edge, NaN beyond);
        cached per view."""
        ax = self.ax
        view = (ax.elev, ax.azim, ax.roll)
        if view != self._projected_view:
            M = ax.get_proj()

            def project(xy, z):
                x, y = xy[:, 0], xy[:, 1]
                w = M @ np.vstack([x, y, z, np.ones_like(x)])
                return (w[:2] / w[3]).T

            self._projected = [
                (project(trail, zt), project(heads, zh))
                for (trail, heads), (zt, zh) in zip(
                    self.clipped, self.heights, strict=True
                )
            ]
            starts = np.array(self.prepared.starts).reshape(-1, 2)
            z0 = _grid_height(self.prepared.surface, starts)
            lo, hi = self.z_range
            self._starts = project(starts, np.clip(z0 + self.lift, lo, hi))
            self._projected_view = view
        return self._projected

    def update(self, t: int) -> list:
        projected = self._project()
        windows = [trail_window(track, t, self.spec.trail) for track in self.tracks]
        self.trails.set(
            [
                p[lo : hi + 1]
                for (p, _), (lo, hi) in zip(projected, windows, strict=True)
            ]
        )
        heads = np.array(
            [h[hi] for (_, h), (_, hi) in zip(projected, windows, strict=True)]
        )
        self.heads.set(heads, np.array([diverged(track, t) for track in self.tracks]))
        self.start_marker.set_data(*self._starts.T)
        return [self.start_marker, self.trails.collection, *self.heads.artists]


def _grid_height(surf, xy: np.ndarray) -> np.ndarray:
    """The drawn height of the surface at points `xy` (m, 2) of its window,
    interpolated bilinearly on its grid."""
    (x0, x1), (y0, y1) = surf.window
    n = surf.Z.shape[0] - 1
    u = np.clip((xy[:, 0] - x0) / (x1 - x0) * n, 0, n)
    v = np.clip((xy[:, 1] - y0) / (y1 - y0) * n, 0, n)
    i, j = np.minimum(v.astype(int), n - 1), np.minimum(u.astype(int), n - 1)
    fv, fu = v - i, u - j
    H = surf.height(surf.Z)
    return (
        H[i, j] * (1 - fv) * (1 - fu) + H[i, j + 1] * (1 - fv) * fu
        + H[i + 1, j] * fv * (1 - fu) + H[i + 1, j + 1] * fv * fu
    )  # fmt: skip


def _rgb(color: str) -> tuple[float, float, float]:
    from matplotlib import colors as mcolors

    return mcolors.to_rgb(color)


def _locator(bins: int):
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=bins)
