"""``rnnviz SEQ [options]`` opens the window as ``rnnviz gui`` does; paths given as SEQ are said to be paths."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rnnviz.cli import main


def no_display() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def rnnviz(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rnnviz", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=60, stdin=subprocess.DEVNULL, cwd=cwd,
                          env=env if env is not None else no_display())


# -- rnnviz SEQ [options] --------------------------------------------------------------------
def test_a_stream_without_a_command_goes_to_the_window():
    # Without a display the window's own check answers: proof the stream went to `gui`,
    # where it used to be "invalid choice: '(10)^30'".
    result = rnnviz("(10)^30", "--eta", "2")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("rnnviz: no display to open a window on")
    assert len(result.stderr.splitlines()) == 1


def test_a_bad_stream_without_a_command_is_checked_as_gui_checks_it():
    result = rnnviz("10x1")
    assert result.returncode == 2
    assert result.stderr.strip() == "rnnviz: unexpected character 'x' at position 3"


def test_the_window_opens_on_the_stream_and_options_given(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QApplication

    from rnnviz.engine.learner import LearnerParams
    from rnnviz.ui.mainwindow import MainWindow

    monkeypatch.setenv("RNNVIZ_DATA_DIR", str(tmp_path / "data"))
    seen = {}

    def event_loop(app):
        # Instead of waiting for the user: look at the window the command built, close it.
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen["count"] = len(windows)
        seen["stream"] = windows[0].stream_line.edit.text()
        seen["bits"] = windows[0].adapter.session.bits.tolist()
        seen["params"] = windows[0].adapter.session.params
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", event_loop)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    assert main(["(10)^6", "--eta", "2", "--rule", "simultaneous"]) == 0
    assert seen["count"] == 1 and seen["stream"] == "(10)^6" and seen["bits"] == [1, 0] * 6
    assert seen["params"] == LearnerParams(eta=2.0, rule="simultaneous")


def test_a_command_name_still_wins(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "trace").mkdir()  # even with a folder of that name here
    status, out, err = cli("trace", "1^3", "--notation")
    assert (status, err) == (0, "") and out.startswith("ih: ")


def test_a_mistyped_command_is_named_as_one(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = cli("trase", "1^10")
    assert (status, out) == (2, "")
    assert err.startswith("rnnviz: 'trase' is not a command (gui, screenshot, ")
    assert "trace" in err and len(err.splitlines()) == 1


def test_help_shows_the_stream_form(cli):
    status, out, _ = cli("--help")
    assert status == 0
    assert "rnnviz [SEQ | FILE.rnnviz.json]" in out.splitlines()[1]
    text = " ".join(out.split())
    assert 'rnnviz "(10)^30" --eta 2 is rnnviz gui "(10)^30" --eta 2' in text


def test_the_options_of_rnnviz_itself_keep_working(cli):
    status, out, _ = cli("--version")
    assert status == 0 and out.startswith("rnnviz ")


# -- paths given as SEQ ------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["gui"], []])
def test_a_folder_is_said_to_be_a_folder(cli, tmp_path, command):
    status, out, err = cli(*command, str(tmp_path))
    assert (status, out) == (2, "")
    assert err == f"rnnviz: {tmp_path} is a folder, not a session file or a stream\n"


@pytest.mark.parametrize("name", ["x.rnnviz.json", "notes.txt", "./stream", "slides/week3"])
def test_a_missing_file_is_said_to_be_missing(cli, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    status, out, err = cli("gui", name)
    assert (status, out) == (2, "")
    assert err == f"rnnviz: no such file: {name}\n"


def test_a_home_path_is_expanded(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "lectures").mkdir()
    status, _, err = cli("gui", "~/lectures")
    assert status == 2 and err == f"rnnviz: {tmp_path / 'lectures'} is a folder, not a session file or a stream\n"


def test_a_screenshot_of_a_folder_or_a_file_says_so(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("1 0 1\n", encoding="utf-8")
    out_png = tmp_path / "shot.png"
    status, _, err = cli("screenshot", str(out_png), str(tmp_path))
    assert status == 2 and err == f"rnnviz: {tmp_path} is a folder, not a stream\n"
    status, _, err = cli("screenshot", str(out_png), str(notes))
    assert status == 2
    assert err == (f"rnnviz: {notes} is a file, not a stream; to read a stream written in a text file, "
                   f"use --file {notes}\n")
    assert not out_png.exists()


def test_streams_are_never_taken_for_paths() -> None:
    from rnnviz.commands.paths import looks_like_path
    from rnnviz.resources import examples

    written = [e["sequence"] for e in examples()] + [
        "random(100, 0.3, seed=7)", "1^10 0^10", "(10)^30", "1¹⁰ 0¹⁰", "markov(50, 0.9, 0.1)",
    ]
    assert not [text for text in written if looks_like_path(text)]
