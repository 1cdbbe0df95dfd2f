"""Tests for the command-line contract (docs/architecture.md, 'The
command-line contract'): ``rnnviz trace``, ``rnnviz generate``, ``rnnviz
examples``, ``--version`` and bad input.

Most cases call :func:`rnnviz.cli.main` in-process; a few run the real
``python -m rnnviz`` and ``rnnviz`` console script end to end. The oracle for
every number is the engine itself (:func:`rnnviz.engine.learner.trace`,
:func:`rnnviz.engine.generator.free_run`) and the seed's published values.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rnnviz
from rnnviz.engine.generator import free_run
from rnnviz.engine.learner import LearnerParams, trace

HEADER = "t,x,target,h,yhat,err,ih,hh,ho,d_ih,d_hh,d_ho"
COLUMNS = HEADER.split(",")
FLOAT_COLUMNS = ("h", "yhat", "err", "ih", "hh", "ho", "d_ih", "d_hh", "d_ho")
WEIGHTS = ("ih", "hh", "ho")

ONES_THEN_ZEROS = [1] * 10 + [0] * 10
ALTERNATING = [1, 0] * 10
MINUS = "\u2212"


# -- helpers -------------------------------------------------------------------


def ok(result: tuple[int, str, str]) -> str:
    """stdout of a run that must succeed quietly."""
    status, out, err = result
    assert (status, err) == (0, ""), err
    assert out
    return out


def csv_rows(out: str) -> tuple[str, list[dict[str, str]]]:
    """(header line, rows as dicts of the raw cell text)."""
    header = out.splitlines()[0]
    return header, list(csv.DictReader(io.StringIO(out)))


def engine(bits, **params):
    return trace(np.array(bits), LearnerParams(**params))


def run_process(args, *, executable=None, **kwargs) -> subprocess.CompletedProcess:
    command = [executable] if executable else [sys.executable, "-m", "rnnviz"]
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(
        command + list(args), capture_output=True, text=True, encoding="utf-8", timeout=60, **kwargs
    )


# -- trace --notation ----------------------------------------------------------


def test_notation_is_three_lines_with_the_seed_reading_of_ho(cli):
    lines = ok(cli("trace", "1^10 0^10", "--notation")).splitlines()
    assert [line.split(":")[0] for line in lines] == ["ih", "hh", "ho"]
    assert lines[2] == f"ho: +⁹ {MINUS}⁵ , {MINUS}⁵"
    # ih climbs on the 1s, drops once on the 1→0 tick, then cannot learn from zeros.
    assert lines[0] == f"ih: +⁹ {MINUS} 0⁹"


def test_notation_ascii(cli):
    out = ok(cli("trace", "1^10 0^10", "--notation", "--ascii"))
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[2] == "ho: +^9 -^5 , -^5"
    assert lines[0] == "ih: +^9 - 0^9"
    assert out.isascii()


# -- trace --format csv --------------------------------------------------------


def test_csv_header_rows_and_full_precision_match_the_engine(cli):
    header, rows = csv_rows(ok(cli("trace", "1^10 0^10", "--format", "csv")))
    assert header == HEADER
    assert len(rows) == 19
    hist = engine(ONES_THEN_ZEROS)
    assert [int(row["t"]) for row in rows] == list(range(19))
    assert [int(row["x"]) for row in rows] == ONES_THEN_ZEROS[:-1]
    assert [int(row["target"]) for row in rows] == ONES_THEN_ZEROS[1:]
    for name in FLOAT_COLUMNS:
        assert [float(row[name]) for row in rows] == hist[name].tolist(), name


def test_csv_weights_are_after_the_update_and_deltas_the_change(cli):
    _, rows = csv_rows(ok(cli("trace", "1^10 0^10", "--format", "csv")))
    for w in WEIGHTS:
        values = [float(row[w]) for row in rows]
        deltas = [float(row[f"d_{w}"]) for row in rows]
        # the initial weights are 0: row 0's weight is exactly its change
        assert values[0] == deltas[0], w
        for t in range(1, len(rows)):
            assert values[t] - values[t - 1] == pytest.approx(deltas[t], rel=1e-12, abs=1e-15), (w, t)
    # ho really moves on the first tick (target 1, ŷ = 0.5): not a column of zeros
    assert float(rows[0]["d_ho"]) > 0


# -- trace --format json -------------------------------------------------------


def test_json_ticks_final_notation_prediction_and_params(cli):
    document = json.loads(ok(cli("trace", "1^10 0^10", "--format", "json")))
    _, rows = csv_rows(ok(cli("trace", "1^10 0^10", "--format", "csv")))
    ticks = document["ticks"]
    assert isinstance(ticks, list) and len(ticks) == len(rows) == 19
    for tick, row in zip(ticks, rows):
        assert list(tick) == COLUMNS
        assert tick == {name: float(row[name]) for name in COLUMNS}
    hist = engine(ONES_THEN_ZEROS)
    assert {w: document["final"][w] for w in WEIGHTS} == {w: hist[w][-1].item() for w in WEIGHTS}
    notation = json.loads(ok(cli("trace", "1^10 0^10", "--notation", "--format", "json")))["notation"]
    assert document["notation"] == notation
    assert notation["ho"] == f"+⁹ {MINUS}⁵ , {MINUS}⁵"
    assert 0.0 < document["prediction"]["yhat"] < 1.0
    params = document["params"]
    assert (params["eta"], params["rule"], params["activation"], params["gain"]) == (5.0, "sequential", "sigmoid", 1.0)
    assert (params["init"], params["h0"], params["learning"]) == ([0.0, 0.0, 0.0], 0.0, True)


def test_json_echoes_non_default_params(cli):
    document = json.loads(ok(cli(
        "trace", "(10)^3", "--format", "json", "--eta", "2.5", "--rule", "simultaneous",
        "--activation", "tanh", "--gain", "3", "--init", "-1,0.5,2", "--h0", "0.25", "--no-learning",
    )))
    assert document["params"] == {
        "eta": 2.5, "rule": "simultaneous", "activation": "tanh", "gain": 3.0,
        "init": [-1.0, 0.5, 2.0], "h0": 0.25, "learning": False,
    }


# -- trace --summary -----------------------------------------------------------


def test_summary_table_shows_final_weights_and_notation(cli):
    out = ok(cli("trace", "1^10 0^10", "--summary"))
    notation = ok(cli("trace", "1^10 0^10", "--notation"))
    hist = engine(ONES_THEN_ZEROS)
    for w in WEIGHTS:
        match = re.search(rf"\b{w} = (\S+)", out)
        assert match, w
        assert float(match.group(1)) == hist[w][-1].item(), w
    for line in notation.splitlines():
        assert line in out.splitlines()
    assert len(out.splitlines()) < 10  # no per-tick rows


def test_summary_csv_shows_final_weights_and_notation(cli):
    out = ok(cli("trace", "1^10 0^10", "--summary", "--format", "csv"))
    # valid CSV: the notation's "," tokens must not split its field
    assert [len(fields) for fields in csv.reader(io.StringIO(out))] == [3, 3, 3, 3]
    header, rows = csv_rows(out)
    assert header == "weight,final,notation"
    notation = dict(line.split(": ", 1) for line in ok(cli("trace", "1^10 0^10", "--notation")).splitlines())
    hist = engine(ONES_THEN_ZEROS)
    assert [row["weight"] for row in rows] == list(WEIGHTS)
    for row in rows:
        assert float(row["final"]) == hist[row["weight"]][-1].item()
        assert row["notation"] == notation[row["weight"]]


def test_summary_json_final_is_exact_and_notation_matches_notation_json(cli):
    summary = json.loads(ok(cli("trace", "1^10 0^10", "--summary", "--format", "json")))
    hist = engine(ONES_THEN_ZEROS)
    for w in WEIGHTS:
        assert summary["final"][w] == hist[w][-1].item(), w
    notation = json.loads(ok(cli("trace", "1^10 0^10", "--notation", "--format", "json")))
    assert summary["notation"] == notation["notation"]


# -- the seed's experiments, through the CLI -----------------------------------


def final_weights(cli, *args) -> dict[str, float]:
    return json.loads(ok(cli("trace", *args, "--summary", "--format", "json")))["final"]


def test_seed_streak_of_ones(cli):
    final = final_weights(cli, "1^10")
    assert 1.98 <= final["ho"] < 1.99
    assert 0.43 <= final["hh"] < 0.44


def test_seed_streak_of_zeros(cli):
    final = final_weights(cli, "0^10")
    assert -1.99 < final["ho"] <= -1.98
    assert 0.50 <= final["hh"] < 0.51
    assert final["ih"] == 0.0


def test_seed_alternating(cli):
    _, rows = csv_rows(ok(cli("trace", "(10)^10", "--format", "csv")))
    last = {w: float(rows[-1][w]) for w in WEIGHTS}
    assert 0.25 <= last["hh"] < 0.26
    assert 0.51 <= last["ih"] < 0.52
    assert -0.44 < last["ho"] <= -0.42
    assert round(last["ho"], 2) == -0.43
    assert all(0.44 <= float(row["yhat"]) <= 0.51 for row in rows)


def test_simultaneous_rule_differs_and_matches_the_engine(cli):
    sequential = final_weights(cli, "(10)^10")
    simultaneous = final_weights(cli, "(10)^10", "--rule", "simultaneous")
    assert all(sequential[w] != simultaneous[w] for w in WEIGHTS)
    hist = engine(ALTERNATING, rule="simultaneous")
    assert {w: simultaneous[w] for w in WEIGHTS} == {w: hist[w][-1].item() for w in WEIGHTS}


# -- --no-learning and --init --------------------------------------------------


def test_no_learning_keeps_the_initial_weights_and_zero_deltas(cli):
    out = ok(cli("trace", "(10)^10", "--format", "csv", "--no-learning", "--init", "-1,0.5,2"))
    _, rows = csv_rows(out)
    assert len(rows) == 19
    for row in rows:
        assert (row["d_ih"], row["d_hh"], row["d_ho"]) == ("0.0", "0.0", "0.0")
        assert (float(row["ih"]), float(row["hh"]), float(row["ho"])) == (-1.0, 0.5, 2.0)
    assert "-0.0" not in out
    # the network still predicts (and misses) on every tick
    assert all(float(row["err"]) != 0 for row in rows)


def test_negative_init_is_accepted_and_used_from_tick_0(cli):
    out = ok(cli("trace", "(10)^10", "--format", "csv", "--init", "-1,0.5,2"))
    _, rows = csv_rows(out)
    hist = engine(ALTERNATING, init=(-1.0, 0.5, 2.0))
    # tick 0: h = σ(0.5·0 + (−1)·1) = σ(−1)
    assert float(rows[0]["h"]) == pytest.approx(1 / (1 + math.e))
    for name in FLOAT_COLUMNS:
        assert [float(row[name]) for row in rows] == hist[name].tolist(), name
    # the same option written before SEQ, or with "=", reads the same
    assert ok(cli("trace", "--init", "-1,0.5,2", "(10)^10", "--format", "csv")) == out
    assert ok(cli("trace", "(10)^10", "--format", "csv", "--init=-1,0.5,2")) == out


# -- where the stream comes from ------------------------------------------------


@pytest.mark.parametrize(
    "encoding,text",
    [("utf-8-sig", "1^5\r\n0^5\r\n"), ("utf-16", "1^5 0^5")],
    ids=["utf-8 with BOM (Notepad)", "utf-16 (PowerShell)"],
)
def test_files_written_by_windows_editors_are_read(cli, tmp_path, encoding, text):
    path = tmp_path / "stream.txt"
    path.write_text(text, encoding=encoding)
    assert cli("trace", "--file", str(path), "--notation") == cli("trace", "1^5 0^5", "--notation")


def test_negative_numbers_in_any_notation_are_values(cli):
    status, out, err = cli("trace", "1^5", "--h0", "-1e-3", "--init", "-1e-2,0,1", "--format", "json")
    assert status == 0, err
    params = json.loads(out)["params"]
    assert params["h0"] == -1e-3 and params["init"] == [-1e-2, 0.0, 1.0]


def test_file_equals_the_seq_form(cli, tmp_path):
    path = tmp_path / "stream.txt"
    path.write_text("1^5\n0^5\n", encoding="utf-8")
    from_file = ok(cli("trace", "--file", str(path), "--format", "csv"))
    assert from_file == ok(cli("trace", "1^5 0^5", "--format", "csv"))
    assert len(from_file.splitlines()) == 1 + 9


def test_example_equals_its_sequence(cli):
    assert ok(cli("trace", "--example", "ones-then-zeros", "--format", "csv")) == ok(
        cli("trace", "1^10 0^10", "--format", "csv")
    )


def test_examples_lists_ones_then_zeros(cli):
    lines = ok(cli("examples")).splitlines()
    entry = [line for line in lines if line.split()[0] == "ones-then-zeros"]
    assert len(entry) == 1
    assert "1^10 0^10" in entry[0]


# -- extreme learning rates -----------------------------------------------------


@pytest.mark.parametrize("eta", ["1e4", "1e8"])
@pytest.mark.parametrize(("sequence", "bits"), [("random(2000, 0.5, 7)", 2000), ("(10)^500", 1000)])
def test_extreme_eta_runs_to_the_end_with_finite_numbers(cli, eta, sequence, bits):
    header, rows = csv_rows(ok(cli("trace", sequence, "--eta", eta, "--format", "csv")))
    assert header == HEADER
    assert len(rows) == bits - 1
    assert int(rows[-1]["t"]) == bits - 2
    assert all(math.isfinite(float(cell)) for row in rows for cell in row.values())


def test_largest_accepted_eta_runs_without_warnings():
    # η is capped at 1e10 so that no number can overflow on the longest
    # stream; at the cap the run ends cleanly, finite, with nothing on stderr.
    result = run_process(["trace", "random(3000, 0.5, 4)", "--eta", "1e10", "--format", "csv"])
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == HEADER
    assert all(math.isfinite(float(v)) for row in result.stdout.splitlines()[1:] for v in row.split(","))
    assert result.stderr == ""


# -- bad input -----------------------------------------------------------------

MISSING = "{tmp}/no-such-file.txt"
EXISTING = "{tmp}/stream.txt"


BAD_INPUT = [
    (["trace", "1^3", "--eta", "1e300"], ["1e+10"]),
    (["trace", "1^3", "--init", "0,0,1e300"], []),
    (["trace", "10x1"], ["'x'", "position 3"]),
    (["trace", ""], []),
    (["trace", "   "], []),
    (["trace", "1^10000001"], ["10,000,000"]),
    (["trace", "(10^3"], []),
    (["trace", "10)^3"], []),
    (["trace", "11", "--eta", "nan"], []),
    (["trace", "11", "--eta", "inf"], []),
    (["trace", "11", "--eta", "-1"], []),
    (["trace", "11", "--eta", "abc"], []),
    (["trace", "11", "--rule", "foo"], ["foo"]),
    (["trace", "11", "--activation", "relu"], ["relu"]),
    (["trace", "11", "--gain", "0"], []),
    (["trace", "11", "--init", "1,2"], []),
    (["trace", "11", "--init", "a,b,c"], []),
    (["trace", "11", "--format", "xml"], ["xml"]),
    (["trace", "--file", MISSING], ["no-such-file.txt"]),
    (["trace", "11", "--file", EXISTING], []),
    (["trace"], []),
    (["trace", "--example", "no-such-example"], ["no-such-example"]),
    (["frobnicate"], ["frobnicate"]),
    (["trace", "11", "--bogus"], ["--bogus"]),
    (["generate", "--steps", "0"], []),
    (["generate", "--gain", "nan"], []),
    (["generate", "--x0", "1e308", "--h0", "1e308", "--hh", "10", "--format", "json"], ["x0"]),
    (["generate", "--gain", "1e9"], ["gain"]),
    (["trace", "--file", "{tmp}"], ["folder"]),
    (["trace", "--file", "{tmp}/binary.dat"], ["not a text file"]),
    (["trace", "--file", "{tmp}/huge.txt"], ["64 MB"]),
    (["trace", "(1)" * 100_001], ["100,000"]),
    (["trace", "1^3 2"], ["'2'", "position 5"]),
    (["trace", "1^3", "--h0", "-2e6"], ["h0"]),
]


@pytest.mark.parametrize(("args", "needles"), BAD_INPUT, ids=[shlex.join(args) for args, _ in BAD_INPUT])
def test_bad_input_is_one_line_on_stderr_and_status_2(cli, tmp_path, args, needles):
    (tmp_path / "stream.txt").write_text("1^5\n", encoding="utf-8")
    (tmp_path / "binary.dat").write_bytes(bytes(range(256)) * 4)
    with open(tmp_path / "huge.txt", "wb") as huge:  # sparse: costs no disk
        huge.truncate(65 * 2**20)
    status, out, err = cli(*(arg.format(tmp=tmp_path) for arg in args))
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("rnnviz")
    for needle in needles:
        assert needle in lines[0]


# -- generate ------------------------------------------------------------------


def test_generate_defaults_alternate_near_plus_minus_098(cli):
    lines = ok(cli("generate")).splitlines()
    rows = [line.split() for line in lines[1:]]
    assert len(rows) == 10
    assert [int(row[0]) for row in rows] == list(range(10))
    ys = [float(row[3]) for row in rows]
    assert all(0.97 <= abs(y) <= 0.99 for y in ys)
    assert ys[0] < 0  # x0 = 1 and ih = −1 push the first output down
    assert all(a * b < 0 for a, b in zip(ys, ys[1:]))


def test_generate_csv_feeds_each_output_back_exactly(cli):
    header, rows = csv_rows(ok(cli("generate", "--format", "csv")))
    assert header == "step,x,h,y"
    assert len(rows) == 10
    xs = [float(row["x"]) for row in rows]
    ys = [float(row["y"]) for row in rows]
    assert xs[0] == 1.0
    assert xs[1:] == ys[:-1]
    expected = free_run()
    assert ys == expected.y.tolist()
    assert [float(row["h"]) for row in rows] == expected.h.tolist()


# -- version and usage ---------------------------------------------------------


def test_version(cli):
    assert ok(cli("--version")) == f"rnnviz {rnnviz.__version__}\n"


def test_help_lists_the_commands():
    result = run_process(["--help"])
    assert result.returncode == 0 and result.stdout.startswith("usage: rnnviz")
    commands = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")}
    assert {"gui", "screenshot", "trace", "generate"} <= commands
    assert "Without a command, rnnviz opens the desktop app" in " ".join(result.stdout.split())


@pytest.mark.parametrize("args", [[], ["gui"], ["gui", "1^5"]])
def test_the_app_without_a_display_says_so_instead_of_crashing(args):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_process(args, env=env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("rnnviz: no display to open a window on")
    assert len(result.stderr.splitlines()) == 1


def test_gui_checks_its_stream_before_looking_for_a_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_process(["gui", "10x1"], env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == "rnnviz: unexpected character 'x' at position 3"


def test_gui_refuses_a_broken_session_file_in_one_line(tmp_path):
    broken = tmp_path / "lecture.rnnviz.json"
    broken.write_text('{"format": "rnnviz-session", "version": 1, "sequ', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_process(["gui", str(broken)], env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"rnnviz: cannot open {broken}: ")
    assert "truncated" in result.stderr and len(result.stderr.splitlines()) == 1


def test_an_empty_stream_is_refused_not_replaced_by_the_default(cli, tmp_path):
    status, out, err = cli("screenshot", str(tmp_path / "shot.png"), "")
    assert (status, out) == (2, "")
    assert err.strip() == "rnnviz: the sequence is empty"
    assert not (tmp_path / "shot.png").exists()


def test_gui_checks_a_session_file_as_the_window_would(tmp_path):
    from rnnviz.io import sessionfile
    from rnnviz.session import Session

    path = tmp_path / "fast.rnnviz.json"
    sessionfile.save(path, Session("1^10"), speed=7)  # not a speed the app offers
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_process(["gui", str(path)], env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"rnnviz: cannot open {path}: 'speed' is 7; the speeds offered are")


# -- end to end ------------------------------------------------------------------


def test_python_m_rnnviz(cli):
    result = run_process(["trace", "1^10 0^10", "--notation"])
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ok(cli("trace", "1^10 0^10", "--notation"))


def test_python_m_rnnviz_bad_input_exits_2_without_traceback():
    result = run_process(["trace", "10x1"])
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("rnnviz") and len(result.stderr.splitlines()) == 1


def test_console_script(cli):
    script = Path(sys.executable).parent / ("rnnviz.exe" if os.name == "nt" else "rnnviz")
    assert script.is_file(), f"no console script next to {sys.executable}"
    result = run_process(["trace", "1^10 0^10", "--notation", "--ascii"], executable=str(script))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[2] == "ho: +^9 -^5 , -^5"
    version = run_process(["--version"], executable=str(script))
    assert version.stdout == f"rnnviz {rnnviz.__version__}\n"


def test_file_dash_reads_standard_input(cli):
    result = run_process(["trace", "--file", "-", "--format", "csv"], stdin=None, input="1^5\n0^5\n")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ok(cli("trace", "1^5 0^5", "--format", "csv"))


def test_non_utf8_stdout_does_not_crash():
    # Redirected output on Windows is encoded in the ANSI code page (cp1252),
    # which has no U+2212 and no ⁴…⁹: the notation must still come out, not a
    # traceback.
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    env.pop("PYTHONUTF8", None)
    result = subprocess.run(
        [sys.executable, "-m", "rnnviz", "trace", "1^10 0^10", "--notation"],
        capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=60,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert result.returncode == 0
    assert len(result.stdout.decode("cp1252", "replace").splitlines()) == 3


def test_headless_commands_never_load_qt():
    # They must start fast and work where Qt cannot load (no display libraries).
    code = (
        "import sys; from rnnviz.cli import main; "
        "main(['trace', '1^3', '--summary']); main(['generate', '--steps', '2']); "
        "print('Qt loaded' if {'PySide6', 'pyqtgraph'} & set(sys.modules) else 'no Qt')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "no Qt", result.stderr
