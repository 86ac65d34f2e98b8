"""The explorer's state without a figure: its transitions, with exact values, and
one compiled program for all of them.

The race is the one of `test_explorer.py`: three optimizers on the double well
f = (x² − 1)² + y² (minima (±1, 0), a saddle at the origin).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import count_compiles, fresh_python

import optimotion
from optimotion import noise, optimizers
from optimotion.interactive import ExplorerState
from optimotion.interactive._state import with_sigma
from optimotion.render import RenderSpec
from optimotion.scene import Scene

LABELS = ("SGD", "Momentum", "Adam")
LRS = (0.05, 0.02, 0.1)
START = (0.1, 1.8)
SURFACE = optimotion.surfaces.get("double_well")


def racers(lrs=LRS):
    return {
        "SGD": optimizers.sgd(lr=lrs[0]),
        "Momentum": optimizers.momentum(lr=lrs[1], momentum=0.9),
        "Adam": optimizers.adam(lr=lrs[2]),
    }


def reference(start, *, lrs=LRS, steps=60, sigma=0.0, seed=3):
    """The same race computed directly with `optimotion.race`."""
    return optimotion.race(
        SURFACE, racers(lrs), start, steps, seed=seed,
        noise=noise.gaussian(sigma) if sigma else None,
    )  # fmt: skip


def assert_race(state, expected):
    assert list(state.traces) == list(LABELS)
    for label in LABELS:
        assert state.traces[label].steps == state.steps
        np.testing.assert_allclose(
            state.traces[label].xy, expected[label].xy, rtol=0, atol=1e-12
        )


@pytest.fixture(scope="module")
def warm():
    """Compile the state's program once, so that each test can ask that nothing
    compiles again."""
    ExplorerState(SURFACE, racers(), START, 60, seed=3, max_steps=100)


@pytest.fixture
def state(warm):
    spec = RenderSpec(size=(640, 480), fps=20, duration=2)
    return ExplorerState(SURFACE, racers(), START, 60, seed=3, max_steps=100, spec=spec)


def test_importing_and_running_the_state_loads_no_matplotlib():
    # A fresh interpreter: this test process imported matplotlib already.
    code = (
        "import sys\n"
        "from optimotion.interactive import ExplorerState\n"
        "from optimotion import optimizers, surfaces\n"
        "s = ExplorerState(surfaces.get('double_well'), "
        "{'GD': optimizers.sgd(lr=0.1)}, (0.5, 1.0), 5)\n"
        "s.restart_from((-0.5, 1.0)); s.step(-1); s.tick()\n"
        "print([m for m in sys.modules if m.split('.')[0] == 'matplotlib'])"
    )
    out = fresh_python(code)
    assert out.strip() == "[]"


def test_opens_on_the_whole_race_paused(state):
    assert state.labels == list(LABELS) and state.start == START
    assert (state.steps, state.max_steps, state.t, state.playing) == (
        60,
        100,
        60,
        False,
    )
    assert state.lrs == dict(zip(LABELS, LRS, strict=True))
    assert state.recomputes == 1 and state.hidden == set()
    assert_race(state, reference(START))
    for label in LABELS:  # the full race runs max_steps; the traces are its head
        assert state.full[label].steps == 100


def test_the_transitions_give_exact_races_and_never_recompile(state):
    seen = []  # (traces, what `optimotion.race` gives for those settings)
    with count_compiles() as compiled:
        state.restart_from((-0.5, 0.7))
        assert (state.t, state.frame, state.playing) == (0, 0, True)
        assert state.start == (-0.5, 0.7)
        seen.append((state.traces, {"start": (-0.5, 0.7)}))
        state.set_lr("Adam", 0.3)
        assert (state.t, state.playing) == (60, False)
        lrs = (0.05, 0.02, 0.3)
        seen.append((state.traces, {"start": (-0.5, 0.7), "lrs": lrs}))
        state.set_noise(0.5)
        assert state.sigma == 0.5
        seen.append((state.traces, {"start": (-0.5, 0.7), "lrs": lrs, "sigma": 0.5}))
        state.set_steps(25)
        assert (state.steps, state.t) == (25, 25)
        seen.append(
            (
                state.traces,
                {"start": (-0.5, 0.7), "lrs": lrs, "sigma": 0.5, "steps": 25},
            )
        )
    assert compiled == []  # the start, lrs and sigma are traced: one program
    assert state.recomputes == 4  # start, lr, noise; the steps are a prefix
    for traces, settings in seen:
        expected = reference(settings.pop("start"), **settings)
        assert list(traces) == list(LABELS)
        for label in LABELS:
            assert traces[label].steps == expected[label].steps
            np.testing.assert_allclose(
                traces[label].xy, expected[label].xy, rtol=0, atol=1e-12
            )


def test_settings_are_clipped_and_bad_ones_refused(state):
    state.set_noise(-1.0)
    assert state.sigma == 0.0
    state.set_steps(0)
    assert state.steps == 1
    state.set_steps(10_000)
    assert state.steps == 100
    with pytest.raises(ValueError) as error:
        state.set_lr("nobody", 0.1)
    assert str(error.value) == "`explore`: 'nobody' has no numeric learning rate"
    with pytest.raises(ValueError) as error:
        state.toggle("nobody")
    assert str(error.value) == (
        "`explore`: no optimizer 'nobody'; the labels are ['SGD', 'Momentum', 'Adam']"
    )
    with pytest.raises(ValueError) as error:
        ExplorerState(SURFACE, racers(), START, 60, max_steps=50)
    assert str(error.value) == "`explore`: steps must be in [1, max_steps=50], got 60"


def test_toggle_hides_and_shows_without_recomputing(state):
    state.toggle("Momentum")
    assert state.hidden == {"Momentum"}
    state.toggle("SGD")
    state.toggle("Momentum")
    assert state.hidden == {"SGD"} and state.recomputes == 1


def test_the_playback_clock(state):
    plan = state.plan()  # 2 s at 20 fps: 40 frames over 60 steps
    assert len(plan) == 40 and plan[0] == 0 and plan[-1] == 60
    state.step(-1)
    assert (state.t, state.playing) == (59, False)
    assert state.frame == int(np.searchsorted(plan, 59))
    state.step(5)
    assert state.t == 60  # clamped at the last step
    state.step(-100)
    assert state.t == 0
    assert state.tick() is False  # paused: the clock stands
    state.replay()
    assert (state.t, state.frame, state.playing) == (0, 0, True)
    assert state.tick() is True
    assert (state.t, state.frame) == (int(plan[1]), 1)
    while state.tick():
        pass
    assert (state.t, state.playing) == (60, False)
    state.toggle_log_time()
    logged = state.plan()
    assert state.log_time is True and logged[:4].tolist() == [0, 1, 2, 3]
    assert state.frame == int(np.searchsorted(logged, 60))


def test_scene_dict_of_a_setup_made_in_python(state):
    state.restart_from((-0.6, -1.2))
    state.set_lr("SGD", 0.08)
    state.set_noise(0.25)
    data = state.scene_dict()
    assert data["surface"] == "double_well" and data["start"] == [-0.6, -1.2]
    assert (data["steps"], data["seed"]) == (60, 3)
    assert data["noise"] == {"kind": "gaussian", "sigma": 0.25}
    assert data["optimizers"][0]["lr"] == 0.08
    built = Scene.model_validate(data).build()
    again = built.race()
    for label in LABELS:
        np.testing.assert_array_equal(again[label].xy, state.traces[label].xy)


def test_with_sigma_sets_the_first_sigma_of_a_chain():
    chain = noise.chain(noise.shaking(1.0), noise.gaussian(0.3))
    assert with_sigma(chain, 0.5) == noise.chain(
        noise.shaking(0.5), noise.gaussian(0.3)
    )
    assert with_sigma(noise.gaussian(1.0), 2.0) == noise.gaussian(2.0)
    kicked = noise.perturbed(0.1, 1e-3)
    assert with_sigma(kicked, 2.0) == kicked
