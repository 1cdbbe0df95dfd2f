"""BPTT speed on the binary-addition task: examples per second.

Run:  .venv/bin/python bench/bptt.py [--examples N] [--reference N] [--hidden H] [--repeats R]

The engine (``ElmanNetwork.train_sequence``, full BPTT, vectorised over the
hidden units) trains a 2-H-1 network on random 8-bit sums, one update per
example, exactly as ``rnnviz task addition`` does. Beside it, in the same
process, runs a plain reference: the same maths as nested Python loops over
hidden units and time steps, the code one would write without numpy. The
reference starts from the same weights and sees the same examples, so its
final weights must agree with the engine's (printed as a check).

Goal: engine ≥ 2,000 examples/s with the defaults (H = 16). The ratio
engine / reference is what to compare across machines; raw rates move with load.

Issue 14 asks for the engine at ≥ 1.5× its speed before the issue's work: with
``--against DIR`` (another source tree of rnnviz, e.g. ``git archive 0643bce | tar
-x -C DIR``) the same measure runs on that tree's engine in a fresh process, the
two trees alternating ``--rounds`` times, and the ratio of their engine/reference
ratios is printed (median, least and greatest).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

#: The source tree whose engine is measured: this one, or another for ``--against``.
TREE = os.environ.get("RNNVIZ_BENCH_TREE") or str(Path(__file__).resolve().parents[1])
sys.path.insert(0, TREE)

from rnnviz.tasks.addition import AdditionSettings, make_network, split_pairs, to_bits  # noqa: E402

GOAL = 2000.0


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def reference_train(w_xh, w_hh, w_hy, inputs, targets, eta):
    """Full BPTT with loops over hidden units: lists of floats, no numpy.

    w_xh[j][i], w_hh[j][k], w_hy[j] (one output); updated in place.
    """
    H = len(w_hh)
    T = len(inputs)
    hs = [[0.0] * H]
    ys = []
    for t in range(T):
        x0, x1 = inputs[t]
        prev = hs[-1]
        h = []
        for j in range(H):
            row = w_hh[j]
            z = w_xh[j][0] * x0 + w_xh[j][1] * x1
            for k in range(H):
                z += row[k] * prev[k]
            h.append(_sigmoid(z))
        hs.append(h)
        a = 0.0
        for j in range(H):
            a += w_hy[j] * h[j]
        ys.append(_sigmoid(a))
    g_xh = [[0.0, 0.0] for _ in range(H)]
    g_hh = [[0.0] * H for _ in range(H)]
    g_hy = [0.0] * H
    carried = [0.0] * H
    for t in range(T - 1, -1, -1):
        y = ys[t]
        eps = (y - targets[t]) * y * (1.0 - y)
        h, prev = hs[t + 1], hs[t]
        delta = []
        for j in range(H):
            back = w_hy[j] * eps
            for k in range(H):
                back += w_hh[k][j] * carried[k]
            delta.append(back * h[j] * (1.0 - h[j]))
        for j in range(H):
            g_hy[j] += eps * h[j]
            g_xh[j][0] += delta[j] * inputs[t][0]
            g_xh[j][1] += delta[j] * inputs[t][1]
            row = g_hh[j]
            for k in range(H):
                row[k] += delta[j] * prev[k]
        carried = delta
    for j in range(H):
        w_hy[j] -= eta * g_hy[j]
        w_xh[j][0] -= eta * g_xh[j][0]
        w_xh[j][1] -= eta * g_xh[j][1]
        for k in range(H):
            w_hh[j][k] -= eta * g_hh[j][k]


def engine_rate(settings: AdditionSettings, inputs, targets, repeats: int) -> tuple[float, object]:
    best = 0.0
    network = None
    for _ in range(repeats):
        network = make_network(settings, np.random.default_rng(settings.seed))
        start = time.perf_counter()
        for x, y in zip(inputs, targets):
            network.train_sequence(x, y, learning_rate=settings.learning_rate)
        best = max(best, len(inputs) / (time.perf_counter() - start))
    return best, network


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="engine examples per run")
    parser.add_argument("--reference", type=int, default=300, help="reference examples")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3, help="best of R engine runs")
    parser.add_argument("--against", metavar="DIR", help="another rnnviz source tree to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="alternations with --against")
    parser.add_argument("--ratio-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.against:
        return compare(args)

    settings = AdditionSettings(hidden=args.hidden, examples=max(args.examples, args.reference))
    rng = np.random.default_rng(settings.seed)
    make_network(settings, rng)  # advance the generator exactly as the task does
    _, pairs = split_pairs(settings, rng)
    inputs = np.stack([to_bits(pairs[:, 0], 8), to_bits(pairs[:, 1], 8)], axis=2)
    targets = to_bits(pairs.sum(axis=1), 8)[:, :, None]

    rate, _ = engine_rate(settings, inputs[: args.examples], targets[: args.examples], args.repeats)

    # Reference and a matching engine run on the first `reference` examples.
    n = args.reference
    check = make_network(settings, np.random.default_rng(settings.seed))
    w_xh, w_hh, w_hy = check.w_xh.tolist(), check.w_hh.tolist(), check.w_hy[0].tolist()
    ref_in = inputs[:n].tolist()
    ref_tg = targets[:n, :, 0].tolist()
    start = time.perf_counter()
    for x, y in zip(ref_in, ref_tg):
        reference_train(w_xh, w_hh, w_hy, x, y, settings.learning_rate)
    ref_rate = n / (time.perf_counter() - start)
    for x, y in zip(inputs[:n], targets[:n]):
        check.train_sequence(x, y, learning_rate=settings.learning_rate)
    diff = max(
        float(np.max(np.abs(check.w_xh - np.array(w_xh)))),
        float(np.max(np.abs(check.w_hh - np.array(w_hh)))),
        float(np.max(np.abs(check.w_hy[0] - np.array(w_hy)))),
    )

    if args.ratio_only:
        print(f"{rate} {ref_rate} {diff}")
        return 0
    print(f"BPTT on binary addition, 2-{args.hidden}-1, 8 steps per example, full BPTT")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"engine     {rate:10,.0f} examples/s  (best of {args.repeats} x {args.examples})")
    print(f"reference  {ref_rate:10,.0f} examples/s  (plain Python loops, {n} examples)")
    print(f"ratio      {rate / ref_rate:10.1f} x")
    print(f"goal       {GOAL:10,.0f} examples/s  -> {'met' if rate >= GOAL else 'NOT met'}")
    print(f"same maths: max |weight difference| after {n} examples = {diff:.2e}")
    return 0


def _measure(tree: str, args: argparse.Namespace) -> tuple[float, float, float]:
    """(engine rate, reference rate, weight difference) of *tree*'s engine, in a fresh process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--ratio-only",
               "--examples", str(args.examples), "--reference", str(args.reference),
               "--hidden", str(args.hidden), "--repeats", str(args.repeats)]
    done = subprocess.run(command, env={**os.environ, "RNNVIZ_BENCH_TREE": tree},
                          capture_output=True, text=True, check=True)
    engine, reference, difference = (float(v) for v in done.stdout.split())
    return engine, reference, difference


def compare(args: argparse.Namespace) -> int:
    """This tree's engine against ``--against``'s, alternately, as ratios of ratios."""
    other = str(Path(args.against).resolve())
    ours: list[float] = []
    theirs: list[float] = []
    print(f"engine / plain-loop reference, this tree ({TREE}) vs {other}, {args.rounds} rounds")
    for round_ in range(1, args.rounds + 1):
        for side, tree, ratios in (("other", other, theirs), ("this ", TREE, ours)):
            engine, reference, difference = _measure(tree, args)
            ratios.append(engine / reference)
            print(f"  round {round_}  {side}  engine {engine:8,.0f}/s  "
                  f"reference {reference:6,.0f}/s  ratio {engine / reference:5.2f}  (weights within {difference:.1e})")
    pairs = [a / b for a, b in zip(ours, theirs)]
    print(f"this / other: median {statistics.median(ours) / statistics.median(theirs):.2f} x, "
          f"each round {min(pairs):.2f} - {max(pairs):.2f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
