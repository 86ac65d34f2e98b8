"""Adagrad: per-coordinate steps scaled by the root of summed squared gradients."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class AdagradState(NamedTuple):
    """The state of `adagrad`."""

    step: jax.Array  # shape (), int32: updates taken
    sum: jax.Array  # s_t, the sum of squared gradients


def _transform(lr, lr_decay, weight_decay, initial_accumulator_value, eps):
    def init(params: jax.typing.ArrayLike) -> AdagradState:
        params = jnp.asarray(params)
        return AdagradState(
            jnp.zeros((), jnp.int32),
            jnp.full_like(params, initial_accumulator_value),
        )

    def update(
        grads: jax.Array, state: AdagradState, params: jax.Array
    ) -> tuple[jax.Array, AdagradState]:
        lr_t, lr_decay_, wd, eps_ = cast(
            grads.dtype, learning_rate(lr, state.step), lr_decay, weight_decay, eps
        )
        g = grads + wd * params
        clr = lr_t / (1 + state.step.astype(grads.dtype) * lr_decay_)
        s = state.sum + g * g
        return -clr * (g / (jnp.sqrt(s) + eps_)), AdagradState(state.step + 1, s)

    return init, update


def _check(name, lr, lr_decay, weight_decay, initial_accumulator_value, eps) -> None:
    check = Check(name)
    check_learning_rate(check, lr)
    check.at_least("lr_decay", lr_decay)
    check.at_least("weight_decay", weight_decay)
    check.at_least("initial_accumulator_value", initial_accumulator_value)
    check.at_least("eps", eps)
    check.done()


def _adagrad(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    return build(name, _transform, hyperparams)


def adagrad(
    lr: float | Schedule = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> Optimizer:
    r"""Adagrad, as `torch.optim.Adagrad`.

    Let :math:`\gamma` be `lr`, :math:`\eta` `lr_decay`, :math:`\lambda`
    `weight_decay`, :math:`s_0` `initial_accumulator_value` and :math:`\epsilon`
    `eps`. Updates are counted by :math:`t = 1, 2, \dots`, and :math:`\gamma_t` is
    `lr`, or `lr(t - 1)` for a schedule:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        \tilde\gamma_t &\leftarrow \gamma_t / (1 + (t - 1) \eta) \\
        s_t &\leftarrow s_{t-1} + g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1}
            - \tilde\gamma_t \, g_t / (\sqrt{s_t} + \epsilon)
        \end{align*}

    The state is `AdagradState(step=t, sum=s_t)`.

    .. note::
        `optax.adagrad` puts :math:`\epsilon` inside the square root
        (:math:`\sqrt{s_t + \epsilon}`) and starts from :math:`s_0 = 0.1` with
        :math:`\epsilon = 10^{-7}`; torch (and this) uses
        :math:`\sqrt{s_t} + \epsilon`, :math:`s_0 = 0` and :math:`10^{-10}`. With
        :math:`s_0 = 0` the first step is therefore :math:`\gamma \,
        \mathrm{sign}(g_1)` (almost exactly): `lr` along each coordinate, whatever
        the gradient's size.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        lr_decay: the decay :math:`\eta` of the learning rate per update, >= 0.
        weight_decay: the L2 penalty :math:`\lambda`, >= 0.
        initial_accumulator_value: the initial sum :math:`s_0`, >= 0.
        eps: :math:`\epsilon`, added to the root for stability, >= 0
            (0 gives 0/0 = NaN on a coordinate whose gradients are all 0, as
            in torch).

    Returns:
        An `Optimizer` named "adagrad".

    Raises:
        ValueError: if a number is negative or not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.adagrad(lr=0.5)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> (params + updates).tolist(), state.sum.tolist()  # a step of lr each way
        ([0.5, -1.5], [4.0, 16.0])

    References:
        Duchi, Hazan and Singer, `Adaptive Subgradient Methods for Online Learning
        and Stochastic Optimization
        <https://jmlr.org/papers/v12/duchi11a.html>`_, 2011;
        `torch.optim.Adagrad
        <https://pytorch.org/docs/stable/generated/torch.optim.Adagrad.html>`_
    """
    return _adagrad(
        "adagrad",
        dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        ),
    )
