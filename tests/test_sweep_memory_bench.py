"""bench/sweep.py's memory part runs against the code it measures (no timing is asserted):
every cell's line says side by side, one after another, the ratio, and that every seed's
result equals its run alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_memory_part_runs_and_every_seed_is_equal() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "sweep.py"), "--parts", "memory", "--repeats", "1",
         "--memory-seeds", "2", "--memory-budget", "40"],
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr  # 1: the aim missed at this toy size
    out = done.stdout
    assert "memory task, 2 seeds" in out
    for cell in ("lstm", "gru", "rnn"):
        line = re.search(rf"^\s+{cell}: side by side\s+[\d.]+ s\s+one after another\s+[\d.]+ s\s+"
                         r"ratio\s+[\d.]+x.*every seed equal: (\w+)", out, re.MULTILINE)
        assert line and line.group(1) == "True", out
