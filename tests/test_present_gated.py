"""The gated views' data (issue 15): gate lanes, the gradient highway and one cell's
arithmetic, each against the engine's own numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnviz.engine.cells import make_network
from rnnviz.engine.clipping import row_norms
from rnnviz.engine.errors import InputError
from rnnviz.engine.gated import highway_products
from rnnviz.present.format import format_number
from rnnviz.present.gated import (
    GATE_NAMES,
    CellLine,
    cell_arithmetic,
    gate_lanes,
    gradient_highway,
)
from rnnviz.present.lab import flow_series, unrolled_state
from rnnviz.present.lab_worked import WorkedLine, result_text
from rnnviz.tasks.memory import memory_data

T, H = 12, 5


def network(cell: str, seed: int = 1, **options):
    return make_network(cell, 2, H, 1, output="sigmoid", loss="squared", init_scale=1.5,
                        seed=seed, **options)


@pytest.fixture(scope="module")
def example():
    data = memory_data(np.random.default_rng(7), 1, T - 1)
    return data.inputs[0], data.targets[0], data.mask


# -- gate lanes -----------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_lanes_are_the_engine_s_gates_per_unit_per_step(cell, example) -> None:
    net = network(cell)
    forward = net.forward(example[0])
    lanes = gate_lanes(forward)
    assert lanes.cell == net.CELL and lanes.letters == net.GATES
    assert lanes.activations.shape == (len(net.GATES), H, T)
    for k, letter in enumerate(lanes.letters):
        assert np.array_equal(lanes.activations[k], forward.gates[letter].T)
        low, high = lanes.ranges[k]
        assert low <= lanes.activations[k].min() and lanes.activations[k].max() <= high
    assert lanes.names == tuple(name for _, name, _ in GATE_NAMES[net.CELL])
    assert np.array_equal(lanes.hidden, forward.hidden.T)
    if cell == "lstm":
        assert lanes.state_letter == "c" and np.array_equal(lanes.state, forward.cell.T)
        assert lanes.state_range[1] >= max(1.0, np.abs(forward.cell).max())
    else:
        assert lanes.state_letter == "h" and np.array_equal(lanes.state, forward.hidden.T)
        assert lanes.state_range == (-1.0, 1.0)


def test_gate_lanes_refuse_an_elman_forward_pass(example) -> None:
    with pytest.raises(InputError, match="LSTM or GRU"):
        gate_lanes(network("rnn").forward(example[0]))


# -- the gradient highway ----------------------------------------------------------------

@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_highway_series_are_the_engine_s_and_the_lab_s(cell, example) -> None:
    x, y, mask = example
    net, plain = network(cell), network("rnn", hidden="tanh")
    shown = gradient_highway(net, x, y, mask, plain=plain)
    forward = net.forward(x)
    grads = net.backward(forward, y, mask=mask)
    path = grads.cell_deltas if cell == "lstm" else grads.deltas
    assert np.array_equal(shown.steps, np.arange(1, T + 1))
    assert np.array_equal(shown.path_norms, row_norms(path))
    assert np.array_equal(shown.hidden_norms, grads.delta_norms)
    products = highway_products(forward)[1:].T
    assert np.array_equal(shown.highway_units, products)
    assert np.array_equal(shown.highway, products.mean(axis=0))
    assert shown.highway[-1] == 1.0  # nothing to carry past the last step
    lab = flow_series(unrolled_state(plain, x, y, mask)).grad_norms
    assert np.array_equal(shown.plain_norms, lab)
    low, high = shown.decades
    for series in (shown.path_norms, shown.highway, shown.plain_norms):
        assert 10.0 ** low <= np.nanmin(series) and np.nanmax(series) <= 10.0 ** high
    assert gradient_highway(net, x, y, mask).plain_norms is None


def test_a_shut_forget_gate_is_tail_accurate_on_the_log_axis_and_zero_is_a_gap(example) -> None:
    x, y, mask = example
    net = network("lstm", seed=2)
    # Unit 1's forget gate shut hard: σ(−60) ≈ 8.8e−27 rounds to exactly 0 in the engine;
    # unit 2's at σ(−800) a step: its product is far below the smallest float; unit 3's
    # σ(−30) ≈ 9.4e−14 is 1.7e−4 of itself off in the engine.
    net.set_parameters({"w_xf": np.zeros((H, 2)), "w_hf": np.zeros((H, H)),
                        "b_f": np.array([-60.0, -800.0, -30.0, 1.0, 1.0])})
    forward = net.forward(x)
    assert forward.gates["f"][:, 0].max() == 0.0  # the engine's gate rounded to 0
    shown = gradient_highway(net, x, y, mask)

    def log_sigmoid(a: float) -> float:
        return -(-a + math.log1p(math.exp(a)))  # log σ(a) = a − log(1 + e^a) for a < 0

    # from step T − 3 on: three factors
    assert shown.highway_units[0, T - 4] == pytest.approx(math.exp(3 * log_sigmoid(-60.0)),
                                                          rel=1e-12)
    assert shown.highway_units[2, T - 4] == pytest.approx(math.exp(3 * log_sigmoid(-30.0)),
                                                          rel=1e-12)
    assert np.isnan(shown.highway_units[1, : T - 1]).all()  # below 1e−308: a gap
    assert shown.highway_units[1, T - 1] == 1.0
    # the open lanes are the engine's own products, bit for bit
    assert np.array_equal(shown.highway_units[3:], highway_products(forward)[1:, 3:].T)
    finite = shown.highway_units[np.isfinite(shown.highway_units)]
    assert (finite > 0).all()


def test_the_plain_rnn_must_match_the_gated_network_s_sizes(example) -> None:
    x, y, mask = example
    other = make_network("rnn", 3, H, 1)
    with pytest.raises(InputError, match="2 inputs and 1 outputs"):
        gradient_highway(network("gru"), x, y, mask, plain=other)
    with pytest.raises(InputError, match="LSTM or GRU"):
        gradient_highway(other, x, y, mask)


# -- one cell's arithmetic ----------------------------------------------------------------

def lines(view) -> dict[str, CellLine]:
    return {line.symbol: line for stage in view.stages for line in stage.lines}


def check_numbers(line: CellLine) -> None:
    """Every operand written as the lab writes it, in order (a negative one in brackets
    after an operator, bare inside σ(…) or tanh(…)), and the result to six digits."""
    assert isinstance(line, WorkedLine)
    assert "((" not in line.numbers
    position = 0
    for value in line.operands:
        text = format_number(value)
        found = line.numbers.find(text, position)
        assert found >= position, (line.numbers, text)
        position = found + len(text)
    assert line.result == result_text(line.value)


@pytest.mark.parametrize("t,j", [(1, 1), (6, 3), (T, H)])
def test_lstm_stages_hold_the_engine_s_numbers_bit_for_bit(t, j, example) -> None:
    net = network("lstm")
    forward = net.forward(example[0])
    view = cell_arithmetic(net, forward, t, j)
    assert [s.title.split(":")[0] for s in view.stages] == [
        "Gates", "Candidate g", "New cell state", "New hidden state"]
    got, r = lines(view), t - 1
    gate = {k: forward.gates[k][r, j - 1] for k in "ifgo"}
    for k in "ifgo":
        assert got[f"{k}_{t}"].value == gate[k]
        pre = got[f"a_{k}"].value
        squash = math.tanh(pre) if k == "g" else 1.0 / (1.0 + math.exp(-pre))
        assert squash == pytest.approx(gate[k], rel=1e-12, abs=1e-15)
        assert got[f"{k}_{t}"].operands == (pre,)
    c_line, h_line = got[f"c_{t}"], got[f"h_{t}"]
    assert c_line.value == forward.cell[t, j - 1]
    assert c_line.operands == (gate["f"], forward.cell[r, j - 1], gate["i"], gate["g"])
    assert h_line.value == forward.hidden[t, j - 1]
    assert h_line.operands == (gate["o"], forward.cell[t, j - 1])
    for line in got.values():
        check_numbers(line)


@pytest.mark.parametrize("t,j", [(1, 2), (T, 4)])
def test_gru_stages_hold_the_engine_s_numbers_bit_for_bit(t, j, example) -> None:
    net = network("gru")
    net.set_parameters({"b_hn": np.linspace(-0.5, 0.5, H), "b_xn": np.full(H, 0.25)})
    forward = net.forward(example[0])
    view = cell_arithmetic(net, forward, t, j)
    got, r = lines(view), t - 1
    gate = {k: forward.gates[k][r, j - 1] for k in "rzn"}
    for k in "rz":
        assert got[f"{k}_{t}"].value == gate[k]
        assert 1.0 / (1.0 + math.exp(-got[f"a_{k}"].value)) == pytest.approx(gate[k], rel=1e-12)
    assert got[f"m_{t}"].value == forward.recurrent[r, j - 1]
    assert got[f"m_{t}"].operands[1] == net.b_hn[j - 1]
    assert got["a_n"].operands[1:] == (0.25, gate["r"], forward.recurrent[r, j - 1])
    assert math.tanh(got["a_n"].value) == pytest.approx(gate["n"], rel=1e-12, abs=1e-15)
    assert got[f"n_{t}"].value == gate["n"]
    h_line = got[f"h_{t}"]
    assert h_line.value == forward.hidden[t, j - 1]
    assert h_line.operands == (gate["z"], gate["n"], gate["z"], forward.hidden[r, j - 1])
    for line in got.values():
        check_numbers(line)
    assert view.heading.startswith(f"GRU unit {j}, step {t} of {T}")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_without_biases_the_bias_put_in_is_zero_and_the_results_still_the_engine_s(cell, example):
    net = network(cell, biases=False)
    forward = net.forward(example[0])
    got = lines(cell_arithmetic(net, forward, 4, 2))
    assert got["a_z" if cell == "gru" else "a_f"].operands[2] == 0.0
    assert got["h_4"].value == forward.hidden[4, 1]


def test_bad_step_unit_or_network_is_one_line(example) -> None:
    net = network("lstm")
    forward = net.forward(example[0])
    for step, unit, words in [(0, 1, "step must be a whole number from 1 to 12"),
                              (T + 1, 1, "step"), (1, H + 1, "unit must be a whole number from 1 to 5"),
                              (1.5, 1, "step"), (True, 1, "step")]:
        with pytest.raises(InputError, match=words):
            cell_arithmetic(net, forward, step, unit)
    with pytest.raises(InputError, match="forward pass of this network"):
        cell_arithmetic(network("gru"), forward, 1, 1)
    with pytest.raises(InputError, match="forward pass of this network"):
        cell_arithmetic(make_network("lstm", 2, H + 1, 1), forward, 1, 1)
