"""What the gated cells (LSTM and GRU) share: parameters, checks, losses, training.

The cells themselves are :class:`~rnnviz.engine.lstm.LSTMNetwork` and
:class:`~rnnviz.engine.gru.GRUNetwork`; both follow the protocol of
:class:`~rnnviz.engine.elman.ElmanNetwork` (docs/architecture.md, "Gated cells
(issue 15, engine)"): ``forward`` → a :class:`GatedForwardPass`, ``backward`` →
:class:`GatedGradients`, ``check_example`` and ``passes`` for a caller that
learns from one checked example many times, ``train_sequence`` with the modes
``full``, ``truncated`` (windows of *k* with the state carried and the
gradient cut at each window start, = BPTT(k, k)) and ``online``, the same
outputs and losses (:mod:`rnnviz.engine.elman_output`) and the same
:class:`~rnnviz.engine.clipping.Clipping` rules. Updates go through an
optimiser of :mod:`rnnviz.engine.optim` (plain SGD unless one is given).

Every gate's weights are stored stacked — ``w_x`` of shape (G·H, N) and
``w_h`` of shape (G·H, H), one block of H rows per gate — so that a step makes
one matrix product; the named parameters (``w_xi``, ``w_hf``, ``b_o`` …) are
views of those blocks, so an update through a name changes the stack.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rnnviz.engine.clipping import Clipping, global_norm, row_norms
from rnnviz.engine.elman import (
    BPTT_MODES,
    MAX_INIT_SCALE,
    _mask,
    _matrix,
    _units,
    _vector,
    _window_length,
)
from rnnviz.engine.elman_output import (
    output_errors,
    output_settings,
    output_values,
    step_losses,
)
from rnnviz.engine.elman_results import GradientResult, SequenceResult, TrainingReport
from rnnviz.engine.errors import InputError
from rnnviz.engine.optim import SGD, Optimizer
from rnnviz.engine.validation import choice, finite_number, positive_int

__all__ = ["GatedForwardPass", "GatedGradients", "GatedNetwork", "highway_products"]


@dataclass(frozen=True, slots=True)
class GatedForwardPass(SequenceResult):
    """Everything a gated cell's forward pass computed.

    Attributes
    ----------
    inputs
        ``x_t``, shape (T, N).
    hidden
        ``h_0 … h_T``, shape (T + 1, H); row 0 is the starting state.
    cell
        LSTM: ``c_0 … c_T``, shape (T + 1, H). GRU: None.
    gates
        Each gate's activation per step by its letter (LSTM ``i f g o``, GRU
        ``r z n``), shape (T, H) each.
    recurrent
        Cell-specific values the backward pass needs (LSTM ``tanh(c_t)``;
        GRU ``W_hn·h_{t−1} + b_hn``), shape (T, H).
    pre_outputs, outputs
        ``z_t`` and ``ŷ_t``, shape (T, M).
    """

    inputs: np.ndarray
    hidden: np.ndarray
    cell: np.ndarray | None
    gates: dict[str, np.ndarray]
    recurrent: np.ndarray
    pre_outputs: np.ndarray
    outputs: np.ndarray

    @property
    def final_state(self) -> tuple[np.ndarray, np.ndarray | None]:
        """``(h_T, c_T)`` (``c_T`` None for the GRU): the state to carry on."""
        return self.hidden[-1], None if self.cell is None else self.cell[-1]


@dataclass(frozen=True, slots=True)
class GatedGradients(GradientResult):
    """The result of one backward pass of a gated cell.

    Attributes
    ----------
    params
        ``∂E/∂θ`` for every parameter name of the network (same shapes).
    initial_state
        ``∂E/∂h_0``, shape (H,).
    initial_cell
        LSTM: ``∂E/∂c_0``, shape (H,). GRU: None.
    output_errors
        ``ε_t = ∂L_t/∂z_t``, shape (T, M).
    deltas
        ``∂E/∂h_t`` (everything ``h_t`` influences, within its window), shape (T, H).
    cell_deltas
        LSTM: ``∂E/∂c_t``, shape (T, H). GRU: None.
    pre_gate_deltas
        ``∂E/∂`` of every gate's pre-activation, stacked as ``w_x``'s rows, shape (T, G·H).
    delta_norms
        ``‖∂E/∂h_t‖`` per step, shape (T,).
    step_losses
        ``L_t`` per step (0 where masked out), shape (T,).
    """

    params: dict[str, np.ndarray]
    initial_state: np.ndarray
    initial_cell: np.ndarray | None
    output_errors: np.ndarray
    deltas: np.ndarray
    cell_deltas: np.ndarray | None
    pre_gate_deltas: np.ndarray
    delta_norms: np.ndarray
    step_losses: np.ndarray


def highway_products(forward: GatedForwardPass) -> np.ndarray:
    """The gradient highway: ``∂c_T/∂c_t`` along the cell path, per unit, t = 0 … T.

    LSTM: ``Π_{k=t+1..T} f_k`` (the forget gates); GRU: ``Π_{k=t+1..T} z_k``
    (the update gates, the direct path ``h_{t−1} → h_t``). Row T is 1. Shape
    (T + 1, H). Each is the diagonal of the full Jacobian when the recurrent
    weights are zero; otherwise the part of it that flows along the highway.
    """
    factors = forward.gates["f" if forward.cell is not None else "z"]
    steps, units = factors.shape
    products = np.ones((steps + 1, units))
    for t in range(steps - 1, -1, -1):
        products[t] = products[t + 1] * factors[t]
    return products


class GatedNetwork:
    """The common part of the LSTM and GRU networks; see the module docstring.

    Subclasses set :attr:`GATES` (the gate letters, in stacking order) and
    :attr:`BIAS_NAMES` (the biases, those of the stack ``b`` first, in its
    order), and implement ``_forward(x, h, c)`` and
    ``_backward(forward, y, keep, window, step_clip)``.

    Parameters
    ----------
    n_inputs, n_hidden, n_outputs
        N, H and M; whole numbers from 1 to 2048.
    output, output_gain, loss, squared_error_factor
        As for :class:`~rnnviz.engine.elman.ElmanNetwork`.
    biases
        Whether the network has (and learns) its biases.
    init_scale
        Weights start uniform in ``[−s, s]``; default ``1/√H`` (PyTorch's).
    seed
        Seed or generator for the initial weights.
    """

    CELL = ""
    GATES: tuple[str, ...] = ()
    #: The biases' names: the blocks of the stack ``b`` in order, then any of the cell's own.
    BIAS_NAMES: tuple[str, ...] = ()

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        n_outputs: int,
        *,
        output: str = "sigmoid",
        output_gain: float = 1.0,
        loss: str | None = None,
        squared_error_factor: float = 0.5,
        biases: bool = True,
        init_scale: float | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.n_inputs = _units("the number of inputs", n_inputs)
        self.n_hidden = _units("the number of hidden units", n_hidden)
        self.n_outputs = _units("the number of outputs", n_outputs)
        self.output, self.output_gain, self.loss_name, self.squared_error_factor = output_settings(
            output, output_gain, loss, squared_error_factor
        )
        self.biases = bool(biases)
        H, N, M, G = self.n_hidden, self.n_inputs, self.n_outputs, len(self.GATES)
        scale = 1.0 / math.sqrt(H) if init_scale is None else _scale(init_scale)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        self.w_x = rng.uniform(-scale, scale, (G * H, N))
        self.w_h = rng.uniform(-scale, scale, (G * H, H))
        self.w_hy = rng.uniform(-scale, scale, (M, H))
        self.b = np.zeros(G * H)
        self.b_y = np.zeros(M)
        self.h0 = np.zeros(H)
        self.c0 = np.zeros(H)

    # -- parameters -------------------------------------------------------

    @property
    def weight_names(self) -> tuple[str, ...]:
        """``w_x?`` and ``w_h?`` for every gate, then ``w_hy``."""
        return (tuple(f"w_x{g}" for g in self.GATES) + tuple(f"w_h{g}" for g in self.GATES)
                + ("w_hy",))

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the learned parameters, in a fixed order."""
        return self.weight_names + (self.BIAS_NAMES + ("b_y",) if self.biases else ())

    def _named(self, name: str) -> np.ndarray:
        """The array behind *name*: a block of the stack (a view) or an array itself."""
        if name in ("w_hy", "b_y"):
            return getattr(self, name)
        H = self.n_hidden
        if name.startswith(("w_x", "w_h")):
            block = self.GATES.index(name[3:])
            return (self.w_x if name[2] == "x" else self.w_h)[block * H:(block + 1) * H]
        block = self.BIAS_NAMES.index(name)
        return self.b[block * H:(block + 1) * H]

    def parameters(self) -> dict[str, np.ndarray]:
        """The learned parameters by name (live views, not copies)."""
        return {name: self._named(name) for name in self.parameter_names}

    def copy_parameters(self) -> dict[str, np.ndarray]:
        """A snapshot of the learned parameters."""
        return {name: self._named(name).copy() for name in self.parameter_names}

    def set_parameters(self, values: Mapping[str, object]) -> None:
        """Overwrite some parameters in place (all checked before any is written);
        names from :attr:`parameter_names`, plus ``"h0"`` (and ``"c0"`` for the LSTM)."""
        allowed = self.parameter_names + self._state_names()
        checked: dict[str, np.ndarray] = {}
        for name, value in values.items():
            if name not in allowed:
                raise InputError(f"unknown parameter {name!r}; choose from {', '.join(allowed)}")
            target = getattr(self, name) if name in ("h0", "c0") else self._named(name)
            try:
                array = np.array(value, dtype=np.float64).reshape(target.shape)
            except (TypeError, ValueError):
                raise InputError(
                    f"parameter {name} must be numbers of shape {target.shape}"
                ) from None
            if not np.isfinite(array).all():
                raise InputError(f"parameter {name} must be finite numbers")
            checked[name] = array
        for name, array in checked.items():
            (getattr(self, name) if name in ("h0", "c0") else self._named(name))[...] = array

    def _state_names(self) -> tuple[str, ...]:
        return ("h0",)

    def _split(self, stacked_x: np.ndarray, stacked_h: np.ndarray, stacked_b: np.ndarray,
               extra: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Gradients of the stacks as the named parameters' gradients."""
        H = self.n_hidden
        params: dict[str, np.ndarray] = {}
        for k, g in enumerate(self.GATES):
            params[f"w_x{g}"] = stacked_x[k * H:(k + 1) * H]
        for k, g in enumerate(self.GATES):
            params[f"w_h{g}"] = stacked_h[k * H:(k + 1) * H]
        params["w_hy"] = extra["w_hy"]
        if self.biases:
            for k, name in enumerate(self.BIAS_NAMES):
                params[name] = extra[name] if name in extra else stacked_b[k * H:(k + 1) * H]
            params["b_y"] = extra["b_y"]
        return params

    # -- forward --------------------------------------------------------------

    def forward(self, inputs: object, h0: object | None = None,
                c0: object | None = None) -> GatedForwardPass:
        """Run the network over a sequence (shape (T, N)) from ``h0`` (and ``c0``)."""
        x = _matrix("the inputs", inputs, self.n_inputs)
        return self._forward(x, *self._start(h0, c0))

    def _start(self, h0: object | None, c0: object | None) -> tuple[np.ndarray, np.ndarray]:
        h = self.h0 if h0 is None else _vector("the starting state", h0, self.n_hidden)
        if c0 is not None and "c0" not in self._state_names():
            raise InputError(f"the {self.CELL} has no cell state c0")
        c = self.c0 if c0 is None else _vector("the starting cell state", c0, self.n_hidden)
        return h, c

    def _forward_pass(self, x: np.ndarray, hidden: np.ndarray, cell: np.ndarray | None,
                      acts: np.ndarray, recurrent: np.ndarray) -> GatedForwardPass:
        """The forward pass of *x*: the states, each gate's columns of *acts* by its letter, and
        the outputs read from the hidden states."""
        H = self.n_hidden
        gates = {name: acts[:, k * H:(k + 1) * H] for k, name in enumerate(self.GATES)}
        z, outputs = self._outputs(hidden)
        return GatedForwardPass(x, hidden, cell, gates, recurrent, z, outputs)

    def _outputs(self, hidden: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        z = hidden[1:] @ self.w_hy.T
        if self.biases:
            z += self.b_y
        return z, output_values(z, self.output, self.output_gain)

    def _output_errors(self, forward: GatedForwardPass, y: np.ndarray,
                       keep: np.ndarray | None) -> np.ndarray:
        return output_errors(
            forward.outputs, y, keep, loss=self.loss_name,
            squared_error_factor=self.squared_error_factor, output=self.output,
            gain=self.output_gain,
        )

    def check_example(
        self, inputs: object, targets: object, mask: object | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``(x, y, keep)`` checked, as :meth:`passes` takes them (see ElmanNetwork)."""
        x = _matrix("the inputs", inputs, self.n_inputs, copy=False)
        y = _matrix("the targets", targets, self.n_outputs, x.shape[0], copy=False)
        return x, y, _mask(mask, x.shape[0])

    def passes(
        self, x: np.ndarray, y: np.ndarray, keep: np.ndarray | None = None,
        window: int | None = None,
    ) -> tuple[GatedForwardPass, GatedGradients]:
        """Forward pass from :attr:`h0` and BPTT for an example :meth:`check_example` made."""
        forward = self._forward(x, self.h0, self.c0)
        grads, _ = self._backward(forward, y, keep, window, None)
        return forward, grads

    # -- loss -----------------------------------------------------------------

    def step_losses(self, forward: GatedForwardPass, targets: object,
                    mask: object | None = None) -> np.ndarray:
        """``L_t`` for every step of a forward pass (0 where *mask* is false)."""
        y = _matrix("the targets", targets, self.n_outputs, forward.steps)
        return self._step_losses(forward, y, _mask(mask, forward.steps))

    def sequence_loss(self, inputs: object, targets: object, h0: object | None = None,
                      mask: object | None = None, c0: object | None = None) -> float:
        """E: forward pass plus summed loss, for checking gradients numerically."""
        forward = self.forward(inputs, h0, c0)
        return float(self.step_losses(forward, targets, mask).sum())

    def _step_losses(self, forward: GatedForwardPass, y: np.ndarray,
                     keep: np.ndarray | None) -> np.ndarray:
        return step_losses(forward.outputs, forward.pre_outputs, y, keep,
                           loss=self.loss_name, squared_error_factor=self.squared_error_factor)

    # -- backward -------------------------------------------------------------

    def backward(self, forward: GatedForwardPass, targets: object, *, mask: object | None = None,
                 window: int | None = None, clipping: Clipping | None = None) -> GatedGradients:
        """BPTT at the current weights, as :meth:`ElmanNetwork.backward`; a step-scope
        clipping rule clips ``∂E/∂h_t`` (and the LSTM's ``∂E/∂c_t``) every step back."""
        if not isinstance(forward, GatedForwardPass) or not self._made(forward):
            raise InputError("backward needs a forward pass of this network")
        y = _matrix("the targets", targets, self.n_outputs, forward.steps)
        keep = _mask(mask, forward.steps)
        if window is not None:
            window = positive_int("the truncation window k", window)
        if clipping is not None and not isinstance(clipping, Clipping):
            raise InputError("clipping must be a Clipping rule")
        step_clip = clipping if clipping is not None and clipping.scope == "step" else None
        grads, _ = self._backward(forward, y, keep, window, step_clip)
        return grads

    def _made(self, forward: GatedForwardPass) -> bool:
        """Whether *forward* has this network's sizes and kind of state."""
        return (forward.inputs.shape[1] == self.n_inputs
                and forward.hidden.shape[1] == self.n_hidden
                and forward.outputs.shape[1] == self.n_outputs
                and (forward.cell is not None) == ("c0" in self._state_names()))

    def _finish(self, forward: GatedForwardPass, y: np.ndarray, keep: np.ndarray | None,
                eps: np.ndarray, pre: np.ndarray, deltas: np.ndarray,
                extra: dict[str, np.ndarray], **state: np.ndarray | None) -> GatedGradients:
        """The gradients from the per-step deltas a subclass's backward loop made."""
        stacked_x = pre.T @ forward.inputs
        extra = dict(extra, w_hy=eps.T @ forward.hidden[1:], b_y=eps.sum(axis=0))
        params = self._split(stacked_x, extra.pop("stacked_h"), pre.sum(axis=0), extra)
        return GatedGradients(
            params=params, output_errors=eps, deltas=deltas, pre_gate_deltas=pre,
            delta_norms=row_norms(deltas), step_losses=self._step_losses(forward, y, keep),
            **state,
        )

    # -- learning -------------------------------------------------------------

    def train_sequence(
        self,
        inputs: object,
        targets: object,
        *,
        learning_rate: float,
        mode: str = "full",
        window: int | None = None,
        clipping: Clipping | None = None,
        mask: object | None = None,
        h0: object | None = None,
        c0: object | None = None,
        record_weights: bool = False,
        optimizer: Optimizer | None = None,
    ) -> TrainingReport:
        """Learn from one sequence with BPTT, as :meth:`ElmanNetwork.train_sequence`;
        *optimizer* (default plain SGD) makes each update with *learning_rate*."""
        x = _matrix("the inputs", inputs, self.n_inputs, copy=False)
        T = x.shape[0]
        y = _matrix("the targets", targets, self.n_outputs, T, copy=False)
        keep = _mask(mask, T)
        eta = finite_number("the learning rate", learning_rate, positive=True)
        mode = choice("learning mode", mode, BPTT_MODES)
        k = min(_window_length(mode, window, T), T)
        if clipping is not None and not isinstance(clipping, Clipping):
            raise InputError("clipping must be a Clipping rule")
        if optimizer is None:
            optimizer = SGD()
        elif not isinstance(optimizer, Optimizer):
            raise InputError("the optimizer must be an optimizer of rnnviz.engine.optim")
        start = self._start(h0, c0)
        return _train_windows(self, x, y, keep, eta, mode, k, clipping, start,
                              record_weights, optimizer)


def _scale(value: object) -> float:
    scale = finite_number("the initial weight scale", value)
    if not 0 <= scale <= MAX_INIT_SCALE:
        raise InputError(
            f"the initial weight scale must be from 0 to {MAX_INIT_SCALE:g}, not {value!r}"
        )
    return scale


def _train_windows(network: GatedNetwork, x: np.ndarray, y: np.ndarray,
                   keep: np.ndarray | None, eta: float, mode: str, k: int,
                   clipping: Clipping | None, start: tuple[np.ndarray, np.ndarray],
                   record_weights: bool, optimizer: Optimizer) -> TrainingReport:
    """Forward, backward and one update per window of *k* steps; the state flows on."""
    T = x.shape[0]
    step_clip = clipping if clipping is not None and clipping.scope == "step" else None
    grad_clip = clipping if clipping is not None and clipping.scope == "gradient" else None
    windows = range(0, T, k)
    losses, outputs = np.empty(T), np.empty((T, network.n_outputs))
    hidden = np.empty((T + 1, network.n_hidden))
    hidden[0] = start[0]
    delta_norms = np.empty(T)
    gradient_norms, clipped = np.empty(len(windows)), np.zeros(len(windows), dtype=bool)
    snapshots: list[dict[str, np.ndarray]] = []
    h, c = start
    names = network.parameter_names
    for i, lo in enumerate(windows):
        hi = min(lo + k, T)
        forward = network._forward(x[lo:hi], h, c)
        grads, step_clipped = network._backward(
            forward, y[lo:hi], None if keep is None else keep[lo:hi], None, step_clip
        )
        arrays = [grads.params[name] for name in names]
        gradient_norms[i] = global_norm(arrays)
        clipped[i] = step_clipped
        if grad_clip is not None:
            arrays, clipped[i] = grad_clip.apply(arrays)
        optimizer.step(network.parameters(), dict(zip(names, arrays)), eta)
        losses[lo:hi] = grads.step_losses
        outputs[lo:hi] = forward.outputs
        hidden[lo + 1:hi + 1] = forward.hidden[1:]
        delta_norms[lo:hi] = grads.delta_norms
        h, last_c = forward.final_state
        c = c if last_c is None else last_c
        if record_weights:
            snapshots.append(network.copy_parameters())
    return TrainingReport(
        mode=mode, window=k, step_losses=losses, outputs=outputs, hidden=hidden,
        delta_norms=delta_norms, gradient_norms=gradient_norms, clipped=clipped,
        weights=tuple(snapshots),
    )
