"""The lab's flow heat map: mean of log10 ‖δ_t‖ per bucket of updates, steps back along y."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.present.lab_heatmap import (
    HeatmapCache,
    bucket_size,
    flow_heatmap,
    log_range,
)
from rnnviz.tasks.lab_presets import PRESETS


def _expected(norms: np.ndarray, size: int) -> np.ndarray:
    """Mean of log10 per bucket of *size* updates, steps reversed (0 = last step), by hand."""
    columns = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for first in range(0, norms.shape[0], size):
            block = np.log10(norms[first:first + size])
            columns.append(block.mean(axis=0)[::-1])
    return np.array(columns)


def test_image_is_the_mean_of_log10_per_bucket_of_a_trained_run() -> None:
    run = PRESETS["addition"].make_run()
    run.step(1000)
    norms = run.delta_norm_matrix()
    heatmap = flow_heatmap(norms, 300)
    assert heatmap.updates_per_column == 4  # 1000 / 2 > 300 ≥ 1000 / 4
    assert heatmap.image.shape == (250, run.source.steps)
    np.testing.assert_allclose(heatmap.image, _expected(norms, 4), rtol=1e-13)
    # Column 0, 0 steps back: the last step of updates 1 … 4.
    assert heatmap.image[0, 0] == pytest.approx(np.mean(np.log10(norms[:4, -1])), rel=1e-14)
    low, high = heatmap.log_range
    finite = heatmap.image[np.isfinite(heatmap.image)]
    assert low == np.floor(finite.min()) and high == np.ceil(finite.max())


def test_few_updates_give_one_column_each() -> None:
    norms = np.array([[1.0, 10.0], [100.0, 0.1]])
    heatmap = flow_heatmap(norms, 500)
    assert heatmap.updates_per_column == 1
    np.testing.assert_array_equal(heatmap.image, [[1.0, 0.0], [-1.0, 2.0]])
    assert heatmap.log_range == (-1.0, 2.0)
    assert heatmap.column_of(1) == 1


def test_columns_never_exceed_the_width_and_the_last_bucket_is_partial() -> None:
    rng = np.random.default_rng(3)
    norms = 10.0 ** rng.uniform(-8, 1, size=(1001, 5))
    for columns in (1, 7, 100, 1000, 1001, 5000):
        heatmap = flow_heatmap(norms, columns)
        assert heatmap.n_columns <= columns
        size = heatmap.updates_per_column
        assert size == 1 or -(-1001 // (size // 2)) > columns  # the smallest that fits
        np.testing.assert_allclose(heatmap.image, _expected(norms, size), rtol=1e-13)
        assert heatmap.column_updates(heatmap.n_columns - 1)[1] == 1001
        np.testing.assert_array_equal(heatmap.columns_of(np.arange(1001)), np.arange(1001) // size)


def test_zeros_and_infinities_are_the_ends_of_the_scale() -> None:
    norms = np.array([[0.0, 1.0], [1.0, 1.0], [np.inf, 10.0], [1.0, 10.0], [0.0, np.inf], [1.0, 1.0]])
    heatmap = flow_heatmap(norms, 3)
    assert heatmap.updates_per_column == 2
    # Steps back: column 1 is the first step.
    assert heatmap.image[0, 1] == -np.inf and heatmap.image[0, 0] == 0.0
    assert heatmap.image[1, 1] == np.inf and heatmap.image[1, 0] == 1.0
    assert heatmap.image[2, 0] == np.inf and heatmap.image[2, 1] == -np.inf
    assert heatmap.has_zero and heatmap.has_infinite
    assert heatmap.log_range == (0.0, 1.0)  # finite values only
    both = flow_heatmap(np.array([[0.0], [np.inf]]), 1)
    assert both.image[0, 0] == np.inf  # a bucket with both is shown as +∞


def test_empty_and_bad_input() -> None:
    heatmap = flow_heatmap(np.zeros((0, 4)), 10)
    assert heatmap.image.shape == (0, 4) and heatmap.log_range == (-1.0, 0.0)
    with pytest.raises(InputError):
        flow_heatmap(np.zeros(3), 10)
    with pytest.raises(InputError):
        flow_heatmap(np.zeros((3, 2)), 0)
    assert bucket_size(100_000, 1000) == 128
    assert log_range(np.array([[2.5]])) == (2.0, 3.0)


def test_the_cache_follows_a_growing_run_and_agrees_with_the_full_computation() -> None:
    rng = np.random.default_rng(7)
    norms = 10.0 ** rng.uniform(-20, 2, size=(5000, 8))
    norms[rng.random(norms.shape) < 0.001] = 0.0
    cache = HeatmapCache()
    for stored in (0, 1, 2, 3, 64, 65, 700, 701, 2500, 5000):
        got = cache.heatmap(norms[:stored], 100, key="run")
        want = flow_heatmap(norms[:stored], 100)
        assert got.updates_per_column == want.updates_per_column and got.stored == stored
        np.testing.assert_allclose(got.image, want.image, rtol=1e-12)
        assert got.log_range == want.log_range and got.has_zero == want.has_zero
    assert cache.heatmap(norms, 100, key="run") is got  # nothing new: the same map


def test_the_cache_starts_again_when_the_run_forgets_or_the_width_changes() -> None:
    run = PRESETS["worked"].make_run()
    run.step(300)
    cache = HeatmapCache()
    before = cache.heatmap(run.delta_norm_matrix(), 50, key=(id(run), run.forgets))
    run.seek(100)
    run.set_parameters({"w_hh": [[0.9]]})
    run.step(250)  # as many updates again, different ones
    after = cache.heatmap(run.delta_norm_matrix(), 50, key=(id(run), run.forgets))
    assert after.stored == 350
    np.testing.assert_allclose(after.image, flow_heatmap(run.delta_norm_matrix(), 50).image, rtol=1e-12)
    assert not np.allclose(after.image[: before.n_columns], before.image)
    narrow = cache.heatmap(run.delta_norm_matrix(), 20, key=(id(run), run.forgets))
    np.testing.assert_allclose(narrow.image, flow_heatmap(run.delta_norm_matrix(), 20).image, rtol=1e-12)
