"""The GRU network: N inputs, H GRU units, M outputs (the cuDNN / PyTorch variant).

For a sequence ``x_1 … x_T`` from ``h_0`` (zeros unless said otherwise)::

    r_t = σ(W_xr·x_t + W_hr·h_{t−1} + b_r)                   reset gate
    z_t = σ(W_xz·x_t + W_hz·h_{t−1} + b_z)                   update gate
    n_t = tanh(W_xn·x_t + b_xn + r_t ⊙ (W_hn·h_{t−1} + b_hn))  candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
    (output z_t = W_hy·h_t + b_y, ŷ_t = g(·), as the Elman network's)

The reset gate acts *after* the recurrent product, which is why the
candidate has two biases. Backward, with ``dh_t = ∂E/∂h_t``::

    dan_t = dh_t ⊙ (1 − z_t) ⊙ (1 − n_t²)            (n's pre-activation)
    daz_t = dh_t ⊙ (h_{t−1} − n_t) ⊙ z_t(1 − z_t)
    dar_t = dan_t ⊙ (W_hn·h_{t−1} + b_hn) ⊙ r_t(1 − r_t)
    dh_{t−1} += W_hrᵀ·dar_t + W_hzᵀ·daz_t + W_hnᵀ·(r_t ⊙ dan_t) + z_t ⊙ dh_t

The last term is the direct path, the GRU's gradient highway:
``Π_{k=t+1..T} diag z_k`` along it alone (:func:`~rnnviz.engine.gated.highway_products`).
"""

from __future__ import annotations

import numpy as np

from rnnviz.engine.clipping import Clipping
from rnnviz.engine.gated import GatedForwardPass, GatedGradients, GatedNetwork

__all__ = ["GRUNetwork"]

_dot = getattr(np.dot, "_implementation", np.dot)


class GRUNetwork(GatedNetwork):
    """A GRU network; parameters ``w_x{r,z,n}`` (H, N), ``w_h{r,z,n}`` (H, H),
    ``w_hy`` (M, H), ``b_r``, ``b_z``, ``b_xn``, ``b_hn`` (H,) and ``b_y`` (M,).
    See :class:`~rnnviz.engine.gated.GatedNetwork`."""

    CELL = "GRU"
    GATES = ("r", "z", "n")
    BIAS_NAMES = ("b_r", "b_z", "b_xn", "b_hn")

    def __init__(self, n_inputs: int, n_hidden: int, n_outputs: int, **options) -> None:
        super().__init__(n_inputs, n_hidden, n_outputs, **options)
        self.b_hn = np.zeros(self.n_hidden)  # the candidate's recurrent bias

    def _named(self, name: str) -> np.ndarray:
        return self.b_hn if name == "b_hn" else super()._named(name)

    def _forward(self, x: np.ndarray, h0: np.ndarray, c0: np.ndarray) -> GatedForwardPass:
        T, H = x.shape[0], self.n_hidden
        # σ(a) = (1 + tanh(a/2)) / 2: r's and z's pre-activations are halved up
        # front (their weights and biases), so one tanh and ·½ + ½ give both.
        acts = x @ self.w_x.T  # becomes r, z and n, row by row
        if self.biases:
            acts += self.b
        acts[:, :2 * H] *= 0.5
        w_h = self.w_h.copy()
        w_h[:2 * H] *= 0.5
        hidden = np.empty((T + 1, H))
        hidden[0] = h0
        recurrent = np.empty((T, H))  # W_hn·h_{t−1} + b_hn
        b_hn = self.b_hn if self.biases else np.zeros(H)
        drive = np.empty(3 * H)
        dot, tanh, add, multiply = _dot, np.tanh, np.add, np.multiply
        for t in range(T):
            row = acts[t]
            previous = hidden[t]
            dot(w_h, previous, out=drive)
            gates = row[:2 * H]
            gates += drive[:2 * H]
            tanh(gates, out=gates)
            gates *= 0.5
            gates += 0.5
            hn = recurrent[t]
            add(drive[2 * H:], b_hn, out=hn)
            n = row[2 * H:]
            n += row[:H] * hn  # + r ⊙ (W_hn·h_{t−1} + b_hn)
            tanh(n, out=n)
            h = hidden[t + 1]
            np.subtract(previous, n, out=h)
            multiply(h, row[H:2 * H], out=h)
            h += n  # (1 − z)·n + z·h_{t−1} = n + z·(h_{t−1} − n)
        return self._forward_pass(x, hidden, None, acts, recurrent)

    def _backward(self, forward: GatedForwardPass, y: np.ndarray, keep: np.ndarray | None,
                  window: int | None, step_clip: Clipping | None
                  ) -> tuple[GatedGradients, bool]:
        T, H = forward.steps, self.n_hidden
        eps = self._output_errors(forward, y, keep)
        from_output = eps @ self.w_hy
        r, z, n = (forward.gates[name] for name in self.GATES)
        hn, hidden = forward.recurrent, forward.hidden
        # Every delta of step t is dh_t times a factor known before the sweep:
        # dan = dh·a, daz = dh·b, dar = dh·hn·r(1 − r)·a, and the recurrent
        # candidate's dh·r·a; only dh_t itself has to wait for step t + 1.
        a = (1.0 - z) * (1.0 - n * n)
        on_x = np.empty((T, 3 * H))  # (dar, daz, dan) / dh
        on_x[:, :H] = hn * r * (1.0 - r) * a
        on_x[:, H:2 * H] = (hidden[:-1] - n) * z * (1.0 - z)
        on_x[:, 2 * H:] = a
        on_h = on_x.copy()  # the same, with r·a for the recurrent candidate
        on_h[:, 2 * H:] = r * a
        deltas = np.empty((T, H))
        zero = np.zeros(H)
        dh_next = zero
        spread = np.empty((3, H))
        flat = spread.reshape(-1)
        back = np.empty(3 * H)
        w_h, dot, multiply = self.w_h, _dot, np.multiply
        any_clipped = False
        for t in range(T - 1, -1, -1):
            if window is not None and (t + 1) % window == 0:
                dh_next = zero  # nothing flows in from the next window
            dh = deltas[t]
            np.add(from_output[t], dh_next, out=dh)
            if step_clip is not None:
                clipped, changed = step_clip.apply_to_vector(dh)
                dh[...] = clipped
                any_clipped |= changed
            spread[...] = dh
            multiply(flat, on_h[t], out=back)
            dh_next = dot(back, w_h)
            dh_next += dh * z[t]
        tiled = np.tile(deltas, 3)
        pre = tiled * on_x  # ∂E/∂ of the input-side pre-activations
        back = tiled * on_h  # ∂E/∂ of W_h·h_{t−1} (+ b_hn)
        extra = {"stacked_h": back.T @ hidden[:-1]}
        if self.biases:
            extra["b_hn"] = back[:, 2 * H:].sum(axis=0)
        grads = self._finish(forward, y, keep, eps, pre, deltas, extra,
                             initial_state=dh_next, initial_cell=None, cell_deltas=None)
        return grads, any_clipped
