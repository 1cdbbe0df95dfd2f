"""The sweep over η in the one-neuron window: View ▸ Sweep over η (F7), its marks, clicks, settings (issue 16)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from windows import make_window

from rnnviz.engine.learner import LearnerParams
from rnnviz.present.sweep_view import MEASURES, eta_sweep
from rnnviz.session import Session
from rnnviz.ui.dialogs import SHORTCUTS_HELP
from rnnviz.ui.sweep_view import PALETTE, SWEEP_KEY, SweepView


def _show_sweep(qtbot, window):
    window.actions_by_name["sweep_view"].trigger()
    view = window.sweep_view
    qtbot.waitUntil(lambda: view.sweep is not None)
    return view


def _let_events_run() -> None:
    """Handle what is pending (the view's zero-delay timer among it), without sleeping."""
    for _ in range(3):
        QApplication.processEvents()


def _drawn(view) -> tuple[np.ndarray, np.ndarray]:
    """Every mark's (η, value), in η order."""
    xs, ys = [], []
    for slot in range(len(PALETTE) + 1):
        x, y = view.marks(slot)
        xs += x
        ys += y
    order = np.argsort(xs)
    return 10.0 ** np.asarray(xs)[order], np.asarray(ys)[order]


def test_off_by_default_hidden_it_computes_nothing_and_f7_shows_it_after_the_plots(qtbot, window):
    view = window.sweep_view
    toggle = window.actions_by_name["sweep_view"]
    assert toggle in window.menus["view"].actions() and not toggle.isChecked()
    assert SWEEP_KEY in dict(SHORTCUTS_HELP)
    window.adapter.replace("1^12 0^12")
    window.adapter.set_params(gain=2.0)
    _let_events_run()  # a hidden view still computes nothing
    assert view.isHidden() and view.sweep is None and view.computed == 0
    qtbot.keyClick(window.tape, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: view.sweep is not None)
    split = window.main_split
    assert split.indexOf(view) == split.indexOf(window.plots) + 1  # the column after the plots
    assert split.sizes()[split.indexOf(view)] >= view.minimumWidth()
    qtbot.keyClick(window.tape, Qt.Key.Key_F7)
    assert view.isHidden()


def test_marks_are_the_engine_sweep_of_the_session_coloured_by_class(qtbot, window):
    adapter = window.adapter
    adapter.set_params(init=(0.5, -0.5, 0.25))
    view = _show_sweep(qtbot, window)
    session = adapter.session
    expected = eta_sweep(session.bits, session.params)
    np.testing.assert_array_equal(view.sweep.final, expected.final)
    assert view.sweep.classes.tolist() == expected.classes.tolist()
    etas, values = _drawn(view)
    np.testing.assert_allclose(etas, expected.eta, rtol=1e-12)
    np.testing.assert_array_equal(values, expected.mean_err)
    first_class = np.flatnonzero(expected.classes == 1)
    x, _ = view.marks(0)
    np.testing.assert_allclose(10.0 ** np.asarray(x), expected.eta[first_class], rtol=1e-12)
    names = view.legend_names()
    shown = min(expected.class_count, len(PALETTE))
    assert [n.split(":")[0] for n in names[:shown]] == [f"class {k}" for k in range(1, shown + 1)]
    assert names[-1] == "η now"
    if expected.class_count > len(PALETTE):
        assert "grey" in names[-2]
    # the cursor plays no part: stepping draws nothing new
    computed = view.computed
    adapter.step(5)
    _let_events_run()
    assert view.computed == computed


def test_the_measure_combo_plots_each_final_weight(qtbot, window):
    view = _show_sweep(qtbot, window)
    for index, (key, title) in enumerate(MEASURES.items()):
        view.measure_box.setCurrentIndex(index)
        _, values = _drawn(view)
        np.testing.assert_array_equal(values, view.sweep.measure(key))
        assert view._plot.getAxis("left").labelText == title


def test_clicking_a_mark_learns_the_stream_at_its_eta_undoably(qtbot, window):
    adapter = window.adapter
    adapter.run_to_end()
    view = _show_sweep(qtbot, window)
    old_eta = adapter.session.params.eta
    run = 70
    eta = float(view.sweep.eta[run])
    item = view._marks[min(view.sweep.classes[run], len(PALETTE) + 1) - 1]
    points = [p for p in item.points() if p.data() == run]
    item.sigClicked.emit(item, points, None)
    session = adapter.session
    assert session.params.eta == eta and session.at_end
    alone = Session(session.bits, session.params)
    alone.run_to_end()
    assert tuple(session.state) == tuple(alone.state)
    assert tuple(session.state)[:3] == tuple(view.sweep.final[run].tolist())
    assert view._eta_line.value() == pytest.approx(math.log10(eta))
    assert view.computed == 1  # a new η moves the line, it sweeps nothing again
    adapter.undo()
    assert adapter.session.params.eta == old_eta
    assert window.parameters.eta.value() == pytest.approx(old_eta)


def test_a_new_stream_or_setting_is_swept_again(qtbot, window):
    view = _show_sweep(qtbot, window)
    window.adapter.set_params(activation="tanh")
    qtbot.waitUntil(lambda: view.computed == 2)
    assert view.sweep.key[1] == "tanh"
    window.adapter.replace("1")
    qtbot.waitUntil(lambda: view.sweep is None)
    assert "at least 2 bits" in view.note.text() and view.note.isVisible()
    assert view.marks(0) == ([], [])


def test_presentation_scales_it_and_the_window_remembers_it(qtbot):
    first = make_window(qtbot, settings=QSettings(), params=LearnerParams())
    try:
        view = _show_sweep(qtbot, first)
        size = view._legend.items[0][1].opts["size"]
        first.presentation.set_active(True)
        assert view.font_scale() == first.presentation.scale > 1
        assert not view.isHidden() and view.parentWidget() is first.left  # stacked under the diagram
        assert float(view._legend.items[0][1].opts["size"].rstrip("pt")) > float(size.rstrip("pt"))
        first.presentation.set_active(False)
        assert view.font_scale() == 1.0 and first.main_split.indexOf(view) == first.main_split.indexOf(first.plots) + 1
        first.close()
        second = make_window(qtbot, settings=QSettings())
        assert second.actions_by_name["sweep_view"].isChecked() and second.sweep_view.isVisible()
        second.actions_by_name["sweep_view"].trigger()
        second.close()
        second.adapter.shutdown()
    finally:
        first.adapter.shutdown()


def test_a_hidden_sweep_takes_no_room_and_screenshot_refuses_it_with_the_lab(qtbot, window, cli, tmp_path):
    window.workspace.restore_layout(window.width())
    split = window.main_split
    assert split.sizes()[split.indexOf(window.sweep_view)] == 0
    status, _, err = cli("screenshot", str(tmp_path / "x.png"), "--lab", "addition", "--sweep")
    assert status == 2 and "--sweep" in err and len(err.strip().splitlines()) == 1


def test_a_long_stream_is_swept_under_progress_and_cancel_says_so(qtbot, window, monkeypatch):
    from rnnviz.engine.errors import Cancelled
    from rnnviz.ui import sweep_view as module

    calls = []

    def with_progress(parent, title, job, **_kw):
        calls.append(title)
        return job()

    monkeypatch.setattr(module, "DIRECT_TICKS", 10)
    monkeypatch.setattr(module, "run_with_progress", with_progress)
    view = _show_sweep(qtbot, window)
    assert calls == ["Sweeping over η"]
    session = window.adapter.session
    np.testing.assert_array_equal(view.sweep.final, eta_sweep(session.bits, session.params).final)

    def cancelled(parent, title, job, **_kw):
        raise Cancelled

    monkeypatch.setattr(module, "run_with_progress", cancelled)
    window.adapter.replace("1^12 0^12")
    qtbot.waitUntil(lambda: view.sweep is None)
    assert view.note.text() == "No sweep: the sweep was cancelled" and view.marks(0) == ([], [])


def test_a_wide_low_view_puts_the_legend_beside_the_plot(qtbot, window):
    view = SweepView(window.adapter)
    qtbot.addWidget(view)
    view.resize(320, 700)
    view.show()
    qtbot.waitUntil(lambda: view.sweep is not None)
    assert not view.legend_beside  # a column: the legend under the plot
    view.resize(900, 260)  # stacked under the diagram in presentation mode
    qtbot.waitUntil(lambda: view.legend_beside)
    assert view.height() >= view.minimumHeight() > 0
    view.resize(320, 700)
    qtbot.waitUntil(lambda: not view.legend_beside)


def test_a_sweep_waits_while_another_long_job_runs(qtbot, window, monkeypatch):
    from rnnviz.ui import sweep_view as module

    busy = [True]
    monkeypatch.setattr(module, "running", lambda: busy[0])
    window.actions_by_name["sweep_view"].trigger()
    view = window.sweep_view
    _let_events_run()
    assert view.sweep is None and view.computed == 0
    busy[0] = False
    qtbot.waitUntil(lambda: view.sweep is not None)


def test_a_real_mouse_click_on_a_mark_opens_its_run(qtbot, window):
    view = _show_sweep(qtbot, window)
    item = view._marks[0]
    point = item.points()[len(item.points()) // 2]
    run = int(point.data())

    def where():
        return view.graph.mapFromScene(item.mapToScene(point.pos()))

    view.graph.viewport().repaint()  # as the user sees it: painted (the plot places its items then)
    qtbot.waitUntil(lambda: view.graph.viewport().rect().contains(where()))
    qtbot.mouseMove(view.graph.viewport(), where())
    qtbot.mouseClick(view.graph.viewport(), Qt.MouseButton.LeftButton, pos=where())
    etas = view.sweep.eta.tolist()
    # marks overlap: the run opened is the one under the pointer or a neighbour drawn over it
    qtbot.waitUntil(lambda: window.adapter.session.params.eta in etas[run - 2 : run + 3])


def test_a_mark_tip_describes_its_run(qtbot, window):
    view = _show_sweep(qtbot, window)
    item = view._marks[0]
    point = item.points()[0]
    run = int(point.data())
    tip = item.opts["tip"](x=point.pos().x(), y=point.pos().y(), data=point.data())
    assert tip.startswith(view.sweep.describe(run)) and "click" in tip.splitlines()[-1]


def test_rnnviz_screenshot_heatmap_shows_the_sweep_views_heat_map(cli, tmp_path):
    """--heatmap: the sweep view in its second mode, whose colour scale (viridis) reaches yellow;
    the η view (--sweep) draws no yellow at all."""
    from PySide6.QtGui import QImage

    def yellow(out) -> int:
        image = QImage(str(out))
        assert (image.width(), image.height()) == (1366, 768)
        count = 0
        for y in range(0, image.height(), 2):
            for x in range(0, image.width(), 2):
                c = image.pixelColor(x, y)
                count += abs(c.red() - 253) < 25 and abs(c.green() - 231) < 25 and c.blue() < 90
        return count

    shots = {}
    for flag in ("--heatmap", "--sweep"):
        out = tmp_path / f"{flag[2:]}.png"
        status, stdout, stderr = cli("screenshot", str(out), "(10)^20", flag, "--size", "1366x768")
        assert (status, stderr) == (0, "")
        shots[flag] = yellow(out)
    assert shots["--heatmap"] > 50 and shots["--sweep"] == 0
