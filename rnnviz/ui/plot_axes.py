"""The axes of the weight plots: true minus signs, whole ticks, and a cursor label.

:class:`ValueAxis` (the weights' and signals' y axes) writes U+2212 and
short exponents and can tell how wide its labels will be before they are
drawn, so :func:`fit_left_axes` gives the four left axes one width, the
least that fits; :class:`TickAxis` (the shared tick axis) writes whole ticks
with thousands separators and the cursor's tick under the cursor line.
"""

from __future__ import annotations

import math
import re
from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QGraphicsSimpleTextItem

from rnnviz.engine.notation import MINUS
from rnnviz.present.format import power_text
from rnnviz.ui import theme

#: Space between an axis title's text and the widest tick label, in multiples
#: of the font's height. The four left axes share one width, the least that
#: fits the widest label drawn on any of them, so their data areas line up.
AXIS_TITLE_GAP: Final[float] = 0.35


_EXPONENT: Final[re.Pattern[str]] = re.compile(r"e([+-])0*(\d)")


def _typographic(text: str) -> str:
    """*text* with U+2212 for every minus and a short exponent (``1e+06`` → ``1e6``)."""
    text = _EXPONENT.sub(lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)
    return text.replace("-", MINUS)


class ValueAxis(pg.AxisItem):
    """pyqtgraph's axis, writing a true minus sign (U+2212) and short exponents.

    :meth:`label_width` tells, before anything is drawn, how wide the tick
    labels of the present range will be, so the plots can give the axis
    just that room (pyqtgraph silently leaves out a label that does not fit).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._measured: tuple[object, float] | None = None  # (what it depends on, width)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        return [_typographic(text) for text in super().tickStrings(values, scale, spacing)]

    def title_ink_right(self) -> float:
        """Where the rotated title's text ends on the right, in axis coordinates.

        pyqtgraph puts the title (a text item turned a quarter left) at the
        axis' left edge; its box has the text document's margin on each side.
        """
        box = self.label.mapRectToParent(self.label.boundingRect())
        return box.right() - self.label.document().documentMargin()

    def label_width(self) -> float:
        """The width of the widest tick label drawn at the present range and height.

        The levels of ticks and the crowding limits are pyqtgraph's own
        (:meth:`pyqtgraph.AxisItem.generateDrawSpecs`), measured the same way,
        without the check that drops labels wider than the axis.
        """
        bounds = self.mapRectFromParent(self.geometry())
        span = (bounds.topRight() + QPointF(-1, -1), bounds.bottomRight() + QPointF(-1, 1))
        points = [self.mapToDevice(point) for point in span]
        if None in points:
            length = bounds.height() + 2
        else:
            length = math.hypot(points[1].x() - points[0].x(), points[1].y() - points[0].y())
        font = QFont(self.style["tickFont"] or self.font())
        low, high = sorted(self.range)
        key = (low, high, round(length, 3), round(bounds.height(), 3), font.key(), self.style["showValues"])
        if self._measured is not None and self._measured[0] == key:
            return self._measured[1]
        width = self._widest_label(low, high, length, bounds.height(), font)
        self._measured = (key, width)
        return width

    def _widest_label(self, low: float, high: float, length: float, height: float, font: QFont) -> float:
        if not self.style["showValues"] or length <= 0 or high <= low:
            return 0.0
        metrics = QFontMetricsF(font)
        room = QRectF(0, 0, 100, 100)
        centre = int(Qt.AlignmentFlag.AlignCenter)
        # How far past its ends the axis lets a label reach (pyqtgraph's boundingRect).
        overlap = self.style["hideOverlappingLabels"]
        reach = 15 if overlap is False else 0 if overlap is True else int(overlap)
        widest, heights, drawn = 0.0, 0.0, 0
        levels = self.tickValues(low, high, length)[: self.style["maxTextLevel"] + 1]
        for i, (spacing, values) in enumerate(levels):
            values = [v for v in values if low <= v <= high]
            if not values:
                continue
            rects = [metrics.boundingRect(room, centre, text)
                     for text in self.tickStrings(values, self.autoSIPrefixScale * self.scale, spacing)]
            level_heights = heights + sum(rect.height() * 0.8 for rect in rects)
            if i > 0 and any(drawn >= count and level_heights / length >= limit
                             for count, limit in self.style["textFillLimits"]):
                break  # too crowded: pyqtgraph writes no labels from this level on
            heights = level_heights
            for value, rect in zip(values, rects):
                # Labels that would reach too far past the axis' ends are left out.
                y = (high - value) / (high - low) * height
                half = rect.height() * 0.8 / 2
                if -reach <= y - half and y + half <= height + reach:
                    widest = max(widest, rect.width())
                    drawn += 1
        return widest


class TickAxis(pg.AxisItem):
    """The shared tick axis: whole ticks only (no "0.5"), with thousands separators.

    With :meth:`set_cursor` it writes the cursor's tick under the cursor line,
    in the cursor's colour, where the line meets the axis; the tick labels
    it would touch give way, so no number runs into the line. The cursor's
    label is an item of its own: moving it costs no redraw of the axis,
    unless another label has to give way or come back.
    """

    #: Room kept free on each side of the cursor's label, in multiples of its height.
    CURSOR_GAP: Final[float] = 0.3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._cursor: float | None = None
        self._cursor_label = QGraphicsSimpleTextItem(self)
        self._cursor_label.setBrush(QColor(theme.CURSOR))
        self._cursor_label.hide()
        self._labels: list[tuple[QRectF, str]] = []  # the tick labels of the last drawing
        self._hidden: frozenset[int] = frozenset()  # …and those that gave way in it

    def set_cursor(self, tick: float | None) -> None:
        """Label the cursor at *tick* (None: no cursor label)."""
        if tick == self._cursor:
            return
        self._cursor = tick
        self._place_cursor_label()

    def cursor_x(self) -> float | None:
        """Where the cursor line meets the axis, in item coordinates (None when out of view)."""
        low, high = self.range
        if self._cursor is None or high <= low or not low <= self._cursor <= high:
            return None
        bounds = self.mapRectFromParent(self.geometry())
        return bounds.left() + (self._cursor - low) / (high - low) * bounds.width()

    @property
    def drawn_labels(self) -> list[tuple[QRectF, str]]:
        """The labels on show, ``(rect in item coordinates, text)``; the cursor's last."""
        shown = [label for i, label in enumerate(self._labels) if i not in self._hidden]
        if self._cursor_label.isVisible():
            shown.append((self._cursor_rect(), self._cursor_label.text()))
        return shown

    # -- keeping the cursor's label in place ---------------------------------------------
    def setRange(self, mn, mx):  # noqa: N802 (pyqtgraph override)
        super().setRange(mn, mx)
        self._place_cursor_label()

    def resizeEvent(self, ev=None):  # noqa: N802 (pyqtgraph override)
        super().resizeEvent(ev)
        self._place_cursor_label()

    def setStyle(self, **kwargs):  # noqa: N802 (pyqtgraph override)
        super().setStyle(**kwargs)
        self._place_cursor_label()

    def _place_cursor_label(self) -> None:
        label = getattr(self, "_cursor_label", None)
        if label is None:
            return  # pyqtgraph sizes and styles the axis while building it
        x = self.cursor_x()
        if x is None or not self.style["showValues"]:
            label.hide()
        else:
            font = QFont(self.style["tickFont"] or self.font())
            font.setBold(True)
            label.setFont(font)
            label.setText(self.tickStrings([self._cursor], 1.0, 1.0)[0])
            size = label.boundingRect().size()
            bounds = self.mapRectFromParent(self.geometry())
            # Where pyqtgraph puts the tops of the tick labels.
            top = bounds.top() + max(0, self.style["tickLength"]) + self.style["tickTextOffset"][1]
            left = min(max(x - size.width() / 2, bounds.left()), bounds.right() - size.width())
            label.setPos(left, top)
            label.show()
        if self._clashing() != self._hidden:
            self.picture = None  # pyqtgraph redraws its cached picture only when told
            self.update()

    def _cursor_rect(self) -> QRectF:
        label = self._cursor_label
        return QRectF(label.pos(), label.boundingRect().size())

    def _clashing(self) -> frozenset[int]:
        """The tick labels within reach of the cursor's label."""
        if not self._cursor_label.isVisible():
            return frozenset()
        own = self._cursor_rect()
        gap = self.CURSOR_GAP * own.height()
        keep_clear = own.adjusted(-gap, 0, gap, 0)
        return frozenset(i for i, (rect, _) in enumerate(self._labels) if rect.intersects(keep_clear))

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):  # noqa: N802 (pyqtgraph override)
        self._labels = [(QRectF(rect), text) for rect, _flags, text in textSpecs]
        self._hidden = self._clashing()
        kept = [spec for i, spec in enumerate(textSpecs) if i not in self._hidden]
        super().drawPicture(p, axisSpec, tickSpecs, kept)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph override)
        levels = super().tickSpacing(minVal, maxVal, size)
        # pyqtgraph's spacings are 1, 2 or 5 × 10^k: those of 1 or more are whole numbers.
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1 - 1e-9]
        return whole or [(1.0, 0.0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        return [f"{round(v * scale):,}".replace("-", MINUS) for v in values]


def fit_left_axes(plots: list[pg.PlotItem], default_font: QFont) -> None:
    """Give the left axes the room their title and widest tick label need, no more.

    One width for all of them, so their data areas line up. A room made for
    the widest label any zoom could need left the titles far from their
    axes and the data area half the plot at presentation sizes.
    """
    axes: list[ValueAxis] = [plot.getAxis("left") for plot in plots]
    font = QFont(axes[0].style["tickFont"] or default_font)
    style = axes[0].style
    title = max(axis.title_ink_right() for axis in axes)
    gap = AXIS_TITLE_GAP * QFontMetricsF(font).height()
    labels = max(axis.label_width() for axis in axes)
    # Tick labels end tickTextOffset short of the axis line (the ticks point inwards).
    width = math.ceil(title + gap + labels + style["tickTextOffset"][0] + max(0, style["tickLength"]) + 1)
    if all(axis.fixedWidth == width for axis in axes):
        return
    for axis in axes:
        axis.setWidth(width)
    # Laid out now, not at the next turn of the event loop: the frame
    # about to be painted has the data area the labels leave.
    for plot in plots:
        plot.layout.activate()


class LogAxis(pg.AxisItem):
    """A log axis whose labels never overlap: every decade (or every 2nd, 3rd, … when decades
    are closer than a few label heights), 2 and 5 between them when a decade is tall enough,
    the other multiples unlabelled. pyqtgraph's own labels 2 … 9 in every decade of a short
    range, which pile up at the top of each decade."""

    #: Room a label needs, in label heights.
    SPACING: Final[float] = 1.6

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self._label_twos_fives = False

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 (pyqtgraph API)
        low, high = sorted((minVal, maxVal))
        if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 0 or size <= 0:
            return []
        label = QFontMetrics(self.style["tickFont"] or QFont()).height() * self.SPACING
        per_decade = size / (high - low)
        every = max(1, math.ceil(label / per_decade))
        first, last = math.floor(low), math.ceil(high)
        decades = [float(k) for k in range(first, last + 1) if k % every == 0 and low <= k <= high]
        # 2 and 5 are labelled when the gap from 2 to 5 (0.4 of a decade) and from 5 to 10 (0.3) hold a label.
        self._label_twos_fives = every == 1 and 0.3 * per_decade >= label
        twos_fives = [k + math.log10(m) for k in range(first, last) for m in (2, 5)]
        rest = [k + math.log10(m) for k in range(first, last) for m in (3, 4, 6, 7, 8, 9)]
        inside = lambda values: [v for v in values if low <= v <= high]  # noqa: E731
        if every > 1:
            return [(float(every), decades), (None, inside([float(k) for k in range(first, last + 1)]))]
        return [(1.0, decades), (None, inside(twos_fives)), (None, inside(rest))]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph API)
        strings = []
        for v in values:
            mantissa = round(10.0 ** (v - math.floor(v + 1e-9)))
            labelled = mantissa == 1 and (spacing is not None) or (mantissa in (2, 5) and self._label_twos_fives)
            strings.append(power_text(10.0 ** v) if labelled else "")
        return strings
