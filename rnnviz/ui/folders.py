"""The folder file dialogs open in: the last one the user opened, saved or recorded into.

Every dialog that asks for a path (File ▸ Open, Save As, Export, Record,
Render) starts in :func:`last_folder` and, once the user has chosen, calls
:func:`remember_folder`, so one folder is shared by all of them: a teacher who
saved a lesson in ``~/lectures/week3`` finds the next recording dialog there
too. The folder is kept in QSettings under ``files/folder`` (the key File ▸
Open has always used, so a folder remembered by an older rnnviz carries over).

A window without settings (screenshots, benchmarks, tests passing
``settings=None``) keeps nothing in QSettings: :func:`last_folder` gives it the
fallback, and a :class:`FolderMemory` (exports, recordings) the last folder
chosen in that window while it lives.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from PySide6.QtCore import QSettings

#: The QSettings key of the last folder.
FOLDER_KEY: Final[str] = "files/folder"


def last_folder(settings: QSettings | None, fallback: str) -> str:
    """The folder a file dialog should open in.

    Parameters
    ----------
    settings
        Where the folder is remembered; ``None`` remembers nothing.
    fallback
        The folder to use when none was remembered or the remembered one no
        longer exists (it was deleted, or was on a drive that is gone).

    Returns
    -------
    str
        The remembered folder if it is still a folder, else *fallback*.
    """
    if settings is None:
        return fallback
    value = settings.value(FOLDER_KEY, "")
    if isinstance(value, str) and value and os.path.isdir(value):
        return value
    return fallback


def remember_folder(settings: QSettings | None, path: str | os.PathLike[str]) -> None:
    """Remember the folder of *path* for the next file dialog.

    Parameters
    ----------
    settings
        Where to remember it; ``None`` does nothing.
    path
        What the user chose: an existing folder is remembered itself (a
        folder of PNG frames, a folder picked in a dialog); anything else is
        taken as a file, written or about to be, and its parent folder is
        remembered.
    """
    if settings is None:
        return
    chosen = Path(path).expanduser()
    folder = chosen if chosen.is_dir() else chosen.parent
    try:
        folder = folder.resolve()
    except OSError:  # a loop of symlinks: the path as given still names the folder
        folder = Path(os.path.abspath(folder))
    settings.setValue(FOLDER_KEY, str(folder))


class FolderMemory:
    """Where one window's file dialogs open, and the folder each choice leaves for the next.

    :func:`last_folder` of the window's *settings*; a window without settings
    (screenshots, tests) still opens its next dialog where the last one was
    answered, for as long as it lives.

    Parameters
    ----------
    settings
        The window's settings, or ``None``.
    fallback
        The folder before anything was chosen (the home or Videos folder).
    """

    def __init__(self, settings: QSettings | None, fallback: str | os.PathLike[str]) -> None:
        self._settings = settings
        self._fallback = str(fallback)

    @property
    def folder(self) -> str:
        """The folder the next dialog opens in."""
        return last_folder(self._settings, self._fallback)

    def remember(self, folder: str | os.PathLike[str]) -> None:
        """Open the next dialog in *folder*: the one the file just chosen goes in."""
        remember_folder(self._settings, folder)
        self._fallback = str(folder)
