"""The lab's Seeds tab, without Qt: does binary addition learn for every seed? (issue 16)

:func:`seed_outcomes` trains the addition preset's network — 2-16-1, sigmoid
units, η = 0.5, the preset's (and ``rnnviz task addition``'s) defaults — once
for each of the seeds 0 … :data:`SEED_COUNT` − 1, on :data:`SEED_EXAMPLES`
training pairs (``rnnviz task addition``'s default count, one update each).
Seed *S*'s numbers are those of ``rnnviz task addition --seed S --examples
10000`` and so of the first 10,000 updates of the lab's addition preset at seed
*S*: all seeds learn side by side in one array
(:func:`~rnnviz.tasks.sweep_addition.sweep_addition`), each bit for bit its
run alone (tests/test_lab_seeds.py). The count is fixed at 40, the seeds
the README's table sweeps; it reports its progress through
:func:`rnnviz.engine.progress.report`, so a window can show it and cancel.

Per seed: the share of the 200 held-out pairs it sums exactly after training,
its final error (the mean of Σ|target − output| over its last
:data:`FINAL_WINDOW` training pairs) and its outcome: *learned* when it sums
every held-out pair exactly, *diverged* when its error stopped being a finite
number, else *not learned*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine import progress
from rnnviz.tasks.addition import HELD_OUT_PAIRS, AdditionSettings
from rnnviz.tasks.sweep_addition import sweep_addition

__all__ = ["FINAL_WINDOW", "OUTCOMES", "SEED_COUNT", "SEED_EXAMPLES", "SeedOutcomes",
           "outcome", "seed_outcomes", "seed_settings"]

#: Seeds the tab trains: 0 … 39.
SEED_COUNT: Final[int] = 40
#: Training pairs per seed: ``rnnviz task addition``'s default (about 2 s for 40 seeds here).
SEED_EXAMPLES: Final[int] = 10_000
#: The final error is the mean over this many last training pairs.
FINAL_WINDOW: Final[int] = 100
#: The outcomes, in the legend's order.
OUTCOMES: Final[tuple[str, ...]] = ("learned", "not learned", "diverged")


def outcome(held_out_correct: int, pairs: int = HELD_OUT_PAIRS) -> str:
    """*learned* (every held-out pair exact), *diverged* (a negative count) or *not learned*."""
    if held_out_correct < 0:
        return "diverged"
    return "learned" if held_out_correct == pairs else "not learned"


def seed_settings(examples: int = SEED_EXAMPLES) -> AdditionSettings:
    """The settings every seed is trained with: the preset's hidden units and η, *examples* pairs."""
    return AdditionSettings(examples=examples)


@dataclass(frozen=True)
class SeedOutcomes:
    """What training addition once per seed produced (see the module docstring).

    ``exact`` is the held-out share summed exactly (0 … 1, nan for a diverged
    seed); ``final_error`` the mean error over the last :data:`FINAL_WINDOW`
    pairs (nan when diverged); ``outcomes`` one of :data:`OUTCOMES` per seed.
    """

    settings: AdditionSettings
    seeds: tuple[int, ...]
    exact: np.ndarray
    final_error: np.ndarray
    outcomes: tuple[str, ...]

    def count(self, name: str) -> int:
        """How many seeds had outcome *name*."""
        return self.outcomes.count(name)

    def of(self, name: str) -> list[int]:
        """The positions (in :attr:`seeds`) of the seeds with outcome *name*."""
        return [i for i, o in enumerate(self.outcomes) if o == name]

    def summary(self) -> str:
        """One line: how many learned, and which did not."""
        learned = self.count("learned")
        text = (f"{learned} of {len(self.seeds)} seeds learned (every one of the {HELD_OUT_PAIRS} "
                f"held-out sums exact) after {self.settings.examples:,} updates")
        others = [self.seeds[i] for i, o in enumerate(self.outcomes) if o != "learned"]
        if others:
            text += "; not: seed" + ("s " if len(others) > 1 else " ") + ", ".join(map(str, others))
        return text

    def describe(self, position: int) -> str:
        """The tip of seed number *position*: its outcome, held-out share and final error."""
        seed, name = self.seeds[position], self.outcomes[position]
        if name == "diverged":
            return f"seed {seed}: diverged (its error stopped being a finite number)"
        return (f"seed {seed}: {name}, {self.exact[position]:.1%} of the held-out sums exact, "
                f"final error {self.final_error[position]:.3f} (mean of the last {FINAL_WINDOW} updates)")


def seed_outcomes(seeds: Sequence[int] | None = None, examples: int = SEED_EXAMPLES) -> SeedOutcomes:
    """Train addition once per seed (default 0 … 39) with :func:`seed_settings`, side by side."""
    chosen = tuple(range(SEED_COUNT)) if seeds is None else tuple(int(s) for s in seeds)
    sweep = sweep_addition(seed_settings(examples), chosen, progress=progress.report)
    correct = sweep.held_out_correct
    diverged = sweep.diverged > 0
    exact = np.where(diverged, np.nan, correct / HELD_OUT_PAIRS)
    window = min(FINAL_WINDOW, examples)
    final = np.where(diverged, np.nan, sweep.errors[:, -window:].mean(axis=1))
    return SeedOutcomes(sweep.settings, chosen, exact, final,
                        tuple(outcome(int(c)) for c in correct))
