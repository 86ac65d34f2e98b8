"""`optimotion study`: the files it writes, its summary and its refusals."""

import csv
import json

import numpy as np
import pytest

from optimotion import cli
from optimotion.analysis import fit_window

SCENE = """\
surface: saddle
start: [0, 0]
steps: 60
noise: {kind: gaussian, sigma: 0.5}
optimizers:
  - {name: sgd, lr: 0.02, label: SGD}
  - {name: sgd, lr: 0.01, label: slow}
ensemble: {n: 300, keep: 40, exit_radius: 0.3}
"""


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_study_writes_stats_plots_and_a_summary(workdir, capsys):
    (workdir / "s.yaml").write_text(SCENE, encoding="utf-8")
    code = cli.main(["study", "s.yaml", "-o", "out"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    names = sorted(p.name for p in (workdir / "out").iterdir())
    plots = ["escape_times", "final_distribution", "log_distance", "survival"]
    assert names == sorted(
        ["stats.csv", "stats.json"]
        + [f"{p}.{s}" for p in plots for s in "png svg".split()]
    )
    rows = list(csv.DictReader(open(workdir / "out" / "stats.csv", encoding="utf-8")))
    assert len(rows) == 2 * 61 and [rows[0]["label"], rows[61]["label"]] == [
        "SGD",
        "slow",
    ]
    assert rows[0]["step"] == "0" and rows[0]["survival"] == "1.0"
    stats = json.loads((workdir / "out" / "stats.json").read_text(encoding="utf-8"))
    fit, theory = stats["SGD"]["fit"], stats["SGD"]["theory"]
    assert (fit["from_step"], fit["to_step"]) == (30, 60)
    assert theory["a"] == pytest.approx(2.0) and theory["sigma"] == 0.0
    assert theory["rate_over_fit"] == pytest.approx(np.log(1.04) / 0.02, rel=1e-9)
    # the fitted rate is the slope of the written mean log distance over the window
    tau = 0.02 * np.arange(30, 61)
    mean = [float(r["mean_log_distance"]) for r in rows[30:61]]
    assert fit["rate"] == pytest.approx(np.polyfit(tau, mean, 1)[0], rel=1e-9)
    lines = out.splitlines()
    assert lines[0].startswith(
        "study of s.yaml: 2 optimizers x 300 particles, 60 steps ("
    )
    assert lines[1] == "SGD (lr=0.02)"
    assert lines[2].startswith(f"  growth rate    {fit['rate']:.3g} ± ")
    assert lines[2].endswith(" per unit time (fit over steps 30-60)")
    assert lines[3] == (
        "  theory         a − σ²/2 = 2 (a = 2, σ = 0); exact over the fit: "
        f"{np.log(1.04) / 0.02:.3g}"
    )
    escaped = stats["SGD"]["escapes"]["fraction"]
    assert lines[4] == f"  escaped        {escaped:.1%} by step 60 (exit radius 0.3)"
    assert lines[-1] == (
        "wrote out/: stats.csv, stats.json, escape_times, final_distribution, "
        "log_distance, survival (.png, .svg)"
    )


@pytest.mark.parametrize(
    ("argv", "text", "message"),
    [
        (["study", "s.yaml", "-o", "out"], SCENE.split("ensemble:")[0],
         "optimotion study: s.yaml: no `ensemble:` section; study runs ensembles, "
         "e.g. ensemble: {n: 2000, exit_radius: 1}"),
        (["study", "s.yaml", "-o", "missing/out"], SCENE,
         "optimotion study: -o missing/out: folder missing/ does not exist"),
        (["study", "s.yaml", "-o", "out", "--set", "ensemble.keep=301"], SCENE,
         "s.yaml (--set ensemble.keep=301): ensemble.keep: must be <= n (300), "
         "got 301"),
    ],
)  # fmt: skip
def test_study_refusals_exit_2(argv, text, message, workdir, capsys):
    (workdir / "s.yaml").write_text(text, encoding="utf-8")
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert (code, out, err) == (2, "", message + "\n")
    assert not (workdir / "out").exists()


def test_fit_window_stops_before_the_first_divergence():
    assert fit_window([9] * 101) == (50, 100)
    assert fit_window([9] * 41 + [8] * 60) == (20, 40)
    assert fit_window([9, 8, 8, 8]) == (1, 2)


def test_study_is_bit_identical_for_the_same_seed(workdir, capsys):
    (workdir / "s.yaml").write_text(SCENE, encoding="utf-8")
    argv = ["study", "s.yaml", "--quiet", "--set", "ensemble.n=50", "--set"]
    assert cli.main([*argv, "ensemble.keep=20", "-o", "a"]) == 0
    assert cli.main([*argv, "ensemble.keep=20", "-o", "b"]) == 0
    for name in ("stats.csv", "stats.json"):
        assert (workdir / "a" / name).read_bytes() == (
            workdir / "b" / name
        ).read_bytes()
    assert capsys.readouterr() == ("", "")
