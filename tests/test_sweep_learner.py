"""Many one-neuron runs as one array (issue 16) equal the same runs done alone.

The oracle is the learner itself: :func:`rnnviz.engine.learner.summarize` for
the final state and the notation, its full history for the mean error
(Σ|e| added tick after tick, over the ticks). Bit for bit, for both update
rules, every activation, gains other than 1, and initial weights, h0 and η
that differ from run to run.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine import batched_learner
from rnnviz.engine.batched_learner import EXACT, LIBM, NUMPY, run_many
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.engine.learner import RULES, LearnerParams, State, summarize, trace
from rnnviz.engine.sequences import parse_sequence

STREAMS = ("1^10 0^10", "(10)^10", "random(120, 0.5, 3)")


def _alone(bits, eta, init, h0, rule, activation, gain):
    params = LearnerParams(eta=eta, rule=rule, activation=activation, gain=gain,
                           init=tuple(init), h0=h0)
    state, builders = summarize(bits, params)
    err = trace(bits, params)["err"]
    mean = np.add.accumulate(np.abs(err))[-1] / len(err)
    return state, mean, {w: (b.text(), b.text(ascii=True)) for w, b in builders.items()}


def _settings(count: int, seed: int):
    rng = np.random.default_rng(seed)
    eta = np.geomspace(0.05, 80.0, count)
    init = rng.uniform(-2.0, 2.0, (count, 3))
    init[0] = 0.0  # the default start, with its zero weights
    h0 = rng.uniform(-1.0, 1.0, count)
    h0[0] = 0.0
    return eta, init, h0


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("activation, gain", [("sigmoid", 1.0), ("sigmoid", 2.5),
                                              ("tanh", 1.0), ("bipolar", 3.0)])
def test_each_run_equals_its_run_alone_bit_for_bit(rule, activation, gain):
    for k, text in enumerate(STREAMS):
        bits = parse_sequence(text)
        eta, init, h0 = _settings(5, k)
        many = run_many(bits, eta, init, h0, rule=rule, activation=activation, gain=gain)
        assert many.ticks == len(bits) - 1
        for run in range(len(eta)):
            state, mean, notation = _alone(bits, eta[run], init[run], h0[run], rule,
                                           activation, gain)
            assert State(*many.final[run].tolist(), float(many.h[run])) == state
            assert float(many.mean_err[run]) == mean
            assert many.notation(run) == {w: texts[0] for w, texts in notation.items()}
            assert many.notation(run, ascii=True) == {w: texts[1] for w, texts in notation.items()}


def test_blocks_of_runs_and_two_threads_change_nothing(monkeypatch):
    bits = parse_sequence("random(80, 0.5, 7)")
    eta, init, h0 = _settings(37, 1)
    whole = run_many(bits, eta, init, h0)
    monkeypatch.setattr(batched_learner, "RUN_BLOCK", 8)
    monkeypatch.setattr(batched_learner, "MIN_THREAD_RUNS", 4)
    monkeypatch.setattr(batched_learner, "WORKERS", 2)
    monkeypatch.setattr(batched_learner, "TICK_CHUNK", 5)
    split = run_many(bits, eta, init, h0)
    assert np.array_equal(whole.final, split.final)
    assert np.array_equal(whole.mean_err, split.mean_err)
    assert [whole.notation(r) for r in range(37)] == [split.notation(r) for r in range(37)]


def test_exact_exp_gives_the_c_library_floats():
    # EXACT's exp is math.exp's, float for float (through cexp, or number by
    # number where cexp differs); the published case reads ho: +⁹ −⁵ , −⁵ with
    # every set of functions, numpy's own too.
    z = -np.geomspace(1e-12, 745.0, 5001)
    exact, libm = np.empty_like(z), np.empty_like(z)
    EXACT.exp(z, exact)
    LIBM.exp(z, libm)
    assert np.array_equal(exact, libm)
    bits = parse_sequence("1^10 0^10")
    for functions in (EXACT, LIBM, NUMPY):
        assert run_many(bits, [5.0], functions=functions).notation(0)["ho"] == "+⁹ −⁵ , −⁵"


def test_progress_counts_learner_ticks_and_can_stop_the_runs():
    bits = parse_sequence("random(300, 0.5, 1)")
    seen = []
    run_many(bits, np.geomspace(0.1, 10, 4), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (4 * 299, 4 * 299)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    def cancel(done, total):
        raise Cancelled

    with pytest.raises(Cancelled):
        run_many(bits, np.geomspace(0.1, 10, 4), progress=cancel)


@pytest.mark.parametrize("kwargs, words", [
    ({"bits": [1], "eta": [1.0]}, "at least 2 bits"),
    ({"bits": [1, 0], "eta": []}, "at least one run"),
    ({"bits": [1, 0], "eta": [float("nan")]}, "finite"),
    ({"bits": [1, 0], "eta": ["fast"]}, "numbers"),
    ({"bits": [1, 0], "eta": [-1.0]}, "negative"),
    ({"bits": [1, 0], "eta": [1.0], "init": [[0, 0, 1e9]]}, "at most"),
    ({"bits": [1, 0], "eta": [1.0], "rule": "both"}, "update rule"),
])
def test_bad_settings_are_refused_in_words(kwargs, words):
    with pytest.raises(InputError, match=words):
        run_many(**kwargs)

