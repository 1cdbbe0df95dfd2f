"""What the equation panel shows for one tick or one slow-motion stage, without Qt.

:func:`equation_view` reads a session at its cursor (or the tick being taken
apart in slow motion) and returns an :class:`EquationView`: a heading (which
tick, its input and target, the rule, activation and η), muted notes, and
sections of :class:`EquationLine` — each equation's symbol, its symbolic
right side, the numbers put in, the result, the stage that computes it and
whether the stage shown highlights it (``"now"``), has not reached it yet
(``"later"``) or is past it (``"done"``). Coloured text is a :class:`Span`
with a role (plain, strong, signed with its sign +1/−1/0, a sign rule that
holds or fails); the widget (:class:`rnnviz.ui.equations.EquationPanel`)
turns roles into colours and the view into rich text, lays it out and paints
it. Every number comes from :mod:`rnnviz.engine.explain`, which reads the
engine's history, so the panel and the engine agree.

Which tick is shown
-------------------
After ``c > 0`` ticks, tick ``c − 1``; before the first tick, a preview of
tick 0; in slow motion, the tick being taken apart. At the end of the
stream (and not in the middle of a slow-motion tick) a last section gives
the forward pass that predicts the next, unknown bit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from rnnviz.engine.activations import Activation
from rnnviz.engine.explain import (
    SIGN_SYMBOLS,
    ForwardPass,
    TickExplanation,
    explain_next,
    explain_prediction,
    explain_session,
    sign,
)
from rnnviz.engine.learner import predicted_bit
from rnnviz.engine.notation import MINUS
from rnnviz.present.format import fixed, format_number, guess_text, plain
from rnnviz.present.stages import GRAD_STAGES, STAGE_TITLES, Stage
from rnnviz.session import Session

#: Span roles: plain text, bold text, text in its sign's colour, a sign rule's verdict.
PLAIN: Final[str] = "plain"
STRONG: Final[str] = "strong"
SIGNED: Final[str] = "signed"
HOLDS: Final[str] = "holds"
FAILS: Final[str] = "fails"

#: How a line stands to the stage shown: being computed, not computed yet, or computed.
LineState = Literal["now", "later", "done"]


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of text and how it is set.

    Attributes
    ----------
    text
        The text, plain (the widget escapes it).
    role
        :data:`PLAIN`, :data:`STRONG` (bold), :data:`SIGNED` (bold, in the
        colour of :attr:`sign`), :data:`HOLDS` or :data:`FAILS` (a sign rule's
        verdict, kept on one line).
    sign
        For :data:`SIGNED`: +1, −1, or 0 (zero, and a value that is not a number).
    """

    text: str
    role: str = PLAIN
    sign: int = 0


@dataclass(frozen=True, slots=True)
class EquationLine:
    """One equation: ``symbol = formula`` then ``= numbers = result``.

    Attributes
    ----------
    symbol
        The left side (``"o"``, ``"Δho"``, ``"sign(Δih)"``).
    formula
        The symbolic right side, without the leading ``"= "``.
    numbers
        The right side with this tick's numbers put in; empty when the
        symbolic side is all there is (the result then follows it).
    result
        The value the line computes.
    stage
        The slow-motion stage that computes it.
    state
        ``"now"`` (the stage shown: highlighted), ``"later"`` (not computed
        yet: dimmed, numbers left out) or ``"done"``.
    note
        Plain text shown under the line ("" for none).
    """

    symbol: str
    formula: str
    numbers: tuple[Span, ...]
    result: tuple[Span, ...]
    stage: Stage
    state: LineState = "done"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Heading:
    """Which tick is shown, its input and target and the settings it was computed with.

    Attributes
    ----------
    title
        ``"Tick 3 of 29"``, ``"Tick 1 of 29, not done yet"`` or the slow-motion title.
    bits
        ``("input x = 1,", "target y = 0")``, each kept on one line.
    settings
        Rule, activation and η, each kept on one line; empty when
        :attr:`earlier_settings`.
    earlier_settings
        Whether the tick was computed with settings changed since.
    """

    title: str
    bits: tuple[str, ...]
    settings: tuple[str, ...]
    earlier_settings: bool


@dataclass(frozen=True, slots=True)
class Section:
    """A titled table of equations, maybe followed by a note (``note`` then ``note_whole``)."""

    title: str
    lines: tuple[EquationLine, ...]
    note: str = ""
    note_whole: str = ""  # a formula kept on one line, such as the guess "0.731 → 1"


@dataclass(frozen=True, slots=True)
class EquationView:
    """Everything the equation panel shows, in order: heading, notes, sections."""

    heading: Heading | None
    notes: tuple[str, ...]
    sections: tuple[Section, ...]

    def lines(self) -> tuple[EquationLine, ...]:
        """Every equation, in the order shown."""
        return tuple(line for section in self.sections for line in section.lines)

    def highlighted(self) -> tuple[EquationLine, ...]:
        """The lines of the stage shown (none outside slow motion)."""
        return tuple(line for line in self.lines() if line.state == "now")


def equation_view(session: Session, stage: Stage | None = None,
                  stage_tick: int | None = None) -> EquationView:
    """What the equation panel shows for *session* at its cursor, or at *stage* of *stage_tick*.

    Parameters
    ----------
    session
        The run, read only.
    stage, stage_tick
        The slow-motion stage shown and the tick it takes apart (both None
        outside slow motion).
    """
    heading: Heading | None = None
    notes: list[str] = []
    tick: TickExplanation | None
    if stage is not None:
        if stage_tick is None:
            raise ValueError("a slow-motion stage needs the tick it takes apart")
        tick = explain_session(session, stage_tick)
        heading = _heading(f"Tick {stage_tick + 1:,} of {session.n_ticks:,} in slow motion: "
                           f"stage {stage + 1} of {len(Stage)}, {STAGE_TITLES[stage]}", tick)
        if stage != Stage.UPDATE:
            notes.append("Shift+→ shows the next stage; the weights change at the update.")
    elif session.cursor:
        tick = explain_session(session)
        assert tick is not None  # a cursor past 0 has a tick to explain
        heading = _heading(f"Tick {tick.t + 1:,} of {session.n_ticks:,}", tick)
    else:
        tick = explain_next(session)
        if tick is not None:
            heading = _heading(f"Tick 1 of {session.n_ticks:,}, not done yet", tick)
            notes.append("What the first tick will compute: press → to do it, "
                         "Shift+→ to take it in stages.")
    sections: list[Section] = []
    if tick is not None:
        if not tick.matches_settings:
            notes.append("This tick was computed with the settings before your last change (they "
                         "apply from the next tick): its stored numbers are shown without factors.")
        sections.extend(_tick_sections(tick, stage))
    if session.at_end and stage in (None, Stage.UPDATE):
        sections.append(_prediction_section(session))
    return EquationView(heading, tuple(notes), tuple(sections))


def _heading(title: str, tick: TickExplanation) -> Heading:
    act = tick.activation
    gain = "" if act.gain == 1.0 else f", k = {act.gain:g}"
    settings = [f"{tick.rule} rule", f"{act.name}{gain}", f"η = {plain(tick.eta)}"]
    if not tick.learning:
        settings[-1] += " (learning off)"
    return Heading(
        title, (f"input x = {tick.forward.x},", f"target y = {tick.target}"),
        () if not tick.matches_settings else tuple(settings),
        earlier_settings=not tick.matches_settings,
    )


def _tick_sections(tick: TickExplanation, stage: Stage | None) -> list[Section]:
    def at(lines: list[EquationLine]) -> tuple[EquationLine, ...]:
        return tuple(_at_stage(line, stage) for line in lines)

    sections = [Section("Forward pass", at(_forward_lines(tick.forward, tick.activation)))]
    if not tick.matches_settings:
        sections.append(Section("Error and changes (as stored)",
                                at(_update_lines(tick) + _weight_lines(tick))))
        return sections
    rule = "ho first, then ih and hh with the new ho" if tick.rule == "sequential" \
        else "all three from the weights before the tick"
    sections.append(Section(f"Error and changes ({tick.rule} rule: {rule})", at(_update_lines(tick))))
    sections.append(Section("The update: w + Δw", at(_weight_lines(tick))))
    sections.append(Section("Sign rules with this tick's signs", at(_sign_lines(tick))))
    return sections


def _prediction_section(session: Session) -> Section:
    forward = explain_prediction(session)
    return Section("Next bit (unknown): forward pass only, nothing to learn",
                   tuple(_forward_lines(forward, session.params.act)),
                   note="prediction: ",
                   note_whole=guess_text(forward.yhat, predicted_bit(forward.yhat)))


def _at_stage(line: EquationLine, stage: Stage | None) -> EquationLine:
    """*line* marked "now" (the stage shown), "later" (not computed yet) or "done"."""
    if stage is None or line.stage < stage:
        return line
    return dataclasses.replace(line, state="now" if line.stage == stage else "later")


# -- the equations ---------------------------------------------------------------------

def _text(text: str) -> tuple[Span, ...]:
    return (Span(text),)


def _signed(text: str, value: float) -> Span:
    """*text* in the colour of *value*'s sign (that of zero for NaN: it compares as neither)."""
    return Span(text, SIGNED, sign(value))


def _factor(value: float, symbol: str = "") -> str:
    """A factor inside a product: negative ones in parentheses, ``5·(−0.592)``.

    η and the input bit are written plainly (``5``, not ``5.00``).
    """
    text = plain(value) if symbol in ("η", "x") else format_number(value)
    return f"({text})" if value < 0 else text


def _function_text(activation: Activation, argument: str, *, symbolic: bool = False) -> str:
    """``σ(o)``, ``σ(k·o)`` (*symbolic*) or ``σ(2·o)``, ``tanh(o)``, ``2σ(o)−1``."""
    name, gain = activation.name, activation.gain
    if gain == 1.0:
        inner = argument
    else:
        inner = f"k·{argument}" if symbolic else f"{plain(gain)}·{argument}"
    if name == "sigmoid":
        return f"σ({inner})"
    if name == "tanh":
        return f"tanh({inner})"
    return f"2σ({inner}){MINUS}1"


def _activity(value: float) -> str:
    """An activation inside a product: three decimals, negative ones in parentheses."""
    text = fixed(value)
    return f"({text})" if text.startswith(MINUS) else text


def _forward_lines(forward: ForwardPass, activation: Activation, output: str = "ŷ") -> list[EquationLine]:
    f = _function_text
    # σ(−1.72) needs no parentheses, σ(2·(−1.72)) does.
    o_text = format_number(forward.o) if activation.gain == 1.0 else _factor(forward.o)
    return [
        EquationLine(
            "o", "hh·h_prev + ih·x",
            _text(f"{_factor(forward.hh)}·{_factor(forward.h_prev)} + {_factor(forward.ih)}·{forward.x}"),
            _text(format_number(forward.o)), Stage.FORWARD_H),
        EquationLine("h", f(activation, "o", symbolic=True), _text(f(activation, o_text)),
                     (Span(fixed(forward.h), STRONG),), Stage.FORWARD_H),
        EquationLine(output, f(activation, "ho·h", symbolic=True),
                     _text(f(activation, f"{_factor(forward.ho)}·{_activity(forward.h)}")),
                     (Span(fixed(forward.yhat), STRONG),), Stage.FORWARD_Y),
    ]


def _update_lines(tick: TickExplanation) -> list[EquationLine]:
    """The error, the three changes (in the rule's order) and the new weights."""
    fwd = tick.forward
    lines = [
        EquationLine("e", f"y {MINUS} ŷ", _text(f"{tick.target} {MINUS} {fixed(fwd.yhat)}"),
                     (_signed(fixed(tick.err, signed=True), tick.err),), Stage.ERROR),
    ]

    def change(weight: str) -> EquationLine:
        update = tick.updates[weight]
        result = (_signed(format_number(update.delta, signed=True), update.delta),)
        if not update.factors:
            return EquationLine(f"Δ{weight}", "(stored)", (), result, GRAD_STAGES[weight])
        symbolic = "·".join(factor.symbol for factor in update.factors)
        numbers = "·".join(_factor(factor.value, factor.symbol) for factor in update.factors)
        return EquationLine(f"Δ{weight}", symbolic, _text(numbers), result, GRAD_STAGES[weight])

    lines.append(change("ho"))
    if tick.ho_new is not None:  # the sequential rule, on a tick its settings reproduce
        ho = tick.updates["ho"]
        lines.append(EquationLine(
            "ho′", "ho + Δho", _text(f"{format_number(ho.before)} + {_factor(ho.delta)}"),
            (_signed(format_number(tick.ho_new), tick.ho_new),), Stage.GRAD_HO,
            note="sequential rule: ho moves first; ih and hh use ho′ and ŷ′",
        ))
        lines.append(EquationLine(
            "ŷ′", _function_text(tick.activation, "ho′·h", symbolic=True),
            _text(_function_text(tick.activation, f"{_factor(tick.ho_new)}·{_activity(fwd.h)}")),
            _text(fixed(tick.yhat_new)), Stage.GRAD_IH,
        ))
    lines.append(change("ih"))
    lines.append(change("hh"))
    return lines


def _signs(signs: Sequence[int]) -> tuple[Span, ...]:
    """``+·−·0``, each sign in its colour."""
    spans: list[Span] = []
    for i, s in enumerate(signs):
        if i:
            spans.append(Span("·"))
        spans.append(_signed(SIGN_SYMBOLS[s], float(s)))
    return tuple(spans)


def _sign_lines(tick: TickExplanation) -> list[EquationLine]:
    """The sign rules, each with this tick's signs and whether it holds.

    See docs/architecture.md, 'The sign rules'.
    """
    lines = []
    for weight in ("ho", "ih", "hh"):
        rule = tick.signs[weight]
        symbolic = "·".join(f"sign({name})" for name, _ in rule.terms)
        signs = _signs([s for _, s in rule.terms])
        # The verdict stays on the line of the sign it judges.
        verdict = (Span("✓", HOLDS) if rule.holds
                   else Span(f"✗ Δ{weight} is {SIGN_SYMBOLS[rule.actual]}", FAILS))
        if len(rule.terms) == 1:
            numbers, result = (), signs + (verdict,)
        else:
            numbers, result = signs, _signs([rule.predicted]) + (verdict,)
        lines.append(EquationLine(f"sign(Δ{weight})", symbolic, numbers, result,
                                  GRAD_STAGES[weight], note=rule.note))
    return lines


def _weight_lines(tick: TickExplanation) -> list[EquationLine]:
    """Each weight before and after the tick.

    They move at the update stage, except ho in the sequential rule, which
    moved when its change was computed.
    """
    lines = []
    for name in ("ih", "hh", "ho"):
        update = tick.updates[name]
        moved_early = name == "ho" and tick.rule == "sequential"
        lines.append(EquationLine(
            name, f"{name} + Δ{name}",
            _text(f"{format_number(update.before)} + {_factor(update.delta)}"),
            (_signed(format_number(update.after), update.after),),
            Stage.GRAD_HO if moved_early else Stage.UPDATE,
        ))
    return lines
