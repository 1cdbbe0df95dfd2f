"""``rnnviz task``: run a learning task headless and print what it learned.

::

    rnnviz task addition  [--hidden 16] [--lr 0.5] [--examples 10000] [--seed 0] [--bits 8]
    rnnviz task hello     [--hidden 3] [--lr 0.1] [--max-epochs 1000] [--seed 0] [--init-scale 0.1]
    rnnviz task vanishing [--steps 50] [--hidden 8] [--small 0.5] [--large 1.5] [--clip 5]
                          [--clip-kind norm|value] [--input-scale 0] [--seed 0] [--every 5]

A progress bar is drawn on stderr only when stderr is a terminal; piped or
redirected runs print results only. Output is plain ASCII so it survives any
console encoding.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from rnnviz.engine.clipping import CLIP_KINDS
from rnnviz.engine.errors import InputError
from rnnviz.tasks.addition import (
    HELD_OUT_PAIRS,
    AdditionResult,
    AdditionSettings,
    curve_summary,
    run_addition,
)
from rnnviz.tasks.hello import VOCABULARY, HelloResult, HelloSettings, run_hello
from rnnviz.tasks.vanishing import VanishingResult, VanishingSettings, run_vanishing


class ProgressBar:
    """A one-line progress bar on a terminal stream; silent on anything else.

    Parameters
    ----------
    label
        Shown before the bar.
    stream
        Default ``sys.stderr``; drawing happens only if ``stream.isatty()``.
    width
        Characters in the bar itself.
    """

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {100 * done // total:3d}% {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar so that the results start on a clean line."""
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False


# ------------------------------------------------------------------ parsing


def _int(option: str, text: str, minimum: int = 1) -> int:
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise InputError(f"{option} must be a whole number, not {text!r}") from None
    if number < minimum:
        raise InputError(f"{option} must be at least {minimum}, not {number}")
    return number


def _float(option: str, text: str, *, positive: bool = True) -> float:
    try:
        number = float(text)
    except (TypeError, ValueError):
        raise InputError(f"{option} must be a number, not {text!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InputError(f"{option} must be a finite number, not {text!r}")
    if positive and number <= 0:
        raise InputError(f"{option} must be above 0, not {text!r}")
    if not positive and number < 0:
        raise InputError(f"{option} must not be negative, not {text!r}")
    return number


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``task`` subcommand (with addition, hello, vanishing) to *subparsers*."""
    parser = subparsers.add_parser(
        "task",
        help="run a learning task headless (addition, hello, vanishing)",
        description="Train or probe an Elman network on a small task and print the outcome.",
    )
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)

    addition = tasks.add_parser(
        "addition",
        help="binary addition, bits least-significant first (seed 001)",
        description=(
            "Train a 2-H-1 sigmoid Elman network by full-sequence BPTT to add two "
            "numbers bit by bit, then test exact sums on 200 held-out pairs."
        ),
    )
    addition.add_argument("--hidden", default="16", help="hidden units (default 16)")
    addition.add_argument("--lr", default="0.5", help="learning rate (default 0.5)")
    addition.add_argument("--examples", default="10000", help="training pairs (default 10000)")
    addition.add_argument("--seed", default="0", help="random seed (default 0)")
    addition.add_argument("--bits", default="8", help="bits of the sum, 2..16 (default 8)")
    addition.set_defaults(task_runner=_run_addition)

    hello = tasks.add_parser(
        "hello",
        help='next-character model of "hello" (seed 002)',
        description=(
            "Train a 4-H-4 network (tanh hidden, softmax output, cross-entropy) by BPTT "
            "until its argmax predictions for h,e,l,l read e,l,l,o."
        ),
    )
    hello.add_argument("--hidden", default="3", help="hidden units (default 3)")
    hello.add_argument("--lr", default="0.1", help="learning rate (default 0.1)")
    hello.add_argument(
        "--max-epochs", default="1000", help="give up after this many (default 1000)"
    )
    hello.add_argument("--seed", default="0", help="random seed (default 0)")
    hello.add_argument(
        "--init-scale", default="0.1", help="initial weights uniform in [-x, x] (default 0.1)"
    )
    hello.set_defaults(task_runner=_run_hello)

    vanishing = tasks.add_parser(
        "vanishing",
        help="delta norms back in time, with and without clipping (seed 004)",
        description=(
            "Backpropagate one error from the last step of a tanh network and print "
            "the delta norm at every step back, for a small and a large recurrent "
            "scale, without and with per-step clipping."
        ),
    )
    vanishing.add_argument("--steps", default="50", help="sequence length (default 50)")
    vanishing.add_argument("--hidden", default="8", help="hidden units (default 8)")
    vanishing.add_argument("--small", default="0.5", help="small recurrent scale r (default 0.5)")
    vanishing.add_argument("--large", default="1.5", help="large recurrent scale r (default 1.5)")
    vanishing.add_argument("--clip", default="5", help="clipping threshold (default 5)")
    vanishing.add_argument("--clip-kind", default="norm", help="norm (default) or value")
    vanishing.add_argument(
        "--input-scale", default="0", help="std of random inputs; 0 = network at rest (default)"
    )
    vanishing.add_argument("--seed", default="0", help="random seed (default 0)")
    vanishing.add_argument("--every", default="5", help="print every n-th step back (default 5)")
    vanishing.set_defaults(task_runner=_run_vanishing)

    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen task and print its result; bad input raises :class:`InputError`."""
    return args.task_runner(args)


# ----------------------------------------------------------------- addition


def _with_progress(name: str, runner, settings):
    """Run a training task with a progress bar on the terminal (if there is one)."""
    bar = ProgressBar(name)
    try:
        return runner(settings, progress=bar)
    finally:
        bar.close()


def _run_addition(args: argparse.Namespace) -> int:
    settings = AdditionSettings(
        hidden=_int("--hidden", args.hidden),
        learning_rate=_float("--lr", args.lr),
        examples=_int("--examples", args.examples),
        seed=_int("--seed", args.seed, minimum=0),
        bits=_int("--bits", args.bits),
    )
    result = _with_progress("addition", run_addition, settings)
    print(format_addition(result))
    return 0


def format_addition(result: AdditionResult) -> str:
    """The error curve in ten rows, the held-out accuracy and a few sample sums."""
    s = result.settings
    lines = [
        f"binary addition: {s.bits}-bit sums of two {s.bits - 1}-bit numbers, "
        "bits least-significant first",
        f"network 2-{s.hidden}-1 (sigmoid hidden and output, no biases), full BPTT, "
        f"learning rate {s.learning_rate:g}, {s.examples} examples, seed {s.seed}",
        "",
        f"error per example (sum over the {s.bits} bits of |target - output|), "
        "and exact sums, per stretch of training:",
        f"{'examples':>13} {'error':>7} {'exact':>7}",
    ]
    errors = curve_summary(result.errors)
    exact = curve_summary(result.exact.astype(float))
    top = max(mean for _, _, mean in errors) or 1.0
    for (first, last, mean), (_, _, share) in zip(errors, exact):
        bar = "#" * round(30 * mean / top)
        lines.append(f"{f'{first}-{last}':>13} {mean:7.3f} {100 * share:6.1f}% {bar}")
    lines.append("")
    lines.append(
        f"held-out exact sums: {result.held_out_correct}/{HELD_OUT_PAIRS} "
        f"({100 * result.held_out_accuracy:.1f}%)"
    )
    samples = []
    for (a, b), answer in list(zip(result.held_out.tolist(), result.held_out_sums.tolist()))[:4]:
        mark = "ok" if answer == a + b else "WRONG"
        samples.append(f"{a} + {b} = {a + b} (net: {answer}, {mark})")
    lines.append("for example: " + "; ".join(samples))
    return "\n".join(lines)


# -------------------------------------------------------------------- hello


def _run_hello(args: argparse.Namespace) -> int:
    settings = HelloSettings(
        hidden=_int("--hidden", args.hidden),
        learning_rate=_float("--lr", args.lr),
        max_epochs=_int("--max-epochs", args.max_epochs),
        seed=_int("--seed", args.seed, minimum=0),
        init_scale=_float("--init-scale", args.init_scale, positive=False),
    )
    result = _with_progress("hello", run_hello, settings)
    print(format_hello(result))
    return 0


def format_hello(result: HelloResult) -> str:
    """Whether the goal was reached, the loss, and the per-step probabilities."""
    s = result.settings
    lines = [
        f'"hello": inputs {",".join(result.inputs)} -> targets {",".join(result.targets)}',
        f"network 4-{s.hidden}-4 (tanh hidden, softmax output, cross-entropy), full BPTT, "
        f"learning rate {s.learning_rate:g}, seed {s.seed}",
    ]
    if result.epochs:
        loss = f" (loss {result.losses[0]:.4f} -> {result.losses[-1]:.4f})"
    else:
        loss = ""
    if result.reached:
        lines.append(f"reached e,l,l,o after {result.epochs} epochs{loss}")
    else:
        lines.append(f"did NOT reach e,l,l,o within {result.epochs} epochs{loss}")
    lines.append("")
    header = "".join(f"{f'p({c})':>8}" for c in VOCABULARY)
    lines.append(f"{'step':>4} {'input':>5} {'target':>6}{header}  predicted")
    for t, row in enumerate(result.probabilities):
        cells = "".join(f"{p:8.4f}" for p in row)
        lines.append(
            f"{t + 1:>4} {result.inputs[t]:>5} {result.targets[t]:>6}{cells}  "
            f"{result.predictions[t]}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- vanishing


def _run_vanishing(args: argparse.Namespace) -> int:
    if args.clip_kind not in CLIP_KINDS:
        raise InputError(
            f"unknown clipping kind {args.clip_kind!r}; choose one of {', '.join(CLIP_KINDS)}"
        )
    settings = VanishingSettings(
        steps=_int("--steps", args.steps, minimum=2),
        hidden=_int("--hidden", args.hidden),
        small=_float("--small", args.small),
        large=_float("--large", args.large),
        clip=_float("--clip", args.clip),
        clip_kind=args.clip_kind,
        input_scale=_float("--input-scale", args.input_scale, positive=False),
        seed=_int("--seed", args.seed, minimum=0),
    )
    every = _int("--every", args.every)
    result = run_vanishing(settings)
    print(format_vanishing(result, every))
    return 0


def format_vanishing(result: VanishingResult, every: int = 5) -> str:
    """‖δ‖ at every *every*-th step back (and the first step), four columns."""
    s = result.settings
    if s.input_scale == 0:
        rest = "0 (the network at rest, tanh' = 1)"
    else:
        rest = f"random, std {s.input_scale:g}"
    lines = [
        f"delta norm per step back in time: tanh network, {s.hidden} hidden units, "
        f"{s.steps} steps, loss on the last step only",
        f"recurrent weights: random orthogonal matrix times r; inputs {rest}",
        f"clipping: every delta_t clipped to {s.clip_kind} {s.clip:g} on its way back",
        "",
    ]
    labels = [f"r={c.scale:g}" + (" clipped" if c.clipped else "") for c in result.curves]
    lines.append(f"{'steps back':>10}" + "".join(f"{label:>16}" for label in labels))
    steps_back = list(range(0, s.steps, every))
    if steps_back[-1] != s.steps - 1:
        steps_back.append(s.steps - 1)
    for k in steps_back:
        lines.append(f"{k:>10}" + "".join(f"{c.norms[k]:>16.4e}" for c in result.curves))
    lines.append("")
    lines.append(
        f"{'factor':>10}" + "".join(f"{c.factor_per_step:>16.4g}" for c in result.curves)
    )
    lines.append("(factor: average change of the norm per step back, a geometric mean)")
    return "\n".join(lines)
