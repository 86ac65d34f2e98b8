"""The `.html` player: its embedded data, and the page in a real headless browser.

The browser is Debian's chromium, driven by Playwright's Python package without
its browser download. A missing chromium fails these tests (CI installs it); they
are marked `browser` (conftest.py), so `pytest -m 'not browser'` leaves them out.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil

import numpy as np
import pytest
from helpers import BOWL, two_lines
from PIL import Image

from optimotion.dynamics import Trajectory
from optimotion.render import RenderSpec, render
from optimotion.render._data import prepare
from optimotion.render._html import (
    IMAGE_SCALE,
    PIXEL_PRECISION,
    _PlayerLayout,
    _series,
    player_data,
)
from optimotion.render._layout import rc_context
from optimotion.render._theme import get_theme

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEPS = 30
SPEC = RenderSpec(
    size=(640, 480), steps_per_frame=1, fps=30, hold=0.0, title="Two lines"
)
BLUE, VERMILLION = "#0072B2", "#D55E00"  # the light theme's first two colours

TRACES = two_lines(STEPS)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "race.html"
    assert render(TRACES, BOWL, SPEC, path) == path
    return path


@pytest.fixture(scope="module")
def data(page_file):
    text = page_file.read_text(encoding="utf-8")
    found = re.search(r'type="application/json" id="[^"]+">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def pixel_of():
    """Where matplotlib itself puts a data point of the contour Axes, in page
    pixels (y down): the reference the browser's drawing must hit."""
    prepared = prepare(TRACES, BOWL, SPEC)
    with rc_context(get_theme(SPEC.theme)):
        layout = _PlayerLayout(prepared, SPEC, get_theme(SPEC.theme))
        layout.canvas.draw()
        trans = layout.panels[0].ax.transData.frozen()
    height = SPEC.size[1]

    def pixel_of(xy) -> tuple[float, float]:
        x, y = trans.transform(np.asarray(xy, dtype=np.float64))
        return float(x), float(height - y)

    return pixel_of


def _decode(series: dict, key: str) -> np.ndarray:
    return np.cumsum(np.asarray(series[key], dtype=np.int64)) * series["q" + key]


def test_page_is_self_contained(page_file, data):
    text = page_file.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert text.count("data:image/png;base64,") == 2  # the background, the fallback
    png = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text).group(1)
    image = Image.open(io.BytesIO(base64.b64decode(png)))
    assert image.size == (640 * IMAGE_SCALE, 480 * IMAGE_SCALE)
    assert data["size"] == [640, 480] and data["steps"] == STEPS
    assert data["frames"] == list(range(STEPS + 1))  # a step a frame
    assert [t["color"] for t in data["tracks"]] == [BLUE, VERMILLION]
    assert [t["legend"] for t in data["tracks"]] == ["low (lr=0.1)", "high (lr=0.1)"]


def test_series_and_map_reproduce_matplotlib_pixels(data, pixel_of):
    (panel,) = data["panels"]
    sx, bx, sy, by = panel["map"]
    for series, trace in zip(panel["series"], TRACES.values(), strict=True):
        u, v = _decode(series, "u"), _decode(series, "v")
        np.testing.assert_allclose(u, trace.xy[:, 0], atol=series["qu"] / 2)
        np.testing.assert_allclose(v, trace.xy[:, 1], atol=series["qv"] / 2)
        expected = np.array([pixel_of(p) for p in trace.xy])
        got = np.column_stack([sx * u + bx, sy * v + by])
        assert np.abs(got - expected).max() <= PIXEL_PRECISION / 2 + 1e-9
    # the window's corners land on the Axes box
    (left, top, width, height) = panel["clip"]
    assert pixel_of((-2.0, 2.0)) == pytest.approx((left, top), abs=1e-6)
    assert pixel_of((2.0, -2.0)) == pytest.approx(
        (left + width, top + height), abs=1e-6
    )


def _embedded(page_file, css_class: str) -> np.ndarray:
    text = page_file.read_text(encoding="utf-8")
    found = re.search(
        rf'<img class="{css_class}"[^>]*src="data:image/png;base64,([^"]+)"', text
    )
    image = Image.open(io.BytesIO(base64.b64decode(found.group(1))))
    return np.asarray(image.convert("RGB")).astype(int)


def test_the_final_frame_is_embedded_for_viewers_without_script(page_file, pixel_of):
    final = _embedded(page_file, "omp-final")
    assert final.shape == (480, 640, 3)  # the video's frame size
    low, high = TRACES["low"].xy, TRACES["high"].xy
    for xy, color in ((low, BLUE), (high, VERMILLION)):
        assert _near(final, pixel_of(xy[STEPS]), color, 1) == 9  # the head
        assert _near(final, pixel_of(xy[10]), color, 1) >= 3  # the trail
    background = _embedded(page_file, "omp-bg")[::IMAGE_SCALE, ::IMAGE_SCALE]
    assert _near(background, pixel_of(low[10]), BLUE, 1) == 0  # no trail there


# -- in the browser ------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    executable = os.environ.get("OPTIMOTION_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "chromium not found: the HTML player tests need Debian's chromium "
            "(`apt-get install -y chromium`; .ci/run installs it) or "
            "OPTIMOTION_CHROMIUM=/path/to/chromium; `pytest -m 'not browser'` "
            "skips them"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the HTML player tests need `pip install playwright` (test extra)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, page_file):
    """The player at its natural size, with console errors and requests recorded."""
    page = browser.new_page(viewport={"width": 800, "height": 700})
    page.errors, page.requests = [], []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: page.requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_function("document.querySelector('.omp-bg').complete")
    yield page
    page.close()


def _stage(page) -> np.ndarray:
    png = page.locator(".omp-stage").screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _near(image, pixel, color, radius) -> int:
    """How many pixels within `radius` of `pixel` are within 40 levels of `color`."""
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
    x, y = round(pixel[0]), round(pixel[1])
    patch = image[y - radius : y + radius + 1, x - radius : x + radius + 1]
    return int((np.abs(patch - rgb).max(axis=-1) <= 40).sum())


def _centroid(image, pixel, color, radius) -> np.ndarray:
    """Mean position of the pixels within `radius` of `pixel` that have `color`."""
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
    x, y = round(pixel[0]), round(pixel[1])
    patch = image[y - radius : y + radius + 1, x - radius : x + radius + 1]
    rows, cols = np.nonzero(np.abs(patch - rgb).max(axis=-1) <= 40)
    return np.array([cols.mean() + x - radius, rows.mean() + y - radius])


def test_loads_without_errors_or_network(page):
    assert page.errors == []
    assert [u for u in page.requests if not u.startswith(("file:", "data:"))] == []
    assert page.locator(".omp-step").text_content() == f"step 0 / {STEPS}"
    assert page.evaluate("document.querySelector('.omp-bg').naturalWidth") == 1280
    assert page.locator(".omp-item").all_text_contents() == [
        "low (lr=0.1)",
        "high (lr=0.1)",
    ]


def test_play_advances_frames(page):
    page.locator(".omp-loop").uncheck()
    page.locator(".omp-play").click()
    first = page.wait_for_function(
        """() => {
            const text = document.querySelector('.omp-step').textContent;
            return text !== 'step 0 / 30' && text;
        }""",
        timeout=5000,
    ).json_value()
    shown = re.fullmatch(r"step (\d+) / 30", str(first))
    assert shown is not None, f"unexpected step text {first!r}"
    assert 0 < int(shown[1]) <= STEPS
    # without loop, playing stops on the last frame (1 s at 30 frames a second)
    page.wait_for_function(
        "document.querySelector('.omp-play').getAttribute('aria-label') === 'Play'",
        timeout=5000,
    )
    assert page.locator(".omp-step").text_content() == "step 30 / 30"
    assert page.locator(".omp-scrub").input_value() == "30"
    assert page.errors == []


def test_scrub_bar_seeks_and_heads_land_on_their_pixels(page, pixel_of):
    page.locator(".omp-scrub").fill("12")
    assert page.locator(".omp-step").text_content() == "step 12 / 30"
    image = _stage(page)
    for trace, color in zip(TRACES.values(), (BLUE, VERMILLION), strict=True):
        head = pixel_of(trace.xy[12])
        assert _near(image, head, color, 1) == 9  # the head's centre: its colour
        # the head's disk is centred where matplotlib puts the point (the pixel
        # (i, j) covers [i, i + 1), so its centre is at i + 0.5)
        centre = _centroid(image, head, color, 4) + 0.5
        assert np.abs(centre - head).max() < 0.5
        assert _near(image, pixel_of(trace.xy[20]), color, 4) == 0  # not drawn yet


def test_legend_click_hides_and_shows_a_trail(page, pixel_of):
    page.locator(".omp-scrub").fill(str(STEPS))
    low, high = TRACES["low"].xy, TRACES["high"].xy
    before = _stage(page)
    assert _near(before, pixel_of(low[STEPS]), BLUE, 1) == 9
    assert _near(before, pixel_of(low[10]), BLUE, 1) >= 3  # the trail

    page.locator(".omp-item", has_text="low").click()
    after = _stage(page)
    assert page.locator(".omp-item", has_text="low").get_attribute("aria-pressed") == (
        "false"
    )
    assert _near(after, pixel_of(low[STEPS]), BLUE, 6) == 0
    assert _near(after, pixel_of(low[10]), BLUE, 6) == 0
    assert _near(after, pixel_of(high[STEPS]), VERMILLION, 1) == 9  # the other stays

    page.locator(".omp-item", has_text="low").click()
    assert _near(_stage(page), pixel_of(low[STEPS]), BLUE, 1) == 9
    assert page.errors == []


def test_curves_run_on_through_zeros_and_break_at_gaps():
    # A path that reaches the bowl's minimum at step 10 and stays: from there the
    # loss and the step length are exactly 0. On their log axes the curves must go
    # on to the last step along the axis floor, as the video's do.
    xy = np.vstack([np.linspace((-1.5, 0.0), (0.0, 0.0), 11), np.zeros((20, 2))])
    stops = Trajectory(
        xy=xy, loss=(xy**2).sum(axis=1), grad=2 * xy,
        step_length=np.linalg.norm(np.diff(xy, axis=0), axis=1), state={},
        diverged_at=None, lr=np.full(30, 0.1),
    )  # fmt: skip
    assert (stops.loss[10:] == 0).all() and (stops.step_length[10:] == 0).all()
    spec = RenderSpec(views=("loss", "speed"), size=(640, 480), hold=0.0)
    with rc_context(get_theme(spec.theme)):
        _, data = player_data(prepare({"GD": stops}, BOWL, spec), spec)
    loss, speed = (panel["series"][0] for panel in data["panels"])
    assert len(loss["u"]) == 31 and len(speed["u"]) == 30
    assert "gaps" not in loss and "gaps" not in speed
    v = _decode(loss, "v")  # log10(loss): the zeros sit on the axis floor
    assert v[10:].max() == pytest.approx(v.min()) and v[0] > v.min() + 2
    # a NaN inside a curve is a gap, not the end of it
    series = _series(0, [0, 1, 2, 3], [1.0, np.nan, 3.0, np.nan], 0, [1, 0, 1, 0])
    assert len(series["u"]) == 3 and series["gaps"] == [1]


def test_the_script_removes_the_fallback_and_without_it_the_final_frame_shows(
    browser, page, page_file, pixel_of
):
    assert page.locator(".omp-final").count() == 0  # the script took it away
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 800, "height": 700}
    )
    try:
        still = context.new_page()
        still.goto(page_file.as_uri())
        still.wait_for_load_state("load")  # both images decoded
        image = _stage(still)
    finally:
        context.close()
    low = TRACES["low"].xy
    assert _near(image, pixel_of(low[STEPS]), BLUE, 1) == 9
    assert _near(image, pixel_of(low[10]), BLUE, 1) >= 3
