"""The addition preset's panel: the sum bit by bit, a bit-flip probe and the carry units.

It paints :mod:`rnnviz.present.lab_addition`'s view of the example on screen:
one column per bit in the order they are fed (least-significant first) and
the decimal numbers at the right; rows a, b, the true sum, the network's
ŷ_t and its bits (wrong ones tinted red). Clicking a bit of a or b (or
choosing it in *Flip*) flips it: two more rows show ŷ_t after the flip and
its change, the outputs that changed bit outlined (the steps before the flip
cannot change and read "="). Under the grid, the hidden units that track the
carry best. For any other preset the panel says in one line what it is for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.notation import MINUS
from rnnviz.present.format import fixed
from rnnviz.present.lab_addition import (
    NOT_ADDITION,
    OPERANDS,
    AdditionView,
    CarryTracking,
    FlipProbe,
    addition_view,
    carry_tracking,
    flip_probe,
    is_addition,
)
from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.lab_panel import LabPanel

__all__ = ["AdditionPanel", "BitGrid", "carry_text"]

#: Tints: a 1 bit, a wrong bit, the flipped input bit's outline.
ONE_TINT: Final[str] = theme.STAGE_TINT
WRONG_TINT: Final[str] = "#f6d5d1"
FLIP_OUTLINE: Final[str] = theme.TARGET_HIGHLIGHT
#: Row names of the grid; the last two only while a probe is on.
ROWS: Final[tuple[str, ...]] = ("a", "b", "a + b", "ŷ_t", "network", "ŷ_t flipped", "Δŷ_t")
#: The line beside the probe's choice: how to probe and what the marks mean.
HINT: Final[str] = "or click a bit of a or b · red: a wrong bit · outlined: changed by the flip"
#: Widest bit column, in widths of a change's text.
COLUMN_ROOM: Final[float] = 1.35


@dataclass(frozen=True)
class _Cell:
    text: str
    fill: str | None = None
    ink: str = theme.INK
    outline: str | None = None


class BitGrid(QWidget):
    """Paints an :class:`AdditionView` (and a :class:`FlipProbe`); a click on a bit of a or b asks to flip it."""

    flipAsked = Signal(str, int)  # operand, step (0 = least significant bit)

    def __init__(self) -> None:
        super().__init__()
        self.view: AdditionView | None = None
        self.probe: FlipProbe | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_view(self, view: AdditionView | None, probe: FlipProbe | None) -> None:
        self.view, self.probe = view, probe
        self.updateGeometry()
        self.update()

    # -- geometry ----------------------------------------------------------------------
    def _rows(self) -> int:
        return len(ROWS) if self.probe is not None else len(ROWS) - 2

    def row_height(self) -> int:
        return QFontMetrics(self.font()).height() + 6

    def _name_width(self) -> int:
        metrics = QFontMetrics(self.font())
        return max(metrics.horizontalAdvance(name) for name in ROWS + ("bit, LSB first",)) + 10

    def _number_width(self) -> int:
        return QFontMetrics(self.font()).horizontalAdvance("number 00000 ✗") + 8

    def column_width(self) -> float:
        """As wide as a change ("−0.000") needs, a little more where there is room."""
        steps = self.view.steps if self.view is not None else 8
        room = self.width() - self._name_width() - self._number_width()
        wide = QFontMetrics(self.font()).horizontalAdvance(f"{MINUS}0.000") * COLUMN_ROOM
        return max(8.0, min(wide, room / steps))

    def sizeHint(self) -> QSize:
        wide = QFontMetrics(self.font()).horizontalAdvance(f"{MINUS}0.000") * COLUMN_ROOM
        return QSize(self._name_width() + self._number_width() + int(8 * wide), (len(ROWS) + 1) * self.row_height())

    def minimumSizeHint(self) -> QSize:
        narrow = QFontMetrics(self.font()).horizontalAdvance(f"{MINUS}0.000") + 4
        return QSize(self._name_width() + self._number_width() + 8 * narrow, (self._rows() + 1) * self.row_height())

    def cell_rect(self, row: int, step: int) -> QRectF:
        """Where bit *step* of grid row *row* (0 = a) is painted."""
        width, height = self.column_width(), self.row_height()
        return QRectF(self._name_width() + step * width, (row + 1) * height, width - 2, height - 2)

    def number_rect(self, row: int) -> QRectF:
        steps = self.view.steps if self.view is not None else 8
        left = self._name_width() + steps * self.column_width() + 6
        return QRectF(left, (row + 1) * self.row_height(), self._number_width() - 6, self.row_height() - 2)

    def hit(self, x: float, y: float) -> tuple[str, int] | None:
        """The operand and bit under the point, if it is a bit of a or b."""
        if self.view is None:
            return None
        for row, operand in enumerate(OPERANDS):
            for step in range(self.view.steps):
                if self.cell_rect(row, step).contains(QPointF(x, y)):
                    return operand, step
        return None

    # -- events --------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        found = self.hit(event.position().x(), event.position().y())
        if found is not None and event.button() == Qt.MouseButton.LeftButton:
            self.flipAsked.emit(*found)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.hit(event.position().x(), event.position().y()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    # -- painting ------------------------------------------------------------------------
    def cells(self) -> list[tuple[list[_Cell], _Cell]]:
        """Every row's bit cells and its number cell, top to bottom."""
        view, probe = self.view, self.probe
        if view is None:
            return []
        flipped = (probe.operand, probe.step) if probe is not None else None

        def bits(values, operand: str | None = None) -> list[_Cell]:
            return [_Cell(f"{int(v)}→{1 - int(v)}", None, outline=FLIP_OUTLINE)
                    if flipped == (operand, t) else _Cell(str(int(v)), ONE_TINT if v else None)
                    for t, v in enumerate(values)]

        rows = [
            (bits(view.a_bits, "a"), _Cell(str(view.a) if probe is None or probe.operand != "a" else f"{view.a}→{probe.a}")),
            (bits(view.b_bits, "b"), _Cell(str(view.b) if probe is None or probe.operand != "b" else f"{view.b}→{probe.b}")),
            (bits(view.sum_bits), _Cell(str(view.true_sum))),
            ([_Cell(fixed(p), ink=theme.MUTED) for p in view.probabilities], _Cell("")),
            ([_Cell(str(int(v)), WRONG_TINT if w else (ONE_TINT if v else None),
                    theme.ERROR_TEXT if w else theme.INK)
              for v, w in zip(view.network_bits, view.wrong, strict=True)],
             _Cell(f"{view.network_sum} {'✓' if view.correct else '✗'}",
                   ink=theme.INK if view.correct else theme.ERROR_TEXT)),
        ]
        if probe is not None:
            rows.append(([_Cell("=", ink=theme.MUTED) if t < probe.step else
                          _Cell(fixed(p), outline=theme.ERROR_TEXT if probe.bit_changed[t] else None)
                          for t, p in enumerate(probe.flipped)],
                         _Cell(f"{probe.network_sum} {'✓' if probe.network_sum == probe.true_sum else '✗'}")))
            rows.append(([_Cell("=", ink=theme.MUTED) if t < probe.step else
                          _Cell(fixed(d, signed=True), ink=theme.sign_ink(d).name() if abs(d) >= 5e-4 else theme.MUTED)
                          for t, d in enumerate(probe.change)], _Cell("")))
        return rows

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if self.view is None:
            painter.end()
            return
        height = self.row_height()
        align = Qt.AlignmentFlag.AlignCenter
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(QRectF(2, 0, self._name_width(), height), left, "bit, LSB first")
        for t in range(self.view.steps):
            painter.drawText(self.cell_rect(-1, t), align, str(t + 1))
        painter.drawText(self.number_rect(-1), left, "number")
        for row, (bit_cells, number) in enumerate(self.cells()):
            painter.setPen(QColor(theme.INK))
            painter.drawText(QRectF(2, (row + 1) * height, self._name_width(), height), left, ROWS[row])
            for t, cell in enumerate(bit_cells):
                self._paint_cell(painter, self.cell_rect(row, t), cell)
            painter.setPen(QColor(number.ink))
            painter.drawText(self.number_rect(row), left, number.text)
        painter.end()

    @staticmethod
    def _paint_cell(painter: QPainter, rect: QRectF, cell: _Cell) -> None:
        if cell.fill is not None:
            painter.fillRect(rect, QColor(cell.fill))
        if cell.outline is not None:
            painter.setPen(QPen(QColor(cell.outline), 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.setPen(QColor(cell.ink))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, cell.text)


def muted(label: QLabel) -> None:
    """Write *label* in the muted ink (through its palette: a style sheet would stop the font scale)."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(theme.MUTED))
    label.setPalette(palette)


def carry_text(tracking: CarryTracking) -> str:
    """The carry line: the best units with their correlation."""
    units = ", ".join(f"unit\u00a0{u.unit}\u00a0(r\u00a0=\u00a0{fixed(u.correlation, 2, signed=True)})"
                      for u in tracking.top)  # no-break spaces: one unit never splits over two lines
    return (f"Carry tracking — correlation of h_t with the carry out of bit t over {tracking.pairs} "
            f"seeded pairs: {units}").replace("-", MINUS)


class AdditionPanel(LabPanel):
    """The addition preset's sum, probe and carry units for the example on screen."""

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__()
        self._tell = tell
        self._run: LabRun | None = None
        self._index = 0
        self.view: AdditionView | None = None
        self.probe: FlipProbe | None = None
        self.tracking: CarryTracking | None = None
        self.flip = QComboBox()
        self.flip.setObjectName("additionFlip")
        self.flip.setToolTip("Flip one input bit and see the later outputs change (forward pass only; "
                             "the run is not changed). You can also click a bit of a or b.")
        self.flip.currentIndexChanged.connect(self._probe_chosen)
        self.note = QLabel(NOT_ADDITION)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        muted(self.note)
        self.grid = BitGrid()
        self.grid.flipAsked.connect(self.flip_bit)
        self.carry = QLabel()
        self.carry.setWordWrap(True)
        self.carry.setObjectName("additionCarry")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        self.flip_label = QLabel("Flip input bit:")
        top.addWidget(self.flip_label)
        top.addWidget(self.flip)
        self.hint = QLabel(HINT)
        muted(self.hint)
        top.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.grid)
        layout.addWidget(self.carry)
        layout.addStretch(1)  # extra height goes below the carry line, not between it and the grid
        self._set_available(False)

    def _set_available(self, available: bool) -> None:
        for widget in (self.flip, self.flip_label, self.hint, self.grid, self.carry):
            widget.setVisible(available)
        self.note.setVisible(not available)

    def _fill_choices(self, steps: int) -> None:
        if self.flip.count() == 2 * steps + 1:
            return
        self.flip.blockSignals(True)
        self.flip.clear()
        self.flip.addItem("none", None)
        for operand in OPERANDS:
            for t in range(steps):
                self.flip.addItem(f"{operand}, bit {t + 1}", f"{operand}:{t}")
        self.flip.blockSignals(False)

    def _show(self, run: LabRun, example_index: int) -> None:
        self._run, self._index = run, example_index
        if not is_addition(run.network, run.source):
            self.view = self.probe = self.tracking = None
            self.grid.set_view(None, None)
            self._set_available(False)
            return
        self._set_available(True)
        self.view = addition_view(run.network, run.source, example_index)
        self._fill_choices(self.view.steps)
        self.tracking = carry_tracking(run.network, self.view.steps)
        self.carry.setText(carry_text(self.tracking))
        self._update_probe()

    def flip_bit(self, operand: str, step: int) -> None:
        """Flip bit *step* of *operand* (clicking the flipped bit again turns the probe off)."""
        key = f"{operand}:{step}"
        self.flip.setCurrentIndex(0 if self.flip.currentData() == key else max(self.flip.findData(key), 0))

    def _probe_chosen(self, _index: int) -> None:
        self._update_probe()
        if self.probe is not None:
            self._tell(self.probe.summary())

    def _update_probe(self) -> None:
        chosen = self.flip.currentData()
        if self.view is None or self._run is None or not chosen:
            self.probe = None
        else:
            operand, step = str(chosen).split(":")
            self.probe = flip_probe(self._run.network, self.view, operand, int(step))
        self.grid.set_view(self.view, self.probe)

