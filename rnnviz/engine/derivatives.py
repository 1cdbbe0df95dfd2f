"""Activation slopes from the pre-activations, accurate far into the tails.

The engine takes a hidden unit's slope from its output, the form
back-propagation uses (:meth:`~rnnviz.engine.activations.Activation.derivative_from_output`)::

    sigmoid: k·y(1−y)      tanh: k·(1−y²)      bipolar: (k/2)·(1−y²)

Once the unit saturates, ``y`` rounds to 0, 1 or ±1 and these are exactly 0:
past ``k·z ≈ 37`` for the sigmoid and ``k·z ≈ 19`` for tanh, where the true
slope is about 1e−16 and still far from underflowing. That is harmless for
training, but a view that writes δ or plots it on a log scale would show
"0" and log 0. These functions compute the same slopes from the
pre-activation *z* with one small exponential ``e = e^(−|k·z|)`` (never above
1, so nothing overflows)::

    sigmoid_slope(z, k) = k·e / (1 + e)²                  e = e^(−|k·z|)
    tanh_slope(z, k)    = 4k·e / (1 + e)²                 e = e^(−2|k·z|)
    bipolar (2σ(kz) − 1)  = 2k·e / (1 + e)²                e = e^(−|k·z|)

Each keeps full relative precision until the true value leaves the normal
float range (about 1e−308, at ``|k·z| ≈ 708`` for the sigmoid); beyond it the
result degrades gracefully through the subnormals to 0, where the true value
is below the smallest float. :func:`log_slope` gives the natural logarithm of
the slope, finite for every finite *z*, for plots that go further.

Every function accepts a float (returns a float) or a numpy array (returns
an array of float64).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from rnnviz.engine.activations import ACTIVATIONS, Activation
from rnnviz.engine.validation import choice, finite_number

__all__ = ["activation_slope", "log_slope", "sigmoid_slope", "tanh_slope"]

#: For each activation: the factor inside the exponential's |k·z| and the
#: factor in front of ``k·e/(1+e)²``.
_FORMS: Final[dict[str, tuple[float, float]]] = {
    "sigmoid": (1.0, 1.0),
    "tanh": (2.0, 4.0),
    "bipolar": (1.0, 2.0),
}


def _gain(gain: object) -> float:
    return finite_number("the gain", gain, positive=True)


def _slope(z, inner: float, front: float, gain: float):
    """``front·k·e/(1+e)²`` with ``e = e^(−inner·|k·z|)``, for a float or an array."""
    if isinstance(z, np.ndarray):
        e = np.exp(-inner * np.abs(gain * np.asarray(z, dtype=np.float64)))
        return (front * gain) * e / ((1.0 + e) * (1.0 + e))
    e = math.exp(-inner * abs(gain * float(z)))
    return (front * gain) * e / ((1.0 + e) * (1.0 + e))


def sigmoid_slope(z, gain: float = 1.0):
    """``d/dz σ(k·z) = k·σ(kz)(1 − σ(kz))``, from the pre-activation *z*.

    Parameters
    ----------
    z
        A float or a numpy array of pre-activations.
    gain
        The gain *k*, finite and above 0.
    """
    return _slope(z, 1.0, 1.0, _gain(gain))


def tanh_slope(z, gain: float = 1.0):
    """``d/dz tanh(k·z) = k·(1 − tanh²(kz))``, computed as ``4k·e/(1+e)²`` with ``e = e^(−2|kz|)``.

    Parameters
    ----------
    z
        A float or a numpy array of pre-activations.
    gain
        The gain *k*, finite and above 0.
    """
    return _slope(z, 2.0, 4.0, _gain(gain))


def activation_slope(activation: Activation, z):
    """The slope ``f′(z)`` of *activation* (sigmoid, tanh or bipolar, with its gain) at *z*.

    Equal to ``activation.derivative(z)`` where that is exact, and accurate in
    the tails where that rounds to 0.
    """
    inner, front = _FORMS[activation.name]
    return _slope(z, inner, front, float(activation.gain))


def log_slope(z, activation: str = "sigmoid", gain: float = 1.0):
    """The natural logarithm of the slope of *activation* at *z*; finite for every finite *z*.

    ``log(front·k) − inner·|k·z| − 2·log1p(e^(−inner·|k·z|))``, so a log-scale
    plot can go on where the slope itself underflows (``|k·z|`` above ~745).

    Parameters
    ----------
    z
        A float or a numpy array of pre-activations.
    activation
        ``"sigmoid"``, ``"tanh"`` or ``"bipolar"``.
    gain
        The gain *k*, finite and above 0.
    """
    name = choice("activation", activation, ACTIVATIONS)
    k = _gain(gain)
    inner, front = _FORMS[name]
    if isinstance(z, np.ndarray):
        u = inner * np.abs(k * np.asarray(z, dtype=np.float64))
        return math.log(front * k) - u - 2.0 * np.log1p(np.exp(-u))
    u = inner * abs(k * float(z))
    return math.log(front * k) - u - 2.0 * math.log1p(math.exp(-u))
