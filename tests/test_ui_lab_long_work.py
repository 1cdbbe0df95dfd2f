"""Long moves in the network lab never block the window: progress, slices and Cancel.

A lab update costs 50–250 µs, a hundred times the one neuron's tick, so the
lab counts long work in updates of its own (LabAdapter.BUSY): a seek of
thousands of updates is shown slice by slice and can be cancelled, where the
one neuron's threshold (100,000 ticks) let it run for seconds unseen.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from clocks import SteppingClock
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.lab_adapter import LabAdapter


@pytest.fixture
def cancel_clicker(qtbot):
    """Clicks Cancel on the progress dialog as soon as one is showing."""
    clicked: list[int] = []

    def click() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                widget.cancel()
                clicked.append(1)

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(click)
    timer.start()
    yield clicked
    timer.stop()


def _adapter() -> LabAdapter:
    adapter = LabAdapter(PRESETS["addition"].make_run(), clock=SteppingClock(0.05))
    adapter.preset_key = "addition"
    return adapter


def test_a_seek_of_thousands_of_updates_is_shown_slice_by_slice_and_lands_exactly(qtbot):
    adapter = _adapter()
    cursors: list[int] = []
    adapter.changed.connect(lambda _: cursors.append(adapter.lab.cursor))
    adapter.seek(5_000)
    adapter.shutdown()
    assert adapter.lab.cursor == 5_000
    # Slices, each ending in a redraw: the window was never left for the whole move.
    assert len(cursors) >= 3 and cursors == sorted(cursors) and cursors[-1] == 5_000
    # The same updates as one plain run of 5,000 steps.
    plain = PRESETS["addition"].make_run()
    plain.step(5_000)
    np.testing.assert_array_equal(adapter.lab.losses(), plain.losses())


def test_a_short_move_is_one_emission(qtbot):
    adapter = _adapter()
    cursors: list[int] = []
    adapter.changed.connect(lambda _: cursors.append(adapter.lab.cursor))
    adapter.seek(LabAdapter.BUSY - 1)
    adapter.shutdown()
    assert cursors == [LabAdapter.BUSY - 1]


def test_play_at_the_end_says_so_in_updates(qtbot):
    adapter = LabAdapter(PRESETS["hello"].make_run(), clock=SteppingClock(0.05))
    notices: list[str] = []
    adapter.notice.connect(notices.append)
    adapter.seek(adapter.lab.n_ticks)
    adapter.play()
    adapter.shutdown()
    end = adapter.lab.n_ticks
    assert notices[-1] == f"At the end of the training (update {end:,}): Home goes back to update 0 to play it again"


def test_loading_a_run_with_thousands_of_stored_updates_shows_it_at_once(qtbot):
    # Showing stored updates costs the views alone: no slices, no progress for 5,000 of them.
    stored = PRESETS["addition"].make_run()
    stored.step(5_000)
    adapter = _adapter()
    cursors: list[int] = []
    adapter.changed.connect(lambda _: cursors.append(adapter.lab.cursor))
    adapter.load(stored)
    adapter.shutdown()
    assert cursors == [5_000]


def test_cancel_stops_the_run_to_the_end_at_the_update_reached(qtbot, cancel_clicker):
    adapter = _adapter()
    notices: list[str] = []
    adapter.notice.connect(notices.append)
    adapter.run_to_end()
    adapter.shutdown()
    run = adapter.lab
    assert cancel_clicker and 0 < run.cursor < run.n_ticks
    assert notices == [f"Cancelled: stopped at update {run.cursor:,} of {run.n_ticks:,}"]
    assert not adapter.working
    plain = PRESETS["addition"].make_run()
    plain.step(run.cursor)
    np.testing.assert_array_equal(run.losses(), plain.losses())


@pytest.fixture
def lab(window):
    window.show_kind("elman")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def test_step_one_epoch_trains_one_pass_over_the_presets_data(lab):
    from rnnviz.runs.lab import epoch_updates
    from rnnviz.tasks.addition import AdditionSettings, split_pairs

    run = lab.adapter.lab
    # Binary addition draws its pairs from every pair of 7-bit numbers but the held-out ones:
    # as many distinct pairs as its training draws can hold.
    codes = {(a, b) for a in range(128) for b in range(128)}
    held_out, _ = split_pairs(AdditionSettings(examples=1), np.random.default_rng(0))
    assert epoch_updates(run) == len(codes - {tuple(p) for p in held_out.tolist()}) == 16_184
    action = lab.action("lab_epoch")
    assert f"{epoch_updates(run):,} updates" in action.toolTip()
    lab.adapter.step(3)
    action.trigger()
    assert lab.adapter.lab.cursor == 3 + 16_184
    plain = PRESETS["addition"].make_run()
    plain.step(3 + 16_184)
    np.testing.assert_array_equal(lab.adapter.lab.losses(), plain.losses())
    lab.workspace.open_preset("hello")  # one example: an epoch is one update
    action.trigger()
    assert lab.adapter.lab.cursor == 1 and epoch_updates(lab.adapter.lab) == 1
