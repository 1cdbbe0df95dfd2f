"""The race's Seeds view (issue 16): one mark per seed per cell, filled where it learned; a click
restarts the race on that seed; a cancel leaves the view saying so.

The training is kept small (two seeds, a few hundred updates) by shortening the view's budget;
every mark is compared with the race run of its cell and seed trained alone.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from rnnviz.present import race_seeds as rs
from rnnviz.tasks.memory import SUCCESS_RATE
from rnnviz.tasks.race_presets import (
    RACE_CELLS,
    RACE_TITLES,
    held_out_rate,
    race,
    race_run,
)
from rnnviz.ui.workspaces.race.seeds_view import X_OFFSET, SeedsView

SEEDS = (0, 1)
UPDATES = 512


@pytest.fixture
def small(monkeypatch):
    """The view trains seeds 0 and 1 for 512 updates (a second or two)."""
    monkeypatch.setattr(rs, "SEEDS", SEEDS)
    monkeypatch.setattr(rs, "SEED_UPDATES", UPDATES)


@pytest.fixture
def racing(window):
    window.show_kind("race")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def _view(racing, qtbot) -> SeedsView:
    ws = racing.workspace
    ws.tabs.setCurrentWidget(ws.seeds)
    qtbot.waitExposed(ws.seeds)
    return ws.seeds


def _trained(racing, qtbot) -> SeedsView:
    view = _view(racing, qtbot)
    qtbot.mouseClick(view.train_button, Qt.MouseButton.LeftButton)
    assert view.training() and view.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not view.training(), timeout=120_000)
    return view


def _alone(cell: str, seed: int) -> float:
    run = race_run(cell, seed, updates=UPDATES)
    run.step(UPDATES)
    return held_out_rate(run, seed)


def test_nothing_is_trained_until_asked(racing, qtbot):
    view = _view(racing, qtbot)
    assert not view.training() and view.results == {}
    assert all(view.marks(cell, learned) == ([], []) for cell in RACE_CELLS for learned in (True, False))
    assert "Nothing trained yet" in view.note.text() and "processors" in view.note.text()
    assert view.legend_names()[:3] == [f"{RACE_TITLES[c]}: not trained" for c in RACE_CELLS]


def test_the_marks_are_each_seeds_race_run_at_its_end(small, racing, qtbot):
    view = _trained(racing, qtbot)
    for cell in RACE_CELLS:
        drawn = {}
        for learned in (True, False):
            for x, percent in zip(*view.marks(cell, learned)):
                drawn[round(x - X_OFFSET[cell])] = (learned, percent)
        assert sorted(drawn) == list(SEEDS)
        for seed in SEEDS:
            rate = _alone(cell, seed)
            assert drawn[seed] == (rate >= SUCCESS_RATE, pytest.approx(100.0 * rate, abs=1e-9))
        count = sum(_alone(cell, s) >= SUCCESS_RATE for s in SEEDS)
        assert f"{RACE_TITLES[cell]} {count} of {len(SEEDS)}" in view.legend_names()
        assert f"{RACE_TITLES[cell]} {count} of {len(SEEDS)}" in view.note.text()
    assert f"after {UPDATES:,} updates" in view.note.text()
    assert "differs between processors" in view.note.text()
    assert not view.cancel_button.isVisible() and view.train_button.isEnabled()


def test_clicking_a_mark_restarts_the_race_on_that_seed(small, racing, qtbot):
    view = _trained(racing, qtbot)
    ws = racing.workspace
    ws.adapter.seek(20)
    cell = "gru"
    learned = bool(view.marks(cell, True)[0])
    item = view._marks[cell, learned]
    point = item.points()[-1]
    seed = round(point.pos().x() - X_OFFSET[cell])
    assert seed != ws.adapter.race.seed

    def where():
        return view.graph.mapFromScene(item.mapToScene(point.pos()))

    view.graph.viewport().repaint()
    qtbot.waitUntil(lambda: view.graph.viewport().rect().contains(where()))
    with qtbot.waitSignal(view.seedChosen) as chosen:
        qtbot.mouseClick(view.graph.viewport(), Qt.MouseButton.LeftButton, pos=where())
    seed = chosen.args[0]  # the mark under the pointer (or a neighbour drawn over it)
    run = ws.adapter.race
    assert run.seed == seed and run.cursor == 0 and ws.board.seed.value() == seed
    fresh = race(seed)
    for name in RACE_CELLS:  # the seed's untrained networks
        got, want = run.runs[name].network.parameters(), fresh.runs[name].network.parameters()
        assert all(np.array_equal(got[key], want[key]) for key in want)
    assert ws.tabs.currentWidget() is ws.plots
    assert view.race_seed == seed and f"the race's seed ({seed})" in view.legend_names()
    message = racing.statusBar().currentMessage()
    assert f"restarts at update 0 on seed {seed}" in message
    assert f"GRU {100 * _alone('gru', seed):.1f}%" in message


def test_a_cancel_leaves_the_view_saying_so(monkeypatch, racing, qtbot):
    monkeypatch.setattr(rs, "SEEDS", SEEDS)
    monkeypatch.setattr(rs, "SEED_UPDATES", 8 * UPDATES)  # long enough to be cancelled
    view = _view(racing, qtbot)
    view.train()
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not view.training(), timeout=120_000)
    assert "cancelled" in view.note.text()
    assert view.train_button.isEnabled() and not view.cancel_button.isVisible()
    for cell in RACE_CELLS:  # only cells trained to the end are drawn
        drawn = view.marks(cell, True)[0] + view.marks(cell, False)[0]
        assert (cell in view.results) == bool(drawn)


def test_closing_while_training_stops_the_worker(small, racing, qtbot):
    view = _view(racing, qtbot)
    view.train()
    job = view._job
    view.shutdown()
    assert not job.thread.is_alive() and not view.training()
    assert "cancelled" in view.note.text()


def test_presentation_scale_grows_the_marks_and_keeps_the_plot(racing, qtbot):
    view = _view(racing, qtbot)
    size = view._marks["gru", True].opts["size"]
    racing.workspace.set_presentation(True, 1.5)
    assert view._marks["gru", True].opts["size"] == pytest.approx(1.5 * size)
    assert not view.intro.isVisible() and view.note.isVisible()
    racing.workspace.set_presentation(False, 1.0)
    assert view.intro.isVisible()


def test_progress_covers_the_three_cells_once_and_each_cell_comes_as_it_is_done():
    reports, order = [], []
    results = rs.race_seeds((0,), UPDATES, lambda done, total: reports.append((done, total)),
                            lambda cell: order.append((cell.cell, len(reports))))
    assert [cell for cell, _ in order] == list(RACE_CELLS) == list(results)
    done = [d for d, _ in reports]
    assert done == sorted(done) and reports[-1][0] == reports[-1][1]
    assert all(at > 0 for _, at in order)  # reported before each cell's result came
    assert results["gru"].count_text() == f"GRU {int(results['gru'].learned.sum())} of 1"
    tip = results["lstm"].describe(0)  # a mark's tip: the run alone's share and outcome
    rate = _alone("lstm", 0)
    assert f"seed 0: the LSTM recalls {rate:.1%}" in tip and tip.endswith(
        "— learned" if rate >= SUCCESS_RATE else "— not learned")
