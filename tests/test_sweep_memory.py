"""The memory task over many seeds side by side (issue 16) equals run_memory per seed, bit for bit.

The oracles are the single engine — a network of :func:`memory_network`
learning by ``passes``, :class:`Clipping` and an optimiser of
:mod:`rnnviz.engine.optim`, as :func:`rnnviz.tasks.memory.run_memory` makes it
learn — and :func:`run_memory` itself, run alone for each seed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rnnviz.engine import batched_gated as bg
from rnnviz.engine.clipping import Clipping, clip_by_global_norm
from rnnviz.engine.errors import InputError
from rnnviz.engine.optim import make_optimizer
from rnnviz.tasks.memory import (
    CLIP_NORM,
    MemorySettings,
    memory_data,
    memory_network,
    recalled,
    run_memory,
)
from rnnviz.tasks.sweep_memory import MAX_SEEDS, recalled_many, sweep_memory

CELLS = ("rnn", "lstm", "gru")


def _networks(settings: MemorySettings, seeds):
    return [memory_network(replace(settings, seed=s), np.random.default_rng([s, 0]))
            for s in seeds]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.5), ("adam", 0.01)])
def test_updates_equal_the_single_engines(cell, optimizer, lr):
    """Ten updates of three networks at once leave each with the weights the single
    engine gives it, clipped or not (weights in [−4, 4] make some gradients exceed the clip)."""
    settings = MemorySettings(cell=cell, lag=6, hidden=8, optimizer=optimizer,
                              learning_rate=lr, init_scale=4.0)
    seeds = (0, 1, 5)
    alone = _networks(settings, seeds)
    net = bg.from_networks(cell, _networks(settings, seeds))
    batched_opt = "sgd" if optimizer == "sgd" else bg.BatchedAdam()
    optimizers = [make_optimizer(optimizer) for _ in seeds]
    clip = Clipping("norm", CLIP_NORM)
    rngs = [np.random.default_rng([s, 1]) for s in seeds]
    keep = np.zeros(7)
    keep[-1] = 1.0
    clipped = 0
    for _ in range(10):
        data = [memory_data(rng, 1, 6) for rng in rngs]
        x = np.stack([d.inputs[0] for d in data], axis=1)
        y = np.stack([d.targets[0] for d in data])
        losses = bg.train_step(net, x, y, keep, batched_opt, lr, CLIP_NORM)
        for k, (network, opt, d) in enumerate(zip(alone, optimizers, data)):
            _, grads = network.passes(d.inputs[0], d.targets[0], keep)
            assert losses[k] == grads.loss
            names = network.parameter_names
            arrays, changed = clip.apply([grads.params[n] for n in names])
            clipped += changed
            opt.step(network.parameters(), dict(zip(names, arrays)), lr)
    assert clipped > 0
    for k, network in enumerate(alone):
        batched = net.network_parameters(k)
        for name, value in network.parameters().items():
            assert np.array_equal(batched[name], value), name


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.3), ("adam", 0.003)])
def test_every_seed_equals_its_run_alone(cell, optimizer, lr):
    """Checks (sequences, mean loss, validation recall), sequences used and held-out
    recall of every seed are its run alone's, seeds stopping at different checks."""
    settings = MemorySettings(cell=cell, lag=5, hidden=4, optimizer=optimizer,
                              learning_rate=lr, sequences=1100)
    seeds = (0, 1, 2)
    sweep = sweep_memory(settings, seeds)
    alone = [run_memory(replace(settings, seed=seed)) for seed in seeds]
    assert sweep.results() == alone
    assert list(sweep.succeeded) == [r.succeeded for r in alone]
    assert not sweep.diverged.any()


def test_seeds_stop_at_different_checks():
    """The settings above do make seeds leave the array at different times."""
    settings = MemorySettings(cell="lstm", lag=5, hidden=4, learning_rate=0.003,
                              sequences=1100)
    sweep = sweep_memory(settings, (0, 1, 2))
    assert len(set(sweep.sequences_used.tolist())) > 1


def test_recall_of_many_equals_recalled():
    settings = MemorySettings(cell="gru", lag=4, hidden=3)
    seeds = (2, 7)
    networks = _networks(settings, seeds)
    datas = [memory_data(np.random.default_rng([s, 2]), 50, 4) for s in seeds]
    bits = np.stack([d.bits for d in datas]).astype(np.uint8)
    many = recalled_many(bg.from_networks("gru", networks), bits)
    assert many.tolist() == [recalled(n, d) for n, d in zip(networks, datas)]


def test_huge_gradients_clip_as_the_single_engine():
    """A global norm beyond 1e145 is rescaled before squaring, as engine.clipping does."""
    settings = MemorySettings(cell="lstm", lag=3, hidden=2)
    net = bg.from_networks("lstm", _networks(settings, (0, 1)))
    rng = np.random.default_rng(5)
    grads = {name: rng.normal(size=a.shape) for name, a in net.params.items()}
    grads["w_x"][0] *= 1e200  # network 0 huge, network 1 ordinary
    before = [[b[k].copy() for b in net.blocks(grads)] for k in range(2)]
    bg.clip_to_norm(net, grads, 1.0)
    for k in range(2):
        expected, _ = clip_by_global_norm(before[k], 1.0)
        for got, want in zip([b[k] for b in net.blocks(grads)], expected):
            assert np.array_equal(got, want)


def test_bad_seed_lists_are_refused():
    settings = MemorySettings(sequences=10, lag=3)
    with pytest.raises(InputError, match="at least one seed"):
        sweep_memory(settings, ())
    with pytest.raises(InputError, match=f"at most {MAX_SEEDS}"):
        sweep_memory(settings, range(MAX_SEEDS + 1))
    with pytest.raises(InputError, match="seed"):
        sweep_memory(settings, (-1,))


@pytest.mark.parametrize("cell", CELLS)
def test_without_stopping_early_each_seed_is_its_race_run(cell):
    """stop_early=False trains the whole budget, as the race does: every seed's held-out
    recall is the race run's after as many updates (a seeds view for the race)."""
    from rnnviz.tasks.race_presets import held_out_rate, race_run, race_settings

    seeds, lag, updates = (0, 4), 4, 700
    sweep = sweep_memory(race_settings(cell, seeds[0], lag, updates), seeds, stop_early=False)
    assert sweep.sequences_used.tolist() == [updates, updates]
    for k, seed in enumerate(seeds):
        run = race_run(cell, seed, lag, updates)
        run.step(updates)
        assert sweep.held_out_rate[k] == held_out_rate(run, seed)


def test_draws_in_parts_are_the_same_sequences(monkeypatch):
    """Sequences drawn a few at a time (as for long lags and many seeds) train the same."""
    import rnnviz.tasks.sweep_memory as sweep_module

    settings = MemorySettings(cell="rnn", lag=3, hidden=3, sequences=600, optimizer="sgd",
                              learning_rate=0.3)
    whole = sweep_memory(settings, (0, 1))
    monkeypatch.setattr(sweep_module, "_DRAW_STEPS", 8 * 2 * 4 - 1)  # 7 sequences a part
    assert sweep_memory(settings, (0, 1)).results() == whole.results()


def test_too_large_a_sweep_is_refused_before_it_runs():
    settings = MemorySettings(cell="lstm", lag=1000, hidden=1024, sequences=1)
    with pytest.raises(InputError, match="too large a sweep"):
        sweep_memory(settings, range(2))
    with pytest.raises(InputError, match="too large a sweep"):
        sweep_memory(replace(settings, cell="rnn", hidden=1), range(200))


def test_a_seed_that_diverges_leaves_the_others_alone(monkeypatch):
    """A seed whose loss is not a number (here its output weights) is marked diverged at
    its first sequence; the other seeds are their runs alone."""
    import rnnviz.tasks.sweep_memory as sweep_module

    def broken(settings, rng):
        network = memory_network(settings, rng)
        if settings.seed == 1:
            network.w_hy[...] = np.nan
        return network

    monkeypatch.setattr(sweep_module, "memory_network", broken)
    settings = MemorySettings(cell="gru", lag=3, hidden=3, sequences=600)
    sweep = sweep_memory(settings, (0, 1, 2))
    assert sweep.diverged.tolist() == [0, 1, 0]
    assert sweep.held_out_correct[1] == -1 and not sweep.succeeded[1]
    results = sweep.results()
    assert results[1] is None
    assert [results[0], results[2]] == [run_memory(replace(settings, seed=s)) for s in (0, 2)]
