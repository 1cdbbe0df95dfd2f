"""A teaching session: a bit stream, a learner, a cursor and the history.

The session is the pure state behind every view; it knows nothing of Qt. A
GUI adapter owns one, calls its methods and tells the views what changed.

Time
----
With *N* bits there are ``N − 1`` ticks: tick *t* reads bit *t* and learns to
predict bit *t + 1*. The cursor counts the ticks done (``0 … N − 1``); the
state the views show is the state after ``cursor`` ticks. :meth:`Session.step`
computes a tick the first time and replays the stored one afterwards, so
stepping back and forth costs nothing and gives bit-identical numbers.

Parameters mid-run
------------------
A change of η, the rule, the activation, the gain or learning on/off applies
from the next tick: the ticks already done stay as they were, any stored
ticks *after* the cursor are forgotten. A change of the initial weights or
``h0`` changes where every tick starts, so the ticks up to the cursor are
recomputed from tick 0 (with the current parameters) and the cursor stays.

So one history can hold ticks computed with different parameters.
:attr:`Session.param_log` records which: a short list of
``(first_tick, params)`` spans, one per change that took effect (not one per
tick), trimmed whenever stored ticks are forgotten. A saved session keeps
the log, and :meth:`Session.replay` rebuilds every stored number bit for bit.
The log holds at most :data:`MAX_PARAM_SPANS` spans, as many as a session
file may hold: a change that would need one more is refused (with a line
saying so) rather than leave a session that could be saved but not opened
again. A change at a tick that already starts a span replaces that span, and
going back drops the spans after the cursor, so the limit only binds a run
whose settings changed at ten thousand different ticks.

Editing rule
------------
Bit *i* is the input of tick *i* and the target of tick *i − 1*, so an edit
at bit *i* (toggle, set, insert, delete, or a replacement whose first
difference is at *i*) keeps every tick before ``i − 1`` exactly as it was and
forgets the rest. If that cuts below the cursor, the ticks from ``i − 1`` up
to the cursor are recomputed at once, with the current parameters, on the
edited stream, so the cursor stays on the same tick (or on the last tick, if
the stream became shorter). An edit after the cursor therefore costs nothing
but forgetting.

Long moves
----------
Moving forward computes ticks in chunks of a few thousand and reports after
each chunk through :mod:`rnnviz.engine.progress`. A listener may raise
:class:`~rnnviz.engine.errors.Cancelled` there; the move then stops on the
last tick computed — the cursor is on it, every stored tick is exact — and
the exception goes on to the caller. So a cancelled recompute after an edit
or a new start keeps the edit (or the parameters) and leaves the cursor where
the recompute stopped; a cancelled :meth:`Session.replay` returns nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final, NamedTuple

import numpy as np

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.engine.history import WEIGHTS, History, Tick
from rnnviz.engine.learner import (
    LearnerParams,
    OnlineLearner,
    Prediction,
    State,
    predicted_bit,
    state_after,
)
from rnnviz.engine.notation import notation
from rnnviz.engine.sequences import MAX_BITS, parse_sequence

#: Parameters whose change moves the starting point of tick 0.
_START_PARAMS: Final[frozenset[str]] = frozenset({"init", "h0"})


def _same_start(a: LearnerParams, b: LearnerParams) -> bool:
    """Whether *a* and *b* start tick 0 from the same point (:data:`_START_PARAMS`)."""
    return all(getattr(a, name) == getattr(b, name) for name in _START_PARAMS)
#: Most spans :attr:`Session.param_log` holds: the most a session file keeps
#: (``rnnviz.io.sessionfile.MAX_PARAM_LOG``), so every session saved opens again.
MAX_PARAM_SPANS: Final[int] = 10_000


#: The stream a session starts with: a streak of 1s that breaks, the seed's lesson.
DEFAULT_STREAM: Final[str] = "1^10 0^10"
#: Play speeds offered, in ticks per second; 0 is "max" (as many ticks per
#: frame as fit). Here, not in the app, so session files are checked the same
#: way by the command line and the window.
SPEEDS: Final[tuple[int, ...]] = (1, 2, 5, 10, 20, 30, 60, 0)


class ParamSpan(NamedTuple):
    """Parameters that computed the ticks from *first_tick* up to the next span."""

    first_tick: int
    params: LearnerParams


def check_length(length: int) -> None:
    """Refuse a stream of *length* bits: empty, or longer than :data:`MAX_BITS`."""
    if length == 0:
        raise InputError("a stream needs at least one bit")
    if length > MAX_BITS:
        raise InputError(f"a stream of {length:,} bits is longer than the limit of {MAX_BITS:,}")


def as_bits(bits: str | Sequence[int] | np.ndarray) -> np.ndarray:
    """A validated, owned ``uint8`` copy of *bits* (text goes through the parser)."""
    if isinstance(bits, str):
        return parse_sequence(bits)
    array = np.asarray(bits)
    if array.ndim != 1:
        raise InputError("a bit stream must be a flat sequence of 0s and 1s")
    if array.size and not np.isin(array, (0, 1)).all():
        bad = int(np.flatnonzero(~np.isin(array, (0, 1)))[0])
        raise InputError(f"bit {bad + 1} is {array[bad]!r}; a stream holds only 0 and 1")
    return array.astype(np.uint8, copy=True)


class Session:
    """One learner on one bit stream, with a cursor and the full history.

    Parameters
    ----------
    bits
        The stream: text in the sequence language (``"1^10 0^10"``) or a
        sequence of 0/1. At least one bit.
    params
        How the network computes and learns (default: the published setting,
        η = 5, sequential rule, sigmoid, zero weights).
    """

    def __init__(
        self,
        bits: str | Sequence[int] | np.ndarray = DEFAULT_STREAM,
        params: LearnerParams | None = None,
    ) -> None:
        self._bits = self._checked(as_bits(bits))
        self._learner = OnlineLearner(params or LearnerParams())
        self._history = History()
        self._cursor = 0
        self._revision = 0
        self._param_log: list[ParamSpan] = [ParamSpan(0, self._learner.params)]

    @classmethod
    def replay(
        cls,
        bits: str | Sequence[int] | np.ndarray,
        param_log: Iterable[tuple[int, LearnerParams]],
        cursor: int = 0,
    ) -> "Session":
        """A session that recomputes a saved history exactly.

        Parameters
        ----------
        bits
            The stream.
        param_log
            ``(first_tick, params)`` pairs as :attr:`param_log` gives them:
            the first at tick 0, ticks rising, none beyond the stream, and
            one set of initial weights and ``h0`` throughout (a change of
            those recomputes from tick 0, so no history mixes two).
        cursor
            Ticks done (``0 … n_ticks``).

        Every tick up to the last span's start is computed with the
        parameters that computed it originally, then the cursor is put back;
        ticks after that are computed with the last parameters, as the
        original session would. The work grows with the ticks and the
        entries, each entry costing the same.
        """
        spans = [ParamSpan(*span) for span in param_log]
        if not spans:
            raise InputError("the parameter log is empty; it needs an entry for tick 0")
        if len(spans) > MAX_PARAM_SPANS:
            raise InputError(
                f"the parameter log has {len(spans):,} entries; a session holds at most "
                f"{MAX_PARAM_SPANS:,} (one per change of the settings)"
            )
        bits = as_bits(bits)
        check_length(bits.size)
        n_ticks = bits.size - 1
        for number, (tick, params) in enumerate(spans, 1):
            if not isinstance(params, LearnerParams):
                raise InputError(f"parameter log entry {number} holds no parameters")
            if isinstance(tick, bool) or not isinstance(tick, (int, np.integer)):
                raise InputError(f"parameter log entry {number}: the tick must be a whole number")
            if number == 1 and tick != 0:
                raise InputError(f"the parameter log must start at tick 0, not {tick}")
            if number > 1 and tick <= spans[number - 2].first_tick:
                raise InputError(
                    f"parameter log entry {number} starts at tick {tick}, "
                    f"not after entry {number - 1} (tick {spans[number - 2].first_tick})"
                )
            if tick > n_ticks:
                raise InputError(
                    f"parameter log entry {number} starts at tick {tick}, "
                    f"beyond the stream's {n_ticks:,} ticks"
                )
            first = spans[0].params
            if not _same_start(params, first):
                raise InputError(
                    f"parameter log entry {number} changes the initial weights or h0; "
                    "only the first entry sets them"
                )
        if isinstance(cursor, bool) or not isinstance(cursor, (int, np.integer)):
            raise InputError(f"the cursor must be a whole number, not {cursor!r}")
        if not 0 <= cursor <= n_ticks:
            raise InputError(f"the cursor {cursor:,} lies outside the stream's 0 … {n_ticks:,} ticks")
        session = cls(bits, spans[0].params)
        # One progress bar for the whole replay: each seek computes from where
        # the last one stopped, so the cursor is the work done so far.
        goal = max(int(cursor), spans[-1].first_tick)
        for tick, params in spans[1:]:
            with progress.part(session.cursor, goal):
                session.seek(tick)
            session.set_params(params)
        with progress.part(session.cursor, goal):
            session.seek(int(cursor))
        return session

    # -- reading ------------------------------------------------------------
    @property
    def bits(self) -> np.ndarray:
        """The stream (read-only view)."""
        view = self._bits.view()
        view.flags.writeable = False
        return view

    @property
    def params(self) -> LearnerParams:
        return self._learner.params

    @property
    def param_log(self) -> tuple[ParamSpan, ...]:
        """Which parameters computed which stored ticks, the current ones last.

        Span *i* covers the ticks from its ``first_tick`` up to the next
        span's; the last span's parameters are :attr:`params`, which also
        compute every tick not yet stored. Never more than
        :data:`MAX_PARAM_SPANS` spans.
        """
        return tuple(self._param_log)

    @property
    def history(self) -> History:
        """Every tick computed so far, possibly beyond the cursor (for replay)."""
        return self._history

    @property
    def cursor(self) -> int:
        """Ticks done: the views show the state after this many ticks."""
        return self._cursor

    @property
    def n_ticks(self) -> int:
        """Ticks the stream allows: one fewer than its bits."""
        return len(self._bits) - 1

    @property
    def at_end(self) -> bool:
        return self._cursor >= self.n_ticks

    @property
    def stored(self) -> int:
        """Ticks computed and kept, perhaps beyond the cursor (the run protocol's name)."""
        return len(self._history)

    @property
    def forgets(self) -> int:
        """Grows by one each time stored ticks are forgotten (see :attr:`History.forgets`)."""
        return self._history.forgets

    def state_at(self, tick: int) -> State:
        """Weights and hidden value after *tick* stored ticks (``0 ≤ tick ≤ stored``)."""
        return state_after(self._history, tick, self.params)

    @property
    def revision(self) -> int:
        """Grows by one with every change of anything a view shows."""
        return self._revision

    @property
    def state(self) -> State:
        """Weights and hidden value after ``cursor`` ticks."""
        return state_after(self._history, self._cursor, self.params)

    def current_tick(self) -> Tick | None:
        """The last tick done (the one that led to :attr:`state`), if any."""
        return self._history.tick(self._cursor - 1) if self._cursor else None

    def prediction(self) -> Prediction:
        """The network's guess for bit ``cursor + 1``, without learning.

        At the end of the stream this is the prediction of the next, unknown
        bit — the "will tomorrow be sunny?" question.
        """
        return self._learner.predict(float(self._bits[self._cursor]), self.state)

    def guess(self) -> tuple[float, int | None]:
        """ŷ for bit ``cursor + 1`` and the bit it stands for (see :func:`predicted_bit`)."""
        yhat = self.prediction().yhat
        return yhat, predicted_bit(yhat)

    def notation(self, weight: str, *, ascii: bool = False) -> str:
        """The +/− notation of *weight* (``"ih"``, ``"hh"`` or ``"ho"``) up to the cursor."""
        if weight not in WEIGHTS:
            raise InputError(f"unknown weight {weight!r}; choose one of {', '.join(WEIGHTS)}")
        initial = self.params.init[WEIGHTS.index(weight)]
        return notation(self._history[weight][: self._cursor], initial, ascii=ascii)

    # -- moving in time -------------------------------------------------------
    def step(self, count: int = 1) -> int:
        """Move forward up to *count* ticks; return how many were taken."""
        target = min(self._cursor + max(int(count), 0), self.n_ticks)
        return self._move_to(target)

    def back(self, count: int = 1) -> int:
        """Move back up to *count* ticks (restoring stored state); return how many."""
        target = max(self._cursor - max(int(count), 0), 0)
        return -self._move_to(target)

    def seek(self, tick: int) -> None:
        """Put the cursor after *tick* ticks (clamped to ``0 … n_ticks``)."""
        self._move_to(min(max(int(tick), 0), self.n_ticks))

    def run_to_end(self) -> int:
        """Do every remaining tick; return how many."""
        return self._move_to(self.n_ticks)

    def reset(self) -> None:
        """Back to tick 0 with the initial weights; the history is forgotten."""
        self._history.clear()
        self._cursor = 0
        self._log_params()
        self._changed()

    def _move_to(self, target: int) -> int:
        moved = target - self._cursor
        if moved == 0:
            return 0
        if target > len(self._history):
            # Room for the whole stream at once: growing by doubling would copy
            # a million stored ticks in the middle of playing (a visible hitch)
            # and leave up to half the columns unused (bench/memory.py).
            # Fresh columns are zero pages the system maps only when written.
            self._history.reserve(self.n_ticks, exact=True)
            start = len(self._history)
            state = state_after(self._history, start, self.params)
            try:
                self._learner.run(self._bits[start : target + 1], state, history=self._history,
                                  on_progress=self._progress_from(start, target))
            except Cancelled:
                # Every tick computed so far is stored whole: stop on the last one.
                self._cursor = len(self._history)
                self._changed()
                raise
        self._cursor = target
        self._changed()
        return moved

    @staticmethod
    def _progress_from(start: int, target: int) -> Callable[[int], None] | None:
        """The learner's per-chunk callback that reports this move to :mod:`progress`."""
        if not progress.listening():
            return None
        total = target - start
        return lambda done: progress.report(done, total)

    # -- parameters -------------------------------------------------------------
    def set_params(self, params: LearnerParams | None = None, **changes) -> None:
        """Replace the parameters (or some of them, by keyword).

        See the module docstring for when a change takes effect.

        Raises
        ------
        InputError
            For an invalid value, or when the change would need a span
            beyond :data:`MAX_PARAM_SPANS` (see :meth:`check_params`);
            nothing changes then.
        """
        if params is not None and not isinstance(params, LearnerParams):
            raise InputError(f"parameters must be LearnerParams, not {type(params).__name__}")
        new = (params or self.params).with_changes(**changes) if changes else params or self.params
        old = self.params
        if new == old:
            return
        self.check_params(new)
        self._learner = OnlineLearner(new)
        if not _same_start(old, new):
            self._recompute_from_tick(0)
        else:
            self._history.truncate(self._cursor)
            self._log_params()
        self._changed()

    def check_params(self, params: LearnerParams) -> None:
        """Raise :class:`InputError` if :meth:`set_params` would refuse *params* for the log's size.

        A change that keeps the start (weights and ``h0``) takes effect at the
        cursor: the spans after it are dropped, and one is added unless the
        span before the cursor already has *params*. A new start recomputes
        from tick 0 with one span, which always fits.
        """
        if not _same_start(self.params, params):
            return
        log, cursor = self._param_log, self._cursor
        # Spans starting before the cursor stay; ticks rise along the log, so
        # the ones at or after the cursor are its tail.
        kept = len(log)
        while kept and log[kept - 1].first_tick >= cursor:
            kept -= 1
        needed = kept + (0 if kept and log[kept - 1].params == params else 1)
        if needed > MAX_PARAM_SPANS:
            raise InputError(
                f"the settings already changed at {MAX_PARAM_SPANS:,} different ticks of this run, "
                "the most a session file keeps; step back or press Home to change them from an "
                "earlier tick"
            )

    # -- editing ------------------------------------------------------------------
    def toggle(self, index: int) -> None:
        """Flip bit *index*."""
        index = self._index(index)
        self.set_bit(index, 1 - int(self._bits[index]))

    def set_bit(self, index: int, value: int) -> None:
        """Set bit *index* to *value* (0 or 1)."""
        index = self._index(index)
        if value not in (0, 1):
            raise InputError(f"a bit is 0 or 1, not {value!r}")
        if self._bits[index] == value:
            return
        bits = self._bits.copy()
        bits[index] = value
        self._apply(bits, index)

    def insert(self, index: int, bits: str | Sequence[int] | np.ndarray) -> None:
        """Insert *bits* before bit *index* (``index = len`` appends; negative counts from the end)."""
        if not -len(self._bits) <= index <= len(self._bits):
            raise InputError(f"cannot insert at position {index} of a {len(self._bits)}-bit stream")
        if index < 0:  # as list.insert: -1 goes before the last bit
            index += len(self._bits)
        new = as_bits(bits)
        if new.size == 0:
            return
        self._apply(np.concatenate((self._bits[:index], new, self._bits[index:])), index)

    def delete(self, index: int, count: int = 1) -> None:
        """Delete *count* bits from bit *index* on (fewer if the stream ends first)."""
        index = self._index(index)
        if count < 0:
            raise InputError(f"cannot delete {count} bits")
        count = min(int(count), len(self._bits) - index)
        if count == 0:
            return
        self._apply(np.concatenate((self._bits[:index], self._bits[index + count :])), index)

    def replace(self, bits: str | Sequence[int] | np.ndarray) -> None:
        """Replace the whole stream; history is kept up to the first difference."""
        new = as_bits(bits)
        common = min(len(new), len(self._bits))
        differs = np.flatnonzero(new[:common] != self._bits[:common])
        first = int(differs[0]) if differs.size else common
        if first == len(new) == len(self._bits):
            return
        self._apply(new, first)

    def _index(self, index: int) -> int:
        if not -len(self._bits) <= index < len(self._bits):
            raise InputError(f"there is no bit {index} in a {len(self._bits)}-bit stream")
        return index % len(self._bits)

    @staticmethod
    def _checked(bits: np.ndarray) -> np.ndarray:
        check_length(bits.size)
        return bits

    def _apply(self, bits: np.ndarray, first_changed_bit: int) -> None:
        """Install edited *bits*; tick ``first_changed_bit − 1`` is the first affected."""
        self._bits = self._checked(bits)
        self._recompute_from_tick(max(first_changed_bit - 1, 0))
        self._changed()

    def _recompute_from_tick(self, tick: int) -> None:
        keep_cursor = min(self._cursor, self.n_ticks)
        self._history.truncate(tick)
        self._log_params()
        self._cursor = min(self._cursor, tick)
        self._move_to(keep_cursor)

    def _log_params(self) -> None:
        """Bring :attr:`param_log` in line after stored ticks were forgotten or params changed."""
        stored = len(self._history)
        log = self._param_log
        # Only spans at the end can start at or after the ticks still stored:
        # dropping them in place keeps a change O(1), where rebuilding the list
        # made replaying a log of n entries cost n² (4,000 entries: a second).
        while log and log[-1].first_tick >= stored:
            log.pop()
        if not log or log[-1].params != self.params:
            log.append(ParamSpan(stored, self.params))

    def _changed(self) -> None:
        self._revision += 1
