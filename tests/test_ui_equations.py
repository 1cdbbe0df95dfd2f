"""The equation panel as a widget: how it writes and colours the view it is handed, follows the
adapter, veils fast play, breaks narrow lines. What it shows is tested in test_present_equations.py."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from rnnviz.engine.learner import LearnerParams
from rnnviz.present.equations import FAILS, HOLDS, equation_view
from rnnviz.session import Session
from rnnviz.ui import theme
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


def shown(spans) -> str:
    """Spans as the panel writes them: a sign rule's verdict a space after its sign."""
    return "".join(f" {span.text}" if span.role in (HOLDS, FAILS) else span.text for span in spans)


def view_of(panel: EquationPanel):
    adapter = panel._adapter
    return equation_view(adapter.session, adapter.stage, adapter.stage_tick)


@pytest.mark.parametrize("params", [LearnerParams(), LearnerParams(rule="simultaneous"),
                                    LearnerParams(learning=False)],
                         ids=["sequential", "simultaneous", "learning-off"])
def test_each_equation_is_written_on_its_lines(make_panel, params):
    # What is shown is tested on equation_view (test_present_equations.py);
    # here, that the panel writes each equation as "lhs", "= formula", "= numbers = result".
    panel = make_panel(params)
    adapter = panel._adapter
    for move in (lambda: adapter.step(12), adapter.advance_stage, adapter.advance_stage,
                 adapter.advance_stage, adapter.advance_stage, adapter.run_to_end):
        move()
        view = view_of(panel)
        lines = panel.text().replace("\xa0", " ").splitlines()
        assert lines[0] == view.heading.title
        at = 0
        for line in view.lines():
            at = lines.index(line.symbol, at)
            written = [f"= {line.formula}"]
            if line.state != "later":
                if line.numbers:
                    written.append(f"= {shown(line.numbers)} = {shown(line.result)}")
                else:
                    written = [f"= {line.formula} = {shown(line.result)}"]
            assert lines[at + 1: at + 1 + len(written)] == written, line.symbol
            for title in (section.title for section in view.sections):
                assert title in lines


def colour_of(panel: EquationPanel, text: str, after: str = "") -> tuple[str, int]:
    """The colour and weight of the first *text* in the panel (after the first *after*)."""
    document = panel.document()
    start = document.find(after).position() if after else 0
    cursor = document.find(text, start)
    assert not cursor.isNull(), text
    fmt = cursor.charFormat()
    return fmt.foreground().color().name(), fmt.fontWeight()


def test_signs_and_verdicts_are_painted_in_the_themes_colours(make_panel):
    panel = make_panel(LearnerParams(learning=False, init=(1.0, 0.5, -2.0)))
    panel._adapter.seek(4)
    view = view_of(panel)
    err = shown(next(line for line in view.lines() if line.symbol == "e").result)
    assert err.startswith("+")  # ho = −2 keeps ŷ below ½ and the target is 1
    assert colour_of(panel, err) == (theme.POSITIVE, 600)
    # Learning off: every change is a grey 0 and every sign rule fails in the error colour.
    assert colour_of(panel, "0.802 = 0", after="Δho") == (theme.MUTED, 600)  # Δho = … = 0
    assert colour_of(panel, "✗")[0] == theme.ERROR_TEXT
    assert "✓" not in panel.text()
    panel._adapter.set_params(learning=True)
    panel._adapter.seek(13)  # x = 0: ih's rule holds, with its check mark in green
    assert colour_of(panel, "✓")[0] == "#1b7837"
    err = shown(next(line for line in view_of(panel).lines() if line.symbol == "e").result)
    assert err.startswith(MINUS)  # a 0 after ten 1s: the error is negative
    assert colour_of(panel, err) == (theme.NEGATIVE, 600)


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
