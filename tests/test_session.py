"""The teaching session: stepping, going back, parameters mid-run and editing."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams, trace
from rnnviz.engine.sequences import parse_sequence
from rnnviz.session import Session


def snapshot(session: Session) -> tuple:
    """Everything a view would show at the cursor."""
    return (session.cursor, session.state, session.current_tick(), session.prediction(),
            tuple(session.notation(w) for w in ("ih", "hh", "ho")))


def test_a_new_session_starts_before_the_first_tick() -> None:
    session = Session("1^10 0^10")
    assert session.cursor == 0 and session.n_ticks == 19
    assert session.current_tick() is None
    assert session.state == (0.0, 0.0, 0.0, 0.0)
    assert session.prediction().yhat == 0.5  # zero weights: no opinion yet


def test_stepping_to_the_end_equals_a_trace() -> None:
    session = Session("1^10 0^10")
    for _ in range(25):
        session.step()
    assert session.cursor == 19 and session.at_end
    reference = trace(parse_sequence("1^10 0^10"), LearnerParams())
    for name in reference:
        np.testing.assert_array_equal(session.history[name], reference[name])
    assert session.notation("ho") == "+⁹ \u2212⁵ , \u2212⁵"


def test_step_back_restores_exactly_what_was_shown() -> None:
    session = Session("random(500, 0.5, 2)")
    session.seek(200)
    before = snapshot(session)
    session.run_to_end()
    assert session.back(299) == 299
    assert snapshot(session) == before
    session.step(10)
    session.back(10)
    assert snapshot(session) == before


def test_back_and_step_replay_stored_ticks_without_recomputing() -> None:
    session = Session("random(500, 0.5, 2)")
    session.run_to_end()
    stored = session.history["ho"].copy()
    session.seek(3)
    assert len(session.history) == 499  # the future is kept for replay
    session.step(496)
    np.testing.assert_array_equal(session.history["ho"], stored)


def test_cursor_is_clamped_at_both_ends() -> None:
    session = Session("1011")
    assert session.back() == 0
    assert session.step(10) == 3
    assert session.step() == 0
    session.seek(-5)
    assert session.cursor == 0
    session.seek(99)
    assert session.cursor == 3


def test_reset_forgets_everything() -> None:
    session = Session("(10)^5")
    session.run_to_end()
    session.reset()
    assert session.cursor == 0 and len(session.history) == 0


def test_revision_counts_visible_changes() -> None:
    session = Session("1^5")
    revision = session.revision
    session.step()
    session.toggle(4)
    session.set_params(eta=1.0)
    assert session.revision == revision + 3
    session.back(0)
    session.set_params(eta=1.0)
    assert session.revision == revision + 3


# -- parameters mid-run ----------------------------------------------------------------

def test_changing_eta_mid_run_applies_from_the_next_tick() -> None:
    session = Session("1^20")
    session.seek(10)
    kept = session.history["ho"][:10].copy()
    session.set_params(eta=0.5)
    assert session.cursor == 10
    np.testing.assert_array_equal(session.history["ho"], kept)
    session.step()
    slow_step = session.current_tick().d_ho
    fresh = Session("1^20")
    fresh.seek(11)
    assert 0 < slow_step < fresh.current_tick().d_ho / 5


def test_changing_eta_forgets_the_stored_future() -> None:
    session = Session("1^20")
    session.run_to_end()
    session.seek(5)
    session.set_params(rule="simultaneous")
    assert len(session.history) == 5
    session.run_to_end()
    assert session.history["ho"][-1] != trace([1] * 20, LearnerParams())["ho"][-1]


def test_changing_the_initial_weights_recomputes_up_to_the_cursor() -> None:
    session = Session("1^10 0^10")
    session.seek(12)
    session.set_params(init=(0.0, 0.0, -1.0))
    assert session.cursor == 12
    reference = trace(parse_sequence("1^10 0^10"), LearnerParams(init=(0.0, 0.0, -1.0)))
    np.testing.assert_array_equal(session.history["ho"], reference["ho"][:12])
    session.back(12)
    assert session.state.ho == -1.0


def test_bad_parameters_change_nothing() -> None:
    session = Session("1^10")
    session.seek(4)
    before = snapshot(session)
    with pytest.raises(InputError):
        session.set_params(eta=-2)
    assert snapshot(session) == before and session.params == LearnerParams()


# -- editing ------------------------------------------------------------------------------

def test_toggling_a_bit_before_the_cursor_keeps_earlier_ticks_and_recomputes_the_rest() -> None:
    session = Session("1^10 0^10")
    session.seek(15)
    earlier = session.history["ho"][:6].copy()
    session.toggle(7)  # bit 7 is the target of tick 6 and the input of tick 7
    assert session.cursor == 15
    assert session.bits.tolist() == [1] * 7 + [0] + [1] * 2 + [0] * 10
    np.testing.assert_array_equal(session.history["ho"][:6], earlier)
    reference = trace(session.bits, LearnerParams())
    for name in reference:
        np.testing.assert_array_equal(session.history[name], reference[name][:15])
    assert session.history["target"][6] == 0


def test_editing_after_the_cursor_costs_no_recomputation() -> None:
    session = Session("1^10 0^10")
    session.seek(5)
    kept = session.history["ho"].copy()
    session.set_bit(12, 1)
    np.testing.assert_array_equal(session.history["ho"], kept)
    assert session.cursor == 5


def test_insert_and_delete_shift_the_stream_and_recompute_from_the_edit() -> None:
    session = Session("1^10 0^10")
    session.seek(19)
    session.insert(10, "01")
    assert session.n_ticks == 21 and session.cursor == 19
    assert session.bits[10:12].tolist() == [0, 1]
    session.delete(10, 2)
    assert session.bits.tolist() == [1] * 10 + [0] * 10
    reference = trace(parse_sequence("1^10 0^10"), LearnerParams())
    np.testing.assert_array_equal(session.history["ho"], reference["ho"])


def test_deleting_below_the_cursor_clamps_it_to_the_new_end() -> None:
    session = Session("1^10 0^10")
    session.run_to_end()
    session.delete(5, 10)
    assert session.n_ticks == 9 and session.cursor == 9 and session.at_end


def test_replace_keeps_history_up_to_the_first_difference() -> None:
    session = Session("1^10 0^10")
    session.seek(15)
    kept = session.history["hh"][:11].copy()
    session.replace("1^10 0^3 1^7")  # first difference at bit 13 → tick 12
    np.testing.assert_array_equal(session.history["hh"][:11], kept)
    reference = trace(parse_sequence("1^10 0^3 1^7"), LearnerParams())
    np.testing.assert_array_equal(session.history["hh"], reference["hh"][:15])


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.toggle(99),
        lambda s: s.set_bit(0, 2),
        lambda s: s.insert(3, "10x"),
        lambda s: s.insert(-21, "1"),
        lambda s: s.delete(3, -1),
        lambda s: s.set_params({"eta": 1.0}),
        lambda s: s.replace(""),
        lambda s: s.replace([0, 1, 5]),
        lambda s: s.delete(0, 100),
        lambda s: s.insert(0, "1^10000000"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(edit) -> None:
    session = Session("1^10 0^10")
    session.seek(7)
    before = (snapshot(session), session.bits.tolist(), session.revision)
    with pytest.raises(InputError):
        edit(session)
    assert (snapshot(session), session.bits.tolist(), session.revision) == before


def test_the_stream_cannot_be_changed_behind_the_sessions_back() -> None:
    session = Session("1010")
    with pytest.raises(ValueError):
        session.bits[0] = 0


def test_prediction_at_the_end_is_about_the_unknown_next_bit() -> None:
    session = Session("1^10")
    session.run_to_end()
    state = session.state
    act = session.params.act
    h = act(state.hh * state.h + state.ih * 1.0)
    assert session.prediction().yhat == pytest.approx(act(state.ho * h))


def test_a_one_bit_stream_has_no_ticks_but_a_prediction() -> None:
    session = Session("1")
    assert session.n_ticks == 0 and session.at_end
    assert session.step() == 0 and session.back() == 0
    assert session.prediction().yhat == 0.5
    session.insert(1, "1")
    assert session.step() == 1


def test_negative_indices_count_from_the_end_as_in_python() -> None:
    session = Session("10110")
    session.toggle(-1)
    session.insert(-1, "00")  # before the last bit, like list.insert
    session.delete(-2)
    assert session.bits.tolist() == [1, 0, 1, 1, 0, 1]


def test_edits_after_a_parameter_change_recompute_with_the_new_parameters() -> None:
    session = Session("1^10 0^10")
    session.set_params(eta=2.0, rule="simultaneous")
    session.seek(15)
    session.toggle(3)
    reference = trace(session.bits, LearnerParams(eta=2.0, rule="simultaneous"))
    for name in reference:
        np.testing.assert_array_equal(session.history[name], reference[name][:15])


def test_the_first_computed_tick_makes_room_for_the_whole_stream():
    # Growing by doubling while playing would copy every stored tick now and
    # then; one allocation up front (zero pages, mapped when written) does not.
    session = Session("random(300000, 0.5, seed=3)")
    session.step()
    capacity = session.history.capacity
    assert capacity >= session.n_ticks
    session.run_to_end()
    assert session.history.capacity == capacity


def test_a_long_stream_allocates_its_ticks_not_the_next_power_of_two():
    # 1.1M ticks rounded up by doubling would be 2,097,152 rows: 142 bytes per
    # tick instead of 74 (bench/memory.py found it).
    session = Session("random(1100001, 0.5, seed=3)")
    session.run_to_end()
    assert session.history.capacity == session.n_ticks == 1_100_000
    assert session.history.nbytes / session.n_ticks == 74


def test_bits_added_at_the_end_grow_the_history_by_an_eighth_not_one_row_at_a_time():
    session = Session("random(80001, 0.5, seed=3)")
    session.run_to_end()
    first = session.history.capacity
    for _ in range(3):
        session.insert(len(session.bits), "1")
        session.run_to_end()
    assert session.history.capacity == first + first // 8  # one copy for the three bits


# -- long moves: progress and a consistent Cancel --------------------------------------


def cancel_after(ticks: int, reports: list[tuple[int, int]]):
    """A progress listener that records reports and cancels once *ticks* are done."""
    from rnnviz.engine.errors import Cancelled

    def listener(done: int, total: int) -> None:
        reports.append((done, total))
        if done >= ticks:
            raise Cancelled("stopped by the test")

    return listener


def test_a_cancelled_move_stops_on_the_last_tick_computed() -> None:
    from rnnviz.engine import progress
    from rnnviz.engine.errors import Cancelled

    session = Session("random(100000, 0.5, seed=8)")
    session.seek(100)
    revision = session.revision
    reports: list[tuple[int, int]] = []
    with progress.reporting(cancel_after(20_000, reports)), pytest.raises(Cancelled):
        session.run_to_end()
    assert 20_000 <= session.cursor - 100 < 30_000
    assert session.cursor == len(session.history) and session.revision > revision
    assert all(total == session.n_ticks - 100 for _, total in reports)
    reference = trace(session.bits[: session.cursor + 1])
    for name in reference:
        np.testing.assert_array_equal(session.history[name], reference[name])
    session.run_to_end()  # and goes on from there exactly
    np.testing.assert_array_equal(session.history["ho"], trace(session.bits)["ho"])


def test_a_replay_reports_one_growing_bar_and_can_be_cancelled() -> None:
    from rnnviz.engine import progress
    from rnnviz.engine.errors import Cancelled

    original = Session("random(60000, 0.5, seed=9)")
    original.seek(20_000)
    original.set_params(eta=1.0)
    original.seek(40_000)
    original.set_params(rule="simultaneous")
    original.seek(50_000)
    reports: list[tuple[int, int]] = []
    with progress.reporting(lambda done, total: reports.append((done, total))):
        copy = Session.replay(original.bits, original.param_log, original.cursor)
    np.testing.assert_array_equal(copy.history["ho"], original.history["ho"])
    done = [d for d, _ in reports]
    assert done == sorted(done) and done[-1] == 50_000
    assert {total for _, total in reports} == {50_000}
    with progress.reporting(cancel_after(30_000, [])), pytest.raises(Cancelled):
        Session.replay(original.bits, original.param_log, original.cursor)


def test_without_a_listener_nothing_is_reported_and_nothing_changes() -> None:
    from rnnviz.engine import progress

    assert not progress.listening()
    session = Session("random(20000, 0.5, seed=1)")
    session.run_to_end()
    np.testing.assert_array_equal(session.history["ho"], trace(session.bits)["ho"])


# -- the parameter log: linear to replay, never larger than a file holds --------------------
def lines_run_in_session(work) -> int:
    """How many lines of rnnviz/session.py *work* executes: its operations, counted, not timed."""
    import sys

    import rnnviz.session

    source = rnnviz.session.__file__
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != source:
            return None
        if event == "line":
            count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        work()
    finally:
        sys.settrace(previous)
    return count


def alternating_log(entries: int) -> list[tuple[int, LearnerParams]]:
    """A log with a change of η at every tick (what holding an η key while playing makes)."""
    return [(tick, LearnerParams(eta=1.0 + tick % 2)) for tick in range(entries)]


def test_replaying_a_log_costs_the_same_for_every_entry() -> None:
    # Rebuilding the log list at every entry made a replay of n entries cost
    # n²: 4,000 entries took a second, 100,000 (before files were capped) 340 s.
    def replay(entries: int) -> int:
        log = alternating_log(entries)
        return lines_run_in_session(lambda: Session.replay("1" * (entries + 1), log, entries))

    small, large = replay(400), replay(1600)
    assert large <= 4.4 * small, (small, large)  # four times the entries, four times the work


def test_the_param_log_never_holds_more_than_a_session_file_can() -> None:
    from rnnviz.io import sessionfile
    from rnnviz.session import MAX_PARAM_SPANS

    assert MAX_PARAM_SPANS <= sessionfile.MAX_PARAM_LOG
    session = Session("1" * (MAX_PARAM_SPANS + 2))
    for tick in range(1, MAX_PARAM_SPANS):  # η changed at every tick, as a held arrow key does
        session.step()
        session.set_params(eta=1.0 + tick % 2)
    assert len(session.param_log) == MAX_PARAM_SPANS
    session.step()
    before = (session.params, session.param_log, session.cursor, len(session.history))
    with pytest.raises(InputError, match=r"^the settings already changed at 10,000 different ticks"):
        session.set_params(eta=7.0)
    assert (session.params, session.param_log, session.cursor, len(session.history)) == before
    session.set_params(learning=True)  # what is already in use is no change: allowed
    # A start change begins a new log; so does going back to where the last spans began.
    session.back()
    session.set_params(eta=7.0)  # replaces the span that began at this tick
    assert len(session.param_log) == MAX_PARAM_SPANS and session.params.eta == 7.0
    # What the session holds, a file holds: it saves and opens again, number for number.
    session.run_to_end()
    loaded = sessionfile.loads(sessionfile.dumps(session)).session
    assert loaded.param_log == session.param_log
    np.testing.assert_array_equal(loaded.history["ho"], session.history["ho"])
    session.set_params(init=(0.5, 0.0, 0.0))
    assert len(session.param_log) == 1


def test_a_replay_refuses_a_log_longer_than_a_session_holds() -> None:
    from rnnviz.session import MAX_PARAM_SPANS

    log = alternating_log(MAX_PARAM_SPANS + 1)
    with pytest.raises(InputError, match="10,001 entries; a session holds at most 10,000"):
        Session.replay("1" * (MAX_PARAM_SPANS + 2), log, 0)
