"""The long-memory task over many seeds at once (issue 16): ``rnnviz sweep memory``.

Every seed is trained exactly as :func:`rnnviz.tasks.memory.run_memory` trains
it alone — its own initial weights, training, validation and held-out
sequences from its own generators, the same optimiser, clipping, budget and
stopping rule — but the R networks learn side by side, one update of all of
them per training sequence (:mod:`rnnviz.engine.batched_gated`). A seed whose
validation share reaches 95 % at a check stops there, as it would alone, and
leaves the array; the others go on. Each seed's checks, sequences used and
held-out answers are its run alone's, bit for bit (tests/test_sweep_memory.py).
A seed whose loss or weights stop being finite numbers is marked diverged (a
run alone stops there with an error); the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np

from rnnviz.engine import batched_gated as bg
from rnnviz.engine.errors import InputError
from rnnviz.tasks import Progress, check_training_work
from rnnviz.tasks.memory import (
    CHECK_EVERY,
    CLIP_NORM,
    HELD_OUT,
    SUCCESS_RATE,
    VALIDATION,
    MemoryResult,
    MemorySettings,
    memory_data,
    memory_network,
)

#: Most seeds one sweep trains side by side.
MAX_SEEDS: Final[int] = 1000
#: Most numbers of one update's gate activations for all seeds (steps × seeds × gates ×
#: hidden units): each of the dozen arrays of that size an update keeps is then 64 MB at most.
MAX_STEP_NUMBERS: Final[int] = 8_000_000
#: Most sequence steps of all seeds together (lag + 1 times seeds): their validation and
#: held-out bits are kept as bytes, 400 of them a step (80 MB at most).
MAX_SEQUENCE_STEPS: Final[int] = 200_000
#: Numbers of one check's gate activations (T·R·P·G·H) computed at a time.
_CHECK_NUMBERS: Final[int] = 2_000_000
#: Sequence steps of all seeds drawn at a time (their inputs and targets kept meanwhile).
_DRAW_STEPS: Final[int] = 1_000_000


@dataclass(frozen=True)
class MemorySweep:
    """What training every seed produced.

    Attributes
    ----------
    settings
        The shared settings (their ``seed`` is the first seed's).
    seeds
        The seeds, in order (R,).
    sequences_used
        Training sequences each seed saw (R,).
    checks
        Per seed, ``(sequences seen, mean loss of the stretch, validation share)``
        at every check, as :attr:`MemoryResult.checks`.
    held_out_correct
        Held-out sequences each seed recalls after training (R,); −1 when it diverged.
    diverged
        The training sequence (1-based) at which each seed's loss, or the check
        after which its weights, stopped being finite; 0 if never.
    stopped_early
        Whether a seed stopped once its validation share reached 95 % (else every
        seed trained its whole budget).
    """

    settings: MemorySettings
    seeds: tuple[int, ...]
    sequences_used: np.ndarray
    checks: tuple[tuple[tuple[int, float, float], ...], ...]
    held_out_correct: np.ndarray
    diverged: np.ndarray
    stopped_early: bool = True

    @property
    def held_out_rate(self) -> np.ndarray:
        return self.held_out_correct / HELD_OUT

    @property
    def succeeded(self) -> np.ndarray:
        """At least 95 % of the held-out sequences right (never for a diverged seed)."""
        return (self.diverged == 0) & (self.held_out_rate >= SUCCESS_RATE)

    def results(self) -> list[MemoryResult | None]:
        """Each seed's :class:`MemoryResult` as :func:`run_memory` returns it (None: diverged)."""
        return [None if self.diverged[k] else
                MemoryResult(replace(self.settings, seed=seed), int(self.sequences_used[k]),
                             self.checks[k], int(self.held_out_correct[k]))
                for k, seed in enumerate(self.seeds)]


def _bits(rngs: list[np.random.Generator], count: int, lag: int) -> np.ndarray:
    """*count* sequences' bits per network (R, count, L + 1) as bytes, each drawn as
    :func:`memory_data` draws them from its network's generator."""
    return np.stack([memory_data(rng, count, lag).bits.astype(np.uint8) for rng in rngs])


def recalled_many(net: bg.BatchedCells, bits: np.ndarray) -> np.ndarray:
    """How many of its sequences *bits* (R, P, L + 1) each network recalls (R,), as
    :func:`rnnviz.tasks.memory.recalled` for each alone."""
    runs, count, steps = bits.shape
    per = max(1, _CHECK_NUMBERS // max(1, steps * runs * 4 * net.hidden))
    right = np.zeros(runs, dtype=np.int64)
    for lo in range(0, count, per):
        part = bits[:, lo:lo + per]
        inputs = np.zeros((steps, runs, part.shape[1], 2))  # as memory_data makes them
        inputs[..., 0] = np.moveaxis(part, 2, 0)
        inputs[-1, ..., 1] = 1.0
        answers = bg.forward_outputs(net, inputs)[:, :, -1, 0]
        right += ((answers > 0.5) == (part[:, :, 0] > 0)).sum(axis=1)
    return right


def sweep_memory(settings: MemorySettings, seeds: Sequence[int],
                 progress: Progress | None = None, stop_early: bool = True) -> MemorySweep:
    """Train ``memory(L)`` with *settings* once per seed of *seeds*, all seeds side by side.

    With *stop_early* false every seed trains its whole budget, checks and all,
    as a race run does (:mod:`rnnviz.tasks.race_presets`): its held-out recall is
    then the race's scoreboard's after that many updates."""
    seeds = tuple(int(seed) for seed in seeds)
    if not seeds:
        raise InputError("a sweep needs at least one seed")
    if len(seeds) > MAX_SEEDS:
        raise InputError(f"a sweep trains at most {MAX_SEEDS} seeds, not {len(seeds)}")
    runs = [replace(settings, seed=seed) for seed in seeds]  # checks every seed
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[settings.cell]
    numbers = (settings.lag + 1) * len(seeds) * gates * settings.hidden
    if numbers > MAX_STEP_NUMBERS or (settings.lag + 1) * len(seeds) > MAX_SEQUENCE_STEPS:
        raise InputError(f"too large a sweep: (lag + 1) x seeds must be at most "
                         f"{MAX_SEQUENCE_STEPS:,} and that times {gates} x hidden units at most "
                         f"{MAX_STEP_NUMBERS:,}, not {(settings.lag + 1) * len(seeds):,} and "
                         f"{numbers:,}; use fewer seeds, a shorter lag or fewer hidden units")
    check_training_work(len(seeds) * settings.sequences * (settings.lag + 1), settings.hidden,
                        "seeds times sequence steps")
    generators = [[np.random.default_rng([s.seed, k]) for k in range(3)] for s in runs]
    net = bg.from_networks(settings.cell, [memory_network(s, g[0]) for s, g in zip(runs, generators)])
    validation = _bits([g[2] for g in generators], VALIDATION, settings.lag)
    held_out = _bits([g[2] for g in generators], HELD_OUT, settings.lag)
    state = _Training(settings, len(seeds), stop_early)
    state.run(net, generators, validation, progress)
    correct = np.full(len(seeds), -1, dtype=np.int64)
    alive = state.diverged == 0
    if alive.any():
        final = state.final_networks(alive)
        correct[alive] = recalled_many(final, held_out[alive])
    return MemorySweep(runs[0], seeds, state.used, tuple(tuple(c) for c in state.checks),
                       correct, state.diverged, stop_early)


class _Training:
    """The loop of :func:`sweep_memory`: updates, checks, seeds leaving the array."""

    def __init__(self, settings: MemorySettings, runs: int, stop_early: bool) -> None:
        self.settings, self.stop_early = settings, stop_early
        self.used = np.zeros(runs, dtype=np.int64)
        self.diverged = np.zeros(runs, dtype=np.int64)
        self.checks: list[list[tuple[int, float, float]]] = [[] for _ in range(runs)]
        self.params: list[dict[str, np.ndarray] | None] = [None] * runs
        self.template: bg.BatchedCells | None = None

    def final_networks(self, which: np.ndarray) -> bg.BatchedCells:
        """The trained networks of the seeds *which* selects, stacked again."""
        chosen = [self.params[k] for k in np.flatnonzero(which)]
        params = {name: np.stack([p[name] for p in chosen]) for name in chosen[0]}
        return bg.BatchedCells(self.template.cell, self.template.hidden, params,
                               self.template.names)

    def _leave(self, net: bg.BatchedCells, index: np.ndarray, leaving: np.ndarray) -> None:
        for j in np.flatnonzero(leaving):
            self.params[index[j]] = {name: array[j].copy() for name, array in net.params.items()}

    def run(self, net: bg.BatchedCells, generators: list, validation: np.ndarray,
            progress: Progress | None) -> None:
        s = self.settings
        self.template = net
        index = np.arange(net.runs)
        optimizer = "sgd" if s.optimizer == "sgd" else bg.BatchedAdam()
        keep = np.zeros(s.lag + 1)
        keep[-1] = 1.0
        done = 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while done < s.sequences and index.size:
                count = min(CHECK_EVERY - done % CHECK_EVERY, s.sequences - done)
                losses = np.empty((index.size, count))
                draw = max(1, _DRAW_STEPS // ((s.lag + 1) * index.size))
                for lo in range(0, count, draw):  # drawn in parts: the same sequences
                    data = [memory_data(generators[k][1], min(draw, count - lo), s.lag)
                            for k in index]
                    x = np.stack([d.inputs for d in data], axis=2)  # (n, T, R, 2)
                    y = np.stack([d.targets for d in data], axis=1)  # (n, R, T, 1)
                    for j in range(x.shape[0]):
                        losses[:, lo + j] = bg.train_step(net, x[j], y[j], keep, optimizer,
                                                          s.learning_rate, CLIP_NORM)
                bad = ~np.isfinite(losses).all(axis=1)
                first_bad = np.argmax(~np.isfinite(losses), axis=1)
                self.diverged[index[bad]] = done + first_bad[bad] + 1  # 1-based
                done += count
                self.used[index] = done
                rates = recalled_many(net, validation[index])
                rates = rates / VALIDATION
                mean = losses.mean(axis=1)
                for j, k in enumerate(index):
                    self.checks[k].append((done, float(mean[j]), float(rates[j])))
                finite = np.ones(index.size, dtype=bool)
                for array in net.params.values():
                    finite &= np.isfinite(array).reshape(index.size, -1).all(axis=1)
                broken = ~finite & ~bad
                self.diverged[index[broken]] = done
                learned = (rates >= SUCCESS_RATE) & self.stop_early
                leaving = bad | broken | learned | (done >= s.sequences)
                self._leave(net, index, leaving & ~bad & ~broken)
                if leaving.any():
                    stay = ~leaving
                    net = net.select(stay)
                    if optimizer != "sgd":
                        optimizer = optimizer.select(stay)
                    index = index[stay]
                if progress is not None:
                    progress(done, s.sequences)
