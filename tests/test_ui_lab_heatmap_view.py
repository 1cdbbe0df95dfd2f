"""The flow heat map while training plays: nothing worked out behind another tab, axes that move seldom."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QTabWidget, QWidget

from rnnviz.present.lab_heatmap import flow_heatmap
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.heatmap_panel import HeatmapPanel


def _tabs(qtbot) -> tuple[QTabWidget, HeatmapPanel]:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QWidget(), "Loss and gradient flow")
    panel = HeatmapPanel(lambda text: None)
    tabs.addTab(panel, "Flow over training")
    tabs.resize(800, 400)
    tabs.show()
    qtbot.waitExposed(tabs)
    return tabs, panel


def test_a_hidden_heat_map_waits_and_catches_up_when_shown(qtbot) -> None:
    tabs, panel = _tabs(qtbot)
    run = PRESETS["addition"].make_run()
    for _ in range(20):
        run.step(50)
        panel.show_lab(run, run.cursor)
    assert panel.heatmap is None  # behind the other tab: not worked out
    tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.heatmap is not None and panel.heatmap.stored == 1000)
    want = flow_heatmap(run.delta_norm_matrix(), panel.columns())
    np.testing.assert_allclose(panel.heatmap.image, want.image, rtol=1e-12)
    assert panel.cursor_line.isVisible() and panel.cursor_line.value() == 1000


def test_the_update_axis_holds_the_map_and_changes_seldom(qtbot) -> None:
    tabs, panel = _tabs(qtbot)
    tabs.setCurrentWidget(panel)
    run = PRESETS["addition"].make_run()
    ranges = set()
    for _ in range(100):
        run.step(30)
        panel.show_lab(run, run.cursor)
        (x0, x1), _ = panel.plot.getPlotItem().getViewBox().viewRange()
        heatmap = panel.heatmap
        width = heatmap.n_columns * heatmap.updates_per_column
        assert x0 <= 0.5 and x1 >= 0.5 + width
        # Never more than one column a pixel of the view.
        assert heatmap.n_columns * (x1 - x0) / width <= panel.columns()
        ranges.add((x0, x1))
    assert len(ranges) <= 20  # of 100 frames
