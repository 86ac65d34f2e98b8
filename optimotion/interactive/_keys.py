"""The explorer's keys, as one table: what each key does and how the help line
names it (the help line is made from the table, so it is written once)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class Key(NamedTuple):
    """One key of the explorer.

    Attributes:
        shown: how the help line names the key.
        help: what it does (said once for neighbours with the same help).
        action: the `Explorer` method it calls ...
        args: ... with these arguments.
    """

    shown: str
    help: str
    action: str
    args: tuple = ()


KEYS: dict[str, Key] = {
    " ": Key("space", "play/pause", "play_pause"),
    "left": Key("\u2190", "step", "step", (-1,)),
    "right": Key("\u2192", "step", "step", (1,)),
    "r": Key("r", "replay", "replay"),
    "l": Key("l", "log time", "toggle_log_time"),
    "s": Key("s", "save PNG + scene", "save_and_report"),
}
"""`{matplotlib key name: Key}`: what each key of the explorer does."""


def help_line(keys: Mapping[str, Key] = KEYS) -> str:
    """The explorer's help line: the click, the keys (neighbours with the same
    help share it: `←/→: step`), the legend.

    Examples:
        >>> help_line({"a": Key("a", "go", "go"), "b": Key("b", "go", "go")})
        'click: restart from there   a/b: go   legend: hide/show'
    """
    groups: list[tuple[list[str], str]] = []
    for key in keys.values():
        if groups and groups[-1][1] == key.help:
            groups[-1][0].append(key.shown)
        else:
            groups.append(([key.shown], key.help))
    parts = [f"{'/'.join(shown)}: {what}" for shown, what in groups]
    return "   ".join(["click: restart from there", *parts, "legend: hide/show"])


HELP = help_line()
"""The help line at the bottom of the explorer."""
