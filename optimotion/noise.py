"""Gradient noise models for `optimotion.run(..., noise=...)`."""

from .dynamics._noise import Gaussian as Gaussian
from .dynamics._noise import Noise as Noise
from .dynamics._noise import gaussian as gaussian

__all__ = ["Gaussian", "Noise", "gaussian"]
