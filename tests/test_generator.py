"""Free-run mode: the hand-built generator of the published experiment."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.generator import free_run


def test_default_weights_generate_an_alternation_near_plus_minus_0_98() -> None:
    run = free_run(steps=40)
    assert np.all(np.sign(run.y[1:]) == -np.sign(run.y[:-1]))
    assert np.all((0.97 < np.abs(run.y)) & (np.abs(run.y) < 0.99))
    assert run.y[0] < 0  # x0 = 1 drives h negative through ih = −1


def test_each_output_is_the_next_input() -> None:
    run = free_run(steps=12)
    assert run.x[0] == 1.0
    np.testing.assert_array_equal(run.x[1:], run.y[:-1])


def test_low_gain_loses_the_alternation() -> None:
    run = free_run(gain=1.0, steps=30)
    assert np.abs(run.y[-1]) < 0.5


@pytest.mark.parametrize(
    "kwargs", [{"steps": 0}, {"steps": 10_000_001}, {"gain": 0.0}, {"ih": float("nan")}, {"x0": float("inf")}]
)
def test_bad_settings_are_refused(kwargs) -> None:
    with pytest.raises(InputError):
        free_run(**kwargs)
