"""The main window: stream on top, network and controls on the left, plots on the right.

The window builds the views around one :class:`SessionAdapter`, owns the
actions (menus, toolbar and keyboard shortcuts share them) and keeps window
geometry and the last settings in QSettings. It adds no logic of its own:
every action is one adapter call.

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

from typing import Final

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, QMargins, QObject, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QMessageBox,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from rnnviz import __version__
from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.resources import examples
from rnnviz.session import Session
from rnnviz.ui import equations, files, offscreen, presentation, recording, theme, work
from rnnviz.ui.adapter import DEFAULT_SPEED, SPEEDS, STAGE_TITLES, Change, SessionAdapter, Stage
from rnnviz.ui.bitstream import BitStreamEditor
from rnnviz.ui.controls import ParameterPanel, SpeedControl, StreamLine
from rnnviz.ui.diagram import NetworkDiagram
from rnnviz.ui.dialogs import GENERATORS, GenerateDialog, ShortcutsDialog
from rnnviz.ui.plots import WeightPlots

#: Ticks over which the status line averages e².
MSE_WINDOW: Final[int] = 20
#: The window's size when it first opens and after a layout reset, and the
#: default of ``rnnviz screenshot`` (``SCREENSHOT_SIZE_TEXT`` in
#: commands/gui.py, which may not import Qt to read it): 80 pixels taller than
#: a rendered video's 16:9 frame (``rnnviz.io.video.DEFAULT_VIDEO_SIZE``),
#: which a window has room for and which spares the settings a scroll bar.
DEFAULT_WINDOW_SIZE: Final[tuple[int, int]] = (1280, 800)
#: Room kept for the title bar and borders a window manager adds around the
#: window while their real size is not known yet (before the first show).
FRAME_ALLOWANCE: Final[QMargins] = QMargins(8, 40, 8, 8)
#: How long a notice from the adapter ("at the end: …") stays in the status bar.
NOTICE_MS: Final[int] = 5000
#: The longest stream text kept in the settings.
MAX_SAVED_STREAM: Final[int] = 100_000
#: QSettings layout version: bump it when saved geometry would no longer fit.
SETTINGS_VERSION: Final[int] = 1


def _key(*sequences: str | QKeySequence.StandardKey) -> list[QKeySequence]:
    return [QKeySequence(s) for s in sequences]


def fitted_geometry(rect: QRect, area: QRect, frame: QMargins, minimum: QSize, *, move: bool) -> QRect:
    """A window's inside *rect* made to fit *area* with *frame* around it.

    Parameters
    ----------
    rect
        The window's geometry (without its frame).
    area
        The free part of the screen (without panels and docks).
    frame
        The title bar and borders around the window.
    minimum
        The smallest size the window can be laid out in; on a screen smaller
        than that the window keeps it and its top-left corner shows.
    move
        Also move the window into *area* (a remembered position); False keeps
        the position, for the window manager to choose on a first start.

    Returns
    -------
    QRect
        The geometry to give the window.
    """
    width = max(min(rect.width(), area.width() - frame.left() - frame.right()), minimum.width())
    height = max(min(rect.height(), area.height() - frame.top() - frame.bottom()), minimum.height())
    x, y = rect.x(), rect.y()
    if move:
        right = area.x() + area.width() - frame.right() - width
        bottom = area.y() + area.height() - frame.bottom() - height
        x = max(min(x, right), area.x() + frame.left())
        y = max(min(y, bottom), area.y() + frame.top())
    return QRect(x, y, width, height)


class MainWindow(QMainWindow):
    """The rnnviz desktop window.

    Parameters
    ----------
    adapter
        The session to show (a default one on :data:`~rnnviz.session.DEFAULT_STREAM` when omitted).
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

    def __init__(
        self,
        adapter: SessionAdapter | None = None,
        *,
        settings: QSettings | None = None,
        restore_settings: bool = True,
        stream_text: str | None = None,
        fit_screen: bool | None = None,
    ) -> None:
        super().__init__()
        self.adapter = adapter or SessionAdapter(parent=self)
        if self.adapter.parent() is None:
            self.adapter.setParent(self)
        self._settings = settings
        self.setWindowTitle("rnnviz")
        self.setWindowIcon(theme.app_icon())
        self.setObjectName("rnnvizMainWindow")

        self.stream_line = StreamLine(self.adapter)
        self.tape = BitStreamEditor(self.adapter)
        self.diagram = NetworkDiagram(self.adapter)
        self.parameters = ParameterPanel(self.adapter)
        self.plots = WeightPlots(self.adapter)
        self.speed = SpeedControl(self.adapter)

        learning_box = QGroupBox("Learning")
        box_layout = QVBoxLayout(learning_box)
        box_layout.setContentsMargins(2, 2, 2, 2)
        box_layout.addWidget(self.parameters)
        # On a small screen (or a 1280×720 recording) the settings scroll
        # rather than push the window taller than the screen.
        learning_scroll = QScrollArea()
        learning_scroll.setWidget(learning_box)
        learning_scroll.setWidgetResizable(True)
        learning_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        learning_scroll.setMinimumHeight(90)
        # Never narrower than the settings: a narrower column cut off the
        # right edge of the boxes and their arrows. Only when a short window
        # also needs the vertical scroll bar does a horizontal one appear.
        learning_scroll.setMinimumWidth(learning_box.minimumSizeHint().width())
        self.left = QSplitter(Qt.Orientation.Vertical)
        self.left.setObjectName("leftSplitter")
        self.left.addWidget(self.diagram)
        self.left.addWidget(learning_scroll)
        self.left.setStretchFactor(0, 3)
        self.left.setStretchFactor(1, 0)
        self.left.setChildrenCollapsible(False)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.setObjectName("mainSplitter")
        self.main_split.addWidget(self.left)
        self.main_split.addWidget(self.plots)
        self.main_split.setStretchFactor(0, 2)
        self.main_split.setStretchFactor(1, 3)
        self.main_split.setChildrenCollapsible(False)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.stream_line)
        layout.addWidget(self.tape)
        layout.addWidget(self.main_split, 1)
        self.setCentralWidget(central)

        self.status = QLabel()
        self.status.setObjectName("tickStatus")
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().setSizeGripEnabled(False)

        self.actions_by_name: dict[str, QAction] = {}
        #: The menus by name ("file", "edit", "generate", "run", "view", "lessons", "help").
        self.menus: dict[str, QMenu] = {}
        self._build_actions()
        self._build_menus_and_toolbar()
        # The teaching features add their own views, actions and menu entries.
        # Presentation comes after the views it enlarges; recording last, so
        # it films everything.
        equations.install(self)
        files.install(self)
        presentation.install(self)
        recording.install(self)
        # Last installed, so it sees a close before every filter above
        # (which save the session, stop a recording, leave presentation).
        self._close_pending = False
        self.installEventFilter(self)

        self.adapter.changed.connect(self._on_changed)
        self.adapter.playingChanged.connect(self._on_playing)
        # Bound methods, not lambdas: Qt drops a connection to a method of a
        # destroyed window before it destroys the window's children, whose
        # last signals would otherwise reach a half-deleted window.
        self.adapter.undo_stack.canUndoChanged.connect(self._update_undo)
        self.adapter.undo_stack.canRedoChanged.connect(self._update_undo)
        self.adapter.undo_stack.indexChanged.connect(self._update_undo)
        self.adapter.notice.connect(self._on_notice)
        self.stream_line.accepted.connect(self._save_stream)

        if stream_text is not None:
            self.stream_line.set_text(stream_text)
        self.resize(*DEFAULT_WINDOW_SIZE)
        if settings is not None:
            self._restore_geometry()
            if restore_settings:
                self._restore_learning()
        if fit_screen is None:
            fit_screen = QGuiApplication.platformName() not in ("offscreen", "minimal")
        self._fit_screen = fit_screen
        if fit_screen:
            self.fit_to_screen()
        self._on_changed(int(Change.ALL))
        self._on_playing(False)
        self._update_undo()
        # Typing 0/1 edits the tape from the start; the window's keys work there too.
        self.tape.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- actions ------------------------------------------------------------
    def _action(
        self, name: str, text: str, slot, keys: list[QKeySequence] | None = None, tip: str = ""
    ) -> QAction:
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

    def _build_actions(self) -> None:
        a = self.adapter
        self._action("reset", "Reset", a.reset, _key("Home"), "back to tick 0, weights to their start values")
        self._action("back", "Back", a.back, _key("Left", ","), "one tick back")
        self._action("play", "Play", a.toggle_play, _key("Space"), "play / pause")
        self._action("step", "Step", a.step, _key("Right", "."), "one tick forward")
        self._action("end", "Run to end", a.run_to_end, _key("End"), "do every remaining tick")
        self._action("faster", "Faster", a.faster, _key("+", "=", "Ctrl++"), "play faster")
        self._action("slower", "Slower", a.slower, _key("-", "Ctrl+-"), "play slower")
        self._action("undo", "Undo", a.undo, _key("Ctrl+Z"), "undo the last edit of the stream")
        self._action("redo", "Redo", a.redo, _key("Ctrl+Shift+Z", "Ctrl+Y"), "redo")
        self._action("restore", "Restore defaults", self.restore_defaults, tip="learning settings, speed and layout back to the defaults (the stream is kept)")
        self._action("fit", "Show whole stream in plots", self.plots.fit, _key("Ctrl+0"), "fit the plots to the whole stream")
        # Ctrl+Q everywhere (⌘Q on macOS, where Qt's Ctrl is ⌘); the standard
        # key is the same key on Linux and none on Windows.
        self._action("quit", "Quit", self.close, _key("Ctrl+Q"))
        self._action("shortcuts", "Keyboard shortcuts", lambda: ShortcutsDialog(self).exec(), _key("F1"))
        self._action("about", "About rnnviz", self._about)

    def _build_menus_and_toolbar(self) -> None:
        act = self.actions_by_name
        menus = self.menus
        file_menu = menus["file"] = self.menuBar().addMenu("&File")
        example_menu = file_menu.addMenu("Open &example")
        try:
            for item in examples():
                action = example_menu.addAction(f"{item['name']}  —  {item['sequence']}")
                action.setToolTip(item["about"])
                action.setStatusTip(item["about"])
                action.triggered.connect(
                    lambda _=False, item=item: self.open_stream(item["sequence"], f"Example {item['name']}")
                )
        except (OSError, ValueError, KeyError, InputError) as error:  # a damaged install
            example_menu.addAction(f"examples unavailable: {error}").setEnabled(False)
        file_menu.addSeparator()
        file_menu.addAction(act["quit"])

        edit_menu = menus["edit"] = self.menuBar().addMenu("&Edit")
        edit_menu.addAction(act["undo"])
        edit_menu.addAction(act["redo"])
        edit_menu.addSeparator()
        edit_menu.addAction(act["restore"])

        generate_menu = menus["generate"] = self.menuBar().addMenu("&Generate")
        for generator in GENERATORS:
            action = generate_menu.addAction(generator.title)
            action.setStatusTip(generator.about)
            action.triggered.connect(lambda _=False, g=generator: self.generate(g))

        run_menu = menus["run"] = self.menuBar().addMenu("&Run")
        for name in ("play", "step", "back", "reset", "end"):
            run_menu.addAction(act[name])
        run_menu.addSeparator()
        run_menu.addAction(act["faster"])
        run_menu.addAction(act["slower"])

        view_menu = menus["view"] = self.menuBar().addMenu("&View")
        view_menu.addAction(act["fit"])

        menus["lessons"] = self.menuBar().addMenu("&Lessons")
        help_menu = menus["help"] = self.menuBar().addMenu("&Help")
        help_menu.addAction(act["shortcuts"])
        help_menu.addAction(act["about"])

        toolbar = QToolBar("Transport")
        toolbar.setObjectName("transportToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # The style's own media icons: every platform draws them, unlike the
        # ⏮ ⏭ characters, which many fonts lack.
        icons = {
            "reset": QStyle.StandardPixmap.SP_MediaSkipBackward,
            "back": QStyle.StandardPixmap.SP_MediaSeekBackward,
            "play": QStyle.StandardPixmap.SP_MediaPlay,
            "step": QStyle.StandardPixmap.SP_MediaSeekForward,
            "end": QStyle.StandardPixmap.SP_MediaSkipForward,
        }
        for name, icon in icons.items():
            act[name].setIcon(self.style().standardIcon(icon))
        for name in ("reset", "back", "play", "step", "end"):
            toolbar.addAction(act[name])
        toolbar.addSeparator()
        toolbar.addWidget(self.speed)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        # Play and Pause take the same room, so nothing on the toolbar moves
        # when one becomes the other.
        play = act["play"]
        play_button = toolbar.widgetForAction(play)
        widths = []
        for text in ("Pause", "Play"):
            play.setText(text)
            widths.append(play_button.sizeHint().width())
        play_button.setMinimumWidth(max(widths))
        # Buttons must not take the keyboard: Space and the arrows belong to
        # the shortcuts, whatever was clicked last.
        for button in toolbar.findChildren(QWidget):
            if button is not self.speed and not self.speed.isAncestorOf(button):
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.toolbar = toolbar

    # -- user commands --------------------------------------------------------
    def tell(self, text: str, ms: int = 6000) -> None:
        """Say *text* in the status bar for *ms* milliseconds, or under the tape
        when the status bar is hidden (presentation mode)."""
        self.statusBar().showMessage(text, ms)
        if self.statusBar().isHidden():
            self.tape.show_message(text, error=False)

    def _on_notice(self, text: str) -> None:
        self.tell(text, NOTICE_MS)

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Shrink the window to fit *area*, and move a remembered position into it.

        Parameters
        ----------
        area
            The free part of the screen; by default that of the screen the
            window is on (the primary screen for a new window), in the
            device-independent pixels the window uses (QT_SCALE_FACTOR=2
            on a 2560×1440 screen gives 1280×720).
        """
        if self.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            return  # the window manager sizes it
        if area is None:
            screen = QGuiApplication.screenAt(self.geometry().center()) or self.screen()
            if screen is None:
                return
            area = screen.availableGeometry()
        frame = FRAME_ALLOWANCE
        if self.isVisible() and self.frameGeometry() != self.geometry():
            outer, inner = self.frameGeometry(), self.geometry()
            frame = QMargins(inner.left() - outer.left(), inner.top() - outer.top(),
                             outer.right() - inner.right(), outer.bottom() - inner.bottom())
        # A position is the window's own only once set (a remembered
        # geometry); a new window is placed by the window manager.
        moved = self.testAttribute(Qt.WidgetAttribute.WA_Moved)
        fitted = fitted_geometry(self.geometry(), area, frame, self.minimumSizeHint(), move=moved)
        if moved:
            self.setGeometry(fitted)
        else:
            self.resize(fitted.size())

    def open_stream(self, text: str, what: str = "Replace stream") -> bool:
        """Use the stream *text*; an invalid one is reported in the status bar and changes nothing."""
        try:
            self.adapter.replace(text, what)
        except InputError as error:
            self.tell(f"Not used: {error}", 8000)
            return False
        self.stream_line.set_text(text)
        self._save_stream(text)
        return True

    def generate(self, generator) -> None:
        dialog = GenerateDialog(generator, self)
        if dialog.exec():
            self.open_stream(dialog.call_text(), f"Generate {generator.key}")

    def restore_defaults(self) -> None:
        """Learning settings, speed and window layout back to the defaults; the stream stays.

        The learning settings stay as they are when the session refuses
        another change (it holds as many as a session file may); the status
        bar says so.
        """
        try:
            self.adapter.set_params(LearnerParams())
        except InputError as error:
            kept: str | None = str(error)
        else:
            kept = None
        self.adapter.set_speed(DEFAULT_SPEED)
        self.resize(*DEFAULT_WINDOW_SIZE)
        if self._fit_screen:
            self.fit_to_screen()
        # Columns after the plots (the equations) get their own width; the
        # diagram and the plots share the rest 2 : 3.
        split = self.main_split
        extra = [split.widget(i).sizeHint().width() for i in range(2, split.count())]
        rest = self.width() - sum(extra)
        split.setSizes([2 * rest // 5, 3 * rest // 5, *extra])
        self.plots.fit()
        if self._settings is not None:
            if kept is None:
                self._settings.remove("learning")
            self._settings.remove("window")
            self._settings.remove("run")
        if kept is None:
            self.tell("Settings restored to their defaults (the stream is kept).")
        else:
            self.tell(f"Speed and layout restored; the learning settings were kept: {kept}", 10_000)

    def _about(self) -> None:
        QMessageBox.about(
            self, "About rnnviz",
            f"<b>rnnviz {__version__}</b><p>Watch the simplest interesting recurrent neural "
            "network — one input, one hidden neuron with a self-loop, one output — learn to "
            "predict the next bit, tick by tick.</p>",
        )

    # -- following the adapter ----------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        session = self.adapter.session
        c, n = session.cursor, session.n_ticks
        parts = [f"tick {c:,} of {n:,}"]
        if c:
            err = session.history["err"][max(c - MSE_WINDOW, 0) : c]
            parts.append(f"e = {theme.fixed(float(err[-1]), signed=True)}")
            mse = float(np.mean(np.square(err)))
            parts.append(f"mean e² over the last {len(err)} tick{'s' if len(err) != 1 else ''} = {mse:.4f}")
        elif n:
            parts.append("press Space to play or → to step")
        else:
            parts.append("one bit: nothing to learn from yet — add bits on the tape")
        if session.at_end:
            parts.append(f"next bit: {theme.guess_text(*session.guess())}")
        stage = self.adapter.stage
        if stage is not None:
            parts.insert(1, f"slow motion: tick {self.adapter.stage_tick + 1:,}, stage {stage + 1} of "
                         f"{len(Stage)} ({STAGE_TITLES[stage]})")
        self.status.setText("   ·   ".join(parts))
        if flags & Change.STREAM:
            self.setWindowTitle(f"rnnviz — {len(session.bits):,} bits")
        if flags & Change.PARAMS:
            self._save_learning()
        if flags & Change.STREAM:
            self._save_stream()

    def _on_playing(self, playing: bool) -> None:
        play = self.actions_by_name["play"]
        play.setText("Pause" if playing else "Play")
        play.setIcon(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        ))

    def _update_undo(self, *_: object) -> None:
        stack = self.adapter.undo_stack
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
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("window/main_split", self.main_split.restoreState),
            ("window/left_split", self.left.restoreState),
        ):
            value = s.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        speed = s.value("run/speed", DEFAULT_SPEED, int)
        if speed in SPEEDS:
            self.adapter.set_speed(speed)

    def _restore_learning(self) -> None:
        s = self._settings
        assert s is not None
        if s.value("version", 0, int) != SETTINGS_VERSION:
            return
        defaults = LearnerParams()
        try:
            params = LearnerParams(
                eta=float(s.value("learning/eta", defaults.eta)),
                rule=str(s.value("learning/rule", defaults.rule)),
                activation=str(s.value("learning/activation", defaults.activation)),
                gain=float(s.value("learning/gain", defaults.gain)),
                init=tuple(float(v) for v in str(s.value("learning/init", "0,0,0")).split(",")),
                h0=float(s.value("learning/h0", defaults.h0)),
                learning=str(s.value("learning/learning", "true")).lower() == "true",
            )
        except (InputError, ValueError, TypeError):
            params = defaults  # settings edited by hand or from another version: ignore them
        stream = s.value("stream/text", "")
        with self.adapter.batch():
            self.adapter.set_params(params)
            if isinstance(stream, str) and stream.strip():
                try:
                    self.adapter.replace(stream, "Restore last stream")
                    self.stream_line.set_text(stream)
                except InputError:
                    pass
        # Settings changes are undo steps; restoring last time's is not a
        # change the user made, with or without a saved stream.
        self.adapter.undo_stack.clear()

    def _save_learning(self) -> None:
        if self._settings is None:
            return
        p, s = self.adapter.session.params, self._settings
        s.setValue("version", SETTINGS_VERSION)
        s.setValue("learning/eta", p.eta)
        s.setValue("learning/rule", p.rule)
        s.setValue("learning/activation", p.activation)
        s.setValue("learning/gain", p.gain)
        s.setValue("learning/init", ",".join(repr(v) for v in p.init))
        s.setValue("learning/h0", p.h0)
        s.setValue("learning/learning", "true" if p.learning else "false")

    def _save_stream(self, text: str | None = None) -> None:
        """Remember the stream for the next start: as typed when that text still
        describes it, else compressed; a stream too long to write (a million
        random bits) is not remembered."""
        if self._settings is None:
            return
        text = text or self.stream_line.text_for_current()
        if text and len(text) <= MAX_SAVED_STREAM:
            self._settings.setValue("stream/text", text)
        else:
            self._settings.remove("stream/text")

    def save_settings(self) -> None:
        """Write geometry, speed and learning settings (also done on close)."""
        if self._settings is None:
            return
        s = self._settings
        s.setValue("version", SETTINGS_VERSION)
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/main_split", self.main_split.saveState())
        s.setValue("window/left_split", self.left.saveState())
        s.setValue("run/speed", self.adapter.speed)
        self._save_learning()
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
        self.adapter.shutdown()
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
