"""The dynamics: optimizers run on surfaces as one compiled `jax.lax.scan`."""

from .._trajectory import Trajectory as Trajectory
from . import _estimators as estimators
from ._ensemble import Ensemble as Ensemble
from ._ensemble import ensemble as ensemble
from ._ensemble import ensemble_race as ensemble_race
from ._run import race as race
from ._run import run as run
from ._step import Record as Record
from ._tune import Tuned as Tuned
from ._tune import tune as tune

__all__ = [
    "Ensemble",
    "Record",
    "Trajectory",
    "Tuned",
    "ensemble",
    "ensemble_race",
    "estimators",
    "race",
    "run",
    "tune",
]
