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

from rnnviz import cli
from rnnviz.commands import task
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.tasks import addition
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


def front_door(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the real command line (``rnnviz.cli.main``): status, stdout, stderr."""
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


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
@pytest.mark.parametrize("bits", [5, 8])
def test_training_pairs_are_the_draws_of_choice_from_the_allowed_codes(seed, bits):
    # The lazy draw must give exactly what rng.choice over the list of all
    # allowed codes gave (so results stay reproducible), without the list.
    settings = AdditionSettings(examples=3000, seed=seed, bits=bits)
    held, train = split_pairs(settings, np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    side = 1 << (bits - 1)
    codes = rng.choice(side * side, size=HELD_OUT_PAIRS, replace=False)
    allowed = np.ones(side * side, dtype=bool)
    allowed[codes] = False
    expected = rng.choice(np.flatnonzero(allowed), size=3000)
    np.testing.assert_array_equal(train[:, 0] * side + train[:, 1], expected)
    np.testing.assert_array_equal(held[:, 0] * side + held[:, 1], codes)


def test_sixteen_bit_pairs_are_drawn_without_listing_all_codes():
    import tracemalloc

    settings = AdditionSettings(examples=1000, seed=1, bits=16)
    tracemalloc.start()
    try:
        held, train = split_pairs(settings, np.random.default_rng(1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # listing the 2^30 codes took a gigabyte (and 8 more for their indices)
    assert peak < 20_000_000
    side = 1 << 15
    held_codes = set((held[:, 0] * side + held[:, 1]).tolist())
    assert len(held_codes) == HELD_OUT_PAIRS
    assert held_codes.isdisjoint((train[:, 0] * side + train[:, 1]).tolist())
    assert train.max() < side and train.min() >= 0


def test_training_pairs_are_encoded_in_bounded_batches_with_the_same_result(monkeypatch):
    assert addition._BATCH == 4096  # the bound on what is encoded at once
    # A smaller batch shows the same split in a tenth of the training.
    monkeypatch.setattr(addition, "_BATCH", 384)
    settings = AdditionSettings(examples=500, hidden=2, seed=4)
    sizes = []
    encode = addition.encode_pairs

    def spy(pairs, bits):
        sizes.append(len(pairs))
        return encode(pairs, bits)

    monkeypatch.setattr(addition, "encode_pairs", spy)
    batched = run_addition(settings)
    assert sizes == [384, 116]
    monkeypatch.setattr(addition, "_BATCH", 10**9)
    whole = run_addition(settings)
    assert sizes[2:] == [500]
    np.testing.assert_array_equal(batched.errors, whole.errors)
    np.testing.assert_array_equal(batched.network.w_hh, whole.network.w_hh)


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
        ({"hidden": 1025}, "hidden units must be at most 1,024"),
        ({"examples": 1_000_001}, "examples must be at most 1,000,000"),
        ({"learning_rate": 100.5}, "learning rate must be at most 100"),
        ({"learning_rate": 1e308}, "learning rate must be at most 100"),
    ],
)
def test_bad_addition_settings_are_input_errors(options, match):
    with pytest.raises(InputError, match=match):
        AdditionSettings(**options)


def test_the_largest_allowed_settings_are_accepted():
    AdditionSettings(hidden=1024, examples=47_683, learning_rate=100, bits=16)
    AdditionSettings(hidden=223, examples=1_000_000)
    HelloSettings(hidden=1024, max_epochs=47_683, learning_rate=100, init_scale=10)
    HelloSettings(hidden=707, max_epochs=100_000)
    VanishingSettings(steps=10_000, hidden=1024, small=100, large=100, clip=1e6,
                      input_scale=1000)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: AdditionSettings(hidden=1024, examples=47_684), "at most 47,683 examples"),
        (lambda: AdditionSettings(hidden=224, examples=1_000_000), "at most 996,492 examples"),
        (lambda: HelloSettings(hidden=1024, max_epochs=47_684), "at most 47,683 epochs"),
        (lambda: HelloSettings(hidden=708, max_epochs=100_000), "at most 99,747 epochs"),
    ],
)
def test_large_networks_trained_long_are_refused_as_too_much_training(make, match):
    # each limit alone allows these; together they would train for hours
    with pytest.raises(InputError, match=f"too much training: .*{match}"):
        make()


def _poison_after(monkeypatch, updates: int) -> None:
    """Make the network's weights overflow to infinity after *updates* updates,
    the way a far too large step would."""
    train = ElmanNetwork.train_sequence
    count = [0]

    def poisoned(self, *args, **kwargs):
        report = train(self, *args, **kwargs)
        count[0] += 1
        if count[0] >= updates:
            self.w_hy[...] = np.inf
            self.w_hh[...] *= 1e308
        return report

    monkeypatch.setattr(ElmanNetwork, "train_sequence", poisoned)


def test_diverging_addition_stops_with_one_clear_error(monkeypatch):
    _poison_after(monkeypatch, 3)
    # any RuntimeWarning would fail this test (warnings are errors)
    with pytest.raises(InputError, match="diverged at example 4: .*smaller learning rate"):
        run_addition(AdditionSettings(examples=50, hidden=3))


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


@pytest.mark.parametrize("seed", SEEDS)
def test_hello_final_loss_is_the_loss_of_the_final_probabilities(seed):
    result = run_hello(HelloSettings(seed=seed))
    targets = ["helo".index(c) for c in "ello"]
    cross_entropy = -np.log(result.probabilities[np.arange(4), targets]).sum()
    assert result.final_loss == pytest.approx(cross_entropy, rel=1e-12)
    # losses[-1] is the loss before the last update: a different number
    assert result.final_loss < result.losses[-1] - 0.01


@pytest.mark.parametrize(
    "options,match",
    [
        ({"hidden": 1025}, "hidden units must be at most 1,024"),
        ({"max_epochs": 100_001}, "epochs must be at most 100,000"),
        ({"learning_rate": 1e308}, "learning rate must be at most 100"),
        ({"init_scale": 10.5}, "weight scale must be at most 10"),
        ({"init_scale": 1e308}, "weight scale must be at most 10"),
        ({"init_scale": -1.0}, "must not be negative"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_hello_settings_are_input_errors(options, match):
    with pytest.raises(InputError, match=match):
        HelloSettings(**options)


def test_diverging_hello_stops_with_one_clear_error(monkeypatch):
    _poison_after(monkeypatch, 2)
    with pytest.raises(InputError, match="diverged at epoch 2: .*smaller learning rate"):
        run_hello(HelloSettings())


def test_hello_reports_progress_at_most_about_200_times():
    calls = []
    run_hello(
        HelloSettings(max_epochs=1000, learning_rate=1e-6),
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[-1] == (1000, 1000) and len(calls) == 200
    assert all(total == 1000 for _, total in calls)


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


def test_factors_over_the_first_and_last_steps_tell_the_clipped_curve_apart():
    small, small_clip, large, large_clip = run_vanishing(VanishingSettings()).curves
    for curve, rate in ((small, 0.5), (small_clip, 0.5), (large, 1.5)):
        assert curve.early_factor == pytest.approx(rate, rel=1e-9)
        assert curve.late_factor == pytest.approx(rate, rel=1e-9)
    # capped at 5 after four steps: 5 over the first ten steps, flat at the end
    assert large_clip.early_factor == pytest.approx(5 ** (1 / 10), rel=1e-9)
    assert large_clip.late_factor == pytest.approx(1.0, rel=1e-12)


def test_huge_norms_are_exact_and_overflow_is_marked_not_warned():
    settings = VanishingSettings(steps=200, large=100.0)
    _, _, large, large_clip = run_vanishing(settings).curves
    # 100^k is exact up to the largest float, inf (overflowed) from k = 155
    k = np.arange(155)
    np.testing.assert_allclose(large.norms[:155], 100.0**k, rtol=1e-9)
    assert np.isinf(large.norms[155:]).all() and large.overflow_step == 155
    assert large.late_factor is None and large.early_factor == pytest.approx(100, rel=1e-9)
    # clipping keeps its curve at the threshold all the way, not 0 or NaN
    assert large_clip.norms[0] == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(large_clip.norms[1:], 5.0, rtol=1e-12)
    assert large_clip.overflow_step is None


@pytest.mark.parametrize(
    "options,match",
    [
        ({"steps": 10_001}, "steps must be at most 10,000"),
        ({"hidden": 1025}, "hidden units must be at most 1,024"),
        ({"large": 1e200}, "large recurrent scale must be at most 100"),
        ({"small": 100.5}, "small recurrent scale must be at most 100"),
        ({"clip": 1e300}, "clipping threshold must be at most 1e\\+06"),
        ({"input_scale": 1e300}, "input scale must be at most 1000"),
        ({"steps": 1}, "steps must be at least 2"),
    ],
)
def test_bad_vanishing_settings_are_input_errors(options, match):
    with pytest.raises(InputError, match=match):
        VanishingSettings(**options)


def test_vanishing_reports_progress_per_curve():
    calls = []
    run_vanishing(VanishingSettings(steps=5), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


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
    factors = {row[0]: row[1:] for row in cells if row and "->" in row[0]}
    assert [float(x) for x in factors["0->10"]] == pytest.approx([0.5, 0.5, 1.5, 1.175], rel=1e-3)
    assert [float(x) for x in factors["39->49"]] == pytest.approx([0.5, 0.5, 1.5, 1.0], rel=1e-3)


def test_vanishing_columns_never_run_together(capsys):
    status, out, err = front_door(
        ["task", "vanishing", "--small", "0.000123456", "--large", "99.5", "--steps", "3"],
        capsys,
    )
    assert status == 0 and err == ""
    header = next(line for line in out.splitlines() if line.lstrip().startswith("steps back"))
    assert header.split() == [
        "steps", "back", "r=0.000123456", "r=0.000123456", "clipped", "r=99.5", "r=99.5",
        "clipped",
    ]
    for line in out.splitlines():
        if line[:10].strip().isdigit():
            assert len(line.split()) == 5


def test_vanishing_overflow_is_printed_as_such_without_warnings(capsys):
    status, out, err = front_door(
        ["task", "vanishing", "--steps", "2000", "--every", "500"], capsys
    )
    assert status == 0 and err == ""
    cells = [line.split() for line in out.splitlines()]
    rows = {int(row[0]): row[1:] for row in cells if row and row[0].isdigit()}
    assert rows[1500][2] == "1.3705e+264" and rows[1999][2] == "overflow"
    assert float(rows[1999][3]) == pytest.approx(5.0)
    assert "nan" not in out.lower() and "inf" not in out
    assert "overflow: the norm is beyond the largest float" in out


def test_vanishing_draws_a_progress_bar_on_a_terminal(capsys, monkeypatch):
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    status = cli.main(["task", "vanishing", "--steps", "5"])
    assert status == 0
    assert "vanishing [" in screen.getvalue() and "100% 4/4" in screen.getvalue()
    assert screen.getvalue().endswith("\r\x1b[2K")
    assert "steps back" in capsys.readouterr().out


def test_hello_prints_the_loss_of_the_probabilities_it_shows(capsys):
    status, out, err = front_door(["task", "hello"], capsys)
    assert status == 0 and err == ""
    final = float(re.search(r"loss [\d.]+ -> ([\d.]+)\)", out).group(1))
    rows = [line.split() for line in out.splitlines() if line[:4].strip().isdigit()]
    column = {c: 3 + i for i, c in enumerate("helo")}
    # cross-entropy of the printed (4-decimal) probabilities of the targets
    shown = -sum(np.log(float(row[column[row[2]]])) for row in rows)
    assert final == pytest.approx(shown, abs=2e-3)


def test_hello_that_does_not_reach_the_goal_exits_1_with_its_results(capsys):
    status, out, err = front_door(
        ["task", "hello", "--max-epochs", "5", "--lr", "0.0001"], capsys
    )
    assert status == 1 and err == ""
    assert "did NOT reach e,l,l,o within 5 epochs" in out
    assert len([line for line in out.splitlines() if line[:4].strip().isdigit()]) == 4


def test_hello_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        cli.main(["task", "hello", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "1 when they do not within --max-epochs" in text


@pytest.mark.parametrize(
    "argv,message",
    [
        (["addition", "--hidden", "100000"], "--hidden must be at most 1,024, not 100,000"),
        (["hello", "--hidden", "100000"], "--hidden must be at most 1,024"),
        (["vanishing", "--hidden", "100000"], "--hidden must be at most 1,024"),
        (["addition", "--examples", "1000000000"], "--examples must be at most 1,000,000"),
        (["addition", "--lr", "1e308"], "--lr must be at most 100"),
        (["vanishing", "--steps", "3000000"], "--steps must be at most 10,000"),
        (
            ["hello", "--max-epochs", "1000000000", "--lr", "1e-9"],
            "--max-epochs must be at most 100,000",
        ),
        (["hello", "--init-scale", "1e308"], "--init-scale must be at most 10"),
        (["hello", "--lr", "1e308"], "--lr must be at most 100"),
        (["vanishing", "--large", "1e200"], "--large must be at most 100"),
        (["vanishing", "--clip", "1e300"], "--clip must be at most 1e+06"),
        (["vanishing", "--input-scale", "1e300"], "--input-scale must be at most 1000"),
        (["addition", "--hidden", "1024", "--examples", "1000000"], "too much training"),
        (["hello", "--hidden", "1024", "--max-epochs", "100000"], "too much training"),
        (["vanishing", "--small", "-1e-3"], "--small must be above 0, not '-1e-3'"),
        (["vanishing", "--small", "-.5"], "--small must be above 0, not '-.5'"),
        (["hello", "--seed", "-1e3"], "--seed must be a whole number, not '-1e3'"),
    ],
)
def test_limits_and_negative_values_get_one_line_and_exit_2(argv, message, capsys):
    status, out, err = front_door(["task"] + argv, capsys)
    assert status == 2 and out == ""
    assert err.startswith(f"rnnviz: {message}") and err.count("\n") == 1


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
