"""Addition over many seeds side by side (issue 16) equals run_addition per seed, bit for bit.

The oracle is :func:`rnnviz.tasks.addition.run_addition` run alone for each
seed: its per-example errors and exact sums, its held-out score and its
trained weights.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.tasks.addition import AdditionSettings, run_addition
from rnnviz.tasks.sweep_addition import MAX_SEEDS, sweep_addition


@pytest.mark.parametrize("hidden, lr, bits", [(8, 1.0, 8), (5, 0.5, 6)])
def test_every_seed_equals_its_run_alone(hidden, lr, bits):
    settings = AdditionSettings(hidden=hidden, learning_rate=lr, examples=250, bits=bits)
    seeds = (0, 3, 11)
    sweep = sweep_addition(settings, seeds)
    assert sweep.seeds == seeds
    for k, seed in enumerate(seeds):
        alone = run_addition(AdditionSettings(hidden=hidden, learning_rate=lr, examples=250,
                                              bits=bits, seed=seed))
        assert np.array_equal(sweep.errors[k], alone.errors)
        assert np.array_equal(sweep.exact[k], alone.exact)
        assert sweep.held_out_correct[k] == alone.held_out_correct
        assert sweep.learned[k] == (alone.held_out_correct == 200)
        for name in ("w_xh", "w_hh", "w_hy"):
            assert np.array_equal(getattr(sweep.weights, name)[k], getattr(alone.network, name))
    assert not sweep.diverged.any()


def test_seed_order_and_company_do_not_matter():
    settings = AdditionSettings(hidden=6, learning_rate=1.0, examples=120)
    together = sweep_addition(settings, (4, 9))
    alone = sweep_addition(settings, (9,))
    assert np.array_equal(together.errors[1], alone.errors[0])
    assert together.held_out_correct[1] == alone.held_out_correct[0]


def test_bad_seed_lists_are_refused():
    settings = AdditionSettings(examples=10)
    with pytest.raises(InputError, match="at least one seed"):
        sweep_addition(settings, ())
    with pytest.raises(InputError, match=f"at most {MAX_SEEDS}"):
        sweep_addition(settings, range(MAX_SEEDS + 1))
    with pytest.raises(InputError, match="seed"):
        sweep_addition(settings, (-1,))
