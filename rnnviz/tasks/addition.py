"""Binary addition learned by an Elman network (seed 001).

Two numbers ``a`` and ``b`` are fed bit by bit, least-significant bit first:
step *t* gets the input ``(a_t, b_t)`` and must output bit *t* of ``a + b``.
The carry is the thing to remember from one step to the next, which is why a
recurrent network can do it and a network that sees one column at a time
cannot. With ``bits`` = 8 the operands are 0 … 127, so the sum always fits.

Training is full-sequence BPTT, one update per example (one pair), squared
error with c = ½, sigmoid hidden and output units, no biases, weights drawn
uniform in [−1, 1] — the set-up of seed 001. Learning is measured as the error
per example (Σ over bits of |target − output|, the seed's measure) and as the
share of exactly right sums on pairs held out of training.

Limits: at most :data:`~rnnviz.tasks.MAX_HIDDEN` (1024) hidden units, a
learning rate up to :data:`~rnnviz.tasks.MAX_LEARNING_RATE` (100), at most
:data:`MAX_EXAMPLES` (1 000 000) examples — and at most
:data:`~rnnviz.tasks.MAX_TRAINING_WORK` (5·10¹⁰) for examples × hidden units²,
so 47 683 examples with 1024 hidden units — and 2 … 16 bits. The training pairs
are encoded in batches, so memory does not grow with the number of examples
beyond a few numbers per example.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import bounded_number, whole_number
from rnnviz.tasks import MAX_HIDDEN, MAX_LEARNING_RATE, Progress, check_training_work

#: Pairs set aside before training and used only to measure accuracy.
HELD_OUT_PAIRS = 200

#: Most training examples (pairs) in one run.
MAX_EXAMPLES = 1_000_000

#: Fewest and most bits of the sum.
MIN_BITS, MAX_BITS = 2, 16

#: Progress is reported this many times over a run, not once per example.
_PROGRESS_TICKS = 200

#: Training pairs are turned into bit arrays this many at a time.
_BATCH = 4096


@dataclass(frozen=True, slots=True)
class AdditionSettings:
    """How to train on binary addition.

    Parameters
    ----------
    hidden
        Hidden units, 1 … 1024 (default 16).
    learning_rate
        η, above 0 and at most 100 (default 0.5).
    examples
        Training pairs, one update each, 1 … 1 000 000 (default 10 000); with
        many hidden units fewer, see :data:`~rnnviz.tasks.MAX_TRAINING_WORK`.
    seed
        Seeds the weights, the held-out pairs and the training pairs (≥ 0).
    bits
        Width of the sum; operands have ``bits − 1`` bits (2 … 16, default 8).
    """

    hidden: int = 16
    learning_rate: float = 0.5
    examples: int = 10_000
    seed: int = 0
    bits: int = 8

    def __post_init__(self) -> None:
        whole_number("the number of hidden units", self.hidden, maximum=MAX_HIDDEN)
        bounded_number("the learning rate", self.learning_rate, MAX_LEARNING_RATE, positive=True)
        whole_number("the number of examples", self.examples, maximum=MAX_EXAMPLES)
        check_training_work(self.examples, self.hidden, "examples")
        whole_number("the seed", self.seed, minimum=0)
        bits = whole_number("the number of bits", self.bits)
        if not MIN_BITS <= bits <= MAX_BITS:
            raise InputError(
                f"the number of bits must be between {MIN_BITS} and {MAX_BITS}, not {bits}"
            )
        if 4 ** (bits - 1) <= HELD_OUT_PAIRS:
            raise InputError(
                f"with {bits} bits there are too few pairs to hold {HELD_OUT_PAIRS} out"
            )


@dataclass(frozen=True, slots=True)
class AdditionResult:
    """What training on addition produced.

    Attributes
    ----------
    settings
        The settings used.
    errors
        Error per training example, Σ_bits |target − output|, measured before
        that example's update; shape (examples,).
    exact
        Whether each training example's rounded output was the exact sum,
        before its update; shape (examples,).
    held_out
        The held-out pairs ``(a, b)``, shape (200, 2).
    held_out_sums
        The network's rounded answers for them after training, shape (200,).
    network
        The trained network.
    """

    settings: AdditionSettings
    errors: np.ndarray
    exact: np.ndarray
    held_out: np.ndarray
    held_out_sums: np.ndarray
    network: ElmanNetwork

    @property
    def held_out_correct(self) -> int:
        """How many held-out pairs were summed exactly."""
        return int(np.count_nonzero(self.held_out_sums == self.held_out.sum(axis=1)))

    @property
    def held_out_accuracy(self) -> float:
        """Share of held-out pairs summed exactly (0 … 1)."""
        return self.held_out_correct / self.held_out.shape[0]


def to_bits(numbers: np.ndarray, bits: int) -> np.ndarray:
    """Binary digits of whole numbers, least-significant first.

    Parameters
    ----------
    numbers
        Non-negative integers, any shape.
    bits
        How many digits to keep.

    Returns
    -------
    numpy.ndarray
        float64 zeros and ones of shape ``numbers.shape + (bits,)``.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    return ((numbers[..., None] >> np.arange(bits)) & 1).astype(np.float64)


def from_bits(bits: np.ndarray) -> np.ndarray:
    """Whole numbers from digits (least-significant first), rounding each at ½."""
    digits = (np.asarray(bits) >= 0.5).astype(np.int64)
    return (digits << np.arange(digits.shape[-1])).sum(axis=-1)


def encode_pair(a: int, b: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (bits, 2) and targets (bits, 1) for the sum ``a + b``."""
    inputs = np.stack([to_bits(a, bits), to_bits(b, bits)], axis=1)
    return inputs, to_bits(a + b, bits).reshape(-1, 1)


def make_network(settings: AdditionSettings, rng: np.random.Generator) -> ElmanNetwork:
    """The 2-H-1 network of seed 001: sigmoid units, no biases, weights in [−1, 1]."""
    return ElmanNetwork(
        2,
        settings.hidden,
        1,
        hidden="sigmoid",
        output="sigmoid",
        loss="squared",
        biases=False,
        init_scale=1.0,
        seed=rng,
    )


def training_pair_count(bits: int) -> int:
    """How many pairs training draws from: every pair of (bits − 1)-bit numbers but the held-out ones."""
    side = 1 << (bits - 1)
    return side * side - HELD_OUT_PAIRS


def split_pairs(
    settings: AdditionSettings, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Held-out pairs and training pairs, never overlapping.

    Returns
    -------
    held_out : numpy.ndarray
        ``HELD_OUT_PAIRS`` distinct pairs, shape (200, 2).
    training : numpy.ndarray
        ``settings.examples`` pairs drawn with replacement from the rest, shape (examples, 2).
    """
    side = 1 << (settings.bits - 1)
    codes = rng.choice(side * side, size=HELD_OUT_PAIRS, replace=False)
    # Draw the position among the allowed codes and step over the held-out
    # ones, instead of listing all side² codes (2³⁰ of them for 16 bits).
    # The same draws as rng.choice(allowed codes), in far less memory.
    index = rng.integers(0, training_pair_count(settings.bits), size=settings.examples)
    skipped = np.sort(codes) - np.arange(HELD_OUT_PAIRS)
    train_codes = index + np.searchsorted(skipped, index, side="right")
    as_pairs = lambda c: np.stack([c // side, c % side], axis=1)  # noqa: E731
    return as_pairs(codes), as_pairs(train_codes)


def encode_pairs(pairs: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, bits, 2) and targets (n, bits, 1) for many pairs at once."""
    inputs = np.stack([to_bits(pairs[:, 0], bits), to_bits(pairs[:, 1], bits)], axis=2)
    return inputs, to_bits(pairs.sum(axis=1), bits)[:, :, None]


def predict_sums(network: ElmanNetwork, pairs: np.ndarray, bits: int) -> np.ndarray:
    """The network's rounded answer for every pair (no learning)."""
    out = np.empty(pairs.shape[0], dtype=np.int64)
    a_bits, b_bits = to_bits(pairs[:, 0], bits), to_bits(pairs[:, 1], bits)
    for i in range(pairs.shape[0]):
        forward = network.forward(np.stack([a_bits[i], b_bits[i]], axis=1))
        out[i] = from_bits(forward.outputs[:, 0])
    return out


def run_addition(
    settings: AdditionSettings | None = None, progress: Progress | None = None
) -> AdditionResult:
    """Train on random pairs, then test on the held-out pairs.

    Parameters
    ----------
    settings
        Default :class:`AdditionSettings`.
    progress
        Optional ``progress(done, total)`` callback, called about 200 times.

    Returns
    -------
    AdditionResult

    Raises
    ------
    InputError
        If training diverges (the error stops being a finite number).
    """
    settings = settings or AdditionSettings()
    rng = np.random.default_rng(settings.seed)
    network = make_network(settings, rng)
    held_out, training = split_pairs(settings, rng)
    bits, n = settings.bits, settings.examples
    errors = np.empty(n)
    exact = np.empty(n, dtype=bool)
    every = max(1, n // _PROGRESS_TICKS)
    # Overflow is caught below as a non-finite error, reported in one line
    # instead of a trail of numpy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for lo in range(0, n, _BATCH):
            # Encoded a batch at a time: per-example numpy calls are what
            # limits speed, encoding everything at once what limits memory.
            inputs, targets = encode_pairs(training[lo : lo + _BATCH], bits)
            for j in range(inputs.shape[0]):
                i = lo + j
                report = network.train_sequence(
                    inputs[j], targets[j], learning_rate=settings.learning_rate
                )
                miss = np.abs(targets[j, :, 0] - report.outputs[:, 0])
                errors[i] = error = float(miss.sum())
                if not math.isfinite(error):
                    raise _diverged(i + 1)
                exact[i] = bool((miss < 0.5).all())
                if progress is not None and ((i + 1) % every == 0 or i + 1 == n):
                    progress(i + 1, n)
        if not all(np.isfinite(w).all() for w in network.parameters().values()):
            raise _diverged(n)
    return AdditionResult(
        settings=settings,
        errors=errors,
        exact=exact,
        held_out=held_out,
        held_out_sums=predict_sums(network, held_out, bits),
        network=network,
    )


def _diverged(example: int) -> InputError:
    return InputError(
        f"training diverged at example {example}: the error is no longer a finite "
        "number; choose a smaller learning rate"
    )


def curve_summary(values: np.ndarray, buckets: int = 10) -> list[tuple[int, int, float]]:
    """Mean of *values* over consecutive stretches: ``(first, last, mean)`` (1-based).

    Parameters
    ----------
    values
        A training curve, one value per example.
    buckets
        How many stretches (fewer when there are fewer values).
    """
    n = len(values)
    buckets = max(1, min(buckets, n))
    edges = np.linspace(0, n, buckets + 1).round().astype(int)
    return [
        (int(lo) + 1, int(hi), float(np.mean(values[lo:hi])))
        for lo, hi in zip(edges[:-1], edges[1:])
    ]
