"""Autosave and the crash marker: where they live and how they are written.

The session is written to ``autosave.rnnviz.json`` in the user data folder
(:func:`data_dir`) every minute and on quit, but only when something changed
since the last write. A marker file beside it says a session is running; a
clean quit removes it, so finding it at the next start means rnnviz did not
quit cleanly. :class:`rnnviz.ui.files.SessionFiles` decides when to write
and offers the autosaved session back; this module only knows the files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Final

import platformdirs
from PySide6.QtCore import QObject, QTimer

from rnnviz.io import sessionfile
from rnnviz.session import Session

#: How often the session is autosaved while it changes.
AUTOSAVE_PERIOD_MS: Final[int] = 60_000
AUTOSAVE_NAME: Final[str] = "autosave" + sessionfile.SUFFIX
#: Present while a session runs; left behind by a crash.
RUNNING_MARKER: Final[str] = "autosave.running"
#: Environment variable that moves the user data folder (tests, portable installs).
DATA_DIR_VARIABLE: Final[str] = "RNNVIZ_DATA_DIR"


def data_dir() -> Path:
    """The folder for autosaves: ``$RNNVIZ_DATA_DIR`` if set, else the platform's user data folder."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override) if override else Path(platformdirs.user_data_dir("rnnviz", appauthor=False))


class AutosaveFiles:
    """The autosave file and the running marker beside it.

    The folder is looked up at each use, so ``$RNNVIZ_DATA_DIR`` set after
    the window was built (tests) still counts.
    """

    def __init__(self) -> None:
        self._marked_running = False

    @property
    def path(self) -> Path:
        """The autosaved session file."""
        return data_dir() / AUTOSAVE_NAME

    @property
    def marker(self) -> Path:
        """The marker that says a session is running."""
        return data_dir() / RUNNING_MARKER

    def write(self, session: Session, extras: dict) -> None:
        """Save *session* with *extras* (see :func:`rnnviz.io.sessionfile.save`); mark the run.

        Raises
        ------
        OSError
            When the folder, the file or the marker cannot be written.
        """
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        sessionfile.save(path, session, **extras)
        if not self._marked_running:
            self.marker.write_text(f"{os.getpid()}\n", encoding="utf-8")
            self._marked_running = True

    def mark_clean_quit(self) -> None:
        """Remove the marker: this run ended cleanly (a failure to remove it is left be)."""
        try:
            self.marker.unlink(missing_ok=True)
        except OSError:
            pass
        self._marked_running = False

    def left_by_crash(self) -> bool:
        """Whether the last run did not quit cleanly and left an autosave to offer back.

        The marker is removed either way: the question is asked once.
        """
        marker = self.marker
        if not marker.exists():
            return False
        try:
            marker.unlink()
        except OSError:
            pass
        return self.path.is_file()

    def discard(self) -> None:
        """Delete the autosave the user chose not to restore (a failure to delete is left be)."""
        try:
            self.path.unlink()
        except OSError:
            pass


def autosave_timer(parent: QObject, autosave: Callable[[], object]) -> QTimer:
    """The timer that autosaves every :data:`AUTOSAVE_PERIOD_MS` (started once the window has)."""
    timer = QTimer(parent)
    timer.setObjectName("autosaveTimer")
    timer.setInterval(AUTOSAVE_PERIOD_MS)
    timer.timeout.connect(autosave)
    return timer


def recovery_question(session: Session) -> str:
    """The question that offers the autosaved *session* back after a crash."""
    return (
        "rnnviz did not quit cleanly last time. Restore the session it saved "
        f"automatically ({len(session.bits):,} bits, at tick {session.cursor:,} of "
        f"{session.n_ticks:,})?"
    )
