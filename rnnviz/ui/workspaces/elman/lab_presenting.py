"""The lab in presentation mode: the views large, the controls replaced by one line.

In front of a room the lecturer drives the lab by keys (→ one update,
Shift+→ one stage of the backward sweep, Space play/pause), so the
controls' box gives its width to the unrolled network; what the audience
needs of it — the preset and the settings in use, and what the dashed twin
is — is said in one large line above the views (:func:`summary_text`).
The text of the views themselves grows through their ``set_font_scale``,
which presentation mode calls on every view that has one.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QWidget

from rnnviz.present.format import format_number
from rnnviz.present.lab_status import clipping_text
from rnnviz.runs.lab import LabSettings
from rnnviz.ui import theme

#: In presentation mode the unrolled network gets this share of the height, the plots the rest.
UNROLLED_SHARE: Final[float] = 0.52
#: Between the parts of a one-line summary.
SEPARATOR: Final[str] = "   ·   "


def settings_text(settings: LabSettings) -> str:
    """``"η = 0.5 · full BPTT · no clipping"``: how a run trains, in one line."""
    window = "full BPTT" if settings.window is None else f"BPTT truncated at k = {settings.window}"
    return SEPARATOR.join([f"η = {format_number(settings.learning_rate)}", window, clipping_text(settings)])


def summary_text(title: str, settings: LabSettings, twin: str | None) -> str:
    """The one line that stands for the controls in presentation mode.

    *twin* says what the dashed twin run is, None when there is none.
    """
    parts = [title, settings_text(settings)]
    if twin is not None:
        parts.append(f"dashed: {twin}")
    return SEPARATOR.join(parts)


class LabPresenting:
    """Puts the lab's layout into presentation mode and back, exactly.

    *controls* is the box hidden in presentation mode, *split* the splitter
    between the unrolled network and the tabs, *tabs* the tabs whose names
    grow with the text; *summary* is the line shown instead of the controls.
    """

    def __init__(self, controls: QWidget, split: QSplitter, tabs: QTabWidget) -> None:
        self._controls = controls
        self._split = split
        self._tabs = tabs
        self.summary = QLabel()
        self.summary.setObjectName("labSummary")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.active = False
        self._saved: QByteArray | None = None

    def set_presentation(self, on: bool, scale: float) -> None:
        """Enter (True) or leave presentation mode with text *scale* times as large."""
        scale = theme.check_font_scale(scale)
        font = QFont() if not on or scale == 1.0 else theme.scaled_font(QFont(), scale)
        self.summary.setFont(font)
        self._tabs.tabBar().setFont(font)
        if on == self.active:
            return
        self.active = on
        if on:
            self._saved = QByteArray(self._split.saveState())
            self._controls.hide()
            self.summary.show()
            total = max(sum(self._split.sizes()), 2)
            own = round(total * UNROLLED_SHARE)
            self._split.setSizes([own, total - own])
        else:
            self._controls.show()
            self.summary.hide()
            if self._saved is not None:
                self._split.restoreState(self._saved)
            self._saved = None

    def show_summary(self, text: str) -> None:
        """Say *text* in the line (kept while not shown, for the next presentation)."""
        if text != self.summary.text():
            self.summary.setText(text)
