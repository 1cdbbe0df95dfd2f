"""Building a main window the way a user meets it, and pressing its keys, for the GUI tests."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from rnnviz.engine.learner import LearnerParams
from rnnviz.session import Session
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import TimerFactory, precise_timer
from rnnviz.ui.mainwindow import MainWindow


def make_window(
    qtbot,
    stream: str = "1^10 0^10",
    settings: QSettings | None = None,
    params: LearnerParams | None = None,
    *,
    timer_factory: TimerFactory = precise_timer,
    **kw,
) -> MainWindow:
    """A shown, active main window on *stream*, with the keyboard on the tape.

    *timer_factory* makes the adapter's play timer: a ``clocks.ManualTimer``
    lets the test fire Play period by period; the window's own precise
    QTimer (``precise_timer``, the adapter's default) without it.
    """
    adapter = SessionAdapter(Session(stream, params), timer_factory=timer_factory)
    window = MainWindow(adapter, settings=settings, **kw)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.tape.setFocus()
    return window


def press(qtbot, window: MainWindow, key: Qt.Key,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """Press *key* where the keyboard is, as a user does (the window itself if nothing has focus)."""
    qtbot.keyClick(window.focusWidget() or window, key, modifier)
