"""``rnnviz sweep memory``: what a user reads, equal to ``rnnviz task memory``'s numbers.

Rows against :func:`run_memory` per seed, the summary line, ``--table``
against ``rnnviz task memory --table`` (the same text), and every bad input
one line on standard error, status 2, nothing on standard output.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from rnnviz.tasks.memory import MemorySettings, run_memory

SMALL = ("--lag", "4", "--hidden", "4", "--budget", "700")


def test_csv_rows_are_each_seeds_run_alone(cli):
    status, out, err = cli("sweep", "memory", "--cell", "gru", "--seeds", "0-2", *SMALL,
                           "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(row["seed"]) for row in rows] == [0, 1, 2]
    for row in rows:
        alone = run_memory(MemorySettings(cell="gru", lag=4, hidden=4, sequences=700,
                                          seed=int(row["seed"])))
        assert int(row["held_out_correct"]) == alone.held_out_correct
        assert int(row["sequences_used"]) == alone.sequences_used
        assert row["succeeded"] == str(alone.succeeded)


def test_table_and_json_agree_on_the_summary(cli):
    args = ("sweep", "memory", "--cell", "rnn", "--seeds", "3,5", "--optimizer", "sgd",
            "--lr", "0.2", *SMALL)
    status, table, _ = cli(*args)
    assert status == 0
    status, text, _ = cli(*args, "--format", "json")
    document = json.loads(text)
    assert document["summary"] in table
    assert document["summary"] == (f"RNN, lag 4: {document['succeeded']} of 2 seeds succeed")
    assert [row["seed"] for row in document["seeds"]] == [3, 5]
    assert document["optimizer"] == "sgd" and document["learning_rate"] == 0.2


def test_table_is_task_memorys_table(cli):
    options = ("--cells", "rnn,lstm", "--lags", "2,3", "--seeds", "0,1", "--hidden", "3",
               "--budget", "600")
    status, swept, err = cli("sweep", "memory", "--table", *options)
    assert status == 0, err
    status, alone, err = cli("task", "memory", "--table", *options[:-2], "--sequences", "600")
    assert status == 0, err
    assert swept == alone


def test_whole_budget_rows_are_the_race_runs(cli):
    """--whole-budget with the race's settings: each seed's held-out recall is its race
    run's after as many updates (the race's scoreboard)."""
    from rnnviz.tasks.race_presets import held_out_rate, race_run

    status, out, err = cli("sweep", "memory", "--cell", "lstm", "--seeds", "0,3", "--lag", "4",
                           "--optimizer", "sgd", "--lr", "0.1", "--budget", "600",
                           "--whole-budget", "--format", "json")
    assert status == 0, err
    document = json.loads(out)
    assert document["stops_early"] is False
    for row in document["seeds"]:
        assert row["sequences_used"] == 600
        run = race_run("lstm", row["seed"], 4, 600)
        run.step(600)
        assert row["held_out_recall"] == held_out_rate(run, row["seed"])


@pytest.mark.parametrize("args, message", [
    (("--seeds", "5-2"), "ends before it starts"),
    (("--seeds", ""), "--seeds is empty"),
    (("--cell", "transformer"), "unknown cell"),
    (("--lag", "0"), "--lag must be"),
    (("--budget", "many"), "--budget"),
    (("--lr", "inf"), "--lr"),
    (("--optimizer", "rmsprop"), "optimizer"),
    (("--lags", "3"), "--lags only applies with --table"),
    (("--table", "--format", "csv"), "--table prints a table only"),
    (("--table", "--whole-budget"), "--whole-budget does not apply with --table"),
])
def test_bad_input_is_one_line(cli, args, message):
    status, out, err = cli("sweep", "memory", *args)
    assert status == 2
    assert out == ""
    assert message in err and err.count("\n") == 1


def test_a_diverged_seed_is_a_row_of_its_own(monkeypatch):
    import numpy as np

    import rnnviz.tasks.sweep_memory as sweep_module
    from rnnviz.commands.sweep_memory import write_memory

    real = sweep_module.memory_network

    def broken(settings, rng):
        network = real(settings, rng)
        if settings.seed == 1:
            network.w_hy[...] = np.nan
        return network

    monkeypatch.setattr(sweep_module, "memory_network", broken)
    sweep = sweep_module.sweep_memory(MemorySettings(lag=3, hidden=3, sequences=600), (0, 1))
    out = io.StringIO()
    write_memory(out, sweep, "json")
    row = json.loads(out.getvalue())["seeds"][1]
    assert row["outcome"] == "diverged at sequence 1" and row["held_out_correct"] is None
    out = io.StringIO()
    write_memory(out, sweep, "table")
    assert "diverged at sequence 1" in out.getvalue()
