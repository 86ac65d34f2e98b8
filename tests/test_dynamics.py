"""The trajectory API: exact paths, shapes, noise, determinism, divergence, compiles."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import count_compiles, step_normals

import optimotion
from optimotion import noise, optimizers, surfaces
from optimotion.dynamics._step import BOUND_FACTOR


def test_gd_on_saddle_follows_the_closed_form():
    # f = x^2 - y^2: x_{t+1} = (1 - 2 lr) x_t and y_{t+1} = (1 + 2 lr) y_t exactly,
    # the contraction / expansion rate |1 - lr λ| of GD along each eigendirection.
    lr, steps = 0.05, 40
    path = optimotion.run(
        surfaces.get("saddle"), optimizers.sgd(lr=lr), (1.0, 1e-3), steps
    )
    t = np.arange(steps + 1)
    np.testing.assert_allclose(path.xy[:, 0], 0.9**t, rtol=1e-12)
    np.testing.assert_allclose(path.xy[:, 1], 1e-3 * 1.1**t, rtol=1e-12)
    np.testing.assert_allclose(path.step_length, np.hypot(*np.diff(path.xy, axis=0).T))
    np.testing.assert_array_equal(path.lr, np.full(steps, lr))


def test_gd_started_on_the_ridge_never_leaves_it():
    # Seed 002: plain GD started exactly on the saddle's ridge y = 0 never leaves it,
    # and converges to the saddle point itself.
    path = optimotion.run(
        surfaces.get("saddle"), optimizers.sgd(lr=0.1), (1.0, 0.0), 200
    )
    assert np.all(path.xy[:, 1] == 0.0)
    assert abs(path.xy[-1, 0]) < 1e-15
    # while any noise pushes it off the ridge
    noisy = optimotion.run(
        surfaces.get("saddle"),
        optimizers.sgd(lr=0.1),
        (1.0, 0.0),
        200,
        noise=noise.gaussian(1e-3),
    )
    assert np.nanmax(np.abs(noisy.xy[:, 1])) > 1.0  # ejected along the ridge's normal


def test_loss_and_grad_are_the_exact_surface_values_on_the_path():
    surface = surfaces.get("beale")
    path = optimotion.run(surface, optimizers.adam(lr=0.01), surface.start, 50)
    with jax.enable_x64(True):
        xy = jnp.asarray(path.xy)
        f = np.asarray(jax.vmap(surface.loss)(xy))
        g = np.asarray(jax.vmap(jax.grad(surface.loss))(xy))
    np.testing.assert_allclose(path.loss, f, rtol=1e-13)
    np.testing.assert_allclose(path.grad, g, rtol=1e-12, atol=1e-15)
    assert path.xy.shape == (51, 2) and path.loss.shape == (51,)
    assert path.grad.shape == (51, 2) and path.step_length.shape == (50,)
    assert path.xy.dtype == np.float64


def test_float64_without_touching_the_global_flag():
    assert not jax.config.jax_enable_x64
    path = optimotion.run(
        surfaces.get("saddle"), optimizers.sgd(lr=0.1), (1.0, 0.0), 30
    )
    assert not jax.config.jax_enable_x64
    # 0.8**30 is representable to ~1e-16 in float64, ~1e-7 in float32
    np.testing.assert_allclose(path.xy[-1, 0], 0.8**30, rtol=1e-14)


def test_state_is_recorded_with_torch_names():
    surface = surfaces.get("booth")
    path = optimotion.run(surface, optimizers.adam(lr=0.1), (0.0, 0.0), 5)
    assert set(path.state) >= {"exp_avg", "exp_avg_sq"}
    assert path.state["exp_avg"].shape == (6, 2)
    np.testing.assert_array_equal(path.state["exp_avg"][0], [0.0, 0.0])
    # after one step exp_avg = (1 - beta1) g0
    np.testing.assert_allclose(path.state["exp_avg"][1], 0.1 * path.grad[0], rtol=1e-14)
    momentum = optimotion.run(surface, optimizers.momentum(lr=0.01), (0.0, 0.0), 3)
    # torch: the first momentum buffer is the raw gradient
    np.testing.assert_allclose(momentum.state["momentum_buffer"][1], momentum.grad[0])


def test_race_matches_each_run_and_compiles_once():
    surface = surfaces.get("beale")
    entrants = {
        "SGD": optimizers.sgd(lr=0.001),
        "Momentum": optimizers.momentum(lr=0.001),
        "Adam": optimizers.adam(lr=0.01),
    }
    paths = optimotion.race(surface, entrants, (1.0, 1.5), 100)
    assert list(paths) == ["SGD", "Momentum", "Adam"]
    for label, opt in entrants.items():
        alone = optimotion.run(surface, opt, (1.0, 1.5), 100)
        np.testing.assert_allclose(paths[label].xy, alone.xy, rtol=1e-13)


def test_new_start_lr_or_seed_reuses_the_compiled_program():
    surface = surfaces.get("saddle")
    sigma = noise.gaussian(0.1)
    optimotion.run(surface, optimizers.adam(lr=0.1), (1.0, 0.5), 20, noise=sigma)
    with count_compiles() as compiled:
        optimotion.run(
            surface, optimizers.adam(lr=0.3), (0.2, -0.5), 20, noise=sigma, seed=3
        )
        optimotion.run(
            surface, optimizers.adam(lr=1), (0.2, -0.5), 20, noise=noise.gaussian(2)
        )
    assert compiled == []
    with count_compiles() as compiled:
        optimotion.run(
            surface, optimizers.adam(lr=0.1, amsgrad=True), (1.0, 0.5), 20,
            noise=sigma,
        )  # fmt: skip
    assert len(compiled) >= 1  # a boolean flag is structure: a new program


def test_additive_noise_is_exactly_sigma_times_the_seeded_normals():
    # x_{t+1} = x_t - lr (∇f(x_t) + σ ξ_t), ξ_t the normals of the bits of
    # fold_in(key(seed), t)
    surface, lr, sigma, seed = surfaces.get("saddle"), 0.05, 0.3, 7
    path = optimotion.run(
        surface,
        optimizers.sgd(lr=lr),
        (0.5, 0.2),
        10,
        seed=seed,
        noise=noise.gaussian(sigma),
    )
    with jax.enable_x64(True):
        key = jax.random.key(seed)
    xi = step_normals(key, 10)  # from fold_in(key, t)'s bits, in float32 (DRAWS)
    x = np.array([0.5, 0.2])
    for t in range(10):
        g = np.array([2 * x[0], -2 * x[1]])
        x = x - lr * (g + sigma * xi[t])
        np.testing.assert_allclose(path.xy[t + 1], x, rtol=1e-13)


def test_same_seed_same_bits_other_seed_other_path():
    surface = surfaces.get("double_well")
    args = (surface, optimizers.sgd(lr=0.01), (0.0, 0.5), 300)
    a = optimotion.run(*args, seed=1, noise=noise.gaussian(1.0))
    b = optimotion.run(*args, seed=1, noise=noise.gaussian(1.0))
    c = optimotion.run(*args, seed=2, noise=noise.gaussian(1.0))
    assert a.xy.tobytes() == b.xy.tobytes()
    assert not np.allclose(a.xy[1:], c.xy[1:])


def test_divergence_is_data_not_an_exception():
    # GD on x^2 - y^2 with lr = 2: x_{t+1} = -3 x_t grows by 3x a step until it leaves
    # the window grown by BOUND_FACTOR spans (|x| > 2 + 100 * 4 for the default window).
    surface = surfaces.get("saddle")
    path = optimotion.run(surface, optimizers.sgd(lr=2.0), (1.0, 0.0), 20)
    (x0, x1), (y0, y1) = surface.window
    limit = x1 + BOUND_FACTOR * max(x1 - x0, y1 - y0)
    expected = next(t for t in range(21) if 3.0**t > limit)
    assert path.diverged_at == expected
    np.testing.assert_allclose(path.xy[:expected, 0], (-3.0) ** np.arange(expected))
    assert np.all(np.isnan(path.xy[expected:]))
    assert np.all(np.isnan(path.loss[expected:]))
    assert np.isfinite(path.loss[:expected]).all()
    # a finite path says so
    assert (
        optimotion.run(surface, optimizers.sgd(lr=0.1), (1.0, 0.0), 5).diverged_at
        is None
    )


def test_overflow_to_inf_is_caught_too():
    surface = surfaces.from_expression("exp(x**2)", window=((-1, 1), (-1, 1)))
    path = optimotion.run(surface, optimizers.sgd(lr=10.0), (0.9, 0.0), 10)
    assert path.diverged_at is not None and path.diverged_at >= 1
    assert np.all(np.isfinite(path.xy[: path.diverged_at]))


def test_exports_round_trip(tmp_path):
    path = optimotion.run(
        surfaces.get("booth"), optimizers.adam(lr=0.1), (0.0, 0.0), 10
    )
    table = path.to_numpy()
    assert table.shape == (11, 7)
    path.to_csv(tmp_path / "p.csv")
    back = np.genfromtxt(tmp_path / "p.csv", delimiter=",", names=True)
    np.testing.assert_array_equal(back["x"], path.xy[:, 0])  # repr round-trips exactly
    np.testing.assert_array_equal(back["loss"], path.loss)
    path.to_json(tmp_path / "p.json")
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["steps"] == 10 and data["diverged_at"] is None
    np.testing.assert_array_equal(np.array(data["xy"]), path.xy)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x0": (1.0,)}, "`run`: x0 must be a finite point (x, y), got (1.0,)"),
        (
            {"x0": (1.0, float("nan"))},
            "`run`: x0 must be a finite point (x, y), got (1.0, nan)",
        ),
        ({"steps": 0}, "`run`: steps must be in [1, 1000000], got 0"),
        ({"seed": -1}, "`race`: seed must be in [0, 2**63), got -1"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    args = {"x0": (1.0, 0.0), "steps": 5} | kwargs
    with pytest.raises(ValueError) as info:
        optimotion.run(surfaces.get("saddle"), optimizers.sgd(lr=0.1), **args)
    assert str(info.value) == message


def test_noise_rejects_negative_sigma():
    with pytest.raises(
        ValueError, match=r"`gaussian`: sigma must be finite and >= 0, got -1"
    ):
        noise.gaussian(-1)


def test_head_is_the_shorter_run():
    # The explorer computes max_steps once and shows a prefix: it must be exactly
    # what a shorter run gives, noise included (the keys depend on the step only).
    surface = surfaces.get("double_well")
    racers = {"SGD": optimizers.sgd(lr=0.1), "Adam": optimizers.adam(lr=0.05)}
    kw = {"seed": 7, "noise": noise.gaussian(0.3)}
    long = optimotion.race(surface, racers, (0.1, 1.8), 80, **kw)
    short = optimotion.race(surface, racers, (0.1, 1.8), 30, **kw)
    for label in racers:
        head, ref = long[label].head(30), short[label]
        for field in ("xy", "loss", "grad", "step_length", "lr"):
            np.testing.assert_array_equal(getattr(head, field), getattr(ref, field))
        assert head.state.keys() == ref.state.keys()
        for key in ref.state:
            np.testing.assert_array_equal(head.state[key], ref.state[key])
        assert head.diverged_at is None and head.steps == 30
    with pytest.raises(ValueError, match=r"steps must be in \[0, 80\], got 81"):
        long["SGD"].head(81)


def test_head_keeps_a_divergence_only_if_it_happened_by_then():
    saddle, gd = surfaces.get("saddle"), optimizers.sgd(lr=2.0)
    path = optimotion.run(saddle, gd, (1.0, 0.5), 40)
    assert path.diverged_at is not None
    assert path.head(path.diverged_at).diverged_at == path.diverged_at
    assert path.head(path.diverged_at - 1).diverged_at is None
