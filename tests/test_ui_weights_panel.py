"""The lab's weights panel (rnnviz.ui.workspaces.elman.weights_panel) on real preset runs, offscreen.

Pixels are read from the rendered panel, places from its layout; typing goes
through the real editor, and what it emits is applied to the run.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontInfo, QFontMetricsF, QImage, QMouseEvent

from rnnviz.present.lab_weights import weights_view
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.weights_panel import (
    EMPTY,
    HINT,
    WeightsPanel,
    heat_colours,
)

#: The room the panel gets in the lab at a 1280×720 window.
LAB_SIZE = (600, 250)


def _run(key: str, updates: int):
    run = PRESETS[key].make_run()
    run.step(updates)
    return run


def _panel(qtbot, run, size=LAB_SIZE, told=None) -> WeightsPanel:
    panel = WeightsPanel((told if told is not None else []).append)
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show_lab(run, run.cursor)
    return panel


def _centre(panel: WeightsPanel, name: str, which: str, row: int, column: int) -> QPointF:
    slot = next(s for s in panel.slots() if s.name == name and s.which == which)
    return QPointF(slot.cells.left() + (column + 0.5) * slot.cell, slot.cells.top() + (row + 0.5) * slot.cell)


def _pixel(image: QImage, point: QPointF) -> QColor:
    return image.pixelColor(int(point.x()), int(point.y()))


def _near(colour: QColor, rgb, tolerance: int = 2) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour.getRgb()[:3], np.rint(rgb)))


def _send(panel: WeightsPanel, kind: QEvent.Type, point: QPointF) -> None:
    event = QMouseEvent(kind, point, panel.mapToGlobal(point), Qt.MouseButton.LeftButton
                        if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                        Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    {QEvent.Type.MouseMove: panel.mouseMoveEvent,
     QEvent.Type.MouseButtonDblClick: panel.mouseDoubleClickEvent}[kind](event)


def _boxes(panel: WeightsPanel) -> list[tuple[str, QRectF]]:
    """Every map's cells, name and range as drawn, and the bottom line."""
    metrics = QFontMetricsF(panel.fitted_font())
    view, boxes = panel.view, []
    for s in panel.slots():
        m = view[s.name]
        name = m.label if s.which == "W" else "Δ" + m.label
        span = m.range_text if s.which == "W" else (m.delta_range_text or "—")
        boxes.append((f"{name} cells", s.cells))
        for what, corner, text in (("name", s.title, name), ("range", s.range_at, span)):
            boxes.append((f"{name} {what}", QRectF(corner.x(), corner.y() - metrics.ascent(),
                                                   metrics.horizontalAdvance(text), metrics.height())))
    bottom = panel.height() - 6 - metrics.height()
    boxes.append(("bottom line", QRectF(6, bottom, panel.width() - 12, metrics.height())))
    return boxes


@pytest.mark.parametrize("key, updates, least_cell", [
    ("addition", 300, 10), ("vanishing", 20, 10), ("hello", 50, 20), ("worked", 4, 40)])
def test_every_map_fits_the_labs_room_without_overlap(qtbot, key, updates, least_cell):
    panel = _panel(qtbot, _run(key, updates))
    slots = panel.slots()
    assert len(slots) == 2 * len(panel.view.matrices)
    assert min(s.cell for s in slots) >= least_cell
    assert panel.fitted_font() == panel.text_font()
    _assert_apart(panel)


def _assert_apart(panel: WeightsPanel) -> None:
    boxes = _boxes(panel)
    for name, box in boxes:
        assert panel.rect().toRectF().contains(box), name
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not box_a.intersects(box_b), (a, b)


@pytest.mark.parametrize("scale", [1.5, 2.0])
@pytest.mark.parametrize("size", [LAB_SIZE, (900, 380)])
@pytest.mark.parametrize("key", ["addition", "hello", "vanishing"])
def test_presentation_text_leaves_the_maps_readable(qtbot, key, size, scale):
    panel = _panel(qtbot, _run(key, 10), size=size)
    panel.set_font_scale(scale)
    assert panel.font_scale() == scale
    assert min(s.cell for s in panel.slots()) >= 8
    assert QFontInfo(panel.fitted_font()).pixelSize() >= 7
    _assert_apart(panel)


def test_each_cell_is_painted_in_its_values_colour(qtbot):
    run = _run("addition", 200)
    panel = _panel(qtbot, run)
    image = panel.grab().toImage()
    view = panel.view
    for name in view.names:
        m = view[name]
        for which in ("W", "ΔW"):
            scaled = m.scaled(which)
            for row, column in [(0, 0), np.unravel_index(np.argmax(scaled), m.shape),
                                np.unravel_index(np.argmin(scaled), m.shape)]:
                point = _centre(panel, name, which, row, column)
                assert _near(_pixel(image, point), heat_colours(np.array(scaled[row, column]))), \
                    (name, which, row, column)
    w = view["w_hh"]
    biggest = np.unravel_index(np.argmax(np.abs(w.values)), w.shape)
    end = theme.POSITIVE if w.values[biggest] > 0 else theme.NEGATIVE
    assert _near(_pixel(image, _centre(panel, "w_hh", "W", *biggest)), QColor(end).getRgb()[:3])


def test_at_update_0_the_change_maps_are_empty_and_a_step_repaints(qtbot):
    run = _run("hello", 0)
    panel = _panel(qtbot, run)
    image = panel.grab().toImage()
    assert _near(_pixel(image, _centre(panel, "w_hh", "ΔW", 1, 1)), QColor(EMPTY).getRgb()[:3])
    assert panel.status_text().endswith(HINT)
    run.step(1)
    panel.show_lab(run, run.cursor)
    after = panel.grab().toImage()
    assert after != image
    scaled = panel.view["w_hh"].scaled("ΔW")
    assert _near(_pixel(after, _centre(panel, "w_hh", "ΔW", 1, 1)), heat_colours(np.array(scaled[1, 1])))


def test_hovering_a_cell_names_it_with_its_value(qtbot):
    run = _run("addition", 50)
    panel = _panel(qtbot, run)
    _send(panel, QEvent.Type.MouseMove, _centre(panel, "w_hh", "W", 2, 5))
    assert panel.status_text() == f"W_hh[3, 6] = {run.network.w_hh[2, 5]:.5g}".replace("-", "−")
    _send(panel, QEvent.Type.MouseMove, _centre(panel, "w_hy", "ΔW", 0, 3))
    assert panel.status_text() == weights_view(run)["w_hy"].delta_texts[0][3]
    _send(panel, QEvent.Type.MouseMove, QPointF(LAB_SIZE[0] - 2, 2))
    assert panel.status_text().startswith("ΔW: what update 50 changed")


def test_double_click_types_a_weight_that_the_run_takes(qtbot):
    run = _run("addition", 20)
    panel = _panel(qtbot, run)
    panel.show()
    _send(panel, QEvent.Type.MouseButtonDblClick, _centre(panel, "w_hh", "W", 2, 5))
    editor = panel.editor
    assert editor.isVisible() and float(editor.text()) == run.network.w_hh[2, 5]
    editor.setText("−0.41373")
    with qtbot.waitSignal(panel.parametersTyped) as signal:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    typed = signal.args[0]
    want = run.network.w_hh.copy()
    want[2, 5] = -0.41373
    assert set(typed) == {"w_hh"}
    np.testing.assert_array_equal(typed["w_hh"], want)
    assert not editor.isVisible()
    run.set_parameters(typed)
    panel.show_lab(run, run.cursor)
    assert panel.view["w_hh"].cell_texts[2][5] == "W_hh[3, 6] = −0.41373"


def test_a_typed_bias_keeps_its_shape(qtbot):
    run = _run("hello", 3)
    panel = _panel(qtbot, run)
    panel.show()
    panel.edit_cell("b_h", 2, 0)
    panel.editor.setText("0.5")
    with qtbot.waitSignal(panel.parametersTyped) as signal:
        qtbot.keyClick(panel.editor, Qt.Key.Key_Return)
    assert signal.args[0]["b_h"].shape == (3,) and signal.args[0]["b_h"][2] == 0.5


@pytest.mark.parametrize("text", ["abc", "nan", "1e999", ""])
def test_bad_text_is_one_line_and_changes_nothing(qtbot, text):
    run = _run("addition", 20)
    told: list[str] = []
    panel = _panel(qtbot, run, told=told)
    panel.show()
    before = run.network.w_hh.copy()
    emitted: list[dict] = []
    panel.parametersTyped.connect(emitted.append)
    panel.edit_cell("w_hh", 0, 0)
    panel.editor.setText(text)
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return)
    assert len(told) == 1 and "\n" not in told[0] and told[0].startswith("Not used: a weight must")
    assert emitted == [] and panel.editor.isVisible()
    np.testing.assert_array_equal(run.network.w_hh, before)
    qtbot.keyClick(panel.editor, Qt.Key.Key_Escape)
    assert not panel.editor.isVisible() and emitted == []


def test_double_click_on_a_change_explains_instead_of_editing(qtbot):
    told: list[str] = []
    panel = _panel(qtbot, _run("addition", 5), told=told)
    panel.show()
    _send(panel, QEvent.Type.MouseButtonDblClick, _centre(panel, "w_xh", "ΔW", 0, 1))
    assert not panel.editor.isVisible()
    assert len(told) == 1 and told[0].startswith("ΔW is what the last update changed")


def test_a_hidden_panel_works_out_its_view_when_shown(qtbot):
    run = _run("addition", 3)
    panel = _panel(qtbot, run)
    run.step(2)
    panel.show_lab(run, run.cursor)
    assert panel.view.cursor == 5
    panel.show()
    assert panel.view.cursor == 5
    assert panel.rect().contains(QPoint(1, 1))


def _cell_colours(image: QImage, panel: WeightsPanel, name: str, which: str, row: int, column: int) -> set:
    slot = next(s for s in panel.slots() if s.name == name and s.which == which)
    left, top = slot.cells.left() + column * slot.cell, slot.cells.top() + row * slot.cell
    return {image.pixelColor(int(left + dx), int(top + dy)).rgb()
            for dx in range(3, int(slot.cell) - 3) for dy in range(3, int(slot.cell) - 3)}


def test_values_are_written_in_cells_only_where_they_fit(qtbot):
    big = _panel(qtbot, _run("worked", 4))
    image = big.grab().toImage()
    assert len(_cell_colours(image, big, "w_hh", "W", 0, 0)) > 2        # fill and text
    small = _panel(qtbot, _run("addition", 4))
    image = small.grab().toImage()
    assert len(_cell_colours(image, small, "w_hh", "W", 3, 3)) == 1     # fill only


def test_the_editor_stays_inside_the_panel_at_its_right_edge(qtbot):
    run = _run("hello", 4)
    panel = _panel(qtbot, run, size=(420, 250))
    panel.show()
    slot = max((s for s in panel.slots() if s.which == "W"), key=lambda s: s.cells.right())
    m = panel.view[slot.name]
    rows, columns = m.shape
    panel.edit_cell(slot.name, rows - 1, columns - 1)
    geometry = panel.editor.geometry()
    assert panel.rect().contains(geometry)
    assert float(panel.editor.text()) == m.values[rows - 1, columns - 1]


def test_the_bottom_line_says_which_weight_is_being_typed(qtbot):
    run = _run("addition", 4)
    panel = _panel(qtbot, run)
    panel.show()
    panel.edit_cell("w_hh", 9, 12)
    value = f"{run.network.w_hh[9, 12]:.5g}".replace("-", "−")
    assert panel.status_text() == f"typing W_hh[10, 13] = {value} · Enter applies, Esc cancels"
    qtbot.keyClick(panel.editor, Qt.Key.Key_Escape)
    assert panel.status_text().endswith(HINT)
