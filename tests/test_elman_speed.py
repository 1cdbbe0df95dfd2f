"""The Elman engine's faster paths keep every float (issue 14, "Speed").

The output sigmoid of a pass (T × M numbers) goes through a cached row kernel
instead of making its temporaries; the numbers must stay those of the plain
formula, bit for bit, in every regime (tests/test_engine_speedups.py holds the
whole passes and training to the plain formulas too).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.activations import KERNEL_MOST, Activation, sigmoid_array
from rnnviz.engine.elman import ElmanNetwork
from test_engine_speedups import plain_activation, plain_backward, plain_forward, same, sample


@pytest.mark.parametrize("inner", [1.0, 2.0, 0.37])
def test_the_sigmoid_of_an_array_is_the_plain_formula_whatever_its_size_and_layout(inner: float) -> None:
    act = Activation("sigmoid", inner)
    values = sample(np.random.default_rng(5), 3000)
    with np.errstate(all="ignore"):
        for size in (1, 2, 7, 8, 16, 64, 1000, KERNEL_MOST, KERNEL_MOST + 1, values.size):
            z = values[:size]
            want = plain_activation(act, z)
            assert same(sigmoid_array(inner, z), want), size
            assert same(sigmoid_array(inner, z.reshape(-1, 1)), want.reshape(-1, 1)), size
        strided = values[::3]  # not C-ordered: the plain way, the same numbers
        assert same(sigmoid_array(inner, strided), plain_activation(act, strided))
        z = values[:16].copy()
        before = z.copy()
        out = sigmoid_array(inner, z)
        assert same(z, before) and out is not z  # the input is left alone, the output is new
        again = sigmoid_array(inner, z)
        assert same(out, again) and again is not out  # no scratch array is handed out twice


def test_a_fixed_addition_training_gives_the_plain_formulas_floats() -> None:
    """2-16-1 sigmoid network, 200 full-BPTT updates on random 8-step sums through
    ``train_sequence``, beside the plain forward, backward and update: every weight,
    output and loss the same, bit for bit."""
    rng = np.random.default_rng(14)
    net = ElmanNetwork(2, 16, 1, hidden="sigmoid", output="sigmoid", biases=False, seed=1)
    twin = ElmanNetwork(2, 16, 1, hidden="sigmoid", output="sigmoid", biases=False, seed=1)
    for _ in range(200):
        x = rng.integers(0, 2, (8, 2)).astype(float)
        y = rng.integers(0, 2, (8, 1)).astype(float)
        report = net.train_sequence(x, y, learning_rate=0.5)
        _, hidden, slope, z, outputs = plain_forward(twin, x, twin.h0)
        params, _, _, norms, losses = plain_backward(twin, x, hidden, slope, outputs, z, y,
                                                     None, None, None)
        for name in twin.parameter_names:
            getattr(twin, name).__isub__(0.5 * params[name])
        assert same(report.outputs, outputs) and same(report.step_losses, losses)
        assert same(report.delta_norms, norms)
    for name in net.parameter_names:
        assert same(getattr(net, name), getattr(twin, name)), name
