"""The lab's flow heat map: training updates × steps back, coloured by log10 ‖δ_t‖.

It paints the :class:`~rnnviz.present.lab_heatmap.FlowHeatmap` of the run's
stored updates (:mod:`rnnviz.present.lab_heatmap`: each column is the mean of
log10 ‖δ_t‖ over a power-of-two bucket of updates, at most one column per
pixel of the plot), with a colour bar in whole decades on the |δ| colours of
the unrolled view, and marks the cursor's update: a line at it and a frame
round the column it falls in. The image, colour bar and marks are made once;
a change sets their data. A :class:`~rnnviz.present.lab_heatmap.HeatmapCache`
reads only the updates stored since the last change, so following the
training costs O(T) per update, and moving the cursor costs nothing but the
marks. Behind another tab the panel only notes the run it was handed and
catches up when it is shown (the cache then reads every update stored since),
so training frames do not pay for a map nobody sees.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QVBoxLayout, QWidget

from rnnviz.present.format import format_number, power_of_ten
from rnnviz.present.lab_heatmap import MAX_DECADES, FlowHeatmap, HeatmapCache
from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.lab_curves import stepped_end
from rnnviz.ui.workspaces.elman.unrolled import DELTA_STOPS

#: The colour bar labels at most this many decades (every second, third … beyond).
MAX_DECADE_LABELS: Final[int] = 8
#: The plot's title.
TITLE: Final[str] = "‖δ_t‖ while the network learns"
#: Columns used before the plot has been laid out.
DEFAULT_COLUMNS: Final[int] = 400

COLOUR_MAP: Final[pg.ColorMap] = pg.ColorMap(np.linspace(0.0, 1.0, len(DELTA_STOPS)), list(DELTA_STOPS))


def decade_ticks(log_range: tuple[float, float], most: int = MAX_DECADE_LABELS) -> list[tuple[float, str]]:
    """The colour bar's labels: whole decades from high down to low, at most *most* (≥ 2) of them."""
    low, high = (round(v) for v in log_range)
    every = max(1, -(-(high - low) // (max(most, 2) - 1)))
    return [(float(e), power_of_ten(e)) for e in range(high, low - 1, -every)]


def legend_text(heatmap: FlowHeatmap) -> str:
    """The line under the map: what a column and a colour mean, and where 0 and ∞ go."""
    if heatmap.stored == 0:
        return "No updates yet: step or play to fill the map."
    per = heatmap.updates_per_column
    column = ("one column per update" if per == 1
              else f"each column: the mean of log10 ‖δ_t‖ over {per:,} updates (their geometric mean)")
    ends = []
    if heatmap.has_zero:
        ends.append("‖δ‖ = 0 in the lowest colour")
    if heatmap.has_infinite:
        ends.append("∞ in the highest")
    tail = ("; " + ", ".join(ends)) if ends else "; ‖δ‖ = 0 would show in the lowest colour, ∞ in the highest"
    return f"Colour: log10 ‖δ_t‖ of {heatmap.stored:,} stored updates; {column}{tail}."


class HeatmapPanel(QWidget):
    """How the gradient flows back through the example, for every stored update."""

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__()
        self._tell = tell
        self._cache = HeatmapCache()
        self._shown: FlowHeatmap | None = None
        self._run: LabRun | None = None
        self._stale = False  # handed a run while hidden: map it when shown
        self._applied: dict[str, object] = {}  # what _once last applied
        self.heatmap: FlowHeatmap | None = None
        self.plot = pg.PlotWidget(background="w")
        item = self.plot.getPlotItem()
        self._font_scale = 1.0
        self._label_fonts()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="col-major")
        item.addItem(self.image)
        self.colour_bar = pg.ColorBarItem(values=(-1.0, 0.0), colorMap=COLOUR_MAP, interactive=False,
                                          colorMapMenu=False, label="‖δ_t‖", width=16)
        self.colour_bar.setImageItem(self.image, insert_in=item)
        pen = pg.mkPen(theme.CURSOR, width=1.5)
        self.cursor_line = pg.InfiniteLine(angle=90, pen=pen)
        item.addItem(self.cursor_line)
        self.cursor_column = QGraphicsRectItem()
        self.cursor_column.setPen(pg.mkPen(theme.CURSOR, width=1, style=Qt.PenStyle.DashLine))
        item.addItem(self.cursor_column)
        self.plot.setMinimumSize(260, 160)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(f"color:{theme.MUTED}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        self.plot.scene().sigMouseMoved.connect(self._hover)

    def _label_fonts(self) -> None:
        """Title and axis names at the font scale (pyqtgraph sizes them in its HTML)."""
        item = self.plot.getPlotItem()
        scale = self._font_scale
        item.setTitle(f'<span style="color:#303030">{TITLE}</span>', size=f"{10 * scale:g}pt")
        for side, text in (("left", "steps back from the last"), ("bottom", "update")):
            item.setLabel(side, text, **{"font-size": f"{9 * scale:g}pt"})

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large (axes, colour bar, legend), for presentation mode."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        font = theme.scaled_font(QFont(), scale)
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            item.getAxis(side).setTickFont(font)
        self.colour_bar.axis.setTickFont(font)
        self.legend.setFont(font)
        self._label_fonts()
        self._tick_bar()

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def columns(self) -> int:
        """At most one column per device-independent pixel of the plot's view."""
        width = int(self.plot.getPlotItem().getViewBox().width())
        return width if width >= 16 else DEFAULT_COLUMNS

    def show_lab(self, run: LabRun, example_index: int) -> None:
        """Show *run*'s stored updates and mark its cursor (*example_index* is not needed here);
        hidden, only once shown."""
        self._run = run
        self._stale = not self.isVisible()
        if not self._stale:
            self._show(run)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self._run is not None:
            self._stale = False
            self._show(self._run)

    def _show(self, run: LabRun) -> None:
        heatmap = self._cache.heatmap(run.delta_norm_matrix(), self.columns(),
                                      key=(id(run), run.forgets))
        self.heatmap = heatmap
        if heatmap is not self._shown:
            self._paint(heatmap)
            self._shown = heatmap
        self._mark(heatmap, run.cursor)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A new width may hold more or fewer columns: map the last run shown again."""
        super().resizeEvent(event)
        self._tick_bar()
        heatmap, run = self.heatmap, self._run
        if run is not None and heatmap is not None and self._cache.columns != self.columns() \
                and not self._stale:
            self._show(run)

    def _tick_bar(self) -> None:
        """Label the colour bar's decades, as many as its height holds without crowding."""
        if self.heatmap is None:
            return
        metrics = QFontMetrics(theme.scaled_font(QFont(), self._font_scale))
        line = metrics.height()
        # The bar's axis keeps its width: make room for the widest label ("10⁻²⁸").
        width = metrics.horizontalAdvance(power_of_ten(-MAX_DECADES)) + 12
        height = self.plot.getPlotItem().getViewBox().height()
        most = min(MAX_DECADE_LABELS, int(height / (2.2 * line))) if height > 0 else MAX_DECADE_LABELS
        self._once("bar", (width, most, self.heatmap.log_range), lambda: (
            self.colour_bar.axis.setWidth(width),
            self.colour_bar.axis.setTicks([decade_ticks(self.heatmap.log_range, most)])))

    def _once(self, what: str, value: object, apply: Callable[[], object]) -> None:
        """Call *apply* only when *what* is to show another *value* than last time: a new range,
        level or tick list lays out and paints an axis again, while training changes them rarely."""
        if self._applied.get(what, self) != value:
            self._applied[what] = value
            apply()

    def _paint(self, heatmap: FlowHeatmap) -> None:
        low, high = heatmap.log_range
        self.legend.setText(html.escape(legend_text(heatmap)))
        self._once("levels", (low, high), lambda: self.colour_bar.setLevels((low, high)))
        self._tick_bar()
        item = self.plot.getPlotItem()
        steps = max(heatmap.steps, 1)
        if heatmap.stored == 0:
            self.image.clear()
            self._once("range", (1.5, steps), lambda: item.setRange(
                xRange=(0.5, 1.5), yRange=(0, steps), padding=0))
            return
        # −∞ (a zero norm) takes the lowest colour, +∞ the highest.
        self.image.setImage(np.clip(heatmap.image, low, high), autoLevels=False, levels=(low, high))
        width = heatmap.n_columns * heatmap.updates_per_column
        self.image.setRect(QRectF(0.5, 0.0, width, heatmap.steps))
        # The update axis grows in steps, never wider than the columns' capacity (one a pixel).
        end = min(stepped_end(width), heatmap.updates_per_column * max(self._cache.columns or 0, heatmap.n_columns))
        self._once("range", (end, steps), lambda: item.setRange(
            xRange=(0.5, 0.5 + end), yRange=(0, steps), padding=0))
        spacing = max(1, -(-steps // 8))
        self._once("ticks", (steps, spacing), lambda: item.getAxis("left").setTicks(
            [[(s + 0.5, str(s)) for s in range(0, steps, spacing)]]))

    def _mark(self, heatmap: FlowHeatmap, cursor: int) -> None:
        """A line at update *cursor* (1-based: the last one done) and a frame round its column."""
        shown = 0 < cursor <= heatmap.stored
        self.cursor_line.setVisible(shown)
        self.cursor_column.setVisible(shown and heatmap.updates_per_column > 1)
        if not shown:
            return
        self.cursor_line.setValue(cursor)
        first, end = heatmap.column_updates(heatmap.column_of(cursor - 1))
        self.cursor_column.setRect(QRectF(first + 0.5, 0.0, end - first, heatmap.steps))

    def _hover(self, position) -> None:
        heatmap = self.heatmap
        view = self.plot.getPlotItem().getViewBox()
        if heatmap is None or heatmap.stored == 0 or not view.sceneBoundingRect().contains(position):
            return
        point = view.mapSceneToView(position)
        update, back = round(point.x()), math.floor(point.y())
        if not (1 <= update <= heatmap.stored and 0 <= back < heatmap.steps):
            return
        column = heatmap.column_of(update - 1)
        first, end = heatmap.column_updates(column)
        value = float(heatmap.image[column, back])
        said = ("updates " if end - first > 1 else "update ") + (
            f"{first + 1:,}–{end:,}" if end - first > 1 else f"{first + 1:,}")
        self._tell(f"{said}, step {heatmap.steps - back} ({back} back): "
                   f"mean log10 ‖δ_t‖ = {format_number(value)}")
