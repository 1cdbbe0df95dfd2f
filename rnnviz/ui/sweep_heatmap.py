"""The sweep view's heat map: η × one start weight, each cell a run coloured by a measure.

It draws what :func:`rnnviz.present.sweep_grid.weight_grid` computes: η on a
log axis (x) against the start value of the weight chosen in the *start*
combo (``ih``, ``hh`` or ``ho``; y), the two other start weights, ``h0`` and
the rule, activation and gain the session's. Each cell is one run, coloured
by the measure of the *colour* combo: mean ``|e|`` or a final weight on a
colour bar (its title names the measure), or the notation class, where the
six largest classes get the η view's colours and every other class is grey,
all named in the legend under the plot. Dashed lines cross at the session's
η and start value. Clicking a cell sets the session's η and that start
weight through the adapter's settings path (one undo step), the ticks done
learned again from the start: the window then shows that very run; the
cell's tool tip tells what the run ended with.

Like the η view it computes only while shown, in the event loop, again when
the stream or a setting it depends on changed; a grid of more than
:data:`DIRECT_LEARNER_TICKS` runs × ticks runs with progress and Cancel
(:func:`rnnviz.ui.work.run_with_progress`, which lets the window paint every
50 ms), one beyond :data:`~rnnviz.present.sweep_grid.MAX_LEARNER_TICKS`
gets one line instead. Every item is made once and updated with ``setData``.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.present.sweep_grid import (
    DEFAULT_MEASURE,
    DEFAULT_WEIGHT,
    ETA_POINTS,
    MEASURES,
    W0_POINTS,
    WeightGrid,
    grid_key,
    weight_grid,
)
from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.work import run_with_progress, running

#: The classes' colours, largest class first (the η view's palette); the rest are :data:`OTHER_COLOUR`.
PALETTE: Final[tuple[str, ...]] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
OTHER_COLOUR: Final[str] = "#c8c8c8"
#: The colour map of mean |e| and the final weights (perceptually even, colour-blind safe).
COLOUR_MAP: Final[str] = "viridis"
LEGEND_PT: Final[float] = 9.0
#: Grids up to this many runs × ticks are computed at once (0.06–0.13 s here, by activation);
#: larger ones with progress and Cancel.
DIRECT_LEARNER_TICKS: Final[int] = 500_000
WAIT_MS: Final[int] = 100
MIN_PLOT_HEIGHT: Final[int] = 160
MIN_WIDTH: Final[int] = 220
#: The smallest share of its size the legend's text shrinks to, beside a low plot.
MIN_SHRINK: Final[float] = 0.6
#: Room beside the legend, in pixels.
LEGEND_MARGIN: Final[int] = 24


class HeatMap(QWidget):
    """η × a start weight for the session's stream, one cell per run (module docstring)."""

    #: Its minimum height changed (a larger legend, or the legend moved): the sweep view's follows.
    min_height_changed = Signal()

    def __init__(self, adapter: SessionAdapter) -> None:
        super().__init__()
        self._adapter = adapter
        self._font_scale = 1.0
        self._stale = True
        #: What was last drawn (None until first computed); how many grids were computed.
        self.grid: WeightGrid | None = None
        self.computed = 0
        self.weight = DEFAULT_WEIGHT
        self.measure_name = DEFAULT_MEASURE
        #: Class numbers drawn in the palette's colours, largest first.
        self.coloured_classes: list[int] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.compute)
        self.weight_label = QLabel("start")
        self.weight_box = QComboBox()
        for name in WEIGHTS:
            self.weight_box.addItem(name, name)
        self.weight_box.setCurrentIndex(WEIGHTS.index(self.weight))
        self.weight_box.setToolTip("the start weight swept on the y axis; the other two are the session's")
        self.weight_box.currentIndexChanged.connect(self._on_weight)
        self.colour_label = QLabel("colour")
        self.measure_box = QComboBox()
        for key, title in MEASURES.items():
            self.measure_box.addItem(title, key)
        self.measure_box.setToolTip("what each cell's colour shows")
        self.measure_box.currentIndexChanged.connect(self._on_measure)
        self.graph = pg.GraphicsLayoutWidget()
        self.graph.setBackground("w")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((self.weight_label, 0), (self.weight_box, 1), (self.colour_label, 0),
                                (self.measure_box, 2)):
            top.addWidget(widget, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.note)
        self._make_plot()
        self._legend = pg.LegendItem(colCount=1, labelTextColor=theme.INK)  # placed by _fit_legend
        #: Whether the legend is beside the plot (a wide, low panel) rather than under it.
        self.legend_beside: bool | None = None
        self._shrink = 1.0
        self._full = (0.0, 1.0)
        self._samples = [pg.ScatterPlotItem(symbol="s", pen=pg.mkPen(c), brush=pg.mkBrush(c))
                         for c in (*PALETTE, OTHER_COLOUR)]
        self._apply_fonts()
        self.graph.scene().sigMouseClicked.connect(self._on_scene_click)
        self.graph.scene().sigMouseMoved.connect(self._on_scene_move)
        adapter.changed.connect(self._on_changed)

    def _make_plot(self) -> None:
        plot = self._plot = self.graph.ci.addPlot(row=0, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLogMode(x=True, y=False)
        plot.setLabel("bottom", "η")
        for side in ("left", "bottom"):
            plot.getAxis(side).enableAutoSIPrefix(False)
        plot.getViewBox().disableAutoRange()
        plot.getViewBox().setMouseEnabled(x=False, y=False)
        # Two images: the measure's values through the colour bar, the classes' colours as RGBA.
        self._image = pg.ImageItem(axisOrder="row-major")
        self._class_image = pg.ImageItem(axisOrder="row-major")
        for image in (self._image, self._class_image):
            plot.addItem(image)
        pen = pg.mkPen(theme.INK, width=1.5, style=Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        # each dashed line over a white one, so it shows on the dark cells too
        halo = pg.mkPen("w", width=3.5)
        halo.setCosmetic(True)
        self._halos = (pg.InfiniteLine(angle=90, pen=halo), pg.InfiniteLine(angle=0, pen=halo))
        self._eta_line = pg.InfiniteLine(angle=90, pen=pen)
        self._w0_line = pg.InfiniteLine(angle=0, pen=pen)
        for line in (*self._halos, self._eta_line, self._w0_line):
            plot.addItem(line)
        self._now_sample = pg.PlotDataItem(pen=pen)  # the lines' legend sample, not drawn
        self._bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=pg.colormap.get(COLOUR_MAP),
                                    interactive=False, width=12)
        self._bar.setImageItem(self._image)
        self._bar.axis.enableAutoSIPrefix(False)  # mean |e| as 0.45, not 450 (×0.001)
        self.graph.ci.addItem(self._bar, row=0, col=1)

    def sizeHint(self) -> QSize:
        return QSize(320, 420)

    # -- presentation ---------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large (axes, colour bar, legend, combos)."""
        scale = theme.check_font_scale(scale)
        if scale != self._font_scale:
            self._font_scale = scale
            self._apply_fonts()

    def _apply_fonts(self) -> None:
        font = theme.scale_axes(self._plot, self._font_scale)
        for widget in (self.weight_label, self.weight_box, self.colour_label, self.measure_box, self.note):
            widget.setFont(font)
        theme.scale_axes(self._bar, self._font_scale, ("right",))
        self._fill_legend()

    def legend_names(self) -> list[str]:
        """The legend's entries, in order."""
        return [label.text for _, label in self._legend.items]

    def _fill_legend(self) -> None:
        """The legend's entries for what is drawn, at full size first: its size then decides
        where it goes and how much room the panel asks for."""
        self._shrink = 1.0
        self._build_legend()
        layout = self._legend.layout
        self._full = (layout.minimumWidth() + LEGEND_MARGIN, layout.minimumHeight() + LEGEND_MARGIN)
        self.setMinimumWidth(max(MIN_WIDTH, int(self._full[0])))
        self._fit_legend()

    def _build_legend(self) -> None:
        legend, grid = self._legend, self.grid
        legend.clear()
        legend.setLabelTextSize(f"{LEGEND_PT * self._font_scale * self._shrink:.3g}pt")
        if grid is not None and self.measure_name == "class":
            for slot, number in enumerate(self.coloured_classes):
                cells = grid.class_size(number)
                legend.addItem(self._samples[slot], f"class {number}: {cells} cell{'s' * (cells != 1)}")
            others = grid.class_count - len(self.coloured_classes)
            if others:
                legend.addItem(self._samples[-1], f"{others} other class{'es' * (others != 1)} (grey)")
        legend.addItem(self._now_sample, f"η and start {self.weight} now")
        legend.setMaximumHeight(legend.layout.minimumHeight())

    def _fit_legend(self) -> None:
        """The legend under the plot; in a wide, low panel (stacked under the diagram in
        presentation mode) beside it, leaving the plot its height, its text shrunk (down to
        MIN_SHRINK of its size) when it is taller than the plot."""
        legend = self._legend
        width, height = self.graph.width(), self.graph.height()
        full_width, full_height = self._full
        beside = ((width >= 1.6 * height or height < full_height + MIN_PLOT_HEIGHT)
                  and width - full_width >= MIN_WIDTH)
        if beside != self.legend_beside:
            self.legend_beside = beside
            if legend.scene() is not None:
                self.graph.ci.removeItem(legend)
            if beside:
                self.graph.ci.addItem(legend, row=0, col=2)
            else:
                self.graph.ci.addItem(legend, row=1, col=0, colspan=2)
            # at the top of its cell, not spread over a cell taller than its entries
            self.graph.ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        shrink = min(1.0, max(MIN_SHRINK, height / full_height)) if beside else 1.0
        if abs(shrink - self._shrink) > 0.04 or (shrink == 1.0 and self._shrink != 1.0):
            self._shrink = shrink
            self._build_legend()
        # Text does not shrink in proportion (rows keep their padding): smaller until it fits.
        while (beside and self._shrink > MIN_SHRINK
               and legend.layout.minimumHeight() + LEGEND_MARGIN > height):
            self._shrink = max(MIN_SHRINK, self._shrink - 0.05)
            self._build_legend()
        plot = max(MIN_SHRINK * full_height, MIN_PLOT_HEIGHT) if beside else full_height + MIN_PLOT_HEIGHT
        need = int(plot) + self.weight_box.sizeHint().height() + 14  # the rows, the spacing, the frame
        if need != self.minimumHeight():
            self.setMinimumHeight(need)
            self.min_height_changed.emit()

    def legend_shrink(self) -> float:
        """The legend's text size as a share of its size at this font scale (below 1: shrunk)."""
        return self._shrink

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    # -- following the session ---------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._timer.start()
        self._show_now()

    def _on_changed(self, flags: int) -> None:
        if flags & Change.STREAM:
            self._stale = True
        if flags & Change.PARAMS:
            if self.grid is None or self.grid.key != grid_key(self._adapter.session.params, self.weight):
                self._stale = True
            self._show_now()
        if self._stale and self.isVisible():
            self._timer.start()

    def _on_weight(self, index: int) -> None:
        self.weight = str(self.weight_box.itemData(index))
        self._stale = True
        self._fill_legend()
        self._show_now()
        if self.isVisible():
            self._timer.start()

    def _on_measure(self, index: int) -> None:
        self.measure_name = str(self.measure_box.itemData(index))
        self._draw()

    def compute(self) -> None:
        """Sweep the grid now, if the panel is shown and what it showed is stale."""
        if not self.isVisible() or not self._stale:
            return
        if running():  # another job handles events: the grid waits for it to end
            self._timer.start(WAIT_MS)
            return
        session, weight = self._adapter.session, self.weight
        bits, params = session.bits, session.params
        self._stale = False
        try:
            if self._work(len(bits) - 1) > DIRECT_LEARNER_TICKS:
                grid = run_with_progress(self.window(), "Sweeping η × start weight",
                                         lambda: weight_grid(bits, params, weight))
            else:
                grid = weight_grid(bits, params, weight)
        except (InputError, Cancelled) as error:
            text = "the sweep was cancelled" if isinstance(error, Cancelled) else str(error)
            self.grid = None
            self._say(f"No heat map: {text}")
            self._draw()
            return
        self.computed += 1
        self.grid = grid
        self._say("")
        self._draw()

    @staticmethod
    def _work(ticks: int) -> int:
        return ETA_POINTS * W0_POINTS * ticks

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # -- drawing ---------------------------------------------------------------------
    def cell_rect(self) -> QRectF:
        """The image's place in plot coordinates: log10 η across, the start value up."""
        grid = self.grid
        assert grid is not None
        x = np.log10(grid.eta)
        dx = (x[-1] - x[0]) / (len(x) - 1) if len(x) > 1 else 1.0
        dy = (grid.w0[-1] - grid.w0[0]) / (len(grid.w0) - 1) if len(grid.w0) > 1 else 1.0
        return QRectF(x[0] - dx / 2, grid.w0[0] - dy / 2, dx * len(x), dy * len(grid.w0))

    def _draw(self) -> None:
        grid = self.grid
        self._plot.setLabel("left", f"start {self.weight}")
        classes = self.measure_name == "class"
        self._bar.setVisible(grid is not None and not classes)
        self._image.setVisible(grid is not None and not classes)
        self._class_image.setVisible(grid is not None and classes)
        if grid is None:
            self.coloured_classes = []
            self._fill_legend()
            return
        if classes:
            self._class_image.setImage(self._class_colours(grid), autoLevels=False)
        else:
            values = grid.measure(self.measure_name).astype(np.float64)
            finite = values[np.isfinite(values)]
            low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
            if high <= low:
                low, high = low - 0.5, high + 0.5
            self._image.setImage(values, autoLevels=False)
            self._bar.setLevels((low, high))
            self._bar.setLabel("right", MEASURES[self.measure_name])
            self.coloured_classes = []
        rect = self.cell_rect()
        self._image.setRect(rect)
        self._class_image.setRect(rect)
        self._plot.setRange(xRange=(rect.left(), rect.right()), yRange=(rect.top(), rect.bottom()),
                            padding=0)
        self._fill_legend()
        self._apply_bar_font()
        self._show_now()

    def _apply_bar_font(self) -> None:
        theme.scale_axes(self._bar, self._font_scale, ("right",))

    def _class_colours(self, grid: WeightGrid) -> np.ndarray:
        """RGBA per cell: the six largest classes in the palette, every other grey."""
        numbers, counts = np.unique(grid.classes, return_counts=True)
        order = np.lexsort((numbers, -counts))  # largest first, lower number first on a tie
        self.coloured_classes = [int(numbers[k]) for k in order[: len(PALETTE)]]
        rgba = np.empty((*grid.shape, 4), dtype=np.ubyte)
        rgba[...] = pg.mkColor(OTHER_COLOUR).getRgb()
        for slot, number in enumerate(self.coloured_classes):
            rgba[grid.classes == number] = pg.mkColor(PALETTE[slot]).getRgb()
        return rgba

    def _show_now(self) -> None:
        params = self._adapter.session.params
        eta = params.eta
        for line in (self._eta_line, self._halos[0]):
            line.setVisible(eta > 0)
            if eta > 0:
                line.setValue(math.log10(eta))
        for line in (self._w0_line, self._halos[1]):
            line.setValue(params.init[WEIGHTS.index(self.weight)])

    def image_colours(self) -> np.ndarray:
        """What the image shows: RGBA per cell (classes) or the measure's values (rows, columns)."""
        image = self._class_image if self.measure_name == "class" else self._image
        return np.asarray(image.image)

    # -- opening a run ---------------------------------------------------------------
    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """The (row, column) of the cell at *point* in plot coordinates, or None outside."""
        if self.grid is None:
            return None
        rect = self.cell_rect()
        if not rect.contains(point):
            return None
        rows, columns = self.grid.shape
        column = min(int((point.x() - rect.left()) / rect.width() * columns), columns - 1)
        row = min(int((point.y() - rect.top()) / rect.height() * rows), rows - 1)
        return row, column

    def _scene_cell(self, scene_pos: QPointF) -> tuple[int, int] | None:
        box = self._plot.getViewBox()
        if not box.sceneBoundingRect().contains(scene_pos):
            return None
        return self.cell_at(box.mapSceneToView(scene_pos))

    def _on_scene_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        cell = self._scene_cell(event.scenePos())
        if cell is not None:
            self.open_cell(*cell)

    def _on_scene_move(self, scene_pos: QPointF) -> None:
        cell = self._scene_cell(scene_pos)
        tip = "" if cell is None else (self.grid.describe(*cell)  # type: ignore[union-attr]
                                       + "\nclick: learn the stream with this η and start here")
        self.graph.setToolTip(tip)

    def open_cell(self, row: int, column: int) -> None:
        """Set the session's η and start weight to cell (*row*, *column*)'s, learned again
        from the start up to the cursor."""
        grid = self.grid
        if grid is None:
            return
        adapter = self._adapter
        session = adapter.session
        eta, init = float(grid.eta[column]), grid.start(session.params.init, row)
        cursor = session.cursor
        try:
            session.check_params(session.params.with_changes(eta=eta, init=init))
        except InputError as error:
            self._say(f"Not opened: {error}")
            return
        with adapter.batch():
            adapter.seek(0)
            adapter.set_params(eta=eta, init=init)
        adapter.seek(cursor)
