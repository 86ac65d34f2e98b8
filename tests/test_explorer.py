"""The explorer, driven without a screen: matplotlib events sent to an Agg figure.

The race is on the double well f = (x² − 1)² + y² (minima (±1, 0), a saddle at
the origin), so where a click lands decides which minimum the paths reach.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pytest
from helpers import count_compiles
from matplotlib.backend_bases import KeyEvent, MouseEvent

import optimotion
from optimotion import noise, optimizers
from optimotion.scene import load_scene, parse_scene

matplotlib.use("Agg")

SCENE = """\
title: Double well
surface: double_well
start: [0.1, 1.8]
steps: 60
seed: 3
optimizers:
  - {name: sgd, lr: 0.05, label: SGD}
  - {name: momentum, lr: 0.02, momentum: 0.9, label: Momentum}
  - {name: adam, lr: 0.1, label: Adam}
render: {size: [640, 480], fps: 20, duration: 2}
"""
LABELS = ("SGD", "Momentum", "Adam")


def reference(start, *, lrs=(0.05, 0.02, 0.1), steps=60, sigma=0.0, seed=3):
    """The same race computed directly with `optimotion.race`."""
    racers = {
        "SGD": optimizers.sgd(lr=lrs[0]),
        "Momentum": optimizers.momentum(lr=lrs[1], momentum=0.9),
        "Adam": optimizers.adam(lr=lrs[2]),
    }
    surface = optimotion.surfaces.get("double_well")
    return optimotion.race(
        surface, racers, start, steps, seed=seed,
        noise=noise.gaussian(sigma) if sigma else None,
    )  # fmt: skip


@pytest.fixture
def explorer():
    ex = optimotion.explore(parse_scene(SCENE), max_steps=100)
    ex.fig.canvas.draw()
    yield ex
    import matplotlib.pyplot as plt

    plt.close(ex.fig)


def click(ex, x, y, *, button=1):
    px, py = ex.ax.transData.transform((x, y))
    event = MouseEvent("button_press_event", ex.fig.canvas, px, py, button=button)
    ex.fig.canvas.callbacks.process("button_press_event", event)


def key(ex, name):
    event = KeyEvent("key_press_event", ex.fig.canvas, name, x=5, y=5)
    ex.fig.canvas.callbacks.process("key_press_event", event)


def trail_xy(ex, label):
    return ex.contour.trail_xy(LABELS.index(label))


def test_opens_on_the_scene(explorer):
    assert explorer.labels == list(LABELS)
    assert explorer.start == (0.1, 1.8)
    assert (explorer.steps, explorer.max_steps) == (60, 100)
    assert explorer.lrs == {"SGD": 0.05, "Momentum": 0.02, "Adam": 0.1}
    expected = reference((0.1, 1.8))
    for label in LABELS:
        np.testing.assert_array_equal(explorer.traces[label].xy, expected[label].xy)
        np.testing.assert_array_equal(trail_xy(explorer, label), expected[label].xy)
    assert explorer.counter.get_text() == "step 60 / 60"
    # the contour's title is the rendered video's
    assert explorer.ax.get_title() == (
        r"Double well:  $\frac{1}{4}(x^2 - 1)^2 + \frac{1}{2}y^2$"
    )


def test_click_restarts_every_optimizer_there_without_recompiling(explorer):
    draws = explorer.redraws
    with count_compiles() as compiled:
        click(explorer, -0.5, 0.7)
    assert compiled == []  # the start is traced: no new program
    assert explorer.start == pytest.approx((-0.5, 0.7), abs=1e-12)
    assert explorer.recomputes == 2
    assert explorer.redraws > draws
    # the replay starts at step 0: every trail is its start point, every head on it
    assert explorer.t == 0 and explorer.playing
    for label in LABELS:
        np.testing.assert_allclose(trail_xy(explorer, label), [explorer.start])
    # the new race: all three leave the left half for the left minimum (-1, 0)
    for label in LABELS:
        assert explorer.traces[label].xy[-1] == pytest.approx((-1.0, 0.0), abs=0.05)
    click(explorer, 0.5, -0.7)
    for label in LABELS:
        assert explorer.traces[label].xy[-1] == pytest.approx((1.0, 0.0), abs=0.05)
    key(explorer, "right")
    np.testing.assert_array_equal(
        trail_xy(explorer, "SGD"), explorer.traces["SGD"].xy[:2]
    )
    expected = reference(explorer.start)
    for label in LABELS:
        np.testing.assert_array_equal(explorer.traces[label].xy, expected[label].xy)


def test_clicks_elsewhere_do_nothing(explorer):
    click(explorer, 0.5, 0.5, button=3)  # right button
    event = MouseEvent("button_press_event", explorer.fig.canvas, 2, 2, button=1)
    explorer.fig.canvas.callbacks.process("button_press_event", event)  # off axes
    assert explorer.start == (0.1, 1.8) and explorer.recomputes == 1


def test_sliders_change_lr_noise_and_steps_without_recompiling(explorer):
    with count_compiles() as compiled:
        explorer.sliders["Adam"].set_val(math.log10(0.3))
    assert explorer.lrs["Adam"] == pytest.approx(0.3)
    assert explorer.legend.get_texts()[2].get_text() == "Adam (lr=0.3)"
    assert explorer.sliders["Adam"].valtext.get_text() == "0.3"
    with count_compiles() as more:
        explorer.sliders["noise"].set_val(0.5)
        explorer.sliders["steps"].set_val(25)
    assert explorer.sigma == 0.5
    assert explorer.recomputes == 3  # lr, noise; the steps are a prefix
    assert compiled == more == []
    assert explorer.counter.get_text() == "step 25 / 25"
    # 10 ** log10(0.3) is 0.30000000000000004: the reference takes the same float
    adam_lr = explorer.lrs["Adam"]
    expected = reference((0.1, 1.8), lrs=(0.05, 0.02, adam_lr), sigma=0.5, steps=25)
    for label in LABELS:
        assert explorer.traces[label].steps == 25
        np.testing.assert_array_equal(explorer.traces[label].xy, expected[label].xy)
        np.testing.assert_allclose(trail_xy(explorer, label), expected[label].xy)
    # the loss view shows the same 26 values per optimizer
    line = explorer.loss.lines[0]
    np.testing.assert_allclose(line.get_ydata(), expected["SGD"].loss)


def test_keys(explorer):
    key(explorer, "left")
    assert (explorer.t, explorer.playing) == (59, False)
    key(explorer, "right")
    key(explorer, "right")  # clamps at the last step
    assert explorer.t == 60
    key(explorer, "r")
    assert (explorer.t, explorer.playing) == (0, True)
    explorer._tick()  # what the timer does: one frame of 2 s at 20 fps
    assert explorer.t == round(60 / 39)
    key(explorer, " ")
    assert explorer.playing is False
    linear = explorer.plan()
    key(explorer, "l")
    assert explorer.log_time is True
    logged = explorer.plan()
    # log time: one step a frame at first, the same 40 frames in all
    assert len(logged) == len(linear) == 40
    assert logged[:4].tolist() == [0, 1, 2, 3] and linear[:3].tolist() == [0, 2, 3]
    assert logged[-1] == linear[-1] == 60


def test_legend_click_hides_and_shows_an_optimizer(explorer):
    renderer = explorer.fig.canvas.get_renderer()
    box = explorer.legend.get_texts()[1].get_window_extent(renderer)
    event = MouseEvent(
        "button_press_event", explorer.fig.canvas, box.x0 + 3, (box.y0 + box.y1) / 2,
        button=1,
    )  # fmt: skip
    explorer.fig.canvas.callbacks.process("button_press_event", event)
    assert explorer.hidden == {"Momentum"}
    assert trail_xy(explorer, "Momentum") is None
    assert not explorer.loss.lines[1].get_visible()
    assert trail_xy(explorer, "SGD") is not None
    assert explorer.recomputes == 1  # hiding is not recomputing
    explorer.fig.canvas.callbacks.process("button_press_event", event)
    assert explorer.hidden == set()
    assert trail_xy(explorer, "Momentum") is not None


def test_save_writes_a_scene_that_reproduces_the_race(explorer, tmp_path, monkeypatch):
    click(explorer, -0.6, -1.2)
    explorer.sliders["SGD"].set_val(math.log10(0.08))
    explorer.sliders["noise"].set_val(0.25)
    monkeypatch.chdir(tmp_path)
    key(explorer, "s")
    png, yaml = tmp_path / "double_well-001.png", tmp_path / "double_well-001.yaml"
    assert explorer.status.get_text() == f"saved {png.name} and {yaml.name}"
    from PIL import Image

    assert Image.open(png).size[0] > 400
    scene = load_scene(yaml)
    assert scene.start == pytest.approx((-0.6, -1.2), abs=1e-12)
    assert scene.noise.sigma == 0.25 and scene.seed == 3 and scene.steps == 60
    assert scene.optimizers[0].lr == pytest.approx(0.08)
    assert scene.render.output is None and scene.render.duration == 2
    built = scene.build()
    assert built.spec.size == (640, 480)
    again = built.race()
    for label in LABELS:
        np.testing.assert_array_equal(again[label].xy, explorer.traces[label].xy)
    key(explorer, "s")  # a second save takes the next free name
    assert (tmp_path / "double_well-002.yaml").exists()


def test_explore_a_surface_from_python_and_save_it(tmp_path):
    surface = optimotion.surfaces.get("double_well")
    ex = optimotion.explore(
        surface, {"GD": optimizers.sgd(lr=0.1)}, start=(0.5, 1.0), steps=30
    )
    try:
        png, yaml = ex.save(tmp_path / "mine")
        assert (png.name, yaml.name) == ("mine.png", "mine.yaml")
        scene = load_scene(yaml)
        assert scene.surface == "double_well" and scene.optimizers[0].label == "GD"
        again = scene.build().race()["GD"]
        np.testing.assert_array_equal(again.xy, ex.traces["GD"].xy)
        with pytest.raises(optimotion.interactive.NoDisplayError) as error:
            ex.show()  # the tests run on Agg: no window to open
        assert str(error.value).startswith(
            "`explore`: matplotlib's backend is 'agg', which cannot open a window"
        )
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


def test_a_scene_with_several_starts_explores_the_first(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(
        SCENE.replace("start: [0.1, 1.8]", "start: [[0.1, 1.8], [-0.3, -1.0]]").replace(
            "label: SGD}", "label: SGD, color: '#112233'}"
        )
    )
    ex = optimotion.explore(path, overrides=["steps=40"])
    try:
        assert ex.start == (0.1, 1.8) and ex.steps == 40 and ex.max_steps == 80
        assert ex.prepared.tracks[0].color == "#112233"
        assert ex.scene_dict()["start"] == [0.1, 1.8]
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


def test_saves_never_overwrite_each_other_with_a_dotted_scene_name(tmp_path):
    path = tmp_path / "adam.v2.yaml"
    path.write_text(SCENE)
    ex = optimotion.explore(path)
    try:
        from optimotion.interactive._save import free_stem

        first = ex.save(free_stem(tmp_path, "adam.v2"))
        second = ex.save(free_stem(tmp_path, "adam.v2"))
        assert [p.name for p in first] == ["adam.v2-001.png", "adam.v2-001.yaml"]
        assert [p.name for p in second] == ["adam.v2-002.png", "adam.v2-002.yaml"]
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


def test_a_zero_learning_rate_gets_no_slider_and_still_races():
    surface = optimotion.surfaces.get("double_well")
    ex = optimotion.explore(
        surface, {"still": optimizers.sgd(lr=0.0), "GD": optimizers.sgd(lr=0.1)},
        start=(0.5, 1.0), steps=20,
    )  # fmt: skip
    try:
        assert "still" not in ex.sliders and "GD" in ex.sliders
        assert (ex.traces["still"].xy == (0.5, 1.0)).all()  # lr 0 never moves
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


def test_a_setup_no_scene_can_hold_says_so_instead_of_raising(tmp_path, monkeypatch):
    text = SCENE.replace("steps: 60", "steps: 2990").replace(
        "render: {size: [640, 480], fps: 20, duration: 2}",
        "render: {size: [640, 480], fps: 20, steps_per_frame: 1, hold: 0}",
    )
    ex = optimotion.explore(parse_scene(text))
    monkeypatch.chdir(tmp_path)
    try:
        ex.set_steps(3500)  # one frame a step: over the 3,000-frame limit
        key(ex, "s")
        assert ex.status.get_text().startswith("not saved: ")
        assert "3,000" in ex.status.get_text() or "3000" in ex.status.get_text()
        assert list(tmp_path.iterdir()) == []
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


NOISE_SCENE = """\
surface: double_well
start: [0.1, 1.8]
steps: 40
seed: 5
noise: [{kind: shaking, sigma: 1.0}, {kind: gaussian, sigma: 0.3}]
optimizers:
  - {name: sgd, lr: 0.01, label: shaken}
  - {name: sgd, lr: 0.01, label: exact, noise: null}
  - name: sgd
    lr: 0.01
    label: kicked
    noise: {kind: perturbed, radius: 0.1, threshold: 0.001}
render: {size: [640, 480], fps: 20, duration: 2}
"""


def test_the_noise_slider_drives_the_scenes_sigma_and_save_keeps_its_noise(
    tmp_path, monkeypatch
):
    ex = optimotion.explore(parse_scene(NOISE_SCENE), max_steps=60)
    try:
        kicked = noise.perturbed(0.1, 1e-3)
        assert ex.sigma == 1.0  # the first sigma of the scene's chain
        assert ex.noises() == {
            "shaken": noise.chain(noise.shaking(1.0), noise.gaussian(0.3)),
            "exact": None,
            "kicked": kicked,
        }
        ex.sliders["noise"].set_val(0.5)  # the shaking, not the Gaussian part
        assert ex.noises()["shaken"] == noise.chain(
            noise.shaking(0.5), noise.gaussian(0.3)
        )
        assert [t.legend for t in ex.prepared.tracks] == [
            "shaken (lr=0.01, shaken σ=0.5, σ=0.3)",
            "exact (lr=0.01)",
            "kicked (lr=0.01, kicks r=0.1)",
        ]
        assert ex.legend.get_texts()[0].get_text() == ex.prepared.tracks[0].legend
        monkeypatch.chdir(tmp_path)
        _, saved = ex.save("noisy")
        scene = load_scene(saved)
        assert scene.noise[0].sigma == 0.5 and scene.noise[1].sigma == 0.3
        built = scene.build()
        assert built.own_noise == {"exact": None, "kicked": kicked}
        again = built.race()
        for label in ("shaken", "exact", "kicked"):
            np.testing.assert_array_equal(again[label].xy, ex.traces[label].xy)
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


def test_the_help_line_is_made_from_the_keys_table(explorer):
    from optimotion.interactive._keys import HELP, KEYS

    assert list(KEYS) == [" ", "left", "right", "r", "l", "s"]
    for entry in KEYS.values():  # every action is one of the Explorer's
        assert callable(getattr(explorer, entry.action))
    assert HELP == (
        "click: restart from there   space: play/pause   \u2190/\u2192: step   "
        "r: replay   l: log time   s: save PNG + scene   legend: hide/show"
    )
    key(explorer, "x")  # not in the table: nothing happens
    key(explorer, " ")  # at the end: replay
    assert (explorer.t, explorer.playing) == (0, True)
    key(explorer, " ")
    assert explorer.playing is False


def test_the_views_follow_renders_rules(explorer):
    from optimotion.render import tracks_loss_scale

    scale = tracks_loss_scale(explorer.prepared.tracks, explorer.prepared.surface)
    assert explorer.loss_ax.get_yscale() == scale.kind
    # the contour panel's one collection of trails and its heads, no arrows
    panel = explorer.contour.panel
    assert panel.arrows == [] and panel.trails.collection in explorer.contour.moving


LOOKS = "render: {size: [640, 480], fps: 20, duration: 2, %s}"


@pytest.mark.parametrize(
    ("looks", "kinds", "scale"),
    [
        ("markers: none, loss_scale: linear, fade: true, arrows: true", [], "linear"),
        ("markers: minima, loss_scale: symlog", ["minimum", "minimum"], "symlog"),
    ],
)
def test_a_scenes_markers_loss_scale_fade_and_arrows_apply(looks, kinds, scale):
    text = SCENE.replace(
        "render: {size: [640, 480], fps: 20, duration: 2}", LOOKS % looks
    )
    ex = optimotion.explore(parse_scene(text), max_steps=100)
    try:
        ex.fig.canvas.draw()
        assert [k for *_, k in ex.prepared.critical] == kinds
        assert ex.loss_ax.get_yscale() == scale
        panel = ex.contour.panel
        alphas = panel.trails.collection.get_colors()[:, 3]
        if "fade" in looks:  # each segment its own alpha, faint at the tail
            assert alphas.min() < 0.1 and alphas.max() == 1.0
            assert len(panel.arrows) == 2 and set(panel.arrows) <= set(
                ex.contour.moving
            )
        else:
            assert panel.arrows == [] and (alphas == 1.0).all()
        click(ex, -0.5, 0.7)  # a new race keeps the looks
        assert len(ex.contour.panel.arrows) == len(panel.arrows)
        assert ex.loss_ax.get_yscale() == scale
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


OPTAX_SCENE = """\
surface: double_well
start: [0.1, 1.8]
steps: 30
optimizers:
  - {optax: lion, learning_rate: 0.01, b1: 0.8, label: Lion}
  - {name: sgd, lr: 0.05, label: SGD}
render: {size: [640, 480], fps: 20, duration: 2}
"""


@pytest.mark.parametrize("made", ["scene", "python"])
def test_save_round_trips_optax_entries(made, tmp_path):
    import optax

    if made == "scene":
        ex = optimotion.explore(parse_scene(OPTAX_SCENE))
    else:
        racers = {
            "Lion": optimizers.from_optax(optax.lion, learning_rate=0.01, b1=0.8),
            "SGD": optimizers.sgd(lr=0.05),
        }
        ex = optimotion.explore(
            optimotion.surfaces.get("double_well"), racers, start=(0.1, 1.8), steps=30
        )
    try:
        ex.set_lr("Lion", 0.02)
        _, saved = ex.save(tmp_path / "lion")
        entry = ex.scene_dict()["optimizers"][0]
        assert entry == {
            "optax": "lion", "label": "Lion", "learning_rate": 0.02, "b1": 0.8,
        }  # fmt: skip
        again = load_scene(saved).build().race()
        for label in ("Lion", "SGD"):
            np.testing.assert_array_equal(again[label].xy, ex.traces[label].xy)
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)


def test_an_optax_entry_takes_back_optax_names_and_integers():
    from optimotion.scene import optimizer_entry

    text = "surface: beale\noptimizers:\n  - {optax: lbfgs, learning_rate: 0.1, "
    scene = parse_scene(text + "memory_size: 5, scale_init_precond: true}\n")
    (lbfgs,) = scene.build().optimizers.values()
    assert lbfgs.hyperparams["lr"] == 0.1
    # learning_rate again, 5 an integer again, the default scale_init_precond left out
    assert optimizer_entry(lbfgs, "L") == {
        "optax": "lbfgs", "label": "L", "learning_rate": 0.1, "memory_size": 5,
    }  # fmt: skip
    adam = optimotion.optimizers.adam(lr=0.01)
    assert optimizer_entry(adam, "A") == {
        "name": "adam", "label": "A", **adam.hyperparams,
        "betas": list(adam.hyperparams["betas"]),
    }  # fmt: skip


MANY_POINTS = """\
surface: rastrigin
start: [3.3, -2.7]
steps: 20
optimizers:
  - {name: sgd, lr: 0.002, label: SGD}
render: {size: [640, 480], fps: 20, duration: 2}
"""


def test_markers_auto_marks_the_points_near_the_new_race():
    from optimotion.render import prepare

    ex = optimotion.explore(parse_scene(MANY_POINTS))
    try:
        ex.fig.canvas.draw()

        def marked():  # the map's static markers; the start marker is animated
            lines = [line for line in ex.ax.lines if not line.get_animated()]
            return sorted((*line.get_xydata()[0],) for line in lines)

        first = ex.prepared.critical
        assert 0 < len(first) < 300  # rastrigin has hundreds: auto keeps a few
        assert marked() == sorted((x, y) for x, y, _ in first)
        click(ex, -3.3, 2.7)
        again = prepare(ex.traces, ex.surface, ex.spec).critical
        assert ex.prepared.critical == again != first
        assert marked() == sorted((x, y) for x, y, _ in again)
        title = ex.ax.get_title()
        assert title.startswith("Rastrigin:")  # the map was drawn again, whole
    finally:
        import matplotlib.pyplot as plt

        plt.close(ex.fig)
