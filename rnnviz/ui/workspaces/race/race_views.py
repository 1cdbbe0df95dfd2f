"""The race's plots: the three loss curves overlaid, "first bit right", and the gradient strips.

Each view is handed what :mod:`rnnviz.present.race` computed and only draws it;
every plot item is made once and updated with ``setData`` / ``setImage``. The
axes' ranges are set by the views in steps (the update axis ends at the least
2^k or 1.5·2^k holding every update; the value axes are fixed: a loss of the
memory task lies in 0 … ½, a share in 0 … 1), so while training plays only the
curves are drawn again, not the axes.

One colour per cell everywhere (:data:`CELL_COLOURS`): the curves, the names
in the plots' titles, the marks beside the strips and the scoreboard.
"""

from __future__ import annotations

import html
import math
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from rnnviz.present.format import power_of_ten
from rnnviz.present.race import CellCurves, FlowStrips, axis_end, spread
from rnnviz.tasks.race_presets import RACE_TITLES
from rnnviz.ui import theme
from rnnviz.ui.plot_axes import TickAxis

#: Okabe–Ito colours, apart under the common colour-vision deficiencies: one per cell.
CELL_COLOURS: Final[dict[str, str]] = {"rnn": "#d55e00", "lstm": "#0072b2", "gru": "#009e73"}
#: The raw per-update losses (a band of them): the cell's colour, mostly transparent, under its running mean.
RAW_ALPHA: Final[int] = 34
#: With updates closer than this many pixels, the raw losses are drawn as a band: per this many
#: pixels, the least to the greatest loss, filled. A loss jumps between about 0 and ½ from one
#: update to the next, and a translucent line (or a band of narrower groups) zigzagging over
#: hundreds of them took up to 80 ms a frame to draw; this takes about 1 ms.
BAND_PX: Final[float] = 4.0
#: The loss's running means' pen width. A line wider than 1 pixel takes Qt's slow path (about
#: 1 ms per curve per frame at 1280×720, a hairline a fifth of that): the shares right are hairlines.
MEAN_WIDTH: Final[float] = 2.0
#: The strips' colour map: dark for a gradient that has vanished, bright for a large one.
STRIP_MAP: Final[str] = "viridis"
#: A step whose gradient is exactly 0 (nothing reaches it), in the strips.
NO_GRADIENT: Final[tuple[int, int, int, int]] = (190, 190, 190, 255)
#: The widths of the vertical axes, in pixels at font scale 1, by view and side.
AXIS_PX: Final[dict[tuple[str, str], int]] = {("CurvesView", "left"): 58, ("StripsView", "left"): 84,
                                               ("StripsView", "right"): 48}
#: The colour bar's column, in pixels at font scale 1.
BAR_PX: Final[int] = 70
#: The title's size at font scale 1, in points.
TITLE_PT: Final[float] = 10.0


def legend_title(title: str, entries: tuple[tuple[str, str], ...]) -> str:
    """A plot title that is its own legend: *title*, then each (colour, text) as a coloured mark and name."""
    marks = "&nbsp; ".join(f'<span style="color:{colour}">■&nbsp;{html.escape(text)}</span>'
                           for colour, text in entries)
    title = html.escape(title).replace(" %", "&nbsp;%").replace("= ", "=&nbsp;")
    return f'<span style="color:{theme.INK}">{title}</span>&nbsp; {marks}'


def cell_entries(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((CELL_COLOURS[name], RACE_TITLES[name]) for name in names)


def _cache(plot: pg.PlotItem, sides: tuple[str, ...]) -> None:
    """Keep axes and title as pictures until they change (their text costs ms a frame)."""
    for item in (plot.titleLabel.item, *(plot.getAxis(side) for side in sides)):
        item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class _Plots:
    """Titles and font scaling shared by the race's plot widgets.

    A title wider than its plot's share of the widget is wrapped to it (a long legend in
    presentation mode's larger text would otherwise widen the plot past its widget, cutting
    off its right side), and the title's row grows to the lines it takes.
    """

    def __init__(self) -> None:
        self._scale = 1.0
        self._titles: dict[int, str] = {}
        self._plots: dict[int, tuple[pg.PlotItem, float]] = {}

    def _title(self, plot: pg.PlotItem, text: str, share: float = 1.0) -> None:
        key = id(plot)
        self._plots[key] = (plot, share)
        if self._titles.get(key) != text:
            self._titles[key] = text
            plot.setTitle(text, size=f"{TITLE_PT * self._scale:g}pt")
            self._wrap(plot, share)

    def _reserved(self) -> float:
        """Pixels of the widget's width that no plot's title shares (a colour bar's column)."""
        return 0.0

    def _wrap(self, plot: pg.PlotItem, share: float) -> None:
        label = plot.titleLabel
        text = label.item
        axes = sum(plot.getAxis(side).minimumWidth() for side in ("left", "right")
                   if plot.getAxis(side).isVisible())
        room = max(share * (self.width() - self._reserved()) - axes - 56, 80)  # type: ignore[attr-defined]
        text.setTextWidth(-1)
        if text.boundingRect().width() > room:
            text.setTextWidth(room)
        height = max(30, int(text.boundingRect().height()) + 1)
        label.updateMin()
        # The title never widens its plot: it is wrapped to the room the plot has (above).
        label.setMinimumWidth(0)
        hints = getattr(label, "_sizeHint", None)
        if isinstance(hints, dict):
            hints[Qt.SizeHint.MinimumSize] = (0, height)
            hints[Qt.SizeHint.PreferredSize] = (0, height)
        label.setMaximumHeight(height)
        plot.layout.setRowFixedHeight(0, height)
        label.resizeEvent(None)
        text.update()

    def _rewrap(self) -> None:
        for plot, share in self._plots.values():
            self._wrap(plot, share)
            plot.layout.invalidate()  # the title's new minimum counted now, not at the next event
            plot.updateGeometry()
        if self._plots:
            self.ci.layout.invalidate()  # type: ignore[attr-defined]
            self.ci.layout.activate()  # type: ignore[attr-defined]

    def _refit(self) -> None:
        """The titles wrapped again for new text sizes, and the layout fitted to the widget anew
        (it kept the size its old, wider minimum forced)."""
        self._rewrap()
        pg.GraphicsView.setRange(self, self.range, padding=0, disableAutoPixel=False)  # type: ignore[arg-type]

    def _scale_plot(self, plot: pg.PlotItem, scale: float, sides: tuple[str, ...]) -> None:
        theme.scale_axes(plot, scale, sides)
        for side in sides:  # fixed widths: known before the axes paint, and never jumping
            width = AXIS_PX.get((type(self).__name__, side))
            if width is not None:
                plot.getAxis(side).setWidth(round(width * scale))
        text = self._titles.get(id(plot))
        if text is not None:
            plot.setTitle(text, size=f"{TITLE_PT * scale:g}pt")
            self._wrap(plot, self._plots[id(plot)][1])


class CurvesView(pg.GraphicsLayoutWidget, _Plots):
    """The loss per update of the three cells overlaid (raw, and their running mean), and beside it
    the running mean of "first bit right"."""

    def __init__(self, names: tuple[str, ...], window: int) -> None:
        _Plots.__init__(self)  # first: pyqtgraph's own set-up sends a resize event
        pg.GraphicsLayoutWidget.__init__(self)
        self.setBackground("w")
        self.setMinimumSize(360, 180)
        # Updates are whole numbers, written with thousands separators ("12,288").
        self.loss = self.addPlot(row=0, col=0, axisItems={"bottom": TickAxis("bottom")})
        self.right = self.addPlot(row=0, col=1, axisItems={"bottom": TickAxis("bottom")})
        self.ci.layout.setColumnStretchFactor(0, 3)
        self.ci.layout.setColumnStretchFactor(1, 2)
        self.raw: dict[str, pg.PlotDataItem] = {}
        self.means: dict[str, pg.PlotDataItem] = {}
        self.shares: dict[str, pg.PlotDataItem] = {}
        for plot, label in ((self.loss, "loss"), (self.right, "share right")):
            plot.setMenuEnabled(False)
            plot.showGrid(x=False, y=True, alpha=0.2)
            plot.setLabel("bottom", "update")
            plot.setLabel("left", label)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getAxis("left").enableAutoSIPrefix(False)
            _cache(plot, ("left", "bottom"))
        self.bands: dict[str, QGraphicsPathItem] = {}
        for name in names:
            faint = QColor(CELL_COLOURS[name])
            faint.setAlpha(RAW_ALPHA)
            self.raw[name] = self._curve(self.loss, faint, 1.0)
            band = QGraphicsPathItem()
            band.setPen(pg.mkPen(None))
            band.setBrush(pg.mkBrush(faint))
            band.setVisible(False)
            self.loss.addItem(band)
            self.bands[name] = band
        for name in names:  # the means over every raw curve
            self.means[name] = self._curve(self.loss, QColor(CELL_COLOURS[name]), MEAN_WIDTH, "subsample")
            self.shares[name] = self._curve(self.right, QColor(CELL_COLOURS[name]), 1.0, "subsample")
        self.loss.setYRange(0.0, 0.55, padding=0)
        self.right.setYRange(0.0, 1.02, padding=0)
        self.right.addItem(pg.InfiniteLine(0.95, angle=0, pen=pg.mkPen(theme.MUTED, width=1,
                                                                        style=pg.QtCore.Qt.PenStyle.DashLine)))
        entries = cell_entries(names)
        self._title(self.loss, legend_title(f"Loss (shaded: single updates; line: mean of {window}):",
                                            entries), 0.6)
        self._title(self.right, legend_title(f"First bit right, mean of {window} (dashed: 95 %)", ()), 0.4)
        self._end = 0.0
        self.set_font_scale(1.0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._rewrap()  # first: the titles' new widths are what the layout is fitted to
        super().resizeEvent(event)

    @staticmethod
    def _curve(plot: pg.PlotItem, colour: QColor, width: float, method: str = "peak") -> pg.PlotDataItem:
        """A curve drawn with about a point per pixel: "peak" keeps a raw curve's extremes, a
        running mean is smooth and needs only "subsample" (half the segments to draw)."""
        item = plot.plot(pen=pg.mkPen(colour, width=width))
        item.setDownsampling(auto=True, method=method)
        item.setClipToView(True)
        item.setSkipFiniteCheck(True)
        return item

    def show_curves(self, curves: dict[str, CellCurves], n_ticks: int) -> None:
        """Draw *curves* (each cell's, up to the cursor); the update axis ends in steps, within *n_ticks*."""
        count = max((c.updates.size for c in curves.values()), default=0)
        end = min(axis_end(count), float(max(n_ticks, 1)))
        if end != self._end:
            self._end = end
            for plot in (self.loss, self.right):
                plot.setXRange(0.0, end, padding=0.01)
        # Several updates a pixel: each loss band filled (one polygon) instead of a line over all.
        per_update = max(self.loss.vb.width(), 1.0) / end  # pixels
        group = 1 if per_update >= BAND_PX else math.ceil(BAND_PX / per_update)
        for name, c in curves.items():
            banded = group > 1 and c.updates.size > 0
            self._show_band(self.bands[name], c.losses, group if banded else 0)
            for item, values in ((self.raw[name], None if banded else c.losses),
                                 (self.means[name], c.mean_losses), (self.shares[name], c.mean_right)):
                if c.updates.size and values is not None:
                    item.setData(c.updates, values)
                elif item.getOriginalDataset()[0] is not None:
                    item.setData([], [])

    @staticmethod
    def _show_band(band: QGraphicsPathItem, losses, group: int) -> None:
        """*losses* as a filled band of each *group* updates' least to greatest (0: no band)."""
        band.setVisible(bool(group))
        if not group:
            return
        middles, lows, highs = spread(losses, group)
        x = np.concatenate([middles, middles[::-1]])
        y = np.concatenate([highs, lows[::-1]])
        path = pg.arrayToQPath(x, y, connect="all")
        path.closeSubpath()
        band.setPath(path)

    def set_font_scale(self, scale: float) -> None:
        self._scale = scale
        for plot in (self.loss, self.right):
            self._scale_plot(plot, scale, ("left", "bottom"))
        self._refit()


class StripsView(pg.GraphicsLayoutWidget, _Plots):
    """Per cell a strip over t = 1 … T of the gradient's norm along its memory path, one shared
    log colour scale (the colour bar at the right), the columns of every strip aligned."""

    def __init__(self, names: tuple[str, ...]) -> None:
        _Plots.__init__(self)  # first: pyqtgraph's own set-up sends a resize event
        pg.GraphicsLayoutWidget.__init__(self)
        self.setBackground("w")
        self.setMinimumSize(360, 150)
        self.names = names
        self.plot = self.addPlot(row=0, col=0)
        self.bar = self.addPlot(row=0, col=1)
        self.ci.layout.setColumnStretchFactor(0, 20)
        self.ci.layout.setColumnFixedWidth(1, BAR_PX)
        for plot in (self.plot, self.bar):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        # A mark in the cell's colour at the left of each strip, as in every other view.
        self.marks = pg.ScatterPlotItem(
            x=[-0.6] * len(names), y=[len(names) - 1 - i + 0.5 for i in range(len(names))],
            symbol="s", size=14, pen=None, brush=[QColor(CELL_COLOURS[n]) for n in names])
        self.plot.addItem(self.marks)
        self.plot.setLabel("bottom", "step t (the bit to recall enters at t = 1; it is asked for at t = T)")
        left = self.plot.getAxis("left")
        left.setTicks([[(len(names) - 1 - i + 0.5, RACE_TITLES[n]) for i, n in enumerate(names)], []])
        left.setStyle(tickLength=0)
        self.plot.setYRange(0, len(names), padding=0)
        lut = pg.colormap.get(STRIP_MAP).getLookupTable(nPts=256, alpha=True)
        self._lut = np.asarray(lut, dtype=np.ubyte)
        self.scale = pg.ImageItem(axisOrder="row-major")
        self.scale.setImage(self._lut[:, None, :][::1], autoLevels=False)
        self.bar.addItem(self.scale)
        self.bar.hideAxis("bottom")
        self.bar.hideAxis("left")
        self.bar.showAxis("right")
        self.bar.getAxis("right").setStyle(tickLength=4)
        _cache(self.plot, ("left", "bottom"))
        _cache(self.bar, ("right",))
        self._shown: tuple[int, tuple[float, float]] | None = None
        self.strips: FlowStrips | None = None
        self.set_font_scale(1.0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self._rewrap()  # first: the titles' new widths are what the layout is fitted to
        super().resizeEvent(event)

    def _reserved(self) -> float:
        return BAR_PX * self._scale

    def show_strips(self, strips: FlowStrips) -> None:
        """Paint *strips*: each value's log10 on the shared scale of whole decades."""
        self.strips = strips
        low, high = strips.decades
        T = strips.steps.size
        logs = strips.log_norms()
        where = np.clip((logs - low) / (high - low), 0.0, 1.0)
        index = np.nan_to_num(where * 255.0, nan=0.0).astype(np.intp)
        rgba = self._lut[index]
        rgba[~np.isfinite(logs)] = NO_GRADIENT
        self.image.setImage(rgba[::-1], autoLevels=False)  # image row 0 is at the bottom: the first cell on top
        if self._shown != (T, strips.decades):
            self._shown = (T, strips.decades)
            self.image.setRect(0.5, 0.0, float(T), float(len(strips.names)))
            self.plot.setXRange(-1.2, T + 0.5, padding=0)
            step = max(1, round(T / 10))
            # Every step-th step, and the last; one closer to the last than half a step gives way
            # (30 and 31 ran together in presentation mode).
            shown = [t for t in sorted({1, *range(step, T + 1, step), T}) if t == T or T - t >= max(step / 2, 1.5)]
            self.plot.getAxis("bottom").setTicks([[(float(t), str(t)) for t in shown], []])
            self.scale.setRect(0.0, low, 1.0, high - low)
            self.bar.setYRange(low, high, padding=0)
            self.bar.setXRange(0.0, 1.0, padding=0)
            every = max(1, math.ceil((high - low) / 6))
            self.bar.getAxis("right").setTicks(
                [[(float(k), power_of_ten(k)) for k in range(int(low), int(high) + 1, every)], []])
        title = legend_title(
            f"Gradient along each memory path, as a share of step {T}'s, for the sequence of update "
            f"{strips.example + 1:,} (first bit {strips.first_bit}): dark = vanished, bright = grew, "
            "grey = none", ())
        self._title(self.plot, title)

    def set_font_scale(self, scale: float) -> None:
        self._scale = scale
        self._scale_plot(self.plot, scale, ("left", "bottom"))
        self._scale_plot(self.bar, scale, ("right",))
        self.ci.layout.setColumnFixedWidth(1, BAR_PX * scale)
        self.marks.setSize(14 * scale)
        self._refit()


def cell_font(scale: float) -> QFont:
    """The scoreboard's font at *scale*."""
    return theme.scaled_font(QFont(), scale)
