"""Sequence-language speed: the largest streams (10 million bits) parsed and generated.

Run:  python bench/parse.py [--repeats R]

Each row sets ``parse_sequence`` beside the bare numpy call that builds the
same bits (``np.tile``, a uniform draw compared with p, a repeated pattern)
in the same process, and prints the ratio rnnviz / bare (goal ≤ 3: the
language may cost checking and counting, not a different order of work).
A ratio is what to compare across machines and runs; the raw times move with
load. These were wall-clock assertions in the tests once; a test cannot
know how fast another machine is, a ratio measured in one run can.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.engine.sequences import MAX_BITS, parse_sequence  # noqa: E402

#: rnnviz may take at most this many times the bare numpy call.
MAX_RATIO = 3.0


def best_of(job: Callable[[], object], repeats: int) -> float:
    """The fastest of *repeats* runs, in seconds (the least disturbed by load)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return min(times)


def cases() -> list[tuple[str, Callable[[], object]]]:
    """``(text, bare numpy job)`` pairs, each making MAX_BITS bits."""
    half = MAX_BITS // 2
    return [
        (f"(10)^{half}", lambda: np.tile(np.array([1, 0], np.uint8), half)),
        (f"random({MAX_BITS}, 0.5, 1)",
         lambda: (np.random.default_rng(1).random(MAX_BITS) < 0.5).astype(np.uint8)),
        (f"periodic(110, {MAX_BITS})",
         lambda: np.tile(np.array([1, 1, 0], np.uint8), MAX_BITS // 3 + 1)[:MAX_BITS]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    worst = 0.0
    print(f"{'stream':<28} {'rnnviz ms':>10} {'bare ms':>9} {'ratio':>6}")
    for text, bare in cases():
        ours = best_of(lambda: parse_sequence(text), args.repeats)
        base = best_of(bare, args.repeats)
        worst = max(worst, ours / base)
        print(f"{text:<28} {ours * 1e3:>10.1f} {base * 1e3:>9.1f} {ours / base:>6.2f}")
    print(f"worst ratio {worst:.2f} (goal ≤ {MAX_RATIO:g})")
    return 0 if worst <= MAX_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
