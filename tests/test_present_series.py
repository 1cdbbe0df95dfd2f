"""What the weight plots show, worked out without Qt (rnnviz/present/series.py).

Every expected value comes from the session itself (its history columns and
its own notation), from the engine's ``change_signs`` and ``sign_flips``, or
from a second session stepped one tick further: never from the code under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.history import WEIGHTS
from rnnviz.engine.learner import LearnerParams
from rnnviz.engine.notation import change_signs, sign_flips
from rnnviz.present.series import (
    EXACT_POINTS, MIN_BAR_PIXELS, SIGNAL_CURVES, TOOLTIP_CHARS, SeriesCache, change_markers,
    crossings_in_view, fitted_y_range, legend_notes, series_points, signals_y_range, ticks_near_view, weights_shown,
)
from rnnviz.present.stages import Stage
from rnnviz.session import Session

WHOLE = (-0.5, 1e9, 800.0)  # a view wider than any stream here, 800 px wide


def synced(session: Session) -> SeriesCache:
    cache = SeriesCache(session)
    cache.sync(session)
    return cache


def assert_notation_everywhere(cache: SeriesCache, session: Session) -> None:
    for weight in WEIGHTS:
        assert cache.indexes[weight].text(session.cursor) == session.notation(weight), weight


def assert_points_are_the_history(cache: SeriesCache, session: Session) -> None:
    k = session.cursor
    history = session.history
    for i, weight in enumerate(WEIGHTS):
        x, y, exact = cache.points(session, weight, WHOLE, 0.01)
        assert exact
        np.testing.assert_array_equal(x, np.arange(k + 1))  # the weight after k ticks at x = k
        np.testing.assert_array_equal(y, np.concatenate(([session.params.init[i]], history[weight][:k])))
    for name in SIGNAL_CURVES:
        x, y, exact = cache.points(session, name, WHOLE, 0.01)
        assert exact
        np.testing.assert_array_equal(x, np.arange(1, k + 1))  # tick t's signals at x = t + 1
        np.testing.assert_array_equal(y, history[name][:k])


@pytest.mark.parametrize("ticks", [0, 1, 7, 19])
def test_a_short_history_is_drawn_point_for_point(ticks):
    session = Session("1^10 0^10")
    session.step(ticks)
    assert_points_are_the_history(synced(session), session)


def test_markers_are_the_signs_of_every_stored_change():
    session = Session("1^10 0^10")
    session.step(19)
    cache = synced(session)
    history = session.history
    for weight in WEIGHTS:
        x, y, signs = cache.markers(session, weight, 0, 19)
        np.testing.assert_array_equal(x, np.arange(1, 20))  # tick t's marker at t + 1
        np.testing.assert_array_equal(y, history[weight][:19])
        np.testing.assert_array_equal(signs, change_signs(history[weight][:19], 0.0))
    # all three kinds occur on this stream: ih stops learning once x = 0
    assert set(cache.markers(session, "ih", 0, 19)[2].tolist()) == {1, -1, 0}


def test_a_change_too_small_to_move_the_float_is_a_0_marker_as_in_the_notation():
    # With η = 1000 the output saturates: the computed change of ho is about
    # 3.6e-25, far too small to move a weight of about 1000.
    session = Session("1^10 0^10", LearnerParams(eta=1000.0))
    session.step(8)
    ho, d_ho = session.history["ho"][:8], session.history["d_ho"][:8]
    assert d_ho[1] > 0 and ho[1] == ho[0]
    assert session.notation("ho") == "+ 0⁷"
    np.testing.assert_array_equal(change_markers(ho, 0.0, 0, 8)[2], [1, 0, 0, 0, 0, 0, 0, 0])
    # a view starting after the first tick still takes the change from the point before it
    first, last = ticks_near_view((3.0, 8.0, 500.0), 8)
    assert first > 0
    x, _, signs = change_markers(session.history["ho"], 0.0, first, last)
    np.testing.assert_array_equal(signs, change_signs(ho, 0.0)[x.astype(int) - 1])


def test_notation_and_points_follow_every_kind_of_change():
    session = Session("1^10 0^10")
    cache = SeriesCache(session)

    def check() -> None:
        cache.sync(session)
        assert_notation_everywhere(cache, session)
        assert_points_are_the_history(cache, session)

    check()
    session.step(12)
    check()
    assert cache.indexes["ho"].text(12) == "+⁹ \u2212³"
    session.back(3)
    check()
    session.seek(19)
    check()
    assert cache.indexes["ho"].text(19) == "+⁹ \u2212⁵ , \u2212⁵"
    session.seek(5)
    session.toggle(3)  # before the cursor: ticks recomputed
    check()
    session.toggle(15)  # after the cursor: stored ticks forgotten
    session.step(14)
    check()
    session.seek(8)
    session.set_params(eta=2.0)  # applies from the next tick; later stored ticks forgotten
    session.step(11)
    check()
    session.set_params(init=(0.5, -0.25, 1.0))  # every tick recomputed
    check()
    session.reset()
    check()
    assert cache.indexes["ho"].text(0) == ""
    other = Session("(10)^10")  # another session loaded: every cache starts over
    other.step(19)
    cache.sync(other)
    assert_notation_everywhere(cache, other)
    assert_points_are_the_history(cache, other)


def test_a_history_rewritten_between_two_syncs_is_still_caught():
    session = Session("1^10 0^10")
    session.step(15)
    cache = synced(session)
    # The cursor ends where it was, but the ticks before it were rewritten.
    session.back(6)
    session.set_params(eta=1.0)
    session.step(6)
    cache.sync(session)
    assert_notation_everywhere(cache, session)
    assert_points_are_the_history(cache, session)


def test_crossings_are_the_engines_sign_flips():
    session = Session("1^10 0^10")
    session.step(19)
    cache = synced(session)
    hh = session.history["hh"][:19]
    expected = np.flatnonzero(sign_flips(hh, 0.0))
    assert len(expected) == 2  # hh dips below zero and comes back: "0 +⁸ −⁴ , − , +⁵"
    marks, dense = cache.crossings("hh", 19, WHOLE)
    assert not dense
    np.testing.assert_array_equal(marks, expected + 0.5)  # between the two points
    # only those in view: the first flip at expected[0] + 0.5
    marks, _ = cache.crossings("hh", 19, (expected[1] - 0.2, 19.5, 800.0))
    np.testing.assert_array_equal(marks, expected[1:] + 0.5)
    # only those before the cursor
    np.testing.assert_array_equal(crossings_in_view(cache.indexes["hh"], 14, WHOLE)[0], expected[:1] + 0.5)
    assert cache.crossings("hh", 20, WHOLE) is None  # not synced that far


def test_crossings_too_dense_to_read_are_left_out_and_said_so():
    session = Session("random(20001, 0.5, seed=2)")
    session.run_to_end()
    cache = synced(session)
    flips = np.flatnonzero(sign_flips(session.history["ho"], 0.0))
    assert len(flips) > 800 / 6  # more than one every 6 px on an 800 px plot
    marks, dense = cache.crossings("ho", session.cursor, (-0.5, 20000.5, 800.0))
    assert dense and len(marks) == 0
    # zoomed in to a few of them, each one is marked
    low, high = float(flips[10]), float(flips[13] + 1)
    marks, dense = cache.crossings("ho", session.cursor, (low, high, 800.0))
    assert not dense
    np.testing.assert_array_equal(marks, flips[(flips + 0.5 >= low) & (flips + 0.5 <= high)] + 0.5)


def test_a_long_history_is_an_envelope_that_keeps_the_extremes():
    session = Session("random(50001, 0.5, seed=2)")
    session.run_to_end()
    cache = synced(session)
    width, pixel = 700.0, 0.002
    view = (-0.5, 50000.5, width)
    for name in (*WEIGHTS, *SIGNAL_CURVES):
        x, y, exact = cache.points(session, name, view, pixel)
        assert not exact and len(x) <= 2 * width + 4, name  # one bar per pixel column, not 50,001 points
        values = session.history[name][:50000]
        if name in WEIGHTS:
            values = np.concatenate(([0.0], values))  # the initial weight is drawn at x = 0
        # the extremes are kept, to within half the shortest bar
        slack = MIN_BAR_PIXELS * pixel / 2 + 1e-12
        assert values.max() <= y.max() <= values.max() + slack, name
        assert values.min() - slack <= y.min() <= values.min(), name
        bars = y[2:] if name in WEIGHTS else y  # a weight's first pair is its initial value, at x = 0
        assert np.all(bars[1::2] - bars[0::2] >= MIN_BAR_PIXELS * pixel - 1e-12), name  # no bar vanishes
    # zoomed in, every tick is a point again
    x, y, exact = cache.points(session, "ho", (30_000.0, 30_060.0, width), pixel)
    assert exact and len(x) < 100 and np.array_equal(x, np.round(x))
    np.testing.assert_array_equal(y, session.history["ho"][x.astype(int) - 1])
    x, y, exact = cache.points(session, "h", (30_000.0, 30_060.0, width), pixel)
    assert exact
    np.testing.assert_array_equal(y, session.history["h"][x.astype(int) - 1])


def test_series_points_draw_every_point_up_to_the_exact_limit():
    values = np.linspace(-1.0, 1.0, EXACT_POINTS)
    x, y, exact = series_points(values, None, EXACT_POINTS - 1, 0.5, (100.0, 110.0, 50.0), 0.01)
    assert exact and len(x) == EXACT_POINTS  # the initial value and every tick, whatever the view
    np.testing.assert_array_equal(y, np.concatenate(([0.5], values[: EXACT_POINTS - 1])))


def test_a_long_notation_stays_exact_through_seeks_and_edits():
    session = Session("random(30001, 0.5, seed=3)")
    session.run_to_end()
    cache = synced(session)
    assert_notation_everywhere(cache, session)
    session.seek(12_345)
    cache.sync(session)
    assert_notation_everywhere(cache, session)
    session.toggle(10_000)  # rewrites ticks before the cursor
    cache.sync(session)
    assert_notation_everywhere(cache, session)
    np.testing.assert_array_equal(
        cache.indexes["ho"].flip_ticks(session.cursor),
        np.flatnonzero(sign_flips(session.history["ho"][: session.cursor], 0.0)),
    )


def test_the_tooltip_is_the_notation_or_its_end():
    session = Session("1^10 0^10")
    cache = synced(session)
    assert cache.tooltip("ho", 0) == "ho: no ticks yet"
    session.step(19)
    cache.sync(session)
    tooltip = cache.tooltip("hh", 19)
    tokens = session.notation("hh").split(" ")
    assert tooltip.startswith(f"hh: {len(tokens)} tokens\n")
    assert tooltip.split("\n", 1)[1] == session.notation("hh")
    long = Session("random(20001, 0.5, seed=2)")
    long.run_to_end()
    cache = synced(long)
    tooltip = cache.tooltip("ho", long.cursor)
    assert ", the end shown" in tooltip.split("\n")[0]
    assert len(tooltip) <= TOOLTIP_CHARS + 200
    assert tooltip.replace("\n", " ").endswith(long.notation("ho")[-200:])


def test_side_values_are_the_weights_after_the_ticks_done():
    session = Session("1^10 0^10", LearnerParams(init=(0.25, -0.5, 1.5)))
    assert weights_shown(session, None, None) == {"ih": 0.25, "hh": -0.5, "ho": 1.5}
    session.step(7)
    assert weights_shown(session, None, None) == {w: float(session.history[w][6]) for w in WEIGHTS}


@pytest.mark.parametrize("rule", ["sequential", "simultaneous"])
def test_in_slow_motion_the_side_values_are_those_before_the_tick_except_a_sequential_ho(rule):
    session = Session("1^10 0^10", LearnerParams(rule=rule))
    session.step(4)
    ahead = Session("1^10 0^10", LearnerParams(rule=rule))
    ahead.step(5)
    before = {w: float(session.history[w][3]) for w in WEIGHTS}
    for stage in (Stage.FORWARD_H, Stage.ERROR):
        assert weights_shown(session, stage, 4) == before
    shown = weights_shown(session, Stage.GRAD_HO, 4)
    assert shown["ih"] == before["ih"] and shown["hh"] == before["hh"]
    if rule == "sequential":
        # ho moves at its own stage, to where the finished tick leaves it
        assert shown["ho"] == float(ahead.history["ho"][4]) != before["ho"]
    else:
        assert shown["ho"] == before["ho"]


def test_the_y_range_fits_the_visible_points_and_stays_while_it_still_fits():
    x = np.arange(0.0, 11.0)
    y = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0, 10.0])
    low, high = fitted_y_range(x, y, 0.0, 9.0, (-100.0, 100.0))  # x = 10 (y = 10) is out of view
    assert low < 0.0 < 5.0 < high < 10.0  # every visible point inside, the one out of view not
    assert fitted_y_range(x, y, 0.0, 9.0, (low, high)) is None  # a range that fits is kept
    # a little more room, still most of it filled: kept, so the axis is not redrawn every frame
    assert fitted_y_range(x, y, 0.0, 9.0, (low - 0.3, high + 0.3)) is None
    # data filling too little of the old range: fitted again
    assert fitted_y_range(x, y, 0.0, 9.0, (-20.0, 20.0)) == (low, high)
    assert fitted_y_range(x, y, 20.0, 30.0, (-1.0, 1.0)) is None  # nothing in view: kept
    flat_low, flat_high = fitted_y_range(x, np.full(11, 2.0), 0.0, 10.0, (-1.0, 1.0))
    assert flat_low < 2.0 < flat_high  # a flat curve is not drawn on the edge


@pytest.mark.parametrize(("activation", "covers"), [((0.0, 1.0), (0.0, 1.0)), ((-1.0, 1.0), (-1.0, 1.0))])
def test_the_signals_range_holds_both_bits_and_the_activations_range(activation, covers):
    low, high = signals_y_range(activation)
    assert low < min(covers[0], 0.0) and max(covers[1], 1.0) < high


def test_the_legend_says_what_this_zoom_leaves_out():
    assert legend_notes(True, True, False) == []
    assert legend_notes(False, True, False) == ["zoom in to see each tick's +/\u2212"]
    assert legend_notes(False, False, False) == ["zoom in to see each tick's +/\u2212 and target"]
    assert legend_notes(True, True, True) == ["sign flips too dense to mark"]
