"""The Seeds tab's numbers (issue 16): each seed's are its own run_addition's, the outcome rule."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine import progress
from rnnviz.engine.errors import Cancelled
from rnnviz.present.lab_seeds import (
    FINAL_WINDOW,
    OUTCOMES,
    SEED_COUNT,
    SEED_EXAMPLES,
    outcome,
    seed_outcomes,
    seed_settings,
)
from rnnviz.tasks.addition import HELD_OUT_PAIRS, AdditionSettings, run_addition
from rnnviz.tasks.lab_presets import PRESETS


def test_the_seeds_are_trained_with_the_presets_network_and_the_tasks_default_count() -> None:
    run = PRESETS["addition"].make_run(0)
    settings = seed_settings()
    assert settings.hidden == run.network.n_hidden
    assert settings.learning_rate == run.settings.learning_rate
    assert settings.examples == SEED_EXAMPLES == AdditionSettings().examples
    assert SEED_COUNT == 40


def test_each_seeds_numbers_are_its_run_alone() -> None:
    seeds = (0, 5, 18)
    result = seed_outcomes(seeds, examples=300)
    assert result.seeds == seeds
    for k, seed in enumerate(seeds):
        alone = run_addition(AdditionSettings(examples=300, seed=seed))
        assert result.exact[k] == alone.held_out_accuracy
        assert result.final_error[k] == pytest.approx(alone.errors[-FINAL_WINDOW:].mean(), rel=1e-12)
        assert result.outcomes[k] == ("learned" if alone.held_out_correct == HELD_OUT_PAIRS else "not learned")
    assert sum(result.count(name) for name in OUTCOMES) == len(seeds)
    assert "seed 5" in result.describe(1)


def test_the_default_is_seeds_0_to_39() -> None:
    result = seed_outcomes(examples=20)
    assert result.seeds == tuple(range(40))
    assert result.exact.shape == result.final_error.shape == (40,)


def test_the_outcome_rule() -> None:
    assert outcome(HELD_OUT_PAIRS) == "learned"
    assert outcome(HELD_OUT_PAIRS - 1) == "not learned"
    assert outcome(0) == "not learned"
    assert outcome(-1) == "diverged"


def test_the_summary_names_the_seeds_that_did_not_learn() -> None:
    result = seed_outcomes((1, 2), examples=50)
    failed = [s for s, o in zip(result.seeds, result.outcomes) if o != "learned"]
    text = result.summary()
    assert text.startswith(f"{result.count('learned')} of 2 seeds learned")
    for seed in failed:
        assert str(seed) in text.split("not:")[1]


def test_progress_is_reported_and_a_cancel_stops_the_training() -> None:
    seen: list[tuple[int, int]] = []

    def listener(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= total // 2:
            raise Cancelled("cancelled")

    with progress.reporting(listener), pytest.raises(Cancelled):
        seed_outcomes((0, 1), examples=400)
    assert seen and seen[-1][1] == 400 and seen[-1][0] < 400
    assert np.isfinite(seen[0][0])
