"""The `ensemble:` section of a scene: run every optimizer as n particles
(`optimotion.ensemble_race`) instead of one path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import pydantic
from pydantic import Field

from ..render import ENSEMBLE_VIEWS
from ._base import Model, Number, Point, Whole, fail

if TYPE_CHECKING:  # pragma: no cover
    from ._schema import Scene

MAX_PARTICLE_STEPS = 100_000_000
"""Most particles x steps x optimizers a scene may ask for (about a minute on two
CPU cores; the library's own limit, `optimotion.dynamics`, is 2·10⁹)."""
MAX_KEEP = 5_000
"""Most particles whose full paths a scene keeps (and draws)."""
DEFAULT_KEEP = 500
"""Paths kept when `keep` is not given (at most n): enough to look like a cloud."""


class EnsembleSettings(Model):
    """Run each optimizer as a cloud of particles, each with its own noise."""

    n: Annotated[Whole, Field(ge=1)] = Field(
        description="Particles per optimizer; n x steps x optimizers is at most "
        f"{MAX_PARTICLE_STEPS:,}."
    )
    spread: Annotated[Number, Field(ge=0)] = Field(
        0.0,
        description="Particles start at the start point plus N(0, spread²) in each "
        "coordinate.",
    )
    keep: Annotated[Whole, Field(ge=1, le=MAX_KEEP)] | None = Field(
        None,
        description="Particles whose full paths are kept and drawn by the `cloud` "
        f"and `distribution` views, at most n (default: min(n, {DEFAULT_KEEP})).",
    )
    exit_radius: Annotated[Number, Field(gt=0)] | None = Field(
        None,
        description="A particle escapes at its first step farther than this from "
        "`center` (needed by the `survival` view and escape statistics).",
    )
    center: Point | None = Field(
        None,
        description="`[x, y]` distances are measured from (default: the surface's "
        "critical point nearest to the start).",
    )

    @pydantic.model_validator(mode="after")
    def _keep(self) -> EnsembleSettings:
        if self.keep is not None and self.keep > self.n:
            fail(f"must be <= n ({self.n:,}), got {self.keep:,}", "keep")
        return self

    def kept(self) -> int:
        """The number of full paths kept."""
        return min(self.n, DEFAULT_KEEP) if self.keep is None else self.keep


def check_scene(scene: Scene) -> None:
    """The ensemble rules that involve other sections: the work limit, one start
        point, and views that need ensembles (or an exit radius; the .html format
    refuses ensemble views itself)."""
    settings = scene.ensemble
    views = list(scene.render.views)
    wanted = [v for v in views if v in ENSEMBLE_VIEWS]
    if settings is None:
        if wanted:
            fail(
                f"'{wanted[0]}' draws ensembles; add an `ensemble:` section "
                "(e.g. ensemble: {n: 1000})",
                "render",
                "views",
                views.index(wanted[0]),
            )
        return
    work = settings.n * scene.steps * len(scene.optimizers)
    if work > MAX_PARTICLE_STEPS:
        k = len(scene.optimizers)
        fail(
            f"{settings.n:,} particles x {scene.steps:,} steps x {k} "
            f"optimizer{'s' * (k != 1)} is {work:,} particle-steps; the limit is "
            f"{MAX_PARTICLE_STEPS:,}",
            "ensemble",
            "n",
        )
    if isinstance(scene.start, list) and len(scene.start) > 1:
        fail("an ensemble scene has one start point", "start")
    if "survival" in wanted and settings.exit_radius is None:
        fail(
            "'survival' needs ensemble.exit_radius",
            "render",
            "views",
            views.index("survival"),
        )
