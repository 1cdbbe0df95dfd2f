"""An incremental cache of a weight's +/− notation, cut at any tick.

The notation itself is defined in docs/architecture.md, 'The +/− notation'.

A view that shows the notation up to a cursor cannot afford to rebuild it from
a million ticks on every frame. :class:`NotationIndex` keeps the run-length
tokens of the ticks seen so far, together with the tick each token starts at,
and

* *extends* them when the history only grew (the new chunk's first run merges
  with the last one when the sign goes on and no zero-crossing intervenes);
* answers for any cut ``length ≤ len(index)`` without touching the values:
  the notation of a prefix is the prefix of the tokens, because whether a run
  starts at tick *i* depends only on ticks ``≤ i`` — the tokens that start
  before the cut are kept (a comma with the run it stands before) and the
  run the cut falls in ends at the cut;
* *truncates* cheaply when ticks after some point were forgotten.

The text it returns is identical to :func:`rnnviz.engine.notation.notation`
on the same values (the tests check it on random walks at many cuts).
"""

from __future__ import annotations

from typing import Final

import numpy as np

from rnnviz.engine.history import grown

from rnnviz.engine.notation import COMMA, format_tokens, run_tokens

_MIN_CAPACITY: Final[int] = 256
#: Ticks are stored as int32, like the run lengths of the notation module;
#: the engine's streams stop at 10,000,000 bits.
_TICK: Final[type] = np.int32
_MAX_TICKS: Final[int] = np.iinfo(np.int32).max


class NotationIndex:
    """The notation tokens of one weight, growing tick by tick, readable at any cut.

    Parameters
    ----------
    initial
        The weight's value before the first tick.

    Notes
    -----
    Tokens are stored as two parallel arrays: the code (+1, −1, 0 for a run,
    :data:`~rnnviz.engine.notation.COMMA` for a comma) and the tick the token
    starts at (a comma shares the start of the run it precedes). A run's
    length is where the next token starts (or the cut) minus its own start,
    so it needs no storage and a cut needs no clipping. Memory is 5 bytes per
    token, plus 4 per zero-crossing; a random stream gives about one token per
    tick.
    """

    def __init__(self, initial: float) -> None:
        self._initial = float(initial)
        self._codes = np.empty(0, np.int8)
        self._starts = np.empty(0, _TICK)
        self._flips = np.empty(0, _TICK)
        self._n_tokens = 0
        self._n_flips = 0
        self._length = 0
        self._last_value = self._initial

    # -- reading ------------------------------------------------------------
    @property
    def initial(self) -> float:
        """The weight before the first tick."""
        return self._initial

    @property
    def last_value(self) -> float:
        """The weight after the last indexed tick (the initial value if none).

        A caller can compare it with its own data to detect a history that was
        rewritten behind its back.
        """
        return self._last_value

    def __len__(self) -> int:
        """Ticks indexed."""
        return self._length

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays, used or not."""
        return self._codes.nbytes + self._starts.nbytes + self._flips.nbytes

    def __repr__(self) -> str:
        return f"<NotationIndex {self._length} ticks, {self._n_tokens} tokens>"

    def _cut(self, length: int | None) -> tuple[int, int]:
        """The cut in ticks and the number of tokens that start before it."""
        length = self._length if length is None else int(length)
        if not 0 <= length <= self._length:
            raise ValueError(f"cut {length} is outside the {self._length} ticks indexed")
        # A comma shares its run's start, so it is kept exactly when its run is.
        # The needle must have the array's dtype: a Python int would make
        # searchsorted convert the whole array first (milliseconds at 1M tokens).
        return length, int(np.searchsorted(self._starts[: self._n_tokens], _TICK(length), side="left"))

    def token_count(self, length: int | None = None) -> int:
        """Tokens (runs and commas) in the notation of the first *length* ticks."""
        return self._cut(length)[1]

    def text(self, length: int | None = None, *, ascii: bool = False) -> str:
        """The notation of the first *length* ticks (all indexed ticks by default).

        Equal to ``notation(values[:length], initial, ascii=ascii)``.
        """
        return self.tail(length, None, ascii=ascii)[0]

    def tail(
        self, length: int | None, max_tokens: int | None, *, ascii: bool = False
    ) -> tuple[str, int]:
        """The last *max_tokens* tokens of the notation of the first *length* ticks.

        Parameters
        ----------
        length
            The cut, in ticks (``None``: every indexed tick).
        max_tokens
            How many tokens to format at most, from the end (``None``: all).
        ascii
            ASCII form (``-`` and ``^n``) instead of Unicode.

        Returns
        -------
        text, omitted
            The text of the last tokens and how many tokens before them were
            left out (0 when *text* is the whole notation).
        """
        length, count = self._cut(length)
        if count == 0:
            return "", 0
        first = 0 if max_tokens is None else max(count - max(int(max_tokens), 1), 0)
        codes = self._codes[first:count]
        starts = self._starts[first:count]
        lengths = np.diff(starts, append=length)
        lengths[codes == COMMA] = 1
        return format_tokens(codes, lengths, ascii), first

    def flip_ticks(self, length: int | None = None, first: int = 0) -> np.ndarray:
        """Ticks *t* with ``first ≤ t < length`` whose change flips the weight's sign.

        These are the notation's commas: tick *t* (0-based) moves the weight
        from its value after *t* ticks to its value after *t + 1* ticks, and
        the two are non-zero with opposite signs. *length* defaults to every
        indexed tick; a narrow window costs only its own size.
        """
        length = self._length if length is None else int(length)
        flips = self._flips[: self._n_flips]
        low, high = np.searchsorted(flips, np.array((first, length), _TICK), side="left")
        return flips[low : max(low, high)].copy()

    # -- changing -------------------------------------------------------------
    def clear(self, initial: float | None = None) -> None:
        """Forget every tick (and take a new initial value when given)."""
        if initial is not None:
            self._initial = float(initial)
        self._n_tokens = self._n_flips = self._length = 0
        self._last_value = self._initial

    def truncate(self, length: int, last_value: float | None = None) -> None:
        """Forget every tick from *length* on (a no-op if not longer).

        Parameters
        ----------
        length
            Ticks to keep.
        last_value
            The weight after tick ``length − 1`` (needed for :attr:`last_value`
            and the next :meth:`extend`); :meth:`sync` passes it.
        """
        length = max(int(length), 0)
        if length >= self._length:
            return
        if length == 0:
            self.clear()
            return
        if last_value is None:
            raise ValueError("truncating needs the weight's value after the last tick kept")
        self._n_tokens = self._cut(length)[1]
        flips = self._flips[: self._n_flips]
        self._n_flips = int(np.searchsorted(flips, _TICK(length), side="left"))
        self._length = length
        self._last_value = float(last_value)

    def extend(self, values: np.ndarray) -> None:
        """Index the weight's values after each of the next ticks."""
        values = np.asarray(values, dtype=np.float64)
        if len(values) == 0:
            return
        if self._length + len(values) > _MAX_TICKS:
            raise ValueError(f"an index holds at most {_MAX_TICKS:,} ticks")
        codes, lengths = run_tokens(values, self._last_value)
        # Starts of the chunk's tokens: a comma shares the start of its run.
        run_lengths = np.where(codes == COMMA, 0, lengths)
        starts = self._length + np.concatenate(([0], np.cumsum(run_lengths[:-1])))
        if self._n_tokens and codes[0] == self._codes[self._n_tokens - 1]:
            # The chunk's first run continues the last one (same sign, no comma).
            codes, starts = codes[1:], starts[1:]
        self._append_tokens(codes, starts)
        flips = starts[codes == COMMA]
        end = self._n_flips + len(flips)
        self._flips = grown(self._flips, self._n_flips, end, _MIN_CAPACITY, exact=True)
        self._flips[self._n_flips : end] = flips
        self._n_flips = end
        self._length += len(values)
        self._last_value = float(values[-1])

    def _append_tokens(self, codes: np.ndarray, starts: np.ndarray) -> None:
        used, end = self._n_tokens, self._n_tokens + len(codes)
        self._codes = grown(self._codes, used, end, _MIN_CAPACITY, exact=True)
        self._starts = grown(self._starts, used, end, _MIN_CAPACITY, exact=True)
        self._codes[used:end] = codes
        self._starts[used:end] = starts
        self._n_tokens = end

    def sync(self, values: np.ndarray) -> None:
        """Make the index cover exactly the ticks of *values* (the weight after each tick).

        The first ``min(len(self), len(values))`` values must be those already
        indexed: call :meth:`clear` (or :meth:`truncate`) first when earlier
        ticks may have been rewritten. Cost: proportional to the ticks added.
        """
        n = len(values)
        if n < self._length:
            self.truncate(n, float(values[n - 1]) if n else None)
        elif n > self._length:
            self.extend(values[self._length :])
