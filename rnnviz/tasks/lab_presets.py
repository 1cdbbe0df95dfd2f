"""The network lab's four presets: the source systems as :class:`~rnnviz.runs.lab.LabRun` runs.

Each preset builds its run from the same pieces as its headless task, so the
numbers agree wherever the two overlap (tests/test_lab_presets.py checks it):

``worked``
    Seed 003's three-step example (:mod:`rnnviz.tasks.worked_example`): a
    1-1-1 network, sigmoid hidden unit, linear output, no biases, squared
    error with c = 1, the values ``1, 0.5, −1, 2`` (each predicting the next)
    and the weights of ``rnnviz bptt``'s example (u = W_hy = 0.7, v = W_xh =
    1.2, w = W_hh = −0.4, s = h_0 = 0.3). The one example is repeated; its
    first update's gradient is :func:`~rnnviz.tasks.worked_example.worked_example`'s.
    Nothing in it is random, so the seed changes nothing. Another sequence
    can be typed (:meth:`~rnnviz.runs.lab.LabRun.set_example` with
    :func:`~rnnviz.tasks.worked_example.sequence_arrays`).
``addition``
    Seed 001's binary addition (:mod:`rnnviz.tasks.addition`): 2-16-1,
    sigmoid units, no biases, c = ½, weights uniform in [−1, 1], η = 0.5,
    8-bit sums fed least-significant bit first; update *t* learns the *t*-th
    training pair :func:`~rnnviz.tasks.addition.split_pairs` draws from the seed,
    so its parameters after *n* updates are ``run_addition``'s after *n* examples.
    Accuracy ("sums right"): 1 for an update whose sum had every bit right
    (``ŷ_t > 0.5`` read as 1) before it, else 0.
``hello``
    Seed 002's "hello" (:mod:`rnnviz.tasks.hello`): 4-3-4, tanh, softmax with
    cross-entropy, biases, weights uniform in [−0.1, 0.1], η = 0.1; every
    update reads "hell" and learns "ello", as one epoch of ``run_hello``.
    Accuracy ("next letters right"): the fraction of the four steps whose
    likeliest letter (the largest softmax output) is the next letter.
``vanishing``
    Seed 004's long sequence (:mod:`rnnviz.tasks.vanishing`): 64 steps of
    random inputs into 16 tanh units, a linear output, a loss at the last step
    only (target 1), W_hh a random orthogonal matrix × r (r = 1: every
    singular value 1), η = 0.01. The first update's ‖δ_t‖ are the task's
    curve for the same r. No accuracy: its one output is a number regressed
    towards 1, right or wrong only by a threshold the task does not have
    (the worked example, a regression too, has none either).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import whole_number
from rnnviz.runs.lab import LabRun, LabSettings, RepeatedExample
from rnnviz.runs.lab_scoring import Scoring, argmax_right, every_bit_right
from rnnviz.tasks.addition import (
    AdditionSettings, make_network, split_pairs, to_bits, training_pair_count,
)
from rnnviz.tasks.hello import VOCABULARY, WORD, HelloSettings, one_hot
from rnnviz.tasks.vanishing import VanishingSettings
from rnnviz.tasks.vanishing import make_network as vanishing_network
from rnnviz.tasks.worked_example import sequence_arrays

__all__ = ["PRESETS", "AdditionExamples", "Preset"]

#: The worked example's values and weights, those of ``rnnviz bptt``'s example.
WORKED_VALUES: Final[tuple[float, ...]] = (1.0, 0.5, -1.0, 2.0)
WORKED_WEIGHTS: Final[dict[str, float]] = {"w_xh": 1.2, "w_hh": -0.4, "w_hy": 0.7, "h0": 0.3}
WORKED_LEARNING_RATE: Final[float] = 0.1
WORKED_UPDATES: Final[int] = 1_000

#: Training pairs (one update each) of the addition preset.
ADDITION_UPDATES: Final[int] = 100_000

#: Updates (epochs over the word) of the hello preset.
HELLO_UPDATES: Final[int] = 1_000

#: The vanishing preset: steps, hidden units, r, the inputs' spread, η and updates.
VANISHING_STEPS: Final[int] = 64
VANISHING_HIDDEN: Final[int] = 16
VANISHING_SCALE: Final[float] = 1.0
VANISHING_INPUT_SCALE: Final[float] = 1.0
VANISHING_LEARNING_RATE: Final[float] = 0.01
VANISHING_UPDATES: Final[int] = 2_000


@dataclass(frozen=True)
class Preset:
    """One of the lab's starting points: a network, its examples and settings."""

    key: str
    title: str
    about: str
    build: Callable[[int], LabRun] = field(repr=False)

    def make_run(self, seed: int = 0) -> LabRun:
        """A fresh run of this preset; *seed* (a whole number ≥ 0) draws its weights and data."""
        return self.build(whole_number("the seed", seed, minimum=0))

    def replay(self, log: object, cursor: int, seed: int = 0) -> LabRun:
        """The run a saved :meth:`LabRun.log` describes, with this preset's examples for *seed*."""
        run = self.make_run(seed)
        return LabRun.replay(lambda: run.network, run.source, log, cursor)


# ------------------------------------------------------------------ worked example


def _worked(seed: int) -> LabRun:
    network = ElmanNetwork(1, 1, 1, hidden="sigmoid", output="linear", loss="squared",
                           squared_error_factor=1.0, biases=False)
    network.set_parameters({name: [value] for name, value in WORKED_WEIGHTS.items()})
    source = RepeatedExample(*sequence_arrays(WORKED_VALUES))
    return LabRun(network, source, LabSettings(WORKED_LEARNING_RATE), WORKED_UPDATES)


# ------------------------------------------------------------------ addition


class AdditionExamples:
    """The training pairs of :func:`~rnnviz.tasks.addition.run_addition`, one per update.

    Their bits are kept as bytes (3 per bit of a pair: a, b and the sum's),
    made into float64 rows only when an example is asked for: new C-ordered
    arrays of 0s and 1s, (bits, 2) and (bits, 1), no mask. That is what
    :attr:`checked` promises a :class:`~rnnviz.runs.lab.LabRun`, which then
    checks only the first example's numbers.
    """

    checked: Final[bool] = True

    #: An update's accuracy: 1 when every bit of the sum is right (ŷ_t > 0.5 ⇔ bit 1), else 0.
    scoring: Final[Scoring] = Scoring("sums right", every_bit_right)

    def __init__(self, pairs: np.ndarray, bits: int) -> None:
        self.pairs = np.asarray(pairs, dtype=np.int64)
        self.bits = self.steps = bits
        #: Updates in an epoch: pairs are drawn with replacement, so as many as there are to draw from.
        self.epoch = training_pair_count(bits)
        self._inputs = np.stack([to_bits(self.pairs[:, 0], bits), to_bits(self.pairs[:, 1], bits)],
                                axis=2).astype(np.uint8)
        self._targets = to_bits(self.pairs.sum(axis=1), bits)[:, :, None].astype(np.uint8)

    def __len__(self) -> int:
        return self.pairs.shape[0]

    def example(self, index: int) -> tuple[np.ndarray, np.ndarray, None]:
        return (self._inputs[index].astype(np.float64), self._targets[index].astype(np.float64),
                None)

    def pair(self, index: int) -> tuple[int, int]:
        """The numbers ``(a, b)`` update *index* adds."""
        a, b = self.pairs[index]
        return int(a), int(b)


def _addition(seed: int) -> LabRun:
    settings = AdditionSettings(examples=ADDITION_UPDATES, seed=seed)
    rng = np.random.default_rng(settings.seed)
    network = make_network(settings, rng)
    _, training = split_pairs(settings, rng)
    source = AdditionExamples(training, settings.bits)
    return LabRun(network, source, LabSettings(settings.learning_rate), ADDITION_UPDATES)


# ------------------------------------------------------------------ hello


def _hello(seed: int) -> LabRun:
    settings = HelloSettings(seed=seed, max_epochs=HELLO_UPDATES)
    size = len(VOCABULARY)
    network = ElmanNetwork(size, settings.hidden, size, hidden="tanh", output="softmax",
                           loss="cross_entropy", biases=True, init_scale=settings.init_scale,
                           seed=settings.seed)
    # An update's accuracy: the fraction of the 4 steps whose likeliest letter is the next one.
    source = RepeatedExample(one_hot(WORD[:-1]), one_hot(WORD[1:]),
                             scoring=Scoring("next letters right", argmax_right))
    return LabRun(network, source, LabSettings(settings.learning_rate), HELLO_UPDATES)


# ------------------------------------------------------------------ vanishing


def vanishing_settings(seed: int) -> VanishingSettings:
    """The vanishing task's settings the preset shares (r is :data:`VANISHING_SCALE`)."""
    return VanishingSettings(steps=VANISHING_STEPS, hidden=VANISHING_HIDDEN, small=VANISHING_SCALE,
                             input_scale=VANISHING_INPUT_SCALE, seed=seed)


def _vanishing(seed: int) -> LabRun:
    settings = vanishing_settings(seed)
    network = vanishing_network(settings, VANISHING_SCALE)
    # The inputs, target and mask of run_vanishing, drawn the same way.
    rng = np.random.default_rng([settings.seed, 1])
    inputs = settings.input_scale * rng.normal(size=(settings.steps, 1))
    targets = np.zeros((settings.steps, 1))
    targets[-1] = 1.0
    only_last = np.zeros(settings.steps, dtype=bool)
    only_last[-1] = True
    source = RepeatedExample(inputs, targets, only_last)
    return LabRun(network, source, LabSettings(VANISHING_LEARNING_RATE), VANISHING_UPDATES)


PRESETS: Final[dict[str, Preset]] = {
    preset.key: preset
    for preset in (
        Preset("worked", "Worked example",
               "Seed 003's three steps by hand: 1-1-1, sigmoid hidden, linear output, "
               "E = Σ (x_{t+1} − ŷ_t)², the weights of rnnviz bptt's example.", _worked),
        Preset("addition", "Binary addition",
               "Seed 001: a 2-16-1 network adds two 7-bit numbers fed least-significant bit "
               "first; the carry is what it must remember.", _addition),
        Preset("hello", "hello",
               "Seed 002: 4-3-4 tanh with softmax reads h, e, l, l and predicts e, l, l, o; "
               "the two l's need the hidden state.", _hello),
        Preset("vanishing", "Vanishing & exploding",
               "Seed 004: 64 steps into 16 tanh units, a loss at the last step only; scale W_hh "
               "and watch ‖δ_t‖ fade or grow on the way back.", _vanishing),
    )
}


def preset(key: object) -> Preset:
    """The preset named *key*, or :class:`InputError` listing them."""
    if key not in PRESETS:
        raise InputError(f"unknown lab preset {key!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[key]  # type: ignore[index]
