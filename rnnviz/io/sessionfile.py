"""Session files (``*.rnnviz.json``): a teaching session saved and opened again.

A file holds what it takes to rebuild a session exactly — the stream, the
parameters, which parameters computed which ticks, the cursor — and the play
speed, plus the lesson that was open and a caption, if any::

    {
      "format": "rnnviz-session",
      "version": 1,
      "sequence": "1^10 0^10",
      "params": {"eta": 5.0, "rule": "sequential", "activation": "sigmoid",
                 "gain": 1.0, "init": [0.0, 0.0, 0.0], "h0": 0.0, "learning": true},
      "param_log": [{"tick": 0, "params": {…}}, {"tick": 7, "params": {…}}],
      "cursor": 12,
      "speed": 10,
      "lesson": "03-ones-then-zeros",      (optional)
      "caption": "Watch ho now"            (optional)
    }

A file of another model kind (docs/architecture.md, "Adding a model kind")
has the same envelope and names its kind; what its run needs is the kind's
own ``run`` object, which this module checks only for shape and size and
the kind itself reads::

    {"format": "rnnviz-session", "version": 1, "model": "counter",
     "run": {…}, "speed": 10, "caption": "…" (optional)}

A file without ``model`` (every file so far) is a one-neuron session, and
so is one whose ``model`` is ``"neuron"``.

``sequence`` is text in the sequence language (docs/architecture.md,
'The sequence syntax'), so a file stays readable and a generator call stays
a call. ``params`` are the parameters in
use; ``param_log`` lists, for the ticks already done, the tick from which each
set of parameters applied (the first at tick 0). Opening a file recomputes
those ticks with those parameters, so every stored number equals the saved
session's bit for bit; when ``params`` differ from the log's last entry (a
file edited by hand) they take effect at the cursor, exactly as a change in
the app would.

Reading is strict: anything that is not exactly this shape gives an
:class:`~rnnviz.engine.errors.InputError` with one line naming the field at
fault, and nothing in a file is ever executed — the sequence text goes
through the sequence parser, numbers through range checks. Only a regular
file is read, and at most :data:`MAX_FILE_BYTES` of it (a named pipe would
wait for ever, ``/dev/zero`` never ends); a byte-order mark before the text
is skipped, as editors on Windows write one. Work stays bounded by the
file's size: a whole number longer than :data:`MAX_DIGITS` digits and a
``param_log`` longer than :data:`MAX_PARAM_LOG` entries are refused before
anything is computed from them. Writing goes to a temporary file first and
is renamed over the target only when complete.

No Qt here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.sequences import MAX_BITS, format_sequence, parse_sequence
from rnnviz.io.export import describe_os_error, replace_atomically
from rnnviz.io.reading import NotAFileError, decode_text, read_regular_file
from rnnviz.session import MAX_PARAM_SPANS, SPEEDS, Session, check_length

FORMAT: Final[str] = "rnnviz-session"
VERSION: Final[int] = 1
#: The name every session file ends with.
SUFFIX: Final[str] = ".rnnviz.json"
#: Larger files are refused before they are read: ten million random bits
#: written in the sequence language take about 10 MB.
MAX_FILE_BYTES: Final[int] = 64 * 1024 * 1024
#: The longest lesson key kept: a key is a lesson file's name without
#: ``.json`` (``03-streak-that-breaks``), far shorter than this.
MAX_LESSON_KEY: Final[int] = 200
#: The longest presenter's caption kept (the caption line of presentation
#: mode: a line on screen, not an essay). Not a lesson's captions, which a
#: lesson file bounds by ``rnnviz.io.lessons.MAX_CAPTION``.
MAX_PRESENTER_CAPTION: Final[int] = 2000
#: Most entries a ``param_log`` may have: one per change of the settings
#: that took effect, which a lesson makes a handful of times. Opening a file
#: replays every entry, so the bound keeps opening quick; it is the session's
#: own bound, so every session rnnviz can save, it can open.
MAX_PARAM_LOG: Final[int] = MAX_PARAM_SPANS
#: Longest whole number read, in digits. No field needs more (the longest
#: stream has ten million ticks); Python cannot even read one of more than
#: 4,300 digits, and converting long ones takes time that grows with the square
#: of their length.
MAX_DIGITS: Final[int] = 30

_PARAM_FIELDS: Final[tuple[str, ...]] = (
    "eta", "rule", "activation", "gain", "init", "h0", "learning",
)
_REQUIRED: Final[tuple[str, ...]] = (
    "format", "version", "sequence", "params", "param_log", "cursor", "speed",
)
_OPTIONAL: Final[tuple[str, ...]] = ("lesson", "caption", "model")
#: The model kind of a file without a ``model`` field: the one-neuron learner.
NEURON_MODEL: Final[str] = "neuron"
#: The longest model kind name a file may give.
MAX_MODEL_KEY: Final[int] = 40
_MODEL_REQUIRED: Final[tuple[str, ...]] = ("format", "version", "model", "run", "speed")


@dataclass(frozen=True)
class SessionFile:
    """What a session file holds, validated: a ready session and its extras.

    ``sequence`` is the text the stream was written as; ``lesson`` the key of
    the lesson that was open (``"03-ones-then-zeros"``), if any.
    """

    session: Session
    sequence: str
    speed: int
    lesson: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class ModelFile:
    """A session file of another model kind: its kind, its run's own data, speed and caption."""

    model: str
    run: dict[str, Any]
    speed: int
    caption: str | None = None


# -- writing ---------------------------------------------------------------------
def params_to_json(params: LearnerParams) -> dict[str, Any]:
    """*params* as a JSON object (floats written exactly, by repr)."""
    return {
        "eta": params.eta,
        "rule": params.rule,
        "activation": params.activation,
        "gain": params.gain,
        "init": list(params.init),
        "h0": params.h0,
        "learning": params.learning,
    }


def sequence_text(bits: np.ndarray, text: str | None = None) -> str:
    """Text for *bits*: *text* when it still describes them, else the bits compressed."""
    if text and text.strip():
        try:
            if np.array_equal(parse_sequence(text), bits):
                return text.strip()
        except InputError:
            pass
    return format_sequence(bits)


def session_to_json(
    session: Session,
    *,
    sequence: str | None = None,
    speed: int = 10,
    lesson: str | None = None,
    caption: str | None = None,
) -> dict[str, Any]:
    """The JSON object for *session*.

    Parameters
    ----------
    sequence
        How the stream was written (the stream box's text); used when it
        still describes the stream, otherwise the bits are written compressed.
    speed
        Play speed in ticks per second (0 for "max").
    lesson, caption
        The open lesson's key and a caption line, kept when given.
    """
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "sequence": sequence_text(np.asarray(session.bits), sequence),
        "params": params_to_json(session.params),
        "param_log": [
            {"tick": span.first_tick, "params": params_to_json(span.params)}
            for span in session.param_log
        ],
        "cursor": session.cursor,
        "speed": int(speed),
    }
    if lesson:
        data["lesson"] = lesson
    if caption:
        data["caption"] = caption
    return data


def dumps(session: Session, **extras: Any) -> str:
    """The text of a session file for *session* (see :func:`session_to_json`)."""
    return json.dumps(session_to_json(session, **extras), ensure_ascii=False, indent=1,
                      allow_nan=False) + "\n"


def model_to_json(model: str, run: Mapping[str, Any], *, speed: int = 10,
                  caption: str | None = None) -> dict[str, Any]:
    """The JSON object of a session file of the model kind *model* whose run is *run*."""
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION, "model": model,
                            "run": dict(run), "speed": int(speed)}
    if caption:
        data["caption"] = caption
    return data


def save_model(path: str | os.PathLike[str], model: str, run: Mapping[str, Any], *,
               speed: int = 10, caption: str | None = None) -> Path:
    """Write a session file of the model kind *model* atomically (see :func:`save`)."""
    path = Path(path)
    text = json.dumps(model_to_json(model, run, speed=speed, caption=caption), ensure_ascii=False,
                      indent=1, allow_nan=False) + "\n"
    replace_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8", newline="\n"))
    return path


def save(path: str | os.PathLike[str], session: Session, **extras: Any) -> Path:
    """Write *session* to *path* atomically and return the path.

    The text goes to a temporary file beside *path*, which replaces *path*
    only once it is complete: a full disk or a crash never leaves half a file
    where the user asked for one.

    Raises
    ------
    OSError
        If the folder cannot be written to.
    """
    path = Path(path)
    text = dumps(session, **extras)
    replace_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8", newline="\n"))
    return path


# -- reading ---------------------------------------------------------------------
def load(path: str | os.PathLike[str], *, speeds: Collection[int] = SPEEDS) -> SessionFile:
    """Read and validate the one-neuron session file at *path*.

    Parameters
    ----------
    speeds
        The play speeds offered (the app's by default); a file asking for
        another is refused.

    Raises
    ------
    InputError
        If the file cannot be read or is not a valid session file; the
        message is one line and names the field at fault.
    """
    return loads(_read_text(Path(path)), speeds=speeds)


def load_any(path: str | os.PathLike[str], *, speeds: Collection[int] = SPEEDS) -> SessionFile | ModelFile:
    """Read the session file at *path*, of any model kind (see :func:`load`)."""
    return loads_any(_read_text(Path(path)), speeds=speeds)


def _read_text(path: Path) -> str:
    """The text of the file at *path*, read safely (regular files only, bounded size)."""
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise InputError("the file does not exist") from None
    except IsADirectoryError:
        raise InputError("that is a folder, not a file") from None
    except NotAFileError as error:
        raise InputError(f"that is {error.kind}, not a file") from None
    except OSError as error:
        raise InputError(f"the file cannot be read: {describe_os_error(error)}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB, the most a "
                         "session file may be")
    try:
        return decode_text(raw)
    except UnicodeDecodeError as error:
        raise InputError(f"not a text file (byte {error.start + 1} is not UTF-8)") from None


def loads_any(text: str, *, speeds: Collection[int] = SPEEDS) -> SessionFile | ModelFile:
    """Validate the text of a session file of any model kind (see :func:`load_any`)."""
    data = _envelope(text)
    if _model(data) == NEURON_MODEL:
        return _session_file(data, speeds)
    _check_fields(data, _MODEL_REQUIRED, ("caption",), "the session")
    run = data["run"]
    if not isinstance(run, dict):
        raise InputError(f"'run' must be an object, not {_kind(run)}")
    return ModelFile(_model(data), run, _speed(data, speeds),
                     _optional_string(data, "caption", MAX_PRESENTER_CAPTION))


def loads(text: str, *, speeds: Collection[int] = SPEEDS) -> SessionFile:
    """Validate the text of a one-neuron session file and build its session (see :func:`load`)."""
    data = _envelope(text)
    model = _model(data)
    if model != NEURON_MODEL:
        raise InputError(f"this is a session of the {model!r} model, not of the one-neuron learner")
    return _session_file(data, speeds)


def _model(data: Mapping[str, object]) -> str:
    if "model" not in data:
        return NEURON_MODEL
    model = _string(data, "model", "model")
    if not model or len(model) > MAX_MODEL_KEY or not model.replace("-", "").isalnum():
        raise InputError(f"'model' must be a model kind's name (letters, digits, -), not {_show(model)}")
    return model


def _speed(data: Mapping[str, object], speeds: Collection[int]) -> int:
    speed = _whole(data, "speed", "speed")
    if speed not in speeds:
        offered = ", ".join("max (0)" if s == 0 else str(s) for s in sorted(speeds))
        raise InputError(f"'speed' is {speed}; the speeds offered are {offered} ticks/s")
    return speed


def _envelope(text: str) -> dict[str, Any]:
    """The top-level object of a session file, its format and version checked."""
    data = parse_json(text)
    if not isinstance(data, dict):
        raise InputError(f"not an rnnviz session file: the top level is {_kind(data)}, not an object")
    if data.get("format") != FORMAT:
        if "format" not in data:
            raise InputError("not an rnnviz session file: the field 'format' is missing")
        raise InputError(
            f"not an rnnviz session file: 'format' is {_show(data['format'])}, not {FORMAT!r}"
        )
    version = _whole(data, "version", "version")
    if version > VERSION:
        raise InputError(
            f"made by a newer rnnviz (session format version {version}; this rnnviz reads "
            f"version {VERSION}) — update rnnviz to open it"
        )
    if version < 1:
        raise InputError(f"'version' must be 1 or more, not {version}")
    return data


def _session_file(data: dict[str, Any], speeds: Collection[int]) -> SessionFile:
    """The one-neuron session *data* describes (format and version already checked)."""
    _check_fields(data, _REQUIRED, _OPTIONAL, "the session")

    sequence = _string(data, "sequence", "sequence")
    try:
        bits = parse_sequence(sequence, max_bits=MAX_BITS)
        check_length(bits.size)
    except InputError as error:
        raise InputError(f"'sequence': {error}") from None
    params = params_from_json(data["params"], "params")
    log_data = data["param_log"]
    if not isinstance(log_data, list):
        raise InputError(f"'param_log' must be a list, not {_kind(log_data)}")
    if not log_data:
        raise InputError("'param_log' is empty; it needs an entry for tick 0")
    # Counted before any entry is read: each costs a check and a replay.
    if len(log_data) > MAX_PARAM_LOG:
        raise InputError(
            f"'param_log' has {len(log_data):,} entries; a session file holds at most "
            f"{MAX_PARAM_LOG:,} (one per change of the settings)"
        )
    if len(log_data) > bits.size:
        raise InputError(
            f"'param_log' has {len(log_data):,} entries, more than the stream's "
            f"{bits.size - 1:,} ticks allow (at most one entry per tick, from tick 0)"
        )
    spans = []
    for index, entry in enumerate(log_data):
        where = f"param_log[{index}]"
        if not isinstance(entry, dict):
            raise InputError(f"'{where}' must be an object, not {_kind(entry)}")
        _check_fields(entry, ("tick", "params"), (), where)
        tick = _whole(entry, "tick", f"{where}.tick")
        spans.append((tick, params_from_json(entry["params"], f"{where}.params")))
    cursor = _whole(data, "cursor", "cursor")
    n_ticks = bits.size - 1
    if cursor > n_ticks:
        raise InputError(f"'cursor' is {cursor:,}, beyond the stream's {n_ticks:,} ticks")
    if cursor < 0:
        raise InputError(f"'cursor' must not be negative, not {cursor}")
    speed = _speed(data, speeds)
    lesson = _optional_string(data, "lesson", MAX_LESSON_KEY)
    caption = _optional_string(data, "caption", MAX_PRESENTER_CAPTION)

    try:
        session = Session.replay(bits, spans, cursor)
        if session.params != params:
            session.set_params(params)
    except InputError as error:
        raise InputError(f"'param_log': {error}") from None
    return SessionFile(session, sequence.strip(), speed, lesson, caption)


def parse_json(text: str) -> Any:
    """Strict JSON: no NaN or Infinity, no repeated keys; a truncated text says so."""

    def no_constants(name: str) -> Any:
        raise InputError(f"not valid JSON: {name} is not a number JSON allows")

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise InputError(f"the field {key!r} appears twice")
            result[key] = value
        return result

    def whole(digits: str) -> int:
        length = len(digits.lstrip("-"))
        if length > MAX_DIGITS:
            raise InputError(
                f"a number in the file has {length:,} digits ({digits[:12]}…); "
                f"no field takes more than {MAX_DIGITS}"
            )
        return int(digits)

    if not text.strip():
        raise InputError("the file is empty")
    try:
        return json.loads(
            text, parse_constant=no_constants, object_pairs_hook=unique, parse_int=whole
        )
    except json.JSONDecodeError as error:
        if _looks_truncated(text, error.pos):
            raise InputError(
                f"the file ends too early (line {error.lineno}): it looks truncated"
            ) from None
        raise InputError(
            f"not valid JSON: {error.msg.lower()} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply") from None


def _looks_truncated(text: str, error_at: int) -> bool:
    """True when parsing failed near the end with brackets or a string still open."""
    if len(text.rstrip()) - error_at > 40:
        return False
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth > 0 or in_string


def params_from_json(value: object, where: str, *, partial: bool = False) -> LearnerParams:
    """Learning parameters from a JSON object, strictly typed and range-checked.

    With *partial*, missing fields take their defaults (lesson files name
    only what differs); otherwise every field must be there.
    """
    if not isinstance(value, dict):
        raise InputError(f"'{where}' must be an object, not {_kind(value)}")
    required = () if partial else _PARAM_FIELDS
    _check_fields(value, required, _PARAM_FIELDS, where)
    fields: dict[str, Any] = {}
    for name in ("eta", "gain", "h0"):
        if name in value:
            fields[name] = _number(value, name, f"{where}.{name}")
    for name in ("rule", "activation"):
        if name in value:
            fields[name] = _string(value, name, f"{where}.{name}")
    if "learning" in value:
        if not isinstance(value["learning"], bool):
            raise InputError(
                f"'{where}.learning' must be true or false, not {_show(value['learning'])}"
            )
        fields["learning"] = value["learning"]
    if "init" in value:
        init = value["init"]
        if not isinstance(init, list) or len(init) != 3:
            raise InputError(
                f"'{where}.init' must be a list of three numbers (ih, hh, ho), not {_show(init)}"
            )
        fields["init"] = tuple(
            _number({"w": w}, "w", f"{where}.init[{i}]") for i, w in enumerate(init)
        )
    try:
        return LearnerParams(**fields)
    except InputError as error:
        raise InputError(f"'{where}': {error}") from None


# -- small checks -------------------------------------------------------------------
def _check_fields(
    data: Mapping[str, object], required: tuple[str, ...], optional: tuple[str, ...], where: str
) -> None:
    for name in required:
        if name not in data:
            raise InputError(f"{where} has no field {name!r}")
    known = set(required) | set(optional)
    for name in data:
        if name not in known:
            raise InputError(f"{where} has a field {name!r} this rnnviz does not know")


def _whole(data: Mapping[str, object], name: str, where: str) -> int:
    if name not in data:
        raise InputError(f"the field '{where}' is missing")
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"'{where}' must be a whole number, not {_show(value)}")
    return value


def _number(data: Mapping[str, object], name: str, where: str) -> float:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"'{where}' must be a number, not {_show(value)}")
    try:
        return float(value)
    except OverflowError:  # a whole number beyond the largest float (about 1.8e308)
        raise InputError(f"'{where}' is far too large a number") from None


def _string(data: Mapping[str, object], name: str, where: str) -> str:
    if name not in data:
        raise InputError(f"the field '{where}' is missing")
    value = data[name]
    if not isinstance(value, str):
        raise InputError(f"'{where}' must be text, not {_show(value)}")
    return value


def _optional_string(data: Mapping[str, object], name: str, limit: int) -> str | None:
    if name not in data or data[name] is None:
        return None
    value = _string(data, name, name)
    if len(value) > limit:
        raise InputError(f"'{name}' is {len(value):,} characters long; the limit is {limit:,}")
    return value


def _kind(value: object) -> str:
    return {
        dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number",
        float: "a number", type(None): "null",
    }.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    """*value* as a short JSON snippet for a message."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
