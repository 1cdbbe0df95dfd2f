"""bench/bptt.py's comparison of two source trees runs (no timing is asserted).

``--against DIR`` measures another tree's engine in fresh processes; compared with
itself, both sides run and their engines learn what the plain reference learns.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_against_another_tree_runs_both_and_prints_the_ratio_of_ratios() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bptt.py"), "--against", str(ROOT), "--rounds", "1",
         "--examples", "40", "--reference", "20", "--repeats", "1"],
        capture_output=True, text=True, check=True, timeout=300,
    )
    rounds = re.findall(r"round 1\s+(this|other)\s+engine\s+[\d,]+/s.*weights within ([\d.e+-]+)\)", done.stdout)
    assert sorted(side for side, _ in rounds) == ["other", "this"]
    assert all(float(difference) < 1e-12 for _, difference in rounds)
    assert re.search(r"this / other: median [\d.]+ x", done.stdout)
