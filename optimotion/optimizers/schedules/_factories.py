"""The validating factories of the schedules, with their formulas and references."""

from __future__ import annotations

from .._checks import Check
from ._schedules import (
    Constant,
    Cosine,
    CosineWarmRestarts,
    Cyclic,
    Exponential,
    InverseTime,
    StepDecay,
)


def _check_lr(check: Check, field: str, value: float) -> None:
    check.at_least(field, value, 0)


def constant(lr: float) -> Constant:
    r"""A constant learning rate.

    .. math::
        \eta_t = \eta_0

    Args:
        lr: the learning rate :math:`\eta_0`, >= 0.

    Returns:
        A `Constant` schedule.

    Raises:
        ValueError: if `lr` is negative or not finite.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> float(schedules.constant(0.5)(10))
        0.5

    References:
        `torch.optim.SGD` with a fixed `lr` (no scheduler).
    """
    check = Check("constant")
    _check_lr(check, "lr", lr)
    check.done()
    return Constant(lr)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> StepDecay:
    r"""Multiply the learning rate by `gamma` every `step_size` steps (`StepLR`).

    Let :math:`\eta_0` be `lr`, :math:`s` `step_size` and :math:`\gamma` `gamma`:

    .. math::
        \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    Args:
        lr: the initial learning rate, >= 0.
        step_size: steps between decays, an integer >= 1.
        gamma: the decay factor, >= 0.

    Returns:
        A `StepDecay` schedule.

    Raises:
        TypeError: if `step_size` is not an integer.
        ValueError: on a negative or non-finite number, or `step_size` < 1.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> sched = schedules.step_decay(1.0, step_size=2, gamma=0.5)
        >>> [float(sched(t)) for t in range(5)]
        [1.0, 1.0, 0.5, 0.5, 0.25]

    References:
        `torch.optim.lr_scheduler.StepLR
        <https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html>`_
    """
    check = Check("step_decay")
    _check_lr(check, "lr", lr)
    check.integer("step_size", step_size)
    check.at_least("gamma", gamma, 0)
    check.done()
    return StepDecay(lr, step_size, gamma)


def exponential(lr: float, gamma: float) -> Exponential:
    r"""Multiply the learning rate by `gamma` every step (`ExponentialLR`).

    .. math::
        \eta_t = \eta_0 \, \gamma^t

    Args:
        lr: the initial learning rate :math:`\eta_0`, >= 0.
        gamma: the factor per step :math:`\gamma`, >= 0.

    Returns:
        An `Exponential` schedule.

    Raises:
        ValueError: on a negative or non-finite number.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> sched = schedules.exponential(1.0, gamma=0.5)
        >>> [float(sched(t)) for t in range(4)]
        [1.0, 0.5, 0.25, 0.125]

    References:
        `torch.optim.lr_scheduler.ExponentialLR
        <https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html>`_
    """
    check = Check("exponential")
    _check_lr(check, "lr", lr)
    check.at_least("gamma", gamma, 0)
    check.done()
    return Exponential(lr, gamma)


def inverse_time(lr: float, decay: float) -> InverseTime:
    r"""1/t annealing: the Robbins-Monro step size.

    .. math::
        \eta_t = \frac{\eta_0}{1 + d\,t}

    Args:
        lr: the initial learning rate :math:`\eta_0`, >= 0.
        decay: the rate :math:`d`, >= 0.

    Returns:
        An `InverseTime` schedule.

    Raises:
        ValueError: on a negative or non-finite number.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> sched = schedules.inverse_time(1.0, decay=1.0)
        >>> [round(float(sched(t)), 6) for t in range(4)]
        [1.0, 0.5, 0.333333, 0.25]

    References:
        Robbins and Monro, `A Stochastic Approximation Method
        <https://doi.org/10.1214/aoms/1177729586>`_, 1951. In torch:
        `LambdaLR(opt, lambda t: 1 / (1 + decay * t))
        <https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html>`_
    """
    check = Check("inverse_time")
    _check_lr(check, "lr", lr)
    check.at_least("decay", decay, 0)
    check.done()
    return InverseTime(lr, decay)


def cosine(lr: float, t_max: int, eta_min: float = 0.0) -> Cosine:
    r"""Cosine annealing from `lr` to `eta_min` in `t_max` steps (`CosineAnnealingLR`).

    .. math::
        \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
            \left(1 + \cos\frac{\pi t}{T_{max}}\right)

    As in torch, the curve goes on past `t_max` (rising again), it does not stop.

    Args:
        lr: the initial learning rate :math:`\eta_0`, >= 0.
        t_max: the half period :math:`T_{max}`, an integer >= 1.
        eta_min: the lowest learning rate, >= 0.

    Returns:
        A `Cosine` schedule.

    Raises:
        TypeError: if `t_max` is not an integer.
        ValueError: on a negative or non-finite number, or `t_max` < 1.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> sched = schedules.cosine(1.0, t_max=2)
        >>> [round(float(sched(t)), 6) for t in range(5)]
        [1.0, 0.5, 0.0, 0.5, 1.0]

    References:
        Loshchilov and Hutter, `SGDR <https://arxiv.org/abs/1608.03983>`_, 2017;
        `torch.optim.lr_scheduler.CosineAnnealingLR
        <https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html>`_
    """
    check = Check("cosine")
    _check_lr(check, "lr", lr)
    check.integer("t_max", t_max)
    _check_lr(check, "eta_min", eta_min)
    check.done()
    return Cosine(lr, t_max, eta_min)


def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
) -> Cyclic:
    r"""A triangular cycle between `base_lr` and `max_lr` (`CyclicLR`, "triangular").

    Let :math:`L = s_{up} + s_{down}` be the cycle length and :math:`r = s_{up}/L`:

    .. math::
        \begin{align*}
        c &= \lfloor 1 + t/L \rfloor, \quad x = 1 + t/L - c \\
        \eta_t &= \eta_{base} + (\eta_{max} - \eta_{base})
            \begin{cases} x / r & x \le r \\ (x - 1)/(r - 1) & x > r \end{cases}
        \end{align*}

    Args:
        base_lr: the lowest learning rate, >= 0 (also the first one).
        max_lr: the highest learning rate, >= 0.
        step_size_up: steps from `base_lr` up to `max_lr`, an integer >= 1.
        step_size_down: steps back down, an integer >= 1; None means `step_size_up`.

    Returns:
        A `Cyclic` schedule.

    Raises:
        TypeError: if a step size is not an integer.
        ValueError: on a negative or non-finite number, or a step size < 1.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> sched = schedules.cyclic(0.0, 1.0, step_size_up=2)
        >>> [float(sched(t)) for t in range(6)]
        [0.0, 0.5, 1.0, 0.5, 0.0, 0.5]

    References:
        Smith, `Cyclical Learning Rates for Training Neural Networks
        <https://arxiv.org/abs/1506.01186>`_, 2017;
        `torch.optim.lr_scheduler.CyclicLR
        <https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html>`_
        (with `cycle_momentum=False`).
    """
    check = Check("cyclic")
    _check_lr(check, "base_lr", base_lr)
    _check_lr(check, "max_lr", max_lr)
    check.integer("step_size_up", step_size_up)
    if step_size_down is not None:
        check.integer("step_size_down", step_size_down)
    check.done()
    down = step_size_up if step_size_down is None else step_size_down
    return Cyclic(base_lr, max_lr, step_size_up, down)


def cosine_warm_restarts(
    lr: float, t_0: int, t_mult: int = 1, eta_min: float = 0.0
) -> CosineWarmRestarts:
    r"""Cosine annealing with warm restarts (`CosineAnnealingWarmRestarts`).

    Cycle :math:`i` lasts :math:`T_i = T_0 \, m^i` steps (:math:`m` is `t_mult`), and
    :math:`T_{cur}` counts the steps since the last restart:

    .. math::
        \eta_t = \eta_{min} + \tfrac12 (\eta_0 - \eta_{min})
            \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right)

    Args:
        lr: the learning rate after each restart :math:`\eta_0`, >= 0.
        t_0: the length of the first cycle, an integer >= 1.
        t_mult: the growth of the cycle length, an integer >= 1.
        eta_min: the lowest learning rate, >= 0.

    Returns:
        A `CosineWarmRestarts` schedule.

    Raises:
        TypeError: if `t_0` or `t_mult` is not an integer.
        ValueError: on a negative or non-finite number, or `t_0` or `t_mult` < 1.

    Examples:
        >>> from optimotion.optimizers import schedules
        >>> sched = schedules.cosine_warm_restarts(1.0, t_0=2, t_mult=2)
        >>> [round(float(sched(t)), 6) for t in range(7)]
        [1.0, 0.5, 1.0, 0.853553, 0.5, 0.146447, 1.0]

    References:
        Loshchilov and Hutter, `SGDR <https://arxiv.org/abs/1608.03983>`_, 2017;
        `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
        <https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html>`_
    """
    check = Check("cosine_warm_restarts")
    _check_lr(check, "lr", lr)
    check.integer("t_0", t_0)
    check.integer("t_mult", t_mult)
    _check_lr(check, "eta_min", eta_min)
    check.done()
    return CosineWarmRestarts(lr, t_0, t_mult, eta_min)
