"""BPTT by hand for the lab's worked example, without Qt: every δ_t and gradient term.

For a network of the worked preset's kind — 1-1-1, sigmoid hidden unit (gain 1),
linear output, squared error with c = 1, no biases — learning a sequence
``x_1 … x_T`` that is its own target shifted by one (``t_t = x_{t+1}``),
:func:`worked_view` writes every number of the forward pass, the error, the
backward recursion and the gradient as ``symbol = formula = numbers = result``,
as the one-neuron equation panel does for a tick (:mod:`rnnviz.present.equations`).

Every result is :func:`~rnnviz.tasks.worked_example.worked_example`'s — the
function behind ``rnnviz bptt`` — for the network's current weights and the
example's values, so the panel and the command agree to the last bit
(:attr:`WorkedLine.value`). The numbers put into a formula are written with
:func:`~rnnviz.present.format.format_number` (three digits); each result with
six significant digits, as ``rnnviz bptt --format table`` prints them. The
view also gives the command that prints the same numbers.

A sequence the user types is read by :func:`typed_sequence` with
``rnnviz bptt``'s own parser (:func:`~rnnviz.tasks.worked_example.parse_values`),
so both refuse the same text with the same words; the panel takes at most
:data:`MAX_TYPED_VALUES` values.

For any other network or example, :func:`worked_view` returns a view whose
:attr:`WorkedView.unavailable` says, in one line, that the panel is for the
worked example.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import InputError
from rnnviz.engine.notation import MINUS
from rnnviz.present.format import format_number
from rnnviz.tasks.worked_example import WorkedExample, parse_values, worked_example

__all__ = [
    "COMMAND_NOTE",
    "MAX_TYPED_VALUES",
    "NOT_WORKED",
    "TYPED_NAMES",
    "WorkedLine",
    "WorkedSection",
    "WorkedView",
    "bptt_command",
    "result_text",
    "typed_sequence",
    "typed_weights",
    "values_text",
    "worked_view",
]

#: The weights a user may type, in the order the panel shows them, with seed 003's letters.
TYPED_NAMES: Final[dict[str, str]] = {"w_xh": "v", "w_hh": "w", "w_hy": "u", "h0": "s"}
#: Most values x_1 … x_T a typed sequence may have: 8 steps, the most the
#: unrolled view shows at 1280×720 with every step's loss, ŷ_t and x_t written
#: beside its nodes (beyond, it leaves the x_t out for room).
MAX_TYPED_VALUES: Final[int] = 9
#: What the panel says before the command that prints the same numbers.
COMMAND_NOTE: Final[str] = "The same numbers from the command line:"
#: What the panel says for any network that is not the worked example's kind.
NOT_WORKED: Final[str] = (
    "BPTT by hand is for the worked example (1-1-1, sigmoid hidden, linear output, c = 1, "
    "no biases): choose Lab ▸ Worked example."
)


@dataclass(frozen=True)
class WorkedLine:
    """``symbol = formula = numbers = result``.

    Attributes
    ----------
    symbol, formula
        The left side and the symbolic right side (``"δ_2"``, ``"σ′(a_2)·(W_hy·ε_2 + W_hh·δ_3)"``).
    numbers
        The formula with this example's numbers put in (three digits each).
    result
        :attr:`value` to six significant digits, the minus U+2212.
    value
        The result, exactly as :func:`~rnnviz.tasks.worked_example.worked_example` computes it.
    """

    symbol: str
    formula: str
    numbers: str
    result: str
    value: float


@dataclass(frozen=True)
class WorkedSection:
    """A titled group of lines."""

    title: str
    lines: tuple[WorkedLine, ...]


@dataclass(frozen=True)
class WorkedView:
    """Everything the worked-example panel shows.

    ``unavailable`` is "" when the run is a worked example; otherwise it is the
    one line shown and the rest is empty.
    """

    unavailable: str
    heading: str = ""
    notes: tuple[str, ...] = ()
    sections: tuple[WorkedSection, ...] = ()
    command: str = ""
    example: WorkedExample | None = None


def result_text(value: float) -> str:
    """A result to six significant digits, as ``rnnviz bptt --format table`` writes it (true minus)."""
    return f"{value:.6g}".replace("-", MINUS)


def _n(value: float) -> str:
    """A number put into a formula; negative ones in brackets after an operator."""
    text = format_number(float(value))
    return f"({text})" if value < 0 else text


def _is_worked_network(network: ElmanNetwork) -> bool:
    return (
        (network.n_inputs, network.n_hidden, network.n_outputs) == (1, 1, 1)
        and network.hidden_activation.name == "sigmoid" and network.hidden_activation.gain == 1.0
        and network.output == "linear" and network.output_gain == 1.0
        and network.loss_name == "squared" and network.squared_error_factor == 1.0
        and not network.biases
    )


def _values(inputs: np.ndarray, targets: np.ndarray, mask: np.ndarray | None) -> tuple[float, ...] | None:
    """``x_1 … x_T`` when *targets* are *inputs* shifted by one, else None."""
    inputs, targets = np.asarray(inputs, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    if inputs.shape != targets.shape or inputs.ndim != 2 or inputs.shape[1] != 1 or inputs.shape[0] < 1:
        return None
    if mask is not None and not np.all(mask):
        return None
    if not np.array_equal(inputs[1:, 0], targets[:-1, 0]):
        return None
    return tuple(float(x) for x in inputs[:, 0]) + (float(targets[-1, 0]),)


def _exact(x: float) -> str:
    """*x* as the shortest text that reads back as the same float (``1``, ``0.5``, ``-0.4``)."""
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def values_text(values: tuple[float, ...]) -> str:
    """``x_1,…,x_T`` as ``rnnviz bptt`` takes them (exact: :func:`typed_sequence` reads them back)."""
    return ",".join(_exact(float(x)) for x in values)


def bptt_command(result: WorkedExample) -> str:
    """The ``rnnviz bptt`` command that prints *result*'s numbers (shortest exact floats)."""
    return (f"rnnviz bptt {values_text(result.values)} --u {_exact(result.w_hy)} "
            f"--v {_exact(result.w_xh)} --w {_exact(result.w_hh)} --s {_exact(result.h0)} "
            "--format table")


def _line(symbol: str, formula: str, numbers: str, value: float) -> WorkedLine:
    return WorkedLine(symbol, formula, numbers, result_text(float(value)), float(value))


def _forward(r: WorkedExample) -> WorkedSection:
    lines = []
    for i in range(r.outputs.size):
        t = i + 1
        h_prev = r.h0 if i == 0 else float(r.hidden[i - 1])
        lines += [
            _line(f"a_{t}", f"W_xh·x_{t} + W_hh·h_{t - 1}",
                  f"{_n(r.w_xh)}·{_n(r.values[i])} + {_n(r.w_hh)}·{_n(h_prev)}", r.pre_hidden[i]),
            _line(f"h_{t}", f"σ(a_{t}) = 1/(1 + e^(−a_{t}))", f"σ({format_number(float(r.pre_hidden[i]))})", r.hidden[i]),
            _line(f"ŷ_{t}", f"W_hy·h_{t}", f"{_n(r.w_hy)}·{_n(r.hidden[i])}", r.outputs[i]),
        ]
    return WorkedSection("Forward: a_t, h_t and the prediction ŷ_t of x_(t+1)", tuple(lines))


def _error(r: WorkedExample) -> WorkedSection:
    steps = range(r.outputs.size)
    squares = " + ".join(f"({_n(r.targets[i])} {MINUS} {_n(r.outputs[i])})²" for i in steps)
    lines = [_line("E", " + ".join(f"(t_{i + 1} − ŷ_{i + 1})²" for i in steps), squares, r.E)]
    lines += [
        _line(f"ε_{i + 1}", f"∂E/∂ŷ_{i + 1} = 2(ŷ_{i + 1} − t_{i + 1})",
              f"2·({_n(r.outputs[i])} {MINUS} {_n(r.targets[i])})", r.output_errors[i])
        for i in steps
    ]
    return WorkedSection("Error: E and ε_t = ∂E/∂ŷ_t, with t_t = x_(t+1)", tuple(lines))


def _backward(r: WorkedExample) -> WorkedSection:
    lines = []
    last = r.outputs.size
    for i in reversed(range(last)):
        t = i + 1
        h = float(r.hidden[i])
        after = 0.0 if t == last else float(r.deltas[i + 1])
        lines.append(_line(
            f"δ_{t}", f"σ′(a_{t})·(W_hy·ε_{t} + W_hh·δ_{t + 1}),  σ′(a_{t}) = h_{t}(1 − h_{t})",
            f"{_n(h)}·(1 {MINUS} {_n(h)})·({_n(r.w_hy)}·{_n(r.output_errors[i])} + "
            f"{_n(r.w_hh)}·{_n(after)})",
            r.deltas[i]))
    return WorkedSection(f"Backward through time: δ_t = ∂E/∂a_t, from t = {last} back to 1 "
                         f"(δ_{last + 1} = 0)", tuple(lines))


def _gradient(r: WorkedExample) -> WorkedSection:
    steps = range(r.outputs.size)
    before = [r.h0] + [float(h) for h in r.hidden[:-1]]

    def terms(first, second) -> str:
        return " + ".join(f"{_n(a)}·{_n(b)}" for a, b in zip(first, second, strict=True))

    def symbols(a: str, b: str, shift: int = 0) -> str:
        return " + ".join(f"{a}_{i + 1}·{b}_{i + 1 - shift}" for i in steps)

    lines = (
        _line("∂E/∂W_hy", symbols("ε", "h"), terms(r.output_errors, r.hidden), r.dE_dw_hy),
        _line("∂E/∂W_xh", symbols("δ", "x"), terms(r.deltas, r.values[:-1]), r.dE_dw_xh),
        _line("∂E/∂W_hh", symbols("δ", "h", 1), terms(r.deltas, before), r.dE_dw_hh),
        _line("∂E/∂h_0", "W_hh·δ_1", f"{_n(r.w_hh)}·{_n(r.deltas[0])}", r.dE_dh0),
    )
    return WorkedSection("Gradient: each weight's terms summed over the steps", lines)


def worked_view(network: ElmanNetwork, inputs: np.ndarray, targets: np.ndarray,
                mask: np.ndarray | None = None) -> WorkedView:
    """BPTT by hand for *network*'s current weights on this example (module docstring)."""
    values = _values(inputs, targets, mask) if _is_worked_network(network) else None
    if values is None:
        return WorkedView(NOT_WORKED)
    weights = {name: float(np.asarray(getattr(network, name)).ravel()[0])
               for name in ("w_xh", "w_hh", "w_hy", "h0")}
    try:
        r = worked_example(values, **weights)
    except InputError as error:
        return WorkedView(f"BPTT by hand cannot be worked for these weights: {error}")
    heading = (f"x = {', '.join(format_number(x) for x in values)};   W_xh = {format_number(r.w_xh)}, "
               f"W_hh = {format_number(r.w_hh)}, W_hy = {format_number(r.w_hy)}, "
               f"h_0 = {format_number(r.h0)}")
    notes = (
        "Each value predicts the next: ŷ_t = W_hy·σ(W_xh·x_t + W_hh·h_(t−1)), E = Σ (x_(t+1) − ŷ_t)².",
        "Seed 003's letters: u = W_hy, v = W_xh, w = W_hh, s = h_0; z_t, y_t, p_t are a_t, h_t, ŷ_t.",
        "Numbers put in to three digits; results to six, as rnnviz bptt prints them.",
    )
    return WorkedView("", heading, notes,
                      (_forward(r), _error(r), _backward(r), _gradient(r)), bptt_command(r), r)


def typed_weights(texts: dict[str, str], current: dict[str, float]) -> dict[str, np.ndarray]:
    """The typed weights that differ from *current*, shaped for :meth:`LabRun.set_parameters`.

    *texts* maps names of :data:`TYPED_NAMES` to what was typed (``"−0.4"``
    and ``"-0.4"`` alike). Raises :class:`InputError` with one line naming the
    first field that is not a finite number; then nothing is to be changed.
    """
    changed: dict[str, np.ndarray] = {}
    for name, text in texts.items():
        if name not in TYPED_NAMES:
            raise InputError(f"no weight {name!r} to type; choose one of {', '.join(TYPED_NAMES)}")
        cleaned = str(text).strip().replace(MINUS, "-")
        try:
            value = float(cleaned)
        except ValueError:
            raise InputError(f"{name} must be a number, not {str(text).strip()!r}") from None
        if not np.isfinite(value):
            raise InputError(f"{name} must be a finite number, not {str(text).strip()!r}")
        if value != current.get(name):
            changed[name] = np.array([value]) if name == "h0" else np.array([[value]])
    return changed


def typed_sequence(text: str, weights: dict[str, float]) -> tuple[float, ...]:
    """The values typed as ``x1,…,xT``, checked; or :class:`InputError` in one line.

    Read by ``rnnviz bptt``'s parser (the minus U+2212 taken as ``-``), so
    the same text gives the same error; then at most :data:`MAX_TYPED_VALUES`
    values, and numbers the worked example can be computed with for
    *weights* (``w_xh``, ``w_hh``, ``w_hy``, ``h0``) without overflowing.
    """
    values = parse_values(str(text).replace(MINUS, "-"))
    if len(values) > MAX_TYPED_VALUES:
        raise InputError(f"VALUES has at most {MAX_TYPED_VALUES} numbers here "
                         f"({MAX_TYPED_VALUES - 1} steps), not {len(values)}")
    worked_example(values, **weights)
    return tuple(values)
