"""Rendering: the frame clock, the frames themselves, the files read back.

Trajectories are made by hand with NumPy gradient descent on x^2 + 3 y^2, whose
iterates are known in closed form: x_t = x_0 (1 - 2 lr)^t, y_t = y_0 (1 - 6 lr)^t.
"""

from __future__ import annotations

import os
import pathlib

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from optimotion.dynamics import Trajectory
from optimotion.render import (
    Camera,
    NullSink,
    RenderSpec,
    frame_plan,
    gif_durations_ms,
    render,
    render_frames,
    still,
)
from optimotion.render._data import prepare
from optimotion.render._layout import rc_context
from optimotion.render._render import Renderer
from optimotion.render._theme import LIGHT, assign_colors, get_theme
from optimotion.surfaces import Surface

BOWL = Surface(
    name="bowl",
    fn=lambda x, y: x**2 + 3 * y**2,
    formula="x^2 + 3*y^2",
    latex="x^2 + 3y^2",
    window=((-2.0, 2.0), (-2.0, 2.0)),
    start=(1.6, 1.2),
    minima=((0.0, 0.0),),
)

# Reading videos back forks ffmpeg from a process that imported jax; jax warns.
pytestmark = pytest.mark.filterwarnings(r"ignore:os\.fork\(\) was called")

SMALL = {"size": (240, 180), "dpi": 40, "fps": 10, "step_counter": True}


def gd(lr, steps=40, start=(1.6, 1.2), limit=10.0, lr_end=None) -> Trajectory:
    """Gradient descent on the bowl; rows from the first |x| > limit are NaN."""
    lrs = np.full(steps, lr) if lr_end is None else np.linspace(lr, lr_end, steps)
    xy = np.empty((steps + 1, 2))
    xy[0] = start
    for t in range(steps):
        x, y = xy[t]
        xy[t + 1] = (x - lrs[t] * 2 * x, y - lrs[t] * 6 * y)
    grad = xy * np.array([2.0, 6.0])
    loss = xy[:, 0] ** 2 + 3 * xy[:, 1] ** 2
    far = np.flatnonzero(np.abs(xy).max(axis=1) > limit)
    diverged_at = int(far[0]) if far.size else None
    if diverged_at is not None:
        xy[diverged_at:] = grad[diverged_at:] = np.nan
        loss[diverged_at:] = np.nan
    return Trajectory(
        xy=xy,
        loss=loss,
        grad=grad,
        step_length=np.linalg.norm(np.diff(xy, axis=0), axis=1),
        state={},
        diverged_at=diverged_at,
        lr=lrs,
    )


@pytest.fixture(scope="module")
def race():
    return {"slow": gd(0.02), "fast": gd(0.06), "wobbly": gd(0.15)}


def renderer(traces, **kw):
    spec = RenderSpec(**{**SMALL, **kw})
    prepared = prepare(traces, BOWL, spec)
    return Renderer(prepared, spec)


def pixel_of(ax, x, y, height):
    """(row, col) of the pixel whose centre the data point (x, y) falls in."""
    px, py = ax.transData.transform((x, y))
    return int(height - py), int(px)


# -- the frame clock ----------------------------------------------------------


def test_frame_plan_duration():
    plan = frame_plan(RenderSpec(duration=0.2, fps=30, hold=0.1), 12)
    # 6 frames: round(k * 12 / 5) for k = 0..5
    assert plan.steps.tolist() == [0, 2, 5, 7, 10, 12]
    assert (plan.hold, plan.total) == (3, 9)


def test_frame_plan_default_is_five_seconds_plus_one_held():
    plan = frame_plan(RenderSpec(), 300)
    assert len(plan.steps) == 150 and plan.hold == 30 and plan.total == 180
    assert plan.steps[[0, 1, 2, 149]].tolist() == [0, 2, 4, 300]  # 300 k / 149


def test_frame_plan_steps_per_frame():
    assert frame_plan(RenderSpec(steps_per_frame=5), 12).steps.tolist() == [
        0, 5, 10, 12,
    ]  # fmt: skip
    assert frame_plan(RenderSpec(steps_per_frame=4), 12).steps.tolist() == [
        0, 4, 8, 12,
    ]  # fmt: skip
    assert frame_plan(RenderSpec(steps_per_frame=1, hold=0), 3).total == 4


def test_frame_plan_log_time():
    steps = frame_plan(RenderSpec(log_time=True), 300).steps
    assert steps[:127].tolist() == list(range(127))  # one step a frame at first
    # k = 127: u = 127/149, expm1(u ln 301) = 128.6 -> 129; k = 140 -> 212.27 -> 212
    assert steps[127] == 129 and steps[140] == 212 and steps[-1] == 300
    assert np.all(np.diff(steps) >= 0)
    # more frames than steps: log time cannot help, every step gets a frame
    few = frame_plan(RenderSpec(log_time=True, duration=1, fps=10), 4)
    assert few.steps.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_gif_durations_track_fps_in_10ms_units():
    assert gif_durations_ms(30, 6) == [30, 40, 30, 30, 40, 30]
    assert sum(gif_durations_ms(30, 30)) == 1000
    assert gif_durations_ms(25, 4) == [40, 40, 40, 40]
    assert gif_durations_ms(30, 3, start=3) == [30, 40, 30]


# -- the spec -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"views": ("contour", "lose")},
            "`RenderSpec`: views has unknown view 'lose'; expected one of "
            "('cloud', 'contour', 'distribution', 'loss', 'speed', 'surface3d', "
            "'survival'); did you mean 'loss'?",
        ),
        (
            {"duration": 2.0, "steps_per_frame": 3},
            "`RenderSpec`: duration and steps_per_frame are exclusive: give one, got "
            "duration=2.0, steps_per_frame=3",
        ),
        (
            {"size": (800, 8)},
            "`RenderSpec`: size must be in [16, 4096] pixels, got (800, 8)",
        ),
        (
            {"theme": "drak"},
            "`RenderSpec`: theme must be one of ('dark', 'light'), got 'drak'; did "
            "you mean 'dark'?",
        ),
        (
            {"views": ("contour", "loss", "speed"), "layout": (1, 2)},
            "`RenderSpec`: layout (1, 2) has 2 cells for 3 views "
            "('contour', 'loss', 'speed')",
        ),
    ],
)
def test_spec_errors(kwargs, message):
    with pytest.raises(ValueError) as info:
        RenderSpec(**kwargs)
    assert str(info.value) == message


def test_camera_keyframes_interpolate_and_orbit_turns():
    camera = Camera(keyframes=((0.0, 10.0, 0.0), (0.5, 30.0, 90.0), (1.0, 30.0, 90.0)))
    assert camera.view(0.25) == (20.0, 45.0) and camera.moves
    assert Camera(orbit=True, azim=-60.0).view(1.0) == (30.0, 60.0)
    assert not Camera().moves
    with pytest.raises(ValueError, match="fractions must increase"):
        Camera(keyframes=((0.5, 1.0, 1.0), (0.2, 1.0, 1.0)))


def test_colors_overrides_and_palette():
    colors = assign_colors(["a", "b", "c"], LIGHT, {"b": "tab:red"})
    assert colors == {"a": "#0072B2", "b": "#D62728", "c": "#D55E00"}
    with pytest.raises(ValueError, match=r"colors has labels \['z'\]"):
        assign_colors(["a"], LIGHT, {"z": "red"})


def test_legend_shows_learning_rate_constant_and_scheduled(race):
    traces = {"gd": gd(0.05), "decay": gd(0.1, lr_end=0.001), "boom": gd(0.4)}
    legends = [t.legend for t in prepare(traces, BOWL, RenderSpec()).tracks]
    # lr 0.4: |1 - 6 lr| = 1.4, |y| = 1.2 * 1.4^t passes 10 at t = 7
    assert legends == [
        "gd (lr=0.05)",
        "decay (lr=0.1→0.001)",
        "boom (lr=0.4), diverged at 7",
    ]


# -- frames -------------------------------------------------------------------


def test_null_sink_counts_frames(race):
    sink = NullSink()
    spec = RenderSpec(**SMALL, duration=0.5, hold=0.3)
    plan = render_frames(race, BOWL, spec, sink)
    assert plan.steps.tolist() == [0, 10, 20, 30, 40]  # 5 frames over 40 steps
    assert (sink.grabs, sink.frames, sink.size, sink.fps) == (5, 8, (240, 180), 10)
    assert sink.finished and not sink.aborted
    assert sink.last.shape == (180, 240, 4) and sink.last.dtype == np.uint8


def test_heads_land_on_their_pixels(race):
    with rc_context(get_theme("light")):
        r = renderer(race, views=("contour",), size=(400, 300), dpi=60)
        ax = r.panels[0].ax
        for k in (1, 3):
            frame = r.draw(k).copy()
            t = r.step(k)
            for track in r.prepared.tracks:
                row, col = pixel_of(ax, *track.xy[t], 300)
                rgb = tuple(frame[row, col, :3])
                assert "#{:02X}{:02X}{:02X}".format(*rgb) == track.color, (
                    k,
                    track.label,
                )


def test_trails_grow_monotonically(race):
    with rc_context(get_theme("light")):
        r = renderer(race, duration=1.0)
        contour = r.panels[0]
        previous = [0] * len(race)
        for k in range(len(r.plan.steps)):
            r.draw(k)
            t = r.step(k)
            segments = contour.trails.collection.get_segments()
            for i, (track, data) in enumerate(
                zip(r.prepared.tracks, segments, strict=True)
            ):
                assert len(data) == t + 1 >= previous[i]
                np.testing.assert_array_equal(data, track.xy[: t + 1])
                previous[i] = len(data)


def test_trail_length_and_fade(race):
    with rc_context(get_theme("light")):
        r = renderer(race, trail=5, fade=True)
        r.draw(len(r.plan.steps) - 1)
        collection = r.panels[0].trails.collection
        segments = collection.get_segments()
        assert len(segments) == 3 * 5  # the last 5 steps of each track
        np.testing.assert_array_equal(segments[0], race["slow"].xy[35:37])
        alphas = collection.get_colors()[:, 3]
        np.testing.assert_allclose(alphas[:5], [0.08, 0.31, 0.54, 0.77, 1.0])


def test_panels_stay_in_sync(race):
    from mpl_toolkits.mplot3d import proj3d

    views = ("contour", "surface3d", "loss", "speed")
    with rc_context(get_theme("dark")):
        r = renderer(race, views=views, layout=(2, 2), size=(400, 400), duration=1.0)
        contour, surf3d, loss, speed = r.panels
        for k in (0, 4, 9):
            frame = r.draw(k).copy()
            t = r.step(k)
            assert loss.cursor.get_xdata()[0] == t == speed.cursor.get_xdata()[0]
            assert r.layout.counter.get_text() == str(t)
            heads = contour.heads.running.get_offsets()
            loss_heads = loss.heads.running.get_offsets()
            speed_heads = speed.heads.running.get_offsets()
            for i, track in enumerate(r.prepared.tracks):
                np.testing.assert_array_equal(heads[i], track.xy[t])
                assert tuple(loss_heads[i]) == (t, track.loss[t])
                if t:
                    assert tuple(speed_heads[i]) == (t, track.step_length[t - 1])
            # the 3-D heads sit where matplotlib projects (x, y, lifted f)
            track = r.prepared.tracks[2]  # drawn last: on top where heads meet
            x, y = track.xy[t]
            px, py, _ = proj3d.proj_transform(x, y, surf3d.heights[2][t], surf3d.ax.M)
            col, row = surf3d.ax.transData.transform((px, py))
            rgb = tuple(int(v) for v in frame[int(400 - row), int(col), :3])
            assert "#{:02X}{:02X}{:02X}".format(*rgb) == track.color


def test_diverged_trail_stops_and_render_completes(tmp_path):
    traces = {"ok": gd(0.05), "boom": gd(0.4)}  # boom: NaN from step 7
    with rc_context(get_theme("light")):
        r = renderer(traces, views=("contour", "loss"), steps_per_frame=4)
        contour, loss = r.panels
        r.draw(len(r.plan.steps) - 1)  # step 40
        trail = contour.trails.collection.get_segments()[1]
        np.testing.assert_array_equal(trail, traces["boom"].xy[:7])
        # the head stays at the last finite point, drawn as an X
        running, crosses = contour.heads.running, contour.heads.crosses
        np.testing.assert_array_equal(crosses.get_offsets()[1], traces["boom"].xy[6])
        assert np.isnan(running.get_offsets()[1]).all()
        assert np.isnan(crosses.get_offsets()[0]).all()
        assert loss.heads.crosses.get_offsets()[1][0] == 6
    out = render(traces, BOWL, RenderSpec(**SMALL, duration=0.5), tmp_path / "d.gif")
    assert Image.open(out).n_frames == 5


def test_long_titles_fit_and_never_overlap_the_counter(race):
    title = "A very long title for such a small animation, " * 3
    with rc_context(get_theme("light")):
        r = renderer(race, views=("contour", "loss"), title=title, size=(320, 240))
        renderer_ = r.canvas.get_renderer()
        suptitle = r.layout.title.get_window_extent(renderer_)
        label = r.layout._counter_label.get_window_extent(renderer_)
        assert 0 <= suptitle.x0 and suptitle.x1 < label.x0
        assert r.layout.title.get_text().endswith("…")
        contour_title = r.panels[0].ax.title
        box = contour_title.get_window_extent(renderer_)
        assert 0 <= box.x0 and box.x1 <= 320 / 2 + 1  # within its column
        assert contour_title.get_text() in ("Bowl", "Bowl:  $x^2 + 3y^2$")


def test_loss_axis_is_log_when_values_span_decades(race):
    with rc_context(get_theme("light")):
        r = renderer(race, views=("loss", "speed"))
        loss, speed = r.panels
        # fast: f_t = f_0 0.64^(2t) -> 40 steps span 15 decades
        assert loss.log and loss.ax.get_yscale() == "log" and speed.log


# -- files --------------------------------------------------------------------


def test_gif_read_back(race, tmp_path):
    big = {"size": (320, 240), "dpi": 60, "duration": 0.6, "hold": 0.5}
    spec = RenderSpec(**{**SMALL, **big})  # 6 frames, 5 held
    out = render(race, BOWL, spec, tmp_path / "race.gif")
    frames = iio.imread(out, index=None)
    # hold frames merge into the last frame's delay
    assert frames.shape[:3] == (6, 240, 320)
    image = Image.open(out)
    durations = []
    for i in range(image.n_frames):
        image.seek(i)
        durations.append(image.info["duration"])
    assert durations == [100] * 5 + [600] and image.info["loop"] == 0
    # the exact trail colours survive the palette: compare with the Agg frame
    with rc_context(get_theme("light")):
        r = renderer(race, **big)
        for k in (1, 2):  # later, the heads meet at the minimum
            agg = r.draw(k)[..., :3]
            for track in r.prepared.tracks:
                row, col = pixel_of(r.panels[0].ax, *track.xy[r.step(k)], 240)
                rgb = tuple(int(v) for v in frames[k][row, col, :3])
                assert "#{:02X}{:02X}{:02X}".format(*rgb) == track.color
                assert rgb == tuple(agg[row, col])


def test_mp4_read_back(race, tmp_path):
    spec = RenderSpec(**{**SMALL, "size": (320, 240)}, duration=0.5, hold=0.2)
    out = render(race, BOWL, spec, tmp_path / "race.mp4")
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    frames = [np.frombuffer(f, np.uint8).reshape(240, 320, 3) for f in reader]
    assert meta["size"] == (320, 240) and meta["fps"] == 10.0
    assert meta["codec"] == "h264" and meta["pix_fmt"].startswith("yuv420p")
    assert len(frames) == 5 + 2
    with rc_context(get_theme("light")):
        r = renderer(race, size=(320, 240), duration=0.5, hold=0.2)
        agg = r.draw(4)[..., :3].astype(int)
    # lossy: the whole last frame is close to the Agg frame, and so are the held
    assert np.abs(frames[4].astype(int) - agg).mean() < 3.0
    assert np.abs(frames[6].astype(int) - frames[4]).mean() < 0.5


def test_webm_and_png_folder(race, tmp_path):
    spec = RenderSpec(**SMALL, duration=0.3, hold=0.2)
    out = render(race, BOWL, spec, tmp_path / "race.webm")
    assert imageio_ffmpeg.count_frames_and_secs(str(out))[0] == 3 + 2
    folder = render(race, BOWL, spec, str(tmp_path / "frames") + "/")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"frame_{i:05d}.png" for i in range(5)]
    assert Image.open(folder / names[0]).size == (240, 180)


def test_still_png_svg_pdf(race, tmp_path):
    spec = RenderSpec(**SMALL, views=("contour", "loss"))
    png = still(race, BOWL, spec, tmp_path / "final.png")
    assert Image.open(png).size == (240, 180)
    assert render(race, BOWL, spec, tmp_path / "final.svg").read_text()[:5] == "<?xml"
    assert (tmp_path / "final.pdf").exists() is False
    assert still(race, BOWL, spec, tmp_path / "final.pdf").read_bytes()[:5] == b"%PDF-"
    assert oct(png.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("suffix", [".gif", ".mp4", "/"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_mid_render_leaves_no_file(race, tmp_path, monkeypatch, suffix, error):
    (tmp_path / "keep.txt").write_text("unrelated")
    calls = []
    original = Renderer.draw

    def failing_draw(self, k):
        calls.append(k)
        if len(calls) == 4:
            raise error("boom")
        return original(self, k)

    monkeypatch.setattr(Renderer, "draw", failing_draw)
    out = str(tmp_path / "race") + suffix
    with pytest.raises(error):
        render(race, BOWL, RenderSpec(**SMALL, duration=1.0), out, workers=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_failure_keeps_the_previous_output(race, tmp_path, monkeypatch):
    out = tmp_path / "race.mp4"
    out.write_bytes(b"previous")

    def broken(self, rgba, repeat=1):
        raise OSError("disk full")

    monkeypatch.setattr("optimotion.render._sinks.FFmpegSink.grab_frame", broken)
    with pytest.raises(OSError, match="disk full"):
        render(race, BOWL, RenderSpec(**SMALL, duration=0.5), out)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.mp4"]


def test_output_errors(race, tmp_path):
    with pytest.raises(ValueError, match=r"unknown output format '\.avi' in '.*race"):
        render(race, BOWL, RenderSpec(**SMALL), tmp_path / "race.avi")
    odd = RenderSpec(**{**SMALL, "size": (241, 180)})
    with pytest.raises(
        ValueError, match=r"size: \.mp4 needs even pixel sizes .*use \[242, 180\]"
    ):
        render(race, BOWL, odd, tmp_path / "race.mp4")
    with pytest.raises(ValueError, match="fps: a GIF plays at most 50 fps, got 60;"):
        render(race, BOWL, RenderSpec(**{**SMALL, "fps": 60}), tmp_path / "r.gif")
    assert list(tmp_path.iterdir()) == []


def test_gif_memory_does_not_grow_with_frames(tmp_path):
    import tracemalloc

    from optimotion.render import GifSink, saving

    def peak(n: int) -> int:
        rng = np.random.default_rng(0)
        frame = np.full((120, 160, 4), 255, np.uint8)
        sink = GifSink(tmp_path / f"{n}.gif", ["#0072B2"])
        tracemalloc.start()
        with saving(sink, (160, 120), 10, [frame]):
            for _ in range(n):
                x, y = rng.integers(0, 150), rng.integers(0, 110)
                frame[y : y + 10, x : x + 10, :3] = rng.integers(0, 255, 3)
                sink.grab_frame(frame)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert Image.open(tmp_path / f"{n}.gif").n_frames == n
        return peak

    small, large = peak(10), peak(200)
    assert large < 1.2 * small + 100_000, (small, large)  # not 20x: no frame is kept


def test_progress_bar_on_request(race, capsys):
    render_frames(
        race, BOWL, RenderSpec(**SMALL, duration=0.3), NullSink(), progress=True
    )
    assert "render" in capsys.readouterr().err
    render_frames(
        race, BOWL, RenderSpec(**SMALL, duration=0.3), NullSink(), progress=False
    )
    assert capsys.readouterr().err == ""


class _Frames:
    """A sink that keeps every frame (tests only: a few tiny frames)."""

    def setup(self, size, fps, samples=()):
        self.frames = []

    def grab_frame(self, rgba, repeat=1):
        self.frames.append(np.array(rgba, copy=True))

    def finish(self):
        pass

    def abort(self):
        pass


def test_orbit_in_workers_equals_serial_and_turns(race):
    spec = RenderSpec(
        **{**SMALL, "size": (200, 160)}, views=("surface3d",), duration=0.4,
        camera=Camera(orbit=True),
    )  # fmt: skip
    serial, parallel = _Frames(), _Frames()
    render_frames(race, BOWL, spec, serial, workers=1)
    render_frames(race, BOWL, spec, parallel, workers=2)
    assert len(serial.frames) == len(parallel.frames) == 4
    for a, b in zip(serial.frames, parallel.frames, strict=True):
        np.testing.assert_array_equal(a, b)
    # the camera moved: the surface itself changed between the first and last frame
    assert np.abs(serial.frames[0].astype(int) - serial.frames[-1]).mean() > 5


def test_interrupt_stops_the_workers_and_leaves_no_file(race, tmp_path, monkeypatch):
    from optimotion.render._workers import FramePool

    pools = []
    original_close = FramePool.close

    def close(self, *, abort=False):
        pools.append((list(self._procs), abort))
        original_close(self, abort=abort)

    monkeypatch.setattr(FramePool, "close", close)

    def interrupted(self, rgba, repeat=1):
        raise KeyboardInterrupt

    monkeypatch.setattr("optimotion.render._sinks.FFmpegSink.grab_frame", interrupted)
    spec = RenderSpec(
        **{**SMALL, "size": (200, 160)}, views=("surface3d",), duration=0.4,
        camera=Camera(orbit=True),
    )  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        render(race, BOWL, spec, tmp_path / "orbit.mp4", workers=2)
    assert list(tmp_path.iterdir()) == []
    [(procs, aborted)] = pools
    assert aborted and len(procs) == 2
    assert all(proc.poll() is not None for proc in procs)


def test_fixed_camera_background_is_drawn_once(race, monkeypatch):
    with rc_context(get_theme("light")):
        r = renderer(race, views=("contour", "surface3d"), duration=1.0)
        draws = []
        original = r.canvas.draw
        monkeypatch.setattr(r.canvas, "draw", lambda: draws.append(1) or original())
        for k in range(len(r.plan.steps)):
            r.draw(k)
        assert len(draws) == 1


def test_theme_rc_does_not_leak(race):
    import matplotlib

    before = dict(matplotlib.rcParams)
    render_frames(
        race, BOWL, RenderSpec(**SMALL, theme="dark", duration=0.2), NullSink()
    )
    assert dict(matplotlib.rcParams) == before


def test_render_needs_no_optimizers_or_dynamics():
    import subprocess
    import sys

    code = (
        "import sys, optimotion.render, optimotion.render._render; "
        "bad = [m for m in sys.modules if m.startswith(('optimotion.optimizers', "
        "'optimotion.dynamics', 'jax', 'matplotlib'))]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=pathlib.Path(__file__).parent,
    )  # fmt: skip
    assert out.stdout.strip() == "[]"


def test_preload_computes_the_static_data_that_render_then_reuses():
    from optimotion import surfaces
    from optimotion.render import preload
    from optimotion.render._data import surface_data

    saddle = surfaces.get("saddle")
    preload(saddle)
    data = surface_data(saddle)
    assert surface_data(saddle) is data  # cached: the render reuses it
    assert not data.Z.flags.writeable  # shared, so read-only
    assert data.critical == ((0.0, 0.0, "saddle"),)
    np.testing.assert_allclose(data.Z, data.X**2 - data.Y**2, rtol=0, atol=1e-15)


def test_an_mp4_aborted_before_its_first_frame_leaves_nothing_and_says_nothing(
    tmp_path, caplog
):
    from optimotion.render import FFmpegSink

    sink = FFmpegSink(tmp_path / "a.mp4")
    sink.setup((64, 48), 10)
    sink.abort()
    assert list(tmp_path.iterdir()) == []
    assert [r.getMessage() for r in caplog.records if r.name == "imageio_ffmpeg"] == []


def test_curve_limits_rule_shared_by_render_and_the_explorer():
    from optimotion.render._curves import curve_limits

    log, lo, hi = curve_limits(np.array([0.0, 1e-6, 1.0]), pad=0.05)
    assert log and lo == pytest.approx(10**-6.3) and hi == pytest.approx(10**0.3)
    assert curve_limits(np.array([1.0, 2.0]), pad=0.05) == (False, 0.95, 2.05)
    assert curve_limits(np.array([-1.0, 1e-6, 1.0]), pad=0.5)[0] is False
    assert curve_limits(np.array([3.0]), pad=0.05) == (False, 2.7, 3.3)
    assert curve_limits(np.array([]), pad=0.05) == (False, -1.0, 1.0)
