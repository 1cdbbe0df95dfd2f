"""The network lab's speed (issue 14): training, scrubbing, memory, the unrolled view, the window.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/lab.py [--quick]

Five measures, each beside a baseline measured in the same process (ratio =
rnnviz / baseline; raw times move with the machine's load):

(a) training: the addition preset's :class:`~rnnviz.runs.lab.LabRun` (2-16-1,
    one update per example, every update stored) in updates per second, vs
    :func:`plain_training`, the same maths as a plain numpy loop with nothing
    stored and nothing checked. Its final weights agree with the run's to
    rounding (printed as a check).
(b) showing a stored update: ``run.seek(t)`` to a random *t* among 100,000
    stored updates plus the unrolled view's numbers there
    (:func:`~rnnviz.present.lab.unrolled_state` of the next example), median
    and worst of 20, vs the plain loop's time for one checkpoint's distance of
    updates (what replaying from a checkpoint costs at its speed). Goal ≤ 50 ms.
(c) memory per stored update: what tracemalloc sees the run allocate while it
    trains, divided by the updates, vs a full copy of the parameters per
    update (what storing every state would take). For information.
(d) the unrolled view at T = 64 steps, 16 hidden units (the vanishing preset,
    every step of the backward sweep shown): ``set_state`` + ``grab()``
    offscreen at 1280×360, median ms, vs a bare QPainter drawing as many
    circles and lines on a QImage of that size. Goal ≤ 16.7 ms.
(e) the lab window training addition at "max" speed: the adapter's play
    timer is fired by hand, each period followed by the paint it asks for;
    frames/s and examples/s counted with the timer's 16 ms period as the
    least a frame takes, vs (a)'s headless rate. Goals ≥ 30 frames/s while
    ≥ 5,000 examples/s. Measured from update 0 and again from update
    :data:`LATE_START`, where the loss plot draws 60,000 updates.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.present.lab import unrolled_state  # noqa: E402
from rnnviz.tasks.lab_presets import PRESETS  # noqa: E402

SEEK_GOAL_MS = 50.0
FRAME_GOAL_MS = 16.7
WINDOW_GOAL_FPS = 30.0
WINDOW_GOAL_EXAMPLES = 5000.0
#: The unrolled view's size in the lab (the window's upper part at 1280×720).
VIEW_SIZE = (1280, 360)
#: The window's size for (e).
WINDOW_SIZE = (1280, 720)
#: (e) is measured from the start of the run and again from this update (of the addition
#: preset's 100,000), where the loss plot and the run's records are long.
LATE_START = 60_000


@dataclass(frozen=True)
class Measure:
    ours: float
    base: float
    note: str


# -- (a) training ---------------------------------------------------------------------

def plain_training(w_xh: np.ndarray, w_hh: np.ndarray, w_hy: np.ndarray, examples, eta: float) -> None:
    """Full BPTT for a 2-H-1 sigmoid/sigmoid network, c = ½, no biases: the plain numpy
    loop one would write, updating the arrays in place (nothing stored, nothing checked)."""
    H = w_hh.shape[0]
    for x, y in examples:
        T = x.shape[0]
        hs = np.zeros((T + 1, H))
        drive = x @ w_xh.T
        for t in range(T):
            hs[t + 1] = 1.0 / (1.0 + np.exp(-(drive[t] + w_hh @ hs[t])))
        out = 1.0 / (1.0 + np.exp(-(hs[1:] @ w_hy.T)))
        eps = (out - y) * out * (1.0 - out)
        deltas = np.empty((T, H))
        carried = np.zeros(H)
        for t in range(T - 1, -1, -1):
            carried = deltas[t] = (eps[t] @ w_hy + carried @ w_hh) * hs[t + 1] * (1.0 - hs[t + 1])
        w_xh -= eta * (deltas.T @ x)
        w_hh -= eta * (deltas.T @ hs[:-1])
        w_hy -= eta * (eps.T @ hs[1:])


def training(updates: int, repeats: int) -> Measure:
    """(a): best of *repeats* interleaved runs of each, updates per second."""
    preset = PRESETS["addition"]
    source = preset.make_run().source
    examples = [source.example(t)[:2] for t in range(updates)]
    ours = base = 0.0
    difference = math.nan
    for _ in range(repeats):
        run = preset.make_run()
        eta = run.settings.learning_rate
        net = run.network
        w_xh, w_hh, w_hy = net.w_xh.copy(), net.w_hh.copy(), net.w_hy.copy()
        started = time.perf_counter()
        run.seek(updates)
        ours = max(ours, updates / (time.perf_counter() - started))
        started = time.perf_counter()
        plain_training(w_xh, w_hh, w_hy, examples, eta)
        base = max(base, updates / (time.perf_counter() - started))
        difference = max(float(np.max(np.abs(a - b)))
                         for a, b in ((w_xh, net.w_xh), (w_hh, net.w_hh), (w_hy, net.w_hy)))
    return Measure(ours, base, f"training: addition 2-16-1, {updates:,} updates, best of {repeats}; "
                               f"plain loop's weights within {difference:.1e} of the run's")


# -- (b) showing a stored update ------------------------------------------------------------

def seeking(stored: int, samples: int = 20) -> tuple[float, float, float, str]:
    """(b): (median ms, worst ms, baseline ms, note) of seek + unrolled numbers at random updates."""
    run = PRESETS["addition"].make_run()
    started = time.perf_counter()
    run.seek(stored)
    made = time.perf_counter() - started
    rng = random.Random(14)
    times = []
    for _ in range(samples):
        t = rng.randrange(0, stored)
        started = time.perf_counter()
        run.seek(t)
        unrolled_state(run.network, *run.next_example())
        times.append((time.perf_counter() - started) * 1000)
    # Baseline: the plain loop over one checkpoint's distance of updates.
    net = PRESETS["addition"].make_run().network
    examples = [run.source.example(t)[:2] for t in range(run.checkpoint_every)]
    started = time.perf_counter()
    plain_training(net.w_xh.copy(), net.w_hh.copy(), net.w_hy.copy(), examples,
                   run.settings.learning_rate)
    base = (time.perf_counter() - started) * 1000
    note = (f"seek: {stored:,} updates stored (made in {made:.1f} s, checkpoint every "
            f"{run.checkpoint_every}), {samples} random updates: median {statistics.median(times):.1f} ms, "
            f"worst {max(times):.1f} ms; baseline = plain loop over {run.checkpoint_every} updates")
    return statistics.median(times), max(times), base, note


# -- (c) memory -------------------------------------------------------------------------------

def memory(updates: int) -> Measure:
    """(c): bytes per stored update as tracemalloc sees them, vs a parameter copy per update."""
    run = PRESETS["addition"].make_run()
    run.seek(1)  # the first allocations (records' first capacity, caches) out of the way
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    run.seek(1 + updates)
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ours = (after - before) / updates
    full = sum(a.nbytes for a in run.network.copy_parameters().values())
    return Measure(ours, float(full), f"memory: addition, {updates:,} updates: tracemalloc "
                                      f"{ours:.1f} B/update, stored_bytes() {run.stored_bytes() / run.stored:.1f} "
                                      f"B/update (capacity included); one full parameter copy {full} B")


# -- (d) the unrolled view -------------------------------------------------------------------

def _frames(frame, warmup: int, frames: int) -> float:
    for _ in range(warmup):
        frame()
    times = []
    for _ in range(frames):
        started = time.perf_counter()
        frame()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def unrolled(warmup: int, frames: int) -> Measure:
    """(d): median ms of set_state + grab for T = 64, H = 16, vs bare QPainter circles."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QImage, QPainter, QPen

    from rnnviz.ui.workspaces.elman.unrolled import UnrolledView

    run = PRESETS["vanishing"].make_run()
    inputs, targets, mask = run.next_example()
    steps = run.source.steps
    states = [unrolled_state(run.network, inputs, targets, mask, stage=s) for s in (steps, steps - 1)]
    net = run.network
    view = UnrolledView()
    view.resize(*VIEW_SIZE)
    count = [0]

    def frame() -> None:
        count[0] += 1
        view.set_state(states[count[0] % 2])  # a new state each frame, as training gives
        view.grab()

    ours = _frames(frame, warmup, frames)
    shown = len(view.visible_steps())
    layers = net.n_inputs + net.n_hidden + net.n_outputs
    image = QImage(*VIEW_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    rng = np.random.default_rng(4)
    points = rng.uniform(0, 1, (shown * layers, 2)) * VIEW_SIZE

    def bare() -> None:
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("gray"), 1.0))
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
            painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))
        for x, y in points:
            painter.setBrush(QColor(int(x) % 256, 80, 160))
            painter.drawEllipse(QPointF(x, y), 6.0, 6.0)
        painter.end()

    base = _frames(bare, warmup, frames)
    return Measure(ours, base, f"unrolled view: vanishing preset, T = {steps}, {net.n_hidden} hidden, "
                               f"{shown} columns shown at {VIEW_SIZE[0]}×{VIEW_SIZE[1]}, backward sweep "
                               f"stages {steps - 1}/{steps}, median of {frames} frames; baseline = "
                               f"{shown * layers} circles and lines by bare QPainter")


# -- (e) the lab window --------------------------------------------------------------------

def window(periods: int, headless: float, start: int = 0) -> tuple[float, float, str]:
    """(e): (frames/s, examples/s, note) of the lab window training addition at "max", from
    update *start* (the loss plot and the run's records hold that many updates already)."""
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
    main.show_kind("elman")
    app.processEvents()
    adapter = main.adapter
    if start:
        adapter.seek(start)
        app.processEvents()
    adapter.set_speed(MAX_SPEED)

    def frame() -> None:
        adapter._on_timer()  # what the play timer calls once per period
        app.processEvents()  # the paint it asked for

    for _ in range(10):
        frame()
    first = adapter.lab.cursor
    times = []
    for _ in range(periods):
        if adapter.lab.at_end:  # frames at the end train nothing: not counted
            break
        started = time.perf_counter()
        frame()
        times.append(time.perf_counter() - started)
    periods = len(times)
    examples = adapter.lab.cursor - first
    # A period is never shorter than the timer's: a faster frame waits for the next timeout.
    elapsed = sum(max(t, FRAME_PERIOD_MS / 1000) for t in times)
    fps, rate = (periods / elapsed, examples / elapsed) if periods else (0.0, 0.0)
    note = (f"window: lab on addition at max speed from update {start:,}, {WINDOW_SIZE[0]}×{WINDOW_SIZE[1]} "
            f"offscreen, {periods} timer periods: frame median {statistics.median(times or [0]) * 1000:.1f} ms, "
            f"worst {max(times or [0]) * 1000:.1f} ms, {examples:,} examples; baseline = headless LabRun "
            f"{headless:,.0f} updates/s")
    for key in list(main._workspaces):
        main.workspace_of(key).shutdown()
    main.close()
    main.deleteLater()  # gone before another window is measured
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return fps, rate, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = args.quick
    a = training(1000 if quick else 5000, 1 if quick else 3)
    print(f"(a) LabRun {a.ours:,.0f} updates/s, plain loop {a.base:,.0f}/s, ratio {a.ours / a.base:.2f}")
    print(f"    {a.note}")
    median, worst, base, note = seeking(20_000 if quick else 100_000)
    print(f"(b) seek + state median {median:.1f} ms, worst {worst:.1f} ms (goal ≤ {SEEK_GOAL_MS:g}); "
          f"baseline {base:.1f} ms")
    print(f"    {note}")
    c = memory(5000 if quick else 20_000)
    print(f"(c) {c.ours:.1f} B/update vs {c.base:.0f} B per parameter copy")
    from PySide6.QtWidgets import QApplication
    QApplication.instance() or QApplication(sys.argv[:1])
    d = unrolled(3, 10 if quick else 40)
    print(f"(d) unrolled view {d.ours:.2f} ms/frame (goal ≤ {FRAME_GOAL_MS}), bare {d.base:.2f} ms")
    fps, rate, note = window(30 if quick else 120, a.ours)
    print(f"(e) window {fps:.1f} frames/s, {rate:,.0f} examples/s")
    print(f"    {note}")
    fps, rate, note = window(30 if quick else 120, a.ours, LATE_START)
    print(f"(e) late in the run: window {fps:.1f} frames/s, {rate:,.0f} examples/s")
    print(f"    {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
