"""The network lab in presentation mode, as a lecturer projects it: views large, controls out of the way."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from rnnviz.present.format import format_number
from rnnviz.tasks.lab_presets import PRESETS
from windows import press


@pytest.fixture
def lab(window):
    """The usual window showing the lab (addition preset, update 0)."""
    window.show_kind("elman")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def settle() -> None:
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def controls_box(window):
    return window.workspace.controls.parentWidget()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presentation_mode_gives_the_views_the_room_and_says_the_settings_in_one_line(qtbot, lab, size):
    ws = lab.workspace
    lab.presentation.set_canvas_size(size)
    settle()
    before = ws.split.sizes()
    tab_font = ws.tabs.tabBar().font().pointSizeF()
    lab.presentation.set_active(True)
    settle()
    scale = lab.presentation.scale
    assert scale >= 1.5
    # The controls give way to one line the back of the room can read.
    assert not controls_box(lab).isVisible()
    summary = ws.presenting.summary
    settings = lab.adapter.lab.settings
    assert summary.isVisible()
    assert summary.text().startswith(f"{PRESETS['addition'].title}   ·   η = {format_number(settings.learning_rate)}")
    assert "full BPTT" in summary.text() and "no clipping" in summary.text()
    assert summary.fontMetrics().horizontalAdvance(summary.text()) <= summary.width()
    assert summary.font().pointSizeF() >= 1.4 * QApplication.font().pointSizeF()
    assert ws.tabs.tabBar().font().pointSizeF() == pytest.approx(tab_font * scale)
    # The unrolled network takes the whole width, its text scaled with the rest.
    assert ws.unrolled.width() >= 0.95 * size[0]
    assert ws.unrolled.font_scale() == scale
    assert ws.loss_plot.isVisible() and ws.loss_plot.height() >= 0.3 * size[1]

    lab.presentation.set_active(False)
    settle()
    assert controls_box(lab).isVisible() and not summary.isVisible()
    assert ws.unrolled.font_scale() == 1.0
    assert ws.tabs.tabBar().font().pointSizeF() == pytest.approx(tab_font)
    qtbot.waitUntil(lambda: ws.split.sizes() == before)


def test_the_lecturer_drives_the_lab_by_keys_in_presentation_mode(qtbot, lab):
    lab.presentation.set_canvas_size((1280, 720))
    lab.presentation.set_active(True)
    settle()
    press(qtbot, lab, Qt.Key.Key_Right)
    assert lab.adapter.lab.cursor == 1
    press(qtbot, lab, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert lab.adapter.stage == 0
    assert "backward sweep: stage 1" in lab.status.text()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_the_unrolled_view_keeps_its_node_values_in_presentation_mode(qtbot, lab, size):
    lab.workspace.open_preset("hello")
    lab.presentation.set_canvas_size(size)
    lab.presentation.set_active(True)
    settle()
    view = lab.workspace.unrolled
    layout = view.unrolled_layout()
    state = view.state()
    values = [t for t in layout.texts if t.role == "value"]
    units = state.n_in + state.n_hidden + state.n_out
    assert len(values) == units * len(layout.steps_shown) and len(layout.steps_shown) == state.steps
    # Each value ends before the next column's nodes and inside the view; none overlaps another.
    for item in values:
        assert 0 <= item.rect.left() and item.rect.right() <= view.width()
    rects = sorted((t.rect for t in values), key=lambda r: (r.left(), r.top()))
    for a, b in zip(rects, rects[1:]):
        assert not (a.intersects(b) and a.intersected(b).height() > 0.5 and a.intersected(b).width() > 0.5)


def test_the_summary_says_what_the_dashed_twin_is(qtbot, lab):
    lab.workspace.controls.compare.setChecked(True)
    lab.presentation.set_active(True)
    settle()
    twin = lab.workspace.twin
    assert twin is not None and twin.settings.clipping is not None
    assert f"dashed: clipping by global norm at {twin.settings.clipping.threshold:g}" in \
        lab.workspace.presenting.summary.text()


def test_a_lab_shown_during_presentation_mode_is_laid_out_for_it_and_back(qtbot, window):
    # A lab file or lesson opened while presenting the one-neuron learner.
    window.presentation.set_canvas_size((1280, 720))
    window.presentation.set_active(True)
    settle()
    window.show_kind("elman")
    settle()
    ws = window.workspace
    try:
        assert not controls_box(window).isVisible() and ws.presenting.summary.isVisible()
        assert ws.unrolled.font_scale() == window.presentation.scale
        window.show_kind("neuron")
        window.presentation.set_active(False)
        settle()
        window.show_kind("elman")
        settle()
        assert controls_box(window).isVisible() and not ws.presenting.summary.isVisible()
    finally:
        for key in list(window._workspaces):
            window.workspace_of(key).shutdown()
