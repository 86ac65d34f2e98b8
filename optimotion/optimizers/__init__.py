"""Optimizers as pure `init` / `update` pairs with `torch.optim`'s semantics.

Each factory (`sgd`, `adam`, ...) validates its hyperparameters, named and
defaulted as in `torch.optim`, and returns an `Optimizer`:
`update(grads, state, params) -> (updates, state)`, with the new parameters
`params + updates`. `lr` may be a number or a schedule from `schedules`.
"""

from . import schedules as schedules
from ._adadelta import AdadeltaState as AdadeltaState
from ._adadelta import adadelta as adadelta
from ._adagrad import AdagradState as AdagradState
from ._adagrad import adagrad as adagrad
from ._adam import AdamState as AdamState
from ._adam import adam as adam
from ._adam import adamw as adamw
from ._base import Optimizer as Optimizer
from ._registry import defaults as defaults
from ._registry import get as get
from ._registry import names as names
from ._registry import nice_name as nice_name
from ._registry import rebuild as rebuild
from ._rmsprop import RMSpropState as RMSpropState
from ._rmsprop import rmsprop as rmsprop
from ._sgd import SGDState as SGDState
from ._sgd import momentum as momentum
from ._sgd import nesterov as nesterov
from ._sgd import sgd as sgd
from .schedules import learning_rate as learning_rate

__all__ = [
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "Optimizer",
    "RMSpropState",
    "SGDState",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "defaults",
    "get",
    "nice_name",
    "learning_rate",
    "momentum",
    "names",
    "nesterov",
    "rebuild",
    "rmsprop",
    "schedules",
    "sgd",
]
