"""The learning rates of `scenes/zoo.yaml`: a grid search, run once.

For each optimizer of the zoo, every learning rate of a log grid (10^-4 to 10^0,
ten per decade, 41 values) runs the scene's 1000 steps on Rosenbrock from
(-1.2, 1); the one that ends nearest the minimum (1, 1) wins (as the
pytorch-optimizer pictures tune theirs), ties (within 1e-6) going to the smaller
rate. A path that leaves the surface's divergence bound counts as infinitely far.
(Scoring the mean log loss instead was tried: it trades Adam's bouncing for
RMSProp's, no better.) One compiled program per optimizer: the rate is a traced
argument, so the 41 runs reuse it.

    .venv/bin/python bench/zoo_search.py
"""

from __future__ import annotations

import math

import numpy as np
import optax

import optimotion
from optimotion import optimizers, surfaces

STEPS = 1000
START = (-1.2, 1.0)
GRID = [10 ** (k / 10) for k in range(-40, 1)]
ZOO = {
    "sgd": lambda lr: optimizers.sgd(lr=lr),
    "momentum": lambda lr: optimizers.momentum(lr=lr),
    "nesterov": lambda lr: optimizers.nesterov(lr=lr),
    "adagrad": lambda lr: optimizers.adagrad(lr=lr),
    "rmsprop": lambda lr: optimizers.rmsprop(lr=lr),
    "adam": lambda lr: optimizers.adam(lr=lr),
    "adamax": lambda lr: optimizers.adamax(lr=lr),
    "nadam": lambda lr: optimizers.nadam(lr=lr),
    "radam": lambda lr: optimizers.radam(lr=lr),
    "rprop": lambda lr: optimizers.rprop(lr=lr),
    "lion": lambda lr: optimizers.from_optax(optax.lion, learning_rate=lr),
    "adabelief": lambda lr: optimizers.from_optax(optax.adabelief, learning_rate=lr),
}


def distance(path) -> float:
    """How far the last point is from (1, 1); infinite if the path diverged."""
    if path.diverged_at is not None or not np.isfinite(path.xy[-1]).all():
        return math.inf
    return float(np.hypot(*(path.xy[-1] - 1.0)))


def main() -> None:
    surface = surfaces.get("rosenbrock")
    print(f"{'optimizer':<10} {'lr':>9} {'distance':>10}")
    for name, make in ZOO.items():
        scores = {lr: distance(optimotion.run(surface, make(lr), START, STEPS))
                  for lr in GRID}  # fmt: skip
        best = min(scores.values())
        lr = min(lr for lr, d in scores.items() if d <= best + 1e-6)
        print(f"{name:<10} {lr:>9.3g} {best:>10.3g}")


if __name__ == "__main__":
    main()
