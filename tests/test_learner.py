"""The one-neuron learner against the published experiments and the calculus."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnviz.engine.activations import Activation
from rnnviz.engine.errors import InputError
from rnnviz.engine.history import History
from rnnviz.engine.learner import LearnerParams, OnlineLearner, State, state_after, trace
from rnnviz.engine.sequences import parse_sequence


def final(sequence: str, **params) -> tuple[float, float, float]:
    history = trace(parse_sequence(sequence), LearnerParams(**params))
    return history["ih"][-1], history["hh"][-1], history["ho"][-1]


def truncated(value: float) -> float:
    """The published figures are cut, not rounded, to two decimals."""
    return math.trunc(value * 100) / 100


# -- the published experiments (η = 5, sequential rule, zero initial weights) --

def test_streak_of_ones_settles_ho_near_1_98_and_hh_near_0_43() -> None:
    ih, hh, ho = final("1^10")
    assert truncated(ho) == 1.98
    assert truncated(hh) == 0.43


def test_streak_of_zeros_mirrors_ho_and_leaves_ih_untouched() -> None:
    ih, hh, ho = final("0^10")
    assert truncated(ho) == -1.98
    assert round(hh, 2) == 0.50
    assert ih == 0.0  # x = 0 on every tick: ih cannot learn from zeros


def test_alternating_bits_end_at_the_published_weights_and_stay_unsure() -> None:
    history = trace(parse_sequence("(10)^10"), LearnerParams())
    assert round(history["hh"][-1], 2) == 0.25
    assert round(history["ih"][-1], 2) == 0.51
    assert round(history["ho"][-1], 2) == -0.43
    # "the predictions stay between 0.44 and 0.5": conservative, no pattern caught
    assert 0.44 <= history["yhat"].min() and history["yhat"].max() < 0.51


def test_ho_climbs_on_ones_monotonically() -> None:
    history = trace(parse_sequence("1^10"), LearnerParams())
    assert (np.diff(history["ho"]) > 0).all()
    assert (np.diff(history["hh"][1:]) > 0).all()


def textbook(name: str, gain: float):
    """f and f' written from the definitions, independently of the engine."""
    sig = lambda z: 1.0 / (1.0 + math.exp(-z))  # noqa: E731
    if name == "sigmoid":
        return (lambda z: sig(gain * z)), (lambda z: gain * sig(gain * z) * (1 - sig(gain * z)))
    if name == "tanh":
        return (lambda z: math.tanh(gain * z)), (lambda z: gain * (1 - math.tanh(gain * z) ** 2))
    bip = lambda z: 2 * sig(gain * z) - 1  # noqa: E731
    return bip, (lambda z: 2 * gain * sig(gain * z) * (1 - sig(gain * z)))


@pytest.mark.parametrize("name,gain", [("sigmoid", 1.0), ("sigmoid", 2.5), ("tanh", 0.7), ("bipolar", 3.0)])
def test_sequential_rule_matches_a_direct_transcription_of_design_section_1(name, gain) -> None:
    bits = parse_sequence("1^7 0 1^3 (10)^4 0^5").tolist()
    f, df = textbook(name, gain)
    eta = 0.9
    ih, hh, ho, h = 0.2, -0.1, 0.4, 0.3
    history = trace(bits, LearnerParams(eta=eta, activation=name, gain=gain, init=(ih, hh, ho), h0=h))
    for t in range(len(bits) - 1):
        h_prev = h
        o = hh * h_prev + ih * bits[t]
        h = f(o)
        yhat = f(ho * h)
        e = bits[t + 1] - yhat
        ho += eta * e * df(ho * h) * h  # g'(ho·h) with the old ho …
        k = eta * e * df(ho * h) * ho * df(o)  # … then with the new one, e unchanged
        ih += k * bits[t]
        hh += k * h_prev
        assert history["yhat"][t] == pytest.approx(yhat, rel=1e-12)
        assert history["ho"][t] == pytest.approx(ho, rel=1e-11, abs=1e-14)
        assert history["ih"][t] == pytest.approx(ih, rel=1e-11, abs=1e-14)
        assert history["hh"][t] == pytest.approx(hh, rel=1e-11, abs=1e-14)


# -- the two rules -----------------------------------------------------------------

def test_the_two_rules_give_different_trajectories_on_alternating_bits() -> None:
    seq = final("(10)^10", rule="sequential")
    sim = final("(10)^10", rule="simultaneous")
    assert max(abs(a - b) for a, b in zip(seq, sim)) > 0.1


def one_tick_loss(weights, x, target, h_prev, act: Activation) -> float:
    ih, hh, ho = weights
    h = act(hh * h_prev + ih * x)
    return 0.5 * (target - act(ho * h)) ** 2


@pytest.mark.parametrize("activation,gain", [("sigmoid", 1.0), ("tanh", 0.7), ("bipolar", 2.0)])
def test_simultaneous_deltas_are_minus_eta_times_the_finite_difference_gradient(activation, gain) -> None:
    eta = 0.8
    params = LearnerParams(eta=eta, rule="simultaneous", activation=activation, gain=gain,
                           init=(0.3, -0.4, 0.9), h0=0.2)
    bits = [1, 0, 1, 1, 0, 0, 1]
    history = trace(bits, params)
    act = params.act
    h_prev = params.h0
    weights = list(params.init)
    step = 1e-6
    for t in range(len(bits) - 1):
        for i, name in enumerate(("d_ih", "d_hh", "d_ho")):
            up, down = list(weights), list(weights)
            up[i] += step
            down[i] -= step
            gradient = (one_tick_loss(up, bits[t], bits[t + 1], h_prev, act)
                        - one_tick_loss(down, bits[t], bits[t + 1], h_prev, act)) / (2 * step)
            assert history[name][t] == pytest.approx(-eta * gradient, rel=1e-6, abs=1e-10)
        weights = [history["ih"][t], history["hh"][t], history["ho"][t]]
        h_prev = history["h"][t]


@pytest.mark.parametrize("rule", ["sequential", "simultaneous"])
def test_sign_rules_hold_on_every_tick(rule) -> None:
    history = trace(parse_sequence("1^10 0^10 (110)^5 random(200, 0.5, 8)"), LearnerParams(rule=rule))
    err, d_ho = history["err"], history["d_ho"]
    assert (np.sign(d_ho) == np.sign(err)).all()  # sign(Δho) = sign(e)
    x = history["x"]
    assert (history["d_ih"][x == 0] == 0).all()  # ih cannot learn from zeros
    # sign(Δih) = sign(Δhh) = sign(e)·sign(ho) while x, h_prev > 0; the ho
    # that counts is the new one under the sequential rule, the old one else
    ho_used = history["ho"] if rule == "sequential" else history["ho"] - d_ho
    expected = np.sign(err) * np.sign(ho_used)
    ones = x == 1
    assert ones.sum() > 100
    np.testing.assert_array_equal(np.sign(history["d_ih"][ones]), expected[ones])
    np.testing.assert_array_equal(np.sign(history["d_hh"][1:]), expected[1:])  # h_prev > 0 after tick 0


# -- robustness ----------------------------------------------------------------------

@pytest.mark.parametrize("eta", [1e4, 1e8])
@pytest.mark.parametrize("sequence", ["random(5000, 0.5, 3)", "(10)^300", "1^50 0^50"])
@pytest.mark.parametrize("rule", ["sequential", "simultaneous"])
def test_extreme_learning_rates_stay_finite(eta, sequence, rule) -> None:
    history = trace(parse_sequence(sequence), LearnerParams(eta=eta, rule=rule))
    for name in history:
        assert np.isfinite(history[name]).all(), name


def test_learning_off_keeps_the_weights_and_still_predicts() -> None:
    params = LearnerParams(init=(0.5, -0.2, 1.5), learning=False)
    history = trace(parse_sequence("(1101)^5"), params)
    assert (history["ih"] == 0.5).all() and (history["ho"] == 1.5).all()
    assert not np.signbit(history["d_ho"]).any()  # 0.0, never −0.0
    assert len(np.unique(history["yhat"])) > 1


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"eta": -1}, "negative"),
        ({"eta": float("nan")}, "finite"),
        ({"eta": float("inf")}, "finite"),
        ({"rule": "backwards"}, "rule"),
        ({"activation": "relu"}, "activation"),
        ({"gain": 0}, "gain"),
        ({"init": (1, 2)}, "three"),
        ({"init": (1, 2, float("nan"))}, "finite"),
        ({"h0": float("inf")}, "finite"),
    ],
)
def test_bad_parameters_are_refused_with_a_message(changes, message) -> None:
    with pytest.raises(InputError, match=message):
        LearnerParams(**changes)


# -- history and stepping back -----------------------------------------------------------

def test_running_in_pieces_equals_running_at_once() -> None:
    bits = parse_sequence("random(20000, 0.4, 11)")
    whole = trace(bits, LearnerParams())
    pieces = History()
    learner = OnlineLearner(LearnerParams())
    state = None
    # overlapping by one bit: the last bit of a piece is the next piece's first input
    for start in range(0, len(bits) - 1, 777):
        state = learner.run(bits[start : start + 778], state, history=pieces)
    for name in whole:
        np.testing.assert_array_equal(pieces[name], whole[name], err_msg=name)


def test_state_after_restores_the_exact_state_without_rerunning() -> None:
    bits = parse_sequence("random(3000, 0.5, 5)")
    params = LearnerParams()
    history = trace(bits, params)
    state = state_after(history, 1234, params)
    again = OnlineLearner(params).run(bits[1234:], state)
    assert again == state_after(history, len(history), params)
    assert state_after(history, 0, params) == State(0.0, 0.0, 0.0, 0.0)


def test_history_grows_by_doubling_and_stays_compact() -> None:
    history = trace(parse_sequence("random(100000, 0.5, 1)"), LearnerParams())
    assert len(history) == 99999
    assert history.capacity == 131072  # 1024 doubled seven times
    assert history.nbytes / history.capacity == 74  # two int8 columns, nine float64


def test_history_columns_are_read_only_views() -> None:
    history = trace([1, 0, 1], LearnerParams())
    with pytest.raises(ValueError):
        history["ho"][0] = 3.0


def test_prediction_after_the_last_bit_uses_the_final_state() -> None:
    bits = parse_sequence("1^10")
    params = LearnerParams()
    learner = OnlineLearner(params)
    state = learner.run(bits)
    h, yhat = learner.predict(1.0, state)
    act = params.act
    assert h == pytest.approx(act(state.hh * state.h + state.ih))
    assert yhat == pytest.approx(act(state.ho * h))
    assert yhat > 0.8  # after ten 1s it bets on another 1


@pytest.mark.parametrize(
    ("yhat", "bit"),
    [(0.51, 1), (0.5, 1), (0.49, 0), (0.227, 0), (-0.9, 0), (0.99, 1), (float("nan"), None)],
)
def test_predicted_bit_is_the_nearer_bit(yhat, bit):
    from rnnviz.engine.learner import predicted_bit

    assert predicted_bit(yhat) == bit


def test_history_tells_a_reader_how_much_it_may_keep():
    from rnnviz.engine.history import History

    history = trace([1, 0] * 50)
    assert isinstance(history, History) and len(history) == 99
    seen = history.forgets
    assert history.kept_since(seen) is None
    history.truncate(60)
    history.truncate(80)  # longer than what is left: not a forgetting
    history.truncate(40)
    assert history.kept_since(seen) == 40
    assert history.kept_since(seen + 1) == 40
    assert history.kept_since(history.forgets) is None
    row = {name: history[name][:1].copy() for name in history}
    for _ in range(5000):  # the log is bounded: a reader that far behind keeps nothing
        history.extend(row)
        history.truncate(40)
    assert history.kept_since(seen) == 0
    assert history.kept_since(history.forgets - 1) == 40


def test_progress_is_reported_per_chunk_and_an_exception_stops_with_whole_ticks() -> None:
    from rnnviz.engine.learner import CHUNK

    bits = parse_sequence("random(20000, 0.5, seed=4)")
    seen: list[int] = []
    OnlineLearner().run(bits, on_progress=seen.append)
    assert seen == [min(CHUNK * (i + 1), 19_999) for i in range(len(seen))] and seen[-1] == 19_999

    class Stop(Exception):
        pass

    def stop_after_two(done: int) -> None:
        if done >= 2 * CHUNK:
            raise Stop

    history = History()
    with pytest.raises(Stop):
        OnlineLearner().run(bits, history=history, on_progress=stop_after_two)
    assert len(history) == 2 * CHUNK
    np.testing.assert_array_equal(history["ho"], trace(bits[: 2 * CHUNK + 1])["ho"])


@pytest.mark.parametrize("rule", ["sequential", "simultaneous"])
@pytest.mark.parametrize("activation,gain", [("sigmoid", 1.0), ("tanh", 0.7), ("bipolar", 3.0)])
@pytest.mark.parametrize("init,h0", [((0.0, 0.0, 0.0), 0.0), ((-0.0, -0.0, -0.0), -0.5),
                                     ((0.3, -1.2, 2.0), 0.25)])
def test_history_columns_derived_after_the_loop_equal_the_loops_own_values(
    rule, activation, gain, init, h0
) -> None:
    # The weights-only mode stores ih, hh, ho inside the loop itself: the
    # history, which derives ih and hh from the deltas, must match bit for bit.
    bits = parse_sequence("random(9000, 0.5, 21) 1^300 0^300")
    params = LearnerParams(eta=3.0, rule=rule, activation=activation, gain=gain, init=init, h0=h0)
    history = trace(bits, params)
    weights: list[list[np.ndarray]] = [[], [], []]

    def collect(*chunk: np.ndarray) -> None:
        for store, values in zip(weights, chunk):
            store.append(values)

    OnlineLearner(params).run(bits, on_weights=collect)
    for name, parts in zip(("ih", "hh", "ho"), weights):
        assert np.concatenate(parts).tobytes() == history[name].tobytes(), name
    assert (history["target"] - history["yhat"]).tobytes() == history["err"].tobytes()
    for name in ("d_ih", "d_hh", "d_ho"):  # no −0.0 for "nothing changed"
        assert not np.signbit(history[name][history[name] == 0]).any()
