"""Many networks of one cell and shape trained side by side: plain RNN, LSTM or GRU.

R networks with N inputs, H hidden units and M sigmoid outputs, squared error
(c = ½), biases, full BPTT on one masked sequence each per update, the gradient
clipped to a global norm, then one SGD or Adam step: what
:func:`rnnviz.tasks.memory.run_memory` does for one network, for R of them in
one array per parameter, each ``(R, …)``. No Python loop runs over networks.

Each network's numbers are those of the single engine
(:class:`~rnnviz.engine.elman.ElmanNetwork` with tanh hidden units,
:class:`~rnnviz.engine.lstm.LSTMNetwork`, :class:`~rnnviz.engine.gru.GRUNetwork`,
:class:`~rnnviz.engine.clipping.Clipping`, :mod:`rnnviz.engine.optim`) bit for
bit: elementwise operations are the same numpy functions in the same order on
larger arrays, and every product is the same BLAS call once per network
(numpy's stacked ``matmul`` makes a ``gemv`` where the single network's
``np.dot``/``@`` makes one, a ``gemm`` where it makes one, with the same
transposition; a norm's sum of squares is the same ``ddot``).
The one exception is a gradient whose global norm is outside 1e−145 … 1e145
(the single engine rescales it before squaring): such networks, rare and only
when training has all but diverged, are clipped by the single engine's own
function, one by one.

Sequences are time-major: inputs ``(T, *B, N)`` with *B* = ``(R,)`` for training
or ``(R, P)`` for P sequences per network (a check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnnviz.engine.batched_elman import _sigmoid
from rnnviz.engine.clipping import clip_by_global_norm
from rnnviz.engine.optim import Adam

__all__ = ["BatchedAdam", "BatchedCells", "forward_outputs", "from_networks", "train_step"]

#: Norms from this up are rescaled before squaring by engine.clipping.
_HUGE = 1e145


@dataclass
class BatchedCells:
    """The parameters of R networks of one cell (changed in place by :func:`train_step`).

    *params* holds the stacked arrays by the single network's array names
    (``w_xh w_hh w_hy b_h b_y`` for ``rnn``; ``w_x w_h w_hy b b_y`` (+ ``b_hn``,
    GRU) for the gated cells); *names* the single network's parameter names in
    its order, each with the stacked array and the rows it is a block of.
    """

    cell: str
    hidden: int
    params: dict[str, np.ndarray]
    names: tuple[tuple[str, str, int, int], ...] = field(default=())

    @property
    def runs(self) -> int:
        return self.params["w_hy"].shape[0]

    def select(self, keep: np.ndarray) -> BatchedCells:
        """The networks where *keep* is true (copies)."""
        return BatchedCells(self.cell, self.hidden,
                            {k: v[keep] for k, v in self.params.items()}, self.names)

    def blocks(self, arrays: dict[str, np.ndarray]) -> list[np.ndarray]:
        """*arrays* (stacked like :attr:`params`) split as the single network's parameters."""
        return [arrays[array][:, lo:hi] for _, array, lo, hi in self.names]

    def network_parameters(self, k: int) -> dict[str, np.ndarray]:
        """Network *k*'s parameters by the single network's names (copies)."""
        return {name: self.params[array][k, lo:hi].copy() for name, array, lo, hi in self.names}


def from_networks(cell: str, networks: list) -> BatchedCells:
    """The networks (of :func:`rnnviz.engine.cells.make_network`, one cell and shape) stacked."""
    first = networks[0]
    H = first.n_hidden
    arrays = (("w_xh", "w_hh", "w_hy", "b_h", "b_y") if cell == "rnn"
              else ("w_x", "w_h", "w_hy", "b", "b_y") + (("b_hn",) if cell == "gru" else ()))
    params = {name: np.stack([getattr(n, name) for n in networks]) for name in arrays}
    names = []
    if cell == "rnn":
        names = [(name, name, 0, params[name].shape[1]) for name in first.parameter_names]
    else:
        for name in first.parameter_names:
            if name in ("w_hy", "b_y", "b_hn"):
                names.append((name, name, 0, params[name].shape[1]))
            elif name.startswith(("w_x", "w_h")):
                k = first.GATES.index(name[3:])
                names.append((name, name[:3], k * H, (k + 1) * H))
            else:
                k = first.BIAS_NAMES.index(name)
                names.append((name, "b", k * H, (k + 1) * H))
    return BatchedCells(cell, H, params, tuple(names))


# --------------------------------------------------------------------- forward


def _expand(lead: int) -> tuple:
    return (slice(None),) + (None,) * lead


def _inputs_part(x: np.ndarray, w: np.ndarray, bias: np.ndarray, lead: int) -> np.ndarray:
    """``x_t @ wᵀ + b`` for every step (T, *B, G·H): per sequence the single pass's product."""
    e = _expand(lead)
    acts = np.empty((*x.shape[:-1], w.shape[1]))
    np.matmul(np.moveaxis(x, 0, -2), np.swapaxes(w, 1, 2)[e], out=np.moveaxis(acts, 0, -2))
    acts += bias[e]
    return acts


def _outputs(net: BatchedCells, hidden: np.ndarray, lead: int) -> np.ndarray:
    """ŷ (*B, T, M) from the hidden states (T + 1, *B, H)."""
    e = _expand(lead)
    z = np.matmul(np.moveaxis(hidden[1:], 0, -2), np.swapaxes(net.params["w_hy"], 1, 2)[e])
    z += net.params["b_y"][e][..., None, :]
    outputs = np.empty_like(z)
    _sigmoid(z, outputs, np.empty((2, *z.shape)))
    return outputs


def _forward_rnn(net: BatchedCells, x: np.ndarray, lead: int) -> dict:
    p, e = net.params, _expand(lead)
    a = _inputs_part(x, p["w_xh"], p["b_h"], lead)
    hidden = np.empty((x.shape[0] + 1, *a.shape[1:]))
    hidden[0] = 0.0
    drive = np.empty((*a.shape[1:], 1))
    w_hh = p["w_hh"][e]
    columns, pulled = hidden[..., None], drive[..., 0]
    for t in range(x.shape[0]):
        np.matmul(w_hh, columns[t], out=drive)
        np.add(a[t], pulled, out=a[t])
        np.tanh(a[t], out=hidden[t + 1])
    slope = 1.0 * (1.0 - hidden[1:] * hidden[1:])
    return {"hidden": hidden, "slope": slope}


def _lstm_scales(H: int) -> tuple[np.ndarray, np.ndarray]:
    scale, shift = np.full(4 * H, 0.5), np.full(4 * H, 0.5)
    scale[2 * H:3 * H], shift[2 * H:3 * H] = 1.0, 0.0
    return scale, shift


def _forward_lstm(net: BatchedCells, x: np.ndarray, lead: int) -> dict:
    p, e, H = net.params, _expand(lead), net.hidden
    scale, shift = _lstm_scales(H)
    acts = _inputs_part(x, p["w_x"], p["b"], lead)
    acts *= scale
    w_h = (p["w_h"] * scale[:, None])[e]
    steps, batch = x.shape[0], acts.shape[1:-1]
    hidden, cell = np.empty((steps + 1, *batch, H)), np.empty((steps + 1, *batch, H))
    hidden[0], cell[0] = 0.0, 0.0
    tanh_c = np.empty((steps, *batch, H))
    drive = np.empty((*batch, 4 * H, 1))
    # views made once: a step indexes them (one view each) instead of slicing rows
    columns, pulled = hidden[..., None], drive[..., 0]
    i, f, g, o = (acts[..., k * H:(k + 1) * H] for k in range(4))
    product = np.empty((*batch, H))
    matmul, tanh, multiply, add = np.matmul, np.tanh, np.multiply, np.add
    for t in range(steps):
        row = acts[t]
        matmul(w_h, columns[t], out=drive)
        add(row, pulled, out=row)
        tanh(row, out=row)
        multiply(row, scale, out=row)
        add(row, shift, out=row)
        c = cell[t + 1]
        multiply(f[t], cell[t], out=c)  # f ⊙ c_{t−1}
        add(c, multiply(i[t], g[t], out=product), out=c)  # + i ⊙ g
        tanh(c, out=tanh_c[t])
        multiply(o[t], tanh_c[t], out=hidden[t + 1])
    return {"hidden": hidden, "cell": cell, "acts": acts, "tanh_c": tanh_c}


def _forward_gru(net: BatchedCells, x: np.ndarray, lead: int) -> dict:
    p, e, H = net.params, _expand(lead), net.hidden
    acts = _inputs_part(x, p["w_x"], p["b"], lead)
    acts[..., :2 * H] *= 0.5
    w_h = p["w_h"].copy()
    w_h[:, :2 * H] *= 0.5
    w_h = w_h[e]
    b_hn = p["b_hn"][e]
    steps, batch = x.shape[0], acts.shape[1:-1]
    hidden = np.empty((steps + 1, *batch, H))
    hidden[0] = 0.0
    recurrent = np.empty((steps, *batch, H))
    drive = np.empty((*batch, 3 * H, 1))
    columns, pulled_gates, pulled_n = hidden[..., None], drive[..., :2 * H, 0], drive[..., 2 * H:, 0]
    gates, r, z, n = acts[..., :2 * H], acts[..., :H], acts[..., H:2 * H], acts[..., 2 * H:]
    product = np.empty((*batch, H))
    matmul, tanh, multiply, add = np.matmul, np.tanh, np.multiply, np.add
    for t in range(steps):
        previous, rz, nt = hidden[t], gates[t], n[t]
        matmul(w_h, columns[t], out=drive)
        add(rz, pulled_gates, out=rz)
        tanh(rz, out=rz)
        multiply(rz, 0.5, out=rz)
        add(rz, 0.5, out=rz)
        hn = recurrent[t]
        add(pulled_n, b_hn, out=hn)
        add(nt, multiply(r[t], hn, out=product), out=nt)  # + r ⊙ (W_hn·h_{t−1} + b_hn)
        tanh(nt, out=nt)
        h = hidden[t + 1]
        np.subtract(previous, nt, out=h)
        multiply(h, z[t], out=h)
        add(h, nt, out=h)
    return {"hidden": hidden, "acts": acts, "recurrent": recurrent}


_FORWARD = {"rnn": _forward_rnn, "lstm": _forward_lstm, "gru": _forward_gru}


def forward_outputs(net: BatchedCells, x: np.ndarray) -> np.ndarray:
    """ŷ (R, P, T, M) of every network on its P sequences *x* (T, R, P, N)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _outputs(net, _FORWARD[net.cell](net, x, 1)["hidden"], 1)


# -------------------------------------------------------------------- backward


def _backward_rnn(net: BatchedCells, state: dict, from_output: np.ndarray) -> tuple:
    p = net.params
    hidden, slope = state["hidden"], state["slope"]
    deltas = np.empty_like(hidden[1:])  # (T, R, H)
    carried = np.zeros((net.runs, 1, net.hidden))
    back = np.empty_like(carried)
    for t in range(deltas.shape[0] - 1, -1, -1):
        np.matmul(carried, p["w_hh"], out=back)
        d = deltas[t]
        np.add(from_output[:, t], back[:, 0], out=d)
        np.multiply(slope[t], d, out=d)
        carried = d[:, None, :]
    return deltas, {"w_hh": _by_steps(deltas, hidden[:-1])}


def _backward_lstm(net: BatchedCells, state: dict, from_output: np.ndarray) -> tuple:
    H = net.hidden
    acts, cell, tanh_c = state["acts"], state["cell"], state["tanh_c"]
    i, f, g, o = (acts[..., k * H:(k + 1) * H] for k in range(4))
    steps = acts.shape[0]
    factors = np.empty(acts.shape)
    factors[..., :H] = g * i * (1.0 - i)
    factors[..., H:2 * H] = cell[:-1] * f * (1.0 - f)
    factors[..., 2 * H:3 * H] = i * (1.0 - g * g)
    factors[..., 3 * H:] = tanh_c * o * (1.0 - o)
    through_tanh = o * (1.0 - tanh_c * tanh_c)
    pre = np.empty(acts.shape)
    deltas, cell_deltas = np.empty(tanh_c.shape), np.empty(tanh_c.shape)
    zero = np.zeros((net.runs, H))
    dh_next, dc_next = zero, zero
    spread = np.empty((net.runs, 4, H))
    flat = spread.reshape(net.runs, 4 * H)
    back = np.empty((net.runs, 1, H))
    w_h = net.params["w_h"]
    for t in range(steps - 1, -1, -1):
        dh, dc = deltas[t], cell_deltas[t]
        np.add(from_output[:, t], dh_next, out=dh)
        np.multiply(dh, through_tanh[t], out=dc)
        dc += dc_next
        spread[:, :3] = dc[:, None, :]
        spread[:, 3] = dh
        np.multiply(flat, factors[t], out=pre[t])
        np.matmul(pre[t][:, None, :], w_h, out=back)
        dh_next = back[:, 0].copy()
        dc_next = dc * f[t]
    return pre, {"w_h": _by_steps(pre, state["hidden"][:-1])}


def _backward_gru(net: BatchedCells, state: dict, from_output: np.ndarray) -> tuple:
    H = net.hidden
    acts, hn, hidden = state["acts"], state["recurrent"], state["hidden"]
    r, z, n = (acts[..., k * H:(k + 1) * H] for k in range(3))
    a = (1.0 - z) * (1.0 - n * n)
    on_x = np.empty(acts.shape)
    on_x[..., :H] = hn * r * (1.0 - r) * a
    on_x[..., H:2 * H] = (hidden[:-1] - n) * z * (1.0 - z)
    on_x[..., 2 * H:] = a
    on_h = on_x.copy()
    on_h[..., 2 * H:] = r * a
    deltas = np.empty(hn.shape)
    dh_next = np.zeros((net.runs, H))
    spread = np.empty((net.runs, 3, H))
    flat = spread.reshape(net.runs, 3 * H)
    back = np.empty((net.runs, 3 * H))
    carried = np.empty((net.runs, 1, H))
    w_h = net.params["w_h"]
    for t in range(acts.shape[0] - 1, -1, -1):
        dh = deltas[t]
        np.add(from_output[:, t], dh_next, out=dh)
        spread[...] = dh[:, None, :]
        np.multiply(flat, on_h[t], out=back)
        np.matmul(back[:, None, :], w_h, out=carried)
        dh_next = carried[:, 0].copy()
        dh_next += dh * z[t]
    tiled = np.tile(deltas, 3)
    pre = tiled * on_x
    back_all = tiled * on_h
    return pre, {"w_h": _by_steps(back_all, hidden[:-1]),
                 "b_hn": back_all[..., 2 * H:].sum(axis=0)}


def _by_steps(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``leftᵀ @ right`` per network for time-major (T, R, ·) arrays: the single
    pass's ``deltas.T @ states``."""
    return np.matmul(np.swapaxes(np.swapaxes(left, 0, 1), 1, 2), np.swapaxes(right, 0, 1))


_BACKWARD = {"rnn": _backward_rnn, "lstm": _backward_lstm, "gru": _backward_gru}


def gradients(net: BatchedCells, x: np.ndarray, y: np.ndarray, keep: np.ndarray
              ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """BPTT of every network on its sequence, x (T, R, N), y (R, T, M), *keep* (T,)
    the loss mask as floats: the gradients stacked like ``net.params`` and each
    network's loss E (R,)."""
    state = _FORWARD[net.cell](net, x, 0)
    hidden = state["hidden"]
    outputs = _outputs(net, hidden, 0)
    eps = (2.0 * 0.5) * (outputs - y)
    eps = eps * (outputs * (1.0 - outputs))
    eps = eps * keep[:, None]
    diff = outputs - y
    losses = (0.5 * np.einsum("rtm,rtm->rt", diff, diff)) * keep
    from_output = np.matmul(eps, net.params["w_hy"])  # (R, T, H)
    pre, extra = _BACKWARD[net.cell](net, state, from_output)
    first = "w_xh" if net.cell == "rnn" else "w_x"
    grads = {first: _by_steps(pre, x), "w_hy": np.matmul(np.swapaxes(eps, 1, 2),
                                                         np.swapaxes(hidden[1:], 0, 1)),
             "b_y": eps.sum(axis=1)}
    grads["b_h" if net.cell == "rnn" else "b"] = pre.sum(axis=0)
    grads.update(extra)
    return grads, losses.sum(axis=1)


# ------------------------------------------------------------------ update


def clip_to_norm(net: BatchedCells, grads: dict[str, np.ndarray], max_norm: float) -> None:
    """Scale each network's gradient so that its global norm is at most *max_norm*
    (in place), as :func:`~rnnviz.engine.clipping.clip_by_global_norm` for it alone."""
    runs = net.runs
    total = np.zeros(runs)
    with np.errstate(over="ignore"):  # an overflow is a norm for the rescaling below
        for block in net.blocks(grads):
            flat = block.reshape(runs, 1, -1)
            total = total + np.matmul(flat, np.swapaxes(flat, 1, 2))[:, 0, 0]
    norm = np.sqrt(total)
    odd = norm >= _HUGE  # the single engine rescales before squaring (tiny norms: no clip)
    factor = np.where((norm <= max_norm) | odd, 1.0, max_norm / norm)
    for grad in grads.values():
        np.multiply(grad, factor.reshape((runs,) + (1,) * (grad.ndim - 1)), out=grad)
    for k in np.flatnonzero(odd):
        blocks = [b[k] for b in net.blocks(grads)]
        clipped, _ = clip_by_global_norm(blocks, max_norm)
        for block, new in zip(blocks, clipped):
            block[...] = new


def sgd_step(net: BatchedCells, grads: dict[str, np.ndarray], eta: float) -> None:
    """``θ ← θ − η·g`` for every network."""
    for name, param in net.params.items():
        param -= eta * grads[name]


class BatchedAdam(Adam):
    """Adam's moments for R networks in lockstep (one shared step count): the moments of
    :class:`~rnnviz.engine.optim.Adam` with a leading run axis, its very operations, so each
    network's update is Adam's for it alone."""

    def select(self, keep: np.ndarray) -> BatchedAdam:
        """The moments of the networks *keep* picks (those that go on training)."""
        kept = BatchedAdam(self.beta1, self.beta2, self.epsilon)
        kept.steps = self.steps
        kept.first = {k: v[keep] for k, v in self.first.items()}
        kept.second = {k: v[keep] for k, v in self.second.items()}
        return kept

    def step(self, net: BatchedCells, grads: dict[str, np.ndarray], eta: float) -> None:  # type: ignore[override]
        super().step(net.params, grads, eta)


def train_step(net: BatchedCells, x: np.ndarray, y: np.ndarray, keep: np.ndarray,
               optimizer, eta: float, max_norm: float) -> np.ndarray:
    """One update of every network on its sequence (x (T, R, N), y (R, T, M)):
    BPTT, global-norm clipping, then *optimizer* (``"sgd"`` or a :class:`BatchedAdam`);
    returns each network's loss before the update (R,)."""
    grads, losses = gradients(net, x, y, keep)
    clip_to_norm(net, grads, max_norm)
    if optimizer == "sgd":
        sgd_step(net, grads, eta)
    else:
        optimizer.step(net, grads, eta)
    return losses
