"""The network diagram: the one-neuron network drawn with the numbers of one tick.

Four circles in a row — input ``x``, hidden ``h`` (with its self-loop),
output ``ŷ`` and, beside it, the target ``y`` — joined by the three weights
``ih``, ``hh`` and ``ho``. Every colour follows the one rule of
:mod:`rnnviz.ui.theme`: a node is filled by its value on the PuOr map
(purple low, orange high), an edge is orange for a positive weight and purple
for a negative one, and its width grows with ``|w|``. When the cursor moves
forward onto a tick, every weight that changed glows briefly in the colour of
the sign of its change, so the eye catches *what* the tick taught.

What is shown
-------------
Which tick is shown, its numbers and texts, and what a slow-motion stage
highlights are worked out without Qt by :func:`rnnviz.present.diagram.diagram_state`
(read its module for the rules). The widget calls it only in
:meth:`NetworkDiagram._refresh` (on :attr:`SessionAdapter.changed`, which
also says when the stage changed), turns the values into colours, lays the
texts out (:mod:`rnnviz.ui.diagram_layout`) and paints (the legend:
:mod:`rnnviz.ui.diagram_legend`); painting never asks the session or the
engine anything. :meth:`NetworkDiagram.state` is what it paints.
The glow of a change is the widget's own: it follows moves of the cursor.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QEasingCurve, QPointF, QRectF, QSize, Qt, QVariantAnimation
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFontMetricsF,
    QHideEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QWidget

from rnnviz.engine.explain import sign
from rnnviz.present.diagram import EDGES, NODE_NAMES, DiagramState, diagram_state
from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.diagram_layout import (
    MIN_HEIGHT, MIN_WIDTH, DiagramLayout, arrow_length, arrowhead, edge_paths, edge_width,
    fit_layout, widened,
)
from rnnviz.ui.diagram_legend import OUTLINE, paint_legend

__all__ = ["FLASH_MS", "NetworkDiagram", "node_colours"]

#: How long the glow of a changed weight takes to fade.
FLASH_MS: Final[int] = 350

# A fixed white page and near-black ink: the PuOr map and the sign colours
# are tuned for a light background, and a projector washes out dark themes.
_BACKGROUND: Final[str] = "#ffffff"
_INK: Final[str] = theme.INK
_MUTED: Final[str] = theme.MUTED


def node_colours(state: DiagramState) -> dict[str, tuple[QColor, QColor]]:
    """Fill and text colour of each node: its value on the activation map, white without one."""
    colours = {}
    for name, node in state.nodes.items():
        if node.value is None:
            colours[name] = (QColor(_BACKGROUND), QColor(_MUTED))
        else:
            fill = theme.activation_color(node.value, state.low, state.high)
            colours[name] = (fill, theme.text_color_on(fill))
    return colours


class NetworkDiagram(QWidget):
    """The one-neuron network with the values, weights and changes of one tick.

    Parameters
    ----------
    adapter
        The session adapter; the diagram follows its :attr:`~SessionAdapter.changed`
        signal and only reads ``adapter.session``.
    parent
        The Qt parent widget.

    Notes
    -----
    :meth:`state` returns the state the widget paints, so tests and screen
    readers see exactly what is drawn; :meth:`flash_sign` tells which weights glow.
    """

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._font_scale = 1.0
        self._shown_cursor = adapter.session.cursor
        self._flash_level = 0.0
        # One animation object, restarted per tick, so fast play never piles
        # up timers; it runs on Qt's animation driver, not a repeating QTimer.
        self._flash = QVariantAnimation(self)
        self._flash.setStartValue(1.0)
        self._flash.setEndValue(0.0)
        self._flash.setDuration(FLASH_MS)
        self._flash.setEasingCurve(QEasingCurve.Type.InQuad)
        self._flash.valueChanged.connect(self._on_flash_value)
        self._flash.finished.connect(self._clear_flash)
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._state = self._read_state()
        self._colors = node_colours(self._state)
        self._layout = self._fit_layout()
        adapter.changed.connect(self._on_changed)

    # -- public API -------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(560, 380)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(MIN_WIDTH, MIN_HEIGHT)

    def set_font_scale(self, scale: float) -> None:
        """Enlarge (or shrink) text and strokes, e.g. for presentation mode.

        Parameters
        ----------
        scale
            Factor on the automatic size; 1.0 is the default. The layout
            still shrinks text where the widget is too small to hold it.
        """
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self._layout = self._fit_layout()
        self.update()

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def state(self) -> DiagramState:
        """What the diagram shows now, as :func:`~rnnviz.present.diagram.diagram_state` gave it."""
        return self._state

    def flash_sign(self, name: str) -> int:
        """+1 or −1 while edge *name* glows for its last change, else 0."""
        # Every move of the tick shown restarts or stops the glow, so while it
        # runs it belongs to the deltas on show.
        return sign(self._state.edges[name].delta or 0.0) if self._flash_level > 0 else 0

    # -- following the adapter -------------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        change = Change(flags)
        cursor = self._adapter.session.cursor
        # Only a step forward within the same history is a tick "happening";
        # stepping back, scrubbing back or a recomputed history shows a stored
        # or different tick, and a glow would claim a change that was not made.
        forward = (
            bool(change & Change.CURSOR)
            and not change & Change.HISTORY
            and cursor > self._shown_cursor
        )
        # A stage other than the update shows a tick not yet done, where a
        # glow would claim a change not yet made (the update's step is forward).
        moved = bool(change & (Change.CURSOR | Change.HISTORY | Change.STAGE))
        self._shown_cursor = cursor
        self._refresh()
        if forward:
            self._start_flash()
        elif moved:
            self._stop_flash()

    def _refresh(self) -> None:
        """Re-read the session into the cached state, lay out and schedule a repaint."""
        self._state = self._read_state()
        self._colors = node_colours(self._state)
        self._layout = self._fit_layout()
        self.update()

    def _read_state(self) -> DiagramState:
        return diagram_state(self._adapter.session, self._adapter.stage, self._adapter.stage_tick)

    # -- the glow of a change ------------------------------------------------------------
    def _start_flash(self) -> None:
        if not self._state.changed or not self.isVisible():
            self._stop_flash()
            return
        self._flash_level = 1.0
        # While playing fast the previous glow is simply cut short.
        self._flash.stop()
        self._flash.start()

    def _on_flash_value(self, value: object) -> None:
        self._flash_level = float(value)  # type: ignore[arg-type]
        self.update()

    def _clear_flash(self) -> None:
        self._flash_level = 0.0
        self.update()

    def _stop_flash(self) -> None:
        self._flash.stop()  # stop() does not emit finished()
        self._clear_flash()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        self._stop_flash()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        self._stop_flash()
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        self._layout = self._fit_layout()
        super().resizeEvent(event)

    def _fit_layout(self) -> DiagramLayout:
        """The layout with the largest text (up to the preferred size) that fits the widget."""
        return fit_layout(self.font(), self.width(), self.height(), self._font_scale, self._state)

    # -- painting ----------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        state, layout = self._state, self._layout
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.fillRect(self.rect(), QColor(_BACKGROUND))

        painter.setFont(layout.title)
        painter.setPen(QColor(_INK))
        for text, rect in layout.caption_lines:
            painter.drawText(widened(rect), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text)
        if layout.next_rect is not None:
            painter.setFont(layout.bold)
            painter.setPen(QColor(_INK))
            painter.drawText(widened(layout.next_rect),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             state.next_bit)

        self._paint_stage_under(painter)
        self._paint_edges(painter)
        self._paint_nodes(painter)
        self._paint_stage_rings(painter)
        self._paint_labels(painter)
        self._paint_error(painter)
        paint_legend(painter, layout, self.width())
        painter.end()

    def _paint_stage_under(self, painter: QPainter) -> None:
        """A sky-blue halo under the edges and a tint under the labels the stage works on."""
        highlight = self._state.highlight
        if not highlight:
            return
        layout = self._layout
        stroke = layout.stroke
        halo = QColor(theme.STAGE_HIGHLIGHT)
        halo.setAlphaF(0.55)
        for name, (path, tip, _direction) in self._edge_paths().items():
            if name not in highlight:
                continue
            full = QPainterPath(path)
            full.lineTo(tip)
            painter.setPen(QPen(halo, self._edge_width(name) + 9.0 * stroke, Qt.PenStyle.SolidLine,
                                Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(full)
        tint = QColor(theme.STAGE_HIGHLIGHT)
        tint.setAlphaF(0.25)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(tint)
        corner = 0.3 * QFontMetricsF(layout.font).height()
        rects = []
        for name in EDGES:
            if name in highlight:
                rect = QRectF(layout.labels[name])
                if not self._state.edges[name].delta_text:  # only the weight's line
                    rect.setHeight(rect.height() / 2)
                rects.append(rect)
        if "error" in highlight and self._state.error is not None:
            rects.append(layout.error_rect)
        for rect in rects:
            painter.drawRoundedRect(rect.adjusted(-corner, 0, corner, 0), corner, corner)

    def _paint_stage_rings(self, painter: QPainter) -> None:
        """A sky-blue ring round each node the stage works on."""
        highlight = self._state.highlight
        layout = self._layout
        ring = 2.5 * layout.stroke
        painter.setPen(QPen(QColor(theme.STAGE_HIGHLIGHT), ring))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for name, centre in layout.centres.items():
            if name in highlight:
                radius = layout.radius + 1.5 * ring
                painter.drawEllipse(centre, radius, radius)

    def _edge_width(self, name: str) -> float:
        """The drawn stroke width of edge *name* in pixels."""
        return edge_width(self._layout, self._state.edges[name].width_units)

    def _edge_paths(self) -> dict[str, tuple[QPainterPath, QPointF, QPointF]]:
        """Per edge: the shaft (ending where the arrowhead begins), the tip and the direction."""
        return edge_paths(self._layout, {name: self._edge_width(name) for name in EDGES})

    def _paint_edges(self, painter: QPainter) -> None:
        stroke = self._layout.stroke
        for name, (path, tip, direction) in self._edge_paths().items():
            width = self._edge_width(name)
            change = self.flash_sign(name)
            if change:
                # Two soft strokes under the edge: the glow of this tick's change.
                glow = theme.sign_color(change)
                full = QPainterPath(path)
                full.lineTo(tip)
                for extra, alpha in ((10.0, 0.28), (5.0, 0.55)):
                    glow.setAlphaF(alpha * self._flash_level)
                    painter.setPen(QPen(glow, width + extra * stroke, Qt.PenStyle.SolidLine,
                                        Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawPath(full)
            color = theme.sign_color(self._state.edges[name].value)
            painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap,
                                Qt.PenJoinStyle.RoundJoin))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
            length = arrow_length(self._layout, width)
            half = 2.5 * stroke + 0.9 * width
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawPolygon(arrowhead(tip, direction, length, half))

    def _paint_nodes(self, painter: QPainter) -> None:
        layout = self._layout
        r = layout.radius
        for name, centre in layout.centres.items():
            node = self._state.nodes[name]
            pen = QPen(QColor(OUTLINE), 1.3 * layout.stroke)
            if name == "target":
                # The target is the teacher's answer, not part of the network.
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            fill, ink = self._colors[name]
            painter.setBrush(fill)
            painter.drawEllipse(centre, r, r)
            painter.setFont(layout.bold)
            painter.setPen(ink)
            painter.drawText(QRectF(centre.x() - r, centre.y() - r, 2 * r, 2 * r),
                             Qt.AlignmentFlag.AlignCenter, node.text)
            painter.setFont(layout.font)
            painter.setPen(QColor(_INK))
            painter.drawText(widened(layout.names[name]), Qt.AlignmentFlag.AlignCenter,
                             NODE_NAMES[name])

    def _paint_labels(self, painter: QPainter) -> None:
        layout = self._layout
        painter.setFont(layout.font)
        for name in EDGES:
            edge = self._state.edges[name]
            rect = layout.labels[name]
            top = QRectF(rect.left(), rect.top(), rect.width(), rect.height() / 2)
            bottom = top.translated(0, rect.height() / 2)
            painter.setPen(theme.sign_ink(edge.value))
            painter.drawText(widened(top), Qt.AlignmentFlag.AlignCenter, edge.label)
            if edge.delta_text:
                painter.setPen(theme.sign_ink(edge.delta))
                painter.drawText(widened(bottom), Qt.AlignmentFlag.AlignCenter, edge.delta_text)

    def _paint_error(self, painter: QPainter) -> None:
        state, layout = self._state, self._layout
        if state.error is None:
            return
        painter.setPen(QPen(QColor(_MUTED), 1.2 * layout.stroke))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(QPolygonF(list(layout.bracket)))
        painter.setFont(layout.bold)
        painter.setPen(theme.sign_ink(state.error))
        painter.drawText(widened(layout.error_rect), Qt.AlignmentFlag.AlignCenter, state.error_text)
