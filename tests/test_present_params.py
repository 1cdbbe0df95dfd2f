"""What Undo calls a change of the learning settings, tested without Qt (rnnviz.present.params)."""

from __future__ import annotations

from rnnviz.engine.learner import LearnerParams
from rnnviz.present.params import changed_settings, describe_change

DEFAULT = LearnerParams()


def test_one_setting_is_named_with_its_new_value():
    assert describe_change(DEFAULT, DEFAULT.with_changes(eta=2.0)) == "Set η to 2"
    assert describe_change(DEFAULT, DEFAULT.with_changes(gain=0.5)) == "Set gain k to 0.5"
    assert describe_change(DEFAULT, DEFAULT.with_changes(rule="simultaneous")) == (
        "Set update rule to simultaneous")
    assert describe_change(DEFAULT, DEFAULT.with_changes(activation="tanh")) == "Set activation to tanh"


def test_a_start_weight_counts_as_a_setting_of_its_own():
    after = DEFAULT.with_changes(init=(0.0, 0.0, -1.5))
    assert changed_settings(DEFAULT, after) == ("init.ho",)
    assert describe_change(DEFAULT, after) == "Set start ho to -1.5"


def test_learning_is_turned_off_and_on():
    off = DEFAULT.with_changes(learning=False)
    assert describe_change(DEFAULT, off) == "Turn learning off"
    assert describe_change(off, DEFAULT) == "Turn learning on"


def test_several_settings_at_once_are_one_general_step():
    after = DEFAULT.with_changes(eta=2.0, init=(1.0, 0.0, 0.0))
    assert changed_settings(DEFAULT, after) == ("eta", "init.ih")
    assert describe_change(DEFAULT, after) == "Change learning settings"


def test_nothing_changed_is_no_setting():
    assert changed_settings(DEFAULT, LearnerParams()) == ()
