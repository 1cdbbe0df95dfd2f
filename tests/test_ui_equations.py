"""The equation panel: the numbers it shows are the engine's, read back from its text."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from rnnviz.engine.learner import LearnerParams
from rnnviz.session import Session
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.equations import EquationPanel
from clocks import ManualClock

MINUS = "\u2212"
STREAM = "1^10 0^10 (10)^5"


@pytest.fixture
def make_panel(qtbot):
    """A shown panel on a new session; the adapters' timers are stopped afterwards."""
    made: list[SessionAdapter] = []

    def make(params: LearnerParams | None = None, bits: str = STREAM, **kw) -> EquationPanel:
        adapter = SessionAdapter(Session(bits, params))
        made.append(adapter)
        panel = EquationPanel(adapter, **kw)
        qtbot.addWidget(panel)
        panel.resize(420, 900)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    yield make
    for adapter in made:
        adapter.shutdown()


def number(text: str) -> float:
    """A number as the panel writes it: true minus, maybe in parentheses, maybe signed."""
    return float(text.strip().strip("()").replace(MINUS, "-").replace("+", ""))


def equation(text: str, lhs: str, occurrence: int = 0) -> tuple[str, str, float]:
    """The symbolic side, the substituted side (as text) and the result of the equation of *lhs*."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == lhs]
    i = starts[occurrence]
    symbolic = lines[i + 1].removeprefix("= ")
    numbers, result = lines[i + 2].removeprefix("= ").rsplit(" = ", 1)
    return symbolic, numbers, number(result)


def terms(numbers: str, separator: str) -> list[float]:
    """``"5·(−0.640)·0.230"`` split on ``"·"`` (or ``" + "``, ``" − "``) into numbers."""
    return [number(part) for part in numbers.split(separator)]


def close(shown: float, exact: float) -> bool:
    """Whether *shown* is *exact* written with three significant digits (or three decimals)."""
    return abs(shown - exact) <= max(5e-3 * abs(exact), 5e-4)


def explained(panel: EquationPanel):
    from rnnviz.engine.explain import explain_session

    return explain_session(panel._adapter.session)


@pytest.mark.parametrize("params, ticks", [
    (LearnerParams(), [1, 6, 11, 12, 19, 24]),
    (LearnerParams(rule="simultaneous"), [1, 11, 21]),
    (LearnerParams(activation="tanh", gain=2.0, init=(0.5, -0.3, 0.2)), [2, 9, 15]),
    (LearnerParams(learning=False, init=(1.0, 0.5, -2.0)), [4]),
], ids=["sequential", "simultaneous", "tanh", "learning-off"])
def test_the_numbers_shown_are_the_engines(make_panel, params, ticks):
    panel = make_panel(params)
    adapter = panel._adapter
    for cursor in ticks:
        adapter.seek(cursor)
        text = panel.text()
        row = adapter.session.history.tick(cursor - 1)
        assert f"Tick {cursor} of {adapter.session.n_ticks}" in text
        _, _, h = equation(text, "h")
        _, _, yhat = equation(text, "ŷ")
        _, difference, err = equation(text, "e")
        target = terms(difference, f" {MINUS} ")[0]
        assert close(h, row.h) and close(yhat, row.yhat) and close(err, row.err)
        assert target == row.target
        ex = explained(panel)
        for name in ("ih", "hh", "ho"):
            symbolic, product, delta = equation(text, f"Δ{name}")
            factors = terms(product, "·")
            update = ex.updates[name]
            assert symbolic == "·".join(f.symbol for f in update.factors)
            assert len(factors) == len(update.factors)
            assert all(close(s, f.value) for s, f in zip(factors, update.factors))
            assert close(delta, getattr(row, f"d_{name}"))
            _, sum_, after = equation(text, name)
            before, change = terms(sum_, " + ")
            assert close(before, update.before)
            assert close(after, getattr(row, name)) and close(change, getattr(row, f"d_{name}"))
        if not params.learning:
            assert "learning off" in text
            assert all(equation(text, f"Δ{n}")[2] == 0 for n in ("ih", "hh", "ho"))


def test_the_sequential_rule_shows_the_new_ho_and_the_output_at_it(make_panel):
    panel = make_panel()
    panel._adapter.seek(12)
    text = panel.text()
    row = panel._adapter.session.history.tick(11)
    _, sum_, new = equation(text, "ho′")
    old, change = terms(sum_, " + ")
    assert close(new, row.ho) and close(change, row.d_ho)
    _, _, y2 = equation(text, "ŷ′")
    assert close(y2, 1 / (1 + np.exp(-row.ho * row.h)))
    # The ih/hh changes multiply by the new ho.
    _, product, _ = equation(text, "Δhh")
    assert close(terms(product, "·")[3], row.ho)


def test_x_zero_shows_the_sign_rule_and_why_ih_stays(make_panel):
    panel = make_panel()
    panel._adapter.seek(13)  # tick 13 reads bit 12, a 0
    text = panel.text()
    assert "sign(Δih)" in text and "ih cannot learn from zeros" in text
    lines = text.splitlines()
    i = lines.index("sign(Δih)")
    assert lines[i + 1] == "= sign(e)·sign(ho′)·sign(x)"
    assert lines[i + 2] == f"= {MINUS}·+·0 = 0 ✓"


def test_before_the_first_tick_it_previews_what_the_step_will_do(make_panel):
    panel = make_panel()
    text = panel.text()
    assert "Tick 1 of 29, not done yet" in text and "press →" in text
    _, _, shown = equation(text, "Δho")
    assert shown == 0.312  # η·e·ŷ(1−ŷ)·h = 5·0.5·0.25·0.5 = 0.3125
    panel._adapter.step()
    assert close(shown, panel._adapter.session.history.tick(0).d_ho)


def test_at_the_end_it_shows_the_prediction_of_the_unknown_bit(make_panel):
    panel = make_panel()
    panel._adapter.run_to_end()
    text = panel.text()
    assert "Next bit (unknown)" in text
    _, _, yhat = equation(text, "ŷ", occurrence=1)
    guess, bit = panel._adapter.session.guess()
    assert close(yhat, guess)
    assert f"→ {bit}" in text


def test_it_follows_each_step_and_a_new_setting(make_panel):
    panel = make_panel()
    adapter = panel._adapter
    adapter.step(3)
    assert "Tick 3 of 29" in panel.text()
    adapter.step()
    assert "Tick 4 of 29" in panel.text()
    assert "ŷ′" in panel.text()
    adapter.set_params(rule="simultaneous")
    # Tick 4 was done with the sequential rule: the panel does not pretend otherwise.
    assert "computed with earlier settings" in panel.text()
    assert "ŷ′" not in panel.text() and "Sign rules" not in panel.text()
    adapter.step()
    assert "simultaneous rule" in panel.text() and "ŷ′" not in panel.text()


def test_a_tick_done_before_a_new_rate_is_shown_without_factors(make_panel):
    panel = make_panel()
    panel._adapter.step(5)
    panel._adapter.set_params(eta=1.0)
    text = panel.text()
    row = panel._adapter.session.history.tick(4)
    assert "settings before your last change" in text
    lines = text.splitlines()
    shown = lines[lines.index("Δho") + 1]
    assert shown.startswith("= (stored) = ")
    assert close(number(shown.rsplit(" = ", 1)[1]), row.d_ho)


def test_a_hidden_panel_catches_up_when_shown(make_panel):
    panel = make_panel()
    panel.hide()
    panel._adapter.step(7)
    panel.show()
    assert "Tick 7 of 29" in panel.text()


def test_font_scale_enlarges_the_text(make_panel):
    panel = make_panel()
    before = panel.document().defaultFont().pixelSize()
    panel.set_font_scale(1.5)
    assert panel.document().defaultFont().pixelSize() == round(before * 1.5)
    with pytest.raises(ValueError, match="positive"):
        panel.set_font_scale(0)


def test_view_menu_shows_and_hides_the_panel(qtbot, window):
    toggle = window.actions_by_name["equations"]
    assert toggle in window.menus["view"].actions()
    assert toggle.isCheckable() and toggle.isChecked()
    assert window.equations.isVisible()
    toggle.trigger()
    qtbot.waitUntil(lambda: not window.equations.isVisible())
    assert not toggle.isChecked()
    toggle.trigger()
    qtbot.waitUntil(window.equations.isVisible)


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720)])
def test_the_panel_fits_its_width_in_the_window(qtbot, window, size):
    window.setFixedSize(*size)
    window.adapter.seek(12)
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    panel = window.equations
    # No line is cut off at the side: the text needs no horizontal scrolling.
    assert panel.horizontalScrollBar().maximum() == 0
    assert panel.width() >= 300
    # The plots and the diagram keep usable room beside it.
    assert window.plots.width() >= 300 and window.diagram.width() >= 380


def test_the_panel_follows_every_readable_tick_and_says_when_play_is_faster(qtbot, make_panel):
    # It used to show ticks at most every 200 ms without a word, so at 10
    # ticks/s every other frame showed the previous tick's equations as current.
    clock = ManualClock()
    panel = make_panel(bits="random(201, 0.5, seed=4)", clock=clock)
    adapter = panel._adapter
    veil = panel.findChild(QWidget, "equationsUpdating")
    adapter.set_speed(1)  # playing, as Play does; its own timer is a second away: the test makes the ticks
    adapter.play()

    def heading() -> str:
        return panel.text().splitlines()[0]

    def current() -> str:
        return f"Tick {adapter.session.cursor:,} of {adapter.session.n_ticks:,}"

    for interval_ms in (1000, 100, 50):  # 1, 10 and 20 ticks/s
        for _ in range(5):
            clock.advance_ms(interval_ms)
            adapter.step()
            assert heading() == current()
            assert not panel.updating and not veil.isVisible()

    # 60 ticks/s is too fast to read: the panel stops laying out every tick
    # and says it is updating, rather than showing an older tick as current.
    behind = 0
    for _ in range(12):
        clock.advance_ms(1000 / 60)
        adapter.step()
        assert veil.isVisible() == panel.updating
        if heading() != current():
            assert panel.updating
            behind += 1
    assert panel.updating and behind >= 10
    assert veil.geometry() == panel.viewport().geometry()  # the whole text is veiled
    # Under the veil the text still catches up a few times a second.
    qtbot.waitUntil(lambda: heading() == current(), timeout=2000)
    assert panel.updating

    clock.advance_ms(100)  # back to 10 ticks/s: exact again at once, on that very tick
    adapter.step()
    assert heading() == current() and not panel.updating and not veil.isVisible()

    for _ in range(4):
        clock.advance_ms(1000 / 60)
        adapter.step()
    assert panel.updating
    adapter.pause()  # the exact state, unveiled, as soon as play stops
    assert heading() == current() and not panel.updating and not veil.isVisible()

    # At "max" each frame carries many ticks: slow frames are still no readable pace.
    adapter.play()
    for _ in range(3):
        clock.advance_ms(100)
        adapter.step(20)
    assert panel.updating
    adapter.pause()
    assert heading() == current() and not panel.updating


OPERATORS = ("=", "+", MINUS, "→")


def laid_out_lines(panel: EquationPanel) -> list[str]:
    """Every line of the panel's text as laid out at its width (table cells included)."""
    document = panel.document()
    document.documentLayout().documentSize()  # lays out the whole document
    lines = []
    block = document.begin()
    while block.isValid():
        text, layout = block.text(), block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            part = text[line.textStart(): line.textStart() + line.textLength()]
            lines.append(part.replace("\xa0", " ").replace("\u2028", "").replace("\u200b", "").strip())
        block = block.next()
    return [line for line in lines if line]


@pytest.mark.parametrize("width", [200, 260, 330, 420])
@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_a_narrow_panel_breaks_only_between_whole_terms(qtbot, make_panel, width, scale):
    # At 1280×720 in presentation mode a line ended in "=" and the result stood alone below.
    panel = make_panel(LearnerParams(gain=2.0))
    panel.set_font_scale(scale)
    panel.resize(width, 900)
    adapter = panel._adapter
    for move in (lambda: adapter.step(7), adapter.advance_stage, adapter.advance_stage,
                 adapter.advance_stage, adapter.advance_stage, adapter.run_to_end):
        move()
        lines = laid_out_lines(panel)
        assert len(lines) > 20  # the panel really shows the equations
        for line, after in zip(lines, lines[1:] + [""]):
            assert line not in OPERATORS, lines
            assert not line.endswith(tuple(f" {op}" for op in OPERATORS)), line  # "η =" | "5"
            cut_number = line[-1].isdigit() or line.endswith(".")
            assert not (cut_number and after[:1].isdigit()), (line, after)  # "0." | "867"
    # Copied text carries no invisible break marks.
    panel.selectAll()
    copied = panel.createMimeDataFromSelection().text()
    assert "\u200b" not in copied and "hh·h_prev + ih·x" in copied
