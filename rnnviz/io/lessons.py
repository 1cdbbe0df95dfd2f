"""Lessons: guided replays of the seed's experiments, with captions per tick.

A lesson is one JSON file in ``resources/lessons/``, named ``NN-key.json``;
the number orders the Lessons menu. Its fields::

    {
      "title": "A streak of 1s",
      "summary": "one line for the menu's tooltip",
      "sequence": "1^10",                        (the sequence language)
      "params": {"eta": 5, "rule": "sequential"}, (optional; missing fields take defaults)
      "generator": {"ih": -1, "hh": 0, "ho": 1,   (optional: a hand-built network run
                    "gain": 10, "x0": 1, "h0": 0.5, "steps": 8},   freely to compare with)
      "captions": [{"tick": 0, "until": 8, "text": "…"}, {"tick": 9, "text": "…"}]
    }

``sequence`` is written in the sequence language (docs/architecture.md,
'The sequence syntax').

A caption describes the tick it is written for, or with ``until`` every
tick from ``tick`` to ``until``: the numbers it quotes must be what the
views show there, so it is shown there and nowhere else
(:meth:`Caption.describes`). Tick numbers count ticks done, as the cursor
does (0 … bits − 1). Captions come in rising order and do not overlap: a
caption's ``until`` lies before the next caption's ``tick``, and within the
stream. :meth:`Lesson.caption_at` is the last caption whose tick is ≤ the
cursor, whether or not it still describes it.

A malformed lesson gives a :class:`LessonProblem` naming the file and the
field at fault; the other lessons still load, and so does the window: a
lesson that fails in a way nobody foresaw is skipped with a line as well.
Lesson files are read as session files are (:mod:`rnnviz.io.reading`): only
regular files, at most :data:`MAX_LESSON_BYTES`, a byte-order mark skipped.

No Qt here.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Final

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.generator import FreeRun, free_run
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.sequences import parse_sequence
from rnnviz.io.export import describe_os_error
from rnnviz.io.reading import NotAFileError, decode_text, read_regular_file
from rnnviz.io.sessionfile import parse_json, params_from_json
from rnnviz.resources import lessons_dir
from rnnviz.session import Session, check_length

#: ``03-ones-then-zeros.json``: the number orders the menu, the rest is the key's tail.
NAME_PATTERN: Final[re.Pattern[str]] = re.compile(r"^(\d{1,3})-[a-z0-9][a-z0-9-]*\.json$")
#: Lesson files larger than this are refused unread.
MAX_LESSON_BYTES: Final[int] = 1024 * 1024
#: Longest stream a lesson may use: lessons are watched tick by tick.
MAX_LESSON_BITS: Final[int] = 100_000
MAX_TITLE: Final[int] = 80
MAX_CAPTION: Final[int] = 600
_FIELDS: Final[tuple[str, ...]] = ("title", "summary", "sequence", "captions")
_OPTIONAL: Final[tuple[str, ...]] = ("params", "generator")
_GENERATOR_FIELDS: Final[tuple[str, ...]] = ("ih", "hh", "ho", "gain", "x0", "h0", "steps")


@dataclass(frozen=True)
class Caption:
    """A line for the learner about tick *tick*, or about the ticks *tick* … *until*."""

    tick: int
    text: str
    #: The last tick the caption describes; ``None``: its own tick only.
    until: int | None = None

    @property
    def last(self) -> int:
        """The last tick the caption describes."""
        return self.tick if self.until is None else self.until

    def describes(self, cursor: int) -> bool:
        """Whether the caption is about what the views show after *cursor* ticks."""
        return self.tick <= cursor <= self.last


@dataclass(frozen=True)
class Lesson:
    """One validated lesson."""

    key: str
    number: int
    title: str
    summary: str
    sequence: str
    bits: np.ndarray = field(repr=False)
    params: LearnerParams
    captions: tuple[Caption, ...]
    #: The free-running network to compare with, if the lesson has one.
    generator: dict[str, float] | None = None

    @property
    def n_ticks(self) -> int:
        return len(self.bits) - 1

    def caption_at(self, cursor: int) -> Caption | None:
        """The caption shown after *cursor* ticks: the last one whose tick ≤ *cursor*."""
        index = bisect.bisect_right(self.captions, cursor, key=attrgetter("tick")) - 1
        return self.captions[index] if index >= 0 else None

    def session(self) -> Session:
        """A fresh session on the lesson's stream and parameters, at tick 0."""
        return Session(self.bits, self.params)

    def free_run(self) -> FreeRun | None:
        """What the lesson's hand-built generator produces, if it has one."""
        if self.generator is None:
            return None
        return free_run(**self.generator)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LessonProblem:
    """A lesson file that could not be used, and why (one line)."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


def load_lessons(folder: Path | None = None) -> tuple[list[Lesson], list[LessonProblem]]:
    """Every lesson in *folder* (default: the shipped ones), in menu order, and the problems.

    A malformed file is reported in the second list and skipped; a missing
    folder is one problem and no lessons.
    """
    folder = lessons_dir() if folder is None else Path(folder)
    try:
        paths = sorted(path for path in folder.iterdir() if path.suffix == ".json")
    except OSError as error:
        return [], [LessonProblem(folder.name, f"the lessons folder cannot be read: {error.strerror or error}")]
    lessons: list[Lesson] = []
    problems: list[LessonProblem] = []
    for path in paths:
        try:
            lessons.append(load_lesson(path))
        except InputError as error:
            problems.append(LessonProblem(path.name, str(error)))
        except Exception as error:  # noqa: BLE001 — one odd file must not cost the window
            problems.append(LessonProblem(
                path.name, f"could not be read ({type(error).__name__}: {error})"
            ))
    lessons.sort(key=lambda lesson: (lesson.number, lesson.key))
    return lessons, problems


def load_lesson(path: Path) -> Lesson:
    """Read and validate one lesson file.

    Raises
    ------
    InputError
        With a one-line message naming the field at fault.
    """
    match = NAME_PATTERN.match(path.name)
    if match is None:
        raise InputError("the name must look like 07-some-name.json (a number orders the menu)")
    try:
        raw = read_regular_file(path, MAX_LESSON_BYTES)
        if len(raw) > MAX_LESSON_BYTES:
            raise InputError(f"larger than {MAX_LESSON_BYTES // 1024} kB; a lesson is a few lines")
        text = decode_text(raw)
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file") from None
    except NotAFileError as error:
        raise InputError(f"{error.kind}, not a file") from None
    except IsADirectoryError:
        raise InputError("a folder, not a file") from None
    except OSError as error:
        raise InputError(f"cannot be read: {describe_os_error(error)}") from None
    return lesson_from_json(parse_json(text), key=path.stem, number=int(match.group(1)))


def lesson_from_json(data: Any, *, key: str, number: int) -> Lesson:
    """Validate the parsed JSON of a lesson (see the module docstring)."""
    if not isinstance(data, dict):
        raise InputError("a lesson must be a JSON object")
    for name in _FIELDS:
        if name not in data:
            raise InputError(f"the field {name!r} is missing")
    for name in data:
        if name not in _FIELDS + _OPTIONAL:
            raise InputError(f"unknown field {name!r}")
    title = _text(data, "title", MAX_TITLE)
    summary = _text(data, "summary", MAX_CAPTION)
    sequence = _text(data, "sequence", 10_000)
    try:
        bits = parse_sequence(sequence, max_bits=MAX_LESSON_BITS)
        check_length(bits.size)
    except InputError as error:
        raise InputError(f"'sequence': {error}") from None
    params = params_from_json(data.get("params", {}), "params", partial=True)
    generator = _generator(data["generator"]) if "generator" in data else None
    captions = _captions(data["captions"], len(bits) - 1)
    return Lesson(key, number, title, summary, sequence, bits, params, captions, generator)


def _text(data: dict[str, Any], name: str, limit: int, where: str | None = None) -> str:
    where = where or name
    value = data[name]
    if not isinstance(value, str):
        raise InputError(f"'{where}' must be text, not {type(value).__name__}")
    value = value.strip()
    if not value:
        raise InputError(f"'{where}' is empty")
    if len(value) > limit:
        raise InputError(f"'{where}' is {len(value)} characters long; the limit is {limit}")
    return value


def _captions(value: object, n_ticks: int) -> tuple[Caption, ...]:
    if not isinstance(value, list) or not value:
        raise InputError("'captions' must be a non-empty list of {\"tick\", \"text\"} objects")
    captions: list[Caption] = []
    for index, entry in enumerate(value):
        where = f"captions[{index}]"
        if not isinstance(entry, dict) or set(entry) not in ({"tick", "text"}, {"tick", "until", "text"}):
            raise InputError(
                f"'{where}' must be an object with 'tick' and 'text', and optionally 'until'"
            )
        tick = _tick(entry, "tick", where, n_ticks)
        if captions and tick <= captions[-1].tick:
            raise InputError(
                f"'{where}.tick' is {tick}; captions must come in rising tick order"
            )
        if captions and tick <= captions[-1].last:
            raise InputError(
                f"'captions[{index - 1}].until' is {captions[-1].last}, not before the next "
                f"caption's tick {tick}; captions must not overlap"
            )
        until = _tick(entry, "until", where, n_ticks) if "until" in entry else None
        if until is not None and until < tick:
            raise InputError(
                f"'{where}.until' is {until}, before the caption's own tick {tick}"
            )
        captions.append(Caption(tick, _text(entry, "text", MAX_CAPTION, f"{where}.text"), until))
    return tuple(captions)


def _tick(entry: dict[str, Any], name: str, where: str, n_ticks: int) -> int:
    """The whole number *entry[name]*, a tick of the stream (0 … *n_ticks*)."""
    value = entry[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"'{where}.{name}' must be a whole number, not {value!r}")
    if not 0 <= value <= n_ticks:
        raise InputError(
            f"'{where}.{name}' is {value}, outside the stream's ticks 0 … {n_ticks}"
        )
    return value


def _generator(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        raise InputError("'generator' must be an object")
    for name in value:
        if name not in _GENERATOR_FIELDS:
            raise InputError(f"'generator' has an unknown field {name!r}")
    arguments: dict[str, Any] = {}
    for name, raw in value.items():
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise InputError(f"'generator.{name}' must be a number, not {raw!r}")
        arguments[name] = raw
    steps = arguments.setdefault("steps", 8)
    if not isinstance(steps, int) or not 1 <= steps <= 1000:
        raise InputError(f"'generator.steps' must be a whole number from 1 to 1000, not {steps!r}")
    try:
        free_run(**{**arguments, "steps": 1})
    except InputError as error:
        raise InputError(f"'generator': {error}") from None
    return arguments

