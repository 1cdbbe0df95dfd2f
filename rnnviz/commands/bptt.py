"""``rnnviz bptt``: seed 003's worked BPTT example for any values and weights.

::

    rnnviz bptt VALUES --u U --v V --w W --s S [--format json|table]

VALUES is ``x1,x2,…,xT`` (at least two numbers); the network predicts each
value from the ones before it with ``p_t = u·σ(w·y_{t−1} + v·x_t)``, ``y_0 = s``,
and reports ``E = Σ (x_{t+1} − p_t)²`` with its derivatives and every δ_t.
Negative numbers are written as they are: ``rnnviz bptt -1,2 --u -1e-3 …``.

The letters are seed 003's, kept for what the user types and reads: the
weights u, v, w are the network's W_hy, W_xh, W_hh, s is its h_0, and z_t,
y_t, p_t are its a_t, h_t, ŷ_t (:mod:`rnnviz.tasks.worked_example`). This
module is the only place that translates between the two.
"""

from __future__ import annotations

import argparse
import json
from typing import Final

from rnnviz.commands.options import allow_negative_values
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import finite_number
from rnnviz.tasks.worked_example import WorkedExample, parse_values, worked_example

FORMATS = ("json", "table")

#: Seed 003's name of each option → the network's name for it: u is W_hy, v is
#: W_xh, w is W_hh and s is h_0 (in the order the options are checked).
SEED_003_NAMES: Final[dict[str, str]] = {"u": "w_hy", "v": "w_xh", "w": "w_hh", "s": "h0"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bptt`` subcommand to *subparsers* (``func=run``)."""
    parser = subparsers.add_parser(
        "bptt",
        help="the worked three-step BPTT example (seed 003) for your own numbers",
        description=(
            "Forward pass, squared error and back-propagation through time for "
            "p_t = u*sigmoid(w*y_(t-1) + v*x_t) with y_0 = s, each value "
            "predicting the next: E = sum over t of (x_(t+1) - p_t)^2."
        ),
        epilog="example: rnnviz bptt 1,0.5,-1,2 --u 0.7 --v 1.2 --w -0.4 --s 0.3 --format table",
    )
    # VALUES such as -1,2 and weights such as -1e-3 are values, not options.
    allow_negative_values(parser)
    parser.add_argument(
        "values", metavar="VALUES", help="comma-separated numbers x1,...,xT (T >= 2)"
    )
    for name, meaning in (
        ("u", "output weight"),
        ("v", "input weight"),
        ("w", "recurrent weight"),
        ("s", "hidden state before the first step (y_0)"),
    ):
        parser.add_argument(f"--{name}", required=True, metavar=name.upper(), help=meaning)
    parser.add_argument(
        "--format", default="json", help="json (default) or table"
    )
    parser.set_defaults(func=run)


def _weight(name: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"--{name} must be a number, not {text!r}") from None
    return finite_number(f"--{name}", number)


def run(args: argparse.Namespace) -> int:
    """Compute and print the worked example; bad input raises :class:`InputError`."""
    if args.format not in FORMATS:
        raise InputError(f"unknown format {args.format!r}; choose one of {', '.join(FORMATS)}")
    values = parse_values(args.values)
    weights = {mine: _weight(seed, getattr(args, seed)) for seed, mine in SEED_003_NAMES.items()}
    result = worked_example(values, **weights)
    if args.format == "json":
        print(json.dumps(json_data(result), indent=2, allow_nan=False))
    else:
        print(format_table(result))
    return 0


def json_data(result: WorkedExample) -> dict[str, object]:
    """Every number of *result* under seed 003's names, ready for ``json.dumps``."""
    steps = [
        {
            "t": t + 1,
            "x": result.values[t],
            "target": float(result.targets[t]),
            "z": float(result.pre_hidden[t]),
            "y": float(result.hidden[t]),
            "p": float(result.outputs[t]),
            "error": float(result.output_errors[t]),
            "delta": float(result.deltas[t]),
        }
        for t in range(len(result.outputs))
    ]
    return {
        "values": list(result.values),
        "u": result.w_hy,
        "v": result.w_xh,
        "w": result.w_hh,
        "s": result.h0,
        "E": result.E,
        "dE_du": result.dE_dw_hy,
        "dE_dv": result.dE_dw_xh,
        "dE_dw": result.dE_dw_hh,
        "dE_ds": result.dE_dh0,
        "delta": [float(d) for d in result.deltas],
        "steps": steps,
    }


def format_table(result: WorkedExample) -> str:
    """The worked example as a plain-text table (6 significant digits), in seed 003's letters."""
    lines = [
        "p_t = u*sigmoid(w*y_(t-1) + v*x_t), y_0 = s, target t_t = x_(t+1), "
        "E = sum (t_t - p_t)^2",
        f"u = {result.w_hy:g}   v = {result.w_xh:g}   w = {result.w_hh:g}   s = {result.h0:g}",
        "",
        f"{'t':>3} {'x_t':>11} {'target':>11} {'z_t':>11} {'y_t':>11} "
        f"{'p_t':>11} {'dE/dp_t':>11} {'delta_t':>11}",
    ]
    for t in range(len(result.outputs)):
        row = (
            result.values[t],
            result.targets[t],
            result.pre_hidden[t],
            result.hidden[t],
            result.outputs[t],
            result.output_errors[t],
            result.deltas[t],
        )
        lines.append(f"{t + 1:>3} " + " ".join(f"{value:>11.6g}" for value in row))
    lines.append("")
    for label, value in (
        ("E", result.E),
        ("dE/du", result.dE_dw_hy),
        ("dE/dv", result.dE_dw_xh),
        ("dE/dw", result.dE_dw_hh),
        ("dE/ds", result.dE_dh0),
    ):
        lines.append(f"{label:<6}= {value:.12g}")
    return "\n".join(lines)
