"""Fixtures shared by the tests.

Every test runs with Qt offscreen, with its own empty settings (never the
user's), and fails if it leaves a QTimer running. ``window`` is the main
window as a user meets it, ``adapter`` a bare session adapter, ``cli`` the
command line run in-process. A test that also asks for ``play_timer`` gets
its ``window`` or ``adapter`` playing on that :class:`clocks.ManualTimer`,
fired period by period instead of waited for. Helpers that are not fixtures
live beside this file: ``windows.py`` (``make_window``, ``press``) and
``clocks.py``.
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
def play_timer():
    """The play timer of this test's ``window`` or ``adapter``: it fires only when told to."""
    from clocks import ManualTimer

    return ManualTimer()


def _timer_factory(request) -> dict:
    """``timer_factory=`` for the test's adapter: its ``play_timer`` if it asked for one."""
    if "play_timer" in request.fixturenames:
        return {"timer_factory": request.getfixturevalue("play_timer")}
    return {}  # the window's own precise QTimer


@pytest.fixture
def adapter(qtbot, request):
    """A SessionAdapter on the default stream ``1^10 0^10``; its timer is stopped afterwards."""
    from rnnviz.ui.adapter import SessionAdapter

    adapter = SessionAdapter(**_timer_factory(request))
    yield adapter
    adapter.shutdown()


@pytest.fixture
def window(qtbot, request):
    """The main window on ``1^10 0^10``, shown and active, keyboard on the tape; stopped afterwards."""
    from windows import make_window

    window = make_window(qtbot, **_timer_factory(request))
    yield window
    window.adapter.shutdown()


@pytest.fixture
def cli(capsys):
    """``cli(*args)`` runs ``rnnviz args…`` in-process: ``(status, stdout, stderr)``."""
    from rnnviz.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse's --version / --help exit
            status = 0 if exit_.code is None else exit_.code
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def short_param_log(monkeypatch) -> int:
    """A session's settings log holds 40 spans instead of 10,000; returns the limit.

    For tests of what happens *at* the limit (refusals, undo and redo there),
    which need not replay 10,000 ticks to reach it. The limit itself and its
    message are checked at full size in test_session.py.
    """
    from rnnviz import session

    monkeypatch.setattr(session, "MAX_PARAM_SPANS", 40)
    return session.MAX_PARAM_SPANS


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


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(config, items):
    """Start the documented shell commands in the background as soon as the tests are known.

    They are child processes the test process would only wait for; started
    now (one at a time, see shell_runs.py) they use the second core while the
    tests before them run. A pytest-xdist worker runs only its share, so it
    starts each command when its test asks for it.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") or config.getoption("collectonly"):
        return
    import shell_runs

    for item in items:
        planned = getattr(getattr(item, "module", None), "shell_run", None)
        if planned is not None and (run := planned(item)) is not None:
            shell_runs.start(*run)
