"""What the gated workspaces' plots draw besides :mod:`rnnviz.present.gated`, without Qt.

:func:`lane_order`
    The gate lanes top to bottom: the σ gates in the engine's order, then the
    candidate (LSTM i f o g, GRU r z n), so that one colour bar serves the σ
    gates side by side.
:func:`state_curves`
    Every unit's memory state as one polyline, t = 0 … T per unit, units
    separated by NaN (one plot item for all of them).
:func:`training_curves`
    The running means of the per-update losses and shares right over the last
    :data:`MEAN_WINDOW` updates, thinned to at most :data:`MAX_POINTS` points
    (the means are smooth: more points would be drawing for nothing).
:func:`decade_text`
    A log axis's label for 10^k.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from rnnviz.present.gated import GateLanes

__all__ = ["MAX_POINTS", "MEAN_WINDOW", "decade_text", "lane_order", "running_mean", "state_curves",
           "training_curves"]

#: Updates the running means are taken over.
MEAN_WINDOW: Final[int] = 100
#: Most points a training curve is drawn with.
MAX_POINTS: Final[int] = 1_500
_SUPERSCRIPT: Final[dict[int, str]] = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def lane_order(lanes: GateLanes) -> tuple[int, ...]:
    """The lanes top to bottom as indices into *lanes*' gates (module docstring)."""
    gates = [k for k, span in enumerate(lanes.ranges) if span == (0.0, 1.0)]
    return (*gates, *(k for k in range(len(lanes.ranges)) if k not in gates))


def state_curves(lanes: GateLanes) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of every unit's state over t = 0 … T, one unit after another, NaN between them."""
    steps = np.arange(lanes.steps + 1, dtype=np.float64)
    x = np.tile(np.append(steps, np.nan), lanes.units)
    y = np.concatenate([lanes.state, np.full((lanes.units, 1), np.nan)], axis=1).ravel()
    return x, y


def running_mean(values: np.ndarray, window: int = MEAN_WINDOW) -> np.ndarray:
    """The mean of each value and the (up to) *window* − 1 before it."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    sums = np.cumsum(np.concatenate(([0.0], values)))
    ends = np.arange(1, values.size + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def training_curves(losses: np.ndarray, accuracies: np.ndarray | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(updates 1 … n thinned, the losses' running mean there, the shares right's or None)."""
    count = int(np.asarray(losses).size)
    stride = max(1, math.ceil(count / MAX_POINTS))
    x = np.arange(1, count + 1, dtype=np.float64)[stride - 1::stride]
    with np.errstate(invalid="ignore", over="ignore"):
        loss = running_mean(losses)[stride - 1::stride]
        right = None if accuracies is None else running_mean(accuracies)[stride - 1::stride]
    return x, loss, right


def decade_text(exponent: int) -> str:
    """``"1"`` for 10⁰, ``"10"`` for 10¹, else ``"10⁻³"``."""
    if exponent == 0:
        return "1"
    if exponent == 1:
        return "10"
    return "10" + str(exponent).translate(_SUPERSCRIPT)
