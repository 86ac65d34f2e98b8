"""The seams between optimotion's parts: each talks to the others through their
public names only, and the dependencies between them run one way.

The parts ("components") are the subpackages (`surfaces`, `optimizers`,
`dynamics`, `scene`, `render`, `interactive`, `cli`) and the top-level modules
(`noise`, `analysis`, `study`, `_cache`, ...). The rules, checked on the source
with `ast` (no import runs):

(a) A module never imports another subpackage's private module or private name:
    `from ..render._data import prepare` or `from ..dynamics import _run` in
    `interactive/` is refused; `from ..render import prepare` is the way. A
    subpackage's own private modules are its business. The top-level private
    modules (`optimotion/_atomic.py`, `_cache.py`, `_suggest.py`) are shared
    internals: anyone may import them. Lazy imports inside functions count, as
    do `if TYPE_CHECKING:` imports, and so does a module named by a string
    (`sys.modules.get("optimotion.render._sinks")`, `importlib.import_module`).
(b) The graph of component -> component imports has no cycle (lazy imports
    count; imports under `if TYPE_CHECKING:` do not, as they never run): the
    config layer (`scene`) imports no front end (`interactive`, `cli`), and so on
    down the line surfaces/optimizers -> dynamics -> scene -> front ends.
(c) `render` imports neither `optimizers` nor `dynamics`: it draws trajectories,
    it never computes them (statically here; at run time, together with jax and
    matplotlib, in `test_importing_render_loads_no_optimizers_dynamics_or_jax`).

`optimotion/__init__.py` is the package's facade (PEP 562, by name) and is left
out of the graph. Tests may reach into private modules; this file checks the
package only.
"""

from __future__ import annotations

import ast
import pathlib
import re
from collections.abc import Iterator

import pytest
from helpers import fresh_python

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "optimotion"
MODULE_NAME = re.compile(r"optimotion(\.\w+)+")


class Import:
    """One import found in a module: `target` is the imported module as a tuple
    of parts below `optimotion` (`("render", "_data")`), `names` what a
    `from ... import` took from it."""

    def __init__(self, target, names, line, typing_only, text):
        self.target: tuple[str, ...] = target
        self.names: tuple[str, ...] = names
        self.line: int = line
        self.typing_only: bool = typing_only
        self.text: str = text


def _modules() -> Iterator[tuple[str, tuple[str, ...]]]:
    """`(path relative to the package, package parts of the module)` of every
    module; a package's `__init__` is the package itself."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        parts = rel.with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield str(rel), parts


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(source: str, rel: str, parts: tuple[str, ...]) -> list[Import]:
    """Every import of one module, lazy ones and string-named modules too."""
    is_package = rel.endswith("__init__.py")
    here = ("optimotion", *parts) if is_package else ("optimotion", *parts[:-1])
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                full = tuple(alias.name.split("."))
                if full[0] == "optimotion":
                    text = f"import {alias.name}"
                    found.append(Import(full[1:], (), node.lineno, typing_only, text))
        elif isinstance(node, ast.ImportFrom):
            module = tuple(node.module.split(".")) if node.module else ()
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                full = (*base, *module)
            else:
                full = module
            if full[:1] == ("optimotion",):
                names = tuple(alias.name for alias in node.names)
                text = f"from {'.' * node.level}{node.module or ''} import "
                text += ", ".join(names)
                found.append(Import(full[1:], names, node.lineno, typing_only, text))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if MODULE_NAME.fullmatch(node.value):
                target = tuple(node.value.split(".")[1:])
                text = repr(node.value)
                found.append(Import(target, (), node.lineno, True, text))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(ast.parse(source, filename=rel), False)
    return found


def _component(parts: tuple[str, ...]) -> str | None:
    """The component a module (parts below `optimotion`) belongs to; None for
    the package facade."""
    return parts[0] if parts else None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _scan(package: pathlib.Path = PACKAGE) -> dict[str, list[tuple[str, Import]]]:
    """`{component: [(module path, import)]}` over the package."""
    out: dict[str, list[tuple[str, Import]]] = {}
    for rel, parts in _modules():
        owner = _component(parts)
        if owner is None:
            continue
        source = (package / rel).read_text(encoding="utf-8")
        out.setdefault(owner, []).extend(
            (rel, found) for found in _imports(source, rel, parts)
        )
    return out


COMPONENTS = {
    _component(parts) for _, parts in _modules() if _component(parts) is not None
}
SUBPACKAGES = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def _edges(found: Import) -> set[str]:
    """The components an import makes its module depend on."""
    if not found.target:  # `from optimotion import a, b` / `from .. import a, b`
        return {name for name in found.names if name in COMPONENTS}
    return {found.target[0]}


def private_reaches(scan=None) -> list[str]:
    """Rule (a): `path:line: import` for each reach into another subpackage's
    private module or name."""
    offenders = []
    for owner, imports in (scan or _scan()).items():
        for rel, found in imports:
            if not found.target:
                continue  # top-level modules: public ones, or the shared internals
            into = found.target[0]
            if into == owner or into not in SUBPACKAGES:
                continue
            reached = [p for p in found.target[1:] if _private(p)]
            reached += [n for n in found.names if _private(n)]
            if reached:
                offenders.append(f"{rel}:{found.line}: {found.text}")
    return sorted(offenders)


def dependency_graph(scan=None) -> dict[str, dict[str, list[str]]]:
    """Rule (b)'s graph: `{component: {component it imports: [where]}}`, lazy
    imports included, `if TYPE_CHECKING:` ones left out."""
    graph: dict[str, dict[str, list[str]]] = {c: {} for c in COMPONENTS}
    for owner, imports in (scan or _scan()).items():
        for rel, found in imports:
            if found.typing_only:
                continue
            for into in _edges(found) - {owner}:
                graph[owner].setdefault(into, []).append(
                    f"{rel}:{found.line}: {found.text}"
                )
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """One cycle of `graph` as `[a, b, ..., a]`, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _describe(cycle: list[str], graph) -> str:
    lines = [" -> ".join(cycle)]
    for a, b in zip(cycle, cycle[1:], strict=False):
        lines += [f"  {a} -> {b}:"] + [f"    {w}" for w in graph[a][b]]
    return "\n".join(lines)


def test_the_scan_sees_every_component():
    assert {"cli", "dynamics", "interactive", "optimizers", "render", "scene"} <= (
        COMPONENTS
    )
    assert {"surfaces", "noise", "analysis", "study", "_cache"} <= COMPONENTS
    # the command line is a subpackage: its `_modules` are its own business
    assert {"cli", "interactive", "render", "scene"} <= SUBPACKAGES
    graph = dependency_graph()
    assert "render" in graph["scene"] and "scene" in graph["interactive"]


def test_no_module_reaches_into_another_subpackages_private_modules():
    offenders = private_reaches()
    assert not offenders, (
        "import another subpackage's public names (its __init__), not its "
        "private modules; export what is needed there:\n  " + "\n  ".join(offenders)
    )


def test_the_subpackages_import_each_other_without_a_cycle():
    graph = dependency_graph()
    cycle = find_cycle(graph)
    assert cycle is None, "an import cycle between components:\n" + _describe(
        cycle, graph
    )


def test_the_config_layer_imports_no_front_end():
    graph = dependency_graph()
    front_ends = {"interactive", "cli", "study"}
    for layer in ("surfaces", "optimizers", "dynamics", "scene", "render"):
        reached = {end: graph[layer][end] for end in front_ends & set(graph[layer])}
        assert not reached, f"{layer} imports a front end: {reached}"


def test_render_imports_neither_optimizers_nor_dynamics():
    graph = dependency_graph()
    reached = {
        c: graph["render"][c]
        for c in ("optimizers", "dynamics")
        if c in graph["render"]
    }
    assert not reached, f"render must only draw trajectories: {reached}"


def test_importing_render_loads_no_optimizers_dynamics_or_jax():
    # A fresh interpreter: this test process imported jax already (conftest).
    code = (
        "import sys, optimotion.render, optimotion.render._render; "
        "bad = [m for m in sys.modules if m.startswith(('optimotion.optimizers', "
        "'optimotion.dynamics', 'jax', 'matplotlib'))]; print(bad)"
    )
    out = fresh_python(code)
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("where", "line", "rule"),
    [
        ("interactive/_views.py", "from ..render._data import prepare", "private"),
        ("cli/_render.py", "from ..scene import _files", "private"),
        ("cli/_race.py", "from ..scene._load import load_scene", "private"),
        ("_cache.py", "import optimotion.dynamics._trajectory", "private"),
        ("cli/_main.py", 'sys.modules.get("optimotion.render._sinks")', "private"),
        ("study.py", "from .cli._parser import build_parser", "private"),
        ("interactive/_explore.py", "from ..cli import _render", "private"),
        ("scene/_schema.py", "from ..interactive import animate", "cycle"),
        ("dynamics/_run.py", "from .. import scene", "cycle"),
        ("scene/_load.py", "from ..cli import UsageError", "cycle"),
        ("render/_data.py", "from ..dynamics import race", "render"),
    ],
)
def test_the_checks_catch_a_planted_violation(where, line, rule):
    scan = _scan()
    rel = where
    parts = pathlib.Path(rel).with_suffix("").parts
    owner = _component(parts)
    planted = f"def planted():\n    {line}\n"
    scan[owner] = scan[owner] + [(rel, i) for i in _imports(planted, rel, parts)]
    if rule == "private":
        assert any(o.startswith(f"{rel}:2: ") for o in private_reaches(scan))
    else:
        graph = dependency_graph(scan)
        if rule == "cycle":
            assert find_cycle(graph) is not None
        else:
            assert "dynamics" in graph["render"]


def test_type_checking_imports_are_no_dependency():
    rel, parts = "render/_data.py", ("render", "_data")
    source = "if TYPE_CHECKING:\n    from ..dynamics import Trajectory\n"
    (found,) = _imports(source, rel, parts)
    assert found.typing_only and found.target == ("dynamics",)


def test_loading_a_scene_imports_no_jax_until_something_computes():
    # surfaces, optimizers and schedules take jax from `optimotion._lazy`
    code = (
        "import sys\n"
        "from optimotion.scene import gallery_path, load_scene\n"
        "scene = load_scene(gallery_path('beale'))\n"
        "spec, optimizer = scene.spec(), scene.optimizers[0].build()\n"
        "print('jax' in sys.modules, optimizer.name)\n"
        "from optimotion import surfaces\n"
        "print(float(surfaces.get('beale')(3.0, 0.5)), 'jax' in sys.modules)\n"
    )
    out = fresh_python(code)
    assert out.split("\n")[:2] == ["False sgd", "0.0 True"]
