"""Strict JAX for every test (as diffrax does), without turning on x64 globally:
the library must give float64 by itself, so tests that need it say so with `x64`."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
# No trajectory or compilation cache unless a test turns it on (test_cache.py):
# every test computes what it checks.
os.environ["OPTIMOTION_CACHE"] = "off"

import jax  # noqa: E402
import pytest  # noqa: E402

jax.config.update("jax_numpy_rank_promotion", "raise")


@pytest.fixture
def x64():
    """Run the test body with 64-bit JAX, restoring the previous setting after."""
    with jax.enable_x64(True):
        yield


def pytest_collection_modifyitems(items):
    """Tests that drive a browser (the `browser` fixture of test_html_player.py) are
    marked `browser`: `pytest -m "not browser"` runs the rest without chromium."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
