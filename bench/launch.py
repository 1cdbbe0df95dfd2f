"""Launch to first paint: seconds from starting ``rnnviz`` to its first painted window.

Run:  python bench/launch.py [--repeats 5] [--python PATH]

The real start-up path, from source: ``PYTHON -m rnnviz`` with
``RNNVIZ_QUIT_AFTER_FIRST_PAINT=1``, which makes rnnviz print ``first paint``
on standard error once its main window has painted and then quit. The clock
runs from spawning the process to that line (the teardown after it is no
part of what a user waits for; the time to exit is printed beside it). Every
run is offscreen (``QT_QPA_PLATFORM=offscreen``) and gets fresh, empty
``XDG_CONFIG_HOME``, ``XDG_DATA_HOME`` and ``RNNVIZ_DATA_DIR`` folders, so no
user settings or autosaves are read or written and every run is a first
launch. One untimed warm-up run fills the system's file cache; the figure is
the median of the timed runs.

Baselines, same machine, same run: a bare PySide6 "hello" (a QMainWindow with
a label, quitting after its first paint in the same way) and
``python -c pass`` (the interpreter alone). Goal: rnnviz ≤ 1.0 s.

:func:`launch_seconds` times any command the same way; the packaging build
script uses it to time ``python -m rnnviz`` in its own fresh environment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 1.0
#: The line rnnviz (and the hello baseline) print once the window has painted.
FIRST_PAINT = "first paint"
#: How long one launch may take before it counts as hung.
TIMEOUT_SECONDS = 60.0

#: The baseline: the least a PySide6 program does to paint a main window, and
#: the same quit-after-first-paint watch rnnviz uses.
HELLO = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

def finish():
    print("first paint", file=sys.stderr, flush=True)
    app.quit()

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched is window:
            window.removeEventFilter(self)
            QTimer.singleShot(0, finish)
        return False

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
watch = Watch()
window.installEventFilter(watch)
window.show()
sys.exit(app.exec())
"""


def rnnviz_command(python: str = sys.executable) -> list[str]:
    """``python -m rnnviz``: the start-up path of the console script, from source."""
    return [python, "-m", "rnnviz"]


def hello_command(python: str = sys.executable) -> list[str]:
    return [python, "-c", HELLO]


def bare_python_command(python: str = sys.executable) -> list[str]:
    return [python, "-c", "pass"]


def _environment(folder: Path, extra: Mapping[str, str] | None) -> dict[str, str]:
    """This process's environment with *extra* on top, then offscreen, quitting
    after the first paint, and every settings and data folder inside *folder*.

    Those last come last so that a caller's copy of its own environment (a
    user's ``XDG_CONFIG_HOME`` included) can never make a run read or write
    real settings.
    """
    env = dict(os.environ)
    env.update(extra or {})
    env.update(
        QT_QPA_PLATFORM="offscreen",
        RNNVIZ_QUIT_AFTER_FIRST_PAINT="1",
        XDG_CONFIG_HOME=str(folder / "config"),
        XDG_DATA_HOME=str(folder / "data"),
        RNNVIZ_DATA_DIR=str(folder / "rnnviz-data"),
    )
    return env


def launch_once(
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    until: str | None = FIRST_PAINT,
) -> tuple[float, float]:
    """(seconds to the *until* line on standard error, seconds to exit) of one run.

    With *until* None the first figure is the time to exit too. Raises
    RuntimeError when the process fails, never prints the line or hangs.
    """
    with tempfile.TemporaryDirectory(prefix="rnnviz-launch-") as folder:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=_environment(Path(folder), env),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        # A hung process would block the reading below for ever: kill it in time.
        hung = threading.Event()
        watchdog = threading.Timer(TIMEOUT_SECONDS, lambda: (hung.set(), process.kill()))
        watchdog.start()
        seen, lines = None, []
        try:
            if until is not None:
                for line in process.stderr:
                    lines.append(line)
                    if line.strip() == until:
                        seen = time.perf_counter() - started
                        break
            lines += process.stderr.readlines()
            status = process.wait()
        finally:
            watchdog.cancel()
            process.stderr.close()
        exited = time.perf_counter() - started
    if hung.is_set():
        raise RuntimeError(f"{' '.join(command[:3])} …: killed after {TIMEOUT_SECONDS:g} s")
    if status != 0 or (until is not None and seen is None):
        tail = "".join(lines[-10:]).strip()
        problem = f"exit status {status}" if status else f"no {until!r} line"
        raise RuntimeError(f"{' '.join(command[:3])} …: {problem}\n{tail}")
    return (exited if seen is None else seen), exited


def launch_seconds(
    command: Sequence[str],
    env: Mapping[str, str] | None = None,
    repeats: int = 5,
    *,
    cwd: str | os.PathLike[str] | None = None,
    until: str | None = FIRST_PAINT,
) -> float:
    """Median seconds from spawning *command* to its first paint (see the module docstring).

    *command* names its own Python (``[python, "-m", "rnnviz"]``), so any
    environment can be timed. *env* adds to (or overrides) this process's
    environment; the run is offscreen with fresh settings folders whatever
    *env* says. *cwd* is where it starts (``python -m`` imports from there
    first).
    With *until* None the time to exit is measured instead (for commands
    that paint nothing).
    """
    launch_once(command, env, cwd=cwd, until=until)  # warm-up: fills the file cache
    return statistics.median(
        launch_once(command, env, cwd=cwd, until=until)[0] for _ in range(repeats)
    )


def measure(python: str = sys.executable, repeats: int = 5) -> dict[str, tuple[float, float]]:
    """Medians (to first paint, to exit) of rnnviz and both baselines, run alternately
    so that the machine's load hits them alike."""
    commands = {
        "rnnviz": (rnnviz_command(python), FIRST_PAINT),
        "hello": (hello_command(python), FIRST_PAINT),
        "python": (bare_python_command(python), None),
    }
    for command, until in commands.values():
        launch_once(command, cwd=REPO, until=until)  # warm-up
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, (command, until) in commands.items():
            runs[name].append(launch_once(command, cwd=REPO, until=until))
    return {
        name: (statistics.median(r[0] for r in times), statistics.median(r[1] for r in times))
        for name, times in runs.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to launch with")
    args = parser.parse_args(argv)
    results = measure(args.python, args.repeats)
    print(f"{args.python}, offscreen, median of {args.repeats} runs after a warm-up, fresh settings each run")
    labels = {
        "rnnviz": "python -m rnnviz", "hello": "bare PySide6 hello", "python": "python -c pass",
    }
    print(f"{'command':<20}{'first paint s':>14}{'exit s':>9}")
    for name, (paint, exited) in results.items():
        shown = f"{paint:.3f}" if name != "python" else "—"
        print(f"{labels[name]:<20}{shown:>14}{exited:>9.3f}")
    ours, hello = results["rnnviz"][0], results["hello"][0]
    met = ours <= GOAL_SECONDS
    print(f"rnnviz / hello: {ours / hello:.2f}; goal ≤ {GOAL_SECONDS:g} s → {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
