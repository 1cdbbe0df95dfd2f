"""The phase plot's view-model: fixed points, their stability, the cobweb and the 2-cycle (issue 16)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest

from rnnviz.engine.activations import Activation
from rnnviz.engine.learner import LearnerParams
from rnnviz.present.phase import (
    COBWEB_TICKS,
    fixed_points,
    free_run_cycles,
    phase_view,
    two_cycles,
)
from rnnviz.session import Session

CASES = [
    ("sigmoid", 1.0, 0.0, 0.0), ("sigmoid", 1.0, 0.58, 0.0015), ("sigmoid", 1.0, -4.0, 8.0),
    ("sigmoid", 1.0, -6.0, 12.0), ("sigmoid", 3.0, -1.0, 2.0), ("sigmoid", 1.0, 5.0, -9.0),
    ("tanh", 1.0, 0.3, 2.5), ("tanh", 2.0, -0.5, 1.5), ("tanh", 1.0, 1.0, -3.0),
    ("bipolar", 1.0, -1.0, 4.0), ("bipolar", 10.0, 0.2, 1.0), ("sigmoid", 1.0, -20.0, 40.0),
]


def _decimal_f(name: str, gain: float, z: Decimal) -> Decimal:
    if name == "sigmoid":
        return 1 / (1 + (-Decimal(gain) * z).exp())
    inner = Decimal(gain) * (z if name == "tanh" else z / 2)
    e = (2 * inner).exp()
    return (e - 1) / (e + 1)


def _decimal_root(name: str, gain: float, ih: float, hh: float, x: int, start: float) -> Decimal:
    """The fixed point near *start*, by Newton's method in 50-digit decimals (independent of the floats)."""
    with localcontext() as ctx:
        ctx.prec = 50
        h = Decimal(start)
        a_ih, a_hh, step = Decimal(ih), Decimal(hh), Decimal("1e-30")
        for _ in range(60):
            g = lambda v: _decimal_f(name, gain, a_hh * v + a_ih * x) - v
            slope = (g(h + step) - g(h - step)) / (2 * step)
            if slope == 0:
                break
            h_new = h - g(h) / slope
            if abs(h_new - h) < Decimal("1e-45"):
                return h_new
            h = h_new
        return h


def _dense_count(act: Activation, ih: float, hh: float, x: int) -> int:
    """Sign changes of f(hh·h + ih·x) − h on a million points: an independent count of crossings."""
    low, high = act.range
    h = np.linspace(low, high, 1_000_001)
    g = act(hh * h + ih * x) - h
    signs = np.sign(g)
    return int(np.count_nonzero(signs[1:] * signs[:-1] < 0)) + int(np.count_nonzero(g == 0))


@pytest.mark.parametrize(("name", "gain", "ih", "hh"), CASES)
@pytest.mark.parametrize("x", [0, 1])
def test_fixed_points_solve_the_equation_and_agree_with_decimals(name, gain, ih, hh, x):
    act = Activation(name, gain)
    points = fixed_points(act, ih, hh, x)
    assert len(points) == _dense_count(act, ih, hh, x)
    assert len(points) % 2 == 1  # the map starts above the diagonal and ends below it
    for p in points:
        assert abs(act(hh * p.h + ih * x) - p.h) <= 1e-10
        exact = _decimal_root(name, gain, ih, hh, x, p.h)
        assert abs(Decimal(p.h) - exact) <= Decimal("1e-12")


@pytest.mark.parametrize(("name", "gain", "ih", "hh"), CASES)
def test_stability_follows_the_slope_of_the_map(name, gain, ih, hh):
    act = Activation(name, gain)
    for x in (0, 1):
        for p in fixed_points(act, ih, hh, x):
            d = 1e-6
            slope = (act(hh * (p.h + d) + ih * x) - act(hh * (p.h - d) + ih * x)) / (2 * d)
            assert p.slope == pytest.approx(slope, rel=1e-5, abs=1e-9)
            if abs(abs(slope) - 1.0) > 1e-4:
                assert p.stable == (abs(slope) < 1.0)


def test_one_fixed_point_for_a_weak_loop_and_three_for_a_strong_one():
    act = Activation("sigmoid")
    weak = fixed_points(act, -1.0, 2.0, 1)
    assert len(weak) == 1 and weak[0].stable
    strong = fixed_points(act, -4.0, 8.0, 1)  # σ(8h − 4): symmetric about h = ½, bistable
    assert [p.stable for p in strong] == [True, False, True]
    assert strong[1].h == pytest.approx(0.5, abs=1e-12)
    assert strong[0].h == pytest.approx(1.0 - strong[2].h, abs=1e-12)
    # Followed from either side of ½, the map settles on the outer points.
    for start, end in ((0.49, strong[0].h), (0.51, strong[2].h)):
        h = start
        for _ in range(200):
            h = act(8.0 * h - 4.0)
        assert h == pytest.approx(end, abs=1e-12)


def test_a_tangency_is_found_and_not_hidden():
    """Where the map only touches the diagonal, a fixed point is still reported with slope ±1."""
    hh = 6.0
    h_star = (1.0 + math.sqrt(1.0 - 4.0 / hh)) / 2.0  # σ′·hh = hh·h(1 − h) = 1
    ih = math.log(h_star / (1.0 - h_star)) - hh * h_star
    points = fixed_points(Activation("sigmoid"), ih, hh, 1)
    near = [p for p in points if abs(p.h - h_star) < 1e-6]
    assert near, points
    for p in near:
        assert abs(p.slope - 1.0) < 1e-5
    assert any(p.tangent for p in near) or len(near) == 2


@pytest.mark.parametrize("stream", ["1^10 0^10", "(10)^20", "(110)^9"])
@pytest.mark.parametrize("cursor", [0, 1, 5, 13, 19])
def test_the_cobweb_is_the_sessions_stored_hidden_values(stream, cursor):
    session = Session(stream, LearnerParams(eta=5.0))
    session.seek(min(cursor, session.n_ticks))
    view = phase_view(session)
    c = session.cursor
    first = max(c - COBWEB_TICKS, 0)
    stored = session.history["h"]
    before = ([session.state_at(first).h] + [stored[t] for t in range(first, c - 1)])[: c - first]
    after = [stored[t] for t in range(first, c)]
    assert list(view.cobweb_x[1::4]) == before  # bit for bit: copied, not recomputed
    assert list(view.cobweb_y[1::4]) == after
    assert list(view.cobweb_x[3::4]) == after and list(view.cobweb_y[3::4]) == after
    assert list(view.cobweb_inputs) == [int(session.bits[t]) for t in range(first, c)]
    xs0, _ = view.segments(0)
    xs1, _ = view.segments(1)
    assert len(xs0) + len(xs1) == len(view.cobweb_x)
    if c:
        assert view.current == (before[-1], after[-1])
    else:
        assert view.current is None


def test_the_maps_use_the_weights_at_the_cursor():
    session = Session("1^10 0^10", LearnerParams(eta=5.0, activation="tanh", gain=2.0))
    session.seek(13)
    view = phase_view(session)
    state = session.state
    assert (view.ih, view.hh) == (state.ih, state.hh)
    assert (view.low, view.high) == (-1.0, 1.0)
    act = session.params.act
    for x in (0, 1):
        assert np.allclose(view.maps[x], act(state.hh * view.grid + state.ih * x), rtol=0, atol=1e-15)


def test_an_alternating_stream_shows_its_two_cycle():
    session = Session("(10)^20", LearnerParams(eta=5.0))
    session.seek(30)
    view = phase_view(session)
    assert view.cycles
    act = session.params.act
    for cycle in view.cycles:
        assert abs(act(view.hh * cycle.h1) - cycle.h0) <= 1e-10
        assert abs(act(view.hh * cycle.h0 + view.ih) - cycle.h1) <= 1e-10
    steady = Session("1^10 0^10", LearnerParams(eta=5.0))
    steady.seek(8)
    assert phase_view(steady).cycles == ()


def test_a_strong_negative_loop_makes_a_two_cycle_of_its_own():
    """hh strongly negative: the composed map of 0, 1 is bistable, and its cycles are checked by iteration."""
    act = Activation("tanh")
    cycles = two_cycles(act, 0.2, -3.0)
    assert len(cycles) == 3
    for cycle in cycles:
        h = cycle.h1
        h = act(-3.0 * act(-3.0 * h) + 0.2)
        assert h == pytest.approx(cycle.h1, abs=1e-10)
    assert [c.stable for c in cycles] == [True, False, True]


def test_slow_motion_adds_the_tick_being_taken_apart():
    session = Session("1^10 0^10", LearnerParams(eta=5.0))
    session.seek(12)
    session.seek(5)  # the history holds tick 5 already
    view = phase_view(session, stage_pending=True)
    assert view.pending == (session.state.h, session.history["h"][5], int(session.bits[5]))
    fresh = Session("1^10 0^10", LearnerParams(eta=5.0))
    fresh.seek(5)
    state = fresh.state
    pending = phase_view(fresh, stage_pending=True).pending
    fresh.step(1)
    assert pending[1] == pytest.approx(fresh.history["h"][5], abs=1e-15)
    assert pending[0] == state.h


def test_the_generators_alternation_is_its_stable_two_cycle():
    """The published generator (ih = −1, hh = 0, ho = 1, gain 10) alternates near ±0.98: its 2-cycle."""
    from rnnviz.engine.generator import DEFAULTS, free_run

    weights = {k: DEFAULTS[k] for k in ("ih", "hh", "ho", "gain")}
    cycles = free_run_cycles(**weights)
    assert len(cycles) == 1 and cycles[0].stable
    run = free_run(**weights, steps=400)
    assert sorted(run.h[-2:]) == pytest.approx([cycles[0].h0, cycles[0].h1], abs=1e-10)
    f, g = Activation("bipolar"), Activation("bipolar", weights["gain"])
    step = lambda h: f(weights["hh"] * h + weights["ih"] * g(weights["ho"] * h))
    assert abs(step(cycles[0].h0) - cycles[0].h1) <= 1e-10
    assert abs(step(cycles[0].h1) - cycles[0].h0) <= 1e-10
    d = 1e-6
    numeric = ((step(step(cycles[0].h0 + d)) - step(step(cycles[0].h0 - d))) / (2 * d))
    assert cycles[0].slope == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_a_generator_that_settles_has_no_two_cycle():
    assert free_run_cycles(ih=1.0, hh=0.5, ho=1.0, gain=1.0) == ()


HAND_BUILT = LearnerParams(activation="bipolar", gain=10.0, init=(-1.0, 0.0, 1.0), learning=False)


def test_on_an_alternating_stream_the_view_holds_the_generators_closed_loop_and_its_two_cycle():
    """The lesson's hand-built network (ih −1, hh 0, ho 1, bipolar, gain 10) with its output fed
    back alternates: the closed loop's 2-cycle, where the real generator run ends."""
    from rnnviz.engine.generator import free_run

    session = Session("(10)^10", HAND_BUILT)
    session.step(19)
    view = phase_view(session)
    act = HAND_BUILT.act
    np.testing.assert_array_equal(view.loop, act(0.0 * view.grid + -1.0 * act(1.0 * view.grid)))
    assert view.loop_cycles == free_run_cycles(ih=-1.0, hh=0.0, ho=1.0, gain=10.0,
                                               activation="bipolar", hidden_gain=10.0)
    assert len(view.loop_cycles) == 1 and view.loop_cycles[0].stable
    cycle = view.loop_cycles[0]
    # the network in the window, run with its output fed back, ends on that 2-cycle
    run = free_run(ih=-1.0, hh=0.0, ho=1.0, gain=10.0, hidden_gain=10.0, x0=1.0, h0=0.0, steps=60)
    assert sorted(run.h[-2:]) == pytest.approx([cycle.h0, cycle.h1], abs=1e-12)
    assert run.h[-1] == act(0.0 * run.h[-2] + -1.0 * act(1.0 * run.h[-2]))


def test_the_learned_weights_closed_loop_has_no_two_cycle_and_other_streams_no_loop():
    """Lesson 4: online learning on (10)^10 does not find the alternation: fed back, the learned
    network settles instead of alternating."""
    session = Session("(10)^10", LearnerParams(eta=5.0))
    session.step(19)
    view = phase_view(session)
    state = session.state
    assert view.loop is not None and view.loop_cycles == ()
    act = session.params.act
    np.testing.assert_array_equal(view.loop, act(state.hh * view.grid + state.ih * act(state.ho * view.grid)))
    streak = Session("1^10 0^10", LearnerParams(eta=5.0))
    streak.step(19)
    assert phase_view(streak).loop is None and phase_view(streak).loop_cycles == ()


def test_the_hidden_gain_of_the_generator_is_checked_and_one_by_default():
    from rnnviz.engine.errors import InputError
    from rnnviz.engine.generator import free_run

    assert np.array_equal(free_run(steps=5).h, free_run(steps=5, hidden_gain=1.0).h)
    for bad in (0.0, -1.0, float("nan"), 1e9):
        with pytest.raises(InputError, match="hidden_gain"):
            free_run(steps=5, hidden_gain=bad)
