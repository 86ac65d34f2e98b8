"""`optimotion.analysis`: the saddle theory and the fits, against hand-computed
numbers and Monte Carlo."""

import math

import numpy as np
import pytest

from optimotion import analysis, noise, surfaces
from optimotion.analysis import Theory


def test_expected_log_abs_exact_at_zero_and_against_monte_carlo():
    # E log|ξ| = (log 2 + ψ(1/2)) / 2 = −(γ + log 2) / 2
    assert analysis.expected_log_abs(0.0) == pytest.approx(-0.6351814227307391, 1e-14)
    xi = np.random.default_rng(0).standard_normal(2_000_000)
    mus = np.array([0.3, 1.2, 3.0, 10.0, 150.0, 250.0])
    mc = np.array([np.log(np.abs(mu + xi)).mean() for mu in mus])
    np.testing.assert_allclose(analysis.expected_log_abs(mus), mc, atol=2e-3)
    # the series and the asymptotic branch agree where they meet
    below, above = analysis.expected_log_abs([30.0, 30.0 + 1e-9])
    assert below == pytest.approx(above, abs=1e-10)


def test_step_growth_limits():
    lr = np.array([0.01, 0.1])
    # no curvature noise: log(1 + a lr) exactly
    np.testing.assert_allclose(
        analysis.step_growth(2.0, 0.0, lr, sde=True), np.log1p(2.0 * lr), rtol=1e-15
    )
    # small lr: (a − σ²/2) lr per step; at σ = √(2a) = 2 the saddle is neutral
    tiny = np.array([1e-5])
    assert analysis.step_growth(2.0, 1.0, tiny, sde=True)[0] / 1e-5 == pytest.approx(
        1.5, abs=1e-3
    )
    assert analysis.step_growth(2.0, 2.0, tiny, sde=True)[0] / 1e-5 == pytest.approx(
        0.0, abs=1e-3
    )
    # without sde the noise per unit time is σ²η/2: it vanishes as η → 0
    assert analysis.step_growth(2.0, 10.0, tiny, sde=False)[0] / 1e-5 == pytest.approx(
        2.0 - 10.0**2 * 1e-5 / 2, abs=1e-3
    )


def test_theory_at_the_saddle():
    saddle = surfaces.get("saddle")  # x² − y²: Hessian diag(2, −2)
    assert analysis.unstable_rate(saddle, (0.0, 0.0)) == pytest.approx(2.0)
    model = analysis.theory(saddle, noise.curvature(2.0, sde=True), (0.0, 0.0))
    assert model == Theory(a=pytest.approx(2.0), sigma=2.0, sde=True)
    assert model.rate == pytest.approx(0.0)
    assert analysis.theory(saddle, noise.gaussian(0.5), (0.0, 0.0)).rate == 2.0
    assert analysis.theory(saddle, None, (0.0, 0.0)).sigma == 0.0
    chained = noise.chain(noise.gaussian(0.1), noise.curvature(1.0, sde=True))
    assert analysis.theory(saddle, chained, (0.0, 0.0)).rate == pytest.approx(1.5)
    # the pair's y component (the unstable axis) counts
    pair = noise.curvature((5.0, 1.0), sde=True)
    assert analysis.theory(saddle, pair, (0.0, 0.0)).sigma == 1.0
    # no theory: shaken surfaces, noise centred elsewhere, minima
    assert analysis.theory(saddle, noise.shaking(1.0), (0.0, 0.0)) is None
    off = noise.curvature(1.0, center=(0.5, 0.0))
    assert analysis.theory(saddle, off, (0.0, 0.0)) is None
    assert analysis.theory(surfaces.get("double_well"), None, (1.0, 0.0)) is None


def test_fit_growth_is_the_mean_of_the_particles_slopes():
    # 3 particles, log distance a_i + b_i τ with τ = 0.1 t; the mean's slope is
    # the mean of b_i, its standard error sd(b) / √n.
    lr = np.full(10, 0.1)
    tau = np.arange(11) * 0.1
    b = np.array([1.0, 2.0, 4.0])
    logs = np.array([0.5, -1.0, 0.0])[:, None] + b[:, None] * tau[None]
    paths = np.stack([np.exp(logs), np.zeros_like(logs)], axis=-1) + [1.0, 2.0]
    alive = np.full(11, 3)
    fit = analysis.fit_growth(logs.mean(0), lr, paths, (1.0, 2.0), alive)
    assert (fit.lo, fit.hi) == (5, 10)
    assert fit.rate == pytest.approx(7 / 3, rel=1e-12)
    assert fit.stderr == pytest.approx(math.sqrt(7 / 3) / math.sqrt(3), rel=1e-12)
    assert fit.intercept == pytest.approx(-0.5 / 3, abs=1e-12)
    with pytest.raises(ValueError, match=r"need 0 <= lo < hi <= 10, got 4, 4"):
        analysis.fit_growth(logs.mean(0), lr, paths, (1.0, 2.0), alive, lo=4, hi=4)
    # after a divergence the default window ends before it: steps 2..4
    alive[5:] = 2
    assert analysis.fit_growth(logs.mean(0), lr, paths, (1.0, 2.0), alive)[2:4] == (
        2,
        4,
    )


def test_theory_curve_starts_at_the_anchor():
    mean = np.linspace(-3.0, 0.0, 6)
    model = Theory(a=2.0, sigma=0.0, sde=False)
    curve = analysis.theory_curve(mean, np.full(5, 0.1), model, anchor=2)
    assert np.isnan(curve[:2]).all()
    np.testing.assert_allclose(curve[2:], mean[2] + np.log(1.2) * np.arange(4))


def test_escapes():
    assert analysis.escapes([3, -1, 5, 7]) == (0.75, 6.0)
    assert analysis.escapes([3, -1, -1, 7]) == (0.5, None)
    assert analysis.escapes([-1, -1]) == (0.0, None)
