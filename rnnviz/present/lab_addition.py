"""The addition preset's own panel, without Qt: the sum bit by bit, a flip probe, the carry units.

For the example on screen, :func:`addition_view` lays out the operands *a* and
*b*, the true sum and the network's sum, bit by bit in the order they are fed
(least-significant bit first), with each output's probability ŷ_t and the
wrong bits marked. :func:`flip_probe` flips one input bit of *a* or *b* and
runs the network forward again (nothing is learned, nothing in the run
changes): the outputs before the flipped step cannot change, and every later
one is shown beside the original. :func:`carry_tracking` correlates every
hidden unit's activation ``h_t`` with the carry out of step *t* over a fixed,
seeded set of :data:`CARRY_PAIRS` pairs and names the units that follow it
best.

Every number is the engine's: ``ElmanNetwork.forward`` on the run's network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.tasks.addition import encode_pair, to_bits
from rnnviz.tasks.lab_presets import AdditionExamples

__all__ = [
    "CARRY_PAIRS", "CARRY_SEED", "CARRY_TOP", "NOT_ADDITION", "OPERANDS", "AdditionView",
    "CarryTracking", "CarryUnit", "FlipProbe", "addition_view", "batch_hidden", "carry_bits",
    "carry_pairs", "carry_tracking", "flip_probe", "is_addition",
]

#: Pairs the carry correlation is measured over, and the seed that draws them.
CARRY_PAIRS: Final[int] = 256
CARRY_SEED: Final[int] = 0
#: How many of the best carry-tracking units are named.
CARRY_TOP: Final[int] = 3
#: The panel's one line for the other presets.
NOT_ADDITION: Final[str] = (
    "This panel is for binary addition: the sum bit by bit, a bit-flip probe and the units "
    "that track the carry. Choose Lab ▸ Binary addition."
)
#: The two operands a probe may flip, in the order of the input columns.
OPERANDS: Final[tuple[str, ...]] = ("a", "b")


@dataclass(frozen=True)
class AdditionView:
    """One pair ``a + b`` and the network's answer, bit by bit (index 0 = least significant).

    Attributes
    ----------
    a, b, true_sum, network_sum
        The numbers; the network's sum reads each ŷ_t ≥ ½ as a 1.
    a_bits, b_bits, sum_bits, network_bits
        Their bits as fed and produced, ints of shape (T,).
    probabilities
        ŷ_t, shape (T,).
    wrong
        Where the network's bit differs from the true sum's, shape (T,).
    """

    index: int
    a: int
    b: int
    true_sum: int
    network_sum: int
    a_bits: np.ndarray
    b_bits: np.ndarray
    sum_bits: np.ndarray
    network_bits: np.ndarray
    probabilities: np.ndarray
    wrong: np.ndarray

    @property
    def steps(self) -> int:
        return int(self.a_bits.shape[0])

    @property
    def correct(self) -> bool:
        return not bool(self.wrong.any())


@dataclass(frozen=True)
class FlipProbe:
    """The outputs after flipping input bit *step* of *operand*, beside the originals.

    Attributes
    ----------
    operand, step
        ``"a"`` or ``"b"`` and the step flipped (0 = least significant bit).
    a, b
        The operands after the flip.
    original, flipped
        ŷ_t before and after, shape (T,); equal before *step* (the past cannot change).
    change
        ``flipped − original``.
    flipped_bits
        The network's bits after the flip; ``bit_changed`` where they differ from before.
    network_sum
        The network's sum after the flip.
    """

    operand: str
    step: int
    a: int
    b: int
    original: np.ndarray
    flipped: np.ndarray
    change: np.ndarray
    flipped_bits: np.ndarray
    bit_changed: np.ndarray
    network_sum: int

    @property
    def true_sum(self) -> int:
        return self.a + self.b

    def summary(self) -> str:
        """One line for the status bar."""
        later = np.nan_to_num(np.abs(self.change[self.step:]), nan=-1.0)
        largest = int(np.argmax(later)) + self.step
        changed = int(self.bit_changed.sum())
        bits = "no output bit changes" if changed == 0 else \
            f"{changed} output bit{'s' if changed != 1 else ''} change{'s' if changed == 1 else ''}"
        return (f"Flipping bit {self.step + 1} of {self.operand}: {self.a} + {self.b} = {self.true_sum}, "
                f"the network says {self.network_sum}; {bits}; the largest change of ŷ is at bit "
                f"{largest + 1} ({self.change[largest]:+.3f})".replace("-", "−"))


@dataclass(frozen=True)
class CarryUnit:
    """A hidden unit (numbered from 1) and the correlation of its activation with the carry."""

    unit: int
    correlation: float


@dataclass(frozen=True)
class CarryTracking:
    """Pearson correlation of every unit's ``h_t`` with the carry out of step *t*.

    ``correlations`` has shape (H,); a unit whose activation does not vary over
    the pairs has correlation 0. ``top`` are the :data:`CARRY_TOP` units of
    largest |r|, best first.
    """

    correlations: np.ndarray
    top: tuple[CarryUnit, ...]
    pairs: int
    seed: int


def _output_bits(outputs: np.ndarray) -> np.ndarray:
    return (outputs[:, 0] >= 0.5).astype(np.int64)


def _number(bits: np.ndarray) -> int:
    return int((np.asarray(bits, dtype=np.int64) << np.arange(bits.shape[0])).sum())


def is_addition(network: ElmanNetwork, source: object) -> bool:
    """Whether *network* and *source* are the addition preset's kind (2 inputs, 1 output, pairs)."""
    return (isinstance(source, AdditionExamples) and network.n_inputs == 2
            and network.n_outputs == 1)


def addition_view(network: ElmanNetwork, source: AdditionExamples, index: int) -> AdditionView:
    """Pair *index* of *source* added by *network* (forward pass only)."""
    a, b = source.pair(index)
    inputs, targets, _ = source.example(index)
    with np.errstate(all="ignore"):  # typed weights may overflow: ŷ then reads nan, its bit 0
        outputs = network.forward(inputs).outputs
    probabilities = outputs[:, 0].copy()
    network_bits = _output_bits(outputs)
    sum_bits = targets[:, 0].astype(np.int64)
    return AdditionView(
        index=index, a=a, b=b, true_sum=a + b, network_sum=_number(network_bits),
        a_bits=inputs[:, 0].astype(np.int64), b_bits=inputs[:, 1].astype(np.int64),
        sum_bits=sum_bits, network_bits=network_bits, probabilities=probabilities,
        wrong=network_bits != sum_bits,
    )


def flip_probe(network: ElmanNetwork, view: AdditionView, operand: str, step: int) -> FlipProbe:
    """Flip bit *step* (0 = least significant) of *operand* in *view*'s pair and run forward again."""
    if operand not in OPERANDS:
        raise InputError(f"the probe flips a bit of a or b, not {operand!r}")
    if not 0 <= step < view.steps:
        raise InputError(f"the probe flips one of bits 1 to {view.steps}, not {step + 1}")
    mask = 1 << step
    a, b = (view.a ^ mask, view.b) if operand == "a" else (view.a, view.b ^ mask)
    inputs, _ = encode_pair(a, b, view.steps)
    with np.errstate(all="ignore"):
        flipped = network.forward(inputs).outputs[:, 0].copy()
        change = flipped - view.probabilities
    flipped_bits = (flipped >= 0.5).astype(np.int64)
    return FlipProbe(
        operand=operand, step=step, a=a, b=b, original=view.probabilities, flipped=flipped,
        change=change, flipped_bits=flipped_bits,
        bit_changed=flipped_bits != view.network_bits, network_sum=_number(flipped_bits),
    )


def carry_bits(a: np.ndarray, b: np.ndarray, bits: int) -> np.ndarray:
    """The carry out of every step of ``a + b`` (LSB first): shape ``a.shape + (bits,)``, 0/1 floats."""
    a = np.asarray(a, dtype=np.int64)[..., None]
    b = np.asarray(b, dtype=np.int64)[..., None]
    low = (1 << (np.arange(bits) + 1)) - 1  # the bits up to and including step t
    return (((a & low) + (b & low)) > low).astype(np.float64)


def carry_pairs(bits: int, pairs: int = CARRY_PAIRS, seed: int = CARRY_SEED) -> np.ndarray:
    """The fixed pairs ``(a, b)`` of operands of ``bits − 1`` bits the carry is measured over."""
    side = 1 << (bits - 1)
    return np.random.default_rng(seed).integers(0, side, size=(pairs, 2))


def batch_hidden(network: ElmanNetwork, pairs: np.ndarray, bits: int) -> np.ndarray:
    """``h_1 … h_T`` of every pair at once, shape (pairs, T, H): the forward pass's numbers, batched.

    The same sums as ``ElmanNetwork.forward`` pair by pair (tests check them to 1e-12),
    in one matrix product per step instead of one pass per pair.
    """
    x = np.stack([to_bits(pairs[:, 0], bits), to_bits(pairs[:, 1], bits)], axis=2)
    drive = x @ network.w_xh.T
    if network.biases:
        drive += network.b_h
    hidden = np.empty((pairs.shape[0], bits, network.n_hidden))
    h = np.broadcast_to(network.h0, (pairs.shape[0], network.n_hidden))
    for t in range(bits):
        h = hidden[:, t] = network.hidden_activation(drive[:, t] + h @ network.w_hh.T)
    return hidden


def carry_tracking(network: ElmanNetwork, bits: int, *, pairs: int = CARRY_PAIRS,
                   seed: int = CARRY_SEED) -> CarryTracking:
    """Correlate each hidden unit's ``h_t`` with the carry out of step *t* over seeded pairs."""
    chosen = carry_pairs(bits, pairs, seed)
    carries = carry_bits(chosen[:, 0], chosen[:, 1], bits).reshape(-1)
    with np.errstate(all="ignore"):  # a unit that does not vary (or overflows) has r = 0
        hidden = batch_hidden(network, chosen, bits).reshape(-1, network.n_hidden)
        centred = hidden - hidden.mean(axis=0)
        carry_centred = carries - carries.mean()
        spread = np.sqrt((centred ** 2).sum(axis=0) * (carry_centred ** 2).sum())
        correlations = np.where(spread > 0, (centred * carry_centred[:, None]).sum(axis=0) / spread, 0.0)
    correlations = np.clip(np.nan_to_num(correlations), -1.0, 1.0)
    order = np.argsort(-np.abs(correlations), kind="stable")[:CARRY_TOP]
    top = tuple(CarryUnit(int(i) + 1, float(correlations[i])) for i in order)
    return CarryTracking(correlations, top, pairs, seed)
