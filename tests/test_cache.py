"""The trajectory cache: a second render of the same dynamics races nothing."""

import contextlib
import os
import sys
import threading

import numpy as np
import pytest
from helpers import fresh_python, run_cli

import optimotion.optimizers
from optimotion import _cache, cli
from optimotion.dynamics import _run
from optimotion.render import RenderSpec
from optimotion.render._data import surface_data
from optimotion.scene import gallery_path, load_scene, low_res_overrides, render_scene
from optimotion.scene._build import render_spec


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OPTIMOTION_CACHE", "on")
    monkeypatch.setenv("OPTIMOTION_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _race_calls(monkeypatch):
    calls = []
    original = _run.race

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr("optimotion.dynamics.race", counting)
    return calls


def test_the_same_dynamics_are_raced_once(cache, monkeypatch):
    calls = _race_calls(monkeypatch)
    built = load_scene(gallery_path("saddle")).build()
    first = built.race()
    assert len(calls) == 1 and len(list(cache.glob("*.npz"))) == 1
    again = load_scene(gallery_path("saddle"), ["render.theme=dark"]).build().race()
    assert len(calls) == 1  # colours changed, dynamics not: from the cache
    for label, path in first.items():
        for field in ("xy", "loss", "grad", "grad_used", "step_length", "lr"):
            np.testing.assert_array_equal(
                getattr(again[label], field), getattr(path, field)
            )
        assert again[label].diverged_at == path.diverged_at
        assert again[label].state.keys() == path.state.keys()
    load_scene(gallery_path("saddle"), ["steps=150"]).build().race()
    assert len(calls) == 2  # new dynamics: raced


def test_a_corrupt_entry_is_recomputed_and_rewritten(cache, monkeypatch):
    calls = _race_calls(monkeypatch)
    built = load_scene(gallery_path("saddle")).build()
    built.race()
    (entry,) = cache.glob("*.npz")
    entry.write_bytes(b"not a zip file")
    built.race()
    assert len(calls) == 2
    built.race()
    assert len(calls) == 2  # rewritten whole


def test_off_and_no_cache(cache, monkeypatch, tmp_path):
    calls = _race_calls(monkeypatch)
    built = load_scene(gallery_path("saddle")).build()
    built.race(cache=False)
    assert not cache.exists()
    monkeypatch.setenv("OPTIMOTION_CACHE", "off")
    assert _cache.folder() is None
    built.race()
    assert len(calls) == 2 and not cache.exists()
    monkeypatch.setenv("OPTIMOTION_CACHE", "on")
    out = tmp_path / "s.png"
    assert (
        cli.main(
            ["render", "saddle", "--low-res", "--quiet", "--no-cache", "-o", str(out)]
        )
        == 0
    )
    assert out.exists() and not cache.exists()


def test_an_optimizers_own_noise_is_part_of_the_cache_key(cache, monkeypatch):
    calls = _race_calls(monkeypatch)
    path = gallery_path("noisy_moons")
    first = load_scene(path).build().race()
    again = load_scene(path, ["optimizers[1].noise.batch_size=16"]).build().race()
    assert len(calls) == 2 and len(list(cache.glob("*.npz"))) == 2
    np.testing.assert_array_equal(again["SGD"].xy, first["SGD"].xy)  # batch 1 both
    assert not np.array_equal(again["minibatch SGD"].xy, first["minibatch SGD"].xy)


# --- a render from the cache ------------------------------------------------------

_RENDER_TWICE = """
import sys
from optimotion.cli import main
code = main(sys.argv[1:])
bad = sorted({m.split(".")[0] for m in sys.modules} & {"jax", "jaxlib"})
bad += [m for m in sys.modules if m.startswith(("optimotion.dynamics",
        "optimotion.noise"))]
print(code, bad)
"""


def _render_in_child(argv, env) -> str:
    return fresh_python(_RENDER_TWICE, "render", *argv, env=env).strip()


def test_a_cached_render_imports_no_jax_and_draws_the_same_frames(tmp_path):
    env = {**os.environ, "OPTIMOTION_CACHE": "on", "MPLBACKEND": "Agg"}
    env["OPTIMOTION_CACHE_DIR"] = str(tmp_path / "cache")
    common = ["beale", "--low-res", "--quiet"]
    first = _render_in_child([*common, "-o", str(tmp_path / "a.gif")], env)
    assert first.startswith("0 ['jax'")  # the first render races
    (entry,) = (tmp_path / "cache").glob("*.npz")
    dark = ["--set", "render.theme=dark"]
    second = _render_in_child([*common, *dark, "-o", str(tmp_path / "b.gif")], env)
    assert second == "0 []"  # trajectories and surface grid from the cache
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    third = _render_in_child(
        [*common, *dark, "--no-cache", "-o", str(tmp_path / "c.gif")], env
    )
    assert third.startswith("0 ['jax'")
    assert (tmp_path / "b.gif").read_bytes() == (tmp_path / "c.gif").read_bytes()
    assert (tmp_path / "a.gif").read_bytes() != (tmp_path / "b.gif").read_bytes()
    assert entry.exists()


def test_the_entry_keeps_the_surface_as_drawn(cache, tmp_path):
    scene = load_scene(gallery_path("saddle"), low_res_overrides_of("saddle"))
    render_scene(scene, tmp_path / "s.png", progress=False)
    entry = _cache.load(_cache.scene_key(scene))
    assert entry is not None and entry.surface is not None
    drawn = surface_data(scene.build().surface)
    for field, value in drawn._asdict().items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(entry.surface, field), value)
            assert not getattr(entry.surface, field).flags.writeable
        else:
            assert getattr(entry.surface, field) == value, field
    assert list(entry.traces) == scene.labels()


def test_a_corrupt_entry_is_rendered_from_scratch_and_rewritten(cache, monkeypatch):
    calls = _race_calls(monkeypatch)
    scene = load_scene(gallery_path("saddle"), low_res_overrides_of("saddle"))
    out = cache.parent / "s.png"
    render_scene(scene, out, progress=False)
    (entry,) = cache.glob("*.npz")
    entry.write_bytes(b"PK\x03\x04 truncated")
    render_scene(scene, out, progress=False)
    assert len(calls) == 2 and _cache.load(_cache.scene_key(scene)) is not None
    render_scene(scene, out, progress=False)
    assert len(calls) == 2


def test_the_key_is_the_dynamics_only():
    base = load_scene(gallery_path("beale"))
    key = _cache.scene_key(base)
    visual = ["render.theme=dark", "title=Another", "optimizers[0].color=crimson"]
    for override in visual:
        assert _cache.scene_key(load_scene(gallery_path("beale"), [override])) == key
    for override in ("steps=10", "seed=3", "optimizers[0].lr=0.001", "start=[1, 1]"):
        changed = load_scene(gallery_path("beale"), [override])
        assert _cache.scene_key(changed) != key, override


def low_res_overrides_of(name: str) -> list[str]:
    return low_res_overrides(load_scene(gallery_path(name)))


# --- each piece of a render is made once -----------------------------------------


SMALL = """\
title: Three optimizers on Beale's function
surface: beale
start: [1.0, 1.5]
steps: 40
optimizers:
  - {name: sgd, lr: 0.01}
  - {name: momentum, lr: 0.002}
  - {name: adam, lr: 0.05}
render: {views: [contour], size: [320, 240], fps: 10, duration: 1, hold: 0}
"""


@contextlib.contextmanager
def _calls(functions: dict):
    """Counts calls of the given functions (by code object, however they were
    imported), in this thread and in threads started inside the block."""
    codes = {f.__code__: name for name, f in functions.items()}
    counts = dict.fromkeys(functions, 0)

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            counts[codes[frame.f_code]] += 1

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        yield counts
    finally:
        sys.setprofile(None)
        threading.setprofile(None)


def test_a_render_makes_each_piece_once(cache, monkeypatch, tmp_path, capsys):
    from optimotion.render import _formats, frame_plan

    calls = _race_calls(monkeypatch)
    functions = {
        "optimizer": optimotion.optimizers.get,
        "race": _run.race,
        "RenderSpec": RenderSpec.__post_init__,
        "frame_plan": frame_plan,
        "output_problem": _formats.output_problem,
        "destination_problem": _formats.destination_problem,
        "scene spec": render_spec,
    }
    scene = tmp_path / "small.yaml"
    scene.write_text(SMALL, encoding="utf-8")
    argv = ["render", str(scene), "--quiet", "-o", str(tmp_path / "small.gif")]
    for theme in ("light", "dark"):  # the second render comes from the cache
        with _calls(functions) as counts:
            code, _, err = run_cli([*argv, "--set", f"render.theme={theme}"], capsys)
        assert (code, err) == (0, "")
        assert counts == {
            "optimizer": 3,  # once each, when the scene is validated
            "race": 1 if theme == "light" else 0,
            # the `render:` section's, checked (the frame count reads it), and
            # the scene's (title, colours, notes)
            "RenderSpec": 2,
            "scene spec": 1,
            # the scene's frame count (validation), the renderer's plan
            "frame_plan": 2,
            "output_problem": 1,
            "destination_problem": 1,
        }, theme
    assert len(calls) == 1


def test_an_updated_copy_of_a_scene_computes_its_own_spec_and_frames():
    from optimotion.scene import low_res

    scene = load_scene(gallery_path("beale"))
    spec, frames = scene.spec(), scene.frames()  # kept on the scene
    small = low_res(scene)  # a model_copy with a new size, dpi and fps
    assert small.spec().size != spec.size and small.spec().fps <= spec.fps
    assert small.spec().size == tuple(small.render.size)
    assert small.frames() == round(small.render.duration * small.render.fps) + round(
        small.render.hold * small.render.fps
    )
    assert scene.spec() is spec and scene.frames() == frames
