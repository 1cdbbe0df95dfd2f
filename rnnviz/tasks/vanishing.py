"""Vanishing and exploding gradients, step by step back in time (seed 004).

A tanh Elman network runs for *steps* steps with a loss on the last step only.
BPTT carries that one error back: every step back multiplies δ by
``diag(f'(a))·W_hhᵀ``. The recurrent matrix is a random orthogonal matrix
times a scale *r*, so all its singular values are exactly *r*; with inputs of
0 the network stays at rest (``h = 0``, where ``tanh' = 1``) and each step back
multiplies ‖δ‖ by exactly *r*: it fades for *r* < 1 and grows for *r* > 1.
Random inputs (``input_scale`` > 0) push the units towards saturation, where
``tanh' < 1`` damps the growth — a large *r* does not always explode.

Each scale is run twice: without clipping, and with every δ_t clipped on its
way back (``Clipping(scope="step")``). Clipping caps the exploding curve but
does nothing for the vanishing one.

An unclipped exploding curve can pass the largest float (about 1.8e308; with
r = 1.5 after some 1 750 steps): from that step on its norms are ``inf``,
meaning "overflowed", never a made-up number.

Limits: 2 … :data:`MAX_STEPS` (10 000) steps, at most
:data:`~rnnviz.tasks.MAX_HIDDEN` (1024) hidden units, scales *r* in
(0, :data:`MAX_W_HH_SCALE`], a clipping threshold up to :data:`MAX_CLIP` and an
input scale up to :data:`MAX_INPUT_SCALE`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rnnviz.engine.clipping import CLIP_KINDS, Clipping
from rnnviz.engine.elman import ElmanNetwork, bptt_gradients
from rnnviz.engine.validation import bounded_number, choice, whole_number
from rnnviz.tasks import MAX_HIDDEN, Progress

#: Most time steps.
MAX_STEPS = 10_000

#: Largest recurrent scale r, the factor W_hh is a random orthogonal matrix times.
MAX_W_HH_SCALE = 100.0

#: Largest clipping threshold.
MAX_CLIP = 1e6

#: Largest standard deviation of the random inputs (tanh saturates long before).
MAX_INPUT_SCALE = 1000.0

#: The early and late per-step factors are taken over this many steps back.
FACTOR_STEPS = 10


@dataclass(frozen=True, slots=True)
class VanishingSettings:
    """What to compare.

    Parameters
    ----------
    steps
        Sequence length, 2 … 10 000 (default 50).
    hidden
        Hidden units, 1 … 1024 (default 8).
    small, large
        The two recurrent scales *r*, above 0 and at most 100 (defaults 0.5 and 1.5).
    clip
        Clipping threshold, above 0 and at most 1e6 (default 5, seed 004's example).
    clip_kind
        ``"norm"`` (default) or ``"value"``.
    input_scale
        Standard deviation of the random inputs, 0 … 1000 (default 0: the
        network at rest).
    seed
        Seeds the weights and inputs (≥ 0).
    """

    steps: int = 50
    hidden: int = 8
    small: float = 0.5
    large: float = 1.5
    clip: float = 5.0
    clip_kind: str = "norm"
    input_scale: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        whole_number("the number of steps", self.steps, minimum=2, maximum=MAX_STEPS)
        whole_number("the number of hidden units", self.hidden, maximum=MAX_HIDDEN)
        bounded_number("the small recurrent scale", self.small, MAX_W_HH_SCALE, positive=True)
        bounded_number("the large recurrent scale", self.large, MAX_W_HH_SCALE, positive=True)
        bounded_number("the clipping threshold", self.clip, MAX_CLIP, positive=True)
        choice("clipping kind", self.clip_kind, CLIP_KINDS)
        bounded_number("the input scale", self.input_scale, MAX_INPUT_SCALE)
        whole_number("the seed", self.seed, minimum=0)


@dataclass(frozen=True, slots=True)
class DeltaCurve:
    """‖δ‖ per step back in time for one network, with or without clipping.

    Attributes
    ----------
    scale
        The recurrent scale *r*.
    clipped
        Whether every δ_t was clipped on its way back.
    norms
        ``norms[k]`` is ‖δ‖ *k* steps before the last step; shape (steps,).
        ``inf`` from the step where the norm overflowed the largest float.
    """

    scale: float
    clipped: bool
    norms: np.ndarray

    def factor(self, first: int, last: int) -> float | None:
        """Average change of ‖δ‖ per step back from *first* to *last* steps back.

        The geometric mean of ‖δ_{k+1}‖ / ‖δ_k‖ for k = first … last − 1, that
        is ``(norms[last] / norms[first]) ** (1 / (last − first))``; ``None``
        when either norm is 0 (underflowed) or overflowed.
        """
        start, end = float(self.norms[first]), float(self.norms[last])
        if last <= first or not (0.0 < start < math.inf and 0.0 < end < math.inf):
            return None
        return (end / start) ** (1.0 / (last - first))

    @property
    def factor_per_step(self) -> float | None:
        """:meth:`factor` over the whole way back; for a clipped curve this
        averages the growth before the cap with the flat part after it."""
        return self.factor(0, len(self.norms) - 1)

    @property
    def early_factor(self) -> float | None:
        """:meth:`factor` over the first :data:`FACTOR_STEPS` steps back."""
        return self.factor(0, min(FACTOR_STEPS, len(self.norms) - 1))

    @property
    def late_factor(self) -> float | None:
        """:meth:`factor` over the last :data:`FACTOR_STEPS` steps back."""
        last = len(self.norms) - 1
        return self.factor(max(0, last - FACTOR_STEPS), last)

    @property
    def overflow_step(self) -> int | None:
        """The first step back whose norm overflowed, or ``None``."""
        beyond = np.flatnonzero(np.isinf(self.norms))
        return int(beyond[0]) if beyond.size else None


@dataclass(frozen=True, slots=True)
class VanishingResult:
    """The four curves: small and large scale, each without and with clipping."""

    settings: VanishingSettings
    curves: tuple[DeltaCurve, ...]


def make_network(settings: VanishingSettings, scale: float) -> ElmanNetwork:
    """A tanh network whose recurrent matrix has all singular values equal to *scale*.

    The same seed gives the same directions for every scale, so curves for
    different scales differ only by the scale.
    """
    rng = np.random.default_rng(settings.seed)
    network = ElmanNetwork(
        1, settings.hidden, 1, hidden="tanh", output="linear", biases=False, seed=rng
    )
    orthogonal, _ = np.linalg.qr(rng.normal(size=(settings.hidden, settings.hidden)))
    readout = rng.normal(size=(1, settings.hidden))
    # A unit readout makes ‖δ‖ = 1 at the last step when the net is at rest,
    # so every number in the curve reads as a factor.
    network.set_parameters(
        {
            "w_hh": scale * orthogonal,
            "w_xh": rng.normal(size=(settings.hidden, 1)),
            "w_hy": readout / np.linalg.norm(readout),
        }
    )
    return network


def run_vanishing(
    settings: VanishingSettings | None = None, progress: Progress | None = None
) -> VanishingResult:
    """Backpropagate one final-step error through *steps* steps, four ways.

    Parameters
    ----------
    settings
        Default :class:`VanishingSettings`.
    progress
        Optional ``progress(curves done, 4)`` callback.

    Returns
    -------
    VanishingResult
    """
    settings = settings or VanishingSettings()
    rng = np.random.default_rng([settings.seed, 1])
    inputs = settings.input_scale * rng.normal(size=(settings.steps, 1))
    targets = np.zeros((settings.steps, 1))
    targets[-1] = 1.0
    only_last = np.zeros(settings.steps, dtype=bool)
    only_last[-1] = True
    rule = Clipping(settings.clip_kind, settings.clip, scope="step")
    curves = []
    cases = [(scale, clip) for scale in (settings.small, settings.large) for clip in (False, True)]
    for done, (scale, clip) in enumerate(cases, start=1):
        network = make_network(settings, scale)
        # An unclipped exploding δ may overflow; that is recorded as inf
        # below, not announced by numpy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            grads = bptt_gradients(
                network, inputs, targets, mask=only_last, clipping=rule if clip else None
            )
        norms = grads.delta_norms[::-1].copy()
        # Once a norm is beyond the largest float (inf, or NaN from inf − inf)
        # every earlier δ is too: mark them all as overflowed.
        bad = np.flatnonzero(~np.isfinite(norms))
        if bad.size:
            norms[bad[0] :] = np.inf
        curves.append(DeltaCurve(scale, clip, norms))
        if progress is not None:
            progress(done, len(cases))
    return VanishingResult(settings, tuple(curves))
