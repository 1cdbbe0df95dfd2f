"""``rnnviz sweep``: what a user reads, equal to the one-at-a-time commands' numbers.

``sweep addition`` rows against :func:`run_addition` per seed; ``sweep eta``
rows against :func:`summarize` per η; every bad range is one line on standard
error, status 2, nothing on standard output.
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from rnnviz.engine.learner import LearnerParams, summarize
from rnnviz.engine.sequences import parse_sequence
from rnnviz.tasks.addition import AdditionSettings, run_addition

ADDITION = ("sweep", "addition", "--seeds", "0-2", "--hidden", "6", "--lr", "1",
            "--examples", "200")


def test_addition_csv_rows_are_each_seeds_run_alone(cli):
    status, out, err = cli(*ADDITION, "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(row["seed"]) for row in rows] == [0, 1, 2]
    for row in rows:
        alone = run_addition(AdditionSettings(hidden=6, learning_rate=1.0, examples=200,
                                              seed=int(row["seed"])))
        assert int(row["held_out_correct"]) == alone.held_out_correct
        assert float(row["final_error"]) == float(alone.errors[-20:].mean())
        assert row["outcome"] == ("learned" if alone.held_out_correct == 200 else "failed")


def test_addition_table_and_json_agree_on_the_summary(cli):
    status, table, _ = cli(*ADDITION)
    assert status == 0
    status, text, _ = cli(*ADDITION, "--format", "json")
    document = json.loads(text)
    assert document["summary"] in table
    assert document["summary"].startswith(f"{document['learned']} of 3 seeds learned")
    assert len(document["seeds"]) == 3


def test_eta_sweep_rows_are_each_runs_trace_summary(cli):
    status, out, err = cli("sweep", "eta", "1^10 0^10", "--eta", "0.5..50", "--points", "7",
                           "--init", "0.5,-0.5,0.25", "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    etas = np.geomspace(0.5, 50.0, 7)
    assert [float(row["eta"]) for row in rows] == etas.tolist()
    bits = parse_sequence("1^10 0^10")
    classes = {}
    for row, eta in zip(rows, etas.tolist()):
        state, builders = summarize(bits, LearnerParams(eta=eta, init=(0.5, -0.5, 0.25)))
        assert (float(row["ih"]), float(row["hh"]), float(row["ho"])) == state[:3]
        notation = tuple(builders[w].text() for w in ("ih", "hh", "ho"))
        assert (row["notation_ih"], row["notation_hh"], row["notation_ho"]) == notation
        classes.setdefault(notation, row["class"])
        assert classes[notation] == row["class"]
    assert sorted(set(classes.values()), key=int) == [str(n) for n in range(1, len(classes) + 1)]


def test_eta_sweep_table_names_the_classes(cli):
    status, out, _ = cli("sweep", "eta", "1^10 0^10", "--eta", "5", "--points", "1", "--ascii")
    assert status == 0
    assert "1 notation class " in out
    assert "ho: +^9 -^5 , -^5" in out
    status, text, _ = cli("sweep", "eta", "(10)^5", "--points", "3", "--format", "json")
    document = json.loads(text)
    assert len(document["runs"]) == 3 and document["ticks"] == 9
    assert sum(c["runs"] for c in document["classes"]) == 3


@pytest.mark.parametrize("args, words", [
    (("addition", "--seeds", "5-2"), "ends before it starts"),
    (("addition", "--seeds", "a-b"), "whole number"),
    (("addition", "--seeds", ""), "empty"),
    (("addition", "--seeds", "0-5000"), "at most"),
    (("addition", "--seeds", "1,1"), "twice"),
    (("addition", "--seeds", "0-999", "--examples", "100000"), "seeds times examples"),
    (("addition", "--seeds", "0-99", "--hidden", "1024", "--examples", "10000"), "too much"),
    (("eta", "1^10 0^10", "--eta", "100..0.01"), "reversed"),
    (("eta", "1^10 0^10", "--eta", ".."), "range LO..HI"),
    (("eta", "1^10 0^10", "--eta", "nan..1"), "finite"),
    (("eta", "1^10 0^10", "--eta", "0.1..inf"), "finite"),
    (("eta", "1^10 0^10", "--eta", "0..1"), "above 0"),
    (("eta", "1^10 0^10", "--eta", "2..2"), "empty"),
    (("eta", "1^10 0^10", "--points", "0"), "at least 1"),
    (("eta", "1^10 0^10", "--points", "100001"), "at most"),
    (("eta", "random(2000000, 0.5, 1)", "--points", "100"), "at most 100,000,000"),
    (("eta", "1"), "at least 2 bits"),
])
def test_bad_ranges_are_one_line_and_status_2(cli, args, words):
    status, out, err = cli("sweep", *args)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and words in err
