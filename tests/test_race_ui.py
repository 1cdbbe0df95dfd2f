"""The race in the window (Model ▸ Race: plain RNN vs LSTM vs GRU), as a user meets it.

What the views draw is compared with what the engine's runs hold and what
rnnviz.present.race computes from them.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from rnnviz.engine.errors import InputError
from rnnviz.present.race import flow_strips, race_curves
from rnnviz.tasks.race_presets import RACE_CELLS, RACE_SEED, RACE_TITLES, held_out_rate, race, race_run
from rnnviz.ui.mainwindow import MainWindow
from rnnviz.ui.workspaces.race.race_views import CELL_COLOURS, NO_GRADIENT
from rnnviz.ui.workspaces.race.workspace import RaceAdapter


@pytest.fixture
def racing(window):
    """The usual window showing the race (seed 0, update 0)."""
    window.show_kind("race")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def settle() -> None:
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def test_the_model_menu_opens_the_race_and_play_trains_the_three(qtbot, window):
    entry = next(a for a in window.menu("model").actions() if a.text().startswith("Race"))
    entry.trigger()
    assert window.kind_key == "race"
    ws = window.workspace
    try:
        window.action("play").trigger()
        qtbot.waitUntil(lambda: ws.adapter.race.cursor >= 5, timeout=10_000)
        window.action("play").trigger()
        cursor = ws.adapter.race.cursor
        assert {run.cursor for run in ws.adapter.race.runs.values()} == {cursor}
        for cell in RACE_CELLS:
            alone = race_run(cell, RACE_SEED)
            alone.step(cursor)
            x, y = ws.curves.raw[cell].getOriginalDataset()
            assert np.array_equal(y, alone.losses()) and x[-1] == cursor
        status = window.statusBar().currentMessage() or ws.status_text()
        assert f"update {cursor:,} of 12,288" in status
        assert all(RACE_TITLES[cell] in status for cell in RACE_CELLS)
    finally:
        ws.shutdown()


def test_the_curves_and_strips_show_the_runs_at_the_cursor(racing):
    ws = racing.workspace
    ws.adapter.seek(250)
    run = ws.adapter.race
    curves = race_curves(run)
    for cell in RACE_CELLS:
        _, means = ws.curves.means[cell].getOriginalDataset()
        _, right = ws.curves.shares[cell].getOriginalDataset()
        assert np.array_equal(means, curves[cell].mean_losses)
        assert np.array_equal(right, curves[cell].mean_right)
        assert ws.curves.means[cell].opts["pen"].color().name() == CELL_COLOURS[cell]
    strips = flow_strips(run)
    shown = ws.strips.image.image  # rows top to bottom are drawn last to first
    assert shown.shape[:2] == (len(RACE_CELLS), strips.steps.size)
    low, high = strips.decades
    for row, cell in enumerate(RACE_CELLS):
        logs = strips.log_norms()[row]
        drawn = shown[len(RACE_CELLS) - 1 - row]
        for t in (0, strips.steps.size - 1):
            if not np.isfinite(logs[t]):
                assert tuple(drawn[t]) == NO_GRADIENT
                continue
            level = int(np.clip((logs[t] - low) / (high - low), 0, 1) * 255)
            assert tuple(drawn[t]) == tuple(ws.strips._lut[level])
    # The one with the larger gradient at step 1 is the brighter there.
    first = strips.log_norms()[:, 0]
    brighter = [shown[len(RACE_CELLS) - 1 - i, 0, :3].astype(int).sum() for i in range(len(RACE_CELLS))]
    if np.isfinite(first).all() and abs(first[0] - first[1]) > 1:
        assert (brighter[0] > brighter[1]) == (first[0] > first[1])
    text = ws.board.labels["rnn"].text()
    assert RACE_TITLES["rnn"] in text and "held-out: not checked yet" in text


def test_check_held_out_shows_each_cells_share_of_the_held_out_sequences(racing):
    ws = racing.workspace
    ws.adapter.seek(100)
    ws.board.check.click()
    for cell in RACE_CELLS:
        rate = held_out_rate(ws.adapter.race.runs[cell], RACE_SEED)
        assert f"held-out {rate:.1%} at update 100" in ws.board.labels[cell].text()
    ws.adapter.step(1)  # the numbers were the cursor's: gone once it moves
    assert "not checked yet" in ws.board.labels["gru"].text()


def test_at_the_end_of_a_race_the_held_out_success_is_shown(qtbot):
    adapter = RaceAdapter(race(1, 4, 60))
    window = MainWindow(adapter, settings=None, restore_settings=False)
    qtbot.addWidget(window)
    try:
        assert window.kind_key == "race"
        window.action("end").trigger()
        assert adapter.race.at_end
        for cell in RACE_CELLS:
            rate = held_out_rate(adapter.race.runs[cell], 1)
            assert f"held-out {rate:.1%} at update 60" in window.workspace.board.labels[cell].text()
    finally:
        window.workspace.shutdown()


def test_a_new_seed_starts_a_new_race_at_update_0(racing):
    ws = racing.workspace
    ws.adapter.seek(20)
    ws.board.seed.setValue(7)
    run = ws.adapter.race
    assert run.seed == 7 and run.cursor == 0
    assert np.array_equal(run.runs["rnn"].source.bits, race(7).runs["rnn"].source.bits)
    assert "seed 7" in ws.status_text() and "seed 7" in ws.title()


def test_a_saved_race_reopens_where_it_was(racing, tmp_path):
    ws = racing.workspace
    ws.board.seed.setValue(2)
    ws.adapter.seek(40)
    data = json.loads(json.dumps(ws.document()))
    assert data["seed"] == 2 and data["cursor"] == 40 and set(data["logs"]) == set(RACE_CELLS)
    ws.board.seed.setValue(0)
    ws.open_document(data)
    run = ws.adapter.race
    assert run.seed == 2 and run.cursor == 40 and ws.board.seed.value() == 2
    again = race(2)
    again.seek(40)
    for cell in RACE_CELLS:
        assert np.array_equal(run.runs[cell].losses(), again.runs[cell].losses())


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("logs"), "the fields seed, cursor and logs"),
    (lambda d: d.update(seed=-3), "seed"),
    (lambda d: d.update(cursor=10**9), "the race's cursor"),
    (lambda d: d["logs"].pop("lstm"), "one per cell"),
    (lambda d: d["logs"]["gru"][0].update(n_updates="many"), "the GRU's log"),
])
def test_a_bad_race_document_is_one_line_and_changes_nothing(racing, change, message):
    ws = racing.workspace
    ws.adapter.seek(12)
    data = json.loads(json.dumps(ws.document()))
    change(data)
    before = ws.adapter.race
    with pytest.raises(InputError, match=message) as caught:
        ws.open_document(data)
    assert "\n" not in str(caught.value)
    assert ws.adapter.race is before and before.cursor == 12


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_mode_gives_the_plots_the_room_and_larger_text(racing, size):
    ws = racing.workspace
    ws.adapter.seek(64)
    racing.presentation.set_canvas_size(size)
    settle()
    axis_font = ws.curves.loss.getAxis("left").style["tickFont"]
    before = axis_font.pointSizeF() if axis_font is not None else 0.0
    racing.presentation.set_active(True)
    settle()
    try:
        assert not ws.board.controls.isVisible() and ws.board.labels["lstm"].isVisible()
        assert ws.curves.loss.getAxis("left").style["tickFont"].pointSizeF() > before
        for view in (ws.curves, ws.strips):
            assert view.width() >= 360 and view.height() >= 150
            # Nothing wider than its widget: the titles wrap or fit, the axes are whole.
            assert view.ci.boundingRect().width() <= view.width() + 1
    finally:
        racing.presentation.set_active(False)
    settle()
    assert ws.board.controls.isVisible()


def test_with_several_updates_a_pixel_each_cells_losses_are_a_band_of_their_range(racing):
    ws = racing.workspace
    ws.adapter.seek(3000)
    for cell in RACE_CELLS:
        losses = ws.adapter.race.runs[cell].losses()
        band = ws.curves.bands[cell]
        assert band.isVisible() and ws.curves.raw[cell].getOriginalDataset()[0] is None
        box = band.path().boundingRect()
        assert box.top() == pytest.approx(losses.min()) and box.bottom() == pytest.approx(losses.max())
        assert 1 <= box.left() < 20 and 2980 < box.right() <= 3000
        assert band.brush().color().name() == CELL_COLOURS[cell]
    ws.adapter.seek(20)  # few updates: a line through each loss again
    assert not ws.curves.bands["gru"].isVisible()
    assert np.array_equal(ws.curves.raw["gru"].getOriginalDataset()[1], ws.adapter.race.runs["gru"].losses()[:20])


def test_while_playing_the_strips_follow_at_a_readable_pace_and_are_exact_on_pause(qtbot, play_timer):
    adapter = RaceAdapter(race(0, 6, 400), timer_factory=play_timer)
    window = MainWindow(adapter, settings=None, restore_settings=False)
    qtbot.addWidget(window)
    ws = window.workspace
    now = [100.0]
    ws.clock = lambda: now[0]
    try:
        window.action("play").trigger()
        play_timer.fire(3)
        shown = ws.strips.strips.example
        play_timer.fire(4)  # no time passed: the strips wait, the curves do not
        assert ws.strips.strips.example == shown < adapter.race.cursor
        assert ws.curves.means["lstm"].getOriginalDataset()[0][-1] == adapter.race.cursor
        now[0] += 0.5
        play_timer.fire()
        assert ws.strips.strips.example == adapter.race.cursor
        play_timer.fire(2)
        window.action("play").trigger()  # pause: everything at the cursor
        assert not adapter.playing and ws.strips.strips.example == adapter.race.cursor
        assert f"update {adapter.race.cursor + 1:,}" in ws.strips.plot.titleLabel.text
    finally:
        ws.shutdown()


def test_the_race_lesson_walks_its_captions_and_what_they_say_holds(racing):
    """The captions quote numbers only where they are the same on every processor (update 0,
    before training has amplified any rounding), and claim only what held with numpy and
    OpenBLAS on AVX-512, AVX2 and SSE3 kernels (rnnviz.tasks.race_presets): checked here
    against the engine at every caption's update (Ctrl+→ from one to the next)."""
    from rnnviz.present.format import format_number

    ws = racing.workspace
    ws.board.seed.setValue(3)
    racing.action("race_lesson").trigger()
    bar = ws.lessons.bar
    run = ws.adapter.race
    assert bar.isVisible() and run.seed == RACE_SEED and run.cursor == 0 and ws.board.seed.value() == RACE_SEED
    assert "Lesson 1 of 1" in bar.heading.text()
    strips = flow_strips(run)
    for cell in RACE_CELLS:  # "step 1 gets 1060 × step 31's gradient", "0.104", "0.290"
        assert format_number(strips.reach(cell)) in bar.caption.text(), cell
    assert strips.reach("rnn") > 100 and max(strips.reach("lstm"), strips.reach("gru")) < 1

    def right(cell: str) -> float:
        return float(race_curves(run)[cell].mean_right[-1])

    def held(cell: str) -> float:
        return held_out_rate(run.runs[cell], RACE_SEED)

    for update in (1, 1024, 1025, 4096, 4097, 12288):
        racing.action("race_lesson_next").trigger()
        assert run.cursor == update
        if update == 1024:  # "the GRU has it ... the LSTM and the plain RNN are still guessing"
            assert "1,024" in bar.caption.text()
            assert right("gru") >= 0.95 and right("lstm") < 0.8 and right("rnn") < 0.8
        if update in (4096, 12288):  # held-out: the gated cells 100 %, the plain RNN below 95 %
            assert held("lstm") == held("gru") == 1.0 and held("rnn") < 0.95
    ws.board.seed.setValue(1)  # another race: the captions say they no longer describe it
    assert "no longer the lesson's race" in bar.heading.text()
    racing.action("race_lesson_close").trigger()
    assert not bar.isVisible()


def test_a_race_saved_from_the_file_menu_opens_in_another_window(racing, qtbot, tmp_path):
    from windows import make_window

    ws = racing.workspace
    ws.adapter.seek(30)
    assert racing.session_files.save_as(tmp_path / "race")
    data = json.loads((tmp_path / "race.rnnviz.json").read_text())
    assert data["model"] == "race" and data["run"]["cursor"] == 30
    other = make_window(qtbot)
    try:
        assert other.session_files.open(tmp_path / "race.rnnviz.json")
        assert other.kind_key == "race" and other.adapter.race.cursor == 30
        for cell in RACE_CELLS:
            assert np.array_equal(other.adapter.race.runs[cell].losses(), ws.adapter.race.runs[cell].losses())
    finally:
        for key in list(other._workspaces):
            other.workspace_of(key).shutdown()


def test_a_fresh_picture_says_each_cells_held_out_success(racing):
    ws = racing.workspace
    ws.adapter.seek(80)
    ws.fit_views()  # what a screenshot or View ▸ Fit does
    for cell in RACE_CELLS:
        rate = held_out_rate(ws.adapter.race.runs[cell], RACE_SEED)
        assert f"held-out {rate:.1%} at update 80" in ws.board.labels[cell].text()


def test_the_step_axis_never_writes_two_steps_side_by_side(racing):
    """1, every 3rd step, and 31; 30 gives way to 31 (they ran together in presentation mode)."""
    axis = racing.workspace.strips.plot.getAxis("bottom")
    labels = [float(value) for value, _ in axis._tickLevels[0]]
    assert labels[0] == 1.0 and labels[-1] == 31.0 and 30.0 not in labels
    assert min(b - a for a, b in zip(labels, labels[1:])) >= 2
