"""Issue 12: untrusted scenes, full disks and signals — nothing corrupt, nothing
partial, nothing outside the folder; everything `render` refuses, `validate`
refuses first. Through the command line, as a user (or an attacker) would."""

import contextlib
import errno
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import run_cli as run

from optimotion.render import (
    FFmpegSink,
    GifSink,
    OutputError,
    RenderSpec,
    WriteError,
    format_of,
    formats,
    output_problem,
)
from optimotion.scene._yaml import MAX_NODES, YamlProblem, parse

TINY = """\
surface: saddle
steps: 12
optimizers:
  - {name: sgd, lr: 0.1}
  - {name: adam, lr: 0.1}
render: {size: [96, 64], dpi: 20, fps: 10, duration: 0.4, hold: 0.2}
"""
ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def leftovers(folder: pathlib.Path) -> list[str]:
    """Temporary outputs (`.NAME.RANDOM.part.EXT` files or folders) under folder."""
    return sorted(p.name for p in folder.rglob("*") if ".part" in p.name)


def no_work(monkeypatch):
    """Make any race fail loudly: the checks must come before any work."""

    def race(self, **kwargs):
        raise AssertionError("the race ran")

    monkeypatch.setattr("optimotion.scene._build.BuiltScene.race", race)


@contextlib.contextmanager
def mounted(folder: pathlib.Path, options: str):
    """A tmpfs at `folder` (skip the test where this machine cannot mount)."""
    folder.mkdir(exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
    )
    if result.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


# --- output integrity ------------------------------------------------------------


def test_a_failed_ffmpeg_encode_raises_and_installs_nothing(tmp_path, monkeypatch):
    command = FFmpegSink.command

    def broken(self, size, fps, output):  # ffmpeg exits 1 on an unknown option
        return [*command(self, size, fps, output)[:-1], "-no-such-option", output]

    monkeypatch.setattr(FFmpegSink, "command", broken)
    sink = FFmpegSink(tmp_path / "out.mp4")
    sink.setup((32, 32), 10)
    frame = np.zeros((32, 32, 4), np.uint8)
    with pytest.raises(WriteError, match=r"ffmpeg failed writing .*out\.mp4' \(exit"):
        for _ in range(3):
            sink.grab_frame(frame)
        sink.finish()
    sink.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_gif_cleanup_survives_a_failing_close(tmp_path):
    sink = GifSink(tmp_path / "out.gif")
    frame = np.zeros((16, 16, 4), np.uint8)
    sink.setup((16, 16), 10, [frame])
    real = sink._file

    class FullDisk:
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            real.close()
            raise OSError(errno.ENOSPC, "No space left on device")

    sink._file = FullDisk()
    sink.abort()  # must not raise
    assert list(tmp_path.iterdir()) == []


LIMITED = """\
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
sys.argv = ["optimotion", *sys.argv[1:]]
runpy.run_module("optimotion", run_name="__main__")
"""


def _limited_render(tmp_path, out: str, limit: int) -> subprocess.CompletedProcess:
    """`optimotion render` with files limited to `limit` bytes (RLIMIT_FSIZE, and
    SIGXFSZ ignored: writes past it fail with EFBIG, as on a full disk; ffmpeg
    inherits the limit)."""
    scene = TINY.replace("[96, 64], dpi: 20", "[320, 240], dpi: 40")
    (tmp_path / "s.yaml").write_text(scene, encoding="utf-8")
    code = LIMITED.format(limit=limit)
    return subprocess.run(
        [sys.executable, "-c", code, "render", "s.yaml", "-o", out, "--quiet"],
        cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "MPLBACKEND": "Agg"}, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("out", ["out.mp4", "out.webm", "out.gif"])
def test_a_full_disk_fails_the_render_with_one_line(tmp_path, out):
    result = _limited_render(tmp_path, out, 2000)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("optimotion render: ")
    assert "unexpected" not in lines[0] and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@pytest.mark.parametrize("out", ["out.mp4", "out.gif"])
def test_a_full_tmpfs_fails_the_render_and_leaves_nothing(tmp_path, out):
    with mounted(tmp_path / "disk", "size=256k") as disk:
        (disk / "s.yaml").write_text(
            TINY.replace("[96, 64], dpi: 20", "[640, 480], dpi: 80"), encoding="utf-8"
        )
        filler = disk / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:
            f.write(b"x" * (256 * 1024 - 24 * 1024))
        result = subprocess.run(
            [sys.executable, "-m", "optimotion", "render", "s.yaml", "-o", out,
             "--quiet"],
            cwd=disk, capture_output=True, text=True, timeout=120,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )  # fmt: skip
        names = sorted(p.name for p in disk.iterdir())
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "No space left on device" in result.stderr or "ffmpeg failed" in (
        result.stderr
    )
    assert names == ["filler", "s.yaml"]


LONG_SCENE = """\
surface: saddle
steps: 12
optimizers: [{name: sgd, lr: 0.1}]
render: {size: [96, 64], dpi: 20, fps: 10, duration: 290, hold: 0}
"""


@pytest.mark.parametrize(
    ("out", "signum"),
    [("out.gif", signal.SIGTERM), ("frames/", signal.SIGTERM),
     ("out.mp4", signal.SIGHUP)],
)  # fmt: skip
def test_sigterm_and_sighup_leave_no_partial_output(tmp_path, out, signum):
    (tmp_path / "s.yaml").write_text(LONG_SCENE, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "optimotion", "render", "s.yaml", "-o", out,
         "--quiet", "--no-limits"],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not leftovers(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert leftovers(tmp_path), "the render never started writing"
    time.sleep(0.3)  # frames are being written
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert err == f"optimotion: terminated ({signal.Signals(signum).name})\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_a_read_only_folder_is_exit_2_before_any_work(
    tmp_path, workdir, capsys, monkeypatch
):
    (workdir / "s.yaml").write_text(TINY, encoding="utf-8")
    no_work(monkeypatch)
    with mounted(tmp_path / "ro", "ro,size=64k") as folder:
        code, out, err = run(["render", "s.yaml", "-o", f"{folder}/x.gif"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"optimotion render: -o {folder}/x.gif: folder {folder}/ is not writable\n"
    )


def test_too_long_names_are_exit_2_before_any_work(workdir, capsys, monkeypatch):
    (workdir / "s.yaml").write_text(TINY, encoding="utf-8")
    no_work(monkeypatch)
    name = "a" * 245 + ".gif"  # 249 bytes: fits, but its temporary name does not
    code, out, err = run(["render", "s.yaml", "-o", name], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"optimotion render: -o {name[:80]}...: the file name '{'a' * 75}...' is "
        "249 bytes long; with its temporary name it must fit in 255, so at most "
        "240\n"
    )


# --- a scene decides nothing outside its folder ----------------------------------

ESCAPES = [
    ("../escape.pdf", "render.output: must stay inside the folder the render runs "
     "from ('..' is not allowed), got '../escape.pdf'; use `optimotion render -o` "
     "to write elsewhere"),
    ("sub/../../escape.gif", "render.output: must stay inside the folder the render "
     "runs from ('..' is not allowed), got 'sub/../../escape.gif'; use `optimotion "
     "render -o` to write elsewhere"),
    ("/tmp/escape.gif", "render.output: must be a relative path inside the folder "
     "the render runs from, got '/tmp/escape.gif'; use `optimotion render -o` to "
     "write elsewhere"),
    ("C:/escape.gif", "render.output: must be a relative path inside the folder "
     "the render runs from, got 'C:/escape.gif'; use `optimotion render -o` to "
     "write elsewhere"),
    ("~/escape.gif", "render.output: must be a relative path inside the folder "
     "the render runs from, got '~/escape.gif'; use `optimotion render -o` to "
     "write elsewhere"),
    ('"a\\0b.gif"', "render.output: must not contain a NUL character, got "
     "'a\\x00b.gif'"),
    ('"a\\nb.gif"', "render.output: must not contain control characters, got "
     "'a\\nb.gif'"),
    (".", "render.output: '.' is a folder; to write PNG frames into a folder, end "
     "the output with '/'"),
    ("x", "render.output: unknown output format no extension in 'x'; expected one "
     "of: .gif, .mp4, .webm, .pdf, .png, .svg, .html, or a folder ending in '/'"),
]  # fmt: skip


@pytest.mark.parametrize(("output", "message"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_a_scene_output_outside_its_folder_is_refused_by_validate(
    output, message, workdir, capsys
):
    text = TINY.replace("hold: 0.2}", f"hold: 0.2, output: {output}}}")
    (workdir / "s.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(["validate", "s.yaml"], capsys)
    assert (code, out) == (2, "")
    assert err == f"s.yaml:6: {message}\n"


def test_a_scene_output_through_a_link_outside_is_refused(
    tmp_path, workdir, capsys, monkeypatch
):
    outside = tmp_path / "outside"
    outside.mkdir()
    (workdir / "link").symlink_to(outside)
    text = TINY.replace("hold: 0.2}", "hold: 0.2, output: link/x.gif}")
    (workdir / "s.yaml").write_text(text, encoding="utf-8")
    no_work(monkeypatch)
    code, out, err = run(["render", "s.yaml"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"optimotion render: s.yaml: render.output link/x.gif: 'link/x.gif' leads "
        f"outside the folder the render runs from (to '{outside}/x.gif'); use "
        "`optimotion render -o` to write elsewhere\n"
    )
    assert list(outside.iterdir()) == []


def test_a_scene_output_replaces_an_existing_file_only_with_force(
    workdir, capsys, monkeypatch
):
    text = TINY.replace("hold: 0.2}", "hold: 0.2, output: x.png}")
    (workdir / "s.yaml").write_text(text, encoding="utf-8")
    (workdir / "x.png").write_bytes(b"precious")
    code, out, err = run(["render", "s.yaml"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "optimotion render: s.yaml: render.output x.png: 'x.png' exists; use "
        "--force to overwrite it, or -o to write elsewhere\n"
    )
    assert (workdir / "x.png").read_bytes() == b"precious"
    code, out, err = run(["render", "s.yaml", "--force", "--quiet"], capsys)
    assert (code, out, err) == (0, "", "")
    assert (workdir / "x.png").read_bytes()[:4] == b"\x89PNG"
    # -o is typed by the user: it may replace a file
    code, out, err = run(["render", "s.yaml", "-o", "x.png", "--quiet"], capsys)
    assert (code, out, err) == (0, "", "")


def test_a_frames_folder_keeps_files_it_did_not_write(workdir, capsys):
    (workdir / "s.yaml").write_text(TINY, encoding="utf-8")
    frames = workdir / "frames"
    frames.mkdir()
    (frames / "frame_00000.png").write_bytes(b"someone else's")
    code, out, err = run(["render", "s.yaml", "-o", "frames/", "--quiet"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "optimotion render: -o frames/: folder frames/ holds 1 frame_*.png file(s) "
        "that optimotion did not write (e.g. frame_00000.png); remove them or "
        "choose another folder\n"
    )
    assert (frames / "frame_00000.png").read_bytes() == b"someone else's"
    # its own frames are replaced by the next render; other files stay
    (frames / "frame_00000.png").unlink()
    (frames / "notes.txt").write_text("mine")
    assert run(["render", "s.yaml", "-o", "frames/", "--quiet"], capsys)[0] == 0
    first = sorted(p.name for p in frames.iterdir())
    assert first == [".optimotion-frames", *[f"frame_{k:05d}.png" for k in range(6)],
                     "notes.txt"]  # fmt: skip
    assert run(["render", "s.yaml", "-o", "frames/", "--quiet"], capsys)[0] == 0
    assert sorted(p.name for p in frames.iterdir()) == first


def test_set_render_output_is_named_as_its_source(workdir, capsys):
    (workdir / "s.yaml").write_text(TINY, encoding="utf-8")
    code, out, err = run(
        ["render", "s.yaml", "--set", "render.output=nope/x.gif"], capsys
    )
    assert (code, out) == (2, "")
    assert err == (
        "optimotion render: --set render.output=nope/x.gif: folder nope/ does not "
        "exist\n"
    )


# --- everything render refuses, validate refuses first ---------------------------

REFUSED = [
    ("title", 'title: "$\\\\frac{1}{$"\n',
     "s.yaml:7: title: the title '$\\\\frac{1}{$': its $...$ math cannot be drawn "
     "by matplotlib's mathtext (Expected \\frac{num}{den}, found '{'); fix it or "
     "write a literal dollar as \\$"),
    ("seed", "seed: 9223372036854775808\n",
     "s.yaml:7: seed: must be <= 4,294,967,295, got 9223372036854775808"),
    ("steps_per_frame", "", "s.yaml (--set render.steps_per_frame=18446744073709551616)"
     ": render.steps_per_frame: must be <= 100,000, got 18446744073709551616"),
    ("trail", "", "s.yaml (--set render.trail=18446744073709551616): render.trail: "
     "must be <= 100,000, got 18446744073709551616"),
    ("window", 'surface: {expr: "x**2 + y**2", window: {x: [-1e308, 1e308], '
     "y: [-1, 1]}}\n",
     "s.yaml:7: surface.window.x: the window [-1e+308, 1e+308] is too large to "
     "draw; keep both ends within ±1e+15"),
    ("nul", "", "s.yaml (--set render.output=\"a\\0b.gif\"): render.output: must "
     "not contain a NUL character, got 'a\\x00b.gif'"),
    ("html arrows", "", "s.yaml (--set render={arrows: true, output: o.html}): "
     "render.arrows: the .html player does not draw arrows; use a video (.mp4, "
     ".webm or .gif) or set arrows to false"),
    ("html camera", "", "s.yaml (--set render={views: [surface3d], camera: {orbit: "
     "true}, output: o.html}): render.camera: the .html player draws a fixed 3-D "
     "view; a moving camera (orbit or keyframes) needs a video (.mp4, .webm or "
     ".gif)"),
    ("layout", "", "s.yaml (--set render.layout=[1000, 1]): render.layout: (1000, "
     "1) leaves an empty row or column for 1 view"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "extra", "line"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_validate_refuses_what_render_would(name, extra, line, workdir, capsys):
    text = TINY
    if extra.startswith("surface:"):
        text = text.replace("surface: saddle\n", "") + extra.replace(
            "x**2 + y**2", "x**2 + y**2"
        )
        text = text.replace("optimizers:", "start: [0.5, 0.5]\noptimizers:")
    else:
        text += extra
    (workdir / "s.yaml").write_text(text, encoding="utf-8")
    overrides = []
    if "(--set " in line:
        overrides = ["--set", line.split("(--set ", 1)[1].split("): ", 1)[0]]
    code, out, err = run(["validate", "s.yaml", *overrides], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [line]


def test_formulas_that_overflow_or_nest_deeply_render(workdir, capsys):
    deep = "sin(" * 40 + "x" + ")" * 40 + " + y**2"
    for i, formula in enumerate(["exp(800*x) + y**2", deep]):
        text = (
            f'surface: {{expr: "{formula}", window: {{x: [-1, 1], y: [-1, 1]}}}}\n'
            "start: [-0.5, 0.5]\nsteps: 5\noptimizers: [{name: sgd, lr: 0.0001}]\n"
            "render: {size: [240, 180], dpi: 40}\n"
        )
        (workdir / f"f{i}.yaml").write_text(text, encoding="utf-8")
        code, out, err = run(["render", f"f{i}.yaml", "-o", f"f{i}.png", "--quiet"],
                             capsys)  # fmt: skip
        assert (code, out) == (0, ""), err
        assert (workdir / f"f{i}.png").read_bytes()[:4] == b"\x89PNG"


# --- the output format registry --------------------------------------------------


def test_each_format_declares_its_sink_and_limits():
    table = {f.suffix: (f.kind, f.sink is not None) for f in formats()}
    assert table == {
        ".gif": ("movie", True), ".mp4": ("movie", True), ".webm": ("movie", True),
        ".pdf": ("still", False), ".png": ("still", False), ".svg": ("still", False),
        ".html": ("player", False), "/": ("frames", True),
    }  # fmt: skip
    odd = RenderSpec(size=(101, 100), fps=60, arrows=True)
    problems = {s: output_problem(f"o{s}", odd) for s in table if s != "/"}
    assert problems == {
        ".gif": ("fps", "a GIF plays at most 50 fps, got 60; use .mp4 or .webm"),
        ".mp4": ("size", ".mp4 needs even pixel sizes (yuv420p), got [101, 100]; "
                 "use [102, 100]"),
        ".webm": ("size", ".webm needs even pixel sizes (yuv420p), got [101, 100]; "
                  "use [102, 100]"),
        ".pdf": None, ".png": None, ".svg": None,
        ".html": ("arrows", "the .html player does not draw arrows; use a video "
                  "(.mp4, .webm or .gif) or set arrows to false"),
    }  # fmt: skip
    assert output_problem("frames/", odd) is None
    with pytest.raises(OutputError, match="unknown output format '.avi'"):
        format_of("x.avi")


# --- bounded work ------------------------------------------------------------------

MAX_SCENE = """\
surface: beale
start: [[1, 1], [1, 1.1], [1, 1.2], [1, 1.3]]
steps: 100000
optimizers: [{name: sgd}, {name: adam}, {name: sgd, lr: 0.1}, {name: adam, lr: 0.1},
  {name: sgd, lr: 0.2}, {name: adam, lr: 0.2}, {name: sgd, lr: 0.3},
  {name: adam, lr: 0.3}]
render: {views: [contour, surface3d, loss, speed], size: [3840, 3840], dpi: 600,
  fps: 100, duration: 29, camera: {orbit: true}}
"""


def test_work_over_the_budget_is_refused_with_the_estimate(workdir, capsys):
    (workdir / "max.yaml").write_text(MAX_SCENE, encoding="utf-8")
    code, out, err = run(["validate", "max.yaml"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "max.yaml: the estimated work is 16.1 h (3,000 frames x 15 Mpx x 4 panels, "
        "moving 3-D camera; 32 paths x 100,000 steps), over the budget of 20 min; "
        "lower size, dpi, fps, duration, steps or the number of paths; or pass "
        "--no-limits\n"
    )
    code, out, err = run(["render", "max.yaml", "-o", "x.gif"], capsys)
    assert (code, out, err.split(": the estimated")[0]) == (2, "", "max.yaml")
    code, out, err = run(["validate", "max.yaml", "--no-limits"], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "max.yaml: ok (8 optimizers x 4 starts, 100,000 steps, 3,000 frames; about "
        "16.1 h of work)\n"
    )


def test_a_huge_flow_list_is_refused_while_composing():
    text = "start: [" + ", ".join(["1"] * 400_000) + "]\n"  # 1.2 MB of values
    text = text[:999_000] + "]\n"
    started = time.perf_counter()
    with pytest.raises(YamlProblem, match=f"holds more than {MAX_NODES:,} values"):
        parse(text)
    assert time.perf_counter() - started < 5  # was 13 s and 530 MB


# --- error lines -------------------------------------------------------------------


def test_a_control_character_is_one_line_and_every_file_is_reported(workdir, capsys):
    (workdir / "a.yaml").write_text("surface: saddle\n# \x01\noptimizers: []\n")
    (workdir / "b.yaml").write_text("surface: sadle\noptimizers: [{name: sgd}]\n")
    (workdir / "c.yaml").write_text(TINY)
    code, out, err = run(["validate", "a.yaml", "b.yaml", "c.yaml"], capsys)
    assert code == 2
    assert err.splitlines() == [
        "a.yaml:2: a control character U+0001 is not allowed in a scene file (not "
        "even in a comment)",
        "b.yaml:1: surface: unknown surface 'sadle' — did you mean 'saddle'?",
    ]
    assert out.startswith("c.yaml: ok (2 optimizers x 1 start")


def test_echoed_keys_and_values_are_escaped_and_cut_short(workdir, capsys):
    (workdir / "k.yaml").write_text(
        '"a\\nfake.yaml:1: ok": 1\nsurface: ' + "x" * 200_000 + "\n"
        "optimizers: [{name: sgd}]\n"
    )
    code, out, err = run(["validate", "k.yaml"], capsys)
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("k.yaml:1: a\\nfake.yaml:1: ok: unknown key ")
    assert lines[1].startswith("k.yaml:2: surface: unknown surface 'xxxx")
    assert max(len(line) for line in lines) <= 400


# --- reproducible files ------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".webm", ".svg", ".pdf", ".html"])
def test_the_same_scene_gives_the_same_bytes(suffix, workdir, capsys, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (workdir / "s.yaml").write_text(TINY, encoding="utf-8")
    outputs = []
    for i in range(2):
        out = f"o{i}{suffix}"
        assert run(["render", "s.yaml", "-o", out, "--quiet"], capsys)[0] == 0
        outputs.append((workdir / out).read_bytes())
        if i == 0:
            time.sleep(1.1)  # a date in seconds would differ
    assert outputs[0] == outputs[1]
    if suffix == ".pdf":
        assert b"CreationDate" not in outputs[0]


def test_source_date_epoch_is_the_pdf_date(workdir, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (workdir / "s.yaml").write_text(TINY, encoding="utf-8")
    assert run(["render", "s.yaml", "-o", "o.pdf", "--quiet"], capsys)[0] == 0
    assert b"/CreationDate (D:20231114221320Z)" in (workdir / "o.pdf").read_bytes()


def test_notebook_players_of_one_race_get_distinct_ids(tmp_path):
    from optimotion.render._html import player_html
    from optimotion.scene import parse_scene

    built = parse_scene(TINY).build()
    traces = built.race()
    pages = [player_html(traces, built.surface, built.spec) for _ in range(2)]
    assert pages[0] == pages[1]  # a file: the same bytes
    parts = [
        player_html(traces, built.surface, built.spec, full_page=False)
        for _ in range(2)
    ]
    ids = [re.search(r'id="(omp-[0-9a-f]{12})"', p)[1] for p in parts]
    assert ids[0] != ids[1]  # two players in one notebook page


def test_gallery_refuses_a_scene_over_the_budget(workdir, capsys, monkeypatch):
    folder = workdir / "scenes"
    folder.mkdir()
    (folder / "max.yaml").write_text(MAX_SCENE, encoding="utf-8")
    no_work(monkeypatch)
    code, out, err = run(["gallery", "--scenes", "scenes", "-o", "g"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("scenes/max.yaml: the estimated work is 16.1 h (")
    assert not (workdir / "g").exists()


def test_the_work_estimate_by_hand():
    from optimotion.scene._work import estimate

    beale = dict(frames=150, size=(800, 600), panels=1, moving=False, paths=6,
                 steps=300, trail=None)  # fmt: skip
    # 3 s fixed + 150 frames x (480,000 px x 2e-8 s + 6 paths x 301/2 points x
    # 1e-7 s) + 6 x 300 steps x 2e-6 s
    assert estimate(**beale).seconds == pytest.approx(4.457145, abs=1e-9)
    # lr: auto on 2 optimizers over 200 rates: 120,000 more steps
    tuned = estimate(**beale, tuned=2 * 200 * 300)
    assert tuned.seconds == pytest.approx(4.457145 + 0.24, abs=1e-9)
    assert tuned.describe() == (
        "150 frames x 0.48 Mpx x 1 panel; 6 paths x 300 steps; lr: auto runs "
        "120,000 steps"
    )
