"""Long work in the window: End, an edit before the cursor, opening a session far in.

Run:  QT_QPA_PLATFORM=offscreen python bench/longwork.py [--bits N] [--quick]

Each job runs in the whole main window (1280×800, offscreen) on a random
stream of N bits (default 2,000,000; the issue's worst cases are 10,000,000),
the way a user starts it (one adapter call), and is measured three ways:

* **seconds**, beside a baseline in the same process: the same ticks computed
  by a bare :class:`~rnnviz.session.Session` with no window (the floor any
  window has to pay on top of);
* **longest stall**: the longest time the GUI thread went without handling
  events, seen by a 20 ms timer — what the quality bar limits to about half a
  second, because in that time the window neither paints nor answers;
* **views**: the time spent inside ``changed`` emissions, i.e. the views
  bringing their caches and items up to date (the adapter's own slot is
  connected first and a last slot after every view, so the difference is
  the views'), its largest single emission, and how many there were.

The jobs: *End* from tick 0; *edit* — toggling bit 10 with the cursor at the
end, which recomputes every tick after it; *open* — replaying a saved
session whose cursor is at the end (what File ▸ Open runs, through
:func:`rnnviz.ui.work.run_with_progress` when present) and showing it.

Works on older checkouts too (``PYTHONPATH=old-tree``), so a before/after
pair can be measured on the same machine. Seconds move with the machine's
load; compare ratios and stalls.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from rnnviz.session import Session  # noqa: E402
from rnnviz.ui.adapter import SessionAdapter  # noqa: E402

SIZE = (1280, 800)
#: The stall probe's period: stalls shorter than this are not seen.
PROBE_MS = 20
#: The quality bar: the GUI thread never blocks longer without progress and Cancel.
STALL_GOAL_S = 0.5
#: Showing the work (views' caches, a redraw per slice, events) may cost this much on top.
RATIO_GOAL = 1.5


@dataclass
class Measured:
    job: str
    seconds: float
    baseline: float
    stall: float
    views: float
    views_max: float
    emissions: int


class Probe:
    """Timestamps of event-loop turns (a precise timer) and of every ``changed`` emission."""

    def __init__(self, adapter: SessionAdapter) -> None:
        self.turns: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(lambda: self.turns.append(time.perf_counter()))
        self.spans: list[float] = []
        self._began = 0.0
        adapter.changed.connect(self._first)  # before any view's slot

    def _first(self, _flags: int) -> None:
        self._began = time.perf_counter()

    def _last(self, _flags: int) -> None:
        self.spans.append(time.perf_counter() - self._began)

    def after_views(self, adapter: SessionAdapter) -> None:
        adapter.changed.connect(self._last)  # after every view's slot

    def run(self, job: Callable[[], object]) -> tuple[float, float]:
        """(seconds, longest stall) of *job*, with one event turn before and after."""
        app = QApplication.instance()
        app.processEvents()
        self.turns.clear()
        self.spans.clear()
        self.timer.start()
        started = time.perf_counter()
        job()
        ended = time.perf_counter()
        app.processEvents()
        self.timer.stop()
        marks = [started, *[t for t in self.turns if started <= t <= ended], ended]
        return ended - started, max(b - a for a, b in zip(marks, marks[1:]))


def _window(adapter: SessionAdapter):
    from rnnviz.ui.mainwindow import MainWindow

    window = MainWindow(adapter, settings=None, restore_settings=False)
    window.resize(*SIZE)
    window.show()
    QApplication.instance().processEvents()
    return window


def _open_job(window, saved: Session) -> Callable[[], Session]:
    """Replay *saved* as File ▸ Open does (with progress when this checkout has it)."""
    bits, log, cursor = saved.bits.copy(), saved.param_log, saved.cursor

    def replay() -> Session:
        return Session.replay(bits, log, cursor)

    try:
        from rnnviz.ui.work import run_with_progress
    except ImportError:  # an older checkout: no progress
        return replay
    return lambda: run_with_progress(window, "Opening the session", replay)


def measure(bits: int) -> list[Measured]:
    """End, edit and open on a stream of *bits* bits, each with a fresh window."""
    stream = f"random({bits}, 0.5, seed=5)"
    results = []

    def bare(prepare: Callable[[Session], object], job: Callable[[Session], object]) -> float:
        session = Session(stream)
        prepare(session)
        started = time.perf_counter()
        job(session)
        return time.perf_counter() - started

    def in_window(
        name: str, prepare: Callable[[Session], object], job: Callable[[SessionAdapter, object], object],
        baseline: float,
    ) -> None:
        session = Session(stream)
        prepare(session)
        adapter = SessionAdapter(session)
        probe = Probe(adapter)
        window = _window(adapter)
        probe.after_views(adapter)
        seconds, stall = probe.run(lambda: job(adapter, window))
        results.append(Measured(name, seconds, baseline, stall, sum(probe.spans),
                                max(probe.spans, default=0.0), len(probe.spans)))
        adapter.shutdown()
        window.close()
        window.deleteLater()
        QApplication.instance().processEvents()

    def nothing(_session: Session) -> None:
        return None

    def to_end(session: Session) -> None:
        session.run_to_end()

    in_window("End from tick 0", nothing, lambda a, _w: a.run_to_end(),
              bare(nothing, to_end))
    in_window("edit bit 10, cursor at the end", to_end, lambda a, _w: a.toggle(10),
              bare(to_end, lambda s: s.toggle(10)))
    saved = Session(stream)
    saved.run_to_end()

    def open_saved(adapter: SessionAdapter, window) -> None:
        adapter.load(_open_job(window, saved)())

    in_window("open a session at the end", nothing, open_saved,
              bare(nothing, lambda _s: Session.replay(saved.bits, saved.param_log, saved.cursor)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bits", type=int, default=2_000_000, help="bits in the stream")
    parser.add_argument("--quick", action="store_true", help="500,000 bits (a rough figure)")
    args = parser.parse_args(argv)
    bits = 500_000 if args.quick else args.bits
    QApplication.instance() or QApplication(sys.argv[:1])
    print(f"{bits:,}-bit stream, main window {SIZE[0]}×{SIZE[1]} offscreen; "
          f"goals: longest stall ≤ {STALL_GOAL_S} s, window ≤ {RATIO_GOAL:g}× bare session")
    header = (f"{'job':<32} {'window s':>8} {'bare s':>7} {'ratio':>5} {'stall s':>7} "
              f"{'views s':>7} {'max s':>6} {'redraws':>7}  verdict")
    print(header)
    print("-" * len(header))
    failed = False
    for m in measure(bits):
        missed = [f"stall over {STALL_GOAL_S} s"] * (m.stall > STALL_GOAL_S)
        missed += [f"over {RATIO_GOAL:g}× bare"] * (m.seconds / m.baseline > RATIO_GOAL)
        failed |= bool(missed)
        print(f"{m.job:<32} {m.seconds:>8.2f} {m.baseline:>7.2f} {m.seconds / m.baseline:>5.2f} "
              f"{m.stall:>7.2f} {m.views:>7.2f} {m.views_max:>6.2f} {m.emissions:>7}  "
              f"{', '.join(missed) or 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
