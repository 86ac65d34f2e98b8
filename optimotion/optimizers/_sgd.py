"""SGD with optional heavy-ball or Nesterov momentum (`torch.optim.SGD`)."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast, variant
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class SGDState(NamedTuple):
    """The state of `sgd`, `momentum` and `nesterov`."""

    step: jax.Array  # shape (), int32: updates taken
    momentum_buffer: jax.Array  # b_t; the gradient itself when momentum == 0


def _transform(lr, momentum, dampening, weight_decay, nesterov):
    def init(params: jax.typing.ArrayLike) -> SGDState:
        params = jnp.asarray(params)
        return SGDState(jnp.zeros((), jnp.int32), jnp.zeros_like(params))

    def update(
        grads: jax.Array, state: SGDState, params: jax.Array
    ) -> tuple[jax.Array, SGDState]:
        lr_t, mu, tau, wd = cast(
            grads.dtype,
            learning_rate(lr, state.step),
            momentum,
            dampening,
            weight_decay,
        )
        g = grads + wd * params
        b = jnp.where(
            (state.step == 0) | (mu == 0), g, mu * state.momentum_buffer + (1 - tau) * g
        )
        d = g + mu * b if nesterov else b
        return -lr_t * d, SGDState(state.step + 1, b)

    return init, update


def _check(name: str, lr, momentum, dampening, weight_decay, nesterov) -> None:
    check = Check(name)
    check_learning_rate(check, lr)
    check.at_least("momentum", momentum)
    check.number("dampening", dampening)
    check.at_least("weight_decay", weight_decay)
    check.flag("nesterov", nesterov)
    if nesterov and not (momentum > 0 and dampening == 0):
        check.fail(
            "nesterov=True requires momentum > 0 and dampening == 0, "
            f"got momentum={momentum!r}, dampening={dampening!r}"
        )
    check.done()


def _sgd(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    return build(name, _transform, hyperparams)


def sgd(
    lr: float | Schedule = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    *,
    nesterov: bool = False,
) -> Optimizer:
    r"""Stochastic gradient descent with optional momentum, as `torch.optim.SGD`.

    Let :math:`\gamma` be `lr`, :math:`\mu` `momentum`, :math:`\tau` `dampening`
    and :math:`\lambda` `weight_decay`. Updates are counted by :math:`t = 1, 2,
    \dots`, and :math:`\gamma_t` is `lr`, or `lr(t - 1)` for a schedule:

    .. math::
        \begin{align*}
        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        b_t &\leftarrow \begin{cases}
            g_t & t = 1 \text{ or } \mu = 0 \\
            \mu b_{t-1} + (1 - \tau) g_t & \text{otherwise}
        \end{cases} \\
        d_t &\leftarrow \begin{cases}
            g_t + \mu b_t & \text{nesterov} \\
            b_t & \text{otherwise}
        \end{cases} \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t d_t
        \end{align*}

    The state is `SGDState(step=t, momentum_buffer=b_t)`. The first buffer is the
    raw gradient, without dampening, as in torch. Without momentum torch keeps no
    buffer; here `momentum_buffer` then holds the gradient :math:`g_t`.

    .. note::
        `optax.sgd(learning_rate, momentum, nesterov)` keeps a trace
        :math:`m_t = g_t + \mu m_{t-1}` from :math:`m_0 = 0` and steps along
        :math:`m_t` (or :math:`g_t + \mu m_t` with Nesterov). With `dampening=0`
        this is torch's form exactly: :math:`m_1 = g_1 = b_1` and both recursions
        agree after. optax has no dampening (its :math:`m_1` would differ from
        torch's undamped :math:`b_1` anyway) and no weight decay in `sgd`.

    Args:
        lr: the learning rate :math:`\gamma` (>= 0) or a schedule.
        momentum: the momentum factor :math:`\mu`, >= 0.
        dampening: the dampening :math:`\tau` of the gradient in the buffer.
        weight_decay: the L2 penalty :math:`\lambda`, >= 0.
        nesterov: use Nesterov momentum (needs `momentum` > 0 and `dampening` 0).

    Returns:
        An `Optimizer` named "sgd".

    Raises:
        ValueError: if `lr`, `momentum` or `weight_decay` is negative, a number is
            not finite, or `nesterov` is set without momentum or with dampening.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.sgd(lr=0.25)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> (params + updates).tolist(), int(state.step)
        ([0.5, -1.0], 1)

    References:
        Sutskever et al., `On the importance of initialization and momentum in deep
        learning <https://proceedings.mlr.press/v28/sutskever13.html>`_, 2013;
        `torch.optim.SGD
        <https://pytorch.org/docs/stable/generated/torch.optim.SGD.html>`_
    """
    return _sgd(
        "sgd",
        dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
        ),
    )


momentum = variant(sgd, "momentum", _sgd, momentum=0.9)
momentum.__doc__ = r"""Heavy-ball momentum: `sgd` with `momentum=0.9` by default.

    Let :math:`\gamma` be `lr` and :math:`\mu` `momentum`; with the defaults (no
    dampening, no weight decay) `sgd`'s update reduces to

    .. math::
        \begin{align*}
        b_1 &\leftarrow g_1, \quad b_t \leftarrow \mu b_{t-1} + g_t \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t b_t
        \end{align*}

    .. note::
        Equals `optax.sgd(lr, momentum=0.9)` (see `sgd`).

    Args:
        lr, momentum, dampening, weight_decay, nesterov: as for `sgd`, but
            `momentum` defaults to 0.9.

    Returns:
        An `Optimizer` named "momentum".

    Raises:
        ValueError, TypeError: as `sgd`, the messages naming `momentum`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.momentum(lr=0.25)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> for _ in range(2):  # f = x^2 + y^2
        ...     updates, state = opt.update(2 * params, state, params)
        ...     params = params + updates
        >>> [round(v, 6) for v in params.tolist()]  # b_2 = 0.9 * [2, -4] + [1, -2]
        [-0.2, 0.4]

    References:
        Polyak, `Some methods of speeding up the convergence of iteration methods
        <https://doi.org/10.1016/0041-5553(64)90137-5>`_, 1964;
        `torch.optim.SGD
        <https://pytorch.org/docs/stable/generated/torch.optim.SGD.html>`_
    """

nesterov = variant(sgd, "nesterov", _sgd, momentum=0.9, nesterov=True)
nesterov.__doc__ = r"""Nesterov momentum: `sgd` with `momentum=0.9` and `nesterov=True`.

    Let :math:`\gamma` be `lr` and :math:`\mu` `momentum`; torch's (and optax's)
    form looks ahead along the updated buffer:

    .. math::
        \begin{align*}
        b_1 &\leftarrow g_1, \quad b_t \leftarrow \mu b_{t-1} + g_t \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma_t (g_t + \mu b_t)
        \end{align*}

    .. note::
        Equals `optax.sgd(lr, momentum=0.9, nesterov=True)` (see `sgd`). It is
        Sutskever's reformulation in terms of the current parameters, not the
        gradient at a look-ahead point of Nesterov's paper.

    Args:
        lr, momentum, dampening, weight_decay, nesterov: as for `sgd`, but
            `momentum` defaults to 0.9 and `nesterov` to True.

    Returns:
        An `Optimizer` named "nesterov".

    Raises:
        ValueError, TypeError: as `sgd`, the messages naming `nesterov`; in
            particular without momentum > 0 and dampening == 0.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.nesterov(lr=0.25)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> updates, state = opt.update(2 * params, state, params)  # f = x^2 + y^2
        >>> [round(v, 6) for v in (params + updates).tolist()]  # g + 0.9 g = 1.9 g
        [0.05, -0.1]

    References:
        Nesterov, `A method for solving the convex programming problem with
        convergence rate O(1/k^2)
        <https://www.mathnet.ru/eng/dan46009>`_, 1983; Sutskever et al., 2013;
        `torch.optim.SGD
        <https://pytorch.org/docs/stable/generated/torch.optim.SGD.html>`_
    """
