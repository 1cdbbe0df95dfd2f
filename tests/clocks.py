"""Clocks for tests: time that moves only when a test says so, never by waiting.

The code under test takes its clock as a parameter (``run_with_progress(clock=)``,
``SessionAdapter(clock=)``, ``Throttle(clock=)``, ``RecordingController.clock``),
so a test can play seconds of work or of recording in microseconds and still
check what a user would see after those seconds. Play's own timer is
injectable the same way (``SessionAdapter(timer_factory=)``): a
:class:`ManualTimer` fires it period by period.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the clocks themselves need no Qt: engine tests import them too
    from rnnviz.session import Session
    from rnnviz.ui.adapter import SessionAdapter


class SteppingClock:
    """Moves *step* seconds each time it is read: work that seems to take time, without waiting.

    Parameters
    ----------
    step : float
        Seconds added on every reading (the first reading returns *step*).
    """

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


class ManualClock:
    """Stands still until the test moves it (seconds, like ``time.perf_counter``).

    Parameters
    ----------
    now : float
        The reading until the test sets :attr:`now` or calls :meth:`advance_ms`.
    """

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance_ms(self, ms: float) -> None:
        """Move the clock on by *ms* milliseconds."""
        self.now += ms / 1000


class ManualTimer:
    """A play timer that fires only when the test says so, each period moving its clock on.

    Pass the timer itself as ``SessionAdapter(timer_factory=)`` (or to
    ``make_window(timer_factory=)``): the adapter calls it once with the
    callback to run each period. Play is then driven period by period without
    waiting for a real :class:`QTimer`, and :attr:`clock` moves on by one
    period before each one, so a view that judges the pace from a clock (the
    equation panel's ``Throttle``) sees the ticks as far apart as real play
    would space them.

    Parameters
    ----------
    clock : ManualClock, optional
        The time of play (a new :class:`ManualClock` when omitted).

    Attributes
    ----------
    interval : int or None
        The period the adapter last asked for, in milliseconds.
    """

    def __init__(self, clock: ManualClock | None = None) -> None:
        self.clock = clock if clock is not None else ManualClock()
        self.interval: int | None = None
        self.active = False
        self._callback: Callable[[], None] | None = None

    def __call__(self, parent: object, callback: Callable[[], None]) -> ManualTimer:
        """Be the timer of the adapter that asks (the ``timer_factory`` protocol)."""
        assert self._callback is None, "a ManualTimer drives one adapter"
        self._callback = callback
        return self

    def start(self, msec: int) -> None:
        self.interval = msec
        self.active = True

    def stop(self) -> None:
        self.active = False

    def setInterval(self, msec: int) -> None:  # noqa: N802 (QTimer's name)
        self.interval = msec

    def isActive(self) -> bool:  # noqa: N802 (QTimer's name)
        return self.active

    def fire(self, times: int = 1) -> int:
        """Let *times* periods pass (fewer if the timer stops); return how many fired."""
        assert self._callback is not None, "no adapter uses this timer"
        fired = 0
        while fired < times and self.active:
            self.clock.advance_ms(self.interval or 0)
            self._callback()
            fired += 1
        return fired

    def fire_until(self, done: Callable[[], bool], limit: int = 100_000) -> int:
        """Fire until *done()* holds (checked before each period); return how many fired."""
        fired = 0
        while not done():
            assert self.active, f"play stopped after {fired} periods before the condition held"
            assert fired < limit, f"the condition did not hold after {limit} periods"
            fired += self.fire()
        return fired

    def run_out(self, limit: int = 1_000_000) -> int:
        """Fire until the timer stops (at most *limit* times); return how many fired."""
        fired = self.fire(limit)
        assert not self.active, f"still playing after {limit} periods"
        return fired


def manual_adapter(session: Session | None = None) -> tuple[SessionAdapter, ManualTimer]:
    """An adapter on *session* whose play timer is a :class:`ManualTimer`, and that timer.

    The caller stops it (``adapter.shutdown()``) or gives it a parent.
    """
    from rnnviz.ui.adapter import SessionAdapter

    timer = ManualTimer()
    return SessionAdapter(session, timer_factory=timer), timer
