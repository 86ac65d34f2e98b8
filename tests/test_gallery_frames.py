"""The gallery's last frames as a lecturer sees them: every optimizer visible on
the map, the loss panel's scale and the frame clock chosen from the data."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from matplotlib import colors as mcolors

from optimotion.render import final_frame
from optimotion.render._data import prepare
from optimotion.scene import load_scene

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCENES = ROOT / "optimotion" / "scenes"
GALLERY = sorted(p.stem for p in SCENES.glob("*.yaml"))

MIN_PIXELS = 20
"""An optimizer is visible when its exact colour covers at least this many pixels
of the map panels (a head alone, at this size, covers about 40)."""


@pytest.fixture(scope="module", params=GALLERY)
def gallery(request):
    path = SCENES / f"{request.param}.yaml"
    render = load_scene(path).render
    small = [  # the same layout, smaller: a head is still ~40 pixels
        f"render.size=[{render.size[0] * 3 // 8 * 2}, {render.size[1] * 3 // 8 * 2}]",
        f"render.dpi={render.dpi * 3 // 4}",
    ]
    built = load_scene(path, small).build()
    traces = built.traces()  # a race, or the ensembles of an ensemble scene
    return request.param, built, traces


def test_gallery_is_found():
    assert len(GALLERY) >= 9


def test_every_optimizer_is_visible_on_the_last_frame(gallery):
    name, built, traces = gallery
    with final_frame(traces, built.surface, built.spec) as renderer:
        renderer.canvas.draw()
        frame = np.asarray(renderer.canvas.buffer_rgba())[..., :3]
        height = frame.shape[0]
        maps = [p for p in renderer.panels if p.view in ("contour", "surface3d")]
        counts = {}
        for track, cloud in renderer.prepared.clouds() if not maps else ():
            # Translucent dots: no pixel has the exact colour, so count the kept
            # particles on the map halfway (by the last frame, escaping clouds
            # have left it: ensemble_saddle_noise's every particle escapes)
            (x0, x1), (y0, y1) = renderer.prepared.surface.window
            x, y = cloud.paths[:, cloud.paths.shape[1] // 2].T
            counts[track.label] = int(
                np.sum((x0 <= x) & (x <= x1) & (y0 <= y) & (y <= y1))
            )
        for track in renderer.prepared.tracks if maps else ():
            rgb = (mcolors.to_rgba_array(track.color)[0, :3] * 255).round()
            total = 0
            for panel in maps:
                box = panel.ax.bbox
                rows = slice(int(height - box.y1), int(height - box.y0))
                cols = slice(int(box.x0), int(box.x1))
                total += int(np.all(frame[rows, cols] == rgb, axis=-1).sum())
            counts[track.label] = total
        contour = next((p for p in renderer.panels if p.view == "contour"), None)
        ink = (mcolors.to_rgba_array(renderer.theme.foreground)[0, :3] * 255).round()
        for x, y, kind in renderer.prepared.critical if contour else ():
            if kind != "minimum":
                continue
            px, py = contour.ax.transData.transform((x, y))
            r = 5  # pixels: inside the star's arms
            box = frame[int(height - py) - r : int(height - py) + r + 1,
                        int(px) - r : int(px) + r + 1]  # fmt: skip
            counts[f"minimum at ({x:.3g}, {y:.3g})"] = int(
                np.all(box == ink, axis=-1).sum()
            )
        renderer.fig.clear()
    hidden = {label: n for label, n in counts.items() if n < MIN_PIXELS}
    assert not hidden, (name, counts)


LOSS_SCALES = {
    # scene: (kind, shift): the log of f - f* wherever the minimum is known
    "curvature_annealing": ("log", 0.0),
    "local_minimum": ("log", -1.031628453489877),
    "long_valley": ("log", 0.0),
    "noisy_moons": ("log", 0.29776261580490476),
    "perturbed_saddle": ("log", 0.0),
    "rosenbrock": ("log", 0.0),
    "schedules": ("log", -1.031628453489877),
    "shaken_double_well": ("log", 0.0),
    "steep_saddle": ("log", -0.25),
    "svrg_noise_floor": ("log", 0.23417029409371765),
    "tanh_net_saddle": ("log", 0.8060076832717531),
    "zoo": ("log", 0.0),
}

EARLY = {  # scene: log_time: auto turns log time on
    "beale": True,  # 4 of 6 paths cover > 70 % of their length in 30 steps
    "curvature_annealing": True,
    "ensemble_annealing": False,  # (its first kept particle's path)
    "ensemble_double_well_shaking": False,
    "ensemble_saddle_critical": False,
    "ensemble_saddle_noise": False,
    "local_minimum": True,  # 81 % and 92 % in the first 20 steps
    "long_valley": True,
    "monkey_saddle": False,  # both accelerate away: 13 % and 6 %
    "noisy_moons": False,
    "perturbed_saddle": False,
    "rosenbrock": True,
    "saddle": False,  # a slow escape: at most 29 %
    "saddle_slowdown": False,  # 52 % and 40 %: mean 46 % < 50 %
    "schedules": True,
    "shaken_double_well": False,
    "steep_saddle": True,
    "svrg_noise_floor": False,
    "tanh_net_saddle": False,
    "zoo": True,  # Rosenbrock, as above
}


def test_loss_scale_and_log_time_are_chosen_from_the_data(gallery):
    name, built, traces = gallery
    prepared = prepare(traces, built.surface, built.spec)
    assert prepared.early is EARLY[name]
    if "loss" not in built.spec.views:
        assert name not in LOSS_SCALES
        return
    with final_frame(traces, built.surface, built.spec) as renderer:
        loss = next(p for p in renderer.panels if p.view == "loss")
        got = (loss.scale.kind, loss.scale.shift)
        renderer.fig.clear()
    kind, shift = LOSS_SCALES[name]
    assert got[0] == kind and got[1] == pytest.approx(shift, rel=1e-6, abs=1e-9)
