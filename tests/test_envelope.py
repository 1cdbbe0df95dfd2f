"""Column extrema from the min/max pyramid equal brute-force extrema of the same columns."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.envelope import CELLS_PER_COLUMN, MinMaxPyramid, joined_bars


def _check_columns(values: np.ndarray, start: int, stop: int, count: int, pyramid: MinMaxPyramid):
    edges, mins, maxs = pyramid.columns(values, start, stop, count)
    assert len(edges) == len(mins) + 1 == len(maxs) + 1
    assert 1 <= len(mins) <= count
    # the columns tile the range: from at most one cell before `start` to `stop`
    assert edges[0] <= start and edges[-1] == stop and np.all(np.diff(edges) > 0)
    width = (stop - start) / len(mins)
    assert start - edges[0] <= max(width / CELLS_PER_COLUMN, 1)
    # near-equal columns (whole cells of at most 1/8 of a column)
    assert np.all(np.abs(np.diff(edges)[1:-1] - width) <= width / CELLS_PER_COLUMN * 2 + 1)
    expected_min = [values[a:b].min() for a, b in zip(edges[:-1], edges[1:])]
    expected_max = [values[a:b].max() for a, b in zip(edges[:-1], edges[1:])]
    np.testing.assert_array_equal(mins, expected_min)
    np.testing.assert_array_equal(maxs, expected_max)
    return edges, mins, maxs


@pytest.mark.parametrize("seed", range(5))
def test_columns_hold_the_exact_extrema_of_their_values(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(size=50_000))
    pyramid = MinMaxPyramid()
    pyramid.sync(values)
    for _ in range(40):
        start = int(rng.integers(0, len(values) - 1))
        stop = int(rng.integers(start + 1, len(values) + 1))
        count = int(rng.integers(10, 1_500))
        _check_columns(values, start, stop, count, pyramid)


def test_growing_in_chunks_equals_building_at_once() -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=60_000)
    grown = MinMaxPyramid()
    end = 0
    while end < len(values):
        end = min(end + int(rng.integers(1, 3_000)), len(values))
        grown.sync(values[:end])
    whole = MinMaxPyramid()
    whole.sync(values)
    for start, stop, count in [(0, 60_000, 500), (123, 45_678, 300), (40_000, 60_000, 100)]:
        for a, b in zip(grown.columns(values, start, stop, count), whole.columns(values, start, stop, count)):
            np.testing.assert_array_equal(a, b)
        _check_columns(values, start, stop, count, grown)


def test_a_pyramid_behind_its_series_reads_the_raw_values() -> None:
    values = np.sin(np.arange(20_000) / 30.0)
    pyramid = MinMaxPyramid()
    pyramid.sync(values[:1_000])  # not synced up to `stop`: slower, still right
    _check_columns(values, 0, 20_000, 50, pyramid)


def test_values_after_stop_never_enter_a_column() -> None:
    values = np.zeros(10_000)
    values[5_000:] = 100.0  # "future" ticks beyond the cursor
    pyramid = MinMaxPyramid()
    pyramid.sync(values)
    edges, mins, maxs = pyramid.columns(values, 0, 4_999, 50)
    assert maxs.max() == 0.0 and edges[-1] == 4_999


def test_truncate_and_regrow_with_other_values() -> None:
    values = np.arange(4_096.0)
    pyramid = MinMaxPyramid()
    pyramid.sync(values)
    pyramid.truncate(1_000)
    assert len(pyramid) == 1_000
    changed = values.copy()
    changed[1_000:] = -changed[1_000:]
    pyramid.sync(changed)
    _, mins, maxs = _check_columns(changed, 0, 4_096, 16, pyramid)
    assert mins.min() == -4_095.0 and maxs.max() == 999.0
    pyramid.clear()
    assert len(pyramid) == 0


def test_few_values_give_one_column_each_and_integer_series_work() -> None:
    bits = (np.arange(1_000) % 3 == 0).astype(np.int8)
    pyramid = MinMaxPyramid()
    pyramid.sync(bits)
    edges, mins, maxs = pyramid.columns(bits, 10, 13, 100)
    np.testing.assert_array_equal(edges, [10, 11, 12, 13])
    np.testing.assert_array_equal(mins, [0, 0, 1])
    _, mins, maxs = _check_columns(bits, 0, 1_000, 10, pyramid)
    assert set(mins.tolist()) == {0.0} and set(maxs.tolist()) == {1.0}
    assert pyramid.columns(bits, 5, 5, 10)[1].size == 0
    assert pyramid.nbytes > 0


def test_nan_is_skipped_where_a_column_has_numbers() -> None:
    values = np.arange(64.0)
    values[3] = np.nan
    pyramid = MinMaxPyramid()
    pyramid.sync(values)
    _, mins, maxs = pyramid.columns(values, 0, 64, 2)
    assert np.isfinite(mins).all() and mins[0] == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_joined_bars_cover_the_columns_and_touch_their_neighbours(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.cumsum(rng.normal(size=30_000)) + np.linspace(0, 3_000, 30_000)  # steep
    pyramid = MinMaxPyramid()
    pyramid.sync(values)
    edges, mins, maxs = pyramid.columns(values, 0, 30_000, 500)
    x, y = joined_bars(edges, mins, maxs)
    low, high = y[0::2], y[1::2]
    np.testing.assert_array_equal(x[0::2], (edges[:-1] + edges[1:] - 1) / 2)
    np.testing.assert_array_equal(x[0::2], x[1::2])
    assert np.all(low <= mins) and np.all(high >= maxs)  # a bar never hides data
    assert np.all(low[1:] <= high[:-1]) and np.all(high[1:] >= low[:-1])  # no gaps
    # and it reaches no further than its neighbour's range
    assert np.all(low[1:] >= np.minimum(mins[1:], mins[:-1]))
    assert np.all(high[1:] <= np.maximum(maxs[1:], maxs[:-1]))
    assert joined_bars(np.zeros(1), np.empty(0), np.empty(0))[0].size == 0


def test_a_known_final_length_sizes_the_levels_exactly_with_the_same_envelopes() -> None:
    # 1.1M values by doubling would round every level up to a power of two.
    rng = np.random.default_rng(5)
    values = np.cumsum(rng.normal(size=1_100_000))
    doubled, sized = MinMaxPyramid(), MinMaxPyramid()
    for end in (1_000, 250_000, 700_003, 1_100_000):  # grown in steps, as while playing
        doubled.sync(values[:end])
        sized.sync(values[:end], room=len(values))
    # A float64 min and max per 16 values, per 32, …: 2 bytes a value (plus
    # the few entries of the smallest levels' minimum size).
    assert sized.nbytes / len(values) < 2.01
    assert doubled.nbytes / len(values) > 3.5
    for first, stop, columns in ((0, 1_100_000, 800), (12_345, 987_654, 333), (5, 70, 9)):
        for got, want in zip(sized.columns(values, first, stop, columns),
                             doubled.columns(values, first, stop, columns)):
            np.testing.assert_array_equal(got, want)


def test_bit_series_keep_their_type_in_the_pyramid_and_give_the_same_envelopes() -> None:
    bits = (np.random.default_rng(2).random(200_000) < 0.3).astype(np.int8)
    small, wide = MinMaxPyramid(), MinMaxPyramid()
    small.sync(bits, room=len(bits))
    wide.sync(bits.astype(np.float64), room=len(bits))
    assert small.nbytes * 8 == wide.nbytes  # one byte an entry instead of eight
    for first, stop, columns in ((0, 200_000, 700), (999, 150_001, 61), (3, 40, 10)):
        for got, want in zip(small.columns(bits, first, stop, columns),
                             wide.columns(bits.astype(np.float64), first, stop, columns)):
            np.testing.assert_array_equal(got, want)
