"""Render benchmark: matplotlib's FuncAnimation.save against optimotion's renderer.

Every measurement is one whole child process (interpreter start, imports,
trajectories, rendering, encoding), timed by wall clock, with its peak resident
memory from `os.wait4` (the largest process of its tree: the child, ffmpeg or a
worker). The cases alternate within each repeat and the medians are reported.

Approaches:
  (a) `FuncAnimation(..., blit=True)` + `Animation.save`, as its documentation
      shows: `PillowWriter` for GIF, `FFMpegWriter` pointed at imageio-ffmpeg's
      ffmpeg for MP4 (libx264, yuv420p, crf 18, preset veryfast, as optimotion).
      Trajectories come from a NumPy loop, the surface from its NumPy formula: a
      plain matplotlib script that never imports jax.
  (b) optimotion as a user calls it: `optimotion render SCENE.yaml` (`--via cli`,
      the default), or `optimotion.race` + `optimotion.render.render` (`--via api`).
      Includes importing jax and compiling the race.
  (c) the encoder alone: optimotion's sink fed frames from a memory-mapped .npy
      (rendered beforehand), the floor for (b).

Scene: Beale's function, six optimizers from (1.0, 1.5), 300 steps, 150 frames at
30 fps (no hold frame, as (a) has none).

Usage:
  python bench/render_bench.py                     # all cases, 3 repeats
  python bench/render_bench.py --cases gif --repeat 5
  python bench/render_bench.py --via api           # (b) through the Python API
  python bench/render_bench.py --memory            # peak memory at 150 vs 600 frames
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

STEPS = 300
START = (1.0, 1.5)
FPS = 30
OPTIMIZERS = {  # label: (name, hyperparameters)
    "SGD": ("sgd", {"lr": 0.01}),
    "Momentum": ("momentum", {"lr": 0.002, "momentum": 0.9}),
    "Nesterov": ("nesterov", {"lr": 0.002, "momentum": 0.9}),
    "Adagrad": ("adagrad", {"lr": 0.5}),
    "RMSprop": ("rmsprop", {"lr": 0.01}),
    "Adam": ("adam", {"lr": 0.05}),
}
CASES = {
    # name: (views, size, output extension, orbit)
    "gif": (("contour",), (800, 600), ".gif", False),
    "mp4": (("contour", "surface3d", "loss"), (1280, 720), ".mp4", False),
    "orbit": (("surface3d",), (800, 600), ".mp4", True),
}


# -- the scene without optimotion (approach a) ----------------------------------


def beale(x, y):
    return (
        (1.5 - x + x * y) ** 2
        + (2.25 - x + x * y**2) ** 2
        + (2.625 - x + x * y**3) ** 2
    )


def beale_grad(p):
    import numpy as np

    x, y = p
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return np.array(
        [
            2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
            2 * a * x + 4 * b * x * y + 6 * c * x * y**2,
        ]
    )


def numpy_paths() -> dict:
    """{label: (STEPS + 1, 2) positions}: torch's update rules in NumPy."""
    import numpy as np

    paths = {}
    for label, (name, hp) in OPTIMIZERS.items():
        lr, p = hp["lr"], np.array(START, float)
        buf, m, v, s = np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2)
        xs = [p.copy()]
        for t in range(1, STEPS + 1):
            g = beale_grad(p)
            if name == "sgd":
                d = g
            elif name in ("momentum", "nesterov"):
                buf = hp["momentum"] * buf + g if t > 1 else g.copy()
                d = g + hp["momentum"] * buf if name == "nesterov" else buf
            elif name == "adagrad":
                s = s + g * g
                d = g / (np.sqrt(s) + 1e-10)
            elif name == "rmsprop":
                v = 0.99 * v + 0.01 * g * g
                d = g / (np.sqrt(v) + 1e-8)
            else:  # adam
                m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
                d = (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
            p = p - lr * d
            xs.append(p.copy())
        paths[f"{label} (lr={lr:g})"] = np.array(xs)
    return paths


def approach_a(case: str, out: str, frames: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter
    from matplotlib.colors import LogNorm

    views, (width, height), ext, orbit = CASES[case]
    paths = numpy_paths()
    n = len(paths)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"][:n]
    steps = np.rint(np.linspace(0, STEPS, frames)).astype(int)
    xs = np.linspace(-4.5, 4.5, 241)
    X, Y = np.meshgrid(xs, xs)
    Z = beale(X, Y)
    levels = np.logspace(-1, np.log10(Z.max()), 26)

    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    artists, updaters = [], []
    for i, view in enumerate(views):
        if view == "contour":
            ax = fig.add_subplot(1, len(views), i + 1)
            ax.contourf(X, Y, Z + 0.1, levels=levels, norm=LogNorm(), cmap="Blues")
            ax.contour(X, Y, Z + 0.1, levels=levels[1::2], norm=LogNorm(),
                       colors="grey", linewidths=0.35)  # fmt: skip
            ax.plot(3, 0.5, "k*", markersize=15)
            ax.plot(0, 1, "kX", markersize=10)
            ax.plot(*START, "o", mfc="none", mec="k", markersize=11)
            ax.set_aspect("equal")
            ax.set_title("Beale: $(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + "
                         "(2.625 - x + xy^3)^2$", fontsize="medium")  # fmt: skip
            lines = [ax.plot([], [], lw=2, color=c, label=lab)[0]
                     for lab, c in zip(paths, colors, strict=True)]  # fmt: skip
            heads = [ax.plot([], [], "o", color=c, mec="w")[0] for c in colors]
            artists += lines + heads

            def update_contour(t, lines=lines, heads=heads):
                for xy, line, head in zip(paths.values(), lines, heads, strict=True):
                    line.set_data(xy[: t + 1, 0], xy[: t + 1, 1])
                    head.set_data(xy[t : t + 1, 0], xy[t : t + 1, 1])

            updaters.append(update_contour)
            if len(views) == 1:
                ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
        elif view == "surface3d":
            ax = fig.add_subplot(1, len(views), i + 1, projection="3d")
            H = np.log10(Z + 0.1)
            ax.plot_surface(X[::5, ::5], Y[::5, ::5], H[::5, ::5], cmap="Blues",
                            linewidth=0, antialiased=False)  # fmt: skip
            ax.view_init(30, -60)
            lines3 = [ax.plot([], [], [], lw=2, color=c)[0] for c in colors]
            heads3 = [ax.plot([], [], [], "o", color=c, mec="w")[0] for c in colors]
            artists += lines3 + heads3

            def update_3d(t, ax=ax, lines=lines3, heads=heads3):
                for xy, line, head in zip(paths.values(), lines, heads, strict=True):
                    z = np.log10(beale(xy[: t + 1, 0], xy[: t + 1, 1]) + 0.1) + 0.05
                    line.set_data_3d(xy[: t + 1, 0], xy[: t + 1, 1], z)
                    head.set_data_3d(xy[t : t + 1, 0], xy[t : t + 1, 1], z[-1:])
                if orbit:
                    ax.view_init(30, -60 + 120 * t / STEPS)

            updaters.append(update_3d)
            if len(views) == 1:
                ax.legend(lines3, list(paths), loc="upper left")
        else:  # loss
            ax = fig.add_subplot(1, len(views), i + 1)
            ax.set_yscale("log")
            losses = {lab: beale(xy[:, 0], xy[:, 1]) for lab, xy in paths.items()}
            allv = np.concatenate(list(losses.values()))
            ax.set_xlim(0, STEPS)
            ax.set_ylim(allv.min() / 2, allv.max() * 2)
            ax.set_title("loss")
            ax.set_xlabel("step")
            cursor = ax.axvline(0, color="grey", ls="--")
            curves = [ax.plot([], [], color=c)[0] for c in colors]
            artists += curves + [cursor]

            def update_loss(t, curves=curves, cursor=cursor, losses=losses):
                for v, curve in zip(losses.values(), curves, strict=True):
                    curve.set_data(np.arange(t + 1), v[: t + 1])
                cursor.set_xdata([t, t])

            updaters.append(update_loss)
    if len(views) > 1:
        fig.legend(artists[:n], list(paths), loc="lower center", ncol=3)
    title = fig.suptitle("")
    artists.append(title)
    fig.tight_layout()

    def update(k):
        t = int(steps[k])
        for u in updaters:
            u(t)
        title.set_text(f"Optimizers on Beale's function: step {t} / {STEPS}")
        return artists

    anim = FuncAnimation(fig, update, frames=frames, blit=True)
    if ext == ".gif":
        writer = PillowWriter(fps=FPS)
    else:
        import imageio_ffmpeg

        plt.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
        writer = FFMpegWriter(
            fps=FPS, codec="libx264",
            extra_args=["-pix_fmt", "yuv420p", "-crf", "18", "-preset", "veryfast"],
        )  # fmt: skip
    anim.save(out, writer=writer)


# -- optimotion (approach b) ----------------------------------------------------


def render_spec(case: str, frames: int):
    from optimotion.render import Camera, RenderSpec

    views, size, _, orbit = CASES[case]
    return RenderSpec(
        views=views, size=size, fps=FPS, duration=frames / FPS, hold=0.0,
        camera=Camera(orbit=orbit), title="Optimizers on Beale's function",
    )  # fmt: skip


def optimotion_race():
    import optimotion
    from optimotion import optimizers, surfaces

    surface = surfaces.get("beale")
    race = {
        f"{label}": optimizers.get(name, **hp)
        for label, (name, hp) in OPTIMIZERS.items()
    }
    return surface, optimotion.race(surface, race, START, STEPS)


def approach_b(case: str, out: str, frames: int) -> None:
    from optimotion.render import render

    surface, traces = optimotion_race()
    render(traces, surface, render_spec(case, frames), out, progress=False)


def scene_yaml(case: str, out: str, frames: int) -> str:
    views, size, _, orbit = CASES[case]
    lines = [
        "title: Optimizers on Beale's function",
        "surface: beale",
        f"start: [{START[0]}, {START[1]}]",
        f"steps: {STEPS}",
        "optimizers:",
    ]
    for label, (name, hp) in OPTIMIZERS.items():
        fields = ", ".join(f"{k}: {v}" for k, v in hp.items())
        lines.append(f"  - {{name: {name}, {fields}, label: {label}}}")
    lines += [
        "render:",
        f"  views: [{', '.join(views)}]",
        f"  size: [{size[0]}, {size[1]}]",
        f"  fps: {FPS}",
        f"  duration: {frames / FPS}",
        "  hold: 0",
    ]
    if orbit:
        lines += ["  camera: {orbit: true}"]
    return "\n".join(lines) + "\n"


# -- the encoder alone (approach c) --------------------------------------------


def prerender(case: str, path: str, frames: int) -> None:
    """Every frame of (b) into one .npy (setup for (c), not timed)."""
    import numpy as np

    from optimotion.render import render_frames

    class Keep:
        def setup(self, size, fps, samples=()):
            w, h = size
            self.array = np.lib.format.open_memmap(
                path, mode="w+", dtype=np.uint8, shape=(frames, h, w, 4)
            )
            self.k = 0

        def grab_frame(self, rgba, repeat=1):
            self.array[self.k] = rgba
            self.k += 1

        def finish(self):
            self.array.flush()

        def abort(self):
            pass

    surface, traces = optimotion_race()
    render_frames(traces, surface, render_spec(case, frames), Keep(), progress=False)


def approach_c(case: str, out: str, frames_path: str) -> None:
    """Frames are read one at a time into one buffer (a memory map would count the
    whole file in the peak memory)."""
    import numpy as np

    from optimotion.render import saving, sink_for

    header = np.load(frames_path, mmap_mode="r")
    n, height, width, _ = header.shape
    offset = header.offset
    samples = [np.array(header[-1]), np.array(header[0])]
    del header
    colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    sink = sink_for(out, colors + ["#FFFFFF", "#1A1A1A", "#5C6670", "#E3E6EA"])
    frame = np.empty((height, width, 4), np.uint8)
    with open(frames_path, "rb") as f, saving(sink, (width, height), FPS, samples):
        f.seek(offset)
        for _ in range(n):
            f.readinto(memoryview(frame).cast("B"))
            sink.grab_frame(frame)


# -- the driver -----------------------------------------------------------------


def run_child(args: list[str], cache: str | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MiB, CPU seconds) of one child process (its CPU
    time includes the processes it waited for: ffmpeg, frame workers). `cache`:
    the child's OPTIMOTION_CACHE_DIR (trajectory and compilation caches); without
    it, the caches are off."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    if cache is None:
        env["OPTIMOTION_CACHE"] = "off"
    else:
        env.pop("OPTIMOTION_CACHE", None)
        env["OPTIMOTION_CACHE_DIR"] = cache
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode}): {' '.join(args)}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def child_command(approach: str, case: str, out: str, frames: int, extra="") -> list:
    me = [sys.executable, str(pathlib.Path(__file__).resolve())]
    return me + ["--child", approach, case, out, str(frames), extra]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="gif,mp4,orbit")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--via", choices=("api", "cli"), default="cli")
    parser.add_argument(
        "--memory", action="store_true",
        help="also compare peak memory at 150 and 600 frames",
    )  # fmt: skip
    parser.add_argument("--keep", metavar="DIR", help="keep the outputs in DIR")
    parser.add_argument(
        "--second", action="store_true",
        help="(b) with empty caches, then again with the theme changed (a second "
        "render: the trajectory cache hit); CLI only",
    )  # fmt: skip
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        approach, case, out, frames, extra = args.child
        frames = int(frames)
        if approach == "a":
            approach_a(case, out, frames)
        elif approach == "b":
            approach_b(case, out, frames)
        elif approach == "prerender":
            prerender(case, extra, frames)
        elif approach == "c":
            approach_c(case, out, extra)
        return 0

    work = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="render-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cases = args.cases.split(",")
    print(f"# {sys.platform}, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"# outputs in {work}; (b) via {args.via}; {args.frames} frames")
    results: dict = {}

    def b_command(case, out, frames):
        if args.via == "api":
            return child_command("b", case, out, frames)
        scene = work / f"{case}-{frames}.yaml"
        scene.write_text(scene_yaml(case, out, frames))
        cli = [sys.executable, "-m", "optimotion", "render", str(scene), "-o", out]
        return cli + ["--quiet"]

    for case in cases:
        ext = CASES[case][2]
        npy = work / f"{case}-frames.npy"
        run_child(child_command("prerender", case, "-", args.frames, str(npy)))
        results[case] = {}
        commands = {
            "a": child_command("a", case, str(work / f"{case}-a{ext}"), args.frames),
            "b": b_command(case, str(work / f"{case}-b{ext}"), args.frames),
            "c": child_command("c", case, str(work / f"{case}-c{ext}"), 0, str(npy)),
        }
        for _ in range(args.repeat):
            for name, command in commands.items():
                results[case].setdefault(name, []).append(run_child(command))
        npy.unlink()
        size = {k: (work / f"{case}-{k}{ext}").stat().st_size / 1e6 for k in "abc"}
        wall = {k: statistics.median(r[0] for r in v) for k, v in results[case].items()}
        cpu = {k: statistics.median(r[2] for r in v) for k, v in results[case].items()}
        rss = {k: max(r[1] for r in v) for k, v in results[case].items()}
        for k, name in (("a", "FuncAnimation.save"), ("b", "optimotion"),
                        ("c", "encoder alone")):  # fmt: skip
            print(
                f"{case:6s} ({k}) {name:18s} wall {wall[k]:6.2f} s  cpu {cpu[k]:6.2f} s"
                f"  peak {rss[k]:4.0f} MiB  file {size[k]:5.2f} MB",
                flush=True,
            )
        print(
            f"{case:6s} a/b wall {wall['a'] / wall['b']:4.1f}x  cpu "
            f"{cpu['a'] / cpu['b']:4.1f}x | b/c wall {wall['b'] / wall['c']:4.1f}x",
            flush=True,
        )

    if args.second:
        for case in cases:
            ext = CASES[case][2]
            a = statistics.median(r[0] for r in results[case]["a"])
            firsts, seconds = [], []
            for k in range(args.repeat):
                cache = tempfile.mkdtemp(prefix="cache-", dir=work)
                out = str(work / f"{case}-first{k}{ext}")
                firsts.append(run_child(b_command(case, out, args.frames), cache)[0])
                again = b_command(case, out, args.frames) + [
                    "--set",
                    "render.theme=dark",
                ]
                seconds.append(run_child(again, cache)[0])
            first, second = statistics.median(firsts), statistics.median(seconds)
            results[case]["first"], results[case]["second"] = firsts, seconds
            print(
                f"{case:6s} first render (empty caches) {first:6.2f} s: "
                f"{a / first:4.1f}x faster than (a) | second (theme changed) "
                f"{second:6.2f} s: {a / second:4.1f}x",
                flush=True,
            )

    if args.memory:
        for case in cases:
            ext = CASES[case][2]
            for frames in (150, 600):
                out = str(work / f"{case}-mem{frames}{ext}")
                wall, rss, _ = run_child(b_command(case, out, frames))
                results.setdefault("memory", {}).setdefault(case, {})[frames] = rss
                print(f"memory {case:6s} (b) {frames:4d} frames: {wall:6.2f} s, "
                      f"peak {rss:5.0f} MiB", flush=True)  # fmt: skip
    (work / "results.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
