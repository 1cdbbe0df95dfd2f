"""The bit stream editor: the input tape at the top of the main window.

One row of cells, one per bit, scrolled sideways. It shows which bits the
tick on screen reads (``x``) and predicts (``y``), what the network guesses
for the unknown bit after the stream, and lets a student flip, type, delete
and paste bits. Every edit goes through the :class:`SessionAdapter`, which
validates it and puts it on the undo stack; a refused edit leaves a short
message under the tape and changes nothing.

Geometry, top to bottom, in viewport pixels::

    label strip   "x" / "y" over the highlighted cells, "ŷ 0.87" over the ghost
    cell row      the bits, then the ghost cell for the next, unknown bit
    ruler         1-based bit numbers (as a text editor numbers columns)
    message strip the last refused edit, in the error colour

Without editing hints (presentation mode) the message strip takes no room:
the tape ends under the ruler, and a message is drawn in a box over the
ruler for as long as it lasts, so the layout never moves for it.

Only the cells inside the viewport are painted, so a ten-million-bit stream
costs the same per frame as a twenty-bit one.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import (
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QMenu, QSizePolicy, QToolTip, QWidget

from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.tape_edit import TapeEditing, wheel_step
from rnnviz.ui.tape_layout import TapeLayout
from rnnviz.ui.tape_paint import TapePainter, tooltip_text

__all__ = ["FOLLOW_MARGIN_CELLS", "MESSAGE_TIMEOUT_MS", "BitStreamEditor"]

#: How long a refused edit's message stays under the tape.
MESSAGE_TIMEOUT_MS: Final[int] = 6000
#: Cells kept visible beyond the highlighted ones when the view follows the cursor.
FOLLOW_MARGIN_CELLS: Final[int] = 3



class BitStreamEditor(QAbstractScrollArea):
    """A horizontally scrolling tape of the session's bits, with editing.

    Parameters
    ----------
    adapter : SessionAdapter
        The session to show and edit; the editor reads ``adapter.session``
        and changes it only through the adapter's undoable methods.
    parent : QWidget, optional
        The Qt parent.

    Notes
    -----
    Plain arrow keys, Home, End, Space, ``,``, ``.``, ``+`` and ``-`` are left
    to the main window's shortcuts (step, reset, run, play, speed); the
    editor claims only 0, 1, Backspace, Delete, Ctrl+arrows, Ctrl+Home/End,
    copy and paste.
    """

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._painter = TapePainter(self)
        self._editing_ops = TapeEditing(self)
        self._caret = 0
        self._message = ""
        self._message_is_error = True
        # Set while an edit made here runs, so the view stays on the edited
        # place instead of jumping back to the cursor's cells.
        self._editing = False
        self._font_scale = 1.0
        self._unscaled_font: QFont | None = None
        # False in presentation mode: the audience needs no editing instructions.
        self._editing_hints = True
        #: Bit cells drawn by the last paint (tests check it stays small).
        self.last_painted_cells: int = 0

        self._message_timer = QTimer(self)
        self._message_timer.setObjectName("bitstream-message")
        self._message_timer.setSingleShot(True)
        self._message_timer.setInterval(MESSAGE_TIMEOUT_MS)
        self._message_timer.timeout.connect(self.clear_message)

        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(True)  # for the toggle/caret mouse pointer
        self.setAccessibleName("Bit stream")
        self.setWhatsThis(
            "The input stream. Click a bit to flip it; click between bits or on the "
            "numbers to place the caret, then type 0 or 1, Backspace or Delete. "
            "Ctrl+V pastes text such as 1^10 0^10 or random(20, 0.3, seed=2)."
        )

        self._update_metrics()
        self._update_scroll_range()
        adapter.changed.connect(self._on_changed)

    # ------------------------------------------------------------------ public API
    @property
    def adapter(self) -> SessionAdapter:
        """The adapter whose session this editor shows."""
        return self._adapter

    @property
    def caret(self) -> int:
        """Insertion point: the number of bits before it (``0 … len(bits)``)."""
        return self._caret

    @property
    def message(self) -> str:
        """The inline message shown under the tape, ``""`` when there is none."""
        return self._message

    def set_font_scale(self, scale: float) -> None:
        """Enlarge (or shrink) the tape's text and cells, e.g. for presentation mode.

        Parameters
        ----------
        scale : float
            Factor on the inherited font size; 1.0 goes back to the inherited
            font. Every size on the tape derives from the font, so the cells,
            labels and ruler grow with it.
        """
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        if self._unscaled_font is None:
            # An empty QFont gives the inherited font back; a font set on the
            # tape itself is kept as it was.
            own = self.testAttribute(Qt.WidgetAttribute.WA_SetFont)
            self._unscaled_font = QFont(self.font()) if own else QFont()
        self._font_scale = scale
        if scale == 1.0:
            self.setFont(self._unscaled_font)
            self._unscaled_font = None
            return
        inherited = self.parentWidget().font() if self.parentWidget() else QGuiApplication.font()
        self.setFont(theme.scaled_font(self._unscaled_font.resolve(inherited), scale))  # the FontChange handler re-derives every size

    @property
    def editing_hints(self) -> bool:
        """Whether the strip under the tape explains how to edit it while idle."""
        return self._editing_hints

    def set_editing_hints(self, visible: bool) -> None:
        """Show or hide the editing instructions, e.g. hidden in presentation mode.

        Parameters
        ----------
        visible : bool
            False hides the idle hint and the caret, and the strip under the
            ruler that holds them takes no room: the tape ends under the
            ruler. A message (a refused edit, which answers something the
            user just did, or a note) is then drawn in a box over the ruler
            while it lasts, so the tape's height never changes for one.
        """
        visible = bool(visible)
        if visible != self._editing_hints:
            self._editing_hints = visible
            self.updateGeometry()
            self.viewport().update()

    def set_caret(self, index: int) -> None:
        """Move the caret before bit *index* (clamped to the stream) and scroll to it.

        Parameters
        ----------
        index : int
            Bits before the caret; ``len(bits)`` puts it after the last bit.
        """
        index = min(max(int(index), 0), self._length())
        if index != self._caret:
            self._caret = index
            self.viewport().update()
        self._ensure_visible(max(index - 1, 0), index, margin=1)

    def cell_rect(self, index: int) -> QRect:
        """The rectangle of bit *index* in viewport coordinates.

        ``index == len(bits)`` gives the ghost cell of the predicted next bit.
        The rectangle may lie outside the viewport.
        """
        layout = self._layout
        x = layout.cell_x(index, self.horizontalScrollBar().value())
        return QRect(x, layout.cells_top, layout.cell_w, layout.cell_h)

    def index_at(self, pos: QPoint) -> int | None:
        """The bit whose cell contains *pos* (viewport coordinates), or None."""
        return self._layout.index_at(pos.x(), pos.y(), self.horizontalScrollBar().value(), self._length())

    def visible_range(self) -> tuple[int, int]:
        """The first and last bit index with a cell at least partly in view.

        Returns
        -------
        tuple of int
            ``(first, last)``; ``last < first`` when no bit is in view.
        """
        return self._layout.visible_range(
            self.horizontalScrollBar().value(), self.viewport().width(), self._length()
        )

    def highlighted(self) -> tuple[int, int | None]:
        """The input and target bit of the tick shown (target None when there is none).

        The tick shown is the one the diagram and the equations show: in slow
        motion the tick taken apart in stages (``adapter.stage_tick``), else
        ``max(cursor − 1, 0)``, the last tick done or, before any, a preview
        of tick 0.
        """
        session = self._adapter.session
        stage_tick = self._adapter.stage_tick
        tick = max(session.cursor - 1, 0) if stage_tick is None else stage_tick
        return tick, (tick + 1 if tick + 1 < len(session.bits) else None)

    def show_message(self, text: str, *, error: bool = True) -> None:
        """Show *text* under the tape for a few seconds.

        Parameters
        ----------
        text : str
            One line, e.g. an :class:`InputError`'s message.
        error : bool
            Draw it in the error colour (default) or as a neutral note.
        """
        self._message = text
        self._message_is_error = error
        self._message_timer.start()
        self.viewport().update()

    def message_rect(self) -> QRect:
        """Where the message is drawn, in viewport coordinates (empty when there is none).

        With editing hints, the strip under the ruler; without, a box over
        the ruler's lower part, as wide as the text (up to the viewport's width).
        """
        if not self._message:
            return QRect()
        hints = self._editing_hints
        advance = 0.0 if hints else QFontMetricsF(self.font()).horizontalAdvance(self._message)
        return self._layout.message_rect(self.viewport().width(), hints, advance)

    def clear_message(self) -> None:
        """Remove the inline message (if any)."""
        self._message_timer.stop()
        if self._message:
            self._message = ""
            self.viewport().update()

    def paste_text(self, text: str) -> bool:
        """Insert *text*, read in the sequence language, at the caret; see :meth:`TapeEditing.paste_text`."""
        return self._editing_ops.paste_text(text)

    def copy_stream(self) -> str:
        """Put the whole stream on the clipboard in the sequence language; return the text."""
        return self._editing_ops.copy_stream()

    def tooltip_at(self, pos: QPoint) -> str:
        """The tooltip for *pos* (viewport coordinates); ``""`` where there is none."""
        return tooltip_text(self, pos)

    # ------------------------------------------------------------------ geometry
    def _length(self) -> int:
        return len(self._adapter.session.bits)

    def _update_metrics(self) -> None:
        """Derive every size from the font, so the tape scales with it (e.g. on a projector)."""
        self._layout = TapeLayout.for_font(self.font())

    def _content_width(self) -> int:
        return self._layout.content_width(self._length())

    def _update_scroll_range(self) -> None:
        bar = self.horizontalScrollBar()
        width = self.viewport().width()
        scrolls = bar.maximum() > 0
        bar.setRange(0, max(self._content_width() - width, 0))
        if not self._editing_hints and (bar.maximum() > 0) != scrolls:
            self.updateGeometry()  # the bar comes or goes, and with it its room
        bar.setPageStep(max(width, 1))
        bar.setSingleStep(self._layout.cell_w)

    def _ensure_visible(self, first: int, last: int, margin: int) -> None:
        """Scroll as little as possible so cells *first … last* (± *margin*) are in view."""
        bar = self.horizontalScrollBar()
        value = self._layout.scroll_to_show(first, last, margin, bar.value(), self.viewport().width())
        if value is not None:
            bar.setValue(value)

    def _follow_cursor(self) -> None:
        x_bit, y_bit = self.highlighted()
        last = y_bit if y_bit is not None else x_bit
        if self._adapter.session.at_end:
            last = self._length()  # the ghost cell holds the answer at the end
        self._ensure_visible(x_bit, last, FOLLOW_MARGIN_CELLS)

    def _caret_at(self, pos: QPoint) -> int:
        return self._layout.caret_at(pos.x(), self.horizontalScrollBar().value(), self._length())

    # ------------------------------------------------------------------ Qt overrides
    def sizeHint(self) -> QSize:
        return QSize(40 * self._layout.cell_w, self._fixed_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(8 * self._layout.cell_w, self._fixed_height())

    def _fixed_height(self) -> int:
        bar = self.horizontalScrollBar().sizeHint().height()
        if self._editing_hints:
            # The strip, and room for the scroll bar kept even while it is
            # hidden: typing bits never moves the layout.
            return self._layout.message_top + self._layout.message_h + bar + 2 * self.frameWidth()
        # For an audience no band of background: the scroll bar takes room
        # only while the stream is wider than the tape.
        if self.horizontalScrollBar().maximum() == 0:
            bar = 0
        return self._layout.message_top + bar + 2 * self.frameWidth()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._update_metrics()
            self._update_scroll_range()
            self.updateGeometry()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scroll_range()
        self._follow_cursor()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        # Repaint rather than blit: labels and highlights depend on the view.
        self.viewport().update()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.viewport().update()  # the caret is drawn only with focus

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            # Claim only the editor's own keys; everything else (plain arrows,
            # Space, Home, End, , . + -) must reach the window's shortcuts.
            if self._editing_ops.key_action(event) is not None:  # type: ignore[arg-type]
                event.accept()
                return True
            event.ignore()
            return False
        return super().event(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            help_event: QHelpEvent = event  # type: ignore[assignment]
            text = self.tooltip_at(help_event.pos())
            if text:
                QToolTip.showText(help_event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self._editing_ops.click(event.position().toPoint())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        # Qt's default treats the second click of a double-click as another
        # press, which would flip the bit straight back: a student who
        # double-clicks, as on a desktop icon, would see nothing happen.
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        # The press did the work; taking the release keeps it from travelling
        # to the parent, which would treat it as its own click.
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        shape = self._editing_ops.pointer_at(event.position().toPoint())
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        # The tape has no vertical extent, so the ordinary wheel scrolls sideways.
        step = wheel_step(event, self._layout.cell_w)
        if step == 0:
            event.ignore()
            return
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() - round(step))
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._editing_ops.key_action(event)
        if action is None:
            event.ignore()  # let the window (or a parent) have it
            return
        action()
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()

    def context_menu(self, pos: QPoint) -> QMenu:
        """The context menu for a right click at *pos*; see :meth:`TapeEditing.context_menu`."""
        return self._editing_ops.context_menu(pos)

    # ------------------------------------------------------------------ model changes
    def _on_changed(self, flags: int) -> None:
        changes = Change(flags)
        if changes & Change.STREAM:
            self._update_scroll_range()
            self._caret = min(self._caret, self._length())
        # An edit made here keeps the edited place in view; everything else
        # (steps, play, undo from the window) brings the tick shown into view.
        if changes & (Change.CURSOR | Change.STREAM | Change.STAGE) and not self._editing:
            self._follow_cursor()
        self.viewport().update()

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._painter.paint(painter)
        finally:
            painter.end()
