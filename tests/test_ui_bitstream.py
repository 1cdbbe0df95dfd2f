"""The tape: one cell per bit, edited by click, keys and paste, following the cursor."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication

from rnnviz.engine.learner import LearnerParams, predicted_bit
from rnnviz.session import Session
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.bitstream import BitStreamEditor


@pytest.fixture
def make_tape(qtbot):
    adapters = []

    def make(stream: str = "1^10 0^10", width: int = 900, params: LearnerParams | None = None):
        adapter = SessionAdapter(Session(stream, params))
        adapters.append(adapter)
        tape = BitStreamEditor(adapter)
        qtbot.addWidget(tape)
        tape.resize(width, tape.sizeHint().height())
        tape.show()
        qtbot.waitExposed(tape)
        tape.setFocus()
        return tape

    yield make
    for adapter in adapters:
        adapter.shutdown()


def click_cell(qtbot, tape, index):
    qtbot.mouseClick(tape.viewport(), Qt.MouseButton.LeftButton, pos=tape.cell_rect(index).center())


def bits(tape):
    return tape.adapter.session.bits.tolist()


def test_clicking_a_cell_flips_that_bit_and_can_be_undone(qtbot, make_tape):
    tape = make_tape()
    click_cell(qtbot, tape, 3)
    assert bits(tape)[3] == 0 and bits(tape)[:3] == [1, 1, 1]
    assert tape.adapter.undo_stack.count() == 1
    tape.adapter.undo()
    assert bits(tape)[3] == 1


def test_clicking_the_ruler_places_the_caret_without_editing(qtbot, make_tape):
    tape = make_tape()
    rect = tape.cell_rect(4)
    qtbot.mouseClick(tape.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 1, rect.bottom() + 6))
    assert tape.caret == 4
    assert tape.adapter.undo_stack.count() == 0


def test_typing_inserts_at_the_caret_and_moves_it(qtbot, make_tape):
    tape = make_tape("1^4")
    tape.set_caret(2)
    qtbot.keyClicks(tape, "10")
    assert bits(tape) == [1, 1, 1, 0, 1, 1]
    assert tape.caret == 4


def test_backspace_and_delete_remove_around_the_caret(qtbot, make_tape):
    tape = make_tape("10110")
    tape.set_caret(2)
    qtbot.keyClick(tape, Qt.Key.Key_Backspace)
    assert bits(tape) == [1, 1, 1, 0] and tape.caret == 1
    qtbot.keyClick(tape, Qt.Key.Key_Delete)
    assert bits(tape) == [1, 1, 0] and tape.caret == 1


def test_ctrl_arrows_move_the_caret(qtbot, make_tape):
    tape = make_tape("1^5")
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(tape, Qt.Key.Key_End, ctrl)
    assert tape.caret == 5
    qtbot.keyClick(tape, Qt.Key.Key_Left, ctrl)
    assert tape.caret == 4
    qtbot.keyClick(tape, Qt.Key.Key_Home, ctrl)
    assert tape.caret == 0


def test_paste_reads_the_sequence_language(qtbot, make_tape):
    tape = make_tape("00")
    tape.set_caret(1)
    QGuiApplication.clipboard().setText("1^3")
    qtbot.keyClick(tape, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert bits(tape) == [0, 1, 1, 1, 0] and tape.caret == 4
    assert tape.message == ""


def test_an_invalid_paste_names_the_character_and_changes_nothing(qtbot, make_tape):
    tape = make_tape()
    before = bits(tape)
    assert not tape.paste_text("10x1")
    assert "'x'" in tape.message and "position 3" in tape.message
    assert bits(tape) == before and tape.adapter.undo_stack.count() == 0
    # The next good edit clears the message.
    qtbot.keyClick(tape, Qt.Key.Key_1)
    assert tape.message == ""


def test_deleting_the_last_bit_is_refused_with_a_message(qtbot, make_tape):
    tape = make_tape("1")
    tape.set_caret(1)
    qtbot.keyClick(tape, Qt.Key.Key_Backspace)
    assert bits(tape) == [1]
    assert "at least one bit" in tape.message


def test_copy_puts_the_compressed_stream_on_the_clipboard(make_tape):
    tape = make_tape()
    assert tape.copy_stream() == "1^10 0^10"
    assert QGuiApplication.clipboard().text() == "1^10 0^10"


def test_highlight_follows_the_tick_shown(make_tape):
    tape = make_tape()
    assert tape.highlighted() == (0, 1)  # before tick 1: its input and target
    tape.adapter.step(5)
    assert tape.highlighted() == (4, 5)  # the last tick done
    tape.adapter.run_to_end()
    assert tape.highlighted() == (18, 19)
    assert make_tape("1").highlighted() == (0, None)


@pytest.mark.parametrize("key", [
    Qt.Key.Key_Space, Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End,
    Qt.Key.Key_Comma, Qt.Key.Key_Period, Qt.Key.Key_Plus, Qt.Key.Key_Minus,
])
def test_the_windows_keys_are_left_to_the_window(make_tape, key):
    tape = make_tape()
    event = QKeyEvent(QEvent.Type.ShortcutOverride, key, Qt.KeyboardModifier.NoModifier, chr(key) if key < 128 else "")
    QApplication.sendEvent(tape, event)
    assert not event.isAccepted()


@pytest.mark.parametrize("key,text", [(Qt.Key.Key_0, "0"), (Qt.Key.Key_1, "1"), (Qt.Key.Key_Backspace, ""), (Qt.Key.Key_Delete, "")])
def test_the_tapes_own_keys_are_claimed(make_tape, key, text):
    tape = make_tape()
    event = QKeyEvent(QEvent.Type.ShortcutOverride, key, Qt.KeyboardModifier.NoModifier, text)
    QApplication.sendEvent(tape, event)
    assert event.isAccepted()


def test_a_million_bits_follow_the_cursor_and_paint_only_what_is_visible(qtbot, make_tape):
    tape = make_tape("random(1000000, 0.5, seed=1)")
    tape.adapter.seek(900_000)
    first, last = tape.visible_range()
    x_bit, y_bit = tape.highlighted()
    assert first <= x_bit and y_bit <= last
    tape.last_painted_cells = 0
    tape.grab()  # renders the widget now, viewport included
    cell = tape.cell_rect(1).left() - tape.cell_rect(0).left()
    assert 0 < tape.last_painted_cells <= tape.viewport().width() // cell + 3
    click_cell(qtbot, tape, x_bit)
    assert tape.adapter.session.bits[x_bit] != Session("random(1000000, 0.5, seed=1)").bits[x_bit]


def test_the_ghost_cell_gives_the_guess_for_the_next_bit_at_the_end(make_tape):
    tape = make_tape("0^19 1", params=LearnerParams(activation="tanh", init=(0.5, -0.5, 0.5)))
    ghost = tape.cell_rect(20).center()
    assert "appears when the run reaches the end" in tape.tooltip_at(ghost)
    tape.adapter.run_to_end()
    session = tape.adapter.session
    yhat = session.prediction().yhat
    bit = predicted_bit(yhat)
    assert tape.tooltip_at(ghost).endswith(f"→ {bit}")
    assert f"{abs(yhat):.3f}" in tape.tooltip_at(ghost)


def test_a_cell_tooltip_names_its_roles(make_tape):
    tape = make_tape()
    text = tape.tooltip_at(tape.cell_rect(4).center())
    assert text.startswith("bit 5 = 1")
    assert "input of tick 5" in text and "target of tick 4" in text


def test_undo_from_the_window_keeps_the_caret_inside_the_stream(make_tape):
    tape = make_tape("11")
    tape.set_caret(2)
    tape.paste_text("0^5")
    assert tape.caret == 7
    tape.adapter.undo()
    assert tape.caret <= len(tape.adapter.session.bits) == 2
    np.testing.assert_array_equal(tape.adapter.session.bits, [1, 1])


def test_typing_and_deleting_runs_undo_in_one_step_each(qtbot, make_tape):
    tape = make_tape("00")
    tape.set_caret(1)
    qtbot.keyClicks(tape, "1101")
    assert bits(tape) == [0, 1, 1, 0, 1, 0]
    for _ in range(3):
        qtbot.keyClick(tape, Qt.Key.Key_Backspace)
    assert bits(tape) == [0, 1, 0]
    stack = tape.adapter.undo_stack
    assert stack.count() == 2 and stack.undoText() == "Delete 3 bits"
    tape.adapter.undo()
    assert bits(tape) == [0, 1, 1, 0, 1, 0]
    assert stack.undoText() == "Type 4 bits"
    tape.adapter.undo()
    assert bits(tape) == [0, 0]
    tape.adapter.redo()
    tape.adapter.redo()
    assert bits(tape) == [0, 1, 0]


def test_delete_key_runs_merge_but_a_click_starts_a_new_step(qtbot, make_tape):
    tape = make_tape("10110")
    tape.set_caret(1)
    qtbot.keyClick(tape, Qt.Key.Key_Delete)
    qtbot.keyClick(tape, Qt.Key.Key_Delete)
    assert bits(tape) == [1, 1, 0]
    click_cell(qtbot, tape, 0)
    qtbot.keyClick(tape, Qt.Key.Key_Delete)
    assert tape.adapter.undo_stack.count() == 3
    for _ in range(3):
        tape.adapter.undo()
    assert bits(tape) == [1, 0, 1, 1, 0]
