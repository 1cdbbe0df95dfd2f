"""A session file dropped on the window opens, as File ▸ Open would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QWidget


def dropped_path(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The one local ``.json`` file *event* carries, or None (several files, a URL, other text)."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.name.endswith(".json") else None


class FileDrop(QObject):
    """Accept a session file dragged over *window* and hand it to *open_file* once dropped.

    Parameters
    ----------
    window : QWidget
        The window that accepts drops (it is set to).
    open_file : callable
        Called with the dropped file's path, after the drop has finished.
    """

    def __init__(self, window: QWidget, open_file: Callable[[Path], object]) -> None:
        super().__init__(window)
        self.setObjectName("fileDrop")
        self._window = window
        self._open_file = open_file
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._window:
            kind = event.type()
            if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                if dropped_path(event) is not None:  # type: ignore[arg-type]
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    return True
            elif kind == QEvent.Type.Drop:
                path = dropped_path(event)  # type: ignore[arg-type]
                if path is not None:
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    # After the drop has finished: opening may ask questions,
                    # and a modal dialog inside a drop would hold the drag source.
                    QTimer.singleShot(0, self, lambda: self._open_file(path))
                    return True
        return super().eventFilter(watched, event)
