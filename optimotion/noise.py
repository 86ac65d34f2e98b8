"""Gradient estimators: the stochastic gradients of the seed documents.

`run(..., noise=...)`, `race`, `ensemble` and scenes' `noise:` take any of these.
Perturbations (`gaussian`, `curvature`, `heavy_tailed`, `perturbed`) add to the
gradient; sources (`shaking`, `minibatch`, `svrg`) make it from the surface;
`chain` composes one source with perturbations.
"""

from .dynamics import estimators as _estimators

SVRG = _estimators.SVRG
Chain = _estimators.Chain
Curvature = _estimators.Curvature
Gaussian = _estimators.Gaussian
GradientEstimator = _estimators.GradientEstimator
HeavyTailed = _estimators.HeavyTailed
Minibatch = _estimators.Minibatch
Perturbed = _estimators.Perturbed
Shaking = _estimators.Shaking
chain = _estimators.chain
curvature = _estimators.curvature
describe = _estimators.describe
gaussian = _estimators.gaussian
heavy_tailed = _estimators.heavy_tailed
minibatch = _estimators.minibatch
perturbed = _estimators.perturbed
shaking = _estimators.shaking
svrg = _estimators.svrg

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
