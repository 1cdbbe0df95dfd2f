"""The race's speed (issue 15): the race window training the plain RNN, the LSTM and the GRU at "max".

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/race.py [--quick]

Measures, each beside a baseline from the same process (raw times move with the
machine's load; the ratios are what to compare):

(a) headless: the race (:func:`~rnnviz.tasks.race_presets.race`, seed 0) in race
    updates per second — one update of each of the three cells — vs the three
    runs trained one after the other on their own (the sum of their times): what
    training the three costs with nothing shown.
(b) the race window at "max" speed, 1280×720 offscreen: the adapter's play timer
    is fired by hand (the adapter playing, so the views pace their slower parts as
    with Play), each period followed by the paint it asks for; frames/s and
    race updates/s counted with the timer's 16 ms period as the least a frame
    takes. Goal ≥ 30 frames/s. Beside it, the network lab's window training
    addition at "max" in the same process (bench/lab.py's (e)), the baseline.
    Measured from update 0 and again from :data:`LATE_START`, where the loss
    plot draws three times that many updates twice (raw and mean).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.tasks.race_presets import RACE_CELLS, race, race_run  # noqa: E402

WINDOW_GOAL_FPS = 30.0
WINDOW_SIZE = (1280, 720)
#: (b) is measured again from this update of the race's 12,288.
LATE_START = 8_192


def headless(updates: int) -> tuple[float, float, str]:
    """(a): (race updates/s, the three runs alone one after the other in updates/s, note)."""
    together = race(0)
    started = time.perf_counter()
    together.seek(updates)
    ours = updates / (time.perf_counter() - started)
    took = 0.0
    for cell in RACE_CELLS:
        alone = race_run(cell, 0)
        started = time.perf_counter()
        alone.seek(updates)
        took += time.perf_counter() - started
    base = updates / took
    return ours, base, (f"headless: race seed 0, {updates:,} updates of each of {', '.join(RACE_CELLS)}; "
                        "baseline = the three runs alone, one after the other")


class _Playing:
    """A play timer that says it runs and never fires: the bench fires the periods itself."""

    def start(self, msec: int) -> None:
        pass

    def stop(self) -> None:
        pass

    def setInterval(self, msec: int) -> None:  # noqa: N802 (Qt API)
        pass

    def isActive(self) -> bool:  # noqa: N802 (Qt API)
        return True


def window(periods: int, start: int = 0) -> tuple[float, float, str]:
    """(b): (frames/s, race updates/s, note) of the race window at "max" from update *start*."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from rnnviz.session import Session
    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.mainwindow import MainWindow
    from rnnviz.ui.runadapter import FRAME_PERIOD_MS, MAX_SPEED

    app = QApplication.instance() or QApplication(sys.argv[:1])
    main = MainWindow(SessionAdapter(Session("1^10 0^10")), settings=None, restore_settings=False)
    main.resize(*WINDOW_SIZE)
    main.show()
    main.show_kind("race")
    app.processEvents()
    adapter = main.adapter
    if start:
        adapter.seek(start)
        app.processEvents()
    adapter.set_speed(MAX_SPEED)
    adapter._timer = _Playing()  # the views see a playing adapter, as with Play; frames fired by hand

    def frame() -> None:
        adapter._on_timer()  # what the play timer calls once per period
        app.processEvents()  # the paint it asked for

    for _ in range(10):
        frame()
    first = adapter.race.cursor
    times = []
    for _ in range(periods):
        if adapter.race.at_end:
            break
        started = time.perf_counter()
        frame()
        times.append(time.perf_counter() - started)
    periods = len(times)
    done = adapter.race.cursor - first
    elapsed = sum(max(t, FRAME_PERIOD_MS / 1000) for t in times)
    fps, rate = (periods / elapsed, done / elapsed) if periods else (0.0, 0.0)
    note = (f"race window at max speed from update {start:,}, {WINDOW_SIZE[0]}×{WINDOW_SIZE[1]} offscreen, "
            f"{periods} timer periods: frame median {statistics.median(times or [0]) * 1000:.1f} ms, "
            f"worst {max(times or [0]) * 1000:.1f} ms, {done:,} race updates")
    for key in list(main._workspaces):
        main.workspace_of(key).shutdown()
    main.close()
    main.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return fps, rate, note


def lab_window(periods: int) -> tuple[float, str]:
    """The baseline of (b): the lab window training addition at "max" (bench/lab.py's (e))."""
    import lab

    fps, _, note = lab.window(periods, lab.training(500, 1).ours)
    return fps, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    ours, base, note = headless(300 if quick else 1000)
    print(f"(a) race {ours:,.0f} updates/s, the three alone {base:,.0f}/s, ratio {ours / base:.2f}")
    print(f"    {note}")
    periods = 30 if quick else 120
    lab_fps, lab_note = lab_window(periods)
    for start in (0, LATE_START):
        fps, rate, note = window(periods, start)
        print(f"(b) race window {fps:.1f} frames/s (goal ≥ {WINDOW_GOAL_FPS:g}), {rate:,.0f} race updates/s; "
              f"lab window {lab_fps:.1f} frames/s")
        print(f"    {note}")
    print(f"    baseline: {lab_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
