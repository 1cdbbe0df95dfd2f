"""The one-neuron window's sweep over η: the session's stream learned once per η, side by side.

It draws what :func:`rnnviz.present.sweep_view.eta_sweep` computes: η on a
log axis against a measure chosen in the combo above the plot (mean ``|e|``,
the default, or the final ``ih``, ``hh`` or ``ho``), one mark per run,
coloured by its notation class (runs whose +/− notations of the three
weights are all the same share a colour; classes beyond the palette are
grey, and the legend says so), and a dashed vertical line at the session's η.
Clicking a mark sets the session's η to that run's, through the adapter's
settings path (one undo step, as typing η is), with the ticks done learned
again from the start: the window then shows that very run.

The sweep does not depend on the cursor: it is computed when the view is
shown, or when the stream or a setting other than η changed while shown (in
the event loop, once for a burst of changes). A stream of more than
:data:`DIRECT_TICKS` ticks is swept with progress and Cancel
(:func:`rnnviz.ui.work.run_with_progress`); one beyond
:data:`~rnnviz.present.sweep_view.MAX_TICKS` gets one line instead of marks.
Every item is made once and updated with ``setData``. While hidden the view
computes nothing.

The combo at the top switches to the second mode, a heat map of η × one
start weight (:mod:`rnnviz.ui.sweep_heatmap`): the same stream learned once
per cell, each cell coloured by a measure, a click opening that cell's run.
Only the mode shown computes. View ▸ Sweep over η (F7) shows it as the column right after
the weight plots, before the equations (presentation mode stacks it under the
diagram, as it does the equations).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.present.sweep_view import (
    DEFAULT_MEASURE,
    MEASURES,
    EtaSweep,
    eta_sweep,
    settings_key,
)
from rnnviz.ui import columns as room
from rnnviz.ui import phase_plot, theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import WindowServices
from rnnviz.ui.sweep_heatmap import PALETTE as CLASS_PALETTE
from rnnviz.ui.sweep_heatmap import HeatMap
from rnnviz.ui.work import run_with_progress, running

#: Class colours, in class order: the heat map's (colour-blind safe); later classes are :data:`OTHER_COLOUR`.
PALETTE: Final[tuple[str, ...]] = CLASS_PALETTE
OTHER_COLOUR: Final[str] = "#a0a0a0"
ETA_COLOUR: Final[str] = theme.INK
#: Mark size at font scale 1, in pixels.
MARK_PX: Final[float] = 8.0
LEGEND_PT: Final[float] = 9.0
MIN_WIDTH: Final[int] = 220
#: Low enough that, stacked under the diagram and the equations in presentation mode, it fits.
MIN_HEIGHT: Final[int] = 180
#: Room beside the legend, in pixels.
LEGEND_MARGIN: Final[int] = 24
#: Streams up to this many ticks are swept at once (120 runs of 4,000 ticks: 0.10–0.16 s
#: measured here, by rule and activation); longer ones with progress and Cancel.
DIRECT_TICKS: Final[int] = 4000
#: How often a sweep waiting for another long job (a run to the end) looks again, in ms.
WAIT_MS: Final[int] = 100
#: Where the window keeps whether the view is shown.
SETTINGS_KEY: Final[str] = "view/sweep"
#: Where it keeps which mode was shown.
MODE_KEY: Final[str] = "view/sweep_mode"
SWEEP_KEY: Final[str] = "F7"
#: The view's two modes, by key, as the mode combo names them.
MODES: Final[dict[str, str]] = {"eta": "η against", "grid": "heat map: η × start weight"}


class SweepView(QWidget):
    """η against a measure for the session's stream, one mark per run (module docstring)."""

    #: The view now needs more room than it had (a larger legend): the window may share it out again.
    grew = Signal()

    def __init__(self, adapter: SessionAdapter) -> None:
        super().__init__()
        self._adapter = adapter
        self._font_scale = 1.0
        self._legend_widths: dict[int, float] = {1: 0.0, 2: 0.0}
        self._legend_heights: dict[int, float] = {1: 0.0, 2: 0.0}
        #: Whether the legend is beside the plot (a wide, low view) rather than under it.
        self.legend_beside: bool | None = None
        self._stale = True
        #: What was last drawn (None until the view is first shown); how many sweeps were computed.
        self.sweep: EtaSweep | None = None
        self.computed = 0
        self.measure_name = DEFAULT_MEASURE
        self.mode = "eta"
        self._eta_need = MIN_HEIGHT
        #: View ▸ Sweep over η, once installed.
        self.toggle_action: QAction | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.compute)
        self.measure_box = QComboBox()
        for key, title in MEASURES.items():
            self.measure_box.addItem(title, key)
        self.measure_box.setToolTip("what each run's mark shows, against its η")
        self.measure_box.currentIndexChanged.connect(self._on_measure)
        self.graph = pg.GraphicsLayoutWidget()
        self.graph.setBackground("w")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.hide()
        self.mode_box = QComboBox()  # with the measure, one row: "η against [mean |e|]"
        # As wide as "η against" while the measure follows it; the whole row in the heat map.
        self.mode_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode_box.setMinimumContentsLength(len(MODES["eta"]) + 1)
        for key, title in MODES.items():
            self.mode_box.addItem(title, key)
        self.mode_box.setToolTip("one run per η, or a heat map of η × one start weight")
        self.mode_box.currentIndexChanged.connect(self._on_mode)
        self.heatmap = HeatMap(adapter)
        self.heatmap.hide()
        self.heatmap.min_height_changed.connect(self._apply_min_height)
        top = self._top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.mode_box)
        top.addWidget(self.measure_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.graph, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.heatmap, 1)
        self._plot = self._make_plot()
        self._legend = pg.LegendItem(colCount=2, labelTextColor=theme.INK)  # placed by _fit_legend
        self._apply_fonts()
        self.setMinimumWidth(MIN_WIDTH)
        self.setToolTip("the stream learned once per η, with these settings; click a mark to "
                        "learn it at that η here")
        adapter.changed.connect(self._on_changed)

    def _make_plot(self) -> pg.PlotItem:
        plot = self.graph.ci.addPlot(row=0, col=0)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLogMode(x=True, y=False)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setLabel("bottom", "η")
        plot.getAxis("left").enableAutoSIPrefix(False)  # mean |e| as 0.25, not 250 (×0.001)
        plot.getViewBox().disableAutoRange()
        plot.getViewBox().setMouseEnabled(x=False, y=False)
        self._marks = [pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(colour), brush=pg.mkBrush(colour),
                                          hoverable=True, tip=self._tip, hoverPen=pg.mkPen(theme.INK, width=2))
                       for colour in (*PALETTE, OTHER_COLOUR)]
        for item in self._marks:
            plot.addItem(item)
            item.sigClicked.connect(self._on_clicked)
        pen = pg.mkPen(ETA_COLOUR, width=1.5, style=Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._eta_line = pg.InfiniteLine(angle=90, pen=pen)
        plot.addItem(self._eta_line)
        self._eta_sample = pg.PlotDataItem(pen=pen)  # the line's legend sample, not drawn
        return plot

    def sizeHint(self) -> QSize:
        return QSize(320, 420)

    # -- presentation ---------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Text and marks *scale* times as large (axes, legend, combo); 1.0 is the normal look."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self._apply_fonts()
        self.heatmap.set_font_scale(scale)

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def _apply_fonts(self) -> None:
        font = theme.scale_axes(self._plot, self._font_scale)
        for widget in (self.mode_box, self.measure_box, self.note):
            widget.setFont(font)
        for item in self._marks:
            item.setSize(MARK_PX * self._font_scale)
        self._fill_legend()

    def legend_names(self) -> list[str]:
        """The legend's entries, in order."""
        return [label.text for _, label in self._legend.items]

    def _fill_legend(self) -> None:
        legend = self._legend
        legend.clear()
        legend.setLabelTextSize(f"{LEGEND_PT * self._font_scale:g}pt")
        sweep = self.sweep
        count = 0 if sweep is None else sweep.class_count
        for number in range(1, min(count, len(PALETTE)) + 1):
            runs, low, high = sweep.class_span(number)  # type: ignore[union-attr]
            span = f"η {low:.3g}" if runs == 1 else f"η {low:.3g}–{high:.3g}"
            legend.addItem(self._marks[number - 1], f"class {number}: {span}")
        if count > len(PALETTE):
            first = len(PALETTE) + 1
            name = f"class {first}" if count == first else f"classes {first}–{count}"
            legend.addItem(self._marks[-1], f"{name} (grey)")
        legend.addItem(self._eta_sample, "η now")
        # Two columns while they fit the width, else one; never narrower than one column.
        for columns in (2, 1):
            legend.setColumnCount(columns)
            self._legend_widths[columns] = legend.layout.minimumWidth()
            self._legend_heights[columns] = legend.layout.minimumHeight()
        wide = max(MIN_WIDTH, int(self._legend_widths[1]) + LEGEND_MARGIN)
        if wide > self.minimumWidth() and self.isVisible():
            self.grew.emit()
        self.setMinimumWidth(wide)
        self.legend_beside = None  # placed afresh
        self._fit_legend()

    def _fit_legend(self) -> None:
        """Legend under the plot, in two columns while they fit; in a wide, low view (stacked
        under the diagram in presentation mode) beside it in one, leaving the plot its height."""
        width, height = self.graph.width(), self.graph.height()
        two, one = (self._legend_widths[n] + LEGEND_MARGIN for n in (2, 1))
        # Under, the legend in one column would leave the plot less than MIN_HEIGHT: beside then.
        under = self._legend_heights[1] + LEGEND_MARGIN + MIN_HEIGHT
        beside = (width >= 1.6 * height or height < under) and width - one >= MIN_WIDTH
        if beside != self.legend_beside:
            self.legend_beside = beside
            if self._legend.scene() is not None:
                self.graph.ci.removeItem(self._legend)
            self.graph.ci.addItem(self._legend, row=0 if beside else 1, col=1 if beside else 0)
        columns = 2 if width - (two + MIN_WIDTH if beside else two) >= 0 else 1
        if self._legend.columnCount != columns:
            self._legend.setColumnCount(columns)
        # Tall enough for the legend as placed (beside: large text in a low place) and a plot.
        legend = int(self._legend.layout.minimumHeight()) + LEGEND_MARGIN
        graph = legend if beside else legend + MIN_HEIGHT
        self._eta_need = max(MIN_HEIGHT, self.measure_box.sizeHint().height() + graph)
        self._apply_min_height()

    def _apply_min_height(self) -> None:
        """The height the mode shown needs: the η plot and its legend, or the heat map's."""
        if self.mode == "eta":
            need = self._eta_need
        else:
            need = self.mode_box.sizeHint().height() + 2 + self.heatmap.minimumHeight()
        if self.minimumHeight() != need:
            if need > self.minimumHeight() and self.isVisible():
                self.grew.emit()
            self.setMinimumHeight(need)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def legend_columns(self) -> int:
        """How many columns the legend has now (two while they fit the width)."""
        return self._legend.columnCount

    # -- following the session ---------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()
        self._show_eta()

    def _on_changed(self, flags: int) -> None:
        session = self._adapter.session
        if flags & Change.STREAM:
            self._stale = True
        if flags & Change.PARAMS:
            if self.sweep is None or self.sweep.key != settings_key(session.params):
                self._stale = True
            self._show_eta()
        if self._stale and self.isVisible():
            self._timer.start()

    def _on_mode(self, index: int) -> None:
        self.mode = str(self.mode_box.itemData(index))
        eta = self.mode == "eta"
        for widget in (self.measure_box, self.graph):
            widget.setVisible(eta)
        self._top.setStretchFactor(self.mode_box, 0 if eta else 1)
        self._apply_min_height()
        self.note.setVisible(eta and bool(self.note.text()))
        self.heatmap.setVisible(not eta)  # shown, it computes what is stale
        if eta and self._stale and self.isVisible():
            self._timer.start()

    def compute(self) -> None:
        """Sweep the session's stream now (the heat map, in that mode), if the view is shown
        and what it showed is stale."""
        if self.mode == "grid":
            self.heatmap.compute()
            return
        if not self.isVisible() or not self._stale:
            return
        if running():  # another job handles events: the sweep waits for it to end
            self._timer.start(WAIT_MS)
            return
        session = self._adapter.session
        bits, params = session.bits, session.params
        self._stale = False
        try:
            if len(bits) - 1 > DIRECT_TICKS:
                parent = self.window()
                sweep = run_with_progress(parent, "Sweeping over η",
                                          lambda: eta_sweep(bits, params))
            else:
                sweep = eta_sweep(bits, params)
        except (InputError, Cancelled) as error:
            text = "the sweep was cancelled" if isinstance(error, Cancelled) else str(error)
            self.sweep = None
            self._say(f"No sweep: {text}")
            self._draw()
            return
        self.computed += 1
        self.sweep = sweep
        self._say("")
        self._draw()

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text) and self.mode == "eta")

    def _on_measure(self, index: int) -> None:
        self.measure_name = str(self.measure_box.itemData(index))
        self._draw()

    def _draw(self) -> None:
        sweep = self.sweep
        self._plot.setLabel("left", MEASURES[self.measure_name])
        self._apply_fonts()  # the new axis title at this size, and the legend of these classes
        if sweep is None:
            for item in self._marks:
                item.setData([], [])
            return
        values = sweep.measure(self.measure_name)
        slots = [min(number, len(PALETTE) + 1) - 1 for number in sweep.classes.tolist()]
        for slot, item in enumerate(self._marks):
            runs = [k for k, s in enumerate(slots) if s == slot]
            # log10 by hand: a scatter item does not follow the plot's log mode
            item.setData(np.log10(sweep.eta[runs]), values[runs], data=runs)
        low, high = math.log10(sweep.eta[0]), math.log10(sweep.eta[-1])
        pad = 0.03 * (high - low) or 0.5
        y_low, y_high = float(values.min()), float(values.max())
        y_pad = 0.06 * (y_high - y_low) or 0.5
        self._plot.setRange(xRange=(low - pad, high + pad), yRange=(y_low - y_pad, y_high + y_pad),
                            padding=0)
        self._show_eta()

    def _show_eta(self) -> None:
        eta = self._adapter.session.params.eta
        self._eta_line.setVisible(eta > 0)
        if eta > 0:
            self._eta_line.setValue(math.log10(eta))

    def marks(self, slot: int) -> tuple[list[float], list[float]]:
        """The η and measure values drawn in colour *slot* (the last: grey)."""
        x, y = self._marks[slot].getData()
        return ([] if x is None else list(x)), ([] if y is None else list(y))

    # -- opening a run ---------------------------------------------------------------
    def _tip(self, x: float, y: float, data: object) -> str:
        """The tool tip of the mark of run *data*: what the run ended with, and the click."""
        if self.sweep is None or data is None:
            return ""
        return self.sweep.describe(int(data)) + "\nclick: learn the stream at this η here"

    def _on_clicked(self, _item, points, _event=None) -> None:
        if self.sweep is not None and len(points):
            self.open_run(int(points[0].data()))

    def open_run(self, run: int) -> None:
        """Set the session's η to run *run*'s, learned again from the start up to the cursor."""
        if self.sweep is None:
            return
        eta = float(self.sweep.eta[run])
        adapter = self._adapter
        cursor = adapter.session.cursor
        try:
            adapter.session.check_params(adapter.session.params.with_changes(eta=eta))
        except InputError as error:
            self._say(f"Not opened: {error}")
            return
        with adapter.batch():
            adapter.seek(0)
            adapter.set_params(eta=eta)
        adapter.seek(cursor)


def install(window: WindowServices, workspace) -> SweepView:
    """Add the sweep view, hidden, as the column after *workspace*'s weight plots, and
    View ▸ Sweep over η (F7) to *window*; return the view."""
    view = SweepView(workspace.adapter)
    view.setObjectName("sweepView")
    view.hide()
    split = workspace.main_split
    # Right after the weight plots, before the equations: the columns before the plots keep
    # their places (the phase plot's), and presentation mode stacks this one under the
    # diagram with the equations, where its text grows with theirs.
    split.insertWidget(split.indexOf(workspace.plots) + 1, view)
    split.setStretchFactor(split.indexOf(view), 0)
    # Queued: the room is shared out again after the layout that made the view grow.
    view.grew.connect(lambda: room.fit(workspace, view) if view.isVisible() else None,
                      Qt.ConnectionType.QueuedConnection)

    def toggled() -> None:
        phase_plot.show(workspace, view, toggle.isChecked())

    toggle = window.add_action(
        "sweep_view", "Sweep over η", toggled, [QKeySequence(SWEEP_KEY)],
        "show or hide the sweep: the stream learned once per η, coloured by notation class",
    )
    toggle.setCheckable(True)
    toggle.setChecked(False)
    window.menu("view").addAction(toggle)
    view.toggle_action = toggle
    return view


def restore(settings: QSettings, workspace, view: SweepView) -> None:
    """Show the view if it was shown when the settings were last saved."""
    on = str(settings.value(SETTINGS_KEY, "false")).lower() == "true"
    mode = view.mode_box.findData(str(settings.value(MODE_KEY, "eta")))
    view.mode_box.setCurrentIndex(max(mode, 0))  # an unknown mode: the first
    if view.toggle_action is not None:
        view.toggle_action.setChecked(on)
    phase_plot.show(workspace, view, on)


def save(settings: QSettings, view: SweepView) -> None:
    """Remember whether the view is shown, and its mode."""
    settings.setValue(SETTINGS_KEY, "true" if not view.isHidden() else "false")
    settings.setValue(MODE_KEY, view.mode)
