"""Trajectory benchmark: a six-optimizer race on Beale's function, 10,000 steps.

Measures, in one process and one run:
  * optimotion.race: compile time (first call minus a warm call) and steps per
    second of the warm call (6 optimizers x 10,000 steps in one jit + lax.scan);
  * the baseline: a plain NumPy loop of the same updates (tests/reference.py, the
    torch.optim pseudo-code, one optimizer after another, hand-written gradient);
and prints the ratio and how closely the two agree (a path that bounces chaotically
around the minimum amplifies rounding, so two implementations part there).

    .venv/bin/python bench/core_bench.py [--steps 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
import reference  # noqa: E402

RACE = {
    "sgd": {"lr": 1e-3},
    "momentum": {"lr": 1e-3, "momentum": 0.9},
    "nesterov": {"lr": 1e-3, "momentum": 0.9},
    "adagrad": {"lr": 0.5},
    "rmsprop": {"lr": 1e-2},
    "adam": {"lr": 1e-2},
}
START = (1.0, 1.5)


def beale_grad(p: np.ndarray) -> np.ndarray:
    x, y = p
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return np.array(
        [
            2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
            2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y**2,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    import optimotion
    from optimotion import optimizers, surfaces

    t_import = time.perf_counter() - t0
    surface = surfaces.get("beale")
    entrants = {name: optimizers.get(name, **hp) for name, hp in RACE.items()}

    t0 = time.perf_counter()
    paths = optimotion.race(surface, entrants, START, args.steps)
    first = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        paths = optimotion.race(surface, entrants, START, args.steps)
        warm.append(time.perf_counter() - t0)
    warm_s = min(warm)

    numpy_s, ends = 0.0, {}
    for name, hp in RACE.items():
        t0 = time.perf_counter()
        xy, _ = reference.run(name, hp, beale_grad, START, args.steps)
        numpy_s += time.perf_counter() - t0
        ends[name] = xy

    total = len(RACE) * args.steps
    print(f"six-optimizer race on beale, {args.steps} steps each ({total} updates)")
    print(f"  import optimotion + jax      {t_import:8.2f} s")
    print(f"  first race (compile + run)   {first:8.2f} s")
    print(f"  compile (first - warm)       {first - warm_s:8.2f} s")
    rate = "{:8.3f} s  {:12,.0f} steps/s"
    print("  warm race                    " + rate.format(warm_s, total / warm_s))
    print("  NumPy loop (baseline)        " + rate.format(numpy_s, total / numpy_s))
    print(f"  warm race vs NumPy           {numpy_s / warm_s:8.1f}x faster")
    print(f"  first race vs NumPy          {numpy_s / first:8.1f}x")
    print("  agreement with the NumPy loop, per optimizer (max |xy difference|):")
    for name in RACE:
        gap = np.max(np.abs(paths[name].xy - ends[name]), axis=1)
        parted = np.flatnonzero(gap > 1e-9)
        where = f"  (> 1e-9 from step {parted[0]})" if parted.size else ""
        print(f"    {name:10s} {gap.max():8.1e}{where}")


if __name__ == "__main__":
    main()
