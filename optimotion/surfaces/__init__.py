"""Loss surfaces: pure `jax.numpy` functions of (x, y) with what a plot needs.

`get(name)` returns a shipped surface (`names()` lists them), `from_expression`
builds one from a formula, and `Surface.critical_points()` finds and classifies the
critical points of any of them.
"""

from ._catalog import get as get
from ._catalog import names as names
from ._catalog import register as register
from ._expression import MAX_LENGTH as MAX_LENGTH
from ._expression import from_expression as from_expression
from ._finite_sum import finite_sum as finite_sum
from ._surface import CriticalPoint as CriticalPoint
from ._surface import Surface as Surface
from ._surface import Window as Window

__all__ = [
    "MAX_LENGTH",
    "CriticalPoint",
    "Surface",
    "Window",
    "finite_sum",
    "from_expression",
    "get",
    "names",
    "register",
]
