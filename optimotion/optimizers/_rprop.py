"""Rprop: per-coordinate step sizes grown or shrunk by the gradient's sign."""

from __future__ import annotations

from typing import Any, NamedTuple

from .._lazy import jax, jnp
from ._base import Optimizer, build, cast
from ._checks import Check
from .schedules import Schedule, learning_rate
from .schedules._schedules import check_learning_rate


class RpropState(NamedTuple):
    """The state of `rprop`."""

    step: jax.Array  # shape (), int32: updates taken
    prev: jax.Array  # the last gradient used (0 where its sign flipped)
    step_size: jax.Array  # eta_t, per coordinate


def _transform(lr, etas, step_sizes):
    def init(params: jax.typing.ArrayLike) -> RpropState:
        params = jnp.asarray(params)
        zeros = jnp.zeros_like(params)
        first = jnp.full_like(params, learning_rate(lr, jnp.zeros((), jnp.int32)))
        return RpropState(jnp.zeros((), jnp.int32), zeros, first)

    def update(
        grads: jax.Array, state: RpropState, params: jax.Array
    ) -> tuple[jax.Array, RpropState]:
        del params
        eta_minus, eta_plus, size_min, size_max = cast(grads.dtype, *etas, *step_sizes)
        sign = jnp.sign(grads * state.prev)
        factor = jnp.where(sign > 0, eta_plus, jnp.where(sign < 0, eta_minus, 1))
        step_size = jnp.clip(state.step_size * factor, size_min, size_max)
        g = jnp.where(sign < 0, 0, grads)  # a flipped sign: wait one step
        return -(jnp.sign(g) * step_size), RpropState(state.step + 1, g, step_size)

    return init, update


def _check(name, lr, etas, step_sizes) -> None:
    check = Check(name)
    check_learning_rate(check, lr)  # torch: `if not 0.0 <= lr: raise ...`
    check.pair("etas", etas)
    check.pair("step_sizes", step_sizes)
    minus, plus = etas
    # torch: `if not 0.0 < etas[0] < 1.0 < etas[1]: raise ValueError(...)`
    if check.number("etas[0]", minus) & check.number("etas[1]", plus) and not (
        0 < minus < 1 < plus
    ):
        check.fail(f"etas must satisfy 0 < etas[0] < 1 < etas[1], got {etas!r}")
    for i, size in enumerate(step_sizes):  # torch checks no more than finiteness
        check.number(f"step_sizes[{i}]", size)
    check.done()


def _rprop(name: str, hyperparams: dict[str, Any]) -> Optimizer:
    _check(name, **hyperparams)
    hyperparams = {
        **hyperparams,
        "etas": tuple(hyperparams["etas"]),
        "step_sizes": tuple(hyperparams["step_sizes"]),
    }
    return build(name, _transform, hyperparams)


def rprop(
    lr: float | Schedule = 1e-2,
    etas: tuple[float, float] = (0.5, 1.2),
    step_sizes: tuple[float, float] = (1e-6, 50.0),
) -> Optimizer:
    r"""Rprop, as `torch.optim.Rprop`: resilient backpropagation.

    Let :math:`\eta_-, \eta_+` be `etas` and :math:`\Gamma_{min}, \Gamma_{max}`
    `step_sizes`. Each coordinate keeps its own step size :math:`\eta_t`, which
    starts at `lr` (its value at step 0 for a schedule; later values are unused)
    and follows only the sign of the gradient, never its size. Updates are counted
    by :math:`t = 1, 2, \dots`, with :math:`g_0 = 0`:

    .. math::
        \begin{align*}
        s_t &\leftarrow \operatorname{sign}(g_t \, g_{t-1}) \\
        \eta_t &\leftarrow \operatorname{clip}\big(\eta_{t-1} \cdot
            \{\eta_+ \text{ if } s_t > 0;\ \eta_- \text{ if } s_t < 0;\
            1 \text{ otherwise}\}, \Gamma_{min}, \Gamma_{max}\big) \\
        g_t &\leftarrow 0 \text{ where } s_t < 0 \\
        \theta_t &\leftarrow \theta_{t-1} - \eta_t \operatorname{sign}(g_t)
        \end{align*}

    The state is `RpropState(step=t, prev=g_t, step_size=eta_t)`, the gradient
    stored after zeroing, as in torch: after a sign flip the coordinate rests one
    step, and the next step neither grows nor shrinks its size. As in torch's code
    (its pseudo-code clips only on a sign change), the size is clipped every step.

    .. note::
        `optax.rprop(lr, eta_minus, eta_plus, min_step_size, max_step_size)`
        returns the step it stored on the previous call (0 on the first), so its
        path differs from torch's from the first update; it also leaves the size
        unclipped where the sign product is 0.

    Args:
        lr: the initial step size :math:`\eta_0` (>= 0) or a schedule.
        etas: :math:`(\eta_-, \eta_+)`, the shrink and growth factors, with
            :math:`0 < \eta_- < 1 < \eta_+`.
        step_sizes: :math:`(\Gamma_{min}, \Gamma_{max})`, the bounds of the step
            size.

    Returns:
        An `Optimizer` named "rprop".

    Raises:
        ValueError: if `lr` is negative, the etas are out of order, or a number is
            not finite.
        TypeError: if a hyperparameter has the wrong type.

    Examples:
        >>> import jax.numpy as jnp
        >>> from optimotion import optimizers
        >>> opt = optimizers.rprop(lr=0.25)
        >>> params = jnp.array([1.0, -2.0])
        >>> state = opt.init(params)
        >>> for _ in range(2):  # f = x^2 + y^2: the same signs, 0.25 then 0.3
        ...     updates, state = opt.update(2 * params, state, params)
        ...     params = params + updates
        >>> [round(v, 6) for v in params.tolist()]
        [0.45, -1.45]

    References:
        Riedmiller and Braun, `A direct adaptive method for faster backpropagation
        learning: the RPROP algorithm <https://doi.org/10.1109/ICNN.1993.298623>`_,
        1993; `torch.optim.Rprop
        <https://pytorch.org/docs/stable/generated/torch.optim.Rprop.html>`_
    """
    return _rprop("rprop", dict(lr=lr, etas=etas, step_sizes=step_sizes))
