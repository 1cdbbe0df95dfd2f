"""``rnnviz record``: output line, exit codes, validation before rendering, Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rnnviz import cli
from rnnviz.commands import record
from rnnviz.io import video
from rnnviz.io.video import probe

ROOT = Path(__file__).resolve().parents[1]
#: Quick settings: the smallest comfortable window, few frames.
FAST = ["--size", "760x600", "--fps", "4", "--speed", "2"]
#: ``python -c RUN_CLI ARGS…`` runs ``rnnviz ARGS…`` with the record command listed.
RUN_CLI = (
    "import sys; from rnnviz import cli; from rnnviz.commands import record\n"
    "original = cli.build_parser\n"
    "def build():\n"
    "    parser = original()\n"
    "    sub = next(a for a in parser._actions if a.__class__.__name__ == '_SubParsersAction')\n"
    "    if 'record' not in sub.choices: record.add_parser(sub)\n"
    "    return parser\n"
    "cli.build_parser = build\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def wait_for_work_folder(process: subprocess.Popen, folder: Path, prefix: str) -> None:
    """Return once *process* has begun rendering: its work folder appears in *folder*."""
    for _ in range(6000):
        if any(p.name.startswith(prefix) for p in folder.iterdir()) or process.poll() is not None:
            break
        try:
            process.wait(timeout=0.01)
        except subprocess.TimeoutExpired:
            pass
    assert process.poll() is None, process.communicate()


@pytest.fixture
def run(capsys, monkeypatch):
    """``run(*args)`` → (status, stdout, stderr) of ``rnnviz record args…`` in-process."""
    original = cli.build_parser

    def with_record():
        # Until cli.py lists the command itself, add it the same way.
        parser = original()
        subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        if "record" not in subparsers.choices:
            record.add_parser(subparsers)
        return parser

    monkeypatch.setattr(cli, "build_parser", with_record)

    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = cli.main(["record", *args])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return call


def test_record_prints_one_line_with_path_frames_duration_and_size(run, qtbot, tmp_path):
    out = tmp_path / "talk.mp4"
    status, stdout, stderr = run(str(out), "1^10 0^10", "--ticks", "3", *FAST)
    assert status == 0, stderr
    # 4 frames held + 3 ticks × 2 frames + 4 held = 14 frames = 3.5 s.
    assert stdout == f"wrote {out}: 14 frames, 3.5 s, 760x600\n"
    assert stderr == ""  # progress only on a terminal
    info = probe(out)
    assert (info.frames, info.width, info.height, info.pix_fmt) == (14, 760, 600, "yuv420p")


def test_record_to_a_folder_writes_png_frames_for_every_tick_by_default(run, qtbot, tmp_path):
    status, stdout, _ = run(f"{tmp_path / 'frames'}/", "1^3", *FAST, "--eta", "2")
    assert status == 0
    # 2 ticks (a 3-bit stream): 4 + 4 + 4 frames.
    assert len(list((tmp_path / "frames").glob("frame_*.png"))) == 12
    assert stdout.startswith("PNG frames in ") and "12 frames, 3.0 s" in stdout


def test_record_phase_films_the_phase_plot_beside_the_weight_plots(run, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    plain, phase = tmp_path / "plain", tmp_path / "phase"
    for folder, extra in ((plain, ()), (phase, ("--phase",))):
        status, _, stderr = run(f"{folder}/", "(10)^4", "--ticks", "3", *FAST, "--eta", "5", *extra)
        assert status == 0, stderr
    first = sorted(plain.glob("frame_*.png"))[-1]
    other = phase / first.name
    # The same ticks, another picture: the phase plot takes a column of the window.
    assert QImage(str(first)).size() == QImage(str(other)).size()
    assert QImage(str(first)) != QImage(str(other))


def test_the_renderer_shows_the_views_it_is_asked_for(qtbot):
    from rnnviz.engine.learner import LearnerParams
    from rnnviz.ui.mainwindow import MainWindow
    from rnnviz.ui.recording import StreamRenderer

    renderer = StreamRenderer("1010", LearnerParams(eta=5.0), 2, (1280, 720), views=("phase_plot",),
                              window_class=MainWindow)
    try:
        plot = renderer.window.workspace.phase_plot
        assert plot.isVisible() and renderer.window.actions_by_name["phase_plot"].isChecked()
    finally:
        renderer.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["talk.mp4", "1^5", "--size", "761x600"], r"the width of 761x600 is odd; try 762x600"),
        (["talk.avi", "1^5"], r"name it \*\.mp4, \*\.webm or \*\.gif"),
        (["talk.mp4", "1^5", "--ticks", "9"], r"--ticks 9 is more than the stream's 4 ticks"),
        (["talk.mp4", "1^5", "--speed", "60"], r"--speed 60 ticks/s is faster than --fps 30"),
        (["talk.mp4", "1^5", "--fps", "0"], r"--fps must be between 1 and 120"),
        (["talk.mp4", "1^5", "--size", "big"], r"--size needs WIDTHxHEIGHT"),
        (["talk.mp4", "1^5", "--size", "400x300"], r"smaller than the window can be laid out in"),
        (["talk.mp4", "1^x"], r"position 2"),
        (["talk.mp4", "1^5", "--eta", "-1"], r"η|eta"),
        (["no/such/folder/talk.mp4", "1^5"], r"no such folder"),
        (["talk.mp4", "--lab", "hello", "--phase"], r"--phase goes with the one-neuron window, not with --lab"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(run, qtbot, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    status, stdout, stderr = run(*args)
    assert status == 2 and stdout == ""
    assert stderr.startswith("rnnviz: ") and re.search(message, stderr), stderr
    assert stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_cancels_cleanly_with_status_130_and_no_file(tmp_path):
    out = tmp_path / "long.mp4"
    out.write_bytes(b"the take to keep")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "record", str(out), "(10)^200", "--size", "760x600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )
    try:
        # Interrupt once rendering has begun: its work folder appears beside OUT.
        wait_for_work_folder(process, tmp_path, ".long.mp4.")
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert stdout == b"" and b"interrupted" in stderr
    assert out.read_bytes() == b"the take to keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.mp4"]


# -- where the video goes: links, full disks, folders that refuse, killed recordings ----------
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /dev/full and /proc")


@LINUX
def test_a_link_to_dev_full_is_refused_in_one_line_with_status_2_and_stays_a_link(run, qtbot, tmp_path):
    link = tmp_path / "talk.mp4"
    link.symlink_to("/dev/full")
    status, stdout, stderr = run(str(link), "1^5", *FAST)
    assert (status, stdout) == (2, "")
    assert stderr == f"rnnviz: {link} (a link to /dev/full) is not a regular file; name a file to record to\n"
    assert link.is_symlink() and [p.name for p in tmp_path.iterdir()] == ["talk.mp4"]


@LINUX
@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("/proc/self/talk.mp4", "rnnviz: cannot write in the folder /proc/self (permission denied)\n"),
        ("/proc/talk.mp4", "rnnviz: cannot write in /proc: no such file or folder\n"),
    ],
)
def test_a_folder_nothing_can_be_written_in_is_one_line_and_status_2(run, qtbot, out, message):
    assert run(out, "1^5", *FAST) == (2, "", message)


@LINUX
def test_a_disk_that_fills_up_while_recording_is_one_plain_line_and_status_1(run, qtbot, tmp_path, monkeypatch):
    def to_a_full_disk(self, frame) -> None:
        Path("/dev/full").write_bytes(video.encode_png(frame))  # the kernel says ENOSPC

    monkeypatch.setattr(video._PngFrames, "write", to_a_full_disk)
    out = tmp_path / "frames"
    status, stdout, stderr = run(f"{out}/", "1^5", *FAST)
    assert (status, stdout) == (1, "")
    assert stderr == f"rnnviz: cannot write {out}: no space left on the device\n"
    assert list(tmp_path.iterdir()) == []


def test_a_recording_killed_mid_way_leaves_a_work_folder_the_next_one_removes(run, qtbot, tmp_path):
    out = tmp_path / "long.mp4"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_CLI, "record", str(out), "(10)^200", "--size", "760x600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )
    try:
        wait_for_work_folder(process, tmp_path, ".long.mp4.")
        process.kill()  # kill -9: no chance to clean up
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    (left,) = [p.name for p in tmp_path.iterdir()]
    assert left.startswith(".long.mp4.") and left.endswith(".rnnviz-part")
    status, _, stderr = run(str(tmp_path / "short.mp4"), "1^3", *FAST)
    assert status == 0, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.mp4"]
