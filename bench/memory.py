"""Memory per tick of history: the engine session, beside plain Python, and the whole window.

Run:  python bench/memory.py [--ticks 1000000] [--quick] [--no-window]

*Engine session.* A :class:`~rnnviz.session.Session` on a random stream of
``ticks + 1`` bits is run to its end. What it holds is measured three ways,
each divided by the ticks:

* *allocated*: the bytes of its numpy arrays (the history's columns, capacity
  included, and the stream), ``History.nbytes + bits.nbytes``;
* *traced*: what :mod:`tracemalloc` saw allocated and still alive after
  building and running the session — every Python object and numpy array, so
  it checks that the arrays are all there is (it slows the learner about
  25-fold, so ``--quick`` leaves it out);
* *resident*: the growth of the process's resident set (Linux), the pages
  really used: numpy's zeroed columns take memory only where rows were
  written (in 2 MB steps where numpy gets huge pages), so the unused capacity
  costs address space, not RAM.

Baseline, same run: the plain-Python way, a list of one tuple per tick with the
same eleven fields (x, target, h, ŷ, e, three weights, three changes) and the
stream as a list of ints, filled by ``bench/engine.py``'s plain loop. Its
figure is the resident-set growth: tracemalloc counts the bytes each object
asks for, but CPython's small-object allocator hands a 24-byte float a
32-byte block, so tracemalloc (printed beside it) undercounts Python objects
by about a sixth. Numpy's columns are single large blocks, where the two
agree. Goal: the engine session's allocated bytes per tick ≤ 100.

*Whole window* (informational, no goal). The main window is built offscreen on
a session whose history already holds ``start + ticks`` ticks, at tick
``start`` (0 by default: the caches are empty there, and anything they size
for the whole stream when the first ticks arrive — the plots' pyramids do —
is counted); the cursor then goes to the end, and the views' caches (the
plots' min/max pyramids and notation indexes, anything the adapter keeps)
grow by *ticks* ticks. That growth is measured by tracemalloc (by source file, to show
where it goes) and by resident set (which adds Qt's own memory). The history
itself was computed before measuring, so that tracemalloc's slowness never
meets the learner; what it costs is the engine session's figure. Whole window
per tick = the engine session's allocated bytes per tick + the caches' traced
growth per tick.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import plain_loop  # noqa: E402
from rnnviz.engine.sequences import bernoulli  # noqa: E402
from rnnviz.session import Session  # noqa: E402

GOAL_BYTES = 100.0
TICKS = 1_000_000
#: Ticks of history the window already has before its growth is measured.
WINDOW_START = 0
WINDOW_SIZE = (1280, 800)
#: Source files listed in the window's breakdown.
TOP_FILES = 6
#: Frames kept per traced allocation: enough to see past the shared helpers.
FRAMES = 4


def resident_bytes() -> int | None:
    """The process's resident set in bytes, garbage and freed heap let go first
    (None where /proc is missing).

    Without ``malloc_trim`` glibc keeps freed memory (the learner's float
    buffers, the stream as floats) mapped: some 8 bytes per tick at a
    million ticks that belong to no tick.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: read the resident set as it is
        pass
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _growth(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before


@dataclass(frozen=True)
class Footprint:
    """Bytes something holds, measured up to three ways (None: not measured)."""

    ticks: int
    allocated: int | None
    traced: int | None
    resident: int | None

    def per_tick(self, field: str) -> float | None:
        value = getattr(self, field)
        return None if value is None else value / self.ticks


def engine_footprint(ticks: int = TICKS, traced: bool = True) -> Footprint:
    """What a session run through *ticks* ticks holds: arrays, tracemalloc, resident set."""
    bits = bernoulli(ticks + 1, 0.5, seed=1)
    resident = resident_bytes()
    if traced:
        tracemalloc.start()
    session = Session(bits)
    session.run_to_end()
    seen = tracemalloc.get_traced_memory()[0] if traced else None
    tracemalloc.stop()
    grew = _growth(resident, resident_bytes())
    allocated = session.history.nbytes + session.bits.nbytes
    return Footprint(ticks, allocated, seen, grew)


def plain_footprint(ticks: int = TICKS, traced: bool = True) -> Footprint:
    """What the plain-Python history holds: a list of per-tick tuples and the stream as a list."""
    bits = bernoulli(ticks + 1, 0.5, seed=1)
    resident = resident_bytes()
    if traced:
        tracemalloc.start()
    stream = bits.tolist()
    rows: list[tuple] = []
    plain_loop(stream, on_tick=lambda t, *fields: rows.append(fields))
    seen = tracemalloc.get_traced_memory()[0] if traced else None
    tracemalloc.stop()
    grew = _growth(resident, resident_bytes())
    if len(rows) != ticks or len(rows[0]) != 11:
        raise AssertionError(f"the plain history holds {len(rows)} rows of {len(rows[0])} fields")
    return Footprint(ticks, None, seen, grew)


def plain_baseline(plain: Footprint) -> float:
    """The plain history's bytes per tick: resident (see the module docstring), else traced."""
    resident = plain.per_tick("resident")
    return plain.per_tick("traced") if resident is None else resident


@dataclass(frozen=True)
class WindowFootprint:
    """How much the window's caches grew over *ticks* more ticks of history."""

    ticks: int
    traced: int
    resident: int | None
    #: (source file, bytes) of the largest traced growth, largest first.
    top_files: list[tuple[str, int]]

    @property
    def traced_per_tick(self) -> float:
        return self.traced / self.ticks

    @property
    def resident_per_tick(self) -> float | None:
        return None if self.resident is None else self.resident / self.ticks


def _owner(traceback: tracemalloc.Traceback) -> str:
    """The source file an allocation was made for: its innermost frame outside
    ``grown()``, the growing helper in history.py every cache shares (the
    history's own columns were allocated before tracing started)."""
    for frame in reversed(traceback):  # most recent call first
        if Path(frame.filename).name != "history.py":
            return frame.filename
    return traceback[-1].filename


def _settle() -> None:
    """Let every paint and update the last change posted run before memory is read."""
    from PySide6.QtWidgets import QApplication

    for _ in range(5):
        QApplication.processEvents()


def window_footprint(start: int = WINDOW_START, ticks: int = TICKS) -> WindowFootprint:
    """The main window's growth, offscreen, from *start* to ``start + ticks`` ticks of history."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from rnnviz.ui.adapter import SessionAdapter
    from rnnviz.ui.app import offscreen_window
    from rnnviz.ui.mainwindow import application

    application()
    session = Session(bernoulli(start + ticks + 1, 0.5, seed=1))
    session.seek(start + ticks)  # computed before any tracing: see the module docstring
    session.seek(start)  # stored ticks are kept; going forward again replays them
    tracemalloc.start(FRAMES)
    adapter = SessionAdapter(session)
    window = offscreen_window(adapter, WINDOW_SIZE)
    _settle()
    resident = resident_bytes()
    snapshot = tracemalloc.take_snapshot()
    traced = tracemalloc.get_traced_memory()[0]
    adapter.seek(start + ticks)
    _settle()
    window_grew = _growth(resident, resident_bytes())
    traced = tracemalloc.get_traced_memory()[0] - traced
    top = _by_owner(tracemalloc.take_snapshot().compare_to(snapshot, "traceback"))
    tracemalloc.stop()
    window.close()
    adapter.shutdown()
    return WindowFootprint(ticks, traced, window_grew, top)


def _by_owner(changes: list[tracemalloc.StatisticDiff]) -> list[tuple[str, int]]:
    """The largest growths summed by :func:`_owner`, largest first."""
    owners: dict[str, int] = {}
    for stat in changes:
        owner = _owner(stat.traceback)
        owners[owner] = owners.get(owner, 0) + stat.size_diff
    return sorted(owners.items(), key=lambda item: -item[1])[:TOP_FILES]


def _bytes(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _short(filename: str) -> str:
    """A source path from its package down (``rnnviz/engine/envelope.py``)."""
    parts = Path(filename).parts
    for anchor in ("rnnviz", "site-packages", "bench"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) + (anchor == "site-packages"):])
    return filename


def breakdown(window: WindowFootprint) -> str:
    """Where the window's growth went: ``rnnviz/engine/envelope.py 23.6, …`` (B/tick, ≥ 0.1)."""
    return ", ".join(
        f"{_short(name)} {size / window.ticks:.1f}"
        for name, size in window.top_files if size / window.ticks >= 0.05
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=TICKS)
    parser.add_argument("--quick", action="store_true", help="no tracemalloc on the learner (fast)")
    parser.add_argument("--no-window", action="store_true", help="leave out the whole-window figure")
    args = parser.parse_args(argv)
    traced = not args.quick
    engine = engine_footprint(args.ticks, traced)
    plain = plain_footprint(args.ticks, traced)
    print(f"bytes per tick of history, {args.ticks:,} ticks")
    print(f"{'':<28}{'allocated':>10}{'traced':>10}{'resident':>10}")
    print(f"{'engine session':<28}{_bytes(engine.per_tick('allocated')):>10}"
          f"{_bytes(engine.per_tick('traced')):>10}{_bytes(engine.per_tick('resident')):>10}")
    print(f"{'plain Python (list of tuples)':<28}{'':>10}"
          f"{_bytes(plain.per_tick('traced')):>10}{_bytes(plain.per_tick('resident')):>10}")
    ours = engine.per_tick("allocated")
    baseline = plain_baseline(plain)
    met = ours <= GOAL_BYTES
    print(f"engine / plain: {ours / baseline:.2f}; goal ≤ {GOAL_BYTES:g} B/tick → {'met' if met else 'MISSED'}")
    if not args.no_window:
        window = window_footprint(WINDOW_START, args.ticks)
        print(f"\nwhole window, caches grown from {WINDOW_START:,} to {WINDOW_START + args.ticks:,} ticks (no goal):")
        print(f"  window caches, traced:    {window.traced_per_tick:.1f} B/tick")
        print(f"  window caches, resident:  {_bytes(window.resident_per_tick)} B/tick (with Qt's own)")
        print(f"  whole window = engine session + caches: {ours + window.traced_per_tick:.1f} B/tick")
        print(f"  where (B/tick): {breakdown(window)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
