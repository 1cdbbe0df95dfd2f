"""Command-line options shared by every command that runs the learner.

``rnnviz trace`` uses them now; the desktop app's ``rnnviz gui [SEQ]`` and the
recording commands take the same ones, so a setting reads the same everywhere.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Final

import numpy as np

from rnnviz.engine.activations import ACTIVATIONS
from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import RULES, LearnerParams
from rnnviz.engine.sequences import parse_sequence
from rnnviz.commands.paths import path_problem
from rnnviz.io.export import describe_os_error
from rnnviz.io.reading import NotAFileError, decode_text, read_regular_file
from rnnviz.resources import example

DEFAULTS = LearnerParams()


def allow_negative_values(parser: argparse.ArgumentParser) -> None:
    """Let values such as ``-1,0,1`` or ``-1e-3`` follow an option or stand alone.

    argparse takes any word starting with ``-`` for an option unless it is a
    plain negative number (``-1``, ``-0.5``). Weights are often negative, so
    for a parser with no option spelled like a number, any word that starts
    with ``-`` and a digit is a value. (argparse offers no public switch for
    this; the attribute has been stable since Python 3.2.)
    """
    parser._negative_number_matcher = re.compile(r"^-\.?\d")  # type: ignore[attr-defined]


def add_sequence_arguments(parser: argparse.ArgumentParser) -> None:
    """SEQ, ``--file PATH|-`` and ``--example NAME`` (at most one of them)."""
    parser.add_argument(
        "sequence", metavar="SEQ", nargs="?",
        help='the bit stream, e.g. "1^10 0^10", "(10)^10" or "random(100, 0.5, seed=1)"',
    )
    parser.add_argument(
        "--file", metavar="PATH", help="read the stream from a text file ('-' reads standard input)"
    )
    parser.add_argument(
        "--example", metavar="NAME", help="one of the named streams of 'rnnviz examples'"
    )


def add_learning_arguments(parser: argparse.ArgumentParser) -> None:
    """η, rule, activation, gain, initial weights, h0 and learning on/off."""
    group = parser.add_argument_group("learning")
    group.add_argument(
        "--eta", type=float, default=DEFAULTS.eta, help=f"learning rate η ≥ 0 (default {DEFAULTS.eta:g})"
    )
    group.add_argument("--rule", default=DEFAULTS.rule, help=f"update rule: {' or '.join(RULES)} (default {DEFAULTS.rule})")
    group.add_argument(
        "--activation", default=DEFAULTS.activation,
        help=f"{', '.join(ACTIVATIONS)} for both neurons (default {DEFAULTS.activation})",
    )
    group.add_argument("--gain", type=float, default=DEFAULTS.gain, help="gain k in f(z) = base(k·z), above 0 (default 1)")
    group.add_argument(
        "--init", metavar="IH,HH,HO", default="0,0,0", help="initial weights (default 0,0,0)"
    )
    group.add_argument("--h0", type=float, default=DEFAULTS.h0, help="hidden value before tick 0 (default 0)")
    group.add_argument(
        "--no-learning", dest="learning", action="store_false", help="only predict; weights stay fixed"
    )


def parse_init(text: str) -> tuple[float, float, float]:
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 3:
        raise InputError(f"--init needs three numbers IH,HH,HO such as 0,0.5,-1; got {text!r}")
    return values  # type: ignore[return-value]


def params_from_args(args: argparse.Namespace) -> LearnerParams:
    """Validated learner parameters from the parsed options."""
    return LearnerParams(
        eta=args.eta,
        rule=args.rule,
        activation=args.activation,
        gain=args.gain,
        init=parse_init(args.init),
        h0=args.h0,
        learning=args.learning,
    )


def read_sequence_text(args: argparse.Namespace) -> str:
    """The stream's text, from SEQ, ``--file`` or ``--example``."""
    given = [name for name in ("sequence", "file", "example") if getattr(args, name) is not None]
    if len(given) > 1:
        raise InputError("give the stream once: as SEQ, with --file or with --example")
    if not given:
        raise InputError('no stream given: write one such as "1^10 0^10", or use --file or --example')
    if args.file is not None:
        return _read_text_file(args.file)
    if args.example is not None:
        return example(args.example)["sequence"]
    # A folder or a file named as SEQ is named as such, not parsed as bits.
    problem = path_problem(args.sequence, "a stream")
    if problem:
        raise InputError(problem)
    return args.sequence


def given_sequence_text(args: argparse.Namespace) -> str | None:
    """The stream's text when SEQ, ``--file`` or ``--example`` was given, else ``None``."""
    given = any(getattr(args, name, None) is not None for name in ("sequence", "file", "example"))
    return read_sequence_text(args) if given else None


#: The largest stream file read (``--file``): ten million bits with generous
#: separators. A session file has its own bound of the same size
#: (``rnnviz.io.sessionfile.MAX_FILE_BYTES``), which holds such a stream too.
MAX_STREAM_FILE_BYTES: Final[int] = 64 * 1024 * 1024


def _read_text_file(name: str) -> str:
    """A stream file's text (``-`` is standard input), refusing what is not one.

    A path must name a regular file: a named pipe would wait for a writer
    and a device such as ``/dev/zero`` never ends (see
    :mod:`rnnviz.io.reading`); a pipe's text is read with ``--file -``.
    """
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(MAX_STREAM_FILE_BYTES + 1)
        else:
            raw = read_regular_file(name, MAX_STREAM_FILE_BYTES)
    except FileNotFoundError:
        raise InputError(f"no such file: {name}") from None
    except IsADirectoryError:
        raise InputError(f"{name} is a folder, not a file") from None
    except NotAFileError as error:
        pipe = "; to read a stream from a pipe, use --file - (standard input)"
        raise InputError(
            f"{name} is {error.kind}, not a file" + (pipe if "pipe" in error.kind else "")
        ) from None
    except OSError as error:
        raise InputError(f"cannot read {name}: {describe_os_error(error)}") from None
    where = "standard input" if name == "-" else name
    if len(raw) > MAX_STREAM_FILE_BYTES:
        raise InputError(f"{where} holds more than {MAX_STREAM_FILE_BYTES // 2**20} MB; a stream file is smaller")
    try:
        # Windows editors write a byte-order mark (Notepad: UTF-8, PowerShell: UTF-16).
        return decode_text(raw)
    except UnicodeDecodeError:
        raise InputError(f"{where} is not a text file") from None


def read_sequence(args: argparse.Namespace) -> np.ndarray:
    """The stream as bits (validated: not empty, not over the limit)."""
    return parse_sequence(read_sequence_text(args))
