"""The engine's fast paths give the very floats of the plain formulas they replace.

rnnviz/engine/activations.py and elman.py compute the hidden activation and the
BPTT recursion in place, with one exp per step for the sigmoid and gemv through
np.dot (issue 14, "Speed"). Every number the lab, ``rnnviz task addition`` and
docs/bptt.md show must stay bit for bit what it was, so the formulas as they
were written before are kept here and compared with ``np.array_equal`` (and
equal NaN positions) on random networks, tails and special values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnviz.engine.activations import ACTIVATIONS, Activation
from rnnviz.engine.clipping import Clipping, row_norms
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.elman_output import output_errors, output_values, step_losses


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit, the sign of zero included; NaN where NaN (whatever its sign bit,
    which carries no number: the run stops at a NaN either way)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    nan = np.isnan(a)
    return bool(np.array_equal(nan, np.isnan(b))) and a[~nan].tobytes() == b[~nan].tobytes()


# -- the formulas as they were ----------------------------------------------------------

def plain_activation(act: Activation, z: np.ndarray) -> np.ndarray:
    kz = act.inner * z
    if act.name == "sigmoid":
        small = np.exp(-np.abs(kz))
        return np.where(kz >= 0, 1.0 / (1.0 + small), small / (1.0 + small))
    return np.tanh(kz)


def plain_slope(act: Activation, y: np.ndarray) -> np.ndarray:
    if act.name == "sigmoid":
        return act.output_slope * y * (1.0 - y)
    return act.output_slope * (1.0 - y * y)


def plain_forward(net: ElmanNetwork, x: np.ndarray, start: np.ndarray):
    act = net.hidden_activation
    a = x @ net.w_xh.T
    if net.biases:
        a += net.b_h
    hidden = np.empty((x.shape[0] + 1, net.n_hidden))
    hidden[0] = start
    h = hidden[0]
    for t in range(x.shape[0]):
        a[t] += net.w_hh @ h
        h = hidden[t + 1] = plain_activation(act, a[t])
    slope = plain_slope(act, hidden[1:])
    z = hidden[1:] @ net.w_hy.T
    if net.biases:
        z += net.b_y
    if net.output == "sigmoid":
        outputs = plain_activation(Activation("sigmoid", net.output_gain), z)
    else:
        outputs = output_values(z, net.output, net.output_gain)
    return a, hidden, slope, z, outputs


def plain_backward(net, x, hidden, slope, outputs, z, y, keep, window, step_clip):
    eps = output_errors(outputs, y, keep, loss=net.loss_name,
                        squared_error_factor=net.squared_error_factor,
                        output=net.output, gain=net.output_gain)
    from_output = eps @ net.w_hy
    T, H = x.shape[0], net.n_hidden
    deltas = np.empty((T, H))
    carried = np.zeros(H)
    for t in range(T - 1, -1, -1):
        if window is not None and (t + 1) % window == 0:
            carried = np.zeros(H)
        d = slope[t] * (from_output[t] + carried @ net.w_hh)
        if step_clip is not None:
            d, _ = step_clip.apply_to_vector(d)
        deltas[t] = d
        carried = d
    params = {"w_xh": deltas.T @ x, "w_hh": deltas.T @ hidden[:-1], "w_hy": eps.T @ hidden[1:]}
    if net.biases:
        params["b_h"] = deltas.sum(axis=0)
        params["b_y"] = eps.sum(axis=0)
    losses = step_losses(outputs, z, y, keep, loss=net.loss_name,
                         squared_error_factor=net.squared_error_factor)
    return params, deltas, deltas[0] @ net.w_hh, row_norms(deltas), losses


# -- activations ----------------------------------------------------------------------

SPECIAL = np.array([0.0, -0.0, 1e-300, -1e-300, 5e-324, -5e-324, 1e-17, -1e-17, 0.5, -0.5,
                    19.0, 20.0, 36.0, 37.0, 38.0, -36.0, -37.0, -38.0, 700.0, -700.0, 710.0,
                    -710.0, 745.0, -745.0, 746.0, -746.0, 1e308, -1e308, np.inf, -np.inf, np.nan])


def sample(rng: np.random.Generator, n: int) -> np.ndarray:
    """Values across every regime: near 0, the working range, the tails, and specials."""
    scales = 10.0 ** rng.uniform(-20, 3, n)
    return np.concatenate([SPECIAL, rng.standard_normal(n) * scales, rng.uniform(-50, 50, n)])


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("gain", [1.0, 0.5, 2.0, 3.7, 1e-3])
def test_activation_arrays_and_row_kernel_match_the_plain_formula(name: str, gain: float) -> None:
    act = Activation(name, gain)
    values = sample(np.random.default_rng(7), 4000)
    with np.errstate(all="ignore"):
        expected = plain_activation(act, values)
        assert same(act(values), expected)
        assert same(act(values.reshape(-1, 1)), expected.reshape(-1, 1))  # (T, M) outputs
        for size in (1, 3, 16, 17):  # rows of the hidden layer's sizes, SIMD tails included
            put = act.row_kernel(size)
            for start in range(0, values.size - size, size):
                z = values[start:start + size].copy()
                out = np.empty(size)
                put(z, out)
                assert same(out, expected[start:start + size])
                put(z, z)  # in place, as a caller may
                assert same(z, expected[start:start + size])


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_the_slope_from_the_output_matches_the_plain_formula(name: str, gain: float) -> None:
    act = Activation(name, gain)
    with np.errstate(all="ignore"):
        y = plain_activation(act, sample(np.random.default_rng(3), 2000))
        assert same(act.derivative_from_output(y), plain_slope(act, y))


def test_other_inputs_keep_the_plain_path() -> None:
    act = Activation("sigmoid", 1.0)
    assert same(act(np.array(0.3)), plain_activation(act, np.array(0.3)))  # 0-d stays an array
    as32 = np.linspace(-5, 5, 11, dtype=np.float32)
    assert same(act(as32), plain_activation(act, as32))
    assert act(0.3) == 1.0 / (1.0 + math.exp(-0.3))  # floats keep math.exp


# -- forward and backward ---------------------------------------------------------------

CASES = [
    dict(hidden="sigmoid", output="sigmoid", biases=False, squared_error_factor=0.5),  # addition
    dict(hidden="tanh", output="softmax", biases=True),                                # hello
    dict(hidden="bipolar", gain=1.7, output="linear", biases=True),
    dict(hidden="sigmoid", gain=0.6, output="sigmoid", output_gain=2.0, biases=True),
    dict(hidden="tanh", gain=3.0, output="softmax", loss="squared", biases=False),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_forward_and_backward_match_the_plain_formulas(case: int) -> None:
    rng = np.random.default_rng(case)
    for trial in range(30):
        n, h, m = int(rng.integers(1, 4)), int(rng.choice([1, 2, 3, 16, 17])), int(rng.integers(1, 5))
        T = int(rng.integers(1, 12))
        scale = float(rng.choice([0.1, 0.5, 3.0, 30.0]))  # 30: saturated units
        net = ElmanNetwork(n, h, m, init_scale=scale, seed=rng, **CASES[case])
        x = rng.standard_normal((T, n)) * 2
        y = rng.uniform(0, 1, (T, m))
        if net.output == "softmax":
            y = np.eye(m)[rng.integers(0, m, T)]
        start = rng.standard_normal(h) * 0.3
        mask = rng.uniform(size=T) < 0.7 if trial % 3 == 0 else None
        window = int(rng.integers(1, T + 1)) if trial % 2 else None
        clip = Clipping("norm", 0.05, scope="step") if trial % 5 == 4 else None

        forward = net.forward(x, start)
        a, hidden, slope, z, outputs = plain_forward(net, x, start)
        for got, want in zip((forward.pre_hidden, forward.hidden, forward.hidden_slope,
                              forward.pre_outputs, forward.outputs), (a, hidden, slope, z, outputs)):
            assert same(got, want)

        grads = net.backward(forward, y, mask=mask, window=window, clipping=clip)
        keep = None if mask is None else mask.astype(np.float64)
        params, deltas, initial, norms, losses = plain_backward(
            net, x, hidden, slope, outputs, z, y, keep, window, clip)
        assert grads.params.keys() == params.keys()
        for name in params:
            assert same(grads.params[name], params[name]), name
        assert same(grads.deltas, deltas)
        assert same(grads.initial_state, initial)
        assert same(grads.delta_norms, norms)
        assert same(grads.step_losses, losses)


def test_lab_addition_matches_training_with_the_plain_formulas() -> None:
    """The lab's addition preset, 300 updates: parameters and per-update numbers as the
    plain forward and backward give them (the run's own update, re-done by hand)."""
    from rnnviz.tasks.lab_presets import PRESETS

    run = PRESETS["addition"].make_run()
    run.seek(300)
    net = PRESETS["addition"].make_run().network
    eta = run.settings.learning_rate
    names = net.parameter_names
    for t in range(300):
        x, y, _ = run.source.example(t)
        a, hidden, slope, z, outputs = plain_forward(net, np.array(x, dtype=float), net.h0)
        params, _, _, norms, losses = plain_backward(
            net, np.array(x, dtype=float), hidden, slope, outputs, z, np.array(y, dtype=float),
            None, None, None)
        assert run.losses()[t] == float(losses.sum())
        assert same(run.delta_norm_matrix()[t], norms)
        for name in names:
            getattr(net, name).__isub__(eta * params[name])
    for name in names:
        assert same(getattr(run.network, name), getattr(net, name))


@pytest.mark.parametrize("clip", [None, Clipping("norm", 0.01), Clipping("value", 0.001),
                                  Clipping("norm", 0.05, scope="step")])
def test_full_bptt_training_matches_the_plain_update(clip: Clipping | None) -> None:
    """train_sequence in full mode (one window: the pass's arrays handed on) makes the
    update θ − η·g of the plain formulas and reports their numbers."""
    rng = np.random.default_rng(11)
    net = ElmanNetwork(2, 16, 1, hidden="sigmoid", output="sigmoid", biases=True, seed=rng)
    twin = ElmanNetwork(2, 16, 1, hidden="sigmoid", output="sigmoid", biases=True, seed=0)
    twin.set_parameters(net.copy_parameters())
    for _ in range(20):
        x, y = rng.integers(0, 2, (8, 2)).astype(float), rng.integers(0, 2, (8, 1)).astype(float)
        report = net.train_sequence(x, y, learning_rate=0.7, clipping=clip, record_weights=True)
        step = clip if clip is not None and clip.scope == "step" else None
        a, hidden, slope, z, outputs = plain_forward(twin, x, twin.h0)
        params, _, _, norms, losses = plain_backward(twin, x, hidden, slope, outputs, z, y,
                                                     None, None, step)
        arrays = [params[name] for name in twin.parameter_names]
        if clip is not None and clip.scope == "gradient":
            arrays, _ = clip.apply(arrays)
        for name, g in zip(twin.parameter_names, arrays):
            getattr(twin, name).__isub__(0.7 * g)
            assert same(getattr(net, name), getattr(twin, name)), name
            assert same(report.weights[0][name], getattr(twin, name))
        assert same(report.step_losses, losses) and same(report.delta_norms, norms)
        assert same(report.hidden, hidden) and same(report.outputs, outputs)
        assert report.window == 8 and report.updates == 1


def test_each_thread_has_its_own_row_kernel() -> None:
    """A row kernel keeps scratch arrays, so a thread never shares another's."""
    import threading

    act = Activation("sigmoid", 1.0)
    here = act.row_kernel(16)
    assert act.row_kernel(16) is here  # made once per activation, size and thread
    other = []
    thread = threading.Thread(target=lambda: other.append(act.row_kernel(16)))
    thread.start()
    thread.join()
    assert other[0] is not here


def plain_row_norms(matrix: np.ndarray) -> np.ndarray:
    """row_norms as it was: numpy's min and max decide whether the plain sums are exact."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
        if norms.size == 0 or (1e-145 < norms.min() and norms.max() < 1e145):
            return norms
        big = np.abs(matrix).max(axis=1) if matrix.shape[1] else np.zeros(matrix.shape[0])
        divisor = np.where((big > 0) & np.isfinite(big), big, 1.0)[:, None]
        scaled = matrix / divisor
        safe = divisor[:, 0] * np.sqrt(np.einsum("ij,ij->i", scaled, scaled))
        safe[np.isinf(big)] = np.inf
        return safe


@pytest.mark.parametrize("rows", [8, 64, 65, 300])
def test_row_norms_match_the_plain_formula_on_special_rows(rows: int) -> None:
    """Short tables are checked against the bounds in Python, long ones by numpy:
    either way the norms are the plain formula's, NaN, infinity, huge and tiny rows included."""
    rng = np.random.default_rng(rows)
    specials = [np.nan, np.inf, -np.inf, 1e200, 1e-200, 0.0, -0.0, 1e-150, 1e150]
    for special in [None, *specials]:
        matrix = rng.normal(size=(rows, 16))
        if special is not None:
            matrix[rng.integers(rows)] = special
            matrix[rng.integers(rows), rng.integers(16)] = special
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            assert same(row_norms(matrix), plain_row_norms(matrix)), special
    assert same(row_norms(np.empty((0, 4))), plain_row_norms(np.empty((0, 4))))


def test_training_does_not_change_or_keep_the_callers_arrays() -> None:
    """train_sequence reads the caller's inputs and targets uncopied: it must not write
    them, and its report must hold none of them (a later change of theirs changes nothing)."""
    net = ElmanNetwork(2, 4, 1, hidden="sigmoid", seed=3)
    x = np.random.default_rng(0).uniform(size=(6, 2))
    y = np.random.default_rng(1).uniform(size=(6, 1))
    x0, y0 = x.copy(), y.copy()
    report = net.train_sequence(x, y, learning_rate=0.5)
    kept = [report.step_losses.copy(), report.outputs.copy(), report.hidden.copy()]
    assert same(x, x0) and same(y, y0)
    x[...] = 7.0
    y[...] = 7.0
    assert all(same(a, b) for a, b in zip(kept, [report.step_losses, report.outputs, report.hidden]))
    strided = np.asfortranarray(x0)  # not C-ordered: copied, so the same numbers as C-ordered
    twin = ElmanNetwork(2, 4, 1, hidden="sigmoid", seed=3)
    again = twin.train_sequence(strided, y0, learning_rate=0.5)
    fresh = ElmanNetwork(2, 4, 1, hidden="sigmoid", seed=3)
    assert same(again.step_losses, fresh.train_sequence(x0, y0, learning_rate=0.5).step_losses)
