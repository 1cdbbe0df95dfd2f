"""The addition and hello panels (rnnviz.ui.workspaces.elman.addition_panel / hello_panel), offscreen.

Texts and places come from the widgets, pixels from their rendering; every
number they show is checked against the engine's forward pass.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QWidget

from rnnviz.present.format import fixed
from rnnviz.present.lab_addition import NOT_ADDITION, carry_tracking
from rnnviz.present.lab_hello import NOT_HELLO, generate
from rnnviz.tasks.addition import encode_pair
from rnnviz.tasks.hello import VOCABULARY
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.addition_panel import (
    ONE_TINT,
    WRONG_TINT,
    AdditionPanel,
    carry_text,
)
from rnnviz.ui.workspaces.elman.hello_panel import OTHER_BAR, TARGET_BAR, HelloPanel

#: The room a panel gets in the lab's tabs at a 1280×720 window.
PANEL_SIZE = (620, 260)


def _run(key: str, updates: int):
    run = PRESETS[key].make_run()
    run.step(updates)
    return run


def _shown(qtbot, panel: QWidget, run, size=PANEL_SIZE) -> QImage:
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    panel.show_lab(run, run.cursor)
    qtbot.waitExposed(panel)
    _settle(panel)
    return panel.grab().toImage()


def _settle(panel: QWidget) -> None:
    """Let the layouts place what show_lab changed, as the event loop would before painting."""
    QApplication.sendPostedEvents()
    panel.layout().activate()


def _near(colour: QColor, name: str, tolerance: int = 3) -> bool:
    wanted = QColor(name)
    return all(abs(a - b) <= tolerance for a, b in zip(colour.getRgb()[:3], wanted.getRgb()[:3]))


def _inside(child: QWidget, parent: QWidget) -> bool:
    place = QRect(child.mapTo(parent, QPoint(0, 0)), child.size())
    return parent.rect().contains(place)


def _visible_children_fit(panel: QWidget) -> None:
    _settle(panel)
    children = [w for w in panel.findChildren(QWidget) if w.isVisible()]
    for child in children:
        assert _inside(child, panel), child
        assert child.width() >= child.minimumSizeHint().width() or child.minimumSizeHint().width() <= 0, child
    assert panel.minimumSizeHint().width() <= PANEL_SIZE[0]
    assert panel.minimumSizeHint().height() <= PANEL_SIZE[1]


# ------------------------------------------------------------------ addition


def test_addition_grid_shows_the_pair_and_the_engines_outputs(qtbot):
    run = _run("addition", 40)
    panel = AdditionPanel([].append)
    image = _shown(qtbot, panel, run)
    a, b = run.source.pair(run.cursor)
    outputs = run.network.forward(encode_pair(a, b, 8)[0]).outputs[:, 0]
    rows = panel.grid.cells()
    assert [c.text for c in rows[0][0]] == [str((a >> t) & 1) for t in range(8)]
    assert [c.text for c in rows[1][0]] == [str((b >> t) & 1) for t in range(8)]
    assert [c.text for c in rows[2][0]] == [str(((a + b) >> t) & 1) for t in range(8)]
    assert [c.text for c in rows[3][0]] == [fixed(p) for p in outputs]
    assert [c.text for c in rows[4][0]] == [str(int(p >= 0.5)) for p in outputs]
    network_sum = int(sum(int(p >= 0.5) << t for t, p in enumerate(outputs)))
    assert (rows[0][1].text, rows[1][1].text, rows[2][1].text) == (str(a), str(b), str(a + b))
    assert rows[4][1].text.startswith(str(network_sum))
    # 40 updates in, the network is still wrong somewhere: those bits are tinted red, ones blue.
    wrong = [t for t, p in enumerate(outputs) if int(p >= 0.5) != ((a + b) >> t) & 1]
    assert wrong and rows[4][1].text.endswith("✗")
    origin = panel.grid.mapTo(panel, QPoint(0, 0))
    for t in range(8):
        corner = panel.grid.cell_rect(4, t).topLeft().toPoint() + origin + QPoint(2, 2)
        expected = WRONG_TINT if t in wrong else (ONE_TINT if int(outputs[t] >= 0.5) else "#ffffff")
        assert _near(image.pixelColor(corner), expected), t
    assert panel.carry.text() == carry_text(carry_tracking(run.network, 8))
    _visible_children_fit(panel)


def test_the_whole_grid_fits_the_panel_with_a_probe_on(qtbot):
    run = _run("addition", 3000)
    panel = AdditionPanel([].append)
    _shown(qtbot, panel, run)
    panel.flip_bit("b", 0)
    grid = panel.grid
    assert grid.probe is not None
    last = len(grid.cells()) - 1
    assert last == 6
    bottom = grid.cell_rect(last, 7).bottom()
    right = grid.number_rect(last).right()
    assert bottom <= grid.height() and right <= grid.width()
    # Cells do not overlap: each column starts after the previous ends.
    for t in range(7):
        assert grid.cell_rect(0, t).right() < grid.cell_rect(0, t + 1).left()
    assert grid.cell_rect(0, 7).right() < grid.number_rect(0).left()
    _visible_children_fit(panel)


def test_clicking_a_bit_flips_it_and_shows_the_later_outputs_beside_the_originals(qtbot):
    run = _run("addition", 3000)
    told: list[str] = []
    panel = AdditionPanel(told.append)
    _shown(qtbot, panel, run)
    before = run.network.copy_parameters()
    a, b = run.source.pair(run.cursor)
    centre = panel.grid.cell_rect(0, 2).center().toPoint()
    qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=centre)
    probe = panel.probe
    assert probe is not None and (probe.operand, probe.step) == ("a", 2)
    assert panel.flip.currentText() == "a, bit 3"
    flipped = run.network.forward(encode_pair(a ^ 4, b, 8)[0]).outputs[:, 0]
    original = run.network.forward(encode_pair(a, b, 8)[0]).outputs[:, 0]
    rows = panel.grid.cells()
    assert rows[0][0][2].text == f"{(a >> 2) & 1}→{1 - ((a >> 2) & 1)}"
    assert rows[0][1].text == f"{a}→{a ^ 4}"
    assert [c.text for c in rows[5][0]] == ["=", "="] + [fixed(p) for p in flipped[2:]]
    assert [c.text for c in rows[6][0]] == ["=", "="] + [fixed(d, signed=True) for d in (flipped - original)[2:]]
    changed = [t for t in range(8) if (flipped[t] >= 0.5) != (original[t] >= 0.5)]
    assert [t for t, c in enumerate(rows[5][0]) if c.outline is not None] == changed
    assert told == [probe.summary()]
    # Nothing in the run changed.
    for name, value in run.network.copy_parameters().items():
        assert np.array_equal(value, before[name])
    # Clicking the flipped bit again turns the probe off.
    qtbot.mouseClick(panel.grid, Qt.MouseButton.LeftButton, pos=centre)
    assert panel.probe is None and len(panel.grid.cells()) == 5


def test_the_probe_follows_the_example_and_the_network(qtbot):
    run = _run("addition", 100)
    panel = AdditionPanel([].append)
    _shown(qtbot, panel, run)
    panel.flip.setCurrentIndex(panel.flip.findText("b, bit 4"))
    run.step(500)
    panel.show_lab(run, run.cursor)
    a, b = run.source.pair(run.cursor)
    assert (panel.probe.a, panel.probe.b) == (a, b ^ 8)
    expected = run.network.forward(encode_pair(a, b ^ 8, 8)[0]).outputs[:, 0]
    assert np.array_equal(panel.probe.flipped, expected)


@pytest.mark.parametrize("key", ["worked", "hello", "vanishing"])
def test_other_presets_get_one_line_from_the_addition_panel(qtbot, key):
    panel = AdditionPanel([].append)
    _shown(qtbot, panel, _run(key, 2))
    assert panel.note.isVisible() and panel.note.text() == NOT_ADDITION
    assert not panel.grid.isVisible() and not panel.flip.isVisible() and panel.view is None
    # and back to addition
    panel.show_lab(_run("addition", 2), 2)
    assert panel.grid.isVisible() and not panel.note.isVisible()


# ------------------------------------------------------------------ hello


def test_hello_bars_are_the_engines_softmax_and_the_target_is_marked(qtbot):
    run = _run("hello", 20)
    panel = HelloPanel([].append)
    image = _shown(qtbot, panel, run)
    inputs, targets, _ = run.source.example(run.cursor)
    outputs = run.network.forward(inputs).outputs
    bars = panel.bars
    origin = bars.mapTo(panel, QPoint(0, 0))
    tallest = max(bars.bar_rect(s, k).height() for s in range(4) for k in range(4))
    for step in range(4):
        target = int(targets[step].argmax())
        for letter in range(4):
            rect = bars.bar_rect(step, letter)
            # Heights are in proportion to the probabilities.
            ratio = rect.height() / tallest
            assert ratio == pytest.approx(outputs[step, letter] / outputs.max(), abs=1e-9)
            if rect.height() >= 3:
                pixel = image.pixelColor(rect.center().toPoint() + origin)
                assert _near(pixel, TARGET_BAR if letter == target else OTHER_BAR), (step, letter)
    assert [bars.view.targets[s] for s in range(4)] == list("ello")
    _visible_children_fit(panel)


def test_hello_generation_follows_the_temperature_and_seed(qtbot):
    run = _run("hello", 600)
    panel = HelloPanel([].append)
    _shown(qtbot, panel, run)
    assert panel.generation.sampled == generate(run.network).sampled
    assert f"<tt>{generate(run.network).greedy}</tt>" in panel.greedy.text()
    panel.temperature.setValue(4.0)
    panel.seed.setValue(11)
    expected = generate(run.network, temperature=4.0, seed=11)
    assert panel.generation.sampled == expected.sampled
    assert f"<tt>{expected.sampled}</tt>" in panel.sampled.text()
    assert "T = 4.00, seed 11" in panel.sampled.text()
    # The control keeps the temperature in 0.1 … 5.
    panel.set_temperature(50)
    assert panel.temperature.value() == 5.0
    panel.temperature.setValue(0.01)
    assert panel.temperature.value() == pytest.approx(0.1)


def _has_colour(image: QImage, rect: QRect, name: str) -> bool:
    return any(_near(image.pixelColor(x, y), name, 40)
               for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom()))


def test_hello_panel_writes_a_wrong_step_in_the_error_colour(qtbot):
    run = _run("hello", 0)
    panel = HelloPanel([].append)
    image = _shown(qtbot, panel, run)
    outputs = run.network.forward(run.source.example(0)[0]).outputs
    predicted = "".join(VOCABULARY[i] for i in outputs.argmax(axis=1))
    assert panel.view.predicted == predicted != "ello"
    origin = panel.bars.mapTo(panel, QPoint(0, 0))
    line = panel.bars.fontMetrics().height()
    for step in range(4):
        group = panel.bars.group_rect(step).toRect()
        caption = QRect(group.left() + origin.x(), origin.y(), group.width(), line)
        wrong = predicted[step] != "ello"[step]
        assert _has_colour(image, caption, theme.ERROR_TEXT) == wrong, step


@pytest.mark.parametrize("key", ["worked", "addition", "vanishing"])
def test_other_presets_get_one_line_from_the_hello_panel(qtbot, key):
    panel = HelloPanel([].append)
    _shown(qtbot, panel, _run(key, 2))
    assert panel.note.isVisible() and panel.note.text() == NOT_HELLO
    assert not panel.bars.isVisible() and not panel.temperature.isVisible() and panel.view is None
    panel.show_lab(_run("hello", 2), 2)
    assert panel.bars.isVisible() and not panel.note.isVisible()


def test_panels_render_at_the_labs_size(qtbot, tmp_path):
    for panel, key, updates in ((AdditionPanel([].append), "addition", 3000), (HelloPanel([].append), "hello", 150)):
        image = _shown(qtbot, panel, _run(key, updates))
        assert (image.width(), image.height()) == PANEL_SIZE
        assert image.save(str(tmp_path / f"{key}.png"))


@pytest.mark.parametrize("cls, key", [(AdditionPanel, "addition"), (HelloPanel, "hello")])
def test_presentation_mode_scales_the_text_and_it_still_fits(qtbot, cls, key):
    panel = cls([].append)
    base = panel.fontInfo().pixelSize()
    panel.set_font_scale(1.5)
    assert panel.font_scale() == 1.5
    _shown(qtbot, panel, _run(key, 150), size=(930, 390))
    for child in panel.findChildren(QWidget):
        if child.isVisible():
            assert child.fontInfo().pixelSize() >= 1.4 * base, child
    assert panel.minimumSizeHint().width() <= 930 and panel.minimumSizeHint().height() <= 390
    for child in panel.findChildren(QWidget):
        if child.isVisible():
            assert _inside(child, panel), child
    if key == "addition":
        panel.flip_bit("a", 0)
        grid = panel.grid
        metrics = grid.fontMetrics()
        assert grid.column_width() >= metrics.horizontalAdvance("−0.000")
        assert grid.number_rect(6).right() <= grid.width() and grid.cell_rect(6, 0).bottom() <= grid.height()
    panel.set_font_scale(1.0)
    assert panel.fontInfo().pixelSize() == base


@pytest.mark.parametrize("cls, key", [(AdditionPanel, "addition"), (HelloPanel, "hello")])
def test_a_hidden_panel_works_out_the_latest_example_when_it_is_shown(qtbot, cls, key):
    run = _run(key, 10)
    panel = cls([].append)
    qtbot.addWidget(panel)
    panel.resize(*PANEL_SIZE)
    panel.show_lab(run, 3)  # behind another tab: nothing is computed yet
    assert panel.view is None
    run.step(200)
    panel.show_lab(run, run.cursor)
    assert panel.view is None
    panel.show()
    qtbot.waitExposed(panel)
    inputs = run.source.example(run.cursor)[0]
    outputs = run.network.forward(inputs).outputs
    if key == "addition":
        assert np.array_equal(panel.view.probabilities, outputs[:, 0])
        assert panel.view.index == run.cursor
    else:
        assert np.array_equal(panel.view.probabilities, outputs)


def test_panels_paint_overflowing_weights_without_warnings(qtbot):
    import warnings

    add, hello = _run("addition", 0), _run("hello", 0)
    add.set_parameters({"w_xh": np.full((16, 2), 1e308), "w_hh": np.full((16, 16), -1e308)})
    hello.set_parameters({"w_xh": np.full((3, 4), 1e308), "w_hh": np.full((3, 3), -1e308),
                          "w_hy": np.full((4, 3), 1e308)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = AdditionPanel([].append)
        _shown(qtbot, panel, add)
        panel.flip_bit("b", 3)
        panel.grab()
        other = HelloPanel([].append)
        _shown(qtbot, other, hello)
        other.grab()
    assert len(other.generation.sampled) == 8
