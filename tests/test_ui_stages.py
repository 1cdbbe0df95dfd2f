"""Slow-motion tick: Shift+→ walks one tick through its stages, in the diagram and the panel."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rnnviz.engine.learner import LearnerParams
from rnnviz.present.diagram import STAGE_HIGHLIGHTS, diagram_state
from rnnviz.session import Session
from rnnviz.present.stages import NO_STAGE, Stage
from rnnviz.ui.runadapter import Change
from rnnviz.ui.mainwindow import MainWindow
from rnnviz.present.format import format_number
from clocks import manual_adapter
from windows import make_window


def shift_right(qtbot, window) -> None:
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)


def test_shift_right_walks_one_tick_through_its_stages(qtbot, window):
    adapter, diagram = window.adapter, window.diagram
    adapter.step(11)
    session = adapter.session
    before = session.state
    stages: list[int] = []
    adapter.stageChanged.connect(stages.append)
    for expected in list(Stage)[:-1]:
        shift_right(qtbot, window)
        assert adapter.stage == expected and adapter.stage_tick == 11
        assert session.cursor == 11  # nothing is done before the update
        assert "ih = " + format_number(before.ih) == diagram.state().edges["ih"].label
    shift_right(qtbot, window)
    assert adapter.stage == Stage.UPDATE
    assert session.cursor == 12 and adapter.stage_tick == 11
    assert stages == list(range(len(Stage)))
    row = session.history.tick(11)
    assert diagram.state().edges["hh"].label == f"hh = {format_number(row.hh)}"
    assert diagram.state().highlight == {"ih", "hh", "ho"}
    # The next press starts the next tick.
    shift_right(qtbot, window)
    assert adapter.stage == Stage.FORWARD_H and adapter.stage_tick == 12 and session.cursor == 12


def test_the_diagram_shows_each_stage_as_the_view_model_works_it_out(qtbot, window):
    # What each stage reveals ("?" for ŷ, ho moving at once, ...) is tested
    # without Qt in test_present_diagram.py; here, that every stage reaches the diagram.
    adapter = window.adapter
    adapter.step(12)
    for stage in Stage:
        adapter.advance_stage()
        assert adapter.stage == stage
        shown = window.diagram.state()
        assert shown == diagram_state(adapter.session, adapter.stage, adapter.stage_tick)
        assert shown.highlight == STAGE_HIGHLIGHTS[stage]
        assert f"stage {stage + 1} of 7: " in shown.caption


def test_the_simultaneous_rule_keeps_every_weight_until_the_update(qtbot):
    window = make_window(qtbot, params=LearnerParams(rule="simultaneous"))
    adapter = window.adapter
    adapter.step(12)
    ho = adapter.session.state.ho
    for _ in range(6):
        adapter.advance_stage()
    assert adapter.stage == Stage.GRAD_HH
    assert window.diagram.state().edges["ho"].value == ho
    assert window.diagram.state().edges["ho"].delta_text.startswith("Δ")
    adapter.advance_stage()
    assert window.diagram.state().edges["ho"].value == adapter.session.history.tick(12).ho != ho
    adapter.shutdown()


def test_the_panel_emphasises_the_stage_and_leaves_later_numbers_out(qtbot, window):
    adapter, panel = window.adapter, window.equations
    adapter.step(12)
    from rnnviz.engine.explain import explain_next

    tick = explain_next(adapter.session)
    dho = format_number(tick.updates["ho"].delta, signed=True).lstrip("+")
    dhh = format_number(tick.updates["hh"].delta, signed=True).lstrip("+")
    adapter.advance_stage()
    text = panel.text()
    assert "stage 1 of 7, forward x → h" in text
    assert dho not in text and dhh not in text
    assert "= η·e·ŷ(1−ŷ)·h" in text  # the formula is there, dimmed, without numbers
    for _ in range(3):
        adapter.advance_stage()
    text = panel.text()
    assert adapter.stage == Stage.GRAD_HO
    assert dho in text and dhh not in text
    assert "#d5ecf8" in panel.toHtml()  # the stage's lines are tinted


def test_back_ends_the_stages(qtbot, window):
    adapter = window.adapter
    adapter.step(5)
    for _ in range(3):
        shift_right(qtbot, window)
    assert adapter.stage == Stage.ERROR
    ended: list[int] = []
    adapter.stageChanged.connect(ended.append)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_Left)
    assert adapter.stage is None and ended == [NO_STAGE]
    assert adapter.session.cursor == 4
    assert window.diagram.state().highlight == frozenset()
    assert "slow motion" not in window.equations.text()
    assert window.diagram.state().caption.startswith("tick 4 of 19")


def test_back_at_tick_zero_still_ends_the_stages(qtbot, window):
    window.adapter.advance_stage()
    window.adapter.back()
    assert window.adapter.stage is None and window.adapter.session.cursor == 0


OTHER_ACTIONS = {
    "step": lambda a: a.step(),
    "seek": lambda a: a.seek(3),
    "reset": lambda a: a.reset(),
    "edit": lambda a: a.toggle(15),
    "setting": lambda a: a.set_params(eta=2.0),
    "end": lambda a: a.run_to_end(),
}


def test_any_other_action_ends_the_stages(qtbot, window):
    # One window for every action (a window costs more than the checks), each
    # on a fresh session of the same stream.
    adapter = window.adapter
    for name, action in OTHER_ACTIONS.items():
        adapter.load(Session("1^10 0^10"))
        adapter.step(5)
        adapter.advance_stage()
        adapter.advance_stage()
        assert adapter.stage is not None and window.diagram.state().highlight, name
        action(adapter)
        assert adapter.stage is None and adapter.stage_tick is None, name
        assert window.diagram.state().highlight == frozenset(), name


def test_a_step_during_the_stages_does_the_whole_tick_once(qtbot, window):
    adapter = window.adapter
    adapter.step(5)
    for _ in range(4):
        adapter.advance_stage()
    adapter.step()
    assert adapter.session.cursor == 6 and adapter.stage is None


def test_slow_motion_play_advances_one_stage_per_period(qtbot):
    adapter, timer = manual_adapter(Session("1^10 0^10"))
    window = MainWindow(adapter, settings=None)
    qtbot.addWidget(window)
    slow = window.actions_by_name["slowmo"]
    assert slow.isCheckable() and slow in window.menus["run"].actions()
    slow.trigger()
    assert adapter.slow_motion
    adapter.set_speed(60)
    adapter.step(3)
    seen: list[int] = []
    adapter.stageChanged.connect(seen.append)
    adapter.play()
    assert timer.fire(2 * len(Stage)) == 2 * len(Stage)
    adapter.pause()
    # Two ticks, each in all of its stages, in order, one stage per period.
    assert adapter.session.cursor == 5
    assert seen == list(range(len(Stage))) * 2
    slow.trigger()
    assert not adapter.slow_motion


def test_slow_motion_play_stops_after_the_last_update(qtbot):
    adapter, timer = manual_adapter(Session("1^10 0^10"))
    playing: list[bool] = []
    adapter.playingChanged.connect(playing.append)
    adapter.set_slow_motion(True)
    adapter.set_speed(60)
    adapter.step(18)
    adapter.play()
    assert timer.run_out() == len(Stage)  # the last tick, in all of its stages
    assert playing == [True, False]
    assert adapter.session.at_end and adapter.stage == Stage.UPDATE
    assert not adapter.advance_stage() and adapter.stage is None


def test_next_stage_is_in_the_run_menu_with_its_key(window):
    action = window.actions_by_name["stage"]
    assert action in window.menus["run"].actions()
    assert action.text() == "Next stage"
    assert action.shortcut().toString() == "Shift+Right"


def test_a_step_during_the_stages_is_one_change_that_also_ends_them(window):
    adapter = window.adapter
    adapter.advance_stage()
    adapter.advance_stage()
    emitted: list[int] = []
    adapter.changed.connect(emitted.append)
    adapter.step()
    assert emitted == [int(Change.CURSOR | Change.STAGE)]
    assert adapter.stage is None and adapter.session.cursor == 1
    emitted.clear()
    for _ in range(7):  # one emission per stage, the update's step included
        adapter.advance_stage()
    assert len(emitted) == 7
    assert emitted[-1] == int(Change.CURSOR | Change.STAGE) and adapter.stage == Stage.UPDATE
