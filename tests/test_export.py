"""The Qt-free exports: the trace CSV shared with ``rnnviz trace`` and the safe file writing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from rnnviz.cli import main
from rnnviz.engine.errors import InputError
from rnnviz.io.export import notation_lines, save_trace_csv, write_atomically, write_trace_csv
from rnnviz.session import Session


def cli_csv(capsys, stream: str, *options: str) -> str:
    assert main(["trace", stream, "--format", "csv", *options]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("stream", ["1^10 0^10", "(10)^10", "random(200, 0.3, seed=4)"])
def test_csv_writer_gives_the_trace_commands_bytes(capsys, stream):
    session = Session(stream)
    session.run_to_end()
    out = io.StringIO()
    write_trace_csv(out, session.history, session.cursor)
    assert out.getvalue() == cli_csv(capsys, stream)


def test_csv_of_the_ticks_done_so_far_is_the_trace_of_the_stream_up_to_there(capsys):
    session = Session("1^10 0^10")
    session.run_to_end()
    session.seek(7)  # the history still holds all 19 ticks; only 7 are done
    out = io.StringIO()
    write_trace_csv(out, session.history, session.cursor)
    # Tick t reads bits t and t + 1: the first 7 ticks need the first 8 bits.
    assert out.getvalue() == cli_csv(capsys, "1^8")
    lines = out.getvalue().splitlines()
    assert lines[0] == "t,x,target,h,yhat,err,ih,hh,ho,d_ih,d_hh,d_ho"
    assert len(lines) == 8 and lines[-1].startswith("6,1,1,")


def test_csv_with_options_matches_the_command_with_the_same_options(capsys, tmp_path):
    from rnnviz.engine.learner import LearnerParams

    params = LearnerParams(eta=2.5, rule="simultaneous", activation="tanh", init=(0.1, -0.2, 0.3))
    session = Session("(110)^6", params)
    session.run_to_end()
    path = save_trace_csv(tmp_path / "trace.csv", session.history, session.cursor)
    expected = cli_csv(capsys, "(110)^6", "--eta", "2.5", "--rule", "simultaneous",
                       "--activation", "tanh", "--init", "0.1,-0.2,0.3")
    assert path.read_bytes() == expected.encode("utf-8")


def test_notation_lines_are_the_trace_commands(capsys):
    session = Session("1^10 0^10")
    session.run_to_end()
    assert main(["trace", "1^10 0^10", "--notation"]) == 0
    printed = capsys.readouterr().out
    lines = notation_lines({w: session.notation(w) for w in ("ih", "hh", "ho")})
    assert "\n".join(lines) + "\n" == printed
    assert lines[2] == "ho: +⁹ −⁵ , −⁵"


def test_write_atomically_renames_a_complete_file_into_place(tmp_path):
    target = tmp_path / "out.txt"
    seen = []

    def write(temporary: Path) -> None:
        seen.append(temporary)
        assert not target.exists()  # nothing where the user looks until it is complete
        temporary.write_text("done")

    assert write_atomically(target, write) == target
    assert target.read_text() == "done"
    assert seen[0].parent == tmp_path and seen[0] != target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def write(temporary: Path) -> None:
        temporary.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="cannot write .*out.txt: no space left on the device"):
        write_atomically(target, write)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_a_missing_folder_or_a_folder_as_target_is_named(tmp_path):
    with pytest.raises(InputError, match="the folder .*nowhere does not exist"):
        write_atomically(tmp_path / "nowhere" / "out.csv", lambda p: p.write_text("x"))
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError, match="it is a folder"):
        write_atomically(tmp_path / "taken", lambda p: p.write_text("x"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
