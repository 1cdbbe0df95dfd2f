"""The +/− notation (docs/architecture.md, 'The +/− notation')."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.learner import LearnerParams, trace
from rnnviz.engine.notation import NotationBuilder, change_signs, notation, sign_flips
from rnnviz.engine.sequences import parse_sequence


def test_ones_then_zeros_reads_as_in_the_design() -> None:
    history = trace(parse_sequence("1^10 0^10"), LearnerParams())
    assert notation(history["ho"], 0.0) == "+⁹ \u2212⁵ , \u2212⁵"
    assert notation(history["ho"], 0.0, ascii=True) == "+^9 -^5 , -^5"
    # ih learns only while x = 1: nine rises, one fall on the 1→0 tick, then nothing
    assert notation(history["ih"], 0.0, ascii=True) == "+^9 - 0^9"


def test_streak_of_ones_is_a_single_run() -> None:
    history = trace(parse_sequence("1^10"), LearnerParams())
    assert notation(history["ho"], 0.0) == "+⁹"
    # h_prev = 0 on the first tick, so hh cannot move then
    assert notation(history["hh"], 0.0) == "0 +⁸"


@pytest.mark.parametrize(
    "values,initial,expected",
    [
        ([1.0], 0.0, "+"),
        ([1.0, 1.0, 1.0], 0.0, "+ 0^2"),
        ([0.5, 1.0, 0.2, -0.1, -0.3], 0.0, "+^2 - , -^2"),
        # a flip splits a run even when the direction does not change
        ([2.0, 1.0, -1.0, -2.0], 3.0, "-^2 , -^2"),
        # flips both ways; passing through exactly 0 is not a flip
        ([-1.0, 1.0, -1.0, 0.0, 1.0], 1.0, ", - , + , - +^2"),
        ([0.5, 0.0, -1.0], 1.0, "-^3"),
        ([1.0] * 12, 1.0, "0^12"),
    ],
)
def test_runs_commas_and_superscripts(values, initial, expected) -> None:
    assert notation(np.array(values), initial, ascii=True) == expected


def test_unicode_superscripts_for_long_runs() -> None:
    assert notation(np.arange(1, 124, dtype=float), 0.0) == "+¹²³"
    assert notation(-np.arange(1, 3, dtype=float), 0.0) == "\u2212²"


def test_no_values_no_notation() -> None:
    assert notation(np.array([]), 0.0) == ""


def test_signs_and_flips_are_per_tick() -> None:
    values = np.array([1.0, 1.0, -2.0, 3.0])
    np.testing.assert_array_equal(change_signs(values, 0.0), [1, 0, -1, 1])
    np.testing.assert_array_equal(sign_flips(values, 0.0), [False, False, True, True])


@pytest.mark.parametrize("chunk", [1, 2, 7, 1000, 70000])
def test_building_in_chunks_equals_building_at_once(chunk) -> None:
    rng = np.random.default_rng(4)
    # a random walk with long runs, zero changes and many sign flips
    steps = rng.choice([-1.0, 0.0, 1.0, 1.0], size=150_000) * rng.integers(1, 3, size=150_000)
    values = np.cumsum(steps) - 3.5
    builder = NotationBuilder(-3.5)
    for start in range(0, len(values), chunk):
        builder.extend(values[start : start + chunk])
    assert builder.text() == notation(values, -3.5)
    assert builder.text(ascii=True) == notation(values, -3.5, ascii=True)
    total = sum(n for symbol, n in builder.tokens() if symbol != ",")
    assert total == len(values)
    commas = sum(1 for symbol, _ in builder.tokens() if symbol == ",")
    assert commas == int(sign_flips(values, -3.5).sum())


def test_notation_text_agrees_with_a_token_by_token_reading() -> None:
    rng = np.random.default_rng(9)
    values = np.cumsum(rng.normal(size=5000)) + np.repeat(rng.normal(size=50), 100)
    builder = NotationBuilder(0.0)
    builder.extend(values)
    expected = " ".join(
        "," if s == "," else s if n == 1 else s + str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        for s, n in builder.tokens()
    )
    assert builder.text() == expected
