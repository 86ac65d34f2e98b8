"""`ensemble` and `ensemble_race`: many noisy particles, their statistics reduced
inside one compiled scan.

Each particle is a path of `race` (the same `Path.step`, vmapped over particles)
with its own PRNG key `fold_in(key(seed), i)`: particle i is the same whatever n
is, and `run(..., seed=ensemble.key(i), x0=ensemble.start[i])` replays it. Memory
is bounded: per step the scan emits only the statistics and the first `keep`
particles' positions, so n = 10⁶ particles x 10³ steps stays in a few hundred MB.
Unsharded, more than `CHUNK` particles run in even chunks of up to about `CHUNK`,
each scanned through every step while its state stays in cache (about 2x faster
at n = 10⁶); the per-step statistics are combined across chunks (sums, and Chan
et al.'s parallel formula for the spread of log-distance), the quantiles and the
kept paths come from the first chunk.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._atomic import atomic_open
from ..optimizers import Optimizer
from ..surfaces import Surface
from ._estimators import _normal
from ._run import _check_start, _check_steps, estimators_for, path_key
from ._step import Path, rebuild, split, traced, untraced

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The loss quantiles an ensemble reports per step."""

QUANTILE_SAMPLE = 10_000
"""Loss quantiles are taken over the first min(n, QUANTILE_SAMPLE) particles (an
exact sort per step; particles are exchangeable, so these are a random sample)."""

CHUNK = 2**15
"""Unsharded ensembles of more than CHUNK particles run in even chunks of up to
about CHUNK (`_chunk`), each through every step (its state stays in cache), their
statistics combined."""

MAX_PARTICLE_STEPS = 2 * 10**9
"""The most particles x steps one ensemble may take."""

_START = 0x53544152  # fold-in tag of the start perturbations ("STAR")


class Stats(NamedTuple):
    """The statistics of one step, reduced over the living particles."""

    loss_mean: jax.Array
    loss_quantiles: jax.Array  # (len(QUANTILES),)
    mean_log_distance: jax.Array
    std_log_distance: jax.Array
    alive: jax.Array  # number of particles not diverged


@dataclasses.dataclass(frozen=True, eq=False)
class Ensemble:
    """n particles of one optimizer, as NumPy arrays.

    Attributes:
        final: final positions, (n, 2); NaN for diverged particles.
        start: start positions, (n, 2): x0 plus N(0, spread² I).
        paths: the first `keep` particles' positions, (keep, steps + 1, 2).
        loss_mean: mean loss over the living particles, (steps + 1,).
        loss_quantiles: the `QUANTILES` of the loss per step, (steps + 1, 5),
            over the first min(n, `QUANTILE_SAMPLE`) living particles.
        mean_log_distance: mean of log‖x_t − center‖ over the living particles,
            (steps + 1,).
        std_log_distance: its standard deviation over particles, (steps + 1,).
        alive: how many particles have not diverged, per step, (steps + 1,).
        exit_step: (n,) the first step t with ‖x_t − center‖ > exit_radius (a
            diverging particle exits when it diverges), or -1; None without
            `exit_radius`.
        diverged: (n,) whether each particle diverged (left the window by 100
            spans or became non-finite).
        center: the point distances are measured from.
        exit_radius: the escape radius, or None.
        seed: the seed the particle keys derive from.
        lr: the learning rate used at each step, (steps,).
    """

    final: np.ndarray
    start: np.ndarray
    paths: np.ndarray
    loss_mean: np.ndarray
    loss_quantiles: np.ndarray
    mean_log_distance: np.ndarray
    std_log_distance: np.ndarray
    alive: np.ndarray
    exit_step: np.ndarray | None
    diverged: np.ndarray
    center: tuple[float, float]
    exit_radius: float | None
    seed: int
    lr: np.ndarray

    @property
    def n(self) -> int:
        return len(self.final)

    @property
    def steps(self) -> int:
        return len(self.loss_mean) - 1

    def key(self, i: int) -> jax.Array:
        """Particle i's PRNG key: `run(..., seed=ensemble.key(i),
        x0=ensemble.start[i])` replays its path."""
        return jax.random.fold_in(jax.random.key(self.seed), i)

    def survival(self) -> np.ndarray:
        """(steps + 1,) the fraction of particles not yet escaped at each step."""
        if self.exit_step is None:
            raise ValueError("`Ensemble.survival`: needs exit_radius")
        t = np.arange(self.steps + 1)
        escaped = (self.exit_step[None, :] >= 0) & (
            self.exit_step[None, :] <= t[:, None]
        )
        return 1.0 - escaped.mean(axis=1)

    def statistics(self) -> dict[str, np.ndarray]:
        """The per-step statistics as columns (`step`, `loss_mean`, `loss_q05`,
        ..., `mean_log_distance`, `std_log_distance`, `alive`, `survival`)."""
        columns = {"step": np.arange(self.steps + 1), "loss_mean": self.loss_mean}
        for q, column in zip(QUANTILES, self.loss_quantiles.T, strict=True):
            columns[f"loss_q{round(q * 100):02d}"] = column
        columns["mean_log_distance"] = self.mean_log_distance
        columns["std_log_distance"] = self.std_log_distance
        columns["alive"] = self.alive
        if self.exit_step is not None:
            columns["survival"] = self.survival()
        return columns

    def to_csv(self, path: str | os.PathLike) -> None:
        """The per-step statistics, one row a step; floats exact (repr)."""
        columns = self.statistics()
        with atomic_open(path, newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in zip(*columns.values(), strict=True):
                writer.writerow(
                    [
                        int(v) if isinstance(v, np.integer) else repr(float(v))
                        for v in row
                    ]
                )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the settings, the per-step statistics and the escape
        summary (non-finite values become None)."""

        def clean(a: Any) -> Any:
            a = np.asarray(a, dtype=np.float64)
            return np.where(np.isfinite(a), a, None).tolist()

        exits = self.exit_step
        return {
            "n": self.n,
            "steps": self.steps,
            "seed": self.seed,
            "center": list(self.center),
            "exit_radius": self.exit_radius,
            "diverged": int(self.diverged.sum()),
            "escaped": None if exits is None else int((exits >= 0).sum()),
            "statistics": {k: clean(v) for k, v in self.statistics().items()},
        }

    def to_json(self, path: str | os.PathLike) -> None:
        with atomic_open(path, encoding="utf-8") as f:
            json.dump(self.to_dict(), f)


def _stats(surface: Surface, params, alive, center, sample: int) -> Stats:
    """A step's statistics over all particles: one chunk's `_partial`."""
    whole = jax.tree.map(lambda a: a[None], _partial(surface, params, alive, center))
    quantiles = _sample_quantiles(surface, params, alive, sample)
    return _combine(whole, quantiles)


def _partial(surface: Surface, params, alive, center) -> tuple:
    """One chunk's share of a step's statistics: (loss sum, loss count, living
    count, mean log-distance, its sum of squared deviations), for `_combine`."""
    loss = jax.vmap(surface.loss)(params)
    finite = alive & ~jnp.isnan(loss)
    count = jnp.sum(alive)
    log_d = jnp.where(
        alive, jnp.log(jnp.linalg.norm(params - center[None], axis=-1)), 0.0
    )
    mean = jnp.where(count > 0, jnp.sum(log_d) / jnp.maximum(count, 1), 0.0)
    m2 = jnp.sum(jnp.where(alive, (log_d - mean) ** 2, 0.0))
    return jnp.sum(jnp.where(finite, loss, 0.0)), jnp.sum(finite), count, mean, m2


def _combine(parts: tuple, quantiles) -> Stats:
    """Stats from chunks' `_partial`s stacked on axis 0 (Chan et al.'s parallel
    mean and M2), with the quantiles taken from the first chunk."""
    loss_sum, loss_count, count, mean, m2 = parts
    total = jnp.sum(count, axis=0)
    grand = jnp.sum(count * mean, axis=0) / total
    m2 = jnp.sum(m2, axis=0) + jnp.sum(count * (mean - grand[None]) ** 2, axis=0)
    return Stats(
        loss_mean=jnp.sum(loss_sum, axis=0) / jnp.sum(loss_count, axis=0),
        loss_quantiles=quantiles,
        mean_log_distance=grand,
        std_log_distance=jnp.sqrt(m2 / total),
        alive=total,
    )


def _simulate(
    x0, spread, hparams, estimators, key, center, exit_radius,
    *, surface, specs, steps, n, keep, sharding, chunk=None, sample=None,
):  # fmt: skip
    """The compiled program: every optimizer's n particles, one scan. With a
    `sharding`, the particle axis (padded to a multiple of the devices with
    particles born dead) is split across devices. With a `chunk` (unsharded, n >
    chunk >= keep, sample), the particles (padded to a multiple of chunk with
    particles born dead) run chunk by chunk, each through every step."""
    sample = min(n, QUANTILE_SAMPLE) if sample is None else sample
    if chunk is not None:
        total = -(-n // chunk) * chunk
    elif sharding is None:
        total = n
    else:
        total = -(-n // sharding.mesh.size) * sharding.mesh.size

    def spread_out(x: Any) -> Any:
        if sharding is None:
            return x
        return jax.tree.map(lambda a: jax.lax.with_sharding_constraint(a, sharding), x)

    index = spread_out(jnp.arange(total))
    keys = jax.vmap(jax.random.fold_in, in_axes=(None, 0))(key, index)
    noise = jax.vmap(lambda k: _normal(jax.random.fold_in(k, _START), (2,), x0.dtype))
    starts = x0[None] + spread * noise(keys)
    paths = [
        Path(rebuild(spec, hp), untraced(est), surface)
        for spec, hp, est in zip(specs, hparams, estimators, strict=True)
    ]
    born = index < n

    def init(path: Path, starts, born) -> tuple:
        c = jax.vmap(path.init)(starts)
        return spread_out((c._replace(alive=born), jnp.full(len(born), -1, jnp.int32)))

    def initial(starts, born) -> tuple:
        carry = tuple(init(path, starts, born) for path in paths)
        if exit_radius is not None:  # a start already outside has exited at step 0
            outside = jnp.linalg.norm(starts - center[None], axis=-1) > exit_radius
            carry = tuple((c, jnp.where(outside, 0, e)) for c, e in carry)
        return carry

    def advance(path, c, exits, keys, t):
        new, record = jax.vmap(path.step, in_axes=(0, 0, None))(c, keys, t)
        if exit_radius is not None:
            far = jnp.linalg.norm(new.params - center[None], axis=-1) > exit_radius
            left = c.alive & (far | ~new.alive)
            exits = jnp.where((exits < 0) & left, t + 1, exits)
        return new, exits, record

    if chunk is not None:
        return _chunked(
            surface, paths, keys, starts, born, initial, advance, center,
            steps=steps, n=n, keep=keep, chunk=chunk, sample=sample,
        )  # fmt: skip

    def step(carry, t):
        out_carry, out_record = [], []
        for path, (c, exits) in zip(paths, carry, strict=True):
            stats = _stats(surface, c.params, c.alive, center, sample)
            new, exits, record = advance(path, c, exits, keys, t)
            out_carry.append((new, exits))
            out_record.append((stats, record.xy[:keep], record.lr[0]))
        return tuple(out_carry), tuple(out_record)

    carry = initial(starts, born)
    last, records = jax.lax.scan(step, carry, jnp.arange(steps, dtype=jnp.int32))
    finals = tuple(
        (
            _stats(surface, c.params, c.alive, center, sample),
            c.params[:n],
            c.alive[:n],
            e[:n],
        )
        for c, e in last
    )
    return starts[:n], records, finals


def _chunked(
    surface, paths, keys, starts, born, initial, advance, center,
    *, steps, n, keep, chunk, sample,
):  # fmt: skip
    """`_simulate` chunk by chunk: the first chunk (which holds the quantile sample
    and the kept paths) in its own scan, the others under `lax.map`; each emits
    its `_partial` statistics per step, combined across chunks afterwards."""
    ts = jnp.arange(steps, dtype=jnp.int32)

    def run(keys, starts, born, first: bool):
        def step(carry, t):
            out_carry, out_record = [], []
            for path, (c, exits) in zip(paths, carry, strict=True):
                part = _partial(surface, c.params, c.alive, center)
                new, exits, record = advance(path, c, exits, keys, t)
                out_carry.append((new, exits))
                if first:
                    q = _sample_quantiles(surface, c.params, c.alive, sample)
                    out_record.append((part, q, record.xy[:keep], record.lr[0]))
                else:
                    out_record.append(part)
            return tuple(out_carry), tuple(out_record)

        last, records = jax.lax.scan(step, initial(starts, born), ts)
        ends = tuple(
            (_partial(surface, c.params, c.alive, center), c.params, c.alive, e)
            for c, e in last
        )
        if first:
            ends = tuple(
                (*end, _sample_quantiles(surface, c.params, c.alive, sample))
                for end, (c, _) in zip(ends, last, strict=True)
            )
        return records, ends

    head, head_ends = run(keys[:chunk], starts[:chunk], born[:chunk], True)
    shape = (-1, chunk)
    rest, rest_ends = jax.lax.map(
        lambda a: run(*a, False),
        (
            keys[chunk:].reshape(shape),
            starts[chunk:].reshape(*shape, 2),
            born[chunk:].reshape(shape),
        ),
    )

    def stack(first, others):  # a chunk axis in front
        return jax.tree.map(lambda a, b: jnp.concatenate([a[None], b]), first, others)

    records, finals = [], []
    for (part, q, xy, lr), others, end, other_end in zip(
        head, rest, head_ends, rest_ends, strict=True
    ):
        records.append((_combine(stack(part, others), q), xy, lr))
        end_part, params, alive, exits, end_q = end
        o_part, o_params, o_alive, o_exits = other_end
        finals.append(
            (
                _combine(stack(end_part, o_part), end_q),
                jnp.concatenate([params, o_params.reshape(-1, 2)])[:n],
                jnp.concatenate([alive, o_alive.reshape(-1)])[:n],
                jnp.concatenate([exits, o_exits.reshape(-1)])[:n],
            )
        )
    return starts[:n], tuple(records), tuple(finals)


def _sample_quantiles(surface: Surface, params, alive, sample: int) -> jax.Array:
    """The `QUANTILES` of the loss over the first `sample` living particles."""
    loss = jax.vmap(surface.loss)(params[:sample])
    quantiles = jnp.asarray(QUANTILES)
    return jnp.nanquantile(jnp.where(alive[:sample], loss, jnp.nan), quantiles)


_compiled = jax.jit(
    _simulate,
    static_argnames=(
        "surface",
        "specs",
        "steps",
        "n",
        "keep",
        "sharding",
        "chunk",
        "sample",
    ),
)


def _sharding() -> jax.sharding.NamedSharding | None:
    """The particle axis over every device, when JAX sees more than one."""
    devices = jax.devices()
    if len(devices) < 2:
        return None
    mesh = jax.sharding.Mesh(np.array(devices), ("particles",))
    return jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("particles"))


def ensemble_race(
    surface: Surface,
    optimizers_by_label: Mapping[str, Optimizer],
    x0: jax.typing.ArrayLike,
    steps: int,
    *,
    n: int,
    noise: Any = None,
    seed: int = 0,
    spread: float = 0.0,
    keep: int = 64,
    exit_radius: float | None = None,
    center: jax.typing.ArrayLike | None = None,
) -> dict[str, Ensemble]:
    """Ensembles of several optimizers in one compiled program (as `race`).

    Particle i of every optimizer has the same key and start (common random
    numbers). Arguments as for `ensemble`; `noise` may also be
    `{label: estimator}`.
    """
    api = "ensemble"
    if not optimizers_by_label:
        raise ValueError(f"`{api}`: needs at least one optimizer, got none")
    start = _check_start(x0)
    steps = _check_steps(steps)
    n = _count(api, "n", n, 1)
    keep = _count(api, "keep", keep, 0)
    if keep > n:
        raise ValueError(f"`{api}`: keep must be in [0, n={n}], got {keep}")
    if n * steps * len(optimizers_by_label) > MAX_PARTICLE_STEPS:
        raise ValueError(
            f"`{api}`: n x steps x optimizers = "
            f"{n * steps * len(optimizers_by_label):,}"
            f" is over the limit of {MAX_PARTICLE_STEPS:,}"
        )
    spread = _real(api, "spread", spread, low=0.0)
    seed = _count(api, "seed", seed, 0)
    if exit_radius is not None:
        exit_radius = _real(api, "exit_radius", exit_radius, low=0.0, strict=True)
    point = _center(surface, start, center)
    labels = list(optimizers_by_label)
    estimators = estimators_for(labels, noise, surface, api)
    sharding, sample = _sharding(), min(n, QUANTILE_SAMPLE)
    chunk = _chunk(n, keep, sample) if sharding is None else None
    with jax.enable_x64(True):
        key = path_key(seed, api)
        specs, hparams = zip(
            *(split(o) for o in optimizers_by_label.values()), strict=True
        )
        starts, records, finals = _compiled(
            jnp.asarray(start, jnp.float64),
            jnp.asarray(spread, jnp.float64),
            hparams,
            tuple(traced(e) for e in estimators),
            key,
            jnp.asarray(point, jnp.float64),
            None if exit_radius is None else jnp.asarray(exit_radius, jnp.float64),
            surface=surface,
            specs=tuple(specs),
            steps=steps,
            n=n,
            keep=keep,
            sharding=sharding,
            chunk=chunk,
            sample=sample,
        )
        starts, records, finals = jax.device_get((starts, records, finals))
    starts = np.asarray(starts)
    return {
        label: _ensemble(starts, record, final, point, exit_radius, seed, keep)
        for label, record, final in zip(labels, records, finals, strict=True)
    }


def ensemble(
    surface: Surface,
    optimizer: Optimizer,
    x0: jax.typing.ArrayLike,
    steps: int,
    *,
    n: int,
    noise: Any = None,
    seed: int = 0,
    spread: float = 0.0,
    keep: int = 64,
    exit_radius: float | None = None,
    center: jax.typing.ArrayLike | None = None,
) -> Ensemble:
    """n particles of one optimizer, each with its own noise, in one program.

    Args:
        surface: the loss surface.
        optimizer: the optimizer every particle uses.
        x0: the common start point (x, y).
        steps: updates per particle, >= 1.
        n: the number of particles, >= 1.
        noise: a gradient estimator (`optimotion.noise`), or None.
        seed: particle i's key is `fold_in(jax.random.key(seed), i)`.
        spread: particles start at x0 + N(0, spread² I) (from the particle's own
            key), >= 0.
        keep: how many particles' full paths to store (the first `keep`).
        exit_radius: record each particle's first step farther than this from
            `center` (`exit_step`, `survival()`), > 0.
        center: the point distances are measured from; default: the surface's
            critical point nearest to x0 (x0 itself if it has none).

    Returns:
        An `Ensemble` of NumPy arrays.

    Raises:
        ValueError: n < 1, keep outside [0, n], spread < 0, exit_radius <= 0,
            n x steps over `MAX_PARTICLE_STEPS`, or what `race` refuses.

    Examples:
        >>> import optimotion
        >>> from optimotion import noise, optimizers, surfaces
        >>> cloud = optimotion.ensemble(
        ...     surfaces.get("saddle"), optimizers.sgd(lr=0.01), (0.0, 0.0), 300,
        ...     n=1000, noise=noise.gaussian(0.1), exit_radius=1.0,
        ... )
        >>> cloud.final.shape, cloud.paths.shape
        ((1000, 2), (64, 301, 2))
        >>> bool(cloud.survival()[-1] < 0.5)  # most particles left the unit disc
        True
    """
    return ensemble_race(
        surface, {"_": optimizer}, x0, steps, n=n, noise=noise, seed=seed,
        spread=spread, keep=keep, exit_radius=exit_radius, center=center,
    )["_"]  # fmt: skip


def _ensemble(starts, record, final, center, exit_radius, seed, keep) -> Ensemble:
    stats, xy, lr = record
    last_stats, params, alive, exits = final
    params = np.where(np.asarray(alive)[:, None], params, np.nan)
    paths = np.concatenate([starts[:keep, None], np.swapaxes(xy, 0, 1)], axis=1)

    def series(name: str) -> np.ndarray:
        return np.concatenate(
            [
                np.asarray(getattr(stats, name)),
                np.asarray(getattr(last_stats, name))[None],
            ]
        )

    return Ensemble(
        final=params,
        start=starts,
        paths=paths,
        loss_mean=series("loss_mean"),
        loss_quantiles=series("loss_quantiles"),
        mean_log_distance=series("mean_log_distance"),
        std_log_distance=series("std_log_distance"),
        alive=series("alive").astype(np.int64),
        exit_step=None if exit_radius is None else np.asarray(exits, np.int64),
        diverged=~np.asarray(alive),
        center=(float(center[0]), float(center[1])),
        exit_radius=exit_radius,
        seed=seed,
        lr=np.asarray(lr, np.float64),
    )


def _chunk(n: int, keep: int, sample: int) -> int | None:
    """The chunk size for n unsharded particles: None (all at once) up to `CHUNK`,
    else n split evenly into ceil(n / CHUNK) chunks, rounded up to a multiple of 64
    (little padding); None if the kept paths or the quantile sample would not fit
    in the first chunk."""
    if n <= CHUNK:
        return None
    size = -(-n // -(-n // CHUNK))
    size = -(-size // 64) * 64
    return size if max(keep, sample) <= size else None


def _center(surface: Surface, start: np.ndarray, center: Any) -> np.ndarray:
    if center is not None:
        point = _check_start(center)
        return point
    points = surface.critical_points()
    if not points:
        return start
    xy = np.array([(p.x, p.y) for p in points])
    return xy[np.argmin(np.linalg.norm(xy - start, axis=1))]


def _count(api: str, name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"`{api}`: {name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"`{api}`: {name} must be >= {low}, got {value!r}")
    return int(value)


def _real(
    api: str, name: str, value: Any, *, low: float, strict: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise TypeError(f"`{api}`: {name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (value <= low if strict else value < low):
        bound = f"> {low:g}" if strict else f">= {low:g}"
        raise ValueError(f"`{api}`: {name} must be finite and {bound}, got {value!r}")
    return value
