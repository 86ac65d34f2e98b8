"""`tune`: the grid search equals separate runs, and its criterion is the stated one."""

import numpy as np
import pytest

import optimotion
from optimotion import noise, optimizers, surfaces
from optimotion.dynamics import _tune

GRID = (1e-3, 1e-2, 0.05, 0.1, 0.3, 0.6, 0.9, 1.2)


def test_the_sweep_equals_separate_runs():
    surface = surfaces.get("beale")
    race = {"SGD": optimizers.sgd(lr=1.0), "Adam": optimizers.adam(lr=1.0)}
    tuned = optimotion.tune(surface, race, (1.0, 1.5), 60, grid=GRID, seed=2,
                            noise=noise.gaussian(0.05))  # fmt: skip
    for label, opt in race.items():
        finals = []
        for lr in GRID:
            path = optimotion.run(surface, optimizers.rebuild(opt, {"lr": lr}),
                                  (1.0, 1.5), 60, seed=2,
                                  noise=noise.gaussian(0.05))  # fmt: skip
            finals.append(np.nan if path.diverged_at is not None else path.loss[-1])
        np.testing.assert_allclose(tuned[label].final_loss, finals, rtol=1e-12)
        best = int(np.nanargmin(finals))
        assert tuned[label].lr == GRID[best] or finals[GRID.index(tuned[label].lr)] <= (
            np.nanmin(finals) + _tune.TOL
        )


def test_gradient_descent_on_a_quadratic_takes_the_largest_stable_rate():
    # f = 0.01 x^2 + y^2: GD multiplies y by 1 - 2 lr and x by 1 - 0.02 lr, so the
    # final loss falls with lr until 1 - 2 lr < -1 (lr > 1) diverges.
    tuned = optimotion.tune(surfaces.get("long_valley"), {"GD": optimizers.sgd(lr=1)},
                            (-4.0, 1.0), 200, grid=GRID)  # fmt: skip
    assert tuned["GD"].lr == 0.9
    assert np.isnan(tuned["GD"].final_loss[-1])  # 1.2 diverged: disqualified
    rows = tuned["GD"].table()
    assert rows[0][0] == 1e-3 and rows[-1][2] == -1


def test_ties_go_to_the_fastest():
    grid = np.array([0.1, 0.2, 0.3])
    curves = np.array([[5, 3, 1, 0, 0, 0], [5, 0, 0, 0, 0, 0], [5, 2, 0, 0, 0, 0.0]])
    choice = _tune._choose(grid, curves, np.zeros(3, bool), 1e-6)
    assert choice.lr == 0.2
    assert choice.steps_to_tol.tolist() == [3, 1, 2]
    none = _tune._choose(grid, curves, np.ones(3, bool), 1e-6)
    assert none.lr is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": ()}, "`tune`: grid must be a non-empty list of numbers, got ()"),
        ({"grid": (0.1, -1)}, "`tune`: grid learning rates must be > 0, got (0.1, -1)"),
    ],
)
def test_bad_grids(kwargs, message):
    with pytest.raises(ValueError) as info:
        optimotion.tune(surfaces.get("saddle"), {"a": optimizers.sgd(lr=0.1)},
                        (1.0, 0.1), 5, **kwargs)  # fmt: skip
    assert str(info.value) == message


def test_the_tune_command_tunes_each_optimizer_with_its_own_noise():
    from optimotion.scene import parse_scene, tuned_scene

    text = """
surface: saddle
start: [0.5, 0.01]
steps: 60
tune: {min: 0.001, max: 0.5, points: 12}
noise: {kind: gaussian, sigma: 0.5}
optimizers:
  - {name: sgd, lr: auto, label: noisy}
  - {name: sgd, lr: auto, label: exact, noise: null}
"""
    scene = parse_scene(text)
    data, results = tuned_scene(scene)
    grid = np.geomspace(0.001, 0.5, 12)
    surface, opt = surfaces.get("saddle"), optimizers.sgd(lr=0.1)
    for label, estimator in (("noisy", noise.gaussian(0.5)), ("exact", None)):
        alone = optimotion.tune(
            surface, {label: opt}, (0.5, 0.01), 60, grid=grid, noise=estimator,
            stay_in_window=True,
        )[label]  # fmt: skip
        np.testing.assert_array_equal(results[label].final_loss, alone.final_loss)
        assert results[label].lr == alone.lr
    assert results["noisy"].final_loss.tolist() != results["exact"].final_loss.tolist()
