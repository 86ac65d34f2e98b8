"""A seeded fuzz of the command line: mutations of the gallery scenes (hostile
values, deleted and unknown keys, broken text) through `optimotion validate`, and
a few cheap renders. Every case must end with exit 0 or 2, one line per problem,
no traceback, and nothing written outside its temporary folder."""

import copy
import pathlib
import random
import re

import pytest
import yaml

from optimotion import cli

SCENES = sorted(
    (pathlib.Path(__file__).parent.parent / "optimotion" / "scenes").glob("*.yaml")
)
CASES = 300
RENDERS = 4
SEED = 20261202

HOSTILE = [
    None, True, 0, -1, 2**63, 2**64, -(2**70), 1e308, -1e308, 1e-320, 0.5, ".nan",
    "", "x" * 5000, "a\nb", "$\\frac{1}{$", "$x^$", "../escape.gif",
    "/tmp/escape.gif", "a\0b.gif", "out.html", "out.avi", ".", "frames/",
    "sub/../../x.pdf", [], [1], [1, 2, 3], [[1, 2]] * 20, {}, {"a": 1},
    [1e308, -1e308], [1000, 1], [2**64, 1],
    {"expr": "exp(800*x) + y**2", "window": {"x": [-1, 1], "y": [-1, 1]}},
    {"expr": "sin(" * 30 + "x" + ")" * 30, "window": {"x": [-1, 1], "y": [-1, 1]}},
    {"expr": "__import__('os')", "window": {"x": [-1, 1], "y": [-1, 1]}},
    {"x": [-1e308, 1e308], "y": [-1, 1]},
]  # fmt: skip
KEYS = ["title", "steps", "seed", "start", "surface", "noise", "output", "size",
        "fps", "duration", "layout", "trail", "steps_per_frame", "camera", "arrows",
        "views", "dpi", "lr", "name", "label", "color", "a\nb", "x" * 300]  # fmt: skip


def _paths(data, prefix=()):
    """Every (path, value) in nested dicts and lists."""
    yield prefix, data
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def mutate(rng: random.Random, text: str) -> str:
    """One to three mutations of a scene's data, or of its text."""
    if rng.random() < 0.15:  # text-level: truncation, a control character, bytes
        kind = rng.randrange(3)
        at = rng.randrange(len(text))
        if kind == 0:
            return text[:at]
        if kind == 1:
            return text[:at] + rng.choice("\x01\x07\x1b\x7f\ufeff") + text[at:]
        return (
            text[:at]
            + rng.choice(["{", "[", ":", "&a", "*a", "!!python/"])
            + (text[at:])
        )
    data = yaml.safe_load(text)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p, _ in _paths(data) if p]
        path = rng.choice(paths)
        action = rng.random()
        if action < 0.6:
            _set(data, path, copy.deepcopy(rng.choice(HOSTILE)))
        elif action < 0.75:
            node = data
            for part in path[:-1]:
                node = node[part]
            del node[path[-1]]
        else:
            node = data
            for part in path[:-1]:
                node = node[part]
            if isinstance(node, dict):
                node[rng.choice(KEYS)] = copy.deepcopy(rng.choice(HOSTILE))
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)


def snapshot(folder: pathlib.Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


LINE = re.compile(r"^\S[^\n]*: \S")


def check(code: int, out: str, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err and "unexpected" not in err, err
    lines = err.splitlines()
    assert all(LINE.match(line) and len(line) <= 400 for line in lines), lines


def test_fuzzed_gallery_scenes(tmp_path, monkeypatch, capsys):
    rng = random.Random(SEED)
    outside = tmp_path / "outside"  # where an escaping output would land
    work = outside / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    repo = SCENES[0].parent
    before_repo, before_outside = snapshot(repo), snapshot(outside)
    outcomes = {0: 0, 2: 0}
    renders = 0
    for case in range(CASES):
        scene = work / f"case{case}.yaml"
        scene.write_text(mutate(rng, rng.choice(SCENES).read_text()), "utf-8")
        code = cli.main(["validate", scene.name])
        out, err = capsys.readouterr()
        check(code, out, err)
        outcomes[code] += 1
        if code == 0:
            assert out.startswith(f"{scene.name}: ok (") and out.count("\n") == 1
        else:
            assert out == "" and err
        if code == 0 and renders < RENDERS:  # a cheap render of its own output
            renders += 1
            cheap = ["render.size=[96, 64]", "render.dpi=20", "render.fps=4",
                     "render.hold=0", "steps=20"]  # fmt: skip
            argv = ["render", scene.name, "--quiet"]
            for item in cheap:
                argv += ["--set", item]
            code = cli.main(argv)
            check(code, *capsys.readouterr())
    assert snapshot(repo) == before_repo
    written = snapshot(outside) - before_outside
    assert all(name.startswith("work") for name in written), written
    assert outcomes[0] > 20 and outcomes[2] > 100, outcomes  # both paths exercised
    assert renders == RENDERS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mutations_are_reproducible(seed):
    text = SCENES[0].read_text()
    assert mutate(random.Random(seed), text) == mutate(random.Random(seed), text)
