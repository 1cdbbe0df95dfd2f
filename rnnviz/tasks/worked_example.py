"""The three-step BPTT example of seed 003, for any values and weights.

One input, one sigmoid hidden unit, one linear output, no biases::

    y_0 = s
    z_t = w·y_{t−1} + v·x_t        y_t = σ(z_t)        p_t = u·y_t

The sequence ``x_1 … x_T`` is its own target shifted by one (``t_t = x_{t+1}``),
so there are T − 1 prediction steps, and the error is summed over them::

    E = Σ_{t=1}^{T−1} (t_t − p_t)²

BPTT gives, with ``ε_t = ∂E/∂p_t = 2(p_t − t_t)`` and ``δ_t = ∂E/∂z_t``::

    δ_t = σ'(z_t)·(u·ε_t + w·δ_{t+1}),   δ_T = 0
    ∂E/∂u = Σ ε_t·y_t     ∂E/∂v = Σ δ_t·x_t     ∂E/∂w = Σ δ_t·y_{t−1}     ∂E/∂s = w·δ_1

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
    u, v, w, s
        The weights and the starting state.
    z, y, p
        Per prediction step t = 1 … T − 1: hidden input, hidden output, prediction.
    targets
        ``t_t = x_{t+1}``.
    output_errors
        ``ε_t = ∂E/∂p_t = 2(p_t − t_t)``.
    deltas
        ``δ_t = ∂E/∂z_t``.
    E, dE_du, dE_dv, dE_dw, dE_ds
        The error and its derivatives.
    """

    values: tuple[float, ...]
    u: float
    v: float
    w: float
    s: float
    z: np.ndarray
    y: np.ndarray
    p: np.ndarray
    targets: np.ndarray
    output_errors: np.ndarray
    deltas: np.ndarray
    E: float
    dE_du: float
    dE_dv: float
    dE_dw: float
    dE_ds: float

    def to_dict(self) -> dict[str, object]:
        """Plain numbers and lists, ready for ``json.dumps``."""
        steps = [
            {
                "t": t + 1,
                "x": self.values[t],
                "target": float(self.targets[t]),
                "z": float(self.z[t]),
                "y": float(self.y[t]),
                "p": float(self.p[t]),
                "error": float(self.output_errors[t]),
                "delta": float(self.deltas[t]),
            }
            for t in range(len(self.p))
        ]
        return {
            "values": list(self.values),
            "u": self.u,
            "v": self.v,
            "w": self.w,
            "s": self.s,
            "E": self.E,
            "dE_du": self.dE_du,
            "dE_dv": self.dE_dv,
            "dE_dw": self.dE_dw,
            "dE_ds": self.dE_ds,
            "delta": [float(d) for d in self.deltas],
            "steps": steps,
        }


def worked_example(
    values: Sequence[float], u: float, v: float, w: float, s: float
) -> WorkedExample:
    """Forward pass, error and BPTT of seed 003's network.

    Parameters
    ----------
    values
        ``x_1 … x_T``, at least two finite numbers.
    u, v, w
        Output, input and recurrent weight.
    s
        The hidden state before the first step.

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
    u, v, w, s = (finite_number(name, value) for name, value in zip("uvws", (u, v, w, s)))
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
    network.set_parameters({"w_xh": [[v]], "w_hh": [[w]], "w_hy": [[u]], "h0": [s]})
    series = np.array(numbers)
    inputs, targets = series[:-1], series[1:]
    # Huge but finite numbers may overflow on the way; that is reported below
    # as one clear error instead of a trail of numpy warnings.
    with np.errstate(all="ignore"):
        forward = network.forward(inputs)
        grads = bptt_gradients(network, inputs, targets)
    result = WorkedExample(
        values=numbers,
        u=u,
        v=v,
        w=w,
        s=s,
        z=forward.pre_hidden[:, 0].copy(),
        y=forward.hidden[1:, 0].copy(),
        p=forward.outputs[:, 0].copy(),
        targets=targets,
        output_errors=grads.output_errors[:, 0].copy(),
        deltas=grads.deltas[:, 0].copy(),
        E=grads.loss,
        dE_du=float(grads.params["w_hy"][0, 0]),
        dE_dv=float(grads.params["w_xh"][0, 0]),
        dE_dw=float(grads.params["w_hh"][0, 0]),
        dE_ds=float(grads.initial_state[0]),
    )
    scalars = (result.E, result.dE_du, result.dE_dv, result.dE_dw, result.dE_ds)
    if not all(math.isfinite(x) for x in scalars) or not np.isfinite(result.deltas).all():
        raise InputError("the numbers are too large: the error or a derivative overflows")
    return result
