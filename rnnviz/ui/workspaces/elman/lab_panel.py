"""What the lab's panels that compute on demand share: work only when shown.

The workspace shows every panel the run on every change
(``show_lab(run, example_index)``). A panel behind another tab only notes
what it was handed and works it out when it is shown, so training frames do
not pay for forward passes nobody sees. A panel implements :meth:`LabPanel._show`.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from rnnviz.runs.lab import LabRun


class LabPanel(QWidget):
    """A lab panel that works out what to show only while it is visible (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[LabRun, int] | None = None
        self._stale = False

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
