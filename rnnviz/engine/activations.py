"""Activation functions of the one-neuron network, each with a gain.

All three offered activations are affine images of ``tanh``::

    sigmoid(z) = σ(k·z)     = ½ + ½·tanh(k·z/2)      range (0, 1)
    tanh(z)    = tanh(k·z)                           range (−1, 1)
    bipolar(z) = 2σ(k·z) − 1 = tanh(k·z/2)           range (−1, 1)

Writing them this way makes every one of them numerically stable for free
(``tanh`` saturates to ±1 instead of overflowing, so |z| up to 1e6 and beyond
gives no warning and no NaN), and lets the learner's inner loop evaluate any of
them, and its derivative, with one ``tanh`` call::

    f(z)  = scale·t + offset,   t = tanh(inner·z)
    f'(z) = slope·(1 − t²)

For the sigmoid, ``slope·(1 − t²)`` equals ``k·σ(1 − σ)``; for tanh it is
``k·(1 − tanh²)``; for the bipolar sigmoid ``k·(1 − f²)/2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError

#: Names accepted by :func:`activation`, in the order a menu should offer them.
ACTIVATIONS: Final[tuple[str, ...]] = ("sigmoid", "tanh", "bipolar")

# name -> (inner factor, scale, offset, slope factor); the gain multiplies
# ``inner`` and ``slope``.
_TANH_FORM: Final[dict[str, tuple[float, float, float, float]]] = {
    "sigmoid": (0.5, 0.5, 0.5, 0.25),
    "tanh": (1.0, 1.0, 0.0, 1.0),
    "bipolar": (0.5, 1.0, 0.0, 0.5),
}

#: Output range (low, high) of each activation, for colour maps and axes.
RANGES: Final[dict[str, tuple[float, float]]] = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "bipolar": (-1.0, 1.0),
}


@dataclass(frozen=True, slots=True)
class Activation:
    """A squashing function ``f(z) = base(gain·z)`` with its derivative.

    Parameters
    ----------
    name
        One of :data:`ACTIVATIONS`.
    gain
        The slope factor *k*; must be finite and positive.

    Notes
    -----
    Calling the object accepts a float or a numpy array. The four attributes
    ``inner``, ``scale``, ``offset`` and ``slope`` give the tanh form used by
    the learner's inner loop (see the module docstring).
    """

    name: str = "sigmoid"
    gain: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in _TANH_FORM:
            raise InputError(
                f"unknown activation {self.name!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        if not (isinstance(self.gain, (int, float)) and math.isfinite(self.gain) and self.gain > 0):
            raise InputError(f"gain must be a finite number above 0, not {self.gain!r}")

    @property
    def inner(self) -> float:
        return _TANH_FORM[self.name][0] * self.gain

    @property
    def scale(self) -> float:
        return _TANH_FORM[self.name][1]

    @property
    def offset(self) -> float:
        return _TANH_FORM[self.name][2]

    @property
    def slope(self) -> float:
        return _TANH_FORM[self.name][3] * self.gain

    @property
    def range(self) -> tuple[float, float]:
        """The open interval the activation maps onto."""
        return RANGES[self.name]

    def __call__(self, z):  # float -> float, ndarray -> ndarray
        if isinstance(z, np.ndarray):
            return self.scale * np.tanh(self.inner * z) + self.offset
        return self.scale * math.tanh(self.inner * z) + self.offset

    def derivative(self, z):
        """``f'(z)``, computed without overflow for any finite *z*."""
        if isinstance(z, np.ndarray):
            t = np.tanh(self.inner * z)
        else:
            t = math.tanh(self.inner * z)
        return self.slope * (1.0 - t * t)

    def derivative_from_output(self, y):
        """``f'(z)`` expressed through the output ``y = f(z)``.

        This is the form back-propagation uses: ``k·y(1−y)`` for the sigmoid,
        ``k·(1−y²)`` for tanh and ``k·(1−y²)/2`` for the bipolar sigmoid.
        """
        t = (y - self.offset) / self.scale
        return self.slope * (1.0 - t * t)


def activation(name: str, gain: float = 1.0) -> Activation:
    """Return the activation called *name* with gain *gain*."""
    return Activation(name, float(gain))


def sigmoid(z, gain: float = 1.0):
    """Logistic sigmoid ``σ(gain·z)``, stable for any finite *z*."""
    return Activation("sigmoid", gain)(z)


def tanh(z, gain: float = 1.0):
    """Hyperbolic tangent ``tanh(gain·z)``."""
    return Activation("tanh", gain)(z)


def bipolar(z, gain: float = 1.0):
    """Bipolar sigmoid ``2σ(gain·z) − 1`` (equal to ``tanh(gain·z/2)``)."""
    return Activation("bipolar", gain)(z)
