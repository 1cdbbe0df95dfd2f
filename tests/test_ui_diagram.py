"""The network diagram widget: it paints the view-model, with its colours, widths, glow and layout.

What it shows (values, texts, stages) is tested without Qt in test_present_diagram.py.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from PySide6.QtCore import QAbstractAnimation, QVariantAnimation
from PySide6.QtGui import QColor

from rnnviz.engine.learner import LearnerParams
from rnnviz.present.diagram import EDGES, MAX_EDGE_WIDTH, diagram_state
from rnnviz.present.format import format_number
from rnnviz.session import Session
from rnnviz.ui import theme
from rnnviz.present.stages import Stage
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.diagram import NetworkDiagram, node_colours
from rnnviz.ui.diagram_layout import edge_width

MINUS = "\u2212"


@pytest.fixture
def make_adapter():
    """Build adapters on given sessions and stop their timers afterwards."""
    made: list[SessionAdapter] = []

    def make(bits: str = "1^10 0^10", params: LearnerParams | None = None) -> SessionAdapter:
        made.append(SessionAdapter(Session(bits, params)))
        return made[-1]

    yield make
    for adapter in made:
        adapter.shutdown()


def shown(qtbot, adapter: SessionAdapter, size: tuple[int, int] = (560, 380)) -> NetworkDiagram:
    widget = NetworkDiagram(adapter)
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def end_glow(widget: NetworkDiagram) -> None:
    """Let the glow's animation run to its end at once, as its 350 ms would.

    Only test_a_step_forward_glows_by_the_sign_of_each_change_then_fades
    waits for the real fade.
    """
    running = [animation for animation in widget.findChildren(QVariantAnimation)
               if animation.state() == QAbstractAnimation.State.Running]
    assert running, "no glow is fading"
    for animation in running:
        animation.setCurrentTime(animation.totalDuration())


def fill(widget: NetworkDiagram, node: str) -> QColor:
    """The colour *node* is filled with."""
    return node_colours(widget.state())[node][0]


def edge_colour(widget: NetworkDiagram, name: str) -> QColor:
    """The colour edge *name* is drawn in: the sign of the weight shown."""
    return theme.sign_color(widget.state().edges[name].value)


def drawn_width(widget: NetworkDiagram, name: str) -> float:
    """The stroke width of edge *name* in pixels, as laid out at the widget's size."""
    return edge_width(widget._layout, widget.state().edges[name].width_units)


def fixed(value: float, *, signed: bool = False) -> str:
    return (f"{value:+.3f}" if signed else f"{value:.3f}").replace("-", MINUS)


def test_it_paints_the_view_model_of_the_adapters_session(qtbot, adapter):
    # What is shown is tested on the view-model (test_present_diagram.py);
    # here, that the widget shows it and colours it by the one colour rule.
    widget = shown(qtbot, adapter)
    adapter.step(5)
    tick = adapter.session.current_tick()
    state = diagram_state(adapter.session)
    assert widget.state() == state
    assert state.caption == "tick 5 of 19: input x = 1, target y = 1"
    assert fill(widget, "yhat") == theme.activation_color(tick.yhat, 0, 1)
    assert fill(widget, "h") == theme.activation_color(tick.h, 0, 1)
    assert fill(widget, "x") == theme.activation_color(1, 0, 1)
    for name in EDGES:
        assert edge_colour(widget, name) == theme.sign_color(getattr(tick, name))


def test_before_the_first_tick_nothing_glows(qtbot, make_adapter):
    adapter = make_adapter("1^10 0^10", LearnerParams(init=(0.5, -0.25, 2.0)))
    widget = shown(qtbot, adapter)
    assert widget.state() == diagram_state(adapter.session)
    assert edge_colour(widget, "hh") == QColor(theme.NEGATIVE)
    assert all(widget.flash_sign(name) == 0 for name in EDGES)


def test_at_the_end_of_zeros_ho_is_purple_and_ih_grey(qtbot, make_adapter):
    adapter = make_adapter("0^10")
    widget = shown(qtbot, adapter)
    adapter.run_to_end()
    assert widget.state().next_bit == diagram_state(adapter.session).next_bit != ""
    assert edge_colour(widget, "ho") == QColor(theme.NEGATIVE)
    assert edge_colour(widget, "ih") == QColor(theme.NEUTRAL)


def test_a_stage_is_shown_with_its_placeholders_and_highlights(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.step(3)
    adapter.advance_stage()
    assert widget.state() == diagram_state(adapter.session, Stage.FORWARD_H, 3)
    assert widget.state().nodes["yhat"].text == "?" and widget.state().highlight == {"x", "h", "ih", "hh"}
    # ŷ not computed yet is left white, with grey text.
    assert fill(widget, "yhat") == QColor("#ffffff")
    assert all(widget.flash_sign(name) == 0 for name in EDGES)


def test_a_step_forward_glows_by_the_sign_of_each_change_then_fades(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.seek(11)
    adapter.step()
    tick = adapter.session.current_tick()
    assert tick.x == 0 and tick.d_ih == 0
    assert widget.flash_sign("ho") == np.sign(tick.d_ho) == -1
    assert widget.flash_sign("hh") == np.sign(tick.d_hh) != 0
    assert widget.flash_sign("ih") == 0  # nothing changed, nothing glows
    qtbot.waitUntil(lambda: all(widget.flash_sign(name) == 0 for name in EDGES), timeout=3000)


def test_a_change_too_small_to_move_the_weight_is_zero_and_does_not_glow(qtbot, make_adapter):
    # η = 1000 saturates the output after one tick: the computed change of ho
    # is about 3.6e-25, while ho (about 1000) keeps its value; the notation
    # says 0, and so must the diagram.
    adapter = make_adapter("1^10 0^10", LearnerParams(eta=1000.0))
    widget = shown(qtbot, adapter)
    adapter.step(1)
    assert widget.flash_sign("ho") == 1
    adapter.step(1)
    tick = adapter.session.current_tick()
    assert tick.d_ho > 0 and tick.ho == adapter.session.history["ho"][0]
    assert widget.state().edges["ho"].delta_text == "Δ 0"
    assert widget.flash_sign("ho") == 0
    assert widget.flash_sign("ih") == np.sign(tick.d_ih) != 0  # the others still glow


def test_a_caption_with_thousands_separators_fits(qtbot, make_adapter):
    adapter = make_adapter("(10)^500 1")
    widget = shown(qtbot, adapter)
    adapter.run_to_end()
    assert widget.state().caption == "tick 1,000 of 1,000: input x = 0, target y = 1"
    assert widget._layout.fits


def test_a_step_back_shows_the_stored_tick_without_a_glow(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.step(4)
    assert widget.flash_sign("ho") == 1
    adapter.back()
    assert widget.state().caption.startswith("tick 3 of 19")
    assert widget.state() == diagram_state(adapter.session)
    assert widget.state().edges["ho"].delta_text != ""
    assert all(widget.flash_sign(name) == 0 for name in EDGES)


def test_fast_play_restarts_the_glow_and_leaves_no_timer_running(qtbot, adapter, play_timer):
    widget = shown(qtbot, adapter)
    glowing: list[int] = []
    # Connected after the widget, so this sees the glow each tick started.
    adapter.changed.connect(lambda _: glowing.append(widget.flash_sign("ho")))
    adapter.set_speed(60)
    adapter.play()
    play_timer.run_out()
    assert adapter.session.at_end
    assert widget.state().caption.startswith("tick 19 of 19")
    # ho changes on every tick of 1^10 0^10: each step restarts the glow in its sign.
    expected = np.sign(np.diff(np.concatenate(([0.0], adapter.session.history["ho"]))))
    assert glowing == expected.astype(int).tolist()
    end_glow(widget)
    assert widget.flash_sign("ho") == 0


def test_hiding_the_widget_ends_the_glow(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.step()
    assert widget.flash_sign("ho") != 0
    widget.hide()
    assert all(widget.flash_sign(name) == 0 for name in EDGES)
    adapter.step()  # a hidden diagram does not animate
    assert all(widget.flash_sign(name) == 0 for name in EDGES)


def test_new_initial_weights_recompute_the_shown_tick_without_a_glow(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.step(3)
    end_glow(widget)
    assert widget.flash_sign("ho") == 0
    adapter.set_params(init=(1.0, 1.0, 1.0))
    tick = adapter.session.current_tick()
    assert widget.state().edges["ho"].value == tick.ho
    assert widget.state().nodes["h"].value == tick.h
    assert all(widget.flash_sign(name) == 0 for name in EDGES)


def test_an_edit_of_the_shown_target_is_shown(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.step(3)
    adapter.toggle(3)  # bit 3 is the target of tick 2, the one shown
    assert widget.state().nodes["target"].value == 0
    assert widget.state() == diagram_state(adapter.session)


def test_tanh_colours_span_minus_one_to_one(qtbot, make_adapter):
    adapter = make_adapter("(10)^10", LearnerParams(activation="tanh", init=(0.5, -0.5, 0.5)))
    widget = shown(qtbot, adapter)
    adapter.step(3)
    tick = adapter.session.current_tick()
    assert tick.target == 0
    assert fill(widget, "h") == theme.activation_color(tick.h, -1, 1)
    assert fill(widget, "yhat") == theme.activation_color(tick.yhat, -1, 1)
    # A 0 bit is the middle of a −1…1 range, not its purple end.
    assert fill(widget, "target") == theme.activation_color(0, -1, 1)
    assert fill(widget, "target") != theme.activation_color(0, 0, 1)
    assert fill(widget, "x") == theme.activation_color(1, -1, 1)


def test_a_one_bit_stream_has_no_target_and_no_error(qtbot, make_adapter):
    adapter = make_adapter("1")
    widget = shown(qtbot, adapter)
    assert widget.state().nodes["target"].text == "none" and widget.state().error_text == ""
    # No target: the node is left white rather than given a colour of no value.
    assert fill(widget, "target") == QColor("#ffffff")
    assert widget._layout.fits


def test_huge_and_tiny_weights_get_clamped_widths_and_short_labels(qtbot, make_adapter):
    adapter = make_adapter("1^5", LearnerParams(init=(1e6, -1e6, 1e-7)))
    widget = shown(qtbot, adapter, (380, 280))
    assert widget.state().edges["ih"].label == "ih = 1.0e6"
    assert drawn_width(widget, "ih") == drawn_width(widget, "hh")
    assert drawn_width(widget, "ih") <= MAX_EDGE_WIDTH * widget._layout.stroke
    assert drawn_width(widget, "ho") == pytest.approx(1.5 * widget._layout.stroke, rel=1e-6)
    adapter.step(2)
    assert widget._layout.fits


def test_width_grows_with_the_weight(qtbot, make_adapter):
    adapter = make_adapter("1^5", LearnerParams(init=(0.5, 1.0, 2.0)))
    widget = shown(qtbot, adapter, (900, 560))
    widths = [drawn_width(widget, name) for name in EDGES]
    assert widths[0] < widths[1] < widths[2]
    assert widths[1] / widths[0] == pytest.approx((1.5 + 3.0) / (1.5 + 1.5))


SIZES = [(380, 280), (420, 300), (560, 380), (640, 360), (900, 560), (1000, 700), (1280, 720),
         (1920, 1080)]


@pytest.mark.parametrize("size", SIZES)
def test_nothing_overlaps_at_any_size(qtbot, make_adapter, size):
    # At the end the caption has its second line: the tallest content there is.
    adapter = make_adapter("1^10 0^10", LearnerParams(init=(-0.00888, 1e6, -0.00123)))
    adapter.run_to_end()
    widget = shown(qtbot, adapter, size)
    assert widget._layout.fits
    boxes = widget._layout.boxes
    page = widget.rect().toRectF()
    assert all(page.contains(rect) for rect in boxes.values())
    texts = {n: r for n, r in boxes.items() if not n.startswith(("node.", "loop"))}
    shapes = {n: r for n, r in boxes.items() if n.startswith(("node.", "loop"))}
    for (a, ra), (b, rb) in itertools.combinations(texts.items(), 2):
        assert not ra.intersects(rb), (a, b)
    radius = widget._layout.radius
    for name, rect in texts.items():
        for shape, box in shapes.items():
            if shape == "loop":
                assert not rect.intersects(box), (name, shape)
            else:
                centre = box.center()
                nearest_x = min(max(centre.x(), rect.left()), rect.right())
                nearest_y = min(max(centre.y(), rect.top()), rect.bottom())
                assert math.hypot(centre.x() - nearest_x, centre.y() - nearest_y) >= radius, \
                    (name, shape)


def test_text_grows_with_the_widget_and_the_font_scale(qtbot, adapter):
    widget = shown(qtbot, adapter, (380, 280))
    small = widget._layout.font.pixelSize()
    widget.resize(1000, 700)
    qtbot.waitUntil(lambda: widget._layout.font.pixelSize() > small)
    large = widget._layout.font.pixelSize()
    widget.set_font_scale(1.3)
    assert widget.font_scale() == 1.3
    assert widget._layout.font.pixelSize() > large
    assert widget._layout.fits
    with pytest.raises(ValueError):
        widget.set_font_scale(0)


def test_the_picture_is_not_blank(qtbot, adapter):
    widget = shown(qtbot, adapter)
    adapter.step(12)
    image = widget.grab().toImage()
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    }
    assert len(colours) >= 20
    # The orange of the positive ih edge and the node fills are in the picture.
    assert QColor(theme.POSITIVE).rgb() in colours


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (0.0, False, "0"),
        (1.98, False, "1.98"),
        (-1.988095, False, f"{MINUS}1.99"),
        (0.0485313, False, "0.0485"),
        (0.12, True, "+0.120"),
        (-0.00123, True, f"{MINUS}0.00123"),
        (9.996, False, "10.0"),
        (1234.5, False, "1234"),
        (1e6, False, "1.0e6"),
        (-1e6, False, f"{MINUS}1.0e6"),
        (1e-7, True, f"+1.0e{MINUS}7"),
        (4.7e-6, False, f"4.7e{MINUS}6"),
    ],
)
def test_compact_numbers(value, signed, text):
    assert format_number(value, signed=signed) == text


@pytest.mark.parametrize("scale", [1.0, 1.25, 1.5, 2.0])
@pytest.mark.parametrize("size", SIZES + [(460, 540), (760, 700)])  # presentation's left column
def test_legend_entries_stay_whole(qtbot, make_adapter, size, scale):
    # "edges ━ w > 0" used to end a legend row with "━ w < 0" on the next.
    widget = shown(qtbot, make_adapter(), size)
    widget.set_font_scale(scale)
    boxes = widget._layout.boxes
    positive, negative = boxes["legend.positive"], boxes["legend.negative"]
    assert positive.top() == negative.top() and positive.right() < negative.left()
    page = widget.rect().toRectF()
    assert all(page.contains(rect) for name, rect in boxes.items() if name.startswith("legend."))
