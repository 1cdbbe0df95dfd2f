"""The pieces of the weight plots: per-weight rows, the signals' items, the side-box labels.

:class:`WeightRow` holds one weight plot's items and its side box (value
and notation), :class:`SignalItems` the signals plot's curves, target dots
and cursor, :class:`SignalsLegend` the legend beside it and
:class:`NotationLabel` a notation elided at its start. The building
functions make them as :class:`rnnviz.ui.plots.WeightPlots` lays them out;
what they draw comes from its :class:`~rnnviz.present.series.SeriesCache`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPainterPath, QPen, QPolygonF, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from rnnviz.engine.notation import MINUS
from rnnviz.engine.notation_index import NotationIndex
from rnnviz.present.format import format_number
from rnnviz.present.series import ELLIPSIS as _ELLIPSIS
from rnnviz.present.series import SIGNAL_CURVES, SeriesCache, fitted_y_range
from rnnviz.session import Session
from rnnviz.ui import theme
from rnnviz.ui.plot_axes import TickAxis, ValueAxis

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

_SIGNAL_LABELS: Final[dict[str, str]] = {
    "x": "x input", "target": "target (next bit)", "h": "h hidden", "yhat": "ŷ prediction",
}
_CURVE_COLOR: Final[str] = "#3a3a3a"
AXIS_COLOR: Final[str] = "#404040"
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


def marker_styles() -> tuple[np.ndarray, np.ndarray]:
    """Symbols and brushes of the change markers, indexed by sign + 1 (−, 0, +)."""
    symbols = np.empty(3, dtype=object)
    symbols[:] = [_bar_symbol(plus=False), "o", _bar_symbol(plus=True)]
    brushes = np.empty(3, dtype=object)
    brushes[:] = [pg.mkBrush(c) for c in (theme.NEGATIVE, theme.NEUTRAL, theme.POSITIVE)]
    return symbols, brushes


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
class WeightRow:
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

    def show_text(self, value: float, cursor: int, index: NotationIndex) -> None:
        """Write *value* in the side box's header and the notation up to *cursor* under it."""
        self.text_cursor = cursor
        color = theme.sign_color(value).name()
        header = f"<b>{self.name}</b> = <span style='color:{color}'>{format_number(value)}</span>"
        if header != self.header.text():
            self.header.setText(header)
        # Format only as many tokens as the box could show: a token takes at
        # least two characters ("+ ").
        rect = self.notation.contentsRect()
        metrics = self.notation.fontMetrics()
        per_line = max(rect.width(), 1) / max(metrics.averageCharWidth(), 1)
        lines = max(rect.height(), metrics.height()) / max(metrics.lineSpacing(), 1)
        max_tokens = int(per_line * (lines + 1) / 2) + 2
        text, first_token = index.tail(cursor, max_tokens)
        self.notation.set_notation(text, first_token=first_token)


# -- building ---------------------------------------------------------------------------
def new_plot(view: pg.GraphicsLayoutWidget, name: str, row: int, label: str) -> pg.PlotItem:
    """A plot in *view*'s *row* with rnnviz's axes, titled *label*, its y range left to the caller."""
    axes = {"left": ValueAxis(orientation="left"), "bottom": TickAxis(orientation="bottom")}
    plot = view.addPlot(row=row, col=0, axisItems=axes)
    plot.setObjectName(f"plot_{name}")
    plot.hideButtons()  # the auto-range button would fight the x-range policy
    plot.setMenuEnabled(False)
    plot.vb.setMouseEnabled(x=True, y=False)
    # A weight's y range follows the visible data, set by fit_y from the
    # very arrays just drawn (the signals' range is fixed): pyqtgraph's
    # auto-range would ask every item for its bounds several times per
    # frame, which costs more than drawing.
    plot.vb.disableAutoRange()
    plot.setLabel("left", label)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(pg.mkPen(AXIS_COLOR, width=1))
        axis.setTextPen(pg.mkPen(AXIS_COLOR, width=1))
        axis.enableAutoSIPrefix(False)  # "ih (x0.001)" would hide the weight's real size
    # No grid: on this machine grid lines cost more per frame than every
    # curve together (alpha-blended lines across the whole plot).
    return plot


def cursor_line() -> pg.InfiniteLine:
    """The dashed vertical line at the cursor."""
    pen = pg.mkPen(theme.CURSOR, width=1, style=Qt.PenStyle.DashLine)
    line = pg.InfiniteLine(pos=0.0, angle=90, pen=pen, movable=False)
    line.setZValue(10)
    return line


def build_weight_row(plot: pg.PlotItem, side: QWidget, name: str,
                     tooltip: Callable[[], str]) -> WeightRow:
    """The items of weight *name*'s *plot* and its side box in the column *side*.

    *tooltip* gives the notation's tooltip text when one is about to show.
    """
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
    cursor = cursor_line()
    plot.addItem(cursor, ignoreBounds=True)

    box = QWidget(side)
    box.setObjectName(f"side_{name}")
    box_layout = QVBoxLayout(box)
    box_layout.setContentsMargins(6, 0, 4, 0)
    box_layout.setSpacing(1)
    header = QLabel(box)
    header.setObjectName(f"value_{name}")
    header.setTextFormat(Qt.TextFormat.RichText)
    notation = NotationLabel(box)
    notation.setObjectName(f"notation_{name}")
    notation.set_tooltip_source(tooltip)
    box_layout.addWidget(header)
    box_layout.addWidget(notation, 1)
    return WeightRow(
        name=name, plot=plot, curve=curve, markers=markers, crossings=crossings,
        cursor=cursor, box=box, header=header, notation=notation,
        marker_signs=np.empty(0, np.int8),
    )


@dataclass(eq=False)
class SignalItems:
    """The signals plot's items: a curve per signal, the target dots and the cursor line."""

    plot: pg.PlotItem
    curves: dict[str, pg.PlotCurveItem]
    targets: pg.ScatterPlotItem
    cursor: pg.InfiniteLine

    @classmethod
    def build(cls, plot: pg.PlotItem) -> SignalItems:
        """The items, added to *plot*."""
        plot.setLabel("bottom", "tick")
        curves: dict[str, pg.PlotCurveItem] = {}
        for name in SIGNAL_CURVES:
            curve = pg.PlotCurveItem(pen=pg.mkPen(theme.SIGNAL_COLOURS[name], width=1))
            plot.addItem(curve)
            curves[name] = curve
        curves["x"].setZValue(-2)  # the input steps sit behind h and ŷ
        targets = pg.ScatterPlotItem(
            pen=None, brush=pg.mkBrush(theme.SIGNAL_COLOURS["target"]), size=5, symbol="o",
            hoverable=False,
        )
        targets.setZValue(11)  # above the cursor line, like the weights' markers
        plot.addItem(targets)
        cursor = cursor_line()
        plot.addItem(cursor, ignoreBounds=True)
        return cls(plot, curves, targets, cursor)

    def draw_curves(self, cache: SeriesCache, session: Session,
                    visible: tuple[float, float, float]) -> None:
        """Each signal's points (or envelope) in the *visible* range."""
        signal_pixel = pixel_height(self.plot)
        for name, curve in self.curves.items():
            # Tick t's signals stand at x = t + 1, beside the weights it produced.
            x, y, exact = cache.points(session, name, visible, signal_pixel)
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

    def draw_targets(self, targets: np.ndarray, first: int, last: int, spacing: float,
                     font_scale: float) -> None:
        """The target dots of ticks *first* … *last* (the history's *targets*), when they can be read."""
        if spacing >= TARGET_MIN_SPACING_PX:
            ticks = np.arange(first + 1, last + 1, dtype=np.float64)
            values = np.asarray(targets[first:last], dtype=np.float64)
            size = min(TARGET_DOT_PX * font_scale, TARGET_DOT_SHARE * spacing)
            self.targets.setData(ticks, values, size=size)
        else:
            self.targets.setData([], [])
        # An empty item still costs a paint and bounds on every frame.
        self.targets.setVisible(len(self.targets.data) > 0)

    def data(self, name: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The points last given to signal *name* (tick t's at x = t + 1)."""
        if name == "target":
            return self.targets.getData()
        curve = self.curves[name]
        x, y = curve.getData()
        if x is not None and curve.opts["stepMode"] == "center":
            x = x[1:]  # the steps' right ends: tick t's point, x = t + 1
        return x, y


def pixel_height(plot: pg.PlotItem) -> float:
    """The height of one pixel of *plot*, in data units (its y range as it stands)."""
    low, high = plot.vb.viewRange()[1]
    return (high - low) / max(plot.vb.height(), 1.0)


def fit_y(plot: pg.PlotItem, x: np.ndarray, y: np.ndarray, x0: float, x1: float) -> None:
    """Fit the y range to the points of the curve inside ``x0 … x1``, with padding."""
    fitted = fitted_y_range(x, y, x0, x1, tuple(plot.vb.viewRange()[1]))
    if fitted is not None:
        plot.vb.setYRange(*fitted, padding=0)
        # Apply the new transform now: left to the paint, the items it
        # moves would ask for a second paint of the whole view.
        plot.vb.updateMatrix()
