"""Clocks for tests: time that moves only when a test says so, never by waiting.

The code under test takes its clock as a parameter (``run_with_progress(clock=)``,
``SessionAdapter(clock=)``, ``Throttle(clock=)``, ``RecordingController.clock``),
so a test can play seconds of work or of recording in microseconds and still
check what a user would see after those seconds.
"""

from __future__ import annotations


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
