"""Gradient estimators: the stochastic gradients of the seed documents.

`run(..., noise=...)`, `race`, `ensemble` and scenes' `noise:` take any of these.
Perturbations (`gaussian`, `curvature`, `heavy_tailed`, `perturbed`) add to the
gradient; sources (`shaking`, `minibatch`, `svrg`) make it from the surface;
`chain` composes one source with perturbations.
"""

from .dynamics._estimators import SVRG as SVRG
from .dynamics._estimators import Chain as Chain
from .dynamics._estimators import Curvature as Curvature
from .dynamics._estimators import Gaussian as Gaussian
from .dynamics._estimators import GradientEstimator as GradientEstimator
from .dynamics._estimators import HeavyTailed as HeavyTailed
from .dynamics._estimators import Minibatch as Minibatch
from .dynamics._estimators import Perturbed as Perturbed
from .dynamics._estimators import Shaking as Shaking
from .dynamics._estimators import chain as chain
from .dynamics._estimators import curvature as curvature
from .dynamics._estimators import describe as describe
from .dynamics._estimators import gaussian as gaussian
from .dynamics._estimators import heavy_tailed as heavy_tailed
from .dynamics._estimators import minibatch as minibatch
from .dynamics._estimators import perturbed as perturbed
from .dynamics._estimators import shaking as shaking
from .dynamics._estimators import svrg as svrg

__all__ = [
    "SVRG",
    "Chain",
    "Curvature",
    "Gaussian",
    "GradientEstimator",
    "HeavyTailed",
    "Minibatch",
    "Perturbed",
    "Shaking",
    "chain",
    "curvature",
    "describe",
    "gaussian",
    "heavy_tailed",
    "minibatch",
    "perturbed",
    "shaking",
    "svrg",
]
