"""The main window as a user drives it: shortcuts, controls, settings, screenshots."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt, QVariantAnimation
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.engine.learner import LearnerParams
from rnnviz.session import Session
from rnnviz.present.format import MAX_SPEED
from rnnviz.session import SPEEDS
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.dialogs import GENERATORS, GenerateDialog
from rnnviz.ui.mainwindow import MainWindow
from windows import make_window, press
from clocks import SteppingClock


@pytest.mark.parametrize("key", [Qt.Key.Key_Right, Qt.Key.Key_Period])
def test_right_and_period_step(qtbot, window, key):
    press(qtbot, window, key)
    press(qtbot, window, key)
    assert window.adapter.session.cursor == 2


@pytest.mark.parametrize("key", [Qt.Key.Key_Left, Qt.Key.Key_Comma])
def test_left_and_comma_step_back(qtbot, window, key):
    window.adapter.step(5)
    press(qtbot, window, key)
    assert window.adapter.session.cursor == 4


def test_home_resets_and_end_runs_to_the_end(qtbot, window):
    press(qtbot, window, Qt.Key.Key_End)
    assert window.adapter.session.cursor == 19
    assert "tick 19 of 19" in window.status.text()
    press(qtbot, window, Qt.Key.Key_Home)
    assert window.adapter.session.cursor == 0 and len(window.adapter.session.history) == 0


def test_space_plays_and_pauses(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.adapter.playing
    assert window.actions_by_name["play"].text() == "Pause"
    press(qtbot, window, Qt.Key.Key_Space)
    assert not window.adapter.playing
    assert window.actions_by_name["play"].text() == "Play"


def test_play_stops_at_the_end(qtbot, window, play_timer):
    window.adapter.set_speed(60)
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.actions_by_name["play"].text() == "Pause"
    assert play_timer.run_out() == 19  # one tick a period, and no period after the last tick
    assert window.adapter.session.at_end and not window.adapter.playing
    assert window.actions_by_name["play"].text() == "Play"
    assert "tick 19 of 19" in window.status.text()


def test_play_on_the_windows_own_timer_runs_to_the_end(qtbot, window):
    # The real wiring: Space starts the window's QTimer, which plays on its own.
    window.adapter.set_speed(MAX_SPEED)  # the 19 ticks in a frame or two
    press(qtbot, window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.adapter.playing, timeout=5000)
    assert window.adapter.session.at_end
    assert window.actions_by_name["play"].text() == "Play"


def test_plus_and_minus_change_the_speed(qtbot, window):
    start = window.adapter.speed
    press(qtbot, window, Qt.Key.Key_Plus)
    assert window.adapter.speed == SPEEDS[SPEEDS.index(start) + 1]
    assert window.speed.label.text() == f"{window.adapter.speed} ticks/s"
    press(qtbot, window, Qt.Key.Key_Minus)
    press(qtbot, window, Qt.Key.Key_Minus)
    assert window.adapter.speed == SPEEDS[SPEEDS.index(start) - 1]


def test_undo_and_redo_keys(qtbot, window):
    window.adapter.toggle(0)
    assert window.actions_by_name["undo"].text() == "Undo toggle bit 1"
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.adapter.session.bits[0] == 1
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.adapter.session.bits[0] == 0
    assert not window.actions_by_name["redo"].isEnabled()


def test_shortcuts_still_work_after_clicking_the_tape(qtbot, window):
    qtbot.mouseClick(window.tape.viewport(), Qt.MouseButton.LeftButton, pos=window.tape.cell_rect(15).center())
    assert window.adapter.session.bits[15] == 1  # the click toggled the bit
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.adapter.session.cursor == 1


def test_status_line_shows_tick_error_and_recent_mean_squared_error(window):
    window.adapter.step(7)
    err = window.adapter.session.history["err"][:7]
    text = window.status.text()
    assert "tick 7 of 19" in text
    assert f"e = {err[-1]:+.3f}".replace("-", "\u2212") in text
    assert f"mean e² over the last 7 ticks = {np.mean(err**2):.4f}" in text
    window.adapter.run_to_end()
    err = window.adapter.session.history["err"][-20:]
    assert f"over the last 19 ticks = {np.mean(err[-19:]**2):.4f}" in window.status.text()
    assert "next bit: ŷ = " in window.status.text()


def test_status_line_names_the_slow_motion_stage(qtbot, window):
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, window, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert "slow motion: tick 1, stage 2 of 7 (forward h → ŷ)" in window.status.text()
    press(qtbot, window, Qt.Key.Key_Right)  # a whole step ends the stages
    assert window.adapter.session.cursor == 1
    assert "slow motion" not in window.status.text()


def end_glow(window: MainWindow) -> None:
    """Take the diagram's glow to its end, as FLASH_MS of waiting would (the picture, not the wait, is tested)."""
    glow = window.diagram.findChild(QVariantAnimation)
    glow.setCurrentTime(glow.duration())
    assert all(window.diagram.flash_sign(w) == 0 for w in ("ih", "hh", "ho"))


def test_step_back_restores_the_earlier_picture(qtbot, window):
    window.adapter.step(5)
    end_glow(window)
    before = window.grab().toImage()
    window.adapter.step(3)
    window.adapter.back(3)
    end_glow(window)
    after = window.grab().toImage()
    assert before == after


def test_stream_box_replaces_the_stream_and_refuses_bad_text(qtbot, window):
    box = window.stream_line.edit
    box.setFocus()
    box.setText("(10)^3")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    np.testing.assert_array_equal(window.adapter.session.bits, [1, 0] * 3)
    box.setFocus()
    box.setText("1^5 2")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.stream_line.message.text() == "unexpected character '2' at position 5"
    assert window.stream_line.message.isVisible()
    np.testing.assert_array_equal(window.adapter.session.bits, [1, 0] * 3)
    assert window.adapter.undo_stack.count() == 1


def test_typing_in_the_stream_box_does_not_trigger_shortcuts(qtbot, window):
    box = window.stream_line.edit
    box.setFocus()
    box.clear()
    qtbot.keyClicks(box, "1 0,.")
    assert box.text() == "1 0,."
    assert window.adapter.session.cursor == 0 and not window.adapter.playing


def test_parameter_panel_changes_the_learner_from_the_next_tick(qtbot, window):
    window.adapter.step(4)
    panel = window.parameters
    panel.eta.setValue(1.5)
    assert window.adapter.session.params.eta == 1.5 and window.adapter.session.cursor == 4
    panel.rule.setCurrentIndex(panel.rule.findData("simultaneous"))
    assert window.adapter.session.params.rule == "simultaneous"
    panel.init["ho"].setValue(0.5)
    assert window.adapter.session.params.init == (0.0, 0.0, 0.5)
    panel.learning.setChecked(False)
    window.adapter.step(1)
    assert window.adapter.session.current_tick().d_ho == 0.0


def test_panel_follows_changes_made_elsewhere(window):
    window.adapter.set_params(eta=2.25, activation="tanh")
    assert window.parameters.eta.value() == 2.25
    assert window.parameters.activation.currentData() == "tanh"


def test_every_generator_makes_a_stream(qtbot, window):
    # One window for all of them (a window costs more than the checks): each
    # generator's stream replaces the one before, as it does for a user.
    for generator in GENERATORS:
        dialog = GenerateDialog(generator, window)
        qtbot.addWidget(dialog)
        dialog.n.setValue(30)
        assert window.open_stream(dialog.call_text()), generator.key
        assert len(window.adapter.session.bits) == 30, generator.key
        assert window.stream_line.edit.text() == dialog.call_text()


def test_generate_dialog_refuses_a_bad_pattern(qtbot, window):
    dialog = GenerateDialog(GENERATORS[2], window)
    qtbot.addWidget(dialog)
    dialog.pattern.setText("12")
    dialog.accept()
    assert not dialog.message.isHidden()
    assert dialog.message.text() == "The pattern may hold only 0 and 1, not '2'."
    assert dialog.result() == 0


def test_examples_menu_opens_each_example(qtbot, window):
    file_menu = window.menuBar().actions()[0].menu()
    example_menu = file_menu.actions()[0].menu()
    actions = example_menu.actions()
    assert len(actions) >= 5
    for action in actions:
        action.trigger()
        assert window.stream_line.edit.text() == action.text().split("—")[1].strip()


def test_settings_start_empty_in_every_test():
    assert QSettings().allKeys() == []


def test_settings_persist_geometry_speed_learning_and_stream(qtbot):
    first = make_window(qtbot, settings=QSettings())
    first.resize(760, 560)  # within the offscreen screen (800×600)
    first.adapter.set_speed(30)
    first.parameters.eta.setValue(2.0)
    first.open_stream("(10)^6")
    first.close()
    second = make_window(qtbot, settings=QSettings())
    assert second.adapter.speed == 30
    assert second.adapter.session.params.eta == 2.0
    np.testing.assert_array_equal(second.adapter.session.bits, [1, 0] * 6)
    # The height cannot go below what the window's contents need.
    assert (second.width(), second.height()) == (760, max(560, second.minimumSizeHint().height()))
    second.restore_defaults()
    assert second.adapter.session.params == LearnerParams() and second.adapter.speed == 10
    np.testing.assert_array_equal(second.adapter.session.bits, [1, 0] * 6)


def test_edits_on_the_tape_are_remembered(qtbot):
    first = make_window(qtbot, settings=QSettings())
    first.adapter.toggle(0)
    first.adapter.insert(20, "1")
    first.close()
    second = make_window(qtbot, settings=QSettings())
    np.testing.assert_array_equal(second.adapter.session.bits, [0] + [1] * 9 + [0] * 10 + [1])


def test_a_generator_call_is_remembered_as_written(qtbot):
    first = make_window(qtbot, settings=QSettings())
    first.open_stream("random(300, 0.3, seed=7)")
    first.adapter.step(3)
    first.close()
    second = make_window(qtbot, settings=QSettings())
    assert second.stream_line.edit.text() == "random(300, 0.3, seed=7)"
    assert len(second.adapter.session.bits) == 300


def test_start_weights_box_changes_only_its_own_weight(qtbot):
    params = LearnerParams(eta=5000, gain=0.001, init=(0.1234567, 500.0, 0.0))
    window = MainWindow(SessionAdapter(Session("1^5", params)), settings=None)
    qtbot.addWidget(window)
    panel = window.parameters
    assert panel.eta.text() == "5000" and panel.gain.text() == "0.001"
    assert [box.text() for box in panel.init.values()] == ["0.123457", "500", "0"]
    panel.init["ho"].setValue(0.2)
    assert window.adapter.session.params.init == (0.1234567, 500.0, 0.2)


def test_the_command_line_stream_text_is_shown_as_written(qtbot):
    window = MainWindow(SessionAdapter(Session("(10)^10")), settings=None, stream_text="(10)^10")
    qtbot.addWidget(window)
    assert window.stream_line.edit.text() == "(10)^10"


def test_command_line_options_win_over_saved_settings(qtbot):
    saved = QSettings()
    saved.setValue("version", 1)
    saved.setValue("learning/eta", 2.0)
    window = make_window(qtbot, "0^4", settings=QSettings(), restore_settings=False)
    assert window.adapter.session.params.eta == 5.0
    assert len(window.adapter.session.bits) == 4


def test_damaged_settings_are_ignored(qtbot):
    saved = QSettings()
    saved.setValue("version", 1)
    saved.setValue("learning/eta", "not a number")
    saved.setValue("learning/init", "1,2")
    saved.setValue("window/geometry", "garbage")
    window = make_window(qtbot, settings=QSettings())
    assert window.adapter.session.params == LearnerParams()


def test_closing_stops_playing(qtbot, window):
    window.adapter.play()
    window.close()
    assert not window.adapter.playing


def test_screenshot_has_exactly_the_requested_size(tmp_path):
    from rnnviz.ui.app import screenshot

    out = screenshot(tmp_path / "shot.png", "1^10 0^10", LearnerParams(), 7, (1000, 640))
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 640)
    colours = {image.pixel(x, y) for x in range(0, 1000, 25) for y in range(0, 640, 25)}
    assert len(colours) > 20  # a real picture, not a blank window


def test_screenshot_command(cli, tmp_path):
    # In-process (``python -m rnnviz`` itself is tested in test_cli.py): a Qt
    # warning on the way fails the test through pytest-qt, as it would show on stderr.
    out = tmp_path / "cli.png"
    status, _, stderr = cli("screenshot", str(out), "(10)^10", "--ticks", "12",
                            "--size", "800x600", "--rule", "simultaneous")
    assert status == 0, stderr
    assert stderr == ""
    image = QImage(str(out))
    assert (image.width(), image.height()) == (800, 600)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "800"], "--size needs WIDTHxHEIGHT"),
        (["--size", "10x10"], "outside"),
        (["--ticks", "99"], "more than the stream's 19 ticks"),
        (["--ticks", "-1"], "must not be negative"),
        (["1^3 x"], "unexpected character 'x'"),
        (["--size", "400x300"], "smaller than the window can be laid out in"),
    ],
)
def test_screenshot_refuses_bad_input_and_writes_nothing(cli, tmp_path, args, message):
    # In-process: test_screenshot_command runs the real entry point.
    out = tmp_path / "shot.png"
    status, stdout, stderr = cli("screenshot", str(out), *args)
    assert status == 2 and message in stderr and len(stderr.splitlines()) == 1
    assert stdout == "" and "Traceback" not in stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("stream", "params"),
    [("0^19 1", LearnerParams(activation="tanh", init=(0.5, -0.5, 0.5))),  # ŷ = 0.227
     ("1^5", LearnerParams(learning=False))],  # ŷ = 0.5 exactly: a tie
)
def test_every_view_gives_the_same_guess_for_the_next_bit(qtbot, stream, params):
    from rnnviz.engine.learner import predicted_bit

    window = MainWindow(SessionAdapter(Session(stream, params)), settings=None)
    qtbot.addWidget(window)
    window.adapter.run_to_end()
    bit = predicted_bit(window.adapter.session.prediction().yhat)
    ghost = window.tape.cell_rect(len(window.adapter.session.bits)).center()
    assert window.status.text().endswith(f"→ {bit}")
    assert window.diagram.state().next_bit.endswith(f"→ {bit}")
    assert window.tape.tooltip_at(ghost).endswith(f"→ {bit}")


def test_rnnviz_gui_opens_the_window_with_the_given_stream_and_options(qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from rnnviz.cli import main

    seen = {}

    def event_loop(app):
        # Instead of waiting for the user: look at the window the command built, close it.
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["stream"] = windows[0].stream_line.edit.text()
        seen["params"] = windows[0].adapter.session.params
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", event_loop)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    assert main(["gui", "(10)^6", "--eta", "2", "--rule", "simultaneous"]) == 0
    assert seen["stream"] == "(10)^6"
    assert seen["params"] == LearnerParams(eta=2.0, rule="simultaneous")
    assert QSettings().value("learning/eta", type=float) == 2.0  # saved on close


def test_enter_in_a_number_box_keeps_the_exact_value(qtbot):
    params = LearnerParams(eta=5.123456789, init=(0.1234567, 0.0, 0.0))
    window = make_window(qtbot, "1^10", settings=None)
    window.adapter.set_params(params)
    window.adapter.step(5)
    forgets = window.adapter.session.history.forgets
    for box in (window.parameters.eta, window.parameters.init["ih"]):
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.adapter.session.params == params
    assert window.adapter.session.history.forgets == forgets  # nothing was recomputed


def test_escape_in_a_number_box_cancels_the_typing(qtbot, window):
    box = window.parameters.eta
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "0.01")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert window.adapter.session.params.eta == 5.0 and box.text() == "5"
    assert not box.hasFocus()
    press(qtbot, window, Qt.Key.Key_Right)  # the window's keys work again
    assert window.adapter.session.cursor == 1


def test_the_same_screenshot_command_gives_the_same_picture(tmp_path):
    from rnnviz.ui.app import screenshot

    first = screenshot(tmp_path / "a.png", "1^10 0^10", LearnerParams(), 13, (1000, 640))
    second = screenshot(tmp_path / "b.png", "1^10 0^10", LearnerParams(), 13, (1000, 640))
    assert QImage(str(first)) == QImage(str(second))


def test_every_key_of_the_window_is_in_the_f1_list(window):
    from PySide6.QtGui import QKeySequence

    from rnnviz.ui.dialogs import SHORTCUTS_HELP

    listed = {key for keys, _ in SHORTCUTS_HELP for key in re.split(r" / | or ", keys)}
    spoken = {"Right": "→", "Left": "←", "-": "−"}
    missing = []
    window.workspace_of("elman")  # the lab's keys (its lessons' Ctrl+→) come with it
    for name, action in window.actions_by_name.items():
        keys = [k.toString(QKeySequence.SequenceFormat.PortableText) for k in action.shortcuts()]
        for text in [k for k in keys if k][:1]:
            for word, said in spoken.items():
                text = text.replace(word, said)
            if text not in listed:
                missing.append(f"{name}: {text}")
    assert not missing, missing


# -- the window and the desktop (issue 12 §4) ----------------------------------------------


def inside(area: QRect, rect: QRect) -> bool:
    return area.contains(rect)


def test_a_first_start_fits_the_screen(qtbot):
    # The offscreen screen (800×800) is smaller than the default 1280×800,
    # as a 1366×768 laptop with a panel is, or 2560×1440 at QT_SCALE_FACTOR=2.
    window = make_window(qtbot, fit_screen=True)
    area = window.screen().availableGeometry()
    assert window.width() < 1280
    assert inside(area, window.frameGeometry())
    # The status line and the last settings row are on screen.
    status = window.statusBar()
    assert inside(area, QRect(status.mapToGlobal(QPoint(0, 0)), status.size()))
    row = window.parameters.learning
    assert inside(area, QRect(row.mapToGlobal(QPoint(0, 0)), row.size()))


def test_a_remembered_size_and_place_fit_the_screen_at_the_next_start(qtbot):
    settings = QSettings()
    first = make_window(qtbot, settings=settings)
    first.setGeometry(2000, 1500, 1500, 1000)  # saved on a larger screen, off this one
    first.close()
    second = make_window(qtbot, settings=settings, fit_screen=True)
    assert inside(second.screen().availableGeometry(), second.frameGeometry())


def test_a_shown_window_fits_a_laptop_screen_with_its_frame(qtbot, window):
    # 1366×768 with a 28-pixel panel at the top; the window sits low on it.
    area = QRect(0, 28, 1366, 740)
    window.move(300, 200)
    qtbot.waitUntil(lambda: window.pos() == QPoint(300, 200))
    window.fit_to_screen(area)
    assert window.height() < 800
    assert inside(area, window.frameGeometry())


@pytest.mark.parametrize(
    ("rect", "area", "moved", "expected"),
    [
        # 1280×800 on 1366×740: shorter, placed by the window manager.
        (QRect(0, 0, 1280, 800), QRect(0, 28, 1366, 740), False, QRect(0, 0, 1280, 740 - 40 - 8)),
        # A remembered place half off screen is moved in.
        (QRect(900, 500, 1000, 600), QRect(0, 0, 1366, 768), True, QRect(1366 - 8 - 1000, 768 - 8 - 600, 1000, 600)),
        # A screen smaller than the window's minimum: the minimum, top-left showing.
        (QRect(50, 50, 1280, 800), QRect(0, 0, 640, 480), True, QRect(8, 40, 738, 579)),
    ],
)
def test_fitted_geometry(rect, area, moved, expected):
    from rnnviz.ui.shell import FRAME_ALLOWANCE, fitted_geometry

    assert fitted_geometry(rect, area, FRAME_ALLOWANCE, QSize(738, 579), move=moved) == expected


def test_no_two_actions_share_a_key_and_ctrl_q_quits(qtbot, window):
    def clashes() -> list[str]:
        owners: dict[str, list[str]] = {}
        for action in window.findChildren(QAction):
            if not action.isEnabled():
                continue
            for key in action.shortcuts():
                owners.setdefault(key.toString(), []).append(action.objectName() or action.text())
        return [f"{key or 'empty key'}: {names}" for key, names in owners.items() if len(names) > 1 or not key]

    assert clashes() == []
    window.presentation.set_active(True)  # Esc is on in presentation mode
    assert clashes() == []
    window.presentation.set_active(False)
    press(qtbot, window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_a_key_given_twice_is_set_once(window):
    # The standard Quit key is Ctrl+Q on Linux: given with "Ctrl+Q" it made
    # the shortcut ambiguous, and Ctrl+Q did nothing.
    action = window.add_action("twice", "Twice", lambda: None,
                            [QKeySequence("Ctrl+Shift+F12"), QKeySequence(), QKeySequence("Ctrl+Shift+F12")])
    assert [k.toString() for k in action.shortcuts()] == ["Ctrl+Shift+F12"]


def test_the_toolbar_stands_still_when_play_becomes_pause(qtbot, window):
    def places() -> list[QRect]:
        QApplication.sendPostedEvents()
        return [child.geometry() for child in window.toolbar.findChildren(QWidget) if child.isVisible()]

    before = places()
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.actions_by_name["play"].text() == "Pause"
    playing = places()
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.actions_by_name["play"].text() == "Play"
    assert playing == before
    assert places() == before


def test_a_notice_from_the_adapter_shows_in_the_status_bar(qtbot, window):
    window.adapter.notice.emit("at the end: press Home to start again")
    assert window.statusBar().currentMessage() == "at the end: press Home to start again"
    window.presentation.set_active(True)  # no status bar: under the tape
    window.adapter.notice.emit("at the end: press Home to start again")
    assert window.tape.message == "at the end: press Home to start again"


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720), (1100, 700)])
def test_the_learning_settings_are_never_cut_off_at_the_right(qtbot, window, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    QApplication.sendPostedEvents()
    panel = window.parameters
    viewport = panel.parentWidget()
    while viewport.objectName() != "qt_scrollarea_viewport":
        viewport = viewport.parentWidget()
    cut = []
    for box in [panel.eta, panel.rule, panel.activation, panel.gain, panel.h0, panel.learning, *panel.init.values()]:
        right = box.mapTo(viewport, QPoint(box.width() - 1, 0)).x()
        if right >= viewport.width():
            cut.append(f"{box.toolTip()[:20]!r} ends at {right}, the column at {viewport.width()}")
    assert cut == []


def test_space_at_the_end_says_how_to_play_again(qtbot, window):
    press(qtbot, window, Qt.Key.Key_End)
    press(qtbot, window, Qt.Key.Key_Space)
    assert not window.adapter.playing and window.adapter.session.cursor == 19
    assert "Home" in window.statusBar().currentMessage()


@pytest.mark.parametrize("stream", [None, "(10)^6"])
def test_a_start_with_saved_settings_leaves_nothing_to_undo(qtbot, stream):
    # Restoring last time's settings is not a change the user made: Ctrl+Z at
    # start must not "undo" η back to 5 (nor the restored stream back to the default).
    saved = QSettings()
    saved.setValue("version", 1)
    saved.setValue("learning/eta", 2.0)
    if stream is not None:
        saved.setValue("stream/text", stream)
    window = make_window(qtbot, settings=QSettings())
    assert window.adapter.session.params.eta == 2.0
    assert not window.adapter.undo_stack.canUndo()
    assert not window.actions_by_name["undo"].isEnabled()
    assert window.actions_by_name["undo"].text() == "Undo"


# -- closing while long work runs ------------------------------------------------------------------
def long_work_window(qtbot) -> MainWindow:
    adapter = SessionAdapter(Session("random(300000, 0.5, seed=3)"), clock=SteppingClock(0.05))
    window = MainWindow(adapter, settings=QSettings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_like(window: MainWindow, how: str) -> None:
    """Close *window* as the window manager's close button does, or as Ctrl+Q's action does."""
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtGui import QCloseEvent

    if how == "window manager":
        # What Qt posts when the window manager asks a window to close.
        QCoreApplication.postEvent(window.windowHandle(), QCloseEvent())
    else:
        QTimer.singleShot(0, window.actions_by_name["quit"].trigger)


@pytest.mark.parametrize("how", ["window manager", "quit action"])
def test_closing_during_long_work_stops_the_work_then_closes(qtbot, how):
    from rnnviz.engine.learner import trace
    from rnnviz.ui import work

    window = long_work_window(qtbot)
    session = window.adapter.session
    notices: list[str] = []
    window.adapter.notice.connect(notices.append)
    close_like(window, how)  # handled inside the work, which lets events in as it goes
    window.adapter.run_to_end()
    # The work stopped as Cancel stops it, consistently, and the window waited for that.
    assert 0 < session.cursor < session.n_ticks and notices[-1].startswith("Cancelled: stopped at tick")
    expected = trace(session.bits[: len(session.history) + 1])
    np.testing.assert_array_equal(session.history["ho"], expected["ho"])
    assert window.isVisible() and not work.running()
    qtbot.waitUntil(lambda: not window.isVisible())  # then it closed, saving as ever
    assert QSettings().value("run/speed", type=int) == window.adapter.speed
    assert not window.adapter.playing


def test_a_close_during_long_work_asks_about_unsaved_changes_only_after_the_work(qtbot, tmp_path):
    from rnnviz.ui import work

    window = long_work_window(qtbot)
    files = window.session_files
    qtbot.waitUntil(lambda: files.started)
    assert files.save_as(tmp_path / "lecture.rnnviz.json")
    window.adapter.toggle(299_000)  # beyond the cursor: a change, no work
    asked: list[tuple[bool, int]] = []
    files.ask_unsaved = lambda what: asked.append((work.running(), window.adapter.session.cursor)) or "cancel"
    close_like(window, "window manager")
    window.adapter.run_to_end()
    stopped = window.adapter.session.cursor
    assert stopped < window.adapter.session.n_ticks and asked == []
    qtbot.waitUntil(lambda: bool(asked))
    assert asked == [(False, stopped)]  # asked once the session stood still
    assert window.isVisible()  # Cancel keeps it open, with the session where the work stopped
    files.ask_unsaved = lambda what: "discard"
    window.close()
    assert not window.isVisible()


def test_restore_defaults_with_a_full_settings_log_keeps_the_settings_and_says_why(qtbot, short_param_log):
    limit = short_param_log
    # η changed at each of `limit` ticks: the most a session (and its file) keeps.
    log = [(tick, LearnerParams(eta=1.0 + tick % 2)) for tick in range(limit)]
    session = Session.replay("1" * (limit + 10), log, limit)
    window = make_window(qtbot, settings=None)
    window.adapter.load(session)
    window.adapter.set_speed(30)
    window.restore_defaults()
    assert window.adapter.session.params.eta == 1.0 + (limit - 1) % 2  # kept
    assert window.adapter.speed == 10  # the rest is restored
    assert window.statusBar().currentMessage().startswith(
        "Speed and layout restored; the learning settings were kept: the settings already changed")


def test_a_screenshot_is_by_default_the_size_the_window_opens_at() -> None:
    # commands/gui.py writes the size out (it may not import Qt to read it); they must agree.
    from rnnviz.cli import build_parser
    from rnnviz.ui.mainwindow import DEFAULT_WINDOW_SIZE

    args = build_parser().parse_args(["screenshot", "out.png"])
    assert args.size == "{}x{}".format(*DEFAULT_WINDOW_SIZE) == "1280x800"
