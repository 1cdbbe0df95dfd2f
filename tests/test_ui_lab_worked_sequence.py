"""The worked example for any sequence a user types (issue 14, item 6), in the window.

Every number the *By hand* panel shows must be ``rnnviz bptt``'s for the same
values and weights — its command function is run in-process here and its JSON
read back. Bad text is one line naming what is wrong and changes nothing; a
typed sequence is kept by session files and replays bit for bit.
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest
from PySide6.QtCore import SIGNAL, Qt

from rnnviz.commands import bptt
from rnnviz.engine.errors import InputError
from rnnviz.present.lab_worked import MAX_TYPED_VALUES, result_text
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.tasks.worked_example import worked_example
from rnnviz.ui.workspaces.elman.worked_panel import WorkedPanel
from windows import make_window

#: The typed weights, under seed 003's letters (u = W_hy, v = W_xh, w = W_hh, s = h_0).
WEIGHTS = {"u": "-0.35", "v": "0.9", "w": "1.25", "s": "-0.6"}
FIELDS = {"u": "w_hy", "v": "w_xh", "w": "w_hh", "s": "h0"}


def _shut(window) -> None:
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


@pytest.fixture
def lab(window):
    """The window showing the lab's worked example with its *By hand* tab in front."""
    window.show_kind("elman")
    _open_worked(window)
    yield window
    _shut(window)


@pytest.fixture
def second(qtbot):
    """Another window, where a saved file is opened."""
    other = make_window(qtbot)
    yield other
    _shut(other)


def _open_worked(window) -> WorkedPanel:
    ws = window.workspace
    ws.open_preset("worked")
    panel = worked_panel(window)
    ws.tabs.setCurrentWidget(panel)
    # The workspace's add_panel connects the panel's typed example to the run (exactly once).
    assert panel.receivers(SIGNAL("exampleTyped(PyObject)")) == 1
    return panel


def worked_panel(window) -> WorkedPanel:
    return next(p for p in window.workspace._panels if isinstance(p, WorkedPanel))


def type_in(qtbot, panel: WorkedPanel, text: str, weights: dict[str, str] | None = None) -> None:
    """Type the weights (if any), then the sequence, and press Enter, as a user does."""
    for letter, value in (weights or {}).items():
        panel.fields[FIELDS[letter]].setText(value)
    panel.sequence.setFocus()
    panel.sequence.selectAll()
    qtbot.keyClicks(panel.sequence, text)
    qtbot.keyClick(panel.sequence, Qt.Key.Key_Return)


def bptt_json(capsys, values: str, weights: dict[str, str]) -> dict:
    """``rnnviz bptt VALUES --u … --v … --w … --s … --format json``, run in-process."""
    capsys.readouterr()
    assert bptt.run(argparse.Namespace(values=values, format="json", **weights)) == 0
    return json.loads(capsys.readouterr().out)


def bptt_numbers(data: dict) -> dict[str, float]:
    """The command's numbers under the panel's symbols."""
    numbers = {"E": data["E"], "∂E/∂W_hy": data["dE_du"], "∂E/∂W_xh": data["dE_dv"],
               "∂E/∂W_hh": data["dE_dw"], "∂E/∂h_0": data["dE_ds"]}
    for step in data["steps"]:
        t = step["t"]
        numbers.update({f"a_{t}": step["z"], f"h_{t}": step["y"], f"ŷ_{t}": step["p"],
                        f"ε_{t}": step["error"], f"δ_{t}": step["delta"]})
    return numbers


def panel_numbers(panel: WorkedPanel) -> dict[str, float]:
    assert panel.view is not None
    return {line.symbol: line.value for section in panel.view.sections for line in section.lines}


def assert_panel_is_bptts(panel: WorkedPanel, data: dict) -> None:
    shown, want = panel_numbers(panel), bptt_numbers(data)
    assert shown.keys() == want.keys()
    for symbol, value in want.items():
        assert math.isclose(shown[symbol], value, rel_tol=1e-12, abs_tol=1e-12), symbol
    text = panel.text.toPlainText()
    for section in panel.view.sections:
        for line in section.lines:
            assert line.result == result_text(want[line.symbol]) and line.result in text
    example = panel.view.example
    assert list(example.values) == data["values"]
    assert (example.w_hy, example.w_xh, example.w_hh, example.h0) == (
        data["u"], data["v"], data["w"], data["s"])


# ------------------------------------------------------------------ agreeing with rnnviz bptt


def test_a_typed_sequence_and_weights_give_rnnviz_bptts_numbers(lab, qtbot, capsys) -> None:
    panel = worked_panel(lab)
    run = lab.adapter.lab
    lab.action("step").trigger()
    six = "0.2,-0.7,1.5,0.3,-1.1,0.8"
    type_in(qtbot, panel, six, WEIGHTS)
    # Another length: the training starts again at update 0, from the typed weights.
    assert (run.cursor, run.stored, run.source.steps) == (0, 0, 5)
    assert_panel_is_bptts(panel, bptt_json(capsys, six, WEIGHTS))
    assert panel.sequence.text() == six
    command = panel.text.toPlainText().split("rnnviz bptt ")[-1]
    assert command.startswith(six) and "--u -0.35" in command and "--s -0.6" in command

    other = {"u": "0.5", "v": "-1.5", "w": "0.25", "s": "0.1"}
    type_in(qtbot, panel, "1,0.5,-1,2", other)
    assert_panel_is_bptts(panel, bptt_json(capsys, "1,0.5,-1,2", other))
    # The unrolled view shows the same example: 3 steps, the typed values.
    inputs, targets, _ = run.next_example()
    assert inputs[:, 0].tolist() == [1, 0.5, -1] and targets[:, 0].tolist() == [0.5, -1, 2]


def test_a_sequence_of_the_same_length_acts_at_the_cursor(lab, qtbot, capsys) -> None:
    panel = worked_panel(lab)
    run = lab.adapter.lab
    for _ in range(7):
        lab.action("step").trigger()
    before = run.losses().copy()
    type_in(qtbot, panel, "2,-1,0.25,3")
    assert (run.cursor, run.stored) == (7, 7)
    assert np.array_equal(run.losses(), before)
    weights = {letter: repr(float(getattr(run.network, name).ravel()[0]))
               for letter, name in FIELDS.items()}
    assert_panel_is_bptts(panel, bptt_json(capsys, "2,-1,0.25,3", weights))
    lab.action("step").trigger()
    # The next update learnt the typed sequence: its loss is the panel's E.
    assert run.losses()[7] == worked_example(
        (2, -1, 0.25, 3), **{name: float(weights[letter]) for letter, name in FIELDS.items()}).E


def test_the_field_shows_the_sequence_on_screen_and_says_how_it_acts(lab) -> None:
    panel = worked_panel(lab)
    assert panel.sequence.text() == "1,0.5,-1,2" and panel.sequence.isVisible()
    tip = panel.sequence.toolTip()
    assert f"2 to {MAX_TYPED_VALUES} numbers" in tip and "update 0" in tip and "cursor" in tip


# ------------------------------------------------------------------ bad text


def _cli_error(text: str) -> str:
    with pytest.raises(InputError) as caught:
        bptt.parse_values(text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,a,2", lambda: _cli_error("1,a,2")),
        ("3", lambda: _cli_error("3")),
        ("1,,2", lambda: _cli_error("1,,2")),
        ("1,nan,2", lambda: _cli_error("1,nan,2")),
        ("1,2,-inf", lambda: _cli_error("1,2,-inf")),
        ("1,1e300", lambda: "the numbers are too large: the error or a derivative overflows"),
        (",".join(["1"] * (MAX_TYPED_VALUES + 1)),
         lambda: f"VALUES has at most {MAX_TYPED_VALUES} numbers here ({MAX_TYPED_VALUES - 1} steps), "
                 f"not {MAX_TYPED_VALUES + 1}"),
    ],
)
def test_bad_text_is_one_line_and_changes_nothing(lab, qtbot, text, expected) -> None:
    panel = worked_panel(lab)
    run = lab.adapter.lab
    for _ in range(3):
        lab.action("step").trigger()
    numbers, log, losses = panel_numbers(panel), run.log(), run.losses().copy()
    sent: list = []
    panel.exampleTyped.connect(sent.append)
    panel.parametersTyped.connect(sent.append)
    type_in(qtbot, panel, text)
    message = lab.statusBar().currentMessage()
    assert message == f"Not used: {expected()}" and "\n" not in message
    assert sent == [] and panel_numbers(panel) == numbers
    assert run.log() == log and run.cursor == 3 and np.array_equal(run.losses(), losses)
    assert panel.sequence.text() == text  # what was typed stays, to be mended


def test_the_panels_parser_is_rnnviz_bptts() -> None:
    # The same text is read alike and refused in the same words (the CLI's own parser).
    from rnnviz.tasks.worked_example import parse_values

    for text in ("1, 0.5,-2", "1e-3,-4"):
        assert parse_values(text) == bptt.parse_values(text)
    for text in ("1,x", "", "7", "1,,2", "nan,1", "1,inf"):
        assert _cli_error(text) == str(pytest.raises(InputError, parse_values, text).value)


# ------------------------------------------------------------------ files and replay


def test_a_saved_sequence_reopens_and_replays_bit_for_bit(lab, second, qtbot, tmp_path) -> None:
    panel = worked_panel(lab)
    six = "0.2,-0.7,1.5,0.3,-1.1,0.8"
    lab.action("step").trigger()
    type_in(qtbot, panel, six, WEIGHTS)
    for _ in range(4):
        lab.action("step").trigger()
    type_in(qtbot, panel, "0.5,0.25,-0.5,1,0,2")  # the same length: at update 4
    for _ in range(3):
        lab.action("step").trigger()
    run = lab.adapter.lab
    assert [entry["kind"] for entry in run.log()] == ["start", "example", "example"]
    assert lab.session_files.save_as(tmp_path / "typed")

    assert second.session_files.open(tmp_path / "typed.rnnviz.json")
    other = second.adapter.lab
    assert second.workspace.adapter.preset_key == "worked" and other.cursor == run.cursor == 7
    assert other.log() == run.log()
    for name in ("losses", "grad_norms", "delta_norm_matrix"):
        assert np.array_equal(getattr(other, name)(), getattr(run, name)()), name
    for name in ("w_xh", "w_hh", "w_hy", "h0"):
        assert np.array_equal(getattr(other.network, name), getattr(run.network, name))
    assert np.array_equal(other.state_at(2)["w_hh"], run.state_at(2)["w_hh"])
    reopened = worked_panel(second)
    assert reopened.sequence.text() == "0.5,0.25,-0.5,1,0,2"
    assert panel_numbers(reopened) == panel_numbers(panel)
    # The same file read by the preset itself (as rnnviz does) is the same run.
    data = json.loads((tmp_path / "typed.rnnviz.json").read_text())["run"]
    again = PRESETS["worked"].replay(data["log"], data["cursor"])
    assert np.array_equal(again.losses(), run.losses())


def test_a_file_from_before_typed_sequences_still_opens(lab, second, tmp_path) -> None:
    for _ in range(5):
        lab.action("step").trigger()
    assert lab.session_files.save_as(tmp_path / "plain")
    data = json.loads((tmp_path / "plain.rnnviz.json").read_text())
    assert all(entry["kind"] != "example" for entry in data["run"]["log"])
    assert second.session_files.open(tmp_path / "plain.rnnviz.json")
    assert second.adapter.lab.cursor == 5
    assert worked_panel(second).sequence.text() == "1,0.5,-1,2"


def test_a_new_length_with_the_twin_side_by_side_and_the_sweep(lab, qtbot) -> None:
    # The twin keeps the preset's own sequence (none of the changes made here);
    # the views and the backward sweep follow the run's new length.
    ws = lab.workspace
    ws.controls.compare.setChecked(True)
    lab.action("step").trigger()
    type_in(qtbot, worked_panel(lab), "0.2,-0.7,1.5,0.3,-1.1,0.8")
    for _ in range(3):
        lab.action("step").trigger()
    run = lab.adapter.lab
    assert run.cursor == 3 and run.delta_norm_matrix().shape == (3, 5)
    assert ws.twin is not None and ws.twin.source.steps == 3 and ws.twin.cursor == 3
    assert ws.status_text().startswith("update 3 of 1,000")
    stages = 0
    while lab.adapter.stage is not None or stages == 0:
        lab.adapter.advance_stage()
        stages += 1
    assert stages == 5 + 2 and run.cursor == 4  # error in, δ back 5 steps, the update
