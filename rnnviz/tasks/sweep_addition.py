"""Binary addition over many seeds at once (issue 16): ``rnnviz sweep addition``.

Every seed is trained exactly as :func:`rnnviz.tasks.addition.run_addition`
trains it alone — its own initial weights, held-out pairs and training pairs,
drawn from its own generator in the same order — but the R networks learn
side by side, one update of all of them per example
(:mod:`rnnviz.engine.batched_elman`). Each seed's errors, exact sums and
held-out answers are its run alone's, bit for bit
(tests/test_sweep_addition.py). A seed whose error stops being a finite
number is marked diverged at that example (a run alone would stop there with
an error); the others go on.

A seed has *learned* when it sums all 200 held-out pairs exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from rnnviz.engine.batched_elman import BatchedElman, forward, train_step
from rnnviz.engine.errors import InputError
from rnnviz.tasks import Progress, check_training_work
from rnnviz.tasks.addition import (
    HELD_OUT_PAIRS,
    AdditionSettings,
    encode_pairs,
    from_bits,
    make_network,
    split_pairs,
)

#: Most seeds one sweep trains side by side.
MAX_SEEDS: Final[int] = 1000
#: Most training examples of all seeds together: each keeps its error, its exact
#: flag and its pair (about 33 bytes), so 660 MB at most.
MAX_SWEEP_EXAMPLES: Final[int] = 20_000_000
#: Training pairs are encoded this many at a time (for all seeds at once).
_BATCH: Final[int] = 1024
_PROGRESS_TICKS: Final[int] = 200


@dataclass(frozen=True)
class AdditionSweep:
    """What training every seed produced.

    Attributes
    ----------
    settings
        The shared settings (their ``seed`` is the first seed's).
    seeds
        The seeds, in order (R,).
    errors, exact
        Per seed and training example, the error Σ|target − output| and whether
        the rounded sum was exact, before that example's update (R, examples).
    held_out_correct
        Held-out pairs each seed sums exactly after training (R,); −1 when it diverged.
    diverged
        The example (1-based) at which each seed's error stopped being finite, 0 if never.
    weights
        The trained networks.
    """

    settings: AdditionSettings
    seeds: tuple[int, ...]
    errors: np.ndarray
    exact: np.ndarray
    held_out_correct: np.ndarray
    diverged: np.ndarray
    weights: BatchedElman

    @property
    def learned(self) -> np.ndarray:
        """Whether each seed sums every held-out pair exactly."""
        return self.held_out_correct == HELD_OUT_PAIRS


def sweep_addition(settings: AdditionSettings, seeds: Sequence[int],
                   progress: Progress | None = None) -> AdditionSweep:
    """Train addition with *settings* once per seed of *seeds*, all seeds side by side."""
    seeds = tuple(int(seed) for seed in seeds)
    if not seeds:
        raise InputError("a sweep needs at least one seed")
    if len(seeds) > MAX_SEEDS:
        raise InputError(f"a sweep trains at most {MAX_SEEDS} seeds, not {len(seeds)}")
    if len(seeds) * settings.examples > MAX_SWEEP_EXAMPLES:
        raise InputError(f"seeds times examples must be at most {MAX_SWEEP_EXAMPLES:,}, not "
                         f"{len(seeds):,} x {settings.examples:,}")
    check_training_work(len(seeds) * settings.examples, settings.hidden, "seeds times examples")
    runs = [replace(settings, seed=seed) for seed in seeds]  # checks every seed
    nets, held, training = [], [], []
    for run in runs:  # each seed's own draws, in run_addition's order
        rng = np.random.default_rng(run.seed)
        nets.append(make_network(run, rng))
        pairs_held, pairs_training = split_pairs(run, rng)
        held.append(pairs_held)
        training.append(pairs_training)
    net = BatchedElman(*(np.stack([getattr(n, name) for n in nets])
                         for name in ("w_xh", "w_hh", "w_hy")))
    errors, exact, diverged = _train(net, settings, np.stack(training), progress)
    correct = _held_out_correct(net, np.stack(held), settings.bits)
    correct[diverged > 0] = -1
    return AdditionSweep(runs[0], seeds, errors, exact, correct, diverged, net)


def _train(net: BatchedElman, settings: AdditionSettings, training: np.ndarray,
           progress: Progress | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    runs, n = training.shape[:2]
    bits = settings.bits
    errors = np.empty((runs, n))
    exact = np.empty((runs, n), dtype=bool)
    diverged = np.zeros(runs, dtype=np.int64)
    every = max(1, n // _PROGRESS_TICKS)
    with np.errstate(over="ignore", invalid="ignore"):
        for lo in range(0, n, _BATCH):
            batch = training[:, lo : lo + _BATCH]
            inputs, targets = encode_pairs(batch.reshape(-1, 2), bits)
            inputs = inputs.reshape(runs, -1, bits, 2)
            targets = targets.reshape(runs, -1, bits, 1)
            for j in range(inputs.shape[1]):
                i = lo + j
                outputs = train_step(net, np.swapaxes(inputs[:, j], 0, 1), targets[:, j],
                                     settings.learning_rate)
                miss = np.abs(targets[:, j, :, 0] - outputs[:, :, 0])
                errors[:, i] = miss.sum(axis=1)
                exact[:, i] = (miss < 0.5).all(axis=1)
                bad = (diverged == 0) & ~np.isfinite(errors[:, i])
                diverged[bad] = i + 1
                if progress is not None and ((i + 1) % every == 0 or i + 1 == n):
                    progress(i + 1, n)
        finite = np.ones(runs, dtype=bool)
        for weight in (net.w_xh, net.w_hh, net.w_hy):
            finite &= np.isfinite(weight).reshape(runs, -1).all(axis=1)
        diverged[(diverged == 0) & ~finite] = n
    return errors, exact, diverged


def _held_out_correct(net: BatchedElman, held: np.ndarray, bits: int) -> np.ndarray:
    """How many of its held-out pairs (R, P, 2) each network sums exactly."""
    runs, count = held.shape[:2]
    inputs, _ = encode_pairs(held.reshape(-1, 2), bits)
    x = np.moveaxis(inputs.reshape(runs, count, bits, 2), 2, 0)  # (T, R, P, 2)
    with np.errstate(over="ignore", invalid="ignore"):
        _, outputs = forward(net, x, lead=1)
    answers = from_bits(outputs[..., 0])  # (R, P)
    return (answers == held.sum(axis=2)).sum(axis=1)

