"""bench/lab.py's measures still run against the code they measure (no timing is asserted).

The issue 14 speed goals are checked by running bench/lab.py by hand (BENCHMARKS.md);
this only keeps the script working: its window measure drives the real lab window, and
its baseline learns what the lab learns.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "lab.py"


@pytest.fixture(scope="module")
def lab():
    spec = importlib.util.spec_from_file_location("bench_lab", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_lab"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_lab", None)


def test_the_window_measure_plays_the_lab_and_counts_what_it_trained(qapp, lab) -> None:
    fps, rate, note = lab.window(3, 1.0)
    periods = int(note.split(" timer periods")[0].rsplit(" ", 1)[1])
    examples = int(note.split(" examples")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert periods == 3 and examples > 0 and fps > 0 and rate > 0 and "from update 0" in note


def test_the_plain_training_baseline_is_the_runs_maths(lab) -> None:
    """The baseline of (a) learns what the run learns, to rounding (its sigmoid is written
    another way): otherwise the ratio would compare different work."""
    from rnnviz.tasks.lab_presets import PRESETS

    run = PRESETS["addition"].make_run()
    net = run.network
    weights = [net.w_xh.copy(), net.w_hh.copy(), net.w_hy.copy()]
    examples = [run.source.example(t)[:2] for t in range(200)]
    lab.plain_training(*weights, examples, run.settings.learning_rate)
    run.seek(200)
    for plain, learnt in zip(weights, (net.w_xh, net.w_hh, net.w_hy)):
        np.testing.assert_allclose(plain, learnt, rtol=0, atol=1e-9)
