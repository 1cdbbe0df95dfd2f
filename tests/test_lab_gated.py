"""The lab's run trains gated cells (LSTM, GRU) as it trains the Elman network (issue 15).

Every number is compared with the engine's own: the first update's record with a
backward pass, the parameters after n updates with ``train_sequence``'s full BPTT;
moving back, ``state_at`` and a replayed log give the same state bit for bit.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rnnviz.engine.cells import make_network
from rnnviz.engine.clipping import Clipping, global_norm
from rnnviz.engine.errors import InputError
from rnnviz.runs.lab import LabRun, LabSettings, RepeatedExample, state_names

CELLS = ("lstm", "gru")


class Cycle:
    """Twenty different 7-step examples, cycled; a loss at the last two steps only."""

    steps = 7

    def __init__(self) -> None:
        rng = np.random.default_rng(11)
        self.inputs = rng.normal(size=(20, 7, 2))
        self.targets = (rng.random(size=(20, 7, 1)) > 0.5).astype(float)
        self.mask = np.array([False] * 5 + [True] * 2)

    def example(self, index: int):
        return self.inputs[index % 20], self.targets[index % 20], self.mask


def network(cell: str):
    return make_network(cell, 2, 4, 1, output="sigmoid", init_scale=0.9, seed=5)


def gated_run(cell: str, n_updates: int = 200, checkpoint_every: int = 16, **settings) -> LabRun:
    options = {"learning_rate": 0.5, **settings}
    return LabRun(network(cell), Cycle(), LabSettings(**options), n_updates,
                  checkpoint_every=checkpoint_every)


def state(net) -> dict[str, np.ndarray]:
    names = state_names(net)
    live = net.parameters()
    return {name: (live[name] if name in live else getattr(net, name)).copy() for name in names}


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("cell", CELLS)
def test_updates_are_the_engines_training_bit_for_bit(cell: str) -> None:
    clip = Clipping("norm", 0.15, scope="gradient")
    run = gated_run(cell, clipping=clip)
    run.step(60)
    reference, source = network(cell), Cycle()
    for t in range(60):
        x, y, mask = source.example(t)
        report = reference.train_sequence(x, y, learning_rate=0.5, clipping=clip, mask=mask)
        assert run.losses()[t] == report.step_losses.sum()
        assert np.array_equal(run.delta_norm_matrix()[t], report.delta_norms)
        assert run.grad_norms()[t] == report.gradient_norms[0]
        assert run.clipped()[t] == report.clipped[0]
    assert same(run.state_at(60), state(reference))
    assert run.clipped().any() and not run.clipped().all()


@pytest.mark.parametrize("cell", CELLS)
def test_a_truncated_update_is_the_sum_of_its_windows_gradients(cell: str) -> None:
    run = gated_run(cell, window=3)
    before = state(run.network)
    run.step(1)
    reference = network(cell)
    x, y, mask = Cycle().example(0)
    grads = reference.backward(reference.forward(x), y, mask=mask, window=3)
    record = run.record(0)
    assert record.loss == grads.loss
    assert np.array_equal(record.delta_norms, grads.delta_norms)  # ‖∂E/∂h_t‖, cut every 3 steps
    assert record.grad_norm == global_norm(list(grads.params.values()))
    after = run.state_at(1)
    for name, g in grads.params.items():
        assert np.array_equal(after[name], before[name] - 0.5 * g)


@pytest.mark.parametrize("cell", CELLS)
def test_checkpoints_hold_every_gate_and_the_state(cell: str) -> None:
    run = gated_run(cell)
    names = state_names(run.network)
    assert names[-2:] == ("h0", "c0") if cell == "lstm" else names[-1] == "h0" and "c0" not in names
    assert {"w_x" + g for g in run.network.GATES} <= set(names)
    run.step(100)
    forward = {t: run.state_at(t) for t in (0, 17, 50, 67, 99)}
    run.seek(0)
    run.step(100)
    assert all(same(run.state_at(t), s) for t, s in forward.items())
    run.back(33)
    assert run.cursor == 67 and same(state(run.network), forward[67])


@pytest.mark.parametrize("cell", CELLS)
def test_the_log_replays_bit_for_bit_through_every_kind_of_change(cell: str) -> None:
    run = gated_run(cell)
    run.step(40)
    run.set_settings(LabSettings(0.2, window=4, clipping=Clipping("value", 0.1, scope="gradient")))
    run.step(30)
    run.set_parameters({"w_h" + run.network.GATES[1]: np.full((4, 4), 0.05), "h0": [0.1] * 4})
    run.step(20)
    run.scale_w_hh(0.5)
    run.step(25)
    log = json.loads(json.dumps(run.log()))
    again = LabRun.replay(lambda: network(cell), Cycle(), log, run.cursor)
    assert again.cursor == run.cursor == 115
    assert same(state(again.network), state(run.network))
    assert np.array_equal(again.losses(), run.losses())
    assert np.array_equal(again.delta_norm_matrix(), run.delta_norm_matrix())
    assert again.settings_at(50) == run.settings_at(50)


@pytest.mark.parametrize("cell", CELLS)
def test_the_knob_scales_every_gates_recurrent_weights(cell: str) -> None:
    run = gated_run(cell)
    before = run.network.w_h.copy()
    x_before = run.network.w_x.copy()
    run.scale_w_hh(2.0)
    assert np.array_equal(run.network.w_h, before * 2.0)
    assert np.array_equal(run.network.w_x, x_before)
    with pytest.raises(InputError, match="one recurrent matrix per gate"):
        run.spectral_radius()


@pytest.mark.parametrize("cell", CELLS)
def test_divergence_stops_at_the_first_non_finite_update(cell: str) -> None:
    net = make_network(cell, 2, 4, 1, output="linear", init_scale=0.9, seed=5)
    run = LabRun(net, Cycle(), LabSettings(50.0), 200)  # η far too large: the loss explodes
    run.step(200)
    assert run.diverged_at is not None and run.n_ticks == run.diverged_at > 0
    assert "diverged at update" in run.divergence_message
    assert all(np.isfinite(a).all() for a in state(run.network).values())
    assert same(state(run.network), run.state_at(run.diverged_at))
    assert run.step(5) == 0


def test_bad_input_is_one_line_and_changes_nothing() -> None:
    run = gated_run("gru")
    run.step(5)
    before = json.dumps(run.log()), state(run.network)
    with pytest.raises(InputError, match="unknown parameter 'c0'"):
        run.set_parameters({"c0": [0.0] * 4})  # the GRU has no cell state
    with pytest.raises(InputError, match="w_xr must hold 8 numbers"):
        run.set_parameters({"w_xr": [1.0, 2.0]})
    with pytest.raises(InputError, match="LSTMNetwork or GRUNetwork"):
        LabRun(object(), Cycle(), LabSettings(0.1), 10)  # type: ignore[arg-type]
    assert json.dumps(run.log()) == before[0] and same(state(run.network), before[1])
    lstm = gated_run("lstm")
    lstm.set_parameters({"c0": [0.5] * 4})
    assert np.array_equal(lstm.network.c0, np.full(4, 0.5))
    assert math.isfinite(lstm.step(3) and lstm.losses()[-1])


def test_a_repeated_example_can_be_changed_for_a_gated_cell() -> None:
    x, y, mask = Cycle().example(0)
    run = LabRun(network("lstm"), RepeatedExample(x, y, mask), LabSettings(0.3), 50)
    run.step(10)
    run.set_example(x * 0.5, y, mask)
    run.step(10)
    again = LabRun.replay(lambda: network("lstm"), RepeatedExample(x, y, mask),
                          json.loads(json.dumps(run.log())), 20)
    assert same(state(again.network), state(run.network))
