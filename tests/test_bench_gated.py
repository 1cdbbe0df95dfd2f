"""bench/gated.py (issue 15) runs in quick mode and its numpy reference is the engine's maths
(no timing is asserted); bench/run.py reads its rates."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def test_quick_run_prints_every_rate_and_the_references_agree_with_the_engine() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "gated.py"), "--quick"],
                          capture_output=True, text=True, check=True, timeout=300)
    out = done.stdout
    for cell in ("LSTM", "GRU"):
        for side in ("engine", "reference"):
            assert re.search(rf"^{cell}\s+{side}\s+[\d,]+ sequences/s", out, re.MULTILINE), out
        assert re.search(rf"^{cell}\s+ratio\s+[\d.]+ x", out, re.MULTILINE), out
        same = re.search(rf"^{cell}\s+same maths: max \|gradient difference\| ([\d.e+-]+), "
                         r"\|weight difference\| after \d+ updates ([\d.e+-]+)", out, re.MULTILINE)
        assert same and float(same.group(1)) <= 1e-10 and float(same.group(2)) <= 1e-10, out
    assert re.search(r"^goal\s+1,000 sequences/s \(LSTM\)\s+-> (met|NOT met)", out, re.MULTILINE)


def test_the_performance_suite_reads_both_cells_rates() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--part", "gated", "--quick"],
                          capture_output=True, text=True, check=True, timeout=300, cwd=ROOT)
    rows = json.loads(done.stdout.splitlines()[-1])["rows"]
    assert [r["measure"].split(":")[1].split(",")[0].strip() for r in rows] == ["LSTM 2-32-1", "GRU 2-32-1"]
    assert all(r["ours"] > 0 and r["base"] > 0 for r in rows)
    assert rows[0]["goal"] == "≥ 1,000 sequences/s"


def test_the_reference_gradients_would_catch_a_different_maths() -> None:
    spec = importlib.util.spec_from_file_location("bench_gated", ROOT / "bench" / "gated.py")
    gated = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gated)

    from rnnviz.tasks.memory import MemorySettings, memory_data, memory_network

    settings = MemorySettings(cell="lstm", lag=9, hidden=4, init_scale=0.5)
    network = memory_network(settings, np.random.default_rng(3))
    data = memory_data(np.random.default_rng(4), 1, settings.lag)
    x, y = data.inputs[0], data.targets[0]
    assert gated.gradient_difference("lstm", network, x, y, data.mask.astype(float)) <= 1e-12
    network.set_parameters({"c0": np.full(4, 0.5)})  # the reference starts from c_0 = 0
    assert gated.gradient_difference("lstm", network, x, y, data.mask.astype(float)) > 1e-6
