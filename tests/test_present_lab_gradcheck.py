"""The lab's gradient check (present/lab_gradcheck.py): BPTT against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.engine.elman import ElmanNetwork, bptt_gradients
from rnnviz.engine.errors import InputError
from rnnviz.present.format import format_number
from rnnviz.present.lab_gradcheck import (
    AGREE_BELOW,
    EPSILON,
    MAX_FULL,
    SAMPLE_SIZE,
    check_lines,
    display_name,
    gradient_check,
    nudged_losses,
)
from rnnviz.tasks.lab_presets import PRESETS


def _example(key: str, update: int = 0):
    run = PRESETS[key].make_run()
    run.seek(update)
    return run, run.source.example(update)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_agrees_and_is_left_unchanged(key):
    run, (x, y, mask) = _example(key)
    before = run.network.copy_parameters()
    check = gradient_check(run.network, x, y, mask)
    total = sum(p.size for p in before.values())
    assert check.rows == check.total == total and not check.sampled
    assert check.agree and check.worst_error < AGREE_BELOW and check.failing == 0
    grads = bptt_gradients(run.network, x, y, mask=mask).params
    for r in range(check.rows):
        name, index = check.names[r], check.indices[r]
        assert check.analytic[r] == grads[name][index]
        assert check.values[r] == before[name][index]
        assert check.steps[r] == EPSILON * max(abs(before[name][index]), 1.0)
    for name, value in before.items():
        assert np.array_equal(run.network.parameters()[name], value)
    assert check_lines(check)[0].startswith(f"BPTT and finite differences agree on all {total}:")


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_nudged_losses_are_the_engines_loss(key):
    """Each side-by-side copy's loss is sequence_loss of a network with that one entry changed."""
    run, (x, y, mask) = _example(key)
    net = run.network
    keep = None if mask is None else mask.astype(np.float64)
    rows = [(name, k) for name, array in net.parameters().items() for k in (0, array.size - 1)]
    nudged = np.array([getattr(net, name).reshape(-1)[k] + 0.25 for name, k in rows])
    unchanged = np.array([getattr(net, name).reshape(-1)[k] for name, k in rows])
    assert np.allclose(nudged_losses(net, x, y, keep, rows, unchanged).astype(np.float64),
                       net.sequence_loss(x, y, mask=mask), rtol=1e-13, atol=0)
    wide = nudged_losses(net, x, y, keep, rows, nudged).astype(np.float64)
    for b, (name, k) in enumerate(rows):
        copy = PRESETS[key].make_run().network
        copy.set_parameters(net.copy_parameters())
        getattr(copy, name).reshape(-1)[k] = nudged[b]
        assert wide[b] == pytest.approx(copy.sequence_loss(x, y, mask=mask), rel=1e-13)


def test_a_wrong_gradient_entry_is_flagged():
    run, (x, y, mask) = _example("addition")

    def flipped(network, inputs, targets, m):
        grads = {k: v.copy() for k, v in bptt_gradients(network, inputs, targets, mask=m).params.items()}
        grads["w_hh"][3, 7] = -grads["w_hh"][3, 7]
        return grads

    check = gradient_check(run.network, x, y, mask, analytic=flipped)
    assert not check.agree and check.failing == 1
    assert check.label(check.worst) == "W_hh[4, 8]"
    assert check.worst_error == pytest.approx(1.0, abs=1e-8)
    assert check_lines(check)[0].startswith(
        "BPTT and finite differences DISAGREE on 1 of 304: worst relative error 1.00 at W_hh[4, 8]")


def test_a_parameter_the_loss_ignores_has_no_error():
    net = ElmanNetwork(2, 3, 1, hidden="tanh", output="linear", seed=4)
    x = np.column_stack([np.linspace(-1, 1, 5), np.zeros(5)])  # the second input is always 0
    check = gradient_check(net, x, np.ones((5, 1)))
    rows = [r for r in range(check.rows) if check.names[r] == "w_xh" and check.indices[r][1] == 1]
    assert len(rows) == 3
    assert all(check.analytic[r] == 0 and check.numeric[r] == 0 and check.errors[r] == 0 for r in rows)
    assert check.agree


def test_large_networks_are_sampled_with_a_seed():
    net = ElmanNetwork(2, 45, 1, hidden="tanh", output="linear", init_scale=0.1, seed=1)
    x, y = np.random.default_rng(0).uniform(-1, 1, (4, 2)), np.ones((4, 1))
    total = 2 * 45 + 45 * 45 + 45 + 45 + 1
    assert total > MAX_FULL
    check = gradient_check(net, x, y, seed=7)
    assert check.sampled and check.rows == SAMPLE_SIZE and check.total == total and check.agree
    order = list(net.parameter_names)
    keys = [(order.index(n), i) for n, i in zip(check.names, check.indices)]
    assert keys == sorted(keys) and len(set(keys)) == SAMPLE_SIZE
    assert gradient_check(net, x, y, seed=7).indices == check.indices
    assert gradient_check(net, x, y, seed=8).indices != check.indices
    assert (f"The network has {total:,} parameters: checked a random sample of 500 (seed 7), "
            "two forward passes each.") in check_lines(check)
    small = gradient_check(net, x, y, sample=12, seed=7)
    assert small.rows == 12 and small.sampled


def test_the_notes_say_what_is_checked():
    run, (x, y, mask) = _example("hello")
    check = gradient_check(run.network, x, y, mask)
    lines = check_lines(check, window=2, clipping=True)
    assert "The run truncates BPTT at k = 2; this checks the full, untruncated gradient (the exact ∂L/∂θ)." in lines
    assert "The run clips its gradients; this checks the gradient before clipping." in lines
    assert lines[-1].startswith("Finite differences: central, step h = 1e−6·max(|θ|, 1)")
    assert len(check_lines(check)) == 2


def test_a_converged_network_says_its_gradient_is_rounding():
    run, (x, y, mask) = _example("vanishing", 200)
    check = gradient_check(run.network, x, y, mask, sample=30)
    assert not check.agree and check.output_error < 1e-10
    assert check_lines(check)[1] == (
        f"The outputs are within {format_number(check.output_error)} of their targets: a gradient "
        "this small is mostly float64 rounding in BPTT itself, so a disagreement here says nothing "
        "about BPTT.")


def test_overflowing_weights_cannot_be_checked():
    net = ElmanNetwork(1, 2, 1, hidden="tanh", output="linear", biases=False, seed=0)
    net.set_parameters({"w_hy": [[1e200, 1e200]], "w_xh": [[5.0], [5.0]]})
    check = gradient_check(net, [[1.0], [1.0]], [[0.0], [0.0]])
    assert not check.finite and not check.agree
    assert check_lines(check)[0] == "Cannot check: the loss or its gradient is not finite at these weights (L = ∞)."


def test_display_names_count_from_one():
    assert display_name("w_hh", (2, 6)) == "W_hh[3, 7]"
    assert display_name("b_y", (0,)) == "b_y[1]"


@pytest.mark.parametrize("kwargs, message", [
    ({"sample": 0}, "must be"), ({"sample": "many"}, "must be"), ({"seed": -1}, "seed"),
    ({"inputs": np.ones((3, 5))}, "the inputs must have shape"),
])
def test_bad_input_is_one_line(kwargs, message):
    run, (x, y, mask) = _example("addition")
    args = {"inputs": x, "targets": y, "mask": mask}
    args.update({k: kwargs.pop(k) for k in list(kwargs) if k in args})
    with pytest.raises(InputError) as info:
        gradient_check(run.network, args["inputs"], args["targets"], args["mask"], **kwargs)
    assert message in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(InputError, match="needs an Elman network"):
        gradient_check("net", x, y, mask)


def test_too_much_work_for_extended_precision_runs_in_float64_and_says_so(monkeypatch):
    import rnnviz.present.lab_gradcheck as module
    run, (x, y, mask) = _example("hello")
    wide = gradient_check(run.network, x, y, mask)
    monkeypatch.setattr(module, "WIDE_WORK", 0.0)
    narrow = gradient_check(run.network, x, y, mask)
    assert (wide.precision, narrow.precision) == ("extended", "float64")
    assert np.array_equal(wide.analytic, narrow.analytic)
    assert np.allclose(narrow.numeric, wide.numeric, rtol=1e-5, atol=1e-9)
    lines = check_lines(narrow)
    assert lines[-1].startswith("Finite differences: central, step h = 1e−6·max(|θ|, 1), in float64;")
    assert lines[-2].startswith("A network this large is differenced in float64: below about ")
    assert "in extended precision;" in check_lines(wide)[-1]
