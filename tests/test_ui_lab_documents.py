"""Lab session files keep the twin run ("side by side"); bad or hostile lab documents change nothing.

The twin's numbers are compared to those of the run that was saved, and to a
run the engine trains again in the test.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import numpy as np
import pytest

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.errors import InputError
from rnnviz.tasks.lab_presets import PRESETS
from windows import make_window


@pytest.fixture
def lab(window):
    """The usual window showing the lab (addition preset, update 0)."""
    window.show_kind("elman")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


@pytest.fixture
def second(qtbot):
    """Another window, where a saved file is opened."""
    other = make_window(qtbot)
    yield other
    for key in list(other._workspaces):
        other.workspace_of(key).shutdown()


def _vanishing_side_by_side(lab, updates: int = 5):
    ws = lab.workspace
    ws.open_preset("vanishing")
    ws.controls.threshold.setValue(0.5)
    ws.controls.compare.setChecked(True)
    for _ in range(updates):
        lab.action("step").trigger()
    return ws


def test_a_saved_twin_reopens_as_it_was_with_the_same_curves(lab, second, tmp_path):
    ws = _vanishing_side_by_side(lab)
    twin = ws.twin
    assert twin is not None and twin.cursor == 5
    assert lab.session_files.save_as(tmp_path / "twin")
    data = json.loads((tmp_path / "twin.rnnviz.json").read_text())
    assert data["run"]["twin"]["log"][0]["at"] == 0

    assert second.session_files.open(tmp_path / "twin.rnnviz.json")
    other = second.workspace
    assert second.kind_key == "elman" and second.adapter.lab.cursor == 5
    assert other.controls.compare.isChecked()
    assert other.twin is not None and other.twin.settings == twin.settings
    assert other.twin.cursor == 5
    np.testing.assert_array_equal(other.twin.losses(), twin.losses())
    for name, value in other.twin.network.parameters().items():
        np.testing.assert_array_equal(value, twin.network.parameters()[name])
    # The dashed curves are the same, and they are the engine's: the preset
    # from update 0 with clipping by global norm at the threshold.
    for plot in ("loss_plot", "flow_plot"):
        shown, saved = getattr(other, plot).twin.getData(), getattr(ws, plot).twin.getData()
        np.testing.assert_array_equal(shown[0], saved[0])
        np.testing.assert_array_equal(shown[1], saved[1])
    again = PRESETS["vanishing"].make_run()
    again.set_settings(replace(again.settings, clipping=Clipping(kind="norm", threshold=0.5)))
    again.seek(5)
    np.testing.assert_array_equal(other.twin.losses(), again.losses())
    assert "twin (clipping by global norm at 0.5): loss" in second.status.text()
    # The label says what the twin is, in both windows alike.
    assert other.controls.twin_label.text() == ws.controls.twin_label.text()
    assert "from update 0" in other.controls.twin_label.text()
    assert "clipping by global norm at 0.5" in other.controls.twin_label.text()


def test_a_seed_opened_from_the_seeds_tab_reopens_on_its_own_data_twin_and_all(lab, second, tmp_path):
    ws = lab.workspace
    ws.controls.compare.setChecked(True)
    ws.open_preset("addition", seed=7)  # what a click on seed 7's mark does
    for _ in range(4):
        lab.action("step").trigger()
    fresh = PRESETS["addition"].make_run(7)
    fresh.step(4)
    np.testing.assert_array_equal(lab.adapter.lab.losses(), fresh.losses())
    # The twin is seed 7's too: its first example is seed 7's.
    np.testing.assert_array_equal(ws.twin.source.example(0)[0], fresh.source.example(0)[0])
    assert lab.session_files.save_as(tmp_path / "seed7")
    assert json.loads((tmp_path / "seed7.rnnviz.json").read_text())["run"]["seed"] == 7
    assert second.session_files.open(tmp_path / "seed7.rnnviz.json")
    np.testing.assert_array_equal(second.adapter.lab.losses(), fresh.losses())
    np.testing.assert_array_equal(second.adapter.lab.source.example(4)[0], fresh.source.example(4)[0])
    np.testing.assert_array_equal(second.workspace.twin.losses(), ws.twin.losses())


def test_a_file_saved_without_a_twin_turns_the_twin_off(lab, second, tmp_path):
    assert lab.session_files.save_as(tmp_path / "plain")
    assert "twin" not in json.loads((tmp_path / "plain.rnnviz.json").read_text())["run"]
    second.show_kind("elman")
    second.workspace.controls.compare.setChecked(True)
    assert second.workspace.twin is not None
    assert second.session_files.open(tmp_path / "plain.rnnviz.json")
    assert second.workspace.twin is None and not second.workspace.controls.compare.isChecked()
    assert second.workspace.loss_plot.twin.getData()[0] is None
    assert not second.workspace.controls.twin_label.isVisible()


def test_a_twin_follows_the_preset_opened(lab):
    ws = _vanishing_side_by_side(lab, updates=0)
    ws.open_preset("worked")
    assert ws.twin is not None and ws.controls.compare.isChecked()
    assert ws.twin.n_ticks == PRESETS["worked"].make_run().n_ticks
    assert "Worked example" in ws.controls.twin_label.text()


def _bad_documents(good: dict) -> list[tuple[object, str]]:
    """(document, what the one line must name) pairs, each made from *good*."""
    def changed(**fields):
        data = copy.deepcopy(good)
        data.update(fields)
        return data

    twin_log = good["twin"]["log"]
    late = copy.deepcopy(twin_log) + [{"at": 3, "kind": "scale_w_hh", "factor": 2.0}]
    worked_log = PRESETS["worked"].make_run().log()
    broken = copy.deepcopy(twin_log)
    broken[0]["parameters"]["w_hh"] = "many"
    return [
        ([1, 2], "fields preset, log and cursor"),
        (changed(extra=1), "fields preset, log and cursor"),
        (changed(preset=["vanishing"]), "no lab preset called"),
        (changed(twin=5), "the twin has the one field log"),
        (changed(twin={"log": twin_log, "more": 1}), "the twin has the one field log"),
        (changed(twin={"log": "lots"}), "the twin:"),
        (changed(twin={"log": []}), "the twin:"),
        (changed(twin={"log": late}), "every entry of its log is at update 0"),
        (changed(twin={"log": worked_log}), "the twin:"),
        (changed(twin={"log": broken}), "the twin:"),
        (changed(seed=-1), "'seed'"),
        (changed(seed=True), "'seed'"),
        (changed(seed="7"), "'seed'"),
        (changed(seed=10**400), "'seed'"),
    ]


def test_bad_or_hostile_lab_documents_are_one_line_and_change_nothing(lab):
    ws = _vanishing_side_by_side(lab, updates=3)
    good = ws.document()
    ws.open_preset("hello")  # what is on screen when the bad documents come
    lab.action("step").trigger()
    twin = ws.twin
    before = (lab.adapter.preset_key, lab.adapter.lab.cursor, lab.adapter.lab.losses().copy(),
              twin.losses().copy(), ws.controls.twin_label.text())
    for data, named in _bad_documents(good):
        with pytest.raises(InputError) as caught:
            ws.open_document(data)
        message = str(caught.value)
        assert named in message and "\n" not in message, (data, message)
        assert ws.twin is twin and ws.controls.compare.isChecked()
        assert (lab.adapter.preset_key, lab.adapter.lab.cursor) == before[:2]
        np.testing.assert_array_equal(lab.adapter.lab.losses(), before[2])
        np.testing.assert_array_equal(twin.losses(), before[3])
        assert ws.controls.twin_label.text() == before[4]
    ws.open_document(good)  # the good one still opens
    assert lab.adapter.preset_key == "vanishing" and ws.twin is not twin and ws.twin.cursor == 3


def test_a_bad_twin_in_a_file_is_told_in_one_line_through_the_file_menu(lab, tmp_path):
    _vanishing_side_by_side(lab, updates=2)
    assert lab.session_files.save_as(tmp_path / "bad")
    path = tmp_path / "bad.rnnviz.json"
    data = json.loads(path.read_text())
    data["run"]["twin"] = {"log": "lots"}
    path.write_text(json.dumps(data))
    lab.workspace.controls.compare.setChecked(False)
    assert lab.session_files.save_as(tmp_path / "clean")  # nothing unsaved: no question before opening
    warnings: list[str] = []
    lab.session_files.warn = warnings.append
    assert not lab.session_files.open(path)
    assert len(warnings) == 1 and "\n" not in warnings[0] and "the twin:" in warnings[0]
    assert lab.workspace.twin is None and not lab.workspace.controls.compare.isChecked()
