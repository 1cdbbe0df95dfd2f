"""``rnnviz sweep eta … --w0 NAME=LO..HI``: η × one start weight, the grid the window's heat map shows.

::

    rnnviz sweep eta SEQ [--eta 0.01..100] [--points 49] --w0 hh=-3..3 [--w0-points 31]
                         [--init IH,HH,HO] [--rule …] [--activation …] [--gain 1] [--h0 0]

With ``--w0`` the η sweep becomes a grid: every η of ``--eta``/``--points``
(log-spaced) with every start value of the named weight (``--w0-points``,
evenly spaced from LO to HI), the other two start weights those of
``--init``. All runs are one array (:func:`rnnviz.present.sweep_grid.grid_runs`),
each exactly as ``rnnviz trace SEQ --eta η --init … --summary`` would run it.
Rows come w0 by w0, η rising along each; classes are numbered in that order
(:func:`rnnviz.present.sweep_grid.code_classes`), as the heat map numbers them.
The table adds the class map: a row per start value, a column per η.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from typing import Final, TextIO

import numpy as np

from rnnviz.commands.task import _int
from rnnviz.engine.batched_learner import ManyRuns
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import MAX_START
from rnnviz.present.sweep_grid import code_classes

#: The start values of a grid when --w0-points is not given (a step of 0.2 over −3..3).
DEFAULT_W0_POINTS: Final[int] = 31
#: The widest class map the table prints (η columns); wider grids are left to CSV and JSON.
MAP_COLUMNS: Final[int] = 60
NOTATION_WIDTH: Final[int] = 60


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--w0`` and ``--w0-points`` to ``sweep eta``'s *parser*."""
    parser.add_argument("--w0", metavar="NAME=LO..HI",
                        help="also sweep one start weight (ih, hh or ho) from LO to HI: a grid "
                        "of η × start value, e.g. hh=-3..3 (the others from --init)")
    parser.add_argument("--w0-points", default=None, metavar="M",
                        help=f"start values, evenly spaced over the --w0 range (default "
                        f"{DEFAULT_W0_POINTS})")


def parse_w0(text: str | None, points_text: str | None) -> tuple[str, np.ndarray] | None:
    """``NAME=LO..HI`` and the number of points as the weight's name and its start values;
    None without ``--w0``. A bad name, range or count is one line."""
    if text is None:
        if points_text is not None:
            raise InputError("--w0-points needs --w0 NAME=LO..HI, e.g. --w0 hh=-3..3")
        return None
    points = _int("--w0-points", points_text if points_text is not None else str(DEFAULT_W0_POINTS))
    name, equals, span = str(text).strip().partition("=")
    name = name.strip()
    lo_text, dots, hi_text = span.strip().partition("..")
    if not equals or not lo_text.strip() or (dots and not hi_text.strip()):
        raise InputError(f"--w0 must be NAME=LO..HI such as hh=-3..3, not {text!r}")
    if name not in WEIGHTS:
        raise InputError(f"--w0 names ih, hh or ho, not {name!r}")
    lo = _start(lo_text)
    hi = _start(hi_text) if dots else lo
    if hi < lo:
        raise InputError(f"--w0 range {text!r} is reversed: {lo:g} is above {hi:g}")
    if hi == lo and points > 1:
        raise InputError(f"--w0 range {text!r} is empty: give LO below HI for {points} points")
    return name, (np.linspace(lo, hi, points) if points > 1 else np.array([lo]))


def _start(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--w0 must be numbers LO..HI, not {text.strip()!r}") from None
    if not math.isfinite(value):
        raise InputError(f"--w0 must be finite numbers, not {text.strip()!r}")
    if abs(value) > MAX_START:
        raise InputError(f"--w0 values must be at most {MAX_START:g} in size, not {text.strip()!r}")
    return value


def write_grid(out: TextIO, runs: ManyRuns, weight: str, w0: np.ndarray, fmt: str,
               ascii: bool) -> None:
    """Per run η, the start value, the final weights, the mean error and the class; the classes."""
    labels, first_runs = code_classes(runs)
    texts = [runs.notation(int(run), ascii=ascii) for run in first_runs]
    columns = len(runs) // len(w0)
    starts = np.repeat(w0, columns).tolist()
    etas, final, mean = runs.eta.tolist(), runs.final.tolist(), runs.mean_err.tolist()
    column = f"w0_{weight}"
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("eta", column, "ih", "hh", "ho", "mean_err", "class",
                         "notation_ih", "notation_hh", "notation_ho"))
        for k, eta in enumerate(etas):
            notation = texts[labels[k] - 1]
            writer.writerow([repr(eta), repr(starts[k]), *map(repr, final[k]), repr(mean[k]),
                             int(labels[k]), *(notation[w] for w in WEIGHTS)])
        return
    classes = []
    for number, notation in enumerate(texts, start=1):
        members = labels == number
        classes.append({"class": number, "runs": int(members.sum()),
                        "eta_min": float(runs.eta[members].min()), "eta_max": float(runs.eta[members].max()),
                        "w0_min": float(np.asarray(starts)[members].min()),
                        "w0_max": float(np.asarray(starts)[members].max()), "notation": notation})
    if fmt == "json":
        p = runs.params
        document = {"ticks": runs.ticks, "rule": p.rule, "activation": p.activation, "gain": p.gain,
                    "weight": weight, "eta": etas[:columns], "w0": w0.tolist(),
                    "runs": [{"eta": eta, "w0": starts[k], "final": dict(zip(WEIGHTS, final[k])),
                              "mean_err": mean[k], "class": int(labels[k])}
                             for k, eta in enumerate(etas)],
                    "classes": classes}
        json.dump(document, out, ensure_ascii=False, indent=2, allow_nan=False)
        out.write("\n")
        return
    _write_table(out, runs, weight, starts, labels, classes, ascii)
    _write_map(out, runs, weight, w0, labels)


def _write_table(out: TextIO, runs: ManyRuns, weight: str, starts: list[float], labels: np.ndarray,
                 classes: list[dict], ascii: bool) -> None:
    p = runs.params
    out.write(f"one-neuron learner, {len(runs)} runs over {runs.ticks} ticks: rule {p.rule}, "
              f"{p.activation} (gain {p.gain:g}); eta x start {weight}\n")
    out.write(f"{'eta':>11} {'w0 ' + weight:>9} {'ih':>12} {'hh':>12} {'ho':>12} {'mean |e|':>9} "
              f"{'class':>6}\n")
    for k, eta in enumerate(runs.eta.tolist()):
        weights = "".join(f" {value:>12.6g}" for value in runs.final[k].tolist())
        out.write(f"{eta:>11.5g} {starts[k]:>9.4g}{weights} {float(runs.mean_err[k]):>9.5f} "
                  f"{labels[k]:>6}\n")
    out.write(f"\n{len(classes)} notation class{'es' if len(classes) != 1 else ''} "
              "(runs whose notations of ih, hh and ho are all the same):\n")
    for span in classes:
        out.write(f"class {span['class']}: {span['runs']} run{'s' if span['runs'] != 1 else ''}, "
                  f"eta {span['eta_min']:.5g}..{span['eta_max']:.5g}, "
                  f"w0 {weight} {span['w0_min']:.4g}..{span['w0_max']:.4g}\n")
        for name in WEIGHTS:
            text = span["notation"][name]
            if len(text) > NOTATION_WIDTH:
                cut = "..." if ascii else "…"
                text = text[: NOTATION_WIDTH - len(cut)] + cut
            out.write(f"    {name}: {text}\n")


def _write_map(out: TextIO, runs: ManyRuns, weight: str, w0: np.ndarray, labels: np.ndarray) -> None:
    """The class of every cell: a row per start value (highest first), a column per η."""
    columns = len(runs) // len(w0)
    if columns > MAP_COLUMNS:
        out.write(f"\n(no class map: {columns} eta columns, at most {MAP_COLUMNS} are drawn; "
                  "use --format csv)\n")
        return
    width = len(str(int(labels.max()))) + 1
    grid = labels.reshape(len(w0), columns)
    out.write(f"\nclass map: rows w0 {weight} (highest first), columns eta "
              f"{runs.eta[0]:.4g} .. {runs.eta[columns - 1]:.4g} (log-spaced)\n")
    for row in range(len(w0) - 1, -1, -1):
        out.write(f"{w0[row]:>9.4g} |" + "".join(f"{n:>{width}}" for n in grid[row].tolist()) + "\n")
