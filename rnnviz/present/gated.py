"""What the gated cells' lab views paint (issue 15), without Qt.

Three pure functions, each from the engine's own numbers
(:mod:`rnnviz.engine.lstm`, :mod:`rnnviz.engine.gru`, whose letters these are):

:func:`gate_lanes`
    For a forward pass: every gate's activation per unit per step as one
    (gates × units × steps) array, with the gates' letters, names and value
    ranges (LSTM ``i f g o``, GRU ``r z n``), and the state that carries the
    memory — the LSTM's cell state ``c_t``, the GRU's hidden state ``h_t`` —
    per unit, ``t = 0 … T``. The values are the engine's arrays, rearranged.
:func:`gradient_highway`
    For one example: ``‖∂L/∂c_t‖`` (LSTM) or ``‖∂L/∂h_t‖`` (GRU) per step, the
    product of the forget (update) gates from step t on,
    :func:`~rnnviz.engine.gated.highway_products` (per unit, and their mean),
    and the plain RNN's ``‖∂L/∂h_t‖`` for the same example from an Elman
    network, as the lab's flow plot computes it
    (:func:`~rnnviz.present.lab.flow_series`): series for one log axis.
:func:`cell_arithmetic`
    One unit's arithmetic at one step in slow-motion stages, as ``symbol =
    formula = numbers = result`` lines in the style of the worked example's
    panel (:class:`~rnnviz.present.lab_worked.WorkedLine`): LSTM gates →
    candidate → new cell state → new hidden state; GRU r, z → n → h.

Zeros on the log axis. The series hold positive finite values only; a value
that is 0, infinite or NaN is NaN there (a gap in the curve, as the lab's flow
plot draws it). Before that, the highway product is made tail-accurate the
way the lab makes its slopes (:mod:`rnnviz.engine.derivatives`). The engine's
σ gates are ``(1 + tanh(a/2))/2``, exact to ~6e−17 but not relative to a tiny
value: σ(−30) comes out 1.7e−4 of itself off and σ(a) is exactly 0 below
a ≈ −38. So a product with a factor below :data:`TAIL_GATE`, or that is exactly 0
(a gate rounded to 0, or a product below the smallest float), is recomputed as
``exp(Σ log σ(a_k))`` from the gates' pre-activations, ``log σ(a) =
−log(1 + e^(−a))`` summed without underflow; only a product truly below
~1e−308 is a gap. Everywhere else it is the engine's, bit for bit. The gradient norms are the engine's
(:class:`~rnnviz.engine.gated.GatedGradients`) and the plain RNN's the lab's
own, tail-accurate already; where they are 0 the curve has a gap.

Steps are numbered t = 1 … T and units j = 1 … H in texts and arguments;
array rows are 0-based.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.clipping import row_norms
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.gated import GatedForwardPass, GatedNetwork, highway_products
from rnnviz.engine.notation import MINUS
from rnnviz.present.format import format_number
from rnnviz.present.lab import delta_colour_scale, flow_series, unrolled_state
from rnnviz.present.lab_worked import WorkedLine, WorkedSection, result_text

__all__ = [
    "GATE_NAMES", "TAIL_GATE", "CellArithmetic", "CellLine", "GateLanes", "Highway", "cell_arithmetic",
    "gate_lanes", "gradient_highway",
]

#: Below this, the engine's σ gates, ``(1 + tanh(a/2))/2``, are exact to ~6e−17 but no
#: longer to 1e−8 of themselves (σ(−30) is 1.7e−4 off, σ(−38) is 0): a highway product
#: with such a factor is recomputed from the pre-activations.
TAIL_GATE: Final[float] = 1e-8

#: Each cell's gates in the engine's order: (letter, name, value range).
GATE_NAMES: Final[dict[str, tuple[tuple[str, str, tuple[float, float]], ...]]] = {
    "LSTM": (("i", "input gate", (0.0, 1.0)), ("f", "forget gate", (0.0, 1.0)),
             ("g", "candidate", (-1.0, 1.0)), ("o", "output gate", (0.0, 1.0))),
    "GRU": (("r", "reset gate", (0.0, 1.0)), ("z", "update gate", (0.0, 1.0)),
            ("n", "candidate", (-1.0, 1.0))),
}


def _cell_of(forward: object) -> str:
    if not isinstance(forward, GatedForwardPass):
        raise InputError("the gated views need a forward pass of an LSTM or GRU network")
    return "LSTM" if forward.cell is not None else "GRU"


# -- gate lanes -------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class GateLanes:
    """Every gate's activation per unit per step, and the memory state's trajectories.

    Attributes
    ----------
    cell
        ``"LSTM"`` or ``"GRU"``.
    steps, units
        T and H.
    letters, names, ranges
        Per gate, in the engine's order: ``"f"``, ``"forget gate"``, ``(0, 1)``.
    activations
        Shape (gates, H, T): ``activations[k, j, t − 1]`` is gate k of unit j + 1 at step t.
    state_letter
        ``"c"`` (LSTM) or ``"h"`` (GRU): the state that carries the memory.
    state
        Shape (H, T + 1): that state per unit, column 0 the starting state.
    state_range
        (low, high) for the state's axis: ±1 for the GRU's h (it stays in [−1, 1]
        from a start in it), ±(the largest |c_t|, at least 1) for the LSTM's c.
    hidden
        Shape (H, T + 1): ``h_t`` per unit (the same as :attr:`state` for the GRU).
    """

    cell: str
    steps: int
    units: int
    letters: tuple[str, ...]
    names: tuple[str, ...]
    ranges: tuple[tuple[float, float], ...]
    activations: np.ndarray
    state_letter: str
    state: np.ndarray
    state_range: tuple[float, float]
    hidden: np.ndarray


def gate_lanes(forward: GatedForwardPass) -> GateLanes:
    """The gate lanes and state trajectories of a gated forward pass (module docstring)."""
    cell = _cell_of(forward)
    letters, names, ranges = zip(*GATE_NAMES[cell], strict=True)
    activations = np.stack([forward.gates[letter].T for letter in letters])
    hidden = forward.hidden.T.copy()
    if cell == "LSTM":
        state = forward.cell.T.copy()
        finite = np.abs(state[np.isfinite(state)])
        reach = max(1.0, float(finite.max())) if finite.size else 1.0
        state_range = (-reach, reach)
    else:
        state, state_range = hidden, (-1.0, 1.0)
    return GateLanes(
        cell=cell, steps=forward.steps, units=hidden.shape[0], letters=letters, names=names,
        ranges=ranges, activations=activations, state_letter="c" if cell == "LSTM" else "h",
        state=state, state_range=state_range, hidden=hidden,
    )


# -- the gradient highway -----------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Highway:
    """Series for one log axis against t = 1 … T (positive finite values, else NaN).

    Attributes
    ----------
    cell
        ``"LSTM"`` or ``"GRU"``.
    steps
        t = 1 … T (float64, for plotting).
    path_label, path_norms
        ``"‖∂L/∂c_t‖"`` (LSTM) or ``"‖∂L/∂h_t‖"`` (GRU) and its values, the engine's.
    hidden_norms
        ``‖∂L/∂h_t‖`` of the gated network (for the GRU the same as :attr:`path_norms`).
    highway_label, highway, highway_units
        ``"Π f_k, k = t+1 … T"`` (or ``z_k``); the mean over the units, shape (T,);
        each unit's product, shape (H, T): ``∂c_T/∂c_t`` along the cell path alone.
    plain_norms
        The plain RNN's ``‖∂L/∂h_t‖`` for the same example (the lab's flow plot's
        values), or None when no Elman network was given.
    decades
        (low, high) powers of ten holding every value shown
        (:func:`~rnnviz.present.lab.delta_colour_scale`).
    """

    cell: str
    steps: np.ndarray
    path_label: str
    path_norms: np.ndarray
    hidden_norms: np.ndarray
    highway_label: str
    highway: np.ndarray
    highway_units: np.ndarray
    plain_norms: np.ndarray | None
    decades: tuple[float, float]


def _shown(values: np.ndarray) -> np.ndarray:
    """Positive finite values kept, anything else NaN (a gap on a log axis)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _highway_pre_activations(network: GatedNetwork, forward: GatedForwardPass) -> np.ndarray:
    """The forget (LSTM) or update (GRU) gate's pre-activations, shape (T, H); that gate is
    block 1 of the stack in both cells."""
    H = network.n_hidden
    rows = slice(H, 2 * H)
    a = forward.inputs @ network.w_x[rows].T + forward.hidden[:-1] @ network.w_h[rows].T
    if network.biases:
        a += network.b[rows]
    return a


def _tail_accurate(products: np.ndarray, factors: np.ndarray, pre: np.ndarray) -> np.ndarray:
    """The engine's products, except those with a factor below :data:`TAIL_GATE` (or that are
    0): ``exp(Σ log σ(a_k))`` from the pre-activations *pre* there."""
    tail = factors < TAIL_GATE
    if not tail.any() and (products > 0).all():
        return products
    with np.errstate(over="ignore", invalid="ignore"):
        logs = -np.logaddexp(0.0, -pre)  # log σ(a), no overflow
    sums = np.zeros_like(products)
    sums[:-1] = np.cumsum(logs[::-1], axis=0)[::-1]
    redo = np.zeros(products.shape, dtype=bool)
    redo[:-1] = np.cumsum(tail[::-1], axis=0)[::-1] > 0  # a tail factor from step t + 1 on
    return np.where(redo | ~(products > 0), np.exp(sums), products)


def gradient_highway(network: GatedNetwork, inputs: object, targets: object,
                     mask: object | None = None, *,
                     plain: ElmanNetwork | None = None) -> Highway:
    """The gradient-highway series of one example (module docstring).

    Parameters
    ----------
    network
        The LSTM or GRU network at the weights to show (not changed).
    inputs, targets, mask
        As :meth:`~rnnviz.engine.gated.GatedNetwork.backward` takes them.
    plain
        An Elman network with the same inputs and outputs, whose ``‖∂L/∂h_t‖`` for
        the same example goes beside (None: left out).

    Raises
    ------
    InputError
        Not a gated network, a plain network of other sizes, or a bad example, in one line.
    """
    if not isinstance(network, GatedNetwork):
        raise InputError("the gradient highway needs an LSTM or GRU network")
    if plain is not None and (not isinstance(plain, ElmanNetwork)
                              or (plain.n_inputs, plain.n_outputs)
                              != (network.n_inputs, network.n_outputs)):
        raise InputError("the plain RNN beside the highway must be an Elman network with "
                         f"{network.n_inputs} inputs and {network.n_outputs} outputs")
    with np.errstate(over="ignore", invalid="ignore"):
        forward = network.forward(inputs)
        grads = network.backward(forward, targets, mask=mask)
    cell = _cell_of(forward)
    gate = "f" if cell == "LSTM" else "z"
    products = _tail_accurate(highway_products(forward), forward.gates[gate],
                              _highway_pre_activations(network, forward))[1:].T
    highway = _shown(products.mean(axis=0))
    path = grads.cell_deltas if cell == "LSTM" else grads.deltas
    plain_norms = None
    if plain is not None:
        keep = None if mask is None else np.asarray(mask, dtype=bool)
        plain_norms = _shown(flow_series(unrolled_state(plain, inputs, targets, keep)).grad_norms)
    series = [_shown(row_norms(path)), _shown(grads.delta_norms), highway]
    if plain_norms is not None:
        series.append(plain_norms)
    return Highway(
        cell=cell, steps=np.arange(1, forward.steps + 1, dtype=np.float64),
        path_label="‖∂L/∂c_t‖" if cell == "LSTM" else "‖∂L/∂h_t‖",
        path_norms=series[0], hidden_norms=series[1],
        highway_label=f"Π {gate}_k, k = t+1 … T", highway=highway,
        highway_units=_shown(products), plain_norms=plain_norms,
        decades=delta_colour_scale(np.concatenate(series)),
    )


# -- one cell's arithmetic ----------------------------------------------------------------

@dataclass(frozen=True)
class CellLine(WorkedLine):
    """A :class:`~rnnviz.present.lab_worked.WorkedLine` with the numbers it puts in.

    :attr:`operands` are the floats written into :attr:`numbers`, in their order;
    :attr:`value` is the result (the engine's own array entry where it has one).
    """

    operands: tuple[float, ...] = ()


@dataclass(frozen=True)
class CellArithmetic:
    """One unit's step in slow-motion stages.

    Attributes
    ----------
    cell
        ``"LSTM"`` or ``"GRU"``.
    step, unit
        t (1 … T) and j (1 … H), as written.
    heading, notes
        What is shown and how to read it.
    stages
        The stages in order, each a titled group of :class:`CellLine`.
    """

    cell: str
    step: int
    unit: int
    heading: str
    notes: tuple[str, ...]
    stages: tuple[WorkedSection, ...]


def _n(value: float) -> str:
    """A number put into a formula, as the worked example writes it (negatives bracketed)."""
    text = format_number(float(value))
    return f"({text})" if value < 0 else text


def _line(symbol: str, formula: str, template: str, operands: tuple[float, ...],
          value: float) -> CellLine:
    """*template*'s ``{}`` filled with *operands*: by :func:`_n` after an operator, by
    :func:`~rnnviz.present.format.format_number` right after a bracket (a function's
    argument, ``σ(−0.396)``)."""
    operands = tuple(float(v) for v in operands)
    pieces = template.split("{}")
    numbers = pieces[0]
    for operand, piece in zip(operands, pieces[1:], strict=True):
        numbers += (format_number(operand) if numbers.endswith("(") else _n(operand)) + piece
    return CellLine(symbol, formula, numbers, result_text(float(value)), float(value), operands)


def _index(name: str, value: object, top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= top:
        raise InputError(f"the {name} must be a whole number from 1 to {top}, not {value!r}")
    return int(value)


class _Parts:
    """Row j's three parts of a gate's pre-activation at step t: W_x·x_t, W_h·h_(t−1), b."""

    def __init__(self, network: GatedNetwork, forward: GatedForwardPass, t: int, j: int) -> None:
        self.network, self.forward, self.t, self.j = network, forward, t, j

    def __call__(self, block: int, recurrent_bias: bool = False) -> tuple[float, float, float]:
        net, row = self.network, block * self.network.n_hidden + self.j
        x_part = float(net.w_x[row] @ self.forward.inputs[self.t - 1])
        h_part = float(net.w_h[row] @ self.forward.hidden[self.t - 1])
        if not net.biases:
            return x_part, h_part, 0.0
        bias = net.b_hn[self.j] if recurrent_bias else net.b[row]
        return x_part, h_part, float(bias)


def _sigma_lines(letter: str, t: int, parts: tuple[float, float, float], gate: float
                 ) -> list[CellLine]:
    a = parts[0] + parts[1] + parts[2]
    return [
        _line(f"a_{letter}", f"W_x{letter}·x_{t} + W_h{letter}·h_{t - 1} + b_{letter}",
              "{} + {} + {}", parts, a),
        _line(f"{letter}_{t}", f"σ(a_{letter}) = 1/(1 + e^(−a_{letter}))", "σ({})", (a,), gate),
    ]


def _lstm_stages(network: GatedNetwork, forward: GatedForwardPass, t: int, j: int
                 ) -> tuple[WorkedSection, ...]:
    parts = _Parts(network, forward, t, j)
    i, f, g, o = (float(forward.gates[k][t - 1, j]) for k in "ifgo")
    c_prev, c = float(forward.cell[t - 1, j]), float(forward.cell[t, j])
    h = float(forward.hidden[t, j])
    gates = _sigma_lines("i", t, parts(0), i) + _sigma_lines("f", t, parts(1), f)
    gates += _sigma_lines("o", t, parts(3), o)
    g_parts = parts(2)
    a_g = g_parts[0] + g_parts[1] + g_parts[2]
    candidate = [
        _line("a_g", f"W_xg·x_{t} + W_hg·h_{t - 1} + b_g", "{} + {} + {}", g_parts, a_g),
        _line(f"g_{t}", "tanh(a_g)", "tanh({})", (a_g,), g),
    ]
    cell = [_line(f"c_{t}", f"f_{t}·c_{t - 1} + i_{t}·g_{t}", "{}·{} + {}·{}",
                  (f, c_prev, i, g), c)]
    hidden = [_line(f"h_{t}", f"o_{t}·tanh(c_{t})", "{}·tanh({})", (o, c), h)]
    return (
        WorkedSection("Gates: input i, forget f, output o", tuple(gates)),
        WorkedSection("Candidate g", tuple(candidate)),
        WorkedSection("New cell state: keep f of the old, add i of the candidate", tuple(cell)),
        WorkedSection("New hidden state: o of tanh(c)", tuple(hidden)),
    )


def _gru_stages(network: GatedNetwork, forward: GatedForwardPass, t: int, j: int
                ) -> tuple[WorkedSection, ...]:
    parts = _Parts(network, forward, t, j)
    r, z, n = (float(forward.gates[k][t - 1, j]) for k in "rzn")
    hn, h_prev, h = (float(forward.recurrent[t - 1, j]), float(forward.hidden[t - 1, j]),
                     float(forward.hidden[t, j]))
    gates = _sigma_lines("r", t, parts(0), r) + _sigma_lines("z", t, parts(1), z)
    x_part, h_part, b_hn = parts(2, recurrent_bias=True)
    b_xn = float(network.b[2 * network.n_hidden + j]) if network.biases else 0.0
    a_n = x_part + b_xn + r * hn
    candidate = [
        _line(f"m_{t}", f"W_hn·h_{t - 1} + b_hn", "{} + {}", (h_part, b_hn), hn),
        _line("a_n", f"W_xn·x_{t} + b_xn + r_{t}·m_{t}", "{} + {} + {}·{}", (x_part, b_xn, r, hn), a_n),
        _line(f"n_{t}", "tanh(a_n)", "tanh({})", (a_n,), n),
    ]
    hidden = [_line(f"h_{t}", f"(1 − z_{t})·n_{t} + z_{t}·h_{t - 1}",
                    f"(1 {MINUS} {{}})·{{}} + {{}}·{{}}", (z, n, z, h_prev), h)]
    return (
        WorkedSection("Gates: reset r, update z", tuple(gates)),
        WorkedSection("Candidate n: the reset gate scales the recurrent part", tuple(candidate)),
        WorkedSection("New hidden state: keep z of the old, take 1 − z of the candidate",
                      tuple(hidden)),
    )


def cell_arithmetic(network: GatedNetwork, forward: GatedForwardPass, step: int,
                    unit: int) -> CellArithmetic:
    """Unit *unit*'s arithmetic at step *step* of *forward*, made by *network* (module docstring).

    Every gate, candidate, state (and the GRU's ``m_t = W_hn·h_(t−1) + b_hn``) result is the forward pass's own
    entry; the pre-activations ``a`` are row j's sums, recomputed (the engine keeps
    none), and equal the engine's to rounding. Raises :class:`InputError` in one line
    for a step or unit out of range, or a forward pass of another network's sizes.
    """
    cell = _cell_of(forward)
    if not isinstance(network, GatedNetwork) or network.CELL != cell or (
            forward.inputs.shape[1], forward.hidden.shape[1])!= (network.n_inputs, network.n_hidden):
        raise InputError("the cell's arithmetic needs the forward pass of this network")
    t = _index("step", step, forward.steps)
    j = _index("unit", unit, network.n_hidden) - 1
    stages = (_lstm_stages if cell == "LSTM" else _gru_stages)(network, forward, t, j)
    x = ", ".join(format_number(float(v)) for v in forward.inputs[t - 1])
    heading = f"{cell} unit {j + 1}, step {t} of {forward.steps};   x_{t} = ({x})"
    notes = (
        (f"W_x?·x_{t} and W_h?·h_{t - 1} are row {j + 1}'s sums over the inputs and the "
         "hidden units."),
        "Numbers put in to three digits; results to six, the engine's own values.",
    )
    return CellArithmetic(cell, t, j + 1, heading, notes, stages)
