"""``rnnviz sweep eta … --w0 NAME=LO..HI``: the grid of η × a start weight, as the heat map has it."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from rnnviz.engine.learner import LearnerParams, summarize
from rnnviz.engine.sequences import parse_sequence
from rnnviz.present.sweep_grid import weight_grid

STREAM = "1^10 0^10"
GRID = ("sweep", "eta", STREAM, "--eta", "0.5..50", "--points", "4", "--w0", "ho=-1..2",
        "--w0-points", "3", "--init", "0.5,-0.5,0.25")


def test_rows_are_each_runs_summary_and_the_heat_maps_cells(cli):
    status, out, err = cli(*GRID, "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    etas, starts = np.geomspace(0.5, 50.0, 4), np.linspace(-1.0, 2.0, 3)
    assert len(rows) == 12
    bits = parse_sequence(STREAM)
    for k, row in enumerate(rows):
        w0, eta = starts[k // 4], etas[k % 4]  # start by start, η rising along each
        assert (float(row["eta"]), float(row["w0_ho"])) == (eta, w0)
        state, builders = summarize(bits, LearnerParams(eta=eta, init=(0.5, -0.5, w0)))
        assert (float(row["ih"]), float(row["hh"]), float(row["ho"])) == state[:3]
        assert [row[f"notation_{w}"] for w in ("ih", "hh", "ho")] == [
            builders[w].text() for w in ("ih", "hh", "ho")]
    grid = weight_grid(bits, LearnerParams(init=(0.5, -0.5, 0.25)), "ho", eta=etas, w0=starts)
    assert [int(row["class"]) for row in rows] == grid.classes.reshape(-1).tolist()
    assert [float(row["mean_err"]) for row in rows] == grid.mean_err.reshape(-1).tolist()


def test_the_table_draws_the_class_map_and_json_has_the_axes(cli):
    status, out, _ = cli(*GRID)
    assert status == 0
    lines = out.splitlines()
    assert "eta x start ho" in lines[0]
    start = lines.index(next(line for line in lines if line.startswith("class map")))
    mapped = lines[start + 1 : start + 4]
    assert [line.split("|")[0].strip() for line in mapped] == ["2", "0.5", "-1"]  # highest first
    status, text, _ = cli(*GRID, "--format", "json")
    document = json.loads(text)
    assert document["weight"] == "ho" and document["w0"] == [-1.0, 0.5, 2.0]
    assert document["eta"] == np.geomspace(0.5, 50.0, 4).tolist()
    classes = [run["class"] for run in document["runs"]]
    table = [int(n) for line in mapped[::-1] for n in line.split("|")[1].split()]
    assert classes == table
    assert sum(c["runs"] for c in document["classes"]) == 12


@pytest.mark.parametrize("args, words", [
    (("--w0", "hx=1..2"), "ih, hh or ho"),
    (("--w0", "hh=2..1"), "reversed"),
    (("--w0", "hh"), "NAME=LO..HI"),
    (("--w0", "hh=1..1"), "empty"),
    (("--w0", "hh=nan..1"), "finite"),
    (("--w0", "hh=0..2e7"), "at most"),
    (("--w0", "hh=a..1"), "numbers"),
    (("--w0", "hh=0..1", "--w0-points", "0"), "at least 1"),
    (("--w0-points", "3"), "needs --w0"),
    (("--w0", "hh=0..1", "--w0-points", "1000"), "--points times --w0-points must be at most"),
    (("--w0", "hh=0..1", "--w0-points", "9000", "--points", "10"), "times the stream's ticks"),
])
def test_bad_grids_are_one_line_and_status_2(cli, args, words):
    status, out, err = cli("sweep", "eta", "random(20000, 0.5, 1)" if "9000" in args else STREAM, *args)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and words in err
