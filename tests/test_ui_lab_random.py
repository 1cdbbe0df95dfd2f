"""Random actions on the network lab: whatever a user does, the window stays consistent.

A seeded sequence of the actions a student can take (steps, back, seeks,
stages, the knob, η, truncation, clipping, presets, side by side, a typed
worked-example sequence), some of
them with values the run must refuse. After every action: no exception
escaped, every view shows the state the run is in (the unrolled example is
the one recomputed from the engine now, the loss curve holds the stored
losses), and a refused value changed nothing.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.present.lab import unrolled_state
from rnnviz.tasks.lab_presets import PRESETS


@pytest.fixture
def lab(window):
    window.show_kind("elman")
    yield window
    for key in list(window._workspaces):
        window.workspace_of(key).shutdown()


def _check(lab) -> None:
    ws, run = lab.workspace, lab.adapter.lab
    assert 0 <= run.cursor <= run.n_ticks <= run.stored + (run.n_ticks - run.stored)
    inputs, targets, mask = run.source.example(ws.example_index())
    with np.errstate(over="ignore", invalid="ignore"):
        expected = unrolled_state(run.network, inputs, targets, mask, stage=lab.adapter.stage,
                                  window=run.settings.window)
    shown = ws.unrolled.state()
    np.testing.assert_array_equal(shown.hidden, expected.hidden)
    np.testing.assert_array_equal(shown.deltas, expected.deltas)
    assert shown.stage == lab.adapter.stage
    _, losses = ws.loss_plot.loss.getData()
    stored = run.losses()
    if stored.size and np.isfinite(stored).all():
        np.testing.assert_array_equal(losses, stored)
    assert lab.status.text().startswith(f"update {run.cursor:,} of {run.n_ticks:,}")
    assert all(np.isfinite(p).all() for p in run.network.parameters().values())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_actions_leave_every_view_on_the_runs_state(lab, seed):
    rng = random.Random(seed)
    controls = lab.workspace.controls
    act = lab.action

    def refused(action) -> None:
        before = (lab.adapter.lab.cursor, lab.adapter.lab.settings,
                  {k: v.copy() for k, v in lab.adapter.lab.network.parameters().items()})
        with pytest.raises(InputError):
            action()
        run = lab.adapter.lab
        assert (run.cursor, run.settings) == before[:2]
        for name, value in run.network.parameters().items():
            np.testing.assert_array_equal(value, before[2][name])

    from rnnviz.ui.workspaces.elman.worked_panel import WorkedPanel

    worked = next(p for p in lab.workspace._panels if isinstance(p, WorkedPanel))

    def type_sequence(text: str) -> None:
        """Type into the worked panel's sequence field and press Enter (the panel refuses bad
        text itself; another preset's run refuses any sequence in the status line)."""
        worked.sequence.setText(text)
        worked.sequence.returnPressed.emit()

    actions = [
        lambda: type_sequence(rng.choice(["1,0.5,-1,2", "0.2,0.4", "1,2,3,4,5,6", "2,-1,0.5,3",
                                          "1,x", "1", "1,1e300", "", "1,,2", "nan,1"])),
        lambda: refused(lambda: lab.adapter.set_example([float("nan"), 1.0])),
        lambda: refused(lambda: lab.adapter.set_example([1.0])),
        lambda: act("step").trigger(),
        lambda: act("step").trigger(),
        lambda: act("back").trigger(),
        lambda: act("lab_stage").trigger(),
        lambda: act("lab_stage").trigger(),
        lambda: lab.adapter.seek(rng.randrange(0, 60)),
        lambda: act("reset").trigger(),
        lambda: controls.radius.setValue(rng.choice([0.3, 0.9, 1.2, 3.0, 40.0])),
        lambda: controls.eta.setValue(rng.choice([0.001, 0.1, 0.5, 5.0])),
        lambda: controls.truncation.setValue(rng.choice([0, 1, 2, 5])),
        lambda: (controls.clip_kind.setCurrentIndex(rng.randrange(3)),
                 controls.clip_kind.activated.emit(controls.clip_kind.currentIndex())),
        lambda: controls.threshold.setValue(rng.choice([0.01, 1.0, 100.0])),
        lambda: controls.compare.setChecked(not controls.compare.isChecked()),
        lambda: lab.workspace.open_preset(rng.choice(list(PRESETS))),
        lambda: refused(lambda: lab.adapter.scale_to_radius(float("nan"))),
        lambda: refused(lambda: lab.adapter.scale_to_radius(-1.0)),
        lambda: refused(lambda: lab.adapter.set_parameters({"w_hh": "many"})),
        lambda: refused(lambda: lab.adapter.set_parameters({"nope": 1.0})),
    ]
    for _ in range(80):
        rng.choice(actions)()
        _check(lab)
