"""The network lab's lessons: guided tours of its presets, with captions per update and stage.

A lab lesson is one JSON file in ``resources/lab_lessons/``, named
``NN-key.json`` as the one-neuron lessons are (:mod:`rnnviz.io.lessons`,
whose name pattern, size limit and text checks this module shares); the
number orders the menu. Its fields::

    {
      "title": "The gradient vanishes",
      "summary": "one line for the menu's tooltip",
      "preset": "vanishing",                       (one of the lab's presets)
      "setup": {"radius": 2, "learning_rate": 0.5,  (optional, every field optional: the W_hh
                "window": null,                      knob's ρ(W_hh), then η, truncation k and
                "clipping": {"kind": "norm", "threshold": 1}},   clipping, all at update 0)
      "captions": [{"update": 0, "stage": 0, "text": "…"},
                   {"update": 1, "until": 5, "text": "…"}]
    }

A caption is about one place: *update* updates done (the lab's cursor) and,
with ``stage``, the backward sweep's stage there (0: the error enters at the
outputs; s: δ has flowed back s steps, up to the example's T); without
``stage``, the example shown whole. ``until`` (no ``stage`` then) stretches
it over the updates *update* … *until*. The numbers a caption quotes are
what the lab shows there, so it is shown there and nowhere else
(:meth:`LabCaption.describes`). Captions come in the order the lab reaches
their places (at one update: the whole example first, then the stages in
order) and do not overlap.

A malformed file gives one :class:`~rnnviz.io.lessons.LessonProblem`
naming the file and the field at fault; the other lessons still load.

No Qt here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.errors import InputError
from rnnviz.io.export import describe_os_error
from rnnviz.io.lessons import (
    MAX_CAPTION,
    MAX_LESSON_BYTES,
    MAX_TITLE,
    NAME_PATTERN,
    LessonProblem,
    _text,
)
from rnnviz.io.reading import NotAFileError, decode_text, read_regular_file
from rnnviz.io.sessionfile import parse_json
from rnnviz.resources import lab_lessons_dir
from rnnviz.runs.lab import LabSettings

__all__ = [
    "LabCaption",
    "LabLesson",
    "LessonProblem",
    "lab_lesson_from_json",
    "load_lab_lesson",
    "load_lab_lessons",
]

_FIELDS: Final[tuple[str, ...]] = ("title", "summary", "preset", "captions")
_OPTIONAL: Final[tuple[str, ...]] = ("setup",)
_SETUP_FIELDS: Final[tuple[str, ...]] = ("radius", "learning_rate", "window", "clipping")
_CAPTION_FIELDS: Final[frozenset[str]] = frozenset({"update", "stage", "until", "text"})


@dataclass(frozen=True)
class LabCaption:
    """A line about update *update* (and stage *stage* of its backward sweep, if given)."""

    update: int
    text: str
    #: The backward sweep's stage it is about; None: the example shown whole.
    stage: int | None = None
    #: The last update it describes (whole example only); None: its own update only.
    until: int | None = None

    @property
    def last(self) -> int:
        return self.update if self.until is None else self.until

    @property
    def place(self) -> tuple[int, int]:
        """Its first place in the order the lab reaches them: (update, stage or −1)."""
        return (self.update, -1 if self.stage is None else self.stage)

    def describes(self, cursor: int, stage: int | None) -> bool:
        """Whether it is about what the lab shows after *cursor* updates at *stage*."""
        if self.stage is not None:
            return cursor == self.update and stage == self.stage
        return stage is None and self.update <= cursor <= self.last


@dataclass(frozen=True)
class LabLesson:
    """One validated lab lesson."""

    key: str
    number: int
    title: str
    summary: str
    preset: str
    #: ρ(W_hh) the knob sets at update 0, or None.
    radius: float | None
    #: The settings that differ from the preset's (LabSettings field names).
    settings: dict[str, Any]
    captions: tuple[LabCaption, ...]

    def settings_from(self, preset_settings: LabSettings) -> LabSettings:
        """The lesson's settings: the preset's, with the lesson's own in their place."""
        return replace(preset_settings, **self.settings)

    def caption_on_screen(self, cursor: int, stage: int | None) -> LabCaption | None:
        """The caption about what the lab shows after *cursor* updates at *stage*, if any."""
        return next((c for c in self.captions if c.describes(cursor, stage)), None)

    def next_caption(self, cursor: int, stage: int | None) -> LabCaption | None:
        """The first caption whose place the lab reaches after this one, if any."""
        here = (cursor, -1 if stage is None else stage)
        return next((c for c in self.captions if c.place > here), None)


#: What a lesson is checked against, per preset key: (the run's updates, its examples' steps T).
Shapes = Mapping[str, tuple[int, int]]


def load_lab_lessons(shapes: Shapes, folder: Path | None = None) -> tuple[list[LabLesson], list[LessonProblem]]:
    """Every lab lesson in *folder* (default: the shipped ones), in menu order, and the problems.

    *shapes* names the presets a lesson may use (the caller knows them:
    ``io`` does not import ``tasks``) with their updates and steps.
    """
    folder = lab_lessons_dir() if folder is None else Path(folder)
    try:
        paths = sorted(path for path in folder.iterdir() if path.suffix == ".json")
    except OSError as error:
        return [], [LessonProblem(folder.name, f"the lab lessons folder cannot be read: "
                                               f"{error.strerror or error}")]
    lessons: list[LabLesson] = []
    problems: list[LessonProblem] = []
    for path in paths:
        try:
            lessons.append(load_lab_lesson(path, shapes))
        except InputError as error:
            problems.append(LessonProblem(path.name, str(error)))
        except Exception as error:  # noqa: BLE001 — one odd file must not cost the window
            problems.append(LessonProblem(path.name, f"could not be read ({type(error).__name__}: {error})"))
    lessons.sort(key=lambda lesson: (lesson.number, lesson.key))
    return lessons, problems


def load_lab_lesson(path: Path, shapes: Shapes) -> LabLesson:
    """Read and validate one lab lesson file; InputError (one line) names the field at fault."""
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
    return lab_lesson_from_json(parse_json(text), shapes, key=path.stem, number=int(match.group(1)))


def lab_lesson_from_json(data: Any, shapes: Shapes, *, key: str, number: int) -> LabLesson:
    """Validate the parsed JSON of a lab lesson (see the module docstring)."""
    if not isinstance(data, dict):
        raise InputError("a lab lesson must be a JSON object")
    for name in _FIELDS:
        if name not in data:
            raise InputError(f"the field {name!r} is missing")
    for name in data:
        if name not in _FIELDS + _OPTIONAL:
            raise InputError(f"unknown field {name!r}")
    title = _text(data, "title", MAX_TITLE)
    summary = _text(data, "summary", MAX_CAPTION)
    preset = data["preset"]
    if not isinstance(preset, str) or preset not in shapes:
        raise InputError(f"'preset' is {preset!r}; choose one of {', '.join(shapes)}")
    radius, settings = _setup(data.get("setup", {}))
    n_updates, steps = shapes[preset]
    captions = _captions(data["captions"], n_updates, steps)
    return LabLesson(key, number, title, summary, preset, radius, settings, captions)


def _setup(value: object) -> tuple[float | None, dict[str, Any]]:
    if not isinstance(value, dict):
        raise InputError("'setup' must be an object")
    for name in value:
        if name not in _SETUP_FIELDS:
            raise InputError(f"'setup' has an unknown field {name!r} (known: {', '.join(_SETUP_FIELDS)})")
    radius = value.get("radius")
    if radius is not None and (isinstance(radius, bool) or not isinstance(radius, (int, float))
                               or not math.isfinite(radius) or radius <= 0):
        raise InputError(f"'setup.radius' must be a number above 0, not {radius!r}")
    settings = {name: value[name] for name in _SETUP_FIELDS[1:] if name in value}
    clip = settings.get("clipping")
    try:
        if clip is not None:
            if not isinstance(clip, dict) or set(clip) != {"kind", "threshold"}:
                raise InputError("it has the fields kind and threshold")
            settings["clipping"] = Clipping(clip["kind"], clip["threshold"])
        rate = settings.get("learning_rate", 1.0)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise InputError(f"the learning rate must be a number, not {rate!r}")
        LabSettings(**{"learning_rate": 1.0, **settings})
    except InputError as error:
        raise InputError(f"'setup': {error}") from None
    return (None if radius is None else float(radius)), settings


def _captions(value: object, n_updates: int, steps: int) -> tuple[LabCaption, ...]:
    if not isinstance(value, list) or not value:
        raise InputError("'captions' must be a non-empty list of {\"update\", \"text\"} objects")
    captions: list[LabCaption] = []
    for index, entry in enumerate(value):
        where = f"captions[{index}]"
        if not isinstance(entry, dict) or not {"update", "text"} <= set(entry) <= _CAPTION_FIELDS \
                or {"stage", "until"} <= set(entry):
            raise InputError(f"'{where}' must be an object with 'update' and 'text', and "
                             "optionally 'stage' or 'until' (not both)")
        update = _whole(entry, "update", where, n_updates)
        stage = _whole(entry, "stage", where, steps) if "stage" in entry else None
        if stage is not None and update == n_updates:
            raise InputError(f"'{where}' has a stage at update {update}, the last: no update is "
                             "left there to take apart")
        until = _whole(entry, "until", where, n_updates) if "until" in entry else None
        if until is not None and until < update:
            raise InputError(f"'{where}.until' is {until}, before the caption's own update {update}")
        caption = LabCaption(update, _text(entry, "text", MAX_CAPTION, f"{where}.text"), stage, until)
        if captions and caption.place <= captions[-1].place:
            raise InputError(f"'{where}' comes before the caption ahead of it; captions must come "
                             "in the order the lab reaches them")
        if captions and caption.update <= captions[-1].last and captions[-1].until is not None:
            raise InputError(f"'captions[{index - 1}].until' is {captions[-1].last}, not before the "
                             f"next caption's update {caption.update}; captions must not overlap")
        captions.append(caption)
    return tuple(captions)


def _whole(entry: dict[str, Any], name: str, where: str, most: int) -> int:
    value = entry[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"'{where}.{name}' must be a whole number, not {value!r}")
    if not 0 <= value <= most:
        raise InputError(f"'{where}.{name}' is {value}, outside 0 … {most}")
    return value
