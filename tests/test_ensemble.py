"""Ensembles: particles are `run` paths, statistics are NumPy's, memory is bounded."""

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optimotion
from optimotion import noise, optimizers, surfaces
from optimotion.dynamics import _ensemble

SADDLE = surfaces.get("saddle")
SGD = optimizers.sgd(lr=0.01)


def _cloud(**kwargs):
    args = dict(n=40, noise=noise.gaussian(0.2), seed=4, spread=0.05, keep=40,
                exit_radius=0.5)  # fmt: skip
    return optimotion.ensemble(SADDLE, SGD, (0.1, 0.0), 150, **(args | kwargs))


def test_each_particle_is_the_run_with_its_key():
    cloud = _cloud()
    for i in (0, 7, 39):
        path = optimotion.run(
            SADDLE,
            SGD,
            cloud.start[i],
            150,
            seed=cloud.key(i),
            noise=noise.gaussian(0.2),
        )
        np.testing.assert_allclose(cloud.paths[i], path.xy, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(cloud.final[i], path.xy[-1], rtol=1e-12)


def test_particle_i_does_not_depend_on_n():
    small, large = _cloud(n=10, keep=10), _cloud(n=40)
    np.testing.assert_array_equal(small.final, large.final[:10])
    np.testing.assert_array_equal(small.start, large.start[:10])


def test_starts_spread_around_x0():
    cloud = optimotion.ensemble(SADDLE, SGD, (0.1, -0.2), 1, n=20_000, spread=0.3,
                                keep=0)  # fmt: skip
    assert cloud.start.mean(axis=0) == pytest.approx([0.1, -0.2], abs=0.01)
    assert cloud.start.std(axis=0) == pytest.approx([0.3, 0.3], rel=0.02)


def test_statistics_match_numpy_on_the_stored_paths():
    cloud = _cloud()
    xy = cloud.paths  # keep = n: every particle's path
    loss = xy[..., 0] ** 2 - xy[..., 1] ** 2
    alive = np.isfinite(loss)
    np.testing.assert_allclose(cloud.loss_mean, np.nanmean(loss, axis=0), rtol=1e-12)
    quantiles = np.nanquantile(loss, _ensemble.QUANTILES, axis=0).T
    np.testing.assert_allclose(cloud.loss_quantiles, quantiles, rtol=1e-12, atol=1e-15)
    log_d = np.log(np.linalg.norm(xy - np.array(cloud.center), axis=-1))
    np.testing.assert_allclose(cloud.mean_log_distance, np.nanmean(log_d, axis=0),
                               rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(cloud.std_log_distance, np.nanstd(log_d, axis=0),
                               rtol=1e-9)  # fmt: skip
    np.testing.assert_array_equal(cloud.alive, alive.sum(axis=0))
    # exit_step: the first step farther than exit_radius from the centre.
    far = np.linalg.norm(xy - np.array(cloud.center), axis=-1) > cloud.exit_radius
    first = np.where(far.any(axis=1), far.argmax(axis=1), -1)
    np.testing.assert_array_equal(cloud.exit_step, first)
    assert 0 < (first >= 0).sum() < cloud.n  # some escaped, some not: a real check
    survival = [np.mean((first < 0) | (first > t)) for t in range(cloud.steps + 1)]
    np.testing.assert_allclose(cloud.survival(), survival)


def test_the_center_defaults_to_the_nearest_critical_point():
    cloud = optimotion.ensemble(surfaces.get("double_well"), SGD, (0.9, 0.1), 2, n=2,
                                keep=0)  # fmt: skip
    assert cloud.center == pytest.approx((1.0, 0.0))


def test_diverged_particles_are_nan_and_counted():
    # lr = 2 on x^2 - y^2 multiplies x by -3 a step: every particle diverges.
    cloud = optimotion.ensemble(SADDLE, optimizers.sgd(lr=2.0), (0.5, 0.0), 30, n=5,
                                spread=0.1, keep=2, exit_radius=1.0)  # fmt: skip
    assert cloud.diverged.all() and np.isnan(cloud.final).all()
    assert cloud.alive[0] == 5 and cloud.alive[-1] == 0
    assert (cloud.exit_step > 0).all()


def test_ensemble_race_shares_keys_across_optimizers():
    clouds = optimotion.ensemble_race(
        SADDLE, {"a": SGD, "b": SGD, "c": optimizers.adam(lr=0.01)}, (0.1, 0.0), 50,
        n=30, noise=noise.gaussian(0.2), seed=2, keep=3,
    )  # fmt: skip
    np.testing.assert_array_equal(clouds["a"].final, clouds["b"].final)
    assert not np.array_equal(clouds["a"].final, clouds["c"].final)
    alone = optimotion.ensemble(SADDLE, SGD, (0.1, 0.0), 50, n=30,
                                noise=noise.gaussian(0.2), seed=2, keep=3)  # fmt: skip
    np.testing.assert_array_equal(alone.final, clouds["a"].final)


def test_chunks_equal_all_particles_at_once(monkeypatch):
    # Large n runs in chunks (small here): the same particles bit for bit, the
    # statistics combined across chunks to rounding, the quantiles and kept paths
    # from the first chunk. Most SGD particles diverge and all exit: dead ones in
    # every chunk, and a last chunk padded with particles born dead.
    def race():
        return optimotion.ensemble_race(
            SADDLE, {"sgd": optimizers.sgd(lr=0.05), "adam": optimizers.adam(lr=0.05)},
            (0.1, 0.01), 120, n=300, noise=noise.gaussian(0.3), seed=3, keep=8,
            spread=0.2, exit_radius=1.0, center=(0.0, 0.0),
        )  # fmt: skip

    monkeypatch.setattr(_ensemble, "QUANTILE_SAMPLE", 50)
    whole = race()
    chunked, calls = _ensemble._chunked, []
    monkeypatch.setattr(_ensemble, "CHUNK", 64)
    monkeypatch.setattr(
        _ensemble, "_chunked", lambda *a, **k: calls.append(k) or chunked(*a, **k)
    )
    parts = race()
    assert [k["chunk"] for k in calls] == [64]
    assert 0 < whole["sgd"].alive[-1] < 100 and whole["adam"].alive[-1] == 300
    for label in whole:
        a, b = whole[label], parts[label]
        for name in ("final", "start", "paths", "alive", "exit_step", "diverged",
                     "lr", "loss_quantiles"):  # fmt: skip
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        for name in ("loss_mean", "mean_log_distance", "std_log_distance"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12)


def test_memory_does_not_grow_with_n_times_steps():
    # The compiled program's buffers: the per-particle state is O(n), the outputs
    # O(steps + keep x steps). Storing every path would need n x steps x 16 bytes.
    n, steps, keep = 100_000, 1000, 8
    with jax.enable_x64(True):
        specs, hparams = zip(_ensemble.split(SGD))
        compiled = _ensemble._compiled.lower(
            jnp.zeros(2), jnp.asarray(0.0), hparams,
            (_ensemble.traced(noise.gaussian(0.1)),), jax.random.key(0), jnp.zeros(2),
            jnp.asarray(1.0), surface=SADDLE, specs=specs, steps=steps, n=n, keep=keep,
            sharding=None,
        ).compile()  # fmt: skip
    memory = compiled.memory_analysis()
    used = memory.output_size_in_bytes + memory.temp_size_in_bytes
    full_paths = n * steps * 2 * 8
    assert used < full_paths / 20
    assert (
        memory.output_size_in_bytes < 4 * n * 2 * 8 + 64 * steps * 8 + keep * steps * 16
    )


def test_files(tmp_path):
    cloud = _cloud()
    cloud.to_csv(tmp_path / "stats.csv")
    cloud.to_json(tmp_path / "stats.json")
    rows = (tmp_path / "stats.csv").read_text().splitlines()
    assert rows[0] == (
        "step,loss_mean,loss_q05,loss_q25,loss_q50,loss_q75,loss_q95,"
        "mean_log_distance,std_log_distance,alive,survival"
    )
    assert len(rows) == cloud.steps + 2
    assert float(rows[-1].split(",")[1]) == cloud.loss_mean[-1]
    data = json.loads((tmp_path / "stats.json").read_text())
    assert data["n"] == 40 and data["escaped"] == int((cloud.exit_step >= 0).sum())
    assert data["statistics"]["mean_log_distance"][5] == cloud.mean_log_distance[5]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "`ensemble`: n must be >= 1, got 0"),
        ({"keep": 41}, "`ensemble`: keep must be in [0, n=40], got 41"),
        ({"spread": -1.0}, "`ensemble`: spread must be finite and >= 0, got -1.0"),
        (
            {"exit_radius": 0.0},
            "`ensemble`: exit_radius must be finite and > 0, got 0.0",
        ),
        ({"n": 10**8, "keep": 0},
         "`ensemble`: n x steps x optimizers = 15,000,000,000 is over the limit of "
         "2,000,000,000"),
        ({"seed": -3}, "`ensemble`: seed must be >= 0, got -3"),
    ],
)  # fmt: skip
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError) as info:
        _cloud(**kwargs)
    assert str(info.value) == message


def test_sharded_over_two_devices_equals_one_device(tmp_path):
    script = textwrap.dedent(
        """
        import sys, jax, numpy as np, optimotion
        from optimotion import noise, optimizers, surfaces
        cloud = optimotion.ensemble(
            surfaces.get("saddle"), optimizers.sgd(lr=0.01), (0.0, 0.0), 100,
            n=1001, noise=noise.gaussian(0.1), exit_radius=0.5, keep=3, spread=0.01)
        np.savez(sys.argv[1], devices=jax.device_count(), final=cloud.final,
                 exit=cloud.exit_step, paths=cloud.paths, mean=cloud.loss_mean,
                 q=cloud.loss_quantiles, log=cloud.mean_log_distance)
        """
    )
    out = {}
    for devices in (1, 2):
        env = dict(os.environ)
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
        path = tmp_path / f"{devices}.npz"
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, env=env)
        out[devices] = np.load(path)
    assert out[1]["devices"] == 1 and out[2]["devices"] == 2
    for name in ("final", "exit", "paths", "q"):  # per particle: bit for bit
        np.testing.assert_array_equal(out[1][name], out[2][name])
    for name in ("mean", "log"):  # sums over devices: the order of additions differs
        np.testing.assert_allclose(out[1][name], out[2][name], rtol=1e-13)
