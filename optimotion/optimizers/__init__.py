"""Optimizers as pure `init` / `update` pairs with `torch.optim`'s semantics.

Each factory (`sgd`, `adam`, ...) validates its hyperparameters, named and
defaulted as in `torch.optim`, and returns an `Optimizer`:
`update(grads, state, params) -> (updates, state)`, with the new parameters
`params + updates`. `lr` may be a number or a schedule from `schedules`.

`register` adds a user's `init`/`update` pair by name and `from_optax` any optax
optimizer; both then race, render and appear in scenes like the built-ins.
"""

from . import schedules as schedules
from ._adadelta import AdadeltaState as AdadeltaState
from ._adadelta import adadelta as adadelta
from ._adagrad import AdagradState as AdagradState
from ._adagrad import adagrad as adagrad
from ._adam import AdamState as AdamState
from ._adam import adam as adam
from ._adam import adamw as adamw
from ._adamax import AdamaxState as AdamaxState
from ._adamax import adamax as adamax
from ._asgd import ASGDState as ASGDState
from ._asgd import asgd as asgd
from ._base import Optimizer as Optimizer
from ._custom import register as register
from ._nadam import NAdamState as NAdamState
from ._nadam import nadam as nadam
from ._optax import from_optax as from_optax
from ._optax import optax_names as optax_names
from ._radam import RAdamState as RAdamState
from ._radam import radam as radam
from ._registry import OPTAX_PREFIX as OPTAX_PREFIX
from ._registry import color as color
from ._registry import defaults as defaults
from ._registry import get as get
from ._registry import names as names
from ._registry import nice_name as nice_name
from ._registry import rebuild as rebuild
from ._rmsprop import RMSpropState as RMSpropState
from ._rmsprop import rmsprop as rmsprop
from ._rprop import RpropState as RpropState
from ._rprop import rprop as rprop
from ._sgd import SGDState as SGDState
from ._sgd import momentum as momentum
from ._sgd import nesterov as nesterov
from ._sgd import sgd as sgd
from .schedules import learning_rate as learning_rate

__all__ = [
    "ASGDState",
    "OPTAX_PREFIX",
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "AdamaxState",
    "NAdamState",
    "Optimizer",
    "RAdamState",
    "RMSpropState",
    "RpropState",
    "SGDState",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "asgd",
    "color",
    "defaults",
    "from_optax",
    "get",
    "nice_name",
    "optax_names",
    "learning_rate",
    "momentum",
    "nadam",
    "names",
    "nesterov",
    "radam",
    "rebuild",
    "register",
    "rmsprop",
    "rprop",
    "schedules",
    "sgd",
]
