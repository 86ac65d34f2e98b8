"""Scene files: one YAML document describing a race of optimizers and its animation.

`load_scene(path, overrides)` reads a file with `yaml.safe_load` semantics, applies
`--set KEY=VALUE` overrides, validates everything in one pass and returns a `Scene`
(names and numbers only) or raises `SceneError` listing every problem, one line
each. `Scene.build()` makes the surface, the optimizers and the `RenderSpec`.
The gallery ships with the package: `gallery_names()`, `gallery_path(name)`.
"""

from ._base import MAX_EXPR as MAX_EXPR
from ._base import MAX_FRAMES as MAX_FRAMES
from ._base import MAX_SIDE as MAX_SIDE
from ._base import MAX_STEPS as MAX_STEPS
from ._base import MIN_SIDE as MIN_SIDE
from ._build import BuiltScene as BuiltScene
from ._errors import Issue as Issue
from ._errors import SceneError as SceneError
from ._files import write_scene as write_scene
from ._load import load_scene as load_scene
from ._load import parse_scene as parse_scene
from ._schema import Scene as Scene
from ._shipped import gallery_description as gallery_description
from ._shipped import gallery_names as gallery_names
from ._shipped import gallery_path as gallery_path

__all__ = [
    "MAX_EXPR",
    "MAX_FRAMES",
    "MAX_SIDE",
    "MAX_STEPS",
    "MIN_SIDE",
    "BuiltScene",
    "Issue",
    "Scene",
    "SceneError",
    "gallery_description",
    "gallery_names",
    "gallery_path",
    "load_scene",
    "parse_scene",
    "write_scene",
]
