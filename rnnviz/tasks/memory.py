"""The long-memory task ``memory(L)``: remember the first bit over L steps (issue 15).

A sequence holds L + 1 random bits, one a step, on input channel 0; channel 1
is 1 on the last step only ("recall now"). The target, given only at the last
step (the loss is masked elsewhere), is the **first** bit. Chance is 50 %;
success is at least 95 % right on :data:`HELD_OUT` (200) held-out sequences.

Every cell — ``rnn`` (the Elman network, tanh hidden), ``lstm``, ``gru`` —
gets the same set-up: N = 2 inputs, H hidden units, one sigmoid output with
squared error (c = ½), full BPTT, weights uniform in ``[−s, s]``, biases at 0
(the LSTM's forget bias at 1), the gradient of :data:`BATCH` sequence(s)
averaged, clipped to global norm :data:`CLIP_NORM`, then one step of the
optimiser (SGD or Adam, :mod:`rnnviz.engine.optim`).

The default s = 2 is what makes the lecture's point visible. With such weights
the plain RNN is chaotic: at the start the error signal that reaches the first
bit is hundreds of times the one at the last step (it explodes on its way
back, seed 004's other failure; :func:`first_bit_reach`), and within the
budget it rarely learns to keep the bit. The gates keep the LSTM's and the
GRU's flows far nearer 1, and they learn. With smaller weights the plain RNN
does nearly as well (s = 1) or better (s = 1/√H, where the gated cells do not
learn lag 30 within the budget at all): one tanh unit can latch the first bit.
docs/memory-task.md has the numbers.

Every :data:`CHECK_EVERY` sequences the network is tried on :data:`VALIDATION`
validation sequences; training stops early once they are 95 % right, else when
the budget of sequences is spent. The held-out sequences are tried once, at
the end: that rate is the result. Training, validation and held-out sequences
come from three separate generators seeded from the seed, so a run is the same
on every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.cells import CELLS, make_network
from rnnviz.engine.clipping import Clipping
from rnnviz.engine.errors import InputError
from rnnviz.engine.optim import OPTIMIZERS, make_optimizer
from rnnviz.engine.validation import bounded_number, choice, whole_number
from rnnviz.tasks import MAX_HIDDEN, MAX_LEARNING_RATE, Progress, check_training_work

#: Held-out sequences the result is measured on, and the share that is success.
HELD_OUT: Final[int] = 200
SUCCESS_RATE: Final[float] = 0.95

#: Validation sequences, tried every :data:`CHECK_EVERY` training sequences.
VALIDATION: Final[int] = 200
CHECK_EVERY: Final[int] = 512

#: Sequences per update (their gradients averaged) and the global-norm clip.
BATCH: Final[int] = 1
CLIP_NORM: Final[float] = 1.0

#: Longest lag, most training sequences, largest initial weight scale.
MAX_LAG: Final[int] = 1000
MAX_SEQUENCES: Final[int] = 1_000_000
MAX_MEMORY_INIT_SCALE: Final[float] = 10.0


@dataclass(frozen=True, slots=True)
class MemorySettings:
    """How to train on ``memory(L)``; every value is checked when made.

    Parameters
    ----------
    cell
        ``rnn``, ``lstm`` or ``gru``.
    lag
        L, the steps between the bit and its recall, 1 … 1000.
    hidden
        Hidden units, 1 … 1024.
    learning_rate
        η, above 0, at most 100.
    optimizer
        ``sgd`` or ``adam``.
    sequences
        The budget: most training sequences, 1 … 1 000 000.
    seed
        Seeds the weights and every sequence (≥ 0).
    init_scale
        Weights start uniform in ``[−s, s]``, 0 … 10 (default 2, see the module docstring).
    """

    cell: str = "lstm"
    lag: int = 30
    hidden: int = 16
    learning_rate: float = 0.003
    optimizer: str = "adam"
    sequences: int = 8192
    seed: int = 0
    init_scale: float = 2.0

    def __post_init__(self) -> None:
        choice("cell", self.cell, CELLS)
        whole_number("the lag", self.lag, maximum=MAX_LAG)
        whole_number("the number of hidden units", self.hidden, maximum=MAX_HIDDEN)
        bounded_number("the learning rate", self.learning_rate, MAX_LEARNING_RATE, positive=True)
        choice("optimizer", self.optimizer, OPTIMIZERS)
        whole_number("the number of sequences", self.sequences, maximum=MAX_SEQUENCES)
        whole_number("the seed", self.seed, minimum=0)
        bounded_number("the initial weight scale", self.init_scale, MAX_MEMORY_INIT_SCALE)
        # a sequence of L + 1 steps costs about L + 1 updates of one step
        check_training_work(self.sequences * (self.lag + 1), self.hidden, "sequence steps")


@dataclass(frozen=True, slots=True)
class MemoryData:
    """Sequences of ``memory(L)``.

    Attributes
    ----------
    bits
        The random bits, shape (n, L + 1); column 0 is the one to recall.
    inputs
        Shape (n, L + 1, 2): the bits on channel 0, the recall signal on channel 1.
    targets
        Shape (n, L + 1, 1): the first bit at the last step, 0 elsewhere (masked).
    mask
        Shape (L + 1,): true at the last step only.
    """

    bits: np.ndarray
    inputs: np.ndarray
    targets: np.ndarray
    mask: np.ndarray


def memory_data(rng: np.random.Generator, count: int, lag: int) -> MemoryData:
    """*count* sequences of ``memory(lag)`` drawn from *rng*."""
    bits = rng.integers(0, 2, (count, lag + 1)).astype(np.float64)
    inputs = np.zeros((count, lag + 1, 2))
    inputs[:, :, 0] = bits
    inputs[:, -1, 1] = 1.0
    targets = np.zeros((count, lag + 1, 1))
    targets[:, -1, 0] = bits[:, 0]
    mask = np.zeros(lag + 1, dtype=bool)
    mask[-1] = True
    return MemoryData(bits, inputs, targets, mask)


@dataclass(frozen=True, slots=True)
class MemoryResult:
    """What training on ``memory(L)`` produced.

    Attributes
    ----------
    settings
        The settings used.
    sequences_used
        Training sequences seen (the budget, or fewer when validation said stop).
    checks
        ``(sequences seen, mean loss of the last stretch, validation share right)``
        at every check.
    held_out_correct
        Held-out sequences whose first bit the trained network recalled.
    """

    settings: MemorySettings
    sequences_used: int
    checks: tuple[tuple[int, float, float], ...]
    held_out_correct: int

    @property
    def held_out_rate(self) -> float:
        """Share of the held-out sequences recalled right (0 … 1)."""
        return self.held_out_correct / HELD_OUT

    @property
    def succeeded(self) -> bool:
        """At least 95 % of the held-out sequences right."""
        return self.held_out_rate >= SUCCESS_RATE


def recalled(network, data: MemoryData) -> int:
    """How many of *data*'s sequences the network recalls: ŷ at the last step on the
    right side of ½."""
    right = 0
    for inputs, bit in zip(data.inputs, data.bits[:, 0]):
        answer = network.forward(inputs).outputs[-1, 0]
        right += int((answer > 0.5) == (bit > 0.5))
    return right


def memory_network(settings: MemorySettings, rng: np.random.Generator):
    """The untrained 2-H-1 network of *settings*' cell, weights drawn from *rng*."""
    options = {"hidden": "tanh"} if settings.cell == "rnn" else {}
    return make_network(settings.cell, 2, settings.hidden, 1, output="sigmoid",
                        loss="squared", init_scale=settings.init_scale, seed=rng, **options)


def input_gradients(network, inputs: np.ndarray, targets: np.ndarray,
                    mask: np.ndarray) -> np.ndarray:
    """``∂E/∂x_t`` for every step of one sequence, shape (T, N): how much of the
    error signal reaches each input, the same measure for every cell."""
    _, grads = network.passes(inputs, targets, mask.astype(np.float64))
    if hasattr(network, "w_xh"):  # the Elman network: δ_t = ∂E/∂a_t
        return grads.deltas @ network.w_xh
    return grads.pre_gate_deltas @ network.w_x


def first_bit_reach(settings: MemorySettings, count: int = 20) -> float:
    """At the start of training, ``‖∂E/∂x_1‖ / ‖∂E/∂x_T‖`` for *count* sequences, their
    geometric mean: below 1 the error signal fades on its way back to the first
    bit, above 1 it grows."""
    network = memory_network(settings, np.random.default_rng([settings.seed, 0]))
    data = memory_data(np.random.default_rng([settings.seed, 3]), count, settings.lag)
    logs = []
    for inputs, targets in zip(data.inputs, data.targets):
        flow = np.linalg.norm(input_gradients(network, inputs, targets, data.mask), axis=1)
        logs.append(math.log(max(flow[0], 1e-300) / max(flow[-1], 1e-300)))
    return math.exp(sum(logs) / len(logs))


def _train_batch(network, data: MemoryData, optimizer, clip: Clipping, eta: float) -> float:
    """One update from the averaged gradient of *data*'s sequences; their mean loss."""
    names = network.parameter_names
    keep = data.mask.astype(np.float64)
    total: dict[str, np.ndarray] = {}
    loss = 0.0
    for inputs, targets in zip(data.inputs, data.targets):
        _, grads = network.passes(inputs, targets, keep)
        loss += grads.loss
        for name in names:
            if name in total:
                total[name] += grads.params[name]
            else:
                total[name] = grads.params[name]  # a fresh array of this pass: summed into
    count = data.inputs.shape[0]
    arrays = [total[name] / count if count > 1 else total[name] for name in names]
    arrays, _ = clip.apply(arrays)
    optimizer.step(network.parameters(), dict(zip(names, arrays)), eta)
    return loss / count


def run_memory(settings: MemorySettings | None = None,
               progress: Progress | None = None) -> MemoryResult:
    """Train one cell on ``memory(L)`` and measure it on the held-out sequences.

    *progress(done, total)* is called with training sequences after every check.
    Raises :class:`InputError` if training diverges (a loss no longer finite).
    """
    s = settings or MemorySettings()
    weights, training, checking = (np.random.default_rng([s.seed, k]) for k in range(3))
    network = memory_network(s, weights)
    validation = memory_data(checking, VALIDATION, s.lag)
    held_out = memory_data(checking, HELD_OUT, s.lag)
    optimizer, clip = make_optimizer(s.optimizer), Clipping("norm", CLIP_NORM)
    checks: list[tuple[int, float, float]] = []
    done, losses = 0, []
    with np.errstate(over="ignore", invalid="ignore"):
        while done < s.sequences:
            count = min(BATCH, s.sequences - done)
            losses.append(_train_batch(network, memory_data(training, count, s.lag),
                                       optimizer, clip, s.learning_rate))
            if not math.isfinite(losses[-1]):
                raise InputError(f"training diverged after {done} sequences: the loss is no "
                                 "longer a finite number; choose a smaller learning rate")
            done += count
            if done % CHECK_EVERY == 0 or done == s.sequences:
                rate = recalled(network, validation) / VALIDATION
                checks.append((done, float(np.mean(losses)), rate))
                losses = []
                if progress is not None:
                    progress(done, s.sequences)
                if rate >= SUCCESS_RATE:
                    break
    if not all(np.isfinite(p).all() for p in network.parameters().values()):
        raise InputError(f"training diverged after {done} sequences: the weights are no "
                         "longer finite numbers; choose a smaller learning rate")
    return MemoryResult(s, done, tuple(checks), recalled(network, held_out))


def run_table(cells: tuple[str, ...], lags: tuple[int, ...], seeds: tuple[int, ...],
              base: MemorySettings, progress: Progress | None = None
              ) -> dict[tuple[str, int], list[MemoryResult]]:
    """Every cell at every lag for every seed, the other settings *base*'s:
    ``(cell, lag) → results by seed``."""
    table: dict[tuple[str, int], list[MemoryResult]] = {}
    runs = [(c, lag, seed) for c in cells for lag in lags for seed in seeds]
    for n, (cell, lag, seed) in enumerate(runs, start=1):
        settings = MemorySettings(cell, lag, base.hidden, base.learning_rate, base.optimizer,
                                  base.sequences, seed, base.init_scale)
        table.setdefault((cell, lag), []).append(run_memory(settings))
        if progress is not None:
            progress(n, len(runs))
    return table
