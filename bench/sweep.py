"""Sweep speed (issue 16): many runs as one array, against their baselines in the same run.

Run:  .venv/bin/python bench/sweep.py [--runs 16384] [--ticks 400] [--seeds 40]
                                      [--examples 5000] [--repeats 3]
                                      [--parts one-neuron,addition,memory]
                                      [--memory-seeds 40] [--memory-budget 512]
                                      [--memory-cells lstm,gru,rnn]

1. One-neuron sweep: ``run_many`` (rnnviz.engine.batched_learner) trains
   ``--runs`` runs of the sequential sigmoid learner (η log-spaced 0.01..100)
   on ``random(ticks + 1, 0.5, 1)``, keeping each run's final weights, mean
   error and notation, every run bit for bit its run alone; two threads when
   there are two cores. Beside it, a bare numpy loop over the same ticks (the
   textbook ``1/(1 + e^−z)`` on whole arrays, nothing kept but the weights,
   one thread). Goals: ≥ 25 million learner-ticks/s, and ≥ 0.6 × the bare loop.
2. Addition over ``--seeds`` seeds (2-8-1, learning rate 1, ``--examples``):
   ``sweep_addition`` against the same runs by ``run_addition`` one after
   another, same process. Goal: ≥ 10 × faster; the held-out scores must agree.
3. The memory task over ``--memory-seeds`` seeds for each of ``--memory-cells``
   (lag 30, 2-16-1, Adam, the task's defaults, budget ``--memory-budget``):
   ``sweep_memory`` (rnnviz.tasks.sweep_memory) against the same runs by
   ``run_memory`` one after another, same process. The issue sets no goal
   here; the aim is ≥ 5 × faster. Every seed's result must agree.

Each measure is the best of ``--repeats`` (the sequential addition runs once:
it is the slow side). Ratios are what to compare across machines.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.engine import batched_learner
from rnnviz.engine.batched_learner import run_many
from rnnviz.engine.sequences import parse_sequence
from rnnviz.tasks.addition import AdditionSettings, run_addition
from rnnviz.tasks.memory import MemorySettings, run_memory
from rnnviz.tasks.sweep_addition import sweep_addition
from rnnviz.tasks.sweep_memory import sweep_memory

TICKS_GOAL = 25e6
BARE_RATIO_GOAL = 0.6
ADDITION_GOAL = 10.0
MEMORY_AIM = 5.0


def bare_loop(bits: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """The sequential rule as one would first write it with numpy: no care for
    overflow, signed zeros or the learner's operation order, nothing recorded."""
    ih, hh, ho, h = (np.zeros(len(eta)) for _ in range(4))
    xs = bits.tolist()
    with np.errstate(over="ignore"):
        for x, y in itertools.pairwise(xs):
            hp = h
            h = 1.0 / (1.0 + np.exp(-(hh * hp + ih * x)))
            yh = 1.0 / (1.0 + np.exp(-ho * h))
            e = y - yh
            ho = ho + eta * e * yh * (1.0 - yh) * h
            y2 = 1.0 / (1.0 + np.exp(-ho * h))
            k = eta * e * y2 * (1.0 - y2) * ho * h * (1.0 - h)
            ih = ih + k * x
            hh = hh + k * hp
    return np.stack([ih, hh, ho])


def _best(repeats: int, work) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def one_neuron(args: argparse.Namespace) -> bool:
    bits = parse_sequence(f"random({args.ticks + 1}, 0.5, 1)")
    eta = np.geomspace(0.01, 100.0, args.runs)
    learner_ticks = args.runs * args.ticks
    sweep = _best(args.repeats, lambda: run_many(bits, eta))
    bare = _best(args.repeats, lambda: bare_loop(bits, eta))
    fast = _best(args.repeats, lambda: run_many(bits, eta, functions=batched_learner.NUMPY))
    rate, bare_rate = learner_ticks / sweep, learner_ticks / bare
    print(f"one-neuron sweep: {args.runs:,} runs x {args.ticks} ticks, "
          f"{batched_learner.WORKERS} thread(s)")
    print(f"  run_many (bit for bit, notation kept): {rate / 1e6:6.1f} M learner-ticks/s  "
          f"(goal >= {TICKS_GOAL / 1e6:.0f} M)")
    print(f"  bare numpy loop (1 thread, nothing kept): {bare_rate / 1e6:6.1f} M learner-ticks/s")
    print(f"  ratio run_many / bare: {rate / bare_rate:.2f}  (goal >= {BARE_RATIO_GOAL})")
    print(f"  run_many with numpy's exp (not bit for bit): "
          f"{learner_ticks / fast / 1e6:6.1f} M learner-ticks/s")
    return rate >= TICKS_GOAL and rate / bare_rate >= BARE_RATIO_GOAL


def addition(args: argparse.Namespace) -> bool:
    settings = AdditionSettings(hidden=8, learning_rate=1.0, examples=args.examples)
    seeds = range(args.seeds)
    result = None

    def batched() -> None:
        nonlocal result
        result = sweep_addition(settings, seeds)

    together = _best(args.repeats, batched)
    start = time.perf_counter()
    alone = [run_addition(AdditionSettings(hidden=8, learning_rate=1.0, examples=args.examples,
                                           seed=seed)).held_out_correct for seed in seeds]
    one_by_one = time.perf_counter() - start
    same = alone == result.held_out_correct.tolist()
    print(f"addition, {args.seeds} seeds x {args.examples} examples (2-8-1, learning rate 1):")
    print(f"  side by side: {together:6.2f} s   one after another: {one_by_one:6.2f} s   "
          f"ratio {one_by_one / together:5.1f}x  (goal >= {ADDITION_GOAL:g}x)")
    print(f"  held-out scores equal: {same}; learned: {int(result.learned.sum())} of {args.seeds}")
    return same and one_by_one / together >= ADDITION_GOAL


def memory(args: argparse.Namespace) -> bool:
    seeds = range(args.memory_seeds)
    ok = True
    print(f"memory task, {args.memory_seeds} seeds, lag 30, 2-16-1, adam, at most "
          f"{args.memory_budget} sequences a seed:")
    for cell in args.memory_cells.split(","):
        settings = MemorySettings(cell=cell, sequences=args.memory_budget)
        result = None

        def batched(settings=settings) -> None:
            nonlocal result
            result = sweep_memory(settings, seeds)

        together = _best(args.repeats, batched)
        start = time.perf_counter()
        alone = [run_memory(MemorySettings(cell=cell, sequences=args.memory_budget, seed=seed))
                 for seed in seeds]
        one_by_one = time.perf_counter() - start
        same = result.results() == alone
        ratio = one_by_one / together
        print(f"  {cell:>4}: side by side {together:6.2f} s   one after another "
              f"{one_by_one:6.2f} s   ratio {ratio:5.1f}x  (aim >= {MEMORY_AIM:g}x)   "
              f"every seed equal: {same}; {int(result.succeeded.sum())} succeed")
        ok = ok and same and ratio >= MEMORY_AIM
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16384)
    parser.add_argument("--ticks", type=int, default=400)
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--examples", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parts", default="one-neuron,addition,memory")
    parser.add_argument("--memory-seeds", type=int, default=40)
    parser.add_argument("--memory-budget", type=int, default=512)
    parser.add_argument("--memory-cells", default="lstm,gru,rnn")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}, numpy {np.__version__}")
    ok = True
    if "one-neuron" in parts:
        ok = one_neuron(args) and ok
    if "addition" in parts:
        ok = addition(args) and ok
    if "memory" in parts:
        ok = memory(args) and ok
    print("goals met" if ok else "a goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
