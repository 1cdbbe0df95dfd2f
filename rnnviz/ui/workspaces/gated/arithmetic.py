"""One cell's arithmetic in slow motion: the chosen unit at the chosen step, with its numbers.

It shows :func:`~rnnviz.present.gated.cell_arithmetic` as rich text in the
equations panel's style, each line ``symbol = formula = numbers = result``, the
result in its sign's colour. Shown whole (no stage) every stage is written
out; at stage *s* (Shift+→) the stages up to *s* are written, stage *s* on the
stage tint, the later ones by their titles alone, and the last says that the
next Shift+→ is the update. The step and unit are chosen here (two fields) or
by a click on a gate lane.
"""

from __future__ import annotations

import html
import re
from typing import Final

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from rnnviz.present.gated import CellArithmetic, CellLine
from rnnviz.present.lab_worked import WorkedSection
from rnnviz.ui import theme

#: The anchor of the stage shown (scrolled into view).
STAGE_ANCHOR: Final[str] = "stage"
#: Text size of the panel at font scale 1, in pixels.
ARITHMETIC_FONT_PX: Final[int] = 13

_BRACKETED: Final[re.Pattern[str]] = re.compile(r"_\(([^()]*)\)")
_PLAIN: Final[re.Pattern[str]] = re.compile(r"_([0-9A-Za-z?]+)")


def _math(text: str) -> str:
    """*text* escaped, ``c_3``, ``W_hf`` and ``h_(t−1)`` with their indices as subscripts."""
    return _PLAIN.sub(r"<sub>\1</sub>", _BRACKETED.sub(r"<sub>\1</sub>", html.escape(text)))


def _line_html(line: CellLine) -> str:
    colour = theme.sign_ink(line.value).name()
    result = f'<span style="color:{colour};font-weight:600">{html.escape(line.result)}</span>'
    return (f'<tr><td align="right" style="padding:1px 4px"><b>{_math(line.symbol)}</b></td>'
            f'<td style="padding:1px 4px">= {_math(line.formula)}<br>'
            f"= {html.escape(line.numbers)} = {result}</td></tr>")


def _section_html(number: int, section: WorkedSection, current: bool) -> str:
    tint = f"background:{theme.STAGE_TINT};" if current else ""
    anchor = f'<a name="{STAGE_ANCHOR}"></a>' if current else ""
    title = (f'<p style="margin:8px 0 2px 0; color:{theme.MUTED}; font-weight:600">'
             f"{anchor}{number}. {_math(section.title)}</p>")
    rows = "".join(_line_html(line) for line in section.lines)
    return f'<div style="{tint}">{title}<table cellspacing="0" cellpadding="0">{rows}</table></div>'


def arithmetic_html(view: CellArithmetic, stage: int | None) -> str:
    """The panel's rich text for *view* at *stage* (None: every stage written out)."""
    heading = f'<p style="margin:0 0 4px 0"><b>{_math(view.heading)}</b></p>'
    notes = "".join(f'<p style="margin:0 0 2px 0; color:{theme.MUTED}">{_math(note)}</p>'
                    for note in view.notes)
    parts = []
    for number, section in enumerate(view.stages):
        if stage is None or number <= stage:
            parts.append(_section_html(number + 1, section, number == stage))
        else:
            parts.append(f'<p style="margin:8px 0 2px 0; color:{theme.NEUTRAL}">'
                         f"{number + 1}. {_math(section.title)} (Shift+→)</p>")
    count = len(view.stages)
    if stage is None:
        hint = f"Shift+→ takes this step apart in {count} stages, then makes the update."
    elif stage + 1 < count:
        hint = f"Stage {stage + 1} of {count}; Shift+→ shows the next."
    else:
        hint = f"Stage {count} of {count}, the last: Shift+→ now makes the update."
    hint_html = f'<p style="margin:8px 0 0 0; color:{theme.MUTED}"><i>{html.escape(hint)}</i></p>'
    return f'<div style="color:{theme.INK}">{heading}{notes}{"".join(parts)}{hint_html}</div>'


class ArithmeticPanel(QWidget):
    """The chosen cell's arithmetic (see the module docstring)."""

    #: The step or unit field changed: (step t, unit j), both from 1.
    cellChosen = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("cellArithmetic")
        self.step = QSpinBox()
        self.step.setToolTip("the step t whose arithmetic is shown (or click a gate lane)")
        self.unit = QSpinBox()
        self.unit.setToolTip("the unit j whose arithmetic is shown (or click a gate lane)")
        for box in (self.step, self.unit):
            box.setRange(1, 1)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(lambda _v: self.cellChosen.emit(self.step.value(), self.unit.value()))
        self.fields = QWidget()
        row = QHBoxLayout(self.fields)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("one cell: step t"))
        row.addWidget(self.step)
        row.addWidget(QLabel("unit j"))
        row.addWidget(self.unit)
        row.addStretch(1)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self._html = ""
        self._scale = 1.0
        self._style_text()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.fields)
        layout.addWidget(self.text, 1)
        self.setMinimumWidth(260)

    def show_arithmetic(self, view: CellArithmetic, steps: int, units: int, stage: int | None) -> None:
        """Show *view* at *stage*; the fields range over *steps* and *units*."""
        with QSignalBlocker(self.step), QSignalBlocker(self.unit):
            self.step.setRange(1, steps)
            self.unit.setRange(1, units)
            self.step.setValue(view.step)
            self.unit.setValue(view.unit)
        text = arithmetic_html(view, stage)
        if text != self._html:
            self._html = text
            bar = self.text.verticalScrollBar()
            where = bar.value()
            self.text.setHtml(text)
            if stage is None:
                bar.setValue(where)
            else:  # the stage shown in view
                self.text.scrollToAnchor(STAGE_ANCHOR)

    def set_updating(self, updating: bool) -> None:
        """Grey the numbers while training runs too fast to read them (they refresh a few times a second)."""
        self.text.setEnabled(not updating)
        self.text.setToolTip("training too fast to read: the numbers refresh five times a second"
                             if updating else "")

    def html_shown(self) -> str:
        """The rich text shown now."""
        return self._html

    def _style_text(self) -> None:
        px = max(round(ARITHMETIC_FONT_PX * self._scale), 1)
        self.text.setStyleSheet(f"QTextBrowser {{ background:#ffffff; font-size:{px}px; }}")

    def set_font_scale(self, scale: float) -> None:
        """Text *scale* times as large, for presentation mode."""
        scale = theme.check_font_scale(scale)
        if scale == self._scale:
            return
        self._scale = scale
        self._style_text()
        self.fields.setFont(QFont() if scale == 1.0 else theme.scaled_font(QFont(), scale))
