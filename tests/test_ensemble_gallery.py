"""The ensemble gallery scenes: each comment's numbers, measured.

Each scene runs its ensembles once (a few thousand particles, a few hundred
steps) and `optimotion.study.measure` fits them as `optimotion study` does."""

import pathlib

import numpy as np
import pytest

from optimotion.scene import load_scene
from optimotion.study import measure

SCENES = pathlib.Path(__file__).resolve().parent.parent / "optimotion" / "scenes"


def measured(name: str, overrides=()):
    built = load_scene(SCENES / f"{name}.yaml", list(overrides)).build()
    ensembles = built.ensembles()
    return ensembles, {
        label: measure(e, built.surface, built.noise) for label, e in ensembles.items()
    }


def test_additive_noise_every_particle_escapes_at_rate_a():
    ensembles, m = measured("ensemble_saddle_noise")
    (e,), (sgd,) = ensembles.values(), m.values()
    assert e.n == 4000 and not e.diverged.any()
    exact = np.log(1.02) / 0.01  # 1.980: the per-step growth 1 + a lr, a = 2
    assert sgd.theory.rate == pytest.approx(2.0)
    assert sgd.theory_rate == pytest.approx(exact, rel=1e-9)
    assert sgd.fit.rate == pytest.approx(exact, abs=0.03)  # measured 1.97
    assert sgd.escapes.fraction > 0.99  # measured 0.993
    assert 150 <= sgd.escapes.median_step <= 200  # measured 171


def test_critical_curvature_noise_growth_near_zero_half_escape():
    _, m = measured("ensemble_saddle_critical")
    (sgd,) = m.values()
    assert (sgd.theory.a, sgd.theory.sigma, sgd.theory.sde) == (
        pytest.approx(2.0),
        2.0,
        True,
    )
    assert sgd.theory.rate == pytest.approx(0.0)  # a − σ²/2 at σ = √(2a)
    assert sgd.theory_rate == pytest.approx(-0.0714, abs=1e-3)  # exact at lr 0.01
    # measured -0.075 ± 0.047: within three standard errors of the theory
    assert abs(sgd.fit.rate - sgd.theory_rate) < 3 * sgd.fit.stderr
    assert abs(sgd.fit.rate) < 0.2
    assert 0.4 < sgd.escapes.fraction < 0.65  # measured 0.53: half the story


def test_annealing_turns_the_growth_rate_positive():
    _, m = measured("ensemble_annealing")
    const, annealed = m["constant lr"], m["1/t annealing"]
    # constant lr: trapped (measured −0.98 ± 0.05, theory −1.01)
    assert const.fit.rate < -0.5
    assert abs(const.fit.rate - const.theory_rate) < 3 * const.fit.stderr
    # annealed: escapes (measured 0.698 ± 0.030, theory 0.708)
    assert annealed.fit.rate > 0.5
    assert abs(annealed.fit.rate - annealed.theory_rate) < 3 * annealed.fit.stderr
    assert 0.2 < const.escapes.fraction < 0.33  # measured 0.26
    assert 0.38 < annealed.escapes.fraction < 0.52  # measured 0.44


@pytest.mark.parametrize(
    ("sigma", "check"),
    [
        (0, lambda x, d: np.mean(np.abs(x - 1.0) < 0.05) == 1.0),  # all in (1, 0)
        (1, lambda x, d: np.mean(np.abs(x) < 0.5) > 0.99),  # measured 0.9935
        (2, lambda x, d: 0.3 < np.nanmedian(d) < 0.6  # measured 0.43
         and np.mean(np.abs(x) < 0.5) > 0.5),  # measured 0.59
    ],
)  # fmt: skip
def test_shaking_the_double_well_gathers_particles_at_the_saddle(sigma, check):
    ensembles, m = measured("ensemble_double_well_shaking", [f"noise.sigma={sigma}"])
    (e,) = ensembles.values()
    assert e.diverged.mean() < 0.005  # sigma 2: 1 of 2,000 (big kicks)
    x, distance = e.final[:, 0], np.linalg.norm(e.final, axis=1)
    assert check(x, distance)
    (sgd,) = m.values()
    assert sgd.theory is None  # no saddle theory for a shaken surface
