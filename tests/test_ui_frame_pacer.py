"""The training budget of a "max" frame grows when the views take long to draw (issue 14)."""

from __future__ import annotations

import pytest
from clocks import ManualClock, ManualTimer

from rnnviz.present.format import MAX_SPEED
from rnnviz.session import Session
from rnnviz.ui.adapter import SessionAdapter
from rnnviz.ui.runadapter import (
    FRAME_PERIOD_MS,
    MAX_SPEED_BUDGET_S,
    MAX_SPEED_FRAME_S,
    FramePacer,
)


def _frames(pacer: FramePacer, clock: ManualClock, drawing_ms: float, count: int) -> float:
    """*count* frames whose drawing takes *drawing_ms*; the last budget."""
    budget = pacer.budget()
    for _ in range(count):
        pacer.ticks_done()
        clock.advance_ms(drawing_ms)
        budget = pacer.budget()
    return budget


def test_quick_drawing_keeps_the_budget_of_one_period() -> None:
    clock = ManualClock()
    pacer = FramePacer(clock)
    leaves_ms = FRAME_PERIOD_MS - MAX_SPEED_BUDGET_S * 1000
    assert _frames(pacer, clock, leaves_ms, 50) == MAX_SPEED_BUDGET_S
    assert _frames(pacer, clock, 1.0, 50) == MAX_SPEED_BUDGET_S


@pytest.mark.parametrize("drawing_ms", [12.0, 20.0])
def test_slow_drawing_stretches_the_frame_and_trains_in_what_it_leaves(drawing_ms) -> None:
    clock = ManualClock()
    pacer = FramePacer(clock)
    budget = _frames(pacer, clock, drawing_ms, 60)
    assert budget == pytest.approx(MAX_SPEED_FRAME_S - drawing_ms / 1000, abs=1e-6)
    assert budget > MAX_SPEED_BUDGET_S
    # Drawing that outlasts the whole stretched frame trains the least budget, never nothing.
    assert _frames(pacer, clock, 1000 * MAX_SPEED_FRAME_S + 5, 60) == MAX_SPEED_BUDGET_S


def test_a_clock_standing_still_or_a_new_start_measures_no_drawing() -> None:
    clock = ManualClock()
    pacer = FramePacer(clock)
    assert _frames(pacer, clock, 0.0, 10) == MAX_SPEED_BUDGET_S
    _frames(pacer, clock, 20.0, 60)
    pacer.ticks_done()
    clock.advance_ms(5000)  # paused for five seconds, then played again
    pacer.restart()
    assert pacer.budget() == pytest.approx(MAX_SPEED_FRAME_S - 0.020, abs=1e-6)


def test_a_long_hiccup_counts_as_at_most_a_second() -> None:
    clock = ManualClock()
    pacer = FramePacer(clock)
    _frames(pacer, clock, 10_000.0, 1)
    assert pacer.drawing_s <= 1.0
    assert _frames(pacer, clock, 2.0, 60) == MAX_SPEED_BUDGET_S  # it passes


def test_the_adapter_asks_its_pacer_with_its_own_clock(qtbot) -> None:
    clock = ManualClock()
    timer = ManualTimer()
    adapter = SessionAdapter(Session("random(5000, 0.5, seed=2)"), clock=clock, timer_factory=timer)
    try:
        adapter.set_speed(MAX_SPEED)
        adapter.play()
        timer.fire()
        assert adapter.session.cursor > 0
        assert adapter.pacer.budget() == MAX_SPEED_BUDGET_S  # the manual clock has not moved
    finally:
        adapter.shutdown()


def test_a_stretched_frame_leaves_room_for_the_ticks_overrunning_their_budget() -> None:
    clock = ManualClock()
    pacer = FramePacer(clock)
    for _ in range(60):
        budget = pacer.budget()
        clock.advance_ms(budget * 1000 + 1.5)  # the last chunk ends 1.5 ms late
        pacer.ticks_done()
        clock.advance_ms(20.0)
    assert pacer.overrun_s == pytest.approx(0.0015, abs=1e-6)
    assert pacer.budget() == pytest.approx(MAX_SPEED_FRAME_S - 0.020 - 0.0015, abs=1e-6)
    # The one-period budget is never cut: quick drawing keeps 8 ms however late the ticks end.
    for _ in range(60):
        budget = pacer.budget()
        clock.advance_ms(budget * 1000 + 1.5)
        pacer.ticks_done()
        clock.advance_ms(3.0)
    assert pacer.budget() == MAX_SPEED_BUDGET_S
