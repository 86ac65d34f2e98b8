"""The `optimotion` command line: exit codes, exact messages, every command.

Most cases run in-process through `main(argv)`; a few run `python -m optimotion`
as a subprocess (each one pays jax's import), for the console entry point, the
start-up imports and one end-to-end render.
"""

import csv
import io
import json
import os
import pathlib
import re
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
from helpers import fresh_python
from helpers import run_cli as run

import optimotion
from optimotion import cli, optimizers, surfaces
from optimotion.scene import Scene, gallery_names, gallery_path, load_scene, parse_scene

BASE = "surface: saddle\noptimizers:\n  - {name: sgd, lr: 0.1}\n"
WINDOW = "window: {x: [-1, 1], y: [-1, 1]}"


def expr(formula: str) -> str:
    return f"surface: {{expr: {formula}, {WINDOW}}}\noptimizers: [{{name: sgd}}]\n"


# (name, scene text, the exact stderr lines of `optimotion validate scene.yaml`)
BROKEN = [
    # YAML syntax
    ("unclosed", "surface: saddle\noptimizers: [{name: sgd, lr: 0.1}\n",
     ["scene.yaml:2: invalid YAML: the flow sequence that starts here is never "
      "closed (expected ',' or ']')"]),
    ("colon in value", "surface: saddle: x\noptimizers: [{name: sgd}]\n",
     ["scene.yaml:1: invalid YAML: mapping values are not allowed here (column 16)"]),
    ("tab", "surface: saddle\noptimizers:\n\t- {name: sgd}\n",
     ["scene.yaml:3: invalid YAML: a tab character; indent with spaces (column 1)"]),
    ("two documents", "surface: saddle\n---\noptimizers: [{name: sgd}]\n",
     ["scene.yaml:2: a second YAML document starts here; a scene file holds one"]),
    ("python tag", "surface: !!python/object/apply:os.system [ls]\n",
     ["scene.yaml:1: YAML tags such as !!python/object/apply:os.system are not "
      "allowed in scene files"]),
    ("duplicate key", BASE + "steps: 10\nsteps: 20\n",
     ["scene.yaml:5: steps: duplicate key 'steps' (first on line 4)"]),
    ("alias bomb",
     "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
     + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
               for p, n in zip("abcd", "bcde", strict=True)),
     ["scene.yaml: the YAML expands to 123,461 values (aliases included); scene "
      "files are limited to 10,000"]),
    # the document's shape and unknown keys
    ("a list", "- surface: saddle\n",
     ["scene.yaml:1: expected a mapping of scene fields (surface, optimizers, ...), "
      "got a list of 1"]),
    ("empty", "",
     ["scene.yaml:1: surface: required field is missing",
      "scene.yaml:1: optimizers: required field is missing"]),
    ("unknown key", BASE + "titel: Hello\n",
     ["scene.yaml:4: titel: unknown key 'titel' — did you mean 'title'?"]),
    ("optimizers not a list", "surface: saddle\noptimizers: {name: sgd}\n",
     ["scene.yaml:2: optimizers: expected a list, got a mapping"]),
    ("no optimizers", "surface: saddle\noptimizers: []\n",
     ["scene.yaml:2: optimizers: expected at least 1 item, got 0"]),
    # names
    ("surface typo", "surface: rosenbrok\noptimizers: [{name: sgd}]\n",
     ["scene.yaml:1: surface: unknown surface 'rosenbrok' — did you mean "
      "'rosenbrock'?"]),
    ("surface number", "surface: 3\noptimizers: [{name: sgd}]\n",
     ["scene.yaml:1: surface: expected a surface name (see `optimotion list "
      "surfaces`) or {expr: ..., window: {x: [..], y: [..]}}"]),
    ("optimizer typo (the issue's example)",
     "title: Optimizers at a saddle point\nsurface: saddle\nstart: [1.0, 0.001]\n"
     "steps: 300\nseed: 0\noptimizers:\n  - {name: sgd, lr: 0.02, label: SGD}\n"
     "  - {name: momentum, lr: 0.02, momentum: 0.9}\n  - {name: adma, lr: 0.05}\n",
     ["scene.yaml:9: optimizers[2].name: unknown optimizer 'adma' — did you mean "
      "'adam'?"]),
    ("optimizer without name", "surface: saddle\noptimizers:\n  - {lr: 0.1}\n",
     ["scene.yaml:3: optimizers[0].name: required field is missing; expected one "
      "of: 'adadelta', 'adagrad', 'adam', 'adamax', 'adamw', 'asgd', 'momentum', "
      "'nadam', 'nesterov', 'radam', 'rmsprop', 'rprop', 'sgd'"]),
    ("hyperparameter typo", "surface: saddle\noptimizers:\n  - {name: adam, lrr: 1}\n",
     ["scene.yaml:3: optimizers[0].lrr: unknown key 'lrr' for `adam` — did you "
      "mean 'lr'?"]),
    ("another optimizer's hyperparameter",
     "surface: saddle\noptimizers:\n  - {name: sgd, betas: [0.9, 0.99]}\n",
     ["scene.yaml:3: optimizers[0].betas: unknown key 'betas' for `sgd`; expected "
      "one of: 'color', 'dampening', 'label', 'lr', 'momentum', 'name', "
      "'nesterov', 'noise', 'weight_decay'"]),
    ("view typo", BASE + "render: {views: [contur, loss]}\n",
     ["scene.yaml:4: render.views[0]: unknown value 'contur' — did you mean "
      "'contour'?"]),
    ("theme", BASE + "render: {theme: grey}\n",
     ["scene.yaml:4: render.theme: expected one of: 'dark', 'light', got 'grey'"]),
    ("schedule typo",
     "surface: saddle\noptimizers:\n  - name: sgd\n    lr: {schedule: cosin}\n",
     ["scene.yaml:4: optimizers[0].lr.schedule: unknown schedule 'cosin' — did "
      "you mean 'cosine'?"]),
    ("noise kind", BASE + "noise: {kind: gauss, sigma: 0.1}\n",
     ["scene.yaml:4: noise.kind: unknown noise kind 'gauss' — did you mean "
      "'gaussian'?"]),
    ("colour", "surface: saddle\noptimizers:\n  - {name: sgd, color: blu}\n",
     ["scene.yaml:3: optimizers[0].color: unknown colour 'blu' — did you mean "
      "'blue'?"]),
    ("output format", BASE + "render: {output: movie.avi}\n",
     ["scene.yaml:4: render.output: unknown output format '.avi' in 'movie.avi'; "
      "expected one of: .gif, .mp4, .webm, .pdf, .png, .svg, .html, or a folder "
      "ending in '/'"]),
    # wrong types
    ("lr as text", "surface: saddle\noptimizers:\n  - {name: sgd, lr: fast}\n",
     ["scene.yaml:3: optimizers[0].lr: expected a number, got 'fast'"]),
    ("lr as yes", "surface: saddle\noptimizers:\n  - {name: sgd, lr: yes}\n",
     ["scene.yaml:3: optimizers[0].lr: expected a number, got true"]),
    ("quoted number",
     "surface: saddle\noptimizers:\n  - {name: momentum, momentum: '0.9'}\n",
     ["scene.yaml:3: optimizers[0].momentum: expected a number, got '0.9'"]),
    ("flag", "surface: saddle\noptimizers:\n  - {name: sgd, nesterov: maybe}\n",
     ["scene.yaml:3: optimizers[0].nesterov: expected true or false, got 'maybe'"]),
    ("fractional steps", BASE + "steps: 10.5\n",
     ["scene.yaml:4: steps: expected a whole number, got 10.5"]),
    ("three betas",
     "surface: saddle\noptimizers:\n  - {name: adam, betas: [0.9, 0.99, 0.5]}\n",
     ["scene.yaml:3: optimizers[0].betas: expected 2 items, got 3"]),
    ("short start", BASE + "start: [1]\n",
     ["scene.yaml:4: start: expected 2 items, got 1"]),
    ("fractional schedule step",
     "surface: saddle\noptimizers:\n  - name: sgd\n"
     "    lr: {schedule: step_decay, lr: 0.1, step_size: 2.5}\n",
     ["scene.yaml:4: optimizers[0].lr.step_size: expected a whole number, got 2.5"]),
    # out-of-range values (the optimizer factories' own checks, at their fields)
    ("negative lr", "surface: saddle\noptimizers:\n  - {name: sgd, lr: -0.1}\n",
     ["scene.yaml:3: optimizers[0].lr: must be >= 0, got -0.1"]),
    ("betas and eps",
     "surface: saddle\noptimizers:\n  - {name: adam, betas: [0.9, 1.2], eps: -1}\n",
     ["scene.yaml:3: optimizers[0].betas[1]: must be in [0, 1), got 1.2",
      "scene.yaml:3: optimizers[0].eps: must be >= 0, got -1.0"]),
    ("negative seed", BASE + "seed: -1\n",
     ["scene.yaml:4: seed: must be >= 0, got -1"]),
    ("negative sigma", BASE + "noise: {kind: gaussian, sigma: -0.1}\n",
     ["scene.yaml:4: noise.sigma: must be >= 0, got -0.1"]),
    ("missing schedule argument",
     "surface: saddle\noptimizers:\n  - name: sgd\n    lr: {schedule: cosine, lr: 1}\n",
     ["scene.yaml:4: optimizers[0].lr.t_max: required field is missing"]),
    ("start outside", BASE + "start: [5, 0]\n",
     ["scene.yaml:4: start: [5, 0] lies outside the surface's window x [-1.5, "
      "1.5], y [-1.5, 1.5]"]),
    ("repeated start", BASE + "start: [[1, 0], [1, 0]]\n",
     ["scene.yaml:4: start[1]: [1, 0] is listed twice"]),
    ("reversed window", "surface: {expr: 'x**2', window: {x: [1, -1], y: [-1, 1]}}"
     "\noptimizers: [{name: sgd}]\n",
     ["scene.yaml:1: surface.window.x: xmin must be < xmax, got [1, -1]"]),
    ("keyframes",
     BASE + "render:\n  camera:\n    keyframes:\n      - {at: 0.5, elev: 30, azim: 0}"
     "\n      - {at: 0.2, elev: 30, azim: 90}\n",
     ["scene.yaml:8: render.camera.keyframes[1].at: must be > 0.5, the keyframe "
      "before it, got 0.2"]),
    ("duration and steps_per_frame",
     BASE + "render: {duration: 5, steps_per_frame: 2}\n",
     ["scene.yaml:4: render.steps_per_frame: must not be given with duration "
      "(give one of them), got duration=5.0, steps_per_frame=2"]),
    ("layout", BASE + "render: {views: [contour, loss, speed], layout: [1, 2]}\n",
     ["scene.yaml:4: render.layout: (1, 2) has 2 cells for 3 views ('contour', "
      "'loss', 'speed')"]),
    ("duplicate labels",
     "surface: saddle\noptimizers:\n  - {name: sgd, label: GD}\n"
     "  - {name: momentum, label: GD}\n",
     ["scene.yaml:4: optimizers[1].label: label 'GD' is already used by "
      "optimizers[0]; labels must differ"]),
    # ensembles
    ("no particles", BASE + "ensemble: {n: 0}\n",
     ["scene.yaml:4: ensemble.n: must be >= 1, got 0"]),
    ("keep over n", BASE + "ensemble: {n: 100, keep: 101}\n",
     ["scene.yaml:4: ensemble.keep: must be <= n (100), got 101"]),
    ("too many particle-steps", BASE + "steps: 1000\nensemble: {n: 200000}\n",
     ["scene.yaml:5: ensemble.n: 200,000 particles x 1,000 steps x 1 optimizer is "
      "200,000,000 particle-steps; the limit is 100,000,000"]),
    ("zero exit radius", BASE + "ensemble: {n: 10, exit_radius: 0}\n",
     ["scene.yaml:4: ensemble.exit_radius: must be > 0, got 0"]),
    ("negative exit radius", BASE + "ensemble: {n: 10, exit_radius: -1.5}\n",
     ["scene.yaml:4: ensemble.exit_radius: must be > 0, got -1.5"]),
    ("cloud without ensemble", BASE + "render: {views: [contour, cloud]}\n",
     ["scene.yaml:4: render.views[1]: 'cloud' draws ensembles; add an `ensemble:` "
      "section (e.g. ensemble: {n: 1000})"]),
    ("survival without exit radius",
     BASE + "ensemble: {n: 10}\nrender: {views: [survival]}\n",
     ["scene.yaml:5: render.views[0]: 'survival' needs ensemble.exit_radius"]),
    ("ensemble view to html",
     BASE + "ensemble: {n: 10}\nrender: {views: [cloud], output: c.html}\n",
     ["scene.yaml:5: render.views: the .html player cannot show the 'cloud' view; "
      "render ensembles to a video (.mp4, .webm or .gif), PNG frames or a still"]),
    ("ensemble from two starts",
     BASE + "start: [[0, 0.1], [0, 0.2]]\nensemble: {n: 10}\n",
     ["scene.yaml:4: start: an ensemble scene has one start point"]),
    # absurd sizes, steps and frames
    ("absurd steps", BASE + "steps: 1000000000\n",
     ["scene.yaml:4: steps: 1,000,000,000 steps is over the limit of 100,000"]),
    ("absurd width", BASE + "render: {size: [100000, 720]}\n",
     ["scene.yaml:4: render.size[0]: must be <= 3840, got 100000"]),
    ("tiny height", BASE + "render: {size: [1280, 8]}\n",
     ["scene.yaml:4: render.size[1]: must be >= 16, got 8"]),
    ("odd MP4 size", BASE + "render: {size: [641, 480], output: out.mp4}\n",
     ["scene.yaml:4: render.size: .mp4 needs even pixel sizes (yuv420p), got "
      "[641, 480]; use [642, 480]"]),
    ("absurd frames", BASE + "render: {fps: 120, duration: 3600}\n",
     ["scene.yaml:4: render.duration: 432,120 frames (motion plus hold) is over "
      "the limit of 3,000; shorten duration or hold, lower fps, or raise "
      "steps_per_frame"]),
    ("a frame per step", BASE + "steps: 90000\nrender: {steps_per_frame: 1}\n",
     ["scene.yaml:5: render.steps_per_frame: 90,031 frames (motion plus hold) is "
      "over the limit of 3,000; shorten duration or hold, lower fps, or raise "
      "steps_per_frame"]),
    ("GIF fps", BASE + "render: {fps: 60, output: a.gif}\n",
     ["scene.yaml:4: render.fps: a GIF plays at most 50 fps, got 60; use .mp4 or "
      ".webm"]),
    ("huge title", BASE + "title: " + "a" * 300 + "\n",
     ["scene.yaml:4: title: the title is 300 characters long; the limit is 200"]),
    # malicious or broken formulas (never evaluated as Python)
    ("__import__", expr("\"__import__('os').system('ls')\""),
     ["scene.yaml:1: surface.expr: attribute access \"__import__('os').system\" is "
      "not allowed"]),
    ("dunder attribute", expr("'x.__class__'"),
     ["scene.yaml:1: surface.expr: attribute access 'x.__class__' is not allowed"]),
    ("power tower", expr("'9**9**9'"),
     ["scene.yaml:1: surface.expr: exponent '9**9' is too large: constant "
      "exponents must be at most 100 in absolute value, got 3.8742e+08"]),
    ("huge formula", expr("'" + "x+" * 300 + "y'"),
     ["scene.yaml:1: surface.expr: the formula is 601 characters long; the limit "
      "is 500"]),
    ("open()", expr("\"open('/etc/passwd')\""),
     ["scene.yaml:1: surface.expr: unknown function 'open', expected one of abs, "
      "arctan, cos, cosh, exp, log, sin, sinh, sqrt, tan, tanh"]),
    ("lambda", expr("'lambda: 0'"),
     ["scene.yaml:1: surface.expr: lambda 'lambda: 0' is not allowed"]),
    ("formula syntax", expr("'x**'"),
     ["scene.yaml:1: surface.expr: invalid syntax in 'x**': invalid syntax"]),
    ("not finite at the start", expr("'log(x)'") + "start: [-0.5, 0.5]\n",
     ["scene.yaml:1: surface.expr: 'log(x)' is not finite at the start (-0.5, "
      "0.5): f = nan, gradient = (-2.0, 0.0); pick a start (or window) where it "
      "is"]),
]  # fmt: skip


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_at_least_thirty_broken_scenes():
    assert len(BROKEN) >= 30
    assert len({name for name, _, _ in BROKEN}) == len(BROKEN)


@pytest.mark.parametrize(("name", "text", "lines"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_scene_exits_2_with_one_line_per_problem(
    name, text, lines, workdir, capsys
):
    (workdir / "scene.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(["validate", "scene.yaml"], capsys)
    assert code == 2
    assert out == ""
    assert err.splitlines() == lines


# Every noise kind x each wrong field: (name, scene text, the exact stderr lines).
MOONS = "surface: noisy_moons\noptimizers:\n  - {name: sgd, lr: 0.1}\n"
FINITE = "needs a finite-sum surface (noisy_moons, tanh_net, linear_regression)"
CHAIN = "a chain takes at most one source (shaking, minibatch, svrg), first"
BROKEN_NOISE = [
    ("gaussian negative sigma", BASE + "noise: {kind: gaussian, sigma: -0.5}\n",
     ["scene.yaml:4: noise.sigma: must be >= 0, got -0.5"]),
    ("gaussian negative axis", BASE + "noise: {kind: gaussian, sigma: [0.1, -1]}\n",
     ["scene.yaml:4: noise.sigma[1]: must be >= 0, got -1"]),
    ("gaussian three axes",
     BASE + "noise: {kind: gaussian, sigma: [0.1, 0.1, 0.1]}\n",
     ["scene.yaml:4: noise.sigma: expected 2 items, got 3"]),
    ("gaussian sigma text", BASE + "noise: {kind: gaussian, sigma: big}\n",
     ["scene.yaml:4: noise.sigma: expected a number, got 'big'"]),
    ("gaussian sde", BASE + "noise: {kind: gaussian, sigma: 1, sde: 1}\n",
     ["scene.yaml:4: noise.sde: expected true or false, got 1"]),
    ("gaussian field typo", BASE + "noise: {kind: gaussian, sigam: 1}\n",
     ["scene.yaml:4: noise.sigma: required field is missing",
      "scene.yaml:4: noise.sigam: unknown key 'sigam' for `gaussian` — did you "
      "mean 'sigma'?"]),
    ("shaking negative sigma", BASE + "noise: {kind: shaking, sigma: -1}\n",
     ["scene.yaml:4: noise.sigma: must be >= 0, got -1"]),
    ("shaking has no sde", BASE + "noise: {kind: shaking, sigma: 1, sde: true}\n",
     ["scene.yaml:4: noise.sde: unknown key 'sde' for `shaking`; expected one of: "
      "'kind', 'sigma'"]),
    ("curvature negative sigma", BASE + "noise: {kind: curvature, sigma: -2}\n",
     ["scene.yaml:4: noise.sigma: must be >= 0, got -2"]),
    ("curvature center", BASE + "noise: {kind: curvature, sigma: 2, center: [0]}\n",
     ["scene.yaml:4: noise.center: expected 2 items, got 1"]),
    ("curvature infinite center",
     BASE + "noise: {kind: curvature, sigma: 2, center: [.inf, 0]}\n",
     ["scene.yaml:4: noise.center[0]: expected a finite number, got inf"]),
    ("heavy_tailed negative sigma",
     BASE + "noise: {kind: heavy_tailed, sigma: -1, df: 3}\n",
     ["scene.yaml:4: noise.sigma: must be >= 0, got -1"]),
    ("heavy_tailed zero df", BASE + "noise: {kind: heavy_tailed, sigma: 1, df: 0}\n",
     ["scene.yaml:4: noise.df: must be > 0, got 0"]),
    ("heavy_tailed missing df", BASE + "noise: {kind: heavy_tailed, sigma: 1}\n",
     ["scene.yaml:4: noise.df: required field is missing"]),
    ("minibatch zero batch", MOONS + "noise: {kind: minibatch, batch_size: 0}\n",
     ["scene.yaml:4: noise.batch_size: must be >= 1, got 0"]),
    ("minibatch fractional batch",
     MOONS + "noise: {kind: minibatch, batch_size: 2.5}\n",
     ["scene.yaml:4: noise.batch_size: expected a whole number, got 2.5"]),
    ("minibatch batch over N", MOONS + "noise: {kind: minibatch, batch_size: 500}\n",
     ["scene.yaml:4: noise.batch_size: must be in [1, 200] (the surface's 200 "
      "examples), got 500"]),
    ("minibatch on a closed form", BASE + "noise: {kind: minibatch, batch_size: 8}\n",
     [f"scene.yaml:4: noise.kind: `minibatch` {FINITE}; 'saddle' is a closed-form "
      "surface"]),
    ("minibatch on a formula", expr("x**2 + y**2")
     + "noise: {kind: minibatch, batch_size: 8}\n",
     [f"scene.yaml:3: noise.kind: `minibatch` {FINITE}; a formula is a "
      "closed-form surface"]),
    ("svrg zero batch", MOONS + "noise: {kind: svrg, batch_size: 0, every: 10}\n",
     ["scene.yaml:4: noise.batch_size: must be >= 1, got 0"]),
    ("svrg zero every", MOONS + "noise: {kind: svrg, batch_size: 4, every: 0}\n",
     ["scene.yaml:4: noise.every: must be >= 1, got 0"]),
    ("svrg batch over N", MOONS + "noise: {kind: svrg, batch_size: 201, every: 10}\n",
     ["scene.yaml:4: noise.batch_size: must be in [1, 200] (the surface's 200 "
      "examples), got 201"]),
    ("svrg missing every", MOONS + "noise: {kind: svrg, batch_size: 4}\n",
     ["scene.yaml:4: noise.every: required field is missing"]),
    ("svrg on a closed form", BASE + "noise: {kind: svrg, batch_size: 4, every: 10}\n",
     [f"scene.yaml:4: noise.kind: `svrg` {FINITE}; 'saddle' is a closed-form "
      "surface"]),
    ("perturbed zero radius",
     BASE + "noise: {kind: perturbed, radius: 0, threshold: 0.01}\n",
     ["scene.yaml:4: noise.radius: must be > 0, got 0"]),
    ("perturbed negative threshold",
     BASE + "noise: {kind: perturbed, radius: 0.1, threshold: -1}\n",
     ["scene.yaml:4: noise.threshold: must be >= 0, got -1"]),
    ("perturbed negative wait",
     BASE + "noise: {kind: perturbed, radius: 0.1, threshold: 0.01, wait: -1}\n",
     ["scene.yaml:4: noise.wait: must be >= 0, got -1"]),
    ("perturbed missing threshold", BASE + "noise: {kind: perturbed, radius: 0.1}\n",
     ["scene.yaml:4: noise.threshold: required field is missing"]),
    ("noise kind typo", BASE + "noise: {kind: shake, sigma: 1}\n",
     ["scene.yaml:4: noise.kind: unknown noise kind 'shake' — did you mean "
      "'shaking'?"]),
    ("noise without kind", BASE + "noise: {sigma: 1}\n",
     ["scene.yaml:4: noise.kind: required field is missing; expected one of: "
      "'curvature', 'gaussian', 'heavy_tailed', 'minibatch', 'perturbed', "
      "'shaking', 'svrg'"]),
    ("noise not a mapping", BASE + "noise: 0.1\n",
     ["scene.yaml:4: noise: expected a noise model such as {kind: gaussian, "
      "sigma: 0.1}, or a list of them (a chain)"]),
    ("chain of two sources", MOONS + "noise: [{kind: minibatch, batch_size: 8}, "
     "{kind: svrg, batch_size: 8, every: 10}]\n",
     ["scene.yaml:4: noise[1]: `svrg` is a gradient source and `minibatch` "
      f"already makes the gradient; {CHAIN}"]),
    ("chain source last", MOONS + "noise: [{kind: gaussian, sigma: 0.1}, "
     "{kind: minibatch, batch_size: 8}]\n",
     ["scene.yaml:4: noise[1]: `minibatch` is a gradient source and it must come "
      f"before `gaussian`; {CHAIN}"]),
    ("empty chain", BASE + "noise: []\n",
     ["scene.yaml:4: noise: expected at least 1 item, got 0"]),
    ("optimizer noise typo",
     BASE + "  - {name: sgd, noise: {kind: minibach, batch_size: 8}}\n",
     ["scene.yaml:4: optimizers[1].noise.kind: unknown noise kind 'minibach' — "
      "did you mean 'minibatch'?"]),
    ("optimizer noise on a closed form", BASE + "  - {name: sgd, noise: "
     "[{kind: minibatch, batch_size: 8}, {kind: gaussian, sigma: 1}]}\n",
     [f"scene.yaml:4: optimizers[1].noise[0].kind: `minibatch` {FINITE}; "
      "'saddle' is a closed-form surface"]),
]  # fmt: skip


def test_every_noise_kind_has_broken_settings_in_the_table():
    from optimotion.scene._noise_schema import NOISE_MODELS  # noqa: PLC0415

    scenes = "".join(text for _, text, _ in BROKEN_NOISE)
    for kind in NOISE_MODELS:
        assert f"kind: {kind}" in scenes, kind
    assert len({name for name, _, _ in BROKEN_NOISE}) == len(BROKEN_NOISE)


@pytest.mark.parametrize(
    ("name", "text", "lines"), BROKEN_NOISE, ids=[b[0] for b in BROKEN_NOISE]
)
def test_broken_noise_exits_2_with_one_line_per_problem_and_writes_nothing(
    name, text, lines, workdir, capsys
):
    (workdir / "scene.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(["validate", "scene.yaml"], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == lines
    code, out, err = run(["render", "scene.yaml", "-o", "out.gif", "--quiet"], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == lines
    assert sorted(p.name for p in workdir.iterdir()) == ["scene.yaml"]


def test_unreadable_files_exit_2(workdir, capsys):
    (workdir / "latin1.yaml").write_bytes(b"surface: saddle\ntitle: caf\xe9\n")
    (workdir / "big.yaml").write_bytes(b"# " + b"x" * 1_000_000 + b"\n")
    (workdir / "folder.yaml").mkdir()
    code, out, err = run(
        ["validate", "latin1.yaml", "big.yaml", "folder.yaml", "missing.yaml"], capsys
    )
    assert code == 2
    assert err.splitlines() == [
        "latin1.yaml:2: not UTF-8 text; save the file as UTF-8",
        "big.yaml: the file is 1,000,003 bytes; scene files are limited to "
        "1,000,000 bytes",
        "folder.yaml: is a folder, not a file",
        "missing.yaml: no such file",
    ]


def test_validate_exits_0_for_good_files_and_reports_each(workdir, capsys):
    (workdir / "good.yaml").write_text(BASE, encoding="utf-8")
    (workdir / "bad.yaml").write_text(BASE + "steps: 0\n", encoding="utf-8")
    code, out, err = run(["validate", "good.yaml"], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "good.yaml: ok (1 optimizer x 1 start, 200 steps, 180 frames; about 5 s of "
        "work)\n"
    )
    code, out, err = run(["validate", "good.yaml", "bad.yaml"], capsys)
    assert code == 2
    assert out == (
        "good.yaml: ok (1 optimizer x 1 start, 200 steps, 180 frames; about 5 s of "
        "work)\n"
    )
    assert err == "bad.yaml:4: steps: must be >= 1, got 0\n"


def test_validate_applies_overrides(workdir, capsys):
    (workdir / "s.yaml").write_text(BASE, encoding="utf-8")
    code, out, _ = run(["validate", "s.yaml", "--set", "steps=50",
                        "--set", "render.steps_per_frame=5"], capsys)  # fmt: skip
    assert code == 0
    assert out == (
        "s.yaml: ok (1 optimizer x 1 start, 50 steps, 41 frames; about 3 s of work)\n"
    )
    code, _, err = run(["validate", "s.yaml", "--set", "optimizers[0].lr=-1"], capsys)
    assert code == 2
    assert err == (
        "s.yaml (--set optimizers[0].lr=-1): optimizers[0].lr: must be >= 0, got -1.0\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "optimotion: the following arguments are required: COMMAND (see "
         "optimotion --help)"),
        (["rendr"], "optimotion: argument COMMAND: unknown choice 'rendr'; expected "
         "one of: render, validate, list, new, gallery, export, tune, explore, "
         "study, schema — did you mean 'render'? (see optimotion --help)"),
        (["render"], "optimotion render: the following arguments are required: "
         "SCENE (see optimotion render --help)"),
        (["list", "colours"], "optimotion list: argument WHAT: unknown choice "
         "'colours'; expected one of: surfaces, optimizers, views, schedules, "
         "scenes (see optimotion list --help)"),
        (["export", "s.yaml"], "optimotion export: the following arguments are "
         "required: -o/--output (see optimotion export --help)"),
        (["export", "s.yaml", "-o", "paths.txt"], "optimotion export: -o "
         "paths.txt: expected a .csv or .json file"),
        (["render", "s.yaml", "-o", "out.avi"], "optimotion render: -o out.avi: "
         "render.output: unknown output format '.avi' in 'out.avi'; expected one "
         "of: .gif, .mp4, .webm, .pdf, .png, .svg, .html, or a folder ending in "
         "'/'"),
        (["render", "s.yaml", "--set", "render.size=[641, 480]"], "optimotion "
         "render: default output s.mp4: render.size: .mp4 needs even pixel sizes "
         "(yuv420p), got [641, 480]; use [642, 480]"),
        (["new", "sadle"], "optimotion new: unknown surface 'sadle' — did you mean "
         "'saddle'?"),
        (["new", "saddle", "-o", "nodir/s.yaml"], "optimotion new: -o nodir/s.yaml: "
         "folder nodir/ does not exist"),
        (["schema", "-o", "nodir/s.json"], "optimotion schema: -o nodir/s.json: "
         "folder nodir/ does not exist"),
        (["export", "s.yaml", "-o", "nodir/x.csv"], "optimotion export: -o "
         "nodir/x.csv: folder nodir/ does not exist"),
        (["render", "s.yaml", "-o", "nodir/frames/"], "optimotion render: -o "
         "nodir/frames/: folder nodir/ does not exist"),
        (["gallery", "--scenes", "nowhere"], "optimotion gallery: no *.yaml scenes "
         "in nowhere; pass --scenes DIR"),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_with_one_line(argv, message, workdir, capsys):
    (workdir / "s.yaml").write_text(BASE, encoding="utf-8")
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


def test_low_res_help_states_the_limits_it_applies(capsys):
    from optimotion.scene._files import LOW_RES_FPS, LOW_RES_WIDTH

    code, out, _ = run(["render", "--help"], capsys)
    assert code == 0
    expected = f"at most {LOW_RES_WIDTH} px wide, at most {LOW_RES_FPS} fps"
    assert expected in " ".join(out.split())


def test_help_and_version(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and out.startswith("usage: optimotion [-h] [--version] COMMAND")
    for command in ("render", "validate", "list", "new", "gallery", "export"):
        assert f"\n    {command} " in out
    code, out, _ = run(["render", "--help"], capsys)
    assert code == 0 and "--set KEY=VALUE" in out and "--debug" in out
    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, optimotion.__version__ + "\n")


def test_the_cli_module_imports_neither_jax_nor_matplotlib():
    # A fresh interpreter: this test process imported jax already (conftest).
    probe = (
        "import sys, optimotion.cli as c; c.build_parser()\n"
        "print(sorted(m for m in ('jax', 'matplotlib', 'numpy', 'pydantic', 'yaml')"
        " if m in sys.modules))"
    )
    assert fresh_python(probe) == "[]\n"


def test_unexpected_failures_exit_1_with_a_hint(workdir, capsys, monkeypatch):
    (workdir / "s.yaml").write_text(BASE, encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("the encoder exploded\nsecond line")

    monkeypatch.setattr("optimotion.render.render_to", broken)
    code, out, err = run(["render", "s.yaml", "-o", "out.gif"], capsys)
    assert (code, out) == (1, "")
    assert err == (
        "optimotion render: unexpected RuntimeError: the encoder exploded (rerun "
        "with --debug for the traceback)\n"
    )
    code, _, err = run(["render", "s.yaml", "-o", "out.gif", "--debug"], capsys)
    assert code == 1
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith("RuntimeError: the encoder exploded\nsecond line\n")
    assert not (workdir / "out.gif").exists()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("optimotion.render.render_to", interrupted)
    code, _, err = run(["render", "s.yaml", "-o", "out.gif"], capsys)
    assert (code, err) == (130, "optimotion: interrupted\n")


def test_list(capsys):
    code, out, _ = run(["list", "surfaces"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "  saddle           f = x**2 - y**2" in lines
    assert (
        "                   window x [-2, 2], y [-1, 3]; start (-1.2, 1); "
        "minimum (1, 1)"
    ) in lines  # rosenbrock
    assert sum(line.startswith("  ") and " f = " in line for line in lines) == len(
        surfaces.names()
    )
    code, out, _ = run(["list", "optimizers"], capsys)
    assert (
        "  adam       Adam       lr=0.001, betas=(0.9, 0.999), eps=1e-08, "
        "weight_decay=0.0, amsgrad=False, decoupled_weight_decay=False"
    ) in out.splitlines()
    lines, builtins = out.splitlines(), optimizers.names("built-in")
    assert [line.split()[0] for line in lines[: len(builtins)]] == list(builtins)
    assert lines[len(builtins)].startswith("  optax (in a scene: {optax: NAME")
    assert (
        "  lion       learning_rate, b1=0.9, b2=0.99, mu_dtype=None, "
        "weight_decay=0.001, mask=None"
    ) in lines
    code, out, _ = run(["list", "schedules"], capsys)
    assert "  cosine                 lr, t_max, eta_min=0.0" in out.splitlines()
    code, out, _ = run(["list", "views"], capsys)
    assert [line.split()[0] for line in out.splitlines()] == [
        "contour", "surface3d", "loss", "speed", "cloud", "distribution", "survival",
    ]  # fmt: skip
    assert (
        "  distribution ensembles: histogram of log|x - center| per frame, "
        "theory line" in out.splitlines()
    )
    # one column for the descriptions, past the longest name
    assert {
        len(line) - len(line[2:].split(maxsplit=1)[1]) for line in out.splitlines()
    } == {15}
    code, out, _ = run(["list"], capsys)
    assert code == 0
    assert [l for l in out.splitlines() if l.endswith(":")] == [  # noqa: E741
        "surfaces:", "optimizers:", "views:", "schedules:", "scenes:",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["saddle", "beale", "double_well"])
def test_new_writes_a_starter_scene_that_validates(name, workdir, capsys):
    code, out, _ = run(["new", name], capsys)
    # the schema that the first line points editors at, written beside the scene
    assert (code, out) == (0, f"{name}.yaml\nscene.schema.json\n")
    schema = json.loads((workdir / "scene.schema.json").read_text(encoding="utf-8"))
    assert schema == Scene.model_json_schema()
    scene = load_scene(workdir / f"{name}.yaml")
    surface = surfaces.get(name)
    assert scene.surface == name
    assert scene.start == surface.start
    assert [o.name for o in scene.optimizers] == ["sgd", "momentum", "rmsprop", "adam"]
    assert scene.render.output == f"{name}.mp4"
    code, _, err = run(["new", name], capsys)
    assert (code, err) == (2, f"optimotion new: {name}.yaml exists; use --force to "
                              "overwrite it\n")  # fmt: skip
    assert run(["new", name, "--force", "-o", "x.yaml"], capsys)[0] == 0


@pytest.mark.parametrize("name", ["saddle", "goldstein_price"])
def test_new_races_fairly_with_tuned_learning_rates(name, capsys):
    # Hand-picked rates made `new saddle` diverge two of four optimizers by step 45
    # and gave goldstein_price's SGD 1e-6: `lr: auto` tunes each one instead, and
    # no tuned path leaves the window, while each ends below its start.
    code, out, _ = run(["new", name, "-o", "-"], capsys)
    assert code == 0
    assert "  - {name: sgd, lr: auto}\n" in out
    assert out.startswith("# yaml-language-server: $schema=./scene.schema.json\n")
    scene = parse_scene(out, source=f"{name}.yaml")
    built = scene.build()
    assert built.auto == ("SGD", "Momentum", "RMSProp", "Adam")
    paths = built.race(cache=False)
    (x0, x1), (y0, y1) = built.surface.window
    for label, path in paths.items():
        assert path.diverged_at is None, label
        assert np.all((path.xy[:, 0] >= x0) & (path.xy[:, 0] <= x1)), label
        assert np.all((path.xy[:, 1] >= y0) & (path.xy[:, 1] <= y1)), label
        assert path.loss[-1] < path.loss[0], label
        assert path.lr[0] in built.grid


def test_tune_prints_the_table_and_writes_the_tuned_scene(workdir, capsys):
    (workdir / "s.yaml").write_text(
        "surface: long_valley\nstart: [-4, 1]\nsteps: 100\noptimizers:\n"
        "  - {name: sgd, lr: auto}\n  - {name: adam, lr: 0.1}\n"
        "tune: {min: 0.01, max: 1.2, points: 5}\n",
        encoding="utf-8",
    )
    code, out, _ = run(["tune", "s.yaml", "-o", "t.yaml"], capsys)
    assert code == 0
    lines = out.splitlines()
    # GD on 0.01 x^2 + y^2 from (-4, 1): the largest rate below 1 wins, 1.2 diverges
    # (y is multiplied by 1 - 2 lr a step).
    assert lines[0] == "SGD: lr = 0.3626"
    assert lines[-2].split() == ["1.2", "diverged"]
    assert lines[-1] == "t.yaml"
    tuned = load_scene(workdir / "t.yaml")
    assert tuned.optimizers[0].lr == 0.362565 and tuned.optimizers[1].lr == 0.1


def test_schema_command(workdir, capsys):
    code, out, _ = run(["schema"], capsys)
    assert code == 0 and json.loads(out) == Scene.model_json_schema()
    code, out, _ = run(["schema", "-o", "scene.schema.json"], capsys)
    assert (code, out) == (0, "scene.schema.json\n")
    text = (workdir / "scene.schema.json").read_text(encoding="utf-8")
    assert json.loads(text) == Scene.model_json_schema()


TWO_STARTS = """\
surface: saddle
start: [[1.0, 0.001], [-1.0, 0.5]]
steps: 25
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: {schedule: cosine, lr: 0.1, t_max: 25}}
"""


def test_exported_json_keeps_each_optimizers_noise(workdir, capsys):
    (workdir / "s.yaml").write_text(
        "surface: linear_regression\nsteps: 20\nseed: 4\n"
        "noise: {kind: minibatch, batch_size: 4}\noptimizers:\n"
        "  - {name: sgd, lr: 0.1, label: GD, noise: null}\n"
        "  - {name: sgd, lr: 0.1, label: SGD}\n"
        "  - {name: sgd, lr: 0.1, label: SVRG, noise: {kind: svrg, batch_size: 4, "
        "every: 5}}\n",
        encoding="utf-8",
    )
    assert run(["export", "s.yaml", "-o", "paths.json"], capsys)[0] == 0
    data = json.loads((workdir / "paths.json").read_text(encoding="utf-8"))
    entries = data["scene"]["optimizers"]
    assert [entry.get("noise", "absent") for entry in entries] == [
        None,
        "absent",
        {"kind": "svrg", "batch_size": 4, "every": 5},
    ]
    again = Scene.model_validate(data["scene"]).build().race()
    assert again["GD"].xy.tolist() == data["paths"]["GD"]["xy"]
    assert again["SVRG"].xy.tolist() == data["paths"]["SVRG"]["xy"]


def test_export_csv_and_json_match_the_race(workdir, capsys):
    (workdir / "s.yaml").write_text(TWO_STARTS, encoding="utf-8")
    assert run(["export", "s.yaml", "-o", "paths.csv"], capsys)[:2] == (
        0, "paths.csv\n",
    )  # fmt: skip
    assert run(["export", "s.yaml", "-o", "paths.json"], capsys)[0] == 0
    expected = {
        **optimotion.race(
            surfaces.get("saddle"),
            {
                "SGD": optimizers.sgd(lr=0.1),
                "Adam": optimizers.adam(lr=optimizers.schedules.cosine(0.1, t_max=25)),
            },
            (1.0, 0.001),
            25,
        ),
    }
    with open(workdir / "paths.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [
        "path", "optimizer", "start_x", "start_y",
        "step", "x", "y", "loss", "grad_x", "grad_y", "step_length",
    ]  # fmt: skip
    assert len(rows) == 1 + 4 * 26
    adam = [r for r in rows[1:] if r[0] == "Adam from (1, 0.001)"]
    assert adam[0][:5] == ["Adam from (1, 0.001)", "adam", "1.0", "0.001", "0"]
    xy = np.array([[float(r[5]), float(r[6])] for r in adam])
    np.testing.assert_array_equal(xy, expected["Adam"].xy)  # exact: repr floats
    loss = np.array([float(r[7]) for r in adam])
    np.testing.assert_array_equal(loss, expected["Adam"].loss)

    data = json.loads((workdir / "paths.json").read_text())
    assert list(data["paths"]) == [
        "SGD from (1, 0.001)", "Adam from (1, 0.001)",
        "SGD from (-1, 0.5)", "Adam from (-1, 0.5)",
    ]  # fmt: skip
    sgd = data["paths"]["SGD from (1, 0.001)"]
    assert (sgd["optimizer"], sgd["start"], sgd["steps"]) == ("sgd", [1.0, 0.001], 25)
    np.testing.assert_array_equal(np.array(sgd["xy"]), expected["SGD"].xy)
    assert data["scene"]["optimizers"][1]["lr"] == {
        "schedule": "cosine", "lr": 0.1, "t_max": 25,
    }  # fmt: skip
    lr = data["paths"]["Adam from (-1, 0.5)"]["lr"]
    np.testing.assert_allclose(lr, 0.05 * (1 + np.cos(np.pi * np.arange(25) / 25)))


TINY = """\
surface: saddle
steps: 12
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: 0.1}
render: {size: [96, 64], dpi: 20, fps: 10, duration: 0.4, hold: 0.2}
"""


def test_render_end_to_end_as_a_subprocess(tmp_path):
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "optimotion", "render", "tiny.yaml", "-o", "t.gif",
         "--set", "render.size=[128, 64]"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, "t.gif\n", "")
    frames = iio.imread(tmp_path / "t.gif", index=None)
    assert frames.shape[:3] == (4, 64, 128)  # 0.4 s at 10 fps
    durations = [iio.immeta(tmp_path / "t.gif", index=i)["duration"] for i in range(4)]
    assert durations == [100, 100, 100, 300]  # the 0.2 s hold lengthens the last
    result = subprocess.run(
        [sys.executable, "-m", "optimotion", "validate", "tiny.yaml", "nope.yaml"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout.startswith("tiny.yaml: ok")
    assert result.stderr == "nope.yaml: no such file\n"
    assert sorted(os.listdir(tmp_path)) == ["t.gif", "tiny.yaml"]


def test_render_default_output_and_quiet(workdir, capsys):
    (workdir / "tiny.yaml").write_text(TINY, encoding="utf-8")
    code, out, err = run(["render", "tiny.yaml", "--quiet"], capsys)
    assert (code, out, err) == (0, "", "")
    frames = iio.imread(workdir / "tiny.mp4", index=None)
    assert frames.shape[:3] == (6, 64, 96)


def test_render_into_an_existing_folder_named_without_a_slash(workdir, capsys):
    (workdir / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (workdir / "frames").mkdir()
    code, out, err = run(["render", "tiny.yaml", "-o", "frames", "--quiet"], capsys)
    assert (code, out) == (2, "")  # a folder is written only when named with '/'
    assert err == (
        "optimotion render: -o frames: render.output: 'frames' is a folder; to write "
        "PNG frames into a folder, end the output with '/'\n"
    )
    assert list((workdir / "frames").iterdir()) == []


def test_gallery_renders_in_parallel_with_an_index(workdir, capsys):
    scenes = workdir / "scenes"
    scenes.mkdir()
    (scenes / "one.yaml").write_text(TINY + "title: One\n", encoding="utf-8")
    (scenes / "two.yaml").write_text(
        TINY.replace("saddle", "booth") + "title: Two\n", encoding="utf-8"
    )
    (scenes / "notes.txt").write_text("not a scene", encoding="utf-8")
    code, out, err = run(
        ["gallery", "--scenes", "scenes", "-o", "site", "-j", "2"], capsys
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{pathlib.Path('scenes/one.yaml')}: site")
    assert lines[-1] == os.path.join("site", "index.html")
    assert sorted(os.listdir(workdir / "site")) == ["index.html", "one.mp4", "two.mp4"]
    page = (workdir / "site" / "index.html").read_text(encoding="utf-8")
    assert '<video src="one.mp4"' in page and '<video src="two.mp4"' in page
    assert "<b>One</b>" in page and "<b>Two</b>" in page
    (scenes / "three.yaml").write_text(BASE + "steps: 0\n", encoding="utf-8")
    code, out, err = run(["gallery", "--scenes", "scenes", "-o", "site2"], capsys)
    assert (code, out) == (2, "")
    assert err == f"{pathlib.Path('scenes/three.yaml')}:4: steps: must be >= 1, got 0\n"
    assert not (workdir / "site2").exists()


# --- the gallery shipped with the package, by name -----------------------------


def test_list_scenes_gives_each_gallery_scene_a_one_line_description(capsys):
    code, out, err = run(["list", "scenes"], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        lines[0]
        == (  # names padded to the longest, ensemble_double_well_shaking
            "  beale" + " " * 25 + "Six optimizers race on Beale's function from "
            "(1, 1.5) (the benchmark scene)."
        )
    )
    starts = {line.index(line.split(maxsplit=1)[1]) for line in lines[:-1]}
    assert starts == {32}  # one column for every description
    assert [line.split()[0] for line in lines[:-1]] == list(gallery_names())
    assert all(len(line.split(maxsplit=1)[1]) > 40 for line in lines[:-1])
    assert lines[-1] == "  render one by name: optimotion render beale -o beale.gif"


def test_render_a_gallery_scene_by_name_from_any_folder(workdir, capsys):
    code, out, err = run(["render", "saddle", "-o", "s.png", "--low-res"], capsys)
    assert (code, out, err) == (0, "s.png\n", "")
    assert iio.imread(workdir / "s.png").shape == (188, 400, 4)  # 1280x600 scaled
    code, out, err = run(["validate", "beale", "saddle"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "beale: ok (6 optimizers x 1 start, 300 steps, 210 frames; about 5 s of work)"
    )


@pytest.fixture
def loads(monkeypatch):
    """`(YAML texts parsed, Scene validations)` counted from here on."""
    from optimotion.scene import _load

    parsed, validated = [], []
    parse, validate = _load.parse, Scene.model_validate

    def counted_parse(text, *args, **kwargs):
        parsed.append(text)
        return parse(text, *args, **kwargs)

    def counted_validate(cls, data, *args, **kwargs):
        validated.append(data)
        return validate(data, *args, **kwargs)

    monkeypatch.setattr(_load, "parse", counted_parse)
    monkeypatch.setattr(Scene, "model_validate", classmethod(counted_validate))
    return parsed, validated


BIG = ["render.size=[1280, 720]", "render.dpi=100", "render.fps=30"]


def test_render_low_res_loads_and_validates_the_scene_once(workdir, capsys, loads):
    # `--low-res` shrinks the validated scene (no second load or validation); the
    # file is byte for byte the one the same change spelled as `--set` gives.
    from optimotion.scene import low_res, low_res_overrides

    (workdir / "tiny.yaml").write_text(TINY, encoding="utf-8")
    scene = load_scene("tiny.yaml", BIG)
    small = low_res(scene)
    assert small == load_scene("tiny.yaml", [*BIG, *low_res_overrides(scene)])
    render = small.render
    assert (render.size, render.dpi, render.fps) == ((400, 224), 31, 12)
    assert small.model_dump(exclude={"render"}) == scene.model_dump(exclude={"render"})

    sets = [arg for o in BIG for arg in ("--set", o)]
    spelled = [arg for o in low_res_overrides(scene) for arg in ("--set", o)]
    code, _, err = run(
        ["render", "tiny.yaml", "-o", "set.gif", *sets, *spelled], capsys
    )
    assert code == 0, err
    for counted in loads:
        counted.clear()
    code, out, err = run(
        ["render", "tiny.yaml", "-o", "low.gif", *sets, "--low-res"], capsys
    )
    assert (code, out, err) == (0, "low.gif\n", "")
    assert [len(counted) for counted in loads] == [1, 1]
    low = (workdir / "low.gif").read_bytes()
    assert low == (workdir / "set.gif").read_bytes()
    assert iio.imread(low, index=0).shape[:2] == (224, 400)


def test_gallery_low_res_loads_each_scene_once(workdir, loads):
    from optimotion.scene._gallery import render_one

    (workdir / "tiny.yaml").write_text(
        TINY.replace("[96, 64]", "[800, 400]").replace("0.2}", "0.2, output: t.gif}"),
        encoding="utf-8",
    )
    result = render_one("tiny.yaml", str(workdir), low_res=True)
    assert result.error is None and result.output == workdir / "tiny.gif"
    assert [len(counted) for counted in loads] == [1, 1]
    assert iio.imread(result.output, index=0).shape[:2] == (200, 400)


def test_a_file_of_that_name_wins_over_the_gallery(workdir, capsys):
    (workdir / "beale").write_text(TINY, encoding="utf-8")  # no extension
    code, out, err = run(["validate", "beale"], capsys)
    assert (code, out, err) == (0, "beale: ok (2 optimizers x 1 start, 12 steps, "
                                   "6 frames; about 3 s of work)\n", "")  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["render", "bele"], "optimotion render: bele: no such file or gallery "
         "scene — did you mean 'beale'?"),
        (["export", "sadle", "-o", "x.csv"], "optimotion export: sadle: no such "
         "file or gallery scene — did you mean 'saddle'?"),
        (["render", "qqq"], "optimotion render: qqq: no such file or gallery scene; "
         "see `optimotion list scenes`"),
        (["gallery", "--low-res", "bele"], "optimotion gallery: no scene 'bele' in "
         f"{gallery_path('beale').parent} — did you mean 'beale'?"),
    ],
)  # fmt: skip
def test_an_unknown_scene_name_suggests_a_gallery_scene(argv, message, workdir, capsys):
    code, out, err = run(argv, capsys)
    assert (code, out, err) == (2, "", message + "\n")
    assert os.listdir(workdir) == []


def test_gallery_without_scenes_renders_the_shipped_ones(workdir, capsys, monkeypatch):
    calls = []

    def fake(files, output, *, jobs, low_res):
        calls.append((files, output, low_res))
        return []

    monkeypatch.setattr("optimotion.scene.render_gallery", fake)
    assert run(["gallery"], capsys)[0] == 0
    assert run(["gallery", "--low-res", "saddle", "beale"], capsys)[0] == 0
    names = [[pathlib.Path(f).stem for f in files] for files, _, _ in calls]
    assert names == [list(gallery_names()), ["saddle", "beale"]]
    assert [str(f) for f in calls[0][0]] == [str(gallery_path(n)) for n in names[0]]
    assert [(out, low) for _, out, low in calls] == [
        ("gallery", False), ("gallery", True),
    ]  # fmt: skip


def test_new_keeps_a_different_schema_beside_unless_forced(workdir, capsys):
    (workdir / "scene.schema.json").write_text("{}", encoding="utf-8")
    code, out, err = run(["new", "saddle"], capsys)
    assert (code, out) == (0, "saddle.yaml\n")
    assert err == (
        "optimotion new: scene.schema.json differs from this optimotion's scene "
        "schema; kept (--force replaces it)\n"
    )
    assert (workdir / "scene.schema.json").read_text(encoding="utf-8") == "{}"
    code, out, err = run(["new", "saddle", "--force"], capsys)
    assert (code, out, err) == (0, "saddle.yaml\nscene.schema.json\n", "")
    assert (workdir / "scene.schema.json").read_text(encoding="utf-8") == (
        gallery_path("beale").with_name("scene.schema.json").read_text(encoding="utf-8")
    )
    code, out, err = run(["new", "saddle", "--force"], capsys)  # identical: kept
    assert (code, out, err) == (0, "saddle.yaml\n", "")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_render_on_a_terminal_shows_stages_and_leaves_a_summary(workdir, monkeypatch):
    (workdir / "tiny.yaml").write_text(TINY, encoding="utf-8")
    err, out = _Terminal(), _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["render", "tiny.yaml", "-o", "t.gif"]) == 0
    size = round(os.path.getsize(workdir / "t.gif") / 1000)
    assert re.fullmatch(rf"t\.gif: {size} kB, 6 frames, \d+\.\d s\n", out.getvalue())
    # frames as `validate` counts them (motion plus hold); the stages in order,
    # then the progress bar takes the line over, and the summary replaces it
    stages = err.getvalue().split("\r\x1b[K")
    assert stages[:4] == [
        "", "loading tiny.yaml …", "compiling and racing 2 paths x 12 steps …",
        stages[3],
    ]  # fmt: skip
    assert stages[3].startswith("drawing …\rrender:   0%|")
    assert stages[4:] == [""]

    # stdout piped, stderr a terminal: the summary on stderr, the path on stdout
    err, out = _Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    assert cli.main(["render", "tiny.yaml", "-o", "t.png"]) == 0
    assert out.getvalue() == "t.png\n"
    assert re.search(r"\r\x1b\[Kt\.png: \d+ kB, 1 frame, \d+\.\d s\n$", err.getvalue())

    # a failure clears the stage line before the error
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["render", "tiny.yaml", "-o", "nodir/t.gif"]) == 2
    assert err.getvalue() == (
        "\r\x1b[Kloading tiny.yaml …\r\x1b[Koptimotion render: -o nodir/t.gif: "
        "folder nodir/ does not exist\n"
    )


def test_render_piped_prints_only_the_path(workdir, capsys):
    (workdir / "tiny.yaml").write_text(TINY, encoding="utf-8")
    assert run(["render", "tiny.yaml", "-o", "t.png"], capsys) == (0, "t.png\n", "")
