"""Tail-accurate activation slopes (rnnviz.engine.derivatives) against 60-digit references.

The references are computed here with Python's :mod:`decimal` to 60 significant
digits from the definitions (σ(u) = 1/(1+e^−u), tanh(u) = (e^u − e^−u)/(e^u + e^−u)),
not from the formulas the module uses, so a wrong formula cannot pass.
"""

from __future__ import annotations

import math
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest

from rnnviz.engine.activations import Activation
from rnnviz.engine.derivatives import activation_slope, log_slope, sigmoid_slope, tanh_slope
from rnnviz.engine.errors import InputError

POINTS = [0.0, 1e-9, 0.3, -0.7, 1.0, -2.5, 5.0, 12.0, -19.5, 20.0, 25.0, -37.0, 40.0,
          100.0, -300.0, 500.0, 700.0]
GAINS = [1.0, 0.5, 2.0]


def _reference(name: str, z: float, gain: float) -> Decimal:
    """f′(z) from the definition of f, to 60 significant digits.

    1 − σ and 1 − tanh² cancel about 0.87·|kz| leading digits, so the working
    precision grows with |kz| to keep 60 after the cancellation.
    """
    with localcontext() as ctx:
        ctx.prec = 70 + int(0.9 * abs(gain * z))
        k, x = Decimal(gain), Decimal(z)
        if name == "sigmoid":
            s = 1 / (1 + (-k * x).exp())
            return k * s * (1 - s)
        if name == "tanh":
            p, m = (k * x).exp(), (-k * x).exp()
            t = (p - m) / (p + m)
            return k * (1 - t * t)
        # bipolar: 2σ(kz) − 1, derivative 2k·σ(kz)(1 − σ(kz))
        s = 1 / (1 + (-k * x).exp())
        return 2 * k * s * (1 - s)


def _close(value: float, reference: Decimal) -> bool:
    """Within 4 units in the last place for normal numbers."""
    exact = float(reference)
    assert exact > 2.3e-308, "the test points stay in the normal range"
    return abs(Decimal(value) - reference) <= 4 * Decimal(math.ulp(exact))


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("z", POINTS)
def test_sigmoid_slope_matches_60_digit_reference(z: float, gain: float) -> None:
    if abs(gain * z) > 700:
        pytest.skip("true slope below the normal float range")
    assert _close(sigmoid_slope(z, gain), _reference("sigmoid", z, gain))


@pytest.mark.parametrize("gain", GAINS)
@pytest.mark.parametrize("z", POINTS)
def test_tanh_slope_matches_60_digit_reference(z: float, gain: float) -> None:
    if abs(gain * z) > 350:
        pytest.skip("true slope below the normal float range")
    assert _close(tanh_slope(z, gain), _reference("tanh", z, gain))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "bipolar"])
def test_activation_slope_on_arrays_matches_reference(name: str) -> None:
    z = np.array([p for p in POINTS if abs(p) <= 300])
    activation = Activation(name, 1.5)
    got = activation_slope(activation, z)
    assert got.dtype == np.float64 and got.shape == z.shape
    for value, point in zip(got, z):
        reference = _reference(name, float(point), 1.5)
        if float(reference) > 2.3e-308:
            assert _close(float(value), reference), (name, point)


def test_tails_are_positive_where_the_output_form_rounds_to_zero() -> None:
    # The engine's k·(1−y²) and k·y(1−y) are exactly 0 here; the true values are ~1e−17.
    assert Activation("tanh").derivative(20.0) == 0.0
    assert Activation("sigmoid").derivative(40.0) == 0.0
    assert tanh_slope(20.0) == pytest.approx(float(_reference("tanh", 20.0, 1.0)), rel=1e-14)
    assert sigmoid_slope(40.0) == pytest.approx(4.248354255291589e-18, rel=1e-14)
    assert tanh_slope(20.0) > 1e-17 and sigmoid_slope(-40.0) > 4e-18


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "bipolar"])
def test_agrees_with_the_engine_where_the_engine_is_exact(name: str) -> None:
    # Within |kz| ≤ 2 the engine's 1 − y² loses at most a few digits.
    z = np.linspace(-1.5, 1.5, 61)
    activation = Activation(name, 1.3)
    np.testing.assert_allclose(activation_slope(activation, z), activation.derivative(z),
                               rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "bipolar"])
@pytest.mark.parametrize("z", [0.0, -3.0, 30.0, 300.0, 800.0, -1500.0, 1e300])
def test_log_slope_is_finite_and_matches_reference(name: str, z: float) -> None:
    value = log_slope(z, name, 1.0)
    assert math.isfinite(value)
    if abs(z) <= 1500:
        with localcontext() as ctx:
            ctx.prec = 80 + int(0.9 * abs(z))
            reference = float(_reference(name, z, 1.0).ln())
        assert value == pytest.approx(reference, rel=1e-14, abs=1e-14)
    array = log_slope(np.array([z, -z]), name, 1.0)
    assert array.shape == (2,) and array[0] == array[1] == value


def test_huge_inputs_underflow_to_zero_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sigmoid_slope(np.array([1e308, -1e308, 800.0]))
    assert list(got) == [0.0, 0.0, 0.0]
    assert tanh_slope(-1e308) == 0.0


@pytest.mark.parametrize("gain", [0, -1, float("nan"), float("inf"), "x"])
def test_bad_gain_is_refused_in_one_line(gain) -> None:
    with pytest.raises(InputError) as raised:
        sigmoid_slope(1.0, gain)
    assert "\n" not in str(raised.value) and "gain" in str(raised.value)


def test_unknown_activation_is_refused() -> None:
    with pytest.raises(InputError, match="unknown activation"):
        log_slope(1.0, "relu")
