"""What the equation panel shows, worked out without Qt: the engine's numbers, signs and stages."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.explain import explain_session
from rnnviz.engine.learner import LearnerParams
from rnnviz.present.equations import (
    FAILS, HOLDS, SIGNED, STRONG, EquationLine, EquationView, Span, equation_view,
)
from rnnviz.present.stages import Stage
from rnnviz.session import Session

MINUS = "\u2212"
STREAM = "1^10 0^10 (10)^5"


def text(spans: tuple[Span, ...]) -> str:
    return "".join(span.text for span in spans)


def number(shown: str) -> float:
    """A number as the panel writes it: true minus, maybe in parentheses, maybe signed."""
    return float(shown.strip().strip("()").replace(MINUS, "-").replace("+", ""))


def line(view: EquationView, symbol: str, occurrence: int = 0) -> EquationLine:
    return [line for line in view.lines() if line.symbol == symbol][occurrence]


def result(view: EquationView, symbol: str, occurrence: int = 0) -> float:
    return number(text(line(view, symbol, occurrence).result))


def terms(view: EquationView, symbol: str, separator: str) -> list[float]:
    """The numbers put into *symbol*'s line, split on ``"·"`` (or ``" + "``, ``" − "``)."""
    return [number(part) for part in text(line(view, symbol).numbers).split(separator)]


def close(shown: float, exact: float) -> bool:
    """Whether *shown* is *exact* written with three significant digits (or three decimals)."""
    return abs(shown - exact) <= max(5e-3 * abs(exact), 5e-4)


def titles(view: EquationView) -> list[str]:
    return [section.title for section in view.sections]


@pytest.mark.parametrize("params, ticks", [
    (LearnerParams(), [1, 6, 11, 12, 19, 24]),
    (LearnerParams(rule="simultaneous"), [1, 11, 21]),
    (LearnerParams(activation="tanh", gain=2.0, init=(0.5, -0.3, 0.2)), [2, 9, 15]),
    (LearnerParams(learning=False, init=(1.0, 0.5, -2.0)), [4]),
], ids=["sequential", "simultaneous", "tanh", "learning-off"])
def test_the_numbers_shown_are_the_engines(params, ticks):
    session = Session(STREAM, params)
    for cursor in ticks:
        session.seek(cursor)
        view = equation_view(session)
        row = session.history.tick(cursor - 1)
        assert view.heading is not None and view.heading.title == f"Tick {cursor} of 29"
        assert view.heading.bits == (f"input x = {row.x},", f"target y = {row.target}")
        assert close(result(view, "h"), row.h) and close(result(view, "ŷ"), row.yhat)
        assert close(result(view, "e"), row.err)
        assert terms(view, "e", f" {MINUS} ")[0] == row.target
        ex = explain_session(session)
        for name in ("ih", "hh", "ho"):
            change, update = line(view, f"Δ{name}"), ex.updates[name]
            factors = terms(view, f"Δ{name}", "·")
            assert change.formula == "·".join(f.symbol for f in update.factors)
            assert len(factors) == len(update.factors)
            assert all(close(s, f.value) for s, f in zip(factors, update.factors))
            assert close(result(view, f"Δ{name}"), getattr(row, f"d_{name}"))
            before, delta = terms(view, name, " + ")
            assert close(before, update.before) and close(delta, getattr(row, f"d_{name}"))
            assert close(result(view, name), getattr(row, name))
        if not params.learning:
            assert view.heading.settings[-1].endswith("(learning off)")
            assert all(result(view, f"Δ{n}") == 0 for n in ("ih", "hh", "ho"))


def test_the_heading_names_the_rule_activation_and_rate():
    session = Session(STREAM, LearnerParams(activation="tanh", gain=2.0, eta=0.5))
    session.step(3)
    heading = equation_view(session).heading
    assert heading.settings == ("sequential rule", "tanh, k = 2", "η = 0.5")
    assert not heading.earlier_settings
    assert line(equation_view(session), "h").formula == "tanh(k·o)"
    assert text(line(equation_view(session), "h").numbers).startswith("tanh(2·")


def test_results_carry_their_sign_and_the_activations_are_bold():
    session = Session(STREAM)
    session.seek(12)  # tick 12 reads a 0 after ten 1s: the error is negative
    view = equation_view(session)
    row = session.history.tick(11)
    (err,) = line(view, "e").result
    assert err.role == SIGNED and row.err < 0 and err.sign == -1
    assert err.text.startswith(MINUS)
    (d_ho,) = line(view, "Δho").result
    assert d_ho.role == SIGNED and d_ho.sign == int(np.sign(row.d_ho)) != 0
    assert line(view, "h").result[0].role == STRONG and line(view, "ŷ").result[0].role == STRONG


def test_the_sequential_rule_shows_the_new_ho_and_the_output_at_it():
    session = Session(STREAM)
    session.seek(12)
    view = equation_view(session)
    row = session.history.tick(11)
    _, change = terms(view, "ho′", " + ")
    assert close(result(view, "ho′"), row.ho) and close(change, row.d_ho)
    assert line(view, "ho′").note == "sequential rule: ho moves first; ih and hh use ho′ and ŷ′"
    assert close(result(view, "ŷ′"), 1 / (1 + np.exp(-row.ho * row.h)))
    # The ih/hh changes multiply by the new ho.
    assert close(terms(view, "Δhh", "·")[3], row.ho)
    assert titles(view)[1] == "Error and changes (sequential rule: ho first, then ih and hh with the new ho)"


def test_the_simultaneous_rule_has_no_new_ho():
    session = Session(STREAM, LearnerParams(rule="simultaneous"))
    session.seek(12)
    view = equation_view(session)
    assert not [ln for ln in view.lines() if ln.symbol in ("ho′", "ŷ′")]
    assert titles(view)[1] == "Error and changes (simultaneous rule: all three from the weights before the tick)"


def test_x_zero_shows_the_sign_rule_and_why_ih_stays():
    session = Session(STREAM)
    session.seek(13)  # tick 13 reads bit 12, a 0
    rule = line(equation_view(session), "sign(Δih)")
    assert "ih cannot learn from zeros" in rule.note
    assert rule.formula == "sign(e)·sign(ho′)·sign(x)"
    assert text(rule.numbers) == f"{MINUS}·+·0"
    assert [span.sign for span in rule.numbers if span.role == SIGNED] == [-1, 1, 0]
    assert [(span.text, span.role) for span in rule.result] == [("0", SIGNED), ("✓", HOLDS)]


def test_a_sign_rule_that_fails_says_what_the_change_was():
    # Learning off: every change is 0 while the signs predict one (x = 1 on tick 4).
    session = Session(STREAM, LearnerParams(learning=False, init=(1.0, 0.5, -2.0)))
    session.seek(4)
    for weight in ("ho", "ih", "hh"):
        verdict = line(equation_view(session), f"sign(Δ{weight})").result[-1]
        assert (verdict.text, verdict.role) == (f"✗ Δ{weight} is 0", FAILS)


def test_before_the_first_tick_it_previews_what_the_step_will_do():
    session = Session(STREAM)
    view = equation_view(session)
    assert view.heading.title == "Tick 1 of 29, not done yet"
    assert any("press →" in note for note in view.notes)
    assert result(view, "Δho") == 0.312  # η·e·ŷ(1−ŷ)·h = 5·0.5·0.25·0.5 = 0.3125
    session.step()
    assert close(result(view, "Δho"), session.history.tick(0).d_ho)


def test_at_the_end_it_shows_the_prediction_of_the_unknown_bit():
    session = Session(STREAM)
    assert "Next bit (unknown): forward pass only, nothing to learn" not in titles(equation_view(session))
    session.run_to_end()
    view = equation_view(session)
    prediction = view.sections[-1]
    assert prediction.title == "Next bit (unknown): forward pass only, nothing to learn"
    assert [ln.symbol for ln in prediction.lines] == ["o", "h", "ŷ"]
    guess, bit = session.guess()
    assert close(result(view, "ŷ", occurrence=1), guess)
    assert prediction.note == "prediction: " and prediction.note_whole.endswith(f"→ {bit}")


def test_a_tick_done_before_a_new_setting_is_shown_as_stored():
    session = Session(STREAM)
    session.step(5)
    session.set_params(eta=1.0)
    view = equation_view(session)
    row = session.history.tick(4)
    assert view.heading.earlier_settings and view.heading.settings == ()
    assert any("settings before your last change" in note for note in view.notes)
    assert titles(view) == ["Forward pass", "Error and changes (as stored)"]
    change = line(view, "Δho")
    assert change.formula == "(stored)" and change.numbers == ()
    assert close(result(view, "Δho"), row.d_ho)
    assert not [ln for ln in view.lines() if ln.symbol in ("ŷ′", "sign(Δho)")]
    session.step()
    view = equation_view(session)
    assert not view.heading.earlier_settings and view.heading.settings[-1] == "η = 1"


#: The lines each stage of a sequential-rule tick works out, by symbol (in the order shown).
SEQUENTIAL_STAGE_LINES = {
    Stage.FORWARD_H: ["o", "h"],
    Stage.FORWARD_Y: ["ŷ"],
    Stage.ERROR: ["e"],
    Stage.GRAD_HO: ["Δho", "ho′", "ho", "sign(Δho)"],  # ho really moves here
    Stage.GRAD_IH: ["ŷ′", "Δih", "sign(Δih)"],
    Stage.GRAD_HH: ["Δhh", "sign(Δhh)"],
    Stage.UPDATE: ["ih", "hh"],
}


@pytest.mark.parametrize("rule", ["sequential", "simultaneous"])
def test_each_stage_highlights_its_lines_and_leaves_later_ones_out(rule):
    session = Session(STREAM, LearnerParams(rule=rule))
    session.step(12)
    expected = dict(SEQUENTIAL_STAGE_LINES)
    if rule == "simultaneous":
        expected[Stage.GRAD_HO] = ["Δho", "sign(Δho)"]
        expected[Stage.GRAD_IH] = ["Δih", "sign(Δih)"]
        expected[Stage.UPDATE] = ["ih", "hh", "ho"]
    for stage in Stage:
        if stage == Stage.UPDATE:
            session.step()  # the update stage shows the tick done
        view = equation_view(session, stage, 12)
        assert view.heading.title.startswith(f"Tick 13 of 29 in slow motion: stage {stage + 1} of 7")
        assert [ln.symbol for ln in view.highlighted()] == expected[stage]
        for ln in view.lines():
            assert ln.state == ("now" if ln.stage == stage else "later" if ln.stage > stage else "done")
        shift_note = any(note.startswith("Shift+→") for note in view.notes)
        assert shift_note == (stage != Stage.UPDATE)


def test_without_a_stage_nothing_is_highlighted_and_a_stage_needs_its_tick():
    session = Session(STREAM)
    session.step(3)
    view = equation_view(session)
    assert view.highlighted() == () and {ln.state for ln in view.lines()} == {"done"}
    with pytest.raises(ValueError, match="tick"):
        equation_view(session, Stage.ERROR)


def test_the_last_tick_in_stages_shows_the_prediction_only_once_updated():
    session = Session("1^4")  # three ticks
    session.step(2)
    assert "Next bit" not in " ".join(titles(equation_view(session, Stage.GRAD_HH, 2)))
    session.step()
    assert session.at_end
    assert titles(equation_view(session, Stage.UPDATE, 2))[-1].startswith("Next bit")
