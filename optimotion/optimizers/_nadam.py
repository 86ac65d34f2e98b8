"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._adam import check_betas
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class NAdamState(NamedTuple):
    """The state of `nadam`."""

    step: jax.Array  # shape (), int32: updates taken
    mu_product: jax.Array  # shape (): the product mu_1 ... mu_t, from 1
    exp_avg: jax.Array  # m_t
    exp_avg_sq: jax.Array  # v_t


def _transform(lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay):
    def init(params: jax.typing.ArrayLike) -> NAdamState:
        params = jnp.asarray(params)
        zeros = jnp.zeros_like(params)
        return NAdamState(
            jnp.zeros((), jnp.int32), jnp.ones((), params.dtype), zeros, zeros
        )

    def update(
        grads: jax.Array, state: NAdamState, params: jax.Array
    ) -> tuple[jax.Array, NAdamState]:
        beta1, beta2 = betas
        lr_t, b1, b2, eps_, wd, psi = cast(
            grads.dtype,
            learning_rate(lr, state.step),
            beta1,
            beta2,
            eps,
            weight_decay,
            momentum_decay,
        )
        t = (state.step + 1).astype(grads.dtype)
        g = grads if decoupled_weight_decay else grads + wd * params
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state.mu_product * mu
        m = state.exp_avg + (1 - b1) * (g - state.exp_avg)  # as torch.lerp
        v = b2 * state.exp_avg_sq + (1 - b2) * g * g
        denom = jnp.sqrt(v / (1 - b2**t)) + eps_
        updates = -lr_t * (1 - mu) / (1 - mu_product) * (g / denom)
        updates = updates - lr_t * mu_next / (1 - mu_product * mu_next) * (m / denom)
        if decoupled_weight_decay:
            updates = updates - lr_t * wd * params
        return updates, NAdamState(state.step + 1, mu_product, m, v)

    return init, update


def _check(
    name, lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay
) -> None:
    # torch: `if not 0.0 <= lr`, `eps`, `weight_decay`, `momentum_decay` and
    # `if not 0.0 <= betas[i] < 1.0`: raise ValueError(...)
    check = Check(name)
    check_learning_rate(check, lr)
    check_betas(check, betas)
    check.at_least("eps", eps)
    check.at_least("weight_decay", weight_decay)
    check.at_least("momentum_decay", momentum_decay)
    check.flag("decoupled_weight_decay", decoupled_weight_decay)
    check.done()


def _nadam(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    hyperparams = {**hyperparams, "betas": tuple(hyperparams["betas"])}
    return build(name, _transform, hyperparams)


def nadam(
    lr: float | Schedule = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    *,
    decoupled_weight_decay: bool = False,
) -> Optimizer:
    r"""NAdam, as `torch.optim.NAdam`: Adam with Nesterov momentum.

    Let :math:`\gamma` be `lr`, :math:`\beta_1, \beta_2` `betas`, :math:`\epsilon`
    `eps`, :math:`\lambda` `weight_decay` and :math:`\psi` `momentum_decay`.
    Updates are counted by :math:`t = 1, 2, \dots`, and :math:`\gamma_t` is `lr`,
    or `lr(t - 1)` for a schedule; the moments start at 0. The momentum
    coefficient :math:`\mu_t` warms up towards :math:`\beta_1` (Dozat's schedule):

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1}
            \quad \text{(without decoupled weight decay)} \\
        \mu_t &\leftarrow \beta_1 (1 - \tfrac12 \, 0.96^{t \psi}), \quad
        \mu_{t+1} \leftarrow \beta_1 (1 - \tfrac12 \, 0.96^{(t + 1) \psi}) \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        d_t &\leftarrow \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &\leftarrow \theta_{t-1}
            - \gamma_t \frac{1 - \mu_t}{1 - \prod_{i \le t} \mu_i} \frac{g_t}{d_t}
            - \gamma_t \frac{\mu_{t+1}}{1 - \prod_{i \le t+1} \mu_i} \frac{m_t}{d_t}
            \, [- \gamma_t \lambda \theta_{t-1} \text{ if decoupled}]
        \end{align*}

    The state is `NAdamState(step=t, mu_product=prod_{i<=t} mu_i, exp_avg=m_t,
    exp_avg_sq=v_t)`; `mu_product` is a scalar, as in torch.

    .. note::
        `optax.nadam` is `optax.adam(nesterov=True)`: a constant :math:`\beta_1`
        in place of the :math:`\mu_t` schedule, :math:`\hat m_t = \beta_1 m_t / (1
        - \beta_1^{t+1}) + (1 - \beta_1) g_t / (1 - \beta_1^t)`, and
        :math:`\epsilon` added to :math:`\sqrt{\hat v_t}` the same way. The two
        part from the first step (:math:`\mu_1 \approx 0.45` here, not 0.9).

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        betas: :math:`(\beta_1, \beta_2)`, the decay rates of the moments, each in
            [0, 1).
        eps: :math:`\epsilon`, added to the root for stability, >= 0.
        weight_decay: the weight decay :math:`\lambda`, >= 0.
        momentum_decay: :math:`\psi`, how fast :math:`\mu_t` approaches
            :math:`\beta_1`, >= 0.
        decoupled_weight_decay: decay the parameters (as AdamW, "NAdamW") instead
            of adding an L2 penalty to the gradient.

    Returns:
        An `Optimizer` named "nadam".

    Raises:
        ValueError: if `lr`, `eps`, `weight_decay` or `momentum_decay` is
            negative, a beta is outside [0, 1), or a number is not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.nadam(lr=0.5)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 6) for v in (params + updates).tolist()]  # 1.056 lr each way
        [0.471774, -1.471774]

    References:
        Dozat, `Incorporating Nesterov Momentum into Adam
        <https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ>`_, 2016;
        `torch.optim.NAdam
        <https://pytorch.org/docs/stable/generated/torch.optim.NAdam.html>`_
    """
    return _nadam(
        "nadam",
        dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
        ),
    )
