"""A record of every tick, kept in preallocated numpy columns.

The history is the backbone of stepping back and scrubbing: tick *t*'s row
holds what the network saw (``x``, ``target``), what it computed (``h``,
``yhat``, ``err``) and what it learned (the weights *after* the tick and the
deltas the tick applied). The state after *t* ticks can therefore be read
straight from row ``t − 1``; nothing is ever re-run from tick 0 to go back.

Columns grow by doubling, so appending a tick is amortised O(1) and never
copies the whole history (``np.append`` per tick would be quadratic); a
session, which knows its stream's length, reserves exactly that instead
(``reserve(…, exact=True)``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

#: Column names, in the order the CSV output uses.
COLUMNS: Final[tuple[str, ...]] = (
    "x", "target", "h", "yhat", "err", "ih", "hh", "ho", "d_ih", "d_hh", "d_ho",
)
WEIGHTS: Final[tuple[str, ...]] = ("ih", "hh", "ho")
DELTAS: Final[tuple[str, ...]] = ("d_ih", "d_hh", "d_ho")

# Inputs and targets are bits; everything the network computes is float64,
# so a tick costs 2 + 9·8 = 74 bytes.
_DTYPES: Final[dict[str, type]] = {
    name: (np.int8 if name in ("x", "target") else np.float64) for name in COLUMNS
}

_MIN_CAPACITY: Final[int] = 1024
#: Forgettings remembered for :meth:`History.kept_since`; readers ask about the last few.
_MAX_KEPT_LOG: Final[int] = 4096


def grown(
    array: np.ndarray, used: int, needed: int, minimum: int = 64, *, exact: bool = False
) -> np.ndarray:
    """*array* with room for *needed* items, its first *used* kept.

    The capacity doubles (from at least *minimum*) until it fits, so a
    column grown one tick at a time is copied only O(log n) times. With
    *exact* (the caller knows the final size, e.g. a stream's length) it is
    *needed*, or 1/8 more than now if that is larger: no doubling's unused
    half, and still few copies when the size creeps up bit by bit. Returns
    *array* itself when it is already large enough.
    """
    if needed <= len(array):
        return array
    if exact:
        capacity = max(needed, len(array) + len(array) // 8, minimum)
    else:
        capacity = max(len(array), minimum, 1)
        while capacity < needed:
            capacity *= 2
    bigger = np.zeros(capacity, array.dtype)
    bigger[:used] = array[:used]
    return bigger


@dataclass(frozen=True, slots=True)
class Tick:
    """One row of the history: tick ``t`` and what happened in it."""

    t: int
    x: int
    target: int
    h: float
    yhat: float
    err: float
    ih: float
    hh: float
    ho: float
    d_ih: float
    d_hh: float
    d_ho: float


class History(Mapping[str, np.ndarray]):
    """Per-tick columns of the one-neuron network, growing by doubling.

    ``history["ho"]`` is a read-only view of the used part of a column
    (length ``len(history)``); it stays valid until the next append or
    truncation. Mapping methods iterate over :data:`COLUMNS`.
    """

    def __init__(self, capacity: int = _MIN_CAPACITY) -> None:
        self._length = 0
        self._forgets = 0
        # The length each forgetting left, the latest last (a bounded log).
        self._kept: list[int] = []
        self._kept_offset = 0  # forgets counted before the first entry of _kept
        self._columns = {
            name: np.zeros(max(int(capacity), 1), dtype) for name, dtype in _DTYPES.items()
        }

    # -- Mapping protocol -------------------------------------------------
    def __getitem__(self, name: str) -> np.ndarray:
        view = self._columns[name][: self._length]
        view.flags.writeable = False
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(COLUMNS)

    def __len__(self) -> int:
        return self._length

    def __repr__(self) -> str:
        return f"<History {self._length} ticks, capacity {self.capacity}>"

    # -- size ---------------------------------------------------------------
    @property
    def capacity(self) -> int:
        """Rows allocated: at most twice the rows used (or the minimum) when grown
        by appending; what was reserved with ``exact``, however few are used."""
        return len(self._columns["x"])

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns, used or not."""
        return sum(column.nbytes for column in self._columns.values())

    def reserve(self, rows: int, *, exact: bool = False) -> None:
        """Make room for *rows* rows in total, doubling as often as needed
        (*exact*: about *rows*, for a final size known in advance; see :func:`grown`)."""
        for name, old in self._columns.items():
            self._columns[name] = grown(old, self._length, rows, exact=exact)

    # -- editing -------------------------------------------------------------
    def extend(self, columns: Mapping[str, np.ndarray | list]) -> None:
        """Append rows given as one array (or list) per column, all the same length."""
        lengths = {len(values) for values in columns.values()}
        if len(lengths) != 1 or set(columns) != set(COLUMNS):
            raise ValueError("extend() needs every column, all of one length")
        (count,) = lengths
        start = self._length
        self.reserve(start + count)
        for name, values in columns.items():
            self._columns[name][start : start + count] = values
        self._length = start + count

    @property
    def forgets(self) -> int:
        """How many times stored ticks were forgotten (by :meth:`truncate` or :meth:`clear`).

        A reader that caches per-tick data compares this number to know whether
        rows it has read may since have been rewritten; appending never changes it.
        """
        return self._forgets

    def kept_since(self, forgets: int) -> int | None:
        """The fewest ticks left standing by any forgetting after the first *forgets*.

        A reader that cached rows up to some length when :attr:`forgets` was
        *forgets* keeps its rows below the returned length and re-reads the
        rest; ``None`` means nothing was forgotten since, so every row it read
        is still as it was.
        """
        if forgets >= self._forgets:
            return None
        start = forgets - self._kept_offset
        if start < 0:  # older than the log remembers: assume everything changed
            return 0
        return min(self._kept[start:])

    def truncate(self, length: int) -> None:
        """Forget every tick from *length* on (a no-op if already shorter)."""
        if length < 0:
            raise ValueError("length must not be negative")
        if length < self._length:
            self._length = int(length)
            self._forgets += 1
            self._kept.append(self._length)
            if len(self._kept) > _MAX_KEPT_LOG:
                drop = len(self._kept) // 2
                del self._kept[:drop]
                self._kept_offset += drop

    def clear(self) -> None:
        self.truncate(0)

    # -- reading ---------------------------------------------------------------
    def tick(self, t: int) -> Tick:
        """Row *t* (negative counts from the end) as a :class:`Tick`."""
        if t < 0:
            t += self._length
        if not 0 <= t < self._length:
            raise IndexError(f"tick {t} is not in a history of {self._length} ticks")
        values = {name: self._columns[name][t].item() for name in COLUMNS}
        return Tick(t=t, **values)

    def weights_after(self, t: int) -> tuple[float, float, float]:
        """(ih, hh, ho) after tick *t*."""
        return tuple(self._columns[name][t].item() for name in WEIGHTS)  # type: ignore[return-value]
