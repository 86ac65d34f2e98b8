"""The entry point of a frame worker process (`python -m optimotion.render._worker`);
see `_workers.FramePool`. Not imported by the package, so `-m` runs it cleanly."""

from __future__ import annotations

import os
import pickle
import sys


def _main() -> None:
    """The worker: warm up imports, take one job on stdin, frames to stdout."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers
    frames = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the frames
    from matplotlib.backends import backend_agg  # noqa: F401 - warm-up
    from matplotlib.figure import Figure  # noqa: F401
    from mpl_toolkits.mplot3d import Axes3D  # noqa: F401

    from ._layout import rc_context
    from ._render import Renderer
    from ._theme import get_theme

    try:
        prepared, spec, indices = pickle.load(sys.stdin.buffer)
    except EOFError:
        return  # the parent gave up before sending a job
    try:
        with rc_context(get_theme(spec.theme)):
            renderer = Renderer(prepared, spec)
            for k in indices:
                frames.write(renderer.draw(k).reshape(-1))
                frames.flush()
    except BrokenPipeError:
        return  # the parent stopped reading


if __name__ == "__main__":
    _main()
