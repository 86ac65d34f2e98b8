"""The `noise:` of a scene (and of an optimizer entry): one gradient estimator of
`optimotion.noise` chosen by `kind:`, or a list of them (a `noise.chain`).

Each model holds the factory's arguments under the factory's names; building it
calls the factory, so the rules (and the messages) are the library's own. Whether
the surface can serve an estimator (`minibatch` and `svrg` need a finite-sum
surface with at least `batch_size` examples) is checked by the scene, which knows
the surface: `check_surface`.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal, Union

import pydantic
from pydantic import Discriminator, Field, Tag

from ._base import Flag, Model, Number, Point, Whole, fail


def _sigma_kind(value: Any) -> str:
    return "~pair" if isinstance(value, list | tuple) else "~number"


PerAxisSigma = Annotated[
    Union[  # noqa: UP007
        Annotated[Annotated[Number, Field(ge=0)], Tag("~number")],
        Annotated[
            tuple[Annotated[Number, Field(ge=0)], Annotated[Number, Field(ge=0)]],
            Tag("~pair"),
        ],
    ],
    Discriminator(_sigma_kind),
]
"""sigma >= 0, or a pair `[sx, sy]`."""


class NoiseBase(Model):
    """One gradient estimator: `kind:` names it, the other keys are its arguments."""

    scene_name: typing.ClassVar[str] = ""

    def kwargs(self) -> dict[str, Any]:
        return {k: v for k, v in self if k != "kind" and v is not None}

    def build(self) -> Any:
        from .. import noise  # noqa: PLC0415

        return getattr(noise, self.kind)(**self.kwargs())  # type: ignore[attr-defined]

    @pydantic.model_validator(mode="after")
    def _builds(self) -> NoiseBase:
        from ._optimizer_schema import _factory_error  # noqa: PLC0415

        try:
            self.build()
        except (ValueError, TypeError) as error:
            _factory_error(error, self.kind, self.kwargs())  # type: ignore[attr-defined]
        return self


class GaussianNoise(NoiseBase):
    """`gaussian`: additive noise, the optimizers see ∇f + s ξ, ξ ~ N(0, I)."""

    kind: Literal["gaussian"] = Field(description="`gaussian`.")
    sigma: PerAxisSigma = Field(
        description="Standard deviation s per coordinate, or `[sx, sy]`."
    )
    sde: Flag | None = Field(
        None,
        description="Scale as a diffusion, s = sigma / √lr (noise per unit time: "
        "SGD is then the Euler–Maruyama step of dx = −∇f dt + sigma dW). "
        "Default: false.",
    )


class ShakingNoise(NoiseBase):
    """`shaking`: the surface is translated by δ ~ N(0, sigma² I) at every step."""

    kind: Literal["shaking"] = Field(description="`shaking`.")
    sigma: Annotated[Number, Field(ge=0)] = Field(
        description="Standard deviation of the translation."
    )


class CurvatureNoise(NoiseBase):
    """`curvature`: attractive noise, ∇f + s ξ ⊙ (x − center) (random curvature)."""

    kind: Literal["curvature"] = Field(description="`curvature`.")
    sigma: PerAxisSigma = Field(
        description="Noise scale s, or `[sx, sy]`; it multiplies the distance from "
        "the centre."
    )
    center: Point | None = Field(
        None, description="`[x, y]` where the noise vanishes. Default: [0, 0]."
    )
    sde: Flag | None = Field(
        None,
        description="Scale as a diffusion, s = sigma / √lr (the seed's σ x dW: the "
        "saddle's growth rate becomes a − sigma²/2). Default: false.",
    )


class HeavyTailedNoise(NoiseBase):
    """`heavy_tailed`: Student-t gradient noise, ∇f + sigma ξ, ξ ~ t(df)."""

    kind: Literal["heavy_tailed"] = Field(description="`heavy_tailed`.")
    sigma: Annotated[Number, Field(ge=0)] = Field(description="Scale of the noise.")
    df: Annotated[Number, Field(gt=0)] = Field(
        description="Degrees of freedom (> 0; small is heavy-tailed, 1 is Cauchy)."
    )


class MinibatchNoise(NoiseBase):
    """`minibatch`: the gradient of the mean loss over a minibatch of a finite-sum
    surface (`noisy_moons`, `tanh_net`, `linear_regression`)."""

    kind: Literal["minibatch"] = Field(description="`minibatch`.")
    batch_size: Annotated[Whole, Field(ge=1)] = Field(
        description="Examples per step, in [1, N]; N is full-batch gradient descent."
    )


class SvrgNoise(NoiseBase):
    """`svrg`: variance-reduced minibatch gradients (Johnson & Zhang 2013) of a
    finite-sum surface."""

    kind: Literal["svrg"] = Field(description="`svrg`.")
    batch_size: Annotated[Whole, Field(ge=1)] = Field(
        description="Examples per step, in [1, N]."
    )
    every: Annotated[Whole, Field(ge=1)] = Field(
        description="Steps between landmarks (each takes a full gradient)."
    )


class PerturbedNoise(NoiseBase):
    """`perturbed`: perturbed gradient descent (Jin et al. 2017), a random kick
    where the gradient is small."""

    kind: Literal["perturbed"] = Field(description="`perturbed`.")
    radius: Annotated[Number, Field(gt=0)] = Field(
        description="Radius of the disc the kick is drawn from."
    )
    threshold: Annotated[Number, Field(ge=0)] = Field(
        description="Kick when |∇f| is at most this."
    )
    wait: Annotated[Whole, Field(ge=0)] | None = Field(
        None, description="Steps between kicks, at least. Default: 10."
    )


NOISE_MODELS: dict[str, type[NoiseBase]] = {
    "gaussian": GaussianNoise,
    "shaking": ShakingNoise,
    "curvature": CurvatureNoise,
    "heavy_tailed": HeavyTailedNoise,
    "minibatch": MinibatchNoise,
    "svrg": SvrgNoise,
    "perturbed": PerturbedNoise,
}
"""Each `kind:` and its model (the names of `optimotion.noise`'s factories)."""
for _kind, _model in NOISE_MODELS.items():
    _model.scene_name = _kind

OneNoise = Annotated[
    Union[tuple(NOISE_MODELS.values())],  # noqa: UP007
    Field(discriminator="kind"),
]


def _chained(items: list[NoiseBase]) -> list[NoiseBase]:
    from .. import noise  # noqa: PLC0415

    try:
        noise.chain(*(item.build() for item in items))
    except (ValueError, TypeError) as error:
        message = str(error).removeprefix("`chain`: ")
        fail(message, _source_at(items))
    return items


def _source_at(items: list[NoiseBase]) -> int:
    """The index of the first source that is not first (where a chain fails)."""
    sources = {"shaking", "minibatch", "svrg"}
    return next(
        (i for i, e in enumerate(items) if i > 0 and e.kind in sources),  # type: ignore[attr-defined]
        0,
    )


ChainNoise = Annotated[
    list[OneNoise],
    Field(min_length=1, max_length=8),
    pydantic.AfterValidator(_chained),
]


def _noise_kind(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return "~chain"
    return "~one" if isinstance(value, dict | NoiseBase) else None


NoiseSpec = Annotated[
    Union[  # noqa: UP007
        Annotated[OneNoise, Tag("~one")],
        Annotated[ChainNoise, Tag("~chain")],
    ],
    Discriminator(
        _noise_kind,
        custom_error_type="noise_type",
        custom_error_message="expected a noise model such as {kind: gaussian, "
        "sigma: 0.1}, or a list of them (a chain)",
    ),
]
"""A gradient estimator chosen by `kind:`, or a list of them: a `noise.chain` of at
most one source (`shaking`, `minibatch`, `svrg`) first, then perturbations."""


def build_noise(spec: NoiseBase | list[NoiseBase] | None) -> Any:
    """The estimator of a validated `noise:` (None: exact gradients)."""
    if spec is None:
        return None
    if isinstance(spec, list):
        from .. import noise  # noqa: PLC0415

        return noise.chain(*(item.build() for item in spec))
    return spec.build()


def keep_exact(scene: Any, data: dict[str, Any]) -> dict[str, Any]:
    """`data`, a dump of `scene` that dropped None values, with `noise: null`
    put back on the optimizer entries that set it (exact gradients, not the
    scene's noise)."""
    for entry, model in zip(data["optimizers"], scene.optimizers, strict=True):
        if "noise" in model.model_fields_set and model.noise is None:
            entry["noise"] = None
    return data


def check_surface(
    spec: Any, surface: Any, shown: str, *at: str | int
) -> list[tuple[tuple[str | int, ...], str]]:
    """The problems, each at its field, if `surface` (`shown` in messages, e.g.
    "'saddle'") cannot serve the noise `spec` (`optimotion.dynamics.estimators.
    check`: finite-sum kinds need a finite-sum surface with at least `batch_size`
    examples)."""
    from ..dynamics import estimators  # noqa: PLC0415

    items = spec if isinstance(spec, list) else [spec]
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for i, item in enumerate(items):
        where = (*at, i) if isinstance(spec, list) else at
        try:
            estimators.check(item.build(), surface, "scene")
        except (ValueError, TypeError) as error:
            if surface.n_examples is None:
                problems.append(
                    (
                        (*where, "kind"),
                        f"`{item.kind}` needs a finite-sum surface (noisy_moons, "
                        f"tanh_net, linear_regression); {shown} is a closed-form "
                        "surface",
                    )
                )
            else:
                message = str(error).splitlines()[0]
                problems.append(
                    ((*where, "batch_size"), message.split("batch_size ", 1)[-1])
                )
    return problems


__all__ = ["NOISE_MODELS", "NoiseSpec", "build_noise", "check_surface", "keep_exact"]
