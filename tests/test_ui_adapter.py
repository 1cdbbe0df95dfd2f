"""The SessionAdapter: one `changed` per action, playing, speed, undoable edits."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams, trace
from rnnviz.session import Session
from rnnviz.ui.adapter import MAX_SPEED, SPEEDS, Change, SessionAdapter


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


def test_play_runs_to_the_end_and_stops(qtbot, adapter):
    adapter.set_speed(60)
    with qtbot.waitSignal(adapter.playingChanged, timeout=5000) as started:
        adapter.play()
    assert started.args == [True]
    with qtbot.waitSignal(adapter.playingChanged, timeout=5000) as stopped:
        pass
    assert stopped.args == [False]
    assert adapter.session.at_end and not adapter.playing
    expected = trace(adapter.session.bits)
    np.testing.assert_array_equal(adapter.session.history["ho"], expected["ho"])


def test_play_at_the_end_starts_again_from_tick_zero(qtbot, adapter):
    adapter.run_to_end()
    adapter.set_speed(1)
    adapter.play()
    assert adapter.session.cursor == 0 and adapter.playing
    adapter.pause()


def test_max_speed_runs_many_ticks_per_frame(qtbot):
    adapter = SessionAdapter(Session("random(200000, 0.5, seed=4)"))
    frames: list[int] = []
    adapter.changed.connect(lambda _: frames.append(adapter.session.cursor))
    adapter.set_speed(MAX_SPEED)
    adapter.play()
    qtbot.waitUntil(lambda: not adapter.playing, timeout=20000)
    adapter.shutdown()
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


def test_long_work_shows_a_busy_pointer_and_restores_it(qtbot, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    adapter = SessionAdapter(Session("random(300000, 0.5, seed=2)"))
    seen = []
    run = adapter.session.run_to_end

    def recording_run():
        cursor = QGuiApplication.overrideCursor()
        seen.append(None if cursor is None else cursor.shape())
        return run()

    monkeypatch.setattr(adapter.session, "run_to_end", recording_run)
    adapter.run_to_end()
    adapter.step()  # a short job: no busy pointer
    adapter.shutdown()
    assert seen == [Qt.CursorShape.WaitCursor]
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
