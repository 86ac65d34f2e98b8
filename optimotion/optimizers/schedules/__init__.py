"""Learning-rate schedules: pass one as `lr` to any optimizer.

A schedule is a NamedTuple pytree called as `schedule(step)`, where `step` is the
number of updates already taken; its values follow `torch.optim.lr_scheduler`
stepped once per optimizer step.
"""

from ._factories import constant as constant
from ._factories import cosine as cosine
from ._factories import cosine_warm_restarts as cosine_warm_restarts
from ._factories import cyclic as cyclic
from ._factories import exponential as exponential
from ._factories import inverse_time as inverse_time
from ._factories import step_decay as step_decay
from ._registry import defaults as defaults
from ._registry import get as get
from ._registry import names as names
from ._registry import parameters as parameters
from ._schedules import Constant as Constant
from ._schedules import Cosine as Cosine
from ._schedules import CosineWarmRestarts as CosineWarmRestarts
from ._schedules import Cyclic as Cyclic
from ._schedules import Exponential as Exponential
from ._schedules import InverseTime as InverseTime
from ._schedules import Schedule as Schedule
from ._schedules import StepDecay as StepDecay
from ._schedules import learning_rate as learning_rate

__all__ = [
    "Constant",
    "Cosine",
    "CosineWarmRestarts",
    "Cyclic",
    "Exponential",
    "InverseTime",
    "Schedule",
    "StepDecay",
    "constant",
    "cosine",
    "cosine_warm_restarts",
    "cyclic",
    "defaults",
    "exponential",
    "get",
    "inverse_time",
    "learning_rate",
    "names",
    "parameters",
    "step_decay",
]
