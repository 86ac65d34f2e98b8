"""RMSprop: steps scaled by a running root mean square of the gradients."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class RMSpropState(NamedTuple):
    """The state of `rmsprop`."""

    step: jax.Array  # shape (), int32: updates taken
    square_avg: jax.Array  # v_t
    momentum_buffer: jax.Array  # b_t; the step direction when momentum == 0
    grad_avg: jax.Array | None  # g_avg_t if centered, else None (as torch)


def _transform(lr, alpha, eps, weight_decay, momentum, centered):
    def init(params: jax.typing.ArrayLike) -> RMSpropState:
        zeros = jnp.zeros_like(jnp.asarray(params))
        return RMSpropState(
            jnp.zeros((), jnp.int32), zeros, zeros, zeros if centered else None
        )

    def update(
        grads: jax.Array, state: RMSpropState, params: jax.Array
    ) -> tuple[jax.Array, RMSpropState]:
        lr_t, alpha_, eps_, wd, mu = cast(
            grads.dtype,
            learning_rate(lr, state.step),
            alpha,
            eps,
            weight_decay,
            momentum,
        )
        g = grads + wd * params
        v = alpha_ * state.square_avg + (1 - alpha_) * g * g
        if centered:
            g_avg = state.grad_avg + (1 - alpha_) * (g - state.grad_avg)  # lerp
            avg = jnp.sqrt(v - g_avg * g_avg) + eps_
        else:
            g_avg = None
            avg = jnp.sqrt(v) + eps_
        b = mu * state.momentum_buffer + g / avg  # g / avg when mu == 0
        return -lr_t * b, RMSpropState(state.step + 1, v, b, g_avg)

    return init, update


def _check(name, lr, alpha, eps, weight_decay, momentum, centered) -> None:
    check = Check(name)
    check_learning_rate(check, lr)
    check.at_least("alpha", alpha)
    check.at_least("eps", eps)
    check.at_least("weight_decay", weight_decay)
    check.at_least("momentum", momentum)
    check.flag("centered", centered)
    check.done()


def _rmsprop(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    return build(name, _transform, hyperparams)


def rmsprop(
    lr: float | Schedule = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    *,
    centered: bool = False,
) -> Optimizer:
    r"""RMSprop, as `torch.optim.RMSprop`.

    Let :math:`\gamma` be `lr`, :math:`\alpha` `alpha`, :math:`\epsilon` `eps`,
    :math:`\lambda` `weight_decay` and :math:`\mu` `momentum`. Updates are counted
    by :math:`t = 1, 2, \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a
    schedule; all states start at 0:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &\leftarrow \alpha \bar g_{t-1} + (1 - \alpha) g_t
            & \text{(centered only)} \\
        a_t &\leftarrow \sqrt{v_t - \bar g_t^2} + \epsilon \text{ if centered, else }
            \sqrt{v_t} + \epsilon \\
        b_t &\leftarrow \mu b_{t-1} + g_t / a_t \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t b_t
        \end{align*}

    The state is `RMSpropState(step=t, square_avg=v_t, momentum_buffer=b_t,
    grad_avg=g_avg_t)`; `grad_avg` is None unless `centered`, as in torch. Without
    momentum torch keeps no buffer; :math:`b_t` is then the step direction.

    .. note::
        `optax.rmsprop` defaults to a decay of 0.9 (torch's `alpha` is 0.99) and
        puts :math:`\epsilon` inside the square root (:math:`\sqrt{v_t + \epsilon}`);
        torch and this use :math:`\sqrt{v_t} + \epsilon`. Since :math:`v_1 = (1 -
        \alpha) g_1^2`, the first step is :math:`\gamma / \sqrt{1 - \alpha} = 10
        \gamma` along each coordinate's sign.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        alpha: the smoothing constant :math:`\alpha`, >= 0 (torch checks no upper
            bound; above 1 the average is not one).
        eps: :math:`\epsilon`, added to the root for stability, >= 0.
        weight_decay: the L2 penalty :math:`\lambda`, >= 0.
        momentum: the momentum factor :math:`\mu`, >= 0.
        centered: divide by the centered (variance) estimate instead.

    Returns:
        An `Optimizer` named "rmsprop".

    Raises:
        ValueError: if a number is negative or not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.rmsprop(lr=0.05)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 5) for v in (params + updates).tolist()]  # 10 lr each way
        [0.5, -1.5]

    References:
        Hinton, `Lecture 6e of Neural Networks for Machine Learning
        <https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf>`_,
        2012; Graves, `Generating Sequences With Recurrent Neural Networks
        <https://arxiv.org/abs/1308.0850>`_, 2013 (the centered form);
        `torch.optim.RMSprop
        <https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html>`_
    """
    return _rmsprop(
        "rmsprop",
        dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
        ),
    )
