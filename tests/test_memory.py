"""The long-memory task memory(L) and ``rnnviz task memory``."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rnnviz import cli
from rnnviz.engine.errors import InputError
from rnnviz.tasks import memory
from rnnviz.tasks.memory import (
    BATCH,
    CHECK_EVERY,
    HELD_OUT,
    MemorySettings,
    memory_data,
    recalled,
    run_memory,
)


def test_the_target_is_the_first_bit_given_at_the_last_step_only():
    data = memory_data(np.random.default_rng(3), 50, 7)
    assert data.inputs.shape == (50, 8, 2) and data.targets.shape == (50, 8, 1)
    assert set(np.unique(data.bits)) == {0.0, 1.0}
    # channel 0 carries the bits, one a step
    np.testing.assert_array_equal(data.inputs[:, :, 0], data.bits)
    # channel 1 says "recall now" at the last step and nowhere else
    np.testing.assert_array_equal(data.inputs[:, :, 1], np.tile([0.0] * 7 + [1.0], (50, 1)))
    np.testing.assert_array_equal(data.targets[:, -1, 0], data.bits[:, 0])
    assert data.mask.tolist() == [False] * 7 + [True]
    # the first bit is not the last: the task is to remember, not to copy
    assert (data.bits[:, 0] != data.bits[:, -1]).any()


def test_a_network_that_outputs_the_last_bit_is_at_chance_and_one_that_knows_is_right():
    data = memory_data(np.random.default_rng(4), 400, 5)

    class Oracle:
        def __init__(self, column: int) -> None:
            self.column = column

        def forward(self, inputs):
            class Pass:
                outputs = np.full((len(inputs), 1), 0.1 + 0.8 * inputs[self.column, 0])
            return Pass()

    assert recalled(Oracle(0), data) == 400
    assert 160 < recalled(Oracle(-1), data) < 240


def test_the_loss_is_only_at_the_last_step_and_settings_are_checked():
    with pytest.raises(InputError, match="unknown cell 'lsmt'; choose one of rnn, lstm, gru"):
        MemorySettings(cell="lsmt")
    with pytest.raises(InputError, match="unknown optimizer 'rmsprop'"):
        MemorySettings(optimizer="rmsprop")
    with pytest.raises(InputError, match="the lag must be at least 1"):
        MemorySettings(lag=0)
    with pytest.raises(InputError, match="too much training"):
        MemorySettings(hidden=1024, lag=1000, sequences=1_000_000)


def test_an_lstm_learns_a_short_lag_within_the_budget():
    result = run_memory(MemorySettings(cell="lstm", lag=5, seed=0))
    assert result.succeeded and result.held_out_correct >= 0.95 * HELD_OUT
    assert result.sequences_used <= result.settings.sequences
    # training stops at the first check whose validation recall is 95 %
    assert result.checks[-1][2] >= 0.95
    assert all(rate < 0.95 for _, _, rate in result.checks[:-1])
    assert result.sequences_used % CHECK_EVERY == 0 and CHECK_EVERY % BATCH == 0


def test_a_tiny_budget_is_a_result_not_an_error():
    result = run_memory(MemorySettings(cell="rnn", lag=3, sequences=8, seed=1))
    assert result.sequences_used == 8 and len(result.checks) == 1
    assert 0 <= result.held_out_correct <= HELD_OUT


def front_door(argv, capsys):
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_command_prints_the_held_out_recall_and_its_verdict(capsys):
    status, out, err = front_door(["task", "memory", "--cell", "gru", "--lag", "4",
                                   "--seed", "2"], capsys)
    result = run_memory(MemorySettings(cell="gru", lag=4, seed=2))
    assert err == "" and status == (0 if result.succeeded else 1)
    held = re.search(r"held-out recall: (\d+)/200 \(([\d.]+)%\): (SUCCEEDED|did NOT succeed)",
                     out)
    assert int(held.group(1)) == result.held_out_correct
    assert (held.group(3) == "SUCCEEDED") == result.succeeded
    assert "network 2-16-1 GRU" in out and "lag 4:" in out
    rows = [line.split() for line in out.splitlines() if line[:10].strip().isdigit()]
    assert [int(row[0]) for row in rows] == [done for done, _, _ in result.checks]


def test_a_run_that_does_not_succeed_exits_1_with_its_results(capsys):
    status, out, err = front_door(["task", "memory", "--cell", "rnn", "--lag", "3",
                                   "--sequences", "4", "--optimizer", "sgd", "--lr", "1e-6"],
                                  capsys)
    assert status == 1 and err == ""
    assert "did NOT succeed" in out and "trained on the whole budget of 4 sequences" in out


def test_the_table_counts_successes_per_cell_and_lag(capsys, monkeypatch):
    calls = []

    def fake(settings, progress=None):
        calls.append((settings.cell, settings.lag, settings.seed))
        right = HELD_OUT if settings.cell != "rnn" or settings.lag < 10 else HELD_OUT // 2
        return memory.MemoryResult(settings, 512, ((512, 0.1, 1.0),), right)

    monkeypatch.setattr(memory, "run_memory", fake)
    status, out, err = front_door(["task", "memory", "--table", "--lags", "5,20",
                                   "--seeds", "0-2", "--hidden", "8"], capsys)
    assert status == 0 and err == ""
    assert len(calls) == 18 and ("gru", 20, 2) in calls
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if line.split() and line.split()[0] in ("rnn", "lstm", "gru")}
    assert rows["rnn"] == ["3/3", "(100%)", "0/3", "(50%)"]
    assert rows["lstm"] == ["3/3", "(100%)", "3/3", "(100%)"]
    assert "out of 3 seeds (0,1,2)" in out and "network 2-8-1" in out


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--cell", "elman"], "unknown cell 'elman'; choose one of rnn, lstm, gru"),
        (["--lag", "0"], "--lag must be at least 1, not 0"),
        (["--lag", "5000"], "--lag must be at most 1,000"),
        (["--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'; choose one of sgd, adam"),
        (["--lr", "nan"], "--lr must be a finite number"),
        (["--sequences", "many"], "--sequences must be a whole number, not 'many'"),
        (["--init-scale", "-1"], "--init-scale must not be negative"),
        (["--seed", "-3"], "--seed must be at least 0"),
        (["--lags", "5,10"], "--lags only applies with --table"),
        (["--table", "--lags", "5,,10"], "--lags must be a comma-separated list"),
        (["--table", "--seeds", "4-1"], "--seeds range '4-1' ends before it starts"),
        (["--table", "--cells", "rnn,tree"], "unknown cell 'tree'"),
        (["--table", "--seeds", "0-999"], "--seeds holds at most 300 seeds"),
        (["--hidden", "1024", "--lag", "1000", "--sequences", "1000000"], "too much training"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(argv, message, capsys):
    status, out, err = front_door(["task", "memory"] + argv, capsys)
    assert status == 2 and out == ""
    assert err.startswith(f"rnnviz: {message}") and err.count("\n") == 1


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_input_gradients_are_the_derivatives_of_the_loss_by_the_inputs(cell):
    settings = MemorySettings(cell=cell, lag=6, hidden=5, seed=1)
    network = memory.memory_network(settings, np.random.default_rng(0))
    data = memory_data(np.random.default_rng(1), 1, 6)
    x, y = data.inputs[0].copy(), data.targets[0]
    keep = data.mask

    def loss() -> float:
        return network.sequence_loss(x, y, mask=keep)

    got = memory.input_gradients(network, x, y, keep)
    for t in (0, 6):
        for n in (0, 1):
            saved = x[t, n]
            x[t, n] = saved + 1e-5
            plus = loss()
            x[t, n] = saved - 1e-5
            minus = loss()
            x[t, n] = saved
            assert got[t, n] == pytest.approx((plus - minus) / 2e-5, rel=1e-6, abs=1e-12)


def test_the_first_bits_reach_is_a_geometric_mean_of_flows():
    settings = MemorySettings(cell="lstm", lag=8, hidden=4, seed=2)
    reach = memory.first_bit_reach(settings, count=3)
    assert 0 < reach < float("inf")


def test_training_that_diverges_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(memory, "_train_batch", lambda *args: float("nan"))
    status, out, err = front_door(["task", "memory", "--lag", "3"], capsys)
    assert status == 2 and out == ""
    assert err.startswith("rnnviz: training diverged after 0 sequences") and err.count("\n") == 1
