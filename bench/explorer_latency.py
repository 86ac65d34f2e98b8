"""Explorer latency: how long a click or a slider move takes after the first compile.

Six optimizers x 500 steps on Beale's function (the gallery's beale race, with
500 steps computed per interaction). For each interaction it reports the median
and 90th percentile over 30 tries of

- recompute: the compiled race (start, learning rates and noise are traced
  arguments) plus the NumPy prefix and track preparation;
- interaction: what the event handler does in total on the Agg canvas, the
  drawing included (a click blits unless the loss view's limits must change; a
  slider move redraws the figure, as the slider itself must be redrawn);

and checks that the number of compiled programs never grows.

    .venv/bin/python bench/explorer_latency.py
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

TRIES = 30


def _report(name: str, seconds: list[float]) -> None:
    ms = sorted(1000 * s for s in seconds)
    p90 = ms[min(len(ms) - 1, math.ceil(0.9 * len(ms)) - 1)]
    print(f"{name:<34} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms")


def main() -> int:
    import optimotion
    from optimotion.dynamics._run import _compiled
    from optimotion.scene import gallery_path, load_scene

    scene = load_scene(gallery_path("beale"), ["steps=500"])
    start = time.perf_counter()
    explorer = optimotion.explore(scene, max_steps=500)
    explorer.fig.canvas.draw()
    print(f"open (first compile + figure): {time.perf_counter() - start:.2f} s")
    print(f"{len(explorer.labels)} optimizers x {explorer.max_steps} steps computed")
    compiled = _compiled._cache_size()
    rng = np.random.default_rng(0)
    (x0, x1), (y0, y1) = explorer.surface.window

    recompute, clicks = [], []
    for _ in range(TRIES):
        explorer.state.start = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        t = time.perf_counter()
        explorer.state.compute()
        recompute.append(time.perf_counter() - t)
    for _ in range(TRIES):
        xy = (rng.uniform(x0, x1), rng.uniform(y0, y1))
        t = time.perf_counter()
        explorer.restart_from(xy)
        clicks.append(time.perf_counter() - t)
    lr_moves, noise_moves, step_moves = [], [], []
    adam = explorer.sliders[explorer.labels[-1]]
    for k in range(TRIES):
        t = time.perf_counter()
        adam.set_val(adam.valmin + (k % 10 + 0.5) / 10 * (adam.valmax - adam.valmin))
        lr_moves.append(time.perf_counter() - t)
        t = time.perf_counter()
        explorer.sliders["noise"].set_val(0.05 * (k % 5))
        noise_moves.append(time.perf_counter() - t)
        t = time.perf_counter()
        explorer.sliders["steps"].set_val(100 + 13 * k)
        step_moves.append(time.perf_counter() - t)
    _report("recompute (race + prefix)", recompute)
    _report("click (recompute + blit/draw)", clicks)
    _report("lr slider (recompute + draw)", lr_moves)
    _report("noise slider (recompute + draw)", noise_moves)
    _report("steps slider (prefix + draw)", step_moves)
    grown = _compiled._cache_size() - compiled
    print(f"compiled programs added by {5 * TRIES} interactions: {grown}")
    return 1 if grown else 0


if __name__ == "__main__":
    sys.exit(main())
