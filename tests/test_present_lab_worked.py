"""BPTT by hand for the lab's worked example: every number is worked_example's and rnnviz bptt's."""

from __future__ import annotations

import argparse
import json
import shlex

import numpy as np
import pytest

from rnnviz.commands import bptt
from rnnviz.engine.errors import InputError
from rnnviz.engine.notation import MINUS
from rnnviz.present.lab_worked import (
    NOT_WORKED,
    result_text,
    typed_weights,
    worked_view,
)
from rnnviz.tasks.lab_presets import PRESETS, WORKED_VALUES, WORKED_WEIGHTS
from rnnviz.tasks.worked_example import WorkedExample, worked_example

#: Two other sets of weights typed at the cursor (h0 included).
OTHER_WEIGHTS = (
    {"w_xh": [[-0.35]], "w_hh": [[1.7]], "w_hy": [[-2.5]], "h0": [0.9]},
    {"w_xh": [[3.25]], "w_hh": [[-6.0]], "w_hy": [[0.125]], "h0": [-0.6]},
)


def _expected_values(r: WorkedExample) -> dict[str, float]:
    """Every number the panel shows, by its symbol, from worked_example."""
    want = {"E": r.E, "∂E/∂W_hy": r.dE_dw_hy, "∂E/∂W_xh": r.dE_dw_xh, "∂E/∂W_hh": r.dE_dw_hh,
            "∂E/∂h_0": r.dE_dh0}
    for i in range(r.outputs.size):
        t = i + 1
        want |= {f"a_{t}": r.pre_hidden[i], f"h_{t}": r.hidden[i], f"ŷ_{t}": r.outputs[i],
                 f"ε_{t}": r.output_errors[i], f"δ_{t}": r.deltas[i]}
    return want


def _shown(view) -> dict[str, float]:
    lines = [line for section in view.sections for line in section.lines]
    shown = {line.symbol: line.value for line in lines}
    assert len(shown) == len(lines)  # no symbol twice
    for line in lines:
        assert line.result == result_text(line.value)
    return shown


def _check_against_worked_example(run) -> WorkedExample:
    inputs, targets, mask = run.source.example(0)
    view = worked_view(run.network, inputs, targets, mask)
    assert view.unavailable == ""
    weights = {name: float(np.ravel(getattr(run.network, name))[0]) for name in WORKED_WEIGHTS}
    r = worked_example(WORKED_VALUES, **weights)
    shown = _shown(view)
    want = _expected_values(r)
    assert shown.keys() == want.keys()
    for symbol, value in want.items():
        assert shown[symbol] == float(value), symbol  # exactly, bit for bit
    return r


def test_every_number_is_worked_examples_for_the_preset() -> None:
    run = PRESETS["worked"].make_run()
    r = _check_against_worked_example(run)
    assert r.w_hh == WORKED_WEIGHTS["w_hh"]  # the preset's weights, untrained


@pytest.mark.parametrize("weights", OTHER_WEIGHTS)
def test_every_number_is_worked_examples_for_typed_weights(weights) -> None:
    run = PRESETS["worked"].make_run()
    run.set_parameters(weights)
    r = _check_against_worked_example(run)
    assert (r.w_xh, r.w_hh, r.w_hy, r.h0) == (weights["w_xh"][0][0], weights["w_hh"][0][0],
                                               weights["w_hy"][0][0], weights["h0"][0])


def test_after_training_it_works_the_current_weights() -> None:
    run = PRESETS["worked"].make_run()
    run.step(40)
    r = _check_against_worked_example(run)
    assert r.w_hy != WORKED_WEIGHTS["w_hy"]


def test_the_numbers_put_in_are_the_presets() -> None:
    run = PRESETS["worked"].make_run()
    view = worked_view(run.network, *run.source.example(0))
    lines = {line.symbol: line for section in view.sections for line in section.lines}
    assert lines["a_1"].numbers == f"1.20·1.00 + ({MINUS}0.400)·0.300"
    assert lines["a_1"].result == "1.08"
    assert lines["δ_2"].numbers == f"0.575·(1 {MINUS} 0.575)·(0.700·2.80 + ({MINUS}0.400)·({MINUS}0.407))"
    assert lines["δ_2"].result == "0.519613"
    assert lines["δ_3"].numbers.endswith(f"({MINUS}0.400)·0)")  # δ_4 = 0
    assert lines["∂E/∂W_hh"].formula == "δ_1·h_0 + δ_2·h_1 + δ_3·h_2"
    assert lines["∂E/∂W_hh"].numbers == f"({MINUS}0.0334)·0.300 + 0.520·0.746 + ({MINUS}0.407)·0.575"
    assert lines["E"].numbers.count("²") == 3
    assert view.heading.startswith(f"x = 1.00, 0.500, {MINUS}1.00, 2.00")


def _run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rnnviz")
    bptt.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.mark.parametrize("weights", (None, *OTHER_WEIGHTS))
def test_the_command_it_gives_prints_the_same_numbers(weights, capsys) -> None:
    run = PRESETS["worked"].make_run()
    if weights is not None:
        run.set_parameters(weights)
    run.step(7)
    view = worked_view(run.network, *run.source.example(0))
    argv = shlex.split(view.command)[1:]
    assert argv[-2:] == ["--format", "table"]
    assert _run_cli(argv) == 0
    table = capsys.readouterr().out
    for section in view.sections[:3]:  # the per-step numbers, six digits as the table's
        for line in section.lines:
            if line.symbol != "E":
                assert f" {line.result.replace(MINUS, '-')}" in table, line.symbol
    assert _run_cli([*argv[:-1], "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    shown = _shown(view)
    assert data["E"] == shown["E"] and data["dE_du"] == shown["∂E/∂W_hy"]
    assert data["dE_dv"] == shown["∂E/∂W_xh"] and data["dE_dw"] == shown["∂E/∂W_hh"]
    assert data["dE_ds"] == shown["∂E/∂h_0"]
    assert data["delta"] == [shown[f"δ_{t}"] for t in (1, 2, 3)]


def test_other_presets_and_examples_get_one_line() -> None:
    for key in ("addition", "hello", "vanishing"):
        run = PRESETS[key].make_run()
        view = worked_view(run.network, *run.source.example(0))
        assert view.unavailable == NOT_WORKED and not view.sections
    assert "\n" not in NOT_WORKED
    run = PRESETS["worked"].make_run()
    inputs, targets, _ = run.source.example(0)
    assert worked_view(run.network, inputs, targets[::-1]).unavailable == NOT_WORKED  # not shifted
    assert worked_view(run.network, inputs, targets, np.array([True, False, True])).unavailable == NOT_WORKED


def test_weights_that_overflow_say_so_in_one_line() -> None:
    run = PRESETS["worked"].make_run()
    run.set_parameters({"w_hy": [[1e300]], "h0": [0.0]})
    view = worked_view(run.network, *run.source.example(0))
    assert view.unavailable.startswith("BPTT by hand cannot be worked for these weights: ")
    assert "\n" not in view.unavailable and not view.sections


def test_typed_weights_give_the_changed_ones_or_one_line() -> None:
    current = {"w_xh": 1.2, "w_hh": -0.4, "w_hy": 0.7, "h0": 0.3}
    changed = typed_weights({"w_xh": "1.2", "w_hh": f"{MINUS}0.5", "w_hy": " 0.7 ", "h0": "0.3"}, current)
    assert list(changed) == ["w_hh"] and changed["w_hh"].tolist() == [[-0.5]]
    assert typed_weights({"h0": "-1e-3"}, current)["h0"].tolist() == [-0.001]
    assert typed_weights(dict.fromkeys(current, "0"), dict.fromkeys(current, 0.0)) == {}
    for texts, message in (({"w_hh": "abc"}, "w_hh must be a number, not 'abc'"),
                           ({"w_hy": "inf"}, "w_hy must be a finite number"),
                           ({"b_h": "1"}, "no weight 'b_h'")):
        with pytest.raises(InputError, match=message):
            typed_weights(texts, current)
    run = PRESETS["worked"].make_run()
    run.set_parameters(typed_weights({"w_hh": "0.25", "h0": "-2"}, current))
    assert run.network.w_hh.tolist() == [[0.25]] and run.network.h0.tolist() == [-2.0]
