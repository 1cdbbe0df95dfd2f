"""The loss plot at many updates a pixel costs the new updates, not all of them (issue 14, "Speed").

Banded, the plot draws each group of updates' least and greatest loss, and the
running means (loss and accuracy) as the strokes pyqtgraph's peak downsampling
would draw: each group's greatest to least mean. Those are kept for whole groups
while training only adds updates. What is drawn must be what the stored numbers
say, however the frames came.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.ui.workspaces.elman.lab_curves import (
    GroupPeaks, LossPlot, RunningMeans, group_middles, running_mean,
)


def _plot(qtbot, size=(500, 260)) -> LossPlot:
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(*size)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def _peaks(values: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray]:
    """Each group's least and greatest finite value, one group at a time (NaN: none)."""
    lows, highs = [], []
    for start in range(0, values.size, group):
        block = values[start:start + group]
        finite = block[np.isfinite(block)]
        lows.append(finite.min() if finite.size else np.nan)
        highs.append(finite.max() if finite.size else np.nan)
    return np.array(lows), np.array(highs)


def test_group_peaks_grown_piece_by_piece_are_those_of_the_whole_series() -> None:
    rng = np.random.default_rng(8)
    values = rng.uniform(0, 3, 5000)
    values[[3, 64, 65, 66, 67, 4999]] = [np.nan, np.inf, np.nan, -np.inf, np.nan, np.nan]
    peaks = GroupPeaks()
    for end in (0, 1, 3, 4, 63, 64, 100, 1000, 1001, 4096, 4999, 5000, 5000):
        lows, highs = peaks.of(values[:end], 4, generation=1)
        want_lows, want_highs = _peaks(values[:end], 4)
        np.testing.assert_array_equal(lows, want_lows)
        np.testing.assert_array_equal(highs, want_highs)
    # the group at 64 … 67 holds no finite number: NaN, left out of a band
    assert np.isnan(lows[16]) and np.isnan(highs[16])
    # Another group size, or another series (a new generation), starts again.
    for group, generation, series in ((16, 1, values), (16, 2, values[::-1].copy())):
        lows, highs = peaks.of(series, group, generation)
        want_lows, want_highs = _peaks(series, group)
        np.testing.assert_array_equal(lows, want_lows)
        np.testing.assert_array_equal(highs, want_highs)
    assert list(group_middles(10, 4)) == [2.5, 6.5, 9.5]


def test_running_means_count_the_times_a_series_starts_again() -> None:
    means = RunningMeans(window=10)
    values = np.arange(50, dtype=np.float64)
    means.of(values[:20])
    means.of(values[:30])
    first = means.generation
    means.of(values[:30])
    assert means.generation == first  # the same series, grown or not
    other = values.copy()
    other[5] = -1.0
    np.testing.assert_array_equal(means.of(other), running_mean(other, 10))
    assert means.generation == first + 1
    np.testing.assert_array_equal(means.of(values[:10]), running_mean(values[:10], 10))
    assert means.generation == first + 2


def test_a_banded_plot_grown_frame_by_frame_draws_what_the_run_stored(qtbot) -> None:
    run = PRESETS["addition"].make_run()
    plot = _plot(qtbot)
    for _ in range(12):  # frames of training, as the window plays them
        run.step(400)
        plot.show_run(run.losses(), run.clipped(), run.cursor, run.accuracies(), run.accuracy_label)
    assert plot.band.isVisible() and run.cursor == 4800
    losses, accuracies = run.losses(), run.accuracies()
    x, _ = plot.mean.getOriginalDataset()
    group = int(x[2] - x[0])  # updates a group: a power of two, at least those of a pixel
    pixels = plot.getPlotItem().getViewBox().width()
    assert group & (group - 1) == 0 and 6144 / pixels <= group < 2 * 6144 / pixels
    # The band: each group's least to greatest loss.
    rect = plot.band.path().boundingRect()
    assert rect.top() == pytest.approx(losses.min()) and rect.bottom() == pytest.approx(losses.max())
    # The means: at each group's first update, its greatest then its least running mean.
    for item, values in ((plot.mean, losses), (plot.accuracy, accuracies)):
        x, y = item.getOriginalDataset()
        means = running_mean(np.where(np.isfinite(values), values, 0.0))
        lows, highs = _peaks(means, group)
        np.testing.assert_array_equal(x, np.repeat(np.arange(lows.size) * group + 1.0, 2))
        np.testing.assert_array_equal(y[0::2], highs)
        np.testing.assert_array_equal(y[1::2], lows)
    # A fresh plot shown the same run at once draws the same.
    fresh = _plot(qtbot)
    fresh.show_run(losses, run.clipped(), run.cursor, accuracies, run.accuracy_label)
    for a, b in ((plot.mean, fresh.mean), (plot.accuracy, fresh.accuracy)):
        for got, want in zip(a.getOriginalDataset(), b.getOriginalDataset()):
            np.testing.assert_array_equal(got, want)
    assert plot.band.path() == fresh.band.path()
