"""What the one-neuron window's sweep view shows: the session's stream learned once per η.

:func:`eta_sweep` runs the one-neuron learner on the session's stream with
its settings (rule, activation, gain, initial weights, ``h0``) once per η,
log-spaced (:data:`DEFAULT_LOW` … :data:`DEFAULT_HIGH`, :data:`DEFAULT_POINTS`
runs), all side by side in one array
(:func:`rnnviz.engine.batched_learner.run_many`: each run is bit for bit the
run a session makes alone at that η). Per run it keeps η, the mean ``|e|``,
the final ``ih``, ``hh``, ``ho`` and the run's notation class: runs whose
notations of the three weights are all the same share a class, numbered
from 1 in η order, as ``rnnviz sweep eta`` numbers them (told apart by the
runs' sign codes, :func:`rnnviz.present.sweep_grid.code_classes`; a class's
text is written when a tip asks for it). The session's
cursor plays no part: a sweep is the same at every tick.

The runs report progress through :mod:`rnnviz.engine.progress`, so a front
end can show it (and cancel) for a long stream; beyond :data:`MAX_TICKS`
ticks the sweep is refused with a line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from rnnviz.engine import progress
from rnnviz.engine.batched_learner import ManyRuns, run_many
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import LearnerParams
from rnnviz.present.sweep_grid import ETA_HIGH, ETA_LOW, code_classes
from rnnviz.present.sweep_grid import MEASURES as GRID_MEASURES

#: η's range: the heat map's columns' (:mod:`rnnviz.present.sweep_grid`).
DEFAULT_LOW: Final[float] = ETA_LOW
DEFAULT_HIGH: Final[float] = ETA_HIGH
DEFAULT_POINTS: Final[int] = 120
#: The longest stream swept, in ticks: 120 runs of it take seconds (with progress and Cancel).
MAX_TICKS: Final[int] = 200_000
#: The measures a user can plot against η, by name, with their axis titles.
MEASURES: Final[dict[str, str]] = {key: title for key, title in GRID_MEASURES.items() if key != "class"}
DEFAULT_MEASURE: Final[str] = "mean_err"
#: The longest notation :meth:`EtaSweep.describe` writes out.
NOTATION_CHARS: Final[int] = 48


def settings_key(params: LearnerParams) -> tuple:
    """What of *params* a sweep depends on: all but η."""
    return (params.rule, params.activation, params.gain, tuple(params.init), params.h0,
            params.learning)


@dataclass(frozen=True)
class EtaSweep:
    """One sweep over η: per run η, mean |e|, final weights (R, 3) as ih, hh, ho and class."""

    eta: np.ndarray
    mean_err: np.ndarray
    final: np.ndarray
    classes: np.ndarray
    first_runs: np.ndarray
    ticks: int
    key: tuple
    runs: ManyRuns = field(repr=False, compare=False)
    _texts: dict[int, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.eta)

    def measure(self, name: str) -> np.ndarray:
        """The values of measure *name* (a key of :data:`MEASURES`), one per run."""
        if name == "mean_err":
            return self.mean_err
        if name in WEIGHTS:
            return self.final[:, WEIGHTS.index(name)]
        raise InputError(f"no measure {name!r}; one of {', '.join(MEASURES)}")

    def class_span(self, number: int) -> tuple[int, float, float]:
        """Class *number*'s run count and its lowest and highest η."""
        members = self.eta[self.classes == number]
        return len(members), float(members.min()), float(members.max())

    @property
    def class_count(self) -> int:
        return len(self.first_runs)

    def notation(self, number: int) -> dict[str, str]:
        """Class *number*'s notation of ``ih``, ``hh``, ``ho`` (written when first asked for)."""
        if not 1 <= number <= self.class_count:
            raise InputError(f"no class {number}; classes are 1 to {self.class_count}")
        if number not in self._texts:
            self._texts[number] = self.runs.notation(int(self.first_runs[number - 1]))
        return self._texts[number]

    @property
    def notations(self) -> tuple[dict[str, str], ...]:
        """Every class's notation, in class order."""
        return tuple(self.notation(number) for number in range(1, self.class_count + 1))

    def describe(self, run: int) -> str:
        """Run *run* in a few lines: η, mean |e|, final weights, class and its notation
        (each cut to :data:`NOTATION_CHARS` characters)."""
        number = int(self.classes[run])
        ih, hh, ho = self.final[run].tolist()
        lines = [f"η {self.eta[run]:.4g} · mean |e| {self.mean_err[run]:.4f} · class {number}",
                 f"final ih {ih:.4g}, hh {hh:.4g}, ho {ho:.4g}"]
        for weight in WEIGHTS:
            text = self.notation(number)[weight]
            if len(text) > NOTATION_CHARS:
                text = text[: NOTATION_CHARS - 1] + "…"
            lines.append(f"{weight}: {text}")
        return "\n".join(lines)


def eta_sweep(bits: np.ndarray, params: LearnerParams, *, low: float = DEFAULT_LOW,
              high: float = DEFAULT_HIGH, points: int = DEFAULT_POINTS) -> EtaSweep:
    """Learn *bits* with *params* once per η, log-spaced from *low* to *high* (see the module docstring).

    Raises :class:`InputError` with one line when there is nothing to sweep (learning off,
    fewer than 2 bits) or the stream is longer than :data:`MAX_TICKS`;
    :class:`~rnnviz.engine.errors.Cancelled` when a progress listener cancels.
    """
    ticks = len(bits) - 1
    if not params.learning:
        raise InputError("learning is off: every η gives the same run (switch learning on)")
    if ticks < 1:
        raise InputError("a sweep needs a stream of at least 2 bits (one tick)")
    if ticks > MAX_TICKS:
        raise InputError(f"the stream is too long to sweep here ({ticks:,} ticks, at most "
                         f"{MAX_TICKS:,}); use rnnviz sweep eta")
    etas = np.geomspace(low, high, points) if points > 1 else np.array([float(low)])
    runs = run_many(bits, etas, params.init, params.h0, rule=params.rule,
                    activation=params.activation, gain=params.gain,
                    progress=progress.report if progress.listening() else None)
    labels, first_runs = code_classes(runs)
    return EtaSweep(eta=runs.eta, mean_err=runs.mean_err, final=runs.final, classes=labels,
                    first_runs=first_runs, ticks=runs.ticks, key=settings_key(params), runs=runs)
