"""The gradient-flow heat map of the network lab, without Qt: training updates × steps back.

Every stored update of a :class:`~rnnviz.runs.lab.LabRun` keeps ‖δ_t‖ for each
step t of its example (:meth:`~rnnviz.runs.lab.LabRun.delta_norm_matrix`, shape
(stored, T)). The heat map puts the updates along x and the steps back from the
last step along y (0 = the last step, where the error of a last-step loss
enters; T − 1 = the first step), coloured by log10 ‖δ_t‖, so a student sees
how far back the gradient reaches while the network learns.

Downsampling
------------
A widget has at most a few thousand pixel columns, a run up to 100,000 stored
updates. The updates are cut into buckets of ``updates_per_column`` consecutive
updates — the smallest power of two that leaves at most *columns* buckets — and
each bucket is one image column holding, for each step, **the mean of log10
‖δ_t‖** over the bucket's updates: the geometric mean of the norms, the
average on the log scale the colours use. (The maximum of each bucket would
show only the largest norm; the plain mean of the norms is dominated by its
largest decade.) The last bucket may hold fewer updates.

Zeros and infinities
--------------------
log10 0 = −∞ and log10 ∞ = +∞ are kept: a bucket holding a zero norm has mean
−∞ (shown in the lowest colour), one holding an infinite norm +∞ (the
highest); one holding both is shown as +∞. :attr:`FlowHeatmap.log_range` spans
the finite values only, in whole decades.

Speed
-----
:func:`flow_heatmap` computes the map from scratch (O(stored · T)).
:class:`HeatmapCache` keeps each bucket's sum of logs and count and adds only
the updates stored since the last call, so following the training costs O(T)
per new update; when the buckets run out it merges neighbours in pairs
(O(columns · T), once per doubling). It starts again only when the run
forgets updates (:attr:`~rnnviz.runs.lab.LabRun.forgets`), the run or its steps
change, or the number of columns does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError

__all__ = ["MAX_DECADES", "FlowHeatmap", "HeatmapCache", "bucket_size", "flow_heatmap", "log_range"]

#: The colour scale spans at most this many decades below its top.
MAX_DECADES: Final[int] = 30


@dataclass(frozen=True)
class FlowHeatmap:
    """What the heat map paints.

    Attributes
    ----------
    image
        float64 (n_columns, T): ``image[c, s]`` is the mean of log10 ‖δ‖ over
        bucket c's updates at the step *s* steps back from the last (−∞ for a
        bucket with a zero norm, +∞ with an infinite one).
    log_range
        (low, high): whole decades holding every finite value of *image*,
        ``low < high``; the colour bar's ends.
    updates_per_column
        How many consecutive updates one column averages (a power of two).
    stored
        The updates the map holds (updates 1 … stored).
    steps
        T, the example's steps.
    has_zero, has_infinite
        Whether some column shows −∞ (a zero norm) or +∞ (an infinite one).
    """

    image: np.ndarray
    log_range: tuple[float, float]
    updates_per_column: int
    stored: int
    steps: int
    has_zero: bool
    has_infinite: bool

    @property
    def n_columns(self) -> int:
        return int(self.image.shape[0])

    def column_of(self, update: int) -> int:
        """The column that 0-based *update* (``0 ≤ update < stored``) falls in."""
        if not 0 <= update < self.stored:
            raise IndexError(f"no update {update}: the map holds {self.stored}")
        return int(update) // self.updates_per_column

    def columns_of(self, updates: np.ndarray) -> np.ndarray:
        """:meth:`column_of` for an array of 0-based updates."""
        return np.asarray(updates, dtype=np.int64) // self.updates_per_column

    def column_updates(self, column: int) -> tuple[int, int]:
        """The 0-based updates ``first … end − 1`` that *column* averages."""
        first = column * self.updates_per_column
        return first, min(first + self.updates_per_column, self.stored)


def bucket_size(stored: int, columns: int) -> int:
    """The smallest power of two b with ⌈stored / b⌉ ≤ *columns*."""
    if columns < 1:
        raise InputError(f"the heat map needs at least 1 column, not {columns}")
    size = 1
    while -(-stored // size) > columns:
        size *= 2
    return size


def log_range(image: np.ndarray) -> tuple[float, float]:
    """Whole decades (low, high) holding *image*'s finite values; (−1, 0) when it has none."""
    finite = image[np.isfinite(image)]
    if finite.size == 0:
        return (-1.0, 0.0)
    high = float(math.ceil(float(finite.max())))
    low = max(float(math.floor(float(finite.min()))), high - MAX_DECADES)
    if low >= high:
        low = high - 1.0
    return (low, high)


def _logs(rows: np.ndarray) -> np.ndarray:
    """log10 of norms, reversed to steps back; 0 → −∞, ∞ → +∞, NaN → +∞ (a blown-up norm)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(np.abs(rows[:, ::-1]))
    logs[np.isnan(logs)] = np.inf
    return logs


def _finish(sums: np.ndarray, counts: np.ndarray, size: int, stored: int, steps: int) -> FlowHeatmap:
    with np.errstate(invalid="ignore"):
        image = sums / counts[:, None]
    image[np.isnan(image)] = np.inf  # a bucket holding both −∞ and +∞
    return FlowHeatmap(image, log_range(image), size, stored, steps,
                       bool(np.isneginf(image).any()), bool(np.isposinf(image).any()))


def flow_heatmap(delta_norms: np.ndarray, columns: int) -> FlowHeatmap:
    """The heat map of *delta_norms* (stored, T) in at most *columns* columns (module docstring)."""
    norms = np.asarray(delta_norms, dtype=np.float64)
    if norms.ndim != 2:
        raise InputError("the δ norms must be a table (updates × steps)")
    stored, steps = norms.shape
    size = bucket_size(stored, int(columns))
    n = -(-stored // size)
    logs = _logs(norms)
    starts = np.arange(n) * size
    with np.errstate(invalid="ignore"):  # −∞ + ∞ in a bucket: NaN, shown as +∞
        sums = np.add.reduceat(logs, starts, axis=0) if n else np.zeros((0, steps))
    counts = np.minimum(starts + size, stored) - starts
    return _finish(sums, counts.astype(np.float64), size, stored, steps)


class HeatmapCache:
    """:func:`flow_heatmap` kept up to date cheaply while a run trains (module docstring)."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._sums = np.zeros((0, 0))
        self._counts = np.zeros(0)
        self._size = 1
        self._stored = 0
        self._columns = 1
        self._map: FlowHeatmap | None = None

    @property
    def columns(self) -> int:
        """The most columns of the map last made."""
        return self._columns

    def heatmap(self, delta_norms: np.ndarray, columns: int, key: object = None) -> FlowHeatmap:
        """The map of *delta_norms* (stored, T) in at most *columns* columns.

        *key* names the run and its history (such as ``(id(run), run.forgets)``):
        while it and the columns stay the same, rows already added are taken
        to be unchanged and only new rows are read.
        """
        norms = np.asarray(delta_norms, dtype=np.float64)
        if norms.ndim != 2:
            raise InputError("the δ norms must be a table (updates × steps)")
        stored, steps = norms.shape
        full_key = (key, int(columns), steps)
        if full_key != self._key or stored < self._stored:
            self._start(full_key, int(columns), steps)
        if stored != self._stored or self._map is None:
            self._add(norms[self._stored:stored])
            self._map = _finish(self._sums[: self._used()], self._counts[: self._used()],
                                self._size, self._stored, steps)
        return self._map

    def _start(self, key: tuple, columns: int, steps: int) -> None:
        bucket_size(0, columns)  # checks columns
        self._key = key
        self._columns = columns
        self._sums = np.zeros((columns, steps))
        self._counts = np.zeros(columns)
        self._size = 1
        self._stored = 0
        self._map = None

    def _used(self) -> int:
        return -(-self._stored // self._size)

    def _merge(self) -> None:
        """Double the bucket size: bucket k of the new size is old buckets 2k and 2k + 1."""
        used = self._used()
        pairs = -(-used // 2)
        sums = np.zeros_like(self._sums)
        counts = np.zeros_like(self._counts)
        padded = np.zeros((pairs * 2, self._sums.shape[1]))
        padded[:used] = self._sums[:used]
        with np.errstate(invalid="ignore"):
            sums[:pairs] = padded[0::2] + padded[1::2]
        padded_counts = np.zeros(pairs * 2)
        padded_counts[:used] = self._counts[:used]
        counts[:pairs] = padded_counts[0::2] + padded_counts[1::2]
        self._sums, self._counts = sums, counts
        self._size *= 2

    def _add(self, rows: np.ndarray) -> None:
        if rows.shape[0] == 0:
            return
        end = self._stored + rows.shape[0]
        while -(-end // self._size) > self._columns:
            self._merge()
        # The new rows fill buckets first … last in order: sum each bucket's run of rows at once.
        buckets = np.arange(self._stored, end) // self._size
        starts = np.flatnonzero(np.r_[True, buckets[1:] != buckets[:-1]])
        touched = buckets[starts]
        with np.errstate(invalid="ignore"):  # −∞ + ∞ in a bucket: NaN, shown as +∞
            self._sums[touched] += np.add.reduceat(_logs(rows), starts, axis=0)
        self._counts[touched] += np.diff(np.r_[starts, buckets.size])
        self._stored = end
