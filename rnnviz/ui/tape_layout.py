"""The tape's geometry that does not depend on the widget: the pad left of bit 1."""

from __future__ import annotations

from typing import Final

#: Empty space left of bit 1, so the caret before it and its "x" label fit.
LEFT_PAD_PX: Final[int] = 6
