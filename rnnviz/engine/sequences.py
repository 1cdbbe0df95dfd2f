"""The sequence language: how a student writes down a stream of bits.

Grammar (separators — any whitespace, ``_`` and ``|`` — may appear anywhere
except inside a number or a name)::

    sequence := item*
    item     := atom [ "^" digits | superscript-digits ]
    atom     := "0" | "1" | "(" sequence ")" | name "(" arguments ")"

A repetition applies to the single atom just before it, so ``10^3`` is
``1000`` and ``(10)^3`` is ``101010``. Superscripts stand for ``^``
(``1¹⁰ 0¹⁰`` is ``1^10 0^10``) because that is how printed texts write it.
The generator names are the keys of :data:`GENERATORS`; their arguments are
positional or ``name=value``, e.g. ``random(100, p=0.3, seed=7)``.

Parsing happens in two passes. The first builds a small tree whose nodes know
their length without producing any bits, so an impossible request such as
``1^99999999999999`` is refused before a single byte is allocated. The second
expands the tree with whole-array numpy operations, never one Python step per
bit.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError

__all__ = [
    "GENERATORS", "MAX_BITS", "alternating", "bernoulli", "format_sequence",
    "markov", "parse_sequence", "periodic", "streak",
]

#: The longest sequence :func:`parse_sequence` builds unless told otherwise.
MAX_BITS: Final[int] = 10_000_000

# --------------------------------------------------------------------------- generators


def _show(value: object) -> str:
    # Numbers read best plainly (numpy 2 reprs them as ``np.float64(…)``);
    # anything else is quoted so an empty or odd string stays visible.
    if isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    return repr(value)


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _count(n: object, name: str = "n") -> int:
    if not _is_int(n) or n < 0:  # type: ignore[operator]
        raise InputError(f"{name} must be a whole number, 0 or more; got {_show(n)}")
    return int(n)  # type: ignore[call-overload]


def _bit(value: object, name: str) -> int:
    if not _is_int(value) or value not in (0, 1):
        raise InputError(f"{name} must be 0 or 1; got {_show(value)}")
    return int(value)  # type: ignore[call-overload]


def _probability(value: object, name: str) -> float:
    # ``not 0 <= p <= 1`` also holds for NaN, so NaN is refused here too.
    numeric = isinstance(value, (int, float, np.integer, np.floating))
    if isinstance(value, bool) or not numeric or not 0 <= value <= 1:  # type: ignore[operator]
        raise InputError(f"{name} must be a probability between 0 and 1; got {_show(value)}")
    return float(value)  # type: ignore[arg-type]


def _rng(seed: int | None) -> np.random.Generator:
    return np.random.default_rng(None if seed is None else _count(seed, "seed"))


def streak(bit: int, n: int) -> np.ndarray:
    """Return *n* copies of *bit* as a new 1-D ``uint8`` array.

    Parameters
    ----------
    bit : {0, 1}
        The repeated bit.
    n : int
        Number of bits, 0 or more.
    """
    return np.full(_count(n), _bit(bit, "bit"), dtype=np.uint8)


def alternating(n: int, start: int = 1) -> np.ndarray:
    """Return *n* alternating bits (``1010…`` or ``0101…``) as a new ``uint8`` array.

    Parameters
    ----------
    n : int
        Number of bits, 0 or more.
    start : {1, 0}
        The first bit.
    """
    start = _bit(start, "start")
    return ((np.arange(_count(n)) + start) & 1).astype(np.uint8)


def periodic(pattern: str | Sequence[int], n: int) -> np.ndarray:
    """Repeat *pattern* to *n* bits, cutting the last copy short; a new ``uint8`` array.

    Parameters
    ----------
    pattern : str or sequence of int
        A bit string such as ``"110"`` or a sequence such as ``[1, 1, 0]``.
    n : int
        Total number of bits, 0 or more.
    """
    if isinstance(pattern, str):
        ok = pattern != "" and set(pattern) <= {"0", "1"}
        values = [c == "1" for c in pattern] if ok else []
    else:
        ok = len(pattern) > 0 and all(_is_int(b) and b in (0, 1) for b in pattern)
        values = list(pattern) if ok else []
    if not ok:
        raise InputError(f"pattern must be a non-empty string of 0s and 1s; got {_show(pattern)}")
    n = _count(n)
    return np.tile(np.array(values, dtype=np.uint8), -(-n // len(values)))[:n]


def bernoulli(n: int, p: float = 0.5, seed: int | None = 0) -> np.ndarray:
    """Return *n* independent bits, each 1 with probability *p*; a new ``uint8`` array.

    Parameters
    ----------
    n : int
        Number of bits, 0 or more.
    p : float
        Probability of a 1.
    seed : int or None
        Seed for :func:`numpy.random.default_rng`; the same seed gives the
        same bits, ``None`` fresh ones.
    """
    n, p, rng = _count(n), _probability(p, "p"), _rng(seed)
    return (rng.random(n) < p).astype(np.uint8)


def markov(n: int, stay: float = 0.9, seed: int | None = 0, start: int = 1) -> np.ndarray:
    """Return *n* bits of a two-state Markov chain as a new ``uint8`` array.

    The first bit is *start*; every later bit repeats the one before it with
    probability *stay* and flips otherwise, so *stay* near 1 gives long runs
    and near 0 gives near-alternation.

    Parameters
    ----------
    n : int
        Number of bits, 0 or more.
    stay : float
        Probability that a bit equals its predecessor.
    seed : int or None
        Seed for :func:`numpy.random.default_rng`.
    start : {1, 0}
        The first bit.
    """
    n, stay, start = _count(n), _probability(stay, "stay"), _bit(start, "start")
    rng = _rng(seed)
    if n == 0:
        return np.zeros(0, dtype=np.uint8)
    # Bit t is start XOR (number of flips up to t): a running XOR over the
    # flip mask builds the whole chain in one vectorised pass.
    flips = np.empty(n, dtype=np.uint8)
    flips[0] = start
    flips[1:] = rng.random(n - 1) >= stay
    return np.bitwise_xor.accumulate(flips)


#: The generators callable from the sequence language, by language name.
#: Keyword arguments in the language use the Python parameter names.
GENERATORS: Final[dict[str, Callable[..., np.ndarray]]] = {
    "streak": streak,
    "alt": alternating,
    "periodic": periodic,
    "random": bernoulli,
    "markov": markov,
}

# How an argument's text becomes a value, by parameter name; the rest are ints.
_ARG_TYPES: Final[dict[str, tuple[Callable[[str], object], str]]] = {
    "p": (float, "a number"),
    "stay": (float, "a number"),
    "pattern": (str, "a bit string"),
}

# --------------------------------------------------------------------------- parser

_SEPARATORS: Final = re.compile(r"[\s_|]*")
_LITERAL: Final = re.compile(r"[01][01\s_|]*")
_DIGITS: Final = re.compile(r"[0-9]+")
_SUPERSCRIPT_DIGITS: Final[str] = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPTS: Final = re.compile(f"[{_SUPERSCRIPT_DIGITS}]+")
_NAME: Final = re.compile(r"[A-Za-z]+")
# Deeper nesting is surely a typo, and the limit keeps the recursive parser
# and expander far from Python's recursion limit.
_MAX_DEPTH: Final[int] = 100
# Every group, repeat and call becomes a node and a small array; millions of
# them (``(1)(1)(1)…``) would take minutes and gigabytes for a stream that is
# better written with ``^``. Runs of plain bits are one node however long.
MAX_ITEMS: Final[int] = 100_000


@dataclass(frozen=True, slots=True)
class _Literal:
    bits: np.ndarray

    @property
    def length(self) -> int:
        return int(self.bits.size)

    def expand(self) -> np.ndarray:
        return self.bits


@dataclass(frozen=True, slots=True)
class _Repeat:
    body: _Node
    count: int
    length: int

    def expand(self) -> np.ndarray:
        if self.length == 0:  # the body may be enormous when the count is 0
            return np.zeros(0, dtype=np.uint8)
        if self.body.length == 1:  # the common ``1^50``, without tile's overhead
            return np.full(self.count, self.body.expand()[0], dtype=np.uint8)
        return np.tile(self.body.expand(), self.count)


@dataclass(frozen=True, slots=True)
class _Group:
    items: tuple[_Node, ...]
    length: int

    def expand(self) -> np.ndarray:
        parts = [item.expand() for item in self.items if item.length]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)


@dataclass(frozen=True, slots=True)
class _Call:
    function: Callable[..., np.ndarray]
    arguments: dict[str, object]
    length: int

    def expand(self) -> np.ndarray:
        return self.function(**self.arguments)


_Node = _Literal | _Repeat | _Group | _Call


class _Parser:
    """Recursive-descent parser from text to a tree of nodes; makes no bits."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.items = 0

    def error(self, before: str, pos: int, after: str = "") -> InputError:
        where = f"position {pos + 1}"
        if "\n" in self.text:  # in a file a bare offset is hard to find
            line = self.text.count("\n", 0, pos) + 1
            column = pos - self.text.rfind("\n", 0, pos)
            where += f" (line {line}, column {column})"
        return InputError(f"{before} {where}{after}")

    def skip(self) -> None:
        self.pos = _SEPARATORS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def at_postfix(self) -> bool:
        self.skip()
        return self.pos < len(self.text) and self.text[self.pos] in "^" + _SUPERSCRIPT_DIGITS

    def group(self, opened: int | None, depth: int) -> _Group:
        """Parse items up to the ``)`` matching the ``(`` at *opened*, or to the end."""
        items: list[_Node] = []
        while True:
            self.skip()
            if self.pos == len(self.text):
                if opened is not None:
                    raise self.error("unmatched '(' at", opened, ": it is never closed")
                break
            if self.text[self.pos] == ")":
                if opened is None:
                    raise self.error("unmatched ')' at", self.pos, ": nothing opened it")
                self.pos += 1
                break
            self.item(items, depth)
        return _Group(tuple(items), sum(item.length for item in items))

    def item(self, items: list[_Node], depth: int) -> None:
        start, text = self.pos, self.text
        self.items += 1
        if self.items > MAX_ITEMS:
            raise self.error(
                f"too many groups, repeats and calls: the limit of {MAX_ITEMS:,} is passed at", start,
                "; write long stretches as plain bits or with ^",
            )
        if literal := _LITERAL.match(text, start):
            # UTF-8 multi-byte characters never contain the bytes of "0"/"1",
            # so filtering the encoded run drops every separator at numpy speed.
            raw = np.frombuffer(literal.group().encode(), dtype=np.uint8)
            values = raw[(raw == 48) | (raw == 49)] - np.uint8(48)
            self.pos = literal.end()
            atom: _Node = _Literal(values)
            if self.at_postfix():  # a repetition binds to the last bit only: 10^3 is 1000
                if values.size > 1:
                    items.append(_Literal(values[:-1]))
                atom = _Literal(values[-1:])
        elif text[start] == "(":
            if depth >= _MAX_DEPTH:
                raise self.error(f"brackets nested more than {_MAX_DEPTH} deep at", start)
            self.pos += 1
            atom = self.group(start, depth + 1)
            if not atom.items:
                raise self.error("empty brackets '()' at", start)
        elif name := _NAME.match(text, start):
            atom = self.call(name.group(), start, name.end())
        elif text[start] in "^" + _SUPERSCRIPT_DIGITS:
            raise self.error(f"{text[start]!r} at", start, " has nothing before it to repeat")
        else:
            raise self.error(f"unexpected character {text[start]!r} at", start)
        if self.at_postfix():
            atom = self.postfix(atom)
            if self.at_postfix():
                raise self.error("a second repetition at", self.pos, " needs brackets, e.g. (1^3)^2")
        items.append(atom)

    def postfix(self, atom: _Node) -> _Repeat:
        caret = self.pos
        if self.text[caret] == "^":
            self.pos += 1
            self.skip()
            digits = _DIGITS.match(self.text, self.pos)
            if digits is None:
                raise self.error("'^' at", caret, " must be followed by a number, e.g. 1^10")
            number = digits.group()
        else:
            digits = _SUPERSCRIPTS.match(self.text, caret)
            assert digits is not None  # at_postfix saw a superscript here
            number = digits.group().translate(str.maketrans(_SUPERSCRIPT_DIGITS, "0123456789"))
        self.pos = digits.end()
        try:
            count = int(number)
        except ValueError:  # Python refuses to convert integers of > 4300 digits
            raise self.error("the repeat count at", caret, " is absurdly large") from None
        return _Repeat(atom, count, atom.length * count)

    def call(self, name: str, start: int, after_name: int) -> _Call:
        text = self.text
        self.pos = after_name
        self.skip()
        function = GENERATORS.get(name.lower())
        if self.pos == len(text) or text[self.pos] != "(":
            if function is None:  # a stray letter, not an attempted call
                raise self.error(f"unexpected character {text[start]!r} at", start)
            raise self.error(f"{name} at", start, f" needs its arguments in brackets, e.g. {name}(10)")
        if function is None:
            known = ", ".join(sorted(GENERATORS))
            raise self.error(f"unknown generator {name!r} at", start, f"; known: {known}")
        opened = self.pos
        closed = text.find(")", opened)
        if closed < 0:
            raise self.error("unmatched '(' at", opened, ": it is never closed")
        if (inner := text.find("(", opened + 1, closed)) >= 0:
            raise self.error("unexpected character '(' at", inner)
        self.pos = closed + 1
        try:
            arguments = _arguments(function, text[opened + 1 : closed])
            length = _count(arguments["n"])
            # A dry run with n = 0 validates every other argument now, so the
            # error names this call's position and no bits are made yet.
            function(**{**arguments, "n": 0})
        except InputError as exc:
            raise self.error(f"{name}(…) at", start, f": {exc}") from None
        return _Call(function, arguments, length)


def _arguments(function: Callable[..., np.ndarray], inside: str) -> dict[str, object]:
    """Bind the comma-separated argument text of a call to *function*'s parameters."""
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for piece in inside.split(",") if inside.strip() else []:
        key, equals, value = (part.strip() for part in piece.partition("="))
        if not key or (equals and not value):
            raise InputError("an argument is empty")
        if equals:
            keywords[key] = value
        elif keywords:
            raise InputError(f"argument {key!r} without a name follows a named one")
        else:
            positional.append(key)
    try:
        bound = inspect.signature(function).bind(*positional, **keywords)
    except TypeError as exc:  # its messages ("missing a required argument: 'n'") read well
        raise InputError(str(exc)) from None
    values: dict[str, object] = {}
    for param, raw in bound.arguments.items():
        convert, kind = _ARG_TYPES.get(param, (int, "a whole number"))
        try:
            values[param] = convert(raw)
        except ValueError:
            raise InputError(f"{param} must be {kind}; got {raw!r}") from None
    return values


def parse_sequence(text: str, *, max_bits: int = MAX_BITS) -> np.ndarray:
    """Turn text in the sequence language into bits.

    Parameters
    ----------
    text : str
        For example ``"1^10 0^10"``, ``"((10)^3 1^4)^2"`` or
        ``"random(100, p=0.3, seed=7)"``; see the module docstring.
    max_bits : int
        Longest sequence accepted; checked before any bits are built.

    Returns
    -------
    numpy.ndarray
        A new 1-D ``uint8`` array of 0s and 1s.

    Raises
    ------
    InputError
        If the text is malformed, empty or too long, with a one-line message
        naming the problem and, where there is one, its 1-based position.
    """
    tree = _Parser(text).group(None, 0)
    if tree.length == 0:
        raise InputError("the sequence is empty")
    if tree.length > max_bits:
        size = f"{tree.length:,}" if tree.length < 10**30 else "more than 10^30"
        raise InputError(f"sequence has {size} bits; the limit is {max_bits:,}")
    return tree.expand()


# Runs at least this long are written ``b^n``; shorter ones read better plainly.
_MIN_RUN: Final[int] = 8


def format_sequence(bits: np.ndarray | Sequence[int], *, compress: bool = True) -> str:
    """Write bits in the sequence language; the inverse of :func:`parse_sequence`.

    Parameters
    ----------
    bits : array_like
        A 1-D sequence of 0s and 1s.
    compress : bool
        Write each run of eight or more equal bits as ``b^n`` and the bits
        between such runs plainly (``0110 1^10 0^12``). If false, return the
        plain bit string.

    Returns
    -------
    str
        Text that :func:`parse_sequence` turns back into *bits* (unless empty).
    """
    array = np.asarray(bits)
    if array.ndim != 1 or not np.isin(array, (0, 1)).all():
        raise InputError("only a one-dimensional sequence of 0s and 1s can be written")
    array = array.astype(np.uint8)
    plain = (array + np.uint8(48)).tobytes().decode("ascii")
    if not compress or array.size == 0:
        return plain
    starts = np.concatenate(([0], np.flatnonzero(np.diff(array)) + 1))
    lengths = np.diff(np.append(starts, array.size))
    # Only the long runs need Python-level work; random data has few of them.
    parts: list[str] = []
    cursor = 0
    for run in np.flatnonzero(lengths >= _MIN_RUN):
        start, length = int(starts[run]), int(lengths[run])
        if start > cursor:
            parts.append(plain[cursor:start])
        parts.append(f"{array[start]}^{length}")
        cursor = start + length
    if cursor < array.size:
        parts.append(plain[cursor:])
    return " ".join(parts)
