"""Slow text that follows a fast stream of changes at a readable pace.

Text (a notation, an equation panel) costs milliseconds to lay out and nobody
reads it sixty times a second. While the session plays, a view asks a
:class:`Throttle` to redraw; the throttle redraws at most once per period and
always once more after the last request, so what stays on screen is exact.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from typing import Final

from PySide6.QtCore import QObject, QTimer

#: While playing, text views refresh at most this often (formatting and
#: laying out text costs more than moving a curve).
TEXT_REFRESH_PERIOD_MS: Final[int] = 200


class Throttle(QObject):
    """Call *redraw* at most once every *period_ms* when asked often.

    :meth:`request` redraws at once if the last redraw is a period old, else
    schedules one for when it will be; :meth:`now` redraws at once (the exact
    state after a pause, an edit, a seek).
    """

    def __init__(self, redraw: Callable[[], None], period_ms: int, parent: QObject, name: str) -> None:
        super().__init__(parent)
        self._redraw = redraw
        self._period_ms = period_ms
        self._last = -math.inf
        self._timer = QTimer(self)
        self._timer.setObjectName(name)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.now)

    def request(self) -> None:
        """Redraw now or, if the last redraw is too recent, once the period is over."""
        waited_ms = (time.perf_counter() - self._last) * 1000
        if waited_ms >= self._period_ms:
            self.now()
        elif not self._timer.isActive():
            self._timer.start(max(1, round(self._period_ms - waited_ms)))

    def now(self) -> None:
        """Redraw at once; a scheduled redraw is dropped."""
        self._timer.stop()
        self._last = time.perf_counter()
        self._redraw()
