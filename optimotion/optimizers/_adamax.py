"""Adamax: Adam with the infinity norm of past gradients in place of the RMS."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._adam import check_betas
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class AdamaxState(NamedTuple):
    """The state of `adamax`."""

    step: jax.Array  # shape (), int32: updates taken
    exp_avg: jax.Array  # m_t
    exp_inf: jax.Array  # u_t, the decayed maximum of |g| + eps


def _transform(lr, betas, eps, weight_decay):
    def init(params: jax.typing.ArrayLike) -> AdamaxState:
        zeros = jnp.zeros_like(jnp.asarray(params))
        return AdamaxState(jnp.zeros((), jnp.int32), zeros, zeros)

    def update(
        grads: jax.Array, state: AdamaxState, params: jax.Array
    ) -> tuple[jax.Array, AdamaxState]:
        beta1, beta2 = betas
        lr_t, b1, b2, eps_, wd = cast(
            grads.dtype, learning_rate(lr, state.step), beta1, beta2, eps, weight_decay
        )
        t = (state.step + 1).astype(grads.dtype)
        g = grads + wd * params
        m = state.exp_avg + (1 - b1) * (g - state.exp_avg)  # as torch.lerp
        u = jnp.maximum(b2 * state.exp_inf, jnp.abs(g) + eps_)
        clr = lr_t / (1 - b1**t)
        return -clr * (m / u), AdamaxState(state.step + 1, m, u)

    return init, update


def _check(name, lr, betas, eps, weight_decay) -> None:
    # torch: `if not 0.0 <= lr`, `if not 0.0 <= eps`, `if not 0.0 <= betas[i] <
    # 1.0`, `if not 0.0 <= weight_decay`: raise ValueError(...)
    check = Check(name)
    check_learning_rate(check, lr)
    check_betas(check, betas)
    check.at_least("eps", eps)
    check.at_least("weight_decay", weight_decay)
    check.done()


def _adamax(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    hyperparams = {**hyperparams, "betas": tuple(hyperparams["betas"])}
    return build(name, _transform, hyperparams)


def adamax(
    lr: float | Schedule = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Adamax, as `torch.optim.Adamax`: Adam with an infinity norm.

    Let :math:`\gamma` be `lr`, :math:`\beta_1, \beta_2` `betas`, :math:`\epsilon`
    `eps` and :math:`\lambda` `weight_decay`. Updates are counted by :math:`t = 1,
    2, \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule; both
    states start at 0:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        u_t &\leftarrow \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma_t}{1 - \beta_1^t}
            \frac{m_t}{u_t}
        \end{align*}

    The state is `AdamaxState(step=t, exp_avg=m_t, exp_inf=u_t)`. :math:`\epsilon`
    sits inside the maximum, as in torch, so the first step is :math:`\gamma g_1 /
    (|g_1| + \epsilon)`: `lr` along each coordinate's sign.

    .. note::
        `optax.adamax(lr, b1, b2, eps)` is the same update (:math:`\epsilon` inside
        the maximum too); it has no `weight_decay`.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        betas: :math:`(\beta_1, \beta_2)`, the decay rates of the mean and of the
            norm, each in [0, 1).
        eps: :math:`\epsilon`, added to :math:`|g_t|` in the maximum, >= 0.
        weight_decay: the L2 penalty :math:`\lambda` added to the gradient, >= 0.

    Returns:
        An `Optimizer` named "adamax".

    Raises:
        ValueError: if `lr`, `eps` or `weight_decay` is negative, a beta is
            outside [0, 1), or a number is not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.adamax(lr=0.5)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 6) for v in (params + updates).tolist()]  # lr each way
        [0.5, -1.5]

    References:
        Kingma and Ba, `Adam: A Method for Stochastic Optimization
        <https://arxiv.org/abs/1412.6980>`_, 2015, section 7.1; `torch.optim.Adamax
        <https://pytorch.org/docs/stable/generated/torch.optim.Adamax.html>`_
    """
    return _adamax(
        "adamax", dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    )
