"""Starting the desktop app: what a user sees and what is logged when it cannot start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rnnviz import errorlog


def _rnnviz(*args: str, tmp_path, **environment: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **environment)
    return subprocess.run([sys.executable, "-m", "rnnviz", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL)


def test_a_file_that_is_not_a_session_is_refused_by_name_and_logged(tmp_path):
    # "Open with rnnviz" on any file: not read as a stream with a stray "/" in it.
    notes = tmp_path / "notes.txt"
    notes.write_text("1 0 1 1\n", encoding="utf-8")
    result = _rnnviz("gui", str(notes), tmp_path=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    message = (f"{notes} is not an rnnviz session: rnnviz opens files saved with File ▸ Save "
               "(*.rnnviz.json); to read a stream written in a text file, use --file")
    assert result.stderr.splitlines()[-1] == f"rnnviz: {message}"
    # Started from a menu there is no terminal: the log keeps the reason.
    assert errorlog.log_path().read_text(encoding="utf-8").rstrip().endswith(message)


def test_a_broken_session_file_is_logged_and_opens_no_window(tmp_path):
    broken = tmp_path / "lecture.rnnviz.json"
    broken.write_text('{"format": "rnnviz-session", "version": 1, "sequ', encoding="utf-8")
    result = _rnnviz("gui", str(broken), tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"cannot open {broken}: " in errorlog.log_path().read_text(encoding="utf-8")


def test_the_log_keeps_its_newer_half_when_it_grows_too_large(tmp_path):
    path = errorlog.log_path()
    for number in range(2_000):
        assert errorlog.append(f"problem {number:04d} " + "x" * 400) == path
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) <= errorlog.MAX_BYTES + 1_000
    assert "problem 1999" in text and "problem 0000" not in text
    assert text.startswith("--- ") or text.startswith("problem ")  # cut at a line's start


def test_quit_after_first_paint_opens_the_window_paints_it_and_exits(tmp_path):
    # How bench/launch.py and the build script time the real start-up path.
    result = _rnnviz(tmp_path=tmp_path, RNNVIZ_QUIT_AFTER_FIRST_PAINT="1")
    assert result.returncode == 0, result.stderr
    assert "first paint" in result.stderr.splitlines()


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_never_load_qt(args):
    code = ("import sys; from rnnviz.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            "print('Qt loaded' if {'PySide6', 'pyqtgraph'} & set(sys.modules) else 'no Qt')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "no Qt", result.stderr
