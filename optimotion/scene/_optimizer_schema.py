"""The `optimizers:` entries and learning-rate schedules, one model per registry name.

The models are made from the registries themselves: an optimizer's keys are the
hyperparameters `optimotion.optimizers.defaults(name)` lists (torch's names), a
schedule's keys are its factory's parameters, and each entry is built once while
validating, so a value the factory rejects is reported at its field and line.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from typing import Annotated, Any, Literal, Union

import pydantic
from pydantic import Discriminator, Field, Tag

from .. import optimizers
from ..optimizers import nice_name, schedules
from ._base import MAX_TEXT, Flag, Model, Number, Whole, fail, fail_many, text
from ._errors import did_you_mean
from ._noise_schema import NoiseSpec, build_noise


def _factory_error(error: Exception, name: str, fields: typing.Iterable[str]) -> None:
    """Report a factory's error at the field(s) its message names.

    The factories write "`adam`: lr must be >= 0, got -1.0; betas[1] must be in
    [0, 1), got 1.2": each `; `-separated part that starts with a field (and an
    optional index) becomes one problem at that field.
    """
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    message = re.sub(rf"^`{re.escape(name)}`: ", "", message)
    parts: list[str] = []
    for part in message.split("; "):
        if parts and part.startswith("did you mean"):
            parts[-1] += "; " + part
        else:
            parts.append(part)
    fields = set(fields)
    items: list[tuple[tuple[str | int, ...], str]] = []
    for part in parts:
        match = re.match(r"(\w+)(?:\[(\d+)\])? (.*)", part)
        if match and match.group(1) in fields:
            field, index, rest = match.groups()
            at = (field,) if index is None else (field, int(index))
            items.append((at, rest))
        else:
            items.append(((), part))
    fail_many(items)


# --- schedules -------------------------------------------------------------------


def _doc_args(fn: Any) -> dict[str, str]:
    """`{arg: description}` from a Google-style docstring's `Args:` section."""
    doc = inspect.getdoc(fn) or ""
    match = re.search(r"^Args:\n((?:[ \t]+.*\n?|\n)+)", doc, re.M)
    out: dict[str, str] = {}
    if match:
        for arg, desc in re.findall(
            r"^ {4}(\w+)[^:\n]*:\s*(.*(?:\n {8}.*)*)", match.group(1), re.M
        ):
            out[arg] = " ".join(desc.split())
    return out


def _scalar_type(annotation: Any, default: Any) -> Any:
    """The scene type of a factory parameter, from its annotation or default."""
    probe = default if default is not inspect.Parameter.empty else None
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = members[0] if len(members) == 1 else None
    if annotation is bool or isinstance(probe, bool):
        return Flag
    if annotation is int or (type(probe) is int and annotation is not float):
        return Whole
    if typing.get_origin(annotation) is Literal:
        return annotation
    if annotation is str or isinstance(probe, str):
        return str
    return Number


class ScheduleBase(Model):
    """A learning-rate schedule: `schedule:` names it, the other keys are its
    arguments (see `optimotion list schedules`)."""

    scene_name: typing.ClassVar[str] = ""

    def kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self if k != "schedule" and v is not None}

    def build(self) -> Any:
        return schedules.get(self.schedule, **self.kwargs())  # type: ignore[attr-defined]

    @pydantic.model_validator(mode="after")
    def _builds(self) -> ScheduleBase:
        try:
            self.build()
        except (ValueError, TypeError) as error:
            _factory_error(error, self.schedule, self.kwargs())  # type: ignore[attr-defined]
        return self


def _schedule_model(name: str) -> type[ScheduleBase]:
    fn = getattr(schedules, name)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 - unresolvable hints fall back to defaults
        hints = {}
    docs = _doc_args(fn)
    summary = (inspect.getdoc(fn) or name).splitlines()[0]
    fields: dict[str, Any] = {
        "schedule": (Literal[name], Field(description=f"`{name}`: {summary}"))
    }
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        tp = _scalar_type(hints.get(param.name), param.default)
        desc = docs.get(param.name, f"Argument `{param.name}` of `{name}`.")
        if param.default is inspect.Parameter.empty:
            fields[param.name] = (tp, Field(description=desc))
        else:
            default = param.default
            fields[param.name] = (
                tp | None,
                Field(None, description=f"{desc} Default: {default!r}."),
            )
    model = pydantic.create_model(
        f"{name.title().replace('_', '')}Schedule", __base__=ScheduleBase, **fields
    )
    model.__doc__ = summary
    model.scene_name = name
    return model


SCHEDULE_MODELS = {name: _schedule_model(name) for name in schedules.names()}

ScheduleSpec = Annotated[
    Union[tuple(SCHEDULE_MODELS.values())],  # noqa: UP007
    Field(discriminator="schedule"),
]


def _lr_kind(value: Any) -> str:
    if value == AUTO:
        return "~auto"
    return "~schedule" if isinstance(value, dict | ScheduleBase) else "~number"


AUTO = "auto"
"""`lr: auto`: the learning rate is chosen by `optimotion.tune` before the race."""

LearningRate = Annotated[
    Union[  # noqa: UP007
        Annotated[Number, Tag("~number")],
        Annotated[ScheduleSpec, Tag("~schedule")],
        Annotated[Literal["auto"], Tag("~auto")],
    ],
    Discriminator(_lr_kind),
]

# --- optimizers ------------------------------------------------------------------

HYPERPARAMETERS: dict[str, tuple[Any, str]] = {
    "lr": (
        LearningRate,
        "Learning rate α: a number, a schedule such as "
        "`{schedule: cosine, lr: 0.1, t_max: 300}`, or `auto` (chosen by "
        "`optimotion tune`'s grid search before the race; see the scene's `tune`).",
    ),
    "momentum": (Number, "Momentum factor μ."),
    "dampening": (Number, "Dampening τ of the momentum buffer."),
    "nesterov": (Flag, "Use Nesterov's look-ahead momentum."),
    "weight_decay": (Number, "Weight decay λ (L2 penalty; decoupled in adamw)."),
    "alpha": (
        Number,
        "rmsprop: smoothing constant of the squared-gradient average; asgd: power "
        "of the step-size decay.",
    ),
    "eps": (Number, "Term added to the denominator for numerical stability."),
    "centered": (Flag, "Normalize by an estimate of the gradient's variance."),
    "betas": (
        tuple[Number, Number],
        "`[β1, β2]`: decay rates of the gradient and squared-gradient averages.",
    ),
    "amsgrad": (Flag, "Use the maximum of past squared-gradient averages (AMSGrad)."),
    "rho": (Number, "Decay rate of the squared-gradient and update averages."),
    "lr_decay": (Number, "Learning-rate decay: α_t = α / (1 + (t - 1) lr_decay)."),
    "initial_accumulator_value": (
        Number,
        "Starting value of the sum of squared gradients.",
    ),
    "decoupled_weight_decay": (
        Flag,
        "Decay the parameters (AdamW style) instead of adding an L2 penalty.",
    ),
    "momentum_decay": (Number, "NAdam's ψ: how fast the momentum warms up to β1."),
    "etas": (
        tuple[Number, Number],
        "`[η-, η+]`: Rprop's step-size shrink and growth factors.",
    ),
    "step_sizes": (
        tuple[Number, Number],
        "`[min, max]`: bounds of Rprop's per-coordinate step size.",
    ),
    "lambd": (Number, "ASGD's decay term λ."),
    "t0": (Number, "ASGD: the step at which averaging starts."),
}
"""Scene type and description of each torch-named hyperparameter."""


class OptimizerBase(Model):
    """One racer: an optimizer by name, its hyperparameters, a label and a colour."""

    scene_name: typing.ClassVar[str] = ""

    label: str | None = Field(
        None,
        min_length=1,
        description="Legend label (default: the optimizer's name, e.g. 'RMSProp').",
    )
    color: str | None = Field(
        None,
        description="Trail colour, any matplotlib colour: 'crimson', 'tab:blue', "
        "'#d55e00' (default: the theme's colour-blind-safe palette).",
    )

    noise: NoiseSpec | None = Field(
        None,
        description="This optimizer's own gradient noise, as the scene's `noise:` "
        "(which it replaces); `null` for exact gradients. Default: the scene's.",
    )

    def own_noise(self) -> tuple[bool, Any]:
        """`(True, estimator or None)` if the entry sets its own `noise:` (null
        included), else `(False, None)`: the scene's noise applies."""
        if "noise" not in self.model_fields_set:
            return False, None
        return True, build_noise(self.noise)

    def hyperparams(self) -> dict[str, Any]:
        """The hyperparameters given in the scene (numbers and schedule models)."""
        common = ("name", "label", "color", "noise")
        return {k: v for k, v in self if k not in common and v is not None}

    def build(self) -> optimizers.Optimizer:
        """The optimizer, schedules built; with `lr: auto`, at its default lr
        until `tune` replaces it. Built once, when the entry is validated (its
        factory checks the hyperparameters), and kept: the scene's `build()`
        takes the same object."""
        return self._once("_optimizer", self._build)

    def _build(self) -> optimizers.Optimizer:
        hp = {
            k: v.build() if isinstance(v, ScheduleBase) else v
            for k, v in self.hyperparams().items()
            if not (k == "lr" and v == AUTO)
        }
        return optimizers.get(self.name, **hp)  # type: ignore[attr-defined]

    @property
    def auto_lr(self) -> bool:
        """Whether this entry's learning rate is `auto`."""
        return getattr(self, "lr", None) == AUTO

    @pydantic.field_validator("label")
    @classmethod
    def _label(cls, label: str | None) -> str | None:
        return None if label is None else text(label, "the label")

    @pydantic.field_validator("color")
    @classmethod
    def _color(cls, color: str | None) -> str | None:
        if color is not None:
            check_color(color)
        return color

    @pydantic.model_validator(mode="after")
    def _builds(self) -> OptimizerBase:
        try:
            self.build()
        except (ValueError, TypeError) as error:
            _factory_error(error, self.name, self.hyperparams())  # type: ignore[attr-defined]
        return self


def check_color(color: str) -> str:
    """Fail unless matplotlib reads `color` as a colour (suggesting a close name)."""
    from matplotlib import colors  # noqa: PLC0415 - only scenes that set a colour

    if not colors.is_color_like(color) or color.lower() == "none":
        names = [*colors.CSS4_COLORS, *colors.TABLEAU_COLORS, *colors.BASE_COLORS]
        hint = did_you_mean(color, names) or (
            "; expected a colour name ('crimson', 'tab:blue') or '#rrggbb'"
        )
        fail(f"unknown colour {color[:MAX_TEXT]!r}{hint}")
    return color


def _optimizer_model(name: str) -> type[OptimizerBase]:
    fields: dict[str, Any] = {
        "name": (Literal[name], Field(description=f"`{name}` ({nice_name(name)}).")),
    }
    for hp, default in optimizers.defaults(name).items():
        tp, desc = HYPERPARAMETERS.get(
            hp, (_scalar_type(None, default), f"Hyperparameter `{hp}`.")
        )
        fields[hp] = (
            tp | None,
            Field(None, description=f"{desc} Default: {default!r}."),
        )
    model = pydantic.create_model(
        f"{nice_name(name).replace(' ', '')}Optimizer", __base__=OptimizerBase, **fields
    )
    model.__doc__ = f"`{name}`: {nice_name(name)} and its hyperparameters."
    model.scene_name = name
    return model


OPTIMIZER_MODELS = {
    name: _optimizer_model(name) for name in optimizers.names("built-in")
}


def _scene_value(value: Any) -> Any:
    """A YAML value as a hyperparameter: lists become tuples (`betas: [0.9, 0.99]`)."""
    return tuple(value) if isinstance(value, list) else value


class _OpenOptimizer(OptimizerBase):
    """An entry whose keys are known only when it is checked (extra keys allowed,
    then compared with the optimizer's own parameters)."""

    model_config = pydantic.ConfigDict(extra="allow", frozen=True)
    _fixed: typing.ClassVar[tuple[str, ...]] = ("name", "label", "color")

    def given(self) -> dict[str, Any]:
        """The keys given beside the fixed ones, as written."""
        return {
            k: _scene_value(v)
            for k, v in (self.model_extra or {}).items()
            if k not in self._fixed
        }

    def _check_keys(self, accepted: typing.Iterable[str], owner: str) -> None:
        accepted = list(accepted)
        unknown = [k for k in self.given() if k not in accepted]
        if unknown:
            fail_many(
                [
                    (
                        (key,),
                        f"unknown key '{key}' for `{owner}`"
                        + (
                            did_you_mean(key, accepted)
                            or f"; expected one of {', '.join(sorted(accepted))}"
                        ),
                    )
                    for key in unknown
                ]
            )

    @pydantic.model_validator(mode="after")
    def _builds(self) -> _OpenOptimizer:
        self._check()
        try:
            self.build()
        except (ValueError, TypeError) as error:
            _factory_error(error, self.name, self.hyperparams())  # type: ignore[attr-defined]
        return self

    def _check(self) -> None:
        raise NotImplementedError


class RegisteredOptimizer(_OpenOptimizer):
    """An optimizer added with `optimotion.optimizers.register` (in Python or by a
    `--plugin` module): its keys are its factory's parameters."""

    name: str = Field(
        description="A name given to `optimotion.optimizers.register` (see "
        "`optimotion list optimizers`)."
    )

    def hyperparams(self) -> dict[str, Any]:
        return self.given()

    def _check(self) -> None:
        self._check_keys(optimizers.defaults(self.name), self.name)


class OptaxOptimizer(_OpenOptimizer):
    """An optax optimizer by name; its keyword arguments sit beside it."""

    _fixed = ("optax", "label", "color")
    optax: str = Field(
        description="An optax optimizer (`lion`, `adabelief`, `yogi`, `lamb`, "
        "`contrib.schedule_free_adamw`, ...) with its keyword arguments beside it: "
        "`{optax: lion, learning_rate: 0.001, b1: 0.9}`."
    )

    @property
    def name(self) -> str:
        return f"{_OPTAX}{self.optax}"

    def hyperparams(self) -> dict[str, Any]:
        return {("lr" if k == _OPTAX_LR else k): v for k, v in self.given().items()}

    def _check(self) -> None:
        functions = optimizers.optax_names()
        if self.optax not in functions:
            fail(
                f"unknown optax optimizer {self.optax!r}"
                + (
                    did_you_mean(self.optax, functions)
                    or "; see `optimotion list optimizers`"
                ),
                "optax",
            )
        accepted = inspect.signature(functions[self.optax]).parameters
        self._check_keys(accepted, self.name)
        if _OPTAX_LR not in self.given():
            fail("required field is missing", _OPTAX_LR)


_OPTAX = optimizers.OPTAX_PREFIX  # a scene writes `{optax: lion, ...}`
_OPTAX_LR = "learning_rate"
"""optax's name for what optimotion (as torch) calls `lr`."""


def optimizer_entry(optimizer: optimizers.Optimizer, label: str) -> dict[str, Any]:
    """The scene entry that builds `optimizer` again: `{name: adam, label: ...,
    lr: ...}`, or for one of optax's `{optax: lion, label: ..., learning_rate:
    ...}` (the inverse of `OptaxOptimizer.hyperparams`: the integers the registry
    keeps as text are integers again, optax's defaults are left out). Tuples are
    written as lists; a schedule's NamedTuple is left to the caller."""
    if not optimizer.name.startswith(_OPTAX):
        entry: dict[str, Any] = {"name": optimizer.name, "label": label}
        for key, value in optimizer.hyperparams.items():
            entry[key] = list(value) if isinstance(value, tuple) else value
        return entry
    function = optimizer.name.removeprefix(_OPTAX)
    params = inspect.signature(optimizers.optax_names()[function]).parameters
    entry = {"optax": function, "label": label}
    for key, value in optimizer.hyperparams.items():
        name = _OPTAX_LR if key == "lr" else key
        default = params[name].default if name in params else inspect.Parameter.empty
        if type(default) is int and isinstance(value, str):
            value = int(value)
        if name != _OPTAX_LR and value == default:
            continue
        entry[name] = list(value) if isinstance(value, tuple) else value
    return entry


def _optimizer_tag(value: Any) -> str | None:
    """Which model checks an `optimizers:` entry: a built-in's by its name,
    `~optax` for `{optax: ...}`, `~registered` for a name registered at run time."""
    if isinstance(value, dict):
        if "optax" in value and "name" not in value:
            return "~optax"
        name = value.get("name")
    else:
        if isinstance(value, OptaxOptimizer):
            return "~optax"
        name = getattr(value, "name", None)
    if (
        isinstance(name, str)
        and name not in OPTIMIZER_MODELS
        and name in optimizers.names("registered")
    ):
        return "~registered"
    return name if isinstance(name, str) else None


OptimizerSpec = Annotated[
    Union[  # noqa: UP007
        tuple(
            [
                *(Annotated[m, Tag(n)] for n, m in OPTIMIZER_MODELS.items()),
                Annotated[OptaxOptimizer, Tag("~optax")],
                Annotated[RegisteredOptimizer, Tag("~registered")],
            ]
        )
    ],
    Discriminator(
        _optimizer_tag,
        custom_error_type="optimizer_tag",  # read by `_translate` as a union tag
        custom_error_message="unknown optimizer",
        custom_error_context={"discriminator": "'name'"},
    ),
]
