"""The hello panel's numbers (rnnviz.present.lab_hello) against the engine's forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.present.lab_hello import (
    GENERATED_LENGTH,
    generate,
    hello_view,
    is_hello,
    tempered,
)
from rnnviz.tasks.hello import VOCABULARY, one_hot
from rnnviz.tasks.lab_presets import PRESETS


@pytest.fixture(scope="module")
def trained():
    run = PRESETS["hello"].make_run()
    run.step(600)
    return run


@pytest.fixture(scope="module")
def fresh():
    return PRESETS["hello"].make_run()


def test_the_bars_are_the_engines_softmax_with_teacher_forcing(fresh, trained):
    for run in (fresh, trained):
        inputs, targets, _ = run.source.example(run.cursor)
        view = hello_view(run.network, inputs, targets)
        forward = run.network.forward(inputs)
        assert np.array_equal(view.probabilities, forward.outputs)
        assert (view.vocabulary, view.inputs, view.targets) == ("helo", "hell", "ello")
        assert view.predicted == "".join(VOCABULARY[i] for i in forward.outputs.argmax(axis=1))
        np.testing.assert_allclose(view.losses, run.network.step_losses(forward, targets), rtol=1e-12)
    # Untrained, it does not read "ello"; 600 updates in, it does.
    assert hello_view(fresh.network, *fresh.source.example(0)[:2]).predicted != "ello"
    assert hello_view(trained.network, *trained.source.example(0)[:2]).predicted == "ello"


def test_only_hello_networks_are_hello():
    assert is_hello(PRESETS["hello"].make_run().network)
    for key in ("worked", "addition", "vanishing"):
        assert not is_hello(PRESETS[key].make_run().network)


def test_greedy_text_feeds_back_the_most_probable_letter(trained, fresh):
    for run in (trained, fresh):
        text = generate(run.network).greedy
        assert len(text) == GENERATED_LENGTH and text[0] == "h"
        # Fed the text's own letters, the engine's most probable next letters are the text.
        outputs = run.network.forward(one_hot(text[:-1])).outputs
        assert "".join(VOCABULARY[i] for i in outputs.argmax(axis=1)) == text[1:]
    assert generate(trained.network).greedy.startswith("hello")


@pytest.mark.parametrize("temperature", [0.1, 0.5, 1.0, 2.5, 5.0])
def test_sampled_text_is_drawn_from_the_tempered_softmax_of_its_own_letters(trained, temperature):
    generation = generate(trained.network, temperature=temperature, seed=3)
    text = generation.sampled
    assert len(text) == GENERATED_LENGTH and text[0] == "h"
    z = trained.network.forward(one_hot(text[:-1])).pre_outputs
    expected = np.array([tempered(row, temperature) for row in z])
    np.testing.assert_allclose(generation.sampled_probabilities, expected, rtol=1e-12, atol=1e-300)
    assert (generation.temperature, generation.seed) == (temperature, 3)
    # Every letter drawn had a chance.
    for t, letter in enumerate(text[1:]):
        assert expected[t, VOCABULARY.index(letter)] > 0


def test_temperature_one_is_the_engines_softmax(trained):
    forward = trained.network.forward(one_hot("hell"))
    for z, p in zip(forward.pre_outputs, forward.outputs):
        np.testing.assert_allclose(tempered(z, 1.0), p, rtol=1e-12)


def test_the_same_seed_writes_the_same_text_and_seeds_differ(fresh):
    texts = {generate(fresh.network, temperature=5.0, seed=seed).sampled for seed in range(20)}
    assert len(texts) > 10
    one, two = (generate(fresh.network, temperature=5.0, seed=7) for _ in range(2))
    assert one.sampled == two.sampled
    assert np.array_equal(one.sampled_probabilities, two.sampled_probabilities)


def test_first_letters_follow_the_tempered_distribution(trained):
    temperature = 3.0
    p = tempered(trained.network.forward(one_hot("h")).pre_outputs[0], temperature)
    draws = 3000
    counts = np.zeros(4)
    for seed in range(draws):
        counts[VOCABULARY.index(generate(trained.network, temperature=temperature, seed=seed,
                                         length=2).sampled[1])] += 1
    # Within 4 standard deviations of the binomial counts.
    assert np.all(np.abs(counts - draws * p) <= 4 * np.sqrt(draws * p * (1 - p)) + 1)


def test_low_temperature_sampling_is_greedy_where_the_network_is_sure(trained):
    generation = generate(trained.network, temperature=0.1, seed=0)
    assert generation.sampled[:5] == generation.greedy[:5] == "hello"


@pytest.mark.parametrize("kwargs", [{"temperature": 0.05}, {"temperature": 5.5}, {"temperature": float("nan")},
                                    {"seed": -1}, {"seed": 1.5}, {"length": 0}])
def test_bad_settings_are_one_line(trained, kwargs):
    with pytest.raises(InputError) as caught:
        generate(trained.network, **kwargs)
    assert "\n" not in str(caught.value)


def test_typed_weights_that_overflow_still_write_text_without_warnings():
    import warnings

    run = PRESETS["hello"].make_run()
    run.set_parameters({"w_hy": np.full((4, 3), 1e308), "w_hh": np.full((3, 3), -1e308),
                        "w_xh": np.full((3, 4), 1e308)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view = hello_view(run.network, *run.source.example(0)[:2])
        generation = generate(run.network, temperature=0.1)
    assert len(view.predicted) == 4 and len(generation.sampled) == len(generation.greedy) == GENERATED_LENGTH
    assert np.allclose(generation.sampled_probabilities.sum(axis=1), 1.0)


def test_tempered_shares_infinite_letters_and_falls_back_to_uniform():
    assert tempered(np.array([np.inf, 1.0, np.inf, np.nan]), 1.0).tolist() == [0.5, 0.0, 0.5, 0.0]
    assert tempered(np.full(4, np.nan), 1.0).tolist() == [0.25] * 4
    assert tempered(np.array([1000.0, 0.0, 0.0, 0.0]), 0.1).tolist() == [1.0, 0.0, 0.0, 0.0]
