"""The LSTM network: N inputs, H LSTM units (no peepholes), M outputs.

For a sequence ``x_1 … x_T`` from the state ``(h_0, c_0)`` (zeros unless said
otherwise), with σ the logistic function::

    i_t = σ(W_xi·x_t + W_hi·h_{t−1} + b_i)      input gate
    f_t = σ(W_xf·x_t + W_hf·h_{t−1} + b_f)      forget gate (b_f starts at 1)
    g_t = tanh(W_xg·x_t + W_hg·h_{t−1} + b_g)   candidate
    o_t = σ(W_xo·x_t + W_ho·h_{t−1} + b_o)      output gate
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t             cell state
    h_t = o_t ⊙ tanh(c_t)                       hidden state
    z_t = W_hy·h_t + b_y,   ŷ_t = g(z_t)        output, as the Elman network's

Backward, with ``dh_t = ∂E/∂h_t`` and ``dc_t = ∂E/∂c_t`` (everything each
influences)::

    dh_t = W_hyᵀ·ε_t + Σ_gates W_h?ᵀ·da?_{t+1}
    dc_t = dh_t ⊙ o_t ⊙ (1 − tanh²c_t) + dc_{t+1} ⊙ f_{t+1}
    dao_t = dh_t ⊙ tanh c_t ⊙ o_t(1 − o_t)     dai_t = dc_t ⊙ g_t ⊙ i_t(1 − i_t)
    daf_t = dc_t ⊙ c_{t−1} ⊙ f_t(1 − f_t)      dag_t = dc_t ⊙ i_t ⊙ (1 − g_t²)

The cell path ``dc_{t+1} ⊙ f_{t+1}`` is the gradient highway: along it alone
``∂c_T/∂c_t = Π_{k=t+1..T} diag f_k`` (:func:`~rnnviz.engine.gated.highway_products`).
"""

from __future__ import annotations

import functools

import numpy as np

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.gated import GatedForwardPass, GatedGradients, GatedNetwork

__all__ = ["LSTMNetwork"]

_dot = getattr(np.dot, "_implementation", np.dot)


class LSTMNetwork(GatedNetwork):
    """An LSTM network; parameters ``w_x{i,f,g,o}`` (H, N), ``w_h{i,f,g,o}`` (H, H),
    ``w_hy`` (M, H), ``b_{i,f,g,o}`` (H,) and ``b_y`` (M,). With biases the forget
    bias ``b_f`` starts at 1. See :class:`~rnnviz.engine.gated.GatedNetwork`."""

    CELL = "LSTM"
    GATES = ("i", "f", "g", "o")
    BIAS_NAMES = ("b_i", "b_f", "b_g", "b_o")

    def __init__(self, n_inputs: int, n_hidden: int, n_outputs: int, **options) -> None:
        super().__init__(n_inputs, n_hidden, n_outputs, **options)
        if self.biases:
            self._named("b_f")[...] = 1.0

    def _state_names(self) -> tuple[str, ...]:
        return ("h0", "c0")

    def _forward(self, x: np.ndarray, h0: np.ndarray, c0: np.ndarray) -> GatedForwardPass:
        T, H = x.shape[0], self.n_hidden
        # σ(a) = (1 + tanh(a/2)) / 2, exact and without overflow: the σ gates'
        # pre-activations are halved up front (weights and biases), so that one
        # tanh of the whole row, then ·scale + shift, gives i, f, g and o at once.
        scale, shift = _scales(H)
        acts = x @ self.w_x.T  # becomes the gates' activations, row by row
        if self.biases:
            acts += self.b
        acts *= scale
        w_h = self.w_h * scale[:, None]
        hidden, cell = np.empty((T + 1, H)), np.empty((T + 1, H))
        hidden[0], cell[0] = h0, c0
        tanh_c = np.empty((T, H))
        drive = np.empty(4 * H)
        dot, tanh, multiply = _dot, np.tanh, np.multiply
        for t in range(T):
            row = acts[t]
            dot(w_h, hidden[t], out=drive)
            row += drive
            tanh(row, out=row)
            row *= scale
            row += shift
            c = cell[t + 1]
            multiply(row[H:2 * H], cell[t], out=c)  # f ⊙ c_{t−1}
            c += row[:H] * row[2 * H:3 * H]  # + i ⊙ g
            tanh(c, out=tanh_c[t])
            multiply(row[3 * H:], tanh_c[t], out=hidden[t + 1])
        return self._forward_pass(x, hidden, cell, acts, tanh_c)

    def _backward(self, forward: GatedForwardPass, y: np.ndarray, keep: np.ndarray | None,
                  window: int | None, step_clip: Clipping | None
                  ) -> tuple[GatedGradients, bool]:
        T, H = forward.steps, self.n_hidden
        eps = self._output_errors(forward, y, keep)
        from_output = eps @ self.w_hy
        i, f, g, o = (forward.gates[name] for name in self.GATES)
        tanh_c, cell = forward.recurrent, forward.cell
        # Everything but dh_t and dc_t is known before the sweep: the factors
        # that turn (dc, dc, dc, dh) into the four pre-activation deltas, and
        # the one that turns dh_t into its share of dc_t.
        factors = np.empty((T, 4 * H))
        factors[:, :H] = g * i * (1.0 - i)
        factors[:, H:2 * H] = cell[:-1] * f * (1.0 - f)
        factors[:, 2 * H:3 * H] = i * (1.0 - g * g)
        factors[:, 3 * H:] = tanh_c * o * (1.0 - o)
        through_tanh = o * (1.0 - tanh_c * tanh_c)
        pre = np.empty((T, 4 * H))
        deltas, cell_deltas = np.empty((T, H)), np.empty((T, H))
        zero = np.zeros(H)
        dh_next, dc_next = zero, zero
        spread = np.empty((4, H))  # (dc, dc, dc, dh)
        flat = spread.reshape(-1)
        w_h, dot, multiply = self.w_h, _dot, np.multiply
        any_clipped = False
        for t in range(T - 1, -1, -1):
            if window is not None and (t + 1) % window == 0:
                dh_next, dc_next = zero, zero  # nothing flows in from the next window
            dh, dc = deltas[t], cell_deltas[t]
            np.add(from_output[t], dh_next, out=dh)
            multiply(dh, through_tanh[t], out=dc)
            dc += dc_next
            if step_clip is not None:
                clipped_h, clipped_c, changed = _clip_pair(step_clip, dh, dc)
                dh[...], dc[...] = clipped_h, clipped_c
                any_clipped |= changed
            spread[:3] = dc
            spread[3] = dh
            multiply(flat, factors[t], out=pre[t])
            dh_next = dot(pre[t], w_h)
            dc_next = dc * f[t]
        extra = {"stacked_h": pre.T @ forward.hidden[:-1]}
        grads = self._finish(forward, y, keep, eps, pre, deltas, extra,
                             initial_state=dh_next, initial_cell=dc_next,
                             cell_deltas=cell_deltas)
        return grads, any_clipped


@functools.lru_cache(maxsize=16)
def _scales(units: int) -> tuple[np.ndarray, np.ndarray]:
    """Read-only (scale, shift) rows for i, f, g, o: ½ and ½ for the σ gates, 1 and 0
    for the candidate g (tanh itself)."""
    scale, shift = np.full(4 * units, 0.5), np.full(4 * units, 0.5)
    scale[2 * units:3 * units], shift[2 * units:3 * units] = 1.0, 0.0
    scale.flags.writeable = shift.flags.writeable = False
    return scale, shift


def _clip_pair(rule: Clipping, dh: np.ndarray, dc: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, bool]:
    """``∂E/∂h_t`` and ``∂E/∂c_t`` each clipped by a step-scope rule."""
    dh, changed_h = rule.apply_to_vector(dh)
    dc, changed_c = rule.apply_to_vector(dc)
    return dh, dc, changed_h or changed_c
