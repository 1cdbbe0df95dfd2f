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
``ŷ′`` included) and the sign rules with this tick's signs. Every number comes
from :mod:`rnnviz.engine.explain`, which reads the engine's history, so the
panel and the engine agree. At the end of the stream a last section gives
the forward pass that predicts the next, unknown bit.

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

from rnnviz.engine.explain import (
    SIGN_SYMBOLS,
    ForwardPass,
    TickExplanation,
    explain_next,
    explain_prediction,
    explain_session,
)
from rnnviz.engine.learner import predicted_bit
from rnnviz.ui import theme
from rnnviz.ui.adapter import GRAD_STAGES, STAGE_TITLES, Change, SessionAdapter, Stage
from rnnviz.ui.throttle import TEXT_REFRESH_PERIOD_MS, Throttle

MINUS: Final[str] = theme.MINUS
#: Text size of the panel at font scale 1, in pixels.
BASE_FONT_PX: Final[int] = 13
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
class _Line:
    """One equation: its left side, symbolic right side, substituted numbers and result."""

    lhs: str          # HTML
    symbolic: str     # HTML, without the leading "= "
    numbers: str      # HTML, without the leading "= "; "" when the symbolic side is all
    result: str       # HTML
    stage: Stage
    note: str = ""    # HTML shown under the line


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


def _factor(value: float, symbol: str = "") -> str:
    """A factor inside a product: negative ones in parentheses, ``5·(−0.592)``.

    η and the input bit are written plainly (``5``, not ``5.00``).
    """
    text = theme.plain(value) if symbol in ("η", "x") else theme.format_number(value)
    return f"({text})" if value < 0 else text


def _coloured(text: str, value: float, *, bold: bool = True) -> str:
    """*text* in the sign colour of *value* (dark grey for zero)."""
    colour = _MUTED if value == 0 or math.isnan(value) else theme.sign_color(value).name()
    weight = "font-weight:600;" if bold else ""
    return f'<span style="color:{colour};{weight}">{html.escape(text)}</span>'


def _sign_text(s: int) -> str:
    return _coloured(SIGN_SYMBOLS[s], float(s))


def _function_text(activation, argument: str, *, symbolic: bool = False) -> str:
    """``σ(o)``, ``σ(k·o)`` (*symbolic*) or ``σ(2·o)``, ``tanh(o)``, ``2σ(o)−1``."""
    name, gain = activation.name, activation.gain
    if gain == 1.0:
        inner = argument
    else:
        inner = f"k·{argument}" if symbolic else f"{theme.plain(gain)}·{argument}"
    if name == "sigmoid":
        return f"σ({inner})"
    if name == "tanh":
        return f"tanh({inner})"
    return f"2σ({inner}){MINUS}1"


def _activity(value: float) -> str:
    """An activation inside a product: three decimals, negative ones in parentheses."""
    text = theme.fixed(value)
    return f"({text})" if text.startswith(MINUS) else text


def _forward_lines(forward: ForwardPass, activation, output: str = "ŷ") -> list[_Line]:
    f = _function_text
    # σ(−1.72) needs no parentheses, σ(2·(−1.72)) does.
    o_text = theme.format_number(forward.o) if activation.gain == 1.0 else _factor(forward.o)
    return [
        _Line("o", "hh·h_prev + ih·x",
              f"{_factor(forward.hh)}·{_factor(forward.h_prev)} + {_factor(forward.ih)}·{forward.x}",
              theme.format_number(forward.o), Stage.FORWARD_H),
        _Line("h", f(activation, "o", symbolic=True), f(activation, o_text),
              f"<b>{theme.fixed(forward.h)}</b>", Stage.FORWARD_H),
        _Line(output, f(activation, "ho·h", symbolic=True),
              f(activation, f"{_factor(forward.ho)}·{_activity(forward.h)}"),
              f"<b>{theme.fixed(forward.yhat)}</b>", Stage.FORWARD_Y),
    ]


def _update_lines(tick: TickExplanation) -> list[_Line]:
    """The error, the three changes (in the rule's order) and the new weights."""
    fwd = tick.forward
    lines = [
        _Line("e", f"y {MINUS} ŷ", f"{tick.target} {MINUS} {theme.fixed(fwd.yhat)}",
              _coloured(theme.fixed(tick.err, signed=True), tick.err), Stage.ERROR),
    ]

    def change(weight: str) -> _Line:
        update = tick.updates[weight]
        result = _coloured(theme.format_number(update.delta, signed=True), update.delta)
        if not update.factors:
            return _Line(f"Δ{weight}", "(stored)", "", result, GRAD_STAGES[weight])
        symbolic = "·".join(factor.symbol for factor in update.factors)
        numbers = "·".join(_factor(factor.value, factor.symbol) for factor in update.factors)
        return _Line(f"Δ{weight}", html.escape(symbolic), numbers, result, GRAD_STAGES[weight])

    lines.append(change("ho"))
    if tick.ho_new is not None:  # the sequential rule, on a tick its settings reproduce
        ho = tick.updates["ho"]
        lines.append(_Line(
            "ho′", "ho + Δho", f"{theme.format_number(ho.before)} + {_factor(ho.delta)}",
            _coloured(theme.format_number(tick.ho_new), tick.ho_new), Stage.GRAD_HO,
            note="sequential rule: ho moves first; ih and hh use ho′ and ŷ′",
        ))
        lines.append(_Line(
            "ŷ′", _function_text(tick.activation, "ho′·h", symbolic=True),
            _function_text(tick.activation, f"{_factor(tick.ho_new)}·{_activity(fwd.h)}"),
            theme.fixed(tick.yhat_new), Stage.GRAD_IH,
        ))
    lines.append(change("ih"))
    lines.append(change("hh"))
    return lines


def _sign_lines(tick: TickExplanation) -> list[_Line]:
    """The sign rules, each with this tick's signs and whether it holds.

    See docs/architecture.md, 'The sign rules'.
    """
    lines = []
    for weight in ("ho", "ih", "hh"):
        rule = tick.signs[weight]
        symbolic = "·".join(f"sign({name})" for name, _ in rule.terms)
        signs = "·".join(_sign_text(s) for _, s in rule.terms)
        # The verdict stays on the line of the sign it judges.
        verdict = (f'&nbsp;<span style="color:{_OK}">✓</span>' if rule.holds
                   else f'&nbsp;<span style="color:{theme.ERROR_TEXT}">✗&nbsp;Δ{weight}&nbsp;is&nbsp;'
                        f'{SIGN_SYMBOLS[rule.actual]}</span>')
        if len(rule.terms) == 1:
            numbers, result = "", signs + verdict
        else:
            numbers, result = signs, _sign_text(rule.predicted) + verdict
        lines.append(_Line(f"sign(Δ{weight})", html.escape(symbolic), numbers, result,
                           GRAD_STAGES[weight], note=rule.note))
    return lines


def _weight_lines(tick: TickExplanation) -> list[_Line]:
    """Each weight before and after the tick.

    They move at the update stage, except ho in the sequential rule, which
    moved when its change was computed.
    """
    lines = []
    for name in ("ih", "hh", "ho"):
        update = tick.updates[name]
        moved_early = name == "ho" and tick.rule == "sequential"
        lines.append(_Line(
            name, f"{name} + Δ{name}", f"{theme.format_number(update.before)} + {_factor(update.delta)}",
            _coloured(theme.format_number(update.after), update.after),
            Stage.GRAD_HO if moved_early else Stage.UPDATE,
        ))
    return lines


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
        font.setPixelSize(max(round(BASE_FONT_PX * self._font_scale), 6))
        self.document().setDefaultFont(font)
        self._veil.setFont(font)

    def _refresh(self) -> None:
        self._stale = False
        scroll = self.verticalScrollBar().value()
        self.setHtml(self._html())
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

    # -- the text ----------------------------------------------------------------
    def _html(self) -> str:
        adapter = self._adapter
        session = adapter.session
        stage = adapter.stage
        parts: list[str] = []
        tick: TickExplanation | None
        if stage is not None:
            t = adapter.stage_tick
            assert t is not None
            tick = explain_session(session, t)
            heading = (f"Tick {t + 1:,} of {session.n_ticks:,} in slow motion: "
                       f"stage {stage + 1} of {len(Stage)}, {STAGE_TITLES[stage]}")
            parts.append(self._heading(heading, tick))
            if stage != Stage.UPDATE:
                parts.append(self._note("Shift+→ shows the next stage; the weights change "
                                        "at the update."))
        elif session.cursor:
            tick = explain_session(session)
            assert tick is not None
            parts.append(self._heading(f"Tick {tick.t + 1:,} of {session.n_ticks:,}", tick))
        else:
            tick = explain_next(session)
            if tick is not None:
                parts.append(self._heading(f"Tick 1 of {session.n_ticks:,}, not done yet", tick))
                parts.append(self._note("What the first tick will compute: press → to do it, "
                                        "Shift+→ to take it in stages."))
        if tick is not None:
            parts.append(self._tick_html(tick, stage))
        if session.at_end and stage in (None, Stage.UPDATE):
            parts.append(self._prediction_html(session))
        return (
            f'<div style="color:{_INK}">' + "".join(parts) + "</div>"
        )

    def _heading(self, text: str, tick: TickExplanation) -> str:
        act = tick.activation
        # Each item stays whole on a narrow panel ("η = 5", never "η =" and "5").
        gain = "" if act.gain == 1.0 else f", k = {act.gain:g}"
        settings = [f"{tick.rule} rule", f"{act.name}{gain}", f"η = {theme.plain(tick.eta)}"]
        if not tick.learning:
            settings[-1] += " (learning off)"
        said = " · ".join(_whole(item) for item in settings)
        if not tick.matches_settings:
            said = "computed with earlier settings"
        bits = f"{_whole(f'input x = {tick.forward.x},')} {_whole(f'target y = {tick.target}')}"
        return (
            f'<p style="margin:0 0 2px 0"><b>{html.escape(text)}</b><br>'
            f'{bits} <span style="color:{_MUTED}">· {said}</span></p>'
        )

    @staticmethod
    def _note(text: str, whole: str = "") -> str:
        """A muted paragraph: *text*, then *whole*, a formula kept on one line."""
        return f'<p style="margin:0 0 4px 0; color:{_MUTED}">{html.escape(text)}{_whole(whole)}</p>'

    @staticmethod
    def _section(title: str) -> str:
        return (f'<p style="margin:8px 0 2px 0; color:{_MUTED}; font-weight:600">'
                f"{html.escape(title)}</p>")

    def _tick_html(self, tick: TickExplanation, stage: Stage | None) -> str:
        parts = []
        if not tick.matches_settings:
            parts.append(self._note(
                "This tick was computed with the settings before your last change (they "
                "apply from the next tick): its stored numbers are shown without factors."
            ))
        parts.append(self._section("Forward pass"))
        parts.append(self._table(_forward_lines(tick.forward, tick.activation), stage))
        if not tick.matches_settings:
            parts.append(self._section("Error and changes (as stored)"))
            parts.append(self._table(_update_lines(tick) + _weight_lines(tick), stage))
            return "".join(parts)
        rule = "ho first, then ih and hh with the new ho" if tick.rule == "sequential" \
            else "all three from the weights before the tick"
        parts.append(self._section(f"Error and changes ({tick.rule} rule: {rule})"))
        parts.append(self._table(_update_lines(tick), stage))
        parts.append(self._section("The update: w + Δw"))
        parts.append(self._table(_weight_lines(tick), stage))
        parts.append(self._section("Sign rules with this tick's signs"))
        parts.append(self._table(_sign_lines(tick), stage))
        return "".join(parts)

    def _prediction_html(self, session) -> str:
        forward = explain_prediction(session)
        bit = predicted_bit(forward.yhat)
        lines = _forward_lines(forward, session.params.act)
        parts = [self._section("Next bit (unknown): forward pass only, nothing to learn")]
        parts.append(self._table(lines, None))
        parts.append(self._note("prediction: ", whole=theme.guess_text(forward.yhat, bit)))
        return "".join(parts)

    @staticmethod
    def _state_of(line_stage: Stage, stage: Stage | None) -> str:
        """"now" (the stage shown), "later" (not computed yet) or "done"."""
        if stage is None:
            return "done"
        if line_stage == stage:
            return "now"
        return "later" if line_stage > stage else "done"

    def _table(self, lines: list[_Line], stage: Stage | None) -> str:
        rows = []
        for line in lines:
            state = self._state_of(line.stage, stage)
            colour = _DIM if state == "later" else _INK
            background = f" background-color:{_STAGE_TINT};" if state == "now" else ""
            cell = f'style="color:{colour};{background} padding:1px 4px"'
            right = f"= {line.symbolic}"
            if state != "later":
                if line.numbers:
                    right += f"<br>= {line.numbers} = {line.result}"
                else:
                    right += f" = {line.result}"
            right = _formula(right)
            if line.note and state != "later":
                right += f'<br><span style="color:{_MUTED}">{html.escape(line.note)}</span>'
            rows.append(f'<tr><td {cell} align="right"><b>{line.lhs}</b></td>'
                        f"<td {cell}>{right}</td></tr>")
        return '<table cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"



def install(window) -> None:
    """Add the equation panel, View ▸ Equations and the slow-motion actions to *window*."""
    adapter: SessionAdapter = window.adapter
    panel = EquationPanel(adapter)
    panel.setObjectName("equations")
    panel.setMinimumWidth(120)  # the window still fits an 800-pixel-wide screen
    # A third column of the main splitter, not a dock: it is then part of the
    # canvas that presentation mode pins to 1280×720 and recordings film.
    split = window.main_split
    split.addWidget(panel)
    split.setStretchFactor(split.indexOf(panel), 0)
    window.equations = panel

    toggle = window._action(
        "equations", "Equations", lambda: panel.setVisible(toggle.isChecked()), [QKeySequence("F9")],
        "show or hide the equations of the tick",
    )
    toggle.setCheckable(True)
    toggle.setChecked(True)
    window.menus["view"].addAction(toggle)

    stage = window._action(
        "stage", "Next stage", adapter.advance_stage, [QKeySequence("Shift+Right")],
        "the next stage of the tick: forward, error, each weight's change, update",
    )
    slow = window._action(
        "slowmo", "Slow-motion tick", lambda: adapter.set_slow_motion(slow.isChecked()),
        tip="Play shows each tick in stages, one stage per step of the speed",
    )
    slow.setCheckable(True)
    slow.setChecked(adapter.slow_motion)
    adapter.slowMotionChanged.connect(slow.setChecked)

    run_menu = window.menus["run"]
    run_menu.insertAction(window.actions_by_name["back"], stage)
    run_menu.addSeparator()
    run_menu.addAction(slow)

    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        # After "Run to end", before the speed control.
        end = window.actions_by_name["end"]
        following = toolbar.actions()
        index = following.index(end) + 1 if end in following else len(following)
        before = following[index] if index < len(following) else None
        for action in (stage, slow):
            toolbar.insertAction(before, action)
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
