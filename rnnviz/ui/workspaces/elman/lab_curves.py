"""The lab's two plots: the loss over training, and the gradient flowing back through the example.

Both are handed their numbers (the run's per-update losses, a
:class:`~rnnviz.present.lab.FlowSeries`) and only draw them; every item is
made once and updated with ``setData``.
"""

from __future__ import annotations

import html
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem

from rnnviz.present.lab import FlowSeries
from rnnviz.ui import theme

#: Up to this many steps, the flow plot labels every step.
MAX_STEP_LABELS: Final[int] = 16
#: Updates the running mean of the loss is taken over.
MEAN_WINDOW: Final[int] = 100
LOSS_COLOUR: Final[str] = "#9a9a9a"
MEAN_COLOUR: Final[str] = "#1f4e9a"
CLIP_COLOUR: Final[str] = "#c0392b"
#: The full gradient beside a truncated one, dotted.
FULL_COLOUR: Final[str] = "#7a7a7a"
#: The twin run (the same preset with the clipping flipped), dashed beside the main run.
TWIN_COLOUR: Final[str] = "#2e9a2e"
GRAD_COLOUR: Final[str] = "#1f4e9a"
FACTOR_COLOUR: Final[str] = theme.POSITIVE
PRODUCT_COLOUR: Final[str] = theme.NEGATIVE
#: The title's (and so the legend's) size at font scale 1, in points.
TITLE_PT: Final[float] = 10.0


def running_mean(values: np.ndarray, window: int = MEAN_WINDOW) -> np.ndarray:
    """The mean of the last *window* values at each point (fewer at the start)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    sums = np.cumsum(values)
    out = np.empty_like(values)
    out[:window] = sums[:window] / np.arange(1, min(window, values.size) + 1)
    if values.size > window:
        out[window:] = (sums[window:] - sums[:-window]) / window
    return out


def _set(item, x: np.ndarray, y: np.ndarray) -> None:
    """``item.setData(x, y)`` with non-finite points left out of lines and marks.

    A curve with no finite point at all is emptied: pyqtgraph cannot bound
    an all-NaN curve (a diverged run's last example, say).
    """
    keep = np.isfinite(y)
    if not keep.any():
        item.setData([], [])
    elif keep.all():
        item.setData(x, y)
    else:
        item.setData(x, np.where(keep, y, np.nan), connect="finite")


def _retitle(plot: _LabPlot, text: str) -> None:
    """Set *plot*'s title only when it changes: a new title lays the whole plot out again."""
    if plot.shown_title != text:
        plot.shown_title = text
        plot.getPlotItem().setTitle(text, size=f"{TITLE_PT * plot.font_scale():g}pt")


def _cache_axes(plot: pg.PlotWidget) -> None:
    """Keep each axis as a picture until it changes: redrawing an axis's text costs ~4 ms, and
    the plot redraws on every frame while only the curves have moved."""
    for side in ("left", "bottom"):
        plot.getPlotItem().getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _legend_title(title: str, entries: tuple[tuple[str, str, str], ...]) -> str:
    """A plot title that is its own legend: *title*, then each (colour, mark, text) in its colour.

    A legend inside the plot would sit on the curves; in the title it never does.
    """
    marks = "  ".join(f'<span style="color:{colour}">{mark} {html.escape(text)}</span>'
                      for colour, mark, text in entries)
    return f'<span style="color:#303030">{html.escape(title)}:</span>&nbsp; {marks}'


class _LabPlot(pg.PlotWidget):
    """What both lab plots share: a title that is its own legend, cached axes, a font scale."""

    #: The axes whose text the font scale sizes.
    SIDES: tuple[str, ...] = ("left", "bottom")

    def __init__(self, title: str, axis_names: dict[str, str]) -> None:
        super().__init__(background="w")
        item = self.getPlotItem()
        self._font_scale = 1.0
        item.setTitle(title, size=f"{TITLE_PT:g}pt")
        for side, text in axis_names.items():
            item.setLabel(side, text)
        self._axis_names = dict(axis_names)
        #: The title as first set (a show_… method adds to it).
        self._title = item.titleLabel.text
        #: The title as last set by a show_… method (None: the one from the start).
        self.shown_title: str | None = None
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getAxis("left").enableAutoSIPrefix(False)
        self.setMinimumSize(220, 140)

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large (ticks, axis names, the title and its legend); 1.0 is the normal look."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        font = theme.scaled_font(QFont(), scale)
        points = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
        item = self.getPlotItem()
        for side in self.SIDES:
            axis = item.getAxis(side)
            axis.setTickFont(font)
            axis.setLabel(self._axis_names[side], **{"font-size": f"{points:g}pt"})
        title = self.shown_title if self.shown_title is not None else self._title
        self.shown_title = None
        _retitle(self, title)

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale


class LossPlot(_LabPlot):
    """Loss per update and its running mean; a red tick under every clipped update; the cursor."""

    def __init__(self) -> None:
        super().__init__(_legend_title("loss per update", (
            (LOSS_COLOUR, "━", "the example's"), (MEAN_COLOUR, "━", f"mean of the last {MEAN_WINDOW}"),
            (CLIP_COLOUR, "▲", "clipped"))), {"left": "loss", "bottom": "update"})
        item = self.getPlotItem()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        self.loss = item.plot(pen=pg.mkPen(LOSS_COLOUR, width=1), symbolSize=6, symbolPen=None,
                              symbolBrush=LOSS_COLOUR)
        self.mean = item.plot(pen=pg.mkPen(MEAN_COLOUR, width=1))
        self.clips = pg.ScatterPlotItem(symbol="t1", size=7, pen=None, brush=pg.mkBrush(CLIP_COLOUR))
        item.addItem(self.clips)
        self.twin = item.plot(pen=pg.mkPen(TWIN_COLOUR, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        _cache_axes(self)
        self.cursor_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.CURSOR, width=1,
                                                              style=pg.QtCore.Qt.PenStyle.DashLine))
        item.addItem(self.cursor_line)

    def show_run(self, losses: np.ndarray, clipped: np.ndarray, cursor: int) -> None:
        """Draw updates 1 … len(losses); *cursor* updates are done."""
        x = np.arange(1, losses.size + 1, dtype=np.float64)
        finite = np.where(np.isfinite(losses), losses, np.nan)
        _set(self.loss, x, finite)
        _set(self.mean, x, running_mean(np.where(np.isfinite(losses), losses, 0.0)))
        marks = np.flatnonzero(clipped)
        low = float(np.nanmin(finite)) if np.isfinite(finite).any() else 0.0
        self.clips.setData(x[marks], np.full(marks.size, low))
        self.cursor_line.setValue(cursor)
        # Updates are whole numbers: while few, label each one rather than 1.2, 1.4, …,
        # and mark each loss with a dot (one update alone is a line of one point: nothing).
        few = 0 < losses.size <= MAX_STEP_LABELS
        bottom = self.getPlotItem().getAxis("bottom")
        bottom.setTicks([[(float(u), str(u)) for u in range(1, losses.size + 1)]] if few else None)
        self.loss.setSymbol("o" if few else None)

    def show_twin(self, losses: np.ndarray | None) -> None:
        """The twin run's running mean of the loss, dashed (none: hidden); the title says "twin"."""
        if losses is None:
            self.twin.setData([], [])
            _retitle(self, self._title)
            return
        x = np.arange(1, losses.size + 1, dtype=np.float64)
        _set(self.twin, x, running_mean(np.where(np.isfinite(losses), losses, 0.0)))
        _retitle(self, self._title + f'&nbsp; <span style="color:{TWIN_COLOUR}">┅ twin</span>')


class FlowPlot(_LabPlot):
    """‖∂L/∂h_t‖ against the step, on a log axis, with the per-step factor and its running product."""

    def __init__(self) -> None:
        super().__init__(_legend_title("back through the example", (
            (GRAD_COLOUR, "●", "‖∂L/∂h_t‖"), (FACTOR_COLOUR, "●", "‖diag f′(a_t)·W_hhᵀ‖"),
            (PRODUCT_COLOUR, "┅", "their running product"))), {"left": "norm (log scale)", "bottom": "step t"})
        item = self.getPlotItem()
        item.setLogMode(y=True)
        symbol = dict(symbol="o", symbolSize=5)
        self.grad = item.plot(pen=pg.mkPen(GRAD_COLOUR, width=1), symbolBrush=GRAD_COLOUR,
                              symbolPen=None, **symbol)
        self.factor = item.plot(pen=pg.mkPen(FACTOR_COLOUR, width=1), symbolBrush=FACTOR_COLOUR,
                                symbolPen=None, **symbol)
        self.product = item.plot(pen=pg.mkPen(PRODUCT_COLOUR, width=1,
                                              style=pg.QtCore.Qt.PenStyle.DashLine))
        self.twin = item.plot(pen=pg.mkPen(TWIN_COLOUR, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.full = item.plot(pen=pg.mkPen(FULL_COLOUR, width=1, style=pg.QtCore.Qt.PenStyle.DotLine))
        self.window_region = pg.LinearRegionItem(movable=False, brush=QColor(0, 0, 0, 18),
                                                 pen=pg.mkPen(None))
        self.window_region.hide()
        item.addItem(self.window_region)
        _cache_axes(self)

    def show_full(self, flow: FlowSeries | None) -> None:
        """With truncation, the full gradient's ‖∂L/∂h_t‖ dotted beside the truncated one (none: hidden)."""
        if flow is None:
            self.full.setData([], [])
            _retitle(self, self._title)
            return
        grads = np.asarray(flow.grad_norms, dtype=np.float64)
        _set(self.full, np.asarray(flow.steps, dtype=np.float64),
             np.where(np.isfinite(grads) & (grads > 0), grads, np.nan))
        _retitle(self, self._title + f'&nbsp; <span style="color:{FULL_COLOUR}">┈ full BPTT</span>')

    def show_twin(self, flow: FlowSeries | None) -> None:
        """The twin run's ‖∂L/∂h_t‖ for the same example, dashed (none: hidden)."""
        if flow is None:
            self.twin.setData([], [])
        else:
            grads = np.asarray(flow.grad_norms, dtype=np.float64)
            _set(self.twin, np.asarray(flow.steps, dtype=np.float64),
                 np.where(np.isfinite(grads) & (grads > 0), grads, np.nan))

    def show_flow(self, flow: FlowSeries, window: int | None) -> None:
        """Draw *flow*; with a truncation window, shade the steps the last window leaves out."""
        def positive(values: np.ndarray) -> np.ndarray:
            values = np.asarray(values, dtype=np.float64)
            return np.where(np.isfinite(values) & (values > 0), values, np.nan)

        steps = np.asarray(flow.steps, dtype=np.float64)
        _set(self.grad, steps, positive(flow.grad_norms))
        _set(self.factor, steps, positive(flow.factor_norms))
        _set(self.product, steps, positive(flow.running_product))
        # Steps are whole numbers: label them so while they fit, else let the axis choose.
        bottom = self.getPlotItem().getAxis("bottom")
        bottom.setTicks([[(float(t), str(int(t))) for t in steps]] if steps.size <= MAX_STEP_LABELS else None)
        last = int(steps[-1]) if steps.size else 0
        if window is not None and window < last:
            start = last - (last - 1) % window  # first step of the last window
            self.window_region.setRegion((0.5, start - 0.5))
            self.window_region.show()
        else:
            self.window_region.hide()
