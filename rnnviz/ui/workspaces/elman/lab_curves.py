"""The lab's two plots: the loss over training, and the gradient flowing back through the example.

Both are handed their numbers (the run's per-update losses and accuracies, a
:class:`~rnnviz.present.lab.FlowSeries`) and only draw them; every item is
made once and updated with ``setData``.

Ranges
------
While training plays, every frame brings new numbers. An axis whose range
moves is laid out and painted again (a few milliseconds each), so the plots
set their ranges themselves, in steps: the update axis ends at the smallest
2^k or 1.5·2^k holding every update (:func:`stepped_end`); a value axis
widens only when the numbers leave it, and narrows only after it has been
too loose for :data:`LOOSE_SHOWS` shows in a row (:func:`refit`), or for a
new run. Between those changes the axes stay cached pictures. A
user who zooms or pans keeps that view; View ▸ Fit (auto-range) hands the
ranges back to the plot.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import ClassVar, Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QTextDocument
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from rnnviz.present.lab import FlowSeries
from rnnviz.ui import theme
from rnnviz.ui.legends import unbroken
from rnnviz.ui.plot_axes import LogAxis, TickAxis

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
#: The running mean of the accuracy, on its own 0–1 axis at the right.
ACCURACY_COLOUR: Final[str] = "#b35900"
#: The most of a plot's height its title (its legend) may take before its text shrinks,
#: and how far it may shrink (a share of its size at the plot's font scale).
TITLE_MAX_SHARE: Final[float] = 0.3
TITLE_MIN_FACTOR: Final[float] = 0.6
#: The height pyqtgraph gives a plot's title row; a taller title gets more.
TITLE_ROW_PX: Final[int] = 30
#: Room left beside a title wrapped to the plot's width, in pixels.
TITLE_MARGIN_PX: Final[int] = 8
#: The title's (and so the legend's) size at font scale 1, in points.
TITLE_PT: Final[float] = 10.0
#: A value axis is refitted when the numbers fill less than this share of it.
MIN_FILL: Final[float] = 0.4
#: The flow plot's log axis is too loose with more than this many decades to spare
#: (a fit leaves at most 2.2: whole decades and a tenth of one at either end).
SPARE_DECADES: Final[float] = 3.0
#: A value axis too loose for this many shows in a row is refitted (about 2 s while playing;
#: an axis that narrowed at once would jump with every example).
LOOSE_SHOWS: Final[int] = 60
#: Room left below the loss on a refit, as a share of its spread (so a falling loss
#: does not refit every frame); the axis never goes below 0 for losses that do not.
LOSS_HEADROOM: Final[float] = 0.25
#: With more updates than this many per pixel, the per-example losses are drawn as a band
#: (each pixel's least to greatest loss, filled) instead of a line zigzagging between them:
#: the same picture, for a fraction of the drawing.
BAND_FROM: Final[float] = 2.0


def stepped_end(count: int) -> float:
    """Where the update axis ends for *count* updates: the least 2^k or 1.5·2^k ≥ count (≥ 1)."""
    power = 1 << max(count - 1, 0).bit_length()  # the least 2^k ≥ count
    return float(power * 3 // 4 if power >= 4 and power * 3 // 4 >= count else power)


def is_loose(shown: tuple[float, float], low: float, high: float, slack: float | None = None) -> bool:
    """Whether numbers from *low* to *high* fill a value axis showing *shown* too little: less than
    :data:`MIN_FILL` of it, or (with *slack*) leaving more than *slack* of it empty."""
    empty = (shown[1] - shown[0]) - (high - low)
    return empty > slack if slack is not None else high - low < MIN_FILL * (shown[1] - shown[0])


def refit(shown: tuple[float, float] | None, low: float, high: float,
          fitted: tuple[float, float], shrink: bool) -> tuple[float, float] | None:
    """The new range of a value axis showing *shown* for numbers from *low* to *high*, or None
    to keep it. Numbers outside widen it to take in *fitted* too (it never jumps back and forth
    with the example shown); with *shrink* it becomes *fitted*."""
    if shown is None or shrink:
        return fitted if fitted != shown else None
    if low < shown[0] or high > shown[1]:
        return (min(shown[0], fitted[0]), max(shown[1], fitted[1]))
    return None


def loss_band(losses: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The per-example losses as a band: for each *group* consecutive updates (the last group may
    be short), its middle update (1-based) and its least and greatest finite loss. Groups with no
    finite loss are left out."""
    lows, highs = GroupPeaks().of(np.asarray(losses, dtype=np.float64), group, 0)
    return _finite_groups(group_middles(losses.size, group), lows, highs)


def _finite_groups(middles: np.ndarray, lows: np.ndarray,
                   highs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keep = np.isfinite(lows) & np.isfinite(highs)
    return middles[keep], lows[keep], highs[keep]


def _bounds(arrays: Iterable[np.ndarray],
            start: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """The least and greatest finite number in *arrays* and *start* (None: there is none)."""
    low, high = start if start is not None else (math.inf, -math.inf)
    for values in arrays:
        finite = values[np.isfinite(values)] if values.size else values
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    return (low, high) if low <= high else None


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


class RunningMeans:
    """:func:`running_mean` of a series that grows between calls, computed for the new values
    only: the run's stored updates only grow while it trains (100,000 of them took ~2 ms a
    frame from scratch). A series that is not the last one extended starts again (and
    :attr:`generation` grows by one). Non-finite values count as 0, as in the loss plot;
    :attr:`bounds` are the least and greatest finite value and mean so far. The numbers
    are kept in arrays with room to grow, so that a frame costs its new values, not a copy
    of all."""

    def __init__(self, window: int = MEAN_WINDOW) -> None:
        self._window = window
        #: Grows by one each time the series starts again.
        self.generation = 0
        self._forget()

    def _forget(self) -> None:
        self._count = 0
        self._values = np.empty(0)  # the series as seen, then its sums and means, with spare room
        self._sums = np.empty(0)
        self._means = np.empty(0)
        self.bounds: tuple[float, float] | None = None

    def _room(self, size: int) -> None:
        if size > self._values.size:
            capacity = max(size, 2 * self._values.size, 1024)
            for name in ("_values", "_sums", "_means"):
                grown = np.empty(capacity)
                grown[: self._count] = getattr(self, name)[: self._count]
                setattr(self, name, grown)

    def of(self, values: np.ndarray) -> np.ndarray:
        """The running means of *values* (kept numbers: not to be written to)."""
        values = np.asarray(values, dtype=np.float64)
        old = self._count
        if values.size < old or not same_bits(values[:old], self._values[:old]):
            self._forget()
            self.generation += 1
            old = 0
        n = values.size
        if n > old:
            self._room(n)
            new = values[old:]
            counted = np.where(np.isfinite(new), new, 0.0)
            # Summed on from the last sum, the same additions in the same order as from scratch.
            self._sums[old:n] = np.cumsum(np.concatenate([self._sums[old - 1: old], counted]))[1 if old else 0:]
            ends = np.arange(old, n)
            starts = ends - self._window
            before = np.where(starts >= 0, self._sums[np.maximum(starts, 0)], 0.0)
            self._means[old:n] = (self._sums[ends] - before) / np.minimum(ends + 1, self._window)
            self._values[old:n] = new
            self._count = n
            self.bounds = _bounds((new, self._means[old:n]), self.bounds)
        return self._means[:n]


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two float64 arrays hold the very same numbers, bit for bit (NaN included)."""
    return a.shape == b.shape and bool(np.array_equal(a.view(np.int64), b.view(np.int64)))


class GroupPeaks:
    """The least and greatest value (non-finite ones left out) of each *group* consecutive
    values of a series that grows, the last group perhaps short: what the loss plot draws when
    many updates share a pixel. Whole groups are kept while the series only grows (its
    *generation*, from :class:`RunningMeans`, stays the same) and the group does too."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._done = 0  # values in whole groups so far
        self._lows = self._highs = np.empty(0)

    def of(self, values: np.ndarray, group: int, generation: int) -> tuple[np.ndarray, np.ndarray]:
        """(lows, highs) per group of *values*; NaN for a group with no finite value."""
        if (group, generation) != self._key or values.size < self._done:
            self._key, self._done = (group, generation), 0
            self._lows = self._highs = np.empty(0)
        whole = values.size // group * group
        if whole > self._done:
            block = _finite_or_nan(values[self._done: whole]).reshape(-1, group)
            self._lows = np.concatenate([self._lows, np.fmin.reduce(block, axis=1)])
            self._highs = np.concatenate([self._highs, np.fmax.reduce(block, axis=1)])
            self._done = whole
        if values.size == whole:
            return self._lows, self._highs
        tail = _finite_or_nan(values[whole:])
        return np.append(self._lows, np.fmin.reduce(tail)), np.append(self._highs, np.fmax.reduce(tail))


def _finite_or_nan(values: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(values), values, np.nan)


def group_middles(count: int, group: int) -> np.ndarray:
    """The middle update (1-based) of each *group* consecutive ones of *count*, as :func:`loss_band`'s."""
    whole = count // group
    middles = np.arange(whole, dtype=np.float64) * group + (group + 1) / 2
    return middles if count == whole * group else np.append(middles, (whole * group + 1 + count) / 2)


def _peaks_line(item, count: int, group: int, lows: np.ndarray, highs: np.ndarray) -> None:
    """Draw on *item* what pyqtgraph's "peak" downsampling draws for *count* values in groups
    of *group*: at each group's first update, a stroke from its greatest value to its least."""
    starts = np.arange(lows.size, dtype=np.float64) * group + 1
    _set(item, np.repeat(starts, 2), np.column_stack([highs, lows]).ravel())


def _set(item, x: np.ndarray, y: np.ndarray) -> None:
    """``item.setData(x, y)`` with non-finite points left out of lines and marks.

    A curve with no finite point at all is emptied: pyqtgraph cannot bound
    an all-NaN curve (a diverged run's last example, say).
    """
    keep = np.isfinite(y)
    if not keep.any():
        _clear(item)
        return
    item.setVisible(True)
    if keep.all():
        item.setData(x, y)
    else:
        item.setData(x, np.where(keep, y, np.nan), connect="finite")


def _clear(item) -> None:
    """Empty a curve or scatter *item* and hide it (an empty item still costs a paint);
    only if it holds anything, as every setData costs."""
    held = len(item.data) if isinstance(item, pg.ScatterPlotItem) else item.getOriginalDataset()[0] is not None
    if held:
        item.setData([], [])
    item.setVisible(False)


def _retitle(plot: _LabPlot, text: str) -> None:
    """Set *plot*'s title only when it changes: a new title lays the whole plot out again."""
    if plot.shown_title != text:
        plot.shown_title = text
        plot.getPlotItem().setTitle(text, size=f"{TITLE_PT * plot.font_scale():g}pt")
        _fit_title(plot)


def _fit_title(plot: pg.PlotWidget) -> None:
    """Wrap *plot*'s title to the plot's width when it is wider.

    A title line wider than the widget (a long legend in presentation mode's
    larger text) would make the plot item wider than its widget, which then
    shows the item's left part only: the right-hand axis and the curves' ends
    cut off, the title drawn over the plot.
    """
    item = plot.getPlotItem()
    label = item.titleLabel
    text = label.item
    axes = sum(item.getAxis(side).minimumWidth() for side in ("left", "right")
               if item.getAxis(side).isVisible())
    room = max(plot.width() - axes - 2 * TITLE_MARGIN_PX, 80)
    # Wrapped, a long legend may still be too tall for a small plot: its text then
    # shrinks (not below TITLE_MIN_FACTOR of its size) rather than leave no room for the curves.
    points = _title_points(plot, room)
    if label.opts.get("size") != f"{points:g}pt":
        label.setText(label.text, size=f"{points:g}pt")
    natural = text.document().clone()  # measured unwrapped, leaving the shown text alone
    natural.setTextWidth(-1)
    wrap = room if natural.size().width() > room else -1.0
    if text.textWidth() != wrap:
        text.setTextWidth(wrap)
        text.update()  # the title paints from a cached picture, which a new width does not redo
    # pyqtgraph keeps the title's row 30 px high, whatever the text: a taller
    # title (two lines, larger text) would spill over the plot.
    height = max(TITLE_ROW_PX, math.ceil(text.boundingRect().height()))
    if label.maximumHeight() != height or label.minimumWidth() > text.boundingRect().width() + 1:
        label.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)
        label.resizeEvent(None)  # its minimum size and place follow the text's
        # The plot item took the widget's size clamped to its minimum, which the old
        # title may have set: give it the widget's size again (as a resize of the widget does).
        item.updateGeometry()
        pg.GraphicsView.setRange(plot, plot.range, padding=0, disableAutoPixel=False)


def _title_points(plot: pg.PlotWidget, room: float) -> float:
    """The title's size in points: its size at the plot's font scale, less while the title,
    wrapped to *room* pixels, is taller than TITLE_MAX_SHARE of the plot (never below
    TITLE_MIN_FACTOR of that size). Measured on a copy of the text, not the title shown."""
    full = TITLE_PT * plot.font_scale()
    cap = TITLE_MAX_SHARE * plot.height()
    html = plot.getPlotItem().titleLabel.text
    measure = QTextDocument()
    points = full
    while points > full * TITLE_MIN_FACTOR:
        measure.setHtml(f"<span style='font-size: {points:g}pt'>{html}</span>")
        measure.setTextWidth(room)
        if measure.size().height() <= cap:
            break
        points = max(round(points * 0.85, 1), full * TITLE_MIN_FACTOR)
    return points


def _cache_axes(plot: pg.PlotWidget, sides: Iterable[str] = ("left", "bottom")) -> None:
    """Keep each axis as a picture until it changes: redrawing an axis's text costs ~4 ms, and
    the plot redraws on every frame while only the curves have moved."""
    item = plot.getPlotItem()
    cached = [item.titleLabel.item]  # the title's and axis names' text items paint on their own
    for side in sides:
        cached += [item.getAxis(side), item.getAxis(side).label]
    for each in cached:
        each.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def _whole_ticks(plot: _LabPlot, count: int) -> None:
    """Label the bottom axis 1 … *count* while that is at most :data:`MAX_STEP_LABELS`, else let
    it choose; set only on a change (new ticks paint the axis again)."""
    ticks = count if 0 < count <= MAX_STEP_LABELS else None
    if ticks != plot.shown_ticks:
        plot.shown_ticks = ticks
        plot.getPlotItem().getAxis("bottom").setTicks(
            None if ticks is None else [[(float(u), str(u)) for u in range(1, ticks + 1)]])


def _legend_title(title: str, entries: tuple[tuple[str, str, str], ...]) -> str:
    """A plot title that is its own legend: *title*, then each (colour, mark, text) in its colour.

    A legend inside the plot would sit on the curves; in the title it never does.
    """
    # A title too wide for its plot wraps between the entries, never inside one ("f′(a_t)").
    marks = "  ".join(f'<span style="color:{colour}">{mark}&nbsp;{_unbroken(text)}</span>'
                      for colour, mark, text in entries)
    return f'<span style="color:#303030">{_unbroken(title)}:</span>&nbsp; {marks}'


def _unbroken(text: str) -> str:
    """Plain *text* as HTML that is never broken across lines (:func:`rnnviz.ui.legends.unbroken`)."""
    return unbroken(html.escape(text))


class _Band(QGraphicsPathItem):
    """A filled outline in a view box, which fits the view (View ▸ Fit) to the outline itself,
    not to the outline widened by its pen's width in data units."""

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None) -> tuple[float, float] | None:
        rect = self.path().boundingRect()
        if rect.isNull() or not self.isVisible():
            return None
        return (rect.left(), rect.right()) if axis == 0 else (rect.top(), rect.bottom())

    def pixelPadding(self) -> float:
        return 0.5


class _LabPlot(pg.PlotWidget):
    """What both lab plots share: a title that is its own legend, cached axes, a font scale and
    ranges set in steps (see the module docstring)."""

    #: The axes whose text the font scale sizes.
    SIDES: tuple[str, ...] = ("left", "bottom")
    #: Axis names written in a colour (the curve's they belong to).
    AXIS_COLOURS: ClassVar[Mapping[str, str]] = {}
    #: The value axis's empty room that makes it refit (None: a share, :data:`MIN_FILL`).
    SLACK: float | None = None

    def __init__(self, title: str, axis_names: dict[str, str], log_y: bool = False) -> None:
        # Updates and steps are whole numbers, written with thousands separators ("12,288").
        axes = {"bottom": TickAxis("bottom"), **({"left": LogAxis("left")} if log_y else {})}
        super().__init__(background="w", axisItems=axes)
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
        #: The bottom axis's whole-number labels (1 … this), None: the axis's own.
        self.shown_ticks: int | None = None
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.getAxis("left").enableAutoSIPrefix(False)
        self.setMinimumSize(220, 140)
        # The ranges: set by the plot while it follows the numbers, the user's once zoomed.
        self._following = True
        self._x_shown: tuple[float, float] | None = None
        self._y_shown: tuple[float, float] | None = None
        self._loose = 0  # shows in a row the value axis has been too loose
        # An axis that widens (longer tick labels, its name shown) leaves the title less room.
        for side in ("left", "right"):
            item.getAxis(side).geometryChanged.connect(lambda: _fit_title(self))
        view = item.getViewBox()
        view.disableAutoRange()
        view.sigRangeChangedManually.connect(self._stop_following)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        # Not while pyqtgraph builds the view, nor once it is closed (no plot item then).
        if "_font_scale" in self.__dict__ and self.getPlotItem() is not None:
            _fit_title(self)

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large (ticks, axis names, the title and its legend); 1.0 is the normal look."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        font = theme.scaled_font(QFont(), scale)
        for side in self.SIDES:
            self.getPlotItem().getAxis(side).setTickFont(font)
            self._name_axis(side)
        title = self.shown_title if self.shown_title is not None else self._title
        self.shown_title = None
        _retitle(self, title)

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def title_text(self) -> str:
        """The title (and so the legend) as a reader sees it: plain text, lines joined by spaces."""
        text = self.getPlotItem().titleLabel.item.toPlainText()
        return " ".join(text.replace("\u2060", "").replace("\xa0", " ").replace("\u2011", "-").split())

    def _name_axis(self, side: str) -> None:
        """Write the axis's name at the font scale (1: pyqtgraph's own size, as first made)."""
        axis = self.getPlotItem().getAxis(side)
        style = {"color": self.AXIS_COLOURS[side]} if side in self.AXIS_COLOURS else {}
        if self._font_scale != 1.0 or "font-size" in axis.labelStyle:
            font = theme.scaled_font(QFont(), self._font_scale)
            points = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
            style["font-size"] = f"{points:g}pt"
        axis.setLabel(self._axis_names[side], **style)

    def following(self) -> bool:
        """Whether the plot sets its own ranges (False after the user zoomed or panned, until a fit)."""
        return self._following

    def _stop_following(self, *_) -> None:
        self._following = False

    def _follow(self, x: tuple[float, float], bounds: tuple[float, float] | None) -> None:
        """Show *x* and, for numbers within *bounds*, refit the value axis when needed (:func:`refit`)."""
        view = self.getPlotItem().getViewBox()
        if any(view.autoRangeEnabled()):  # a fit was asked for: the plot sets its ranges again
            view.disableAutoRange()
            self._following, self._x_shown, self._y_shown = True, None, None
        if not self._following:
            return
        if x != self._x_shown:
            if self._x_shown is not None and x[1] < self._x_shown[1]:
                self._y_shown = None  # fewer updates: a new run, fitted from scratch
            self._x_shown = x
            view.setXRange(*x, padding=0)
        if bounds is None:
            return
        shown = self._y_shown
        self._loose = self._loose + 1 if shown is not None and is_loose(shown, *bounds, self.SLACK) else 0
        y = refit(shown, *bounds, self._fitted(*bounds), self._loose >= LOOSE_SHOWS)
        if y is not None:
            self._y_shown, self._loose = y, 0
            view.setYRange(*y, padding=0)

    def _fitted(self, low: float, high: float) -> tuple[float, float]:
        """The value axis's range for numbers from *low* to *high*."""
        raise NotImplementedError


class LossPlot(_LabPlot):
    """Loss per update and its running mean; the running mean of the accuracy on a 0–1 axis at
    the right, when the task has one; a red tick under every clipped update; the cursor."""

    SIDES = ("left", "bottom", "right")
    AXIS_COLOURS: ClassVar[Mapping[str, str]] = {"right": ACCURACY_COLOUR}

    def __init__(self) -> None:
        super().__init__(_legend_title("loss per update", (
            (LOSS_COLOUR, "━", "the example's"), (MEAN_COLOUR, "━", f"mean of the last {MEAN_WINDOW}"),
            (CLIP_COLOUR, "▲", "clipped"))), {"left": "loss", "bottom": "update", "right": "accuracy"})
        item = self.getPlotItem()
        item.setClipToView(True)
        item.setDownsampling(auto=True, mode="peak")
        self.loss = item.plot(pen=pg.mkPen(LOSS_COLOUR, width=1), symbolSize=6, symbolPen=None,
                              symbolBrush=LOSS_COLOUR)
        self.band = _Band()
        self.band.setPen(pg.mkPen(LOSS_COLOUR, width=1))  # a band one loss thin still shows
        self.band.setBrush(pg.mkBrush(LOSS_COLOUR))
        self.band.setVisible(False)
        item.addItem(self.band)
        self.band.setZValue(self.loss.zValue())
        self.mean = item.plot(pen=pg.mkPen(MEAN_COLOUR, width=1))
        self.clips = pg.ScatterPlotItem(symbol="t1", size=7, pen=None, brush=pg.mkBrush(CLIP_COLOUR))
        self._clips_shown: tuple = ()
        item.addItem(self.clips)
        self.twin = item.plot(pen=pg.mkPen(TWIN_COLOUR, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self._make_accuracy()
        _cache_axes(self, self.SIDES)
        self.cursor_line = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.CURSOR, width=1,
                                                              style=pg.QtCore.Qt.PenStyle.DashLine))
        item.addItem(self.cursor_line)
        self._count = 0
        self._loss_means = RunningMeans()
        self._accuracy_means = RunningMeans()
        self._loss_peaks, self._mean_peaks, self._accuracy_peaks = GroupPeaks(), GroupPeaks(), GroupPeaks()
        self._twin_shown = False
        self._twin_bounds: tuple[float, float] | None = None

    def _make_accuracy(self) -> None:
        """The accuracy's own view box over the plot's, sharing its update axis, 0–1 at the right."""
        item = self.getPlotItem()
        self.accuracy_view = pg.ViewBox(enableMouse=False)
        self.accuracy_view.setMouseEnabled(x=False, y=False)
        item.scene().addItem(self.accuracy_view)
        right = item.getAxis("right")
        right.linkToView(self.accuracy_view)
        self.accuracy_view.setXLink(item.getViewBox())
        self.accuracy_view.disableAutoRange()
        self.accuracy_view.setYRange(0.0, 1.0, padding=0.06)  # room for the labels 0 and 1
        self.accuracy = pg.PlotDataItem(pen=pg.mkPen(ACCURACY_COLOUR, width=1))
        self.accuracy.setDownsampling(auto=True, method="peak")
        self.accuracy.setClipToView(True)
        self.accuracy_view.addItem(self.accuracy)
        self.accuracy_view.setZValue(item.getViewBox().zValue() + 1)
        item.getViewBox().sigResized.connect(self._place_accuracy)
        self._name_axis("right")
        item.hideAxis("right")
        self._has_accuracy = False

    def _place_accuracy(self) -> None:
        self.accuracy_view.setGeometry(self.getPlotItem().getViewBox().sceneBoundingRect())

    def show_run(self, losses: np.ndarray, clipped: np.ndarray, cursor: int,
                 accuracies: np.ndarray | None = None, accuracy_label: str | None = None) -> None:
        """Draw updates 1 … len(losses); *cursor* updates are done. *accuracies* (one in [0, 1]
        per update, None when the task has none: hidden) are drawn as their running mean over
        the loss's window, on a 0–1 axis named *accuracy_label* ("accuracy" if None)."""
        means = self._loss_means.of(losses)
        group = self._band_group(losses.size)
        if group:
            lows, highs = self._loss_peaks.of(losses, group, self._loss_means.generation)
            group = group if np.isfinite(lows).any() else 0  # no finite loss: no band
        self.band.setVisible(bool(group))
        if group:
            # Many updates a pixel: the per-example losses as a band instead of their line (which
            # is emptied: laying out 100,000 points it does not draw cost ~1.5 ms), the mean as
            # the strokes pyqtgraph's peak downsampling would draw, made from the new updates only.
            _clear(self.loss)
            self._show_band(group_middles(losses.size, group), lows, highs)
            _peaks_line(self.mean, losses.size, group,
                        *self._mean_peaks.of(means, group, self._loss_means.generation))
            low = float(np.nanmin(lows))
        else:
            x = np.arange(1, losses.size + 1, dtype=np.float64)
            finite = _finite_or_nan(losses)
            _set(self.loss, x, finite)
            _set(self.mean, x, means)
            low = float(np.nanmin(finite)) if np.isfinite(finite).any() else 0.0
        self._show_clips(clipped, low)
        self.cursor_line.setValue(cursor)
        self._count = losses.size
        self._show_accuracy(losses.size, group, accuracies, accuracy_label or "accuracy")
        # Updates are whole numbers: while few, label each one rather than 1.2, 1.4, …,
        # and mark each loss with a dot (one update alone is a line of one point: nothing).
        few = 0 < losses.size <= MAX_STEP_LABELS
        _whole_ticks(self, max(losses.size, 1))  # none yet: the axis shows update 1, not 0.6 … 1.4
        self.loss.setSymbol("o" if few else None)
        self._follow_losses(self._loss_means.bounds)

    def _band_group(self, count: int) -> int:
        """Updates per group of the band for *count* updates (a power of two: the same groups
        each frame), or 0 while few enough a pixel for a line (:data:`BAND_FROM`)."""
        pixels = self.getPlotItem().getViewBox().width()
        per_pixel = stepped_end(count) / max(pixels, 1.0)
        return 1 << max(int(per_pixel) - 1, 0).bit_length() if per_pixel > BAND_FROM else 0

    def _show_band(self, middles: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> None:
        middles, lows, highs = _finite_groups(middles, lows, highs)
        path = pg.functions.arrayToQPath(np.concatenate([middles, middles[::-1]]),
                                         np.concatenate([highs, lows[::-1]]))
        path.closeSubpath()
        self.band.setPath(path)

    def _show_clips(self, clipped: np.ndarray, low: float) -> None:
        """A red tick at the lowest loss (*low*) under each clipped update (set only when they change)."""
        marks = np.flatnonzero(clipped)
        low = low if marks.size else 0.0
        key = (marks.size, int(marks[-1]) if marks.size else -1, low)
        if key != self._clips_shown:
            self._clips_shown = key
            self.clips.setData(marks + 1.0, np.full(marks.size, low))
            self.clips.setVisible(bool(marks.size))

    def _show_accuracy(self, count: int, group: int, accuracies: np.ndarray | None, label: str) -> None:
        """The running mean of the first *count* accuracies, in *group*s as the loss's mean."""
        has = accuracies is not None
        if has != self._has_accuracy:
            self._has_accuracy = has
            self.getPlotItem().showAxis("right", has)
        if has and label != self._axis_names["right"]:
            self._axis_names["right"] = label
            self._name_axis("right")
        self._retitle()
        if accuracies is None:
            _clear(self.accuracy)
            return
        means = self._accuracy_means.of(np.asarray(accuracies)[:count])
        if group:
            _peaks_line(self.accuracy, means.size, group,
                        *self._accuracy_peaks.of(means, group, self._accuracy_means.generation))
        else:
            _set(self.accuracy, np.arange(1, means.size + 1, dtype=np.float64), means)

    def _follow_losses(self, bounds: tuple[float, float] | None) -> None:
        twin = self._twin_bounds
        if bounds is None or twin is None:
            bounds = bounds or twin
        else:
            bounds = (min(bounds[0], twin[0]), max(bounds[1], twin[1]))
        self._follow((0.5, stepped_end(self._count) + 0.5), bounds)

    def _fitted(self, low: float, high: float) -> tuple[float, float]:
        spread = high - low or abs(high) * 0.1 or 1.0
        bottom = low - LOSS_HEADROOM * spread
        return (max(bottom, 0.0) if low >= 0 else bottom, high + 0.05 * spread)

    def _retitle(self) -> None:
        title = self._title
        if self._twin_shown:
            title += f'&nbsp; <span style="color:{TWIN_COLOUR}">┅ twin</span>'
        if self._has_accuracy:  # a line of its own: one line would be wider than the plot
            name = html.escape(self._axis_names["right"])
            title += (f'<br><span style="color:{ACCURACY_COLOUR}">━&nbsp;{name.replace(" ", "&nbsp;")}: '
                      f'its mean over the last {MEAN_WINDOW}, on the right\u2011hand axis (0&nbsp;to&nbsp;1)</span>')
        _retitle(self, title)

    def show_twin(self, losses: np.ndarray | None) -> None:
        """The twin run's running mean of the loss, dashed (none: hidden); the title says "twin"."""
        self._twin_shown = losses is not None
        self._retitle()
        if losses is None:
            _clear(self.twin)
            self._twin_bounds = None
            return
        x = np.arange(1, losses.size + 1, dtype=np.float64)
        means = running_mean(np.where(np.isfinite(losses), losses, 0.0))
        _set(self.twin, x, means)
        self._twin_bounds = _bounds((means,))
        self._follow_losses(None)


class FlowPlot(_LabPlot):
    """‖∂L/∂h_t‖ against the step, on a log axis, with the per-step factor and its running product."""

    SLACK = SPARE_DECADES

    def __init__(self) -> None:
        super().__init__(_legend_title("back through the example", (
            (GRAD_COLOUR, "●", "‖∂L/∂h_t‖"), (FACTOR_COLOUR, "●", "‖diag f′(a_t)·W_hhᵀ‖"),
            (PRODUCT_COLOUR, "┅", "their running product"))), {"left": "norm (log scale)", "bottom": "step t"},
            log_y=True)
        item = self.getPlotItem()
        item.setLogMode(y=True)
        symbol = {"symbol": "o", "symbolSize": 5}
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
        #: The positive norms each curve shows (for the value axis's range).
        self._values: dict[str, np.ndarray] = {}
        self._steps = 0

    def _show(self, name: str, item, steps: np.ndarray, values: np.ndarray | None) -> None:
        """*values* (the positive finite ones) against *steps* on curve *item* (None: emptied)."""
        if values is None:
            _clear(item)
            self._values.pop(name, None)
        else:
            values = np.asarray(values, dtype=np.float64)
            shown = np.where(np.isfinite(values) & (values > 0), values, np.nan)
            _set(item, np.asarray(steps, dtype=np.float64), shown)
            self._values[name] = shown

    def _follow_values(self) -> None:
        bounds = _bounds(self._values.values())
        logs = None if bounds is None else (math.log10(bounds[0]), math.log10(bounds[1]))
        self._follow((0.5, max(self._steps, 1) + 0.5), logs)

    def _fitted(self, low: float, high: float) -> tuple[float, float]:
        """Whole decades (log10) holding *low* … *high*, with a little room at either end."""
        return (math.floor(low - 0.1), math.ceil(high + 0.1))

    def show_full(self, flow: FlowSeries | None) -> None:
        """With truncation, the full gradient's ‖∂L/∂h_t‖ dotted beside the truncated one (none: hidden)."""
        if flow is None:
            self._show("full", self.full, np.empty(0), None)
            _retitle(self, self._title)
        else:
            self._show("full", self.full, flow.steps, flow.grad_norms)
            _retitle(self, self._title + f'&nbsp; <span style="color:{FULL_COLOUR}">┈ full BPTT</span>')
        self._follow_values()

    def show_twin(self, flow: FlowSeries | None) -> None:
        """The twin run's ‖∂L/∂h_t‖ for the same example, dashed (none: hidden)."""
        self._show("twin", self.twin, np.empty(0) if flow is None else flow.steps,
                   None if flow is None else flow.grad_norms)
        self._follow_values()

    def show_flow(self, flow: FlowSeries, window: int | None) -> None:
        """Draw *flow*; with a truncation window, shade the steps the last window leaves out."""
        steps = np.asarray(flow.steps, dtype=np.float64)
        last = int(steps[-1]) if steps.size else 0
        self._steps = last
        self._show("product", self.product, steps, flow.running_product)
        self._show("factor", self.factor, steps, flow.factor_norms)
        self._show("grad", self.grad, steps, flow.grad_norms)
        # Steps are whole numbers: label them so while they fit, else let the axis choose.
        _whole_ticks(self, steps.size)
        self._follow_values()
        if window is not None and window < last:
            start = last - (last - 1) % window  # first step of the last window
            self.window_region.setRegion((0.5, start - 0.5))
            self.window_region.show()
        else:
            self.window_region.hide()
