"""The *Open Recent* list: up to eight files, kept in QSettings (or in memory without them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

MAX_RECENT: Final[int] = 8
RECENT_KEY: Final[str] = "files/recent"


class RecentFiles:
    """The recently opened or saved files, newest first.

    Parameters
    ----------
    settings : QSettings or None
        Where the list is kept; None (screenshots, tests) keeps it in memory
        for the life of the window.
    """

    def __init__(self, settings: QSettings | None) -> None:
        self._settings = settings
        self._memory: list[str] = []

    def items(self) -> list[str]:
        """The files, newest first (at most :data:`MAX_RECENT`)."""
        if self._settings is None:
            return list(self._memory)
        value = self._settings.value(RECENT_KEY, [])
        # QSettings' INI files give a one-item list back as a plain string.
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(item) for item in items if item][:MAX_RECENT]

    def _store(self, paths: list[str]) -> None:
        paths = paths[:MAX_RECENT]
        if self._settings is None:
            self._memory = paths
        elif paths:
            self._settings.setValue(RECENT_KEY, paths)
        else:
            self._settings.remove(RECENT_KEY)

    def add(self, path: str) -> None:
        """Put *path* first, once."""
        self._store([path] + [p for p in self.items() if p != path])

    def remove(self, path: str) -> None:
        """Drop *path* from the list."""
        self._store([p for p in self.items() if p != path])

    def clear(self) -> None:
        """Empty the list."""
        self._store([])

    def make_menu(self, parent: QMenu, open_recent: Callable[[str], object]) -> QMenu:
        """The *Open Recent* submenu of *parent*, filled afresh each time it opens."""
        menu = QMenu("Open &Recent", parent)
        menu.setObjectName("recentMenu")
        menu.aboutToShow.connect(lambda: self.fill_menu(menu, open_recent))
        self.fill_menu(menu, open_recent)
        return menu

    def fill_menu(self, menu: QMenu, open_recent: Callable[[str], object]) -> None:
        """Rebuild *menu*: one numbered entry per file, then *Clear this list*."""
        menu.clear()
        paths = self.items()
        for number, path in enumerate(paths, 1):
            action = menu.addAction(f"&{number}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: open_recent(p))
        if not paths:
            menu.addAction("no recent files").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear this list").triggered.connect(self.clear)
