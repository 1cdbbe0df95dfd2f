"""The +/− notation of many runs' weights, kept as one byte per weight and tick.

The notation (:mod:`rnnviz.engine.notation`) needs, for each tick, the sign of
the weight's change and whether the change flips the weight's sign. While
the runs learn, those are worked out for a chunk of ticks of every run at
once, from the weights before and after each tick, and kept as one ``int8``
code per weight, tick and run (:data:`FLIPPED` added when the sign flips): three
bytes a learner-tick, a fraction of what computing the tick costs. A run's
tokens and text are made from its column of codes only when asked for, with
the very tokens :class:`~rnnviz.engine.notation.NotationBuilder` makes.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.notation import COMMA, format_tokens

#: Added to a change's sign (−1, 0, +1) when the change flips the weight's sign.
FLIPPED: Final[int] = 4


class SignCodes:
    """The codes of *ticks* ticks of R runs' three weights, filled chunk by chunk."""

    def __init__(self, ticks: int, count: int, chunk: int) -> None:
        self.codes = np.empty((ticks, len(WEIGHTS), count), dtype=np.int8)
        self.filled = 0
        # Scratch for a chunk of up to *chunk* ticks, made once: fresh megabyte-sized
        # temporaries every chunk would cost more than the comparisons themselves.
        shape = (chunk + 1, len(WEIGHTS), count)
        self._up, self._down = (np.empty(shape, dtype=bool) for _ in range(2))

    def extend(self, rows: np.ndarray) -> None:
        """Add a chunk: *rows* (n + 1, 3, R), the weights before and after each of n ticks."""
        before, after = rows[:-1], rows[1:]
        n = len(after)
        out = self.codes[self.filled : self.filled + n]
        up, down = self._up[: n + 1], self._down[: n + 1]
        np.greater(after, before, out=up[:n])
        np.less(after, before, out=down[:n])
        np.subtract(up[:n].view(np.int8), down[:n].view(np.int8), out=out)
        # A flip: before and after non-zero and of opposite signs. The sign bits
        # differ there, and also where a weight leaves or reaches 0 (or −0.0):
        # those few are checked one by one. Signs compared, never the floats
        # multiplied (which over- or underflow), as notation.sign_flips does.
        np.signbit(rows, out=up)
        np.not_equal(up[:-1], up[1:], out=down[:n])
        maybe = np.flatnonzero(down[:n])
        if len(maybe):
            flips = maybe[(before.reshape(-1)[maybe] != 0) & (after.reshape(-1)[maybe] != 0)]
            out.reshape(-1)[flips] += FLIPPED
        self.filled += n

    def tokens(self, run: int, weight: int) -> tuple[np.ndarray, np.ndarray]:
        """Run *run*'s tokens of weight number *weight*: codes (with commas) and lengths."""
        column = self.codes[: self.filled, weight, run]
        flips = column >= FLIPPED - 1
        signs = np.where(flips, column - FLIPPED, column).astype(np.int8)
        n = len(signs)
        if n == 0:
            return np.empty(0, np.int8), np.empty(0, np.int64)
        starts = np.empty(n, dtype=bool)
        starts[0] = True
        starts[1:] = (signs[1:] != signs[:-1]) | flips[1:]
        first = np.flatnonzero(starts)
        lengths = np.diff(np.append(first, n))
        comma_before = flips[first]
        count = len(first) + int(comma_before.sum())
        codes = np.empty(count, dtype=np.int8)
        out_lengths = np.ones(count, dtype=np.int64)
        position = np.arange(len(first)) + np.cumsum(comma_before)
        codes[position] = signs[first]
        out_lengths[position] = lengths
        codes[position[comma_before] - 1] = COMMA
        return codes, out_lengths


class ManyNotations:
    """Every run's notation of ih, hh, ho, from the codes of its block of runs."""

    def __init__(self, blocks: list[SignCodes], block_size: int) -> None:
        self.blocks = blocks
        self.block_size = block_size

    def tokens(self, run: int, weight: str) -> tuple[np.ndarray, np.ndarray]:
        """Run *run*'s tokens of *weight*: codes (commas as :data:`COMMA`) and lengths."""
        block, column = divmod(run, self.block_size)
        return self.blocks[block].tokens(column, WEIGHTS.index(weight))

    def texts(self, run: int, *, ascii: bool = False) -> dict[str, str]:
        """Run *run*'s notation of each weight, as :meth:`NotationBuilder.text` writes it."""
        out = {}
        for name in WEIGHTS:
            codes, lengths = self.tokens(run, name)
            out[name] = format_tokens(codes, lengths, ascii) if len(codes) else ""
        return out
