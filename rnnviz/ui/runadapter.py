"""The one QObject between a model kind's run and the views, shared by every model kind.

A :class:`RunAdapter` owns a run (anything that follows
:class:`rnnviz.runs.Run`), the play timer and the undo stack. Every change a
user makes goes through one of its methods, and every change ends in exactly
one :attr:`RunAdapter.changed` emission carrying :class:`Change` flags, so a
view redraws once per user action (or once per frame while playing) and can
tell a cheap cursor move from a rewritten history. Views read the run and
never write to it.

A model kind extends it for what only that kind has: the one-neuron
:class:`~rnnviz.ui.adapter.SessionAdapter` adds bit edits, learning settings
and the slow-motion stages of a tick, through the hooks
:meth:`RunAdapter._other_change`, :meth:`RunAdapter._after_move`,
:meth:`RunAdapter._play_stage`, :meth:`RunAdapter._allowed` and the two
notices of :meth:`RunAdapter.play`.

Long work
---------
Computing many ticks at once — End or a seek far ahead, an edit or a new
start before a cursor millions of ticks in — takes seconds. Work of
:data:`BUSY_TICKS` ticks or more runs through
:func:`~rnnviz.ui.work.run_with_progress`: a busy pointer at once, the
window kept painting, a progress dialog with Cancel after half a second. The
ticks are computed in slices of about :data:`SLICE_S` seconds, and every
slice ends in a :attr:`~RunAdapter.changed` emission, so the views catch
up a slice at a time (their own caches cost about a tenth of the ticks) and
show the cursor moving instead of freezing until the end. Cancel stops at the
tick reached, says so through :attr:`~RunAdapter.notice` and leaves a
consistent run: a move stays where it got to; an edit or a settings change
stays made (and undoable), with the cursor where its recompute stopped.
While long work runs, the play timer does nothing.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QWidget

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.present.format import MAX_SPEED, speed_label
from rnnviz.runs import Run
from rnnviz.session import SPEEDS
from rnnviz.ui.work import run_with_progress

#: Ticks per second Play runs at until the user picks another speed.
DEFAULT_SPEED: Final[int] = 10
#: Frame period while playing at "max" (about 60 frames per second).
FRAME_PERIOD_MS: Final[int] = 16
#: Share of a frame spent computing ticks at "max", so drawing and input keep the rest.
MAX_SPEED_BUDGET_S: Final[float] = 0.008
#: A "max" frame whose drawing takes longer than the period leaves (16 − 8 ms) is
#: stretched to this long, its training budget growing into what the drawing leaves
#: (about 32 frames per second instead of fewer frames that train less). Not 33 ms
#: (30 frames/s): the odd frame runs long (another process, a plot's axis laid out
#: again), and the frames around it must leave room for it to stay above 30 a second.
MAX_SPEED_FRAME_S: Final[float] = 0.031
#: How much of a new measure of the drawing time the estimate takes in (the rest: the last estimate).
DRAW_TIME_WEIGHT: Final[float] = 0.3
#: Work of this many ticks or more (about 0.1 s) runs as long work: a busy
#: pointer, slices shown as they are done, progress and Cancel after 0.5 s.
BUSY_TICKS: Final[int] = 100_000
#: Seconds of work per slice of a long job: each slice ends in one redraw
#: (tens of milliseconds), so this keeps redrawing under a tenth of the job.
SLICE_S: Final[float] = 0.4
#: Seconds per slice when stored ticks are only shown (after :meth:`RunAdapter.load`):
#: such a slice is all redraw, with no events inside, so it is kept short.
SHOW_SLICE_S: Final[float] = 0.15
#: Ticks in a long job's first slice, before this machine's speed is measured.
FIRST_SLICE: Final[int] = 1 << 16
#: Slices never shrink below this many ticks (a redraw per few ticks would crawl).
MIN_SLICE: Final[int] = 1 << 12
#: The most ticks one chunk of a "max" frame may hold.
MAX_CHUNK: Final[int] = 1 << 16
#: Undo steps kept; each stores only the bits an edit removed and inserted.
UNDO_LIMIT: Final[int] = 500



class PlayTimer(Protocol):
    """What the adapter needs of its play timer; a :class:`QTimer` is one.

    The adapter calls :meth:`start` on Play, :meth:`setInterval` when the
    speed changes while playing and :meth:`stop` on Pause; the timer calls
    the function it was made with (see :data:`TimerFactory`) once per period.
    """

    def start(self, msec: int, /) -> None:
        """Call back every *msec* milliseconds from now on."""

    def stop(self) -> None:
        """Stop calling back."""

    def setInterval(self, msec: int, /) -> None:
        """Call back every *msec* milliseconds (a running timer keeps running)."""

    def isActive(self) -> bool:
        """Whether the timer is running."""


#: Makes the play timer from its parent (the adapter, whose end ends the
#: timer) and the function to call once per period.
TimerFactory = Callable[[QObject, Callable[[], None]], PlayTimer]


def precise_timer(parent: QObject, callback: Callable[[], None]) -> QTimer:
    """The play timer of the window: a precise :class:`QTimer` (a coarse one may be 5% off the period)."""
    timer = QTimer(parent)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(callback)
    return timer


class FramePacer:
    """How long a "max" frame computes ticks.

    :data:`MAX_SPEED_BUDGET_S` while the views draw a frame within what the
    timer's period leaves of it; when they take longer, the frame is stretched
    to :data:`MAX_SPEED_FRAME_S` and the ticks get what the drawing leaves of
    that, less what the ticks have been overrunning their budget by (their
    last chunk ends after it). Both are measured on the adapter's *clock*:
    the drawing from one frame's last tick to the next frame (a clock that
    stands still measures none).
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._done: float | None = None  # when the last frame's ticks were done
        self._started: tuple[float, float] | None = None  # (when, budget) of this frame's ticks
        #: The estimated seconds between frames that are not spent on ticks (drawing).
        self.drawing_s = 0.0
        #: The estimated seconds the ticks run past their budget.
        self.overrun_s = 0.0

    def restart(self) -> None:
        """Playing starts: the first frame has no drawing before it to go by."""
        self._done = self._started = None

    def ticks_done(self) -> None:
        """A frame's ticks are done; what follows until the next frame is drawing."""
        self._done = self._clock()
        if self._started is not None:
            over = max(self._done - self._started[0] - self._started[1], 0.0)
            self.overrun_s += DRAW_TIME_WEIGHT * (min(over, MAX_SPEED_BUDGET_S) - self.overrun_s)
            self._started = None

    def budget(self) -> float:
        """Seconds of ticks for the frame starting now (the drawing since the last one measured)."""
        now = self._clock()
        if self._done is not None:
            took = min(max(now - self._done, 0.0), 1.0)
            self.drawing_s += DRAW_TIME_WEIGHT * (took - self.drawing_s)
            self._done = None
        budget = MAX_SPEED_BUDGET_S
        if self.drawing_s > FRAME_PERIOD_MS / 1000 - MAX_SPEED_BUDGET_S:
            budget = max(MAX_SPEED_BUDGET_S, MAX_SPEED_FRAME_S - self.drawing_s - self.overrun_s)
        self._started = (now, budget)
        return budget


class Change(enum.IntFlag):
    """What a :attr:`RunAdapter.changed` emission is about."""

    NONE = 0
    #: The cursor moved (the state shown is another tick's).
    CURSOR = enum.auto()
    #: The bits of the stream changed (length or values).
    STREAM = enum.auto()
    #: The learning parameters changed.
    PARAMS = enum.auto()
    #: Stored ticks were forgotten (and perhaps recomputed differently), so
    #: views that cache per-tick data must rebuild from the run's stored ticks.
    #: Set from :attr:`History.forgets`, so it is never missed, even when a
    #: batch steps back, changes a parameter and steps forward again.
    HISTORY = enum.auto()
    #: The slow-motion stage changed (a model kind's own, e.g. :attr:`SessionAdapter.stage`).
    STAGE = enum.auto()
    ALL = CURSOR | STREAM | PARAMS | HISTORY


@contextmanager
def busy_pointer(ticks: int, busy: int = BUSY_TICKS) -> Iterator[None]:
    """Show a busy pointer while a job of about *ticks* ticks (long from *busy* on) runs on the GUI thread."""
    if ticks < busy or QGuiApplication.instance() is None:
        yield
        return
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


class RunAdapter(QObject):
    """Owns a run, plays it with a timer and tells views what changed.

    Parameters
    ----------
    run
        The run to show.
    parent
        The Qt parent (usually the main window), which ends the timer with it
        and owns the progress dialog of long work.
    clock
        Seconds, rising: paces long work and its progress dialog (injectable
        for tests).
    timer_factory
        Makes the play timer (:func:`precise_timer` by default); a test
        passes one it fires by hand, so Play is driven without waiting.
    """

    #: Emitted once per user action or frame, with :class:`Change` flags (as int).
    changed = Signal(int)
    #: Play started (True) or stopped (False), including at the end of the run.
    playingChanged = Signal(bool)
    #: The play speed changed (ticks per second, 0 for "max").
    speedChanged = Signal(int)
    #: A one-line message for the status bar about something the user did not
    #: see happen: Play at the end of the run, a long job cancelled.
    notice = Signal(str)

    #: What the user calls the ticks' input, in messages ("At the end of the run").
    WHAT: str = "the run"
    #: Long work from BUSY new ticks on, in slices of FIRST ticks at first, never under SMALLEST;
    #: a kind whose ticks cost more (a lab update) sets its own. TICK names a tick in messages.
    BUSY, FIRST, SMALLEST, TICK = BUSY_TICKS, FIRST_SLICE, MIN_SLICE, "tick"

    def __init__(
        self,
        run: Run,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        timer_factory: TimerFactory = precise_timer,
    ) -> None:
        super().__init__(parent)
        self._run = run
        self._clock = clock
        self._working = False  # long work under way: the play timer waits
        # Cursor moves the user made (Play's own ticks excluded): a spin box's
        # values merge into one undo step only while this stays the same.
        self._moves = 0
        # Ticks per slice of long work, adapted to this machine: computing
        # ticks, and only showing stored ones (which costs the views alone).
        self._slice = self.FIRST
        self._show_slice = self.FIRST
        self._speed = DEFAULT_SPEED
        self._timer: PlayTimer = timer_factory(self, self._on_timer)
        self._chunk = 64  # ticks per frame at "max", adapted to the budget
        self.pacer = FramePacer(clock)  # the training budget of a "max" frame
        self._pending = Change.NONE
        self._batch_depth = 0
        self._forgets = run.forgets
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)

    # -- reading ------------------------------------------------------------
    @property
    def run(self) -> Run:
        """The run shown; views read it, only the adapter changes it."""
        return self._run

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> int:
        """Ticks per second while playing, or :data:`MAX_SPEED`."""
        return self._speed

    # -- batching -------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Collect the changes made inside into one :attr:`changed` emission."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            self._flush()

    def _notify(self, flags: Change) -> None:
        forgets = self._run.forgets
        if forgets != self._forgets:
            self._forgets = forgets
            flags |= Change.HISTORY
        self._pending |= flags
        self._other_change()
        self._flush()

    def notify(self, flags: Change) -> None:
        """Announce a change a model kind's own command made to the run.

        One :attr:`changed` emission (or one per batch), with
        :attr:`Change.HISTORY` added when stored ticks were forgotten.
        """
        self._notify(flags)

    def _flush(self) -> None:
        if self._batch_depth == 0 and self._pending:
            flags, self._pending = self._pending, Change.NONE
            self.changed.emit(int(flags))

    def _work_to(self, target: int) -> int:
        """Ticks that must be computed to put the cursor at *target*."""
        return max(target - self._run.stored, 0)

    @property
    def working(self) -> bool:
        """Whether long work (see the module docstring) is under way."""
        return self._working

    def _long_work(self, title: str, ticks: int, job: Callable[[], None], cancelled: str) -> None:
        """Run *job*, which computes about *ticks* ticks; long work gets progress and Cancel.

        On Cancel the job has stopped consistently (shown where); :attr:`notice` says so."""
        if ticks < self.BUSY or self._working:
            job()
            return
        parent = self.parent()
        self._working = True
        try:
            with busy_pointer(ticks, self.BUSY):
                run_with_progress(parent if isinstance(parent, QWidget) else None, title, job,
                                  clock=self._clock)
        except Cancelled:
            run = self._run
            self.notice.emit(f"{cancelled}: stopped at {self.TICK} {run.cursor:,} of {run.n_ticks:,}")
        finally:
            self._working = False

    def _move(self, target: int) -> None:
        """Put the cursor at *target* in one go and tell the views."""
        cursor = self._run.cursor
        self._run.seek(target)
        self._moved(cursor)

    def _walk_to(self, target: int, *, show_stored: bool = False) -> None:
        """Put the cursor at *target* in slices that each end in a redraw.

        New ticks are computed a slice at a time; with *show_stored* stored
        ticks are walked a slice at a time too (for views whose caches start
        empty, after :meth:`load`). Each slice aims at :data:`SLICE_S`
        seconds (:data:`SHOW_SLICE_S` when only showing), its redraw
        included, from what the last one took.
        Progress is reported over the whole walk. On Cancel the cursor stays
        at the tick reached, shown, and :class:`Cancelled` goes on. Outside
        long work it is one move.
        """
        run = self._run
        if not self._working:  # short work: one move, one emission, as any action
            self._move(target)
            return
        # Progress counts the ticks to compute, or with show_stored every tick passed.
        origin = run.cursor if show_stored else run.stored
        total = max(target - origin, 1)
        while run.cursor != target:
            target = min(target, run.n_ticks)  # a run can only end sooner (an edit), never later
            stored = run.stored
            cursor = run.cursor
            if show_stored and cursor < target:
                stop = min(target, cursor + self._show_slice)
            else:
                stop = target if target <= stored else min(target, stored + self._slice)
            started = self._clock()
            try:
                with progress.part(max(stored - origin, 0), total):
                    run.seek(stop)
            finally:
                self._moved(cursor)
            advanced = run.cursor - cursor
            took = self._clock() - started
            size, aim = (self._show_slice, SHOW_SLICE_S) if show_stored else (self._slice, SLICE_S)
            if advanced >= size // 2 and took > 0:
                size = min(max(int(advanced * aim / took), self.SMALLEST), 2 * size)
                if show_stored:
                    self._show_slice = size
                else:
                    self._slice = size
            if run.cursor != target:
                # After the redraw too: the dialog repaints, and Cancel is
                # seen even when the slice computed nothing (stored ticks).
                done = run.cursor if show_stored else run.stored
                progress.report(max(done - origin, 0), total)

    # -- moving in time -------------------------------------------------------
    def _moved(self, before_cursor: int) -> None:
        if self._run.cursor != before_cursor:
            self._moves += 1
            self._notify(Change.CURSOR)

    def step(self, count: int = 1) -> int:
        """Forward up to *count* ticks; return how many were taken."""
        cursor = self._run.cursor
        moved = self._run.step(count)
        self._moved(cursor)
        self._after_move()  # also when nothing moved (at the end)
        return moved

    def back(self, count: int = 1) -> int:
        """Back up to *count* ticks (a stored state, nothing re-run)."""
        self.pause()
        cursor = self._run.cursor
        moved = self._run.back(count)
        self._moved(cursor)
        self._after_move()  # also at tick 0
        return moved

    def seek(self, tick: int) -> None:
        """Show the state after *tick* ticks (clamped to the run).

        A long way ahead is long work (see the module docstring); Cancel
        stops at the tick reached.
        """
        tick = min(max(int(tick), 0), self._run.n_ticks)
        self._long_work(f"Computing up to {self.TICK} {tick:,}", self._work_to(tick),
                        lambda: self._walk_to(tick), "Cancelled")
        self._after_move()

    def run_to_end(self) -> None:
        """Do every remaining tick (long work when many are new; Cancel stops where it got to)."""
        self.pause()
        end = self._run.n_ticks
        self._long_work(f"Running to the end of {self.WHAT}", self._work_to(end),
                        lambda: self._walk_to(end), "Cancelled")
        self._after_move()

    def reset(self) -> None:
        """Back to tick 0 with the starting state; stored ticks are forgotten."""
        self.pause()
        self._run.reset()
        self._moves += 1
        self._notify(Change.CURSOR)

    # -- playing ----------------------------------------------------------------
    def play(self) -> None:
        """Start playing from the cursor.

        At the end of the run nothing moves and :attr:`notice` says how to
        play again: the last tick is what a lecture has just arrived at, and a
        stray Space must not throw it away (Home then Play starts over).
        """
        if self.playing:
            return
        if self._run.at_end:  # no tick left, so no stage to play either
            self.notice.emit(self._end_notice() if self._run.n_ticks else self._empty_notice())
            return
        self.pacer.restart()
        self._timer.start(self._period_ms())
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        self.playingChanged.emit(False)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, speed: int) -> None:
        """Ticks per second (one of :data:`SPEEDS`; 0 is "max")."""
        if speed not in SPEEDS:
            raise InputError(f"the speed must be one of {', '.join(map(speed_label, SPEEDS))}")
        if speed == self._speed:
            return
        self._speed = speed
        self.pacer.restart()
        if self.playing:
            self._timer.setInterval(self._period_ms())
        self.speedChanged.emit(speed)

    def faster(self) -> None:
        index = SPEEDS.index(self._speed)
        self.set_speed(SPEEDS[min(index + 1, len(SPEEDS) - 1)])

    def slower(self) -> None:
        index = SPEEDS.index(self._speed)
        self.set_speed(SPEEDS[max(index - 1, 0)])

    def _period_ms(self) -> int:
        return FRAME_PERIOD_MS if self._speed == MAX_SPEED else round(1000 / self._speed)

    def _on_timer(self) -> None:
        if self._working:
            return  # its processEvents let the timer in; the run is mid-move
        moves = self._moves
        try:
            self._play_one_period()
        finally:
            self._moves = moves  # Play's own ticks are not moves the user made

    def _play_one_period(self) -> None:
        if self._play_stage():
            return
        if self._speed == MAX_SPEED:
            self._step_for_one_frame()
        else:
            self.step(1)
        if self._run.at_end:
            self.pause()

    def _step_for_one_frame(self) -> None:
        # Run chunks until the budget is spent. The chunk adapts to what one
        # computed tick costs on this machine, aiming at a quarter of the
        # least budget per chunk; replaying stored ticks costs next to nothing and
        # must not teach it a size that the first new ticks would overrun.
        run = self._run
        cursor = run.cursor
        deadline = time.perf_counter() + self.pacer.budget()
        while not run.at_end:
            stored = run.stored
            started = time.perf_counter()
            run.step(self._chunk)
            took = time.perf_counter() - started
            computed = run.stored - stored
            if computed >= self._chunk // 2 and computed:
                per_tick = took / computed
                wanted = int(MAX_SPEED_BUDGET_S / 4 / max(per_tick, 1e-9))
                self._chunk = min(max(wanted, 1), 2 * self._chunk, MAX_CHUNK)
            if time.perf_counter() >= deadline:
                break
        self.pacer.ticks_done()
        self._moved(cursor)

    # -- what a model kind adds -----------------------------------------------------
    def _other_change(self) -> None:
        """Called with every change before it is announced (the stages end here)."""

    def _after_move(self) -> None:
        """Called after every step, step back, seek and run to the end, moved or not."""

    def _play_stage(self) -> bool:
        """Play one period in the kind's own way; True when it did (slow motion)."""
        return False

    def _end_notice(self) -> str:
        """What Play at the end of the run says."""
        return (f"At the end of {self.WHAT} ({self.TICK} {self._run.n_ticks:,}): "
                f"Home goes back to {self.TICK} 0 to play it again")

    def _empty_notice(self) -> str:
        """What Play says when the run has no tick at all."""
        return f"Nothing to play: this run has no {self.TICK}s"

    def _allowed(self, index: int, *, undoing: bool) -> bool:
        """Whether undo step *index* can be undone (or redone) now; if not, :attr:`notice` says why."""
        return True

    # -- undo -------------------------------------------------------------------------
    def undo(self) -> None:
        """Undo the last step (one the run cannot take now is refused with a notice)."""
        stack = self.undo_stack
        if stack.canUndo() and self._allowed(stack.index() - 1, undoing=True):
            stack.undo()

    def redo(self) -> None:
        """Redo the step last undone (one the run cannot take now is refused with a notice)."""
        stack = self.undo_stack
        if stack.canRedo() and self._allowed(stack.index(), undoing=False):
            stack.redo()


    # -- whole-run changes ------------------------------------------------------------
    def load(self, run: Run) -> None:
        """Show another run (undo history is cleared).

        A run whose cursor is far in is long work even with every tick
        stored: the views build their caches from nothing. They are shown
        the stored ticks a slice at a time from tick 0, with progress and
        Cancel (which leaves the cursor where the showing stopped).
        """
        self.pause()
        self._run = run
        self._forgets = run.forgets
        self.undo_stack.clear()
        target = run.cursor
        if target < BUSY_TICKS:  # showing stored ticks costs the views alone, not self.BUSY
            self._notify(Change.ALL)
            return

        def show() -> None:
            with self.batch():
                run.seek(0)  # stored ticks: the same numbers come back on the way up
                self._notify(Change.ALL)
            self._walk_to(target, show_stored=True)

        self._long_work("Showing the run", target, show, "Cancelled")

    def shutdown(self) -> None:
        """Stop the timer (called when the window closes)."""
        self._timer.stop()
