"""The lab's loss and flow plots on their own, offscreen: text size, axis ranges, accuracy."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont

from rnnviz.present.lab import flow_series, unrolled_state
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.lab_curves import TITLE_PT, FlowPlot, LossPlot


def _plot(qtbot, cls, size=(640, 300)):
    plot = cls()
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def _show(plot, run) -> None:
    if isinstance(plot, LossPlot):
        plot.show_run(run.losses(), run.clipped(), run.cursor)
    else:
        inputs, targets, mask = run.next_example()
        plot.show_flow(flow_series(unrolled_state(run.network, inputs, targets, mask)), None)


@pytest.mark.parametrize("cls", [LossPlot, FlowPlot])
def test_font_scale_doubles_ticks_axis_names_and_the_title(qtbot, cls) -> None:
    run = PRESETS["addition"].make_run()
    run.step(30)
    plot = _plot(qtbot, cls)
    _show(plot, run)
    item = plot.getPlotItem()
    names = {side: item.getAxis(side).label.boundingRect().height() for side in ("left", "bottom")}
    assert plot.font_scale() == 1.0
    plot.set_font_scale(2.0)
    base = QFont().pointSizeF()
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        assert axis.style["tickFont"].pointSizeF() == pytest.approx(2 * base)
        assert f"font-size: {2 * base:g}pt" in axis.labelString()
        # What a user sees: the axis name is drawn about twice as tall.
        assert 1.6 < axis.label.boundingRect().height() / names[side] < 2.4
    assert item.titleLabel.opts["size"] == f"{2 * TITLE_PT:g}pt"
    assert plot.font_scale() == 2.0
    plot.set_font_scale(1.0)
    assert item.titleLabel.opts["size"] == f"{TITLE_PT:g}pt"
    assert item.getAxis("left").label.boundingRect().height() == pytest.approx(names["left"], rel=0.1)
    with pytest.raises(ValueError):
        plot.set_font_scale(0)
    assert plot.font_scale() == 1.0


def test_the_title_keeps_its_scale_when_a_twin_is_added(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(10)
    plot = _plot(qtbot, LossPlot)
    plot.set_font_scale(1.5)
    plot.show_twin(run.losses())
    assert "twin" in plot.shown_title and plot.getPlotItem().titleLabel.opts["size"] == f"{1.5 * TITLE_PT:g}pt"
