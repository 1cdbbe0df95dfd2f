"""A character-level model of the word "hello" (seed 002).

The vocabulary is the four letters h, e, l, o, each fed as a one-hot vector.
The inputs are h, e, l, l and the targets the next letters e, l, l, o. The
two l's are the point: after the first one the answer is l, after the second
it is o, so the network must use its hidden state to tell them apart.

The network has 3 tanh hidden units and a softmax output over the 4 letters,
with the cross-entropy loss; it learns by full-sequence BPTT, one update per
pass over the word (an *epoch*), until the most probable letter at every step
is the right one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.validation import finite_number, positive_int
from rnnviz.engine.errors import InputError
from rnnviz.tasks import Progress

#: The vocabulary, in the order of the one-hot positions.
VOCABULARY = "helo"

#: The training word.
WORD = "hello"


@dataclass(frozen=True, slots=True)
class HelloSettings:
    """How to train on "hello".

    Parameters
    ----------
    hidden
        Hidden units (default 3, as in seed 002).
    learning_rate
        η (default 0.1).
    max_epochs
        Give up after this many passes over the word (default 1000).
    seed
        Seeds the initial weights.
    init_scale
        Weights start uniform in ``[−init_scale, init_scale]`` (default 0.1:
        small, so that the learning is visible over a few dozen epochs).
    """

    hidden: int = 3
    learning_rate: float = 0.1
    max_epochs: int = 1000
    seed: int = 0
    init_scale: float = 0.1

    def __post_init__(self) -> None:
        positive_int("the number of hidden units", self.hidden)
        finite_number("the learning rate", self.learning_rate, positive=True)
        positive_int("the maximum number of epochs", self.max_epochs)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"the seed must be a whole number >= 0, not {self.seed!r}")
        if finite_number("the initial weight scale", self.init_scale) < 0:
            raise InputError("the initial weight scale must not be negative")


@dataclass(frozen=True, slots=True)
class HelloResult:
    """What training on "hello" produced.

    Attributes
    ----------
    settings
        The settings used.
    reached
        Whether the predictions read e, l, l, o before ``max_epochs``.
    epochs
        Epochs trained (updates made).
    losses
        Cross-entropy of the word before each epoch's update, shape (epochs,).
    probabilities
        After training: row *t* is the distribution over :data:`VOCABULARY`
        after reading input letter *t*; shape (4, 4).
    network
        The trained network.
    """

    settings: HelloSettings
    reached: bool
    epochs: int
    losses: np.ndarray
    probabilities: np.ndarray
    network: ElmanNetwork

    @property
    def inputs(self) -> str:
        """The letters read, "hell"."""
        return WORD[:-1]

    @property
    def targets(self) -> str:
        """The letters to predict, "ello"."""
        return WORD[1:]

    @property
    def predictions(self) -> str:
        """The most probable letter after each input."""
        return "".join(VOCABULARY[i] for i in self.probabilities.argmax(axis=1))


def one_hot(text: str) -> np.ndarray:
    """Rows of the 4×4 identity for the letters of *text* (each in :data:`VOCABULARY`)."""
    return np.eye(len(VOCABULARY))[[VOCABULARY.index(c) for c in text]]


def run_hello(
    settings: HelloSettings | None = None, progress: Progress | None = None
) -> HelloResult:
    """Train until the argmax predictions for h, e, l, l read e, l, l, o.

    Parameters
    ----------
    settings
        Default :class:`HelloSettings`.
    progress
        Optional ``progress(epochs done, max_epochs)`` callback.

    Returns
    -------
    HelloResult
    """
    settings = settings or HelloSettings()
    size = len(VOCABULARY)
    network = ElmanNetwork(
        size,
        settings.hidden,
        size,
        hidden="tanh",
        output="softmax",
        loss="cross_entropy",
        biases=True,
        init_scale=settings.init_scale,
        seed=settings.seed,
    )
    inputs, targets = one_hot(WORD[:-1]), one_hot(WORD[1:])
    wanted = targets.argmax(axis=1)
    losses: list[float] = []
    probabilities = network.forward(inputs).outputs
    reached = bool((probabilities.argmax(axis=1) == wanted).all())
    while not reached and len(losses) < settings.max_epochs:
        report = network.train_sequence(inputs, targets, learning_rate=settings.learning_rate)
        losses.append(report.loss)
        probabilities = network.forward(inputs).outputs
        reached = bool((probabilities.argmax(axis=1) == wanted).all())
        if progress is not None:
            progress(len(losses), settings.max_epochs)
    return HelloResult(
        settings=settings,
        reached=reached,
        epochs=len(losses),
        losses=np.array(losses),
        probabilities=probabilities,
        network=network,
    )
