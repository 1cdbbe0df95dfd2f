"""The slow-motion stages of a one-neuron tick, tested without Qt (rnnviz.present.stages)."""

from __future__ import annotations

from rnnviz.engine.history import WEIGHTS
from rnnviz.present.stages import GRAD_STAGES, NO_STAGE, STAGE_TITLES, Stage


def test_stages_run_forward_then_error_then_changes_then_update():
    assert list(Stage) == [Stage.FORWARD_H, Stage.FORWARD_Y, Stage.ERROR, Stage.GRAD_HO,
                           Stage.GRAD_IH, Stage.GRAD_HH, Stage.UPDATE]
    assert [int(stage) for stage in Stage] == list(range(len(Stage)))  # advance_stage counts on it


def test_every_stage_has_its_own_title():
    assert set(STAGE_TITLES) == set(Stage)
    assert len(set(STAGE_TITLES.values())) == len(Stage)
    assert STAGE_TITLES[Stage.FORWARD_H] == "forward x → h"
    assert STAGE_TITLES[Stage.UPDATE] == "update"


def test_each_weight_changes_at_the_stage_named_after_it():
    assert sorted(GRAD_STAGES) == ["hh", "ho", "ih"]
    for weight, stage in GRAD_STAGES.items():
        assert STAGE_TITLES[stage] == f"change of {weight}"
    # ho is worked out first: the sequential rule uses the new ho for ih and hh.
    assert GRAD_STAGES["ho"] < GRAD_STAGES["ih"] < GRAD_STAGES["hh"] < Stage.UPDATE


def test_the_weights_with_a_stage_are_the_weights_a_tick_updates():
    assert set(GRAD_STAGES) == set(WEIGHTS)


def test_no_stage_is_not_a_stage():
    assert NO_STAGE not in {int(stage) for stage in Stage}
