"""`optimotion gallery`: render a folder of scenes in parallel, with an index.html."""

from __future__ import annotations

import concurrent.futures
import html
import multiprocessing
import os
import pathlib
import time
from collections.abc import Sequence
from typing import NamedTuple

from .._atomic import atomic_open
from . import _files


class Rendered(NamedTuple):
    """One gallery entry: the scene, its output file (None on failure), the title,
    the seconds it took, and the error (a one-line message) if it failed."""

    scene: pathlib.Path
    output: pathlib.Path | None
    title: str
    seconds: float
    error: str | None


def output_name(scene_file: str | os.PathLike, output: str | None) -> str:
    """The gallery file name: the scene's stem with its output's extension (.mp4 if
    it names none)."""
    ext = os.path.splitext(output or "")[1] or ".mp4"
    return pathlib.Path(scene_file).stem + ext


def render_one(scene_file: str, folder: str, low_res: bool) -> Rendered:
    """Load, race and render one scene into `folder` (runs in a worker process)."""
    from ._load import load_scene  # noqa: PLC0415
    from ._pipeline import render_scene  # noqa: PLC0415

    start = time.perf_counter()
    title = pathlib.Path(scene_file).stem
    try:
        scene = load_scene(scene_file)
        title = scene.title or title
        if low_res:
            scene = _files.low_res(scene)
        output = pathlib.Path(folder) / output_name(scene_file, scene.render.output)
        render_scene(scene, output, progress=False)
    except Exception as error:  # noqa: BLE001 - reported per scene, not raised
        message = (str(error).splitlines() or [""])[0]
        return Rendered(
            pathlib.Path(scene_file),
            None,
            title,
            time.perf_counter() - start,
            f"{type(error).__name__}: {message}",
        )
    return Rendered(
        pathlib.Path(scene_file), output, title, time.perf_counter() - start, None
    )


def _interrupt_on_terminate() -> None:
    """In a worker: SIGTERM and SIGHUP interrupt like Ctrl-C, so the render's
    cleanup runs (no `.part` file is left)."""
    import signal  # noqa: PLC0415

    def handler(signum, frame):
        raise KeyboardInterrupt(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, handler)


def render_gallery(
    scene_files: Sequence[str | os.PathLike],
    folder: str | os.PathLike,
    *,
    jobs: int | None = None,
    low_res: bool = False,
) -> list[Rendered]:
    """Render every scene into `folder` with `jobs` worker processes (default: one
    per core) and write `folder/index.html`; return the results in input order.

    Workers are spawned, not forked: a forked copy of a process that already runs
    JAX's threads can deadlock.
    """
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(scene_files)))
    context = multiprocessing.get_context("spawn")
    pool = concurrent.futures.ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_interrupt_on_terminate
    )
    try:
        futures = [
            pool.submit(render_one, os.fspath(f), os.fspath(folder), low_res)
            for f in scene_files
        ]
        results = [f.result() for f in futures]
    except BaseException:
        # Ctrl-C, or SIGTERM/SIGHUP to the process group (`timeout`, a closed
        # terminal): the running renders clean up in their workers; the queued
        # ones never start.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    with atomic_open(folder / "index.html", encoding="utf-8") as f:
        f.write(index_html(results))
    return results


def _media(output: pathlib.Path, title: str) -> str:
    src = html.escape(output.name, quote=True)
    alt = html.escape(title, quote=True)
    kind = output.suffix.lower()
    if kind in (".mp4", ".webm"):
        return f'<video src="{src}" autoplay loop muted playsinline controls></video>'
    if kind == ".html":  # the self-contained player
        return f'<iframe src="{src}" title="{alt}" loading="lazy"></iframe>'
    if kind == ".pdf":
        return f'<a href="{src}">{html.escape(output.name)}</a>'
    return f'<img src="{src}" alt="{alt}">'


def index_html(results: Sequence[Rendered]) -> str:
    """A page that shows every rendered scene, with its YAML source underneath."""
    cards = []
    for r in results:
        source = html.escape(r.scene.read_text(encoding="utf-8"))
        body = (
            _media(r.output, r.title)
            if r.output is not None
            else f'<p class="error">failed: {html.escape(r.error or "")}</p>'
        )
        cards.append(
            f"""<figure>
  {body}
  <figcaption><b>{html.escape(r.title)}</b> · <code>{html.escape(r.scene.name)}
  </code> · {r.seconds:.1f} s</figcaption>
  <details><summary>scene</summary><pre>{source}</pre></details>
</figure>"""
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>optimotion gallery</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; background: #fafafa; }}
main {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr));
        gap: 1.5rem; }}
figure {{ margin: 0; background: white; padding: 0.8rem; border-radius: 6px;
          box-shadow: 0 1px 3px #0002; }}
img, video {{ width: 100%; height: auto; }}
iframe {{ width: 100%; aspect-ratio: 4 / 3; border: 0; }}
pre {{ font-size: 0.8rem; overflow-x: auto; }}
.error {{ color: #b00; }}
</style></head>
<body><h1>optimotion gallery</h1>
<p>{len(results)} scenes; render one with <code>optimotion render SCENE</code>.</p>
<main>
{chr(10).join(cards)}
</main></body></html>
"""
