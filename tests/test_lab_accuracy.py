"""The lab's accuracy per update (issue 14, item 5): what a user reads beside the loss curve.

Each stored update keeps the fraction of its example's outputs that were right
*before* it, from the forward pass the update made. Checked here against an
independent reading of the engine's own forward pass with the state before
the update (the sum the network wrote, the letters it predicted), and for
surviving every way of coming back to an update: back, seek, changes at the
cursor and a saved log replayed.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.runs.lab import LabRun, LabSettings, RepeatedExample
from rnnviz.runs.lab_scoring import Scoring, argmax_right, every_bit_right
from rnnviz.tasks.hello import VOCABULARY
from rnnviz.tasks.lab_presets import PRESETS


def fresh_network(key: str, run: LabRun) -> ElmanNetwork:
    """A network of the preset's kind, apart from the run's, for the state before an update."""
    return PRESETS[key].make_run(0).network


def sum_written(network: ElmanNetwork, run: LabRun, t: int) -> tuple[int, int]:
    """(the sum the network wrote for example t, the true sum): bits read as ŷ > 0.5, LSB first."""
    inputs, _, _ = run.source.example(t)
    bits = network.forward(inputs).outputs[:, 0] > 0.5
    a, b = run.source.pair(t)
    return sum(1 << i for i, bit in enumerate(bits) if bit), a + b


def test_addition_counts_a_sum_right_only_when_the_network_wrote_it_exactly() -> None:
    run = PRESETS["addition"].make_run(0)
    run.seek(5000)
    accuracy = run.accuracies()
    assert run.accuracy_label == "sums right"
    assert accuracy.shape == (5000,) and set(np.unique(accuracy)) <= {0.0, 1.0}
    assert accuracy[:200].mean() < 0.2 < 0.9 < accuracy[-200:].mean()  # it learns to add
    checked = {0: 0, 1: 0}
    for t in [0, 1, 999, 1500, 2100, 2500, 4999, *range(1800, 1830)]:
        network = fresh_network("addition", run)
        network.set_parameters(run.state_at(t))
        written, true = sum_written(network, run, t)
        assert accuracy[t] == (1.0 if written == true else 0.0), t
        checked[written == true] += 1
        assert run.record(t).accuracy == accuracy[t]
    assert checked[0] and checked[1]  # both kinds of update were looked at


def test_hello_counts_the_steps_whose_likeliest_letter_is_the_next_one() -> None:
    run = PRESETS["hello"].make_run(0)
    run.seek(300)
    accuracy = run.accuracies()
    assert run.accuracy_label == "next letters right"
    assert set(np.unique(accuracy)) <= {0.0, 0.25, 0.5, 0.75, 1.0}
    assert accuracy[-1] == 1.0 and accuracy[0] < 1.0
    for t in [0, 1, 2, 10, 50, 299]:
        network = fresh_network("hello", run)
        network.set_parameters(run.state_at(t))
        inputs, _, _ = run.source.example(t)
        predicted = "".join(VOCABULARY[i] for i in network.forward(inputs).outputs.argmax(axis=1))
        assert accuracy[t] == sum(p == n for p, n in zip(predicted, "ello")) / 4, (t, predicted)


@pytest.mark.parametrize("key", ["worked", "vanishing"])
def test_regression_presets_have_no_accuracy(key: str) -> None:
    run = PRESETS[key].make_run(0)
    run.step(3)
    assert run.accuracies() is None and run.accuracy_label is None
    assert run.record(2).accuracy is None


def test_accuracy_comes_back_exactly_after_moves_changes_and_a_saved_log() -> None:
    run = PRESETS["hello"].make_run(0)
    run.seek(120)
    first = run.accuracies().copy()
    run.back(70)
    run.seek(30)
    assert np.array_equal(run.accuracies(), first)  # moving back keeps every stored update
    run.set_settings(LabSettings(0.3))  # forgets 30 … 119, keeps 0 … 29
    assert np.array_equal(run.accuracies(), first[:30])
    run.seek(200)
    changed = run.accuracies().copy()
    text = json.dumps(run.log())
    again = PRESETS["hello"].replay(json.loads(text), 200)
    assert np.array_equal(again.accuracies(), changed)
    assert again.accuracies().tobytes() == changed.tobytes()
    fresh = PRESETS["hello"].make_run(0)
    fresh.seek(120)  # the same run without the change: the first stretch as first computed
    assert np.array_equal(fresh.accuracies(), first)


def test_masked_steps_do_not_count_and_the_rules_read_the_half_way_line() -> None:
    outputs = np.array([[0.9], [0.2], [0.6]])
    targets = np.array([[1.0], [0.0], [0.0]])
    assert every_bit_right(outputs, targets, None) == 0.0  # the last bit is wrong
    assert every_bit_right(outputs, targets, np.array([1.0, 1.0, 0.0])) == 1.0
    assert every_bit_right(outputs, targets, np.zeros(3)) == 1.0  # nothing scored: nothing wrong
    letters = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    assert argmax_right(letters, np.eye(3)[[1, 2]], None) == 0.5
    assert argmax_right(letters, np.eye(3)[[1, 2]], np.array([0.0, 1.0])) == 0.0
    # A run on a masked source scores only the kept steps.
    network = ElmanNetwork(1, 2, 1, seed=0)
    source = RepeatedExample([[1.0], [0.0]], [[1.0], [0.0]], [False, True],
                             scoring=Scoring("bits right", every_bit_right))
    run = LabRun(network, source, LabSettings(0.1), 5)
    start = ElmanNetwork(1, 2, 1, seed=0).forward([[1.0], [0.0]]).outputs
    run.step()
    assert run.accuracies()[0] == (1.0 if start[1, 0] <= 0.5 else 0.0)
