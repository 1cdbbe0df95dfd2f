"""run_with_progress: long GUI-thread work paints, shows progress after half a second, cancels."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled
from rnnviz.engine.learner import trace
from rnnviz.session import Session
from rnnviz.ui.work import EVENTS_PERIOD_S, PROGRESS_DELAY_S, run_with_progress
from clocks import SteppingClock


class PaintCounter(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.paints += 1


def progress_dialogs() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QProgressDialog) and w.isVisible()]


def test_a_short_job_returns_its_value_without_a_dialog(qtbot):
    seen = []

    def job() -> int:
        for done in range(10):
            progress.report(done, 10)
            seen.append(progress_dialogs())
        return 42

    clock = SteppingClock(PROGRESS_DELAY_S / 20)  # ten reports: half the delay
    assert run_with_progress(None, "Counting", job, clock=clock) == 42
    assert seen == [[]] * 10


def test_the_window_keeps_painting_and_the_dialog_shows_after_the_delay(qtbot):
    widget = PaintCounter()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    clock = SteppingClock(EVENTS_PERIOD_S)  # every report is due for events
    paints: list[int] = []
    shown: list[float] = []

    def job() -> None:
        for done in range(40):
            widget.update()  # something changed on screen
            progress.report(done, 40)
            paints.append(widget.paints)
            if progress_dialogs() and not shown:
                shown.append(clock.now)

    run_with_progress(widget, "Working", job, clock=clock)
    # Painted while the job ran, many times, not only once it was over.
    assert paints[-1] - paints[0] >= 10
    assert shown and shown[0] >= PROGRESS_DELAY_S
    assert not progress_dialogs()  # closed with the job


def test_cancel_raises_cancelled_and_the_session_stops_at_the_tick_reached(qtbot):
    session = Session("random(300000, 0.5, seed=5)")
    clicker = QTimer()
    clicker.setInterval(0)

    def click_cancel() -> None:
        for dialog in progress_dialogs():
            dialog.cancel()  # what the Cancel button and Escape do

    clicker.timeout.connect(click_cancel)
    clicker.start()
    try:
        with pytest.raises(Cancelled):
            run_with_progress(None, "Running to the end", session.run_to_end,
                              clock=SteppingClock(EVENTS_PERIOD_S))
    finally:
        clicker.stop()
    reached = session.cursor
    assert 0 < reached < session.n_ticks
    assert len(session.history) == reached
    # Every tick kept is the tick a plain trace computes: a consistent stop.
    expected = trace(session.bits[: reached + 1])
    for name in ("ih", "hh", "ho", "h"):
        np.testing.assert_array_equal(session.history[name], expected[name])
    assert not progress_dialogs()
    session.run_to_end()  # and it can go on from there
    assert session.at_end


def test_a_job_inside_a_job_runs_under_the_outer_dialog(qtbot):
    clock = SteppingClock(EVENTS_PERIOD_S)
    counts: list[int] = []

    def inner() -> str:
        for done in range(30):
            progress.report(done, 30)
        counts.append(len(progress_dialogs()))
        return "inner"

    assert run_with_progress(None, "Outer", lambda: run_with_progress(None, "Inner", inner,
                                                                      clock=clock),
                             clock=clock) == "inner"
    assert counts == [1]


def test_cancel_running_stops_the_job_at_its_next_report_and_then_runs_the_callback(qtbot):
    from rnnviz.ui.work import cancel_running, running

    assert not running() and not cancel_running(lambda: pytest.fail("no job ran"))
    reports: list[int] = []
    afterwards: list[tuple[bool, int]] = []

    def job() -> None:
        for done in range(100):
            progress.report(done, 100)
            reports.append(done)
            if done == 10:
                # As a close arriving through the events the job lets in.
                assert running() and cancel_running(lambda: afterwards.append((running(), len(reports))))

    with pytest.raises(Cancelled):
        run_with_progress(None, "Working", job, clock=SteppingClock(EVENTS_PERIOD_S / 4))
    assert reports[-1] == 10 and not running()  # the very next report stopped it
    assert afterwards == []  # not inside the job, nor in its caller's handling of the Cancel
    qtbot.waitUntil(lambda: bool(afterwards))
    assert afterwards == [(False, 11)]


def test_a_callback_whose_context_is_gone_is_dropped(qtbot):
    import shiboken6
    from PySide6.QtCore import QObject

    from rnnviz.ui.work import cancel_running

    context = QObject()
    called: list[str] = []

    def job() -> None:
        progress.report(0, 2)
        cancel_running(lambda: called.append("callback"), context=context)
        progress.report(1, 2)

    with pytest.raises(Cancelled):
        run_with_progress(None, "Working", job, clock=SteppingClock(EVENTS_PERIOD_S))
    shiboken6.delete(context)  # a window closed and deleted before the event loop turned
    QTimer.singleShot(0, lambda: called.append("later"))  # queued after the callback
    qtbot.waitUntil(lambda: "later" in called)
    assert called == ["later"]
