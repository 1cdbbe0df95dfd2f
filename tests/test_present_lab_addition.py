"""The addition panel's numbers (rnnviz.present.lab_addition) against the engine's forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.present.lab_addition import (
    CARRY_PAIRS,
    CARRY_TOP,
    addition_view,
    batch_hidden,
    carry_bits,
    carry_pairs,
    carry_tracking,
    flip_probe,
    is_addition,
)
from rnnviz.tasks.addition import encode_pair, from_bits
from rnnviz.tasks.lab_presets import PRESETS


@pytest.fixture(scope="module")
def trained():
    run = PRESETS["addition"].make_run()
    run.step(3000)
    return run


@pytest.fixture(scope="module")
def fresh():
    return PRESETS["addition"].make_run()


def test_the_view_is_the_pair_and_the_engines_outputs(trained, fresh):
    for run, index in ((fresh, 0), (trained, trained.cursor), (trained, 17)):
        a, b = run.source.pair(index)
        view = addition_view(run.network, run.source, index)
        outputs = run.network.forward(encode_pair(a, b, 8)[0]).outputs[:, 0]
        assert (view.a, view.b, view.true_sum) == (a, b, a + b)
        assert np.array_equal(view.probabilities, outputs)
        assert view.a_bits.tolist() == [(a >> t) & 1 for t in range(8)]
        assert view.b_bits.tolist() == [(b >> t) & 1 for t in range(8)]
        assert view.sum_bits.tolist() == [((a + b) >> t) & 1 for t in range(8)]
        assert view.network_bits.tolist() == [int(p >= 0.5) for p in outputs]
        assert view.network_sum == int(from_bits(outputs))
        assert view.wrong.tolist() == [int(p >= 0.5) != ((a + b) >> t) & 1 for t, p in enumerate(outputs)]
        assert view.correct == (view.network_sum == a + b)
    # The untrained network gets pair 0 wrong, bit by bit; 3000 updates in it is right.
    assert not addition_view(fresh.network, fresh.source, 0).correct
    assert addition_view(trained.network, trained.source, trained.cursor).correct


def test_only_addition_runs_are_addition():
    assert is_addition(PRESETS["addition"].make_run().network, PRESETS["addition"].make_run().source)
    for key in ("worked", "hello", "vanishing"):
        run = PRESETS[key].make_run()
        assert not is_addition(run.network, run.source)


@pytest.mark.parametrize("operand, step", [("a", 0), ("a", 2), ("b", 5), ("b", 7)])
def test_a_flip_runs_the_flipped_pair_forward_and_changes_nothing_in_the_run(trained, operand, step):
    before = trained.network.copy_parameters()
    cursor = trained.cursor
    view = addition_view(trained.network, trained.source, 42)
    probe = flip_probe(trained.network, view, operand, step)
    a, b = view.a, view.b
    a, b = (a ^ (1 << step), b) if operand == "a" else (a, b ^ (1 << step))
    assert (probe.a, probe.b, probe.true_sum) == (a, b, a + b)
    flipped = trained.network.forward(encode_pair(a, b, 8)[0]).outputs[:, 0]
    assert np.array_equal(probe.flipped, flipped)
    assert np.array_equal(probe.original, view.probabilities)
    assert np.array_equal(probe.change, flipped - view.probabilities)
    # The outputs before the flipped bit cannot change; the one at it reads the new bit.
    assert np.array_equal(probe.flipped[:step], view.probabilities[:step])
    assert probe.change[step] != 0
    assert probe.bit_changed.tolist() == [int(f >= 0.5) != int(o >= 0.5)
                                          for f, o in zip(flipped, view.probabilities)]
    assert probe.network_sum == int(from_bits(flipped))
    assert trained.cursor == cursor
    for name, value in trained.network.copy_parameters().items():
        assert np.array_equal(value, before[name])


def test_a_trained_network_follows_a_flip_and_the_summary_says_what_changed(trained):
    view = addition_view(trained.network, trained.source, trained.cursor)
    probe = flip_probe(trained.network, view, "a", 2)
    assert probe.network_sum == probe.true_sum  # 39 + 98: the flipped sum is right too
    assert probe.bit_changed.sum() == 2
    text = probe.summary()
    assert text.startswith(f"Flipping bit 3 of a: {probe.a} + {probe.b} = {probe.true_sum}, the network "
                           f"says {probe.network_sum}; 2 output bits change")
    largest = int(np.argmax(np.abs(probe.change)))
    assert f"at bit {largest + 1} ({probe.change[largest]:+.3f})".replace("-", "−") in text


@pytest.mark.parametrize("operand, step", [("c", 0), ("a", -1), ("b", 8)])
def test_a_flip_outside_the_operands_is_one_line(trained, operand, step):
    view = addition_view(trained.network, trained.source, 0)
    with pytest.raises(InputError) as caught:
        flip_probe(trained.network, view, operand, step)
    assert "\n" not in str(caught.value)


def test_carry_bits_are_the_carries_of_long_addition():
    pairs = carry_pairs(8)
    carries = carry_bits(pairs[:, 0], pairs[:, 1], 8)
    for (a, b), row in zip(pairs, carries):
        carry, expected = 0, []
        for t in range(8):
            carry = (((a >> t) & 1) + ((b >> t) & 1) + carry) >> 1
            expected.append(carry)
        assert row.tolist() == expected
    assert pairs.shape == (CARRY_PAIRS, 2) and pairs.max() < 128
    assert np.array_equal(pairs, carry_pairs(8))  # seeded: the same pairs every time


def test_the_batched_hidden_states_are_the_engines(trained):
    pairs = carry_pairs(8)
    hidden = batch_hidden(trained.network, pairs, 8)
    for i in range(0, CARRY_PAIRS, 17):
        engine = trained.network.forward(encode_pair(*pairs[i], 8)[0]).hidden[1:]
        np.testing.assert_allclose(hidden[i], engine, rtol=1e-12, atol=1e-15)


def test_carry_tracking_is_the_correlation_of_each_unit_with_the_carry(trained):
    tracking = carry_tracking(trained.network, 8)
    pairs = carry_pairs(8)
    hidden = np.concatenate([trained.network.forward(encode_pair(a, b, 8)[0]).hidden[1:] for a, b in pairs])
    carries = carry_bits(pairs[:, 0], pairs[:, 1], 8).reshape(-1)
    expected = [np.corrcoef(hidden[:, j], carries)[0, 1] for j in range(trained.network.n_hidden)]
    np.testing.assert_allclose(tracking.correlations, expected, rtol=1e-9, atol=1e-12)
    order = np.argsort(-np.abs(expected))[:CARRY_TOP]
    assert [u.unit for u in tracking.top] == [int(j) + 1 for j in order]
    assert [u.correlation for u in tracking.top] == [tracking.correlations[j] for j in order]
    # After 3000 updates one unit follows the carry closely.
    assert abs(tracking.top[0].correlation) > 0.8
    assert (tracking.pairs, tracking.seed) == (CARRY_PAIRS, 0)


def test_a_unit_that_never_varies_has_correlation_zero(fresh):
    network = PRESETS["addition"].make_run().network
    network.set_parameters({"w_xh": np.vstack([np.zeros((1, 2)), network.w_xh[1:]]),
                            "w_hh": np.vstack([np.zeros((1, 16)), network.w_hh[1:]])})
    tracking = carry_tracking(network, 8)
    assert tracking.correlations[0] == 0.0
    assert np.isfinite(tracking.correlations).all()


def test_typed_weights_that_overflow_give_numbers_and_no_warnings():
    import warnings

    run = PRESETS["addition"].make_run()
    w_hh = np.full((16, 16), 1e308)
    w_hh[::2] = -1e308
    run.set_parameters({"w_hh": w_hh, "w_xh": np.full((16, 2), 1e308)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view = addition_view(run.network, run.source, 0)
        probe = flip_probe(run.network, view, "a", 1)
        tracking = carry_tracking(run.network, 8)
        text = probe.summary()
    assert np.isfinite(tracking.correlations).all()
    assert "\n" not in text and text.startswith("Flipping bit 2 of a")
