"""Session files, autosave, recent files and lessons, as the window offers them.

:func:`install` adds to the File menu *Open…* (Ctrl+O), *Open Recent* (up to
eight files, kept in QSettings), *Save* (Ctrl+S) and *Save As…*
(Ctrl+Shift+S); fills the Lessons menu, one entry per lesson file; puts a
slim lesson bar above the tape that shows the caption for the current tick;
and accepts a session file dropped on the window.

When the window keeps settings (the real app, not screenshots or tests that
pass ``settings=None``), the session is also written every minute and on quit
to ``autosave.rnnviz.json`` in the user data folder
(``platformdirs.user_data_dir("rnnviz")``, or ``$RNNVIZ_DATA_DIR``), but only
when something changed since the last write. A marker file beside it says a
session is running; a clean quit removes it, so finding it at the next start
means rnnviz did not quit cleanly, and the autosaved session is offered back.

Opening a file or a lesson replaces the whole session (the undo history of
the stream goes with it), and closing the window ends it. When that would
lose work — the session came from a file (opened or saved) and its stream or
parameters changed since — the user is asked first: Save, Discard or Cancel
(Cancel keeps the window open). The window title's ``*`` shows exactly that
state. A session never saved is not asked about: its stream and settings are
kept in the settings for the next start anyway, and a question offering to
save what was never saved only gets in the way of a lesson. Moving the cursor
alone is not a change worth a question.

Every file dialog opens in the folder the user last opened, saved, exported
or recorded into (:mod:`rnnviz.ui.folders`).

Every dialog is an attribute of :class:`SessionFiles` that tests replace.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Final

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.io import sessionfile
from rnnviz.io.export import describe_os_error
from rnnviz.io.lessons import Lesson, LessonProblem, load_lessons
from rnnviz.io.sessionfile import NEURON_MODEL
from rnnviz.ui import file_dialogs, folders
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.autosave import AutosaveFiles, autosave_timer, recovery_question
from rnnviz.ui.filedrop import FileDrop
from rnnviz.ui.filetitle import FileTitle
from rnnviz.ui.lessonbar import LessonBar, fill_lessons_menu
from rnnviz.ui.modelfiles import ModelFiles
from rnnviz.ui.recent import RecentFiles
from rnnviz.ui.work import run_with_progress

__all__ = ["MAX_BOX_TEXT", "SessionFiles", "install"]

#: Stream text longer than this is not put in the stream box (a QLineEdit holds 32767).
MAX_BOX_TEXT: Final[int] = 10_000


def install(window, home) -> "SessionFiles":
    """Add session files, autosave, recent files and lessons to *window* and return them.

    *home* is the one-neuron workspace, whose sessions the lessons and
    autosave are; files of other model kinds go to their own workspaces
    (:mod:`rnnviz.ui.modelfiles`).
    """
    return SessionFiles(window, home)


# -- the controller -------------------------------------------------------------------
class SessionFiles(QObject):
    """The window's file and lesson commands, autosave and crash recovery.

    The attributes ``choose_open_path`` (given the folder to start in),
    ``choose_save_path`` (given the suggested path), ``ask_unsaved``,
    ``ask_restore`` and ``warn`` are the dialogs; tests replace them.
    ``caption_getter``/``caption_setter`` carry a caption in session files;
    by default the window's caption slot (presentation mode's caption line).
    """

    def __init__(self, window, home) -> None:
        super().__init__(window)
        self.setObjectName("sessionFiles")
        self._window = window
        self._home = home
        self._adapter: SessionAdapter = home.adapter
        self._models = ModelFiles(window)
        self._settings: QSettings | None = window.settings
        #: The file the session was opened from or saved to.
        self.path: Path | None = None
        self._baseline: tuple[np.ndarray, object] | None = None
        self._autosave_due = False
        self._autosave_files = AutosaveFiles()
        self._shut_down = False
        self._recent = RecentFiles(self._settings)

        self.choose_open_path: Callable[[str], str | None] = partial(file_dialogs.choose_open_path, window)
        self.choose_save_path: Callable[[str], str | None] = partial(file_dialogs.choose_save_path, window)
        self.ask_unsaved: Callable[[str], str] = lambda what: file_dialogs.ask_unsaved(
            window, what, self.path.name if self.path is not None else "the session")
        self.ask_restore: Callable[[str], bool] = partial(file_dialogs.ask_restore, window)
        self.warn: Callable[[str], None] = partial(file_dialogs.warn, window)
        #: Runs long work with a progress dialog and Cancel (tests pass a clock to it).
        self.run_work: Callable[..., sessionfile.SessionFile] = run_with_progress
        self.caption_getter: Callable[[], str | None] | None = window.caption_slot.text
        self.caption_setter: Callable[[str], None] | None = window.caption_slot.set_text

        self.lesson_bar = LessonBar(self._adapter)
        layout = home.widget.layout()
        layout.insertWidget(max(layout.indexOf(home.tape), 0), self.lesson_bar)
        self.lessons: list[Lesson] = []
        self.lesson_problems: list[LessonProblem] = []

        self.recent_menu = _build_file_menu(window, self)
        self._build_lessons_menu()
        self.lesson_bar.closeRequested.connect(self.close_lesson)

        self._adapter.changed.connect(self._on_changed)
        self._adapter.speedChanged.connect(self._on_speed)
        window.kindChanged.connect(self._follow_kind)
        self._title = FileTitle(window, lambda: self.path, lambda: self.unsaved)
        self.file_drop = FileDrop(window, lambda path: self.open(path))
        window.installEventFilter(self)

        self._timer = None if self._settings is None else autosave_timer(self, self.autosave)
        #: True once the window has finished building (settings restored).
        self.started = False
        #: A file to open once the window shows (see :meth:`open_loaded`).
        self._open_at_start: Path | None = None
        # The window restores the last stream and settings after install():
        # what counts as "unchanged", and the crash check, come after that.
        QTimer.singleShot(0, self, self._start)

    # -- menus -------------------------------------------------------------------------
    def _fill_recent_menu(self) -> None:
        self._recent.fill_menu(self.recent_menu, self.open_recent)

    def _build_lessons_menu(self) -> None:
        try:
            self.lessons, self.lesson_problems = load_lessons()
        except OSError as error:  # a damaged install: no resources folder
            self.lessons, self.lesson_problems = [], [LessonProblem("lessons", str(error))]
        self.close_lesson_action = fill_lessons_menu(self._window.menu("lessons"), self.lessons,
                                                     self.lesson_problems, self.open_lesson)
        self.close_lesson_action.triggered.connect(self.close_lesson)
        if self.lesson_problems:
            self._status(f"{len(self.lesson_problems)} lesson file(s) skipped: {self.lesson_problems[0]}")

    # -- state ----------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        """The stream or the parameters differ from the last save, open or start
        (for a file of another model kind: its run's document differs)."""
        if self._models.kind or self._baseline is None:
            return self._models.modified
        bits, params = self._baseline
        session = self._adapter.session
        return session.params != params or not np.array_equal(session.bits, bits)

    @property
    def unsaved(self) -> bool:
        """Closing or replacing the session would lose work: it came from a file and was changed.

        This is what the title's ``*`` shows, and the only case that asks first.
        """
        return self.path is not None and self.modified

    def _mark_clean(self) -> None:
        session = self._adapter.session
        self._baseline = (np.array(session.bits), session.params)
        self._models.mark_clean()
        self._update_title()

    def _start(self) -> None:
        if self._shut_down:  # closed before the event loop ran (scripts, tests)
            return
        self.started = True
        self._mark_clean()
        path, self._open_at_start = self._open_at_start, None
        if path is not None:
            # The window is on screen now: the replay shows its progress over it.
            self._open_path(path)
        if self._timer is not None:
            self._timer.start()
            self.offer_recovery()

    def _on_changed(self, flags: int) -> None:
        self._autosave_due = True
        if flags & (Change.STREAM | Change.PARAMS):
            self._update_title()

    def _follow_kind(self, key: str) -> None:
        """A file of another kind shows its ``*`` as soon as its run changes."""
        adapter = self._window.workspace_of(key).adapter
        if adapter is not self._adapter and key not in self._models.followed:
            self._models.followed.add(key)
            adapter.changed.connect(self._update_title)

    def _on_speed(self, _speed: int) -> None:
        self._autosave_due = True

    def _update_title(self) -> None:
        self._title.update()

    # -- opening ---------------------------------------------------------------------------
    def open(self, path: str | os.PathLike[str] | None = None) -> bool:
        """Open the session file at *path* (asking for one when omitted).

        A file that is missing or not a valid session file gives a message
        naming the problem, and the session shown stays as it was.
        """
        if path is None:
            chosen = self.choose_open_path(self._dialog_folder())
            if not chosen:
                return False
            # Remembered even if the file is refused: the next Open starts
            # where the user was looking, to pick another file there.
            folders.remember_folder(self._settings, chosen)
            path = chosen
        return self._open_path(Path(path))

    def open_recent(self, path: str) -> bool:
        """Open a file from the recent list; a file that is gone is dropped from it."""
        if not Path(path).is_file():
            self._recent.remove(path)
            self._status(f"{Path(path).name} no longer exists; it was removed from the recent files.")
            return False
        return self.open(path)

    def _open_path(self, path: Path) -> bool:
        try:
            loaded = self._load(path, f"Opening {path.name}")
        except InputError as error:
            self._refuse(path, str(error))
            return False
        except Cancelled:
            self._status(f"Opening {path.name} cancelled: nothing changed.")
            return False
        return self.open_loaded(path, loaded)

    def open_loaded(self, path: str | os.PathLike[str], loaded: sessionfile.SessionFile | None) -> bool:
        """Show the session file *loaded* from *path* (already read and checked).

        *loaded* None means the file was checked but its replay was left to
        the window (``rnnviz gui FILE`` with a cursor far in): before the
        window has started, it is opened as soon as the window shows, as
        File ▸ Open would, with progress and Cancel; afterwards at once. The
        return value then says whether it was opened, or for a window not
        started yet True.
        """
        path = Path(path)
        if loaded is None:
            if not self.started:
                self._open_at_start = path
                return True
            return self._open_path(path)
        if not self._may_replace(f"Open {path.name}"):
            return False
        if isinstance(loaded, sessionfile.ModelFile):
            try:
                self._models.open(loaded, self.caption_setter)
            except InputError as error:
                self._refuse(path, str(error))
                return False
            self._finish_open(path, f"Opened {path.name}.")
            return True
        self._window.show_kind(NEURON_MODEL)
        self._models.forget()
        self._install(loaded)
        self._finish_open(path, f"Opened {path.name}: tick {loaded.session.cursor:,} of {loaded.session.n_ticks:,}.")
        return True

    def _finish_open(self, path: Path, message: str) -> None:
        """The session is *path*'s now (opened or saved): remember it and say *message*."""
        self.path = path
        folders.remember_folder(self._settings, path)
        self._recent.add(str(path.resolve()))
        self._mark_clean()
        self._status(message)

    def _load(self, path: Path, title: str, read=sessionfile.load_any):
        """Read and replay a session file (see :func:`load_with_progress`)."""
        return load_with_progress(self.run_work, self._window, title, lambda: read(path))

    def _install(self, loaded: sessionfile.SessionFile) -> None:
        """Show a validated session with its speed, stream text, lesson and caption."""
        self._home.show_loaded(loaded, MAX_BOX_TEXT)
        self.lesson_bar.clear()
        self.close_lesson_action.setEnabled(False)
        if loaded.lesson:
            for number, lesson in enumerate(self.lessons, 1):
                if lesson.key == loaded.lesson:
                    self._show_lesson(number)
        if loaded.caption and self.caption_setter is not None:
            self.caption_setter(loaded.caption)

    def _refuse(self, path: Path, problem: str) -> None:
        message = f"{path.name} was not opened: {problem}"
        self._status(message)
        self.warn(message)

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the file the session came from, or ask for a name (also for
        another model kind's session than the file's)."""
        if self.path is None or self._models.kind != self._models.shown_kind():
            return self.save_as()
        return self._write(self.path)

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        """Save under a new name (asked for when omitted); ``.rnnviz.json`` is added if missing."""
        if path is None:
            suggestion = self._suggested_path()
            chosen = self.choose_save_path(str(suggestion))
            if not chosen:
                return False
            folders.remember_folder(self._settings, chosen)
            path = chosen
        path = Path(path)
        if not path.name.endswith(".json"):
            path = path.with_name(path.name + sessionfile.SUFFIX)
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            if self._window.kind_key == NEURON_MODEL:
                sessionfile.save(path, self._adapter.session, **self._extras())
                self._models.forget()
            else:
                caption = self.caption_getter() if self.caption_getter is not None else None
                self._models.save(path, caption)
        except OSError as error:
            message = f"{path.name} was not saved: {describe_os_error(error)}"
            self._status(message)
            self.warn(message)
            return False
        self._finish_open(path, f"Saved {path.name}.")
        return True

    def _extras(self) -> dict:
        lesson = self.lesson_bar.lesson
        caption = self.caption_getter() if self.caption_getter is not None else None
        return {
            "sequence": self._home.stream_line.edit.text(),
            "speed": self._adapter.speed,
            "lesson": lesson.key if lesson else None,
            "caption": caption or None,
        }

    def _dialog_folder(self) -> str:
        """Where a file dialog opens: the last folder opened, saved or recorded into."""
        fallback = self.path.parent if self.path is not None else Path.home()
        return folders.last_folder(self._settings, str(fallback))

    def _suggested_path(self) -> Path:
        """Save As's suggestion: the file's own name (or the lesson's), in the last folder used."""
        lesson = self.lesson_bar.lesson
        return file_dialogs.suggested_save_path(self._dialog_folder(), self.path, lesson.key if lesson else None)

    def _may_replace(self, what: str) -> bool:
        """Ask before the session is replaced or closed with unsaved changes; False to stop."""
        if not self.unsaved:
            return True
        answer = self.ask_unsaved(what)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # -- lessons -------------------------------------------------------------------------------
    def open_lesson(self, number: int) -> bool:
        """Load lesson *number* (1-based): its stream and settings, at tick 0, with its captions."""
        lesson = self.lessons[number - 1]
        if not self._may_replace(f"Open lesson {number}"):
            return False
        self._window.show_kind(NEURON_MODEL)
        self._home.stream_line.set_text(lesson.sequence)
        self._adapter.load(lesson.session())
        self.path = None
        self._show_lesson(number)
        self._mark_clean()
        self._home.tape.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _show_lesson(self, number: int) -> None:
        self.lesson_bar.show_lesson(self.lessons[number - 1], number, len(self.lessons))
        self.close_lesson_action.setEnabled(True)
        self._autosave_due = True

    def close_lesson(self) -> None:
        """Hide the lesson bar; the session stays as it is."""
        self.lesson_bar.clear()
        self.close_lesson_action.setEnabled(False)
        self._autosave_due = True

    # -- recent files ---------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        """The recently opened or saved files, newest first (at most :data:`rnnviz.ui.recent.MAX_RECENT`)."""
        return self._recent.items()

    # -- autosave and recovery ------------------------------------------------------------------
    @property
    def autosave_path(self) -> Path:
        return self._autosave_files.path

    @property
    def running_marker(self) -> Path:
        return self._autosave_files.marker

    def autosave(self) -> bool:
        """Write the autosave if anything changed since the last write; True if written."""
        if self._settings is None or not self._autosave_due:
            return False
        try:
            self._autosave_files.write(self._adapter.session, self._extras())
        except OSError as error:
            # Once per failure is enough: the next change tries again.
            self._status(f"Autosave failed: {describe_os_error(error)}")
            return False
        self._autosave_due = False
        return True

    def shutdown(self) -> None:
        """On quit: stop the timer, write a last autosave if needed and mark the quit clean."""
        self._shut_down = True
        if self._timer is not None:
            self._timer.stop()
        if self._settings is None:
            return
        self.autosave()
        self._autosave_files.mark_clean_quit()

    def offer_recovery(self) -> bool:
        """After an unclean quit, offer the autosaved session back; True if restored."""
        if not self._autosave_files.left_by_crash():
            return False
        try:
            loaded = self._load(self.autosave_path, "Reading the autosaved session", sessionfile.load)
        except InputError as error:
            self._status(f"The autosaved session could not be restored: {error}")
            return False
        except Cancelled:
            self._status("Reading the autosaved session cancelled: it was not restored.")
            return False
        if not self.ask_restore(recovery_question(loaded.session)):
            self._autosave_files.discard()
            return False
        self._install(loaded)
        self.path = None
        self._update_title()
        self._autosave_due = True
        self._status("Restored the autosaved session.")
        return True

    # -- events ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._window:
            if event.type() == QEvent.Type.Close:
                # Before the window's own closeEvent (which stops the run and
                # saves the settings): on Cancel it never runs, so the window
                # stays exactly as it was.
                if not self._shut_down and not self._may_replace("Quit"):
                    event.ignore()
                    return True
                self.shutdown()
        return super().eventFilter(watched, event)

    # -- dialogs (replaced in tests) ----------------------------------------------------------------
    def _status(self, message: str) -> None:
        self._window.tell(message, 8000)


def load_with_progress(run_work, parent, title: str, read):
    """Read and replay a session file with *read*; past half a second with progress and Cancel.

    A session saved at tick ten million takes a minute to replay: the
    window keeps painting meanwhile, and Cancel raises
    :class:`~rnnviz.engine.errors.Cancelled` with the session shown untouched
    (the replay builds a new one).
    """
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return run_work(parent, title, read)
    finally:
        QApplication.restoreOverrideCursor()


def _build_file_menu(w, files: SessionFiles) -> QMenu:
    """Add Open, Open Recent, Save and Save As to *w*'s File menu, above Quit; return Open Recent."""
    menu: QMenu = w.menu("file")
    quit_action = w.action("quit")
    keys = QKeySequence.StandardKey
    open_action = w.add_action(
        "open", "&Open…", lambda: files.open(), [QKeySequence(keys.Open)], "open a saved session"
    )
    save_action = w.add_action("save", "&Save", files.save, [QKeySequence(keys.Save)], "save the session")
    save_as_action = w.add_action(
        "save_as", "Save &As…", lambda: files.save_as(), [QKeySequence("Ctrl+Shift+S")],
        "save the session under a new name",
    )
    recent_menu = files._recent.make_menu(menu, lambda path: files.open_recent(path))
    # Above Quit, below "Open example": Open, Recent, —, Save, Save As, —.
    for action in (open_action, recent_menu.menuAction(), None, save_action, save_as_action, None):
        if action is None:
            menu.insertSeparator(quit_action)
        else:
            menu.insertAction(quit_action, action)
    return recent_menu
