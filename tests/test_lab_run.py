"""The network lab's run (rnnviz/runs/lab.py): training kept compactly and shown again exactly.

Every state the run shows after moving (back, seek, state_at, a replayed log)
must be the one computed the first time, bit for bit; a diverging run keeps its
last finite state; clipping records what it did; changes forget later updates;
bad input changes nothing.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rnnviz.engine import progress
from rnnviz.engine.clipping import Clipping, clip_by_global_norm, global_norm
from rnnviz.engine.elman import ElmanNetwork
from rnnviz.engine.errors import Cancelled, InputError
from rnnviz.runs import Run
from rnnviz.runs.lab import LabRun, LabSettings, RepeatedExample, UpdateRecord
from rnnviz.tasks.lab_presets import PRESETS
from rnnviz.tasks.worked_example import worked_example

NAMES = ("w_xh", "w_hh", "w_hy", "b_h", "b_y")


def small_run(n_updates: int = 300, checkpoint_every: int = 16, **settings: object) -> LabRun:
    """A 2-5-2 tanh/sigmoid network with biases on 20 different 6-step examples (cycled)."""
    rng = np.random.default_rng(7)
    inputs = rng.normal(size=(20, 6, 2))
    targets = (rng.random(size=(20, 6, 2)) > 0.5).astype(float)

    class Cycle:
        steps = 6

        def example(self, index: int):
            return inputs[index % 20], targets[index % 20], None

    network = ElmanNetwork(2, 5, 2, hidden="tanh", output="sigmoid", init_scale=0.8, seed=3)
    options = {"learning_rate": 0.3, **settings}
    return LabRun(network, Cycle(), LabSettings(**options), n_updates,
                  checkpoint_every=checkpoint_every)


def params(run: LabRun) -> dict[str, np.ndarray]:
    return {name: getattr(run.network, name).copy() for name in NAMES + ("h0",)}


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def snapshot(run: LabRun) -> tuple:
    """Everything a change could touch, to check that a refused one touched nothing."""
    return (run.cursor, run.stored, run.forgets, run.n_ticks, run.diverged_at,
            run.settings, json.dumps(run.log()), params(run).items().__repr__(),
            run.losses().tobytes(), run.delta_norm_matrix().tobytes())


# ------------------------------------------------------------------ protocol and moving


def test_a_lab_run_is_a_run_and_counts_updates_as_ticks() -> None:
    run = small_run(n_updates=40)
    assert isinstance(run, Run)
    assert (run.cursor, run.n_ticks, run.stored, run.at_end) == (0, 40, 0, False)
    assert run.step(15) == 15 and run.stored == 15
    assert run.back(20) == 15 and run.cursor == 0 and run.stored == 15
    run.seek(100)
    assert (run.cursor, run.stored, run.at_end) == (40, 40, True)
    assert run.step() == 0
    run.reset()
    assert (run.cursor, run.stored) == (0, 0)


def test_back_seek_and_state_at_show_the_parameters_first_computed() -> None:
    run = small_run(n_updates=300, checkpoint_every=16)
    first = [params(run)]
    for _ in range(300):
        run.step()
        first.append(params(run))
    # Bit for bit, from replays out of checkpoints, in any order of moves.
    for tick in (299, 0, 17, 16, 15, 255, 1, 300, 150, 149, 151):
        run.seek(tick)
        assert run.cursor == tick
        assert same(params(run), first[tick]), tick
    run.seek(300)
    for tick in range(300, 250, -1):
        assert run.back() == 1
        assert same(params(run), first[tick - 1])
    for tick in (3, 299, 100, 64, 63):
        assert same(run.state_at(tick), first[tick])
    # Stepping forward over stored updates replays them; nothing new is stored.
    run.seek(10)
    run.step(5)
    assert same(params(run), first[15]) and run.stored == 300


def test_the_network_arrays_are_updated_in_place() -> None:
    run = small_run()
    w_hh = run.network.w_hh
    run.step(40)
    run.back(23)
    assert run.network.w_hh is w_hh
    assert np.array_equal(w_hh, run.state_at(17)["w_hh"])


def test_records_hold_what_each_update_did() -> None:
    run = small_run(n_updates=50)
    before = run.state_at(0)
    run.step(50)
    assert run.losses().shape == (50,) and run.clipped().dtype == bool
    assert run.delta_norm_matrix().shape == (50, 6)
    # Update 7 recomputed by hand with the engine, at the state it started from.
    network = ElmanNetwork(2, 5, 2, hidden="tanh", output="sigmoid", init_scale=0.8, seed=3)
    network.set_parameters(run.state_at(7))
    x, y, _ = run.source.example(7)
    grads = network.backward(network.forward(x), y)
    record = run.record(7)
    assert isinstance(record, UpdateRecord)
    assert record.loss == grads.loss == run.losses()[7]
    assert record.grad_norm == grads.norm() == record.clipped_norm
    assert record.clipped is False
    assert np.array_equal(record.delta_norms, grads.delta_norms)
    assert np.array_equal(run.delta_norm_matrix()[7], grads.delta_norms)
    after = {name: network.parameters()[name] - 0.3 * grads.params[name] for name in NAMES}
    assert all(np.array_equal(after[name], run.state_at(8)[name]) for name in NAMES)
    assert not same(before, run.state_at(50))
    with pytest.raises(IndexError):
        run.record(50)


def test_storage_is_compact_full_copies_only_at_checkpoints() -> None:
    run = PRESETS["addition"].make_run(0)
    run.step(1000)
    # 2-16-1 without biases: 32 + 256 + 16 numbers and h0's 16, 8 bytes each, at
    # updates 0, 256, 512 and 768; per update 3 floats, a bool, 8 δ norms and the
    # accuracy, in room for 1024 updates (grown by doubling from 256).
    per_checkpoint = (32 + 256 + 16 + 16) * 8
    assert run.stored_bytes() == 1024 * (3 * 8 + 1 + 8 * 8 + 8) + 4 * per_checkpoint
    # Going back to 700 replays from the checkpoint at 512 and keeps a copy every
    # 16 updates of that stretch (528 … 688), so that stepping back is quick.
    run.back(300)
    assert run.stored_bytes() == 1024 * 97 + (4 + 11) * per_checkpoint


def test_long_moves_report_progress_and_stop_consistently_when_cancelled() -> None:
    run = small_run(n_updates=300)
    seen: list[tuple[int, int]] = []

    def cancel_second(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 2:
            raise Cancelled

    with progress.reporting(cancel_second), pytest.raises(Cancelled):
        run.seek(300)
    assert seen == [(32, 300), (64, 300)]
    assert run.cursor == run.stored == 64
    stopped = params(run)
    whole = small_run(n_updates=300)
    whole.seek(64)
    assert same(stopped, params(whole))


# ------------------------------------------------------------------ divergence


def test_an_exploding_setting_diverges_and_keeps_the_last_finite_state() -> None:
    run = PRESETS["vanishing"].make_run(0)
    run.scale_w_hh(1000.0)
    run.set_settings(LabSettings(1.0))
    run.step(run.n_updates)
    d = run.diverged_at
    assert d is not None and 0 < d < 2000
    assert (run.n_ticks, run.stored, run.cursor, run.at_end) == (d, d, d, True)
    assert run.step(10) == 0
    assert run.divergence_message == (
        f"diverged at update {d + 1:,}: the loss is no longer finite; the parameters shown are "
        "the last finite ones")
    assert all(np.isfinite(a).all() for a in params(run).values())
    assert np.isfinite(run.losses()).all()
    # The update that was refused really is not finite from the state kept.
    x, y, mask = run.source.example(d)
    with np.errstate(all="ignore"):
        loss = run.network.sequence_loss(x, y, mask=mask)
    assert not math.isfinite(loss)
    # The state kept is the one replayed from the checkpoints.
    last = params(run)
    run.seek(0)
    run.seek(d)
    assert same(params(run), last)


def test_an_update_whose_new_parameters_overflow_is_undone() -> None:
    run = PRESETS["worked"].make_run()
    run.step(3)
    run.set_parameters({"w_hy": [[6e151]]})
    run.set_settings(LabSettings(1e6))
    edited = params(run)
    assert run.step(5) == 0
    assert (run.diverged_at, run.diverged_what, run.cursor, run.n_ticks) == (3, "the new parameters", 3, 3)
    assert same(params(run), edited)
    # A change at the cursor lifts the divergence: training goes on from there.
    run.set_settings(LabSettings(1e-300))
    assert run.diverged_at is None and run.n_ticks == 1000
    assert run.step(2) == 2


# ------------------------------------------------------------------ clipping


def test_clipping_by_global_norm_scales_the_gradient_to_the_threshold() -> None:
    run = small_run(n_updates=60, clipping=Clipping("norm", 0.5))
    run.step(60)
    norms, after, clipped = run.grad_norms(), run.clipped_norms(), run.clipped()
    assert clipped.any() and not clipped.all()
    assert np.array_equal(clipped, norms > 0.5)
    assert np.allclose(after[clipped], 0.5, rtol=1e-14, atol=0)
    assert np.array_equal(after[~clipped], norms[~clipped])
    # The update applied is the clipped gradient's, exactly.
    t = int(np.flatnonzero(clipped)[0])
    network = ElmanNetwork(2, 5, 2, hidden="tanh", output="sigmoid", init_scale=0.8, seed=3)
    network.set_parameters(run.state_at(t))
    x, y, _ = run.source.example(t)
    grads = network.backward(network.forward(x), y)
    scaled, norm = clip_by_global_norm([grads.params[n] for n in NAMES], 0.5)
    assert norm == norms[t] and global_norm(scaled) == after[t]
    state = run.state_at(t + 1)
    for name, g in zip(NAMES, scaled):
        assert np.array_equal(state[name], network.parameters()[name] - 0.3 * g)


def test_clipping_by_value_clamps_each_component() -> None:
    run = small_run(n_updates=40, clipping=Clipping("value", 0.05))
    run.step(40)
    for t in range(40):
        network = ElmanNetwork(2, 5, 2, hidden="tanh", output="sigmoid", init_scale=0.8, seed=3)
        network.set_parameters(run.state_at(t))
        x, y, _ = run.source.example(t)
        g = [network.backward(network.forward(x), y).params[n] for n in NAMES]
        largest = max(float(np.abs(a).max()) for a in g)
        record = run.record(t)
        assert record.clipped == (largest > 0.05)
        assert record.grad_norm == global_norm(g)
        expected = global_norm([np.clip(a, -0.05, 0.05) for a in g]) if record.clipped else record.grad_norm
        assert record.clipped_norm == expected
        if record.clipped:
            assert record.clipped_norm < record.grad_norm


def test_a_truncated_window_cuts_delta_as_the_engine_does() -> None:
    run = PRESETS["vanishing"].make_run(0)
    run.set_settings(LabSettings(0.01, window=8))
    run.step(3)
    network = PRESETS["vanishing"].make_run(0).network
    network.set_parameters(run.state_at(2))
    x, y, mask = run.source.example(2)
    grads = network.backward(network.forward(x), y, mask=mask, window=8)
    assert np.array_equal(run.record(2).delta_norms, grads.delta_norms)
    # Only the last window (steps 57 … 64) gets δ from the loss at step 64.
    assert (run.record(2).delta_norms[:56] == 0).all() and (run.record(2).delta_norms[56:] > 0).all()


# ------------------------------------------------------------------ changes at the cursor


def test_a_settings_change_forgets_later_updates_and_acts_from_the_cursor() -> None:
    run = small_run(n_updates=100)
    run.step(60)
    kept = run.losses()[:20].copy()
    old_loss_20 = run.losses()[20]
    run.seek(20)
    forgets = run.forgets
    new = LabSettings(0.05, clipping=Clipping("norm", 1.0))
    run.set_settings(new)
    assert (run.cursor, run.stored, run.forgets) == (20, 20, forgets + 1)
    assert run.settings == new and run.settings_at(19) == LabSettings(0.3)
    assert np.array_equal(run.losses(), kept)
    run.step(10)
    assert run.losses()[20] == old_loss_20  # the state at 20 is the same …
    assert not same(run.state_at(21), small_run_state(21))  # … the update after it is not
    run.set_settings(new)  # the same settings again: nothing to forget
    assert run.stored == 30


def small_run_state(tick: int) -> dict[str, np.ndarray]:
    run = small_run()
    run.seek(tick)
    return params(run)


def test_a_parameter_edit_acts_at_the_cursor_and_is_kept_by_moves() -> None:
    run = small_run(n_updates=100, checkpoint_every=16)
    run.step(50)
    before = run.state_at(29)
    run.seek(30)
    run.set_parameters({"w_hh": np.full((5, 5), 0.1), "h0": [0.5] * 5})
    assert (run.cursor, run.stored) == (30, 30)
    assert (run.network.w_hh == 0.1).all() and (run.network.h0 == 0.5).all()
    edited = params(run)
    run.step(20)
    run.seek(0)
    run.seek(30)
    assert same(params(run), edited)
    assert same(run.state_at(29), before)
    assert same(run.state_at(30), edited)


def test_the_knob_scales_w_hh_and_its_spectral_radius() -> None:
    run = PRESETS["vanishing"].make_run(0)
    assert run.spectral_radius() == pytest.approx(1.0, rel=1e-12)
    w_hh = run.network.w_hh.copy()
    run.step(5)
    run.back(2)
    rho = run.spectral_radius()
    run.scale_w_hh(2.5)
    assert run.stored == 3
    assert np.array_equal(run.network.w_hh, run.state_at(3)["w_hh"])
    assert run.spectral_radius() == pytest.approx(2.5 * rho, rel=1e-12)
    assert not np.array_equal(run.network.w_hh, w_hh)


# ------------------------------------------------------------------ log and replay


def changed_run() -> LabRun:
    run = small_run(n_updates=400, checkpoint_every=32)
    run.step(70)
    run.set_settings(LabSettings(0.1, window=2, clipping=Clipping("value", 0.2)))
    run.step(40)
    run.set_parameters({"w_hy": np.arange(10.0).reshape(2, 5) / 10})
    run.step(33)
    run.scale_w_hh(1.7)
    run.step(100)
    run.set_settings(LabSettings(0.2, clipping=Clipping("norm", 0.3)))
    run.step(20)
    run.back(50)  # the cursor before the last change: it must come back too
    return run


def test_a_saved_log_replays_bit_for_bit() -> None:
    run = changed_run()
    text = json.dumps(run.log())
    again = LabRun.replay(lambda: small_run().network, small_run().source, json.loads(text),
                          run.cursor)
    assert again.log() == run.log() == json.loads(text)
    # Replayed up to the last change (update 243), the cursor put back at 213.
    assert (again.cursor, again.stored, again.n_ticks) == (run.cursor, 243, 400)
    assert same(params(again), params(run))
    for name in ("losses", "grad_norms", "clipped_norms", "clipped", "delta_norm_matrix"):
        assert np.array_equal(getattr(again, name)(), getattr(run, name)()[:243]), name
    assert again.settings_at(242) == run.settings_at(242)
    again.seek(263)  # and going on computes what the original computed
    assert np.array_equal(again.losses(), run.losses())
    assert same(again.state_at(263), run.state_at(263))
    assert [entry["kind"] for entry in run.log()] == [
        "start", "settings", "parameters", "scale_w_hh", "settings"]


def test_a_reset_starts_the_log_afresh() -> None:
    run = changed_run()
    run.reset()
    log = run.log()
    # The settings at the cursor (213) stay: those of update 70 on.
    assert len(log) == 1 and log[0]["settings"] == {
        "learning_rate": 0.1, "window": 2, "clipping": {"kind": "value", "threshold": 0.2}}
    assert same(params(run), params(small_run()))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda log: log.__setitem__(0, {**log[0], "kind": "settings"}), "a lab log starts with its one start entry"),
        (lambda log: log.clear(), "a lab log is a list of entries, the first being the start"),
        (lambda log: log[2].__setitem__("at", 60), "log entry 3 is at update 60, before the entry ahead of it"),
        (lambda log: log[1].__setitem__("at", -1), "log entry 2's update must be at least 0, not -1"),
        (lambda log: log[1].__setitem__("kind", "jump"), "log entry 2 has no known kind (start, settings, parameters, scale_w_hh, example)"),
        (lambda log: log[2]["values"].__setitem__("w_hy", [[1.0]]), "log entry 3: parameter w_hy must hold 10 numbers"),
        (lambda log: log[3].__setitem__("factor", -2), "log entry 4: the W_hh factor must be above 0"),
        (lambda log: log[4]["settings"].__setitem__("learning_rate", "fast"), "log entry 5: the learning rate must be a number"),
        (lambda log: log[0]["parameters"].pop("h0"), "the log's start needs the parameters"),
        (lambda log: log[0].__setitem__("n_updates", 100), "log entry 3 is at update 110 but the run stops at update 100"),
        (lambda log: log.append({"at": 900, "kind": "scale_w_hh", "factor": 1.0}), "log entry 6 is at update 900 but the run stops at update 400"),
    ],
)
def test_a_bad_log_is_refused_in_one_line(change, message) -> None:
    log = changed_run().log()
    change(log)
    with pytest.raises(InputError) as caught:
        LabRun.replay(lambda: small_run().network, small_run().source, log, 10)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_cursor_beyond_the_run_is_refused() -> None:
    log = changed_run().log()
    with pytest.raises(InputError, match="the cursor is at update 500 but the run stops at update 400"):
        LabRun.replay(lambda: small_run().network, small_run().source, log, 500)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("act", "message"),
    [
        (lambda run: run.set_parameters({"w_zz": [1.0]}), "unknown parameter 'w_zz'; choose from w_xh, w_hh, w_hy, b_h, b_y, h0"),
        (lambda run: run.set_parameters({"w_hh": [[1.0, 2.0]]}), "parameter w_hh must hold 25 numbers of shape (5, 5), not 2"),
        (lambda run: run.set_parameters({"b_h": [1, 2, 3, 4, float("nan")]}), "parameter b_h must be finite numbers"),
        (lambda run: run.set_parameters({"b_h": ["a", 2, 3, 4, 5]}), "parameter b_h must be numbers of shape (5,)"),
        (lambda run: run.set_parameters({"b_y": [1.0, 2.0], "w_hh": "x"}), "parameter w_hh must be numbers"),
        (lambda run: run.set_parameters({}), "give the parameters to set by name"),
        (lambda run: run.scale_w_hh(0), "the W_hh factor must be above 0, not 0"),
        (lambda run: run.scale_w_hh(float("inf")), "the W_hh factor must be a finite number"),
        (lambda run: run.scale_w_hh("big"), "the W_hh factor must be a number, not 'big'"),
        (lambda run: run.scale_w_hh(1e7), "the W_hh factor must lie between 1e-06 and 1e+06"),
        (lambda run: run.set_settings(0.1), "the lab's settings must be LabSettings"),
        (lambda run: run.set_settings(LabSettings(-1)), "the learning rate must be above 0, not -1"),
        (lambda run: run.set_settings(LabSettings(float("nan"))), "the learning rate must be a finite number"),
        (lambda run: run.set_settings(LabSettings(2e6)), "the learning rate must be at most 1e+06"),
        (lambda run: run.set_settings(LabSettings(0.1, window=0)), "the truncation window k must be at least 1, not 0"),
        (lambda run: run.set_settings(LabSettings(0.1, window=2.5)), "the truncation window k must be a whole number"),
        (lambda run: run.set_settings(LabSettings(0.1, clipping=Clipping(scope="step"))), "use scope='gradient'"),
        (lambda run: run.set_settings(LabSettings(0.1, clipping=Clipping("norm", -1))), "the clipping threshold must be above 0"),
        (lambda run: run.set_settings(LabSettings(0.1, clipping="norm")), "clipping must be a Clipping rule or None"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(act, message) -> None:
    run = small_run(n_updates=100)
    run.step(40)
    run.back(10)
    before = snapshot(run)
    with pytest.raises(InputError) as caught:
        act(run)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert snapshot(run) == before


def test_a_knob_turn_that_would_overflow_is_refused() -> None:
    run = small_run(n_updates=100)
    run.step(5)
    run.set_parameters({"w_hh": np.full((5, 5), 1e305)})
    before = snapshot(run)
    with pytest.raises(InputError, match=r"^W_hh × 100000.0 is too large for a float; choose a smaller factor$"):
        run.scale_w_hh(1e5)
    assert snapshot(run) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: LabRun(object(), RepeatedExample([[1.0]], [[1.0]]), LabSettings(0.1), 10), "the lab trains an ElmanNetwork"),
        (lambda: LabRun(ElmanNetwork(1, 1, 1), object(), LabSettings(0.1), 10), "the examples' source must have"),
        (lambda: LabRun(ElmanNetwork(1, 1, 1), RepeatedExample([[1.0]], [[1.0]]), LabSettings(0.1), 0), "the number of updates must be at least 1"),
        (lambda: LabRun(ElmanNetwork(1, 1, 1), RepeatedExample([[1.0]], [[1.0]]), LabSettings(0.1), 2_000_000), "the number of updates must be at most 1,000,000"),
        (lambda: LabRun(ElmanNetwork(1, 1, 1), RepeatedExample([[1.0]], [[1.0]]), LabSettings(0.1), 5, checkpoint_every=0), "the updates between checkpoints must be at least 1"),
        (lambda: LabRun(ElmanNetwork(1, 1, 1), RepeatedExample([[1.0]], [[1.0]]), 0.1, 5), "the lab's settings must be LabSettings"),
    ],
)
def test_a_bad_run_is_refused_in_one_line(make, message) -> None:
    with pytest.raises(InputError) as caught:
        make()
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_example_that_does_not_fit_the_network_stops_the_step_with_one_line() -> None:
    run = LabRun(ElmanNetwork(2, 3, 1, seed=0), RepeatedExample([[1.0]], [[1.0]]), LabSettings(0.1), 5)
    before = params(run)
    with pytest.raises(InputError, match=r"^example 1: the inputs must have shape \(steps, 2\), not \(1, 1\)$"):
        run.step()
    assert (run.cursor, run.stored) == (0, 0) and same(params(run), before)


def test_huge_but_finite_parameters_do_not_count_as_divergence() -> None:
    """The run first checks one reduced number (the new parameters' sum of squares); when
    that overflows while every parameter is finite, it looks at each and trains on."""
    run = PRESETS["worked"].make_run()
    run.set_parameters({"w_xh": [[1e160]]})  # its square overflows; the sigmoid saturates
    assert run.step(5) == 5 and run.diverged_at is None
    assert np.isfinite(run.network.w_xh).all() and run.network.w_xh[0, 0] == 1e160


def test_examples_are_checked_unless_already_checked() -> None:
    """A source handing out the same writable arrays is checked on every read (they may
    have changed); one promising ``checked`` has its later examples' shapes checked."""
    inputs, targets = np.ones((3, 1)), np.ones((3, 1))

    class Reused:
        steps = 3

        def example(self, index: int):
            return inputs, targets, None

    run = LabRun(ElmanNetwork(1, 2, 1, seed=0), Reused(), LabSettings(0.1), 10)
    assert run.step(2) == 2
    inputs[1, 0] = np.nan
    with pytest.raises(InputError, match=r"^example 3: the inputs must be finite numbers"):
        run.step()
    assert run.cursor == 2

    class Promised:
        steps = 3
        checked = True

        def example(self, index: int):
            return np.ones((3 if index < 2 else 4, 1)), np.ones((3 if index < 2 else 4, 1)), None

    run = LabRun(ElmanNetwork(1, 2, 1, seed=0), Promised(), LabSettings(0.1), 10)
    with pytest.raises(InputError, match=r"^example 3 has 4 steps, not 3$"):
        run.step(5)
    assert run.cursor == 2


# ------------------------------------------------------------------ another sequence


def sequence(*values: float) -> tuple[np.ndarray, np.ndarray]:
    """The worked example's inputs and targets for x_1 … x_T: each value predicts the next."""
    series = np.array(values).reshape(-1, 1)
    return series[:-1], series[1:]


def replayed(run: LabRun) -> LabRun:
    """*run* saved as JSON and read back by the worked preset, as a session file is."""
    return PRESETS["worked"].replay(json.loads(json.dumps(run.log())), run.cursor)


def test_a_sequence_of_the_same_steps_changes_at_the_cursor() -> None:
    plain = PRESETS["worked"].make_run()
    plain.step(60)
    run = PRESETS["worked"].make_run()
    run.step(60)
    run.back(20)
    run.set_example(*sequence(2, -1, 0.25, 3))
    # The updates before the cursor keep their numbers; those after it are forgotten.
    assert (run.cursor, run.stored) == (40, 40)
    assert np.array_equal(run.losses(), plain.losses()[:40])
    run.step(30)
    assert same(run.state_at(25), plain.state_at(25))  # replayed with the old sequence
    # From the cursor on it learns the new one, from the weights update 40 left.
    fresh = PRESETS["worked"].make_run()
    fresh.set_parameters(plain.state_at(40))
    fresh.set_example(*sequence(2, -1, 0.25, 3))
    fresh.step(30)
    assert np.array_equal(run.losses()[40:], fresh.losses())
    inputs, _, _ = run.next_example()
    assert inputs[:, 0].tolist() == [2, -1, 0.25]
    assert [entry["kind"] for entry in run.log()] == ["start", "example"]
    again = replayed(run)
    assert again.log() == run.log() and same(params(again), params(run))
    for name in ("losses", "grad_norms", "delta_norm_matrix"):
        assert np.array_equal(getattr(again, name)(), getattr(run, name)()), name
    assert same(again.state_at(25), plain.state_at(25))


def test_a_sequence_of_other_steps_starts_the_run_afresh_from_the_cursors_weights() -> None:
    run = PRESETS["worked"].make_run()
    run.step(50)
    run.set_settings(LabSettings(0.05))
    at_50 = params(run)
    values = (1, 0.5, -1, 2, 0.75, -0.25)
    run.set_example(*sequence(*values))
    assert (run.cursor, run.stored, run.n_ticks, run.source.steps) == (0, 0, run.n_updates, 5)
    assert same(params(run), at_50) and run.settings == LabSettings(0.05)
    log = run.log()
    assert [entry["kind"] for entry in log] == ["start", "example"]
    assert log[0]["settings"]["learning_rate"] == 0.05
    run.step(40)
    assert run.delta_norm_matrix().shape == (40, 5)
    # Its first update's gradient is the worked example's for the cursor's weights.
    first = worked_example(values, **{name: float(at_50[name].ravel()[0])
                                      for name in ("w_xh", "w_hh", "w_hy", "h0")})
    assert run.losses()[0] == first.E
    again = replayed(run)
    assert again.log() == log and same(params(again), params(run))
    assert np.array_equal(again.delta_norm_matrix(), run.delta_norm_matrix())
    again.back(40)
    assert same(params(again), at_50)


def test_a_reset_keeps_the_sequence_in_effect_and_logs_it() -> None:
    run = PRESETS["worked"].make_run()
    run.step(30)
    run.set_example(*sequence(0.5, 0.5, 1, -2))
    run.step(10)
    run.reset()
    log = run.log()
    assert [entry["kind"] for entry in log] == ["start", "example"] and log[1]["at"] == 0
    run.step(5)
    assert run.next_example()[0][:, 0].tolist() == [0.5, 0.5, 1]
    again = replayed(run)
    assert np.array_equal(again.losses(), run.losses())
    plain = PRESETS["worked"].make_run()
    plain.step(3)
    plain.reset()
    assert len(plain.log()) == 1  # the preset's own sequence needs no entry


def test_the_same_sequence_changes_nothing() -> None:
    run = PRESETS["worked"].make_run()
    run.step(12)
    before = snapshot(run)
    run.set_example(*sequence(1, 0.5, -1, 2))
    assert snapshot(run) == before


@pytest.mark.parametrize(
    ("make", "act", "message"),
    [
        ("addition", lambda run: run.set_example(*sequence(1, 2, 3)),
         "only a run that repeats one example (worked, hello, vanishing) can learn another sequence"),
        ("worked", lambda run: run.set_example(np.ones((3, 2)), np.ones((3, 1))),
         "the inputs must have shape (steps, 1), not (3, 2)"),
        ("worked", lambda run: run.set_example(*sequence(1, float("nan"), 2)),
         "the inputs must be finite numbers"),
        ("worked", lambda run: run.set_example([[1.0], ["a"]], [[1.0], [2.0]]),
         "a sequence's inputs and targets must be tables of numbers"),
        ("worked", lambda run: run.set_example(*sequence(*range(1_026))),
         "a sequence has 1 to 1,024 steps, not 1,025"),
        ("worked", lambda run: (run.seek(run.n_updates), run.set_example(*sequence(1, 2, 3, 4))),
         "the training is at its end (update 1,000): go back to learn another sequence"),
    ],
)
def test_a_bad_sequence_is_one_line_and_changes_nothing(make, act, message) -> None:
    run = PRESETS[make].make_run()
    run.step(7)
    before = snapshot(run)
    with pytest.raises(InputError) as caught:
        act(run)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    if "end" not in message:
        assert snapshot(run) == before


def test_a_bad_sequence_in_a_log_is_refused_in_one_line() -> None:
    run = PRESETS["worked"].make_run()
    run.step(4)
    run.set_example(*sequence(1, 2, 3, 4))
    log = run.log()
    log[1]["inputs"] = [[1.0], [None], [3.0]]
    with pytest.raises(InputError) as caught:
        PRESETS["worked"].replay(log, 4)
    assert str(caught.value).startswith("log entry 2: ") and "\n" not in str(caught.value)
