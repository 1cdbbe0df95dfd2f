"""The gated cells' window training at "max" speed (issue 15): frames/s beside the headless rate.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gated_view.py [--quick]

For Model ▸ LSTM and ▸ GRU on their long presets (lag 30, 31 steps, 16 units:
the race's run), the play timer is fired by hand, each period followed by the
paint it asks for (gate lanes, state, highway with the plain RNN trained
alongside to the same update, the cell's arithmetic, the training curves);
frames/s and updates/s are counted with the timer's 16 ms period as the least
a frame takes, beside the same preset's :class:`~rnnviz.runs.lab.LabRun`
trained headless in the same process (the baseline). Goal ≥ 30 frames/s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.tasks.gated_presets import GATED_PRESETS

GOAL_FPS = 30.0
WINDOW_SIZE = (1280, 720)


def headless(key: str, updates: int) -> float:
    """Updates/s of the preset's run trained without a window."""
    run = GATED_PRESETS[key].make_run()
    started = time.perf_counter()
    run.step(updates)
    return updates / (time.perf_counter() - started)


class _HandTimer:
    """A play timer that is only fired by hand (the periods are the bench's)."""

    def __init__(self) -> None:
        self.active = False

    def start(self, _msec: int) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def setInterval(self, _msec: int) -> None:
        pass

    def isActive(self) -> bool:
        return self.active


def window(cell: str, key: str, periods: int) -> tuple[float, float, float, float]:
    """(frames/s, updates/s, median frame ms, worst frame ms) of the window on *key* at "max"."""
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
    main.show_kind(cell)
    main.workspace.open_preset(key)
    app.processEvents()
    adapter = main.adapter
    adapter.set_speed(MAX_SPEED)
    adapter._timer.stop()
    adapter._timer = _HandTimer()  # fired by hand below: playing, as Play makes it
    adapter.play()

    def frame() -> None:
        adapter._on_timer()  # what the play timer calls once per period
        app.processEvents()  # the paint it asked for

    for _ in range(10):
        frame()
    first = adapter.lab.cursor
    times = []
    for _ in range(periods):
        if adapter.lab.at_end:
            break
        started = time.perf_counter()
        frame()
        times.append(time.perf_counter() - started)
    updates = adapter.lab.cursor - first
    elapsed = sum(max(t, FRAME_PERIOD_MS / 1000) for t in times)
    for key_ in list(main._workspaces):
        main.workspace_of(key_).shutdown()
    main.close()
    main.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return (len(times) / elapsed, updates / elapsed, statistics.median(times) * 1000, max(times) * 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    ok = True
    for cell in ("lstm", "gru"):
        key = f"{cell}-long"
        base = headless(key, 500 if quick else 2000)
        fps, rate, median, worst = window(cell, key, 30 if quick else 120)
        print(f"{cell}: window {fps:.1f} frames/s (goal ≥ {GOAL_FPS:g}), {rate:,.0f} updates/s; "
              f"headless {base:,.0f} updates/s, ratio {rate / base:.2f}; frame median {median:.1f} ms, "
              f"worst {worst:.1f} ms")
        ok = ok and fps >= GOAL_FPS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
