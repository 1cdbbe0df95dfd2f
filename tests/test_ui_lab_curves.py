"""The lab's loss and flow plots on their own, offscreen: text size, axis ranges, accuracy."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QFont

from rnnviz.present.lab import flow_series, unrolled_state
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.lab_curves import (
    TITLE_MIN_FACTOR, TITLE_PT,
    FlowPlot,
    LossPlot,
    RunningMeans,
    loss_band,
    running_mean,
    stepped_end,
)


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
    # The title doubles too, unless its wrapped legend would then take too much of the plot's
    # height: it shrinks back, but never below TITLE_MIN_FACTOR of the doubled size.
    title = float(item.titleLabel.opts["size"].removesuffix("pt"))
    assert 2 * TITLE_PT * TITLE_MIN_FACTOR <= title <= 2 * TITLE_PT and title > TITLE_PT
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


# ------------------------------------------------------------------ ranges in steps


def test_the_update_axis_grows_in_steps_of_at_most_one_and_a_half() -> None:
    ends = [stepped_end(n) for n in range(1, 100_001)]
    assert all(end >= n for n, end in enumerate(ends, start=1))
    assert all(end < 2 * n for n, end in enumerate(ends, start=2) if n > 1)
    assert len(set(ends)) <= 2 * 17 + 1  # about two ends per doubling, not one per update


def _ranges(plot) -> tuple:
    return tuple(map(tuple, plot.getPlotItem().getViewBox().viewRange()))


def test_the_loss_plot_holds_every_update_and_moves_its_axes_seldom(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    plot = _plot(qtbot, LossPlot)
    seen = set()
    for _ in range(150):
        run.step(20)
        plot.show_run(run.losses(), run.clipped(), run.cursor)
        (x0, x1), (y0, y1) = _ranges(plot)
        losses = run.losses()
        assert x0 <= 1 and x1 >= losses.size
        assert y0 <= losses.min() and losses.max() <= y1
        seen.add(((x0, x1), (y0, y1)))
    # 3,000 updates in 150 frames: the axes changed in a handful of them, not in every one.
    assert len(seen) <= 20


def test_a_zoom_is_kept_until_the_plot_is_fitted_again(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(500)
    plot = _plot(qtbot, LossPlot)
    plot.show_run(run.losses(), run.clipped(), run.cursor)
    view = plot.getPlotItem().getViewBox()
    view.scaleBy(s=(0.5, 0.5))  # what the mouse wheel does
    view.sigRangeChangedManually.emit([True, True])
    zoomed = _ranges(plot)
    run.step(500)
    plot.show_run(run.losses(), run.clipped(), run.cursor)
    assert not plot.following() and _ranges(plot) == zoomed
    plot.getPlotItem().enableAutoRange()  # View ▸ Fit
    plot.show_run(run.losses(), run.clipped(), run.cursor)
    assert plot.following() and _ranges(plot)[0][1] >= run.losses().size


def test_the_flow_plot_holds_every_norm_and_keeps_its_decades_while_examples_change(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    plot = _plot(qtbot, FlowPlot)
    changes, last = 0, None
    for _ in range(120):
        run.step(25)
        inputs, targets, mask = run.next_example()
        flow = flow_series(unrolled_state(run.network, inputs, targets, mask))
        plot.show_flow(flow, None)
        (x0, x1), (y0, y1) = _ranges(plot)
        assert x0 < 1 and x1 > run.source.steps
        for values in (flow.grad_norms, flow.factor_norms, flow.running_product):
            logs = np.log10(np.asarray(values)[np.asarray(values) > 0])
            assert y0 <= logs.min() and logs.max() <= y1
        changes += (y0, y1) != last
        last = (y0, y1)
    assert changes <= 12


# ------------------------------------------------------------------ the band


def test_many_updates_a_pixel_draw_the_losses_as_a_band_of_their_least_to_greatest(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(4000)
    plot = _plot(qtbot, LossPlot, size=(500, 260))
    plot.show_run(run.losses(), run.clipped(), run.cursor)
    losses = run.losses()
    assert plot.band.isVisible() and not plot.loss.isVisible()
    rect = plot.band.path().boundingRect()
    assert rect.top() == pytest.approx(losses.min()) and rect.bottom() == pytest.approx(losses.max())
    assert plot.loss.getOriginalDataset()[0] is None  # its line is not laid out for nothing
    # Each group's band runs from its least to its greatest loss.
    middles, lows, highs = loss_band(losses, 16)
    assert middles.size == 250 and middles[0] == 8.5
    np.testing.assert_array_equal(lows, losses.reshape(250, 16).min(axis=1))
    np.testing.assert_array_equal(highs, losses.reshape(250, 16).max(axis=1))
    # A fit takes in the band itself.
    plot.getPlotItem().enableAutoRange()
    plot.getPlotItem().getViewBox().updateAutoRange()
    (_, _), (y0, y1) = plot.getPlotItem().getViewBox().viewRange()
    assert y0 <= losses.min() and losses.max() <= y1 and y0 > losses.min() - 0.2 * np.ptp(losses)


def test_few_updates_keep_the_line_and_a_short_last_group_counts(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    run.step(50)
    plot = _plot(qtbot, LossPlot)
    plot.show_run(run.losses(), run.clipped(), run.cursor)
    assert plot.loss.isVisible() and not plot.band.isVisible()
    values = np.array([3.0, 1.0, np.nan, 2.0, 5.0])
    middles, lows, highs = loss_band(values, 2)
    assert list(middles) == [1.5, 3.5, 5.0] and list(lows) == [1.0, 2.0, 5.0] and list(highs) == [3.0, 2.0, 5.0]


def test_running_means_grow_with_the_series_and_equal_those_from_scratch() -> None:
    rng = np.random.default_rng(3)
    values = rng.uniform(0, 2, 1000)
    values[[10, 500]] = np.nan
    values[700] = np.inf
    means = RunningMeans(window=100)
    for end in (0, 1, 5, 99, 100, 101, 400, 1000, 1000):
        got = means.of(values[:end])
        want = running_mean(np.where(np.isfinite(values[:end]), values[:end], 0.0), 100)
        np.testing.assert_array_equal(got, want)
        if end:
            finite = np.concatenate([values[:end][np.isfinite(values[:end])], want])
            assert means.bounds == (finite.min(), finite.max())
    # Another series (a new run, or history rewritten) starts again.
    other = values.copy()
    other[300] = 7.0
    np.testing.assert_array_equal(means.of(other[:600]),
                                  running_mean(np.nan_to_num(other[:600], nan=0.0, posinf=0.0), 100))
    assert means.bounds[1] == 7.0
    np.testing.assert_array_equal(means.of(values[:50]), running_mean(np.nan_to_num(values[:50], nan=0.0), 100))
