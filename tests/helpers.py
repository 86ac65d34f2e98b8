"""Shared test data: a bowl surface and hand-made straight-line paths on it."""

from __future__ import annotations

import contextlib
import pathlib
import subprocess
import sys
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np

from optimotion import cli
from optimotion.dynamics import Trajectory
from optimotion.surfaces import Surface


def fresh_python(code: str, *args: str, **kwargs) -> str:
    """The stdout of `python -c CODE ARGS` in a fresh interpreter (this test
    process has imported JAX and matplotlib already), run from tests/; `kwargs`
    go to `subprocess.run` (e.g. `env`)."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True,
        check=True, timeout=600, cwd=pathlib.Path(__file__).parent, **kwargs,
    )  # fmt: skip
    return out.stdout


def run_cli(argv, capsys) -> tuple[int, str, str]:
    """`(exit code, stdout, stderr)` of `optimotion ARGV`, in this process."""
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@contextlib.contextmanager
def count_compiles() -> Iterator[list[str]]:
    """A list that collects one entry per XLA program compiled inside the block
    (JAX's public monitoring events), e.g.

        with count_compiles() as compiled:
            optimotion.run(...)
        assert compiled == []
    """
    compiled: list[str] = []

    def listener(event: str, duration: float, **kwargs) -> None:
        if event == "/jax/core/compile/backend_compile_duration":
            compiled.append(kwargs.get("fun_name", "?"))

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield compiled
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


BOWL = Surface(
    name="bowl",
    fn=lambda x, y: x**2 + y**2,
    formula="x**2 + y**2",
    latex="x^2 + y^2",
    window=((-2.0, 2.0), (-2.0, 2.0)),
    start=(0.0, 0.0),
    minima=((0.0, 0.0),),
)


def step_normals(key, steps: int) -> np.ndarray:
    """(steps, 2) the documented draws of step t = 0, 1, ..., written out: the
    two 32-bit words of `fold_in(key, t)`, their top 23 bits as u uniform on
    [-1, 1) (clipped to nextafter(-1, 0)), ξ = √2 erf⁻¹(u) in float32 (XLA's
    erf⁻¹, as `jax.random.normal`), widened to float64."""
    with jax.enable_x64(True):
        words = np.stack(
            [
                np.asarray(jax.random.key_data(jax.random.fold_in(key, t)))
                for t in range(steps)
            ]
        )
    unit = ((words >> 9) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)
    low = np.nextafter(np.float32(-1), np.float32(0))
    u = np.maximum(low, unit * (np.float32(1) - low) + low)
    erf_inv = np.asarray(jax.lax.erf_inv(jnp.asarray(u, jnp.float32)))
    return (np.float32(np.sqrt(2)) * erf_inv).astype(np.float64)


def line(start, end, steps: int) -> Trajectory:
    """A hand-made path on BOWL: `steps` equal steps along a straight line."""
    xy = np.linspace(start, end, steps + 1)
    return Trajectory(
        xy=xy,
        loss=np.asarray(BOWL(jnp.asarray(xy[:, 0]), jnp.asarray(xy[:, 1]))),
        grad=2 * xy,
        step_length=np.linalg.norm(np.diff(xy, axis=0), axis=1),
        state={},
        diverged_at=None,
        lr=np.full(steps, 0.1),
    )


def two_lines(steps: int) -> dict[str, Trajectory]:
    """Two paths crossing the bowl in opposite directions, below and above y = 0."""
    return {
        "low": line((-1.5, -1.0), (1.5, -1.0), steps),
        "high": line((1.5, 1.0), (-1.5, 1.0), steps),
    }
