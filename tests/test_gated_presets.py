"""The gated cells' presets: the race's runs at the short lag learn within 1,000 updates."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.tasks.gated_presets import GATED_PRESETS, SHORT_LAG, gated_preset, presets_of
from rnnviz.tasks.race_presets import held_out_rate, race_run


def test_each_cell_has_a_short_and_a_long_preset_the_short_first():
    assert list(presets_of("lstm")) == ["lstm-short", "lstm-long"]
    assert list(presets_of("gru")) == ["gru-short", "gru-long"]
    with pytest.raises(InputError, match="no gated preset called 'memory-rnn'"):
        gated_preset("memory-rnn")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_a_preset_is_the_races_run_of_its_cell_and_lag(cell):
    run, race = GATED_PRESETS[f"{cell}-short"].make_run(2), race_run(cell, 2, SHORT_LAG, 2_000)
    run.step(20)
    race.step(20)
    np.testing.assert_array_equal(run.losses(), race.losses())
    plain = GATED_PRESETS[f"{cell}-short"].plain_run(2)
    assert type(plain.network).__name__ == "ElmanNetwork" and plain.source.steps == run.source.steps


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_short_preset_learns_within_a_thousand_updates(cell, seed):
    run = GATED_PRESETS[f"{cell}-short"].make_run(seed)
    run.step(1_000)
    assert run.accuracies()[500:1_000].mean() >= 0.95
    assert held_out_rate(run, seed) >= 0.95
