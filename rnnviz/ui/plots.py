"""The weight plots: each weight's trajectory with its +/− notation, and the signals.

Four stacked plots share one tick axis. The three weight plots show the
weight after *k* ticks at ``x = k`` (point 0 is the initial weight), a marker
per tick for the sign of its change (orange ``+``, purple ``−``, grey dot for
``0``), a red vertical mark where a change flips the weight's sign (the
notation's comma) and a cursor line, whose tick the tick axis writes under it. The signals plot shows tick *t*'s input,
target, hidden value and prediction at ``x = t + 1``, beside the weights that
tick produced: the newest tick sits on the cursor line, and a click at
``x = k`` (a seek to cursor *k*) shows in the diagram the tick drawn there.
Its input is a step held over the tick, from ``t`` to ``t + 1``. Beside each
weight plot a side box gives the current value (written as the diagram writes
it) and the notation (docs/architecture.md, 'The +/− notation'), exactly as
:meth:`rnnviz.session.Session.notation` writes it. Every axis writes its
minus signs as U+2212; the shared tick axis shows whole ticks only, with
thousands separators.

Long histories
--------------
A million ticks must not cost a million points per frame. What is drawn
comes from a :class:`rnnviz.present.series.SeriesCache` (Qt-free): a min/max
pyramid per series and a notation index per weight, extended with the new
ticks only and cut back to what the history still holds when it forgets
ticks (``History.kept_since``). A curve then receives either
every point (short histories, or a zoom that shows few ticks) or the min/max
envelope of the visible range as one vertical bar per pixel column. Markers
are drawn only where ticks are far enough apart to be read, crossings only
inside the visible range and only while they are not a solid wall of red. The
weights' y ranges are set from the arrays just drawn, not by pyqtgraph's
auto-range (the signals' range is fixed by the activation's).

One tick on every panel
-----------------------
The side boxes' text (values, notation) is redrawn with every change, in the
same frame as the curves and the other panels: it costs well under a
millisecond (the notation index formats only the tokens that fit), so a frame
never shows a value of another tick than the diagram's. In slow motion the
values are those the diagram shows at the stage: the weights before the tick,
except ``ho`` in the sequential rule, which moves at its own stage.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor, QFont, QFontMetrics, QFontMetricsF, QPainterPath, QPalette, QPen, QPolygonF, QResizeEvent, QShowEvent,
)
from PySide6.QtWidgets import (
    QGraphicsSimpleTextItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget,
)

from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.notation import MINUS
from rnnviz.present.series import (
    ELLIPSIS as _ELLIPSIS, EXACT_POINTS, SIGNAL_CURVES, TOOLTIP_CHARS, SeriesCache, fitted_y_range,
    legend_notes, signals_y_range, ticks_near_view, weights_shown,
)
from rnnviz.ui import theme
from rnnviz.ui.adapter import Change, SessionAdapter
from rnnviz.ui.theme import format_number

__all__ = ["EXACT_POINTS", "TOOLTIP_CHARS", "NotationLabel", "TickAxis", "ValueAxis", "WeightPlots"]

#: A marker's size is at most this share of the tick spacing, so a gap always
#: parts two neighbours (at 4-10 px spacing they merged into a band), and at
#: most MARKER_PX × the font scale.
MARKER_SHARE: Final[float] = 0.8
MARKER_PX: Final[float] = 11.0
#: The smallest + or − that still reads as one (a smaller − is a speck on the
#: curve): closer ticks show no markers, and the legend says to zoom in.
MARKER_MIN_PX: Final[float] = 5.0
#: The +/−/0 markers show only when ticks are at least this many pixels apart.
MARKER_MIN_SPACING_PX: Final[float] = MARKER_MIN_PX / MARKER_SHARE
#: Below this size a marker has no white rim: it would eat most of the colour.
MARKER_RIM_MIN_PX: Final[float] = 7.0
#: Target dots show only when ticks are at least this many pixels apart;
#: closer, they would touch and read as a bar (the input steps still show the bits).
TARGET_MIN_SPACING_PX: Final[float] = 4.0
#: A target dot's diameter is at most this share of the tick spacing, so a
#: gap always parts two neighbours, and at most TARGET_DOT_PX × the font scale.
TARGET_DOT_SHARE: Final[float] = 0.65
TARGET_DOT_PX: Final[float] = 5.0
#: Font sizes the legend tries, as shares of the plots' text, until all of it fits beside the signals plot.
LEGEND_SHRINK: Final[tuple[float, ...]] = (1.0, 0.9, 0.8)
#: Side box width, in multiples of the font's average character width.
SIDE_WIDTH_CHARS: Final[int] = 24
#: Space between an axis title's text and the widest tick label, in multiples
#: of the font's height. The four left axes share one width, the least that
#: fits the widest label drawn on any of them, so their data areas line up.
AXIS_TITLE_GAP: Final[float] = 0.35

SIGNALS_PLOT: Final[str] = "signals"
SIGNAL_NAMES: Final[tuple[str, ...]] = ("x", "target", "h", "yhat")
_SIGNAL_LABELS: Final[dict[str, str]] = {
    "x": "x input", "target": "target (next bit)", "h": "h hidden", "yhat": "ŷ prediction",
}
_CURVE_COLOR: Final[str] = "#3a3a3a"
_AXIS_COLOR: Final[str] = "#404040"
_NOTE_COLOR: Final[str] = "#6b6b6b"


#: Bar thickness of the + and − marker symbols, as a share of their size
#: (pyqtgraph's own '+' uses 0.2, which reads as a thin line beside a curve).
_BAR: Final[float] = 0.26


def _bar_symbol(plus: bool) -> QPainterPath:
    """A '+' or a '−' of equal bars in the unit square, as one outline (so a rim goes round it)."""
    b = _BAR / 2
    if plus:
        corners = [(-0.5, -b), (-b, -b), (-b, -0.5), (b, -0.5), (b, -b), (0.5, -b),
                   (0.5, b), (b, b), (b, 0.5), (-b, 0.5), (-b, b), (-0.5, b)]
    else:
        corners = [(-0.5, -b), (0.5, -b), (0.5, b), (-0.5, b)]
    path = QPainterPath()
    path.addPolygon(QPolygonF([QPointF(x, y) for x, y in corners]))
    path.closeSubpath()
    return path


def _marker_styles() -> tuple[np.ndarray, np.ndarray]:
    """Symbols and brushes of the change markers, indexed by sign + 1 (−, 0, +)."""
    symbols = np.empty(3, dtype=object)
    symbols[:] = [_bar_symbol(plus=False), "o", _bar_symbol(plus=True)]
    brushes = np.empty(3, dtype=object)
    brushes[:] = [pg.mkBrush(c) for c in (theme.NEGATIVE, theme.NEUTRAL, theme.POSITIVE)]
    return symbols, brushes


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


class NotationLabel(QLabel):
    """Word-wrapped text that, when too long for its box, shows its end after "… ".

    The notation grows at its end, which is what a learner watches, so the
    start is elided; cuts fall between tokens.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # The box decides the size, never the text (a long notation would
        # otherwise widen the whole window).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(1, 1)
        self._full = ""
        self._first_token = 0
        self._cut = 0  # absolute number of tokens the shown text leaves out
        self._tooltip_source: Callable[[], str] | None = None

    def set_tooltip_source(self, source: Callable[[], str] | None) -> None:
        """Where the tooltip text comes from; asked only when a tooltip is about to show.

        Formatting a few thousand characters on every frame would cost more
        than drawing the plots.
        """
        self._tooltip_source = source

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ToolTip and self._tooltip_source is not None:
            self.setToolTip(self._tooltip_source())
        return super().event(event)

    def set_notation(self, text: str, *, first_token: int = 0) -> None:
        """Show *text*, the notation from its token number *first_token* on.

        A *first_token* above 0 says that earlier tokens were left out already,
        so the label shows the leading "… " even when the rest fits.
        """
        if (text, first_token) == (self._full, self._first_token):
            return
        self._full = text
        self._first_token = first_token
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _fits(self, text: str) -> bool:
        rect = self.contentsRect()
        width, height = max(rect.width(), 1), max(rect.height(), 1)
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        used = self.fontMetrics().boundingRect(QRect(0, 0, width, 1 << 20), flags, text)
        return used.height() <= height and used.width() <= width

    def _elide(self) -> None:
        text = self._full
        if self._first_token == 0 and self._fits(text):
            self._cut = 0
            self.setText(text)
            return
        tokens = text.split(" ")
        fits = lambda dropped: self._fits(_ELLIPSIS + " ".join(tokens[dropped:]))  # noqa: E731
        # The fewest leading tokens to drop so that "… " + the rest fits. The
        # notation grows at its end, so the last cut is the best first guess:
        # gallop from it, then bisect (two or three measurements per frame).
        lowest = 0 if self._first_token else 1
        count = len(tokens)
        guess = min(max(self._cut - self._first_token, lowest), count)
        step = 1
        if fits(guess):
            high = guess
            while high - step >= lowest and fits(high - step):
                high -= step
                step *= 2
            low = max(high - step, lowest - 1)
        else:
            low = guess
            while low + step < count and not fits(low + step):
                low += step
                step *= 2
            high = min(low + step, count)
        while high - low > 1:
            middle = (low + high) // 2
            if fits(middle):
                high = middle
            else:
                low = middle
        self._cut = self._first_token + high
        self.setText(_ELLIPSIS + " ".join(tokens[high:]) if high < count else "…")


class SignalsLegend:
    """The signals' legend in the side column, written so that all of it fits its box.

    Parameters
    ----------
    parent
        The side column that holds its box.
    """

    def __init__(self, parent: QWidget) -> None:
        box = QWidget(parent)
        box.setObjectName("side_signals")
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(6, 0, 4, 0)
        box_layout.setSpacing(1)
        label = QLabel(box)
        label.setObjectName("signalsLegend")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        box_layout.addWidget(label, 1)
        self.box = box
        self.label = label
        self._lines: list[str] | None = None  # None until the first notes are set
        self._fitted: tuple | None = None  # what the text was last fitted to

    def set_notes(self, notes: list[str]) -> None:
        """The legend's entries followed by *notes* (see :func:`rnnviz.present.series.legend_notes`)."""

        def line(color: str, glyph: str, text: str) -> str:
            return f"<span style='color:{color}'>{glyph}</span> {text}"

        lines = [
            line(theme.SIGNAL_COLOURS["x"], "━", _SIGNAL_LABELS["x"]),
            line(theme.SIGNAL_COLOURS["target"], "●", _SIGNAL_LABELS["target"]),
            line(theme.SIGNAL_COLOURS["h"], "━", _SIGNAL_LABELS["h"]),
            line(theme.SIGNAL_COLOURS["yhat"], "━", _SIGNAL_LABELS["yhat"]),
            "",
            f"<b style='color:{theme.POSITIVE}'>+</b> up &nbsp;"
            f"<b style='color:{theme.NEGATIVE}'>{MINUS}</b> down &nbsp;"
            f"<span style='color:{theme.NEUTRAL}'>•</span> same",
            line(theme.CROSSING, "│", "sign flip (a comma)"),
        ]
        lines += [f"<span style='color:{_NOTE_COLOR}'>{note}</span>" for note in notes]
        self._lines = lines

    def refit(self) -> None:
        """Fit the text again at the next :meth:`fit` (its font was reset from outside)."""
        self._fitted = None

    def fit(self, base: QFont) -> None:
        """Write the legend so that all of it fits its box, in *base* or a smaller font.

        Beside a short signals plot (a 1280×720 frame) the notes were cut off
        at the bottom: the blank line goes first, then the text shrinks in
        steps (:data:`LEGEND_SHRINK` of *base*).
        """
        lines = self._lines
        if lines is None:
            return  # the fonts are applied while the plots are being built
        box = self.box
        margins = box.layout().contentsMargins()
        width = max(box.width() - margins.left() - margins.right(), 1)
        height = box.height() - margins.top() - margins.bottom()
        key = (tuple(lines), width, height, base.key())
        if key == self._fitted:
            return
        self._fitted = key
        legend = self.label
        spaced = "<br>".join(lines)
        tight = "<br>".join(line for line in lines if line)
        for factor in LEGEND_SHRINK:
            font = theme.scaled_font(base, factor) if factor != 1.0 else base
            for text in (spaced, tight):
                if legend.font() != font:
                    legend.setFont(font)
                if text != legend.text():
                    legend.setText(text)
                if legend.heightForWidth(width) <= height:
                    return


@dataclass(eq=False)
class _WeightRow:
    """The items of one weight plot (its caches are in the widget's SeriesCache)."""

    name: str
    plot: pg.PlotItem
    curve: pg.PlotCurveItem
    markers: pg.ScatterPlotItem
    crossings: pg.PlotCurveItem
    cursor: pg.InfiniteLine
    box: QWidget
    header: QLabel
    notation: NotationLabel
    marker_signs: np.ndarray
    text_cursor: int = 0
    crossings_dense: bool = False

    def draw_markers(
        self, x: np.ndarray | None, y: np.ndarray | None, signs: np.ndarray | None, size: float,
        styles: tuple[np.ndarray, np.ndarray], rim: QPen,
    ) -> None:
        """Markers of *size* px at ``x, y`` for the change *signs* (a 0 is a smaller dot); None: no markers."""
        if signs is None:
            self.markers.setData([], [])
            self.markers.setVisible(False)
            self.marker_signs = np.empty(0, np.int8)
            return
        symbols, brushes = styles[0][signs + 1], styles[1][signs + 1]
        sizes = np.where(signs == 0, size * 0.45, size)
        # The rim keeps a marker apart from the curve it sits on; it is drawn
        # over the marker's edge, so small ones go without.
        pen = rim if size >= MARKER_RIM_MIN_PX else None
        self.markers.setData(x=x, y=y, symbol=symbols, brush=brushes, size=sizes, pen=pen)
        self.markers.setVisible(True)
        self.marker_signs = signs

    def draw_crossings(self, marks: np.ndarray, dense: bool) -> None:
        """A red line across the plot's y range at each x of *marks*; *dense* says some were left out."""
        self.crossings_dense = dense
        y0, y1 = self.plot.vb.viewRange()[1]
        x = np.repeat(marks, 2)
        y = np.tile(np.array([y0, y1]), len(marks))
        self.crossings.setData(x, y)
        self.crossings.setVisible(len(x) > 0)


class WeightPlots(QWidget):
    """Weight trajectories with their +/− notation, and the signals, over ticks.

    Parameters
    ----------
    adapter
        The session to show; the widget only reads it (and seeks on a click).
    parent
        The Qt parent.

    Notes
    -----
    Mouse: the wheel and a drag zoom and pan the tick axis (the y axes follow
    the visible data); a click seeks to the tick under the pointer; a
    double-click shows the whole stream again (:meth:`fit`).
    """

    def __init__(self, adapter: SessionAdapter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._fitted = True  # the x range follows the stream's length
        self._setting_range = False  # our own setXRange, not the user's zoom
        # What is drawn (points, markers, crossings, notation) comes from here.
        self._cache = SeriesCache(adapter.session, WEIGHTS, SIGNAL_CURVES)
        self._markers_shown = True
        self._font_scale = 1.0
        self._marker_symbols, self._marker_brushes = _marker_styles()
        self._marker_rim = pg.mkPen("w", width=1)

        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground("w")
        self._view.setObjectName("weightPlotsView")
        self._view.ci.layout.setVerticalSpacing(6)
        self._view.ci.layout.setContentsMargins(2, 4, 4, 2)
        self._side = QWidget()
        self._side.setObjectName("weightPlotsSide")
        # The side boxes continue the plots' white page, whatever the style.
        palette = self._side.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#1a1a1a"))
        self._side.setPalette(palette)
        self._side.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._view, 1)
        layout.addWidget(self._side)

        self._rows: dict[str, _WeightRow] = {}
        self._plots: dict[str, pg.PlotItem] = {}
        for row, name in enumerate(WEIGHTS):
            self._rows[name] = self._build_weight_row(name, row)
        self._build_signals_plot(len(WEIGHTS))
        self._master = self._plots[WEIGHTS[0]].vb
        for name, plot in self._plots.items():
            if plot.vb is not self._master:
                plot.setXLink(self._plots[WEIGHTS[0]])
            plot.vb.sigResized.connect(self._on_view_resized)
            plot.geometryChanged.connect(self._place_side_boxes)
            plot.vb.geometryChanged.connect(self._place_side_boxes)
        self._master.sigXRangeChanged.connect(self._on_x_range_changed)
        self._view.scene().sigMouseClicked.connect(self._on_scene_clicked)
        # A double-click is taken from the viewport itself: pyqtgraph reports
        # one only when a release follows it, which not every source sends.
        self._view.viewport().installEventFilter(self)

        self._apply_fonts()
        adapter.changed.connect(self._on_changed)
        self._on_changed(int(Change.ALL))

    # -- building -----------------------------------------------------------
    def _new_plot(self, name: str, row: int, label: str) -> pg.PlotItem:
        axes = {"left": ValueAxis(orientation="left"), "bottom": TickAxis(orientation="bottom")}
        plot = self._view.addPlot(row=row, col=0, axisItems=axes)
        plot.setObjectName(f"plot_{name}")
        plot.hideButtons()  # the auto-range button would fight the x-range policy
        plot.setMenuEnabled(False)
        plot.vb.setMouseEnabled(x=True, y=False)
        # A weight's y range follows the visible data, set by _fit_y from the
        # very arrays just drawn (the signals' range is fixed): pyqtgraph's
        # auto-range would ask every item for its bounds several times per
        # frame, which costs more than drawing.
        plot.vb.disableAutoRange()
        plot.setLabel("left", label)
        for side in ("left", "bottom"):
            axis = plot.getAxis(side)
            axis.setPen(pg.mkPen(_AXIS_COLOR, width=1))
            axis.setTextPen(pg.mkPen(_AXIS_COLOR, width=1))
            axis.enableAutoSIPrefix(False)  # "ih (x0.001)" would hide the weight's real size
        # No grid: on this machine grid lines cost more per frame than every
        # curve together (alpha-blended lines across the whole plot).
        self._plots[name] = plot
        return plot

    def _build_weight_row(self, name: str, row: int) -> _WeightRow:
        plot = self._new_plot(name, row, name)
        plot.getAxis("bottom").setStyle(showValues=False)
        zero = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen(theme.ZERO_LINE, width=1))
        plot.addItem(zero, ignoreBounds=True)
        crossings = pg.PlotCurveItem(
            pen=pg.mkPen(QColor(theme.CROSSING), width=1), connect="pairs", antialias=False
        )
        crossings.setZValue(-5)  # under the curve, so a crossing never hides it
        plot.addItem(crossings, ignoreBounds=True)
        curve = pg.PlotCurveItem(pen=pg.mkPen(_CURVE_COLOR, width=1))
        plot.addItem(curve)
        # A white rim keeps each marker apart from the curve it sits on.
        markers = pg.ScatterPlotItem(pen=pg.mkPen("w", width=1), pxMode=True, hoverable=False)
        markers.setZValue(11)  # above the cursor line, which passes through the newest marker
        plot.addItem(markers)
        cursor = self._cursor_line()
        plot.addItem(cursor, ignoreBounds=True)
        # Crossing lines span the y range, so they follow it. (Keep this
        # connection: without any Python slot on this signal, pytest's
        # teardown of earlier windows ended in a segfault here, 2026-11-22.)
        plot.vb.sigYRangeChanged.connect(
            lambda *_: self._update_crossings(self._rows[name], self._visible())
        )

        box = QWidget(self._side)
        box.setObjectName(f"side_{name}")
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(6, 0, 4, 0)
        box_layout.setSpacing(1)
        header = QLabel(box)
        header.setObjectName(f"value_{name}")
        header.setTextFormat(Qt.TextFormat.RichText)
        notation = NotationLabel(box)
        notation.setObjectName(f"notation_{name}")
        notation.set_tooltip_source(lambda: self.notation_tooltip(name))
        box_layout.addWidget(header)
        box_layout.addWidget(notation, 1)
        return _WeightRow(
            name=name, plot=plot, curve=curve, markers=markers, crossings=crossings,
            cursor=cursor, box=box, header=header, notation=notation,
            marker_signs=np.empty(0, np.int8),
        )

    def _build_signals_plot(self, row: int) -> None:
        plot = self._new_plot(SIGNALS_PLOT, row, "signals")
        plot.setLabel("bottom", "tick")
        self._tick_axis: TickAxis = plot.getAxis("bottom")
        self._signal_curves: dict[str, pg.PlotCurveItem] = {}
        for name in SIGNAL_CURVES:
            curve = pg.PlotCurveItem(pen=pg.mkPen(theme.SIGNAL_COLOURS[name], width=1))
            plot.addItem(curve)
            self._signal_curves[name] = curve
        self._signal_curves["x"].setZValue(-2)  # the input steps sit behind h and ŷ
        self._targets = pg.ScatterPlotItem(
            pen=None, brush=pg.mkBrush(theme.SIGNAL_COLOURS["target"]), size=5, symbol="o", hoverable=False,
        )
        self._targets.setZValue(11)  # above the cursor line, like the weights' markers
        plot.addItem(self._targets)
        self._signals_cursor = self._cursor_line()
        plot.addItem(self._signals_cursor, ignoreBounds=True)

        # The legend lives in the side column, so it never covers data.
        self._legend = SignalsLegend(self._side)
        self._signals_box = self._legend.box

    @staticmethod
    def _cursor_line() -> pg.InfiniteLine:
        pen = pg.mkPen(theme.CURSOR, width=1, style=Qt.PenStyle.DashLine)
        line = pg.InfiniteLine(pos=0.0, angle=90, pen=pen, movable=False)
        line.setZValue(10)
        return line

    # -- public API ---------------------------------------------------------------
    def plot_item(self, name: str) -> pg.PlotItem:
        """The PlotItem of ``"ih"``, ``"hh"``, ``"ho"`` or ``"signals"`` (a signal's name works too)."""
        if name in SIGNAL_NAMES:
            name = SIGNALS_PLOT
        return self._plots[name]

    @property
    def view(self) -> pg.GraphicsLayoutWidget:
        """The graphics view holding the four plots."""
        return self._view

    @property
    def side(self) -> QWidget:
        """The column beside the plots with each weight's value and notation, and the legend."""
        return self._side

    def curve_data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The points last given to a curve: a weight, ``"x"``, ``"target"``, ``"h"`` or ``"yhat"``.

        With a short history every tick is one point; with a long one the
        curve holds the min/max envelope of the visible range, as one vertical
        bar per pixel column (point pairs, drawn with ``connect="pairs"``).
        """
        if name in self._rows:
            x, y = self._rows[name].curve.getData()
        elif name == "target":
            x, y = self._targets.getData()
        else:
            curve = self._signal_curves[name]
            x, y = curve.getData()
            if x is not None and curve.opts["stepMode"] == "center":
                x = x[1:]  # the steps' right ends: tick t's point, x = t + 1
        if x is None:
            return np.empty(0), np.empty(0)
        return np.asarray(x), np.asarray(y)

    def marker_data(self, weight: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions and signs (+1, −1, 0) of the change markers shown on *weight*'s curve.

        The marker of tick *t* sits on the point it produced, ``x = t + 1``; its
        sign is that of the change in the stored weight, as the notation
        counts it (a computed change too small to move the float is 0).
        Empty while the visible ticks are too close together to read markers.
        """
        row = self._rows[weight]
        x, y = row.markers.getData()
        return np.asarray(x, float), np.asarray(y, float), row.marker_signs.copy()

    def markers_visible(self) -> bool:
        """Whether ticks are far enough apart on screen for the +/− markers."""
        return self._markers_shown

    def crossing_ticks(self, weight: str) -> np.ndarray:
        """Ticks (0-based, before the cursor) whose change flips *weight*'s sign.

        Tick *t* leads from point *t* to point *t + 1*; its crossing mark is
        drawn between them, at ``x = t + 0.5``.
        """
        return self._cache.indexes[weight].flip_ticks(self._adapter.session.cursor)

    def crossing_data(self, weight: str) -> tuple[np.ndarray, np.ndarray]:
        """The x positions of the crossing marks drawn (two points per mark) and their y ends."""
        x, y = self._rows[weight].crossings.getData()
        if x is None:
            return np.empty(0), np.empty(0)
        return np.asarray(x), np.asarray(y)

    def notation_text(self, weight: str) -> str:
        """The whole notation the side box of *weight* represents (not elided)."""
        index = self._cache.indexes[weight]
        return index.text(min(self._rows[weight].text_cursor, len(index)))

    def notation_label(self, weight: str) -> NotationLabel:
        """The label showing *weight*'s notation (elided at the start when long)."""
        return self._rows[weight].notation

    def value_label(self, weight: str) -> QLabel:
        """The label with *weight*'s current value (``ho = 1.98``)."""
        return self._rows[weight].header

    def cursor_x(self) -> float:
        """Where the cursor line stands: the number of ticks done."""
        return float(self._rows[WEIGHTS[0]].cursor.value())

    def fit(self) -> None:
        """Show the whole stream on the tick axis, ``0 … n_ticks``, and follow its length."""
        self._fitted = True
        self._apply_x_limits()

    def set_font_scale(self, scale: float) -> None:
        """Scale every text of the plots (axes, side boxes) and the markers by *scale*.

        For a projector or a recording; 1.0 is the normal size.
        """
        scale = max(float(scale), 0.25)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self._apply_fonts()
        # The markers grow too.
        self._sync_caches()
        self._refresh_plots()
        self._refresh_text()
        self._place_side_boxes()

    def _apply_fonts(self) -> None:
        """Size the axes, the side boxes and the legend for the font scale."""
        font = theme.scaled_font(self.font(), self._font_scale)
        size_pt = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
        metrics = QFontMetrics(font)
        for plot in self._plots.values():
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)
                axis.setLabel(axis.labelText, **{"font-size": f"{size_pt:.1f}pt", "color": _AXIS_COLOR})
        self._fit_left_axes()
        for child in self._side.findChildren(QLabel):
            child.setFont(font)
        self._legend.refit()  # its font was just reset
        self._side.setFixedWidth(metrics.averageCharWidth() * SIDE_WIDTH_CHARS + 10)
        self._update_legend()

    # -- reacting to the session ------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        flags = Change(flags)
        self._sync_caches()
        if flags & (Change.STREAM | Change.HISTORY):
            self._apply_x_limits()
        if flags & Change.PARAMS:
            self._apply_signals_y_range()
        self._refresh_plots()
        self._refresh_text()

    def _sync_caches(self) -> None:
        """Bring the pyramids and notation indexes up to the cursor (cut back first on forgotten ticks)."""
        self._cache.sync(self._adapter.session)

    def _apply_signals_y_range(self) -> None:
        """A fixed y range for the signals: the bits 0 and 1 and the activation's whole range."""
        low, high = signals_y_range(self._adapter.session.params.act.range)
        vb = self._plots[SIGNALS_PLOT].vb
        if tuple(vb.viewRange()[1]) != (low, high):
            vb.setYRange(low, high, padding=0)
            vb.updateMatrix()

    # -- x range --------------------------------------------------------------------
    def _default_x_range(self) -> tuple[float, float]:
        # Half a tick of room each side keeps the first and last markers whole.
        return -0.5, max(self._adapter.session.n_ticks, 1) + 0.5

    def _apply_x_limits(self) -> None:
        low, high = self._default_x_range()
        self._setting_range = True
        try:
            for plot in self._plots.values():
                plot.vb.setLimits(xMin=low, xMax=high, minXRange=2.0)
            if self._fitted:
                self._master.setXRange(low, high, padding=0)
        finally:
            self._setting_range = False

    def _on_x_range_changed(self, *_args) -> None:
        if not self._setting_range:
            low, high = self._default_x_range()
            x0, x1 = self._master.viewRange()[0]
            # A zoom or pan by the user: keep it until fit() (a range equal to
            # the default, e.g. after zooming back out to the limits, counts as fitted).
            self._fitted = abs(x0 - low) < 1e-6 and abs(x1 - high) < 1e-6
        self._refresh_plots()

    def _on_view_resized(self, *_args) -> None:
        self._refresh_plots()
        self._place_side_boxes()

    # -- drawing ----------------------------------------------------------------------
    def _visible(self) -> tuple[float, float, float]:
        """The visible tick range and the data area's width in pixels."""
        x0, x1 = self._master.viewRange()[0]
        width = max(float(self._master.width()), 100.0)
        return x0, x1, width

    def _refresh_plots(self) -> None:
        session = self._adapter.session
        history = session.history
        cursor = session.cursor
        visible = self._visible()
        x0, x1, width = visible
        spacing = width / max(x1 - x0, 1e-9)  # pixels per tick
        self._markers_shown = spacing >= MARKER_MIN_SPACING_PX
        # The ticks whose marks and dots may be in view (tick t stands at x = t + 1).
        first, last = ticks_near_view(visible, cursor)
        for weight in WEIGHTS:
            row = self._rows[weight]
            x, y, exact = self._cache.points(session, weight, visible, _pixel_height(row.plot))
            row.curve.setData(
                x, y, connect="all" if exact else "pairs", antialias=exact and len(x) <= EXACT_POINTS
            )
            row.cursor.setValue(cursor)
            _fit_y(row.plot, x, y, x0, x1)
            self._update_markers(row, first, last, spacing)
            self._update_crossings(row, visible)
        signal_pixel = _pixel_height(self._plots[SIGNALS_PLOT])
        for name, curve in self._signal_curves.items():
            # Tick t's signals stand at x = t + 1, beside the weights it produced.
            x, y, exact = self._cache.points(session, name, visible, signal_pixel)
            if name == "x" and exact and len(x):
                # Input bits are steps held over their tick, from t to t + 1
                # (pyqtgraph's "center" steps take the boundaries: one more x
                # than y). An envelope is already a band.
                curve.setData(np.concatenate(([x[0] - 1.0], x)), y, stepMode="center",
                              connect="all", antialias=False)
            else:
                curve.setData(
                    x, y, stepMode=None, connect="all" if exact else "pairs",
                    antialias=exact and name != "x",
                )
        if spacing >= TARGET_MIN_SPACING_PX:
            ticks = np.arange(first + 1, last + 1, dtype=np.float64)
            targets = np.asarray(history["target"][first:last], dtype=np.float64)
            size = min(TARGET_DOT_PX * self._font_scale, TARGET_DOT_SHARE * spacing)
            self._targets.setData(ticks, targets, size=size)
        else:
            self._targets.setData([], [])
        # An empty item still costs a paint and bounds on every frame.
        self._targets.setVisible(len(self._targets.data) > 0)
        self._signals_cursor.setValue(cursor)
        self._tick_axis.set_cursor(cursor)
        self._update_legend()
        self._fit_left_axes()

    def _fit_left_axes(self) -> None:
        _fit_left_axes(list(self._plots.values()), self.font())

    def _update_markers(self, row: _WeightRow, first: int, last: int, spacing: float) -> None:
        styles = (self._marker_symbols, self._marker_brushes)
        if not self._markers_shown:
            row.draw_markers(None, None, None, 0.0, styles, self._marker_rim)
            return
        x, y, signs = self._cache.markers(self._adapter.session, row.name, first, last)
        big = min(MARKER_PX * self._font_scale, MARKER_SHARE * spacing)
        row.draw_markers(x, y, signs, big, styles, self._marker_rim)

    def _update_crossings(self, row: _WeightRow, visible: tuple[float, float, float]) -> None:
        found = self._cache.crossings(row.name, self._adapter.session.cursor, visible)
        if found is None:
            return  # a resize before the first sync: caches catch up before the next draw
        row.draw_crossings(*found)

    def _update_legend(self) -> None:
        dense = any(row.crossings_dense for row in self._rows.values())
        self._legend.set_notes(legend_notes(self._markers_shown, self._targets.isVisible(), dense))
        self._fit_legend()

    def _fit_legend(self) -> None:
        self._legend.fit(theme.scaled_font(self.font(), self._font_scale))

    # -- side box text -----------------------------------------------------------------
    def _weights_shown(self) -> dict[str, float]:
        """Each weight as the diagram shows it: after the ticks done, or at the stage shown."""
        adapter = self._adapter
        return weights_shown(adapter.session, adapter.stage, adapter.stage_tick)

    def _refresh_text(self) -> None:
        cursor = self._adapter.session.cursor
        if any(cursor > len(index) for index in self._cache.indexes.values()):
            return  # not synced yet (only during construction)
        for weight, value in self._weights_shown().items():
            row = self._rows[weight]
            row.text_cursor = cursor
            color = theme.sign_color(value).name()
            header = f"<b>{weight}</b> = <span style='color:{color}'>{format_number(value)}</span>"
            if header != row.header.text():
                row.header.setText(header)
            text, first_token = self._label_tail(row, cursor)
            row.notation.set_notation(text, first_token=first_token)

    def _label_tail(self, row: _WeightRow, cursor: int) -> tuple[str, int]:
        # Format only as many tokens as the box could show: a token takes at
        # least two characters ("+ ").
        rect = row.notation.contentsRect()
        metrics = row.notation.fontMetrics()
        per_line = max(rect.width(), 1) / max(metrics.averageCharWidth(), 1)
        lines = max(rect.height(), metrics.height()) / max(metrics.lineSpacing(), 1)
        max_tokens = int(per_line * (lines + 1) / 2) + 2
        return self._cache.indexes[row.name].tail(cursor, max_tokens)

    def notation_tooltip(self, weight: str) -> str:
        """The tooltip of *weight*'s notation: the whole text, or its last few thousand characters."""
        return self._cache.tooltip(weight, self._rows[weight].text_cursor)

    # -- side boxes ----------------------------------------------------------------------
    def _place_side_boxes(self, *_args) -> None:
        """Put each side box level with its plot's data area."""
        boxes = {name: row.box for name, row in self._rows.items()}
        boxes[SIGNALS_PLOT] = self._signals_box
        viewport = self._view.viewport()
        resized = False
        for name, box in boxes.items():
            vb = self._plots[name].vb
            area = self._view.mapFromScene(vb.sceneBoundingRect()).boundingRect()
            top = self._side.mapFrom(self, viewport.mapTo(self, area.topLeft())).y()
            height = area.height()
            if name == SIGNALS_PLOT:
                # The legend may use the room beside the tick axis too.
                height = self._side.height() - top
            size = (self._side.width(), max(height, 1))
            resized |= (box.width(), box.height()) != size
            box.setGeometry(0, top, *size)
        if resized:
            # The labels format only as much notation as fits: a bigger box needs more.
            self._refresh_text()
            self._fit_legend()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._place_side_boxes()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._place_side_boxes()

    # -- mouse --------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (
            watched is self._view.viewport()
            and event.type() == QEvent.Type.MouseButtonDblClick
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self.fit()
        return super().eventFilter(watched, event)

    def _on_scene_clicked(self, event) -> None:
        # A click, not a drag (pyqtgraph tells them apart); double-clicks fit.
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        pos = event.scenePos()
        for plot in self._plots.values():
            if plot.vb.sceneBoundingRect().contains(pos):
                self._adapter.seek(round(plot.vb.mapSceneToView(pos).x()))
                return


def _pixel_height(plot: pg.PlotItem) -> float:
    """The height of one pixel of *plot*, in data units (its y range as it stands)."""
    low, high = plot.vb.viewRange()[1]
    return (high - low) / max(plot.vb.height(), 1.0)


def _fit_left_axes(plots: list[pg.PlotItem], default_font: QFont) -> None:
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


def _fit_y(plot: pg.PlotItem, x: np.ndarray, y: np.ndarray, x0: float, x1: float) -> None:
    """Fit the y range to the points of the curve inside ``x0 … x1``, with padding."""
    fitted = fitted_y_range(x, y, x0, x1, tuple(plot.vb.viewRange()[1]))
    if fitted is not None:
        plot.vb.setYRange(*fitted, padding=0)
        # Apply the new transform now: left to the paint, the items it
        # moves would ask for a second paint of the whole view.
        plot.vb.updateMatrix()
