"""Engine speed: ticks per second of the one-neuron learner.

Run:  python bench/engine.py [--ticks N] [--repeats R]

Each row sets the engine beside a plain-Python loop of the same maths (the
straightforward code a student would write: a sigmoid function, a loop over
indices) run in the same process, and prints the ratio engine / plain. A ratio
is what to compare across machines and runs; the raw rates move with load.

Two jobs are measured. *summary*: the final weights and the +/− notation of
each weight, what ``rnnviz trace --summary`` does; *history*: every tick kept
(what stepping back and the plots need). Each is set beside the same job done
in plain Python (goals: summary ratio ≥ 1.0, history ratio ≥ 0.5), and beside
the bare learning loop that records nothing (column "bare"), the floor any
recording has to pay on top of.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.engine.learner import LearnerParams, OnlineLearner, summarize  # noqa: E402
from rnnviz.engine.history import History  # noqa: E402
from rnnviz.engine.sequences import bernoulli  # noqa: E402


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def plain_loop(bits: list[int], eta: float = 5.0, on_tick=None) -> tuple[float, float, float]:
    """The sequential rule written plainly: the bare learning maths."""
    ih = hh = ho = h = 0.0
    for t in range(len(bits) - 1):
        x, y = bits[t], bits[t + 1]
        h_prev = h
        h = _sigmoid(hh * h_prev + ih * x)
        yhat = _sigmoid(ho * h)
        e = y - yhat
        d_ho = eta * e * yhat * (1 - yhat) * h
        ho += d_ho
        y2 = _sigmoid(ho * h)
        k = eta * e * y2 * (1 - y2) * ho * h * (1 - h)
        ih += k * x
        hh += k * h_prev
        if on_tick is not None:
            on_tick(t, x, y, h, yhat, e, ih, hh, ho, k * x, k * h_prev, d_ho)
    return ih, hh, ho


def plain_summary(bits: list[int]) -> tuple[float, float, float]:
    """The same job as ``trace --summary`` in plain Python: weights and notation."""
    runs = [[], [], []]  # per weight: [symbol, count] lists and "," markers
    last = [0.0, 0.0, 0.0]

    def on_tick(t, x, y, h, yhat, e, *weights_and_deltas):
        for i, w in enumerate(weights_and_deltas[:3]):
            change = w - last[i]
            symbol = "+" if change > 0 else "-" if change < 0 else "0"
            tokens = runs[i]
            if last[i] * w < 0:
                tokens.append(",")
                tokens.append([symbol, 1])
            elif tokens and tokens[-1] != "," and tokens[-1][0] == symbol:
                tokens[-1][1] += 1
            else:
                tokens.append([symbol, 1])
            last[i] = w

    result = plain_loop(bits, on_tick=on_tick)
    for tokens in runs:
        " ".join(t if t == "," else t[0] if t[1] == 1 else f"{t[0]}^{t[1]}" for t in tokens)
    return result


def plain_history(bits: list[int]) -> tuple[float, float, float]:
    """The same job as a full history in plain Python: one row per tick in a list."""
    rows = []
    return plain_loop(bits, on_tick=lambda *row: rows.append(row))


def engine_summary(bits) -> tuple[float, float, float]:
    state, builders = summarize(bits, LearnerParams())
    for builder in builders.values():
        builder.text()
    return state.ih, state.hh, state.ho


def engine_history(bits) -> tuple[float, float, float]:
    history = History()
    state = OnlineLearner(LearnerParams()).run(bits, history=history)
    return state.ih, state.hh, state.ho


def best_rate(func, bits, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func(bits)
        times.append(time.perf_counter() - start)
    return (len(bits) - 1) / min(times)


#: The lowest engine / plain-Python ratio each job must reach.
GOALS: dict[str, float] = {"summary": 1.0, "history": 0.5}


def measure(ticks: int, repeats: int) -> list[tuple[str, float, float, float, float]]:
    """(job, engine, plain, bare ticks/s, goal) per job, best of *repeats* interleaved runs.

    Raises ValueError when the engine and the plain loop compute different
    weights: the comparison is only fair if both do the same maths.
    """
    bits_array = bernoulli(ticks + 1, 0.5, seed=1)
    bits = bits_array.tolist()
    reference = plain_loop(bits)
    for name, func in (("summary", engine_summary), ("history", engine_history)):
        got = func(bits_array)
        if not all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(got, reference)):
            raise ValueError(f"engine {name} disagrees with the plain loop: {got} vs {reference}")
    jobs = (
        ("summary", engine_summary, plain_summary),
        ("history", engine_history, plain_history),
    )
    rows = []
    for name, engine, plain in jobs:
        engine_rates, plain_rates, bare_rates = [], [], []
        # Interleave the runs so that load on a shared machine hits all alike.
        for _ in range(repeats):
            engine_rates.append(best_rate(engine, bits_array, 1))
            plain_rates.append(best_rate(plain, bits, 1))
            bare_rates.append(best_rate(plain_loop, bits, 1))
        rows.append((name, max(engine_rates), max(plain_rates), max(bare_rates), GOALS[name]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    try:
        rows = measure(args.ticks, args.repeats)
    except ValueError as error:
        print(error)
        return 1

    print(f"{args.ticks:,} ticks of a Bernoulli(0.5) stream, best of {args.repeats} runs, {platform.python_implementation()} {platform.python_version()}")
    print("ratio = engine / the same job in plain Python; bare = engine / the learning loop alone")
    header = f"{'job':<9}{'engine ticks/s':>16}{'plain ticks/s':>15}{'ratio':>7}{'goal':>7}{'bare ticks/s':>15}{'bare':>7}"
    print(header)
    for name, engine_rate, plain_rate, bare_rate, goal in rows:
        ratio = engine_rate / plain_rate
        verdict = "ok" if ratio >= goal else "MISSED"
        print(
            f"{name:<9}{engine_rate:>16,.0f}{plain_rate:>15,.0f}{ratio:>7.2f}{'≥' + format(goal, '.1f'):>7}"
            f"{bare_rate:>15,.0f}{engine_rate / bare_rate:>7.2f}  {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
