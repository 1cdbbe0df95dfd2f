"""The command line: ``rnnviz COMMAND …``, and ``rnnviz [SEQ] [options]`` for the window.

Every headless command lives in ``rnnviz.commands``; this module builds the
parser and is the one place that turns bad input into a one-line message on
standard error with exit status 2 — never a traceback, never half an output.

Without a command, rnnviz is the desktop app: ``rnnviz``, ``rnnviz "(10)^30"
--eta 2`` and ``rnnviz lecture.rnnviz.json`` are ``rnnviz gui …`` with the same
arguments. A command's name always wins (no stream is spelled like one: a
stream has no letters outside a generator call such as ``random(…)``), and a
bare word that is neither a command nor a file is reported as an unknown
command, not as a stream with an odd character in it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from rnnviz import __version__
from rnnviz.engine.errors import InputError


class UsageError(Exception):
    """argparse found the command line malformed."""


#: The command that runs when none is named.
DEFAULT_COMMAND = "gui"
#: Options of ``rnnviz`` itself; anything else before a command is the window's.
_OWN_OPTIONS = frozenset({"-h", "--help", "--version", "--self-test"})
#: A word a user may have meant as a command: letters, digits and dashes, no
#: parenthesis (so not a generator call), no path separator, no dot.
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

USAGE = (
    "rnnviz [-h] [--version] [--self-test]\n"
    "       rnnviz [SEQ | FILE.rnnviz.json] [options of rnnviz gui]\n"
    "       rnnviz COMMAND ..."
)


class _Parser(argparse.ArgumentParser):
    #: The commands' names (set on the top-level parser only).
    commands: list[str] = []

    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints the whole usage and exits; we want one line and
        # the same exit path as every other bad input.
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> _Parser:
    from rnnviz.commands import (
        bptt,
        examples,
        generate,
        gui,
        record,
        sweep,
        task,
        trace,
    )
    from rnnviz.commands.options import allow_negative_values

    parser = _Parser(
        prog="rnnviz",
        usage=USAGE,
        description="Watch the simplest interesting recurrent neural network learn, tick by tick.",
        epilog='Without a command, rnnviz opens the desktop app: on the stream and settings of '
        'last time, or on the stream given (rnnviz "(10)^30" --eta 2 is rnnviz gui "(10)^30" '
        "--eta 2), or on a saved session (rnnviz lecture.rnnviz.json). "
        'Example of a headless command: rnnviz trace "1^10 0^10" --notation',
    )
    parser.add_argument("--version", action="version", version=f"rnnviz {__version__}")
    parser.add_argument(
        "--self-test", action="store_true",
        help="check that this installation works (data files, Qt, the window, video "
        "recording) offscreen in a few seconds; exit status 0 when it does",
    )
    allow_negative_values(parser)
    # prog given: argparse would otherwise build the commands' names from the usage text.
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser,
                                       prog="rnnviz")
    for module in (gui, record, trace, generate, examples, bptt, task, sweep):
        module.add_parser(subparsers)
    parser.commands = list(subparsers.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _tolerate_narrow_encodings()
    parser = build_parser()
    # Commands check all of their input before they write a line, so a
    # refused command prints nothing on standard output; output then streams
    # (ten million CSV rows must not be held in memory first).
    try:
        args = parser.parse_args(with_default_command(argv, parser.commands))
        if args.self_test:
            if hasattr(args, "func"):
                raise UsageError("rnnviz: --self-test takes no command")
            from rnnviz import selftest

            return selftest.run()
        if not hasattr(args, "func"):
            from rnnviz.commands.gui import run_gui

            return run_gui()  # plain `rnnviz`: the desktop app
        if hasattr(args, "ascii") and not _can_encode(sys.stdout, "\u2212\u2079\u0177"):
            args.ascii = True  # e.g. a Windows console: write the notation as +^9 -^5
        from rnnviz.io.export import standard_output

        # A full disk or a closed reader is one plain line (InputError), for
        # every command: nothing is left for the interpreter's last flush.
        with standard_output():
            return args.func(args)
    except (InputError, UsageError) as error:
        print(f"rnnviz: {error}" if isinstance(error, InputError) else str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rnnviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `rnnviz trace … | head`): not an error.
        # Point stdout at /dev/null so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as error:  # a bug: say so in one line, keep the traceback for developers
        if os.environ.get("RNNVIZ_DEBUG"):
            raise
        print(
            f"rnnviz: internal error ({type(error).__name__}: {error}); "
            "run again with RNNVIZ_DEBUG=1 to see where, and please report it",
            file=sys.stderr,
        )
        return 1


def with_default_command(argv: list[str], commands: Sequence[str]) -> list[str]:
    """*argv* with ``gui`` put first when it names no command (``rnnviz SEQ [options]``).

    Kept as it is: an empty command line (plain ``rnnviz``, which opens the
    window with the settings of last time), a command's name, rnnviz's own
    options (``--help``, ``--version``, ``--self-test``). A bare word that is
    not a command and not a file on disk is an unknown command.

    Raises
    ------
    UsageError
        For an unknown command, naming the commands there are.
    """
    if not argv:
        return argv
    first = argv[0]
    if first in commands or first in _OWN_OPTIONS:
        return argv
    if _WORD.fullmatch(first) and not os.path.lexists(first):
        raise UsageError(
            f"rnnviz: {first!r} is not a command ({', '.join(commands)}), a stream or a file; "
            "see rnnviz --help"
        )
    return [DEFAULT_COMMAND, *argv]


def _tolerate_narrow_encodings() -> None:
    # Help texts and messages use η, ≥ and ŷ; a console that cannot show them
    # should get an escape, not a UnicodeEncodeError.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _can_encode(stream, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
