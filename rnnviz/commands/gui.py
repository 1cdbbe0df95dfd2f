"""``rnnviz gui`` (also bare ``rnnviz``) and ``rnnviz screenshot``.

Qt is imported only when one of these runs, so the headless commands start
fast and work on machines without a display.

A session file named on the command line is checked before any window (a
file that cannot be opened is one line on standard error, exit status 2, as
for every command). Opening it also replays every tick up to its cursor,
which for a session saved ten million ticks in takes a minute: a replay that
is still running after :data:`CHECK_BUDGET_S` is stopped once the file has
passed every check, and the window opens at once and reads the file as
File ▸ Open does, with progress and Cancel (:meth:`SessionFiles.open_loaded
<rnnviz.ui.files.SessionFiles.open_loaded>` given no contents).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Final

from rnnviz.commands.options import (
    DEFAULTS,
    add_learning_arguments,
    add_sequence_arguments,
    allow_negative_values,
    given_sequence_text,
    params_from_args,
)
from rnnviz.commands.paths import path_problem
from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.io import sessionfile
from rnnviz.session import DEFAULT_STREAM, Session
from rnnviz.ui.display import display_problem

#: Default size of ``rnnviz screenshot``: the window's own first size,
#: ``rnnviz.ui.mainwindow.DEFAULT_WINDOW_SIZE``, written out because this
#: module is imported without Qt (tests/test_ui_mainwindow.py checks the two agree).
SCREENSHOT_SIZE_TEXT: Final[str] = "1280x800"
#: The network lab's presets (rnnviz.tasks.lab_presets.PRESETS' keys), for --lab.
LAB_PRESETS: Final[tuple[str, ...]] = ("worked", "addition", "hello", "vanishing")
#: The model kinds ``--model`` shows on their first preset (the keys of
#: rnnviz.ui.workspaces' kinds with a ``new_adapter``; tests/test_ui_mainwindow.py checks).
MODEL_KEYS: Final[tuple[str, ...]] = ("lstm", "gru", "race")
#: Seconds a session file named on the command line may take to open before
#: the window shows; a longer replay is left to the window, with progress.
CHECK_BUDGET_S: Final[float] = 0.25


def add_parser(subparsers) -> None:
    gui = subparsers.add_parser(
        "gui",
        help="open the desktop app (also what plain 'rnnviz' does)",
        description="Open the desktop app. Without a stream or options it comes back with the "
        "stream and settings of last time; a stream or option given here is used instead, "
        "and a session file (SEQ ending in .rnnviz.json) is opened as saved.",
    )
    allow_negative_values(gui)
    add_sequence_arguments(gui)
    add_learning_arguments(gui)
    gui.set_defaults(func=run_gui)

    shot = subparsers.add_parser(
        "screenshot",
        help="render the window offscreen after N ticks and save it as a PNG",
        description="Render the main window offscreen (no display needed) after N ticks and "
        "write a PNG of exactly the given size, for documentation, slides and tests. "
        "Your saved settings are neither read nor changed.",
    )
    allow_negative_values(shot)
    shot.add_argument("out", metavar="OUT.png", help="where to write the picture")
    add_sequence_arguments(shot)
    shot.add_argument("--ticks", type=int, default=None, help="ticks to run first (default: to the end)")
    shot.add_argument("--size", default=SCREENSHOT_SIZE_TEXT,
                      help=f"WIDTHxHEIGHT in pixels (default {SCREENSHOT_SIZE_TEXT})")
    shot.add_argument("--presentation", action="store_true",
                      help="presentation mode: no menus or settings, text enlarged for the size")
    shot.add_argument("--phase", action="store_true",
                      help="show the phase plot (View ▸ Phase plot, F8) beside the weight plots")
    shot.add_argument("--sweep", action="store_true",
                      help="show the sweep over η (View ▸ Sweep over η, F7) beside the weight plots")
    shot.add_argument("--heatmap", action="store_true",
                      help="show the sweep view's heat map of η × a start weight (--sweep in its "
                      "second mode)")
    lab = shot.add_argument_group("network lab")
    lab.add_argument("--lab", metavar="PRESET", choices=LAB_PRESETS, default=None,
                     help="show the network lab (Model ▸ Elman network) on PRESET instead: "
                     f"{', '.join(LAB_PRESETS)}; --ticks then counts training updates (default 0)")
    lab.add_argument("--stage", type=int, default=None, metavar="S",
                     help="with --lab: show stage S of the backward sweep (0: the error enters "
                     "at the outputs; s: δ has flowed back s steps)")
    add_model_arguments(shot, "show")
    add_learning_arguments(shot)
    shot.set_defaults(func=run_screenshot)


def add_model_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """``--model KIND`` for ``rnnviz screenshot`` and ``rnnviz record``."""
    group = parser.add_argument_group("gated cells and the race")
    group.add_argument("--model", metavar="KIND", choices=MODEL_KEYS, default=None,
                       help=f"{verb} Model ▸ LSTM, GRU or the race on its first preset instead: "
                       f"{', '.join(MODEL_KEYS)}; --ticks then counts updates")


def run_gui(args: argparse.Namespace | None = None) -> int:
    """Open the window; a reason it cannot is also logged and, with no terminal, shown."""
    try:
        return _run_gui(args)
    except Exception as error:  # told here, then raised on for the command line's one line
        import traceback

        from rnnviz.ui.app import startup_failed

        if isinstance(error, InputError):
            startup_failed(str(error))
        elif not os.environ.get("RNNVIZ_DEBUG"):
            startup_failed(f"rnnviz hit an error it did not expect while starting: "
                           f"{type(error).__name__}: {error}", traceback.format_exc())
        raise


def _run_gui(args: argparse.Namespace | None) -> int:
    session = None
    restore = True
    text = None
    _refuse_paths(args, "a session file or a stream")
    session_file = _session_file(args)
    if session_file is not None:
        # Checked here, before any window: a bad file is one line on stderr.
        loaded = check_session_file(session_file)
        restore = False
    elif args is not None:
        _refuse_other_files(args)
        params = params_from_args(args)
        text = given_sequence_text(args)
        if text is not None or params != DEFAULTS:
            text = text if text is not None else DEFAULT_STREAM
            session = Session(text, params)
            restore = False
    problem = display_problem()
    if problem:
        raise InputError(problem)
    from rnnviz.ui.app import run_gui as start

    opened = None if session_file is None else (session_file, loaded)
    return start(session, restore_settings=restore, stream_text=text, opened=opened)


class _LeftToTheWindow(Cancelled):
    """The replay of a checked session file stopped, to be done again in the window."""


def check_session_file(
    path: str, *, clock: Callable[[], float] = time.monotonic, budget_s: float | None = None
) -> sessionfile.SessionFile | None:
    """Read and check the session file at *path* before any window opens.

    Parameters
    ----------
    path
        The file named on the command line.
    clock
        Seconds, rising (injectable for tests).
    budget_s
        How long opening may take here (default :data:`CHECK_BUDGET_S`).

    Returns
    -------
    SessionFile or None
        The opened file; or None when its replay was still running after
        *budget_s*: the file passed every check (they all come before the
        replay), and the window replays it with progress and Cancel.

    Raises
    ------
    InputError
        One line naming the file and what is wrong with it.
    """
    budget = CHECK_BUDGET_S if budget_s is None else budget_s
    started = clock()

    def on_progress(_done: int, _total: int) -> None:
        if clock() - started > budget:
            raise _LeftToTheWindow(f"replaying {path}")

    try:
        with progress.reporting(on_progress):
            return sessionfile.load(path)
    except InputError as error:
        raise InputError(f"cannot open {path}: {error}") from None
    except _LeftToTheWindow:
        return None


def _refuse_paths(args: argparse.Namespace | None, wanted: str) -> None:
    """A folder, or a missing file, given as SEQ is said to be one (one line, exit 2).

    ``~`` is expanded first: quoted, or from a desktop launcher, the shell did
    not. An existing file is left to the session-file check.
    """
    sequence = getattr(args, "sequence", None)
    if not sequence:
        return
    if sequence.startswith("~"):
        args.sequence = sequence = os.path.expanduser(sequence)  # type: ignore[union-attr]
    problem = path_problem(sequence, wanted, reads_files=args.func is run_gui)  # type: ignore[union-attr]
    if problem is not None:
        raise InputError(problem)


def _refuse_other_files(args: argparse.Namespace) -> None:
    """A file given as SEQ that is not a session file ("Open with rnnviz" on any file)
    is refused by name, not read as a stream with an odd character in it."""
    sequence = getattr(args, "sequence", None)
    if sequence and os.path.isfile(sequence):
        raise InputError(
            f"{sequence} is not an rnnviz session: rnnviz opens files saved with File ▸ Save "
            f"(*{sessionfile.SUFFIX}); to read a stream written in a text file, use --file"
        )


def _session_file(args: argparse.Namespace | None) -> str | None:
    """The session file named as SEQ (``rnnviz gui lecture.rnnviz.json``), if any."""
    sequence = getattr(args, "sequence", None)
    if sequence and sequence.lower().endswith(sessionfile.SUFFIX):
        return sequence
    return None


def run_screenshot(args: argparse.Namespace) -> int:
    from rnnviz.engine.sequences import parse_sequence
    from rnnviz.ui.app import lab_screenshot, model_screenshot, parse_size, screenshot

    size = parse_size(args.size)
    other = "--lab" if args.lab is not None else "--model" if args.model is not None else None
    if args.lab is not None and args.model is not None:
        raise InputError("--lab and --model each choose the window's model: give one of them")
    for flag, given in (("--phase", args.phase), ("--sweep", args.sweep), ("--heatmap", args.heatmap)):
        if given and other is not None:
            raise InputError(f"{flag} goes with the one-neuron window, not with {other}")
    if args.stage is not None and args.lab is None:
        raise InputError("--stage goes with --lab (the backward sweep of the network lab)")
    if other is not None:
        updates = 0 if args.ticks is None else args.ticks
        if args.lab is not None:
            out = lab_screenshot(args.out, args.lab, updates, size, stage=args.stage,
                                 presentation=args.presentation)
            what = f"the {args.lab} lab"
        else:
            out = model_screenshot(args.out, args.model, updates, size, presentation=args.presentation)
            what = f"--model {args.model}"
        print(f"wrote {out} ({size[0]}x{size[1]}, {what} after {updates:,} "
              f"update{'s' if updates != 1 else ''})")
        return 0
    _refuse_paths(args, "a stream")
    given = given_sequence_text(args)
    text = DEFAULT_STREAM if given is None else given  # "" is an empty stream, refused below
    bits = parse_sequence(text)
    params = params_from_args(args)
    ticks = len(bits) - 1 if args.ticks is None else args.ticks
    out = screenshot(args.out, bits, params, ticks, size, stream_text=text, phase=args.phase,
                     sweep="grid" if args.heatmap else "eta" if args.sweep else None,
                     presentation=args.presentation)
    print(f"wrote {out} ({size[0]}x{size[1]}, after {ticks:,} tick{'s' if ticks != 1 else ''})")
    return 0
