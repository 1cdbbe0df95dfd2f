"""The lab's gradient check panel (rnnviz.ui.workspaces.elman.gradcheck_panel), offscreen."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from rnnviz.engine.errors import InputError
from rnnviz.present.format import format_number
from rnnviz.present.lab_gradcheck import check_lines, gradient_check
from rnnviz.runs.lab import LabSettings
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.gradcheck_panel import (
    ERROR_COLUMN,
    FAIL_TINT,
    IDLE_TEXT,
    GradientCheckPanel,
    precise,
)


def _panel(qtbot, key="addition", update=0, size=(900, 480)):
    told: list[str] = []
    panel = GradientCheckPanel(told.append)
    qtbot.addWidget(panel)
    panel.resize(*size)
    run = PRESETS[key].make_run()
    run.seek(update)
    panel.show_lab(run, run.cursor)
    return panel, run, told


def _column(panel, column):
    model = panel.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_nothing_is_computed_until_the_button_is_pressed(qtbot, monkeypatch):
    calls = []
    import rnnviz.ui.workspaces.elman.gradcheck_panel as module
    real = module.gradient_check
    monkeypatch.setattr(module, "gradient_check", lambda *a, **k: calls.append(1) or real(*a, **k))
    panel, run, _told = _panel(qtbot)
    for _ in range(3):
        run.step(1)
        panel.show_lab(run, run.cursor)
    assert calls == [] and panel.model.rowCount() == 0 and panel.summary.text() == IDLE_TEXT
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    assert calls == [1] and panel.model.rowCount() == 304


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_the_table_shows_the_checks_numbers(qtbot, key):
    panel, run, told = _panel(qtbot, key, 3)
    panel.check_now()
    x, y, mask = run.source.example(3)
    check = gradient_check(run.network, x, y, mask)
    assert panel.model.rowCount() == check.rows
    assert _column(panel, 0) == [check.label(r) for r in range(check.rows)]
    assert _column(panel, 1) == [format_number(v) for v in check.values]
    assert _column(panel, 2) == [precise(v) for v in check.analytic]
    assert _column(panel, 3) == [precise(v) for v in check.numeric]
    assert _column(panel, ERROR_COLUMN) == [format_number(v) for v in check.errors]
    assert check_lines(check)[0] in panel.summary.text()
    assert "Example 4 at update 3." in panel.summary.text()
    assert told[-1].startswith("Gradient check of example 4: BPTT and finite differences agree, "
                               f"worst relative error {format_number(check.worst_error)} at ")


def test_sort_by_error_puts_the_worst_first_and_back(qtbot):
    panel, _run, _ = _panel(qtbot, "hello", 2)
    check = panel.check_now()
    panel.sort_box.setChecked(True)
    errors = [check.errors[i] for i in panel.model.order]
    assert errors == sorted(errors, reverse=True)
    assert _column(panel, 0)[0] == check.label(check.worst)
    bold = panel.model.data(panel.model.index(0, 0), Qt.ItemDataRole.FontRole)
    assert bold is not None and bold.bold()
    panel.sort_box.setChecked(False)
    assert _column(panel, 0) == [check.label(r) for r in range(check.rows)]


def test_truncation_and_clipping_are_said(qtbot):
    panel, run, _ = _panel(qtbot, "hello")
    run.set_settings(LabSettings(run.settings.learning_rate, window=2))
    panel.show_lab(run, run.cursor)
    panel.check_now()
    assert "The run truncates BPTT at k = 2; this checks the full, untruncated gradient" in panel.summary.text()


def test_a_changed_weight_or_example_marks_the_table_out_of_date(qtbot):
    panel, run, _ = _panel(qtbot)
    panel.check_now()
    assert not panel.stale and "Out of date" not in panel.summary.text()
    panel.show_lab(run, run.cursor)
    assert not panel.stale
    panel.show_lab(run, run.cursor + 1)
    assert panel.stale and "Out of date:" in panel.summary.text()
    panel.show_lab(run, run.cursor)
    assert not panel.stale
    run.set_parameters({"w_hy": run.network.w_hy * 2})
    panel.show_lab(run, run.cursor)
    assert panel.stale and panel.model.rowCount() == 304
    panel.check_now()
    assert not panel.stale


def test_a_failing_row_is_tinted_and_a_sampled_network_says_so(qtbot, monkeypatch):
    import rnnviz.ui.workspaces.elman.gradcheck_panel as module
    real = module.gradient_check

    def flipped(network, inputs, targets, mask, **kwargs):
        def analytic(net, x, y, m):
            from rnnviz.engine.elman import bptt_gradients
            grads = {k: v.copy() for k, v in bptt_gradients(net, x, y, mask=m).params.items()}
            grads["w_xh"] *= -1  # every W_xh entry the sample holds is wrong
            return grads
        return real(network, inputs, targets, mask, analytic=analytic, sample=40, seed=1, **kwargs)

    monkeypatch.setattr(module, "gradient_check", flipped)
    panel, _run, told = _panel(qtbot)
    check = panel.check_now()
    wrong = check.names.count("w_xh")
    assert wrong and not check.agree and check.names[check.worst] == "w_xh"
    assert f"DISAGREE on {wrong} of 40" in panel.summary.text()
    assert "The network has 304 parameters: checked a random sample of 40 (seed 1)" in panel.summary.text()
    tint = panel.model.data(panel.model.index(0, 1), Qt.ItemDataRole.BackgroundRole)
    assert tint.color().name() == FAIL_TINT
    assert panel.model.data(panel.model.index(wrong, 1), Qt.ItemDataRole.BackgroundRole) is None
    image = panel.grab().toImage()
    cell = panel.table.visualRect(panel.model.index(0, 1)).center()
    at = panel.table.viewport().mapTo(panel, cell)
    assert image.pixelColor(at.x() - 30, at.y()).name() == FAIL_TINT
    assert "DISAGREE" in told[-1]


def test_bad_input_is_one_line_and_keeps_the_table(qtbot, monkeypatch):
    panel, run, told = _panel(qtbot)
    panel.check_now()

    def refuse(index):
        raise InputError("no example 99,999,999")

    monkeypatch.setattr(run.source, "example", refuse)
    assert panel.check_now() is None
    assert told[-1] == "Gradient check: no example 99,999,999"
    assert panel.model.rowCount() == 304


@pytest.mark.parametrize("key, size", [("addition", (900, 480)), ("vanishing", (560, 320)),
                                       ("worked", (900, 480))])
def test_render(qtbot, key, size):
    """Renders the panel (saved to /tmp for looking at); the table scrolls when it is long."""
    panel, _run, _ = _panel(qtbot, key, 0, size)
    panel.sort_box.setChecked(key == "vanishing")
    panel.check_now()
    image = panel.grab().toImage()
    assert image.width() == size[0]
    image.save(f"/tmp/gradcheck_{key}_{size[0]}.png")
    scrolls = panel.table.verticalScrollBar().maximum() > 0
    assert scrolls == (key != "worked")  # 304 and 288 rows scroll; the worked example's 3 fit
    assert np.isfinite(panel.model.check.errors).all()


def test_the_summary_is_never_squeezed_and_the_columns_fit(qtbot):
    """In the room the lab's tabs give at 1280×720 every line of the summary shows, no column scrolls."""
    panel, run, _ = _panel(qtbot, "hello", 0, (1272, 263))
    run.set_settings(LabSettings(run.settings.learning_rate, window=2))
    panel.show_lab(run, run.cursor)
    panel.show()
    panel.check_now()
    summary = panel.summary
    assert summary.height() >= summary.heightForWidth(summary.width())
    assert summary.text().count("<br>") == 3  # verdict, example, truncation note, method
    assert panel.table.geometry().top() >= summary.geometry().bottom()
    assert panel.table.horizontalScrollBar().maximum() == 0


@pytest.mark.parametrize("scale, size", [(1.5, (1272, 263)), (2.0, (1912, 420))])
def test_presentation_mode_scales_the_text_rows_and_columns(qtbot, scale, size):
    panel, _run, _ = _panel(qtbot, "addition", 0, size)
    panel.show()
    panel.check_now()
    plain_row = panel.table.verticalHeader().defaultSectionSize()
    plain_width = panel.table.columnWidth(2)
    panel.set_font_scale(scale)
    assert panel.font_scale() == scale
    assert panel.table.verticalHeader().defaultSectionSize() > plain_row
    assert panel.table.horizontalHeader().font().pointSizeF() == panel.font().pointSizeF()
    texts = [panel.model.text(r, 2) for r in range(panel.model.rowCount())]
    assert panel.table.columnWidth(2) >= max(panel.table.fontMetrics().horizontalAdvance(t) for t in texts)
    assert panel.table.columnWidth(2) >= plain_width
    assert panel.summary.height() >= panel.summary.heightForWidth(panel.summary.width())
    panel.grab().toImage().save(f"/tmp/gradcheck_scaled_{scale}.png")
    panel.set_font_scale(1.0)
    assert panel.table.verticalHeader().defaultSectionSize() == plain_row
