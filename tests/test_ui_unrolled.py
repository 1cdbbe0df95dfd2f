"""The unrolled view (rnnviz.ui.workspaces.elman.unrolled) painting real UnrolledStates, offscreen.

The states come from the four presets' shapes built in test_present_lab. Pixels
are read from the rendered widget; texts and their boxes from its layout.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent

from rnnviz.present.format import format_number
from rnnviz.present.lab import unrolled_state
from rnnviz.ui import theme
from rnnviz.ui.workspaces.elman.unrolled import (
    SHADE, UnrolledView, delta_colour, node_fill, text_font,
)
from rnnviz.ui.workspaces.elman.unrolled_layout import boxes_overlap, fits
from test_present_lab import addition, hello, vanishing, worked

SHAPES = {"worked": worked, "addition": addition, "hello": hello,
          "vanishing": lambda: vanishing(0.9, 0.3)}
WINDOWS = {"worked": 2, "addition": 3, "hello": 2, "vanishing": 16}


def _view(qtbot, state, size=(900, 420)) -> UnrolledView:
    view = UnrolledView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.set_state(state)
    return view


def _image(view: UnrolledView) -> QImage:
    return view.grab().toImage()


def _near(a: QColor, b: QColor, tolerance: int = 3) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def _pixel(image: QImage, point: QPointF) -> QColor:
    return image.pixelColor(round(point.x()), round(point.y()))


def test_forward_view_colours_every_unit_by_its_activation(qtbot) -> None:
    net, x, y, mask = hello()
    state = unrolled_state(net, x, y, mask)
    view = _view(qtbot, state)
    image, layout = _image(view), view.unrolled_layout()
    assert list(view.visible_steps()) == [0, 1, 2, 3]
    for (name, step, unit), centre in layout.nodes.items():
        value = {"x": state.inputs, "h": state.hidden[1:], "y": state.outputs}[name][step, unit]
        span = {"x": state.input_range, "h": state.hidden_range, "y": state.output_range}[name]
        expected = theme.activation_color(float(value), *span)
        assert _near(_pixel(image, centre), expected), (name, step, unit)
    assert not any(t.role in ("delta", "factor") for t in layout.texts)
    assert not any(t.text == "|δ|, |ε|" for t in layout.texts)


def test_a_backward_stage_switches_the_swept_steps_to_delta_colours(qtbot) -> None:
    net, x, y, mask = addition()  # T = 8; stage 3: δ has reached step 6
    forward = unrolled_state(net, x, y, mask)
    state = unrolled_state(net, x, y, mask, stage=3)
    view = _view(qtbot, forward)
    before = _image(view)
    view.set_state(state)
    image, layout = _image(view), view.unrolled_layout()
    assert image != before
    for step in range(8):
        for unit in range(16):
            centre = layout.nodes[("h", step, unit)]
            if step >= 5:
                expected = delta_colour(float(state.deltas[step, unit]), state.delta_scale)
            else:
                expected = theme.activation_color(float(state.hidden[step + 1, unit]), 0.0, 1.0)
            assert _near(_pixel(image, centre), expected), (step, unit)
            assert node_fill(state, "h", step, unit) == expected
        # every output has a loss: the error entering there is shown as |ε|
        expected = delta_colour(float(state.output_errors[step, 0]), state.delta_scale)
        assert _near(_pixel(image, layout.nodes[("y", step, 0)]), expected)
    legend = [t.text for t in layout.texts if t.role == "legend"]
    assert "|δ|, |ε|" in legend


def test_swept_steps_show_delta_norms_and_the_factors_between_columns(qtbot) -> None:
    net, x, y, mask = addition()
    state = unrolled_state(net, x, y, mask, stage=4)  # steps 5 … 8 swept
    layout = _view(qtbot, state).unrolled_layout()
    deltas = [t for t in layout.texts if t.role == "delta"]
    factors = [t for t in layout.texts if t.role == "factor"]
    assert [t.text for t in deltas] == [format_number(float(state.delta_norms[s])) for s in range(4, 8)]
    assert [t.text for t in factors] == ["×" + format_number(float(state.factor_norms[s]))
                                         for s in range(4, 7)]
    # each factor sits on the border between the two columns it joins
    for text, step in zip(factors, range(4, 7)):
        assert abs(text.rect.center().x() - layout.column_rect(step).right()) < 1.0
    front = [t for t in layout.texts if t.role == "front"]
    assert [t.text for t in front] == ["5"]


def test_unit_values_are_written_where_they_fit(qtbot) -> None:
    net, x, y, mask = worked()
    state = unrolled_state(net, x, y, mask, stage=2)  # steps 2, 3 swept
    layout = _view(qtbot, state).unrolled_layout()
    values = [t.text for t in layout.texts if t.role == "value"]
    hidden = [format_number(float(state.hidden[1, 0])),
              "δ " + format_number(float(state.deltas[1, 0])),
              "δ " + format_number(float(state.deltas[2, 0]))]
    assert all(text in values for text in hidden)
    assert "ε " + format_number(float(state.output_errors[2, 0])) in values
    assert "−1" in values  # the input x_3 = −1, written as typed
    # 16 hidden units are too many to label: only their colours and ‖δ‖ tell
    net, x, y, mask = addition()
    layout = _view(qtbot, unrolled_state(net, x, y, mask, stage=2)).unrolled_layout()
    assert not any(t.text.startswith("δ ") for t in layout.texts)


def test_losses_are_written_only_above_outputs_that_have_one(qtbot) -> None:
    net, x, y, mask = vanishing(0.9, 0.3)
    state = unrolled_state(net, x, y, mask)
    view = _view(qtbot, state)
    view.set_first_step(64)
    losses = [t for t in view.unrolled_layout().texts if t.role == "loss"]
    assert [t.text for t in losses] == [format_number(float(state.losses[-1]))]
    view.set_first_step(0)
    assert not any(t.role == "loss" for t in view.unrolled_layout().texts)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("size,scale", [
    ((560, 300), 1.0), ((900, 420), 1.0), ((1240, 560), 1.0), ((1400, 600), 1.0),
    ((1880, 900), 1.0), ((480, 260), 1.5), ((1000, 330), 2.0), ((1600, 560), 2.0),
])
def test_no_text_overlaps_another_or_a_node_or_leaves_the_widget(qtbot, shape, size, scale) -> None:
    # 1.5 and 2 are presentation mode's font scales: the text shrinks back where it must.
    net, x, y, mask = SHAPES[shape]()
    T = x.shape[0]
    view = _view(qtbot, None, size)
    view.set_font_scale(scale)
    for stage in (None, 0, (T + 1) // 2, T):
        for window in (None, WINDOWS[shape]):
            view.set_state(unrolled_state(net, x, y, mask, stage=stage, window=window))
            layout = view.unrolled_layout()
            texts = layout.texts
            for i, item in enumerate(texts):
                where = (shape, size, stage, window, item.text)
                assert fits(item, text_font(layout, item)), where
                assert 0 <= item.rect.left() and item.rect.right() <= size[0], where
                assert 0 <= item.rect.top() and item.rect.bottom() <= size[1], where
                for other in texts[i + 1:]:
                    assert not boxes_overlap(item.rect, other.rect), (where, other.text)
                for centre in layout.nodes.values():
                    nearest = QPointF(min(max(centre.x(), item.rect.left()), item.rect.right()),
                                      min(max(centre.y(), item.rect.top()), item.rect.bottom()))
                    gap = nearest - centre
                    assert gap.x() ** 2 + gap.y() ** 2 >= (layout.radius - 0.5) ** 2, where


def test_long_sequences_scroll_by_call_wheel_and_drag(qtbot) -> None:
    net, x, y, mask = vanishing(0.9, 0.3)
    view = _view(qtbot, unrolled_state(net, x, y, mask))
    count = len(view.visible_steps())
    assert 4 <= count < 64 and view.first_step() == 0
    first_picture = _image(view)
    with qtbot.waitSignal(view.firstStepChanged) as signal:
        view.set_first_step(10)
    assert signal.args == [10] and view.visible_steps() == range(10, 10 + count)
    assert _image(view) != first_picture
    view.set_first_step(1000)
    assert view.first_step() == 64 - count
    view.set_first_step(-5)
    assert view.first_step() == 0
    layout = view.unrolled_layout()
    assert layout.scroll_thumb is not None and layout.scroll_thumb.left() == layout.scroll_track.left()
    # two notches down of the wheel: two steps on
    centre = QPointF(view.width() / 2, view.height() / 2)
    wheel = QWheelEvent(centre, view.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(wheel)
    assert view.first_step() == 2
    # dragging three columns to the left shows three steps further on
    pitch = view.unrolled_layout().pitch
    start = QPoint(round(centre.x()), round(centre.y()))
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, start - QPoint(round(3 * pitch), 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=start - QPoint(round(3 * pitch), 0))
    assert view.first_step() == 5


def test_the_sweeps_front_is_kept_in_sight(qtbot) -> None:
    net, x, y, mask = vanishing(0.9, 0.3)
    view = _view(qtbot, unrolled_state(net, x, y, mask))
    count = len(view.visible_steps())
    view.set_state(unrolled_state(net, x, y, mask, stage=1))  # front: step 64
    assert 63 in view.visible_steps()
    view.set_state(unrolled_state(net, x, y, mask, stage=40))  # front: step 25
    assert view.first_step() == 24 - count // 4
    view.set_state(unrolled_state(net, x, y, mask, stage=41))  # one step on: no jump
    assert view.first_step() == 24 - count // 4


def test_steps_outside_the_window_are_shaded_and_the_cuts_dashed(qtbot) -> None:
    net, x, y, mask = addition()  # k = 3: windows 1–3, 4–6, 7–8; the sweep starts in 7–8
    view = _view(qtbot, unrolled_state(net, x, y, mask, window=3))
    image, layout = _image(view), view.unrolled_layout()
    probe_y = round(layout.top + 2)  # the header row, away from edges and nodes
    for step in range(8):
        rect = layout.column_rect(step)
        colour = image.pixelColor(round(rect.left() + 3), probe_y)
        assert _near(colour, QColor(SHADE if step < 6 else "#ffffff"), 1), step
    for cut in (4, 7):
        x_cut = round(layout.column_rect(cut - 1).left())
        reds = [image.pixelColor(xx, yy) for xx in (x_cut - 1, x_cut, x_cut + 1)
                for yy in range(round(layout.top), round(layout.bottom))]
        assert any(_near(c, QColor(theme.CROSSING), 40) for c in reds), cut
    legend = [t.text for t in layout.texts if t.role == "legend"]
    assert "outside the window (k = 3)" in legend


def test_weights_are_drawn_in_their_sign_colours_and_vanish_at_zero(qtbot) -> None:
    net, x, y, mask = worked()  # W_hh = −0.4: a purple line from h_1 to h_2
    view = _view(qtbot, unrolled_state(net, x, y, mask))
    layout = view.unrolled_layout()
    middle = (layout.nodes[("h", 0, 0)] + layout.nodes[("h", 1, 0)]) / 2
    negative = _pixel(_image(view), middle)
    assert negative.blue() > negative.red() > negative.green()  # purple
    net.set_parameters({"w_hh": [[0.0]]})
    view.set_state(unrolled_state(net, x, y, mask))
    assert _near(_pixel(_image(view), middle), QColor("#ffffff"), 0)
    net.set_parameters({"w_hh": [[0.4]]})
    view.set_state(unrolled_state(net, x, y, mask))
    positive = _pixel(_image(view), middle)
    assert positive.red() > positive.green() > positive.blue()  # orange


def test_delta_colours_run_light_to_dark_on_a_log_scale() -> None:
    scale = (-4.0, 0.0)
    light, mid, dark = (delta_colour(v, scale) for v in (1e-4, 1e-2, 1.0))
    assert light.lightness() > mid.lightness() > dark.lightness()
    assert delta_colour(-1e-2, scale) == mid  # magnitude only
    assert delta_colour(1e-9, scale) == light  # below the scale: its end
    assert delta_colour(0.0, scale) == QColor("#ffffff")


def test_font_scale_and_no_state(qtbot) -> None:
    net, x, y, mask = vanishing(0.9, 0.3)
    view = _view(qtbot, unrolled_state(net, x, y, mask))
    count = len(view.visible_steps())
    view.set_font_scale(1.5)
    assert view.font_scale() == 1.5 and len(view.visible_steps()) < count
    view.set_state(None)
    assert view.unrolled_layout() is None and view.visible_steps() == range(0)
    image = _image(view)
    assert image.pixelColor(450, 210) == QColor("#ffffff")
    with pytest.raises(ValueError):
        view.set_font_scale(0)


def test_the_view_calls_no_engine_code() -> None:
    # Widgets paint what view-models hand them (the contract): no engine imports.
    import ast
    import inspect

    from rnnviz.ui.workspaces.elman import unrolled, unrolled_layout

    for module in (unrolled, unrolled_layout):
        tree = ast.parse(inspect.getsource(module))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.startswith("rnnviz.engine.") and name != "rnnviz.engine.notation"
                       for name in imported), module.__name__
    assert np  # numpy is used for the colour stops only


def test_an_overflowed_sweep_is_painted_and_written_as_infinity(qtbot) -> None:
    net, x, y, mask = vanishing(0.9, 0.0)
    net.set_parameters({"w_hh": 1e100 * np.sign(net.w_hh), "w_hy": np.full((1, 16), 1e100)})
    state = unrolled_state(net, x, y, mask, stage=10)
    view = _view(qtbot, state)
    image, layout = _image(view), view.unrolled_layout()
    assert "∞" in [t.text for t in layout.texts if t.role == "delta"]
    darkest = QColor("#081d58")
    step = state.steps - 10  # 0-based front: its δ overflowed
    assert np.isinf(state.delta_norms[step])
    assert _near(_pixel(image, layout.nodes[("h", step, 0)]), darkest)
