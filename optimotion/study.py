"""`optimotion study`: run a scene's ensembles and measure them.

For every optimizer of a scene with an `ensemble:` section this writes, into one
folder, `stats.csv` and `stats.json` (the per-step statistics, the fitted growth
rate with its standard error, the saddle theory, the escapes) and PNG and SVG
plots (`optimotion.render.study_plots`), and returns a one-screen summary.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import sys
import time
from typing import Any, NamedTuple

import numpy as np

from . import analysis
from ._atomic import atomic_open

__all__ = ["Measured", "Study", "measure", "study"]


class Measured(NamedTuple):
    """One ensemble's measurements.

    Attributes:
        fit: the growth rate of the mean log distance (`analysis.Fit`).
        theory: the saddle theory (`analysis.Theory`), or None where it does not
            apply.
        curve: the theory's mean log distance per step (NaN before the fit's
            first step), or None.
        theory_rate: the theory's rate over the fitted steps (the exact per-step
            growth, summed, per unit time), or None.
        escapes: `analysis.Escapes`, or None without an exit radius.
    """

    fit: analysis.Fit
    theory: analysis.Theory | None
    curve: np.ndarray | None
    theory_rate: float | None
    escapes: analysis.Escapes | None


class Study(NamedTuple):
    """What `study` measured and wrote.

    Attributes:
        ensembles: `{label: Ensemble}`.
        measured: `{label: Measured}`.
        files: the paths written.
        summary: the text summary (as printed by the command).
    """

    ensembles: dict[str, Any]
    measured: dict[str, Measured]
    files: list[pathlib.Path]
    summary: str


def measure(ensemble: Any, surface: Any, noise: Any) -> Measured:
    """Fit (over `analysis.fit_window`), theory and escapes of one `Ensemble`."""
    fit = analysis.fit_growth(
        ensemble.mean_log_distance,
        ensemble.lr,
        ensemble.paths,
        ensemble.center,
        ensemble.alive,
    )
    model = analysis.theory(surface, noise, ensemble.center)
    curve = rate = None
    if model is not None:
        curve = analysis.theory_curve(
            ensemble.mean_log_distance, ensemble.lr, model, fit.lo
        )
        tau = np.concatenate([[0.0], np.cumsum(ensemble.lr)])
        rate = float((curve[fit.hi] - curve[fit.lo]) / (tau[fit.hi] - tau[fit.lo]))
    exits = None
    if ensemble.exit_step is not None:
        exits = analysis.escapes(ensemble.exit_step)
    return Measured(fit=fit, theory=model, curve=curve, theory_rate=rate, escapes=exits)


def study(
    scene: Any,
    folder: str | os.PathLike,
    *,
    name: str = "scene",
    progress: bool | None = None,
) -> Study:
    """Run `scene`'s ensembles and write the statistics and plots into `folder`.

    Args:
        scene: a validated `optimotion.scene.Scene` with an `ensemble:` section.
        folder: an existing folder.
        name: how the summary names the scene (its file).
        progress: a progress bar on stderr; None: only when stderr is a terminal.

    Raises:
        ValueError: the scene has no `ensemble:` section.
        FileNotFoundError: `folder` does not exist.
    """
    from tqdm import tqdm

    from .render import study_plots

    if scene.ensemble is None:
        raise ValueError(
            "`study`: the scene has no `ensemble:` section; add one, e.g. "
            "ensemble: {n: 2000, exit_radius: 1}"
        )
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"`study`: folder {os.fspath(folder)!r} does not exist")
    enabled = sys.stderr.isatty() if progress is None else bool(progress)
    bar = tqdm(total=3, disable=not enabled, file=sys.stderr, desc="study", leave=False)
    start = time.perf_counter()
    try:
        bar.set_postfix_str("running the ensembles")
        built = scene.build()
        ensembles = built.ensembles()
        seconds = time.perf_counter() - start
        bar.update(1)
        bar.set_postfix_str("fitting")
        measured = {
            label: measure(e, built.surface, built.noise)
            for label, e in ensembles.items()
        }
        files = _write_stats(folder, ensembles, measured)
        bar.update(1)
        bar.set_postfix_str("plotting")
        series = [_series(label, ensembles[label], m) for label, m in measured.items()]
        files += study_plots(series, folder, theme=scene.render.theme)
        bar.update(1)
    finally:
        bar.close()
    summary = _summary(name, scene, ensembles, measured, files, seconds)
    return Study(ensembles=ensembles, measured=measured, files=files, summary=summary)


def _series(label: str, e: Any, m: Measured):
    from .render import StudySeries

    tau = np.concatenate([[0.0], np.cumsum(e.lr)])
    final = np.linalg.norm(e.final - np.asarray(e.center), axis=1)
    with np.errstate(divide="ignore"):
        final_log = np.log(final[np.isfinite(final)])
    exits = None if e.exit_step is None else e.exit_step[e.exit_step >= 0]
    return StudySeries(
        label=label,
        tau=tau,
        mean_log_distance=e.mean_log_distance,
        std_log_distance=e.std_log_distance,
        fit=(m.fit.rate, m.fit.intercept, m.fit.lo, m.fit.hi),
        theory=m.curve,
        theory_label=_theory_text(m),
        survival=None if e.exit_step is None else e.survival(),
        final_log_distance=final_log[np.isfinite(final_log)],
        exit_steps=exits,
    )


def _theory_text(m: Measured) -> str:
    model = m.theory
    if model is None:
        return "no saddle theory"
    if model.sde or model.sigma == 0:
        return (
            f"theory: a − σ²/2 = {model.rate:.3g} (a = {model.a:g}, σ = "
            f"{model.sigma:g})"
        )
    return f"theory: E log|1 + a·lr + σ·lr·ξ| (a = {model.a:g}, σ = {model.sigma:g})"


def _clean(value: Any) -> Any:
    a = np.asarray(value, dtype=np.float64)
    return np.where(np.isfinite(a), a, None).tolist()


def _write_stats(folder: pathlib.Path, ensembles, measured) -> list[pathlib.Path]:
    csv_path, json_path = folder / "stats.csv", folder / "stats.json"
    rows, header = [], None
    for label, e in ensembles.items():
        columns = e.statistics()
        curve = measured[label].curve
        columns["theory_mean_log_distance"] = (
            np.full(e.steps + 1, np.nan) if curve is None else curve
        )
        if header is None:
            header = ["label", *columns]
        for row in zip(*columns.values(), strict=True):
            rows.append([label, *row])
    with atomic_open(csv_path, newline="", encoding="utf-8") as f:
        import csv

        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [row[0]]
                + [
                    int(v)
                    if isinstance(v, np.integer)
                    else ("" if not math.isfinite(v) else repr(float(v)))
                    for v in row[1:]
                ]
            )
    document = {}
    for label, e in ensembles.items():
        m = measured[label]
        entry = e.to_dict()
        entry["fit"] = {
            "rate": m.fit.rate,
            "stderr": m.fit.stderr if math.isfinite(m.fit.stderr) else None,
            "from_step": m.fit.lo,
            "to_step": m.fit.hi,
            "intercept": m.fit.intercept,
        }
        entry["theory"] = (
            None
            if m.theory is None
            else {
                "a": m.theory.a,
                "sigma": m.theory.sigma,
                "sde": m.theory.sde,
                "a_minus_half_sigma_squared": m.theory.rate,
                "rate_over_fit": m.theory_rate,
                "mean_log_distance": _clean(m.curve),
            }
        )
        entry["escapes"] = (
            None
            if m.escapes is None
            else {"fraction": m.escapes.fraction, "median_step": m.escapes.median_step}
        )
        document[label] = entry
    with atomic_open(json_path, encoding="utf-8") as f:
        json.dump(document, f)
    return [csv_path, json_path]


def _summary(name, scene, ensembles, measured, files, seconds) -> str:
    k = len(ensembles)
    n, steps = scene.ensemble.n, scene.steps
    lines = [
        f"study of {name}: {k} optimizer{'s' * (k != 1)} x {n:,} particles, "
        f"{steps:,} steps ({seconds:.1f} s)"
    ]
    for label, e in ensembles.items():
        m = measured[label]
        lr = e.lr[np.isfinite(e.lr)]
        lr_text = (
            f"lr={lr[0]:.3g}"
            if np.allclose(lr, lr[0])
            else (f"lr={lr[0]:.3g}→{lr[-1]:.3g}")
        )
        lines.append(f"{label} ({lr_text})")
        err = "" if not math.isfinite(m.fit.stderr) else f" ± {m.fit.stderr:.2g}"
        before = "" if m.fit.hi == steps else ", before the first divergence"
        lines.append(
            f"  growth rate    {m.fit.rate:.3g}{err} per unit time "
            f"(fit over steps {m.fit.lo}-{m.fit.hi}{before})"
        )
        if m.theory is not None:
            a, sigma = m.theory.a, m.theory.sigma
            if m.theory.sde or sigma == 0:
                head = f"a − σ²/2 = {m.theory.rate:.3g} (a = {a:.3g}, σ = {sigma:.3g})"
            else:
                head = f"a = {a:.3g}, σ = {sigma:.3g} per step (not per unit time)"
            lines.append(
                f"  theory         {head}; exact over the fit: {m.theory_rate:.3g}"
            )
        else:
            lines.append(
                "  theory         none here (it needs a saddle at the center and "
                "additive or curvature noise)"
            )
        if m.escapes is not None:
            median = (
                f"step {m.escapes.median_step:g}"
                if m.escapes.median_step is not None
                else f"after step {steps} (fewer than half escaped)"
            )
            lines.append(
                f"  escaped        {m.escapes.fraction:.1%} by step {steps} "
                f"(exit radius {e.exit_radius:g})"
            )
            lines.append(f"  median escape  {median}")
        if e.diverged.any():
            lines.append(f"  diverged       {int(e.diverged.sum()):,} particles")
    names = sorted({p.stem for p in files if p.suffix == ".png"})
    folder = files[0].parent if files else pathlib.Path(".")
    lines.append(
        f"wrote {folder}/: stats.csv, stats.json, " + ", ".join(names) + " (.png, .svg)"
    )
    return "\n".join(lines)
