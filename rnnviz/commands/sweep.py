"""``rnnviz sweep``: many runs at once, one line per run and a summary (issue 16).

::

    rnnviz sweep addition --seeds 0-39 [--hidden 16] [--lr 0.5] [--examples 10000] [--bits 8]
    rnnviz sweep eta SEQ [--eta 0.01..100] [--points 200] [--rule …] [--activation …]
                         [--gain 1] [--init IH,HH,HO] [--h0 0] [--ascii]
                         [--w0 NAME=LO..HI [--w0-points 31]]
    rnnviz sweep memory [--cell lstm] [--seeds 0-9] [--lag 30] … (commands/sweep_memory.py)

All take ``--format table|csv|json``. ``addition`` trains every seed side by
side (:mod:`rnnviz.tasks.sweep_addition`), each exactly as ``rnnviz task
addition --seed S`` would, and says which learned (all 200 held-out sums
exact). ``eta`` runs the one-neuron learner on the stream once per η,
log-spaced from LO to HI (:mod:`rnnviz.engine.batched_learner`), each run
exactly as ``rnnviz trace SEQ --eta η --summary`` would, and prints the final
weights, the mean error Σ|e|/ticks and the run's notation class: runs whose
+/− notations of ih, hh and ho are all the same share a class, numbered in
order of η. With ``--w0`` it is a grid of η × one start weight
(:mod:`rnnviz.commands.sweep_grid`).

Bad ranges (empty, reversed, not finite, too many runs) are one line on
standard error and exit status 2, before anything runs. A progress bar is
drawn on standard error when it is a terminal; Ctrl+C stops the sweep
(status 130) with nothing printed on standard output.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from typing import Final, TextIO

import numpy as np

from rnnviz.commands import sweep_grid, sweep_memory
from rnnviz.commands.options import (
    add_learning_arguments,
    add_sequence_arguments,
    allow_negative_values,
    parse_init,
    read_sequence,
)
from rnnviz.commands.task import ProgressBar, _float, _int
from rnnviz.engine.batched_learner import ManyRuns, run_many
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import MAX_ETA, LearnerParams
from rnnviz.present.sweep_grid import code_classes, grid_runs
from rnnviz.tasks import MAX_HIDDEN, MAX_LEARNING_RATE
from rnnviz.tasks.addition import (
    HELD_OUT_PAIRS,
    MAX_BITS,
    MAX_EXAMPLES,
    MIN_BITS,
    AdditionSettings,
)
from rnnviz.tasks.sweep_addition import MAX_SEEDS, AdditionSweep, sweep_addition

FORMATS: Final[tuple[str, ...]] = ("table", "csv", "json")
#: Most runs of one η sweep.
MAX_POINTS: Final[int] = 100_000
#: Most learner-ticks of one η sweep (runs × ticks): a few seconds, and the
#: notation's three bytes per learner-tick stay within 300 MB.
MAX_SWEEP_TICKS: Final[int] = 100_000_000
#: The share of training, at its end, over which the final error is averaged.
FINAL_SHARE: Final[float] = 0.1
#: Characters of a notation a table row shows before it is cut with "…".
NOTATION_WIDTH: Final[int] = 60


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``sweep`` (with ``addition``, ``eta`` and ``memory``) to *subparsers*."""
    parser = subparsers.add_parser(
        "sweep", help="many runs at once: addition or the memory task over seeds, the one-neuron "
        "learner over η",
        description="Train many runs side by side and print each run's outcome and a summary.",
    )
    allow_negative_values(parser)
    kinds = parser.add_subparsers(dest="sweep", metavar="SWEEP", required=True)
    addition = kinds.add_parser(
        "addition", help="binary addition once per seed (as rnnviz task addition)",
        description="Train binary addition once per seed, all seeds side by side, and say "
        f"which learned (all {HELD_OUT_PAIRS} held-out sums exact).",
        epilog="Example: rnnviz sweep addition --seeds 0-39 --hidden 8 --lr 1 --examples 5000",
    )
    allow_negative_values(addition)
    defaults = AdditionSettings()
    addition.add_argument("--seeds", default="0-39",
                          help=f"a range like 0-39 or a list like 0,3,7; at most {MAX_SEEDS} "
                          "(default 0-39)")
    addition.add_argument("--hidden", default=str(defaults.hidden),
                          help=f"hidden units, 1..{MAX_HIDDEN} (default {defaults.hidden})")
    addition.add_argument("--lr", default=f"{defaults.learning_rate:g}",
                          help=f"learning rate, above 0, at most {MAX_LEARNING_RATE:g} "
                          f"(default {defaults.learning_rate:g})")
    addition.add_argument("--examples", default=str(defaults.examples),
                          help=f"training pairs per seed, 1..{MAX_EXAMPLES:,} "
                          f"(default {defaults.examples})")
    addition.add_argument("--bits", default=str(defaults.bits),
                          help=f"bits of the sum, {MIN_BITS}..{MAX_BITS} (default {defaults.bits})")
    _add_format(addition)
    addition.set_defaults(func=run_addition_sweep)
    eta = kinds.add_parser(
        "eta", help="the one-neuron learner once per η (log-spaced), on one stream",
        description="Run the one-neuron learner on the stream once per η, log-spaced from LO "
        "to HI, and print each run's final weights, mean error and notation class.",
        epilog=f'Example: rnnviz sweep eta "1^10 0^10" --eta 0.01..100 --points 200. At most '
        f"{MAX_POINTS:,} points, and points times the stream's ticks at most "
        f"{MAX_SWEEP_TICKS:,}.",
    )
    allow_negative_values(eta)
    add_sequence_arguments(eta)
    add_learning_arguments(eta)
    eta.set_defaults(eta="0.01..100")  # a range here, not add_learning_arguments' number
    for action in eta._actions:
        if action.dest == "eta":
            action.type = None
            action.help = f"LO..HI, 0 < LO <= HI <= {MAX_ETA:g}, or one value (default 0.01..100)"
        elif action.dest == "learning":
            action.help = argparse.SUPPRESS  # a sweep over η learns (refused with a line)
    eta.add_argument("--points", default="200",
                     help=f"runs, log-spaced over the range, 1..{MAX_POINTS:,} (default 200)")
    _add_format(eta)
    eta.add_argument("--ascii", action="store_true",
                     help="write the notation in ASCII (+^9 -^5 , -^5)")
    sweep_grid.add_arguments(eta)
    eta.set_defaults(func=run_eta_sweep)
    sweep_memory.add_parser(kinds, _add_format, parse_seeds)


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="table", choices=FORMATS,
                        help="table, csv or json (default table)")


# ------------------------------------------------------------------- ranges


def parse_seeds(text: str) -> tuple[int, ...]:
    """``0-39``, ``7`` or ``0,3,7`` as seeds; a reversed, empty or too long range is refused."""
    text = text.strip()
    if not text:
        raise InputError("--seeds is empty; give a range like 0-39 or a list like 0,3,7")
    if "," not in text and "-" in text[1:]:
        first, _, last = text.partition("-")
        lo, hi = _int("--seeds", first.strip(), minimum=0), _int("--seeds", last.strip(), minimum=0)
        if hi < lo:
            raise InputError(f"--seeds range {text!r} ends before it starts")
        seeds = tuple(range(lo, hi + 1)) if hi - lo < MAX_SEEDS else ()
    else:
        items = [item.strip() for item in text.split(",")]
        if not all(items):
            raise InputError(f"--seeds must be a range like 0-39 or a list like 0,3,7, not {text!r}")
        seeds = tuple(_int("--seeds", item, minimum=0) for item in items)
        if len(set(seeds)) != len(seeds):
            raise InputError(f"--seeds names a seed twice: {text!r}")
    if not seeds or len(seeds) > MAX_SEEDS:
        raise InputError(f"--seeds holds at most {MAX_SEEDS} seeds")
    return seeds


def parse_eta_range(text: str, points_text: str) -> np.ndarray:
    """``LO..HI`` (or one value) and the number of points as log-spaced η values."""
    points = _int("--points", points_text, maximum=MAX_POINTS)
    lo_text, dots, hi_text = str(text).strip().partition("..")
    if not lo_text.strip() or (dots and not hi_text.strip()):
        raise InputError(f"--eta must be a range LO..HI such as 0.01..100, not {text!r}")
    lo = _eta_end(lo_text)
    hi = _eta_end(hi_text) if dots else lo
    if hi < lo:
        raise InputError(f"--eta range {text!r} is reversed: {lo:g} is above {hi:g}")
    if hi == lo and points > 1:
        raise InputError(f"--eta range {text!r} is empty: give LO below HI for {points} points")
    return np.geomspace(lo, hi, points) if points > 1 else np.array([lo])


def _eta_end(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--eta must be numbers LO..HI, not {text.strip()!r}") from None
    if not math.isfinite(value):
        raise InputError(f"--eta must be finite numbers, not {text.strip()!r}")
    if not 0 < value <= MAX_ETA:
        raise InputError(f"--eta values must be above 0 and at most {MAX_ETA:g} (η is "
                         f"log-spaced), not {text.strip()!r}")
    return value


# ----------------------------------------------------------------- addition


def run_addition_sweep(args: argparse.Namespace) -> int:
    """``rnnviz sweep addition``: every seed trained side by side, one row each."""
    seeds = parse_seeds(args.seeds)
    settings = AdditionSettings(
        hidden=_int("--hidden", args.hidden, maximum=MAX_HIDDEN),
        learning_rate=_float("--lr", args.lr, maximum=MAX_LEARNING_RATE),
        examples=_int("--examples", args.examples, maximum=MAX_EXAMPLES),
        seed=seeds[0],
        bits=_int("--bits", args.bits, minimum=MIN_BITS, maximum=MAX_BITS),
    )
    bar = ProgressBar(f"addition, {len(seeds)} seeds")
    try:
        sweep = sweep_addition(settings, seeds, progress=bar)
    finally:
        bar.close()
    write_addition(sys.stdout, sweep, args.format)
    return 0


def _addition_rows(sweep: AdditionSweep) -> list[dict]:
    tail = max(1, round(FINAL_SHARE * sweep.errors.shape[1]))
    rows = []
    for k, seed in enumerate(sweep.seeds):
        correct = int(sweep.held_out_correct[k])
        diverged = int(sweep.diverged[k])
        rows.append({
            "seed": seed,
            "held_out_correct": None if diverged else correct,
            "held_out_accuracy": None if diverged else correct / HELD_OUT_PAIRS,
            "final_error": None if diverged else float(sweep.errors[k, -tail:].mean()),
            "final_exact": float(sweep.exact[k, -tail:].mean()),
            "outcome": (f"diverged at example {diverged}" if diverged
                        else "learned" if correct == HELD_OUT_PAIRS else "failed"),
        })
    return rows


def addition_summary(sweep: AdditionSweep) -> str:
    """``36 of 40 seeds learned …; the others: seed 39 51.0%, …`` (worst last)."""
    rows = _addition_rows(sweep)
    learned = sum(row["outcome"] == "learned" for row in rows)
    others = sorted((row for row in rows if row["outcome"] != "learned"),
                    key=lambda row: -(row["held_out_accuracy"] or -1.0))
    text = (f"{learned} of {len(rows)} seeds learned (all {HELD_OUT_PAIRS} held-out sums "
            "exact)")
    if others:
        text += "; the others: " + ", ".join(
            f"seed {row['seed']} " + (f"{100 * row['held_out_accuracy']:.1f}%"
                                      if row["held_out_accuracy"] is not None else "diverged")
            for row in others)
    return text


def write_addition(out: TextIO, sweep: AdditionSweep, fmt: str) -> None:
    """The per-seed rows and the summary in *fmt*."""
    s, rows = sweep.settings, _addition_rows(sweep)
    if fmt == "json":
        document = {"task": "addition", "hidden": s.hidden, "learning_rate": s.learning_rate,
                    "examples": s.examples, "bits": s.bits, "held_out_pairs": HELD_OUT_PAIRS,
                    "seeds": rows, "learned": sum(r["outcome"] == "learned" for r in rows),
                    "summary": addition_summary(sweep)}
        json.dump(document, out, indent=2, allow_nan=False)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(rows[0].keys())
        writer.writerows([_csv(value) for value in row.values()] for row in rows)
        return
    tail = max(1, round(FINAL_SHARE * s.examples))
    out.write(f"binary addition, {s.bits}-bit sums: network 2-{s.hidden}-1, full BPTT, "
              f"learning rate {s.learning_rate:g}, {s.examples} examples, "
              f"{len(rows)} seeds side by side\n")
    out.write(f"{'seed':>6} {'held-out exact':>16} {'error':>8} {'exact':>7}  outcome\n")
    for row in rows:
        held = ("-" if row["held_out_correct"] is None else
                f"{row['held_out_correct']}/{HELD_OUT_PAIRS} {100 * row['held_out_accuracy']:5.1f}%")
        error = "-" if row["final_error"] is None else f"{row['final_error']:.3f}"
        out.write(f"{row['seed']:>6} {held:>16} {error:>8} {100 * row['final_exact']:6.1f}%  "
                  f"{row['outcome']}\n")
    out.write(f"(error and exact: means over the last {tail} examples)\n")
    out.write(addition_summary(sweep) + "\n")


def _csv(value: object) -> str:
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


# ---------------------------------------------------------------------- eta


def run_eta_sweep(args: argparse.Namespace) -> int:
    """``rnnviz sweep eta``: the learner once per η, one row each, and the classes."""
    etas = parse_eta_range(args.eta, args.points)
    grid = sweep_grid.parse_w0(args.w0, args.w0_points)
    params = LearnerParams(rule=args.rule, activation=args.activation, gain=args.gain,
                           init=parse_init(args.init), h0=args.h0, learning=args.learning)
    if not params.learning:
        raise InputError("a sweep over η needs learning; leave out --no-learning")
    bits = read_sequence(args)
    ticks = len(bits) - 1
    if ticks < 1:
        raise InputError("a sweep over η needs a stream of at least 2 bits (one tick)")
    starts = 1 if grid is None else len(grid[1])
    if len(etas) * starts > MAX_POINTS:
        raise InputError(f"--points times --w0-points must be at most {MAX_POINTS:,}, "
                         f"not {len(etas):,} x {starts:,}")
    if len(etas) * starts * ticks > MAX_SWEEP_TICKS:
        what = "--points" if grid is None else "--points times --w0-points"
        raise InputError(f"{what} times the stream's ticks must be at most "
                         f"{MAX_SWEEP_TICKS:,}, not {len(etas) * starts:,} x {ticks:,}")
    bar = ProgressBar(f"eta sweep, {len(etas) * starts} runs")
    report = _every_half_percent(bar) if bar.enabled else None
    try:
        if grid is None:
            runs = run_many(bits, etas, params.init, params.h0, rule=params.rule,
                            activation=params.activation, gain=params.gain, progress=report)
        else:
            runs = grid_runs(bits, params, grid[0], etas, grid[1], progress_to=report,
                             limit=MAX_SWEEP_TICKS)
    finally:
        bar.close()
    if grid is None:
        write_eta(sys.stdout, runs, args.format, args.ascii)
    else:
        sweep_grid.write_grid(sys.stdout, runs, grid[0], grid[1], args.format, args.ascii)
    return 0


def _every_half_percent(bar: ProgressBar):
    """*bar*, drawn only when another half per cent is done (the runs report every chunk)."""
    shown = -1

    def report(done: int, total: int) -> None:
        nonlocal shown
        step = 200 * done // total
        if step != shown:
            shown = step
            bar(done, total)

    return report


def notation_classes(runs: ManyRuns, ascii: bool) -> tuple[list[int], list[dict[str, str]]]:
    """Each run's class number (1-based, in order of first appearance) and each class's notation
    (classes told apart by the runs' sign codes; each class's text written once)."""
    labels, first_runs = code_classes(runs)
    return labels.tolist(), [runs.notation(int(run), ascii=ascii) for run in first_runs]


def write_eta(out: TextIO, runs: ManyRuns, fmt: str, ascii: bool) -> None:
    """Per run η, the final weights, the mean error and the class; then the classes."""
    labels, texts = notation_classes(runs, ascii)
    final = runs.final.tolist()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("eta", "ih", "hh", "ho", "mean_err", "class",
                         "notation_ih", "notation_hh", "notation_ho"))
        for k, eta in enumerate(runs.eta.tolist()):
            notation = texts[labels[k] - 1]
            writer.writerow([repr(eta), *map(repr, final[k]), repr(float(runs.mean_err[k])),
                             labels[k], *(notation[w] for w in WEIGHTS)])
        return
    classes = _class_spans(runs, labels, texts)
    if fmt == "json":
        document = {"ticks": runs.ticks, "rule": runs.params.rule,
                    "activation": runs.params.activation, "gain": runs.params.gain,
                    "runs": [{"eta": eta, "final": dict(zip(WEIGHTS, final[k])),
                              "mean_err": float(runs.mean_err[k]), "class": labels[k]}
                             for k, eta in enumerate(runs.eta.tolist())],
                    "classes": classes}
        json.dump(document, out, ensure_ascii=False, indent=2, allow_nan=False)
        out.write("\n")
        return
    _write_eta_table(out, runs, labels, classes, ascii)


def _class_spans(runs: ManyRuns, labels: list[int], texts: list[dict[str, str]]) -> list[dict]:
    etas = runs.eta.tolist()
    spans = []
    for number, notation in enumerate(texts, start=1):
        members = [eta for eta, label in zip(etas, labels) if label == number]
        spans.append({"class": number, "runs": len(members), "eta_min": min(members),
                      "eta_max": max(members), "notation": notation})
    return spans


def _write_eta_table(out: TextIO, runs: ManyRuns, labels: list[int], classes: list[dict],
                     ascii: bool) -> None:
    p = runs.params
    out.write(f"one-neuron learner, {len(runs)} runs over {runs.ticks} ticks: rule {p.rule}, "
              f"{p.activation} (gain {p.gain:g})\n")
    out.write(f"{'eta':>11} {'ih':>12} {'hh':>12} {'ho':>12} {'mean |e|':>9} {'class':>6}\n")
    for k, eta in enumerate(runs.eta.tolist()):
        weights = "".join(f" {value:>12.6g}" for value in runs.final[k].tolist())
        out.write(f"{eta:>11.5g}{weights} {float(runs.mean_err[k]):>9.5f} {labels[k]:>6}\n")
    out.write(f"\n{len(classes)} notation class{'es' if len(classes) != 1 else ''} "
              "(runs whose notations of ih, hh and ho are all the same):\n")
    for span in classes:
        out.write(f"class {span['class']}: {span['runs']} run{'s' if span['runs'] != 1 else ''}, "
                  f"eta {span['eta_min']:.5g}..{span['eta_max']:.5g}\n")
        for weight in WEIGHTS:
            text = span["notation"][weight]
            if len(text) > NOTATION_WIDTH:
                cut = "..." if ascii else "…"
                text = text[: NOTATION_WIDTH - len(cut)] + cut
            out.write(f"    {weight}: {text}\n")
