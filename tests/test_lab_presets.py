"""The lab's presets (rnnviz/tasks/lab_presets.py) give the numbers of their headless tasks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.runs.lab import LabRun
from rnnviz.tasks.addition import AdditionSettings, run_addition
from rnnviz.tasks.hello import HelloSettings, run_hello
from rnnviz.tasks.lab_presets import PRESETS, preset, vanishing_settings
from rnnviz.tasks.vanishing import run_vanishing
from rnnviz.tasks.worked_example import worked_example


def test_the_four_presets() -> None:
    assert list(PRESETS) == ["worked", "addition", "hello", "vanishing"]
    for key, entry in PRESETS.items():
        run = entry.make_run()
        assert entry.key == key and entry.title and entry.about
        assert isinstance(run, LabRun) and run.cursor == 0
    shapes = {
        key: (run.network.n_inputs, run.network.n_hidden, run.network.n_outputs, run.source.steps)
        for key, run in ((key, PRESETS[key].make_run()) for key in PRESETS)
    }
    assert shapes == {"worked": (1, 1, 1, 3), "addition": (2, 16, 1, 8), "hello": (4, 3, 4, 4),
                      "vanishing": (1, 16, 1, 64)}


def test_the_worked_preset_starts_with_the_worked_examples_gradients() -> None:
    run = PRESETS["worked"].make_run()
    assert [float(getattr(run.network, n).item()) for n in ("w_xh", "w_hh", "w_hy", "h0")] == [
        1.2, -0.4, 0.7, 0.3]
    run.step(2)
    seed = worked_example([1, 0.5, -1, 2], w_xh=1.2, w_hh=-0.4, w_hy=0.7, h0=0.3)
    first = run.record(0)
    assert first.loss == seed.E
    assert np.array_equal(first.delta_norms, np.abs(seed.deltas))
    assert first.grad_norm == math.sqrt(seed.dE_dw_xh ** 2 + seed.dE_dw_hh ** 2 + seed.dE_dw_hy ** 2)
    # The update made is θ − η·∂E/∂θ with exactly the worked example's derivatives.
    after = run.state_at(1)
    assert after["w_xh"].item() == 1.2 - 0.1 * seed.dE_dw_xh
    assert after["w_hh"].item() == -0.4 - 0.1 * seed.dE_dw_hh
    assert after["w_hy"].item() == 0.7 - 0.1 * seed.dE_dw_hy
    assert after["h0"].item() == 0.3
    # And the second update is the worked example at those weights.
    again = worked_example([1, 0.5, -1, 2], w_xh=after["w_xh"].item(), w_hh=after["w_hh"].item(),
                           w_hy=after["w_hy"].item(), h0=0.3)
    assert run.record(1).loss == again.E < seed.E


@pytest.mark.parametrize("seed", [0, 1])
def test_the_addition_preset_trains_as_run_addition(seed: int) -> None:
    run = PRESETS["addition"].make_run(seed)
    reference = run_addition(AdditionSettings(examples=300, seed=seed))
    run.step(300)
    for name, value in reference.network.parameters().items():
        assert np.array_equal(run.network.parameters()[name], value), name
    # Its examples are run_addition's pairs, least-significant bit first.
    a, b = run.source.pair(0)
    inputs, targets, mask = run.source.example(0)
    assert mask is None and inputs.dtype == targets.dtype == np.float64
    assert [int(v) for v in inputs[:, 0]] == [(a >> i) & 1 for i in range(8)]
    assert [int(v) for v in targets[:, 0]] == [((a + b) >> i) & 1 for i in range(8)]
    # run_addition's error per example is Σ|t − ŷ|; the run's loss ½Σ(t − ŷ)²: the
    # same outputs, so a zero of one is a zero of the other and both fall.
    assert run.losses()[:50].mean() > run.losses()[250:].mean()
    assert reference.errors[:50].mean() > reference.errors[250:].mean()


def test_the_hello_preset_learns_as_run_hello() -> None:
    run = PRESETS["hello"].make_run(0)
    reference = run_hello(HelloSettings(seed=0))
    assert reference.reached and reference.epochs == 39
    run.step(reference.epochs)
    assert np.array_equal(run.losses(), reference.losses)
    for name, value in reference.network.parameters().items():
        assert np.array_equal(run.network.parameters()[name], value), name
    assert "".join("helo"[i] for i in run.network.forward(run.source.inputs).outputs.argmax(1)) == "ello"


@pytest.mark.parametrize("seed", [0, 3])
def test_the_vanishing_preset_starts_with_the_tasks_delta_curve(seed: int) -> None:
    run = PRESETS["vanishing"].make_run(seed)
    curve = run_vanishing(vanishing_settings(seed)).curves[0]
    assert curve.scale == 1.0 and not curve.clipped
    assert run.spectral_radius() == pytest.approx(1.0, rel=1e-12)  # orthogonal × 1
    run.step()
    assert np.array_equal(run.record(0).delta_norms[::-1], curve.norms)
    _, _, mask = run.source.example(0)
    assert mask.tolist() == [False] * 63 + [True]


def test_a_preset_run_saved_and_reopened_is_the_same() -> None:
    run = PRESETS["addition"].make_run(2)
    run.step(600)
    run.scale_w_hh(0.5)
    run.step(100)
    run.back(50)
    log = json.loads(json.dumps(run.log()))
    again = PRESETS["addition"].replay(log, run.cursor, seed=2)
    assert again.cursor == 650 and again.log() == run.log()
    assert np.array_equal(again.losses(), run.losses()[:650])
    assert np.array_equal(again.network.w_hh, run.network.w_hh)


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (lambda: PRESETS["hello"].make_run(-1), "the seed must be at least 0, not -1"),
        (lambda: PRESETS["hello"].make_run(1.5), "the seed must be a whole number, not 1.5"),
        (lambda: preset("lstm"), "unknown lab preset 'lstm'; choose one of worked, addition, hello, vanishing"),
    ],
)
def test_bad_preset_input_is_one_line(act, message) -> None:
    with pytest.raises(InputError) as caught:
        act()
    assert str(caught.value) == message
