"""The sweep view's heat map: η × one start weight, its colours, its clicks (issue 16)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication

from rnnviz.engine.errors import Cancelled
from rnnviz.engine.history import WEIGHTS
from rnnviz.present.sweep_grid import MEASURES, weight_grid
from rnnviz.session import Session
from rnnviz.ui.sweep_heatmap import OTHER_COLOUR, PALETTE


def _let_events_run() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _show_heatmap(qtbot, window):
    window.actions_by_name["sweep_view"].trigger()
    view = window.sweep_view
    view.mode_box.setCurrentIndex(view.mode_box.findData("grid"))
    heatmap = view.heatmap
    qtbot.waitUntil(lambda: heatmap.grid is not None)
    return view, heatmap


def test_the_mode_combo_shows_the_engine_grid_of_the_session_and_only_it_computes(qtbot, window):
    adapter = window.adapter
    adapter.replace("(10)^10")
    adapter.set_params(init=(0.5, -0.5, 0.25), eta=2.0)
    view, heatmap = _show_heatmap(qtbot, window)
    assert view.sweep is None and view.computed == 0  # the η mode was never shown
    assert view.graph.isHidden() and not heatmap.isHidden()
    session = adapter.session
    expected = weight_grid(session.bits, session.params, "hh")
    np.testing.assert_array_equal(heatmap.grid.final, expected.final)
    np.testing.assert_array_equal(heatmap.grid.classes, expected.classes)
    np.testing.assert_array_equal(heatmap.image_colours(), expected.mean_err)
    assert heatmap._bar.isVisible() and heatmap._bar.axis.labelText == MEASURES["mean_err"]
    assert heatmap.legend_names() == ["η and start hh now"]
    assert heatmap._eta_line.value() == np.log10(2.0) and heatmap._w0_line.value() == -0.5
    # the cursor and η play no part; another start ih does (it is not the swept weight)
    adapter.step(5)
    adapter.set_params(eta=4.0)
    _let_events_run()
    assert heatmap.computed == 1
    adapter.set_params(init=(0.1, -0.5, 0.25))
    qtbot.waitUntil(lambda: heatmap.computed == 2)
    # back to the η mode: its sweep is computed then, the grid is not again
    view.mode_box.setCurrentIndex(view.mode_box.findData("eta"))
    qtbot.waitUntil(lambda: view.sweep is not None)
    assert heatmap.isHidden() and heatmap.computed == 2


def test_each_measure_colours_the_cells(qtbot, window):
    _, heatmap = _show_heatmap(qtbot, window)
    grid = heatmap.grid
    for index, key in enumerate(MEASURES):
        heatmap.measure_box.setCurrentIndex(index)
        if key != "class":
            np.testing.assert_array_equal(heatmap.image_colours(), grid.measure(key))
            assert heatmap._bar.axis.labelText == MEASURES[key]
            levels = heatmap._bar.levels()
            assert levels == (grid.measure(key).min(), grid.measure(key).max())
    # classes: the six largest in the palette, largest first, every other grey, all in the legend
    assert not heatmap._bar.isVisible()
    numbers, counts = np.unique(grid.classes, return_counts=True)
    largest = numbers[np.argsort(-counts, kind="stable")][: len(PALETTE)].tolist()
    assert heatmap.coloured_classes == largest
    rgba = heatmap.image_colours()
    for slot, number in enumerate(largest):
        assert (rgba[grid.classes == number] == pg.mkColor(PALETTE[slot]).getRgb()).all()
    rest = ~np.isin(grid.classes, largest)
    assert (rgba[rest] == pg.mkColor(OTHER_COLOUR).getRgb()).all()
    names = heatmap.legend_names()
    assert names[0] == f"class {largest[0]}: {int(counts.max())} cells"
    if grid.class_count > len(PALETTE):
        assert names[-2] == f"{grid.class_count - len(PALETTE)} other classes (grey)"
    assert names[-1] == "η and start hh now"


def test_another_weight_sweeps_its_start(qtbot, window):
    _, heatmap = _show_heatmap(qtbot, window)
    heatmap.weight_box.setCurrentIndex(WEIGHTS.index("ho"))
    qtbot.waitUntil(lambda: heatmap.grid.weight == "ho")
    session = window.adapter.session
    np.testing.assert_array_equal(heatmap.grid.final, weight_grid(session.bits, session.params, "ho").final)
    assert heatmap._plot.getAxis("left").labelText == "start ho"


def test_a_real_click_on_a_cell_learns_that_run_here_undoably(qtbot, window):
    adapter = window.adapter
    adapter.run_to_end()
    old = adapter.session.params
    _, heatmap = _show_heatmap(qtbot, window)
    grid = heatmap.grid
    row, column = 20, 30
    rect = heatmap.cell_rect()
    rows, columns = grid.shape
    centre = QPointF(rect.left() + (column + 0.5) * rect.width() / columns,
                     rect.top() + (row + 0.5) * rect.height() / rows)
    assert heatmap.cell_at(centre) == (row, column)
    box = heatmap._plot.getViewBox()
    _let_events_run()  # the axes take their widths: the plot's place settles
    heatmap.graph.viewport().repaint()

    def where():
        return heatmap.graph.mapFromScene(box.mapViewToScene(centre))

    qtbot.waitUntil(lambda: heatmap.graph.viewport().rect().contains(where()))
    qtbot.mouseMove(heatmap.graph.viewport(), where())
    assert heatmap.graph.toolTip().startswith(grid.describe(row, column))
    qtbot.mouseClick(heatmap.graph.viewport(), Qt.MouseButton.LeftButton, pos=where())
    qtbot.waitUntil(lambda: adapter.session.params.eta == grid.eta[column])
    session = adapter.session
    assert session.params.init == grid.start(old.init, row) and session.at_end
    alone = Session(session.bits, session.params)
    alone.run_to_end()
    assert tuple(session.state) == tuple(alone.state)
    assert tuple(session.state)[:3] == tuple(grid.final[row, column].tolist())
    adapter.undo()
    assert adapter.session.params == old


def test_a_stream_too_short_or_a_long_one_cancelled_is_one_line(qtbot, window, monkeypatch):
    from rnnviz.ui import sweep_heatmap as module

    calls = []

    def with_progress(parent, title, job, **_kw):
        calls.append(title)
        return job()

    monkeypatch.setattr(module, "DIRECT_LEARNER_TICKS", 10)
    monkeypatch.setattr(module, "run_with_progress", with_progress)
    _, heatmap = _show_heatmap(qtbot, window)
    assert calls == ["Sweeping η × start weight"]

    def cancelled(parent, title, job, **_kw):
        raise Cancelled

    monkeypatch.setattr(module, "run_with_progress", cancelled)
    window.adapter.replace("1^12 0^12")
    qtbot.waitUntil(lambda: heatmap.grid is None)
    assert heatmap.note.text() == "No heat map: the sweep was cancelled" and heatmap.note.isVisible()
    window.adapter.replace("1")
    qtbot.waitUntil(lambda: "at least 2 bits" in heatmap.note.text())


def test_presentation_scales_the_heat_map_too(qtbot, window):
    view, heatmap = _show_heatmap(qtbot, window)
    size = heatmap.measure_box.font().pointSizeF()
    view.set_font_scale(1.5)
    assert heatmap.measure_box.font().pointSizeF() > size
    assert heatmap._legend.items[0][1].opts["size"] == "13.5pt"


def test_the_window_remembers_the_mode(qtbot):
    from PySide6.QtCore import QSettings
    from windows import make_window

    first = make_window(qtbot, settings=QSettings())
    try:
        _show_heatmap(qtbot, first)
        first.close()
        second = make_window(qtbot, settings=QSettings())
        view = second.sweep_view
        assert view.mode == "grid" and view.isVisible() and not view.heatmap.isHidden()
        qtbot.waitUntil(lambda: view.heatmap.grid is not None)
        assert view.sweep is None  # the η mode computes nothing while the heat map is shown
        second.close()
        second.adapter.shutdown()
    finally:
        first.adapter.shutdown()


def test_a_wide_low_heat_map_puts_the_legend_beside_the_plot(qtbot, window):
    from rnnviz.ui.sweep_heatmap import HeatMap

    heatmap = HeatMap(window.adapter)
    qtbot.addWidget(heatmap)
    heatmap.measure_box.setCurrentIndex(heatmap.measure_box.findData("class"))
    heatmap.resize(320, 700)
    heatmap.show()
    qtbot.waitUntil(lambda: heatmap.grid is not None)
    assert not heatmap.legend_beside  # a column: the legend under the plot
    heatmap.resize(900, 280)  # stacked under the diagram in presentation mode
    qtbot.waitUntil(lambda: heatmap.legend_beside)
    assert heatmap.height() >= heatmap.minimumHeight() > 0
    # large text in that low place: the legend's text shrinks until it fits beside the plot
    heatmap.set_font_scale(1.5)
    heatmap.resize(900, heatmap.minimumHeight())
    qtbot.waitUntil(lambda: heatmap.legend_shrink() < 1.0)
    from rnnviz.ui.sweep_heatmap import LEGEND_MARGIN, MIN_SHRINK

    assert heatmap.legend_shrink() >= MIN_SHRINK
    assert (heatmap._legend.layout.minimumHeight() + LEGEND_MARGIN <= heatmap.graph.height()
            or heatmap.legend_shrink() == MIN_SHRINK)
    heatmap.resize(320, 900)
    qtbot.waitUntil(lambda: not heatmap.legend_beside)
    assert heatmap.legend_shrink() == 1.0


def test_a_grid_waits_while_another_long_job_runs(qtbot, window, monkeypatch):
    from rnnviz.ui import sweep_heatmap as module

    busy = [True]
    monkeypatch.setattr(module, "running", lambda: busy[0])
    window.actions_by_name["sweep_view"].trigger()
    view = window.sweep_view
    view.mode_box.setCurrentIndex(view.mode_box.findData("grid"))
    _let_events_run()
    assert view.heatmap.grid is None and view.heatmap.computed == 0
    busy[0] = False
    qtbot.waitUntil(lambda: view.heatmap.grid is not None)
