"""A character-level model of the word "hello" (seed 002).

The vocabulary is the four letters h, e, l, o, each fed as a one-hot vector.
The inputs are h, e, l, l and the targets the next letters e, l, l, o. The
two l's are the point: after the first one the answer is l, after the second
it is o, so the network must use its hidden state to tell them apart.

The network has 3 tanh hidden units and a softmax output over the 4 letters,
with the cross-entropy loss; it learns by full-sequence BPTT, one update per
pass over the word (an *epoch*), until the most probable letter at every step
is the right one.

Limits: at most :data:`~rnnviz.tasks.MAX_HIDDEN` (1024) hidden units, a
learning rate up to :data:`~rnnviz.tasks.MAX_LEARNING_RATE` (100), at most
:data:`MAX_EPOCHS` (100 000) epochs — and at most
:data:`~rnnviz.tasks.MAX_TRAINING_WORK` (5·10¹⁰) for epochs × hidden units² —
and an initial weight scale up to
:data:`MAX_HELLO_INIT_SCALE` (10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import bounded_number, whole_number
from rnnviz.tasks import MAX_HIDDEN, MAX_LEARNING_RATE, Progress, check_training_work

#: The vocabulary, in the order of the one-hot positions.
VOCABULARY = "helo"

#: The training word.
WORD = "hello"

#: Most epochs (passes over the word) in one run.
MAX_EPOCHS = 100_000

#: Largest ``--init-scale`` of this task: weights of 10 already saturate every tanh
#: unit. (Any Elman network accepts up to :data:`rnnviz.engine.elman.MAX_INIT_SCALE`.)
MAX_HELLO_INIT_SCALE = 10.0

#: Progress is reported at most about this many times over a run.
_PROGRESS_TICKS = 200


@dataclass(frozen=True, slots=True)
class HelloSettings:
    """How to train on "hello".

    Parameters
    ----------
    hidden
        Hidden units, 1 … 1024 (default 3, as in seed 002).
    learning_rate
        η, above 0 and at most 100 (default 0.1).
    max_epochs
        Give up after this many passes over the word, 1 … 100 000 (default
        1000); with many hidden units fewer, see
        :data:`~rnnviz.tasks.MAX_TRAINING_WORK`.
    seed
        Seeds the initial weights (≥ 0).
    init_scale
        Weights start uniform in ``[−init_scale, init_scale]``, 0 … 10 (default
        0.1: small, so that the learning is visible over a few dozen epochs).
    """

    hidden: int = 3
    learning_rate: float = 0.1
    max_epochs: int = 1000
    seed: int = 0
    init_scale: float = 0.1

    def __post_init__(self) -> None:
        whole_number("the number of hidden units", self.hidden, maximum=MAX_HIDDEN)
        bounded_number("the learning rate", self.learning_rate, MAX_LEARNING_RATE, positive=True)
        whole_number("the maximum number of epochs", self.max_epochs, maximum=MAX_EPOCHS)
        check_training_work(self.max_epochs, self.hidden, "epochs")
        whole_number("the seed", self.seed, minimum=0)
        bounded_number("the initial weight scale", self.init_scale, MAX_HELLO_INIT_SCALE)


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
    final_loss
        Cross-entropy of the word after training: the loss of
        :attr:`probabilities`, ``−Σ_t log p_t(target_t)``.
    network
        The trained network.
    """

    settings: HelloSettings
    reached: bool
    epochs: int
    losses: np.ndarray
    probabilities: np.ndarray
    final_loss: float
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
        Optional ``progress(epochs done, max_epochs)`` callback, called about
        200 times at most.

    Returns
    -------
    HelloResult

    Raises
    ------
    InputError
        If training diverges (the loss stops being a finite number).
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
    total = settings.max_epochs
    every = max(1, total // _PROGRESS_TICKS)
    # Overflow shows up below as a non-finite loss and is reported in one
    # line, instead of a trail of numpy warnings and a table of NaN.
    with np.errstate(over="ignore", invalid="ignore"):
        forward = network.forward(inputs)
        reached = bool((forward.outputs.argmax(axis=1) == wanted).all())
        while not reached and len(losses) < total:
            report = network.train_sequence(
                inputs, targets, learning_rate=settings.learning_rate
            )
            losses.append(report.loss)
            forward = network.forward(inputs)
            if not (math.isfinite(report.loss) and np.isfinite(forward.pre_outputs).all()):
                raise InputError(
                    f"training diverged at epoch {len(losses)}: the loss is no longer a "
                    "finite number; choose a smaller learning rate"
                )
            reached = bool((forward.outputs.argmax(axis=1) == wanted).all())
            done = len(losses)
            if progress is not None and (done % every == 0 or reached or done == total):
                progress(done, total)
        final_loss = float(network.step_losses(forward, targets).sum())
    return HelloResult(
        settings=settings,
        reached=reached,
        epochs=len(losses),
        losses=np.array(losses),
        probabilities=forward.outputs,
        final_loss=final_loss,
        network=network,
    )
