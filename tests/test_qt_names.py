"""No widget class of rnnviz sets an attribute that hides one of Qt's own methods.

A QWidget subclass that stores ``self.window = QSpinBox()`` hides
``QWidget.window()``: Qt code and rnnviz code that call ``widget.window()``
on it (the live recorder does, for every paint) get a spin box instead, and
a call that fails inside a C++ event filter can crash the process. The lab's
controls did exactly that once.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QObject  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

import rnnviz.ui  # noqa: E402


def _classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(rnnviz.ui.__path__, "rnnviz.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, QObject):
                found.append(cls)
    return found


def _assigned(cls: type) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id == "self":
                names.add(target.attr)
    return names


def test_the_walk_finds_the_widgets():
    names = {cls.__name__ for cls in _classes()}
    assert {"MainWindow", "LabControls", "NetworkDiagram", "SessionAdapter"} <= names


def test_no_qt_method_is_hidden_by_an_attribute():
    hidden = []
    for cls in _classes():
        base = QWidget if issubclass(cls, QWidget) else QObject
        qt_methods = {name for name in dir(base) if callable(getattr(base, name, None))}
        for name in sorted(_assigned(cls) & qt_methods):
            hidden.append(f"{cls.__module__}.{cls.__name__}: self.{name} hides {base.__name__}.{name}()")
    assert not hidden, "\n".join(hidden)
