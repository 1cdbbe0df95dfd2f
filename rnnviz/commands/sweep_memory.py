"""``rnnviz sweep memory``: the long-memory task once per seed, all seeds side by side.

::

    rnnviz sweep memory [--cell rnn|lstm|gru] [--seeds 0-9] [--lag 30] [--hidden 16]
                        [--lr 0.003] [--optimizer adam] [--budget 8192] [--init-scale 2]
                        [--whole-budget] [--format table|csv|json]
    rnnviz sweep memory --table [--cells rnn,lstm,gru] [--lags 5,10,20,30,40,60] [--seeds 0-9] …

Every seed is trained as ``rnnviz task memory --cell C --lag L --seed S`` trains
it (:mod:`rnnviz.tasks.sweep_memory`, bit for bit), and one row per seed says
its held-out recall, the training sequences it used and whether it succeeded,
then a summary line. ``--whole-budget`` trains every seed to the budget, as
the race does (its held-out recall is then the race's scoreboard's).
``--table`` makes ``rnnviz task memory --table``'s table, the same numbers,
one sweep per cell and lag.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TextIO

from rnnviz.commands.task import (
    MAX_TABLE_RUNS,
    TABLE_LAGS,
    ProgressBar,
    _float,
    _int,
    _list,
    format_memory_table,
)
from rnnviz.engine.cells import CELLS
from rnnviz.engine.errors import InputError
from rnnviz.tasks import MAX_HIDDEN, MAX_LEARNING_RATE
from rnnviz.tasks.memory import (
    HELD_OUT,
    MAX_LAG,
    MAX_MEMORY_INIT_SCALE,
    MAX_SEQUENCES,
    SUCCESS_RATE,
    MemorySettings,
)
from rnnviz.tasks.sweep_memory import MemorySweep, sweep_memory

_DEFAULTS = MemorySettings()


def add_parser(kinds: argparse._SubParsersAction, add_format, parse_seeds) -> None:
    """Add ``memory`` to ``rnnviz sweep``'s subcommands."""
    memory = kinds.add_parser(
        "memory", help="the long-memory task once per seed (as rnnviz task memory)",
        description="Train the long-memory task (recall the first of L+1 random bits) once "
        "per seed, all seeds side by side, and say which succeeded (at least "
        f"{SUCCESS_RATE:.0%} of {HELD_OUT} held-out sequences recalled).",
        epilog="Example: rnnviz sweep memory --cell lstm --seeds 0-9 --lag 30",
    )
    d = _DEFAULTS
    memory.add_argument("--cell", default=d.cell, help=f"rnn, lstm or gru (default {d.cell})")
    memory.add_argument("--seeds", default="0-9",
                        help="a range like 0-9 or a list like 0,3,7 (default 0-9)")
    memory.add_argument("--lag", default=str(d.lag),
                        help=f"steps between the bit and its recall, 1..{MAX_LAG} (default {d.lag})")
    memory.add_argument("--hidden", default=str(d.hidden),
                        help=f"hidden units, 1..{MAX_HIDDEN} (default {d.hidden})")
    memory.add_argument("--lr", default=f"{d.learning_rate:g}",
                        help=f"learning rate, above 0, at most {MAX_LEARNING_RATE:g} "
                        f"(default {d.learning_rate:g})")
    memory.add_argument("--optimizer", default=d.optimizer,
                        help=f"sgd or adam (default {d.optimizer})")
    memory.add_argument("--budget", default=str(d.sequences),
                        help=f"most training sequences per seed, 1..{MAX_SEQUENCES:,} "
                        f"(default {d.sequences})")
    memory.add_argument("--init-scale", default=f"{d.init_scale:g}",
                        help=f"initial weights uniform in [-s, s], 0..{MAX_MEMORY_INIT_SCALE:g} "
                        f"(default {d.init_scale:g})")
    memory.add_argument("--whole-budget", action="store_true",
                        help="train every seed to the budget, without stopping once 95%% of "
                        "the validation sequences are right (as the race does)")
    memory.add_argument("--table", action="store_true",
                        help="rnnviz task memory --table's table: every cell at every lag")
    memory.add_argument("--cells", default=None,
                        help=f"with --table: cells (default {','.join(CELLS)})")
    memory.add_argument("--lags", default=None, help=f"with --table: lags (default {TABLE_LAGS})")
    add_format(memory)
    memory.set_defaults(func=run_memory_sweep, parse_seeds=parse_seeds)


def _settings(args: argparse.Namespace, seed: int) -> MemorySettings:
    return MemorySettings(
        cell=args.cell,
        lag=_int("--lag", args.lag, maximum=MAX_LAG),
        hidden=_int("--hidden", args.hidden, maximum=MAX_HIDDEN),
        learning_rate=_float("--lr", args.lr, maximum=MAX_LEARNING_RATE),
        optimizer=args.optimizer,
        sequences=_int("--budget", args.budget, maximum=MAX_SEQUENCES),
        seed=seed,
        init_scale=_float("--init-scale", args.init_scale, positive=False,
                          maximum=MAX_MEMORY_INIT_SCALE),
    )


def run_memory_sweep(args: argparse.Namespace) -> int:
    """``rnnviz sweep memory``: one row per seed and a summary, or ``--table``."""
    seeds = args.parse_seeds(args.seeds)
    if args.table:
        return _run_table(args, seeds)
    given = [name for name in ("cells", "lags") if getattr(args, name) is not None]
    if given:
        raise InputError(f"--{given[0]} only applies with --table")
    settings = _settings(args, seeds[0])
    bar = ProgressBar(f"memory {settings.cell}, lag {settings.lag}, {len(seeds)} seeds")
    try:
        sweep = sweep_memory(settings, seeds, progress=bar, stop_early=not args.whole_budget)
    finally:
        bar.close()
    write_memory(sys.stdout, sweep, args.format)
    return 0


def _run_table(args: argparse.Namespace, seeds: tuple[int, ...]) -> int:
    if args.format != "table":
        raise InputError("--table prints a table only; leave out --format")
    if args.whole_budget:
        raise InputError("--whole-budget does not apply with --table (task memory's table "
                         "stops early)")
    cells = tuple(_list("--cells", args.cells or ",".join(CELLS)))
    lags = tuple(_int("--lags", text, maximum=MAX_LAG)
                 for text in _list("--lags", args.lags or TABLE_LAGS))
    if len(cells) * len(lags) * len(seeds) > MAX_TABLE_RUNS:
        raise InputError(f"--table makes at most {MAX_TABLE_RUNS} runs (cells times lags times "
                         f"seeds), not {len(cells) * len(lags) * len(seeds)}")
    base = _settings(args, seeds[0])
    settings = {(cell, lag): MemorySettings(cell, lag, base.hidden, base.learning_rate,
                                            base.optimizer, base.sequences, seeds[0],
                                            base.init_scale)
                for cell in cells for lag in lags}  # every one checked before the first run
    bar = ProgressBar("memory table")
    table = {}
    try:
        for n, (key, s) in enumerate(settings.items()):
            results = sweep_memory(s, seeds).results()
            if None in results:
                seed = seeds[results.index(None)]
                raise InputError(f"training diverged ({key[0]}, lag {key[1]}, seed {seed}); "
                                 "choose a smaller learning rate")
            table[key] = results
            bar(n + 1, len(settings))
    finally:
        bar.close()
    print(format_memory_table(table, cells, lags, seeds, base))
    return 0


def _rows(sweep: MemorySweep) -> list[dict]:
    rows = []
    for k, seed in enumerate(sweep.seeds):
        diverged = int(sweep.diverged[k])
        correct = None if diverged else int(sweep.held_out_correct[k])
        rows.append({
            "seed": seed,
            "held_out_correct": correct,
            "held_out_recall": None if diverged else correct / HELD_OUT,
            "sequences_used": int(sweep.sequences_used[k]),
            "succeeded": bool(sweep.succeeded[k]),
            "outcome": (f"diverged at sequence {diverged}" if diverged
                        else "succeeded" if sweep.succeeded[k] else "failed"),
        })
    return rows


def memory_summary(sweep: MemorySweep) -> str:
    """``LSTM, lag 30: 9 of 10 seeds succeed``."""
    s = sweep.settings
    wins = int(sweep.succeeded.sum())
    noun = "seed succeeds" if len(sweep.seeds) == 1 else "seeds succeed"
    return f"{s.cell.upper()}, lag {s.lag}: {wins} of {len(sweep.seeds)} {noun}"


def write_memory(out: TextIO, sweep: MemorySweep, fmt: str) -> None:
    """The per-seed rows and the summary in *fmt*."""
    s, rows = sweep.settings, _rows(sweep)
    if fmt == "json":
        document = {"task": "memory", "cell": s.cell, "lag": s.lag, "hidden": s.hidden,
                    "learning_rate": s.learning_rate, "optimizer": s.optimizer,
                    "budget": s.sequences, "init_scale": s.init_scale, "held_out": HELD_OUT,
                    "stops_early": sweep.stopped_early,
                    "seeds": rows, "succeeded": int(sweep.succeeded.sum()),
                    "summary": memory_summary(sweep)}
        json.dump(document, out, indent=2, allow_nan=False)
        out.write("\n")
        return
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(rows[0].keys())
        writer.writerows(["" if v is None else repr(v) if isinstance(v, float) else str(v)
                          for v in row.values()] for row in rows)
        return
    out.write(f"long memory, lag {s.lag}: network 2-{s.hidden}-1 {s.cell.upper()}, full BPTT, "
              f"{s.optimizer}, learning rate {s.learning_rate:g}, at most {s.sequences} "
              f"sequences{'' if sweep.stopped_early else ' (no early stop)'}, "
              f"weights in [-{s.init_scale:g}, {s.init_scale:g}], "
              f"{len(rows)} seeds side by side\n")
    out.write(f"{'seed':>6} {'held-out recall':>17} {'sequences':>10}  outcome\n")
    for row in rows:
        held = ("-" if row["held_out_correct"] is None else
                f"{row['held_out_correct']}/{HELD_OUT} {100 * row['held_out_recall']:5.1f}%")
        out.write(f"{row['seed']:>6} {held:>17} {row['sequences_used']:>10}  {row['outcome']}\n")
    out.write(memory_summary(sweep) + "\n")
