"""Activations: the right values, stable at extremes, derivatives that match."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnnviz.engine.activations import ACTIVATIONS, Activation, bipolar, sigmoid, tanh
from rnnviz.engine.errors import InputError


def test_values_match_the_textbook_formulas() -> None:
    for z in (-3.0, -0.5, 0.0, 0.25, 4.0):
        assert sigmoid(z) == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-14)
        assert tanh(z, 2.0) == pytest.approx(math.tanh(2 * z), rel=1e-14)
        assert bipolar(z) == pytest.approx(2 / (1 + math.exp(-z)) - 1, rel=1e-13, abs=1e-16)
        assert sigmoid(z, 3.0) == pytest.approx(1 / (1 + math.exp(-3 * z)), rel=1e-14)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_no_overflow_warning_or_nan_up_to_a_million(name) -> None:
    act = Activation(name, 1.0)
    z = np.array([-1e6, -745.0, -1.0, 0.0, 1.0, 745.0, 1e6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = act(z)
        slopes = act.derivative(z)
        scalars = [act(float(v)) for v in z]
    low, high = act.range
    assert np.isfinite(values).all() and np.isfinite(slopes).all()
    assert values[0] == low and values[-1] == high
    assert scalars == values.tolist()


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("gain", [0.5, 1.0, 10.0])
def test_derivative_matches_finite_differences(name, gain) -> None:
    act = Activation(name, gain)
    z = np.linspace(-2, 2, 9)
    numeric = (act(z + 1e-6) - act(z - 1e-6)) / 2e-6
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(act.derivative_from_output(act(z)), numeric, rtol=1e-7, atol=1e-10)


def test_derivative_from_output_has_the_familiar_forms() -> None:
    y = 0.3
    assert Activation("sigmoid", 2.0).derivative_from_output(y) == pytest.approx(2 * y * (1 - y))
    assert Activation("tanh", 1.0).derivative_from_output(y) == pytest.approx(1 - y * y)
    assert Activation("bipolar", 1.0).derivative_from_output(y) == pytest.approx((1 - y * y) / 2)


@pytest.mark.parametrize("name,gain", [("relu", 1.0), ("sigmoid", 0.0), ("tanh", -1.0), ("tanh", float("nan"))])
def test_bad_activation_or_gain_is_refused(name, gain) -> None:
    with pytest.raises(InputError):
        Activation(name, gain)


def test_sigmoid_keeps_full_precision_deep_in_its_tails() -> None:
    for z in (-20.0, -37.0, -60.0, -700.0):
        exact = math.exp(z) / (1 + math.exp(z))
        assert sigmoid(z) == pytest.approx(exact, rel=1e-14)
        assert sigmoid(np.array([z]))[0] == pytest.approx(exact, rel=1e-14)
    # the slope is still there where σ is tiny, so learning does not stall
    assert Activation("sigmoid", 1.0).derivative(-60.0) == pytest.approx(math.exp(-60), rel=1e-12)
    assert sigmoid(30.0) == pytest.approx(1 / (1 + math.exp(-30)), rel=1e-15)
