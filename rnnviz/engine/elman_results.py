"""What the Elman network's passes return: the forward pass, the gradients, a training report.

The letters are those of :mod:`rnnviz.engine.elman` (docs/architecture.md,
"The Elman network and BPTT"): ``a_t`` the hidden pre-activation, ``z_t`` the
output pre-activation, ``ε_t = ∂L_t/∂z_t`` and ``δ_t = ∂E/∂a_t``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnviz.engine.clipping import global_norm


class SequenceResult:
    """What a forward pass of any cell tells about its length and end (a mixin)."""

    __slots__ = ()
    inputs: np.ndarray
    hidden: np.ndarray

    @property
    def steps(self) -> int:
        """T, the number of time steps."""
        return self.inputs.shape[0]

    @property
    def final_hidden(self) -> np.ndarray:
        """``h_T``, the state to carry into whatever comes next."""
        return self.hidden[-1]


class GradientResult:
    """What a backward pass of any cell tells about the loss and the gradient's size (a mixin)."""

    __slots__ = ()
    params: dict[str, np.ndarray]
    step_losses: np.ndarray

    @property
    def loss(self) -> float:
        """E, the summed loss of the sequence."""
        return float(self.step_losses.sum())

    def norm(self) -> float:
        """Global L2 norm of all parameter gradients together."""
        return global_norm(list(self.params.values()))


@dataclass(frozen=True, slots=True)
class ForwardPass(SequenceResult):
    """Everything the forward pass computed, kept for the backward pass and views.

    Attributes
    ----------
    inputs
        ``x_t``, shape (T, N).
    pre_hidden
        ``a_t``, shape (T, H).
    hidden
        ``h_0 … h_T``, shape (T + 1, H); row 0 is the starting state.
    hidden_slope
        ``f'(a_t)``, shape (T, H).
    pre_outputs
        ``z_t``, shape (T, M).
    outputs
        ``ŷ_t``, shape (T, M).
    """

    inputs: np.ndarray
    pre_hidden: np.ndarray
    hidden: np.ndarray
    hidden_slope: np.ndarray
    pre_outputs: np.ndarray
    outputs: np.ndarray


@dataclass(frozen=True, slots=True)
class Gradients(GradientResult):
    """The result of one backward pass.

    Attributes
    ----------
    params
        ``∂E/∂θ`` for every parameter name of the network (same shapes).
    initial_state
        ``∂E/∂h_0``, shape (H,).
    output_errors
        ``ε_t = ∂L_t/∂z_t``, shape (T, M).
    deltas
        ``δ_t = ∂E/∂a_t`` as used (after any per-step clipping), shape (T, H).
    delta_norms
        ``‖δ_t‖`` per step, shape (T,).
    step_losses
        ``L_t`` per step (0 where masked out), shape (T,).
    """

    params: dict[str, np.ndarray]
    initial_state: np.ndarray
    output_errors: np.ndarray
    deltas: np.ndarray
    delta_norms: np.ndarray
    step_losses: np.ndarray


@dataclass(frozen=True, slots=True)
class TrainingReport:
    """What happened while the network learned from one sequence.

    Attributes
    ----------
    mode, window
        The learning mode and the window length *k* actually used.
    step_losses
        ``L_t`` per step, each measured with the weights in force at that step
        (before the update that used it), shape (T,).
    outputs
        ``ŷ_t`` as produced during the pass, shape (T, M).
    hidden
        ``h_0 … h_T`` as produced during the pass, shape (T + 1, H).
    delta_norms
        ``‖δ_t‖`` per step within its window, shape (T,).
    gradient_norms
        Global norm of each update's gradient before clipping, shape (updates,).
    clipped
        Whether clipping changed each update's gradient (or any of its window's
        δ, for step-scope clipping), shape (updates,).
    weights
        The parameters after each update, only when recording was asked for.
    """

    mode: str
    window: int
    step_losses: np.ndarray
    outputs: np.ndarray
    hidden: np.ndarray
    delta_norms: np.ndarray
    gradient_norms: np.ndarray
    clipped: np.ndarray
    weights: tuple[dict[str, np.ndarray], ...] = field(default=())

    @property
    def loss(self) -> float:
        """Summed loss of the sequence."""
        return float(self.step_losses.sum())

    @property
    def updates(self) -> int:
        """Number of weight updates made."""
        return int(self.gradient_norms.shape[0])
