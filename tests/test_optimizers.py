"""Tests of `optimotion.optimizers`: one table of optimizers times properties.

Each row of `OPTIMIZERS_UNDER_TEST` is checked against its first two updates done
by hand, against the independent NumPy reference in `reference.py` (written from
the torch.optim pseudo-code) on every shipped surface, against optax where the
forms coincide, for convergence, dtypes, jit, recompilation and `rebuild`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import re
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import reference

from optimotion import optimizers, surfaces
from optimotion.optimizers import schedules


class Row(NamedTuple):
    id: str
    name: str
    hyperparams: dict[str, Any]  # `lr` is a number or a schedule spec (name, params)
    first_two: tuple[float, float]  # x after 1 and 2 updates, by hand (see below)
    tol: float = 1e-4  # distance to the minimum after 2000 steps on `_quadratic`


# First two updates by hand, on f(x, y) = x^2 + y^2 from (1, -1), so g = 2 theta
# (plus lambda theta with coupled weight decay). Every optimizer here acts on each
# coordinate alone and is odd in it, so y_t = -x_t: only x is written out.
E8, E10 = 1e-8, 1e-10


def _adagrad(lr, lr_decay, wd, s0):
    g1 = (2 + wd) * 1.0
    x1 = 1 - lr * g1 / (math.sqrt(s0 + g1**2) + E10)
    g2 = (2 + wd) * x1
    x2 = x1 - lr / (1 + 1 * lr_decay) * g2 / (math.sqrt(s0 + g1**2 + g2**2) + E10)
    return x1, x2


def _rmsprop(lrs, alpha, wd, momentum, centered):
    x, v, avg, b = 1.0, 0.0, 0.0, 0.0
    for lr in lrs:  # two updates, written once
        g = (2 + wd) * x
        v = alpha * v + (1 - alpha) * g**2
        avg = alpha * avg + (1 - alpha) * g if centered else 0.0
        b = momentum * b + g / (math.sqrt(v - avg**2) + E8)
        x = x - lr * b
        yield x


def _adam(lrs, beta1, beta2, wd, amsgrad, decoupled):
    x, m, v, v_max = 1.0, 0.0, 0.0, 0.0
    for t, lr in enumerate(lrs, start=1):
        g = 2 * x if decoupled else (2 + wd) * x
        x = x * (1 - lr * wd) if decoupled else x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = max(v_max, v) if amsgrad else v
        denom = math.sqrt(v_max) / math.sqrt(1 - beta2**t) + E8
        x = x - lr / (1 - beta1**t) * m / denom
        yield x


def _adadelta(lrs, rho, eps, wd):
    x, v, u = 1.0, 0.0, 0.0
    for lr in lrs:
        g = (2 + wd) * x
        v = rho * v + (1 - rho) * g**2
        delta = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        x = x - lr * delta
        yield x


def _adamax(lrs, beta1, beta2, eps, wd):
    x, m, u = 1.0, 0.0, 0.0
    for t, lr in enumerate(lrs, start=1):
        g = (2 + wd) * x
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, abs(g) + eps)
        x = x - lr / (1 - beta1**t) * m / u
        yield x


def _nadam(lrs, beta1, beta2, wd, psi, decoupled):
    x, m, v, product = 1.0, 0.0, 0.0, 1.0
    for t, lr in enumerate(lrs, start=1):
        g = 2 * x if decoupled else (2 + wd) * x
        mu, mu_next = (beta1 * (1 - 0.5 * 0.96 ** (k * psi)) for k in (t, t + 1))
        product *= mu
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        denom = math.sqrt(v / (1 - beta2**t)) + E8
        x = x * (1 - lr * wd) if decoupled else x
        x -= lr * (1 - mu) / (1 - product) * g / denom
        x -= lr * mu_next / (1 - product * mu_next) * m / denom
        yield x


def _radam(lrs, beta1, beta2, wd, decoupled):
    x, m, v = 1.0, 0.0, 0.0
    rho_inf = 2 / (1 - beta2) - 1
    for t, lr in enumerate(lrs, start=1):
        g = 2 * x if decoupled else (2 + wd) * x
        x = x * (1 - lr * wd) if decoupled else x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        assert rho <= 5  # the first two steps are SGD with momentum
        x = x - lr * m / (1 - beta1**t)
        yield x


def _asgd(lrs, lambd, alpha, wd):
    x, eta = 1.0, lrs[0]
    for t, lr in enumerate(lrs, start=1):
        x = x * (1 - lambd * eta) - eta * (2 + wd) * x
        eta = lr / (1 + lambd * lr * t) ** alpha
        yield x


OPTIMIZERS_UNDER_TEST = [
    # x1 = 1 - 0.1 * 2 = 0.8; x2 = 0.8 - 0.1 * 1.6 = 0.64
    Row("sgd", "sgd", dict(lr=0.1), (0.8, 0.64)),
    # g = 2.5 x. b1 = g1 = 2.5 (no dampening on the first step), x1 = 1 - 0.25 = 0.75;
    # g2 = 1.875, b2 = 0.5 * 2.5 + 0.5 * 1.875 = 2.1875, x2 = 0.75 - 0.21875 = 0.53125
    Row(
        "sgd-all",
        "sgd",
        dict(lr=0.1, momentum=0.5, dampening=0.5, weight_decay=0.5),
        (0.75, 0.53125),
    ),
    # b1 = 2, x1 = 0.8; g2 = 1.6, b2 = 0.9 * 2 + 1.6 = 3.4, x2 = 0.8 - 0.34 = 0.46
    Row("momentum", "momentum", dict(lr=0.1), (0.8, 0.46)),
    # b1 = 2, d1 = 2 + 0.9 * 2 = 3.8, x1 = 1 - 0.38 = 0.62; g2 = 1.24,
    # b2 = 1.8 + 1.24 = 3.04, d2 = 1.24 + 0.9 * 3.04 = 3.976, x2 = 0.62 - 0.3976
    Row("nesterov", "nesterov", dict(lr=0.1), (0.62, 0.2224)),
    # lr(0) = 0.1, lr(1) = 0.099. x1 = 0.8; g2 = 1.6, b2 = 0.5 * 2 + 1.6 = 2.6,
    # x2 = 0.8 - 0.099 * 2.6 = 0.5426
    Row(
        "sgd-step_decay",
        "sgd",
        dict(lr=("step_decay", dict(lr=0.1, step_size=1, gamma=0.99)), momentum=0.5),
        (0.8, 0.5426),
    ),
    # lr(0) = 0 (the cycle starts at base_lr), lr(1) = 0.2. x1 = 1 but b1 = 2;
    # g2 = 2, b2 = 1.8 + 2 = 3.8, d2 = 2 + 0.9 * 3.8 = 5.42, x2 = 1 - 0.2 * 5.42
    Row(
        "nesterov-cyclic",
        "nesterov",
        dict(lr=("cyclic", dict(base_lr=0.0, max_lr=0.2, step_size_up=1))),
        (1.0, -0.084),
    ),
    # s1 = 4, x1 = 1 - 0.1 * 2 / (2 + eps) ~ 0.9; s2 = 4 + 1.8^2 = 7.24,
    # x2 ~ 0.9 - 0.1 * 1.8 / 2.6907 ~ 0.83310
    Row("adagrad", "adagrad", dict(lr=0.1), _adagrad(0.1, 0.0, 0.0, 0.0)),
    # g = 2.5 x, s1 = 1 + 6.25, x1 ~ 1 - 0.5 * 2.5 / 2.6926 ~ 0.53576; the second
    # step's lr is 0.5 / (1 + 1 * 0.001): x2 ~ 0.31329
    Row(
        "adagrad-all",
        "adagrad",
        dict(lr=0.5, lr_decay=0.001, weight_decay=0.5, initial_accumulator_value=1.0),
        _adagrad(0.5, 0.001, 0.5, 1.0),
    ),
    # v1 = 0.01 * 4 = 0.04, x1 = 1 - 0.01 * 2 / (0.2 + eps) ~ 0.9;
    # v2 = 0.0396 + 0.01 * 1.8^2 = 0.072, x2 ~ 0.9 - 0.018 / 0.26833 ~ 0.83292
    Row(
        "rmsprop", "rmsprop", dict(lr=0.01), tuple(_rmsprop([0.01] * 2, 0.99, 0, 0, 0))
    ),
    # g = 2.5 x, v1 = 0.05 * 6.25 = 0.3125, avg1 = 0.125, sqrt(0.3125 - 0.015625)
    # = 0.54486, b1 = 2.5 / 0.54486 = 4.5883, x1 ~ 0.95412; then
    # b2 = 0.5 b1 + g2 / sqrt(v2 - avg2^2)
    Row(
        "rmsprop-all",
        "rmsprop",
        dict(lr=0.01, alpha=0.95, momentum=0.5, weight_decay=0.5, centered=True),
        tuple(_rmsprop([0.01] * 2, 0.95, 0.5, 0.5, True)),
        tol=1e-2,  # the centered variance estimate -> 0 at the minimum: it hovers
    ),
    # lr(0) = 0.01, lr(1) = 0.01 (1 + cos(pi / 2)) / 2 = 0.005
    Row(
        "rmsprop-warm_restarts",
        "rmsprop",
        dict(lr=("cosine_warm_restarts", dict(lr=0.01, t_0=2))),
        tuple(_rmsprop([0.01, 0.005], 0.99, 0, 0, False)),
    ),
    # m1 = 0.2, v1 = 0.004, x1 = 1 - 0.1 / 0.1 * 0.2 / (sqrt(4) + eps) ~ 0.9;
    # m2 = 0.36, v2 = 0.007236, x2 ~ 0.9 - 0.1 / 0.19 * 0.36 / 1.90258 ~ 0.80041
    Row("adam", "adam", dict(lr=0.1), tuple(_adam([0.1] * 2, 0.9, 0.999, 0, 0, 0))),
    # g = 2.5 x. m1 = 1.25, v1 = 3.125, x1 = 1 - 1.25 / 2.5 ~ 0.5; g2 ~ 1.25,
    # v2 ~ 2.34 < 3.125: amsgrad keeps 3.125, x2 ~ 0.5 - 0.5 / 0.75 * 1.25 / 2.04124
    Row(
        "adam-all",
        "adam",
        dict(lr=0.5, betas=(0.5, 0.5), weight_decay=0.5, amsgrad=True),
        tuple(_adam([0.5] * 2, 0.5, 0.5, 0.5, True, False)),
    ),
    # lr(0) = 0.1, lr(1) = 0.099
    Row(
        "adam-exponential",
        "adam",
        dict(lr=("exponential", dict(lr=0.1, gamma=0.99))),
        tuple(_adam([0.1, 0.099], 0.9, 0.999, 0, 0, 0)),
    ),
    # x1 = 1 (1 - 0.1 * 0.01) - 0.1 ~ 0.899, then as adam from there
    Row(
        "adamw",
        "adamw",
        dict(lr=0.1),
        tuple(_adam([0.1] * 2, 0.9, 0.999, 0.01, False, True)),
    ),
    # x1 = 0.75 - 1 / (2 + eps) ~ 0.25; g2 ~ 0.5, v2 ~ 1.125 < 2 (amsgrad keeps 2),
    # x2 ~ 0.1875 - 0.5 / 0.75 * 0.75 / 1.63299 ~ -0.11869
    Row(
        "adamw-all",
        "adamw",
        dict(lr=0.5, betas=(0.5, 0.5), weight_decay=0.5, amsgrad=True),
        tuple(_adam([0.5] * 2, 0.5, 0.5, 0.5, True, True)),
    ),
    # v1 = 0.4, delta1 = sqrt(1e-6) / sqrt(0.400001) * 2 ~ 0.0031623, x1 ~ 0.99684
    Row(
        "adadelta", "adadelta", dict(lr=1.0), tuple(_adadelta([1.0] * 2, 0.9, 1e-6, 0))
    ),
    # g = 2.5 x, v1 = 0.05 * 6.25 = 0.3125, delta1 = 0.01 / sqrt(0.3126) * 2.5
    # ~ 0.044714, x1 = 1 - 0.5 delta1 ~ 0.97764
    Row(
        "adadelta-all",
        "adadelta",
        dict(lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.5),
        tuple(_adadelta([0.5] * 2, 0.95, 1e-4, 0.5)),
    ),
    # lr(0) = 1, lr(1) = 1 / (1 + 0.001)
    Row(
        "adadelta-inverse_time",
        "adadelta",
        dict(lr=("inverse_time", dict(lr=1.0, decay=0.001))),
        tuple(_adadelta([1.0, 1 / 1.001], 0.9, 1e-6, 0)),
    ),
    # m1 = 0.2, u1 = 2 + eps, x1 = 1 - 0.1 / 0.1 * 0.2 / u1 ~ 0.9; g2 = 1.8,
    # m2 = 0.36, u2 = max(0.999 u1, 1.8 + eps) ~ 1.998, x2 ~ 0.9 - 0.1 / 0.19 *
    # 0.36 / 1.998 ~ 0.80517
    Row("adamax", "adamax", dict(lr=0.1), tuple(_adamax([0.1] * 2, 0.9, 0.999, E8, 0))),
    # g = 2.5 x, u1 = 2.5 + 1e-3, x1 = 1 - 0.5 * 2.5 / 2.501 ~ 0.50020; g2 ~ 1.2505
    # < 0.99 u1: u2 = 0.99 * 2.501, the decayed maximum
    Row(
        "adamax-all",
        "adamax",
        dict(lr=0.5, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.5),
        tuple(_adamax([0.5] * 2, 0.8, 0.99, 1e-3, 0.5)),
        tol=2e-3,  # u >= eps = 1e-3 near the minimum: the last steps are slow
    ),
    # mu1 = 0.9 (1 - 0.5 * 0.96^0.004) ~ 0.45007, mu2 ~ 0.45015; m1 = 0.2, v1 = 0.004,
    # denom = 2 + eps: x1 = 1 - 0.1 (0.54993 / 0.54993) - 0.1 * 0.45015 / (1 - 0.20260)
    # * 0.1 ~ 0.89435
    Row(
        "nadam",
        "nadam",
        dict(lr=0.1),
        tuple(_nadam([0.1] * 2, 0.9, 0.999, 0, 4e-3, False)),
    ),
    Row(
        "nadam-all",
        "nadam",
        dict(
            lr=0.1,
            betas=(0.8, 0.99),
            weight_decay=0.5,
            momentum_decay=0.1,
            decoupled_weight_decay=True,
        ),
        tuple(_nadam([0.1] * 2, 0.8, 0.99, 0.5, 0.1, True)),
    ),
    Row(
        "nadam-l2",
        "nadam",
        dict(lr=0.1, weight_decay=0.5),
        tuple(_nadam([0.1] * 2, 0.9, 0.999, 0.5, 4e-3, False)),
        tol=1e-3,  # the penalized minimum moves; rebuild drops the penalty
    ),
    # rho_inf = 1999, rho_1 = 1, rho_2 ~ 2.0: SGD with bias-corrected momentum.
    # x1 = 1 - 0.1 * 2 = 0.8; m2 = 0.18 + 0.16 = 0.34, x2 = 0.8 - 0.1 * 0.34 / 0.19
    Row("radam", "radam", dict(lr=0.1), tuple(_radam([0.1] * 2, 0.9, 0.999, 0, 0))),
    Row(
        "radam-all",
        "radam",
        dict(lr=0.1, betas=(0.8, 0.99), weight_decay=0.5, decoupled_weight_decay=True),
        tuple(_radam([0.1] * 2, 0.8, 0.99, 0.5, True)),
    ),
    Row(
        "radam-l2-exponential",
        "radam",
        dict(lr=("exponential", dict(lr=0.1, gamma=0.99)), weight_decay=0.5),
        tuple(_radam([0.1, 0.099], 0.9, 0.999, 0.5, False)),
        tol=1e-3,  # lr 0.1 * 0.99^t has all but stopped it by the end
    ),
    # step 1: no previous sign, x1 = 1 - 0.1; step 2: the same sign, 0.1 * 1.2
    Row("rprop", "rprop", dict(lr=0.1), (0.9, 0.78)),
    # the size 0.1 doubles to 0.2 and is clipped to 0.15
    Row(
        "rprop-all",
        "rprop",
        dict(lr=0.1, etas=(0.25, 2.0), step_sizes=(0.01, 0.15)),
        (0.9, 0.75),
        tol=2e-2,  # steps never shrink below 0.01: it hops around the minimum
    ),
    # x1 = 1 (1 - 1e-4 * 0.1) - 0.1 * 2 = 0.79999; eta2 = 0.1 / (1 + 1e-5)^0.75
    Row("asgd", "asgd", dict(lr=0.1), tuple(_asgd([0.1] * 2, 1e-4, 0.75, 0))),
    # averaging from t0 = 1: mu_3 = 1 / 2, mu_4 = 1 / 3, ...
    Row(
        "asgd-all",
        "asgd",
        dict(lr=0.1, lambd=0.01, alpha=0.5, t0=1.0, weight_decay=0.5),
        tuple(_asgd([0.1] * 2, 0.01, 0.5, 0.5)),
        tol=1e-2,  # lambd pulls the fixed point towards 0: x* = 2 / 2.01
    ),
]
ROWS = {row.id: row for row in OPTIMIZERS_UNDER_TEST}
each_row = pytest.mark.parametrize("row", OPTIMIZERS_UNDER_TEST, ids=lambda r: r.id)

_SCHEDULE_LRS = ("lr", "base_lr", "max_lr", "eta_min")


def scaled(hyperparams: dict, scale: float) -> dict:
    """`hyperparams` with the learning rate (or a schedule's rates) times `scale`."""
    lr = hyperparams["lr"]
    if isinstance(lr, tuple):
        name, kw = lr
        lr = (name, {k: v * scale if k in _SCHEDULE_LRS else v for k, v in kw.items()})
    else:
        lr = lr * scale
    return {**hyperparams, "lr": lr}


def build(row: Row, scale: float = 1.0) -> optimizers.Optimizer:
    hp = scaled(row.hyperparams, scale)
    if isinstance(hp["lr"], tuple):
        hp["lr"] = schedules.get(hp["lr"][0], **hp["lr"][1])
    return optimizers.get(row.name, **hp)


def float64_tree(tree):
    return jax.tree.map(lambda v: jnp.asarray(v, jnp.float64), tree)


@contextlib.contextmanager
def count_compiles():
    """Collects one entry per XLA compilation inside the block."""
    compiles: list[str] = []

    def listener(event: str, duration: float, **kwargs: Any) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            compiles.append(event)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield compiles
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def apply(opt, grad_fn, x0, steps, dtype=jnp.float64):
    """`steps` eager updates; returns positions (steps + 1, 2) and the last state."""
    p = jnp.asarray(x0, dtype)
    state = opt.init(p)
    xs = [p]
    for _ in range(steps):
        updates, state = opt.update(grad_fn(p), state, p)
        p = p + updates
        xs.append(p)
    return np.asarray(jnp.stack(xs)), state


def _sphere_grad(p):
    return 2 * p


# --- hand-computed first steps -----------------------------------------------------


@each_row
def test_first_two_updates_match_hand_computation(row, x64):
    xy, state = apply(build(row), _sphere_grad, (1.0, -1.0), 2)
    x1, x2 = row.first_two
    np.testing.assert_allclose(xy[1:], [[x1, -x1], [x2, -x2]], rtol=1e-12)
    assert int(state.step) == 2


def test_first_sgd_momentum_buffer_is_the_raw_gradient(x64):
    """torch: b_1 = g_1 without dampening; b_2 = mu b_1 + (1 - tau) g_2."""
    opt = optimizers.sgd(lr=0.1, momentum=0.5, dampening=0.5)
    _, state = apply(opt, _sphere_grad, (1.0, -1.0), 1)
    np.testing.assert_array_equal(state.momentum_buffer, [2.0, -2.0])
    _, state = apply(opt, _sphere_grad, (1.0, -1.0), 2)  # g2 = 1.6
    np.testing.assert_allclose(state.momentum_buffer, [1.8, -1.8], rtol=1e-15)


def test_without_momentum_the_sgd_buffer_holds_the_gradient(x64):
    opt = optimizers.sgd(lr=0.1, dampening=0.5, weight_decay=0.5)  # torch: no buffer
    _, state = apply(opt, _sphere_grad, (1.0, -1.0), 2)  # g2 = 2.5 * 0.75
    np.testing.assert_allclose(state.momentum_buffer, [1.875, -1.875], rtol=1e-15)


def test_amsgrad_keeps_the_largest_second_moment(x64):
    opt = build(ROWS["adam-all"])  # v1 = 3.125, v2 ~ 2.34 (see the table)
    _, state = apply(opt, _sphere_grad, (1.0, -1.0), 2)
    np.testing.assert_allclose(state.max_exp_avg_sq, [3.125, 3.125], rtol=1e-15)
    assert state.exp_avg_sq[0] < 3.125


def test_gradient_descent_contracts_by_one_minus_lr_times_curvature(x64):
    """On f = x^2 + 2 y^2 (curvatures 2 and 4), x_t = 0.8^t and y_t = 0.6^t."""
    xy, _ = apply(
        optimizers.sgd(lr=0.1), lambda p: p * jnp.array([2.0, 4.0]), (1, 1), 50
    )
    t = np.arange(51)
    np.testing.assert_allclose(xy, np.stack([0.8**t, 0.6**t], axis=1), rtol=1e-12)


# --- the NumPy reference, on every shipped surface ---------------------------------

SURFACES = surfaces.names()


@functools.cache
def _surface_setup(name: str):
    """A jitted gradient, the start, the divergence bound and the lr scales."""
    surface = surfaces.get(name)
    with jax.enable_x64(True):
        grad = jax.jit(jax.grad(surface.loss))
        hessian = jax.hessian(surface.loss)(jnp.asarray(surface.start, jnp.float64))
    (x0, x1), (y0, y1) = surface.window
    span = max(x1 - x0, y1 - y0)
    bound = (np.array([x0, y0]) - 100 * span, np.array([x1, y1]) + 100 * span)
    # SGD's steps scale with the gradient: keep lr * curvature <= 0.1 at the start
    # (RAdam's first steps are SGD's: the same).
    # The adaptive optimizers step about lr: make that a fiftieth of the window.
    curvature = float(np.linalg.norm(np.asarray(hessian), 2))
    scales = {"sgd": 1 / max(curvature, 10.0), "adaptive": span / 50}
    return grad, surface.start, bound, scales


_SGD_LIKE = ("sgd", "momentum", "nesterov", "asgd", "radam")  # RAdam: SGD at first


def _scale(row: Row, scales: dict) -> float:
    return scales["sgd" if row.name in _SGD_LIKE else "adaptive"]


@functools.cache
def _jitted_step(row_id: str):
    """One compiled update per row; `lr` is a traced argument (via `rebuild`)."""
    base = build(ROWS[row_id])

    @jax.jit
    def step(lr, grads, state, params):
        updates, state = optimizers.rebuild(base, {"lr": lr}).update(
            grads, state, params
        )
        return params + updates, state

    return base, step


def _trajectory(row: Row, grad, x0, steps: int, scale: float):
    """Positions (steps + 1, 2), the gradients used (steps, 2) and the states after
    each step (stacked fields), from the row's compiled update."""
    base, step = _jitted_step(row.id)
    lr = build(row, scale).hyperparams["lr"]
    lr = float64_tree(lr)  # as the dynamics passes it: every leaf a float64 array
    p = jnp.asarray(x0, jnp.float64)
    state = build(row, scale).init(p)  # rprop and asgd start from lr
    xs, grads, states = [p], [], []
    for _ in range(steps):
        grads.append(grad(p))
        p, state = step(lr, grads[-1], state, p)
        xs.append(p)
        states.append(state)
    stacked = jax.tree.map(lambda *a: np.stack(a), *states)
    return np.asarray(jnp.stack(xs)), np.asarray(jnp.stack(grads)), stacked


def assert_close(actual, desired, rtol=1e-9):
    desired = np.asarray(desired)
    atol = 1e-12 * max(1.0, float(np.abs(desired).max(initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol)


@pytest.mark.parametrize("surface", SURFACES)
@each_row
def test_matches_reference_for_200_steps(row, surface, x64):
    """200 steps on every shipped surface against `reference.py`, to 1e-9 relative,
    positions and the state torch keeps, in two ways:

    - step for step: from each of our (theta_t, state_t), one reference update
      gives our theta_{t+1} and state_{t+1};
    - free running: both trajectories from the start agree, up to where the
      reference leaves the divergence bound (SGD runs off the monkey saddle).

    The first holds for any hyperparameters. The second needs the path to be well
    conditioned: an adaptive optimizer bouncing in a minimum (centered RMSprop with
    alpha = 0.5, Adadelta with rho = 0.5 and eps = 1e-2) amplifies one ulp to 1e-8
    within 150 steps, so no two implementations agree there; the rows avoid that.
    Learning rates are scaled per surface (see `_surface_setup`).
    """
    grad, x0, bound, scales = _surface_setup(surface)
    hyperparams = scaled(row.hyperparams, _scale(row, scales))
    xy, grads, state = _trajectory(row, grad, x0, 200, _scale(row, scales))
    with np.errstate(invalid="ignore", over="ignore"):  # paths may run off to inf
        next_xy, next_state = _reference_steps_from(
            row.name, hyperparams, xy, grads, state
        )
        ref_xy, ref_state = reference.run(
            row.name, hyperparams, lambda p: np.asarray(grad(jnp.asarray(p))), x0, 200
        )

    ours_inside = _inside(xy, bound)
    assert_close(next_xy[ours_inside[1:]], xy[1:][ours_inside[1:]])
    for name, values in next_state.items():
        ours = _field(state, name)
        assert_close(ours[ours_inside[1:]], _per_coordinate(values)[ours_inside[1:]])

    inside = _inside(ref_xy, bound)
    assert inside[:2].all()  # at least one step to compare
    assert_close(xy[inside], ref_xy[inside])
    for name, values in ref_state.items():
        assert_close(_field(state, name)[inside[1:]], values[inside[1:]])


def _field(state, name: str) -> np.ndarray:
    """A stacked state field, (steps, 2); scalars (`mu_product`, `eta`, `mu`),
    which torch keeps one per parameter tensor, repeated for each coordinate."""
    return _per_coordinate(np.asarray(getattr(state, name)))


def _per_coordinate(values) -> np.ndarray:
    values = np.asarray(values)
    return (
        np.broadcast_to(values[:, None], (len(values), 2))
        if values.ndim == 1
        else values
    )


def _inside(xy: np.ndarray, bound) -> np.ndarray:
    """True for the points before the path first leaves the bound (or goes NaN)."""
    low, high = bound
    return np.cumprod(np.all((xy >= low) & (xy <= high), axis=1)) == 1


def _reference_steps_from(name, hyperparams, xy, grads, state):
    """One reference update from each of our (theta_t, g_t, state_t): the positions
    (steps, 2) and the tensors torch keeps, `{name: (steps, 2)}`."""
    lrs = reference.learning_rates(hyperparams["lr"], len(grads))
    kept: list[str] = []  # what torch keeps, known after its first step
    next_xy, next_state = [], {}
    for t, lr in enumerate(lrs):
        torch_state = {"step": t + 1, **{k: getattr(state, k)[t - 1] for k in kept}}
        next_xy.append(
            reference.one_step(name, hyperparams, xy[t], grads[t], torch_state, lr)
        )
        kept = [k for k in torch_state if k != "step"]
        for k in kept:
            next_state.setdefault(k, []).append(torch_state[k])
    return np.array(next_xy), {k: np.array(v) for k, v in next_state.items()}


# --- optax, where its form is torch's -----------------------------------------------


def _optax_lr(row: Row):
    lr = build(row).hyperparams["lr"]
    return lr if isinstance(lr, float) else (lambda count: lr(count))


OPTAX_EQUIVALENTS = {
    "sgd": lambda lr: optax.sgd(lr),
    "momentum": lambda lr: optax.sgd(lr, momentum=0.9),
    "nesterov": lambda lr: optax.sgd(lr, momentum=0.9, nesterov=True),
    "sgd-step_decay": lambda lr: optax.sgd(lr, momentum=0.5),
    "nesterov-cyclic": lambda lr: optax.sgd(lr, momentum=0.9, nesterov=True),
    # eps outside the root, decay = alpha: optax's non-default form is torch's
    "rmsprop": lambda lr: optax.rmsprop(lr, decay=0.99, eps=1e-8, eps_in_sqrt=False),
    "rmsprop-warm_restarts": lambda lr: optax.rmsprop(
        lr, decay=0.99, eps=1e-8, eps_in_sqrt=False
    ),
    "adam": lambda lr: optax.adam(lr),
    "adam-exponential": lambda lr: optax.adam(lr),
    "adamw": lambda lr: optax.adamw(lr, weight_decay=1e-2),
    "adadelta": lambda lr: optax.adadelta(lr),
    "adadelta-all": lambda lr: optax.adadelta(lr, rho=0.95, eps=1e-4, weight_decay=0.5),
    "adadelta-inverse_time": lambda lr: optax.adadelta(lr),
    "adamax": lambda lr: optax.adamax(lr),  # eps inside the maximum in both
}


@pytest.mark.parametrize("row_id", sorted(OPTAX_EQUIVALENTS))
def test_matches_optax_where_the_forms_coincide(row_id, x64):
    """100 steps on Rosenbrock, to 1e-9 relative, where optax's form is torch's.

    SGD: optax.sgd(lr, momentum=mu, nesterov) is trace(mu, nesterov) then -lr. The
    trace is t_k = g_k + mu t_{k-1} from t_0 = 0, emitted as t_k (or g_k + mu t_k
    with Nesterov). torch keeps b_1 = g_1 and b_k = mu b_{k-1} + (1 - dampening) g_k.
    With dampening = 0, t_1 = g_1 + mu * 0 = b_1 and the two recursions are the same
    after, so t_k = b_k for every k, and the Nesterov outputs g_k + mu t_k =
    g_k + mu b_k agree too. With dampening != 0 they part at step 2 (next test);
    optax.sgd has no weight decay. RMSprop: only with `eps_in_sqrt=False` and
    `decay=alpha`. Adam and AdamW: eps outside sqrt(v_hat) in both. Adadelta: the
    same update, weight decay added to the gradient first in both.
    """
    row = ROWS[row_id]
    grad, x0, _, _ = _surface_setup("rosenbrock")
    ours, _ = apply(build(row), grad, x0, 100)
    theirs, _ = apply(
        OPTAX_EQUIVALENTS[row_id](_optax_lr(row)), grad, jnp.asarray(x0), 100
    )
    assert_close(ours, theirs)


def test_optax_sgd_departs_from_torch_with_dampening(x64):
    """With dampening 0.5 optax's trace and torch's buffer part at step 2."""
    ours, _ = apply(
        optimizers.sgd(0.1, momentum=0.5, dampening=0.5), _sphere_grad, (1, -1), 2
    )
    theirs, _ = apply(
        optax.sgd(0.1, momentum=0.5), _sphere_grad, jnp.array([1.0, -1.0]), 2
    )
    # b2 = 0.5 * 2 + 0.5 * 1.6 = 1.8 against t2 = 0.5 * 2 + 1.6 = 2.6
    np.testing.assert_allclose(ours[2, 0], 0.8 - 0.18, rtol=1e-12)
    np.testing.assert_allclose(theirs[2, 0], 0.8 - 0.26, rtol=1e-12)


def test_optax_nadam_differs_from_torchs(x64):
    """First step on f = x^2 + y^2 from (1, -1), lr 0.1: torch's mu_1 = 0.9 (1 -
    0.5 * 0.96^0.004) ~ 0.45 weighs the gradient term; optax.nadam uses beta1 = 0.9
    throughout, so its first step is about 1.47 lr against torch's 1.06 lr."""
    ours, _ = apply(optimizers.nadam(lr=0.1), _sphere_grad, (1.0, -1.0), 1)
    theirs, _ = apply(optax.nadam(0.1), _sphere_grad, jnp.array([1.0, -1.0]), 1)
    mu1, mu2 = (0.9 * (1 - 0.5 * 0.96 ** (k * 0.004)) for k in (1, 2))
    step = 0.1 * (1 + mu2 * 0.1 / (1 - mu1 * mu2))  # (g and m1 = 0.1 g over |g|)
    np.testing.assert_allclose(ours[1, 0], 1 - step * 2 / (2 + 1e-8), rtol=1e-12)
    # optax: m_hat = 0.9 m1 / (1 - 0.9^2) + 0.1 g / (1 - 0.9), over |g| + eps
    optax_step = 0.1 * (0.9 * 0.1 / 0.19 + 0.1 / 0.1)
    np.testing.assert_allclose(theirs[1, 0], 1 - optax_step * 2 / (2 + 1e-8), rtol=1e-9)
    assert abs(theirs[1, 0] - ours[1, 0]) > 0.03


def test_optax_rprop_applies_each_step_one_call_late(x64):
    """optax.rprop returns the step it stored on the previous call: its first
    update is 0, where torch's moves lr against the gradient's sign."""
    ours, _ = apply(optimizers.rprop(lr=0.1), _sphere_grad, (1.0, -1.0), 2)
    theirs, _ = apply(optax.rprop(0.1), _sphere_grad, jnp.array([1.0, -1.0]), 2)
    np.testing.assert_allclose(ours[1:], [[0.9, -0.9], [0.78, -0.78]], rtol=1e-15)
    np.testing.assert_array_equal(theirs[1], [1.0, -1.0])
    np.testing.assert_allclose(theirs[2], [0.9, -0.9], rtol=1e-15)


# --- convergence, dtypes, jit -------------------------------------------------------


def _quadratic_grad(p):  # f = (x - 1)^2 + 2 (y + 0.5)^2, minimum at (1, -0.5)
    return jnp.array([2.0, 4.0], p.dtype) * (p - jnp.array([1.0, -0.5], p.dtype))


def final_point(opt, grad_fn, x0, steps: int) -> jax.Array:
    """Where `steps` updates end, as one compiled `lax.scan`."""

    def body(carry, _):
        p, state = carry
        updates, state = opt.update(grad_fn(p), state, p)
        return (p + updates, state), None

    def run(p):
        return jax.lax.scan(body, (p, opt.init(p)), length=steps)[0][0]

    return jax.jit(run)(jnp.asarray(x0, jnp.float64))


@each_row
def test_converges_to_the_minimum_of_a_quadratic(row, x64):
    """2000 steps from (-1, 1) without weight decay, which moves the minimum."""
    opt = build(row)
    if "weight_decay" in opt.hyperparams:
        opt = optimizers.rebuild(opt, {"weight_decay": 0.0})
    p = final_point(opt, _quadratic_grad, (-1.0, 1.0), 2000)
    np.testing.assert_allclose(p, [1.0, -0.5], atol=row.tol)


@pytest.mark.parametrize("row_id", ["sgd-all", "adam-all"])
def test_coupled_weight_decay_converges_to_the_penalized_minimum(row_id, x64):
    """f + (lambda / 2) |theta|^2 with lambda = 0.5: x* = 2 / 2.5, y* = -2 / 4.5."""
    p = final_point(build(ROWS[row_id]), _quadratic_grad, (-1.0, 1.0), 500)
    np.testing.assert_allclose(p, [0.8, -2 / 4.5], atol=1e-6)


SCALAR_STATE = {"mu_product", "eta", "mu"}  # one number per tensor in torch


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
@each_row
def test_state_structure_and_dtype_are_preserved(row, dtype, x64):
    opt = build(row)
    params = jnp.array([1.0, -1.0], dtype)
    state = opt.init(params)
    for _ in range(3):
        updates, new_state = opt.update(_sphere_grad(params), state, params)
        assert jax.tree.structure(new_state) == jax.tree.structure(state)
        assert updates.dtype == dtype and updates.shape == (2,)
        assert new_state.step.dtype == jnp.int32 and new_state.step.shape == ()
        for name, value in new_state._asdict().items():
            if name != "step" and value is not None:
                shape = () if name in SCALAR_STATE else (2,)
                assert value.dtype == dtype and value.shape == shape, name
        params, state = params + updates, new_state
    assert int(state.step) == 3


@each_row
def test_jit_and_eager_agree(row, x64):
    opt = build(row)
    eager, _ = apply(opt, _quadratic_grad, (-1.0, 1.0), 5)
    jitted, _ = apply(
        opt._replace(update=jax.jit(opt.update)), _quadratic_grad, (-1.0, 1.0), 5
    )
    np.testing.assert_allclose(jitted, eager, rtol=1e-13)


@each_row
def test_update_does_not_recompile_on_the_second_call(row):
    opt = build(row)
    update = jax.jit(opt.update)
    params = jnp.array([1.0, -1.0])
    new_grads, new_params = jnp.array([0.5, 0.25]), jnp.array([0.9, -0.8])
    _, state = update(_sphere_grad(params), opt.init(params), params)
    with count_compiles() as compiles:
        updates, _ = update(new_grads, state, new_params)
        jax.block_until_ready(updates)
    assert compiles == []


@each_row
def test_rebuild_under_jit_takes_traced_hyperparams_and_a_new_lr_reuses_it(row, x64):
    """As the dynamics does: the numbers are arguments, the flags are static."""
    opt = build(row)
    static = {k: v for k, v in opt.hyperparams.items() if isinstance(v, bool)}
    numbers = {k: v for k, v in opt.hyperparams.items() if k not in static}

    @jax.jit
    def three_steps(hyperparams, params):
        rebuilt = optimizers.rebuild(row.name, {**static, **hyperparams})
        state = rebuilt.init(params)
        for _ in range(3):
            updates, state = rebuilt.update(_quadratic_grad(params), state, params)
            params = params + updates
        return params

    p0 = jnp.array([-1.0, 1.0])
    np.testing.assert_allclose(
        three_steps(float64_tree(numbers), p0),
        apply(opt, _quadratic_grad, p0, 3)[0][-1],
        rtol=1e-13,
    )
    half = float64_tree({**numbers, "lr": build(row, 0.5).hyperparams["lr"]})
    with count_compiles() as compiles:
        moved = jax.block_until_ready(three_steps(half, p0))
    assert compiles == []
    np.testing.assert_allclose(
        moved, apply(build(row, 0.5), _quadratic_grad, p0, 3)[0][-1], rtol=1e-13
    )


# --- the registry ------------------------------------------------------------------


def test_names_are_sorted_registry_keys():
    assert optimizers.names("built-in") == (
        "adadelta",
        "adagrad",
        "adam",
        "adamax",
        "adamw",
        "asgd",
        "momentum",
        "nadam",
        "nesterov",
        "radam",
        "rmsprop",
        "rprop",
        "sgd",
    )
    for name in optimizers.names("built-in"):
        assert optimizers.get(name).name == name


@pytest.mark.parametrize("name", sorted(reference.TORCH_DEFAULTS))
def test_defaults_are_torchs_and_fill_every_hyperparameter(name):
    assert optimizers.defaults(name) == reference.TORCH_DEFAULTS[name]
    assert optimizers.get(name).hyperparams == reference.TORCH_DEFAULTS[name]
    assert optimizers.get(name, lr=0.5).hyperparams["lr"] == 0.5


def test_variants_are_sgd_with_other_defaults(x64):
    for variant, flags in [
        (optimizers.momentum, {}),
        (optimizers.nesterov, {"nesterov": True}),
    ]:
        parameters = inspect.signature(variant).parameters
        assert parameters["momentum"].default == 0.9
        assert parameters["nesterov"].default == bool(flags)
        assert parameters["nesterov"].kind is inspect.Parameter.KEYWORD_ONLY
        ours, _ = apply(variant(lr=0.1), _quadratic_grad, (-1.0, 1.0), 10)
        plain, _ = apply(
            optimizers.sgd(0.1, 0.9, **flags), _quadratic_grad, (-1.0, 1.0), 10
        )
        np.testing.assert_array_equal(ours, plain)
    assert optimizers.momentum.__doc__.startswith("Heavy-ball momentum")
    assert optimizers.nesterov(0.1, 0.5).hyperparams["momentum"] == 0.5


def test_rebuild_keeps_the_optimizers_hyperparams_and_replaces_some():
    opt = optimizers.adam(lr=0.1, amsgrad=True)
    rebuilt = optimizers.rebuild(opt, {"lr": 0.2})
    assert rebuilt.name == "adam"
    assert rebuilt.hyperparams == {**opt.hyperparams, "lr": 0.2}
    # no validation: a traced value could not be checked, so nothing is
    assert optimizers.rebuild("adam", {"lr": -1.0}).hyperparams["lr"] == -1.0


def test_learning_rate_of_a_number_and_of_a_schedule():
    assert float(optimizers.learning_rate(0.25, 7)) == 0.25
    decay = schedules.step_decay(1.0, step_size=2, gamma=0.5)
    assert [float(optimizers.learning_rate(decay, t)) for t in range(5)] == [
        1.0,
        1.0,
        0.5,
        0.5,
        0.25,
    ]


ALLOWED = (
    "adadelta, adagrad, adam, adamax, adamw, asgd, momentum, nadam, nesterov, radam, "
    "rmsprop, rprop, sgd"
)
ERRORS = [
    (
        lambda: optimizers.get("adma"),
        ValueError,
        f"`optimizers.get`: unknown optimizer 'adma', expected one of {ALLOWED}; "
        "did you mean 'adam'?",
    ),
    (
        lambda: optimizers.get("lbfgs"),
        ValueError,
        f"`optimizers.get`: unknown optimizer 'lbfgs', expected one of {ALLOWED}",
    ),
    (
        lambda: optimizers.get("adam", beta1=0.9),
        ValueError,
        "`adam`: unknown hyperparameter 'beta1', expected one of amsgrad, betas, "
        "decoupled_weight_decay, eps, lr, weight_decay; did you mean 'betas'?",
    ),
    (
        lambda: optimizers.get("sgd", lr=-0.1),
        ValueError,
        "`sgd`: lr must be >= 0, got -0.1",
    ),
    (
        lambda: optimizers.get("adam", betas=(0.9, 1.2)),
        ValueError,
        "`adam`: betas[1] must be in [0, 1), got 1.2",
    ),
    (
        lambda: optimizers.adamw(betas=[-0.1, 0.999]),
        ValueError,
        "`adamw`: betas[0] must be in [0, 1), got -0.1",
    ),
    (
        lambda: optimizers.get("adam", eps=-1e-8),
        ValueError,
        "`adam`: eps must be >= 0, got -1e-08",
    ),
    (
        lambda: optimizers.get("momentum", momentum=-0.5),
        ValueError,
        "`momentum`: momentum must be >= 0, got -0.5",
    ),
    (
        lambda: optimizers.get("nesterov", momentum=0.0),
        ValueError,
        "`nesterov`: nesterov=True requires momentum > 0 and dampening == 0, "
        "got momentum=0.0, dampening=0.0",
    ),
    (
        lambda: optimizers.sgd(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
        ValueError,
        "`sgd`: nesterov=True requires momentum > 0 and dampening == 0, "
        "got momentum=0.9, dampening=0.1",
    ),
    (
        lambda: optimizers.get("rmsprop", alpha=-0.5),
        ValueError,
        "`rmsprop`: alpha must be >= 0, got -0.5",
    ),
    (
        lambda: optimizers.get("adadelta", rho=-0.1),
        ValueError,
        "`adadelta`: rho must be in [0, 1], got -0.1",
    ),
    (
        lambda: optimizers.get(
            "adagrad", lr_decay=-1.0, initial_accumulator_value=-0.1
        ),
        ValueError,
        "`adagrad`: lr_decay must be >= 0, got -1.0; "
        "initial_accumulator_value must be >= 0, got -0.1",
    ),
    (
        lambda: optimizers.get("adam", lr=float("nan")),
        ValueError,
        "`adam`: lr must be finite, got nan",
    ),
    (
        lambda: optimizers.get("adamw", weight_decay=float("inf")),
        ValueError,
        "`adamw`: weight_decay must be finite, got inf",
    ),
    (
        lambda: optimizers.get("adam", lr="0.1"),
        TypeError,
        "`adam`: lr must be a number or a schedule from optimotion.optimizers."
        "schedules, got '0.1' of type <class 'str'>",
    ),
    (
        lambda: optimizers.get("sgd", lr=True),
        TypeError,
        "`sgd`: lr must be a number or a schedule from optimotion.optimizers."
        "schedules, got True of type <class 'bool'>",
    ),
    (
        lambda: optimizers.get("adam", amsgrad=1),
        TypeError,
        "`adam`: amsgrad must be a bool, got 1 of type <class 'int'>",
    ),
    (
        lambda: optimizers.get("adam", betas=0.9),
        TypeError,
        "`adam`: betas must be a pair of numbers, got 0.9 of type <class 'float'>",
    ),
    (
        lambda: optimizers.get("sgd", momentum="high"),
        TypeError,
        "`sgd`: momentum must be a number, got 'high' of type <class 'str'>",
    ),
    (
        lambda: optimizers.rebuild("adma", {}),
        ValueError,
        f"`optimizers.rebuild`: unknown optimizer 'adma', expected one of {ALLOWED}; "
        "did you mean 'adam'?",
    ),
    (
        lambda: optimizers.rebuild(optimizers.adam(), {"beta2": 0.9}),
        ValueError,
        "`adam`: unknown hyperparameter 'beta2', expected one of amsgrad, betas, "
        "decoupled_weight_decay, eps, lr, weight_decay; did you mean 'betas'?",
    ),
    (
        lambda: optimizers.defaults("SGD"),
        ValueError,
        f"`optimizers.defaults`: unknown optimizer 'SGD', expected one of {ALLOWED}; "
        "did you mean 'sgd'?",
    ),
]


@pytest.mark.parametrize("call, error, message", ERRORS)
def test_error_messages(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


# --- accepted ranges: exactly torch's checks (issue 11) ------------------------------

# (optimizer, hyperparameter, accepted boundary values, refused values), each from
# torch.optim's own check, quoted. Non-finite numbers are refused everywhere, where
# torch lets some through (`lr < 0.0` is False for nan): a NaN setting is a typo,
# not a path to draw.
BOUNDARIES = [
    # SGD: `if lr < 0.0: raise ValueError(f"Invalid learning rate: {lr}")`
    ("sgd", "lr", [0.0], [-1e-12]),
    # SGD: `if momentum < 0.0`; `if weight_decay < 0.0`
    ("sgd", "momentum", [0.0], [-1e-12]),
    ("sgd", "weight_decay", [0.0], [-1e-12]),
    # SGD checks no dampening
    ("sgd", "dampening", [-1.0, 2.0], []),
    # Adam, AdamW, Adamax, NAdam, RAdam: `if not 0.0 <= eps`,
    # `if not 0.0 <= betas[i] < 1.0`, `if not 0.0 <= weight_decay`
    *(
        row
        for name in ("adam", "adamw", "adamax", "nadam", "radam")
        for row in [
            (name, "eps", [0.0], [-1e-12]),
            (name, "betas", [(0.0, 0.0), (0.999999, 0.5)], [(1.0, 0.9), (0.9, -0.1)]),
            (name, "weight_decay", [0.0], [-1e-12]),
        ]
    ),
    # NAdam: `if not 0.0 <= momentum_decay`
    ("nadam", "momentum_decay", [0.0], [-1e-12]),
    # Adagrad: `if not 0.0 <= lr_decay`, `weight_decay`,
    # `initial_accumulator_value`, `eps` (eps = 0 gives 0/0 = NaN: data)
    ("adagrad", "eps", [0.0], [-1e-12]),
    ("adagrad", "lr_decay", [0.0], [-1e-12]),
    ("adagrad", "initial_accumulator_value", [0.0], [-1e-12]),
    # RMSprop: `if not 0.0 <= alpha` (no upper bound), `eps`, `momentum`
    ("rmsprop", "alpha", [0.0, 1.0, 1.5], [-1e-12]),
    ("rmsprop", "eps", [0.0], [-1e-12]),
    ("rmsprop", "momentum", [0.0], [-1e-12]),
    # Adadelta: `if not 0.0 <= rho <= 1.0`, `if not 0.0 <= eps`
    ("adadelta", "rho", [0.0, 1.0], [-1e-12, 1.000001]),
    ("adadelta", "eps", [0.0], [-1e-12]),
    # Rprop: `if not 0.0 < etas[0] < 1.0 < etas[1]`; step_sizes unchecked
    ("rprop", "etas", [(1e-9, 1.000001)], [(0.0, 1.2), (0.5, 1.0), (1.0, 1.2)]),
    ("rprop", "step_sizes", [(0.0, 0.0), (5.0, 1.0), (-1.0, 1.0)], []),
    # ASGD: `if not 0.0 <= lr`, `if not 0.0 <= weight_decay`; nothing else
    ("asgd", "weight_decay", [0.0], [-1e-12]),
    ("asgd", "lambd", [-1.0, 0.0], []),
    ("asgd", "alpha", [-1.0, 0.0], []),
    ("asgd", "t0", [-5.0, 0.0], []),
    *(
        (name, "lr", [0.0], [-1e-12, math.inf, math.nan])
        for name in sorted(reference.TORCH_DEFAULTS)
    ),
]


@pytest.mark.parametrize(
    "name, field, accepted, refused", BOUNDARIES, ids=lambda v: str(v)
)
def test_accepts_exactly_what_torch_accepts(name, field, accepted, refused):
    for value in accepted:
        assert optimizers.get(name, **{field: value}).hyperparams[field] == value
    for value in refused:
        with pytest.raises(ValueError, match=f"`{name}`: {re.escape(field)}"):
            optimizers.get(name, **{field: value})


def test_adagrad_with_eps_zero_makes_nan_data_not_an_error(x64):
    """torch accepts eps = 0; a coordinate whose gradients are all 0 then divides
    0 by 0. Here that is a NaN in the update, not an exception."""
    opt = optimizers.adagrad(lr=0.1, eps=0.0)
    updates, _ = opt.update(jnp.array([1.0, 0.0]), opt.init(jnp.zeros(2)), jnp.zeros(2))
    assert updates[0] == -0.1 and math.isnan(updates[1])


def test_adamw_is_adam_with_decoupled_weight_decay(x64):
    parameters = inspect.signature(optimizers.adamw).parameters
    assert parameters["weight_decay"].default == 1e-2
    assert parameters["decoupled_weight_decay"].default is True
    assert optimizers.adamw.__doc__.startswith("AdamW, as `torch.optim.AdamW`")
    ours, _ = apply(optimizers.adamw(lr=0.1), _quadratic_grad, (-1.0, 1.0), 10)
    plain, _ = apply(
        optimizers.adam(lr=0.1, weight_decay=1e-2, decoupled_weight_decay=True),
        _quadratic_grad,
        (-1.0, 1.0),
        10,
    )
    np.testing.assert_array_equal(ours, plain)
