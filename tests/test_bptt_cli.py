"""Tests for ``rnnviz bptt``: seed 003's worked example.

The oracles are the seed's own unrolled formulas (p1 = u·σ(ws + vx1),
p2 = u·σ(w·σ(ws + vx1) + vx2), …) and central finite differences of them.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from rnnviz.commands import bptt
from rnnviz.engine.errors import InputError
from rnnviz.tasks.worked_example import worked_example

ROOT = Path(__file__).resolve().parents[1]
EPS = 1e-6
#: x1..x4, u, v, w, s of the example used by the command-line tests
EXAMPLE = (1, 0.5, -1, 2, 0.7, 1.2, -0.4, 0.3)


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def seed_error(values, u, v, w, s, shift_at=None, shift=0.0) -> float:
    """E = Σ (x_{t+1} − p_t)² written out as in seed 003, with an optional
    additive shift of one hidden input z_t (to differentiate by z_t)."""
    y, total = s, 0.0
    for t in range(len(values) - 1):
        z = w * y + v * values[t]
        if t == shift_at:
            z += shift
        y = sigma(z)
        total += (values[t + 1] - u * y) ** 2
    return total


def seed_three_steps(x1, x2, x3, x4, u, v, w, s) -> float:
    """The seed's three predictions spelled out literally, targets x2, x3, x4."""
    p1 = u * sigma(w * s + v * x1)
    p2 = u * sigma(w * sigma(w * s + v * x1) + v * x2)
    p3 = u * sigma(w * sigma(w * sigma(w * s + v * x1) + v * x2) + v * x3)
    return (x2 - p1) ** 2 + (x3 - p2) ** 2 + (x4 - p3) ** 2


def seed_example(values, u, v, w, s):
    """worked_example called with seed 003's names: u, v, w are W_hy, W_xh, W_hh, s is h_0."""
    return worked_example(values, w_xh=v, w_hh=w, w_hy=u, h0=s)


def central(f, x: float) -> float:
    return (f(x + EPS) - f(x - EPS)) / (2 * EPS)


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a) + abs(b), 1e-300)


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="rnnviz")
    sub = parser.add_subparsers(dest="command", required=True)
    bptt.add_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


CASES = [
    ([1.0, 0.5, -1.0, 2.0], 0.7, 1.2, -0.4, 0.3),
    ([0.0, 1.0, 1.0, 0.0], 1.0, 1.0, 1.0, 0.0),
    ([2.5, -0.3, 0.8, 1.7], -1.3, 0.4, 2.2, -0.9),
]


@pytest.mark.parametrize("values,u,v,w,s", CASES)
def test_error_equals_the_seed_three_step_formulas(values, u, v, w, s):
    result = seed_example(values, u, v, w, s)
    assert len(result.outputs) == 3
    assert result.E == pytest.approx(seed_three_steps(*values, u, v, w, s), rel=1e-13)
    x1, x2 = values[0], values[1]
    assert result.outputs[0] == pytest.approx(u * sigma(w * s + v * x1), rel=1e-13)
    p2 = u * sigma(w * sigma(w * s + v * x1) + v * x2)
    assert result.outputs[1] == pytest.approx(p2, rel=1e-13)


LONGER = ([0.3, -1.1, 0.4, 0.9, 1.5, -0.2, 0.0], 0.9, -0.7, 1.4, 0.5)


@pytest.mark.parametrize("values,u,v,w,s", CASES + [LONGER])
def test_derivatives_match_finite_differences(values, u, v, w, s):
    result = seed_example(values, u, v, w, s)
    assert rel(result.dE_dw_hy, central(lambda q: seed_error(values, q, v, w, s), u)) < 1e-6
    assert rel(result.dE_dw_xh, central(lambda q: seed_error(values, u, q, w, s), v)) < 1e-6
    assert rel(result.dE_dw_hh, central(lambda q: seed_error(values, u, v, q, s), w)) < 1e-6
    assert rel(result.dE_dh0, central(lambda q: seed_error(values, u, v, w, q), s)) < 1e-6
    for t, delta in enumerate(result.deltas):
        numeric = central(lambda q, t=t: seed_error(values, u, v, w, s, t, q), 0.0)
        assert rel(delta, numeric) < 1e-6, t


def test_deltas_follow_the_recursion_with_the_error_factor():
    values, u, v, w, s = CASES[0]
    r = seed_example(values, u, v, w, s)
    # δ_t = σ'(z_t)·(u·ε_t + w·δ_{t+1}), ε_t = 2(p_t − t_t), computed from scratch
    z = [w * s + v * values[0]]
    for t in (1, 2):
        z.append(w * sigma(z[-1]) + v * values[t])
    p = [u * sigma(q) for q in z]
    eps = [2 * (p[t] - values[t + 1]) for t in range(3)]
    following, expected = 0.0, []
    for t in (2, 1, 0):
        following = sigma(z[t]) * (1 - sigma(z[t])) * (u * eps[t] + w * following)
        expected.insert(0, following)
    assert r.deltas.tolist() == pytest.approx(expected, rel=1e-13)
    assert r.dE_dh0 == pytest.approx(w * expected[0], rel=1e-13)
    assert r.dE_dw_hy == pytest.approx(sum(e * sigma(q) for e, q in zip(eps, z)), rel=1e-13)


def test_two_values_give_one_term():
    r = seed_example([0.2, 0.9], 1.5, -0.5, 3.0, 0.1)
    assert r.E == pytest.approx((0.9 - 1.5 * sigma(3.0 * 0.1 - 0.5 * 0.2)) ** 2, rel=1e-14)
    assert len(r.deltas) == 1


def test_json_output_holds_every_number(capsys):
    code = run_cli(["bptt", "1,0.5,-1,2", "--u", "0.7", "--v", "1.2", "--w", "-0.4", "--s", "0.3"])
    out = capsys.readouterr()
    assert code == 0 and out.err == ""
    data = json.loads(out.out)
    direct = seed_example([1, 0.5, -1, 2], 0.7, 1.2, -0.4, 0.3)
    for key, name in (("E", "E"), ("dE_du", "dE_dw_hy"), ("dE_dv", "dE_dw_xh"),
                      ("dE_dw", "dE_dw_hh"), ("dE_ds", "dE_dh0")):
        assert data[key] == getattr(direct, name)
    assert [step["z"] for step in data["steps"]] == direct.pre_hidden.tolist()
    assert [step["p"] for step in data["steps"]] == direct.outputs.tolist()
    assert data["E"] == pytest.approx(seed_three_steps(*EXAMPLE), rel=1e-13)
    assert data["delta"] == direct.deltas.tolist()
    assert [step["t"] for step in data["steps"]] == [1, 2, 3]
    assert [step["target"] for step in data["steps"]] == [0.5, -1.0, 2.0]


def test_table_output(capsys):
    code = run_cli(
        ["bptt", " 1, 0.5 ,-1,2", "--u", "0.7", "--v", "1.2", "--w", "-0.4", "--s", "0.3",
         "--format", "table"]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    e_line = next(line for line in lines if line.startswith("E "))
    assert float(e_line.split("=")[1]) == pytest.approx(
        seed_three_steps(*EXAMPLE), rel=1e-11
    )
    for label in ("dE/du", "dE/dv", "dE/dw", "dE/ds", "delta_t"):
        assert label in out
    rows = [line for line in lines if line.strip()[:1].isdigit() and not line.startswith("u =")]
    assert len(rows) == 3


@pytest.mark.parametrize(
    "argv,match",
    [
        (["1"], "at least 2"),
        (["1,,2"], "item 2 is empty"),
        (["1,abc"], "item 2 is not a number"),
        (["1,nan,2"], "finite"),
        (["inf,1"], "finite"),
        (["1,2", "--u", "x"], "--u must be a number"),
        (["1,2", "--w", "inf"], "--w must be a finite"),
        (["1,2", "--format", "xml"], "unknown format"),
        (["1e300,1e300,1", "--u", "1e300", "--v", "1e300"], "too large"),
    ],
)
def test_bad_input_is_an_input_error_with_nothing_printed(argv, match, capsys):
    values, *rest = argv
    options = {"--u": "1", "--v": "1", "--w": "1", "--s": "0"}
    extra = []
    for key, value in zip(rest[::2], rest[1::2]):
        if key in options:
            options[key] = value
        else:
            extra += [key, value]
    args = ["bptt", values] + [item for pair in options.items() for item in pair] + extra
    with pytest.raises(InputError, match=match):
        run_cli(args)
    assert capsys.readouterr().out == ""


def test_missing_weight_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        run_cli(["bptt", "1,2", "--u", "1", "--v", "1", "--w", "1"])
    assert stop.value.code == 2
    assert "--s" in capsys.readouterr().err


# ---------------------------------------------------------------- end to end

needs_cli = pytest.mark.skipif(
    not (ROOT / "rnnviz" / "cli.py").exists(), reason="rnnviz/cli.py is not written yet"
)


@needs_cli
def test_end_to_end_json():
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz", "bptt", "1,0.5,-1,2", "--u", "0.7", "--v", "1.2",
         "--w=-0.4", "--s", "0.3", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["E"] == pytest.approx(seed_three_steps(*EXAMPLE), rel=1e-13)


@needs_cli
def test_end_to_end_bad_input_exits_2_with_one_line():
    done = subprocess.run(
        [sys.executable, "-m", "rnnviz", "bptt", "1",
         "--u", "1", "--v", "1", "--w", "1", "--s", "0"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("rnnviz: ") and "at least 2" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------ negative values


def test_values_starting_with_a_minus_sign_need_no_workaround(capsys):
    from rnnviz.cli import main

    status = main(["bptt", "-1,2", "--u", "1", "--v", "1", "--w", "1", "--s", "1"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    data = json.loads(out)
    assert data["values"] == [-1.0, 2.0]
    assert data["E"] == pytest.approx(seed_error([-1.0, 2.0], 1, 1, 1, 1), rel=1e-13)


def test_negative_weights_in_exponent_form_are_values(capsys):
    from rnnviz.cli import main

    status = main(
        ["bptt", "-.5,1e-3,-2E1", "--u", "-1e-3", "--v", "-.25", "--w", "-2", "--s", "-1E-1"]
    )
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    data = json.loads(out)
    assert data["values"] == [-0.5, 0.001, -20.0]
    assert (data["u"], data["v"], data["w"], data["s"]) == (-0.001, -0.25, -2.0, -0.1)
    expected = seed_error([-0.5, 0.001, -20.0], -0.001, -0.25, -2.0, -0.1)
    assert data["E"] == pytest.approx(expected, rel=1e-13)


def test_a_real_unknown_option_is_still_refused(capsys):
    from rnnviz.cli import main

    status = main(["bptt", "1,2", "--u", "1", "--v", "1", "--w", "1", "--s", "1", "--x", "2"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert "unrecognized arguments: --x 2" in err and len(err.strip().splitlines()) == 1


def test_the_help_no_longer_gives_the_old_workaround():
    assert "--u=-1e-3" not in bptt.__doc__ and "after ``--``" not in bptt.__doc__
    docs = (ROOT / "docs" / "bptt.md").read_text(encoding="utf-8")
    assert "--u=-1e-3" not in docs and "-- -1,2,3" not in docs
