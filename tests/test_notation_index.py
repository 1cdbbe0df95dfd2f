"""The incremental notation cache agrees with the engine's notation at every cut."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.learner import LearnerParams, trace
from rnnviz.engine.notation import notation, sign_flips
from rnnviz.engine.notation_index import NotationIndex
from rnnviz.engine.sequences import bernoulli, parse_sequence


def _walk(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random walk that crosses zero often, holds still sometimes and lands on 0 exactly."""
    steps = rng.choice([-1.0, 0.0, 1.0, 2.0, -2.0], size=n, p=[0.35, 0.15, 0.3, 0.1, 0.1])
    return np.cumsum(steps)


@pytest.mark.parametrize("seed", range(6))
def test_every_cut_matches_the_engine(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = _walk(rng, 400)
    initial = float(rng.choice([0.0, 0.5, -0.5]))
    index = NotationIndex(initial)
    index.sync(values)
    for cut in range(len(values) + 1):
        expected = notation(values[:cut], initial)
        assert index.text(cut) == expected, cut
        assert index.text(cut, ascii=True) == notation(values[:cut], initial, ascii=True)
        np.testing.assert_array_equal(
            index.flip_ticks(cut), np.flatnonzero(sign_flips(values[:cut], initial))
        )


@pytest.mark.parametrize("seed", range(4))
def test_growing_in_chunks_equals_building_at_once(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    values = _walk(rng, 3000)
    index = NotationIndex(0.0)
    end = 0
    while end < len(values):
        end = min(end + int(rng.integers(1, 40)), len(values))
        index.sync(values[:end])
        cut = int(rng.integers(0, end + 1))
        assert index.text(cut) == notation(values[:cut], 0.0)
    assert index.text() == notation(values, 0.0)
    assert len(index) == len(values)
    assert index.last_value == values[-1]


@pytest.mark.parametrize("seed", range(4))
def test_truncate_then_regrow_differently(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    values = _walk(rng, 500)
    index = NotationIndex(1.0)
    index.sync(values)
    for _ in range(20):
        keep = int(rng.integers(0, len(values)))
        tail = _walk(rng, int(rng.integers(0, 300))) + values[keep - 1 if keep else 0]
        values = np.concatenate((values[:keep], tail))
        index.truncate(keep, float(values[keep - 1]) if keep else None)
        index.sync(values)
        assert index.text() == notation(values, 1.0)
        cut = int(rng.integers(0, len(values) + 1))
        assert index.text(cut) == notation(values[:cut], 1.0)


def test_sync_with_a_shorter_series_truncates() -> None:
    values = np.array([1.0, 2.0, -1.0, -1.0, 3.0])
    index = NotationIndex(0.0)
    index.sync(values)
    index.sync(values[:3])
    assert len(index) == 3
    assert index.text(ascii=True) == "+^2 , -"
    index.sync(values[:0])
    assert index.text() == "" and index.last_value == 0.0


def test_tail_gives_the_last_tokens_and_how_many_were_left_out() -> None:
    values = np.array([1.0, 2.0, -1.0, -1.0, 3.0, 4.0])
    index = NotationIndex(0.0)
    index.sync(values)
    assert index.text(ascii=True) == "+^2 , - 0 , +^2"
    assert index.tail(None, 2, ascii=True) == (", +^2", 4)
    assert index.tail(4, 3, ascii=True) == (", - 0", 1)
    assert index.tail(None, None, ascii=True) == ("+^2 , - 0 , +^2", 0)
    assert index.token_count() == 6 and index.token_count(2) == 1


def test_the_designs_example_and_a_long_random_stream() -> None:
    history = trace(parse_sequence("1^10 0^10"), LearnerParams())
    index = NotationIndex(0.0)
    index.sync(history["ho"])
    assert index.text() == "+⁹ \u2212⁵ , \u2212⁵"
    assert index.text(12) == "+⁹ \u2212³"

    history = trace(bernoulli(50_001, 0.5, seed=3), LearnerParams())
    for weight in ("ih", "hh", "ho"):
        index = NotationIndex(0.0)
        for start in range(0, 50_000, 7_777):
            index.sync(history[weight][: start + 7_777])
        for cut in (0, 1, 17, 4_096, 33_333, 50_000):
            assert index.text(cut) == notation(history[weight][:cut], 0.0)


def test_cut_outside_the_index_is_refused() -> None:
    index = NotationIndex(0.0)
    index.sync(np.array([1.0]))
    with pytest.raises(ValueError):
        index.text(2)


def test_a_long_index_holds_at_most_an_eighth_more_than_it_uses():
    # It grows while a stream plays, a few ticks at a time; doubling would
    # leave up to half of it unused (it is a fifth of the window's memory).
    rng = np.random.default_rng(4)
    values = np.cumsum(rng.choice([-1.0, 1.0, 0.0], size=400_000))
    index = NotationIndex(0.0)
    for start in range(0, len(values), 3_000):
        index.sync(values[: start + 3_000])
    used = index._n_tokens * (1 + 4) + index._n_flips * 4  # int8 code, int32 start; int32 flip
    assert used <= index.nbytes <= used * 1.125 + 3 * 64 * 4
    assert index.text() == notation(values, 0.0)
