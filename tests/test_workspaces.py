"""Model kinds through the registry: a second kind, registered only here, in a real window.

The counter kind (tests/counter_kind.py) proves that the window is a shell:
it appears in the Model menu, its keys step it, its menu and actions come and
go with it, a recording films it and a session file keeps it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtGui import QImage

from clocks import ManualClock
from counter_kind import KEY, KIND, CounterRun
from rnnviz.io import sessionfile
from rnnviz.io.video import probe
from rnnviz.runs import Run
from rnnviz.session import Session
from rnnviz.ui import recording, workspaces
from rnnviz.ui.mainwindow import MainWindow
from rnnviz.ui.runadapter import RunAdapter


@pytest.fixture
def counter_kind():
    workspaces.register(KIND)
    yield KIND
    workspaces.unregister(KEY)


@pytest.fixture
def counter_window(counter_kind, window):
    """The usual one-neuron window, with the counter kind registered before it was made."""
    return window


@pytest.fixture
def window(counter_kind, qtbot):  # noqa: F811 (the registered kind must exist before the window)
    from windows import make_window

    window = make_window(qtbot)
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def model_entries(window) -> dict[str, object]:
    return {a.text(): a for a in window.menu("model").actions()}


def test_both_kinds_follow_the_run_protocol():
    assert isinstance(Session("1^10 0^10"), Run) and isinstance(CounterRun(), Run)
    assert not isinstance(object(), Run)


def test_the_shipped_kinds_are_the_one_neuron_learner_the_lab_the_gated_cells_and_the_race(qtbot):
    from windows import make_window

    window = make_window(qtbot)
    assert [k.key for k in workspaces.kinds()] == ["neuron", "elman", "lstm", "gru", "race"]
    assert window.menu("model").menuAction().isVisible() and window.kind_key == "neuron"
    window.adapter.shutdown()


def test_with_a_single_kind_there_is_no_model_menu(qtbot, monkeypatch):
    from windows import make_window

    only = {"neuron": workspaces.kind("neuron")}
    monkeypatch.setattr(workspaces, "_KINDS", only)
    window = make_window(qtbot)
    assert not window.menu("model").menuAction().isVisible()
    window.adapter.shutdown()


def test_a_registered_kind_appears_in_the_model_menu_and_is_shown_when_chosen(window, qtbot):
    menu = window.menu("model")
    assert menu.menuAction().isVisible()
    entries = model_entries(window)
    assert list(entries) == ["One neuron", "Elman network (BPTT lab)", "LSTM", "GRU",
                             "Race: plain RNN vs LSTM vs GRU", "Counter (test kind)"]
    assert entries["One neuron"].isChecked() and not entries["Counter (test kind)"].isChecked()
    assert window.kind_key == "neuron" and window.stack.currentWidget() is window.workspace.widget

    entries["Counter (test kind)"].trigger()
    assert window.kind_key == KEY and window.windowTitle() == "rnnviz — counter"
    assert window.stack.currentWidget().objectName() == "counterView"
    assert entries["Counter (test kind)"].isChecked() and not entries["One neuron"].isChecked()
    assert window.status.text() == "count 0 after tick 0 of 20 (step 3)"


def test_the_transport_keys_drive_the_kind_shown_and_the_other_keeps_its_tick(window, qtbot):
    window.adapter.step(5)
    neuron = window.adapter
    window.show_kind(KEY)
    label = window.stack.currentWidget()
    for _ in range(4):
        window.action("step").trigger()
    window.action("back").trigger()
    assert window.adapter.run.cursor == 3 and label.text() == "9"
    assert window.status.text() == "count 9 after tick 3 of 20 (step 3)"
    window.action("end").trigger()
    assert label.text() == "60" and window.adapter.run.at_end
    window.action("play").trigger()  # at the end: nothing moves, a line says why
    assert "At the end of the run (tick 20)" in window.statusBar().currentMessage()
    assert neuron.session.cursor == 5  # the one-neuron run stayed where it was
    window.show_kind("neuron")
    assert window.adapter is neuron and window.status.text().startswith("tick 5 of 19")


def test_each_kinds_menus_and_actions_are_there_only_while_it_is_shown(window):
    window.workspace_of(KEY)  # made, not shown: its menu exists and stays hidden
    counter_menu, generate = window.menu("counter"), window.menu("generate")
    assert not counter_menu.menuAction().isVisible() and generate.menuAction().isVisible()
    assert window.action("stage").isEnabled() and not window.action("counter_double").isEnabled()
    window.show_kind(KEY)
    assert counter_menu.menuAction().isVisible() and not generate.menuAction().isVisible()
    # The one-neuron learner's own actions (slow motion, equations, exports) are off.
    for name in ("stage", "slowmo", "equations", "export_plots", "fit"):
        assert not window.action(name).isEnabled(), name
    assert not window.menu("export").menuAction().isVisible()
    window.action("step").trigger()
    window.action("counter_double").trigger()  # Ctrl+Shift+D: its own action
    window.action("step").trigger()
    assert window.stack.currentWidget().text() == "12"  # the count is ticks × step: 2 × 6
    # Its menu bar order: File, Edit, Model, Counter, Run, View, Lessons, Help.
    titles = [a.text() for a in window.menuBar().actions() if a.isVisible()]  # not the lab's Lab menu
    assert titles == ["&File", "&Edit", "&Model", "&Counter", "&Run", "&View", "&Lessons", "&Help"]


def test_undo_follows_the_kind_shown(window):
    window.tape.setFocus()
    window.adapter.toggle(3)
    assert window.action("undo").isEnabled()
    window.show_kind(KEY)
    assert not window.action("undo").isEnabled()  # the counter has nothing to undo
    window.show_kind("neuron")
    assert window.action("undo").isEnabled() and window.action("undo").text() == "Undo toggle bit 4"


def test_a_recording_films_the_counter_as_it_counts(window, qtbot, tmp_path):
    window.show_kind(KEY)
    controller = window.recording_controller
    controller.clock = clock = ManualClock(10.0)
    out = tmp_path / "counter.mp4"
    assert controller.start_recording(str(out))
    for _ in range(3):
        window.action("step").trigger()
        window.repaint()
        clock.now += 1 / 30
        controller.capture_now()
    controller.stop_recording()
    qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
    info = probe(out)
    assert (info.width, info.height, info.frames) == (*recording.even_size(window.width(), window.height()), 4)
    assert "Saved" in window.statusBar().currentMessage()


def test_the_counter_frames_show_each_count(window, qtbot, tmp_path):
    window.show_kind(KEY)
    controller = window.recording_controller
    controller.clock = clock = ManualClock(10.0)
    folder = tmp_path / "frames"
    assert controller.start_recording(f"{folder}/")
    window.action("step").trigger()
    window.repaint()
    clock.now += 1 / 30
    controller.capture_now()
    controller.stop_recording()
    qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
    frames = [recording.image_to_array(QImage(str(p))) for p in sorted(folder.glob("*.png"))]
    label = window.stack.currentWidget()
    top = label.mapTo(window, label.rect().topLeft())
    box = (slice(top.y(), top.y() + label.height()), slice(top.x(), top.x() + label.width()))
    # The count's digits change between the frames ("0", then "3"), nothing else in the label.
    assert len(frames) == 2 and not np.array_equal(frames[0][box], frames[1][box])


def test_a_counter_session_file_is_saved_and_opened_again_in_its_kind(window, qtbot, tmp_path):
    files = window.session_files
    window.show_kind(KEY)
    window.action("step").trigger()
    window.action("step").trigger()
    window.action("counter_double").trigger()
    path = tmp_path / "count"
    assert files.save_as(path)
    saved = tmp_path / "count.rnnviz.json"
    data = json.loads(saved.read_text())
    assert data == {"format": "rnnviz-session", "version": 1, "model": KEY,
                    "run": {"length": 20, "step": 6, "cursor": 2}, "speed": 10}
    assert not files.unsaved and not window.isWindowModified()
    window.action("step").trigger()
    assert files.unsaved and window.isWindowModified()  # the title's * follows the counter too
    files.ask_unsaved = lambda what: "discard"

    from windows import make_window

    second = make_window(qtbot)
    assert second.kind_key == "neuron"
    assert second.session_files.open(saved)
    assert second.kind_key == KEY and second.adapter.run.cursor == 2
    assert second.stack.currentWidget().text() == "12" and not second.session_files.unsaved
    assert "Opened count.rnnviz.json" in second.statusBar().currentMessage()
    second.action("step").trigger()
    assert second.stack.currentWidget().text() == "18" and second.session_files.unsaved
    second.session_files.ask_unsaved = lambda what: "discard"
    for key in list(second._workspaces):
        second.workspace_of(key).shutdown()


@pytest.mark.parametrize(("run", "problem"), [
    ({"length": 20, "step": 3, "cursor": 21}, "'cursor' is 21, beyond the counter's 20 ticks"),
    ({"length": 20, "step": 3}, "a counter run has the fields length, step and cursor"),
    ({"length": 10**6, "step": 3, "cursor": 0}, "a counter run's numbers are out of range"),
    ({"length": 10**40, "step": 3, "cursor": 0},
     "a number in the file has 41 digits (100000000000…); no field takes more than 30"),
])
def test_a_bad_counter_file_is_refused_in_one_line_and_changes_nothing(window, tmp_path, run, problem):
    files = window.session_files
    warnings: list[str] = []
    files.warn = warnings.append
    path = tmp_path / "bad.rnnviz.json"
    path.write_text(json.dumps({"format": "rnnviz-session", "version": 1, "model": KEY,
                                "run": run, "speed": 10}))
    window.adapter.step(4)
    assert not files.open(path)
    assert warnings == [f"bad.rnnviz.json was not opened: {problem}"]
    assert window.kind_key == "neuron" and window.adapter.session.cursor == 4 and files.path is None


def test_a_file_of_a_kind_this_rnnviz_does_not_know_is_refused_by_name(window, tmp_path):
    files = window.session_files
    warnings: list[str] = []
    files.warn = warnings.append
    path = tmp_path / "transformer.rnnviz.json"
    path.write_text(json.dumps({"format": "rnnviz-session", "version": 1, "model": "transformer",
                                "run": {}, "speed": 10}))
    assert not files.open(path)
    assert warnings == ["transformer.rnnviz.json was not opened: no model kind called 'transformer' "
                        "(this rnnviz knows counter, elman, gru, lstm, neuron, race)"]
    assert window.kind_key == "neuron"


def test_opening_a_one_neuron_file_shows_the_one_neuron_kind(window, tmp_path):
    saved = sessionfile.save(tmp_path / "n.rnnviz.json", Session("1^10 0^10"))
    window.show_kind(KEY)
    assert window.session_files.open(saved)
    assert window.kind_key == "neuron"


def test_a_window_made_on_a_counter_run_opens_on_the_counter(qtbot):
    workspaces.register(KIND)
    try:
        adapter = RunAdapter(CounterRun(length=8, step=5, cursor=2))
        window = MainWindow(adapter, settings=None, restore_settings=False)
        qtbot.addWidget(window)
        assert window.kind_key == KEY and window.adapter is adapter
        assert window.stack.currentWidget().text() == "10"
        assert window.status.text() == "count 10 after tick 2 of 8 (step 5)"
        for key in list(window._workspaces):
            window.workspace_of(key).shutdown()
    finally:
        workspaces.unregister(KEY)


def test_a_kind_key_is_registered_once(counter_kind):
    other = workspaces.ModelKind(key=KEY, title="another", about="", build=KIND.build, run_type=CounterRun)
    with pytest.raises(Exception, match="a model kind called 'counter' is registered already"):
        workspaces.register(other)


@pytest.mark.parametrize("key", ["elman", "lstm", "gru", "race"])
def test_the_keyboard_goes_to_the_shown_kinds_home_view_and_space_plays(window, qtbot, key):
    """Chosen in the Model menu, a kind gets the keyboard on its home view, so Space plays its run
    (left where Qt put it — the race's seed box, say — Space was typed into a field)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    next(a for a in window.menu("model").actions() if a.data() == key).trigger()
    ws = window.workspace
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ws.focus_home())
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert ws.adapter.playing
    window.action("play").trigger()  # pause again before the fixture shuts the window
