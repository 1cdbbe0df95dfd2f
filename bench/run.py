"""The performance suite: every benchmark in bench/, one command, one table.

Run:  .venv/bin/python bench/run.py [--quick] [--markdown]

Runs, each in a fresh Python process (Qt's state, the resident-set figures and
launch timing must not see one another): the engine's ticks per second
(bench/engine.py), memory per tick of history (bench/memory.py), the GUI's
frame time at 1k, 100k and 1M ticks of history (bench/gui.py), launch to first
paint (bench/launch.py), recording speed at 1280×720 (bench/record.py),
BPTT on the addition task (bench/bptt.py), the LSTM's and the GRU's BPTT
(bench/gated.py), long work in the window — End,
an edit before the cursor, opening a session far in (bench/longwork.py) — and
the network lab: training, scrubbing 100k stored updates, memory per update,
the unrolled view, the lab window at max speed (bench/lab.py), and the race window training a
plain RNN, an LSTM and a GRU at max speed (bench/race.py), and the LSTM's and the GRU's
windows at max speed (bench/gated_view.py). Every row shows its goal, and
every row with a goal sets rnnviz beside a baseline measured in the same run
(ratio = rnnviz / baseline). The first line names the machine. ``--quick``
takes fewer samples (rough figures, under a minute); ``--markdown`` prints
the table as Markdown, as BENCHMARKS.md shows it.

Exit status: 0 when every goal is met, 1 otherwise (or when a part failed).
These are benchmarks, not tests: the figures move with the machine's load;
the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

#: One row of the table, as the parts send it (as JSON): numbers, not text.
Row = dict[str, object]
#: Recording at 60 frames/s or more: a 30 frames/s video made in half its length.
RECORD_GOAL_FPS = 60.0


def row(
    measure: str, ours: float | None, base: float | None, digits: int, goal: str, met: bool | None,
) -> Row:
    """A table row; *met* None means a row for information, with no goal."""
    return {"measure": measure, "ours": ours, "base": base, "digits": digits, "goal": goal,
            "met": met}


# -- the parts, each run in its own process --------------------------------------

def part_engine(quick: bool) -> tuple[list[Row], list[str]]:
    import engine

    ticks, repeats = (200_000, 2) if quick else (1_000_000, 5)
    rows = []
    jobs = {"summary": "summary job", "history": "full history"}
    for name, ours, plain, _bare, goal in engine.measure(ticks, repeats):
        rows.append(row(f"engine ticks/s: {jobs[name]}, vs plain Python", ours, plain, 0,
                        f"ratio ≥ {goal:.1f}", ours / plain >= goal))
    return rows, [f"engine: {ticks:,} ticks of a random stream, best of {repeats} interleaved runs"]


def part_memory(quick: bool) -> tuple[list[Row], list[str]]:
    import memory

    engine = memory.engine_footprint(memory.TICKS, traced=not quick)
    plain = memory.plain_footprint(memory.TICKS, traced=not quick)
    window = memory.window_footprint(memory.WINDOW_START, memory.TICKS)
    ours = engine.per_tick("allocated")
    whole = ours + window.traced_per_tick
    rows = [
        row("memory B/tick: session, vs list of tuples", ours, memory.plain_baseline(plain), 1,
            f"≤ {memory.GOAL_BYTES:g} B", ours <= memory.GOAL_BYTES),
        row("memory B/tick: whole window (session + view caches)", whole, None, 1, "— (information)",
            None),
    ]
    traced = engine.per_tick("traced")
    check = "tracemalloc skipped by --quick" if traced is None else f"tracemalloc {traced:.1f}"
    notes = [
        f"memory: session at {memory.TICKS:,} ticks: allocated {ours:.1f} B/tick "
        f"({check}, resident {_number(engine.per_tick('resident'), 1)}); "
        f"plain list of tuples: resident {_number(plain.per_tick('resident'), 1)}, "
        f"tracemalloc {_number(plain.per_tick('traced'), 1)}",
        f"memory: whole window = session {ours:.1f} + view caches {window.traced_per_tick:.1f} B/tick, "
        f"grown from {memory.WINDOW_START:,} to {memory.WINDOW_START + memory.TICKS:,} ticks: "
        f"{memory.breakdown(window)} (resident growth {_number(window.resident_per_tick, 1)})",
    ]
    return rows, notes


def part_gui(quick: bool) -> tuple[list[Row], list[str]]:
    import gui
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    sizes = [1_000, 100_000, 1_000_000]
    warmup, frames = gui.QUICK_FRAMES if quick else gui.FULL_FRAMES
    measured, view = gui.measure(sizes, warmup, frames)
    rows = []
    for n, ours, bare, _built in measured:
        label = f"{n // 1000}k" if n < 1_000_000 else f"{n // 1_000_000}M"
        if n == max(sizes):
            goal, met = f"≤ {gui.FRAME_BUDGET_MS} ms, ratio ≤ {gui.MAX_RATIO:g}", not gui.misses(ours, bare)
        else:
            goal, met = f"≤ {gui.FRAME_BUDGET_MS} ms", ours <= gui.FRAME_BUDGET_MS
        rows.append(row(f"GUI ms/frame: {label} ticks of history, vs bare pyqtgraph", ours, bare, 2,
                        goal, met))
    width, height = gui.SIZE
    return rows, [f"GUI: {view} at {width}×{height} offscreen, {gui.STEP} ticks per frame, "
                  f"median of {frames} frames after {warmup}"]


def part_launch(quick: bool) -> tuple[list[Row], list[str]]:
    import launch

    repeats = 3 if quick else 7
    times = launch.measure(sys.executable, repeats)
    ours, ours_exit = times["rnnviz"]
    hello, _ = times["hello"]
    _, python = times["python"]
    rows = [
        row("launch s: to first paint, vs PySide6 hello", ours, hello, 3,
            f"≤ {launch.GOAL_SECONDS:.1f} s", ours <= launch.GOAL_SECONDS),
        row("launch s: to first paint, vs python -c pass", ours, python, 3, "— (information)", None),
    ]
    return rows, [f"launch: python -m rnnviz from source, offscreen, fresh settings, median of "
                  f"{repeats} runs after a warm-up; to exit {ours_exit:.3f} s"]


def part_record(quick: bool) -> tuple[list[Row], list[str]]:
    # record() and render_only() are bench/record.py's interface; its insides may change.
    from record import record, render_only

    from rnnviz.io.video import encoder_versions
    from rnnviz.ui.mainwindow import application

    application()
    ticks = 8 if quick else 40
    render_only(2)  # fonts and caches warm, as bench/record.py does
    frames, rendering = render_only(ticks)
    recorded, seconds, finishing, size = record(ticks, "mp4")
    ours, base = recorded / seconds, frames / rendering
    rows = [row("recording frames/s: MP4 1280×720, vs render only", ours, base, 1,
                f"≥ {RECORD_GOAL_FPS:g} frames/s", ours >= RECORD_GOAL_FPS)]
    return rows, [f"recording: {ticks} ticks, {recorded} frames in {seconds:.2f} s, {finishing:.2f} s "
                  f"of it finishing, {size / 1e6:.1f} MB; {encoder_versions()}"]


def part_bptt(quick: bool) -> tuple[list[Row], list[str]]:
    """bench/bptt.py measures inside its main(), so it is run and its report read."""
    args = ["--examples", "1000", "--reference", "100", "--repeats", "1"] if quick else []
    output = subprocess.run(
        [sys.executable, str(BENCH / "bptt.py"), *args],
        capture_output=True, text=True, check=True,
    ).stdout
    found = {
        name: float(value.replace(",", ""))
        for name, value in re.findall(r"^(engine|reference|goal)\s+([\d,.]+) examples/s", output, re.M)
    }
    if set(found) != {"engine", "reference", "goal"}:
        raise RuntimeError(f"bench/bptt.py printed no rates this script can read:\n{output}")
    ours, goal = found["engine"], found["goal"]
    return [row("BPTT examples/s: addition 2-16-1, vs plain loops", ours, found["reference"], 0,
                f"≥ {goal:,.0f} examples/s", ours >= goal)], []


def part_gated(quick: bool) -> tuple[list[Row], list[str]]:
    """bench/gated.py (issue 15): the LSTM's and the GRU's BPTT beside its numpy reference."""
    output = subprocess.run(
        [sys.executable, str(BENCH / "gated.py"), *(["--quick"] if quick else [])],
        capture_output=True, text=True, check=True,
    ).stdout
    found = {
        (cell, side): float(value.replace(",", ""))
        for cell, side, value in re.findall(
            r"^(LSTM|GRU)\s+(engine|reference)\s+([\d,.]+) sequences/s", output, re.MULTILINE)
    }
    goal = re.search(r"^goal\s+([\d,.]+) sequences/s", output, re.MULTILINE)
    if len(found) != 4 or goal is None:
        raise RuntimeError(f"bench/gated.py printed no rates this script can read:\n{output}")
    target = float(goal.group(1).replace(",", ""))
    lstm = found["LSTM", "engine"]
    return [
        row("gated sequences/s: LSTM 2-32-1, 50 steps, vs plain numpy", lstm,
            found["LSTM", "reference"], 0, f"≥ {target:,.0f} sequences/s", lstm >= target),
        row("gated sequences/s: GRU 2-32-1, 50 steps, vs plain numpy", found["GRU", "engine"],
            found["GRU", "reference"], 0, "— (information)", None),
    ], [line for line in output.splitlines() if "same maths" in line]


def part_longwork(quick: bool) -> tuple[list[Row], list[str]]:
    import longwork
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    bits = 500_000 if quick else 2_000_000
    rows, notes = [], []
    for m in longwork.measure(bits):
        rows.append(row(f"long work s: {m.job}, window vs bare session", m.seconds, m.baseline, 2,
                        f"ratio ≤ {longwork.RATIO_GOAL:g}", m.seconds / m.baseline <= longwork.RATIO_GOAL))
        rows.append(row(f"long work s: {m.job}, longest GUI stall", m.stall, None, 2,
                        f"≤ {longwork.STALL_GOAL_S:g} s", m.stall <= longwork.STALL_GOAL_S))
        notes.append(f"long work: {m.job}: views {m.views:.2f} s in {m.emissions} redraws "
                     f"(largest {m.views_max:.2f} s)")
    return rows, [f"long work: {bits:,}-bit stream, main window "
                  f"{longwork.SIZE[0]}×{longwork.SIZE[1]} offscreen", *notes]


def part_lab(quick: bool) -> tuple[list[Row], list[str]]:
    """The network lab (issue 14): bench/lab.py's five measures, each beside its baseline."""
    import lab
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    a = lab.training(1000 if quick else 5000, 1 if quick else 3)
    stored = 20_000 if quick else 100_000
    median, worst, base, seek_note = lab.seeking(stored)
    c = lab.memory(5000 if quick else 20_000)
    d = lab.unrolled(3, 10 if quick else 40)
    fps, rate, window_note = lab.window(30 if quick else 120, a.ours)
    late_fps, late_rate, late_note = lab.window(30 if quick else 120, a.ours, lab.LATE_START)
    late = f"{lab.LATE_START // 1000}k"
    goal_ms, frame_ms = lab.SEEK_GOAL_MS, lab.FRAME_GOAL_MS
    label = f"{stored // 1000}k"
    rows = [
        row("lab updates/s: addition LabRun, vs plain numpy BPTT loop", a.ours, a.base, 0,
            "— (information)", None),
        row(f"lab ms: seek + state, any of {label} stored (median), vs plain loop over a checkpoint",
            median, base, 1, f"≤ {goal_ms:g} ms", median <= goal_ms),
        row(f"lab ms: seek + state, any of {label} stored (worst of 20), vs the same", worst, base, 1,
            f"≤ {goal_ms:g} ms", worst <= goal_ms),
        row("lab B/update: addition, stored, vs a parameter copy per update", c.ours, c.base, 1,
            "— (information)", None),
        row("lab ms/frame: unrolled view T = 64, 16 hidden, vs bare QPainter", d.ours, d.base, 2,
            f"≤ {frame_ms} ms", d.ours <= frame_ms),
        row("lab frames/s: window training addition at max", fps, None, 1,
            f"≥ {lab.WINDOW_GOAL_FPS:g} frames/s", fps >= lab.WINDOW_GOAL_FPS),
        row("lab examples/s: window training addition at max, vs headless", rate, a.ours, 0,
            f"≥ {lab.WINDOW_GOAL_EXAMPLES:,.0f} examples/s", rate >= lab.WINDOW_GOAL_EXAMPLES),
        row(f"lab frames/s: the same from update {late}", late_fps, None, 1,
            f"≥ {lab.WINDOW_GOAL_FPS:g} frames/s", late_fps >= lab.WINDOW_GOAL_FPS),
        row(f"lab examples/s: the same from update {late}, vs headless", late_rate, a.ours, 0,
            f"≥ {lab.WINDOW_GOAL_EXAMPLES:,.0f} examples/s", late_rate >= lab.WINDOW_GOAL_EXAMPLES),
    ]
    return rows, [a.note, seek_note, c.note, d.note, window_note, late_note]


def part_race(quick: bool) -> tuple[list[Row], list[str]]:
    """The race (issue 15): bench/race.py, the race window at max beside the lab window."""
    import race
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    ours, base, note = race.headless(300 if quick else 1000)
    periods = 30 if quick else 120
    lab_fps, lab_note = race.lab_window(periods)
    rows = [row("race updates/s: the three cells as one run, vs the three alone", ours, base, 0,
                "— (information)", None)]
    notes = [note]
    for start in (0, race.LATE_START):
        fps, _, window_note = race.window(periods, start)
        where = f" from update {start // 1000}k" if start else ""
        rows.append(row(f"race frames/s: window training the three at max{where}, vs the lab window",
                        fps, lab_fps, 1, f"≥ {race.WINDOW_GOAL_FPS:g} frames/s", fps >= race.WINDOW_GOAL_FPS))
        notes.append(window_note)
    return rows, [*notes, f"baseline: {lab_note}"]


def part_gated_view(quick: bool) -> tuple[list[Row], list[str]]:
    """Model ▸ LSTM and ▸ GRU (issue 15): bench/gated_view.py, the window at max beside the lab window."""
    import gated_view
    import race

    periods = 30 if quick else 120
    lab_fps, lab_note = race.lab_window(periods)
    rows, notes = [], []
    for cell in ("lstm", "gru"):
        key = f"{cell}-long"
        base = gated_view.headless(key, 500 if quick else 2000)
        fps, rate, median, worst = gated_view.window(cell, key, periods)
        rows.append(row(f"{cell.upper()} window frames/s at max (lag 30), vs the lab window", fps, lab_fps, 1,
                        f"≥ {gated_view.GOAL_FPS:g} frames/s", fps >= gated_view.GOAL_FPS))
        notes.append(f"{cell.upper()} window: {rate:,.0f} updates/s against {base:,.0f} headless "
                     f"({rate / base:.2f}); frame median {median:.1f} ms, worst {worst:.1f} ms")
    return rows, [*notes, f"baseline: {lab_note}"]


PARTS: dict[str, Callable[[bool], tuple[list[Row], list[str]]]] = {
    "engine": part_engine,
    "memory": part_memory,
    "gui": part_gui,
    "launch": part_launch,
    "record": part_record,
    "bptt": part_bptt,
    "gated": part_gated,
    "longwork": part_longwork,
    "lab": part_lab,
    "race": part_race,
    "gated_view": part_gated_view,
}


def run_part(name: str, quick: bool) -> tuple[list[Row], list[str]]:
    """Run one part in a fresh process; a failure becomes a row that says so."""
    command = [sys.executable, str(Path(__file__).resolve()), "--part", name] + ["--quick"] * quick
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        failed = row(f"{name}: the benchmark failed", None, None, 0, "runs", False)
        return [dict(failed, verdict="FAILED")], [
            f"{name} failed (exit status {done.returncode}):\n{tail}"
        ]
    result = json.loads(lines[-1])
    return result["rows"], result["notes"]


# -- the machine ---------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def _os_name() -> str:
    try:
        release = platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        release = f"{platform.system()} {platform.release()}"
    else:
        release += f", {platform.system()} {platform.release()}"
    return release


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _source() -> str:
    """The commit measured, ``-dirty`` when the working tree has changes on top."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True,
        ).stdout.strip()
    except OSError:
        described = ""
    return f"rnnviz at {described}" if described else "rnnviz (not a git checkout)"


def machine() -> str:
    """One line: CPU, cores, RAM, OS, the versions every figure depends on, the date."""
    from PySide6.QtCore import qVersion

    return (
        f"{_source()}; "
        f"{_cpu_model()}, {os.cpu_count()} cores, {_memory_gib()}; {_os_name()}; "
        f"{platform.python_implementation()} {platform.python_version()}, Qt {qVersion()}, "
        f"PySide6 {_version('PySide6-Essentials')}, pyqtgraph {_version('pyqtgraph')}, "
        f"numpy {_version('numpy')}, PyAV {_version('av')}; "
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )


# -- the table -------------------------------------------------------------------------

HEADER = ("measure", "rnnviz", "baseline", "ratio", "goal", "verdict")


def _number(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def cells(entry: Row) -> tuple[str, ...]:
    ours, base = entry["ours"], entry["base"]
    ratio = f"{ours / base:.2f}" if ours is not None and base else "—"
    verdict = entry.get("verdict") or {True: "met", False: "MISSED", None: "info"}[entry["met"]]
    return (entry["measure"], _number(ours, entry["digits"]), _number(base, entry["digits"]),
            ratio, entry["goal"], verdict)


def text_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]

    def line(values: tuple[str, ...]) -> str:
        first, *numbers, goal, verdict = values
        return "  ".join(
            [first.ljust(widths[0])]
            + [v.rjust(w) for v, w in zip(numbers, widths[1:4])]
            + [goal.ljust(widths[4]), verdict]
        ).rstrip()

    rule = "-" * len(line(tuple("-" * w for w in widths)))
    return "\n".join([line(HEADER), rule, *(line(r) for r in rows)])


def markdown_table(rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|---:|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples: rough figures, fast")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part:  # inside the fresh process run_part started
        rows, notes = PARTS[args.part](args.quick)
        print(json.dumps({"rows": rows, "notes": notes}))
        return 0

    header = machine()
    rows, notes = [], []
    started = time.perf_counter()
    for name in PARTS:
        print(f"{name} …", end=" ", file=sys.stderr, flush=True)
        part_started = time.perf_counter()
        part_rows, part_notes = run_part(name, args.quick)
        print(f"{time.perf_counter() - part_started:.0f} s", file=sys.stderr, flush=True)
        rows += part_rows
        notes += part_notes
    took = time.perf_counter() - started
    table = [cells(r) for r in rows]
    mode = "quick" if args.quick else "full"
    if args.markdown:
        print(f"Machine: {header}\n")
        print(markdown_table(table))
        print()
        print("\n".join(f"- {note}" for note in notes))
    else:
        print(header)
        print(text_table(table))
        print("\n".join(notes))
    print(f"({mode} run, {took:.0f} s; ratio = rnnviz / baseline)")
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
