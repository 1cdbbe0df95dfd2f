"""What the lab's panels that compute on demand share: work only when shown, one text scale.

The workspace shows every panel the run on every change
(``show_lab(run, example_index)``). A panel behind another tab only notes
what it was handed and works it out when it is shown, so training frames do
not pay for forward passes nobody sees. A panel implements :meth:`LabPanel._show`.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import QWidget

from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme


class LabPanel(QWidget):
    """A lab panel that works out what to show only while it is visible (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[LabRun, int] | None = None
        self._stale = False
        self._font_scale = 1.0

    def set_font_scale(self, scale: float) -> None:
        """All of the panel's text *scale* times as large, for presentation mode."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self.setFont(QFont() if scale == 1.0 else theme.scaled_font(QFont(), scale))

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def show_lab(self, run: LabRun, example_index: int) -> None:
        """Show example *example_index* of *run* (now if visible, else once shown)."""
        self._shown = (run, example_index)
        self._stale = not self.isVisible()
        if not self._stale:
            self._show(run, example_index)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self._stale and self._shown is not None:
            self._stale = False
            self._show(*self._shown)

    def _show(self, run: LabRun, example_index: int) -> None:
        raise NotImplementedError
