"""Tests for the learning tasks (addition, hello, vanishing) and ``rnnviz task``."""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnviz.commands import task
from rnnviz.engine.errors import InputError
from rnnviz.tasks.addition import (
    HELD_OUT_PAIRS,
    AdditionSettings,
    curve_summary,
    encode_pair,
    from_bits,
    run_addition,
    split_pairs,
    to_bits,
)
from rnnviz.tasks.hello import HelloSettings, one_hot, run_hello
from rnnviz.tasks.vanishing import VanishingSettings, run_vanishing

ROOT = Path(__file__).resolve().parents[1]
SEEDS = (0, 1, 2)


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rnnviz")
    sub = parser.add_subparsers(dest="command", required=True)
    task.add_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


# ------------------------------------------------------------------ addition


def test_bits_are_least_significant_first_and_round_trip():
    assert to_bits(6, 4).tolist() == [0.0, 1.0, 1.0, 0.0]
    numbers = np.arange(256)
    np.testing.assert_array_equal(from_bits(to_bits(numbers, 8)), numbers)
    inputs, targets = encode_pair(5, 3, 4)
    assert inputs.tolist() == [[1, 1], [0, 1], [1, 0], [0, 0]]
    assert targets[:, 0].tolist() == [0, 0, 0, 1]  # 8 = 0b1000


def test_held_out_pairs_are_distinct_and_never_trained_on():
    settings = AdditionSettings(examples=20_000, seed=5)
    held, train = split_pairs(settings, np.random.default_rng(5))
    assert held.shape == (HELD_OUT_PAIRS, 2) and train.shape == (20_000, 2)
    held_codes = set((held[:, 0] * 128 + held[:, 1]).tolist())
    assert len(held_codes) == HELD_OUT_PAIRS
    assert held_codes.isdisjoint((train[:, 0] * 128 + train[:, 1]).tolist())
    assert held.max() < 128 and train.max() < 128 and train.min() >= 0


@pytest.mark.parametrize("seed", SEEDS)
def test_addition_defaults_sum_every_held_out_pair_exactly(seed):
    calls = []
    result = run_addition(AdditionSettings(seed=seed), progress=lambda d, t: calls.append((d, t)))
    assert result.settings.hidden == 16 and result.settings.learning_rate == 0.5
    assert result.settings.examples == 10_000
    assert result.held_out_accuracy == 1.0
    np.testing.assert_array_equal(result.held_out_sums, result.held_out.sum(axis=1))
    # the error curve falls: late examples have a fraction of the early error
    assert result.errors[-1000:].mean() < 0.2 * result.errors[:1000].mean()
    assert calls[-1] == (10_000, 10_000)
    assert all(a[0] < b[0] for a, b in zip(calls, calls[1:]))


def test_untrained_network_does_not_add():
    result = run_addition(AdditionSettings(examples=1, seed=0))
    assert result.held_out_accuracy < 0.1


def test_curve_summary_means_over_stretches():
    values = np.arange(1.0, 11.0)
    assert curve_summary(values, 5) == [
        (1, 2, 1.5), (3, 4, 3.5), (5, 6, 5.5), (7, 8, 7.5), (9, 10, 9.5)
    ]
    assert curve_summary(values[:3], 10) == [(1, 1, 1.0), (2, 2, 2.0), (3, 3, 3.0)]


@pytest.mark.parametrize(
    "options,match",
    [
        ({"hidden": 0}, "hidden"),
        ({"learning_rate": -0.5}, "learning rate"),
        ({"learning_rate": float("nan")}, "learning rate"),
        ({"examples": 0}, "examples"),
        ({"seed": -1}, "seed"),
        ({"bits": 1}, "bits"),
        ({"bits": 17}, "bits"),
        ({"bits": 4}, "too few pairs"),
    ],
)
def test_bad_addition_settings_are_input_errors(options, match):
    with pytest.raises(InputError, match=match):
        AdditionSettings(**options)


# --------------------------------------------------------------------- hello


@pytest.mark.parametrize("seed", SEEDS)
def test_hello_defaults_learn_to_predict_ello(seed):
    result = run_hello(HelloSettings(seed=seed))
    assert result.reached
    assert result.predictions == "ello"
    assert 0 < result.epochs < result.settings.max_epochs
    assert result.losses[-1] < result.losses[0]
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, rtol=1e-12)
    # the stored probabilities are what the trained network says now
    again = result.network.forward(one_hot("hell")).outputs
    np.testing.assert_array_equal(again, result.probabilities)


def test_hello_stops_at_max_epochs_when_not_reached():
    result = run_hello(HelloSettings(max_epochs=2, learning_rate=0.001))
    assert not result.reached and result.epochs == 2 and len(result.losses) == 2
    assert result.predictions != "ello"


# ----------------------------------------------------------------- vanishing


def test_vanishing_at_rest_scales_delta_by_r_per_step_and_clipping_caps_growth():
    settings = VanishingSettings()
    result = run_vanishing(settings)
    small, small_clip, large, large_clip = result.curves
    k = np.arange(settings.steps)
    # at rest tanh' = 1 and W_hh is r times orthogonal: ‖δ‖ = r^k exactly
    np.testing.assert_allclose(small.norms, 0.5**k, rtol=1e-9)
    np.testing.assert_allclose(large.norms, 1.5**k, rtol=1e-9)
    # clipping does nothing against vanishing ...
    np.testing.assert_array_equal(small_clip.norms, small.norms)
    # ... and caps the exploding curve at the threshold
    np.testing.assert_allclose(large_clip.norms, np.minimum(1.5**k, settings.clip), rtol=1e-9)
    assert small.factor_per_step == pytest.approx(0.5, rel=1e-9)
    assert large.factor_per_step == pytest.approx(1.5, rel=1e-9)
    assert (small.clipped, large_clip.clipped) == (False, True)


def test_saturated_units_damp_a_large_recurrent_scale():
    result = run_vanishing(VanishingSettings(input_scale=1.0))
    large = result.curves[2]
    assert large.factor_per_step < 1.5
    assert large.norms.max() < 1.5**10


def test_value_clipping_bounds_components():
    result = run_vanishing(VanishingSettings(clip=0.3, clip_kind="value", large=2.0))
    assert result.curves[3].norms.max() <= 0.3 * np.sqrt(8) + 1e-12


# ----------------------------------------------------------- command line


def test_task_addition_command_prints_a_summary_and_no_progress_when_piped(capsys):
    code = run_cli(["task", "addition", "--examples", "400", "--seed", "3", "--hidden", "4"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "2-4-1" in out and "400 examples" in out
    assert "held-out exact sums:" in out and "/200" in out
    curve = [line for line in out.splitlines() if re.match(r"\s*\d+-\d+\s", line)]
    assert len(curve) == 10
    assert curve[0].split()[0] == "1-40" and curve[-1].split()[0] == "361-400"


def test_task_hello_command_prints_the_probabilities(capsys):
    code = run_cli(["task", "hello", "--seed", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "reached e,l,l,o" in out
    rows = [line.split() for line in out.splitlines() if line[:4].strip().isdigit()]
    assert [row[1] for row in rows] == list("hell")
    assert [row[-1] for row in rows] == list("ello")
    for row in rows:
        assert sum(float(p) for p in row[3:7]) == pytest.approx(1.0, abs=5e-4)


def test_task_vanishing_command_prints_the_four_curves(capsys):
    code = run_cli(["task", "vanishing", "--every", "10"])
    out = capsys.readouterr().out
    assert code == 0
    assert "r=0.5 clipped" in out and "r=1.5 clipped" in out
    cells = [line.split() for line in out.splitlines()]
    rows = {int(row[0]): row[1:] for row in cells if row and row[0].isdigit()}
    assert sorted(rows) == [0, 10, 20, 30, 40, 49]
    assert float(rows[10][2]) == pytest.approx(1.5**10, rel=1e-4)
    assert float(rows[49][3]) == pytest.approx(5.0, rel=1e-4)


@pytest.mark.parametrize(
    "argv,match",
    [
        (["addition", "--hidden", "0"], "--hidden must be at least 1"),
        (["addition", "--lr", "-1"], "--lr must be above 0"),
        (["addition", "--lr", "nan"], "--lr must be a finite"),
        (["addition", "--examples", "many"], "--examples must be a whole number"),
        (["addition", "--bits", "40"], "bits"),
        (["hello", "--max-epochs", "0"], "--max-epochs"),
        (["hello", "--init-scale", "-1"], "--init-scale"),
        (["vanishing", "--clip-kind", "abs"], "clipping kind"),
        (["vanishing", "--steps", "1"], "--steps must be at least 2"),
        (["vanishing", "--clip", "0"], "--clip must be above 0"),
        (["vanishing", "--every", "0"], "--every"),
    ],
)
def test_bad_task_options_are_input_errors(argv, match, capsys):
    with pytest.raises(InputError, match=match):
        run_cli(["task"] + argv)
    assert capsys.readouterr().out == ""


def test_progress_bar_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = task.ProgressBar("demo", stream=screen, width=10)
    bar(5, 10)
    bar(10, 10)
    bar.close()
    text = screen.getvalue()
    assert "[#####-----]  50% 5/10" in text and "[##########] 100% 10/10" in text
    assert text.endswith("\r\x1b[2K")

    piped = io.StringIO()
    quiet = task.ProgressBar("demo", stream=piped)
    quiet(5, 10)
    quiet.close()
    assert piped.getvalue() == ""


def test_engine_and_tasks_do_not_import_qt():
    code = (
        "import sys\n"
        "import rnnviz.engine.elman, rnnviz.engine.clipping\n"
        "import rnnviz.tasks.addition, rnnviz.tasks.hello, rnnviz.tasks.vanishing\n"
        "import rnnviz.tasks.worked_example, rnnviz.commands.task, rnnviz.commands.bptt\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph'))]\n"
        "print(bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


needs_cli = pytest.mark.skipif(
    not (ROOT / "rnnviz" / "cli.py").exists(), reason="rnnviz/cli.py is not written yet"
)


@needs_cli
def test_end_to_end_task_piped_prints_no_progress():
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz", "task", "hello", "--seed", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "reached e,l,l,o" in done.stdout
