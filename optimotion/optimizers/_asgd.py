"""ASGD: SGD with a decaying step and a running (Polyak-Ruppert) average."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class ASGDState(NamedTuple):
    """The state of `asgd`."""

    step: jax.Array  # shape (), int32: updates taken
    eta: jax.Array  # shape (): the step size of the next update
    mu: jax.Array  # shape (): the averaging weight of the next update
    ax: jax.Array  # the averaged parameters


def _transform(lr, lambd, alpha, t0, weight_decay):
    def init(params: jax.typing.ArrayLike) -> ASGDState:
        params = jnp.asarray(params)
        eta = jnp.asarray(learning_rate(lr, jnp.zeros((), jnp.int32)), params.dtype)
        return ASGDState(
            jnp.zeros((), jnp.int32),
            eta,
            jnp.ones((), params.dtype),
            jnp.zeros_like(params),
        )

    def update(
        grads: jax.Array, state: ASGDState, params: jax.Array
    ) -> tuple[jax.Array, ASGDState]:
        lr_t, lambd_, alpha_, t0_, wd = cast(
            grads.dtype, learning_rate(lr, state.step), lambd, alpha, t0, weight_decay
        )
        t = (state.step + 1).astype(grads.dtype)
        g = grads + wd * params
        eta, mu = state.eta, state.mu
        updates = -(lambd_ * eta) * params - eta * g
        new = params + updates
        ax = jnp.where(mu == 1, new, state.ax + (new - state.ax) * mu)
        eta_next = lr_t / (1 + lambd_ * lr_t * t) ** alpha_
        mu_next = 1 / jnp.maximum(1, t - t0_)
        return updates, ASGDState(state.step + 1, eta_next, mu_next, ax)

    return init, update


def _check(name, lr, lambd, alpha, t0, weight_decay) -> None:
    # torch: `if not 0.0 <= lr` and `if not 0.0 <= weight_decay`: raise
    # ValueError(...); it checks nothing else.
    check = Check(name)
    check_learning_rate(check, lr)
    check.number("lambd", lambd)
    check.number("alpha", alpha)
    check.number("t0", t0)
    check.at_least("weight_decay", weight_decay)
    check.done()


def _asgd(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    return build(name, _transform, hyperparams)


def asgd(
    lr: float | Schedule = 1e-2,
    lambd: float = 1e-4,
    alpha: float = 0.75,
    t0: float = 1e6,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Averaged SGD, as `torch.optim.ASGD`.

    Let :math:`\gamma` be `lr`, :math:`\lambda` `lambd`, :math:`\alpha` `alpha`,
    :math:`t_0` `t0` and :math:`w` `weight_decay`. Updates are counted by :math:`t
    = 1, 2, \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule;
    :math:`\eta_1 = \gamma_1`, :math:`\mu_1 = 1` and :math:`\bar\theta_0 = 0`:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + w \theta_{t-1} \\
        \theta_t &\leftarrow \theta_{t-1} (1 - \lambda \eta_t) - \eta_t g_t \\
        \bar\theta_t &\leftarrow \begin{cases}
            \theta_t & \mu_t = 1 \\
            \bar\theta_{t-1} + \mu_t (\theta_t - \bar\theta_{t-1}) & \text{otherwise}
        \end{cases} \\
        \eta_{t+1} &\leftarrow \gamma_t / (1 + \lambda \gamma_t t)^\alpha, \quad
        \mu_{t+1} \leftarrow 1 / \max(1, t - t_0)
        \end{align*}

    The state is `ASGDState(step=t, eta=eta_{t+1}, mu=mu_{t+1}, ax=theta_bar_t)`;
    `eta` and `mu` are scalars, as in torch. The path drawn is :math:`\theta_t`;
    the average :math:`\bar\theta_t` starts moving away from it only after
    :math:`t_0` steps (a million by default).

    .. note::
        This is torch's single-tensor (CPU) code and documented form. Its
        multi-tensor (`foreach`) code computes :math:`\eta_{t+1} = \gamma / (1 +
        \lambda \gamma t^\alpha)` instead. `optax` has no ASGD.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        lambd: the decay term :math:`\lambda`.
        alpha: the power :math:`\alpha` of the step-size decay.
        t0: the step :math:`t_0` at which averaging starts.
        weight_decay: the L2 penalty :math:`w`, >= 0.

    Returns:
        An `Optimizer` named "asgd".

    Raises:
        ValueError: if `lr` or `weight_decay` is negative, or a number is not
            finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.asgd(lr=0.25, lambd=0.0)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> (params + updates).tolist(), state.ax.tolist()
        ([0.5, -1.0], [0.5, -1.0])

    References:
        Polyak and Juditsky, `Acceleration of Stochastic Approximation by Averaging
        <https://doi.org/10.1137/0330046>`_, 1992; `torch.optim.ASGD
        <https://pytorch.org/docs/stable/generated/torch.optim.ASGD.html>`_
    """
    return _asgd(
        "asgd",
        dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay),
    )
