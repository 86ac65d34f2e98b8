"""The dynamics: optimizers run on surfaces as one compiled `jax.lax.scan`."""

from . import _noise as noise
from ._run import Record as Record
from ._run import race as race
from ._run import run as run
from ._trajectory import Trajectory as Trajectory

__all__ = ["Record", "Trajectory", "noise", "race", "run"]
