"""Every output is written under a temporary name and renamed when complete."""

from __future__ import annotations

import os

import pytest

from optimotion._atomic import atomic_open, replacing


def test_a_completed_write_leaves_only_the_file(tmp_path):
    with atomic_open(tmp_path / "out.yaml", encoding="utf-8") as f:
        f.write("steps: 3\n")
        assert os.listdir(tmp_path) != ["out.yaml"]  # not there until complete
    assert os.listdir(tmp_path) == ["out.yaml"]
    assert (tmp_path / "out.yaml").read_text(encoding="utf-8") == "steps: 3\n"
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out.yaml").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_nothing_and_keeps_an_old_file(tmp_path, error):
    (tmp_path / "old.csv").write_text("old\n")
    for name in ("new.csv", "old.csv"):
        with pytest.raises(type(error)):
            with atomic_open(tmp_path / name) as f:
                f.write("half")
                raise error
    assert os.listdir(tmp_path) == ["old.csv"]
    assert (tmp_path / "old.csv").read_text() == "old\n"


def test_replacing_keeps_the_extension_for_writers_that_read_it(tmp_path):
    with replacing(tmp_path / "still.svg") as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".svg"
        tmp.write_text("<svg/>")
    assert os.listdir(tmp_path) == ["still.svg"]


def test_a_temporary_folder_gets_the_usual_permissions(tmp_path):
    from optimotion._atomic import temp_path

    folder = temp_path(tmp_path / "frames", directory=True)
    umask = os.umask(0)
    os.umask(umask)
    assert folder.is_dir() and folder.stat().st_mode & 0o777 == 0o777 & ~umask
    assert folder.name.startswith(".frames.")
