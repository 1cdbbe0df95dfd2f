"""``rnnviz --self-test``: passes on a working install, names what is broken on a broken one."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import rnnviz
from rnnviz import selftest
from rnnviz.engine.learner import LearnerParams
from rnnviz.session import Session

ROOT = Path(rnnviz.__file__).resolve().parents[1]


def test_self_test_passes_and_reports_what_it_checked(qapp, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # run() sets it; keep the change local
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = io.StringIO()
    assert selftest.run(out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"rnnviz {rnnviz.__version__} self-test")
    checks = [line.split(":")[0].split(None, 1) for line in lines[1:-1]]
    assert checks == [["ok", "data files"], ["ok", "Qt"], ["ok", "main window"], ["ok", "video"],
                      ["skipped", "display"]]
    assert lines[-1].startswith("self-test passed in ")
    # The window line quotes the weights after 200 ticks, which a headless run must give.
    expected = Session(selftest.STREAM, LearnerParams())
    expected.step(200)
    window_line = lines[3]
    assert "200 ticks" in window_line
    assert f"ih {expected.state.ih:+.4f}, hh {expected.state.hh:+.4f}" in window_line
    assert "MP4 of 12 frames, 1280x720 yuv420p" in lines[4]


def _broken_install(tmp_path: Path, damage) -> Path:
    """A copy of rnnviz (package and resources) in *tmp_path*, with *damage* done to it."""
    shutil.copytree(ROOT / "rnnviz", tmp_path / "rnnviz",
                    ignore=shutil.ignore_patterns("__pycache__", "_resources"))
    shutil.copytree(ROOT / "resources", tmp_path / "resources")
    damage(tmp_path)
    return tmp_path


def _self_test_in(folder: Path, **environment: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(folder), QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-m", "rnnviz", "--self-test"], cwd=folder, env=env,
        capture_output=True, text=True, encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda root: (root / "resources" / "icons" / "rnnviz-48.png").unlink(),
         "FAILED  data files: icon files missing from"),
        (lambda root: (root / "resources" / "lessons" / "03-streak-that-breaks.json").write_text("{"),
         "FAILED  data files: lesson 03-streak-that-breaks.json in"),
        (lambda root: shutil.rmtree(root / "resources"),
         "FAILED  data files: rnnviz's resources folder is missing"),
    ],
    ids=["icon", "lesson", "resources"],
)
def test_a_broken_install_fails_with_what_is_missing_and_no_traceback(tmp_path, damage, message):
    result = _self_test_in(_broken_install(tmp_path, damage))
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout
    assert "  ok      Qt:" in result.stdout  # the other checks still ran
    assert "  skipped main window: needs data files" in result.stdout
    assert "  skipped video: needs main window" in result.stdout
    assert result.stdout.splitlines()[-1].startswith(
        "self-test FAILED (data files, main window, video, display)")
    assert "Traceback" not in result.stdout + result.stderr


def test_a_missing_module_is_named(tmp_path):
    result = _self_test_in(_broken_install(tmp_path, lambda root: (root / "rnnviz" / "io" / "lessons.py").unlink()))
    assert result.returncode == 1
    assert "FAILED  data files: the Python module 'rnnviz.io.lessons' is missing" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_self_test_with_a_command_is_refused():
    result = subprocess.run([sys.executable, "-m", "rnnviz", "--self-test", "trace"],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "rnnviz: --self-test takes no command\n"


def test_a_screen_that_cannot_be_reached_fails_the_display_check_only(qapp, monkeypatch, capsys):
    # The offscreen checks pass; rnnviz started on the "screen" cannot connect.
    # In-process like the passing run above (the display check starts rnnviz
    # itself as a child), with the environment of a desktop.
    monkeypatch.setenv("DISPLAY", ":1987")
    monkeypatch.setenv("QT_QPA_PLATFORM", "")  # run() sets it; keep the change local
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = io.StringIO()
    assert selftest.run(out) == 1
    captured = capsys.readouterr()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0].split(None, 1)[0] for line in lines[1:-1]] == ["ok"] * 4 + ["FAILED"]
    assert lines[-2].startswith("  FAILED  display: rnnviz cannot open its window on :1987: ")
    assert "rnnviz itself works" in lines[-1]
    assert "Traceback" not in out.getvalue() + captured.out + captured.err


def test_when_qt_stops_the_program_the_failed_check_and_verdict_come_first(tmp_path):
    # A platform plugin that is there but cannot load makes Qt abort the
    # process (qFatal); the self-test must have said what failed by then.
    code = (
        "import sys; from rnnviz import selftest; from PySide6.QtCore import qFatal; "
        "selftest._check_main_window = lambda: qFatal('no platform plugin'); "
        "sys.exit(selftest.run())"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert result.returncode != 0
    lines = result.stdout.splitlines()
    assert lines[-2].startswith("  FAILED  main window: Qt stopped the program: ")
    assert lines[-1].startswith("self-test FAILED (main window)")
