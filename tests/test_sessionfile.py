"""Session files: the parameter log, an exact round trip, and every malformed file refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnnviz.engine.errors import InputError
from rnnviz.engine.learner import LearnerParams
from rnnviz.io import sessionfile
from rnnviz.session import Session


def assert_same_history(loaded: Session, original: Session, ticks: int | None = None) -> None:
    """Every stored column equal bit for bit (NaN-free floats: array_equal is exact)."""
    ticks = len(original.history) if ticks is None else ticks
    for name in original.history:
        np.testing.assert_array_equal(loaded.history[name][:ticks], original.history[name][:ticks],
                                      err_msg=name)


def mixed_session() -> Session:
    """A session whose history was computed with three sets of parameters, cursor mid-way."""
    session = Session("random(400, 0.5, seed=4)")
    session.seek(50)
    session.set_params(eta=2.0)
    session.seek(120)
    session.set_params(rule="simultaneous")
    session.seek(200)
    session.back(30)
    session.set_params(eta=7.5, activation="tanh")
    session.seek(260)
    session.back(100)
    return session


# -- the parameter log ---------------------------------------------------------------
def test_the_log_records_which_parameters_computed_which_ticks() -> None:
    session = mixed_session()
    log = [(span.first_tick, span.params.eta, span.params.rule, span.params.activation)
           for span in session.param_log]
    assert log == [(0, 5.0, "sequential", "sigmoid"), (50, 2.0, "sequential", "sigmoid"),
                   (120, 2.0, "simultaneous", "sigmoid"), (170, 7.5, "simultaneous", "tanh")]
    assert session.cursor == 160 and len(session.history) == 260
    assert session.param_log[-1].params == session.params


def test_the_log_is_trimmed_with_the_history() -> None:
    session = mixed_session()
    session.back(60)  # cursor 100, before the change at tick 120
    session.set_params(gain=2.0)  # forgets ticks 100… and the spans that started there
    assert [span.first_tick for span in session.param_log] == [0, 50, 100]
    session.set_params(init=(0.1, 0.0, 0.0))  # a new start: everything recomputed
    assert session.param_log == ((0, session.params),)
    session.set_params(eta=3.0)
    session.reset()
    assert session.param_log == ((0, session.params),)


def test_changing_back_merges_spans_and_an_edit_trims_the_log() -> None:
    session = Session("1^10 0^10")
    session.seek(5)
    session.set_params(eta=1.0)
    session.set_params(eta=5.0)  # back to what computed ticks 0…4: one span
    assert session.param_log == ((0, LearnerParams()),)
    session.set_params(rule="simultaneous")
    session.seek(15)
    session.toggle(3)  # bit 3 is the target of tick 2: ticks 2… recomputed with today's rule
    assert [span.first_tick for span in session.param_log] == [0, 2]
    assert session.param_log[-1].params.rule == "simultaneous"


def test_replay_rebuilds_a_mixed_history_bit_for_bit() -> None:
    original = mixed_session()
    loaded = Session.replay(original.bits, original.param_log, original.cursor)
    assert loaded.cursor == original.cursor and loaded.params == original.params
    assert loaded.param_log == original.param_log
    assert loaded.state == original.state and loaded.prediction() == original.prediction()
    loaded.seek(len(original.history))
    assert_same_history(loaded, original)
    original.run_to_end()
    loaded.run_to_end()
    assert_same_history(loaded, original)


@pytest.mark.parametrize(
    ("log", "cursor", "message"),
    [
        ([], 0, "the parameter log is empty"),
        ([(3, LearnerParams())], 0, "must start at tick 0, not 3"),
        ([(0, LearnerParams()), (8, LearnerParams(eta=1)), (8, LearnerParams(eta=2))], 0,
         "entry 3 starts at tick 8, not after entry 2"),
        ([(0, LearnerParams()), (25, LearnerParams(eta=1))], 0, "beyond the stream's 19 ticks"),
        ([(0, LearnerParams()), (4, LearnerParams(h0=0.5))], 0, "changes the initial weights or h0"),
        ([(0, LearnerParams())], 20, "the cursor 20 lies outside"),
    ],
)
def test_replay_refuses_an_impossible_log(log, cursor, message) -> None:
    with pytest.raises(InputError, match=message):
        Session.replay("1^10 0^10", log, cursor)


# -- writing and reading ------------------------------------------------------------------
def test_a_saved_session_opens_as_it_was(tmp_path: Path) -> None:
    original = mixed_session()
    path = sessionfile.save(tmp_path / "mixed.rnnviz.json", original, sequence="random(400, 0.5, seed=4)",
                            speed=30, lesson="03-streak-that-breaks", caption="watch ho")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "rnnviz-session" and data["version"] == 1
    assert data["sequence"] == "random(400, 0.5, seed=4)"  # a generator call stays a call
    assert [entry["tick"] for entry in data["param_log"]] == [0, 50, 120, 170]
    opened = sessionfile.load(path, speeds=(1, 10, 30))
    loaded = opened.session
    assert (opened.speed, opened.lesson, opened.caption) == (30, "03-streak-that-breaks", "watch ho")
    np.testing.assert_array_equal(loaded.bits, original.bits)
    assert loaded.params == original.params and loaded.param_log == original.param_log
    assert loaded.cursor == 160
    loaded.seek(260)
    assert_same_history(loaded, original)
    loaded.seek(160)
    assert loaded.state == original.state


def test_awkward_floats_survive_the_round_trip(tmp_path: Path) -> None:
    params = LearnerParams(eta=0.1 + 0.2, gain=1 / 3, init=(-1e-300, 2.0**-40, 123456.789),
                           h0=-0.0, learning=False)
    original = Session("(110)^30", params)
    original.seek(45)
    loaded = sessionfile.load(sessionfile.save(tmp_path / "a.rnnviz.json", original)).session
    assert loaded.params == params
    assert_same_history(loaded, original)


def test_a_text_that_no_longer_describes_the_stream_is_replaced_by_the_bits() -> None:
    session = Session("1^10 0^10")
    session.toggle(0)
    assert sessionfile.session_to_json(session, sequence="1^10 0^10")["sequence"] == "0 1^9 0^10"


def test_a_hand_edited_params_field_takes_effect_at_the_cursor() -> None:
    data = sessionfile.session_to_json(Session("1^10 0^10"))
    data["cursor"] = 12
    data["params"]["eta"] = 1.0
    session = sessionfile.loads(json.dumps(data)).session
    assert session.params.eta == 1.0
    assert [(span.first_tick, span.params.eta) for span in session.param_log] == [(0, 5.0), (12, 1.0)]


def test_writing_is_atomic(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "kept.rnnviz.json"
    sessionfile.save(path, Session("1^10"))
    before = path.read_bytes()

    def failing_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        sessionfile.save(path, Session("0^30"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.rnnviz.json"]  # no temporary left


# -- malformed files -----------------------------------------------------------------------
def valid() -> dict:
    session = Session("1^10 0^10")
    session.seek(6)
    session.set_params(eta=2.0)
    session.seek(9)
    return sessionfile.session_to_json(session, speed=10)


def edited(change) -> str:
    data = valid()
    change(data)
    return json.dumps(data)


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        target = data
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


def _drop(name: str):
    return lambda data: data.pop(name)


MALFORMED = {
    "not JSON": ("rnnviz session, version 1", "not valid JSON"),
    "empty": ("", "the file is empty"),
    "truncated": (json.dumps(valid())[:200], "the file ends too early .* truncated"),
    "top level a list": ("[1, 2]", "the top level is a list"),
    "another format": (edited(_set("format", "something-else")), "not an rnnviz session file"),
    "future version": (edited(_set("version", 2)), "made by a newer rnnviz .*version 2"),
    "version as text": (edited(_set("version", "1")), "'version' must be a whole number"),
    "missing cursor": (edited(_drop("cursor")), "no field 'cursor'"),
    "missing params": (edited(_drop("params")), "no field 'params'"),
    "missing param_log": (edited(_drop("param_log")), "no field 'param_log'"),
    "unknown field": (edited(_set("colour", "red")), "field 'colour' this rnnviz does not know"),
    "eta as text": (edited(_set("params.eta", "5")), r"'params\.eta' must be a number"),
    "learning as 1": (edited(_set("params.learning", 1)), r"'params\.learning' must be true or false"),
    "two initial weights": (edited(_set("params.init", [0, 0])), r"'params\.init' must be a list of three"),
    "negative eta": (edited(_set("params.eta", -1)), "'params': the learning rate η must not be negative"),
    "unknown rule": (edited(_set("params.rule", "magic")), "'params': unknown update rule 'magic'"),
    "NaN": (json.dumps(valid()).replace('"eta": 2.0', '"eta": NaN'), "NaN is not a number JSON allows"),
    "repeated key": ('{"format": "rnnviz-session", "format": "x"}', "'format' appears twice"),
    "cursor beyond the stream": (edited(_set("cursor", 40)), "'cursor' is 40, beyond the stream's 19 ticks"),
    "negative cursor": (edited(_set("cursor", -1)), "'cursor' must not be negative"),
    "fractional cursor": (edited(_set("cursor", 1.5)), "'cursor' must be a whole number, not 1.5"),
    "bad sequence": (edited(_set("sequence", "1^10 2")), "'sequence': unexpected character '2' at position 6"),
    "sequence as a number": (edited(_set("sequence", 1010)), "'sequence' must be text"),
    "too long": (edited(_set("sequence", "1^20000000")), "'sequence': sequence has 20,000,000 bits; the limit"),
    "param_log not a list": (edited(_set("param_log", {})), "'param_log' must be a list"),
    "param_log empty": (edited(_set("param_log", [])), "'param_log' is empty"),
    "param_log tick as text": (edited(_set("param_log.1.tick", "6")), r"'param_log\[1\]\.tick' must be a whole number"),
    "param_log not from 0": (edited(_set("param_log.0.tick", 2)), "must start at tick 0"),
    "param_log beyond": (edited(_set("param_log.1.tick", 30)), "beyond the stream's 19 ticks"),
    "param_log bad params": (edited(_set("param_log.1.params.gain", 0)), r"'param_log\[1\]\.params': the gain must be above 0"),
    "speed not offered": (edited(_set("speed", 7)), "'speed' is 7; the speeds offered are"),
    "caption as a list": (edited(_set("caption", ["a"])), "'caption' must be text"),
    "lesson key too long": (edited(_set("lesson", "k" * 201)), "'lesson' is 201 characters long; the limit is 200"),
    "caption too long": (edited(_set("caption", "a" * 2001)), "'caption' is 2,001 characters long; the limit is 2,000"),
}


def test_the_speeds_offered_are_the_only_rule_for_a_files_speed() -> None:
    # With the app's own speeds, a speed outside them gets the one message that lists them.
    for speed in (1000, 5000, -1):
        with pytest.raises(InputError, match=f"'speed' is {speed}; the speeds offered are"):
            sessionfile.loads(edited(_set("speed", speed)))
    # A caller offering a faster speed gets it: no second limit (there was one of
    # 1000 ticks/s, named like the window's "max" sentinel) stands in the way.
    assert sessionfile.loads(edited(_set("speed", 5000)), speeds=(10, 5000)).speed == 5000


@pytest.mark.parametrize("case", list(MALFORMED))
def test_each_malformed_file_gets_a_one_line_message_naming_the_problem(case: str) -> None:
    text, message = MALFORMED[case]
    with pytest.raises(InputError, match=message) as caught:
        sessionfile.loads(text, speeds=(1, 2, 5, 10, 20, 30, 60, 0))
    assert "\n" not in str(caught.value)


def test_the_valid_base_of_the_malformed_cases_opens() -> None:
    opened = sessionfile.loads(json.dumps(valid()))
    assert opened.session.cursor == 9 and opened.session.params.eta == 2.0


def test_files_that_cannot_be_read_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the file does not exist"):
        sessionfile.load(tmp_path / "gone.rnnviz.json")
    with pytest.raises(InputError, match="that is a folder"):
        sessionfile.load(tmp_path)
    binary = tmp_path / "picture.rnnviz.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(InputError, match="not a text file"):
        sessionfile.load(binary)


def test_nothing_in_a_file_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = edited(_set("sequence", f"__import__('pathlib').Path({str(marker)!r}).touch()"))
    with pytest.raises(InputError, match="'sequence'"):
        sessionfile.loads(text)
    assert not marker.exists()


def test_the_io_modules_import_without_qt() -> None:
    blocker = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'):\n"
        "            raise ImportError('Qt imported: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import rnnviz.io.sessionfile, rnnviz.io.lessons\n"
    )
    result = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
