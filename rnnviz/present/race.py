"""What the race's views paint (issue 15), without Qt.

The race (:class:`~rnnviz.runs.race.RaceRun`) trains a plain RNN, an LSTM and a
GRU on one stream of the long-memory task. Its views show, for the three side
by side:

:func:`race_curves`
    each cell's loss per update (raw) and its running mean, and the running
    mean of "first bit right" (the update's accuracy, 1 or 0), all over the
    updates done;
:func:`flow_strips`
    for the example at the cursor (the one the next update learns from, the
    same for every cell), the gradient's norm along each cell's memory path
    per step t = 1 … T: the plain RNN's ``‖∂L/∂h_t‖``, the LSTM's
    ``‖∂L/∂c_t‖``, the GRU's ``‖∂L/∂h_t‖`` — the values of
    :func:`~rnnviz.present.gated.gradient_highway` (the plain RNN's as the
    lab's flow plot computes them) — each as a share of its own value at the
    last step T, where the loss enters, with one shared scale of whole decades.
    A share, not the norm itself: a network that has learned has a tiny loss
    and so a tiny gradient at every step, which is not a gradient that
    vanished on its way back; 1 is a gradient that arrives whole, below 1 one
    that faded, above 1 one that grew (exploded);
:func:`held_out_lines`
    each cell's share of the memory task's 200 held-out sequences recalled
    now (:func:`~rnnviz.tasks.race_presets.held_out_rate`), a line each;
:func:`race_status`
    the status line: the update and the three last losses.

Values that are 0, infinite or NaN are NaN in the strips (a gap, drawn as
"no gradient").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.present.format import format_number
from rnnviz.present.gated import gradient_highway
from rnnviz.present.lab import delta_colour_scale
from rnnviz.runs.race import RaceRun
from rnnviz.tasks.memory import HELD_OUT, SUCCESS_RATE
from rnnviz.tasks.race_presets import RACE_TITLES, held_out_rate

__all__ = ["MEAN_WINDOW", "axis_end", "spread", "CellCurves", "FlowStrips", "flow_strips", "held_out", "held_out_lines", "held_out_text", "race_curves",
           "race_status", "running_mean"]

#: Updates the running means are taken over.
MEAN_WINDOW: Final[int] = 200
#: What each cell's strip shows: the gradient along its memory path.
PATH_LABELS: Final[dict[str, str]] = {"rnn": "‖∂L/∂h_t‖", "lstm": "‖∂L/∂c_t‖", "gru": "‖∂L/∂h_t‖"}


def axis_end(count: int, least: int = 64) -> float:
    """Where the update axis ends for *count* updates: the first of *least*·2^k and *least*·1.5·2^k
    to hold them all, so that it moves a few times per run, not every frame."""
    end = least
    while end < count:
        end = end * 3 // 2 if end & (end - 1) == 0 else end // 3 * 4
    return float(end)


def running_mean(values: np.ndarray, window: int = MEAN_WINDOW) -> np.ndarray:
    """The mean of the last *window* values at each point (fewer at the start); non-finite count as 0."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values.copy()
    sums = np.cumsum(np.where(np.isfinite(values), values, 0.0))
    out = np.empty_like(sums)
    head = min(window, values.size)
    out[:head] = sums[:head] / np.arange(1, head + 1)
    if values.size > window:
        out[window:] = (sums[window:] - sums[:-window]) / window
    return out


def spread(values: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The least and greatest finite value of each *group* consecutive values (the last group
    may be short), and each group's middle (1-based, as the updates are counted): many updates
    a pixel drawn as one filled band instead of a line zigzagging over every one of them.
    Groups with no finite value are left out."""
    values = np.asarray(values, dtype=np.float64)
    count = values.size
    groups = -(-count // group) if count else 0
    padded = np.full(groups * group, np.nan)
    padded[:count] = np.where(np.isfinite(values), values, np.nan)
    blocks = padded.reshape(groups, group)
    with np.errstate(invalid="ignore"):
        lows, highs = np.fmin.reduce(blocks, axis=1), np.fmax.reduce(blocks, axis=1)
    firsts = np.arange(groups) * group + 1
    middles = (firsts + np.minimum(firsts + group - 1, count)) / 2.0
    keep = np.isfinite(lows)
    return middles[keep], lows[keep], highs[keep]


@dataclass(frozen=True, eq=False)
class CellCurves:
    """One cell's training curves over updates 1 … n (n the updates it has done)."""

    updates: np.ndarray
    losses: np.ndarray
    mean_losses: np.ndarray
    mean_right: np.ndarray


def race_curves(race: RaceRun, window: int = MEAN_WINDOW) -> dict[str, CellCurves]:
    """Each cell's curves up to the cursor (see :class:`CellCurves`)."""
    losses, right = race.losses(), race.accuracies()
    out = {}
    for name in race.names:
        loss = np.asarray(losses[name], dtype=np.float64)
        out[name] = CellCurves(np.arange(1, loss.size + 1, dtype=np.float64), loss,
                               running_mean(loss, window), running_mean(right[name], window))
    return out


@dataclass(frozen=True, eq=False)
class FlowStrips:
    """The gradient along each cell's memory path for one example, on one log scale.

    Attributes
    ----------
    names, labels
        The cells top to bottom and a text each (``"plain RNN ‖∂L/∂h_t‖"``).
    steps
        t = 1 … T.
    norms
        Shape (cells, T): each row's gradient norms over its value at step T (so the last
        column is 1); positive finite values, NaN where the gradient is 0 (or not finite).
    decades
        (low, high): whole powers of ten holding every value (the colour scale).
    example
        The update (0-based) whose sequence this is: the one the next update learns from.
    first_bit
        That sequence's first bit, the one to recall at the last step.
    """

    names: tuple[str, ...]
    labels: tuple[str, ...]
    steps: np.ndarray
    norms: np.ndarray
    decades: tuple[float, float]
    example: int
    first_bit: int

    def log_norms(self) -> np.ndarray:
        """log10 of :attr:`norms` (NaN stays NaN)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(self.norms)

    def reach(self, name: str) -> float | None:
        """How much of the gradient at the last step is left at step 1 (``‖·‖_1 / ‖·‖_T``), or None."""
        first = float(self.norms[self.names.index(name)][0])
        return first if math.isfinite(first) else None


def example_index(race: RaceRun) -> int:
    """The example on screen: the one the next update learns from (the last one at the end)."""
    return min(race.cursor, max(race.n_ticks - 1, 0))


def flow_strips(race: RaceRun) -> FlowStrips:
    """The strips of the example at the cursor, each cell at its weights now (module docstring)."""
    runs = race.runs
    index = example_index(race)
    inputs, targets, mask = runs["rnn"].source.example(index)
    with np.errstate(all="ignore"):
        lstm = gradient_highway(runs["lstm"].network, inputs, targets, mask, plain=runs["rnn"].network)
        gru = gradient_highway(runs["gru"].network, inputs, targets, mask)
    rows = {"rnn": lstm.plain_norms, "lstm": lstm.path_norms, "gru": gru.path_norms}
    names = tuple(name for name in race.names if name in rows)
    with np.errstate(all="ignore"):
        norms = np.vstack([rows[name] / rows[name][-1] for name in names])
    norms[~(np.isfinite(norms) & (norms > 0))] = np.nan
    return FlowStrips(
        names=names, labels=tuple(f"{RACE_TITLES[name]} {PATH_LABELS[name]}" for name in names),
        steps=lstm.steps, norms=norms, decades=delta_colour_scale(norms), example=index,
        first_bit=int(inputs[0, 0]))


def held_out(race: RaceRun) -> dict[str, float]:
    """Each cell's share of the memory task's held-out sequences recalled now (a few tens of ms)."""
    return {name: held_out_rate(run, race.seed) for name, run in race.runs.items()}


def held_out_text(rate: float, update: int, short: bool = False) -> str:
    """*rate* at *update* in words, saying whether that is learned (≥ 95 %)."""
    verdict = "learned" if rate >= SUCCESS_RATE else "not learned"
    if short:
        return f"held-out {rate:.1%} at update {update:,}: {verdict}"
    return f"{rate:.1%} of {HELD_OUT} held-out sequences right at update {update:,} — {verdict} (≥ {SUCCESS_RATE:.0%})"


def held_out_lines(race: RaceRun) -> dict[str, str]:
    """Each cell's held-out success now, one line each (a few tens of ms: not every frame)."""
    return {name: f"{RACE_TITLES[name]}: {held_out_text(rate, race.runs[name].cursor)}"
            for name, rate in held_out(race).items()}


def race_status(race: RaceRun) -> str:
    """The status line: the update, and each cell's last loss (and where a run diverged)."""
    parts = [f"update {race.cursor:,} of {race.n_ticks:,}"]
    losses = []
    for name, run in race.runs.items():
        if run.diverged_at is not None and run.cursor >= run.diverged_at:
            losses.append(f"{RACE_TITLES[name]} diverged at update {run.diverged_at + 1:,}")
        elif run.cursor:
            losses.append(f"{RACE_TITLES[name]} {format_number(float(run.losses()[run.cursor - 1]))}")
    if losses:
        parts.append("loss: " + ", ".join(losses))
    parts.append(f"seed {race.seed}")
    return "   ·   ".join(parts)
