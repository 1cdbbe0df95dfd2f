"""``rnnviz gui FILE.rnnviz.json``: a file far in opens in the window, with progress and Cancel."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnviz.commands import gui
from rnnviz.engine.errors import InputError
from rnnviz.io import sessionfile
from rnnviz.session import Session
from clocks import SteppingClock

STREAM = "random(300000, 0.5, seed=4)"
CURSOR = 250_000


@pytest.fixture(scope="module")
def far_session() -> Session:
    session = Session(STREAM)
    session.seek(100_000)
    session.set_params(eta=2.0)  # a log of two entries, replayed exactly
    session.seek(CURSOR)
    return session


@pytest.fixture
def far_file(tmp_path, far_session) -> Path:
    return sessionfile.save(tmp_path / "lecture.rnnviz.json", far_session, sequence=STREAM, speed=20)


# -- the check before any window ---------------------------------------------------------------
def test_a_file_that_opens_within_the_budget_is_opened_before_the_window(far_file, far_session):
    loaded = gui.check_session_file(str(far_file), clock=SteppingClock(0.0))
    assert loaded is not None and loaded.session.cursor == CURSOR and loaded.speed == 20
    np.testing.assert_array_equal(loaded.session.history["ho"], far_session.history["ho"])


def test_a_long_replay_is_left_to_the_window_once_every_check_has_passed(far_file):
    assert gui.check_session_file(str(far_file), clock=SteppingClock(1.0)) is None


def test_every_check_comes_before_the_replay_is_left_to_the_window(tmp_path, far_session):
    path = sessionfile.save(tmp_path / "fast.rnnviz.json", far_session, sequence=STREAM, speed=7)
    with pytest.raises(InputError, match=rf"^cannot open {path}: 'speed' is 7; the speeds offered"):
        gui.check_session_file(str(path), clock=SteppingClock(1.0), budget_s=0.0)


# -- the window opens first and replays the file with progress ------------------------------------
@pytest.fixture
def started(qtbot, monkeypatch, tmp_path):
    """Run ``rnnviz ARGS`` with *event_loop* as the window's event loop; return main's status."""
    from PySide6.QtWidgets import QApplication

    from rnnviz.cli import main
    from rnnviz.ui import files, work

    monkeypatch.setenv("RNNVIZ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    monkeypatch.setattr(gui, "CHECK_BUDGET_S", 0.0)  # any replay at all goes to the window
    # Progress paced by a fake clock: the dialog shows after 0.5 s of work, not waited for.
    monkeypatch.setattr(files, "run_with_progress",
                        functools.partial(work.run_with_progress, clock=SteppingClock(0.05)))

    def run(args: list[str], event_loop) -> int:
        monkeypatch.setattr(QApplication, "exec", lambda app: event_loop())
        return main(args)

    return run


def main_window():
    from PySide6.QtWidgets import QApplication

    from rnnviz.ui.mainwindow import MainWindow

    (window,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    return window


def watch_progress(qtbot, *, cancel: bool):
    """Note each progress dialog shown, with the main window's visibility then; Cancel it if asked."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    seen: list[tuple[str, bool]] = []

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible() and not widget.wasCanceled():
                if not seen:
                    window = widget.parentWidget()
                    seen.append((widget.labelText(), window is not None and window.isVisible()))
                if cancel:
                    widget.cancel()

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(look)
    timer.start()
    return seen, timer


def test_rnnviz_gui_on_a_file_far_in_shows_the_window_then_replays_with_progress(
    qtbot, started, far_file, far_session
):
    seen, timer = watch_progress(qtbot, cancel=False)
    result = {}

    def event_loop() -> int:
        window = main_window()
        qtbot.waitUntil(lambda: window.adapter.session.cursor == CURSOR, timeout=60_000)
        timer.stop()
        result["session"] = window.adapter.session
        result["title"] = window.windowTitle()
        window.close()
        return 0

    assert started(["gui", str(far_file)], event_loop) == 0
    assert seen == [("Opening lecture.rnnviz.json…", True)]  # over the window, already shown
    session = result["session"]
    np.testing.assert_array_equal(session.history["ho"], far_session.history["ho"])
    assert session.param_log == far_session.param_log
    assert result["title"].startswith("lecture.rnnviz.json")


def test_cancel_while_rnnviz_gui_opens_a_file_keeps_the_window_open(qtbot, started, far_file):
    seen, timer = watch_progress(qtbot, cancel=True)
    result = {}

    def event_loop() -> int:
        window = main_window()
        qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=60_000)
        timer.stop()
        result["cursor"] = window.adapter.session.cursor
        result["bits"] = len(window.adapter.session.bits)
        result["status"] = window.statusBar().currentMessage()
        result["visible"] = window.isVisible()
        window.close()
        return 0

    assert started([str(far_file)], event_loop) == 0  # `rnnviz FILE` as `rnnviz gui FILE`
    assert result["visible"] and result["cursor"] == 0 and result["bits"] == 20  # the default stream
    assert result["status"] == "Opening lecture.rnnviz.json cancelled: nothing changed."


def test_a_broken_file_is_still_one_line_and_exit_2_before_any_window(qtbot, started, tmp_path, capsys):
    broken = tmp_path / "lecture.rnnviz.json"
    broken.write_text('{"format": "rnnviz-session", "version": 1, "sequ', encoding="utf-8")
    assert started(["gui", str(broken)], lambda: pytest.fail("a window was started")) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rnnviz: cannot open {broken}: ") and len(err.splitlines()) == 1
