"""Adam and AdamW: bias-corrected first and second moments of the gradient."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast, variant
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class AdamState(NamedTuple):
    """The state of `adam` and `adamw`."""

    step: jax.Array  # shape (), int32: updates taken
    exp_avg: jax.Array  # m_t
    exp_avg_sq: jax.Array  # v_t
    max_exp_avg_sq: jax.Array | None  # max of v over time if amsgrad, else None


def _transform(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay):
    def init(params: jax.typing.ArrayLike) -> AdamState:
        zeros = jnp.zeros_like(jnp.asarray(params))
        return AdamState(
            jnp.zeros((), jnp.int32), zeros, zeros, zeros if amsgrad else None
        )

    def update(
        grads: jax.Array, state: AdamState, params: jax.Array
    ) -> tuple[jax.Array, AdamState]:
        beta1, beta2 = betas
        lr_t, b1, b2, eps_, wd = cast(
            grads.dtype, learning_rate(lr, state.step), beta1, beta2, eps, weight_decay
        )
        t = (state.step + 1).astype(grads.dtype)
        g = grads if decoupled_weight_decay else grads + wd * params  # L2 penalty
        m = state.exp_avg + (1 - b1) * (g - state.exp_avg)  # as torch.lerp
        v = b2 * state.exp_avg_sq + (1 - b2) * g * g
        v_max = jnp.maximum(state.max_exp_avg_sq, v) if amsgrad else None
        v_hat_root = jnp.sqrt(v_max if amsgrad else v) / jnp.sqrt(1 - b2**t)
        step_size = lr_t / (1 - b1**t)
        updates = -step_size * (m / (v_hat_root + eps_))
        if decoupled_weight_decay:  # AdamW: decay the parameters, not the gradient
            updates = updates - lr_t * wd * params
        return updates, AdamState(state.step + 1, m, v, v_max)

    return init, update


def check_betas(check: Check, betas: Any) -> None:
    """torch: `if not 0.0 <= betas[i] < 1.0: raise ValueError(...)`, i = 0, 1."""
    check.pair("betas", betas)
    for i, beta in enumerate(betas):
        check.within(f"betas[{i}]", beta, 0, 1, open_high=True)


def _check(name, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay) -> None:
    check = Check(name)
    check_learning_rate(check, lr)
    check_betas(check, betas)
    check.at_least("eps", eps)
    check.at_least("weight_decay", weight_decay)
    check.flag("amsgrad", amsgrad)
    check.flag("decoupled_weight_decay", decoupled_weight_decay)
    check.done()


def _adam(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    hyperparams = {**hyperparams, "betas": tuple(hyperparams["betas"])}
    return build(name, _transform, hyperparams)


def adam(
    lr: float | Schedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    *,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
) -> Optimizer:
    r"""Adam, as `torch.optim.Adam`.

    Let :math:`\gamma` be `lr`, :math:`\beta_1, \beta_2` `betas`, :math:`\epsilon`
    `eps` and :math:`\lambda` `weight_decay`. Updates are counted by :math:`t = 1,
    2, \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule; all
    states start at 0:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &\leftarrow \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta_t &\leftarrow \theta_{t-1}
            - \frac{\gamma_t}{1 - \beta_1^t} \,
            \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}
        \end{align*}

    The state is `AdamState(step=t, exp_avg=m_t, exp_avg_sq=v_t,
    max_exp_avg_sq=v_hat_t)`; `max_exp_avg_sq` is None unless `amsgrad`, as in
    torch. The first step is :math:`\gamma g_1 / (|g_1| + \epsilon)`: `lr` along
    each coordinate's sign.

    .. note::
        `optax.adam` computes :math:`\hat m_t / (\sqrt{\hat v_t + \epsilon_{root}}
        + \epsilon)` with :math:`\epsilon_{root} = 0`: the same update, :math:`\epsilon`
        outside the root. It has no `weight_decay`, and `optax.amsgrad` takes the
        maximum of the bias-corrected :math:`v_t / (1 - \beta_2^t)`, where torch
        (and this) takes the maximum of :math:`v_t` and then divides by the current
        :math:`\sqrt{1 - \beta_2^t}`.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        betas: :math:`(\beta_1, \beta_2)`, the decay rates of the moments, each in
            [0, 1).
        eps: :math:`\epsilon`, added to the root for stability, >= 0.
        weight_decay: the L2 penalty :math:`\lambda` added to the gradient, >= 0.
        amsgrad: use the running maximum of :math:`v_t` (AMSGrad).
        decoupled_weight_decay: decay the parameters by :math:`\gamma_t \lambda
            \theta_{t-1}` instead of adding :math:`\lambda \theta_{t-1}` to the
            gradient: AdamW (see `adamw`), as torch's flag of the same name.

    Returns:
        An `Optimizer` named "adam".

    Raises:
        ValueError: if `lr` or `weight_decay` is negative, a beta is outside
            [0, 1), `eps` < 0, or a number is not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.adam(lr=0.5)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 6) for v in (params + updates).tolist()]  # lr each way
        [0.5, -1.5]

    References:
        Kingma and Ba, `Adam: A Method for Stochastic Optimization
        <https://arxiv.org/abs/1412.6980>`_, 2015; Reddi, Kale and Kumar, `On the
        Convergence of Adam and Beyond <https://openreview.net/forum?id=ryQu7f-RZ>`_,
        2018 (AMSGrad); `torch.optim.Adam
        <https://pytorch.org/docs/stable/generated/torch.optim.Adam.html>`_
    """
    return _adam(
        "adam",
        dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            decoupled_weight_decay=decoupled_weight_decay,
        ),
    )


adamw = variant(adam, "adamw", _adam, weight_decay=1e-2, decoupled_weight_decay=True)
adamw.__doc__ = r"""AdamW, as `torch.optim.AdamW`: `adam` with decoupled weight decay.

    Let :math:`\gamma` be `lr`, :math:`\beta_1, \beta_2` `betas`, :math:`\epsilon`
    `eps` and :math:`\lambda` `weight_decay`. Updates are counted by :math:`t = 1,
    2, \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule. The
    parameters shrink by :math:`\gamma_t \lambda \theta_{t-1}`, and the gradient is
    left alone:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &\leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &\leftarrow \max(\hat v_{t-1}, v_t) \text{ if amsgrad, else } v_t \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t \lambda \theta_{t-1}
            - \frac{\gamma_t}{1 - \beta_1^t} \,
            \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}
        \end{align*}

    The state is `AdamState`, as for `adam`. This is `adam` with
    `decoupled_weight_decay=True` and `weight_decay=1e-2` by default, as torch's
    `AdamW` is its `Adam` with that flag.

    .. note::
        `optax.adamw(lr, b1, b2, eps, weight_decay=wd)` is the same update, but its
        default `weight_decay` is 1e-4; torch's (and this) is 1e-2. Its `mask` and
        Nesterov options have no torch counterpart here.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        betas: :math:`(\beta_1, \beta_2)`, the decay rates of the moments, each in
            [0, 1).
        eps: :math:`\epsilon`, added to the root for stability, >= 0.
        weight_decay: the decoupled decay :math:`\lambda`, >= 0.
        amsgrad: use the running maximum of :math:`v_t` (AMSGrad).
        decoupled_weight_decay: True by default; False gives `adam`'s L2 penalty.

    Returns:
        An `Optimizer` named "adamw".

    Raises:
        ValueError: if `lr` or `weight_decay` is negative, a beta is outside
            [0, 1), `eps` < 0, or a number is not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.adamw(lr=0.5, weight_decay=0.5)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 6) for v in (params + updates).tolist()]  # 0.75 p - 0.5 sign
        [0.25, -1.0]

    References:
        Loshchilov and Hutter, `Decoupled Weight Decay Regularization
        <https://arxiv.org/abs/1711.05101>`_, 2019; `torch.optim.AdamW
        <https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html>`_
    """
