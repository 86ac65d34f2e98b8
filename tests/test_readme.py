"""The README's commands: the test command is the one CI runs, and it does the
right thing about the browser for root (apt) and for everyone else (one line)."""

import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
INSTRUCTION = (
    "chromium not found, and installing it needs root: set "
    "OPTIMOTION_CHROMIUM=/path/to/chromium (or Chrome), or run pytest -m "
    '"not browser" to leave out the tests that need a browser\n'
)


def _commands(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)\n```", text, re.S)


def test_the_first_command_installs_and_renders_a_gallery_scene_by_name():
    assert _commands(README)[0] == (
        "python3 -m venv .venv && .venv/bin/pip install -q . && "
        ".venv/bin/optimotion render beale -o beale.gif"
    )


def test_ci_runs_the_readmes_test_command_verbatim():
    test_command = _commands(README)[1]
    assert test_command.endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test_command


@pytest.fixture
def browser_step(tmp_path):
    """The test command's browser step, run by /bin/sh with a PATH of fakes: `id`
    (uid from $FAKE_UID) and `apt-get` (records its arguments); no chromium."""
    fakes = tmp_path / "bin"
    fakes.mkdir()
    (fakes / "id").write_text('#!/bin/sh\necho "$FAKE_UID"\n')
    (fakes / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/apt.log\n')
    for fake in fakes.iterdir():
        fake.chmod(0o755)
    step = _commands(README)[1].split(" && python3 -m venv")[0]

    def run(uid: int, chromium: str | None = None):
        env = {"PATH": str(fakes), "FAKE_UID": str(uid)}
        if chromium is not None:
            env["OPTIMOTION_CHROMIUM"] = chromium
        result = subprocess.run(
            ["/bin/sh", "-c", step], env=env, capture_output=True, text=True
        )
        log = tmp_path / "apt.log"
        apt = log.read_text().splitlines() if log.exists() else []
        return result.returncode, result.stdout, result.stderr, apt

    return run


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell command")
def test_without_root_and_chromium_the_command_stops_with_one_instruction(
    browser_step,
):
    assert browser_step(uid=1000) == (1, "", INSTRUCTION, [])
    assert browser_step(uid=1000, chromium="/opt/chrome/chrome") == (0, "", "", [])
    assert browser_step(uid=0) == (
        0, "", "", ["update -qq", "install -y -qq chromium"],
    )  # fmt: skip


def _python_block_after(heading: str) -> str:
    section = README[README.index(heading) :]
    return re.search(r"```python\n(.*?)\n```", section, re.S).group(1)


def test_the_noise_example_shows_what_it_says():
    import numpy as np

    namespace: dict = {}
    exec("import optimotion\nfrom optimotion import optimizers, surfaces", namespace)
    exec(_python_block_after("### Gradient noise"), namespace)
    plain, noisy = namespace["plain"], namespace["noisy"]
    assert plain.diverged_at is None and noisy.diverged_at is None
    np.testing.assert_allclose(plain.xy[-1], (0.0, 0.0), atol=1e-13)
    assert plain.loss[-1] == 0.25  # the saddle's value
    assert abs(abs(noisy.xy[-1, 0]) - 1) < 0.05 and noisy.loss[-1] < 1e-3  # a well
