"""Slow text that follows a fast stream of changes without ever claiming an older tick.

Text (the equation panel) costs milliseconds to lay out and nobody reads it
sixty times a second. While the session plays, a view asks a
:class:`Throttle` to redraw on every tick. As long as the ticks come at a
readable pace (at most one per :data:`READABLE_INTERVAL_MS`) the throttle
redraws at once, in the same frame as every other panel, so a paused video
or a screenshot never shows two ticks side by side. When they come faster,
the view is told to mark itself as updating — a visible veil, not a silent
lag — and its text is refreshed under the veil every
:data:`TEXT_REFRESH_PERIOD_MS`; :meth:`Throttle.now` (a pause, an edit, a
seek) redraws at once and lifts the veil.

The throttle reads time from a clock it is given (``time.perf_counter`` by
default), so tests can drive it without waiting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QObject, QTimer

#: Ticks closer together than this are too fast to read: play at 20 ticks/s
#: (50 ms apart) is followed tick by tick, 30 ticks/s (33 ms) is not.
READABLE_INTERVAL_MS: Final[float] = 40.0
#: Consecutive too-fast ticks before a view is marked as updating. One early
#: tick (a late timer followed by one on time) is simply redrawn, so a view
#: played at a readable speed never flickers into the updating state.
FAST_TICKS_TO_VEIL: Final[int] = 2
#: While marked as updating, a view's text is refreshed at most this often.
TEXT_REFRESH_PERIOD_MS: Final[int] = 200


class Throttle(QObject):
    """Redraw on every request at a readable pace; above it, mark the view stale.

    Parameters
    ----------
    redraw : callable
        Brings the view up to date (and may be slow).
    period_ms : int
        How often the view is refreshed while it is marked as updating.
    parent : QObject
        The Qt parent; the throttle's timer dies with it.
    name : str
        The timer's object name (tests find timers by name).
    mark_stale : callable, optional
        ``mark_stale(True)`` when the view stops following every tick,
        ``mark_stale(False)`` when it is exact again. It must be cheap: it
        runs on a frame whose text is not redrawn. Without it the view is
        redrawn on every request.
    clock : callable, optional
        Seconds from any fixed start; ``time.perf_counter`` by default.
    """

    def __init__(
        self,
        redraw: Callable[[], None],
        period_ms: int,
        parent: QObject,
        name: str,
        *,
        mark_stale: Callable[[bool], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self._redraw = redraw
        self._period_ms = period_ms
        self._mark_stale = mark_stale
        self._clock = clock
        self._last_redraw = -math.inf
        self._last_request = -math.inf
        self._fast_ticks = 0
        self._stale = False
        self._timer = QTimer(self)
        self._timer.setObjectName(name)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._refresh_under_veil)

    @property
    def stale(self) -> bool:
        """Whether the view is marked as updating (its text may lag behind the tick shown)."""
        return self._stale

    def request(self, ticks: int = 1) -> None:
        """Redraw now at a readable pace; when ticks come faster, mark the view as updating.

        Parameters
        ----------
        ticks : int
            How many ticks the change moved on: at "max" a frame carries
            hundreds, which is never a readable pace however slow the frames.
        """
        t = self._clock()
        fast = (t - self._last_request) * 1000 < READABLE_INTERVAL_MS * max(ticks, 1)
        self._last_request = t
        self._fast_ticks = self._fast_ticks + 1 if fast else 0
        if self._mark_stale is None or self._fast_ticks < FAST_TICKS_TO_VEIL:
            self._exact()
            return
        if not self._stale:
            self._stale = True
            self._mark_stale(True)
        if not self._timer.isActive():
            waited_ms = (t - self._last_redraw) * 1000
            self._timer.start(max(1, round(self._period_ms - waited_ms)))

    def now(self) -> None:
        """Redraw at once and lift the updating mark; a scheduled refresh is dropped.

        For a pause, an edit, a seek: the ticks that follow start counting
        afresh, so play resumed at any speed starts exact.
        """
        self._fast_ticks = 0
        self._exact()

    def _exact(self) -> None:
        self._timer.stop()
        self._last_redraw = self._clock()
        self._redraw()
        if self._stale:
            self._stale = False
            if self._mark_stale is not None:
                self._mark_stale(False)

    def _refresh_under_veil(self) -> None:
        # Still playing fast: the text catches up, the mark stays (the next
        # tick is due before anyone could read this one).
        self._last_redraw = self._clock()
        self._redraw()
