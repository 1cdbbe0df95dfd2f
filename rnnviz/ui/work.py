"""Long work on the GUI thread, with progress, a Cancel button and a window that keeps painting.

A few jobs cannot be cut into frames the way playing is: End or a seek across
millions of ticks, an edit that recomputes the ticks before the cursor,
opening a session saved at tick ten million. They run on the GUI thread (the
session is not thread-safe, and the views read it), and they report how far
they got through :mod:`rnnviz.engine.progress`. :func:`run_with_progress`
listens:

* every :data:`EVENTS_PERIOD_S` of work it lets Qt handle paint, timer and
  window-system events, so the window keeps painting (user input waits, so a
  click cannot start a second job inside the first);
* once the job has run :data:`PROGRESS_DELAY_S`, it shows a modal progress
  dialog with Cancel; from then on input reaches only that dialog;
* Cancel (or Escape) makes the next report raise
  :class:`~rnnviz.engine.errors.Cancelled`, which :func:`run_with_progress`
  lets through to its caller: the work stops where it was, consistently.

A job that never reports still runs to the end, without a dialog. A job
started while another runs (from inside it) just runs: the outer dialog shows
the whole.

Events handled during a job reach the rest of the app, and some cannot wait
for it: closing the main window (its close button, before the dialog blocks
it) would save and tear down a session in the middle of a move.
:func:`running` tells such code a job is under way, and
:func:`cancel_running` stops the job as its Cancel does and runs a callback
once the job has ended, from the event loop (the main window closes then).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled

T = TypeVar("T")

#: Work that has run this long shows its progress dialog (the quality bar's half second).
PROGRESS_DELAY_S: Final[float] = 0.5
#: Events are handled at least this often while a job runs: about 20 paints a second.
EVENTS_PERIOD_S: Final[float] = 0.05
#: The progress bar's range: per mille, so totals beyond an int32 cannot overflow it.
_STEPS: Final[int] = 1000

#: The running job's watcher, while one runs (None: no job runs).
_watcher: "_Watcher | None" = None
#: What to run once the running job has ended: (context, callback) pairs.
_after: list[tuple[QObject | None, Callable[[], None]]] = []


class _Watcher:
    """The progress callback of one job: paces events, opens the dialog, notices Cancel."""

    def __init__(self, parent: QWidget | None, title: str, clock: Callable[[], float],
                 delay_s: float) -> None:
        self._parent = parent
        self._title = title
        self._clock = clock
        self._delay_s = delay_s
        self._started = clock()
        self._next_events = self._started + EVENTS_PERIOD_S
        self.dialog: QProgressDialog | None = None
        #: Set by :func:`cancel_running`: the next report stops the job.
        self.cancel_requested = False

    def __call__(self, done: int, total: int) -> None:
        if self.cancel_requested:
            raise Cancelled(f"{self._title}: cancelled")
        now = self._clock()
        if now < self._next_events:
            return  # cheap: called every few milliseconds of work
        self._next_events = now + EVENTS_PERIOD_S
        if self.dialog is None and now - self._started >= self._delay_s:
            self._open()
        if self.dialog is None:
            # Paint and timers only: a key or click now would start other
            # work inside this job. Qt keeps that input for later.
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            return
        self.dialog.setValue(min(_STEPS - 1, _STEPS * max(done, 0) // max(total, 1)))
        # The dialog is application-modal: input reaches only it (its Cancel).
        QCoreApplication.processEvents()
        if self.cancel_requested or (self.dialog is not None and self.dialog.wasCanceled()):
            raise Cancelled(f"{self._title}: cancelled")

    def _open(self) -> None:
        dialog = QProgressDialog(f"{self._title}…", "Cancel", 0, _STEPS, self._parent)
        dialog.setWindowTitle(f"rnnviz: {self._title.lower()}")
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        dialog.show()
        # A busy pointer set by the caller would hide that Cancel can be clicked.
        QGuiApplication.setOverrideCursor(Qt.CursorShape.ArrowCursor)
        self.dialog = dialog

    def close(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            QGuiApplication.restoreOverrideCursor()
            dialog.close()
            dialog.deleteLater()


def run_with_progress(
    parent: QWidget | None,
    title: str,
    job: Callable[[], T],
    *,
    clock: Callable[[], float] = time.monotonic,
    delay_s: float = PROGRESS_DELAY_S,
) -> T:
    """Run *job* on the GUI thread; past *delay_s* show its progress with Cancel.

    Parameters
    ----------
    parent
        The window the progress dialog belongs to (``None``: no parent).
    title
        What the job does, as a user reads it: ``"Running to the end"``.
    job
        The work; it reports through :func:`rnnviz.engine.progress.report`.
    clock
        Seconds, rising (injectable for tests).
    delay_s
        Work time after which the dialog shows.

    Returns
    -------
    T
        What *job* returned.

    Raises
    ------
    Cancelled
        The user pressed Cancel; the job stopped at its next report.
    """
    global _watcher
    if _watcher is not None:
        return job()
    watcher = _Watcher(parent, title, clock, delay_s)
    _watcher = watcher
    try:
        with progress.reporting(watcher):
            return job()
    finally:
        _watcher = None
        watcher.close()
        after, _after[:] = list(_after), []
        for context, callback in after:
            # From the event loop, once the caller has dealt with the end
            # (a notice that the job was cancelled) and its stack is gone.
            if context is None:
                QTimer.singleShot(0, callback)
            else:
                QTimer.singleShot(0, context, callback)


def running() -> bool:
    """Whether a job runs under :func:`run_with_progress` now (events are handled inside it)."""
    return _watcher is not None


def cancel_running(then: Callable[[], None] | None = None, *, context: QObject | None = None) -> bool:
    """Stop the running job at its next report, as its Cancel button does.

    Parameters
    ----------
    then
        Called from the event loop once the job has ended (and its caller
        has handled the :class:`~rnnviz.engine.errors.Cancelled`).
    context
        A QObject whose destruction drops *then* (a window closed meanwhile).

    Returns
    -------
    bool
        False, and *then* is not kept, when no job runs.
    """
    if _watcher is None:
        return False
    _watcher.cancel_requested = True
    if then is not None:
        _after.append((context, then))
    return True
