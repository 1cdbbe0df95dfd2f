"""The race as one run (rnnviz/runs/race.py) and what its views are handed (rnnviz/present/race.py).

One tick of the race is one update of each of the plain RNN, the LSTM and the GRU;
each is bit for bit the run it would be alone, however the race is moved.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.present.gated import gradient_highway
from rnnviz.present.lab import flow_series, unrolled_state
from rnnviz.present.race import axis_end, flow_strips, held_out_lines, race_curves, race_status
from rnnviz.runs import Run
from rnnviz.runs.race import SLICE_UPDATES, RaceRun
from rnnviz.tasks.race_presets import RACE_CELLS, held_out_rate, race, race_replay, race_run

LAG, UPDATES = 8, 1200  # short: the race's own are 30 and 12,288


def same_state(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_a_race_tick_is_one_update_of_each_bit_for_bit_as_each_alone() -> None:
    seed = 3
    together = race(seed, LAG, UPDATES)
    assert isinstance(together, Run) and together.names == RACE_CELLS
    assert together.step(40) == 40 and together.back(15) == 15
    together.seek(90)
    together.step(10)
    assert together.cursor == together.stored == 100
    for cell in RACE_CELLS:
        alone = race_run(cell, seed, LAG, UPDATES)
        alone.step(100)
        run = together.runs[cell]
        assert run.cursor == 100
        assert np.array_equal(run.losses(), alone.losses())
        assert np.array_equal(run.accuracies(), alone.accuracies())
        assert same_state(together.state_at(100)[cell], alone.state_at(100))
        assert same_state(together.state_at(37)[cell], alone.state_at(37))


def test_moving_back_and_reset_keep_the_three_together() -> None:
    together = race(1, LAG, UPDATES)
    together.seek(50)
    together.seek(20)
    assert {run.cursor for run in together.runs.values()} == {20} and together.stored == 50
    forgets = together.forgets
    together.reset()
    assert together.cursor == together.stored == 0 and together.forgets > forgets
    together.seek(UPDATES + 99)
    assert together.at_end and together.cursor == together.n_ticks == UPDATES


def test_a_long_move_reports_one_bar_and_cancel_leaves_the_three_at_one_tick() -> None:
    together = race(2, LAG, UPDATES)
    reports: list[tuple[int, int]] = []

    def listen(done: int, total: int) -> None:
        reports.append((done, total))
        if done >= 2 * SLICE_UPDATES * len(RACE_CELLS):
            raise Cancelled()

    with progress.reporting(listen), pytest.raises(Cancelled):
        together.seek(UPDATES)
    dones = [done for done, _ in reports]
    assert dones == sorted(dones) and {total for _, total in reports} == {UPDATES * len(RACE_CELLS)}
    cursors = {run.cursor for run in together.runs.values()}
    assert cursors == {together.cursor} and 0 < together.cursor < UPDATES
    alone = race_run("gru", 2, LAG, UPDATES)
    alone.step(together.cursor)
    assert np.array_equal(together.runs["gru"].losses()[: together.cursor], alone.losses())


def test_a_saved_race_replays_bit_for_bit() -> None:
    together = race(4)
    together.seek(60)
    again = race_replay(4, json.loads(json.dumps(together.log())), 60)
    assert again.cursor == 60 and again.seed == 4
    for cell in RACE_CELLS:
        assert np.array_equal(again.runs[cell].losses(), together.runs[cell].losses())
        assert same_state(again.state_at(60)[cell], together.state_at(60)[cell])


@pytest.mark.parametrize("call, message", [
    (lambda: race_replay(0, {"rnn": []}, 0), "one per cell: rnn, lstm, gru"),
    (lambda: race_replay(0, race(0).log(), -1), "the race's cursor"),
    (lambda: race_replay(0, {**race(0).log(), "gru": [{"at": 0}]}, 0), "the GRU's log"),
    (lambda: race(-1), "the seed"),
    (lambda: RaceRun({}), "one or more lab runs"),
    (lambda: RaceRun({"a": race_run("rnn", 0, LAG, 10), "b": race_run("rnn", 0, LAG, 20)}),
     "the same number of updates"),
])
def test_bad_input_is_one_line(call, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_the_strips_are_the_gated_views_values_for_the_next_sequence() -> None:
    together = race(0)
    together.seek(30)
    strips = flow_strips(together)
    runs = together.runs
    x, y, mask = runs["rnn"].source.example(30)
    lstm = gradient_highway(runs["lstm"].network, x, y, mask)
    gru = gradient_highway(runs["gru"].network, x, y, mask)
    plain = flow_series(unrolled_state(runs["rnn"].network, x, y, mask)).grad_norms
    assert strips.example == 30 and strips.first_bit == int(x[0, 0])
    assert strips.steps.tolist() == list(range(1, x.shape[0] + 1))
    # Each row a share of its value at the last step, where the loss enters.
    np.testing.assert_array_equal(strips.norms[0], plain / plain[-1])
    np.testing.assert_array_equal(strips.norms[1], lstm.path_norms / lstm.path_norms[-1])
    np.testing.assert_array_equal(strips.norms[2], gru.path_norms / gru.path_norms[-1])
    assert strips.norms[:, -1].tolist() == [1.0, 1.0, 1.0]
    low, high = strips.decades
    logs = strips.log_norms()[np.isfinite(strips.log_norms())]
    assert low <= logs.min() and logs.max() <= high
    assert strips.reach("rnn") == pytest.approx(plain[0] / plain[-1])


def test_curves_status_and_held_out_come_from_the_runs() -> None:
    together = race(5, LAG, UPDATES)
    together.seek(300)
    curves = race_curves(together, window=100)
    for cell in RACE_CELLS:
        losses = together.runs[cell].losses()
        c = curves[cell]
        assert c.updates[-1] == 300 and np.array_equal(c.losses, losses)
        assert c.mean_losses[-1] == pytest.approx(losses[-100:].mean())
        assert c.mean_right[-1] == pytest.approx(together.runs[cell].accuracies()[-100:].mean())
    status = race_status(together)
    assert status.startswith("update 300 of 1,200") and "plain RNN" in status and "GRU" in status
    lines = held_out_lines(together)
    rate = held_out_rate(together.runs["lstm"], 5)
    assert f"{rate:.1%}" in lines["lstm"] and "at update 300" in lines["lstm"]


def test_the_update_axis_moves_in_few_steps() -> None:
    ends = {axis_end(n) for n in range(0, 12_289)}
    assert len(ends) <= 16 and all(axis_end(n) >= n for n in range(0, 12_289, 97))
    assert axis_end(12_288) == 12_288
