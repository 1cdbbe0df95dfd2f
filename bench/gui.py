"""GUI speed: milliseconds per frame with long histories, beside bare pyqtgraph.

Run:  QT_QPA_PLATFORM=offscreen python bench/gui.py [--quick] [--view window|plots]
                                                  [--sizes 1000,100000,1000000]

For each history length N the rnnviz view (the whole main window when
``rnnviz.ui.mainwindow`` imports, else — or with ``--view plots`` — the
:class:`WeightPlots` widget alone) is
built at 1280×800 on a random stream with room to grow, run to about N ticks,
and then timed frame by frame while it plays: a frame is ``adapter.step(STEP)``
(new ticks computed, every view told) followed by
``QApplication.processEvents()``, which runs the paint the step asked for. The
adapter is playing (at 1 tick a second, so its own timer adds next to
nothing), as it is when frames come this fast: the plots' values and
notation redraw on every frame; the equations, at this pace of frames, are
veiled as updating and refresh every 200 ms.

The baseline, in the same process, is a bare ``pg.GraphicsLayoutWidget`` of the
same size with three stacked plots of N points each and pyqtgraph's own
recommended long-curve settings (``setDownsampling(auto=True, mode="peak")``,
``setClipToView(True)`` with a fixed x range, pens of width 1); a frame there
is ``setData`` with STEP more points on each curve and the same
``processEvents()``. Goals, for the longest history (1,000,000 ticks): at
most 16.7 ms per frame (60 frames per second) and at most twice the baseline;
shorter histories are shown against the same marks for reference (the exit
status is 1 when the longest one misses). With a short history the baseline
draws almost nothing, so the ratio there mostly measures what rnnviz shows
besides the curves (a fourth plot, markers, the diagram, the tape, the
values and notation text on every frame, the veiled equations every 200 ms).

The medians move with the machine's load; the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from rnnviz.session import Session  # noqa: E402
from rnnviz.ui.adapter import SessionAdapter  # noqa: E402

SIZE = (1280, 800)
#: Ticks per frame: a few, as when playing at a high speed.
STEP = 3
#: Room after the timed frames so the stream never ends mid-benchmark.
SPARE_TICKS = 1_000
FRAME_BUDGET_MS = 16.7
MAX_RATIO = 2.0


def _time_frames(frame: Callable[[], None], warmup: int, frames: int) -> float:
    """Median milliseconds of *frame* after *warmup* untimed calls."""
    app = QApplication.instance()
    for _ in range(warmup):
        frame()
        app.processEvents()
    times = []
    for _ in range(frames):
        started = time.perf_counter()
        frame()
        app.processEvents()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _rnnviz_view(adapter: SessionAdapter, view: str) -> tuple[QWidget, str]:
    if view == "plots":
        from rnnviz.ui.plots import WeightPlots

        return WeightPlots(adapter), "WeightPlots alone"
    try:
        from rnnviz.ui.mainwindow import MainWindow
    except ImportError as error:  # the main window is not written yet
        from rnnviz.ui.plots import WeightPlots

        return WeightPlots(adapter), f"WeightPlots (MainWindow not importable: {error})"
    return MainWindow(adapter), "MainWindow"


def bench_rnnviz(n: int, warmup: int, frames: int, which: str) -> tuple[float, float, str]:
    """(median ms per frame, seconds to build and show, view name) at *n* ticks of history."""
    total = n + SPARE_TICKS + (warmup + frames) * STEP
    session = Session(f"random({total + 1}, 0.5, seed=1)")
    start = max(n - (warmup + frames) * STEP // 2, 0)
    session.seek(start)
    adapter = SessionAdapter(session)
    started = time.perf_counter()
    view, name = _rnnviz_view(adapter, which)
    view.resize(*SIZE)
    view.show()
    QApplication.instance().processEvents()
    built = time.perf_counter() - started
    adapter.set_speed(1)
    adapter.play()
    try:
        median = _time_frames(lambda: adapter.step(STEP), warmup, frames)
    finally:
        adapter.shutdown()
        view.close()
        view.deleteLater()
        QApplication.instance().processEvents()
    return median, built, name


def bench_bare(n: int, warmup: int, frames: int) -> float:
    """Median ms per frame of three bare pyqtgraph curves of *n* points growing by STEP."""
    rng = np.random.default_rng(1)
    total = n + (warmup + frames + 1) * STEP
    x = np.arange(total, dtype=np.float64)
    series = [np.cumsum(rng.normal(size=total)) for _ in range(3)]
    view = pg.GraphicsLayoutWidget()
    view.resize(*SIZE)
    items = []
    for row, y in enumerate(series):
        plot = view.addPlot(row=row, col=0)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        plot.setXRange(0, total, padding=0)  # clipToView does nothing under x auto-range
        plot.enableAutoRange(axis="y")
        item = plot.plot(x[:n], y[:n], pen=pg.mkPen("k", width=1))
        items.append((item, y))
    view.show()
    QApplication.instance().processEvents()
    length = [n]

    def frame() -> None:
        length[0] += STEP
        for item, y in items:
            item.setData(x[: length[0]], y[: length[0]])

    try:
        return _time_frames(frame, warmup, frames)
    finally:
        view.close()
        view.deleteLater()
        QApplication.instance().processEvents()


#: (untimed, timed) frames per history length: a rough figure, and the full one.
QUICK_FRAMES: tuple[int, int] = (3, 15)
FULL_FRAMES: tuple[int, int] = (10, 60)


def misses(ours_ms: float, bare_ms: float) -> list[str]:
    """The goals a frame time of *ours_ms* beside *bare_ms* misses (none: met)."""
    found = [f"over {FRAME_BUDGET_MS} ms"] * (ours_ms > FRAME_BUDGET_MS)
    return found + [f"over {MAX_RATIO:g}× bare"] * (ours_ms / bare_ms > MAX_RATIO)


def measure(
    sizes: list[int], warmup: int, frames: int, view: str = "window"
) -> tuple[list[tuple[int, float, float, float]], str]:
    """((history, rnnviz ms, bare ms, build s) per size, the view timed); needs a QApplication."""
    rows = []
    view_name = ""
    for n in sizes:
        ours, built, view_name = bench_rnnviz(n, warmup, frames, view)
        bare = bench_bare(n, warmup, frames)
        rows.append((n, ours, bare, built))
    return rows, view_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames (a rough figure)")
    parser.add_argument(
        "--sizes", default="1000,100000,1000000",
        help="comma-separated history lengths (default: %(default)s)",
    )
    parser.add_argument(
        "--view", choices=("window", "plots"), default="window",
        help="time the whole main window (default) or the weight plots alone",
    )
    args = parser.parse_args(argv)
    warmup, frames = QUICK_FRAMES if args.quick else FULL_FRAMES
    sizes = [int(s) for s in args.sizes.split(",") if s]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(
        f"{SIZE[0]}×{SIZE[1]}, {STEP} ticks per frame, median of {frames} frames after {warmup}; "
        f"platform {app.platformName()}, Python {platform.python_version()}, "
        f"pyqtgraph {pg.__version__}"
    )
    rows, view_name = measure(sizes, warmup, frames, args.view)
    print(f"view: {view_name}")
    goal = f"goal (≤{FRAME_BUDGET_MS} ms, ≤{MAX_RATIO:g}× bare)"
    header = f"{'history':>10}  {'rnnviz ms':>9}  {'bare ms':>7}  {'ratio':>5}  {'build s':>7}  {goal}"
    print(header)
    print("-" * len(header))
    failed = False
    for n, ours, bare, built in rows:
        missed = misses(ours, bare)
        if n == max(sizes):
            failed = bool(missed)
        verdict = ", ".join(missed) or "met"
        print(f"{n:>10,}  {ours:>9.2f}  {bare:>7.2f}  {ours / bare:>5.2f}  {built:>7.2f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
