"""The trajectory cache: a second render of the same dynamics races nothing."""

import numpy as np
import pytest

from optimotion import _cache, cli
from optimotion.dynamics import _run
from optimotion.scene import gallery_path, load_scene


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
