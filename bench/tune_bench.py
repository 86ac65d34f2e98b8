"""Tuning benchmark: six optimizers x 49 learning rates x 1,000 steps on Beale.

Measures, in one process and one run:
  * optimotion.tune: the whole grid as one compiled program (the race's scan,
    vmapped over the learning rates): first call (compile included) and a warm call;
  * the baseline: 294 separate `optimotion.run` calls, one per optimizer and
    learning rate (each reuses its optimizer's compiled program: lr is traced);
and prints the ratios and whether both chose the same learning rates.

    .venv/bin/python bench/tune_bench.py [--steps 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

RACE = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    import optimotion
    from optimotion import optimizers, surfaces
    from optimotion.dynamics._tune import DEFAULT_GRID, _choose

    surface, start = surfaces.get("beale"), (1.0, 1.5)
    race = {name: optimizers.get(name) for name in RACE}
    t0 = time.perf_counter()
    tuned = optimotion.tune(surface, race, start, args.steps)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    tuned = optimotion.tune(surface, race, start, args.steps, seed=1)
    warm = time.perf_counter() - t0

    t0 = time.perf_counter()
    chosen = {}
    for name in RACE:
        curves, diverged = [], []
        for lr in DEFAULT_GRID:
            path = optimotion.run(
                surface, optimizers.get(name, lr=lr), start, args.steps
            )
            curves.append(path.loss)
            diverged.append(path.diverged_at is not None)
        grid = np.asarray(DEFAULT_GRID)
        chosen[name] = _choose(grid, np.array(curves), np.array(diverged), 1e-6).lr
    separate = time.perf_counter() - t0

    runs = len(RACE) * len(DEFAULT_GRID)
    print(
        f"{len(RACE)} optimizers x {len(DEFAULT_GRID)} lrs x {args.steps} steps "
        "on Beale"
    )
    print(f"  tune, first call (compile included): {first:6.2f} s")
    print(f"  tune, warm:                          {warm:6.2f} s")
    print(f"  {runs} separate run calls:            {separate:6.2f} s")
    print(
        f"  ratio first: {separate / first:5.1f}x   ratio warm: {separate / warm:5.1f}x"
    )
    same = all(tuned[n].lr == chosen[n] for n in RACE)
    print(
        f"  same choices: {same}  ({', '.join(f'{n} {tuned[n].lr:.3g}' for n in RACE)})"
    )


if __name__ == "__main__":
    main()
