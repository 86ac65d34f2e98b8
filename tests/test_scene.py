"""Scene files: the schema, building, overrides, the JSON Schema and the gallery's
phenomena (each gallery scene raced and its point checked numerically)."""

import json
import pathlib

import imageio.v3 as iio
import numpy as np
import pydantic
import pytest

import optimotion
from optimotion import noise, optimizers, surfaces
from optimotion.optimizers import nice_name, schedules
from optimotion.render import SETTINGS, Camera, RenderSpec, render
from optimotion.scene import (
    Scene,
    SceneError,
    gallery_names,
    gallery_path,
    load_scene,
    parse_scene,
)
from optimotion.scene._files import low_res_overrides
from optimotion.scene._optimizer_schema import HYPERPARAMETERS
from optimotion.scene._render_schema import RenderSettings

ISSUE_EXAMPLE = """\
title: Optimizers at a saddle point
surface: saddle
start: [1.0, 0.001]
steps: 300
seed: 0
optimizers:
  - {name: sgd, lr: 0.02, label: SGD}
  - {name: momentum, lr: 0.02, momentum: 0.9}
  - {name: nesterov, lr: 0.02, momentum: 0.9}
  - {name: adagrad, lr: 0.5}
  - {name: rmsprop, lr: 0.01}
  - {name: adam, lr: 0.05}
render:
  views: [contour, surface3d, loss]
  fps: 30
  duration: 6
  size: [1280, 720]
  output: saddle.mp4
"""


def error_lines(text: str, overrides=()) -> list[str]:
    with pytest.raises(SceneError) as caught:
        parse_scene(text, source="s.yaml", overrides=overrides)
    return str(caught.value).splitlines()


def test_render_settings_markers_loss_scale_and_log_time_reach_the_spec():
    spec = parse_scene(ISSUE_EXAMPLE).build().spec
    assert (spec.markers, spec.loss_scale, spec.log_time) == ("auto", "auto", "auto")
    sets = ["render.markers=minima", "render.loss_scale=symlog", "render.log_time=no"]
    spec = parse_scene(ISSUE_EXAMPLE, overrides=sets).build().spec
    assert (spec.markers, spec.loss_scale, spec.log_time) == ("minima", "symlog", False)


def test_the_issue_example_builds_as_written():
    scene = parse_scene(ISSUE_EXAMPLE)
    built = scene.build()
    assert built.surface is surfaces.get("saddle")
    assert built.starts == ((1.0, 0.001),)
    assert (built.steps, built.seed, built.noise) == (300, 0, None)
    assert list(built.optimizers) == [
        "SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam",
    ]  # fmt: skip
    assert [o.name for o in built.optimizers.values()] == [
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam",
    ]  # fmt: skip
    assert built.optimizers["Momentum"].hyperparams["momentum"] == 0.9
    assert built.optimizers["Adam"].hyperparams["lr"] == 0.05
    assert built.optimizers["Adam"].hyperparams["betas"] == (0.9, 0.999)  # default
    assert built.spec == RenderSpec(
        views=("contour", "surface3d", "loss"),
        size=(1280, 720),
        fps=30,
        duration=6.0,
        title="Optimizers at a saddle point",
    )
    assert built.output == "saddle.mp4"
    assert scene.frames() == 6 * 30 + 30  # motion plus the default 1 s hold
    assert scene.summary() == "6 optimizers x 1 start, 300 steps, 210 frames"


def test_a_formula_surface_with_its_window():
    scene = parse_scene(
        'surface: {expr: "x**2 - y**2 + 0.1*x**4", window: {x: [-2, 2], y: [-2, 2]}}'
        "\noptimizers: [{name: sgd, lr: 0.1}]\n"
    )
    surface = scene.build().surface
    assert surface.window == ((-2.0, 2.0), (-2.0, 2.0))
    assert float(surface(1.0, 2.0)) == pytest.approx(1 - 4 + 0.1)
    assert scene.build().starts == (surface.start,)  # from_expression's default


def test_several_starts_race_every_optimizer_from_each():
    scene = parse_scene(
        "surface: saddle\nstart: [[1, 0.001], [-1, 0.5]]\nsteps: 20\n"
        "optimizers: [{name: sgd, lr: 0.1}, {name: adam, lr: 0.1, color: crimson}]\n"
    )
    built = scene.build()
    paths = built.race()
    assert list(paths) == [
        "SGD from (1, 0.001)", "Adam from (1, 0.001)",
        "SGD from (-1, 0.5)", "Adam from (-1, 0.5)",
    ]  # fmt: skip
    assert built.spec.colors == {
        "Adam from (1, 0.001)": "crimson",
        "Adam from (-1, 0.5)": "crimson",
    }
    # GD on x^2 - y^2: x shrinks by 1 - 2 lr = 0.8, y grows by 1.2 per step.
    t = np.arange(21)
    np.testing.assert_allclose(paths["SGD from (-1, 0.5)"].xy[:, 0], -(0.8**t))
    np.testing.assert_allclose(paths["SGD from (-1, 0.5)"].xy[:, 1], 0.5 * 1.2**t)
    alone = optimotion.run(
        surfaces.get("saddle"), optimizers.adam(lr=0.1), (1.0, 0.001), 20
    )
    np.testing.assert_array_equal(paths["Adam from (1, 0.001)"].xy, alone.xy)


def test_defaults_labels_and_numbering():
    scene = parse_scene(
        "surface: booth\noptimizers:\n  - {name: sgd, lr: 0.01}\n"
        "  - {name: sgd, lr: 0.02}\n  - {name: rmsprop}\n  - {name: adamw}\n"
    )
    assert scene.labels() == ["SGD #1", "SGD #2", "RMSProp", "AdamW"]
    # an entry with its own label leaves the default name to the other alone
    relabeled = parse_scene(
        "surface: booth\noptimizers:\n  - {name: sgd, lr: 0.01, label: Fast}\n"
        "  - {name: sgd, lr: 0.02}\n"
    )
    assert relabeled.labels() == ["Fast", "SGD"]
    built = scene.build()
    assert built.starts == ((-8.0, 8.0),)  # booth's default start
    assert (built.steps, built.seed) == (200, 0)
    assert built.spec == RenderSpec()  # every render setting at its default
    assert built.optimizers["RMSProp"].hyperparams["lr"] == 0.01  # torch's default


NOISE_RACE = """\
surface: linear_regression
steps: 40
seed: 3
noise: {kind: minibatch, batch_size: 1}
optimizers:
  - {name: sgd, lr: 0.05, label: GD, noise: null}
  - {name: sgd, lr: 0.05, label: SGD}
  - {name: sgd, lr: 0.05, label: batch 16, noise: {kind: minibatch, batch_size: 16}}
  - name: sgd
    lr: 0.05
    label: SVRG
    noise: {kind: svrg, batch_size: 4, every: 10}
  - name: sgd
    lr: 0.05
    label: kicked
    noise: [{kind: minibatch, batch_size: 8}, {kind: perturbed, radius: 0.1,
             threshold: 0.001}]
"""


def test_each_optimizer_may_override_the_scenes_noise():
    built = parse_scene(NOISE_RACE).build()
    assert built.noise == noise.minibatch(1)
    assert built.noises() == {
        "GD": None,
        "SGD": noise.minibatch(1),
        "batch 16": noise.minibatch(16),
        "SVRG": noise.svrg(4, every=10),
        "kicked": noise.chain(noise.minibatch(8), noise.perturbed(0.1, 1e-3)),
    }
    assert built.spec.notes == {
        "SGD": "batch 1",
        "batch 16": "batch 16",
        "SVRG": "SVRG batch 4, every 10",
        "kicked": "batch 8, kicks r=0.1",
    }
    paths = built.race()
    surface = surfaces.get("linear_regression")
    opts = {label: optimizers.sgd(lr=0.05) for label in paths}
    direct = optimotion.race(
        surface, opts, surface.start, 40, seed=3, noise=built.noises()
    )
    for label, path in paths.items():  # the scene is exactly the Python race
        np.testing.assert_array_equal(path.xy, direct[label].xy)
    assert np.array_equal(paths["GD"].grad_used, paths["GD"].grad[:-1])
    assert not np.array_equal(paths["SGD"].grad_used, paths["SGD"].grad[:-1])


def test_legends_say_what_noise_each_path_had(tmp_path):
    from optimotion.render._data import prepare  # noqa: PLC0415

    built = parse_scene(NOISE_RACE).build()
    legends = [
        t.legend for t in prepare(built.race(), built.surface, built.spec).tracks
    ]
    assert legends == [
        "GD (lr=0.05)",
        "SGD (lr=0.05, batch 1)",
        "batch 16 (lr=0.05, batch 16)",
        "SVRG (lr=0.05, SVRG batch 4, every 10)",
        "kicked (lr=0.05, batch 8, kicks r=0.1)",
    ]


def test_every_noise_kind_builds_its_estimator():
    kinds = {
        "{kind: gaussian, sigma: [0.1, 0.2], sde: true}": noise.gaussian(
            (0.1, 0.2), sde=True
        ),
        "{kind: shaking, sigma: 1}": noise.shaking(1.0),
        "{kind: curvature, sigma: 2, center: [1, -1], sde: true}": noise.curvature(
            2.0, center=(1.0, -1.0), sde=True
        ),
        "{kind: heavy_tailed, sigma: 0.1, df: 3}": noise.heavy_tailed(0.1, df=3),
        "{kind: minibatch, batch_size: 8}": noise.minibatch(8),
        "{kind: svrg, batch_size: 4, every: 50}": noise.svrg(4, every=50),
        "{kind: perturbed, radius: 0.1, threshold: 0.01}": noise.perturbed(0.1, 0.01),
        "[{kind: shaking, sigma: 1}, {kind: gaussian, sigma: 0.5}]": noise.chain(
            noise.shaking(1.0), noise.gaussian(0.5)
        ),
    }
    for text, estimator in kinds.items():
        scene = parse_scene(
            f"surface: tanh_net\nnoise: {text}\noptimizers: [{{name: sgd}}]\n"
        )
        assert scene.build().noise == estimator, text


def test_schedules_noise_and_the_camera():
    scene = parse_scene(
        "surface: saddle\nnoise: {kind: gaussian, sigma: 0.1}\nseed: 7\n"
        "optimizers:\n  - {name: sgd, lr: {schedule: cosine, lr: 0.1, t_max: 300}}\n"
        "  - {name: momentum, lr: {schedule: step_decay, lr: 0.5, step_size: 10}}\n"
        "render:\n  views: [surface3d]\n  camera:\n    orbit: true\n"
        "    keyframes: [{at: 0, elev: 30, azim: -60}, {at: 1, elev: 10, azim: 60}]\n"
    )
    built = scene.build()
    assert built.noise == noise.gaussian(0.1)
    assert built.seed == 7
    assert built.optimizers["SGD"].hyperparams["lr"] == schedules.cosine(0.1, 300)
    assert built.optimizers["Momentum"].hyperparams["lr"] == schedules.step_decay(
        0.5, step_size=10, gamma=0.1
    )
    assert built.spec.camera == Camera(
        orbit=True, keyframes=((0.0, 30.0, -60.0), (1.0, 10.0, 60.0))
    )


def test_yaml_reads_exponent_floats_and_refuses_python_tags():
    scene = parse_scene("surface: saddle\noptimizers: [{name: adam, lr: 1e-3}]\n")
    assert scene.optimizers[0].lr == 0.001
    assert error_lines(
        "surface: !!python/object/apply:os.system [ls]\noptimizers: [{name: sgd}]\n"
    ) == [
        "s.yaml:1: YAML tags such as !!python/object/apply:os.system are not "
        "allowed in scene files"
    ]


def test_every_error_of_a_file_in_one_pass():
    text = (
        "title: x\nsurface: sadle\nsteps: -3\n"
        "optimizers:\n  - {name: adma}\n  - {name: sgd, lr: fast, colour: red}\n"
        "render: {fps: 0, theme: drak}\n"
    )
    assert error_lines(text) == [
        "s.yaml:2: surface: unknown surface 'sadle' — did you mean 'saddle'?",
        "s.yaml:3: steps: must be >= 1, got -3",
        "s.yaml:5: optimizers[0].name: unknown optimizer 'adma' — did you mean 'adam'?",
        "s.yaml:6: optimizers[1].lr: expected a number, got 'fast'",
        "s.yaml:6: optimizers[1].colour: unknown key 'colour' for `sgd` — did you "
        "mean 'color'?",
        "s.yaml:7: render.fps: must be >= 1, got 0",
        "s.yaml:7: render.theme: unknown value 'drak' — did you mean 'dark'?",
    ]


def test_overrides_patch_the_data_before_validation():
    scene = parse_scene(
        ISSUE_EXAMPLE,
        overrides=[
            "render.fps=24",
            "optimizers[0].lr=0.1",
            "render.size=[640, 360]",
            "optimizers[5].betas=[0.8, 0.99]",
            "noise={kind: gaussian, sigma: 0.5}",
            "render.fps=12",  # the last one wins
            "title=null",
        ],
    )
    assert scene.render.fps == 12
    assert scene.render.size == (640, 360)
    assert scene.optimizers[0].lr == 0.1
    assert scene.optimizers[5].betas == (0.8, 0.99)
    assert scene.noise.sigma == 0.5
    assert scene.title is None
    formula = parse_scene(
        "surface: {expr: 'x**2 + y**2', window: {x: [-1, 1], y: [-1, 1]}}\n"
        "optimizers: [{name: sgd}]\n",
        overrides=["surface.window.x[1]=3", "render.camera.elev=10"],
    )
    assert formula.surface.window.x == (-1.0, 3.0)
    assert formula.render.camera.elev == 10.0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("render.fps", "s.yaml (--set render.fps): expected KEY=VALUE, got "
         "'render.fps'"),
        ("render..fps=1", "s.yaml (--set render..fps=1): expected a field path such "
         "as render.fps or optimizers[0].lr, got 'render..fps'"),
        ("optimizers[9].lr=1", "s.yaml (--set optimizers[9].lr=1): optimizers[9]: "
         "index 9 is out of range: optimizers has 6 items"),
        ("surface.expr=x", "s.yaml (--set surface.expr=x): surface.expr: cannot set "
         "a key inside surface: it is 'saddle', not a mapping"),
        ("render.size=[1, 2", "s.yaml (--set render.size=[1, 2): render.size: the "
         "value is not valid YAML: expected ',' or ']', but got '<stream end>'"),
        ("render.fps=0", "s.yaml (--set render.fps=0): render.fps: must be >= 1, "
         "got 0"),
        ("optimizers[0].lr=abc", "s.yaml (--set optimizers[0].lr=abc): "
         "optimizers[0].lr: expected a number, got 'abc'"),
        ("render.markers=minimum", "s.yaml (--set render.markers=minimum): "
         "render.markers: unknown value 'minimum' — did you mean 'minima'?"),
        ("render.loss_scale=logarithmic", "s.yaml (--set "
         "render.loss_scale=logarithmic): render.loss_scale: expected one of: "
         "'auto', 'linear', 'log', 'symlog', got 'logarithmic'"),
        ("render.log_time=sometimes", "s.yaml (--set render.log_time=sometimes): "
         "render.log_time: expected true, false or 'auto', got 'sometimes'"),
        ("render.colour=red", "s.yaml (--set render.colour=red): render.colour: "
         "unknown key 'colour'; expected one of: 'arrows', 'camera', 'dpi', "
         "'duration', 'fade', 'fps', 'hold', 'layout', 'log_time', 'loss_scale', "
         "'markers', 'output', 'size', 'step_counter', 'steps_per_frame', 'theme', "
         "'trail', 'views'"),
    ],
)  # fmt: skip
def test_override_errors_name_the_override(override, message):
    assert error_lines(ISSUE_EXAMPLE, [override]) == [message]


def test_load_scene_reads_files(tmp_path):
    path = tmp_path / "scene.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    assert load_scene(path) == parse_scene(ISSUE_EXAMPLE)
    with pytest.raises(SceneError) as caught:
        load_scene(tmp_path / "missing.yaml")
    assert str(caught.value) == f"{tmp_path / 'missing.yaml'}: no such file"
    assert caught.value.issues[0].line is None


def test_every_torch_hyperparameter_has_a_scene_field():
    for name in optimizers.names("built-in"):
        model_fields = set(Scene.model_json_schema()["$defs"][
            f"{nice_name(name)}Optimizer"]["properties"])  # fmt: skip
        common = {"name", "label", "color", "noise"}
        assert model_fields == common | set(optimizers.defaults(name))
        assert set(optimizers.defaults(name)) <= set(HYPERPARAMETERS)


def test_every_noise_factory_is_a_kind_with_its_parameters():
    import inspect  # noqa: PLC0415

    from optimotion.scene._noise_schema import NOISE_MODELS  # noqa: PLC0415

    factories = [
        name
        for name in noise.__all__
        if name.islower() and name not in ("chain", "describe")
    ]
    assert sorted(NOISE_MODELS) == sorted(factories)
    for kind, model in NOISE_MODELS.items():
        parameters = inspect.signature(getattr(noise, kind)).parameters
        assert set(model.model_fields) == {"kind", *parameters}, kind


def _edges(setting):
    """Values at and just beyond each bound of a numeric setting: (value, valid)."""
    step = 1 if setting.kind == "int" else 1e-9
    low = setting.above if setting.above is not None else setting.low
    yield low + (step if setting.above is not None else 0), True
    yield low - (0 if setting.above is not None else step), False
    if setting.high is not None:
        yield setting.high, True
        yield setting.high + step, False


@pytest.mark.parametrize(
    "name", [n for n, s in SETTINGS.items() if s.kind in ("int", "number")]
)
def test_a_scene_accepts_exactly_what_render_spec_accepts(name):
    setting = SETTINGS[name]
    for value, valid in _edges(setting):
        try:
            RenderSpec(**{name: value})
            spec_ok = True
        except ValueError:
            spec_ok = False
        try:
            scene = RenderSettings(**{name: value})
            scene_ok = True
        except pydantic.ValidationError:
            scene_ok = False
        assert (spec_ok, scene_ok) == (valid, valid), (name, value)
        if valid:
            assert getattr(scene.to_spec(None, {}), name) == value


def test_render_settings_default_to_the_render_spec():
    assert RenderSettings().to_spec(None, {}) == RenderSpec()
    sides = RenderSettings.model_json_schema()["properties"]["size"]["prefixItems"]
    assert [(s["minimum"], s["maximum"]) for s in sides] == [(16, 3840)] * 2


def _properties(schema: dict, root: dict):
    """Every property schema of every object in a JSON Schema, with its name."""
    yield from schema.get("properties", {}).items()
    for definition in root.get("$defs", {}).values() if schema is root else ():
        yield from _properties(definition, {})


def test_the_json_schema_is_current_and_documents_every_field():
    schema = Scene.model_json_schema()
    beside = gallery_path("beale").with_name("scene.schema.json")
    shipped = json.loads(beside.read_text(encoding="utf-8"))
    # regenerate: optimotion schema -o optimotion/scenes/scene.schema.json
    assert shipped == schema
    undocumented = [
        n for n, p in _properties(schema, schema) if not p.get("description")
    ]
    assert undocumented == []
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["surface", "optimizers"]


# --- the gallery ---------------------------------------------------------------

GALLERY = [gallery_path(name) for name in gallery_names()]


def test_the_gallery_has_one_scene_per_phenomenon():
    assert [p.stem for p in GALLERY] == [
        "beale", "curvature_annealing", "ensemble_annealing",
        "ensemble_double_well_shaking", "ensemble_saddle_critical",
        "ensemble_saddle_noise", "local_minimum", "long_valley", "monkey_saddle",
        "noisy_moons", "perturbed_saddle", "rosenbrock", "saddle", "saddle_slowdown",
        "schedules", "shaken_double_well", "steep_saddle", "svrg_noise_floor",
        "tanh_net_saddle", "zoo",
    ]  # fmt: skip
    for path in GALLERY:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=./scene.schema.json\n")
        scene = load_scene(path)
        assert scene.steps <= 1000 and scene.frames() <= 300, path.name


@pytest.fixture(scope="module")
def gallery():
    """`{scene name: {path label: Trajectory}}` of every gallery scene."""
    return {path.stem: load_scene(path).build().race() for path in GALLERY}


@pytest.mark.parametrize("path", GALLERY, ids=[p.stem for p in GALLERY])
def test_each_gallery_scene_renders_at_low_resolution(path, gallery, tmp_path):
    # What CI owes every gallery file: a fast low-resolution render (here 3 frames).
    scene = load_scene(path)
    quick = low_res_overrides(scene) + ["render.duration=0.1", "render.hold=0"]
    if scene.ensemble is not None:  # a small cloud: the claims are tested apart
        quick += ["ensemble.n=50", "ensemble.keep=50"]
    built = load_scene(path, quick).build()
    out = tmp_path / f"{path.stem}.gif"
    traces = gallery[path.stem] if scene.ensemble is None else built.traces()
    render(traces, built.surface, built.spec, out, progress=False)
    frames = iio.imread(out, index=None)
    width, height = scene.render.size
    assert frames.shape[:3] == (2, round(height * 400 / width / 2) * 2, 400)


def test_zoo_ends_as_its_comment_says(gallery):
    """What scenes/zoo.yaml says: momentum, Adam (tuned) and AdaBelief (searched by
    bench/zoo_search.py) reach (1, 1); RAdam ends farthest."""
    paths = gallery["zoo"]
    assert len(paths) == 12
    distance = {k: float(np.hypot(*(p.xy[-1] - 1.0))) for k, p in paths.items()}
    for label in ("Momentum", "Adam", "AdaBelief"):
        assert distance[label] < 2e-6, label
    assert max(distance, key=distance.get) == "RAdam"
    assert 1.0 < distance["RAdam"] < 1.2
    assert 0.3 < distance["SGD"] < 0.4


def test_beale_race_heads_for_the_minimum(gallery):
    paths = gallery["beale"]
    assert len(paths) == 6
    for label, path in paths.items():
        assert path.diverged_at is None, label
        assert path.loss[-1] < 0.2 < path.loss[0], label  # f(1, 1.5) = 41.2
        assert np.linalg.norm(path.xy[-1] - (3.0, 0.5)) < 0.7, label
    # the momentum methods overshoot (past the minimum's x, far below its y)
    for label in ("Momentum", "Nesterov"):
        assert paths[label].xy[:, 0].max() > 3.2, label
        assert paths[label].xy[:, 1].min() < -1.0, label
    # the adaptive ones first step equally in x and y; SGD along the gradient
    for label in ("Adagrad", "RMSProp", "Adam"):
        dx, dy = paths[label].xy[1] - paths[label].xy[0]
        assert dx / dy == pytest.approx(1.0, rel=1e-6), label
    dx, dy = paths["SGD"].xy[1] - paths["SGD"].xy[0]
    assert dx / dy == pytest.approx(0.373, abs=1e-3)
    # the benchmark's race: 300 steps, 150 frames at 30 fps, 800x600 (it drops the
    # 2 s hold the gallery adds)
    scene = load_scene(gallery_path("beale"))
    assert (scene.steps, scene.frames(), scene.render.fps) == (300, 150 + 60, 30)
    assert (scene.render.hold, scene.render.size) == (2, (800, 600))


def test_long_valley_sgd_zigzags_across_and_creeps_along(gallery):
    sgd = gallery["long_valley"]["SGD"].xy
    # lr 0.9: y is multiplied by 1 - 0.9 * 2 = -0.8 and x by 1 - 0.9 * 0.02.
    t = np.arange(11)
    np.testing.assert_allclose(sgd[:11, 1], 3.0 * (-0.8) ** t)
    np.testing.assert_allclose(sgd[:11, 0], -9.0 * 0.982**t)
    assert all(abs(p.xy[-1, 0]) < 0.05 for p in gallery["long_valley"].values())
    # the adaptive methods head along the valley at once: after 10 steps each is
    # further along x than SGD and the momentum methods
    x10 = {label: p.xy[10, 0] for label, p in gallery["long_valley"].items()}
    for label in ("Adagrad", "RMSProp", "Adam"):
        assert x10[label] > max(x10["SGD"], x10["Momentum"], x10["Nesterov"]) + 0.8


def test_saddle_sgd_stays_on_the_ridge_while_adaptive_methods_leave(gallery):
    paths = gallery["saddle"]
    sgd = paths["SGD"].xy
    t = np.arange(len(sgd))
    np.testing.assert_allclose(sgd[:, 0], 0.98**t)  # x *= 1 - 2 lr
    np.testing.assert_allclose(sgd[:, 1], 0.001 * 1.02**t)  # y *= 1 + 2 lr
    assert np.all(np.abs(sgd[:, 1]) < 0.01)
    for label in ("Adagrad", "Adadelta", "RMSProp"):
        assert np.argmax(np.abs(paths[label].xy[:, 1]) > 0.1) <= 12, label
    for label in ("Momentum", "Nesterov"):
        y = np.abs(paths[label].xy[:, 1])
        assert 30 < np.argmax(y > 0.1) < 60, label
        assert (y[30] / y[10]) ** (1 / 20) == pytest.approx(1.11, abs=0.01), label
    np.testing.assert_allclose(sgd[115], (0.098, 0.0098), rtol=0.01)
    # exactly on the ridge, y = 0, every method stays on it: the y-gradient is 0
    on_ridge = load_scene(gallery_path("saddle"), ["start=[1.0, 0.0]"]).build()
    assert all(np.all(p.xy[:, 1] == 0) for p in on_ridge.race().values())


def test_saddle_slowdown_dips_near_the_saddle_then_speeds_up(gallery):
    sgd = gallery["saddle_slowdown"]["SGD"]
    speed = sgd.step_length
    dip = int(np.argmin(speed[:60]))
    assert 30 < dip < 45
    assert speed[0] / speed[dip] > 30  # 0.18 down to about 0.005
    assert np.linalg.norm(sgd.xy[dip]) < 0.1  # near the saddle at the origin
    assert speed[dip : dip + 60].max() / speed[dip] > 5  # then it speeds up again
    np.testing.assert_allclose(sgd.xy[-1], (1.0, 0.0), atol=1e-6)
    assert speed[0] == pytest.approx(0.18, abs=1e-3)
    assert speed[dip] == pytest.approx(0.005, abs=2e-4)
    assert speed[dip : dip + 60].max() / speed[dip] == pytest.approx(8, abs=0.5)
    adam = gallery["saddle_slowdown"]["Adam"]
    assert 0.5 < np.median(adam.step_length[:50]) / 0.05 < 1  # near lr = 0.05
    assert adam.xy[10, 0] > 0.4  # into the right-hand well at once


def test_steep_saddle_plateaus_at_the_saddle_before_the_minimum(gallery):
    sgd = gallery["steep_saddle"]["SGD"]
    y = sgd.xy[:, 1]
    assert np.all(np.sign(y[1:20]) == -np.sign(y[:19]))  # zig-zag across
    np.testing.assert_allclose(y[:20], 0.9 ** np.arange(20) * (-1) ** np.arange(20))
    plateau = sgd.loss[40:120]
    assert np.all(np.abs(plateau) < 0.05)  # looks converged, at the saddle's f = 0
    assert sgd.loss[-1] == pytest.approx(-0.25, abs=1e-3)  # the minimum x = sqrt 5
    x = sgd.xy[:, 0]
    assert (x[30] / x[10]) ** (1 / 20) == pytest.approx(1.019, abs=1e-3)
    adam = gallery["steep_saddle"]["Adam"]  # almost straight to the minimum
    straight = np.linalg.norm(adam.xy[-1] - adam.xy[0])
    assert adam.step_length.sum() / straight < 1.35
    assert adam.xy[-1] == pytest.approx((np.sqrt(5), 0.0), abs=1e-2)


def test_local_minimum_traps_one_start(gallery):
    paths = gallery["local_minimum"]
    trapped, freed = paths["SGD from (-1.2, 0)"], paths["SGD from (-1, 0)"]
    np.testing.assert_allclose(trapped.xy[-1], (-1.7036067, 0.7960836), atol=1e-5)
    np.testing.assert_allclose(freed.xy[-1], (-0.0898420, 0.7126564), atol=1e-5)
    assert trapped.loss[-1] == pytest.approx(-0.2155, abs=1e-4)
    assert freed.loss[-1] == pytest.approx(-1.0316, abs=1e-4)


def test_monkey_saddle_sgd_crawls_then_leaves_down_a_valley(gallery):
    sgd = gallery["monkey_saddle"]["SGD"]
    speed = sgd.step_length
    slowest = int(np.argmin(speed[:150]))
    assert 80 < slowest < 100 and speed[0] / speed[slowest] > 10
    assert sgd.diverged_at is None
    x, y = sgd.xy[-1]
    assert y > 1.5 and np.degrees(np.arctan2(y, x)) == pytest.approx(60, abs=2)
    (x0, x1), (y0, y1) = load_scene(gallery_path("monkey_saddle")).window()
    for label, out in (("SGD", 191), ("Adam", 61)):
        xy = gallery["monkey_saddle"][label].xy
        inside = (
            (x0 <= xy[:, 0]) & (xy[:, 0] <= x1) & (y0 <= xy[:, 1]) & (xy[:, 1] <= y1)
        )
        assert int(np.argmin(inside)) == out, label  # out of view at that step
    adam = gallery["monkey_saddle"]["Adam"].xy
    angle = np.degrees(np.arctan2(adam[:, 1], adam[:, 0]))
    assert 30 <= np.argmax(angle > 50) <= 45  # down the 60-degree valley by ~40


def test_rosenbrock_momentum_arrives_while_sgd_crawls(gallery):
    paths = gallery["rosenbrock"]
    for label, path in paths.items():  # everyone drops into the valley y = x^2
        offset = path.xy[:, 1] - path.xy[:, 0] ** 2
        assert np.argmax(np.abs(offset) < 0.05) <= 15, label
    for label in ("Momentum", "Nesterov"):
        np.testing.assert_allclose(paths[label].xy[-1], (1.0, 1.0), atol=0.02)
        distance = np.linalg.norm(paths[label].xy - 1.0, axis=1)
        assert 600 < np.argmax(distance < 0.05) <= 700, label
    np.testing.assert_allclose(paths["SGD"].xy[-1], (0.73, 0.54), atol=0.01)
    # RMSProp: steps near lr (0.01) that rattle across the floor, and a stall
    rmsprop = paths["RMSProp"]
    offset = rmsprop.xy[500:, 1] - rmsprop.xy[500:, 0] ** 2
    assert np.mean(np.sign(offset[1:]) != np.sign(offset[:-1])) > 0.5
    assert 0.5 < np.median(rmsprop.step_length[500:]) / 0.01 < 1
    np.testing.assert_allclose(rmsprop.xy[-1], (0.83, 0.70), atol=0.01)
    assert rmsprop.xy[-1, 0] - rmsprop.xy[750, 0] < 0.1
    # Adam: no rattle, still closing in
    adam = paths["Adam"]
    offset = adam.xy[500:, 1] - adam.xy[500:, 0] ** 2
    assert np.all(np.sign(offset[1:]) == np.sign(offset[:-1]))
    np.testing.assert_allclose(adam.xy[-1], (0.95, 0.91), atol=0.01)


def test_schedules_decay_reaches_the_global_minimum(gallery):
    final = {label: p.loss[-1] for label, p in gallery["schedules"].items()}
    for label in ("constant 0.02", "exponential"):
        assert final[label] == pytest.approx(-0.21546, abs=1e-4)  # local minimum
    for label in ("step decay", "cosine", "warm restarts"):
        assert final[label] == pytest.approx(-1.03163, abs=1e-4)  # global minimum
    bouncing = gallery["schedules"]["constant 0.15"].loss[-50:]
    assert bouncing.min() == pytest.approx(-0.94, abs=5e-3)  # never settles
    assert bouncing.max() == pytest.approx(-0.72, abs=5e-3)
    for label in ("step decay", "cosine", "warm restarts"):
        xy = gallery["schedules"][label].xy[-1]
        np.testing.assert_allclose(xy, (0.0898420, -0.7126564), atol=1e-5)
    lr = gallery["schedules"]["exponential"].lr
    np.testing.assert_allclose(lr[1:] / lr[:-1], 0.98)


# --- the gallery's noise scenes (the seed documents' claims) ---------------------


def _crossings(x: np.ndarray) -> int:
    return int(np.sum(np.sign(x[1:]) != np.sign(x[:-1])))


def test_shaken_double_well_still_finds_a_well_gentle_hovers_strong_wanders(gallery):
    paths = gallery["shaken_double_well"]
    still = paths["still"].xy
    np.testing.assert_allclose(still[-1], (0.984, 0.032), atol=1e-3)
    gentle = paths["gently shaken"].xy[-200:, 0]
    assert np.abs(gentle).mean() < 0.15 and np.abs(gentle).max() < 0.3  # no well
    strong = paths["strongly shaken"].xy[-200:, 0]
    assert _crossings(strong) >= 15  # back and forth between the wells
    assert np.mean(np.abs(strong) > 0.5) > 0.3 and np.abs(strong).max() > 1.0


def test_perturbed_gd_leaves_the_saddle_where_gd_stays(gallery):
    paths = gallery["perturbed_saddle"]
    gd, pgd = paths["GD"], paths["perturbed GD"]
    assert np.all(gd.xy == 0.0)  # the gradient at the saddle is exactly zero
    kicks = np.flatnonzero(np.any(pgd.grad_used != pgd.grad[:-1], axis=1))
    assert kicks.tolist() == [0, 74, 124]  # at the saddle, then every >= 50 steps
    np.testing.assert_allclose(pgd.xy[-1], (-1.0, 0.0), atol=1e-2)  # a well
    assert pgd.loss[-1] < 1e-4 < gd.loss[-1] == 0.25


def test_curvature_noise_traps_a_constant_lr_but_not_an_annealed_one(gallery):
    paths = gallery["curvature_annealing"]
    constant, annealed = paths["constant lr"].xy, paths["1/t annealing"].xy
    assert np.abs(constant[-50:]).max() < 1e-4  # pulled into the saddle
    assert np.abs(annealed[-50:, 0]).min() > 0.5  # in a well
    assert annealed[-1, 0] == pytest.approx(0.794, abs=1e-3)


def test_noisy_moons_jitter_shrinks_with_the_batch(gallery):
    paths = gallery["noisy_moons"]

    def jitter(label: str) -> float:  # mean step length over the last 50 steps
        steps = np.diff(paths[label].xy[-51:], axis=0)
        return float(np.linalg.norm(steps, axis=1).mean())

    one, eight, full = jitter("SGD"), jitter("minibatch SGD"), jitter("GD")
    assert one > 2 * eight and eight > 20 * full
    minimum = np.array(surfaces.get("noisy_moons").minima[0])
    assert np.linalg.norm(paths["GD"].xy[-1] - minimum) < 0.12  # still creeping


def test_svrg_converges_below_sgds_noise_floor(gallery):
    paths = gallery["svrg_noise_floor"]
    surface = surfaces.get("linear_regression")
    f_min = float(surface(*surface.minima[0]))
    gap = {label: p.loss[-1] - f_min for label, p in paths.items()}
    assert gap["SVRG"] * 1000 < gap["SGD"]
    assert gap["SVRG"] == pytest.approx(gap["GD"], rel=0.1)  # as fast as GD
    assert gap["SGD"] > 1e-3  # stalled at the noise floor


def test_tanh_net_gd_lingers_at_the_saddle_and_sgd_does_not(gallery):
    paths = gallery["tanh_net_saddle"]
    near = {label: int(np.sum(np.hypot(*p.xy.T) < 0.25)) for label, p in paths.items()}
    assert near == {"GD": 17, "SGD": 0, "minibatch SGD": 0}
    minima = np.array(surfaces.get("tanh_net").minima)
    for path in paths.values():  # all end near a minimum (SGD still jitters)
        assert np.min(np.linalg.norm(minima - path.xy[-1], axis=1)) < 0.6


def test_a_formula_surface_start_outside_its_window_is_named_as_a_start():
    text = (
        'surface: {expr: "x**2 - y**2", window: {x: [-2, 2], y: [-2, 2]}}\n'
        "start: [[1, 0], [5, 0]]\noptimizers: [{name: sgd}]\n"
    )
    with pytest.raises(SceneError) as error:
        parse_scene(text, source="f.yaml")
    assert str(error.value) == (
        "f.yaml:2: start[1]: [5, 0] lies outside the surface's window "
        "x [-2, 2], y [-2, 2]"
    )


def test_scene_errors_cross_process_boundaries_intact():
    import pickle

    with pytest.raises(SceneError) as error:
        parse_scene("surface: sadle\noptimizers: [{name: sgd}]\n", source="s.yaml")
    again = pickle.loads(pickle.dumps(error.value))
    assert str(again) == str(error.value) and again.issues == error.value.issues
    assert str(again).startswith("s.yaml:1: surface: unknown surface 'sadle'")


def test_the_gallery_index_shows_each_output_kind_with_the_right_element():
    from optimotion.scene._gallery import _media

    def tag(name):
        return _media(pathlib.Path(name), "A race").split(" ")[0]

    assert [tag(n) for n in ("a.gif", "a.png", "a.MP4", "a.webm", "a.html")] == [
        "<img", "<img", "<video", "<video", "<iframe",
    ]  # fmt: skip
    assert tag("a.pdf") == "<a"


def test_lr_auto_tunes_each_optimizer_with_its_own_noise():
    built = parse_scene(
        "surface: linear_regression\nsteps: 60\nseed: 2\n"
        "noise: {kind: minibatch, batch_size: 1}\noptimizers:\n"
        "  - {name: sgd, lr: auto, label: GD, noise: null}\n"
        "  - {name: sgd, lr: auto, label: SGD}\n"
        "tune: {min: 0.01, max: 0.3, points: 6}\n"
    ).build()
    chosen = optimotion.tune(
        built.surface,
        {"GD": optimizers.sgd(lr=0.1), "SGD": optimizers.sgd(lr=0.1)},
        built.starts[0],
        60,
        grid=built.grid,
        seed=2,
        noise={"GD": None, "SGD": noise.minibatch(1)},
        stay_in_window=True,
    )
    tuned = built.tuned().optimizers
    for label in ("GD", "SGD"):
        assert tuned[label].hyperparams["lr"] == chosen[label].lr
    assert chosen["GD"].lr != chosen["SGD"].lr  # the noise changed the choice


def test_the_legend_marks_tuned_learning_rates():
    built = parse_scene(
        "surface: linear_regression\nsteps: 60\nseed: 2\n"
        "noise: {kind: minibatch, batch_size: 1}\noptimizers:\n"
        "  - {name: sgd, lr: auto, label: GD, noise: null}\n"
        "  - {name: sgd, lr: auto, label: SGD}\n"
        "  - {name: sgd, lr: 0.1, label: fixed, noise: null}\n"
        "tune: {min: 0.01, max: 0.3, points: 6}\n"
    ).build()
    assert built.spec.notes == {"GD": "tuned", "SGD": "tuned, batch 1"}
    from optimotion.render import prepare

    legends = [
        t.legend for t in prepare(built.race(), built.surface, built.spec).tracks
    ]
    lrs = {k: v.hyperparams["lr"] for k, v in built.tuned().optimizers.items()}
    assert legends == [
        f"GD (lr={lrs['GD']:.3g}, tuned)",
        f"SGD (lr={lrs['SGD']:.3g}, tuned, batch 1)",
        "fixed (lr=0.1)",
    ]
