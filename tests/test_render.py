"""Rendering: the frame clock, the frames themselves, the files read back.

Trajectories are made by hand with NumPy gradient descent on x^2 + 3 y^2, whose
iterates are known in closed form: x_t = x_0 (1 - 2 lr)^t, y_t = y_0 (1 - 6 lr)^t.
"""

from __future__ import annotations

import os

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest
from matplotlib import colors as mcolors
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

SMALL = {
    "size": (240, 180),
    "dpi": 40,
    "fps": 10,
    "step_counter": True,
    "log_time": False,
}


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
            "`RenderSpec`: steps_per_frame must not be given with duration (give one "
            "of them), got duration=2.0, steps_per_frame=3",
        ),
        (
            {"size": (800, 8)},
            "`RenderSpec`: size must be in [16, 3840] pixels, got (800, 8)",
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
        (
            {"markers": "minimum"},
            "`RenderSpec`: markers must be one of ('auto', 'all', 'minima', 'none'), "
            "got 'minimum'; did you mean 'minima'?",
        ),
        (
            {"loss_scale": "logarithmic"},
            "`RenderSpec`: loss_scale must be one of ('auto', 'linear', 'log', "
            "'symlog'), got 'logarithmic'",
        ),
        (
            {"log_time": "yes"},
            "`RenderSpec`: log_time must be True, False or 'auto', got 'yes'",
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
            segments = contour.trails.shown
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
        assert len(segments) == 2 * 3 * 5  # the last 5 steps of each, and casings
        colors = collection.get_colors()
        slow = np.flatnonzero(
            np.all(colors[:, :3] == mcolors.to_rgb(r.prepared.tracks[0].color), axis=1)
        )
        assert len(slow) == 5
        np.testing.assert_array_equal(segments[slow[0]], race["slow"].xy[35:37])
        np.testing.assert_allclose(colors[slow, 3], [0.08, 0.31, 0.54, 0.77, 1.0])


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
            heads = contour.heads.points
            loss_heads = loss.heads.points
            speed_heads = speed.heads.points
            for i, track in enumerate(r.prepared.tracks):
                np.testing.assert_array_equal(heads[i], track.xy[t])
                value = track.loss[t] - loss.scale.shift  # f - f* on the log axis
                assert tuple(loss_heads[i]) == (t, max(value, loss.scale.lo))
                if t:
                    assert tuple(speed_heads[i]) == (t, track.step_length[t - 1])
            # the 3-D heads sit where matplotlib projects (x, y, lifted f)
            top = r.prepared.order[-1]  # drawn last: on top where heads meet
            track = r.prepared.tracks[top]
            px, py, _ = proj3d.proj_transform(
                *track.xy[t], surf3d.heights[top][1][t], surf3d.ax.M
            )
            if k == 0:  # heads start stacked: dodged apart into a ring
                px, py = surf3d.heads.drawn()[top]
            col, row = surf3d.ax.transData.transform((px, py))
            rgb = tuple(int(v) for v in frame[int(400 - row), int(col), :3])
            assert "#{:02X}{:02X}{:02X}".format(*rgb) == track.color


def test_diverged_trail_stops_and_render_completes(tmp_path):
    traces = {"ok": gd(0.05), "boom": gd(0.4)}  # boom: NaN from step 7
    with rc_context(get_theme("light")):
        r = renderer(traces, views=("contour", "loss"), steps_per_frame=4)
        contour, loss = r.panels
        r.draw(len(r.plan.steps) - 1)  # step 40
        trail = contour.trails.shown[1]
        np.testing.assert_array_equal(trail, traces["boom"].xy[:7])
        # the head stays at the last finite point, drawn as an X; that point is
        # outside the window, so on the edge where the path left it
        heads = contour.heads
        crosses = heads.drawn(heads.crosses)
        xy = traces["boom"].xy
        j = int(np.flatnonzero(np.abs(xy[:7]).max(axis=1) > 2)[0])
        (x0, y0), (x1, y1) = xy[j - 1], xy[j]
        assert abs(y1) > 2 and abs(x1) < 2  # left through the top or bottom edge
        s = (2 * np.sign(y1) - y0) / (y1 - y0)
        np.testing.assert_allclose(crosses[1], (x0 + s * (x1 - x0), 2 * np.sign(y1)))
        assert np.isnan(heads.drawn()[1]).all()
        assert np.isnan(crosses[0]).all()
        assert loss.heads.drawn(loss.heads.crosses)[1][0] == 6
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
        for k in (1, 2):  # later, the heads meet at the minimum (dodged apart)
            agg = r.draw(k)[..., :3]
            drawn = r.panels[0].heads.drawn()
            for i, track in enumerate(r.prepared.tracks):
                row, col = pixel_of(r.panels[0].ax, *drawn[i], 240)
                rgb = mcolors.to_rgba_array(track.color)[0, :3] * 255
                near = agg[row - 3 : row + 4, col - 3 : col + 4]
                hit = np.all(near == rgb, axis=-1)
                assert hit.any(), (k, track.label)  # the head, in its colour
                gif = frames[k][row - 3 : row + 4, col - 3 : col + 4, :3]
                assert np.all(gif[hit] == rgb)  # exact in the GIF too


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
    frames = [f"frame_{i:05d}.png" for i in range(5)]
    assert names == [".optimotion-frames", *frames]
    assert (folder / ".optimotion-frames").read_text() == "".join(
        f"{name}\n" for name in frames
    )
    assert Image.open(folder / frames[0]).size == (240, 180)


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


# That render needs no optimizers, dynamics, jax or matplotlib: test_boundaries.py


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


# -- what a lecturer sees: markers, scales, the clock, colours, layouts -------


def test_markers_auto_keeps_the_global_minimum_and_the_points_near_the_paths():
    from optimotion.render._data import MARKER_NEAR, marked_points, surface_data
    from optimotion.surfaces import get

    rastrigin = get("rastrigin")
    data = surface_data(rastrigin)
    kinds = [k for *_, k in data.critical]
    assert len(kinds) > 300  # the lattice of critical points in its window
    traces = {"a": gd(0.02, start=(3.3, -2.7))}  # a path near (3, -3)
    tracks = prepare(traces, rastrigin, RenderSpec()).tracks
    auto = marked_points(data, tracks, "auto")
    assert len(auto) == 1 + MARKER_NEAR
    assert (0.0, 0.0, "minimum") in [(round(x, 6) + 0, round(y, 6) + 0, k)
                                     for x, y, k in auto]  # fmt: skip
    near = [(x, y) for x, y, _ in auto if abs(x) > 1e-6 or abs(y) > 1e-6]
    # the six nearest to a path from (3.3, -2.7) towards (0, 0): within 1 of it
    path = traces["a"].xy
    for x, y in near:
        assert np.min(np.hypot(path[:, 0] - x, path[:, 1] - y)) < 1.0
    assert len(marked_points(data, tracks, "minima")) == kinds.count("minimum")
    assert marked_points(data, tracks, "none") == ()
    assert marked_points(data, tracks, "all") == data.critical
    # a surface with few points marks them all
    bowl = surface_data(BOWL)
    assert marked_points(bowl, tracks, "auto") == bowl.critical


def test_loss_scale_rule_and_override():
    from optimotion.render._curves import loss_scale

    # a drop from 10 to a plateau at 0, then a slide to -0.25, f* unknown
    late = np.r_[np.zeros(40), -0.25 + 0.25 * np.exp(-np.arange(50) / 5.0)]
    values = np.r_[np.linspace(10, 0, 10), late]
    scale = loss_scale(values, late, None)
    assert scale.kind == "symlog" and scale.linthresh == pytest.approx(0.25, 1e-3)

    # the slide takes a quarter of the height (a linear axis gives it 2.4 %)
    def symlog(v):
        a = abs(v)
        return np.sign(v) * (a / 0.25 if a <= 0.25 else 1 + np.log10(a / 0.25))

    share = (symlog(0.0) - symlog(-0.25)) / (symlog(scale.hi) - symlog(scale.lo))
    assert share == pytest.approx(0.252, abs=0.005)
    assert loss_scale(values, late, None, "linear").kind == "linear"
    # f* known and never undershot: log of f - f*; the floor cuts at 12 decades
    gap = loss_scale(values, late, -0.25)
    assert (gap.kind, gap.shift) == ("log", -0.25)
    assert gap.lo >= 10.25e-12 / 10 ** (0.05 * 12)
    # positive values over four decades: log of f; over one decade: linear
    assert loss_scale(np.geomspace(1e3, 1e-1, 9), np.array([0.1]), None).kind == "log"
    assert loss_scale(np.linspace(5, 1, 9), np.array([1.0]), None).kind == "linear"
    # a value below f*: the minimum is not what the run approaches: not the gap
    below = loss_scale(np.r_[values, -1.0], late, -0.25)
    assert below.shift == 0.0


def test_log_time_auto_follows_where_the_motion_is():
    from optimotion.render import moves_early

    # GD on the bowl contracts geometrically: most of the path in the first steps
    fast = {"fast": gd(0.06, steps=100)}
    spec = RenderSpec(duration=1.0, fps=10, hold=0)
    prepared = prepare(fast, BOWL, spec)
    assert prepared.early
    with rc_context(get_theme("light")):
        r = Renderer(prepared, spec)
        assert r.plan.steps.tolist()[:4] == [0, 1, 2, 4]  # one step a frame at first
    assert frame_plan(spec, 100, early=False).steps.tolist()[:3] == [0, 11, 22]
    off = RenderSpec(duration=1.0, fps=10, hold=0, log_time=False)
    assert frame_plan(off, 100, early=True).steps.tolist()[:3] == [0, 11, 22]
    # steady motion: 10 % of the length by 10 % of the steps
    assert not moves_early([np.ones(100)])
    assert moves_early([np.r_[np.full(10, 10.0), np.ones(90)]])  # 100 / 190
    assert not moves_early([np.r_[np.full(10, 8.0), np.ones(90)]])  # 80 / 170


def test_one_colour_per_optimizer_across_themes():
    from optimotion.render._theme import DARK, contrast

    labels = [f"o{i}" for i in range(16)]
    light, dark = assign_colors(labels, LIGHT), assign_colors(labels, DARK)
    # the Okabe-Ito colours keep their exact value; black becomes white
    assert [dark[f"o{i}"] for i in range(6)] == [light[f"o{i}"] for i in range(6)]
    assert (light["o6"], dark["o6"]) == ("#000000", "#FFFFFF")
    assert all(contrast(c, DARK.background) >= 3.0 for c in DARK.palette)
    assert len(set(DARK.palette)) == len(DARK.palette)


def test_three_panels_at_1280x720_fill_the_height(race):
    with rc_context(get_theme("light")):
        r = renderer(
            race, views=("contour", "surface3d", "loss"), size=(1280, 720), dpi=100
        )
        r.draw(0)
        boxes = [p.ax.get_window_extent() for p in r.panels]
        # the first map is the hero: a square over most of the height
        assert boxes[0].height > 0.7 * 720 and boxes[0].width > 0.7 * 720
        # the loss panel to its right is wide, not a square
        assert boxes[2].width > 1.5 * boxes[2].height
        # the one-row layout of 1280x540 is kept
        r2 = renderer(race, views=("contour", "loss", "speed"), size=(1280, 540))
        r2.draw(0)
        tops = {round(p.ax.get_position().y1, 2) for p in r2.panels}
        assert len(tops) == 1


def test_one_panel_legend_fills_its_column(race):
    with rc_context(get_theme("light")):
        r = renderer(race, views=("contour",), size=(800, 600), dpi=100)
        r.draw(0)
        canvas_renderer = r.canvas.get_renderer()
        panel = r.panels[0].ax.get_window_extent()
        legend = r.layout.legend.get_window_extent(canvas_renderer)
        assert legend.x0 > panel.x1 and legend.x1 <= 800
        # centred on the panel, its text grown past the 9 pt default
        assert abs((legend.y0 + legend.y1) / 2 - (panel.y0 + panel.y1) / 2) < 2
        assert r.layout.legend.get_texts()[0].get_fontsize() > 9.0 * 1.3


def test_surface3d_ticks_start_marker_and_paths_clipped_to_the_edge():
    from mpl_toolkits.mplot3d import proj3d

    traces = {"ok": gd(0.05), "boom": gd(0.4)}  # boom leaves the window at y = 2
    with rc_context(get_theme("light")):
        r = renderer(traces, views=("surface3d",), size=(400, 400), dpi=100)
        r.draw(len(r.plan.steps) - 1)
        panel = r.panels[0]
        sizes = {t.get_fontsize() for t in panel.ax.xaxis.get_ticklabels()}
        assert sizes == {8.5}  # the 2-D panels' size, not x-small (~7 px)
        # the start marker sits at the projected start, on the surface
        (x0, y0) = traces["ok"].xy[0]
        z0 = float(BOWL.fn(x0, y0)) + panel.lift
        px, py, _ = proj3d.proj_transform(x0, y0, z0, panel.ax.M)
        np.testing.assert_allclose(panel.start_marker.get_xydata()[0], (px, py))
        # boom's trail ends on the window's edge, not at its last point inside
        trail, _ = panel.clipped[1]
        ends = trail[np.all(np.isfinite(trail), axis=1)]
        assert np.max(np.abs(ends)) == pytest.approx(2.0)
        inside = traces["boom"].xy[np.all(np.abs(traces["boom"].xy) <= 2, axis=1)]
        assert np.max(np.abs(inside)) < 2.0
