"""Gradient estimators against NumPy transcriptions of their formulas.

The random draws (float32, widened) come from the documented keys
(`fold_in(key(seed), t)` for step t, `fold_in(key, k)` for the k-th estimator of a
chain), a pair of normals from each step key's own bits (`helpers.step_normals`);
everything else (gradients,
minibatch means, SVRG's control variate, the update) is written out here in NumPy.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import count_compiles, step_normals

import optimotion
from optimotion import noise, optimizers, surfaces
from optimotion.dynamics import _estimators

SEED = 11


def _key(seed=SEED):
    with jax.enable_x64(True):
        return jax.random.key(seed)


def _saddle_grad(x):
    return np.array([2 * x[0], -2 * x[1]])


def _double_well_grad(x):
    return np.array([x[0] ** 3 - x[0], x[1]])


def _sgd(surface, estimator, x0, steps, lr, seed=SEED):
    return optimotion.run(
        surfaces.get(surface), optimizers.sgd(lr=lr), x0, steps, seed=seed,
        noise=estimator,
    )  # fmt: skip


def test_gaussian_sde_scales_by_one_over_root_lr_per_axis():
    lr, sigma = 0.04, (0.3, 0.1)
    path = _sgd("saddle", noise.gaussian(sigma, sde=True), (0.5, 0.2), 12, lr)
    xi = step_normals(_key(), 12)
    x = np.array([0.5, 0.2])
    for t in range(12):
        g = _saddle_grad(x) + np.array(sigma) / math.sqrt(lr) * xi[t]
        np.testing.assert_allclose(path.grad_used[t], g, rtol=1e-12)
        x = x - lr * g
        np.testing.assert_allclose(path.xy[t + 1], x, rtol=1e-12)
    np.testing.assert_allclose(path.grad[:-1], [_saddle_grad(p) for p in path.xy[:-1]])


def test_shaking_evaluates_the_gradient_at_the_translated_point():
    lr, sigma = 0.1, 1.0
    path = _sgd("double_well", noise.shaking(sigma), (0.3, 0.5), 10, lr)
    delta = sigma * step_normals(_key(), 10)
    x = np.array([0.3, 0.5])
    for t in range(10):
        x = x - lr * _double_well_grad(x - delta[t])
        np.testing.assert_allclose(path.xy[t + 1], x, rtol=1e-12)


def test_curvature_noise_is_multiplicative_around_the_center():
    lr, sigma, center = 0.05, 0.7, (0.2, -0.1)
    path = _sgd("saddle", noise.curvature(sigma, center=center), (0.5, 0.2), 10, lr)
    xi = step_normals(_key(), 10)
    x = np.array([0.5, 0.2])
    for t in range(10):
        x = x - lr * (_saddle_grad(x) + sigma * xi[t] * (x - np.array(center)))
        np.testing.assert_allclose(path.xy[t + 1], x, rtol=1e-12)
    # At the centre the noise vanishes: GD from the saddle point stays exactly there.
    still = _sgd("saddle", noise.curvature(5.0, sde=True), (0.0, 0.0), 50, 0.01)
    assert np.all(still.xy == 0.0)


def test_a_pair_of_normals_is_jax_normal_of_the_step_key_bits():
    # `_normal` applies jax.random.normal's transform to the key's own words: on
    # a key whose data are the bits jax.random.normal(k) would hash out of k,
    # it gives jax.random.normal(k) exactly; larger shapes are that call itself.
    with jax.enable_x64(True):
        for seed in range(5):
            k = jax.random.fold_in(jax.random.key(seed), 3)
            words = jax.random.wrap_key_data(jax.random.bits(k, (2,), jnp.uint32))
            expected = jax.random.normal(k, (2,), jnp.float32)
            np.testing.assert_array_equal(
                _estimators._normal(words, (2,), jnp.float32), expected
            )
            np.testing.assert_array_equal(
                _estimators._normal(k, (3,), jnp.float32),
                jax.random.normal(k, (3,), jnp.float32),
            )


def test_heavy_tailed_noise_uses_student_t_draws():
    lr, sigma, df = 0.05, 0.2, 2.5
    path = _sgd("saddle", noise.heavy_tailed(sigma, df), (0.5, 0.2), 8, lr)
    with jax.enable_x64(True):
        xi = np.stack(
            [
                np.asarray(
                    jax.random.t(jax.random.fold_in(_key(), t), df, (2,), jnp.float32)
                )
                for t in range(8)
            ]
        ).astype(np.float64)
    x = np.array([0.5, 0.2])
    for t in range(8):
        x = x - lr * (_saddle_grad(x) + sigma * xi[t])
        np.testing.assert_allclose(path.xy[t + 1], x, rtol=1e-12)


def test_heavy_tailed_noise_has_student_t_tails():
    # The kurtosis of t(df=5) is 3 + 6 / (df - 4) = 9; Gaussian noise has 3.
    with jax.enable_x64(True):
        xi = np.asarray(jax.random.t(jax.random.key(0), 5.0, (400_000,)))
    kurtosis = np.mean(xi**4) / np.mean(xi**2) ** 2
    assert 7.0 < kurtosis < 11.0
    assert np.var(xi) == pytest.approx(5 / 3, rel=0.03)  # df / (df - 2)


def _epoch_order(key, epoch, n):
    with jax.enable_x64(True):
        k = jax.random.fold_in(jax.random.fold_in(key, _estimators._EPOCH), epoch)
        return np.asarray(jax.random.permutation(k, n))


def _regression_grad(w, a, t):
    residual = w[0] * a + w[1] - t
    return np.array([np.mean(2 * residual * a), np.mean(2 * residual)])


def test_minibatch_is_the_mean_gradient_over_an_epoch_permutation():
    surface = surfaces.get("linear_regression")
    a, t = surface.data
    n, batch, lr = len(a), 8, 0.02
    per_epoch = n // batch
    steps = 2 * per_epoch + 3  # two epochs and the start of a third
    path = _sgd("linear_regression", noise.minibatch(batch), surface.start, steps, lr)
    w = np.array(surface.start)
    seen = []
    for step in range(steps):
        epoch, slot = divmod(step, per_epoch)
        index = _epoch_order(_key(), epoch, n)[slot * batch : (slot + 1) * batch]
        seen.append(index)
        g = _regression_grad(w, a[index], t[index])
        np.testing.assert_allclose(path.grad_used[step], g, rtol=1e-11)
        w = w - lr * g
    np.testing.assert_allclose(path.xy[-1], w, rtol=1e-11)
    # Without replacement within an epoch: 12 batches of 8 cover 96 distinct examples.
    first_epoch = np.concatenate(seen[:per_epoch])
    assert len(set(first_epoch.tolist())) == per_epoch * batch


def test_full_batch_minibatch_is_gradient_descent():
    surface = surfaces.get("linear_regression")
    full = _sgd("linear_regression", noise.minibatch(surface.n_examples), surface.start,
                300, 0.05)  # fmt: skip
    exact = _sgd("linear_regression", None, surface.start, 300, 0.05)
    np.testing.assert_allclose(full.xy, exact.xy, rtol=1e-12, atol=1e-12)


def test_svrg_is_the_control_variate_update():
    surface = surfaces.get("linear_regression")
    a, t = surface.data
    n, batch, every, lr = len(a), 4, 7, 0.02
    per_epoch = n // batch
    steps = 30
    path = _sgd("linear_regression", noise.svrg(batch, every), surface.start, steps, lr)
    w = np.array(surface.start)
    for step in range(steps):
        if step % every == 0:
            landmark, mu = w.copy(), _regression_grad(w, a, t)
        epoch, slot = divmod(step, per_epoch)
        index = _epoch_order(_key(), epoch, n)[slot * batch : (slot + 1) * batch]
        g = (
            _regression_grad(w, a[index], t[index])
            - _regression_grad(landmark, a[index], t[index])
            + mu
        )
        w = w - lr * g
        np.testing.assert_allclose(path.xy[step + 1], w, rtol=1e-11)


def test_svrg_removes_sgds_noise_floor():
    surface = surfaces.get("linear_regression")
    best = float(surface(*surface.minima[0]))
    gaps = {}
    for name, estimator in {
        "sgd": noise.minibatch(1),
        "svrg": noise.svrg(1, every=100),
    }.items():
        path = _sgd("linear_regression", estimator, surface.start, 3000, 0.02)
        gaps[name] = float(np.mean(path.loss[-200:]) - best)
    assert gaps["sgd"] > 1e-3  # constant-lr SGD hovers at its noise floor
    assert gaps["svrg"] < gaps["sgd"] / 100


def test_perturbed_gd_leaves_the_saddle_that_gd_cannot():
    lr, radius, wait = 0.05, 0.01, 20
    stay = _sgd("saddle", None, (0.0, 0.0), 80, lr)
    assert np.all(stay.xy == 0.0)
    path = _sgd("saddle", noise.perturbed(radius, threshold=1e-3, wait=wait),
                (0.0, 0.0), 80, lr)  # fmt: skip
    # Step 0: the gradient is 0 <= threshold and no kick yet, so x1 = xi, |xi| <= r.
    first = np.linalg.norm(path.xy[1])
    assert 0 < first <= radius
    # Next kick possible at step `wait` only if the gradient is still small:
    # |∇f| = 2|x| grows as y escapes, so after the first kick no other happens.
    kicks = np.linalg.norm(path.grad_used - path.grad[:-1], axis=1) > 0
    assert kicks[0] and kicks.sum() >= 1
    assert np.all(np.flatnonzero(kicks)[1:] - np.flatnonzero(kicks)[:-1] >= wait)
    # Escaped along y: after the last kick y grows by 1 + 2 lr a step (how far it
    # gets depends on the kick's direction, a draw; 1.1^60 > 300).
    last = np.flatnonzero(kicks)[-1] + 1
    ys = path.xy[last:, 1]
    np.testing.assert_allclose(ys[1:], ys[:-1] * (1 + 2 * lr), rtol=1e-12)
    assert abs(path.xy[-1, 1]) > 10 * radius


def test_perturbed_kick_is_uniform_in_the_disc():
    # Uniform in a disc of radius r: P(|xi| <= r/2) = 1/4, E|xi| = 2r/3.
    kicks = optimotion.ensemble(
        surfaces.get("saddle"), optimizers.sgd(lr=1.0), (0.0, 0.0), 1, n=20_000,
        noise=noise.perturbed(1.0, threshold=1.0, wait=0), keep=0,
    ).final  # fmt: skip
    r = np.linalg.norm(kicks, axis=1)
    assert r.max() <= 1.0
    assert np.mean(r <= 0.5) == pytest.approx(0.25, abs=0.01)
    assert np.mean(r) == pytest.approx(2 / 3, abs=0.01)
    angle = np.arctan2(kicks[:, 1], kicks[:, 0])
    assert np.histogram(angle, bins=4, range=(-np.pi, np.pi))[0] == pytest.approx(
        [5000] * 4, rel=0.06
    )


def test_chain_adds_perturbations_to_the_source():
    surface = surfaces.get("linear_regression")
    a, t = surface.data
    n, batch, lr, sigma = len(a), 10, 0.02, 0.5
    chained = noise.chain(noise.minibatch(batch), noise.gaussian(sigma))
    path = _sgd("linear_regression", chained, surface.start, 15, lr)
    with jax.enable_x64(True):
        source_key = jax.random.fold_in(_key(), 0)
        noise_key = jax.random.fold_in(_key(), 1)
    xi = step_normals(noise_key, 15)
    w = np.array(surface.start)
    for step in range(15):
        epoch, slot = divmod(step, n // batch)
        index = _epoch_order(source_key, epoch, n)[slot * batch : (slot + 1) * batch]
        w = w - lr * (_regression_grad(w, a[index], t[index]) + sigma * xi[step])
        np.testing.assert_allclose(path.xy[step + 1], w, rtol=1e-11)


def test_larger_batches_give_a_smaller_spread_of_final_loss():
    surface = surfaces.get("noisy_moons")
    spreads = []
    for batch in (1, 8, 50):
        finals = [
            _sgd(
                "noisy_moons",
                noise.minibatch(batch),
                surface.start,
                400,
                0.5,
                seed=seed,
            ).loss[-1]  # fmt: skip
            for seed in range(12)
        ]
        spreads.append(np.std(finals))
    assert spreads[0] > 2 * spreads[1] > 4 * spreads[2] > 0


def test_optimizers_with_equal_estimators_share_the_noise():
    surface = surfaces.get("saddle")
    sgd = optimizers.sgd(lr=0.05)
    paths = optimotion.race(
        surface, {"a": sgd, "b": sgd, "c": sgd}, (0.5, 0.2), 30, seed=3,
        noise={"a": noise.gaussian(0.2), "b": noise.gaussian(0.2)},
    )  # fmt: skip
    np.testing.assert_array_equal(paths["a"].xy, paths["b"].xy)
    np.testing.assert_array_equal(paths["c"].grad_used, paths["c"].grad[:-1])
    alone = _sgd("saddle", noise.gaussian(0.2), (0.5, 0.2), 30, 0.05, seed=3)
    np.testing.assert_array_equal(paths["a"].xy, alone.xy)


def test_new_numbers_reuse_the_compiled_program():
    surface = surfaces.get("saddle")
    sgd = optimizers.sgd(lr=0.05)
    estimators = [
        (noise.gaussian(0.1), noise.gaussian(0.7)),
        (noise.curvature(1.0, sde=True), noise.curvature(2.0, (0.1, 0.0), sde=True)),
        (noise.perturbed(0.1, 1e-3, 5), noise.perturbed(0.3, 1e-2, 9)),
        (noise.shaking(0.5), noise.shaking(2.0)),
    ]
    for first, second in estimators:
        optimotion.race(surface, {"a": sgd}, (0.5, 0.2), 17, seed=1, noise=first)
        with count_compiles() as compiled:
            optimotion.race(surface, {"a": sgd}, (0.1, 0.4), 17, seed=2, noise=second)
        assert compiled == [], (first, second)


def test_a_plain_object_with_init_and_gradient_is_an_estimator():
    class Halve:  # not a pytree: passed to the compiled program as a static value
        def init(self, surface, params):
            return ()

        def gradient(self, state, key, step, lr, surface, params, grad):
            return grad / 2, state

        def __hash__(self):
            return 1

        def __eq__(self, other):
            return isinstance(other, Halve)

    path = _sgd("saddle", Halve(), (1.0, 0.0), 3, 0.1)
    np.testing.assert_allclose(path.xy[:, 0], [1.0, 0.9, 0.81, 0.729])


def test_curvature_noise_growth_rate_is_a_minus_half_sigma_squared():
    # SGD near x^2 - y^2 with curvature(sigma, sde=True) multiplies y by
    # 1 + 2 lr + sigma sqrt(lr) xi a step (x stays 0), so the mean growth rate of
    # log|y| per unit time (dt = lr) is E log|1 + 2 lr + sigma sqrt(lr) xi| / lr,
    # about a - sigma^2 / 2 with a = 2 (the seed's effective rate).
    lr, steps = 0.01, 200
    xi = np.linspace(-12, 12, 400_001)
    density = np.exp(-(xi**2) / 2) / math.sqrt(2 * math.pi)
    for sigma in (0.0, 1.0, 2.0, 2.5):
        factor = np.abs(1 + 2 * lr + sigma * math.sqrt(lr) * xi)
        integrand = np.log(np.maximum(factor, 1e-300)) * density  # log|.| integrable
        theory = np.trapezoid(integrand, xi) / lr
        # E log(1 + u), u = 2 lr + sigma sqrt(lr) xi, to second order in lr:
        # a - sigma^2 / 2 per unit time, less the fourth-moment term 3 sigma^4 lr / 4.
        assert theory == pytest.approx(
            2 - sigma**2 / 2 - 0.75 * sigma**4 * lr, abs=0.05
        )
        cloud = optimotion.ensemble(
            surfaces.get("saddle"), optimizers.sgd(lr=lr), (0.0, 1e-3), steps,
            n=20_000, noise=noise.curvature(sigma, sde=True), center=(0.0, 0.0),
            keep=0, seed=5,
        )  # fmt: skip
        rate = (cloud.mean_log_distance[-1] - cloud.mean_log_distance[0]) / (steps * lr)
        assert rate == pytest.approx(theory, abs=0.05), sigma


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: noise.gaussian(-1), ValueError,
         "`gaussian`: sigma must be finite and >= 0, got -1.0"),
        (lambda: noise.gaussian((0.1, -2)), ValueError,
         "`gaussian`: sigma[1] must be finite and >= 0, got -2.0"),
        (lambda: noise.gaussian((0.1, 0.2, 0.3)), ValueError,
         "`gaussian`: sigma must be a number or a pair (sx, sy), got (0.1, 0.2, 0.3)"),
        (lambda: noise.gaussian("1"), TypeError,
         "`gaussian`: sigma must be a number, got '1' of type <class 'str'>"),
        (lambda: noise.gaussian(0.1, sde=1), TypeError,
         "`gaussian`: sde must be True or False, got 1"),
        (lambda: noise.shaking(float("nan")), ValueError,
         "`shaking`: sigma must be finite and >= 0, got nan"),
        (lambda: noise.curvature(1.0, center=(0, 1, 2)), ValueError,
         "`curvature`: center must be a point (x, y), got (0, 1, 2)"),
        (lambda: noise.heavy_tailed(0.1, df=0), ValueError,
         "`heavy_tailed`: df must be finite and > 0, got 0.0"),
        (lambda: noise.heavy_tailed(-0.1, df=3), ValueError,
         "`heavy_tailed`: sigma must be finite and >= 0, got -0.1"),
        (lambda: noise.minibatch(0), ValueError,
         "`minibatch`: batch_size must be >= 1, got 0"),
        (lambda: noise.minibatch(2.5), TypeError,
         "`minibatch`: batch_size must be an integer, got 2.5 of type <class 'float'>"),
        (lambda: noise.svrg(4, every=0), ValueError,
         "`svrg`: every must be >= 1, got 0"),
        (lambda: noise.perturbed(0.0, 1e-3), ValueError,
         "`perturbed`: radius must be finite and > 0, got 0.0"),
        (lambda: noise.perturbed(0.1, -1.0), ValueError,
         "`perturbed`: threshold must be finite and >= 0, got -1.0"),
        (lambda: noise.perturbed(0.1, 1e-3, wait=-1), ValueError,
         "`perturbed`: wait must be >= 0, got -1"),
        (lambda: noise.chain(), ValueError, "`chain`: needs at least one estimator"),
        (lambda: noise.chain(noise.gaussian(1), noise.minibatch(2)), ValueError,
         "`chain`: `minibatch` is a gradient source and it must come before "
         "`gaussian`; a chain takes at most one source (shaking, minibatch, svrg), "
         "first"),
        (lambda: _sgd("saddle", noise.minibatch(2), (0, 0), 2, 0.1), ValueError,
         "`race`: `minibatch` needs a finite-sum surface (noisy_moons, tanh_net, "
         "linear_regression, or surfaces.finite_sum); 'saddle' is a closed-form "
         "surface"),
        (lambda: _sgd("tanh_net", noise.svrg(201, 5), (0, 0), 2, 0.1), ValueError,
         "`race`: `svrg`: batch_size must be in [1, 200] (the surface's 200 "
         "examples), got 201"),
        (lambda: _sgd("saddle", object(), (0, 0), 2, 0.1), TypeError,
         "`race`: noise must be a gradient estimator with `init` and `gradient` "
         "(see optimotion.noise), got <object object at"),
    ],
)  # fmt: skip
def test_bad_estimators_raise_naming_the_parameter(make, error, message):
    with pytest.raises(error) as info:
        make()
    assert str(info.value).startswith(message)
