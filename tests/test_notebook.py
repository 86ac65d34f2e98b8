"""`plot`, `animate` and the example notebook (executed headlessly with nbclient)."""

from __future__ import annotations

import base64
import json
import pathlib
import re
import shutil

import imageio.v3 as iio
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from helpers import BOWL, two_lines

import optimotion
from optimotion.render import frame_plan

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
STEPS = 20
BLUE = (0x00, 0x72, 0xB2)  # the light theme's first colour

TRACES = two_lines(STEPS)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_draws_the_final_state_and_takes_more_artists():
    fig, ax = optimotion.plot(TRACES, BOWL, size=(480, 360))
    assert plt.fignum_exists(fig.number)  # pyplot shows it like its own figures
    assert fig.canvas.get_width_height() == (480, 360)
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-2.0, 2.0)
    (marker,) = ax.plot([0.0], [1.7], "s", color="#FF00FF", markersize=12)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)

    def color_at(x, y):
        px, py = ax.transData.transform((x, y))
        return image[round(360 - py), round(px)]

    # the final heads (full trails: the last frame), and the user's own marker
    assert np.abs(color_at(1.5, -1.0) - BLUE).max() <= 40
    assert np.abs(color_at(0.0, -1.0) - BLUE).max() <= 40  # mid-trail
    assert color_at(0.0, 1.7).tolist() == [255, 0, 255]


def test_plot_gives_one_axes_per_view():
    fig, axes = optimotion.plot(TRACES, BOWL, views=("contour", "loss"))
    assert len(axes) == 2 and axes[1].get_xlim() == (0.0, STEPS)


def test_plot_and_animate_reject_bad_input():
    with pytest.raises(TypeError) as error:
        optimotion.plot(TRACES)
    assert str(error.value) == (
        "`plot`: trajectories need the surface they ran on: `plot(traces, surface)`"
    )
    with pytest.raises(
        TypeError, match=r"unknown RenderSpec field 'fsp'.*did you mean 'fps'"
    ):
        optimotion.animate(TRACES, BOWL, fsp=10)
    with pytest.raises(TypeError, match=r"`animate`: expected a scene .* got 3"):
        optimotion.animate(3)
    with pytest.raises(ValueError, match="embed must be one of"):
        optimotion.animate(TRACES, BOWL, embed="gif")


def test_animate_plays_inline_and_saves(tmp_path):
    anim = optimotion.animate(
        TRACES, BOWL, fps=10, duration=1.0, hold=0.5, size=(320, 240)
    )
    html = anim._repr_html_()
    assert anim._repr_html_() is html  # drawn once
    assert "<canvas" in html and "<!doctype" not in html
    data = json.loads(
        re.search(r'application/json" id="[^"]+">(.*?)</script>', html)[1]
    )
    assert data["steps"] == STEPS and data["fps"] == 10 and data["hold"] == 5
    plan = frame_plan(anim.spec, STEPS)
    gif = anim.save(tmp_path / "race.gif", progress=False)
    # a GIF holds the last frame by its delay: one frame per motion frame
    assert iio.imread(gif, index=None).shape[:3] == (len(plan.steps), 240, 320)
    page = anim.save(tmp_path / "race.html", progress=False)
    assert page.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_animate_can_embed_a_video():
    anim = optimotion.animate(
        TRACES, BOWL, embed="video", fps=10, duration=0.5, size=(320, 240)
    )
    html = anim._repr_html_()
    mp4 = base64.b64decode(re.search(r"data:video/mp4;base64,([^\"]+)", html)[1])
    assert mp4[4:8] == b"ftyp"
    assert iio.imread(mp4, index=None, extension=".mp4").shape[:3] == (5 + 10, 240, 320)


def test_tour_notebook_runs(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    notebook = tmp_path / "tour.ipynb"
    shutil.copy(ROOT / "examples" / "tour.ipynb", notebook)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()  # fmt: skip  # raises CellExecutionError if any cell fails
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert (
        sum("<canvas" in o.get("data", {}).get("text/html", "") for o in outputs) == 3
    )
    assert iio.imread(tmp_path / "beale-race.gif", index=None).shape[0] > 100
