"""The race's Seeds view, without Qt: which seeds does each cell learn with? (issue 16)

:func:`race_seeds` trains the race's three cells once per seed of 0 … 23
(:data:`SEEDS`), one cell's seeds side by side
(:func:`~rnnviz.tasks.sweep_memory.sweep_memory` with ``stop_early=False``):
every seed is its race run bit for bit, trained to the race's whole budget
(:data:`SEED_UPDATES`), and its held-out share is the one the race's scoreboard
shows at the end of that seed's race. A seed has *learned* at ≥ 95 % of the
memory task's 200 held-out sequences right.

Which seeds learn differs between processors (the training is chaotic, see
:mod:`rnnviz.tasks.race_presets`); the counts only by a seed or two
(:data:`PROCESSOR_NOTE`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.tasks import Progress
from rnnviz.tasks.memory import HELD_OUT, SUCCESS_RATE
from rnnviz.tasks.race_presets import (
    RACE_CELLS,
    RACE_TITLES,
    RACE_UPDATES,
    race_settings,
)
from rnnviz.tasks.sweep_memory import sweep_memory

__all__ = ["PROCESSOR_NOTE", "SEEDS", "SEED_UPDATES", "CellSeeds", "race_seeds", "seed_summary"]

#: The seeds the view trains: those of the race's tally (RACE_RESULTS; tests train fewer).
SEEDS: tuple[int, ...] = tuple(range(24))
#: Updates each seed trains: the race's whole budget (tests shorten it).
SEED_UPDATES: int = RACE_UPDATES
#: Each cell's share of the work, for progress: about its time for 24 seeds (6.6, 24 and 23 s
#: measured for the plain RNN, the LSTM and the GRU on one loaded two-core machine).
CELL_COST: Final[dict[str, int]] = {"rnn": 2, "lstm": 7, "gru": 7}
#: What the view says of processors.
PROCESSOR_NOTE: Final[str] = ("Which seeds learn differs between processors (the training is chaotic); "
                              "the counts only by a seed or two.")


@dataclass(frozen=True)
class CellSeeds:
    """One cell's seeds after the budget: held-out share (0 … 1; nan when diverged) and outcome."""

    cell: str
    seeds: tuple[int, ...]
    updates: int
    held_out: np.ndarray
    diverged: np.ndarray

    @property
    def learned(self) -> np.ndarray:
        """≥ 95 % of the held-out sequences right (never for a diverged seed)."""
        return ~self.diverged & (np.nan_to_num(self.held_out, nan=0.0) >= SUCCESS_RATE)

    @property
    def percent(self) -> np.ndarray:
        """The held-out shares in %, a diverged seed drawn at 0."""
        return np.nan_to_num(self.held_out * 100.0, nan=0.0)

    def count_text(self) -> str:
        """The legend's entry: ``GRU 24 of 24``."""
        return f"{RACE_TITLES[self.cell]} {int(self.learned.sum())} of {len(self.seeds)}"

    def describe(self, position: int) -> str:
        """A mark's tip: the seed, the cell's held-out share and its outcome."""
        seed, name = self.seeds[position], RACE_TITLES[self.cell]
        if self.diverged[position]:
            return f"seed {seed}: the {name} diverged (its loss stopped being a finite number)"
        outcome = "learned" if self.learned[position] else "not learned"
        return (f"seed {seed}: the {name} recalls {self.held_out[position]:.1%} of the {HELD_OUT} "
                f"held-out sequences after {self.updates:,} updates — {outcome}")


def cell_seeds(cell: str, seeds: Sequence[int], updates: int,
               progress: Progress | None = None) -> CellSeeds:
    """*cell*'s race runs for *seeds*, each trained *updates* updates, side by side."""
    sweep = sweep_memory(race_settings(cell, 0, updates=updates), seeds, progress, stop_early=False)
    diverged = sweep.diverged > 0
    held = np.where(diverged, np.nan, sweep.held_out_rate)
    return CellSeeds(cell, tuple(sweep.seeds), updates, held, diverged)


def race_seeds(seeds: Sequence[int] | None = None, updates: int | None = None,
               progress: Progress | None = None,
               each: Callable[[CellSeeds], None] | None = None) -> dict[str, CellSeeds]:
    """Every race cell's :func:`cell_seeds` (default: :data:`SEEDS`, :data:`SEED_UPDATES`), the
    plain RNN first; *progress* gets the work done of all three together (updates weighted by
    :data:`CELL_COST`), *each* every cell's result as soon as it is trained."""
    seeds = SEEDS if seeds is None else seeds
    updates = SEED_UPDATES if updates is None else updates
    total = sum(CELL_COST.values()) * updates
    results: dict[str, CellSeeds] = {}
    before = 0
    for cell in RACE_CELLS:
        part = None if progress is None else (
            lambda done, _total, before=before, cost=CELL_COST[cell]: progress(before + cost * done, total))
        before += CELL_COST[cell] * updates
        results[cell] = cell_seeds(cell, seeds, updates, part)
        if each is not None:
            each(results[cell])
    return results


def seed_summary(results: dict[str, CellSeeds]) -> str:
    """One line: per cell how many seeds learned."""
    if not results:
        return "nothing trained"
    first = next(iter(results.values()))
    counts = ", ".join(r.count_text() for r in results.values())
    return (f"Learned (≥ {SUCCESS_RATE:.0%} of {HELD_OUT} held-out sequences right after "
            f"{first.updates:,} updates): {counts}")
