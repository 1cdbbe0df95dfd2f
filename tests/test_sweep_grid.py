"""The heat map's numbers (issue 16): η × one start weight, each cell its run alone, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine import progress
from rnnviz.engine.batched_learner import run_many
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import LearnerParams, State, summarize, trace
from rnnviz.engine.sequences import parse_sequence
from rnnviz.present.sweep_grid import (
    ETA_POINTS,
    MAX_LEARNER_TICKS,
    W0_POINTS,
    grid_key,
    code_classes,
    weight_grid,
)

STREAM = "1^10 0^10 (10)^8"
PARAMS = LearnerParams(rule="sequential", activation="sigmoid", gain=1.5, init=(0.5, -0.5, 0.25), h0=0.2)


def _alone(bits, params):
    state, builders = summarize(bits, params)
    err = trace(bits, params)["err"]
    return state, np.add.accumulate(np.abs(err))[-1] / len(err), {w: b.text() for w, b in builders.items()}


@pytest.mark.parametrize("weight", WEIGHTS)
def test_every_cell_is_its_run_alone_bit_for_bit(weight):
    bits = parse_sequence(STREAM)
    eta, w0 = np.geomspace(0.05, 60.0, 5), np.linspace(-2.0, 2.0, 4)
    grid = weight_grid(bits, PARAMS, weight, eta=eta, w0=w0)
    assert grid.shape == (4, 5) and grid.ticks == len(bits) - 1
    np.testing.assert_array_equal(grid.eta, eta)
    np.testing.assert_array_equal(grid.w0, w0)
    for row in range(4):
        for column in range(5):
            init = grid.start(PARAMS.init, row)
            # the other two start weights are the session's, the swept one the row's
            assert [v for w, v in zip(WEIGHTS, init) if w != weight] == [
                v for w, v in zip(WEIGHTS, PARAMS.init) if w != weight]
            assert init[WEIGHTS.index(weight)] == w0[row]
            params = PARAMS.with_changes(eta=float(eta[column]), init=init)
            state, mean, notation = _alone(bits, params)
            assert tuple(grid.final[row, column].tolist()) == tuple(state)[:3]
            assert grid.mean_err[row, column] == mean
            assert grid.notation(grid.classes[row, column]) == notation
            for name in WEIGHTS:
                assert grid.measure(name)[row, column] == getattr(state, name)
    assert grid.class_count == len(np.unique(grid.classes)) > 1
    with pytest.raises(InputError, match="no class"):
        grid.notation(grid.class_count + 1)
    assert grid.measure("class") is grid.classes


def _text_classes(runs):
    """The oracle: classes by the texts of every run's notation, numbered as first seen."""
    numbers, labels, texts = {}, [], []
    for run in range(len(runs)):
        notation = runs.notation(run)
        key = tuple(notation[w] for w in WEIGHTS)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            texts.append(notation)
        labels.append(numbers[key])
    return labels, texts


@pytest.mark.parametrize("text, activation", [("(10)^6 1^5", "sigmoid"), ("random(60, 0.5, 4)", "tanh"),
                                              ("1^10 0^10", "bipolar")])
@pytest.mark.parametrize("passes_of", [7, 512])
def test_classes_from_the_codes_are_the_classes_of_the_texts(text, activation, passes_of, monkeypatch):
    from rnnviz.present import sweep_grid

    monkeypatch.setattr(sweep_grid, "CLASS_TICKS", passes_of)  # 7: the codes split in several passes
    bits = parse_sequence(text)
    rng = np.random.default_rng(5)
    init = rng.uniform(-2, 2, (300, 3))
    init[:100] = 0.0  # many runs start at zero weights: notations starting with 0
    runs = run_many(bits, np.geomspace(0.01, 100, 300), init, activation=activation)
    labels, first_runs = code_classes(runs)
    expected, texts = _text_classes(runs)
    assert labels.tolist() == expected
    assert [runs.notation(int(run)) for run in first_runs] == texts


def test_the_default_grid_and_its_key():
    grid = weight_grid(parse_sequence("(10)^10"), LearnerParams(eta=3.0))
    assert grid.shape == (W0_POINTS, ETA_POINTS)
    assert grid.eta[0] == pytest.approx(0.01) and grid.eta[-1] == pytest.approx(100.0)
    assert grid.w0[0] == -3.0 and grid.w0[-1] == 3.0
    # η and the swept start weight do not change what the grid is; the other settings do
    params = LearnerParams(init=(0.1, 0.2, 0.3))
    assert grid_key(params, "hh") == grid_key(params.with_changes(eta=9.0, init=(0.1, -1.0, 0.3)), "hh")
    assert grid_key(params, "hh") != grid_key(params.with_changes(init=(0.5, 0.2, 0.3)), "hh")
    assert grid_key(params, "hh") != grid_key(params, "ih")


def test_describe_names_the_cell():
    bits = parse_sequence(STREAM)
    grid = weight_grid(bits, PARAMS, "ho", eta=[0.5, 5.0], w0=[-1.0, 1.0])
    text = grid.describe(1, 0)
    assert text.startswith("η 0.5 · start ho 1")
    assert f"class {grid.classes[1, 0]}" in text and "ih:" in text


@pytest.mark.parametrize("kwargs, words", [
    ({"weight": "hx"}, "ih, hh or ho"),
    ({"eta": []}, "at least one"),
    ({"w0": [float("nan")]}, "finite"),
    ({"w0": [2e6]}, "at most"),
    ({"eta": [-1.0]}, "negative"),
])
def test_bad_grids_are_one_line(kwargs, words):
    weight = kwargs.pop("weight", "hh")
    with pytest.raises(InputError, match=words):
        weight_grid(parse_sequence(STREAM), PARAMS, weight, **kwargs)


def test_too_much_work_and_no_learning_are_refused():
    bits = parse_sequence("1^30")
    many = int(MAX_LEARNER_TICKS / 29) + 1
    with pytest.raises(InputError, match="too large"):
        weight_grid(bits, PARAMS, eta=np.geomspace(0.1, 1, many), w0=[0.0])
    with pytest.raises(InputError, match="learning is off"):
        weight_grid(bits, PARAMS.with_changes(learning=False))
    with pytest.raises(InputError, match="at least 2 bits"):
        weight_grid(parse_sequence("1"), PARAMS)


def test_progress_rises_to_the_whole_and_cancel_stops():
    bits = parse_sequence("(10)^40")
    seen = []
    with progress.reporting(lambda done, total: seen.append((done, total))):
        weight_grid(bits, PARAMS, eta=np.geomspace(0.1, 10, 8), w0=np.linspace(-1, 1, 70))
    dones = [d for d, _ in seen]
    work = 8 * 70 * (len(bits) - 1)  # learner-ticks, then the classes as a fifth more
    assert dones == sorted(dones) and {t for _, t in seen} == {work + work // 5}
    assert seen[-1][0] == seen[-1][1]

    def cancel(done, total):
        raise Cancelled("stop")

    with progress.reporting(cancel), pytest.raises(Cancelled):
        weight_grid(bits, PARAMS)
