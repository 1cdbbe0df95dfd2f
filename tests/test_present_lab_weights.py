"""The weights panel's view-model (rnnviz.present.lab_weights) against the lab run and the engine."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.present.format import format_number
from rnnviz.present.lab_weights import (
    parse_value,
    typed_parameters,
    value_text,
    weights_view,
)
from rnnviz.tasks.lab_presets import PRESETS


def run_at(key: str, updates: int):
    run = PRESETS[key].make_run()
    run.step(updates)
    return run


def engine_delta(run, update: int) -> dict[str, np.ndarray]:
    """What update *update* (0-based) changes, recomputed with the engine from the state before it."""
    net = copy.deepcopy(run.network)
    net.set_parameters(run.state_at(update))
    inputs, targets, mask = run.source.example(update)
    grads = net.backward(net.forward(inputs), targets, mask=mask)
    eta = run.settings_at(update).learning_rate
    return {name: (getattr(net, name) - eta * grads.params[name]) - getattr(net, name)
            for name in net.parameter_names}


def test_at_update_0_there_is_no_change_and_the_weights_are_the_networks():
    run = run_at("addition", 0)
    view = weights_view(run)
    assert view.cursor == 0 and view.names == ("w_xh", "w_hh", "w_hy")
    assert "before any update" in view.caption
    for m in view.matrices:
        np.testing.assert_array_equal(m.values, getattr(run.network, m.name))
        assert m.delta is None and m.delta_limit is None and m.delta_texts is None
        assert m.limit == np.abs(m.values).max()
    assert view["w_hh"].shape == (16, 16) and view["w_xh"].shape == (16, 2) and view["w_hy"].shape == (1, 16)


@pytest.mark.parametrize("key", ["addition", "hello", "vanishing", "worked"])
def test_the_change_is_what_the_last_update_did_bit_for_bit(key):
    run = run_at(key, 7)
    view = weights_view(run)
    expected = engine_delta(run, 6)
    assert view.caption == "ΔW: what update 7 changed"
    for m in view.matrices:
        want = expected[m.name].reshape(m.shape)
        np.testing.assert_array_equal(m.delta, want)
        assert m.delta_limit == np.abs(want).max() > 0
        np.testing.assert_array_equal(m.values, run.state_at(7)[m.name].reshape(m.shape))


def test_an_earlier_cursor_reads_the_stored_states():
    run = run_at("addition", 9)
    view = weights_view(run, 4)
    before, after = run.state_at(3), run.state_at(4)
    assert run.cursor == 9
    for m in view.matrices:
        np.testing.assert_array_equal(m.values, after[m.name])
        np.testing.assert_array_equal(m.delta, after[m.name] - before[m.name])


def test_cell_texts_name_the_cell_and_its_value():
    run = run_at("addition", 3)
    view = weights_view(run)
    w = run.network.w_hh
    assert view["w_hh"].cell_texts[2][5] == f"W_hh[3, 6] = {w[2, 5]:.5g}".replace("-", "−")
    d = view["w_hh"].delta[2, 5]
    assert view["w_hh"].delta_texts[2][5] == f"ΔW_hh[3, 6] = {d:+.5g}".replace("-", "−")
    assert value_text(-0.413729) == "−0.41373"
    assert value_text(1.5e-7, signed=True) == "+1.5e−07"


def test_biases_are_columns_named_by_unit_and_zero_biases_say_all_0():
    run = run_at("hello", 0)
    view = weights_view(run)
    assert view.names == ("w_xh", "w_hh", "w_hy", "b_h", "b_y")
    b_h = view["b_h"]
    assert b_h.is_bias and b_h.shape == (3, 1) and b_h.label == "b_h"
    assert b_h.cell_texts[1][0] == f"b_h[2] = {run.network.b_h[1]:.5g}".replace("-", "−")
    if not run.network.b_h.any():
        assert b_h.range_text == "all 0" and b_h.limit == 0
        assert not b_h.scaled().any()


def test_scaled_values_span_minus_one_to_one_with_the_largest_at_the_end():
    m = weights_view(run_at("addition", 5))["w_hh"]
    scaled = m.scaled()
    assert np.abs(scaled).max() == 1.0 and np.abs(scaled).min() >= 0
    i = np.unravel_index(np.argmax(np.abs(m.values)), m.shape)
    assert scaled[i] == np.sign(m.values[i])
    np.testing.assert_allclose(scaled, m.values / np.abs(m.values).max(), rtol=0, atol=1e-15)
    assert m.range_text == "±" + format_number(m.limit)
    assert np.abs(m.scaled("ΔW")).max() == 1.0


def test_a_typed_value_makes_the_full_array_with_one_cell_changed():
    run = run_at("addition", 2)
    view = weights_view(run)
    typed = typed_parameters(view, "w_hh", 2, 5, " −0.25 ")
    assert set(typed) == {"w_hh"}
    want = run.network.w_hh.copy()
    want[2, 5] = -0.25
    np.testing.assert_array_equal(typed["w_hh"], want)
    run.set_parameters(typed)
    assert weights_view(run)["w_hh"].values[2, 5] == -0.25


def test_a_typed_bias_keeps_the_engines_shape():
    run = run_at("hello", 1)
    typed = typed_parameters(weights_view(run), "b_y", 3, 0, "1.5e-3")
    assert typed["b_y"].shape == (4,) and typed["b_y"][3] == 0.0015
    run.set_parameters(typed)
    assert run.network.b_y[3] == 0.0015


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "-inf", "1e400", "2e6", "0.5.1", "1,5"])
def test_bad_text_is_one_line_and_changes_nothing(text):
    run = run_at("addition", 2)
    view = weights_view(run)
    before = run.network.w_hh.copy()
    with pytest.raises(InputError) as caught:
        typed_parameters(view, "w_hh", 0, 0, text)
    assert "\n" not in str(caught.value) and str(caught.value)
    np.testing.assert_array_equal(run.network.w_hh, before)


def test_parse_value_accepts_the_true_minus_and_refuses_cells_outside():
    assert parse_value("−0.41373") == -0.41373
    with pytest.raises(InputError, match=r"W_xh has no cell \[1, 3\]"):
        typed_parameters(weights_view(run_at("addition", 0)), "w_xh", 0, 2, "1")
