"""An independent NumPy reference for `optimotion.optimizers`, for the tests.

Written from the algorithms documented on pytorch.org (the pseudo-code boxes of
the `torch.optim.SGD`, `Adagrad`, `RMSprop`, `Adam`, `AdamW`, `Adadelta`,
`Adamax`, `NAdam`, `RAdam`, `Rprop` and `ASGD` pages,
and the step-by-step ("chainable") forms of `torch.optim.lr_scheduler`), in the
shape of torch's own loop: a dict of state per parameter, created on the first
step, mutated one step at a time, Python floats for every scalar. It shares no
code with the library: not its defaults, not its schedules, not its formulas'
arrangement (bias corrections divide the moments here, as in the pseudo-code).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

TORCH_DEFAULTS = {
    "sgd": dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False),
    "momentum": dict(
        lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False
    ),
    "nesterov": dict(
        lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=True
    ),
    "adagrad": dict(
        lr=1e-2,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
    ),
    "rmsprop": dict(
        lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False
    ),
    "adam": dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        decoupled_weight_decay=False,
    ),
    "adamw": dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        decoupled_weight_decay=True,
    ),
    "adadelta": dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0),
    "adamax": dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    "nadam": dict(
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
    ),
    "radam": dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        decoupled_weight_decay=False,
    ),
    "rprop": dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)),
    "asgd": dict(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0),
}
"""torch 2.x's defaults, copied from the torch.optim pages."""


# --- optimizers: one step each, `state` is torch's per-parameter dict -------------


def sgd_step(p, g, state, lr, momentum, dampening, weight_decay, nesterov):
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        if "momentum_buffer" not in state:
            b = g.copy()
        else:
            b = momentum * state["momentum_buffer"] + (1 - dampening) * g
        state["momentum_buffer"] = b
        g = g + momentum * b if nesterov else b
    return p - lr * g


def adagrad_step(
    p, g, state, lr, lr_decay, weight_decay, initial_accumulator_value, eps
):
    t = state["step"]
    if "sum" not in state:
        state["sum"] = np.full_like(p, initial_accumulator_value)
    clr = lr / (1 + (t - 1) * lr_decay)
    if weight_decay != 0:
        g = g + weight_decay * p
    state["sum"] = state["sum"] + g**2
    return p - clr * g / (np.sqrt(state["sum"]) + eps)


def rmsprop_step(p, g, state, lr, alpha, eps, weight_decay, momentum, centered):
    if weight_decay != 0:
        g = g + weight_decay * p
    v = alpha * state.get("square_avg", 0.0) + (1 - alpha) * g**2
    state["square_avg"] = v
    v_tilde = v
    if centered:
        g_ave = state.get("grad_avg", 0.0) * alpha + (1 - alpha) * g
        state["grad_avg"] = g_ave
        v_tilde = v - g_ave**2
    if momentum > 0:
        b = momentum * state.get("momentum_buffer", 0.0) + g / (np.sqrt(v_tilde) + eps)
        state["momentum_buffer"] = b
        return p - lr * b
    return p - lr * g / (np.sqrt(v_tilde) + eps)


def _adam_step(p, g, state, lr, betas, eps, weight_decay, amsgrad, decoupled):
    t = state["step"]
    beta1, beta2 = betas
    if decoupled:
        p = p - lr * weight_decay * p
    elif weight_decay != 0:
        g = g + weight_decay * p
    m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * g
    v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * g**2
    state["exp_avg"], state["exp_avg_sq"] = m, v
    m_hat = m / (1 - beta1**t)
    if amsgrad:
        state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", 0.0), v)
        v_hat = state["max_exp_avg_sq"] / (1 - beta2**t)
    else:
        v_hat = v / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def adam_step(
    p, g, state, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay
):
    return _adam_step(
        p, g, state, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay
    )


def adamax_step(p, g, state, lr, betas, eps, weight_decay):
    t = state["step"]
    beta1, beta2 = betas
    if weight_decay != 0:
        g = g + weight_decay * p
    m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * g
    u = np.maximum(beta2 * state.get("exp_inf", 0.0), np.abs(g) + eps)
    state["exp_avg"], state["exp_inf"] = m, u
    return p - lr / (1 - beta1**t) * m / u


def nadam_step(
    p, g, state, lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay
):
    """The NAdam box: mu_t from Dozat's schedule, the product of the mu_i kept."""
    t = state["step"]
    beta1, beta2 = betas
    if weight_decay != 0:
        if decoupled_weight_decay:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    product = state.get("mu_product", 1.0) * mu_t
    state["mu_product"] = product
    m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * g
    v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * g**2
    state["exp_avg"], state["exp_avg_sq"] = m, v
    m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
    v_hat = v / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def radam_step(p, g, state, lr, betas, eps, weight_decay, decoupled_weight_decay):
    t = state["step"]
    beta1, beta2 = betas
    if weight_decay != 0:
        if decoupled_weight_decay:
            p = p - lr * weight_decay * p
        else:
            g = g + weight_decay * p
    m = beta1 * state.get("exp_avg", 0.0) + (1 - beta1) * g
    v = beta2 * state.get("exp_avg_sq", 0.0) + (1 - beta2) * g**2
    state["exp_avg"], state["exp_avg_sq"] = m, v
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > 5:
        l_t = math.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
        r_t = math.sqrt(
            (rho_t - 4)
            * (rho_t - 2)
            * rho_inf
            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        )
        return p - lr * m_hat * r_t * l_t
    return p - lr * m_hat


def rprop_step(p, g, state, lr, etas, step_sizes):
    """The Rprop box, with the step size clipped on every step as torch's code
    does (the box clips only on a sign change; they differ only if lr is outside
    step_sizes)."""
    eta_minus, eta_plus = etas
    low, high = step_sizes
    prev = state.get("prev", np.zeros_like(p))
    size = np.array(state.get("step_size", np.full_like(p, lr)), dtype=np.float64)
    g = np.array(g, dtype=np.float64)
    for i in range(len(p)):
        if g[i] * prev[i] > 0:
            size[i] = min(size[i] * eta_plus, high)
        elif g[i] * prev[i] < 0:
            size[i] = max(size[i] * eta_minus, low)
            g[i] = 0.0
        else:
            size[i] = min(max(size[i], low), high)
    state["prev"], state["step_size"] = g, size.copy()
    return p - size * np.sign(g)


def asgd_step(p, g, state, lr, lambd, alpha, t0, weight_decay):
    t = state["step"]
    eta = state.get("eta", lr)
    mu = state.get("mu", 1.0)
    if weight_decay != 0:
        g = g + weight_decay * p
    p = p * (1 - lambd * eta) - eta * g
    ax = state.get("ax", np.zeros_like(p))
    state["ax"] = p.copy() if mu == 1 else ax + mu * (p - ax)
    state["eta"] = lr / (1 + lambd * lr * t) ** alpha
    state["mu"] = 1 / max(1, t - t0)
    return p


def adadelta_step(p, g, state, lr, rho, eps, weight_decay):
    if weight_decay != 0:
        g = g + weight_decay * p
    v = rho * state.get("square_avg", 0.0) + (1 - rho) * g**2
    u = state.get("acc_delta", np.zeros_like(p))
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    state["square_avg"] = v
    state["acc_delta"] = rho * u + (1 - rho) * delta**2
    return p - lr * delta


STEPS = {
    "sgd": sgd_step,
    "momentum": sgd_step,
    "nesterov": sgd_step,
    "adagrad": adagrad_step,
    "rmsprop": rmsprop_step,
    "adam": adam_step,
    "adamw": adam_step,
    "adadelta": adadelta_step,
    "adamax": adamax_step,
    "nadam": nadam_step,
    "radam": radam_step,
    "rprop": rprop_step,
    "asgd": asgd_step,
}


# --- schedules: torch's lr_scheduler, stepped once per optimizer step -------------


def lr_sequence(spec: tuple[str, dict], steps: int) -> list[float]:
    """The lr of each of `steps` updates for a schedule `(name, params)`, computed
    as torch's schedulers do when stepped without an epoch: recursively."""
    name, kw = spec
    lrs: list[float] = []
    if name == "constant":
        return [kw["lr"]] * steps
    if name == "step_decay":  # StepLR.get_lr
        lr = kw["lr"]
        for t in range(steps):
            if t != 0 and t % kw["step_size"] == 0:
                lr = lr * kw.get("gamma", 0.1)
            lrs.append(lr)
    elif name == "exponential":  # ExponentialLR.get_lr
        lr = kw["lr"]
        for t in range(steps):
            lr = lr if t == 0 else lr * kw["gamma"]
            lrs.append(lr)
    elif name == "inverse_time":  # LambdaLR with lambda t: 1 / (1 + decay t)
        lrs = [kw["lr"] * (1 / (1 + kw["decay"] * t)) for t in range(steps)]
    elif name == "cosine":  # CosineAnnealingLR.get_lr (the recursive form)
        base, t_max, eta_min = kw["lr"], kw["t_max"], kw.get("eta_min", 0.0)
        lr = base
        for t in range(steps):
            if t == 0:
                lr = base
            elif (t - 1 - t_max) % (2 * t_max) == 0:
                lr = lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
            else:
                lr = (1 + math.cos(math.pi * t / t_max)) / (
                    1 + math.cos(math.pi * (t - 1) / t_max)
                ) * (lr - eta_min) + eta_min
            lrs.append(lr)
    elif name == "cyclic":  # CyclicLR.get_lr, mode "triangular"
        up = float(kw.get("step_size_up", 2000))
        down = float(kw.get("step_size_down") or up)
        total, ratio = up + down, up / (up + down)
        for t in range(steps):
            cycle = math.floor(1 + t / total)
            x = 1.0 + t / total - cycle
            scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
            lrs.append(kw["base_lr"] + (kw["max_lr"] - kw["base_lr"]) * scale)
    elif name == "cosine_warm_restarts":  # CosineAnnealingWarmRestarts.step()
        base, eta_min = kw["lr"], kw.get("eta_min", 0.0)
        t_cur, t_i = 0, kw["t_0"]
        for t in range(steps):
            if t > 0:
                t_cur += 1
                if t_cur >= t_i:
                    t_cur -= t_i
                    t_i *= kw.get("t_mult", 1)
            lrs.append(
                eta_min + (base - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2
            )
    else:
        raise ValueError(name)
    return lrs


# --- a run --------------------------------------------------------------------------


def learning_rates(lr: float | tuple[str, dict], steps: int) -> list[float]:
    """The lr of each update: a number, or a schedule spec `(name, params)`."""
    return lr_sequence(lr, steps) if isinstance(lr, tuple) else [lr] * steps


def one_step(name: str, hyperparams: dict, p, g, state: dict, lr: float):
    """One update of optimizer `name` with learning rate `lr`; mutates `state`, which
    holds `step` (the count after this update) and torch's tensors."""
    hp = {**TORCH_DEFAULTS[name], **hyperparams}
    del hp["lr"]
    return STEPS[name](np.asarray(p), np.asarray(g), state, lr, **hp)


def run(
    name: str,
    hyperparams: dict,
    grad: Callable[[np.ndarray], np.ndarray],
    x0,
    steps: int,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """`steps` updates of optimizer `name` from `x0`.

    `hyperparams["lr"]` is a number or a schedule spec `(name, params)`.

    Returns:
        `(xy, state)`: positions, shape (steps + 1, 2), and the state torch keeps
        after each step, `{name: (steps, 2)}`.
    """
    lrs = learning_rates(hyperparams["lr"], steps)
    p = np.asarray(x0, dtype=np.float64)
    state: dict = {"step": 0}
    xy, states = [p], []
    for t in range(steps):
        state["step"] += 1
        p = one_step(name, hyperparams, p, grad(p), state, lrs[t])
        xy.append(p)
        states.append(
            {k: np.broadcast_to(v, (2,)) for k, v in state.items() if k != "step"}
        )
    return np.array(xy), {k: np.array([s[k] for s in states]) for k in states[-1]}
