"""One tick taken apart (rnnviz.engine.explain): its numbers are the engine's, its sign rules hold."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnviz.engine.explain import explain_next, explain_prediction, explain_session, explain_tick
from rnnviz.engine.learner import LearnerParams
from rnnviz.session import Session

SEQUENTIAL = LearnerParams()
SIMULTANEOUS = LearnerParams(rule="simultaneous")
TANH = LearnerParams(activation="tanh", gain=2.0, init=(0.5, -0.3, 0.2))
BIPOLAR = LearnerParams(activation="bipolar", gain=3.0, init=(0.5, 0.5, 0.5), rule="simultaneous")
LEARNING_OFF = LearnerParams(learning=False, init=(1.0, 0.5, -2.0))
STREAM = "1^10 0^10 (10)^5"


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def done_session(params: LearnerParams, bits: str = STREAM) -> Session:
    session = Session(bits, params)
    session.run_to_end()
    return session


def first_zero_crossing_of_ho(session: Session) -> int:
    ho = np.concatenate(([session.params.init[2]], session.history["ho"]))
    crossings = np.flatnonzero((ho[:-1] > 0) & (ho[1:] < 0))
    assert crossings.size, "the stream must make ho cross zero"
    return int(crossings[0])


def assert_equals_engine(session: Session, t: int) -> None:
    """Every number of the explanation of tick *t* against the session's history."""
    ex = explain_session(session, t)
    row = session.history.tick(t)
    assert ex.done and ex.matches_settings
    previous = session.history.tick(t - 1) if t else None
    h_prev = previous.h if previous else session.params.h0
    before = (previous.ih, previous.hh, previous.ho) if previous else session.params.init
    # Stored values are taken as they are.
    assert ex.forward.x == row.x and ex.target == row.target
    assert ex.forward.h_prev == h_prev
    assert (ex.forward.ih, ex.forward.hh, ex.forward.ho) == tuple(before)
    assert ex.forward.h == row.h and ex.forward.yhat == row.yhat and ex.err == row.err
    # o is recomputed with the engine's operations: it gives back the stored h exactly.
    assert ex.forward.o == before[1] * h_prev + before[0] * row.x
    assert session.params.act(ex.forward.o) == row.h
    assert ex.weights_before == tuple(before)
    assert ex.weights_after == (row.ih, row.hh, row.ho)
    for name in ("ih", "hh", "ho"):
        update = ex.updates[name]
        stored = getattr(row, f"d_{name}")
        assert update.delta == stored
        if stored == 0:
            assert update.product == 0
        else:
            assert update.product == pytest.approx(stored, rel=1e-12, abs=0)
        assert ex.signs[name].holds or ex.signs[name].note


@pytest.mark.parametrize("params", [SEQUENTIAL, SIMULTANEOUS, TANH, BIPOLAR, LEARNING_OFF],
                         ids=["sequential", "simultaneous", "tanh", "bipolar", "learning-off"])
def test_every_tick_equals_the_engine(params):
    session = done_session(params)
    for t in range(session.n_ticks):
        assert_equals_engine(session, t)


def test_the_first_tick_by_hand():
    """Tick 1 of 1^10 with η = 5 and zero weights, worked out on paper (sequential rule)."""
    ex = explain_session(done_session(SEQUENTIAL, "1^10"), 0)
    assert (ex.forward.o, ex.forward.h, ex.forward.yhat, ex.err) == (0.0, 0.5, 0.5, 0.5)
    ho = ex.updates["ho"]
    assert [f.symbol for f in ho.factors] == ["η", "e", "ŷ(1−ŷ)", "h"]
    assert [f.value for f in ho.factors] == [5.0, 0.5, 0.25, 0.5]
    assert ho.delta == 0.3125 and ex.ho_new == 0.3125
    y2 = sigma(0.3125 * 0.5)
    assert ex.yhat_new == pytest.approx(y2, rel=1e-15)
    ih = ex.updates["ih"]
    assert [f.symbol for f in ih.factors] == ["η", "e", "ŷ′(1−ŷ′)", "ho′", "h(1−h)", "x"]
    assert ih.delta == pytest.approx(5 * 0.5 * y2 * (1 - y2) * 0.3125 * 0.25 * 1, rel=1e-14)
    # h_prev = 0: hh cannot learn on the first tick, and the rule says why.
    assert ex.updates["hh"].delta == 0
    assert ex.signs["hh"].predicted == 0 and ex.signs["hh"].holds
    assert "h_prev = 0" in ex.signs["hh"].note


def test_simultaneous_first_tick_uses_the_old_ho_and_ih_stays():
    ex = explain_session(done_session(SIMULTANEOUS, "1^10"), 0)
    assert ex.ho_new is None and ex.yhat_new is None
    assert [f.symbol for f in ex.updates["ih"].factors] == ["η", "e", "ŷ(1−ŷ)", "ho", "h(1−h)", "x"]
    # ho was 0 before the tick, so the true gradient leaves ih where it was.
    assert ex.updates["ih"].delta == 0 and ex.signs["ih"].predicted == 0


def test_with_x_zero_ih_cannot_learn():
    session = done_session(SEQUENTIAL)
    t = 12  # input bit 12 is 0
    ex = explain_session(session, t)
    assert ex.forward.x == 0
    assert ex.updates["ih"].delta == 0 and ex.updates["ih"].factors[-1].value == 0
    rule = ex.signs["ih"]
    assert rule.predicted == rule.actual == 0
    assert "cannot learn from zeros" in rule.note
    assert ex.updates["hh"].delta < 0 and ex.signs["hh"].holds  # e < 0, ho′ > 0, h_prev > 0


def test_at_ho_s_zero_crossing_the_sequential_rule_uses_the_new_ho():
    session = done_session(SEQUENTIAL)
    t = first_zero_crossing_of_ho(session)
    assert_equals_engine(session, t)
    ex = explain_session(session, t)
    assert ex.forward.ho > 0 > ex.ho_new
    ih_terms = dict(ex.signs["ih"].terms)
    assert ih_terms["ho′"] == -1  # the new ho's sign, not the old one's
    assert "changed sign" in ex.signs["ih"].note
    for name in ("ih", "hh"):
        rule = ex.signs[name]
        if rule.actual:
            assert rule.holds


def test_simultaneous_sign_rules_use_the_old_ho():
    session = done_session(SIMULTANEOUS)
    for t in range(session.n_ticks):
        ex = explain_session(session, t)
        assert dict(ex.signs["hh"].terms)["ho"] == int(np.sign(ex.forward.ho))
        assert ex.signs["ho"].actual == int(np.sign(ex.err))


def test_tanh_uses_its_own_derivative_and_the_sign_of_h():
    session = done_session(TANH)
    negative_h = [t for t in range(session.n_ticks) if session.history["h"][t] < 0]
    assert negative_h, "this start makes h negative somewhere"
    ex = explain_session(session, negative_h[0])
    assert ex.updates["ho"].factors[2].symbol == "k(1−ŷ²)"
    assert ex.updates["ho"].factors[2].value == pytest.approx(2 * (1 - ex.forward.yhat ** 2))
    # sign(Δho) = sign(e)·sign(h): with h < 0 the change goes against the error's sign.
    rule = ex.signs["ho"]
    assert dict(rule.terms)["h"] == -1 and rule.holds
    if ex.updates["ho"].delta:
        assert np.sign(ex.updates["ho"].delta) == -np.sign(ex.err)


def test_learning_off_changes_nothing_and_says_so():
    session = done_session(LEARNING_OFF)
    ex = explain_session(session, 3)
    assert not ex.learning and ex.eta == 0
    for name in ("ih", "hh", "ho"):
        assert ex.updates[name].delta == 0 and ex.updates[name].factors[0].value == 0
        assert ex.updates[name].before == ex.updates[name].after
    assert ex.err != 0
    assert "learning is off" in ex.signs["ho"].note and not ex.signs["ho"].holds


def test_the_preview_of_the_next_tick_is_what_the_step_then_does():
    session = Session(STREAM)
    session.step(7)
    preview = explain_next(session)
    assert not preview.done and preview.t == 7
    assert len(session.history) == 7  # the preview computed on the side
    session.step()
    done = explain_session(session)
    assert done.done and done.t == 7
    assert done.updates == preview.updates and done.forward == preview.forward
    assert done.err == preview.err


def test_a_tick_computed_before_a_rate_change_is_shown_stored_without_factors():
    session = Session(STREAM)
    session.step(5)
    session.set_params(eta=1.0)
    ex = explain_session(session)
    assert not ex.matches_settings
    row = session.history.tick(4)
    assert ex.updates["ho"].delta == row.d_ho and ex.updates["ho"].factors == ()
    assert ex.forward.h == row.h
    # The next tick uses the new rate and matches again.
    session.step()
    assert explain_session(session).matches_settings
    assert explain_session(session).updates["ho"].factors[0].value == 1.0


def test_after_the_last_bit_the_prediction_is_a_forward_pass_only():
    session = done_session(SEQUENTIAL)
    assert explain_next(session) is None
    forward = explain_prediction(session)
    prediction = session.prediction()
    assert forward.x == int(session.bits[-1])
    assert (forward.h, forward.yhat) == (prediction.h, prediction.yhat)
    assert forward.h_prev == session.history["h"][-1]


def test_before_the_first_tick_there_is_no_tick_shown():
    session = Session(STREAM)
    assert explain_session(session) is None
    assert explain_next(session).t == 0


@pytest.mark.parametrize("t", [-1, 29, 100])
def test_a_tick_outside_the_stream_is_refused(t):
    session = done_session(SEQUENTIAL)
    with pytest.raises(IndexError, match="no tick"):
        explain_tick(session.history, session.bits, session.params, t)


def test_a_tick_beyond_the_next_one_is_refused():
    session = Session(STREAM)
    with pytest.raises(IndexError, match="after the next tick"):
        explain_tick(session.history, session.bits, session.params, 3)
