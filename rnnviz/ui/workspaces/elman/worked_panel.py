"""The lab's worked example, BPTT by hand: every δ_t and gradient term with its numbers.

It shows :func:`rnnviz.present.lab_worked.worked_view` for the run's current
weights and the example on screen as rich text, each line as the one-neuron
equation panel writes it::

    δ_2 = σ′(a_2)·(W_hy·ε_2 + W_hh·δ_3),  σ′(a_2) = h_2(1 − h_2)
        = 0.575·(1 − 0.575)·(0.700·2.80 + (−0.400)·(−0.407)) = 0.519613

results in their sign's colour, then the ``rnnviz bptt`` command that prints
the same numbers. Above them the weights and the sequence can be typed (the
sequence as ``rnnviz bptt VALUES`` takes it, read by the same parser). For
any other preset it says in one line that it is for the worked example.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rnnviz.engine.errors import InputError
from rnnviz.present.lab_worked import (
    COMMAND_NOTE,
    MAX_TYPED_VALUES,
    TYPED_NAMES,
    WorkedLine,
    WorkedSection,
    WorkedView,
    typed_sequence,
    typed_weights,
    values_text,
    worked_view,
)
from rnnviz.runs.lab import LabRun
from rnnviz.ui import theme

#: Text size of the panel at font scale 1, in pixels.
WORKED_FONT_PX: Final[int] = 13


_BRACKETED: Final[re.Pattern[str]] = re.compile(r"_\(([^()]*)\)")
_PLAIN: Final[re.Pattern[str]] = re.compile(r"_([0-9A-Za-z]+)")


def _math(text: str) -> str:
    """*text* escaped, ``a_1``, ``W_hh`` and ``h_(t−1)`` with their indices set as subscripts."""
    return _PLAIN.sub(r"<sub>\1</sub>", _BRACKETED.sub(r"<sub>\1</sub>", html.escape(text)))


def _command_html(command: str) -> str:
    """The command in a fixed font, one option a line (continued with backslashes, ready to paste)."""
    parts = re.split(r" (?=--)", command)
    return "<pre>" + html.escape(" \\\n    ".join(parts)) + "</pre>"


def _line_html(line: WorkedLine) -> str:
    colour = theme.sign_ink(line.value).name()
    result = f'<span style="color:{colour};font-weight:600">{html.escape(line.result)}</span>'
    return (f'<tr><td align="right" style="padding:1px 4px"><b>{_math(line.symbol)}</b></td>'
            f'<td style="padding:1px 4px">= {_math(line.formula)}<br>'
            f"= {html.escape(line.numbers)} = {result}</td></tr>")


def _section_html(section: WorkedSection) -> str:
    title = (f'<p style="margin:8px 0 2px 0; color:{theme.MUTED}; font-weight:600">'
             f"{_math(section.title)}</p>")
    rows = "".join(_line_html(line) for line in section.lines)
    return f'{title}<table cellspacing="0" cellpadding="0">{rows}</table>'


def view_html(view: WorkedView) -> str:
    """The panel's rich text for *view*."""
    if view.unavailable:
        return f'<p style="color:{theme.MUTED}">{html.escape(view.unavailable)}</p>'
    notes = "".join(f'<p style="margin:0 0 2px 0; color:{theme.MUTED}">{_math(note)}</p>'
                    for note in view.notes)
    command = (f'<p style="margin:8px 0 0 0; color:{theme.MUTED}">{html.escape(COMMAND_NOTE)}</p>'
               + _command_html(view.command))
    heading = f'<p style="margin:0 0 4px 0"><b>{_math(view.heading)}</b></p>'
    sections = "".join(_section_html(section) for section in view.sections)
    return f'<div style="color:{theme.INK}">{heading}{notes}{sections}{command}</div>'


#: Each typed weight's label: the network's name, then seed 003's letter.
_FIELD_LABELS: Final[dict[str, str]] = {
    "w_xh": "W<sub>xh</sub> (v)", "w_hh": "W<sub>hh</sub> (w)", "w_hy": "W<sub>hy</sub> (u)",
    "h0": "h<sub>0</sub> (s)",
}


#: What the sequence field says on hover: how it is read and when it acts.
SEQUENCE_TIP: Final[str] = (
    f"The sequence x1,…,xT the network learns, as rnnviz bptt VALUES takes it: 2 to "
    f"{MAX_TYPED_VALUES} numbers separated by commas, each predicting the next. Enter uses it "
    "(with any typed weights). Of as many values as now, it acts from the cursor on and "
    "later updates are forgotten; of another length, the training starts again at update 0 "
    "from the weights at the cursor."
)


class WorkedPanel(QWidget):
    """BPTT by hand for the worked preset, at the cursor's weights; the weights and sequence can be typed."""

    #: {name: array} of typed weights to set at the cursor (only those that changed).
    parametersTyped = Signal(dict)
    #: The typed sequence x_1 … x_T (a tuple of floats, checked), when it changed.
    exampleTyped = Signal(object)

    def __init__(self, tell: Callable[[str], None]) -> None:
        super().__init__()
        self._tell = tell
        self._html = ""
        self.view: WorkedView | None = None
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self._font_scale = 1.0
        self._style_text()
        self.typing = QWidget()
        rows = QVBoxLayout(self.typing)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        row = QHBoxLayout()
        rows.addLayout(row)
        self.fields: dict[str, QLineEdit] = {}
        for name in TYPED_NAMES:
            field = QLineEdit()
            field.setObjectName(f"worked_{name}")
            field.returnPressed.connect(self.apply_typed)
            row.addWidget(QLabel(_FIELD_LABELS[name]))
            row.addWidget(field, 2)  # wider first, up to a float in full (_size_fields)
            self.fields[name] = field
        self.use_button = QPushButton("Use")
        self.use_button.setToolTip("work the example again with these weights and this sequence, "
                                   "from the cursor on")
        self.use_button.clicked.connect(self.apply_typed)
        row.addStretch(1)
        rows.addLayout(self._sequence_row())
        self._size_fields()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.typing)
        layout.addWidget(self.text)

    def _sequence_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel("x<sub>1</sub>,…,x<sub>T</sub> (VALUES)")
        label.setToolTip(SEQUENCE_TIP)
        self.sequence = QLineEdit()
        self.sequence.setObjectName("worked_values")
        self.sequence.setToolTip(SEQUENCE_TIP)
        self.sequence.setPlaceholderText("1,0.5,-1,2")
        self.sequence.returnPressed.connect(self.apply_typed)
        row.addWidget(label)
        row.addWidget(self.sequence, 1)
        row.addWidget(self.use_button)  # here, so that the weights have the row above to themselves
        return row

    def _style_text(self) -> None:
        px = max(round(WORKED_FONT_PX * self._font_scale), 1)
        self.text.setStyleSheet(f"QTextBrowser {{ background:#ffffff; font-size:{px}px; }}")

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large (the equations and the typed weights), for presentation mode."""
        scale = theme.check_font_scale(scale)
        if scale == self._font_scale:
            return
        self._font_scale = scale
        self._style_text()
        self.typing.setFont(QFont() if scale == 1.0 else theme.scaled_font(QFont(), scale))
        self._size_fields()

    def _size_fields(self) -> None:
        """Each weight's field as wide as a float written in full (17 digits), no wider."""
        width = self.typing.fontMetrics().horizontalAdvance("-0.00000000000000000") + 16
        for field in self.fields.values():
            field.setMaximumWidth(width)

    def font_scale(self) -> float:
        """The factor set by :meth:`set_font_scale`."""
        return self._font_scale

    def apply_typed(self) -> None:
        """Send what was typed and changed: weights (:attr:`parametersTyped`), then the sequence
        (:attr:`exampleTyped`). Anything bad is one line and nothing is sent."""
        example = None if self.view is None else self.view.example
        if example is None:
            return
        current = {"w_xh": example.w_xh, "w_hh": example.w_hh, "w_hy": example.w_hy, "h0": example.h0}
        try:
            changed = typed_weights({name: field.text() for name, field in self.fields.items()}, current)
            weights = {**current, **{name: float(array.ravel()[0]) for name, array in changed.items()}}
            values = typed_sequence(self.sequence.text(), weights)
        except InputError as error:
            self._tell(f"Not used: {error}")
            return
        if not changed and values == example.values:
            self._tell("The typed weights are the current ones, and so is the sequence: nothing to change.")
            return
        for field in (*self.fields.values(), self.sequence):
            field.setModified(False)  # taken: the fields follow the run again
        if changed:
            self.parametersTyped.emit(changed)
        if values != example.values:
            self.exampleTyped.emit(values)

    def show_lab(self, run: LabRun, example_index: int) -> None:
        """Work the example *example_index* through with *run*'s current weights."""
        inputs, targets, mask = run.source.example(example_index)
        self.view = worked_view(run.network, inputs, targets, mask)
        example = self.view.example
        self.typing.setVisible(example is not None)
        if example is not None:
            current = {"w_xh": example.w_xh, "w_hh": example.w_hh, "w_hy": example.w_hy, "h0": example.h0}
            for name, field in self.fields.items():
                if not (field.hasFocus() and field.isModified()):  # never under a user's typing
                    field.setText(repr(current[name]))
                    field.setCursorPosition(0)
            if not (self.sequence.hasFocus() and self.sequence.isModified()):
                self.sequence.setText(values_text(example.values))
                self.sequence.setCursorPosition(0)
        markup = view_html(self.view)
        if markup != self._html:  # keep the reader's scroll position when nothing changed
            bar = self.text.verticalScrollBar()
            position = bar.value()
            self.text.setHtml(markup)
            bar.setValue(position)
            self._html = markup
