"""The legend under the network diagram: the activation scale, the edge colours, widths and glow.

:mod:`rnnviz.ui.diagram_layout` places its entries
(:data:`~rnnviz.present.diagram.LEGEND_ENTRIES`) in rows; this paints them,
with the same colour rule as the network above it.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QLinearGradient, QPainter, QPen, QPolygonF

from rnnviz.ui import theme
from rnnviz.ui.diagram_layout import DiagramLayout, LegendItem, widened

#: The outline of the nodes and of the activation bar.
OUTLINE: Final[str] = "#3c3c3c"
#: The rule between the network and its legend.
_RULE: Final[str] = "#dddddd"
_INK: Final[str] = theme.INK


def paint_legend(painter: QPainter, layout: DiagramLayout, width: int) -> None:
    """The rule above the legend and every entry of *layout*'s legend, in a *width*-wide widget."""
    painter.setPen(QPen(QColor(_RULE), 1.0))
    margin = layout.caption_lines[0][1].left()
    painter.drawLine(QPointF(margin, layout.legend_rule),
                     QPointF(width - margin, layout.legend_rule))
    fm_small_bold = QFontMetricsF(layout.small_bold)
    small_line = QFontMetricsF(layout.small).height()
    for item in layout.legend:
        rect = item.rect
        x = rect.left()
        if item.lead:
            painter.setFont(layout.small_bold)
            painter.setPen(QColor(_INK))
            lead_width = fm_small_bold.horizontalAdvance(item.lead)
            lead_height = 0.8 * small_line if item.kind == "bar" else rect.height()
            painter.drawText(QRectF(x, rect.top(), lead_width + 2, lead_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             item.lead)
            x += lead_width + 0.5 * small_line
        if item.kind == "bar":
            _paint_bar(painter, layout, rect, small_line)
        else:
            _paint_sample(painter, layout, item, x, small_line)


def _paint_bar(painter: QPainter, layout: DiagramLayout, rect: QRectF, small_line: float) -> None:
    """The activation scale: the PuOr map as a bar, its ends and middle written under it."""
    first, last = layout.bar_ticks[0][1], layout.bar_ticks[-1][1]
    bar = QRectF(first.center().x(), rect.top(),
                 last.center().x() - first.center().x(), 0.8 * small_line)
    gradient = QLinearGradient(bar.topLeft(), bar.topRight())
    stops = theme.ACTIVATION_STOPS
    for index, color in enumerate(stops):
        gradient.setColorAt(index / (len(stops) - 1), QColor(color))
    painter.setPen(QPen(QColor(OUTLINE), 0.8))
    painter.setBrush(QBrush(gradient))
    painter.drawRect(bar)
    painter.setFont(layout.small)
    painter.setPen(QColor(_INK))
    for text, tick_rect in layout.bar_ticks:
        painter.drawText(widened(tick_rect), Qt.AlignmentFlag.AlignCenter, text)


def _paint_sample(painter: QPainter, layout: DiagramLayout, item: LegendItem, x: float,
                  small_line: float) -> None:
    """An edge sample from *x* (a coloured stroke, a wedge or a glow) and its text."""
    stroke, rect = layout.stroke, item.rect
    sample = QRectF(x, rect.top(), 2.0 * small_line, rect.height())
    middle = sample.center().y()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if item.kind in ("positive", "negative"):
        color = QColor(theme.POSITIVE if item.kind == "positive" else theme.NEGATIVE)
        painter.setPen(QPen(color, 3.0 * stroke, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.FlatCap))
        painter.drawLine(QPointF(sample.left(), middle), QPointF(sample.right(), middle))
    elif item.kind == "width":
        # A wedge from thin to thick says "width grows with |w|".
        half_thin, half_thick = 0.5 * stroke, 0.4 * small_line
        wedge = QPolygonF([
            QPointF(sample.left(), middle - half_thin),
            QPointF(sample.right(), middle - half_thick),
            QPointF(sample.right(), middle + half_thick),
            QPointF(sample.left(), middle + half_thin),
        ])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.NEUTRAL))
        painter.drawPolygon(wedge)
    else:  # glow: orange and purple halves, as a + and a − change glow
        for part, color in ((0, theme.POSITIVE), (1, theme.NEGATIVE)):
            glow = QColor(color)
            glow.setAlphaF(0.6)
            left = sample.left() + part * sample.width() / 2
            painter.setPen(QPen(glow, 0.8 * small_line, Qt.PenStyle.SolidLine,
                                Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(left, middle),
                             QPointF(left + sample.width() / 2, middle))
        painter.setPen(QPen(QColor(theme.NEUTRAL), 1.5 * stroke))
        painter.drawLine(QPointF(sample.left(), middle), QPointF(sample.right(), middle))
    painter.setFont(layout.small)
    painter.setPen(QColor(_INK))
    text_rect = QRectF(sample.right() + 0.35 * small_line, rect.top(),
                       rect.right() - sample.right(), rect.height())
    painter.drawText(widened(text_rect),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, item.text)
