"""The lab's Seeds tab (issue 16): one mark per seed coloured by outcome; a click opens that seed."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QTimer, Qt

from rnnviz.tasks.addition import AdditionSettings
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.tasks.sweep_addition import sweep_addition
from rnnviz.ui.work import cancel_running
from rnnviz.ui.workspaces.elman.seeds_panel import BUDGETS, SeedsPanel

#: A budget that trains in a fraction of a second (40 seeds side by side).
SMALL = BUDGETS[0]


@pytest.fixture
def lab(window):
    window.show_kind("elman")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def _seeds(lab, qtbot) -> SeedsPanel:
    workspace = lab.workspace
    panel = next(p for p in workspace._panels if isinstance(p, SeedsPanel))
    workspace.tabs.setCurrentWidget(panel)
    qtbot.waitExposed(panel)
    return panel


def _trained(lab, qtbot, budget: int = SMALL) -> SeedsPanel:
    panel = _seeds(lab, qtbot)
    panel.budget.setCurrentIndex(panel.budget.findData(budget))
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.outcomes is not None)
    return panel


def _tab_shown(workspace, title: str) -> bool:
    tabs = workspace.tabs
    return any(tabs.tabText(i) == title and tabs.isTabVisible(i) for i in range(tabs.count()))


def test_the_tab_is_shown_with_addition_only_and_trains_nothing_until_asked(lab, qtbot):
    workspace = lab.workspace
    panel = _seeds(lab, qtbot)
    assert _tab_shown(workspace, "Seeds")
    assert panel.outcomes is None and all(panel.marks(name) == ([], []) for name in ("learned", "not learned"))
    workspace.open_preset("hello")
    assert not _tab_shown(workspace, "Seeds")
    workspace.open_preset("addition")
    assert _tab_shown(workspace, "Seeds")


def test_the_marks_are_each_seeds_held_out_score_coloured_by_outcome(lab, qtbot):
    panel = _trained(lab, qtbot)
    sweep = sweep_addition(AdditionSettings(examples=SMALL), range(40))
    drawn = {}
    for name in ("learned", "not learned", "diverged"):
        for seed, percent in zip(*panel.marks(name)):
            drawn[int(seed)] = (name, percent)
    assert sorted(drawn) == list(range(40))
    for seed in range(40):
        name, percent = drawn[seed]
        assert percent == pytest.approx(100.0 * sweep.held_out_correct[seed] / 200)
        assert (name == "learned") == bool(sweep.learned[seed])
    assert f"{int(sweep.learned.sum())} of 40 seeds learned" in panel.note.text()
    assert panel.legend_names()[:3] == ["learned: all 200 held-out sums exact", "not learned",
                                        "diverged (drawn at 0)"]


def test_clicking_a_mark_opens_that_seed_in_the_lab_from_update_0(lab, qtbot):
    panel = _trained(lab, qtbot)
    item = panel._marks["not learned"] if panel.marks("not learned")[0] else panel._marks["learned"]
    point = item.points()[-1]
    seed = int(point.pos().x())

    def where():
        return panel.graph.mapFromScene(item.mapToScene(point.pos()))

    panel.graph.viewport().repaint()
    qtbot.waitUntil(lambda: panel.graph.viewport().rect().contains(where()))
    qtbot.mouseClick(panel.graph.viewport(), Qt.MouseButton.LeftButton, pos=where())
    qtbot.waitUntil(lambda: panel.shown_seed is not None)
    seed = panel.shown_seed  # the mark under the pointer (or a neighbour drawn over it)
    run = lab.workspace.adapter.lab
    fresh = PRESETS["addition"].make_run(seed)
    assert run.cursor == 0 and lab.workspace.adapter.preset_key == "addition"
    for got, want in zip(run.source.example(0)[:2], fresh.source.example(0)[:2]):
        assert np.array_equal(got, want)
    assert np.array_equal(run.network.w_hh, fresh.network.w_hh)
    assert f"Showing seed {seed}" in lab.statusBar().currentMessage()
    assert panel._ring.getData()[0].tolist() == [float(seed)]
    lab.workspace.open_preset("addition")  # seed 0 from the menu: no mark is ringed any more
    assert panel.shown_seed is None and len(panel._ring.getData()[0]) == 0


def test_a_cancel_leaves_the_panel_saying_so(lab, qtbot):
    panel = _seeds(lab, qtbot)  # the full budget: long enough to be cancelled
    QTimer.singleShot(0, lambda: cancel_running())
    panel.train()
    assert panel.outcomes is None
    assert "cancelled" in panel.note.text()
    assert panel.marks("learned") == ([], [])


def test_a_new_budget_clears_the_marks_until_trained_again(lab, qtbot):
    panel = _trained(lab, qtbot)
    panel.budget.setCurrentIndex(panel.budget.findData(BUDGETS[1]))
    assert panel.outcomes is None and panel.marks("learned") == ([], [])
    assert f"{BUDGETS[1]:,} updates" in panel.note.text()


def test_presentation_scale_grows_the_text_and_the_marks(lab, qtbot):
    panel = _trained(lab, qtbot)
    axis = panel._plot.getAxis("bottom")
    before = (axis.style["tickFont"].pointSizeF(), panel.note.fontInfo().pointSizeF(),
              panel._marks["learned"].opts["size"])
    panel.set_font_scale(2.0)
    after = (axis.style["tickFont"].pointSizeF(), panel.note.fontInfo().pointSizeF(),
             panel._marks["learned"].opts["size"])
    assert panel.font_scale() == 2.0
    assert all(b2 >= 1.8 * b1 for b1, b2 in zip(before, after))
    assert len(panel.legend_names()) == 4
    assert panel.intro.isHidden()  # presenting, the plot keeps the room (the question is in the tip)
    panel.set_font_scale(1.0)
    assert panel._marks["learned"].opts["size"] == before[2] and not panel.intro.isHidden()
