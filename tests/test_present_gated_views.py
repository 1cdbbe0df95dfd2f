"""What the gated plots draw, computed without Qt: lane order, state polylines, training means."""

from __future__ import annotations

import numpy as np

from rnnviz.present.gated import gate_lanes
from rnnviz.present.gated_views import (
    MAX_POINTS,
    MEAN_WINDOW,
    decade_text,
    lane_order,
    running_mean,
    state_curves,
    training_curves,
)
from rnnviz.tasks.gated_presets import GATED_PRESETS


def _lanes(key: str):
    run = GATED_PRESETS[key].make_run()
    return gate_lanes(run.network.forward(run.source.example(0)[0]))


def test_the_sigma_gates_come_first_and_the_candidate_last():
    lstm, gru = _lanes("lstm-short"), _lanes("gru-short")
    assert [lstm.letters[k] for k in lane_order(lstm)] == ["i", "f", "o", "g"]
    assert [gru.letters[k] for k in lane_order(gru)] == ["r", "z", "n"]


def test_every_units_state_is_one_polyline_with_gaps_between_units():
    lanes = _lanes("lstm-short")
    x, y = state_curves(lanes)
    per_unit = lanes.steps + 2  # t = 0 … T and the gap
    assert x.size == y.size == lanes.units * per_unit
    for j in range(lanes.units):
        np.testing.assert_array_equal(y[j * per_unit:(j + 1) * per_unit - 1], lanes.state[j])
        assert np.isnan(y[(j + 1) * per_unit - 1])


def test_the_running_means_are_the_means_of_the_last_updates_and_thinned():
    values = np.random.default_rng(3).random(5_000)
    means = running_mean(values)
    for end in (1, 50, MEAN_WINDOW, 4_321):
        assert abs(means[end - 1] - np.mean(values[max(end - MEAN_WINDOW, 0):end])) < 1e-12
    x, loss, right = training_curves(values, values > 0.5)
    assert x.size <= MAX_POINTS and x[-1] == 5_000 and loss[-1] == means[-1]
    assert right is not None and right.size == x.size
    assert training_curves(values[:10], None)[2] is None


def test_decades_are_written_as_powers_of_ten():
    assert [decade_text(k) for k in (-12, -1, 0, 1, 3)] == ["10⁻¹²", "10⁻¹", "1", "10", "10³"]
