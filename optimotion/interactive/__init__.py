"""Interactive use: the explorer window, and notebook helpers.

`explore(scene)` opens a matplotlib figure where a click restarts the race from
that point and sliders change learning rates, noise and steps without recompiling;
`ExplorerState` is the explorer without its figure (the settings, the race and
the playback clock; no matplotlib). `plot(...)` returns a static Figure of the
final state; `animate(...)` returns an object that plays inline in Jupyter and
saves to any format `render` writes.
"""

from ._explore import explore as explore
from ._explorer import Explorer as Explorer
from ._explorer import NoDisplayError as NoDisplayError
from ._notebook import Animation as Animation
from ._notebook import animate as animate
from ._notebook import plot as plot
from ._state import ExplorerState as ExplorerState

__all__ = [
    "Animation",
    "Explorer",
    "ExplorerState",
    "NoDisplayError",
    "animate",
    "explore",
    "plot",
]
