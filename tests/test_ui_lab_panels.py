"""The lab's flow heat map and worked-example panels, offscreen: what they paint follows the run."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from rnnviz.engine.notation import MINUS
from rnnviz.present.lab_heatmap import flow_heatmap
from rnnviz.present.lab_worked import NOT_WORKED
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.heatmap_panel import (
    COLOUR_MAP,
    HeatmapPanel,
    decade_ticks,
    legend_text,
)
from rnnviz.ui.workspaces.elman.worked_panel import WorkedPanel


def _panel(qtbot, cls, size=(700, 380)):
    told: list[str] = []
    panel = cls(told.append)
    qtbot.addWidget(panel)
    panel.resize(*size)
    panel.show()
    qtbot.waitExposed(panel)
    return panel, told


def _image(widget) -> QImage:
    return widget.grab().toImage()


# ------------------------------------------------------------------ heat map


def test_the_heat_map_paints_the_mean_log_norms_with_at_most_one_column_a_pixel(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(3000)
    panel, _ = _panel(qtbot, HeatmapPanel)
    panel.show_lab(run, run.cursor)
    heatmap = panel.heatmap
    width = int(panel.plot.getPlotItem().getViewBox().width())
    assert 0 < heatmap.n_columns <= width and heatmap.stored == 3000
    want = flow_heatmap(run.delta_norm_matrix(), panel.columns())
    np.testing.assert_allclose(heatmap.image, want.image, rtol=1e-12)
    low, high = heatmap.log_range
    np.testing.assert_allclose(panel.image.image, np.clip(want.image, low, high), rtol=1e-12)
    assert tuple(panel.colour_bar.levels()) == (low, high)
    assert panel.cursor_line.isVisible() and panel.cursor_line.value() == 3000
    assert "3,000 stored updates" in panel.legend.text()


def test_the_cursor_mark_moves_and_nothing_is_recomputed(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(2000)
    panel, _ = _panel(qtbot, HeatmapPanel)
    panel.show_lab(run, run.cursor)
    before = panel.heatmap
    run.seek(500)
    panel.show_lab(run, run.cursor)
    assert panel.heatmap is before  # stepping back reads no stored update again
    assert panel.cursor_line.value() == 500
    first, end = before.column_updates(before.column_of(499))
    rect = panel.cursor_column.rect()
    assert (rect.left(), rect.width()) == (first + 0.5, end - first)
    run.reset()
    panel.show_lab(run, run.cursor)
    assert not panel.cursor_line.isVisible() and panel.heatmap.stored == 0
    assert panel.legend.text().startswith("No updates yet")


def test_the_painted_map_changes_as_the_run_learns(qtbot) -> None:
    run = PRESETS["vanishing"].make_run()
    panel, _ = _panel(qtbot, HeatmapPanel)
    run.step(20)
    panel.show_lab(run, run.cursor)
    early = _image(panel)
    run.step(300)
    panel.show_lab(run, run.cursor)
    late = _image(panel)
    assert early != late


def test_zeros_take_the_lowest_colour_and_infinities_the_highest(qtbot) -> None:
    class Fake:  # a run with hand-made norms: only what the panel reads
        forgets = 0
        cursor = 4

        def __init__(self, norms):
            self._norms = norms

        def delta_norm_matrix(self):
            return self._norms

    norms = np.array([[0.0, 1.0], [1e-3, 10.0], [1e-2, np.inf], [1.0, 1.0]])
    panel, _ = _panel(qtbot, HeatmapPanel)
    panel.show_lab(Fake(norms), 0)
    low, high = panel.heatmap.log_range
    assert (low, high) == (-3.0, 1.0)
    painted = panel.image.image
    # Steps back: index 1 is the first step (the first column of norms).
    assert painted[0, 1] == low and painted[2, 0] == high
    lut = COLOUR_MAP.getLookupTable(nPts=2)
    assert QColor(*lut[0][:3]) != QColor(*lut[-1][:3])
    text = legend_text(panel.heatmap)
    assert "‖δ‖ = 0 in the lowest colour" in text and "∞ in the highest" in text


def test_decade_ticks_label_whole_decades() -> None:
    assert decade_ticks((-3.0, 0.0)) == [(0.0, "1"), (-1.0, "10⁻¹"), (-2.0, "10⁻²"), (-3.0, "10⁻³")]
    many = decade_ticks((-30.0, 0.0))
    assert len(many) <= 8 and many[0] == (0.0, "1")


def test_hovering_names_the_bucket(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(1000)
    panel, told = _panel(qtbot, HeatmapPanel)
    panel.show_lab(run, run.cursor)
    view = panel.plot.getPlotItem().getViewBox()
    panel._hover(view.mapViewToScene(QPointF(10.0, 0.5)))
    heatmap = panel.heatmap
    first, end = heatmap.column_updates(heatmap.column_of(9))
    assert told and told[-1].startswith(f"updates {first + 1}–{end}, step 8 (0 back)")


# ------------------------------------------------------------------ worked example


def test_the_worked_panel_shows_every_delta_and_gradient(qtbot) -> None:
    run = PRESETS["worked"].make_run()
    panel, _ = _panel(qtbot, WorkedPanel, size=(640, 900))
    panel.show_lab(run, 0)
    text = panel.text.toPlainText()
    for result in ("−0.0333595", "0.519613", "−0.406807", "5.44465", "0.925522", "0.633253",
                   "0.144053", "0.0133438"):
        assert result in text
    assert "rnnviz bptt 1,0.5,-1,2" in text and "--u 0.7" in text


def test_the_worked_panel_follows_typed_weights_and_says_one_line_elsewhere(qtbot) -> None:
    run = PRESETS["worked"].make_run()
    panel, _ = _panel(qtbot, WorkedPanel)
    panel.show_lab(run, 0)
    before = panel.text.toPlainText()
    run.set_parameters({"w_hh": [[1.5]]})
    panel.show_lab(run, 0)
    after = panel.text.toPlainText()
    assert after != before and "--w 1.5" in after and f"{MINUS}0.400" not in after.split("\n")[0]
    other = PRESETS["hello"].make_run()
    panel.show_lab(other, 0)
    assert panel.text.toPlainText().strip() == NOT_WORKED


@pytest.mark.parametrize("size", ((440, 420), (900, 700)))
def test_the_worked_panel_renders_at_narrow_and_wide_sizes(qtbot, size) -> None:
    run = PRESETS["worked"].make_run()
    panel, _ = _panel(qtbot, WorkedPanel, size=size)
    panel.show_lab(run, 0)
    image = _image(panel)
    assert image.width() == size[0]
    # Ink on the page: the text is painted.
    sample = [image.pixelColor(x, y).lightness() for x in range(0, size[0], 7) for y in range(0, 200, 5)]
    assert min(sample) < 100


def test_a_new_width_maps_the_run_again(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(3000)
    panel, _ = _panel(qtbot, HeatmapPanel, size=(900, 380))
    panel.show_lab(run, run.cursor)
    wide = panel.heatmap
    panel.resize(420, 380)
    qtbot.waitUntil(lambda: panel.heatmap is not wide)
    assert panel.heatmap.n_columns <= panel.columns() < wide.n_columns


def test_typed_weights_are_sent_and_a_bad_one_is_one_line(qtbot) -> None:
    run = PRESETS["worked"].make_run()
    panel, told = _panel(qtbot, WorkedPanel)
    panel.parametersTyped.connect(run.set_parameters)
    panel.show_lab(run, 0)
    assert panel.fields["w_hh"].text() == "-0.4" and panel.typing.isVisible()
    panel.fields["w_hh"].setText("1.5")
    with qtbot.waitSignal(panel.parametersTyped) as sent:
        panel.use_button.click()
    assert list(sent.args[0]) == ["w_hh"] and run.network.w_hh.tolist() == [[1.5]]
    panel.show_lab(run, 0)
    assert "--w 1.5" in panel.text.toPlainText()
    panel.fields["w_xh"].setText("one")
    with qtbot.assertNotEmitted(panel.parametersTyped):
        panel.use_button.click()
    assert told[-1] == "Not used: w_xh must be a number, not 'one'"
    panel.show_lab(run, 0)
    with qtbot.assertNotEmitted(panel.parametersTyped):
        panel.use_button.click()
    assert told[-1].startswith("The typed weights are the current ones")
    panel.show_lab(PRESETS["addition"].make_run(), 0)
    assert not panel.typing.isVisible()


def test_presentation_scale_grows_the_text_and_keeps_the_bar_labelled(qtbot) -> None:
    run = PRESETS["vanishing"].make_run()
    run.step(50)
    panel, _ = _panel(qtbot, HeatmapPanel, size=(900, 420))
    panel.show_lab(run, run.cursor)
    normal = panel.colour_bar.axis._tickLevels[0]
    panel.set_font_scale(2.0)
    big = panel.colour_bar.axis._tickLevels[0]
    assert panel.font_scale() == 2.0 and 2 <= len(big) <= len(normal)
    assert big[0] == (panel.heatmap.log_range[1], decade_ticks((0.0, panel.heatmap.log_range[1]))[0][1])
    worked, _ = _panel(qtbot, WorkedPanel)
    worked.show_lab(PRESETS["worked"].make_run(), 0)
    worked.set_font_scale(1.5)
    assert "font-size:20px" in worked.text.styleSheet() and worked.font_scale() == 1.5
