"""The lab's weights panel: each parameter as a heat map, the last update's ΔW beside it.

It paints the :class:`~rnnviz.present.lab_weights.WeightsView` of the run's
cursor (no engine calls here): orange for > 0, purple for < 0, white at 0,
each map on its own symmetric scale, written above it. Hovering a cell
shows its name and value (in a tooltip and on the panel's bottom line);
double-clicking a weight opens an editor over it, and a valid number is
emitted as ``parametersTyped({name: new full array})`` for the lab to
apply at the cursor. Text that is not a weight is one line through *tell*
and changes nothing.

The maps are laid out in one or more lines, whichever split gives the
largest cells (a 2-16-1 network gets about 11 px cells in 600×250 px).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QLineEdit, QToolTip, QWidget

from rnnviz.engine.errors import InputError
from rnnviz.present.format import format_number
from rnnviz.present.lab_weights import WeightsView, typed_parameters, weights_view
from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme

#: Cell sizes tried, in pixels (the largest that fits wins).
MAX_CELL: Final[int] = 64
MIN_CELL: Final[int] = 2
MARGIN: Final[float] = 6.0
PAIR_INNER: Final[float] = 6.0     # between a matrix and its ΔW
PAIR_GAP: Final[float] = 20.0      # between two parameters
LINE_GAP: Final[float] = 8.0       # between lines of maps
TITLE_GAP: Final[float] = 2.0
GRID: Final[str] = "#e2e2e2"
EMPTY: Final[str] = "#f2f2f2"
#: Numbers written in cells are this much smaller than the titles (the first that fits).
CELL_TEXT: Final[tuple[float, ...]] = (0.85, 0.75)
#: Under this cell size the panel tries smaller text, down to MIN_TEXT_PX pixels.
READABLE_CELL: Final[int] = 8
MIN_TEXT_PX: Final[int] = 7
HINT: Final[str] = "hover a cell: its value · double-click a weight: type a new one"

_WHITE: Final[np.ndarray] = np.array([255.0, 255.0, 255.0])
_POS: Final[np.ndarray] = np.array(QColor(theme.POSITIVE).getRgb()[:3], dtype=float)
_NEG: Final[np.ndarray] = np.array(QColor(theme.NEGATIVE).getRgb()[:3], dtype=float)


def heat_colours(scaled: np.ndarray) -> np.ndarray:
    """RGB (…, 3) floats for values in −1 … 1: purple at −1, white at 0, orange at +1."""
    t = np.abs(scaled)[..., None]
    end = np.where(scaled[..., None] > 0, _POS, _NEG)
    return _WHITE + t * (end - _WHITE)


def heat_image(scaled: np.ndarray) -> QImage:
    """A one-pixel-per-cell image of *scaled* (rows × columns) in :func:`heat_colours`."""
    rgb = np.rint(heat_colours(scaled)).astype(np.uint32)
    argb = np.ascontiguousarray(0xFF000000 | (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2],
                                dtype=np.uint32)
    rows, columns = argb.shape
    return QImage(argb.data, columns, rows, 4 * columns, QImage.Format.Format_RGB32).copy()


@dataclass(frozen=True)
class Slot:
    """Where one map sits: parameter *name*, ``"W"`` or ``"ΔW"``, its title's corner and its cells."""

    name: str
    which: str
    title: QPointF      # the name's baseline start
    range_at: QPointF   # the range's baseline start (beside or under the name)
    cells: QRectF       # the map's cells (rows × cell, columns × cell)
    cell: float

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        if not self.cells.contains(point):
            return None
        row = int((point.y() - self.cells.top()) // self.cell)
        column = int((point.x() - self.cells.left()) // self.cell)
        rows, columns = round(self.cells.height() / self.cell), round(self.cells.width() / self.cell)
        return (row, column) if row < rows and column < columns else None


#: The widest range texts format_number writes, so that a map's place does not move
#: while its range changes (during play, say).
RANGE_SAMPLES: Final[tuple[str, ...]] = ("±0.00888", "±8.8e−88", "±8888", "all 0", "—")


def title_width(label: str, metrics: QFontMetricsF) -> float:
    """The room a map's title ``"W_hh  ±0.823"`` may take, whatever its range."""
    return max(metrics.horizontalAdvance(f"{label}  {r}") for r in RANGE_SAMPLES) + 2


def _splits(count: int) -> list[list[list[int]]]:
    """Every way to cut ``0 … count−1`` into consecutive lines."""
    out = []
    for mask in range(2 ** max(count - 1, 0)):
        lines, line = [], [0]
        for i in range(1, count):
            if mask >> (i - 1) & 1:
                lines.append(line)
                line = []
            line.append(i)
        lines.append(line)
        out.append(lines)
    return out


def plan(shapes: list[tuple[int, int]], widths: list[tuple[float, float]], width: float,
         height: float, title_height: float) -> tuple[int, list[list[int]]] | None:
    """The largest cell size and the split into lines at which every map fits *width* × *height*.

    *widths* are each parameter's two title widths, *title_height* the
    height of a title. None when nothing fits.
    """
    best: tuple[int, int, list[list[int]]] | None = None
    for lines in _splits(len(shapes)):
        for cell in range(MAX_CELL, MIN_CELL - 1, -1):
            tall = sum(title_height + TITLE_GAP + max(shapes[i][0] for i in line) * cell
                       for line in lines) + LINE_GAP * (len(lines) - 1)
            wide = max(sum(max(shapes[i][1] * cell, widths[i][0]) + PAIR_INNER
                           + max(shapes[i][1] * cell, widths[i][1]) for i in line)
                       + PAIR_GAP * (len(line) - 1) for line in lines)
            if tall <= height and wide <= width:
                if best is None or (cell, -len(lines)) > best[:2]:
                    best = (cell, -len(lines), lines)
                break
    return None if best is None else (best[0], best[2])


def lay_out(view: WeightsView, width: float, height: float, metrics: QFontMetricsF) -> list[Slot]:
    """The slots of every map of *view* inside a *width* × *height* area from (MARGIN, MARGIN).

    A map's title is its name and range on one line, or (when that gives
    larger cells) the range under the name.
    """
    shapes = [m.shape for m in view.matrices]
    ranges = max(metrics.horizontalAdvance(r) for r in RANGE_SAMPLES) + 2
    styles = {
        1: [(title_width(m.label, metrics), title_width("Δ" + m.label, metrics)) for m in view.matrices],
        2: [(max(metrics.horizontalAdvance(m.label) + 2, ranges),
             max(metrics.horizontalAdvance("Δ" + m.label) + 2, ranges)) for m in view.matrices],
    }
    found = {lines: plan(shapes, styles[lines], width, height, lines * (metrics.height() + 1))
             for lines in styles}
    fitting = [(fit[0], -len(fit[1]), -lines) for lines, fit in found.items() if fit is not None]
    title_lines = -max(fitting)[2] if fitting else 1
    cell, rows_of_maps = found[title_lines] or (MIN_CELL, [list(range(len(shapes)))])
    widths, title_height = styles[title_lines], title_lines * (metrics.height() + 1)
    slots, y = [], MARGIN
    for line in rows_of_maps:
        x = MARGIN
        for i in line:
            m = view.matrices[i]
            for which, room in zip(("W", "ΔW"), widths[i]):
                label = m.label if which == "W" else "Δ" + m.label
                cells = QRectF(x, y + title_height + TITLE_GAP, m.shape[1] * cell, m.shape[0] * cell)
                title = QPointF(x, y + metrics.ascent())
                range_at = (title + QPointF(metrics.horizontalAdvance(label + "  "), 0) if title_lines == 1
                            else title + QPointF(0, metrics.height() + 1))
                slots.append(Slot(m.name, which, title, range_at, cells, cell))
                x += max(cells.width(), room) + PAIR_INNER
            x += PAIR_GAP - PAIR_INNER
        y += title_height + TITLE_GAP + max(shapes[i][0] for i in line) * cell + LINE_GAP
    return slots


class _CellEditor(QLineEdit):
    """The inline editor of one weight: Enter applies, Escape or leaving it cancels."""

    cancelled = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.cancelled.emit()


class WeightsPanel(QWidget):
    """W_xh, W_hh, W_hy (and b_h, b_y) as heat maps with ΔW beside each (see the module docstring)."""

    parametersTyped = Signal(dict)

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("labWeights")
        self.setMouseTracking(True)
        self.setMinimumSize(200, 120)
        self._tell = tell
        self._run: LabRun | None = None
        self._scale = 1.0
        self._view: WeightsView | None = None
        self._stale = False
        self._slots: list[Slot] = []
        self._fitted_font = self.font()
        self._slots_for: tuple[int, int, int, float] | None = None
        self._hover: tuple[str, str, int, int] | None = None
        self._editing: tuple[str, int, int] | None = None
        self._editor = _CellEditor(self)
        self._editor.setObjectName("labWeightEditor")
        self._editor.hide()
        self._editor.returnPressed.connect(self._commit)
        self._editor.cancelled.connect(self._close_editor)

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large, for presentation mode (the maps make room for it)."""
        scale = theme.check_font_scale(scale)
        if scale != self._scale:
            self._scale = scale
            self._slots_for = None
            self.update()

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._scale

    def text_font(self) -> QFont:
        """The font of every text in the panel."""
        return theme.scaled_font(self.font(), self._scale)

    # -- what it shows ------------------------------------------------------------------

    def show_lab(self, run: LabRun, example_index: int) -> None:
        """Show *run*'s weights at its cursor (worked out now if shown, else when it is)."""
        del example_index  # the weights do not depend on the example
        self._run = run
        self._stale = True
        if self.isVisible():
            self._refresh()

    @property
    def view(self) -> WeightsView | None:
        """The view-model painted (brought up to date first)."""
        if self._stale:
            self._refresh()
        return self._view

    def _refresh(self) -> None:
        self._stale = False
        if self._run is not None:
            shapes = None if self._view is None else [(m.name, m.shape) for m in self._view.matrices]
            self._view = weights_view(self._run)
            if shapes != [(m.name, m.shape) for m in self._view.matrices]:
                self._hover = None  # another network: the old cells may not exist
                self._close_editor()
            self._slots_for = None
            self.update()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._refresh()

    def slots(self) -> list[Slot]:
        """Where each map is drawn at the current size."""
        view = self.view
        if view is None:
            return []
        key = (id(view), self.width(), self.height(), self._scale)
        if key != self._slots_for:
            self._fitted_font, self._slots = self._fit(view)
            self._slots_for = key
        return self._slots

    def fitted_font(self) -> QFont:
        """The font the panel paints with: :meth:`text_font`, smaller where it would crowd the maps."""
        self.slots()
        return self._fitted_font

    def _fit(self, view: WeightsView) -> tuple[QFont, list[Slot]]:
        """The layout at :meth:`text_font`, or at a smaller font (down to :data:`MIN_TEXT_PX`)
        when the cells would be under :data:`READABLE_CELL` pixels."""
        font, best = self.text_font(), None
        while True:
            metrics = QFontMetricsF(font)
            room_h = self.height() - 2 * MARGIN - metrics.height() - 4
            slots = lay_out(view, self.width() - 2 * MARGIN, room_h, metrics)
            cell = min(slot.cell for slot in slots)
            if best is None or cell > best[0]:
                best = (cell, font, slots)
            smaller = theme.scaled_font(font, 0.85)
            if cell >= READABLE_CELL or QFontInfo(smaller).pixelSize() < MIN_TEXT_PX:
                return best[1], best[2]
            font = smaller

    def status_text(self) -> str:
        """The bottom line: the hovered cell's name and value, or what ΔW is and the hint."""
        view = self.view
        if view is None:
            return ""
        if self._editing is not None:
            name, row, column = self._editing
            return f"typing {view[name].cell_texts[row][column]} · Enter applies, Esc cancels"
        if self._hover is not None:
            name, which, row, column = self._hover
            m = view[name]
            texts = m.cell_texts if which == "W" else m.delta_texts
            return texts[row][column] if texts is not None else f"Δ{m.label}: no update yet"
        return f"{view.caption} · {HINT}"

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        view = self.view
        if view is not None:
            painter.setFont(self.fitted_font())
            metrics = QFontMetricsF(self.fitted_font())
            for slot in self.slots():
                self._paint_slot(painter, view, slot, metrics)
            painter.setPen(QColor(theme.MUTED))
            line = metrics.elidedText(self.status_text(), Qt.TextElideMode.ElideRight,
                                      self.width() - 2 * MARGIN)
            painter.drawText(QPointF(MARGIN, self.height() - MARGIN - metrics.descent()), line)
        painter.end()

    def _paint_slot(self, painter: QPainter, view: WeightsView, slot: Slot,
                    metrics: QFontMetricsF) -> None:
        m = view[slot.name]
        label, range_text = (m.label, m.range_text) if slot.which == "W" else (
            "Δ" + m.label, m.delta_range_text or "—")
        painter.setPen(QColor(theme.INK))
        painter.drawText(slot.title, label)
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(slot.range_at, range_text)
        values = m.values if slot.which == "W" else m.delta
        if values is None:
            painter.fillRect(slot.cells, QColor(EMPTY))
        else:
            painter.drawImage(slot.cells, heat_image(m.scaled(slot.which)))
            self._paint_grid(painter, slot)
            self._paint_numbers(painter, slot, values, m.scaled(slot.which), metrics)
        painter.setPen(QPen(QColor(theme.MUTED), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(slot.cells)
        if self._hover is not None and self._hover[:2] == (slot.name, slot.which):
            row, column = self._hover[2:]
            painter.setPen(QPen(QColor(theme.INK), 2))
            painter.drawRect(QRectF(slot.cells.left() + column * slot.cell,
                                    slot.cells.top() + row * slot.cell, slot.cell, slot.cell))

    @staticmethod
    def _paint_grid(painter: QPainter, slot: Slot) -> None:
        if slot.cell < 6:
            return
        painter.setPen(QPen(QColor(GRID), 1))
        r = slot.cells
        for i in range(1, round(r.height() / slot.cell)):
            y = r.top() + i * slot.cell
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        for j in range(1, round(r.width() / slot.cell)):
            x = r.left() + j * slot.cell
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))

    @staticmethod
    def _paint_numbers(painter: QPainter, slot: Slot, values: np.ndarray, scaled: np.ndarray,
                       metrics: QFontMetricsF) -> None:
        """Each cell's value written in it (in text a little smaller), when every value fits its cell."""
        texts = [[format_number(float(v)) for v in row] for row in values]
        for factor in CELL_TEXT:
            font = theme.scaled_font(painter.font(), factor)
            metrics = QFontMetricsF(font)
            if QFontInfo(font).pixelSize() < MIN_TEXT_PX or slot.cell < metrics.height() + 2:
                return
            if max(metrics.horizontalAdvance(t) for row in texts for t in row) <= slot.cell - 3:
                break
        else:
            return
        painter.save()
        painter.setFont(font)
        for i, row in enumerate(texts):
            for j, text in enumerate(row):
                cell = QRectF(slot.cells.left() + j * slot.cell, slot.cells.top() + i * slot.cell,
                              slot.cell, slot.cell)
                painter.setPen(QColor("#ffffff") if abs(scaled[i, j]) > 0.6 else QColor(theme.INK))
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    # -- hovering and typing ----------------------------------------------------------------

    def cell_at(self, point: QPointF) -> tuple[str, str, int, int] | None:
        """``(name, "W" or "ΔW", row, column)`` of the cell under *point*, if any."""
        for slot in self.slots():
            found = slot.cell_at(point)
            if found is not None:
                return (slot.name, slot.which, *found)
        return None

    def mouseMoveEvent(self, event) -> None:
        hover = self.cell_at(event.position())
        if hover != self._hover:
            self._hover = hover
            self.update()
        super().mouseMoveEvent(event)

    def event(self, event) -> bool:
        """A tooltip with the hovered cell's name and value (the bottom line says it too)."""
        if event.type() == QEvent.Type.ToolTip:
            hover = self.cell_at(QPointF(event.pos()))
            if hover is None:
                QToolTip.hideText()
                event.ignore()
            else:
                self._hover = hover
                QToolTip.showText(event.globalPos(), self.status_text(), self)
            return True
        return super().event(event)

    def leaveEvent(self, event) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()
        super().leaveEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        found = self.cell_at(event.position())
        if found is None:
            super().mouseDoubleClickEvent(event)
            return
        name, which, row, column = found
        if which != "W":
            self._tell("ΔW is what the last update changed: double-click the weight itself to type it")
            return
        self.edit_cell(name, row, column)

    def edit_cell(self, name: str, row: int, column: int) -> None:
        """Open the editor over cell (*row*, *column*) of *name*, holding its value."""
        view = self.view
        slot = next((s for s in self.slots() if s.name == name and s.which == "W"), None)
        if view is None or slot is None:
            return
        self._editing = (name, row, column)
        metrics = QFontMetricsF(self.fitted_font())
        self._editor.setFont(self.fitted_font())
        w, h = max(metrics.horizontalAdvance("−0.000000000000") + 12, slot.cell), metrics.height() + 8
        x = min(max(slot.cells.left() + column * slot.cell, 0), self.width() - w)
        y = min(max(slot.cells.top() + row * slot.cell, 0), self.height() - h)
        self._editor.setGeometry(round(x), round(y), round(w), round(h))
        text = repr(float(view[name].values[row, column]))
        self._editor.setText(text)
        self._editor.setSelection(len(text), -len(text))  # all selected, its start in view
        self._editor.show()
        self._editor.setFocus()
        self.update()

    @property
    def editor(self) -> QLineEdit:
        return self._editor

    def _commit(self) -> None:
        view = self.view
        if self._editing is None or view is None:
            return
        name, row, column = self._editing
        try:
            values = typed_parameters(view, name, row, column, self._editor.text())
        except InputError as error:
            self._tell(f"Not used: {error}")
            self._editor.selectAll()
            return
        self._close_editor()
        self.parametersTyped.emit(values)

    def _close_editor(self) -> None:
        if self._editing is not None:
            self._editing = None
            self.update()
        if self._editor.isVisible():
            self._editor.hide()
            self.setFocus()
