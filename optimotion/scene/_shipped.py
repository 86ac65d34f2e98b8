"""The gallery shipped with optimotion: scene files and their JSON Schema, read as
package data (`importlib.resources`), so an installed optimotion finds them from
any folder."""

from __future__ import annotations

import pathlib
from importlib import resources

from .._suggest import did_you_mean

SCHEMA_FILE = "scene.schema.json"


def gallery_folder() -> pathlib.Path:
    """The folder of the shipped scene files (inside the installed package)."""
    folder = resources.files("optimotion") / "scenes"
    if not isinstance(folder, pathlib.Path):  # pragma: no cover - a zipped install
        raise RuntimeError(
            "optimotion's gallery needs the package on the file system; "
            f"it is imported from {folder!s}"
        )
    return folder


def gallery_names() -> tuple[str, ...]:
    """The names of the gallery scenes, sorted.

    >>> gallery_names()[:2]
    ('beale', 'ensemble_annealing')
    """
    return tuple(sorted(p.stem for p in gallery_folder().glob("*.yaml")))


def gallery_path(name: str) -> pathlib.Path:
    """The file of the gallery scene `name` (`"beale"`), for `load_scene`.

    Raises:
        ValueError: `name` is not a gallery scene (with the closest name).

    Examples:
        >>> gallery_path("beale").name
        'beale.yaml'
    """
    names = gallery_names()
    if name not in names:
        hint = did_you_mean(name, names) or f"; expected one of: {', '.join(names)}"
        raise ValueError(f"unknown gallery scene {name!r}{hint}")
    return gallery_folder() / f"{name}.yaml"


def gallery_description(name: str) -> str:
    """The one-line description of gallery scene `name`: its first comment line
    after the editor's schema line.

    >>> gallery_description("beale")
    "Six optimizers race on Beale's function from (1, 1.5) (the benchmark scene)."
    """
    with open(gallery_path(name), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# yaml-language-server:"):
                continue
            if line.startswith("#"):
                return line[1:].strip()
            break
    return ""


def schema_path() -> pathlib.Path:
    """The JSON Schema of scene files shipped beside the gallery (the file that
    `optimotion schema` prints)."""
    return gallery_folder() / SCHEMA_FILE
