"""The one-neuron learner's phase plot: h_t against h_{t−1}, the tick's maps, fixed points, cobweb.

It draws what :func:`rnnviz.present.phase.phase_view` computes at the
cursor: the diagonal ``h_t = h_{t−1}``, the map ``h ↦ f(hh·h + ih·x)`` for
``x = 0`` (purple) and ``x = 1`` (orange) with the cursor's weights, their
fixed points (filled: stable, hollow: unstable, in their map's colour), the
cobweb of the last ticks of the real trajectory (dashed, each tick's two
steps in the colour of its input), the cursor's point ``(h_{t−1}, h_t)``
and, when the stream around the cursor alternates, the 2-cycles of
``0, 1, 0, 1, …`` (diamonds) and the generator's closed loop with these
weights, ``h ↦ f(hh·h + ih·ŷ(h))`` (green, dash-dotted), with its own
2-cycle when it has one (squares): the alternation the network would write
with its output fed back. Both appear by themselves on an alternating
stream, where a lecturer asks for them, and leave the plot on any other. In slow motion, from the forward stage on,
the tick being taken apart is drawn as a thick sky-blue step.

Every item is made once and updated with ``setData``; the legend sits under
the plot, outside the curves. The plot is hidden by default: View ▸ Phase
plot (F8) shows it as a column between the network diagram and the weight
plots (presentation mode keeps it there), and the window's
settings remember whether it was shown. While hidden it computes nothing.
"""

from __future__ import annotations

from typing import Final

import pyqtgraph as pg
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent

from rnnviz.present.phase import COBWEB_TICKS, PhaseView, phase_view
from rnnviz.present.stages import Stage
from rnnviz.ui import columns as room
from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import WindowServices

#: The colour of each input's map, cobweb steps and fixed points: purple low, orange high.
INPUT_COLOURS: Final[dict[int, str]] = {0: theme.NEGATIVE, 1: theme.POSITIVE}
DIAGONAL_COLOUR: Final[str] = theme.ZERO_LINE
CYCLE_COLOUR: Final[str] = "#0f7b7b"
#: The generator's closed loop and its 2-cycle (green, apart from the teal diamonds).
LOOP_COLOUR: Final[str] = "#2e7d32"
#: Fixed points' and the 2-cycle's mark size at font scale 1, in pixels.
MARK_PX: Final[float] = 10.0
LEGEND_PT: Final[float] = 9.0
#: The narrowest the plot gets at font scale 1, in pixels (in proportion at a larger
#: scale); wider when its legend in one column needs it.
MIN_WIDTH: Final[int] = 200
#: Room beside the legend, in pixels.
LEGEND_MARGIN: Final[int] = 24
#: The most of the plot's height its legend takes before its text shrinks, down to MIN_SHRINK.
LEGEND_SHARE: Final[float] = 0.45
MIN_SHRINK: Final[float] = 0.6
#: Where the window keeps whether the phase plot is shown.
SETTINGS_KEY: Final[str] = "view/phase_plot"
PHASE_KEY: Final[str] = "F8"


def _pen(colour: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine, width: float = 1.0):
    pen = pg.mkPen(colour, width=width)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


class PhasePlot(pg.GraphicsLayoutWidget):
    """h_t against h_{t−1} for the one-neuron learner, following *adapter*'s cursor (module docstring)."""

    def __init__(self, adapter: SessionAdapter) -> None:
        super().__init__()
        self.setBackground("w")
        self._adapter = adapter
        self._font_scale = 1.0
        self._range: tuple[float, float] | None = None
        self._legend_widths: dict[int, float] = {}
        self._legend_heights: dict[int, float] = {}
        self._shrink = 1.0
        #: Whether the legend names the closed loop (it does while the loop is drawn).
        self._loop_legend = False
        #: What was last drawn (None until the plot is first shown).
        self.shown_view: PhaseView | None = None
        #: View ▸ Phase plot, once installed.
        self.toggle_action: QAction | None = None
        self._plot = self.ci.addPlot(row=0, col=0)
        plot = self._plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setLabel("bottom", "h<sub>t−1</sub>")
        plot.setLabel("left", "h<sub>t</sub>")
        plot.getViewBox().disableAutoRange()
        plot.getViewBox().setMouseEnabled(x=False, y=False)
        self._diagonal = plot.plot(pen=_pen(DIAGONAL_COLOUR, Qt.PenStyle.SolidLine))
        self._maps = {x: plot.plot(pen=_pen(c)) for x, c in INPUT_COLOURS.items()}
        self._cobwebs = {
            x: plot.plot(pen=_pen(c, Qt.PenStyle.DashLine), connect="pairs") for x, c in INPUT_COLOURS.items()
        }
        self._pending = plot.plot(pen=_pen(theme.STAGE_HIGHLIGHT, width=3.0))
        self._loop = plot.plot(pen=_pen(LOOP_COLOUR, Qt.PenStyle.DashDotLine, width=1.5))
        self._loop_cycles = pg.ScatterPlotItem(symbol="s", pen=pg.mkPen(LOOP_COLOUR, width=1.5),
                                               brush=pg.mkBrush(LOOP_COLOUR))
        self._current = pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(theme.INK), brush=pg.mkBrush(theme.INK))
        self._stable = pg.ScatterPlotItem(symbol="o")
        self._unstable = pg.ScatterPlotItem(symbol="o", brush=pg.mkBrush("w"))
        self._cycles = pg.ScatterPlotItem(symbol="d", pen=pg.mkPen(CYCLE_COLOUR, width=1.5))
        for item in (self._loop_cycles, self._cycles, self._stable, self._unstable, self._current):
            plot.addItem(item)
        self._legend = pg.LegendItem(colCount=2, labelTextColor=theme.INK)
        self.ci.addItem(self._legend, row=1, col=0)
        self._samples = self._legend_samples()
        self._apply_fonts()
        self.setMinimumHeight(260)
        self.setToolTip(f"h_t against h_t−1: the tick's maps with the weights now, their fixed points, "
                        f"and the last {COBWEB_TICKS} ticks as a dashed cobweb")
        adapter.changed.connect(self._on_changed)

    def _legend_samples(self) -> list[tuple[object, str]]:
        """Every colour and mark of the plot, named (legend-only items stand for the marks)."""
        stable = pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(theme.MUTED), brush=pg.mkBrush(theme.MUTED))
        unstable = pg.ScatterPlotItem(symbol="o", pen=pg.mkPen(theme.MUTED), brush=pg.mkBrush("w"))
        return [
            (self._maps[0], "map, x = 0"), (self._maps[1], "map, x = 1"),
            (self._cobwebs[0], "a tick, x = 0"), (self._cobwebs[1], "a tick, x = 1"),
            (stable, "stable point"), (unstable, "unstable point"),
            (self._current, "this tick"), (self._cycles, "2-cycle 0,1,…"),
            (self._diagonal, "h<sub>t</sub> = h<sub>t−1</sub>"), (self._pending, "slow motion"),
            (self._loop, "ŷ fed back as x"), (self._loop_cycles, "its 2-cycle"),
        ]

    def view_range(self) -> tuple[list[float], list[float]]:
        """The h_{t−1} and h_t ranges shown."""
        return self._plot.getViewBox().viewRange()

    def sizeHint(self) -> QSize:
        return QSize(300, 420)

    # -- presentation ---------------------------------------------------------------
    def set_font_scale(self, scale: float) -> None:
        """Text and marks *scale* times as large (axes, legend); 1.0 is the normal look."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self._apply_fonts()
        if self.shown_view is not None:
            self._draw(self.shown_view)

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def _apply_fonts(self) -> None:
        theme.scale_axes(self._plot, self._font_scale)
        # The legend at full size, in two columns and in one: two while they fit the width.
        self._shrink = 1.0
        self._fill_legend()
        self._full_widths, self._full_heights = dict(self._legend_widths), dict(self._legend_heights)
        # The tick labels grow with the text: the narrowest width grows with them.
        self.setMinimumWidth(max(round(MIN_WIDTH * self._font_scale), int(self._legend_widths[1]) + LEGEND_MARGIN))
        self._fit_legend()
        for symbol in (self._stable, self._unstable, self._cycles, self._loop_cycles):
            symbol.setSize(MARK_PX * self._font_scale)
        self._current.setSize(0.7 * MARK_PX * self._font_scale)  # smaller: a fixed point under it shows

    def _fill_legend(self) -> None:
        """The legend's entries at the font scale times the shrink; their sizes in 2 and 1 columns."""
        self._legend.clear()
        self._legend.setLabelTextSize(f"{LEGEND_PT * self._font_scale * self._shrink:.3g}pt")
        loop = (self._loop, self._loop_cycles)
        for item, name in self._samples:
            if item not in loop or self._loop_legend:  # the loop's entries while it is drawn
                self._legend.addItem(item, name)
        for columns in (2, 1):
            self._legend.setColumnCount(columns)
            self._legend_widths[columns] = self._legend.layout.minimumWidth()
            self._legend_heights[columns] = self._legend.layout.minimumHeight()

    def _shrink_for(self, columns: int) -> float:
        """The text size that keeps the legend in *columns* within its share of the height."""
        share = LEGEND_SHARE * self.height() / max(self._full_heights[columns], 1.0)
        return min(1.0, max(MIN_SHRINK, share))

    def _set_shrink(self, shrink: float) -> None:
        if abs(shrink - self._shrink) > 0.04 or (shrink == 1.0 and self._shrink != 1.0):
            self._shrink = shrink
            self._fill_legend()

    def _fit_legend(self) -> None:
        # Two columns while they fit the width. A legend taller than its share of the
        # height (large text in a low place) shrinks its text, down to MIN_SHRINK of its
        # size, so the curves keep their room; shrunk, two columns may fit where one did.
        self._set_shrink(self._shrink_for(2))
        columns = 2 if self.width() >= self._legend_widths[2] + LEGEND_MARGIN else 1
        if columns == 1:
            self._set_shrink(self._shrink_for(1))
        if self._legend.columnCount != columns:
            self._legend.setColumnCount(columns)
        # The layout took the view's size clamped to the minimum of the legend it had (two
        # columns are wider): give it the view's size again, or its right side is cut off.
        if self.ci.geometry().width() > self.width():
            self.ci.updateGeometry()
            pg.GraphicsView.setRange(self, self.range, padding=0, disableAutoPixel=False)

    def legend_shrink(self) -> float:
        """The legend's text size as a share of its size at this font scale (below 1: shrunk)."""
        return self._shrink

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if getattr(self, "_full_heights", None):  # None while pyqtgraph builds the view
            self._fit_legend()

    def legend_columns(self) -> int:
        """How many columns the legend has now (two while they fit the width)."""
        return self._legend.columnCount

    # -- following the session ---------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_changed(self, flags: int) -> None:
        if flags & (Change.ALL | Change.STAGE) and self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Draw the phase plot of the cursor's tick (the stage's, in slow motion)."""
        adapter = self._adapter
        stage = adapter.stage
        view = phase_view(adapter.session, stage_pending=stage is not None and stage != Stage.UPDATE)
        self._draw(view)

    def _draw(self, view: PhaseView) -> None:
        self.shown_view = view
        if self._range != (view.low, view.high):
            self._range = (view.low, view.high)
            pad = 0.04 * (view.high - view.low)
            self._plot.setRange(xRange=(view.low - pad, view.high + pad),
                                yRange=(view.low - pad, view.high + pad), padding=0)
        self._diagonal.setData([view.low, view.high], [view.low, view.high])
        for x, curve in self._maps.items():
            curve.setData(view.grid, view.maps[x])
            self._cobwebs[x].setData(*view.segments(x))
        if view.pending is None:
            self._pending.setData([], [])
        else:
            h, h_next, _ = view.pending
            self._pending.setData([h, h], [h, h_next])
        self._current.setData(*(([view.current[0]], [view.current[1]]) if view.current else ([], [])))
        for item, stable in ((self._stable, True), (self._unstable, False)):
            points = [p for p in view.fixed if p.stable == stable]
            item.setData(
                [p.h for p in points], [p.h for p in points],
                pen=[pg.mkPen(INPUT_COLOURS[p.x], width=1.5) for p in points],
                brush=[pg.mkBrush(INPUT_COLOURS[p.x] if stable else "w") for p in points],
            )
        xs = [v for c in view.cycles for v in (c.h1, c.h0)]
        ys = [v for c in view.cycles for v in (c.h0, c.h1)]
        self._cycles.setData(xs, ys, brush=[pg.mkBrush(CYCLE_COLOUR if c.stable else "w")
                                            for c in view.cycles for _ in (0, 1)])
        if (view.loop is not None) != self._loop_legend:
            self._loop_legend = view.loop is not None
            self._apply_fonts()
        if view.loop is None:
            self._loop.setData([], [])
        else:
            self._loop.setData(view.grid, view.loop)
        # a 2-cycle (a, b) of the loop: G(a) = b and G(b) = a, two points on its curve
        self._loop_cycles.setData([v for c in view.loop_cycles for v in (c.h0, c.h1)],
                                  [v for c in view.loop_cycles for v in (c.h1, c.h0)],
                                  brush=[pg.mkBrush(LOOP_COLOUR if c.stable else "w")
                                         for c in view.loop_cycles for _ in (0, 1)])


def install(window: WindowServices, workspace) -> PhasePlot:
    """Add the phase plot, hidden, as the column before *workspace*'s weight plots, and
    View ▸ Phase plot (F8) to *window*; return the plot."""
    plot = PhasePlot(workspace.adapter)
    plot.setObjectName("phasePlot")
    plot.hide()
    split = workspace.main_split
    # Before the weight plots, not after: presentation mode stacks the columns after the plots
    # (the equations) under the diagram; this one stays a column, between diagram and plots.
    split.insertWidget(split.indexOf(workspace.plots), plot)
    split.setStretchFactor(split.indexOf(plot), 0)

    def toggled() -> None:
        show(workspace, plot, toggle.isChecked())

    toggle = window.add_action(
        "phase_plot", "Phase plot", toggled, [QKeySequence(PHASE_KEY)],
        "show or hide the phase plot: h_t against h_t−1, the maps, fixed points and cobweb",
    )
    toggle.setCheckable(True)
    toggle.setChecked(False)
    window.menu("view").addAction(toggle)
    plot.toggle_action = toggle
    return plot


def show(workspace, plot, on: bool) -> None:
    """Show or hide *plot* (the phase plot or the sweep view); newly shown, it gets its
    width as :func:`rnnviz.ui.columns.fit` shares the room out."""
    was_shown = not plot.isHidden()
    plot.setVisible(on)
    if on and not was_shown:
        room.fit(workspace, plot)


def restore(settings: QSettings, workspace, plot: PhasePlot) -> None:
    """Show the plot if it was shown when the settings were last saved."""
    on = str(settings.value(SETTINGS_KEY, "false")).lower() == "true"
    if plot.toggle_action is not None:
        plot.toggle_action.setChecked(on)
    show(workspace, plot, on)


def save(settings: QSettings, plot: PhasePlot) -> None:
    """Remember whether the plot is shown."""
    settings.setValue(SETTINGS_KEY, "true" if not plot.isHidden() else "false")
