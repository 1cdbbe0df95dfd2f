"""Free-run (generator) mode: the network's output fed back as its next input.

No learning happens here. With the bipolar sigmoid ``2σ(z) − 1`` for both
neurons, ``h0 = 0.5`` and a high output gain, hand-picked weights make the
one-neuron network *generate* a pattern instead of predicting one: with
``ih = −1, hh = 0, ho = 1``, gain 10 and ``x(0) = 1`` it alternates between
about −0.98 and +0.98 — the alternation that online learning on ``(10)^n``
fails to find.

Each step::

    h = f(hh·h + ih·x)
    y = g(gain·ho·h)
    x ← y
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.activations import Activation
from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import MAX_GAIN, MAX_START
from rnnviz.engine.sequences import MAX_BITS
from rnnviz.engine.validation import bounded_magnitude, finite_number, positive_int

#: The alternating generator of the published experiment.
DEFAULTS: Final[dict[str, float]] = {
    "ih": -1.0, "hh": 0.0, "ho": 1.0, "gain": 10.0, "x0": 1.0, "h0": 0.5,
}


@dataclass(frozen=True, slots=True)
class FreeRun:
    """What a free run produced, one entry per step.

    ``x[s]`` is the input of step *s*, ``h[s]`` and ``y[s]`` what it computed;
    ``x[s + 1] == y[s]``.
    """

    x: np.ndarray
    h: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


def free_run(
    *,
    ih: float = DEFAULTS["ih"],
    hh: float = DEFAULTS["hh"],
    ho: float = DEFAULTS["ho"],
    gain: float = DEFAULTS["gain"],
    x0: float = DEFAULTS["x0"],
    h0: float = DEFAULTS["h0"],
    steps: int = 10,
    activation: str = "bipolar",
    hidden_gain: float = 1.0,
) -> FreeRun:
    """Run the network forward *steps* times, feeding each output back in.

    Parameters
    ----------
    ih, hh, ho
        The fixed weights.
    gain
        Gain of the output neuron only: ``y = g(gain·ho·h)``.
    x0, h0
        The first input and the hidden value before the first step.
    steps
        How many steps, 1 to 10,000,000.
    activation
        Used for both neurons; ``"bipolar"`` as in the published experiment.
    hidden_gain
        Gain of the hidden neuron: 1 in the published experiment; the learner's
        network has its one gain in both neurons (its closed loop is
        ``hidden_gain = gain``).
    """
    # The same bounds as the learner's starting values: every product stays
    # finite, so no step can produce NaN.
    ih, hh, ho, x0, h0 = (
        bounded_magnitude(name, value, MAX_START)
        for name, value in (("ih", ih), ("hh", hh), ("ho", ho), ("x0", x0), ("h0", h0))
    )
    steps = positive_int("steps", steps)
    if steps > MAX_BITS:
        raise InputError(f"steps must be at most {MAX_BITS:,}, not {steps:,}")
    f = Activation(activation, finite_number("hidden_gain", hidden_gain, positive=True))
    g = Activation(activation, finite_number("gain", gain, positive=True))
    for name, value in (("gain", g.gain), ("hidden_gain", f.gain)):
        if value > MAX_GAIN:
            raise InputError(f"{name} must be at most {MAX_GAIN:g}, not {value!r}")
    xs, hs, ys = np.empty(steps), np.empty(steps), np.empty(steps)
    x, h = x0, h0
    for step in range(steps):
        h = f(hh * h + ih * x)
        y = g(ho * h)
        xs[step], hs[step], ys[step] = x, h, y
        x = y
    return FreeRun(xs, hs, ys)
