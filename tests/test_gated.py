"""The gated cells (LSTM, GRU): every gradient against central differences, the
gradient highway, training through the Elman network's protocol, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from gradcheck import EPS, numeric_gradient, relative_error

from rnnviz.engine.cells import CELLS, make_network
from rnnviz.engine.clipping import Clipping
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.gated import GatedNetwork, highway_products
from rnnviz.engine.gru import GRUNetwork
from rnnviz.engine.lstm import LSTMNetwork
from rnnviz.engine.optim import Adam

TOLERANCE = 1e-6
GATED = (LSTMNetwork, GRUNetwork)


def problem(cls, output: str, *, steps: int = 6, seed: int = 0):
    """A network with every parameter (biases too) moved off its start, and an example."""
    rng = np.random.default_rng(seed)
    net = cls(3, 4, 2, output=output, seed=seed, init_scale=0.7)
    for param in net.parameters().values():
        param += rng.normal(scale=0.3, size=param.shape)
    x = rng.normal(size=(steps, 3))
    y = np.eye(2)[rng.integers(0, 2, steps)] if output == "softmax" else rng.random((steps, 2))
    return net, x, y


def truncated_loss(net: GatedNetwork, x, y, mask, window: int, frozen) -> float:
    """The loss whose gradient truncated BPTT is: each window's loss from the state the
    pass *frozen* (at the unperturbed weights) reached at its start, held fixed."""
    total = 0.0
    for lo in range(0, len(x), window):
        c = None if frozen.cell is None else frozen.cell[lo]
        part = net.forward(x[lo:lo + window], frozen.hidden[lo], c)
        total += float(net.step_losses(part, y[lo:lo + window], mask[lo:lo + window]).sum())
    return total


@pytest.mark.parametrize("cls", GATED, ids=["lstm", "gru"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
@pytest.mark.parametrize("window", [None, 2])
def test_every_parameters_gradient_matches_central_differences(cls, output, window):
    net, x, y = problem(cls, output, seed=3 if window else 1)
    mask = np.array([True, False, True, True, False, True])
    grads = net.backward(net.forward(x), y, mask=mask, window=window)
    assert net.loss_name == ("cross_entropy" if output == "softmax" else "squared")
    frozen = net.forward(x)
    for name, param in net.parameters().items():
        if window is None:
            numeric = numeric_gradient(lambda: net.sequence_loss(x, y, mask=mask), param)
        else:
            numeric = numeric_gradient(
                lambda: truncated_loss(net, x, y, mask, window, frozen), param
            )
        assert relative_error(grads.params[name], numeric) < TOLERANCE, name
        assert np.abs(grads.params[name]).max() > 0, name


@pytest.mark.parametrize("cls", GATED, ids=["lstm", "gru"])
def test_the_starting_states_gradients_match_central_differences(cls):
    net, x, y = problem(cls, "sigmoid", seed=5)
    h0 = net.h0.copy() + 0.1
    c0 = net.c0.copy() - 0.2
    cell = cls is LSTMNetwork
    grads = net.backward(net.forward(x, h0, c0 if cell else None), y)
    numeric = numeric_gradient(lambda: net.sequence_loss(x, y, h0, c0=c0 if cell else None), h0)
    assert relative_error(grads.initial_state, numeric) < TOLERANCE
    if cell:
        numeric_c = numeric_gradient(lambda: net.sequence_loss(x, y, h0, c0=c0), c0)
        assert relative_error(grads.initial_cell, numeric_c) < TOLERANCE


@pytest.mark.parametrize("cls", GATED, ids=["lstm", "gru"])
def test_a_window_as_long_as_the_sequence_is_exact_and_a_short_one_cuts(cls):
    net, x, y = problem(cls, "sigmoid", seed=4)
    forward = net.forward(x)
    exact = net.backward(forward, y)
    whole = net.backward(forward, y, window=len(x))
    cut = net.backward(forward, y, window=2)
    for name in net.parameter_names:
        np.testing.assert_array_equal(exact.params[name], whole.params[name])
    assert relative_error(exact.params["w_x" + cls.GATES[0]],
                          cut.params["w_x" + cls.GATES[0]]) > 1e-3
    # at the last step of every window only the step's own output speaks
    own = exact.output_errors @ net.w_hy
    np.testing.assert_allclose(cut.deltas[1::2], own[1::2], rtol=1e-14, atol=0)


def numeric_state_jacobian_diagonal(net: GatedNetwork, x, t: int) -> np.ndarray:
    """∂(c_T or h_T)/∂(c_t or h_t), unit by unit, by central differences: the forward
    pass is restarted at step t from the perturbed state."""
    forward = net.forward(x)
    lstm = forward.cell is not None
    states = forward.cell if lstm else forward.hidden
    out = np.zeros(net.n_hidden)
    for j in range(net.n_hidden):
        ends = []
        for sign in (1, -1):
            state = states[t].copy()
            state[j] += sign * EPS
            h, c = (forward.hidden[t], state) if lstm else (state, None)
            rest = net.forward(x[t:], h, c)
            ends.append((rest.cell if lstm else rest.hidden)[-1][j])
        out[j] = (ends[0] - ends[1]) / (2 * EPS)
    return out


@pytest.mark.parametrize("cls", GATED, ids=["lstm", "gru"])
def test_the_highway_is_the_product_of_forget_or_update_gates(cls):
    net, x, _ = problem(cls, "sigmoid", steps=8, seed=6)
    forward = net.forward(x)
    products = highway_products(forward)
    gate = forward.gates["f" if cls is LSTMNetwork else "z"]
    assert products.shape == (9, 4)
    np.testing.assert_array_equal(products[-1], np.ones(4))
    np.testing.assert_allclose(products[2], np.prod(gate[2:], axis=0), rtol=1e-13)
    # With no recurrent weights the highway is the only way back: the product is
    # then the whole derivative of the last state by an earlier one.
    net.w_h[...] = 0.0
    forward = net.forward(x)
    products = highway_products(forward)
    for t in (0, 3, 7):
        numeric = numeric_state_jacobian_diagonal(net, x, t)
        np.testing.assert_allclose(products[t], numeric, rtol=1e-7, atol=1e-12)
    assert (products[0] < products[7]).all()  # gates below 1 shrink the product going back


def test_the_lstm_forward_pass_follows_the_equations():
    net, x, _ = problem(LSTMNetwork, "sigmoid", steps=3, seed=2)
    p = net.parameters()
    sigma = lambda a: 1.0 / (1.0 + np.exp(-a))
    h, c = np.zeros(4), np.zeros(4)
    forward = net.forward(x)
    for t in range(3):
        pre = {k: p[f"w_x{k}"] @ x[t] + p[f"w_h{k}"] @ h + p[f"b_{k}"] for k in "ifgo"}
        i, f, o, g = sigma(pre["i"]), sigma(pre["f"]), sigma(pre["o"]), np.tanh(pre["g"])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(forward.cell[t + 1], c, rtol=1e-12)
        np.testing.assert_allclose(forward.hidden[t + 1], h, rtol=1e-12)
        np.testing.assert_allclose(forward.gates["f"][t], f, rtol=1e-12)


def test_the_gru_forward_pass_resets_after_the_recurrent_product():
    net, x, _ = problem(GRUNetwork, "sigmoid", steps=3, seed=2)
    p = net.parameters()
    sigma = lambda a: 1.0 / (1.0 + np.exp(-a))
    h = np.zeros(4)
    forward = net.forward(x)
    for t in range(3):
        r = sigma(p["w_xr"] @ x[t] + p["w_hr"] @ h + p["b_r"])
        z = sigma(p["w_xz"] @ x[t] + p["w_hz"] @ h + p["b_z"])
        n = np.tanh(p["w_xn"] @ x[t] + p["b_xn"] + r * (p["w_hn"] @ h + p["b_hn"]))
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(forward.hidden[t + 1], h, rtol=1e-12)
        np.testing.assert_allclose(forward.gates["r"][t], r, rtol=1e-12)


def test_the_forget_bias_starts_at_one_and_names_are_views_of_the_stacks():
    lstm = LSTMNetwork(2, 3, 1, seed=0)
    assert lstm.parameters()["b_f"].tolist() == [1.0, 1.0, 1.0]
    assert not lstm.parameters()["b_i"].any()
    lstm.parameters()["w_hg"][0, 0] = 5.0
    assert lstm.w_h[2 * 3, 0] == 5.0
    gru = GRUNetwork(2, 3, 1, seed=0)
    assert gru.parameter_names[-5:] == ("b_r", "b_z", "b_xn", "b_hn", "b_y")
    assert set(GRUNetwork(2, 3, 1, biases=False).parameter_names) == {
        "w_xr", "w_xz", "w_xn", "w_hr", "w_hz", "w_hn", "w_hy"}


@pytest.mark.parametrize("cell", CELLS)
def test_every_cell_trains_by_the_same_protocol_full_and_truncated(cell):
    rng = np.random.default_rng(0)
    x, y = rng.random((12, 2)), rng.random((12, 1))
    for mode, window in (("full", None), ("truncated", 4), ("online", None)):
        net = make_network(cell, 2, 5, 1, seed=1)
        before = net.sequence_loss(x, y)
        for _ in range(30):
            report = net.train_sequence(x, y, learning_rate=0.5, mode=mode, window=window,
                                        clipping=Clipping("norm", 1.0))
        assert net.sequence_loss(x, y) < before, (cell, mode)
        assert report.updates == {"full": 1, "truncated": 3, "online": 12}[mode]


@pytest.mark.parametrize("cls", GATED, ids=["lstm", "gru"])
def test_one_full_update_is_the_optimisers_step_on_the_clipped_gradient(cls):
    net, x, y = problem(cls, "sigmoid", seed=7)
    twin, _, _ = problem(cls, "sigmoid", seed=7)
    rule = Clipping("value", 0.01)
    grads = net.backward(net.forward(x), y)
    clipped, _ = rule.apply([grads.params[n] for n in net.parameter_names])
    expected = Adam()
    expected.step(twin.parameters(), dict(zip(net.parameter_names, clipped)), 0.1)
    report = net.train_sequence(x, y, learning_rate=0.1, clipping=rule, optimizer=Adam())
    assert report.clipped.tolist() == [True]
    for name in net.parameter_names:
        np.testing.assert_array_equal(net.parameters()[name], twin.parameters()[name])


def test_step_clipping_bounds_every_hidden_delta():
    net, x, y = problem(LSTMNetwork, "sigmoid", seed=8)
    grads = net.backward(net.forward(x), y, clipping=Clipping("value", 1e-3, scope="step"))
    assert np.abs(grads.deltas).max() <= 1e-3 and np.abs(grads.cell_deltas).max() <= 1e-3


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: make_network("elman", 2, 3, 1),
         "unknown cell 'elman'; choose one of rnn, lstm, gru"),
        (lambda: LSTMNetwork(2, 0, 1), "the number of hidden units must be at least 1"),
        (lambda: GRUNetwork(2, 3, 1, loss="cross_entropy"), "cross-entropy loss needs the softmax"),
        (lambda: LSTMNetwork(2, 3, 1).forward(np.ones((4, 3))),
         r"the inputs must have shape \(steps, 2\), not \(4, 3\)"),
        (lambda: GRUNetwork(2, 3, 1).forward([[0.0, float("nan")]]),
         "the inputs must be finite numbers"),
        (lambda: GRUNetwork(2, 3, 1).forward(np.ones((4, 2)), c0=np.ones(3)),
         "the GRU has no cell state c0"),
        (lambda: LSTMNetwork(2, 3, 1).sequence_loss(np.ones((4, 2)), np.ones((3, 1))),
         "the targets must have 4 steps, not 3"),
        (lambda: LSTMNetwork(2, 3, 1).train_sequence(np.ones((4, 2)), np.ones((4, 1)),
                                                     learning_rate=0.1, mode="truncated"),
         "truncated BPTT needs a window length k"),
        (lambda: LSTMNetwork(2, 3, 1).train_sequence(np.ones((4, 2)), np.ones((4, 1)),
                                                     learning_rate=0.1, optimizer="adam"),
         "the optimizer must be an optimizer"),
        (lambda: LSTMNetwork(2, 3, 1).set_parameters({"w_hh": np.ones((3, 3))}),
         "unknown parameter 'w_hh'"),
        (lambda: LSTMNetwork(2, 3, 1).set_parameters({"w_hf": np.full((3, 3), np.inf)}),
         "parameter w_hf must be finite numbers"),
        (lambda: LSTMNetwork(2, 3, 1).backward(ElmanNetwork(2, 3, 1).forward(np.ones((2, 2))),
                                               np.ones((2, 1))),
         "backward needs a forward pass of this network"),
        (lambda: LSTMNetwork(2, 3, 1).backward(LSTMNetwork(2, 4, 1).forward(np.ones((2, 2))),
                                               np.ones((2, 1))),
         "backward needs a forward pass of this network"),
        (lambda: GRUNetwork(2, 3, 1).backward(LSTMNetwork(2, 3, 1).forward(np.ones((2, 2))),
                                              np.ones((2, 1))),
         "backward needs a forward pass of this network"),
    ],
)
def test_bad_input_is_one_clear_line(call, message):
    with pytest.raises(InputError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_bad_input_changes_nothing():
    net = LSTMNetwork(2, 3, 1, seed=0)
    before = net.copy_parameters()
    with pytest.raises(InputError):
        net.set_parameters({"w_hf": np.zeros((3, 3)), "b_o": [1.0, float("nan"), 0.0]})
    with pytest.raises(InputError):
        net.train_sequence(np.ones((4, 2)), np.ones((4, 1)) * np.nan, learning_rate=0.1)
    for name, value in net.copy_parameters().items():
        np.testing.assert_array_equal(value, before[name])
