"""The hello preset's own panel, without Qt: softmax bars per step and free-running generation.

:func:`hello_view` gives, for every step of the example, the softmax over the
vocabulary h, e, l, o (:data:`~rnnviz.tasks.hello.VOCABULARY`, in that order)
with the true previous letter as input (*teacher forcing*), the target
letter and the most probable one. :func:`generate` lets the network run on
its own: it starts from "h", and at every step feeds back the letter it
sampled from ``softmax(z_t / T)`` (temperature T) with a seeded generator,
beside the greedy text (T → 0: always the most probable letter).

Every distribution is the engine's: ``ElmanNetwork.forward`` on the run's
network, one step at a time with the hidden state carried on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import finite_number, whole_number
from rnnviz.tasks.hello import VOCABULARY, one_hot

__all__ = [
    "GENERATED_LENGTH", "MAX_TEMPERATURE", "MIN_TEMPERATURE", "NOT_HELLO", "START", "Generation",
    "HelloView", "generate", "hello_view", "is_hello", "tempered",
]

#: The temperature's range (the panel's control).
MIN_TEMPERATURE: Final[float] = 0.1
MAX_TEMPERATURE: Final[float] = 5.0
#: Characters of generated text, the starting letter included.
GENERATED_LENGTH: Final[int] = 8
#: The letter generation starts from.
START: Final[str] = "h"
#: The panel's one line for the other presets.
NOT_HELLO: Final[str] = (
    "This panel is for hello: the softmax over h, e, l, o at every step and text the network "
    "writes on its own. Choose Lab ▸ hello."
)


@dataclass(frozen=True)
class HelloView:
    """The example read with teacher forcing.

    Attributes
    ----------
    inputs, targets, predicted
        One letter per step: what was fed, what should come next, the most probable.
    probabilities
        The softmax ŷ_t over :attr:`vocabulary`, shape (T, 4).
    losses
        ``−log ŷ_t(target)`` per step, shape (T,).
    """

    vocabulary: str
    inputs: str
    targets: str
    predicted: str
    probabilities: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.inputs)

    @property
    def target_probabilities(self) -> np.ndarray:
        return self.probabilities[np.arange(self.steps), [self.vocabulary.index(c) for c in self.targets]]

    @property
    def losses(self) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return -np.log(self.target_probabilities)


@dataclass(frozen=True)
class Generation:
    """Text the network writes on its own from :data:`START`.

    ``sampled`` is drawn with ``temperature`` and ``seed``; ``greedy`` takes the
    most probable letter at every step. ``sampled_probabilities[t]`` is the
    tempered distribution the (t+1)-th letter of ``sampled`` was drawn from.
    """

    temperature: float
    seed: int
    sampled: str
    greedy: str
    sampled_probabilities: np.ndarray


def is_hello(network: ElmanNetwork) -> bool:
    """Whether *network* reads and writes the hello vocabulary through a softmax."""
    size = len(VOCABULARY)
    return network.n_inputs == size and network.n_outputs == size and network.output == "softmax"


def _letters(rows: np.ndarray) -> str:
    return "".join(VOCABULARY[_most_probable(row)] for row in np.asarray(rows, dtype=np.float64))


def hello_view(network: ElmanNetwork, inputs: np.ndarray, targets: np.ndarray) -> HelloView:
    """The softmax at every step of *inputs* (one-hot rows), fed the true letters."""
    with np.errstate(all="ignore"):  # typed weights may overflow: the bars then show nan
        probabilities = network.forward(inputs).outputs.copy()
    return HelloView(VOCABULARY, _letters(inputs), _letters(targets), _letters(probabilities),
                     probabilities)


def tempered(z: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(z / T)``, computed without overflow.

    Typed weights can make z infinite or NaN: the letters at +∞ then share
    all the probability, a NaN counts as −∞, and if nothing is left the
    distribution is uniform, so a letter can always be drawn.
    """
    with np.errstate(all="ignore"):
        scaled = np.asarray(z, dtype=np.float64) / temperature
        scaled = np.where(np.isnan(scaled), -np.inf, scaled)
        if np.isposinf(scaled).any():
            weights = np.isposinf(scaled).astype(np.float64)
        elif np.isneginf(scaled).all():
            weights = np.ones_like(scaled)
        else:
            weights = np.exp(scaled - scaled.max())
        return weights / weights.sum()


def _most_probable(z: np.ndarray) -> int:
    return int(np.argmax(np.where(np.isnan(z), -np.inf, z)))


def _run_on(network: ElmanNetwork, length: int, choose) -> tuple[str, list[np.ndarray]]:
    text, h, shown = START, None, []
    while len(text) < length:
        forward = network.forward(one_hot(text[-1]), h)
        h = forward.final_hidden
        index, distribution = choose(forward.pre_outputs[0])
        shown.append(distribution)
        text += VOCABULARY[index]
    return text, shown


def generate(network: ElmanNetwork, *, temperature: float = 1.0, seed: int = 0,
             length: int = GENERATED_LENGTH) -> Generation:
    """Free-running text from :data:`START`: each sampled letter is the next input."""
    temperature = finite_number("the temperature", temperature, positive=True)
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise InputError(f"the temperature must be between {MIN_TEMPERATURE:g} and "
                         f"{MAX_TEMPERATURE:g}, not {temperature:g}")
    seed = whole_number("the seed", seed, minimum=0)
    length = whole_number("the length", length, minimum=1)
    rng = np.random.default_rng(seed)

    def sample(z: np.ndarray) -> tuple[int, np.ndarray]:
        p = tempered(z, temperature)
        return int(rng.choice(p.shape[0], p=p)), p

    def greedy(z: np.ndarray) -> tuple[int, np.ndarray]:
        return _most_probable(z), z

    with np.errstate(all="ignore"):
        sampled, shown = _run_on(network, length, sample)
        best, _ = _run_on(network, length, greedy)
    return Generation(temperature, seed, sampled, best,
                      np.array(shown).reshape(-1, len(VOCABULARY)))
