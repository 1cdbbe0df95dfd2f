"""Vanishing and exploding gradients, step by step back in time (seed 004).

A tanh Elman network runs for *steps* steps with a loss on the last step only.
BPTT carries that one error back: every step back multiplies δ by
``diag(f'(z))·W_hhᵀ``. The recurrent matrix is a random orthogonal matrix
times a scale *r*, so all its singular values are exactly *r*; with inputs of
0 the network stays at rest (``h = 0``, where ``tanh' = 1``) and each step back
multiplies ‖δ‖ by exactly *r*: it fades for *r* < 1 and grows for *r* > 1.
Random inputs (``input_scale`` > 0) push the units towards saturation, where
``tanh' < 1`` damps the growth — a large *r* does not always explode.

Each scale is run twice: without clipping, and with every δ_t clipped on its
way back (``Clipping(scope="step")``). Clipping caps the exploding curve but
does nothing for the vanishing one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnviz.engine.clipping import CLIP_KINDS, Clipping
from rnnviz.engine.elman import ElmanNetwork, bptt_gradients
from rnnviz.engine.validation import choice, finite_number, positive_int
from rnnviz.engine.errors import InputError
from rnnviz.tasks import Progress


@dataclass(frozen=True, slots=True)
class VanishingSettings:
    """What to compare.

    Parameters
    ----------
    steps
        Sequence length (default 50).
    hidden
        Hidden units (default 8).
    small, large
        The two recurrent scales *r* (defaults 0.5 and 1.5).
    clip
        Clipping threshold (default 5, seed 004's example).
    clip_kind
        ``"norm"`` (default) or ``"value"``.
    input_scale
        Standard deviation of the random inputs (default 0: the network at rest).
    seed
        Seeds the weights and inputs.
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
        if positive_int("the number of steps", self.steps) < 2:
            raise InputError("the number of steps must be at least 2")
        positive_int("the number of hidden units", self.hidden)
        finite_number("the small recurrent scale", self.small, positive=True)
        finite_number("the large recurrent scale", self.large, positive=True)
        finite_number("the clipping threshold", self.clip, positive=True)
        choice("clipping kind", self.clip_kind, CLIP_KINDS)
        if finite_number("the input scale", self.input_scale) < 0:
            raise InputError("the input scale must not be negative")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"the seed must be a whole number >= 0, not {self.seed!r}")


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
    """

    scale: float
    clipped: bool
    norms: np.ndarray

    @property
    def factor_per_step(self) -> float:
        """Geometric mean of ‖δ_{k+1}‖ / ‖δ_k‖ over the whole way back."""
        first, last = self.norms[0], self.norms[-1]
        if first == 0.0 or last == 0.0:
            return 0.0
        return float((last / first) ** (1.0 / (len(self.norms) - 1)))


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
        Optional ``progress(done, 4)`` callback.

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
        grads = bptt_gradients(
            network, inputs, targets, mask=only_last, clipping=rule if clip else None
        )
        curves.append(DeltaCurve(scale, clip, grads.delta_norms[::-1].copy()))
        if progress is not None:
            progress(done, len(cases))
    return VanishingResult(settings, tuple(curves))
