"""The lab's weights as heat maps: every parameter matrix and the last update's change, without Qt.

:func:`weights_view` hands the weights panel, for the run's cursor, each
parameter (``W_xh``, ``W_hh``, ``W_hy`` and, when the network has them, the
biases ``b_h`` and ``b_y``) as a matrix, the change ΔW the last update made
to it (``state_at(c) − state_at(c − 1)``; none at update 0), the symmetric
colour range of each (±the largest |value|) and the text of every cell
(``"W_hh[3, 6] = −0.41373"``, indices counted from 1 as everywhere in the window). A bias is a
column: one row per unit. :func:`typed_parameters` turns text typed into a
cell into the full new array, or one clear line of :class:`InputError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

from rnnviz.engine.errors import InputError
from rnnviz.engine.notation import MINUS
from rnnviz.present.format import format_number
from rnnviz.runs.lab import LabRun

#: How each parameter is written in the views (the engine's names are lower case).
LABELS: Final[dict[str, str]] = {
    "w_xh": "W_xh", "w_hh": "W_hh", "w_hy": "W_hy", "b_h": "b_h", "b_y": "b_y",
}
#: Significant digits of a cell's value in its hover text.
CELL_DIGITS: Final[int] = 5
#: The largest magnitude a typed weight may have (the engine's products must stay finite).
MAX_TYPED: Final[float] = 1e6


@dataclass(frozen=True)
class MatrixView:
    """One parameter as a heat map, and its last change."""

    name: str                   # the engine's name: "w_hh"
    label: str                  # as written: "W_hh"
    values: np.ndarray          # 2-D (rows, columns); a bias is a column (n, 1)
    delta: np.ndarray | None    # same shape: after the cursor's update minus before it; None at 0
    limit: float                # the colour scale runs from −limit (purple) to +limit (orange)
    delta_limit: float | None
    range_text: str             # "±0.823", or "all 0"
    delta_range_text: str | None
    cell_texts: tuple[tuple[str, ...], ...]          # "W_hh[3, 6] = −0.41373"
    delta_texts: tuple[tuple[str, ...], ...] | None  # "ΔW_hh[3, 6] = +0.0012346"
    is_bias: bool

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape  # type: ignore[return-value]

    def scaled(self, which: str = "W") -> np.ndarray:
        """The values (``"W"``) or changes (``"ΔW"``) divided by their limit: −1 … 1, 0 where the limit is 0."""
        values, limit = (self.values, self.limit) if which == "W" else (self.delta, self.delta_limit)
        if values is None:
            raise ValueError(f"{self.label} has no change at update 0")
        if not limit:
            return np.zeros(values.shape)
        with np.errstate(all="ignore"):
            return np.clip(np.nan_to_num(values / limit, nan=0.0), -1.0, 1.0)


@dataclass(frozen=True)
class WeightsView:
    """Every parameter of the network at the run's cursor, in the engine's order."""

    cursor: int
    matrices: tuple[MatrixView, ...]
    caption: str                # what ΔW is at this cursor

    def __getitem__(self, name: str) -> MatrixView:
        for matrix in self.matrices:
            if matrix.name == name:
                return matrix
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.matrices)


def value_text(value: float, *, signed: bool = False) -> str:
    """A cell's value to :data:`CELL_DIGITS` significant digits, true minus: ``"−0.41373"``."""
    text = f"{value:+.{CELL_DIGITS}g}" if signed else f"{value:.{CELL_DIGITS}g}"
    return text.replace("-", MINUS).replace("inf", "∞")


def cell_name(label: str, row: int, column: int, is_bias: bool) -> str:
    """``"W_hh[3, 6]"`` for row 2, column 5, or ``"b_h[4]"`` for a bias: counted from 1, as
    everywhere the window names a unit or a weight (the gradient check, the carry units, steps)."""
    return f"{label}[{row + 1}]" if is_bias else f"{label}[{row + 1}, {column + 1}]"


def colour_limit(values: np.ndarray) -> float:
    """The symmetric colour range's end: the largest finite |value| (0 when all are 0)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else 0.0


def range_text(limit: float) -> str:
    """``"±0.823"`` for the colour range, ``"all 0"`` when everything is 0."""
    return f"±{format_number(limit)}" if limit > 0 else "all 0"


def _texts(label: str, values: np.ndarray, is_bias: bool, signed: bool) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(f"{cell_name(label, i, j, is_bias)} = {value_text(float(v), signed=signed)}"
                       for j, v in enumerate(row)) for i, row in enumerate(values))


def _matrix(name: str, after: np.ndarray, before: np.ndarray | None) -> MatrixView:
    is_bias = after.ndim == 1
    values = after.reshape(-1, 1) if is_bias else after
    label = LABELS.get(name, name)
    delta = None
    if before is not None:
        with np.errstate(all="ignore"):
            delta = values - (before.reshape(-1, 1) if is_bias else before)
    limit = colour_limit(values)
    delta_limit = None if delta is None else colour_limit(delta)
    return MatrixView(
        name=name, label=label, values=values, delta=delta, limit=limit, delta_limit=delta_limit,
        range_text=range_text(limit),
        delta_range_text=None if delta_limit is None else range_text(delta_limit),
        cell_texts=_texts(label, values, is_bias, signed=False),
        delta_texts=None if delta is None else _texts("Δ" + label, delta, is_bias, signed=True),
        is_bias=is_bias)


def weights_view(run: LabRun, cursor: int | None = None) -> WeightsView:
    """The weights after *cursor* updates (default: the run's cursor) and the change update *cursor* made."""
    cursor = run.cursor if cursor is None else int(cursor)
    after = run.state_at(cursor)
    before = run.state_at(cursor - 1) if cursor > 0 else None
    names = run.network.parameter_names
    matrices = tuple(_matrix(name, after[name], None if before is None else before[name])
                     for name in names)
    if cursor == 0:
        caption = "the weights before any update; ΔW appears after the first"
    else:
        caption = f"ΔW: what update {cursor:,} changed"
    return WeightsView(cursor=cursor, matrices=matrices, caption=caption)


def parse_value(text: str) -> float:
    """A typed weight as a float, or :class:`InputError` with one line (nothing else happens)."""
    cleaned = str(text).strip().replace(MINUS, "-").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        shown = str(text).strip()[:30] or "nothing"
        raise InputError(f"a weight must be a number such as −0.41 or 1.5e-3, not {shown!r}") from None
    if not math.isfinite(value):
        raise InputError(f"a weight must be a finite number, not {text.strip()!r}")
    if abs(value) > MAX_TYPED:
        raise InputError(f"a weight must lie between −{MAX_TYPED:g} and {MAX_TYPED:g}, not {text.strip()}")
    return value


def typed_parameters(view: WeightsView, name: str, row: int, column: int,
                     text: str) -> dict[str, np.ndarray]:
    """``{name: new full array}`` with cell (*row*, *column*) set to the number *text* says.

    The array has the engine's shape (a bias is 1-D). Bad text raises
    :class:`InputError` with one line.
    """
    matrix = view[name]
    value = parse_value(text)
    rows, columns = matrix.shape
    if not (0 <= row < rows and 0 <= column < columns):
        raise InputError(f"{matrix.label} has no cell [{row + 1}, {column + 1}]")
    new = matrix.values.copy()
    new[row, column] = value
    return {name: new.reshape(-1) if matrix.is_bias else new}
