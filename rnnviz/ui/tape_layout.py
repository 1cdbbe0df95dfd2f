"""The tape's geometry: every size derived from the font, and where each bit's cell is.

:class:`TapeLayout` knows no widget: given the font it gives the cell size and
the rows top to bottom (label strip, cells, ruler, message strip), and given
the scroll offset and the stream's length it maps bits to pixels and back.
:class:`rnnviz.ui.bitstream.BitStreamEditor` asks it, and paints with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QFontMetrics

#: Empty space left of bit 1, so the caret before it and its "x" label fit.
LEFT_PAD_PX: Final[int] = 6


@dataclass(frozen=True, eq=False)
class TapeLayout:
    """The tape's sizes in pixels, for one font (see :meth:`for_font`)."""

    small_font: QFont
    label_font: QFont
    small_metrics: QFontMetrics
    cell_w: int
    cell_h: int
    label_h: int
    cells_top: int
    ruler_top: int
    ruler_h: int
    message_top: int
    message_h: int
    #: Text to box edge of a message drawn without the hint strip.
    message_pad: int
    #: Room for the "ŷ 0.87" caption over the ghost cell.
    caption_w: int

    @classmethod
    def for_font(cls, font: QFont) -> TapeLayout:
        """Every size from *font*, so the tape scales with it (e.g. on a projector)."""
        metrics = QFontMetrics(font)
        small_font = QFont(font)
        if font.pointSizeF() > 0:
            small_font.setPointSizeF(font.pointSizeF() * 0.85)
        else:
            small_font.setPixelSize(max(round(font.pixelSize() * 0.85), 8))
        label_font = QFont(small_font)
        label_font.setBold(True)
        small = QFontMetrics(small_font)
        small_metrics = small
        cell_w = max(metrics.horizontalAdvance("0") * 2 + 10, 20)
        cell_h = max(cell_w, metrics.height() + 10)
        label_h = small.height() + 2
        cells_top = label_h
        ruler_top = cells_top + cell_h
        ruler_h = small.height() + 6
        message_top = ruler_top + ruler_h
        message_h = metrics.height() + 4
        message_pad = max(metrics.averageCharWidth() // 2, 3)  # text to box edge, without hints
        caption_w = small.horizontalAdvance("ŷ 0.00") + 4
        return cls(small_font, label_font, small_metrics, cell_w, cell_h, label_h, cells_top,
                   ruler_top, ruler_h, message_top, message_h, message_pad, caption_w)

    def cell_x(self, index: int, scroll: int) -> int:
        """The left edge of bit *index*'s cell in viewport pixels, at scroll offset *scroll*."""
        return LEFT_PAD_PX + index * self.cell_w - scroll

    def content_width(self, length: int) -> int:
        """The width of a stream of *length* bits with its ghost cell and caption."""
        # Bits, the ghost cell, and room for the "ŷ 0.87" caption that starts
        # at the ghost cell and is wider than it.
        tail = max(self.caption_w - self.cell_w, 0) + LEFT_PAD_PX
        return LEFT_PAD_PX + (length + 1) * self.cell_w + tail

    def index_at(self, x: int, y: int, scroll: int, length: int) -> int | None:
        """The bit whose cell contains viewport point (*x*, *y*), or None."""
        if not self.cells_top <= y < self.cells_top + self.cell_h:
            return None
        offset = x + scroll - LEFT_PAD_PX
        if offset < 0:
            return None
        index = offset // self.cell_w
        return index if index < length else None

    def caret_at(self, x: int, scroll: int, length: int) -> int:
        """The gap between bits nearest viewport x-coordinate *x* (``0 … length``)."""
        offset = x + scroll - LEFT_PAD_PX
        return min(max(round(offset / self.cell_w), 0), length)

    def visible_range(self, scroll: int, width: int, length: int) -> tuple[int, int]:
        """The first and last bit with a cell at least partly in a view *width* wide."""
        left = scroll - LEFT_PAD_PX
        width = max(width, 1)
        first = max(left // self.cell_w, 0)
        last = min((left + width - 1) // self.cell_w, length - 1)
        return first, last

    def scroll_to_show(self, first: int, last: int, margin: int, scroll: int, width: int) -> int | None:
        """The scroll offset that shows cells *first … last* (± *margin*) moving least; None to stay.

        The margin is dropped when the view is too narrow for it.
        """
        for cells in (margin, 0):
            left = LEFT_PAD_PX + (first - cells) * self.cell_w
            right = LEFT_PAD_PX + (last + 1 + cells) * self.cell_w
            if right - left <= width:
                break
        if left < scroll or right - left > width:
            return max(left, 0)
        if right > scroll + width:
            return right - width
        return None

    def message_rect(self, view_width: int, hints: bool, text_advance: float) -> QRect:
        """Where a message *text_advance* pixels wide is drawn in a view *view_width* wide.

        With editing *hints*, the strip under the ruler; without, a box over
        the ruler's lower part, as wide as the text (up to the view's width).
        """
        width = view_width - 2 * LEFT_PAD_PX
        if hints:
            return QRect(LEFT_PAD_PX, self.message_top, width, self.message_h)
        # Rounded up: a box a fraction of a pixel short would elide the last word.
        text_w = math.ceil(text_advance) + 2 * self.message_pad
        bottom = self.message_top  # the viewport's bottom: the strip is gone
        return QRect(LEFT_PAD_PX, bottom - self.message_h, min(text_w, width), self.message_h)
