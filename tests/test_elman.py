"""Tests for the Elman network: BPTT against finite differences, learning modes,
clipping rules, the one-neuron equivalence and input validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from gradcheck import EPS, numeric_gradient, relative_error

from rnnviz.engine.clipping import (
    Clipping,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    row_norms,
)
from rnnviz.engine.elman import MAX_INIT_SCALE, MAX_UNITS, ElmanNetwork, bptt_gradients
from rnnviz.engine.errors import InputError

TOLERANCE = 1e-6


# ------------------------------------------------------------------ helpers


def random_problem(n, h, m, *, hidden, output, loss=None, biases=True, gain=1.0, steps=6, seed=0):
    rng = np.random.default_rng(seed)
    net = ElmanNetwork(
        n, h, m, hidden=hidden, output=output, loss=loss, biases=biases, gain=gain,
        init_scale=0.8, seed=rng,
    )
    if biases:
        net.set_parameters({"b_h": rng.normal(size=h), "b_y": rng.normal(size=m)})
    x = rng.normal(size=(steps, n))
    if output == "softmax":
        # one-hot targets for cross-entropy, arbitrary probability vectors otherwise
        if loss == "squared":
            y = rng.dirichlet(np.ones(m), steps)
        else:
            y = np.eye(m)[rng.integers(0, m, steps)]
    elif output == "sigmoid":
        y = rng.random((steps, m))
    else:
        y = rng.normal(size=(steps, m))
    h0 = rng.normal(size=h) * 0.5
    return net, x, y, h0


def window_loss(net: ElmanNetwork, x, y, states: np.ndarray, k: int) -> float:
    """The loss that truncated BPTT(k) differentiates: each window's loss with
    its incoming state held at *states* (from the unperturbed forward pass)."""
    total = 0.0
    for lo in range(0, len(x), k):
        window = net.forward(x[lo : lo + k], states[lo])
        total += float(net.step_losses(window, y[lo : lo + k]).sum())
    return total


# ------------------------------------------------- gradients vs finite differences

OUTPUT_CASES = [
    ("sigmoid", "squared"),
    ("linear", "squared"),
    ("softmax", "cross_entropy"),
    ("softmax", "squared"),
]
SHAPES = [(1, 1, 1), (2, 3, 1), (3, 4, 2), (4, 3, 4)]
ACTIVATION_OUTPUT_PAIRS = [("tanh", "softmax"), ("sigmoid", "sigmoid"), ("bipolar", "linear")]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "bipolar"])
@pytest.mark.parametrize("output,loss", OUTPUT_CASES)
@pytest.mark.parametrize("biases", [True, False], ids=["bias", "nobias"])
def test_full_bptt_matches_finite_differences(shape, hidden, output, loss, biases):
    n, h, m = shape
    if output == "softmax" and m == 1:
        m = 2  # a softmax over one output is constant
    net, x, y, h0 = random_problem(n, h, m, hidden=hidden, output=output, loss=loss, biases=biases)
    grads = bptt_gradients(net, x, y, h0=h0)
    def loss_fn():
        return net.sequence_loss(x, y, h0)
    assert set(grads.params) == set(net.parameter_names)
    for name, array in net.parameters().items():
        numeric = numeric_gradient(loss_fn, array)
        assert np.abs(numeric).max() > 1e-8, name  # the check must not be vacuous
        assert relative_error(grads.params[name], numeric) < TOLERANCE, name
    start = h0.copy()
    numeric_h0 = numeric_gradient(lambda: net.sequence_loss(x, y, start), start)
    assert relative_error(grads.initial_state, numeric_h0) < TOLERANCE
    assert grads.loss == pytest.approx(loss_fn(), rel=1e-12)


@pytest.mark.parametrize("gain", [0.5, 2.0])
def test_gain_enters_the_gradient(gain):
    net, x, y, h0 = random_problem(2, 3, 2, hidden="tanh", output="sigmoid", gain=gain, seed=3)
    net.output_gain = gain
    grads = bptt_gradients(net, x, y, h0=h0)
    for name, array in net.parameters().items():
        numeric = numeric_gradient(lambda: net.sequence_loss(x, y, h0), array)
        assert relative_error(grads.params[name], numeric) < TOLERANCE, name


def test_masked_steps_carry_no_loss_and_gradients_match():
    net, x, y, h0 = random_problem(2, 3, 2, hidden="tanh", output="linear", steps=7, seed=4)
    mask = np.array([False, True, False, False, True, False, True])
    grads = bptt_gradients(net, x, y, h0=h0, mask=mask)
    assert np.all(grads.step_losses[~mask] == 0.0)
    assert np.all(grads.output_errors[~mask] == 0.0)
    for name, array in net.parameters().items():
        numeric = numeric_gradient(lambda: net.sequence_loss(x, y, h0, mask), array)
        assert relative_error(grads.params[name], numeric) < TOLERANCE, name


@pytest.mark.parametrize("k", [1, 2, 3, 7])
@pytest.mark.parametrize("hidden,output", ACTIVATION_OUTPUT_PAIRS)
def test_truncated_gradient_is_the_gradient_of_the_window_losses(k, hidden, output):
    net, x, y, h0 = random_problem(3, 4, 3, hidden=hidden, output=output, steps=7, seed=k)
    grads = bptt_gradients(net, x, y, h0=h0, window=k)
    states = net.forward(x, h0).hidden.copy()
    for name, array in net.parameters().items():
        numeric = numeric_gradient(lambda: window_loss(net, x, y, states, k), array)
        assert relative_error(grads.params[name], numeric) < TOLERANCE, name


def test_truncation_changes_the_gradient_and_window_of_whole_length_does_not():
    net, x, y, h0 = random_problem(2, 3, 1, hidden="tanh", output="sigmoid", steps=8, seed=5)
    exact = bptt_gradients(net, x, y, h0=h0)
    whole = bptt_gradients(net, x, y, h0=h0, window=8)
    cut = bptt_gradients(net, x, y, h0=h0, window=2)
    np.testing.assert_array_equal(exact.params["w_hh"], whole.params["w_hh"])
    assert relative_error(exact.params["w_hh"], cut.params["w_hh"]) > 1e-3
    # δ does not cross a window start: the last δ of every window is the
    # step's own contribution only
    eps = exact.output_errors
    forward = net.forward(x, h0)
    own = forward.hidden_slope * (eps @ net.w_hy)
    np.testing.assert_allclose(cut.deltas[1::2], own[1::2], rtol=1e-14, atol=0)


def test_delta_norms_are_the_norms_of_the_deltas():
    net, x, y, h0 = random_problem(2, 5, 2, hidden="tanh", output="softmax", steps=9, seed=6)
    grads = bptt_gradients(net, x, y, h0=h0)
    np.testing.assert_allclose(grads.delta_norms, np.linalg.norm(grads.deltas, axis=1), rtol=1e-14)
    assert grads.delta_norms.shape == (9,) and (grads.delta_norms > 0).all()


def numeric_delta(net: ElmanNetwork, x, y, h0, t: int) -> np.ndarray:
    """∂E/∂a_t by central differences, shifting a_t through an input at step t only."""
    out = np.zeros(net.n_hidden)
    for j in range(net.n_hidden):
        def loss(shift: float) -> float:
            # run step by step so that only a_t moves
            state, total = h0.copy(), 0.0
            for s in range(len(x)):
                a = net.w_xh @ x[s] + net.w_hh @ state + net.b_h
                if s == t:
                    a[j] += shift
                state = net.hidden_activation(a)
                z = net.w_hy @ state + net.b_y
                p = 0.5 * np.tanh(0.5 * z) + 0.5
                total += 0.5 * float(((p - y[s]) ** 2).sum())
            return total
        out[j] = (loss(EPS) - loss(-EPS)) / (2 * EPS)
    return out


def test_each_delta_is_the_derivative_by_the_hidden_pre_activation():
    net, x, y, h0 = random_problem(2, 3, 2, hidden="tanh", output="sigmoid", steps=6, seed=7)
    grads = bptt_gradients(net, x, y, h0=h0)
    for t in (0, 2, 5):
        assert relative_error(grads.deltas[t], numeric_delta(net, x, y, h0, t)) < TOLERANCE


# ------------------------------------------------------------ learning modes


def manual_training(net: ElmanNetwork, x, y, h0, eta: float, k: int) -> dict[str, np.ndarray]:
    """Reference: per window, step along the finite-difference gradient of the
    window's loss, then carry the state the window reached with its old weights."""
    state = h0.copy()
    for lo in range(0, len(x), k):
        xs, ys = x[lo : lo + k], y[lo : lo + k]
        start = state.copy()
        def loss():
            return net.sequence_loss(xs, ys, start)
        numeric = {name: numeric_gradient(loss, a) for name, a in net.parameters().items()}
        state = net.forward(xs, start).final_hidden.copy()
        for name, g in numeric.items():
            getattr(net, name)[...] -= eta * g
    return net.copy_parameters()


@pytest.mark.parametrize(
    "mode,window", [("full", None), ("truncated", 2), ("truncated", 3), ("online", None)]
)
@pytest.mark.parametrize("hidden,output", ACTIVATION_OUTPUT_PAIRS)
def test_training_modes_step_along_finite_difference_gradients(mode, window, hidden, output):
    net, x, y, h0 = random_problem(2, 3, 2, hidden=hidden, output=output, steps=7, seed=11)
    reference = ElmanNetwork(2, 3, 2, hidden=hidden, output=output, seed=0)
    reference.set_parameters(net.copy_parameters())
    k = {"full": 7, "online": 1}.get(mode, window)
    expected = manual_training(reference, x, y, h0, 0.3, k)
    report = net.train_sequence(x, y, learning_rate=0.3, mode=mode, window=window, h0=h0)
    assert report.updates == -(-7 // k)
    assert report.window == k
    for name, value in expected.items():
        assert relative_error(getattr(net, name), value) < TOLERANCE, name


def test_truncated_with_window_at_least_the_length_is_full_bptt():
    net_a, x, y, h0 = random_problem(2, 3, 1, hidden="tanh", output="sigmoid", steps=5, seed=12)
    net_b = ElmanNetwork(2, 3, 1, hidden="tanh", output="sigmoid")
    net_b.set_parameters(net_a.copy_parameters())
    net_a.train_sequence(x, y, learning_rate=0.5, mode="full", h0=h0)
    report = net_b.train_sequence(x, y, learning_rate=0.5, mode="truncated", window=9, h0=h0)
    assert report.updates == 1
    for name in net_a.parameter_names:
        np.testing.assert_array_equal(getattr(net_a, name), getattr(net_b, name))


def test_report_records_the_pass_and_optional_snapshots():
    net, x, y, h0 = random_problem(2, 3, 2, hidden="tanh", output="linear", steps=6, seed=13)
    before = net.forward(x, h0)
    expected_losses = net.step_losses(before, y)
    report = net.train_sequence(
        x, y, learning_rate=0.1, mode="truncated", window=3, h0=h0, record_weights=True
    )
    # the first window ran with the initial weights
    np.testing.assert_allclose(report.step_losses[:3], expected_losses[:3], rtol=1e-14)
    np.testing.assert_allclose(report.outputs[:3], before.outputs[:3], rtol=1e-14)
    assert report.hidden.shape == (7, 3) and report.delta_norms.shape == (6,)
    assert len(report.weights) == 2
    for name in net.parameter_names:
        np.testing.assert_array_equal(report.weights[-1][name], getattr(net, name))
    assert not np.array_equal(report.weights[0]["w_hh"], report.weights[1]["w_hh"])


def test_updates_happen_in_place():
    net, x, y, h0 = random_problem(2, 3, 1, hidden="tanh", output="sigmoid", seed=14)
    held = net.w_hh
    old = held.copy()
    net.train_sequence(x, y, learning_rate=0.5)
    assert net.w_hh is held and not np.array_equal(held, old)


# ------------------------------------------------- the one-neuron equivalence

BIT_STRINGS = [
    [1, 0] * 10,
    [1] * 10 + [0] * 10,
    [0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1],
]
INITS = [(0.0, 0.0, 0.0), (0.3, -0.7, 1.1), (-1.5, 2.0, -0.4)]


@pytest.mark.parametrize("bits,init", list(itertools.product(BIT_STRINGS, INITS)))
@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_online_mode_equals_the_one_neuron_simultaneous_rule(bits, init, gain):
    from rnnviz.engine.learner import LearnerParams, trace

    params = LearnerParams(
        eta=5.0, rule="simultaneous", activation="sigmoid", gain=gain, init=init, h0=0.0
    )
    hist = trace(bits, params)
    net = ElmanNetwork(
        1, 1, 1, hidden="sigmoid", gain=gain, output="sigmoid", output_gain=gain, biases=False
    )
    ih, hh, ho = init
    net.set_parameters({"w_xh": [[ih]], "w_hh": [[hh]], "w_hy": [[ho]]})
    series = np.array(bits, dtype=float)
    report = net.train_sequence(
        series[:-1], series[1:], learning_rate=5.0, mode="online", record_weights=True
    )
    assert report.updates == len(hist) == len(bits) - 1
    for mine, theirs in (("w_xh", "ih"), ("w_hh", "hh"), ("w_hy", "ho")):
        values = np.array([w[mine][0, 0] for w in report.weights])
        np.testing.assert_allclose(values, hist[theirs], rtol=0, atol=1e-12)
    np.testing.assert_allclose(report.hidden[1:, 0], hist["h"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(report.outputs[:, 0], hist["yhat"], rtol=0, atol=1e-12)


# ------------------------------------------------------------------ clipping


def test_clip_by_value_clamps_each_component_and_leaves_the_input_alone():
    g = [np.array([[3.0, -0.5], [-7.0, 1.0]]), np.array([0.2, -2.5])]
    kept = [a.copy() for a in g]
    clipped = clip_by_value(g, 1.0)
    np.testing.assert_array_equal(clipped[0], [[1.0, -0.5], [-1.0, 1.0]])
    np.testing.assert_array_equal(clipped[1], [0.2, -1.0])
    for a, b in zip(g, kept):
        np.testing.assert_array_equal(a, b)


def test_clip_by_global_norm_rescales_all_arrays_together_keeping_direction():
    g = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]  # global norm 5
    clipped, norm = clip_by_global_norm(g, 2.5)
    assert norm == 5.0
    assert global_norm(clipped) == pytest.approx(2.5, rel=1e-15)
    np.testing.assert_allclose(clipped[0], [1.5, 0.0], rtol=1e-15)
    np.testing.assert_allclose(clipped[1], [[0.0, 2.0]], rtol=1e-15)


def test_clipping_below_the_threshold_changes_nothing():
    g = [np.array([0.3, -0.4])]
    same, norm = clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(0.5)
    np.testing.assert_array_equal(same[0], g[0])
    assert same[0] is not g[0]
    np.testing.assert_array_equal(clip_by_value(g, 1.0)[0], g[0])
    assert Clipping("norm", 1.0).apply(g)[1] is False
    assert Clipping("value", 1.0).apply(g)[1] is False
    assert Clipping("value", 0.35).apply(g)[1] is True


def test_zero_gradient_survives_norm_clipping():
    clipped, norm = clip_by_global_norm([np.zeros(3)], 1.0)
    assert norm == 0.0 and not np.isnan(clipped[0]).any()


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), "x", None])
def test_bad_thresholds_are_input_errors(bad):
    with pytest.raises(InputError, match="threshold"):
        clip_by_value([np.ones(2)], bad)
    with pytest.raises(InputError, match="threshold"):
        clip_by_global_norm([np.ones(2)], bad)
    with pytest.raises(InputError, match="threshold"):
        Clipping("norm", bad)


def test_unknown_clipping_kind_or_scope_is_an_input_error():
    with pytest.raises(InputError, match="kind"):
        Clipping("abs", 1.0)
    with pytest.raises(InputError, match="scope"):
        Clipping("norm", 1.0, scope="layer")


def test_huge_but_finite_components_are_clipped_by_norm_keeping_direction():
    # Their squares overflow a float; the old code then scaled by 5 / inf = 0.
    rule = Clipping("norm", 5.0, scope="step")
    clipped, changed = rule.apply_to_vector(np.array([3e200, -4e200]))
    assert changed
    np.testing.assert_allclose(clipped, [3.0, -4.0], rtol=1e-14)
    clipped, changed = rule.apply_to_vector(np.full(8, 1e308))
    np.testing.assert_allclose(clipped, np.full(8, 5.0 / np.sqrt(8)), rtol=1e-14)
    arrays = [np.array([1.5e308]), np.array([[-1.5e308]])]
    together, norm = clip_by_global_norm(arrays, 5.0)
    assert norm == np.inf  # sqrt(2)·1.5e308 is beyond the largest float
    np.testing.assert_allclose(together[0], [5.0 / np.sqrt(2)], rtol=1e-14)
    np.testing.assert_allclose(together[1], [[-5.0 / np.sqrt(2)]], rtol=1e-14)
    clipped, changed = Clipping("norm", 5.0).apply([np.array([3e200]), np.array([4e200])])
    assert changed and [c.item() for c in clipped] == pytest.approx([3.0, 4.0], rel=1e-14)


def test_norms_of_huge_and_tiny_arrays_are_exact():
    assert global_norm([np.array([3e200]), np.array([[4e200]])]) == pytest.approx(5e200, rel=1e-14)
    assert global_norm([np.array([3e-200]), np.array([[4e-200]])]) == pytest.approx(
        5e-200, rel=1e-14
    )
    assert global_norm([np.zeros(3)]) == 0.0 and global_norm([]) == 0.0
    rows = np.array([[3e200, 4e200], [3e-200, -4e-200], [0.0, 0.0], [3.0, 4.0], [1.5e308, 1.5e308]])
    norms = row_norms(rows)
    np.testing.assert_allclose(norms[:4], [5e200, 5e-200, 0.0, 5.0], rtol=1e-14)
    assert norms[4] == np.inf


@pytest.mark.parametrize("scale", [1e200, 1e-200])
def test_delta_norms_and_step_clipping_hold_for_huge_and_tiny_deltas(scale):
    net = ElmanNetwork(1, 2, 1, hidden="tanh", output="linear", biases=False)
    # at rest (input 0, h = 0): ε = −1 and δ = W_hyᵀ·ε = −scale·(3, 4)
    net.set_parameters({"w_xh": [[0.0], [0.0]], "w_hy": [[3 * scale, 4 * scale]]})
    grads = bptt_gradients(net, [0.0], [1.0])
    np.testing.assert_allclose(grads.deltas[0], [-3 * scale, -4 * scale], rtol=1e-14)
    assert grads.delta_norms[0] == pytest.approx(5 * scale, rel=1e-14)
    clipped = bptt_gradients(net, [0.0], [1.0], clipping=Clipping("norm", 1e-300, scope="step"))
    np.testing.assert_allclose(clipped.deltas[0], [-0.6e-300, -0.8e-300], rtol=1e-12)


def test_gradient_norm_clipping_limits_the_update_to_eta_times_threshold():
    net, x, y, h0 = random_problem(2, 4, 2, hidden="tanh", output="linear", steps=6, seed=21)
    net.set_parameters({"w_hy": net.w_hy * 20})  # a large gradient
    before = net.copy_parameters()
    raw = bptt_gradients(net, x, y, h0=h0)
    assert raw.norm() > 1.0
    report = net.train_sequence(x, y, learning_rate=0.1, clipping=Clipping("norm", 1.0), h0=h0)
    assert report.clipped.tolist() == [True]
    assert report.gradient_norms[0] == pytest.approx(raw.norm(), rel=1e-12)
    step = [getattr(net, n) - before[n] for n in net.parameter_names]
    assert global_norm(step) == pytest.approx(0.1, rel=1e-12)
    # same direction as the raw gradient
    direction = np.concatenate([-raw.params[n].ravel() for n in net.parameter_names])
    moved = np.concatenate([s.ravel() for s in step])
    assert relative_error(moved / 0.1, direction / np.linalg.norm(direction)) < 1e-12


def test_gradient_value_clipping_limits_every_component_of_the_update():
    net, x, y, h0 = random_problem(2, 4, 2, hidden="tanh", output="linear", steps=6, seed=22)
    net.set_parameters({"w_hy": net.w_hy * 20})
    raw = bptt_gradients(net, x, y, h0=h0)
    before = net.copy_parameters()
    net.train_sequence(x, y, learning_rate=0.1, clipping=Clipping("value", 0.5), h0=h0)
    for name in net.parameter_names:
        expected = before[name] - 0.1 * np.clip(raw.params[name], -0.5, 0.5)
        np.testing.assert_allclose(getattr(net, name), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("kind", ["norm", "value"])
def test_step_clipping_bounds_every_delta(kind):
    net, x, y, h0 = random_problem(3, 5, 2, hidden="tanh", output="linear", steps=12, seed=23)
    net.set_parameters({"w_hh": net.w_hh * 3, "w_hy": net.w_hy * 10})
    free = bptt_gradients(net, x, y, h0=h0)
    assert free.deltas.max() > 0.2 or free.delta_norms.max() > 0.2
    rule = Clipping(kind, 0.2, scope="step")
    clipped = bptt_gradients(net, x, y, h0=h0, clipping=rule)
    if kind == "norm":
        assert clipped.delta_norms.max() <= 0.2 * (1 + 1e-12)
    else:
        assert np.abs(clipped.deltas).max() <= 0.2
    loose = bptt_gradients(net, x, y, h0=h0, clipping=Clipping(kind, 1e9, scope="step"))
    np.testing.assert_array_equal(loose.deltas, free.deltas)


def test_gradient_scope_rule_does_not_touch_deltas():
    net, x, y, h0 = random_problem(2, 3, 2, hidden="tanh", output="linear", seed=24)
    free = bptt_gradients(net, x, y, h0=h0)
    same = bptt_gradients(net, x, y, h0=h0, clipping=Clipping("norm", 1e-6))
    np.testing.assert_array_equal(free.deltas, same.deltas)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "sizes", [(0, 2, 1), (1, -3, 1), (1, 2, 0), (1.5, 2, 1), (True, 2, 1), ("2", 2, 1)]
)
def test_bad_sizes_are_input_errors(sizes):
    with pytest.raises(InputError):
        ElmanNetwork(*sizes)


@pytest.mark.parametrize(
    "sizes,which",
    [
        ((10**6, 10**6, 1), "inputs"),
        ((1, MAX_UNITS + 1, 1), "hidden units"),
        ((1, 2, 10**9), "outputs"),
    ],
)
def test_sizes_beyond_the_limit_are_input_errors_not_allocations(sizes, which):
    with pytest.raises(InputError, match=f"number of {which} must be at most {MAX_UNITS}"):
        ElmanNetwork(*sizes)


def test_the_largest_sizes_and_scale_are_accepted():
    net = ElmanNetwork(1, MAX_UNITS, 1, init_scale=MAX_INIT_SCALE, seed=0)
    assert net.w_hh.shape == (MAX_UNITS, MAX_UNITS)
    assert np.abs(net.w_hh).max() <= MAX_INIT_SCALE


@pytest.mark.parametrize(
    "options,match",
    [
        ({"hidden": "relu"}, "hidden activation"),
        ({"output": "tanh"}, "output"),
        ({"loss": "hinge"}, "loss"),
        ({"output": "sigmoid", "loss": "cross_entropy"}, "softmax"),
        ({"gain": 0.0}, "gain"),
        ({"gain": float("nan")}, "gain"),
        ({"squared_error_factor": -1.0}, "factor"),
        ({"init_scale": -0.1}, "scale"),
        ({"init_scale": float("inf")}, "scale"),
        ({"init_scale": 1e308}, "scale must be at most 1000"),
        ({"init_scale": 1000.5}, "scale must be at most 1000"),
    ],
)
def test_bad_network_options_are_input_errors(options, match):
    with pytest.raises(InputError, match=match):
        ElmanNetwork(2, 3, 2, **options)


def test_bad_training_input_is_rejected_and_changes_nothing():
    net, x, y, h0 = random_problem(2, 3, 2, hidden="tanh", output="sigmoid", seed=30)
    before = net.copy_parameters()
    bad_x = x.copy()
    bad_x[2, 1] = np.nan
    cases = [
        dict(inputs=bad_x, targets=y, learning_rate=0.1),
        dict(inputs=x, targets=y[:-1], learning_rate=0.1),
        dict(inputs=x[:, :1], targets=y, learning_rate=0.1),
        dict(inputs=x[:0], targets=y[:0], learning_rate=0.1),
        dict(inputs=x, targets=y, learning_rate=0.0),
        dict(inputs=x, targets=y, learning_rate=float("inf")),
        dict(inputs=x, targets=y, learning_rate=0.1, mode="sideways"),
        dict(inputs=x, targets=y, learning_rate=0.1, mode="truncated"),
        dict(inputs=x, targets=y, learning_rate=0.1, mode="truncated", window=0),
        dict(inputs=x, targets=y, learning_rate=0.1, mode="full", window=3),
        dict(inputs=x, targets=y, learning_rate=0.1, mask=[True] * 3),
        dict(inputs=x, targets=y, learning_rate=0.1, h0=[1.0, 2.0]),
        dict(inputs=x, targets=y, learning_rate=0.1, clipping="norm"),
    ]
    for case in cases:
        with pytest.raises(InputError):
            net.train_sequence(case.pop("inputs"), case.pop("targets"), **case)
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(net, name), value)


def test_set_parameters_checks_everything_before_writing():
    net = ElmanNetwork(2, 3, 1, seed=1)
    before = net.copy_parameters()
    with pytest.raises(InputError, match="finite"):
        net.set_parameters({"w_xh": np.ones((3, 2)), "w_hh": np.full((3, 3), np.inf)})
    with pytest.raises(InputError, match="unknown parameter"):
        net.set_parameters({"w_xh": np.ones((3, 2)), "w_zz": 1.0})
    with pytest.raises(InputError, match="shape"):
        net.set_parameters({"w_hy": np.ones(5)})
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(net, name), value)


def test_network_without_biases_has_no_bias_parameters():
    net = ElmanNetwork(2, 3, 1, biases=False)
    assert net.parameter_names == ("w_xh", "w_hh", "w_hy")
    with pytest.raises(InputError, match="unknown parameter"):
        net.set_parameters({"b_h": np.ones(3)})


def test_same_seed_same_weights_and_sigmoid_is_stable_for_huge_inputs():
    a = ElmanNetwork(2, 3, 2, hidden="sigmoid", output="sigmoid", seed=42)
    b = ElmanNetwork(2, 3, 2, hidden="sigmoid", output="sigmoid", seed=42)
    np.testing.assert_array_equal(a.w_hh, b.w_hh)
    out = a.forward(np.full((3, 2), 1e6)).outputs
    assert np.isfinite(out).all() and (out >= 0).all() and (out <= 1).all()
