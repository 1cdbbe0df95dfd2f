"""The main window: a shell around one model kind's workspace at a time.

The window holds the menu bar, the transport toolbar and the status line,
and shows one workspace (:mod:`rnnviz.ui.workspaces`): at first the first
registered kind's (the one-neuron learner's), or the kind of the adapter it
was given; the *Model* menu switches to another kind (it is shown once more
than one kind is registered), and each kind keeps its run while another is
shown. The transport actions (Play, Step, Back, Home, End, speed, Undo)
drive the shown workspace's adapter. The window's features — session
files, presentation mode, recording — and the workspaces reach the window
only through its :class:`~rnnviz.ui.services.WindowServices` methods
(:meth:`MainWindow.add_action`, :meth:`MainWindow.menu`, :meth:`MainWindow.tell`,
:attr:`MainWindow.settings` …). It adds no logic of its own: every action is
one adapter or workspace call. Geometry and the last settings are kept in
QSettings.

At every start the window fits the screen it opens on (its free area, with
room for the window manager's title bar): the default size and a
remembered one alike, so the status line and the last settings row are never
below the screen edge on a small or scaled display.

Closing the window while long work runs (:mod:`rnnviz.ui.work`: End on a
long stream, an edit's recompute, opening a file far in) first stops the
work, as its Cancel does, and closes once it has ended: nothing is saved or
torn down in the middle of a move. Ctrl+Q, the close button and the window
manager all come this way.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

import shiboken6
from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QWidget,
)

from rnnviz import __version__
from rnnviz.session import SPEEDS, Session
from rnnviz.ui import offscreen, presentation, recording, shell, shipped_kinds, theme, work, workspaces  # noqa: F401 (shipped_kinds registers them)
from rnnviz.ui.runadapter import DEFAULT_SPEED, Change, RunAdapter
from rnnviz.ui.services import SETTINGS_VERSION, ActionSpec, CaptionSlot
from rnnviz.ui.workspaces import ModelKind, Workspace

#: The window's size when it first opens and after a layout reset, and the
#: default of ``rnnviz screenshot`` (``SCREENSHOT_SIZE_TEXT`` in
#: commands/gui.py, which may not import Qt to read it): 80 pixels taller than
#: a rendered video's 16:9 frame (``rnnviz.io.video.DEFAULT_VIDEO_SIZE``),
#: which a window has room for and which spares the settings a scroll bar.
DEFAULT_WINDOW_SIZE: Final[tuple[int, int]] = (1280, 800)
#: How long a notice from the adapter ("at the end: …") stays in the status bar.
NOTICE_MS: Final[int] = 5000


class MainWindow(QMainWindow):
    """The rnnviz desktop window (see the module docstring).

    Parameters
    ----------
    adapter
        The run to show first; its kind's workspace is the one shown. By
        default the first registered kind's on a new run (the one-neuron
        learner on :data:`~rnnviz.session.DEFAULT_STREAM`).
    settings
        Where geometry and the last settings persist. ``None`` (screenshots,
        benchmarks, tests) neither reads nor writes any settings.
    restore_settings
        Read the saved learning settings and stream at start. The command line
        turns this off when it gives its own stream or options.
    stream_text
        The text the adapter's stream was made from (``"random(100, 0.3)"``),
        shown in the stream box as written.
    fit_screen
        Fit the window to the screen at start (:meth:`fit_to_screen`). ``None``
        fits on a real display, not offscreen (screenshots, recordings and
        tests size their windows themselves).
    """

    #: The model kind shown changed (its key).
    kindChanged = Signal(str)

    def __init__(
        self,
        adapter: RunAdapter | None = None,
        *,
        settings: QSettings | None = None,
        restore_settings: bool = True,
        stream_text: str | None = None,
        fit_screen: bool | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._caption_slot = CaptionSlot()
        self.setWindowTitle("rnnviz")
        self.setWindowIcon(theme.app_icon())
        self.setObjectName("rnnvizMainWindow")
        self.stack = QStackedWidget()
        self.stack.setObjectName("workspaces")
        self.setCentralWidget(self.stack)
        self.status = QLabel()
        self.status.setObjectName("tickStatus")
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().setSizeGripEnabled(False)

        self.actions_by_name: dict[str, QAction] = {}
        #: The menus by name ("file", "edit", "model", "run", "view", "lessons", "help", and the kinds').
        self.menus: dict[str, QMenu] = {}
        self._workspaces: dict[str, Workspace] = {}
        self._kind_parts: dict[str, list[QAction]] = {}  # each kind's actions, menus and tool widgets
        self._kind_key = ""
        shell.add_shell_actions(self)
        self.toolbar = shell.build_menus_and_toolbar(self)

        # The window always holds the first kind's workspace: the session
        # files, lessons and autosave are the one-neuron learner's.
        first = workspaces.kinds()[0]
        shown = first if adapter is None else workspaces.kind_for_run(adapter.run)
        home = self._add_workspace(first, adapter if shown is first else None, stream_text)
        for name, part in home.parts.items():
            setattr(self, name, part)  # the first workspace's views and features, by name
        self.adapter: RunAdapter = home.adapter
        self.show_kind(first.key)
        # The window's own features. Presentation comes after the views it
        # enlarges; recording last, so it films everything.
        presentation.install(self)
        recording.install(self)
        if shown is not first:
            self._add_workspace(shown, adapter, None)
            self.show_kind(shown.key)
        # Last installed, so it sees a close before every filter above
        # (which save the session, stop a recording, leave presentation).
        self._close_pending = False
        self.installEventFilter(self)

        self.resize(*DEFAULT_WINDOW_SIZE)
        if settings is not None:
            self._restore_geometry()
            if restore_settings:
                for workspace in self._workspaces.values():
                    workspace.restore_settings(settings)
        if fit_screen is None:
            fit_screen = QGuiApplication.platformName() not in ("offscreen", "minimal")
        self._fit_screen = fit_screen
        if fit_screen:
            self.fit_to_screen()
        self._on_changed(int(Change.ALL))
        self._on_playing()
        self._update_undo()
        # Typing 0/1 edits the tape from the start; the window's keys work there too.
        self.workspace.focus_home().setFocus(Qt.FocusReason.OtherFocusReason)

    # -- window services ------------------------------------------------------------
    @property
    def settings(self) -> QSettings | None:
        """Where the window keeps its settings (None: nothing is kept)."""
        return self._settings

    @property
    def caption_slot(self) -> CaptionSlot:
        return self._caption_slot

    def add_action(
        self, name: str, text: str, slot: Callable[[], object],
        keys: list[QKeySequence] | None = None, tip: str = "",
    ) -> QAction:
        """A new action called *name*; its keys work even with the menu bar hidden."""
        action = QAction(text, self)
        action.setObjectName(name)
        # A key given twice (a standard key that is also spelled out) makes
        # Qt call the shortcut ambiguous and do nothing; an empty one is noise.
        keys = list({k.toString(): k for k in keys or [] if not k.isEmpty()}.values())
        if keys:
            action.setShortcuts(keys)
            shown = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys[:2])
            tip = f"{tip} ({shown})" if tip else shown
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        self.actions_by_name[name] = action
        return action

    def action(self, name: str) -> QAction:
        return self.actions_by_name[name]

    def menu(self, name: str) -> QMenu:
        return self.menus[name]

    def add_menu(self, name: str, menu: QMenu) -> None:
        self.menus[name] = menu

    def widget(self) -> QWidget:
        return self

    # -- workspaces ---------------------------------------------------------------------
    @property
    def workspace(self) -> Workspace:
        """The workspace shown."""
        return self._workspaces[self._kind_key]

    @property
    def kind_key(self) -> str:
        """The key of the model kind shown (``"neuron"``)."""
        return self._kind_key

    def workspace_of(self, key: str) -> Workspace:
        """The workspace of the kind *key*, made now if it was never shown."""
        if key not in self._workspaces:
            self._add_workspace(workspaces.kind(key), None, None)
        return self._workspaces[key]

    def _add_workspace(self, kind: ModelKind, adapter: RunAdapter | None, stream_text: str | None) -> Workspace:
        parts: list[QAction] = []
        for spec in kind.menus:
            if spec.parent:
                parent = self.menus[spec.parent]
                first = parent.actions()[0] if parent.actions() else None
                menu = QMenu(spec.title, parent)
                parent.insertMenu(first, menu)
                if first is not None:
                    parent.insertSeparator(first)
            else:
                menu = QMenu(spec.title, self)
                before = self.menus.get(spec.before)
                self.menuBar().insertMenu(before.menuAction() if before else None, menu)
            self.menus[spec.name] = menu
            parts.append(menu.menuAction())
        for spec in kind.actions:  # before the build, which may place actions after them
            action = self.add_action(spec.name, spec.text, partial(self._run_spec, kind.key, spec),
                                     shell.keys(*spec.keys), spec.tip)
            if spec.menu:
                self.menus[spec.menu].addAction(action)
            parts.append(action)
        # Whatever the workspace adds while it is built (its features' actions
        # and menus) is its own too: shown and enabled only while it is shown.
        before = set(self.actions_by_name.values()) | {m.menuAction() for m in self.menus.values()}
        workspace = kind.build(self, adapter, stream_text)
        added = set(self.actions_by_name.values()) | {m.menuAction() for m in self.menus.values()}
        parts.extend(added - before)
        for tool in workspace.toolbar_widgets:
            parts.append(self.toolbar.addWidget(tool))
        self._kind_parts[kind.key] = parts
        self._workspaces[kind.key] = workspace
        self.stack.addWidget(workspace.widget)
        a = workspace.adapter
        a.changed.connect(self._on_changed)
        a.playingChanged.connect(self._on_playing)
        # Bound methods, not lambdas: Qt drops a connection to a method of a
        # destroyed window before it destroys the window's children, whose
        # last signals would otherwise reach a half-deleted window.
        a.undo_stack.canUndoChanged.connect(self._update_undo)
        a.undo_stack.canRedoChanged.connect(self._update_undo)
        a.undo_stack.indexChanged.connect(self._update_undo)
        a.notice.connect(self._on_notice)
        self._fill_model_menu()
        if self._kind_key:
            self._show_parts()
        return workspace

    def _run_spec(self, key: str, spec: ActionSpec) -> None:
        spec.slot(self._workspaces[key])

    def show_kind(self, key: str) -> None:
        """Show the workspace of the model kind *key* (made the first time); the other pauses."""
        if key == self._kind_key:
            return
        workspace = self.workspace_of(key)
        if self._kind_key:
            self.workspace.adapter.pause()
        self._kind_key = key
        self.adapter = workspace.adapter
        self._show_parts()
        self.stack.setCurrentWidget(workspace.widget)
        for kind_key, action in self._model_actions().items():
            action.setChecked(kind_key == key)
        self.setWindowTitle(workspace.title())
        self._on_changed(int(Change.ALL))
        self._on_playing()
        self._update_undo()
        # The keyboard goes to the shown workspace's home view: left where Qt put it (the
        # first field, say the race's seed box), Space would be typed there, not play.
        workspace.focus_home().setFocus(Qt.FocusReason.OtherFocusReason)
        self.kindChanged.emit(key)

    def _show_parts(self) -> None:
        """Each kind's actions, menus and tool widgets shown and enabled only while it is shown."""
        for kind_key, parts in self._kind_parts.items():
            for part in parts:
                part.setVisible(kind_key == self._kind_key)
                part.setEnabled(kind_key == self._kind_key)

    def _model_actions(self) -> dict[str, QAction]:
        return {a.data(): a for a in self.menus["model"].actions()}

    def _fill_model_menu(self) -> None:
        """One checkable entry per registered kind; the menu shows once there is a choice."""
        menu = self.menus["model"]
        have = self._model_actions()
        for kind in workspaces.kinds():
            if kind.key in have:
                continue
            action = menu.addAction(kind.title)
            action.setData(kind.key)
            action.setCheckable(True)
            action.setChecked(kind.key == self._kind_key)
            action.setStatusTip(kind.about)
            action.triggered.connect(partial(self.show_kind, kind.key))
        menu.menuAction().setVisible(len(workspaces.kinds()) > 1)

    # -- actions ------------------------------------------------------------
    # -- user commands --------------------------------------------------------
    def tell(self, text: str, ms: int = 6000) -> None:
        """Say *text* in the status bar for *ms* milliseconds, or under the tape
        when the status bar is hidden (presentation mode)."""
        self.statusBar().showMessage(text, ms)
        if self.statusBar().isHidden():
            self.workspace.show_message(text)

    def _on_notice(self, text: str) -> None:
        self.tell(text, NOTICE_MS)

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Shrink the window to fit *area* (by default its screen's free area); see :func:`shell.fit_to_screen`."""
        shell.fit_to_screen(self, area)

    def open_stream(self, text: str, what: str = "Replace stream") -> bool:
        """Use the stream *text* in the first workspace (the one-neuron learner's); see its open_stream."""
        return self.workspace_of(workspaces.kinds()[0].key).open_stream(text, what)

    def restore_defaults(self) -> None:
        """The shown workspace's settings, the speed and the window layout back to the defaults.

        The workspace keeps its settings when its run refuses another change
        (a session holds as many as a session file may); the status bar says so.
        """
        workspace = self.workspace
        kept = workspace.restore_defaults()
        self.adapter.set_speed(DEFAULT_SPEED)
        self.resize(*DEFAULT_WINDOW_SIZE)
        if self._fit_screen:
            self.fit_to_screen()
        workspace.restore_layout(self.width())
        if self._settings is not None:
            self._settings.remove("window")
            self._settings.remove("run")
        if kept is None:
            self.tell("Settings restored to their defaults (the stream is kept).")
        else:
            self.tell(f"Speed and layout restored; the learning settings were kept: {kept}", 10_000)

    def about(self) -> None:
        QMessageBox.about(
            self, "About rnnviz",
            f"<b>rnnviz {__version__}</b><p>Watch the simplest interesting recurrent neural "
            "network — one input, one hidden neuron with a self-loop, one output — learn to "
            "predict the next bit, tick by tick.</p>",
        )

    # -- following the adapter ----------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        if self.sender() not in (None, self.adapter):
            return  # a workspace not shown (its long work, a load)
        workspace = self.workspace
        self.status.setText(workspace.status_text())
        if flags & Change.STREAM:
            self.setWindowTitle(workspace.title())

    def _on_playing(self, *_: object) -> None:
        playing = self.adapter.playing
        play = self.actions_by_name["play"]
        play.setText("Pause" if playing else "Play")
        play.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        ))

    def _update_undo(self, *_: object) -> None:
        stack = self.adapter.undo_stack
        if not shiboken6.isValid(stack):
            return  # the window is being torn down: its workspaces' stacks go first
        undo, redo = self.actions_by_name["undo"], self.actions_by_name["redo"]
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        undo.setText(f"Undo {stack.undoText().lower()}" if stack.canUndo() else "Undo")
        redo.setText(f"Redo {stack.redoText().lower()}" if stack.canRedo() else "Redo")

    # -- settings ------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        s = self._settings
        assert s is not None
        if s.value("version", 0, int) != SETTINGS_VERSION:
            return
        for key, restore in (("window/geometry", self.restoreGeometry), ("window/state", self.restoreState)):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        for workspace in self._workspaces.values():
            workspace.restore_state(s)
        speed = s.value("run/speed", DEFAULT_SPEED, int)
        if speed in SPEEDS:
            self.adapter.set_speed(speed)

    def save_settings(self) -> None:
        """Write geometry, speed and learning settings (also done on close)."""
        if self._settings is None:
            return
        s = self._settings
        s.setValue("version", SETTINGS_VERSION)
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        for workspace in self._workspaces.values():
            workspace.save_state(s)
        s.setValue("run/speed", self.adapter.speed)
        s.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self and event.type() == QEvent.Type.Close and work.running():
            # Long work handles events as it goes, so a close can arrive in
            # the middle of a move: stop the work first, close after it.
            event.ignore()
            if not self._close_pending:
                self._close_pending = work.cancel_running(self._close_after_work, context=self)
            return True
        return super().eventFilter(watched, event)

    def _close_after_work(self) -> None:
        """The work a close stopped has ended: close now (asking about unsaved changes as ever)."""
        self._close_pending = False
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        # Reached only once no filter refused the close (unsaved changes, long
        # work): a quit cancelled at its question must not stop a recording
        # or take a lecture out of presentation mode.
        if self.presentation.active:
            # Left first, so that the normal layout (toolbars shown, not full
            # screen) is what is saved for next time.
            self.presentation.set_active(False)
        self.recording_controller.shutdown()  # no thread or file outlives the window
        for workspace in self._workspaces.values():
            workspace.shutdown()
        self.save_settings()
        super().closeEvent(event)


# Renders of a session (rnnviz record, File ▸ Render video, the self-test)
# film this window; recording.py finds it here, as it cannot import it.
offscreen.register_window(Session, MainWindow)


def application() -> QApplication:
    """The QApplication, created with rnnviz's names (QSettings uses them)."""
    app = QApplication.instance()
    if app is None:
        QApplication.setOrganizationName("rnnviz")
        QApplication.setApplicationName("rnnviz")
        QApplication.setApplicationVersion(__version__)
        # Matches packaging/linux/rnnviz.desktop, so docks and task bars
        # (Wayland above all) put the window under the right entry and icon.
        QApplication.setDesktopFileName("rnnviz")
        app = QApplication(["rnnviz"])  # argv[0]: the X window class (WM_CLASS) is "rnnviz"
        app.setWindowIcon(theme.app_icon())
    return app  # type: ignore[return-value]
