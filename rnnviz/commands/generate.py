"""``rnnviz generate``: run the network freely, output fed back as input.

With the defaults (ih = −1, hh = 0, ho = 1, output gain 10, x0 = 1,
h0 = 0.5, bipolar sigmoid) the one-neuron network generates an alternating
stream, about −0.98, +0.98, −0.98, …
"""

from __future__ import annotations

import argparse
import json
import sys

from rnnviz.commands.options import allow_negative_values
from rnnviz.engine.generator import DEFAULTS, free_run

FORMATS = ("table", "csv", "json")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="run the network freely, its output fed back as the next input",
        description="Run the one-neuron network forward with fixed weights, feeding each "
        "output back as the next input (no learning). The defaults generate an alternating stream.",
    )
    allow_negative_values(parser)
    for name in ("ih", "hh", "ho"):
        parser.add_argument(f"--{name}", type=float, default=DEFAULTS[name], help=f"weight {name} (default {DEFAULTS[name]:g})")
    parser.add_argument("--gain", type=float, default=DEFAULTS["gain"], help="gain of the output neuron, above 0 (default 10)")
    parser.add_argument("--x0", type=float, default=DEFAULTS["x0"], help="the first input (default 1)")
    parser.add_argument("--h0", type=float, default=DEFAULTS["h0"], help="hidden value before the first step (default 0.5)")
    parser.add_argument("--steps", type=int, default=10, help="how many steps (default 10)")
    parser.add_argument("--format", default="table", choices=FORMATS, help="table, csv or json (default table)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    result = free_run(
        ih=args.ih, hh=args.hh, ho=args.ho, gain=args.gain, x0=args.x0, h0=args.h0, steps=args.steps
    )
    rows = zip(range(len(result)), result.x.tolist(), result.h.tolist(), result.y.tolist())
    if args.format == "csv":
        out.write("step,x,h,y\n")
        out.writelines(f"{s},{x!r},{h!r},{y!r}\n" for s, x, h, y in rows)
    elif args.format == "json":
        # Streamed row by row: ten million steps must not be built in memory.
        encode = json.JSONEncoder(allow_nan=False).encode
        out.write('{"steps": [\n')
        out.write(",\n".join(encode({"step": s, "x": x, "h": h, "y": y}) for s, x, h, y in rows))
        out.write("\n]}\n")
    else:
        out.write(f"{'step':>6}{'x':>11}{'h':>11}{'y':>11}\n")
        out.writelines(f"{s:>6}{x:>11.6f}{h:>11.6f}{y:>11.6f}\n" for s, x, h, y in rows)
    return 0
