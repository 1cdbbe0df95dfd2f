"""DESIGN §5: the engine and the session never import Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import rnnviz.engine

QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph")

# Run in a fresh interpreter where importing any Qt binding fails loudly, so
# an indirect import (through a helper module) is caught as well.
BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {qt!r}:
            raise ImportError("Qt imported from the Qt-free layers: " + name)
sys.meta_path.insert(0, Block())
import importlib
for module in {modules!r}:
    importlib.import_module(module)
print(sorted(m for m in sys.modules if m.split(".")[0] in {qt!r}))
"""


def qt_free_modules() -> list[str]:
    engine = [f"rnnviz.engine.{m.name}" for m in pkgutil.iter_modules(rnnviz.engine.__path__)]
    return ["rnnviz.engine", *engine, "rnnviz.session", "rnnviz.cli", "rnnviz.commands.trace",
            "rnnviz.commands.generate",
            "rnnviz.io.sessionfile", "rnnviz.io.lessons", "rnnviz.io.export", "rnnviz.io.reading",
            "rnnviz.io.video"]


def test_engine_session_and_headless_cli_import_without_qt() -> None:
    modules = qt_free_modules()
    assert "rnnviz.engine.learner" in modules and "rnnviz.engine.notation" in modules
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(qt=QT_MODULES, modules=modules)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_engine_source_mentions_a_qt_import() -> None:
    root = Path(rnnviz.engine.__file__).parent
    for path in root.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                assert not any(qt in stripped for qt in QT_MODULES), f"{path.name}: {stripped}"
