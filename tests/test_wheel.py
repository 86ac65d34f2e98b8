"""The installed package has everything: the wheel is built, installed into a fresh
virtual environment, and its `optimotion` command runs from an empty folder.

Nothing is downloaded: the wheel is built with this environment's setuptools (a
test dependency), and the fresh environment sees this one's packages (numpy, jax,
...) through a `.pth` line but not its optimotion, which comes from the wheel.
"""

import ast
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from importlib.metadata import packages_distributions

import imageio.v3 as iio
import pytest

from optimotion.scene import gallery_names

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normal(re.match(r"[A-Za-z0-9_.-]+", requirement).group())


def test_every_import_of_the_package_is_a_declared_dependency():
    declared = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = {
        _requirement_name(r)
        for group in PYPROJECT["project"]["optional-dependencies"].values()
        for r in group
    }
    imported = set()
    for file in (ROOT / "optimotion").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"optimotion"}
    distributions = packages_distributions()
    missing = {
        module: distributions.get(module)
        for module in sorted(third_party)
        if not {_normal(d) for d in distributions.get(module, ())} & (declared | extras)
    }
    assert missing == {}
    assert "pillow" in declared  # PIL: the GIF palette, the HTML player's images


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`(bin folder, wheel)` of a fresh environment with the wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # a clean copy: the build leaves build/ behind
    shutil.copytree(
        ROOT / "optimotion",
        source / "optimotion",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", tmp / "dist", source],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = (tmp / "dist").glob("optimotion-*.whl")

    env = tmp / "env"
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(env)
    bin_dir = env / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    ours = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    (pathlib.Path(site) / "test-environment.pth").write_text(
        "".join(f"{p}\n" for p in ours if os.path.isdir(p)), encoding="utf-8"
    )
    subprocess.run(
        [python, "-m", "pip", "--disable-pip-version-check", "-q", "install",
         "--no-deps", "--no-index", wheel],
        check=True, capture_output=True,
    )  # fmt: skip
    return bin_dir, wheel


def _run(installed, folder, *argv):
    bin_dir, _ = installed
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [bin_dir / "optimotion", *argv],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_wheel_carries_the_gallery_the_schema_and_the_license(installed):
    _, wheel = installed
    with zipfile.ZipFile(wheel) as archive:
        files = set(archive.namelist())
        metadata = archive.read("optimotion-0.1.0.dist-info/METADATA").decode()
    assert {f"optimotion/scenes/{n}.yaml" for n in gallery_names()} <= files
    assert "optimotion/scenes/scene.schema.json" in files
    assert "optimotion-0.1.0.dist-info/licenses/LICENSE" in files
    lines = metadata.splitlines()
    assert "License-Expression: MIT" in lines
    assert "Description-Content-Type: text/markdown" in lines  # PyPI renders it
    assert any(line.startswith("Requires-Dist: pillow") for line in lines)


def test_the_installed_command_runs_from_an_empty_folder(installed, tmp_path):
    bin_dir, _ = installed
    where = subprocess.run(
        [bin_dir / "python", "-c", "import optimotion; print(optimotion.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert pathlib.Path(where).is_relative_to(bin_dir.parent)  # the wheel's copy

    result = _run(installed, tmp_path, "list", "scenes")
    assert (result.returncode, result.stderr) == (0, "")
    assert [line.split()[0] for line in result.stdout.splitlines()[:-1]] == list(
        gallery_names()
    )

    result = _run(installed, tmp_path, "render", "beale", "--low-res", "-o", "b.png")
    assert (result.returncode, result.stdout, result.stderr) == (0, "b.png\n", "")
    assert iio.imread(tmp_path / "b.png").shape == (300, 400, 4)  # 800x600 scaled

    result = _run(
        installed, tmp_path, "gallery", "--low-res", "saddle_slowdown", "-j", "1"
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert sorted(os.listdir(tmp_path / "gallery")) == [
        "index.html", "saddle_slowdown.mp4",
    ]  # fmt: skip
    frames = iio.imread(tmp_path / "gallery" / "saddle_slowdown.mp4", index=None)
    assert frames.shape[1:3] == (168, 400)  # 1280x540 scaled, even sides

    result = _run(installed, tmp_path, "new", "booth")
    assert (result.returncode, result.stdout) == (0, "booth.yaml\nscene.schema.json\n")
    assert sorted(os.listdir(tmp_path)) == [
        "b.png", "booth.yaml", "gallery", "scene.schema.json",
    ]  # fmt: skip
