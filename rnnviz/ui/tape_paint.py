"""Painting the bit tape: cells, the ghost cell, the x/y labels, the ruler, the caret, the message.

:class:`TapePainter` paints what :class:`rnnviz.ui.bitstream.BitStreamEditor`
holds (its session, caret, message and sizes) and changes nothing but the
count of cells it painted. It is a part of the editor, kept apart so the
widget's editing and its drawing can each be read on their own.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QAbstractScrollArea

from rnnviz.present.format import fixed, guess_text
from rnnviz.ui import theme

#: Shown in the message strip while there is no message.
EDIT_HINT: Final[str] = (
    "click a bit to flip it  ·  click on the numbers below to place the caret, then type 0 or 1"
    "  ·  Backspace / Delete remove  ·  Ctrl+V pastes a stream such as 1^10 0^10"
)
#: Every this many bits the ruler prints a number, with a short mark half-way.
RULER_LABEL_EVERY: Final[int] = 10
RULER_MARK_EVERY: Final[int] = 5

# Cell colours: calm greys, so the two highlight colours are the only hues on
# the tape. 1s are a shade darker than 0s; bits the network has not reached
# yet are drawn paler, so "done" and "to come" read at a glance.
_ZERO_FILL: Final[str] = "#ffffff"
_ONE_FILL: Final[str] = "#d4d4d4"
_ONE_FILL_FUTURE: Final[str] = "#e9e9e9"
_BORDER: Final[str] = "#b4b4b4"
_BORDER_FUTURE: Final[str] = "#d2d2d2"
_TEXT: Final[str] = "#1a1a1a"
_TEXT_FUTURE: Final[str] = "#9a9a9a"
_INFO_TEXT: Final[str] = "#505050"

def _blend(colour: str, weight: float, base: str = "#ffffff") -> QColor:
    """*colour* mixed with *base*, ``weight`` of the way towards *colour*."""
    a, b = QColor(colour), QColor(base)
    return QColor(
        round(b.red() + (a.red() - b.red()) * weight),
        round(b.green() + (a.green() - b.green()) * weight),
        round(b.blue() + (a.blue() - b.blue()) * weight),
    )


class TapePainter:
    """Paints *editor*'s viewport; :meth:`paint` is called from its ``paintEvent``."""

    # The editor is not imported, even for its type: it imports this module.
    def __init__(self, editor: QAbstractScrollArea) -> None:
        self._editor = editor

    def paint(self, painter: QPainter) -> None:
        """Paint the tape's visible part, the ghost cell, labels, ruler, caret and message."""
        e = self._editor
        session = e.adapter.session
        bits = session.bits
        length = len(bits)
        width = e.viewport().width()
        palette = e.palette()
        painter.fillRect(e.viewport().rect(), palette.base())

        first, last = e.visible_range()
        x_bit, y_bit = e.highlighted()
        seen_up_to = x_bit + 1  # bits after the target of the tick shown are still to come
        visible = bits[first : last + 1] if last >= first else bits[:0]
        e.last_painted_cells = len(visible)

        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(e.font())
        for offset, value in enumerate(visible.tolist()):
            index = first + offset
            if index == x_bit:
                fill, border, text = QColor(theme.INPUT_HIGHLIGHT), QColor(theme.INPUT_HIGHLIGHT).darker(130), None
            elif index == y_bit:
                fill, border, text = QColor(theme.TARGET_HIGHLIGHT), QColor(theme.TARGET_HIGHLIGHT).darker(130), None
            elif index <= seen_up_to:
                fill = QColor(_ONE_FILL if value else _ZERO_FILL)
                border, text = QColor(_BORDER), QColor(_TEXT)
            else:
                fill = QColor(_ONE_FILL_FUTURE if value else _ZERO_FILL)
                border, text = QColor(_BORDER_FUTURE), QColor(_TEXT_FUTURE)
            if text is None:
                text = theme.text_color_on(fill)
            rect = e.cell_rect(index).adjusted(1, 1, -1, -1)
            painter.setPen(QPen(border, 1))
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 3, 3)
            painter.setPen(text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "1" if value else "0")

        self._paint_ghost(painter, length, width)
        self._paint_labels(painter, x_bit, y_bit)
        self._paint_ruler(painter, first, last, length)
        self._paint_caret(painter)
        self._paint_message(painter, width)

    def _paint_ghost(self, painter: QPainter, length: int, width: int) -> None:
        e = self._editor
        rect = e.cell_rect(length)
        if rect.left() >= width or rect.right() < 0:
            return
        session = e.adapter.session
        inner = rect.adjusted(1, 1, -1, -1)
        if session.at_end:
            yhat, bit = session.guess()
            colour = QColor(theme.SIGNAL_COLOURS["yhat"])
            painter.setPen(QPen(colour, 1))
            painter.setBrush(_blend(theme.SIGNAL_COLOURS["yhat"], 0.25))
            painter.drawRoundedRect(inner, 3, 3)
            painter.setPen(QColor(_TEXT))
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "?" if bit is None else str(bit))
            painter.setFont(e._layout.small_font)
            painter.setPen(colour.darker(140))
            caption = QRect(rect.left() + 1, 0, e._layout.caption_w + 4, e._layout.label_h)
            painter.drawText(caption, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"ŷ {fixed(yhat, 2)}")
            painter.setFont(e.font())
        else:
            pen = QPen(QColor(theme.NEUTRAL), 1, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(inner, 3, 3)
            painter.setPen(QColor(theme.NEUTRAL))
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "?")

    def _paint_labels(self, painter: QPainter, x_bit: int, y_bit: int | None) -> None:
        e = self._editor
        # The letters name the two highlight colours, so the tape needs no legend.
        painter.setFont(e._layout.label_font)
        for index, letter, colour in ((x_bit, "x", theme.INPUT_HIGHLIGHT),
                                      (y_bit, "y", theme.TARGET_HIGHLIGHT)):
            if index is None:
                continue
            cell = e.cell_rect(index)
            painter.setPen(QColor(colour).darker(170))
            painter.drawText(QRect(cell.left(), 0, cell.width(), e._layout.label_h),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, letter)
        painter.setFont(e.font())

    def _paint_ruler(self, painter: QPainter, first: int, last: int, length: int) -> None:
        e = self._editor
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(e._layout.small_font)
        metrics = e._layout.small_metrics
        colour = e.palette().color(e.foregroundRole())
        mark_colour = QColor(colour)
        mark_colour.setAlpha(110)
        top = e._layout.ruler_top
        # Numbers are wider than a cell, so those of cells just out of view
        # may still show their edge: widen the loop by a few cells.
        spill = 4
        for index in range(max(first - spill, 0), min(last + spill, length - 1) + 1):
            number = index + 1
            labelled = number % RULER_LABEL_EVERY == 0 or number == 1
            if not labelled and number % RULER_MARK_EVERY:
                continue
            centre = e.cell_rect(index).center().x()
            painter.setPen(mark_colour)
            painter.drawLine(centre, top + 1, centre, top + (4 if labelled else 2))
            if labelled:
                text = f"{number:,}"
                text_w = metrics.horizontalAdvance(text)
                painter.setPen(colour)
                painter.drawText(QRect(centre - text_w // 2 - 2, top + 4, text_w + 4, metrics.height()),
                                 Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(e.font())

    def _paint_caret(self, painter: QPainter) -> None:
        e = self._editor
        if not e.hasFocus() or not e.editing_hints:
            return
        x = e._layout.cell_x(e.caret, e.horizontalScrollBar().value())
        if not -2 <= x <= e.viewport().width() + 2:
            return
        painter.fillRect(QRect(x - 1, e._layout.cells_top - 2, 2, e._layout.cell_h + 4), QColor(theme.CURSOR))

    def _paint_message(self, painter: QPainter, width: int) -> None:
        e = self._editor
        rect = e._layout.message_rect(width, hints=True, text_advance=0.0)  # the strip under the ruler
        colour = QColor(theme.ERROR_TEXT if e._message_is_error else _INFO_TEXT)
        if e.message and not e.editing_hints:
            # No strip: an opaque box over the ruler, so no number runs through the text.
            box = e.message_rect()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(_blend(colour.name(), 0.45), 1))
            painter.setBrush(e.palette().base())
            painter.drawRoundedRect(box.adjusted(0, 0, -1, -1), 3, 3)
            rect = box.adjusted(e._layout.message_pad, 0, -e._layout.message_pad, 0)
            painter.setFont(e.font())
            painter.setPen(colour)
            message = e.message
        elif e.message:
            painter.setFont(e.font())
            painter.setPen(colour)
            message = e.message
        elif not e.editing_hints:
            return
        else:
            # With nothing to report, the strip says how to edit the tape.
            painter.setFont(e._layout.small_font)
            painter.setPen(QColor(theme.NEUTRAL).darker(115))
            message = EDIT_HINT
        text = painter.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)


_GHOST_HINT: Final[str] = (
    "the network's guess for the next, unknown bit appears when the run reaches the end"
)


def tooltip_text(editor: QAbstractScrollArea, pos: QPoint) -> str:
    """The tooltip of *editor*'s tape at *pos* (viewport coordinates); ``""`` where there is none."""
    session = editor.adapter.session
    length = len(session.bits)
    if editor.message_rect().contains(pos):
        return editor.message
    if editor.cell_rect(length).contains(pos):
        if not session.at_end:
            return _GHOST_HINT
        guess = guess_text(*session.guess())
        return f"the network's guess for bit {length + 1:,}, the next, unknown one: {guess}"
    index = editor.index_at(pos)
    if index is None:
        return ""
    number = index + 1
    roles = []
    if index < length - 1:  # bit i is the input of tick i (human number i + 1)
        roles.append(f"input of tick {number:,}")
    if index > 0:  # …and the target of tick i − 1
        roles.append(f"target of tick {index:,}")
    text = f"bit {number:,} = {int(session.bits[index])} · {', '.join(roles)}"
    if index == length - 1:
        text += " · input of the guess for the next bit"
    x_bit, y_bit = editor.highlighted()
    tick = x_bit + 1
    if index == x_bit:
        text += f"\nx of the tick shown (tick {tick:,})"
    elif index == y_bit:
        text += f"\ny of the tick shown (tick {tick:,})"
    return text
