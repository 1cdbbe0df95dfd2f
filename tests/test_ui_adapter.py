"""The SessionAdapter: one `changed` per action, playing, speed, undoable edits."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams, trace
from rnnviz.session import Session
from rnnviz.present.format import MAX_SPEED
from rnnviz.session import SPEEDS
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change, FRAME_PERIOD_MS
from clocks import SteppingClock, manual_adapter


@pytest.fixture
def emitted(adapter):
    flags: list[Change] = []
    adapter.changed.connect(lambda f: flags.append(Change(f)))
    return flags


def test_each_move_emits_one_change_with_the_cursor_flag(adapter, emitted):
    adapter.step(3)
    adapter.back()
    adapter.seek(10)
    assert emitted == [Change.CURSOR] * 3
    assert adapter.session.cursor == 10


def test_a_move_that_goes_nowhere_emits_nothing(adapter, emitted):
    adapter.back()
    adapter.seek(0)
    assert emitted == []


def test_batch_collects_changes_into_one_emission(adapter, emitted):
    with adapter.batch():
        adapter.step(2)
        adapter.toggle(15)
        adapter.step(1)
    assert emitted == [Change.CURSOR | Change.STREAM]


def test_play_runs_to_the_end_one_tick_per_period_and_stops(qtbot):
    adapter, timer = manual_adapter()
    playing: list[bool] = []
    adapter.playingChanged.connect(playing.append)
    adapter.set_speed(60)
    adapter.play()
    assert playing == [True] and adapter.playing and timer.interval == round(1000 / 60)
    assert timer.run_out() == adapter.session.n_ticks == 19
    assert playing == [True, False]
    assert adapter.session.at_end and not adapter.playing
    expected = trace(adapter.session.bits)
    np.testing.assert_array_equal(adapter.session.history["ho"], expected["ho"])


def test_the_play_period_follows_the_speed_while_playing(qtbot):
    adapter, timer = manual_adapter()
    adapter.set_speed(1)
    adapter.play()
    assert timer.interval == 1000
    adapter.set_speed(20)
    assert timer.interval == 50 and adapter.playing
    adapter.set_speed(MAX_SPEED)
    assert timer.interval == FRAME_PERIOD_MS  # about 60 frames a second
    adapter.pause()
    assert not timer.active and not adapter.playing


def test_the_window_plays_on_a_precise_qt_timer(qtbot, adapter):
    from PySide6.QtCore import Qt, QTimer

    adapter.set_speed(30)
    adapter.play()
    (timer,) = adapter.findChildren(QTimer)
    assert timer.isActive() and timer.interval() == 33
    assert timer.timerType() == Qt.TimerType.PreciseTimer  # 33 ms, not "33 ms ± 5%"
    qtbot.waitUntil(lambda: adapter.session.cursor >= 1, timeout=5000)  # it does play
    adapter.pause()
    assert not timer.isActive()


def test_play_at_the_end_stays_there_and_says_how_to_play_again(qtbot, adapter):
    adapter.run_to_end()
    shown = adapter.session.state
    notices: list[str] = []
    adapter.notice.connect(notices.append)
    adapter.set_speed(1)
    adapter.play()
    # The end a lecture arrived at stays on screen; one line says what to do.
    assert adapter.session.cursor == 19 and not adapter.playing
    assert adapter.session.state == shown
    assert len(notices) == 1 and "end of the stream" in notices[0] and "Home" in notices[0]
    adapter.seek(0)
    adapter.play()
    assert adapter.playing and len(notices) == 1
    adapter.pause()


def test_max_speed_runs_many_ticks_per_frame(qtbot):
    adapter, timer = manual_adapter(Session("random(200000, 0.5, seed=4)"))
    frames: list[int] = []
    adapter.changed.connect(lambda _: frames.append(adapter.session.cursor))
    adapter.set_speed(MAX_SPEED)
    adapter.play()
    timer.run_out()
    assert adapter.session.at_end
    # Far fewer redraws than ticks: each frame carried many ticks.
    assert len(frames) < adapter.session.n_ticks / 50


def test_speed_steps_through_the_list_and_stops_at_its_ends(adapter):
    seen: list[int] = []
    adapter.speedChanged.connect(seen.append)
    for _ in range(len(SPEEDS) + 2):
        adapter.faster()
    assert adapter.speed == MAX_SPEED
    for _ in range(len(SPEEDS) + 2):
        adapter.slower()
    assert adapter.speed == 1
    assert seen[0] == SPEEDS[SPEEDS.index(10) + 1] and seen[-1] == 1
    with pytest.raises(InputError, match="speed"):
        adapter.set_speed(7)


def test_toggle_undo_redo(adapter, emitted):
    adapter.step(5)
    before = adapter.session.bits.copy()
    ho_before = adapter.session.state.ho
    adapter.toggle(2)
    assert adapter.session.bits[2] == 1 - before[2]
    assert Change.STREAM in emitted[-1] and Change.HISTORY in emitted[-1]
    assert adapter.session.cursor == 5
    assert adapter.undo_stack.undoText() == "Toggle bit 3"
    adapter.undo()
    np.testing.assert_array_equal(adapter.session.bits, before)
    assert adapter.session.state.ho == ho_before
    adapter.redo()
    assert adapter.session.bits[2] == 1 - before[2]


def test_insert_delete_replace_are_undoable_in_order(adapter):
    original = adapter.session.bits.copy()
    adapter.insert(0, "1^3")
    adapter.delete(5, 2)
    adapter.replace("(10)^4")
    np.testing.assert_array_equal(adapter.session.bits, [1, 0] * 4)
    adapter.undo()
    adapter.undo()
    adapter.undo()
    np.testing.assert_array_equal(adapter.session.bits, original)
    assert not adapter.undo_stack.canUndo()


def test_an_edit_beyond_the_stored_ticks_forgets_nothing(adapter, emitted):
    adapter.step(3)
    adapter.toggle(15)
    assert emitted[-1] == Change.STREAM


def test_forgetting_stored_ticks_always_says_history(adapter, emitted):
    adapter.step(8)
    adapter.back(4)
    adapter.toggle(6)  # after the cursor, but ticks 5..7 were stored: they are gone
    assert emitted[-1] == Change.STREAM | Change.HISTORY
    adapter.step(4)
    with adapter.batch():
        adapter.back(3)
        adapter.set_params(eta=1.0)
        adapter.step(3)
    assert emitted[-1] == Change.CURSOR | Change.PARAMS | Change.HISTORY
    adapter.reset()
    assert emitted[-1] == Change.CURSOR | Change.HISTORY


@pytest.mark.parametrize(
    "edit",
    [
        lambda a: a.insert(0, "10x1"),
        lambda a: a.insert(99, "1"),
        lambda a: a.replace(""),
        lambda a: a.replace("2"),
        lambda a: a.delete(0, 10**6),
        lambda a: a.toggle(20),
        lambda a: a.insert(0, "1^10000000"),
    ],
)
def test_a_refused_edit_changes_nothing(adapter, emitted, edit):
    adapter.step(4)
    emitted.clear()
    before = adapter.session.bits.copy()
    with pytest.raises(InputError):
        edit(adapter)
    np.testing.assert_array_equal(adapter.session.bits, before)
    assert adapter.undo_stack.count() == 0 and emitted == [] and adapter.session.cursor == 4


def test_invalid_character_is_named_with_its_position(adapter):
    with pytest.raises(InputError, match=r"'x' at position 3"):
        adapter.replace("10x1")


def test_a_rate_change_applies_from_the_next_tick(adapter, emitted):
    adapter.step(5)
    kept = adapter.session.history["ho"][:5].copy()
    adapter.set_params(eta=1.0)
    assert emitted[-1] == Change.PARAMS
    adapter.step(1)
    np.testing.assert_array_equal(adapter.session.history["ho"][:5], kept)
    history = adapter.session.history
    resumed = LearnerParams(eta=1.0, init=history.weights_after(4), h0=history["h"][4])
    after = trace(adapter.session.bits[5:7], resumed)
    assert adapter.session.history["ho"][5] == after["ho"][0]


def test_changing_the_start_weights_rewrites_the_history(adapter, emitted):
    adapter.step(5)
    adapter.set_params(init=(0.5, 0.0, 0.0))
    assert emitted[-1] == Change.PARAMS | Change.HISTORY
    assert adapter.session.cursor == 5
    expected = trace(adapter.session.bits[:6], LearnerParams(init=(0.5, 0.0, 0.0)))
    np.testing.assert_array_equal(adapter.session.history["ih"][:5], expected["ih"])


def test_a_refused_parameter_changes_nothing(adapter, emitted):
    with pytest.raises(InputError, match="η"):
        adapter.set_params(eta=-1)
    assert adapter.session.params == LearnerParams() and emitted == []


def test_load_replaces_the_session_and_clears_undo(adapter, emitted):
    adapter.toggle(0)
    adapter.load(Session("0^5"))
    assert emitted[-1] == Change.ALL
    assert len(adapter.session.bits) == 5 and adapter.undo_stack.count() == 0


def test_long_work_shows_a_busy_pointer_and_restores_it(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    # A clock that never moves: the job never lasts long enough for a dialog.
    adapter = SessionAdapter(Session("random(300000, 0.5, seed=2)"), clock=lambda: 0.0)
    seen = []
    adapter.changed.connect(lambda _: seen.append(
        None if QGuiApplication.overrideCursor() is None else QGuiApplication.overrideCursor().shape()
    ))
    adapter.run_to_end()
    during = set(seen)
    seen.clear()
    adapter.step()  # a short job: no busy pointer
    adapter.shutdown()
    assert adapter.session.at_end
    assert during == {Qt.CursorShape.WaitCursor} and seen == []
    assert QGuiApplication.overrideCursor() is None


def test_replacing_the_stream_undoes_exactly_and_keeps_only_the_difference(adapter):
    adapter.replace("1^10 0^9 1")  # only the last bit differs
    np.testing.assert_array_equal(adapter.session.bits, [1] * 10 + [0] * 9 + [1])
    adapter.replace("0 1^9 0^9 1")
    adapter.replace("(10)^3")
    adapter.undo()
    adapter.undo()
    adapter.undo()
    np.testing.assert_array_equal(adapter.session.bits, [1] * 10 + [0] * 10)
    for _ in range(3):
        adapter.redo()
    np.testing.assert_array_equal(adapter.session.bits, [1, 0] * 3)


# -- undo of learning parameters ------------------------------------------------------


def test_parameter_changes_are_undone_and_redone_one_step_each(adapter, emitted):
    adapter.step(4)
    adapter.set_params(eta=1.0)
    adapter.set_params(rule="simultaneous")
    assert adapter.undo_stack.undoText() == "Set update rule to simultaneous"
    adapter.undo()
    assert adapter.session.params == LearnerParams(eta=1.0)
    assert emitted[-1] == Change.PARAMS
    adapter.undo()
    assert adapter.session.params == LearnerParams()
    assert not adapter.undo_stack.canUndo()
    adapter.redo()
    adapter.redo()
    assert adapter.session.params == LearnerParams(eta=1.0, rule="simultaneous")
    assert adapter.session.cursor == 4


def test_undoing_a_new_start_weight_recomputes_the_ticks_done(adapter):
    adapter.step(6)
    original = adapter.session.history["ho"][:6].copy()
    adapter.set_params(init=(0.5, 0.0, 0.0))
    assert adapter.session.history["ho"][5] != original[5]
    adapter.undo()
    np.testing.assert_array_equal(adapter.session.history["ho"][:6], original)
    assert adapter.session.cursor == 6


def test_stream_edits_and_parameter_changes_undo_in_the_order_made(adapter):
    adapter.toggle(3)
    adapter.set_params(eta=2.0)
    adapter.insert(0, "1")
    adapter.undo()
    assert len(adapter.session.bits) == 20 and adapter.session.params.eta == 2.0
    adapter.undo()
    assert adapter.session.params.eta == 5.0 and adapter.session.bits[3] == 0
    adapter.undo()
    np.testing.assert_array_equal(adapter.session.bits, [1] * 10 + [0] * 10)


def test_a_spin_box_drag_is_one_undo_step_and_the_box_follows_undo(qtbot, adapter):
    from rnnviz.ui.controls import ParameterPanel

    panel = ParameterPanel(adapter)
    qtbot.addWidget(panel)
    for value in (5.5, 6.0, 6.5, 7.0):  # what a drag or arrow-key repeat sends
        panel.eta.setValue(value)
    assert adapter.session.params.eta == 7.0
    assert adapter.undo_stack.count() == 1 and adapter.undo_stack.undoText() == "Set η to 7"
    adapter.undo()
    assert adapter.session.params.eta == 5.0 and panel.eta.value() == 5.0
    adapter.redo()
    assert panel.eta.value() == 7.0


def test_changes_with_something_done_in_between_are_separate_steps(adapter):
    adapter.set_params(eta=2.0)
    adapter.step(3)
    adapter.set_params(eta=3.0)
    adapter.set_params(gain=2.0)  # another setting: its own step too
    assert adapter.undo_stack.count() == 3
    adapter.undo()
    adapter.undo()
    assert adapter.session.params == LearnerParams(eta=2.0)


def test_a_drag_while_playing_is_one_step_but_a_step_by_hand_separates(qtbot):
    adapter, timer = manual_adapter()
    adapter.set_speed(60)
    adapter.play()
    adapter.set_params(eta=5.5)
    timer.fire(3)  # Play moved on
    assert adapter.session.cursor == 3
    adapter.set_params(eta=6.0)
    adapter.pause()
    assert adapter.undo_stack.count() == 1
    adapter.back()
    adapter.set_params(eta=6.5)
    assert adapter.undo_stack.count() == 2
    adapter.undo()
    adapter.undo()
    assert adapter.session.params.eta == 5.0


def test_a_drag_back_to_where_it_started_leaves_no_undo_step(adapter):
    adapter.set_params(eta=6.0)
    adapter.set_params(eta=5.0)
    assert adapter.undo_stack.count() == 0 and adapter.session.params == LearnerParams()


# -- long work: progress, Cancel, a consistent stop -----------------------------------


@pytest.fixture
def cancel_clicker(qtbot):
    """Clicks Cancel on the progress dialog as soon as one is showing."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressDialog

    clicked: list[int] = []

    def click() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                widget.cancel()  # what its Cancel button and Escape do
                clicked.append(1)

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(click)
    timer.start()
    yield clicked
    timer.stop()


def assert_consistent(session: Session) -> None:
    """Every stored tick is what a plain trace of the current stream computes."""
    stored = len(session.history)
    assert session.cursor <= stored
    expected = trace(session.bits[: stored + 1], session.params)
    for name in ("h", "yhat", "ih", "hh", "ho"):
        np.testing.assert_array_equal(session.history[name], expected[name])


def long_adapter(seed: int, *, run: bool = False) -> SessionAdapter:
    session = Session(f"random(300000, 0.5, seed={seed})")
    if run:
        session.run_to_end()
    return SessionAdapter(session, clock=SteppingClock(0.05))


def test_end_on_a_long_stream_shows_progress_and_cancel_stops_at_the_tick_reached(
    qtbot, cancel_clicker
):
    adapter = long_adapter(3)
    cursors: list[int] = []
    notices: list[str] = []
    adapter.changed.connect(lambda _: cursors.append(adapter.session.cursor))
    adapter.notice.connect(notices.append)
    adapter.run_to_end()  # Cancel is a normal outcome: nothing raised
    adapter.shutdown()
    session = adapter.session
    assert cancel_clicker and 0 < session.cursor < session.n_ticks
    assert_consistent(session)
    # The views were last shown the tick where it stopped.
    assert cursors == sorted(cursors) and cursors[-1] == session.cursor
    assert notices == [f"Cancelled: stopped at tick {session.cursor:,} of {session.n_ticks:,}"]
    assert not adapter.working


def test_a_long_seek_shows_its_way_lands_exactly_and_never_lets_play_in(qtbot):
    adapter = long_adapter(4)
    cursors: list[int] = []
    adapter.changed.connect(lambda _: cursors.append(adapter.session.cursor))
    adapter.set_speed(MAX_SPEED)
    adapter.play()  # its timer is due many times while the seek runs
    adapter.seek(250_000)
    adapter.pause()
    adapter.shutdown()
    assert adapter.session.cursor == 250_000
    assert_consistent(adapter.session)
    # The views caught up slice by slice, not all at the end.
    assert len(cursors) >= 3 and cursors == sorted(cursors) and cursors[-1] == 250_000


def test_a_cancelled_edit_stays_made_with_the_cursor_where_the_recompute_stopped(
    qtbot, cancel_clicker
):
    adapter = long_adapter(5, run=True)
    old = adapter.session.bits.copy()
    notices: list[str] = []
    adapter.notice.connect(notices.append)
    adapter.toggle(10)
    session = adapter.session
    assert cancel_clicker and session.bits[10] == 1 - old[10]
    assert 9 <= session.cursor < session.n_ticks
    assert_consistent(session)
    assert notices and "edit stays" in notices[0]
    adapter.undo()  # the edit is an undo step like any other
    np.testing.assert_array_equal(session.bits, old)
    assert_consistent(session)
    adapter.shutdown()


def test_a_long_edit_that_runs_through_equals_the_direct_recompute(qtbot):
    adapter = long_adapter(6, run=True)
    reference = Session(adapter.session.bits)
    reference.run_to_end()
    reference.toggle(10)
    adapter.toggle(10)
    adapter.shutdown()
    assert adapter.session.cursor == reference.cursor == reference.n_ticks
    for name in reference.history:
        np.testing.assert_array_equal(adapter.session.history[name], reference.history[name])


def test_a_cancelled_new_start_keeps_the_setting_and_a_consistent_session(qtbot, cancel_clicker):
    adapter = long_adapter(7, run=True)
    adapter.set_params(init=(0.5, 0.0, 0.0))
    session = adapter.session
    assert cancel_clicker and session.params.init == (0.5, 0.0, 0.0)
    assert session.cursor < session.n_ticks
    assert_consistent(session)
    adapter.shutdown()


def test_loading_a_session_far_in_shows_it_in_slices_and_lands_on_its_cursor(qtbot):
    session = Session("random(300000, 0.5, seed=11)")
    session.seek(280_000)
    stored = session.history["ho"].copy()
    adapter = SessionAdapter(clock=SteppingClock(0.05))
    cursors: list[int] = []
    adapter.changed.connect(lambda _: cursors.append(adapter.session.cursor))
    adapter.load(session)
    adapter.shutdown()
    assert adapter.session is session and session.cursor == 280_000
    np.testing.assert_array_equal(session.history["ho"], stored)  # nothing recomputed
    # The views built their caches a slice at a time, from tick 0 up.
    assert cursors[0] == 0 and len(cursors) >= 3 and cursors == sorted(cursors)


def test_cancel_while_a_loaded_session_is_shown_stops_where_it_got_to(qtbot, cancel_clicker):
    session = Session("random(300000, 0.5, seed=12)")
    session.run_to_end()
    adapter = SessionAdapter(clock=SteppingClock(0.2))  # each slice of showing takes "long"
    notices: list[str] = []
    adapter.notice.connect(notices.append)
    adapter.load(session)
    adapter.shutdown()
    assert cancel_clicker and 0 < session.cursor < session.n_ticks
    assert len(session.history) == session.n_ticks  # the stored ticks stay for End
    assert notices == [f"Cancelled: stopped at tick {session.cursor:,} of {session.n_ticks:,}"]


def test_short_work_is_one_emission_even_after_long_work_taught_small_slices(qtbot, monkeypatch):
    adapter = SessionAdapter(Session("random(300000, 0.5, seed=13)"), clock=SteppingClock(0.05))
    adapter.run_to_end()  # long work: its slices adapt to the (fake, slow) clock
    adapter.load(Session("random(200000, 0.5, seed=14)"))
    monkeypatch.setattr(adapter, "BUSY", 10**9)  # everything counts as short now
    emitted: list[int] = []
    adapter.changed.connect(emitted.append)
    adapter.seek(150_000)
    adapter.shutdown()
    assert adapter.session.cursor == 150_000 and len(emitted) == 1


# -- never more settings changes than a session file holds -------------------------------------
def full_log_adapter(qtbot, limit: int) -> SessionAdapter:
    """An adapter whose η changed at every one of its first *limit* − 2 ticks, then twice by hand: full."""
    log = [(tick, LearnerParams(eta=1.0 + tick % 2)) for tick in range(limit - 2)]
    session = Session.replay("1" * (limit + 10), log, limit - 3)
    adapter = SessionAdapter(session)
    adapter.step()
    adapter.set_params(eta=7.0)  # change A, at tick limit − 2
    adapter.step()
    adapter.set_params(eta=3.0)  # change B, at tick limit − 1: the limit-th span
    adapter.step()
    assert len(adapter.session.param_log) == limit
    assert adapter.undo_stack.count() == 2
    return adapter


def test_a_settings_change_beyond_what_a_file_holds_is_refused_and_leaves_no_step(qtbot, short_param_log):
    adapter = full_log_adapter(qtbot, short_param_log)
    params = adapter.session.params
    with pytest.raises(InputError, match="the most a session file keeps"):
        adapter.set_params(eta=4.0)
    assert (adapter.undo_stack.count(), adapter.undo_stack.index()) == (2, 2)
    assert adapter.session.params == params
    adapter.shutdown()


def test_an_undo_or_redo_that_would_overfill_the_log_is_refused_with_a_line(qtbot, short_param_log):
    limit = short_param_log
    adapter = full_log_adapter(qtbot, limit)
    notices: list[str] = []
    adapter.notice.connect(notices.append)
    # Undoing B here would put η back from tick `limit` on: one span more, refused.
    adapter.undo()
    assert adapter.session.params.eta == 3.0 and adapter.undo_stack.index() == 2
    assert notices[-1].startswith(f"Undo refused: the settings already changed at {limit} different ticks")
    # Back at the tick B was made, its undo replaces its span instead.
    adapter.back()
    adapter.undo()
    assert adapter.session.params.eta == 7.0 and adapter.undo_stack.index() == 1
    adapter.step()
    adapter.undo()  # A, one tick later: the limit-th span again
    assert adapter.session.params.eta == 1.0 + (limit - 3) % 2 and adapter.undo_stack.index() == 0
    adapter.step()
    adapter.redo()  # A once more would be one span beyond the limit
    assert adapter.undo_stack.index() == 0 and notices[-1].startswith("Redo refused: ")
    adapter.back()
    adapter.redo()
    assert adapter.session.params.eta == 7.0 and adapter.undo_stack.index() == 1
    adapter.shutdown()
