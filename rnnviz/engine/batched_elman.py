"""Many Elman networks of one shape trained side by side: a leading run axis.

R networks with N inputs, H sigmoid hidden units and M sigmoid outputs, no
biases, squared error with c = ½ (seed 001's addition set-up), each learning
from its own sequences by full-sequence BPTT, one update per sequence. The
weights are arrays ``w_xh`` (R, H, N), ``w_hh`` (R, H, H), ``w_hy`` (R, M, H);
one call of :func:`train_step` makes one update of every network.

Each network's numbers are those of
:meth:`rnnviz.engine.elman.ElmanNetwork.train_sequence` for it alone, bit for
bit: the same float operations in the same order. The elementwise ones are
the same numpy functions on a larger array; each product is the same BLAS
call, made once per network by numpy's stacked ``matmul`` (a matrix times a
vector is ``gemv``, a matrix product ``gemm``, with the same transposition
flags as the single network's ``np.dot``/``@``; only the leading dimension
differs, which moves no arithmetic). Arrays are time-major, ``(T, R, …)``, so
that a step's rows are contiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class BatchedElman:
    """The weights of R networks (changed in place by :func:`train_step`)."""

    w_xh: np.ndarray
    w_hh: np.ndarray
    w_hy: np.ndarray

    @property
    def runs(self) -> int:
        return self.w_hh.shape[0]


def _sigmoid(z: np.ndarray, out: np.ndarray, pair: np.ndarray) -> None:
    """σ(z) into *out* with the operations of activations' row kernel:
    ``e^min(z, 0) / (1 + e^(−|z|))``; *pair* is scratch of shape (2, *z.shape)."""
    small, numerator = pair[0], pair[1]
    np.copysign(z, -1.0, out=small)
    np.minimum(z, 0.0, out=numerator)
    np.exp(pair, out=pair)
    np.add(1.0, small, out=small)
    np.divide(numerator, small, out=out)


def forward(net: BatchedElman, x: np.ndarray, lead: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hidden states (T + 1, *B, H) from h_0 = 0 and outputs (*B, T, M) for inputs *x* (T, *B, N).

    *B* is (R,) or (R, P) (P sequences per network); *lead* is the number of
    axes between the run axis and the features (0 or 1), for broadcasting the weights.
    """
    steps, batch = x.shape[0], x.shape[1:-1]
    hidden_size = net.w_hh.shape[-1]
    expand = (slice(None),) + (None,) * lead
    w_xh_t = np.swapaxes(net.w_xh, 1, 2)[expand]  # per network the view single's w_xh.T is
    w_hh = net.w_hh[expand]
    # a_t = W_xh·x_t for every step: per network the (T, N) @ (N, H) product of the pass.
    a = np.empty((steps, *batch, hidden_size))
    np.matmul(np.moveaxis(x, 0, -2), w_xh_t, out=np.moveaxis(a, 0, -2))
    hidden = np.empty((steps + 1, *batch, hidden_size))
    hidden[0] = 0.0
    drive = np.empty((*batch, hidden_size, 1))
    pair = np.empty((2, *batch, hidden_size))
    for t in range(steps):
        np.matmul(w_hh, hidden[t][..., None], out=drive)  # gemv: W_hh·h_{t−1}
        np.add(a[t], drive[..., 0], out=a[t])
        _sigmoid(a[t], hidden[t + 1], pair)
    w_hy_t = np.swapaxes(net.w_hy, 1, 2)[expand]
    z = np.matmul(np.moveaxis(hidden[1:], 0, -2), w_hy_t)  # (*B, T, M): gemv per sequence
    outputs = np.empty_like(z)
    _sigmoid(z, outputs, np.empty((2, *z.shape)))
    return hidden, outputs


def train_step(net: BatchedElman, x: np.ndarray, y: np.ndarray, eta: float) -> np.ndarray:
    """One full-BPTT update of every network on its sequence; returns the outputs before it.

    Parameters
    ----------
    x, y
        Inputs (T, R, N) and targets (R, T, M).
    eta
        The learning rate, shared.
    """
    hidden, outputs = forward(net, x)
    steps = x.shape[0]
    slope = hidden[1:] * (1.0 - hidden[1:])  # σ' from the output, gain 1
    # ε_t = ∂L_t/∂z_t = (2c)(ŷ − t)·ŷ(1 − ŷ) with 2c = 1.0, as elman_output computes it.
    eps = (1.0 * (outputs - y)) * (outputs * (1.0 - outputs))
    from_output = np.matmul(eps, net.w_hy)  # (R, T, H): W_hyᵀ·ε_t, as the single eps @ w_hy
    deltas = np.empty_like(hidden[1:])  # (T, R, H)
    carried = np.zeros((net.runs, 1, net.w_hh.shape[-1]))
    back = np.empty_like(carried)
    for t in range(steps - 1, -1, -1):
        np.matmul(carried, net.w_hh, out=back)  # gemv: W_hhᵀ·δ_{t+1}
        d = deltas[t]
        np.add(from_output[:, t], back[:, 0], out=d)
        np.multiply(slope[t], d, out=d)
        carried = d[:, None, :]
    by_run = np.swapaxes(deltas, 0, 1)  # (R, T, H) views, per network the single's deltas
    grads = (
        np.matmul(np.swapaxes(by_run, 1, 2), np.swapaxes(x, 0, 1)),
        np.matmul(np.swapaxes(by_run, 1, 2), np.swapaxes(hidden[:-1], 0, 1)),
        np.matmul(np.swapaxes(eps, 1, 2), np.swapaxes(hidden[1:], 0, 1)),
    )
    for weight, grad in zip((net.w_xh, net.w_hh, net.w_hy), grads):
        np.subtract(weight, np.multiply(eta, grad, out=grad), out=weight)
    return outputs
