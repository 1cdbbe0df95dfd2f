"""The unrolled view's weights: drawn once per picture of the weights, then stamped at every step.

The weights are shared by every step, and so are the positions of a column's
nodes relative to the column: the lines of W_xh and W_hy inside one column,
and of W_hh from one column to the next, look the same at every step. They
are painted once into two transparent images (:class:`EdgeStamps`) and those
are copied to each column, which keeps a 64-step, 16-unit picture fast (a
few thousand antialiased strokes drawn once instead of once per column).
The stamps are made again only when the geometry or the strokes change: a
stroke's width is drawn in quarter pixels, so while training nudges the
weights most frames draw exactly the strokes of the frame before
(:func:`stroke_quarters`), and their stamps are kept.

Strokes are opaque, in the sign colours lightened towards white where many
cross (:data:`DENSE_MIX`): overlapping semi-transparent strokes cost far
more to paint and read no better. Width ∝ |w|, the largest weight of the
three matrices :data:`MAX_STROKE_RADII` node radii wide (less when dense).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Final

import numpy as np
from PySide6.QtCore import QLineF, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from rnnviz.present.lab import UnrolledState
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.unrolled_layout import UnrolledLayout

#: The widest weight stroke, in node radii.
MAX_STROKE_RADII: Final[float] = 0.55
#: With more than DENSE_EDGES strokes per column, strokes are 0.6 as wide and
#: their colour only DENSE_MIX of the sign colour (the rest white).
DENSE_EDGES: Final[int] = 40
DENSE_MIX: Final[float] = 0.5
SPARSE_MIX: Final[float] = 0.92


def is_dense(state: UnrolledState) -> bool:
    """Whether a column has more than :data:`DENSE_EDGES` weight strokes."""
    return state.n_hidden * (state.n_in + state.n_out + state.n_hidden) > DENSE_EDGES


def stroke_colour(positive: bool, dense: bool) -> QColor:
    """The sign colour mixed with white: DENSE_MIX or SPARSE_MIX of it."""
    base = QColor(theme.POSITIVE if positive else theme.NEGATIVE)
    mix = DENSE_MIX if dense else SPARSE_MIX
    return QColor(*(round(mix * c + (1 - mix) * 255) for c in base.getRgb()[:3]))


class EdgeStamps:
    """Paints the weights of an unrolled layout, remaking its two stamps only when needed."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._column: tuple[QImage, QPointF] | None = None  # W_xh and W_hy of step `ref`
        self._gap: tuple[QImage, QPointF] | None = None  # W_hh from step `ref − 1` to `ref`
        self._ref = 0

    def paint(self, painter: QPainter, layout: UnrolledLayout, state: UnrolledState) -> None:
        """Every weight of the visible columns (and those entering from either side)."""
        self._refresh(layout, state)
        painter.save()
        painter.setClipRect(QRectF(layout.left, layout.top, layout.count * layout.pitch,
                                   layout.bottom - layout.top))
        first, last = layout.first, layout.first + layout.count - 1
        for step in range(first - 1, last + 2):
            shift = (step - self._ref) * layout.pitch
            if self._gap is not None and 0 < step < state.steps:
                image, origin = self._gap
                painter.drawImage(QPoint(round(origin.x() + shift), round(origin.y())), image)
            if self._column is not None and first <= step <= last:
                image, origin = self._column
                painter.drawImage(QPoint(round(origin.x() + shift), round(origin.y())), image)
        painter.restore()

    def _refresh(self, layout: UnrolledLayout, state: UnrolledState) -> None:
        w = state.weights
        matrices = [np.asarray(w[name]) for name in ("w_xh", "w_hh", "w_hy")]
        biggest = max(float(np.abs(m).max()) for m in matrices)
        if not (biggest > 0 and math.isfinite(biggest)):
            self._key = None
            self._column = self._gap = None
            return
        dense = is_dense(state)
        widest = max((0.6 if dense else 1.0) * MAX_STROKE_RADII * layout.radius, 1.0)
        quarters = [stroke_quarters(m, widest / biggest) for m in matrices]
        geometry = (layout.pitch, layout.radius, layout.shift, tuple(sorted(layout.unit_y.items())))
        key = (geometry, dense, tuple(q.tobytes() for q in quarters))
        if key == self._key:
            return  # the same strokes as the stamps hold
        self._key = key
        self._ref = ref = 1  # step 1 (0-based) has a W_hh entering it from step 0
        q_xh, q_hh, q_hy = (q.tolist() for q in quarters)
        node = layout.node_point
        column: list[tuple[int, QPointF, QPointF]] = []
        gap: list[tuple[int, QPointF, QPointF]] = []
        for i in range(state.n_hidden):
            target = node("h", ref, i)
            column += [(q_xh[i][j], node("x", ref, j), target) for j in range(state.n_in) if q_xh[i][j]]
            column += [(q_hy[m][i], target, node("y", ref, m)) for m in range(state.n_out) if q_hy[m][i]]
            gap += [(q_hh[i][j], node("h", ref - 1, j), target) for j in range(state.n_hidden) if q_hh[i][j]]
        self._column = _stamp(column, dense)
        self._gap = _stamp(gap, dense)


def stroke_quarters(weights: np.ndarray, width_per_unit: float) -> np.ndarray:
    """How each weight is stroked: its width ``width_per_unit·|w|`` in whole quarter pixels,
    signed as the weight (0: too thin to draw, under 0.15 pixels)."""
    widths = width_per_unit * np.abs(weights)
    quarters = np.where(widths >= 0.15, np.round(widths * 4), 0.0)  # round half to even, as round()
    return np.where(weights > 0, quarters, -quarters).astype(np.int32)


def _stamp(strokes: list[tuple[int, QPointF, QPointF]], dense: bool) -> tuple[QImage, QPointF] | None:
    """The strokes (signed width in quarter pixels, from, to) painted into a transparent image,
    and where its top-left corner belongs."""
    batches: dict[tuple[bool, int], list[QLineF]] = defaultdict(list)
    for quarters, a, b in strokes:
        batches[(quarters > 0, abs(quarters))].append(QLineF(a, b))
    if not batches:
        return None
    widest = max(quarter for _, quarter in batches) / 4.0
    points = [p for lines in batches.values() for line in lines for p in (line.p1(), line.p2())]
    pad = widest / 2 + 2.0
    left = math.floor(min(p.x() for p in points) - pad)
    top = math.floor(min(p.y() for p in points) - pad)
    right = math.ceil(max(p.x() for p in points) + pad)
    bottom = math.ceil(max(p.y() for p in points) + pad)
    image = QImage(max(right - left, 1), max(bottom - top, 1), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(-left, -top)
    # thinner strokes first, so the strongest weights lie on top
    for (positive, quarter), lines in sorted(batches.items(), key=lambda item: item[0][1]):
        painter.setPen(QPen(stroke_colour(positive, dense), quarter / 4.0, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.FlatCap))
        painter.drawLines(lines)
    painter.end()
    return image, QPointF(left, top)
