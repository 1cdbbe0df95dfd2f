"""What the network lab's unrolled view and gradient-flow plot show, without Qt.

One example runs through an Elman network (docs/architecture.md, "The Elman
network and BPTT", whose letters these are)::

    a_t = W_xh x_t + W_hh h_{t−1} + b_h     h_t = f(a_t)
    z_t = W_hy h_t + b_y                    ŷ_t = g(z_t)
    δ_t = ∂L/∂a_t = f′(a_t) ⊙ (W_hyᵀ ε_t + W_hhᵀ δ_{t+1}),   ε_t = ∂ℓ_t/∂z_t

:func:`unrolled_state` gathers, for the unrolled view, every number it paints:
the activations of every step, the losses, δ_t, and the per-step factor
``J_t = diag f′(a_t)·W_hhᵀ`` that multiplies δ on its way back from step
t + 1 to step t. The slopes f′(a_t) (and, for a sigmoid output with squared
error, g′(z_t)) are taken from the pre-activations with the tail-accurate
formulas of :mod:`rnnviz.engine.derivatives`, so a saturated unit shows a
δ of 1e−17 rather than 0; elsewhere the numbers equal
:meth:`~rnnviz.engine.elman.ElmanNetwork.backward`'s to rounding.

Truncation (the engine's definition, BPTT(k, k)): the sequence is cut into
windows of k steps starting at steps 1, k + 1, …; the state flows on but δ
does not flow back across a window's start.

The backward sweep is shown in :func:`backward_stages` stages: stage 0, the
error enters at the outputs (ε_t); stage s = 1 … T, δ has flowed back to step
T − s + 1, and the steps from there to T are *swept* (shown in |δ| colours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.activations import RANGES
from rnnviz.engine.clipping import row_norms
from rnnviz.engine.derivatives import activation_slope, sigmoid_slope
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.elman_output import output_errors
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import positive_int

__all__ = [
    "MAX_DECADES", "FlowSeries", "UnrolledState", "backward_stages", "delta_colour_scale",
    "flow_series", "unrolled_state",
]

#: The |δ| colour scale spans at most this many powers of ten below its top;
#: smaller values take the lowest colour.
MAX_DECADES: Final[int] = 30


@dataclass(frozen=True, eq=False)
class UnrolledState:
    """One example through the network, as the unrolled view paints it.

    Steps are numbered t = 1 … T in texts; array rows are 0-based (row t − 1
    is step t), except :attr:`hidden`, whose row 0 is ``h_0``.

    Attributes
    ----------
    steps, n_in, n_hidden, n_out
        T, N, H, M.
    inputs, hidden, outputs, targets
        ``x_t`` (T, N); ``h_0 … h_T`` (T + 1, H); ``ŷ_t`` (T, M); the targets (T, M).
    losses, has_loss
        ``ℓ_t`` per step (0 where masked), and which steps have a loss.
    deltas, delta_norms
        ``δ_t`` (T, H) from tail-accurate slopes, and ``‖δ_t‖`` (T,).
    factor_norms
        ``‖J_t‖₂ = ‖diag f′(a_t)·W_hhᵀ‖₂`` (T,), the spectral norm of the factor
        that carries δ_{t+1} back to step t.
    weights
        Copies of the parameters (``w_xh``, ``w_hh``, ``w_hy``, and biases if any).
    stage
        ``None``: the forward view; 0 … T: the backward sweep's stage (module docstring).
    window
        Truncation k, or ``None`` (full BPTT).
    pre_hidden, slopes
        ``a_t`` and ``f′(a_t)``, (T, H).
    output_errors
        ``ε_t = ∂ℓ_t/∂z_t`` (T, M), 0 where masked.
    hidden_grads
        ``∂L/∂h_t = W_hyᵀ ε_t + W_hhᵀ δ_{t+1}`` (T, H) (δ_{t+1} cut at a window's start).
    hidden_range, output_range, input_range
        (low, high) of the activation colour scale for each layer.
    swept
        (T,) bool: the steps shown in |δ| colours at this stage.
    shaded
        (T,) bool: the steps outside the truncation window the sweep is in.
    cuts
        Steps t (2 … T) at whose start δ is cut (a window starts there).
    delta_scale
        (low, high) powers of ten of the |δ| colour scale (:func:`delta_colour_scale`
        of every |δ_t,i| and |ε_t,m| of the example), the same at every stage.
    loss
        L, the summed loss.
    """

    steps: int
    n_in: int
    n_hidden: int
    n_out: int
    inputs: np.ndarray
    hidden: np.ndarray
    outputs: np.ndarray
    targets: np.ndarray
    losses: np.ndarray
    has_loss: np.ndarray
    deltas: np.ndarray
    delta_norms: np.ndarray
    factor_norms: np.ndarray
    weights: dict[str, np.ndarray]
    stage: int | None
    window: int | None
    pre_hidden: np.ndarray
    slopes: np.ndarray
    output_errors: np.ndarray
    hidden_grads: np.ndarray
    hidden_range: tuple[float, float]
    output_range: tuple[float, float]
    input_range: tuple[float, float]
    swept: np.ndarray
    shaded: np.ndarray
    cuts: tuple[int, ...]
    delta_scale: tuple[float, float]
    loss: float

    @property
    def backward(self) -> bool:
        """Whether a backward-sweep stage is shown (stage 0 included)."""
        return self.stage is not None

    @property
    def front(self) -> int | None:
        """The step δ has reached (T − stage + 1) at stages 1 … T; ``None`` otherwise."""
        if self.stage is None or self.stage == 0:
            return None
        return self.steps - self.stage + 1


def backward_stages(steps: int) -> int:
    """How many stages the backward sweep over *steps* steps has: T + 1 (0 … T)."""
    return positive_int("the number of steps", steps) + 1


def _stage(stage: object, steps: int) -> int | None:
    if stage is None:
        return None
    if isinstance(stage, bool) or not isinstance(stage, (int, np.integer)) or not 0 <= stage <= steps:
        raise InputError(f"the backward stage must be a whole number from 0 to {steps}, not {stage!r}")
    return int(stage)


def _output_errors(network: ElmanNetwork, forward, y: np.ndarray,
                   keep: np.ndarray | None) -> np.ndarray:
    """ε_t as the engine computes it, except a sigmoid output's slope from z_t (tail-accurate)."""
    eps = output_errors(
        forward.outputs, y, keep, loss=network.loss_name,
        squared_error_factor=network.squared_error_factor,
        output=network.output, gain=network.output_gain,
    )
    if network.output == "sigmoid" and network.loss_name == "squared":
        g = (2.0 * network.squared_error_factor) * (forward.outputs - y)
        eps = g * sigmoid_slope(forward.pre_outputs, network.output_gain)
        if keep is not None:
            eps = eps * keep[:, None]
    return eps


def _factor_norms(slopes: np.ndarray, w_hh: np.ndarray) -> np.ndarray:
    """``‖diag f′(a_t)·W_hhᵀ‖₂`` for every step, one batched singular-value call."""
    stack = slopes[:, :, None] * w_hh.T[None, :, :]
    if not np.isfinite(stack).all():
        return np.full(slopes.shape[0], np.inf)
    # Scaled to a largest entry of 1 so that the SVD cannot overflow, then scaled back.
    top = np.abs(stack).max(axis=(1, 2))
    safe = np.where(top > 0, top, 1.0)
    try:
        norms = np.linalg.svd(stack / safe[:, None, None], compute_uv=False)[:, 0]
    except np.linalg.LinAlgError:  # no convergence: say "unknown" rather than fail
        return np.full(slopes.shape[0], np.nan)
    with np.errstate(over="ignore"):
        return norms * top


def _backward(w_hh: np.ndarray, w_hy: np.ndarray, slopes: np.ndarray, eps: np.ndarray,
              k: int | None) -> tuple[np.ndarray, np.ndarray]:
    """δ_t and ∂L/∂h_t for every step, the engine's recursion with the given slopes."""
    T, H = slopes.shape
    from_output = eps @ w_hy
    deltas = np.empty((T, H))
    hidden_grads = np.empty((T, H))
    carried = np.zeros(H)
    with np.errstate(over="ignore", invalid="ignore"):  # an exploding δ becomes ∞, quietly
        for t in range(T - 1, -1, -1):
            if k is not None and (t + 1) % k == 0:
                carried = np.zeros(H)  # a window starts after this step: nothing flows back
            hidden_grads[t] = from_output[t] + carried @ w_hh
            deltas[t] = slopes[t] * hidden_grads[t]
            carried = deltas[t]
    # Past an overflow, ∞ − ∞ and 0·∞ give NaN: those components overflowed too.
    deltas[np.isnan(deltas)] = np.inf
    hidden_grads[np.isnan(hidden_grads)] = np.inf
    return deltas, hidden_grads


def _window_marks(T: int, stage: int | None, k: int | None) -> tuple[np.ndarray, tuple[int, ...]]:
    """Which steps lie outside the window the sweep is in (its front, or step T), and the cuts."""
    shaded = np.zeros(T, dtype=bool)
    if k is None or k >= T:
        return shaded, ()
    at = T - stage if stage else T - 1  # 0-based row of the sweep's front
    lo = (at // k) * k
    shaded[:lo] = True
    shaded[lo + k:] = True
    return shaded, tuple(range(k + 1, T + 1, k))


def _output_range(output: str, outputs: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(0, 1) for a sigmoid or softmax; for a linear output ±(the largest |ŷ| or |target|, ≥ 1)."""
    if output != "linear":
        return RANGES["sigmoid"]
    reach = float(np.abs(np.concatenate([outputs.ravel(), y.ravel()])).max())
    reach = max(1.0, reach) if math.isfinite(reach) else 1.0
    return (-reach, reach)


def unrolled_state(
    network: ElmanNetwork,
    inputs: object,
    targets: object,
    mask: object | None = None,
    *,
    stage: int | None = None,
    window: int | None = None,
) -> UnrolledState:
    """Run one example forward and backward and gather what the unrolled view shows.

    Parameters
    ----------
    network
        The network at the weights to show (not changed).
    inputs, targets
        Shapes (T, N) and (T, M); (T,) is accepted when N = 1 or M = 1.
    mask
        Optional (T,) booleans: which steps have a loss.
    stage
        ``None`` for the forward view, or the backward sweep's stage 0 … T.
    window
        Truncation k (whole number ≥ 1), or ``None``.

    Raises
    ------
    InputError
        A bad shape, stage or window, in one line.
    """
    # Typed weights may be huge but finite: what overflows is shown as ∞, without warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        forward = network.forward(inputs)
        grads = network.backward(forward, targets, mask=mask, window=window)
    T = forward.steps
    y = np.array(targets, dtype=np.float64).reshape(T, network.n_outputs)
    keep = None if mask is None else np.asarray(mask).astype(np.float64)
    stage = _stage(stage, T)
    k = None if window is None else positive_int("the truncation window k", window)

    slopes = activation_slope(network.hidden_activation, forward.pre_hidden)
    with np.errstate(over="ignore", invalid="ignore"):
        eps = _output_errors(network, forward, y, keep)
    deltas, hidden_grads = _backward(network.w_hh, network.w_hy, slopes, eps, k)
    H = network.n_hidden

    has_loss = np.ones(T, dtype=bool) if mask is None else np.asarray(mask, dtype=bool).copy()
    swept = np.zeros(T, dtype=bool)
    if stage:
        swept[T - stage:] = True
    shaded, cuts = _window_marks(T, stage, k)
    magnitudes = np.concatenate([np.abs(deltas).ravel(), np.abs(eps).ravel()])
    x = forward.inputs
    return UnrolledState(
        steps=T, n_in=network.n_inputs, n_hidden=H, n_out=network.n_outputs,
        inputs=x.copy(), hidden=forward.hidden.copy(), outputs=forward.outputs.copy(),
        targets=y, losses=grads.step_losses.copy(), has_loss=has_loss,
        deltas=deltas, delta_norms=row_norms(deltas),
        factor_norms=_factor_norms(slopes, network.w_hh),
        weights=network.copy_parameters(), stage=stage, window=k,
        pre_hidden=forward.pre_hidden.copy(), slopes=slopes, output_errors=eps,
        hidden_grads=hidden_grads, hidden_range=network.hidden_activation.range,
        output_range=_output_range(network.output, forward.outputs, y),
        input_range=(min(0.0, float(x.min())), max(1.0, float(x.max()))),
        swept=swept, shaded=shaded, cuts=cuts,
        delta_scale=delta_colour_scale(magnitudes), loss=grads.loss,
    )


@dataclass(frozen=True, eq=False)
class FlowSeries:
    """The gradient flow of one example, for a log-scale plot against t.

    Attributes
    ----------
    steps
        t = 1 … T (float64, for plotting).
    grad_norms
        ``‖∂L/∂h_t‖``.
    factor_norms
        ``‖J_t‖₂ = ‖diag f′(a_t)·W_hhᵀ‖₂``.
    running_product
        ``‖J_t‖₂·‖J_{t+1}‖₂ ⋯ ‖J_T‖₂``: the product of the factor norms from T back
        to t, an upper bound of how much δ can grow on its way back to t.
    chain_norms
        ``‖J_t J_{t+1} ⋯ J_T‖₂``, the norm of the product itself (≤ running_product).
    """

    steps: np.ndarray
    grad_norms: np.ndarray
    factor_norms: np.ndarray
    running_product: np.ndarray
    chain_norms: np.ndarray


def flow_series(state: UnrolledState) -> FlowSeries:
    """The gradient flow of *state*'s example (every step, whatever its stage)."""
    T = state.steps
    factors = state.factor_norms
    with np.errstate(over="ignore", invalid="ignore"):
        running = np.cumprod(factors[::-1])[::-1].copy()
    chain = np.empty(T)
    w_hh_t = state.weights["w_hh"].T
    product = np.eye(state.n_hidden)
    log_scale = 0.0  # the product so far is exp(log_scale)·product, ‖product‖₂ = 1
    for t in range(T - 1, -1, -1):
        with np.errstate(over="ignore", invalid="ignore"):
            product = (state.slopes[t][:, None] * w_hh_t) @ product
        norm = float(np.linalg.norm(product, 2)) if np.isfinite(product).all() else math.inf
        if norm == 0.0 or not math.isfinite(norm) or not math.isfinite(log_scale):
            chain[: t + 1] = 0.0 if norm == 0.0 else math.inf
            break
        log_scale += math.log(norm)
        product /= norm
        chain[t] = math.exp(log_scale) if log_scale < 709.0 else math.inf
    return FlowSeries(
        steps=np.arange(1, T + 1, dtype=np.float64),
        grad_norms=row_norms(state.hidden_grads),
        factor_norms=factors.copy(),
        running_product=running,
        chain_norms=chain,
    )


def delta_colour_scale(norms: object) -> tuple[float, float]:
    """The (low, high) powers of ten of the |δ| legend for these magnitudes.

    Whole decades holding every finite, positive value: ``high`` the ceiling
    of the largest's log10, ``low`` the floor of the smallest's, but at most
    :data:`MAX_DECADES` below ``high``; always ``low < high``. Zeros,
    infinities and NaN are left out; with nothing left, (−1, 0).
    """
    values = np.abs(np.asarray(norms, dtype=np.float64)).ravel()
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return (-1.0, 0.0)
    high = float(math.ceil(math.log10(float(values.max()))))
    low = float(math.floor(math.log10(float(values.min()))))
    low = max(low, high - MAX_DECADES)
    if low >= high:
        low = high - 1.0
    return (low, high)
