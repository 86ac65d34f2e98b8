"""Adadelta: steps in the units of the parameters, from two running averages."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class AdadeltaState(NamedTuple):
    """The state of `adadelta`."""

    step: jax.Array  # shape (), int32: updates taken
    square_avg: jax.Array  # v_t, running average of squared gradients
    acc_delta: jax.Array  # u_t, running average of squared steps


def _transform(lr, rho, eps, weight_decay):
    def init(params: jax.typing.ArrayLike) -> AdadeltaState:
        zeros = jnp.zeros_like(jnp.asarray(params))
        return AdadeltaState(jnp.zeros((), jnp.int32), zeros, zeros)

    def update(
        grads: jax.Array, state: AdadeltaState, params: jax.Array
    ) -> tuple[jax.Array, AdadeltaState]:
        lr_t, rho_, eps_, wd = cast(
            grads.dtype, learning_rate(lr, state.step), rho, eps, weight_decay
        )
        g = grads + wd * params
        v = rho_ * state.square_avg + (1 - rho_) * g * g
        delta = jnp.sqrt(state.acc_delta + eps_) / jnp.sqrt(v + eps_) * g
        u = rho_ * state.acc_delta + (1 - rho_) * delta * delta
        return -lr_t * delta, AdadeltaState(state.step + 1, v, u)

    return init, update


def _check(name, lr, rho, eps, weight_decay) -> None:
    check = Check(name)
    check_learning_rate(check, lr)
    check.within("rho", rho, 0, 1, open_high=False)
    check.at_least("eps", eps)
    check.at_least("weight_decay", weight_decay)
    check.done()


def _adadelta(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    return build(name, _transform, hyperparams)


def adadelta(
    lr: float | Schedule = 1.0,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Adadelta, as `torch.optim.Adadelta`.

    Let :math:`\gamma` be `lr`, :math:`\rho` `rho`, :math:`\epsilon` `eps` and
    :math:`\lambda` `weight_decay`. Updates are counted by :math:`t = 1, 2, \dots`,
    and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule; both averages start
    at 0:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &\leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}
            \, g_t \\
        u_t &\leftarrow \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t \Delta_t
        \end{align*}

    The state is `AdadeltaState(step=t, square_avg=v_t, acc_delta=u_t)`. Both
    :math:`\epsilon` sit inside the roots, as in the paper and torch; the first
    steps are tiny (about :math:`\sqrt{\epsilon / (1 - \rho)}` = 0.003 per
    coordinate with the defaults) and grow as :math:`u_t` accumulates.

    .. note::
        `optax.adadelta(learning_rate, rho, eps, weight_decay)` is the same update
        (weight decay added to the gradient first); only its `learning_rate` has no
        default, where torch's is 1.0.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        rho: the decay rate :math:`\rho` of both averages, in [0, 1].
        eps: :math:`\epsilon`, inside both roots, >= 0.
        weight_decay: the L2 penalty :math:`\lambda`, >= 0.

    Returns:
        An `Optimizer` named "adadelta".

    Raises:
        ValueError: if `lr` or `weight_decay` is negative, `rho` is outside [0, 1],
            `eps` < 0, or a number is not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.adadelta(eps=1e-2, rho=0.75)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> # x: 0.1 / sqrt(0.25 * 2^2 + 0.01) * 2 = 0.19901, y: 0.1 / sqrt(4.01) * 4
        >>> [round(v, 4) for v in updates.tolist()]
        [-0.199, 0.1998]

    References:
        Zeiler, `ADADELTA: An Adaptive Learning Rate Method
        <https://arxiv.org/abs/1212.5701>`_, 2012; `torch.optim.Adadelta
        <https://pytorch.org/docs/stable/generated/torch.optim.Adadelta.html>`_
    """
    return _adadelta(
        "adadelta", dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
    )
