"""The Elman network: N inputs, H hidden units with recurrent links, M outputs.

For a sequence ``x_1 … x_T`` (each a vector of N numbers) the network computes::

    a_t = W_xh·x_t + W_hh·h_{t−1} + b_h        hidden pre-activation
    h_t = f(a_t)                               f: sigmoid, tanh or bipolar
    z_t = W_hy·h_t + b_y                       output pre-activation
    ŷ_t = g(z_t)                               g: sigmoid, linear or softmax

starting from a given state ``h_0`` (zeros unless said otherwise). These are
the letters of docs/architecture.md, "The Elman network and BPTT"; in code the
matrices are ``w_xh``, ``w_hh``, ``w_hy`` and the biases ``b_h``, ``b_y``. The
loss of
a sequence is the sum of the per-step losses::

    squared error    L_t = c·Σ_m (t_{t,m} − ŷ_{t,m})²   (c = ½ by default)
    cross-entropy    L_t = −Σ_m t_{t,m}·log ŷ_{t,m}     (softmax output only)

The factor ``c`` is ½ by default, the convention of the one-neuron learner
and of seed 001, under which the output error is simply ``ŷ − t``; the worked
example of seed 003 uses ``E = Σ (t − p)²``, which is ``c = 1``.

Back-propagation through time (BPTT) sends, for every step, the error of the
output pre-activation ``ε_t = ∂L_t/∂z_t`` back into the hidden layer and then
back in time through ``W_hh``::

    δ_t = f'(a_t) ⊙ (W_hyᵀ·ε_t + W_hhᵀ·δ_{t+1}),      δ_{T+1} = 0

``δ_t = ∂E/∂a_t`` collects everything that ``a_t`` influences: its own output
and every later step. The gradients are sums over time of outer products::

    ∂E/∂W_hy = Σ ε_t·h_tᵀ      ∂E/∂b_y = Σ ε_t
    ∂E/∂W_xh = Σ δ_t·x_tᵀ      ∂E/∂W_hh = Σ δ_t·h_{t−1}ᵀ      ∂E/∂b_h = Σ δ_t
    ∂E/∂h_0  = W_hhᵀ·δ_1

The norm ``‖δ_t‖`` per step is recorded: plotted against the step it shows
whether the error signal fades (vanishing gradients) or grows (exploding
gradients) as it travels back in time.

Learning modes (:data:`BPTT_MODES`), all plain gradient descent ``θ ← θ − η·g``:

``online``
    one update after every step, from that step's loss only, with ``h_{t−1}``
    taken as a constant (the gradient is cut after one step). For one input,
    one hidden unit, one output, no biases and ``c = ½`` this is exactly the
    one-neuron learner's ``simultaneous`` rule.
``truncated`` (BPTT(k))
    the sequence is cut into windows of *k* steps; the hidden state flows on
    from window to window, but δ does not flow back across a window's start.
    One update after every window. ``k = 1`` is ``online``; ``k ≥ T`` is ``full``.
``full``
    one window holding the whole sequence: exact gradient, one update at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from rnnviz.engine.activations import ACTIVATIONS, Activation
from rnnviz.engine.clipping import Clipping, global_norm, row_norms
from rnnviz.engine.elman_output import (
    LOSSES, OUTPUTS, output_errors, output_settings, output_values, step_losses,
)
from rnnviz.engine.elman_results import ForwardPass, Gradients, TrainingReport
from rnnviz.engine.errors import InputError
from rnnviz.engine.validation import choice, finite_number, positive_int

__all__ = [
    "BIAS_NAMES", "BPTT_MODES", "LOSSES", "MAX_INIT_SCALE", "MAX_UNITS", "OUTPUTS", "WEIGHT_NAMES",
    "ElmanNetwork", "ForwardPass", "Gradients", "TrainingReport", "bptt_gradients",
]

#: Learning modes, see the module docstring.
BPTT_MODES: Final[tuple[str, ...]] = ("full", "truncated", "online")

#: Most units in any one layer (inputs, hidden or outputs). A 2048-unit
#: recurrent matrix is 32 MiB; far larger ones would exhaust memory or take
#: hours per sequence, which is not what a teaching tool is for.
MAX_UNITS: Final[int] = 2048

#: Largest initial weight scale. Weights this large already saturate every
#: sigmoid or tanh unit; beyond about 1e307 numpy cannot even draw them.
MAX_INIT_SCALE: Final[float] = 1000.0

#: ``np.dot`` without its dispatcher: numpy's C function itself (the same gemv
#: call and floats), for the passes' per-step products, where numpy has one.
_dot = getattr(np.dot, "_implementation", np.dot)

#: Parameter names in a fixed order (biases only when the network has them).
WEIGHT_NAMES: Final[tuple[str, ...]] = ("w_xh", "w_hh", "w_hy")
BIAS_NAMES: Final[tuple[str, ...]] = ("b_h", "b_y")


def _matrix(name: str, value: object, width: int, rows: int | None = None,
            *, copy: bool = True) -> np.ndarray:
    """*value* as a finite float64 array of shape (rows, width).

    A 1-D array is accepted when *width* is 1 (a sequence of scalars). With
    ``copy=False`` a float64 array is used as it is, not copied: for callers
    that only read it and keep nothing of it (a C-ordered one; others are copied).
    """
    if type(value) is np.ndarray and value.dtype == np.float64:
        # what np.array(value, dtype=np.float64) gives, sooner; a C-ordered
        # array as it is when no copy is wanted (the products see the same layout)
        array = value if not copy and value.flags.c_contiguous else value.copy()
    else:
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be numbers") from None
    if array.ndim == 1 and width == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[1] != width:
        raise InputError(
            f"{name} must have shape (steps, {width}), not {tuple(array.shape)}"
        )
    if rows is not None and array.shape[0] != rows:
        raise InputError(f"{name} must have {rows} steps, not {array.shape[0]}")
    if array.shape[0] == 0:
        raise InputError(f"{name} must hold at least one step")
    if not np.isfinite(array).all():
        raise InputError(f"{name} must be finite numbers (no NaN or infinity)")
    return array


def _units(name: str, value: object) -> int:
    """A layer size: a whole number from 1 to :data:`MAX_UNITS`."""
    number = positive_int(name, value)
    if number > MAX_UNITS:
        raise InputError(f"{name} must be at most {MAX_UNITS}, not {number}")
    return number


def _vector(name: str, value: object, size: int) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numbers") from None
    if array.shape != (size,):
        raise InputError(f"{name} must hold {size} numbers, not {array.size}")
    if not np.isfinite(array).all():
        raise InputError(f"{name} must be finite numbers (no NaN or infinity)")
    return array


# ------------------------------------------------------------------- network


class ElmanNetwork:
    """A simple recurrent (Elman) network with its parameters.

    Parameters
    ----------
    n_inputs, n_hidden, n_outputs
        N, H and M; whole numbers from 1 to :data:`MAX_UNITS` (2048).
    hidden
        Hidden activation: ``"sigmoid"``, ``"tanh"`` or ``"bipolar"``.
    gain
        Gain *k* of the hidden activation, ``f(z) = base(k·z)``.
    output
        ``"sigmoid"``, ``"linear"`` or ``"softmax"``.
    output_gain
        Gain of the output sigmoid (ignored by the other outputs).
    loss
        ``"squared"`` or ``"cross_entropy"``; default: cross-entropy for a
        softmax output, squared error otherwise.
    squared_error_factor
        *c* in ``L_t = c·Σ(t − ŷ)²``; ½ by default (see the module docstring).
    biases
        Whether the network has (and learns) ``b_h`` and ``b_y``.
    init_scale
        Weights start uniform in ``[−init_scale, init_scale]``; biases at 0.
        From 0 to :data:`MAX_INIT_SCALE` (1000).
    seed
        Seed or generator for the initial weights.

    Attributes
    ----------
    w_xh, w_hh, w_hy, b_h, b_y : numpy.ndarray
        The parameters, shapes (H, N), (H, H), (M, H), (H,), (M,). Updates
        change them in place, so a view may hold on to them. Without biases
        ``b_h`` and ``b_y`` stay zero.
    h0 : numpy.ndarray
        The default starting state (zeros), shape (H,); not learned.
    """

    def __init__(
        self,
        n_inputs: int,
        n_hidden: int,
        n_outputs: int,
        *,
        hidden: str = "tanh",
        gain: float = 1.0,
        output: str = "sigmoid",
        output_gain: float = 1.0,
        loss: str | None = None,
        squared_error_factor: float = 0.5,
        biases: bool = True,
        init_scale: float = 0.5,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        self.n_inputs = _units("the number of inputs", n_inputs)
        self.n_hidden = _units("the number of hidden units", n_hidden)
        self.n_outputs = _units("the number of outputs", n_outputs)
        self.hidden_activation = Activation(
            choice("hidden activation", hidden, ACTIVATIONS),
            finite_number("the gain", gain, positive=True),
        )
        self.output, self.output_gain, self.loss_name, self.squared_error_factor = output_settings(
            output, output_gain, loss, squared_error_factor
        )
        self.biases = bool(biases)
        scale = finite_number("the initial weight scale", init_scale)
        if scale < 0:
            raise InputError(f"the initial weight scale must not be negative, not {init_scale!r}")
        if scale > MAX_INIT_SCALE:
            raise InputError(
                f"the initial weight scale must be at most {MAX_INIT_SCALE:g}, not {init_scale!r}"
            )
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        H, N, M = self.n_hidden, self.n_inputs, self.n_outputs
        self.w_xh = rng.uniform(-scale, scale, (H, N))
        self.w_hh = rng.uniform(-scale, scale, (H, H))
        self.w_hy = rng.uniform(-scale, scale, (M, H))
        self.b_h = np.zeros(H)
        self.b_y = np.zeros(M)
        self.h0 = np.zeros(H)

    # -- parameters -------------------------------------------------------

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the learned parameters, in a fixed order."""
        return WEIGHT_NAMES + BIAS_NAMES if self.biases else WEIGHT_NAMES

    def parameters(self) -> dict[str, np.ndarray]:
        """The learned parameters by name (the live arrays, not copies)."""
        return {name: getattr(self, name) for name in self.parameter_names}

    def copy_parameters(self) -> dict[str, np.ndarray]:
        """A snapshot of the learned parameters."""
        return {name: getattr(self, name).copy() for name in self.parameter_names}

    def set_parameters(self, values: Mapping[str, object]) -> None:
        """Overwrite some parameters in place (all checked before any is written).

        Parameters
        ----------
        values
            Name → array of the parameter's shape; names from
            :attr:`parameter_names`, plus ``"h0"`` for the starting state.
        """
        allowed = self.parameter_names + ("h0",)
        checked: dict[str, np.ndarray] = {}
        for name, value in values.items():
            if name not in allowed:
                raise InputError(f"unknown parameter {name!r}; choose from {', '.join(allowed)}")
            target = getattr(self, name)
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
            getattr(self, name)[...] = array

    # -- forward ------------------------------------------------------------

    def forward(self, inputs: object, h0: object | None = None) -> ForwardPass:
        """Run the network over a sequence without learning.

        Parameters
        ----------
        inputs
            Shape (T, N); (T,) is accepted when N = 1.
        h0
            Starting state, shape (H,); default :attr:`h0`.

        Returns
        -------
        ForwardPass
        """
        x = _matrix("the inputs", inputs, self.n_inputs)
        start = self.h0 if h0 is None else _vector("the starting state", h0, self.n_hidden)
        return self._forward(x, start)

    def _forward(self, x: np.ndarray, start: np.ndarray) -> ForwardPass:
        T, H = x.shape[0], self.n_hidden
        act = self.hidden_activation
        # The input part of every a_t does not depend on the recurrence, so it
        # is one matrix product for the whole sequence; only W_hh·h_{t−1} has
        # to wait for the previous step.
        a = x @ self.w_xh.T
        if self.biases:
            a += self.b_h
        hidden = np.empty((T + 1, H))
        hidden[0] = start
        # a_t += W_hh·h_{t−1}; h_t = f(a_t), written in place: the numbers of
        # `a[t] += w_hh @ h; h = act(a[t])` without a temporary per operation
        # (tests/test_engine_speedups.py holds the two to bit equality).
        # np.dot and np.matmul make the same BLAS call (gemv) for a matrix and
        # a vector; dot's is the shorter way there.
        put = act.row_kernel(H)
        dot, add = _dot, np.add
        w_hh, drive = self.w_hh, np.empty(H)
        previous = hidden[0]
        for at, h in zip(a, hidden[1:]):
            dot(w_hh, previous, out=drive)
            add(at, drive, out=at)
            put(at, h)
            previous = h
        slope = act.derivative_from_output(hidden[1:])
        z = hidden[1:] @ self.w_hy.T
        if self.biases:
            z += self.b_y
        return ForwardPass(x, a, hidden, slope, z, output_values(z, self.output, self.output_gain))

    def check_example(
        self, inputs: object, targets: object, mask: object | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """An example as :meth:`passes` takes it: ``(x, y, keep)``, all checked.

        *inputs* (T, N) and *targets* (T, M) become finite float64 arrays (a
        C-ordered float64 array is used as it is, not copied), *mask* (T,
        booleans) the 1.0/0.0 floats the loss is multiplied by, or None.
        Raises :class:`InputError` naming what is wrong.
        """
        x = _matrix("the inputs", inputs, self.n_inputs, copy=False)
        y = _matrix("the targets", targets, self.n_outputs, x.shape[0], copy=False)
        return x, y, _mask(mask, x.shape[0])

    def passes(
        self, x: np.ndarray, y: np.ndarray, keep: np.ndarray | None = None, window: int | None = None
    ) -> tuple[ForwardPass, Gradients]:
        """Forward pass from :attr:`h0` and BPTT for an example :meth:`check_example` made.

        The very numbers of :meth:`forward` then :meth:`backward` (no clipping),
        without checking the arrays again: for a caller that learns from the
        same checked example many times (the lab). *window* is None or ≥ 1.
        """
        forward = self._forward(x, self.h0)
        grads, _ = self._backward(forward, y, keep, window, None)
        return forward, grads

    # -- loss -----------------------------------------------------------------

    def step_losses(
        self, forward: ForwardPass, targets: object, mask: object | None = None
    ) -> np.ndarray:
        """``L_t`` for every step of a forward pass (0 where *mask* is false).

        Parameters
        ----------
        forward
            A forward pass of this network.
        targets
            Shape (T, M); (T,) is accepted when M = 1.
        mask
            Optional booleans, shape (T,): which steps have a loss.
        """
        y = _matrix("the targets", targets, self.n_outputs, forward.steps)
        return self._step_losses(forward, y, _mask(mask, forward.steps))

    def sequence_loss(
        self, inputs: object, targets: object, h0: object | None = None, mask: object | None = None
    ) -> float:
        """E: forward pass plus summed loss, for checking gradients numerically."""
        forward = self.forward(inputs, h0)
        return float(self.step_losses(forward, targets, mask).sum())

    def _step_losses(
        self, forward: ForwardPass, y: np.ndarray, keep: np.ndarray | None
    ) -> np.ndarray:
        return step_losses(
            forward.outputs, forward.pre_outputs, y, keep,
            loss=self.loss_name, squared_error_factor=self.squared_error_factor,
        )

    # -- backward -------------------------------------------------------------

    def backward(
        self,
        forward: ForwardPass,
        targets: object,
        *,
        mask: object | None = None,
        window: int | None = None,
        clipping: Clipping | None = None,
    ) -> Gradients:
        """BPTT: the gradient of the sequence loss at the current weights.

        Parameters
        ----------
        forward
            A forward pass of this network with its current weights.
        targets
            Shape (T, M); (T,) is accepted when M = 1.
        mask
            Optional booleans, shape (T,): which steps have a loss.
        window
            Truncation *k*: δ does not flow back across the start of a window
            of *k* steps (windows start at step 1, k + 1, …). ``None``: exact.
        clipping
            A rule with ``scope="step"`` clips every δ_t on its way back;
            gradient-scope rules are applied by the training methods instead.

        Returns
        -------
        Gradients
        """
        y = _matrix("the targets", targets, self.n_outputs, forward.steps)
        keep = _mask(mask, forward.steps)
        if window is not None:
            window = positive_int("the truncation window k", window)
        step_clip = clipping if clipping is not None and clipping.scope == "step" else None
        grads, _ = self._backward(forward, y, keep, window, step_clip)
        return grads

    def _backward(
        self,
        forward: ForwardPass,
        y: np.ndarray,
        keep: np.ndarray | None,
        window: int | None,
        step_clip: Clipping | None,
    ) -> tuple[Gradients, bool]:
        T, H = forward.steps, self.n_hidden
        eps = output_errors(
            forward.outputs, y, keep,
            loss=self.loss_name, squared_error_factor=self.squared_error_factor,
            output=self.output, gain=self.output_gain,
        )
        # W_hyᵀ·ε_t for every step at once: the part of δ_t that comes from
        # the step's own output, independent of the backward recursion.
        from_output = eps @ self.w_hy
        slope = forward.hidden_slope
        deltas = np.empty((T, H))
        w_hh = self.w_hh
        zero = np.zeros(H)
        carried = zero
        back = np.empty(H)
        any_clipped = False
        dot, add, multiply = _dot, np.add, np.multiply
        rows = zip(range(T - 1, -1, -1), deltas[::-1], slope[::-1], from_output[::-1])
        for t, d, f_slope, from_out in rows:
            if window is not None and (t + 1) % window == 0:
                # Start of the backward sweep through a new window: nothing
                # flows in from the window after it.
                carried = zero
            # δ_t = f'(a_t) ⊙ (W_hyᵀ·ε_t + W_hhᵀ·δ_{t+1}), written into its row
            # in place (the numbers of `slope[t] * (from_output[t] + carried @ w_hh)`).
            dot(carried, w_hh, out=back)
            add(from_out, back, out=d)
            multiply(f_slope, d, out=d)
            if step_clip is not None:
                clipped, changed = step_clip.apply_to_vector(d)
                if changed:
                    d[...] = clipped
                    any_clipped = True
            carried = d
        hidden = forward.hidden
        params = {
            "w_xh": deltas.T @ forward.inputs,
            "w_hh": deltas.T @ hidden[:-1],
            "w_hy": eps.T @ hidden[1:],
        }
        if self.biases:
            params["b_h"] = deltas.sum(axis=0)
            params["b_y"] = eps.sum(axis=0)
        grads = Gradients(
            params=params,
            initial_state=deltas[0] @ w_hh,
            output_errors=eps,
            deltas=deltas,
            delta_norms=row_norms(deltas),
            step_losses=self._step_losses(forward, y, keep),
        )
        return grads, any_clipped

    # -- learning ---------------------------------------------------------------

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
        record_weights: bool = False,
    ) -> TrainingReport:
        """Learn from one sequence by gradient descent with BPTT.

        Parameters
        ----------
        inputs, targets
            Shapes (T, N) and (T, M); (T,) is accepted for N = 1 or M = 1.
        learning_rate
            η, finite and above 0.
        mode
            ``"full"``, ``"truncated"`` (needs *window*) or ``"online"``.
        window
            *k* for ``truncated``; must be omitted (or 1) for ``online``.
        clipping
            Optional rule; ``scope="gradient"`` clips each update's gradient,
            ``scope="step"`` clips every δ_t.
        mask
            Optional booleans, shape (T,): which steps have a loss.
        h0
            Starting state; default :attr:`h0`.
        record_weights
            Keep a copy of the parameters after every update in the report.

        Returns
        -------
        TrainingReport
        """
        # Read only, and nothing the report holds is a view of them: no copies.
        x = _matrix("the inputs", inputs, self.n_inputs, copy=False)
        T = x.shape[0]
        y = _matrix("the targets", targets, self.n_outputs, T, copy=False)
        keep = _mask(mask, T)
        eta = finite_number("the learning rate", learning_rate, positive=True)
        mode = choice("learning mode", mode, BPTT_MODES)
        k = _window_length(mode, window, T)
        if clipping is not None and not isinstance(clipping, Clipping):
            raise InputError("clipping must be a Clipping rule")
        start = self.h0 if h0 is None else _vector("the starting state", h0, self.n_hidden)
        return _train_windows(
            self, x, y, keep, eta, mode, min(k, T), clipping, start, record_weights
        )


def _window_length(mode: str, window: int | None, steps: int) -> int:
    """The steps *k* each update of *mode* looks back over (before capping at *steps*)."""
    if mode == "truncated":
        if window is None:
            raise InputError("truncated BPTT needs a window length k")
        return positive_int("the truncation window k", window)
    if window is not None and not (mode == "online" and window == 1):
        raise InputError(f"a window length k only applies to truncated BPTT, not {mode}")
    return 1 if mode == "online" else steps


def _mask(mask: object | None, steps: int) -> np.ndarray | None:
    """*mask* checked and as 1.0 / 0.0 per step, or ``None`` when every step has a loss."""
    if mask is None:
        return None
    array = np.asarray(mask)
    if array.shape != (steps,) or array.dtype != np.bool_:
        raise InputError(f"the mask must be {steps} booleans, one per step")
    return array.astype(np.float64)


def _train_windows(
    network: ElmanNetwork,
    x: np.ndarray,
    y: np.ndarray,
    keep: np.ndarray | None,
    eta: float,
    mode: str,
    k: int,
    clipping: Clipping | None,
    start: np.ndarray,
    record_weights: bool,
) -> TrainingReport:
    """The loop of :meth:`ElmanNetwork.train_sequence` over windows of *k* steps,
    its arguments already checked: forward, backward and one update per window."""
    T = x.shape[0]
    step_clip = clipping if clipping is not None and clipping.scope == "step" else None
    grad_clip = clipping if clipping is not None and clipping.scope == "gradient" else None
    windows = range(0, T, k)
    count = len(windows)
    if count == 1:  # full BPTT: the pass's own arrays are the report's, nothing to gather
        return _train_whole(network, x, y, keep, eta, mode, clipping, start, record_weights)
    losses = np.empty(T)
    outputs = np.empty((T, network.n_outputs))
    hidden = np.empty((T + 1, network.n_hidden))
    hidden[0] = start
    delta_norms = np.empty(T)
    gradient_norms = np.empty(count)
    clipped = np.zeros(count, dtype=bool)
    snapshots: list[dict[str, np.ndarray]] = []
    state = np.array(start, dtype=np.float64)
    names = network.parameter_names
    for i, lo in enumerate(windows):
        hi = min(lo + k, T)
        forward = network._forward(x[lo:hi], state)
        grads, step_clipped = network._backward(
            forward, y[lo:hi], None if keep is None else keep[lo:hi], None, step_clip
        )
        arrays = [grads.params[name] for name in names]
        gradient_norms[i] = global_norm(arrays)
        if grad_clip is not None:
            arrays, changed = grad_clip.apply(arrays)
            clipped[i] = changed
        else:
            clipped[i] = step_clipped
        for name, g in zip(names, arrays):
            # in place, so that views holding the arrays see the update
            getattr(network, name).__isub__(eta * g)
        losses[lo:hi] = grads.step_losses
        outputs[lo:hi] = forward.outputs
        hidden[lo + 1 : hi + 1] = forward.hidden[1:]
        delta_norms[lo:hi] = grads.delta_norms
        # The next window starts from the state this one reached with the
        # weights it ran with; only δ is cut, not the state.
        state = forward.final_hidden
        if record_weights:
            snapshots.append(network.copy_parameters())
    return TrainingReport(
        mode=mode,
        window=k,
        step_losses=losses,
        outputs=outputs,
        hidden=hidden,
        delta_norms=delta_norms,
        gradient_norms=gradient_norms,
        clipped=clipped,
        weights=tuple(snapshots),
    )


def _train_whole(
    network: ElmanNetwork,
    x: np.ndarray,
    y: np.ndarray,
    keep: np.ndarray | None,
    eta: float,
    mode: str,
    clipping: Clipping | None,
    start: np.ndarray,
    record_weights: bool,
) -> TrainingReport:
    """:func:`_train_windows` for one window holding the whole sequence: the same
    float operations, the forward and backward passes' arrays handed on uncopied."""
    step_clip = clipping if clipping is not None and clipping.scope == "step" else None
    forward = network._forward(x, start)  # only read: its values become h_0 of the pass
    grads, clipped = network._backward(forward, y, keep, None, step_clip)
    names = network.parameter_names
    arrays = [grads.params[name] for name in names]
    norm = global_norm(arrays)
    if clipping is not None and clipping.scope == "gradient":
        arrays, clipped = clipping.apply(arrays)
    multiply, subtract = np.multiply, np.subtract
    for name, g in zip(names, arrays):
        # θ ← θ − η·g in place (views holding the arrays see the update); η·g
        # into g itself, which nothing else holds
        param = getattr(network, name)
        subtract(param, multiply(eta, g, out=g), out=param)
    return TrainingReport(
        mode=mode,
        window=x.shape[0],
        step_losses=grads.step_losses,
        outputs=forward.outputs,
        hidden=forward.hidden,
        delta_norms=grads.delta_norms,
        gradient_norms=np.array([norm]),
        clipped=np.array([clipped]),
        weights=(network.copy_parameters(),) if record_weights else (),
    )


def bptt_gradients(
    network: ElmanNetwork,
    inputs: object,
    targets: object,
    *,
    h0: object | None = None,
    mask: object | None = None,
    window: int | None = None,
    clipping: Clipping | None = None,
) -> Gradients:
    """Forward pass and BPTT in one call, learning nothing.

    Parameters
    ----------
    network
        The network whose current weights are differentiated.
    inputs, targets
        Shapes (T, N) and (T, M); (T,) is accepted for N = 1 or M = 1.
    h0
        Starting state; default ``network.h0``.
    mask
        Optional booleans, shape (T,): which steps have a loss.
    window
        Truncation *k* (see :meth:`ElmanNetwork.backward`); ``None``: exact.
    clipping
        A step-scope rule clips every δ_t on its way back.

    Returns
    -------
    Gradients
    """
    forward = network.forward(inputs, h0)
    return network.backward(forward, targets, mask=mask, window=window, clipping=clipping)
