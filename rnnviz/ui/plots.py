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

from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from rnnviz.engine.history import WEIGHTS
from rnnviz.present.series import (
    EXACT_POINTS, SIGNAL_CURVES, SeriesCache, legend_notes, signals_y_range, ticks_near_view,
    weights_shown,
)
from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.plot_axes import TickAxis, fit_left_axes
from rnnviz.ui.plot_items import (
    AXIS_COLOR, NotationLabel, SignalItems, SignalsLegend, WeightRow, build_weight_row, fit_y,
    marker_styles, new_plot, pixel_height,
)

__all__ = ["SIGNAL_NAMES", "SIGNALS_PLOT", "WeightPlots"]

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
#: Side box width, in multiples of the font's average character width.
SIDE_WIDTH_CHARS: Final[int] = 24

SIGNALS_PLOT: Final[str] = "signals"
SIGNAL_NAMES: Final[tuple[str, ...]] = ("x", "target", "h", "yhat")


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
        self._marker_symbols, self._marker_brushes = marker_styles()
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

        self._rows: dict[str, WeightRow] = {}
        self._plots: dict[str, pg.PlotItem] = {}
        for row, name in enumerate(WEIGHTS):
            self._rows[name] = self._build_weight_row(name, row)
        self._plots[SIGNALS_PLOT] = new_plot(self._view, SIGNALS_PLOT, len(WEIGHTS), "signals")
        self._signals = SignalItems.build(self._plots[SIGNALS_PLOT])
        self._tick_axis: TickAxis = self._plots[SIGNALS_PLOT].getAxis("bottom")
        # The legend lives in the side column, so it never covers data.
        self._legend = SignalsLegend(self._side)
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

    def _build_weight_row(self, name: str, row: int) -> WeightRow:
        plot = self._plots[name] = new_plot(self._view, name, row, name)
        weight_row = build_weight_row(plot, self._side, name, lambda: self.notation_tooltip(name))
        # Crossing lines span the y range, so they follow it. (Keep this
        # connection: without any Python slot on this signal, pytest's
        # teardown of earlier windows ended in a segfault here, 2026-11-22.)
        plot.vb.sigYRangeChanged.connect(
            lambda *_: self._update_crossings(self._rows[name], self._visible())
        )
        return weight_row

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
        x, y = self._rows[name].curve.getData() if name in self._rows else self._signals.data(name)
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
                axis.setLabel(axis.labelText, **{"font-size": f"{size_pt:.1f}pt", "color": AXIS_COLOR})
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
        cursor = session.cursor
        visible = self._visible()
        x0, x1, width = visible
        spacing = width / max(x1 - x0, 1e-9)  # pixels per tick
        self._markers_shown = spacing >= MARKER_MIN_SPACING_PX
        # The ticks whose marks and dots may be in view (tick t stands at x = t + 1).
        first, last = ticks_near_view(visible, cursor)
        for weight in WEIGHTS:
            row = self._rows[weight]
            x, y, exact = self._cache.points(session, weight, visible, pixel_height(row.plot))
            row.curve.setData(
                x, y, connect="all" if exact else "pairs", antialias=exact and len(x) <= EXACT_POINTS
            )
            row.cursor.setValue(cursor)
            fit_y(row.plot, x, y, x0, x1)
            self._update_markers(row, first, last, spacing)
            self._update_crossings(row, visible)
        self._signals.draw_curves(self._cache, session, visible)
        self._signals.draw_targets(session.history["target"], first, last, spacing, self._font_scale)
        self._signals.cursor.setValue(cursor)
        self._tick_axis.set_cursor(cursor)
        self._update_legend()
        self._fit_left_axes()

    def _fit_left_axes(self) -> None:
        fit_left_axes(list(self._plots.values()), self.font())

    def _update_markers(self, row: WeightRow, first: int, last: int, spacing: float) -> None:
        styles = (self._marker_symbols, self._marker_brushes)
        if not self._markers_shown:
            row.draw_markers(None, None, None, 0.0, styles, self._marker_rim)
            return
        x, y, signs = self._cache.markers(self._adapter.session, row.name, first, last)
        big = min(MARKER_PX * self._font_scale, MARKER_SHARE * spacing)
        row.draw_markers(x, y, signs, big, styles, self._marker_rim)

    def _update_crossings(self, row: WeightRow, visible: tuple[float, float, float]) -> None:
        found = self._cache.crossings(row.name, self._adapter.session.cursor, visible)
        if found is None:
            return  # a resize before the first sync: caches catch up before the next draw
        row.draw_crossings(*found)

    def _update_legend(self) -> None:
        dense = any(row.crossings_dense for row in self._rows.values())
        self._legend.set_notes(legend_notes(self._markers_shown, self._signals.targets.isVisible(), dense))
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
            self._rows[weight].show_text(value, cursor, self._cache.indexes[weight])

    def notation_tooltip(self, weight: str) -> str:
        """The tooltip of *weight*'s notation: the whole text, or its last few thousand characters."""
        return self._cache.tooltip(weight, self._rows[weight].text_cursor)

    # -- side boxes ----------------------------------------------------------------------
    def _place_side_boxes(self, *_args) -> None:
        """Put each side box level with its plot's data area."""
        boxes = {name: row.box for name, row in self._rows.items()}
        boxes[SIGNALS_PLOT] = self._legend.box
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
