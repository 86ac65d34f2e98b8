"""Scene files: one YAML document describing a race of optimizers and its animation.

`load_scene(path, overrides)` reads a file with `yaml.safe_load` semantics, applies
`--set KEY=VALUE` overrides, validates everything in one pass and returns a `Scene`
(names and numbers only) or raises `SceneError` listing every problem, one line
each. `Scene.build()` makes the surface, the optimizers and the `RenderSpec`;
`render_scene(scene, output)` renders a scene to a file (the trajectory cache, or
build and race, then draw: what `optimotion render` runs).
The gallery ships with the package: `gallery_names()`, `gallery_path(name)`.
The command line's scene files come from here too: `starter_scene`, `write_scene`,
`tuned_scene`, `export`, `schema_json`, `low_res`, `low_res_overrides`,
`render_gallery`, `optimizer_entry`.
"""

from ._base import MAX_EXPR as MAX_EXPR
from ._base import MAX_FRAMES as MAX_FRAMES
from ._base import MAX_SIDE as MAX_SIDE
from ._base import MAX_STEPS as MAX_STEPS
from ._base import MIN_SIDE as MIN_SIDE
from ._build import BuiltScene as BuiltScene
from ._errors import Issue as Issue
from ._errors import SceneError as SceneError
from ._files import export as export
from ._files import low_res as low_res
from ._files import low_res_overrides as low_res_overrides
from ._files import schema_json as schema_json
from ._files import starter_scene as starter_scene
from ._files import tuned_scene as tuned_scene
from ._files import write_scene as write_scene
from ._gallery import render_gallery as render_gallery
from ._load import load_scene as load_scene
from ._load import parse_scene as parse_scene
from ._noise_schema import keep_exact as keep_exact
from ._optimizer_schema import optimizer_entry as optimizer_entry
from ._pipeline import render_scene as render_scene
from ._schema import Scene as Scene
from ._shipped import SCHEMA_FILE as SCHEMA_FILE
from ._shipped import gallery_description as gallery_description
from ._shipped import gallery_folder as gallery_folder
from ._shipped import gallery_names as gallery_names
from ._shipped import gallery_path as gallery_path
from ._shipped import schema_path as schema_path

__all__ = [
    "MAX_EXPR",
    "MAX_FRAMES",
    "MAX_SIDE",
    "MAX_STEPS",
    "MIN_SIDE",
    "SCHEMA_FILE",
    "BuiltScene",
    "Issue",
    "Scene",
    "SceneError",
    "export",
    "gallery_description",
    "gallery_folder",
    "gallery_names",
    "gallery_path",
    "keep_exact",
    "load_scene",
    "low_res",
    "low_res_overrides",
    "optimizer_entry",
    "parse_scene",
    "render_gallery",
    "render_scene",
    "schema_json",
    "schema_path",
    "starter_scene",
    "tuned_scene",
    "write_scene",
]
