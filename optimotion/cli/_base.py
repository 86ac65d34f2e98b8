"""What every command shares: the exit codes, `UsageError`, the SCENE argument
(a file or a gallery scene's name) and the check that an output's folder exists."""

from __future__ import annotations

import os

from .._suggest import did_you_mean

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input that is not a scene problem (arguments, files); exit code 2."""


def _scene_file(scene: str) -> str:
    """The file a SCENE argument names: a file of that name if one exists, else
    the gallery scene of that name."""
    looks_like_a_path = scene.endswith((".yaml", ".yml")) or os.sep in scene
    if os.path.exists(scene) or looks_like_a_path or "/" in scene:
        return scene  # a path (load_scene reports one that does not exist)
    from ..scene import gallery_names, gallery_path  # noqa: PLC0415

    names = gallery_names()
    if scene in names:
        return str(gallery_path(scene))
    hint = did_you_mean(scene, names, lead=" — ") or "; see `optimotion list scenes`"
    raise UsageError(f"{scene}: no such file or gallery scene{hint}")


def _check_folder(output: str) -> None:
    """An output in a folder that does not exist is the user's mistake (exit 2),
    found before any work."""
    folder = os.path.dirname(output.rstrip("/")) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"-o {output}: folder {folder}/ does not exist")
