"""The ensemble views (`cloud`, `distribution`, `survival`) and the render-side
`Particles` record: what each frame draws, checked against hand-made ensembles."""

from __future__ import annotations

import types

import imageio.v3 as iio
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from test_render import BOWL, SMALL, gd

from optimotion.render import (
    NullSink,
    RenderSpec,
    particles,
    render,
    render_frames,
)
from optimotion.render._data import prepare
from optimotion.render._ensemble_views import CLOUD_ALPHA
from optimotion.render._layout import rc_context
from optimotion.render._render import Renderer
from optimotion.render._theme import get_theme

pytestmark = pytest.mark.filterwarnings(r"ignore:os\.fork\(\) was called")

STEPS = 10


def fake_ensemble(exit_radius=1.0, n=7):
    """Duck-typed like `optimotion.Ensemble`: 4 kept particles moving out along
    the axes, particle k at distance e^(k - 2) * 1.1^t from the origin."""
    t = np.arange(STEPS + 1)
    radius = np.exp(np.arange(4) - 2.0)[:, None] * 1.1 ** t[None, :]  # (4, 11)
    angle = np.array([0.0, 0.5, 1.0, 1.5]) * np.pi
    paths = np.stack(
        [radius * np.cos(angle)[:, None], radius * np.sin(angle)[:, None]], axis=-1
    )
    exits = np.array([-1, 3, 3, 8, -1, -1, 0])[:n]
    steps = np.arange(STEPS + 1)
    survival = 1 - ((exits[None] >= 0) & (exits[None] <= steps[:, None])).mean(1)
    return types.SimpleNamespace(
        paths=paths,
        final=np.zeros((n, 2)),
        mean_log_distance=np.log(1.1) * t - 0.25,
        std_log_distance=np.full(STEPS + 1, 0.5),
        exit_step=None if exit_radius is None else exits,
        survival=lambda: survival,
        center=(0.0, 0.0),
        exit_radius=exit_radius,
        lr=np.full(STEPS, 0.05),
    )


def renderer(traces, **kw):
    spec = RenderSpec(**{**SMALL, "steps_per_frame": 1, "hold": 0, **kw})
    return Renderer(prepare(traces, BOWL, spec), spec)


def panel(r, view):
    return next(p for p in r.panels if p.view == view)


def test_particles_reads_an_ensemble_by_its_attributes():
    ens = fake_ensemble()
    record = particles(ens)
    assert record.n == 7 and record.steps == STEPS
    np.testing.assert_array_equal(record.paths, ens.paths)
    np.testing.assert_allclose(
        record.survival[[0, 3, 8, 10]], [6 / 7, 4 / 7, 3 / 7, 3 / 7]
    )
    assert record.theory is None and record.exit_radius == 1.0
    theory = np.linspace(0, 1, STEPS + 1)
    np.testing.assert_array_equal(particles(record, theory=theory).theory, theory)
    assert particles(fake_ensemble(exit_radius=None)).survival is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"paths": np.zeros((0, STEPS + 1, 2))},
         "`render`: an ensemble must keep at least one path to be drawn (keep >= 1), "
         "got paths of shape (0, 11, 2)"),
    ],
)  # fmt: skip
def test_particles_refuses(change, message):
    ens = fake_ensemble()
    for k, v in change.items():
        setattr(ens, k, v)
    with pytest.raises(ValueError) as info:
        particles(ens)
    assert str(info.value) == message
    with pytest.raises(ValueError, match=r"theory must have shape \(11,\), got \(3,\)"):
        particles(fake_ensemble(), theory=[1, 2, 3])


def test_cloud_moves_the_kept_particles_with_short_trails():
    ens = fake_ensemble()
    with rc_context(get_theme("light")):
        r = renderer({"SGD": ens}, views=("cloud",), trail=3, size=(600, 600), dpi=100)
        cloud = panel(r, "cloud")
        for k in (0, 2, 7):
            r.draw(k)
            np.testing.assert_allclose(cloud.dots[0].get_offsets(), ens.paths[:, k])
            segments = cloud.trails[0].get_segments()
            assert len(segments) == 4
            assert [len(s) for s in segments] == [min(k, 3) + 1] * 4
            np.testing.assert_allclose(segments[2][-1], ens.paths[2, k])
        # a dot is drawn where its particle is: particle 1 at (0, e^-1 1.1^7)
        rgba = r.draw(7)
        h = rgba.shape[0]
        px, py = cloud.ax.transData.transform(ens.paths[1, 7])
        dot = rgba[int(h - py), int(px), :3].astype(int)
        r.draw(0)  # the same pixel without the particle there
        before = np.asarray(r.canvas.buffer_rgba())[int(h - py), int(px), :3]
        color = np.array(to_rgb(r.prepared.tracks[0].color)) * 255
        # the dot blends the pixel towards the cloud's colour by CLOUD_ALPHA
        expected = before + CLOUD_ALPHA * (color - before)
        assert np.abs(dot - expected).max() <= 4
        r.fig.clear()


def test_distribution_histogram_mean_and_theory_lines():
    theory = np.full(STEPS + 1, np.nan)
    theory[5:] = 0.3 + 0.1 * np.arange(6)
    record = particles(fake_ensemble(), theory=theory)
    with rc_context(get_theme("light")):
        r = renderer({"SGD": record}, views=("distribution",))
        dist = panel(r, "distribution")
        edges = dist.edges
        for t in (0, 4, 9):
            r.draw(t)
            logs = np.arange(4) - 2.0 + t * np.log(1.1)  # each particle's log distance
            counts = np.histogram(logs, edges)[0]
            expected = counts / (4 * (edges[1] - edges[0]))
            values = dist.bars[0].get_data().values
            np.testing.assert_allclose(values, expected)
            mean = dist.means[0].get_xdata()[0]
            assert mean == pytest.approx(np.log(1.1) * t - 0.25)
            assert dist.theories[0].get_visible() == (t >= 5)
            if t >= 5:
                assert dist.theories[0].get_xdata()[0] == pytest.approx(theory[t])
        # the bins span the kept particles' log distances over the whole run
        assert edges[0] < -1.9 and edges[-1] > 1 + STEPS * np.log(1.1) - 0.1
        r.fig.clear()


def test_survival_curve_is_revealed_up_to_the_step():
    ens = fake_ensemble()
    with rc_context(get_theme("light")):
        r = renderer({"SGD": ens}, views=("survival", "contour"))
        surv = panel(r, "survival")
        assert surv.ax.get_ylim() == pytest.approx((-0.03, 1.03))
        r.draw(6)
        casing, segment = surv.lines.collection.get_segments()  # a line on its casing
        np.testing.assert_array_equal(casing, segment)
        np.testing.assert_allclose(segment[:, 0], np.arange(7))
        np.testing.assert_allclose(segment[:, 1], ens.survival()[:7])
        assert surv.cursor.get_xdata()[0] == 6
        r.fig.clear()


def test_ensembles_compose_with_trajectories_and_other_views():
    traces = {"GD": gd(0.05, steps=STEPS), "cloud": fake_ensemble()}
    with rc_context(get_theme("dark")):
        r = renderer(traces, views=("contour", "cloud", "loss", "survival"))
        legend = [t.get_text() for t in r.layout.legend.get_texts()]
        assert legend[:2] == ["GD (lr=0.05)", "cloud (n=7, lr=0.05)"]
        # the contour view draws the ensemble's first kept particle
        r.draw(4)
        contour = panel(r, "contour")
        # (its trail ends there; the head may be dodged off GD's by a few pixels)
        ends = [tuple(s[-1]) for s in contour.trails.collection.get_segments()]
        assert tuple(fake_ensemble().paths[0, 4]) in ends
        # the survival view only draws ensembles
        assert [t.label for t in panel(r, "survival").tracks] == ["cloud"]
        r.fig.clear()
    sink = NullSink()
    spec = RenderSpec(**{**SMALL, "views": ("cloud", "distribution", "survival")})
    plan = render_frames(traces, BOWL, spec, sink, progress=False)
    assert sink.frames == plan.total


def test_ensemble_views_render_to_gif(tmp_path):
    out = tmp_path / "cloud.gif"
    spec = RenderSpec(**{**SMALL, "views": ("cloud", "distribution"), "hold": 0})
    render({"SGD": fake_ensemble()}, BOWL, spec, out, progress=False)
    frames = iio.imread(out, index=None)
    assert frames.shape[1:3] == (180, 240) and len(frames) >= 2


@pytest.mark.parametrize(
    ("traces", "views", "output", "message"),
    [
        ({"GD": gd(0.05)}, ("contour", "cloud"), "x.gif",
         "`render`: view 'cloud' draws ensembles (optimotion.ensemble), got only "
         "trajectories"),
        ({"E": fake_ensemble(exit_radius=None)}, ("survival",), "x.gif",
         "`render`: view 'survival' needs an exit radius; ensemble 'E' was run "
         "without exit_radius"),
        ({"E": fake_ensemble()}, ("contour", "distribution"), "x.html",
         "`render`: views: the .html player cannot show the 'distribution' view; "
         "render ensembles to a video (.mp4, .webm or .gif), PNG frames or a still"),
    ],
)  # fmt: skip
def test_ensemble_view_errors(traces, views, output, message, tmp_path):
    spec = RenderSpec(**{**SMALL, "views": views})
    with pytest.raises(ValueError) as info:
        render(traces, BOWL, spec, tmp_path / output, progress=False)
    assert str(info.value) == message
    assert list(tmp_path.iterdir()) == []


def test_the_html_player_takes_an_ensembles_sample_path(tmp_path):
    spec = RenderSpec(**{**SMALL, "views": ("contour", "loss")})
    out = render({"E": fake_ensemble()}, BOWL, spec, tmp_path / "e.html")
    assert out.stat().st_size > 1000


def test_an_ensemble_scene_renders_through_the_cli(tmp_path, monkeypatch, capsys):
    # the scene pipeline hands render the Surface: the sample path's f and ∇f are
    # evaluated on it (a grid alone, as the cache keeps, cannot)
    from helpers import run_cli

    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(
        ["render", "ensemble_annealing", "-o", "e.png", "--quiet",
         "--set", "ensemble.n=64", "--set", "ensemble.keep=4",
         "--set", "render.size=[320,240]"],
        capsys,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert iio.imread(tmp_path / "e.png").shape[:2] == (240, 320)
