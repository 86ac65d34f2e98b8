"""Themes and the trail palette: colour-blind-safe, readable on a projector."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common
# colour-vision deficiency; Paul Tol's "muted" set extends it past eight. Both
# themes use the same order, so an optimizer keeps its colour when the theme
# changes: on the dark background, black becomes white and the colours darker
# than a 3:1 contrast are mixed with white until they reach it (same hue).
_OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
_TOL_MUTED = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)


@dataclasses.dataclass(frozen=True)
class Theme:
    """Colours of one theme (hex strings).

    Attributes:
        name: `light` or `dark`.
        background: figure and axes background.
        foreground: text, spines, markers of critical points.
        muted: tick labels, grid, contour lines.
        grid: grid lines of the curve panels.
        ramp: the surface colour map from low to high values: low values are
            closest to the background, so heads in a valley stay visible.
        ramp3d: the ramp of the shaded 3-D surface (more contrast).
        palette: trail colours, in order of use.
    """

    name: str
    background: str
    foreground: str
    muted: str
    grid: str
    ramp: tuple[str, ...]
    ramp3d: tuple[str, ...]
    palette: tuple[str, ...]


def _luminance(color: str) -> float:
    """WCAG relative luminance of '#RRGGBB'."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two '#RRGGBB' colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _lift(color: str, background: str, target: float = 3.0) -> str:
    """`color` mixed with white in steps of 5 % until its contrast against a dark
    `background` reaches `target` (unchanged when it already does)."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    for k in range(21):
        mixed = [round(c + (255 - c) * k / 20) for c in rgb]
        hexed = "#{:02X}{:02X}{:02X}".format(*mixed)
        if contrast(hexed, background) >= target:
            return hexed
    return "#FFFFFF"


LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    foreground="#1A1A1A",
    muted="#5C6670",
    grid="#E3E6EA",
    ramp=("#FCFCFD", "#E4E9EF", "#C5CFDA", "#A3B1C2", "#8392A6"),
    ramp3d=("#EEF2F6", "#C9D4E0", "#9DB0C5", "#7189A5", "#4F6683"),
    palette=tuple(
        _OKABE_ITO[k]
        for k in ("blue", "vermillion", "green", "purple", "orange", "sky", "black")
    )
    + _TOL_MUTED,
)

DARK = Theme(
    name="dark",
    background="#14161B",
    foreground="#EDEFF2",
    muted="#9AA3AE",
    grid="#2A2F38",
    ramp=("#0F1115", "#1C2330", "#2C3A4D", "#41546B", "#5C7088"),
    ramp3d=("#1A212C", "#2B3A4E", "#3F5570", "#5A7493", "#7F98B5"),
    palette=tuple(
        "#FFFFFF" if c == _OKABE_ITO["black"] else _lift(c, "#14161B")
        for c in LIGHT.palette
    ),
)

THEMES = {"light": LIGHT, "dark": DARK}


def get_theme(name: str) -> Theme:
    """The theme called `name` (`light` or `dark`)."""
    try:
        return THEMES[name]
    except KeyError:
        raise ValueError(
            f"`render`: theme must be one of {tuple(sorted(THEMES))}, got {name!r}"
        ) from None


def assign_colors(
    labels: Sequence[str], theme: Theme, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`{label: '#rrggbb'}`: overrides first, then the palette in order (skipping
    colours an override already took), cycling past its end.

    Raises:
        ValueError: an override names an unknown label or is not a colour.
    """
    from matplotlib import colors as mcolors

    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(labels))
    if unknown:
        raise ValueError(
            f"`RenderSpec`: colors has labels {unknown!r} that are not in the traces "
            f"{sorted(labels)!r}"
        )
    result: dict[str, str] = {}
    for label, color in overrides.items():
        if not mcolors.is_color_like(color):
            raise ValueError(
                f"`RenderSpec`: colors[{label!r}] is not a colour, got {color!r}"
            )
        result[label] = mcolors.to_hex(color).upper()
    taken = set(result.values())
    free = [c for c in theme.palette if c not in taken] or list(theme.palette)
    i = 0
    for label in labels:
        if label not in result:
            result[label] = free[i % len(free)]
            i += 1
    return {label: result[label] for label in labels}
