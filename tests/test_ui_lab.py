"""The network lab in the real window: its kind, controls, backward sweep, divergence and files.

Every number checked here is computed again from the engine in the test.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from clocks import ManualClock
from rnnviz.engine.elman import ElmanNetwork  # noqa: F401 (the engine the numbers come from)
from rnnviz.io.video import probe
from rnnviz.present.lab import flow_series, unrolled_state
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui import recording


@pytest.fixture
def lab(window):
    """The usual window showing the lab (addition preset, update 0)."""
    window.show_kind("elman")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def test_the_lab_is_in_the_model_menu_and_opens_on_binary_addition(lab):
    entries = {a.text(): a for a in lab.menu("model").actions()}
    assert entries["Elman network (BPTT lab)"].isChecked()
    assert lab.windowTitle() == "rnnviz — network lab: Binary addition"
    assert lab.status.text().startswith("update 0 of 100,000")
    assert lab.menu("lab").menuAction().isVisible() and not lab.menu("generate").menuAction().isVisible()


def test_every_menu_of_the_lab_window_has_its_own_alt_key(lab):
    import re

    titles = [a.text() for a in lab.menuBar().actions() if a.isVisible()]
    found = [re.search(r"&(\w)", title) for title in titles]
    assert all(found), titles  # every menu has an Alt key
    keys = [match.group(1).lower() for match in found]
    assert "La&b" in titles and "&Lessons" in titles
    assert len(set(keys)) == len(keys), titles


def test_steps_train_and_the_views_show_the_next_example_at_the_current_weights(lab):
    for _ in range(5):
        lab.action("step").trigger()
    ws, run = lab.workspace, lab.adapter.lab
    assert run.cursor == 5 and ws.example_index() == 5
    # The unrolled view shows exactly what present.lab computes from the engine now.
    inputs, targets, mask = run.source.example(5)
    expected = unrolled_state(run.network, inputs, targets, mask)
    shown = ws.unrolled.state()
    np.testing.assert_array_equal(shown.hidden, expected.hidden)
    np.testing.assert_array_equal(shown.deltas, expected.deltas)
    # The loss curve holds the five losses the run recorded, the cursor line at 5.
    x, y = ws.loss_plot.loss.getData()
    assert list(x) == [1, 2, 3, 4, 5] and np.array_equal(y, run.losses())
    assert ws.loss_plot.cursor_line.value() == 5
    flow = flow_series(expected)
    _, grads = ws.flow_plot.grad.getOriginalDataset()
    np.testing.assert_array_equal(grads, flow.grad_norms)
    assert lab.status.text().startswith("update 5 of 100,000   ·   loss ")


def test_the_loss_plot_shows_the_runs_accuracy_only_for_presets_that_have_one(lab):
    for _ in range(30):
        lab.action("step").trigger()
    ws, run = lab.workspace, lab.adapter.lab
    x, y = ws.loss_plot.accuracy.getOriginalDataset()
    # The running mean of the sums the run counted right, update by update.
    right = run.accuracies()
    assert right.size == 30 and set(np.unique(right)) <= {0.0, 1.0}
    assert list(x[[0, -1]]) == [1, 30]
    assert y[-1] == pytest.approx(right.mean(), abs=1e-12)
    assert ws.loss_plot.accuracy.isVisible() and "sums right" in ws.loss_plot.title_text()
    ws.open_preset("worked")  # a regression: no notion of right, no curve
    lab.action("step").trigger()
    assert not ws.loss_plot.accuracy.isVisible() and "sums right" not in ws.loss_plot.title_text()


def test_the_backward_sweep_goes_step_by_step_and_its_last_stage_is_the_update(lab):
    steps = lab.adapter.lab.source.steps  # 8 bits
    stage = lab.action("lab_stage")
    stage.trigger()
    assert lab.adapter.stage == 0 and "stage 1 of 9 (the error enters at the outputs)" in lab.status.text()
    stage.trigger()
    assert lab.workspace.unrolled.state().stage == 1
    assert f"δ has flowed back to step {steps}" in lab.status.text()
    for _ in range(steps - 1):
        stage.trigger()
    assert lab.adapter.stage == steps and lab.adapter.lab.cursor == 0
    stage.trigger()  # the update
    assert lab.adapter.stage is None and lab.adapter.lab.cursor == 1
    stage.trigger()
    lab.action("back").trigger()  # any other move shows the example whole
    assert lab.adapter.stage is None and lab.adapter.lab.cursor == 0


def test_the_knob_sets_the_spectral_radius_of_w_hh_at_the_cursor(lab):
    lab.action("step").trigger()
    lab.action("step").trigger()
    run = lab.adapter.lab
    controls = lab.workspace.controls
    controls.radius.setValue(0.5)
    assert run.spectral_radius() == pytest.approx(0.5, rel=1e-12)
    assert np.max(np.abs(np.linalg.eigvals(run.network.w_hh))) == pytest.approx(0.5, rel=1e-12)
    assert run.cursor == 2 and run.stored == 2  # later updates would be forgotten; none yet
    assert "ρ(W_hh) = 0.5" in lab.status.text()


def test_clipping_from_the_controls_marks_the_clipped_updates(lab):
    controls = lab.workspace.controls
    controls.clip_kind.setCurrentIndex(2)  # by global norm
    controls.clip_kind.activated.emit(2)
    controls.threshold.setValue(0.01)
    run = lab.adapter.lab
    assert run.settings.clipping.kind == "norm" and run.settings.clipping.threshold == 0.01
    for _ in range(3):
        lab.action("step").trigger()
    assert run.clipped().all() and np.allclose(run.clipped_norms(), 0.01)
    x, _ = lab.workspace.loss_plot.clips.getData()
    assert list(x) == [1, 2, 3]
    # The status line gives the last update's gradient norm before and after clipping.
    from rnnviz.present.format import format_number

    before = format_number(float(run.grad_norms()[2]))
    assert float(run.grad_norms()[2]) > 0.01
    after = format_number(float(run.clipped_norms()[2]))
    assert float(after) == pytest.approx(0.01)
    assert f"‖g‖ {before} → {after} after clipping" in lab.status.text()
    controls.clip_kind.setCurrentIndex(0)  # off: the norm alone
    controls.clip_kind.activated.emit(0)
    lab.action("step").trigger()
    assert not run.clipped()[3]
    assert f"‖g‖ {format_number(float(run.grad_norms()[3]))}   ·" in lab.status.text()
    assert "after clipping" not in lab.status.text()


def test_a_diverging_run_stops_says_where_and_keeps_its_last_finite_state(lab):
    lab.workspace.open_preset("vanishing")
    controls = lab.workspace.controls
    controls.radius.setValue(60.0)
    controls.eta.setValue(100.0)
    lab.action("end").trigger()
    run = lab.adapter.lab
    assert run.diverged_at is not None and run.at_end and run.cursor == run.diverged_at
    assert all(np.isfinite(p).all() for p in run.network.parameters().values())
    assert f"diverged at update {run.diverged_at + 1:,}" in lab.status.text()
    lab.action("play").trigger()
    assert lab.statusBar().currentMessage().startswith(f"Diverged at update {run.diverged_at + 1:,}")


def test_a_bad_learning_rate_is_refused_in_one_line_and_changes_nothing(lab):
    run = lab.adapter.lab
    before = run.settings
    lab.workspace.controls.eta.setValue(0.0)  # below the box's range: the box clamps it
    assert run.settings.learning_rate > 0
    lab.adapter.set_settings(before)
    with pytest.raises(Exception, match="learning rate"):
        from rnnviz.runs.lab import LabSettings

        LabSettings(learning_rate=float("nan"))


def test_each_preset_opens_from_the_lab_menu(lab):
    for key, preset in PRESETS.items():
        lab.action(f"lab_preset_{key}").trigger()
        assert lab.adapter.preset_key == key and lab.windowTitle().endswith(preset.title)
        assert lab.workspace.controls.preset.currentData() == key
        lab.action("step").trigger()
        assert lab.adapter.lab.cursor == 1


def test_a_lab_session_file_reopens_at_the_same_update_with_the_same_weights(lab, qtbot, tmp_path):
    lab.workspace.open_preset("hello")
    lab.workspace.controls.radius.setValue(0.8)
    for _ in range(7):
        lab.action("step").trigger()
    weights = {k: v.copy() for k, v in lab.adapter.lab.network.parameters().items()}
    assert lab.session_files.save_as(tmp_path / "hello")
    data = json.loads((tmp_path / "hello.rnnviz.json").read_text())
    assert data["model"] == "elman" and data["run"]["preset"] == "hello" and data["run"]["cursor"] == 7

    from windows import make_window

    second = make_window(qtbot)
    assert second.session_files.open(tmp_path / "hello.rnnviz.json")
    assert second.kind_key == "elman" and second.adapter.lab.cursor == 7
    for name, value in second.adapter.lab.network.parameters().items():
        np.testing.assert_array_equal(value, weights[name])
    for key in list(second._workspaces):
        second.workspace_of(key).shutdown()


def test_a_recording_of_the_lab_decodes(lab, qtbot, tmp_path):
    controller = lab.recording_controller
    controller.clock = clock = ManualClock(1.0)
    out = tmp_path / "lab.mp4"
    assert controller.start_recording(str(out))
    for _ in range(2):
        lab.action("step").trigger()
        lab.repaint()
        clock.now += 1 / 30
        controller.capture_now()
    controller.stop_recording()
    qtbot.waitUntil(lambda: not controller.busy, timeout=10_000)
    info = probe(out)
    assert (info.width, info.height, info.frames) == (*recording.even_size(lab.width(), lab.height()), 3)


def test_rnnviz_screenshot_shows_the_lab_at_an_update_and_a_stage(cli, tmp_path):
    from PySide6.QtGui import QImage

    out = tmp_path / "lab.png"
    status, stdout, stderr = cli("screenshot", str(out), "--lab", "worked", "--ticks", "3",
                                 "--stage", "1", "--size", "1280x720")
    assert (status, stderr) == (0, "")
    assert stdout == f"wrote {out} (1280x720, the worked lab after 3 updates)\n"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)


@pytest.mark.parametrize(("args", "message"), [
    (("--lab", "worked", "--stage", "4"), "rnnviz: --stage must be 0 … 3 for the worked lab (3 steps), not 4\n"),
    (("--lab", "hello", "--ticks", "1001"), "rnnviz: --ticks must be 0 … 1,000 for the hello lab, not 1,001\n"),
    (("--stage", "1",), "rnnviz: --stage goes with --lab (the backward sweep of the network lab)\n"),
    (("--lab", "worked", "--model", "lstm"),
     "rnnviz: --lab and --model each choose the window's model: give one of them\n"),
    (("--model", "gru", "--phase"), "rnnviz: --phase goes with the one-neuron window, not with --model\n"),
    (("--lab", "worked", "--sweep"), "rnnviz: --sweep goes with the one-neuron window, not with --lab\n"),
])
def test_bad_lab_screenshot_options_are_one_line(cli, tmp_path, args, message):
    status, stdout, stderr = cli("screenshot", str(tmp_path / "x.png"), *args)
    assert (status, stdout, stderr) == (2, "", message)
    assert not (tmp_path / "x.png").exists()


def test_rnnviz_screenshot_in_presentation_mode_hides_the_menus(cli, tmp_path):
    """--presentation: the picture has no menu bar, so its top rows are the view, not menus."""
    from PySide6.QtGui import QImage

    plain, shown = tmp_path / "plain.png", tmp_path / "presenting.png"
    for out, extra in ((plain, ()), (shown, ("--presentation",))):
        status, stdout, stderr = cli("screenshot", str(out), "--lab", "worked", "--ticks", "3",
                                     "--size", "1280x720", *extra)
        assert (status, stderr) == (0, "")
    a, b = QImage(str(plain)), QImage(str(shown))
    assert (b.width(), b.height()) == (1280, 720)
    # The plain window's top rows are the menu bar ("File Edit …"), the presentation's the summary line.
    top = lambda image: [image.pixel(x, 10) for x in range(0, 400, 4)]  # noqa: E731
    assert top(a) != top(b)


def test_side_by_side_trains_a_twin_with_the_clipping_flipped_and_draws_it_dashed(lab):
    lab.workspace.open_preset("vanishing")
    controls = lab.workspace.controls
    controls.radius.setValue(3.0)
    controls.compare.setChecked(True)
    ws = lab.workspace
    twin = ws.twin
    assert twin is not None and twin.settings.clipping.kind == "norm" and twin.settings.clipping.threshold == 1.0
    assert lab.adapter.lab.settings.clipping is None
    for _ in range(4):
        lab.action("step").trigger()
    assert twin.cursor == 4
    # The twin is the preset from update 0 with clipping on: its losses are those of such a run.
    from dataclasses import replace

    from rnnviz.engine.clipping import Clipping

    again = PRESETS["vanishing"].make_run()
    again.set_settings(replace(again.settings, clipping=Clipping(kind="norm", threshold=1.0)))
    again.seek(4)
    np.testing.assert_array_equal(twin.losses(), again.losses())
    x, _ = ws.loss_plot.twin.getData()
    assert list(x) == [1, 2, 3, 4]
    assert "twin (clipping by global norm at 1): loss" in lab.status.text()
    controls.compare.setChecked(False)
    assert ws.twin is None and ws.loss_plot.twin.getData()[0] is None


def test_rnnviz_record_films_the_lab_update_by_update(cli, tmp_path):
    out = tmp_path / "hello.mp4"
    status, stdout, stderr = cli("record", str(out), "--lab", "hello", "--ticks", "4", "--speed", "10",
                                 "--fps", "10", "--size", "1280x720")
    assert (status, stderr) == (0, "")
    info = probe(out)
    timeline = recording.make_timeline(4, 10.0, 10.0)  # the held first and last pictures included
    assert (info.width, info.height, info.frames) == (1280, 720, timeline.frames)
    assert stdout == f"wrote {out}: {timeline.frames} frames, {timeline.seconds:.1f} s, 1280x720\n"


def test_rnnviz_record_refuses_more_updates_than_the_lab_has(cli, tmp_path):
    status, stdout, stderr = cli("record", str(tmp_path / "x.mp4"), "--lab", "worked", "--ticks", "1001")
    assert (status, stdout, stderr) == (2, "", "rnnviz: --ticks must be 0 … 1,000 here, not 1,001\n")
    assert not (tmp_path / "x.mp4").exists()


def test_with_truncation_the_flow_plot_shows_the_full_gradient_beside_the_truncated_one(lab):
    ws, run = lab.workspace, lab.adapter.lab
    assert ws.flow_plot.full.getData()[0] is None
    ws.controls.truncation.setValue(3)
    assert run.settings.window == 3
    inputs, targets, mask = run.source.example(0)
    full = flow_series(unrolled_state(run.network, inputs, targets, mask))
    cut = flow_series(unrolled_state(run.network, inputs, targets, mask, window=3))
    np.testing.assert_array_equal(ws.flow_plot.full.getOriginalDataset()[1], full.grad_norms)
    np.testing.assert_array_equal(ws.flow_plot.grad.getOriginalDataset()[1], cut.grad_norms)
    assert not np.array_equal(full.grad_norms, cut.grad_norms)  # the cut is visible
    ws.controls.truncation.setValue(0)
    assert run.settings.window is None and ws.flow_plot.full.getData()[0] is None


def test_a_weight_typed_in_a_panel_is_used_at_the_cursor_and_every_view_follows(lab):
    from rnnviz.ui.workspaces.elman.weights_panel import WeightsPanel

    ws, run = lab.workspace, lab.adapter.lab
    for _ in range(3):
        lab.action("step").trigger()
    panel = next(p for p in ws._panels if isinstance(p, WeightsPanel))
    w_hh = run.network.w_hh.copy()
    w_hh[0, 0] = 0.25
    panel.parametersTyped.emit({"w_hh": w_hh})
    assert run.cursor == 3 and run.network.w_hh[0, 0] == 0.25
    inputs, targets, mask = run.source.example(3)
    np.testing.assert_array_equal(ws.unrolled.state().hidden,
                                  unrolled_state(run.network, inputs, targets, mask).hidden)
    panel.parametersTyped.emit({"w_hh": "not numbers"})  # refused in one line, nothing changed
    assert run.network.w_hh[0, 0] == 0.25
    assert lab.statusBar().currentMessage().startswith("Not used: ")


def test_the_preset_panels_show_only_with_their_preset(lab):
    tabs = lab.workspace.tabs
    shown = lambda: [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]  # noqa: E731
    common = ["Loss and gradient flow", "Flow over training", "Weights", "Gradient check"]
    assert shown() == [*common, "Addition: a + b", "Seeds"]
    lab.workspace.open_preset("hello")
    assert shown() == [*common, "Hello: softmax and sampling"]
    lab.workspace.open_preset("worked")
    assert shown() == [*common, "By hand"]
    lab.workspace.open_preset("vanishing")
    assert shown() == common
