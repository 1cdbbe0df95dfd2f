"""Starting the desktop app, and rendering it offscreen for screenshots.

Errors that escape a slot reach :func:`install_excepthook`: they are written
to standard error with their traceback and shown in at most one dialog, so a
failing timer cannot flood the user with windows.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.io.sessionfile import SessionFile
from rnnviz.session import Session
from rnnviz.ui import offscreen
from rnnviz.ui.display import display_problem


def has_terminal() -> bool:
    """Whether a person can read standard error (not so when started from a menu)."""
    return sys.stderr is not None and sys.stderr.isatty()


def startup_failed(message: str, details: str | None = None) -> None:
    """rnnviz cannot open its window: log why and, with no terminal to print to, show it.

    *message* is the one line the command line prints as well; *details*
    (a traceback) goes to the log only. Started from a menu or a double-click,
    the user sees a dialog, or a desktop notification when no window can open.
    """
    from rnnviz import errorlog

    path = errorlog.append(details or message)
    if has_terminal():
        return
    text = message + (f"\n\nThe details are in {path}." if details and path else "")
    if not _error_dialog("rnnviz could not start", text):
        notify_desktop("rnnviz could not start", text)


def _error_dialog(title: str, text: str) -> bool:
    """Show *text* in a dialog when a window can open here; whether it was shown."""
    if display_problem() is not None or os.environ.get("QT_QPA_PLATFORM") in ("offscreen", "minimal"):
        return False  # nobody could see it, and it would wait for a click for ever
    try:
        from PySide6.QtWidgets import QMessageBox

        from rnnviz.ui.mainwindow import application

        application()
        QMessageBox.critical(None, title, text)
    except Exception:  # Qt itself is what failed: the caller falls back
        return False
    return True


def notify_desktop(title: str, text: str) -> None:
    """Tell the desktop user without Qt: a notification, else a zenity box, else nothing."""
    import shutil
    import subprocess

    for command in (["notify-send", "--app-name=rnnviz", "--icon=rnnviz", title, text],
                    ["zenity", "--error", f"--title={title}", f"--text={text}"]):
        if shutil.which(command[0]):
            try:
                subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            except OSError:
                continue
            return


def install_qt_message_handler(on_fatal: Callable[[str], object]) -> None:
    """Print Qt's messages as Qt would, and call *on_fatal* with a fatal one before Qt aborts.

    Qt stops the program when, for instance, no platform plugin can connect
    to the display; from a menu that would be silent, and in the self-test it
    would cut the report short. Install before the QApplication exists.
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind, context, message: str) -> None:
        category = getattr(context, "category", None)
        line = f"{category}: {message}" if category and category != "default" else message
        print(line, file=sys.stderr, flush=True)
        if kind == QtMsgType.QtFatalMsg:
            on_fatal(line)

    qInstallMessageHandler(handler)


def _log_qt_fatal(line: str) -> None:
    """Qt is about to stop rnnviz: keep the reason, and tell a user with no terminal."""
    from rnnviz import errorlog

    path = errorlog.append(f"Qt stopped rnnviz: {line}")
    if not has_terminal():
        where = f" The details are in {path}." if path else ""
        notify_desktop("rnnviz could not start", line.splitlines()[0] + where)


def install_excepthook() -> None:
    """Log unexpected errors; show the first one in a dialog and only count the rest."""
    shown = False

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        nonlocal shown
        traceback.print_exception(kind, error, tb, file=sys.stderr)
        from rnnviz import errorlog

        path = errorlog.append("".join(traceback.format_exception(kind, error, tb)))
        if shown:
            return
        shown = True
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is not None:
            # Stop playing first: an error in a timer slot would repeat every frame.
            for widget in QApplication.topLevelWidgets():
                adapter = getattr(widget, "adapter", None)
                if adapter is not None and hasattr(adapter, "pause"):
                    adapter.pause()
            QMessageBox.critical(
                None, "rnnviz: something went wrong",
                f"rnnviz hit an error it did not expect:\n\n{kind.__name__}: {error}\n\n"
                + (f"The details are in {path}. " if path else "The details are printed in "
                   "the terminal. ")
                + "The window stays usable; saving your stream and restarting is the safe choice.",
            )

    sys.excepthook = hook


def run_gui(
    session: Session | None = None,
    *,
    restore_settings: bool = True,
    stream_text: str | None = None,
    opened: tuple[str, SessionFile | None] | None = None,
) -> int:
    """Open the main window on *session*, or on a session file already read
    (*opened*: its path and contents; contents None: the window replays the
    file once shown, with progress and Cancel), and run until it is closed;
    return the exit status."""
    from PySide6.QtCore import QSettings

    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.mainwindow import MainWindow, application

    install_qt_message_handler(_log_qt_fatal)
    app = application()
    install_excepthook()
    adapter = SessionAdapter(session) if session is not None else None
    window = MainWindow(
        adapter, settings=QSettings(), restore_settings=restore_settings, stream_text=stream_text
    )
    if opened is not None:
        window.session_files.open_loaded(*opened)
    if os.environ.get(FIRST_PAINT_ENV):
        _quit_after_first_paint(window)
    window.show()
    return app.exec()


#: Set to any value, ``rnnviz`` quits as soon as its window has painted once
#: and prints ``first paint`` on standard error: how ``bench/launch.py`` and
#: the build script time launch-to-first-paint on the real start-up path.
FIRST_PAINT_ENV = "RNNVIZ_QUIT_AFTER_FIRST_PAINT"


def _quit_after_first_paint(window) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class Watch(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 (Qt API)
            if event.type() == QEvent.Type.Paint and watched is window:
                window.removeEventFilter(self)
                # The children paint in the same pass; quit once it is over.
                QTimer.singleShot(0, finish)
            return False

    def finish() -> None:
        print("first paint", file=sys.stderr, flush=True)
        QApplication.instance().quit()

    window._first_paint_watch = Watch(window)
    window.installEventFilter(window._first_paint_watch)


def parse_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` → ``(1280, 720)``: two whole numbers of pixels.

    Whether the window can be laid out at that size is checked when it is
    built (:func:`~rnnviz.ui.offscreen.check_size`), against its real minimum.
    """
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise InputError(f"--size needs WIDTHxHEIGHT in pixels such as 1280x720, not {text!r}") from None
    if width < 1 or height < 1:
        raise InputError(f"--size needs a width and a height of at least 1 pixel, not {text!r}")
    return width, height


def screenshot(
    out: str | os.PathLike[str], bits: str | object, params: LearnerParams, ticks: int,
    size: tuple[int, int], *, stream_text: str | None = None, phase: bool = False,
    sweep: str | None = None, presentation: bool = False,
) -> Path:
    """Render the main window offscreen after *ticks* ticks and save a PNG of exactly *size*.

    With *phase*, View ▸ Phase plot is switched on first; with *sweep*, View ▸
    Sweep over η in that mode (``"eta"``, or ``"grid"``: the heat map of η × a
    start weight); with *presentation*, the window is in presentation mode.
    Nothing is read from or written to the user's settings, so the same
    command always gives the same picture.
    """
    out = _checked_png(out)
    session = Session(bits, params)  # type: ignore[arg-type]
    if ticks < 0:
        raise InputError(f"--ticks must not be negative, not {ticks}")
    if ticks > session.n_ticks:
        raise InputError(
            f"--ticks {ticks:,} is more than the stream's {session.n_ticks:,} ticks"
        )
    # Offscreen: no window flashes on a desktop, and the size is the one asked for.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.mainwindow import application

    app = application()
    adapter = SessionAdapter(session)
    window = offscreen_window(adapter, size, stream_text=stream_text, presentation=presentation)
    if phase:
        window.actions_by_name["phase_plot"].trigger()
    if sweep:
        window.actions_by_name["sweep_view"].trigger()
        view = window.sweep_view
        view.mode_box.setCurrentIndex(view.mode_box.findData(sweep))
        window.sweep_view.compute()
    adapter.step(max(ticks - 1, 0))
    window.plots.fit()
    QApplication.processEvents()
    # The last tick is taken right before the grab, with no event processed
    # in between: its glow is caught at its start, whatever the machine's
    # speed, so the same command always gives the same picture.
    adapter.step(1 if ticks else 0)
    image = window.grab().toImage()
    if (image.width(), image.height()) != size:  # a scaled screen (QT_SCALE_FACTOR)
        image = image.scaled(*size, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    window.close()
    app.processEvents()
    from rnnviz.ui.pngfile import save_png

    # Encoded in memory, then written: a full disk or a read-only folder is
    # told in one plain line, not by libpng on standard error.
    return save_png(image, out)


def _checked_png(out: str | os.PathLike[str]) -> Path:
    out = Path(out)
    if out.suffix.lower() != ".png":
        raise InputError(f"the screenshot is written as PNG: name it *.png, not {out.name}")
    if not out.parent.is_dir():
        raise InputError(f"no such folder: {out.parent}")
    return out


def lab_screenshot(
    out: str | os.PathLike[str], preset: str, updates: int, size: tuple[int, int], *,
    stage: int | None = None, presentation: bool = False,
) -> Path:
    """Render the window showing the network lab on *preset* after *updates* updates; save a PNG.

    With *stage*, the backward sweep of the next update is shown at that
    stage. Reads and writes no settings, so the same command always gives
    the same picture.
    """
    out = _checked_png(out)
    from rnnviz.present.lab import backward_stages
    from rnnviz.tasks.lab_presets import preset as lab_preset

    run = lab_preset(preset).make_run()
    if not 0 <= updates <= run.n_ticks:
        raise InputError(f"--ticks must be 0 … {run.n_ticks:,} for the {preset} lab, not {updates:,}")
    stages = backward_stages(run.source.steps)
    if stage is not None and not 0 <= stage < stages:
        raise InputError(f"--stage must be 0 … {stages - 1} for the {preset} lab "
                         f"({run.source.steps} steps), not {stage}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rnnviz.ui.mainwindow import application
    from rnnviz.ui.workspaces.elman.lab_adapter import LabAdapter

    application()
    adapter = LabAdapter(run)
    adapter.preset_key = preset

    def stages_shown() -> None:
        for _ in range(0 if stage is None else stage + 1):
            adapter.advance_stage()

    return _grab_workspace(out, adapter, updates, size, presentation, stages_shown)


def model_screenshot(out: str | os.PathLike[str], key: str, updates: int, size: tuple[int, int], *,
                     presentation: bool = False) -> Path:
    """Render the window showing the model kind *key* on its first preset after *updates*
    updates (:attr:`ModelKind.new_adapter <rnnviz.ui.workspaces.ModelKind.new_adapter>`); save a PNG."""
    out = _checked_png(out)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rnnviz.ui.mainwindow import application

    application()
    adapter = model_adapter(key)
    if not 0 <= updates <= adapter.run.n_ticks:
        raise InputError(f"--ticks must be 0 … {adapter.run.n_ticks:,} for --model {key}, not {updates:,}")
    return _grab_workspace(out, adapter, updates, size, presentation)


def model_adapter(key: str):
    """A new adapter on the first preset of the model kind *key*; InputError (one line) for a kind
    the command line cannot show."""
    from rnnviz.ui import shipped_kinds  # noqa: F401  (the kinds rnnviz ships, registered)
    from rnnviz.ui import workspaces

    kind = workspaces.kind(key)
    if kind.new_adapter is None:
        raise InputError(f"--model {key} cannot be shown from the command line")
    return kind.new_adapter()


def _grab_workspace(out: Path, adapter, updates: int, size: tuple[int, int], presentation: bool,
                    before: Callable[[], None] | None = None) -> Path:
    """The window on *adapter*, moved to *updates*, grabbed at *size* and saved as *out*."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window = offscreen_window(adapter, size, presentation=presentation)
    adapter.seek(updates)
    if before is not None:
        before()
    window.workspace.fit_views()
    QApplication.processEvents()
    image = window.grab().toImage()
    if (image.width(), image.height()) != size:
        image = image.scaled(*size, Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    window.close()
    QApplication.processEvents()
    from rnnviz.ui.pngfile import save_png

    return save_png(image, out)


def offscreen_window(
    adapter, size: tuple[int, int], *, stream_text: str | None = None, presentation: bool = False
):
    """The main window laid out at exactly *size*, shown without appearing on screen.

    :func:`rnnviz.ui.offscreen.offscreen_window` with the main window (see there).
    """
    from rnnviz.ui.mainwindow import MainWindow

    return offscreen.offscreen_window(adapter, size, stream_text=stream_text,
                                      presentation=presentation, window_class=MainWindow)
