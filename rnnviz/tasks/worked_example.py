"""The three-step BPTT example of seed 003, for any values and weights.

One input, one sigmoid hidden unit, one linear output, no biases: an
:class:`~rnnviz.engine.elman.ElmanNetwork` of shape 1-1-1 whose matrices are
single numbers. In the engine's letters (docs/architecture.md, "The Elman
network and BPTT")::

    a_t = W_xh·x_t + W_hh·h_{t−1}        h_t = σ(a_t)        ŷ_t = W_hy·h_t

The sequence ``x_1 … x_T`` is its own target shifted by one (``t_t = x_{t+1}``),
so there are T − 1 prediction steps, and the error is summed over them::

    E = Σ_{t=1}^{T−1} (t_t − ŷ_t)²

BPTT gives, with ``ε_t = ∂E/∂ŷ_t = 2(ŷ_t − t_t)`` and ``δ_t = ∂E/∂a_t``::

    δ_t = σ'(a_t)·(W_hy·ε_t + W_hh·δ_{t+1}),   δ_T = 0
    ∂E/∂W_hy = Σ ε_t·h_t     ∂E/∂W_xh = Σ δ_t·x_t
    ∂E/∂W_hh = Σ δ_t·h_{t−1}     ∂E/∂h_0 = W_hh·δ_1

Seed 003 names the same things differently: its weights ``u``, ``v``, ``w``
are ``W_hy``, ``W_xh``, ``W_hh``, its starting state ``s`` is ``h_0``, and its
``z_t``, ``y_t``, ``p_t`` are ``a_t``, ``h_t``, ``ŷ_t``. Those letters appear
only where a user types or reads them, in ``rnnviz bptt`` (its options and
output, :mod:`rnnviz.commands.bptt`).

Seed 003 writes the recursion as ``δ_t = σ'(z_t)(u + w·δ_{t+1})`` and
``∂E/∂u = y_t``: those are the derivatives of ``Σ p_t``, the same formulas with
every ``ε_t`` set to 1. The error factor ``ε_t`` is what makes them the
derivatives of E.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnnviz.engine.elman import ElmanNetwork, bptt_gradients
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import finite_number


@dataclass(frozen=True, slots=True)
class WorkedExample:
    """Every number of the worked example.

    Attributes
    ----------
    values
        ``x_1 … x_T``.
    w_xh, w_hh, w_hy, h0
        The input, recurrent and output weight, and the starting state.
    pre_hidden, hidden, outputs
        Per prediction step t = 1 … T − 1: ``a_t``, ``h_t`` and the prediction ``ŷ_t``.
    targets
        ``t_t = x_{t+1}``.
    output_errors
        ``ε_t = ∂E/∂ŷ_t = 2(ŷ_t − t_t)``.
    deltas
        ``δ_t = ∂E/∂a_t``.
    E, dE_dw_xh, dE_dw_hh, dE_dw_hy, dE_dh0
        The error and its derivatives.
    """

    values: tuple[float, ...]
    w_xh: float
    w_hh: float
    w_hy: float
    h0: float
    pre_hidden: np.ndarray
    hidden: np.ndarray
    outputs: np.ndarray
    targets: np.ndarray
    output_errors: np.ndarray
    deltas: np.ndarray
    E: float
    dE_dw_xh: float
    dE_dw_hh: float
    dE_dw_hy: float
    dE_dh0: float


def parse_values(text: str) -> list[float]:
    """``"1, 0.5,-2"`` → ``[1.0, 0.5, -2.0]``, or :class:`InputError` naming the bad item.

    How ``rnnviz bptt VALUES`` and the lab's worked panel read a typed
    sequence ``x1,…,xT``: at least two finite numbers, separated by commas.
    """
    items = text.split(",")
    values = []
    for position, item in enumerate(items, start=1):
        item = item.strip()
        if not item:
            raise InputError(f"VALUES item {position} is empty (write numbers like 1,0.5,-2)")
        try:
            number = float(item)
        except ValueError:
            raise InputError(f"VALUES item {position} is not a number: {item!r}") from None
        values.append(finite_number(f"VALUES item {position}", number))
    if len(values) < 2:
        raise InputError(
            f"VALUES needs at least 2 numbers (each one predicts the next), got {len(values)}"
        )
    return values


def sequence_arrays(values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The inputs ``x_1 … x_(T−1)`` and targets ``x_2 … x_T``, each (T − 1, 1): what the network learns.

    Raises :class:`InputError` for a value that is not a finite number.
    """
    numbers = [finite_number(f"value {i}", x) for i, x in enumerate(values, start=1)]
    series = np.array(numbers, dtype=np.float64).reshape(-1, 1)
    return series[:-1], series[1:]


def worked_example(
    values: Sequence[float], *, w_xh: float, w_hh: float, w_hy: float, h0: float
) -> WorkedExample:
    """Forward pass, error and BPTT of seed 003's network.

    Parameters
    ----------
    values
        ``x_1 … x_T``, at least two finite numbers.
    w_xh, w_hh, w_hy
        Input, recurrent and output weight (seed 003's v, w and u).
    h0
        The hidden state before the first step (seed 003's s).

    Returns
    -------
    WorkedExample

    Raises
    ------
    InputError
        For fewer than two values, a non-finite number, or numbers so large
        that the error overflows.
    """
    numbers = tuple(finite_number(f"value {i}", x) for i, x in enumerate(values, start=1))
    if len(numbers) < 2:
        raise InputError(
            f"need at least 2 values (each predicts the next), not {len(numbers)}"
        )
    w_xh, w_hh, w_hy, h0 = (
        finite_number(name, value)
        for name, value in (("w_xh", w_xh), ("w_hh", w_hh), ("w_hy", w_hy), ("h0", h0))
    )
    network = ElmanNetwork(
        1,
        1,
        1,
        hidden="sigmoid",
        output="linear",
        loss="squared",
        squared_error_factor=1.0,
        biases=False,
    )
    network.set_parameters({"w_xh": [[w_xh]], "w_hh": [[w_hh]], "w_hy": [[w_hy]], "h0": [h0]})
    series = np.array(numbers)
    inputs, targets = series[:-1], series[1:]
    # Huge but finite numbers may overflow on the way; that is reported below
    # as one clear error instead of a trail of numpy warnings.
    with np.errstate(all="ignore"):
        forward = network.forward(inputs)
        grads = bptt_gradients(network, inputs, targets)
    result = WorkedExample(
        values=numbers,
        w_xh=w_xh,
        w_hh=w_hh,
        w_hy=w_hy,
        h0=h0,
        pre_hidden=forward.pre_hidden[:, 0].copy(),
        hidden=forward.hidden[1:, 0].copy(),
        outputs=forward.outputs[:, 0].copy(),
        targets=targets,
        output_errors=grads.output_errors[:, 0].copy(),
        deltas=grads.deltas[:, 0].copy(),
        E=grads.loss,
        dE_dw_xh=float(grads.params["w_xh"][0, 0]),
        dE_dw_hh=float(grads.params["w_hh"][0, 0]),
        dE_dw_hy=float(grads.params["w_hy"][0, 0]),
        dE_dh0=float(grads.initial_state[0]),
    )
    scalars = (result.E, result.dE_dw_xh, result.dE_dw_hh, result.dE_dw_hy, result.dE_dh0)
    if not all(math.isfinite(x) for x in scalars) or not np.isfinite(result.deltas).all():
        raise InputError("the numbers are too large: the error or a derivative overflows")
    return result
