"""Model ▸ LSTM and Model ▸ GRU: the views show the engine's own numbers, Shift+→ takes one cell
apart and then updates, session files come back bit for bit, bad documents change nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication
from windows import make_window, press

from rnnviz.engine.errors import InputError
from rnnviz.present.format import format_number
from rnnviz.present.gated import cell_arithmetic, gate_lanes, gradient_highway
from rnnviz.present.gated_views import lane_order
from rnnviz.present.lab_worked import result_text
from rnnviz.tasks.gated_presets import GATED_PRESETS
from rnnviz.ui import workspaces


def _shut(window) -> None:
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


@pytest.fixture(params=["lstm", "gru"])
def gated(window, request):
    """The usual window showing Model ▸ LSTM or ▸ GRU (its short preset, update 0)."""
    window.show_kind(request.param)
    yield window
    _shut(window)


@pytest.fixture
def second(qtbot):
    other = make_window(qtbot)
    yield other
    _shut(other)


def settle() -> None:
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def _engine(ws):
    """The forward pass of the sequence on screen, from the run's network (the engine's numbers)."""
    run = ws.adapter.lab
    inputs, targets, mask = run.source.example(run.cursor)
    return run, inputs, targets, mask, run.network.forward(inputs)


def test_the_lanes_and_state_are_the_engines_gates_for_the_next_sequence(gated):
    ws = gated.workspace
    ws.adapter.seek(7)
    run, *_rest, forward = _engine(ws)
    lanes = gate_lanes(forward)
    assert run.cursor == 7 and type(run.network).__name__.startswith(ws.cell.upper())
    # The window's title names the cell once, with the preset ("rnnviz — LSTM: recall a bit 10 steps back").
    assert gated.windowTitle() == f"rnnviz — {ws.cell.upper()}: recall a bit 10 steps back"
    for image, k in zip(ws.lanes.images, lane_order(lanes), strict=True):
        np.testing.assert_array_equal(image.image, forward.gates[lanes.letters[k]])
    j = ws.chosen[1]
    y = ws.state_plot.chosen.getData()[1]
    np.testing.assert_array_equal(y, lanes.state[j - 1])
    assert "unit 1" in ws.state_plot.title_text()
    shown = ws.highway_plot.path.yData  # the values (getData gives their log10 on the log axis)
    assert shown.size == forward.steps and np.isfinite(shown).all()
    # The plain RNN beside it is the preset's plain twin trained to the same update.
    plain = ws.highway_plot.plain.yData
    twin = GATED_PRESETS[ws.adapter.preset_key].plain_run()
    twin.seek(7)
    expected = gradient_highway(run.network, *run.source.example(7), plain=twin.network)
    np.testing.assert_array_equal(plain, expected.plain_norms)
    np.testing.assert_array_equal(shown, expected.path_norms)
    np.testing.assert_array_equal(ws.highway_plot.gates.yData, expected.highway)
    assert "plain RNN" in ws.highway_plot.title_text()


def test_a_click_on_a_lane_chooses_that_step_and_unit(gated, qtbot):
    ws = gated.workspace
    settle()
    plot = ws.lanes.plots[1]
    scene = plot.vb.mapViewToScene(QPointF(3.0, 5.0))
    where = ws.lanes.mapFromScene(scene)
    qtbot.mouseClick(ws.lanes.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(where.x(), where.y()))
    assert ws.chosen == (3, 5)
    assert ws.arithmetic.step.value() == 3 and ws.arithmetic.unit.value() == 5
    run, *_rest, forward = _engine(ws)
    view = cell_arithmetic(run.network, forward, 3, 5)
    text = ws.arithmetic.html_shown()
    assert f"unit 5, step 3 of {forward.steps}" in text
    assert all(result_text(line.value) in text for stage in view.stages for line in stage.lines)


def test_shift_right_steps_the_cells_stages_then_makes_the_update(gated, qtbot):
    ws = gated.workspace
    stages = 4 if ws.cell == "lstm" else 3
    run, *_rest, forward = _engine(ws)
    view = cell_arithmetic(run.network, forward, *ws.chosen)
    for stage in range(stages):
        press(qtbot, gated, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        assert ws.adapter.stage == stage and run.cursor == 0
        text = ws.arithmetic.html_shown()
        # Every line of the stages shown so far carries the engine's result; later ones are not worked.
        for line in view.stages[stage].lines:
            assert result_text(line.value) in text
        if stage + 1 < stages:
            later = view.stages[stage + 1].lines[-1]
            assert result_text(later.value) not in text
        assert f"stage {stage + 1} of {stages}" in gated.status.text()
    press(qtbot, gated, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert ws.adapter.stage is None and ws.adapter.lab.cursor == 1


def test_a_session_file_brings_the_run_back_bit_for_bit(gated, second, tmp_path):
    ws = gated.workspace
    ws.open_preset(ws.adapter.preset_key, 3)
    ws.controls.eta.setValue(0.25)
    ws.adapter.seek(40)
    assert gated.session_files.save_as(tmp_path / "gated")
    data = json.loads((tmp_path / "gated.rnnviz.json").read_text())
    assert data["run"]["seed"] == 3
    assert second.session_files.open(tmp_path / "gated.rnnviz.json")
    other = second.workspace
    assert second.kind_key == ws.cell and other.adapter.lab.cursor == 40
    assert other.adapter.seed == 3 and other.controls.seed.value() == 3
    assert other.adapter.lab.settings.learning_rate == 0.25
    np.testing.assert_array_equal(other.adapter.lab.losses(), ws.adapter.lab.losses())
    for name, value in other.adapter.lab.network.parameters().items():
        np.testing.assert_array_equal(value, ws.adapter.lab.network.parameters()[name])
    for a, b in zip(other.lanes.images, ws.lanes.images, strict=True):
        np.testing.assert_array_equal(a.image, b.image)


@pytest.mark.parametrize("bad", [
    {"preset": "addition", "log": [], "cursor": 0},
    {"preset": "lstm-short", "gru-short": 1},
    {"preset": "lstm-short", "log": "x", "cursor": 0},
    {"preset": "lstm-short", "log": [], "cursor": -1},
])
def test_a_bad_document_is_one_line_and_changes_nothing(gated, bad):
    ws = gated.workspace
    ws.adapter.seek(5)
    losses = ws.adapter.lab.losses().copy()
    key = ws.adapter.preset_key
    if bad.get("preset") == "lstm-short" and ws.cell == "gru":
        bad = {**bad, "preset": "gru-short"}
    with pytest.raises(InputError) as caught:
        ws.open_document(bad)
    assert "\n" not in str(caught.value)
    assert ws.adapter.preset_key == key and ws.adapter.lab.cursor == 5
    np.testing.assert_array_equal(ws.adapter.lab.losses(), losses)


def test_a_preset_of_the_other_cell_is_refused(window):
    window.show_kind("lstm")
    try:
        with pytest.raises(InputError, match="no LSTM preset called 'gru-short'"):
            window.workspace.open_document({"preset": "gru-short", "log": [], "cursor": 0})
    finally:
        _shut(window)


def test_each_kind_takes_its_own_cells_runs():
    lstm, gru = workspaces.kind("lstm"), workspaces.kind("gru")
    assert workspaces.kind_for_run(GATED_PRESETS["lstm-short"].make_run()) is lstm
    assert workspaces.kind_for_run(GATED_PRESETS["gru-long"].make_run()) is gru
    assert lstm.new_adapter().lab.network.CELL == "LSTM"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_mode_hides_the_controls_and_keeps_every_view_readable(gated, size):
    ws = gated.workspace
    gated.presentation.set_canvas_size(size)
    settle()
    gated.presentation.set_active(True)
    settle()
    try:
        assert not ws.controls_box.isVisible()
        assert ws.summary.isVisible() and f"seed {ws.adapter.seed}" in ws.summary.text()
        assert ws.summary.fontMetrics().horizontalAdvance(ws.summary.text()) <= ws.summary.width() * 2
        for view in (ws.lanes, ws.arithmetic, ws.state_plot, ws.highway_plot, ws.training_plot):
            assert view.isVisible() and view.height() >= 0.2 * size[1] and view.width() >= 0.2 * size[0]
        for plot in (ws.state_plot, ws.highway_plot, ws.training_plot):
            item = plot.getPlotItem()
            assert item.geometry().width() <= plot.width() + 1  # nothing cut off at the right
        # The lanes' step columns line up: every lane's plot area starts at the same x.
        assert len({round(plot.vb.sceneBoundingRect().left()) for plot in ws.lanes.plots}) == 1
        # The heading wraps inside the view rather than running past its edge.
        assert ws.lanes.heading.item.boundingRect().width() <= ws.lanes.width()
    finally:
        gated.presentation.set_active(False)
        settle()
    assert ws.controls_box.isVisible() and not ws.summary.isVisible()


def test_after_playing_at_full_speed_the_highway_is_the_engines_at_the_cursor(gated, qtbot):
    ws = gated.workspace
    adapter = ws.adapter
    adapter.set_speed(0)  # "max"
    adapter.play()
    qtbot.waitUntil(lambda: adapter.lab.cursor >= 300, timeout=20_000)
    adapter.pause()
    run = adapter.lab
    twin = GATED_PRESETS[adapter.preset_key].plain_run()
    twin.seek(run.cursor)
    expected = gradient_highway(run.network, *run.source.example(run.cursor), plain=twin.network)
    np.testing.assert_array_equal(ws.highway_plot.plain.yData, expected.plain_norms)
    np.testing.assert_array_equal(ws.highway_plot.path.yData, expected.path_norms)
    assert "its update" not in ws.highway_plot.title_text()
    assert ws.arithmetic.text.isEnabled()  # the numbers are exact again, not greyed


def test_the_knob_scales_every_gates_recurrent_weights_and_the_seed_starts_again(gated):
    from rnnviz.ui.workspaces.gated.adapter import recurrent_norm

    ws = gated.workspace
    ws.adapter.seek(6)
    ws.adapter.seek(3)
    assert ws.adapter.lab.stored == 6
    before = ws.adapter.lab.network.w_h.copy()
    old = recurrent_norm(ws.adapter.lab)
    ws.controls.knob.setValue(old / 2)
    np.testing.assert_allclose(ws.adapter.lab.network.w_h, before * 0.5, rtol=1e-12)
    assert recurrent_norm(ws.adapter.lab) == pytest.approx(old / 2, rel=1e-12)
    assert ws.adapter.lab.cursor == 3 and ws.adapter.lab.stored == 3  # later updates forgotten
    with pytest.raises(InputError, match="above 0"):
        ws.adapter.scale_recurrent_to(-1.0)
    ws.controls.seed.setValue(5)
    fresh = GATED_PRESETS[ws.adapter.preset_key].make_run(5)
    assert ws.adapter.seed == 5 and ws.adapter.lab.cursor == 0
    np.testing.assert_array_equal(ws.adapter.lab.network.w_h, fresh.network.w_h)
    assert "seed 5" in ws.summary.text()


def test_another_preset_takes_apart_its_own_last_step(gated):
    ws = gated.workspace
    ws.choose_cell(4, 7)
    assert ws.chosen == (4, 7)
    ws.open_preset(f"{ws.cell}-long")
    steps = GATED_PRESETS[f"{ws.cell}-long"].lag + 1
    assert ws.chosen == (steps, 1) and ws.arithmetic.step.value() == steps
    assert f"step {steps} of {steps}" in ws.arithmetic.html_shown()


def test_hovering_a_lane_cell_says_its_gate_unit_step_and_value(gated, qtbot):
    ws = gated.workspace
    settle()
    forward = _engine(ws)[-1]
    plot = ws.lanes.plots[1]  # the second σ gate: f (LSTM) or z (GRU)
    letter = "f" if ws.cell == "lstm" else "z"
    where = ws.lanes.mapFromScene(plot.vb.mapViewToScene(QPointF(2.0, 6.0)))
    qtbot.mouseMove(ws.lanes.viewport(), QPoint(where.x(), where.y()))
    qtbot.waitUntil(lambda: ws.lanes.toolTip() != "")
    value = forward.gates[letter][1, 5]
    assert ws.lanes.toolTip().startswith(f"{letter} (")
    assert f"of unit 6 at step 2: {format_number(float(value))}" in ws.lanes.toolTip()


def test_eta_and_the_knob_at_their_largest_give_finite_pictures_and_no_warning(gated):
    ws = gated.workspace
    ws.controls.eta.setValue(100.0)  # the field's largest
    ws.controls.clip_kind.setCurrentIndex(0)
    ws.controls.clip_kind.activated.emit(0)
    ws.controls.knob.setValue(5_000.0)
    assert ws.adapter.lab.settings.clipping is None and ws.adapter.lab.settings.learning_rate == 100.0
    ws.adapter.seek(200)
    run = ws.adapter.lab
    for image in ws.lanes.images:
        assert np.isfinite(image.image).all()
    assert run.cursor == 200 and f"update 200 of {run.n_ticks:,}" in gated.status.text()
    assert "nan" not in ws.arithmetic.html_shown().lower()
