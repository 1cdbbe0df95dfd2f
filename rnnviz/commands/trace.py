"""``rnnviz trace``: run the learner over a stream and print what happened.

Formats: an aligned ``table`` for reading, ``csv`` with exactly the columns
``t,x,target,h,yhat,err,ih,hh,ho,d_ih,d_hh,d_ho`` at full precision, or
``json``. ``--notation`` prints only the +/− notation of the three weights;
``--summary`` only the final weights and the notation.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TextIO

import numpy as np

from rnnviz import __version__
from rnnviz.commands.options import (
    add_learning_arguments, add_sequence_arguments, allow_negative_values, params_from_args,
    read_sequence,
)
from rnnviz.engine.history import COLUMNS, WEIGHTS, History
from rnnviz.engine.learner import LearnerParams, OnlineLearner, Prediction, State, summarize
from rnnviz.engine.notation import notation as notation_text
from rnnviz.io.export import BLOCK_ROWS, notation_lines, trace_rows, write_trace_csv
from rnnviz.io.sessionfile import params_to_json

FORMATS = ("table", "csv", "json")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="run the one-neuron learner over a stream and print every tick",
        description="Run the one-neuron network over a bit stream, learning online, "
        "and print every tick, the +/− notation or a summary.",
    )
    allow_negative_values(parser)
    add_sequence_arguments(parser)
    add_learning_arguments(parser)
    output = parser.add_argument_group("output")
    output.add_argument("--format", default="table", choices=FORMATS, help="table, csv or json (default table)")
    output.add_argument("--notation", action="store_true", help="print only the +/− notation of ih, hh, ho")
    output.add_argument("--summary", action="store_true", help="print only the final weights and the notation")
    output.add_argument("--ascii", action="store_true", help="write the notation in ASCII (+^9 -^5 , -^5)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Standard output as rnnviz.cli.main hands it to every command: a full
    # disk or a failing device is one line and status 2 (io.export.standard_output).
    out = sys.stdout
    params = params_from_args(args)
    bits = read_sequence(args)
    if args.summary or args.notation:
        state, builders = summarize(bits, params)
        notation = {w: builder.text(ascii=args.ascii) for w, builder in builders.items()}
        if args.summary:
            _write_summary(out, args.format, len(bits) - 1, state, notation)
        else:
            _write_notation(out, args.format, notation)
        return 0

    learner = OnlineLearner(params)
    history = History()
    state = learner.run(bits, history=history)
    notation = {w: notation_text(history[w], w0, ascii=args.ascii) for w, w0 in zip(WEIGHTS, params.init)}
    prediction = learner.predict(float(bits[-1]), state)
    if args.format == "csv":
        write_trace_csv(out, history)
    elif args.format == "json":
        _write_json(out, history, params, bits, state, notation, prediction)
    else:
        _write_table(out, history, prediction, int(bits[-1]), args.ascii)
    return 0


def _write_notation(out: TextIO, fmt: str, notation: dict[str, str]) -> None:
    if fmt == "json":
        json.dump({"notation": notation}, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.writelines(line + "\n" for line in notation_lines(notation))


def _write_summary(out: TextIO, fmt: str, ticks: int, state: State, notation: dict[str, str]) -> None:
    weights = {"ih": state.ih, "hh": state.hh, "ho": state.ho}
    if fmt == "json":
        document = {"n_ticks": ticks, "final": weights, "notation": notation}
        json.dump(document, out, ensure_ascii=False, indent=2, allow_nan=False)
        out.write("\n")
    elif fmt == "csv":
        # The notation holds commas: let the csv module quote it.
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("weight", "final", "notation"))
        writer.writerows((w, repr(weights[w]), notation[w]) for w in WEIGHTS)
    else:
        out.write(f"after {ticks} ticks: " + "  ".join(f"{w} = {weights[w]!r}" for w in WEIGHTS) + "\n")
        out.writelines(line + "\n" for line in notation_lines(notation))


def _cell(value: float) -> str:
    if value == 0 or 1e-4 <= abs(value) < 1e5:
        return f"{value:>11.6f}"
    return f"{value:>11.3e}"


def _write_table(out: TextIO, history: History, prediction: Prediction, last_bit: int, ascii: bool) -> None:
    out.write(f"{'t':>6} {'x':>2} {'target':>6}" + "".join(f"{name:>11}" for name in COLUMNS[2:]) + "\n")
    for block in trace_rows(
        history, len(history),
        lambda row: f"{row[0]:>6} {row[1]:>2} {row[2]:>6}" + "".join(map(_cell, row[3:])) + "\n",
    ):
        out.write(block)
    yhat = "yhat" if ascii else "ŷ"
    out.write(
        f"after the last bit (x = {last_bit}): h = {prediction.h:.6f}, "
        f"{yhat} = {prediction.yhat:.6f} predicts the next bit\n"
    )


def _write_json(
    out: TextIO, history: History, params: LearnerParams, bits: np.ndarray, state: State,
    notation: dict[str, str], prediction: Prediction,
) -> None:
    head = {
        "rnnviz": __version__,
        "bits": len(bits),
        "n_ticks": len(history),
        "params": params_to_json(params),
    }
    tail = {
        "final": state._asdict(),
        "notation": notation,
        "prediction": prediction._asdict(),
    }
    dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    out.write(dumps(head)[:-1] + ', "ticks": [\n')
    names = ("t",) + COLUMNS
    first = True
    for start in range(0, len(history), BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, len(history))
        columns = [range(start, stop)] + [history[name][start:stop].tolist() for name in COLUMNS]
        lines = [dumps(dict(zip(names, row))) for row in zip(*columns)]
        out.write(("" if first else ",\n") + ",\n".join(lines))
        first = False
    out.write("\n], " + dumps(tail)[1:] + "\n")
