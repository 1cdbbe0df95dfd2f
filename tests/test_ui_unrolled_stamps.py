"""The unrolled view keeps its weight stamps while training only nudges the weights.

Strokes are drawn in whole quarter pixels, so a frame whose weights round to the
same strokes draws the very picture of the frame before: the view keeps its stamps
then (a training frame at max speed used to remake them every time). What a user
sees must not depend on that: a view that kept its stamps paints exactly what a new
view painting the same state paints.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from rnnviz.present.lab import unrolled_state
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.unrolled import UnrolledView
from rnnviz.ui.workspaces.elman.unrolled_edges import stroke_quarters

SIZE = (1280, 360)


def _view(qtbot) -> UnrolledView:
    view = UnrolledView()
    qtbot.addWidget(view)
    view.resize(*SIZE)
    return view


def _shown(view: UnrolledView, state) -> QImage:
    view.set_state(state)
    return view.grab().toImage()


def _states(updates: list[int]):
    run = PRESETS["addition"].make_run()
    states = []
    for t in updates:
        run.seek(t)
        states.append(unrolled_state(run.network, *run.next_example()))
    return states


def test_a_view_that_keeps_its_stamps_paints_what_a_new_view_paints(qtbot) -> None:
    # Updates 3000 → 3001 → 3002 barely move the weights; 3002 → 3400 moves them more.
    states = _states([3000, 3001, 3002, 3400])
    kept = _view(qtbot)
    remade = []
    for state in states:
        image = _shown(kept, state)
        assert image == _shown(_view(qtbot), state)
        remade.append(kept._edges._column)
    # one update left every stroke as it was: the stamps were kept, not painted again
    assert remade[1] is remade[0] and remade[2] is remade[1]
    # hundreds of updates changed strokes: new stamps
    assert remade[3] is not remade[2]


def test_stroke_quarters_round_each_width_to_quarter_pixels_signed_as_the_weight() -> None:
    weights = np.array([[0.5, -0.5, 0.01], [-2.0, 0.0, 0.125]])
    per_unit = 1.0
    quarters = stroke_quarters(weights, per_unit)
    for w, q in zip(weights.ravel(), quarters.ravel()):
        width = per_unit * abs(float(w))
        expected = round(width * 4) if width >= 0.15 else 0
        assert q == (expected if w > 0 else -expected)
