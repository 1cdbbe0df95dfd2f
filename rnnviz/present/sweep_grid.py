"""η × one initial weight: the session's stream learned once per cell of a grid, all at once.

:func:`weight_grid` runs the one-neuron learner on the stream with every
pair of an η (log-spaced, the columns) and a start value of one weight
(``ih``, ``hh`` or ``ho``, evenly spaced, the rows), the two other start
weights, ``h0``, the rule, activation and gain the session's. All
``rows × columns`` runs are one array in one call of
:func:`rnnviz.engine.batched_learner.run_many`, each bit for bit the run a
session makes alone with that η and those start weights.

Per cell it keeps the mean ``|e|``, the final ``ih``, ``hh``, ``ho`` and the
run's notation class: runs whose +/− notations of the three weights are all
the same share a class, numbered from 1 in the order of the runs (row by
row, η rising along a row), as ``rnnviz sweep eta --w0`` numbers them.
Classes are told apart by the runs' sign codes, all at once
(:func:`code_classes`); a class's text is written only when asked for, from
its first run.

:data:`MAX_LEARNER_TICKS` bounds a grid's runs × ticks (and with it the
notation's three bytes per learner-tick); beyond it the grid is refused with
one line. The runs report progress through :mod:`rnnviz.engine.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from rnnviz.engine import progress
from rnnviz.engine.batched_learner import ManyRuns, run_many
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import MAX_START, LearnerParams

ETA_LOW: Final[float] = 0.01
ETA_HIGH: Final[float] = 100.0
#: Columns: 12 a decade over 0.01 … 100.
ETA_POINTS: Final[int] = 49
W0_LOW: Final[float] = -3.0
W0_HIGH: Final[float] = 3.0
#: Rows: a step of 0.2 over −3 … 3.
W0_POINTS: Final[int] = 31
#: The most runs × ticks of one grid here: about a second, and 60 MB of notation codes.
MAX_LEARNER_TICKS: Final[int] = 20_000_000
#: Ticks of codes compared in one pass of :func:`code_classes` (a few ms a pass for a grid).
CLASS_TICKS: Final[int] = 512
#: What a cell can be coloured by, with its colour bar's title.
MEASURES: Final[dict[str, str]] = {
    "mean_err": "mean |e|",
    "ih": "final ih",
    "hh": "final hh",
    "ho": "final ho",
    "class": "class",
}
DEFAULT_MEASURE: Final[str] = "mean_err"
DEFAULT_WEIGHT: Final[str] = "hh"
#: The longest notation :meth:`WeightGrid.describe` writes out.
NOTATION_CHARS: Final[int] = 48


def grid_key(params: LearnerParams, weight: str) -> tuple:
    """What of *params* a grid over *weight* depends on: all but η and *weight*'s start value."""
    others = tuple(v for w, v in zip(WEIGHTS, params.init) if w != weight)
    return (weight, params.rule, params.activation, params.gain, others, params.h0, params.learning)


def code_classes(runs: ManyRuns, report=None) -> tuple[np.ndarray, np.ndarray]:
    """Each run's class number (1-based, in order of first appearance) and each class's first run.

    A run's notation is made from its column of sign codes alone, and different columns
    make different notations (a token starts wherever the sign changes or the weight
    flips, so the tokens give back the codes): runs share a class exactly when their
    codes of all three weights are equal. They are compared as rows of bytes, all runs
    at once, :data:`CLASS_TICKS` ticks at a time: each pass splits the classes so far by
    the next ticks' codes (*report* is called with (passes done, passes) after each),
    and no notation is written.
    """
    blocks = runs.notations.blocks
    ticks = blocks[0].filled
    labels = np.zeros(len(runs), dtype=np.int64)
    passes = -(-ticks // CLASS_TICKS)
    for done, start in enumerate(range(0, ticks, CLASS_TICKS), start=1):
        rows = [labels.reshape(-1, 1).view(np.uint8)]  # the class so far, then the codes
        rows.append(np.concatenate([np.ascontiguousarray(
            block.codes[start : start + CLASS_TICKS].transpose(2, 0, 1)).reshape(
                block.codes.shape[2], -1) for block in blocks]).view(np.uint8))
        keys = np.ascontiguousarray(np.concatenate(rows, axis=1))
        whole = keys.view(np.dtype((np.void, keys.shape[1]))).reshape(-1)
        _, inverse = np.unique(whole, return_inverse=True)
        labels = inverse.reshape(-1).astype(np.int64)
        if report is not None:
            report(done, passes)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first)  # the classes in order of their first run
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[inverse.reshape(-1)] + 1, first[order]


def check_grid(weight: str, eta: np.ndarray, w0: np.ndarray, ticks: int,
               limit: int = MAX_LEARNER_TICKS) -> None:
    """One line for a grid that cannot be run: an unknown weight, no runs, more learner-ticks
    than *limit*."""
    if weight not in WEIGHTS:
        raise InputError(f"the swept start weight must be ih, hh or ho, not {weight!r}")
    if ticks < 1:
        raise InputError("a sweep needs a stream of at least 2 bits (one tick)")
    if not len(eta) or not len(w0):
        raise InputError("a grid needs at least one η and one start value")
    if not np.isfinite(w0).all() or (np.abs(w0) > MAX_START).any():
        raise InputError(f"start values must be finite, at most {MAX_START:g} in size")
    runs = len(eta) * len(w0)
    if runs * ticks > limit:
        raise InputError(f"the grid is too large for the stream: {runs:,} runs × {ticks:,} ticks "
                         f"is more than {limit:,}; use rnnviz sweep eta --w0")


@dataclass(frozen=True)
class WeightGrid:
    """One grid: η (columns), the swept weight's start values (rows), and per cell
    (rows, columns) the mean |e|, the final weights (rows, columns, 3) and the class."""

    weight: str
    eta: np.ndarray
    w0: np.ndarray
    mean_err: np.ndarray
    final: np.ndarray
    classes: np.ndarray
    first_runs: np.ndarray
    ticks: int
    key: tuple
    runs: ManyRuns = field(repr=False, compare=False)
    _texts: dict[int, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.w0), len(self.eta)

    @property
    def class_count(self) -> int:
        return len(self.first_runs)

    def notation(self, number: int, *, ascii: bool = False) -> dict[str, str]:
        """Class *number*'s notation of ``ih``, ``hh``, ``ho`` (written when first asked for)."""
        if not 1 <= number <= self.class_count:
            raise InputError(f"no class {number}; classes are 1 to {self.class_count}")
        key = number if not ascii else -number
        if key not in self._texts:
            self._texts[key] = self.runs.notation(int(self.first_runs[number - 1]), ascii=ascii)
        return self._texts[key]

    def measure(self, name: str) -> np.ndarray:
        """The values of measure *name* (a key of :data:`MEASURES`), (rows, columns)."""
        if name == "mean_err":
            return self.mean_err
        if name == "class":
            return self.classes
        if name in WEIGHTS:
            return self.final[:, :, WEIGHTS.index(name)]
        raise InputError(f"no measure {name!r}; one of {', '.join(MEASURES)}")

    def class_size(self, number: int) -> int:
        """How many cells class *number* has."""
        return int((self.classes == number).sum())

    def start(self, init: tuple[float, float, float], row: int) -> tuple[float, float, float]:
        """*init* with the swept weight's start value that of *row*."""
        values = list(init)
        values[WEIGHTS.index(self.weight)] = float(self.w0[row])
        return (values[0], values[1], values[2])

    def describe(self, row: int, column: int) -> str:
        """Cell (*row*, *column*) in a few lines: η, start value, mean |e|, final weights, class."""
        number = int(self.classes[row, column])
        ih, hh, ho = self.final[row, column].tolist()
        lines = [f"η {self.eta[column]:.4g} · start {self.weight} {self.w0[row]:.4g}",
                 f"mean |e| {self.mean_err[row, column]:.4f} · class {number}",
                 f"final ih {ih:.4g}, hh {hh:.4g}, ho {ho:.4g}"]
        for weight in WEIGHTS:
            text = self.notation(number)[weight]
            if len(text) > NOTATION_CHARS:
                text = text[: NOTATION_CHARS - 1] + "…"
            lines.append(f"{weight}: {text}")
        return "\n".join(lines)


def grid_runs(bits: np.ndarray, params: LearnerParams, weight: str, eta: np.ndarray,
              w0: np.ndarray, *, progress_to=None, limit: int = MAX_LEARNER_TICKS) -> ManyRuns:
    """The grid's runs, row after row (the η of a row rising), as one :func:`run_many`;
    at most *limit* learner-ticks."""
    eta = np.asarray(eta, dtype=np.float64).reshape(-1)
    w0 = np.asarray(w0, dtype=np.float64).reshape(-1)
    check_grid(weight, eta, w0, len(bits) - 1, limit)
    init = np.tile(np.asarray(params.init, dtype=np.float64), (len(w0) * len(eta), 1))
    init[:, WEIGHTS.index(weight)] = np.repeat(w0, len(eta))
    return run_many(bits, np.tile(eta, len(w0)), init, params.h0, rule=params.rule,
                    activation=params.activation, gain=params.gain, progress=progress_to)


def weight_grid(bits: np.ndarray, params: LearnerParams, weight: str = DEFAULT_WEIGHT, *,
                eta: np.ndarray | None = None, w0: np.ndarray | None = None) -> WeightGrid:
    """Learn *bits* once per cell of η × *weight*'s start value (see the module docstring).

    The defaults: :data:`ETA_POINTS` η log-spaced over :data:`ETA_LOW` … :data:`ETA_HIGH`,
    :data:`W0_POINTS` start values over :data:`W0_LOW` … :data:`W0_HIGH`. Raises
    :class:`InputError` with one line when there is nothing to sweep or too much;
    :class:`~rnnviz.engine.errors.Cancelled` when a progress listener cancels.
    """
    if not params.learning:
        raise InputError("learning is off: every η gives the same run (switch learning on)")
    etas = np.geomspace(ETA_LOW, ETA_HIGH, ETA_POINTS) if eta is None else np.asarray(eta, float)
    starts = np.linspace(W0_LOW, W0_HIGH, W0_POINTS) if w0 is None else np.asarray(w0, float)
    listening = progress.listening()
    # one bar: the runs' learner-ticks, then the classes as a fifth more
    work = len(etas) * len(starts) * max(len(bits) - 1, 1)
    whole = work + work // 5
    runs = grid_runs(bits, params, weight, etas, starts,
                     progress_to=(lambda done, _: progress.report(done, whole)) if listening else None)
    labels, first_runs = code_classes(
        runs, (lambda done, passes: progress.report(work + work // 5 * done // passes, whole))
        if listening else None)
    shape = (len(starts), len(etas))
    return WeightGrid(weight=weight, eta=runs.eta[: len(etas)].copy(), w0=starts.copy(),
                      mean_err=runs.mean_err.reshape(shape), final=runs.final.reshape(*shape, 3),
                      classes=labels.reshape(shape), first_runs=first_runs, ticks=runs.ticks,
                      key=grid_key(params, weight), runs=runs)
