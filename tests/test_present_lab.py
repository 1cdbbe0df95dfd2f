"""The lab's view-models (rnnviz.present.lab) against the engine, on the four presets' shapes.

The networks are built here directly with ElmanNetwork, with the shapes of the
lab's presets: the worked example (1-1-1 sigmoid/linear, c = 1), binary addition
(2-16-1 sigmoid/sigmoid, 8 steps), "hello" (4-3-4 tanh/softmax) and vanishing
(1-16-1 tanh/linear, 64 steps, a loss at the last step only, W_hh orthogonal × r).
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.present.lab import (
    MAX_DECADES, backward_stages, delta_colour_scale, flow_series, unrolled_state,
)


def worked() -> tuple[ElmanNetwork, np.ndarray, np.ndarray, None]:
    """seed 003's shape: ``rnnviz bptt 1,0.5,-1,2 --u 0.7 --v 1.2 --w -0.4 --s 0.3``."""
    net = ElmanNetwork(1, 1, 1, hidden="sigmoid", output="linear", loss="squared",
                       squared_error_factor=1.0, biases=False)
    net.set_parameters({"w_xh": [[1.2]], "w_hh": [[-0.4]], "w_hy": [[0.7]], "h0": [0.3]})
    series = np.array([1.0, 0.5, -1.0, 2.0])
    return net, series[:-1].reshape(-1, 1), series[1:].reshape(-1, 1), None


def addition(seed: int = 1) -> tuple[ElmanNetwork, np.ndarray, np.ndarray, None]:
    """2-16-1, sigmoid/sigmoid, no biases, c = ½: 8-bit a + b, least-significant bit first."""
    rng = np.random.default_rng(seed)
    net = ElmanNetwork(2, 16, 1, hidden="sigmoid", output="sigmoid", loss="squared",
                       biases=False, init_scale=1.0, seed=rng)
    a, b = 77, 45
    bits = lambda n: (n >> np.arange(8)) & 1  # noqa: E731
    inputs = np.stack([bits(a), bits(b)], axis=1).astype(float)
    return net, inputs, bits(a + b).astype(float).reshape(-1, 1), None


def hello(seed: int = 2) -> tuple[ElmanNetwork, np.ndarray, np.ndarray, None]:
    """4-3-4 tanh, softmax, cross-entropy: "hell" → "ello"."""
    net = ElmanNetwork(4, 3, 4, hidden="tanh", output="softmax", biases=True,
                       init_scale=0.5, seed=seed)
    net.set_parameters({"b_h": [0.1, -0.2, 0.05], "b_y": [0.0, 0.1, -0.1, 0.2]})
    index = {c: i for i, c in enumerate("helo")}
    one_hot = np.eye(4)
    return (net, one_hot[[index[c] for c in "hell"]], one_hot[[index[c] for c in "ello"]], None)


def vanishing(r: float = 0.9, input_scale: float = 0.0, seed: int = 4, steps: int = 64):
    """1-16-1 tanh, linear output, 64 steps, loss at the last step only, W_hh = orthogonal × r."""
    rng = np.random.default_rng(seed)
    net = ElmanNetwork(1, 16, 1, hidden="tanh", output="linear", biases=False, seed=rng)
    orthogonal, _ = np.linalg.qr(rng.normal(size=(16, 16)))
    readout = rng.normal(size=(1, 16))
    net.set_parameters({"w_hh": r * orthogonal, "w_hy": readout / np.linalg.norm(readout),
                        "w_xh": rng.normal(size=(16, 1))})
    inputs = input_scale * rng.normal(size=(steps, 1))
    mask = np.zeros(steps, dtype=bool)
    mask[-1] = True
    return net, inputs, np.ones((steps, 1)), mask


SHAPES = {"worked": worked, "addition": addition, "hello": hello,
          "vanishing": lambda: vanishing(0.9, 0.3)}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("window", [None, 2, 3])
def test_numbers_equal_the_engines_forward_and_backward(shape: str, window: int | None) -> None:
    net, x, y, mask = SHAPES[shape]()
    state = unrolled_state(net, x, y, mask, window=window)
    forward = net.forward(x)
    grads = net.backward(forward, y, mask=mask, window=window)
    T = x.shape[0]
    assert (state.steps, state.n_in, state.n_hidden, state.n_out) == (
        T, net.n_inputs, net.n_hidden, net.n_outputs)
    np.testing.assert_array_equal(state.inputs, forward.inputs)
    np.testing.assert_array_equal(state.hidden, forward.hidden)
    np.testing.assert_array_equal(state.outputs, forward.outputs)
    np.testing.assert_array_equal(state.losses, grads.step_losses)
    assert state.loss == grads.loss
    assert np.abs(grads.deltas).max() > 1e-4  # a real signal, not all zeros
    # 1e−12 relative to each step's ‖δ_t‖ (a component that nearly cancels may
    # differ more relative to itself: the slopes differ in the last bits).
    difference = np.linalg.norm(state.deltas - grads.deltas, axis=1)
    assert (difference <= 1e-12 * grads.delta_norms).all()
    np.testing.assert_allclose(state.delta_norms, grads.delta_norms, rtol=1e-12)
    np.testing.assert_allclose(state.output_errors, grads.output_errors, rtol=1e-12, atol=1e-300)
    for t in range(T):
        J = np.diag(forward.hidden_slope[t]) @ net.w_hh.T
        assert state.factor_norms[t] == pytest.approx(np.linalg.norm(J, 2), rel=1e-12)
    for name, value in net.parameters().items():
        np.testing.assert_array_equal(state.weights[name], value)
        assert state.weights[name] is not value  # a copy: later training does not change it


@pytest.mark.parametrize("shape", SHAPES)
def test_hidden_gradients_are_dL_dh_by_running_the_tail(shape: str) -> None:
    # ∂L/∂h_t = W_hyᵀ ε_t (its own output) + ∂(later losses)/∂h_t, and the second
    # is the engine's ∂E/∂h_0 for the rest of the sequence started from h_t.
    net, x, y, mask = SHAPES[shape]()
    state = unrolled_state(net, x, y, mask)
    flow = flow_series(state)
    T = state.steps
    for t in range(1, T + 1):
        own = state.output_errors[t - 1] @ net.w_hy
        later = np.zeros(net.n_hidden)
        if t < T:
            tail = net.forward(x[t:], h0=state.hidden[t])
            tail_mask = None if mask is None else mask[t:]
            later = net.backward(tail, y[t:], mask=tail_mask).initial_state
        np.testing.assert_allclose(state.hidden_grads[t - 1], own + later, rtol=1e-11, atol=1e-15)
        assert flow.grad_norms[t - 1] == pytest.approx(np.linalg.norm(own + later), rel=1e-11)
    np.testing.assert_array_equal(flow.steps, np.arange(1, T + 1))


def test_vanishing_at_rest_every_factor_is_exactly_r() -> None:
    # Inputs 0 keep h = 0, where tanh′ = 1: J_t = W_hhᵀ, whose singular values are all r.
    r = 0.8
    net, x, y, mask = vanishing(r, 0.0)
    state = unrolled_state(net, x, y, mask)
    flow = flow_series(state)
    T = state.steps
    np.testing.assert_allclose(state.factor_norms, np.full(T, r), rtol=1e-12)
    # The loss is at step T only and the readout has norm 1: ‖δ_t‖ = r^(T−t)·‖δ_T‖.
    expected = state.delta_norms[-1] * r ** (T - np.arange(1, T + 1))
    np.testing.assert_allclose(state.delta_norms, expected, rtol=1e-11)
    np.testing.assert_allclose(flow.running_product, r ** (T - np.arange(1, T + 1) + 1), rtol=1e-11)
    np.testing.assert_allclose(flow.chain_norms, flow.running_product, rtol=1e-11)
    assert list(state.has_loss) == [False] * (T - 1) + [True]
    assert state.losses[:-1].tolist() == [0.0] * (T - 1) and state.losses[-1] > 0


def test_chain_norm_is_the_norm_of_the_product_and_below_the_product_of_norms() -> None:
    net, x, y, mask = hello()
    state = unrolled_state(net, x, y, mask)
    flow = flow_series(state)
    product = np.eye(3)
    for t in range(state.steps - 1, -1, -1):
        product = np.diag(state.slopes[t]) @ net.w_hh.T @ product
        assert flow.chain_norms[t] == pytest.approx(np.linalg.norm(product, 2), rel=1e-12)
        assert flow.chain_norms[t] <= flow.running_product[t] * (1 + 1e-12)
    assert flow.running_product[-1] == state.factor_norms[-1]
    assert flow.running_product[0] == pytest.approx(np.prod(state.factor_norms), rel=1e-14)


def _decimal_deltas(w_xh: float, w_hh: float, w_hy: float, h0: float,
                    xs: list[float], ts: list[float]) -> list[Decimal]:
    """δ_t of the 1-1-1 sigmoid/linear network (c = 1) from the definitions, to 80 digits."""
    with localcontext() as ctx:
        ctx.prec = 400
        D = Decimal
        h, slopes, eps = D(h0), [], []
        for x, t in zip(xs, ts):
            a = D(w_xh) * D(x) + D(w_hh) * h
            h = 1 / (1 + (-a).exp())
            slopes.append(h * (1 - h))
            eps.append(2 * (D(w_hy) * h - D(t)))
        deltas: list[Decimal] = [D(0)] * len(xs)
        carried = D(0)
        for i in range(len(xs) - 1, -1, -1):
            deltas[i] = slopes[i] * (D(w_hy) * eps[i] + D(w_hh) * carried)
            carried = deltas[i]
        return deltas


def test_saturated_deltas_are_tail_accurate_where_the_engine_says_zero() -> None:
    # A big input weight drives a_t to 40…63: σ′ ≈ 1e−18 … 1e−27, which the
    # engine's y(1 − y) rounds to exactly 0 (y rounds to 1).
    net, _, _, _ = worked()
    net.set_parameters({"w_xh": [[40.0]], "w_hh": [[3.0]]})
    xs, ts = [1.0, 1.2, 1.5], [0.5, -1.0, 2.0]
    x, y = np.array(xs).reshape(-1, 1), np.array(ts).reshape(-1, 1)
    engine = net.backward(net.forward(x), y).deltas[:, 0]
    state = unrolled_state(net, x, y)
    reference = _decimal_deltas(40.0, 3.0, 0.7, 0.3, xs, ts)
    assert (engine == 0.0).all()
    for got, exact in zip(state.deltas[:, 0], reference):
        assert got != 0.0 and math.isfinite(got)
        assert abs(Decimal(got) - exact) <= abs(exact) * Decimal("1e-12")
    assert (state.delta_norms > 0).all()
    # The legend reaches from the smallest |δ| (7.9e−28) to the largest |ε| (3.4).
    assert state.delta_scale == (-28.0, 1.0)


def test_saturated_vanishing_network_keeps_every_delta_positive() -> None:
    net, x, y, mask = vanishing(1.0, 0.0)
    x = np.full_like(x, 30.0)  # every unit pinned at ±1
    net.set_parameters({"w_xh": np.abs(net.w_xh) + 1.0})
    engine = net.backward(net.forward(x), y, mask=mask)
    state = unrolled_state(net, x, y, mask)
    assert (engine.delta_norms[:-1] == 0).all()
    tail = state.delta_norms[-6:]
    assert (tail > 0).all() and np.isfinite(tail).all()
    assert (np.diff(np.log10(tail)) > 10).all()  # each step back loses ten-plus decades


def test_stages_sweep_from_the_last_step_back() -> None:
    net, x, y, mask = addition()
    T = x.shape[0]
    assert backward_stages(T) == T + 1
    forward = unrolled_state(net, x, y)
    assert forward.stage is None and not forward.backward and not forward.swept.any()
    assert unrolled_state(net, x, y, stage=0).swept.tolist() == [False] * T
    for stage in range(1, T + 1):
        state = unrolled_state(net, x, y, stage=stage)
        assert state.front == T - stage + 1
        assert state.swept.tolist() == [t >= T - stage + 1 for t in range(1, T + 1)]
        np.testing.assert_array_equal(state.deltas, forward.deltas)  # the numbers never change
    for bad in (-1, T + 1, 1.5, "2", True):
        with pytest.raises(InputError, match="backward stage"):
            unrolled_state(net, x, y, stage=bad)


def test_window_shades_the_steps_outside_the_sweeps_window() -> None:
    net, x, y, mask = addition()  # T = 8, k = 3: windows 1–3, 4–6, 7–8
    state = unrolled_state(net, x, y, window=3)
    assert state.cuts == (4, 7)
    assert state.shaded.tolist() == [True] * 6 + [False] * 2
    at_step_5 = unrolled_state(net, x, y, window=3, stage=4)  # front at step 5
    assert at_step_5.shaded.tolist() == [True] * 3 + [False] * 3 + [True] * 2
    at_step_1 = unrolled_state(net, x, y, window=3, stage=8)
    assert at_step_1.shaded.tolist() == [False] * 3 + [True] * 5
    assert not unrolled_state(net, x, y, window=8).shaded.any()
    assert unrolled_state(net, x, y, window=8).cuts == ()
    with pytest.raises(InputError, match="window"):
        unrolled_state(net, x, y, window=0)


def test_colour_ranges_fit_each_layer() -> None:
    state = unrolled_state(*worked())
    assert state.hidden_range == (0.0, 1.0)
    assert state.output_range == (-2.0, 2.0)  # linear: symmetric, holding ŷ and the targets
    assert state.input_range == (-1.0, 1.0)
    state = unrolled_state(*hello())
    assert state.hidden_range == (-1.0, 1.0) and state.output_range == (0.0, 1.0)
    assert state.input_range == (0.0, 1.0)


def test_delta_colour_scale() -> None:
    assert delta_colour_scale([0.02, 0.5, 3.0]) == (-2.0, 1.0)
    assert delta_colour_scale([1e-15, 0.3]) == (-15.0, 0.0)
    assert delta_colour_scale([1e-300, 10.0]) == (1.0 - MAX_DECADES, 1.0)
    assert delta_colour_scale([0.0, np.nan, np.inf]) == (-1.0, 0.0)
    assert delta_colour_scale([]) == (-1.0, 0.0)
    assert delta_colour_scale([1.0, 1.0]) == (-1.0, 0.0)  # never degenerate
    assert delta_colour_scale([-0.05]) == (-2.0, -1.0)  # magnitudes


def test_huge_typed_weights_show_infinity_without_warnings(recwarn) -> None:
    net, x, y, mask = vanishing(0.9, 0.0)  # at rest: every step back multiplies δ by ~1e100
    net.set_parameters({"w_hh": 1e100 * np.sign(net.w_hh), "w_hy": np.full((1, 16), 1e100)})
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        state = unrolled_state(net, x, y, mask, stage=3)
        flow = flow_series(state)
    assert not recwarn.list
    assert np.isinf(state.delta_norms[:-3]).all() and np.isfinite(state.delta_norms[-1])
    assert not np.isnan(state.delta_norms).any()
    assert np.isfinite(state.factor_norms).all() and state.factor_norms[0] > 1e100
    lo, hi = state.delta_scale
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
    assert flow.grad_norms.shape == (64,)
