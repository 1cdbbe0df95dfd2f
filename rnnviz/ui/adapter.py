"""The one QObject between the pure :class:`~rnnviz.session.Session` and the views.

The adapter owns the session, the play timer and the undo stack. Every change
a user makes goes through one of its methods, and every change ends in exactly
one :attr:`SessionAdapter.changed` emission carrying :class:`Change` flags, so
a view redraws once per user action (or once per frame while playing) and can
tell a cheap cursor move from a rewritten history.

Views read ``adapter.session`` and never write to it.

Slow motion
-----------
A tick can also be taken in :class:`Stage` s — forward x → h, forward h → ŷ,
the error, the change of each weight, the update — one per
:meth:`SessionAdapter.advance_stage` (Shift+→) or, with slow motion on, one
per play period. Until the update stage the session is untouched (the stages
show the tick the next step will do); the update stage steps the session one
tick. Any other change (a step, going back, seeking, an edit, a new
setting, a reset) ends the stages, in the same :attr:`~SessionAdapter.changed`
emission. Views read :attr:`SessionAdapter.stage` when ``changed`` carries
:attr:`Change.STAGE`; :attr:`SessionAdapter.stageChanged` names the stage for
anyone who wants only that.

Long work
---------
Computing many ticks at once — End or a seek far ahead, an edit or a new
start weight before a cursor millions of ticks in — takes seconds. Work of
:data:`BUSY_TICKS` ticks or more runs through
:func:`~rnnviz.ui.work.run_with_progress`: a busy pointer at once, the
window kept painting, a progress dialog with Cancel after half a second. The
ticks are computed in slices of about :data:`SLICE_S` seconds, and every
slice ends in a :attr:`~SessionAdapter.changed` emission, so the views catch
up a slice at a time (their own caches cost about a tenth of the ticks) and
show the cursor moving instead of freezing until the end. Cancel stops at the
tick reached, says so through :attr:`~SessionAdapter.notice` and leaves a
consistent session: a move stays where it got to; an edit or a parameter
change stays made (and undoable), with the cursor where its recompute stopped.
While long work runs, the play timer does nothing.

Undo
----
Every change the user makes to the stream or to the learning parameters is
one step on :attr:`SessionAdapter.undo_stack`. Keys typed on the tape merge
into one step, as in a text editor, and so do the values a spin box sends
while it is dragged or typed into: consecutive changes of the same setting
with nothing else done in between (the ticks Play takes meanwhile do not
count; a step or a seek by hand does). Undoing a parameter change puts the old
value back for the ticks still to come; ticks already done keep the numbers
they were computed with (as any parameter change does, see
:class:`~rnnviz.session.Session`).

A session keeps at most :data:`~rnnviz.session.MAX_PARAM_SPANS` settings
changes (what a session file holds). A change beyond that is refused before
it becomes an undo step, and an undo or redo that would need one more says
so through :attr:`SessionAdapter.notice` and leaves the stack where it was.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Final, Protocol

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.engine.learner import LearnerParams
# MAX_SPEED and speed_label now live in rnnviz.present.format; MAX_SPEED runs as many
# ticks per frame as fit in MAX_SPEED_BUDGET_S. Re-exported for old imports.
from rnnviz.present.format import MAX_SPEED, speed_label  # noqa: F401
# The Undo texts of settings changes now live in rnnviz.present.params (Qt-free).
from rnnviz.present.params import changed_settings, describe_change
# The slow-motion stages now live in rnnviz.present.stages (Qt-free); re-exported for old imports.
from rnnviz.present.stages import GRAD_STAGES, NO_STAGE, STAGE_TITLES, Stage  # noqa: F401
from rnnviz.session import SPEEDS, Session, as_bits, check_length
from rnnviz.ui.work import run_with_progress

#: Ticks per second Play runs at until the user picks another speed.
DEFAULT_SPEED: Final[int] = 10
#: Frame period while playing at "max" (about 60 frames per second).
FRAME_PERIOD_MS: Final[int] = 16
#: Share of a frame spent computing ticks at "max", so drawing and input keep the rest.
MAX_SPEED_BUDGET_S: Final[float] = 0.008
#: Work of this many ticks or more (about 0.1 s) runs as long work: a busy
#: pointer, slices shown as they are done, progress and Cancel after 0.5 s.
BUSY_TICKS: Final[int] = 100_000
#: Seconds of work per slice of a long job: each slice ends in one redraw
#: (tens of milliseconds), so this keeps redrawing under a tenth of the job.
SLICE_S: Final[float] = 0.4
#: Seconds per slice when stored ticks are only shown (after :meth:`SessionAdapter.load`):
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

    def setInterval(self, msec: int, /) -> None:  # noqa: N802 (QTimer's name)
        """Call back every *msec* milliseconds (a running timer keeps running)."""

    def isActive(self) -> bool:  # noqa: N802 (QTimer's name)
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


class Change(enum.IntFlag):
    """What a :attr:`SessionAdapter.changed` emission is about."""

    NONE = 0
    #: The cursor moved (the state shown is another tick's).
    CURSOR = enum.auto()
    #: The bits of the stream changed (length or values).
    STREAM = enum.auto()
    #: The learning parameters changed.
    PARAMS = enum.auto()
    #: Stored ticks were forgotten (and perhaps recomputed differently), so
    #: views that cache per-tick data must rebuild from ``session.history``.
    #: Set from :attr:`History.forgets`, so it is never missed, even when a
    #: batch steps back, changes a parameter and steps forward again.
    HISTORY = enum.auto()
    #: The slow-motion stage changed (:attr:`SessionAdapter.stage`).
    STAGE = enum.auto()
    ALL = CURSOR | STREAM | PARAMS | HISTORY


class _Bits:
    """Bits kept for undo, packed eight to a byte (a 10M-bit stream takes 1.25 MB)."""

    __slots__ = ("packed", "size")

    def __init__(self, bits: np.ndarray) -> None:
        self.size = int(bits.size)
        self.packed = np.packbits(np.asarray(bits, np.uint8))

    def bits(self) -> np.ndarray:
        return np.unpackbits(self.packed, count=self.size)

    def __add__(self, other: "_Bits") -> "_Bits":
        return _Bits(np.concatenate((self.bits(), other.bits())))


class _Splice(QUndoCommand):
    """Replace ``bits[start:start + len(removed)]`` by *inserted* (and back on undo).

    Bits typed or removed one key at a time merge into one undo step, as in a
    text editor: typing at the end of the last typed run, Backspace just
    before the last removal, or Delete at the same place.
    """

    #: Qt merges only commands with the same non-negative id.
    TYPING_ID: Final[int] = 1

    def __init__(
        self, adapter: "SessionAdapter", start: int, removed: np.ndarray, inserted: np.ndarray,
        text: str, typing: bool = False,
    ) -> None:
        super().__init__(text)
        self._adapter = adapter
        self._start = start
        self._removed = _Bits(removed)
        self._inserted = _Bits(inserted)
        self._typing = typing

    def id(self) -> int:  # noqa: A003 (Qt API)
        return self.TYPING_ID if self._typing else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, _Splice) or not (self._typing and other._typing):
            return False
        inserting = self._inserted.size and not self._removed.size
        if inserting and other._inserted.size and not other._removed.size:
            if other._start == self._start + self._inserted.size:  # typing on
                self._inserted = self._inserted + other._inserted
                self.setText(f"Type {self._inserted.size} bits")
                return True
            return False
        removing = self._removed.size and not self._inserted.size
        if removing and other._removed.size and not other._inserted.size:
            if other._start + other._removed.size == self._start:  # Backspace again
                self._start = other._start
                self._removed = other._removed + self._removed
            elif other._start == self._start:  # Delete again
                self._removed = self._removed + other._removed
            else:
                return False
            self.setText(f"Delete {self._removed.size} bits")
            return True
        return False

    def redo(self) -> None:
        self._adapter._splice(self._start, self._removed.size, self._inserted.bits())

    def undo(self) -> None:
        self._adapter._splice(self._start, self._inserted.size, self._removed.bits())


class _ParamsChange(QUndoCommand):
    """Change the learning parameters from *before* to *after* (and back on undo).

    A spin box sends a value for every step of a drag and every key typed
    into it; those merge into one undo step, as typed bits do: a change of
    the same single setting, with nothing else done in between — no other
    undo step (the stack only merges with its top) and no move of the
    cursor by the user (:attr:`SessionAdapter._moves`; ticks that Play
    takes on its own do not count, so a drag while playing is one step).
    """

    #: Qt merges only commands with the same non-negative id.
    PARAMS_ID: Final[int] = 2

    def __init__(self, adapter: "SessionAdapter", before: LearnerParams, after: LearnerParams) -> None:
        super().__init__(describe_change(before, after))
        self._adapter = adapter
        self._before = before
        self._after = after
        self._moves_before = adapter._moves
        self._moves_after: int | None = None

    def id(self) -> int:  # noqa: A003 (Qt API)
        return self.PARAMS_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, _ParamsChange):
            return False
        settings = changed_settings(self._before, self._after)
        if len(settings) != 1 or changed_settings(other._before, other._after) != settings:
            return False
        if other._moves_before != self._moves_after or other._before != self._after:
            return False  # the user did something in between: a step of its own
        self._after = other._after
        self._moves_after = other._moves_after
        self.setText(describe_change(self._before, self._after))
        # Dragged back to where it started: no step at all.
        self.setObsolete(self._after == self._before)
        return True

    @property
    def before(self) -> LearnerParams:
        """The parameters this step changed from (what undo puts back)."""
        return self._before

    @property
    def after(self) -> LearnerParams:
        """The parameters this step changed to."""
        return self._after

    def redo(self) -> None:
        self._adapter._apply_params(self._after)
        self._moves_after = self._adapter._moves

    def undo(self) -> None:
        self._adapter._apply_params(self._before)


class SessionAdapter(QObject):
    """Owns a :class:`Session`, plays it with a timer and tells views what changed.

    Parameters
    ----------
    session
        The session to show (a default one when omitted).
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
    #: Play started (True) or stopped (False), including at the end of the stream.
    playingChanged = Signal(bool)
    #: The play speed changed (ticks per second, 0 for "max").
    speedChanged = Signal(int)
    #: The slow-motion stage changed: a :class:`Stage` value, or :data:`NO_STAGE`.
    stageChanged = Signal(int)
    #: Slow-motion play was turned on (True) or off (False).
    slowMotionChanged = Signal(bool)
    #: A one-line message for the status bar about something the user did not
    #: see happen: Play at the end of the stream, a long job cancelled.
    notice = Signal(str)

    def __init__(
        self,
        session: Session | None = None,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        timer_factory: TimerFactory = precise_timer,
    ) -> None:
        super().__init__(parent)
        self._session = session or Session()
        self._clock = clock
        self._working = False  # long work under way: the play timer waits
        # Cursor moves the user made (Play's own ticks excluded): a spin box's
        # values merge into one undo step only while this stays the same.
        self._moves = 0
        # Ticks per slice of long work, adapted to this machine: computing
        # ticks, and only showing stored ones (which costs the views alone).
        self._slice = FIRST_SLICE
        self._show_slice = FIRST_SLICE
        self._speed = DEFAULT_SPEED
        self._timer: PlayTimer = timer_factory(self, self._on_timer)
        self._chunk = 64  # ticks per frame at "max", adapted to the budget
        self._pending = Change.NONE
        self._batch_depth = 0
        self._forgets = self._session.history.forgets
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self._stage: Stage | None = None
        self._stage_tick = 0
        self._staging = False  # the update stage's own step must not end the stages
        self._slow_motion = False

    # -- reading ------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The session shown; views read it, only the adapter changes it."""
        return self._session

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> int:
        """Ticks per second while playing, or :data:`MAX_SPEED`."""
        return self._speed

    @property
    def stage(self) -> Stage | None:
        """The slow-motion stage shown, or ``None`` when the tick is shown whole."""
        return self._stage

    @property
    def stage_tick(self) -> int | None:
        """The tick the stages take apart (0-based), or ``None`` without a stage.

        Before :attr:`Stage.UPDATE` it is the tick the next step does (the
        cursor); at the update it is the tick just done (``cursor − 1``).
        """
        return None if self._stage is None else self._stage_tick

    @property
    def slow_motion(self) -> bool:
        """Whether play goes one stage per period instead of one tick."""
        return self._slow_motion

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
        forgets = self._session.history.forgets
        if forgets != self._forgets:
            self._forgets = forgets
            flags |= Change.HISTORY
        self._pending |= flags
        if not self._staging:
            self.end_stages()  # any other change shows the tick whole, in the same emission
        self._flush()

    def _flush(self) -> None:
        if self._batch_depth == 0 and self._pending:
            flags, self._pending = self._pending, Change.NONE
            self.changed.emit(int(flags))

    @contextmanager
    def _busy(self, ticks: int) -> Iterator[None]:
        """Show a busy pointer while a job of about *ticks* ticks runs on the GUI thread."""
        if ticks < BUSY_TICKS or QGuiApplication.instance() is None:
            yield
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            yield
        finally:
            QGuiApplication.restoreOverrideCursor()

    def _work_to(self, target: int) -> int:
        """Ticks that must be computed to put the cursor at *target*."""
        return max(target - len(self._session.history), 0)

    @property
    def working(self) -> bool:
        """Whether long work (see the module docstring) is under way."""
        return self._working

    def _long_work(self, title: str, ticks: int, job: Callable[[], None], cancelled: str) -> None:
        """Run *job*, which computes about *ticks* ticks; long work gets progress and Cancel.

        On Cancel the job has already stopped consistently (and shown where);
        :attr:`notice` says so, starting with *cancelled*.
        """
        if ticks < BUSY_TICKS or self._working:
            job()
            return
        parent = self.parent()
        self._working = True
        try:
            with self._busy(ticks):
                run_with_progress(parent if isinstance(parent, QWidget) else None, title, job,
                                  clock=self._clock)
        except Cancelled:
            session = self._session
            self.notice.emit(f"{cancelled}: stopped at tick {session.cursor:,} of {session.n_ticks:,}")
        finally:
            self._working = False

    def _move(self, target: int) -> None:
        """Put the cursor at *target* in one go and tell the views."""
        cursor = self._session.cursor
        self._session.seek(target)
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
        session = self._session
        if not self._working:  # short work: one move, one emission, as any action
            self._move(target)
            return
        # Progress counts the ticks to compute, or with show_stored every tick passed.
        origin = session.cursor if show_stored else len(session.history)
        total = max(target - origin, 1)
        while session.cursor != target:
            target = min(target, session.n_ticks)  # a stream can only end sooner, never later
            stored = len(session.history)
            cursor = session.cursor
            if show_stored and cursor < target:
                stop = min(target, cursor + self._show_slice)
            else:
                stop = target if target <= stored else min(target, stored + self._slice)
            started = self._clock()
            try:
                with progress.part(max(stored - origin, 0), total):
                    session.seek(stop)
            finally:
                self._moved(cursor)
            advanced = session.cursor - cursor
            took = self._clock() - started
            size, aim = (self._show_slice, SHOW_SLICE_S) if show_stored else (self._slice, SLICE_S)
            if advanced >= size // 2 and took > 0:
                size = min(max(int(advanced * aim / took), MIN_SLICE), 2 * size)
                if show_stored:
                    self._show_slice = size
                else:
                    self._slice = size
            if session.cursor != target:
                # After the redraw too: the dialog repaints, and Cancel is
                # seen even when the slice computed nothing (stored ticks).
                done = session.cursor if show_stored else len(session.history)
                progress.report(max(done - origin, 0), total)

    # -- moving in time -------------------------------------------------------
    def _moved(self, before_cursor: int) -> None:
        if self._session.cursor != before_cursor:
            self._moves += 1
            self._notify(Change.CURSOR)

    def step(self, count: int = 1) -> int:
        """Forward up to *count* ticks; return how many were taken."""
        cursor = self._session.cursor
        moved = self._session.step(count)
        self._moved(cursor)
        self.end_stages()  # also when nothing moved (at the end)
        return moved

    def back(self, count: int = 1) -> int:
        """Back up to *count* ticks (a stored state, nothing re-run)."""
        self.pause()
        cursor = self._session.cursor
        moved = self._session.back(count)
        self._moved(cursor)
        self.end_stages()  # also at tick 0
        return moved

    def seek(self, tick: int) -> None:
        """Show the state after *tick* ticks (clamped to the stream).

        A long way ahead is long work (see the module docstring); Cancel
        stops at the tick reached.
        """
        tick = min(max(int(tick), 0), self._session.n_ticks)
        self._long_work(f"Computing up to tick {tick:,}", self._work_to(tick),
                        lambda: self._walk_to(tick), "Cancelled")
        self.end_stages()

    def run_to_end(self) -> None:
        """Do every remaining tick (long work when many are new; Cancel stops where it got to)."""
        self.pause()
        end = self._session.n_ticks
        self._long_work("Running to the end of the stream", self._work_to(end),
                        lambda: self._walk_to(end), "Cancelled")
        self.end_stages()

    def reset(self) -> None:
        """Back to tick 0 with the initial weights; stored ticks are forgotten."""
        self.pause()
        self._session.reset()
        self._moves += 1
        self._notify(Change.CURSOR)

    # -- playing ----------------------------------------------------------------
    def play(self) -> None:
        """Start playing from the cursor.

        At the end of the stream nothing moves and :attr:`notice` says how to
        play again: the last tick is what a lecture has just arrived at, and a
        stray Space must not throw it away (Home then Play starts over).
        """
        if self.playing:
            return
        if self._session.at_end:  # no tick left, so no stage to play either
            if self._session.n_ticks == 0:
                self.notice.emit("One bit: nothing to play yet — add bits on the tape")
            else:
                self.notice.emit(f"At the end of the stream (tick {self._session.n_ticks:,}): "
                                 "Home goes back to tick 0 to play it again")
            return
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
            return  # its processEvents let the timer in; the session is mid-move
        moves = self._moves
        try:
            self._play_one_period()
        finally:
            self._moves = moves  # Play's own ticks are not moves the user made

    def _play_one_period(self) -> None:
        if self._slow_motion:
            self.advance_stage()
            if self._session.at_end and self._stage in (None, Stage.UPDATE):
                self.pause()
            return
        if self._speed == MAX_SPEED:
            self._step_for_one_frame()
        else:
            self.step(1)
        if self._session.at_end:
            self.pause()

    def _step_for_one_frame(self) -> None:
        # Run chunks until the budget is spent. The chunk adapts to what one
        # computed tick costs on this machine, aiming at a quarter of the
        # budget per chunk; replaying stored ticks costs next to nothing and
        # must not teach it a size that the first new ticks would overrun.
        session = self._session
        cursor = session.cursor
        deadline = time.perf_counter() + MAX_SPEED_BUDGET_S
        while not session.at_end:
            stored = len(session.history)
            started = time.perf_counter()
            session.step(self._chunk)
            took = time.perf_counter() - started
            computed = len(session.history) - stored
            if computed >= self._chunk // 2 and computed:
                per_tick = took / computed
                wanted = int(MAX_SPEED_BUDGET_S / 4 / max(per_tick, 1e-9))
                self._chunk = min(max(wanted, 1), 2 * self._chunk, MAX_CHUNK)
            if time.perf_counter() >= deadline:
                break
        self._moved(cursor)

    # -- slow motion ----------------------------------------------------------------
    def advance_stage(self) -> bool:
        """Show the next stage of the tick; return False when there is no tick left.

        Without a stage (or after the update) this starts the next tick at
        :attr:`Stage.FORWARD_H`; the stage after :attr:`Stage.GRAD_HH` is the
        update, which steps the session one tick.
        """
        session = self._session
        stage = self._stage
        if stage is None or stage == Stage.UPDATE:
            if session.at_end:
                self.end_stages()
                return False
            self._stage_tick = session.cursor
            self._set_stage(Stage.FORWARD_H)
            return True
        if stage == Stage.GRAD_HH:
            # The stage is set before the step is announced, so views see the
            # moved cursor together with the update stage.
            self._stage = Stage.UPDATE
            self._pending |= Change.STAGE  # announced with the step
            self._staging = True
            try:
                cursor = session.cursor
                session.step(1)
                self._moved(cursor)
            finally:
                self._staging = False
            self.stageChanged.emit(int(Stage.UPDATE))
            return True
        self._set_stage(Stage(stage + 1))
        return True

    def end_stages(self) -> None:
        """Show the tick whole again (nothing is undone or stepped)."""
        self._set_stage(None)

    def set_slow_motion(self, on: bool) -> None:
        """Play one stage per period (True) or one tick per period (False)."""
        on = bool(on)
        if on == self._slow_motion:
            return
        self._slow_motion = on
        self.slowMotionChanged.emit(on)

    def _set_stage(self, stage: Stage | None) -> None:
        if stage == self._stage:
            return
        self._stage = stage
        self._pending |= Change.STAGE
        self.stageChanged.emit(NO_STAGE if stage is None else int(stage))
        self._flush()

    # -- parameters ---------------------------------------------------------------
    def set_params(self, params: LearnerParams | None = None, **changes) -> None:
        """Change learning parameters (see :meth:`Session.set_params` for when they apply).

        Raises :class:`InputError` and changes nothing when a value is invalid.
        A change is one undo step (a spin box's drag merges into one, see
        :class:`_ParamsChange`). A new start weight or ``h0`` with the cursor
        far in is long work; Cancel keeps the new parameters with the cursor
        where the recompute stopped.
        """
        before = self._session.params
        if params is not None and not isinstance(params, LearnerParams):
            raise InputError(f"parameters must be LearnerParams, not {type(params).__name__}")
        after = (params or before).with_changes(**changes) if changes else params or before
        if after != before:
            # Refused here, not in the command: a command that fails inside
            # the stack's push would leave a step that did nothing.
            self._session.check_params(after)
            self.undo_stack.push(_ParamsChange(self, before, after))

    def _apply_params(self, params: LearnerParams) -> None:
        """Install *params* (already valid) and tell the views; undo and redo come here."""
        session = self._session
        before = session.params
        if params == before:
            return
        # Only a new start (weights or h0) recomputes the ticks done.
        moved_start = (params.init, params.h0) != (before.init, before.h0)
        cursor = session.cursor
        if not moved_start or cursor < BUSY_TICKS:
            try:
                session.set_params(params)
            except InputError as error:  # checked before; an error here must not escape Qt's stack
                self.notice.emit(str(error))
                return
            self._notify(Change.PARAMS)
            return

        def recompute() -> None:
            with self.batch():  # the new start shown at tick 0, in one emission
                self._move(0)
                session.set_params(params)
                self._notify(Change.PARAMS)
            self._walk_to(cursor)

        self._long_work("Recomputing from the new start", cursor, recompute,
                        "Recomputing cancelled (the new setting stays)")

    # -- editing (undoable) ----------------------------------------------------------
    def toggle(self, index: int) -> None:
        """Flip bit *index*."""
        bits = self._session.bits
        index = self._checked_index(index, len(bits))
        self._push(index, bits[index : index + 1], np.array([1 - bits[index]], np.uint8),
                   f"Toggle bit {index + 1}")

    def insert(
        self, index: int, bits: str | Sequence[int] | np.ndarray, *, typing: bool = False
    ) -> None:
        """Insert *bits* (text in the sequence language, or 0/1 values) before bit *index*.

        ``typing=True`` marks a key press: a run of them is undone in one step.
        """
        length = len(self._session.bits)
        if not 0 <= index <= length:
            raise InputError(f"cannot insert at position {index + 1} of a {length}-bit stream")
        new = as_bits(bits)
        if new.size:
            what = f"bit {int(new[0])}" if new.size == 1 else f"{new.size:,} bits"
            self._push(index, new[:0], new, f"Insert {what}", typing=typing)

    def delete(self, index: int, count: int = 1, *, typing: bool = False) -> None:
        """Delete *count* bits from bit *index* on; the stream keeps at least one bit.

        ``typing=True`` marks a key press: a run of them is undone in one step.
        """
        bits = self._session.bits
        index = self._checked_index(index, len(bits))
        count = min(max(int(count), 0), len(bits) - index)
        if count == 0:
            return
        what = f"bit {index + 1}" if count == 1 else f"{count:,} bits"
        self._push(index, bits[index : index + count], bits[:0], f"Delete {what}", typing=typing)

    def replace(self, bits: str | Sequence[int] | np.ndarray, text: str = "Replace stream") -> None:
        """Replace the whole stream (validated first; nothing changes on error)."""
        new = as_bits(bits)
        check_length(new.size)
        old = self._session.bits
        if np.array_equal(old, new):
            return
        # Undo keeps only the part that differs: the common start and end stay out.
        common = min(old.size, new.size)
        differs = np.flatnonzero(old[:common] != new[:common])
        head = int(differs[0]) if differs.size else common
        tail_room = common - head
        differs = np.flatnonzero(old[::-1][:tail_room] != new[::-1][:tail_room])
        tail = int(differs[0]) if differs.size else tail_room
        self._push(head, old[head : old.size - tail], new[head : new.size - tail], text)

    def undo(self) -> None:
        """Undo the last step (one the session cannot take now is refused with a notice)."""
        stack = self.undo_stack
        if stack.canUndo() and self._allowed(stack.index() - 1, undoing=True):
            stack.undo()

    def redo(self) -> None:
        """Redo the step last undone (one the session cannot take now is refused with a notice)."""
        stack = self.undo_stack
        if stack.canRedo() and self._allowed(stack.index(), undoing=False):
            stack.redo()

    def _allowed(self, index: int, *, undoing: bool) -> bool:
        """Whether undo step *index* can be undone (or redone) now; if not, :attr:`notice` says why.

        Only a settings change can be refused: it may need a span beyond
        the session's :data:`~rnnviz.session.MAX_PARAM_SPANS`.
        """
        command = self.undo_stack.command(index)
        if not isinstance(command, _ParamsChange):
            return True
        try:
            self._session.check_params(command.before if undoing else command.after)
        except InputError as error:
            self.notice.emit(f"{'Undo' if undoing else 'Redo'} refused: {error}")
            return False
        return True

    @staticmethod
    def _checked_index(index: int, length: int) -> int:
        if not 0 <= index < length:
            raise InputError(f"there is no bit {index + 1} in a {length}-bit stream")
        return index

    def _push(
        self, start: int, removed: np.ndarray, inserted: np.ndarray, text: str, typing: bool = False
    ) -> None:
        # Check the result before it enters the undo stack, so a refused edit
        # leaves neither the stream nor the stack changed.
        check_length(len(self._session.bits) - len(removed) + len(inserted))
        self.undo_stack.push(
            _Splice(self, start, np.asarray(removed), np.asarray(inserted), text, typing)
        )

    def _splice(self, start: int, remove: int, inserted: np.ndarray) -> None:
        session = self._session
        old = session.bits
        new = np.concatenate((old[:start], inserted, old[start + remove :]))
        before_cursor = session.cursor
        # Bit *start* is the first that may differ: tick start − 1 is the first to redo.
        first_tick = max(start - 1, 0)
        if before_cursor - first_tick < BUSY_TICKS:
            session.replace(new)
            flags = Change.STREAM
            if session.cursor != before_cursor:
                flags |= Change.CURSOR
            if session.at_end and self.playing:
                self.pause()
            self._notify(flags)
            return

        def recompute() -> None:
            # Back to the edit first (stored ticks: free), so the edit itself
            # recomputes nothing and the walk back up shows its progress.
            with self.batch():
                self._move(first_tick)
                session.replace(new)
                self._notify(Change.STREAM)
            self._walk_to(min(before_cursor, session.n_ticks))

        self._long_work("Recomputing the ticks after the edit", before_cursor - first_tick,
                        recompute, "Recomputing cancelled (the edit stays)")
        if session.at_end and self.playing:
            self.pause()

    # -- whole-session changes ------------------------------------------------------
    def load(self, session: Session) -> None:
        """Show another session (undo history is cleared).

        A session whose cursor is far in is long work even with every tick
        stored: the views build their caches from nothing. They are shown
        the stored ticks a slice at a time from tick 0, with progress and
        Cancel (which leaves the cursor where the showing stopped).
        """
        self.pause()
        self._session = session
        self._forgets = session.history.forgets
        self.undo_stack.clear()
        target = session.cursor
        if target < BUSY_TICKS:
            self._notify(Change.ALL)
            return

        def show() -> None:
            with self.batch():
                session.seek(0)  # stored ticks: the same numbers come back on the way up
                self._notify(Change.ALL)
            self._walk_to(target, show_stored=True)

        self._long_work("Showing the session", target, show, "Cancelled")

    def shutdown(self) -> None:
        """Stop the timer (called when the window closes)."""
        self._timer.stop()
