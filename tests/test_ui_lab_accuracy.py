"""The lab's loss plot shows the accuracy's running mean on its own 0–1 axis (issue 14 item 5)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFont

from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.lab_curves import MEAN_WINDOW, LossPlot


def _plot(qtbot, size=(640, 300)) -> LossPlot:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def _mean_of_last(values: np.ndarray, end: int, window: int = MEAN_WINDOW) -> float:
    """The mean of updates end − window + 1 … end (1-based), fewer at the start."""
    return float(np.mean(values[max(end - window, 0): end]))


def _show_lab(plot: LossPlot, run) -> None:
    plot.show_run(run.losses(), run.clipped(), run.cursor, run.accuracies(), run.accuracy_label)


def test_the_accuracy_is_drawn_as_its_running_mean_and_follows_the_cursor(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    plot = _plot(qtbot)
    run.step(300)
    _show_lab(plot, run)
    accuracies = run.accuracies()
    assert accuracies.size == 300 and ((accuracies >= 0) & (accuracies <= 1)).all()
    x, y = plot.accuracy.getOriginalDataset()
    assert list(x[[0, -1]]) == [1, 300]
    for cursor in (1, 50, 100, 101, 300):
        assert y[cursor - 1] == pytest.approx(_mean_of_last(accuracies, cursor), abs=1e-12)
    axis = plot.getPlotItem().getAxis("right")
    assert axis.isVisible() and axis.labelText == run.accuracy_label
    assert f"{run.accuracy_label}: its mean over the last {MEAN_WINDOW}, on the right-hand axis (0 to 1)" \
        in plot.title_text() and plot.accuracy.isVisible()
    # Its axis is 0–1 whatever the loss does.
    low, high = plot.accuracy_view.viewRange()[1]
    assert -0.1 < low < 0 and 1 < high < 1.1
    # Back to update 120: the cursor moves there, the curve still shows every stored update,
    # and where the cursor crosses it is the running mean at update 120.
    run.seek(120)
    _show_lab(plot, run)
    x, y = plot.accuracy.getOriginalDataset()
    assert plot.cursor_line.value() == 120 and x.size == 300
    assert y[int(np.flatnonzero(x == plot.cursor_line.value())[0])] == pytest.approx(
        _mean_of_last(run.accuracies(), 120), abs=1e-12)
    # A new run from update 0 starts the curve again.
    run = PRESETS["addition"].make_run()
    run.step(40)
    _show_lab(plot, run)
    x, y = plot.accuracy.getOriginalDataset()
    assert x.size == 40 and y[-1] == pytest.approx(_mean_of_last(run.accuracies(), 40), abs=1e-12)


def test_a_task_without_accuracy_hides_its_curve_axis_and_legend(qtbot) -> None:
    plot = _plot(qtbot)
    scored = PRESETS["addition"].make_run()
    scored.step(20)
    _show_lab(plot, scored)
    worked = PRESETS["worked"].make_run()
    assert worked.accuracies() is None and worked.accuracy_label is None
    worked.step(3)
    _show_lab(plot, worked)
    assert not plot.getPlotItem().getAxis("right").isVisible()
    assert not plot.accuracy.isVisible() and "right-hand axis" not in plot.title_text()
    _show_lab(plot, scored)
    assert plot.getPlotItem().getAxis("right").isVisible() and plot.accuracy.isVisible()


def test_the_accuracy_axis_and_legend_grow_with_the_font_scale(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(20)
    plot = _plot(qtbot)
    _show_lab(plot, run)
    plot.set_font_scale(2.0)
    axis = plot.getPlotItem().getAxis("right")
    assert axis.style["tickFont"].pointSizeF() == pytest.approx(2 * QFont().pointSizeF())
    assert axis.labelText == run.accuracy_label and run.accuracy_label in plot.title_text()
