"""The +/− notation: a weight's whole history in a few symbols.

For a weight's values after each tick ``w1, w2, …`` (``w0`` its initial
value), each change ``w_i − w_{i−1}`` is ``+``, ``−`` or ``0``. Equal
consecutive signs form a run, written with its length as a superscript
(``+⁹``; a run of one has none). A ``,`` stands before the change that flips
the weight's sign (``w_{i−1}`` and ``w_i`` both non-zero, of opposite signs)
and splits the run it falls in. On ``1^10 0^10`` (η = 5, sequential rule) the
output weight reads ``+⁹ −⁵ , −⁵``; in ASCII ``+^9 -^5 , -^5``.
The same definition, with the other weights' readings, is in
docs/architecture.md, 'The +/− notation'.

Everything here is vectorised, and :class:`NotationBuilder` takes the values a
chunk at a time so that ten million ticks need not be held at once.
"""

from __future__ import annotations

from typing import Final

import numpy as np

MINUS: Final[str] = "\u2212"
_SUPERSCRIPTS: Final[dict[int, str]] = {ord(d): s for d, s in zip("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")}

# Token codes: the sign of a run (+1, −1, 0) or a comma.
COMMA: Final[int] = 2
_SYMBOLS: Final[dict[int, tuple[str, str]]] = {1: ("+", "+"), -1: (MINUS, "-"), 0: ("0", "0")}


def _with_previous(values: np.ndarray, initial: float) -> np.ndarray:
    return np.concatenate(([initial], values))


def change_signs(values: np.ndarray, initial: float) -> np.ndarray:
    """Sign (+1, −1, 0) of each change ``w_i − w_{i−1}``, as ``int8``."""
    values = np.asarray(values, dtype=np.float64)
    return np.sign(np.diff(_with_previous(values, initial))).astype(np.int8)


def sign_flips(values: np.ndarray, initial: float) -> np.ndarray:
    """True where the change at *i* flips the weight's sign (a zero-crossing)."""
    values = np.asarray(values, dtype=np.float64)
    previous = _with_previous(values, initial)[:-1]
    # Compare signs, not the product: a product of two huge weights
    # overflows and one of two tiny weights underflows to ±0.
    return np.sign(previous) * np.sign(values) < 0


def run_tokens(values: np.ndarray, initial: float) -> tuple[np.ndarray, np.ndarray]:
    """Run-length tokens of one chunk: codes (sign or :data:`COMMA`) and lengths."""
    signs = change_signs(values, initial)
    flips = sign_flips(values, initial)
    n = len(signs)
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    starts[1:] = (signs[1:] != signs[:-1]) | flips[1:]
    first = np.flatnonzero(starts)
    lengths = np.diff(np.append(first, n))
    codes = signs[first].astype(np.int8)
    comma_before = flips[first]
    count = len(first) + int(comma_before.sum())
    out_codes = np.empty(count, dtype=np.int8)
    out_lengths = np.ones(count, dtype=np.int32)  # a run is at most 10,000,000 long
    # Each run lands after the commas of the runs before it and its own.
    position = np.arange(len(first)) + np.cumsum(comma_before)
    out_codes[position] = codes
    out_lengths[position] = lengths
    out_codes[position[comma_before] - 1] = COMMA
    return out_codes, out_lengths


class NotationBuilder:
    """Builds the notation of one weight from its values, chunk by chunk.

    Parameters
    ----------
    initial
        The weight's value before the first tick.
    """

    #: Values gathered before they are turned into tokens: numpy's per-call
    #: overhead would dominate on the learner's small chunks.
    BLOCK: Final[int] = 1 << 16

    def __init__(self, initial: float) -> None:
        self._last_value = float(initial)
        self._pending: list[np.ndarray] = []
        self._pending_count = 0
        self._codes: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._last_sign: int | None = None

    def extend(self, values: np.ndarray) -> None:
        """Add the weight's values after each of the next ticks."""
        values = np.asarray(values, dtype=np.float64)
        if len(values) == 0:
            return
        self._pending.append(values)
        self._pending_count += len(values)
        if self._pending_count >= self.BLOCK:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        values = np.concatenate(self._pending)
        self._pending.clear()
        self._pending_count = 0
        codes, lengths = run_tokens(values, self._last_value)
        if self._last_sign is not None and codes[0] == self._last_sign:
            # The block's first run continues the previous block's last run.
            self._lengths[-1][-1] += lengths[0]
            codes, lengths = codes[1:], lengths[1:]
        if len(codes):
            self._codes.append(codes)
            self._lengths.append(lengths)
            self._last_sign = int(codes[-1])
        self._last_value = float(values[-1])

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        self._flush()
        if not self._codes:
            return np.empty(0, np.int8), np.empty(0, np.int32)
        return np.concatenate(self._codes), np.concatenate(self._lengths)

    def tokens(self) -> list[tuple[str, int]]:
        """``[(symbol, run length), …]`` with ``(",", 1)`` for a comma."""
        codes, lengths = self._arrays()
        return [
            ("," if c == COMMA else _SYMBOLS[c][0], n)
            for c, n in zip(codes.tolist(), lengths.tolist())
        ]

    def text(self, *, ascii: bool = False) -> str:
        """The notation as text, Unicode (default) or ASCII."""
        codes, lengths = self._arrays()
        # Ten million ticks can give twenty million tokens: format them a
        # block at a time so the temporaries stay small.
        block = 1 << 20
        parts = [
            format_tokens(codes[start : start + block], lengths[start : start + block], ascii)
            for start in range(0, len(codes), block)
        ]
        return " ".join(parts)


def format_tokens(codes: np.ndarray, lengths: np.ndarray, ascii: bool) -> str:
    """Tokens as text, joined by spaces.

    A random stream yields about one token per tick, so tokens are not
    formatted one by one: each is fetched as fixed-width UTF-8 bytes (its
    text, a space, NUL padding) from a table and the padding is dropped in one
    vectorised pass; only runs too long for the table are formatted singly.
    """
    table = _token_table(ascii)
    index = (codes.astype(np.intp) + 1) * _TABLE_RUNS + np.minimum(lengths, _TABLE_RUNS - 1)
    words = table[index]
    long_runs = np.flatnonzero(lengths >= _TABLE_RUNS - 1)
    if len(long_runs) == 0:
        return _drop_padding(words)[:-1]
    pieces = words.astype(object)
    for position in long_runs.tolist():
        pieces[position] = _token(int(codes[position]), int(lengths[position]), ascii).encode() + b" "
    return b"".join(pieces.tolist()).decode("utf-8")[:-1]


_TABLE_RUNS: Final[int] = 64
_TABLES: dict[bool, np.ndarray] = {}


def _drop_padding(words: np.ndarray) -> str:
    """Join fixed-width NUL-padded UTF-8 words into one string."""
    raw = words.view(np.uint8)
    return raw[raw != 0].tobytes().decode("utf-8")


def _token(code: int, length: int, ascii: bool) -> str:
    if code == COMMA:
        return ","
    symbol = _SYMBOLS[code][1 if ascii else 0]
    if length == 1:
        return symbol
    if ascii:
        return f"{symbol}^{length}"
    return symbol + str(length).translate(_SUPERSCRIPTS)


def _token_table(ascii: bool) -> np.ndarray:
    """UTF-8 of every token ``(code, length < _TABLE_RUNS)`` plus a space, as ``S12``.

    Indexed by ``(code + 1)·_TABLE_RUNS + length``.
    """
    if ascii not in _TABLES:
        words = [b""] * (4 * _TABLE_RUNS)
        for code in (-1, 0, 1, COMMA):
            for length in range(_TABLE_RUNS):
                text = _token(code, max(length, 1), ascii) + " "
                words[(code + 1) * _TABLE_RUNS + length] = text.encode("utf-8")
        _TABLES[ascii] = np.array(words, dtype="S12")
    return _TABLES[ascii]


def notation(values: np.ndarray, initial: float, *, ascii: bool = False) -> str:
    """The +/− notation of a weight's values after each tick.

    >>> notation([0.5, 1.0, 0.2, -0.1, -0.3], 0.0, ascii=True)
    '+^2 - , -^2'
    """
    builder = NotationBuilder(initial)
    builder.extend(np.asarray(values, dtype=np.float64))
    return builder.text(ascii=ascii)
