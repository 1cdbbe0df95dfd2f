"""``rnnviz examples``: the named example streams shipped with rnnviz."""

from __future__ import annotations

import argparse
import sys

from rnnviz.resources import examples


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "examples",
        help="list the named example streams (use one with --example NAME)",
        description="List the example streams that ship with rnnviz; "
        "'rnnviz trace --example NAME' runs one.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    entries = examples()
    width = max(len(entry["name"]) for entry in entries)
    seq_width = max(len(entry["sequence"]) for entry in entries)
    for entry in entries:
        out.write(f"{entry['name']:<{width}}  {entry['sequence']:<{seq_width}}  {entry['about']}\n")
    return 0
