"""What the weight plots show over ticks, without Qt: the points, markers, crossings and side texts.

:class:`SeriesCache` follows one session's history: a min/max pyramid
(:mod:`rnnviz.engine.envelope`) per weight and per drawn signal, and a
notation index (:mod:`rnnviz.engine.notation_index`) per weight, extended
with the new ticks only and cut back to what the history still holds when it
forgets ticks (``History.kept_since``). From them it answers what the widget
(:class:`rnnviz.ui.plots.WeightPlots`) draws: the points of a curve for a
visible range at a pixel size (every tick, or one min/max bar per pixel
column), the change markers' signs, the sign-flip crossings in view and the
notation tooltip. :func:`weights_shown` gives the values the side boxes
write. The widget keeps only the pyqtgraph items, the layout, the colours and
the painting.

Where things stand
------------------
The weight after *k* ticks is drawn at ``x = k`` (point 0 is the initial
weight); tick *t*'s signals at ``x = t + 1``; the crossing mark of tick *t*
(its change flips the weight's sign) between its two points, at
``x = t + 0.5``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Final

import numpy as np

from rnnviz.engine.envelope import MinMaxPyramid, joined_bars
from rnnviz.engine.explain import explain_session
from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.notation import MINUS, change_signs
from rnnviz.engine.notation_index import NotationIndex
from rnnviz.present.diagram import EDGES, stage_weights
from rnnviz.present.stages import Stage
from rnnviz.session import Session

#: Up to this many points a curve gets every point, whatever the zoom.
EXACT_POINTS: Final[int] = 4096
#: Beyond EXACT_POINTS, a curve gets every visible point while there are at
#: most this many per pixel column, and a min/max envelope otherwise.
POINTS_PER_PIXEL: Final[float] = 2.0
#: Envelope bars are at least this many pixels tall (a zero-length line is
#: not drawn at all; a whole pixel would make flat stretches look bold).
MIN_BAR_PIXELS: Final[float] = 0.6
#: Crossing marks show only while they are on average this many pixels apart.
CROSSING_MIN_SPACING_PX: Final[float] = 6.0
#: Room above and below the visible data, as a share of its span.
Y_PADDING: Final[float] = 0.08
#: The y range stays while the visible data fills at least this share of it.
Y_KEEP_SHARE: Final[float] = 0.7
#: The longest tooltip text (the end of the notation is kept).
TOOLTIP_CHARS: Final[int] = 3000
#: What stands for the leading tokens left out of a notation.
ELLIPSIS: Final[str] = "… "
#: The signals drawn as curves (the targets are dots, read straight from the history).
SIGNAL_CURVES: Final[tuple[str, ...]] = ("x", "h", "yhat")

#: The visible tick range and the data area's width in pixels: ``(x0, x1, width)``.
Visible = tuple[float, float, float]


def series_points(
    values: np.ndarray,
    pyramid: MinMaxPyramid,
    count: int,
    initial: float | None,
    visible: Visible,
    pixel_height: float,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Points for values ``0 … count−1`` drawn at ``x = i + 1`` (and *initial* at 0).

    Value *i* belongs to tick *i*, which leaves the weights at x = i + 1.

    Parameters
    ----------
    values
        The series (a history column); only its first *count* values are read.
    pyramid
        The min/max pyramid of *values*, synced to at least *count*.
    count
        How many values to draw (the cursor).
    initial
        The value drawn at ``x = 0`` (a weight's initial value), or None.
    visible
        The visible tick range and the data area's width in pixels.
    pixel_height
        A pixel's height in data units: no envelope bar is shorter than
        :data:`MIN_BAR_PIXELS` of it (Qt draws nothing for a zero-length line,
        so a flat stretch would come out dotted).

    Returns
    -------
    x, y, exact
        *exact* says every point is one tick; otherwise the points are pairs,
        one vertical bar per pixel column.
    """
    x0, x1, width = visible
    head = 0 if initial is None else 1
    if count + head <= EXACT_POINTS:
        y = np.asarray(values[:count], dtype=np.float64)
        if initial is not None:
            y = np.concatenate(([initial], y))
        return np.arange(len(y), dtype=np.float64) + (1 - head), y, True
    # The ticks near the view reach beyond each edge, so lines run off the sides of the plot.
    start, stop = ticks_near_view(visible, count)
    with_initial = initial is not None and x0 <= 0
    if stop - start <= POINTS_PER_PIXEL * width:
        y = np.asarray(values[start:stop], dtype=np.float64)
        x = np.arange(start, stop, dtype=np.float64) + 1
        exact = True
    else:
        # One bar per pixel column, each joined to the next: half the
        # lines of a min/max zigzag, and the same picture.
        x, y = joined_bars(*pyramid.columns(values, start, stop, max(int(width), 1)))
        x = x + 1
        short = (y[1::2] - y[0::2]) < MIN_BAR_PIXELS * pixel_height
        y[0::2][short] -= MIN_BAR_PIXELS * pixel_height / 2
        y[1::2][short] += MIN_BAR_PIXELS * pixel_height / 2
        exact = False
    if with_initial:
        # A bar of its own (as pairs) or the first point of the line.
        head_x, head_y = ([0.0], [initial]) if exact else ([0.0, 0.0], [initial, initial])
        x = np.concatenate((head_x, x))
        y = np.concatenate((head_y, y))
    return x, y, exact


def fitted_y_range(
    x: np.ndarray, y: np.ndarray, x0: float, x1: float, old: tuple[float, float]
) -> tuple[float, float] | None:
    """The y range for the points of a curve inside ``x0 … x1``, with padding; None to keep *old*.

    *x* is sorted (ticks, or envelope bar positions twice each). The range
    stays while it still fits well (the data inside it with half a padding to
    spare and filling at least :data:`Y_KEEP_SHARE` of it): a new range on
    every frame would redraw the axis on every frame for a change no one can
    see. With nothing visible the range stays too. A flat stretch gets a
    tenth of its value (at least 0.05) each side, so it is not drawn on the edge.
    """
    shown = y[np.searchsorted(x, x0, side="left") : np.searchsorted(x, x1, side="right")]
    shown = shown[np.isfinite(shown)]
    if not len(shown):
        return None
    low, high = float(shown.min()), float(shown.max())
    old_low, old_high = old
    span = high - low
    pad = span * Y_PADDING if span > 1e-12 * max(1.0, abs(high)) else max(abs(high) * 0.1, 0.05)
    if old_low <= low - pad / 2 and high + pad / 2 <= old_high and span >= Y_KEEP_SHARE * (old_high - old_low):
        return None
    if (low - pad, high + pad) == (old_low, old_high):
        return None
    return low - pad, high + pad


def signals_y_range(activation_range: tuple[float, float]) -> tuple[float, float]:
    """The signals' fixed y range: the bits 0 and 1 and the activation's whole range, with padding."""
    low, high = activation_range
    low, high = min(0.0, float(low)), max(1.0, float(high))
    pad = (high - low) * Y_PADDING
    return low - pad, high + pad


def ticks_near_view(visible: Visible, cursor: int) -> tuple[int, int]:
    """The ticks ``first … last−1`` whose points, markers and dots may be in view (tick t at x = t + 1).

    One tick more than in view each side, so a curve's lines run off the
    sides of the plot; never beyond the *cursor* ticks done.
    """
    x0, x1, _width = visible
    first = min(max(math.floor(x0) - 2, 0), cursor)
    last = max(min(math.ceil(x1) + 1, cursor), first)
    return first, last


def change_markers(
    values: np.ndarray, initial: float, first: int, last: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions and signs (+1, −1, 0) of the change markers of ticks ``first … last−1``.

    The marker of tick *t* sits on the point it produced, ``x = t + 1``. Its
    sign is that of the change in the stored weight, as the notation counts
    it: a computed change too small to move the float is a 0.
    """
    before = float(values[first - 1]) if first else initial
    y = np.asarray(values[first:last], dtype=np.float64)
    signs = change_signs(y, before)
    x = np.arange(first + 1, last + 1, dtype=np.float64)
    return x, y, signs


def crossings_in_view(index: NotationIndex, cursor: int, visible: Visible) -> tuple[np.ndarray, bool]:
    """The x of each crossing mark in view, and whether they are too dense to draw.

    The mark of tick *t* stands at ``t + 0.5``, so ticks ``⌈x0 − 0.5⌉ …
    ⌊x1 − 0.5⌋`` show. Marks closer on average than
    :data:`CROSSING_MIN_SPACING_PX` would paint the plot red and hide the
    curve: then none is returned, and *dense* is True.
    """
    x0, x1, width = visible
    first = max(math.ceil(x0 - 0.5), 0)
    last = min(math.floor(x1 - 0.5) + 1, cursor)
    marks = index.flip_ticks(max(last, first), first) + 0.5
    dense = len(marks) > width / CROSSING_MIN_SPACING_PX
    return (marks[:0] if dense else marks), dense


def notation_tooltip(index: NotationIndex, name: str, cursor: int) -> str:
    """The tooltip of a weight's notation after *cursor* ticks: the whole text, or its last few thousand characters."""
    text, omitted = index.tail(cursor, TOOLTIP_CHARS // 2)
    if len(text) > TOOLTIP_CHARS:
        text = text[len(text) - TOOLTIP_CHARS :]
        text = text[text.find(" ") + 1 :]
        omitted = 1
    if not text:
        return f"{name}: no ticks yet"
    total = index.token_count(cursor)
    heading = f"{name}: {total:,} token{'s' if total != 1 else ''}"
    if omitted:
        heading += ", the end shown"
        text = ELLIPSIS + text
    return heading + "\n" + textwrap.fill(text, 72, break_long_words=False, break_on_hyphens=False)


def legend_notes(markers_shown: bool, targets_shown: bool, crossings_dense: bool) -> list[str]:
    """The notes under the legend: what the plots leave out at this zoom, and how to see it.

    Target dots stay down to a closer spacing than the +/− markers, so the
    first note names them only once they are gone too.
    """
    notes = []
    if not markers_shown:
        hidden = f"+/{MINUS}" if targets_shown else f"+/{MINUS} and target"
        notes.append(f"zoom in to see each tick's {hidden}")
    if crossings_dense:
        notes.append("sign flips too dense to mark")
    return notes


def weights_shown(session: Session, stage: Stage | None, stage_tick: int | None) -> dict[str, float]:
    """Each weight as the diagram shows it: after the ticks done, or at the slow-motion stage shown.

    In slow motion the stage's tick is not done yet: the weights are those
    the diagram shows at the stage (:func:`rnnviz.present.diagram.stage_weights`).
    """
    if stage is not None and stage != Stage.UPDATE:
        tick = explain_session(session, stage_tick)
        if tick is not None:
            return {weight: float(value) for weight, value in zip(EDGES, stage_weights(tick, stage))}
    cursor = session.cursor
    history = session.history
    return {
        weight: float(history[weight][cursor - 1]) if cursor else float(session.params.init[i])
        for i, weight in enumerate(WEIGHTS)
    }


class SeriesCache:
    """The pyramids and notation indexes of one session's weights and signals, kept up to its cursor.

    Parameters
    ----------
    session
        The session whose history the caches follow. A different session
        handed to :meth:`sync` later (one loaded from a file) starts them over.
    weights, signals
        The history columns with a notation index and a pyramid (the weights),
        and those with a pyramid only (the signals drawn as curves).
    """

    def __init__(
        self,
        session: Session,
        weights: Sequence[str] = WEIGHTS,
        signals: Sequence[str] = SIGNAL_CURVES,
    ) -> None:
        self._seen_history = session.history
        self._seen_forgets = session.history.forgets
        self._cached = 0  # ticks every cache covers
        self.indexes: dict[str, NotationIndex] = {w: NotationIndex(0.0) for w in weights}
        self.pyramids: dict[str, MinMaxPyramid] = {name: MinMaxPyramid() for name in (*weights, *signals)}

    def sync(self, session: Session) -> None:
        """Bring the notation indexes and pyramids up to the session's cursor.

        Rows the history has forgotten since the last sync are dropped from the
        caches (``History.kept_since`` says how many are still valid), so an
        edit near the end of a long history costs only the ticks after it. A
        new start value forgets every tick, so it lands in the ``keep == 0`` case.
        """
        history = session.history
        cursor = session.cursor
        keep = min(self._cached, len(history))
        if history is not self._seen_history:  # another session was loaded
            keep, self._seen_history, self._seen_forgets = 0, history, history.forgets
        kept = history.kept_since(self._seen_forgets)
        if kept is not None:
            keep = min(keep, kept)
        self._seen_forgets = history.forgets
        if keep == 0:
            for weight, initial in zip(self.indexes, session.params.init):
                self.indexes[weight].clear(initial)
            for pyramid in self.pyramids.values():
                pyramid.clear()
            self._cached = 0
        elif keep < self._cached:
            for weight, index in self.indexes.items():
                index.truncate(keep, float(history[weight][keep - 1]))
            for pyramid in self.pyramids.values():
                pyramid.truncate(keep)
            self._cached = keep
        if cursor > self._cached:
            room = session.n_ticks  # the pyramids' size, known in advance
            for weight, index in self.indexes.items():
                index.sync(history[weight][:cursor])
            for name, pyramid in self.pyramids.items():
                pyramid.sync(history[name][:cursor], room)
            self._cached = cursor

    def points(
        self, session: Session, name: str, visible: Visible, pixel_height: float
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """The x, y to draw for series *name* up to the cursor (see :func:`series_points`).

        A weight starts with its initial value at ``x = 0``; a signal has none.
        """
        initial = None
        if name in self.indexes:
            initial = session.params.init[list(self.indexes).index(name)]
        return series_points(
            session.history[name], self.pyramids[name], session.cursor, initial, visible, pixel_height
        )

    def markers(
        self, session: Session, weight: str, first: int, last: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The change markers of *weight* for ticks ``first … last−1`` (see :func:`change_markers`)."""
        return change_markers(session.history[weight], self.indexes[weight].initial, first, last)

    def crossings(self, weight: str, cursor: int, visible: Visible) -> tuple[np.ndarray, bool] | None:
        """The crossing marks of *weight* in view (see :func:`crossings_in_view`).

        None while the caches have not caught up with *cursor* yet.
        """
        index = self.indexes[weight]
        if cursor > len(index):
            return None
        return crossings_in_view(index, cursor, visible)

    def tooltip(self, weight: str, cursor: int) -> str:
        """*weight*'s notation tooltip after *cursor* ticks (at most as many as cached)."""
        index = self.indexes[weight]
        return notation_tooltip(index, weight, min(cursor, len(index)))
