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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.validation import finite_number, positive_int
from rnnviz.engine.errors import InputError
from rnnviz.tasks import Progress

#: Pairs set aside before training and used only to measure accuracy.
HELD_OUT_PAIRS = 200

#: Progress is reported this many times over a run, not once per example.
_PROGRESS_TICKS = 200


@dataclass(frozen=True, slots=True)
class AdditionSettings:
    """How to train on binary addition.

    Parameters
    ----------
    hidden
        Hidden units (default 16).
    learning_rate
        η (default 0.5).
    examples
        Training pairs, one update each (default 10 000).
    seed
        Seeds the weights, the held-out pairs and the training pairs.
    bits
        Width of the sum; operands have ``bits − 1`` bits (2 … 16, default 8).
    """

    hidden: int = 16
    learning_rate: float = 0.5
    examples: int = 10_000
    seed: int = 0
    bits: int = 8

    def __post_init__(self) -> None:
        positive_int("the number of hidden units", self.hidden)
        finite_number("the learning rate", self.learning_rate, positive=True)
        positive_int("the number of examples", self.examples)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"the seed must be a whole number >= 0, not {self.seed!r}")
        bits = positive_int("the number of bits", self.bits)
        if not 2 <= bits <= 16:
            raise InputError(f"the number of bits must be between 2 and 16, not {bits}")
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
    allowed = np.ones(side * side, dtype=bool)
    allowed[codes] = False
    train_codes = rng.choice(np.flatnonzero(allowed), size=settings.examples)
    as_pairs = lambda c: np.stack([c // side, c % side], axis=1)  # noqa: E731
    return as_pairs(codes), as_pairs(train_codes)


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
    """
    settings = settings or AdditionSettings()
    rng = np.random.default_rng(settings.seed)
    network = make_network(settings, rng)
    held_out, training = split_pairs(settings, rng)
    bits, n = settings.bits, settings.examples
    # All encodings at once: per-example numpy calls are what limits speed.
    inputs = np.stack([to_bits(training[:, 0], bits), to_bits(training[:, 1], bits)], axis=2)
    targets = to_bits(training.sum(axis=1), bits)[:, :, None]
    errors = np.empty(n)
    exact = np.empty(n, dtype=bool)
    every = max(1, n // _PROGRESS_TICKS)
    for i in range(n):
        report = network.train_sequence(
            inputs[i], targets[i], learning_rate=settings.learning_rate
        )
        out = report.outputs[:, 0]
        miss = np.abs(targets[i, :, 0] - out)
        errors[i] = miss.sum()
        exact[i] = bool((miss < 0.5).all())
        if progress is not None and ((i + 1) % every == 0 or i + 1 == n):
            progress(i + 1, n)
    return AdditionResult(
        settings=settings,
        errors=errors,
        exact=exact,
        held_out=held_out,
        held_out_sums=predict_sums(network, held_out, bits),
        network=network,
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
