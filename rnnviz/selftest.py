"""``rnnviz --self-test``: does this installation work? An answer in a few seconds, no display needed.

Made for the moment after unpacking a bundle or installing on a lab machine,
and for the bundle's smoke test. Each check prints one line, ``ok`` with what
it saw or ``FAILED`` with what is wrong in words a teacher can pass on; a
check that depends on a failed one is skipped, not run into a traceback.

1. *data files* — the example streams, every lesson and the icon load.
2. *Qt* — PySide6 and pyqtgraph import, the offscreen platform plugin is
   where Qt looks for it (a missing plugin would otherwise abort the process
   with Qt's own message), and there are fonts to draw text with.
3. *main window* — built offscreen at 1280×720, 200 ticks run through the
   window's adapter; the weights must equal a headless session's and the
   picture must not be blank.
4. *video* — a short MP4 rendered exactly as ``rnnviz record`` does, into a
   temporary folder, then decoded again: codec, size and frame count checked.
5. *display* — where there is a screen (DISPLAY or WAYLAND_DISPLAY), rnnviz is
   started once more on it, as a user starts it, and must paint its window
   (it closes at once). Skipped, not failed, without a screen: the checks
   above are all offscreen, so a missing xcb plugin or an unreachable X
   server shows only here.

If Qt has to stop the process (a platform plugin that is there but cannot
load), the failed check and the verdict are printed before it does.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from rnnviz import __version__
from rnnviz.engine.errors import InputError

#: Ticks the main window runs (the issue asks for 200).
TICKS = 200
#: A stream long enough for them: "1^10 0^10" eleven times is 220 bits.
STREAM = "(1^10 0^10)^11"
WINDOW_SIZE = (1280, 720)
#: The video: a few ticks at 10 frames/s, 10 ticks/s, a short hold.
VIDEO_SIZE = (1280, 720)
VIDEO_TICKS, VIDEO_FPS, VIDEO_HOLD_S = 8, 10.0, 0.2
#: A picture with fewer colours than this is blank (or nearly: a grey
#: window with no text, plots or diagram drawn has a handful).
MIN_COLOURS = 64
#: The same for each view alone: text and curves are antialiased, so a drawn
#: view has dozens of shades; an empty one has its background and a frame.
MIN_VIEW_COLOURS = 16
#: The views that must each show something, by the window's attribute.
VIEWS = {"tape": "tape", "network diagram": "diagram", "weight plots": "plots",
         "equation panel": "equations"}
#: How long rnnviz may take to paint on the screen (a cold start on a slow disk).
DISPLAY_TIMEOUT_S = 30.0


class CheckFailed(Exception):
    """A check saw something wrong; the message says what."""


class CheckSkipped(Exception):
    """A check cannot run here, which is not a fault (no screen for the display check)."""


@dataclass
class _Check:
    name: str
    run: Callable[[], str]
    needs: tuple[str, ...] = ()


def run(out: TextIO | None = None) -> int:
    """Run every check, print one line each and a verdict; 0 when all pass, else 1."""
    out = sys.stdout if out is None else out
    say = functools.partial(print, file=out, flush=True)
    desktop = dict(os.environ)  # for the display check: as the user would start rnnviz
    # Before Qt loads: the window is built offscreen whatever the desktop is.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    started = time.perf_counter()
    say(f"rnnviz {__version__} self-test ({_where()})")
    checks = [
        _Check("data files", _check_data_files),
        _Check("Qt", lambda: _check_qt(qt_stops)),
        _Check("main window", _check_main_window, needs=("data files", "Qt")),
        _Check("video", _check_video, needs=("main window",)),
        _Check("display", lambda: _check_display(desktop), needs=("main window",)),
    ]
    failed: list[str] = []
    running = checks[0]

    def qt_stops(message: str) -> None:
        """Qt is about to abort the process: the check running fails, and the verdict is said."""
        failed.append(running.name)
        say(f"  FAILED  {running.name}: Qt stopped the program: {message}")
        verdict()

    def verdict() -> int:
        took = time.perf_counter() - started
        if failed == ["display"]:
            say(f"self-test FAILED (display) in {took:.1f} s: rnnviz itself works; what stops "
                "its window is the desktop, as the line above says")
            return 1
        if failed:
            say(f"self-test FAILED ({', '.join(failed)}) in {took:.1f} s; "
                "reinstalling or unpacking the bundle again usually mends it")
            return 1
        say(f"self-test passed in {took:.1f} s")
        return 0

    for check in checks:
        running = check
        missing = [name for name in check.needs if name in failed]
        if missing:
            failed.append(check.name)
            say(f"  skipped {check.name}: needs {' and '.join(missing)}")
            continue
        began = time.perf_counter()
        try:
            seen = check.run()
        except CheckSkipped as why:
            say(f"  skipped {check.name}: {why}")
        except Exception as error:  # every failure becomes one line, never a traceback
            failed.append(check.name)
            say(f"  FAILED  {check.name}: {describe(error)}")
        else:
            took = time.perf_counter() - began
            say(f"  ok      {check.name}: {seen} ({took:.2f} s)")
    return verdict()


def describe(error: BaseException) -> str:
    """One line saying what *error* means for someone running rnnviz."""
    if isinstance(error, ModuleNotFoundError):
        return f"the Python module {error.name!r} is missing from this installation"
    if isinstance(error, ImportError):
        return f"a library did not load: {error}"
    if isinstance(error, (CheckFailed, InputError)):  # messages written for users
        return str(error)
    if isinstance(error, OSError):
        return f"{error.strerror} ({error.filename})" if error.filename else str(error)
    return f"{type(error).__name__}: {error}"


def _where() -> str:
    if getattr(sys, "frozen", False):
        return f"bundle in {Path(sys.executable).parent}"
    return f"Python {sys.version.split()[0]} at {sys.executable}"


# -- the checks ----------------------------------------------------------------------------------
def _check_data_files() -> str:
    from rnnviz.io.lessons import load_lessons
    from rnnviz.resources import examples, icon_files, lessons_dir, resources_dir

    n_examples = len(examples())
    lessons, problems = load_lessons()
    if problems:
        first = problems[0]
        raise CheckFailed(f"lesson {first.name} in {lessons_dir()} is broken: {first.message}")
    if not lessons:
        raise CheckFailed(f"no lessons in {lessons_dir()}")
    missing = [path.name for path in icon_files() if not path.is_file()]
    if missing:
        raise CheckFailed(f"icon files missing from {resources_dir() / 'icons'}: {', '.join(missing)}")
    return f"{n_examples} examples, {len(lessons)} lessons, icon, in {resources_dir()}"


def _check_qt(on_fatal: Callable[[str], object]) -> str:
    import PySide6
    import pyqtgraph
    from PySide6.QtCore import QCoreApplication, QLibraryInfo
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        from rnnviz.ui.app import install_qt_message_handler

        install_qt_message_handler(lambda line: on_fatal(line.splitlines()[0]))
        folders = [Path(p) for p in QCoreApplication.libraryPaths()]
        folders += [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
        folders = list(dict.fromkeys(folders))
        if not any(any((folder / "platforms").glob("*qoffscreen*")) for folder in folders):
            raise CheckFailed(
                "Qt's offscreen platform plugin is missing (looked in "
                + ", ".join(str(folder / "platforms") for folder in folders) + ")"
            )
    from PySide6.QtGui import QFontDatabase

    # A bare application: rnnviz's own (application()) loads the icon from the
    # data files, which are checked on their own.
    if QApplication.instance() is None:
        QApplication(["rnnviz"])
    families = QFontDatabase.families()
    if not families:
        raise CheckFailed("Qt finds no fonts, so no text would show; install a font package "
                          "(e.g. fonts-dejavu-core) or fontconfig")
    qt = QLibraryInfo.version().toString()
    return (f"PySide6 {PySide6.__version__} (Qt {qt}), pyqtgraph {pyqtgraph.__version__}, "
            f"{len(families)} font families")


def _check_main_window() -> str:
    from PySide6.QtWidgets import QApplication

    from rnnviz.engine.learner import LearnerParams
    from rnnviz.session import Session
    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.app import offscreen_window
    from rnnviz.ui.recording import grab_window

    adapter = SessionAdapter(Session(STREAM, LearnerParams()))
    window = offscreen_window(adapter, WINDOW_SIZE, stream_text=STREAM)
    try:
        adapter.step(TICKS)
        QApplication.processEvents()
        frame = grab_window(window, WINDOW_SIZE)
        session = adapter.session
        if session.cursor != TICKS:
            raise CheckFailed(f"the window stopped at tick {session.cursor}, not {TICKS}")
        expected = Session(STREAM, LearnerParams())
        expected.step(TICKS)
        shown, wanted = session.state, expected.state
        if shown != wanted:
            raise CheckFailed(f"the window's weights after {TICKS} ticks differ from a headless "
                              f"run's: {_weights(shown)} instead of {_weights(wanted)}")
        views = {name: _area(getattr(window, attribute), window)
                 for name, attribute in VIEWS.items()}
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
    colours = _colours(frame)
    if frame.shape[:2] != (WINDOW_SIZE[1], WINDOW_SIZE[0]) or colours < MIN_COLOURS:
        raise CheckFailed(f"the window's picture is blank ({colours} colours in "
                          f"{frame.shape[1]}x{frame.shape[0]}): nothing was drawn")
    for name, (left, top, width, height) in views.items():
        drawn = _colours(frame[top : top + height, left : left + width])
        if drawn < MIN_VIEW_COLOURS:
            raise CheckFailed(f"the {name} is blank ({drawn} colours in its {width}x{height} "
                              "pixels): it was not drawn")
    return (f"{WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}, {TICKS} ticks ({_weights(shown)}), "
            f"{colours:,} colours")


def _area(widget, window) -> tuple[int, int, int, int]:
    """*widget*'s left, top, width and height in *window*'s pixels."""
    corner = widget.mapTo(window, widget.rect().topLeft())
    return corner.x(), corner.y(), widget.width(), widget.height()


def _colours(pixels) -> int:
    """How many different colours an RGB picture has."""
    import numpy as np

    packed = pixels.reshape(-1, 3).astype(np.uint32) @ np.array([1 << 16, 1 << 8, 1], np.uint32)
    return len(np.unique(packed))


def _check_display(environment: dict[str, str]) -> str:
    """Start rnnviz on the user's screen and wait for its first paint."""
    import subprocess

    screen = environment.get("WAYLAND_DISPLAY") or environment.get("DISPLAY")
    platform = environment.get("QT_QPA_PLATFORM", "")
    if not screen or platform in ("offscreen", "minimal"):
        raise CheckSkipped("no screen here (DISPLAY and WAYLAND_DISPLAY unset); the window "
                           "was checked offscreen")
    from rnnviz.ui.app import FIRST_PAINT_ENV

    command = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "rnnviz"]
    with tempfile.TemporaryDirectory(prefix="rnnviz-self-test-") as folder:
        env = dict(environment, **{FIRST_PAINT_ENV: "1", "XDG_CONFIG_HOME": folder,
                                   "XDG_DATA_HOME": folder, "RNNVIZ_DATA_DIR": folder})
        try:
            result = subprocess.run(command, env=env, capture_output=True, text=True,
                                    errors="replace", timeout=DISPLAY_TIMEOUT_S,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"the window did not paint on {screen} within "
                              f"{DISPLAY_TIMEOUT_S:g} s") from None
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0 or "first paint" not in lines:
        said = next((line for line in lines if line != "first paint"), f"exit status {result.returncode}")
        raise CheckFailed(f"rnnviz cannot open its window on {screen}: {said}")
    return f"the window opened and painted on {screen}"


def _weights(state) -> str:
    return f"ih {state.ih:+.4f}, hh {state.hh:+.4f}, ho {state.ho:+.4f}"


def _check_video() -> str:
    from rnnviz.engine.learner import LearnerParams
    from rnnviz.engine.sequences import parse_sequence
    from rnnviz.io.video import probe
    from rnnviz.ui.mainwindow import MainWindow
    from rnnviz.ui.recording import record_stream

    with tempfile.TemporaryDirectory(prefix="rnnviz-self-test-") as folder:
        out = Path(folder) / "self-test.mp4"
        result = record_stream(out, parse_sequence(STREAM), LearnerParams(), VIDEO_TICKS,
                               VIDEO_SIZE, fps=VIDEO_FPS, speed=VIDEO_FPS, stream_text=STREAM,
                               hold_s=VIDEO_HOLD_S, window_class=MainWindow)
        info = probe(result.path)
        size = out.stat().st_size
    wanted = ("h264", VIDEO_SIZE[0], VIDEO_SIZE[1], result.frames)
    got = (info.codec, info.width, info.height, info.frames)
    if got != wanted:
        raise CheckFailed(f"the recorded MP4 decodes as {got[0]} {got[1]}x{got[2]} with "
                          f"{got[3]} frames, not {wanted[0]} {wanted[1]}x{wanted[2]} with "
                          f"{wanted[3]} frames")
    return f"MP4 of {info.frames} frames, {info.width}x{info.height} {info.pix_fmt}, {size:,} bytes"
