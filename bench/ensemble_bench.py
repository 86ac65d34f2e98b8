"""Ensemble benchmark: noisy SGD particles at the saddle x² − y², 1000 steps.

For each n (particles), in separate processes so that peak memory is each one's own:
  * optimotion.ensemble: SGD (lr 0.01) + additive Gaussian noise (σ 0.1), with its
    per-step statistics (mean loss, loss quantiles, mean and spread of log-distance,
    living count) reduced inside the scan, 64 paths kept; compile time (first call
    minus a warm call) and the warm call's time;
  * the baseline: a vectorised NumPy loop of the same update and the same
    statistics (PCG64 normals, `np.quantile` of the same sample of particles).
The two alternate, `--repeats` times each (default 2), and the fastest run of each
is kept: the machine is shared. Prints the times, the ratio and each process's peak
resident memory.

    .venv/bin/python bench/ensemble_bench.py [--sizes 10000 100000 1000000]
    .venv/bin/python bench/ensemble_bench.py --devices 2  # particles over 2 devices
    .venv/bin/python bench/ensemble_bench.py --draws   # the random draws alone
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

STEPS, LR, SIGMA, KEEP, SAMPLE = 1000, 0.01, 0.1, 64, 10_000
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def numpy_loop(n: int) -> float:
    rng = np.random.default_rng(0)
    x = np.zeros((n, 2))
    x[:, 1] = 1e-3
    kept = np.empty((STEPS + 1, KEEP, 2))
    stats = np.empty((STEPS + 1, 9))
    start = time.perf_counter()
    for t in range(STEPS + 1):
        loss = x[:, 0] ** 2 - x[:, 1] ** 2
        log_d = np.log(np.hypot(x[:, 0], x[:, 1]))
        stats[t, 0] = loss.mean()
        stats[t, 1:6] = np.quantile(loss[:SAMPLE], QUANTILES)
        stats[t, 6], stats[t, 7], stats[t, 8] = log_d.mean(), log_d.std(), n
        kept[t] = x[:KEEP]
        if t == STEPS:
            break
        grad = np.column_stack([2 * x[:, 0], -2 * x[:, 1]])
        x -= LR * (grad + SIGMA * rng.standard_normal((n, 2)))
    return time.perf_counter() - start


def optimotion_run(n: int) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    import optimotion
    from optimotion import noise, optimizers, surfaces

    imported = time.perf_counter() - t0
    args = (surfaces.get("saddle"), optimizers.sgd(lr=LR), (0.0, 1e-3), STEPS)
    kwargs = dict(n=n, noise=noise.gaussian(SIGMA), keep=KEEP, center=(0.0, 0.0))
    t0 = time.perf_counter()
    optimotion.ensemble(*args, **kwargs)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    optimotion.ensemble(*args, **kwargs, seed=1)  # a new seed: no recompilation
    warm = time.perf_counter() - t0
    return imported, first - warm, warm


def draws_only(n: int = 100_000, steps: int = 200, repeats: int = 3) -> None:
    """ns per particle-step of the ensemble's draws alone, each in a scan with a
    trivial update, interleaved and repeated (the minimum is printed): the
    shipped draw (`_normal` on the bits of `fold_in(key_i, t)`: one threefry
    block), the draw before it (`jax.random.normal(fold_in(key_i, t))`: two
    blocks), Box-Muller on the same block's bits, and the block alone."""
    import jax
    import jax.numpy as jnp

    from optimotion.dynamics._estimators import _normal

    jax.config.update("jax_enable_x64", True)
    keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(
        jax.random.key(0), jnp.arange(n)
    )

    def shipped(k, t):
        return _normal(jax.random.fold_in(k, t), (2,), jnp.float64)

    def two_blocks(k, t):
        xi = jax.random.normal(jax.random.fold_in(k, t), (2,), jnp.float32)
        return xi.astype(jnp.float64)

    def unit(k, t):
        bits = jax.random.key_data(jax.random.fold_in(k, t))
        return (bits >> 8).astype(jnp.float32) / 2**24

    def box_muller(k, t):
        u = unit(k, t)
        r, angle = jnp.sqrt(-2 * jnp.log1p(-u[0])), 2 * jnp.pi * u[1]
        return jnp.stack([r * jnp.cos(angle), r * jnp.sin(angle)]).astype(jnp.float64)

    def block_only(k, t):
        return unit(k, t).astype(jnp.float64)

    variants = {
        "shipped: one block + erf_inv": shipped,
        "before: fold_in + normal (two blocks)": two_blocks,
        "one block + Box-Muller": box_muller,
        "one block alone (no transform)": block_only,
    }
    runs = {}
    for name, draw in variants.items():

        @jax.jit
        def run(keys, draw=draw):
            def step(x, t):
                return 0.99 * x + 0.01 * jax.vmap(lambda k: draw(k, t))(keys), None

            return jax.lax.scan(step, jnp.zeros((n, 2)), jnp.arange(steps))[0]

        run(keys).block_until_ready()
        runs[name] = run
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run(keys).block_until_ready()
            best[name] = min(best[name], time.perf_counter() - t0)
    print(f"draws alone, n = {n:,}, {steps} steps, best of {repeats} (interleaved):")
    for name, seconds in best.items():
        print(f"  {name:<40} {seconds / (n * steps) * 1e9:5.1f} ns per particle-step")


def child(kind: str, n: int) -> None:
    if kind == "numpy":
        result = {"steady": numpy_loop(n)}
    else:
        imported, compile_s, warm = optimotion_run(n)
        result = {"import": imported, "compile": compile_s, "steady": warm}
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(kind: str, n: int, devices: int = 1) -> dict:
    env = dict(os.environ)
    if devices > 1:  # the ensemble shards its particles over every device
        flag = f"--xla_force_host_platform_device_count={devices}"
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {flag}".strip()
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(n)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout.splitlines()[-1])


def best(runs: list[dict]) -> dict:
    """The fastest of repeated runs (the machine is shared: the least disturbed)."""
    return min(runs, key=lambda r: r["steady"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    parser.add_argument("--repeats", type=int, default=2, help="runs of each, best")
    parser.add_argument(
        "--devices", type=int, default=1,
        help="force this many host devices for optimotion (particles sharded)",
    )  # fmt: skip
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--draws", action="store_true", help="the draws alone")
    args = parser.parse_args()
    if args.draws:
        draws_only()
        return
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    print(f"SGD + Gaussian noise at the saddle, {STEPS} steps, statistics every step;")
    print(f"NumPy and optimotion ({args.devices} device(s)) alternate, best of "
          f"{args.repeats}")  # fmt: skip
    print(f"{'n':>9} {'numpy s':>8} {'jax compile':>11} {'jax steady':>10} "
          f"{'ratio':>6} {'numpy MiB':>9} {'jax MiB':>8}")  # fmt: skip
    for n in args.sizes:
        numpy_runs, our_runs = [], []
        for _ in range(args.repeats):
            numpy_runs.append(measure("numpy", n))
            our_runs.append(measure("optimotion", n, args.devices))
        base, ours = best(numpy_runs), best(our_runs)
        ratio = base["steady"] / ours["steady"]
        print(
            f"{n:>9,} {base['steady']:>8.2f} {ours['compile']:>11.2f} "
            f"{ours['steady']:>10.2f} {ratio:>5.1f}x {base['peak_mib']:>9.0f} "
            f"{ours['peak_mib']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
