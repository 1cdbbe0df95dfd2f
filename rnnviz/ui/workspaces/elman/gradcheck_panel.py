"""The lab's gradient check panel: BPTT's gradient beside central finite differences, on request.

Nothing is computed until *Check gradients* is pressed (the check costs two
forward passes per parameter): then :func:`~rnnviz.present.lab_gradcheck.gradient_check`
checks the example on screen at the run's current parameters, and the panel
shows its verdict, its notes and one table row per parameter (parameter order,
indices from 1; any column header sorts, *Sort by error* puts the worst first).
Rows at or above the agreement threshold are tinted. When the weights or the
example change afterwards, the table stays but is marked out of date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.engine.notation import MINUS
from rnnviz.present.format import format_number
from rnnviz.present.lab_gradcheck import (
    AGREE_BELOW,
    GradientCheck,
    check_lines,
    gradient_check,
)
from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme

#: The table's columns.
COLUMNS: Final[tuple[str, ...]] = (
    "parameter", "θ", "BPTT ∂L/∂θ", "finite difference", "relative error")
#: The column that "Sort by error" sorts.
ERROR_COLUMN: Final[int] = 4
#: Tint of a row whose relative error is at or above the threshold.
FAIL_TINT: Final[str] = "#f6d5d1"
AGREE_COLOUR: Final[str] = "#1e7a34"
STALE_COLOUR: Final[str] = "#9a9a9a"
IDLE_TEXT: Final[str] = ("Press Check gradients to compare each parameter's BPTT gradient for the "
                         "example on screen with central finite differences (two forward passes "
                         "per parameter).")


def precise(value: float) -> str:
    """Ten significant digits with a true minus: enough to see where BPTT and the difference part."""
    return format_number(value) if not np.isfinite(value) else f"{value:.10g}".replace("-", MINUS)


class CheckTable(QAbstractTableModel):
    """The rows of one :class:`GradientCheck`, in a sortable order."""

    def __init__(self) -> None:
        super().__init__()
        self.check: GradientCheck | None = None
        self.order = np.zeros(0, dtype=np.intp)
        self.stale = False
        #: The font of the worst row (bold, at the table's size).
        self.bold = QFont()
        self.bold.setBold(True)

    def set_check(self, check: GradientCheck | None) -> None:
        self.beginResetModel()
        self.check = check
        self.order = np.arange(check.rows if check is not None else 0)
        self.stale = False
        self.endResetModel()

    def set_stale(self, stale: bool) -> None:
        if stale != self.stale and self.rowCount():
            self.stale = stale
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))
        self.stale = stale

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else int(self.order.size)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return ("click to sort by this column; the parameter column sorts in the network's "
                    "order, W_xh, W_hh, W_hy, b_h, b_y, indices counted from 1")
        return None

    def text(self, row: int, column: int) -> str:
        """What cell (*row*, *column*) of the table as shown (sorted) says."""
        check = self.check
        assert check is not None
        r = int(self.order[row])
        if column == 0:
            return check.label(r)
        value = (check.values, check.analytic, check.numeric, check.errors)[column - 1][r]
        return format_number(float(value)) if column in (1, ERROR_COLUMN) else precise(float(value))

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.check is None:
            return None
        row, column = index.row(), index.column()
        r = int(self.order[row])
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        failing = not self.check.errors[r] < AGREE_BELOW
        if role == Qt.ItemDataRole.BackgroundRole and failing:
            return QBrush(QColor(FAIL_TINT))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(STALE_COLOUR if self.stale else theme.INK))
        if role == Qt.ItemDataRole.FontRole and r == self.check.worst:
            return QFont(self.bold)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        check = self.check
        if check is None:
            return
        keys = (np.arange(check.rows), check.values, check.analytic, check.numeric,
                np.where(np.isnan(check.errors), np.inf, check.errors))[column]
        self.layoutAboutToBeChanged.emit()
        # Stable both ways: equal keys keep the parameter order (the worst row first among equals).
        descending = order == Qt.SortOrder.DescendingOrder
        self.order = np.argsort(-keys if descending else keys, kind="stable")
        self.layoutChanged.emit()


class GradientCheckPanel(QWidget):
    """The gradient check of the lab's example on screen (see the module docstring)."""

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__()
        self._tell = tell
        self._run: LabRun | None = None
        self._index = 0
        self._checked: tuple[LabRun, int, int, dict[str, np.ndarray]] | None = None
        self.button = QPushButton("Check gradients")
        self.button.setToolTip("compare BPTT's gradient with central finite differences, "
                               "for the example on screen at the current weights")
        self.sort_box = QCheckBox("Sort by error")
        self.sort_box.setToolTip("put the largest relative errors first")
        self.summary = QLabel(IDLE_TEXT)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The verdict and its notes are never squeezed: the table gives up the room and scrolls.
        self.summary.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.model = CheckTable()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self._base_font = QFont(self.font())
        self._scale = 1.0
        self._size_rows()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._widths = [header.fontMetrics().horizontalAdvance(t) + 40 for t in COLUMNS]
        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.sort_box)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.button.clicked.connect(self.check_now)
        self.sort_box.toggled.connect(self._sort)
        self._lines: list[str] = []

    # -- what the workspace calls -----------------------------------------------------------
    def show_lab(self, run: LabRun, example_index: int) -> None:
        """Follow the run's cursor: nothing is computed; an earlier check may become out of date."""
        self._run, self._index = run, example_index
        stale = self._checked is not None and not self._same(run, example_index)
        if stale != self.model.stale:
            self.model.set_stale(stale)
            self._write_summary()

    @property
    def stale(self) -> bool:
        """Whether the weights or the example changed since the table was computed."""
        return self.model.stale

    def check_now(self) -> GradientCheck | None:
        """Run the check on the example on screen (the button's action); ``None`` if it cannot."""
        run = self._run
        if run is None:
            self._tell("Nothing to check yet: the lab has no run.")
            return None
        try:
            inputs, targets, mask = run.source.example(self._index)
            check = gradient_check(run.network, inputs, targets, mask)
        except InputError as error:
            self._tell(f"Gradient check: {error}")
            return None
        self._checked = (run, self._index, run.cursor, run.network.copy_parameters())
        self.model.set_check(check)
        self._lines = check_lines(check, window=run.settings.window,
                                  clipping=run.settings.clipping is not None)
        self._sort(self.sort_box.isChecked())
        self._fit_columns()
        self._write_summary()
        worst = check.worst
        verdict = "agree" if check.agree else "DISAGREE"
        where = f", worst relative error {format_number(check.worst_error)} at " \
                f"{check.label(worst)}" if worst is not None else ""
        self._tell(f"Gradient check of example {self._index + 1:,}: BPTT and finite differences "
                   f"{verdict}{where}.")
        return check

    # -- inside -----------------------------------------------------------------------------
    def _same(self, run: LabRun, example_index: int) -> bool:
        assert self._checked is not None
        checked_run, index, _, params = self._checked
        if checked_run is not run or index != example_index:
            return False
        current = run.network.parameters()
        return all(np.array_equal(current[name], value) for name, value in params.items())

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large, for presentation mode (rows and columns grow with it)."""
        scale = theme.check_font_scale(scale)
        if scale == self._scale:
            return
        self._scale = scale
        self.setFont(theme.scaled_font(self._base_font, scale))
        self._size_rows()
        if self.model.check is not None:
            self._fit_columns()
        self._fit_summary()

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._scale

    def _size_rows(self) -> None:
        self.table.horizontalHeader().setFont(self.font())  # the style gives headers their own
        height = self.fontMetrics().height() + 4
        self.table.verticalHeader().setDefaultSectionSize(height)
        self.table.setMinimumHeight(4 * height)
        self.model.bold = QFont(self.font())
        self.model.bold.setBold(True)

    def _fit_columns(self) -> None:
        """Each column as wide as its widest text (numbers are never elided; narrow panels scroll)."""
        metrics = self.table.fontMetrics()
        bold = QFont(self.table.font())
        bold.setBold(True)
        wide = QFontMetrics(bold)  # the worst row is bold
        header = self.table.horizontalHeader()
        for column, title in enumerate(COLUMNS):
            texts = [self.model.text(row, column) for row in range(self.model.rowCount())]
            widest = max((wide.horizontalAdvance(text) for text in texts), default=0)
            width = max(widest, header.fontMetrics().horizontalAdvance(title) + 24, metrics.height())
            self._widths[column] = width + 16
        self._spread_columns()

    def _spread_columns(self) -> None:
        """The columns at their texts' widths, the room left over shared among them."""
        # Room for the vertical scroll bar is always left: it comes and goes with the rows.
        room = self.table.width() - 2 * self.table.frameWidth() - \
            self.table.verticalScrollBar().sizeHint().width()
        spare = max(0, room - sum(self._widths))
        for column, width in enumerate(self._widths):
            self.table.setColumnWidth(column, width + spare // len(self._widths))

    def _fit_summary(self) -> None:
        """Lay the panel out again now, not at the next event: a picture taken at once is right."""
        layout = self.layout()
        layout.invalidate()
        layout.activate()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._spread_columns()

    def _sort(self, by_error: bool) -> None:
        if by_error:
            self.table.sortByColumn(ERROR_COLUMN, Qt.SortOrder.DescendingOrder)
        else:
            self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.scrollToTop()

    def _write_summary(self) -> None:
        check = self.model.check
        if check is None or self._checked is None:
            self.summary.setText(IDLE_TEXT)
            self._fit_summary()
            return
        _, index, cursor, _ = self._checked
        colour = STALE_COLOUR if self.model.stale else \
            (AGREE_COLOUR if check.agree else theme.ERROR_TEXT)
        head = f'<b style="color:{colour}">{_escape(self._lines[0])}</b>'
        where = f"Example {index + 1:,} at update {cursor:,}."
        if self.model.stale:
            where = (f'<b style="color:{theme.ERROR_TEXT}">Out of date:</b> this was example '
                     f"{index + 1:,} at update {cursor:,}; the weights or the example have changed "
                     "since. Press Check gradients again.")
        rest = "".join(f"<br>{_escape(line)}" for line in self._lines[1:])
        self.summary.setText(f"{head}<br>{where}{rest}")
        self._fit_summary()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
