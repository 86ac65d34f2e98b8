"""Worker processes for frames that must be fully redrawn (a moving 3-D camera).

A worker is a fresh interpreter running this module (`python -m`), not a
`multiprocessing` child: nothing is forked from a process that may run jax, and a
user's script is never re-imported (so it needs no `if __name__ == "__main__"`).
It imports matplotlib while the parent is still preparing, reads one pickled job
on stdin, builds its own figure and writes every W-th frame, in order, as raw RGBA
bytes on stdout. The parent reads the frames in order into one reused buffer; a
worker blocks once its pipe is full, so memory does not grow with the frame count.
"""

from __future__ import annotations

import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator

import numpy as np

from ._data import Prepared
from ._spec import RenderSpec


class WorkerError(RuntimeError):
    """A worker process failed; the message ends with its traceback."""


class FramePool:
    """`workers` processes drawing the frames of one render.

    Start it early (`FramePool(2)`), give it the job (`start`), then iterate
    `frames()`; `close()` stops the processes whatever happened.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        root = str(pathlib.Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
        command = [sys.executable, "-m", "optimotion.render._worker"]
        self._procs: list[subprocess.Popen] = []
        self._logs = []
        try:
            self._spawn(command, env)
        except BaseException:  # the ones already started must not outlive us
            self.close(abort=True)
            raise

    def _spawn(self, command: list[str], env: dict[str, str]) -> None:
        for _ in range(self.workers):
            log = tempfile.TemporaryFile()
            self._logs.append(log)
            with warnings.catch_warnings():
                # jax warns on any fork; this is subprocess's fork + exec.
                warnings.filterwarnings(
                    "ignore", r"os\.fork\(\) was called", RuntimeWarning
                )
                proc = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=log, env=env,
                )  # fmt: skip
            self._procs.append(proc)

    def start(
        self, prepared: Prepared, spec: RenderSpec, n: int, *, samples: bool
    ) -> None:
        """Frame k goes to worker k % W; with `samples`, worker 0 first draws the
        last frame (a GIF's palette needs it before the first frame)."""
        self.n, self.samples, self.size = n, samples, spec.size
        for i, proc in enumerate(self._procs):
            indices = list(range(i, n, self.workers))
            if samples and i == 0:
                indices = [n - 1, *indices]
            try:
                pickle.dump((prepared, spec, indices), proc.stdin)
                proc.stdin.flush()
            except BrokenPipeError:
                self._fail(i)

    def _fail(self, worker: int):
        proc = self._procs[worker]
        code = proc.wait()
        log = self._logs[worker]
        log.seek(0)
        text = log.read().decode(errors="replace").strip()
        raise WorkerError(
            f"`render`: frame worker {worker} exited with code {code}"
            + (f":\n{text}" if text else "")
        )

    def _receive(self, worker: int, buffer: bytearray) -> np.ndarray:
        view, got = memoryview(buffer), 0
        stream = self._procs[worker].stdout
        while got < len(buffer):
            n = stream.readinto(view[got:])
            if not n:
                self._fail(worker)
            got += n
        width, height = self.size
        return np.frombuffer(buffer, np.uint8).reshape(height, width, 4)

    def frames(self) -> Iterator:
        """Yields the samples (a list, maybe empty), then every frame in order; each
        frame array is valid until the next one is taken."""
        width, height = self.size
        buffer = bytearray(width * height * 4)
        first = None
        if self.samples:
            last = self._receive(0, buffer).copy()
            first = self._receive(0, buffer).copy()
            yield [last, first]
        else:
            yield []
        for k in range(self.n):
            if k == 0 and first is not None:
                yield first
                continue
            yield self._receive(k % self.workers, buffer)

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers: they exit when their pipes close; `abort` kills them
        at once (an error or Ctrl-C in the parent)."""
        for proc in self._procs:
            if abort:
                proc.kill()
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
        for proc in self._procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in self._logs:
            log.close()
        self._procs, self._logs = [], []
