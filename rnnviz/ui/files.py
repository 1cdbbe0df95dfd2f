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
from pathlib import Path
from typing import Final

import numpy as np
import platformdirs
from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.io import sessionfile
from rnnviz.io.export import describe_os_error
from rnnviz.engine.generator import DEFAULTS as GENERATOR_DEFAULTS
from rnnviz.io.lessons import Caption, Lesson, LessonProblem, load_lessons
from rnnviz.session import Session
from rnnviz.ui import folders, theme
from rnnviz.ui.adapter import Change, SessionAdapter
from rnnviz.ui.work import run_with_progress

#: How often the session is autosaved while it changes.
AUTOSAVE_PERIOD_MS: Final[int] = 60_000
AUTOSAVE_NAME: Final[str] = "autosave" + sessionfile.SUFFIX
#: Present while a session runs; left behind by a crash.
RUNNING_MARKER: Final[str] = "autosave.running"
MAX_RECENT: Final[int] = 8
#: Environment variable that moves the user data folder (tests, portable installs).
DATA_DIR_VARIABLE: Final[str] = "RNNVIZ_DATA_DIR"
FILE_FILTER: Final[str] = "rnnviz sessions (*.rnnviz.json);;JSON files (*.json);;All files (*)"
#: Stream text longer than this is not put in the stream box (a QLineEdit holds 32767).
MAX_BOX_TEXT: Final[int] = 10_000
_RECENT_KEY: Final[str] = "files/recent"


def data_dir() -> Path:
    """The folder for autosaves: ``$RNNVIZ_DATA_DIR`` if set, else the platform's user data folder."""
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override) if override else Path(platformdirs.user_data_dir("rnnviz", appauthor=False))


def install(window) -> None:
    """Add session files, autosave, recent files and lessons to *window*."""
    window.session_files = SessionFiles(window)


# -- the lesson bar ----------------------------------------------------------------
def caption_on_screen(lesson: Lesson, cursor: int) -> Caption | None:
    """The lesson's caption that describes tick *cursor*, or None.

    A caption describes the tick it is written for, and the ticks up to its
    ``until`` when the lesson declares one (a caption such as "from tick 11
    on the input is 0" that holds for a stretch). Past that the numbers it
    quotes are no longer on screen, so it is not shown: "Tick 15: ho crosses
    zero" must not stay up while the diagram shows tick 17.
    """
    caption = lesson.caption_at(cursor)
    return caption if caption is not None and caption.describes(cursor) else None


def lesson_matches(session: Session, lesson: Lesson) -> bool:
    """Whether *session* runs the lesson's own stream with the lesson's own settings.

    Every stored tick counts: η changed for a few ticks and changed back
    leaves ticks the lesson's numbers no longer describe.
    """
    # The last span holds the current parameters, so this covers them too.
    return np.array_equal(session.bits, lesson.bits) and all(
        span.params == lesson.params for span in session.param_log
    )


class LessonBar(QFrame):
    """A strip above the tape: which lesson, its caption for the current tick, Close.

    A caption shows only while it describes what is on screen: at its own
    tick (or the stretch of ticks the lesson declares for it, see
    :func:`caption_on_screen`), and only while the session is the lesson's
    own stream and settings. Between captions the strip says where the next
    one is; once the stream or the settings differ from the lesson's, it says
    the lesson no longer matches instead of quoting numbers that are not on
    screen.
    """

    #: The Close button was pressed.
    closeRequested = Signal()

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "#lessonBar { background: #fff6e0; border: 1px solid #e0c890; border-radius: 3px; }"
        )
        self._adapter = adapter
        self._lesson: Lesson | None = None
        self._heading = ""
        self._edited = False
        self.heading = QLabel()
        self.heading.setObjectName("lessonHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.caption = QLabel()
        self.caption.setObjectName("lessonCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.compare = QLabel()
        self.compare.setObjectName("lessonCompare")
        self.compare.setWordWrap(True)
        self.compare.setTextFormat(Qt.TextFormat.PlainText)
        self.compare.setStyleSheet("color: #5a4a20;")
        self.close_button = QToolButton()
        self.close_button.setText("Close")
        self.close_button.setToolTip("close the lesson (the session stays as it is)")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.closeRequested)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.heading, 1)
        top.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 3, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        layout.addWidget(self.compare)
        self.hide()
        adapter.changed.connect(self._on_changed)

    @property
    def lesson(self) -> Lesson | None:
        return self._lesson

    def show_lesson(self, lesson: Lesson, number: int, count: int) -> None:
        """Show *lesson*, the *number*-th of *count*, from the caption for the current tick."""
        self._lesson = lesson
        self._heading = f"Lesson {number} of {count}: {lesson.title}"
        run = lesson.free_run()
        if run is None:
            self.compare.hide()
        else:
            g = {**GENERATOR_DEFAULTS, **(lesson.generator or {})}
            shown = run.y[:6].tolist()
            values = "  ".join(theme.fixed(y, 2, signed=True) for y in shown)
            bits = " ".join(str(int(v > 0)) for v in [g["x0"], *shown])
            self.compare.setText(
                f"Built by hand (ih {theme.plain(g['ih'])}, hh {theme.plain(g['hh'])}, ho {theme.plain(g['ho'])}, "
                f"output gain {theme.plain(g['gain'])}, from x = {theme.plain(g['x0'])}, each output fed back "
                f"as the next input):  {values}  …   read above 0 as 1:  {bits} …"
            )
            self.compare.show()
        self.show()
        self._on_changed(int(Change.ALL))

    def clear(self) -> None:
        self._lesson = None
        self.hide()

    def _on_changed(self, flags: int) -> None:
        lesson = self._lesson
        if lesson is None:
            return
        session = self._adapter.session
        heading = self._heading
        # Forgetting stored ticks (Home, an edit) can drop the spans of other
        # settings from the log, and the run is the lesson's own again.
        if flags & (Change.STREAM | Change.PARAMS | Change.HISTORY):
            self._edited = not lesson_matches(session, lesson)
        if self._edited:
            self.heading.setText(heading + "   (no longer matches: the stream or settings changed)")
            self.caption.setText(
                "The stream or the learning settings are no longer the lesson's, so its captions "
                "would not describe what you see. Undo the change, or open the lesson again from "
                "the Lessons menu."
            )
            return
        self.heading.setText(heading)
        cursor = session.cursor
        caption = caption_on_screen(lesson, cursor)
        if caption is not None:
            self.caption.setText(caption.text)
            return
        later = [c.tick for c in lesson.captions if c.tick > cursor]
        self.caption.setText(
            f"(No caption for tick {cursor:,}: the next is at tick {later[0]:,}.)" if later
            else f"(No caption for tick {cursor:,}: the lesson's last is at tick "
            f"{lesson.captions[-1].tick:,}.)"
        )


# -- the controller -------------------------------------------------------------------
class SessionFiles(QObject):
    """The window's file and lesson commands, autosave and crash recovery.

    The attributes ``choose_open_path`` (given the folder to start in),
    ``choose_save_path`` (given the suggested path), ``ask_unsaved``,
    ``ask_restore`` and ``warn`` are the dialogs; tests replace them.
    ``caption_getter``/``caption_setter`` carry a caption in session files;
    by default the presentation mode's caption line (``window.presentation.caption``).
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("sessionFiles")
        self._window = window
        self._adapter: SessionAdapter = window.adapter
        self._settings: QSettings | None = window._settings
        #: The file the session was opened from or saved to.
        self.path: Path | None = None
        self._baseline: tuple[np.ndarray, object] | None = None
        self._autosave_due = False
        self._marked_running = False
        self._shut_down = False
        self._recent_memory: list[str] = []
        self._title_base = window.windowTitle()
        self._title_shown = ""

        self.choose_open_path: Callable[[str], str | None] = self._dialog_open_path
        self.choose_save_path: Callable[[str], str | None] = self._dialog_save_path
        self.ask_unsaved: Callable[[str], str] = self._dialog_unsaved
        self.ask_restore: Callable[[str], bool] = self._dialog_restore
        self.warn: Callable[[str], None] = self._dialog_warn
        #: Runs long work with a progress dialog and Cancel (tests pass a clock to it).
        self.run_work: Callable[..., sessionfile.SessionFile] = run_with_progress
        self.caption_getter: Callable[[], str | None] | None = self._presenter_caption
        self.caption_setter: Callable[[str], None] | None = self._set_presenter_caption

        self.lesson_bar = LessonBar(self._adapter)
        layout = window.centralWidget().layout()
        layout.insertWidget(max(layout.indexOf(window.tape), 0), self.lesson_bar)
        self.lessons: list[Lesson] = []
        self.lesson_problems: list[LessonProblem] = []

        self._build_file_menu()
        self._build_lessons_menu()
        self.lesson_bar.closeRequested.connect(self.close_lesson)

        self._adapter.changed.connect(self._on_changed)
        self._adapter.speedChanged.connect(self._on_speed)
        window.windowTitleChanged.connect(self._on_title)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

        self._timer: QTimer | None = None
        if self._settings is not None:
            self._timer = QTimer(self)
            self._timer.setObjectName("autosaveTimer")
            self._timer.setInterval(AUTOSAVE_PERIOD_MS)
            self._timer.timeout.connect(self.autosave)
        #: True once the window has finished building (settings restored).
        self.started = False
        #: A file to open once the window shows (see :meth:`open_loaded`).
        self._open_at_start: Path | None = None
        # The window restores the last stream and settings after install():
        # what counts as "unchanged", and the crash check, come after that.
        QTimer.singleShot(0, self, self._start)

    # -- menus -------------------------------------------------------------------------
    def _build_file_menu(self) -> None:
        w = self._window
        menu: QMenu = w.menus["file"]
        quit_action = w.actions_by_name["quit"]
        keys = QKeySequence.StandardKey
        open_action = w._action(
            "open", "&Open…", lambda: self.open(), [QKeySequence(keys.Open)], "open a saved session"
        )
        save_action = w._action("save", "&Save", self.save, [QKeySequence(keys.Save)], "save the session")
        save_as_action = w._action(
            "save_as", "Save &As…", lambda: self.save_as(), [QKeySequence("Ctrl+Shift+S")],
            "save the session under a new name",
        )
        self.recent_menu = QMenu("Open &Recent", menu)
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        # Above Quit, below "Open example": Open, Recent, —, Save, Save As, —.
        for action in (open_action, self.recent_menu.menuAction(), None, save_action, save_as_action, None):
            if action is None:
                menu.insertSeparator(quit_action)
            else:
                menu.insertAction(quit_action, action)

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        paths = self.recent_files()
        for number, path in enumerate(paths, 1):
            action = menu.addAction(f"&{number}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not paths:
            menu.addAction("no recent files").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear this list").triggered.connect(self._clear_recent)

    def _build_lessons_menu(self) -> None:
        menu: QMenu = self._window.menus["lessons"]
        try:
            self.lessons, self.lesson_problems = load_lessons()
        except OSError as error:  # a damaged install: no resources folder
            self.lessons, self.lesson_problems = [], [LessonProblem("lessons", str(error))]
        for number, lesson in enumerate(self.lessons, 1):
            action = menu.addAction(f"&{number}  {lesson.title}")
            action.setObjectName(f"lesson:{lesson.key}")
            action.setToolTip(lesson.summary)
            action.setStatusTip(lesson.summary)
            action.triggered.connect(lambda _=False, n=number: self.open_lesson(n))
        for problem in self.lesson_problems:
            action = menu.addAction(f"{problem.name}: {problem.message}")
            action.setEnabled(False)
        menu.addSeparator()
        self.close_lesson_action = menu.addAction("&Close lesson")
        self.close_lesson_action.setEnabled(False)
        self.close_lesson_action.triggered.connect(self.close_lesson)
        if self.lesson_problems:
            self._status(f"{len(self.lesson_problems)} lesson file(s) skipped: {self.lesson_problems[0]}")

    # -- state ----------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        """The stream or the parameters differ from the last save, open or start."""
        if self._baseline is None:
            return False
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

    def _on_speed(self, _speed: int) -> None:
        self._autosave_due = True

    # -- window title: "name.rnnviz.json[*] — <the window's own title>" ----------------------
    def _on_title(self, title: str) -> None:
        if title == self._title_shown:
            return
        self._title_base = title
        self._update_title()

    def _update_title(self) -> None:
        window = self._window
        title = f"{self.path.name}[*] — {self._title_base}" if self.path else self._title_base
        self._title_shown = title
        if window.windowTitle() != title:
            window.setWindowTitle(title)
        window.setWindowModified(self.unsaved)

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
            self._remove_recent(path)
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
        self._install(loaded)
        self.path = path
        self._remember_folder(path)
        self._add_recent(str(path.resolve()))
        self._mark_clean()
        self._status(f"Opened {path.name}: tick {loaded.session.cursor:,} of {loaded.session.n_ticks:,}.")
        return True

    def _load(self, path: Path, title: str) -> sessionfile.SessionFile:
        """Read and replay a session file; past half a second with progress and Cancel.

        A session saved at tick ten million takes a minute to replay: the
        window keeps painting meanwhile, and Cancel raises
        :class:`~rnnviz.engine.errors.Cancelled` with the session shown untouched
        (the replay builds a new one).
        """
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return self.run_work(self._window, title, lambda: sessionfile.load(path))
        finally:
            QApplication.restoreOverrideCursor()

    def _install(self, loaded: sessionfile.SessionFile) -> None:
        """Show a validated session with its speed, stream text, lesson and caption."""
        window = self._window
        if len(loaded.sequence) <= MAX_BOX_TEXT:
            # Before load(): the box then keeps the file's wording (a generator
            # call stays a call) instead of the bits written out.
            window.stream_line.set_text(loaded.sequence)
        self._adapter.load(loaded.session)
        self._adapter.set_speed(loaded.speed)
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
        """Save to the file the session came from, or ask for a name."""
        if self.path is None:
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
            sessionfile.save(path, self._adapter.session, **self._extras())
        except OSError as error:
            message = f"{path.name} was not saved: {describe_os_error(error)}"
            self._status(message)
            self.warn(message)
            return False
        self.path = path
        self._remember_folder(path)
        self._add_recent(str(path.resolve()))
        self._mark_clean()
        self._status(f"Saved {path.name}.")
        return True

    def _extras(self) -> dict:
        lesson = self.lesson_bar.lesson
        caption = self.caption_getter() if self.caption_getter is not None else None
        return {
            "sequence": self._window.stream_line.edit.text(),
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
        if self.path is not None:
            name = self.path.name
        else:
            lesson = self.lesson_bar.lesson
            name = f"{lesson.key}{sessionfile.SUFFIX}" if lesson else f"session{sessionfile.SUFFIX}"
        return Path(self._dialog_folder()) / name

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
        window = self._window
        window.stream_line.set_text(lesson.sequence)
        self._adapter.load(lesson.session())
        self.path = None
        self._show_lesson(number)
        self._mark_clean()
        window.tape.setFocus(Qt.FocusReason.OtherFocusReason)
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
        """The recently opened or saved files, newest first (at most :data:`MAX_RECENT`)."""
        if self._settings is None:
            return list(self._recent_memory)
        value = self._settings.value(_RECENT_KEY, [])
        # QSettings' INI files give a one-item list back as a plain string.
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(item) for item in items if item][:MAX_RECENT]

    def _store_recent(self, paths: list[str]) -> None:
        paths = paths[:MAX_RECENT]
        if self._settings is None:
            self._recent_memory = paths
        elif paths:
            self._settings.setValue(_RECENT_KEY, paths)
        else:
            self._settings.remove(_RECENT_KEY)

    def _add_recent(self, path: str) -> None:
        self._store_recent([path] + [p for p in self.recent_files() if p != path])

    def _remove_recent(self, path: str) -> None:
        self._store_recent([p for p in self.recent_files() if p != path])

    def _clear_recent(self) -> None:
        self._store_recent([])

    def _remember_folder(self, path: Path) -> None:
        folders.remember_folder(self._settings, path)

    # -- autosave and recovery ------------------------------------------------------------------
    @property
    def autosave_path(self) -> Path:
        return data_dir() / AUTOSAVE_NAME

    @property
    def running_marker(self) -> Path:
        return data_dir() / RUNNING_MARKER

    def autosave(self) -> bool:
        """Write the autosave if anything changed since the last write; True if written."""
        if self._settings is None or not self._autosave_due:
            return False
        path = self.autosave_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sessionfile.save(path, self._adapter.session, **self._extras())
            if not self._marked_running:
                self.running_marker.write_text(f"{os.getpid()}\n", encoding="utf-8")
                self._marked_running = True
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
        try:
            self.running_marker.unlink(missing_ok=True)
        except OSError:
            pass
        self._marked_running = False

    def offer_recovery(self) -> bool:
        """After an unclean quit, offer the autosaved session back; True if restored."""
        marker, path = self.running_marker, self.autosave_path
        if not marker.exists():
            return False
        try:
            marker.unlink()
        except OSError:
            pass
        if not path.is_file():
            return False
        try:
            loaded = self._load(path, "Reading the autosaved session")
        except InputError as error:
            self._status(f"The autosaved session could not be restored: {error}")
            return False
        except Cancelled:
            self._status("Reading the autosaved session cancelled: it was not restored.")
            return False
        session = loaded.session
        question = (
            "rnnviz did not quit cleanly last time. Restore the session it saved "
            f"automatically ({len(session.bits):,} bits, at tick {session.cursor:,} of "
            f"{session.n_ticks:,})?"
        )
        if not self.ask_restore(question):
            try:
                path.unlink()
            except OSError:
                pass
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
            kind = event.type()
            if kind == QEvent.Type.Close:
                # Before the window's own closeEvent (which stops the run and
                # saves the settings): on Cancel it never runs, so the window
                # stays exactly as it was.
                if not self._shut_down and not self._may_replace("Quit"):
                    event.ignore()
                    return True
                self.shutdown()
            elif kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                if self._dropped_path(event) is not None:  # type: ignore[arg-type]
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    return True
            elif kind == QEvent.Type.Drop:
                path = self._dropped_path(event)  # type: ignore[arg-type]
                if path is not None:
                    event.acceptProposedAction()  # type: ignore[attr-defined]
                    # After the drop has finished: opening may ask questions,
                    # and a modal dialog inside a drop would hold the drag source.
                    QTimer.singleShot(0, self, lambda: self.open(path))
                    return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _dropped_path(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if len(urls) != 1 or not urls[0].isLocalFile():
            return None
        path = Path(urls[0].toLocalFile())
        return path if path.name.endswith(".json") else None

    # -- the presenter's caption line (installed after this module, if at all) -----------------------
    def _caption_line(self):
        return getattr(getattr(self._window, "presentation", None), "caption", None)

    def _presenter_caption(self) -> str | None:
        line = self._caption_line()
        if line is None:
            return None
        return line.text().strip() or None

    def _set_presenter_caption(self, text: str) -> None:
        line = self._caption_line()
        if line is not None:
            line.setText(text)

    # -- dialogs (replaced in tests) ----------------------------------------------------------------
    def _status(self, message: str) -> None:
        self._window.tell(message, 8000)

    def _dialog_open_path(self, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Open a session", folder, FILE_FILTER)
        return path or None

    def _dialog_save_path(self, suggestion: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self._window, "Save the session", suggestion, FILE_FILTER)
        return path or None

    def _dialog_unsaved(self, what: str) -> str:
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(what)
        name = self.path.name if self.path is not None else "the session"
        box.setText(f"The stream or the learning settings changed since {name} was last saved.")
        box.setInformativeText("Save the changes first? Discard loses them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {
            QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard",
        }.get(QMessageBox.StandardButton(answer), "cancel")

    def _dialog_restore(self, question: str) -> bool:
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restore the last session?")
        box.setText(question)
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(restore)
        box.exec()
        return box.clickedButton() is restore

    def _dialog_warn(self, message: str) -> None:
        QMessageBox.warning(self._window, "rnnviz", message)
