"""Tests of `optimotion.optimizers.schedules`: values against torch's lr_scheduler."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
from test_optimizers import count_compiles, float64_tree

from optimotion import optimizers
from optimotion.optimizers import schedules

C = math.cos
PI = math.pi

# (schedule, its spec for reference.lr_sequence, values at t = 0, 1, 2, ... by hand)
HAND_COMPUTED = [
    ("constant", dict(lr=0.5), [0.5, 0.5, 0.5]),
    # StepLR: lr * gamma ** (t // step_size)
    (
        "step_decay",
        dict(lr=0.1, step_size=3, gamma=0.5),
        [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025],
    ),
    # ExponentialLR: 0.2 * 0.9 ** t
    ("exponential", dict(lr=0.2, gamma=0.9), [0.2, 0.18, 0.162, 0.1458]),
    # 0.1 / (1 + 0.5 t)
    ("inverse_time", dict(lr=0.1, decay=0.5), [0.1, 0.1 / 1.5, 0.05, 0.04]),
    # CosineAnnealingLR: 0.02 + 0.08 (1 + cos(pi t / 4)) / 2, rising again after t_max
    (
        "cosine",
        dict(lr=0.1, t_max=4, eta_min=0.02),
        [0.1, 0.02 + 0.04 * (1 + C(PI / 4)), 0.06, 0.02 + 0.04 * (1 + C(3 * PI / 4))]
        + [0.02, 0.02 + 0.04 * (1 + C(5 * PI / 4)), 0.06, 0.088284271247, 0.1],
    ),
    # CyclicLR triangular, cycle 2 up + 3 down = 5, ratio 0.4: x = t/5 - floor(t/5),
    # scale x / 0.4 going up, (x - 1) / (0.4 - 1) going down
    (
        "cyclic",
        dict(base_lr=0.01, max_lr=0.11, step_size_up=2, step_size_down=3),
        [0.01, 0.06, 0.11, 0.01 + 0.1 * 2 / 3, 0.01 + 0.1 / 3, 0.01, 0.06],
    ),
    # CosineAnnealingWarmRestarts t_0 = 2, t_mult = 2: cycles [0, 2), [2, 6),
    # [6, 14), [14, 30); lr = 0.1 (1 + cos(pi T_cur / T_i)) / 2
    (
        "cosine_warm_restarts",
        dict(lr=0.1, t_0=2, t_mult=2),
        [0.1, 0.05, 0.1, 0.05 * (1 + C(PI / 4)), 0.05, 0.05 * (1 + C(3 * PI / 4))]
        + [0.1, *(0.05 * (1 + C(k * PI / 8)) for k in range(1, 8)), 0.1],
    ),
    # t_mult = 1: every 3 steps; 0.01 + 0.09 (1 + cos(pi T_cur / 3)) / 2
    (
        "cosine_warm_restarts",
        dict(lr=0.1, t_0=3, eta_min=0.01),
        [0.1, 0.0775, 0.0325, 0.1, 0.0775, 0.0325, 0.1],
    ),
]


@pytest.mark.parametrize("name, kw, expected", HAND_COMPUTED)
def test_values_at_hand_computed_steps(name, kw, expected, x64):
    schedule = schedules.get(name, **kw)
    values = [float(schedule(t)) for t in range(len(expected))]
    np.testing.assert_allclose(values, expected, rtol=1e-11, atol=1e-15)


TORCH_STEPPED = [
    ("step_decay", dict(lr=0.3, step_size=7, gamma=0.8)),
    ("exponential", dict(lr=0.3, gamma=0.99)),
    ("inverse_time", dict(lr=0.3, decay=0.05)),
    ("cosine", dict(lr=0.3, t_max=50, eta_min=0.01)),
    ("cosine", dict(lr=0.3, t_max=37)),
    ("cyclic", dict(base_lr=0.001, max_lr=0.3, step_size_up=10)),
    ("cyclic", dict(base_lr=0.001, max_lr=0.3, step_size_up=4, step_size_down=13)),
    ("cosine_warm_restarts", dict(lr=0.3, t_0=10)),
    ("cosine_warm_restarts", dict(lr=0.3, t_0=3, t_mult=2, eta_min=0.01)),
    ("cosine_warm_restarts", dict(lr=0.3, t_0=1, t_mult=3)),
]


@pytest.mark.parametrize("name, kw", TORCH_STEPPED)
def test_closed_forms_match_torchs_step_by_step_schedulers(name, kw, x64):
    """300 steps against torch's recursive `get_lr` (as `scheduler.step()` runs it),
    written out in `reference.lr_sequence`, and the same under jit with every leaf a
    traced float64 (integers included), as the dynamics passes them."""
    schedule = schedules.get(name, **kw)
    expected = reference.lr_sequence((name, kw), 300)
    steps = jnp.arange(300)
    eager = np.array([float(schedule(t)) for t in range(300)])
    traced = jax.jit(jax.vmap(lambda s, t: s(t), in_axes=(None, 0)))(
        float64_tree(schedule), steps
    )
    np.testing.assert_allclose(eager, expected, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(traced, eager, rtol=1e-12, atol=1e-15)


def test_warm_restarts_restart_exactly_at_each_cycle_start(x64):
    """t_0 = 1, t_mult = 3: cycles start at 0, 1, 4, 13, 40, 121, 364, 1093, where a
    logarithm alone would round across some of the boundaries."""
    schedule = schedules.cosine_warm_restarts(1.0, t_0=1, t_mult=3)
    starts = [0, 1, 4, 13, 40, 121, 364, 1093]
    np.testing.assert_array_equal([float(schedule(t)) for t in starts], 1.0)
    before = [float(schedule(t - 1)) for t in starts[2:]]  # the cycles' last steps
    lengths = np.array([3, 9, 27, 81, 243, 729])
    np.testing.assert_allclose(
        before, (1 + np.cos(np.pi * (lengths - 1) / lengths)) / 2
    )


def test_schedules_are_pytrees_and_a_new_value_does_not_recompile():
    schedule = schedules.cosine(0.1, t_max=10, eta_min=0.01)
    assert jax.tree.leaves(schedule) == [0.1, 10, 0.01]
    at_three = jax.jit(lambda s: s(3))
    at_three(schedule)
    other = schedules.cosine(0.2, t_max=20, eta_min=0.0)
    with count_compiles() as compiles:
        value = jax.block_until_ready(at_three(other))
    assert compiles == []
    np.testing.assert_allclose(value, 0.1 * (1 + math.cos(math.pi * 3 / 20)), rtol=1e-6)


def test_float32_without_x64():
    value = schedules.exponential(0.5, gamma=0.5)(3)
    assert value.dtype == jnp.float32
    assert float(value) == 0.0625


def test_an_optimizer_uses_the_schedule_at_the_count_of_updates_taken(x64):
    """lr(0) for the first update, lr(1) for the second: as torch's scheduler.step()
    after optimizer.step()."""
    opt = optimizers.sgd(lr=schedules.step_decay(0.25, step_size=1, gamma=0.5))
    params = jnp.array([1.0, -1.0])
    state = opt.init(params)
    first, state = opt.update(jnp.array([1.0, 1.0]), state, params)
    second, state = opt.update(jnp.array([1.0, 1.0]), state, params)
    np.testing.assert_array_equal(first, [-0.25, -0.25])
    np.testing.assert_array_equal(second, [-0.125, -0.125])


def test_registry():
    assert schedules.names() == (
        "constant",
        "cosine",
        "cosine_warm_restarts",
        "cyclic",
        "exponential",
        "inverse_time",
        "step_decay",
    )
    assert schedules.parameters("cyclic") == (
        "base_lr",
        "max_lr",
        "step_size_up",
        "step_size_down",
    )
    assert schedules.defaults("cyclic") == {
        "step_size_up": 2000,
        "step_size_down": None,
    }
    assert schedules.defaults("cosine_warm_restarts") == {"t_mult": 1, "eta_min": 0.0}
    assert schedules.get("cyclic", base_lr=0.1, max_lr=1.0) == schedules.Cyclic(
        0.1, 1.0, 2000, 2000
    )
    for name in schedules.names():
        assert isinstance(schedules.get(name, **_minimal(name)), schedules.Schedule)


def _minimal(name: str) -> dict:
    required = [
        p for p in schedules.parameters(name) if p not in schedules.defaults(name)
    ]
    ints = {"step_size", "t_max", "t_0"}
    return {p: 3 if p in ints else 0.1 for p in required}


NAMES = "constant, cosine, cosine_warm_restarts, cyclic, exponential, inverse_time, "
NAMES += "step_decay"
ERRORS = [
    (
        lambda: schedules.get("cosin", lr=1.0),
        ValueError,
        f"`schedules.get`: unknown schedule 'cosin', expected one of {NAMES}; "
        "did you mean 'cosine'?",
    ),
    (
        lambda: schedules.get("cosine", lr=1.0, tmax=5),
        ValueError,
        "`cosine`: unknown parameter 'tmax', expected one of eta_min, lr, t_max; "
        "did you mean 't_max'?",
    ),
    (
        lambda: schedules.get("cyclic", max_lr=1.0),
        ValueError,
        "`cyclic`: missing required parameter(s) base_lr",
    ),
    (
        lambda: schedules.cosine(0.1, t_max=0),
        ValueError,
        "`cosine`: t_max must be >= 1, got 0",
    ),
    (
        lambda: schedules.cosine(0.1, t_max=2.5),
        TypeError,
        "`cosine`: t_max must be an integer, got 2.5 of type <class 'float'>",
    ),
    (
        lambda: schedules.step_decay(-0.1, 10),
        ValueError,
        "`step_decay`: lr must be >= 0, got -0.1",
    ),
    (
        lambda: schedules.exponential(0.1, gamma=-0.5),
        ValueError,
        "`exponential`: gamma must be >= 0, got -0.5",
    ),
    (
        lambda: schedules.cyclic(0.1, -0.2, step_size_up=0),
        ValueError,
        "`cyclic`: max_lr must be >= 0, got -0.2; step_size_up must be >= 1, got 0",
    ),
    (
        lambda: schedules.cosine_warm_restarts(0.1, t_0=10, t_mult=0),
        ValueError,
        "`cosine_warm_restarts`: t_mult must be >= 1, got 0",
    ),
    (
        lambda: schedules.inverse_time(float("inf"), 1.0),
        ValueError,
        "`inverse_time`: lr must be finite, got inf",
    ),
    (
        lambda: schedules.constant("0.1"),
        TypeError,
        "`constant`: lr must be a number, got '0.1' of type <class 'str'>",
    ),
    (
        lambda: schedules.get("cosine", lr=0.1, t_max=True),
        TypeError,
        "`cosine`: t_max must be an integer, got True of type <class 'bool'>",
    ),
]


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_error_messages(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_an_optimizer_rejects_a_plain_function_as_lr():
    with pytest.raises(TypeError, match=r"^`adam`: lr must be a number or a schedule "):
        optimizers.adam(lr=lambda t: 0.1)
