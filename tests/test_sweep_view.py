"""The sweep view's numbers (issue 16): the CLI's rows and classes, and each run alone in a session."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.sequences import parse_sequence
from rnnviz.present.sweep_view import MAX_TICKS, eta_sweep
from rnnviz.session import Session

STREAM = "1^10 0^10 (10)^8"
PARAMS = LearnerParams(rule="sequential", activation="sigmoid", gain=1.5, init=(0.5, -0.5, 0.25), h0=0.2)


def _cli_rows(cli, points: int) -> list[dict[str, str]]:
    status, out, err = cli("sweep", "eta", STREAM, "--eta", "0.01..100", "--points", str(points),
                           "--gain", "1.5", "--init", "0.5,-0.5,0.25", "--h0", "0.2", "--format", "csv")
    assert status == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_points_and_classes_equal_the_cli_rows(cli):
    sweep = eta_sweep(parse_sequence(STREAM), PARAMS, points=40)
    rows = _cli_rows(cli, 40)
    assert len(sweep) == len(rows) == 40
    assert [float(r["eta"]) for r in rows] == sweep.eta.tolist()
    assert [float(r["mean_err"]) for r in rows] == sweep.mean_err.tolist()
    for weight in ("ih", "hh", "ho"):
        assert [float(r[weight]) for r in rows] == sweep.measure(weight).tolist()
    assert [int(r["class"]) for r in rows] == sweep.classes.tolist()
    assert sweep.class_count == max(int(r["class"]) for r in rows) > 1  # the stream splits η
    assert sweep.measure("mean_err") is sweep.mean_err


def test_a_chosen_run_equals_a_session_alone_at_that_eta():
    bits = parse_sequence(STREAM)
    sweep = eta_sweep(bits, PARAMS)
    assert len(sweep) == 120 and sweep.eta[0] == pytest.approx(0.01) and sweep.eta[-1] == pytest.approx(100)
    for k in (0, 57, 119):
        session = Session(bits, PARAMS.with_changes(eta=float(sweep.eta[k])))
        session.run_to_end()
        state = session.state
        assert (state.ih, state.hh, state.ho) == tuple(sweep.final[k].tolist())
        assert float(np.mean(np.abs(session.history["err"]))) == pytest.approx(sweep.mean_err[k], rel=1e-12)
        assert {w: session.notation(w) for w in ("ih", "hh", "ho")} == sweep.notations[sweep.classes[k] - 1]


def test_classes_are_numbered_in_eta_order():
    sweep = eta_sweep(parse_sequence(STREAM), PARAMS, points=60)
    firsts = [int(np.argmax(sweep.classes == n)) for n in range(1, sweep.class_count + 1)]
    assert firsts == sorted(firsts)
    count, low, high = sweep.class_span(1)
    assert count == int(np.sum(sweep.classes == 1)) and low == sweep.eta[0] <= high


@pytest.mark.parametrize("bits, params, words", [
    ("1", LearnerParams(), "at least 2 bits"),
    ("1010", LearnerParams(learning=False), "learning is off"),
    ("1" * (MAX_TICKS + 2), LearnerParams(), "too long"),
])
def test_nothing_to_sweep_is_one_line(bits, params, words):
    with pytest.raises(InputError, match=words):
        eta_sweep(parse_sequence(bits) if len(bits) < 10 else np.ones(len(bits)), params)


def test_a_run_described_names_its_eta_weights_class_and_notation():
    sweep = eta_sweep(parse_sequence(STREAM), PARAMS, points=30)
    run = 20
    text = sweep.describe(run)
    first, weights, *notation = text.splitlines()
    assert first.startswith(f"η {sweep.eta[run]:.4g} ") and f"class {sweep.classes[run]}" in first
    assert weights == "final ih {:.4g}, hh {:.4g}, ho {:.4g}".format(*sweep.final[run].tolist())
    for line, weight in zip(notation, ("ih", "hh", "ho")):
        full = sweep.notations[sweep.classes[run] - 1][weight]
        shown = line.removeprefix(f"{weight}: ")
        assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))
