"""The race (issue 15): several lab runs trained side by side as one run.

A :class:`RaceRun` holds lab runs of one stream — the plain RNN, the LSTM and
the GRU of :mod:`rnnviz.tasks.race_presets`, whose update *t* learns the same
sequence — and follows the run protocol (:mod:`rnnviz.runs.protocol`) for them
together: **one tick is one update of each**. Every run moves only through its
own :meth:`~rnnviz.runs.lab.LabRun.seek`, so each is, bit for bit, the run it
would be alone (tests/test_race.py).

A run that diverges stops where it did (its :attr:`~rnnviz.runs.lab.LabRun.n_ticks`
becomes :attr:`~rnnviz.runs.lab.LabRun.diverged_at`); the others go on. So the
race's cursor is the furthest of its runs' cursors and :attr:`n_ticks` the
furthest any run can go; a run that stopped sooner stays at its end.

Long moves report their progress as one job over every run's updates
(:mod:`rnnviz.engine.progress`), in slices that advance the runs together;
on Cancel every run is brought back to the tick all have reached (stored
updates only, nothing recomputed), so the race never stands at two ticks.

No Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.runs.lab import LabRun

__all__ = ["RaceRun", "SLICE_UPDATES"]

#: While someone listens for progress, the runs advance together this many updates at a time.
SLICE_UPDATES: Final[int] = 256


class RaceRun:
    """Lab runs trained side by side, one update of each per tick (see the module docstring).

    Parameters
    ----------
    runs
        The runs by name (``{"rnn": …, "lstm": …, "gru": …}``), in the order they are shown;
        the race owns them from now on.
    seed
        The seed the runs were drawn from (kept for session files and titles).
    """

    def __init__(self, runs: Mapping[str, LabRun], seed: int = 0) -> None:
        if not runs or not all(isinstance(run, LabRun) for run in runs.values()):
            raise InputError("a race needs one or more lab runs, by name")
        if len({run.n_updates for run in runs.values()}) != 1:
            raise InputError("the runs of a race must allow the same number of updates")
        self.runs: dict[str, LabRun] = dict(runs)
        self.seed = seed

    @property
    def names(self) -> tuple[str, ...]:
        """The runs' names, in the order they are shown."""
        return tuple(self.runs)

    # -- the Run protocol ------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """Updates done by the run that got furthest (every run not stopped sooner is there)."""
        return max(run.cursor for run in self.runs.values())

    @property
    def n_ticks(self) -> int:
        """The updates the furthest-going run allows (each stops at its own end)."""
        return max(run.n_ticks for run in self.runs.values())

    @property
    def at_end(self) -> bool:
        return self.cursor >= self.n_ticks

    @property
    def stored(self) -> int:
        return max(run.stored for run in self.runs.values())

    @property
    def forgets(self) -> int:
        """Grows with every run's forgetting."""
        return sum(run.forgets for run in self.runs.values())

    def step(self, count: int = 1) -> int:
        before = self.cursor
        self._move(min(before + max(int(count), 0), self.n_ticks))
        return self.cursor - before

    def back(self, count: int = 1) -> int:
        before = self.cursor
        self._move(max(before - max(int(count), 0), 0))
        return before - self.cursor

    def seek(self, tick: int) -> None:
        self._move(min(max(int(tick), 0), self.n_ticks))

    def reset(self) -> None:
        """Every run back to update 0; their stored updates are forgotten."""
        for run in self.runs.values():
            run.reset()

    def state_at(self, tick: int) -> dict[str, dict[str, np.ndarray]]:
        """Each run's parameters after *tick* updates (a run that stopped sooner: at its end)."""
        return {name: run.state_at(min(int(tick), run.stored)) for name, run in self.runs.items()}

    # -- reading ---------------------------------------------------------------------

    def losses(self) -> dict[str, np.ndarray]:
        """Each run's losses of the updates up to the cursor (read-only views)."""
        return {name: run.losses()[: run.cursor] for name, run in self.runs.items()}

    def accuracies(self) -> dict[str, np.ndarray]:
        """Each run's accuracies (0 or 1) of the updates up to the cursor."""
        out = {}
        for name, run in self.runs.items():
            values = run.accuracies()
            out[name] = np.zeros(run.cursor) if values is None else values[: run.cursor]
        return out

    def log(self) -> dict[str, list]:
        """Each run's :meth:`~rnnviz.runs.lab.LabRun.log`, by name."""
        return {name: run.log() for name, run in self.runs.items()}

    # -- moving ------------------------------------------------------------------------

    def _move(self, target: int) -> None:
        runs = list(self.runs.values())
        if not progress.listening() or target <= self.stored:
            for run in runs:
                run.seek(min(target, run.n_ticks))
            return
        origin = min(run.stored for run in runs)
        total = max((target - origin) * len(runs), 1)
        try:
            at = self.cursor
            while at < target:
                stop = min(at + SLICE_UPDATES, target)
                for i, run in enumerate(runs):
                    done = (at - origin) * len(runs) + i * (stop - at)
                    with progress.part(max(done, 0), total):
                        run.seek(min(stop, run.n_ticks))
                at = stop
                progress.report((at - origin) * len(runs), total)
        except Cancelled:  # every run back to the tick all that go on have reached
            going = [run.cursor for run in runs if not run.at_end]
            if going:
                for run in runs:
                    run.seek(min(min(going), run.n_ticks))
            raise
