"""The gate lanes: every gate's activation per unit per step, one heat strip per gate.

Each lane is an image, step t across (1 … T) and unit j down (1 … H),
coloured on the PuOr map over the gate's own range (σ gates 0 … 1, the
candidate −1 … 1) with its colour bar beside it and the gate's letter and name
on its axis. It paints :class:`~rnnviz.present.gated.GateLanes` as handed; every
item is made once per cell kind and updated with ``setImage``. A click on a
lane chooses that step and unit (:attr:`GateLanesView.cellChosen`); the chosen
cell is framed in every lane.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from rnnviz.present.format import format_number
from rnnviz.present.gated import GateLanes
from rnnviz.present.gated_views import lane_order
from rnnviz.ui import theme
from rnnviz.ui.workspaces.gated.curves import cache_axes

#: The lanes' colour map: PuOr, low purple → high orange (the activations' map elsewhere).
LANE_MAP: Final[pg.ColorMap] = pg.ColorMap(np.linspace(0.0, 1.0, len(theme.ACTIVATION_STOPS)),
                                           [QColor(c) for c in theme.ACTIVATION_STOPS])
#: The frame round the chosen cell.
CHOSEN_COLOUR: Final[str] = theme.CURSOR
#: The heading's size at font scale 1, in points.
HEADING_PT: Final[float] = 9.5


class _LaneImage(pg.ImageItem):
    """An image that reports the pixel clicked to *on_click* and the one under the pointer to
    *on_hover* (step index, unit index; None when the pointer leaves)."""

    def __init__(self, on_click, on_hover) -> None:
        super().__init__(axisOrder="col-major")
        self._on_click = on_click
        self._on_hover = on_hover

    def hoverEvent(self, ev) -> None:
        if ev.isExit() or self.image is None:
            self._on_hover(self, None)
            return
        pos = ev.pos()
        self._on_hover(self, (int(pos.x()), int(pos.y())))

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self.image is None:
            return
        pos = ev.pos()
        ev.accept()
        self._on_click(int(pos.x()), int(pos.y()))


class GateLanesView(pg.GraphicsLayoutWidget):
    """Heat strips of the gates (see the module docstring)."""

    #: A lane cell was clicked: (step t, unit j), both from 1.
    cellChosen = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("gateLanes")
        self.setBackground("w")
        self.ci.layout.setSpacing(2)
        self.heading = pg.LabelItem(justify="left", color=theme.INK)
        self.addItem(self.heading, row=0, col=0, colspan=2)
        self.plots: list[pg.PlotItem] = []
        self.images: list[_LaneImage] = []
        self.bars: list[pg.ColorBarItem] = []
        self._frames: list[QGraphicsRectItem] = []
        self._letters: tuple[str, ...] = ()
        self._order: tuple[int, ...] = ()
        self._lanes: GateLanes | None = None
        self._shape: tuple[int, int] = (0, 0)
        self._scale = 1.0
        self.chosen: tuple[int, int] = (1, 1)

    def _build(self, lanes: GateLanes) -> None:
        """The lanes of *lanes*' cell, made once (again only when the cell changes): the σ gates
        first, the candidate last, each group beside one colour bar over its range."""
        for item in (*self.plots, *self.bars):
            self.removeItem(item)
        self.plots, self.images, self.bars, self._frames = [], [], [], []
        self._order = lane_order(lanes)
        for row, k in enumerate(self._order):
            plot = self.addPlot(row=row + 1, col=0)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.invertY(True)
            plot.setLabel("left", lanes.letters[k])
            plot.showAxis("bottom", row == len(self._order) - 1)
            if row:
                plot.setXLink(self.plots[0])
            image = _LaneImage(self._clicked, self._hovered)
            plot.addItem(image)
            cache_axes(plot)
            frame = QGraphicsRectItem()
            pen = QPen(QColor(CHOSEN_COLOUR), 2)
            pen.setCosmetic(True)
            frame.setPen(pen)
            plot.addItem(frame)
            self.plots.append(plot)
            self.images.append(image)
            self._frames.append(frame)
        gates = sum(1 for k in self._order if lanes.ranges[k] == (0.0, 1.0))
        candidate = lanes.letters[self._order[-1]]
        for first, count, name in ((0, gates, "σ"), (gates, len(self._order) - gates, candidate)):
            low, high = lanes.ranges[self._order[first]]
            bar = pg.ColorBarItem(values=(low, high), colorMap=LANE_MAP, interactive=False, width=10,
                                  rounding=0.5)
            bar.setImageItem(self.images[first:first + count])
            # The ends' labels would run into the next bar's: the range is in the bar's name.
            bar.axis.setTicks([[(low, ""), ((low + high) / 2, f"{(low + high) / 2:g}"), (high, "")]])
            bar.axis.setLabel(name)
            bar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.addItem(bar, row=first + 1, col=1, rowspan=count)
            self.bars.append(bar)
        self.plots[-1].setLabel("bottom", "step t")
        self._letters = lanes.letters
        self._units = lanes.units
        self.set_font_scale(self._scale)

    def show_lanes(self, lanes: GateLanes, chosen: tuple[int, int]) -> None:
        """Paint *lanes*, the cell *chosen* (t, j) framed."""
        if lanes.letters != self._letters:
            self._build(lanes)
        steps, units = lanes.steps, lanes.units
        self._lanes = lanes
        for k, image in zip(self._order, self.images, strict=True):
            image.setImage(np.nan_to_num(lanes.activations[k].T, nan=0.0), autoLevels=False,
                           levels=lanes.ranges[k])
        if (steps, units) != self._shape:  # after setImage: the rect maps the image's pixels
            self._shape = (steps, units)
            for plot, image in zip(self.plots, self.images, strict=True):
                image.setRect(QRectF(0.5, 0.5, steps, units))
                plot.setRange(xRange=(0.5, steps + 0.5), yRange=(0.5, units + 0.5), padding=0)
                plot.getAxis("left").setTicks([[(1, "1")]])  # the last lane's says where they end
            self.plots[-1].getAxis("left").setTicks([[(1, "1"), (units, str(units))]])
            step_ticks = sorted({1, *range(5, steps + 1, 5), steps})
            self.plots[-1].getAxis("bottom").setTicks([[(t, str(t)) for t in step_ticks]])
        self.show_chosen(chosen)
        names = ",  ".join(f"{lanes.letters[k]} {lanes.names[k]}" for k in self._order)
        candidate = lanes.letters[self._order[-1]]
        heading = (f"Gates over the next update's sequence: unit j = 1 … {units} down, step t across<br>"
                   f"{names}<br>colour: purple 0 → orange 1 ({candidate}: −1 → 1); "
                   "framed: the cell worked out (click another)")
        if heading != getattr(self, "_heading_text", None):
            self._heading_text = heading
            self.heading.setText(heading, size=f"{HEADING_PT * self._scale:g}pt")
            self._fit_heading()

    def show_chosen(self, chosen: tuple[int, int]) -> None:
        """Frame the cell (t, j) in every lane."""
        self.chosen = chosen
        t, j = chosen
        for frame in self._frames:
            frame.setRect(QRectF(t - 0.5, j - 0.5, 1.0, 1.0))

    def _hovered(self, image: _LaneImage, where: tuple[int, int] | None) -> None:
        """Say the value under the pointer in the tooltip: gate, unit, step and activation."""
        lanes = self._lanes
        steps, units = self._shape
        if where is None or lanes is None or not (0 <= where[0] < steps and 0 <= where[1] < units):
            self.setToolTip("")
            return
        k = self._order[self.images.index(image)]
        column, row = where
        value = float(lanes.activations[k, row, column])
        self.setToolTip(f"{lanes.letters[k]} ({lanes.names[k]}) of unit {row + 1} at step {column + 1}: "
                        f"{format_number(value)}; click to take this cell apart")

    def _clicked(self, column: int, row: int) -> None:
        steps, units = self._shape
        if 0 <= column < steps and 0 <= row < units:
            self.cellChosen.emit(column + 1, row + 1)

    def _fit_heading(self, width: int | None = None) -> None:
        """Wrap the heading to the view's width (a line longer than the view was cut at its edge)."""
        text = self.heading.item
        text.setTextWidth(-1)
        room = max((self.width() if width is None else width) - 12, 120)
        if text.boundingRect().width() > room:
            text.setTextWidth(room)
        self.heading.updateMin()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event is not None:
            self._fit_heading(event.size().width())
        super().resizeEvent(event)

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times the window's (presentation mode)."""
        self._scale = theme.check_font_scale(scale)
        font = theme.scaled_font(QFont(), self._scale * 0.9)
        for plot in self.plots:
            theme.scale_axes(plot, self._scale * 0.9)
        points = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
        # Every lane's unit axis as wide as the widest ("16" beside "1"): otherwise the lanes
        # start at different x and their step columns do not line up.
        metrics = QFontMetrics(font)
        axis_width = metrics.horizontalAdvance(str(getattr(self, "_units", 99))) + metrics.height() + 14
        for plot in self.plots:
            plot.getAxis("left").setWidth(axis_width)
        for bar in self.bars:
            bar.axis.setTickFont(font)
            bar.axis.setLabel(bar.axis.labelText, **{"font-size": f"{points:g}pt"})
            bar.axis.setWidth(None)  # room for the larger text (it kept the small text's width)
        text = getattr(self, "_heading_text", None)
        if text is not None:
            self.heading.setText(text, size=f"{HEADING_PT * self._scale:g}pt")
            self._fit_heading()
