"""The gated cells' three plots: the memory state's trajectories, the gradient highway, the training.

Each is handed its numbers (a :class:`~rnnviz.present.gated.GateLanes`, a
:class:`~rnnviz.present.gated.Highway`, the run's per-update losses and
accuracies) and only draws them; every item is made once and updated with
``setData``. Their ranges are set by the plots themselves and change only when
the numbers leave them (a moving axis is laid out and painted again each frame).
"""

from __future__ import annotations

import math
import re
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

from rnnviz.present.gated import GateLanes, Highway
from rnnviz.present.gated_views import (
    MEAN_WINDOW,
    decade_text,
    state_curves,
    training_curves,
)
from rnnviz.ui import theme
from rnnviz.ui.legends import unbroken
from rnnviz.ui.plot_axes import TickAxis

#: Every unit's curve, and the chosen unit's.
UNIT_COLOUR: Final[str] = "#b8b8b8"
CHOSEN_COLOUR: Final[str] = "#1f4e9a"
#: The gradient along the memory path, the product of the gates, the plain RNN's gradient.
PATH_COLOUR: Final[str] = "#1f4e9a"
GATES_COLOUR: Final[str] = theme.POSITIVE
PLAIN_COLOUR: Final[str] = "#7a7a7a"
#: The running means of the loss and of the share right.
LOSS_COLOUR: Final[str] = "#1f4e9a"
ACCURACY_COLOUR: Final[str] = theme.POSITIVE
#: The legend's text at font scale 1, in points.
LEGEND_PT: Final[float] = 9.0
#: Room left beside a title wrapped to its plot's width, in pixels (the left axis may widen after the
#: title is wrapped, when more decades come into view).
TITLE_MARGIN_PX: Final[int] = 40


def _subscripts(text: str) -> str:
    """``c_t`` and ``f_k`` with their index as a subscript (rich text)."""
    return re.sub(r"_([a-z])", r"<sub>\1</sub>", text)


def cache_axes(item: pg.PlotItem, sides: tuple[str, ...] = ("left", "bottom")) -> None:
    """Keep *item*'s axes and their names as pictures until they change: their text costs
    milliseconds to draw, and the plot redraws every frame while only the curves move. (Not the
    title: a cached title set once was lost when the plot moved, at 1920×1080.)"""
    cached = []
    for side in sides:
        cached += [item.getAxis(side), item.getAxis(side).label]
    for each in cached:
        each.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def legend_html(title: str, entries: tuple[tuple[str, str, str], ...]) -> str:
    """*title*, then on the next line each entry (colour, sample ``"──"``/``"– –"``/``"···"``, text)
    as its line's sample in its colour and its text: the legend, out of the curves' way."""
    # A title too wide for its plot wraps between the entries, never inside a formula.
    samples = "&nbsp;&nbsp; ".join(
        f"<span style='color:{colour}'><b>{sample}</b></span>&nbsp;{unbroken(text, at_spaces=True)}"
        for colour, sample, text in entries)
    return f"{title}<br>{samples}" if entries else title


class _Plot(pg.PlotWidget):
    """A white plot whose title is its legend, its text scaled in presentation mode."""

    def __init__(self, title: str, left: str, bottom: str) -> None:
        # Updates and steps are whole numbers, written with thousands separators ("12,288").
        super().__init__(background="w", axisItems={"bottom": TickAxis("bottom")})
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setLabel("left", left)
        item.setLabel("bottom", bottom)
        item.showGrid(x=False, y=True, alpha=0.15)
        self._title = ""
        self._scale = 1.0
        self.set_title(title)
        cache_axes(item)
        self.setMinimumSize(200, 150)

    def set_title(self, text: str) -> None:
        """The title (and legend) *text*, rich text; set only when it changed."""
        if text != self._title:
            self._title = text
            self.getPlotItem().setTitle(text, size=f"{LEGEND_PT * self._scale:g}pt", color=theme.INK)
            self._fit_title()

    def _fit_title(self, width: int | None = None) -> None:
        """Wrap the title to the plot's width and give its row the height it then needs."""
        item = getattr(self, "plotItem", None)
        if item is None:  # a resize while pyqtgraph makes the plot
            return
        label = item.titleLabel
        label.item.setTextWidth(-1)
        width = self.width() if width is None else width
        room = max(width - item.getAxis("left").width() - TITLE_MARGIN_PX, 80)
        if label.item.boundingRect().width() > room:
            label.item.setTextWidth(room)
        label.updateMin()
        height = label.item.boundingRect().height()
        label.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)

    def resizeEvent(self, event) -> None:
        if event is not None:
            self._fit_title(event.size().width())  # before the plot is laid out at that width
        super().resizeEvent(event)

    def title_text(self) -> str:
        """The title shown (rich text), without the word joiners that keep its formulas whole."""
        return self._title.replace("\u2060", "")

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times the window's (presentation mode)."""
        self._scale = theme.check_font_scale(scale)
        item = self.getPlotItem()
        theme.scale_axes(item, self._scale)
        item.setTitle(self._title, size=f"{LEGEND_PT * self._scale:g}pt", color=theme.INK)
        self._fit_title()

    def _curve(self, colour: str, width: float = 2.0, style=Qt.PenStyle.SolidLine):
        return self.plot([], [], pen=pg.mkPen(colour, width=width, style=style), connect="finite")


class StatePlot(_Plot):
    """The LSTM's c_t (or the GRU's h_t) of every unit over the sequence, the chosen unit in blue."""

    def __init__(self) -> None:
        super().__init__("memory state of every unit", "state", "step t")
        self.units = self._curve(UNIT_COLOUR, 1.2)
        self.chosen = self._curve(CHOSEN_COLOUR, 2.4)
        self.step_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.CURSOR, width=1,
                                                                style=Qt.PenStyle.DotLine))
        self.addItem(self.step_line)
        self._letter = ""
        self._range: tuple[float, float, int] | None = None

    def show_state(self, lanes: GateLanes, chosen: tuple[int, int]) -> None:
        """Every unit's memory state, t = 0 … T; unit j of *chosen* (t, j) drawn in blue, t marked."""
        t, j = chosen
        state = lanes.state
        self.units.setData(*state_curves(lanes))
        self.chosen.setData(np.arange(lanes.steps + 1, dtype=np.float64), state[j - 1])
        self.step_line.setValue(t)
        letter = lanes.state_letter
        what = "cell" if letter == "c" else "hidden"
        self.set_title(legend_html(f"the {what} state {letter}<sub>t</sub> of every unit over the sequence", (
            (CHOSEN_COLOUR, "──", f"unit {j}"), (UNIT_COLOUR, "──", "the others"),
            (theme.CURSOR, "┆", f"step {t}"))))
        if letter != self._letter:  # a label set again repaints its axis (milliseconds, every frame)
            self._letter = letter
            self.getPlotItem().setLabel("left", f"{letter}<sub>t</sub>")
        low, high = lanes.state_range
        wanted = (low, high, lanes.steps)
        # Wider when the states leave the axis; narrower only when they fill under a third of it
        # (an axis that follows every sequence would jump, and be laid out again, every frame).
        if (self._range is None or wanted[2] != self._range[2] or low < self._range[0]
                or high > self._range[1] or (high - low) < (self._range[1] - self._range[0]) / 3):
            self._range = wanted
            self.setRange(xRange=(0, lanes.steps), yRange=(low, high), padding=0.03)


class HighwayPlot(_Plot):
    """‖∂L/∂c_t‖ beside the product of the forget (update) gates and the plain RNN's ‖∂L/∂h_t‖, log axis."""

    def __init__(self) -> None:
        super().__init__("the gradient highway: how far back the error reaches", "norm (log)", "step t")
        self.getPlotItem().setLogMode(x=False, y=True)
        self.path = self._curve(PATH_COLOUR, 2.4)
        self.gates = self._curve(GATES_COLOUR, 2.0, Qt.PenStyle.DashLine)
        self.plain = self._curve(PLAIN_COLOUR, 2.0, Qt.PenStyle.DotLine)
        self._range: tuple[float, float, int] | None = None

    def show_highway(self, highway: Highway, plain_update: int | None = None) -> None:
        """The series of *highway* against t = 1 … T; *plain_update*: the update the plain RNN is
        at when not the gated run's (while training runs fast), said in the legend."""
        entries = [(PATH_COLOUR, "──", f"{highway.cell} {_subscripts(highway.path_label)}"),
                   (GATES_COLOUR, "– –", f"{_subscripts(highway.highway_label)} (unit mean)")]
        if highway.plain_norms is not None:
            when = "same sequence" if plain_update is None else f"same sequence, its update {plain_update:,}"
            entries.append((PLAIN_COLOUR, "···", f"plain RNN ‖∂L/∂h<sub>t</sub>‖ ({when})"))
        self.set_title(legend_html("the gradient highway: how far back the error reaches", tuple(entries)))
        steps = highway.steps
        self.path.setData(steps, highway.path_norms)
        self.gates.setData(steps, highway.highway)
        plain = highway.plain_norms
        self.plain.setData(steps, np.full(steps.shape, np.nan) if plain is None else plain)
        low, high = highway.decades
        count = int(steps.size)
        if (self._range is None or count != self._range[2] or low < self._range[0]
                or high > self._range[1] or self._range[0] < low - 4):
            self._range = (low, high, count)
            self.setRange(xRange=(1, max(count, 2)), yRange=(low, high), padding=0.02)
            self._label_decades()

    def _label_decades(self) -> None:
        """Label every decade, or every 2nd, 3rd, … when the axis is too short for them all."""
        shown = getattr(self, "_range", None)  # None until the first highway (and while pyqtgraph makes the plot)
        if shown is None:
            return
        low, high = shown[0], shown[1]
        axis = self.getAxis("left")
        font = axis.style["tickFont"] or self.font()
        room = max(self.getPlotItem().vb.height(), 40.0)
        most = max(2, int(room / (1.6 * QFontMetrics(font).height())))
        every = max(1, math.ceil((high - low + 1) / most))
        first = math.floor(low)
        axis.setTicks([[(float(k), decade_text(k)) for k in range(first, math.ceil(high) + 1)
                        if (k - first) % every == 0], []])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._label_decades()

    def set_font_scale(self, scale: float) -> None:
        super().set_font_scale(scale)
        self._label_decades()


class TrainingPlot(_Plot):
    """The running means of the loss and of the share of updates right, over the updates done."""

    def __init__(self) -> None:
        super().__init__(legend_html(f"training: means over the last {MEAN_WINDOW} updates", (
            (LOSS_COLOUR, "──", "loss (squared error at the last step)"),
            (ACCURACY_COLOUR, "– –", "share of first bits right"))), "loss / share right", "update")
        self.loss = self._curve(LOSS_COLOUR)
        self.accuracy = self._curve(ACCURACY_COLOUR, 2.0, Qt.PenStyle.DashLine)
        self.cursor_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.CURSOR, width=1))
        self.addItem(self.cursor_line)
        self._end: int | None = None
        self.setYRange(-0.03, 1.05, padding=0)  # room for the labels 0 and 1 at the ends

    def show_run(self, losses: np.ndarray, accuracies: np.ndarray | None, cursor: int, n_ticks: int) -> None:
        """The means of the updates stored (*losses*, *accuracies*), the cursor at *cursor* of *n_ticks*."""
        x, loss, right = training_curves(losses, accuracies)
        self.loss.setData(x, loss)
        self.accuracy.setData(x if right is not None else [], right if right is not None else [])
        self.cursor_line.setValue(cursor)
        if n_ticks != self._end:
            self._end = n_ticks
            self.setXRange(0, max(n_ticks, 1), padding=0.01)
