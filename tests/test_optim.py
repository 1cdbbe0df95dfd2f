"""The optimisers: SGD and Adam, checked against their definitions step by step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.optim import (
    ADAM_BETA1,
    ADAM_BETA2,
    ADAM_EPSILON,
    OPTIMIZERS,
    SGD,
    Adam,
    make_optimizer,
)


def test_adams_constants_are_the_papers():
    assert (ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON) == (0.9, 0.999, 1e-8)
    assert OPTIMIZERS == ("sgd", "adam")


def test_adams_first_step_moves_each_weight_by_about_eta_against_its_gradients_sign():
    # t = 1: m̂ = g and v̂ = g², so the step is η·g / (|g| + ε)
    theta = np.array([0.5, -1.0, 2.0])
    g = np.array([3.0, -1e-3, 0.0])
    Adam().step({"w": theta}, {"w": g.copy()}, 0.01)
    expected = np.array([0.5, -1.0, 2.0]) - 0.01 * g / (np.abs(g) + ADAM_EPSILON)
    np.testing.assert_allclose(theta, expected, rtol=1e-15)
    assert theta[0] == pytest.approx(0.49, abs=1e-9) and theta[2] == 2.0


def test_adams_first_three_steps_follow_the_definition():
    eta, b1, b2, eps = 0.05, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON
    gradients = [0.3, -0.1, 0.25]
    theta, m, v = 1.0, 0.0, 0.0  # the definition, one scalar, by hand
    param = np.array([1.0])
    adam = Adam()
    for t, g in enumerate(gradients, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta -= eta * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
        adam.step({"b": param}, {"b": np.array([g])}, eta)
        assert param[0] == pytest.approx(theta, rel=1e-14)
        assert adam.steps == t
        assert adam.first["b"][0] == pytest.approx(m, rel=1e-14)
        assert adam.second["b"][0] == pytest.approx(v, rel=1e-14)


def test_adam_keeps_moments_per_parameter_and_reset_forgets_them():
    adam = Adam()
    a, b = np.zeros(2), np.zeros((2, 2))
    adam.step({"a": a, "b": b}, {"a": np.ones(2), "b": -np.ones((2, 2))}, 0.1)
    assert adam.first["a"].shape == (2,) and adam.first["b"].shape == (2, 2)
    assert (b > 0).all() and (a < 0).all()
    adam.reset()
    assert adam.steps == 0 and adam.first == {}


def test_sgd_is_plain_gradient_descent_in_place():
    w = np.array([[1.0, 2.0]])
    held = w
    SGD().step({"w": w}, {"w": np.array([[0.5, -1.0]])}, 0.2)
    np.testing.assert_array_equal(held, [[1.0 - 0.2 * 0.5, 2.0 + 0.2 * 1.0]])


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: make_optimizer("rmsprop"), "unknown optimizer 'rmsprop'; choose one of sgd, adam"),
        (lambda: SGD().step({"w": np.zeros(2)}, {}, 0.1), "no gradient for parameter w"),
        (lambda: Adam().step({"w": np.zeros(2)}, {"w": np.zeros(3)}, 0.1),
         r"the gradient of w has shape \(3,\), not \(2,\)"),
        (lambda: SGD().step({"w": np.zeros(2)}, {"w": np.zeros(2)}, float("nan")),
         "the learning rate must be a finite number"),
        (lambda: Adam(beta1=1.0), "beta1 and beta2 must be at least 0 and below 1"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(call, message):
    with pytest.raises(InputError, match=message) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_a_refused_adam_step_changes_neither_weights_nor_moments():
    adam, w = Adam(), np.ones(2)
    adam.step({"w": w}, {"w": np.ones(2)}, 0.1)
    before, first = w.copy(), adam.first["w"].copy()
    with pytest.raises(InputError):
        adam.step({"w": w, "v": np.ones(3)}, {"w": np.ones(2), "v": np.ones(2)}, 0.1)
    np.testing.assert_array_equal(w, before)
    np.testing.assert_array_equal(adam.first["w"], first)
    assert adam.steps == 1
