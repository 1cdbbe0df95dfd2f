"""Presentation mode, a fixed canvas size, an on-screen key overlay and a caption line.

For teaching in front of a projector or recording a screencast:

* **Presentation mode** (F11, View ▸ Presentation mode; Esc leaves it): larger
  text and markers on the tape, the diagram, the plots and the status line;
  the menu bar, toolbar, status bar, stream box and learning settings hidden
  (every key still works: the actions belong to the window); full screen on
  a real display. Leaving it puts back the window geometry, the splitter
  sizes and what was visible, exactly.
* **Canvas size** (View ▸ Canvas size): *Fit window*, or the content laid
  out at exactly 1280×720 or 1920×1080 pixels, centred on a grey border when
  the window is larger. When the window is smaller the canvas keeps its
  exact size and the window shows scroll bars: a recording of
  :attr:`Presentation.canvas` stays pixel-exact either way (scaling the live
  widgets down would make the text blurry and the picture inexact).
* **Show keys pressed** (View menu): a translucent rounded label near the
  bottom of the canvas names each key as people say it ("Space", "→",
  "Shift+→", "Ctrl+Z"), counts repeats ("→ ×3") and fades out after about
  1.5 s. It observes key events through an application event filter and
  never takes focus, clicks or keys from anything.
* **Caption line** (View menu, on in presentation mode; F2 types into it):
  a large line at the bottom of the canvas. It takes room only while it has
  text or is being typed into, so an empty one leaves no blank band. While
  it has the keyboard, Space, digits and arrows type instead of running the
  single-key shortcuts; Enter or Esc hands the keyboard back to the tape.

The overlay and the caption are children of the canvas, so anything that
grabs the canvas (a screenshot, a recording) shows them.
"""

from __future__ import annotations

import sys
from typing import Final

import shiboken6
from PySide6.QtCore import (
    QByteArray, QEasingCurve, QEvent, QObject, QRectF, QSize, Qt, QTimer, QVariantAnimation, Signal,
)
from PySide6.QtGui import (
    QAction, QActionGroup, QColor, QFont, QFontMetrics, QGuiApplication, QKeyEvent, QKeySequence,
    QPainter, QPaintEvent, QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox, QApplication, QComboBox, QFrame, QLineEdit, QPlainTextEdit,
    QScrollArea, QSizePolicy, QSplitter, QTextEdit, QToolBar, QVBoxLayout, QWidget,
)

from rnnviz.io import sessionfile
from rnnviz.ui import theme, workspaces

#: Text and markers grow by this factor in presentation mode on a canvas up
#: to REFERENCE_HEIGHT pixels tall, and in proportion on a taller one (a
#: 1080-line recording gets the same picture as a 720-line one, only sharper).
PRESENTATION_SCALE: Final[float] = 1.5
REFERENCE_HEIGHT: Final[int] = 720
#: The scale moves in steps this size, so dragging a window edge does not re-lay the text out every pixel.
SCALE_STEP: Final[float] = 0.25
#: The largest presentation scale (a 4K screen).
MAX_PRESENTATION_SCALE: Final[float] = 3.0
#: The canvas sizes offered, by action name; None fits the window.
CANVAS_SIZES: Final[dict[str, tuple[int, int] | None]] = {
    "canvas_fit": None,
    "canvas_1280x720": (1280, 720),
    "canvas_1920x1080": (1920, 1080),
}
#: Around a fixed-size canvas when the window is larger: a neutral mid grey.
BORDER_COLOR: Final[str] = "#5f5f5f"
#: The key overlay stays this long after the last key, then fades.
KEY_HOLD_MS: Final[int] = 1500
KEY_FADE_MS: Final[int] = 300
#: The key overlay's and the caption's text, in multiples of the window's font size.
KEY_FONT_FACTOR: Final[float] = 2.0
CAPTION_FONT_FACTOR: Final[float] = 1.9
#: Space between the key overlay and the bottom of the content.
KEY_MARGIN_PX: Final[int] = 18
#: In presentation mode the plots get this share of the width (at least half
#: the canvas: they are the lesson); the diagram and the panels stacked under
#: it share the rest.
PLOT_SHARE: Final[float] = 0.55
#: The diagram's share of the height of its column when panels (the
#: equations) are stacked under it: enough for its text at full size.
DIAGRAM_SHARE: Final[float] = 0.55
#: Going full screen, the window manager resizes the window a moment later;
#: nothing is painted until then, or for at most this long.
FULL_SCREEN_WAIT_MS: Final[int] = 400
#: Layout passes run before the first paint: a pass can post another (a
#: font change inside a resized widget), three settle every layout here.
LAYOUT_PASSES: Final[int] = 3

_MODIFIER_KEYS: Final[frozenset[int]] = frozenset(
    int(k) for k in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
                     Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock,
                     Qt.Key.Key_ScrollLock, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R,
                     Qt.Key.Key_Hyper_L, Qt.Key.Key_Hyper_R, Qt.Key.Key_unknown)
)
#: Keys named as people say them; arrows as arrows.
_KEY_NAMES: Final[dict[int, str]] = {
    int(Qt.Key.Key_Left): "←", int(Qt.Key.Key_Right): "→",
    int(Qt.Key.Key_Up): "↑", int(Qt.Key.Key_Down): "↓",
    int(Qt.Key.Key_Space): "Space", int(Qt.Key.Key_Return): "Enter", int(Qt.Key.Key_Enter): "Enter",
    int(Qt.Key.Key_Escape): "Esc", int(Qt.Key.Key_Backspace): "Backspace",
    int(Qt.Key.Key_Delete): "Delete", int(Qt.Key.Key_Insert): "Insert", int(Qt.Key.Key_Tab): "Tab",
    int(Qt.Key.Key_Backtab): "Tab", int(Qt.Key.Key_Home): "Home", int(Qt.Key.Key_End): "End",
    int(Qt.Key.Key_PageUp): "Page Up", int(Qt.Key.Key_PageDown): "Page Down",
    int(Qt.Key.Key_Minus): "−", int(Qt.Key.Key_Plus): "+",
}
#: Keys whose name already says Shift was held ("+" is Shift+= on many keyboards).
_NAMED_WITHOUT_SHIFT: Final[frozenset[str]] = frozenset("+−!\"#$%&'()*:<>?@^_{|}~")


def key_label(key: int, modifiers: Qt.KeyboardModifier) -> str | None:
    """The name of a key press as a presenter would say it, or None for a modifier alone.

    ``Space``, ``→``, ``Shift+→``, ``Ctrl+Z``, ``F11``; on macOS the Command
    key (Qt's Control modifier) is ``⌘``.
    """
    key = int(key)
    if key in _MODIFIER_KEYS:
        return None
    name = _KEY_NAMES.get(key)
    if name is None:
        name = QKeySequence(key).toString(QKeySequence.SequenceFormat.PortableText)
        if not name:
            return None
    mods = Qt.KeyboardModifier(modifiers) & ~Qt.KeyboardModifier.KeypadModifier
    mac = sys.platform == "darwin"
    parts = []
    if mods & Qt.KeyboardModifier.ControlModifier:
        parts.append("⌘" if mac else "Ctrl")
    if mods & Qt.KeyboardModifier.MetaModifier:
        parts.append("Ctrl" if mac else "Meta")
    if mods & Qt.KeyboardModifier.AltModifier:
        parts.append("⌥" if mac else "Alt")
    if mods & Qt.KeyboardModifier.ShiftModifier and name not in _NAMED_WITHOUT_SHIFT:
        parts.append("Shift")
    return "+".join(parts + [name])


class KeyOverlay(QWidget):
    """A translucent rounded label naming the last key pressed, fading after a moment.

    It takes no focus and lets every click through to what lies under it.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("keyOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._label = ""
        self._count = 0
        self._opacity = 1.0
        self._hold = QTimer(self)
        self._hold.setObjectName("keyOverlayHold")
        self._hold.setSingleShot(True)
        self._hold.setInterval(KEY_HOLD_MS)
        self._hold.timeout.connect(self._start_fade)
        self._fade = QVariantAnimation(self)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.setDuration(KEY_FADE_MS)
        self._fade.setEasingCurve(QEasingCurve.Type.InQuad)
        self._fade.valueChanged.connect(self._on_fade)
        self._fade.finished.connect(self._finish)
        self.hide()

    def text(self) -> str:
        """What the overlay shows (``"→ ×3"``), ``""`` when hidden."""
        return self._caption() if self.isVisible() else ""

    def _caption(self) -> str:
        if not self._label:
            return ""
        # An en space: a plain one all but vanishes after an arrow in many fonts.
        return self._label if self._count == 1 else f"{self._label}\u2002×{self._count}"

    def show_key(self, label: str) -> None:
        """Show *label*; the same key again while it shows counts up (``→ ×3``)."""
        if self.isVisible() and label == self._label:
            self._count += 1
        else:
            self._label, self._count = label, 1
        self._fade.stop()
        self._opacity = 1.0
        self._hold.start()
        self.place()
        self.show()
        self.raise_()
        self.update()

    def clear(self) -> None:
        """Hide at once (the overlay was switched off)."""
        self._hold.stop()
        self._fade.stop()
        self._finish()

    def _start_fade(self) -> None:
        self._fade.start()

    def _on_fade(self, value: object) -> None:
        self._opacity = float(value)  # type: ignore[arg-type]
        self.update()

    def _finish(self) -> None:
        self._label, self._count = "", 0
        self.hide()

    def place(self) -> None:
        """Centre near the bottom of the content, above the caption and status lines."""
        parent = self.parentWidget()
        metrics = QFontMetrics(self.font())
        width = metrics.horizontalAdvance(self._caption() or "M") + 2 * metrics.height()
        height = round(metrics.height() * 1.7)
        bottom = getattr(parent, "content_bottom", lambda: parent.height())() - KEY_MARGIN_PX
        width = min(width, parent.width() - 8)
        self.setGeometry((parent.width() - width) // 2, max(bottom - height, 0), width, height)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setOpacity(self._opacity)
            rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
            radius = rect.height() / 3
            painter.setPen(QColor(255, 255, 255, 90))
            painter.setBrush(QColor(24, 24, 24, 215))
            painter.drawRoundedRect(rect, radius, radius)
            painter.setPen(QColor("#ffffff"))
            painter.setFont(self.font())
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._caption())
        finally:
            painter.end()


class CaptionLine(QLineEdit):
    """A large one-line caption the presenter types into.

    While it has the keyboard it claims every plain key (Space, digits,
    arrows, Home, End…), so they type instead of stepping the network; Ctrl
    shortcuts and the function keys still reach the window. Enter or Esc
    hands the keyboard back to *home* (the tape).
    """

    HINT: Final[str] = "Caption: type here · Enter or Esc goes back to the stream"

    #: The line got (True) or lost (False) the keyboard.
    focusChanged = Signal(bool)

    def __init__(self, home: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("captionLine")
        self._home = home
        self.setFrame(False)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName("Caption")
        self.setToolTip(self.HINT)
        # No longer than a session file may hold, so every saved caption reopens.
        self.setMaxLength(sessionfile.MAX_PRESENTER_CAPTION)
        self.returnPressed.connect(self.give_back)

    def give_back(self) -> None:
        """Hand the keyboard back to the tape (the caption's text stays)."""
        self._home.setFocus(Qt.FocusReason.OtherFocusReason)

    def event(self, event: QEvent) -> bool:  # noqa: D102 (Qt API)
        if event.type() == QEvent.Type.ShortcutOverride:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            mods = key_event.modifiers() & ~(
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
            )
            function_key = Qt.Key.Key_F1 <= key_event.key() <= Qt.Key.Key_F35
            if mods == Qt.KeyboardModifier.NoModifier and not function_key:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt API)
        if event.key() == Qt.Key.Key_Escape:
            self.give_back()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # The hint shows only while typing: an empty caption stays blank on a recording.
        self.setPlaceholderText(self.HINT)
        super().focusInEvent(event)
        self.focusChanged.emit(True)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.setPlaceholderText("")
        super().focusOutEvent(event)
        self.focusChanged.emit(False)


class Canvas(QWidget):
    """What is presented and recorded: the window's content, the status and caption lines, the key overlay."""

    #: The canvas changed size (its new height).
    resized = Signal(int)

    def __init__(self, content: QWidget, home: QWidget) -> None:
        super().__init__()
        self.setObjectName("presentationCanvas")
        self.setAutoFillBackground(True)
        self.content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(content, 1)
        self.status_slot = QVBoxLayout()
        self.status_slot.setContentsMargins(8, 2, 8, 2)
        layout.addLayout(self.status_slot)
        self.caption = CaptionLine(home, self)
        self.caption.hide()
        layout.addWidget(self.caption)
        self.key_overlay = KeyOverlay(self)

    def content_bottom(self) -> int:
        """The y where the content ends (the status and caption lines start)."""
        return self.content.geometry().bottom() + 1

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self.key_overlay.isVisible():
            self.key_overlay.place()
        if event.size().height() != event.oldSize().height():
            self.resized.emit(event.size().height())


class Stage(QScrollArea):
    """Holds the canvas: filling the window, or at a fixed size centred on a grey border."""

    def __init__(self, canvas: Canvas) -> None:
        super().__init__()
        self.setObjectName("presentationStage")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(canvas)
        self._canvas = canvas
        self._size: tuple[int, int] | None = None
        self.set_canvas_size(None)

    def canvas_size(self) -> tuple[int, int] | None:
        """The fixed canvas size, or None when it fits the window."""
        return self._size

    def set_canvas_size(self, size: tuple[int, int] | None) -> None:
        """Lay the canvas out at exactly *size* pixels, or (None) let it fill the window."""
        self._size = size
        canvas = self._canvas
        if size is None:
            canvas.setMinimumSize(0, 0)
            canvas.setMaximumSize(16777215, 16777215)
            # Not widgetResizable: that sizes a widget with height-for-width
            # (word-wrapped lesson captions) to its preferred height, taller
            # than the window, and the bottom would be cut off unseen.
            self.setWidgetResizable(False)
            self._fit_canvas()
            policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        else:
            self.setWidgetResizable(False)
            canvas.setFixedSize(*size)
            policy = Qt.ScrollBarPolicy.ScrollBarAsNeeded
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)
        canvas.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.updateGeometry()

    def _fit_canvas(self) -> None:
        self._canvas.setGeometry(0, 0, self.viewport().width(), self.viewport().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._size is None:
            self._fit_canvas()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        if self._size is None:
            return self._canvas.sizeHint()
        return QSize(*self._size)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # Filling the window, the content's own minimum holds (as without a
        # stage); at a fixed size the window may be smaller and scroll.
        if self._size is None:
            return self._canvas.minimumSizeHint()
        return QSize(160, 120)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self.viewport())
        try:
            painter.fillRect(self.viewport().rect(), QColor(BORDER_COLOR))
        finally:
            painter.end()


class KeyWatcher(QObject):
    """Reports each key pressed in *window*, once, without consuming it.

    A key press reaches the focus widget first as a ShortcutOverride event
    (then possibly as a shortcut) and, when no shortcut takes it, as a
    KeyPress; both may travel up through the parents. Only the first
    delivery to the focus object counts, and a KeyPress that follows its
    own ShortcutOverride is not counted twice.
    """

    def __init__(self, window: QWidget, report, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self._report = report
        self._pending: tuple[int, int] | None = None
        self._installed = False

    def set_enabled(self, on: bool) -> None:
        app = QApplication.instance()
        if app is None or on == self._installed:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._installed = on
        self._pending = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if watched is not QGuiApplication.focusObject():
            return False  # a parent seeing the same key again, or another window
        if not isinstance(watched, QWidget) or watched.window() is not self._window:
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        signature = (int(key_event.key()), int(key_event.modifiers().value))
        if kind == QEvent.Type.KeyPress:
            if self._pending == signature:
                self._pending = None
                return False
        else:
            self._pending = signature
        if not self._typing_into(watched, key_event):
            label = key_label(key_event.key(), key_event.modifiers())
            if label is not None:
                self._report(label)
        return False

    @staticmethod
    def _typing_into(widget: QObject, event: QKeyEvent) -> bool:
        """True for plain typing into a text field: that is text, not a command to show."""
        text_field = isinstance(widget, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)) or (
            isinstance(widget, QComboBox) and widget.isEditable()
        )
        if not text_field:
            return False
        commands = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                    | Qt.KeyboardModifier.MetaModifier)
        function_key = Qt.Key.Key_F1 <= event.key() <= Qt.Key.Key_F35
        return not (event.modifiers() & commands) and not function_key


def _canvas_size_actions(window, owner: QObject, set_size) -> dict[str, QAction]:
    """The window's exclusive canvas-size actions by name (Fit window checked), calling *set_size*."""
    actions: dict[str, QAction] = {}
    group = QActionGroup(owner)
    group.setExclusive(True)
    titles = {"canvas_fit": "Fit window", "canvas_1280x720": "1280 × 720",
              "canvas_1920x1080": "1920 × 1080"}
    for name, size in CANVAS_SIZES.items():
        action = window.add_action(
            name, titles[name], lambda size=size: set_size(size),
            tip="lay the content out at exactly this size (for recordings)" if size else
            "the content fills the window")
        action.setCheckable(True)
        group.addAction(action)
        actions[name] = action
    actions["canvas_fit"].setChecked(True)
    return actions


class Presentation(QObject):
    """Presentation mode, canvas size, key overlay and caption of one main window.

    Attributes
    ----------
    full_screen
        Whether entering presentation mode makes the window full screen:
        True on a real display, False offscreen (tests), where there is no
        screen to fill. A window rendered off the screen (screenshots,
        recordings) is never made full screen.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self._window = window
        self.active = False
        self._saved: dict[str, object] = {}
        self._caption_in_presentation = True
        self.scale = 1.0
        # The workspace told it is in presentation mode (see _present_workspace).
        self._presented: object | None = None
        self.full_screen = QGuiApplication.platformName() not in ("offscreen", "minimal", "vnc")
        # Set while the window waits for the window manager's resize, with
        # painting off; the timer ends the wait when no resize comes.
        self._awaiting_resize = False
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setObjectName("presentationReveal")
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.timeout.connect(self._reveal)
        self._after_reveal = None

        content = window.takeCentralWidget()
        self.canvas = Canvas(content, window.tape)
        self.stage = Stage(self.canvas)
        window.setCentralWidget(self.stage)
        self.caption = self.canvas.caption
        # Session files save and restore the caption through the window, not through us.
        window.caption_slot.bind(self.caption.text, self.caption.setText)
        self.key_overlay = self.canvas.key_overlay
        self._update_fonts()
        self.canvas.resized.connect(self._on_canvas_resized)
        self.caption.textChanged.connect(self._update_caption)
        self.caption.focusChanged.connect(self._update_caption)
        # The window's resizes end the wait for the window manager (see
        # _reveal_when_resized). Closing leaves presentation mode in the
        # window's closeEvent, once no one refused the close.
        window.installEventFilter(self)
        # A kind shown in presentation mode (a file or a lesson of another kind opened) is laid out for it.
        window.kindChanged.connect(self._on_kind_changed)
        self.watcher = KeyWatcher(window, self.key_overlay.show_key, self)

        act = window.add_action
        self.toggle_action = act("presentation", "Presentation mode", self.toggle, [QKeySequence("F11")],
                                 "large text, no menus or settings, full screen (Esc leaves)")
        self.toggle_action.setCheckable(True)
        self.leave_action = act("leave_presentation", "Leave presentation mode", self.leave,
                                [QKeySequence("Esc")])
        self.leave_action.setEnabled(False)
        self.keys_action = act("show_keys", "Show keys pressed", self._keys_toggled,
                               tip="name each key pressed near the bottom, for screencasts")
        self.keys_action.setCheckable(True)
        self.caption_action = act("caption", "Caption line", self._caption_toggled,
                                  tip="a large line to type a caption into, at the bottom")
        self.caption_action.setCheckable(True)
        self.caption_edit_action = act("caption_edit", "Type a caption", self.edit_caption,
                                       [QKeySequence("F2")], "show the caption line and type into it")
        # Checkable actions pass their state through toggled; the helper above
        # connects triggered (a user's click) to the slot, which reads it.
        self.size_actions = _canvas_size_actions(window, self, self.set_canvas_size)

        view = window.menu("view")
        view.addSeparator()
        view.addAction(self.toggle_action)
        sizes = view.addMenu("Canvas &size")
        for action in self.size_actions.values():
            sizes.addAction(action)
        view.addAction(self.keys_action)
        view.addAction(self.caption_action)
        view.addAction(self.caption_edit_action)
        window.add_menu("canvas_size", sizes)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if watched is self._window and event.type() == QEvent.Type.Resize and self._awaiting_resize:
            # The window manager has given the window its new size; the
            # layouts follow during this event, the first paint after it.
            self._awaiting_resize = False
            self._reveal_timer.start(0)
        return False

    # -- presentation mode ------------------------------------------------------
    def toggle(self) -> None:
        """Enter or leave presentation mode (F11)."""
        self.set_active(not self.active)

    def leave(self) -> None:
        """Leave presentation mode (Esc); nothing happens outside it."""
        self.set_active(False)

    def set_active(self, on: bool) -> None:
        """Enter (True) or leave (False) presentation mode."""
        if on == self.active:
            self.toggle_action.setChecked(on)
            return
        if self._reveal_timer.isActive() or self._awaiting_resize:
            self._reveal()  # F11 pressed again before the last change was shown
        # Set first: the canvas resizes while the chrome comes and goes, and
        # its size decides the scale only while presentation mode is on.
        self.active = on
        # Nothing is painted until the new layout is finished: no frame with
        # the old layout behind, collapsed plots or two status lines.
        self._window.setUpdatesEnabled(False)
        if on:
            self._enter()
        else:
            self._leave()
        self.toggle_action.setChecked(on)
        self.leave_action.setEnabled(on)

    def _chrome(self) -> list[QWidget]:
        """The widgets presentation mode hides: menus, toolbars, status bar, stream box, settings."""
        w = self._window
        widgets: list[QWidget] = [w.menuBar(), *w.findChildren(QToolBar), w.statusBar(), w.stream_line]
        panel = w.parameters
        while panel.parentWidget() is not None and panel.parentWidget() is not w.left:
            panel = panel.parentWidget()
        if panel.parentWidget() is w.left:
            widgets.append(panel)
        return widgets

    def _stack_panels(self) -> list[tuple[QWidget, int]]:
        """Move the columns after the plots (the equations) under the diagram.

        Returns each moved panel with its column index, to put it back.
        """
        w = self._window
        split, left = w.main_split, w.left
        first = split.indexOf(w.plots) + 1
        # Every column's index before any moves: moving one shifts those after it.
        moved = [(split.widget(i), i) for i in range(first, split.count())]
        for offset, (panel, _) in enumerate(moved, start=1):
            hidden = panel.isHidden()  # F9 may have closed it; moving must not reopen it
            left.insertWidget(left.indexOf(w.diagram) + offset, panel)
            panel.setHidden(hidden)
        return moved

    def _enter(self) -> None:
        w = self._window
        chrome = self._chrome()
        focus = QApplication.focusWidget()
        self._saved = {
            "geometry": QByteArray(w.saveGeometry()),
            "rect": w.geometry(),
            "state": w.windowState(),
            "full_screen": False,
            "main_split": QByteArray(w.main_split.saveState()),
            "left_split": QByteArray(w.left.saveState()),
            "visible": [(widget, not widget.isHidden()) for widget in chrome],
            "caption": self.caption_action.isChecked(),
            # Only a widget of this window gets the keyboard back on leaving.
            "focus": focus if focus is not None and focus.window() is w else None,
        }
        for widget in chrome:
            widget.hide()
        self._saved["panels"] = self._stack_panels()
        # The status line moves into the canvas, where the audience sees it.
        w.statusBar().removeWidget(w.status)
        self.canvas.status_slot.addWidget(w.status)
        w.status.show()
        w.tape.set_editing_hints(False)  # the audience needs no editing instructions
        self.caption_action.setChecked(self._caption_in_presentation)
        self._update_caption()
        self._lay_out()
        # A window rendered off the screen (a recording, even on a real
        # display) keeps the size it was given.
        if self.full_screen and not w.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen):
            self._saved["full_screen"] = True
            self._awaiting_resize = True
            w.showFullScreen()
        w.tape.setFocus(Qt.FocusReason.OtherFocusReason)
        self._reveal_when_resized()

    def _leave(self) -> None:
        w = self._window
        saved = self._saved
        self._caption_in_presentation = self.caption_action.isChecked()
        self._apply_scale(1.0)
        self.canvas.status_slot.removeWidget(w.status)
        w.statusBar().addWidget(w.status, 1)
        w.status.show()
        w.tape.set_editing_hints(True)
        for panel, index in saved["panels"]:  # type: ignore[union-attr]
            if shiboken6.isValid(panel):
                hidden = panel.isHidden()
                w.main_split.insertWidget(index, panel)
                panel.setHidden(hidden)
        for widget, visible in saved["visible"]:  # type: ignore[union-attr]
            if shiboken6.isValid(widget):
                widget.setVisible(visible)
        self.caption_action.setChecked(bool(saved["caption"]))
        self._update_caption()
        if saved["full_screen"]:
            self._awaiting_resize = True
            w.setWindowState(saved["state"])  # type: ignore[arg-type]
            w.restoreGeometry(saved["geometry"])  # type: ignore[arg-type]
        elif w.geometry() != saved["rect"]:
            w.setGeometry(saved["rect"])  # type: ignore[arg-type]
        # The widget that had the keyboard may have been deleted meanwhile
        # (a dialog's button, a closed lesson bar): the tape gets it then.
        focus = saved["focus"]
        if isinstance(focus, QWidget) and shiboken6.isValid(focus) and focus.isVisible():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            w.tape.setFocus(Qt.FocusReason.OtherFocusReason)
        self._saved = {}
        # The splitters take their sizes back once the window has its old
        # size again: resized later, they would share the difference out.
        main_split = saved["main_split"]
        left_split = saved["left_split"]

        def restore_splitters() -> None:
            w.main_split.restoreState(main_split)  # type: ignore[arg-type]
            w.left.restoreState(left_split)  # type: ignore[arg-type]

        self._reveal_when_resized(restore_splitters)

    def _reveal_when_resized(self, then=None) -> None:
        """Paint again, after *then*, once the layout is final: now, or when
        the window has the size its new state asks for.

        A window manager resizes the window a moment after the state changes;
        some platforms do it at once, and the resize has then been seen.
        """
        self._after_reveal = then
        if self._awaiting_resize:
            self._reveal_timer.start(FULL_SCREEN_WAIT_MS)
        elif not self._reveal_timer.isActive():
            self._reveal()

    def _reveal(self) -> None:
        self._awaiting_resize = False
        self._reveal_timer.stop()
        then, self._after_reveal = self._after_reveal, None
        self._settle()
        if then is not None:
            then()
            self._settle()
        self._window.setUpdatesEnabled(True)

    @staticmethod
    def _settle() -> None:
        """Run the pending layout passes now, before anything is painted."""
        for _ in range(LAYOUT_PASSES):
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def _lay_out(self) -> None:
        """Scale the text for the canvas and share the columns out, settled."""
        self._settle()  # the canvas takes the room the chrome left
        self._apply_scale(self.scale_for(self.canvas.height()))
        self._share_columns()
        self._settle()

    @staticmethod
    def scale_for(height: int) -> float:
        """The presentation scale for a canvas *height* pixels tall."""
        ratio = max(height / REFERENCE_HEIGHT, 1.0)
        scale = round(PRESENTATION_SCALE * ratio / SCALE_STEP) * SCALE_STEP
        return min(scale, MAX_PRESENTATION_SCALE)

    def _on_canvas_resized(self, height: int) -> None:
        if self.active:
            self._apply_scale(self.scale_for(height))
            self._share_columns()
            # Larger text changes the layout inside the canvas; settled now,
            # the paint that follows this resize shows it finished.
            self._settle()

    def _share_columns(self) -> None:
        """Give the plots :data:`PLOT_SHARE` of the width and the diagram
        :data:`DIAGRAM_SHARE` of its column's height.

        The normal layout sizes the diagram for its settings panel below it;
        with the panel hidden and the text enlarged, the plots are what the
        audience reads, and the diagram needs only a band of the height.
        """
        w = self._window
        self._give_share(w.main_split, w.plots, PLOT_SHARE)
        self._give_share(w.left, w.diagram, DIAGRAM_SHARE)
        # The workspace then makes sure every shown view has room (an optional hook).
        fit = getattr(getattr(w, "workspace", None), "fit_columns", None)
        if callable(fit):
            fit()

    @staticmethod
    def _give_share(split: QSplitter, main: QWidget, share: float) -> None:
        """Give *main* *share* of *split*'s room (all of it when alone); the other shown panes share the rest."""
        index = split.indexOf(main)
        others = [i for i in range(split.count()) if i != index and not split.widget(i).isHidden()]
        extent = split.width() if split.orientation() == Qt.Orientation.Horizontal else split.height()
        room = max(extent - split.handleWidth() * len(others), 1)
        own = round(room * share) if others else room
        sizes = [0] * split.count()
        sizes[index] = own
        for i in others:
            sizes[i] = (room - own) // len(others)
        split.setSizes(sizes)

    def _apply_scale(self, scale: float) -> None:
        if scale == self.scale:
            return
        self.scale = scale
        w = self._window
        self._scale_views()
        if scale == 1.0:
            w.status.setFont(QFont())  # back to the inherited font
        else:
            w.status.setFont(theme.scaled_font(w.font(), scale))
        self._present_workspace()
        self._update_fonts()

    def _scale_views(self) -> None:
        # The tape, the diagram, the plots and any other view that can scale
        # its text (an equation panel) grow together.
        for view in self._window.findChildren(QWidget):
            if callable(getattr(view, "set_font_scale", None)):
                view.set_font_scale(self.scale)

    def _on_kind_changed(self, _key: str) -> None:
        if self.active:  # the kind's views may be new: made after the text grew
            self._scale_views()
            self._present_workspace()
            self._settle()

    def _present_workspace(self) -> None:
        """Let the workspace shown lay itself out for presentation mode, or back (its optional hook)."""
        shown = getattr(self._window, "workspace", None)
        presented = self._presented
        if presented is not None and presented is not shown:
            workspaces.set_presentation(presented, False, 1.0)
        on = self.active and self.scale != 1.0
        self._presented = shown if on else None
        if shown is not None:
            workspaces.set_presentation(shown, on, self.scale)

    # -- canvas, keys, caption -------------------------------------------------------
    def set_canvas_size(self, size: tuple[int, int] | None) -> None:
        """Lay the content out at exactly *size* (width, height), or fit the window (None)."""
        if size is not None and tuple(size) not in [s for s in CANVAS_SIZES.values() if s]:
            raise ValueError(f"canvas sizes offered: 1280×720 and 1920×1080, not {size!r}")
        self.stage.set_canvas_size(None if size is None else (int(size[0]), int(size[1])))
        for name, action in self.size_actions.items():
            action.setChecked(CANVAS_SIZES[name] == (None if size is None else tuple(size)))

    def set_show_keys(self, on: bool) -> None:
        """Show (True) or stop showing the keys pressed."""
        self.keys_action.setChecked(on)
        self.watcher.set_enabled(on)
        if not on:
            self.key_overlay.clear()

    def _keys_toggled(self) -> None:
        self.set_show_keys(self.keys_action.isChecked())

    def set_caption_visible(self, on: bool) -> None:
        """Turn the caption line on or off (its text is kept).

        On, it takes room while it has text or the keyboard; an empty
        caption leaves no blank band at the bottom.
        """
        self.caption_action.setChecked(on)
        if not on and self.caption.hasFocus():
            self.caption.give_back()
        self._update_caption()

    def _caption_toggled(self) -> None:
        if self.caption_action.isChecked():
            self.edit_caption()  # turned on to be typed into: it appears with the keyboard
        else:
            self.set_caption_visible(False)

    def edit_caption(self) -> None:
        """Show the caption line and give it the keyboard (F2)."""
        self.caption_action.setChecked(True)
        self.caption.show()
        self.caption.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.caption.selectAll()

    def _update_caption(self, *_: object) -> None:
        caption = self.caption
        caption.setVisible(self.caption_action.isChecked() and (bool(caption.text()) or caption.hasFocus()))

    def _update_fonts(self) -> None:
        # The caption and the key names grow with the presentation text.
        base = self._window.font()
        grow = self.scale / PRESENTATION_SCALE if self.scale > 1.0 else 1.0
        self.caption.setFont(theme.scaled_font(base, CAPTION_FONT_FACTOR * max(grow, 1.0)))
        overlay_font = theme.scaled_font(base, KEY_FONT_FACTOR * max(grow, 1.0))
        overlay_font.setBold(True)
        self.key_overlay.setFont(overlay_font)


def install(window) -> Presentation:
    """Add presentation mode, canvas sizes, the key overlay and the caption line."""
    presentation = Presentation(window)
    window.presentation = presentation
    window.canvas = presentation.canvas
    return presentation
