"""Min/max envelopes of long series for drawing, from a multi-level pyramid.

A curve of a million ticks on a plot a thousand pixels wide shows, in each
pixel column, only the lowest and the highest value that fall in it. Drawing
that *envelope* (two points per column) looks the same as drawing every point
and costs a thousandth of it, provided the envelope itself is cheap. The
pyramid stores, for bins of ``2**L`` ticks (``L ≥ BASE_LEVEL``), the minimum
and maximum of each bin, so an envelope of any range at any zoom is a slice of
one level plus at most two partial bins computed from the raw values.

The pyramid summarises a prefix of a series it does not own (the history's
columns): :meth:`MinMaxPyramid.sync` extends it when the series grew, in time
proportional to the new values, and :meth:`MinMaxPyramid.truncate` forgets a
tail. NaN values are skipped where a bin has other values (``fmin``/``fmax``).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from rnnviz.engine.history import grown

#: Finest stored level: bins of 16 values. Finer envelopes are computed from
#: the raw values, which keeps the pyramid at 1/8 of the series' size.
BASE_LEVEL: Final[int] = 4
#: Cells of the pyramid per column at least, so that column edges fall within
#: an eighth of a column (a pixel) of where they belong.
CELLS_PER_COLUMN: Final[int] = 8

_MIN_CAPACITY: Final[int] = 64


def _bin_extrema(values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of each run of *size* values (a power of two dividing ``len(values)``).

    Pairwise halving, not ``reshape(-1, size).min(axis=1)``: numpy reduces a
    short inner axis row by row, about eight times slower. Integer series
    (bits) keep their type, so their levels take an eighth of the room.
    """
    values = np.asarray(values)
    mins = maxs = values if values.dtype.kind in "iub" else values.astype(np.float64)
    while size > 1:
        mins = np.fmin(mins[0::2], mins[1::2])
        maxs = np.fmax(maxs[0::2], maxs[1::2])
        size //= 2
    return mins, maxs


class MinMaxPyramid:
    """Bin minima and maxima of a growing series at every power-of-two bin size.

    Examples
    --------
    >>> values = np.arange(100.0)
    >>> pyramid = MinMaxPyramid()
    >>> pyramid.sync(values)
    >>> edges, mins, maxs = pyramid.columns(values, 0, 100, 4)
    >>> edges.tolist(), mins.tolist(), maxs.tolist()
    ([0, 25, 50, 75, 100], [0.0, 25.0, 50.0, 75.0], [24.0, 49.0, 74.0, 99.0])
    """

    def __init__(self) -> None:
        self._length = 0
        # _mins[i], _maxs[i]: level BASE_LEVEL + i, bins of 2**(BASE_LEVEL + i)
        # values; the first len(self) >> level entries are valid.
        self._mins: list[np.ndarray] = []
        self._maxs: list[np.ndarray] = []

    def __len__(self) -> int:
        """Values summarised."""
        return self._length

    def __repr__(self) -> str:
        return f"<MinMaxPyramid {self._length} values, {len(self._mins)} levels>"

    @property
    def nbytes(self) -> int:
        """Bytes held by the stored levels."""
        return sum(a.nbytes for a in self._mins) + sum(a.nbytes for a in self._maxs)

    def clear(self) -> None:
        """Forget every value (the memory is kept for the next sync)."""
        self._length = 0

    def truncate(self, length: int) -> None:
        """Forget every value from *length* on (a no-op if not longer).

        Complete bins before *length* stay valid; the bin *length* falls in is
        recomputed on the next :meth:`sync`.
        """
        self._length = min(self._length, max(int(length), 0))

    def sync(self, values: np.ndarray, room: int | None = None) -> None:
        """Summarise exactly the values of *values*.

        The first ``min(len(self), len(values))`` values must be those already
        summarised: call :meth:`clear` or :meth:`truncate` first when they may
        have changed. Cost: proportional to the values added. *room*, the
        length the series is expected to reach (a stream's ticks), sizes the
        levels for it at once instead of by doubling, which would leave up to
        half of them unused (2 bytes a value in all, instead of up to 4).
        """
        old, new = self._length, len(values)
        if new <= old:
            self._length = new
            return
        level, depth = BASE_LEVEL, 0
        while (new >> level) > 0:
            first, end = old >> level, new >> level
            if end > first:
                if depth == len(self._mins):
                    kind = values.dtype if values.dtype.kind in "iub" else np.float64
                    self._mins.append(np.empty(0, kind))
                    self._maxs.append(np.empty(0, kind))
                if depth == 0:
                    size = 1 << level
                    mins, maxs = _bin_extrema(values[first * size : end * size], size)
                else:
                    below_min, below_max = self._mins[depth - 1], self._maxs[depth - 1]
                    mins = np.fmin(below_min[2 * first : 2 * end : 2], below_min[2 * first + 1 : 2 * end : 2])
                    maxs = np.fmax(below_max[2 * first : 2 * end : 2], below_max[2 * first + 1 : 2 * end : 2])
                want = end if room is None else max(end, room >> level)
                exact = room is not None
                self._mins[depth] = grown(self._mins[depth], first, want, _MIN_CAPACITY, exact=exact)
                self._maxs[depth] = grown(self._maxs[depth], first, want, _MIN_CAPACITY, exact=exact)
                self._mins[depth][first:end] = mins
                self._maxs[depth][first:end] = maxs
            level += 1
            depth += 1
        self._length = new

    def _cells(
        self, values: np.ndarray, level: int, first: int, stop: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Extrema of the cells ``first, first + 1, …`` of ``2**level`` values up to *stop*.

        The last cell is cut at *stop* (no value at or after it counts). Whole
        cells come from the stored level when it is synced that far, from the
        raw values otherwise.
        """
        size = 1 << level
        full_end = stop >> level  # cells that end at or before `stop`
        if full_end > first:
            depth = level - BASE_LEVEL
            if 0 <= depth < len(self._mins) and (self._length >> level) >= full_end:
                mins = self._mins[depth][first:full_end]
                maxs = self._maxs[depth][first:full_end]
            else:
                mins, maxs = _bin_extrema(values[first * size : full_end * size], size)
        else:
            mins = maxs = np.empty(0)
        tail_start = max(full_end, first) * size
        if tail_start < stop:
            tail = np.asarray(values[tail_start:stop], dtype=np.float64)
            mins = np.append(mins, np.fmin.reduce(tail))
            maxs = np.append(maxs, np.fmax.reduce(tail))
        return mins, maxs

    def columns(
        self, values: np.ndarray, start: int, stop: int, count: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Split ``values[…:stop]`` from about *start* into *count* columns and give their extrema.

        Meant for one column per pixel: every value in range falls in exactly
        one column, and the columns are as equal as whole cells of the
        pyramid allow — a level with at least :data:`CELLS_PER_COLUMN` cells
        per column is used, so a column's edges are off by less than
        ``1 / CELLS_PER_COLUMN`` of its width (the first column may also start
        up to one cell before *start*); with fewer than
        ``CELLS_PER_COLUMN · 2**BASE_LEVEL`` values per column the raw values
        are split exactly. The cost is that of a few thousand cells (or of the
        raw values, then fewer than 128 per column), whatever the range.

        Parameters
        ----------
        values
            The series (synced with the pyramid for the fast path).
        start, stop
            The index range; *stop* is also the end of the data shown, so no
            value at or after it is read.
        count
            Columns wanted; fewer when the range holds fewer values.

        Returns
        -------
        edges, mins, maxs
            Column *j* holds ``values[edges[j]:edges[j + 1]]``; its smallest
            and largest value.
        """
        stop = min(int(stop), len(values))
        start = max(int(start), 0)
        if stop <= start or count < 1:
            return np.zeros(1, np.int64), np.empty(0), np.empty(0)
        span = stop - start
        level = max(0, math.floor(math.log2(max(span / (count * CELLS_PER_COLUMN), 1.0))))
        if level < BASE_LEVEL:
            # Fewer than 128 values a column: the raw values are the cells,
            # and the columns' edges are exact.
            level = 0
            cell_mins = cell_maxs = np.asarray(values[start:stop], dtype=np.float64)
        else:
            cell_mins, cell_maxs = self._cells(values, level, start >> level, stop)
        first = start >> level
        cells = len(cell_mins)
        count = min(count, cells)
        # Column j gets cells bounds[j] … bounds[j + 1] − 1 (strictly increasing
        # bounds, as there are at least as many cells as columns).
        bounds = (np.arange(count + 1, dtype=np.int64) * cells) // count
        mins = np.fmin.reduceat(cell_mins, bounds[:-1])
        maxs = np.fmax.reduceat(cell_maxs, bounds[:-1])
        edges = np.minimum((first + bounds) << level, stop)
        return edges, mins, maxs


def _interleave(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    out = np.empty(2 * len(first))
    out[0::2] = first
    out[1::2] = second
    return out


def joined_bars(
    edges: np.ndarray, mins: np.ndarray, maxs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One vertical bar per column of :meth:`MinMaxPyramid.columns`, each meeting its left neighbour.

    A zigzag through the columns' extrema would draw a long diagonal between
    every two bars; the bars alone (``connect="pairs"``) are half the lines to
    rasterise, and with a column per pixel they look the same. So that a
    steep but smooth curve still reads as one line, bar *i* reaches into bar
    *i − 1*'s range: the series passes from one column to the next, so the
    two ranges always touch in the data.

    Returns
    -------
    x, y
        Two points per bar (bottom, top) at the middle index of its column,
        for ``connect="pairs"``.
    """
    edges = np.asarray(edges)
    centres = (edges[:-1] + edges[1:] - 1) / 2
    low = np.asarray(mins, dtype=np.float64).copy()
    high = np.asarray(maxs, dtype=np.float64).copy()
    if len(low) > 1:
        low[1:] = np.fmin(low[1:], maxs[:-1])
        high[1:] = np.fmax(high[1:], mins[:-1])
    return np.repeat(np.asarray(centres, dtype=np.float64), 2), _interleave(low, high)
