"""Compare optimotion's trajectories with torch.optim's, step for step, in float64.

torch is not a dependency of optimotion, so this script runs in two interpreters:

    python bench/check_against_torch.py --torch-python /path/to/torch-venv/bin/python

The project's interpreter lists the jobs (an optimizer configuration on a surface
from its start, 300 steps), runs them with `optimotion.race` (one compiled program
per surface), and runs this same file under the torch interpreter
(`--torch-worker JOBS OURS OUT`), which replays each job with `torch.optim` (float64,
`foreach=False`) and, for schedules, the matching `torch.optim.lr_scheduler` stepped
once after every optimizer step. It prints, per configuration, the largest relative
difference `|x - x_torch|_inf / |x_torch|_inf` over steps and surfaces, where both
are finite and inside optimotion's divergence bound, of

- "one step": torch's update from each of optimotion's (theta_t, g_t, state_t) at
  torch's own lr for step t, against optimotion's theta_{t+1}: the semantics;
- "path": the two trajectories run independently from the start;

and, on the surface of the worst path, how far optimotion's own path moves when
every gradient moves by about one ulp (the surface tilted by one ulp of its gradient
at the start: "1-ulp tilt"). Where that is large too, the path amplifies rounding,
and no two implementations whose arithmetic differs by an ulp (torch's autograd and
CPU kernels against XLA's) can agree there, though every step does.

Learning rates are given in units: the SGD family's are divided by the curvature at
the start (at least 10) and the adaptive optimizers' multiplied by the window span
over 50, so that one configuration makes sense on every surface.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

STEPS = 300

# (label, optimizer, hyperparameters in lr units, schedule or None)
CONFIGS = [
    ("sgd", "sgd", dict(lr=0.1), None),
    (
        "sgd+all",
        "sgd",
        dict(lr=0.1, momentum=0.5, dampening=0.5, weight_decay=0.1),
        None,
    ),
    ("momentum", "momentum", dict(lr=0.1), None),
    ("momentum+cosine", "momentum", dict(lr=0.1), ("cosine", dict(t_max=100))),
    ("nesterov", "nesterov", dict(lr=0.1), None),
    (
        "nesterov+step_decay",
        "nesterov",
        dict(lr=0.1, weight_decay=0.01),
        ("step_decay", dict(step_size=50, gamma=0.5)),
    ),
    ("adagrad", "adagrad", dict(lr=0.5), None),
    (
        "adagrad+all",
        "adagrad",
        dict(lr=0.5, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1),
        None,
    ),
    ("rmsprop", "rmsprop", dict(lr=0.05), None),
    (
        "rmsprop+centered",
        "rmsprop",
        dict(lr=0.05, alpha=0.95, momentum=0.5, weight_decay=0.1, centered=True),
        None,
    ),
    (
        "rmsprop+cyclic",
        "rmsprop",
        dict(lr=0.05),
        ("cyclic", dict(step_size_up=25, step_size_down=50)),
    ),
    ("adam", "adam", dict(lr=0.1), None),
    (
        "adam+amsgrad",
        "adam",
        dict(lr=0.1, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
        None,
    ),
    (
        "adam+warm_restarts",
        "adam",
        dict(lr=0.1),
        ("cosine_warm_restarts", dict(t_0=20, t_mult=2)),
    ),
    ("adamw", "adamw", dict(lr=0.1), None),
    (
        "adamw+amsgrad+exponential",
        "adamw",
        dict(lr=0.1, weight_decay=0.1, amsgrad=True),
        ("exponential", dict(gamma=0.99)),
    ),
    ("adadelta", "adadelta", dict(lr=1.0), None),
    (
        "adadelta+all+inverse_time",
        "adadelta",
        dict(lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.5),
        ("inverse_time", dict(decay=0.01)),
    ),
    ("adamax", "adamax", dict(lr=0.1), None),
    (
        "adamax+all",
        "adamax",
        dict(lr=0.1, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.1),
        None,
    ),
    ("nadam", "nadam", dict(lr=0.1), None),
    (
        "nadam+decoupled+exponential",
        "nadam",
        dict(
            lr=0.1, weight_decay=0.1, momentum_decay=0.01, decoupled_weight_decay=True
        ),
        ("exponential", dict(gamma=0.99)),
    ),
    ("radam", "radam", dict(lr=0.1), None),
    (
        "radam+decoupled",
        "radam",
        dict(lr=0.1, betas=(0.8, 0.99), weight_decay=0.1, decoupled_weight_decay=True),
        None,
    ),
    ("rprop", "rprop", dict(lr=0.1), None),
    ("rprop+all", "rprop", dict(lr=0.1, etas=(0.3, 1.5), step_sizes=(1e-3, 0.5)), None),
    ("asgd", "asgd", dict(lr=0.1), None),
    (
        "asgd+averaging",
        "asgd",
        dict(lr=0.1, lambd=1e-3, alpha=0.5, t0=50.0, weight_decay=0.1),
        None,
    ),
]


def schedule_kwargs(name: str, lr: float, kw: dict) -> dict:
    """The schedule's parameters, its rates set from the (scaled) `lr`."""
    if name == "cyclic":
        return dict(base_lr=lr / 10, max_lr=lr, **kw)
    return dict(lr=lr, **kw)


# --- the torch side (runs under the torch interpreter; imports torch only) ----------


def _torch_surfaces():
    import torch

    pi = math.pi
    return {
        "saddle": lambda x, y: x**2 - y**2,
        "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
        "beale": lambda x, y: (
            (1.5 - x + x * y) ** 2
            + (2.25 - x + x * y**2) ** 2
            + (2.625 - x + x * y**3) ** 2
        ),
        "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
        "long_valley": lambda x, y: 0.01 * x**2 + y**2,
        "rastrigin": lambda x, y: (
            20 + x**2 - 10 * torch.cos(2 * pi * x) + y**2 - 10 * torch.cos(2 * pi * y)
        ),
        "six_hump_camel": lambda x, y: (
            (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (4 * y**2 - 4) * y**2
        ),
        "goldstein_price": lambda x, y: (
            (
                1
                + (x + y + 1) ** 2
                * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
            )
            * (
                30
                + (2 * x - 3 * y) ** 2
                * (18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2)
            )
        ),
        "double_well": lambda x, y: 0.25 * (x**2 - 1) ** 2 + 0.5 * y**2,
    }


def _torch_optimizer(param, name: str, hp: dict):
    import torch

    hp = dict(hp)
    if name in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD([param], foreach=False, **hp)
    if "betas" in hp:
        hp["betas"] = tuple(hp["betas"])
    if name == "adamw" or (name == "adam" and not hp["decoupled_weight_decay"]):
        del hp["decoupled_weight_decay"]  # AdamW fixes it; older Adams lack it
    for key in ("etas", "step_sizes"):
        if key in hp:
            hp[key] = tuple(hp[key])
    cls = {
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "adadelta": torch.optim.Adadelta,
        "adamax": torch.optim.Adamax,
        "nadam": torch.optim.NAdam,
        "radam": torch.optim.RAdam,
        "rprop": torch.optim.Rprop,
        "asgd": torch.optim.ASGD,
    }[name]
    return cls([param], foreach=False, **hp)


def _torch_scheduler(opt, schedule):
    from torch.optim import lr_scheduler

    if schedule is None:
        return None
    name, kw = schedule
    if name == "step_decay":
        return lr_scheduler.StepLR(opt, kw["step_size"], kw["gamma"])
    if name == "exponential":
        return lr_scheduler.ExponentialLR(opt, kw["gamma"])
    if name == "inverse_time":
        decay = kw["decay"]
        return lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + decay * t))
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(opt, kw["t_max"], kw.get("eta_min", 0))
    if name == "cyclic":
        return lr_scheduler.CyclicLR(
            opt,
            kw["base_lr"],
            kw["max_lr"],
            step_size_up=kw["step_size_up"],
            step_size_down=kw.get("step_size_down"),
            mode="triangular",
            cycle_momentum=False,
        )
    if name == "cosine_warm_restarts":
        return lr_scheduler.CosineAnnealingWarmRestarts(
            opt, kw["t_0"], kw.get("t_mult", 1), kw.get("eta_min", 0)
        )
    raise ValueError(name)


_STATE_KEYS = {
    "adagrad": lambda hp: ["sum"],
    "rmsprop": lambda hp: (
        ["square_avg"]
        + (["momentum_buffer"] if hp["momentum"] > 0 else [])
        + (["grad_avg"] if hp["centered"] else [])
    ),
    "adam": lambda hp: (
        ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if hp["amsgrad"] else [])
    ),
    "adadelta": lambda hp: ["square_avg", "acc_delta"],
    "adamax": lambda hp: ["exp_avg", "exp_inf"],
    "nadam": lambda hp: ["exp_avg", "exp_avg_sq"],
    "radam": lambda hp: ["exp_avg", "exp_avg_sq"],
    "rprop": lambda hp: ["prev", "step_size"],
    "asgd": lambda hp: ["ax"],
}
_STATE_KEYS["adamw"] = _STATE_KEYS["adam"]


def _torch_state(name: str, hp: dict, t: int, ours: dict) -> dict | None:
    """torch's state after t updates, from optimotion's (rows of `ours`); None for
    t = 0, where the new torch optimizer's own initial state is the one to use."""
    import torch

    if t == 0:
        return None
    if name in ("sgd", "momentum", "nesterov"):
        buffer = ours.get("momentum_buffer")
        keep = hp["momentum"] != 0
        return {"momentum_buffer": torch.tensor(buffer[t]) if keep else None}
    state = {"step": torch.tensor(float(t))}
    for key in _STATE_KEYS[name](hp):
        state[key] = torch.tensor(ours[key][t], dtype=torch.float64)
    # the scalar states (not recorded: the paths keep vectors), from their formulas
    if name == "nadam":
        beta1, psi = hp["betas"][0], hp["momentum_decay"]
        product = 1.0
        for i in range(1, t + 1):
            product *= beta1 * (1 - 0.5 * 0.96 ** (i * psi))
        state["mu_product"] = torch.tensor(product, dtype=torch.float64)
    if name == "asgd":
        lr, lambd, alpha, t0 = hp["lr"], hp["lambd"], hp["alpha"], hp["t0"]
        eta, mu = lr / (1 + lambd * lr * t) ** alpha, 1 / max(1, t - t0)
        state["eta"] = torch.tensor(eta, dtype=torch.float64)
        state["mu"] = torch.tensor(mu, dtype=torch.float64)
    return state


def torch_worker(jobs_path: str, ours_path: str, out_path: str) -> None:
    """Each job in torch: its own path from the start (`path:`), and one update from
    each of optimotion's (theta_t, g_t, state_t) at torch's lr for step t (`step:`)."""
    import numpy as np
    import torch

    # torch keeps scalar states (NAdam's mu_product, ASGD's eta and mu) in
    # `_get_scalar_dtype()`: float32 unless the default dtype is float64.
    torch.set_default_dtype(torch.float64)
    with open(jobs_path) as f:
        spec = json.load(f)
    ours = np.load(ours_path)
    fns = _torch_surfaces()
    out = {}
    for job in spec["jobs"]:
        name, hp, jid = job["optimizer"], job["hyperparams"], job["id"]
        param = torch.tensor(job["x0"], dtype=torch.float64, requires_grad=True)
        opt = _torch_optimizer(param, name, hp)
        sched = _torch_scheduler(opt, job["schedule"])
        xs, lrs = [param.detach().clone()], []
        for _ in range(job["steps"]):
            opt.zero_grad()
            fns[job["surface"]](param[0], param[1]).backward()
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if sched is not None:
                sched.step()
            xs.append(param.detach().clone())
        out[f"path:{jid}"] = torch.stack(xs).numpy()

        xy, grad = ours[f"{jid}|xy"], ours[f"{jid}|grad"]
        state = {
            k.split(":")[1]: ours[k] for k in ours.files if k.startswith(jid + "|s:")
        }
        steps = []
        for t, lr in enumerate(lrs):
            param = torch.tensor(xy[t], dtype=torch.float64, requires_grad=True)
            opt = _torch_optimizer(param, name, hp)
            opt.param_groups[0]["lr"] = lr
            torch_state = _torch_state(name, hp, t, state)
            if torch_state is not None:
                opt.state[param] = torch_state
            param.grad = torch.tensor(grad[t], dtype=torch.float64)
            opt.step()
            steps.append(param.detach().clone())
        out[f"step:{jid}"] = torch.stack(steps).numpy()
    for surface, points in spec["gradient_points"].items():  # to check transcription
        p = torch.tensor(points, dtype=torch.float64, requires_grad=True)
        fns[surface](p[:, 0], p[:, 1]).sum().backward()
        out[f"grad:{surface}"] = p.grad.numpy()
    out["version"] = np.array(torch.__version__)
    np.savez(out_path, **out)


# --- the optimotion side ------------------------------------------------------------


def _jobs(only: str | None = None):
    """The jobs (lrs scaled per surface) and the optimotion optimizers for them."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from optimotion import optimizers, surfaces
    from optimotion.optimizers import schedules

    jobs, races = [], {}
    for surface_name in surfaces.names():
        surface = surfaces.get(surface_name)
        with jax.enable_x64(True):
            x0 = jnp.asarray(surface.start, jnp.float64)
            curvature = float(np.linalg.norm(jax.hessian(surface.loss)(x0), 2))
        (a, b), (c, d) = surface.window
        for label, name, hp, schedule in CONFIGS:
            if only and only not in label:
                continue
            sgd_like = name in ("sgd", "momentum", "nesterov", "asgd", "radam")
            scale = 1 / max(curvature, 10.0) if sgd_like else max(b - a, d - c) / 50
            lr = hp["lr"] * scale
            spec = None
            if schedule is not None:
                spec = (schedule[0], schedule_kwargs(schedule[0], lr, schedule[1]))
            opt = optimizers.get(
                name, **{**hp, "lr": schedules.get(spec[0], **spec[1]) if spec else lr}
            )
            job_id = f"{label}@{surface_name}"
            torch_hp = {**opt.hyperparams, "lr": lr}  # CyclicLR sets its base_lr
            jobs.append(
                dict(
                    id=job_id,
                    label=label,
                    optimizer=name,
                    hyperparams=torch_hp,
                    schedule=spec,
                    surface=surface_name,
                    x0=list(surface.start),
                    steps=STEPS,
                )
            )
            races.setdefault(surface_name, {})[job_id] = opt
    return jobs, races


def _tilted(surface):
    """The surface plus delta (x - y), delta one ulp of the gradient at the start:
    every gradient moves by about the rounding error of an autodiff."""
    import dataclasses

    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        start = jnp.asarray(surface.start, jnp.float64)
        g = float(jnp.abs(jax.grad(surface.loss)(start)).max())
    delta = 2.0**-52 * max(g, 1.0)
    fn = surface.fn
    return dataclasses.replace(surface, fn=lambda x, y: fn(x, y) + delta * (x - y))


def _relative_difference(ours, theirs, bound) -> tuple[float, int]:
    import numpy as np

    low, high = bound
    ok = np.all(np.isfinite(ours) & np.isfinite(theirs), axis=1)
    ok &= np.all((theirs >= low) & (theirs <= high), axis=1)
    ok = np.cumprod(ok).astype(bool)
    diff = np.abs(ours[ok] - theirs[ok]).max(axis=1)
    scale = np.abs(theirs[ok]).max(axis=1)
    return float((diff / scale).max()), int(ok.sum()) - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", help="an interpreter with torch installed")
    parser.add_argument("--torch-worker", nargs=3, metavar=("JOBS", "OURS", "OUT"))
    parser.add_argument(
        "--only", metavar="TEXT", help="only the configurations whose label has TEXT"
    )
    args = parser.parse_args(argv)
    if args.torch_worker:
        torch_worker(*args.torch_worker)
        return 0
    if not args.torch_python:
        parser.error("--torch-python is required")

    import jax
    import jax.numpy as jnp
    import numpy as np

    import optimotion
    from optimotion import surfaces
    from optimotion.dynamics._run import BOUND_FACTOR

    jobs, races = _jobs(args.only)
    paths, tilted, bounds = {}, {}, {}
    for surface_name, opts in races.items():
        surface = surfaces.get(surface_name)
        paths.update(optimotion.race(surface, opts, surface.start, STEPS))
        tilted.update(optimotion.race(_tilted(surface), opts, surface.start, STEPS))
        (a, b), (c, d) = surface.window
        span = max(b - a, d - c) * BOUND_FACTOR
        bounds[surface_name] = (
            np.array([a - span, c - span]),
            np.array([b + span, d + span]),
        )

    points = {n: [list(surfaces.get(n).start), [0.3, -0.7], [1.1, 0.4]] for n in races}
    ours = {}
    for jid, path in paths.items():
        ours[f"{jid}|xy"], ours[f"{jid}|grad"] = path.xy, path.grad
        ours.update({f"{jid}|s:{k}": v for k, v in path.state.items()})
    with tempfile.TemporaryDirectory() as tmp:
        jobs_path = os.path.join(tmp, "jobs.json")
        ours_path, out_path = (
            os.path.join(tmp, "ours.npz"),
            os.path.join(tmp, "out.npz"),
        )
        with open(jobs_path, "w") as f:
            json.dump(dict(jobs=jobs, gradient_points=points), f)
        np.savez(ours_path, **ours)
        worker = [args.torch_python, __file__, "--torch-worker", jobs_path, ours_path]
        subprocess.run([*worker, out_path], check=True)
        theirs = dict(np.load(out_path))

    gradient_check = 0.0
    for name, pts in points.items():
        with jax.enable_x64(True):
            grads = jax.vmap(jax.grad(surfaces.get(name).loss))(jnp.array(pts))
        grads = np.asarray(grads)
        rel = np.abs(grads - theirs[f"grad:{name}"]).max() / np.abs(grads).max()
        gradient_check = max(gradient_check, float(rel))
    if gradient_check > 1e-12:
        print(f"torch surfaces disagree with optimotion's: {gradient_check:.1e}")
        return 1

    # label -> [(path difference, one-step difference, steps, surface, 1-ulp tilt)]
    results: dict[str, list[tuple[float, float, int, str, float]]] = {}
    for jid, path in paths.items():
        label, surface_name = jid.split("@")
        bound = bounds[surface_name]
        rel, compared = _relative_difference(path.xy, theirs[f"path:{jid}"], bound)
        one, _ = _relative_difference(path.xy[1:], theirs[f"step:{jid}"], bound)
        ulp, _ = _relative_difference(tilted[jid].xy, path.xy, bound)
        results.setdefault(label, []).append((rel, one, compared, surface_name, ulp))

    print(
        f"optimotion {optimotion.__version__} vs torch {theirs['version']}, float64: "
        f"{len(races)} surfaces, {STEPS} steps from each start; the surfaces' "
        f"gradients agree to {gradient_check:.0e}."
    )
    print(
        f"{'configuration':26s} {'one step':>8s} {'path':>8s}  {'worst path':15s}"
        f"{'1-ulp tilt':>10s}  steps compared"
    )
    for label, rows in results.items():
        path_rel, _, _, surface_name, ulp = max(rows)
        one = max(r[1] for r in rows)
        short = [f"{s}: {n}" for _, _, n, s, _ in rows if n < STEPS]
        steps = f"{STEPS}" + (f" ({', '.join(short)})" if short else "")
        print(
            f"{label:26s} {one:8.1e} {path_rel:8.1e}  {surface_name:15s}"
            f"{ulp:10.1e}  {steps}"
        )
    worst_one = max(r[1] for rows in results.values() for r in rows)
    worst_path = max(r[0] for rows in results.values() for r in rows)
    print(f"max over all: one step {worst_one:.1e}, path {worst_path:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
