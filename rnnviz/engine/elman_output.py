"""The Elman network's output layer and its loss, as plain functions of arrays.

With ``z_t = W_hy·h_t + b_y`` the output pre-activation of step t (one row of
*z* per step), the output is ``ŷ_t = g(z_t)`` and the loss of the step
``L_t``, with the targets ``t_t`` (the array *y*; docs/architecture.md,
"The Elman network and BPTT")::

    squared error    L_t = c·Σ_m (t_{t,m} − ŷ_{t,m})²
    cross-entropy    L_t = −Σ_m t_{t,m}·log ŷ_{t,m}     (softmax output only)

:class:`~rnnviz.engine.elman.ElmanNetwork` calls these with its own settings;
*keep*, when given, is 1.0 for the steps that have a loss and 0.0 for the others.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np

from rnnviz.engine.activations import Activation, sigmoid_array
from rnnviz.engine.clipping import fast_einsum as einsum  # np.einsum's C function: the same floats
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import choice, finite_number

#: Output functions, the default first.
OUTPUTS: Final[tuple[str, ...]] = ("sigmoid", "linear", "softmax")

#: Loss functions. ``cross_entropy`` needs the softmax output.
LOSSES: Final[tuple[str, ...]] = ("squared", "cross_entropy")


def output_settings(
    output: str, output_gain: float, loss: str | None, squared_error_factor: float
) -> tuple[str, float, str, float]:
    """``(output, output gain, loss, squared-error factor)`` checked for any network's constructor.

    The loss defaults to cross-entropy for a softmax output, squared error
    otherwise; cross-entropy needs the softmax. Raises :class:`InputError`
    naming what is wrong.
    """
    output = choice("output", output, OUTPUTS)
    gain = finite_number("the output gain", output_gain, positive=True)
    if loss is None:
        loss = "cross_entropy" if output == "softmax" else "squared"
    loss = choice("loss", loss, LOSSES)
    if loss == "cross_entropy" and output != "softmax":
        raise InputError("the cross-entropy loss needs the softmax output")
    factor = finite_number("the squared-error factor", squared_error_factor, positive=True)
    return output, gain, loss, factor


@functools.lru_cache(maxsize=8)
def _sigmoid(gain: float) -> Activation:
    """The output sigmoid of gain *gain*, made (and checked) once, not on every pass."""
    return Activation("sigmoid", gain)


def output_values(z: np.ndarray, output: str, gain: float) -> np.ndarray:
    """``ŷ_t = g(z_t)`` for every row of *z*; *gain* is used by the sigmoid only."""
    if output == "sigmoid":
        if z.dtype == np.float64 and z.ndim:
            return sigmoid_array(gain, z)  # the output sigmoid's inner factor is its gain
        return _sigmoid(gain)(z)
    if output == "linear":
        return z.copy()
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def step_losses(
    outputs: np.ndarray,
    z: np.ndarray,
    y: np.ndarray,
    keep: np.ndarray | None,
    *,
    loss: str,
    squared_error_factor: float,
) -> np.ndarray:
    """``L_t`` for every step, from the outputs ``ŷ_t`` and their pre-activations ``z_t``."""
    if loss == "squared":
        diff = outputs - y
        losses = squared_error_factor * einsum("ij,ij->i", diff, diff)
    else:
        # log-softmax from the pre-activations: exact and overflow-free,
        # unlike log(ŷ) when ŷ underflows to 0.
        top = z.max(axis=1, keepdims=True)
        log_y = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
        losses = -einsum("ij,ij->i", y, log_y)
    return losses if keep is None else losses * keep


def output_errors(
    outputs: np.ndarray,
    y: np.ndarray,
    keep: np.ndarray | None,
    *,
    loss: str,
    squared_error_factor: float,
    output: str,
    gain: float,
) -> np.ndarray:
    """``ε_t = ∂L_t/∂z_t`` for all steps at once."""
    if loss == "cross_entropy":
        # softmax + cross-entropy: ŷ·Σt − t (= ŷ − t for one-hot targets).
        eps = outputs * y.sum(axis=1, keepdims=True) - y
    else:
        g = (2.0 * squared_error_factor) * (outputs - y)
        if output == "sigmoid":
            # gain·ŷ is ŷ for a gain of 1: that multiplication changes no float
            scaled = outputs if gain == 1.0 else gain * outputs
            eps = g * (scaled * (1.0 - outputs))
        elif output == "linear":
            eps = g
        else:
            # softmax Jacobian diag(ŷ) − ŷŷᵀ applied to g
            eps = outputs * (g - einsum("ij,ij->i", g, outputs)[:, None])
    return eps if keep is None else eps * keep[:, None]
