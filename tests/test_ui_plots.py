"""The weight plots as a learner uses them: values, markers, notation, zoom, clicks."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel

from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.notation import change_signs, notation, sign_flips
from rnnviz.present.diagram import diagram_state
from rnnviz.present.format import format_number
from rnnviz.present.series import TOOLTIP_CHARS
from rnnviz.session import Session
from rnnviz.ui import theme
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.diagram import NetworkDiagram
from rnnviz.ui.plots import WeightPlots

MINUS = "\u2212"

# The offscreen platform warns when a top-level widget is shown; it is not ours to fix.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

SIGNAL_NAMES = ("x", "target", "h", "yhat")


def make_plots(qtbot, adapter: SessionAdapter, size: tuple[int, int] = (900, 700)) -> WeightPlots:
    plots = WeightPlots(adapter)
    qtbot.addWidget(plots)
    plots.resize(*size)
    plots.show()
    qtbot.waitExposed(plots)
    return plots


@pytest.fixture
def plots(qtbot, adapter):
    return make_plots(qtbot, adapter)


def assert_notation_everywhere(plots: WeightPlots, session: Session) -> None:
    for weight in WEIGHTS:
        assert plots.notation_text(weight) == session.notation(weight), weight


def assert_curves_are_the_history(plots: WeightPlots, session: Session) -> None:
    k = session.cursor
    history = session.history
    for i, weight in enumerate(WEIGHTS):
        x, y = plots.curve_data(weight)
        np.testing.assert_array_equal(x, np.arange(k + 1))
        np.testing.assert_array_equal(y, np.concatenate(([session.params.init[i]], history[weight][:k])))
    for name in SIGNAL_NAMES:
        # tick t's signals stand at x = t + 1, beside the weights it produced
        x, y = plots.curve_data(name)
        np.testing.assert_array_equal(x, np.arange(1, k + 1))
        np.testing.assert_array_equal(y, history[name][:k])


@pytest.mark.parametrize("ticks", [0, 1, 7, 19])
def test_curves_hold_one_point_per_tick_from_the_engine(plots, adapter, ticks):
    adapter.step(ticks)
    assert adapter.session.cursor == ticks
    assert_curves_are_the_history(plots, adapter.session)


def test_markers_show_the_sign_of_every_change(plots, adapter):
    adapter.step(19)
    history = adapter.session.history
    assert plots.markers_visible()
    for weight in WEIGHTS:
        x, y, signs = plots.marker_data(weight)
        np.testing.assert_array_equal(x, np.arange(1, 20))  # tick t's marker at t + 1
        np.testing.assert_array_equal(y, history[weight][:19])
        np.testing.assert_array_equal(signs, change_signs(history[weight][:19], 0.0))
    # all three kinds occur on this stream: ih stops learning once x = 0
    assert set(plots.marker_data("ih")[2].tolist()) == {1, -1, 0}


def test_side_boxes_and_curves_follow_the_adapter_through_edits_undo_and_load(plots, adapter):
    # Every kind of change is checked on SeriesCache (test_present_series.py);
    # here, that the widget follows the adapter's flags to it.
    session = adapter.session
    assert_notation_everywhere(plots, session)
    adapter.step(19)
    assert_notation_everywhere(plots, session)
    adapter.seek(5)
    adapter.toggle(3)  # before the cursor: ticks recomputed
    adapter.toggle(15)  # after the cursor: stored ticks forgotten
    adapter.step(14)
    assert_notation_everywhere(plots, session)
    adapter.undo()
    adapter.undo()
    assert_notation_everywhere(plots, session)
    adapter.set_params(init=(0.5, -0.25, 1.0))  # every tick recomputed
    assert_notation_everywhere(plots, session)
    assert_curves_are_the_history(plots, session)
    adapter.reset()
    assert plots.notation_text("ho") == ""
    adapter.load(Session("(10)^10"))
    adapter.step(19)
    assert_notation_everywhere(plots, adapter.session)
    assert_curves_are_the_history(plots, adapter.session)


def test_a_history_rewritten_inside_one_batch_is_still_caught(plots, adapter):
    adapter.step(15)
    with adapter.batch():  # one emission; the rewritten ticks lie before the old cursor
        adapter.back(6)
        adapter.set_params(eta=1.0)
        adapter.step(6)
    assert_notation_everywhere(plots, adapter.session)


def test_side_box_shows_value_and_notation(plots, adapter):
    adapter.step(19)
    header = plots.value_label("ho").text()
    assert "ho" in header and "\u22121.30" in header  # three digits, as the diagram writes it
    assert f"{adapter.session.history['ho'][18]:.3g}" == "-1.3"
    assert plots.notation_label("ho").text() == adapter.session.notation("ho")
    assert plots.notation_tooltip("ho").endswith(adapter.session.notation("ho"))


def test_side_box_writes_numbers_as_the_diagram_does(qtbot):
    adapter = SessionAdapter(Session("1^10 0^10", LearnerParams(init=(0.0, -2.1e-10, 1.0e6))))
    try:
        plots = make_plots(qtbot, adapter)
        expected = {"ih": "0", "hh": f"{MINUS}2.1e{MINUS}10", "ho": "1.0e6"}
        for weight, text in expected.items():
            assert diagram_state(adapter.session).edges[weight].label == f"{weight} = {text}"
            assert plots.value_label(weight).text().endswith(f">{text}</span>")
        adapter.step(3)
        for weight in WEIGHTS:
            text = format_number(float(adapter.session.history[weight][2]))
            assert diagram_state(adapter.session).edges[weight].label == f"{weight} = {text}"
            assert plots.value_label(weight).text().endswith(f">{text}</span>")
    finally:
        adapter.shutdown()


def test_crossings_are_the_engines_sign_flips(plots, adapter):
    adapter.step(19)
    hh = adapter.session.history["hh"][:19]
    expected = np.flatnonzero(sign_flips(hh, 0.0))
    assert len(expected) == 2  # hh dips below zero and comes back: "0 +⁸ −⁴ , − , +⁵"
    np.testing.assert_array_equal(plots.crossing_ticks("hh"), expected)
    x, y = plots.crossing_data("hh")
    # drawn between the two points whose signs differ, spanning the visible y range
    np.testing.assert_array_equal(x, np.repeat(expected + 0.5, 2))
    low, high = plots.plot_item("hh").vb.viewRange()[1]
    np.testing.assert_allclose(y, np.tile([low, high], len(expected)))
    assert plots.notation_text("hh").count(",") == len(expected)
    adapter.seek(14)  # only the first crossing has happened by then
    np.testing.assert_array_equal(plots.crossing_ticks("hh"), expected[:1])
    assert len(plots.crossing_data("hh")[0]) == 2


def test_cursor_line_stands_at_the_cursor(plots, adapter):
    for move in (lambda: adapter.step(4), lambda: adapter.back(1), lambda: adapter.seek(17)):
        move()
        assert plots.cursor_x() == adapter.session.cursor
        for name in ("ih", "hh", "ho", "signals"):
            items = plots.plot_item(name).items
            lines = [item for item in items if isinstance(item, pg.InfiniteLine) and item.angle == 90]
            assert [line.value() for line in lines] == [adapter.session.cursor]


def test_markers_and_target_dots_are_drawn_over_the_cursor_line(plots, adapter):
    adapter.step(1)  # the newest marker and dot stand on the cursor line
    for name in ("ih", "hh", "ho", "signals"):
        items = plots.plot_item(name).items
        line = next(item for item in items if isinstance(item, pg.InfiniteLine) and item.angle == 90)
        dots = [item for item in items if isinstance(item, pg.ScatterPlotItem)]
        assert dots and all(item.zValue() > line.zValue() for item in dots), name


def _viewport_point(plots: WeightPlots, name: str, x: float) -> QPoint:
    vb = plots.plot_item(name).vb
    y = sum(vb.viewRange()[1]) / 2
    scene = vb.mapViewToScene(pg.Point(x, y))
    return plots.view.mapFromScene(scene)


@pytest.mark.parametrize("name", ["ho", "signals"])
def test_clicking_a_plot_seeks_there(qtbot, plots, adapter, name):
    qtbot.mouseClick(plots.view.viewport(), Qt.MouseButton.LeftButton, pos=_viewport_point(plots, name, 7.2))
    qtbot.waitUntil(lambda: adapter.session.cursor == 7)
    assert plots.cursor_x() == 7
    assert_curves_are_the_history(plots, adapter.session)


def test_the_newest_signals_stand_on_the_cursor_line_beside_their_weights(plots, adapter):
    for move in (lambda: adapter.step(1), lambda: adapter.step(9), lambda: adapter.back(3)):
        move()
        cursor = adapter.session.cursor
        for name in SIGNAL_NAMES:
            x, _ = plots.curve_data(name)
            assert x[-1] == plots.cursor_x() == cursor, name
        # the input of tick t is a step held over the tick, from t to t + 1
        curve = plots.plot_item("signals").items
        step = next(item for item in curve if isinstance(item, pg.PlotCurveItem)
                    and item.opts["stepMode"] == "center")
        bounds, bits = step.getData()
        np.testing.assert_array_equal(bounds, np.arange(cursor + 1))
        np.testing.assert_array_equal(bits, adapter.session.history["x"][:cursor])


def test_a_click_shows_in_the_diagram_the_tick_drawn_there(qtbot, plots, adapter):
    diagram = NetworkDiagram(adapter)
    qtbot.addWidget(diagram)
    adapter.step(19)
    qtbot.mouseClick(plots.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=_viewport_point(plots, "signals", 11))
    qtbot.waitUntil(lambda: adapter.session.cursor == 11)
    adapter.seek(19)  # the curves are drawn to the cursor: read them from the whole run
    assert diagram.state().caption.startswith("tick 19 of 19")
    adapter.seek(11)
    assert diagram.state().caption == "tick 11 of 19: input x = 0, target y = 0"
    values = {}
    for name in SIGNAL_NAMES:
        x, y = plots.curve_data(name)
        values[name] = y[list(x).index(11.0)]
    assert values["x"] == diagram.state().nodes["x"].value == 0
    assert values["target"] == diagram.state().nodes["target"].value == 0  # the first surprise: 1^10 then 0
    assert values["h"] == diagram.state().nodes["h"].value
    assert values["yhat"] == diagram.state().nodes["yhat"].value
    for weight in WEIGHTS:  # and the weights drawn at x = 11 are those the diagram shows
        x, y = plots.curve_data(weight)
        assert y[list(x).index(11.0)] == diagram.state().edges[weight].value


def _signals_y_range(plots: WeightPlots) -> tuple[float, float]:
    return tuple(plots.plot_item("signals").vb.viewRange()[1])


@pytest.mark.parametrize(("stream", "ticks"), [("1^10 0", 10), ("11", 1), ("(10)^10", 19)])
def test_signals_range_holds_every_signal_and_both_bits(qtbot, stream, ticks):
    adapter = SessionAdapter(Session(stream))
    try:
        plots = make_plots(qtbot, adapter)
        adapter.step(ticks)
        low, high = _signals_y_range(plots)
        assert low < 0 and 1 < high and high - low < 1.5
        for name in SIGNAL_NAMES:
            x, y = plots.curve_data(name)
            assert len(y) == ticks
            assert low < y.min() and y.max() < high, name
        if stream == "1^10 0":
            assert plots.curve_data("target")[1][-1] == 0  # the surprise is on screen
    finally:
        adapter.shutdown()


def test_signals_range_follows_the_activation(plots, adapter):
    adapter.step(5)
    assert _signals_y_range(plots)[0] > -0.2
    adapter.set_params(activation="tanh")
    low, high = _signals_y_range(plots)
    assert low < -1 and 1 < high < 1.5
    adapter.step(5)  # moving does not change it
    assert _signals_y_range(plots) == (low, high)
    adapter.set_params(activation="sigmoid")
    assert _signals_y_range(plots)[0] > -0.2


def _axis_texts(plots: WeightPlots, name: str, side: str) -> list[str]:
    """The tick labels the axis draws now."""
    axis = plots.plot_item(name).getAxis(side)
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def test_axes_write_true_minus_signs(plots, adapter):
    adapter.step(19)  # ho goes from +1.98 down to −1.30
    texts = _axis_texts(plots, "ho", "left")
    assert any(t.startswith(MINUS) for t in texts), texts
    assert not any("-" in t for t in texts), texts
    axis = plots.plot_item("ho").getAxis("left")
    assert axis.tickStrings([-2.1e-10, 1e6, -0.5], 1.0, 0.5) == [f"{MINUS}2.1e{MINUS}10", "1e6", f"{MINUS}0.5"]


def test_tick_axis_shows_whole_ticks_only(qtbot):
    adapter = SessionAdapter(Session("11"))  # one tick: the range is −0.5 … 1.5
    try:
        plots = make_plots(qtbot, adapter)
        adapter.step(1)
        texts = _axis_texts(plots, "signals", "bottom")
        assert texts and all(t.isdigit() for t in texts), texts
        assert "0.5" not in texts
    finally:
        adapter.shutdown()


def test_tick_axis_has_thousands_separators(qtbot):
    adapter = SessionAdapter(Session("0^200001"))
    try:
        plots = make_plots(qtbot, adapter)
        texts = _axis_texts(plots, "signals", "bottom")
        assert "200,000" in texts or "100,000" in texts, texts
        assert all("," in t for t in texts if t != "0"), texts
        plots.plot_item("signals").vb.setXRange(150_000, 150_004, padding=0)
        texts = _axis_texts(plots, "signals", "bottom")
        assert "150,002" in texts and not any("." in t for t in texts), texts
    finally:
        adapter.shutdown()


def test_default_range_is_the_whole_stream_and_fit_restores_it(qtbot, plots, adapter):
    vb = plots.plot_item("ih").vb
    low, high = vb.viewRange()[0]
    assert low <= 0 and high >= 19 and high - low <= 20.5
    default = (low, high)
    vb.setXRange(3, 8, padding=0)
    for name in ("hh", "ho", "signals"):  # the tick axis is shared
        np.testing.assert_allclose(plots.plot_item(name).vb.viewRange()[0], (3, 8))
    adapter.insert(20, "0" * 20)  # a zoom survives a longer stream
    np.testing.assert_allclose(vb.viewRange()[0], (3, 8))
    plots.fit()
    assert vb.viewRange()[0][1] >= 39
    adapter.undo()
    np.testing.assert_allclose(vb.viewRange()[0], default)  # fitted: follows the stream


def test_double_click_fits(qtbot, plots):
    vb = plots.plot_item("ho").vb
    vb.setXRange(3, 8, padding=0)
    qtbot.mouseDClick(plots.view.viewport(), Qt.MouseButton.LeftButton, pos=_viewport_point(plots, "ho", 5))
    qtbot.waitUntil(lambda: vb.viewRange()[0][1] > 19)


def test_y_follows_the_visible_data(plots, adapter):
    adapter.step(19)
    vb = plots.plot_item("ho").vb
    ho = adapter.session.history["ho"][:19]
    low, high = vb.viewRange()[1]
    assert low < ho.min() < ho.max() < high
    vb.setXRange(1, 9, padding=0)  # ho only rises there
    low, high = vb.viewRange()[1]
    assert low < ho[0] and ho[8] < high < ho.max() + 1e-9 + (ho[8] - ho[0])
    assert low > ho.min()


def test_items_are_made_once_and_only_updated(plots, adapter):
    before = {name: list(plots.plot_item(name).items) for name in ("ih", "hh", "ho", "signals")}
    adapter.step(10)
    adapter.back(4)
    adapter.toggle(2)
    adapter.seek(19)
    after = {name: list(plots.plot_item(name).items) for name in ("ih", "hh", "ho", "signals")}
    assert before == after


def test_long_history_is_decimated_and_notation_stays_exact(qtbot):
    session = Session("random(200001, 0.5, seed=2)")
    adapter = SessionAdapter(session)
    try:
        plots = make_plots(qtbot, adapter, (800, 600))
        adapter.run_to_end()
        assert session.cursor == 200_000
        for name in (*WEIGHTS, *SIGNAL_NAMES):
            x, y = plots.curve_data(name)
            assert len(x) <= 2_000, name  # about two points per pixel column, not 200,001
        # the envelope keeps the extremes of the data (to within a pixel: a
        # bar is never drawn shorter than a pixel)
        x, y = plots.curve_data("hh")
        hh = np.concatenate(([0.0], session.history["hh"]))
        vb = plots.plot_item("hh").vb
        pixel = (vb.viewRange()[1][1] - vb.viewRange()[1][0]) / vb.height()
        assert hh.max() <= y.max() <= hh.max() + pixel
        assert hh.min() - pixel <= y.min() <= hh.min()
        assert not plots.markers_visible()
        assert len(plots.marker_data("ho")[0]) == 0
        assert_notation_everywhere(plots, session)
        np.testing.assert_array_equal(
            plots.crossing_ticks("ho"), np.flatnonzero(sign_flips(session.history["ho"], 0.0))
        )
        label = plots.notation_label("ho").text()
        assert label.startswith("… ") and session.notation("ho").endswith(label[2:])
        tooltip = plots.notation_tooltip("ho")
        assert len(tooltip) <= TOOLTIP_CHARS + 200
        assert tooltip.replace("\n", " ").endswith(session.notation("ho")[-200:])

        # zoomed in, every tick is a point again, with its marker
        plots.plot_item("ho").vb.setXRange(150_000, 150_060, padding=0)
        x, y = plots.curve_data("ho")
        assert len(x) < 100 and np.array_equal(x, np.round(x))
        np.testing.assert_array_equal(y, session.history["ho"][x.astype(int) - 1])
        assert plots.markers_visible()
        mx, my, signs = plots.marker_data("ho")
        ticks = mx.astype(int) - 1
        np.testing.assert_array_equal(signs, change_signs(session.history["ho"], 0.0)[ticks])
        # the signals too: tick t's values at x = t + 1
        x, y = plots.curve_data("h")
        assert len(x) < 100
        np.testing.assert_array_equal(y, session.history["h"][x.astype(int) - 1])

        # a seek and an edit far back cut the caches back (checked in detail in test_present_series.py)
        adapter.toggle(100_000)  # rewrites ticks before the cursor
        assert_notation_everywhere(plots, session)
        plots.fit()
        assert len(plots.curve_data("ih")[0]) <= 2_000
    finally:
        adapter.shutdown()


def test_a_long_notation_fills_its_box_when_shown_after_the_run(qtbot):
    session = Session("random(5001, 0.5, seed=5)")
    session.run_to_end()
    adapter = SessionAdapter(session)
    try:
        plots = make_plots(qtbot, adapter)  # built before it had its size
        label = plots.notation_label("ho")
        shown = label.text()
        assert shown.startswith("… ") and session.notation("ho").endswith(shown[2:])
        assert len(shown) > 60  # several lines, not the few tokens a tiny box held
        plots.resize(1200, 900)
        qtbot.waitUntil(lambda: len(label.text()) > len(shown))
        assert session.notation("ho").endswith(label.text()[2:])
    finally:
        adapter.shutdown()


def test_text_follows_every_tick_while_playing(qtbot, adapter):
    # The side boxes used to wait up to 200 ms while playing, so a frame could
    # show a value of an older tick beside the newest curve point.
    adapter.replace("random(2001, 0.5, seed=4)")
    plots = make_plots(qtbot, adapter)
    seen: list[tuple[int, str, str]] = []

    def after_change(_flags: int) -> None:  # connected after the plots, so runs after them
        cursor = adapter.session.cursor
        seen.append((cursor, plots.value_label("ho").text(), plots.notation_label("ho").text()))

    adapter.changed.connect(after_change)
    adapter.set_speed(60)  # one tick per frame, 60 frames a second
    adapter.play()
    qtbot.waitUntil(lambda: len(seen) >= 30, timeout=10_000)
    adapter.pause()
    history = adapter.session.history
    initial = adapter.session.params.init[WEIGHTS.index("ho")]
    for cursor, label, shown in seen:
        assert format_number(float(history["ho"][cursor - 1])) in label
        full = notation(history["ho"][:cursor], initial)
        assert shown.startswith("… ") and full.endswith(shown[2:]) or shown == full
    assert_notation_everywhere(plots, adapter.session)


def test_font_scale_changes_text_size_only(plots, adapter):
    adapter.step(19)
    before = plots.notation_label("ho").font().pointSizeF()
    plots.set_font_scale(1.5)
    assert plots.notation_label("ho").font().pointSizeF() == pytest.approx(before * 1.5)
    assert plots.plot_item("ho").getAxis("left").style["tickFont"].pointSizeF() == pytest.approx(before * 1.5)
    assert_notation_everywhere(plots, adapter.session)
    assert_curves_are_the_history(plots, adapter.session)


# -- the colours of h and ŷ ----------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), full severity, on linear RGB: what a
# viewer with the colour-vision deficiency sees.
_CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _linear(colour) -> np.ndarray:
    srgb = np.array(colour.getRgbF()[:3])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear-RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    t = xyz / np.array([0.9505, 1.0, 1.089])
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _contrast_on_white(linear: np.ndarray) -> float:
    return 1.05 / (float(np.array([0.2126, 0.7152, 0.0722]) @ linear) + 0.05)


def test_hidden_and_prediction_differ_in_lightness_and_for_colour_blind_viewers(plots):
    # "h hidden" (blue) and "ŷ prediction" (teal) were hard to tell apart on a
    # projector: 12 L* apart, and 17 ΔE apart under tritanopia.
    colours = {name: QColor(theme.SIGNAL_COLOURS[name]) for name in ("h", "yhat")}
    h, yhat = (_linear(colours[name]) for name in ("h", "yhat"))
    assert abs(_lab(h)[0] - _lab(yhat)[0]) >= 20  # apart in lightness, as in greyscale
    for name, simulate in _CVD.items():
        seen_h, seen_yhat = _lab(simulate @ h), _lab(simulate @ yhat)
        assert np.linalg.norm(seen_h - seen_yhat) >= 30, name
    for linear in (h, yhat):  # both curves stand out on the white page
        assert _contrast_on_white(linear) >= 3.0
    # The curves are drawn in these colours, and the legend names each in its colour.
    curves = [item for item in plots.plot_item("signals").items if isinstance(item, pg.PlotCurveItem)]
    assert {colour.name() for colour in colours.values()} <= {
        curve.opts["pen"].color().name() for curve in curves}
    legend = plots.side.findChild(QLabel, "signalsLegend").text().lower()
    for name, label in (("h", "h hidden"), ("yhat", "ŷ prediction")):
        assert f"<span style='color:{colours[name].name()}'>━</span> {label}" in legend


def _pixels_apart(plot: pg.PlotItem, a: float, b: float) -> float:
    """How many screen pixels lie between ticks *a* and *b* on *plot*."""
    return abs(plot.vb.mapViewToScene(QPointF(b, 0)).x() - plot.vb.mapViewToScene(QPointF(a, 0)).x())


def resize_plots(qtbot, plots: WeightPlots, size: tuple[int, int], scale: float) -> None:
    """Give shown *plots* another text scale and size, and let the layout settle.

    Settled, a widget resized this way has the same tick spacing, markers
    and dots as one built at that size and scale: the tests check every
    size and scale on one widget (building one costs more than the checks).
    """
    plots.set_font_scale(scale)
    plots.resize(*size)
    qtbot.waitUntil(lambda: (plots.width(), plots.height()) == size)
    for _ in range(3):  # the layout requests the resize and the new fonts posted
        QApplication.sendPostedEvents()
        QApplication.processEvents()


@pytest.mark.parametrize("stream", ["1^10 0^10", "(10)^50", "random(300, 0.5, seed=1)"])
def test_target_dots_stay_apart_at_any_width(qtbot, adapter, stream):
    # At 1280x720 in presentation mode the dots were wider than a tick and merged into bars.
    adapter.replace(stream)
    adapter.run_to_end()
    plots = make_plots(qtbot, adapter, (380, 600))
    signals = plots.plot_item("signals")
    dots = next(item for item in signals.items if isinstance(item, pg.ScatterPlotItem))
    for width, scale in [(380, 1.0), (420, 1.5), (700, 1.5), (1000, 2.0)]:
        resize_plots(qtbot, plots, (width, 600), scale)
        x, _ = plots.curve_data("target")
        spacing = _pixels_apart(signals, 0, 1)
        if not len(x):
            assert spacing < 4, (width, scale)  # too close for dots: the input steps show the bits
            continue
        assert len(x) == adapter.session.n_ticks
        for spot in dots.points():
            assert 2.5 <= spot.size() <= spacing - 1, (width, scale)  # a dot, and a gap to the next one


@pytest.mark.parametrize("width,scale", [(380, 1.0), (420, 1.5), (700, 1.5), (1000, 2.0)])
def test_tick_labels_keep_clear_of_the_cursor_line(qtbot, adapter, width, scale):
    # The "10" under the axis ran into the cursor line at tick 10.
    plots = make_plots(qtbot, adapter, (width, 600))
    plots.set_font_scale(scale)
    signals = plots.plot_item("signals")
    axis = signals.getAxis("bottom")
    for cursor in range(adapter.session.n_ticks + 1):
        adapter.seek(cursor)
        plots.view.grab()  # paint, so the axis lays out its labels
        line_x = axis.mapFromScene(signals.vb.mapViewToScene(QPointF(cursor, 0))).x()
        *labels, (own, text) = axis.drawn_labels
        assert text == f"{cursor}"  # the cursor's own label ends the line
        assert own.left() - 0.5 <= line_x <= own.right() + 0.5
        gap = axis.style["tickFont"].pointSizeF() * 0.3
        for rect, label in labels:
            assert not rect.adjusted(-gap, 0, gap, 0).intersects(own), (cursor, label)
            assert not rect.left() <= line_x <= rect.right(), (cursor, label)
        assert labels or plots.plot_item("signals").vb.width() < 200  # wide plots keep tick labels


# -- the left axes (issue 12 §3: titles far from their axes, half the width for data) ----------


def _drawn_left_labels(plots: WeightPlots, name: str) -> list[tuple[QRectF, str]]:
    """The tick labels the left axis draws now, with their rectangles in axis coordinates."""
    axis = plots.plot_item(name).getAxis("left")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(QRectF(rect), text) for rect, _, text in texts]


def _major_labels(axis) -> list[str]:
    """The labels of the axis' main ticks inside its range, away from its ends: always worth writing."""
    low, high = sorted(axis.range)
    height = axis.geometry().height()
    spacing, values = axis.tickValues(low, high, height)[0]
    font_height = QFontMetricsF(axis.style["tickFont"]).height()
    inside = [v for v in values if font_height <= (high - v) / (high - low) * height <= height - font_height]
    return axis.tickStrings(inside, 1.0, spacing)


@pytest.mark.parametrize("scale", [1.0, 1.5, 2.25])
@pytest.mark.parametrize(("stream", "ticks", "zoom"), [
    ("1^10 0^10", 12, None),
    ("(10)^30 1^40", 99, None),   # ho below zero: labels with a minus sign
    ("(10)^30 1^40", 99, (96.0, 99.5)),  # a few ticks: labels with four or more decimals
])
def test_left_axes_leave_the_data_area_all_the_room_their_labels_allow(qtbot, adapter, scale, stream, ticks, zoom):
    # In presentation mode the titles sat 70-90 px left of the axes: the data area was half the plot.
    adapter.replace(stream)
    adapter.step(ticks)
    plots = make_plots(qtbot, adapter, (900, 700))
    plots.set_font_scale(scale)
    if zoom is not None:
        plots.plot_item("ih").vb.setXRange(*zoom, padding=0)
    lefts, gaps = set(), []
    for name in (*WEIGHTS, "signals"):
        plot = plots.plot_item(name)
        axis = plot.getAxis("left")
        title = axis.label.mapRectToParent(axis.label.boundingRect())
        title_right = title.right() - axis.label.document().documentMargin()
        labels = _drawn_left_labels(plots, name)
        texts = [text for _, text in labels]
        # No label is left out or cut for lack of room, none runs into the title.
        assert set(_major_labels(axis)) <= set(texts), (name, texts)
        for rect, text in labels:
            assert title_right < rect.left() and rect.right() <= axis.width(), (name, text)
        gaps.append(min(rect.left() for rect, _ in labels) - title_right)
        lefts.add(round(plot.vb.sceneBoundingRect().left(), 3))
    assert len(lefts) == 1  # the four data areas line up
    # And no room is wasted between a title and the widest label of the four.
    assert min(gaps) <= 0.6 * QFontMetricsF(axis.style["tickFont"]).height(), gaps


@pytest.mark.parametrize("stream", ["1^10 0^10", "(10)^30", "(10)^30 1^40", "random(300, 0.5, seed=1)"])
def test_change_markers_never_overlap(qtbot, adapter, stream):
    # At 4-10 px between ticks the + and − markers (7 px × the font scale) ran into one band.
    adapter.replace(stream)
    adapter.run_to_end()
    plots = make_plots(qtbot, adapter, (380, 600))
    for width, scale in [(380, 1.0), (600, 1.0), (420, 1.5), (700, 1.5), (1000, 2.25)]:
        resize_plots(qtbot, plots, (width, 600), scale)
        for weight in WEIGHTS:
            case = (weight, width, scale)
            plot = plots.plot_item(weight)
            markers = next(item for item in plot.items if isinstance(item, pg.ScatterPlotItem))
            spacing = _pixels_apart(plot, 0, 1)
            x, _, signs = plots.marker_data(weight)
            legend = plots.side.findChild(QLabel, "signalsLegend").text()
            if not plots.markers_visible():
                assert spacing < 8 and not len(x), case  # too close to read: the legend says to zoom in
                assert f"zoom in to see each tick's +/{MINUS}" in legend, case
                continue
            assert "zoom in" not in legend, case
            assert len(x) == adapter.session.n_ticks, case
            for spot in markers.points():
                # What is painted: the symbol and, when it has one, the rim drawn over its edge.
                rim = spot.pen().widthF() if spot.pen().style() != Qt.PenStyle.NoPen else 0.0
                assert spot.size() + rim <= spacing - 0.5, (case, spot.size(), rim, spacing)
                if spot.symbol() != "o":  # a + or a −, not the grey dot of "no change"
                    assert spot.size() >= 5, case  # big enough to tell a + from a −
