"""The phase plot in the one-neuron window: View ▸ Phase plot (F8), what it draws, settings (issue 16)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from windows import make_window

from rnnviz.present.phase import phase_view
from rnnviz.present.stages import Stage
from rnnviz.ui.phase_plot import LEGEND_SHARE, MIN_SHRINK, PhasePlot


def _show_phase(window):
    toggle = window.actions_by_name["phase_plot"]
    toggle.trigger()
    return window.phase_plot


def _drawn(item):
    x, y = item.getData()
    return (np.array([]) if x is None else np.asarray(x)), (np.array([]) if y is None else np.asarray(y))


def test_it_is_off_by_default_and_f8_shows_it_beside_the_weight_plots(qtbot, window):
    plot = window.phase_plot
    toggle = window.actions_by_name["phase_plot"]
    assert toggle in window.menus["view"].actions()
    assert toggle.isCheckable() and not toggle.isChecked()
    assert plot.isHidden() and plot.shown_view is None  # hidden, it computes nothing
    window.adapter.step(5)
    assert plot.shown_view is None
    qtbot.keyClick(window.tape, Qt.Key.Key_F8)
    assert toggle.isChecked() and plot.isVisible()
    split = window.main_split
    assert split.indexOf(plot) == split.indexOf(window.plots) - 1
    sizes = dict(zip(range(split.count()), split.sizes()))
    assert sizes[split.indexOf(plot)] >= plot.minimumWidth()
    assert sizes[split.indexOf(window.plots)] >= window.plots.minimumSizeHint().width()
    qtbot.keyClick(window.tape, Qt.Key.Key_F8)
    assert not toggle.isChecked() and plot.isHidden()


def test_it_draws_the_view_of_the_cursor_and_follows_each_step(qtbot, window):
    plot = _show_phase(window)
    adapter = window.adapter
    for ticks in (0, 1, 7, 5):
        adapter.step(ticks)
        view = phase_view(adapter.session)
        shown = plot.shown_view
        assert (shown.ih, shown.hh) == (view.ih, view.hh) == adapter.session.state[:2]
        assert shown.fixed == view.fixed
        for x in (0, 1):
            _, ys = _drawn(plot._maps[x])
            np.testing.assert_array_equal(ys, view.maps[x])
            cx, cy = _drawn(plot._cobwebs[x])
            np.testing.assert_array_equal(np.column_stack((cx, cy)), np.column_stack(view.segments(x)))
        stable_x, _ = _drawn(plot._stable)
        unstable_x, _ = _drawn(plot._unstable)
        assert sorted([*stable_x, *unstable_x]) == sorted(p.h for p in view.fixed)
    adapter.back(3)
    assert plot.shown_view.cobweb_y[-1] == adapter.session.state.h


def test_an_alternating_stream_shows_its_two_cycle_and_slow_motion_the_tick_in_progress(qtbot):
    window = make_window(qtbot, "(10)^20")
    try:
        plot = _show_phase(window)
        adapter = window.adapter
        adapter.step(30)
        cycles = plot.shown_view.cycles
        assert cycles
        xs, _ = _drawn(plot._cycles)
        assert sorted(xs) == sorted(v for c in cycles for v in (c.h0, c.h1))
        assert len(_drawn(plot._pending)[0]) == 0
        adapter.advance_stage()
        assert adapter.stage == Stage.FORWARD_H
        px, py = _drawn(plot._pending)
        h = adapter.session.state.h
        assert list(px) == [h, h] and py[0] == h
        adapter.advance_stage()
        adapter.advance_stage()
        adapter.advance_stage()
        adapter.advance_stage()
        adapter.advance_stage()
        adapter.advance_stage()  # the update: the tick is done, the cobweb has it
        assert adapter.stage == Stage.UPDATE
        assert len(_drawn(plot._pending)[0]) == 0
        assert plot.shown_view.cobweb_y[-1] == py[1]
    finally:
        window.adapter.shutdown()


def test_the_legend_names_every_colour_and_mark_and_grows_with_the_font(qtbot, window):
    plot = _show_phase(window)
    items = {id(sample.item) for sample, _ in plot._legend.items}
    for item in (*plot._maps.values(), *plot._cobwebs.values(), plot._diagonal, plot._current,
                 plot._cycles, plot._pending):
        assert id(item) in items
    names = [label.text for _, label in plot._legend.items]
    assert any("stable" in n and "unstable" not in n for n in names) and any("unstable" in n for n in names)
    small = plot._plot.getAxis("left").style["tickFont"]
    small_pt = small.pointSizeF() if small is not None else None
    label_size = plot._legend.items[0][1].opts["size"]
    plot.set_font_scale(2.0)
    assert plot.font_scale() == 2.0
    big = plot._plot.getAxis("left").style["tickFont"]
    assert small_pt is None or big.pointSizeF() > small_pt
    # twice the size, but for the shrink a legend too tall for its plot takes (at most to 0.6)
    shrink = plot.legend_shrink()
    assert MIN_SHRINK <= shrink <= 1.0
    assert float(plot._legend.items[0][1].opts["size"].rstrip("pt")) == pytest.approx(
        2 * shrink * float(label_size.rstrip("pt")), rel=1e-2)
    assert len(plot._legend.items) == len(names)


def test_a_legend_too_tall_for_its_plot_shrinks_its_text_and_grows_back(qtbot, window):
    plot = PhasePlot(window.adapter)
    plot.show()
    try:
        _shrinks_and_grows_back(qtbot, plot)
    finally:
        plot.hide()
        plot.deleteLater()


def _shrinks_and_grows_back(qtbot, plot) -> None:
    plot.set_font_scale(1.5)
    plot.resize(300, 1400)
    qtbot.waitUntil(lambda: plot.legend_shrink() == 1.0)
    tall = plot._legend.layout.minimumHeight()
    plot.resize(300, 420)
    qtbot.waitUntil(lambda: plot.legend_shrink() < 1.0)
    assert plot.legend_shrink() >= MIN_SHRINK
    assert plot._legend.layout.minimumHeight() < tall
    assert plot.legend_shrink() == pytest.approx(max(MIN_SHRINK, LEGEND_SHARE * plot.height() / tall), abs=0.05)
    plot.resize(300, 1400)
    qtbot.waitUntil(lambda: plot.legend_shrink() == 1.0)


def test_presentation_mode_scales_it_and_keeps_it_shown(qtbot, window):
    plot = _show_phase(window)
    split = window.main_split
    before = [split.widget(i) for i in range(split.count())]
    window.presentation.set_active(True)
    try:
        assert plot.font_scale() == window.presentation.scale
        assert not plot.isHidden() and split.indexOf(plot) == split.indexOf(window.plots) - 1
    finally:
        window.presentation.set_active(False)
    assert plot.font_scale() == 1.0 and not plot.isHidden()
    assert [split.widget(i) for i in range(split.count())] == before


def test_the_window_remembers_whether_it_was_shown(qtbot):
    first = make_window(qtbot, settings=QSettings())
    _show_phase(first)
    first.close()
    second = make_window(qtbot, settings=QSettings())
    assert second.actions_by_name["phase_plot"].isChecked() and second.phase_plot.isVisible()
    second.actions_by_name["phase_plot"].trigger()
    second.close()
    third = make_window(qtbot, settings=QSettings())
    assert not third.actions_by_name["phase_plot"].isChecked() and third.phase_plot.isHidden()
    for w in (first, second, third):
        w.adapter.shutdown()


def test_a_hidden_phase_plot_takes_no_room_when_the_layout_is_restored(qtbot, window):
    window.workspace.restore_layout(window.width())
    split = window.main_split
    assert split.sizes()[split.indexOf(window.phase_plot)] == 0


def test_screenshot_refuses_phase_with_the_lab(cli, tmp_path):
    status, _, err = cli("screenshot", str(tmp_path / "x.png"), "--lab", "addition", "--phase")
    assert status == 2 and "--phase" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_the_legend_takes_one_column_when_two_would_not_fit(qtbot, window):
    plot = _show_phase(window)
    plot.set_font_scale(1.6)
    window.main_split.setSizes([400, plot.minimumWidth(), 400, 200])
    qtbot.waitUntil(lambda: plot.width() == plot.minimumWidth())
    assert plot.legend_columns() == 1
    # Nothing is cut off: the plot and its legend fit the widget's width.
    assert plot.ci.minimumWidth() <= plot.width()


def test_narrowed_from_two_legend_columns_the_plot_fits_its_column_again(qtbot, window):
    plot = _show_phase(window)
    plot.resize(400, plot.height())  # wide: the legend in two columns
    qtbot.waitUntil(lambda: plot.legend_columns() == 2)
    plot.resize(plot.minimumWidth(), plot.height())  # narrow: one column, and the plot shrinks too
    qtbot.waitUntil(lambda: plot.legend_columns() == 1)
    assert plot.ci.geometry().width() <= plot.width()


def test_an_alternating_stream_draws_the_closed_loop_and_names_it_in_the_legend(qtbot):
    from rnnviz.engine.learner import LearnerParams

    params = LearnerParams(activation="bipolar", gain=10.0, init=(-1.0, 0.0, 1.0), learning=False)
    window = make_window(qtbot, "(10)^10", params=params)
    try:
        plot = _show_phase(window)
        window.adapter.step(19)
        view = plot.shown_view
        x, y = _drawn(plot._loop)
        np.testing.assert_array_equal(x, view.grid)
        np.testing.assert_array_equal(y, view.loop)
        (cycle,) = view.loop_cycles
        sx, sy = _drawn(plot._loop_cycles)
        assert list(zip(sx, sy)) == [(cycle.h0, cycle.h1), (cycle.h1, cycle.h0)]
        names = [label.text for _, label in plot._legend.items]
        assert "ŷ fed back as x" in names and "its 2-cycle" in names
        window.adapter.replace("1^10 0^10")  # no alternation: no loop, nor its legend entries
        window.adapter.step(12)
        assert len(_drawn(plot._loop)[0]) == 0 and len(_drawn(plot._loop_cycles)[0]) == 0
        names = [label.text for _, label in plot._legend.items]
        assert "ŷ fed back as x" not in names and "its 2-cycle" not in names
    finally:
        window.adapter.shutdown()
