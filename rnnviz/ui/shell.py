"""The window shell's own parts: its actions, menus, toolbar, and fitting it to the screen.

Split from :mod:`rnnviz.ui.mainwindow` so the shell class holds only what
it does with workspaces and settings. Nothing here names a model kind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QMargins, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStyle, QToolBar, QWidget

from rnnviz.ui.dialogs import ShortcutsDialog

#: Room kept for the title bar and borders a window manager adds around the
#: window while their real size is not known yet (before the first show).
FRAME_ALLOWANCE: Final[QMargins] = QMargins(8, 40, 8, 8)


def keys(*sequences: str | QKeySequence.StandardKey) -> list[QKeySequence]:
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


def fit_to_screen(window: QMainWindow, area: QRect | None = None) -> None:
    """Shrink *window* to fit *area*, and move a remembered position into it.

    Parameters
    ----------
    area
        The free part of the screen; by default that of the screen the
        window is on (the primary screen for a new window), in the
        device-independent pixels the window uses (QT_SCALE_FACTOR=2
        on a 2560×1440 screen gives 1280×720).
    """
    if window.windowState() & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
        return  # the window manager sizes it
    if area is None:
        screen = QGuiApplication.screenAt(window.geometry().center()) or window.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
    frame = FRAME_ALLOWANCE
    if window.isVisible() and window.frameGeometry() != window.geometry():
        outer, inner = window.frameGeometry(), window.geometry()
        frame = QMargins(inner.left() - outer.left(), inner.top() - outer.top(),
                         outer.right() - inner.right(), outer.bottom() - inner.bottom())
    # A position is the window's own only once set (a remembered
    # geometry); a new window is placed by the window manager.
    moved = window.testAttribute(Qt.WidgetAttribute.WA_Moved)
    fitted = fitted_geometry(window.geometry(), area, frame, window.minimumSizeHint(), move=moved)
    if moved:
        window.setGeometry(fitted)
    else:
        window.resize(fitted.size())


def add_shell_actions(window) -> None:
    """The window's own actions: the transport (driving the workspace shown), undo, quit, help."""
    def run(name: str) -> Callable[[], object]:
        return lambda: getattr(window.adapter, name)()  # the workspace shown now

    act = window.add_action
    act("reset", "Reset", run("reset"), keys("Home"), "back to tick 0, weights to their start values")
    act("back", "Back", run("back"), keys("Left", ","), "one tick back")
    act("play", "Play", run("toggle_play"), keys("Space"), "play / pause")
    act("step", "Step", run("step"), keys("Right", "."), "one tick forward")
    act("end", "Run to end", run("run_to_end"), keys("End"), "do every remaining tick")
    act("faster", "Faster", run("faster"), keys("+", "=", "Ctrl++"), "play faster")
    act("slower", "Slower", run("slower"), keys("-", "Ctrl+-"), "play slower")
    act("undo", "Undo", run("undo"), keys("Ctrl+Z"), "undo the last edit of the stream")
    act("redo", "Redo", run("redo"), keys("Ctrl+Shift+Z", "Ctrl+Y"), "redo")
    act("restore", "Restore defaults", window.restore_defaults, tip="learning settings, speed and layout back to the defaults (the stream is kept)")
    # Ctrl+Q everywhere (⌘Q on macOS, where Qt's Ctrl is ⌘); the standard
    # key is the same key on Linux and none on Windows.
    act("quit", "Quit", window.close, keys("Ctrl+Q"))
    act("shortcuts", "Keyboard shortcuts", lambda: ShortcutsDialog(window).exec(), keys("F1"))
    act("about", "About rnnviz", window.about)

def build_menus_and_toolbar(window) -> QToolBar:
    """The menu bar (File, Edit, Model, Run, View, Lessons, Help) and the transport toolbar."""
    act = window.actions_by_name
    menus = window.menus
    bar = window.menuBar()
    file_menu = menus["file"] = bar.addMenu("&File")
    file_menu.addAction(act["quit"])

    edit_menu = menus["edit"] = bar.addMenu("&Edit")
    edit_menu.addAction(act["undo"])
    edit_menu.addAction(act["redo"])
    edit_menu.addSeparator()
    edit_menu.addAction(act["restore"])

    menus["model"] = bar.addMenu("&Model")
    menus["model"].menuAction().setVisible(False)  # until there is a second kind to choose

    run_menu = menus["run"] = bar.addMenu("&Run")
    for name in ("play", "step", "back", "reset", "end"):
        run_menu.addAction(act[name])
    run_menu.addSeparator()
    run_menu.addAction(act["faster"])
    run_menu.addAction(act["slower"])

    menus["view"] = bar.addMenu("&View")
    menus["lessons"] = bar.addMenu("&Lessons")
    help_menu = menus["help"] = bar.addMenu("&Help")
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
        act[name].setIcon(window.style().standardIcon(icon))
    for name in ("reset", "back", "play", "step", "end"):
        toolbar.addAction(act[name])
    toolbar.addSeparator()
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
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
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return toolbar
