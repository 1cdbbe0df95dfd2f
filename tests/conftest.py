"""Fixtures shared by the GUI tests.

Every test runs with Qt offscreen, with its own empty settings (never the
user's), and fails if it leaves a QTimer running.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _fresh_settings(tmp_path, monkeypatch):
    """Point QSettings and the user data folder at an empty temporary folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # rnnviz.log
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # the engine tests run without Qt too
        yield
        return
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    yield


@pytest.fixture
def adapter(qtbot):
    """A SessionAdapter on the default stream ``1^10 0^10``; its timer is stopped afterwards."""
    from rnnviz.ui.adapter import SessionAdapter

    adapter = SessionAdapter()
    yield adapter
    adapter.shutdown()


@pytest.fixture(autouse=True)
def _no_dangling_timers(request, monkeypatch):
    """Fail a GUI test that leaves a repeating QTimer running (napari's _dangling_qtimers).

    Runs after pytest-qt has closed the test's widgets, so a window that
    stops its timers when closed passes.
    """
    if "qtbot" not in request.fixturenames:
        yield
        return
    import weakref

    from PySide6.QtCore import QTimer

    started: list[weakref.ref] = []
    original_start = QTimer.start

    def start(self, *args):
        started.append(weakref.ref(self))
        return original_start(self, *args)

    monkeypatch.setattr(QTimer, "start", start)
    yield
    running = []
    for ref in started:
        timer = ref()
        try:
            if timer is not None and timer.isActive() and not timer.isSingleShot():
                running.append(timer.objectName() or repr(timer.parent()))
        except RuntimeError:  # the C++ object is gone, so is its timer
            pass
    assert not running, f"QTimer(s) left running: {running}"
