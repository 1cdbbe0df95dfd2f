"""The layer contracts (docs/architecture.md, "Layers"), checked on every test run.

rnnviz is layered, top to bottom::

    cli → commands → ui → present → io | tasks → session / runs → engine

A module may import its own layer and the layers below it, never one above.
``io`` and ``tasks`` sit side by side just above the session: they may import
the session and the engine but not each other. The Qt-free layers (engine,
runs, present, io, tasks and the small shared modules) never import Qt, not
even inside a function. One model kind's part of a ``workspaces`` package
never imports another kind's. No set of rnnviz modules imports itself in a
circle.

The import graph is read from the source with :mod:`ast`, so an import inside
a function counts as much as one at the top of the file (it runs as soon as
that function does), and a failure names the offending import by file and
line. A second check imports the Qt-free layers in a fresh interpreter where
importing Qt fails, which also catches Qt reached indirectly.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import rnnviz

PACKAGE = Path(rnnviz.__file__).parent
QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph")

#: Each layer (a name and the module prefixes it holds), top to bottom. The
#: layers of one row are siblings: same height, and they never import each
#: other. A prefix names a module and everything under it, except the bare
#: package name, which names only rnnviz/__init__.py: a new top-level module
#: must be given its layer here.
LAYERS: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (("cli", ("rnnviz.cli", "rnnviz.__main__")),),
    # The self-test is run by the command line and drives the window as a command does.
    (("commands", ("rnnviz.commands", "rnnviz.selftest")),),
    (("ui", ("rnnviz.ui",)),),
    (("present", ("rnnviz.present",)),),
    (("io", ("rnnviz.io",)), ("tasks", ("rnnviz.tasks",))),
    # Where the resources are and where errors are logged: read by every layer above.
    (("session", ("rnnviz.session", "rnnviz.runs", "rnnviz.resources", "rnnviz.errorlog")),),
    (("engine", ("rnnviz.engine",)),),
    # The package itself holds only the version.
    (("package", ("rnnviz",)),),
)

#: The layers that never import Qt.
QT_FREE = ("present", "io", "tasks", "session", "engine", "package")

#: Every package of this name holds one part per model kind (its views, or
#: its view-models), and one kind's part never imports another's, so a kind
#: can be added or removed alone. A part is a direct child, module or package.
INDEPENDENT_NAME = "workspaces"


@dataclass(frozen=True)
class Import:
    """One import statement of an rnnviz module: who imports what, and where."""

    source: str  # module doing the import
    target: str  # module imported (an rnnviz module, or the top name of another package)
    file: str  # relative to the folder holding the package, with forward slashes
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.source} imports {self.target}"

    @property
    def internal(self) -> bool:
        return self.target == "rnnviz" or self.target.startswith("rnnviz.")


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(path: Path, module: str) -> str:
    """The package a relative import in *path* is relative to."""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports_in(path: Path, modules: set[str], root: Path = PACKAGE) -> Iterator[Import]:
    """Every import in the file at *path*, at any depth (functions, classes, ``if`` blocks).

    ``from a import b`` imports the module ``a.b`` when there is one, else ``a``.
    ``importlib.import_module("a.b")`` and ``__import__("a.b")`` with a written
    name count too, so a circle cannot be hidden by spelling its import as a
    call. Imports of other packages are given by their top-level name.
    """
    module = module_name(path, root)
    file = path.relative_to(root.parent).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, resolve(alias.name, modules), file, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package_of(path, module).split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                yield Import(module, child if child in modules else resolve(base, modules),
                             file, node.lineno)
        elif (isinstance(node, ast.Call) and called_name(node.func) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            yield Import(module, resolve(node.args[0].value, modules), file, node.lineno)


def called_name(func: ast.expr) -> str | None:
    """``f`` for a call of ``f(...)`` or ``x.f(...)``."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def resolve(name: str, modules: set[str]) -> str:
    """*name* itself when it is an rnnviz module, else its nearest rnnviz parent or top name."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return name.split(".")[0]


def import_graph(root: Path = PACKAGE) -> list[Import]:
    """All imports of every module under *root* (a package folder), each (file, line, target) once."""
    files = sorted(root.rglob("*.py"))
    modules = {module_name(path, root) for path in files}
    return list(dict.fromkeys(found for path in files for found in imports_in(path, modules, root)))


def layer_of(module: str) -> tuple[int, str] | None:
    """(height, layer name) of an rnnviz *module*: 0 is the top; None when no layer holds it."""
    best: tuple[int, int, str] | None = None  # (prefix length, height, name)
    for height, row in enumerate(LAYERS):
        for name, prefixes in row:
            for prefix in prefixes:
                if module == prefix or (prefix != "rnnviz" and module.startswith(prefix + ".")):
                    if best is None or len(prefix) > best[0]:
                        best = (len(prefix), height, name)
    return None if best is None else (best[1], best[2])


def layer_violations(graph: Iterable[Import]) -> list[str]:
    """Imports that go up a layer, across siblings, or reach an rnnviz module no layer holds."""
    problems = []
    for found in graph:
        if not found.internal:
            continue
        source, target = layer_of(found.source), layer_of(found.target)
        if source is None or target is None:
            problems.append(f"{found} (a module in no layer: add it to LAYERS)")
        elif target[0] < source[0]:
            problems.append(f"{found} (upward: {source[1]} is below {target[1]})")
        elif target[0] == source[0] and target[1] != source[1]:
            problems.append(f"{found} (siblings {source[1]} and {target[1]} never import each other)")
    return problems


def crossings(graph: Iterable[Import]) -> list[str]:
    """Imports from one model kind's part of a ``workspaces`` package into another's."""
    graph = list(graph)
    modules = {found.source for found in graph}
    independent = sorted({name.rpartition("." + INDEPENDENT_NAME + ".")[0] + "." + INDEPENDENT_NAME
                          for name in modules if "." + INDEPENDENT_NAME + "." in name})
    problems = []
    for found in graph:
        for package in independent:
            source, target = part_of(found.source, package), part_of(found.target, package)
            if source and target and source != target:
                problems.append(f"{found} ({package} parts never import each other)")
    return problems


def part_of(module: str, package: str) -> str | None:
    """The direct child of *package* that holds *module*, if any."""
    if not module.startswith(package + "."):
        return None
    return module[len(package) + 1 :].split(".")[0]


def qt_imports(graph: Iterable[Import]) -> list[str]:
    """Imports of Qt made by a module of a Qt-free layer."""
    return [f"{found} (Qt in the {layer[1]} layer)" for found in graph
            if found.target in QT_MODULES
            and (layer := layer_of(found.source)) is not None and layer[1] in QT_FREE]


def cycles(graph: Iterable[Import]) -> list[list[Import]]:
    """The import circles, each as its chain of imports.

    The strongly connected sets of modules come from Tarjan's algorithm; in
    each, the shortest circle through every module not yet on a circle shown
    is given, so every module caught in a circle appears in at least one.
    """
    edges: dict[str, list[Import]] = {}
    for found in graph:
        if found.internal and found.target != found.source:
            edges.setdefault(found.source, []).append(found)
            edges.setdefault(found.target, [])
    circles: list[list[Import]] = []
    for component in strongly_connected(edges):
        shown: set[str] = set()
        for start in sorted(component):
            if start not in shown:
                circle = shortest_circle(start, component, edges)
                circles.append(circle)
                shown.update(found.source for found in circle)
    return circles


def strongly_connected(edges: dict[str, list[Import]]) -> list[set[str]]:
    """The sets of two or more modules that all reach each other through imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for found in successors:
                nxt = found.target
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)
    return components


def shortest_circle(start: str, component: set[str], edges: dict[str, list[Import]]) -> list[Import]:
    """The shortest chain of imports inside *component* from *start* back to it."""
    # Breadth first: the first import back to start closes the shortest circle.
    came_by: dict[str, Import | None] = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for found in edges[node]:
                if found.target == start:
                    chain = [found]
                    while (step := came_by[chain[0].source]) is not None:
                        chain.insert(0, step)
                    return chain
                if found.target in component and found.target not in came_by:
                    came_by[found.target] = found
                    following.append(found.target)
        frontier = following
    raise AssertionError(f"{start} is on no circle of its component")  # Tarjan guarantees one


def describe(problems: list[str]) -> str:
    return "\n".join(["", *problems])


# -- the contracts on rnnviz ------------------------------------------------------------------------
GRAPH = import_graph()


def test_the_graph_sees_imports_inside_functions() -> None:
    # ui/app.py imports the main window only when a window is built.
    assert any(found.source == "rnnviz.ui.app" and found.target == "rnnviz.ui.mainwindow"
               for found in GRAPH)
    assert any(found.source == "rnnviz.cli" and found.target == "rnnviz.commands.gui"
               for found in GRAPH)


def test_every_module_has_a_layer() -> None:
    homeless = [module_name(path) for path in sorted(PACKAGE.rglob("*.py"))
                if layer_of(module_name(path)) is None]
    assert not homeless, f"modules in no layer (add them to LAYERS): {homeless}"


def test_no_layer_imports_one_above_it_or_a_sibling() -> None:
    problems = layer_violations(GRAPH)
    assert not problems, "imports against the layers:" + describe(problems)


def test_the_workspaces_of_different_model_kinds_never_import_each_other() -> None:
    problems = crossings(GRAPH)
    assert not problems, "imports between independent parts:" + describe(problems)


def test_the_qt_free_layers_never_import_qt_even_inside_a_function() -> None:
    problems = qt_imports(GRAPH)
    assert not problems, "Qt imported where it must not be:" + describe(problems)


def test_no_import_circle() -> None:
    circles = cycles(GRAPH)
    assert not circles, "modules importing each other in a circle:" + describe(
        [f"circle {n + 1}: {found}" for n, circle in enumerate(circles) for found in circle])


# The same check at run time: imported in a fresh interpreter where any Qt
# import fails loudly, so Qt reached through a helper module is caught too.
BLOCKER = """
import importlib, importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {qt!r}:
            raise ImportError("Qt imported from the Qt-free layers: " + name)
sys.meta_path.insert(0, Block())
for module in {modules!r}:
    importlib.import_module(module)
print(sorted(m for m in sys.modules if m.split(".")[0] in {qt!r}))
"""


def qt_free_modules() -> list[str]:
    """The Qt-free layers' modules, and the command-line modules that stay headless at import."""
    modules = sorted(module_name(path) for path in PACKAGE.rglob("*.py"))
    free = [m for m in modules if (layer := layer_of(m)) is not None and layer[1] in QT_FREE]
    return [*free, "rnnviz.cli", "rnnviz.commands.trace", "rnnviz.commands.generate",
            "rnnviz.commands.gui", "rnnviz.commands.record"]


def test_the_qt_free_layers_and_the_headless_cli_import_without_qt() -> None:
    modules = qt_free_modules()
    assert {"rnnviz.engine.learner", "rnnviz.session", "rnnviz.io.video", "rnnviz.tasks.addition"} <= set(modules)
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(qt=QT_MODULES, modules=modules)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- the checker itself, on small planted packages ------------------------------------------------------
def plant(tmp_path: Path, files: dict[str, str]) -> Path:
    """A throwaway package named rnnviz holding *files* (path → source)."""
    root = tmp_path / "rnnviz"
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    return root


def test_an_upward_import_inside_a_function_is_named_by_file_and_line(tmp_path: Path) -> None:
    root = plant(tmp_path, {
        "engine/learner.py": "import numpy\n\n\ndef f():\n    from rnnviz.ui import app\n",
        "ui/app.py": "from rnnviz.engine import learner\n",
    })
    graph = import_graph(root)
    assert layer_violations(graph) == [
        "rnnviz/engine/learner.py:5: rnnviz.engine.learner imports rnnviz.ui.app "
        "(upward: engine is below ui)"]
    assert [[str(found) for found in circle] for circle in cycles(graph)] == [[
        "rnnviz/engine/learner.py:5: rnnviz.engine.learner imports rnnviz.ui.app",
        "rnnviz/ui/app.py:1: rnnviz.ui.app imports rnnviz.engine.learner"]]


def test_an_import_spelt_as_a_call_counts(tmp_path: Path) -> None:
    root = plant(tmp_path, {
        "session.py": ("import importlib\n\n\ndef window():\n"
                       "    return importlib.import_module('rnnviz.ui.mainwindow')\n"),
        "ui/mainwindow.py": "",
    })
    assert layer_violations(import_graph(root)) == [
        "rnnviz/session.py:5: rnnviz.session imports rnnviz.ui.mainwindow (upward: session is below ui)"]


def test_qt_in_io_and_relative_imports_are_found(tmp_path: Path) -> None:
    root = plant(tmp_path, {
        "io/video.py": "def frame():\n    from PySide6.QtGui import QImage\n",
        "io/export.py": "from . import video\nfrom ..tasks import addition\n",
        "tasks/addition.py": "",
    })
    graph = import_graph(root)
    assert qt_imports(graph) == [
        "rnnviz/io/video.py:2: rnnviz.io.video imports PySide6 (Qt in the io layer)"]
    assert layer_violations(graph) == [
        "rnnviz/io/export.py:2: rnnviz.io.export imports rnnviz.tasks.addition "
        "(siblings io and tasks never import each other)"]


def test_the_two_circles_of_one_set_are_both_named(tmp_path: Path) -> None:
    # The circles rnnviz had (issue 13): they share ui/app.py.
    root = plant(tmp_path, {
        "commands/gui.py": "def run():\n    from rnnviz.ui.app import start\n",
        "ui/app.py": ("def start():\n    from rnnviz.ui.mainwindow import MainWindow\n\n\n"
                      "def problem():\n    from rnnviz.commands.gui import display_problem\n"),
        "ui/mainwindow.py": "from rnnviz.ui import recording\n",
        "ui/recording.py": "from rnnviz.ui.app import start\n",
        "ui/plots.py": "from rnnviz.ui import app\n",
    })
    graph = import_graph(root)
    assert layer_violations(graph) == [
        "rnnviz/ui/app.py:6: rnnviz.ui.app imports rnnviz.commands.gui (upward: ui is below commands)"]
    assert [[str(found) for found in circle] for circle in cycles(graph)] == [
        ["rnnviz/commands/gui.py:2: rnnviz.commands.gui imports rnnviz.ui.app",
         "rnnviz/ui/app.py:6: rnnviz.ui.app imports rnnviz.commands.gui"],
        ["rnnviz/ui/mainwindow.py:1: rnnviz.ui.mainwindow imports rnnviz.ui.recording",
         "rnnviz/ui/recording.py:1: rnnviz.ui.recording imports rnnviz.ui.app",
         "rnnviz/ui/app.py:2: rnnviz.ui.app imports rnnviz.ui.mainwindow"],
    ]


def test_a_new_top_level_module_must_be_given_a_layer(tmp_path: Path) -> None:
    root = plant(tmp_path, {"plugins.py": "from rnnviz.ui import app\n", "ui/app.py": ""})
    assert layer_of("rnnviz.plugins") is None
    assert layer_violations(import_graph(root)) == [
        "rnnviz/plugins.py:1: rnnviz.plugins imports rnnviz.ui.app (a module in no layer: add it to LAYERS)"]


def test_one_workspace_importing_another_is_named(tmp_path: Path) -> None:
    root = plant(tmp_path, {
        "ui/workspaces/elman/views.py": "from rnnviz.ui.workspaces.neuron import views\n",
        "ui/workspaces/elman/docks.py": "from rnnviz.ui.workspaces.elman import views\n",
        "ui/workspaces/neuron/views.py": "from rnnviz.ui import theme\n",
        "ui/theme.py": "",
    })
    assert crossings(import_graph(root)) == [
        "rnnviz/ui/workspaces/elman/views.py:1: rnnviz.ui.workspaces.elman.views imports "
        "rnnviz.ui.workspaces.neuron.views (rnnviz.ui.workspaces parts never import each other)"]


@pytest.mark.parametrize("module, layer", [
    ("rnnviz.cli", "cli"), ("rnnviz.commands.gui", "commands"), ("rnnviz.ui.app", "ui"),
    ("rnnviz.io.video", "io"), ("rnnviz.session", "session"), ("rnnviz.engine.learner", "engine"),
    ("rnnviz", "package"),
])
def test_every_module_has_its_layer(module: str, layer: str) -> None:
    assert layer_of(module)[1] == layer  # type: ignore[index]
