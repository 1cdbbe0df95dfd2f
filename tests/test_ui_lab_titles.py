"""The lab plots' titles and log axis stay readable at any size and font scale.

A title is the plot's legend; in presentation mode's larger text it is wider
than the plot. It must wrap between its entries, never widen the plot past
its widget (which cut off the right-hand axis), and never spill over the
curves. The log axis labels decades, 2 and 5 only where they do not overlap.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFont, QFontMetrics

from rnnviz.present.format import power_text
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.plot_axes import LogAxis
from rnnviz.ui.workspaces.elman.lab_curves import FlowPlot, LossPlot


def _shown(qtbot, plot, size):
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def _lines(text_item) -> int:
    layout = text_item.document().documentLayout()
    block = text_item.document().begin()
    lines = 0
    while block.isValid():
        lines += block.layout().lineCount()
        block = block.next()
    assert layout is not None
    return lines


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.0])
def test_a_long_title_wraps_inside_the_plot_and_keeps_off_the_curves(qtbot, scale):
    run = PRESETS["hello"].make_run()
    run.step(20)
    plot = _shown(qtbot, LossPlot(), (634, 300))
    plot.set_font_scale(scale)
    plot.show_run(run.losses(), run.clipped(), run.cursor, run.accuracies(), run.accuracy_label)
    item = plot.getPlotItem()
    title = item.titleLabel

    def laid_out() -> bool:
        text = title.item.mapRectToScene(title.item.boundingRect())
        return text.bottom() <= item.getViewBox().sceneBoundingRect().top() + 0.5

    qtbot.waitUntil(laid_out)
    text = title.item.mapRectToScene(title.item.boundingRect())
    view = item.getViewBox().sceneBoundingRect()
    # The whole plot item fits its widget: the right-hand accuracy axis is on screen.
    assert item.geometry().width() <= plot.width()
    assert item.getAxis("right").sceneBoundingRect().right() <= plot.width() + 0.5
    # The title's text sits above the curves and inside the widget, all of it.
    assert text.bottom() <= view.top() + 0.5 and text.left() >= 0 and text.right() <= plot.width()
    # Larger text wraps the legend rather than cut it.
    if scale > 1.0:
        assert _lines(title.item) >= 3
    # And the curves keep most of the plot: a legend too tall shrinks its text instead.
    assert view.height() >= 0.5 * plot.height()


def test_the_flow_title_wraps_between_entries_never_inside_a_formula(qtbot):
    plot = _shown(qtbot, FlowPlot(), (420, 300))
    plot.set_font_scale(1.5)
    title = plot.getPlotItem().titleLabel.item

    def inside() -> bool:
        text = title.mapRectToScene(title.boundingRect())
        return plot.getPlotItem().geometry().width() <= plot.width() and 0 <= text.left() \
            and text.right() <= plot.width()

    qtbot.waitUntil(inside)
    document = title.document()
    lines = []
    block = document.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append(block.text()[line.textStart(): line.textStart() + line.textLength()])
        block = block.next()
    shown = [line.replace("\u2060", "").replace("\xa0", " ").strip() for line in lines]
    assert len(shown) > 1
    assert any("‖diag f′(a_t)·W_hhᵀ‖" in line for line in shown)
    assert any("their running product" in line for line in shown)


_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def _read(text: str) -> float:
    """The number a log-axis label names: "0.01", "5", "10⁻⁶" or "5·10⁻⁶"."""
    if not any(c in text for c in "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"):
        return float(text)
    mantissa, _, power = text.rpartition("·")
    assert power.startswith("10")
    return float(mantissa or 1) * 10.0 ** int(power[2:].translate(_SUPERSCRIPTS))


def _labelled(axis: LogAxis, low: float, high: float, size: float) -> list[tuple[float, str]]:
    labelled = []
    for spacing, values in axis.tickValues(low, high, size):
        for value, text in zip(values, axis.tickStrings(values, 1.0, spacing)):
            if text:
                labelled.append((value, text))
    return sorted(labelled)


@pytest.mark.parametrize("size", [60, 140, 300, 800])
@pytest.mark.parametrize("decades", [(-2, 0), (-1, 0), (-8, 1), (-30, 2), (-0.5, 0.3)])
def test_log_axis_labels_never_overlap_and_name_their_values(qtbot, size, decades):
    axis = LogAxis("left")
    axis.setLogMode(False, True)
    height = QFontMetrics(QFont()).height()
    low, high = decades
    labelled = _labelled(axis, low, high, size)
    gaps = np.diff([value for value, _ in labelled]) * size / (high - low)
    assert (gaps >= height).all(), labelled
    for value, text in labelled:
        assert _read(text) == pytest.approx(10.0 ** value, rel=1e-9)
    if high - low >= 1 and size >= 140:
        assert labelled, "a decade or more on a tall axis names at least one value"


def test_power_text_is_plain_near_one_and_powers_of_ten_far_from_it():
    assert [power_text(v) for v in (1.0, 0.01, 0.001, 1000.0, 5.0, 0.2)] == \
        ["1", "0.01", "0.001", "1000", "5", "0.2"]
    assert power_text(1e-6) == "10⁻⁶" and power_text(5e-6) == "5·10⁻⁶" and power_text(2e12) == "2·10¹²"


def test_before_the_first_update_the_update_axis_names_update_1_not_fractions(qtbot):
    run = PRESETS["addition"].make_run()
    plot = _shown(qtbot, LossPlot(), (634, 300))
    plot.show_run(run.losses(), run.clipped(), run.cursor, run.accuracies(), run.accuracy_label)
    from PySide6.QtGui import QImage, QPainter

    axis = plot.getPlotItem().getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)  # what the axis paints
    finally:
        painter.end()
    assert [text for _, _, text in texts] == ["1"]


@pytest.mark.parametrize(("size", "scale"), [((400, 300), 2.0), ((300, 260), 1.5), ((506, 300), 1.5)])
def test_a_legend_too_tall_for_a_small_plot_shrinks_and_leaves_the_curves_room(qtbot, size, scale):
    from rnnviz.ui.workspaces.elman.lab_curves import TITLE_MIN_FACTOR, TITLE_PT

    run = PRESETS["hello"].make_run()
    run.step(20)
    plot = _shown(qtbot, LossPlot(), size)
    plot.set_font_scale(scale)
    plot.show_run(run.losses(), run.clipped(), run.cursor, run.accuracies(), run.accuracy_label)
    item = plot.getPlotItem()
    qtbot.waitUntil(lambda: item.geometry().height() <= plot.height())
    points = float(item.titleLabel.opts["size"].removesuffix("pt"))
    assert TITLE_PT * scale * TITLE_MIN_FACTOR <= points < TITLE_PT * scale
    assert item.getViewBox().sceneBoundingRect().height() >= 0.3 * plot.height()
