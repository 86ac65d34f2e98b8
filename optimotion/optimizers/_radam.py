"""RAdam: Adam whose adaptive step is switched on once its variance is tractable."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._adam import check_betas
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class RAdamState(NamedTuple):
    """The state of `radam`."""

    step: jax.Array  # shape (), int32: updates taken
    exp_avg: jax.Array  # m_t
    exp_avg_sq: jax.Array  # v_t


def _transform(lr, betas, eps, weight_decay, decoupled_weight_decay):
    def init(params: jax.typing.ArrayLike) -> RAdamState:
        zeros = jnp.zeros_like(jnp.asarray(params))
        return RAdamState(jnp.zeros((), jnp.int32), zeros, zeros)

    def update(
        grads: jax.Array, state: RAdamState, params: jax.Array
    ) -> tuple[jax.Array, RAdamState]:
        beta1, beta2 = betas
        lr_t, b1, b2, eps_, wd = cast(
            grads.dtype, learning_rate(lr, state.step), beta1, beta2, eps, weight_decay
        )
        t = (state.step + 1).astype(grads.dtype)
        g = grads if decoupled_weight_decay else grads + wd * params
        m = state.exp_avg + (1 - b1) * (g - state.exp_avg)  # as torch.lerp
        v = b2 * state.exp_avg_sq + (1 - b2) * g * g
        bias_correction2 = 1 - b2**t
        m_hat = m / (1 - b1**t)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / bias_correction2
        rectified = rho_t > 5
        rho = jnp.where(rectified, rho_t, 6.0)  # keeps the unused branch finite
        r = jnp.sqrt(
            (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
        )
        adaptive = jnp.sqrt(bias_correction2) / (jnp.sqrt(v) + eps_)
        updates = jnp.where(rectified, -(m_hat * lr_t * adaptive * r), -(m_hat * lr_t))
        if decoupled_weight_decay:
            updates = updates - lr_t * wd * params
        return updates, RAdamState(state.step + 1, m, v)

    return init, update


def _check(name, lr, betas, eps, weight_decay, decoupled_weight_decay) -> None:
    # torch: `if not 0.0 <= lr`, `eps`, `weight_decay` and `if not 0.0 <= betas[i]
    # < 1.0`: raise ValueError(...)
    check = Check(name)
    check_learning_rate(check, lr)
    check_betas(check, betas)
    check.at_least("eps", eps)
    check.at_least("weight_decay", weight_decay)
    check.flag("decoupled_weight_decay", decoupled_weight_decay)
    check.done()


def _radam(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    hyperparams = {**hyperparams, "betas": tuple(hyperparams["betas"])}
    return build(name, _transform, hyperparams)


def radam(
    lr: float | Schedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    *,
    decoupled_weight_decay: bool = False,
) -> Optimizer:
    r"""RAdam, as `torch.optim.RAdam`: rectified Adam.

    Let :math:`\gamma` be `lr`, :math:`\beta_1, \beta_2` `betas`, :math:`\epsilon`
    `eps` and :math:`\lambda` `weight_decay`. Updates are counted by :math:`t = 1,
    2, \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule; the
    moments start at 0 and :math:`\rho_\infty = 2 / (1 - \beta_2) - 1`:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1}
            \quad \text{(without decoupled weight decay)} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \rho_t &\leftarrow \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
        \theta_t &\leftarrow \theta_{t-1} - \begin{cases}
            \gamma_t \hat m_t \, r_t \, l_t & \rho_t > 5 \\
            \gamma_t \hat m_t & \text{otherwise}
        \end{cases} \, [- \gamma_t \lambda \theta_{t-1} \text{ if decoupled}] \\
        l_t &= \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon}, \quad
        r_t = \sqrt{\frac{(\rho_t - 4)(\rho_t - 2) \rho_\infty}
            {(\rho_\infty - 4)(\rho_\infty - 2) \rho_t}}
        \end{align*}

    The state is `RAdamState(step=t, exp_avg=m_t, exp_avg_sq=v_t)`. With the
    default :math:`\beta_2 = 0.999`, :math:`\rho_t \le 5` for the first 5 steps,
    which are momentum SGD steps of size :math:`\gamma_t \hat m_t`.

    .. note::
        `optax.radam` switches at :math:`\rho_t \ge 5` (`threshold=5.0`), not
        :math:`> 5`, and adds :math:`\epsilon` to the bias-corrected root,
        :math:`\sqrt{\hat v_t} + \epsilon`, where torch (and this) divides
        :math:`\sqrt{1 - \beta_2^t}` by :math:`\sqrt{v_t} + \epsilon`.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        betas: :math:`(\beta_1, \beta_2)`, the decay rates of the moments, each in
            [0, 1).
        eps: :math:`\epsilon`, added to the root for stability, >= 0.
        weight_decay: the weight decay :math:`\lambda`, >= 0.
        decoupled_weight_decay: decay the parameters (as AdamW, "RAdamW") instead
            of adding an L2 penalty to the gradient.

    Returns:
        An `Optimizer` named "radam".

    Raises:
        ValueError: if `lr`, `eps` or `weight_decay` is negative, a beta is outside
            [0, 1), or a number is not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.radam(lr=0.25)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 6) for v in (params + updates).tolist()]  # SGD: rho_1 = 1
        [0.5, -1.0]

    References:
        Liu et al., `On the Variance of the Adaptive Learning Rate and Beyond
        <https://arxiv.org/abs/1908.03265>`_, 2020; `torch.optim.RAdam
        <https://pytorch.org/docs/stable/generated/torch.optim.RAdam.html>`_
    """
    return _radam(
        "radam",
        dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            decoupled_weight_decay=decoupled_weight_decay,
        ),
    )
