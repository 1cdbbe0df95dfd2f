"""``rnnviz task``: run a learning task headless and print what it learned.

::

    rnnviz task addition  [--hidden 16] [--lr 0.5] [--examples 10000] [--seed 0] [--bits 8]
    rnnviz task hello     [--hidden 3] [--lr 0.1] [--max-epochs 1000] [--seed 0] [--init-scale 0.1]
    rnnviz task vanishing [--steps 50] [--hidden 8] [--small 0.5] [--large 1.5] [--clip 5]
                          [--clip-kind norm|value] [--input-scale 0] [--seed 0] [--every 5]
    rnnviz task memory    [--cell rnn|lstm|gru] [--lag L] [--hidden H] [--lr η]
                          [--optimizer sgd|adam] [--sequences N] [--seed S] [--init-scale s]
    rnnviz task memory --table [--cells rnn,lstm,gru] [--lags 5,10,20,30,40,60] [--seeds 0-9] ...

A progress bar is drawn on stderr only when stderr is a terminal; piped or
redirected runs print results only. Output is plain ASCII so it survives any
console encoding.

Every size and rate has an upper limit (shown by ``--help``), so no setting
can exhaust memory, run for hours, or overflow. Exit status: 0 on success; 1
when ``hello`` does not reach e,l,l,o within ``--max-epochs`` or a single
``memory`` run does not recall 95 %; 2 for bad input, including training that
diverges.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TextIO

from rnnviz.commands.options import allow_negative_values
from rnnviz.engine.cells import CELLS
from rnnviz.engine.clipping import CLIP_KINDS
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import bounded_number, whole_number
from rnnviz.tasks import MAX_HIDDEN, MAX_LEARNING_RATE, MAX_TRAINING_WORK
from rnnviz.tasks.addition import (
    HELD_OUT_PAIRS,
    MAX_BITS,
    MAX_EXAMPLES,
    MIN_BITS,
    AdditionResult,
    AdditionSettings,
    curve_summary,
    run_addition,
)
from rnnviz.tasks.hello import (
    MAX_EPOCHS,
    MAX_HELLO_INIT_SCALE,
    VOCABULARY,
    HelloResult,
    HelloSettings,
    run_hello,
)
from rnnviz.tasks.memory import (
    BATCH as MEMORY_BATCH,
)
from rnnviz.tasks.memory import (
    CHECK_EVERY,
    CLIP_NORM,
    HELD_OUT,
    MAX_LAG,
    MAX_MEMORY_INIT_SCALE,
    MAX_SEQUENCES,
    SUCCESS_RATE,
    VALIDATION,
    MemoryResult,
    MemorySettings,
    run_memory,
    run_table,
)
from rnnviz.tasks.vanishing import (
    FACTOR_STEPS,
    MAX_CLIP,
    MAX_INPUT_SCALE,
    MAX_STEPS,
    MAX_W_HH_SCALE,
    VanishingResult,
    VanishingSettings,
    run_vanishing,
)


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


def _int(option: str, text: str, minimum: int = 1, maximum: int | None = None) -> int:
    try:
        number = int(text)
    except (TypeError, ValueError):
        raise InputError(f"{option} must be a whole number, not {text!r}") from None
    return whole_number(option, number, minimum, maximum)


def _float(
    option: str, text: str, *, positive: bool = True, maximum: float | None = None
) -> float:
    # The validators take the text itself, so a message quotes what was typed.
    return bounded_number(option, text, math.inf if maximum is None else maximum, positive=positive)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``task`` subcommand (with addition, hello, vanishing, memory) to *subparsers*."""
    parser = subparsers.add_parser(
        "task",
        help="run a learning task headless (addition, hello, vanishing, memory)",
        description="Train or probe an Elman network on a small task and print the outcome.",
    )
    allow_negative_values(parser)
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    for add_task in (_add_addition_parser, _add_hello_parser, _add_vanishing_parser,
                     _add_memory_parser):
        allow_negative_values(add_task(tasks))
    parser.set_defaults(func=run)


def _add_addition_parser(tasks: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``rnnviz task addition`` and its options."""
    addition = tasks.add_parser(
        "addition",
        help="binary addition, bits least-significant first (seed 001)",
        description=(
            "Train a 2-H-1 sigmoid Elman network by full-sequence BPTT to add two "
            "numbers bit by bit, then test exact sums on 200 held-out pairs."
        ),
        epilog=(
            f"--examples times --hidden squared must be at most {MAX_TRAINING_WORK:.0e} "
            "(roughly ten minutes of training), e.g. 47,683 examples with 1024 hidden units"
        ),
    )
    _add_size_options(addition, hidden="16", learning_rate="0.5")
    addition.add_argument(
        "--examples", default="10000", help=f"training pairs, 1..{MAX_EXAMPLES:,} (default 10000)"
    )
    addition.add_argument(
        "--bits", default="8", help=f"bits of the sum, {MIN_BITS}..{MAX_BITS} (default 8)"
    )
    addition.set_defaults(task_runner=_run_addition)
    return addition


def _add_hello_parser(tasks: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``rnnviz task hello`` and its options."""
    hello = tasks.add_parser(
        "hello",
        help='next-character model of "hello" (seed 002)',
        description=(
            "Train a 4-H-4 network (tanh hidden, softmax output, cross-entropy) by BPTT "
            "until its argmax predictions for h,e,l,l read e,l,l,o."
        ),
        epilog=(
            "exit status: 0 when the predictions reach e,l,l,o; 1 when they do not "
            "within --max-epochs (the results are printed all the same); 2 for bad "
            "input or training that diverges. --max-epochs times --hidden squared must "
            f"be at most {MAX_TRAINING_WORK:.0e}, e.g. 47,683 epochs with 1024 hidden units"
        ),
    )
    _add_size_options(hello, hidden="3", learning_rate="0.1")
    hello.add_argument(
        "--max-epochs",
        default="1000",
        help=f"give up after this many, 1..{MAX_EPOCHS:,} (default 1000)",
    )
    hello.add_argument(
        "--init-scale",
        default="0.1",
        help=f"initial weights uniform in [-x, x], 0..{MAX_HELLO_INIT_SCALE:g} (default 0.1)",
    )
    hello.set_defaults(task_runner=_run_hello)
    return hello


def _add_vanishing_parser(tasks: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``rnnviz task vanishing`` and its options."""
    vanishing = tasks.add_parser(
        "vanishing",
        help="delta norms back in time, with and without clipping (seed 004)",
        description=(
            "Backpropagate one error from the last step of a tanh network and print "
            "the delta norm at every step back, for a small and a large recurrent "
            "scale, without and with per-step clipping."
        ),
    )
    vanishing.add_argument(
        "--steps", default="50", help=f"sequence length, 2..{MAX_STEPS:,} (default 50)"
    )
    _add_size_options(vanishing, hidden="8")
    vanishing.add_argument(
        "--small",
        default="0.5",
        help=f"small recurrent scale r, above 0, at most {MAX_W_HH_SCALE:g} (default 0.5)",
    )
    vanishing.add_argument(
        "--large",
        default="1.5",
        help=f"large recurrent scale r, above 0, at most {MAX_W_HH_SCALE:g} (default 1.5)",
    )
    vanishing.add_argument(
        "--clip", default="5", help=f"clipping threshold, above 0, at most {MAX_CLIP:g} (default 5)"
    )
    vanishing.add_argument("--clip-kind", default="norm", help="norm (default) or value")
    vanishing.add_argument(
        "--input-scale",
        default="0",
        help=f"std of random inputs, 0..{MAX_INPUT_SCALE:g}; 0 = network at rest (default)",
    )
    vanishing.add_argument("--every", default="5", help="print every n-th step back (default 5)")
    vanishing.set_defaults(task_runner=_run_vanishing)
    return vanishing


def _add_size_options(
    parser: argparse.ArgumentParser, *, hidden: str, learning_rate: str | None = None
) -> None:
    """--hidden, --lr (for the training tasks) and --seed, the same for every task."""
    parser.add_argument(
        "--hidden", default=hidden, help=f"hidden units, 1..{MAX_HIDDEN} (default {hidden})"
    )
    if learning_rate is not None:
        parser.add_argument(
            "--lr",
            default=learning_rate,
            help=f"learning rate, above 0, at most {MAX_LEARNING_RATE:g} (default {learning_rate})",
        )
    parser.add_argument("--seed", default="0", help="random seed (default 0)")


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
        hidden=_int("--hidden", args.hidden, maximum=MAX_HIDDEN),
        learning_rate=_float("--lr", args.lr, maximum=MAX_LEARNING_RATE),
        examples=_int("--examples", args.examples, maximum=MAX_EXAMPLES),
        seed=_int("--seed", args.seed, minimum=0),
        bits=_int("--bits", args.bits, minimum=MIN_BITS, maximum=MAX_BITS),
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
        hidden=_int("--hidden", args.hidden, maximum=MAX_HIDDEN),
        learning_rate=_float("--lr", args.lr, maximum=MAX_LEARNING_RATE),
        max_epochs=_int("--max-epochs", args.max_epochs, maximum=MAX_EPOCHS),
        seed=_int("--seed", args.seed, minimum=0),
        init_scale=_float(
            "--init-scale", args.init_scale, positive=False, maximum=MAX_HELLO_INIT_SCALE
        ),
    )
    result = _with_progress("hello", run_hello, settings)
    print(format_hello(result))
    # Not reaching the goal is a result worth printing, but not a success.
    return 0 if result.reached else 1


def format_hello(result: HelloResult) -> str:
    """Whether the goal was reached, the loss, and the per-step probabilities."""
    s = result.settings
    lines = [
        f'"hello": inputs {",".join(result.inputs)} -> targets {",".join(result.targets)}',
        f"network 4-{s.hidden}-4 (tanh hidden, softmax output, cross-entropy), full BPTT, "
        f"learning rate {s.learning_rate:g}, seed {s.seed}",
    ]
    # The final loss is that of the probabilities printed below, i.e. after
    # the last update (result.losses[-1] is the loss before it).
    if result.epochs:
        loss = f" (loss {result.losses[0]:.4f} -> {result.final_loss:.4f})"
    else:
        loss = f" (loss {result.final_loss:.4f})"
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
        steps=_int("--steps", args.steps, minimum=2, maximum=MAX_STEPS),
        hidden=_int("--hidden", args.hidden, maximum=MAX_HIDDEN),
        small=_float("--small", args.small, maximum=MAX_W_HH_SCALE),
        large=_float("--large", args.large, maximum=MAX_W_HH_SCALE),
        clip=_float("--clip", args.clip, maximum=MAX_CLIP),
        clip_kind=args.clip_kind,
        input_scale=_float(
            "--input-scale", args.input_scale, positive=False, maximum=MAX_INPUT_SCALE
        ),
        seed=_int("--seed", args.seed, minimum=0),
    )
    every = _int("--every", args.every)
    result = _with_progress("vanishing", run_vanishing, settings)
    print(format_vanishing(result, every))
    return 0


def _norm_cell(value: float) -> str:
    return "overflow" if math.isinf(value) else f"{value:.4e}"


def _factor_cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def format_vanishing(result: VanishingResult, every: int = 5) -> str:
    """‖δ‖ at every *every*-th step back (and the first step), four columns,
    then the average change per step over the first and over the last steps."""
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
    # Every column is at least one space wider than its widest entry, so
    # neighbouring columns never run together.
    widths = [max(15, len(label)) + 1 for label in labels]

    def row(head: str, cells: list[str]) -> str:
        return f"{head:>10}" + "".join(f"{cell:>{w}}" for cell, w in zip(cells, widths))

    lines.append(row("steps back", labels))
    steps_back = list(range(0, s.steps, every))
    if steps_back[-1] != s.steps - 1:
        steps_back.append(s.steps - 1)
    for k in steps_back:
        lines.append(row(str(k), [_norm_cell(c.norms[k]) for c in result.curves]))
    last = s.steps - 1
    span = min(FACTOR_STEPS, last)
    lines.append("")
    lines.append(
        "change of the norm per step back (geometric mean of |delta_(k+1)| / |delta_k|):"
    )
    lines.append(row(f"0->{span}", [_factor_cell(c.early_factor) for c in result.curves]))
    lines.append(
        row(f"{last - span}->{last}", [_factor_cell(c.late_factor) for c in result.curves])
    )
    notes = []
    if any(c.overflow_step is not None for c in result.curves):
        notes.append("overflow: the norm is beyond the largest float (about 1.8e308)")
    if any(c.early_factor is None or c.late_factor is None for c in result.curves):
        notes.append(
            "n/a: within those steps the norm overflowed or fell to 0 (too small for a float)"
        )
    lines.extend(notes)
    return "\n".join(lines)


# ------------------------------------------------------------------- memory

#: The defaults of ``rnnviz task memory``: the task module's own.
_MEMORY = MemorySettings()

#: Most runs one ``--table`` makes (cells × lags × seeds).
MAX_TABLE_RUNS = 300

#: The lags and seeds of ``--table`` unless given: those of docs/memory-task.md.
TABLE_LAGS, TABLE_SEEDS = "5,10,20,30,40,60", "0-9"


def _add_memory_parser(tasks: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``rnnviz task memory`` and its options."""
    memory = tasks.add_parser(
        "memory",
        help="recall the first of L+1 random bits: plain RNN, LSTM and GRU (issue 15)",
        description=(
            "Train a 2-H-1 network (cell rnn, lstm or gru; sigmoid output, squared error at "
            "the last step only) to recall the first of L+1 random bits when a second input "
            f"says so at the last step; success is at least {SUCCESS_RATE:.0%} right on "
            f"{HELD_OUT} held-out sequences after the budget. --table runs every cell at "
            "every lag for every seed and prints the successes."
        ),
        epilog=(
            "exit status: 0 when the run recalls at least 95% (always 0 for --table); 1 when "
            "it does not (the results are printed all the same); 2 for bad input or training "
            "that diverges"
        ),
    )
    memory.add_argument("--cell", default=_MEMORY.cell, help="rnn, lstm or gru "
                        f"(default {_MEMORY.cell})")
    memory.add_argument("--lag", default=str(_MEMORY.lag),
                        help=f"steps between the bit and its recall, 1..{MAX_LAG} "
                        f"(default {_MEMORY.lag})")
    _add_size_options(memory, hidden=str(_MEMORY.hidden),
                      learning_rate=f"{_MEMORY.learning_rate:g}")
    memory.add_argument("--optimizer", default=_MEMORY.optimizer,
                        help=f"sgd or adam (default {_MEMORY.optimizer})")
    memory.add_argument("--sequences", default=str(_MEMORY.sequences),
                        help=f"the budget: most training sequences, 1..{MAX_SEQUENCES:,} "
                        f"(default {_MEMORY.sequences})")
    memory.add_argument("--init-scale", default=f"{_MEMORY.init_scale:g}",
                        help=f"initial weights uniform in [-s, s], 0..{MAX_MEMORY_INIT_SCALE:g} "
                        f"(default {_MEMORY.init_scale:g})")
    memory.add_argument("--table", action="store_true",
                        help="successes of every cell at every lag over several seeds")
    memory.add_argument("--cells", default=None,
                        help=f"with --table: cells (default {','.join(CELLS)})")
    memory.add_argument("--lags", default=None, help=f"with --table: lags (default {TABLE_LAGS})")
    memory.add_argument("--seeds", default=None, help="with --table: seeds, a list or a "
                        f"range like 0-4 (default {TABLE_SEEDS})")
    memory.set_defaults(task_runner=_run_memory)
    return memory


def _memory_settings(args: argparse.Namespace) -> MemorySettings:
    """The settings the options give (the cell and lag of a single run)."""
    return MemorySettings(
        cell=args.cell,
        lag=_int("--lag", args.lag, maximum=MAX_LAG),
        hidden=_int("--hidden", args.hidden, maximum=MAX_HIDDEN),
        learning_rate=_float("--lr", args.lr, maximum=MAX_LEARNING_RATE),
        optimizer=args.optimizer,
        sequences=_int("--sequences", args.sequences, maximum=MAX_SEQUENCES),
        seed=_int("--seed", args.seed, minimum=0),
        init_scale=_float("--init-scale", args.init_scale, positive=False,
                          maximum=MAX_MEMORY_INIT_SCALE),
    )


def _run_memory(args: argparse.Namespace) -> int:
    if not args.table:
        given = [name for name in ("cells", "lags", "seeds") if getattr(args, name) is not None]
        if given:
            raise InputError(f"--{given[0]} only applies with --table")
        result = _with_progress("memory", run_memory, _memory_settings(args))
        print(format_memory(result))
        return 0 if result.succeeded else 1
    cells = tuple(_list("--cells", args.cells or ",".join(CELLS)))
    lags = tuple(_int("--lags", text, maximum=MAX_LAG)
                 for text in _list("--lags", args.lags or TABLE_LAGS))
    seeds = _seeds(args.seeds or TABLE_SEEDS)
    runs = len(cells) * len(lags) * len(seeds)
    if runs > MAX_TABLE_RUNS:
        raise InputError(f"--table makes at most {MAX_TABLE_RUNS} runs (cells times lags times "
                         f"seeds), not {runs}")
    base = _memory_settings(args)
    for cell in cells:  # every cell checked before the first run
        MemorySettings(cell, max(lags), base.hidden, base.learning_rate, base.optimizer,
                       base.sequences, 0, base.init_scale)
    bar = ProgressBar("memory table")
    try:
        table = run_table(cells, lags, seeds, base, progress=bar)
    finally:
        bar.close()
    print(format_memory_table(table, cells, lags, seeds, base))
    return 0


def _list(option: str, text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise InputError(f"{option} must be a comma-separated list, not {text!r}")
    if len(set(items)) != len(items):
        raise InputError(f"{option} names something twice: {text!r}")
    return items


def _seeds(text: str) -> tuple[int, ...]:
    """``0-4`` or ``0,3,7`` as seeds."""
    if "," not in text and "-" in text.strip()[1:]:
        first, _, last = text.strip().partition("-")
        lo, hi = _int("--seeds", first, minimum=0), _int("--seeds", last, minimum=0)
        if hi < lo:
            raise InputError(f"--seeds range {text!r} ends before it starts")
        if hi - lo >= MAX_TABLE_RUNS:
            raise InputError(f"--seeds holds at most {MAX_TABLE_RUNS} seeds")
        return tuple(range(lo, hi + 1))
    return tuple(_int("--seeds", item, minimum=0) for item in _list("--seeds", text))


def _memory_setup(s: MemorySettings) -> str:
    every = ("after every sequence" if MEMORY_BATCH == 1
             else f"per {MEMORY_BATCH} sequences (gradients averaged)")
    return (f"full BPTT, {s.optimizer}, learning rate {s.learning_rate:g}, one update "
            f"{every}, gradient norm clipped to {CLIP_NORM:g}, weights in "
            f"[-{s.init_scale:g}, {s.init_scale:g}]")


def format_memory(result: MemoryResult) -> str:
    """The validation recall at every check, where training stopped, the held-out rate."""
    s = result.settings
    lines = [
        f"long memory, lag {s.lag}: recall the first of {s.lag + 1} random bits when the "
        "recall input is 1 (the last step)",
        f"network 2-{s.hidden}-1 {s.cell.upper()} (sigmoid output, squared error at the last "
        f"step only), {_memory_setup(s)}, seed {s.seed}",
        "",
        f"loss per sequence and validation recall ({VALIDATION} sequences) every "
        f"{CHECK_EVERY} sequences:",
        f"{'sequences':>10} {'loss':>8} {'recall':>7}",
    ]
    for done, loss, rate in result.checks:
        lines.append(f"{done:>10} {loss:8.4f} {100 * rate:6.1f}% {'#' * round(30 * rate)}")
    lines.append("")
    if result.sequences_used < s.sequences:
        lines.append(f"stopped after {result.sequences_used} of {s.sequences} sequences: "
                     f"validation recall reached {SUCCESS_RATE:.0%}")
    else:
        lines.append(f"trained on the whole budget of {s.sequences} sequences")
    verdict = "SUCCEEDED" if result.succeeded else "did NOT succeed"
    lines.append(
        f"held-out recall: {result.held_out_correct}/{HELD_OUT} "
        f"({100 * result.held_out_rate:.1f}%): {verdict} (success is at least "
        f"{SUCCESS_RATE:.0%}; chance is 50%)"
    )
    return "\n".join(lines)


def format_memory_table(table: dict[tuple[str, int], list[MemoryResult]],
                        cells: tuple[str, ...], lags: tuple[int, ...],
                        seeds: tuple[int, ...], base: MemorySettings) -> str:
    """Successes out of the seeds for every cell and lag, and the mean held-out recall."""
    seed_text = ",".join(str(seed) for seed in seeds)
    lines = [
        f"long memory: successes (held-out recall at least {SUCCESS_RATE:.0%} of {HELD_OUT}) "
        f"out of {len(seeds)} seeds ({seed_text})",
        f"network 2-{base.hidden}-1, {_memory_setup(base)}, at most {base.sequences} "
        "sequences a run",
        "",
        f"{'cell':<6}" + "".join(f"{f'lag {lag}':>14}" for lag in lags),
    ]
    for cell in cells:
        cells_text = []
        for lag in lags:
            results = table[(cell, lag)]
            wins = sum(r.succeeded for r in results)
            mean = 100 * sum(r.held_out_rate for r in results) / len(results)
            cells_text.append(f"{f'{wins}/{len(results)} ({mean:.0f}%)':>14}")
        lines.append(f"{cell:<6}" + "".join(cells_text))
    lines.append("")
    lines.append("each cell: successes/seeds (mean held-out recall)")
    return "\n".join(lines)
