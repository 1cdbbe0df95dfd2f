"""The race's presets (rnnviz/tasks/race_presets.py): the memory task's training, as lab runs.

Each preset's updates are the memory task's own (rnnviz/tasks/memory.py) bit for bit
wherever the two train: the same sequences, the same weights, the same clipped SGD
step; the three cells learn from one stream; a saved log replays exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.errors import InputError
from rnnviz.engine.optim import SGD
from rnnviz.runs.lab import LabSettings, state_names
from rnnviz.tasks.memory import (
    CHECK_EVERY,
    CLIP_NORM,
    HELD_OUT,
    VALIDATION,
    _train_batch,
    memory_data,
    memory_network,
    recalled,
    run_memory,
)
from rnnviz.tasks.race_presets import (
    RACE_CELLS,
    RACE_LAG,
    RACE_PRESETS,
    RACE_UPDATES,
    held_out_rate,
    race_preset,
    race_run,
    race_settings,
)

LAG, UPDATES = 8, 1536  # short, so that the tests are quick; the race's own are longer


def state(run) -> dict[str, np.ndarray]:
    return run.state_at(run.cursor)


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("cell", RACE_CELLS)
def test_every_update_is_the_memory_tasks_own_bit_for_bit(cell: str) -> None:
    seed = 2
    settings = race_settings(cell, seed, LAG, UPDATES)
    run = race_run(cell, seed, LAG, UPDATES)
    network = memory_network(settings, np.random.default_rng([seed, 0]))
    training = np.random.default_rng([seed, 1])
    optimizer, clip = SGD(), Clipping("norm", CLIP_NORM)
    losses = [_train_batch(network, memory_data(training, 1, LAG), optimizer, clip,
                           settings.learning_rate) for _ in range(300)]
    run.step(300)
    assert np.array_equal(run.losses(), losses)
    live = network.parameters()
    assert all(np.array_equal(state(run)[name], live[name]) for name in network.parameter_names)


@pytest.mark.parametrize("cell", RACE_CELLS)
def test_the_memory_tasks_checks_and_result_are_the_runs(cell: str) -> None:
    seed = 1
    result = run_memory(race_settings(cell, seed, LAG, UPDATES))
    run = race_run(cell, seed, LAG, UPDATES)
    checking = np.random.default_rng([seed, 2])
    validation = memory_data(checking, VALIDATION, LAG)
    for done, loss, rate in result.checks:
        run.seek(done)
        assert np.mean(run.losses()[done - CHECK_EVERY:done]) == loss
        assert recalled(run.network, validation) / VALIDATION == rate
    run.seek(result.sequences_used)
    assert held_out_rate(run, seed) == result.held_out_correct / HELD_OUT


def test_the_three_cells_learn_from_one_stream() -> None:
    runs = {cell: race_run(cell, 3, LAG, 64) for cell in RACE_CELLS}
    for t in (0, 1, 63):
        first = runs["rnn"].source.example(t)
        for run in runs.values():
            assert all(np.array_equal(a, b) for a, b in zip(run.source.example(t), first))
    x, y, mask = first
    assert x.shape == (LAG + 1, 2) and y[-1, 0] == x[0, 0] and mask.tolist() == [False] * LAG + [True]
    other = race_run("rnn", 4, LAG, 64).source
    assert not np.array_equal(other.bits, runs["rnn"].source.bits)
    assert "c0" in state_names(runs["lstm"].network) and "c0" not in state_names(runs["gru"].network)


def test_the_presets_are_the_race_at_its_settings() -> None:
    assert list(RACE_PRESETS) == ["memory-rnn", "memory-lstm", "memory-gru"]
    run = race_preset("memory-gru").make_run(0)
    assert run.n_updates == RACE_UPDATES and run.source.steps == RACE_LAG + 1
    assert run.settings.clipping == Clipping("norm", CLIP_NORM, scope="gradient")
    assert run.accuracy_label == "first bit right"
    run.step(3)
    right = [float((run.record(t).accuracy)) for t in range(3)]
    assert set(right) <= {0.0, 1.0}


@pytest.mark.parametrize("key", list(RACE_PRESETS))
def test_a_saved_race_run_replays_bit_for_bit(key: str) -> None:
    preset = race_preset(key)
    run = preset.make_run(1)
    run.step(40)
    run.set_settings(LabSettings(0.05, window=10, clipping=None))
    run.step(30)
    run.scale_w_hh(0.9)
    run.step(10)
    again = preset.replay(json.loads(json.dumps(run.log())), 80, seed=1)
    assert same(state(again), state(run))
    assert np.array_equal(again.losses(), run.losses())
    assert np.array_equal(again.accuracies(), run.accuracies())


@pytest.mark.parametrize("call, message", [
    (lambda: race_run("tanh"), "unknown race cell 'tanh'; choose one of rnn, lstm, gru"),
    (lambda: race_preset("memory-elman"), "unknown race preset 'memory-elman'"),
    (lambda: race_preset("memory-lstm").make_run(-1), "the seed"),
    (lambda: race_run("gru", 0, 0), "the lag"),
    (lambda: race_run("gru", 0, 5, 0), "the number of updates"),
])
def test_bad_settings_are_one_line(call, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)
