"""The window title while a session file is open: ``name.rnnviz.json[*] — <the window's own title>``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget


class FileTitle:
    """Keeps *window*'s title naming the open file, with ``*`` while it has unsaved changes.

    Parameters
    ----------
    window : QWidget
        The window whose title this writes.
    path : callable
        The file the session came from, or None.
    unsaved : callable
        Whether closing would lose work (what the ``*`` shows).

    Notes
    -----
    The window may set its own title later (it names the speed, a recording
    …): :meth:`on_window_title` takes that as the new base, and ignores the
    titles this class set itself.
    """

    def __init__(self, window: QWidget, path: Callable[[], Path | None],
                 unsaved: Callable[[], bool]) -> None:
        self._window = window
        self._path = path
        self._unsaved = unsaved
        self._base = window.windowTitle()
        self._shown = ""
        window.windowTitleChanged.connect(self.on_window_title)

    def on_window_title(self, title: str) -> None:
        """The window's title changed: a title of the window's own becomes the base."""
        if title == self._shown:
            return
        self._base = title
        self.update()

    def update(self) -> None:
        """Write the title and the ``*`` for the file and its state now."""
        window = self._window
        path = self._path()
        title = f"{path.name}[*] — {self._base}" if path else self._base
        self._shown = title
        if window.windowTitle() != title:
            window.setWindowTitle(title)
        window.setWindowModified(self._unsaved())
