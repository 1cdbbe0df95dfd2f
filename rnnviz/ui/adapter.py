"""The one-neuron kind's extension of the shared run adapter: bit edits, settings, stages.

:class:`SessionAdapter` is a :class:`~rnnviz.ui.runadapter.RunAdapter` (the
play timer, speed, undo stack, batching, long work and change flags every
model kind shares) whose run is a :class:`~rnnviz.session.Session`. What it
adds is what only the one-neuron learner has: editing the bit stream, the
learning settings, and a tick taken apart in slow-motion stages.

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

Long work (an edit or a new start weight before a cursor millions of ticks
in) goes through the shared adapter's long work, with progress and Cancel;
see :mod:`rnnviz.ui.runadapter`.

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

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
# The Undo texts of settings changes live in rnnviz.present.params (Qt-free).
from rnnviz.present.params import changed_settings, describe_change
from rnnviz.present.stages import NO_STAGE, Stage
from rnnviz.session import Session, as_bits, check_length
from rnnviz.ui.runadapter import Change, RunAdapter, TimerFactory, precise_timer


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



class SessionAdapter(RunAdapter):
    """The shared adapter of a :class:`Session`: adds bit edits, settings and stages.

    Parameters
    ----------
    session
        The session to show (a default one when omitted).
    parent, clock, timer_factory
        As for :class:`~rnnviz.ui.runadapter.RunAdapter`.
    """

    #: The slow-motion stage changed: a :class:`Stage` value, or :data:`NO_STAGE`.
    stageChanged = Signal(int)
    #: Slow-motion play was turned on (True) or off (False).
    slowMotionChanged = Signal(bool)

    WHAT = "the stream"

    def __init__(
        self,
        session: Session | None = None,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] | None = None,
        timer_factory: TimerFactory = precise_timer,
    ) -> None:
        kwargs = {} if clock is None else {"clock": clock}
        super().__init__(session or Session(), parent, timer_factory=timer_factory, **kwargs)
        self._stage: Stage | None = None
        self._stage_tick = 0
        self._staging = False  # the update stage's own step must not end the stages
        self._slow_motion = False

    # -- reading ------------------------------------------------------------
    @property
    def session(self) -> Session:
        """The session shown; views read it, only the adapter changes it."""
        return self._run  # type: ignore[return-value]

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

    # -- the shared adapter's hooks ---------------------------------------------------
    def _other_change(self) -> None:
        if not self._staging:
            self.end_stages()  # any other change shows the tick whole, in the same emission

    def _after_move(self) -> None:
        self.end_stages()

    def _play_stage(self) -> bool:
        if not self._slow_motion:
            return False
        self.advance_stage()
        if self._run.at_end and self._stage in (None, Stage.UPDATE):
            self.pause()
        return True

    def _empty_notice(self) -> str:
        return "One bit: nothing to play yet — add bits on the tape"

    # -- slow motion ----------------------------------------------------------------
    def advance_stage(self) -> bool:
        """Show the next stage of the tick; return False when there is no tick left.

        Without a stage (or after the update) this starts the next tick at
        :attr:`Stage.FORWARD_H`; the stage after :attr:`Stage.GRAD_HH` is the
        update, which steps the session one tick.
        """
        session = self._run
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
        before = self._run.params
        if params is not None and not isinstance(params, LearnerParams):
            raise InputError(f"parameters must be LearnerParams, not {type(params).__name__}")
        after = (params or before).with_changes(**changes) if changes else params or before
        if after != before:
            # Refused here, not in the command: a command that fails inside
            # the stack's push would leave a step that did nothing.
            self._run.check_params(after)
            self.undo_stack.push(_ParamsChange(self, before, after))

    def _apply_params(self, params: LearnerParams) -> None:
        """Install *params* (already valid) and tell the views; undo and redo come here."""
        session = self._run
        before = session.params
        if params == before:
            return
        # Only a new start (weights or h0) recomputes the ticks done.
        moved_start = (params.init, params.h0) != (before.init, before.h0)
        cursor = session.cursor
        if not moved_start or cursor < self.BUSY:
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
        bits = self._run.bits
        index = self._checked_index(index, len(bits))
        self._push(index, bits[index : index + 1], np.array([1 - bits[index]], np.uint8),
                   f"Toggle bit {index + 1}")

    def insert(
        self, index: int, bits: str | Sequence[int] | np.ndarray, *, typing: bool = False
    ) -> None:
        """Insert *bits* (text in the sequence language, or 0/1 values) before bit *index*.

        ``typing=True`` marks a key press: a run of them is undone in one step.
        """
        length = len(self._run.bits)
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
        bits = self._run.bits
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
        old = self._run.bits
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

    def _allowed(self, index: int, *, undoing: bool) -> bool:
        """Whether undo step *index* can be undone (or redone) now; if not, :attr:`notice` says why.

        Only a settings change can be refused: it may need a span beyond
        the session's :data:`~rnnviz.session.MAX_PARAM_SPANS`.
        """
        command = self.undo_stack.command(index)
        if not isinstance(command, _ParamsChange):
            return True
        try:
            self._run.check_params(command.before if undoing else command.after)
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
        check_length(len(self._run.bits) - len(removed) + len(inserted))
        self.undo_stack.push(
            _Splice(self, start, np.asarray(removed), np.asarray(inserted), text, typing)
        )

    def _splice(self, start: int, remove: int, inserted: np.ndarray) -> None:
        session = self._run
        old = session.bits
        new = np.concatenate((old[:start], inserted, old[start + remove :]))
        before_cursor = session.cursor
        # Bit *start* is the first that may differ: tick start − 1 is the first to redo.
        first_tick = max(start - 1, 0)
        if before_cursor - first_tick < self.BUSY:
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
    def load(self, session: Session) -> None:  # type: ignore[override]
        """Show another session (undo history is cleared); see :meth:`RunAdapter.load`."""
        super().load(session)

