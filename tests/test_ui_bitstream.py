"""The tape: one cell per bit, edited by click, keys and paste, following the cursor."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QShortcut, QWheelEvent
from PySide6.QtWidgets import QApplication, QSizePolicy, QVBoxLayout, QWidget

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


def claims(tape, key, text, modifiers=Qt.KeyboardModifier.NoModifier) -> bool:
    """Whether the tape takes *key* for itself before the window's shortcuts see it."""
    event = QKeyEvent(QEvent.Type.ShortcutOverride, key, modifiers, text)
    QApplication.sendEvent(tape, event)
    return event.isAccepted()


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
    assert not claims(make_tape(), key, chr(key) if key < 128 else "")


@pytest.mark.parametrize("key,text", [(Qt.Key.Key_0, "0"), (Qt.Key.Key_1, "1"), (Qt.Key.Key_Backspace, ""), (Qt.Key.Key_Delete, "")])
def test_the_tapes_own_keys_are_claimed(make_tape, key, text):
    assert claims(make_tape(), key, text)


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


def test_a_click_near_a_cell_border_or_on_the_ghost_places_the_caret(qtbot, make_tape):
    tape = make_tape()
    rect = tape.cell_rect(7)
    qtbot.mouseClick(tape.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 1, rect.center().y()))
    assert tape.caret == 7
    qtbot.mouseClick(tape.viewport(), Qt.MouseButton.LeftButton, pos=tape.cell_rect(20).center())
    assert tape.caret == 20
    assert bits(tape) == [1] * 10 + [0] * 10 and tape.adapter.undo_stack.count() == 0
    assert tape.index_at(tape.cell_rect(20).center()) is None  # the ghost is no bit


def test_ctrl_c_and_shift_insert_go_through_the_clipboard(qtbot, make_tape):
    tape = make_tape()
    qtbot.keyClick(tape, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "1^10 0^10"
    QGuiApplication.clipboard().setText("random(20, 0.3, seed=2)")
    tape.set_caret(20)
    qtbot.keyClick(tape, Qt.Key.Key_Insert, Qt.KeyboardModifier.ShiftModifier)
    assert len(bits(tape)) == 40 and tape.caret == 40
    np.testing.assert_array_equal(tape.adapter.session.bits[20:], Session("random(20, 0.3, seed=2)").bits)


@pytest.mark.parametrize("key,text,modifiers", [
    (Qt.Key.Key_Left, "", Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_Right, "", Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_Home, "", Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_End, "", Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_V, "\x16", Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_C, "\x03", Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_Insert, "", Qt.KeyboardModifier.ShiftModifier),
    (Qt.Key.Key_1, "1", Qt.KeyboardModifier.KeypadModifier),
])
def test_the_tapes_modified_keys_are_claimed(make_tape, key, text, modifiers):
    assert claims(make_tape(), key, text, modifiers)


@pytest.mark.parametrize("key,text,modifiers", [
    (Qt.Key.Key_Z, "\x1a", Qt.KeyboardModifier.ControlModifier),  # undo is the window's
    (Qt.Key.Key_2, "2", Qt.KeyboardModifier.NoModifier),
    (Qt.Key.Key_1, "1", Qt.KeyboardModifier.AltModifier),
])
def test_other_keys_are_not_claimed(make_tape, key, text, modifiers):
    assert not claims(make_tape(), key, text, modifiers)


def test_a_window_shortcut_fires_while_the_tape_has_focus(qtbot):
    adapter = SessionAdapter(Session("1^10 0^10"))
    try:
        window = QWidget()
        qtbot.addWidget(window)
        tape = BitStreamEditor(adapter, window)
        QVBoxLayout(window).addWidget(tape)
        played = []
        QShortcut(QKeySequence(Qt.Key.Key_Space), window).activated.connect(lambda: played.append(1))
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        tape.setFocus()
        qtbot.keyClick(tape, Qt.Key.Key_Space)
        assert played == [1]
        qtbot.keyClick(tape, Qt.Key.Key_1)  # the tape's own key still edits
        assert bits(tape) == [1] * 11 + [0] * 10
    finally:
        adapter.shutdown()


def menu_action(tape, pos, starts):
    (action,) = [a for a in tape.context_menu(pos).actions() if a.text().startswith(starts)]
    return action


def test_the_context_menu_edits_copies_and_pastes(make_tape):
    tape = make_tape()
    cell = tape.cell_rect(2).center()
    menu_action(tape, cell, "Toggle bit 3").trigger()
    assert bits(tape)[:4] == [1, 1, 0, 1]
    menu_action(tape, cell, "Delete bit 3").trigger()
    assert bits(tape) == [1] * 9 + [0] * 10
    gap = QPoint(tape.cell_rect(9).left() + 1, cell.y())  # between bit 9 and bit 10
    menu_action(tape, gap, "Insert 1 here").trigger()
    assert bits(tape) == [1] * 10 + [0] * 10 and tape.caret == 10
    next_gap = QPoint(tape.cell_rect(10).left() + 1, cell.y())  # right after the inserted 1
    menu_action(tape, next_gap, "Insert 0 here").trigger()
    assert bits(tape) == [1] * 10 + [0] * 11
    assert tape.adapter.undo_stack.count() == 4  # a menu choice is one step each, never merged
    ruler = QPoint(cell.x(), tape.cell_rect(2).bottom() + 6)
    assert not menu_action(tape, ruler, "Toggle").isEnabled()

    menu_action(tape, cell, "Copy stream").trigger()
    assert QGuiApplication.clipboard().text() == "1^10 0^11"
    QGuiApplication.clipboard().setText("1 0 2")
    menu_action(tape, cell, "Paste at caret").trigger()
    assert "'2'" in tape.message and "position 5" in tape.message
    assert len(bits(tape)) == 21 and tape.adapter.undo_stack.count() == 4


def test_the_message_goes_away_by_itself(qtbot, make_tape, monkeypatch):
    monkeypatch.setattr("rnnviz.ui.bitstream.MESSAGE_TIMEOUT_MS", 20)
    tape = make_tape()
    tape.paste_text("(")
    assert "'('" in tape.message
    qtbot.waitUntil(lambda: tape.message == "", timeout=2000)


def test_an_edit_far_from_the_cursor_keeps_the_edited_place_in_view(qtbot, make_tape):
    tape = make_tape("0^2000", width=600)
    tape.set_caret(1500)
    qtbot.keyClick(tape, Qt.Key.Key_1)
    first, last = tape.visible_range()
    assert first <= 1500 <= last and tape.adapter.session.bits[1500] == 1
    tape.adapter.step()  # moving in time brings the tick shown back
    first, last = tape.visible_range()
    assert first == 0 and last >= 1


def test_playing_forward_scrolls_one_cell_at_a_time(make_tape):
    tape = make_tape("random(100000, 0.5, seed=3)", width=600)
    tape.adapter.seek(50_000)
    bar = tape.horizontalScrollBar()
    cell = tape.cell_rect(1).left() - tape.cell_rect(0).left()
    for _ in range(5):
        before = bar.value()
        tape.adapter.step()
        assert bar.value() - before in (0, cell)
        first, last = tape.visible_range()
        assert first <= tape.highlighted()[0] and tape.highlighted()[1] + 3 <= last


def test_the_wheel_scrolls_sideways(qtbot, make_tape):
    tape = make_tape("0^500", width=400)
    before = tape.visible_range()[0]
    event = QWheelEvent(QPointF(50, 30), QPointF(50, 30), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(tape.viewport(), event)
    assert tape.visible_range()[0] > before


def test_the_height_is_fixed_and_fits_every_strip(make_tape):
    tape = make_tape()
    assert tape.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Fixed
    cell = tape.cell_rect(0)
    assert 20 <= cell.width() <= 32
    assert cell.top() >= tape.fontMetrics().height() // 2  # room for the "x"/"y" labels
    bar = tape.horizontalScrollBar().sizeHint().height()
    assert tape.sizeHint().height() >= cell.bottom() + 2 * tape.fontMetrics().height() + bar


def test_a_double_click_flips_a_bit_once(qtbot, make_tape):
    tape = make_tape("1^4")
    # What a window system sends for a double-click: a click, then a double-click event.
    click_cell(qtbot, tape, 2)
    qtbot.mouseDClick(tape.viewport(), Qt.MouseButton.LeftButton, pos=tape.cell_rect(2).center())
    assert bits(tape) == [1, 1, 0, 1]


def _strip_under_the_ruler_is_blank(tape) -> bool:
    """Whether the strip below the ruler's numbers holds only the background."""
    image = tape.viewport().grab().toImage()
    base = tape.palette().base().color().rgb()
    top = tape.cell_rect(0).bottom() + tape.fontMetrics().height() + 8
    return all(image.pixel(x, y) == base
               for y in range(top, image.height()) for x in range(image.width()))


def test_editing_hints_can_be_hidden_for_an_audience(qtbot, make_tape):
    tape = make_tape("1^10 0^10", width=500)
    assert tape.editing_hints
    assert not _strip_under_the_ruler_is_blank(tape)  # the editing hint is drawn there
    tape.set_editing_hints(False)
    assert not tape.editing_hints
    assert _strip_under_the_ruler_is_blank(tape)
    tape.set_editing_hints(True)
    assert not _strip_under_the_ruler_is_blank(tape)
    # A refused edit still says why, hints or not: deleting the only bit is refused.
    single = make_tape("1", width=500)
    single.set_editing_hints(False)
    qtbot.keyClick(single, Qt.Key.Key_Delete)
    assert single.message
    box = single.message_rect()
    assert single.viewport().rect().contains(box)
    assert _colours_in(single, box) > {single.palette().base().color().rgb()}


def _colours_in(tape, rect) -> set[int]:
    """The colours painted inside *rect* of the tape's viewport."""
    image = tape.viewport().grab().toImage()
    return {image.pixel(x, y) for y in range(rect.top(), rect.bottom() + 1)
            for x in range(rect.left(), rect.right() + 1)}


def _lowest_ink(tape) -> int:
    """The lowest viewport row with anything but the background on it."""
    image = tape.viewport().grab().toImage()
    base = tape.palette().base().color().rgb()
    return max(y for y in range(image.height()) if any(image.pixel(x, y) != base for x in range(image.width())))


def test_without_hints_the_tape_ends_under_the_ruler_and_a_message_never_moves_it(qtbot, make_tape):
    # In presentation mode an empty strip under the ruler left a blank band in every frame.
    tape = make_tape("1^10 0^10", width=700)
    with_hints = tape.sizeHint().height()
    tape.set_editing_hints(False)
    height = tape.sizeHint().height()
    assert height < with_hints
    tape.resize(tape.width(), height)
    qtbot.waitUntil(lambda: tape.viewport().height() == height - 2 * tape.frameWidth())
    blank = tape.viewport().grab().toImage()
    # The ruler's numbers are the last thing drawn: no band of background under them.
    assert tape.viewport().height() - 1 - _lowest_ink(tape) <= 4
    # A message takes no room: it is drawn in a box over the ruler, in the tape's font, whole.
    text = "Settings restored to their defaults (the stream is kept)."
    tape.show_message(text, error=False)
    assert tape.sizeHint().height() == height
    box = tape.message_rect()
    assert tape.viewport().rect().contains(box)
    assert box.height() >= tape.fontMetrics().height()
    assert box.width() >= tape.fontMetrics().horizontalAdvance(text)
    base = tape.palette().base().color().rgb()
    assert len(_colours_in(tape, box) - {base}) > 3  # text and frame over an opaque box
    assert tape.tooltip_at(box.center()) == text
    tape.clear_message()
    assert tape.viewport().grab().toImage() == blank
    # With the hints back, the strip is back under the ruler.
    tape.set_editing_hints(True)
    assert tape.sizeHint().height() == with_hints


# -- TapeLayout: the bit <-> pixel mapping, without a widget ----------------------------------
def _layout(qapp):
    from PySide6.QtGui import QFont

    from rnnviz.ui.tape_layout import TapeLayout

    font = QFont()
    font.setPixelSize(14)
    return TapeLayout.for_font(font)


def test_layout_maps_every_cell_centre_back_to_its_bit_and_its_edges_to_the_gaps(qapp) -> None:
    layout = _layout(qapp)
    y = layout.cells_top + layout.cell_h // 2
    for scroll in (0, 7, 5 * layout.cell_w + 3):
        for index in range(20):
            left = layout.cell_x(index, scroll)
            assert layout.index_at(left + layout.cell_w // 2, y, scroll, 20) == index
            assert layout.caret_at(left, scroll, 20) == index  # a cell's left edge is the gap before it
    # Past the last bit (the ghost cell) and off the cell row there is no bit.
    assert layout.index_at(layout.cell_x(20, 0) + 2, y, 0, 20) is None
    assert layout.index_at(layout.cell_x(3, 0) + 2, layout.cells_top - 1, 0, 20) is None
    assert layout.caret_at(10_000, 0, 20) == 20


def test_layout_scrolls_least_to_show_cells_and_drops_the_margin_when_too_narrow(qapp) -> None:
    layout = _layout(qapp)
    w = layout.cell_w
    width = 10 * w
    # Already in view: no scrolling.
    assert layout.scroll_to_show(2, 3, 1, 0, width) is None
    # Far right: the view's right edge lands one margin cell past the last one shown.
    value = layout.scroll_to_show(30, 30, 1, 0, width)
    first, last = layout.visible_range(value, width, 100)
    assert last == 31
    assert first <= 30
    # A view one cell wide cannot hold the margin: it shows the cell itself.
    value = layout.scroll_to_show(30, 30, 3, 0, w)
    assert layout.visible_range(value, w, 100)[0] == 30
