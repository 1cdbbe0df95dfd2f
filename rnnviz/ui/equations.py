"""The equation panel: one tick's forward pass and updates with the numbers put in.

The panel shows the tick the diagram shows — the last one done, or before
the first tick a preview of tick 1 — as the equations of the tick and its
update rule (docs/architecture.md, 'The one-neuron tick' and 'The update
rules') with this tick's numbers substituted::

    o   = hh·h_prev + ih·x
        = 0.0372·0.516 + 0.583·0 = 0.0192
    Δho = η·e·ŷ(1−ŷ)·h
        = 5·(−0.592)·0.242·0.505 = −0.361

then the update rule's ih and hh lines (the sequential rule's ``ho′`` and
``ŷ′`` included) and the sign rules with this tick's signs. At the end of the
stream a last section gives the forward pass that predicts the next, unknown
bit.

*What* is shown is :func:`rnnviz.present.equations.equation_view`'s, worked
out without Qt from :mod:`rnnviz.engine.explain`, which reads the engine's
history, so the panel and the engine agree. This module turns that view into
rich text (:func:`view_html`: a sign role becomes the theme's sign colour, a
stage's lines a tint) and lays it out, veils it and scrolls it.

In slow motion the lines of the stage shown are tinted and the lines of the
stages still to come are dimmed, their numbers not yet filled in. The panel
scrolls, as little as it can, to keep the tinted lines (and their section's
title, when both fit) in view.

The panel shows whole lines only: a line cut by the top or bottom edge is
not drawn (a short panel in presentation mode showed half a line).

While play runs faster than anyone reads (more than one tick per
:data:`~rnnviz.ui.throttle.READABLE_INTERVAL_MS`, i.e. above 20 ticks/s), the panel is veiled and
says it is updating: its text catches up a few times a second under the veil,
and is exact again, unveiled, as soon as play slows down or stops. At a
readable pace it is redrawn with every tick, in the same frame as the other
panels, so no frame shows it at another tick than the diagram.

:func:`install` puts the panel in a third column on the right of the main window,
with View ▸ Equations to show or hide it, and adds Run ▸ Next stage
(Shift+→) and Run ▸ Slow-motion tick.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QMimeData, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPaintEvent, QResizeEvent, QShowEvent,
    QTextCursor,
)
from PySide6.QtWidgets import QTextBrowser, QWidget

from rnnviz.engine.notation import MINUS
from rnnviz.present.equations import (
    FAILS, HOLDS, SIGNED, STRONG, EquationLine, EquationView, Heading, Section, Span, equation_view,
)
from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import Change
from rnnviz.ui.services import WindowServices
from rnnviz.ui.throttle import TEXT_REFRESH_PERIOD_MS, Throttle

#: Text size of the panel at font scale 1, in pixels.
EQUATION_FONT_PX: Final[int] = 13
#: Width the panel asks for: the longest substituted line at the base size.
PANEL_WIDTH: Final[int] = 350
#: Background of the lines of the stage shown.
_STAGE_TINT: Final[str] = theme.STAGE_TINT
_DIM: Final[str] = "#a0a0a0"
_MUTED: Final[str] = theme.MUTED
_INK: Final[str] = theme.INK
_OK: Final[str] = "#1b7837"
#: The panel's page (its style sheet's background).
_PAPER: Final[str] = "#ffffff"


@dataclass(frozen=True, slots=True)
class _TextLine:
    """One laid-out line of the panel's text, in document pixels."""

    top: float
    bottom: float
    table: int | None  # the table it is in (its first position), None outside tables
    tinted: bool       # a line of the stage shown


#: Operators a formula may break before (never after: the operator goes with its term).
_OPERATOR_SPACE: Final[re.Pattern[str]] = re.compile(f"(^| )([=+{MINUS}→]) ")
_TAG: Final[re.Pattern[str]] = re.compile(r"(<[^>]+>)")
_NBSP: Final[str] = "&nbsp;"
#: A break opportunity of no width, put before each "·" of a product.
_BREAK: Final[str] = "\u200b"


def _formula(markup: str) -> str:
    """*markup* with every binary operator glued to the term after it.

    A narrow panel then breaks a line only before an operator, between
    whole terms: ``= 0.0907`` and ``+ ih·x`` move to the next line as one,
    and no line ends in a lone ``=``. A product too long for the line may
    break before a ``·``, between two factors, never inside a number. Tags
    are left alone.
    """
    return "".join(
        part if part.startswith("<")
        else _OPERATOR_SPACE.sub(rf"\1\2{_NBSP}", part).replace("·", _BREAK + "·")
        for part in _TAG.split(markup)
    )


def _whole(text: str) -> str:
    """*text* escaped, with no place to break: a short formula such as ``η = 5``."""
    return html.escape(text).replace(" ", _NBSP)


def _span(span: Span) -> str:
    """One :class:`~rnnviz.present.equations.Span` as markup, in its role's colour."""
    if span.role == STRONG:
        return f"<b>{html.escape(span.text)}</b>"
    if span.role == SIGNED:
        colour = theme.sign_ink(span.sign).name()
        return f'<span style="color:{colour};font-weight:600;">{html.escape(span.text)}</span>'
    if span.role == HOLDS:
        return f'&nbsp;<span style="color:{_OK}">{_whole(span.text)}</span>'
    if span.role == FAILS:
        return f'&nbsp;<span style="color:{theme.ERROR_TEXT}">{_whole(span.text)}</span>'
    return html.escape(span.text)


def _spans(spans: tuple[Span, ...]) -> str:
    return "".join(_span(span) for span in spans)


def _heading_html(heading: Heading) -> str:
    # Each item stays whole on a narrow panel ("η = 5", never "η =" and "5").
    said = ("computed with earlier settings" if heading.earlier_settings
            else " · ".join(_whole(item) for item in heading.settings))
    bits = " ".join(_whole(bit) for bit in heading.bits)
    return (
        f'<p style="margin:0 0 2px 0"><b>{html.escape(heading.title)}</b><br>'
        f'{bits} <span style="color:{_MUTED}">· {said}</span></p>'
    )


def _note_html(text: str, whole: str = "") -> str:
    """A muted paragraph: *text*, then *whole*, a formula kept on one line."""
    return f'<p style="margin:0 0 4px 0; color:{_MUTED}">{html.escape(text)}{_whole(whole)}</p>'


def _section_html(section: Section) -> str:
    title = (f'<p style="margin:8px 0 2px 0; color:{_MUTED}; font-weight:600">'
             f"{html.escape(section.title)}</p>")
    parts = [title, _table_html(section.lines)]
    if section.note or section.note_whole:
        parts.append(_note_html(section.note, whole=section.note_whole))
    return "".join(parts)


def _table_html(lines: tuple[EquationLine, ...]) -> str:
    rows = []
    for line in lines:
        colour = _DIM if line.state == "later" else _INK
        background = f" background-color:{_STAGE_TINT};" if line.state == "now" else ""
        cell = f'style="color:{colour};{background} padding:1px 4px"'
        right = f"= {html.escape(line.formula)}"
        if line.state != "later":
            if line.numbers:
                right += f"<br>= {_spans(line.numbers)} = {_spans(line.result)}"
            else:
                right += f" = {_spans(line.result)}"
        right = _formula(right)
        if line.note and line.state != "later":
            right += f'<br><span style="color:{_MUTED}">{html.escape(line.note)}</span>'
        rows.append(f'<tr><td {cell} align="right"><b>{html.escape(line.symbol)}</b></td>'
                    f"<td {cell}>{right}</td></tr>")
    return '<table cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"


def view_html(view: EquationView) -> str:
    """The panel's rich text for *view*: its heading, notes and sections, in the theme's colours."""
    parts = [] if view.heading is None else [_heading_html(view.heading)]
    parts.extend(_note_html(note) for note in view.notes)
    parts.extend(_section_html(section) for section in view.sections)
    return f'<div style="color:{_INK}">' + "".join(parts) + "</div>"



#: The veil's say while the panel is updating under it.
UPDATING_TEXT: Final[str] = "updating…"
#: (20 ticks/s is the fastest speed whose ticks are READABLE_INTERVAL_MS or more apart.)
UPDATING_NOTE: Final[str] = (
    "playing too fast to read: the equations follow every tick at 20 ticks/s or slower, "
    "and when paused"
)
#: How much of the text under the veil shows through (0 hides it, 255 shows it whole).
_VEIL_ALPHA: Final[int] = 205


class _UpdatingVeil(QWidget):
    """A pale sheet over the panel's text saying that the numbers under it are catching up."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("equationsUpdating")
        # Wheel and clicks reach the text below; the veil only shows.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        painter = QPainter(self)
        try:
            bold = QFont(self.font())
            bold.setBold(True)
            bold_metrics, metrics = QFontMetrics(bold), QFontMetrics(self.font())
            margin = max(metrics.height() // 3, 4)
            width = max(self.width() - 2 * margin, 1)
            wrap = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
            heading = QRect(margin, margin, width, bold_metrics.height())
            note = metrics.boundingRect(QRect(margin, heading.bottom() + 2, width, 1 << 16), wrap,
                                        UPDATING_NOTE)
            band = note.bottom() + margin
            # An opaque band for the message, so no faded line runs through it;
            # below it the text shows through, pale, as what it is: catching up.
            painter.fillRect(0, 0, self.width(), band, QColor(_PAPER))
            painter.fillRect(0, band, self.width(), self.height() - band,
                             QColor(255, 255, 255, _VEIL_ALPHA))
            painter.setPen(QColor(_DIM))
            painter.drawLine(margin, band, self.width() - margin, band)
            painter.setFont(bold)
            painter.setPen(QColor(_INK))
            painter.drawText(heading, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             UPDATING_TEXT)
            painter.setFont(self.font())
            painter.setPen(QColor(_MUTED))
            painter.drawText(note, wrap, UPDATING_NOTE)
        finally:
            painter.end()


class EquationPanel(QTextBrowser):
    """The equations of the tick shown, with its numbers, as rich text.

    Parameters
    ----------
    adapter
        The session adapter; the panel follows :attr:`~SessionAdapter.changed`
        (stages included) and only reads.
    parent
        The Qt parent widget.
    clock
        Seconds from a fixed start, to tell a readable pace of ticks from a
        fast one (``time.perf_counter``; tests pass their own).
    """

    def __init__(
        self, adapter: SessionAdapter, parent: QWidget | None = None, *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self._adapter = adapter
        self._font_scale = 1.0
        self._stale = True
        self._cursor = adapter.session.cursor  # to tell the throttle how far each change moved
        self.setObjectName("equationPanel")
        self.setOpenLinks(False)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and the arrows stay the window's
        self.setStyleSheet(f"QTextBrowser {{ background: {_PAPER}; color: {_INK}; }}")
        self._veil = _UpdatingVeil(self)
        self._line_cache: tuple[object, list[_TextLine]] | None = None
        self._apply_font()
        # setHtml costs 3–7 ms: every tick at a readable pace, and faster play
        # veiled (see the module notes); stages, pauses and edits at once.
        self._throttle = Throttle(self._redraw, TEXT_REFRESH_PERIOD_MS, self, "equationTextTimer",
                                  mark_stale=self._set_updating, clock=clock)
        adapter.changed.connect(self._on_changed)
        adapter.playingChanged.connect(self._on_playing)
        self._refresh()

    # -- public API --------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        # The splitter lays the columns out from their hints: ask for the
        # width of the longest substituted line, grown with the text.
        hint = super().sizeHint()
        return QSize(round(PANEL_WIDTH * self._font_scale), hint.height())

    def set_font_scale(self, scale: float) -> None:
        """Enlarge (or shrink) the text, e.g. for presentation mode (1.0 is the default)."""
        scale = theme.check_font_scale(scale)
        self._font_scale = scale
        self._apply_font()
        self._refresh()

    def text(self) -> str:
        """The panel's text as shown, without formatting (one table cell per line)."""
        return self.toPlainText().replace(_BREAK, "")

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 (Qt API)
        # Copied equations carry no invisible break marks (see _formula).
        data = super().createMimeDataFromSelection()
        if data.hasText():
            clean = QMimeData()
            clean.setText(data.text().replace(_BREAK, ""))
            return clean
        return data

    @property
    def updating(self) -> bool:
        """Whether the panel is veiled as updating: play runs too fast for its text to follow.

        While True the text under the veil may be a few ticks behind the
        other panels; while False it shows the tick they show.
        """
        return self._throttle.stale

    # -- following the adapter ---------------------------------------------------
    def _on_changed(self, flags: int) -> None:
        cursor = self._adapter.session.cursor
        moved, self._cursor = abs(cursor - self._cursor), cursor
        if self._adapter.playing and flags == Change.CURSOR:
            self._throttle.request(moved)
        else:
            self._throttle.now()

    def _on_playing(self, playing: bool) -> None:
        if not playing:
            self._throttle.now()  # the exact end state, at once

    def _redraw(self) -> None:
        # While hidden the panel only notes that it is out of date: playing at
        # full speed with the panel closed costs nothing.
        if self.isVisible():
            self._refresh()
        else:
            self._stale = True

    def _set_updating(self, updating: bool) -> None:
        # Cheap on purpose: it runs on the frames whose text is not redrawn.
        if updating:
            self._place_veil()
            self._veil.show()
            self._veil.raise_()
        else:
            self._veil.hide()

    def _place_veil(self) -> None:
        # Over the text only, not the scroll bar: the reader can still see where they are.
        self._veil.setGeometry(self.viewport().geometry())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._place_veil()
        if self._adapter.stage is not None and self.isVisible():
            self._show_stage()  # a shorter panel (presentation mode) may have hidden the stage

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt API)
        if self._stale:
            self._refresh()
        super().showEvent(event)

    def _apply_font(self) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(round(EQUATION_FONT_PX * self._font_scale), 6))
        self.document().setDefaultFont(font)
        self._veil.setFont(font)

    def _refresh(self) -> None:
        self._stale = False
        scroll = self.verticalScrollBar().value()
        adapter = self._adapter
        self.setHtml(view_html(equation_view(adapter.session, adapter.stage, adapter.stage_tick)))
        self.verticalScrollBar().setValue(scroll)
        if self._adapter.stage is not None:
            self._show_stage()

    # -- whole lines, and the stage in view ----------------------------------------
    def _lines(self) -> list[_TextLine]:
        """Every line of text, in document order (cached until the text or its width changes)."""
        document = self.document()
        layout = document.documentLayout()
        key = (document.revision(), document.textWidth())
        if self._line_cache is not None and self._line_cache[0] == key:
            return self._line_cache[1]
        layout.documentSize()  # lay the whole text out, so every position is known
        tint = QColor(_STAGE_TINT)
        lines = []
        block = document.begin()
        while block.isValid():
            rect = layout.blockBoundingRect(block)
            cursor = QTextCursor(block)
            table = cursor.currentTable()
            tinted = table is not None and table.cellAt(cursor).format().background().color() == tint
            where = None if table is None else table.firstPosition()
            text_layout = block.layout()
            for i in range(text_layout.lineCount()):
                line = text_layout.lineAt(i)
                top = rect.top() + line.y()
                lines.append(_TextLine(top, top + line.height(), where, tinted))
            block = block.next()
        self._line_cache = (key, lines)
        return lines

    def _cut_lines(self) -> tuple[int, int]:
        """The rows of the viewport that hold no cut line: ``(first, end)``.

        Above *first* ends a line cut by the top edge, from *end* on starts a
        line cut by the bottom edge (``0`` and the height when none is cut).
        """
        scroll = self.verticalScrollBar().value()
        height = self.viewport().height()
        first, end = 0.0, float(height)
        for line in self._lines():
            top, bottom = line.top - scroll, line.bottom - scroll
            if top < 0 < bottom:
                first = max(first, bottom)
            if top < height < bottom:
                end = min(end, top)
        return math.ceil(first), math.floor(end)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        first, end = self._cut_lines()
        width, height = self.viewport().width(), self.viewport().height()
        if first <= 0 and end >= height:
            return
        painter = QPainter(self.viewport())
        try:
            # Paper over the parts of cut lines: only whole lines are shown.
            if first > 0:
                painter.fillRect(0, 0, width, first, QColor(_PAPER))
            if end < height:
                painter.fillRect(0, end, width, height - end, QColor(_PAPER))
        finally:
            painter.end()

    def _show_stage(self) -> None:
        """Scroll, as little as needed, so that the lines of the stage shown are in view.

        The tinted lines of the first table that has any (the sign rules and
        the update repeat a stage's weight further down), with the title of
        their section above them when both fit; the top line shown is whole.
        """
        lines = self._lines()
        first = next((i for i, line in enumerate(lines) if line.tinted), None)
        if first is None:
            return
        table = lines[first].table
        stage = [line for line in lines[first:] if line.tinted and line.table == table]
        start, stop = stage[0].top, max(line.bottom for line in stage)
        # The section's title: the last line before the table that is in none.
        title = next((line.top for line in reversed(lines[:first]) if line.table is None), start)
        height = self.viewport().height()
        bar = self.verticalScrollBar()
        view = bar.value()
        want = title if stop - title <= height else start
        if want >= view and stop <= view + height:
            return  # in view already: nothing moves
        if want < view or stop - want > height:
            view = want
        else:
            # Down just far enough, to the top of a line, so the top line is whole.
            view = min((line.top for line in lines if line.top >= stop - height), default=want)
        bar.setValue(math.floor(view))

def install(window: WindowServices, workspace) -> EquationPanel:
    """Add the equation panel to *workspace*'s main splitter, and View ▸ Equations and the
    slow-motion actions to *window*; return the panel."""
    adapter: SessionAdapter = workspace.adapter
    panel = EquationPanel(adapter)
    panel.setObjectName("equations")
    panel.setMinimumWidth(120)  # the window still fits an 800-pixel-wide screen
    # A third column of the main splitter, not a dock: it is then part of the
    # canvas that presentation mode pins to 1280×720 and recordings film.
    split = workspace.main_split
    split.addWidget(panel)
    split.setStretchFactor(split.indexOf(panel), 0)

    toggle = window.add_action(
        "equations", "Equations", lambda: panel.setVisible(toggle.isChecked()), [QKeySequence("F9")],
        "show or hide the equations of the tick",
    )
    toggle.setCheckable(True)
    toggle.setChecked(True)
    window.menu("view").addAction(toggle)

    stage = window.add_action(
        "stage", "Next stage", adapter.advance_stage, [QKeySequence("Shift+Right")],
        "the next stage of the tick: forward, error, each weight's change, update",
    )
    slow = window.add_action(
        "slowmo", "Slow-motion tick", lambda: adapter.set_slow_motion(slow.isChecked()),
        tip="Play shows each tick in stages, one stage per step of the speed",
    )
    slow.setCheckable(True)
    slow.setChecked(adapter.slow_motion)
    adapter.slowMotionChanged.connect(slow.setChecked)

    run_menu = window.menu("run")
    run_menu.insertAction(window.action("back"), stage)
    run_menu.addSeparator()
    run_menu.addAction(slow)

    toolbar = window.toolbar
    # After "Run to end", before the speed control.
    end = window.action("end")
    following = toolbar.actions()
    index = following.index(end) + 1 if end in following else len(following)
    before = following[index] if index < len(following) else None
    for action in (stage, slow):
        toolbar.insertAction(before, action)
        button = toolbar.widgetForAction(action)
        if button is not None:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return panel
