"""The network lab's gradient check, without Qt: BPTT's gradient beside central finite differences.

For one example at the network's current parameters θ, every learned
parameter θ_i gets two numbers and their relative error::

    a_i = ∂L/∂θ_i                       BPTT (ElmanNetwork.backward), exact: no truncation, no clipping
    n_i = (L(θ + h_i e_i) − L(θ − h_i e_i)) / ((θ_i + h_i) − (θ_i − h_i))
    h_i = ε·max(|θ_i|, 1),  ε = 1e−6     (:data:`EPSILON`)
    r_i = |a_i − n_i| / max(|a_i| + |n_i|, 1e−300)

The step is relative so that a large weight is nudged in proportion to its
size; the denominator of n_i is the step the two nudged values really differ by
once rounded, not 2h_i. A parameter the loss does not depend on at all gives
a = n = 0 and r = 0.

Rounding sets the check's floor: L itself is rounded to about u·L, so n_i is
off by about u·L/h_i, which in float64 (u ≈ 1.1e−16) is 1e−6 of a gradient
of 1e−4·L, and many of addition's W_hh entries are smaller. The nudged copies
are therefore run in extended precision (:data:`WIDE`, u ≈ 5.4e−20 on x86),
all side by side (:func:`nudged_losses`), with the engine's own activation,
output and loss functions; the verdict's threshold :data:`AGREE_BELOW` (1e−6)
then holds down to gradients of about 1e−7·L, and the central difference's
own error, of order h², stays far below it. A network too large for
extended precision's slow products (:data:`WIDE_WORK`) is differenced in
float64, and :func:`check_lines` says below which size that leaves a
gradient's relative error to rounding. When the outputs match their targets
to 1e−10 the gradient itself is float64 rounding in BPTT, and the lines say
that too.

The check costs two forward passes per parameter. Above :data:`MAX_FULL`
(2,000) parameters a seeded random sample of :data:`SAMPLE_SIZE` (500) is
checked instead, and :func:`check_lines` says so.

Parameters are written with their math names (``W_hh``) and indices counted
from 1: ``W_hh[i, j]`` is the weight from h_j to h_i.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.elman import ElmanNetwork, bptt_gradients
from rnnviz.engine.elman_output import output_values, step_losses
from rnnviz.engine.errors import InputError
from rnnviz.engine.notation import MINUS
from rnnviz.engine.validation import positive_int
from rnnviz.present.format import format_number

__all__ = [
    "AGREE_BELOW", "EPSILON", "MAX_FULL", "SAMPLE_SIZE", "GradientCheck", "check_lines",
    "display_name", "gradient_check", "nudged_losses",
]

#: The finite-difference step, relative to max(|θ|, 1).
EPSILON: Final[float] = 1e-6
#: Relative errors below this mean that BPTT and the finite differences agree.
AGREE_BELOW: Final[float] = 1e-6
#: Networks with more parameters than this are checked on a random sample.
MAX_FULL: Final[int] = 2_000
#: Size of that sample.
SAMPLE_SIZE: Final[int] = 500
#: The floor of the relative error's denominator.
TINY: Final[float] = 1e-300
#: Outputs closer than this to their targets leave a gradient that float64
#: holds to worse than 1e−6 (its rounding is about 1e−16 of the outputs).
ROUNDING_LEVEL: Final[float] = 1e-10
#: The precision the finite differences are computed in (x86: a 64-bit
#: mantissa, rounding 2,048 times finer than float64's; elsewhere it may be float64).
WIDE: Final[type] = np.longdouble
#: Above this many multiply-adds (extended precision has no fast matrix
#: product: about 2 ns each) the finite differences run in float64 instead.
WIDE_WORK: Final[float] = 3e8
#: Nudged copies of the network run side by side in one batch of at most this many pairs.
CHUNK: Final[int] = 512

#: The math names of the parameters (docs/architecture.md's letters).
DISPLAY_NAMES: Final[dict[str, str]] = {
    "w_xh": "W_xh", "w_hh": "W_hh", "w_hy": "W_hy", "b_h": "b_h", "b_y": "b_y",
}

#: ``analytic(network, inputs, targets, mask)`` → the gradient by parameter name.
Analytic = Callable[[ElmanNetwork, np.ndarray, np.ndarray, "np.ndarray | None"],
                    Mapping[str, np.ndarray]]


def display_name(name: str, index: tuple[int, ...]) -> str:
    """``"W_hh[3, 7]"``: a parameter entry, indices counted from 1."""
    return f"{DISPLAY_NAMES.get(name, name)}[{', '.join(str(i + 1) for i in index)}]"


@dataclass(frozen=True, eq=False)
class GradientCheck:
    """One check: a row per parameter entry checked, in the network's parameter order
    (``W_xh, W_hh, W_hy, b_h, b_y``) and row-major index order within each.

    Attributes
    ----------
    names, indices
        Each row's parameter name (``"w_hh"``) and its 0-based index tuple.
    values
        θ_i, the parameter's value.
    analytic, numeric, errors, steps
        a_i, n_i, r_i and h_i (module docstring); all float64, shape (rows,).
    total
        How many parameters the network has (rows < total when sampled).
    sampled
        Whether the rows are a random sample; *seed* is the sample's seed.
    loss
        L at θ.
    precision
        ``"extended"`` or ``"float64"``: what the finite differences were computed in.
    output_error
        The largest |ŷ_t − target_t| over the steps that have a loss: below
        :data:`ROUNDING_LEVEL` the gradient itself is mostly float64 rounding.
    """

    names: tuple[str, ...]
    indices: tuple[tuple[int, ...], ...]
    values: np.ndarray
    analytic: np.ndarray
    numeric: np.ndarray
    errors: np.ndarray
    steps: np.ndarray
    total: int
    sampled: bool
    seed: int
    loss: float
    output_error: float
    precision: str = "extended"

    @property
    def rows(self) -> int:
        return len(self.names)

    def label(self, row: int) -> str:
        """Row *row*'s parameter as ``"W_hh[3, 7]"``."""
        return display_name(self.names[row], self.indices[row])

    @property
    def finite(self) -> bool:
        """Whether every number of the check is finite (it means nothing otherwise)."""
        return bool(math.isfinite(self.loss) and np.isfinite(self.analytic).all()
                    and np.isfinite(self.numeric).all())

    @property
    def worst(self) -> int | None:
        """The row with the largest relative error (the first of equals); ``None`` if no row."""
        if not self.rows:
            return None
        errors = np.where(np.isnan(self.errors), np.inf, self.errors)
        return int(np.argmax(errors))

    @property
    def worst_error(self) -> float:
        worst = self.worst
        return 0.0 if worst is None else float(self.errors[worst])

    @property
    def agree(self) -> bool:
        """The verdict: every relative error below :data:`AGREE_BELOW` (and all finite)."""
        return self.finite and self.worst_error < AGREE_BELOW

    @property
    def failing(self) -> int:
        """How many rows are at or above :data:`AGREE_BELOW`."""
        return int(np.count_nonzero(~(self.errors < AGREE_BELOW)))


def gradient_check(network: ElmanNetwork, inputs: object, targets: object,
                   mask: object | None = None, *, sample: int | None = None, seed: int = 0,
                   analytic: Analytic | None = None) -> GradientCheck:
    """Check BPTT's gradient of one example against central finite differences.

    Parameters
    ----------
    network
        The network at the parameters to check; it is not changed.
    inputs, targets, mask
        The example, as :meth:`ElmanNetwork.sequence_loss` takes them.
    sample
        Check at most this many parameters, a random sample when there are more;
        ``None``: all of them up to :data:`MAX_FULL`, else :data:`SAMPLE_SIZE`.
    seed
        Seed of the sample.
    analytic
        The gradient to check; default BPTT's (``bptt_gradients(...).params``).
        Tests pass a deliberately wrong one to see it flagged.

    Returns
    -------
    GradientCheck
    """
    if not isinstance(network, ElmanNetwork):
        raise InputError("the gradient check needs an Elman network")
    if sample is not None:
        sample = positive_int("the gradient check's sample size", sample)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"the gradient check's seed must be a whole number ≥ 0, not {seed!r}")
    with np.errstate(all="ignore"):
        if analytic is None:
            grads = bptt_gradients(network, inputs, targets, mask=mask).params
        else:
            grads = analytic(network, inputs, targets, mask)
        loss = network.sequence_loss(inputs, targets, mask=mask)
        output_error = _output_error(network, inputs, targets, mask)
        rows = _chosen_rows(network, sample, seed)
        values = np.array([float(getattr(network, name).reshape(-1)[k]) for name, k in rows])
        steps = EPSILON * np.maximum(np.abs(values), 1.0)
        up, down = values + steps, values - steps
        x = np.asarray(inputs, dtype=np.float64).reshape(-1, network.n_inputs)
        y = np.asarray(targets, dtype=np.float64).reshape(-1, network.n_outputs)
        keep = None if mask is None else np.asarray(mask, dtype=np.float64)
        numeric = np.empty(len(rows))
        work = 2.0 * len(rows) * x.shape[0] * network.n_hidden * (
            network.n_hidden + network.n_outputs)
        dtype = WIDE if work <= WIDE_WORK else np.float64
        for lo in range(0, len(rows), CHUNK):
            part = slice(lo, lo + CHUNK)
            nudges = np.concatenate([up[part], down[part]])
            losses = nudged_losses(network, x, y, keep, rows[part] * 2, nudges, dtype=dtype)
            half = losses.size // 2
            numeric[part] = (losses[:half] - losses[half:]) / (
                np.asarray(up[part], dtype=dtype) - np.asarray(down[part], dtype=dtype))
        analytic_values = np.array([float(np.asarray(grads[name], dtype=np.float64).reshape(-1)[i])
                                    for name, i in rows])
        errors = np.abs(analytic_values - numeric) / np.maximum(
            np.abs(analytic_values) + np.abs(numeric), TINY)
    total = sum(p.size for p in network.parameters().values())
    return GradientCheck(
        names=tuple(name for name, _ in rows),
        indices=tuple(tuple(int(i) for i in np.unravel_index(k, getattr(network, name).shape))
                      for name, k in rows),
        values=values, analytic=analytic_values, numeric=numeric, errors=errors, steps=steps,
        total=total, sampled=len(rows) < total, seed=int(seed), loss=float(loss),
        output_error=output_error,
        precision="extended" if np.finfo(dtype).eps < np.finfo(np.float64).eps else "float64",
    )


def _output_error(network: ElmanNetwork, inputs: object, targets: object,
                  mask: object | None) -> float:
    """max |ŷ_t − target_t| over the steps that have a loss."""
    outputs = network.forward(inputs).outputs
    gap = np.abs(outputs - np.asarray(targets, dtype=np.float64).reshape(outputs.shape))
    if mask is not None:
        gap = gap[np.asarray(mask, dtype=bool)]
    return float(gap.max()) if gap.size else 0.0


def nudged_losses(network: ElmanNetwork, x: np.ndarray, y: np.ndarray, keep: np.ndarray | None,
                  rows: list[tuple[str, int]], nudged: np.ndarray, *,
                  dtype: type = WIDE) -> np.ndarray:
    """L of the example for copies of *network* that differ from it in one entry each.

    Copy b has parameter entry ``rows[b]`` (name, flat index) set to
    ``nudged[b]``; all copies run side by side in *dtype* (:data:`WIDE` by default)
    through the network's equations (module docstring of
    :mod:`rnnviz.engine.elman`), with the engine's own activation, output and
    loss functions. A copy differs from the network by d_b = nudged_b − θ in
    one entry, so each matrix product is the shared one plus d_b times one
    number: ``(W + d e_i e_jᵀ)·h = W·h + d·h_j e_i``.
    """
    params = {name: np.asarray(getattr(network, name), dtype=dtype)
              for name in ("w_xh", "w_hh", "w_hy", "b_h", "b_y")}
    count = len(rows)
    batch = np.arange(count)
    shift = np.empty(count, dtype=dtype)
    where: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for name, array in params.items():
        picked = np.array([b for b in range(count) if rows[b][0] == name], dtype=np.intp)
        flat = np.array([rows[b][1] for b in picked], dtype=np.intp)
        rows_of, cols_of = np.unravel_index(flat, array.shape) if array.ndim == 2 \
            else (flat, np.zeros_like(flat))
        shift[picked] = np.asarray(nudged[picked], dtype=dtype) - array.reshape(-1)[flat]
        where[name] = (batch[picked], rows_of, cols_of)
    act = network.hidden_activation
    x_wide = x.astype(dtype)
    drive = x_wide @ params["w_xh"].T
    if network.biases:
        drive += params["b_h"]
    state = np.broadcast_to(np.asarray(network.h0, dtype=dtype), (count, network.n_hidden))
    totals = np.zeros(count, dtype=dtype)
    # einsum is numpy's fastest product for long doubles; float64 has BLAS's.
    product = _wide_product if dtype is not np.float64 else _blas_product
    for t in range(x.shape[0]):
        a = drive[t] + product(state, params["w_hh"])
        b, i, j = where["w_xh"]
        a[b, i] += shift[b] * x_wide[t, j]
        b, i, j = where["w_hh"]
        a[b, i] += shift[b] * state[b, j]
        b, i, _ = where["b_h"]
        a[b, i] += shift[b]
        state = act(a)
        if keep is not None and keep[t] == 0.0:
            continue
        z = product(state, params["w_hy"])
        if network.biases:
            z += params["b_y"]
        b, m, j = where["w_hy"]
        z[b, m] += shift[b] * state[b, j]
        b, m, _ = where["b_y"]
        z[b, m] += shift[b]
        outputs = output_values(z, network.output, network.output_gain)
        targets = np.broadcast_to(y[t], z.shape)
        totals += step_losses(outputs, z, targets, None, loss=network.loss_name,
                              squared_error_factor=network.squared_error_factor)
    return totals


def _wide_product(states: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``states @ matrix.T`` for long doubles."""
    return np.einsum("bj,ij->bi", states, matrix)


def _blas_product(states: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return states @ matrix.T


def _chosen_rows(network: ElmanNetwork, sample: int | None, seed: int) -> list[tuple[str, int]]:
    """(name, flat index) of the entries to check, in parameter order."""
    every = [(name, k) for name, array in network.parameters().items() for k in range(array.size)]
    most = sample if sample is not None else (len(every) if len(every) <= MAX_FULL else SAMPLE_SIZE)
    if most >= len(every):
        return every
    chosen = np.sort(np.random.default_rng(seed).choice(len(every), size=most, replace=False))
    return [every[i] for i in chosen]


def check_lines(check: GradientCheck, *, window: int | None = None,
                clipping: bool = False) -> list[str]:
    """What the panel writes above the table: the verdict first, then the notes that apply.

    Parameters
    ----------
    check
        The check.
    window
        The run's truncation k, if any: the check is of the full gradient, said so.
    clipping
        Whether the run clips its gradients: the check is of the unclipped one.
    """
    lines = [_verdict(check)]
    if not check.agree and check.finite and check.output_error < ROUNDING_LEVEL:
        lines.append(f"The outputs are within {format_number(check.output_error)} of their targets: "
                     "a gradient this small is mostly float64 rounding in BPTT itself, so a "
                     "disagreement here says nothing about BPTT.")
    if check.sampled:
        lines.append(f"The network has {check.total:,} parameters: checked a random sample of "
                     f"{check.rows:,} (seed {check.seed}), two forward passes each.")
    if window is not None:
        lines.append(f"The run truncates BPTT at k = {window}; this checks the full, "
                     "untruncated gradient (the exact ∂L/∂θ).")
    if clipping:
        lines.append("The run clips its gradients; this checks the gradient before clipping.")
    wide = "extended precision" if check.precision == "extended" else "float64"
    if check.precision != "extended" and check.finite:
        floor = np.finfo(np.float64).eps * max(abs(check.loss), np.finfo(np.float64).tiny) / (
            2 * EPSILON * AGREE_BELOW)
        lines.append(f"A network this large is differenced in float64: below about "
                     f"{format_number(floor)} a gradient's relative error is mostly the finite "
                     "difference's own rounding.")
    lines.append(f"Finite differences: central, step h = {_plain(EPSILON)}·max(|θ|, 1), "
                 f"in {wide}; relative error |a − n| / (|a| + |n|); they agree below "
                 f"{_plain(AGREE_BELOW)}.")
    return lines


def _verdict(check: GradientCheck) -> str:
    if check.rows == 0:
        return "Nothing to check: the network has no parameters."
    if not check.finite:
        return ("Cannot check: the loss or its gradient is not finite at these weights "
                f"(L = {format_number(check.loss)}).")
    worst = check.worst
    assert worst is not None
    where = (f"worst relative error {format_number(check.worst_error)} at {check.label(worst)} "
             f"(BPTT {format_number(float(check.analytic[worst]))}, "
             f"finite difference {format_number(float(check.numeric[worst]))})")
    if check.agree:
        return f"BPTT and finite differences agree on all {check.rows:,}: {where}."
    return (f"BPTT and finite differences DISAGREE on {check.failing:,} of {check.rows:,}: "
            f"{where}.")


def _plain(value: float) -> str:
    """``1e−6`` with a true minus."""
    return f"{value:g}".replace("e-0", "e-").replace("-", MINUS)
