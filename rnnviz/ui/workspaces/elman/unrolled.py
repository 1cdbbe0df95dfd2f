"""The unrolled network: one column per time step, the backward sweep in stages.

:class:`UnrolledView` paints the :class:`~rnnviz.present.lab.UnrolledState`
it is handed (:meth:`UnrolledView.set_state`) and nothing else: no engine
calls here. Each column is one step t: the outputs ŷ_t at the top, the
hidden units h_t in the middle, the inputs x_t at the bottom, as circles
coloured on the app's activation scale (:func:`rnnviz.ui.theme.activation_color`,
PuOr). The shared weights are drawn at every step — W_xh and W_hy inside a
column, W_hh from one column to the next — in the sign colours with a width
proportional to |w|. The loss ℓ_t is written above the outputs that have
one.

In a backward-sweep stage the error enters at the outputs (their colours
switch to |ε| on a log scale) and δ flows right to left: the swept steps'
hidden units take |δ| colours (light = small, dark blue = large, white = 0),
‖δ_t‖ is written under their columns and the factor ‖J_t‖ = ‖diag f′(a_t)·W_hhᵀ‖
on the border it carries δ across; the legend gains the |δ| scale. Steps
outside the truncation window are shaded and a dashed line marks each cut.

When not every step fits, the view shows as many columns as fit and
scrolls: :meth:`UnrolledView.set_first_step`, the mouse wheel, or dragging.
Positions come from :mod:`.unrolled_layout`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from rnnviz.present.lab import UnrolledState
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.unrolled_edges import EdgeStamps, is_dense, stroke_colour
from rnnviz.ui.workspaces.elman.unrolled_layout import (
    LegendMark,
    TextItem,
    UnrolledLayout,
    unrolled_layout,
    visible_count,
)

#: The |δ| scale, small → large: ColorBrewer's sequential YlGnBu (apart from PuOr's hues).
DELTA_STOPS: Final[tuple[str, ...]] = (
    "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58",
)
#: Background of the steps outside the truncation window.
SHADE: Final[str] = "#e2e2e2"
#: The dashed line where δ is cut, and the node outline.
CUT: Final[str] = theme.CROSSING
OUTLINE: Final[str] = "#3c3c3c"

_DELTA_RGB: Final[np.ndarray] = np.array([QColor(c).getRgb()[:3] for c in DELTA_STOPS], dtype=float)
_ACTIVATION_RGB: Final[np.ndarray] = np.array(
    [QColor(c).getRgb()[:3] for c in theme.ACTIVATION_STOPS], dtype=float
)
_NEUTRAL_RGB: Final[tuple[int, ...]] = QColor(theme.NEUTRAL).getRgb()[:3]


def _ramp(position: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """RGB (…, 3) of positions 0 … 1 along *stops*, interpolated as theme.activation_color does."""
    scaled = position * (len(stops) - 1)
    index = np.minimum(scaled.astype(int), len(stops) - 2)
    fraction = (scaled - index)[..., None]
    rgb = stops[index] * (1 - fraction) + stops[index + 1] * fraction
    return np.round(rgb).astype(int)


def _activation_rgb(values: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    """theme.activation_color for a whole array at once (NaN: neutral grey)."""
    low, high = span
    finite = np.isfinite(values)
    position = (np.clip(np.where(finite, values, low), low, high) - low) / (high - low)
    rgb = _ramp(position, _ACTIVATION_RGB)
    rgb[~finite] = _NEUTRAL_RGB
    return rgb


def _delta_rgb(values: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """The |δ| colours of a whole array (0 white, ∞ the darkest, NaN neutral grey)."""
    low, high = scale
    magnitude = np.abs(values)
    usable = np.isfinite(magnitude) & (magnitude > 0)
    with np.errstate(divide="ignore"):
        logs = np.log10(np.where(usable, magnitude, 1.0))
    rgb = _ramp((np.clip(logs, low, high) - low) / (high - low), _DELTA_RGB)
    rgb[magnitude == 0] = (255, 255, 255)
    rgb[np.isinf(magnitude)] = _DELTA_RGB[-1].astype(int)
    rgb[np.isnan(magnitude)] = _NEUTRAL_RGB
    return rgb


def delta_colour(value: float, scale: tuple[float, float]) -> QColor:
    """The colour of |*value*| on the log |δ| scale spanning 10^low … 10^high; 0 is white."""
    return QColor(*(int(c) for c in _delta_rgb(np.array([float(value)]), scale)[0]))


def layer_fills(state: UnrolledState, name: str, steps: range) -> np.ndarray:
    """RGB (len(steps), units, 3) of layer *name*'s nodes at 0-based *steps* (see :func:`node_fill`)."""
    rows = np.arange(steps.start, steps.stop)
    if name == "x":
        return _activation_rgb(state.inputs[rows], state.input_range)
    if name == "h":
        rgb = _activation_rgb(state.hidden[rows + 1], state.hidden_range)
        swept = state.swept[rows]
        if swept.any():
            rgb[swept] = _delta_rgb(state.deltas[rows][swept], state.delta_scale)
        return rgb
    rgb = _activation_rgb(state.outputs[rows], state.output_range)
    erring = state.has_loss[rows] & state.backward
    if erring.any():
        rgb[erring] = _delta_rgb(state.output_errors[rows][erring], state.delta_scale)
    return rgb


def node_fill(state: UnrolledState, name: str, step: int, unit: int) -> QColor:
    """The fill of a node: its activation, or |δ| (swept hidden unit) or |ε| (output, backward)."""
    return QColor(*(int(c) for c in layer_fills(state, name, range(step, step + 1))[0, unit]))


class UnrolledView(QWidget):
    """Paints an :class:`UnrolledState` (see the module docstring)."""

    #: The leftmost visible step changed (0-based).
    firstStepChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state: UnrolledState | None = None
        self._first = 0
        self._scale = 1.0
        self._layout: UnrolledLayout | None = None
        self._drag: tuple[float, int] | None = None
        self._wheel_rest = 0
        self._edges = EdgeStamps()
        self.setMinimumSize(360, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(900, 420)

    # -- what is shown --------------------------------------------------------

    def set_state(self, state: UnrolledState | None) -> None:
        """Show *state* (``None``: nothing).

        The first visible step stays where it can, except that when the
        backward sweep's front is out of sight the view scrolls to put it a
        quarter of the way in from the left, the swept steps beside it.
        """
        self._state = state
        self._layout = None
        old = self._first
        self._clamp_first()
        if state is not None and state.front is not None:
            count = visible_count(state, self.width(), self.height(), self._scale)
            front = state.front - 1
            if not self._first <= front < self._first + count:
                # a quarter of the view from the left: the steps δ has crossed stay in sight
                self._first = max(0, min(front - count // 4, state.steps - count))
        if self._first != old:
            self.firstStepChanged.emit(self._first)
        self.update()

    def state(self) -> UnrolledState | None:
        """The state painted."""
        return self._state

    def set_first_step(self, index: int) -> None:
        """Scroll so that 0-based step *index* is the leftmost column (clamped to what exists)."""
        old = self._first
        self._first = int(index)
        self._clamp_first()
        if self._first != old:
            self._layout = None
            self.update()
            self.firstStepChanged.emit(self._first)

    def first_step(self) -> int:
        """The 0-based step of the leftmost column."""
        return self._first

    def visible_steps(self) -> range:
        """The 0-based steps of the columns shown."""
        layout = self.unrolled_layout()
        return range(0) if layout is None else layout.steps_shown

    def set_font_scale(self, scale: float) -> None:
        """Text (and so the columns) *scale* times as large, for presentation mode."""
        scale = theme.check_font_scale(scale)
        if scale != self._scale:
            self._scale = scale
            self._layout = None
            self._clamp_first()
            self.update()

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._scale

    def unrolled_layout(self) -> UnrolledLayout | None:
        """Where everything is painted at the current size (``None`` with no state)."""
        if self._state is None:
            return None
        if self._layout is None or (self._layout.width, self._layout.height) != (
                self.width(), self.height()):
            self._layout = unrolled_layout(self._state, self.width(), self.height(), self._first,
                                           self._scale)
        return self._layout

    def _clamp_first(self) -> None:
        if self._state is None:
            self._first = 0
            return
        count = visible_count(self._state, self.width(), self.height(), self._scale)
        self._first = max(0, min(self._first, self._state.steps - count))

    # -- scrolling --------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._layout = None
        old = self._first
        self._clamp_first()
        if self._first != old:
            self.firstStepChanged.emit(self._first)
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt API)
        delta = event.angleDelta()
        self._wheel_rest += delta.y() if abs(delta.y()) >= abs(delta.x()) else delta.x()
        notches = int(self._wheel_rest / 120)
        if notches:
            self._wheel_rest -= notches * 120
            self.set_first_step(self._first - notches)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if event.button() == Qt.MouseButton.LeftButton and self._state is not None:
            self._drag = (event.position().x(), self._first)
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        layout = self.unrolled_layout()
        if self._drag is not None and layout is not None:
            start_x, start_first = self._drag
            self.set_first_step(start_first + round((start_x - event.position().x()) / layout.pitch))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if self._drag is not None:
            self._drag = None
            self.unsetCursor()
        super().mouseReleaseEvent(event)

    # -- painting ---------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        layout = self.unrolled_layout()
        state = self._state
        if layout is None or state is None:
            painter.end()
            return
        _paint_columns(painter, layout, state)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._edges.paint(painter, layout, state)
        _paint_nodes(painter, layout, state)
        _paint_texts(painter, layout)
        _paint_scroll(painter, layout)
        for mark in layout.marks:
            _paint_mark(painter, mark, is_dense(state))
        painter.end()


def _paint_columns(painter: QPainter, layout: UnrolledLayout, state: UnrolledState) -> None:
    """Shade the steps outside the window, tint the sweep's front, dash the cuts."""
    for step in layout.steps_shown:
        # whole pixels from one column's left edge to the next one's: no seams between columns
        left = round(layout.column_rect(step).left())
        right = round(layout.column_rect(step + 1).left())
        rect = QRect(left, round(layout.top), right - left, round(layout.bottom - layout.top))
        if state.shaded[step]:
            painter.fillRect(rect, QColor(SHADE))
        elif state.front is not None and step == state.front - 1:
            painter.fillRect(rect, QColor(theme.STAGE_TINT))
    pen = QPen(QColor(CUT), 1.5, Qt.PenStyle.DashLine)
    painter.setPen(pen)
    for cut in state.cuts:
        x = layout.column_rect(cut - 1).left()
        if layout.left + 1 < x < layout.left + layout.count * layout.pitch - 1:
            painter.drawLine(QPointF(x, layout.top), QPointF(x, layout.bottom))


def _paint_nodes(painter: QPainter, layout: UnrolledLayout, state: UnrolledState) -> None:
    painter.setPen(QPen(QColor(OUTLINE), 1.0))
    r = layout.radius
    fills = {name: layer_fills(state, name, layout.steps_shown) for name in ("x", "h", "y")}
    for (name, step, unit), centre in layout.nodes.items():
        painter.setBrush(QColor(*fills[name][step - layout.first, unit].tolist()))
        painter.drawEllipse(centre, r, r)


_ALIGN: Final[dict[str, Qt.AlignmentFlag]] = {
    "gutter": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "layer": Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    "value": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
    "legend": Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
}


def text_font(layout: UnrolledLayout, item: TextItem) -> QFont:
    """The font *item* is painted in."""
    if item.role == "layer":
        font = QFont(layout.font)
        font.setBold(True)
        return font
    if item.role == "value" and layout.value_font is not None:
        return layout.value_font
    font = QFont(layout.small)
    font.setBold(item.role == "front")
    return font


def _paint_texts(painter: QPainter, layout: UnrolledLayout) -> None:
    for item in layout.texts:
        painter.setFont(text_font(layout, item))
        if item.boxed:  # a white box just under the text, over the edges
            advance = QFontMetricsF(painter.font()).horizontalAdvance(item.text)
            box = QRectF(item.rect.left(), item.rect.top(), advance + 4.0, item.rect.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, 215))
            painter.drawRoundedRect(box, 2.0, 2.0)
        muted = item.role in ("gutter", "head", "factor")
        painter.setPen(QColor(theme.MUTED if muted else theme.INK))
        align = _ALIGN.get(item.role, Qt.AlignmentFlag.AlignCenter)
        inset = 2.0 if item.boxed else -1.0
        painter.drawText(item.rect.adjusted(inset, 0.0, 1.0, 0.0), align, item.text)


def _paint_scroll(painter: QPainter, layout: UnrolledLayout) -> None:
    if layout.scroll_track is None or layout.scroll_thumb is None:
        return
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#e6e6e6"))
    radius = layout.scroll_track.height() / 2
    painter.drawRoundedRect(layout.scroll_track, radius, radius)
    painter.setBrush(QColor("#8c8c8c"))
    painter.drawRoundedRect(layout.scroll_thumb, radius, radius)


def _paint_mark(painter: QPainter, mark: LegendMark, dense: bool) -> None:
    rect = mark.rect
    middle = rect.center().y()
    if mark.kind in ("activation", "delta"):
        bar = QRectF(rect.left(), middle - 0.35 * rect.height(), rect.width(), 0.7 * rect.height())
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        stops = theme.ACTIVATION_STOPS if mark.kind == "activation" else DELTA_STOPS
        for index, color in enumerate(stops):
            gradient.setColorAt(index / (len(stops) - 1), QColor(color))
        painter.setPen(QPen(QColor(OUTLINE), 0.8))
        painter.setBrush(QBrush(gradient))
        painter.drawRect(bar)
    elif mark.kind in ("positive", "negative"):
        color = stroke_colour(mark.kind == "positive", dense)  # as the weights are drawn
        painter.setPen(QPen(color, 3.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        painter.drawLine(QPointF(rect.left(), middle), QPointF(rect.right(), middle))
    elif mark.kind == "shade":
        painter.setPen(QPen(QColor(OUTLINE), 0.6))
        painter.setBrush(QColor(SHADE))
        painter.drawRect(rect.adjusted(0, 0.15 * rect.height(), 0, -0.15 * rect.height()))
    elif mark.kind == "cut":
        painter.setPen(QPen(QColor(CUT), 1.5, Qt.PenStyle.DashLine))
        x = rect.center().x()
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
